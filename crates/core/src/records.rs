//! Records: the per-item part of the derived state (clauses, commitments,
//! allegations, rulings), kept apart from the small per-ledger part so that
//! an append reads and writes only the records its event touches.
//!
//! Invariant: admitting an entry reads and changes no record outside the
//! closure of [`Event::touches`] under [`Records::links`]. The ledger relies
//! on it to load and persist only those; a property test checks it.

use std::collections::{BTreeMap, BTreeSet};

use serde::{Deserialize, Serialize};

use crate::amendment::AmendmentState;
use crate::charter::{Adoption, Charter};
use crate::codec::{self, CodecError};
use crate::crypto::PublicKey;
use crate::entry::Head;
use crate::event::Event;
use crate::ids::{
    AllegationId, AmendmentId, BodyId, ClauseId, CommitmentId, ItemId, MeetingId, ObservationId,
    PartyId, RecommendationId, RevocationId, RulingId, TaskId,
};
pub use crate::phase::{AllegationPhase, ClausePhase, CommitmentPhase, RulingPhase};
use crate::reports::{ItemNotes, MeetingState, ObservationState, RecommendationState, TaskState};
use crate::terms::{Accused, Attribution, Evidence, Finding, Position, Verdict};

/// A clause as the record stands: its proposal, endorsements, acceptances.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ClauseState {
    /// The clause's title, one line.
    pub title: String,
    /// The party that proposed it.
    pub proposer: PartyId,
    /// The entry that proposed it (seq and hash).
    pub proposal: Head,
    /// Endorsing parties with the seq of their endorsement, in order.
    pub endorsements: Vec<(PartyId, u64)>,
    /// The seq of the endorsement that met the adoption rule.
    pub adopted_at: Option<u64>,
    /// Accepting parties (to the conflict) with the seq of their acceptance.
    pub acceptances: Vec<(PartyId, u64)>,
    // issue 13: clauses
    /// Unix seconds after which the clause has lapsed (`None`: no end), as
    /// set by the last adopted term (a revision starts with the term of
    /// the clause it supersedes).
    pub until: Option<i64>,
    /// The seq of the entry that adopted the current `until`, if a term
    /// was ever adopted.
    pub until_from: Option<u64>,
    /// The term proposal awaiting endorsement, if any.
    pub term: Option<TermProposal>,
    /// The adopted clause this one is to supersede (a revision).
    pub revises: Option<ClauseId>,
    /// The revision that superseded it, with the seq of the adopting entry.
    pub superseded_by: Option<(ClauseId, u64)>,
    /// The seq of the proposer's withdrawal, if withdrawn.
    pub withdrawn: Option<u64>,
    /// Parties (to the conflict) that declined it, with the seq.
    pub declines: Vec<(PartyId, u64)>,
    // issue 14: bodies (per-clause signatories)
    /// The parties a tabled clause binds (`None`: a clause of the whole
    /// agreement, under the charter's clause adoption rule).
    pub signatories: Option<Vec<PartyId>>,
}

/// A proposed change of a clause's `until`, awaiting endorsement.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TermProposal {
    /// The proposed end (`None`: no end).
    pub until: Option<i64>,
    /// The party that proposed it.
    pub proposer: PartyId,
    /// The proposing entry.
    pub proposal: Head,
    /// Endorsing parties with the seq of their endorsement, in order.
    pub endorsements: Vec<(PartyId, u64)>,
}

/// Where a commitment stands, as recorded (pending, active, overdue and lapsed are
/// computed from this, the clause and the time: see `projection`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum CommitmentStatus {
    /// Neither kept, withdrawn nor ruled on yet.
    Open,
    /// The obligor reported it kept.
    Fulfilled {
        /// The seq of the fulfilment entry.
        seq: u64,
        /// Whether it was reported after its due time.
        late: bool,
    },
    /// The obligor withdrew it.
    Withdrawn {
        /// The seq of the withdrawal entry.
        seq: u64,
    },
    /// An adopted ruling found it breached.
    Breached {
        /// The ruling that found the breach.
        ruling: RulingId,
        /// The seq of the entry that adopted that ruling.
        seq: u64,
    },
    /// The obligor remedied a breach.
    Remedied {
        /// The ruling whose breach was remedied.
        ruling: RulingId,
        /// The seq of the remedy entry.
        seq: u64,
    },
}

/// A commitment as the record stands: who owes what under which clause, and its status.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CommitmentState {
    /// The party bound by it.
    pub obligor: PartyId,
    /// The clause it is made under.
    pub clause: ClauseId,
    /// What the obligor undertakes to do or not do.
    pub text: String,
    /// The area it applies to, if limited to one.
    pub zone: Option<String>,
    /// When it falls due (seconds since 1970), if it has a deadline.
    pub due: Option<i64>,
    /// The entry that made it.
    pub made: Head,
    /// Its recorded status (see [`CommitmentState::phase`] for where it stands).
    pub status: CommitmentStatus,
    /// When the undertaking lapses (seconds since 1970), if it has an end.
    pub until: Option<i64>,
    /// The obligor's latest report (fulfilment, progress or remedy): the
    /// entry an attestation names.
    pub last_report: Option<Head>,
    /// The latest progress report, if any.
    pub progress: Option<Progress>,
    /// Verifiers' checks of the obligor's reports, in order.
    pub attestations: Vec<Attestation>,
    /// A reschedule proposed and not yet agreed.
    pub reschedule: Option<Reschedule>,
    /// The seqs of the entries that agreed a reschedule, in order.
    pub rescheduled: Vec<u64>,
    /// Every adopted ruling that found it breached, with the adopting seq, in order.
    pub breaches: Vec<(RulingId, u64)>,
    /// Parties that joined it as joint obligors, with the seq of joining.
    pub joined: Vec<(PartyId, u64)>,
    /// Its status before the first breach that still stands: what it
    /// returns to if every breaching ruling is superseded.
    pub unbreached: Option<CommitmentStatus>,
}

/// A progress report on a commitment.
// issue 15: json (JsonSchema)
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct Progress {
    /// Units done.
    pub done: u64,
    /// Units in all.
    pub of: u64,
    /// The seq of the report.
    pub seq: u64,
}

/// A verifier's check of one report.
// issue 15: json (JsonSchema)
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct Attestation {
    /// The verifier.
    pub by: PartyId,
    /// What it found.
    pub verdict: Verdict,
    /// The seq of the report it checked.
    pub report: u64,
    /// The seq of the attestation.
    pub seq: u64,
}

/// A proposal to move a commitment's times, until agreed.
// issue 15: json (JsonSchema)
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct Reschedule {
    /// The proposing entry.
    pub proposal: Head,
    /// The party that proposed it.
    pub proposer: PartyId,
    /// The new due time (RFC 3339 in JSON output).
    #[schemars(with = "Option<String>")]
    pub due: Option<i64>,
    /// The new lapse time (RFC 3339 in JSON output).
    #[schemars(with = "Option<String>")]
    pub until: Option<i64>,
    /// Parties that agreed (the proposer counts), with seqs, in order.
    pub endorsements: Vec<(PartyId, u64)>,
}

