//! Events: the facts an entry records, named in the past tense.
//!
//! The variant order is part of the format (bincode writes the variant index
//! as a u32). New kinds are appended at the end; existing variants are never
//! reordered or changed.

use serde::{Deserialize, Serialize};

use crate::amendment::CharterChange;
use crate::charter::Charter;
use crate::crypto::{PublicKey, Signature};
use crate::ids::{
    AllegationId, AmendmentId, BodyId, ClauseId, CommitmentId, EntryHash, ItemId, MeetingId,
    ObservationId, PartyId, RecommendationId, RevocationId, RulingId, TaskId,
};
use crate::terms::{
    Accused, Attribution, Evidence, Exhibit, Finding, PlacePrecision, Position, TimePrecision,
    Verdict,
};

/// What an entry records: one fact about the agreement, named in the past tense.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Event {
    /// Entry 0: founds the ledger.
    Charter(Charter),
    /// A guarantor or the mediator puts a clause's text on the record.
    ClauseProposed {
        /// The new clause's id.
        id: ClauseId,
        /// Its title, one line.
        title: String,
        /// Its full text, exactly as parties will endorse or accept it.
        text: String,
    },
    /// A guarantor or the mediator endorses exactly the text of the proposal
    /// entry whose hash it names.
    ClauseEndorsed {
        /// The clause endorsed.
        clause: ClauseId,
        /// The hash of the proposal entry whose text is endorsed.
        proposal: EntryHash,
    },
    /// A party to the conflict accepts exactly the text of a proposal
    /// (signing and accepting are separate acts).
    ClauseAccepted {
        /// The clause accepted.
        clause: ClauseId,
        /// The hash of the proposal entry whose text is accepted.
        proposal: EntryHash,
    },
    /// The author commits itself under a clause.
    CommitmentMade {
        /// The new commitment's id.
        id: CommitmentId,
        /// The clause it is made under (adopted or not yet).
        clause: ClauseId,
        /// What the author undertakes.
        text: String,
        /// The area it applies to, if limited to one.
        zone: Option<String>,
        /// Unix seconds by which it is to be fulfilled.
        due: Option<i64>,
    },
    /// The obligor reports a commitment fulfilled.
    CommitmentFulfilled {
        /// The commitment reported kept.
        commitment: CommitmentId,
        /// How it was kept, in the obligor's words.
        note: String,
    },
    /// The obligor withdraws a commitment, with its reason.
    CommitmentWithdrawn {
        /// The commitment withdrawn.
        commitment: CommitmentId,
        /// Why it is withdrawn.
        reason: String,
    },
    /// The obligor reports a remedy after an adopted ruling of breach.
    CommitmentRemedied {
        /// The commitment remedied.
        commitment: CommitmentId,
        /// What was done to remedy the breach.
        note: String,
    },
    /// A party alleges a violation by another.
    AllegationFiled {
        /// The new allegation's id.
        id: AllegationId,
        /// The party accused.
        against: PartyId,
        /// The accused party's commitments it says were broken.
        commitments: Vec<CommitmentId>,
        /// Unix seconds of the alleged incident.
        occurred: i64,
        /// Where the incident happened.
        location: String,
        /// What happened, in the accuser's words.
        summary: String,
        /// Digests of the evidence offered.
        evidence: Vec<Evidence>,
    },
    /// The accused answers an allegation.
    AllegationAnswered {
        /// The allegation answered.
        allegation: AllegationId,
        /// The accused party's position.
        position: Position,
        /// The answer, in the accused party's words.
        text: String,
        /// Digests of the evidence offered in answer.
        evidence: Vec<Evidence>,
    },
    /// The alleging party withdraws its allegation.
    AllegationWithdrawn {
        /// The allegation withdrawn.
        allegation: AllegationId,
        /// Why it is withdrawn.
        reason: String,
    },
    /// A guarantor or monitor drafts a finding on an allegation.
    RulingProposed {
        /// The new ruling's id.
        id: RulingId,
        /// The allegation it decides.
        allegation: AllegationId,
        /// Whether the incident is found to have happened.
        finding: Finding,
        /// Whom the incident is attributed to.
        attribution: Attribution,
        /// The accused party's commitments found breached (only with a confirmed finding).
        breaches: Vec<CommitmentId>,
        /// The reasoning, in words.
        text: String,
    },
    /// A guarantor endorses exactly the ruling proposal whose hash it names.
    RulingEndorsed {
        /// The ruling endorsed.
        ruling: RulingId,
        /// The hash of the proposal entry endorsed.
        proposal: EntryHash,
    },
    /// A guarantor records its dissent from a ruling (kept, not blocking).
    RulingDissented {
        /// The ruling dissented from.
        ruling: RulingId,
        /// The hash of the proposal entry dissented from.
        proposal: EntryHash,
        /// Why the guarantor dissents.
        text: String,
    },
    /// Retired (the gate refuses it): a rotation that did not prove the
    /// author holds the new key. Kept so that its index keeps its meaning.
    KeyRotatedUnproven {
        /// The key the author said it would sign with.
        new_key: PublicKey,
    },
    /// A guarantor proposes revoking a party's key (lost or compromised),
    /// optionally naming the party's replacement key.
    KeyRevocationProposed {
        /// The new revocation's id.
        id: RevocationId,
        /// The party whose key is to be revoked.
        party: PartyId,
        /// Why, in words (lost, compromised, ...).
        reason: String,
        /// The key the party is to sign with once adopted, if named.
        replacement: Option<PublicKey>,
    },
    /// A guarantor endorses exactly the revocation proposal whose hash it
    /// names; at the charter's `ruling_quorum` the revocation takes effect.
    KeyRevocationEndorsed {
        /// The revocation endorsed.
        revocation: RevocationId,
        /// The hash of the proposal entry endorsed.
        proposal: EntryHash,
    },
    /// The author replaces its own key. Signed with the current key, and
    /// `proof` is the new key's signature over
    /// [`crate::crypto::possession_message`] (this ledger, this party, the
    /// new key): nobody can rotate to a key they do not hold. The new key
    /// signs from the next entry on, and the old one never again.
    KeyRotated {
        /// The key the author signs with from the next entry on.
        new_key: PublicKey,
        /// The new key's signature over the possession message.
        proof: Signature,
    },
    // issue 13: commitments
    /// The author commits itself under a clause, with a deliverable's due
    /// time and/or the time its undertaking lapses (`CommitmentMade` has
    /// only the first).
    CommitmentUndertaken {
        /// The new commitment's id.
        id: CommitmentId,
        /// The clause it is made under (adopted or not yet).
        clause: ClauseId,
        /// What the author undertakes.
        text: String,
        /// The area it applies to, if limited to one.
        zone: Option<String>,
        /// Unix seconds by which it is to be delivered; after it, undelivered, it is overdue.
        due: Option<i64>,
        /// Unix seconds at which the undertaking lapses.
        until: Option<i64>,
    },
    /// The obligor reports progress on a commitment (`done` of `of` units).
    CommitmentProgressed {
        /// The commitment reported on.
        commitment: CommitmentId,
        /// Units done so far.
        done: u64,
        /// Units in all.
        of: u64,
        /// The report, in the obligor's words.
        note: String,
    },
    /// A verifier (a monitor or guarantor, not the obligor) checks the
    /// obligor's latest report on a commitment, named by its entry hash.
    CommitmentAttested {
        /// The commitment whose report is checked.
        commitment: CommitmentId,
        /// The hash of the report entry (fulfilment, progress or remedy).
        report: EntryHash,
        /// What the verifier found.
        verdict: Verdict,
        /// The verifier's note.
        note: String,
    },
    /// The obligor, a guarantor or the mediator proposes new times for a
    /// commitment (replacing a proposal still pending).
    CommitmentRescheduleProposed {
        /// The commitment.
        commitment: CommitmentId,
        /// The new due time (`None`: no deliverable date).
        due: Option<i64>,
        /// The new lapse time (`None`: no end).
        until: Option<i64>,
        /// Why, in words.
        reason: String,
    },
    /// The obligor, a guarantor or the mediator agrees to exactly the
    /// reschedule proposal whose hash it names.
    CommitmentRescheduleEndorsed {
        /// The commitment.
        commitment: CommitmentId,
        /// The hash of the reschedule proposal entry.
        proposal: EntryHash,
    },
    // issue 13: allegations and rulings
    /// The accuser corrects an open allegation: each field given replaces
    /// the one on record from this entry on, and evidence is added; the
    /// filing stays on record.
    AllegationCorrected {
        /// The allegation corrected.
        allegation: AllegationId,
        /// The accused party's commitments it says were broken, if corrected.
        commitments: Option<Vec<CommitmentId>>,
        /// Unix seconds of the alleged incident, if corrected.
        occurred: Option<i64>,
        /// Where the incident happened, if corrected.
        location: Option<String>,
        /// What happened, in the accuser's words, if corrected.
        summary: Option<String>,
        /// Digests of evidence added.
        evidence: Vec<Evidence>,
        /// What the correction changes and why.
        reason: String,
    },
    /// A guarantor or monitor proposes to reconsider the adopted ruling
    /// that decides an allegation: once adopted under the ruling rule, this
    /// ruling supersedes it.
    RulingRevisionProposed {
        /// The new ruling's id.
        id: RulingId,
        /// The adopted ruling it would supersede.
        revises: RulingId,
        /// Whether the incident is found to have happened.
        finding: Finding,
        /// Whom the incident is attributed to.
        attribution: Attribution,
        /// The accused party's commitments found breached (only with a confirmed finding).
        breaches: Vec<CommitmentId>,
        /// The reasoning, in words.
        text: String,
    },
    /// A party joins a commitment as a joint obligor: bound by exactly the
    /// text of the entry that made it, whose hash it names.
    CommitmentJoined {
        /// The commitment joined.
        commitment: CommitmentId,
        /// The hash of the entry that made the commitment.
        made: EntryHash,
    },
    // issue 13: clauses
    /// The proposer withdraws its clause proposal before adoption.
    ClauseWithdrawn {
        /// The clause withdrawn.
        clause: ClauseId,
        /// Why it is withdrawn.
        reason: String,
    },
    /// A party to the conflict declines exactly the text of a proposal
    /// (instead of accepting it).
    ClauseDeclined {
        /// The clause declined.
        clause: ClauseId,
        /// The hash of the proposal entry whose text is declined.
        proposal: EntryHash,
        /// Why it is declined.
        reason: String,
    },
    /// A guarantor or the mediator proposes a new text for an adopted
    /// clause: a new clause that supersedes `revises` once adopted
    /// (endorsed and accepted as any clause).
    ClauseRevisionProposed {
        /// The new clause's id.
        id: ClauseId,
        /// The adopted clause it is to supersede.
        revises: ClauseId,
        /// Its title, one line.
        title: String,
        /// Its full text.
        text: String,
    },
    /// A guarantor or the mediator proposes when an adopted clause stops
    /// being in force (`None`: no end); replaces a pending term proposal.
    ClauseTermProposed {
        /// The clause.
        clause: ClauseId,
        /// Unix seconds after which the clause has lapsed, or none.
        until: Option<i64>,
        /// Why, in words.
        reason: String,
    },
    /// A guarantor or the mediator endorses exactly the term proposal whose
    /// hash it names; under the clause adoption rule the term takes effect.
    ClauseTermEndorsed {
        /// The clause.
        clause: ClauseId,
        /// The hash of the term proposal entry endorsed.
        proposal: EntryHash,
    },
    // issue 13: charter amendments
    /// A guarantor, the mediator or the secretariat proposes changes to
    /// the charter in force, applied together once adopted.
    AmendmentProposed {
        /// The new amendment's id.
        id: AmendmentId,
        /// The changes, applied in order to the charter in force.
        changes: Vec<CharterChange>,
        /// Why, in words.
        reason: String,
    },
    /// A guarantor endorses exactly the amendment proposal whose hash it
    /// names; under the charter's amendment rule the amendment takes effect
    /// from this entry on.
    AmendmentEndorsed {
        /// The amendment endorsed.
        amendment: AmendmentId,
        /// The hash of the proposal entry endorsed.
        proposal: EntryHash,
    },
    // issue 14: actors and several accused
    /// A party alleges a violation by any number of accused: parties and
    /// listed actors; none means the perpetrator is unknown.
    AllegationLodged {
        /// The new allegation's id.
        id: AllegationId,
        /// Who is accused (empty: unknown).
        accused: Vec<Accused>,
        /// The accused parties' commitments it says were broken.
        commitments: Vec<CommitmentId>,
        /// Unix seconds of the alleged incident.
        occurred: i64,
        /// Where the incident happened.
        location: String,
        /// What happened, in the accuser's words.
        summary: String,
        /// Digests of the evidence offered.
        evidence: Vec<Evidence>,
    },
    // issue 14: monitors' reports
    /// A monitor (or a member of the reporting body) records what it
    /// observed, accusing nobody.
    ObservationRecorded {
        /// The new observation's id.
        id: ObservationId,
        /// The body (team) reporting, if it reports as one.
        body: Option<BodyId>,
        /// The task it answers, if it answers one.
        task: Option<TaskId>,
        /// Unix seconds of what was observed.
        occurred: i64,
        /// How precisely that time is known.
        time_precision: TimePrecision,
        /// Where.
        location: String,
        /// How precisely that place is known.
        place_precision: PlacePrecision,
        /// A value of the charter's severity scale.
        severity: Option<String>,
        /// A value of the charter's violation scale.
        violation: Option<String>,
        /// What was observed.
        summary: String,
        /// Digests of the evidence offered.
        evidence: Vec<Evidence>,
    },
    /// Evidence added to an item after it was filed.
    EvidenceAdded {
        /// The item (allegation, observation, ruling, commitment, ...).
        item: ItemId,
        /// The files, by digest (salted where guessable).
        evidence: Vec<Exhibit>,
        /// What the evidence shows, in words.
        note: String,
    },
    // issue 14: bodies
    /// A member of a body drafts the body's ruling on an allegation or an
    /// observation, decided under the body's rule.
    RulingDrafted {
        /// The new ruling's id.
        id: RulingId,
        /// The allegation or observation it decides.
        on: ItemId,
        /// The body that decides it.
        body: BodyId,
        /// Whether the incident is found to have happened.
        finding: Finding,
        /// Whom the incident is attributed to.
        attribution: Attribution,
        /// Commitments found breached (only with a confirmed finding).
        breaches: Vec<CommitmentId>,
        /// The reasoning, in words.
        text: String,
    },
    /// A member of the parent body adopts exactly the provisional ruling
    /// whose proposal hash it names, under the parent body's rule.
    RulingRatified {
        /// The ruling.
        ruling: RulingId,
        /// The hash of the ruling's proposal entry.
        proposal: EntryHash,
    },
    /// A party that does not vote on an item records its view of it.
    ViewRecorded {
        /// The item.
        item: ItemId,
        /// The view, in words.
        text: String,
    },
    /// An item is referred to a body (up or down the levels).
    ItemReferred {
        /// The item referred.
        item: ItemId,
        /// The body it is referred to.
        to: BodyId,
        /// Why, in words.
        note: String,
    },
    /// A body tasks one of its teams, with a due time.
    TeamTasked {
        /// The new task's id.
        id: TaskId,
        /// The team (a body) tasked.
        team: BodyId,
        /// The item the task is about, if any.
        about: Option<ItemId>,
        /// What is to be done.
        text: String,
        /// Unix seconds by which the team is to report.
        due: i64,
    },
    /// A body recommends measures to a party, which is to report the
    /// measures taken by `due`.
    RecommendationMade {
        /// The new recommendation's id.
        id: RecommendationId,
        /// The body that recommends.
        body: BodyId,
        /// The party recommended to.
        to: PartyId,
        /// The item it follows from, if any.
        about: Option<ItemId>,
        /// The recommendation.
        text: String,
        /// Unix seconds by which the measures taken are to be reported.
        due: i64,
    },
    /// The party recommended to reports the measures it took.
    MeasuresReported {
        /// The recommendation.
        recommendation: RecommendationId,
        /// The measures, in words.
        text: String,
        /// Digests of the evidence offered.
        evidence: Vec<Evidence>,
    },
    /// The secretariat records a meeting.
    MeetingRecorded {
        /// The new meeting record's id.
        id: MeetingId,
        /// The body that met, if one did.
        body: Option<BodyId>,
        /// Unix seconds when it was held.
        held: i64,
        /// Where.
        place: String,
        /// Who attended (parties of the charter in force).
        attendees: Vec<PartyId>,
        /// The agenda, one line per item.
        agenda: Vec<String>,
        /// What was decided or said, in words.
        outcome: String,
    },
    /// An attendee cosigns exactly the meeting record whose hash it names.
    MeetingCosigned {
        /// The meeting.
        meeting: MeetingId,
        /// The hash of the meeting record entry.
        record: EntryHash,
    },
    // issue 14: per-clause signatories
    /// A guarantor or the mediator proposes a clause that binds only its
    /// signatories: adopted when every guarantor among them endorses;
    /// only party signatories accept it, only signatories commit under it.
    ClauseTabled {
        /// The new clause's id.
        id: ClauseId,
        /// Its title, one line.
        title: String,
        /// Its full text.
        text: String,
        /// The parties it binds.
        signatories: Vec<PartyId>,
    },
}

