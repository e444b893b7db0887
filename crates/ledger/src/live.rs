//! The live checkpoint of a ledger being served (`accord serve --key`): the
//! server signs the checkpoint of its current head itself, and collects the
//! witnesses' cosignatures on it.
//!
//! [`LiveCheckpoint`] replays the entries once when it starts (the Merkle
//! root builder and the key-event list, as [`Ledger::tree_heads`] does),
//! then is fed every later entry once, in order: signing a new head costs
//! O(log n) hashing, never a replay and never derived data. The signed note
//! of the current head is cached with the cosignatures merged into it, and
//! written to a file (temporary file, sync, rename, directory sync) each
//! time it changes, so a restart and static publishing see it.
//!
//! A cosignature is accepted only on the current checkpoint's exact body,
//! by a witness of [`Policy::of_charter`], checked by
//! [`crate::checkpoint::cosigners`]: this module holds no signature rule of
//! its own. It never appends to the ledger and never reads a clock.

use std::fs::{self, File, OpenOptions};
use std::io::{Read, Write};
use std::path::{Path, PathBuf};

use accord_core::checkpoint::Checkpoint;
use accord_core::merkle::RootBuilder;
use accord_core::note::{key_id, Note, NoteError, SigType, MAX_NOTE_BYTES};
use accord_core::{crypto, keycommit, policy, EntryHash, Event, LedgerId, PartyId};
use accord_core::{Records, Sealed, State};
use accord_store::Store;
use ed25519_dalek::SigningKey;

use crate::checkpoint::{cosigners, CheckpointError, Policy};
use crate::{Ledger, LedgerError};

