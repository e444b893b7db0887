//! Recovery of a ledger that is invalid at some entry (from a bug or a
//! damaged disk): the good prefix becomes the ledger again, and every entry
//! after it is kept, with its bytes, in a file. Nothing is deleted: the old
//! store is renamed aside.

use std::io::Write;
use std::path::{Path, PathBuf};

use base64::engine::general_purpose::STANDARD as BASE64;
use base64::Engine;
use serde_json::json;

use crate::import::io_err;
use crate::{export, Ledger, LedgerError};
use accord_store::{DiskStore, Store, StoreError};

/// What a recovery did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Recovered {
    /// Entries 0..kept are the ledger now.
    pub kept: u64,
    /// Where the store as it was before the recovery now lies.
    pub backup: PathBuf,
}

impl Ledger<DiskStore> {
    /// Writes every stored entry after `after` to `out` as an export's lines
    /// (a header naming the ledger, then one line per entry), whatever
    /// state each is in: a decodable entry as an export line, one that does
    /// not decode with its raw bytes and the reason, one the store cannot
    /// read with the reason. Returns how many entries were written.
    pub fn write_tail(&self, after: u64, out: &mut dyn Write) -> Result<u64, LedgerError> {
        let genesis = self.entry(0)?;
        let last = self.last_seq()?;
        let io = |e: std::io::Error| LedgerError::Store(StoreError::Io(e.to_string()));
        let mut header = export::header(&genesis.hash);
        header["dropped_after"] = json!(after);
        export::write_line(out, &header).map_err(io)?;
        let mut n = 0;
        for seq in after + 1..=last {
            let line = match self.store().get(seq) {
                Ok(Some(bytes)) => match accord_core::Sealed::from_bytes(bytes.clone()) {
                    Ok(e) if e.seq() == seq => export::line(&e),
                    Ok(e) => json!({ "seq": seq, "entry": BASE64.encode(&bytes),
                        "undecodable": format!("stored at seq {seq} but the entry says seq {}", e.seq()) }),
                    Err(e) => {
                        json!({ "seq": seq, "entry": BASE64.encode(&bytes), "undecodable": e.to_string() })
                    }
                },
                Ok(None) => json!({ "seq": seq, "unreadable": "missing from the store" }),
                Err(e) => json!({ "seq": seq, "unreadable": e.to_string() }),
            };
            export::write_line(out, &line).map_err(io)?;
            n += 1;
        }
        Ok(n)
    }

    /// Makes entries 0..=`to` of the ledger in `path` the whole ledger:
    /// they are imported (every check, as an append) into a new store beside
    /// it, the old store is renamed to `<path>.before-recover-<now>`, and the
    /// new one takes its place. `last` is the last seq the caller saw (and
    /// kept the entries after `to` of): if the ledger has changed since,
    /// nothing is done.
    ///
    /// If the process dies between the two renames, the old store is at the
    /// backup path and the recovered prefix at `.<name>.recovered-<pid>`
    /// beside it: renaming the latter to `path` finishes the recovery.
    pub fn recover_prefix(
        path: &Path,
        to: u64,
        last: u64,
        now: i64,
    ) -> Result<Recovered, LedgerError> {
        // A name of its own, so that the new store and the backup go beside
        // the ledger directory even for `--ledger .`.
        let path = &std::fs::canonicalize(path).map_err(|e| io_err(path, e))?;
        let ledger = Ledger::open(path)?;
        let stored = ledger.last_seq()?;
        if stored != last {
            return Err(LedgerError::Changed {
                expected: last,
                found: stored,
            });
        }
        let backend = ledger.store().backend();
        let name = path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_else(|| "ledger".into());
        let fresh = path.with_file_name(format!(".{name}.recovered-{}", std::process::id()));
        let backup = path.with_file_name(format!("{name}.before-recover-{now}"));
        if backup.exists() {
            return Err(StoreError::AlreadyExists(backup).into());
        }
        // Entry by entry: the one after `to` may not even decode.
        let prefix = (0..=to).map(|seq| ledger.entry(seq));
        let kept = Ledger::import(&fresh, backend, now, prefix)?;
        if let Err(e) = std::fs::rename(path, &backup) {
            let _ = std::fs::remove_dir_all(&fresh);
            return Err(io_err(path, e));
        }
        drop(ledger);
        if let Err(e) = std::fs::rename(&fresh, path) {
            // Put the old store back rather than leave no ledger at `path`.
            let _ = std::fs::rename(&backup, path);
            let _ = std::fs::remove_dir_all(&fresh);
            return Err(io_err(path, e));
        }
        if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
            std::fs::File::open(parent)
                .and_then(|d| d.sync_all())
                .map_err(|e| io_err(parent, e))?;
        }
        Ok(Recovered { kept, backup })
    }
}
