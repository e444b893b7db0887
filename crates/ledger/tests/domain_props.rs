//! Property tests over random sequences of domain events (valid and not):
//!
//! - an append through the ledger, which loads only the records an event
//!   touches, decides exactly as a fold over the full state does, with the
//!   same refusal;
//! - a refused append leaves every stored byte unchanged;
//! - derived data kept incrementally equals a rebuild from the entries, and
//!   so do the obligations projected from it;
//! - the state "as of" entry k equals the state of the ledger truncated
//!   after entry k, and the open view as of k built from the nearest
//!   projection checkpoint equals the one from a full replay;
//! - and, so that none of this holds only of trivial ledgers, a share of
//!   the generated sequences reach an adopted clause, an adopted ruling,
//!   a breached commitment and an adopted charter amendment (counted
//!   across cases and asserted; amendments that reopen or close clauses no
//!   entry touches are counted and printed, too rare here to assert: the
//!   incremental checkpointer's tests build such ledgers by hand).

use accord_core::crypto::public_key;
use accord_core::ids::{MeetingId, ObservationId, RecommendationId, Sha256, TaskId};
use accord_core::mechanism::{Actor, Body, Decision, ScaleKind, Standing};
use accord_core::projection::{self, obligations, open_view};
use accord_core::records::CommitmentStatus;
use accord_core::terms::{Accused, Degree, Exhibit, PlacePrecision, TimePrecision};
use accord_core::*;
use accord_ledger::Ledger;
use accord_store::{KeyValue, MemStore, RawEntry, Store};
use ed25519_dalek::SigningKey;
use proptest::prelude::*;
use proptest::test_runner::{TestCaseError, TestRunner};

const T0: i64 = 1_485_129_600;
const NAMES: [(&str, Role); 8] = [
    ("tr", Role::Guarantor),
    ("ru", Role::Guarantor),
    ("ir", Role::Guarantor),
    ("un", Role::Mediator),
    ("gov", Role::Party),
    ("opp", Role::Party),
    ("mon", Role::Monitor),
    ("us", Role::Observer),
];

fn key(i: usize) -> SigningKey {
    SigningKey::from_bytes(&[i as u8 + 40; 32])
}

fn charter() -> Charter {
    Charter {
        title: "Property mechanism".into(),
        parties: NAMES
            .iter()
            .enumerate()
            .map(|(i, (id, role))| Party {
                id: PartyId::new(*id).unwrap(),
                name: id.to_uppercase(),
                role: *role,
                key: public_key(&key(i)),
            })
            .collect(),
        rules: Rules {
            clause_adoption: Adoption::Quorum(2),
            ruling_quorum: 2,
        },
    }
}

#[derive(Debug, Clone)]
enum Act {
    Propose(u8),
    Endorse(u8),
    Accept(u8),
    Commit(u8, u8, Option<u32>),
    Fulfil(u8),
    Withdraw(u8),
    Remedy(u8),
    Allege(u8, usize, Vec<u8>),
    Respond(u8),
    WithdrawAllegation(u8),
    Rule(u8, u8, usize, usize, Vec<u8>),
    EndorseRuling(u8),
    Dissent(u8),
    Undertake(u8, u8, Option<u32>, Option<u32>),
    Progress(u8, u64, u64),
    Attest(u8, bool),
    Reschedule(u8, Option<u32>),
    AgreeReschedule(u8),
    Correct(u8, Option<Vec<u8>>),
    Join(u8),
    Revise(u8, u8, usize, Vec<u8>),
    // issue 13: clauses
    WithdrawClause(u8),
    Decline(u8),
    ReviseClause(u8, u8),
    ProposeTerm(u8, Option<u32>),
    EndorseTerm(u8),
    // issue 13: charter amendments
    /// Amendment `M{0}` with one change of kind `{1}` naming party `{2}`.
    Amend(u8, u8, usize),
    EndorseAmendment(u8),
    // issue 14: mechanisms
    /// Amendment `M{0}` setting the bodies jc (guarantors) and mvt (mon and
    /// ir, under jc), the severity scale and an actor; bits of `{1}` vary
    /// jc's members and rule, mvt's recusal and which actor is listed.
    Mechanism(u8, u8),
    /// Observation `O{0}`: severity none, on the scale or off it (`{1}`),
    /// reported for mvt or not, answering task `T{3}` or none.
    Observe(u8, u8, bool, Option<u8>),
    /// Allegation `A{0}` lodged against several accused (`{1}` picks
    /// them: a party and an actor, nobody, two parties), citing `{2}`.
    Lodge(u8, u8, Vec<u8>),
    /// Ruling `R{8+0}` drafted by jc or mvt (`{2}`) on item `{1}` (an
    /// allegation, or observation `O{1-4}`), finding `{3}`, attribution
    /// `{4}`, breaching `{5}`.
    Draft(u8, u8, bool, usize, u8, Vec<u8>),
    Ratify(u8),
    /// Refers item `{0}` to mvt or jc (`{1}`).
    Refer(u8, bool),
    AddEvidence(u8),
    View(u8),
    /// Task `T{0}` for mvt, about item `{1}` or nothing.
    Task(u8, Option<u8>),
    /// Recommendation `RC{0}` by mvt or jc to party `{2}`.
    Recommend(u8, bool, usize),
    Measures(u8),
    /// Meeting `MT{0}` recorded with these attendees.
    Meet(u8, Vec<usize>),
    Cosign(u8),
    /// Clause `C{0}` tabled with these signatories.
    Table(u8, Vec<usize>),
}

