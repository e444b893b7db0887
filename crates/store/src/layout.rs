//! The ledger directory's layout: the name of every file and directory the
//! store keeps in it (the lock file, redb's database file and the scratch
//! name it is built under, sled's directory and log), and what a directory
//! holds judged by those names alone.
//!
//! Every other module finds its files through this one. It must never open,
//! lock, create or remove anything: it names paths and looks at what exists.

use std::ffi::OsStr;
use std::path::{Path, PathBuf};

/// The lock file every writer holds while it has the ledger open.
const LOCK_FILE: &str = "accord.lock";
/// redb's database file.
pub(crate) const REDB_FILE: &str = "ledger.redb";
/// Where a new redb file is built before it is renamed to [`REDB_FILE`].
const REDB_SCRATCH: &str = "ledger.redb.creating";
/// A mirror's memory (accord-ledger's `mirror`): the server it follows
/// and the last checkpoint it accepted. Beside the store, never in it.
const MIRROR_FILE: &str = "mirror.json";
/// sled's database directory.
pub(crate) const SLED_DIR: &str = "db";
/// sled 0.34's log file, inside [`SLED_DIR`].
#[cfg(feature = "sled")]
const SLED_LOG: &str = "db";

pub(crate) fn lock_file(dir: &Path) -> PathBuf {
    dir.join(LOCK_FILE)
}

/// Where a mirror keeps its memory in ledger directory `dir`.
pub fn mirror_file(dir: &Path) -> PathBuf {
    dir.join(MIRROR_FILE)
}

pub(crate) fn redb_file(dir: &Path) -> PathBuf {
    dir.join(REDB_FILE)
}

pub(crate) fn redb_scratch(dir: &Path) -> PathBuf {
    dir.join(REDB_SCRATCH)
}

pub(crate) fn sled_dir(dir: &Path) -> PathBuf {
    dir.join(SLED_DIR)
}

#[cfg(feature = "sled")]
pub(crate) fn sled_log(dir: &Path) -> PathBuf {
    sled_dir(dir).join(SLED_LOG)
}

/// Whether `dir` holds redb's database file.
pub(crate) fn holds_redb(dir: &Path) -> bool {
    redb_file(dir).is_file()
}

/// Whether `dir` holds sled's database directory.
pub(crate) fn holds_sled(dir: &Path) -> bool {
    sled_dir(dir).is_dir()
}

/// Whether `dir` holds the files of either backend.
pub(crate) fn holds_a_store(dir: &Path) -> bool {
    redb_file(dir).exists() || sled_dir(dir).exists()
}

/// Whether an item named `name` may sit in a directory where a new ledger
/// is created without making it a directory that holds something else: the
/// lock file, or the scratch file of a redb create that crashed.
pub(crate) fn left_by_a_create(name: &OsStr) -> bool {
    name == LOCK_FILE || name == REDB_SCRATCH
}
