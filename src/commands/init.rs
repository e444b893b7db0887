//! `init`: found a ledger from a charter file, signed by a party's key.
//! Never touches an existing ledger: creating over one is the ledger's
//! refusal to make.

use std::io::Write;
use std::path::Path;
use std::process::ExitCode;

use accord_ledger::{Backend, Ledger};
use anyhow::{bail, Result};

use super::Globals;
use crate::{charter_file, clock, keyfile};

/// Founds the ledger at `--ledger` from `charter`, signed with `key`.
pub fn run(
    charter: &Path,
    key: &Path,
    store: Backend,
    g: &Globals,
    out: &mut impl Write,
) -> Result<ExitCode> {
    let charter_path = charter;
    let charter = charter_file::load(charter)?;
    let signer = keyfile::load_private(key)?;
    let public = accord_core::crypto::public_key(&signer);
    if !charter.parties.iter().any(|p| p.key == public) {
        bail!(
            "the convener is not in the charter: {} (key {}) is no party's key in {}; sign entry 0 with the key of a party the charter names",
            key.display(),
            public.id(),
            charter_path.display()
        );
    }
    let time = clock::claimed(g.time)?;
    let ledger = Ledger::create(g.ledger, store, charter, &signer, time)?;
    let genesis = ledger.entry(0)?;
    writeln!(
        out,
        "founded ledger {} in {}\nentry 0 (charter) signed by {}",
        genesis.hash,
        g.ledger.display(),
        genesis.entry.body.author.party
    )?;
    Ok(ExitCode::SUCCESS)
}
