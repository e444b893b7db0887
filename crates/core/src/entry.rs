//! Entries: the signed, hash-chained records of a ledger, and the exact
//! inputs of their hash and signature (docs/FORMAT.md).
//!
//! An entry's encoding is its body followed by the 64-byte signature, so the
//! signed bytes are a prefix of the stored bytes: hashes and signatures are
//! always checked over the bytes as received, never over a re-encoding.

use ed25519_dalek::{SigningKey, VerifyingKey};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::codec::{self, CodecError};
use crate::crypto::{self, PublicKey, Signature};
use crate::event::Event;
use crate::ids::{EntryHash, KeyId, LedgerId, PartyId};

/// The format version every entry carries. Readers refuse other versions.
pub const FORMAT_VERSION: u16 = 1;
/// Domain tag of an entry hash: `SHA-256(ENTRY_HASH_TAG || entry bytes)`.
pub const ENTRY_HASH_TAG: &[u8] = b"accord-v1/entry-hash\0";
/// Domain tag of the signed message: `SIGNATURE_TAG || body bytes`.
pub const SIGNATURE_TAG: &[u8] = b"accord-v1/entry-sig\0";
const SIGNATURE_LEN: usize = 64;

/// A position in the chain: an entry's seq and hash.
// issue 15: json (JsonSchema)
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct Head {
    /// The entry's position in the chain, from 0.
    pub seq: u64,
    /// The entry's hash.
    pub hash: EntryHash,
}

/// Who signed: a party of the charter and the id of the key it used.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Author {
    /// The signing party.
    pub party: PartyId,
    /// The id of the key it signed with, which must be its current one.
    pub key: KeyId,
}

/// Everything an entry says, and everything its signature covers.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EntryBody {
    /// The format version; readers refuse any other.
    pub version: u16,
    /// The hash of entry 0; all zeros in entry 0 itself.
    pub ledger: LedgerId,
    /// The entry's position in the chain, from 0.
    pub seq: u64,
    /// The hash of entry `seq - 1`; all zeros in entry 0.
    pub prev: EntryHash,
    /// The author's claimed time, Unix seconds (UTC).
    pub time: i64,
    /// Who signed it.
    pub author: Author,
    /// 1 for an author's first entry, then +1 for each of its entries.
    pub author_seq: u64,
    /// The head the author saw when signing; (0, zeros) in entry 0.
    pub seen: Head,
    /// The fact it records.
    pub event: Event,
}

/// A signed entry as stored: its body and the author's signature over it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Entry {
    /// What the entry says.
    pub body: EntryBody,
    /// The author's signature over the tagged body bytes.
    pub signature: Signature,
}

impl EntryBody {
    /// Signs the body: the message is `SIGNATURE_TAG || canonical body bytes`.
    pub fn sign(self, key: &SigningKey) -> Result<Sealed, CodecError> {
        let mut message = SIGNATURE_TAG.to_vec();
        message.extend_from_slice(&codec::encode(&self)?);
        let signature = crypto::sign(key, &message);
        Sealed::seal(Entry {
            body: self,
            signature,
        })
    }
}

/// What the next entry of one party links to and counts from
/// ([`crate::State::next_for`]); signing it fills in the rest.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NextEntry {
    /// The ledger.
    pub ledger: LedgerId,
    /// The head it follows (its `prev`, and the head it has seen).
    pub head: Head,
    /// The party signing.
    pub party: PartyId,
    /// That party's sequence number for this entry.
    pub author_seq: u64,
    /// The head's claimed time: the earliest this entry may claim.
    pub head_time: i64,
}

impl NextEntry {
    /// Builds the entry's body for `event` at `time` and signs it with
    /// `signer` (the party's current key).
    pub fn sign(self, signer: &SigningKey, time: i64, event: Event) -> Result<Sealed, CodecError> {
        EntryBody {
            version: FORMAT_VERSION,
            ledger: self.ledger,
            seq: self.head.seq + 1,
            prev: self.head.hash,
            time,
            author: Author {
                party: self.party,
                key: crypto::public_key(signer).id(),
            },
            author_seq: self.author_seq,
            seen: self.head,
            event,
        }
        .sign(signer)
    }
}

/// An entry together with its canonical bytes and its hash.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Sealed {
    /// The decoded entry.
    pub entry: Entry,
    /// Its canonical bytes, as stored and hashed.
    pub bytes: Vec<u8>,
    /// The hash of those bytes.
    pub hash: EntryHash,
}

impl Sealed {
    /// Encodes an entry and hashes the encoding.
    pub fn seal(entry: Entry) -> Result<Self, CodecError> {
        let bytes = codec::encode(&entry)?;
        let hash = hash_entry_bytes(&bytes);
        Ok(Self { entry, bytes, hash })
    }

    /// Decodes stored or received bytes, accepting only the canonical form.
    pub fn from_bytes(bytes: Vec<u8>) -> Result<Self, CodecError> {
        let entry: Entry = codec::decode(&bytes)?;
        let hash = hash_entry_bytes(&bytes);
        Ok(Self { entry, bytes, hash })
    }

    /// The entry's position in the chain.
    pub fn seq(&self) -> u64 {
        self.entry.body.seq
    }

    /// The entry's place in the chain: its seq and hash.
    pub fn head(&self) -> Head {
        Head {
            seq: self.seq(),
            hash: self.hash,
        }
    }

    /// The signed message, taken from the bytes as received.
    pub fn signing_input(&self) -> Vec<u8> {
        let body = &self.bytes[..self.bytes.len().saturating_sub(SIGNATURE_LEN)];
        let mut message = Vec::with_capacity(SIGNATURE_TAG.len() + body.len());
        message.extend_from_slice(SIGNATURE_TAG);
        message.extend_from_slice(body);
        message
    }

    /// Whether the signature verifies strictly under `key`.
    pub fn signature_valid(&self, key: &PublicKey) -> bool {
        crypto::verify(key, &self.signing_input(), &self.entry.signature)
    }

    /// Strict verification under an already decompressed key.
    pub fn verify_with(&self, key: &VerifyingKey) -> bool {
        crypto::verify_with(key, &self.signing_input(), &self.entry.signature)
    }
}

/// The entry hash of encoded entry bytes: `SHA-256(ENTRY_HASH_TAG || bytes)`.
pub fn hash_entry_bytes(bytes: &[u8]) -> EntryHash {
    let mut h = Sha256::new();
    h.update(ENTRY_HASH_TAG);
    h.update(bytes);
    EntryHash(h.finalize().into())
}
