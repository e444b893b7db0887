//! The redb-backed store, accord's default.
//!
//! Layout (internal to this crate): one file ([`crate::layout`] names it),
//! with table `entries` (seq → entry bytes) and table `derived`
//! (key → value). Every append is one redb write transaction committed with
//! `Durability::Immediate` (redb's copy-on-write commit, fsynced), so it
//! lands whole or not at all and is durable when `append` returns.
//!
//! Two ways in:
//! - [`RedbStore::open`] / [`RedbStore::create`], for writing: the
//!   directory's exclusive lock (`accord.lock`, one writer at a time), then
//!   redb's exclusive-writer open, or, while readers hold the file, its
//!   single-writer open, which commits beside them.
//! - [`RedbStore::open_read`], for reading: creates and writes nothing, takes
//!   no directory lock, and reads one redb snapshot (a read transaction held
//!   for the store's life) through a single-writer-mode read-only handle, so
//!   a writer never waits for it however slowly its output is consumed.
//!   The price, paid only while a reader is open: the writer's commits take
//!   two syncs instead of one, and it cannot reuse pages the reader's
//!   snapshot still holds (the file grows by what is written meanwhile).
//!
//! Damage: every call into redb runs under [`guarded`], which turns redb's
//! errors and panics (redb trusts a file it closed cleanly and may panic on
//! pages changed behind its back) into [`StoreError`]. No redb panic may
//! leave this module, and opening an existing ledger must never create or
//! initialise a database file.

use std::collections::BTreeMap;
use std::fs::File;
use std::ops::Bound;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::{Path, PathBuf};
use std::sync::OnceLock;
use std::time::{Duration, Instant};

use redb::{
    ConcurrencyMode, Database, DatabaseError, ReadOnlyDatabase, ReadOnlyTable, ReadTransaction,
    ReadableDatabase, ReadableTable, TableDefinition, TableError,
};

use crate::dir::{self, LOCK_WAIT};
use crate::layout::{self, REDB_FILE};
use crate::{check_batch, Damage, EngineError, KeyValue, RawEntry, Result, Store, StoreError};

const ENTRIES: TableDefinition<u64, &[u8]> = TableDefinition::new("entries");
const DERIVED: TableDefinition<&[u8], &[u8]> = TableDefinition::new("derived");

/// redb's page cache. Its default (a gigabyte) would let a scan of a large
/// ledger grow the process by the ledger's size; appends and scans read
/// each page about once, so a small cache costs them nothing measurable.
pub(crate) const CACHE_BYTES: usize = 16 << 20;

/// A scan reads at most this many entries, or the first entry past this
/// many bytes, per visit to redb; nothing of redb's stays alive between
/// visits.
const SCAN_ENTRIES: usize = 256;
const SCAN_BYTES: usize = 4 << 20;

/// How long to sleep between two attempts to open a file another process
/// holds.
const RETRY_EVERY: Duration = Duration::from_millis(5);

/// A builder in redb's default mode (a writer excludes every other
/// process): for files no other process opens (new databases, scratch).
pub(crate) fn builder() -> redb::Builder {
    builder_in(ConcurrencyMode::ExclusiveWriter)
}

fn builder_in(mode: ConcurrencyMode) -> redb::Builder {
    let mut b = Database::builder();
    b.set_cache_size(CACHE_BYTES);
    b.set_concurrency_mode(mode);
    b
}

/// The tables of one read transaction; `None` for a table not created yet.
struct Tables {
    entries: Option<ReadOnlyTable<u64, &'static [u8]>>,
    derived: Option<ReadOnlyTable<&'static [u8], &'static [u8]>>,
}

impl Tables {
    fn of(tx: &ReadTransaction) -> std::result::Result<Self, redb::Error> {
        Ok(Tables {
            entries: optional(tx.open_table(ENTRIES))?,
            derived: optional(tx.open_table(DERIVED))?,
        })
    }
}

fn optional<T>(
    table: std::result::Result<T, TableError>,
) -> std::result::Result<Option<T>, redb::Error> {
    match table {
        Ok(t) => Ok(Some(t)),
        Err(TableError::TableDoesNotExist(_)) => Ok(None),
        Err(e) => Err(e.into()),
    }
}

/// What a read-only store reads: one snapshot, fixed when it was opened.
struct Snapshot {
    tables: Tables,
    // Dropped after the tables that read through them.
    _tx: ReadTransaction,
    _db: ReadOnlyDatabase,
}

