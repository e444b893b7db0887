//! `publish --tiles DIR --checkpoint F`: the ledger as a C2SP tlog-tiles
//! directory (`checkpoint`, `tile/<L>/<N>`, `tile/entries/<N>`) for any
//! static web server, object store or CDN, under a checkpoint a party
//! signed (`accord checkpoint`, cosigned by witnesses as wanted). The
//! checking and writing are accord-ledger's (`Ledger::publish_tiles`);
//! this only reads the checkpoint file and says what was written. Never
//! signs, never appends to the ledger.

use std::io::Write;
use std::path::Path;
use std::process::ExitCode;

use accord_ledger::Ledger;
use anyhow::{Context, Result};

use super::checkpoint::read_note;
use super::Globals;

/// `publish --tiles DIR --checkpoint F`.
pub fn run(dir: &Path, checkpoint: &Path, g: &Globals, out: &mut impl Write) -> Result<ExitCode> {
    let note = read_note(checkpoint)?;
    let mut ledger = Ledger::open_read(g.ledger)?;
    let done = ledger
        .publish_tiles(dir, &note)
        .with_context(|| format!("cannot publish to {}", dir.display()))?;
    writeln!(
        out,
        "published the checkpoint of {} entries to {}: {} tile(s) and {} entry bundle(s) written ({} bytes with the checkpoint); {} tile(s) and {} bundle(s) already there, unchanged",
        done.size,
        dir.display(),
        done.tiles_written,
        done.bundles_written,
        done.bytes_written,
        done.tiles_kept,
        done.bundles_kept,
    )?;
    Ok(ExitCode::SUCCESS)
}
