#!/usr/bin/env python3
"""Prints the ratio table of docs/BENCHMARKS.md from criterion's estimates
of the last `make bench` run (target/criterion)."""
import glob, json, os, sys

root = sys.argv[1] if len(sys.argv) > 1 else 'target/criterion'

def median_ns(group, name):
    path = os.path.join(root, group, name, 'new', 'estimates.json')
    with open(path) as f:
        return json.load(f)['median']['point_estimate']

def find(group, prefix):
    hits = sorted(glob.glob(os.path.join(root, group, prefix + '*')))
    if not hits:
        sys.exit(f'no benchmark {group}/{prefix}* under {root}: run make bench first')
    return os.path.basename(hits[-1])

sign = median_ns('primitive', 'ed25519_sign')
verify = median_ns('primitive', 'ed25519_verify_strict')
sha = median_ns('primitive', 'sha256_entry')
insert_flush = median_ns('primitive', 'sled_insert_flush')
insert = median_ns('primitive', 'sled_insert')
insert_fsync = median_ns('primitive', 'sled_insert_flush_fsync')
fdatasync = median_ns('primitive', 'file_append_fdatasync')
redb_commit = median_ns('primitive', 'redb_insert_commit')
threads_name = find('primitive', 'ed25519_verify_strict_')
threads = int(threads_name.split('_')[-2])
verify_all = median_ns('primitive', threads_name) / 4096
batch = median_ns('primitive', 'ed25519_verify_batch_256') / 256
torsion = median_ns('primitive', 'edwards_is_torsion_free')
decode = median_ns('accord', 'decode_and_hash_entry')
append_name = find('accord', 'append_durable_on_')
append = median_ns('accord', append_name)
verify_name = find('accord_verify', 'verify_')
n = int(verify_name.split('_')[-1]) + 1
full = median_ns('accord_verify', verify_name)
per_entry = full / n

def rate(ns):
    return f'{1e9 / ns:,.0f}/s'

print('| measurement | median | rate | ratio to primitive |')
print('|---|---|---|---|')
print(f'| ed25519 sign | {sign / 1e3:.1f} µs | {rate(sign)} | |')
print(f'| ed25519 verify_strict | {verify / 1e3:.1f} µs | {rate(verify)} | |')
print(f'| ed25519 verify_strict on {threads} threads | {verify_all / 1e3:.1f} µs | {rate(verify_all)} | |')
print(f'| ed25519 verify_batch, 256 per batch, 1 thread | {batch / 1e3:.1f} µs | {rate(batch)} | {verify / batch:.2f} × verify_strict rate |')
print(f'| subgroup check of one point (is_torsion_free) | {torsion / 1e3:.1f} µs | {rate(torsion)} | |')
print(f'| SHA-256 of one entry | {sha:.0f} ns | {rate(sha)} | |')
print(f'| sled insert (no flush) | {insert / 1e3:.1f} µs | {rate(insert)} | |')
print(f'| sled insert + flush | {insert_flush / 1e3:.1f} µs | {rate(insert_flush)} | |')
print(f'| sled insert + flush + fsync | {insert_fsync / 1e3:.1f} µs | {rate(insert_fsync)} | |')
print(f'| file append + fdatasync | {fdatasync / 1e3:.1f} µs | {rate(fdatasync)} | |')
print(f'| redb insert + durable commit | {redb_commit / 1e3:.1f} µs | {rate(redb_commit)} | |')
print(f'| accord decode + hash of one entry | {decode / 1e3:.2f} µs | {rate(decode)} | {decode / sha:.1f} × SHA-256 |')
print(f'| accord append, durable, redb ({append_name.split("_")[-1]} entries) | {append / 1e3:.0f} µs | {rate(append)} | {append / redb_commit:.2f} × redb insert + durable commit |')
print(f'| accord verify, {n:,} entries | {full / 1e9:.2f} s | {rate(per_entry)} entries | {verify_all / per_entry:.2f} × verify_strict rate on {threads} threads |')
