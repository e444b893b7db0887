#!/usr/bin/env python3
"""Before/after, interleaved (docs/BENCHMARKS.md, "What this round changed"):
two accord binaries, OLD and NEW (release builds with feature `dev`), run
verify and import on the same 100,000-entry ledger of each workload, in
three rounds alternating their order, with raw verify_strict measured
between every two runs; each ratio is to the mean of the raw rates around
it. Needs `make bench-build` (for examples/raw_rates).

usage: bench-ab.py OLD NEW default,realistic,allegations [--json FILE]
(ACCORD_AB_ENTRIES sets another size.)
"""
import json, os, shutil, statistics, subprocess, sys, time
OLD, NEW = sys.argv[1], sys.argv[2]
ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
TARGET_DIR = os.environ.get('CARGO_TARGET_DIR') or os.path.join(ROOT, 'target')
RAW = os.path.join(TARGET_DIR, 'release', 'examples', 'raw_rates')
import tempfile
work = tempfile.mkdtemp(prefix='accord-ab-')
def run(args):
    s = time.perf_counter()
    p = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, st, ru = os.wait4(p.pid, 0)
    if os.waitstatus_to_exitcode(st) != 0:
        sys.exit(f'{args} failed: {p.stderr.read()}')
    return time.perf_counter() - s, ru.ru_maxrss / 1024
def raw():
    return json.loads(subprocess.run([RAW], capture_output=True, text=True, check=True).stdout)['verify_strict_per_s_all']
N = int(os.environ.get('ACCORD_AB_ENTRIES', '100000'))
out = {}
for w in sys.argv[3].split(','):
    L = f'{work}/{w}'; E = f'{work}/{w}.export'
    run([NEW, '--ledger', L, 'dev', 'synth', '--entries', str(N), '--workload', w])
    run([NEW, '--ledger', L, 'export', '--out', E])
    res = {b: {'verify': [], 'import': [], 'verify_rss': 0, 'import_rss': 0} for b in ('old', 'new')}
    r0 = raw()
    for rnd in range(3):
        for b, exe in (('old', OLD), ('new', NEW)) if rnd % 2 == 0 else (('new', NEW), ('old', OLD)):
            t, m = run([exe, '--ledger', L, 'verify']); r1 = raw()
            res[b]['verify'].append((N + 1) / t / ((r0 + r1) / 2)); res[b]['verify_rss'] = max(m, res[b]['verify_rss']); r0 = r1
            C = f'{work}/copy'; t, m = run([exe, '--ledger', C, 'import', E]); shutil.rmtree(C); r1 = raw()
            res[b]['import'].append((N + 1) / t / ((r0 + r1) / 2)); res[b]['import_rss'] = max(m, res[b]['import_rss']); r0 = r1
    out[w] = res
    for b in ('old', 'new'):
        v, i = res[b]['verify'], res[b]['import']
        print(f"{w} {b}: verify {statistics.median(v):.2f} ({min(v):.2f}-{max(v):.2f}) {res[b]['verify_rss']:.0f} MiB; "
              f"import {statistics.median(i):.2f} ({min(i):.2f}-{max(i):.2f}) {res[b]['import_rss']:.0f} MiB", flush=True)
    shutil.rmtree(L); os.remove(E)
if '--json' in sys.argv:
    json.dump(out, open(sys.argv[sys.argv.index('--json') + 1], 'w'), indent=1)
shutil.rmtree(work, ignore_errors=True)
