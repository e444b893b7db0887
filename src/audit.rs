//! The audit commands: `verify` (and its exit codes), `doctor` and
//! `recover`. An audit script must tell an invalid ledger from one that
//! could not be checked: the codes are documented in README and SECURITY.md.

use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use accord_ledger::{export, DerivedDifference, Ledger, LedgerError, StoreError};
use anyhow::{bail, Context, Result};

use crate::{clock, one_line, parse_head, progress, render};

/// The ledger is invalid or damaged.
pub const INVALID: u8 = 1;
/// The check could not be run or finished (no ledger, an I/O error):
/// nothing is known to be wrong with the ledger.
pub const UNCHECKED: u8 = 3;
/// Every check passed, but an entry claims a time ahead of this machine's
/// clock: appends are frozen until then (SECURITY.md).
pub const FUTURE: u8 = 4;

/// Whether an error means the ledger itself is bad rather than that it
/// could not be read.
fn is_damage(e: &anyhow::Error) -> bool {
    e.chain().any(|c| {
        matches!(
            c.downcast_ref::<LedgerError>(),
            Some(LedgerError::Damaged { .. }) | Some(LedgerError::Store(StoreError::Corrupt(_)))
        ) || matches!(c.downcast_ref::<StoreError>(), Some(StoreError::Corrupt(_)))
    })
}

/// Runs `verify`, turning an error into its exit code and one line.
pub fn verify(
    path: &Path,
    expect_head: Option<&str>,
    against: Option<&Path>,
    json: bool,
    out: &mut impl Write,
) -> Result<ExitCode> {
    // A failure inside the verifier says nothing about the ledger: it is
    // "could not check", not "invalid".
    let outcome = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| match against {
        Some(other) => equivocations(path, other, json, out),
        None => chain(path, expect_head, json, out),
    }))
    .unwrap_or_else(|_| {
        Err(anyhow::anyhow!(
            "internal failure ({}): the check could not finish; please report this",
            crate::last_panic()
        ))
    });
    match outcome {
        Ok(code) => Ok(code),
        Err(e) if crate::is_broken_pipe(&e) => Ok(ExitCode::SUCCESS),
        Err(e) => {
            let _ = writeln!(io::stderr(), "error: {}", one_line(&e));
            Ok(ExitCode::from(if is_damage(&e) {
                INVALID
            } else {
                UNCHECKED
            }))
        }
    }
}

fn chain(
    path: &Path,
    expect_head: Option<&str>,
    json: bool,
    out: &mut impl Write,
) -> Result<ExitCode> {
    let expect = expect_head.map(parse_head).transpose()?;
    let ledger = Ledger::open_read(path)?;
    let bar = progress::entries(ledger.last_seq()? + 1, "verifying", json);
    let report = ledger.verify_observed(expect, &mut |seq| bar.set_position(seq + 1));
    bar.finish_and_clear();
    let now = clock::now();
    let future = match report.ok() {
        true => ledger
            .first_dated_after(now + accord_ledger::MAX_CLOCK_SKEW_SECS)?
            .map(|seq| ledger.entry(seq).map(|e| (seq, e.entry.body.time)))
            .transpose()?,
        false => None,
    };
    if json {
        let mut v = render::verify_json(&report);
        v["future"] = match future {
            Some((seq, time)) => {
                serde_json::json!({ "seq": seq, "time": clock::format(time), "now": clock::format(now) })
            }
            None => serde_json::Value::Null,
        };
        writeln!(out, "{v}")?;
    } else {
        writeln!(out, "{}", render::verify_text(&report))?;
        if let Some((seq, time)) = future {
            writeln!(
                out,
                "FUTURE-DATED: entry {seq} claims {}, more than {} s after this machine's clock ({}): no one can append until then; check this clock, then see SECURITY.md, \"Entries from the future\"",
                clock::format(time),
                accord_ledger::MAX_CLOCK_SKEW_SECS,
                clock::format(now)
            )?;
        }
    }
    Ok(match (&report.failure, future) {
        (None, None) => ExitCode::SUCCESS,
        (None, Some(_)) => ExitCode::from(FUTURE),
        (Some(_), _) if report.unchecked() => ExitCode::from(UNCHECKED),
        (Some(_), _) => ExitCode::from(INVALID),
    })
}

