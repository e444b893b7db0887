//! Checkpoints of a ledger: making one (the whole ledger now, signed by a
//! party with its current key), and judging one against this ledger and a
//! witness policy (the root and key-history commitment at its size,
//! recomputed from the entries; the signer's key at that size; a quorum of
//! cosignatures by the policy's witnesses).
//!
//! Roots and key commitments are recomputed from the entries here, never
//! read from derived data. This module never reads a clock, never writes,
//! and never decides the policy: the caller passes it (the charter's
//! guarantors and ruling quorum by default, [`Policy::of_charter`]).

use accord_core::checkpoint::{Checkpoint, CheckpointError as BodyError};
use accord_core::keyring::Keyring;
use accord_core::merkle::{self, Hash, RootBuilder};
use accord_core::note::{Note, NoteError, NoteKey, SigType, Verified};
use accord_core::{crypto, keycommit, Charter, EntryHash, PartyId, PublicKey};
use accord_store::Store;
use ed25519_dalek::SigningKey;

use crate::{Ledger, LedgerError};

/// Whose cosignatures make a checkpoint trusted, and how many.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Policy {
    pub witnesses: Vec<PartyId>,
    pub quorum: usize,
}

impl Policy {
    /// The default: the charter's guarantors, with its ruling quorum.
    pub fn of_charter(charter: &Charter) -> Policy {
        Policy {
            witnesses: charter.guarantors().map(|p| p.id.clone()).collect(),
            quorum: charter.rules.ruling_quorum as usize,
        }
    }
}

/// Why a checkpoint is refused (or could not be judged: `Ledger`).
#[derive(Debug, thiserror::Error)]
pub enum CheckpointError {
    #[error("the checkpoint is not a signed note: {0}")]
    Note(#[from] NoteError),
    #[error("{0}")]
    Body(#[from] BodyError),
    #[error("the checkpoint is for ledger {theirs}, not this one ({ours})")]
    OtherLedger { theirs: EntryHash, ours: EntryHash },
    #[error("the checkpoint covers no entry")]
    Empty,
    #[error("the checkpoint covers {size} entries but this copy has only {have}: this copy is behind it (fetch the missing entries) or it is from a fork")]
    Ahead { size: u64, have: u64 },
    #[error("the checkpoint's root hash at size {size} is not this ledger's: the ledger was rewritten, or the checkpoint is from a fork")]
    Root { size: u64 },
    #[error("the checkpoint's key-history commitment at size {size} is not this ledger's: it was made from another key history (a fork)")]
    Keys { size: u64 },
    #[error(
        "no party's signature on the checkpoint verifies with that party's key at size {size}"
    )]
    Unsigned { size: u64 },
    #[error("the signature of {party} on the checkpoint does not verify: the checkpoint was altered or the signature forged")]
    BadSignature { party: PartyId },
    #[error("the cosignature of {party} does not verify: the checkpoint was altered or the cosignature forged")]
    BadCosignature { party: PartyId },
    #[error("{have} cosignature(s) by witnesses ({verified}) where the policy needs {need} of {witnesses}{ignored}")]
    TooFew {
        have: usize,
        need: usize,
        verified: String,
        witnesses: String,
        ignored: String,
    },
    #[error("witness {0} is not a party of the charter")]
    UnknownWitness(PartyId),
    #[error("a quorum of {quorum} cannot be met by {witnesses} witness(es)")]
    BadQuorum { quorum: usize, witnesses: usize },
    #[error("{party} has no current key: it cannot sign")]
    NoKey { party: PartyId },
    #[error("the key is not any party's current key in this ledger")]
    NotAParty,
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
    pub checkpoint: Checkpoint,
    /// The party whose note signature verified.
    pub signer: PartyId,
}

/// The root and key commitment of a ledger's first entries at some size.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TreeHead {
    pub size: u64,
    pub root: Hash,
    pub keys: [u8; 32],
}

/// The key `party` signed with after entry `size - 1` (from `size` on), if
/// it had one.
pub fn key_at(keyring: &Keyring, party: &PartyId, size: u64) -> Option<PublicKey> {
    keyring
        .history(party)
        .iter()
        .find(|s| s.from <= size && s.until.is_none_or(|u| size < u))
        .map(|s| s.key)
}

/// Every key `party` held at position `size` or later: a witness may have
/// rotated between the checkpoint and its cosignature.
pub fn keys_from(keyring: &Keyring, party: &PartyId, size: u64) -> Vec<PublicKey> {
    keyring
        .history(party)
        .iter()
        .filter(|s| s.until.is_none_or(|u| size < u))
        .map(|s| s.key)
        .collect()
}

