//! The redb-backed store, accord's default.
//!
//! Layout (internal to this crate): one file, `ledger.redb`, in the ledger
//! directory, with table `entries` (seq → entry bytes) and table `derived`
//! (key → value). Every append is one redb write transaction committed with
//! `Durability::Immediate` (redb's copy-on-write commit, fsynced), so it
//! lands whole or not at all and is durable when `append` returns.

use std::fs::File;
use std::path::{Path, PathBuf};

use redb::{Database, ReadableDatabase, ReadableTable, TableDefinition};

use crate::dir;
use crate::{check_batch, KeyValue, RawEntry, Result, Store, StoreError};

/// The redb file inside the ledger directory.
pub(crate) const REDB_FILE: &str = "ledger.redb";
/// Where a new database file is built before it is renamed to `REDB_FILE`.
pub(crate) const REDB_SCRATCH: &str = "ledger.redb.creating";
const ENTRIES: TableDefinition<u64, &[u8]> = TableDefinition::new("entries");
const DERIVED: TableDefinition<&[u8], &[u8]> = TableDefinition::new("derived");

/// redb's page cache. Its default (a gigabyte) would let a scan of a large
/// ledger grow the process by the ledger's size; appends and scans read
/// each page about once, so a small cache costs them nothing measurable.
pub(crate) const CACHE_BYTES: usize = 16 << 20;

pub(crate) fn builder() -> redb::Builder {
    let mut b = Database::builder();
    b.set_cache_size(CACHE_BYTES);
    b
}

pub struct RedbStore {
    path: PathBuf,
    db: Database,
    _lock: File,
}

fn err(path: &Path, e: impl std::fmt::Display) -> StoreError {
    let text = e.to_string();
    if text.to_ascii_lowercase().contains("corrupt") {
        StoreError::Corrupt(format!("{}: {text}", path.display()))
    } else {
        StoreError::Io(format!("{}: {text}", path.display()))
    }
}

impl RedbStore {
    /// Opens an existing ledger directory.
    pub fn open(path: &Path) -> Result<Self> {
        dir::check_existing(path)?;
        if !path.join(REDB_FILE).is_file() {
            return Err(StoreError::NotFound(path.to_owned()));
        }
        Self::open_locked(path)
    }

    /// Creates a new, empty ledger directory (or uses an empty one, or one
    /// that a crash left holding a store with no entries).
    pub fn create(path: &Path) -> Result<Self> {
        let existed = dir::prepare_create(path, REDB_FILE)?;
        if existed {
            let store = Self::open_locked(path)?;
            if store.last_seq()?.is_some() {
                return Err(StoreError::AlreadyExists(path.to_owned()));
            }
            return Ok(store);
        }
        // The database file is built under a scratch name and renamed into
        // place once redb has written it whole: a crash while creating it
        // leaves no half-made `ledger.redb` that could not be opened.
        let lock = dir::lock(path)?;
        let scratch = path.join(REDB_SCRATCH);
        if scratch.exists() {
            std::fs::remove_file(&scratch).map_err(|e| dir::io(&scratch, e))?;
        }
        let db = builder().create(&scratch).map_err(|e| err(&scratch, e))?;
        let file = path.join(REDB_FILE);
        std::fs::rename(&scratch, &file).map_err(|e| dir::io(&file, e))?;
        dir::sync_dir(path)?;
        Ok(Self {
            path: path.to_owned(),
            db,
            _lock: lock,
        })
    }

    fn open_locked(path: &Path) -> Result<Self> {
        let lock = dir::lock(path)?;
        let file = path.join(REDB_FILE);
        let db = builder().create(&file).map_err(|e| match e {
            redb::DatabaseError::DatabaseAlreadyOpen => StoreError::InUse(path.to_owned()),
            other => err(&file, other),
        })?;
        Ok(Self {
            path: path.to_owned(),
            db,
            _lock: lock,
        })
    }

    fn e(&self, e: impl std::fmt::Display) -> StoreError {
        err(&self.path.join(REDB_FILE), e)
    }
}

impl Store for RedbStore {
    fn last_seq(&self) -> Result<Option<u64>> {
        let tx = self.db.begin_read().map_err(|e| self.e(e))?;
        let table = match tx.open_table(ENTRIES) {
            Ok(t) => t,
            Err(redb::TableError::TableDoesNotExist(_)) => return Ok(None),
            Err(e) => return Err(self.e(e)),
        };
        let last = table.last().map_err(|e| self.e(e))?.map(|(k, _)| k.value());
        Ok(last)
    }

