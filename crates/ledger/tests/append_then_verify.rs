//! The invariant that keeps a ledger from being bricked by its own
//! parties: whatever `append` accepts, `verify` accepts. Random events, many
//! at or just past a limit (text lengths, list counts, times, control
//! characters), are appended to a ledger; whatever lands must verify, and
//! every refusal must leave the ledger as it was.

use std::sync::OnceLock;

use accord_core::ids::{MeetingId, ObservationId};
use accord_core::limits::{MAX_EVIDENCE, MAX_LIST, MAX_TEXT_BYTES, MAX_TIME, MAX_TITLE_BYTES};
use accord_core::*;
use accord_ledger::synth::{self, key, START};
use accord_ledger::Ledger;
use accord_store::{MemStore, Store};
use proptest::prelude::*;
use proptest::strategy::ValueTree;

/// Commitments gov made under an adopted clause, for allegations and
/// rulings to name.
const COMMITMENTS: usize = MAX_LIST + 2;
const GOV: usize = 4;
const OPP: usize = 5;
const MON: usize = 6;

fn kid(i: usize) -> CommitmentId {
    CommitmentId::new(format!("K{i}")).unwrap()
}

/// A ledger with clause C0 adopted, commitments K0.. by gov, and
/// allegation A0 by opp against gov: built once, cloned for each case.
fn base() -> &'static MemStore {
    static BASE: OnceLock<MemStore> = OnceLock::new();
    BASE.get_or_init(|| {
        let mut l = Ledger::init(MemStore::default(), synth::charter(), &key(0), START).unwrap();
        let t = START + 60;
        let c0 = ClauseId::new("C0").unwrap();
        let proposal = l
            .append(
                &key(0),
                t,
                t,
                Event::ClauseProposed {
                    id: c0.clone(),
                    title: "Title".into(),
                    text: "Text.".into(),
                },
            )
            .unwrap()
            .hash;
        for g in 0..3 {
            l.append(
                &key(g),
                t,
                t,
                Event::ClauseEndorsed {
                    clause: c0.clone(),
                    proposal,
                },
            )
            .unwrap();
        }
        for i in 0..COMMITMENTS {
            l.append(
                &key(GOV),
                t,
                t,
                Event::CommitmentMade {
                    id: kid(i),
                    clause: c0.clone(),
                    text: "Hold.".into(),
                    zone: None,
                    due: None,
                },
            )
            .unwrap();
        }
        l.append(
            &key(OPP),
            t,
            t,
            Event::AllegationFiled {
                id: AllegationId::new("A0").unwrap(),
                against: PartyId::new("gov").unwrap(),
                commitments: vec![kid(0)],
                occurred: t,
                location: "Valley".into(),
                summary: "Shelling.".into(),
                evidence: vec![],
            },
        )
        .unwrap();
        l.into_store()
    })
}

/// Lengths around each limit, and ordinary ones.
fn len_near(max: usize) -> impl Strategy<Value = usize> {
    prop_oneof![1..8usize, Just(max - 1), Just(max), Just(max + 1), Just(0)]
}

/// Text of about `len` bytes, sometimes with a character a field may
/// refuse (a newline, an escape, a zero-width space, a bidi override).
fn text(len: impl Strategy<Value = usize>) -> impl Strategy<Value = String> {
    (
        len,
        prop::option::of(prop::sample::select(vec![
            '\n', '\u{1b}', '\u{200B}', '\u{202E}', '\t', 'é',
        ])),
    )
        .prop_map(|(len, odd)| {
            let mut s = "x".repeat(len);
            if let Some(c) = odd {
                if len > 0 {
                    s.replace_range(0..1, &c.to_string());
                }
            }
            s
        })
}

/// A list of commitment ids of a count near the limit, some repeated; or
/// one commitment named so often that the entry would pass 1 MiB (what a
/// party once used to brick a ledger).
fn commitments() -> impl Strategy<Value = Vec<CommitmentId>> {
    prop_oneof![
        8 => (prop_oneof![0..4usize, Just(MAX_LIST), Just(MAX_LIST + 1)], any::<bool>()).prop_map(
            |(n, repeat)| {
                let mut v: Vec<_> = (0..n).map(kid).collect();
                if repeat && n > 1 {
                    v[1] = kid(0);
                }
                v
            },
        ),
        1 => Just(vec![kid(0); limits::MAX_ENTRY_BYTES / 10 + 1]),
    ]
}

