//! `witness cosign`: a party, as witness, checks a checkpoint against its
//! own copy of the ledger and its memory of what it cosigned (module
//! `accord_ledger::witness`), then releases the cosigned checkpoint. The
//! memory is on disk before anything is printed or written; where it lives
//! is decided here (`--state`, `ACCORD_WITNESS_STATE`, or the user's state
//! directory). Never appends to the ledger.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use accord_ledger::witness::{self, WitnessState};
use accord_ledger::Ledger;
use anyhow::{bail, Result};

use super::checkpoint::{read_note, write_atomic};
use super::Globals;
use crate::{clock, keyfile};

/// The witness state directory: `--state` (or `ACCORD_WITNESS_STATE`,
/// which clap reads into it), else `$XDG_STATE_HOME/accord/witness`, else
/// `$HOME/.local/state/accord/witness`.
pub(super) fn state_dir(flag: Option<&Path>) -> Result<PathBuf> {
    if let Some(dir) = flag {
        return Ok(dir.to_owned());
    }
    let from = |var: &str| {
        std::env::var_os(var)
            .filter(|v| !v.is_empty())
            .map(PathBuf::from)
    };
    if let Some(xdg) = from("XDG_STATE_HOME") {
        return Ok(xdg.join("accord/witness"));
    }
    if let Some(home) = from("HOME") {
        return Ok(home.join(".local/state/accord/witness"));
    }
    bail!("no witness state directory: give --state DIR (or set ACCORD_WITNESS_STATE)")
}

/// In a debug or `dev` build, `ACCORD_CRASH_AT=witness-persisted` aborts
/// the process right after the state is durable and before the cosignature
/// is released (for the kill test).
fn crash_point() {
    #[cfg(any(feature = "dev", debug_assertions))]
    if std::env::var_os("ACCORD_CRASH_AT").is_some_and(|v| v == "witness-persisted") {
        std::process::abort();
    }
}

/// `witness cosign CHECKPOINT --key K [--state DIR] [--out F]`.
pub fn cosign(
    checkpoint: &Path,
    key: &Path,
    state: Option<&Path>,
    file: Option<&Path>,
    g: &Globals,
    out: &mut impl Write,
) -> Result<ExitCode> {
    let note = read_note(checkpoint)?;
    let key = keyfile::load_private(key)?;
    let state = WitnessState::open(&state_dir(state)?)?;
    let mut ledger = Ledger::open_read(g.ledger)?;
    let (cosigned, w) =
        witness::cosign(&mut ledger, &note, &key, &state, clock::now(), crash_point)?;
    let since = match w.previous {
        Some(size) => format!("consistent with the checkpoint it cosigned at size {size}"),
        None => "its first checkpoint of this ledger".to_owned(),
    };
    let summary = format!(
        "{} cosigned the checkpoint of {} entries signed by {} ({since})",
        w.party, w.checkpoint.size, w.signer
    );
    match file {
        None => {
            out.write_all(cosigned.format().as_bytes())?;
            eprintln!("{summary}");
        }
        Some(path) => {
            write_atomic(path, cosigned.format().as_bytes())?;
            writeln!(out, "{summary}; written to {}", path.display())?;
        }
    }
    Ok(ExitCode::SUCCESS)
}
