//! Making a new directory entry durable: after a file is created or renamed
//! into place and synced, its directory is synced too, or a crash can lose
//! the name although the bytes reached the disk. Only syncs; never writes.

use std::path::Path;

use anyhow::{Context, Result};

/// Syncs the directory that holds `path` (the current directory for a bare
/// file name).
pub fn sync_parent(path: &Path) -> Result<()> {
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => Path::new("."),
    };
    std::fs::File::open(dir)
        .and_then(|d| d.sync_all())
        .with_context(|| format!("cannot sync directory {}", dir.display()))
}