fn evidence() -> impl Strategy<Value = Vec<Evidence>> {
    (
        prop_oneof![0..3usize, Just(MAX_EVIDENCE), Just(MAX_EVIDENCE + 1)],
        text(len_near(MAX_TITLE_BYTES)),
        any::<bool>(),
    )
        .prop_map(|(n, name, repeat)| {
            (0..n)
                .map(|i| {
                    let digest = if repeat && i == 1 { 0 } else { i };
                    Evidence {
                        name: name.clone(),
                        sha256: accord_core::ids::Sha256([
                            digest as u8,
                            (digest >> 8) as u8,
                            1,
                            2,
                            3,
                            4,
                            5,
                            6,
                            7,
                            8,
                            9,
                            10,
                            11,
                            12,
                            13,
                            14,
                            15,
                            16,
                            17,
                            18,
                            19,
                            20,
                            21,
                            22,
                            23,
                            24,
                            25,
                            26,
                            27,
                            28,
                            29,
                            30,
                        ]),
                        size: 1,
                        media_type: "text/plain".into(),
                    }
                })
                .collect()
        })
}

#[derive(Debug, Clone)]
enum Try {
    Clause(String, String),
    Commit(String, Option<i64>),
    Allege(Vec<CommitmentId>, String, String, Vec<Evidence>),
    Answer(String, Vec<Evidence>),
    Rule(Vec<CommitmentId>, String),
    // issue 13: clauses
    Revise(String, String),
    Term(Option<i64>, String),
    Decline(String),
    WithdrawClause(String),
    /// A charter amendment, proposed by tr and then endorsed by the three
    /// guarantors (each a separate append).
    Amend(Vec<CharterChange>, String),
    // issue 13: commitments, allegations and rulings
    Undertake(String, Option<i64>, Option<i64>),
    Progress(String, u64, u64),
    Reschedule(String, Option<i64>),
    Correct(
        Option<Vec<CommitmentId>>,
        Option<String>,
        Vec<Evidence>,
        String,
    ),
    // issue 14: mechanisms
    /// An allegation by opp against gov and an unlisted actor, or persons
    /// unknown (no accused).
    Lodge(bool, Vec<CommitmentId>, String, Vec<Evidence>),
    /// An observation by mon (the founding charter has no scale: a
    /// severity is refused).
    Observe(String, String, Option<String>, Vec<Evidence>),
    /// A meeting recorded by the mediator with attendees near the limit.
    Meet(usize, String, Vec<String>, String),
    View(String),
    /// A clause tabled by tr with signatories near the limit.
    Table(usize, String, String),
}

/// A party's name: mostly plain, sometimes near the limit or with a
/// character a one-line field refuses.
fn name() -> impl Strategy<Value = String> {
    prop_oneof![3 => "[A-Z][a-z ]{0,30}", 1 => text(len_near(MAX_TITLE_BYTES))]
}

/// A party id: a current one, or one never in the charter.
fn party_id() -> impl Strategy<Value = PartyId> {
    prop::sample::select(vec!["tr", "ru", "gov", "opp", "mon", "un", "xx"])
        .prop_map(|p| PartyId::new(p).unwrap())
}

fn adoption() -> impl Strategy<Value = Adoption> {
    prop_oneof![
        Just(Adoption::AllGuarantors),
        (0..5u32).prop_map(Adoption::Quorum)
    ]
}

/// One change, many of them invalid on the charter they meet (a reused or
/// weak key, a quorum too large, a name too long, an unknown party).
fn change() -> impl Strategy<Value = CharterChange> {
    prop_oneof![
        (
            prop::sample::select(vec!["jo", "jo", "gov", "xx"]),
            name(),
            prop::sample::select(Role::ALL.to_vec()),
            prop_oneof![Just(0usize), 20..40usize],
        )
            .prop_map(|(id, name, role, k)| CharterChange::AddParty {
                id: PartyId::new(id).unwrap(),
                name,
                role,
                key: crypto::public_key(&key(k)),
            }),
        party_id().prop_map(|party| CharterChange::RemoveParty { party }),
        (party_id(), name()).prop_map(|(party, name)| CharterChange::RenameParty { party, name }),
        (party_id(), prop::sample::select(Role::ALL.to_vec()))
            .prop_map(|(party, role)| CharterChange::ChangeRole { party, role }),
        adoption().prop_map(CharterChange::SetClauseAdoption),
        (0..5u32).prop_map(CharterChange::SetRulingQuorum),
        adoption().prop_map(CharterChange::SetAmendmentRule),
    ]
}

