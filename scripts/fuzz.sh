#!/usr/bin/env bash
# Runs each fuzz target for SECONDS (default 60) on stable Rust, without a
# sanitizer (cargo fuzz's sanitizers need nightly). Seeds come from the
# project: FORMAT.md's vector entries, an export and a charter of the demo,
# the dispute-bundle vector.
# Needs cargo-fuzz: `cargo install cargo-fuzz --locked`.
set -euo pipefail
cd "$(dirname "$0")/.."
secs=${1:-60}
mkdir -p fuzz/corpus/entry_decode fuzz/corpus/charter_toml fuzz/corpus/import_lines fuzz/corpus/bundle_check
cp docs/vectors/dispute-bundle.json fuzz/corpus/bundle_check/vector.json

python3 - <<'PY'
import re
doc = open('docs/FORMAT.md').read()
for i, m in enumerate(re.finditer(r'<!-- vector: (entry\d-bytes) -->\n```text\n(.*?)\n```', doc, re.S)):
    open(f'fuzz/corpus/entry_decode/vector{i}', 'wb').write(bytes.fromhex(m.group(2).replace('\n', '')))
PY

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cargo build --quiet --locked
./target/debug/accord --ledger "$work/l" dev synth --entries 12 >/dev/null
./target/debug/accord --ledger "$work/l" export --out fuzz/corpus/import_lines/synth.jsonl >/dev/null
cat > fuzz/corpus/charter_toml/astana.toml <<'TOML'
title = "Astana ceasefire monitoring mechanism"
[[party]]
id = "tr"
name = "Republic of Turkey"
role = "guarantor"
key = "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a"
[[party]]
id = "un"
name = "UN envoy"
role = "mediator"
key = "3d4017c3e843895a92b70aa74d1b7ebc9c982ccf2ec4968cc0cd55f12af4660c"
[rules]
clause_adoption = { quorum = 1 }
ruling_quorum = 1
TOML

for target in entry_decode charter_toml import_lines bundle_check; do
  echo "== $target for ${secs}s"
  cargo fuzz run -s none -O "$target" "fuzz/corpus/$target" -- -max_total_time="$secs" 2>&1 \
    | grep -E '^(#[0-9]+ *DONE|Done|==[0-9]+== ERROR|SUMMARY|artifact_prefix|Test unit written)' || true
  if ls fuzz/artifacts/"$target"/crash-* >/dev/null 2>&1; then
    echo "fuzz: $target found a crash: fuzz/artifacts/$target" >&2
    exit 1
  fi
done
