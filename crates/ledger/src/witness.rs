//! A party acting as a witness: it cosigns a checkpoint only after checking
//! it against its own verified copy of the ledger and against the last
//! checkpoint it cosigned for that ledger, and it remembers the new one
//! durably before the cosignature leaves it.
//!
//! The memory is a directory with one file per (witness, ledger):
//! `<party>@<ledger id hex>.checkpoint`, holding the body of the last
//! checkpoint cosigned. It is replaced by writing a temporary file,
//! syncing it, renaming it into place and syncing the directory, under an
//! exclusive lock held from reading the old state to writing the new one,
//! so two witnesses sharing a directory (or two runs of one) cannot both
//! cosign from the same old state. A state file that cannot be read is an
//! error, never "nothing cosigned yet". This module never reads a clock (the
//! time is an argument) and never writes the cosigned note anywhere: the
//! caller releases it after [`cosign`] returns.

use std::fs::{self, File, OpenOptions};
use std::io::{Read, Write};
use std::path::{Path, PathBuf};

use accord_core::checkpoint::Checkpoint;
use accord_core::note::{key_id, Note, NoteError, SigType};
use accord_core::{crypto, LedgerId, PartyId};
use accord_store::Store;
use ed25519_dalek::SigningKey;

use crate::checkpoint::{consistent, CheckpointError};
use crate::{Ledger, LedgerError};

/// Largest state file read back (a checkpoint body is about 200 bytes).
const MAX_STATE_BYTES: u64 = 4096;

