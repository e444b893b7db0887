#!/usr/bin/env bash
# The Astana talks of 23-24 January 2017, recorded in a fresh ledger:
# keys for every delegation, the charter, the joint communique's clauses
# proposed and endorsed by the guarantors, two refusals the rules enforce,
# the mechanism (a body, a monitor's report, an attack attributed to a
# group that signed nothing), then verify and the log; then a dispute
# settled offline with a bundle and
# a cosigned checkpoint. Runs in a temporary directory; leaves nothing.
set -euo pipefail

ACCORD=${ACCORD:-$(pwd)/target/debug/accord}
scripts=$(cd "$(dirname "$0")" && pwd)
work=$(mktemp -d "${TMPDIR:-/tmp}/accord-demo.XXXXXX")
trap 'rm -rf "$work"' EXIT
cd "$work"
export ACCORD_LEDGER="$work/astana"

# Bold headings on a terminal only; commands echoed with shell quoting, so
# any line can be pasted back into a shell.
if [ -t 1 ]; then bold=$'\033[1m'; plain=$'\033[0m'; else bold=''; plain=''; fi
say() { printf '\n%s== %s%s\n' "$bold" "$*" "$plain"; }
at() { ACCORD_TIME="$1"; export ACCORD_TIME; }
shown() {
  printf '$ accord'
  local a
  for a in "$@"; do
    if [[ $a =~ ^[A-Za-z0-9_./:=@,+-]+$ ]]; then printf ' %s' "$a"
    else printf " '%s'" "${a//\'/\'\\\'\'}"; fi
  done
  printf '\n'
}
run() { shown "$@"; "$ACCORD" "$@"; }
refused() {
  shown "$@"
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
name = "United States"
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

say "The Syrian delegations accept clauses; signing and accepting are separate acts"
at 2017-01-24T16:00:00Z
run clause accept C1 --key gov.pem
run clause accept C2 --key gov.pem
run clause accept C1 --key opp.pem

say "Commitments: each guarantor holds its allies to the ceasefire"
at 2017-01-24T17:00:00Z
run commit --id K1 --clause C2 --key ru.pem --zone "Syria, outside areas held by UN-designated groups" \
  --text "Hold the Syrian government forces and the formations allied to them to the ceasefire."
run commit --id K2 --clause C2 --key tr.pem --zone "Syria, outside areas held by UN-designated groups" \
  --text "Hold the armed opposition groups that Turkey supports to the ceasefire."
run commit --id K3 --clause C2 --key ir.pem \
  --text "Hold the militias allied to Iran to the ceasefire."
run commit --id K4 --clause C1 --key ru.pem --due 2017-02-06T18:00:00Z \
  --text "Convene the first technical meeting of the trilateral monitoring group in Astana."
run commit --id K5 --clause C2 --key gov.pem --zone "Wadi Barada and all other opposition-held areas" \
  --text "Observe the ceasefire in all areas not held by UN-designated groups."
run commit --id K6 --clause C1 --key opp.pem --due 2017-02-01T00:00:00Z \
  --text "Hand the guarantors a map of the positions held by the groups in the delegation (illustrative)."

say "What the charter refuses"
refused clause propose --id C5 --title "Statement" --text "The United States welcomes the talks." --key us.pem
refused clause endorse C4 --key opp.pem
refused clause endorse C1 --key ru.pem
refused commitment fulfil K1 --note "Done." --key tr.pem

say "The opposition alleges an offensive in Wadi Barada, with evidence"
cat > wadi-barada-report.txt <<'TXT'
Local revolutionary council, Wadi Barada, 25 January 2017.
Continued ground assault and air strikes on Ain al-Fijeh and Basimah.
No Jabhat Fateh al-Sham presence in the valley, per the council.
TXT
at 2017-01-26T08:00:00Z
run allege --id A1 --against gov --commitment K5 --occurred 2017-01-25T06:00:00Z \
  --location "Wadi Barada" --key opp.pem --evidence wadi-barada-report.txt \
  --summary "Ground offensive and air strikes on the besieged enclave after the ceasefire took effect."

say "The accused answers"
at 2017-01-27T10:00:00Z
run respond A1 --position justify --key gov.pem \
  --text "Operations target Jabhat Fateh al-Sham, which is excluded from the ceasefire; the rebels cut the water supply of Damascus."

say "A deliverable missed: the opposition's map is overdue, a duty it still owes"
run obligations --party opp --as-of 2017-02-02T00:00:00Z

say "Delivered three days late, and verified by a guarantor"
at 2017-02-04T12:00:00Z
run commitment fulfil K6 --key opp.pem --note "Map of positions handed to the guarantors."
report=$("$ACCORD" log --json | python3 -c 'import json,sys; print([json.loads(l)["seq"] for l in sys.stdin][-1])')
at 2017-02-05T09:00:00Z
run commitment attest K6 --report "$report" --verified --key tr.pem --note "Checked against the guarantors' own reports."
run obligations --party opp

say "Russia reports its commitment fulfilled"
at 2017-02-06T17:00:00Z
run commitment fulfil K4 --key ru.pem --note "First technical meeting held in Astana on 6 February."

say "A ruling: proposed by Turkey, adopted by quorum (2 guarantors), with Iran's dissent"
at 2017-02-07T10:00:00Z
run ruling propose --id R1 --allegation A1 --finding confirmed --attribution gov --breach K5 --key tr.pem \
  --text "The monitoring group finds the offensive confirmed and attributable to government forces; no designated group was verified in the area."
run ruling endorse R1 --key tr.pem
run ruling dissent R1 --key ir.pem --text "The operations targeted a designated group; the finding ignores the cut to Damascus's water supply."
run ruling endorse R1 --key ru.pem

say "Jordan joins the talks as an observer: a charter amendment, adopted by all three guarantors"
"$ACCORD" key new --out jo.pem | sed "s/^/jo: /" | head -1
at 2017-02-15T09:00:00Z
run charter amend --id M1 --add-party jo --name "Hashemite Kingdom of Jordan" --role observer \
  --party-key jo.pem.pub --reason "Jordan attends the Astana talks as an observer from the second round." --key tr.pem
for g in tr ru ir; do run charter endorse M1 --key "$g.pem"; done
run charter show

say "The mechanism: the trilateral group as a body, a severity scale, and HTS on the register of groups outside the ceasefire"
cat > bodies.toml <<'TOML'
[[body]]
id = "trilateral"
name = "Astana trilateral group (Joint Group)"
members = ["ru", "tr", "ir"]
decision = "all"
TOML
at 2017-02-16T10:00:00Z
run charter amend --id M2 --body-file bodies.toml --set-scale severity=minor,serious,grave \
  --list-actor hts --actor-name "Hay'at Tahrir al-Sham (Jabhat Fatah al-Sham / Nusra)" --standing designated \
  --reason "The Joint Group's concept paper of 16 February 2017; groups designated by the Security Council stay outside the ceasefire." --key ru.pem
for g in tr ru ir; do run charter endorse M2 --key "$g.pem"; done

say "A monitor's report: nobody accused, time and place with their precision, severity from the charter's scale"
at 2017-02-20T18:00:00Z
run observe --id O1 --body trilateral --occurred 2017-02-20T06:00:00Z --time-precision hour \
  --location "Wadi Barada truce line" --place-precision district --severity minor --key ru.pem \
  --summary "Exchange of fire across the truce line at dawn; the origin could not be determined (illustrative)."
run observations

say "An attack attributed to a group that signed nothing: HTS claimed the Homs attacks of 25 February 2017"
at 2017-02-25T18:00:00Z
run allege --id A2 --against hts --occurred 2017-02-25T07:00:00Z --location "Homs" --key gov.pem \
  --summary "Suicide attacks on two security branch headquarters in Homs."
at 2017-02-27T10:00:00Z
run ruling propose --id R2 --allegation A2 --body trilateral --finding confirmed --attribution hts --key ru.pem \
  --text "Hay'at Tahrir al-Sham claimed the attacks; the group is outside the ceasefire and no party is found in breach."
for g in ru tr ir; do run ruling endorse R2 --key "$g.pem"; done
run actors

unset ACCORD_TIME
say "The record"
run log

say "The government's obligations as recorded before the ruling (6 February)"
run obligations --party gov --as-of 2017-02-06T23:59:59Z

say "The dispute record of A1"
run history A1

say "What the ruling changed"
from=$("$ACCORD" log --json | python3 -c 'import json,sys; print([json.loads(l)["seq"] for l in sys.stdin if json.loads(l)["kind"]=="ruling-proposed"][0] - 1)')
run diff --from "$from" --to "$("$ACCORD" verify --json | python3 -c 'import json,sys; print(json.load(sys.stdin)["head"]["seq"])')"

say "The auditor checks the evidence file against its recorded digest"
run evidence check A1 wadi-barada-report.txt

say "An auditor verifies the whole chain offline"
run verify

say "Obligations now"
run obligations

say "The clause view: C4 still needs Russia and Iran; every clause's phase"
run clause show C4
run clause list

say "Russia rotates its signing key; the old key signs nothing from now on"
"$ACCORD" key new --out ru2.pem | sed "s/^/ru (new key): /" | head -1
run key rotate --new ru2.pem --key ru.pem
cp -r "$ACCORD_LEDGER" "$work/rewritten"   # kept for the forged fork below
run clause endorse C4 --key ru2.pem

say "A checkpoint: Turkey signs the tree head; two of the three guarantors cosign it"
run checkpoint --key tr.pem --out checkpoint
run witness cosign checkpoint --key tr.pem --state witness-tr --out checkpoint
run witness cosign checkpoint --key ir.pem --state witness-ir --out checkpoint
cat checkpoint

say "The dispute: Turkey proves to an outsider that Russia endorsed C1 before A1 was filed"
seq_of() { "$ACCORD" history "$1" --json | python3 -c 'import json,sys
print([e["seq"] for e in map(json.loads, sys.stdin) if e["author"] == sys.argv[1] and e["kind"] == sys.argv[2]][0])' "$2" "$3"; }
endorsed=$(seq_of C1 ru clause-endorsed)
filed=$(seq_of A1 opp allegation-filed)
run prove --entry "$endorsed" --entry "$filed" --checkpoint checkpoint --out dispute.json
ledger_id=$("$ACCORD" verify --json | python3 -c 'import json,sys; print(json.load(sys.stdin)["ledger"])')
mkdir outsider && cp dispute.json outsider/ && cd outsider

say "The outsider checks the bundle with nothing else: no ledger, no network"
echo "(it knows the ledger id, published by the UN when the ledger was founded)"
printf '$ accord bundle verify dispute.json --ledger-id %s\n' "$ledger_id"
ACCORD_LEDGER=/nonexistent "$ACCORD" bundle verify dispute.json --ledger-id "$ledger_id"
echo "(The order, entry $endorsed before entry $filed, is proven by the tree. The dates are the authors' own"
echo " claims; the time bound is the witnesses' clocks: today, since this demo records 2017 in seconds.)"
say "... and again with code that shares nothing with accord (Python's hashlib, openssl)"
printf '$ python3 check-bundle.py dispute.json --ledger-id %s\n' "$ledger_id"
python3 "$scripts/check-bundle.py" dispute.json --ledger-id "$ledger_id"

tampered() {  # NAME PYTHON-EXPRESSION-ON-b: a copy of the bundle, changed
  python3 - "$1" "$2" <<'PY'
import json, sys
b = json.load(open('dispute.json'))
def flip(s, at): return s[:at] + ('B' if s[at] == 'A' else 'A') + s[at + 1:]
def drop_line(text, start): return ''.join(l for l in text.splitlines(True) if not l.startswith(start))
exec(sys.argv[2])
json.dump(b, open(sys.argv[1], 'w'), indent=2)
PY
}
refused_bundle() {
  printf '$ accord bundle verify %s --ledger-id …\n' "$1"
  if ACCORD_LEDGER=/nonexistent "$ACCORD" bundle verify "$1" --ledger-id "$ledger_id"; then echo "demo: expected a refusal" >&2; exit 1; fi
  printf '(refused; check-bundle.py: %s)\n' "$(python3 "$scripts/check-bundle.py" "$1" --ledger-id "$ledger_id" | tail -1 | sed 's/^check-bundle: //' || true)"
}

say "Refused: one flipped byte in Russia's endorsement"
tampered flipped.json 'e = b["entries"][0]; e["bytes"] = flip(e["bytes"], 200)'
refused_bundle flipped.json

say "Refused: a missing cosignature (Iran's), leaving one of the two the charter requires"
tampered one-cosigner.json 'b["checkpoint"] = drop_line(b["checkpoint"], "\u2014 ir ")'
refused_bundle one-cosigner.json

say "Refused: Russia's key rotation left out of the key history"
rotated=$(ACCORD_LEDGER="$work/astana" "$ACCORD" log --json | python3 -c 'import json,sys
print([e["seq"] for e in map(json.loads, sys.stdin) if e["kind"] == "key-rotated"][0])')
tampered no-rotation.json 'b["key_events"] = [e for e in b["key_events"] if e["seq"] != '"$rotated"']'
refused_bundle no-rotation.json

say "Refused: a checkpoint from a fork (a rewritten copy, cosigned by witnesses shown only that copy)"
cd "$work"
export ACCORD_LEDGER="$work/rewritten"
printf '(in the rewritten copy, entry 33 differs)\n'
run clause endorse C4 --key ir.pem
run checkpoint --key tr.pem --out forked
ACCORD_WITNESS_STATE=fork-tr "$ACCORD" witness cosign forked --key tr.pem --out forked >/dev/null
ACCORD_WITNESS_STATE=fork-ir "$ACCORD" witness cosign forked --key ir.pem --out forked >/dev/null
echo "(cosigned by tr and ir from fresh witness states that never saw the real ledger)"
printf '$ accord witness cosign forked --key tr.pem --state witness-tr   # Turkey'"'"'s real witness\n'
if "$ACCORD" witness cosign forked --key tr.pem --state witness-tr >/dev/null; then echo "demo: expected a refusal" >&2; exit 1; fi
cd outsider
tampered fork.json 'b["checkpoint"] = open("../forked").read()'
refused_bundle fork.json
