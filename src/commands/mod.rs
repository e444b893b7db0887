//! The commands, one module per family, and the dispatch from the parsed
//! command line to them. Every command is named here, so a new one that is
//! not dispatched fails to compile. Each `run` returns its exit code; none
//! prints an error itself except `verify`, whose codes say why it failed.
//! Nothing here opens a store: every ledger goes through accord-ledger.

// issue 14: actors
mod actors;
// issue 15: json (its `Appended` has a schema: crate::schemas)
pub(crate) mod append;
mod audit;
mod backup;
mod bundle;
mod charter;
mod checkpoint;
mod clauses;
#[cfg(any(feature = "dev", debug_assertions))]
mod dev;
mod evidence;
mod init;
mod inspect;
mod keys;
// issue 15: help
mod manual;
mod mirror;
// issue 14: monitoring
pub(crate) mod monitoring;
mod obligations;
mod proof;
mod publish;
// issue 15: report
mod report;
mod serve;
mod witness;

use std::io::Write;
use std::path::Path;
use std::process::ExitCode;

use anyhow::Result;

use crate::cli::{Cli, Command, ForkCommand, WitnessCommand};
use crate::record::Writing;

/// The global flags every command may read.
pub struct Globals<'a> {
    /// `--ledger`: the ledger directory.
    pub ledger: &'a Path,
    /// `--time`: the time to claim for a new entry, if given.
    pub time: Option<&'a str>,
    /// `--remote` (or ACCORD_REMOTE): the server a writing command appends
    /// through, if any.
    pub remote: Option<&'a str>,
    /// `--ledger-id` (or ACCORD_LEDGER_ID): the ledger expected, if given.
    pub ledger_id: Option<&'a str>,
}

/// Whether `command` appends an entry (the commands `--remote` serves).
pub(crate) fn is_writing(command: &Command) -> bool {
    use crate::cli::KeyCommand;
    if let Command::Clause(c) = command {
        return !clauses::is_view(c);
    }
    matches!(
        command,
        Command::Commit(_)
            | Command::Commitment(_)
            | Command::Allege(_)
            | Command::Respond(_)
            | Command::Allegation(_)
            | Command::Ruling(_)
            | Command::View(_)
            | Command::Key(
                KeyCommand::Rotate(_) | KeyCommand::Revoke(_) | KeyCommand::EndorseRevocation(_)
            )
            | Command::Charter(
                crate::cli::CharterCommand::Amend(_) | crate::cli::CharterCommand::Endorse(_)
            )
            // issue 14: monitoring
            | Command::Observe(_)
            | Command::Refer(_)
            | Command::Task(_)
            | Command::Recommend(_)
            | Command::Measures(_)
            | Command::Meeting(_)
            | Command::Evidence(crate::cli::EvidenceCommand::Add { .. })
    )
}

