//! accord-store: where entry bytes live.
//!
//! The only crate that names a storage engine. It stores opaque entry bytes
//! keyed by seq, and derived key-value data, behind the [`Store`] trait:
//! redb (the default), sled (selectable; built with the `sled` feature, on
//! by default), and an in-memory twin ([`MemStore`]). It knows nothing of what the bytes mean: it must never
//! decode, hash or judge an entry.

#![cfg_attr(not(test), deny(clippy::unwrap_used, clippy::dbg_macro))]
#![warn(missing_docs)]

#[cfg(test)]
mod crash_points;
mod dir;
mod disk;
mod error;
mod layout;
mod mem;
mod redb_store;
mod scratch;
#[cfg(feature = "sled")]
mod sled_store;

pub use dir::{remove_if_abandoned, LOCK_WAIT};
pub use disk::{Backend, DiskStore};
pub use error::{Damage, EngineError, StoreError};
pub use layout::mirror_file;
pub use mem::MemStore;
pub use redb_store::RedbStore;
pub use scratch::Scratch;
#[cfg(feature = "sled")]
pub use sled_store::SledStore;

/// What every store operation returns.
pub type Result<T> = std::result::Result<T, StoreError>;

/// A stored entry: its seq (from the key) and its bytes.
pub type RawEntry = (u64, Vec<u8>);

/// One derived key and value.
pub type KeyValue = (Vec<u8>, Vec<u8>);

/// Entry bytes keyed by seq, plus derived key-value data (indexes, state)
/// that the ledger can always rebuild from the entries.
///
/// `append` is all-or-nothing and durable on return: the entry and its
/// derived writes land together in one atomic write that is flushed before
/// `Ok`. A derived write with an empty value removes its key.
///
/// A store opened for reading only ([`DiskStore::open_read`]) refuses
/// appends with [`StoreError::Io`], and keeps what `replace_derived` is
/// given in memory for its own later reads, writing nothing.
pub trait Store {
    /// The seq of the last stored entry, or `None` if the store is empty.
    fn last_seq(&self) -> Result<Option<u64>>;
    /// The bytes of entry `seq`, or `None` if there is no such entry.
    fn get(&self, seq: u64) -> Result<Option<Vec<u8>>>;
    /// Entries in key order starting at `from`, one at a time.
    fn scan(&self, from: u64) -> Box<dyn Iterator<Item = Result<RawEntry>> + '_>;
    /// Stores entry `seq` (which must be the next seq) with derived writes.
    fn append(&mut self, seq: u64, entry: &[u8], derived: &[KeyValue]) -> Result<()>;
    /// Appends consecutive entries and derived writes in one durable write.
    fn append_batch(&mut self, entries: &[RawEntry], derived: &[KeyValue]) -> Result<()>;
    /// The derived value stored under `key`, if any.
    fn derived(&self, key: &[u8]) -> Result<Option<Vec<u8>>>;
    /// Derived data whose key starts with `prefix`, in key order.
    fn derived_scan(&self, prefix: &[u8]) -> Box<dyn Iterator<Item = Result<KeyValue>> + '_>;
    /// Replaces all derived data at once, durably (after a rebuild).
    fn replace_derived(&mut self, derived: &[KeyValue]) -> Result<()>;
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

    /// Retries `open` while a sled instance dropped a moment ago still holds
    /// its file lock (its background flusher winds down asynchronously).
    #[cfg(feature = "sled")]
    fn after_sled_lets_go<T>(mut open: impl FnMut() -> Result<T>) -> Result<T> {
        let mut outcome = open();
        for _ in 0..50 {
            if !matches!(outcome, Err(StoreError::InUse(_))) {
                break;
            }
            std::thread::sleep(std::time::Duration::from_millis(50));
            outcome = open();
        }
        outcome
    }

    pub fn exercise(store: &mut dyn Store) {
        let kv = |k: &str, v: &str| (k.as_bytes().to_vec(), v.as_bytes().to_vec());
        assert_eq!(store.last_seq().unwrap(), None);
        assert!(matches!(
            store.append(1, b"x", &[kv("h", "x")]),
            Err(StoreError::OutOfOrder {
                expected: 0,
                found: 1
            })
        ));
        assert_eq!(store.derived(b"h").unwrap(), None);
        store.append(0, b"zero", &[kv("h", "0")]).unwrap();
        store
            .append(1, b"one", &[kv("h", "1"), kv("c/1", "a")])
            .unwrap();
        store
            .append_batch(
                &[(2, b"two".to_vec()), (3, b"three".to_vec())],
                &[kv("h", "3"), kv("c/2", "b")],
            )
            .unwrap();
        assert!(store
            .append_batch(&[(5, b"five".to_vec())], &[kv("h", "5")])
            .is_err());
        assert_eq!(store.last_seq().unwrap(), Some(3));
        assert_eq!(store.get(3).unwrap().as_deref(), Some(&b"three"[..]));
        assert_eq!(store.get(1).unwrap().as_deref(), Some(&b"one"[..]));
        assert_eq!(store.get(9).unwrap(), None);
        assert_eq!(store.derived(b"h").unwrap().as_deref(), Some(&b"3"[..]));
        let clauses: Vec<_> = store.derived_scan(b"c/").map(|r| r.unwrap()).collect();
        assert_eq!(clauses, vec![kv("c/1", "a"), kv("c/2", "b")]);
        // An empty value removes a key.
        store.append(4, b"four", &[kv("c/1", "")]).unwrap();
        assert_eq!(store.derived(b"c/1").unwrap(), None);
        let clauses: Vec<_> = store.derived_scan(b"c/").map(|r| r.unwrap()).collect();
        assert_eq!(clauses, vec![kv("c/2", "b")]);
        let all: Vec<_> = store.scan(1).map(|r| r.unwrap()).collect();
        assert_eq!(
            all,
            vec![
                (1, b"one".to_vec()),
                (2, b"two".to_vec()),
                (3, b"three".to_vec()),
                (4, b"four".to_vec())
            ]
        );
        store
            .replace_derived(&[kv("h", "r"), kv("gone", "")])
            .unwrap();
        assert_eq!(store.derived(b"gone").unwrap(), None);
        assert_eq!(store.derived(b"h").unwrap().as_deref(), Some(&b"r"[..]));
        assert_eq!(
            store.derived_scan(b"c/").count(),
            0,
            "replace drops old keys"
        );
    }

