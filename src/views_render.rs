//! Text and JSON renderings of the projections: obligations, diffs and
//! keys. Each item is one line of text: free text in it (names, commitment
//! texts, zones, locations, summaries) goes through `render::escape`, so an
//! author's newlines and control characters can neither add a line to the
//! view nor reach the terminal.

use accord_core::projection::{Change, CommitmentView, PartyView};
use accord_core::State;
use schemars::JsonSchema;
use serde::Serialize;
use serde_json::{json, Value};

use crate::clock;
use crate::render::escape;

/// Rewrites Unix-second fields named `due`, `until` or `occurred` as RFC 3339.
fn rfc3339_times(v: &mut Value) {
    match v {
        Value::Object(map) => {
            for (k, val) in map.iter_mut() {
                if matches!(k.as_str(), "due" | "until" | "occurred") {
                    if let Some(t) = val.as_i64() {
                        *val = json!(clock::format(t));
                        continue;
                    }
                }
                rfc3339_times(val);
            }
        }
        Value::Array(items) => items.iter_mut().for_each(rfc3339_times),
        _ => {}
    }
}

// issue 15: json (typed output, schema docs/schemas/obligations.json)
/// `obligations --json`.
#[derive(Debug, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Obligations {
    /// The point the view is of, and the time it is judged at.
    pub as_of: AsOf,
    /// `all` (with `--all`) or `open`.
    #[schemars(schema_with = "scope_schema")]
    pub scope: String,
    /// Each party's view (times as RFC 3339).
    #[schemars(with = "Vec<PartyView>")]
    pub parties: Value,
}

/// The entry a view is as of, and the time it is judged at.
#[derive(Debug, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct AsOf {
    /// The last entry counted.
    pub seq: u64,
    /// Its hash.
    pub hash: String,
    /// The time overdue and lapsed are judged against (RFC 3339).
    pub time: String,
}

fn scope_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
    schemars::json_schema!({ "type": "string", "enum": ["all", "open"] })
}

/// `all`: the full view, rather than the open one (`projection::open_view`).
pub fn obligations_json(state: &State, time: i64, views: &[PartyView], all: bool) -> Value {
    let mut parties = serde_json::to_value(views).unwrap_or(Value::Null);
    rfc3339_times(&mut parties);
    let out = Obligations {
        as_of: AsOf {
            seq: state.head().seq,
            hash: state.head().hash.to_hex(),
            time: clock::format(time),
        },
        scope: if all { "all" } else { "open" }.to_owned(),
        parties,
    };
    serde_json::to_value(out).unwrap_or(Value::Null)
}

/// What a commitment's line adds after its text: progress, attestations of
/// the latest report, earlier breaching rulings, a pending reschedule.
fn commitment_notes(c: &CommitmentView) -> String {
    let mut notes = Vec::new();
    if let Some(p) = &c.progress {
        notes.push(format!("progress {} of {}", p.done, p.of));
    }
    if let Some(report) = c.report {
        let latest: Vec<String> = c
            .attestations
            .iter()
            .filter(|a| a.report == report)
            .map(|a| format!("{} by {}", a.verdict, a.by))
            .collect();
        if !latest.is_empty() {
            notes.push(format!("report at entry {report} {}", latest.join(", ")));
        }
    }
    if c.breached_by.len() > 1 {
        let all: Vec<&str> = c.breached_by.iter().map(|r| r.as_str()).collect();
        notes.push(format!("breached by rulings {}", all.join(", ")));
    }
    if let Some(r) = &c.reschedule {
        let time = |t: Option<i64>| t.map_or("none".to_owned(), clock::format);
        notes.push(format!(
            "reschedule to due {}, until {} proposed by {} at entry {}",
            time(r.due),
            time(r.until),
            r.proposer,
            r.proposal.seq
        ));
    }
    if notes.is_empty() {
        String::new()
    } else {
        format!(" [{}]", notes.join("; "))
    }
}

