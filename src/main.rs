//! The `accord` binary: argv, files, the terminal and JSON rendering. All
//! ledger work goes through accord-ledger; this is the only place that uses
//! `anyhow` and decides exit codes (0 ok, 1 error or invalid ledger, 2 usage;
//! `verify` also 3 and 4, see `audit`). No panic reaches the terminal as a
//! backtrace: one is reported as one line, like any error.

mod audit;
mod bounded;
mod charter_file;
mod cli;
mod clock;
mod durable;
mod evidence;
mod keyfile;
mod progress;
mod record;
mod render;
mod views_render;

use std::io::{self, Write};
use std::path::Path;
use std::process::ExitCode;

use accord_core::projection;
use accord_core::{AllegationId, Event, PartyId};
use accord_ledger::{export, synth, Backend, DiskStore, Ledger, LedgerError};
use anyhow::{bail, Context, Result};
use clap::Parser;

use cli::{Cli, Command, DevCommand, EvidenceCommand, KeyCommand};

fn main() -> ExitCode {
    let cli = Cli::parse();
    std::panic::set_hook(Box::new(|info| {
        let mut what = info
            .payload()
            .downcast_ref::<&str>()
            .map(|s| s.to_string())
            .or_else(|| info.payload().downcast_ref::<String>().cloned())
            .unwrap_or_default();
        if let Some(at) = info.location() {
            what = format!("{what} at {}:{}", at.file(), at.line());
        }
        let mut last = PANIC.lock().unwrap_or_else(|p| p.into_inner());
        *last = Some(what.replace('\n', " "));
    }));
    match std::panic::catch_unwind(|| run(cli)) {
        Ok(Ok(code)) => code,
        Ok(Err(e)) if is_broken_pipe(&e) => ExitCode::SUCCESS,
        Ok(Err(e)) => {
            let _ = writeln!(io::stderr(), "error: {}", one_line(&e));
            ExitCode::FAILURE
        }
        Err(_) => {
            let _ = writeln!(
                io::stderr(),
                "error: internal failure ({}); if the ledger may be damaged run `accord verify`; please report this",
                last_panic()
            );
            ExitCode::FAILURE
        }
    }
}

/// What the last panic said and where, as the panic hook kept it.
pub(crate) fn last_panic() -> String {
    PANIC
        .lock()
        .map(|p| p.clone())
        .unwrap_or_default()
        .unwrap_or_default()
}

/// The message of the last panic, kept by the panic hook (which prints
/// nothing) for `main` to report as one line.
static PANIC: std::sync::Mutex<Option<String>> = std::sync::Mutex::new(None);

/// The error and its causes on one line, skipping a cause whose text the
/// message before it already includes.
pub(crate) fn one_line(e: &anyhow::Error) -> String {
    let mut line = String::new();
    for cause in e.chain() {
        let text = cause.to_string();
        if line.contains(&text) {
            continue;
        }
        if !line.is_empty() {
            line.push_str(": ");
        }
        line.push_str(&text);
    }
    line.replace('\n', " ")
}

pub(crate) fn is_broken_pipe(e: &anyhow::Error) -> bool {
    e.downcast_ref::<io::Error>()
        .is_some_and(|e| e.kind() == io::ErrorKind::BrokenPipe)
}

