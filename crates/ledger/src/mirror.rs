//! Mirrors: a local, fully verified replica of a ledger served elsewhere
//! (`accord mirror`, `accord sync`). The binary fetches; this module judges
//! what was fetched, through a [`Source`] that hands it bytes (no network
//! here).
//!
//! An update fetches the server's checkpoint, checks that it extends what
//! the replica holds (a consistency proof against the replica's own root,
//! recomputed from its entries) before anything is appended, then fetches
//! the missing entries batch by batch, each batch through the gate of a
//! local append ([`Ledger::append_sealed`]: signatures checked on every
//! core, rules, one durable batch), so a killed mirror resumes from its
//! last stored entry. The checkpoint is accepted only once its entries are
//! in and [`Ledger::match_checkpoint`] accepts it; it is then remembered,
//! with the server's URL, in the ledger directory
//! ([`accord_store::mirror_file`]).
//!
//! A history that does not extend the replica's (a rewritten entry, a
//! truncated log, a split view) is refused before anything is appended,
//! and the evidence returned as an [`accord_core::fork::ForkProof`]. This
//! module never decides whom to trust beyond the replica's own entries and
//! charter: the ledger id is trusted on first use unless the caller pins it.

use std::path::{Path, PathBuf};

use accord_core::bundle::ProvenEntry;
use accord_core::checkpoint::Checkpoint;
use accord_core::fork::{EntryPair, ForkKind, ForkProof, NamedKey, FORK_PROOF_VERSION};
use accord_core::keyring::Keyring;
use accord_core::merkle::{self, Hash, RootBuilder};
use accord_core::note::Note;
use accord_core::{policy, Charter, LedgerId, PartyId, Records, Sealed, State};
use accord_store::{Backend, DiskStore, Store};
use base64::Engine;
use serde::{Deserialize, Serialize};

use crate::checkpoint::consistent;
use crate::import::{io_err, remove_abandoned_scratch};
use crate::ledger::genesis_writes;
use crate::live::write_durably;
use crate::{check_not_future, DiskLedger, Ledger, LedgerError};

/// The mirror memory's format version.
const STATE_VERSION: u64 = 1;
/// Largest mirror memory read back.
const MAX_STATE_BYTES: u64 = 1 << 20;

/// Where the replica's bytes come from: the binary implements it over HTTP
/// (docs/PROTOCOL.md). Each method is one request; an error is its one line.
pub trait Source {
    /// The server's current checkpoint (a signed note).
    fn checkpoint(&mut self) -> Result<Vec<u8>, String>;
    /// Entries from `from` on (at least one if there are any), each as its
    /// canonical bytes.
    fn entries(&mut self, from: u64) -> Result<Vec<Vec<u8>>, String>;
    /// Entry `seq`'s canonical bytes.
    fn entry(&mut self, seq: u64) -> Result<Vec<u8>, String>;
    /// The inclusion proof of entry `seq` in the tree of `size` entries,
    /// as the server's JSON (`{"proof": [base64, ...], ...}`).
    fn inclusion(&mut self, seq: u64, size: u64) -> Result<Vec<u8>, String>;
    /// The consistency proof from `old` to `new` entries, as the server's
    /// JSON (`{"proof": [base64, ...], ...}`).
    fn consistency(&mut self, old: u64, new: u64) -> Result<Vec<u8>, String>;
}