pub fn obligations_text(state: &State, time: i64, views: &[PartyView], all: bool) -> String {
    let mut out = format!(
        "obligations as recorded up to entry {} ({}), judged at {}\n",
        state.head().seq,
        state.head().hash.short(),
        clock::format(time)
    );
    if !all {
        out += "open items only; closed allegations and adopted rulings are shown with --all\n";
    }
    for v in views {
        out += &format!("\n{} — {} ({})\n", v.party, escape(&v.name), v.role);
        let mut any = false;
        for c in &v.commitments {
            any = true;
            let due = c
                .due
                .map(|d| format!(", due {}", clock::format(d)))
                .unwrap_or_default();
            let zone = c
                .zone
                .as_deref()
                .map(|z| format!(", zone {}", escape(z)))
                .unwrap_or_default();
            let until = c
                .until
                .map(|u| format!(", until {}", clock::format(u)))
                .unwrap_or_default();
            let ruling = c
                .ruling
                .as_ref()
                .map(|r| format!(" by ruling {r}"))
                .unwrap_or_default();
            out += &format!(
                "  commitment  {:<6} {:<14}{ruling} under {}{due}{until}{zone}: {}{}\n",
                c.id,
                c.state,
                c.clause,
                escape(&c.text),
                commitment_notes(c),
            );
        }
        for (label, list) in [
            ("alleged by", &v.allegations_against),
            ("alleges", &v.allegations_by),
        ] {
            for a in list {
                any = true;
                // issue 14: actors (several accused, or persons unknown)
                let accused = match a.accused.is_empty() {
                    true => "persons unknown".to_owned(),
                    false => a.accused.join(", "),
                };
                let other = if label != "alleged by" {
                    accused
                } else if a.accused.len() > 1 {
                    format!("{} (accused: {accused})", a.by)
                } else {
                    a.by.to_string()
                };
                let finding = a.finding.map(|f| format!(" ({f})")).unwrap_or_default();
                out += &format!(
                    "  allegation  {:<6} {}{finding}, {label} {other}, {} at {}: {}\n",
                    a.id,
                    a.state,
                    escape(&a.location),
                    clock::format(a.occurred),
                    escape(&a.summary)
                );
            }
        }
        for r in &v.rulings {
            any = true;
            let dissent = if r.dissents.is_empty() {
                String::new()
            } else {
                format!(", dissent: {}", join(&r.dissents))
            };
            // issue 14: bodies (a body's ruling names its body and its
            // parent's ratifications)
            let body = match &r.body {
                Some(b) if r.ratified_by.is_empty() => format!(" by body {b}"),
                Some(b) => format!(" by body {b}, ratified by {}", join(&r.ratified_by)),
                None => String::new(),
            };
            out += &format!(
                "  ruling      {:<6} {}{body} on {}: {}, attributed to {}; endorsed by {}{dissent}\n",
                r.id,
                r.state,
                r.on,
                r.finding,
                r.attribution,
                if r.endorsements.is_empty() {
                    "-".into()
                } else {
                    join(&r.endorsements)
                }
            );
        }
        for d in &v.duties {
            any = true;
            out += &format!("  to do       {} {}\n", d.duty, escape(&d.item));
        }
        if !any {
            out += "  nothing on record\n";
        }
    }
    out
}

fn join(ids: &[accord_core::PartyId]) -> String {
    ids.iter()
        .map(|p| p.as_str())
        .collect::<Vec<_>>()
        .join(", ")
}

pub fn diff_text(from: u64, to: u64, changes: &[Change]) -> String {
    if changes.is_empty() {
        return format!("no change in any party's obligations from entry {from} to entry {to}\n");
    }
    let mut out = format!("changes from entry {from} to entry {to}\n");
    for c in changes {
        out += &format!(
            "  {:<6} {:<18} {:<24} {} -> {}\n",
            c.party,
            c.kind,
            escape(&c.item_label()),
            escape(
                &Change::label(c.from.as_deref(), c.from_finding)
                    .unwrap_or_else(|| "(none)".into())
            ),
            escape(&Change::label(c.to.as_deref(), c.finding).unwrap_or_else(|| "(none)".into()))
        );
    }
    out
}

// issue 15: json (typed output, schema docs/schemas/key-list.json)
/// One party's keys as `key list --json` prints them.
#[derive(Debug, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct PartyKeys {
    /// The party.
    pub party: String,
    /// The id of the key it signs with now (`null`: revoked without a
    /// replacement).
    pub current: Option<String>,
    /// Every key it has held, oldest first.
    pub history: Vec<KeySpanJson>,
}

/// One key a party held, and the entries it signed between.
#[derive(Debug, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct KeySpanJson {
    /// The key's id (lower-case hex).
    pub key_id: String,
    /// The public key (lower-case hex).
    pub key: String,
    /// The seq of the entry from which it signs (0: the charter's key).
    pub from: u64,
    /// The seq of the entry that replaced or revoked it (`null`: current).
    pub until: Option<u64>,
}

