//! Given/when/then tests of every rule, with no store: a ledger is a
//! `State` folded from entry 0.

mod common;

use accord_core::crypto::public_key;
use accord_core::entry::{Author, EntryBody, Head};
use accord_core::*;
use ed25519_dalek::SigningKey;

const T0: i64 = 1_485_216_000; // 2017-01-24T00:00:00Z

fn key(seed: u8) -> SigningKey {
    SigningKey::from_bytes(&[seed; 32])
}

fn id(s: &str) -> PartyId {
    PartyId::new(s).unwrap()
}

fn clause(s: &str) -> ClauseId {
    ClauseId::new(s).unwrap()
}

fn charter(adoption: Adoption) -> Charter {
    let p = |i: &str, role, seed| Party {
        id: id(i),
        name: format!("Delegation {i}"),
        role,
        key: public_key(&key(seed)),
    };
    Charter {
        title: "Astana ceasefire monitoring mechanism".into(),
        parties: vec![
            p("tr", Role::Guarantor, 1),
            p("ru", Role::Guarantor, 2),
            p("ir", Role::Guarantor, 3),
            p("un", Role::Mediator, 4),
            p("gov", Role::Party, 5),
            p("us", Role::Observer, 6),
            p("mon", Role::Monitor, 7),
        ],
        rules: Rules {
            clause_adoption: adoption,
            ruling_quorum: 2,
        },
    }
}

const TR: u8 = 1;
const RU: u8 = 2;
const IR: u8 = 3;
const UN: u8 = 4;
const GOV: u8 = 5;
const US: u8 = 6;

fn genesis_with(adoption: Adoption) -> State {
    let k = key(UN);
    let body = common::genesis_body(charter(adoption), id("un"), &k, T0);
    State::genesis(&body.sign(&k).unwrap()).unwrap()
}

fn genesis() -> State {
    genesis_with(Adoption::AllGuarantors)
}

fn propose(id: &str) -> Event {
    Event::ClauseProposed {
        id: clause(id),
        title: "Monitoring mechanism".into(),
        text: "Establish a trilateral mechanism to observe and ensure full compliance.".into(),
    }
}

fn endorse(state: &State, id: &str) -> Event {
    Event::ClauseEndorsed {
        clause: clause(id),
        proposal: state.clauses()[&clause(id)].proposal.hash,
    }
}

fn endorse_by(state: &mut State, seed: u8, id: &str) -> Result<Sealed, Violation> {
    let event = endorse(state, id);
    append(state, seed, event)
}

fn append(state: &mut State, seed: u8, event: Event) -> Result<Sealed, Violation> {
    let entry = state.sign_next(&key(seed), T0 + 60, event).unwrap();
    let before = state.clone();
    let result = state.admit(&entry);
    if result.is_err() {
        assert_eq!(
            *state, before,
            "a refused entry must leave the state unchanged"
        );
    }
    result.map(|_| entry)
}

/// Re-signs a modified body with the given key.
fn resign(entry: &Sealed, seed: u8, edit: impl FnOnce(&mut EntryBody)) -> Sealed {
    let mut body = entry.entry.body.clone();
    edit(&mut body);
    body.sign(&key(seed)).unwrap()
}

#[test]
fn clause_is_adopted_when_all_guarantors_endorse() {
    let mut s = genesis();
    append(&mut s, TR, propose("C1")).unwrap();
    let c1 = &s.clauses()[&clause("C1")];
    assert_eq!(c1.proposer, id("tr"));
    assert!(c1.endorsements.is_empty(), "proposing is not endorsing");
    endorse_by(&mut s, TR, "C1").unwrap();
    endorse_by(&mut s, RU, "C1").unwrap();
    endorse_by(&mut s, UN, "C1").unwrap();
    assert_eq!(
        s.clauses()[&clause("C1")].adopted_at,
        None,
        "mediator does not count"
    );
    let last = endorse_by(&mut s, IR, "C1").unwrap();
    assert_eq!(s.clauses()[&clause("C1")].adopted_at, Some(last.seq()));
}

