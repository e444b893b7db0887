#!/usr/bin/env python3
"""Benchmarks of many capitals (part of `make bench`; docs/BENCHMARKS.md):
on a synthetic ledger, as separate processes, interleaved so that both
sides of each ratio see the same machine:

- a command-line append through `accord serve` on loopback (`--remote`)
  against a local one, 21 rounds of each, alternating;
- four remote appenders at once: entries per second;
- `accord mirror` catching up a whole ledger against `accord import` of
  its export, alternating, 3 rounds;
- a generic tlog-tiles client (examples/tiles_read.rs) reading the
  checkpoint, one entry bundle and the tiles of one inclusion proof, and
  checking the proof, on a fresh connection each round.

usage: bench-remote.py [--entries 100000] [--tiles-entries 1000000] [--json FILE]
Needs `make bench-build` first. ACCORD_BENCH_PROFILE=debug uses the debug
build (CI's smoke run; its figures mean nothing).
"""
import argparse, json, os, shutil, statistics, subprocess, sys, tempfile, threading, time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
TARGET_DIR = os.environ.get('CARGO_TARGET_DIR') or os.path.join(ROOT, 'target')
PROFILE = os.environ.get('ACCORD_BENCH_PROFILE', 'release')
ACCORD = os.path.join(TARGET_DIR, PROFILE, 'accord')
TILES_READ = os.path.join(TARGET_DIR, PROFILE, 'examples', 'tiles_read')