/// Every party's current key id (`null` if revoked without replacement)
/// and key history.
pub fn keys_json(state: &State) -> Value {
    let parties: Vec<PartyKeys> = state
        .charter()
        .parties
        .iter()
        .map(|p| PartyKeys {
            party: p.id.as_str().to_owned(),
            current: state.keyring().current(&p.id).map(|k| k.id().to_hex()),
            history: state
                .keyring()
                .history(&p.id)
                .iter()
                .map(|s| KeySpanJson {
                    key_id: s.key.id().to_hex(),
                    key: s.key.to_hex(),
                    from: s.from,
                    until: s.until,
                })
                .collect(),
        })
        .collect();
    serde_json::to_value(parties).unwrap_or(Value::Null)
}

pub fn keys_text(state: &State) -> String {
    let mut out = String::new();
    for p in &state.charter().parties {
        let current = state
            .keyring()
            .current(&p.id)
            .map_or("REVOKED (no key)".to_string(), |k| {
                format!("key {}", k.id().short())
            });
        let spans = state.keyring().history(&p.id);
        let changes = if spans.len() > 1 || spans.iter().any(|s| s.until.is_some()) {
            format!("  ({} key(s) over time)", spans.len())
        } else {
            String::new()
        };
        out += &format!("{:<8} {current}{changes}\n", p.id);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::render::tests::{assert_printable, genesis, ESCAPED, HOSTILE};
    use accord_core::projection::{AllegationView, ChangeKind, CommitmentView, Duty, DutyKind};
    use accord_core::records::{AllegationPhase, CommitmentPhase};
    use accord_core::{AllegationId, ClauseId, CommitmentId, PartyId, Role};

    #[test]
    fn every_free_text_of_an_obligations_item_stays_on_its_line() {
        let state = State::genesis(&genesis("Charter", "Turkey")).unwrap();
        let view = PartyView {
            party: PartyId::new("gov").unwrap(),
            name: format!("Gov{HOSTILE}"),
            role: Role::Party,
            commitments: vec![CommitmentView {
                id: CommitmentId::new("K5").unwrap(),
                clause: ClauseId::new("C1").unwrap(),
                text: format!("Text{HOSTILE}"),
                zone: Some(format!("Zone{HOSTILE}")),
                due: None,
                until: None,
                state: CommitmentPhase::Active,
                ruling: None,
                breached_by: vec![],
                progress: None,
                report: None,
                attestations: vec![],
                reschedule: None,
            }],
            allegations_against: vec![AllegationView {
                id: AllegationId::new("A1").unwrap(),
                by: PartyId::new("opp").unwrap(),
                accused: vec!["gov".into()],
                against: Some(PartyId::new("gov").unwrap()),
                occurred: 0,
                location: format!("Place{HOSTILE}"),
                summary: format!("Summary{HOSTILE}"),
                commitments: vec![],
                state: AllegationPhase::Filed,
                finding: None,
                ruling: None,
                corrections: vec![],
            }],
            allegations_by: vec![],
            rulings: vec![],
            duties: vec![Duty {
                duty: DutyKind::Respond,
                item: format!("A1{HOSTILE}"),
            }],
        };
        let text = obligations_text(&state, 0, &[view], true);
        assert_printable(&text);
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines.len(), 6, "{text}");
        assert_eq!(lines[2], format!("gov — Gov{ESCAPED} (party)"));
        assert!(lines[3].starts_with("  commitment  K5 "), "{text}");
        assert!(
            lines[3].ends_with(&format!(", zone Zone{ESCAPED}: Text{ESCAPED}")),
            "{text}"
        );
        assert!(lines[4].starts_with("  allegation  A1 "), "{text}");
        assert!(
            lines[4].contains(&format!(
                "Place{ESCAPED} at 1970-01-01T00:00:00Z: Summary{ESCAPED}"
            )),
            "{text}"
        );
        assert_eq!(lines[5], format!("  to do       respond A1{ESCAPED}"));
    }

    #[test]
    fn diff_lines_escape_their_items() {
        let change = Change {
            party: PartyId::new("gov").unwrap(),
            kind: ChangeKind::Duty,
            duty: Some(accord_core::projection::DutyKind::Respond),
            item: HOSTILE.to_string(),
            from: None,
            to: Some(HOSTILE.into()),
            from_finding: None,
            finding: None,
        };
        let text = diff_text(0, 1, &[change]);
        assert_printable(&text);
        assert_eq!(text.lines().count(), 2, "{text}");
    }
}
