//! The `accord` binary: argv, files, the terminal and JSON rendering. All
//! ledger work goes through accord-ledger; the binary is the only place that
//! uses `anyhow`. This file holds `main`, the panic hook, the one-line error
//! and the exit codes (0 ok, 1 error or invalid ledger, 2 usage; `verify`
//! also 3 and 4, `mirror` and `sync` 5); the commands are in `commands`. No
//! panic reaches the terminal as a backtrace: one is reported as one line,
//! like any error.

mod bounded;
mod charter_file;
mod cli;
mod clock;
mod commands;
mod durable;
mod evidence;
mod keyfile;
mod progress;
mod record;
mod remote;
mod render;
// issue 15: report
mod report_html;
// issue 15: json (the schemas of the --json outputs; test-only)
#[cfg(test)]
mod schemas;
mod views_render;

// Key files are kept private by Unix file modes (0600), and inputs are
// opened without blocking on FIFOs and devices: the libraries build
// anywhere, the binary only where those exist.
#[cfg(not(unix))]
compile_error!(
    "the accord binary needs a Unix-like system (Linux, macOS, a BSD): it keeps key files private with Unix file modes; the accord-core, accord-store and accord-ledger libraries build elsewhere"
);

use std::io::{self, Write};
use std::process::ExitCode;

/// The ledger is invalid or damaged; also the code of any other error
/// (`ExitCode::FAILURE`).
pub(crate) const INVALID: u8 = 1;
/// `verify` could not run or finish (no ledger, an I/O error): nothing is
/// known to be wrong with the ledger.
pub(crate) const UNCHECKED: u8 = 3;
/// `verify`: every check passed, but an entry claims a time ahead of this
/// machine's clock: appends are frozen until then (SECURITY.md).
pub(crate) const FUTURE: u8 = 4;
/// `mirror`, `sync`: the server's history does not extend the replica's
/// (a fork or a rollback); the proof was written.
pub(crate) const FORK: u8 = 5;

fn main() -> ExitCode {
    // issue 15: help (scoped global flags, one-line value errors)
    let cli = cli::parse();
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
    match std::panic::catch_unwind(|| commands::run(cli, &mut io::stdout().lock())) {
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
/// message before it already includes, then what to do about it when the
/// store's error says only what is wrong ([`hint`]).
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
    if let Some(hint) = hint(e) {
        line.push_str(": ");
        line.push_str(hint);
    }
    line.replace('\n', " ")
}

/// What the user can do about a store error or a signing key no party
/// holds, in this binary's commands and
/// flags: the store names neither. The store's error is the last cause
/// `one_line` prints (these variants have no cause of their own), so the
/// hint ends the line.
fn hint(e: &anyhow::Error) -> Option<&'static str> {
    use accord_core::SignError;
    use accord_ledger::{LedgerError, StoreError};
    let unknown_key =
        |s: &SignError| matches!(s, SignError::UnknownKey(_) | SignError::FormerKey { .. });
    if e.chain().any(|c| match c.downcast_ref::<LedgerError>() {
        Some(LedgerError::Signer(s)) => unknown_key(s),
        _ => c.downcast_ref::<SignError>().is_some_and(unknown_key),
    }) {
        return Some("`accord key list` shows each party's keys");
    }
    let store = e
        .chain()
        .find_map(|c| match c.downcast_ref::<LedgerError>() {
            Some(LedgerError::Store(s)) => Some(s),
            _ => c.downcast_ref::<StoreError>(),
        })?;
    match store {
        StoreError::NotFound(_) => Some("create one with `accord init` or pass --ledger"),
        StoreError::AlreadyExists(_) => Some("choose another --ledger directory"),
        StoreError::NotADirectory(_) => Some("--ledger must name a directory"),
        StoreError::InUse(_) => Some(
            "if `accord serve` holds it, append through the server with --remote URL (reads: `accord mirror`)",
        ),
        StoreError::Unrepaired { .. } => Some(
            "run any accord command on a writable copy, or restore from any party's export with `accord import`",
        ),
        _ => None,
    }
}

pub(crate) fn is_broken_pipe(e: &anyhow::Error) -> bool {
    e.downcast_ref::<io::Error>()
        .is_some_and(|e| e.kind() == io::ErrorKind::BrokenPipe)
}