fn act() -> impl Strategy<Value = Act> {
    prop_oneof![
        6 => (0u8..6).prop_map(Act::Propose),
        8 => (0u8..3).prop_map(Act::Endorse),
        2 => (0u8..3).prop_map(Act::Accept),
        6 => (0u8..8, 0u8..6, prop::option::of(0u32..400_000)).prop_map(|(k, c, d)| Act::Commit(k, c, d)),
        2 => (0u8..4).prop_map(Act::Fulfil),
        1 => (0u8..4).prop_map(Act::Withdraw),
        3 => (0u8..4).prop_map(Act::Remedy),
        6 => (0u8..4, 0usize..8, prop::collection::vec(0u8..4, 0..2)).prop_map(|(a, p, k)| Act::Allege(a, p, k)),
        3 => (0u8..2).prop_map(Act::Respond),
        1 => (0u8..2).prop_map(Act::WithdrawAllegation),
        6 => (0u8..4, 0u8..4, 0usize..4, 0usize..10, prop::collection::vec(0u8..4, 0..2))
            .prop_map(|(r, a, f, at, b)| Act::Rule(r, a, f, at, b)),
        10 => (0u8..2).prop_map(Act::EndorseRuling),
        2 => (0u8..2).prop_map(Act::Dissent),
        3 => (0u8..8, 0u8..6, prop::option::of(0u32..400_000), prop::option::of(0u32..800_000))
            .prop_map(|(k, c, d, u)| Act::Undertake(k, c, d, u)),
        4 => (0u8..4, 0u64..10, 0u64..10).prop_map(|(k, d, o)| Act::Progress(k, d, o)),
        5 => (0u8..4, any::<bool>()).prop_map(|(k, v)| Act::Attest(k, v)),
        2 => (0u8..4, prop::option::of(0u32..400_000)).prop_map(|(k, d)| Act::Reschedule(k, d)),
        5 => (0u8..4).prop_map(Act::AgreeReschedule),
        2 => (0u8..4, prop::option::of(prop::collection::vec(0u8..4, 0..2))).prop_map(|(a, k)| Act::Correct(a, k)),
        2 => (0u8..4).prop_map(Act::Join),
        3 => (0u8..4, 0u8..4, 0usize..4, prop::collection::vec(0u8..4, 0..2))
            .prop_map(|(r, old, f, b)| Act::Revise(r, old, f, b)),
        // issue 13: clauses
        1 => (0u8..6).prop_map(Act::WithdrawClause),
        1 => (0u8..6).prop_map(Act::Decline),
        2 => (0u8..3, 0u8..6).prop_map(|(n, c)| Act::ReviseClause(n, c)),
        4 => (0u8..6, prop::option::of(0u32..400_000)).prop_map(|(c, u)| Act::ProposeTerm(c, u)),
        10 => (0u8..6).prop_map(Act::EndorseTerm),
        2 => (0u8..8, 0u8..5, 0usize..8).prop_map(|(m, k, p)| Act::Amend(m, k, p)),
        8 => (0u8..8).prop_map(Act::EndorseAmendment),
        // issue 14: mechanisms
        3 => (0u8..8, 0u8..16).prop_map(|(m, v)| Act::Mechanism(m, v)),
        6 => (0u8..4, 0u8..5, any::<bool>(), prop::option::of(0u8..3))
            .prop_map(|(o, s, b, t)| Act::Observe(o, s, b, t)),
        3 => (0u8..4, 0u8..3, prop::collection::vec(0u8..4, 0..2)).prop_map(|(a, k, ks)| Act::Lodge(a, k, ks)),
        6 => (0u8..4, 0u8..8, any::<bool>(), 0usize..4, 0u8..5, prop::collection::vec(0u8..4, 0..2))
            .prop_map(|(r, on, b, f, at, ks)| Act::Draft(r, on, b, f, at, ks)),
        3 => (0u8..4).prop_map(Act::Ratify),
        2 => (0u8..8, any::<bool>()).prop_map(|(i, b)| Act::Refer(i, b)),
        1 => (0u8..8).prop_map(Act::AddEvidence),
        1 => (0u8..8).prop_map(Act::View),
        2 => (0u8..3, prop::option::of(0u8..8)).prop_map(|(t, a)| Act::Task(t, a)),
        2 => (0u8..3, any::<bool>(), 0usize..8).prop_map(|(r, b, to)| Act::Recommend(r, b, to)),
        2 => (0u8..3).prop_map(Act::Measures),
        2 => (0u8..3, prop::collection::vec(0usize..8, 0..4)).prop_map(|(m, a)| Act::Meet(m, a)),
        3 => (0u8..3).prop_map(Act::Cosign),
        2 => (0u8..6, prop::collection::vec(0usize..8, 0..4)).prop_map(|(c, s)| Act::Table(c, s)),
    ]
}

fn pid(i: usize) -> PartyId {
    PartyId::new(NAMES[i].0).unwrap()
}
fn bid(mvt: bool) -> BodyId {
    BodyId::new(if mvt { "mvt" } else { "jc" }).unwrap()
}
fn oid(i: u8) -> ObservationId {
    ObservationId::new(format!("O{i}")).unwrap()
}
fn tid(i: u8) -> TaskId {
    TaskId::new(format!("T{i}")).unwrap()
}
fn rcid(i: u8) -> RecommendationId {
    RecommendationId::new(format!("RC{i}")).unwrap()
}
fn mtid(i: u8) -> MeetingId {
    MeetingId::new(format!("MT{i}")).unwrap()
}
/// Item `i`: allegation `A{i}` below 4, observation `O{i-4}` from 4.
fn item(i: u8) -> ItemId {
    ItemId::new(if i < 4 {
        format!("A{i}")
    } else {
        format!("O{}", i - 4)
    })
    .unwrap()
}
/// The actors the mechanism amendments list.
fn actor(dissident: bool) -> ActorId {
    ActorId::new(if dissident { "dis" } else { "hts" }).unwrap()
}
const SEVERITY: [&str; 3] = ["minor", "serious", "grave"];

/// The changes of a `Mechanism` act (see [`Act::Mechanism`]); the actor
/// only while it is not listed (listing it again is refused).
fn mechanism_changes(v: u8, full: &State) -> Vec<CharterChange> {
    let jc = Body {
        id: bid(false),
        name: "Joint commission".into(),
        members: if v & 1 == 0 {
            vec![pid(0), pid(1), pid(2)]
        } else {
            vec![pid(0), pid(1)]
        },
        decision: if v & 2 == 0 {
            Decision::Quorum(2)
        } else {
            Decision::Consensus { lapse: 300_000 }
        },
        recuse_accused: false,
        parent: None,
        parent_adopts: false,
    };
    let mvt = Body {
        id: bid(true),
        name: "Monitoring team".into(),
        members: vec![pid(6), pid(2)],
        decision: Decision::All,
        recuse_accused: v & 4 != 0,
        parent: Some(bid(false)),
        parent_adopts: true,
    };
    let mut changes = vec![
        CharterChange::SetBody(jc),
        CharterChange::SetBody(mvt),
        CharterChange::SetScale {
            scale: ScaleKind::Severity,
            values: SEVERITY.map(String::from).to_vec(),
        },
    ];
    let dissident = v & 8 != 0;
    if full
        .amending()
        .mechanism
        .listed(&actor(dissident))
        .is_none()
    {
        changes.push(CharterChange::ListActor(Actor {
            id: actor(dissident),
            name: if dissident {
                "Dissidents"
            } else {
                "Designated group"
            }
            .into(),
            standing: if dissident {
                Standing::Dissident
            } else {
                Standing::Designated
            },
            party: dissident.then(|| pid(4)),
        }));
    }
    changes
}

fn mid(i: u8) -> AmendmentId {
    AmendmentId::new(format!("M{i}")).unwrap()
}

/// One change of kind `kind` (add a party to the conflict, remove, change
/// a role, rename, set the clause rule), naming party `target`.
fn change(m: u8, kind: u8, target: usize) -> CharterChange {
    let party = PartyId::new(NAMES[target].0).unwrap();
    match kind {
        0 => CharterChange::AddParty {
            id: PartyId::new(format!("x{m}")).unwrap(),
            name: format!("Joining group {m}"),
            role: Role::Party,
            key: public_key(&key(20 + m as usize)),
        },
        1 => CharterChange::RemoveParty { party },
        2 => CharterChange::ChangeRole {
            party,
            role: [Role::Party, Role::Observer, Role::Monitor][m as usize % 3],
        },
        3 => CharterChange::RenameParty {
            party,
            name: format!("Renamed {m}"),
        },
        _ => CharterChange::SetClauseAdoption(Adoption::Quorum(1 + u32::from(m) % 3)),
    }
}

