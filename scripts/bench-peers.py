#!/usr/bin/env python3
"""`make bench-peers`: accord side by side with hypercore and with git
(ssh-signed commits) on the same workload, interleaved over several rounds
so that every system is measured in the same minutes (docs/BENCHMARKS.md).

Once, before the rounds: a synthetic ledger of N entries (`accord dev synth`)
and its export; a hypercore core of N blocks (the replica's source); an
ed25519 ssh key for git. hypercore (pinned version below) is installed with
npm into target/bench-peers at run time, never committed.

Each round, in this order:
  1. raw ed25519 verify_strict on every core (examples/raw_rates);
  2. hypercore: a fresh replica downloads the N blocks and verifies them;
  3. accord import of the export into a new ledger (every signature, link
     and rule checked, then written durably);
  4. accord verify of that ledger;
  5. hypercore: N blocks appended to a new core in batches of 1000;
  6. accord: G command-line appends to the imported ledger, one process
     each, each durable before it returns;
  7. hypercore: S blocks appended one at a time (each awaited) to the core
     of step 5, in process;
  8. git: G commits to a new repository, each adding one entry-sized line,
     signed with the ssh key (gpg.format=ssh), one `git commit` process each;
  9. raw verify_strict again.
Ratios are taken within a round: accord import / hypercore replica, accord
CLI append / git commit, and accord verify and import / the mean of the two
raw rates of the round. The table gives each figure's median and min-max
over the rounds; --json writes every round's numbers.

usage: bench-peers.py [--entries N] [--commits G] [--singles S] [--rounds R]
                      [--json PATH]
"""
import argparse, datetime, json, os, shutil, statistics, subprocess, sys, tempfile, time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
TARGET_DIR = os.environ.get('CARGO_TARGET_DIR') or os.path.join(ROOT, 'target')
ACCORD = os.path.join(TARGET_DIR, 'release', 'accord')
RAW_RATES = os.path.join(TARGET_DIR, 'release', 'examples', 'raw_rates')
NPM_DIR = os.path.join(TARGET_DIR, 'bench-peers')
HYPERCORE_JS = os.path.join(ROOT, 'scripts', 'peers', 'hypercore.js')
HYPERCORE = 'hypercore@11.39.5'
ENTRY_BYTES = 415  # mean canonical entry size of the synthetic workload
BATCH = 1000


def now():
    return datetime.datetime.now(datetime.timezone.utc).strftime('%Y-%m-%dT%H:%M:%SZ')


def loadavg():
    with open('/proc/loadavg') as f:
        return [float(x) for x in f.read().split()[:3]]


def say(msg):
    print(f'{now()} {msg}', file=sys.stderr, flush=True)


def timed(args, **kw):
    start = time.perf_counter()
    subprocess.run(args, check=True, stdout=subprocess.DEVNULL, **kw)
    return time.perf_counter() - start


def raw_rates():
    out = subprocess.run([RAW_RATES], check=True, capture_output=True, text=True).stdout
    return json.loads(out)['verify_strict_per_s_all']


class Hypercore:
    def __init__(self):
        modules = os.path.join(NPM_DIR, 'node_modules')
        if not os.path.isdir(os.path.join(modules, 'hypercore')):
            say(f'installing {HYPERCORE} into {NPM_DIR}')
            os.makedirs(NPM_DIR, exist_ok=True)
            subprocess.run(['npm', 'install', '--no-save', '--no-audit', '--no-fund', '--prefix', NPM_DIR,
                            HYPERCORE], check=True, stdout=subprocess.DEVNULL)
        self.env = dict(os.environ, NODE_PATH=modules)

    def run(self, *args):
        out = subprocess.run(['node', HYPERCORE_JS, *map(str, args)], check=True, capture_output=True,
                             text=True, env=self.env).stdout
        return json.loads(out)

    def write(self, core, n, batch):
        return self.run('write', core, n, ENTRY_BYTES, batch)

    def replica(self, core, n):
        return self.run('replica', core, n)


class Git:
    def __init__(self, work):
        self.work = work
        self.key = os.path.join(work, 'git-key')
        subprocess.run(['ssh-keygen', '-q', '-t', 'ed25519', '-N', '', '-f', self.key], check=True)
        self.allowed = os.path.join(work, 'allowed_signers')
        with open(self.key + '.pub') as pub, open(self.allowed, 'w') as f:
            f.write('bench@example.invalid ' + pub.read())

    def commits(self, commits, repo):
        subprocess.run(['git', 'init', '-q', repo], check=True)
        for k, v in [('user.name', 'bench'), ('user.email', 'bench@example.invalid'),
                     ('gpg.format', 'ssh'), ('user.signingkey', self.key + '.pub'), ('commit.gpgsign', 'true'),
                     ('gpg.ssh.allowedSignersFile', self.allowed)]:
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
            sys.exit(f'git: expected {commits} good signed commits, got {len(signed)}: {signed[:5]}...')
        return commits / took


