//! Every command that appends one entry (clause, commit, commitment,
//! allege, respond, allegation, ruling, and the writing `key` commands):
//! the event from `record`, signed and appended through the ledger, then
//! one line for the entry and, for an endorsement, whether it adopted.
//! Never checks a rule itself: the ledger's append does.

use std::io::Write;
use std::path::Path;
use std::process::ExitCode;

use accord_core::Event;
use accord_ledger::{DiskLedger, Ledger};
use anyhow::Result;

use super::Globals;
use crate::record::{self, Writing};
use crate::{clock, keyfile};

/// Appends the entry `cmd` describes to the ledger at `--ledger`.
pub fn run(cmd: Writing, g: &Globals, out: &mut impl Write) -> Result<ExitCode> {
    let mut ledger = Ledger::open(g.ledger)?;
    let (event, key) = record::event_for(cmd, &mut ledger)?;
    append(&mut ledger, &key, g.time, event, out)?;
    Ok(ExitCode::SUCCESS)
}

fn append(
    ledger: &mut DiskLedger,
    key: &Path,
    time: Option<&str>,
    event: Event,
    out: &mut impl Write,
) -> Result<()> {
    let signer = keyfile::load_private(key)?;
    let time = clock::claimed(time)?;
    let entry = ledger.append(&signer, time, clock::now(), event)?;
    writeln!(
        out,
        "entry {}  {}  {} by {}  hash {}",
        entry.seq(),
        entry.entry.body.event.kind(),
        entry.entry.body.event.subject(),
        entry.entry.body.author.party,
        entry.hash
    )?;
    if let Event::ClauseEndorsed { clause, .. } = &entry.entry.body.event {
        if let Some(c) = ledger.clause(clause)? {
            match c.adopted_at {
                Some(seq) if seq == entry.seq() => writeln!(out, "clause {clause} is now adopted")?,
                Some(seq) => writeln!(out, "clause {clause} was adopted at entry {seq}")?,
                None => writeln!(
                    out,
                    "clause {clause}: {} endorsement(s), not yet adopted",
                    c.endorsements.len()
                )?,
            }
        }
    }
    if let Event::RulingEndorsed { ruling, .. } = &entry.entry.body.event {
        let records = ledger.records(vec![accord_core::RecordKey::Ruling(ruling.clone())])?;
        if let Some(r) = records.rulings().get(ruling) {
            match r.adopted_at {
                Some(seq) if seq == entry.seq() => writeln!(out, "ruling {ruling} is now adopted")?,
                Some(seq) => writeln!(out, "ruling {ruling} was adopted at entry {seq}")?,
                None => writeln!(
                    out,
                    "ruling {ruling}: {} endorsement(s), not yet adopted",
                    r.endorsements.len()
                )?,
            }
        }
    }
    Ok(())
}
