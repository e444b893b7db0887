#!/usr/bin/env python3
"""`make bench-peers`: accord side by side with hypercore and with git
(ssh-signed commits) on the same workload, in one run (docs/BENCHMARKS.md).

- hypercore (pinned version below) is installed with npm into
  target/bench-peers at run time, never committed; scripts/peers/hypercore.js
  appends N blocks one at a time, N in batches of 1000, and downloads them
  into a fresh replica, which verifies them.
- git: G commits, each adding one entry-sized line, signed with an ed25519
  ssh key (gpg.format=ssh), one `git commit` process each.
- accord: a synthetic ledger of N entries (`accord dev synth`), its export
  imported into a new ledger (every signature, link and rule checked, then
  written durably), verify, and G command-line appends, one process each,
  each durable before it returns.

usage: bench-peers.py [--entries N] [--commits G]
"""
import argparse, json, os, shutil, statistics, subprocess, sys, tempfile, time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
ACCORD = os.path.join(ROOT, 'target', 'release', 'accord')
NPM_DIR = os.path.join(ROOT, 'target', 'bench-peers')
HYPERCORE = 'hypercore@11.39.5'
ENTRY_BYTES = 415  # mean canonical entry size of the synthetic workload


def timed(args, **kw):
    start = time.perf_counter()
    subprocess.run(args, check=True, stdout=subprocess.DEVNULL, **kw)
    return time.perf_counter() - start


def hypercore(n):
    if shutil.which('npm') is None or shutil.which('node') is None:
        print('node/npm not found: skipping hypercore', file=sys.stderr)
        return None
    modules = os.path.join(NPM_DIR, 'node_modules')
    if not os.path.isdir(os.path.join(modules, 'hypercore')):
        os.makedirs(NPM_DIR, exist_ok=True)
        subprocess.run(['npm', 'install', '--no-save', '--no-audit', '--no-fund', '--prefix', NPM_DIR,
                        HYPERCORE], check=True, stdout=subprocess.DEVNULL)
    env = dict(os.environ, NODE_PATH=modules)
    out = subprocess.run(['node', os.path.join(ROOT, 'scripts', 'peers', 'hypercore.js'), str(n),
                          str(ENTRY_BYTES)], check=True, capture_output=True, text=True, env=env).stdout
    return json.loads(out)


def git(commits, work):
    if shutil.which('git') is None or shutil.which('ssh-keygen') is None:
        print('git or ssh-keygen not found: skipping git', file=sys.stderr)
        return None
    key = os.path.join(work, 'git-key')
    subprocess.run(['ssh-keygen', '-q', '-t', 'ed25519', '-N', '', '-f', key], check=True)
    repo = os.path.join(work, 'repo')
    subprocess.run(['git', 'init', '-q', repo], check=True)
    allowed = os.path.join(work, 'allowed_signers')
    with open(key + '.pub') as pub, open(allowed, 'w') as f:
        f.write('bench@example.invalid ' + pub.read())
    for k, v in [('user.name', 'bench'), ('user.email', 'bench@example.invalid'),
                 ('gpg.format', 'ssh'), ('user.signingkey', key + '.pub'), ('commit.gpgsign', 'true'),
                 ('gpg.ssh.allowedSignersFile', allowed)]:
        subprocess.run(['git', '-C', repo, 'config', k, v], check=True)
    line = 'x' * (ENTRY_BYTES - 1) + '\n'
    path = os.path.join(repo, 'ledger.txt')
    open(path, 'w').close()
    subprocess.run(['git', '-C', repo, 'add', 'ledger.txt'], check=True)
    start = time.perf_counter()
    for i in range(commits):
        with open(path, 'a') as f:
            f.write(line)
        subprocess.run(['git', '-C', repo, 'commit', '-q', '-a', '-m', f'entry {i}'], check=True)
    took = time.perf_counter() - start
    signed = subprocess.run(['git', '-C', repo, 'log', '--format=%G?'], check=True,
                            capture_output=True, text=True).stdout.split()
    if len(signed) != commits or any(s != 'G' for s in signed):
        sys.exit(f'git: expected {commits} signed commits, got {signed[:5]}...')
    return {'commits': commits, 'commit_per_s': commits / took}


def accord(n, commits, work):
    ledger = os.path.join(work, 'ledger')
    keys = os.path.join(work, 'keys')
    timed([ACCORD, '--ledger', ledger, 'dev', 'synth', '--entries', str(n), '--keys-out', keys])
    export = os.path.join(work, 'export.jsonl')
    timed([ACCORD, '--ledger', ledger, 'export', '--out', export])
    imported = os.path.join(work, 'imported')
    import_s = timed([ACCORD, '--ledger', imported, 'import', export])
    verify_s = timed([ACCORD, '--ledger', imported, 'verify'])
    times = []
    for i in range(commits):
        times.append(timed([ACCORD, '--ledger', ledger, 'clause', 'propose', '--id', f'PEER{i}',
                            '--title', 'Benchmark clause', '--text', 'x' * 200,
                            '--key', os.path.join(keys, 'ru.pem')]))
    return {'entries': n + 1, 'import_per_s': (n + 1) / import_s, 'verify_per_s': (n + 1) / verify_s,
            'cli_append_per_s': commits / sum(times), 'cli_append_median_ms': 1000 * statistics.median(times)}


def main():
    p = argparse.ArgumentParser()
    p.add_argument('--entries', type=int, default=20000)
    p.add_argument('--commits', type=int, default=200)
    args = p.parse_args()
    if not os.path.exists(ACCORD):
        sys.exit(f'{ACCORD} is missing: run `make bench-peers` (it builds it first)')
    work = tempfile.mkdtemp(prefix='accord-peers-')
    try:
        a = accord(args.entries, args.commits, work)
        h = hypercore(args.entries)
        g = git(args.commits, work)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    with open(os.path.join(ROOT, 'target', 'bench-peers.json'), 'w') as f:
        json.dump({'accord': a, 'hypercore': h, 'git': g}, f, indent=1)
    print(f"workload: {args.entries:,} entries of ~{ENTRY_BYTES} bytes; {args.commits} single appends\n")
    print('| system | appends one at a time, each its own signed record | bulk write | '
          'a fresh copy verifies (replica / import) |')
    print('|---|---|---|---|')
    print(f"| accord | {a['cli_append_per_s']:,.0f}/s (one `accord` process each, durable; "
          f"median {a['cli_append_median_ms']:.1f} ms) | "
          f"import {a['import_per_s']:,.0f}/s (checked and durable) | "
          f"import {a['import_per_s']:,.0f}/s; verify {a['verify_per_s']:,.0f}/s |")
    if h:
        print(f"| hypercore {HYPERCORE.split('@')[1]} | {h['append_one_per_s']:,.0f}/s (in process) | "
              f"{h['append_batch_1000_per_s']:,.0f}/s (batches of 1000) | "
              f"{h['replica_verify_per_s']:,.0f}/s |")
    if g:
        print(f"| git {subprocess.run(['git', '--version'], capture_output=True, text=True).stdout.split()[-1]}"
              f", ssh-signed | {g['commit_per_s']:,.0f}/s (one `git commit` each) | | |")
    if h:
        print(f"\naccord import / hypercore replica: {a['import_per_s'] / h['replica_verify_per_s']:.1f} × "
              f"(target ≥ 5 ×)")
    if g:
        print(f"accord CLI append / git signed commit: {a['cli_append_per_s'] / g['commit_per_s']:.1f} ×")


if __name__ == '__main__':
    main()
