//! Opening a redb file: the builder with accord's cache size and
//! concurrency mode, one attempt to open a file for writing or to take a
//! read-only snapshot of it, and the retry while another process holds it.
//!
//! An open here must never create or initialise a database file (an empty
//! file is refused, not filled) and never waits longer than [`LOCK_WAIT`].

use std::path::Path;
use std::time::{Duration, Instant};

use redb::{
    ConcurrencyMode, Database, DatabaseError, ReadOnlyDatabase, ReadTransaction, ReadableDatabase,
};

use super::damage::{classify, damaged, guarded};
use super::Tables;
use crate::dir::{self, LOCK_WAIT};
use crate::{Result, StoreError};

/// redb's page cache. Its default (a gigabyte) would let a scan of a large
/// ledger grow the process by the ledger's size; appends and scans read
/// each page about once, so a small cache costs them nothing measurable.
pub(crate) const CACHE_BYTES: usize = 16 << 20;

/// How long to sleep between two attempts to open a file another process
/// holds.
const RETRY_EVERY: Duration = Duration::from_millis(5);

/// A builder in redb's default mode (a writer excludes every other
/// process): for files no other process opens (new databases, scratch).
pub(crate) fn builder() -> redb::Builder {
    builder_in(ConcurrencyMode::ExclusiveWriter)
}

/// A builder in concurrency mode `mode`, with accord's cache size.
pub(super) fn builder_in(mode: ConcurrencyMode) -> redb::Builder {
    let mut b = Database::builder();
    b.set_cache_size(CACHE_BYTES);
    b.set_concurrency_mode(mode);
    b
}

/// What a read-only store reads: one snapshot, fixed when it was opened.
pub(super) struct Snapshot {
    pub(super) tables: Tables,
    // Dropped after the tables that read through them.
    _tx: ReadTransaction,
    _db: ReadOnlyDatabase,
}

/// Refuses a database file that is empty: redb would initialise a new,
/// empty database in it, silently replacing a ledger with nothing.
pub(super) fn refuse_empty(file: &Path) -> Result<()> {
    let len = std::fs::metadata(file).map_err(|e| dir::io(file, e))?.len();
    if len == 0 {
        return Err(damaged(file, "the file is empty (0 bytes)"));
    }
    Ok(())
}

/// Why an open could not complete yet.
pub(super) enum Opening<T> {
    Done(T),
    /// Another process holds the file in a way that excludes this open.
    Busy,
    /// The file was not closed cleanly (a writer stopped mid-write): redb
    /// must repair it, which a read-only open cannot do.
    NeedsRepair,
}

/// Runs `attempt` until it is done, or [`LOCK_WAIT`] has passed while the
/// file was busy.
pub(super) fn until_free<T>(
    path: &Path,
    mut attempt: impl FnMut() -> Result<Opening<T>>,
) -> Result<Opening<T>> {
    let deadline = Instant::now() + LOCK_WAIT;
    loop {
        match attempt()? {
            Opening::Busy if Instant::now() < deadline => std::thread::sleep(RETRY_EVERY),
            Opening::Busy => return Err(StoreError::InUse(path.to_owned())),
            other => return Ok(other),
        }
    }
}

fn opening<T>(file: &Path, outcome: std::result::Result<T, DatabaseError>) -> Result<Opening<T>> {
    match outcome {
        Ok(db) => Ok(Opening::Done(db)),
        Err(DatabaseError::DatabaseAlreadyOpen) => Ok(Opening::Busy),
        Err(DatabaseError::RepairAborted) => Ok(Opening::NeedsRepair),
        Err(e) => Err(classify(file, e.into())),
    }
}

/// One attempt to open `file` for writing: exclusively (redb's fastest
/// commits) when no one else has it open, else beside its readers.
pub(super) fn try_open_writer(file: &Path) -> Result<Opening<Database>> {
    let attempt = |mode| {
        let (outcome, _) = guarded(file, || Ok(builder_in(mode).open(file)));
        opening(file, outcome?)
    };
    match attempt(ConcurrencyMode::ExclusiveWriter)? {
        Opening::Busy => attempt(ConcurrencyMode::SingleWriter),
        other => Ok(other),
    }
}

/// One attempt to open `file` read-only and take a snapshot of it.
pub(super) fn try_open_snapshot(file: &Path) -> Result<Opening<Snapshot>> {
    let (outcome, _) = guarded(file, || {
        Ok(builder_in(ConcurrencyMode::SingleWriter).open_read_only(file))
    });
    let db = match opening(file, outcome?)? {
        Opening::Done(db) => db,
        Opening::Busy => return Ok(Opening::Busy),
        Opening::NeedsRepair => return Ok(Opening::NeedsRepair),
    };
    let (snapshot, _) = guarded(file, || {
        let tx = db.begin_read()?;
        let tables = Tables::of(&tx)?;
        Ok((tables, tx))
    });
    let (tables, tx) = snapshot?;
    Ok(Opening::Done(Snapshot {
        tables,
        _tx: tx,
        _db: db,
    }))
}
