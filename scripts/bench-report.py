#!/usr/bin/env python3
"""Prints the ratio table of docs/BENCHMARKS.md from criterion's estimates.

    bench-report.py [DIR ...]

Each DIR is one run's criterion output (default target/criterion; a run with
CRITERION_HOME=DIR writes there). Ratios are taken within a run, never
across runs. With several runs, each figure is the median over the runs with
the range after it. Rows whose benchmarks are missing from any run (a
filtered run) are left out."""
import glob, json, os, statistics, sys

roots = sys.argv[1:] or [os.path.join(os.environ.get('CARGO_TARGET_DIR') or 'target', 'criterion')]


def load(root, group, name):
    """criterion's median for one benchmark, per element of its throughput."""
    d = os.path.join(root, group, name, 'new')
    try:
        with open(os.path.join(d, 'estimates.json')) as f:
            median = json.load(f)['median']['point_estimate']
        with open(os.path.join(d, 'benchmark.json')) as f:
            throughput = (json.load(f).get('throughput') or {}).get('Elements', 1)
    except FileNotFoundError:
        return None
    return median / throughput, throughput


def find(root, group, prefix):
    """The most recently measured benchmark named prefix* (an older run may
    have left other sizes, or names since changed, beside it)."""
    hits = glob.glob(os.path.join(root, group, prefix + '*', 'new', 'estimates.json'))
    if not hits:
        return None
    return os.path.basename(os.path.dirname(os.path.dirname(max(hits, key=os.path.getmtime))))


def run(root):
    """Per-element nanoseconds (and names) of everything this run measured."""
    r = {}
    for key, group, name in [
        ('sign', 'primitive', 'ed25519_sign'),
        ('verify', 'primitive', 'ed25519_verify_strict'),
        ('batch', 'primitive', 'ed25519_verify_batch_256'),
        ('torsion', 'primitive', 'edwards_is_torsion_free'),
        ('sha', 'primitive', 'sha256_entry'),
        ('insert', 'primitive', 'sled_insert'),
        ('insert_flush', 'primitive', 'sled_insert_flush'),
        ('insert_fsync', 'primitive', 'sled_insert_flush_fsync'),
        ('fdatasync', 'primitive', 'file_append_fdatasync'),
        ('redb_commit', 'primitive', 'redb_insert_commit'),
        ('decode', 'accord', 'decode_and_hash_entry'),
        ('tree', 'accord', 'tree_leaf'),
    ]:
        hit = load(root, group, name)
        if hit:
            r[key] = hit[0]
    for key, group, prefix in [
        ('verify_all', 'primitive', 'ed25519_verify_strict_'),
        ('append', 'accord', 'append_durable_'),
        ('full', 'accord_verify', 'verify_'),
    ]:
        name = find(root, group, prefix)
        hit = name and load(root, group, name)
        if hit:
            r[key] = hit[0]
            r[key + '_name'] = name
            r[key + '_elements'] = hit[1]
    return r


runs = [run(root) for root in roots]


def have(*keys):
    return all(k in r for r in runs for k in keys)


def spread(values, fmt):
    mid = fmt(statistics.median(values))
    if len(values) == 1:
        return mid
    return f'{mid} ({fmt(min(values))}-{fmt(max(values))})'


def us(ns):
    return f'{ns / 1e3:,.1f} µs'


def rates(ns_values):
    return spread([1e9 / ns for ns in ns_values], lambda r: f'{r:,.0f}/s')


def row(label, key, unit=us, ratio=None):
    """ratio: (label, function of one run's figures giving the ratio)."""
    if not have(key) or (ratio and not all(_ratio_ok(ratio[1], r) for r in runs)):
        return
    values = [r[key] for r in runs]
    text = ''
    if ratio:
        text = spread([ratio[1](r) for r in runs], lambda x: f'{x:.2f}') + ' × ' + ratio[0]
    print(f'| {label} | {spread(values, unit)} | {rates(values)} | {text} |')


def _ratio_ok(f, r):
    try:
        f(r)
        return True
    except KeyError:
        return False


def first(key):
    return next(r[key] for r in runs)


print(f'{len(runs)} run(s): median over the runs, range in brackets; '
      'every ratio is taken within one run.')
print()
print('| measurement | median | rate | ratio to primitive |')
print('|---|---|---|---|')
threads = first('verify_all_name').split('_')[-2] if have('verify_all') else '?'
row('ed25519 sign', 'sign')
row('ed25519 verify_strict', 'verify')
row(f'ed25519 verify_strict on {threads} threads', 'verify_all')
row('ed25519 verify_batch, 256 per batch, 1 thread', 'batch',
    ratio=('verify_strict rate', lambda r: r['verify'] / r['batch']))
row('subgroup check of one point (is_torsion_free)', 'torsion')
row('SHA-256 of one entry', 'sha', unit=lambda ns: f'{ns:,.0f} ns')
row('sled insert (no flush)', 'insert')
row('sled insert + flush', 'insert_flush')
row('sled insert + flush + fsync', 'insert_fsync')
row('file append + fdatasync', 'fdatasync')
row('redb insert + durable commit', 'redb_commit')
row('accord decode + hash of one entry (one canonical decode, one entry hash)', 'decode',
    unit=lambda ns: f'{ns / 1e3:.2f} µs',
    ratio=('SHA-256', lambda r: r['decode'] / r['sha']))
row('Merkle tree: leaf hash + push into the streaming root, per entry', 'tree',
    unit=lambda ns: f'{ns / 1e3:.2f} µs',
    ratio=(f'verify_strict on {threads} threads (the share verify and import give the tree)',
           lambda r: r['tree'] / r['verify_all']))
if have('append'):
    n, m = first('append_name').split('_')[-3::2]
    row(f'accord append, durable, redb, on a ledger of seq {int(n):,} to {int(m) - 1:,}',
        'append', unit=lambda ns: f'{ns / 1e3:,.0f} µs',
        ratio=('redb insert + durable commit', lambda r: r['append'] / r['redb_commit']))
if have('full'):
    entries = first('full_elements')
    per_entry = [r['full'] for r in runs]
    whole = [p * entries for p in per_entry]
    ratios = [r['verify_all'] / r['full'] for r in runs] if have('verify_all') else None
    text = (spread(ratios, lambda x: f'{x:.2f}') + f' × verify_strict rate on {threads} threads'
            if ratios else '')
    print(f'| accord verify, {entries:,} entries (in process) | '
          f'{spread(whole, lambda ns: f"{ns / 1e9:.2f} s")} | '
          f'{rates(per_entry)} entries | {text} |')
