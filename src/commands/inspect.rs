//! The read-only views of entries: `log`, `show`, `history` and `diff`.
//! Never writes to the ledger.

use std::io::Write;
use std::process::ExitCode;

use accord_core::projection;
use accord_ledger::Ledger;
use anyhow::{bail, Result};

use super::Globals;
use crate::{render, views_render};

/// `log`: one line (or JSON object) per entry.
pub fn log(json: bool, g: &Globals, out: &mut impl Write) -> Result<ExitCode> {
    let ledger = Ledger::open_read(g.ledger)?;
    for entry in ledger.entries(0) {
        let entry = entry?;
        if json {
            writeln!(out, "{}", render::log_json(&entry))?;
        } else {
            writeln!(out, "{}", render::log_line(&entry))?;
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// `show`: one entry in full, with its signature status.
pub fn show(seq: u64, json: bool, g: &Globals, out: &mut impl Write) -> Result<ExitCode> {
    let mut ledger = Ledger::open_read(g.ledger)?;
    let entry = ledger.entry(seq)?;
    let status = ledger.signature_status(&entry)?;
    if json {
        writeln!(out, "{}", render::show_json(&entry, status))?;
    } else {
        write!(out, "{}", render::show_text(&entry, status))?;
    }
    Ok(ExitCode::SUCCESS)
}

/// `history`: every entry concerning one id.
pub fn history(id: &str, json: bool, g: &Globals, out: &mut impl Write) -> Result<ExitCode> {
    let ledger = Ledger::open_read(g.ledger)?;
    let entries = ledger.history(id)?;
    if entries.is_empty() {
        bail!("nothing on record concerns {id}");
    }
    for e in &entries {
        if json {
            let mut v = render::log_json(e);
            v["event"] = render::event_json(&e.entry.body.event);
            writeln!(out, "{v}")?;
        } else {
            writeln!(out, "{}", render::log_line(e))?;
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// `diff`: what changed in the obligations between two entries.
pub fn diff(from: u64, to: u64, json: bool, g: &Globals, out: &mut impl Write) -> Result<ExitCode> {
    let ledger = Ledger::open_read(g.ledger)?;
    let (a, b) = (ledger.state_at(from)?, ledger.state_at(to)?);
    let before = projection::obligations(&a, a.head_time());
    let after = projection::obligations(&b, b.head_time());
    let changes = projection::diff(&before, &after);
    if json {
        writeln!(out, "{}", serde_json::to_value(&changes)?)?;
    } else {
        write!(out, "{}", views_render::diff_text(from, to, &changes))?;
    }
    Ok(ExitCode::SUCCESS)
}