/// Why a mirror update failed. [`MirrorError::Fork`] carries the proof of
/// an inconsistent history; nothing was appended then.
#[derive(Debug, thiserror::Error)]
pub enum MirrorError {
    /// The server could not be read.
    #[error("{0}")]
    Source(String),
    /// The server's checkpoint is not usable.
    #[error("the server's checkpoint is refused: {0}")]
    Checkpoint(String),
    /// The server serves another ledger.
    #[error("the server serves ledger {theirs}, not this replica's ({ours})")]
    OtherLedger {
        /// The server's.
        theirs: LedgerId,
        /// Ours.
        ours: LedgerId,
    },
    /// The ledger id is not the pinned one.
    #[error("the server's ledger is {found}, not the pinned --ledger-id {expected}: nothing was written")]
    NotPinned {
        /// The id asked for.
        expected: LedgerId,
        /// The server's.
        found: LedgerId,
    },
    /// The server sent bytes that are not what it must send.
    #[error("the server sent {0}")]
    Bad(String),
    /// The server's history does not extend the replica's: refused, proof
    /// attached.
    #[error("{}", .0.note)]
    Fork(Box<ForkProof>),
    /// The mirror's memory in the ledger directory is damaged.
    #[error("mirror memory {path}: {reason}; restore it from a backup (it holds the last checkpoint this mirror accepted)")]
    State {
        /// The file.
        path: PathBuf,
        /// What is wrong.
        reason: String,
    },
    /// No server is remembered and none was given.
    #[error("{0} is not a mirror (it remembers no server): give --from URL")]
    NoServer(PathBuf),
    /// The replica could not be read or written, or an entry was refused.
    #[error(transparent)]
    Ledger(#[from] LedgerError),
}

/// What a mirror remembers: the server, and the last checkpoint accepted.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MirrorState {
    /// The format version.
    pub version: u64,
    /// The server's base URL.
    pub url: String,
    /// The last checkpoint accepted (signed note, with the cosignatures it
    /// had then).
    pub checkpoint: Option<String>,
}

/// What an update did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Updated {
    /// Entries held before.
    pub from: u64,
    /// Entries held now (the accepted checkpoint's size, or more if an
    /// earlier run fetched beyond it).
    pub to: u64,
    /// The checkpoint accepted.
    pub checkpoint: Checkpoint,
    /// Who signed it.
    pub signer: PartyId,
    /// It, as served (with its cosignatures).
    pub note: Note,
}

/// A replica and its memory.
pub struct Mirror {
    dir: PathBuf,
    ledger: DiskLedger,
    state: MirrorState,
}

fn state_path(dir: &Path) -> PathBuf {
    accord_store::mirror_file(dir)
}

fn read_state(dir: &Path) -> Result<Option<MirrorState>, MirrorError> {
    use std::io::Read;
    let path = state_path(dir);
    let bad = |reason: String| MirrorError::State {
        path: path.clone(),
        reason,
    };
    let file = match std::fs::File::open(&path) {
        Ok(f) => f,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(bad(format!("cannot be read ({e})"))),
    };
    let mut text = Vec::new();
    file.take(MAX_STATE_BYTES)
        .read_to_end(&mut text)
        .map_err(|e| bad(format!("cannot be read ({e})")))?;
    let state: MirrorState =
        serde_json::from_slice(&text).map_err(|e| bad(format!("is not mirror JSON ({e})")))?;
    if state.version != STATE_VERSION {
        return Err(bad(format!("has format version {}", state.version)));
    }
    Ok(Some(state))
}

fn write_state(dir: &Path, state: &MirrorState) -> Result<(), MirrorError> {
    let path = state_path(dir);
    let text = serde_json::to_string_pretty(state).unwrap_or_default() + "\n";
    write_durably(&path, text.as_bytes()).map_err(|e| io_err(&path, e).into())
}

fn b64_hashes(json: &[u8], what: &str) -> Result<Vec<Hash>, MirrorError> {
    #[derive(Deserialize)]
    struct Proof {
        proof: Vec<String>,
    }
    let bad = || MirrorError::Bad(format!("a {what} proof that is not accord's JSON"));
    let p: Proof = serde_json::from_slice(json).map_err(|_| bad())?;
    if p.proof.len() > 128 {
        return Err(bad());
    }
    p.proof
        .iter()
        .map(|h| {
            base64::engine::general_purpose::STANDARD
                .decode(h)
                .ok()
                .and_then(|v| Hash::try_from(v.as_slice()).ok())
                .ok_or_else(bad)
        })
        .collect()
}

