//! Checkpoints of a ledger: making one (the whole ledger now, signed by a
//! party with its current key), and judging one against this ledger and a
//! witness policy (the root and key-history commitment at its size,
//! recomputed from the entries; the signer's key at that size; a quorum of
//! cosignatures by the policy's witnesses).
//!
//! Roots and key commitments are recomputed from the entries here, never
//! read from derived data. This module never reads a clock, never writes,
//! and never decides the policy: the caller passes it (the charter's
//! guarantors and ruling quorum by default, [`Policy::of_charter`]). The
//! signature and cosignature checks are [`accord_core::policy`]'s, shared
//! with the dispute bundle check; this module words their refusals.

use accord_core::checkpoint::{Checkpoint, CheckpointError as BodyError};
use accord_core::keyring::Keyring;
use accord_core::merkle::{self, Hash, RootBuilder};
use accord_core::note::{Note, NoteError};
use accord_core::policy::{self, SignatureError, WitnessKeys};
use accord_core::{crypto, keycommit, Charter, EntryHash, PartyId};
use accord_store::Store;
use ed25519_dalek::SigningKey;

use crate::{Ledger, LedgerError};

pub use accord_core::policy::Policy;

/// Why a checkpoint is refused (or could not be judged: `Ledger`).
#[derive(Debug, thiserror::Error)]
pub enum CheckpointError {
    /// Not a signed note.
    #[error("the checkpoint is not a signed note: {0}")]
    Note(#[from] NoteError),
    /// Not an accord checkpoint body.
    #[error("{0}")]
    Body(#[from] BodyError),
    /// A checkpoint of another ledger.
    #[error("the checkpoint is for ledger {theirs}, not this one ({ours})")]
    OtherLedger {
        /// The ledger id the checkpoint names.
        theirs: EntryHash,
        /// This ledger's id.
        ours: EntryHash,
    },
    /// A checkpoint of size 0.
    #[error("the checkpoint covers no entry")]
    Empty,
    /// This copy is shorter than the checkpoint.
    #[error("the checkpoint covers {size} entries but this copy has only {have}: this copy is behind it (fetch the missing entries) or it is from a fork")]
    Ahead {
        /// The checkpoint's tree size.
        size: u64,
        /// How many entries this copy holds.
        have: u64,
    },
    /// The root at that size differs.
    #[error("the checkpoint's root hash at size {size} is not this ledger's: the ledger was rewritten, or the checkpoint is from a fork")]
    Root {
        /// The checkpoint's tree size.
        size: u64,
    },
    /// The key-history commitment at that size differs.
    #[error("the checkpoint's key-history commitment at size {size} is not this ledger's: it was made from another key history (a fork)")]
    Keys {
        /// The checkpoint's tree size.
        size: u64,
    },
    /// No party signature verifies.
    #[error(
        "no party's signature on the checkpoint verifies with that party's key at size {size}"
    )]
    Unsigned {
        /// The checkpoint's tree size.
        size: u64,
    },
    /// A party signature that does not verify.
    #[error("the signature of {party} on the checkpoint does not verify: the checkpoint was altered or the signature forged")]
    BadSignature {
        /// The party.
        party: PartyId,
    },
    /// A cosignature that does not verify.
    #[error("the cosignature of {party} does not verify: the checkpoint was altered or the cosignature forged")]
    BadCosignature {
        /// The party.
        party: PartyId,
    },
    /// Fewer cosignatures from the policy's witnesses than its quorum.
    #[error("{have} cosignature(s) by witnesses ({verified}) where the policy needs {need} of {witnesses}{ignored}")]
    TooFew {
        /// How many verified.
        have: usize,
        /// How many the policy needs.
        need: usize,
        /// Who they are, comma-separated.
        verified: String,
        /// The policy's witnesses.
        witnesses: String,
        /// A note on cosignatures that did not count, if any.
        ignored: String,
    },
    /// A witness that is not a party.
    #[error("witness {0} is not a party of the charter")]
    UnknownWitness(PartyId),
    /// A quorum the witnesses cannot meet.
    #[error("a quorum of {quorum} cannot be met by {witnesses} witness(es)")]
    BadQuorum {
        /// The quorum asked for.
        quorum: usize,
        /// The policy's witnesses.
        witnesses: usize,
    },
    /// The signer has no current key.
    #[error("{party} has no current key: it cannot sign")]
    NoKey {
        /// The party.
        party: PartyId,
    },
    /// The key is no party's.
    #[error("the key is not any party's current key in this ledger")]
    NotAParty,
    /// The tree or key-event index kept in derived data disagrees with the
    /// entries: nothing is signed until `doctor` rebuilds it.
    #[error("the Merkle tree or key-event index kept beside the entries disagrees with the entries at size {size}: nothing was signed; run `accord doctor` to rebuild it, then sign again")]
    DerivedTree {
        /// The size the checkpoint would have had.
        size: u64,
    },
    /// The ledger could not be read or is damaged.
    #[error(transparent)]
    Ledger(#[from] LedgerError),
}

impl CheckpointError {
    /// Whether the ledger or checkpoint is bad, rather than that the check
    /// could not be done (reading the ledger failed, or this copy does not
    /// reach the checkpoint's size yet).
    pub fn is_verdict(&self) -> bool {
        match self {
            CheckpointError::Ledger(e) => matches!(e, LedgerError::Damaged { .. }),
            CheckpointError::Ahead { .. } => false,
            _ => true,
        }
    }
}

/// A checkpoint found to match this ledger and signed by a party.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Matched {
    /// The checkpoint's content.
    pub checkpoint: Checkpoint,
    /// The party whose note signature verified.
    pub signer: PartyId,
}

