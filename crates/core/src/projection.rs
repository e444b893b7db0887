//! Projections: pure functions from a folded [`State`] to the views people
//! ask for: each party's obligations, what changed between two points, and
//! which entries make up the record of one item.
//!
//! A projection never reads a clock: "as of" is an argument, so two
//! parties asking about the same point get the same answer.

use std::collections::{BTreeMap, BTreeSet};

// issue 15: json (the views are output types: their schemas are docs/schemas/)
use schemars::JsonSchema;
use serde::Serialize;

use crate::charter::Role;
use crate::event::Event;
use crate::ids::{AllegationId, BodyId, ClauseId, CommitmentId, PartyId, RulingId};
use crate::phase::words;
use crate::records::{
    AllegationPhase, AllegationStatus, Attestation, ClausePhase, CommitmentPhase, CommitmentState,
    CommitmentStatus, Progress, RecordKey, Records, Reschedule, RulingPhase,
};
use crate::state::State;
use crate::terms::{Accused, Attribution, Finding};

/// One commitment as a party's obligations show it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, JsonSchema)]
pub struct CommitmentView {
    /// The commitment's id.
    pub id: CommitmentId,
    /// The clause it is made under.
    pub clause: ClauseId,
    /// What the obligor undertakes.
    pub text: String,
    /// The area it applies to, if limited to one.
    pub zone: Option<String>,
    /// When it falls due (seconds since 1970; RFC 3339 in JSON output), if it has a deadline.
    #[schemars(with = "Option<String>")]
    pub due: Option<i64>,
    /// When its undertaking lapses (seconds since 1970; RFC 3339 in JSON output), if it has an end.
    #[schemars(with = "Option<String>")]
    pub until: Option<i64>,
    /// pending | active | overdue | lapsed | fulfilled | fulfilled-late | withdrawn | breached | remedied
    pub state: CommitmentPhase,
    /// The latest adopted ruling that found it breached, if any.
    pub ruling: Option<RulingId>,
    /// Every adopted ruling that found it breached, in order.
    pub breached_by: Vec<RulingId>,
    /// The obligor's latest progress report.
    pub progress: Option<Progress>,
    /// The seq of the obligor's latest report (fulfilment, progress or remedy).
    pub report: Option<u64>,
    /// Verifiers' checks of the obligor's reports, in order.
    pub attestations: Vec<Attestation>,
    /// A reschedule proposed and not yet agreed.
    pub reschedule: Option<Reschedule>,
}

/// One allegation as the obligations of the accuser and the accused show it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, JsonSchema)]
pub struct AllegationView {
    /// The allegation's id.
    pub id: AllegationId,
    /// The accusing party.
    pub by: PartyId,
    // issue 14: actors (several accused)
    /// Who is accused: party and actor ids in the order named (empty:
    /// persons unknown).
    pub accused: Vec<String>,
    /// The accused party when it accuses exactly one party and nothing
    /// else (left out of JSON otherwise).
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schemars(extend("x-optional" = true))]
    pub against: Option<PartyId>,
    /// When the incident happened (seconds since 1970; RFC 3339 in JSON output).
    #[schemars(with = "String")]
    pub occurred: i64,
    /// Where the incident happened.
    pub location: String,
    /// What happened, in the accuser's words.
    pub summary: String,
    /// The commitments it says were broken.
    pub commitments: Vec<CommitmentId>,
    /// filed | answered | ruled | withdrawn
    pub state: AllegationPhase,
    /// What the ruling on it found, once one is adopted.
    pub finding: Option<Finding>,
    /// The adopted ruling that decided it, if any.
    pub ruling: Option<RulingId>,
    /// The seqs of the accuser's corrections, in order.
    pub corrections: Vec<u64>,
}

