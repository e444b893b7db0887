//! Given/when/then tests of charter amendments (effective by position) and
//! of the secretariat role: each change kind, the amendment rule, and every
//! refusal, on the state the gate folds.

mod common;

use accord_core::crypto::public_key;
use accord_core::projection::{self, DutyKind};
use accord_core::*;
use common::key;

const T0: i64 = 1_485_216_000;
const TR: usize = 0;
const RU: usize = 1;
const IR: usize = 2;
const GOV: usize = 3;
const OPP: usize = 4;
const SEC: usize = 5;
const MED: usize = 6;
/// Keys not in the charter: new parties' keys.
const JO: usize = 20;
const PARTIES: [(&str, Role); 7] = [
    ("tr", Role::Guarantor),
    ("ru", Role::Guarantor),
    ("ir", Role::Guarantor),
    ("gov", Role::Party),
    ("opp", Role::Party),
    ("kz", Role::Secretariat),
    ("un", Role::Mediator),
];

fn pid(s: &str) -> PartyId {
    PartyId::new(s).unwrap()
}

fn mid(s: &str) -> AmendmentId {
    AmendmentId::new(s).unwrap()
}

struct Given {
    state: State,
    time: i64,
}

impl Given {
    /// A founded ledger (three guarantors, two parties to the conflict, a
    /// secretariat, a mediator) with clause C1 adopted by all guarantors
    /// and accepted by both parties.
    fn new() -> Given {
        let rules = Rules {
            clause_adoption: Adoption::AllGuarantors,
            ruling_quorum: 2,
        };
        let mut g = Given {
            state: common::founded(&PARTIES, rules, T0),
            time: T0,
        };
        g.ok(
            SEC,
            Event::ClauseProposed {
                id: ClauseId::new("C1").unwrap(),
                title: "t".into(),
                text: "x".into(),
            },
        );
        let p = g.state.records().clauses()[&ClauseId::new("C1").unwrap()]
            .proposal
            .hash;
        for s in [TR, RU, IR] {
            g.ok(
                s,
                Event::ClauseEndorsed {
                    clause: ClauseId::new("C1").unwrap(),
                    proposal: p,
                },
            );
        }
        for s in [GOV, OPP] {
            g.ok(
                s,
                Event::ClauseAccepted {
                    clause: ClauseId::new("C1").unwrap(),
                    proposal: p,
                },
            );
        }
        g
    }

    fn try_(&mut self, signer: usize, event: Event) -> Result<u64, Violation> {
        common::admit(&mut self.state, &mut self.time, signer, event)
    }

    fn ok(&mut self, signer: usize, event: Event) -> u64 {
        self.try_(signer, event).unwrap()
    }

    fn propose(
        &mut self,
        signer: usize,
        id: &str,
        changes: Vec<CharterChange>,
    ) -> Result<u64, Violation> {
        self.try_(
            signer,
            Event::AmendmentProposed {
                id: mid(id),
                changes,
                reason: "Agreed at the meeting.".into(),
            },
        )
    }

    fn endorse(&mut self, signer: usize, id: &str) -> Result<u64, Violation> {
        let proposal = self.state.records().amendments()[&mid(id)].proposal.hash;
        self.try_(
            signer,
            Event::AmendmentEndorsed {
                amendment: mid(id),
                proposal,
            },
        )
    }

    /// Proposes `changes` as `id` (by tr) and has every guarantor endorse
    /// it; the seq of the adopting entry.
    fn adopt(&mut self, id: &str, changes: Vec<CharterChange>) -> u64 {
        self.propose(TR, id, changes).unwrap();
        self.endorse(TR, id).unwrap();
        self.endorse(RU, id).unwrap();
        self.endorse(IR, id).unwrap()
    }
}

fn add_jordan(role: Role) -> CharterChange {
    CharterChange::AddParty {
        id: pid("jo"),
        name: "Hashemite Kingdom of Jordan".into(),
        role,
        key: public_key(&key(JO)),
    }
}

