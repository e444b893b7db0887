//! Fork proofs: what a mirror writes when a server shows it a history that
//! does not extend the one it already accepted (docs/FORMAT.md, "Fork
//! proofs"), and the check an outsider runs on one with nothing else.
//!
//! A proof holds the two signed checkpoints (the one the mirror accepted,
//! the server's new one), the public keys it relies on (each named by its
//! party), and for a rewritten entry both versions of the entry at one seq,
//! each with its RFC 9162 inclusion proof in its own checkpoint's tree. Two
//! checkpoints signed by parties that commit to different entries at one
//! seq cannot both be honest: that is the proof. When the two entries share
//! an author and author sequence number, the author itself equivocated.
//!
//! The keys are part of the claim: the check proves "these keys signed
//! conflicting checkpoints", and the reader confirms that each key is the
//! named party's (from its own copy or the charter). Like all of
//! accord-core this is pure: no clock, file or ledger.

use serde::{Deserialize, Serialize};

use crate::bundle::ProvenEntry;
use crate::checkpoint::Checkpoint;
use crate::crypto::PublicKey;
use crate::entry::Sealed;
use crate::ids::{LedgerId, PartyId};
use crate::merkle;
use crate::note::{Note, NoteKey, SigType, Verified};

/// The fork proof format version this build writes and reads.
pub const FORK_PROOF_VERSION: u64 = 1;

/// The largest fork proof file a reader need accept, in bytes (two
/// entries, two notes, a few keys).
pub const MAX_FORK_PROOF_BYTES: usize = 4 << 20;

/// What the proof shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum ForkKind {
    /// Two checkpoints whose trees hold different entries at one seq.
    Fork,
    /// The server's checkpoint is smaller than one the mirror accepted
    /// earlier (consistent with it, but older: a rollback).
    Rollback,
    /// The server's checkpoint does not extend the accepted one, but the
    /// server did not show a verifiable entry that differs: the two
    /// checkpoints are kept, and this file alone proves nothing.
    Inconsistent,
}

/// A public key the proof relies on, with the party it is claimed to be.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NamedKey {
    /// The party.
    pub party: PartyId,
    /// Its key (64 hex digits).
    pub key: PublicKey,
}

/// The two versions of one entry.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EntryPair {
    /// The version in the accepted checkpoint's tree.
    pub ours: ProvenEntry,
    /// The version in the server's checkpoint's tree.
    pub theirs: ProvenEntry,
}

/// A fork proof as stored (JSON).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ForkProof {
    /// [`FORK_PROOF_VERSION`].
    pub version: u64,
    /// What it shows.
    pub kind: ForkKind,
    /// The checkpoint the mirror had accepted (signed note).
    pub ours: String,
    /// The server's new checkpoint (signed note).
    pub theirs: String,
    /// The keys the signatures are checked with.
    pub keys: Vec<NamedKey>,
    /// For a fork: the entry at one seq in each tree.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub entries: Option<EntryPair>,
    /// A line for people: what the mirror saw.
    pub note: String,
}

/// Why a fork proof does not hold.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ForkError {
    /// Not fork proof JSON.
    #[error("not a fork proof: {0}")]
    Json(String),
    /// Another format version.
    #[error("fork proof format version {0} is not supported (this build reads version {FORK_PROOF_VERSION})")]
    Version(u64),
    /// A checkpoint is unreadable.
    #[error("the {which} checkpoint is unreadable: {why}")]
    Checkpoint {
        /// `ours` or `theirs`.
        which: &'static str,
        /// Why.
        why: String,
    },
    /// The two checkpoints are of different ledgers.
    #[error("the two checkpoints are of different ledgers: that is no fork")]
    OtherLedgers,
    /// No listed key signed a checkpoint.
    #[error("no listed key's signature on the {0} checkpoint verifies")]
    Unsigned(&'static str),
    /// A rollback whose new checkpoint is not smaller.
    #[error("a rollback needs the server's checkpoint to be smaller than the accepted one ({theirs} is not below {ours})")]
    NotSmaller {
        /// The accepted size.
        ours: u64,
        /// The server's size.
        theirs: u64,
    },
    /// A fork without its two entries.
    #[error("the proof names no pair of entries: it shows two checkpoints but proves no fork")]
    NoEntries,
    /// A rollback: two checkpoints that may both be honest.
    #[error("a rollback record is not a proof: checkpoints carry no time, so nothing shows that the one of {theirs} entries was served after the one of {ours} (it records what a server served this mirror)")]
    RollbackUnprovable {
        /// The accepted size.
        ours: u64,
        /// The server's size.
        theirs: u64,
    },
    /// The entries are not two versions of one seq.
    #[error("the two entries are not two different versions of one entry of this ledger: {0}")]
    NotAPair(String),
    /// An inclusion proof fails.
    #[error("the {which} entry is not in its checkpoint's tree: {why}")]
    NotIncluded {
        /// `ours` or `theirs`.
        which: &'static str,
        /// Why.
        why: String,
    },
}

