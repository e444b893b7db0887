//! A generic C2SP tlog-witness (c2sp.org/tlog-witness): the decision behind
//! `add-checkpoint`, for any log it is configured with (an origin and the
//! log's note verifier keys), accord's or not.
//!
//! For each log it remembers the latest checkpoint it cosigned (origin,
//! size, root) in one file per (witness key, origin) in a state directory;
//! for an accord ledger's origin witnessed under a party's id, in the very
//! file (and under the lock) `witness cosign` keeps for that party and
//! ledger, so one key keeps one memory per ledger whichever way it
//! witnesses, and cannot cosign one side of a fork each way.
//! From reading that state to writing the new one, it holds an exclusive
//! lock on the log's lock file, so two requests (or two processes sharing
//! the directory) cannot both cosign from the same old state and roll the
//! log back; the new state is on disk (temporary file, sync, rename,
//! directory sync) before the cosignature is returned. A state file that
//! cannot be read is an error, never "nothing cosigned yet".
//!
//! This module never touches the network (the HTTP route is a thin adapter
//! in accord-server), never reads a clock (the time is an argument), and
//! never cosigns a checkpoint whose log signature, size or consistency
//! proof it has not checked.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use accord_core::checkpoint::Checkpoint;
use accord_core::crypto;
use accord_core::merkle::{self, Hash, ProofError};
use accord_core::note::{check_name, Note, NoteError, NoteKey, SigType};
use accord_core::tlog_witness::{AddCheckpoint, RequestError, TreeHead};
use accord_core::{LedgerId, PartyId};
use base64::engine::general_purpose::STANDARD as B64;
use base64::Engine as _;
use ed25519_dalek::SigningKey;

use crate::witness::{lock_file, read_state, replace_durably};

/// Longest origin a witness may be configured with, in bytes.
pub const MAX_ORIGIN_BYTES: usize = 1024;
/// Largest state file read back (an origin, a size and a root).
const MAX_STATE_BYTES: u64 = MAX_ORIGIN_BYTES as u64 + 128;

/// The ledger an `accord/<id hex>` origin names, if it is one.
fn accord_ledger_of(origin: &str) -> Option<LedgerId> {
    origin
        .strip_prefix(accord_core::checkpoint::ORIGIN_PREFIX)?
        .parse()
        .ok()
}

/// Why a witness could not be set up.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    /// An origin that cannot be a checkpoint's first line.
    #[error("log origin {0:?} is not an origin line (non-empty, at most 1024 bytes, no control characters)")]
    BadOrigin(String),
    /// The witness's name is not a note key name.
    #[error("witness name: {0}")]
    Name(NoteError),
    /// The state directory could not be made.
    #[error("witness state directory {path}: {source}")]
    Io {
        /// The directory.
        path: PathBuf,
        /// The I/O error.
        source: std::io::Error,
    },
}