#[test]
fn an_added_party_is_in_the_charter_from_the_adopting_entry_and_signs_after_it() {
    let mut g = Given::new();
    g.propose(SEC, "M1", vec![add_jordan(Role::Party)]).unwrap();
    g.endorse(TR, "M1").unwrap();
    g.endorse(RU, "M1").unwrap();
    let before = g.state.clone();
    assert!(before.charter().party(&pid("jo")).is_none());
    assert_eq!(
        before.records().amendments()[&mid("M1")].adopted_at,
        None,
        "two of three guarantors do not adopt under the default rule"
    );
    let n = g.endorse(IR, "M1").unwrap();
    assert_eq!(
        g.state.records().amendments()[&mid("M1")].adopted_at,
        Some(n)
    );
    assert_eq!(
        g.state.charter().party(&pid("jo")).unwrap().role,
        Role::Party
    );
    // Jordan is a party to the conflict now: it owes an acceptance of C1,
    // which reopens.
    let views = projection::obligations(&g.state, g.time);
    let jo = views.iter().find(|v| v.party == pid("jo")).unwrap();
    assert!(jo
        .duties
        .iter()
        .any(|d| d.duty == DutyKind::AcceptClause && d.item == "C1"));
    assert!(projection::is_live(
        &g.state,
        &RecordKey::Clause(ClauseId::new("C1").unwrap())
    ));
    // (An adopted clause stays live whatever its acceptances: a term or a
    // revision may reopen it; see `projection::is_live`.)
    assert!(projection::is_live(
        &before,
        &RecordKey::Clause(ClauseId::new("C1").unwrap())
    ));
    let p = g.state.records().clauses()[&ClauseId::new("C1").unwrap()]
        .proposal
        .hash;
    g.ok(
        JO,
        Event::ClauseAccepted {
            clause: ClauseId::new("C1").unwrap(),
            proposal: p,
        },
    );
}

#[test]
fn guarantors_endorse_and_the_duty_lists_who_has_not() {
    let mut g = Given::new();
    g.propose(TR, "M1", vec![add_jordan(Role::Observer)])
        .unwrap();
    g.endorse(TR, "M1").unwrap();
    let views = projection::obligations(&g.state, g.time);
    let owes = |p: &str| {
        views
            .iter()
            .find(|v| v.party == pid(p))
            .unwrap()
            .duties
            .iter()
            .any(|d| d.duty == DutyKind::EndorseAmendment && d.item == "M1")
    };
    assert!(!owes("tr") && owes("ru") && owes("ir") && !owes("kz") && !owes("gov"));
    // Only guarantors endorse; twice is refused; after adoption refused.
    assert!(matches!(
        g.endorse(SEC, "M1"),
        Err(Violation::Secretariat { .. })
    ));
    assert!(matches!(g.endorse(MED, "M1"), Err(Violation::Role { .. })));
    assert!(matches!(
        g.endorse(TR, "M1"),
        Err(Violation::Already { .. })
    ));
    g.endorse(RU, "M1").unwrap();
    let n = g.endorse(IR, "M1").unwrap();
    let late = g.endorse(IR, "M1").unwrap_err();
    assert_eq!(
        late.to_string(),
        format!("amendment M1 is adopted at entry {n}: it cannot be endorsed")
    );
}

#[test]
fn a_removed_party_is_refused_from_the_next_entry_and_its_old_entries_stand() {
    let mut g = Given::new();
    let n = g.adopt("M1", vec![CharterChange::RemoveParty { party: pid("opp") }]);
    assert!(g.state.charter().party(&pid("opp")).is_none());
    let err = g
        .state
        .sign_next(
            &key(OPP),
            g.time + 60,
            Event::ClauseProposed {
                id: ClauseId::new("C9").unwrap(),
                title: "t".into(),
                text: "x".into(),
            },
        )
        .unwrap_err();
    assert_eq!(
        err.to_string(),
        format!(
            "opp was removed from the charter by amendment M1 at entry {n}: it can sign nothing"
        )
    );
    // An entry built elsewhere is refused by the gate with the same words.
    let removal = g.state.amending().removed[&pid("opp")].clone();
    assert_eq!((removal.amendment, removal.seq), (mid("M1"), n));
    assert_eq!(g.state.keyring().history(&pid("opp"))[0].until, Some(n + 1));
    // Its id can never be taken again.
    let again = g.propose(
        TR,
        "M2",
        vec![CharterChange::AddParty {
            id: pid("opp"),
            name: "x".into(),
            role: Role::Party,
            key: public_key(&key(JO)),
        }],
    );
    assert!(matches!(
        again,
        Err(Violation::AmendmentInvalid {
            fault: amendment::AmendFault::PartyTaken(_),
            ..
        })
    ));
}

