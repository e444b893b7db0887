#!/usr/bin/env python3
"""End-to-end benchmark of the accord binary on synthetic ledgers (part of
`make bench`; docs/BENCHMARKS.md). For each size it builds a valid ledger
with `accord dev synth`, then times, as separate processes, with peak RSS:
verify, export, import, the open obligations view now and as of earlier
entries, the full view, and command-line appends; and it measures, in the same run, the
primitives the targets are ratios to (raw verify_strict rates, and a bare
open + insert + durable commit of the same store as one process).

usage: bench-e2e.py [--sizes 10000,100000,1000000] [--workloads a,b,c] [--work DIR] [--json FILE]

Each workload (`accord dev synth --workload NAME`; all by default) gets one
table per size: target, figure, pass or fail. Verify and import run in
three rounds, each between two measurements of the raw rate (interleaved);
each ratio is to the mean of the raw rates just before and after it, and
the median and spread over the rounds are printed.
Needs `cargo build --release` and `cargo build --release --examples -p
accord-ledger` first (the Makefile does both). ACCORD_BENCH_PROFILE=debug
runs the debug build instead: CI's smoke run, on `make test`'s own build
(its figures mean nothing).
"""
import argparse, base64, json, os, shutil, statistics, subprocess, sys, tempfile, time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
TARGET_DIR = os.environ.get('CARGO_TARGET_DIR') or os.path.join(ROOT, 'target')
PROFILE = os.environ.get('ACCORD_BENCH_PROFILE', 'release')
# ACCORD_BENCH_BIN: another accord binary (an older build, for before/after figures).
ACCORD = os.environ.get('ACCORD_BENCH_BIN') or os.path.join(TARGET_DIR, PROFILE, 'accord')
EXAMPLES = os.path.join(TARGET_DIR, PROFILE, 'examples')


def run(args, stdout=subprocess.DEVNULL, env=None):
    """Runs one process; returns (seconds, peak RSS in MiB)."""
    start = time.perf_counter()
    p = subprocess.Popen(args, stdout=stdout, stderr=subprocess.PIPE, env=env)
    _, status, usage = os.wait4(p.pid, 0)
    took = time.perf_counter() - start
    err = p.stderr.read().decode(errors='replace')
    p.stderr.close()
    p.returncode = os.waitstatus_to_exitcode(status)
    if p.returncode != 0:
        sys.exit(f'{" ".join(args)} failed ({p.returncode}): {err.strip()}')
    return took, usage.ru_maxrss / 1024


def disk_bytes(path):
    total = 0
    for d, _, files in os.walk(path):
        for f in files:
            total += os.stat(os.path.join(d, f)).st_blocks * 512
    return total


def canonical_bytes(export):
    n = total = 0
    with open(export) as f:
        next(f)
        for line in f:
            total += len(base64.b64decode(json.loads(line)['entry']))
            n += 1
    return n, total


def raw_rates():
    out = subprocess.run([os.path.join(EXAMPLES, 'raw_rates')], check=True,
                         capture_output=True, text=True).stdout
    return json.loads(out)


def median_of(k, args, env=None):
    times = [run(args, env=env)[0] for _ in range(k)]
    return statistics.median(times)


# Rounds of verify and import, each between two measurements of the raw rate.
ROUNDS = 3

WORKLOADS = ['default', 'commitments', 'allegations', 'clauses', 'parties', 'long-texts',
             'rotations', 'realistic']


def derived_sizes(ledger):
    out = subprocess.run([os.path.join(EXAMPLES, 'derived_sizes'), ledger], check=True,
                         capture_output=True, text=True).stdout
    return json.loads(out)