impl Reschedule {
    /// Whether the agreement of `party` added to those on record meets the
    /// rule: the maker of `c` and the charter's clause adoption rule.
    pub(crate) fn agreed_with(
        &self,
        charter: &Charter,
        c: &CommitmentState,
        party: &PartyId,
    ) -> bool {
        let agreed = |p: &PartyId| p == party || self.endorsements.iter().any(|(q, _)| q == p);
        agreed(&c.obligor) && charter.quorum_met_by(charter.rules.clause_adoption, agreed)
    }
}

/// Where an allegation stands, as recorded.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum AllegationStatus {
    /// Filed and not yet withdrawn or ruled on.
    Open,
    /// The accuser withdrew it.
    Withdrawn {
        /// The seq of the withdrawal entry.
        seq: u64,
    },
    /// An adopted ruling decided it.
    Ruled {
        /// The ruling.
        ruling: RulingId,
        /// What the ruling found.
        finding: Finding,
        /// The seq of the entry that adopted the ruling.
        seq: u64,
    },
}

/// One answer of an accused party to an allegation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Response {
    /// The seq of the answering entry.
    pub seq: u64,
    // issue 14: actors (several accused: who answered)
    /// The accused party that answered.
    pub by: PartyId,
    /// The accused party's position on the allegation.
    pub position: Position,
}

/// An allegation as the record stands: who accuses whom of breaking what, and its answers.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AllegationState {
    /// The accusing party.
    pub by: PartyId,
    // issue 14: actors (several accused, parties or listed actors)
    /// Who is accused, parties and listed actors (empty: persons unknown).
    pub accused: Vec<Accused>,
    /// The commitments it says were broken.
    pub commitments: Vec<CommitmentId>,
    /// When the incident happened (seconds since 1970).
    pub occurred: i64,
    /// Where the incident happened.
    pub location: String,
    /// What happened, in the accuser's words.
    pub summary: String,
    /// Digests of the evidence offered, kept off the ledger.
    pub evidence: Vec<Evidence>,
    /// The entry that filed it.
    pub filed: Head,
    /// The filing entry's time: no correction may move the incident later.
    pub filed_time: i64,
    /// The accused parties' answers, in order.
    pub responses: Vec<Response>,
    /// Its recorded status.
    pub status: AllegationStatus,
    /// The seqs of the accuser's corrections, in order.
    pub corrections: Vec<u64>,
}

/// A ruling on an allegation as the record stands: its finding and who has endorsed or dissented.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RulingState {
    /// The allegation it decides.
    pub allegation: AllegationId,
    /// The party that proposed it.
    pub proposer: PartyId,
    /// Whether the incident is found to have happened.
    pub finding: Finding,
    /// Whom the incident is attributed to.
    pub attribution: Attribution,
    /// The commitments it finds breached.
    pub breaches: Vec<CommitmentId>,
    /// The entry that proposed it.
    pub proposal: Head,
    /// Endorsing parties with the seq of their endorsement, in order.
    pub endorsements: Vec<(PartyId, u64)>,
    /// Dissenting parties with the seq of their dissent, in order.
    pub dissents: Vec<(PartyId, u64)>,
    /// The seq of the endorsement that met the ruling quorum.
    pub adopted_at: Option<u64>,
    /// The adopted ruling it reconsiders, if it is a revision.
    pub revises: Option<RulingId>,
    /// The revision that superseded it, and the seq that adopted that one.
    pub superseded_by: Option<(RulingId, u64)>,
    // issue 14: bodies
    /// The body that decides it (`None`: the guarantors, under the
    /// charter's ruling quorum).
    pub body: Option<BodyId>,
    /// Set when it decides an observation: `allegation` then holds the
    /// observation's id (item ids share one namespace) and names no
    /// allegation.
    pub on_observation: Option<ObservationId>,
    /// The entry's time of the draft (a consensus lapse runs from it).
    pub drafted_time: i64,
    /// Unix seconds after which a consensus is no longer reached (the
    /// draft's time plus the body's lapse, when the body decides by
    /// consensus).
    pub lapse_until: Option<i64>,
    /// The seq at which the body's rule was met, when the parent body must
    /// still ratify it (provisional; `adopted_at` stays `None` until then).
    pub provisional_at: Option<u64>,
    /// Members of the parent body that ratified it, with the seq.
    pub ratifications: Vec<(PartyId, u64)>,
    /// The seq of the dissent that closed it without consensus.
    pub no_consensus: Option<u64>,
}

/// A proposal to revoke a party's key, as the record stands.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RevocationState {
    /// The party whose key is revoked.
    pub party: PartyId,
    /// The key that replaces it, if one is named.
    pub replacement: Option<PublicKey>,
    /// The party that proposed the revocation.
    pub proposer: PartyId,
    /// The entry that proposed it.
    pub proposal: Head,
    /// Endorsing parties with the seq of their endorsement, in order.
    pub endorsements: Vec<(PartyId, u64)>,
    /// The seq of the endorsement that met the quorum.
    pub adopted_at: Option<u64>,
}

impl ClauseState {
    /// Whether the clause met its adoption rule.
    pub fn is_adopted(&self) -> bool {
        self.adopted_at.is_some()
    }

    /// A clause just proposed by `proposer` in the entry `proposal`.
    pub(crate) fn proposed(
        title: String,
        proposer: PartyId,
        proposal: Head,
        revises: Option<ClauseId>,
    ) -> ClauseState {
        ClauseState {
            title,
            proposer,
            proposal,
            endorsements: Vec::new(),
            adopted_at: None,
            acceptances: Vec::new(),
            until: None,
            until_from: None,
            term: None,
            revises,
            superseded_by: None,
            withdrawn: None,
            declines: Vec::new(),
            signatories: None,
        }
    }

    // issue 14: bodies (per-clause signatories)
    /// Whether `party` may sign it: anyone the charter lets, unless it is
    /// tabled, then only its signatories.
    pub fn signs(&self, party: &PartyId) -> bool {
        self.signatories.as_ref().is_none_or(|s| s.contains(party))
    }

    /// Where it stands at `time`: withdrawn and superseded are final;
    /// an adopted clause whose `until` is before `time` has lapsed.
    pub fn phase(&self, time: i64) -> ClausePhase {
        if self.withdrawn.is_some() {
            ClausePhase::Withdrawn
        } else if self.superseded_by.is_some() {
            ClausePhase::Superseded
        } else if !self.is_adopted() {
            ClausePhase::Proposed
        } else if self.until.is_some_and(|u| u < time) {
            ClausePhase::Lapsed
        } else {
            ClausePhase::Adopted
        }
    }

