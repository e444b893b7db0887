//! The sled-backed store.
//!
//! Layout (internal to this crate, not a contract; the canonical entry bytes
//! and their export are the durable contract): tree `entries` maps the
//! 8-byte big-endian seq to the entry bytes; tree `derived` holds the
//! ledger's derived key-value data. Both trees change in one sled
//! transaction, flushed before an append returns. The directory's exclusive
//! lock keeps a second process out. [`crate::layout`] names its files.
//!
//! Built only with the `sled` feature. Only sled's `Corruption` is damage;
//! sled's own lock held (a store of this process dropped a moment ago,
//! whose flusher still winds down) is `InUse`, recognised by its message
//! because sled 0.34 reports it as an untyped I/O error.

use std::fs::File;
use std::path::{Path, PathBuf};

use sled::transaction::TransactionError;
use sled::Transactional;

use crate::dir::{self, io};
use crate::layout::{self, SLED_DIR};
use crate::{check_batch, Damage, EngineError, KeyValue, RawEntry, Result, Store, StoreError};

const ENTRIES: &str = "entries";
const DERIVED: &str = "derived";

/// A ledger in a sled directory, `db/`.
pub struct SledStore {
    path: PathBuf,
    db: sled::Db,
    entries: sled::Tree,
    derived: sled::Tree,
    /// sled's log file, for `fsync` after each flush.
    log: File,
    _lock: File,
}

impl SledStore {
    /// Opens an existing ledger directory.
    pub fn open(path: &Path) -> Result<Self> {
        dir::check_existing(path)?;
        if !layout::holds_sled(path) {
            return Err(StoreError::NotFound(path.to_owned()));
        }
        Self::open_locked(path)
    }

    /// Creates a new, empty ledger directory (or uses an empty one, or one
    /// that a crash left holding a store with no entries).
    pub fn create(path: &Path) -> Result<Self> {
        let existed = dir::prepare_create(path, SLED_DIR)?;
        let store = Self::open_locked(path)?;
        if existed && store.last_seq()?.is_some() {
            return Err(StoreError::AlreadyExists(path.to_owned()));
        }
        Ok(store)
    }

    fn open_locked(path: &Path) -> Result<Self> {
        let lock = dir::lock(path)?;
        let db = sled::Config::new()
            .path(layout::sled_dir(path))
            .open()
            .map_err(|e| sled_err(path, e))?;
        let entries = db.open_tree(ENTRIES).map_err(|e| sled_err(path, e))?;
        let derived = db.open_tree(DERIVED).map_err(|e| sled_err(path, e))?;
        let log_path = layout::sled_log(path);
        let log = File::open(&log_path).map_err(|e| io(&log_path, e))?;
        dir::sync_dir(&layout::sled_dir(path))?;
        dir::sync_dir(path)?;
        Ok(Self {
            path: path.to_owned(),
            db,
            entries,
            derived,
            log,
            _lock: lock,
        })
    }

    /// The ledger directory.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Makes every write so far durable: sled's flush, then `fsync`.
    fn flush(&self) -> Result<()> {
        self.db.flush().map_err(|e| sled_err(&self.path, e))?;
        self.log
            .sync_all()
            .map_err(|e| io(&layout::sled_log(&self.path), e))
    }

    fn err(&self, e: sled::Error) -> StoreError {
        sled_err(&self.path, e)
    }

    fn tx_err(&self, e: TransactionError<()>) -> StoreError {
        match e {
            TransactionError::Storage(e) => self.err(e),
            TransactionError::Abort(()) => StoreError::Io("transaction aborted".into()),
        }
    }
}

fn sled_err(path: &Path, e: sled::Error) -> StoreError {
    match e {
        sled::Error::Io(e) if e.to_string().contains("could not acquire lock") => {
            StoreError::InUse(path.to_owned())
        }
        sled::Error::Io(e) => io(path, e),
        sled::Error::Corruption { .. } => {
            StoreError::Corrupt(Damage::found_by(e.to_string(), EngineError::new(e)))
        }
        other => StoreError::Engine {
            path: path.to_owned(),
            source: EngineError::new(other),
        },
    }
}

fn seq_of(key: &[u8]) -> Result<u64> {
    let bytes: [u8; 8] = key.try_into().map_err(|_| {
        StoreError::Corrupt(format!("entry key of {} bytes, expected 8", key.len()).into())
    })?;
    Ok(u64::from_be_bytes(bytes))
}

impl Store for SledStore {
    fn last_seq(&self) -> Result<Option<u64>> {
        match self.entries.last().map_err(|e| self.err(e))? {
            Some((k, _)) => Ok(Some(seq_of(&k)?)),
            None => Ok(None),
        }
    }

    fn get(&self, seq: u64) -> Result<Option<Vec<u8>>> {
        Ok(self
            .entries
            .get(seq.to_be_bytes())
            .map_err(|e| self.err(e))?
            .map(|v| v.to_vec()))
    }

    fn scan(&self, from: u64) -> Box<dyn Iterator<Item = Result<RawEntry>> + '_> {
        Box::new(self.entries.range(from.to_be_bytes()..).map(move |item| {
            let (k, v) = item.map_err(|e| self.err(e))?;
            Ok((seq_of(&k)?, v.to_vec()))
        }))
    }

    fn append(&mut self, seq: u64, entry: &[u8], derived: &[KeyValue]) -> Result<()> {
        self.append_batch(&[(seq, entry.to_vec())], derived)
    }

    fn append_batch(&mut self, batch: &[RawEntry], derived: &[KeyValue]) -> Result<()> {
        check_batch(self.last_seq()?, batch)?;
        (&self.entries, &self.derived)
            .transaction(|(entries, derived_tree)| {
                for (seq, bytes) in batch {
                    entries.insert(&seq.to_be_bytes(), bytes.as_slice())?;
                }
                for (k, v) in derived {
                    if v.is_empty() {
                        derived_tree.remove(k.as_slice())?;
                    } else {
                        derived_tree.insert(k.as_slice(), v.as_slice())?;
                    }
                }
                Ok(())
            })
            .map_err(|e| self.tx_err(e))?;
        self.flush()
    }

    fn derived(&self, key: &[u8]) -> Result<Option<Vec<u8>>> {
        Ok(self
            .derived
            .get(key)
            .map_err(|e| self.err(e))?
            .map(|v| v.to_vec()))
    }

    fn derived_scan(&self, prefix: &[u8]) -> Box<dyn Iterator<Item = Result<KeyValue>> + '_> {
        Box::new(self.derived.scan_prefix(prefix).map(move |item| {
            let (k, v) = item.map_err(|e| self.err(e))?;
            Ok((k.to_vec(), v.to_vec()))
        }))
    }

    fn replace_derived(&mut self, derived: &[KeyValue]) -> Result<()> {
        let old: Vec<sled::IVec> = self
            .derived
            .iter()
            .keys()
            .collect::<std::result::Result<_, _>>()
            .map_err(|e| self.err(e))?;
        self.derived
            .transaction(|tree| {
                for k in &old {
                    tree.remove(k)?;
                }
                for (k, v) in derived.iter().filter(|(_, v)| !v.is_empty()) {
                    tree.insert(k.as_slice(), v.as_slice())?;
                }
                Ok(())
            })
            .map_err(|e| self.tx_err(e))?;
        self.flush()
    }
}
