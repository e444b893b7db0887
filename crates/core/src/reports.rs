//! The records of a mechanism's working items: monitors' observations,
//! tasks given to teams, recommendations to parties, meeting records, and
//! what is attached to any item after it is filed ([`ItemNotes`]: evidence
//! added, views recorded, referrals to bodies).
//!
//! Plain records: the gate decides, the fold writes them; this module
//! never refuses an entry and never reads the chain.

use serde::{Deserialize, Serialize};

use crate::entry::Head;
use crate::ids::{BodyId, ItemId, ObservationId, PartyId, TaskId};
use crate::terms::{Evidence, PlacePrecision, TimePrecision};

/// A monitor's observation as the record stands.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ObservationState {
    /// Who recorded it.
    pub by: PartyId,
    /// The body (team) it reports for, if any.
    pub body: Option<BodyId>,
    /// The task it answers, if any.
    pub task: Option<TaskId>,
    /// Unix seconds of what was observed.
    pub occurred: i64,
    /// How precisely that time is known.
    pub time_precision: TimePrecision,
    /// Where.
    pub location: String,
    /// How precisely that place is known.
    pub place_precision: PlacePrecision,
    /// Its severity, from the charter's scale.
    pub severity: Option<String>,
    /// Its violation type, from the charter's scale.
    pub violation: Option<String>,
    /// What was observed (first line kept in views).
    pub summary: String,
    /// Evidence offered with it.
    pub evidence: Vec<Evidence>,
    /// The entry that recorded it.
    pub recorded: Head,
}

/// A task given to a team as the record stands.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TaskState {
    /// Who tasked the team.
    pub by: PartyId,
    /// The team (a body).
    pub team: BodyId,
    /// The item it is about, if any.
    pub about: Option<ItemId>,
    /// Unix seconds by which the team is to report.
    pub due: i64,
    /// The entry that gave the task.
    pub tasked: Head,
    /// The observation that answered it, with its seq.
    pub reported: Option<(ObservationId, u64)>,
}

/// A recommendation to a party as the record stands.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RecommendationState {
    /// Who made it, for the body.
    pub by: PartyId,
    /// The body that recommends.
    pub body: BodyId,
    /// The party recommended to.
    pub to: PartyId,
    /// The item it follows from, if any.
    pub about: Option<ItemId>,
    /// Unix seconds by which the measures are to be reported.
    pub due: i64,
    /// The entry that made it.
    pub made: Head,
    /// The seqs of the measures reported, in order.
    pub measures: Vec<u64>,
}

/// A meeting record as it stands.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MeetingState {
    /// Who recorded it.
    pub by: PartyId,
    /// The body that met, if one did.
    pub body: Option<BodyId>,
    /// Unix seconds when it was held.
    pub held: i64,
    /// Who attended.
    pub attendees: Vec<PartyId>,
    /// The entry that recorded it.
    pub record: Head,
    /// Attendees that cosigned, with the seq of their cosignature.
    pub cosigned: Vec<(PartyId, u64)>,
}

/// A referral of an item to a body.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Referral {
    /// The body referred to.
    pub to: BodyId,
    /// Who referred it.
    pub by: PartyId,
    /// The seq of the referral.
    pub seq: u64,
}

/// What is attached to an item after it was filed.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ItemNotes {
    /// Evidence added: who, the seq, how many files.
    pub evidence: Vec<(PartyId, u64, u32)>,
    /// Views recorded: who, the seq.
    pub views: Vec<(PartyId, u64)>,
    /// Referrals, in order (the last one says which body holds the item).
    pub referrals: Vec<Referral>,
}

impl ItemNotes {
    /// The body the item was last referred to, if it was referred.
    pub fn held_by(&self) -> Option<&BodyId> {
        self.referrals.last().map(|r| &r.to)
    }
}