    #[test]
    fn mem_store() {
        exercise(&mut MemStore::default());
    }

    #[cfg(feature = "sled")]
    #[test]
    fn sled_store_and_reopen() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("ledger");
        {
            let mut s = SledStore::create(&path).unwrap();
            exercise(&mut s);
        }
        let s = SledStore::open(&path).unwrap();
        assert_eq!(s.last_seq().unwrap(), Some(4));
        drop(s);
        let again = after_sled_lets_go(|| SledStore::create(&path));
        assert!(
            matches!(again, Err(StoreError::AlreadyExists(_))),
            "{:?}",
            again.err()
        );
    }

    #[cfg(feature = "sled")]
    #[test]
    fn a_directory_left_with_only_the_lock_file_can_be_created_in() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("ledger");
        std::fs::create_dir(&path).unwrap();
        std::fs::write(path.join("accord.lock"), b"").unwrap();
        assert_eq!(SledStore::create(&path).unwrap().last_seq().unwrap(), None);
        std::fs::write(dir.path().join("other"), b"x").unwrap();
        let other = dir.path().join("busy");
        std::fs::create_dir(&other).unwrap();
        std::fs::write(other.join("notes.txt"), b"x").unwrap();
        assert!(matches!(
            SledStore::create(&other),
            Err(StoreError::NotEmpty(_))
        ));
    }

    #[cfg(feature = "sled")]
    #[test]
    fn a_store_left_without_entries_can_be_created_again() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("ledger");
        drop(SledStore::create(&path).unwrap());
        let again = after_sled_lets_go(|| SledStore::create(&path));
        assert_eq!(again.unwrap().last_seq().unwrap(), None);
    }

    #[test]
    fn redb_store_and_reopen() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("ledger");
        {
            let mut s = RedbStore::create(&path).unwrap();
            exercise(&mut s);
        }
        let s = DiskStore::open(&path).unwrap();
        assert_eq!(s.backend(), Backend::Redb);
        assert_eq!(s.last_seq().unwrap(), Some(4));
        drop(s);
        assert!(matches!(
            DiskStore::create(&path, Backend::Redb),
            Err(StoreError::AlreadyExists(_))
        ));
        #[cfg(feature = "sled")]
        assert!(matches!(
            DiskStore::create(&path, Backend::Sled),
            Err(StoreError::AlreadyExists(_))
        ));
    }

    #[cfg(feature = "sled")]
    #[test]
    fn disk_store_opens_either_backend() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("ledger");
        {
            let mut s = DiskStore::create(&path, Backend::Sled).unwrap();
            exercise(&mut s);
        }
        let s = after_sled_lets_go(|| DiskStore::open(&path)).unwrap();
        assert_eq!(s.backend(), Backend::Sled);
        assert_eq!(s.last_seq().unwrap(), Some(4));
    }

    /// Built without sled, a sled ledger is refused as an operational
    /// error, and never taken for an empty directory to create one in.
    #[cfg(not(feature = "sled"))]
    #[test]
    fn without_sled_a_sled_ledger_is_refused_and_kept() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("ledger");
        std::fs::create_dir_all(layout::sled_dir(&path)).unwrap();
        for outcome in [
            DiskStore::open(&path).map(drop),
            DiskStore::open_read(&path).map(drop),
            DiskStore::create(&path, Backend::Sled).map(drop),
        ] {
            match outcome {
                Err(StoreError::Io(why)) => assert!(why.contains("sled"), "{why}"),
                other => panic!("expected an operational error, got {:?}", other.err()),
            }
        }
        assert!(matches!(
            DiskStore::create(&path, Backend::Redb),
            Err(StoreError::AlreadyExists(_))
        ));
        assert!(layout::holds_sled(&path));
    }

    #[test]
    fn second_open_is_in_use_for_redb() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("ledger");
        let _first = RedbStore::create(&path).unwrap();
        assert!(matches!(RedbStore::open(&path), Err(StoreError::InUse(_))));
    }

    #[cfg(feature = "sled")]
    #[test]
    fn second_open_is_in_use() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("ledger");
        let _first = SledStore::create(&path).unwrap();
        assert!(matches!(SledStore::open(&path), Err(StoreError::InUse(_))));
    }

    #[cfg(feature = "sled")]
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
