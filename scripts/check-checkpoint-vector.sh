#!/usr/bin/env bash
# Checks docs/FORMAT.md's checkpoint vector ("Checkpoints and cosignatures")
# with tools independent of accord's code: Python 3's standard library
# (hashlib, base64) for the origin, root, key-history commitment and key
# ids, and the `openssl` command (3.0 or later) for the note signature and
# the cosignature over the message tlog-cosignature/v1 defines.
#
#   scripts/check-checkpoint-vector.sh [path/to/FORMAT.md]
#
# Exits non-zero if anything differs.
set -euo pipefail
doc="${1:-$(dirname "$0")/../docs/FORMAT.md}"
command -v python3 >/dev/null || { echo "check-checkpoint-vector: python3 is required" >&2; exit 1; }
command -v openssl >/dev/null || { echo "check-checkpoint-vector: the openssl command is required" >&2; exit 1; }
python3 - "$doc" <<'PY'
import base64, hashlib, os, re, subprocess, sys, tempfile

doc = open(sys.argv[1], encoding='utf-8').read()
failures = []


def check(ok, what):
    print('ok  ' if ok else 'FAIL', what)
    if not ok:
        failures.append(what)


def raw_block(name):
    m = re.search(r'<!-- vector: %s -->\n```text\n(.*?)```' % re.escape(name), doc, re.S)
    if not m:
        sys.exit('check-checkpoint-vector: FORMAT.md has no %s vector' % name)
    return m.group(1)


def hexvec(name):
    return bytes.fromhex(''.join(raw_block(name).split()))


work = tempfile.mkdtemp()


def openssl_verifies(key, message, signature):
    paths = {n: os.path.join(work, n) for n in ('pub.der', 'msg', 'sig')}
    for n, data in (('pub.der', bytes.fromhex('302a300506032b6570032100') + key),
                    ('msg', message), ('sig', signature)):
        with open(paths[n], 'wb') as f:
            f.write(data)
    r = subprocess.run(['openssl', 'pkeyutl', '-verify', '-pubin', '-inkey', paths['pub.der'],
                        '-keyform', 'DER', '-rawin', '-in', paths['msg'], '-sigfile', paths['sig']],
                       stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    return r.returncode == 0


pk = hexvec('public-key')
entry0 = hexvec('entry0-bytes')
note = raw_block('checkpoint-note')
entry_hash = hashlib.sha256(b'accord-v1/entry-hash\0' + entry0).digest()
root = hashlib.sha256(b'\0' + entry0).digest()
keys = hashlib.sha256(b'accord-v1/key-events\0' + (0).to_bytes(8, 'big') + entry_hash).digest()

text, sigs = note.rsplit('\n\n', 1)
text += '\n'
check(text == 'accord/%s\n1\n%s\naccord-keys %s\n' % (
    entry_hash.hex(), base64.b64encode(root).decode(), base64.b64encode(keys).decode()),
    'the body: origin accord/<hash of entry 0>, size 1, root SHA-256(0x00 || entry 0), accord-keys digest')

lines = sigs.splitlines()
check(len(lines) == 2 and all(l.startswith('\u2014 g ') for l in lines), 'two signature lines by g')
sig = base64.b64decode(lines[0].split(' ')[2])
cosig = base64.b64decode(lines[1].split(' ')[2])
id1 = hashlib.sha256(b'g\n\x01' + pk).digest()[:4]
id4 = hashlib.sha256(b'g\n\x04' + pk).digest()[:4]
check(sig[:4] == id1 and len(sig) == 68, 'note signature: key id SHA-256("g\\n" || 0x01 || key)[:4], 64-byte signature')
check(cosig[:4] == id4 and len(cosig) == 76, 'cosignature: key id SHA-256("g\\n" || 0x04 || key)[:4], timestamp, 64-byte signature')
ids = raw_block('checkpoint-key-ids').split()
check(ids == [id1.hex(), id4.hex()], 'the documented key ids')
ts = int.from_bytes(cosig[4:12], 'big')
check(ts == 1485252000, 'the cosignature time is 1485252000')
body = text.encode()
message = b'cosignature/v1\ntime %d\n' % ts + body
check(openssl_verifies(pk, body, sig[4:]), 'OpenSSL verifies the note signature over the text')
check(openssl_verifies(pk, message, cosig[12:]), 'OpenSSL verifies the cosignature over cosignature/v1, time, text')
check(not openssl_verifies(pk, body, cosig[12:]), 'the cosignature is not a signature of the bare text')
check(not openssl_verifies(pk, message, sig[4:]), 'the note signature is not a cosignature')
if failures:
    sys.exit('check-checkpoint-vector: %d check(s) failed' % len(failures))
print('check-checkpoint-vector: all checks passed')
PY
