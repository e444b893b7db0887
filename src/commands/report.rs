//! `report --html OUT.html`: the agreement, each party's obligations over
//! time and each dispute's record as one static page for a delegation, at
//! the head, at an entry or as of a time. The states come from the same
//! projections `obligations --all` and `clause show` print; the timelines
//! from the entries up to that point. Never writes to the ledger.

use std::collections::HashMap;
use std::io::Write;
use std::path::Path;
use std::process::ExitCode;

use accord_core::projection::{self, History};
use accord_core::{bundle, clause_view, State};
use accord_ledger::{DiskLedger, Ledger};
use anyhow::Result;

use super::checkpoint::write_atomic;
use super::obligations::before_ledger;
use super::Globals;
use crate::cli::PointArgs;
use crate::clock;
use crate::report_html::{self, Dispute, Line, Report};

/// Writes the report of the point `point` names to `html`.
pub fn run(html: &Path, point: &PointArgs, g: &Globals, out: &mut impl Write) -> Result<ExitCode> {
    let ledger = Ledger::open_read(g.ledger)?;
    let (state, judged_at) = state_at(&ledger, point)?;
    let report = gather(&ledger, &state, judged_at)?;
    write_atomic(html, report_html::render(&report).as_bytes())?;
    writeln!(
        out,
        "report of entries 0 to {} ({}) written to {}",
        report.head.seq,
        report.head.hash.short(),
        html.display()
    )?;
    Ok(ExitCode::SUCCESS)
}

/// The full state (every record, as `obligations --all` reads it) after
/// `--at`, as of `--as-of`, or at the head, and the time it is judged at.
fn state_at(ledger: &DiskLedger, point: &PointArgs) -> Result<(State, i64)> {
    Ok(match (point.at, &point.as_of) {
        (Some(seq), _) => {
            let state = ledger.state_at(seq)?;
            let time = state.head_time();
            (state, time)
        }
        (None, Some(t)) => {
            let t = clock::parse(t)?;
            (before_ledger(t, ledger.state_as_of(t))?, t)
        }
        (None, None) => (ledger.replay()?, clock::now()),
    })
}

fn gather(ledger: &DiskLedger, state: &State, judged_at: i64) -> Result<Report> {
    let obligations = projection::obligations(state, judged_at);
    let mut clauses = Vec::new();
    for c in clause_view::list(state, judged_at) {
        clauses.extend(ledger.clause_view(state, &c.id, judged_at)?);
    }
    // Every allegation has a party as its accuser, so the accusers' lists
    // hold them all.
    let mut disputes: Vec<Dispute> = obligations
        .iter()
        .flat_map(|v| &v.allegations_by)
        .map(|a| Dispute {
            allegation: a.clone(),
            lines: Vec::new(),
        })
        .collect();
    disputes.sort_by(|a, b| a.allegation.id.cmp(&b.allegation.id));
    // Each id on a dispute's record, and the disputes it belongs to (as
    // `History` widens a record): one lookup per mention, not one pass
    // over every dispute per entry.
    let mut records: HashMap<String, Vec<usize>> = HashMap::new();
    for (i, d) in disputes.iter().enumerate() {
        records
            .entry(d.allegation.id.to_string())
            .or_default()
            .push(i);
    }
    let head = state.head();
    let mut lines = Vec::new();
    for e in ledger.entries(1) {
        let e = e?;
        if e.seq() > head.seq {
            break;
        }
        let event = &e.entry.body.event;
        let mentions: Vec<String> = event.mentions().iter().map(|m| m.to_string()).collect();
        let mut in_disputes: Vec<usize> = mentions
            .iter()
            .filter_map(|m| records.get(m))
            .flatten()
            .copied()
            .collect();
        in_disputes.sort_unstable();
        in_disputes.dedup();
        if let Some(joined) = History::joins(event).filter(|_| !in_disputes.is_empty()) {
            let owners = records.entry(joined).or_default();
            owners.extend(&in_disputes);
            owners.sort_unstable();
            owners.dedup();
        }
        for &i in &in_disputes {
            disputes[i].lines.push(lines.len());
        }
        if mentions.is_empty() && in_disputes.is_empty() {
            continue;
        }
        lines.push(Line {
            seq: e.seq(),
            time: e.entry.body.time,
            author: e.entry.body.author.party.clone(),
            says: bundle::says(event),
            hash: e.hash,
            mentions,
        });
    }
    Ok(Report {
        title: state.charter().title.clone(),
        ledger_id: state.ledger_id().to_hex(),
        head,
        head_time: state.head_time(),
        judged_at,
        parties: state.charter().parties.clone(),
        clauses,
        obligations,
        lines,
        disputes,
    })
}