#[test]
fn a_renamed_party_keeps_its_id_and_key() {
    let mut g = Given::new();
    g.adopt(
        "M1",
        vec![CharterChange::RenameParty {
            party: pid("opp"),
            name: "Syrian Opposition Delegation".into(),
        }],
    );
    let opp = g.state.charter().party(&pid("opp")).unwrap();
    assert_eq!(opp.name, "Syrian Opposition Delegation");
    g.ok(
        OPP,
        Event::CommitmentMade {
            id: CommitmentId::new("K1").unwrap(),
            clause: ClauseId::new("C1").unwrap(),
            text: "x".into(),
            zone: None,
            due: None,
        },
    );
}

#[test]
fn role_and_rule_changes_take_effect_at_the_adopting_entry() {
    let mut g = Given::new();
    g.adopt(
        "M1",
        vec![
            CharterChange::ChangeRole {
                party: pid("un"),
                role: Role::Guarantor,
            },
            CharterChange::SetClauseAdoption(Adoption::Quorum(2)),
            CharterChange::SetRulingQuorum(3),
            CharterChange::SetAmendmentRule(Adoption::Quorum(3)),
        ],
    );
    let c = g.state.charter();
    assert_eq!(c.party(&pid("un")).unwrap().role, Role::Guarantor);
    assert_eq!(c.rules.clause_adoption, Adoption::Quorum(2));
    assert_eq!(c.rules.ruling_quorum, 3);
    assert_eq!(g.state.amending().rule, Adoption::Quorum(3));
    // Three of four guarantors now adopt an amendment.
    g.propose(MED, "M2", vec![CharterChange::SetRulingQuorum(2)])
        .unwrap();
    g.endorse(MED, "M2").unwrap();
    g.endorse(TR, "M2").unwrap();
    let n = g.endorse(RU, "M2").unwrap();
    assert_eq!(
        g.state.records().amendments()[&mid("M2")].adopted_at,
        Some(n)
    );
    assert_eq!(g.state.charter().rules.ruling_quorum, 2);
}

#[test]
fn proposals_that_leave_an_invalid_charter_are_refused_naming_the_rule() {
    let mut g = Given::new();
    let msg = |r: Result<u64, Violation>| r.unwrap_err().to_string();
    assert_eq!(
        msg(g.propose(TR, "M1", vec![CharterChange::SetRulingQuorum(4)])),
        "amendment M1: the charter it leaves is invalid: ruling_quorum is 4 but the charter has only 3 guarantor(s)"
    );
    assert_eq!(
        msg(g.propose(TR, "M1", vec![
            CharterChange::RemoveParty { party: pid("tr") },
            CharterChange::ChangeRole { party: pid("ru"), role: Role::Party },
            CharterChange::RemoveParty { party: pid("ir") },
        ])),
        "amendment M1: it would leave no guarantor (the last guarantor cannot be removed or change role)"
    );
    assert_eq!(
        msg(g.propose(
            TR,
            "M1",
            vec![CharterChange::RemoveParty { party: pid("xx") }]
        )),
        "amendment M1: xx is not a party of the charter in force"
    );
    assert_eq!(
        msg(g.propose(TR, "M1", vec![])),
        "amendment M1: it names no change"
    );
    assert!(msg(g.propose(
        TR,
        "M1",
        vec![CharterChange::AddParty {
            id: pid("jo"),
            name: "Jordan".into(),
            role: Role::Observer,
            key: public_key(&key(GOV)),
        }]
    ))
    .contains("has been used before"));
    assert!(msg(g.propose(
        TR,
        "M1",
        vec![CharterChange::AddParty {
            id: pid("gov"),
            name: "Again".into(),
            role: Role::Party,
            key: public_key(&key(JO)),
        }]
    ))
    .contains("already used by a current or former party"));
    assert!(msg(g.propose(
        TR,
        "M1",
        vec![CharterChange::SetAmendmentRule(Adoption::Quorum(0))]
    ))
    .contains("amendment rule quorum must be at least 1"));
    assert!(msg(g.propose(
        TR,
        "M1",
        vec![CharterChange::RenameParty {
            party: pid("gov"),
            name: "two\nlines".into(),
        }]
    ))
    .contains("name must be"));
    // Parties to the conflict do not propose amendments.
    assert!(matches!(
        g.propose(GOV, "M1", vec![CharterChange::SetRulingQuorum(1)]),
        Err(Violation::Role { .. })
    ));
    // The id shares the item namespace.
    assert!(matches!(
        g.propose(TR, "C1", vec![CharterChange::SetRulingQuorum(1)]),
        Err(Violation::DuplicateId(_))
    ));
}