fn run(cli: Cli) -> Result<ExitCode> {
    let mut out = io::stdout().lock();
    match cli.command {
        Command::Key(KeyCommand::New { out: path, encrypt }) => {
            let public = keyfile::generate(&path, encrypt)?;
            writeln!(out, "key id {}", public.id())?;
            writeln!(
                out,
                "wrote {} (private, mode 0600) and {}",
                path.display(),
                keyfile::pub_path(&path).display()
            )?;
        }
        Command::Key(KeyCommand::Show { file, json }) => {
            let public = keyfile::load_public(&file)?;
            if json.json {
                let v = serde_json::json!({ "public_key": public.to_hex(), "key_id": public.id().to_hex() });
                writeln!(out, "{v}")?;
            } else {
                writeln!(
                    out,
                    "public key {}\nkey id     {}",
                    public.to_hex(),
                    public.id()
                )?;
            }
        }
        Command::Key(KeyCommand::List { json }) => {
            let ledger = Ledger::open_read(&cli.ledger)?;
            let state = ledger.replay()?;
            if json.json {
                writeln!(out, "{}", views_render::keys_json(&state))?;
            } else {
                write!(out, "{}", views_render::keys_text(&state))?;
            }
        }
        Command::Init {
            charter,
            key,
            store,
        } => {
            let charter = charter_file::load(&charter)?;
            let signer = keyfile::load_private(&key)?;
            let time = claimed_time(cli.time.as_deref())?;
            let ledger = Ledger::create(&cli.ledger, store, charter, &signer, time)?;
            let genesis = ledger.entry(0)?;
            writeln!(
                out,
                "founded ledger {} in {}\nentry 0 (charter) signed by {}",
                genesis.hash,
                cli.ledger.display(),
                genesis.entry.body.author.party
            )?;
        }
        Command::Log(json) => {
            let ledger = Ledger::open_read(&cli.ledger)?;
            for entry in ledger.entries(0) {
                let entry = entry?;
                if json.json {
                    writeln!(out, "{}", render::log_json(&entry))?;
                } else {
                    writeln!(out, "{}", render::log_line(&entry))?;
                }
            }
        }
        Command::Show { seq, json } => {
            let mut ledger = Ledger::open_read(&cli.ledger)?;
            let entry = ledger.entry(seq)?;
            let status = ledger.signature_status(&entry)?;
            if json.json {
                writeln!(out, "{}", render::show_json(&entry, status))?;
            } else {
                write!(out, "{}", render::show_text(&entry, status))?;
            }
        }
        Command::Verify {
            expect_head,
            against,
            json,
        } => {
            return audit::verify(
                &cli.ledger,
                expect_head.as_deref(),
                against.as_deref(),
                json.json,
                &mut out,
            );
        }
        Command::Obligations {
            party,
            all,
            replay,
            at,
            as_of,
            json,
        } => {
            let mut ledger = Ledger::open_read(&cli.ledger)?;
            // The open view needs only the live items: at the head, appends
            // keep them indexed; at an earlier point, the nearest projection
            // checkpoint and the entries after it give them. The full view
            // and --replay replay every entry with every check.
            let fast = !all && !replay;
            let (state, time) = match (at, as_of) {
                (Some(seq), _) => {
                    let state = if fast {
                        ledger.open_state_at(seq)?
                    } else {
                        ledger.state_at(seq)?
                    };
                    let time = state.head_time();
                    (state, time)
                }
                (None, Some(t)) => {
                    let t = clock::parse(&t)?;
                    let state = if fast {
                        ledger.open_state_at(seq_as_of(&ledger, t)?)?
                    } else {
                        state_as_of(&ledger, t)?
                    };
                    (state, t)
                }
                (None, None) if fast => (ledger.open_state()?, clock::now()),
                (None, None) => (ledger.replay()?, clock::now()),
            };
            let mut views = projection::obligations(&state, time);
            if !all {
                views = projection::open_view(views);
            }
            if let Some(p) = party {
                let p = PartyId::new(p)?;
                views.retain(|v| v.party == p);
                if views.is_empty() {
                    bail!("no party {p} in the charter");
                }
            }
            if json.json {
                writeln!(
                    out,
                    "{}",
                    views_render::obligations_json(&state, time, &views, all)
                )?;
            } else {
                write!(
                    out,
                    "{}",
                    views_render::obligations_text(&state, time, &views, all)
                )?;
            }
        }
        Command::History { id, json } => {
            let ledger = Ledger::open_read(&cli.ledger)?;
            let entries = ledger.history(&id)?;
            if entries.is_empty() {
                bail!("nothing on record concerns {id}");
            }
            for e in &entries {
                if json.json {
                    let mut v = render::log_json(e);
                    v["event"] = render::event_json(&e.entry.body.event);
                    writeln!(out, "{v}")?;
                } else {
                    writeln!(out, "{}", render::log_line(e))?;
                }
            }
        }
        Command::Diff { from, to, json } => {
            let ledger = Ledger::open_read(&cli.ledger)?;
            let (a, b) = (ledger.state_at(from)?, ledger.state_at(to)?);
            let before = projection::obligations(&a, a.head_time());
            let after = projection::obligations(&b, b.head_time());
            let changes = projection::diff(&before, &after);
            if json.json {
                writeln!(out, "{}", serde_json::to_value(&changes)?)?;
            } else {
                write!(out, "{}", views_render::diff_text(from, to, &changes))?;
            }
        }
        Command::Evidence(EvidenceCommand::Check {
            allegation,
            file,
            json,
        }) => {
            let mut ledger = Ledger::open_read(&cli.ledger)?;
            let id = AllegationId::new(allegation)?;
            let offered = evidence::digest(&file)?;
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
            if matched.is_none() {
                return Ok(ExitCode::FAILURE);
            }
        }
        Command::Export { out: file } => {
            let ledger = Ledger::open_read(&cli.ledger)?;
            let genesis = ledger.entry(0)?;
            match file {
                None => {
                    let mut w = io::BufWriter::new(out);
                    export_to(&ledger, &genesis.hash, &mut w)?;
                    w.flush()?;
                }
                Some(path) => {
                    let n = export_file_atomic(&ledger, &genesis.hash, &path)?;
                    writeln!(out, "exported {n} entries to {}", path.display())?;
                }
            }
        }
        Command::Doctor { check, json } => {
            return audit::doctor(&cli.ledger, check, json.json, &mut out);
        }
        Command::Recover { to, out: keep } => {
            audit::recover(&cli.ledger, to, &keep, &mut out)?;
        }
        Command::Import { file, store } => {
            let n = if file.as_os_str() == "-" {
                Ledger::import(
                    &cli.ledger,
                    store,
                    clock::now(),
                    export::read(io::stdin().lock()),
                )?
            } else {
                if file.is_dir() {
                    bail!("{} is a directory, not an export file", file.display());
                }
                let f = std::fs::File::open(&file)
                    .with_context(|| format!("cannot read {}", file.display()))?;
                let size = f.metadata().map_or(0, |m| m.len());
                let bar = progress::bytes(size, "importing", false);
                let read = io::BufReader::new(bar.wrap_read(f));
                let n = Ledger::import(&cli.ledger, store, clock::now(), export::read(read));
                bar.finish_and_clear();
                n?
            };
            writeln!(
                out,
                "imported and verified {n} entries into {}",
                cli.ledger.display()
            )?;
        }
        Command::Dev(DevCommand::Synth {
            entries,
            keys_out,
            store,
        }) => {
            dev_synth(&cli.ledger, store, entries, keys_out, &mut out)?;
        }
        writing => {
            let mut ledger = Ledger::open(&cli.ledger)?;
            let Some((event, key)) = record::event_for(writing, &mut ledger)? else {
                bail!("internal: unhandled command");
            };
            append(&mut ledger, &key, cli.time.as_deref(), event, &mut out)?;
        }
    }
    Ok(ExitCode::SUCCESS)
}

