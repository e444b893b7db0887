//! Events: the facts an entry records, named in the past tense.
//!
//! The variant order is part of the format (bincode writes the variant index
//! as a u32). New kinds are appended at the end; existing variants are never
//! reordered or changed.

use serde::{Deserialize, Serialize};

use crate::charter::Charter;
use crate::ids::{ClauseId, EntryHash};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum Event {
    /// Entry 0: founds the ledger.
    Charter(Charter),
    /// A guarantor or the mediator puts a clause's text on the record.
    ClauseProposed {
        id: ClauseId,
        title: String,
        text: String,
    },
    /// A guarantor or the mediator endorses exactly the text of the proposal
    /// entry whose hash it names.
    ClauseEndorsed {
        clause: ClauseId,
        proposal: EntryHash,
    },
}

impl Event {
    /// A stable, lower-case name for the kind, used in logs and JSON.
    pub fn kind(&self) -> &'static str {
        match self {
            Event::Charter(_) => "charter",
            Event::ClauseProposed { .. } => "clause-proposed",
            Event::ClauseEndorsed { .. } => "clause-endorsed",
        }
    }

    /// What the event is about, for one-line listings.
    pub fn subject(&self) -> String {
        match self {
            Event::Charter(c) => c.title.clone(),
            Event::ClauseProposed { id, .. } => id.to_string(),
            Event::ClauseEndorsed { clause, .. } => clause.to_string(),
        }
    }
}
