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
//! Damage: every call into redb runs under [`damage::guarded`], which turns
//! redb's errors and panics (redb trusts a file it closed cleanly and may
//! panic on pages changed behind its back) into [`StoreError`]. No redb
//! panic may leave this module, and opening an existing ledger must never
//! create or initialise a database file.
//!
//! This file holds the store itself (its constructors, reads, writes and
//! the [`Store`] impl); `open` holds opening a file (builder, snapshot,
//! retry while busy) and `damage` the classification of redb's failures.

mod damage;
mod open;

use std::collections::BTreeMap;
use std::fs::File;
use std::ops::Bound;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

#[cfg(test)]
use redb::ConcurrencyMode;
use redb::{
    Database, ReadOnlyTable, ReadTransaction, ReadableDatabase, ReadableTable, TableDefinition,
    TableError,
};

use crate::dir;
use crate::layout::{self, REDB_FILE};
use crate::{check_batch, KeyValue, RawEntry, Result, Store, StoreError};
use damage::{damaged, guarded, operational_detail};
pub(crate) use open::builder;
#[cfg(test)]
use open::builder_in;
use open::{refuse_empty, try_open_snapshot, try_open_writer, until_free, Opening, Snapshot};

const ENTRIES: TableDefinition<u64, &[u8]> = TableDefinition::new("entries");
const DERIVED: TableDefinition<&[u8], &[u8]> = TableDefinition::new("derived");

/// A scan reads at most this many entries, or the first entry past this
/// many bytes, per visit to redb; nothing of redb's stays alive between
/// visits.
const SCAN_ENTRIES: usize = 256;
const SCAN_BYTES: usize = 4 << 20;

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
                        StoreError::Io(_)
                        | StoreError::FileIo { .. }
                        | StoreError::Engine { .. } => StoreError::Unrepaired {
                            file: file.clone(),
                            why: operational_detail(&e),
                        },
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
