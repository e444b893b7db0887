//! Reading a charter file: the TOML is parsed and checked by
//! `accord_ledger::charter_toml`; key files named by `key_file` are read
//! here, relative to the charter's directory.

use std::path::Path;

use accord_core::Charter;
use accord_ledger::charter_toml;
use anyhow::{bail, Context, Result};

use crate::keyfile;

pub fn load(path: &Path) -> Result<Charter> {
    if path.is_dir() {
        bail!("{} is a directory, not a charter file", path.display());
    }
    let text = std::fs::read_to_string(path)
        .with_context(|| format!("cannot read charter {}", path.display()))?;
    let base = path.parent().unwrap_or(Path::new("."));
    let load_key = |file: &Path| {
        keyfile::load_public(&base.join(file)).map_err(|e| format!("{e:#}").replace('\n', " "))
    };
    charter_toml::parse(&text, load_key).with_context(|| format!("charter {}", path.display()))
}