fn cid(i: u8) -> ClauseId {
    ClauseId::new(format!("C{i}")).unwrap()
}
fn kid(i: u8) -> CommitmentId {
    CommitmentId::new(format!("K{i}")).unwrap()
}
fn aid(i: u8) -> AllegationId {
    AllegationId::new(format!("A{i}")).unwrap()
}
fn rid(i: u8) -> RulingId {
    RulingId::new(format!("R{i}")).unwrap()
}

fn event(act: &Act, full: &State, time: i64) -> Event {
    if let Some(e) = over_time_event(act, full, time) {
        return e;
    }
    if let Some(e) = mechanism_event(act, full, time) {
        return e;
    }
    let r = full.records();
    match act.clone() {
        Act::Propose(c) => Event::ClauseProposed {
            id: cid(c),
            title: "Title".into(),
            text: "Text".into(),
        },
        Act::Endorse(c) | Act::Accept(c) => {
            let proposal = r
                .clauses()
                .get(&cid(c))
                .map_or(EntryHash::ZERO, |x| x.proposal.hash);
            if matches!(act, Act::Endorse(_)) {
                Event::ClauseEndorsed {
                    clause: cid(c),
                    proposal,
                }
            } else {
                Event::ClauseAccepted {
                    clause: cid(c),
                    proposal,
                }
            }
        }
        Act::Commit(k, c, due) => Event::CommitmentMade {
            id: kid(k),
            clause: cid(c),
            text: "Hold the line.".into(),
            zone: None,
            due: due.map(|d| time + d as i64),
        },
        Act::Fulfil(k) => Event::CommitmentFulfilled {
            commitment: kid(k),
            note: "Done.".into(),
        },
        Act::Withdraw(k) => Event::CommitmentWithdrawn {
            commitment: kid(k),
            reason: "No.".into(),
        },
        Act::Remedy(k) => Event::CommitmentRemedied {
            commitment: kid(k),
            note: "Fixed.".into(),
        },
        Act::Allege(a, against, ks) => Event::AllegationFiled {
            id: aid(a),
            against: PartyId::new(NAMES[against].0).unwrap(),
            commitments: ks.into_iter().map(kid).collect(),
            occurred: time - 60,
            location: "Valley".into(),
            summary: "Shelling.".into(),
            evidence: vec![],
        },
        Act::Respond(a) => Event::AllegationAnswered {
            allegation: aid(a),
            position: Position::Deny,
            text: "No.".into(),
            evidence: vec![],
        },
        Act::WithdrawAllegation(a) => Event::AllegationWithdrawn {
            allegation: aid(a),
            reason: "Settled.".into(),
        },
        Act::Rule(ru, a, f, at, breaches) => Event::RulingProposed {
            id: rid(ru),
            allegation: aid(a),
            finding: Finding::ALL[f],
            attribution: match at {
                8 => Attribution::Shared,
                9 => Attribution::Unattributable,
                p => Attribution::Party(PartyId::new(NAMES[p].0).unwrap()),
            },
            breaches: breaches.into_iter().map(kid).collect(),
            text: "Finding.".into(),
        },
        Act::EndorseRuling(ru) | Act::Dissent(ru) => {
            let proposal = r
                .rulings()
                .get(&rid(ru))
                .map_or(EntryHash::ZERO, |x| x.proposal.hash);
            if matches!(act, Act::EndorseRuling(_)) {
                Event::RulingEndorsed {
                    ruling: rid(ru),
                    proposal,
                }
            } else {
                Event::RulingDissented {
                    ruling: rid(ru),
                    proposal,
                    text: "Dissent.".into(),
                }
            }
        }
        // issue 13: clauses
        Act::WithdrawClause(c) => Event::ClauseWithdrawn {
            clause: cid(c),
            reason: "Withdrawn.".into(),
        },
        Act::Decline(c) => Event::ClauseDeclined {
            clause: cid(c),
            proposal: r
                .clauses()
                .get(&cid(c))
                .map_or(EntryHash::ZERO, |x| x.proposal.hash),
            reason: "No.".into(),
        },
        Act::ReviseClause(n, c) => Event::ClauseRevisionProposed {
            id: cid(6 + n),
            revises: cid(c),
            title: "Revised".into(),
            text: "New text.".into(),
        },
        Act::ProposeTerm(c, until) => Event::ClauseTermProposed {
            clause: cid(c),
            until: until.map(|u| time + u as i64),
            reason: "Term.".into(),
        },
        Act::EndorseTerm(c) => Event::ClauseTermEndorsed {
            clause: cid(c),
            proposal: r
                .clauses()
                .get(&cid(c))
                .and_then(|x| x.term.as_ref())
                .map_or(EntryHash::ZERO, |t| t.proposal.hash),
        },
        Act::Amend(m, kind, target) => Event::AmendmentProposed {
            id: mid(m),
            changes: vec![change(m, kind, target)],
            reason: "Agreed.".into(),
        },
        Act::EndorseAmendment(m) => Event::AmendmentEndorsed {
            amendment: mid(m),
            proposal: r
                .amendments()
                .get(&mid(m))
                .map_or(EntryHash::ZERO, |x| x.proposal.hash),
        },
        _ => unreachable!("over_time_event handles the rest"),
    }
}

/// The new-act events of issue 13 (commitments, allegations and rulings
/// over time).
fn over_time_event(act: &Act, full: &State, time: i64) -> Option<Event> {
    let c = |k: u8| full.records().commitments().get(&kid(k)).cloned();
    Some(match act.clone() {
        Act::Undertake(k, cl, due, until) => Event::CommitmentUndertaken {
            id: kid(k),
            clause: cid(cl),
            text: "Hand over the count.".into(),
            zone: None,
            due: due.map(|d| time + d as i64),
            until: until.map(|u| time + u as i64),
        },
        Act::Progress(k, done, of) => Event::CommitmentProgressed {
            commitment: kid(k),
            done,
            of,
            note: "Counted.".into(),
        },
        Act::Attest(k, verified) => Event::CommitmentAttested {
            commitment: kid(k),
            report: c(k)
                .and_then(|c| c.last_report)
                .map_or(EntryHash::ZERO, |h| h.hash),
            verdict: if verified {
                Verdict::Verified
            } else {
                Verdict::Disputed
            },
            note: "Checked.".into(),
        },
        Act::Reschedule(k, due) => Event::CommitmentRescheduleProposed {
            commitment: kid(k),
            due: due.map(|d| time + d as i64),
            until: None,
            reason: "Re-timed.".into(),
        },
        Act::AgreeReschedule(k) => Event::CommitmentRescheduleEndorsed {
            commitment: kid(k),
            proposal: c(k)
                .and_then(|c| c.reschedule)
                .map_or(EntryHash::ZERO, |r| r.proposal.hash),
        },
        Act::Join(k) => Event::CommitmentJoined {
            commitment: kid(k),
            made: c(k).map_or(EntryHash::ZERO, |c| c.made.hash),
        },
        Act::Correct(a, ks) => Event::AllegationCorrected {
            allegation: aid(a),
            commitments: ks.map(|ks| ks.into_iter().map(kid).collect()),
            occurred: None,
            location: Some("Corrected place".into()),
            summary: None,
            evidence: vec![],
            reason: "Misreported.".into(),
        },
        Act::Revise(ru, old, f, breaches) => {
            let accused = full
                .records()
                .rulings()
                .get(&rid(old))
                .and_then(|r| full.records().allegations().get(&r.allegation))
                .and_then(|a| a.against().cloned())
                .unwrap_or_else(|| PartyId::new("gov").unwrap());
            Event::RulingRevisionProposed {
                id: rid(ru + 4),
                revises: rid(old),
                finding: Finding::ALL[f],
                attribution: Attribution::Party(accused),
                breaches: breaches.into_iter().map(kid).collect(),
                text: "Reconsidered.".into(),
            }
        }
        _ => return None,
    })
}

