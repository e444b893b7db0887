//! The backup commands: `export` (every entry, verified, as JSON Lines),
//! `import` (a new ledger from an export, all of it checked first) and
//! `recover` (the good prefix made the ledger again, the rest kept in a
//! file). An export file is written whole or not at all; import never
//! writes into an existing ledger.

use std::io::{self, Write};
use std::path::Path;
use std::process::ExitCode;

use accord_ledger::{export, Backend, DiskLedger, Ledger};
use anyhow::{bail, Context, Result};

use super::Globals;
use crate::{clock, durable, progress};

/// `export`: to `file` (atomically) or else to `out`.
pub fn export(file: Option<&Path>, g: &Globals, out: &mut impl Write) -> Result<ExitCode> {
    let ledger = Ledger::open_read(g.ledger)?;
    let genesis = ledger.entry(0)?;
    match file {
        None => {
            let mut w = io::BufWriter::new(out);
            export_to(&ledger, &genesis.hash, &mut w)?;
            w.flush()?;
        }
        Some(path) => {
            let n = export_file_atomic(&ledger, &genesis.hash, path)?;
            writeln!(out, "exported {n} entries to {}", path.display())?;
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// `import`: a new ledger at `--ledger` from `file` (`-`: standard input).
pub fn import(file: &Path, store: Backend, g: &Globals, out: &mut impl Write) -> Result<ExitCode> {
    let n = if file.as_os_str() == "-" {
        Ledger::import(
            g.ledger,
            store,
            clock::now(),
            export::read(io::stdin().lock()),
        )?
    } else {
        if file.is_dir() {
            bail!("{} is a directory, not an export file", file.display());
        }
        let f =
            std::fs::File::open(file).with_context(|| format!("cannot read {}", file.display()))?;
        let size = f.metadata().map_or(0, |m| m.len());
        let bar = progress::bytes(size, "importing", false);
        let read = io::BufReader::new(bar.wrap_read(f));
        let n = Ledger::import(g.ledger, store, clock::now(), export::read(read));
        bar.finish_and_clear();
        n?
    };
    writeln!(
        out,
        "imported and verified {n} entries into {}",
        g.ledger.display()
    )?;
    Ok(ExitCode::SUCCESS)
}

fn export_to(ledger: &DiskLedger, id: &accord_core::LedgerId, w: &mut impl Write) -> Result<u64> {
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
fn export_file_atomic(ledger: &DiskLedger, id: &accord_core::LedgerId, path: &Path) -> Result<u64> {
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

/// `recover`: keep entries after the good prefix in `out`, then make the
/// prefix the ledger, with the old store renamed aside.
pub fn recover(
    path: &Path,
    to: Option<u64>,
    keep: &Path,
    out: &mut impl Write,
) -> Result<ExitCode> {
    let ledger = Ledger::open(path)?;
    let report = ledger.verify();
    if report.unchecked() {
        let f = report
            .failure
            .as_ref()
            .map(|f| f.reason.clone())
            .unwrap_or_default();
        bail!("could not check the ledger ({f}): fix the cause and retry; nothing was changed");
    }
    let last = ledger.last_seq()?;
    let to = match (to, &report.failure) {
        (Some(to), Some(f)) if to >= f.seq => bail!(
            "entry {} is bad ({}): --to must be below it",
            f.seq,
            f.reason
        ),
        (Some(to), _) if to >= last => bail!("the ledger ends at entry {last}: nothing after entry {to} to set aside"),
        (Some(to), _) => to,
        (None, Some(f)) if f.seq == 0 => bail!(
            "entry 0 (the charter) is bad ({}): nothing can be kept; restore from any party's export with `accord import`",
            f.reason
        ),
        (None, Some(f)) => f.seq - 1,
        (None, None) => bail!("the ledger is valid: nothing to recover (use --to to set entries aside anyway)"),
    };
    let inside = |p: &Path| {
        let dir = std::fs::canonicalize(path).ok();
        let parent = p
            .parent()
            .filter(|d| !d.as_os_str().is_empty())
            .unwrap_or(Path::new("."));
        let at = std::fs::canonicalize(parent).ok();
        matches!((dir, at), (Some(d), Some(a)) if a.starts_with(&d))
    };
    if inside(keep) {
        bail!(
            "{} is inside the ledger directory, which recover renames aside: keep the entries elsewhere",
            keep.display()
        );
    }
    let mut file = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(keep)
        .with_context(|| format!("cannot create {} (it must not exist)", keep.display()))?;
    let mut w = io::BufWriter::new(&mut file);
    let dropped = ledger.write_tail(to, &mut w)?;
    w.flush()?;
    drop(w);
    file.sync_all()
        .with_context(|| format!("cannot make {} durable", keep.display()))?;
    durable::sync_parent(keep)?;
    drop(ledger);
    let done = Ledger::recover_prefix(path, to, last, clock::now())?;
    writeln!(
        out,
        "kept entries 0..={to} ({} entries, verified) as the ledger in {}\nset aside {dropped} later entries in {}\nthe store as it was is in {}",
        done.kept,
        path.display(),
        keep.display(),
        done.backup.display()
    )?;
    Ok(ExitCode::SUCCESS)
}
