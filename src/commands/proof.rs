//! `accord proof`: RFC 9162 inclusion and consistency proofs over the
//! entries, printed in the shapes C2SP's tlog specs use (hashes in base64,
//! leaf to root). Reads only: the ledger is opened read-only and never
//! written; the proofs come from `Ledger`'s tree API.

use std::io::Write;
use std::process::ExitCode;

use accord_core::merkle;
use accord_ledger::Ledger;
use anyhow::Result;

use super::Globals;
use crate::cli::ProofCommand;
use crate::render::b64;

pub fn run(cmd: ProofCommand, g: &Globals, out: &mut impl Write) -> Result<ExitCode> {
    let mut ledger = Ledger::open_read(g.ledger)?;
    match cmd {
        ProofCommand::Inclusion { seq, size, json } => {
            let size = match size {
                Some(n) => n,
                None => ledger.tree_size()?,
            };
            if json.json {
                writeln!(out, "{}", ledger.inclusion_json(seq, size)?)?;
                return Ok(ExitCode::SUCCESS);
            }
            let proof = ledger.inclusion_proof(seq, size)?;
            let root = ledger.tree_root(size)?;
            let leaf = merkle::leaf_hash(&ledger.entry(seq)?.bytes);
            writeln!(out, "size {size}")?;
            writeln!(out, "root {}", b64(&root))?;
            writeln!(out, "root-hex {}", hex::encode(root))?;
            writeln!(out, "index {seq}")?;
            writeln!(out, "leaf-hash {}", b64(&leaf))?;
            write_proof(&proof, out)?;
        }
        ProofCommand::Consistency { old, new, json } => {
            if json.json {
                writeln!(out, "{}", ledger.consistency_json(old, new)?)?;
                return Ok(ExitCode::SUCCESS);
            }
            let proof = ledger.consistency_proof(old, new)?;
            let old_root = ledger.tree_root(old)?;
            let new_root = ledger.tree_root(new)?;
            writeln!(out, "old {old}")?;
            writeln!(out, "old-root {}", b64(&old_root))?;
            writeln!(out, "old-root-hex {}", hex::encode(old_root))?;
            writeln!(out, "new {new}")?;
            writeln!(out, "new-root {}", b64(&new_root))?;
            writeln!(out, "new-root-hex {}", hex::encode(new_root))?;
            write_proof(&proof, out)?;
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// `proof N`, then the N hashes one per line, leaf (or old tree) first.
fn write_proof(proof: &[merkle::Hash], out: &mut impl Write) -> Result<()> {
    writeln!(out, "proof {}", proof.len())?;
    for h in proof {
        writeln!(out, "{}", b64(h))?;
    }
    Ok(())
}
