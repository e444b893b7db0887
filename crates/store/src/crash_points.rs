//! Deterministic crash points: one append on a disk that fails at its k-th
//! write or sync, for every k the append reaches, in both of redb's writer
//! modes. Whatever the disk kept, the store reopens whole (repaired if need
//! be) and holds exactly the old head or the new one, with the derived data
//! written with that head; an acknowledged append is never lost.
//!
//! The disk is a byte vector behind redb's `StorageBackend` (byte-range
//! locks come from a real temporary file, which the single-writer mode
//! needs). Two disks survive each crash: what the process had written (a
//! killed process: the page cache keeps every write) and what had been
//! synced (a power cut: every write after the last sync is lost).

use std::ops::Bound;
use std::sync::{Arc, Mutex};

use redb::{BackendError, ConcurrencyMode, StorageBackend};

use crate::{KeyValue, RawEntry, RedbStore, Store, StoreError};

#[derive(Debug, Default)]
struct Platter {
    /// Every write so far.
    written: Vec<u8>,
    /// The bytes as of the last successful sync.
    synced: Vec<u8>,
    /// Writes, length changes and syncs since the disk was armed.
    steps: u64,
    /// The step that fails; once it has, every step fails.
    fail_at: Option<u64>,
    failed: bool,
}

impl Platter {
    fn step(&mut self) -> std::io::Result<()> {
        if self.failed {
            return Err(std::io::Error::other("the disk is gone"));
        }
        if self.fail_at.is_some() {
            self.steps += 1;
            if self.fail_at == Some(self.steps) {
                self.failed = true;
                return Err(std::io::Error::other("injected failure"));
            }
        }
        Ok(())
    }
}

#[derive(Debug)]
struct Disk {
    platter: Arc<Mutex<Platter>>,
    locks: redb::backends::FileBackend,
    _lock_file: tempfile::NamedTempFile,
}

fn platter(disk: &Mutex<Platter>) -> std::sync::MutexGuard<'_, Platter> {
    disk.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}

impl Disk {
    /// A disk holding `bytes`, synced, and a handle on its platter.
    fn holding(bytes: Vec<u8>) -> (Self, Arc<Mutex<Platter>>) {
        let platter = Arc::new(Mutex::new(Platter {
            written: bytes.clone(),
            synced: bytes,
            ..Platter::default()
        }));
        let lock_file = tempfile::NamedTempFile::new().unwrap();
        let locks = redb::backends::FileBackend::new(lock_file.reopen().unwrap()).unwrap();
        let disk = Disk {
            platter: Arc::clone(&platter),
            locks,
            _lock_file: lock_file,
        };
        (disk, platter)
    }
}

impl StorageBackend for Disk {
    fn len(&self) -> std::io::Result<u64> {
        Ok(platter(&self.platter).written.len() as u64)
    }

    fn read(&self, offset: u64, out: &mut [u8]) -> std::io::Result<()> {
        let p = platter(&self.platter);
        let start = offset as usize;
        let bytes = p
            .written
            .get(start..start + out.len())
            .ok_or_else(|| std::io::Error::other("read past the end"))?;
        out.copy_from_slice(bytes);
        Ok(())
    }

    fn set_len(&self, len: u64) -> std::io::Result<()> {
        let mut p = platter(&self.platter);
        p.step()?;
        p.written.resize(len as usize, 0);
        Ok(())
    }

    fn sync_data(&self) -> std::io::Result<()> {
        let mut p = platter(&self.platter);
        p.step()?;
        p.synced = p.written.clone();
        Ok(())
    }

    fn write(&self, offset: u64, data: &[u8]) -> std::io::Result<()> {
        let mut p = platter(&self.platter);
        p.step()?;
        let start = offset as usize;
        if p.written.len() < start + data.len() {
            p.written.resize(start + data.len(), 0);
        }
        p.written[start..start + data.len()].copy_from_slice(data);
        Ok(())
    }

    fn try_lock_range(&self, start: Bound<u64>, end: Bound<u64>) -> Result<bool, BackendError> {
        self.locks.try_lock_range(start, end)
    }

    fn try_lock_shared_range(
        &self,
        start: Bound<u64>,
        end: Bound<u64>,
    ) -> Result<bool, BackendError> {
        self.locks.try_lock_shared_range(start, end)
    }

    fn lock_range(&self, start: Bound<u64>, end: Bound<u64>) -> Result<(), BackendError> {
        self.locks.lock_range(start, end)
    }

    fn lock_shared_range(&self, start: Bound<u64>, end: Bound<u64>) -> Result<(), BackendError> {
        self.locks.lock_shared_range(start, end)
    }

    fn unlock_range(&self, start: Bound<u64>, end: Bound<u64>) -> Result<(), BackendError> {
        self.locks.unlock_range(start, end)
    }

    fn query_lock_range(&self, start: Bound<u64>, end: Bound<u64>) -> Result<bool, BackendError> {
        self.locks.query_lock_range(start, end)
    }

    fn close(&self) -> std::io::Result<()> {
        self.locks.close()
    }
}