    /// Its phase as the commitments made under it see it at `time`: a
    /// superseded clause still carries them (they stay binding), until its
    /// `until` passes (kept equal to its successor's), when they lapse.
    pub fn commitments_phase(&self, time: i64) -> ClausePhase {
        match self.phase(time) {
            ClausePhase::Superseded if self.until.is_some_and(|u| u < time) => ClausePhase::Lapsed,
            phase => phase,
        }
    }

    /// Whether it binds at `time`: adopted, neither superseded nor lapsed.
    pub fn in_force(&self, time: i64) -> bool {
        self.phase(time) == ClausePhase::Adopted
    }

    /// Whether it is closed to endorsements, acceptances, declines and new
    /// commitments: the state word if so (withdrawn or superseded).
    pub fn closed(&self) -> Option<ClausePhase> {
        if self.withdrawn.is_some() {
            Some(ClausePhase::Withdrawn)
        } else if self.superseded_by.is_some() {
            Some(ClausePhase::Superseded)
        } else {
            None
        }
    }

    /// Whether `party` accepted or declined it.
    pub fn answered_by(&self, party: &PartyId) -> bool {
        self.acceptances
            .iter()
            .chain(&self.declines)
            .any(|(p, _)| p == party)
    }
}

impl CommitmentStatus {
    /// The phase a closed status stands for; `None` while open (then the
    /// clause and the time decide: [`CommitmentState::phase`]).
    fn closed_phase(&self) -> Option<CommitmentPhase> {
        match self {
            CommitmentStatus::Open => None,
            CommitmentStatus::Fulfilled { late: false, .. } => Some(CommitmentPhase::Fulfilled),
            CommitmentStatus::Fulfilled { late: true, .. } => Some(CommitmentPhase::FulfilledLate),
            CommitmentStatus::Withdrawn { .. } => Some(CommitmentPhase::Withdrawn),
            CommitmentStatus::Breached { .. } => Some(CommitmentPhase::Breached),
            CommitmentStatus::Remedied { .. } => Some(CommitmentPhase::Remedied),
        }
    }

    /// The word for the recorded status: "open", or the closed phase.
    pub fn word(&self) -> &'static str {
        self.closed_phase().map_or("open", CommitmentPhase::as_str)
    }
}

impl CommitmentState {
    /// A commitment just made by `obligor` in the entry `made`.
    pub(crate) fn new(
        obligor: PartyId,
        clause: &ClauseId,
        text: &str,
        zone: &Option<String>,
        due: Option<i64>,
        until: Option<i64>,
        made: Head,
    ) -> CommitmentState {
        CommitmentState {
            obligor,
            clause: clause.clone(),
            text: text.to_owned(),
            zone: zone.clone(),
            due,
            made,
            status: CommitmentStatus::Open,
            until,
            last_report: None,
            progress: None,
            attestations: Vec::new(),
            reschedule: None,
            rescheduled: Vec::new(),
            breaches: Vec::new(),
            joined: Vec::new(),
            unbreached: None,
        }
    }

    /// Sets a status; a reschedule still pending lapses once it is not
    /// open (nothing is left to reschedule).
    pub(crate) fn set_status(&mut self, status: CommitmentStatus) {
        if status != CommitmentStatus::Open {
            self.reschedule = None;
        }
        self.status = status;
    }

    /// An adopted ruling finds it breached.
    pub(crate) fn breach(&mut self, ruling: &RulingId, seq: u64) {
        if self.breaches.is_empty() {
            self.unbreached = Some(self.status.clone());
        }
        self.breaches.push((ruling.clone(), seq));
        self.set_status(CommitmentStatus::Breached {
            ruling: ruling.clone(),
            seq,
        });
    }

    /// The breach by `ruling` no longer stands (a revision superseded it).
    /// If its state came from that ruling, it follows the latest breach
    /// still standing, or returns to its state before the first breach.
    pub(crate) fn unbreach(&mut self, ruling: &RulingId) {
        self.breaches.retain(|(b, _)| b != ruling);
        let from_it = matches!(
            &self.status,
            CommitmentStatus::Breached { ruling: r, .. } | CommitmentStatus::Remedied { ruling: r, .. }
                if r == ruling
        );
        if !from_it {
            return;
        }
        self.status = match self.breaches.last() {
            Some((r, seq)) => CommitmentStatus::Breached {
                ruling: r.clone(),
                seq: *seq,
            },
            None => self.unbreached.take().unwrap_or(CommitmentStatus::Open),
        };
    }

    /// Whether `party` is bound by it: its maker or a joint obligor.
    pub fn binds(&self, party: &PartyId) -> bool {
        self.obligor == *party || self.joined.iter().any(|(p, _)| p == party)
    }

    /// Whether its due time has passed at `time` (undelivered, it is overdue).
    pub fn past_due(&self, time: i64) -> bool {
        self.due.is_some_and(|d| d < time)
    }

    /// Whether its undertaking has lapsed at `time`.
    pub fn lapsed(&self, time: i64) -> bool {
        self.until.is_some_and(|u| u < time)
    }

    /// Where it stands at `time`, given where its clause stands then.
    ///
    /// An open commitment under a clause that has lapsed lapses with it:
    /// the agreement it was made under is no longer in force.
    pub fn phase(&self, clause: ClausePhase, time: i64) -> CommitmentPhase {
        match self.status.closed_phase() {
            Some(phase) => phase,
            None if matches!(clause, ClausePhase::Proposed | ClausePhase::Withdrawn) => {
                CommitmentPhase::Pending
            }
            None if clause == ClausePhase::Lapsed => CommitmentPhase::Lapsed,
            None if self.past_due(time) => CommitmentPhase::Overdue,
            None if self.lapsed(time) => CommitmentPhase::Lapsed,
            None => CommitmentPhase::Active,
        }
    }

    /// The latest adopted ruling that found it breached.
    pub fn latest_breach(&self) -> Option<&RulingId> {
        self.breaches.last().map(|(r, _)| r)
    }
}

impl AllegationState {
    /// Where it stands: filed, answered, withdrawn or ruled.
    pub fn phase(&self) -> AllegationPhase {
        match self.status {
            AllegationStatus::Open if self.responses.is_empty() => AllegationPhase::Filed,
            AllegationStatus::Open => AllegationPhase::Answered,
            AllegationStatus::Withdrawn { .. } => AllegationPhase::Withdrawn,
            AllegationStatus::Ruled { .. } => AllegationPhase::Ruled,
        }
    }

    /// Whether it still awaits a ruling or withdrawal.
    pub fn is_open(&self) -> bool {
        self.status == AllegationStatus::Open
    }

    // issue 14: actors
    /// The accused parties (not the actors), in the order named.
    pub fn accused_parties(&self) -> impl Iterator<Item = &PartyId> {
        self.accused.iter().filter_map(Accused::party)
    }

    /// Whether `party` is one of the accused parties.
    pub fn accuses(&self, party: &PartyId) -> bool {
        self.accused_parties().any(|p| p == party)
    }