fn equivocations(path: &Path, other: &Path, json: bool, out: &mut impl Write) -> Result<ExitCode> {
    let ledger = Ledger::open_read(path)?;
    let f =
        std::fs::File::open(other).with_context(|| format!("cannot read {}", other.display()))?;
    let mut theirs = Vec::new();
    for entry in export::read(io::BufReader::new(f)) {
        theirs
            .push(entry.with_context(|| format!("{} is not a readable export", other.display()))?);
    }
    if theirs.is_empty() {
        bail!(
            "{} holds no entries (an empty file, or only a header): there is nothing to compare",
            other.display()
        );
    }
    let pairs = ledger.equivocations(theirs.into_iter().map(Ok))?;
    let proof: Vec<serde_json::Value> = pairs
        .iter()
        .map(|(mine, theirs)| {
            serde_json::json!({
                "author": mine.entry.body.author.party.as_str(),
                "author_seq": mine.entry.body.author_seq,
                "here": export::line(mine),
                "there": export::line(theirs),
            })
        })
        .collect();
    if json {
        writeln!(out, "{}", serde_json::json!({ "equivocations": proof }))?;
    } else if pairs.is_empty() {
        writeln!(
            out,
            "no equivocation: no author signed two different entries with the same sequence number"
        )?;
    } else {
        for (mine, theirs) in &pairs {
            let b = &mine.entry.body;
            writeln!(
                out,
                "EQUIVOCATION: {} signed two entries as its #{}: here seq {} {} ({}), there seq {} {} ({})",
                b.author.party,
                b.author_seq,
                b.seq,
                mine.hash,
                b.event.kind(),
                theirs.seq(),
                theirs.hash,
                theirs.entry.body.event.kind()
            )?;
        }
        writeln!(
            out,
            "both entries of each pair carry valid signatures: use --json for the signed bytes"
        )?;
    }
    Ok(if pairs.is_empty() {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(INVALID)
    })
}

/// `doctor`: rebuild derived data and say what changed, or (`check`)
/// only report what differs.
pub fn doctor(path: &Path, check: bool, json: bool, out: &mut impl Write) -> Result<ExitCode> {
    let (state, differences) = if check {
        Ledger::open_read(path)?.check_derived()?
    } else {
        Ledger::open(path)?.rebuild_derived_reporting()?
    };
    let head = state.head();
    if json {
        let v = serde_json::json!({
            "checked_only": check,
            "entries": head.seq + 1,
            "head": { "seq": head.seq, "hash": head.hash.to_hex() },
            "differences": differences,
        });
        writeln!(out, "{v}")?;
    } else {
        for d in &differences {
            let (what, key) = match d {
                DerivedDifference::Extra(k) => ("stored but not given by the entries", k),
                DerivedDifference::Missing(k) => ("given by the entries but missing", k),
                DerivedDifference::Changed(k) => {
                    ("stored with another value than the entries give", k)
                }
            };
            writeln!(
                out,
                "{}: {key}: {what}",
                if check { "differs" } else { "repaired" }
            )?;
        }
        let verb = if check {
            "checked derived data against"
        } else {
            "rebuilt derived data from"
        };
        writeln!(
            out,
            "{verb} {} verified entries (head {}:{}): {} difference(s){}",
            head.seq + 1,
            head.seq,
            head.hash,
            differences.len(),
            if check && !differences.is_empty() {
                "; `accord doctor` repairs them"
            } else {
                ""
            }
        )?;
    }
    Ok(if check && !differences.is_empty() {
        ExitCode::from(INVALID)
    } else {
        ExitCode::SUCCESS
    })
}

/// `recover`: keep entries after the good prefix in `out`, then make the
/// prefix the ledger, with the old store renamed aside.
pub fn recover(path: &Path, to: Option<u64>, keep: &PathBuf, out: &mut impl Write) -> Result<()> {
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
    crate::durable::sync_parent(keep)?;
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
    Ok(())
}