#[test]
fn an_adopting_endorsement_is_refused_when_the_amendment_no_longer_applies() {
    let mut g = Given::new();
    g.propose(
        TR,
        "M1",
        vec![CharterChange::RemoveParty { party: pid("opp") }],
    )
    .unwrap();
    g.propose(
        TR,
        "M2",
        vec![CharterChange::RenameParty {
            party: pid("opp"),
            name: "Opposition".into(),
        }],
    )
    .unwrap();
    g.propose(TR, "M3", vec![add_jordan(Role::Observer)])
        .unwrap();
    for s in [TR, RU, IR] {
        g.endorse(s, "M1").unwrap();
    }
    for s in [TR, RU] {
        g.endorse(s, "M2").unwrap();
    }
    assert_eq!(
        g.endorse(IR, "M2").unwrap_err().to_string(),
        "amendment M2 no longer applies to the charter in force (opp is not a party of the charter in force): it cannot be adopted; propose a new one"
    );
    // Nobody is expected to endorse it any more.
    let views = projection::obligations(&g.state, g.time);
    let ir = views.iter().find(|v| v.party == pid("ir")).unwrap();
    assert!(
        !ir.duties.iter().any(|d| d.item == "M2") && ir.duties.iter().any(|d| d.item == "M3"),
        "{:?}",
        ir.duties
    );
    // A key the new party was to use, installed meanwhile by a rotation.
    let jo_key = key(JO);
    let new_key = public_key(&jo_key);
    let message = crypto::possession_message(&g.state.ledger_id(), &pid("gov"), &new_key).unwrap();
    let proof = crypto::sign(&jo_key, &message);
    g.ok(GOV, Event::KeyRotated { new_key, proof });
    for s in [TR, RU] {
        g.endorse(s, "M3").unwrap();
    }
    assert!(matches!(
        g.endorse(IR, "M3"),
        Err(Violation::AmendmentStale {
            fault: amendment::AmendFault::KeyReused(..),
            ..
        })
    ));
}

#[test]
fn the_secretariat_convenes_and_records_but_is_not_bound_and_does_not_vote() {
    let mut g = Given::new();
    // It proposed C1 (Given) and proposes amendments; its clause
    // endorsement is recorded, never counted.
    g.ok(
        SEC,
        Event::ClauseProposed {
            id: ClauseId::new("C2").unwrap(),
            title: "t".into(),
            text: "y".into(),
        },
    );
    let p = g.state.records().clauses()[&ClauseId::new("C2").unwrap()]
        .proposal
        .hash;
    g.ok(
        SEC,
        Event::ClauseEndorsed {
            clause: ClauseId::new("C2").unwrap(),
            proposal: p,
        },
    );
    assert!(!g
        .state
        .records()
        .clause_adopted(&ClauseId::new("C2").unwrap()));
    let refused = g.try_(
        SEC,
        Event::CommitmentMade {
            id: CommitmentId::new("K9").unwrap(),
            clause: ClauseId::new("C1").unwrap(),
            text: "x".into(),
            zone: None,
            due: None,
        },
    );
    assert!(
        matches!(refused, Err(Violation::Secretariat { .. })),
        "{refused:?}"
    );
    assert!(refused
        .unwrap_err()
        .to_string()
        .contains("not sign an entry of kind commitment-made"));
    assert!(matches!(
        g.try_(
            SEC,
            Event::ClauseAccepted {
                clause: ClauseId::new("C2").unwrap(),
                proposal: p
            }
        ),
        Err(Violation::Secretariat { .. })
    ));
    // It cannot be accused.
    let accused = g.try_(
        GOV,
        Event::AllegationFiled {
            id: AllegationId::new("A1").unwrap(),
            against: pid("kz"),
            commitments: vec![],
            occurred: T0,
            location: "Astana".into(),
            summary: "x".into(),
            evidence: vec![],
        },
    );
    assert_eq!(
        accused.unwrap_err().to_string(),
        "allegation A1: kz is the secretariat and bound by nothing"
    );
    // No duty to endorse amendments.
    g.propose(SEC, "M1", vec![CharterChange::SetRulingQuorum(3)])
        .unwrap();
    let views = projection::obligations(&g.state, g.time);
    let kz = views.iter().find(|v| v.party == pid("kz")).unwrap();
    assert!(kz.duties.is_empty(), "{:?}", kz.duties);
}

