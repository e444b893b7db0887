//! Dispute bundles: one self-contained JSON file that lets an outsider
//! check chosen entries of a ledger with nothing else (docs/FORMAT.md,
//! "Dispute bundles"). It holds a cosigned checkpoint, the charter and
//! every key event below the checkpoint's size, and the chosen entries,
//! each with its canonical bytes and an RFC 9162 inclusion proof.
//!
//! This module holds the format ([`Bundle`], [`ProvenEntry`]) and why a
//! bundle is refused ([`BundleError`]); `check` verifies one against a
//! [`Policy`], `keys` replays the key history. Like all of accord-core it is
//! pure: it must never read a clock, a file or a ledger (a bundle is checked
//! with nothing but itself and a policy).

mod check;
mod keys;

use base64::engine::general_purpose::STANDARD as BASE64;
use base64::Engine;
use serde::{Deserialize, Serialize};

use crate::ids::PartyId;
use crate::violation::Violation;

pub use check::{check, EntryReport, Policy, TimeBound, Verified};
// issue 15: report
pub use check::says;
pub use keys::KeyHistory;

/// The bundle format version this build writes and reads.
pub const BUNDLE_VERSION: u64 = 1;

/// The largest bundle file a reader need accept, in bytes.
pub const MAX_BUNDLE_BYTES: usize = 64 * 1024 * 1024;

/// The most hashes an inclusion proof can hold (a tree of at most 2^64
/// leaves).
const MAX_PROOF: usize = 64;

/// A dispute bundle as stored (JSON; docs/FORMAT.md, "Dispute bundles").
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Bundle {
    /// [`BUNDLE_VERSION`].
    pub version: u64,
    /// The checkpoint as a C2SP signed note: the note text, a blank line and
    /// its signature lines (the host's signature and the cosignatures).
    pub checkpoint: String,
    /// Entry 0 (the charter) and every later key event
    /// ([`crate::keycommit::is_key_event`]) below the checkpoint's size, in
    /// ledger order.
    pub key_events: Vec<ProvenEntry>,
    /// The entries the bundle is about, in the order the prover chose.
    pub entries: Vec<ProvenEntry>,
}

/// One entry with its proof of inclusion in the checkpointed tree.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ProvenEntry {
    /// The entry's seq, which is its leaf index in the tree.
    pub seq: u64,
    /// The entry's canonical bytes, as stored.
    #[serde(with = "b64")]
    pub bytes: Vec<u8>,
    /// The RFC 9162 inclusion proof to the checkpoint's root: sibling
    /// hashes from the leaf's up to the root's child.
    #[serde(with = "b64_list")]
    pub proof: Vec<[u8; 32]>,
}

impl Bundle {
    /// Reads a bundle from its JSON text; refuses unknown fields, bad base64
    /// and proofs longer than any tree needs.
    pub fn from_json(text: &[u8]) -> Result<Bundle, BundleError> {
        let bundle: Bundle =
            serde_json::from_slice(text).map_err(|e| BundleError::Json(e.to_string()))?;
        if bundle.version != BUNDLE_VERSION {
            return Err(BundleError::Version(bundle.version));
        }
        for (what, e) in bundle.all() {
            if e.proof.len() > MAX_PROOF {
                return Err(BundleError::Entry {
                    what,
                    seq: e.seq,
                    fault: EntryFault::ProofLength(e.proof.len()),
                });
            }
        }
        Ok(bundle)
    }

    /// The bundle as pretty-printed JSON, ending in a newline.
    pub fn to_json(&self) -> String {
        // Serialising these plain types to a string cannot fail.
        let mut s = serde_json::to_string_pretty(self).unwrap_or_default();
        s.push('\n');
        s
    }

    /// Every entry the bundle carries, key events first, each with what it
    /// is (for messages).
    fn all(&self) -> impl Iterator<Item = (&'static str, &ProvenEntry)> {
        self.key_events
            .iter()
            .map(|e| ("key event", e))
            .chain(self.entries.iter().map(|e| ("entry", e)))
    }
}

