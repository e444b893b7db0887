//! The audit commands: `verify` (and which exit code each outcome gets)
//! and `doctor`. An audit script must tell an invalid ledger from one that
//! could not be checked: the codes are documented in README and
//! SECURITY.md. `verify` and `doctor --check` never write to the ledger.

use std::io::{self, Write};
use std::path::Path;
use std::process::ExitCode;

use accord_ledger::{export, DerivedDifference, Ledger, LedgerError, StoreError};
use anyhow::{bail, Context, Result};

use crate::{clock, one_line, progress, render, FUTURE, INVALID, UNCHECKED};

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
    trust: Option<super::checkpoint::Trust>,
    json: bool,
    out: &mut impl Write,
) -> Result<ExitCode> {
    // A failure inside the verifier says nothing about the ledger: it is
    // "could not check", not "invalid".
    let outcome = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| match against {
        Some(other) => equivocations(path, other, json, out),
        None => chain(path, expect_head, trust.as_ref(), json, out),
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
    trust: Option<&super::checkpoint::Trust>,
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
    // --checkpoint: judged only on a ledger that verifies.
    let judged = match trust.filter(|_| report.ok()) {
        Some(t) => Some(super::checkpoint::judge(&ledger, t)?),
        None => None,
    };
    let refused = matches!(judged, Some(super::checkpoint::Judged::Refused(_)));
    if json {
        let mut v = render::verify_json(&report);
        v["checkpoint"] = match &judged {
            Some(super::checkpoint::Judged::Trusted(_, j)) => j.clone(),
            Some(super::checkpoint::Judged::Refused(why)) => {
                serde_json::json!({ "trusted": false, "reason": why })
            }
            None => serde_json::Value::Null,
        };
        v["future"] = match future {
            Some((seq, time)) => {
                serde_json::json!({ "seq": seq, "time": clock::format(time), "now": clock::format(now) })
            }
            None => serde_json::Value::Null,
        };
        writeln!(out, "{v}")?;
    } else {
        writeln!(out, "{}", render::verify_text(&report))?;
        match &judged {
            Some(super::checkpoint::Judged::Trusted(line, _)) => writeln!(out, "{line}")?,
            Some(super::checkpoint::Judged::Refused(why)) => {
                writeln!(out, "CHECKPOINT REFUSED: {why}")?
            }
            None => {}
        }
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
        (None, _) if refused => ExitCode::from(INVALID),
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

fn parse_head(s: &str) -> Result<accord_core::Head> {
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