/// One ruling as the guarantors' obligations show it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, JsonSchema)]
pub struct RulingView {
    /// The ruling's id.
    pub id: RulingId,
    /// The allegation it decides.
    pub allegation: AllegationId,
    /// Whether the incident is found to have happened.
    pub finding: Finding,
    /// Whom the incident is attributed to.
    pub attribution: Attribution,
    /// The commitments it finds breached.
    pub breaches: Vec<CommitmentId>,
    /// proposed | adopted
    pub state: RulingPhase,
    /// The parties that endorsed it, in order.
    pub endorsements: Vec<PartyId>,
    /// The parties that dissented from it, in order.
    pub dissents: Vec<PartyId>,
    /// The adopted ruling it reconsiders, if it is a revision.
    pub revises: Option<RulingId>,
    /// The revision that superseded it, if any.
    pub superseded_by: Option<RulingId>,
    // issue 14: bodies
    /// The body that decides it (`None`: the guarantors).
    pub body: Option<BodyId>,
    /// The allegation or observation it decides.
    pub on: String,
    /// The seq at which its body's rule was met, when the parent body must
    /// ratify it.
    pub provisional_at: Option<u64>,
    /// The parent body's members that ratified it, in order.
    pub ratified_by: Vec<PartyId>,
}

words! {
    /// What a party is expected to do (declared in the order of the
    /// words, so sorting is unchanged).
    DutyKind {
        /// A party to the conflict has yet to accept a clause.
        AcceptClause => "accept-clause",
        // issue 14: monitoring
        /// An attendee has yet to cosign a meeting record.
        CosignMeeting => "cosign-meeting",
        /// A guarantor has yet to endorse a charter amendment not yet adopted.
        EndorseAmendment => "endorse-amendment",
        /// A guarantor has yet to endorse a clause not yet adopted.
        EndorseClause => "endorse-clause",
        /// A guarantor has yet to endorse a clause's pending term proposal.
        EndorseClauseTerm => "endorse-clause-term",
        /// The obligor or a guarantor has yet to agree to a proposed reschedule.
        EndorseReschedule => "endorse-reschedule",
        /// A guarantor has yet to endorse a key revocation not yet adopted.
        EndorseRevocation => "endorse-revocation",
        /// A guarantor has yet to endorse or dissent from a proposed ruling.
        EndorseRuling => "endorse-ruling",
        /// The obligor has yet to deliver a commitment past its due time.
        FulfilOverdue => "fulfil-overdue",
        // issue 14: bodies
        /// A member of a parent body has yet to ratify a provisional ruling
        /// of a body under it.
        RatifyRuling => "ratify-ruling",
        /// The obligor has yet to remedy a commitment a ruling found breached.
        Remedy => "remedy",
        // issue 14: monitoring
        /// The party recommended to has yet to report the measures taken.
        ReportMeasures => "report-measures",
        /// A member of a tasked team has yet to report on the task.
        ReportTask => "report-task",
        /// The accused has yet to answer an allegation.
        Respond => "respond",
    }
}

words! {
    /// What kind of item a [`Change`] is about (declared in the order of
    /// the words, so a diff lists changes in the same order).
    ChangeKind {
        /// An allegation against the party.
        AllegationAgainst => "allegation-against",
        /// An allegation the party filed.
        AllegationBy => "allegation-by",
        /// One of the party's commitments.
        Commitment => "commitment",
        /// Something the party is expected to do.
        Duty => "duty",
        /// A ruling that concerns the party.
        Ruling => "ruling",
    }
}

/// Something a party is expected to do.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, JsonSchema)]
pub struct Duty {
    /// What the party is expected to do.
    pub duty: DutyKind,
    /// The id of the item it concerns.
    pub item: String,
}

/// One party's obligations: what it owes, what it alleged or is accused of, and what it must do next.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, JsonSchema)]
pub struct PartyView {
    /// The party's id.
    pub party: PartyId,
    /// The party's name from the charter.
    pub name: String,
    /// The party's role in the charter.
    pub role: Role,
    /// The commitments it made.
    pub commitments: Vec<CommitmentView>,
    /// The allegations filed against it.
    pub allegations_against: Vec<AllegationView>,
    /// The allegations it filed.
    pub allegations_by: Vec<AllegationView>,
    /// The rulings on allegations it is party to, or that blame it or breach its commitments.
    pub rulings: Vec<RulingView>,
    /// What it is expected to do next.
    pub duties: Vec<Duty>,
}