/// The events of issue 14's acts (bodies, actors, monitoring).
fn mechanism_event(act: &Act, full: &State, time: i64) -> Option<Event> {
    let r = full.records();
    let accused = |p: usize| Accused::Party(pid(p));
    Some(match act.clone() {
        Act::Mechanism(m, v) => Event::AmendmentProposed {
            id: mid(m),
            changes: mechanism_changes(v, full),
            reason: "Mechanism agreed.".into(),
        },
        Act::Observe(o, severity, for_team, task) => Event::ObservationRecorded {
            id: oid(o),
            body: for_team.then(|| bid(true)),
            task: task.map(tid),
            occurred: time - 120,
            time_precision: TimePrecision::Hour,
            location: "Ridge".into(),
            place_precision: PlacePrecision::Settlement,
            severity: match severity {
                0 => None,
                s @ 1..=3 => Some(SEVERITY[s as usize - 1].into()),
                _ => Some("catastrophic".into()),
            },
            violation: None,
            summary: "Shelling seen.".into(),
            evidence: vec![],
        },
        Act::Lodge(a, kind, ks) => Event::AllegationLodged {
            id: aid(a),
            accused: match kind {
                0 => vec![accused(4), Accused::Actor(actor(false))],
                1 => vec![],
                _ => vec![accused(4), accused(5), Accused::Actor(actor(true))],
            },
            commitments: ks.into_iter().map(kid).collect(),
            occurred: time - 60,
            location: "Valley".into(),
            summary: "Shelling.".into(),
            evidence: vec![],
        },
        Act::Draft(ru, on, mvt, f, at, breaches) => Event::RulingDrafted {
            id: rid(8 + ru),
            on: item(on),
            body: bid(mvt),
            finding: Finding::ALL[f],
            attribution: match at {
                0 => Attribution::Party(pid(4)),
                1 => Attribution::Party(pid(5)),
                2 => Attribution::Unattributable,
                3 => Attribution::To {
                    who: Accused::Actor(actor(false)),
                    degree: Degree::LargelyAttributed,
                },
                _ => Attribution::Shared,
            },
            breaches: breaches.into_iter().map(kid).collect(),
            text: "The body finds.".into(),
        },
        Act::Ratify(ru) => Event::RulingRatified {
            ruling: rid(ru),
            proposal: r
                .rulings()
                .get(&rid(ru))
                .map_or(EntryHash::ZERO, |x| x.proposal.hash),
        },
        Act::Refer(i, mvt) => Event::ItemReferred {
            item: item(i),
            to: bid(mvt),
            note: "For review.".into(),
        },
        Act::AddEvidence(i) => Event::EvidenceAdded {
            item: item(i),
            evidence: vec![Exhibit {
                name: "photo.jpg".into(),
                sha256: Sha256([i; 32]),
                size: 10,
                media_type: "image/jpeg".into(),
                salted: i % 2 == 0,
            }],
            note: "Photographs.".into(),
        },
        Act::View(i) => Event::ViewRecorded {
            item: item(i),
            text: "Our view.".into(),
        },
        Act::Task(t, about) => Event::TeamTasked {
            id: tid(t),
            team: bid(true),
            about: about.map(item),
            text: "Go and look.".into(),
            due: time + 100_000,
        },
        Act::Recommend(rc, mvt, to) => Event::RecommendationMade {
            id: rcid(rc),
            body: bid(mvt),
            to: pid(to),
            about: None,
            text: "Pull back.".into(),
            due: time + 100_000,
        },
        Act::Measures(rc) => Event::MeasuresReported {
            recommendation: rcid(rc),
            text: "Pulled back.".into(),
            evidence: vec![],
        },
        Act::Meet(mt, attendees) => Event::MeetingRecorded {
            id: mtid(mt),
            body: None,
            held: time - 30,
            place: "Astana".into(),
            attendees: attendees.into_iter().map(pid).collect(),
            agenda: vec!["Incidents".into()],
            outcome: "Agreed to meet again.".into(),
        },
        Act::Cosign(mt) => Event::MeetingCosigned {
            meeting: mtid(mt),
            record: r
                .meetings()
                .get(&mtid(mt))
                .map_or(EntryHash::ZERO, |x| x.record.hash),
        },
        Act::Table(c, signatories) => Event::ClauseTabled {
            id: cid(c),
            title: "Tabled".into(),
            text: "Binds its signatories.".into(),
            signatories: signatories.into_iter().map(pid).collect(),
        },
        _ => return None,
    })
}