/// Why an `add-checkpoint` was not cosigned; [`AddError::status`] is the
/// HTTP status tlog-witness assigns to each.
#[derive(Debug, thiserror::Error)]
pub enum AddError {
    /// The body is not an add-checkpoint request.
    #[error("{0}")]
    Malformed(#[from] RequestError),
    /// `old` is larger than the checkpoint's size.
    #[error("the old size {old} is larger than the checkpoint's size {size}")]
    OldAhead {
        /// The old size sent.
        old: u64,
        /// The checkpoint's size.
        size: u64,
    },
    /// A log this witness is not configured for.
    #[error("unknown log {0:?}: this witness does not witness it")]
    UnknownLog(String),
    /// No signature by one of the log's keys verifies.
    #[error("no signature on the checkpoint verifies with a key of log {0:?}")]
    Unsigned(String),
    /// `old` is not the size this witness last cosigned.
    #[error("the old size {old} is not the size of the latest checkpoint this witness cosigned for this log ({latest})")]
    Conflict {
        /// The old size sent.
        old: u64,
        /// The size of the latest checkpoint cosigned (0 if none).
        latest: u64,
    },
    /// Same size as the latest cosigned, another root: a fork.
    #[error("the checkpoint has the size of the latest one this witness cosigned ({size}) but another root hash: the log forked")]
    Fork {
        /// The size of both.
        size: u64,
    },
    /// The consistency proof does not join the old checkpoint to this one.
    #[error("the consistency proof from size {old} to {size} does not verify: {why}")]
    BadProof {
        /// The old size.
        old: u64,
        /// The checkpoint's size.
        size: u64,
        /// Why.
        why: ProofError,
    },
    /// The state file is damaged.
    #[error("witness state {path}: {reason}; nothing was cosigned: restore the file from a backup (never delete it: it is what stops this witness from cosigning a rollback or a fork)")]
    State {
        /// The file.
        path: PathBuf,
        /// What is wrong with it.
        reason: String,
    },
    /// The state could not be read, locked or written.
    #[error("witness state {path}: {source}; nothing was cosigned")]
    Io {
        /// The file or directory.
        path: PathBuf,
        /// The I/O error.
        source: std::io::Error,
    },
    /// The cosignature could not be made.
    #[error("cannot cosign: {0}")]
    Cosign(NoteError),
}

impl AddError {
    /// The HTTP status c2sp.org/tlog-witness gives this refusal.
    pub fn status(&self) -> u16 {
        match self {
            AddError::Malformed(_) | AddError::OldAhead { .. } => 400,
            AddError::UnknownLog(_) => 404,
            AddError::Unsigned(_) => 403,
            AddError::Conflict { .. } | AddError::Fork { .. } => 409,
            AddError::BadProof { .. } => 422,
            AddError::State { .. } | AddError::Io { .. } | AddError::Cosign(_) => 500,
        }
    }

    /// For a 409: the size of the latest checkpoint cosigned.
    pub fn latest_size(&self) -> Option<u64> {
        match self {
            AddError::Conflict { latest, .. } => Some(*latest),
            AddError::Fork { size } => Some(*size),
            _ => None,
        }
    }
}

/// A checkpoint cosigned.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Cosigned {
    /// The answer's body: the cosignature line(s), each ending in a newline.
    pub lines: String,
    /// The checkpoint cosigned.
    pub head: TreeHead,
    /// The size of the checkpoint cosigned before it (0 if none).
    pub previous: u64,
}

/// A witness: its name and key, the logs it witnesses, its state.
#[derive(Debug)]
pub struct TlogWitness {
    name: String,
    key: SigningKey,
    logs: BTreeMap<String, Vec<NoteKey>>,
    dir: PathBuf,
}

impl TlogWitness {
    /// A witness named `name` (its cosignatures' key name) signing with
    /// `key`, for the logs in `logs` (an origin and one of its verifier
    /// keys each; an origin may come more than once, with several keys),
    /// remembering what it cosigned in `dir` (created if missing).
    pub fn new(
        name: &str,
        key: SigningKey,
        logs: impl IntoIterator<Item = (String, NoteKey)>,
        dir: &Path,
    ) -> Result<TlogWitness, ConfigError> {
        check_name(name).map_err(ConfigError::Name)?;
        let mut map: BTreeMap<String, Vec<NoteKey>> = BTreeMap::new();
        for (origin, vkey) in logs {
            if origin.is_empty()
                || origin.len() > MAX_ORIGIN_BYTES
                || origin.chars().any(char::is_control)
            {
                return Err(ConfigError::BadOrigin(origin));
            }
            map.entry(origin).or_default().push(vkey);
        }
        std::fs::create_dir_all(dir).map_err(|source| ConfigError::Io {
            path: dir.to_owned(),
            source,
        })?;
        Ok(TlogWitness {
            name: name.to_owned(),
            key,
            logs: map,
            dir: dir.to_owned(),
        })
    }

    /// The witness's cosigning key, as the verifier key logs configure.
    pub fn vkey(&self) -> NoteKey {
        NoteKey {
            name: self.name.clone(),
            sig_type: SigType::CosignatureV1,
            key: crypto::public_key(&self.key),
        }
    }

    /// The file holding the latest checkpoint cosigned for `origin`: for
    /// an accord ledger witnessed under a party's id, the party-witness
    /// state file of that ledger (its whole checkpoint body); otherwise a
    /// file named by a hash of this witness's key and the origin (an origin
    /// may hold any character), holding origin, size and root.
    fn path(&self, origin: &str) -> (PathBuf, bool) {
        if let Some(ledger) = accord_ledger_of(origin) {
            if let Ok(party) = PartyId::new(self.name.clone()) {
                return (crate::witness::state_file(&self.dir, &party, &ledger), true);
            }
        }
        let h = merkle::leaf_hash(format!("{}\n{origin}", self.vkey().vkey()).as_bytes());
        let mut name = String::from("tlog-");
        for b in &h[..16] {
            let _ = write!(name, "{b:02x}");
        }
        (self.dir.join(name + ".state"), false)
    }