/// Where a commitment stands as of `time`.
pub fn commitment_state(records: &Records, c: &CommitmentState, time: i64) -> CommitmentPhase {
    let clause = records
        .clauses()
        .get(&c.clause)
        .map_or(ClausePhase::Proposed, |cl| cl.commitments_phase(time));
    c.phase(clause, time)
}

fn allegation_views(records: &Records) -> Vec<AllegationView> {
    records
        .allegations()
        .iter()
        .map(|(id, a)| {
            let (finding, ruling) = match &a.status {
                AllegationStatus::Ruled {
                    ruling, finding, ..
                } => (Some(*finding), Some(ruling.clone())),
                _ => (None, None),
            };
            AllegationView {
                id: id.clone(),
                by: a.by.clone(),
                accused: a.accused.iter().map(|w| w.as_str().to_owned()).collect(),
                against: a.against().cloned(),
                occurred: a.occurred,
                location: a.location.clone(),
                summary: a.summary.clone(),
                commitments: a.commitments.clone(),
                state: a.phase(),
                finding,
                ruling,
                corrections: a.corrections.clone(),
            }
        })
        .collect()
}

/// Whether the item `key` names can still show in the open view
/// ([`open_view`]): a clause neither withdrawn nor superseded, any commitment, an allegation still open, a
/// ruling or key revocation not yet adopted. The ledger keeps an index of
/// these so that the open view reads only them and what they link to.
pub fn is_live(state: &State, key: &RecordKey) -> bool {
    let r = state.records();
    match key {
        // Until withdrawn or superseded (both final), a clause can still
        // be endorsed, accepted, declined, given a term or revised, so it
        // stays live; lapse depends on the time asked, so a lapsed clause
        // stays live too.
        RecordKey::Clause(id) => r.clauses().get(id).is_some_and(|c| c.closed().is_none()),
        RecordKey::Commitment(id) => r.commitments().contains_key(id),
        RecordKey::Allegation(id) => r.allegations().get(id).is_some_and(|a| a.is_open()),
        // issue 14: bodies (a provisional ruling awaits ratification; a
        // lapse is judged at the time asked, so a proposed one stays live)
        RecordKey::Ruling(id) => r
            .rulings()
            .get(id)
            .is_some_and(|x| matches!(x.phase(), RulingPhase::Proposed | RulingPhase::Provisional)),
        RecordKey::Revocation(id) => r
            .revocations()
            .get(id)
            .is_some_and(|v| v.adopted_at.is_none()),
        RecordKey::Amendment(id) => r
            .amendments()
            .get(id)
            .is_some_and(|a| a.adopted_at.is_none()),
        // issue 14: monitoring. A task is live until reported, a
        // recommendation until measures are reported, a meeting record
        // until every attendee but its recorder has cosigned it: each can
        // still ask a duty. Observations and notes ask no duty of anyone: the
        // observations view reads the full state, not the open one.
        RecordKey::Task(id) => r.tasks().get(id).is_some_and(|t| t.reported.is_none()),
        RecordKey::Recommendation(id) => r
            .recommendations()
            .get(id)
            .is_some_and(|x| x.measures.is_empty()),
        // (judged without the charter, which an amendment may change
        // without touching the record: an attendee that has not cosigned
        // keeps it live even if it signs nothing)
        RecordKey::Meeting(id) => r.meetings().get(id).is_some_and(|m| {
            m.attendees
                .iter()
                .any(|p| *p != m.by && !m.cosigned.iter().any(|(c, _)| c == p))
        }),
        // An observation can be referred, ruled on or given evidence at
        // any time, and its notes say which body holds it: like a
        // commitment, both stay live, so that a state rebuilt from a
        // checkpoint holds what a later entry about them reads.
        RecordKey::Observation(id) => r.observations().contains_key(id),
        RecordKey::Notes(id) => r.notes().contains_key(id),
    }
}

/// The keys of the records the open view of `state` reads: the live items
/// and, transitively, the records they link to.
pub fn open_keys(state: &State) -> BTreeSet<RecordKey> {
    let records = state.records();
    let mut out = BTreeSet::new();
    let mut pending: Vec<RecordKey> = records
        .keys()
        .into_iter()
        .filter(|k| is_live(state, k))
        .collect();
    while let Some(key) = pending.pop() {
        if out.insert(key.clone()) {
            pending.extend(records.links_of([&key]));
        }
    }
    out
}

