//! `evidence check`: does a file match a digest recorded for an
//! allegation? Exit 1 when it does not. Never writes to the ledger.

use std::io::Write;
use std::process::ExitCode;

use accord_core::AllegationId;
use accord_ledger::Ledger;
use anyhow::Result;

use super::Globals;
use crate::cli::EvidenceCommand;
use crate::render;

/// Runs one `evidence` subcommand.
pub fn run(cmd: EvidenceCommand, g: &Globals, out: &mut impl Write) -> Result<ExitCode> {
    let EvidenceCommand::Check {
        allegation,
        file,
        json,
    } = cmd;
    let mut ledger = Ledger::open_read(g.ledger)?;
    let id = AllegationId::new(allegation)?;
    let offered = crate::evidence::digest(&file)?;
    let found = ledger.evidence_of(&id)?;
    let matched = found
        .iter()
        .find(|(_, e)| e.sha256 == offered.sha256 && e.size == offered.size);
    if json.json {
        let v = serde_json::json!({
            "allegation": id.as_str(),
            "file": file.display().to_string(),
            "sha256": offered.sha256.to_hex(),
            "size": offered.size,
            "matches": matched.map(|(seq, e)| serde_json::json!({"seq": seq, "name": e.name})),
        });
        writeln!(out, "{v}")?;
    } else if let Some((seq, e)) = matched {
        writeln!(
            out,
            "match: {} is {} as recorded in entry {seq} (sha256 {})",
            render::escape(&file.display().to_string()),
            render::escape(&e.name),
            e.sha256
        )?;
    } else {
        writeln!(out, "NO MATCH: {} (sha256 {}, {} bytes) is not among the {} evidence digest(s) recorded for {id}", render::escape(&file.display().to_string()), offered.sha256, offered.size, found.len())?;
    }
    Ok(if matched.is_none() {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    })
}