    /// Whether it names `who` (a party or an actor) among the accused.
    pub fn names(&self, who: &str) -> bool {
        self.accused.iter().any(|a| a.as_str() == who)
    }

    /// Whether the accused party `party` has answered it.
    pub fn answered_by(&self, party: &PartyId) -> bool {
        self.responses.iter().any(|r| &r.by == party)
    }

    /// The one accused party, when it accuses exactly one party and
    /// nothing else (what an `AllegationFiled` records).
    pub fn against(&self) -> Option<&PartyId> {
        match self.accused.as_slice() {
            [Accused::Party(p)] => Some(p),
            _ => None,
        }
    }

    /// The accused in words: ids joined by ", ", or "persons unknown".
    pub fn accused_words(&self) -> String {
        crate::actors::accused_words(&self.accused)
    }

    /// Whether `ruling` is the adopted ruling that decides it now.
    pub fn decided_by(&self, ruling: &RulingId) -> bool {
        matches!(&self.status, AllegationStatus::Ruled { ruling: r, .. } if r == ruling)
    }

    /// Whether the ruling proposal `r` on it can still be adopted: the
    /// allegation is open, or `r` revises the ruling that decides it.
    pub fn awaits(&self, r: &RulingState) -> bool {
        match &r.revises {
            None => self.is_open(),
            Some(old) => self.decided_by(old),
        }
    }
}

impl RulingState {
    /// A ruling just proposed by `proposer` in the entry `proposal`, with
    /// its finding, attribution and breaches, revising `revises` if it is
    /// a revision.
    pub(crate) fn proposed(
        allegation: AllegationId,
        proposer: PartyId,
        (finding, attribution, breaches): (Finding, Attribution, Vec<CommitmentId>),
        proposal: Head,
        revises: Option<RulingId>,
    ) -> RulingState {
        RulingState {
            allegation,
            proposer,
            finding,
            attribution,
            breaches,
            proposal,
            endorsements: Vec::new(),
            dissents: Vec::new(),
            adopted_at: None,
            revises,
            superseded_by: None,
            body: None,
            on_observation: None,
            drafted_time: 0,
            lapse_until: None,
            provisional_at: None,
            ratifications: Vec::new(),
            no_consensus: None,
        }
    }

    /// Where it stands: proposed, adopted or superseded (for a body's
    /// ruling also provisional or no-consensus by dissent; a lapse is
    /// judged at a time: [`RulingState::phase_at`]).
    pub fn phase(&self) -> RulingPhase {
        match (self.adopted_at, &self.superseded_by) {
            (_, Some(_)) => RulingPhase::Superseded,
            (Some(_), None) => RulingPhase::Adopted,
            (None, None) if self.no_consensus.is_some() => RulingPhase::NoConsensus,
            (None, None) if self.provisional_at.is_some() => RulingPhase::Provisional,
            (None, None) => RulingPhase::Proposed,
        }
    }

    // issue 14: bodies
    /// Where it stands at `time`: a body's ruling still proposed once its
    /// consensus lapse has passed has no consensus.
    pub fn phase_at(&self, time: i64) -> RulingPhase {
        match self.phase() {
            RulingPhase::Proposed if self.lapsed(time) => RulingPhase::NoConsensus,
            p => p,
        }
    }

    /// Whether its consensus lapse has passed at `time`.
    pub fn lapsed(&self, time: i64) -> bool {
        self.lapse_until.is_some_and(|u| time > u)
    }
}

impl RevocationState {
    /// Whether `endorser`'s endorsement, added to those on record, adopts
    /// the revocation now (it was not adopted before and now meets the
    /// quorum).
    pub(crate) fn adopted_with(&self, charter: &Charter, endorser: &PartyId) -> bool {
        self.adopted_at.is_none()
            && charter.quorum_met_by(Adoption::Quorum(charter.rules.ruling_quorum), |p| {
                p == endorser || self.endorsements.iter().any(|(q, _)| q == p)
            })
    }
}

/// The name of one record.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum RecordKey {
    /// A clause.
    Clause(ClauseId),
    /// A commitment.
    Commitment(CommitmentId),
    /// An allegation.
    Allegation(AllegationId),
    /// A ruling.
    Ruling(RulingId),
    /// A key revocation.
    Revocation(RevocationId),
    /// A charter amendment.
    Amendment(AmendmentId),
    // issue 14
    /// A monitor's observation.
    Observation(ObservationId),
    /// A task given to a team.
    Task(TaskId),
    /// A recommendation to a party.
    Recommendation(RecommendationId),
    /// A meeting record.
    Meeting(MeetingId),
    /// What is attached to an item after filing (not an item itself: it
    /// never takes an id).
    Notes(ItemId),
}

const PREFIXES: [&[u8]; 11] = [
    b"clause/",
    b"commitment/",
    b"allegation/",
    b"ruling/",
    b"revocation/",
    b"amendment/",
    b"observation/",
    b"task/",
    b"recommendation/",
    b"meeting/",
    b"notes/",
];

impl RecordKey {
    /// The prefix of every clause's store key (a prefix scan finds them all).
    pub const CLAUSE_PREFIX: &'static [u8] = PREFIXES[0];

    /// The key under which a store keeps this record.
    pub fn to_bytes(&self) -> Vec<u8> {
        let (prefix, id) = match self {
            RecordKey::Clause(id) => (PREFIXES[0], id.as_str()),
            RecordKey::Commitment(id) => (PREFIXES[1], id.as_str()),
            RecordKey::Allegation(id) => (PREFIXES[2], id.as_str()),
            RecordKey::Ruling(id) => (PREFIXES[3], id.as_str()),
            RecordKey::Revocation(id) => (PREFIXES[4], id.as_str()),
            RecordKey::Amendment(id) => (PREFIXES[5], id.as_str()),
            RecordKey::Observation(id) => (PREFIXES[6], id.as_str()),
            RecordKey::Task(id) => (PREFIXES[7], id.as_str()),
            RecordKey::Recommendation(id) => (PREFIXES[8], id.as_str()),
            RecordKey::Meeting(id) => (PREFIXES[9], id.as_str()),
            RecordKey::Notes(id) => (PREFIXES[10], id.as_str()),
        };
        [prefix, id.as_bytes()].concat()
    }

    /// The record key a store key names, or `None` if the bytes name none.
    pub fn from_bytes(bytes: &[u8]) -> Option<RecordKey> {
        let (kind, id) = PREFIXES
            .iter()
            .enumerate()
            .find_map(|(i, p)| Some((i, bytes.strip_prefix(*p)?)))?;
        let id = std::str::from_utf8(id).ok()?.to_owned();
        Some(match kind {
            0 => RecordKey::Clause(ClauseId::new(id).ok()?),
            1 => RecordKey::Commitment(CommitmentId::new(id).ok()?),
            2 => RecordKey::Allegation(AllegationId::new(id).ok()?),
            3 => RecordKey::Ruling(RulingId::new(id).ok()?),
            4 => RecordKey::Revocation(RevocationId::new(id).ok()?),
            5 => RecordKey::Amendment(AmendmentId::new(id).ok()?),
            6 => RecordKey::Observation(ObservationId::new(id).ok()?),
            7 => RecordKey::Task(TaskId::new(id).ok()?),
            8 => RecordKey::Recommendation(RecommendationId::new(id).ok()?),
            9 => RecordKey::Meeting(MeetingId::new(id).ok()?),
            _ => RecordKey::Notes(ItemId::new(id).ok()?),
        })
    }