/// The open view of obligations: commitments, allegations still open
/// (filed or answered), rulings still proposed, and every duty. Closed
/// allegations and adopted rulings stay on record (`history`, the full
/// view) and in the state of the commitments they concern.
pub fn open_view(mut views: Vec<PartyView>) -> Vec<PartyView> {
    let open = |a: &AllegationView| a.state.is_open();
    for v in &mut views {
        v.allegations_against.retain(open);
        v.allegations_by.retain(open);
        // issue 14: bodies (provisional rulings are still to be decided)
        v.rulings
            .retain(|r| matches!(r.state, RulingPhase::Proposed | RulingPhase::Provisional));
    }
    views
}

/// Every party's obligations in `state`, with expiry judged at `time`.
pub fn obligations(state: &State, time: i64) -> Vec<PartyView> {
    let records = state.records();
    let allegations = allegation_views(records);
    let rulings: Vec<RulingView> = records
        .rulings()
        .iter()
        .map(|(id, r)| RulingView {
            id: id.clone(),
            allegation: r.allegation.clone(),
            finding: r.finding,
            attribution: r.attribution.clone(),
            breaches: r.breaches.clone(),
            state: r.phase_at(time),
            endorsements: r.endorsements.iter().map(|(p, _)| p.clone()).collect(),
            dissents: r.dissents.iter().map(|(p, _)| p.clone()).collect(),
            revises: r.revises.clone(),
            superseded_by: r.superseded_by.as_ref().map(|(s, _)| s.clone()),
            body: r.body.clone(),
            on: r
                .on_observation
                .as_ref()
                .map_or_else(|| r.allegation.to_string(), |o| o.to_string()),
            provisional_at: r.provisional_at,
            ratified_by: r.ratifications.iter().map(|(p, _)| p.clone()).collect(),
        })
        .collect();

    state
        .charter()
        .parties
        .iter()
        .map(|party| {
            let me = &party.id;
            let commitments: Vec<CommitmentView> = records
                .commitments()
                .iter()
                .filter(|(_, c)| c.binds(me))
                .map(|(id, c)| CommitmentView {
                    id: id.clone(),
                    clause: c.clause.clone(),
                    text: c.text.clone(),
                    zone: c.zone.clone(),
                    due: c.due,
                    until: c.until,
                    state: commitment_state(records, c, time),
                    ruling: match &c.status {
                        CommitmentStatus::Breached { ruling, .. }
                        | CommitmentStatus::Remedied { ruling, .. } => Some(ruling.clone()),
                        _ => None,
                    },
                    breached_by: c.breaches.iter().map(|(r, _)| r.clone()).collect(),
                    progress: c.progress.clone(),
                    report: c.last_report.map(|h| h.seq),
                    attestations: c.attestations.clone(),
                    reschedule: c.reschedule.clone(),
                })
                .collect();
            let against: Vec<AllegationView> = allegations
                .iter()
                .filter(|a| a.accused.iter().any(|w| w == me.as_str()))
                .cloned()
                .collect();
            let by: Vec<AllegationView> = allegations
                .iter()
                .filter(|a| &a.by == me)
                .cloned()
                .collect();
            let mine: BTreeSet<&CommitmentId> = commitments.iter().map(|c| &c.id).collect();
            let concerning: Vec<RulingView> = rulings
                .iter()
                .filter(|r| {
                    let on_mine = records
                        .allegations()
                        .get(&r.allegation)
                        .is_some_and(|a| a.accuses(me) || &a.by == me);
                    // issue 14: bodies (a body's rulings concern its members)
                    let member = r.body.as_ref().is_some_and(|b| {
                        state
                            .amending()
                            .mechanism
                            .body(b)
                            .is_some_and(|b| b.has_member(me))
                    });
                    on_mine
                        || member
                        || r.attribution == Attribution::Party(me.clone())
                        || matches!(&r.attribution, Attribution::To { who: Accused::Party(p), .. } if p == me)
                        || r.breaches.iter().any(|k| mine.contains(k))
                })
                .cloned()
                .collect();
            PartyView {
                party: me.clone(),
                name: party.name.clone(),
                role: party.role,
                duties: duties(state, me, party.role, time),
                commitments,
                allegations_against: against,
                allegations_by: by,
                rulings: concerning,
            }
        })
        .collect()
}

