//! The `accord` binary: argv, files, the terminal and JSON rendering. All
//! ledger work goes through accord-ledger; this is the only place that uses
//! `anyhow` and decides exit codes (0 ok, 1 error or invalid ledger, 2 usage).

mod charter_file;
mod cli;
mod clock;
mod keyfile;
mod render;

use std::io::{self, Write};
use std::path::Path;
use std::process::ExitCode;

use accord_core::{ClauseId, Event};
use accord_ledger::{synth, Ledger, SledStore};
use anyhow::{bail, Context, Result};
use clap::Parser;

use cli::{ClauseCommand, Cli, Command, DevCommand, KeyCommand};

fn main() -> ExitCode {
    let cli = Cli::parse();
    match run(cli) {
        Ok(code) => code,
        Err(e) if is_broken_pipe(&e) => ExitCode::SUCCESS,
        Err(e) => {
            let _ = writeln!(io::stderr(), "error: {}", one_line(&e));
            ExitCode::FAILURE
        }
    }
}

/// The error and its causes on one line, skipping a cause whose text the
/// message before it already includes.
fn one_line(e: &anyhow::Error) -> String {
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

fn is_broken_pipe(e: &anyhow::Error) -> bool {
    e.downcast_ref::<io::Error>()
        .is_some_and(|e| e.kind() == io::ErrorKind::BrokenPipe)
}

fn run(cli: Cli) -> Result<ExitCode> {
    let mut out = io::stdout().lock();
    match cli.command {
        Command::Key(KeyCommand::New { out: path }) => {
            let public = keyfile::generate(&path)?;
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
        Command::Init { charter, key } => {
            let charter = charter_file::load(&charter)?;
            let signer = keyfile::load_private(&key)?;
            let time = claimed_time(cli.time.as_deref())?;
            let ledger = Ledger::create(&cli.ledger, charter, &signer, time)?;
            let genesis = ledger.entry(0)?;
            writeln!(
                out,
                "founded ledger {} in {}\nentry 0 (charter) signed by {}",
                genesis.hash,
                cli.ledger.display(),
                genesis.entry.body.author.party
            )?;
        }
        Command::Clause(cmd) => {
            let mut ledger = Ledger::open(&cli.ledger)?;
            let (event, key) = match cmd {
                ClauseCommand::Propose {
                    id,
                    title,
                    text,
                    text_file,
                    key,
                } => {
                    let text = match (text, text_file) {
                        (Some(t), _) => t,
                        (None, Some(f)) => read_text_file(&f)?,
                        (None, None) => bail!("give the clause text with --text or --text-file"),
                    };
                    let id = ClauseId::new(id)?;
                    (Event::ClauseProposed { id, title, text }, key.key)
                }
                ClauseCommand::Endorse { id, key } => {
                    let clause = ClauseId::new(id)?;
                    let proposal = ledger
                        .clause(&clause)?
                        .map(|c| c.proposal.hash)
                        .with_context(|| format!("no clause {clause} has been proposed"))?;
                    (Event::ClauseEndorsed { clause, proposal }, key.key)
                }
            };
            append(&mut ledger, &key, cli.time.as_deref(), event, &mut out)?;
        }
        Command::Log(json) => {
            let ledger = Ledger::open(&cli.ledger)?;
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
            let ledger = Ledger::open(&cli.ledger)?;
            let entry = ledger.entry(seq)?;
            let status = ledger.signature_status(&entry)?;
            if json.json {
                writeln!(out, "{}", render::show_json(&entry, status))?;
            } else {
                write!(out, "{}", render::show_text(&entry, status))?;
            }
        }
        Command::Verify(json) => {
            let ledger = Ledger::open(&cli.ledger)?;
            let report = ledger.verify();
            if json.json {
                writeln!(out, "{}", render::verify_json(&report))?;
            } else {
                writeln!(out, "{}", render::verify_text(&report))?;
            }
            if !report.ok() {
                return Ok(ExitCode::FAILURE);
            }
        }
        Command::Dev(DevCommand::Synth { entries, keys_out }) => {
            let mut ledger =
                Ledger::create(&cli.ledger, synth::charter(), &synth::key(3), synth::START)?;
            synth::extend(&mut ledger, entries)?;
            if let Some(dir) = keys_out {
                std::fs::create_dir_all(&dir)
                    .with_context(|| format!("cannot create {}", dir.display()))?;
                for (i, name) in ["tr", "ru", "ir", "un"].iter().enumerate() {
                    keyfile::write_private(&dir.join(format!("{name}.pem")), &synth::key(i))?;
                }
            }
            writeln!(
                out,
                "synthetic ledger of {} entries in {}",
                entries + 1,
                cli.ledger.display()
            )?;
        }
    }
    Ok(ExitCode::SUCCESS)
}

fn claimed_time(flag: Option<&str>) -> Result<i64> {
    match flag {
        Some(s) => clock::parse(s),
        None => Ok(clock::now()),
    }
}

fn read_text_file(path: &Path) -> Result<String> {
    let bytes = std::fs::read(path).with_context(|| format!("cannot read {}", path.display()))?;
    String::from_utf8(bytes).with_context(|| format!("{} is not UTF-8 text", path.display()))
}

fn append(
    ledger: &mut Ledger<SledStore>,
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
    Ok(())
}
