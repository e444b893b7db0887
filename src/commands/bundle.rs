//! The dispute-bundle commands: `prove` (a bundle from this ledger and a
//! cosigned checkpoint) and `bundle verify` (a bundle checked with nothing
//! else). `bundle verify` opens no ledger; its exit codes are verify's: 0
//! valid, 1 invalid (naming what), 3 the file could not be read.

use std::io::{self, Write};
use std::path::Path;
use std::process::ExitCode;

use accord_core::bundle::{self, Bundle, Policy, Verified, MAX_BUNDLE_BYTES};
use accord_core::note::MAX_NOTE_BYTES;
use accord_core::{LedgerId, PartyId};
use accord_ledger::Ledger;
use anyhow::{Context, Result};
use serde_json::{json, Value};

use super::checkpoint::write_atomic;
use super::Globals;
use crate::cli::BundleCommand;
use crate::render::escape;
use crate::{bounded, clock, INVALID, UNCHECKED};

/// `prove`: writes the bundle to `file` and says what it holds.
pub fn prove(
    entries: &[u64],
    items: &[String],
    checkpoint: &Path,
    file: &Path,
    g: &Globals,
    out: &mut impl Write,
) -> Result<ExitCode> {
    let text = bounded::read_at_most(checkpoint, MAX_NOTE_BYTES)?;
    let text = String::from_utf8(text).with_context(|| {
        format!(
            "{} is not a checkpoint (not UTF-8 text)",
            checkpoint.display()
        )
    })?;
    let mut ledger = Ledger::open_read(g.ledger)?;
    let proved = ledger
        .prove(&text, entries, items)
        .with_context(|| format!("cannot prove against {}", checkpoint.display()))?;
    let json = proved.bundle.to_json();
    write_atomic(file, json.as_bytes())?;
    let seqs: Vec<String> = proved
        .bundle
        .entries
        .iter()
        .map(|e| e.seq.to_string())
        .collect();
    writeln!(
        out,
        "wrote {} ({} bytes): entries {} with the charter and {} key event(s), proven against the checkpoint",
        file.display(),
        json.len(),
        seqs.join(", "),
        proved.bundle.key_events.len().saturating_sub(1)
    )?;
    if !proved.left_out.is_empty() {
        let past: Vec<String> = proved.left_out.iter().map(u64::to_string).collect();
        writeln!(
            out,
            "left out entries {} (past the checkpoint): cosign a newer checkpoint to prove them",
            past.join(", ")
        )?;
    }
    // Say at once whether the default policy accepts it.
    if let Err(e) = bundle::check(&proved.bundle, &Policy::default()) {
        writeln!(
            out,
            "warning: under the charter's default policy this bundle does not verify: {}",
            escape(&e.to_string())
        )?;
    }
    Ok(ExitCode::SUCCESS)
}

pub fn run(cmd: BundleCommand, g: &super::Globals, out: &mut impl Write) -> Result<ExitCode> {
    match cmd {
        BundleCommand::Verify {
            file,
            witnesses,
            quorum,
            json,
        } => verify(&file, witnesses, quorum, g.ledger_id, json.json, out),
    }
}

fn verify(
    file: &Path,
    witnesses: Option<Vec<String>>,
    quorum: Option<usize>,
    ledger_id: Option<&str>,
    json: bool,
    out: &mut impl Write,
) -> Result<ExitCode> {
    let ledger = ledger_id
        .map(|h| {
            h.trim()
                .parse::<LedgerId>()
                .map_err(|_| anyhow::anyhow!("--ledger-id {h:?} is not 64 hex digits"))
        })
        .transpose()?;
    let bytes = match bounded::read_at_most(file, MAX_BUNDLE_BYTES) {
        Ok(b) => b,
        Err(e) => {
            let _ = writeln!(io::stderr(), "error: {e}");
            return Ok(ExitCode::from(UNCHECKED));
        }
    };
    let witnesses = witnesses
        .map(|list| {
            list.iter()
                .map(|w| PartyId::new(w.trim()).with_context(|| format!("--witnesses: {w:?}")))
                .collect::<Result<Vec<_>>>()
        })
        .transpose()?;
    let pinned = ledger.is_some();
    let policy = Policy {
        witnesses,
        quorum,
        ledger,
    };
    let outcome = Bundle::from_json(&bytes).and_then(|b| bundle::check(&b, &policy));
    let code = match outcome.is_ok() {
        true => ExitCode::SUCCESS,
        false => ExitCode::from(INVALID),
    };
    match (outcome, json) {
        (Ok(v), true) => writeln!(out, "{}", verified_json(&v))?,
        (Ok(v), false) => write!(out, "{}", verified_text(&v, pinned))?,
        (Err(e), true) => writeln!(
            out,
            "{}",
            json!({ "valid": false, "reason": e.to_string() })
        )?,
        (Err(e), false) => writeln!(out, "INVALID bundle: {}", escape(&e.to_string()))?,
    }
    Ok(code)
}

