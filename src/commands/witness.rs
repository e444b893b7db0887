//! `witness cosign`: a party, as witness, checks a checkpoint against its
//! own copy of the ledger and its memory of what it cosigned (module
//! `accord_ledger::witness`), then releases the cosigned checkpoint. The
//! memory is on disk before anything is printed or written; where it lives
//! is decided here (`--state`, `ACCORD_WITNESS_STATE`, or the user's state
//! directory). Never appends to the ledger.
//!
//! `witness serve` runs a C2SP tlog-witness for any logs (accord-server's
//! `witness` module, deciding through `accord_ledger::tlog_witness`);
//! `witness submit` is the log's side: it sends this ledger's checkpoint
//! with a consistency proof, checks the cosignature against the witness
//! key it was given, and merges it into the checkpoint file; `witness
//! vkey` prints the verifier keys the two exchange.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use accord_core::note::{Note, NoteKey, SigType, Verified};
use accord_core::tlog_witness::{parse_size, AddCheckpoint, TreeHead, SIZE_CONTENT_TYPE};
use accord_ledger::tlog_witness::TlogWitness;
use accord_ledger::witness::{self, WitnessState};
use accord_ledger::Ledger;
use anyhow::{bail, Context, Result};

use super::checkpoint::{read_note, write_atomic};
use super::Globals;
use crate::cli::WitnessServe;
use crate::{clock, keyfile, remote};

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

/// `witness serve --listen A --key K --name N --log ORIGIN=VKEY...`.
pub fn serve(args: &WitnessServe, out: &mut impl Write) -> Result<ExitCode> {
    let mut logs = Vec::new();
    for log in &args.logs {
        let (origin, vkey) = log
            .split_once('=')
            .with_context(|| format!("--log {log:?} is not ORIGIN=VKEY"))?;
        let key = NoteKey::from_vkey(vkey)
            .with_context(|| format!("--log {origin}: the verifier key"))?;
        logs.push((origin.to_owned(), key));
    }
    let key = keyfile::load_private(&args.key.key)?;
    let state = state_dir(args.state.as_deref())?;
    let witness = TlogWitness::new(&args.name, key, logs, &state)?;
    let listener = std::net::TcpListener::bind(args.listen)
        .with_context(|| format!("cannot listen on {}", args.listen))?;
    writeln!(out, "{}", listener.local_addr()?)?;
    writeln!(out, "{}", witness.vkey().vkey())?;
    out.flush()?;
    let config = accord_server::witness::WitnessConfig {
        max_requests: args.max_requests,
        limits: Default::default(),
        now: clock::now,
        persisted: crash_point,
    };
    accord_server::witness::run(listener, witness, config)?;
    Ok(ExitCode::SUCCESS)
}

/// Most requests one submission makes: a first one from size 0, one from
/// the size the witness names, and one more if the log grew meanwhile.
const MAX_SUBMISSIONS: usize = 3;