/// What a proof that holds shows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ForkVerdict {
    /// What kind of proof held.
    pub kind: ForkKind,
    /// The ledger.
    pub ledger: LedgerId,
    /// The accepted checkpoint's size and signer.
    pub ours: (u64, PartyId),
    /// The server's checkpoint's size and signer.
    pub theirs: (u64, PartyId),
    /// The seq at which the trees differ (a fork).
    pub seq: Option<u64>,
    /// The author and author sequence number both entries claim, when they
    /// claim the same: a party's equivocation, if both signatures verify
    /// (`equivocation_signed`).
    pub equivocation: Option<(PartyId, u64)>,
    /// Whether both entries' signatures verify under the listed key of
    /// their author.
    pub entries_signed: bool,
}

impl ForkProof {
    /// Reads a proof from its JSON text.
    pub fn from_json(text: &[u8]) -> Result<ForkProof, ForkError> {
        let p: ForkProof =
            serde_json::from_slice(text).map_err(|e| ForkError::Json(e.to_string()))?;
        if p.version != FORK_PROOF_VERSION {
            return Err(ForkError::Version(p.version));
        }
        Ok(p)
    }

    /// The proof as pretty-printed JSON, ending in a newline.
    pub fn to_json(&self) -> String {
        // Serialising these plain types to a string cannot fail.
        let mut s = serde_json::to_string_pretty(self).unwrap_or_default();
        s.push('\n');
        s
    }
}

fn read_checkpoint(text: &str, which: &'static str) -> Result<(Note, Checkpoint), ForkError> {
    let bad = |why: String| ForkError::Checkpoint { which, why };
    let note = Note::parse(text.as_bytes()).map_err(|e| bad(e.to_string()))?;
    let cp = Checkpoint::parse_body(note.text()).map_err(|e| bad(e.to_string()))?;
    Ok((note, cp))
}

/// The first listed party whose key signed `note` (an Ed25519 note
/// signature named by the party).
fn signed_by(note: &Note, keys: &[NamedKey]) -> Option<PartyId> {
    keys.iter()
        .find(|k| {
            let key = NoteKey {
                name: k.party.as_str().to_owned(),
                sig_type: SigType::Ed25519,
                key: k.key,
            };
            matches!(note.verify(&key), Ok(Some(Verified::Signed)))
        })
        .map(|k| k.party.clone())
}

/// Whether `e`'s signature verifies under the listed key of its author.
fn entry_signed(e: &Sealed, keys: &[NamedKey]) -> bool {
    let author = &e.entry.body.author;
    keys.iter()
        .any(|k| k.party == author.party && k.key.id() == author.key && e.signature_valid(&k.key))
}

