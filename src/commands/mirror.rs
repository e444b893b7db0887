//! `mirror`, `sync` and `fork check`: argv, files and the terminal around
//! [`accord_ledger::mirror`], which judges every byte fetched. This module
//! fetches (src/remote.rs), hands bytes over, writes the fork proof file,
//! and, for a witness, cosigns through [`accord_ledger::witness::cosign`]
//! and posts the cosignature. Holds no rule and no format of its own.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use accord_core::fork::{self, ForkKind, ForkProof, MAX_FORK_PROOF_BYTES};
use accord_core::LedgerId;
use accord_ledger::mirror::{Mirror, MirrorError, Source};
use accord_ledger::witness::{self, WitnessState};
use accord_ledger::Backend;
use anyhow::{Context, Result};
use serde_json::json;

use super::checkpoint::write_atomic;
use super::Globals;
use crate::cli::MirrorArgs;
use crate::remote::{CosignAnswer, Remote};
use crate::{bounded, clock, keyfile, one_line, FORK};

/// The server, as the mirror logic reads it.
struct Http<'a>(&'a Remote);

impl Source for Http<'_> {
    fn checkpoint(&mut self) -> Result<Vec<u8>, String> {
        self.0
            .get("/checkpoint")
            .map_err(|e| one_line(&e))?
            .ok_or_else(|| {
                format!(
                    "{} serves no checkpoint: its host must run `accord serve --key`",
                    self.0.url()
                )
            })
    }

    fn entries(&mut self, from: u64) -> Result<Vec<Vec<u8>>, String> {
        self.0.entries(from).map_err(|e| one_line(&e))
    }

    fn entry(&mut self, seq: u64) -> Result<Vec<u8>, String> {
        self.0
            .must_get(&format!("/entry/{seq}"))
            .map_err(|e| one_line(&e))
    }

    fn inclusion(&mut self, seq: u64, size: u64) -> Result<Vec<u8>, String> {
        self.0
            .must_get(&format!("/proof/inclusion?seq={seq}&size={size}"))
            .map_err(|e| one_line(&e))
    }

    fn consistency(&mut self, old: u64, new: u64) -> Result<Vec<u8>, String> {
        self.0
            .must_get(&format!("/proof/consistency?old={old}&new={new}"))
            .map_err(|e| one_line(&e))
    }
}

/// The default fork proof file: `<ledger>.fork-proof.json` beside it.
fn default_proof_path(ledger: &Path) -> PathBuf {
    let name = ledger
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "ledger".into());
    ledger.with_file_name(format!("{name}.fork-proof.json"))
}

/// `path`, or if a file is there already (an earlier proof: evidence is
/// never overwritten), the first of `<stem>.2.<ext>`, `<stem>.3.<ext>`, …
/// that is free.
fn unused(path: PathBuf) -> Result<PathBuf> {
    if !path.exists() {
        return Ok(path);
    }
    let stem = path
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_default();
    let ext = path
        .extension()
        .map(|e| format!(".{}", e.to_string_lossy()))
        .unwrap_or_default();
    (2..10_000)
        .map(|n| path.with_file_name(format!("{stem}.{n}{ext}")))
        .find(|p| !p.exists())
        .with_context(|| format!("{}: too many proofs beside it already", path.display()))
}