/// The root and key commitment of a ledger's first entries at some size.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TreeHead {
    /// The tree size (number of entries).
    pub size: u64,
    /// The RFC 9162 root hash.
    pub root: Hash,
    /// The key-history commitment ([`accord_core::keycommit::digest`]).
    pub keys: [u8; 32],
}

/// Checks the checkpoint's party signature: the first party of the charter
/// whose key at the checkpoint's size signed it.
pub fn signer(
    note: &Note,
    cp: &Checkpoint,
    charter: &Charter,
    keyring: &Keyring,
) -> Result<PartyId, CheckpointError> {
    policy::signer(note, cp.size, charter, keyring).map_err(|e| refused(e, cp.size))
}

/// The ledger's words for a refused signature.
fn refused(e: SignatureError, size: u64) -> CheckpointError {
    match e {
        SignatureError::Unsigned => CheckpointError::Unsigned { size },
        SignatureError::BadSignature(party) => CheckpointError::BadSignature { party },
        SignatureError::BadCosignature(party) => CheckpointError::BadCosignature { party },
    }
}

/// Checks the cosignatures against `policy`: every cosignature by a witness
/// must verify, and at least `policy.quorum` witnesses must have cosigned.
/// Returns each cosigning witness with its (earliest) timestamp.
///
/// A witness's cosignature counts if made with any key it held at the
/// checkpoint's size or later ([`WitnessKeys::FromSize`]): this ledger
/// shows its rotations after the checkpoint, which a bundle cannot.
pub fn cosigners(
    note: &Note,
    cp: &Checkpoint,
    charter: &Charter,
    keyring: &Keyring,
    policy: &Policy,
) -> Result<Vec<(PartyId, u64)>, CheckpointError> {
    for w in &policy.witnesses {
        if charter.party(w).is_none() {
            return Err(CheckpointError::UnknownWitness(w.clone()));
        }
    }
    if policy.quorum == 0 || policy.quorum > policy.witnesses.len() {
        return Err(CheckpointError::BadQuorum {
            quorum: policy.quorum,
            witnesses: policy.witnesses.len(),
        });
    }
    let found = policy::cosigners(
        note,
        cp.size,
        &policy.witnesses,
        keyring,
        WitnessKeys::FromSize,
    )
    .map_err(|e| refused(e, cp.size))?;
    if found.len() < policy.quorum {
        // Say which valid cosignatures did not count, so "ru cosigned" is
        // never mistaken for "ru is a witness".
        let others: Vec<&str> = charter
            .parties
            .iter()
            .filter(|p| !policy.witnesses.contains(&p.id))
            .filter(|p| {
                matches!(
                    policy::cosigned_by(note, cp.size, &p.id, keyring, WitnessKeys::FromSize),
                    Ok(Some(_))
                )
            })
            .map(|p| p.id.as_str())
            .collect();
        let names = |v: Vec<&str>| match v.is_empty() {
            true => "none".to_owned(),
            false => v.join(", "),
        };
        return Err(CheckpointError::TooFew {
            have: found.len(),
            need: policy.quorum,
            verified: names(found.iter().map(|(p, _)| p.as_str()).collect()),
            witnesses: policy
                .witnesses
                .iter()
                .map(PartyId::as_str)
                .collect::<Vec<_>>()
                .join(", "),
            ignored: match others.is_empty() {
                true => String::new(),
                false => format!(
                    "; the cosignature(s) of {} do not count: not witnesses under this policy",
                    others.join(", ")
                ),
            },
        });
    }
    Ok(found)
}