def accord_appends(ledger, keys, commits, round_no):
    times = []
    for i in range(commits):
        times.append(timed([ACCORD, '--ledger', ledger, 'clause', 'propose', '--id', f'PEER{round_no}-{i}',
                            '--title', 'Benchmark clause', '--text', 'x' * 200,
                            '--key', os.path.join(keys, 'ru.pem')]))
    return commits / sum(times), 1000 * statistics.median(times), [round(1000 * t, 2) for t in times]


def one_round(r, args, work, export, source, hc, git):
    entries = args.entries + 1  # the charter and N synthetic entries
    out = {'round': r, 'start': now(), 'load_start': loadavg()}
    here = os.path.join(work, f'round{r}')
    os.makedirs(here)
    try:
        say(f'round {r}: raw verify_strict')
        out['raw_start_per_s'] = raw_rates()
        if hc:
            say(f'round {r}: hypercore replica of {args.entries:,} blocks')
            out['hypercore_replica_per_s'] = hc.replica(source, args.entries)['per_s']
        say(f'round {r}: accord import of {entries:,} entries')
        ledger = os.path.join(here, 'ledger')
        out['accord_import_per_s'] = entries / timed([ACCORD, '--ledger', ledger, 'import', export])
        say(f'round {r}: accord verify')
        out['accord_verify_per_s'] = entries / timed([ACCORD, '--ledger', ledger, 'verify'])
        core = os.path.join(here, 'core')
        if hc:
            say(f'round {r}: hypercore write of {args.entries:,} blocks in batches of {BATCH}')
            out['hypercore_batch_per_s'] = hc.write(core, args.entries, BATCH)['per_s']
        say(f'round {r}: {args.commits} accord CLI appends')
        out['accord_cli_append_per_s'], out['accord_cli_append_median_ms'], out['accord_cli_append_ms'] = \
            accord_appends(ledger, os.path.join(work, 'keys'), args.commits, r)
        shutil.rmtree(ledger)
        if hc:
            say(f'round {r}: hypercore {args.singles:,} appends one at a time')
            out['hypercore_one_per_s'] = hc.write(core, args.singles, 1)['per_s']
            shutil.rmtree(core)
        if git:
            say(f'round {r}: {args.commits} signed git commits')
            out['git_commit_per_s'] = git.commits(args.commits, os.path.join(here, 'repo'))
        say(f'round {r}: raw verify_strict')
        out['raw_end_per_s'] = raw_rates()
    finally:
        shutil.rmtree(here, ignore_errors=True)
    raw = (out['raw_start_per_s'] + out['raw_end_per_s']) / 2
    # Far from 1 when the machine's load changed during the round: that
    # round's ratios to raw are then less certain.
    out['raw_end_over_start'] = out['raw_end_per_s'] / out['raw_start_per_s']
    out['ratio_verify_raw'] = out['accord_verify_per_s'] / raw
    out['ratio_import_raw'] = out['accord_import_per_s'] / raw
    if hc:
        out['ratio_import_hypercore_replica'] = out['accord_import_per_s'] / out['hypercore_replica_per_s']
    if git:
        out['ratio_cli_append_git_commit'] = out['accord_cli_append_per_s'] / out['git_commit_per_s']
    out['end'] = now()
    out['load_end'] = loadavg()
    return out


ROWS = [
    ('raw_start_per_s', 'raw verify_strict, all cores, round start (/s)'),
    ('hypercore_replica_per_s', 'hypercore: fresh replica downloads and verifies (blocks/s)'),
    ('accord_import_per_s', 'accord import, checked and durable (entries/s)'),
    ('accord_verify_per_s', 'accord verify (entries/s)'),
    ('hypercore_batch_per_s', f'hypercore: append in batches of {BATCH}, in process (blocks/s)'),
    ('accord_cli_append_per_s', 'accord CLI append, one process each, durable (/s)'),
    ('accord_cli_append_median_ms', 'accord CLI append, median latency (ms)'),
    ('hypercore_one_per_s', 'hypercore: append one at a time, in process (blocks/s)'),
    ('git_commit_per_s', 'git commit, ssh-signed, one process each (/s)'),
    ('raw_end_per_s', 'raw verify_strict, all cores, round end (/s)'),
    ('raw_end_over_start', 'raw drift within the round: end / start (×)'),
    ('ratio_import_hypercore_replica', 'ratio: accord import / hypercore replica (×)'),
    ('ratio_cli_append_git_commit', 'ratio: accord CLI append / git commit (×)'),
    ('ratio_verify_raw', 'ratio: accord verify / raw, mean of round start and end (×)'),
    ('ratio_import_raw', 'ratio: accord import / raw, mean of round start and end (×)'),
]


def fmt(key, v):
    if key.startswith('ratio_') or key == 'raw_end_over_start':
        return f'{v:.2f}'
    if key.endswith('_ms'):
        return f'{v:.1f}'
    return f'{v:,.0f}'


