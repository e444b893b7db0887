//! `accord charter`: the charter in force (as amended by the amendments
//! adopted up to a point), and the amendment commands, which append
//! through `append` like every writing command. Nothing here decides
//! whether an amendment is allowed (the gate does).

use std::io::Write;
use std::process::ExitCode;

use accord_core::{Adoption, State};
use accord_ledger::Ledger;
use anyhow::Result;
use serde_json::{json, Value};

use super::{append, Globals};
use crate::cli::CharterCommand;
use crate::record::Writing;
use crate::render::escape;

pub fn run(cmd: CharterCommand, g: &Globals, out: &mut impl Write) -> Result<ExitCode> {
    match cmd {
        CharterCommand::Show { at, json } => {
            let ledger = Ledger::open_read(g.ledger)?;
            let state = match at {
                Some(seq) => ledger.open_state_at(seq)?,
                None => ledger.open_state_at(ledger.last_seq()?)?,
            };
            if json.json {
                writeln!(out, "{}", charter_json(&state))?;
            } else {
                write!(out, "{}", charter_text(&state))?;
            }
            Ok(ExitCode::SUCCESS)
        }
        CharterCommand::Amend(args) => append::run(Writing::Amend(args), g, out),
        CharterCommand::Endorse(args) => append::run(Writing::EndorseAmendment(args), g, out),
    }
}

fn rule_words(a: Adoption) -> String {
    match a {
        Adoption::AllGuarantors => "all guarantors".into(),
        Adoption::Quorum(n) => format!("{n} guarantor(s)"),
    }
}

fn rule_json(a: Adoption) -> Value {
    match a {
        Adoption::AllGuarantors => json!("all"),
        Adoption::Quorum(n) => json!(n),
    }
}

fn charter_text(state: &State) -> String {
    let c = state.charter();
    let mut out = format!(
        "charter in force after entry {}: {}\n",
        state.head().seq,
        escape(&c.title)
    );
    for p in &c.parties {
        let key = state
            .keyring()
            .current(&p.id)
            .map_or("REVOKED (no key)".to_string(), |k| {
                format!("key {}", k.id().short())
            });
        out += &format!(
            "party      {:<8} {:<11} {} ({key})\n",
            p.id,
            p.role.as_str(),
            escape(&p.name)
        );
    }
    out += &format!(
        "rules      clauses adopted by {}; rulings adopted by {} guarantor(s); amendments adopted by {}\n",
        rule_words(c.rules.clause_adoption),
        c.rules.ruling_quorum,
        rule_words(state.amending().rule)
    );
    for (p, r) in &state.amending().removed {
        out += &format!(
            "removed    {p:<8} by amendment {} at entry {}\n",
            r.amendment, r.seq
        );
    }
    // issue 14: mechanisms
    let m = &state.amending().mechanism;
    for b in m.bodies.values() {
        out += &format!(
            "body       {}\n",
            escape(
                accord_core::CharterChange::SetBody(b.clone())
                    .to_string()
                    .trim_start_matches("body ")
            )
        );
    }
    for (scale, values) in &m.scales {
        out += &format!("scale      {scale}: {}\n", escape(&values.join(", ")));
    }
    for l in m.actors.values() {
        let a = &l.actor;
        let of = a
            .party
            .as_ref()
            .map_or(String::new(), |p| format!(" of {p}"));
        let when = match l.delisted {
            Some(d) => format!("listed at entry {}, delisted at entry {d}", l.listed),
            None => format!("listed at entry {}", l.listed),
        };
        out += &format!(
            "actor      {:<8} {}{of} {} ({when})\n",
            a.id,
            a.standing,
            escape(&a.name)
        );
    }
    for (id, a) in state.records().amendments() {
        if a.adopted_at.is_none() {
            let by: Vec<&str> = a.endorsements.iter().map(|(p, _)| p.as_str()).collect();
            let changes: Vec<String> = a
                .changes
                .iter()
                .map(|c| escape(&c.to_string()).into_owned())
                .collect();
            let stale = a.stale(state).map_or(String::new(), |f| {
                format!("; no longer applies: {}", escape(&f.to_string()))
            });
            out += &format!(
                "pending    {id}: {} (endorsed by {}{stale})\n",
                changes.join("; "),
                if by.is_empty() {
                    "nobody yet".to_string()
                } else {
                    by.join(", ")
                }
            );
        }
    }
    out
}

fn charter_json(state: &State) -> Value {
    let c = state.charter();
    let parties: Vec<Value> = c
        .parties
        .iter()
        .map(|p| {
            json!({
                "id": p.id.as_str(),
                "name": p.name,
                "role": p.role.as_str(),
                "key_id": state.keyring().current(&p.id).map(|k| k.id().to_hex()),
            })
        })
        .collect();
    let removed: Vec<Value> = state
        .amending()
        .removed
        .iter()
        .map(|(p, r)| json!({"party": p.as_str(), "amendment": r.amendment.as_str(), "seq": r.seq}))
        .collect();
    let pending: Vec<Value> = state
        .records()
        .amendments()
        .iter()
        .filter(|(_, a)| a.adopted_at.is_none())
        .map(|(id, a)| {
            json!({
                "id": id.as_str(),
                "proposer": a.proposer.as_str(),
                "proposed_at": a.proposal.seq,
                "changes": a.changes.iter().map(ToString::to_string).collect::<Vec<_>>(),
                "endorsements": a.endorsements.iter().map(|(p, _)| p.as_str()).collect::<Vec<_>>(),
                "no_longer_applies": a.stale(state).map(|f| f.to_string()),
            })
        })
        .collect();
    json!({
        "seq": state.head().seq,
        "title": c.title,
        "parties": parties,
        "rules": {
            "clause_adoption": rule_json(c.rules.clause_adoption),
            "ruling_quorum": c.rules.ruling_quorum,
            "amendment_rule": rule_json(state.amending().rule),
        },
        "removed": removed,
        "pending_amendments": pending,
        "bodies": mechanism_json(state),
        "scales": state.amending().mechanism.scales.iter()
            .map(|(k, v)| (k.as_str().to_owned(), json!(v)))
            .collect::<serde_json::Map<_, _>>(),
        "actors": state.amending().mechanism.actors.values().map(|l| json!({
            "id": l.actor.id.as_str(),
            "name": l.actor.name,
            "standing": l.actor.standing.as_str(),
            "party": l.actor.party.as_ref().map(|p| p.as_str()),
            "listed_at": l.listed,
            "delisted_at": l.delisted,
        })).collect::<Vec<_>>(),
    })
}

// issue 14: mechanisms
/// The bodies in force, as JSON.
fn mechanism_json(state: &State) -> Vec<Value> {
    use accord_core::mechanism::Decision;
    state
        .amending()
        .mechanism
        .bodies
        .values()
        .map(|b| {
            let decision = match b.decision {
                Decision::All => json!({"rule": "all"}),
                Decision::Quorum(q) => json!({"rule": "quorum", "quorum": q}),
                Decision::Consensus { lapse } => {
                    json!({"rule": "consensus", "lapse_seconds": lapse})
                }
            };
            json!({
                "id": b.id.as_str(),
                "name": b.name,
                "members": b.members.iter().map(|p| p.as_str()).collect::<Vec<_>>(),
                "decision": decision,
                "recuse_accused": b.recuse_accused,
                "parent": b.parent.as_ref().map(|p| p.as_str()),
                "parent_adopts": b.parent_adopts,
            })
        })
        .collect()
}