impl<S: Store> Ledger<S> {
    /// The roots and key commitments at each of `sizes` (each at least 1
    /// and at most the ledger's length), recomputed from the entries in
    /// one pass, in the order given.
    pub fn tree_heads(&self, sizes: &[u64]) -> Result<Vec<TreeHead>, LedgerError> {
        let Some(&max) = sizes.iter().max() else {
            return Ok(Vec::new());
        };
        let mut builder = RootBuilder::new();
        let mut key_events = Vec::new();
        let mut heads = Vec::new();
        if max > 0 {
            for entry in self.entries(0) {
                let entry = entry?;
                let seq = entry.entry.body.seq;
                builder.push(&entry.bytes);
                if keycommit::is_key_event(&entry.entry.body.event) {
                    key_events.push((seq, entry.hash));
                }
                let size = seq + 1;
                if sizes.contains(&size) {
                    heads.push(TreeHead {
                        size,
                        root: builder.root(),
                        keys: keycommit::digest(key_events.iter().map(|(s, h)| (*s, h))),
                    });
                }
                if size >= max {
                    break;
                }
            }
        }
        sizes
            .iter()
            .map(|s| {
                heads
                    .iter()
                    .find(|h| h.size == *s)
                    .copied()
                    .ok_or(LedgerError::NoEntry {
                        seq: s.saturating_sub(1),
                        last: builder.size().saturating_sub(1),
                    })
            })
            .collect()
    }

    /// This ledger's checkpoint now (every entry), signed by `key`, which
    /// must be a party's current key; the note signature's name is the
    /// party id. The root and key commitment are recomputed from the
    /// entries (one pass) and must equal the tree kept in derived data,
    /// which proofs are served from: a party never signs derived data.
    pub fn checkpoint(&mut self, key: &SigningKey) -> Result<(Note, PartyId), CheckpointError> {
        let last = self.last_seq()?;
        let state = self.open_state_at(last)?;
        let public = crypto::public_key(key);
        let party = state
            .keyring()
            .holder(&public)
            .cloned()
            .ok_or(CheckpointError::NotAParty)?;
        let size = last + 1;
        let [head] = self.tree_heads(&[size])?[..] else {
            return Err(CheckpointError::Empty);
        };
        if self.tree_root(size)? != head.root || self.key_commitment(size)? != head.keys {
            return Err(CheckpointError::DerivedTree { size });
        }
        let cp = Checkpoint {
            ledger: state.ledger_id(),
            size,
            root: head.root,
            keys: head.keys,
        };
        let mut note = Note::new(cp.body())?;
        note.sign(party.as_str(), key)?;
        Ok((note, party))
    }

    /// Checks that `note` is a checkpoint of this ledger (same ledger id,
    /// size within it, root and key commitment recomputed at that size)
    /// signed by a party with its key at that size. `keyring` is this
    /// ledger's (from a verified replay: the caller verifies first).
    pub fn match_checkpoint(
        &self,
        note: &Note,
        charter: &Charter,
        keyring: &Keyring,
    ) -> Result<Matched, CheckpointError> {
        let cp = Checkpoint::parse_body(note.text())?;
        let ours = self.entry(0)?.hash;
        if cp.ledger != ours {
            return Err(CheckpointError::OtherLedger {
                theirs: cp.ledger,
                ours,
            });
        }
        if cp.size == 0 {
            return Err(CheckpointError::Empty);
        }
        let have = self.last_seq()? + 1;
        if cp.size > have {
            // Only a checkpoint a party signed may say "you are behind":
            // anyone can write a larger size on a copy of a note.
            signer(note, &cp, charter, keyring)?;
            return Err(CheckpointError::Ahead {
                size: cp.size,
                have,
            });
        }
        let [head] = self.tree_heads(&[cp.size])?[..] else {
            return Err(CheckpointError::Empty);
        };
        if head.root != cp.root {
            return Err(CheckpointError::Root { size: cp.size });
        }
        if head.keys != cp.keys {
            return Err(CheckpointError::Keys { size: cp.size });
        }
        let signer = signer(note, &cp, charter, keyring)?;
        Ok(Matched {
            checkpoint: cp,
            signer,
        })
    }
}

/// Checks a consistency proof between two tree heads (through the proof
/// verifier of [`merkle`]).
pub fn consistent(
    old: (u64, &Hash),
    new: (u64, &Hash),
    proof: &[Hash],
) -> Result<(), merkle::ProofError> {
    merkle::verify_consistency(old.0, new.0, old.1, new.1, proof)
}
