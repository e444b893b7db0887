//! `clause show` and `clause list`: the clause view at the head, at an
//! entry or as of a time, as text a secretariat can read or as JSON. Never
//! writes to the ledger (the other `clause` subcommands append: `append`).

use std::io::Write;
use std::process::ExitCode;

use accord_core::clause_view::{self, ClauseSummary, ClauseView, Missing, Signed};
use accord_core::{ClauseId, State};
use accord_ledger::{DiskLedger, Ledger};
use anyhow::{bail, Result};
use serde_json::{json, Value};

use super::obligations::before_ledger;
use super::Globals;
use crate::cli::{ClauseCommand, PointArgs};
use crate::clock;
use crate::render::{block, escape};

/// Whether `cmd` only reads (a view) rather than appends an entry.
pub fn is_view(cmd: &ClauseCommand) -> bool {
    matches!(cmd, ClauseCommand::Show { .. } | ClauseCommand::List { .. })
}

/// Prints the clause view `cmd` asks for.
pub fn run(cmd: ClauseCommand, g: &Globals, out: &mut impl Write) -> Result<ExitCode> {
    let mut ledger = Ledger::open_read(g.ledger)?;
    match cmd {
        ClauseCommand::Show { id, point, json } => {
            let id = ClauseId::new(id)?;
            let (state, time) = state_at(&mut ledger, &point, Some(&id))?;
            let Some(view) = ledger.clause_view(&state, &id, time)? else {
                bail!(
                    "no clause {id} is on record as of entry {}: `accord clause list` names them",
                    state.head().seq
                );
            };
            if json.json {
                writeln!(out, "{}", show_json(&state, &view))?;
            } else {
                write!(out, "{}", show_text(&state, &view))?;
            }
        }
        ClauseCommand::List { point, json } => {
            let (state, time) = state_at(&mut ledger, &point, None)?;
            let list = clause_view::list(&state, time);
            if json.json {
                writeln!(out, "{}", list_json(&state, time, &list))?;
            } else {
                write!(out, "{}", list_text(&state, time, &list))?;
            }
        }
        _ => bail!("only `clause show` and `clause list` are views"),
    }
    Ok(ExitCode::SUCCESS)
}

/// The state a view reads and the time its phases are judged at: after
/// entry `--at` (judged at that entry's time), as of `--as-of` (judged at
/// it), or at the head (judged now). `clause` names the one clause needed;
/// without it every clause is read. Earlier points start from the nearest
/// projection checkpoint, as `obligations` does.
fn state_at(
    ledger: &mut DiskLedger,
    point: &PointArgs,
    clause: Option<&ClauseId>,
) -> Result<(State, i64)> {
    let at = |ledger: &mut DiskLedger, seq| match clause {
        Some(id) => ledger.clause_state_at(id, seq),
        None => ledger.clauses_state_at(seq),
    };
    Ok(match (point.at, &point.as_of) {
        (Some(seq), _) => {
            let state = at(ledger, seq)?;
            let time = state.head_time();
            (state, time)
        }
        (None, Some(t)) => {
            let t = clock::parse(t)?;
            let seq = before_ledger(t, ledger.seq_as_of(t))?;
            (at(ledger, seq)?, t)
        }
        (None, None) => {
            let state = match clause {
                Some(id) => ledger.clause_state(id)?,
                None => ledger.clauses_state()?,
            };
            (state, clock::now())
        }
    })
}

fn as_of(state: &State, time: i64) -> Value {
    json!({
        "seq": state.head().seq,
        "hash": state.head().hash.to_hex(),
        "time": clock::format(time),
    })
}

/// Rewrites the Unix-second field `until` as RFC 3339 (`null`: no end).
fn rfc3339_until(v: &mut Value) {
    if let Some(t) = v.get("until").and_then(Value::as_i64) {
        v["until"] = json!(clock::format(t));
    }
}

fn show_json(state: &State, view: &ClauseView) -> Value {
    let mut v = serde_json::to_value(view).unwrap_or(Value::Null);
    v["as_of"] = as_of(state, view.as_of);
    rfc3339_until(&mut v);
    if let Some(term) = v.get_mut("term_proposal").filter(|t| t.is_object()) {
        rfc3339_until(term);
    }
    v
}

fn list_json(state: &State, time: i64, list: &[ClauseSummary]) -> Value {
    let clauses: Vec<Value> = list
        .iter()
        .map(|s| {
            let mut v = serde_json::to_value(s).unwrap_or(Value::Null);
            rfc3339_until(&mut v);
            v
        })
        .collect();
    json!({ "as_of": as_of(state, time), "clauses": clauses })
}