fn state_as_of(ledger: &Ledger<DiskStore>, t: i64) -> Result<accord_core::State> {
    before_ledger(t, ledger.state_as_of(t))
}

fn seq_as_of(ledger: &Ledger<DiskStore>, t: i64) -> Result<u64> {
    before_ledger(t, ledger.seq_as_of(t))
}

/// A time before entry 0 as one line in the terms of the question asked.
fn before_ledger<T>(t: i64, outcome: Result<T, LedgerError>) -> Result<T> {
    match outcome {
        Err(LedgerError::BeforeLedger { founded, .. }) => bail!(
            "{} is before the ledger was founded ({})",
            clock::format(t),
            clock::format(founded)
        ),
        other => Ok(other?),
    }
}

fn dev_synth(
    path: &Path,
    backend: Backend,
    entries: u64,
    keys_out: Option<std::path::PathBuf>,
    out: &mut impl Write,
) -> Result<()> {
    let mut ledger = Ledger::create(
        path,
        backend,
        synth::charter(),
        &synth::key(3),
        synth::START,
    )?;
    synth::extend(&mut ledger, entries)?;
    if let Some(dir) = keys_out {
        std::fs::create_dir_all(&dir)
            .with_context(|| format!("cannot create {}", dir.display()))?;
        for (i, (name, _, _)) in synth::PARTIES.iter().enumerate() {
            keyfile::write_private(&dir.join(format!("{name}.pem")), &synth::key(i))?;
        }
    }
    writeln!(
        out,
        "synthetic ledger of {} entries in {}",
        entries + 1,
        path.display()
    )?;
    Ok(())
}

fn export_to(
    ledger: &Ledger<DiskStore>,
    id: &accord_core::LedgerId,
    w: &mut impl Write,
) -> Result<u64> {
    export::write_line(w, &export::header(id))?;
    let bar = progress::entries(ledger.last_seq()? + 1, "exporting", false);
    let written = ledger.export(|e| {
        bar.set_position(e.seq() + 1);
        export::write_line(w, &export::line(e))
    });
    bar.finish_and_clear();
    Ok(written??)
}