/// A signer likely to be allowed to sign `act` (so that long, valid
/// sequences occur), or `fallback` when not biased.
fn sensible_signer(act: &Act, full: &State, pick: usize, fallback: usize) -> usize {
    let r = full.records();
    let idx = |p: &PartyId| NAMES.iter().position(|(n, _)| *n == p.as_str());
    let among = |set: &[usize]| set[pick % set.len()];
    let mech = &full.amending().mechanism;
    // A member of the body, if it exists.
    let members = |b: &BodyId| {
        mech.body(b)
            .filter(|b| !b.members.is_empty())
            .and_then(|b| idx(&b.members[pick % b.members.len()]))
    };
    match act {
        Act::Propose(_) | Act::Endorse(_) => among(&[0, 1, 2, 3]),
        Act::Accept(_) => among(&[4, 5]),
        Act::Commit(..) => among(&[0, 1, 2, 4, 5]),
        Act::Fulfil(k) | Act::Withdraw(k) | Act::Remedy(k) => r
            .commitments()
            .get(&kid(*k))
            .and_then(|c| idx(&c.obligor))
            .unwrap_or(fallback),
        Act::Allege(..) => among(&[0, 1, 2, 3, 4, 5, 6]),
        Act::Respond(a) => r
            .allegations()
            .get(&aid(*a))
            .and_then(|x| x.against().and_then(idx))
            .unwrap_or(fallback),
        Act::WithdrawAllegation(a) => r
            .allegations()
            .get(&aid(*a))
            .and_then(|x| idx(&x.by))
            .unwrap_or(fallback),
        Act::Rule(..) => among(&[0, 1, 2, 6]),
        Act::EndorseRuling(ru) | Act::Dissent(ru) => {
            match r.rulings().get(&rid(*ru)).and_then(|x| x.body.as_ref()) {
                Some(b) => members(b).unwrap_or(fallback),
                None => among(&[0, 1, 2]),
            }
        }
        Act::Undertake(..) => among(&[0, 1, 2, 4, 5]),
        Act::Progress(k, ..) => r
            .commitments()
            .get(&kid(*k))
            .and_then(|c| idx(&c.obligor))
            .unwrap_or(fallback),
        Act::Attest(..) => among(&[0, 1, 2, 6]),
        Act::Join(_) => among(&[0, 4, 5]),
        Act::Correct(a, _) => r
            .allegations()
            .get(&aid(*a))
            .and_then(|x| idx(&x.by))
            .unwrap_or(fallback),
        Act::Revise(..) => among(&[0, 1, 2, 6]),
        Act::Reschedule(k, _) | Act::AgreeReschedule(k) => {
            let obligor = r.commitments().get(&kid(*k)).and_then(|c| idx(&c.obligor));
            match (pick % 2, obligor) {
                (0, Some(o)) => o,
                _ => among(&[0, 1, 2]),
            }
        }
        // issue 13: clauses
        Act::WithdrawClause(c) => r
            .clauses()
            .get(&cid(*c))
            .and_then(|x| idx(&x.proposer))
            .unwrap_or(fallback),
        Act::Decline(_) => among(&[4, 5]),
        Act::ReviseClause(..) | Act::ProposeTerm(..) | Act::EndorseTerm(_) => among(&[0, 1, 2, 3]),
        Act::Amend(..) => among(&[0, 1, 2, 3]),
        Act::EndorseAmendment(_) => among(&[0, 1, 2]),
        // issue 14: mechanisms
        Act::Mechanism(..) => among(&[0, 1, 2, 3]),
        Act::Observe(_, _, true, _) => members(&bid(true)).unwrap_or(6),
        Act::Observe(..) => 6,
        Act::Lodge(..) => among(&[0, 1, 2, 3, 6]),
        Act::Draft(_, _, mvt, ..) => members(&bid(*mvt)).unwrap_or(fallback),
        Act::Ratify(ru) => r
            .rulings()
            .get(&rid(*ru))
            .and_then(|x| x.body.as_ref())
            .and_then(|b| mech.body(b))
            .and_then(|b| b.parent.as_ref())
            .and_then(members)
            .unwrap_or(fallback),
        Act::Refer(..) | Act::AddEvidence(_) => among(&[0, 1, 2, 3, 6]),
        Act::View(_) => among(&[4, 5]),
        Act::Task(..) => members(&bid(false)).unwrap_or(fallback),
        Act::Recommend(_, mvt, _) => members(&bid(*mvt)).unwrap_or(fallback),
        Act::Measures(rc) => r
            .recommendations()
            .get(&rcid(*rc))
            .and_then(|x| idx(&x.to))
            .unwrap_or(fallback),
        Act::Meet(..) => 3,
        Act::Cosign(mt) => r
            .meetings()
            .get(&mtid(*mt))
            .and_then(|x| {
                let others: Vec<&PartyId> = x.attendees.iter().filter(|p| **p != x.by).collect();
                (!others.is_empty()).then(|| others[pick % others.len()])
            })
            .and_then(idx)
            .unwrap_or(fallback),
        Act::Table(..) => among(&[0, 1, 2, 3]),
    }
}

