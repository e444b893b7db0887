//! `dev synth`: a synthetic, valid ledger for benchmarks and tests, and
//! optionally its parties' private keys, which are fixed-seed and public
//! knowledge: never keys for a real ledger.

use std::io::Write;
use std::process::ExitCode;

use accord_ledger::{synth, Ledger};
use anyhow::{Context, Result};

use super::Globals;
use crate::cli::DevCommand;
use crate::keyfile;

/// Runs one `dev` subcommand.
pub fn run(cmd: DevCommand, g: &Globals, out: &mut impl Write) -> Result<ExitCode> {
    let DevCommand::Synth {
        entries,
        keys_out,
        store,
        workload,
    } = cmd;
    let path = g.ledger;
    let mut ledger = Ledger::create(
        path,
        store,
        workload.charter(),
        &synth::key(3),
        synth::START,
    )?;
    let keys = synth::extend_workload(&mut ledger, workload, entries)?;
    if let Some(dir) = keys_out {
        std::fs::create_dir_all(&dir)
            .with_context(|| format!("cannot create {}", dir.display()))?;
        for (party, key) in &keys {
            keyfile::write_private(&dir.join(format!("{party}.pem")), key)?;
        }
    }
    writeln!(
        out,
        "synthetic ledger of {} entries in {}",
        entries + 1,
        path.display()
    )?;
    Ok(ExitCode::SUCCESS)
}