def measure(n, work, raw, workload='default'):
    r = {'entries': n + 1, 'workload': workload}
    ledger = os.path.join(work, f'ledger-{n}')
    keys = os.path.join(work, f'keys-{n}')
    r['synth_s'], r['synth_rss'] = run([ACCORD, '--ledger', ledger, 'dev', 'synth',
                                        '--entries', str(n), '--keys-out', keys,
                                        '--workload', workload])
    a = [ACCORD, '--ledger', ledger]
    export = os.path.join(work, f'export-{n}.jsonl')
    r['export_s'], r['export_rss'] = run(a + ['export', '--out', export])
    # Verify and import, each between two measurements of the raw rate, in
    # rounds: each ratio is to the mean of the raw rates just before and
    # after it, and the spread over the rounds is reported.
    copy = os.path.join(work, f'imported-{n}')
    verify, imports, raws = [], [], [raw_rates()['verify_strict_per_s_all']]
    r['verify_ratios'], r['import_ratios'] = [], []
    for _ in range(ROUNDS):
        verify.append(run(a + ['verify']))
        raws.append(raw_rates()['verify_strict_per_s_all'])
        r['verify_ratios'].append((n + 1) / verify[-1][0] / statistics.mean(raws[-2:]))
        imports.append(run([ACCORD, '--ledger', copy, 'import', export]))
        shutil.rmtree(copy)
        raws.append(raw_rates()['verify_strict_per_s_all'])
        r['import_ratios'].append((n + 1) / imports[-1][0] / statistics.mean(raws[-2:]))
    r['raw_rates'] = raws
    r['verify_s'] = statistics.median(t for t, _ in verify)
    r['verify_rss'] = max(m for _, m in verify)
    r['import_s'] = statistics.median(t for t, _ in imports)
    r['import_rss'] = max(m for _, m in imports)
    _, r['canonical_bytes'] = canonical_bytes(export)
    os.remove(export)
    r['disk_bytes'] = disk_bytes(ledger)
    r['tables'] = derived_sizes(ledger)
    r['obligations_ms'] = 1000 * median_of(11, a + ['obligations'])
    r['obligations_rss'] = run(a + ['obligations'])[1]
    # As of entries spread over the ledger (not on checkpoint boundaries).
    at = [run(a + ['obligations', '--at', str(min(n, n * i // 11 + 7 * i))]) for i in range(1, 11)]
    r['obligations_at_ms'] = 1000 * statistics.median(t for t, _ in at)
    r['obligations_at_max_ms'] = 1000 * max(t for t, _ in at)
    r['obligations_at_rss'] = max(m for _, m in at)
    r['obligations_all_s'], r['obligations_all_rss'] = run(a + ['obligations', '--all'])
    # The transparency log: proofs, each its own process (target ≤ 10 ms on
    # 1M entries); a checkpoint, two witnesses cosigning (each replays its
    # whole copy first), a 2-entry dispute bundle and its check (≤ 50 ms).
    r['inclusion_ms'] = 1000 * median_of(21, a + ['proof', 'inclusion', str(n // 2)])
    r['consistency_ms'] = 1000 * median_of(21, a + ['proof', 'consistency', str(n // 3), str(n + 1)])
    cp = os.path.join(work, f'checkpoint-{n}')
    r['checkpoint_ms'] = 1000 * run(a + ['checkpoint', '--key', os.path.join(keys, 'tr.pem'), '--out', cp])[0]
    cosign = []
    for w in ('tr', 'ir'):
        cosign.append(run(a + ['witness', 'cosign', cp, '--key', os.path.join(keys, f'{w}.pem'),
                               '--state', os.path.join(work, f'witness-{w}-{n}'), '--out', cp])[0])
    r['cosign_s'] = statistics.median(cosign)
    bundle = os.path.join(work, f'bundle-{n}.json')
    r['prove_ms'] = 1000 * run(a + ['prove', '--entry', str(n // 3), '--entry', str(n // 2),
                                    '--checkpoint', cp, '--out', bundle])[0]
    r['bundle_verify_ms'] = 1000 * median_of(21, [ACCORD, 'bundle', 'verify', bundle])
    r['bundle_bytes'] = os.path.getsize(bundle)
    for w in ('tr', 'ir'):
        shutil.rmtree(os.path.join(work, f'witness-{w}-{n}'))
    os.remove(cp)
    os.remove(bundle)
    # Command-line appends, each right after a run of the floor under them
    # (the same store opened, one entry inserted and made durable, by a
    # process, on a scratch copy), so that both see the disk in the same
    # state: its sync latency moves by half between minutes.
    scratch = os.path.join(work, f'probe-{n}')
    shutil.copytree(ledger, scratch)
    probe = os.path.join(EXAMPLES, 'store_probe')
    run([probe, scratch])  # warm the page cache like the appends below
    key = os.path.join(keys, 'ru.pem')
    times, probes = [], []
    for i in range(21):
        probes.append(run([probe, scratch])[0])
        t, _ = run(a + ['clause', 'propose', '--id', f'BENCH{i}', '--title', 'Benchmark clause',
                        '--text', 'The parties shall report every alleged violation within 24 hours.',
                        '--key', key])
        times.append(t)
    shutil.rmtree(scratch)
    r['probe_ms'] = 1000 * statistics.median(probes[1:])
    r['append_ms'] = 1000 * statistics.median(times[1:])
    shutil.rmtree(ledger)
    shutil.rmtree(keys)
    r['verify_ratio'] = statistics.median(r['verify_ratios'])
    r['import_ratio'] = statistics.median(r['import_ratios'])
    r['append_ratio'] = r['append_ms'] / r['probe_ms']
    r['disk_ratio'] = r['disk_bytes'] / r['canonical_bytes']
    return r


def table(raw, results):
    lines = [f"raw verify_strict: {raw['verify_strict_per_s_1']:,.0f}/s on 1 thread, "
             f"{raw['verify_strict_per_s_all']:,.0f}/s on {raw['threads']} threads", '',
             '| workload | entries | synth | verify (target ≥ 0.85 × raw) | peak RSS | import (≥ 0.75 × raw) | peak RSS '
             '| export | obligations now (≤ 25 ms) | obligations --at (≤ 25 ms) | obligations --all (full replay) '
             '| append, CLI | store floor | append ratio (≤ 2) | disk (≤ 2.5 × canonical) |',
             '|' + '---|' * 15]
    for r in results:
        lines.append(
            f"| {r['workload']} | {r['entries']:,} | {r['synth_s']:.1f} s | {r['verify_s']:.2f} s = {r['verify_ratio']:.2f} × "
            f"| {r['verify_rss']:.0f} MiB | {r['import_s']:.2f} s = {r['import_ratio']:.2f} × "
            f"| {r['import_rss']:.0f} MiB | {r['export_s']:.2f} s ({r['export_rss']:.0f} MiB) "
            f"| {r['obligations_ms']:.1f} ms ({r['obligations_rss']:.0f} MiB) "
            f"| {r['obligations_at_ms']:.1f} ms, max {r['obligations_at_max_ms']:.1f} ({r['obligations_at_rss']:.0f} MiB) "
            f"| {r['obligations_all_s']:.2f} s ({r['obligations_all_rss']:.0f} MiB) "
            f"| {r['append_ms']:.1f} ms | {r['probe_ms']:.1f} ms | {r['append_ratio']:.2f} "
            f"| {r['disk_bytes'] / 1e6:.1f} MB = {r['disk_ratio']:.2f} × {r['canonical_bytes'] / 1e6:.1f} MB |")
    lines += ['', '| workload | entries | proof inclusion (≤ 10 ms) | proof consistency (≤ 10 ms) | checkpoint '
              '| witness cosign (replays the copy) | prove, 2 entries | bundle verify, 2 entries (≤ 50 ms) | bundle size |',
              '|' + '---|' * 9]
    for r in results:
        lines.append(
            f"| {r['workload']} | {r['entries']:,} | {r['inclusion_ms']:.1f} ms | {r['consistency_ms']:.1f} ms "
            f"| {r['checkpoint_ms']:.1f} ms | {r['cosign_s']:.2f} s | {r['prove_ms']:.1f} ms "
            f"| {r['bundle_verify_ms']:.1f} ms | {r['bundle_bytes']:,} bytes |")
    return '\n'.join(lines)


def verdict(ok):
    return 'pass' if ok else '**FAIL**'


def workload_table(r, raw_before, raw_after):
    """One screen per workload and size: target, figure, pass or fail."""
    lo, hi = min(r['raw_rates']), max(r['raw_rates'])
    spread = lambda k: f"{min(r[k]):.2f}-{max(r[k]):.2f}"
    rows = [
        (f'verify ≥ 0.85 × raw verify_strict (median of {ROUNDS} rounds, spread)',
         f"{r['verify_s']:.2f} s = {r['verify_ratio']:.2f} × ({spread('verify_ratios')}; "
         f"raw {lo:,.0f}-{hi:,.0f}/s)", r['verify_ratio'] >= 0.85),
        ('import ≥ 0.75 × raw', f"{r['import_s']:.2f} s = {r['import_ratio']:.2f} × ({spread('import_ratios')})",
         r['import_ratio'] >= 0.75),
        ('CLI append ≤ 2 × store floor', f"{r['append_ms']:.1f} ms / {r['probe_ms']:.1f} ms = "
         f"{r['append_ratio']:.2f}", r['append_ratio'] <= 2),
        ('obligations now ≤ 25 ms (median of 11)', f"{r['obligations_ms']:.1f} ms", r['obligations_ms'] <= 25),
        ('obligations --at ≤ 25 ms median, ≤ 50 ms max', f"{r['obligations_at_ms']:.1f} ms, max "
         f"{r['obligations_at_max_ms']:.1f} ms", r['obligations_at_ms'] <= 25 and r['obligations_at_max_ms'] <= 50),
        ('peak RSS verify ≤ 64 MiB', f"{r['verify_rss']:.0f} MiB", r['verify_rss'] <= 64),
        ('peak RSS import ≤ 64 MiB', f"{r['import_rss']:.0f} MiB", r['import_rss'] <= 64),
        ('peak RSS export ≤ 64 MiB', f"{r['export_rss']:.0f} MiB", r['export_rss'] <= 64),
        ('disk ≤ 2.5 × canonical', f"{r['disk_bytes'] / 1e6:.1f} MB = {r['disk_ratio']:.2f} × "
         f"{r['canonical_bytes'] / 1e6:.1f} MB", r['disk_ratio'] <= 2.5),
    ]
    lines = [f"### {r['workload']}, {r['entries']:,} entries", '', '| target | figure | |', '|---|---|---|']
    lines += [f'| {t} | {f} | {verdict(ok)} |' for t, f, ok in rows]
    tables = ', '.join(f"{t['table']} {t['bytes'] / 1e6:.1f} MB" for t in r.get('tables', []))
    lines += ['', f'stored keys and values: {tables}']
    return '\n'.join(lines)


def main():
    p = argparse.ArgumentParser()
    p.add_argument('--sizes', default=os.environ.get('ACCORD_BENCH_SIZES', '100000'))
    p.add_argument('--workloads', default=','.join(WORKLOADS))
    p.add_argument('--work', default=None)
    p.add_argument('--json', default=os.path.join(TARGET_DIR, 'bench-e2e.json'))
    args = p.parse_args()
    workloads = [w for w in args.workloads.split(',') if w]
    for w in workloads:
        if w not in WORKLOADS:
            sys.exit(f'unknown workload {w!r}: use some of {",".join(WORKLOADS)}')
    for exe in (ACCORD, os.path.join(EXAMPLES, 'raw_rates'), os.path.join(EXAMPLES, 'store_probe'),
                os.path.join(EXAMPLES, 'derived_sizes')):
        if not os.path.exists(exe):
            sys.exit(f'{exe} is missing: run `make bench` (it builds it first)')
    work = args.work or tempfile.mkdtemp(prefix='accord-bench-')
    try:
        raw = raw_rates()
        first = raw
        results, screens = [], []
        for w in workloads:
            for n in (int(s) for s in args.sizes.split(',')):
                print(f'measuring {w}, {n:,} entries in {work} ...', file=sys.stderr, flush=True)
                r = measure(n, work, raw, w)
                after = raw_rates()
                results.append(r)
                screens.append(workload_table(r, raw, after))
                raw = after
        raw_after = raw
    finally:
        if args.work is None:
            shutil.rmtree(work, ignore_errors=True)
    with open(args.json, 'w') as f:
        json.dump({'raw_before': first, 'raw_after': raw_after, 'results': results}, f, indent=1)
    print(table(first, results))
    print()
    print('\n\n'.join(screens))
    drift = raw_after['verify_strict_per_s_all'] / first['verify_strict_per_s_all']
    print(f"\nraw verify_strict on all threads after the run: {raw_after['verify_strict_per_s_all']:,.0f}/s "
          f"({drift:.2f} × the rate before: machine load changed by that much)")


if __name__ == '__main__':
    main()
