//! The ledger directory: its exclusive lock and the checks shared by the
//! disk backends before they open or create their files. The names of the
//! files in it are [`crate::layout`]'s; this module must never name an
//! engine's files itself.

use std::fs::{File, OpenOptions, TryLockError};
use std::path::Path;
use std::time::{Duration, Instant};

use crate::layout;
use crate::{Result, StoreError};

/// How long an open waits for another process to release the ledger.
pub const LOCK_WAIT: Duration = Duration::from_secs(2);

pub(crate) fn io(path: &Path, source: std::io::Error) -> StoreError {
    StoreError::FileIo {
        path: path.to_owned(),
        source,
    }
}

/// Takes the directory's exclusive lock, waiting up to [`LOCK_WAIT`] for
/// another process (its appends take milliseconds) before reporting the
/// ledger in use. The lock lasts as long as the returned file.
pub(crate) fn lock(path: &Path) -> Result<File> {
    let lock_path = layout::lock_file(path);
    let lock = OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(&lock_path)
        .map_err(|e| io(&lock_path, e))?;
    let deadline = Instant::now() + LOCK_WAIT;
    loop {
        match lock.try_lock() {
            Ok(()) => return Ok(lock),
            Err(TryLockError::WouldBlock) if Instant::now() < deadline => {
                std::thread::sleep(Duration::from_millis(20));
            }
            Err(TryLockError::WouldBlock) => return Err(StoreError::InUse(path.to_owned())),
            Err(TryLockError::Error(e)) => return Err(io(&lock_path, e)),
        }
    }
}

/// Checks that `path` can hold a new ledger whose store lives at `store`
/// (a file or directory inside it): it does not exist, or is a directory
/// holding nothing but the lock file and, after a crash, that store.
/// Returns whether the store is already there.
pub(crate) fn prepare_create(path: &Path, store: &str) -> Result<bool> {
    if !path.exists() {
        std::fs::create_dir_all(path).map_err(|e| io(path, e))?;
        return Ok(false);
    }
    if !path.is_dir() {
        return Err(StoreError::NotADirectory(path.to_owned()));
    }
    let mut has_store = false;
    for item in std::fs::read_dir(path).map_err(|e| io(path, e))? {
        let name = item.map_err(|e| io(path, e))?.file_name();
        if name == store {
            has_store = true;
        } else if !layout::left_by_a_create(&name) {
            return Err(if layout::holds_a_store(path) {
                StoreError::AlreadyExists(path.to_owned())
            } else {
                StoreError::NotEmpty(path.to_owned())
            });
        }
    }
    Ok(has_store)
}

/// Checks that `path` is a directory before opening a store in it.
pub(crate) fn check_existing(path: &Path) -> Result<()> {
    if !path.exists() {
        return Err(StoreError::NotFound(path.to_owned()));
    }
    if !path.is_dir() {
        return Err(StoreError::NotADirectory(path.to_owned()));
    }
    Ok(())
}

/// Makes a new directory entry durable.
pub(crate) fn sync_dir(path: &Path) -> Result<()> {
    File::open(path)
        .and_then(|d| d.sync_all())
        .map_err(|e| io(path, e))
}

/// Removes a ledger directory that no process holds (a scratch directory a
/// crashed import left behind). Returns whether it was removed; a directory
/// whose lock is held is left alone.
pub fn remove_if_abandoned(path: &Path) -> Result<bool> {
    let lock_path = layout::lock_file(path);
    let held = match OpenOptions::new().write(true).open(&lock_path) {
        Ok(lock) => matches!(lock.try_lock(), Err(TryLockError::WouldBlock)),
        Err(_) => false,
    };
    if held {
        return Ok(false);
    }
    std::fs::remove_dir_all(path).map_err(|e| io(path, e))?;
    Ok(true)
}