fn attempt() -> impl Strategy<Value = Try> {
    prop_oneof![
        (
            text(len_near(MAX_TITLE_BYTES)),
            text(len_near(MAX_TEXT_BYTES))
        )
            .prop_map(|(t, x)| Try::Clause(t, x)),
        (
            text(len_near(MAX_TEXT_BYTES)),
            prop::option::of(prop_oneof![
                Just(MAX_TIME),
                Just(MAX_TIME + 1),
                Just(START + 1_000_000)
            ])
        )
            .prop_map(|(t, d)| Try::Commit(t, d)),
        (
            commitments(),
            text(len_near(MAX_TITLE_BYTES)),
            text(len_near(MAX_TEXT_BYTES)),
            evidence()
        )
            .prop_map(|(k, l, s, e)| Try::Allege(k, l, s, e)),
        (text(len_near(MAX_TEXT_BYTES)), evidence()).prop_map(|(t, e)| Try::Answer(t, e)),
        (commitments(), text(len_near(MAX_TEXT_BYTES))).prop_map(|(k, t)| Try::Rule(k, t)),
        // issue 13: clauses
        (
            text(len_near(MAX_TITLE_BYTES)),
            text(len_near(MAX_TEXT_BYTES))
        )
            .prop_map(|(t, x)| Try::Revise(t, x)),
        (
            prop::option::of(prop_oneof![
                Just(MAX_TIME),
                Just(MAX_TIME + 1),
                Just(START),
                Just(START + 1_000_000)
            ]),
            text(len_near(MAX_TEXT_BYTES))
        )
            .prop_map(|(u, r)| Try::Term(u, r)),
        text(len_near(MAX_TEXT_BYTES)).prop_map(Try::Decline),
        text(len_near(MAX_TEXT_BYTES)).prop_map(Try::WithdrawClause),
        (
            prop_oneof![4 => prop::collection::vec(change(), 1..3), 1 => Just(vec![])],
            prop_oneof![3 => Just("Agreed.".to_owned()), 1 => text(len_near(MAX_TEXT_BYTES))]
        )
            .prop_map(|(c, r)| Try::Amend(c, r)),
        (
            text(len_near(MAX_TEXT_BYTES)),
            prop::option::of(prop_oneof![
                Just(MAX_TIME),
                Just(MAX_TIME + 1),
                Just(START),
                Just(START + 1_000_000)
            ]),
            prop::option::of(prop_oneof![
                Just(MAX_TIME),
                Just(START + 500_000),
                Just(START + 2_000_000)
            ])
        )
            .prop_map(|(t, d, u)| Try::Undertake(t, d, u)),
        (
            text(len_near(MAX_TEXT_BYTES)),
            0u64..3,
            prop_oneof![Just(0u64), Just(2u64), Just(u64::MAX)]
        )
            .prop_map(|(t, d, o)| Try::Progress(t, d, o)),
        (
            text(len_near(MAX_TEXT_BYTES)),
            prop::option::of(prop_oneof![
                Just(MAX_TIME + 1),
                Just(START),
                Just(START + 1_000_000)
            ])
        )
            .prop_map(|(r, d)| Try::Reschedule(r, d)),
        (
            prop::option::of(commitments()),
            prop::option::of(text(len_near(MAX_TITLE_BYTES))),
            evidence(),
            text(len_near(MAX_TEXT_BYTES))
        )
            .prop_map(|(k, l, e, r)| Try::Correct(k, l, e, r)),
        // issue 14: mechanisms
        (
            any::<bool>(),
            commitments(),
            text(len_near(MAX_TEXT_BYTES)),
            evidence()
        )
            .prop_map(|(u, k, s, e)| Try::Lodge(u, k, s, e)),
        (
            text(len_near(MAX_TITLE_BYTES)),
            text(len_near(MAX_TEXT_BYTES)),
            prop::option::of(Just("grave".to_owned())),
            evidence()
        )
            .prop_map(|(l, s, v, e)| Try::Observe(l, s, v, e)),
        (
            prop_oneof![0..4usize, Just(MAX_LIST), Just(MAX_LIST + 1)],
            text(len_near(MAX_TITLE_BYTES)),
            prop::collection::vec(text(len_near(MAX_TITLE_BYTES)), 0..3),
            text(len_near(MAX_TEXT_BYTES))
        )
            .prop_map(|(n, p, a, o)| Try::Meet(n, p, a, o)),
        text(len_near(MAX_TEXT_BYTES)).prop_map(Try::View),
        (
            prop_oneof![0..4usize, Just(MAX_LIST), Just(MAX_LIST + 1)],
            text(len_near(MAX_TITLE_BYTES)),
            text(len_near(MAX_TEXT_BYTES))
        )
            .prop_map(|(n, t, x)| Try::Table(n, t, x)),
    ]
}