    /// The item's id, whatever its kind.
    pub fn id(&self) -> &str {
        match self {
            RecordKey::Clause(id) => id.as_str(),
            RecordKey::Commitment(id) => id.as_str(),
            RecordKey::Allegation(id) => id.as_str(),
            RecordKey::Ruling(id) => id.as_str(),
            RecordKey::Revocation(id) => id.as_str(),
            RecordKey::Amendment(id) => id.as_str(),
            RecordKey::Observation(id) => id.as_str(),
            RecordKey::Task(id) => id.as_str(),
            RecordKey::Recommendation(id) => id.as_str(),
            RecordKey::Meeting(id) => id.as_str(),
            RecordKey::Notes(id) => id.as_str(),
        }
    }

    /// The keys an item id could name in each kind: ids are unique across
    /// kinds, so creating an item reads all of them.
    pub fn every_kind(id: &str) -> Vec<RecordKey> {
        let mut keys = Vec::with_capacity(10);
        if let Ok(c) = ClauseId::new(id) {
            keys.push(RecordKey::Clause(c));
        }
        if let Ok(c) = CommitmentId::new(id) {
            keys.push(RecordKey::Commitment(c));
        }
        if let Ok(a) = AllegationId::new(id) {
            keys.push(RecordKey::Allegation(a));
        }
        if let Ok(r) = RulingId::new(id) {
            keys.push(RecordKey::Ruling(r));
        }
        if let Ok(r) = RevocationId::new(id) {
            keys.push(RecordKey::Revocation(r));
        }
        if let Ok(m) = AmendmentId::new(id) {
            keys.push(RecordKey::Amendment(m));
        }
        if let Ok(o) = ObservationId::new(id) {
            keys.push(RecordKey::Observation(o));
        }
        if let Ok(t) = TaskId::new(id) {
            keys.push(RecordKey::Task(t));
        }
        if let Ok(r) = RecommendationId::new(id) {
            keys.push(RecordKey::Recommendation(r));
        }
        if let Ok(m) = MeetingId::new(id) {
            keys.push(RecordKey::Meeting(m));
        }
        keys
    }
}

impl Event {
    /// The id of the item this event creates, if it creates one.
    pub fn created_id(&self) -> Option<&str> {
        match self {
            Event::ClauseProposed { id, .. } => Some(id.as_str()),
            Event::CommitmentMade { id, .. } => Some(id.as_str()),
            Event::AllegationFiled { id, .. } => Some(id.as_str()),
            Event::RulingProposed { id, .. } => Some(id.as_str()),
            Event::KeyRevocationProposed { id, .. } => Some(id.as_str()),
            // issue 13
            Event::CommitmentUndertaken { id, .. } => Some(id.as_str()),
            Event::RulingRevisionProposed { id, .. } => Some(id.as_str()),
            // issue 13: clauses
            Event::ClauseRevisionProposed { id, .. } => Some(id.as_str()),
            Event::AmendmentProposed { id, .. } => Some(id.as_str()),
            // issue 14
            Event::AllegationLodged { id, .. } => Some(id.as_str()),
            Event::ObservationRecorded { id, .. } => Some(id.as_str()),
            Event::RulingDrafted { id, .. } => Some(id.as_str()),
            Event::TeamTasked { id, .. } => Some(id.as_str()),
            Event::RecommendationMade { id, .. } => Some(id.as_str()),
            Event::MeetingRecorded { id, .. } => Some(id.as_str()),
            Event::ClauseTabled { id, .. } => Some(id.as_str()),
            _ => None,
        }
    }

