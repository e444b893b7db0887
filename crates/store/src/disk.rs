//! [`DiskStore`]: whichever disk backend a ledger directory holds (redb by
//! default, sled when chosen at creation), behind the one trait. Built
//! without the `sled` feature, it refuses to open or create a sled ledger
//! (an operational error: the ledger is not damaged); it must never treat
//! a directory holding one as empty.

use std::path::Path;

use crate::layout;
#[cfg(feature = "sled")]
use crate::SledStore;
use crate::{KeyValue, RawEntry, RedbStore, Result, Store, StoreError};

/// The storage engine a new ledger is created with.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Backend {
    /// One redb file, `ledger.redb`.
    #[default]
    Redb,
    /// A sled directory, `db/` (built with the `sled` feature).
    Sled,
}

impl std::str::FromStr for Backend {
    type Err = String;
    fn from_str(s: &str) -> std::result::Result<Self, String> {
        match s {
            "redb" => Ok(Backend::Redb),
            "sled" => Ok(Backend::Sled),
            other => Err(format!("unknown store {other:?}: use redb or sled")),
        }
    }
}

/// A ledger directory's store, whichever engine holds it.
pub enum DiskStore {
    /// A redb ledger.
    Redb(RedbStore),
    /// A sled ledger.
    #[cfg(feature = "sled")]
    Sled(SledStore),
}

#[cfg(feature = "sled")]
fn sled(path: &Path, create: bool) -> Result<DiskStore> {
    let store = if create {
        SledStore::create(path)?
    } else {
        SledStore::open(path)?
    };
    Ok(DiskStore::Sled(store))
}

/// A build without the `sled` feature cannot use a sled ledger.
#[cfg(not(feature = "sled"))]
fn sled(path: &Path, _create: bool) -> Result<DiskStore> {
    Err(StoreError::Io(format!(
        "{}: a sled ledger, and this accord was built without sled support (the `sled` feature)",
        path.display()
    )))
}

impl DiskStore {
    /// Opens the ledger in `path` with the backend its files belong to.
    pub fn open(path: &Path) -> Result<Self> {
        if layout::holds_redb(path) {
            Ok(DiskStore::Redb(RedbStore::open(path)?))
        } else if layout::holds_sled(path) {
            sled(path, false)
        } else {
            crate::dir::check_existing(path)?;
            Err(StoreError::NotFound(path.to_owned()))
        }
    }

    /// Opens the ledger in `path` for reading only. A redb ledger is read
    /// from one snapshot, creating and writing nothing, and never makes a
    /// writer wait ([`RedbStore::open_read`]). sled cannot share its files
    /// with another process or open them read-only: a sled ledger is opened
    /// as by [`DiskStore::open`].
    pub fn open_read(path: &Path) -> Result<Self> {
        if layout::holds_redb(path) {
            Ok(DiskStore::Redb(RedbStore::open_read(path)?))
        } else {
            Self::open(path)
        }
    }

    /// Creates a new ledger store in `path` with `backend`.
    pub fn create(path: &Path, backend: Backend) -> Result<Self> {
        match backend {
            Backend::Redb => Ok(DiskStore::Redb(RedbStore::create(path)?)),
            Backend::Sled => sled(path, true),
        }
    }

    /// The engine this store runs on.
    pub fn backend(&self) -> Backend {
        match self {
            DiskStore::Redb(_) => Backend::Redb,
            #[cfg(feature = "sled")]
            DiskStore::Sled(_) => Backend::Sled,
        }
    }
}

macro_rules! each {
    ($self:ident, $s:ident => $e:expr) => {
        match $self {
            DiskStore::Redb($s) => $e,
            #[cfg(feature = "sled")]
            DiskStore::Sled($s) => $e,
        }
    };
}

impl Store for DiskStore {
    fn last_seq(&self) -> Result<Option<u64>> {
        each!(self, s => s.last_seq())
    }
    fn get(&self, seq: u64) -> Result<Option<Vec<u8>>> {
        each!(self, s => s.get(seq))
    }
    fn scan(&self, from: u64) -> Box<dyn Iterator<Item = Result<RawEntry>> + '_> {
        each!(self, s => s.scan(from))
    }
    fn append(&mut self, seq: u64, entry: &[u8], derived: &[KeyValue]) -> Result<()> {
        each!(self, s => s.append(seq, entry, derived))
    }
    fn append_batch(&mut self, entries: &[RawEntry], derived: &[KeyValue]) -> Result<()> {
        each!(self, s => s.append_batch(entries, derived))
    }
    fn derived(&self, key: &[u8]) -> Result<Option<Vec<u8>>> {
        each!(self, s => s.derived(key))
    }
    fn derived_scan(&self, prefix: &[u8]) -> Box<dyn Iterator<Item = Result<KeyValue>> + '_> {
        each!(self, s => s.derived_scan(prefix))
    }
    fn replace_derived(&mut self, derived: &[KeyValue]) -> Result<()> {
        each!(self, s => s.replace_derived(derived))
    }
}
