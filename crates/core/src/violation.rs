//! Why an entry is refused ([`Violation`]) or cannot be built for a signer
//! ([`SignError`]).
//!
//! Only the refusals live here: each message is one line saying what is
//! wrong. This module decides nothing and must never depend on the gate,
//! the decisions or the fold.

use crate::charter::{CharterError, Role};
use crate::codec::CodecError;
use crate::crypto::KeyError;
use crate::entry::FORMAT_VERSION;
use crate::ids::{
    AllegationId, CommitmentId, EntryHash, KeyId, LedgerId, PartyId, RevocationId, RulingId,
};
use crate::limits::{MAX_ENTRY_BYTES, SEEN_WINDOW};

/// Why an entry is not admitted. Each message is one line saying what is
/// wrong.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Violation {
    #[error("undecodable entry: {0}")]
    Codec(#[from] CodecError),
    #[error("unsupported format version {0} (this build reads version {FORMAT_VERSION})")]
    Version(u16),
    #[error("belongs to another ledger ({0})")]
    WrongLedger(LedgerId),
    #[error("out of sequence: expected seq {expected}, found {found}")]
    Seq { expected: u64, found: u64 },
    #[error("broken chain: the previous-entry hash does not match entry {0}")]
    Prev(u64),
    #[error("the head the author saw (seq {0}) is not in this ledger's last {SEEN_WINDOW} entries or its hash differs")]
    Seen(u64),
    #[error("entry 0 must be the charter, signed by one of its parties with a zero ledger id, previous hash and seen head")]
    Genesis,
    #[error("a charter can only be entry 0")]
    CharterNotFirst,
    #[error("invalid charter: {0}")]
    Charter(#[from] CharterError),
    #[error("signer {0} is not a party of the charter")]
    UnknownParty(PartyId),
    #[error(
        "key {key} is not the current key of party {party} (rotated or revoked keys sign nothing)"
    )]
    WrongKey { party: PartyId, key: KeyId },
    #[error("signature does not verify")]
    Signature,
    #[error("{0}'s key was revoked and no replacement was adopted: it can sign nothing")]
    Revoked(PartyId),
    #[error("per-author sequence of {party}: expected {expected}, found {found} (stale or replayed entry)")]
    AuthorSeq {
        party: PartyId,
        expected: u64,
        found: u64,
    },
    #[error("claimed time {time} is before the previous entry's time {prev}")]
    TimeBackwards { time: i64, prev: i64 },
    #[error("{0} is an observer: observers sign nothing")]
    Observer(PartyId),
    #[error("{party} is a {role}: only {allowed} may {action}")]
    Role {
        party: PartyId,
        role: Role,
        allowed: &'static str,
        action: &'static str,
    },
    #[error("id {0} is already in use (ids are unique across clauses, commitments, allegations and rulings)")]
    DuplicateId(String),
    #[error("no {kind} {id} is on record")]
    Unknown { kind: &'static str, id: String },
    #[error("{item} names proposal {named} but the proposal entry's hash is {actual}")]
    ProposalMismatch {
        item: String,
        named: EntryHash,
        actual: EntryHash,
    },
    #[error("{party} has already {done} {item}")]
    Already {
        party: PartyId,
        done: &'static str,
        item: String,
    },
    #[error("only {owner} may {action} {item}, not {party}")]
    NotYours {
        party: PartyId,
        owner: PartyId,
        action: &'static str,
        item: String,
    },
    #[error("{item} is {state}: it cannot be {action}")]
    WrongState {
        item: String,
        state: String,
        action: &'static str,
    },
    #[error("commitment {commitment}: the due time is before the entry's own time")]
    DueBeforeEntry { commitment: CommitmentId },
    #[error("allegation {allegation}: a party cannot allege a violation against itself")]
    SelfAllegation { allegation: AllegationId },
    #[error("allegation {allegation}: {party} is an observer and bound by nothing")]
    ObserverAccused {
        allegation: AllegationId,
        party: PartyId,
    },
    #[error("allegation {allegation}: commitment {commitment} is {obligor}'s, not {accused}'s")]
    AllegedNotTheirs {
        allegation: AllegationId,
        commitment: CommitmentId,
        obligor: PartyId,
        accused: PartyId,
    },
    #[error("allegation {allegation}: the incident's time is after the entry's own time")]
    IncidentAfterEntry { allegation: AllegationId },
    #[error("ruling {ruling}: breaches can only be named with a confirmed finding")]
    BreachUnconfirmed { ruling: RulingId },
    #[error("ruling {ruling}: an unattributable incident cannot breach a commitment")]
    BreachUnattributed { ruling: RulingId },
    #[error("ruling {ruling}: commitment {commitment} is {obligor}'s, but the incident is attributed to {attributed}")]
    BreachNotAttributed {
        ruling: RulingId,
        commitment: CommitmentId,
        obligor: PartyId,
        attributed: PartyId,
    },
    #[error("{0}'s key is already revoked: name a replacement key")]
    AlreadyRevoked(PartyId),
    #[error(
        "revocation {revocation}: its replacement key {key} has been used since it was proposed"
    )]
    ReplacementUsed {
        revocation: RevocationId,
        key: String,
    },
    #[error("new key: {0}")]
    NewKey(KeyError),
    #[error("key {0} has been used before: a key is never reused")]
    KeyReused(String),
    #[error("a key rotation must carry the new key's proof of possession: this older form is retired (docs/FORMAT.md)")]
    RetiredRotation,
    #[error("the new key's proof of possession does not verify: sign the rotation with the new private key (--new)")]
    NoPossession,
    #[error("{field} must be 1-{max} bytes of visible text")]
    Text { field: &'static str, max: usize },
    #[error("{field} holds a control character or, in a one-line field, a line break: remove it")]
    Control { field: &'static str },
    #[error("the entry is {size} bytes encoded; the limit is {MAX_ENTRY_BYTES} bytes")]
    TooLarge { size: usize },
    #[error("{field} ({time} s since 1970) is outside the years 0000-9999")]
    TimeRange { field: &'static str, time: i64 },
    #[error("{list} may name at most {max} items")]
    TooMany { list: &'static str, max: usize },
    #[error("{item} is named more than once in {list}")]
    Repeated { list: &'static str, item: String },
    #[error("ruling {ruling}: {party} is an observer and bound by nothing: an incident cannot be attributed to it")]
    ObserverAttributed { ruling: String, party: PartyId },
    #[error("ruling {ruling}: commitment {commitment} is {obligor}'s, but a shared ruling can only breach commitments of the accused, {accused}")]
    SharedBreach {
        ruling: String,
        commitment: String,
        obligor: PartyId,
        accused: PartyId,
    },
}

/// Why an entry could not be built for a signer.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SignError {
    #[error("key {0} is not the current key of any party of this ledger (never registered, or rotated or revoked)")]
    UnknownKey(KeyId),
    #[error(transparent)]
    Codec(#[from] CodecError),
}
