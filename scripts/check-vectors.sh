#!/usr/bin/env bash
# Checks docs/FORMAT.md's vectors with tools independent of accord's code:
# Python 3's standard library (hashlib, and a small implementation of the
# Ed25519 curve arithmetic) and the `openssl` command (3.0 or later) for
# Ed25519 signatures. Needs nothing else: no pip packages, no Rust.
#
#   scripts/check-vectors.sh [path/to/FORMAT.md]
#
# Exits non-zero if a vector is wrong. For the must-reject signatures it
# also prints what OpenSSL decides: OpenSSL accepts some of them, which is
# why FORMAT.md states the rules a verifier must add.
set -euo pipefail
doc="${1:-$(dirname "$0")/../docs/FORMAT.md}"
command -v python3 >/dev/null || { echo "check-vectors: python3 is required" >&2; exit 1; }
command -v openssl >/dev/null || { echo "check-vectors: the openssl command is required (Debian: apt-get install openssl)" >&2; exit 1; }
case "$(openssl version)" in
  "OpenSSL 0."* | "OpenSSL 1."*) echo "check-vectors: OpenSSL 3.0 or later is required (pkeyutl -rawin), found: $(openssl version)" >&2; exit 1 ;;
esac
python3 - "$doc" <<'PY'
import hashlib, os, re, subprocess, sys, tempfile

doc_path = sys.argv[1]
doc = open(doc_path, encoding='utf-8').read()
failures = []


def check(ok, what):
    if not ok:
        failures.append(what)
        print('FAIL', what)


def block(name):
    m = re.search(r'<!-- vector: %s -->\n```text\n(.*?)\n```' % re.escape(name), doc, re.S)
    if not m:
        sys.exit('check-vectors: FORMAT.md has no %s vector' % name)
    return [l.strip() for l in m.group(1).splitlines() if l.strip()]


def vec(name):
    return bytes.fromhex(''.join(block(name)))


def labelled(name):
    return {l.split(None, 1)[0]: bytes.fromhex(l.split(None, 1)[1]) for l in block(name)}


# --- OpenSSL ----------------------------------------------------------------
work = tempfile.mkdtemp()