/// Points an act's references at items that exist, so that long valid
/// sequences (adoptions, breaches, remedies) occur.
fn sensible_refs(act: Act, full: &State, pick: usize) -> Act {
    let r = full.records();
    let nth = |ids: Vec<String>| -> Option<u8> {
        if ids.is_empty() {
            None
        } else {
            ids[pick % ids.len()][1..].parse().ok()
        }
    };
    let clauses = || nth(r.clauses().keys().map(|k| k.to_string()).collect());
    let commitments = || nth(r.commitments().keys().map(|k| k.to_string()).collect());
    let allegations = || nth(r.allegations().keys().map(|k| k.to_string()).collect());
    let rulings = || nth(r.rulings().keys().map(|k| k.to_string()).collect());
    let adopted = || {
        nth(r
            .clauses()
            .iter()
            .filter(|(_, x)| x.adopted_at.is_some() && x.superseded_by.is_none())
            .map(|(k, _)| k.to_string())
            .collect())
    };
    let amendments = || nth(r.amendments().keys().map(|k| k.to_string()).collect());
    match act {
        // Half the time, a proposal still short of adoption (revisions
        // among them, so that some supersede).
        Act::Endorse(c) if pick.is_multiple_of(2) => Act::Endorse(
            nth(r
                .clauses()
                .iter()
                .filter(|(_, x)| x.adopted_at.is_none() && x.withdrawn.is_none())
                .map(|(k, _)| k.to_string())
                .collect())
            .or_else(clauses)
            .unwrap_or(c),
        ),
        Act::Endorse(c) => Act::Endorse(clauses().unwrap_or(c)),
        Act::Accept(c) => Act::Accept(clauses().unwrap_or(c)),
        Act::Commit(k, c, d) => Act::Commit(k, clauses().unwrap_or(c), d),
        Act::Fulfil(k) => Act::Fulfil(commitments().unwrap_or(k)),
        Act::Withdraw(k) => Act::Withdraw(commitments().unwrap_or(k)),
        Act::Remedy(k) => Act::Remedy(commitments().unwrap_or(k)),
        Act::Allege(a, against, ks) => match commitments() {
            Some(k) => {
                let obligor = &r.commitments()[&kid(k)].obligor;
                let p = NAMES
                    .iter()
                    .position(|(n, _)| *n == obligor.as_str())
                    .unwrap_or(against);
                Act::Allege(a, p, vec![k])
            }
            None => Act::Allege(a, against, ks),
        },
        Act::Respond(a) => Act::Respond(allegations().unwrap_or(a)),
        Act::WithdrawAllegation(a) => Act::WithdrawAllegation(allegations().unwrap_or(a)),
        Act::Rule(ru, a, f, at, b) => Act::Rule(ru, allegations().unwrap_or(a), f, at, b),
        Act::EndorseRuling(ru) => Act::EndorseRuling(rulings().unwrap_or(ru)),
        Act::Dissent(ru) => Act::Dissent(rulings().unwrap_or(ru)),
        Act::Undertake(k, c, d, u) => Act::Undertake(k, clauses().unwrap_or(c), d, u),
        Act::Progress(k, d, o) => Act::Progress(commitments().unwrap_or(k), d, o),
        Act::Attest(k, v) => Act::Attest(commitments().unwrap_or(k), v),
        Act::Reschedule(k, d) => Act::Reschedule(commitments().unwrap_or(k), d),
        Act::AgreeReschedule(k) => Act::AgreeReschedule(commitments().unwrap_or(k)),
        Act::Correct(a, ks) => Act::Correct(allegations().unwrap_or(a), ks),
        Act::Join(k) => Act::Join(commitments().unwrap_or(k)),
        Act::Revise(ru, old, f, b) => Act::Revise(ru, rulings().unwrap_or(old), f, b),
        // issue 13: clauses
        Act::WithdrawClause(c) => Act::WithdrawClause(clauses().unwrap_or(c)),
        Act::Decline(c) => Act::Decline(clauses().unwrap_or(c)),
        Act::ReviseClause(n, c) => Act::ReviseClause(n, adopted().or_else(clauses).unwrap_or(c)),
        Act::ProposeTerm(c, u) => Act::ProposeTerm(adopted().or_else(clauses).unwrap_or(c), u),
        Act::EndorseTerm(c) => Act::EndorseTerm(
            nth(r
                .clauses()
                .iter()
                .filter(|(_, x)| x.term.is_some())
                .map(|(k, _)| k.to_string())
                .collect())
            .or_else(clauses)
            .unwrap_or(c),
        ),
        Act::EndorseAmendment(m) => Act::EndorseAmendment(amendments().unwrap_or(m)),
        // Changes to the parties to the conflict: they reopen or close
        // clauses no entry touches.
        Act::Amend(m, kind, _) => Act::Amend(m, kind % 3, 4 + pick % 2),
        // issue 14: mechanisms. Items that exist, tasks not yet reported,
        // attendees without repeats, signatories with a guarantor.
        Act::Observe(o, s, b, Some(t)) => Act::Observe(
            o,
            s,
            b,
            Some(
                nth(r
                    .tasks()
                    .keys()
                    .filter(|t| {
                        !r.observations()
                            .values()
                            .any(|o| o.task.as_ref() == Some(t))
                    })
                    .map(|k| k.to_string())
                    .collect())
                .unwrap_or(t),
            ),
        ),
        Act::Lodge(a, kind, _) => {
            let accused = [4, 5].map(pid);
            let ks = r
                .commitments()
                .iter()
                .filter(|(_, c)| kind != 1 && (kind != 0 || c.obligor == accused[0]))
                .filter(|(_, c)| accused.contains(&c.obligor))
                .filter_map(|(k, _)| k.as_str()[1..].parse().ok())
                .take(1)
                .collect();
            Act::Lodge(a, kind, ks)
        }
        Act::Draft(ru, on, mvt, f, at, b) => {
            Act::Draft(ru, items(r, pick).unwrap_or(on), mvt, f, at, b)
        }
        Act::Ratify(ru) => Act::Ratify(
            nth(r
                .rulings()
                .iter()
                .filter(|(_, x)| x.provisional_at.is_some())
                .map(|(k, _)| k.to_string())
                .collect())
            .or_else(rulings)
            .unwrap_or(ru),
        ),
        Act::Refer(i, b) => Act::Refer(items(r, pick).unwrap_or(i), b),
        Act::AddEvidence(i) => Act::AddEvidence(items(r, pick).unwrap_or(i)),
        Act::View(i) => Act::View(items(r, pick).unwrap_or(i)),
        Act::Task(t, Some(i)) => Act::Task(t, Some(items(r, pick).unwrap_or(i))),
        Act::Recommend(rc, b, to) => Act::Recommend(rc, b, 4 + to % 2),
        Act::Measures(rc) => Act::Measures(
            nth(r
                .recommendations()
                .keys()
                .map(|k| k.to_string()[1..].to_string())
                .collect())
            .unwrap_or(rc),
        ),
        Act::Meet(mt, mut attendees) => {
            attendees.sort_unstable();
            attendees.dedup();
            if attendees.is_empty() {
                attendees.push(4);
            }
            Act::Meet(mt, attendees)
        }
        Act::Cosign(mt) => Act::Cosign(
            nth(r
                .meetings()
                .keys()
                .map(|k| k.to_string()[1..].to_string())
                .collect())
            .unwrap_or(mt),
        ),
        Act::Table(c, mut signatories) => {
            signatories.push(pick % 3);
            signatories.sort_unstable();
            signatories.dedup();
            signatories.retain(|s| *s != 7);
            Act::Table(c, signatories)
        }
        other => other,
    }
}

/// An allegation or observation on record, as an item index (see [`item`]).
fn items(r: &Records, pick: usize) -> Option<u8> {
    let all: Vec<u8> = r
        .allegations()
        .keys()
        .filter_map(|a| a.as_str()[1..].parse().ok())
        .chain(
            r.observations()
                .keys()
                .filter_map(|o| o.as_str()[1..].parse::<u8>().ok())
                .map(|o| o + 4),
        )
        .collect();
    (!all.is_empty()).then(|| all[pick % all.len()])
}

/// Makes a body's draft likely to be adopted with a breach: confirmed,
/// attributed to an accused party (or, on an observation, to a party with
/// commitments), breaching one of its commitments.
fn sensible_draft(act: Act, full: &State) -> Act {
    let Act::Draft(ru, on, mvt, _, _, _) = act.clone() else {
        return act;
    };
    let r = full.records();
    let party = if on < 4 {
        let Some(a) = r.allegations().get(&aid(on)) else {
            return act;
        };
        match a.accused.iter().find_map(|x| match x {
            Accused::Party(p) => Some(p.clone()),
            Accused::Actor(_) => None,
        }) {
            Some(p) => p,
            None => return Act::Draft(ru, on, mvt, 0, 3, vec![]),
        }
    } else {
        pid(4 + ru as usize % 2)
    };
    let at = if party == pid(4) { 0 } else { 1 };
    let breaches = r
        .commitments()
        .iter()
        .filter(|(_, c)| c.obligor == party)
        .filter_map(|(k, _)| k.as_str()[1..].parse().ok())
        .take(1)
        .collect();
    Act::Draft(ru, on, mvt, 0, at, breaches)
}

/// Makes a ruling proposal likely to be valid and to find a breach.
fn sensible_ruling(act: Act, full: &State) -> Act {
    let Act::Rule(ru, a, _, _, _) = act.clone() else {
        return act;
    };
    let Some(x) = full.records().allegations().get(&aid(a)) else {
        return act;
    };
    let accused = NAMES
        .iter()
        .position(|(n, _)| Some(*n) == x.against().map(PartyId::as_str))
        .unwrap_or(0);
    let breaches = full
        .records()
        .commitments()
        .iter()
        .filter(|(_, c)| Some(&c.obligor) == x.against())
        .filter_map(|(k, _)| k.as_str()[1..].parse().ok())
        .take(1)
        .collect();
    Act::Rule(ru, a, 0, accused, breaches)
}