fn decode(bytes: Vec<u8>, seq: u64) -> Result<Sealed, MirrorError> {
    let e = Sealed::from_bytes(bytes)
        .map_err(|e| MirrorError::Bad(format!("entry {seq} not in canonical form ({e})")))?;
    if e.seq() != seq {
        return Err(MirrorError::Bad(format!(
            "entry {} where entry {seq} was asked for",
            e.seq()
        )));
    }
    Ok(e)
}

fn parse_note(text: &[u8]) -> Result<(Note, Checkpoint), String> {
    let note = Note::parse(text).map_err(|e| format!("not a signed note ({e})"))?;
    let cp = Checkpoint::parse_body(note.text()).map_err(|e| e.to_string())?;
    Ok((note, cp))
}

impl Mirror {
    /// Creates a replica in `dir` (which must not exist) from the server's
    /// entry 0, checked as the genesis of a ledger; with `expect`, its hash
    /// (the ledger id) must be that one, else it is trusted on first use.
    /// All or nothing: built in a scratch directory, renamed into place.
    pub fn create(
        dir: &Path,
        backend: Backend,
        url: &str,
        genesis: Vec<u8>,
        expect: Option<LedgerId>,
    ) -> Result<Mirror, MirrorError> {
        let genesis = decode(genesis, 0)?;
        if let Some(expected) = expect.filter(|id| *id != genesis.hash) {
            return Err(MirrorError::NotPinned {
                expected,
                found: genesis.hash,
            });
        }
        let state = State::genesis(&genesis)
            .map_err(|violation| LedgerError::RejectedEntry { seq: 0, violation })?;
        let name = dir
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_else(|| "ledger".into());
        remove_abandoned_scratch(dir, "mirroring")?;
        let scratch = dir.with_file_name(format!(".{name}.mirroring-{}", std::process::id()));
        let built = (|| -> Result<(), MirrorError> {
            let mut store = DiskStore::create(&scratch, backend).map_err(LedgerError::from)?;
            store
                .append(0, &genesis.bytes, &genesis_writes(&genesis, &state)?)
                .map_err(LedgerError::from)?;
            drop(store);
            write_state(
                &scratch,
                &MirrorState {
                    version: STATE_VERSION,
                    url: url.to_owned(),
                    checkpoint: None,
                },
            )
        })();
        if let Err(e) = built {
            let _ = std::fs::remove_dir_all(&scratch);
            return Err(e);
        }
        std::fs::rename(&scratch, dir).map_err(|e| io_err(dir, e))?;
        Self::open(dir, None)
    }

    /// Opens the replica in `dir`; `url`, if given, becomes the server it
    /// follows (a ledger copied by other means becomes a mirror this way).
    pub fn open(dir: &Path, url: Option<&str>) -> Result<Mirror, MirrorError> {
        let ledger = Ledger::open(dir)?;
        let state = match (read_state(dir)?, url) {
            (Some(mut s), Some(u)) => {
                s.url = u.to_owned();
                s
            }
            (Some(s), None) => s,
            (None, Some(u)) => MirrorState {
                version: STATE_VERSION,
                url: u.to_owned(),
                checkpoint: None,
            },
            (None, None) => return Err(MirrorError::NoServer(dir.to_owned())),
        };
        Ok(Mirror {
            dir: dir.to_owned(),
            ledger,
            state,
        })
    }

    /// What the mirror remembers.
    pub fn state(&self) -> &MirrorState {
        &self.state
    }

    /// The replica.
    pub fn ledger_mut(&mut self) -> &mut DiskLedger {
        &mut self.ledger
    }

    /// The last checkpoint accepted, parsed.
    fn accepted(&self) -> Result<Option<(Note, Checkpoint)>, MirrorError> {
        match &self.state.checkpoint {
            None => Ok(None),
            Some(text) => {
                parse_note(text.as_bytes())
                    .map(Some)
                    .map_err(|reason| MirrorError::State {
                        path: state_path(&self.dir),
                        reason: format!("its checkpoint is unreadable: {reason}"),
                    })
            }
        }
    }