def timed(args):
    start = time.perf_counter()
    p = subprocess.run(args, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    took = time.perf_counter() - start
    if p.returncode != 0:
        sys.exit(f'{" ".join(args)} failed ({p.returncode}): {p.stderr.decode(errors="replace").strip()}')
    return took


class Server:
    """`accord serve` on a free loopback port, stopped on exit."""

    def __init__(self, ledger, *extra):
        self.p = subprocess.Popen([ACCORD, '--ledger', ledger, 'serve', '--listen', '127.0.0.1:0',
                                   '--rate', '0', *extra],
                                  stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        line = self.p.stdout.readline().strip()
        if not line:
            sys.exit(f'accord serve did not start: {self.p.stderr.read()}')
        self.url = f'http://{line}'

    def __enter__(self):
        return self

    def __exit__(self, *_):
        self.p.terminate()
        self.p.wait()


def propose(ledger_or_remote, key, ident):
    return ledger_or_remote + ['clause', 'propose', '--id', ident, '--title', 'Benchmark clause',
                               '--text', 'The parties shall report every alleged violation within 24 hours.',
                               '--key', key]


def spread(xs):
    return {'median': statistics.median(xs), 'min': min(xs), 'max': max(xs), 'n': len(xs)}


def appends(ledger, keys, work):
    local = os.path.join(work, 'local')
    served = os.path.join(work, 'served')
    shutil.copytree(ledger, local)
    shutil.copytree(ledger, served)
    key = os.path.join(keys, 'ru.pem')
    loc, rem = [], []
    with Server(served) as s:
        for i in range(22):
            loc.append(timed(propose([ACCORD, '--ledger', local], key, f'BENCHLOCAL{i}')))
            rem.append(timed(propose([ACCORD, '--remote', s.url], key, f'BENCHREMOTE{i}')))
        loc, rem = loc[1:], rem[1:]  # the first of each warms caches
        # Four delegations at once, each appending 10 entries.
        signers = ['tr', 'ru', 'ir', 'un']
        errors = []

        def appender(who):
            for i in range(10):
                try:
                    timed(propose([ACCORD, '--remote', s.url], os.path.join(keys, f'{who}.pem'), f'BENCHPAR{who}{i}'))
                except SystemExit as e:
                    errors.append(str(e))

        start = time.perf_counter()
        threads = [threading.Thread(target=appender, args=(w,)) for w in signers]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        took = time.perf_counter() - start
        if errors:
            sys.exit(errors[0])
    shutil.rmtree(local)
    shutil.rmtree(served)
    ratios = [r / l for l, r in zip(loc, rem)]
    return {'local_ms': spread([1000 * t for t in loc]), 'remote_ms': spread([1000 * t for t in rem]),
            'ratio': spread(ratios), 'four_appenders_per_s': 40 / took}


def mirror_vs_import(ledger, keys, work, rounds=3):
    export = os.path.join(work, 'export.jsonl')
    timed([ACCORD, '--ledger', ledger, 'export', '--out', export])
    n = int(subprocess.run([ACCORD, '--ledger', ledger, 'log', '--json'], capture_output=True,
                           text=True, check=True).stdout.count('\n'))
    mir, imp = [], []
    with Server(ledger, '--key', os.path.join(keys, 'tr.pem')) as s:
        for i in range(rounds):
            m = os.path.join(work, f'mirror-{i}')
            mir.append(n / timed([ACCORD, 'mirror', '--from', s.url, '--ledger', m]))
            shutil.rmtree(m)
            c = os.path.join(work, f'import-{i}')
            imp.append(n / timed([ACCORD, '--ledger', c, 'import', export]))
            shutil.rmtree(c)
    os.remove(export)
    return {'entries': n, 'mirror_per_s': spread(mir), 'import_per_s': spread(imp),
            'ratio': spread([m / i for m, i in zip(mir, imp)])}


def tiles_read(ledger, keys, size, rounds=21):
    """`size`: the ledger's entries (synth's count plus the charter)."""
    # --key: the server replays the ledger once at start and signs its head
    # itself; the first round waits for that replay and is not counted.
    with Server(ledger, '--key', os.path.join(keys, 'tr.pem')) as s:
        out = subprocess.run([TILES_READ, s.url, str(size // 2), str(rounds + 1)], capture_output=True,
                             text=True)
        if out.returncode != 0:
            sys.exit(f'tiles_read failed: {out.stderr.strip()}')
    ms = json.loads(out.stdout)['round_ms'][1:]
    return {'entries': size, 'round_ms': spread(ms)}


def synth(n, work):
    ledger = os.path.join(work, f'ledger-{n}')
    keys = os.path.join(work, f'keys-{n}')
    timed([ACCORD, '--ledger', ledger, 'dev', 'synth', '--entries', str(n), '--keys-out', keys])
    return ledger, keys


def main():
    p = argparse.ArgumentParser()
    p.add_argument('--entries', type=int, default=int(os.environ.get('ACCORD_BENCH_REMOTE_ENTRIES', 100000)))
    p.add_argument('--tiles-entries', type=int,
                   default=int(os.environ.get('ACCORD_BENCH_TILES_ENTRIES', 1000000)))
    p.add_argument('--json', default=os.path.join(TARGET_DIR, 'bench-remote.json'))
    args = p.parse_args()
    for exe in (ACCORD, TILES_READ):
        if not os.path.exists(exe):
            sys.exit(f'{exe} is missing: run `make bench-build` first')
    work = tempfile.mkdtemp(prefix='accord-bench-remote-')
    try:
        print(f'many capitals: {args.entries:,} entries in {work} ...', file=sys.stderr, flush=True)
        ledger, keys = synth(args.entries, work)
        r = {'appends': appends(ledger, keys, work), 'mirror': mirror_vs_import(ledger, keys, work)}
        if args.tiles_entries != args.entries:
            shutil.rmtree(ledger)
            print(f'tiles read: {args.tiles_entries:,} entries ...', file=sys.stderr, flush=True)
            ledger, keys = synth(args.tiles_entries, work)
        tiles_size = (args.tiles_entries if args.tiles_entries != args.entries else args.entries) + 1
        r['tiles'] = tiles_read(ledger, keys, tiles_size)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    with open(args.json, 'w') as f:
        json.dump(r, f, indent=1)
    a, m, t = r['appends'], r['mirror'], r['tiles']
    print('| what | accord | baseline | ratio, median (min–max) | target |')
    print('|---|---|---|---|---|')
    print(f"| append, CLI, `--remote` over loopback vs local (21 each, alternating) "
          f"| {a['remote_ms']['median']:.1f} ms ({a['remote_ms']['min']:.1f}–{a['remote_ms']['max']:.1f}) "
          f"| {a['local_ms']['median']:.1f} ms ({a['local_ms']['min']:.1f}–{a['local_ms']['max']:.1f}) "
          f"| {a['ratio']['median']:.2f} × ({a['ratio']['min']:.2f}–{a['ratio']['max']:.2f}) | ≤ 2 × |")
    print(f"| four remote appenders at once, 40 entries | {a['four_appenders_per_s']:.1f} entries/s | | | |")
    print(f"| mirror catch-up of {m['entries']:,} entries vs import of its export (3 each, alternating) "
          f"| {m['mirror_per_s']['median']:,.0f}/s | {m['import_per_s']['median']:,.0f}/s "
          f"| {m['ratio']['median']:.2f} × ({m['ratio']['min']:.2f}–{m['ratio']['max']:.2f}) | ≥ 0.8 × |")
    print(f"| tiles read of {t['entries']:,} entries: checkpoint, bundle, proof tiles, check (21) "
          f"| {t['round_ms']['median']:.1f} ms ({t['round_ms']['min']:.1f}–{t['round_ms']['max']:.1f}) | | | ≤ 10 ms |")


if __name__ == '__main__':
    main()