#[test]
fn quorum_rule_adopts_at_quorum() {
    let mut s = genesis_with(Adoption::Quorum(2));
    append(&mut s, UN, propose("C1")).unwrap();
    endorse_by(&mut s, TR, "C1").unwrap();
    assert_eq!(s.clauses()[&clause("C1")].adopted_at, None);
    let e = endorse_by(&mut s, IR, "C1").unwrap();
    assert_eq!(s.clauses()[&clause("C1")].adopted_at, Some(e.seq()));
}

#[test]
fn observers_sign_nothing() {
    let mut s = genesis();
    let err = append(&mut s, US, propose("C1")).unwrap_err();
    assert_eq!(err, Violation::Observer(id("us")));
}

#[test]
fn only_guarantors_and_mediator_propose_or_endorse() {
    let mut s = genesis();
    assert!(matches!(
        append(&mut s, GOV, propose("C1")),
        Err(Violation::Role {
            role: Role::Party,
            ..
        })
    ));
    append(&mut s, TR, propose("C1")).unwrap();
    assert!(matches!(
        endorse_by(&mut s, 7, "C1"),
        Err(Violation::Role {
            role: Role::Monitor,
            ..
        })
    ));
}

#[test]
fn each_party_endorses_once() {
    let mut s = genesis();
    append(&mut s, TR, propose("C1")).unwrap();
    endorse_by(&mut s, RU, "C1").unwrap();
    assert!(matches!(
        endorse_by(&mut s, RU, "C1"),
        Err(Violation::Already {
            done: "endorsed",
            ..
        })
    ));
}

#[test]
fn duplicate_and_unknown_clauses() {
    let mut s = genesis();
    append(&mut s, TR, propose("C1")).unwrap();
    assert_eq!(
        append(&mut s, RU, propose("C1")).unwrap_err(),
        Violation::DuplicateId("C1".into())
    );
    let ghost = Event::ClauseEndorsed {
        clause: clause("C9"),
        proposal: EntryHash::ZERO,
    };
    assert_eq!(
        append(&mut s, RU, ghost).unwrap_err(),
        Violation::Unknown {
            kind: "clause",
            id: "C9".into()
        }
    );
}

#[test]
fn endorsement_must_name_the_proposal_hash() {
    let mut s = genesis();
    append(&mut s, TR, propose("C1")).unwrap();
    let wrong = Event::ClauseEndorsed {
        clause: clause("C1"),
        proposal: EntryHash([7; 32]),
    };
    assert!(matches!(
        append(&mut s, RU, wrong),
        Err(Violation::ProposalMismatch { .. })
    ));
}

#[test]
fn empty_or_oversize_text_is_refused() {
    let mut s = genesis();
    let empty = Event::ClauseProposed {
        id: clause("C1"),
        title: " ".into(),
        text: "x".into(),
    };
    assert!(matches!(
        append(&mut s, TR, empty),
        Err(Violation::Text { .. })
    ));
    let huge = Event::ClauseProposed {
        id: clause("C1"),
        title: "t".into(),
        text: "x".repeat(64 * 1024 + 1),
    };
    assert!(matches!(
        append(&mut s, TR, huge),
        Err(Violation::Text { .. })
    ));
}

#[test]
fn a_second_charter_is_refused() {
    let mut s = genesis();
    let again = Event::Charter(s.charter().clone());
    assert_eq!(
        append(&mut s, TR, again).unwrap_err(),
        Violation::CharterNotFirst
    );
}

#[test]
fn stale_or_skipped_author_seq_is_refused() {
    let mut s = genesis();
    let e = s.sign_next(&key(TR), T0, propose("C1")).unwrap();
    for bad in [0, 2] {
        let forged = resign(&e, TR, |b| b.author_seq = bad);
        assert!(matches!(
            s.admit(&forged),
            Err(Violation::AuthorSeq { expected: 1, .. })
        ));
    }
    s.admit(&e).unwrap();
}

#[test]
fn replaying_an_entry_is_refused() {
    let mut s = genesis();
    let e = append(&mut s, TR, propose("C1")).unwrap();
    assert!(matches!(s.admit(&e), Err(Violation::Seq { .. })));
}

