#!/usr/bin/env python3
"""Checks an accord dispute bundle (docs/FORMAT.md, "Dispute bundles") with
code that shares nothing with accord's: Python's hashlib for SHA-256 and the
RFC 9162 inclusion proofs, the `openssl pkeyutl -verify -rawin` command
(OpenSSL 3.0 or later) for every Ed25519 signature, and its own readers of
the entry layout, the C2SP signed note and the tlog-cosignature lines.

    scripts/check-bundle.py BUNDLE [--witnesses tr,ru,ir] [--quorum N] [--ledger-id HEX]

Exit 0 valid, 1 invalid (one line says why), 3 could not check (unreadable
file, no openssl).

What it checks: every inclusion proof against the checkpoint's root; the
key-history digest of the listed key events against the checkpoint's
`accord-keys` line; the charter's keys, then each key event in order
(signed by its author's key at its position; a rotation's possession proof;
a revocation adopted when the charter's ruling quorum of guarantors has
endorsed it; a charter amendment adopted when the amendment rule is met,
its parties added, removed and given new roles, its quorums, from then on); the checkpoint's signature by a party and the cosignatures of
the witnesses (default: the guarantors, quorum: the ruling quorum), each
with its key at the checkpoint's size; each chosen entry's signature with
its author's key at its position; the time bound from the cosignatures.

What it does not check (accord's own `bundle verify` does): the charter's
validity and the other rules of key events (a new key never used before, a
revocation's proposal hash, who may propose one), the strict Ed25519 rules
of FORMAT.md that OpenSSL does not apply (small-order and non-canonical
keys), and canonical decoding of an entry beyond the fields it reads.
"""
import base64
import datetime
import hashlib
import json
import os
import subprocess
import sys
import tempfile

ENTRY_HASH_TAG = b'accord-v1/entry-hash\0'
ENTRY_SIG_TAG = b'accord-v1/entry-sig\0'
KEY_ID_TAG = b'accord-v1/key-id\0'
KEY_EVENTS_TAG = b'accord-v1/key-events\0'
POSSESSION_TAG = b'accord-v1/key-possession\0'
SPKI_ED25519 = bytes.fromhex('302a300506032b6570032100')
GUARANTOR = 0
# issue 13: charter amendments (event variant indexes fixed at merge)
AMENDMENT_PROPOSED = 31
AMENDMENT_ENDORSED = 32
EM_DASH = '\u2014 '


class Invalid(Exception):
    pass


class Unchecked(Exception):
    pass


def sha256(*parts):
    h = hashlib.sha256()
    for p in parts:
        h.update(p)
    return h.digest()


# --- OpenSSL ------------------------------------------------------------------
WORK = tempfile.mkdtemp(prefix='check-bundle.')


