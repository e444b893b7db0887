//! `evidence check`: does a file match a digest recorded for an item (an
//! allegation and its responses, an observation, measures reported on a
//! recommendation, or evidence added to any item; salted digests with the
//! salt given)? Exit 1 when it does not. Never writes to the ledger.
//!
//! `evidence add`: records digests of files for an item already on
//! record; a salted digest's salt is drawn here, printed once and written
//! beside the file, and never enters the ledger.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use accord_core::ids::{ItemId, Sha256};
use accord_core::terms::Exhibit;
use accord_core::{AllegationId, Event, RecordKey};
use accord_ledger::{DiskLedger, Ledger};
use anyhow::{bail, Context, Result};

use super::monitoring::Writing as MonitoringWriting;
use super::Globals;
use crate::cli::EvidenceCommand;
use crate::record::Writing;
use crate::render;

/// One digest on record for an item.
struct OnRecord {
    seq: u64,
    name: String,
    sha256: Sha256,
    size: u64,
    salted: bool,
}

/// Runs one `evidence` subcommand.
pub fn run(cmd: EvidenceCommand, g: &Globals, out: &mut impl Write) -> Result<ExitCode> {
    match cmd {
        EvidenceCommand::Check {
            item,
            file,
            salt,
            json,
        } => check(&item, &file, salt.as_deref(), json.json, g, out),
        EvidenceCommand::Add {
            item,
            files,
            salted,
            note,
            key,
        } => add(&item, &files, salted, note, key, g, out),
    }
}

fn check(
    item: &str,
    file: &Path,
    salt: Option<&str>,
    json: bool,
    g: &Globals,
    out: &mut impl Write,
) -> Result<ExitCode> {
    let mut ledger = Ledger::open_read(g.ledger)?;
    let id = ItemId::new(item)?;
    let salt = salt.map(crate::evidence::parse_salt).transpose()?;
    let offered = crate::evidence::digest(file)?;
    let salted = salt
        .as_ref()
        .map(|s| crate::evidence::digest_with(file, Some(s)))
        .transpose()?;
    let found = on_record(&mut ledger, &id)?;
    let matched = found.iter().find(|e| {
        let mine = if e.salted {
            salted.as_ref()
        } else {
            Some(&offered)
        };
        mine.is_some_and(|m| e.sha256 == m.sha256 && e.size == m.size)
    });
    if json {
        let v = serde_json::json!({
            "item": id.as_str(),
            "file": file.display().to_string(),
            "sha256": offered.sha256.to_hex(),
            "salted_sha256": salted.as_ref().map(|s| s.sha256.to_hex()),
            "size": offered.size,
            "matches": matched.map(|e| serde_json::json!({"seq": e.seq, "name": e.name, "salted": e.salted})),
        });
        writeln!(out, "{v}")?;
    } else if let Some(e) = matched {
        writeln!(
            out,
            "match: {} is {} as recorded in entry {} ({}sha256 {})",
            render::escape(&file.display().to_string()),
            render::escape(&e.name),
            e.seq,
            if e.salted { "salted " } else { "" },
            e.sha256
        )?;
    } else {
        let salted_on_record = found.iter().filter(|e| e.salted).count();
        let hint = if salted.is_none() && salted_on_record > 0 {
            format!(" ({salted_on_record} of them salted: give --salt HEX to check against those)")
        } else {
            String::new()
        };
        writeln!(out, "NO MATCH: {} (sha256 {}, {} bytes) is not among the {} evidence digest(s) recorded for {id}{hint}", render::escape(&file.display().to_string()), offered.sha256, offered.size, found.len())?;
    }
    Ok(if matched.is_none() {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    })
}