/// `mirror [--from URL] [--ledger-id HEX] ...` and `sync ...` (no URL).
pub fn run(
    from: Option<&str>,
    opts: &MirrorArgs,
    store: Backend,
    g: &Globals,
    out: &mut impl Write,
) -> Result<ExitCode> {
    let pinned: Option<LedgerId> = g
        .ledger_id
        .map(|h| {
            h.parse()
                .with_context(|| format!("--ledger-id {h:?} is not 64 hex digits"))
        })
        .transpose()?;
    let witness_key = opts
        .witness_key
        .as_deref()
        .map(keyfile::load_private)
        .transpose()?;
    let mut mirror = if g.ledger.exists() {
        Mirror::open(g.ledger, from)?
    } else {
        let url = from.with_context(|| {
            format!(
                "{} does not exist: create a replica there with `accord mirror --from URL`",
                g.ledger.display()
            )
        })?;
        let remote = Remote::new(url)?;
        let genesis = remote
            .entries(0)?
            .into_iter()
            .next()
            .context("the server sent no entry 0")?;
        Mirror::create(g.ledger, store, remote.url(), genesis, pinned)?
    };
    if let (Some(expected), Ok(first)) = (pinned, mirror.ledger_mut().entry(0)) {
        if first.hash != expected {
            anyhow::bail!(
                "this replica is of ledger {}, not the pinned --ledger-id {expected}",
                first.hash
            );
        }
    }
    let remote = Remote::new(&mirror.state().url)?;
    let updated = match mirror.update(&mut Http(&remote), clock::now()) {
        Ok(u) => u,
        Err(MirrorError::Fork(proof)) => {
            let path = unused(
                opts.fork_proof
                    .clone()
                    .unwrap_or_else(|| default_proof_path(g.ledger)),
            )?;
            write_atomic(&path, proof.to_json().as_bytes())?;
            let (label, kept) = match proof.kind {
                ForkKind::Rollback => (
                    "rollback refused",
                    "the two checkpoints are kept (a record, not a proof)",
                ),
                _ => ("inconsistent history refused", "proof written"),
            };
            let _ = writeln!(
                std::io::stderr(),
                "error: {label} from {}: {}; {kept} in {}",
                remote.url(),
                proof.note,
                path.display()
            );
            return Ok(ExitCode::from(FORK));
        }
        Err(e) => return Err(e.into()),
    };
    writeln!(
        out,
        "{} entries (was {}) from {}; checkpoint of {} entries signed by {} accepted",
        updated.to,
        updated.from,
        remote.url(),
        updated.checkpoint.size,
        updated.signer
    )?;
    if let Some(key) = witness_key {
        let state = WitnessState::open(&super::witness::state_dir(opts.witness_state.as_deref())?)?;
        let (cosigned, w) = witness::cosign(
            mirror.ledger_mut(),
            &updated.note,
            &key,
            &state,
            clock::now(),
            || {},
        )?;
        match remote.post_cosignature(cosigned.format().as_bytes())? {
            CosignAnswer::Merged(served) => {
                let lines = accord_core::note::Note::parse(&served)
                    .map(|n| n.signatures().len().saturating_sub(1))
                    .unwrap_or(0);
                writeln!(
                    out,
                    "{} cosigned the checkpoint of {} entries; the server now serves it with {lines} cosignature(s)",
                    w.party, w.checkpoint.size
                )?
            }
            CosignAnswer::Stale(why) => anyhow::bail!(
                "{} cosigned the checkpoint of {} entries, but the server has moved on ({why}): run `accord sync` again",
                w.party,
                w.checkpoint.size
            ),
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// `fork check FILE [--json]`: exit 0 if the proof holds, 1 if not.
pub fn check(file: &Path, json: bool, out: &mut impl Write) -> Result<ExitCode> {
    let bytes = bounded::read_at_most(file, MAX_FORK_PROOF_BYTES)?;
    let verdict = ForkProof::from_json(&bytes).and_then(|p| fork::check(&p));
    match (&verdict, json) {
        (Ok(v), true) => writeln!(
            out,
            "{}",
            json!({
                "holds": true,
                "kind": match v.kind { ForkKind::Fork => "fork", ForkKind::Rollback => "rollback", ForkKind::Inconsistent => "inconsistent" },
                "ledger": v.ledger.to_hex(),
                "ours": {"size": v.ours.0, "signer": v.ours.1.as_str()},
                "theirs": {"size": v.theirs.0, "signer": v.theirs.1.as_str()},
                "seq": v.seq,
                "equivocation": v.equivocation.as_ref().map(|(p, n)| json!({"party": p.as_str(), "author_seq": n})),
                "entries_signed": v.entries_signed,
            })
        )?,
        (Ok(v), false) => {
            // Only a fork holds (a rollback record proves nothing).
            let what = format!(
                "fork: the checkpoints of {} entries (signed by {}) and {} entries (signed by {}) hold different entries {}",
                v.ours.0,
                v.ours.1,
                v.theirs.0,
                v.theirs.1,
                v.seq.map(|s| s.to_string()).unwrap_or_default()
            );
            writeln!(out, "the proof holds: {what} of ledger {}", v.ledger)?;
            if let Some((party, n)) = &v.equivocation {
                let signed = match v.entries_signed {
                    true => "both signed with its listed key",
                    false => "their signatures not checked against a listed key",
                };
                writeln!(
                    out,
                    "both entries claim author {party} and author sequence number {n} ({signed}): an equivocation by {party}"
                )?;
            }
            writeln!(
                out,
                "it relies on the keys it lists being the named parties' keys: check them against your copy or the charter"
            )?;
        }
        (Err(e), true) => writeln!(out, "{}", json!({"holds": false, "error": e.to_string()}))?,
        (Err(e), false) => writeln!(out, "the proof does not hold: {e}")?,
    }
    Ok(match verdict {
        Ok(_) => ExitCode::SUCCESS,
        Err(_) => ExitCode::FAILURE,
    })
}