#[test]
fn amendment_entries_touch_only_the_amendment() {
    // Admitting on a state restricted to what the event touches gives the
    // same outcome as on the full state (records.rs's invariant).
    let mut g = Given::new();
    g.propose(TR, "M1", vec![add_jordan(Role::Party)]).unwrap();
    g.endorse(TR, "M1").unwrap();
    g.endorse(RU, "M1").unwrap();
    let proposal = g.state.records().amendments()[&mid("M1")].proposal.hash;
    let events = [
        Event::AmendmentEndorsed {
            amendment: mid("M1"),
            proposal,
        },
        Event::AmendmentProposed {
            id: mid("M2"),
            changes: vec![CharterChange::SetRulingQuorum(3)],
            reason: "x".into(),
        },
    ];
    for event in events {
        let entry = g
            .state
            .sign_next(&key(IR), g.time + 60, event.clone())
            .unwrap();
        let keys: std::collections::BTreeSet<RecordKey> = event.touches().into_iter().collect();
        let mut partial = g.state.clone().restrict(&keys);
        let mut full = g.state.clone();
        assert_eq!(partial.admit(&entry), full.admit(&entry), "{event:?}");
        assert_eq!(partial.chain(), full.chain(), "{event:?}");
    }
}

#[test]
fn a_removed_party_still_answers_for_what_it_did_but_cannot_be_newly_accused() {
    let mut g = Given::new();
    let k1 = CommitmentId::new("K1").unwrap();
    g.ok(
        OPP,
        Event::CommitmentMade {
            id: k1.clone(),
            clause: ClauseId::new("C1").unwrap(),
            text: "Hold the line.".into(),
            zone: None,
            due: None,
        },
    );
    let allege = |id: &str| Event::AllegationFiled {
        id: AllegationId::new(id).unwrap(),
        against: pid("opp"),
        commitments: vec![k1.clone()],
        occurred: T0,
        location: "Idlib".into(),
        summary: "Shelling.".into(),
        evidence: vec![],
    };
    g.ok(GOV, allege("A1"));
    g.adopt("M1", vec![CharterChange::RemoveParty { party: pid("opp") }]);
    assert!(matches!(
        g.try_(GOV, allege("A2")),
        Err(Violation::Unknown { kind: "party", .. })
    ));
    g.ok(
        TR,
        Event::RulingProposed {
            id: RulingId::new("R1").unwrap(),
            allegation: AllegationId::new("A1").unwrap(),
            finding: Finding::Confirmed,
            attribution: Attribution::Party(pid("opp")),
            breaches: vec![k1.clone()],
            text: "Confirmed.".into(),
        },
    );
    let proposal = g.state.records().rulings()[&RulingId::new("R1").unwrap()]
        .proposal
        .hash;
    for s in [TR, RU] {
        g.ok(
            s,
            Event::RulingEndorsed {
                ruling: RulingId::new("R1").unwrap(),
                proposal,
            },
        );
    }
    assert!(matches!(
        g.state.records().commitments()[&k1].status,
        records::CommitmentStatus::Breached { .. }
    ));
}
