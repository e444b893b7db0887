//! `obligations`: each party's duties at the head, at an entry or at a
//! time, from the live index (the open view) or a full replay. Never
//! writes to the ledger.

use std::io::Write;
use std::process::ExitCode;

use accord_core::{projection, PartyId};
use accord_ledger::{DiskLedger, Ledger, LedgerError};
use anyhow::{bail, Result};

use super::Globals;
use crate::{clock, views_render};

/// What `obligations` was asked, as its flags say.
pub struct Query {
    pub party: Option<String>,
    pub all: bool,
    pub replay: bool,
    pub at: Option<u64>,
    pub as_of: Option<String>,
}

/// Prints the obligations `q` asks for.
pub fn run(q: Query, json: bool, g: &Globals, out: &mut impl Write) -> Result<ExitCode> {
    let mut ledger = Ledger::open_read(g.ledger)?;
    // The open view needs only the live items: at the head, appends
    // keep them indexed; at an earlier point, the nearest projection
    // checkpoint and the entries after it give them. The full view
    // and --replay replay every entry with every check.
    let fast = !q.all && !q.replay;
    let (state, time) = match (q.at, q.as_of) {
        (Some(seq), _) => {
            let state = if fast {
                ledger.open_state_at(seq)?
            } else {
                ledger.state_at(seq)?
            };
            let time = state.head_time();
            (state, time)
        }
        (None, Some(t)) => {
            let t = clock::parse(&t)?;
            let state = if fast {
                ledger.open_state_at(seq_as_of(&ledger, t)?)?
            } else {
                state_as_of(&ledger, t)?
            };
            (state, t)
        }
        (None, None) if fast => (ledger.open_state()?, clock::now()),
        (None, None) => (ledger.replay()?, clock::now()),
    };
    let mut views = projection::obligations(&state, time);
    if !q.all {
        views = projection::open_view(views);
    }
    if let Some(p) = q.party {
        let p = PartyId::new(p)?;
        views.retain(|v| v.party == p);
        if views.is_empty() {
            bail!("no party {p} in the charter");
        }
    }
    if json {
        writeln!(
            out,
            "{}",
            views_render::obligations_json(&state, time, &views, q.all)
        )?;
    } else {
        write!(
            out,
            "{}",
            views_render::obligations_text(&state, time, &views, q.all)
        )?;
    }
    Ok(ExitCode::SUCCESS)
}

fn state_as_of(ledger: &DiskLedger, t: i64) -> Result<accord_core::State> {
    before_ledger(t, ledger.state_as_of(t))
}

fn seq_as_of(ledger: &DiskLedger, t: i64) -> Result<u64> {
    before_ledger(t, ledger.seq_as_of(t))
}

/// A time before entry 0 as one line in the terms of the question asked.
pub(super) fn before_ledger<T>(t: i64, outcome: Result<T, LedgerError>) -> Result<T> {
    match outcome {
        Err(LedgerError::BeforeLedger { founded, .. }) => bail!(
            "{} is before the ledger was founded ({})",
            clock::format(t),
            clock::format(founded)
        ),
        other => Ok(other?),
    }
}