fn duties(state: &State, me: &PartyId, role: Role, time: i64) -> Vec<Duty> {
    let records = state.records();
    let mut out = Vec::new();
    for (id, c) in records.commitments() {
        let mine = c.binds(me);
        let duty = match commitment_state(records, c, time) {
            CommitmentPhase::Overdue if mine => Some(DutyKind::FulfilOverdue),
            CommitmentPhase::Breached if mine => Some(DutyKind::Remedy),
            _ => None,
        };
        let agree = c.reschedule.as_ref().is_some_and(|r| {
            (mine || role == Role::Guarantor) && !r.endorsements.iter().any(|(p, _)| p == me)
        });
        for duty in duty
            .into_iter()
            .chain(agree.then_some(DutyKind::EndorseReschedule))
        {
            out.push(Duty {
                duty,
                item: id.to_string(),
            });
        }
    }
    for (id, c) in records.clauses() {
        let signed = |list: &[(PartyId, u64)]| list.iter().any(|(p, _)| p == me);
        // issue 14: bodies (a tabled clause asks only its signatories)
        if !c.signs(me) {
            continue;
        }
        // Withdrawn, superseded and overtaken revisions ask nothing of anyone.
        if crate::clause_life::open_clause(records, id, "signed").is_err() {
            continue;
        }
        match role {
            Role::Guarantor if !c.is_adopted() && !signed(&c.endorsements) => out.push(Duty {
                duty: DutyKind::EndorseClause,
                item: id.to_string(),
            }),
            Role::Party if !c.answered_by(me) && c.phase(time) != ClausePhase::Lapsed => {
                out.push(Duty {
                    duty: DutyKind::AcceptClause,
                    item: id.to_string(),
                })
            }
            _ => {}
        }
        if let Some(term) = &c.term {
            if role == Role::Guarantor && !signed(&term.endorsements) {
                out.push(Duty {
                    duty: DutyKind::EndorseClauseTerm,
                    item: id.to_string(),
                });
            }
        }
    }
    for (id, a) in records.allegations() {
        // issue 14: actors (each accused party answers; actors sign nothing)
        if a.is_open() && a.accuses(me) && !a.answered_by(me) {
            out.push(Duty {
                duty: DutyKind::Respond,
                item: id.to_string(),
            });
        }
    }
    // issue 14: monitoring
    monitoring_duties(state, me, &mut out);
    if role == Role::Guarantor {
        for (id, a) in records.amendments() {
            if a.adopted_at.is_none()
                && !a.endorsements.iter().any(|(p, _)| p == me)
                && a.stale(state).is_none()
            {
                out.push(Duty {
                    duty: DutyKind::EndorseAmendment,
                    item: id.to_string(),
                });
            }
        }
        for (id, v) in records.revocations() {
            if v.adopted_at.is_none() && !v.endorsements.iter().any(|(p, _)| p == me) {
                out.push(Duty {
                    duty: DutyKind::EndorseRevocation,
                    item: id.to_string(),
                });
            }
        }
        for (id, r) in records.rulings().iter().filter(|(_, r)| r.body.is_none()) {
            let open = records
                .allegations()
                .get(&r.allegation)
                .is_some_and(|a| a.awaits(r));
            let signed = r
                .endorsements
                .iter()
                .chain(&r.dissents)
                .any(|(p, _)| p == me);
            if r.adopted_at.is_none() && open && !signed {
                out.push(Duty {
                    duty: DutyKind::EndorseRuling,
                    item: id.to_string(),
                });
            }
        }
    }
    // issue 14: bodies
    out.extend(crate::bodies::duties(state, me, time));
    out
}