/// Why the witness did not cosign.
#[derive(Debug, thiserror::Error)]
pub enum WitnessError {
    /// The witness's own copy does not verify.
    #[error("refusing: this witness's copy of the ledger does not verify ({0}); repair it before witnessing")]
    CopyInvalid(String),
    /// The checkpoint does not match the copy.
    #[error("refusing: {0}")]
    Checkpoint(#[from] CheckpointError),
    /// The key is no party's current key.
    #[error("refusing: the key is not a party's current key in this copy of the ledger")]
    NotAParty,
    /// Smaller than the last checkpoint cosigned.
    #[error("refusing: this checkpoint is not consistent with the one I cosigned at size {size} (it is smaller, size {new}: a witness never cosigns an older tree after a newer one)")]
    Older {
        /// The checkpoint's tree size.
        size: u64,
        /// The size of the checkpoint offered.
        new: u64,
    },
    /// Not an extension of the last checkpoint cosigned.
    #[error("refusing: this checkpoint is not consistent with the one I cosigned at size {size} ({why})")]
    Inconsistent {
        /// The checkpoint's tree size.
        size: u64,
        /// Why the consistency proof failed.
        why: String,
    },
    /// The state file is damaged.
    #[error("witness state {path}: {reason}; nothing was cosigned: restore the file from a backup (never delete it: it is what stops this witness from cosigning a fork)")]
    State {
        /// The file or directory.
        path: PathBuf,
        /// What is wrong with it.
        reason: String,
    },
    /// The state directory could not be used.
    #[error("witness state directory {path}: {source}")]
    Io {
        /// The directory.
        path: PathBuf,
        /// The I/O error.
        source: std::io::Error,
    },
    /// The cosignature could not be written.
    #[error("{0}")]
    Note(#[from] NoteError),
    /// The copy could not be read.
    #[error(transparent)]
    Ledger(#[from] LedgerError),
}

/// What a witness did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Witnessed {
    /// The witness (the party whose key cosigned).
    pub party: PartyId,
    /// The checkpoint cosigned, and who signed it.
    pub checkpoint: Checkpoint,
    /// The party whose note signature the checkpoint carries.
    pub signer: PartyId,
    /// The size of the previous checkpoint this witness had cosigned.
    pub previous: Option<u64>,
}

/// A witness's memory of what it cosigned, in a directory.
#[derive(Debug, Clone)]
pub struct WitnessState {
    dir: PathBuf,
}

/// The exclusive lock on one (witness, ledger) state, held until dropped.
struct Locked {
    _file: File,
}

impl WitnessState {
    /// The state in `dir`, created (with its parents) if missing.
    pub fn open(dir: &Path) -> Result<WitnessState, WitnessError> {
        fs::create_dir_all(dir).map_err(|source| WitnessError::Io {
            path: dir.to_owned(),
            source,
        })?;
        Ok(WitnessState {
            dir: dir.to_owned(),
        })
    }

    fn path(&self, party: &PartyId, ledger: &LedgerId) -> PathBuf {
        state_file(&self.dir, party, ledger)
    }

    fn io(&self, path: &Path) -> impl Fn(std::io::Error) -> WitnessError + '_ {
        let path = path.to_owned();
        move |source| WitnessError::Io {
            path: path.clone(),
            source,
        }
    }

    fn lock(&self, party: &PartyId, ledger: &LedgerId) -> Result<Locked, WitnessError> {
        let path = self.path(party, ledger).with_extension("lock");
        let file = lock_file(&path).map_err(self.io(&path))?;
        Ok(Locked { _file: file })
    }

    /// The last checkpoint `party` cosigned for `ledger`, if any.
    pub fn last(
        &self,
        party: &PartyId,
        ledger: &LedgerId,
    ) -> Result<Option<Checkpoint>, WitnessError> {
        let path = self.path(party, ledger);
        let bad = |reason: String| WitnessError::State {
            path: path.clone(),
            reason,
        };
        let Some(text) = read_state(&path, MAX_STATE_BYTES).map_err(bad)? else {
            return Ok(None);
        };
        let cp = Checkpoint::parse_body(&text).map_err(|e| bad(e.to_string()))?;
        if cp.ledger != *ledger {
            return Err(bad("it names another ledger".into()));
        }
        Ok(Some(cp))
    }

    /// Makes `cp` the last checkpoint `party` cosigned, durably: temporary
    /// file, sync, rename, directory sync.
    fn record(&self, party: &PartyId, cp: &Checkpoint, _lock: &Locked) -> Result<(), WitnessError> {
        let path = self.path(party, &cp.ledger);
        replace_durably(&self.dir, &path, cp.body().as_bytes()).map_err(|(p, e)| self.io(&p)(e))
    }
}

/// A witness state file's text (at most `max` bytes), or `None` if there
/// is no file yet; why it cannot be read otherwise (never "no state").
pub(crate) fn read_state(path: &Path, max: u64) -> Result<Option<String>, String> {
    let file = match File::open(path) {
        Ok(f) => f,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(format!("cannot be read ({e})")),
    };
    let mut text = String::new();
    file.take(max)
        .read_to_string(&mut text)
        .map_err(|e| format!("cannot be read ({e})"))?;
    Ok(Some(text))
}

/// The file in `dir` holding the last checkpoint `party` cosigned for
/// `ledger` (its lock is the same name with `.lock`): shared with the
/// tlog-witness ([`crate::tlog_witness`]) for that ledger's origin.
pub(crate) fn state_file(dir: &Path, party: &PartyId, ledger: &LedgerId) -> PathBuf {
    dir.join(format!("{}@{}.checkpoint", party.as_str(), ledger.to_hex()))
}

/// Replaces `path` (in `dir`) by `bytes`, durably: a temporary file beside
/// it, synced, renamed into place, the directory synced. On failure, the
/// file or directory that failed and why.
pub(crate) fn replace_durably(
    dir: &Path,
    path: &Path,
    bytes: &[u8],
) -> Result<(), (PathBuf, std::io::Error)> {
    let tmp = path.with_extension("tmp");
    let at = |p: &Path| {
        let p = p.to_owned();
        move |e| (p, e)
    };
    // Created new (a leftover or a planted symlink is removed, never
    // written through).
    match fs::remove_file(&tmp) {
        Err(e) if e.kind() != std::io::ErrorKind::NotFound => return Err((tmp, e)),
        _ => {}
    }
    let mut f = OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(&tmp)
        .map_err(at(&tmp))?;
    f.write_all(bytes).map_err(at(&tmp))?;
    f.sync_all().map_err(at(&tmp))?;
    drop(f);
    fs::rename(&tmp, path).map_err(at(path))?;
    File::open(dir).and_then(|d| d.sync_all()).map_err(at(dir))
}

/// An exclusive lock on the file `path` (created if missing), held until
/// the file is dropped; blocks while another holder has it.
pub(crate) fn lock_file(path: &Path) -> std::io::Result<File> {
    let file = OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(path)?;
    file.lock()?;
    Ok(file)
}

/// Cosigns `note` as the party whose current key is `key`, at `now`, after
/// checking it against this copy of the ledger (verified in full first) and
/// against the last checkpoint this witness cosigned; the new state is on
/// disk before this returns, and `persisted` runs right after it is (a
/// hook for crash tests). Returns the note with the cosignature appended
/// (replacing an earlier cosignature by the same key).
pub fn cosign<S: Store>(
    ledger: &mut Ledger<S>,
    note: &Note,
    key: &SigningKey,
    state: &WitnessState,
    now: i64,
    persisted: impl FnOnce(),
) -> Result<(Note, Witnessed), WitnessError> {
    // A verifying replay of every entry: the keyring below comes from the
    // entries themselves, never from derived data.
    let head = ledger.replay().map_err(|e| match e {
        LedgerError::Damaged { .. } | LedgerError::RejectedEntry { .. } => {
            WitnessError::CopyInvalid(e.to_string())
        }
        e => WitnessError::Ledger(e),
    })?;
    let public = crypto::public_key(key);
    let party = head
        .keyring()
        .holder(&public)
        .cloned()
        .ok_or(WitnessError::NotAParty)?;
    let matched = ledger.match_checkpoint(note, head.charter(), head.keyring())?;
    let cp = matched.checkpoint;

    let lock = state.lock(&party, &cp.ledger)?;
    let last = state.last(&party, &cp.ledger)?;
    if let Some(old) = &last {
        if cp.size < old.size {
            return Err(WitnessError::Older {
                size: old.size,
                new: cp.size,
            });
        }
        // Our copy's root at the new size is the checkpoint's (matched
        // above); the proof from our copy must join the old root to it.
        let proof = ledger.consistency_proof(old.size, cp.size)?;
        consistent((old.size, &old.root), (cp.size, &cp.root), &proof).map_err(|e| {
            WitnessError::Inconsistent {
                size: old.size,
                why: e.to_string(),
            }
        })?;
    }
    let mut out = Note::new(note.text())?;
    let mine = key_id(party.as_str(), SigType::CosignatureV1, &public);
    for line in note.signatures() {
        if !(line.name == party.as_str() && line.key_id == mine) {
            out.push_line(line.clone())?;
        }
    }
    out.cosign(party.as_str(), key, now)?;
    state.record(&party, &cp, &lock)?;
    persisted();
    drop(lock);
    Ok((
        out,
        Witnessed {
            party,
            checkpoint: cp,
            signer: matched.signer,
            previous: last.map(|c| c.size),
        },
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use accord_core::ids::EntryHash;

    fn cp(size: u64) -> Checkpoint {
        Checkpoint {
            ledger: EntryHash([3; 32]),
            size,
            root: [size as u8; 32],
            keys: [0; 32],
        }
    }

    #[test]
    fn the_state_survives_reopening_and_a_damaged_file_is_an_error() {
        let dir = tempfile::tempdir().unwrap();
        let tr = PartyId::new("tr").unwrap();
        let ru = PartyId::new("ru").unwrap();
        let state = WitnessState::open(&dir.path().join("w")).unwrap();
        let ledger = EntryHash([3; 32]);
        assert_eq!(state.last(&tr, &ledger).unwrap(), None);
        let lock = state.lock(&tr, &ledger).unwrap();
        state.record(&tr, &cp(5), &lock).unwrap();
        drop(lock);
        let again = WitnessState::open(&dir.path().join("w")).unwrap();
        assert_eq!(again.last(&tr, &ledger).unwrap(), Some(cp(5)));
        // Another witness in the same directory has its own memory.
        assert_eq!(again.last(&ru, &ledger).unwrap(), None);
        // A symlink planted at the temporary file is not written through.
        let victim = dir.path().join("victim");
        std::fs::write(&victim, "keep").unwrap();
        let tmp = again.path(&tr, &ledger).with_extension("tmp");
        std::os::unix::fs::symlink(&victim, &tmp).unwrap();
        let lock = again.lock(&tr, &ledger).unwrap();
        again.record(&tr, &cp(6), &lock).unwrap();
        drop(lock);
        assert_eq!(std::fs::read_to_string(&victim).unwrap(), "keep");
        assert_eq!(again.last(&tr, &ledger).unwrap(), Some(cp(6)));
        std::fs::write(again.path(&tr, &ledger), "garbage").unwrap();
        assert!(matches!(
            again.last(&tr, &ledger),
            Err(WitnessError::State { .. })
        ));
    }
}