def summary(rounds):
    out = {}
    for key, _ in ROWS:
        values = [r[key] for r in rounds if key in r]
        if values:
            out[key] = {'median': statistics.median(values), 'min': min(values), 'max': max(values),
                        'rounds': values}
    return out


def table(rounds, summ, args, meta):
    lines = [f"workload: {args.entries:,} entries/blocks of ~{ENTRY_BYTES} bytes; {args.commits} single "
             f"appends (accord, git), {args.singles:,} (hypercore, in process); {args.rounds} rounds, interleaved",
             f"{meta['start']} to {meta['end']}; load average {meta['load_start']} before, {meta['load_end']} after; "
             f"{meta['cores']} cores; {HYPERCORE}; {meta['git']}", '',
             '| measurement | median | min-max | per round |', '|---|---|---|---|']
    for key, label in ROWS:
        if key in summ:
            s = summ[key]
            lines.append(f"| {label} | {fmt(key, s['median'])} | {fmt(key, s['min'])}-{fmt(key, s['max'])} | "
                         f"{', '.join(fmt(key, v) for v in s['rounds'])} |")
    lines.append('| load average (1 min) at round start, end | | | ' +
                 ', '.join(f"{r['load_start'][0]:.2f}-{r['load_end'][0]:.2f}" for r in rounds) + ' |')
    return '\n'.join(lines)


def main():
    p = argparse.ArgumentParser(description='accord beside hypercore and git, interleaved over rounds')
    p.add_argument('--entries', type=int, default=100_000, help='ledger entries and hypercore blocks')
    p.add_argument('--commits', type=int, default=200, help='single appends: accord CLI and git commits')
    p.add_argument('--singles', type=int, default=10_000, help='hypercore appends one at a time (in process)')
    p.add_argument('--rounds', type=int, default=3)
    p.add_argument('--json', default=os.path.join(TARGET_DIR, 'bench-peers.json'),
                   help='write every round\'s figures here')
    args = p.parse_args()
    for name in ('entries', 'commits', 'singles', 'rounds'):
        if getattr(args, name) < 1:
            p.error(f'--{name} must be at least 1')
    for exe in (ACCORD, RAW_RATES):
        if not os.path.exists(exe):
            sys.exit(f'{exe} is missing: run `make bench-peers` (it builds it first)')
    hc = None
    if shutil.which('npm') and shutil.which('node'):
        hc = Hypercore()
    else:
        print('node/npm not found: skipping hypercore', file=sys.stderr)
    meta = {'start': now(), 'load_start': loadavg(), 'cores': os.cpu_count(), 'hypercore': HYPERCORE,
            'entries': args.entries, 'commits': args.commits, 'singles': args.singles, 'rounds': args.rounds,
            'entry_bytes': ENTRY_BYTES, 'hypercore_batch': BATCH}
    work = tempfile.mkdtemp(prefix='accord-peers-')
    try:
        git = None
        if shutil.which('git') and shutil.which('ssh-keygen'):
            git = Git(work)
            meta['git'] = subprocess.run(['git', '--version'], capture_output=True, text=True).stdout.strip()
        else:
            print('git or ssh-keygen not found: skipping git', file=sys.stderr)
            meta['git'] = 'no git'
        say(f'setup: accord dev synth --entries {args.entries:,} and its export')
        synth = os.path.join(work, 'synth')
        timed([ACCORD, '--ledger', synth, 'dev', 'synth', '--entries', str(args.entries),
               '--keys-out', os.path.join(work, 'keys')])
        export = os.path.join(work, 'export.jsonl')
        timed([ACCORD, '--ledger', synth, 'export', '--out', export])
        shutil.rmtree(synth)
        source = os.path.join(work, 'hypercore-source')
        if hc:
            say(f'setup: hypercore source core of {args.entries:,} blocks')
            hc.write(source, args.entries, BATCH)
        rounds = [one_round(r, args, work, export, source, hc, git) for r in range(1, args.rounds + 1)]
    finally:
        shutil.rmtree(work, ignore_errors=True)
    meta['end'] = now()
    meta['load_end'] = loadavg()
    summ = summary(rounds)
    os.makedirs(os.path.dirname(os.path.abspath(args.json)), exist_ok=True)
    with open(args.json, 'w') as f:
        json.dump({'run': meta, 'rounds': rounds, 'summary': summ}, f, indent=1)
    print(table(rounds, summ, args, meta))
    print(f'\nevery round\'s figures: {args.json}')


if __name__ == '__main__':
    try:
        main()
    except subprocess.CalledProcessError as e:
        why = (e.stderr or '').strip() if isinstance(e.stderr, str) else ''
        sys.exit(f"bench-peers: `{' '.join(map(str, e.cmd))}` failed (exit {e.returncode})"
                 + (f': {why}' if why else ''))