// issue 14: monitoring
/// The duties tasks, recommendations and meeting records ask of `me`:
/// report-task (each member of a tasked team, until an observation
/// answers the task, overdue or not), report-measures (the party
/// recommended to, until it reports measures), cosign-meeting (each
/// attendee that signs, other than the recorder, until it cosigns).
fn monitoring_duties(state: &State, me: &PartyId, out: &mut Vec<Duty>) {
    let records = state.records();
    let mechanism = &state.amending().mechanism;
    for (id, t) in records.tasks() {
        let member = mechanism.body(&t.team).is_some_and(|b| b.has_member(me));
        if t.reported.is_none() && member {
            out.push(Duty {
                duty: DutyKind::ReportTask,
                item: id.to_string(),
            });
        }
    }
    for (id, r) in records.recommendations() {
        if r.measures.is_empty() && &r.to == me {
            out.push(Duty {
                duty: DutyKind::ReportMeasures,
                item: id.to_string(),
            });
        }
    }
    for (id, m) in records.meetings() {
        if m.awaiting(state.charter()).contains(me) {
            out.push(Duty {
                duty: DutyKind::CosignMeeting,
                item: id.to_string(),
            });
        }
    }
}

/// One difference between two obligation views.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, JsonSchema)]
pub struct Change {
    /// The party whose view changed.
    pub party: PartyId,
    /// What kind of item changed.
    pub kind: ChangeKind,
    // issue 15: json (a duty's word is its own field, not part of the item)
    /// For a duty: what the party is expected to do (`None` otherwise).
    pub duty: Option<DutyKind>,
    /// The id of the item that changed (for a duty: the item it concerns).
    pub item: String,
    /// The state before (`None`: not on record then).
    pub from: Option<String>,
    /// The state after (`None`: no longer listed).
    pub to: Option<String>,
    /// For an allegation: the finding of the ruling on it before, if ruled.
    pub from_finding: Option<Finding>,
    /// For an allegation: the finding of the ruling on it after, if ruled.
    pub finding: Option<Finding>,
}

impl Change {
    /// A state as the text view shows it: the word, and the finding in
    /// parentheses when there is one.
    pub fn label(state: Option<&str>, finding: Option<Finding>) -> Option<String> {
        state.map(|s| match finding {
            Some(f) => format!("{s} ({f})"),
            None => s.to_owned(),
        })
    }

    /// The item as the text view shows it (a duty: its word, then the item).
    pub fn item_label(&self) -> String {
        match self.duty {
            Some(d) => format!("{d} {}", self.item),
            None => self.item.clone(),
        }
    }
}

/// What a diff compares an item by: its kind, its duty word (for duties)
/// and its id.
type ItemKey = (ChangeKind, Option<DutyKind>, String);

fn items(v: &PartyView) -> BTreeMap<ItemKey, (String, Option<Finding>)> {
    let mut out = BTreeMap::new();
    for c in &v.commitments {
        out.insert(
            (ChangeKind::Commitment, None, c.id.to_string()),
            (c.state.to_string(), None),
        );
    }
    for a in &v.allegations_against {
        out.insert(
            (ChangeKind::AllegationAgainst, None, a.id.to_string()),
            (a.state.to_string(), a.finding),
        );
    }
    for a in &v.allegations_by {
        out.insert(
            (ChangeKind::AllegationBy, None, a.id.to_string()),
            (a.state.to_string(), a.finding),
        );
    }
    for r in &v.rulings {
        out.insert(
            (ChangeKind::Ruling, None, r.id.to_string()),
            (r.state.to_string(), None),
        );
    }
    for d in &v.duties {
        out.insert(
            (ChangeKind::Duty, Some(d.duty), d.item.clone()),
            ("pending".to_owned(), None),
        );
    }
    out
}

/// What changed in every party's obligations from `before` to `after`.
pub fn diff(before: &[PartyView], after: &[PartyView]) -> Vec<Change> {
    let mut out = Vec::new();
    for b in after {
        let empty = BTreeMap::new();
        let old = before
            .iter()
            .find(|a| a.party == b.party)
            .map(items)
            .unwrap_or(empty);
        let new = items(b);
        let keys: BTreeSet<&ItemKey> = old.keys().chain(new.keys()).collect();
        for key in keys {
            let (from, to) = (old.get(key), new.get(key));
            if from != to {
                out.push(Change {
                    party: b.party.clone(),
                    kind: key.0,
                    duty: key.1,
                    item: key.2.clone(),
                    from: from.map(|f| f.0.clone()),
                    to: to.map(|t| t.0.clone()),
                    from_finding: from.and_then(|f| f.1),
                    finding: to.and_then(|t| t.1),
                });
            }
        }
    }
    out
}