/// `n` attendees or signatories: the charter's parties first (tr, ru, ir,
/// un, gov, opp, mon), then ids of no party.
fn parties(n: usize) -> Vec<PartyId> {
    let known = ["tr", "ru", "ir", "un", "gov", "opp", "mon"];
    (0..n)
        .map(|i| match known.get(i) {
            Some(p) => PartyId::new(*p).unwrap(),
            None => PartyId::new(format!("p{i}")).unwrap(),
        })
        .collect()
}

fn event(n: usize, t: &Try) -> (usize, Event) {
    match t.clone() {
        Try::Clause(title, text) => (
            0,
            Event::ClauseProposed {
                id: ClauseId::new(format!("C{}", n + 1)).unwrap(),
                title,
                text,
            },
        ),
        Try::Commit(text, due) => (
            GOV,
            Event::CommitmentMade {
                id: CommitmentId::new(format!("N{n}")).unwrap(),
                clause: ClauseId::new("C0").unwrap(),
                text,
                zone: Some("Zone".into()),
                due,
            },
        ),
        Try::Allege(commitments, location, summary, evidence) => (
            OPP,
            Event::AllegationFiled {
                id: AllegationId::new(format!("A{}", n + 1)).unwrap(),
                against: PartyId::new("gov").unwrap(),
                commitments,
                occurred: START,
                location,
                summary,
                evidence,
            },
        ),
        Try::Answer(text, evidence) => (
            GOV,
            Event::AllegationAnswered {
                allegation: AllegationId::new("A0").unwrap(),
                position: Position::Deny,
                text,
                evidence,
            },
        ),
        Try::Rule(breaches, text) => (
            MON,
            Event::RulingProposed {
                id: RulingId::new(format!("R{n}")).unwrap(),
                allegation: AllegationId::new("A0").unwrap(),
                finding: Finding::Confirmed,
                attribution: Attribution::Party(PartyId::new("gov").unwrap()),
                breaches,
                text,
            },
        ),
        // issue 13: clauses
        Try::Revise(title, text) => (
            0,
            Event::ClauseRevisionProposed {
                id: ClauseId::new(format!("C{}b", n + 1)).unwrap(),
                revises: ClauseId::new("C0").unwrap(),
                title,
                text,
            },
        ),
        Try::Term(until, reason) => (
            0,
            Event::ClauseTermProposed {
                clause: ClauseId::new("C0").unwrap(),
                until,
                reason,
            },
        ),
        Try::Decline(reason) => (
            OPP,
            Event::ClauseDeclined {
                clause: ClauseId::new("C0").unwrap(),
                proposal: c0_proposal(),
                reason,
            },
        ),
        // Withdraws C1, which a first `Try::Clause` proposes.
        Try::WithdrawClause(reason) => (
            0,
            Event::ClauseWithdrawn {
                clause: ClauseId::new("C1").unwrap(),
                reason,
            },
        ),
        Try::Amend(changes, reason) => (
            0,
            Event::AmendmentProposed {
                id: AmendmentId::new(format!("M{n}")).unwrap(),
                changes,
                reason,
            },
        ),
        Try::Undertake(text, due, until) => (
            GOV,
            Event::CommitmentUndertaken {
                id: CommitmentId::new(format!("U{n}")).unwrap(),
                clause: ClauseId::new("C0").unwrap(),
                text,
                zone: None,
                due,
                until,
            },
        ),
        Try::Progress(note, done, of) => (
            GOV,
            Event::CommitmentProgressed {
                commitment: kid(0),
                done,
                of,
                note,
            },
        ),
        Try::Reschedule(reason, due) => (
            GOV,
            Event::CommitmentRescheduleProposed {
                commitment: kid(1),
                due,
                until: None,
                reason,
            },
        ),
        Try::Correct(commitments, location, evidence, reason) => (
            OPP,
            Event::AllegationCorrected {
                allegation: AllegationId::new("A0").unwrap(),
                commitments,
                occurred: None,
                location,
                summary: None,
                evidence,
                reason,
            },
        ),
        // issue 14: mechanisms
        Try::Lodge(unknown, commitments, summary, evidence) => (
            OPP,
            Event::AllegationLodged {
                id: AllegationId::new(format!("L{n}")).unwrap(),
                accused: if unknown {
                    vec![]
                } else {
                    vec![
                        terms::Accused::Party(PartyId::new("gov").unwrap()),
                        terms::Accused::Actor(ActorId::new("hts").unwrap()),
                    ]
                },
                commitments,
                occurred: START,
                location: "Valley".into(),
                summary,
                evidence,
            },
        ),
        Try::Observe(location, summary, severity, evidence) => (
            MON,
            Event::ObservationRecorded {
                id: ObservationId::new(format!("O{n}")).unwrap(),
                body: None,
                task: None,
                occurred: START,
                time_precision: terms::TimePrecision::Day,
                location,
                place_precision: terms::PlacePrecision::District,
                severity,
                violation: None,
                summary,
                evidence,
            },
        ),
        Try::Meet(attendees, place, agenda, outcome) => (
            3,
            Event::MeetingRecorded {
                id: MeetingId::new(format!("MT{n}")).unwrap(),
                body: None,
                held: START,
                place,
                attendees: parties(attendees),
                agenda,
                outcome,
            },
        ),
        Try::View(text) => (
            GOV,
            Event::ViewRecorded {
                item: ItemId::new("A0").unwrap(),
                text,
            },
        ),
        Try::Table(signatories, title, text) => (
            0,
            Event::ClauseTabled {
                id: ClauseId::new(format!("C{}t", n + 1)).unwrap(),
                title,
                text,
                signatories: parties(signatories),
            },
        ),
    }
}

