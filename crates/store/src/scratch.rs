//! A temporary key-value map on disk, for derived data too large to hold in
//! memory while it is being recomputed (verify's records of every item).
//!
//! It lives in a fresh directory (mode 0700) under the system's temporary
//! directory and is deleted on drop. Nothing in it is durable or ever read
//! again by a later process: it must never hold anything that is not
//! recomputed. Every failure of it (no space, no permission, an I/O error,
//! even a redb panic) is [`StoreError::Io`]: scratch space says nothing
//! about a ledger, so it must never report damage.

use std::collections::BTreeMap;
#[cfg(test)]
use std::path::Path;

use redb::{Database, Durability, ReadableDatabase, TableDefinition};

use crate::redb_store::builder;
use crate::{KeyValue, Result, StoreError};

const MAP: TableDefinition<&[u8], &[u8]> = TableDefinition::new("scratch");

/// The map; what backs it (a database file, or memory) is its own affair.
pub struct Scratch(Backing);

enum Backing {
    Disk {
        db: Database,
        /// One read transaction's table serves every read between two
        /// writes.
        reader: Option<redb::ReadOnlyTable<&'static [u8], &'static [u8]>>,
        // Dropped after `db`: removes the directory.
        _dir: tempfile::TempDir,
    },
    /// Used when no temporary directory can be written (read-only
    /// system): correct, but memory then grows with the data.
    Memory(BTreeMap<Vec<u8>, Vec<u8>>),
}

fn err(e: impl std::fmt::Display) -> StoreError {
    StoreError::Io(format!("scratch space: {e}"))
}

/// Runs `f`, which calls into redb, with a redb panic as an error too.
fn caught<T>(f: impl FnOnce() -> Result<T>) -> Result<T> {
    std::panic::catch_unwind(std::panic::AssertUnwindSafe(f))
        .unwrap_or_else(|_| Err(err("the temporary database failed")))
}

/// Only this user may enter the directory.
#[cfg(unix)]
fn private() -> std::fs::Permissions {
    use std::os::unix::fs::PermissionsExt;
    std::fs::Permissions::from_mode(0o700)
}

impl Scratch {
    /// A new, empty map on disk, or in memory if the temporary directory
    /// cannot be used.
    pub fn new() -> Scratch {
        let disk = || -> Option<Scratch> {
            let mut dir = tempfile::Builder::new();
            dir.prefix("accord-scratch-");
            #[cfg(unix)]
            dir.permissions(private());
            let dir = dir.tempdir().ok()?;
            let file = dir.path().join("scratch.redb");
            let db = caught(|| builder().create(&file).map_err(err)).ok()?;
            Some(Scratch(Backing::Disk {
                db,
                reader: None,
                _dir: dir,
            }))
        };
        disk().unwrap_or_else(Scratch::in_memory)
    }

    /// A new, empty map in memory.
    pub fn in_memory() -> Scratch {
        Scratch(Backing::Memory(BTreeMap::new()))
    }

    /// The directory holding the map's file, when it is on disk.
    #[cfg(test)]
    fn dir(&self) -> Option<&Path> {
        match &self.0 {
            Backing::Disk { _dir, .. } => Some(_dir.path()),
            Backing::Memory(_) => None,
        }
    }

    /// The value stored under `key`, if any.
    pub fn get(&mut self, key: &[u8]) -> Result<Option<Vec<u8>>> {
        caught(|| self.get_inner(key))
    }

    fn get_inner(&mut self, key: &[u8]) -> Result<Option<Vec<u8>>> {
        match &mut self.0 {
            Backing::Memory(map) => Ok(map.get(key).cloned()),
            Backing::Disk { db, reader, .. } => {
                let table = match reader {
                    Some(table) => table,
                    None => {
                        let tx = db.begin_read().map_err(err)?;
                        match tx.open_table(MAP) {
                            Ok(t) => reader.insert(t),
                            Err(redb::TableError::TableDoesNotExist(_)) => return Ok(None),
                            Err(e) => return Err(err(e)),
                        }
                    }
                };
                Ok(table.get(key).map_err(err)?.map(|v| v.value().to_vec()))
            }
        }
    }

    /// Writes every pair, replacing earlier values of the same keys.
    pub fn put_all(&mut self, pairs: &[KeyValue]) -> Result<()> {
        caught(|| self.put_all_inner(pairs))
    }

    fn put_all_inner(&mut self, pairs: &[KeyValue]) -> Result<()> {
        match &mut self.0 {
            Backing::Memory(map) => {
                map.extend(pairs.iter().cloned());
                Ok(())
            }
            Backing::Disk { db, reader, .. } => {
                *reader = None;
                let mut tx = db.begin_write().map_err(err)?;
                tx.set_durability(Durability::None).map_err(err)?;
                {
                    let mut table = tx.open_table(MAP).map_err(err)?;
                    for (k, v) in pairs {
                        table.insert(k.as_slice(), v.as_slice()).map_err(err)?;
                    }
                }
                tx.commit().map_err(err)
            }
        }
    }
}

impl Default for Scratch {
    fn default() -> Self {
        Scratch::new()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn exercise(mut s: Scratch) {
        assert_eq!(s.get(b"a").unwrap(), None);
        assert_eq!(s.get(b"a").unwrap(), None);
        s.put_all(&[
            (b"a".to_vec(), b"1".to_vec()),
            (b"b".to_vec(), b"2".to_vec()),
        ])
        .unwrap();
        s.put_all(&[(b"a".to_vec(), b"3".to_vec())]).unwrap();
        assert_eq!(s.get(b"a").unwrap(), Some(b"3".to_vec()));
        assert_eq!(s.get(b"b").unwrap(), Some(b"2".to_vec()));
        assert_eq!(s.get(b"c").unwrap(), None);
    }

    #[test]
    fn scratch_on_disk_and_in_memory_behave_alike() {
        let disk = Scratch::new();
        assert!(disk.dir().is_some());
        assert!(Scratch::in_memory().dir().is_none());
        exercise(disk);
        exercise(Scratch::in_memory());
    }

    #[test]
    fn scratch_directory_is_removed_on_drop() {
        let s = Scratch::new();
        let path = s.dir().expect("a scratch directory").to_owned();
        assert!(path.exists());
        drop(s);
        assert!(!path.exists());
    }

    #[cfg(unix)]
    #[test]
    fn scratch_directory_is_private_to_its_user() {
        use std::os::unix::fs::PermissionsExt;
        let s = Scratch::new();
        let dir = s.dir().expect("a scratch directory");
        let mode = std::fs::metadata(dir).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o700, "mode {:o}", mode & 0o777);
    }
}