    /// Brings the replica up to the server's checkpoint (see the module
    /// documentation). `now` is this machine's clock, for the same bound on
    /// claimed times as a local append.
    pub fn update(&mut self, src: &mut dyn Source, now: i64) -> Result<Updated, MirrorError> {
        let (note, cp) = parse_note(&src.checkpoint().map_err(MirrorError::Source)?)
            .map_err(MirrorError::Checkpoint)?;
        let ours = self.ledger.entry(0)?.hash;
        if cp.ledger != ours {
            return Err(MirrorError::OtherLedger {
                theirs: cp.ledger,
                ours,
            });
        }
        if cp.size == 0 {
            return Err(MirrorError::Checkpoint("it covers no entry".into()));
        }
        // A first look at the signature with the replica's keys at its head
        // (the chain snapshot), before anything is fetched.
        let replica = State::from_parts(self.ledger.chain()?, Records::default());
        let (charter, keyring) = (replica.charter().clone(), replica.keyring().clone());
        policy::signer(&note, cp.size, &charter, &keyring).map_err(|_| {
            MirrorError::Checkpoint(format!(
                "no party's signature on it verifies with that party's key at size {}",
                cp.size
            ))
        })?;
        let accepted = self.accepted()?;
        let have = self.ledger.tree_size()?;

        // Does the server's tree extend ours? Decided before any append.
        // The replica's tree, from its entries, grown with each batch.
        let mut builder = RootBuilder::new();
        let extends = if cp.size <= have {
            let [head] = self.ledger.tree_heads(&[cp.size])?[..] else {
                return Err(MirrorError::Checkpoint("it covers no entry".into()));
            };
            head.root == cp.root && head.keys == cp.keys
        } else {
            builder = self.root_builder(have)?;
            extends_to(src, &builder, &cp)?
        };
        if !extends {
            let proof = self.fork_proof(src, accepted.as_ref(), (&note, &cp), &charter, &keyring);
            return Err(MirrorError::Fork(Box::new(proof)));
        }
        if let Some((old_note, old)) = &accepted {
            if cp.size < old.size {
                let keys = named_keys(
                    &charter,
                    &keyring,
                    &[(old_note, old.size), (&note, cp.size)],
                    &[],
                );
                return Err(MirrorError::Fork(Box::new(ForkProof {
                    version: FORK_PROOF_VERSION,
                    kind: ForkKind::Rollback,
                    ours: old_note.format(),
                    theirs: note.format(),
                    keys,
                    entries: None,
                    note: format!(
                        "rollback: the server's checkpoint covers {} entries, fewer than the {} of the checkpoint this mirror accepted before; nothing was changed",
                        cp.size, old.size
                    ),
                })));
            }
        }

        let mut next = have;
        while next < cp.size {
            let batch = src.entries(next).map_err(MirrorError::Source)?;
            if batch.is_empty() {
                return Err(MirrorError::Bad(format!("no entries from {next}")));
            }
            let want = usize::try_from(cp.size - next).unwrap_or(usize::MAX);
            let mut entries = Vec::with_capacity(batch.len().min(want));
            for (i, bytes) in batch.into_iter().take(want).enumerate() {
                let e = decode(bytes, next + i as u64)?;
                check_not_future(&e, now)?;
                entries.push(e);
            }
            // Nothing is stored that is not in the server's signed tree:
            // the tree with this batch must extend to the checkpoint's.
            for e in &entries {
                builder.push(&e.bytes);
            }
            if !extends_to(src, &builder, &cp)? {
                let kept = accepted
                    .as_ref()
                    .map(|(n, _)| n.format())
                    .unwrap_or_default();
                return Err(MirrorError::Fork(Box::new(ForkProof {
                    version: FORK_PROOF_VERSION,
                    kind: ForkKind::Inconsistent,
                    ours: kept,
                    theirs: note.format(),
                    keys: named_keys(&charter, &keyring, &[(&note, cp.size)], &[]),
                    entries: None,
                    note: format!(
                        "the server sent entries {next} to {} that are not the ones its checkpoint of {} entries commits to (a split view); none of them was appended",
                        builder.size() - 1,
                        cp.size
                    ),
                })));
            }
            self.ledger.append_sealed(&entries)?;
            next += entries.len() as u64;
        }

        // The keys at the new head as the gate left them while admitting
        // the entries (the chain snapshot that every append reads; a
        // stale one is rebuilt by a verifying replay). `accord verify`
        // re-derives them from the bytes.
        let state = State::from_parts(self.ledger.chain()?, Records::default());
        let matched = self
            .ledger
            .match_checkpoint(&note, state.charter(), state.keyring())
            .map_err(|e| MirrorError::Checkpoint(e.to_string()))?;
        self.state.checkpoint = Some(note.format());
        write_state(&self.dir, &self.state)?;
        Ok(Updated {
            from: have,
            to: self.ledger.tree_size()?,
            checkpoint: matched.checkpoint,
            signer: matched.signer,
            note,
        })
    }