    /// The records that admitting this event reads or writes directly; the
    /// ledger adds their [`Records::links`].
    pub fn touches(&self) -> Vec<RecordKey> {
        use RecordKey as K;
        match self {
            Event::Charter(_) => Vec::new(),
            Event::ClauseProposed { id, .. } => RecordKey::every_kind(id.as_str()),
            Event::ClauseEndorsed { clause, .. } | Event::ClauseAccepted { clause, .. } => {
                vec![K::Clause(clause.clone())]
            }
            Event::CommitmentMade { id, clause, .. } => {
                let mut keys = RecordKey::every_kind(id.as_str());
                keys.push(K::Clause(clause.clone()));
                keys
            }
            Event::CommitmentFulfilled { commitment, .. }
            | Event::CommitmentWithdrawn { commitment, .. }
            | Event::CommitmentRemedied { commitment, .. } => {
                vec![K::Commitment(commitment.clone())]
            }
            Event::AllegationFiled {
                id, commitments, ..
            } => {
                let mut keys = RecordKey::every_kind(id.as_str());
                keys.extend(commitments.iter().cloned().map(K::Commitment));
                keys
            }
            Event::AllegationAnswered { allegation, .. }
            | Event::AllegationWithdrawn { allegation, .. } => {
                vec![K::Allegation(allegation.clone())]
            }
            Event::RulingProposed {
                id,
                allegation,
                breaches,
                ..
            } => {
                let mut keys = RecordKey::every_kind(id.as_str());
                keys.push(K::Allegation(allegation.clone()));
                keys.extend(breaches.iter().cloned().map(K::Commitment));
                keys
            }
            Event::RulingEndorsed { ruling, .. } | Event::RulingDissented { ruling, .. } => {
                vec![K::Ruling(ruling.clone())]
            }
            Event::KeyRotated { .. } | Event::KeyRotatedUnproven { .. } => Vec::new(),
            Event::KeyRevocationProposed { id, .. } => RecordKey::every_kind(id.as_str()),
            Event::KeyRevocationEndorsed { revocation, .. } => {
                vec![K::Revocation(revocation.clone())]
            }
            // issue 13: commitments
            Event::CommitmentUndertaken { id, clause, .. } => {
                let mut keys = RecordKey::every_kind(id.as_str());
                keys.push(K::Clause(clause.clone()));
                keys
            }
            Event::CommitmentProgressed { commitment, .. }
            | Event::CommitmentAttested { commitment, .. }
            | Event::CommitmentRescheduleProposed { commitment, .. }
            | Event::CommitmentRescheduleEndorsed { commitment, .. }
            | Event::CommitmentJoined { commitment, .. } => {
                vec![K::Commitment(commitment.clone())]
            }
            // issue 13: allegations and rulings
            Event::AllegationCorrected {
                allegation,
                commitments,
                ..
            } => std::iter::once(K::Allegation(allegation.clone()))
                .chain(commitments.iter().flatten().cloned().map(K::Commitment))
                .collect(),
            Event::RulingRevisionProposed {
                id,
                revises,
                breaches,
                ..
            } => {
                let mut keys = RecordKey::every_kind(id.as_str());
                keys.push(K::Ruling(revises.clone()));
                keys.extend(breaches.iter().cloned().map(K::Commitment));
                keys
            }
            // issue 13: clauses (a revision's own record links to the
            // clause it revises: see `links_of`)
            Event::ClauseWithdrawn { clause, .. }
            | Event::ClauseDeclined { clause, .. }
            | Event::ClauseTermProposed { clause, .. }
            | Event::ClauseTermEndorsed { clause, .. } => vec![K::Clause(clause.clone())],
            Event::ClauseRevisionProposed { id, revises, .. } => {
                let mut keys = RecordKey::every_kind(id.as_str());
                keys.push(K::Clause(revises.clone()));
                keys
            }
            Event::AmendmentProposed { id, .. } => RecordKey::every_kind(id.as_str()),
            Event::AmendmentEndorsed { amendment, .. } => vec![K::Amendment(amendment.clone())],
            // issue 14: an event about an item reads it under every kind
            // its id could have (only one exists) and its notes.
            Event::AllegationLodged {
                id, commitments, ..
            } => {
                let mut keys = RecordKey::every_kind(id.as_str());
                keys.extend(commitments.iter().cloned().map(K::Commitment));
                keys
            }
            Event::ObservationRecorded { id, task, .. } => {
                let mut keys = RecordKey::every_kind(id.as_str());
                keys.extend(task.iter().cloned().map(K::Task));
                keys
            }
            Event::EvidenceAdded { item, .. }
            | Event::ViewRecorded { item, .. }
            | Event::ItemReferred { item, .. } => item_keys(item),
            Event::RulingDrafted {
                id, on, breaches, ..
            } => {
                let mut keys = RecordKey::every_kind(id.as_str());
                keys.extend(item_keys(on));
                keys.extend(breaches.iter().cloned().map(K::Commitment));
                keys
            }
            Event::RulingRatified { ruling, .. } => vec![K::Ruling(ruling.clone())],
            Event::TeamTasked { id, about, .. } => {
                let mut keys = RecordKey::every_kind(id.as_str());
                keys.extend(about.iter().flat_map(item_keys));
                keys
            }
            Event::RecommendationMade { id, about, .. } => {
                let mut keys = RecordKey::every_kind(id.as_str());
                keys.extend(about.iter().flat_map(item_keys));
                keys
            }
            Event::MeasuresReported { recommendation, .. } => {
                vec![K::Recommendation(recommendation.clone())]
            }
            Event::MeetingRecorded { id, .. } => RecordKey::every_kind(id.as_str()),
            Event::MeetingCosigned { meeting, .. } => vec![K::Meeting(meeting.clone())],
            Event::ClauseTabled { id, .. } => RecordKey::every_kind(id.as_str()),
        }
    }
}

/// The records an item id may name (one per kind; at most one exists) and
/// its notes.
fn item_keys(item: &ItemId) -> Vec<RecordKey> {
    let mut keys = RecordKey::every_kind(item.as_str());
    keys.push(RecordKey::Notes(item.clone()));
    keys
}

/// Why [`Records::load_linked`] stopped.
#[derive(Debug)]
pub enum LoadError<E> {
    /// `fetch` failed.
    Fetch(E),
    /// The stored bytes of a record did not decode.
    Undecodable(RecordKey, CodecError),
}

/// All records, or (for an append) just the ones an event touches.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Records {
    pub(crate) clauses: BTreeMap<ClauseId, ClauseState>,
    pub(crate) commitments: BTreeMap<CommitmentId, CommitmentState>,
    pub(crate) allegations: BTreeMap<AllegationId, AllegationState>,
    pub(crate) rulings: BTreeMap<RulingId, RulingState>,
    pub(crate) revocations: BTreeMap<RevocationId, RevocationState>,
    pub(crate) amendments: BTreeMap<AmendmentId, AmendmentState>,
    // issue 14
    pub(crate) observations: BTreeMap<ObservationId, ObservationState>,
    pub(crate) tasks: BTreeMap<TaskId, TaskState>,
    pub(crate) recommendations: BTreeMap<RecommendationId, RecommendationState>,
    pub(crate) meetings: BTreeMap<MeetingId, MeetingState>,
    pub(crate) notes: BTreeMap<ItemId, ItemNotes>,
}

/// A record's store key and encoded value.
pub type EncodedRecord = (Vec<u8>, Vec<u8>);

/// A proposal (clause, ruling, key revocation or amendment) as one answering it
/// needs it: [`Records::proposal`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Proposal {
    /// The proposing entry.
    pub proposal: Head,
    /// The seq of the entry that adopted it, if adopted.
    pub adopted_at: Option<u64>,
    /// How many endorsements it has.
    pub endorsements: usize,
}

impl Records {
    /// Every clause on record, by id.
    pub fn clauses(&self) -> &BTreeMap<ClauseId, ClauseState> {
        &self.clauses
    }
    /// Every commitment on record, by id.
    pub fn commitments(&self) -> &BTreeMap<CommitmentId, CommitmentState> {
        &self.commitments
    }
    /// Every allegation on record, by id.
    pub fn allegations(&self) -> &BTreeMap<AllegationId, AllegationState> {
        &self.allegations
    }
    /// Every ruling on record, by id.
    pub fn rulings(&self) -> &BTreeMap<RulingId, RulingState> {
        &self.rulings
    }
    /// Every key revocation on record, by id.
    pub fn revocations(&self) -> &BTreeMap<RevocationId, RevocationState> {
        &self.revocations
    }
    /// Every charter amendment on record, by id.
    pub fn amendments(&self) -> &BTreeMap<AmendmentId, AmendmentState> {
        &self.amendments
    }

    /// Every monitor's observation held, by id.
    pub fn observations(&self) -> &BTreeMap<ObservationId, ObservationState> {
        &self.observations
    }

    /// Every task held, by id.
    pub fn tasks(&self) -> &BTreeMap<TaskId, TaskState> {
        &self.tasks
    }

    /// Every recommendation held, by id.
    pub fn recommendations(&self) -> &BTreeMap<RecommendationId, RecommendationState> {
        &self.recommendations
    }

    /// Every meeting record held, by id.
    pub fn meetings(&self) -> &BTreeMap<MeetingId, MeetingState> {
        &self.meetings
    }