fn entry(seq: u64) -> Vec<u8> {
    format!("entry {seq} ")
        .repeat(40 + seq as usize)
        .into_bytes()
}

fn head_writes(seq: u64) -> Vec<KeyValue> {
    vec![
        (b"head".to_vec(), seq.to_be_bytes().to_vec()),
        (format!("item/{seq}").into_bytes(), entry(seq)),
    ]
}

/// The entries and derived data of a ledger whose head is `head`.
fn expected(head: u64) -> (Vec<RawEntry>, Vec<KeyValue>) {
    let entries = (0..=head).map(|s| (s, entry(s))).collect();
    let mut derived: Vec<_> = (0..=head)
        .map(|s| (format!("item/{s}").into_bytes(), entry(s)))
        .collect();
    derived.push((b"head".to_vec(), head.to_be_bytes().to_vec()));
    derived.sort();
    (entries, derived)
}

/// Opens what a crash left, repairing it if need be, and returns its head
/// after checking that everything stored is exactly that head's.
fn reopen(bytes: Vec<u8>, mode: ConcurrencyMode, what: &str) -> u64 {
    let (disk, _) = Disk::holding(bytes);
    let mut store = RedbStore::on_backend(disk, mode)
        .unwrap_or_else(|e| panic!("{what}: the store does not reopen: {e}"));
    let head = store.last_seq().unwrap().expect("entries");
    let (entries, derived) = expected(head);
    let stored: Vec<_> = store.scan(0).collect::<Result<_, _>>().unwrap();
    assert_eq!(stored, entries, "{what}: entries of head {head}");
    let stored: Vec<_> = store.derived_scan(b"").collect::<Result<_, _>>().unwrap();
    assert_eq!(stored, derived, "{what}: derived data of head {head}");
    // And it takes the next append.
    store
        .append(head + 1, &entry(head + 1), &head_writes(head + 1))
        .unwrap_or_else(|e| panic!("{what}: no append after reopening: {e}"));
    head
}

/// A disk holding a cleanly closed store with entries 0..=`head`.
fn base(head: u64, mode: ConcurrencyMode) -> Vec<u8> {
    let (disk, handle) = Disk::holding(Vec::new());
    let mut store = RedbStore::on_backend(disk, mode).unwrap();
    for seq in 0..=head {
        store.append(seq, &entry(seq), &head_writes(seq)).unwrap();
    }
    drop(store);
    let bytes = platter(&handle).written.clone();
    bytes
}

/// Appends entry `old + 1` to the store on `image`, the disk failing at
/// step `fail_at` (`u64::MAX`: never); returns the append's outcome, the
/// steps taken (including closing the store), and what a killed process
/// and a power cut leave on disk.
fn crash(
    image: &[u8],
    old: u64,
    mode: ConcurrencyMode,
    fail_at: u64,
) -> (Result<(), StoreError>, u64, Vec<u8>, Vec<u8>) {
    let (disk, platter_handle) = Disk::holding(image.to_vec());
    let mut store = RedbStore::on_backend(disk, mode).unwrap();
    platter(&platter_handle).fail_at = Some(fail_at);
    let outcome = store.append(old + 1, &entry(old + 1), &head_writes(old + 1));
    drop(store);
    let p = platter(&platter_handle);
    (outcome, p.steps, p.written.clone(), p.synced.clone())
}

#[test]
fn an_append_cut_at_any_write_or_sync_leaves_the_old_head_or_the_new_one() {
    const OLD: u64 = 5;
    for mode in [
        ConcurrencyMode::ExclusiveWriter,
        ConcurrencyMode::SingleWriter,
    ] {
        let image = base(OLD, mode);
        let (outcome, steps, _, _) = crash(&image, OLD, mode, u64::MAX);
        outcome.unwrap();
        assert!(steps >= 3, "{mode:?}: only {steps} steps in an append");
        let (mut kept_old, mut kept_new) = (0, 0);
        for k in 1..=steps {
            let (outcome, _, killed, cut) = crash(&image, OLD, mode, k);
            if let Err(e) = &outcome {
                assert!(
                    matches!(e, StoreError::Io(_) | StoreError::Engine { .. }),
                    "{mode:?}, step {k}: a failing disk is an I/O error, not {e:?}"
                );
            }
            for (disk, bytes) in [("killed process", killed), ("power cut", cut)] {
                let what = format!("{mode:?}, disk failing at step {k} of {steps}, {disk}");
                let head = reopen(bytes, mode, &what);
                assert!(head == OLD || head == OLD + 1, "{what}: head {head}");
                if outcome.is_ok() {
                    assert_eq!(head, OLD + 1, "{what}: an acknowledged append was lost");
                }
                if head == OLD {
                    kept_old += 1;
                } else {
                    kept_new += 1;
                }
            }
        }
        eprintln!(
            "{mode:?}: {steps} steps per append; after a failure at each, {kept_old} disks held the old head and {kept_new} the new one"
        );
        assert!(
            kept_old > 0 && kept_new > 0,
            "{mode:?}: every crash point was on one side"
        );
    }
}