/// Why a bundle is refused. Each message is one line naming what is wrong.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum BundleError {
    /// The file is not bundle JSON (syntax, unknown field, bad base64).
    #[error("not a dispute bundle: {0}")]
    Json(String),
    /// The bundle was written in a format version this build cannot read.
    #[error(
        "bundle format version {0} is not supported (this build reads version {BUNDLE_VERSION})"
    )]
    Version(u64),
    /// The checkpoint text is not a well-formed signed-note checkpoint.
    #[error("the checkpoint is unreadable: {0}")]
    Checkpoint(String),
    /// The key history does not start with entry 0, so no charter founds it.
    #[error("the bundle lists no charter: its first key event must be entry 0")]
    NoCharter,
    /// Entry 0 fails the genesis checks the append gate applies.
    #[error("the charter (entry 0) is refused: {0}")]
    Charter(Box<Violation>),
    /// The charter founds a different ledger than the one the reader expects.
    #[error("the bundle is of ledger {found}, not of the expected ledger {expected}")]
    NotTheLedger {
        /// The ledger id the reader asked for (hex).
        expected: String,
        /// The ledger id the bundle's charter hashes to (hex).
        found: String,
    },
    /// The checkpoint's origin line names another log than the charter's ledger.
    #[error("the checkpoint is for log {found}, not for this charter's ledger {expected}")]
    Origin {
        /// The origin the charter's ledger id implies.
        expected: String,
        /// The origin line the checkpoint carries.
        found: String,
    },
    /// The listed key events do not hash to the key commitment the
    /// checkpoint signs, so the key history shown is not the whole one.
    #[error("the key history is incomplete or altered: the listed key events' digest is not the checkpoint's accord-keys line (a key event was left out, added or changed)")]
    KeyDigest,
    /// One listed entry is refused; `fault` says why.
    #[error("{what} {seq}: {fault}")]
    Entry {
        /// Which list it is in: "key event" or "entry".
        what: &'static str,
        /// The seq the bundle lists it under.
        seq: u64,
        /// What is wrong with it.
        fault: EntryFault,
    },
    /// Not one inclusion proof leads to the checkpoint's root: the
    /// checkpoint commits to a different tree (a fork).
    #[error("no entry of the bundle is in the tree the checkpoint commits to, the charter included: the checkpoint is of a fork of this ledger (or every proof was replaced)")]
    OtherTree,
    /// No charter party signed the checkpoint with the key it held at the
    /// checkpoint's size.
    #[error("the checkpoint is not signed by a party of the charter with its key at size {size}")]
    Unsigned {
        /// The checkpoint's tree size, at which signing keys are looked up.
        size: u64,
    },
    /// A signature line names a party's key at the size but does not verify.
    #[error("the checkpoint's signature by {0} does not verify (the checkpoint text or the signature was changed)")]
    Signature(PartyId),
    /// A witness's cosignature line names its key but does not verify.
    #[error("the cosignature by {0} does not verify (the checkpoint text or the cosignature was changed)")]
    Cosignature(PartyId),
    /// Too few of the policy's witnesses cosigned: nobody outside the
    /// signer vouches that this is the one history they saw.
    #[error("the checkpoint has {found} valid cosignature(s) from the witnesses {witnesses}, fewer than the quorum of {quorum}{named}")]
    Quorum {
        /// How many witnesses' cosignatures verified.
        found: usize,
        /// How many the policy requires.
        quorum: usize,
        /// The policy's witnesses, comma-separated.
        witnesses: String,
        /// Who did cosign, as a suffix for the message (may be empty).
        named: String,
    },
    /// The policy is unusable: a witness not of the charter or named twice,
    /// or a quorum of 0 or above the number of witnesses.
    #[error("policy: {0}")]
    Policy(String),
    /// The bundle proves nothing: its list of chosen entries is empty.
    #[error("the bundle lists no entries to prove")]
    NoEntries,
}

/// What is wrong with one entry of a bundle.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum EntryFault {
    /// Its bytes are not a canonical entry.
    #[error("undecodable: {0}")]
    Undecodable(crate::codec::CodecError),
    /// Its bytes carry another seq than the one it is listed (and proved) under.
    #[error("its bytes say it is entry {0}")]
    Seq(u64),
    /// Its seq is not below the checkpoint's size (the field is that size).
    #[error("it is past the checkpoint, whose tree holds entries 0 to {}", .0.saturating_sub(1))]
    Beyond(u64),
    /// Its proof is longer than a proof in any tree of up to 2^64 leaves.
    #[error("its inclusion proof has {0} hashes, more than any tree needs")]
    ProofLength(usize),
    /// Its inclusion proof does not recompute the checkpoint's root.
    #[error("its inclusion proof does not lead to the checkpoint's root (the entry, the proof or the root was changed, or the entry is not in this tree)")]
    Proof,
    /// It is listed among key events but changes no key (the field names its kind).
    #[error("is a {0}, not a key event")]
    NotKeyEvent(&'static str),
    /// Key events are repeated or out of ledger order.
    #[error("key events must be listed once each, in ledger order")]
    Order,
    /// Its ledger field names another ledger than the charter's.
    #[error("belongs to another ledger")]
    WrongLedger,
    /// The key it names was not its author's at its position (never held,
    /// not yet added, or already rotated out or revoked).
    #[error("{party} held no key {key} at this position")]
    Key {
        /// The author.
        party: PartyId,
        /// The key id the entry names.
        key: String,
    },
    /// Its signature does not verify under the author's key at its position.
    #[error("the signature by {0} does not verify with its key at this position")]
    Signature(PartyId),
    /// As a key event, it breaks a rule the append gate enforces.
    #[error("refused by the rules: {0}")]
    Rule(Box<Violation>),
}

/// Base64 (RFC 4648 standard alphabet, padded) of a byte string.
mod b64 {
    use super::*;

    pub fn serialize<S: serde::Serializer>(bytes: &[u8], s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&BASE64.encode(bytes))
    }

    pub fn deserialize<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Vec<u8>, D::Error> {
        let text = String::deserialize(d)?;
        BASE64
            .decode(text.as_bytes())
            .map_err(|e| serde::de::Error::custom(format!("bad base64: {e}")))
    }
}

/// A list of 32-byte hashes, each as base64.
mod b64_list {
    use super::*;

    pub fn serialize<S: serde::Serializer>(list: &[[u8; 32]], s: S) -> Result<S::Ok, S::Error> {
        s.collect_seq(list.iter().map(|h| BASE64.encode(h)))
    }

    pub fn deserialize<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Vec<[u8; 32]>, D::Error> {
        let list = Vec::<String>::deserialize(d)?;
        list.iter()
            .map(|text| {
                let bytes = BASE64
                    .decode(text.as_bytes())
                    .map_err(|e| serde::de::Error::custom(format!("bad base64: {e}")))?;
                <[u8; 32]>::try_from(bytes.as_slice()).map_err(|_| {
                    serde::de::Error::custom(format!(
                        "a proof hash is {} bytes, not 32",
                        bytes.len()
                    ))
                })
            })
            .collect()
    }
}

#[cfg(test)]
mod tests;
