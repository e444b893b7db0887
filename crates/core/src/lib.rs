//! accord-core: the pure domain of accord.
//!
//! Holds the ids, the events, the canonical codec, hashing, signing, the
//! rules of an agreement and the state they fold into. Everything here is a
//! pure function of its arguments: this crate must never read a clock, touch
//! a file or the network, or draw randomness. Time and keys are arguments.

#![cfg_attr(not(test), deny(clippy::unwrap_used, clippy::dbg_macro))]
#![warn(missing_docs)]

mod actors;
pub mod amendment;
mod bodies;
pub mod bundle;
pub mod charter;
pub mod checkpoint;
mod clause_life;
pub mod clause_view;
pub mod codec;
pub mod crypto;
mod ctx;
mod decide;
pub mod entry;
pub mod event;
mod fold;
pub mod fork;
pub mod ids;
pub mod keycommit;
pub mod keyring;
pub mod limits;
pub mod mechanism;
pub mod merkle;
pub mod moment;
mod monitoring;
pub mod note;
pub mod open_index;
mod phase;
pub mod policy;
pub mod projection;
pub mod records;
pub mod reports;
pub mod state;
pub mod terms;
pub mod text;
pub mod tiles;
pub mod tlog_witness;
pub mod violation;

pub use amendment::{AmendmentState, CharterChange};
pub use charter::{Adoption, Charter, CharterError, Party, Role, Rules};
pub use codec::CodecError;
pub use crypto::{KeyError, PublicKey, Signature};
pub use entry::{Author, Entry, EntryBody, Head, NextEntry, Sealed, FORMAT_VERSION};
pub use event::Event;
pub use ids::{
    ActorId, AllegationId, AmendmentId, BodyId, ClauseId, CommitmentId, EntryHash, IdError, ItemId,
    KeyId, LedgerId, MeetingId, ObservationId, PartyId, RecommendationId, RevocationId, RulingId,
    TaskId,
};
pub use records::{ClauseState, Proposal, RecordKey, Records};
pub use state::{Chain, State};
pub use terms::{Attribution, Evidence, Finding, Position, Verdict};
pub use violation::{SignError, Violation};
// issue 14: actors
pub use actors::{actors, ActorRuling, ActorView};