    /// What is attached to each item after filing, by item id.
    pub fn notes(&self) -> &BTreeMap<ItemId, ItemNotes> {
        &self.notes
    }
    /// The proposal `key` names, if it is a clause, ruling or revocation on
    /// record, or a commitment's pending reschedule: what an endorsement of
    /// it refers to, and how far it has got.
    pub fn proposal(&self, key: &RecordKey) -> Option<Proposal> {
        let (proposal, adopted_at, endorsements) = match key {
            RecordKey::Clause(id) => self
                .clauses
                .get(id)
                .map(|c| (c.proposal, c.adopted_at, c.endorsements.len()))?,
            RecordKey::Ruling(id) => self
                .rulings
                .get(id)
                .map(|r| (r.proposal, r.adopted_at, r.endorsements.len()))?,
            RecordKey::Revocation(id) => self
                .revocations
                .get(id)
                .map(|r| (r.proposal, r.adopted_at, r.endorsements.len()))?,
            RecordKey::Commitment(id) => self
                .commitments
                .get(id)?
                .reschedule
                .as_ref()
                .map(|r| (r.proposal, None, r.endorsements.len()))?,
            RecordKey::Amendment(id) => self
                .amendments
                .get(id)
                .map(|a| (a.proposal, a.adopted_at, a.endorsements.len()))?,
            // issue 14: monitoring (a meeting record is what its
            // attendees cosign; never "adopted")
            RecordKey::Meeting(id) => self
                .meetings
                .get(id)
                .map(|m| (m.record, None, m.cosigned.len()))?,
            _ => return None,
        };
        Some(Proposal {
            proposal,
            adopted_at,
            endorsements,
        })
    }

    /// The obligor's latest report (fulfilment, progress or remedy) on the
    /// commitment `key` names: the entry an attestation names.
    pub fn latest_report(&self, key: &RecordKey) -> Option<Head> {
        match key {
            RecordKey::Commitment(id) => self.commitments.get(id)?.last_report,
            _ => None,
        }
    }

    /// Whether clause `id` is on record and adopted.
    pub fn clause_adopted(&self, id: &ClauseId) -> bool {
        self.clauses.get(id).is_some_and(ClauseState::is_adopted)
    }

    /// Whether any kind of item already uses `id`.
    pub fn id_taken(&self, id: &str) -> bool {
        RecordKey::every_kind(id).iter().any(|k| self.contains(k))
    }

    /// Whether the record `key` names is on record.
    pub fn contains(&self, key: &RecordKey) -> bool {
        match key {
            RecordKey::Clause(id) => self.clauses.contains_key(id),
            RecordKey::Commitment(id) => self.commitments.contains_key(id),
            RecordKey::Allegation(id) => self.allegations.contains_key(id),
            RecordKey::Ruling(id) => self.rulings.contains_key(id),
            RecordKey::Revocation(id) => self.revocations.contains_key(id),
            RecordKey::Amendment(id) => self.amendments.contains_key(id),
            RecordKey::Observation(id) => self.observations.contains_key(id),
            RecordKey::Task(id) => self.tasks.contains_key(id),
            RecordKey::Recommendation(id) => self.recommendations.contains_key(id),
            RecordKey::Meeting(id) => self.meetings.contains_key(id),
            RecordKey::Notes(id) => self.notes.contains_key(id),
        }
    }

    /// Records that the loaded records refer to and whose state an
    /// admission may read or change.
    pub fn links(&self) -> BTreeSet<RecordKey> {
        self.links_of(&self.keys()).into_iter().collect()
    }

    /// Makes sure this holds the records `keys` name and, transitively, the
    /// ones they link to: each one not held yet is asked of `fetch` (its
    /// stored bytes, or `None` if there is no such record). Records already
    /// held are newer than any stored copy and are kept.
    pub fn load_linked<E>(
        &mut self,
        keys: Vec<RecordKey>,
        mut fetch: impl FnMut(&RecordKey) -> Result<Option<Vec<u8>>, E>,
    ) -> Result<(), LoadError<E>> {
        // Links go ruling (revision) -> ruling -> commitment -> clause, then
        // down a clause's chain of revisions.
        let mut pending = keys;
        while let Some(key) = pending.pop() {
            if !self.contains(&key) {
                if let Some(bytes) = fetch(&key).map_err(LoadError::Fetch)? {
                    self.load(&key, &bytes)
                        .map_err(|e| LoadError::Undecodable(key.clone(), e))?;
                }
            }
            pending.extend(self.links_of([&key]));
        }
        Ok(())
    }

