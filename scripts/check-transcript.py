#!/usr/bin/env python3
"""Checks a demo transcript (what `make demo` printed to a file): no ANSI
escape codes off a terminal, and every echoed command (`$ accord ...`)
parses as one shell command, so it can be pasted back."""
import shlex
import sys

text = open(sys.argv[1], encoding='utf-8').read()
bad = []
if '\x1b' in text:
    bad.append('an ANSI escape code in output that is not a terminal')
commands = [l for l in text.splitlines() if l.startswith('$ accord ')]
for line in commands:
    try:
        words = shlex.split(line[2:], comments=True)
    except ValueError as e:
        bad.append(f'not one shell command ({e}): {line}')
        continue
    if words[0] != 'accord' or len(words) < 2:
        bad.append(f'not an accord command: {line}')
if len(commands) < 50:
    bad.append(f'only {len(commands)} echoed commands: is this a demo transcript?')
for b in bad:
    print('check-transcript:', b, file=sys.stderr)
if bad:
    sys.exit(1)
print(f'check-transcript: {len(commands)} commands, each one shell command; no escape codes')