/// "tr", "tr and ir", "tr, ru and ir".
fn and_list(names: &[&str]) -> String {
    match names {
        [] => String::new(),
        [one] => (*one).to_owned(),
        [rest @ .., last] => format!("{} and {last}", rest.join(", ")),
    }
}

fn short(s: &str, max: usize) -> String {
    match s.chars().count() <= max {
        true => s.to_owned(),
        false => s.chars().take(max - 1).chain(['…']).collect(),
    }
}

fn verified_text(v: &Verified, pinned: bool) -> String {
    let mut s = format!(
        "VALID bundle: {} entr{} of ledger {}, in its checkpoint of size {} signed by {}\n",
        v.entries.len(),
        if v.entries.len() == 1 { "y" } else { "ies" },
        v.ledger.to_hex(),
        v.size,
        v.signer
    );
    for e in &v.entries {
        s += &format!(
            "  entry {}  {}  {}  {}: {}  verified\n",
            e.seq,
            clock::format(e.time),
            e.author,
            e.kind,
            escape(&short(&e.says, 100))
        );
    }
    if v.entries.len() > 1 {
        let order: Vec<String> = v.entries.iter().map(|e| e.seq.to_string()).collect();
        s += &format!(
            "order: entries {} by position in the ledger (proven by the tree); times are their authors' claims\n",
            order.join(" < ")
        );
    }
    s += &format!(
        "key history: {} key event(s) replayed, the charter included; none left out (they match the checkpoint's accord-keys)\n",
        v.key_events
    );
    let cosigned: Vec<String> = v
        .cosigners
        .iter()
        .map(|(p, t)| format!("{p} at {}", clock::format(*t)))
        .collect();
    let witnesses: Vec<&str> = v.witnesses.iter().map(PartyId::as_str).collect();
    s += &format!(
        "witnesses: cosigned by {}; policy: {} of {}\n",
        cosigned.join(", "),
        v.quorum,
        witnesses.join(",")
    );
    let by: Vec<&str> = v.time_bound.by.iter().map(PartyId::as_str).collect();
    s += &format!(
        "existed no later than {}, per {}\n",
        clock::format(v.time_bound.time),
        and_list(&by)
    );
    if !pinned {
        s += "note: judged against the charter the bundle carries; compare the ledger id above with one you trust, or pass --ledger-id\n";
    }
    s
}

fn verified_json(v: &Verified) -> Value {
    json!({
        "valid": true,
        "ledger": v.ledger.to_hex(),
        "origin": v.origin,
        "size": v.size,
        "signer": v.signer.as_str(),
        "key_events": v.key_events,
        "entries": v.entries.iter().map(|e| json!({
            "seq": e.seq,
            "hash": e.hash.to_hex(),
            "kind": e.kind,
            "author": e.author.as_str(),
            "key": e.key.to_hex(),
            "says": e.says,
            "time": clock::format(e.time),
            "verified": true,
        })).collect::<Vec<_>>(),
        "witnesses": v.witnesses.iter().map(PartyId::as_str).collect::<Vec<_>>(),
        "quorum": v.quorum,
        "cosigners": v.cosigners.iter().map(|(p, t)| json!({ "party": p.as_str(), "time": clock::format(*t) })).collect::<Vec<_>>(),
        "existed_no_later_than": {
            "time": clock::format(v.time_bound.time),
            "per": v.time_bound.by.iter().map(PartyId::as_str).collect::<Vec<_>>(),
        },
    })
}