/// Checks a fork proof with nothing but itself: both checkpoints signed by
/// listed keys and of one ledger; for a rollback, the new one smaller; for
/// a fork, two different entries at one seq, each in its checkpoint's tree.
pub fn check(p: &ForkProof) -> Result<ForkVerdict, ForkError> {
    let (ours_note, ours) = read_checkpoint(&p.ours, "accepted")?;
    let (theirs_note, theirs) = read_checkpoint(&p.theirs, "server's")?;
    if ours.ledger != theirs.ledger {
        return Err(ForkError::OtherLedgers);
    }
    let ours_by = signed_by(&ours_note, &p.keys).ok_or(ForkError::Unsigned("accepted"))?;
    let theirs_by = signed_by(&theirs_note, &p.keys).ok_or(ForkError::Unsigned("server's"))?;
    let mut verdict = ForkVerdict {
        kind: p.kind,
        ledger: ours.ledger,
        ours: (ours.size, ours_by),
        theirs: (theirs.size, theirs_by),
        seq: None,
        equivocation: None,
        entries_signed: false,
    };
    match p.kind {
        ForkKind::Rollback => {
            if theirs.size >= ours.size {
                return Err(ForkError::NotSmaller {
                    ours: ours.size,
                    theirs: theirs.size,
                });
            }
            Err(ForkError::RollbackUnprovable {
                ours: ours.size,
                theirs: theirs.size,
            })
        }
        ForkKind::Inconsistent => Err(ForkError::NoEntries),
        ForkKind::Fork => {
            let pair = p.entries.as_ref().ok_or(ForkError::NoEntries)?;
            let not_pair = |why: &str| ForkError::NotAPair(why.to_owned());
            if pair.ours.seq != pair.theirs.seq {
                return Err(not_pair("they are at different seqs"));
            }
            if pair.ours.bytes == pair.theirs.bytes {
                return Err(not_pair("they are the same bytes"));
            }
            let seq = pair.ours.seq;
            let decode = |e: &ProvenEntry| {
                Sealed::from_bytes(e.bytes.clone())
                    .map_err(|e| not_pair(&format!("an entry is not canonical ({e})")))
            };
            let (a, b) = (decode(&pair.ours)?, decode(&pair.theirs)?);
            // Entry 0 is the ledger id: two versions of it are two ledgers.
            if seq == 0 || a.seq() != seq || b.seq() != seq {
                return Err(not_pair("their seqs are not the seq they are proven at"));
            }
            if a.entry.body.ledger != ours.ledger || b.entry.body.ledger != ours.ledger {
                return Err(not_pair("an entry names another ledger"));
            }
            for (which, e, cp) in [
                ("accepted", &pair.ours, &ours),
                ("server's", &pair.theirs, &theirs),
            ] {
                merkle::verify_inclusion(seq, cp.size, &e.bytes, &e.proof, &cp.root).map_err(
                    |why| ForkError::NotIncluded {
                        which,
                        why: why.to_string(),
                    },
                )?;
            }
            let (x, y) = (&a.entry.body, &b.entry.body);
            verdict.seq = Some(seq);
            verdict.entries_signed = entry_signed(&a, &p.keys) && entry_signed(&b, &p.keys);
            if x.author.party == y.author.party && x.author_seq == y.author_seq {
                verdict.equivocation = Some((x.author.party.clone(), x.author_seq));
            }
            Ok(verdict)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn proof(kind: ForkKind) -> ForkProof {
        ForkProof {
            version: FORK_PROOF_VERSION,
            kind,
            ours: String::new(),
            theirs: String::new(),
            keys: Vec::new(),
            entries: None,
            note: "n".into(),
        }
    }

    #[test]
    fn the_json_round_trips_and_other_versions_and_fields_are_refused() {
        let p = proof(ForkKind::Rollback);
        assert_eq!(ForkProof::from_json(p.to_json().as_bytes()), Ok(p.clone()));
        assert!(p.to_json().contains("\"kind\": \"rollback\""));
        let mut v: serde_json::Value = serde_json::from_str(&p.to_json()).unwrap();
        v["version"] = 2.into();
        assert_eq!(
            ForkProof::from_json(v.to_string().as_bytes()),
            Err(ForkError::Version(2))
        );
        v["version"] = 1.into();
        v["extra"] = 1.into();
        assert!(matches!(
            ForkProof::from_json(v.to_string().as_bytes()),
            Err(ForkError::Json(_))
        ));
    }

    #[test]
    fn unreadable_checkpoints_prove_nothing() {
        for kind in [ForkKind::Fork, ForkKind::Rollback, ForkKind::Inconsistent] {
            assert!(matches!(
                check(&proof(kind)),
                Err(ForkError::Checkpoint { .. })
            ));
        }
    }
}