/// Makes an amendment likely to change which clauses are live: a new
/// party to the conflict when an adopted clause is accepted by every party
/// to the conflict, the removal or demotion of one that has not accepted
/// an adopted clause that another has.
fn sensible_amendment(act: Act, full: &State) -> Act {
    let Act::Amend(m, kind, target) = act else {
        return act;
    };
    let conflict: Vec<usize> = (0..NAMES.len())
        .filter(|i| {
            full.charter()
                .party(&PartyId::new(NAMES[*i].0).unwrap())
                .is_some_and(|p| p.role == Role::Party)
        })
        .collect();
    for c in full.records().clauses().values().filter(|c| c.is_adopted()) {
        let missing: Vec<usize> = conflict
            .iter()
            .copied()
            .filter(|i| !c.acceptances.iter().any(|(p, _)| p.as_str() == NAMES[*i].0))
            .collect();
        if missing.is_empty() && !conflict.is_empty() {
            return Act::Amend(m, 0, target);
        }
        if missing.len() < conflict.len() {
            return Act::Amend(m, 1 + kind % 2, missing[0]);
        }
    }
    act
}

/// The clauses live in `state` ([`accord_core::projection::is_live`]).
fn live_clauses(state: &State) -> Vec<ClauseId> {
    state
        .records()
        .clauses()
        .keys()
        .filter(|c| projection::is_live(state, &RecordKey::Clause((*c).clone())))
        .cloned()
        .collect()
}

fn stored(l: &Ledger<MemStore>) -> (Vec<RawEntry>, Vec<KeyValue>) {
    let s = l.store();
    (
        s.scan(0).map(|r| r.unwrap()).collect(),
        s.derived_scan(b"").map(|r| r.unwrap()).collect(),
    )
}

/// What one generated sequence reached.
#[derive(Debug, Clone, Copy)]
struct Reached {
    clause_adopted: bool,
    ruling_adopted: bool,
    breach: bool,
    /// A reschedule agreed, a report attested or a ruling superseded
    /// (issue 13's acts).
    over_time: bool,
    superseded: bool,
    term_adopted: bool,
    amended: bool,
    reopened: bool,
    // issue 14: mechanisms
    /// A ruling drafted by a body adopted (directly or by ratification).
    body_ruling: bool,
    /// A body's ruling adopted by the parent body's ratification.
    ratified: bool,
    observed: bool,
    /// Measures reported on a recommendation, or a meeting cosigned.
    answered: bool,
}

type Step = (Act, usize, u8, i64);

/// One case: every property in the module doc, on `steps`, with the view
/// "as of" taken at `cut`.
fn check_case(steps: &[Step], cut: prop::sample::Index) -> Result<Reached, TestCaseError> {
    // Checkpoints every 4 entries, so that views as of a point start
    // from one in the middle of these short ledgers.
    let mut ledger = Ledger::init(MemStore::default(), charter(), &key(3), T0)
        .unwrap()
        .with_checkpoints_every(4);
    let mut full = ledger.replay().unwrap();
    let mut time = T0;
    let mut admitted = 0;
    // Whether an entry changed which clauses are live without touching
    // them (an amendment changing the parties to the conflict).
    let mut reopened = false;
    for (act, pick, bias, dt) in steps {
        time += dt;
        // Seven times in ten, choose a signer and ruling that make sense.
        let (act, signer) = if *bias < 8 {
            let act = sensible_draft(
                sensible_amendment(
                    sensible_ruling(sensible_refs(act.clone(), &full, *pick), &full),
                    &full,
                ),
                &full,
            );
            let signer = sensible_signer(&act, &full, *pick, *pick);
            (act, signer)
        } else {
            (act.clone(), *pick)
        };
        let act = &act;
        let ev = event(act, &full, time);
        let entry = match full.sign_next(&key(signer), time, ev.clone()) {
            Ok(entry) => entry,
            // A party removed by amendment: its entry, signed as it would
            // have been, must still be refused by both.
            Err(SignError::Removed(_)) => {
                let party = PartyId::new(NAMES[signer].0).unwrap();
                NextEntry {
                    ledger: full.ledger_id(),
                    head: full.head(),
                    author_seq: full.author_seq(&party) + 1,
                    party,
                    head_time: full.head_time(),
                }
                .sign(&key(signer), time, ev)
                .unwrap()
            }
            Err(e) => panic!("{e}"),
        };
        let before = stored(&ledger);
        let by_fold = full.clone().admit(&entry);
        let by_ledger = ledger.append_sealed(std::slice::from_ref(&entry));
        match (&by_fold, &by_ledger) {
            (Ok(()), Ok(())) => {
                let before = live_clauses(&full);
                full.admit(&entry).unwrap();
                reopened |= matches!(entry.entry.body.event, Event::AmendmentEndorsed { .. })
                    && before != live_clauses(&full);
                admitted += 1;
            }
            (Err(v), Err(accord_ledger::LedgerError::RejectedEntry { violation, .. })) => {
                prop_assert_eq!(v, violation);
                prop_assert_eq!(stored(&ledger), before, "a refusal changed the store");
            }
            _ => prop_assert!(
                false,
                "fold {:?} but ledger {:?} for {:?}",
                by_fold,
                by_ledger,
                act
            ),
        }
    }
    let r = full.records();
    let reached = Reached {
        clause_adopted: r.clauses().values().any(|c| c.adopted_at.is_some()),
        ruling_adopted: r.rulings().values().any(|x| x.adopted_at.is_some()),
        breach: r.commitments().values().any(|c| {
            matches!(
                c.status,
                CommitmentStatus::Breached { .. } | CommitmentStatus::Remedied { .. }
            )
        }),
        over_time: r
            .commitments()
            .values()
            .any(|c| !c.rescheduled.is_empty() || !c.attestations.is_empty())
            || r.rulings().values().any(|x| x.superseded_by.is_some()),
        superseded: r.clauses().values().any(|c| c.superseded_by.is_some()),
        term_adopted: r.clauses().values().any(|c| c.until_from.is_some()),
        amended: r.amendments().values().any(|a| a.adopted_at.is_some()),
        reopened,
        body_ruling: r
            .rulings()
            .values()
            .any(|x| x.body.is_some() && x.adopted_at.is_some()),
        ratified: r
            .rulings()
            .values()
            .any(|x| x.adopted_at.is_some() && !x.ratifications.is_empty()),
        observed: !r.observations().is_empty(),
        answered: r.recommendations().values().any(|x| !x.measures.is_empty())
            || r.meetings().values().any(|x| !x.cosigned.is_empty()),
    };
    // PROP_STATS=1 shows how far each sequence gets.
    if std::env::var("PROP_STATS").is_ok() {
        eprintln!(
            "admitted {admitted}/{} clauses {} commitments {} allegations {} rulings {} {reached:?}",
            steps.len(),
            r.clauses().len(),
            r.commitments().len(),
            r.allegations().len(),
            r.rulings().len()
        );
    }
    // The open view from the live items appends index equals the open
    // view of a full replay.
    let live = ledger.open_state().unwrap();
    prop_assert_eq!(
        open_view(obligations(&live, time)),
        open_view(obligations(&full, time))
    );
    // issue 13: clauses. Every clause read from derived data (the clause
    // list at the head) equals the replay's.
    let clauses = ledger.clauses_state().unwrap();
    prop_assert_eq!(clauses.records().clauses(), full.records().clauses());
    // Derived data kept incrementally equals a rebuild.
    let incremental = stored(&ledger).1;
    let rebuilt = ledger.rebuild_derived().unwrap();
    prop_assert_eq!(&stored(&ledger).1, &incremental);
    prop_assert_eq!(obligations(&rebuilt, time), obligations(&full, time));
    prop_assert_eq!(rebuilt, full);

    // As of entry k equals the ledger truncated after entry k.
    let k = cut.index(admitted + 1) as u64;
    let mut truncated = MemStore::default();
    let prefix: Vec<RawEntry> = ledger
        .store()
        .scan(0)
        .take(k as usize + 1)
        .map(|r| r.unwrap())
        .collect();
    truncated.append_batch(&prefix, &[]).unwrap();
    let short = Ledger::from_store(truncated).replay().unwrap();
    let at = ledger.state_at(k).unwrap();
    prop_assert_eq!(
        obligations(&at, at.head_time()),
        obligations(&short, short.head_time())
    );
    // The open view as of entry k from the nearest checkpoint and the
    // entries after it, whenever that path answers (it declines when a
    // later change to a closed item gets in the way), equals the open
    // view of the full replay; so does the view with the fallback.
    let full_view = open_view(obligations(&at, at.head_time()));
    if let Some(fast) = ledger.open_state_from_checkpoint(k).unwrap() {
        prop_assert_eq!(fast.head(), at.head());
        prop_assert_eq!(
            open_view(obligations(&fast, at.head_time())),
            full_view.clone()
        );
    }
    // issue 13: clauses. The clauses as of entry k, from the checkpoint
    // path, are those of the full replay.
    let clauses = ledger.clauses_state_at(k).unwrap();
    prop_assert_eq!(clauses.head(), at.head());
    prop_assert_eq!(clauses.records().clauses(), at.records().clauses());
    for id in ["C0", "C1", "C6"].map(|c| ClauseId::new(c).unwrap()) {
        let one = ledger.clause_state_at(&id, k).unwrap();
        prop_assert_eq!(
            one.records().clauses().get(&id),
            at.records().clauses().get(&id)
        );
    }
    let either = ledger.open_state_at(k).unwrap();
    prop_assert_eq!(open_view(obligations(&either, at.head_time())), full_view);
    prop_assert_eq!(at, short);
    Ok(reached)
}