    /// The root builder of the replica's first `size` entries, from their
    /// bytes (never from derived data).
    fn root_builder(&self, size: u64) -> Result<RootBuilder, MirrorError> {
        let mut builder = RootBuilder::new();
        for e in self.ledger.entries(0) {
            if builder.size() == size {
                break;
            }
            builder.push(&e?.bytes);
        }
        Ok(builder)
    }

    /// The evidence of a server history that does not extend the
    /// replica's: the first entry where the server's version differs from
    /// the replica's, both proven into their checkpoints' trees when the
    /// server shows that; else the two checkpoints alone.
    fn fork_proof(
        &mut self,
        src: &mut dyn Source,
        accepted: Option<&(Note, Checkpoint)>,
        theirs: (&Note, &Checkpoint),
        charter: &Charter,
        keyring: &Keyring,
    ) -> ForkProof {
        let (note, cp) = theirs;
        let Some((old_note, old)) = accepted else {
            return ForkProof {
                version: FORK_PROOF_VERSION,
                kind: ForkKind::Inconsistent,
                ours: String::new(),
                theirs: note.format(),
                keys: named_keys(charter, keyring, &[(note, cp.size)], &[]),
                entries: None,
                note: "the server's history does not extend the entries this mirror fetched (it had accepted no checkpoint yet); nothing was appended".into(),
            };
        };
        let sizes = [(old_note, old.size), (note, cp.size)];
        let inconsistent = |why: String| {
            ForkProof {
            version: FORK_PROOF_VERSION,
            kind: ForkKind::Inconsistent,
            ours: old_note.format(),
            theirs: note.format(),
            keys: named_keys(charter, keyring, &sizes, &[]),
            entries: None,
            note: format!(
                "the server's checkpoint of {} entries does not extend the one of {} this mirror accepted, and {why}; nothing was appended",
                cp.size, old.size
            ),
        }
        };
        match self.divergence(src, old.size.min(cp.size)) {
            Ok(Some((seq, mine, theirs_entry))) => {
                let their_proof = src
                    .inclusion(seq, cp.size)
                    .map_err(MirrorError::Source)
                    .and_then(|j| b64_hashes(&j, "inclusion"));
                let their_proof = match their_proof {
                    Ok(p)
                        if merkle::verify_inclusion(
                            seq,
                            cp.size,
                            &theirs_entry.bytes,
                            &p,
                            &cp.root,
                        )
                        .is_ok() =>
                    {
                        p
                    }
                    _ => {
                        return inconsistent(format!(
                            "the server gave no inclusion proof of its entry {seq}"
                        ))
                    }
                };
                let my_proof = match self.ledger.inclusion_proof(seq, old.size) {
                    Ok(p) if merkle::verify_inclusion(seq, old.size, &mine.bytes, &p, &old.root).is_ok() => p,
                    _ => return inconsistent(format!("this replica's own inclusion proof of entry {seq} fails (run `accord doctor`)")),
                };
                let (a, b) = (&mine.entry.body, &theirs_entry.entry.body);
                let who = if a.author.party == b.author.party && a.author_seq == b.author_seq {
                    format!(
                        "; both versions claim author {} and author sequence number {}: an equivocation by {}",
                        a.author.party, a.author_seq, a.author.party
                    )
                } else {
                    String::new()
                };
                ForkProof {
                    version: FORK_PROOF_VERSION,
                    kind: ForkKind::Fork,
                    ours: old_note.format(),
                    theirs: note.format(),
                    keys: named_keys(charter, keyring, &sizes, &[&mine, &theirs_entry]),
                    entries: Some(EntryPair {
                        ours: ProvenEntry {
                            seq,
                            bytes: mine.bytes.clone(),
                            proof: my_proof,
                        },
                        theirs: ProvenEntry {
                            seq,
                            bytes: theirs_entry.bytes.clone(),
                            proof: their_proof,
                        },
                    }),
                    note: format!(
                        "fork: the server's checkpoint of {} entries holds another entry {seq} than the checkpoint of {} this mirror accepted{who}; nothing was appended",
                        cp.size, old.size
                    ),
                }
            }
            Ok(None) => inconsistent(format!(
                "its entries below {} are the replica's",
                old.size.min(cp.size)
            )),
            Err(e) => inconsistent(format!("its entries could not be compared ({e})")),
        }
    }