def ed25519_ok(key, message, signature):
    """What `openssl pkeyutl -verify` decides about `signature` by `key`."""
    if len(key) != 32 or len(signature) != 64:
        return False
    paths = {n: os.path.join(WORK, n) for n in ('pub.der', 'msg', 'sig')}
    for n, data in (('pub.der', SPKI_ED25519 + key), ('msg', message), ('sig', signature)):
        with open(paths[n], 'wb') as f:
            f.write(data)
    try:
        r = subprocess.run(['openssl', 'pkeyutl', '-verify', '-pubin', '-inkey', paths['pub.der'],
                            '-keyform', 'DER', '-rawin', '-in', paths['msg'], '-sigfile', paths['sig']],
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    except OSError as e:
        raise Unchecked('cannot run openssl: %s' % e)
    return r.returncode == 0


# --- Merkle tree (RFC 9162 section 2.1.3.2) ----------------------------------
def leaf_hash(data):
    return sha256(b'\x00', data)


def node_hash(left, right):
    return sha256(b'\x01', left, right)


def inclusion_ok(index, size, leaf, proof, root):
    if index >= size:
        return False
    fn, sn, r = index, size - 1, leaf
    for p in proof:
        if sn == 0:
            return False
        if fn & 1 or fn == sn:
            r = node_hash(p, r)
            if not fn & 1:
                while fn and not fn & 1:
                    fn >>= 1
                    sn >>= 1
        else:
            r = node_hash(r, p)
        fn >>= 1
        sn >>= 1
    return sn == 0 and r == root


# --- Entries (docs/FORMAT.md, "Entry layout") --------------------------------
class Reader:
    def __init__(self, data, at=0):
        self.data, self.at = data, at

    def take(self, n):
        if self.at + n > len(self.data):
            raise Invalid('entry too short')
        out = self.data[self.at:self.at + n]
        self.at += n
        return out

    def u(self, n):
        return int.from_bytes(self.take(n), 'little')

    def string(self):
        return self.take(self.u(8)).decode('utf-8')

    def option(self, read):
        tag = self.u(1)
        if tag not in (0, 1):
            raise Invalid('bad option tag')
        return read() if tag else None


def decode_entry(data):
    """The fields this checker needs, and the event's variant and reader."""
    r = Reader(data)
    e = {'version': r.u(2), 'ledger': r.take(32), 'seq': r.u(8)}
    r.take(32)  # prev
    e['time'] = int.from_bytes(r.take(8), 'little', signed=True)
    e['party'] = r.string()
    e['key_id'] = r.take(32)
    r.take(8 + 8 + 32)  # author_seq, seen
    e['variant'] = r.u(4)
    e['event'] = r
    if len(data) < 64:
        raise Invalid('entry too short')
    return e


def read_charter(r):
    title = r.string()
    parties = {}
    order = []
    for _ in range(r.u(8)):
        pid, _name, role, key = r.string(), r.string(), r.u(4), r.take(32)
        parties[pid] = {'role': role, 'key': key}
        order.append(pid)
    adoption = r.u(4)
    if adoption == 1:
        r.u(4)
    quorum = r.u(4)
    return title, parties, order, quorum


def read_changes(r):
    """An amendment's changes (docs/FORMAT.md, `CharterChange`), as tuples."""
    changes = []
    for _ in range(r.u(8)):
        kind = r.u(4)
        if kind == 0:
            changes.append(('add', r.string(), r.string(), r.u(4), r.take(32)))
        elif kind == 1:
            changes.append(('remove', r.string()))
        elif kind == 2:
            changes.append(('rename', r.string(), r.string()))
        elif kind == 3:
            changes.append(('role', r.string(), r.u(4)))
        elif kind in (4, 6):
            tag = r.u(4)
            changes.append(('clause-rule' if kind == 4 else 'amendment-rule', r.u(4) if tag == 1 else None))
        elif kind == 5:
            changes.append(('ruling-quorum', r.u(4)))
        elif kind == 7:  # SetBody: read whole, changes no key
            bid, _name = r.string(), r.string()
            members = [r.string() for _ in range(r.u(8))]
            rule = r.u(4)
            if rule == 1:
                r.u(4)
            elif rule == 2:
                r.u(8)
            elif rule != 0:
                raise Invalid('unknown decision rule %d' % rule)
            r.u(1)
            r.option(r.string)
            r.u(1)
            changes.append(('body', bid, members))
        elif kind in (8, 11):  # RemoveBody, DelistActor
            changes.append(('mechanism', r.string()))
        elif kind == 9:  # SetScale
            r.u(4)
            changes.append(('scale', [r.string() for _ in range(r.u(8))]))
        elif kind == 10:  # ListActor
            aid, _name, _standing = r.string(), r.string(), r.u(4)
            r.option(r.string)
            changes.append(('actor', aid))
        else:
            raise Invalid('unknown charter change %d' % kind)
    return changes


# --- The checkpoint (C2SP signed-note, tlog-checkpoint, tlog-cosignature) ----
def note_key_id(name, sig_type, key):
    return sha256(name.encode(), b'\n', bytes([sig_type]), key)[:4]


def read_note(text):
    split = text.rfind('\n\n')
    if split < 0:
        raise Invalid('the checkpoint is not a signed note (no blank line)')
    body, sigs = text[:split + 1], text[split + 2:]
    lines = []
    for line in sigs.split('\n')[:-1]:
        if not line.startswith(EM_DASH) or line.count(' ') != 2:
            raise Invalid('the checkpoint has a malformed signature line')
        _, name, b64 = line.split(' ')
        raw = base64.b64decode(b64, validate=True)
        lines.append((name, raw[:4], raw[4:]))
    fields = body.split('\n')
    if len(fields) != 5 or not fields[0].startswith('accord/') or not fields[3].startswith('accord-keys '):
        raise Invalid('the checkpoint body is not accord/<id>, size, root, accord-keys')
    return {
        'text': body.encode(),
        'origin': fields[0],
        'size': int(fields[1]),
        'root': base64.b64decode(fields[2], validate=True),
        'keys': base64.b64decode(fields[3][len('accord-keys '):], validate=True),
        'lines': lines,
    }


# --- Keys ---------------------------------------------------------------------
class Keys:
    """Each party's keys, as (key, from, until) spans."""

    def __init__(self, parties):
        self.spans = {p: [[v['key'], 0, None]] for p, v in parties.items()}

    def current(self, party):
        spans = self.spans.get(party) or []
        return spans[-1][0] if spans and spans[-1][2] is None else None

    def at(self, party, key_id, seq):
        for key, start, until in self.spans.get(party, []):
            if sha256(KEY_ID_TAG, key) == key_id and start <= seq and (until is None or seq < until):
                return key
        return None

    def replace(self, party, seq, key):
        spans = self.spans.setdefault(party, [])
        if spans and spans[-1][2] is None:
            spans[-1][2] = seq + 1
        if key is not None:
            spans.append([key, seq + 1, None])


def signed_by_author(keys, e, data, what):
    key = keys.at(e['party'], e['key_id'], e['seq'])
    if key is None:
        raise Invalid('%s %d: %s held no such key at this position' % (what, e['seq'], e['party']))
    if not ed25519_ok(key, ENTRY_SIG_TAG + data[:-64], data[-64:]):
        raise Invalid('%s %d: the signature by %s does not verify (openssl)' % (what, e['seq'], e['party']))


def exact_fields(obj, fields, what):
    if type(obj) is not dict or set(obj) != set(fields):
        raise Invalid('%s does not have exactly the fields %s' % (what, ', '.join(fields)))


def check(bundle, witnesses, quorum, ledger_id=None):
    exact_fields(bundle, ('version', 'checkpoint', 'key_events', 'entries'), 'the bundle')
    if type(bundle['version']) is not int or bundle['version'] != 1:
        raise Invalid('bundle version %r is not 1' % bundle['version'])
    if type(bundle['key_events']) is not list or type(bundle['entries']) is not list:
        raise Invalid('key_events and entries must be lists')
    for item in bundle['key_events'] + bundle['entries']:
        exact_fields(item, ('seq', 'bytes', 'proof'), 'an entry of the bundle')
        if type(item['seq']) is not int or type(item['proof']) is not list:
            raise Invalid('an entry\'s seq must be an integer and its proof a list')
    if type(bundle['checkpoint']) is not str or not bundle['checkpoint'].endswith('\n'):
        raise Invalid('the checkpoint is not a signed note ending in a newline')
    cp = read_note(bundle['checkpoint'])
    size, root = cp['size'], cp['root']

    def decoded(item, what):
        data = base64.b64decode(item['bytes'], validate=True)
        e = decode_entry(data)
        if e['seq'] != item['seq'] or e['seq'] >= size:
            raise Invalid('%s %d: its bytes say entry %d, or it is past the checkpoint' % (what, item['seq'], e['seq']))
        return e, data

    events = bundle['key_events']
    if not events or events[0]['seq'] != 0:
        raise Invalid('the first key event is not the charter (entry 0)')
    e0, data0 = decoded(events[0], 'key event')
    ledger = sha256(ENTRY_HASH_TAG, data0)
    if ledger_id and ledger_id.lower() != ledger.hex():
        raise Invalid('the bundle is of ledger %s, not of the expected ledger %s' % (ledger.hex(), ledger_id))
    if cp['origin'] != 'accord/' + ledger.hex():
        raise Invalid('the checkpoint is for %s, not for this charter\'s ledger' % cp['origin'])
    if e0['variant'] != 0:
        raise Invalid('entry 0 is not a charter')
    _title, parties, order, ruling_quorum = read_charter(e0['event'])
    keys = Keys(parties)
    signed_by_author(keys, e0, data0, 'key event')

    # None left out: the listed key events hash to the checkpoint's line.
    digest = hashlib.sha256(KEY_EVENTS_TAG)
    digest.update((0).to_bytes(8, 'big') + ledger)
    listed = []
    for item in events[1:]:
        e, data = decoded(item, 'key event')
        if e['seq'] <= (listed[-1][0]['seq'] if listed else 0):
            raise Invalid('key event %d: not in ledger order' % e['seq'])
        if e['ledger'] != ledger:
            raise Invalid('key event %d: belongs to another ledger' % e['seq'])
        digest.update(e['seq'].to_bytes(8, 'big') + sha256(ENTRY_HASH_TAG, data))
        listed.append((e, data))
    if digest.digest() != cp['keys']:
        raise Invalid('the key history is incomplete or altered: its digest is not the checkpoint\'s accord-keys')

    revocations = {}
    amendments = {}
    amendment_rule = None  # None: every guarantor
    for e, data in listed:
        signed_by_author(keys, e, data, 'key event')
        r, v, seq, author = e['event'], e['variant'], e['seq'], e['party']
        if v == 17:  # KeyRotated
            new_key, proof = r.take(32), r.take(64)
            pid = author.encode()
            message = POSSESSION_TAG + ledger + len(pid).to_bytes(8, 'little') + pid + new_key
            if not ed25519_ok(new_key, message, proof):
                raise Invalid('key event %d: the rotation\'s possession proof does not verify' % seq)
            keys.replace(author, seq, new_key)
        elif v == 15:  # KeyRevocationProposed
            rid, target, _reason = r.string(), r.string(), r.string()
            revocations[rid] = {'party': target, 'replacement': r.option(lambda: r.take(32)),
                                'endorsers': set(), 'adopted': False}
        elif v == 16:  # KeyRevocationEndorsed
            rid = r.string()
            rev = revocations.get(rid)
            if rev is None or parties.get(author, {}).get('role') != GUARANTOR:
                raise Invalid('key event %d: endorses unknown revocation %s, or not by a guarantor' % (seq, rid))
            rev['endorsers'].add(author)
            if not rev['adopted'] and len(rev['endorsers']) >= ruling_quorum:
                rev['adopted'] = True
                keys.replace(rev['party'], seq, rev['replacement'])
        elif v == AMENDMENT_PROPOSED:
            mid = r.string()
            amendments[mid] = {'changes': read_changes(r), 'endorsers': set(), 'adopted': False}
        elif v == AMENDMENT_ENDORSED:
            mid = r.string()
            am = amendments.get(mid)
            if am is None or am['adopted'] or parties.get(author, {}).get('role') != GUARANTOR:
                raise Invalid('key event %d: endorses unknown or adopted amendment %s, or not by a guarantor' % (seq, mid))
            am['endorsers'].add(author)
            guarantors = [p for p in order if parties[p]['role'] == GUARANTOR]
            endorsed = len([p for p in guarantors if p in am['endorsers']])
            if endorsed == len(guarantors) if amendment_rule is None else endorsed >= amendment_rule:
                am['adopted'] = True
                # In force from this entry: a new key signs from the next.
                for c in am['changes']:
                    if c[0] == 'add':
                        parties[c[1]] = {'role': c[3], 'key': c[4]}
                        order.append(c[1])
                        keys.replace(c[1], seq, c[4])
                    elif c[0] == 'remove':
                        if c[1] not in parties:
                            raise Invalid('key event %d: amendment %s removes %s, not a party' % (seq, mid, c[1]))
                        del parties[c[1]]
                        order.remove(c[1])
                        keys.replace(c[1], seq, None)
                    elif c[0] == 'role':
                        if c[1] not in parties:
                            raise Invalid('key event %d: amendment %s changes the role of %s, not a party' % (seq, mid, c[1]))
                        parties[c[1]]['role'] = c[2]
                    elif c[0] == 'ruling-quorum':
                        ruling_quorum = c[1]
                    elif c[0] == 'amendment-rule':
                        amendment_rule = c[1]
        else:
            raise Invalid('key event %d: variant %d is not a key event' % (seq, v))

    # The checkpoint's signature by a party, then the witnesses' cosignatures.
    def lines_of(name, sig_type, key):
        kid = note_key_id(name, sig_type, key)
        return [sig for (n, k, sig) in cp['lines'] if n == name and k == kid]

    signer = None
    for p in order:
        key = keys.current(p)
        for sig in lines_of(p, 0x01, key) if key else []:
            if not ed25519_ok(key, cp['text'], sig):
                raise Invalid('the checkpoint\'s signature by %s does not verify' % p)
            signer = signer or p
    if signer is None:
        raise Invalid('the checkpoint is not signed by a party of the charter')
    witnesses = witnesses or [p for p in order if parties[p]['role'] == GUARANTOR]
    quorum = ruling_quorum if quorum is None else quorum
    if len(set(witnesses)) != len(witnesses):
        raise Invalid('policy: a witness is named twice')
    if any(w not in parties for w in witnesses):
        raise Invalid('policy: a witness is not a party of the charter')
    if not 1 <= quorum <= len(witnesses):
        raise Invalid('policy: a quorum of %d cannot be met by %d witness(es)' % (quorum, len(witnesses)))
    cosigned = []
    for w in witnesses:
        key = keys.current(w)
        times = []
        for sig in lines_of(w, 0x04, key) if key else []:
            t = int.from_bytes(sig[:8], 'big')
            message = b'cosignature/v1\ntime %d\n' % t + cp['text']
            if len(sig) != 72 or not ed25519_ok(key, message, sig[8:]):
                raise Invalid('the cosignature by %s does not verify' % w)
            times.append(t)
        if times:  # one witness counts once, at its earliest cosignature
            cosigned.append((min(times), w))
    if len(cosigned) < quorum:
        raise Invalid('%d valid cosignature(s) from %s, fewer than the quorum of %d'
                      % (len(cosigned), ','.join(witnesses), quorum))
    cosigned.sort(key=lambda c: c[0])

    # Every entry in the checkpointed tree.
    failed = []
    items = [('key event', i) for i in events] + [('entry', i) for i in bundle['entries']]
    for what, item in items:
        data = base64.b64decode(item['bytes'], validate=True)
        proof = [base64.b64decode(h, validate=True) for h in item['proof']]
        if not inclusion_ok(item['seq'], size, leaf_hash(data), proof, root):
            failed.append('%s %d: its inclusion proof does not lead to the checkpoint\'s root' % (what, item['seq']))
    if failed and len(failed) == len(items):
        raise Invalid('no entry of the bundle is in the tree the checkpoint commits to: '
                      'the checkpoint is of a fork of this ledger')
    if failed:
        raise Invalid(failed[0])

    report = []
    for item in bundle['entries']:
        e, data = decoded(item, 'entry')
        if e['ledger'] != ledger and e['seq'] != 0:
            raise Invalid('entry %d: belongs to another ledger' % e['seq'])
        signed_by_author(keys, e, data, 'entry')
        report.append(e)
    if not report:
        raise Invalid('the bundle lists no entries')
    return signer, report, cosigned[:quorum], len(events)


def rfc3339(t):
    try:
        return datetime.datetime.fromtimestamp(t, datetime.timezone.utc).strftime('%Y-%m-%dT%H:%M:%SZ')
    except (OverflowError, OSError, ValueError):
        return '@%d' % t


def main(argv):
    args, witnesses, quorum, ledger_id = [], None, None, None
    it = iter(argv)
    for a in it:
        if a == '--witnesses':
            witnesses = next(it, '').split(',')
        elif a == '--quorum':
            quorum = int(next(it, '0'))
        elif a == '--ledger-id':
            ledger_id = next(it, '')
        else:
            args.append(a)
    if len(args) != 1:
        print(__doc__.split('\n\n')[1], file=sys.stderr)
        return 3
    try:
        with open(args[0], 'rb') as f:
            bundle = json.loads(f.read())
    except (OSError, ValueError) as e:
        print('check-bundle: cannot read %s: %s' % (args[0], e), file=sys.stderr)
        return 3
    try:
        signer, entries, by, n_keys = check(bundle, witnesses, quorum, ledger_id)
    except Unchecked as e:
        print('check-bundle: could not check: %s' % e, file=sys.stderr)
        return 3
    except (Invalid, KeyError, TypeError, ValueError, UnicodeDecodeError) as e:
        print('check-bundle: INVALID: %s' % (e if isinstance(e, Invalid) else 'malformed bundle (%r)' % e))
        return 1
    for e in entries:
        print('check-bundle: entry %d by %s (time claimed %s): in the tree, signature verified (openssl)'
              % (e['seq'], e['party'], rfc3339(e['time'])))
    print('check-bundle: %d key events replayed; checkpoint signed by %s; existed no later than %s, per %s'
          % (n_keys, signer, rfc3339(by[-1][0]), ' and '.join(w for _, w in by)))
    print('check-bundle: VALID')
    return 0


if __name__ == '__main__':
    try:
        sys.exit(main(sys.argv[1:]))
    finally:
        for name in os.listdir(WORK):
            os.remove(os.path.join(WORK, name))
        os.rmdir(WORK)