enum Db {
    Write(Database),
    Read(Box<Snapshot>),
    /// Left in place of a database leaked after redb panicked.
    Leaked,
}

/// A ledger in one redb file, `ledger.redb`.
pub struct RedbStore {
    path: PathBuf,
    /// Leaked, not dropped, once redb has panicked: closing a database in
    /// that state could panic again, or write to a damaged file.
    db: Db,
    /// What redb's panic said, once it has panicked.
    panicked: OnceLock<String>,
    /// Opened by [`RedbStore::open_read`]: appends are refused and
    /// recomputed derived data stays in memory.
    read_only: bool,
    /// Derived data this process recomputed on a read-only store
    /// ([`Store::replace_derived`]): it replaces the stored derived data
    /// for this process's reads, and is never written.
    recomputed: Option<BTreeMap<Vec<u8>, Vec<u8>>>,
    /// The directory's lock, held by writers.
    _lock: Option<File>,
}

impl Drop for RedbStore {
    fn drop(&mut self) {
        if self.panicked.get().is_some() {
            std::mem::forget(std::mem::replace(&mut self.db, Db::Leaked));
        }
    }
}

/// The one line that says a ledger file is damaged.
fn damaged(file: &Path, what: impl std::fmt::Display) -> StoreError {
    StoreError::Corrupt(one_line(file, what).into())
}

fn one_line(file: &Path, what: impl std::fmt::Display) -> String {
    let what = what.to_string().replace(['\n', '\r'], " ");
    format!("{}: {what}", file.display())
}

/// Classifies a redb failure: damage to the file (which no retry mends) or
/// an operational failure (I/O, space, permissions, a closed database).
fn classify(file: &Path, e: redb::Error) -> StoreError {
    use redb::Error as E;
    let is_damage = match &e {
        E::Corrupted(_)
        | E::ValueTooLarge(_)
        | E::TableTypeMismatch { .. }
        | E::TableIsMultimap(_)
        | E::TableIsNotMultimap(_)
        | E::TypeDefinitionChanged { .. }
        | E::UpgradeRequired(_)
        | E::LockPoisoned(_)
        | E::TransactionPoisoned => true,
        // redb's "not a redb database" (a bad magic number, an empty file).
        E::Io(io) => io.kind() == std::io::ErrorKind::InvalidData,
        _ => false,
    };
    if is_damage {
        let what = one_line(file, &e);
        StoreError::Corrupt(Damage::found_by(what, EngineError::new(e)))
    } else {
        StoreError::Engine {
            path: file.to_owned(),
            source: EngineError::new(e),
        }
    }
}

/// Runs `f`, which calls into redb, turning a redb error or panic into a
/// [`StoreError`] about `file`. Returns whether redb panicked.
fn guarded<T>(
    file: &Path,
    f: impl FnOnce() -> std::result::Result<T, redb::Error>,
) -> (Result<T>, bool) {
    match catch_unwind(AssertUnwindSafe(f)) {
        Ok(outcome) => (outcome.map_err(|e| classify(file, e)), false),
        Err(payload) => {
            let what = payload
                .downcast_ref::<&str>()
                .map(|s| s.to_string())
                .or_else(|| payload.downcast_ref::<String>().cloned())
                .unwrap_or_else(|| "unreadable page".into());
            (
                Err(damaged(file, format_args!("redb cannot read it ({what})"))),
                true,
            )
        }
    }
}

/// Refuses a database file that is empty: redb would initialise a new,
/// empty database in it, silently replacing a ledger with nothing.
fn refuse_empty(file: &Path) -> Result<()> {
    let len = std::fs::metadata(file).map_err(|e| dir::io(file, e))?.len();
    if len == 0 {
        return Err(damaged(file, "the file is empty (0 bytes)"));
    }
    Ok(())
}

/// What an operational failure says after "storage I/O failed: ".
fn operational_detail(e: &StoreError) -> String {
    match e {
        StoreError::Io(why) => why.clone(),
        StoreError::FileIo { path, source } => format!("{}: {source}", path.display()),
        StoreError::Engine { path, source } => format!("{}: {source}", path.display()),
        other => other.to_string(),
    }
}

/// Why an open could not complete yet.
enum Opening<T> {
    Done(T),
    /// Another process holds the file in a way that excludes this open.
    Busy,
    /// The file was not closed cleanly (a writer stopped mid-write): redb
    /// must repair it, which a read-only open cannot do.
    NeedsRepair,
}

