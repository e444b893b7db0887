//! `checkpoint` (the ledger's signed checkpoint, to a file or standard
//! output) and the checkpoint part of `verify --checkpoint` (the ledger
//! equals or extends a checkpoint signed by a party and cosigned by a
//! quorum of witnesses). Reading notes is bounded; files are written
//! atomically. Never appends to the ledger.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use accord_core::note::{Note, MAX_NOTE_BYTES};
use accord_core::{PartyId, State};
use accord_ledger::checkpoint::{CheckpointError, Policy};
use accord_ledger::{DiskLedger, Ledger};
use anyhow::{Context, Result};

use super::Globals;
use crate::{bounded, clock, durable, keyfile};

/// `checkpoint --key K [--out F]`.
pub fn write(
    key: &Path,
    file: Option<&Path>,
    g: &Globals,
    out: &mut impl Write,
) -> Result<ExitCode> {
    let mut ledger = Ledger::open_read(g.ledger)?;
    let signer = keyfile::load_private(key)?;
    let (note, party) = ledger.checkpoint(&signer)?;
    match file {
        None => out.write_all(note.format().as_bytes())?,
        Some(path) => {
            write_atomic(path, note.format().as_bytes())?;
            let size = note.text().lines().nth(1).unwrap_or("?");
            writeln!(
                out,
                "checkpoint of {size} entries signed by {party} written to {}",
                path.display()
            )?;
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// Reads a signed note from `path` (a regular file of bounded size).
pub fn read_note(path: &Path) -> Result<Note> {
    let bytes = bounded::read_at_most(path, MAX_NOTE_BYTES)?;
    Note::parse(&bytes).with_context(|| format!("{} is not a signed checkpoint", path.display()))
}

/// Writes `bytes` to a scratch file beside `path`, synced, renamed over
/// `path`, and the directory synced: whole or not at all.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> Result<()> {
    let name = path
        .file_name()
        .with_context(|| format!("{} is not a file name", path.display()))?;
    let scratch = path.with_file_name(format!(".{}.partial", name.to_string_lossy()));
    match std::fs::remove_file(&scratch) {
        Err(e) if e.kind() != std::io::ErrorKind::NotFound => {
            return Err(e).with_context(|| format!("cannot remove {}", scratch.display()))
        }
        _ => {}
    }
    let written = (|| -> std::io::Result<()> {
        let mut f = std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(&scratch)?;
        f.write_all(bytes)?;
        f.sync_all()
    })();
    if let Err(e) = written {
        let _ = std::fs::remove_file(&scratch);
        return Err(e).with_context(|| format!("cannot write {}", path.display()));
    }
    std::fs::rename(&scratch, path).with_context(|| format!("cannot write {}", path.display()))?;
    durable::sync_parent(path)
}

/// `verify --checkpoint F [--witnesses ..] [--quorum N]`.
#[derive(Debug)]
pub struct Trust {
    pub file: PathBuf,
    pub witnesses: Vec<String>,
    pub quorum: Option<usize>,
}

/// What a checkpoint check found: trusted (a line and its JSON) or refused
/// (the reason). An error is "could not check".
pub enum Judged {
    Trusted(String, serde_json::Value),
    Refused(String),
}

/// Judges `trust`'s checkpoint against `ledger` (already verified by the
/// caller): match at its size, its party signature, and the policy's
/// quorum of cosignatures.
pub fn judge(ledger: &DiskLedger, trust: &Trust) -> Result<Judged> {
    let note = match read_note(&trust.file) {
        Ok(n) => n,
        // A file that cannot be read says nothing; one that is not a note
        // is a refused checkpoint.
        Err(e) if e.downcast_ref::<bounded::ReadError>().is_some() => return Err(e),
        Err(e) => return Ok(Judged::Refused(crate::one_line(&e))),
    };
    // Keys from a verifying replay, not from derived data.
    let state: State = ledger.replay()?;
    let charter = state.charter();
    let mut policy = Policy::of_charter(charter);
    if !trust.witnesses.is_empty() {
        policy.witnesses = trust
            .witnesses
            .iter()
            .map(|w| PartyId::new(w.trim()))
            .collect::<Result<_, _>>()
            .context("--witnesses")?;
        let mut seen = std::collections::BTreeSet::new();
        policy.witnesses.retain(|w| seen.insert(w.clone()));
    }
    if let Some(q) = trust.quorum {
        policy.quorum = q;
    }
    let refused = |e: CheckpointError| -> Result<Judged> {
        if e.is_verdict() {
            Ok(Judged::Refused(e.to_string()))
        } else {
            Err(e.into())
        }
    };
    let matched = match ledger.match_checkpoint(&note, charter, state.keyring()) {
        Ok(m) => m,
        Err(e) => return refused(e),
    };
    let cp = &matched.checkpoint;
    let cosigners =
        match accord_ledger::checkpoint::cosigners(&note, cp, charter, state.keyring(), &policy) {
            Ok(c) => c,
            Err(e @ (CheckpointError::UnknownWitness(_) | CheckpointError::BadQuorum { .. })) => {
                // A bad policy is the user's mistake, not the checkpoint's.
                return Err(e).context("--witnesses/--quorum");
            }
            Err(e) => return refused(e),
        };
    let entries = state.head().seq + 1;
    let relation = if cp.size == entries {
        "the ledger equals it".to_owned()
    } else {
        format!("the ledger ({entries} entries) extends it")
    };
    let listed: Vec<String> = cosigners
        .iter()
        .map(|(p, t)| {
            format!(
                "{p} at {}",
                clock::format(i64::try_from(*t).unwrap_or(i64::MAX))
            )
        })
        .collect();
    let line = format!(
        "checkpoint trusted: {} entries, root {}, signed by {}, cosigned by {} ({} of {} needed from {}); {relation}",
        cp.size,
        note.text().lines().nth(2).unwrap_or_default(),
        matched.signer,
        listed.join(", "),
        cosigners.len(),
        policy.quorum,
        policy
            .witnesses
            .iter()
            .map(PartyId::as_str)
            .collect::<Vec<_>>()
            .join(", ")
    );
    let json = serde_json::json!({
        "trusted": true,
        "size": cp.size,
        "root": hex::encode(cp.root),
        "signer": matched.signer.as_str(),
        "cosigners": cosigners.iter().map(|(p, t)| serde_json::json!({
            "party": p.as_str(),
            "timestamp": t,
        })).collect::<Vec<_>>(),
        "quorum": policy.quorum,
        "witnesses": policy.witnesses.iter().map(PartyId::as_str).collect::<Vec<_>>(),
    });
    Ok(Judged::Trusted(line, json))
}
