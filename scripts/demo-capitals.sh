#!/usr/bin/env bash
# Many capitals, one ledger: Geneva (the UN envoy) serves the ledger;
# Ankara, Moscow and Tehran sign on their own machines and send their
# entries with --remote; Tehran and Ankara keep verified replicas and
# witness (cosign) the checkpoints they have checked. Then the host lies:
# it serves Tehran a rewritten history, and Tehran's replica refuses it and
# keeps a proof anyone can check. Everything runs on loopback in a
# temporary directory and stops by itself.
set -euo pipefail

ACCORD=${ACCORD:-$(pwd)/target/debug/accord}
work=$(mktemp -d "${TMPDIR:-/tmp}/accord-capitals.XXXXXX")
servers=()
cleanup() {
  for p in "${servers[@]}"; do kill "$p" 2>/dev/null || true; done
  wait 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT
cd "$work"
unset ACCORD_LEDGER ACCORD_REMOTE ACCORD_WITNESS_STATE

if [ -t 1 ]; then bold=$'\033[1m'; plain=$'\033[0m'; else bold=''; plain=''; fi
say() { printf '\n%s== %s%s\n' "$bold" "$*" "$plain"; }
# Commands are echoed shell-quoted, so they can be pasted back.
echo_cmd() { printf '$ accord'; printf ' %q' "$@"; printf '\n'; }
run() { echo_cmd "$@"; "$ACCORD" "$@"; }

# Starts `accord serve` on a free loopback port (bounded: it stops by
# itself after 2,000 requests); sets $url.
serve() {
  local out=$work/serve-$RANDOM.out
  echo_cmd "$@" --listen 127.0.0.1:0
  "$ACCORD" "$@" --listen 127.0.0.1:0 --max-requests 2000 >"$out" 2>&1 &
  servers+=($!)
  for _ in $(seq 100); do [ -s "$out" ] && break; sleep 0.05; done
  url="http://$(head -1 "$out")"
  echo "(listening at $url)"
}
stop_servers() {
  for p in "${servers[@]}"; do kill "$p" 2>/dev/null || true; done
  wait 2>/dev/null || true
  servers=()
}
get() { python3 -c 'import sys, urllib.request; sys.stdout.write(urllib.request.urlopen(sys.argv[1]).read().decode())' "$1"; }

say "Each delegation has its own key, on its own machine"
for d in tr ru ir un gov opp; do "$ACCORD" key new --out "$d.pem" >/dev/null; done
cat > charter.toml <<'TOML'
title = "Astana ceasefire monitoring mechanism"
[[party]]
id = "tr"
name = "Republic of Turkey"
role = "guarantor"
key_file = "tr.pem.pub"
[[party]]
id = "ru"
name = "Russian Federation"
role = "guarantor"
key_file = "ru.pem.pub"
[[party]]
id = "ir"
name = "Islamic Republic of Iran"
role = "guarantor"
key_file = "ir.pem.pub"
[[party]]
id = "un"
name = "UN Special Envoy for Syria"
role = "mediator"
key_file = "un.pem.pub"
[[party]]
id = "gov"
name = "Government of the Syrian Arab Republic"
role = "party"
key_file = "gov.pem.pub"
[[party]]
id = "opp"
name = "Syrian armed opposition delegation"
role = "party"
key_file = "opp.pem.pub"
[rules]
clause_adoption = "all-guarantors"
ruling_quorum = 2
TOML
echo "tr ru ir un gov opp: keys made; the charter names their public keys"

say "Geneva founds the ledger and serves it; the host's key signs each checkpoint"
run --ledger geneva init --charter charter.toml --key un.pem
ledger_id=$("$ACCORD" --ledger geneva show 0 --json | python3 -c 'import json,sys; print(json.load(sys.stdin)["hash"])')
echo "(the ledger id, handed to each delegation in person: $ledger_id)"
serve --ledger geneva serve --key un.pem --checkpoint geneva.checkpoint
geneva=$url

say "Ankara and Moscow sign at home and send through the server"
run --remote "$geneva" clause propose --id C1 --title "Monitoring mechanism" \
  --text "Establish a trilateral mechanism to observe and ensure full compliance with the ceasefire." --key tr.pem
run --remote "$geneva" clause endorse C1 --key tr.pem
run --remote "$geneva" clause endorse C1 --key ru.pem

say "Tehran keeps a verified replica, pinned to the ledger id, and witnesses"
run --ledger tehran mirror --from "$geneva" --ledger-id "$ledger_id" --witness-key ir.pem --witness-state ir-witness
run --remote "$geneva" clause endorse C1 --key ir.pem

say "Ankara's replica witnesses too; Tehran catches up and cosigns the new head"
run --ledger ankara mirror --from "$geneva" --ledger-id "$ledger_id" --witness-key tr.pem --witness-state tr-witness
run --ledger tehran sync --witness-key ir.pem --witness-state ir-witness
run --ledger ankara sync --witness-key tr.pem --witness-state tr-witness
echo '$ curl '"$geneva"'/checkpoint      # signed by un, cosigned by the two witnesses'
get "$geneva/checkpoint"

say "Reads run on the replica: the same answers as the original"
run --ledger tehran history C1
run --ledger tehran verify

say "The host lies: it serves Tehran a copy where entry 5 is not what everyone saw"
stop_servers
cp -r geneva lying
# The real ledger goes on: Damascus accepts C1.
serve --ledger geneva serve --key un.pem --checkpoint geneva.checkpoint
geneva=$url
run --remote "$geneva" clause accept C1 --key gov.pem
echo "(the server came back on another port: mirror --from gives the new URL, which the replica remembers)"
run --ledger tehran mirror --from "$geneva" --witness-key ir.pem --witness-state ir-witness
# In the lying copy, the host signs something else at the same position.
"$ACCORD" --ledger lying clause propose --id C2 --title "Amnesty" \
  --text "A general amnesty for all fighters." --key un.pem >/dev/null
echo "(in the lying copy, entry 5 is the host's own proposal instead)"
serve --ledger lying serve --key un.pem
lying=$url
echo_cmd --ledger tehran mirror --from "$lying" --fork-proof tehran-fork.json
if "$ACCORD" --ledger tehran mirror --from "$lying" --fork-proof tehran-fork.json; then
  echo "demo: expected the replica to refuse" >&2; exit 1
else
  code=$?
  echo "(exit $code: refused; nothing appended; the proof is in tehran-fork.json)"
  [ "$code" -eq 5 ] || { echo "demo: expected exit 5" >&2; exit 1; }
fi
run fork check tehran-fork.json
run --ledger tehran verify
say "An honest replica is unaffected: Ankara follows the real server"
run --ledger ankara mirror --from "$geneva"