const CASES: u32 = 128;

#[test]
fn partial_appends_decide_like_the_full_fold() {
    let config = ProptestConfig {
        cases: CASES,
        source_file: Some(file!()),
        ..ProptestConfig::default()
    };
    let strategy = (
        prop::collection::vec((act(), 0usize..8, 0u8..10, 0i64..200_000), 1..160),
        any::<prop::sample::Index>(),
    );
    let counts = std::cell::Cell::new([0u32; 13]);
    let mut runner = TestRunner::new(config);
    let outcome = runner.run(&strategy, |(steps, cut)| {
        let reached = check_case(&steps, cut)?;
        let [cases, clauses, rulings, breaches, over_time, superseded, terms, amended, reopened, body_rulings, ratified, observed, answered] =
            counts.get();
        counts.set([
            cases + 1,
            clauses + u32::from(reached.clause_adopted),
            rulings + u32::from(reached.ruling_adopted),
            breaches + u32::from(reached.breach),
            over_time + u32::from(reached.over_time),
            superseded + u32::from(reached.superseded),
            terms + u32::from(reached.term_adopted),
            amended + u32::from(reached.amended),
            reopened + u32::from(reached.reopened),
            body_rulings + u32::from(reached.body_ruling),
            ratified + u32::from(reached.ratified),
            observed + u32::from(reached.observed),
            answered + u32::from(reached.answered),
        ]);
        Ok(())
    });
    if let Err(e) = outcome {
        panic!("{e}\n{runner}");
    }
    // Measured over runs of 128 cases of up to 160 acts: about half reach
    // an adopted clause, two in five an adopted ruling, one in five a
    // breach, one in six an agreed reschedule, attestation or superseded
    // ruling, one in sixteen an adopted clause term (5-13 of 133 over six
    // runs with the amendment acts in the mix). The floors are far
    // enough below that a run short of them means the generator stopped
    // reaching them, not bad luck. Clauses reopened or closed by an
    // amendment are rare here; hand-built ledgers cover them
    // (`incremental::same_bytes_as_the_reference::amendments`).
    let [cases, clauses, rulings, breaches, over_time, superseded, terms, amended, reopened, body_rulings, ratified, observed, answered] =
        counts.get();
    eprintln!(
        "{cases} cases: {clauses} reached an adopted clause, {rulings} an adopted ruling, {breaches} a breach, \
         {over_time} an agreed reschedule, attestation or superseded ruling, {superseded} a superseded clause, \
         {terms} an adopted clause term, {amended} an adopted amendment, {reopened} clauses reopened or closed by one, \
         {body_rulings} a body's ruling adopted, {ratified} one ratified by the parent body, {observed} an observation, \
         {answered} measures reported or a meeting cosigned"
    );
    assert!(cases >= CASES, "only {cases} cases ran");
    assert!(
        clauses >= cases / 6,
        "{clauses} of {cases} cases adopted a clause"
    );
    assert!(
        rulings >= cases / 8,
        "{rulings} of {cases} cases adopted a ruling"
    );
    assert!(
        breaches >= cases / 64,
        "{breaches} of {cases} cases reached a breach"
    );
    assert!(
        over_time >= cases / 64,
        "{over_time} of {cases} cases agreed a reschedule, attested a report or superseded a ruling"
    );
    assert!(
        terms >= cases / 128,
        "{terms} of {cases} cases adopted a clause term"
    );
    assert!(
        amended >= cases / 32,
        "{amended} of {cases} cases adopted an amendment"
    );
    // issue 14: mechanisms. Measured over three runs of 134 cases: 19-22
    // reach an observation, 29-44 measures reported or a meeting
    // cosigned; floors at about a third of the lowest. A body's ruling
    // adopted (directly or by ratification) is counted and printed but not
    // yet reached by this generator (0 in three runs): no floor for it.
    assert!(
        observed >= cases / 20,
        "{observed} of {cases} cases recorded an observation"
    );
    assert!(
        answered >= cases / 13,
        "{answered} of {cases} cases reported measures or cosigned a meeting"
    );
}
