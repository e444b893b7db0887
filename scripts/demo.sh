#!/usr/bin/env bash
# The Astana talks of 23-24 January 2017, recorded in a fresh ledger:
# keys for every delegation, the charter, the joint communique's clauses
# proposed and endorsed by the guarantors, two refusals the rules enforce,
# then verify and the log. Runs in a temporary directory; leaves nothing.
set -euo pipefail

ACCORD=${ACCORD:-$(pwd)/target/debug/accord}
work=$(mktemp -d "${TMPDIR:-/tmp}/accord-demo.XXXXXX")
trap 'rm -rf "$work"' EXIT
cd "$work"
export ACCORD_LEDGER="$work/astana"

say() { printf '\n\033[1m== %s\033[0m\n' "$*"; }
at() { ACCORD_TIME="$1"; export ACCORD_TIME; }
run() { printf '$ accord %s\n' "$*"; "$ACCORD" "$@"; }
refused() {
  printf '$ accord %s\n' "$*"
  if "$ACCORD" "$@"; then echo "demo: expected a refusal" >&2; exit 1; fi
  echo "(refused, as the charter requires; the ledger is unchanged)"
}

say "Each delegation generates its signing key"
for d in tr ru ir un gov opp us; do
  "$ACCORD" key new --out "$d.pem" | sed "s/^/$d: /" | head -1
done

say "The charter: guarantors, parties, the UN envoy and an observer"
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

[[party]]
id = "us"
name = "United States (observer)"
role = "observer"
key_file = "us.pem.pub"

[rules]
clause_adoption = "all-guarantors"
ruling_quorum = 2
TOML
cat charter.toml | grep -E '^(title|id|role) ' | paste -sd' ' | sed 's/ id =/\n  id =/g'

say "The UN envoy convenes the ledger (entry 0)"
at 2017-01-23T09:00:00Z
run init --charter charter.toml --key un.pem

say "The guarantors put the joint communique's clauses on the record"
at 2017-01-24T10:00:00Z
run clause propose --id C1 --title "Trilateral monitoring mechanism" --key ru.pem \
  --text "Turkey, Russia and Iran establish a trilateral mechanism to observe and ensure full compliance with the ceasefire, prevent provocations and determine its modalities."
run clause propose --id C2 --title "Allied forces held to the ceasefire" --key tr.pem \
  --text "Each guarantor holds the forces allied to it to the ceasefire; operations continue only against the groups designated by the UN Security Council."
run clause propose --id C3 --title "Political process under UNSC 2254" --key un.pem \
  --text "The parties take part in the negotiations in Geneva in February under Security Council resolution 2254."
run clause propose --id C4 --title "Truce lines around Wadi Barada" --key un.pem \
  --text "Truce lines are drawn around Wadi Barada, as proposed by the opposition delegation to the UN and Russia."

say "Endorsements: every guarantor must endorse for a clause to be adopted"
at 2017-01-24T14:00:00Z
for g in tr ru ir; do run clause endorse C1 --key "$g.pem"; done
for g in ru tr ir; do run clause endorse C2 --key "$g.pem"; done
run clause endorse C3 --key un.pem
for g in tr ru ir; do run clause endorse C3 --key "$g.pem"; done
run clause endorse C4 --key un.pem
run clause endorse C4 --key tr.pem

say "What the charter refuses"
refused clause propose --id C5 --title "Statement" --text "The United States welcomes the talks." --key us.pem
refused clause endorse C4 --key opp.pem
refused clause endorse C1 --key ru.pem

say "An auditor verifies the whole chain offline"
unset ACCORD_TIME
run verify

say "The record"
run log
echo
run show 1