/// Checks the checkpoint's party signature: the first party of the charter
/// whose key at the checkpoint's size signed it.
pub fn signer(
    note: &Note,
    cp: &Checkpoint,
    charter: &Charter,
    keyring: &Keyring,
) -> Result<PartyId, CheckpointError> {
    let mut signer = None;
    for party in &charter.parties {
        let Some(key) = key_at(keyring, &party.id, cp.size) else {
            continue;
        };
        let nk = NoteKey {
            name: party.id.as_str().to_owned(),
            sig_type: SigType::Ed25519,
            key,
        };
        match note.verify(&nk) {
            Ok(Some(_)) => signer = signer.or(Some(party.id.clone())),
            Ok(None) => {}
            Err(_) => {
                return Err(CheckpointError::BadSignature {
                    party: party.id.clone(),
                })
            }
        }
    }
    signer.ok_or(CheckpointError::Unsigned { size: cp.size })
}

fn cosigned_by(
    note: &Note,
    cp: &Checkpoint,
    party: &PartyId,
    keyring: &Keyring,
) -> Result<Option<u64>, CheckpointError> {
    let mut earliest: Option<u64> = None;
    for key in keys_from(keyring, party, cp.size) {
        let nk = NoteKey {
            name: party.as_str().to_owned(),
            sig_type: SigType::CosignatureV1,
            key,
        };
        match note.verify(&nk) {
            Ok(Some(Verified::Cosigned { timestamp })) => {
                earliest = Some(earliest.map_or(timestamp, |e| e.min(timestamp)));
            }
            Ok(_) => {}
            Err(_) => {
                return Err(CheckpointError::BadCosignature {
                    party: party.clone(),
                })
            }
        }
    }
    Ok(earliest)
}

/// Checks the cosignatures against `policy`: every cosignature by a witness
/// must verify, and at least `policy.quorum` witnesses must have cosigned.
/// Returns each cosigning witness with its (earliest) timestamp.
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
    let mut found = Vec::new();
    for w in &policy.witnesses {
        if found.iter().any(|(p, _)| p == w) {
            continue;
        }
        if let Some(t) = cosigned_by(note, cp, w, keyring)? {
            found.push((w.clone(), t));
        }
    }
    if found.len() < policy.quorum {
        // Say which valid cosignatures did not count, so "ru cosigned" is
        // never mistaken for "ru is a witness".
        let others: Vec<&str> = charter
            .parties
            .iter()
            .filter(|p| !policy.witnesses.contains(&p.id))
            .filter(|p| matches!(cosigned_by(note, cp, &p.id, keyring), Ok(Some(_))))
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
    /// party id. The root and key commitment come from the tree kept in
    /// derived data (no scan of the entries): witnesses recompute both.
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
        let cp = Checkpoint {
            ledger: state.ledger_id(),
            size,
            root: self.tree_root(size)?,
            keys: self.key_commitment(size)?,
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

#[cfg(test)]
mod tests {
    use super::*;
    use accord_core::keyring::Keyring;

    fn pid(s: &str) -> PartyId {
        PartyId::new(s).unwrap()
    }

    #[test]
    fn the_key_at_a_size_follows_rotations_and_revocations() {
        let tr = pid("tr");
        let first = PublicKey([8; 32]);
        let charter = Charter {
            title: "t".into(),
            parties: vec![accord_core::Party {
                id: tr.clone(),
                name: "Turkey".into(),
                role: accord_core::Role::Guarantor,
                key: first,
            }],
            rules: accord_core::Rules {
                clause_adoption: accord_core::Adoption::AllGuarantors,
                ruling_quorum: 1,
            },
        };
        let mut ring = Keyring::from_charter(&charter);
        let second = PublicKey([9; 32]);
        // Rotated by entry 4: the new key signs from entry 5 on.
        ring.replace(&tr, 4, Some(second));
        assert_eq!(key_at(&ring, &tr, 1), Some(first));
        assert_eq!(key_at(&ring, &tr, 4), Some(first));
        assert_eq!(key_at(&ring, &tr, 5), Some(second));
        assert_eq!(keys_from(&ring, &tr, 3), vec![first, second]);
        assert_eq!(keys_from(&ring, &tr, 5), vec![second]);
        // Revoked without replacement by entry 8.
        ring.replace(&tr, 8, None);
        assert_eq!(key_at(&ring, &tr, 9), None);
        assert_eq!(key_at(&ring, &tr, 8), Some(second));
        assert_eq!(key_at(&ring, &pid("nobody"), 1), None);
    }
}