/// The hash of C0's proposal in `base`.
fn c0_proposal() -> EntryHash {
    static HASH: OnceLock<EntryHash> = OnceLock::new();
    *HASH.get_or_init(|| {
        Ledger::from_store(base().clone())
            .proposal(&RecordKey::Clause(ClauseId::new("C0").unwrap()))
            .unwrap()
            .unwrap()
            .proposal
            .hash
    })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 48, ..ProptestConfig::default() })]

    #[test]
    fn whatever_append_accepts_verify_accepts(tries in prop::collection::vec(attempt(), 1..6)) {
        let mut l = Ledger::from_store(base().clone());
        let mut accepted = 0u64;
        let first = l.last_seq().unwrap() + 1;
        for (n, t) in tries.iter().enumerate() {
            let (signer, event) = event(n, t);
            let time = START + 120 + n as i64;
            let before = l.store().clone();
            let mut followups = Vec::new();
            match l.append(&key(signer), time, time, event.clone()) {
                Ok(entry) => {
                    prop_assert!(entry.bytes.len() <= limits::MAX_ENTRY_BYTES);
                    accepted += 1;
                    if let Event::AmendmentProposed { id, .. } = event {
                        followups = (0..3)
                            .map(|g| {
                                (g, Event::AmendmentEndorsed {
                                    amendment: id.clone(),
                                    proposal: entry.hash,
                                })
                            })
                            .collect();
                    }
                }
                Err(_) => {
                    prop_assert_eq!(l.store().last_seq().unwrap(), before.last_seq().unwrap());
                }
            }
            for (g, endorsement) in followups {
                let before = l.store().last_seq().unwrap();
                match l.append(&key(g), time, time, endorsement) {
                    Ok(_) => accepted += 1,
                    Err(_) => prop_assert_eq!(l.store().last_seq().unwrap(), before),
                }
            }
        }
        let report = l.verify();
        prop_assert!(report.ok(), "{:?}", report.failure);
        prop_assert_eq!(report.verified, first + accepted);
    }
}

/// The generator reaches both sides of the limits: near-limit entries that
/// are accepted and ones that are refused (the property is not vacuous).
#[test]
fn the_generator_reaches_accepted_and_refused_near_limit_entries() {
    let mut runner = proptest::test_runner::TestRunner::deterministic();
    let (mut big_accepted, mut refused, mut amended) = (0, 0, 0);
    for n in 0..200 {
        let t = attempt().new_tree(&mut runner).unwrap().current();
        let (signer, event) = event(n, &t);
        let mut l = Ledger::from_store(base().clone());
        let time = START + 120;
        let amendment = matches!(event, Event::AmendmentProposed { .. });
        match l.append(&key(signer), time, time, event) {
            Ok(e) if e.bytes.len() > MAX_TEXT_BYTES => big_accepted += 1,
            Ok(_) => amended += usize::from(amendment),
            Err(_) => refused += 1,
        }
    }
    assert!(big_accepted > 5, "{big_accepted} large entries accepted");
    assert!(refused > 20, "{refused} refused");
    assert!(amended > 2, "{amended} amendments accepted");
}