fn header(what: &str, state: &State, time: i64) -> String {
    format!(
        "{what} as recorded up to entry {} ({}), judged at {}\n",
        state.head().seq,
        state.head().hash.short(),
        clock::format(time)
    )
}

fn signers(list: &[Signed]) -> String {
    if list.is_empty() {
        return "-".into();
    }
    list.iter()
        .map(|s| format!("{} (entry {})", s.party, s.seq))
        .collect::<Vec<_>>()
        .join(", ")
}

fn missing(m: &Missing) -> String {
    let who = m
        .guarantors
        .iter()
        .map(|p| p.as_str())
        .collect::<Vec<_>>()
        .join(", ");
    format!(
        "{} more guarantor endorsement(s) needed; not yet endorsed by: {}",
        m.endorsements_needed,
        if who.is_empty() { "-" } else { &who }
    )
}

fn until_word(until: Option<i64>) -> String {
    until.map_or("no end".into(), clock::format)
}

fn show_text(state: &State, v: &ClauseView) -> String {
    let mut out = header(&format!("clause {}", v.id), state, v.as_of);
    out += &block("title", &v.title);
    out += &format!("{:<10} {}\n", "phase", v.phase);
    out += &format!(
        "{:<10} by {} at entry {}\n",
        "proposed", v.proposer, v.proposed_at
    );
    if let Some(old) = &v.revises {
        let when = match v.adopted_at {
            Some(seq) => format!("superseded it at entry {seq}"),
            None => "supersedes it once adopted".into(),
        };
        out += &format!("{:<10} {old} ({when})\n", "revises");
    }
    // issue 14: bodies (a tabled clause binds only its signatories)
    if let Some(s) = &v.signatories {
        let who: Vec<&str> = s.iter().map(|p| p.as_str()).collect();
        out += &format!("{:<10} {}\n", "signatories", who.join(", "));
    }
    out += &format!("{:<10} {}\n", "endorsed", signers(&v.endorsers));
    if let Some(m) = &v.missing {
        out += &format!("{:<10} {}\n", "missing", missing(m));
    }
    if let Some(seq) = v.adopted_at {
        out += &format!("{:<10} at entry {seq}\n", "adopted");
    }
    let from = v
        .until_from
        .map(|s| format!(" (term adopted at entry {s})"))
        .unwrap_or_default();
    out += &format!("{:<10} {}{from}\n", "until", until_word(v.until));
    if let Some(t) = &v.term_proposal {
        out += &format!(
            "{:<10} {} proposed by {} at entry {}; endorsed by {}; {}\n",
            "term",
            until_word(t.until),
            t.proposer,
            t.proposed_at,
            signers(&t.endorsers),
            missing(&t.missing)
        );
    }
    out += &format!("{:<10} {}\n", "accepted", signers(&v.acceptors));
    out += &format!("{:<10} {}\n", "declined", signers(&v.decliners));
    if v.superseded_by.is_none() && v.withdrawn_at.is_none() {
        let to_accept = v
            .to_accept
            .iter()
            .map(|p| p.as_str())
            .collect::<Vec<_>>()
            .join(", ");
        out += &format!(
            "{:<10} {}\n",
            "to accept",
            if to_accept.is_empty() {
                "-"
            } else {
                &to_accept
            }
        );
    }
    if let (Some(by), Some(seq)) = (&v.superseded_by, v.superseded_at) {
        out += &format!(
            "{:<10} by {by} at entry {seq} (commitments made under {} stay under it)\n",
            "superseded", v.id
        );
    }
    if let Some(seq) = v.withdrawn_at {
        out += &format!("{:<10} by {} at entry {seq}\n", "withdrawn", v.proposer);
    }
    out += &block("text", &v.text);
    out
}

fn list_text(state: &State, time: i64, list: &[ClauseSummary]) -> String {
    let mut out = header("clauses", state, time);
    if list.is_empty() {
        out += "no clause is on record\n";
    }
    for s in list {
        let mut notes = Vec::new();
        if let Some(seq) = s.adopted_at {
            notes.push(format!("adopted at entry {seq}"));
        }
        if s.adopted_at.is_some() {
            notes.push(format!("until {}", until_word(s.until)));
        }
        if let Some(old) = &s.revises {
            notes.push(format!("revises {old}"));
        }
        if let Some(by) = &s.superseded_by {
            notes.push(format!("superseded by {by}"));
        }
        if s.declines > 0 {
            notes.push(format!("declined by {}", s.declines));
        }
        let notes = match notes.is_empty() {
            true => String::new(),
            false => format!(" ({})", notes.join(", ")),
        };
        out += &format!("{:<8} {:<10} {}{notes}\n", s.id, s.phase, escape(&s.title));
    }
    out
}