impl Event {
    // issue 15: json
    /// Every word [`Event::kind`] can return, in declaration order (a test
    /// checks it against `kind` and docs/JSON.md).
    pub const KINDS: &'static [&'static str] = &[
        "charter",
        "clause-proposed",
        "clause-endorsed",
        "clause-accepted",
        "commitment-made",
        "commitment-fulfilled",
        "commitment-withdrawn",
        "commitment-remedied",
        "allegation-filed",
        "allegation-answered",
        "allegation-withdrawn",
        "ruling-proposed",
        "ruling-endorsed",
        "ruling-dissented",
        "key-rotated",
        "key-revocation-proposed",
        "key-revocation-endorsed",
        "commitment-undertaken",
        "commitment-progressed",
        "commitment-attested",
        "commitment-reschedule-proposed",
        "commitment-reschedule-endorsed",
        "allegation-corrected",
        "ruling-revision-proposed",
        "commitment-joined",
        "clause-withdrawn",
        "clause-declined",
        "clause-revision-proposed",
        "clause-term-proposed",
        "clause-term-endorsed",
        "amendment-proposed",
        "amendment-endorsed",
        "allegation-lodged",
        "observation-recorded",
        "evidence-added",
        "ruling-drafted",
        "ruling-ratified",
        "view-recorded",
        "item-referred",
        "team-tasked",
        "recommendation-made",
        "measures-reported",
        "meeting-recorded",
        "meeting-cosigned",
        "clause-tabled",
    ];

    /// A stable, lower-case name for the kind, used in logs and JSON.
    pub fn kind(&self) -> &'static str {
        match self {
            Event::Charter(_) => "charter",
            Event::ClauseProposed { .. } => "clause-proposed",
            Event::ClauseEndorsed { .. } => "clause-endorsed",
            Event::ClauseAccepted { .. } => "clause-accepted",
            Event::CommitmentMade { .. } => "commitment-made",
            Event::CommitmentFulfilled { .. } => "commitment-fulfilled",
            Event::CommitmentWithdrawn { .. } => "commitment-withdrawn",
            Event::CommitmentRemedied { .. } => "commitment-remedied",
            Event::AllegationFiled { .. } => "allegation-filed",
            Event::AllegationAnswered { .. } => "allegation-answered",
            Event::AllegationWithdrawn { .. } => "allegation-withdrawn",
            Event::RulingProposed { .. } => "ruling-proposed",
            Event::RulingEndorsed { .. } => "ruling-endorsed",
            Event::RulingDissented { .. } => "ruling-dissented",
            Event::KeyRotated { .. } | Event::KeyRotatedUnproven { .. } => "key-rotated",
            Event::KeyRevocationProposed { .. } => "key-revocation-proposed",
            Event::KeyRevocationEndorsed { .. } => "key-revocation-endorsed",
            // issue 13: commitments
            Event::CommitmentUndertaken { .. } => "commitment-undertaken",
            Event::CommitmentProgressed { .. } => "commitment-progressed",
            Event::CommitmentAttested { .. } => "commitment-attested",
            Event::CommitmentRescheduleProposed { .. } => "commitment-reschedule-proposed",
            Event::CommitmentRescheduleEndorsed { .. } => "commitment-reschedule-endorsed",
            // issue 13: allegations and rulings
            Event::AllegationCorrected { .. } => "allegation-corrected",
            Event::RulingRevisionProposed { .. } => "ruling-revision-proposed",
            Event::CommitmentJoined { .. } => "commitment-joined",
            // issue 13: clauses
            Event::ClauseWithdrawn { .. } => "clause-withdrawn",
            Event::ClauseDeclined { .. } => "clause-declined",
            Event::ClauseRevisionProposed { .. } => "clause-revision-proposed",
            Event::ClauseTermProposed { .. } => "clause-term-proposed",
            Event::ClauseTermEndorsed { .. } => "clause-term-endorsed",
            // issue 13: charter amendments
            Event::AmendmentProposed { .. } => "amendment-proposed",
            Event::AmendmentEndorsed { .. } => "amendment-endorsed",
            // issue 14
            Event::AllegationLodged { .. } => "allegation-lodged",
            Event::ObservationRecorded { .. } => "observation-recorded",
            Event::EvidenceAdded { .. } => "evidence-added",
            Event::RulingDrafted { .. } => "ruling-drafted",
            Event::RulingRatified { .. } => "ruling-ratified",
            Event::ViewRecorded { .. } => "view-recorded",
            Event::ItemReferred { .. } => "item-referred",
            Event::TeamTasked { .. } => "team-tasked",
            Event::RecommendationMade { .. } => "recommendation-made",
            Event::MeasuresReported { .. } => "measures-reported",
            Event::MeetingRecorded { .. } => "meeting-recorded",
            Event::MeetingCosigned { .. } => "meeting-cosigned",
            Event::ClauseTabled { .. } => "clause-tabled",
        }
    }

    /// Every item id the event names (the item it is about first), for
    /// histories.
    pub fn mentions(&self) -> Vec<&str> {
        match self {
            Event::Charter(_) => Vec::new(),
            Event::ClauseProposed { id, .. } => vec![id.as_str()],
            Event::ClauseEndorsed { clause, .. } | Event::ClauseAccepted { clause, .. } => {
                vec![clause.as_str()]
            }
            Event::CommitmentMade { id, clause, .. } => vec![id.as_str(), clause.as_str()],
            Event::CommitmentFulfilled { commitment, .. }
            | Event::CommitmentWithdrawn { commitment, .. }
            | Event::CommitmentRemedied { commitment, .. } => vec![commitment.as_str()],
            Event::AllegationFiled {
                id, commitments, ..
            } => std::iter::once(id.as_str())
                .chain(commitments.iter().map(|c| c.as_str()))
                .collect(),
            Event::AllegationAnswered { allegation, .. }
            | Event::AllegationWithdrawn { allegation, .. } => vec![allegation.as_str()],
            Event::RulingProposed {
                id,
                allegation,
                breaches,
                ..
            } => [id.as_str(), allegation.as_str()]
                .into_iter()
                .chain(breaches.iter().map(|c| c.as_str()))
                .collect(),
            Event::RulingEndorsed { ruling, .. } | Event::RulingDissented { ruling, .. } => {
                vec![ruling.as_str()]
            }
            Event::KeyRotated { .. } | Event::KeyRotatedUnproven { .. } => Vec::new(),
            Event::KeyRevocationProposed { id, party, .. } => vec![id.as_str(), party.as_str()],
            Event::KeyRevocationEndorsed { revocation, .. } => vec![revocation.as_str()],
            // issue 13: commitments
            Event::CommitmentUndertaken { id, clause, .. } => vec![id.as_str(), clause.as_str()],
            Event::CommitmentProgressed { commitment, .. }
            | Event::CommitmentAttested { commitment, .. }
            | Event::CommitmentRescheduleProposed { commitment, .. }
            | Event::CommitmentRescheduleEndorsed { commitment, .. } => vec![commitment.as_str()],
            // issue 13: allegations and rulings
            Event::AllegationCorrected {
                allegation,
                commitments,
                ..
            } => std::iter::once(allegation.as_str())
                .chain(commitments.iter().flatten().map(|c| c.as_str()))
                .collect(),
            Event::RulingRevisionProposed {
                id,
                revises,
                breaches,
                ..
            } => [id.as_str(), revises.as_str()]
                .into_iter()
                .chain(breaches.iter().map(|c| c.as_str()))
                .collect(),
            Event::CommitmentJoined { commitment, .. } => vec![commitment.as_str()],
            // issue 13: clauses
            Event::ClauseWithdrawn { clause, .. }
            | Event::ClauseDeclined { clause, .. }
            | Event::ClauseTermProposed { clause, .. }
            | Event::ClauseTermEndorsed { clause, .. } => vec![clause.as_str()],
            Event::ClauseRevisionProposed { id, revises, .. } => {
                vec![id.as_str(), revises.as_str()]
            }
            // issue 13: charter amendments
            Event::AmendmentProposed { id, changes, .. } => std::iter::once(id.as_str())
                .chain(
                    changes
                        .iter()
                        .filter_map(|c| c.party().map(PartyId::as_str)),
                )
                .collect(),
            Event::AmendmentEndorsed { amendment, .. } => vec![amendment.as_str()],
            // issue 14
            Event::AllegationLodged {
                id,
                accused,
                commitments,
                ..
            } => std::iter::once(id.as_str())
                .chain(accused.iter().map(Accused::as_str))
                .chain(commitments.iter().map(|c| c.as_str()))
                .collect(),
            Event::ObservationRecorded { id, task, .. } => std::iter::once(id.as_str())
                .chain(task.iter().map(|t| t.as_str()))
                .collect(),
            Event::EvidenceAdded { item, .. }
            | Event::ViewRecorded { item, .. }
            | Event::ItemReferred { item, .. } => vec![item.as_str()],
            Event::RulingDrafted {
                id, on, breaches, ..
            } => [id.as_str(), on.as_str()]
                .into_iter()
                .chain(breaches.iter().map(|c| c.as_str()))
                .collect(),
            Event::RulingRatified { ruling, .. } => vec![ruling.as_str()],
            Event::TeamTasked { id, about, .. } => std::iter::once(id.as_str())
                .chain(about.iter().map(|a| a.as_str()))
                .collect(),
            Event::RecommendationMade { id, to, about, .. } => [id.as_str(), to.as_str()]
                .into_iter()
                .chain(about.iter().map(|a| a.as_str()))
                .collect(),
            Event::MeasuresReported { recommendation, .. } => vec![recommendation.as_str()],
            Event::MeetingRecorded { id, .. } => vec![id.as_str()],
            Event::MeetingCosigned { meeting, .. } => vec![meeting.as_str()],
            Event::ClauseTabled { id, .. } => vec![id.as_str()],
        }
    }

    /// What the event is about, for one-line listings.
    pub fn subject(&self) -> String {
        match self {
            Event::Charter(c) => c.title.clone(),
            Event::ClauseProposed { id, .. } => id.to_string(),
            Event::ClauseEndorsed { clause, .. } | Event::ClauseAccepted { clause, .. } => {
                clause.to_string()
            }
            Event::CommitmentMade { id, .. } => id.to_string(),
            Event::CommitmentFulfilled { commitment, .. }
            | Event::CommitmentWithdrawn { commitment, .. }
            | Event::CommitmentRemedied { commitment, .. } => commitment.to_string(),
            Event::AllegationFiled { id, .. } => id.to_string(),
            Event::AllegationAnswered { allegation, .. }
            | Event::AllegationWithdrawn { allegation, .. } => allegation.to_string(),
            Event::RulingProposed { id, .. } => id.to_string(),
            Event::RulingEndorsed { ruling, .. } | Event::RulingDissented { ruling, .. } => {
                ruling.to_string()
            }
            Event::KeyRotated { new_key, .. } | Event::KeyRotatedUnproven { new_key } => {
                format!("key {}", new_key.id().short())
            }
            Event::KeyRevocationProposed { id, .. } => id.to_string(),
            Event::KeyRevocationEndorsed { revocation, .. } => revocation.to_string(),
            // issue 13: commitments
            Event::CommitmentUndertaken { id, .. } => id.to_string(),
            Event::CommitmentProgressed { commitment, .. }
            | Event::CommitmentAttested { commitment, .. }
            | Event::CommitmentRescheduleProposed { commitment, .. }
            | Event::CommitmentRescheduleEndorsed { commitment, .. } => commitment.to_string(),
            // issue 13: allegations and rulings
            Event::AllegationCorrected { allegation, .. } => allegation.to_string(),
            Event::RulingRevisionProposed { id, .. } => id.to_string(),
            Event::CommitmentJoined { commitment, .. } => commitment.to_string(),
            // issue 13: clauses
            Event::ClauseWithdrawn { clause, .. }
            | Event::ClauseDeclined { clause, .. }
            | Event::ClauseTermProposed { clause, .. }
            | Event::ClauseTermEndorsed { clause, .. } => clause.to_string(),
            Event::ClauseRevisionProposed { id, .. } => id.to_string(),
            // issue 13: charter amendments
            Event::AmendmentProposed { id, .. } => id.to_string(),
            Event::AmendmentEndorsed { amendment, .. } => amendment.to_string(),
            // issue 14
            Event::AllegationLodged { id, .. } => id.to_string(),
            Event::ObservationRecorded { id, .. } => id.to_string(),
            Event::EvidenceAdded { item, .. }
            | Event::ViewRecorded { item, .. }
            | Event::ItemReferred { item, .. } => item.to_string(),
            Event::RulingDrafted { id, .. } => id.to_string(),
            Event::RulingRatified { ruling, .. } => ruling.to_string(),
            Event::TeamTasked { id, .. } => id.to_string(),
            Event::RecommendationMade { id, .. } => id.to_string(),
            Event::MeasuresReported { recommendation, .. } => recommendation.to_string(),
            Event::MeetingRecorded { id, .. } => id.to_string(),
            Event::MeetingCosigned { meeting, .. } => meeting.to_string(),
            Event::ClauseTabled { id, .. } => id.to_string(),
        }
    }
}