#[test]
fn chain_fields_are_checked() {
    let mut s = genesis();
    let e = s.sign_next(&key(TR), T0, propose("C1")).unwrap();
    type Expect = fn(&Violation) -> bool;
    let cases: Vec<(Sealed, Expect)> = vec![
        (resign(&e, TR, |b| b.seq = 5), |v| {
            matches!(v, Violation::Seq { .. })
        }),
        (resign(&e, TR, |b| b.prev = EntryHash([1; 32])), |v| {
            matches!(v, Violation::Prev(0))
        }),
        (resign(&e, TR, |b| b.ledger = EntryHash([1; 32])), |v| {
            matches!(v, Violation::WrongLedger(_))
        }),
        (resign(&e, TR, |b| b.version = 2), |v| {
            matches!(v, Violation::Version(2))
        }),
        (resign(&e, TR, |b| b.seen.hash = EntryHash([1; 32])), |v| {
            matches!(v, Violation::Seen(0))
        }),
        (resign(&e, TR, |b| b.seen.seq = 1), |v| {
            matches!(v, Violation::Seen(1))
        }),
        (resign(&e, TR, |b| b.time = T0 - 1), |v| {
            matches!(v, Violation::TimeBackwards { .. })
        }),
        (resign(&e, TR, |b| b.author.party = id("zz")), |v| {
            matches!(v, Violation::UnknownParty(_))
        }),
        (resign(&e, TR, |b| b.author.party = id("ru")), |v| {
            matches!(v, Violation::WrongKey { .. })
        }),
        // Signed by Russia's key while claiming to be Turkey with Turkey's key id.
        (resign(&e, RU, |_| {}), |v| {
            matches!(v, Violation::Signature)
        }),
    ];
    for (entry, expect) in cases {
        let err = s.admit(&entry).unwrap_err();
        assert!(expect(&err), "unexpected violation: {err}");
    }
    s.admit(&e).unwrap();
}

#[test]
fn unknown_key_cannot_build_an_entry() {
    let s = genesis();
    assert!(matches!(
        s.sign_next(&key(99), T0, propose("C1")),
        Err(SignError::UnknownKey(_))
    ));
}

#[test]
fn seen_head_may_lag_within_the_window() {
    let mut s = genesis();
    let seen = s.head();
    append(&mut s, TR, propose("C1")).unwrap();
    let e = s.sign_next(&key(RU), T0 + 60, propose("C2")).unwrap();
    let lagging = resign(&e, RU, |b| b.seen = seen);
    s.admit(&lagging).unwrap();
}

#[test]
fn a_flipped_bit_anywhere_breaks_the_signature_or_the_decoding() {
    let mut s = genesis();
    let e = s.sign_next(&key(TR), T0, propose("C1")).unwrap();
    for i in 0..e.bytes.len() {
        let mut bytes = e.bytes.clone();
        bytes[i] ^= 0x01;
        let outcome = Sealed::from_bytes(bytes)
            .map_err(Violation::from)
            .and_then(|t| s.admit(&t));
        assert!(outcome.is_err(), "flipping byte {i} was accepted");
    }
    s.admit(&e).unwrap();
}

#[test]
fn genesis_must_be_a_valid_charter_from_a_party() {
    let k = key(UN);
    let mut body = EntryBody {
        version: FORMAT_VERSION,
        ledger: EntryHash::ZERO,
        seq: 0,
        prev: EntryHash::ZERO,
        time: T0,
        author: Author {
            party: id("un"),
            key: public_key(&k).id(),
        },
        author_seq: 1,
        seen: Head {
            seq: 0,
            hash: EntryHash::ZERO,
        },
        event: Event::Charter(charter(Adoption::Quorum(4))),
    };
    assert!(matches!(
        State::genesis(&body.clone().sign(&k).unwrap()),
        Err(Violation::Charter(_))
    ));
    body.event = propose("C1");
    assert_eq!(
        State::genesis(&body.clone().sign(&k).unwrap()).unwrap_err(),
        Violation::Genesis
    );
    body.event = Event::Charter(charter(Adoption::AllGuarantors));
    body.author.party = id("us");
    body.author.key = public_key(&key(US)).id();
    assert_eq!(
        State::genesis(&body.sign(&key(US)).unwrap()).unwrap_err(),
        Violation::Observer(id("us"))
    );
}