/// Picks, in order, the entries that make up the record of one item: those
/// that name it, and the follow-ups of allegations and rulings they create.
#[derive(Debug, Clone)]
pub struct History {
    related: BTreeSet<String>,
}

impl History {
    /// A picker for the record of item `id`.
    pub fn new(id: &str) -> Self {
        Self {
            related: BTreeSet::from([id.to_owned()]),
        }
    }

    /// Whether `event` belongs to the record, widening the record to the allegations and rulings it creates.
    pub fn concerns(&mut self, event: &Event) -> bool {
        let mentions = event.mentions();
        if !mentions.iter().any(|m| self.related.contains(*m)) {
            return false;
        }
        if let Some(id) = Self::joins(event) {
            self.related.insert(id);
        }
        true
    }

    /// The item `event` creates that joins the record of any item it
    /// mentions: an allegation, a ruling (proposed, revised or drafted by
    /// a body) or a clause revision (whose endorsements supersede the
    /// clause it revises).
    pub fn joins(event: &Event) -> Option<String> {
        match event {
            Event::AllegationFiled { id, .. } => Some(id.to_string()),
            Event::RulingProposed { id, .. } | Event::RulingRevisionProposed { id, .. } => {
                Some(id.to_string())
            }
            // issue 14: bodies
            Event::RulingDrafted { id, .. } => Some(id.to_string()),
            // issue 13: clauses
            Event::ClauseRevisionProposed { id, .. } => Some(id.to_string()),
            _ => None,
        }
    }
}

// issue 14: monitoring
/// One observation as the observations view shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ObservationView {
    /// The observation's id.
    pub id: crate::ids::ObservationId,
    /// Who recorded it.
    pub by: PartyId,
    /// The body it reports for, if any.
    pub body: Option<crate::ids::BodyId>,
    /// The task it answers, if any.
    pub task: Option<crate::ids::TaskId>,
    /// When what was observed happened (seconds since 1970).
    pub occurred: i64,
    /// minute | hour | day | week | month
    pub time_precision: crate::terms::TimePrecision,
    /// Where.
    pub location: String,
    /// point | settlement | district | region
    pub place_precision: crate::terms::PlacePrecision,
    /// A value of the charter's severity scale.
    pub severity: Option<String>,
    /// A value of the charter's violation scale.
    pub violation: Option<String>,
    /// The summary's first line.
    pub summary: String,
    /// How many evidence files it was recorded with.
    pub evidence: usize,
    /// How many evidence files were added later (`evidence add`).
    pub evidence_added: u64,
    /// The body it was last referred to, if any.
    pub held_by: Option<crate::ids::BodyId>,
    /// The rulings drafted on it, in id order.
    pub rulings: Vec<RulingOn>,
}

/// A ruling drafted on an observation: its id, body and state.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RulingOn {
    /// The ruling's id.
    pub id: RulingId,
    /// The body deciding it.
    pub body: Option<crate::ids::BodyId>,
    /// Its state at the view's time.
    pub state: RulingPhase,
}

/// One task as the observations view shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TaskView {
    /// The task's id.
    pub id: crate::ids::TaskId,
    /// Who tasked the team.
    pub by: PartyId,
    /// The team tasked.
    pub team: crate::ids::BodyId,
    /// The item it is about, if any.
    pub about: Option<crate::ids::ItemId>,
    /// When the team is to report by (seconds since 1970).
    pub due: i64,
    /// open | overdue | reported | reported-late
    pub state: crate::reports::TaskPhase,
    /// The observation that answered it.
    pub reported_by: Option<crate::ids::ObservationId>,
}

/// One recommendation as the observations view shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RecommendationView {
    /// The recommendation's id.
    pub id: crate::ids::RecommendationId,
    /// Who made it.
    pub by: PartyId,
    /// The body that recommends.
    pub body: crate::ids::BodyId,
    /// The party recommended to.
    pub to: PartyId,
    /// The item it follows from, if any.
    pub about: Option<crate::ids::ItemId>,
    /// When the measures are to be reported by (seconds since 1970).
    pub due: i64,
    /// pending | overdue | measures-reported | measures-reported-late
    pub state: crate::reports::RecommendationPhase,
    /// The seqs of the measures reported.
    pub measures: Vec<u64>,
}