/// Runs the command `cli` names, writing its output to `out`.
pub fn run(cli: Cli, out: &mut impl Write) -> Result<ExitCode> {
    let writing = is_writing(&cli.command);
    // issue 15: help (the help shows --remote and --time where this says)
    debug_assert!(
        cli.path.is_empty()
            || writing
                == crate::cli::writes(&cli.path.iter().map(String::as_str).collect::<Vec<_>>()),
        "cli::writes disagrees with is_writing on {:?}",
        cli.path
    );
    if cli.remote.is_some() && !writing {
        eprintln!(
            "error: --remote is for the commands that append an entry; reads never take a server's word: \
             make a verified replica with `accord mirror --from URL --ledger DIR` and read that"
        );
        return Ok(ExitCode::from(2));
    }
    let env_remote = match writing {
        true => std::env::var("ACCORD_REMOTE")
            .ok()
            .filter(|u| !u.is_empty()),
        false => None,
    };
    let g = Globals {
        ledger: &cli.ledger,
        time: cli.time.as_deref(),
        remote: cli.remote.as_deref().or(env_remote.as_deref()),
        ledger_id: cli.ledger_id.as_deref().filter(|h| !h.trim().is_empty()),
    };
    // issue 15: json (`--json` rides on the signer's key flags, which these
    // commands share; they print no JSON)
    if let Command::Checkpoint { key, .. } | Command::Witness(WitnessCommand::Cosign { key, .. }) =
        &cli.command
    {
        if key.json {
            eprintln!(
                "error: --json is for the commands that append an entry; this one prints no JSON"
            );
            return Ok(ExitCode::from(2));
        }
    }
    if let Command::Witness(WitnessCommand::Serve(args)) = &cli.command {
        if args.key.json {
            eprintln!(
                "error: --json is for the commands that append an entry; this one prints no JSON"
            );
            return Ok(ExitCode::from(2));
        }
    }
    match cli.command {
        Command::Key(cmd) => keys::run(cmd, &g, out),
        Command::Init {
            charter,
            key,
            store,
        } => init::run(&charter, &key, store, &g, out),
        Command::Clause(cmd) if clauses::is_view(&cmd) => clauses::run(cmd, &g, out),
        Command::Clause(cmd) => append::run(Writing::Clause(cmd), &g, out),
        Command::Commit(args) => append::run(Writing::Commit(args), &g, out),
        Command::Commitment(cmd) => append::run(Writing::Commitment(cmd), &g, out),
        Command::Allege(args) => append::run(Writing::Allege(args), &g, out),
        Command::Respond(args) => append::run(Writing::Respond(args), &g, out),
        Command::Allegation(cmd) => append::run(Writing::Allegation(cmd), &g, out),
        Command::Ruling(cmd) => append::run(Writing::Ruling(cmd), &g, out),
        // issue 14: actors
        Command::Actors { at, as_of, json } => actors::run(at, as_of, json.json, &g, out),
        Command::View(args) => append::run(Writing::View(args), &g, out),
        Command::Obligations {
            party,
            all,
            replay,
            at,
            as_of,
            json,
        } => obligations::run(
            obligations::Query {
                party,
                all,
                replay,
                at,
                as_of,
            },
            json.json,
            &g,
            out,
        ),
        Command::History { id, json } => inspect::history(&id, json.json, &g, out),
        Command::Diff { from, to, json } => inspect::diff(from, to, json.json, &g, out),
        Command::Evidence(cmd) => evidence::run(cmd, &g, out),
        Command::Export { out: file } => backup::export(file.as_deref(), &g, out),
        Command::Import { file, store } => backup::import(&file, store, &g, out),
        Command::Doctor { check, json } => audit::doctor(g.ledger, check, json.json, out),
        Command::Recover { to, out: keep } => backup::recover(g.ledger, to, &keep, out),
        Command::Log(args) => inspect::log(&args, &g, out),
        Command::Show { seq, json } => inspect::show(seq, json.json, &g, out),
        Command::Verify {
            expect_head,
            against,
            checkpoint,
            witnesses,
            quorum,
            json,
        } => audit::verify(
            g.ledger,
            expect_head.as_deref(),
            against.as_deref(),
            checkpoint.map(|file| checkpoint::Trust {
                file,
                witnesses,
                quorum,
            }),
            json.json,
            out,
        ),
        #[cfg(any(feature = "dev", debug_assertions))]
        Command::Dev(cmd) => dev::run(cmd, &g, out),
        Command::Proof(cmd) => proof::run(cmd, &g, out),
        Command::Checkpoint { key, out: file } => {
            checkpoint::write(&key.key, file.as_deref(), &g, out)
        }
        Command::Witness(WitnessCommand::Cosign {
            checkpoint,
            key,
            state,
            out: file,
        }) => witness::cosign(
            &checkpoint,
            &key.key,
            state.as_deref(),
            file.as_deref(),
            &g,
            out,
        ),
        Command::Prove {
            entries,
            items,
            checkpoint,
            out: file,
        } => bundle::prove(&entries, &items, &checkpoint, &file, &g, out),
        Command::Bundle(cmd) => bundle::run(cmd, &g, out),
        Command::Publish { tiles, checkpoint } => publish::run(&tiles, &checkpoint, &g, out),
        Command::Witness(WitnessCommand::Serve(args)) => witness::serve(&args, out),
        Command::Witness(WitnessCommand::Submit {
            to,
            checkpoint,
            witness_vkey,
        }) => witness::submit(&to, &checkpoint, &witness_vkey, &g, out),
        Command::Witness(WitnessCommand::Vkey {
            key,
            name,
            cosigner,
        }) => witness::vkey(&key, &name, cosigner, out),
        Command::Serve {
            listen,
            checkpoint,
            max_requests,
            rate,
            key,
        } => serve::run(
            listen,
            checkpoint,
            max_requests,
            rate,
            key.as_deref(),
            &g,
            out,
        ),
        Command::Mirror { from, opts, store } => {
            mirror::run(from.as_deref(), &opts, store, &g, out)
        }
        Command::Sync { opts } => mirror::run(None, &opts, Default::default(), &g, out),
        Command::Fork(ForkCommand::Check { file, json }) => mirror::check(&file, json.json, out),
        Command::Charter(cmd) => charter::run(cmd, &g, out),
        // issue 14: monitoring
        Command::Observe(a) => append::run(
            Writing::Monitoring(monitoring::Writing::Observe(a)),
            &g,
            out,
        ),
        Command::Refer(a) => {
            append::run(Writing::Monitoring(monitoring::Writing::Refer(a)), &g, out)
        }
        Command::Task(a) => append::run(Writing::Monitoring(monitoring::Writing::Task(a)), &g, out),
        Command::Recommend(a) => append::run(
            Writing::Monitoring(monitoring::Writing::Recommend(a)),
            &g,
            out,
        ),
        Command::Measures(a) => append::run(
            Writing::Monitoring(monitoring::Writing::Measures(a)),
            &g,
            out,
        ),
        Command::Meeting(c) => append::run(
            Writing::Monitoring(monitoring::Writing::Meeting(c)),
            &g,
            out,
        ),
        Command::Observations { point, json } => monitoring::observations(point, json, &g, out),
        // issue 15: report
        Command::Report { html, point } => report::run(&html, &point, &g, out),
        // issue 15: help
        Command::Completions { shell } => manual::completions(shell, out),
        Command::Man { dir } => manual::man(dir.as_deref(), out),
    }
}
