//! `actors`: the register of non-signatory actors (issue 14) at the head,
//! at an entry or at a time, with the allegations naming each and the
//! rulings attributing to each. Never writes to the ledger.

use std::io::Write;
use std::process::ExitCode;

use accord_ledger::Ledger;
use anyhow::Result;
use serde_json::json;

use super::Globals;
use crate::clock;
use crate::render::escape;

/// Prints the actor register as of `at` (an entry) or `as_of` (a time).
pub fn run(
    at: Option<u64>,
    as_of: Option<String>,
    json: bool,
    g: &Globals,
    out: &mut impl Write,
) -> Result<ExitCode> {
    let ledger = Ledger::open_read(g.ledger)?;
    // Allegations and rulings of any state may name an actor: a full
    // replay (every check) to the point asked.
    let state = match (at, as_of) {
        (Some(seq), _) => ledger.state_at(seq)?,
        (None, Some(t)) => {
            let t = clock::parse(&t)?;
            super::obligations::before_ledger(t, ledger.state_as_of(t))?
        }
        (None, None) => ledger.replay()?,
    };
    let actors = accord_core::actors(&state);
    let head = state.head();
    if json {
        let value = json!({
            "as_of": { "seq": head.seq, "hash": head.hash.to_hex(), "time": clock::format(state.head_time()) },
            "actors": actors,
        });
        writeln!(out, "{value}")?;
        return Ok(ExitCode::SUCCESS);
    }
    writeln!(out, "actors as of entry {}:", head.seq)?;
    if actors.is_empty() {
        writeln!(
            out,
            "  none listed (list one by charter amendment: --list-actor)"
        )?;
    }
    for a in &actors {
        let party = a
            .party
            .as_ref()
            .map(|p| format!(" of {p}"))
            .unwrap_or_default();
        let delisted = a
            .delisted
            .map(|s| format!(", delisted at entry {s}"))
            .unwrap_or_default();
        writeln!(
            out,
            "  actor {:<8} {}{party}, listed at entry {}{delisted}: {}",
            a.id,
            a.standing,
            a.listed,
            escape(&a.name)
        )?;
        if !a.allegations.is_empty() {
            let ids: Vec<&str> = a.allegations.iter().map(|x| x.as_str()).collect();
            writeln!(out, "    accused in {}", ids.join(", "))?;
        }
        for r in &a.rulings {
            writeln!(out, "    ruling {} ({}): {}", r.id, r.state, r.degree)?;
        }
    }
    Ok(ExitCode::SUCCESS)
}