/// Runs `attempt` until it is done, or [`LOCK_WAIT`] has passed while the
/// file was busy.
fn until_free<T>(
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
fn try_open_writer(file: &Path) -> Result<Opening<Database>> {
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
fn try_open_snapshot(file: &Path) -> Result<Opening<Snapshot>> {
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

impl RedbStore {
    /// Opens an existing ledger directory for writing.
    pub fn open(path: &Path) -> Result<Self> {
        Self::check_existing(path)?;
        Self::open_writer(path)
    }

    /// Opens an existing ledger directory for reading only: nothing in the
    /// directory is created or written (but see below), no lock is taken
    /// that a writer would wait for, and every read sees the ledger as it
    /// was when this returned.
    ///
    /// A file a writer left mid-write (a crash) must first be repaired by
    /// redb: if the directory can be written, this does that, as the next
    /// writer would; otherwise it reports the ledger unreadable here. If
    /// the repair cannot be recorded (a full disk), the store reads through
    /// the repairing handle, holding the directory's lock as writers do.
    pub fn open_read(path: &Path) -> Result<Self> {
        Self::check_existing(path)?;
        let file = layout::redb_file(path);
        let mut repaired = false;
        loop {
            match until_free(path, || try_open_snapshot(&file))? {
                Opening::Done(snapshot) => {
                    return Ok(Self::with(path, Db::Read(Box::new(snapshot)), None, true))
                }
                Opening::NeedsRepair => {
                    let mut writer = Self::open_writer(path).map_err(|e| match e {
                        StoreError::Io(_) | StoreError::FileIo { .. } | StoreError::Engine { .. } => StoreError::Io(format!(
                            "{} was not closed cleanly (a process stopped while writing) and cannot be repaired here ({why}): run any accord command on a writable copy, or restore from any party's export with `accord import`",
                            file.display(),
                            why = operational_detail(&e),
                        )),
                        other => other,
                    })?;
                    if repaired {
                        // redb repaired it but could not record that (a
                        // full disk, say): read through the handle that
                        // repaired it, holding the lock as a writer would.
                        writer.read_only = true;
                        return Ok(writer);
                    }
                    drop(writer);
                    repaired = true;
                }
                Opening::Busy => return Err(StoreError::InUse(path.to_owned())),
            }
        }
    }

    /// Creates a new, empty ledger directory (or uses an empty one, or one
    /// that a crash left holding a store with no entries).
    pub fn create(path: &Path) -> Result<Self> {
        let existed = dir::prepare_create(path, REDB_FILE)?;
        if existed {
            let store = Self::open_writer(path)?;
            if store.last_seq()?.is_some() {
                return Err(StoreError::AlreadyExists(path.to_owned()));
            }
            return Ok(store);
        }
        // The database file is built under a scratch name and renamed into
        // place once redb has written it whole: a crash while creating it
        // leaves no half-made `ledger.redb` that could not be opened.
        let lock = dir::lock(path)?;
        let scratch = layout::redb_scratch(path);
        if scratch.exists() {
            std::fs::remove_file(&scratch).map_err(|e| dir::io(&scratch, e))?;
        }
        let (db, _) = guarded(&scratch, || Ok(builder().create(&scratch)?));
        let db = db?;
        let file = layout::redb_file(path);
        std::fs::rename(&scratch, &file).map_err(|e| dir::io(&file, e))?;
        dir::sync_dir(path)?;
        Ok(Self::writer(path, db, lock))
    }

    /// A store on any redb storage backend, for tests that make the disk
    /// fail: created if the backend is empty, opened (and repaired if a
    /// crash left it needing that) otherwise.
    #[cfg(test)]
    pub(crate) fn on_backend(
        backend: impl redb::StorageBackend,
        mode: ConcurrencyMode,
    ) -> Result<Self> {
        let path = PathBuf::from("backend");
        let (db, _) = guarded(&path, || Ok(builder_in(mode).create_with_backend(backend)?));
        Ok(Self::with(&path, Db::Write(db?), None, false))
    }

    fn writer(path: &Path, db: Database, lock: File) -> Self {
        Self::with(path, Db::Write(db), Some(lock), false)
    }

    fn with(path: &Path, db: Db, lock: Option<File>, read_only: bool) -> Self {
        Self {
            path: path.to_owned(),
            db,
            panicked: OnceLock::new(),
            read_only,
            recomputed: None,
            _lock: lock,
        }
    }

    fn check_existing(path: &Path) -> Result<()> {
        dir::check_existing(path)?;
        let file = layout::redb_file(path);
        if !file.is_file() {
            return Err(StoreError::NotFound(path.to_owned()));
        }
        refuse_empty(&file)
    }

    fn open_writer(path: &Path) -> Result<Self> {
        let lock = dir::lock(path)?;
        let file = layout::redb_file(path);
        refuse_empty(&file)?;
        match until_free(path, || try_open_writer(&file))? {
            Opening::Done(db) => Ok(Self::writer(path, db, lock)),
            // A writable open repairs; it never asks for a repair.
            _ => Err(damaged(&file, "redb could not repair it")),
        }
    }

    fn file(&self) -> PathBuf {
        layout::redb_file(&self.path)
    }

    /// Runs `f` on the database, marking the store damaged if redb panics.
    fn guard<T>(&self, f: impl FnOnce(&Db) -> std::result::Result<T, redb::Error>) -> Result<T> {
        if let Some(what) = self.panicked.get() {
            return Err(StoreError::Corrupt(what.clone().into()));
        }
        let (outcome, panicked) = guarded(&self.file(), || f(&self.db));
        if let (true, Err(StoreError::Corrupt(what))) = (panicked, &outcome) {
            let _ = self.panicked.set(what.to_string());
        }
        outcome
    }

    /// Runs `f` on the tables: the snapshot's, or a fresh read
    /// transaction's in a writer.
    fn read<T>(
        &self,
        f: impl FnOnce(
            &Tables,
            Option<&BTreeMap<Vec<u8>, Vec<u8>>>,
        ) -> std::result::Result<T, redb::Error>,
    ) -> Result<T> {
        let recomputed = self.recomputed.as_ref();
        self.guard(|db| match db {
            Db::Write(db) => f(&Tables::of(&db.begin_read()?)?, recomputed),
            Db::Read(s) => f(&s.tables, recomputed),
            Db::Leaked => Err(redb::Error::DatabaseClosed),
        })
    }

    fn database(&self) -> Result<&Database> {
        match &self.db {
            Db::Write(db) if !self.read_only => Ok(db),
            _ => Err(StoreError::Io(format!(
                "{}: opened for reading only (internal error: a write was attempted)",
                self.file().display()
            ))),
        }
    }

    /// Up to a scan's worth of entries from `from` on; whether more may
    /// follow. The entries read before a failure come first: the failure
    /// then comes with the next call, at the entry that could not be read.
    fn entries_from(&self, from: u64) -> Result<(Vec<RawEntry>, bool)> {
        let mut out = Vec::new();
        let outcome = self.read(|t, _| {
            let Some(table) = &t.entries else {
                return Ok(false);
            };
            let mut bytes = 0;
            for item in table.range(from..)? {
                if out.len() == SCAN_ENTRIES || bytes > SCAN_BYTES {
                    return Ok(true);
                }
                let (k, v) = item?;
                let value = v.value().to_vec();
                bytes += value.len();
                out.push((k.value(), value));
            }
            Ok(false)
        });
        match outcome {
            Ok(more) => Ok((out, more)),
            Err(_) if !out.is_empty() => Ok((out, true)),
            Err(e) => Err(e),
        }
    }

    /// Up to a scan's worth of derived pairs under `prefix`, after `start`;
    /// whether more may follow.
    fn derived_from(&self, prefix: &[u8], start: Bound<&[u8]>) -> Result<(Vec<KeyValue>, bool)> {
        self.read(|t, recomputed| {
            let under = |k: &[u8]| k.starts_with(prefix);
            if let Some(map) = recomputed {
                let range = map.range::<[u8], _>((start, Bound::Unbounded));
                let all = range
                    .take_while(|(k, _)| under(k))
                    .map(|(k, v)| (k.clone(), v.clone()))
                    .collect();
                return Ok((all, false));
            }
            let mut out = Vec::new();
            let Some(table) = &t.derived else {
                return Ok((out, false));
            };
            let mut bytes = 0;
            for item in table.range::<&[u8]>((start, Bound::Unbounded))? {
                if out.len() == SCAN_ENTRIES || bytes > SCAN_BYTES {
                    return Ok((out, true));
                }
                let (k, v) = item?;
                if !under(k.value()) {
                    return Ok((out, false));
                }
                bytes += k.value().len() + v.value().len();
                out.push((k.value().to_vec(), v.value().to_vec()));
            }
            Ok((out, false))
        })
    }

    fn write_all(&self, batch: &[RawEntry], derived: &[KeyValue]) -> Result<()> {
        let db = self.database()?;
        let mut refused = None;
        self.guard(|_| {
            let tx = db.begin_write()?;
            {
                let mut entries = tx.open_table(ENTRIES)?;
                let last = entries.last()?.map(|(k, _)| k.value());
                if let Err(e) = check_batch(last, batch) {
                    refused = Some(e);
                    return Ok(());
                }
                for (seq, bytes) in batch {
                    entries.insert(*seq, bytes.as_slice())?;
                }
                let mut table = tx.open_table(DERIVED)?;
                for (k, v) in derived {
                    if v.is_empty() {
                        table.remove(k.as_slice())?;
                    } else {
                        table.insert(k.as_slice(), v.as_slice())?;
                    }
                }
            }
            Ok(tx.commit()?)
        })?;
        refused.map_or(Ok(()), Err)
    }
}

impl Store for RedbStore {
    fn last_seq(&self) -> Result<Option<u64>> {
        self.read(|t, _| {
            Ok(match &t.entries {
                Some(table) => table.last()?.map(|(k, _)| k.value()),
                None => None,
            })
        })
    }

    fn get(&self, seq: u64) -> Result<Option<Vec<u8>>> {
        self.read(|t, _| {
            Ok(match &t.entries {
                Some(table) => table.get(seq)?.map(|v| v.value().to_vec()),
                None => None,
            })
        })
    }

    fn scan(&self, from: u64) -> Box<dyn Iterator<Item = Result<RawEntry>> + '_> {
        let mut next = Some(from);
        let mut chunk = Vec::new().into_iter();
        Box::new(std::iter::from_fn(move || loop {
            if let Some(item) = chunk.next() {
                return Some(Ok(item));
            }
            let from = next.take()?;
            match self.entries_from(from) {
                Ok((items, more)) => {
                    if more {
                        next = items.last().and_then(|(seq, _)| seq.checked_add(1));
                    }
                    if items.is_empty() {
                        return None;
                    }
                    chunk = items.into_iter();
                }
                Err(e) => return Some(Err(e)),
            }
        }))
    }

    fn append(&mut self, seq: u64, entry: &[u8], derived: &[KeyValue]) -> Result<()> {
        self.append_batch(&[(seq, entry.to_vec())], derived)
    }

    fn append_batch(&mut self, batch: &[RawEntry], derived: &[KeyValue]) -> Result<()> {
        self.write_all(batch, derived)
    }

    fn derived(&self, key: &[u8]) -> Result<Option<Vec<u8>>> {
        self.read(|t, recomputed| {
            if let Some(map) = recomputed {
                return Ok(map.get(key).cloned());
            }
            Ok(match &t.derived {
                Some(table) => table.get(key)?.map(|v| v.value().to_vec()),
                None => None,
            })
        })
    }

    fn derived_scan(&self, prefix: &[u8]) -> Box<dyn Iterator<Item = Result<KeyValue>> + '_> {
        let prefix = prefix.to_vec();
        let mut next: Option<Bound<Vec<u8>>> = Some(Bound::Included(prefix.clone()));
        let mut chunk = Vec::new().into_iter();
        Box::new(std::iter::from_fn(move || loop {
            if let Some(item) = chunk.next() {
                return Some(Ok(item));
            }
            let start = next.take()?;
            match self.derived_from(&prefix, start.as_ref().map(|k| k.as_slice())) {
                Ok((items, more)) => {
                    if more {
                        next = items.last().map(|(k, _)| Bound::Excluded(k.clone()));
                    }
                    if items.is_empty() {
                        return None;
                    }
                    chunk = items.into_iter();
                }
                Err(e) => return Some(Err(e)),
            }
        }))
    }

    fn replace_derived(&mut self, derived: &[KeyValue]) -> Result<()> {
        if self.read_only {
            self.recomputed = Some(
                derived
                    .iter()
                    .filter(|(_, v)| !v.is_empty())
                    .cloned()
                    .collect(),
            );
            return Ok(());
        }
        let db = self.database()?;
        self.guard(|_| {
            let tx = db.begin_write()?;
            tx.delete_table(DERIVED)?;
            {
                let mut table = tx.open_table(DERIVED)?;
                for (k, v) in derived.iter().filter(|(_, v)| !v.is_empty()) {
                    table.insert(k.as_slice(), v.as_slice())?;
                }
            }
            Ok(tx.commit()?)
        })
    }
}

#[cfg(test)]
mod tests;