/// `witness submit --to URL --checkpoint F --witness-vkey V`.
pub fn submit(
    to: &str,
    checkpoint: &Path,
    witness_vkey: &str,
    g: &Globals,
    out: &mut impl Write,
) -> Result<ExitCode> {
    let witness = NoteKey::from_vkey(witness_vkey).context("--witness-vkey")?;
    if witness.sig_type != SigType::CosignatureV1 {
        bail!("--witness-vkey is a note signer's key (type 0x01), not a cosigner's (type 0x04): ask the witness's operator for its cosigning key");
    }
    if !(to.starts_with("http://") || to.starts_with("https://")) {
        bail!("--to {to:?} is not an http:// or https:// URL");
    }
    let url = format!("{}/add-checkpoint", to.trim_end_matches('/'));
    let note = super::checkpoint::read_note(checkpoint)?;
    let head = TreeHead::parse(note.text())
        .with_context(|| format!("{} is not a checkpoint", checkpoint.display()))?;
    let mut ledger = None;
    let mut old = 0;
    for _ in 0..MAX_SUBMISSIONS {
        let proof = if old == 0 || old == head.size {
            Vec::new()
        } else {
            if ledger.is_none() {
                ledger = Some(Ledger::open_read(g.ledger)?);
            }
            let Some(l) = ledger.as_mut() else {
                bail!("the ledger could not be opened")
            };
            l.consistency_proof(old, head.size).with_context(|| {
                format!("the consistency proof from size {old} to {}", head.size)
            })?
        };
        let answer = remote::post_text(&url, &AddCheckpoint::format(old, &proof, &note))?;
        match answer.status {
            200 => return merge(checkpoint, note, &witness, &answer.body, old, out),
            409 => {
                let sized = answer
                    .content_type
                    .as_deref()
                    .is_some_and(|t| t.starts_with(SIZE_CONTENT_TYPE));
                let latest = parse_size(&answer.body).filter(|_| sized).with_context(|| {
                    format!("{url} answered 409 without a size (text/x.tlog.size): it is not a tlog-witness")
                })?;
                if latest > head.size {
                    bail!("the witness has cosigned a larger checkpoint of this log (size {latest}) than this one ({}): make a new checkpoint and submit it", head.size);
                }
                if latest == old {
                    bail!("the witness holds another checkpoint of size {latest} for this log: the log forked, or this checkpoint is not the one the witness saw (it refuses to cosign)");
                }
                old = latest;
            }
            status => bail!(
                "the witness refused the checkpoint: HTTP {status}: {}",
                remote::first_line(&answer.body)
            ),
        }
    }
    bail!("the witness's size kept changing: {MAX_SUBMISSIONS} submissions were refused with 409; try again")
}

/// Checks the cosignature lines `body` against `witness` and writes them
/// into the checkpoint file, replacing an older cosignature by that key.
fn merge(
    path: &Path,
    note: Note,
    witness: &NoteKey,
    body: &[u8],
    old: u64,
    out: &mut impl Write,
) -> Result<ExitCode> {
    let text = std::str::from_utf8(body).context("the witness's answer is not UTF-8")?;
    let answered = Note::parse(format!("{}\n{text}", note.text()).as_bytes())
        .context("the witness's answer is not cosignature lines")?;
    let Some(Verified::Cosigned { timestamp }) = answered
        .verify(witness)
        .context("the witness's cosignature does not verify")?
    else {
        bail!(
            "the witness's answer holds no cosignature by {} (key id {:08x}): it is another witness, or --witness-vkey is wrong",
            witness.name,
            witness.key_id()
        );
    };
    let by_witness = |l: &accord_core::note::SignatureLine| {
        l.name == witness.name && l.key_id == witness.key_id()
    };
    let mut merged = Note::new(note.text())?;
    for line in note.signatures().iter().filter(|l| !by_witness(l)) {
        merged.push_line(line.clone())?;
    }
    for line in answered.signatures().iter().filter(|l| by_witness(l)) {
        merged.push_line(line.clone())?;
    }
    write_atomic(path, merged.format().as_bytes())?;
    let since = match old {
        0 => "its first checkpoint of this log".to_owned(),
        n => format!("consistent with the one it cosigned at size {n}"),
    };
    writeln!(
        out,
        "{} cosigned the checkpoint at time {timestamp} ({since}); written to {}",
        witness.name,
        path.display()
    )?;
    Ok(ExitCode::SUCCESS)
}

/// `witness vkey --key F --name N [--cosigner]`.
pub fn vkey(key: &Path, name: &str, cosigner: bool, out: &mut impl Write) -> Result<ExitCode> {
    let key = NoteKey {
        name: name.to_owned(),
        sig_type: if cosigner {
            SigType::CosignatureV1
        } else {
            SigType::Ed25519
        },
        key: keyfile::load_public(key)?,
    };
    accord_core::note::check_name(name).context("--name")?;
    writeln!(out, "{}", key.vkey())?;
    Ok(ExitCode::SUCCESS)
}