    fn get(&self, seq: u64) -> Result<Option<Vec<u8>>> {
        let tx = self.db.begin_read().map_err(|e| self.e(e))?;
        let table = match tx.open_table(ENTRIES) {
            Ok(t) => t,
            Err(redb::TableError::TableDoesNotExist(_)) => return Ok(None),
            Err(e) => return Err(self.e(e)),
        };
        Ok(table
            .get(seq)
            .map_err(|e| self.e(e))?
            .map(|v| v.value().to_vec()))
    }

    fn scan(&self, from: u64) -> Box<dyn Iterator<Item = Result<RawEntry>> + '_> {
        let range = (|| {
            let tx = self.db.begin_read().map_err(|e| self.e(e))?;
            match tx.open_table(ENTRIES) {
                Ok(t) => t.range(from..).map(Some).map_err(|e| self.e(e)),
                Err(redb::TableError::TableDoesNotExist(_)) => Ok(None),
                Err(e) => Err(self.e(e)),
            }
        })();
        match range {
            Ok(Some(range)) => Box::new(range.map(move |item| {
                let (k, v) = item.map_err(|e| self.e(e))?;
                Ok((k.value(), v.value().to_vec()))
            })),
            Ok(None) => Box::new(std::iter::empty()),
            Err(e) => Box::new(std::iter::once(Err(e))),
        }
    }

    fn append(&mut self, seq: u64, entry: &[u8], derived: &[KeyValue]) -> Result<()> {
        self.append_batch(&[(seq, entry.to_vec())], derived)
    }

    fn append_batch(&mut self, batch: &[RawEntry], derived: &[KeyValue]) -> Result<()> {
        let tx = self.db.begin_write().map_err(|e| self.e(e))?;
        {
            let mut entries = tx.open_table(ENTRIES).map_err(|e| self.e(e))?;
            let last = entries
                .last()
                .map_err(|e| self.e(e))?
                .map(|(k, _)| k.value());
            check_batch(last, batch)?;
            for (seq, bytes) in batch {
                entries
                    .insert(*seq, bytes.as_slice())
                    .map_err(|e| self.e(e))?;
            }
            let mut table = tx.open_table(DERIVED).map_err(|e| self.e(e))?;
            for (k, v) in derived {
                if v.is_empty() {
                    table.remove(k.as_slice()).map_err(|e| self.e(e))?;
                } else {
                    table
                        .insert(k.as_slice(), v.as_slice())
                        .map_err(|e| self.e(e))?;
                }
            }
        }
        tx.commit().map_err(|e| self.e(e))
    }

    fn derived(&self, key: &[u8]) -> Result<Option<Vec<u8>>> {
        let tx = self.db.begin_read().map_err(|e| self.e(e))?;
        let table = match tx.open_table(DERIVED) {
            Ok(t) => t,
            Err(redb::TableError::TableDoesNotExist(_)) => return Ok(None),
            Err(e) => return Err(self.e(e)),
        };
        Ok(table
            .get(key)
            .map_err(|e| self.e(e))?
            .map(|v| v.value().to_vec()))
    }

    fn derived_scan(&self, prefix: &[u8]) -> Box<dyn Iterator<Item = Result<KeyValue>> + '_> {
        let prefix = prefix.to_vec();
        let range = (|| {
            let tx = self.db.begin_read().map_err(|e| self.e(e))?;
            match tx.open_table(DERIVED) {
                Ok(t) => t
                    .range(prefix.as_slice()..)
                    .map(Some)
                    .map_err(|e| self.e(e)),
                Err(redb::TableError::TableDoesNotExist(_)) => Ok(None),
                Err(e) => Err(self.e(e)),
            }
        })();
        match range {
            Ok(Some(range)) => Box::new(
                range
                    .map(move |item| {
                        let (k, v) = item.map_err(|e| self.e(e))?;
                        Ok((k.value().to_vec(), v.value().to_vec()))
                    })
                    .take_while(move |r: &Result<KeyValue>| {
                        r.as_ref().map_or(true, |(k, _)| k.starts_with(&prefix))
                    }),
            ),
            Ok(None) => Box::new(std::iter::empty()),
            Err(e) => Box::new(std::iter::once(Err(e))),
        }
    }

    fn replace_derived(&mut self, derived: &[KeyValue]) -> Result<()> {
        let tx = self.db.begin_write().map_err(|e| self.e(e))?;
        tx.delete_table(DERIVED).map_err(|e| self.e(e))?;
        {
            let mut table = tx.open_table(DERIVED).map_err(|e| self.e(e))?;
            for (k, v) in derived.iter().filter(|(_, v)| !v.is_empty()) {
                table
                    .insert(k.as_slice(), v.as_slice())
                    .map_err(|e| self.e(e))?;
            }
        }
        tx.commit().map_err(|e| self.e(e))
    }
}