/// Exports to a scratch file beside `path`, renamed over it once complete,
/// then the directory synced so that the rename itself is durable. The
/// scratch file is always created new: whatever is already at its name (a
/// leftover, or a symlink planted to redirect the write) is removed, never
/// written through.
fn export_file_atomic(
    ledger: &Ledger<DiskStore>,
    id: &accord_core::LedgerId,
    path: &Path,
) -> Result<u64> {
    let name = path
        .file_name()
        .with_context(|| format!("{} is not a file name", path.display()))?;
    let scratch = path.with_file_name(format!(".{}.partial", name.to_string_lossy()));
    match std::fs::remove_file(&scratch) {
        Err(e) if e.kind() != io::ErrorKind::NotFound => {
            return Err(e).with_context(|| format!("cannot remove {}", scratch.display()))
        }
        _ => {}
    }
    // O_CREAT|O_EXCL: fails on any existing name, a symlink included.
    let f = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(&scratch)
        .with_context(|| format!("cannot create {}", scratch.display()))?;
    let written = (|| -> Result<u64> {
        let mut w = io::BufWriter::new(f);
        let n = export_to(ledger, id, &mut w)?;
        let f = w.into_inner().map_err(|e| e.into_error())?;
        f.sync_all()?;
        Ok(n)
    })();
    match written {
        Ok(n) => {
            std::fs::rename(&scratch, path)
                .with_context(|| format!("cannot write {}", path.display()))?;
            durable::sync_parent(path)?;
            Ok(n)
        }
        Err(e) => {
            let _ = std::fs::remove_file(&scratch);
            Err(e)
        }
    }
}

pub(crate) fn parse_head(s: &str) -> Result<accord_core::Head> {
    let (seq, hash) = s.split_once(':').with_context(|| {
        format!("--expect-head {s:?}: use SEQ:HASH, as `accord verify` prints the head")
    })?;
    Ok(accord_core::Head {
        seq: seq
            .parse()
            .with_context(|| format!("--expect-head: {seq:?} is not a seq"))?,
        hash: hash.parse()?,
    })
}

/// The time to claim: `--time` or `ACCORD_TIME`, or (when neither is
/// given, or it is empty) this machine's clock.
fn claimed_time(flag: Option<&str>) -> Result<i64> {
    match flag {
        Some(s) if !s.trim().is_empty() => clock::parse(s),
        _ => Ok(clock::now()),
    }
}

fn append(
    ledger: &mut Ledger<DiskStore>,
    key: &Path,
    time: Option<&str>,
    event: Event,
    out: &mut impl Write,
) -> Result<()> {
    let signer = keyfile::load_private(key)?;
    let time = claimed_time(time)?;
    let entry = ledger.append(&signer, time, clock::now(), event)?;
    writeln!(
        out,
        "entry {}  {}  {} by {}  hash {}",
        entry.seq(),
        entry.entry.body.event.kind(),
        entry.entry.body.event.subject(),
        entry.entry.body.author.party,
        entry.hash
    )?;
    if let Event::ClauseEndorsed { clause, .. } = &entry.entry.body.event {
        if let Some(c) = ledger.clause(clause)? {
            match c.adopted_at {
                Some(seq) if seq == entry.seq() => writeln!(out, "clause {clause} is now adopted")?,
                Some(seq) => writeln!(out, "clause {clause} was adopted at entry {seq}")?,
                None => writeln!(
                    out,
                    "clause {clause}: {} endorsement(s), not yet adopted",
                    c.endorsements.len()
                )?,
            }
        }
    }
    if let Event::RulingEndorsed { ruling, .. } = &entry.entry.body.event {
        let records = ledger.records(vec![accord_core::RecordKey::Ruling(ruling.clone())])?;
        if let Some(r) = records.rulings().get(ruling) {
            match r.adopted_at {
                Some(seq) if seq == entry.seq() => writeln!(out, "ruling {ruling} is now adopted")?,
                Some(seq) => writeln!(out, "ruling {ruling} was adopted at entry {seq}")?,
                None => writeln!(
                    out,
                    "ruling {ruling}: {} endorsement(s), not yet adopted",
                    r.endorsements.len()
                )?,
            }
        }
    }
    Ok(())
}