    /// The latest checkpoint cosigned for `origin` (size and root), if any.
    pub fn latest(&self, origin: &str) -> Result<Option<(u64, Hash)>, AddError> {
        let (path, accord) = self.path(origin);
        let bad = |reason: String| AddError::State {
            path: path.clone(),
            reason,
        };
        let Some(text) = read_state(&path, MAX_STATE_BYTES).map_err(bad)? else {
            return Ok(None);
        };
        if accord {
            let cp = Checkpoint::parse_body(&text).map_err(|e| bad(e.to_string()))?;
            if cp.origin() != origin {
                return Err(bad("it is not this log's state".into()));
            }
            return Ok(Some((cp.size, cp.root)));
        }
        let head = TreeHead::parse(&text).map_err(|e| bad(e.to_string()))?;
        if head.origin != origin || text.lines().count() != 3 {
            return Err(bad("it is not this log's state".into()));
        }
        Ok(Some((head.size, head.root)))
    }

    /// Answers one `add-checkpoint` request `body` at time `now` (POSIX
    /// seconds): checks it as c2sp.org/tlog-witness says, makes the new
    /// state durable, runs `persisted` (a hook for crash tests), and
    /// returns the cosignature.
    pub fn add_checkpoint(
        &self,
        body: &[u8],
        now: i64,
        persisted: impl FnOnce(),
    ) -> Result<Cosigned, AddError> {
        let req = AddCheckpoint::parse(body)?;
        let (old, head) = (req.old, &req.head);
        let keys = self
            .logs
            .get(&head.origin)
            .ok_or_else(|| AddError::UnknownLog(head.origin.clone()))?;
        // A line by a trusted key that fails, or none at all: not signed.
        if !keys
            .iter()
            .any(|k| matches!(req.note.verify(k), Ok(Some(_))))
        {
            return Err(AddError::Unsigned(head.origin.clone()));
        }
        if old > head.size {
            return Err(AddError::OldAhead {
                old,
                size: head.size,
            });
        }

        let (path, accord) = self.path(&head.origin);
        // An accord checkpoint is remembered whole, as `witness cosign`
        // remembers it: refused if its body is not one.
        if accord {
            Checkpoint::parse_body(req.note.text()).map_err(|e| AddError::State {
                path: path.clone(),
                reason: format!("not an accord checkpoint body ({e}): nothing cosigned"),
            })?;
        }
        let lock_path = path.with_extension("lock");
        let _lock = lock_file(&lock_path).map_err(|source| AddError::Io {
            path: lock_path,
            source,
        })?;
        let latest = self.latest(&head.origin)?;
        let latest_size = latest.map_or(0, |(size, _)| size);
        if old != latest_size {
            return Err(AddError::Conflict {
                old,
                latest: latest_size,
            });
        }
        let bad_proof = |why| AddError::BadProof {
            old,
            size: head.size,
            why,
        };
        match latest {
            None | Some((0, _)) => {
                if !req.proof.is_empty() {
                    return Err(bad_proof(ProofError::Malformed));
                }
            }
            Some((size, root)) if size == head.size => {
                if !req.proof.is_empty() {
                    return Err(bad_proof(ProofError::Malformed));
                }
                if root != head.root {
                    return Err(AddError::Fork { size });
                }
            }
            Some((size, root)) => {
                merkle::verify_consistency(size, head.size, &root, &head.root, &req.proof)
                    .map_err(bad_proof)?;
            }
        }

        let mut note = Note::new(req.note.text()).map_err(AddError::Cosign)?;
        note.cosign(&self.name, &self.key, now)
            .map_err(AddError::Cosign)?;
        let lines: String = note.signatures().iter().map(|l| l.format()).collect();
        let state = match accord {
            true => req.note.text().to_owned(),
            false => format!(
                "{}\n{}\n{}\n",
                head.origin,
                head.size,
                B64.encode(head.root)
            ),
        };
        replace_durably(&self.dir, &path, state.as_bytes())
            .map_err(|(path, source)| AddError::Io { path, source })?;
        persisted();
        Ok(Cosigned {
            lines,
            head: req.head,
            previous: latest_size,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use accord_core::note::Verified;

    const ORIGIN: &str = "example.com/log";

    fn log_key() -> SigningKey {
        SigningKey::from_bytes(&[5; 32])
    }

    fn log_vkey() -> NoteKey {
        NoteKey {
            name: ORIGIN.into(),
            sig_type: SigType::Ed25519,
            key: crypto::public_key(&log_key()),
        }
    }

    /// A tree of `n` leaves `[i]`; the root of its first `size`.
    fn root(size: u64) -> Hash {
        let mut b = merkle::RootBuilder::new();
        for i in 0..size {
            b.push(&[i as u8]);
        }
        b.root()
    }

    fn checkpoint(size: u64, root: Hash, key: &SigningKey) -> Note {
        use base64::Engine;
        let text = format!(
            "{ORIGIN}\n{size}\n{}\n",
            base64::engine::general_purpose::STANDARD.encode(root)
        );
        let mut n = Note::new(text).unwrap();
        n.sign(ORIGIN, key).unwrap();
        n
    }

    /// The consistency proof from `old` to `new` in the tree of `root`.
    fn proof(old: u64, new: u64) -> Vec<Hash> {
        struct Leaves(Vec<Hash>);
        impl merkle::HashReader for Leaves {
            type Error = std::convert::Infallible;
            fn read_hashes(&self, idx: &[u64]) -> Result<Vec<Hash>, Self::Error> {
                Ok(idx.iter().map(|&i| self.0[i as usize]).collect())
            }
        }
        let mut b = merkle::RootBuilder::new();
        let mut stored = Vec::new();
        for i in 0..new {
            stored.extend(b.push(&[i as u8]));
        }
        merkle::consistency_proof(old, new, &Leaves(stored)).unwrap()
    }

    fn witness(dir: &Path) -> TlogWitness {
        TlogWitness::new(
            "witness.example/w",
            SigningKey::from_bytes(&[9; 32]),
            [(ORIGIN.to_owned(), log_vkey())],
            dir,
        )
        .unwrap()
    }

    fn add(w: &TlogWitness, old: u64, proof: &[Hash], note: &Note) -> Result<Cosigned, AddError> {
        w.add_checkpoint(
            AddCheckpoint::format(old, proof, note).as_bytes(),
            1_700_000_000,
            || (),
        )
    }

    #[test]
    fn it_cosigns_extensions_and_refuses_rollbacks_and_forks() {
        let dir = tempfile::tempdir().unwrap();
        let w = witness(dir.path());
        let cp5 = checkpoint(5, root(5), &log_key());
        let got = add(&w, 0, &[], &cp5).unwrap();
        let mut back = Note::parse(format!("{}\n{}", cp5.text(), got.lines).as_bytes()).unwrap();
        assert_eq!(
            back.verify(&w.vkey()),
            Ok(Some(Verified::Cosigned {
                timestamp: 1_700_000_000
            }))
        );
        back = cp5.clone();
        assert_eq!(back.verify(&w.vkey()), Ok(None));
        assert_eq!(w.latest(ORIGIN).unwrap(), Some((5, root(5))));

        // Wrong old sizes: 409 with the latest size.
        let cp9 = checkpoint(9, root(9), &log_key());
        for old in [0, 4, 6] {
            let e = add(&w, old, &proof(5.max(old), 9), &cp9).unwrap_err();
            assert_eq!((e.status(), e.latest_size()), (409, Some(5)), "{e}");
        }
        // A proof that does not join: 422; nothing changes.
        let mut bad = proof(5, 9);
        bad[0][0] ^= 1;
        assert_eq!(add(&w, 5, &bad, &cp9).unwrap_err().status(), 422);
        let forked = checkpoint(9, root(8), &log_key());
        assert_eq!(add(&w, 5, &proof(5, 9), &forked).unwrap_err().status(), 422);
        assert_eq!(w.latest(ORIGIN).unwrap(), Some((5, root(5))));
        add(&w, 5, &proof(5, 9), &cp9).unwrap();

        // After a restart: a rollback and a same-size fork are refused.
        let w = witness(dir.path());
        assert_eq!(w.latest(ORIGIN).unwrap(), Some((9, root(9))));
        let e = add(&w, 5, &[], &cp5).unwrap_err();
        assert_eq!((e.status(), e.latest_size()), (409, Some(9)), "{e}");
        let e = add(&w, 9, &[], &checkpoint(5, root(5), &log_key())).unwrap_err();
        assert_eq!(e.status(), 400, "{e}");
        let e = add(&w, 9, &[], &checkpoint(9, root(7), &log_key())).unwrap_err();
        assert_eq!((e.status(), e.latest_size()), (409, Some(9)), "{e}");
        // The same checkpoint again is cosigned again.
        add(&w, 9, &[], &cp9).unwrap();
    }

    #[test]
    fn unknown_logs_bad_signatures_and_damaged_state_are_refused() {
        let dir = tempfile::tempdir().unwrap();
        let w = witness(dir.path());
        let stranger = SigningKey::from_bytes(&[6; 32]);
        let e = add(&w, 0, &[], &checkpoint(1, root(1), &stranger)).unwrap_err();
        assert_eq!(e.status(), 403, "{e}");
        let mut other =
            Note::new("other.example/log\n1\nAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=\n")
                .unwrap();
        other.sign("other.example/log", &log_key()).unwrap();
        assert_eq!(add(&w, 0, &[], &other).unwrap_err().status(), 404);
        assert_eq!(
            w.add_checkpoint(b"old 0\n", 0, || ()).unwrap_err().status(),
            400
        );
        // A non-empty proof from size 0 proves nothing.
        let e = add(&w, 0, &[[0; 32]], &checkpoint(1, root(1), &log_key())).unwrap_err();
        assert_eq!(e.status(), 422);
        assert_eq!(w.latest(ORIGIN).unwrap(), None);

        add(&w, 0, &[], &checkpoint(1, root(1), &log_key())).unwrap();
        std::fs::write(w.path(ORIGIN).0, "garbage").unwrap();
        let e = add(&w, 1, &[], &checkpoint(1, root(1), &log_key())).unwrap_err();
        assert!(matches!(e, AddError::State { .. }), "{e}");
        assert_eq!(e.status(), 500);
        let e = add(&w, 0, &[], &checkpoint(1, root(1), &log_key())).unwrap_err();
        assert!(matches!(e, AddError::State { .. }), "{e}");
    }

    #[test]
    fn concurrent_requests_from_one_state_cosign_once() {
        let dir = tempfile::tempdir().unwrap();
        let w = witness(dir.path());
        add(&w, 0, &[], &checkpoint(5, root(5), &log_key())).unwrap();
        // Eight requests from size 5 at once, each to another size: with
        // the state checked and written under one lock, exactly one wins;
        // the others see its size (409), so none rolls it back.
        let results: Vec<Result<Cosigned, AddError>> = std::thread::scope(|s| {
            let handles: Vec<_> = (6..14u64)
                .map(|n| {
                    let w = &w;
                    s.spawn(move || add(w, 5, &proof(5, n), &checkpoint(n, root(n), &log_key())))
                })
                .collect();
            handles.into_iter().map(|h| h.join().unwrap()).collect()
        });
        let won: Vec<u64> = results
            .iter()
            .filter_map(|r| r.as_ref().ok().map(|c| c.head.size))
            .collect();
        assert_eq!(won.len(), 1, "{results:?}");
        for r in &results {
            if let Err(e) = r {
                assert_eq!((e.status(), e.latest_size()), (409, Some(won[0])), "{e}");
            }
        }
        assert_eq!(w.latest(ORIGIN).unwrap(), Some((won[0], root(won[0]))));
    }

    #[test]
    fn bad_configurations_are_refused() {
        let dir = tempfile::tempdir().unwrap();
        let key = SigningKey::from_bytes(&[9; 32]);
        for origin in ["", "a\nb", &"x".repeat(MAX_ORIGIN_BYTES + 1)] {
            assert!(TlogWitness::new(
                "w",
                key.clone(),
                [(origin.to_owned(), log_vkey())],
                dir.path()
            )
            .is_err());
        }
        assert!(TlogWitness::new("bad name", key, [], dir.path()).is_err());
    }
}