def openssl_verifies(key, message, signature):
    """What `openssl pkeyutl -verify` decides (True/False)."""
    # SubjectPublicKeyInfo for Ed25519 (RFC 8410): fixed 12-byte prefix + key.
    paths = {n: os.path.join(work, n) for n in ('pub.der', 'msg', 'sig')}
    for n, data in (('pub.der', bytes.fromhex('302a300506032b6570032100') + key),
                    ('msg', message), ('sig', signature)):
        with open(paths[n], 'wb') as f:
            f.write(data)
    r = subprocess.run(['openssl', 'pkeyutl', '-verify', '-pubin', '-inkey', paths['pub.der'],
                        '-keyform', 'DER', '-rawin', '-in', paths['msg'], '-sigfile', paths['sig']],
                       stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    return r.returncode == 0


# --- Ed25519 arithmetic (RFC 8032 section 5.1), affine, for checking only ---
P = 2**255 - 19
L = 2**252 + 27742317777372353535851937790883648493
D = -121665 * pow(121666, P - 2, P) % P
SQRT_M1 = pow(2, (P - 1) // 4, P)
IDENTITY = (0, 1)


def add(p1, p2):
    (x1, y1), (x2, y2) = p1, p2
    t = D * x1 * x2 * y1 * y2 % P
    return ((x1 * y2 + x2 * y1) * pow(1 + t, P - 2, P) % P,
            (y1 * y2 + x1 * x2) * pow(1 - t, P - 2, P) % P)


def mul(k, pt):
    out = IDENTITY
    while k:
        if k & 1:
            out = add(out, pt)
        pt = add(pt, pt)
        k >>= 1
    return out


def neg(pt):
    return ((-pt[0]) % P, pt[1])


def encode(pt):
    x, y = pt
    return (y | ((x & 1) << 255)).to_bytes(32, 'little')


def decode_lenient(b):
    """Decodes like a lenient implementation: y reduced mod p, any sign bit."""
    n = int.from_bytes(b, 'little')
    y, sign = (n & (2**255 - 1)) % P, n >> 255
    u, v = (y * y - 1) % P, (D * y * y + 1) % P
    x = u * pow(v, 3, P) * pow(u * pow(v, 7, P), (P - 5) // 8, P) % P
    if (v * x * x - u) % P:
        x = x * SQRT_M1 % P
    if (v * x * x - u) % P:
        return None
    if x & 1 != sign:
        x = (-x) % P
    return (x, y)


def canonical(b):
    """RFC 8032 decoding's checks: y < p, and no sign bit on x = 0."""
    n = int.from_bytes(b, 'little')
    pt = decode_lenient(b)
    return pt is not None and (n & (2**255 - 1)) < P and encode(pt) == b


def small_order(pt):
    return mul(8, pt) == IDENTITY


BASE = decode_lenient((4 * pow(5, P - 2, P) % P).to_bytes(32, 'little'))


def challenge(r, a, m):
    return int.from_bytes(hashlib.sha512(r + a + m).digest(), 'little') % L


def rfc8032_cofactorless(a, m, r, s):
    """RFC 8032 verification with its decoding checks and the cofactorless
    equation, but without refusing small-order A or R."""
    s = int.from_bytes(s, 'little')
    if s >= L or not canonical(a) or not canonical(r):
        return False
    rhs = add(decode_lenient(r), mul(challenge(r, a, m), decode_lenient(a)))
    return mul(s, BASE) == rhs


def lenient_points(a, m, r, s):
    """Decodes A and R leniently and compares points, not encodings."""
    pa, pr = decode_lenient(a), decode_lenient(r)
    s = int.from_bytes(s, 'little')
    return (pa is not None and pr is not None and s < L
            and mul(s, BASE) == add(pr, mul(challenge(r, a, m), pa)))


def cofactored(a, m, r, s):
    pa, pr = decode_lenient(a), decode_lenient(r)
    s = int.from_bytes(s, 'little')
    diff = add(add(mul(s, BASE), neg(pr)), neg(mul(challenge(r, a, m), pa)))
    return small_order(diff)


# --- Accepted entries ---------------------------------------------------------
pk = vec('public-key')
check(encode(mul(int.from_bytes(hashlib.sha512(bytes.fromhex(
    '9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60')).digest()[:32], 'little')
    & ((1 << 254) - 8) | (1 << 254), BASE)) == pk, 'public key of the RFC 8032 TEST 1 secret key')
check(hashlib.sha256(b'accord-v1/key-id\0' + pk).digest() == vec('key-id'), 'key id')
SIG_TAG = b'accord-v1/entry-sig\0'


def signed_ok(entry, key=pk):
    return openssl_verifies(key, SIG_TAG + entry[:-64], entry[-64:])


for n in ('entry0', 'entry1', 'entry2', 'entry3', 'entry4', 'entry5', 'entry6'):
    entry = vec(n + '-bytes')
    check(hashlib.sha256(b'accord-v1/entry-hash\0' + entry).digest() == vec(n + '-hash'), n + ' hash')
    if n in ('entry0', 'entry1'):
        check(entry[-64:] == vec(n + '-signature'), n + ' signature field')
    check(int.from_bytes(entry[34:42], 'little') == int(n[-1]), n + ' seq offset')
    check(signed_ok(entry), n + ' signature (openssl)')
    print(n, 'hash and signature check out')
t = int.from_bytes(vec('entry0-bytes')[74:82], 'little', signed=True)
check(t == 1485129600, 'time offset 74')
print('key id checks out; time offset 74 checks out')

# --- Entries every reader must refuse ----------------------------------------
trailing = vec('reject-trailing-byte')
check(trailing == vec('entry0-bytes') + b'\0', 'reject-trailing-byte is entry 0 and a zero byte')
print('reject-trailing-byte: entry 0 and one byte 00')
for name, base, offset, old, new in (
        ('reject-option-tag-2', 'entry2-bytes', 239, b'\x01', b'\x02'),
        ('reject-variant-999', 'entry1-bytes', 171, (1).to_bytes(4, 'little'), (999).to_bytes(4, 'little')),
        ('reject-invalid-utf8', 'entry1-bytes', 193, b'M', b'\xff'),
        ('reject-bad-id', 'entry1-bytes', 184, b'1', b'/'),
        ('reject-version-2', 'entry1-bytes', 0, (1).to_bytes(2, 'little'), (2).to_bytes(2, 'little'))):
    got, want = vec(name)[:-64], vec(base)[:-64]
    diff = [i for i in range(len(want)) if len(got) != len(want) or got[i] != want[i]]
    ok = (len(got) == len(want) and want[offset:offset + len(old)] == old
          and got == want[:offset] + new + want[offset + len(new):])
    check(ok, '%s: %s with %s at offset %d (differs at %s)' % (name, base, new.hex(), offset, diff[:4]))
    check(signed_ok(vec(name)), name + ' signature (openssl)')
    print('%s: %s with %s at offset %d, signed again: checks out' % (name, base[:6], new.hex(), offset))

ledger_b = vec('ledger-b-entry0-bytes')
check(signed_ok(ledger_b), 'ledger B entry 0 signature (openssl)')
over_path = os.path.join(os.path.dirname(doc_path), 'vectors', 'reject-list-over-limit.hex')
over = bytes.fromhex(''.join(open(over_path).read().split()))
check(hashlib.sha256(b'accord-v1/entry-hash\0' + over).digest() == vec('reject-list-over-limit-hash'),
      'reject-list-over-limit hash')
check(over[2:34] == hashlib.sha256(b'accord-v1/entry-hash\0' + ledger_b).digest(),
      'reject-list-over-limit belongs to ledger B')
check(signed_ok(over), 'reject-list-over-limit signature (openssl)')


class Reader:
    def __init__(self, b, at):
        self.b, self.at = b, at

    def int(self, n):
        v = int.from_bytes(self.b[self.at:self.at + n], 'little')
        self.at += n
        return v

    def string(self):
        n = self.int(8)
        self.at += n
        return self.b[self.at - n:self.at]


rd = Reader(over, 170 + 1)  # the author is `g`
check(rd.int(4) == 8, 'reject-list-over-limit is an AllegationFiled')
rd.string(), rd.string()  # id, against
check(rd.int(8) == 0, 'no commitments')
rd.int(8), rd.string(), rd.string()  # occurred, location, summary
files = rd.int(8)
check(files == 257, 'reject-list-over-limit lists 257 evidence files')
print('reject-list-over-limit: ledger B, %d evidence files, hash and signature check out' % files)

# --- Signatures every verifier must reject -----------------------------------
# name: (the defect, as checked here; whether OpenSSL 3.0 accepts it)
expected = {
    'reject-sig-r-small-order': (
        lambda v: small_order(decode_lenient(v['R'])) and rfc8032_cofactorless(v['A'], v['M'], v['R'], v['S']),
        True),
    'reject-sig-a-small-order': (
        lambda v: small_order(decode_lenient(v['A'])) and decode_lenient(v['A']) != IDENTITY
        and rfc8032_cofactorless(v['A'], v['M'], v['R'], v['S']),
        True),
    'reject-sig-s-non-canonical': (
        lambda v: L <= int.from_bytes(v['S'], 'little') < 2**253
        and rfc8032_cofactorless(v['A'], v['M'], v['R'], (int.from_bytes(v['S'], 'little') - L).to_bytes(32, 'little')),
        False),
    'reject-sig-r-non-canonical': (
        lambda v: not canonical(v['R']) and lenient_points(v['A'], v['M'], v['R'], v['S']),
        False),
    'reject-sig-a-non-canonical': (
        lambda v: not canonical(v['A']) and lenient_points(v['A'], v['M'], v['R'], v['S']),
        True),
    'reject-sig-r-mixed-order': (
        lambda v: not small_order(decode_lenient(v['R'])) and cofactored(v['A'], v['M'], v['R'], v['S'])
        and not rfc8032_cofactorless(v['A'], v['M'], v['R'], v['S']),
        False),
    'reject-key-non-canonical': (
        lambda v: not canonical(v['A']) and decode_lenient(v['A']) is not None
        and not small_order(decode_lenient(v['A'])),
        False),
}
for name, (defect, openssl_3_0) in expected.items():
    v = labelled(name)
    check(v['M'].startswith(b'accord must-reject: '), name + ' message')
    has_defect = defect(v)
    check(has_defect, name + ': has its defect, and the weaker check named in FORMAT.md accepts it')
    accepts = openssl_verifies(v['A'], v['M'], v['R'] + v['S'])
    note = '' if accepts == openssl_3_0 else '  (FORMAT.md says OpenSSL 3.0 %s it)' % (
        'accepts' if openssl_3_0 else 'rejects')
    print('%s: defect %s; openssl %s it%s%s' % (
        name, 'checks out' if has_defect else 'NOT FOUND', 'ACCEPTS' if accepts else 'rejects',
        ' (accord must refuse it)' if accepts else '', note))

if failures:
    sys.exit('check-vectors: %d check(s) failed' % len(failures))
print('all vectors check out')
PY