    /// The first seq below `limit` whose entry the server serves otherwise
    /// than the replica holds (binary search: the entries are hash-chained,
    /// so once they differ they differ on), with both versions.
    fn divergence(
        &self,
        src: &mut dyn Source,
        limit: u64,
    ) -> Result<Option<(u64, Sealed, Sealed)>, MirrorError> {
        let mut fetch = |seq: u64| -> Result<(Sealed, Sealed), MirrorError> {
            let theirs = decode(src.entry(seq).map_err(MirrorError::Source)?, seq)?;
            Ok((self.ledger.entry(seq)?, theirs))
        };
        if limit < 2 {
            return Ok(None);
        }
        let (mine, theirs) = fetch(limit - 1)?;
        if mine.hash == theirs.hash {
            return Ok(None);
        }
        // Entry 0 is the ledger id, the same on both sides.
        let (mut same, mut differs, mut found) = (0, limit - 1, (mine, theirs));
        while differs - same > 1 {
            let mid = same + (differs - same) / 2;
            let (mine, theirs) = fetch(mid)?;
            if mine.hash == theirs.hash {
                same = mid;
            } else {
                differs = mid;
                found = (mine, theirs);
            }
        }
        Ok(Some((differs, found.0, found.1)))
    }
}

/// Whether the tree `builder` holds is a prefix of the checkpoint's: the
/// server's consistency proof checked against it (or, at the checkpoint's
/// size, the roots compared).
fn extends_to(
    src: &mut dyn Source,
    builder: &RootBuilder,
    cp: &Checkpoint,
) -> Result<bool, MirrorError> {
    let size = builder.size();
    if size == cp.size {
        return Ok(builder.root() == cp.root);
    }
    let proof = b64_hashes(
        &src.consistency(size, cp.size)
            .map_err(MirrorError::Source)?,
        "consistency",
    )?;
    Ok(consistent((size, &builder.root()), (cp.size, &cp.root), &proof).is_ok())
}

/// The keys a proof relies on: each party's key at each checkpoint's size
/// that signed it, and each entry's author key.
fn named_keys(
    charter: &Charter,
    keyring: &Keyring,
    notes: &[(&Note, u64)],
    entries: &[&Sealed],
) -> Vec<NamedKey> {
    let mut out: Vec<NamedKey> = Vec::new();
    let mut add = |party: &PartyId, key| {
        if !out.iter().any(|k| k.party == *party && k.key == key) {
            out.push(NamedKey {
                party: party.clone(),
                key,
            });
        }
    };
    for (note, size) in notes {
        if let Ok(p) = policy::signer(note, *size, charter, keyring) {
            if let Some(key) = policy::key_at(keyring, &p, *size) {
                add(&p, key);
            }
        }
    }
    for e in entries {
        let a = &e.entry.body.author;
        if let Some(key) = keyring.at(&a.party, &a.key, e.seq()) {
            add(&a.party, *key);
        }
    }
    out
}