/// Every digest recorded for the item: with its filing (an allegation and
/// its responses, an observation), with measures reported on it (a
/// recommendation), and added to it later.
fn on_record(ledger: &mut DiskLedger, id: &ItemId) -> Result<Vec<OnRecord>> {
    let mut keys = RecordKey::every_kind(id.as_str());
    keys.push(RecordKey::Notes(id.clone()));
    let records = ledger.records(keys.clone())?;
    if !keys.iter().any(|k| records.contains(k)) {
        bail!("no item {id} is on record");
    }
    let mut out = Vec::new();
    let plain = |seq: u64, e: accord_core::Evidence| OnRecord {
        seq,
        name: e.name,
        sha256: e.sha256,
        size: e.size,
        salted: false,
    };
    if let Ok(a) = AllegationId::new(id.as_str()) {
        if records.allegations().contains_key(&a) {
            out.extend(
                ledger
                    .evidence_of(&a)?
                    .into_iter()
                    .map(|(seq, e)| plain(seq, e)),
            );
        }
    }
    if let Some(o) = accord_core::ids::ObservationId::new(id.as_str())
        .ok()
        .and_then(|o| records.observations().get(&o))
    {
        out.extend(o.evidence.iter().cloned().map(|e| plain(o.recorded.seq, e)));
    }
    let mut seqs: Vec<u64> = Vec::new();
    if let Some(r) = accord_core::ids::RecommendationId::new(id.as_str())
        .ok()
        .and_then(|r| records.recommendations().get(&r))
    {
        seqs.extend(&r.measures);
    }
    if let Some(n) = records.notes().get(id) {
        seqs.extend(n.evidence.iter().map(|(_, seq, _)| *seq));
    }
    for seq in seqs {
        match ledger.entry(seq)?.entry.body.event {
            Event::MeasuresReported { evidence, .. } => {
                out.extend(evidence.into_iter().map(|e| plain(seq, e)))
            }
            Event::EvidenceAdded { evidence, .. } => {
                out.extend(evidence.into_iter().map(|e: Exhibit| OnRecord {
                    seq,
                    name: e.name,
                    sha256: e.sha256,
                    size: e.size,
                    salted: e.salted,
                }))
            }
            _ => {}
        }
    }
    Ok(out)
}

/// `evidence add`: the files' digests (salted under one fresh salt each
/// with --salted) appended as one entry; then each salt printed once and
/// written to FILE.salt (mode 0600), only once the entry is stored.
fn add(
    item: &str,
    files: &[PathBuf],
    salted: bool,
    note: String,
    key: crate::cli::KeyArg,
    g: &Globals,
    out: &mut impl Write,
) -> Result<ExitCode> {
    // issue 15: json (with --json, standard output is the one object of
    // what was appended; the salts' lines go to standard error)
    let json = key.json;
    let key = key.key;
    let item = ItemId::new(item)?;
    let mut exhibits = Vec::with_capacity(files.len());
    let mut salts = Vec::new();
    for f in files {
        let salt = salted.then(crate::evidence::fresh_salt).transpose()?;
        let e = crate::evidence::digest_with(f, salt.as_ref())?;
        exhibits.push(Exhibit {
            name: e.name,
            sha256: e.sha256,
            size: e.size,
            media_type: e.media_type,
            salted,
        });
        if let Some(s) = salt {
            let mut path = f.clone().into_os_string();
            path.push(".salt");
            let path = PathBuf::from(path);
            if path.exists() {
                bail!(
                    "{} already exists: move it aside (it may hold the salt of evidence already recorded)",
                    path.display()
                );
            }
            salts.push((f.clone(), path, s));
        }
    }
    let event = Event::EvidenceAdded {
        item,
        evidence: exhibits,
        note,
    };
    let code = super::append::run(
        Writing::Monitoring(MonitoringWriting::Built(Box::new(event), key)),
        g,
        out,
    )?;
    for (file, path, salt) in salts {
        let hex = hex::encode(salt);
        let line = format!(
            "salt for {}: {hex} (written to {}; it is not in the ledger: keep it, and give it only to whoever must check the file)",
            render::escape(&file.display().to_string()),
            render::escape(&path.display().to_string())
        );
        if json {
            eprintln!("{line}");
        } else {
            writeln!(out, "{line}")?;
        }
        write_secret(&path, format!("{hex}\n").as_bytes())
            .with_context(|| format!("cannot write the salt to {}", path.display()))?;
    }
    Ok(code)
}

/// Writes a new file readable by its owner only.
fn write_secret(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    let mut f = options.open(path)?;
    f.write_all(bytes)?;
    f.sync_all()
}
