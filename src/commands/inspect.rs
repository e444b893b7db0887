//! The read-only views of entries: `log`, `show`, `history` and `diff`.
//! Never writes to the ledger.

use std::io::Write;
use std::process::ExitCode;

use std::collections::VecDeque;

use accord_core::{projection, Sealed};
use accord_ledger::Ledger;
use anyhow::{bail, Result};

use super::Globals;
use crate::cli::{LogArgs, Since};
use crate::{render, views_render};

/// `log`: one line (or JSON object) per entry that passes the filters.
pub fn log(args: &LogArgs, g: &Globals, out: &mut impl Write) -> Result<ExitCode> {
    let ledger = Ledger::open_read(g.ledger)?;
    let from = match args.since {
        Some(Since::Seq(seq)) => seq,
        _ => 0,
    };
    // issue 15: json (filters; --tail keeps only the last N that pass)
    let mut kept = VecDeque::new();
    let print = |entry: &Sealed, out: &mut dyn Write| -> Result<()> {
        if args.json.json {
            writeln!(out, "{}", render::log_json(entry))?;
        } else {
            writeln!(out, "{}", render::log_line(entry))?;
        }
        Ok(())
    };
    for entry in ledger.entries(from) {
        let entry = entry?;
        if !passes(args, &entry) {
            continue;
        }
        match args.tail {
            Some(0) => {}
            Some(n) => {
                if kept.len() == n {
                    kept.pop_front();
                }
                kept.push_back(entry);
            }
            None => print(&entry, out)?,
        }
    }
    for entry in &kept {
        print(entry, out)?;
    }
    Ok(ExitCode::SUCCESS)
}

/// Whether `entry` passes every filter of `log` given in `args`.
fn passes(args: &LogArgs, entry: &Sealed) -> bool {
    let b = &entry.entry.body;
    if args
        .party
        .as_deref()
        .is_some_and(|p| b.author.party.as_str() != p)
    {
        return false;
    }
    if !args.kind.is_empty() && !args.kind.iter().any(|k| k == b.event.kind()) {
        return false;
    }
    if let Some(item) = &args.item {
        if !b.event.mentions().contains(&item.as_str()) {
            return false;
        }
    }
    match args.since {
        Some(Since::Time(t)) => b.time >= t,
        _ => true,
    }
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
            writeln!(out, "{}", render::history_json(e))?;
        } else {
            writeln!(out, "{}", render::log_line(e))?;
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// `diff`: what changed in the obligations between two entries.
pub fn diff(from: u64, to: u64, json: bool, g: &Globals, out: &mut impl Write) -> Result<ExitCode> {
    // issue 15: json (a reversed diff would read as history undone)
    if from > to {
        eprintln!("error: --from {from} is after --to {to}: a diff runs forward (swap them)");
        return Ok(ExitCode::from(2));
    }
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