/// One meeting record as the observations view shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct MeetingView {
    /// The meeting's id.
    pub id: crate::ids::MeetingId,
    /// Who recorded it.
    pub by: PartyId,
    /// The body that met, if any.
    pub body: Option<crate::ids::BodyId>,
    /// When it was held (seconds since 1970).
    pub held: i64,
    /// Who attended.
    pub attendees: Vec<PartyId>,
    /// Who cosigned the record, in order.
    pub cosigned: Vec<PartyId>,
    /// Who has yet to cosign.
    pub awaiting: Vec<PartyId>,
    /// recorded | cosigned
    pub state: crate::reports::MeetingPhase,
    /// The seq of the record entry.
    pub record: u64,
}

/// The mechanism's working items as of `time`: observations, tasks,
/// recommendations and meeting records (`accord observations`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct MonitoringView {
    /// Every observation, by id.
    pub observations: Vec<ObservationView>,
    /// Every task, by id, its phase judged at the view's time.
    pub tasks: Vec<TaskView>,
    /// Every recommendation, by id, its phase judged at the view's time.
    pub recommendations: Vec<RecommendationView>,
    /// Every meeting record, by id.
    pub meetings: Vec<MeetingView>,
}

/// The observations view of `state` with overdue judged at `time`.
pub fn monitoring(state: &State, time: i64) -> MonitoringView {
    let records = state.records();
    let notes = |id: &str| {
        crate::ids::ItemId::new(id)
            .ok()
            .and_then(|i| records.notes().get(&i))
    };
    let observations = records
        .observations()
        .iter()
        .map(|(id, o)| {
            let n = notes(id.as_str());
            ObservationView {
                id: id.clone(),
                by: o.by.clone(),
                body: o.body.clone(),
                task: o.task.clone(),
                occurred: o.occurred,
                time_precision: o.time_precision,
                location: o.location.clone(),
                place_precision: o.place_precision,
                severity: o.severity.clone(),
                violation: o.violation.clone(),
                summary: o.summary.lines().next().unwrap_or_default().to_owned(),
                evidence: o.evidence.len(),
                evidence_added: n.map_or(0, |n| n.evidence.iter().map(|e| u64::from(e.2)).sum()),
                held_by: n.and_then(|n| n.held_by().cloned()),
                rulings: records
                    .rulings()
                    .iter()
                    .filter(|(_, r)| r.on_observation.as_ref() == Some(id))
                    .map(|(rid, r)| RulingOn {
                        id: rid.clone(),
                        body: r.body.clone(),
                        state: r.phase_at(time),
                    })
                    .collect(),
            }
        })
        .collect();
    let tasks = records
        .tasks()
        .iter()
        .map(|(id, t)| TaskView {
            id: id.clone(),
            by: t.by.clone(),
            team: t.team.clone(),
            about: t.about.clone(),
            due: t.due,
            state: t.phase(time),
            reported_by: t.reported.as_ref().map(|(o, _)| o.clone()),
        })
        .collect();
    let recommendations = records
        .recommendations()
        .iter()
        .map(|(id, r)| RecommendationView {
            id: id.clone(),
            by: r.by.clone(),
            body: r.body.clone(),
            to: r.to.clone(),
            about: r.about.clone(),
            due: r.due,
            state: r.phase(time),
            measures: r.measures.clone(),
        })
        .collect();
    let meetings = records
        .meetings()
        .iter()
        .map(|(id, m)| MeetingView {
            id: id.clone(),
            by: m.by.clone(),
            body: m.body.clone(),
            held: m.held,
            attendees: m.attendees.clone(),
            cosigned: m.cosigned.iter().map(|(p, _)| p.clone()).collect(),
            awaiting: m.awaiting(state.charter()),
            state: m.phase(state.charter()),
            record: m.record.seq,
        })
        .collect();
    MonitoringView {
        observations,
        tasks,
        recommendations,
        meetings,
    }
}