/// Why the live checkpoint could not be signed or a cosignature was refused.
#[derive(Debug, thiserror::Error)]
pub enum LiveError {
    /// The cosigned note is not of the current checkpoint.
    #[error("the cosigned checkpoint is not the current one (size {size}): fetch the current checkpoint, check it and cosign it")]
    Stale {
        /// The current checkpoint's size.
        size: u64,
        /// The current checkpoint, as served.
        current: String,
    },
    /// The host key is not a party's current key.
    #[error("the host key is not a party's current key at entry {size}: the server cannot sign its checkpoint (restart it with the party's current key)")]
    NotAParty {
        /// The size the checkpoint would have had.
        size: u64,
    },
    /// The note carries no valid cosignature by a witness.
    #[error("{0}")]
    Refused(#[from] CheckpointError),
    /// The note is malformed.
    #[error("not a signed checkpoint: {0}")]
    Note(#[from] NoteError),
    /// An entry was fed out of order.
    #[error("entry {got} fed to the live checkpoint where entry {want} was expected")]
    OutOfOrder {
        /// The seq expected next.
        want: u64,
        /// The seq fed.
        got: u64,
    },
    /// The checkpoint file could not be written.
    #[error("cannot write the checkpoint file {path}: {source}")]
    Persist {
        /// The file.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },
    /// The ledger could not be read.
    #[error(transparent)]
    Ledger(#[from] LedgerError),
}

/// What a cosignature did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Cosigned {
    /// The witnesses whose cosignature lines were merged.
    pub witnesses: Vec<PartyId>,
    /// The checkpoint now served.
    pub note: Note,
}

/// The checkpoint of the served ledger's head, kept up to date entry by
/// entry (see the module documentation).
pub struct LiveCheckpoint {
    ledger: LedgerId,
    builder: RootBuilder,
    key_events: Vec<(u64, EntryHash)>,
    keys_digest: [u8; 32],
    key: SigningKey,
    /// The signed (and cosigned) note of the current size, once made.
    signed: Option<Note>,
    file: Option<PathBuf>,
}

impl std::fmt::Debug for LiveCheckpoint {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LiveCheckpoint")
            .field("size", &self.builder.size())
            .finish_non_exhaustive()
    }
}

impl LiveCheckpoint {
    /// Replays `ledger`'s entries once, to sign its checkpoints with `key`
    /// from now on. With `file`, the cosigned checkpoint is written there
    /// whenever it changes, and cosignatures found there on the current
    /// head's checkpoint (a restart) are kept.
    pub fn start<S: Store>(
        ledger: &mut Ledger<S>,
        key: SigningKey,
        file: Option<PathBuf>,
    ) -> Result<LiveCheckpoint, LiveError> {
        let genesis = ledger.entry(0)?;
        let Event::Charter(_) = &genesis.entry.body.event else {
            return Err(LedgerError::Damaged {
                seq: 0,
                reason: "entry 0 is not a charter".into(),
            }
            .into());
        };
        let mut live = LiveCheckpoint {
            ledger: genesis.hash,
            builder: RootBuilder::new(),
            key_events: Vec::new(),
            keys_digest: keycommit::digest([]),
            key,
            signed: None,
            file,
        };
        live.catch_up(ledger)?;
        live.sign(ledger)?;
        if let Some(earlier) = live.file.as_deref().and_then(read_note) {
            if earlier.text() == live.checkpoint().body() {
                // Cosignatures of this very checkpoint, kept across a
                // restart (each checked again).
                let _ = live.add_cosignature(ledger, &earlier);
            }
        }
        live.persist()?;
        Ok(live)
    }

    /// The number of entries fed so far.
    pub fn size(&self) -> u64 {
        self.builder.size()
    }

    /// The checkpoint of the entries fed so far (unsigned).
    pub fn checkpoint(&self) -> Checkpoint {
        Checkpoint {
            ledger: self.ledger,
            size: self.builder.size(),
            root: self.builder.root(),
            keys: self.keys_digest,
        }
    }

    /// Feeds the next entry (seq [`LiveCheckpoint::size`]).
    pub fn push(&mut self, e: &Sealed) -> Result<(), LiveError> {
        if e.seq() != self.builder.size() {
            return Err(LiveError::OutOfOrder {
                want: self.builder.size(),
                got: e.seq(),
            });
        }
        self.builder.push(&e.bytes);
        if keycommit::is_key_event(&e.entry.body.event) {
            self.key_events.push((e.seq(), e.hash));
            self.keys_digest = keycommit::digest(self.key_events.iter().map(|(s, h)| (*s, h)));
        }
        self.signed = None;
        Ok(())
    }

    /// Feeds the entries `ledger` holds beyond those fed so far.
    fn catch_up<S: Store>(&mut self, ledger: &Ledger<S>) -> Result<(), LiveError> {
        let last = ledger.last_seq()?;
        if last + 1 == self.builder.size() {
            return Ok(());
        }
        for e in ledger.entries(self.builder.size()) {
            self.push(&e?)?;
        }
        Ok(())
    }

    /// The keyring at the head. From the chain snapshot: it decides only
    /// which party the host key is and which keys a witness holds, never
    /// what is signed (the root and key commitment are the entries').
    fn keyring<S: Store>(
        ledger: &mut Ledger<S>,
    ) -> Result<accord_core::keyring::Keyring, LiveError> {
        Ok(State::from_parts(ledger.chain()?, Records::default())
            .keyring()
            .clone())
    }

    /// Signs the checkpoint of the entries fed so far, unless it is signed.
    fn sign<S: Store>(&mut self, ledger: &mut Ledger<S>) -> Result<bool, LiveError> {
        if self.signed.is_some() {
            return Ok(false);
        }
        let size = self.builder.size();
        let keyring = Self::keyring(ledger)?;
        let public = crypto::public_key(&self.key);
        let party = keyring
            .holder(&public)
            .cloned()
            .filter(|p| policy::key_at(&keyring, p, size) == Some(public))
            .ok_or(LiveError::NotAParty { size })?;
        let mut note = Note::new(self.checkpoint().body())?;
        note.sign(party.as_str(), &self.key)?;
        self.signed = Some(note);
        Ok(true)
    }

    /// The signed checkpoint of `ledger`'s head, with the cosignatures
    /// collected on it; a new head is signed (and the file written) first.
    pub fn current<S: Store>(&mut self, ledger: &mut Ledger<S>) -> Result<Note, LiveError> {
        self.catch_up(ledger)?;
        if self.sign(ledger)? {
            self.persist()?;
        }
        self.signed
            .clone()
            .ok_or(LiveError::NotAParty { size: self.size() })
    }

    /// Merges the witnesses' cosignatures `note` carries into the current
    /// checkpoint: `note`'s text must be the current checkpoint's, and each
    /// line kept must be a verifying cosignature by a witness of the
    /// charter's policy (with a key it holds at this size or later).
    pub fn add_cosignature<S: Store>(
        &mut self,
        ledger: &mut Ledger<S>,
        note: &Note,
    ) -> Result<Cosigned, LiveError> {
        let current = self.current(ledger)?;
        let cp = self.checkpoint();
        if note.text() != current.text() {
            return Err(LiveError::Stale {
                size: cp.size,
                current: current.format(),
            });
        }
        // The charter in force at the head (amendments change who the
        // guarantors are) and its keyring, from the chain snapshot.
        let head = State::from_parts(ledger.chain()?, Records::default());
        let (charter, keyring) = (head.charter(), head.keyring());
        // Any one witness's cosignature is accepted: the quorum is the
        // readers' to ask for.
        let policy = Policy {
            quorum: 1,
            ..Policy::of_charter(charter)
        };
        let found = cosigners(note, &cp, charter, keyring, &policy)?;
        let mut wanted = Vec::new();
        for (w, _) in &found {
            for key in policy::keys_from(keyring, w, cp.size) {
                let id = key_id(w.as_str(), SigType::CosignatureV1, &key);
                wanted.extend(
                    note.signatures()
                        .iter()
                        .filter(|l| l.name == w.as_str() && l.key_id == id)
                        .cloned(),
                );
            }
        }
        let mut merged = Note::new(current.text())?;
        for line in current.signatures() {
            if !wanted
                .iter()
                .any(|w| w.name == line.name && w.key_id == line.key_id)
            {
                merged.push_line(line.clone())?;
            }
        }
        for line in wanted {
            merged.push_line(line)?;
        }
        let changed = merged != current;
        self.signed = Some(merged.clone());
        if changed {
            self.persist()?;
        }
        Ok(Cosigned {
            witnesses: found.into_iter().map(|(p, _)| p).collect(),
            note: merged,
        })
    }

    /// Writes the current note to the file, if there is one.
    fn persist(&self) -> Result<(), LiveError> {
        match (&self.file, &self.signed) {
            (Some(path), Some(note)) => {
                write_durably(path, note.format().as_bytes()).map_err(|source| LiveError::Persist {
                    path: path.clone(),
                    source,
                })
            }
            _ => Ok(()),
        }
    }
}

/// A note read back from `path`, if it is one (a missing or bad file is
/// nothing to keep).
fn read_note(path: &Path) -> Option<Note> {
    let file = File::open(path).ok()?;
    let mut bytes = Vec::new();
    file.take(MAX_NOTE_BYTES as u64 + 1)
        .read_to_end(&mut bytes)
        .ok()?;
    Note::parse(&bytes).ok()
}

/// Writes `bytes` to `path` whole or not at all: a new temporary file
/// beside it (a leftover one is removed, never written through), synced,
/// renamed over `path`, and the directory synced.
pub(crate) fn write_durably(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let name = path.file_name().map(|n| n.to_string_lossy().into_owned());
    let tmp = path.with_file_name(format!(".{}.tmp", name.unwrap_or_default()));
    match fs::remove_file(&tmp) {
        Err(e) if e.kind() != std::io::ErrorKind::NotFound => return Err(e),
        _ => {}
    }
    let mut f = OpenOptions::new().write(true).create_new(true).open(&tmp)?;
    f.write_all(bytes)?;
    f.sync_all()?;
    drop(f);
    fs::rename(&tmp, path)?;
    let dir = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    };
    File::open(dir)?.sync_all()
}
