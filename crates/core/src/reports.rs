//! The records of a mechanism's working items: monitors' observations,
//! tasks given to teams, recommendations to parties, meeting records, and
//! what is attached to any item after it is filed ([`ItemNotes`]: evidence
//! added, views recorded, referrals to bodies).
//!
//! Plain records: the gate decides, the fold writes them; this module
//! never refuses an entry and never reads the chain.

use serde::{Deserialize, Serialize};

use crate::charter::{Charter, Role};
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
    /// The time of the entry that answered it.
    pub reported_time: Option<i64>,
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
    /// The time of the first report of measures.
    pub first_measures_time: Option<i64>,
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

crate::phase::words! {
    /// Where a task stands as of a time.
    TaskPhase {
        /// Given, not reported, its due time not passed.
        Open => "open",
        /// Not reported and past its due time: the team still owes it.
        Overdue => "overdue",
        /// Answered by an observation by its due time.
        Reported => "reported",
        /// Answered by an observation after its due time.
        ReportedLate => "reported-late",
    }
}

crate::phase::words! {
    /// Where a recommendation stands as of a time.
    RecommendationPhase {
        /// Made; the party has not reported measures and the due time has not passed.
        Pending => "pending",
        /// No measures reported and past its due time: the party still owes them.
        Overdue => "overdue",
        /// The party reported the measures taken by the due time.
        MeasuresReported => "measures-reported",
        /// The party reported the measures taken after the due time.
        MeasuresReportedLate => "measures-reported-late",
    }
}

crate::phase::words! {
    /// Where a meeting record stands.
    MeetingPhase {
        /// Some attendee (other than its recorder) has yet to cosign it.
        Recorded => "recorded",
        /// Every attendee that signs (other than the recorder) cosigned it.
        Cosigned => "cosigned",
    }
}

impl TaskState {
    /// Where the task stands as of `time` (the report's own time decides
    /// lateness: `reported_time`).
    pub fn phase(&self, time: i64) -> TaskPhase {
        match (self.reported.is_some(), self.reported_time) {
            (true, Some(t)) if t > self.due => TaskPhase::ReportedLate,
            (true, _) => TaskPhase::Reported,
            (false, _) if time > self.due => TaskPhase::Overdue,
            (false, _) => TaskPhase::Open,
        }
    }
}

impl RecommendationState {
    /// Where the recommendation stands as of `time`.
    pub fn phase(&self, time: i64) -> RecommendationPhase {
        match self.first_measures_time {
            Some(t) if t > self.due => RecommendationPhase::MeasuresReportedLate,
            Some(_) => RecommendationPhase::MeasuresReported,
            None if time > self.due => RecommendationPhase::Overdue,
            None => RecommendationPhase::Pending,
        }
    }
}

impl MeetingState {
    /// The attendees that have yet to cosign the record: every attendee
    /// that signs under `charter` (a party of it, not an observer), other
    /// than the recorder, that has not cosigned.
    pub fn awaiting(&self, charter: &Charter) -> Vec<PartyId> {
        self.attendees
            .iter()
            .filter(|p| {
                **p != self.by
                    && charter.party(p).is_some_and(|x| x.role != Role::Observer)
                    && !self.cosigned.iter().any(|(c, _)| c == *p)
            })
            .cloned()
            .collect()
    }

    /// Where the record stands under `charter`.
    pub fn phase(&self, charter: &Charter) -> MeetingPhase {
        if self.awaiting(charter).is_empty() {
            MeetingPhase::Cosigned
        } else {
            MeetingPhase::Recorded
        }
    }
}