    /// The records that the records `keys` name link to ([`Records::links`]
    /// restricted to them): what must be loaded next, without walking every
    /// record already in memory.
    pub fn links_of<'a>(&self, keys: impl IntoIterator<Item = &'a RecordKey>) -> Vec<RecordKey> {
        let mut out = Vec::new();
        for key in keys {
            match key {
                RecordKey::Commitment(id) => {
                    if let Some(c) = self.commitments.get(id) {
                        out.push(RecordKey::Clause(c.clause.clone()));
                    }
                }
                RecordKey::Ruling(id) => {
                    if let Some(r) = self.rulings.get(id) {
                        // issue 14: a body's ruling on an observation links
                        // the observation (no allegation has its id)
                        out.push(match &r.on_observation {
                            Some(o) => RecordKey::Observation(o.clone()),
                            None => RecordKey::Allegation(r.allegation.clone()),
                        });
                        out.extend(r.breaches.iter().cloned().map(RecordKey::Commitment));
                        out.extend(r.revises.iter().cloned().map(RecordKey::Ruling));
                    }
                }
                // issue 13: clauses (adopting a revision supersedes the
                // clause it revises)
                RecordKey::Clause(id) => {
                    if let Some(old) = self.clauses.get(id).and_then(|c| c.revises.clone()) {
                        out.push(RecordKey::Clause(old));
                    }
                }
                _ => {}
            }
        }
        out
    }

    /// The encoded value of one record, or `None` if it does not exist.
    pub fn encode(&self, key: &RecordKey) -> Result<Option<Vec<u8>>, CodecError> {
        match key {
            RecordKey::Clause(id) => self.clauses.get(id).map(codec::encode_derived),
            RecordKey::Commitment(id) => self.commitments.get(id).map(codec::encode_derived),
            RecordKey::Allegation(id) => self.allegations.get(id).map(codec::encode_derived),
            RecordKey::Ruling(id) => self.rulings.get(id).map(codec::encode_derived),
            RecordKey::Revocation(id) => self.revocations.get(id).map(codec::encode_derived),
            RecordKey::Amendment(id) => self.amendments.get(id).map(codec::encode_derived),
            RecordKey::Observation(id) => self.observations.get(id).map(codec::encode_derived),
            RecordKey::Task(id) => self.tasks.get(id).map(codec::encode_derived),
            RecordKey::Recommendation(id) => {
                self.recommendations.get(id).map(codec::encode_derived)
            }
            RecordKey::Meeting(id) => self.meetings.get(id).map(codec::encode_derived),
            RecordKey::Notes(id) => self.notes.get(id).map(codec::encode_derived),
        }
        .transpose()
    }

    /// Loads one record from its stored bytes.
    pub fn load(&mut self, key: &RecordKey, bytes: &[u8]) -> Result<(), CodecError> {
        match key {
            RecordKey::Clause(id) => {
                self.clauses
                    .insert(id.clone(), codec::decode_derived(bytes)?);
            }
            RecordKey::Commitment(id) => {
                self.commitments
                    .insert(id.clone(), codec::decode_derived(bytes)?);
            }
            RecordKey::Allegation(id) => {
                self.allegations
                    .insert(id.clone(), codec::decode_derived(bytes)?);
            }
            RecordKey::Ruling(id) => {
                self.rulings
                    .insert(id.clone(), codec::decode_derived(bytes)?);
            }
            RecordKey::Revocation(id) => {
                self.revocations
                    .insert(id.clone(), codec::decode_derived(bytes)?);
            }
            RecordKey::Amendment(id) => {
                self.amendments
                    .insert(id.clone(), codec::decode_derived(bytes)?);
            }
            RecordKey::Observation(id) => {
                self.observations
                    .insert(id.clone(), codec::decode_derived(bytes)?);
            }
            RecordKey::Task(id) => {
                self.tasks.insert(id.clone(), codec::decode_derived(bytes)?);
            }
            RecordKey::Recommendation(id) => {
                self.recommendations
                    .insert(id.clone(), codec::decode_derived(bytes)?);
            }
            RecordKey::Meeting(id) => {
                self.meetings
                    .insert(id.clone(), codec::decode_derived(bytes)?);
            }
            RecordKey::Notes(id) => {
                self.notes.insert(id.clone(), codec::decode_derived(bytes)?);
            }
        }
        Ok(())
    }

    /// Only the records in `keys`.
    pub fn restrict(mut self, keys: &BTreeSet<RecordKey>) -> Records {
        self.clauses
            .retain(|id, _| keys.contains(&RecordKey::Clause(id.clone())));
        self.commitments
            .retain(|id, _| keys.contains(&RecordKey::Commitment(id.clone())));
        self.allegations
            .retain(|id, _| keys.contains(&RecordKey::Allegation(id.clone())));
        self.rulings
            .retain(|id, _| keys.contains(&RecordKey::Ruling(id.clone())));
        self.revocations
            .retain(|id, _| keys.contains(&RecordKey::Revocation(id.clone())));
        self.amendments
            .retain(|id, _| keys.contains(&RecordKey::Amendment(id.clone())));
        self.observations
            .retain(|id, _| keys.contains(&RecordKey::Observation(id.clone())));
        self.tasks
            .retain(|id, _| keys.contains(&RecordKey::Task(id.clone())));
        self.recommendations
            .retain(|id, _| keys.contains(&RecordKey::Recommendation(id.clone())));
        self.meetings
            .retain(|id, _| keys.contains(&RecordKey::Meeting(id.clone())));
        self.notes
            .retain(|id, _| keys.contains(&RecordKey::Notes(id.clone())));
        self
    }

    /// Drops one record from this (partial) set, as [`Records::restrict`]
    /// drops many; whether it was held.
    pub fn remove(&mut self, key: &RecordKey) -> bool {
        match key {
            RecordKey::Clause(id) => self.clauses.remove(id).is_some(),
            RecordKey::Commitment(id) => self.commitments.remove(id).is_some(),
            RecordKey::Allegation(id) => self.allegations.remove(id).is_some(),
            RecordKey::Ruling(id) => self.rulings.remove(id).is_some(),
            RecordKey::Revocation(id) => self.revocations.remove(id).is_some(),
            RecordKey::Amendment(id) => self.amendments.remove(id).is_some(),
            RecordKey::Observation(id) => self.observations.remove(id).is_some(),
            RecordKey::Task(id) => self.tasks.remove(id).is_some(),
            RecordKey::Recommendation(id) => self.recommendations.remove(id).is_some(),
            RecordKey::Meeting(id) => self.meetings.remove(id).is_some(),
            RecordKey::Notes(id) => self.notes.remove(id).is_some(),
        }
    }

    /// How many records this holds.
    pub fn len(&self) -> usize {
        self.clauses.len()
            + self.commitments.len()
            + self.allegations.len()
            + self.rulings.len()
            + self.revocations.len()
            + self.amendments.len()
            + self.observations.len()
            + self.tasks.len()
            + self.recommendations.len()
            + self.meetings.len()
            + self.notes.len()
    }

    /// Whether no record is held.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Every record's key.
    pub fn keys(&self) -> BTreeSet<RecordKey> {
        let mut out = BTreeSet::new();
        out.extend(self.clauses.keys().cloned().map(RecordKey::Clause));
        out.extend(self.commitments.keys().cloned().map(RecordKey::Commitment));
        out.extend(self.allegations.keys().cloned().map(RecordKey::Allegation));
        out.extend(self.rulings.keys().cloned().map(RecordKey::Ruling));
        out.extend(self.revocations.keys().cloned().map(RecordKey::Revocation));
        out.extend(self.amendments.keys().cloned().map(RecordKey::Amendment));
        out.extend(
            self.observations
                .keys()
                .cloned()
                .map(RecordKey::Observation),
        );
        out.extend(self.tasks.keys().cloned().map(RecordKey::Task));
        out.extend(
            self.recommendations
                .keys()
                .cloned()
                .map(RecordKey::Recommendation),
        );
        out.extend(self.meetings.keys().cloned().map(RecordKey::Meeting));
        out.extend(self.notes.keys().cloned().map(RecordKey::Notes));
        out
    }

    /// Every record as stored key and value.
    pub fn encode_all(&self) -> Result<Vec<EncodedRecord>, CodecError> {
        let mut out = Vec::new();
        for key in self.keys() {
            if let Some(value) = self.encode(&key)? {
                out.push((key.to_bytes(), value));
            }
        }
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_round_trip() {
        for k in [
            RecordKey::Clause(ClauseId::new("C1").unwrap()),
            RecordKey::Commitment(CommitmentId::new("K1").unwrap()),
            RecordKey::Allegation(AllegationId::new("A1").unwrap()),
            RecordKey::Ruling(RulingId::new("R1").unwrap()),
            RecordKey::Revocation(RevocationId::new("V1").unwrap()),
            RecordKey::Amendment(AmendmentId::new("M1").unwrap()),
            RecordKey::Observation(ObservationId::new("O1").unwrap()),
            RecordKey::Task(TaskId::new("T1").unwrap()),
            RecordKey::Recommendation(RecommendationId::new("RC1").unwrap()),
            RecordKey::Meeting(MeetingId::new("MT1").unwrap()),
            RecordKey::Notes(ItemId::new("A1").unwrap()),
        ] {
            assert_eq!(RecordKey::from_bytes(&k.to_bytes()), Some(k));
        }
        assert_eq!(
            RecordKey::Clause(ClauseId::new("C1").unwrap()).to_bytes(),
            b"clause/C1"
        );
        assert_eq!(RecordKey::from_bytes(b"clause/bad id"), None);
        assert_eq!(RecordKey::from_bytes(b"other/C1"), None);
        assert_eq!(RecordKey::every_kind("X").len(), 10);
    }
}
