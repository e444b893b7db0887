//! accord-store: where entry bytes live.
//!
//! The only crate that names sled. It stores opaque entry bytes keyed by
//! their big-endian seq and one derived-state blob, behind the [`Store`]
//! trait with an in-memory twin ([`MemStore`]). It knows nothing of what the
//! bytes mean: it must never decode, hash or judge an entry.

mod mem;
mod sled_store;

pub use mem::MemStore;
pub use sled_store::SledStore;

use std::path::PathBuf;

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("ledger {0} is in use by another process: wait for it to finish and retry")]
    InUse(PathBuf),
    #[error("no ledger at {0}: create one with `accord init` or pass --ledger")]
    NotFound(PathBuf),
    #[error("{0} already holds a ledger: choose another --ledger directory")]
    AlreadyExists(PathBuf),
    #[error("{0} is not empty and holds no ledger: choose an empty or new directory")]
    NotEmpty(PathBuf),
    #[error("{0} is not a directory: --ledger must name a directory")]
    NotADirectory(PathBuf),
    #[error("refusing to store entry {found}: the next seq is {expected}")]
    OutOfOrder { expected: u64, found: u64 },
    #[error("storage is damaged: {0}")]
    Corrupt(String),
    #[error("storage I/O failed: {0}")]
    Io(String),
}

pub type Result<T> = std::result::Result<T, StoreError>;

/// A stored entry: its seq (from the key) and its bytes.
pub type RawEntry = (u64, Vec<u8>);

/// Entry bytes keyed by seq, plus one derived-state blob.
///
/// `append` is all-or-nothing and durable on return: the entry and the blob
/// land together in one atomic write that is flushed before `Ok`.
pub trait Store {
    /// The seq of the last stored entry, or `None` if the store is empty.
    fn last_seq(&self) -> Result<Option<u64>>;
    fn get(&self, seq: u64) -> Result<Option<Vec<u8>>>;
    /// Entries in key order starting at `from`, one at a time.
    fn scan(&self, from: u64) -> Box<dyn Iterator<Item = Result<RawEntry>> + '_>;
    /// Stores entry `seq` (which must be the next seq) with `derived`.
    fn append(&mut self, seq: u64, entry: &[u8], derived: &[u8]) -> Result<()>;
    /// Appends many entries at once, durable on return; `derived` is stored
    /// with the last one.
    fn append_batch(&mut self, entries: &[(u64, Vec<u8>)], derived: &[u8]) -> Result<()>;
    fn derived(&self) -> Result<Option<Vec<u8>>>;
    /// Replaces the derived blob alone (after a rebuild), durably.
    fn set_derived(&mut self, derived: &[u8]) -> Result<()>;
}

fn check_batch(last: Option<u64>, entries: &[(u64, Vec<u8>)]) -> Result<()> {
    let first = last.map_or(0, |s| s + 1);
    for (expected, (seq, _)) in (first..).zip(entries) {
        if *seq != expected {
            return Err(StoreError::OutOfOrder {
                expected,
                found: *seq,
            });
        }
    }
    Ok(())
}

#[cfg(test)]
mod contract {
    //! One suite, run against both stores.
    use super::*;

    pub fn exercise(store: &mut dyn Store) {
        assert_eq!(store.last_seq().unwrap(), None);
        assert!(matches!(
            store.append(1, b"x", b"d"),
            Err(StoreError::OutOfOrder {
                expected: 0,
                found: 1
            })
        ));
        assert_eq!(store.derived().unwrap(), None);
        store.append(0, b"zero", b"d0").unwrap();
        store.append(1, b"one", b"d1").unwrap();
        store
            .append_batch(&[(2, b"two".to_vec()), (3, b"three".to_vec())], b"d3")
            .unwrap();
        assert!(store.append_batch(&[(5, b"five".to_vec())], b"d5").is_err());
        assert_eq!(store.last_seq().unwrap(), Some(3));
        assert_eq!(store.get(1).unwrap().as_deref(), Some(&b"one"[..]));
        assert_eq!(store.get(9).unwrap(), None);
        assert_eq!(store.derived().unwrap().as_deref(), Some(&b"d3"[..]));
        let all: Vec<_> = store.scan(1).map(|r| r.unwrap()).collect();
        assert_eq!(
            all,
            vec![
                (1, b"one".to_vec()),
                (2, b"two".to_vec()),
                (3, b"three".to_vec())
            ]
        );
        store.set_derived(b"rebuilt").unwrap();
        assert_eq!(store.derived().unwrap().as_deref(), Some(&b"rebuilt"[..]));
    }

    #[test]
    fn mem_store() {
        exercise(&mut MemStore::default());
    }

    #[test]
    fn sled_store_and_reopen() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("ledger");
        {
            let mut s = SledStore::create(&path).unwrap();
            exercise(&mut s);
        }
        let s = SledStore::open(&path).unwrap();
        assert_eq!(s.last_seq().unwrap(), Some(3));
        assert!(matches!(
            SledStore::create(&path),
            Err(StoreError::AlreadyExists(_))
        ));
    }

    #[test]
    fn second_open_is_in_use() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("ledger");
        let _first = SledStore::create(&path).unwrap();
        assert!(matches!(SledStore::open(&path), Err(StoreError::InUse(_))));
    }

    #[test]
    fn open_refuses_missing_and_files() {
        let dir = tempfile::tempdir().unwrap();
        assert!(matches!(
            SledStore::open(&dir.path().join("nope")),
            Err(StoreError::NotFound(_))
        ));
        let file = dir.path().join("file");
        std::fs::write(&file, b"x").unwrap();
        assert!(matches!(
            SledStore::open(&file),
            Err(StoreError::NotADirectory(_))
        ));
        assert!(matches!(
            SledStore::create(&file),
            Err(StoreError::NotADirectory(_))
        ));
        // An empty directory holds no ledger.
        let empty = dir.path().join("empty");
        std::fs::create_dir(&empty).unwrap();
        assert!(matches!(
            SledStore::open(&empty),
            Err(StoreError::NotFound(_))
        ));
    }
}
