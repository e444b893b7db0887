#!/usr/bin/env bash
# Checks docs/FORMAT.md's vectors with tools independent of accord's code:
# Python's hashlib for the hashes and OpenSSL for the Ed25519 signatures.
set -euo pipefail
doc="${1:-$(dirname "$0")/../docs/FORMAT.md}"
python3 - "$doc" <<'PY'
import hashlib, re, subprocess, sys, tempfile, os
doc = open(sys.argv[1]).read()
def vec(name):
    m = re.search(r'<!-- vector: %s -->\n```text\n(.*?)\n```' % re.escape(name), doc, re.S)
    return bytes.fromhex(m.group(1).replace('\n', ''))
pk = vec('public-key')
assert hashlib.sha256(b'accord-v1/key-id\0' + pk).digest() == vec('key-id'), 'key id'
# SubjectPublicKeyInfo for Ed25519 (RFC 8410): fixed 12-byte prefix + key.
spki = bytes.fromhex('302a300506032b6570032100') + pk
with tempfile.TemporaryDirectory() as d:
    open(os.path.join(d, 'pub.der'), 'wb').write(spki)
    for n in ('entry0', 'entry1', 'entry2'):
        entry = vec(n + '-bytes')
        assert hashlib.sha256(b'accord-v1/entry-hash\0' + entry).digest() == vec(n + '-hash'), n + ' hash'
        if n != 'entry2':
            assert entry[-64:] == vec(n + '-signature'), n + ' signature field'
        assert int.from_bytes(entry[34:42], 'little') == int(n[-1]), n + ' seq offset'
        open(os.path.join(d, 'msg'), 'wb').write(b'accord-v1/entry-sig\0' + entry[:-64])
        open(os.path.join(d, 'sig'), 'wb').write(entry[-64:])
        subprocess.run(['openssl', 'pkeyutl', '-verify', '-pubin', '-inkey', os.path.join(d, 'pub.der'),
                        '-keyform', 'DER', '-rawin', '-in', os.path.join(d, 'msg'),
                        '-sigfile', os.path.join(d, 'sig')], check=True, stdout=subprocess.DEVNULL)
        print(n, 'hash and signature check out')
    t = int.from_bytes(vec('entry0-bytes')[74:82], 'little', signed=True)
    assert t == 1485129600, t
print('key id checks out; time offset 74 checks out')
PY
