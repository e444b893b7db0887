//! Reading a charter file: the TOML is parsed and checked by
//! `accord_ledger::charter_toml`; key files named by `key_file` are read
//! here, relative to the charter's directory.

use std::path::Path;

use accord_core::Charter;
use accord_ledger::charter_toml;
use anyhow::{bail, Context, Result};

use crate::keyfile;

pub fn load(path: &Path) -> Result<Charter> {
    let bytes = crate::bounded::read_at_most(path, accord_core::limits::MAX_ENTRY_BYTES)?;
    let Ok(text) = String::from_utf8(bytes) else {
        bail!("{} is not a charter file (not UTF-8 text)", path.display());
    };
    let base = path.parent().unwrap_or(Path::new("."));
    let load_key = |file: &Path| {
        keyfile::load_public(&base.join(file)).map_err(|e| format!("{e:#}").replace('\n', " "))
    };
    charter_toml::parse(&text, load_key).with_context(|| format!("charter {}", path.display()))
}
