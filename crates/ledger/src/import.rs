//! Import: building a new ledger from exported entries, each checked as an
//! append would (the export's lines are read in [`crate::export`]). All or
//! nothing: a scratch directory becomes the ledger only once every entry is
//! admitted and stored durably. Never writes into an existing ledger.

use std::path::Path;
use std::sync::{mpsc, Arc};

use accord_core::{Sealed, State};
use accord_store::{Backend, DiskStore, Store, StoreError};

use crate::ledger::{genesis_writes, CHECKPOINT_EVERY};
use crate::verify::KnownKeys;
use crate::{check_not_future, Ledger, LedgerError};

impl Ledger<DiskStore> {
    /// Builds a new ledger in `path` from exported entries, checking every
    /// entry as an append would. All or nothing: the entries go into a
    /// scratch directory beside `path`, which is renamed to `path` only when
    /// every entry has been admitted and stored durably. Returns the number
    /// of entries.
    ///
    /// Refuses, as an append would, an entry claiming a time more than
    /// [`MAX_CLOCK_SKEW_SECS`] ahead of `now` (this machine's clock).
    pub fn import(
        path: &Path,
        backend: Backend,
        now: i64,
        entries: impl IntoIterator<Item = Result<Sealed, LedgerError>>,
    ) -> Result<u64, LedgerError> {
        if path.exists() {
            let empty = path.is_dir()
                && std::fs::read_dir(path)
                    .map(|mut d| d.next().is_none())
                    .unwrap_or(false);
            if !empty {
                return Err(StoreError::AlreadyExists(path.to_owned()).into());
            }
        }
        remove_abandoned_scratch(path, "importing")?;
        let scratch = scratch_dir(path);
        let entries = entries.into_iter().map(|e| {
            let e = e?;
            check_not_future(&e, now)?;
            Ok(e)
        });
        let outcome = Self::import_into(&scratch, backend, entries);
        match outcome {
            Ok(n) => {
                if path.exists() {
                    std::fs::remove_dir(path).map_err(|e| io_err(path, e))?;
                }
                std::fs::rename(&scratch, path).map_err(|e| io_err(path, e))?;
                if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
                    std::fs::File::open(parent)
                        .and_then(|d| d.sync_all())
                        .map_err(|e| io_err(parent, e))?;
                }
                Ok(n)
            }
            Err(e) => {
                let _ = std::fs::remove_dir_all(&scratch);
                Err(e)
            }
        }
    }

    fn import_into(
        scratch: &Path,
        backend: Backend,
        entries: impl IntoIterator<Item = Result<Sealed, LedgerError>>,
    ) -> Result<u64, LedgerError> {
        const BATCH: usize = 4096;
        let mut entries = entries.into_iter();
        let genesis = match entries.next() {
            Some(e) => e?,
            None => {
                return Err(LedgerError::Import {
                    line: 1,
                    reason: "the export holds no entries (an empty file, or only a header): nothing to import".into(),
                })
            }
        };
        let state = State::genesis(&genesis).map_err(|violation| LedgerError::RejectedEntry {
            seq: genesis.seq(),
            violation,
        })?;
        let mut ledger = Self {
            store: DiskStore::create(scratch, backend)?,
            checkpoint_every: CHECKPOINT_EVERY,
            writer: None,
            // A new store: entry 0 writes no record.
            written: Some(Default::default()),
        };
        ledger
            .store
            .append(0, &genesis.bytes, &genesis_writes(&genesis, &state)?)?;
        // A pipeline of three: this thread reads and decodes the next batch
        // (learning keys in order), a checker checks the signatures of the
        // one before on every core, and a writer admits and stores the one
        // before that.
        let mut keys = Arc::new(KnownKeys::of(&state));
        std::thread::scope(|scope| {
            let (to_check, checks) = mpsc::sync_channel::<(Vec<Sealed>, Arc<KnownKeys>)>(1);
            let (to_write, writes) = mpsc::sync_channel::<(Vec<Sealed>, Vec<bool>)>(1);
            scope.spawn(move || {
                for (batch, keys) in checks {
                    let signatures = keys.check_all(&batch);
                    if to_write.send((batch, signatures)).is_err() {
                        return;
                    }
                }
            });
            let writer = scope.spawn(move || -> Result<u64, LedgerError> {
                let mut count = 1u64;
                for (batch, signatures) in writes {
                    ledger.append_checked(&batch, &signatures)?;
                    count += batch.len() as u64;
                }
                Ok(count)
            });
            let read = || -> Result<(), LedgerError> {
                let mut batch = Vec::with_capacity(BATCH);
                for entry in entries {
                    let entry = entry?;
                    if KnownKeys::puts_forward(&entry) {
                        Arc::make_mut(&mut keys).learn(&entry);
                    }
                    batch.push(entry);
                    if batch.len() == BATCH {
                        let full = std::mem::replace(&mut batch, Vec::with_capacity(BATCH));
                        if to_check.send((full, Arc::clone(&keys))).is_err() {
                            // The writer stopped: its error is the one to report.
                            return Ok(());
                        }
                    }
                }
                if !batch.is_empty() {
                    let _ = to_check.send((batch, Arc::clone(&keys)));
                }
                Ok(())
            };
            let read = read();
            drop(to_check);
            let written = writer.join().unwrap_or_else(|_| {
                Err(LedgerError::Damaged {
                    seq: 0,
                    reason: "the import's writer stopped unexpectedly".into(),
                })
            });
            // A refused or unstorable entry is reported before a read error
            // that came after it.
            let count = written?;
            read?;
            Ok(count)
        })
    }
}

/// Removes scratch directories (`.<name>.<kind>-<pid>`) of earlier imports
/// or mirrors into `path` that crashed (no process holds their lock).
pub(crate) fn remove_abandoned_scratch(path: &Path, kind: &str) -> Result<(), LedgerError> {
    let Some(name) = path.file_name().map(|n| n.to_string_lossy().into_owned()) else {
        return Ok(());
    };
    let parent = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_owned(),
        _ => std::path::PathBuf::from("."),
    };
    let prefix = format!(".{name}.{kind}-");
    let Ok(listing) = std::fs::read_dir(&parent) else {
        return Ok(());
    };
    for item in listing.flatten() {
        if item.file_name().to_string_lossy().starts_with(&prefix) {
            accord_store::remove_if_abandoned(&item.path())?;
        }
    }
    Ok(())
}

fn scratch_dir(path: &Path) -> std::path::PathBuf {
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "ledger".into());
    path.with_file_name(format!(".{name}.importing-{}", std::process::id()))
}

pub(crate) fn io_err(path: &Path, e: std::io::Error) -> LedgerError {
    StoreError::Io(format!("{}: {e}", path.display())).into()
}
