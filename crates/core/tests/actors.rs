//! Given/when/then tests of issue 14's actors and several accused: actors
//! listed by charter amendment and accused, delisted actors refused,
//! allegations against several parties (each answers) or persons unknown,
//! and whom a ruling may attribute to (never an observer; an actor, with a
//! degree, and then no breaches unless the actor has a party).

mod common;

use accord_core::mechanism::{Actor, Standing};
use accord_core::projection::{self, DutyKind};
use accord_core::records::AllegationPhase;
use accord_core::terms::{Accused, Degree};
use accord_core::*;

const T0: i64 = 1_485_216_000;
const TR: usize = 0;
const RU: usize = 1;
const IR: usize = 2;
const GOV: usize = 3;
const OPP: usize = 4;
const SEC: usize = 5;
const MED: usize = 6;
const OBS: usize = 7;
const PARTIES: [(&str, Role); 8] = [
    ("tr", Role::Guarantor),
    ("ru", Role::Guarantor),
    ("ir", Role::Guarantor),
    ("gov", Role::Party),
    ("opp", Role::Party),
    ("kz", Role::Secretariat),
    ("un", Role::Mediator),
    ("us", Role::Observer),
];

fn pid(s: &str) -> PartyId {
    PartyId::new(s).unwrap()
}
fn aid(s: &str) -> AllegationId {
    AllegationId::new(s).unwrap()
}
fn rid(s: &str) -> RulingId {
    RulingId::new(s).unwrap()
}
fn kid(s: &str) -> CommitmentId {
    CommitmentId::new(s).unwrap()
}
fn actor(s: &str) -> Accused {
    Accused::Actor(ActorId::new(s).unwrap())
}
fn party(s: &str) -> Accused {
    Accused::Party(pid(s))
}

struct Given {
    state: State,
    time: i64,
}

impl Given {
    /// A founded ledger (three guarantors, gov and opp, a secretariat, a
    /// mediator, an observer; rulings adopted by two guarantors) with
    /// clause C1 adopted and accepted, gov's commitment K1 and opp's K2.
    fn new() -> Given {
        let rules = Rules {
            clause_adoption: Adoption::AllGuarantors,
            ruling_quorum: 2,
        };
        let mut g = Given {
            state: common::founded(&PARTIES, rules, T0),
            time: T0,
        };
        let c1 = ClauseId::new("C1").unwrap();
        g.ok(
            SEC,
            Event::ClauseProposed {
                id: c1.clone(),
                title: "t".into(),
                text: "x".into(),
            },
        );
        let p = g.state.records().clauses()[&c1].proposal.hash;
        for s in [TR, RU, IR] {
            g.ok(
                s,
                Event::ClauseEndorsed {
                    clause: c1.clone(),
                    proposal: p,
                },
            );
        }
        for s in [GOV, OPP] {
            g.ok(
                s,
                Event::ClauseAccepted {
                    clause: c1.clone(),
                    proposal: p,
                },
            );
        }
        for (s, k) in [(GOV, "K1"), (OPP, "K2")] {
            g.ok(
                s,
                Event::CommitmentMade {
                    id: kid(k),
                    clause: c1.clone(),
                    text: "Hold the line.".into(),
                    zone: None,
                    due: None,
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

    /// Amends the charter with `changes` (proposed by tr, endorsed by
    /// every guarantor): the seq of the adopting entry.
    fn amend(&mut self, id: &str, changes: Vec<CharterChange>) -> u64 {
        let m = AmendmentId::new(id).unwrap();
        self.ok(
            TR,
            Event::AmendmentProposed {
                id: m.clone(),
                changes,
                reason: "Agreed.".into(),
            },
        );
        let proposal = self.state.records().amendments()[&m].proposal.hash;
        let mut last = 0;
        for s in [TR, RU, IR] {
            last = self.ok(
                s,
                Event::AmendmentEndorsed {
                    amendment: m.clone(),
                    proposal,
                },
            );
        }
        last
    }

    /// Lists actor `id` (of `of`, if given) by amendment `m`.
    fn list(&mut self, m: &str, id: &str, of: Option<&str>) -> u64 {
        self.amend(
            m,
            vec![CharterChange::ListActor(Actor {
                id: ActorId::new(id).unwrap(),
                name: format!("{id} (a group)"),
                standing: match of {
                    Some(_) => Standing::Allied,
                    None => Standing::Designated,
                },
                party: of.map(pid),
            })],
        )
    }

    fn lodge(
        &mut self,
        signer: usize,
        id: &str,
        accused: Vec<Accused>,
        commitments: &[&str],
    ) -> Result<u64, Violation> {
        let occurred = self.time;
        self.try_(
            signer,
            Event::AllegationLodged {
                id: aid(id),
                accused,
                commitments: commitments.iter().map(|k| kid(k)).collect(),
                occurred,
                location: "Idlib".into(),
                summary: "Shelling.".into(),
                evidence: vec![],
            },
        )
    }

    fn answer(&mut self, signer: usize, id: &str) -> Result<u64, Violation> {
        self.try_(
            signer,
            Event::AllegationAnswered {
                allegation: aid(id),
                position: Position::Deny,
                text: "No.".into(),
                evidence: vec![],
            },
        )
    }

    fn rule(
        &mut self,
        id: &str,
        on: &str,
        attribution: Attribution,
        breaches: &[&str],
    ) -> Result<u64, Violation> {
        self.try_(
            TR,
            Event::RulingProposed {
                id: rid(id),
                allegation: aid(on),
                finding: Finding::Confirmed,
                attribution,
                breaches: breaches.iter().map(|k| kid(k)).collect(),
                text: "Finding.".into(),
            },
        )
    }

    fn endorse(&mut self, signer: usize, id: &str) -> u64 {
        let proposal = self.state.records().rulings()[&rid(id)].proposal.hash;
        self.ok(
            signer,
            Event::RulingEndorsed {
                ruling: rid(id),
                proposal,
            },
        )
    }

    fn duties(&self, who: &str) -> Vec<(DutyKind, String)> {
        projection::obligations(&self.state, self.time)
            .into_iter()
            .find(|v| v.party == pid(who))
            .unwrap()
            .duties
            .into_iter()
            .map(|d| (d.duty, d.item))
            .collect()
    }
}

#[test]
fn an_actor_listed_by_amendment_can_then_be_accused_with_a_party() {
    let mut g = Given::new();
    // Given hts is not on the register,
    let refused = g.lodge(OPP, "A1", vec![party("gov"), actor("hts")], &["K1"]);
    assert!(
        matches!(&refused, Err(Violation::ActorNotListed { actor, .. }) if actor == "hts"),
        "{refused:?}"
    );
    assert!(g.state.records().allegations().is_empty());
    // when an amendment lists it,
    let listed = g.list("M1", "hts", None);
    // then opp may accuse gov and hts together.
    g.lodge(OPP, "A1", vec![party("gov"), actor("hts")], &["K1"])
        .unwrap();
    let a = &g.state.records().allegations()[&aid("A1")];
    assert_eq!(a.accused, vec![party("gov"), actor("hts")]);
    assert_eq!(a.against(), None, "not one party alone");
    assert_eq!(g.duties("gov"), vec![(DutyKind::Respond, "A1".into())]);
    let views = projection::obligations(&g.state, g.time);
    let gov = views.iter().find(|v| v.party == pid("gov")).unwrap();
    assert_eq!(gov.allegations_against[0].accused, vec!["gov", "hts"]);
    assert_eq!(gov.allegations_against[0].against, None);
    let actors = accord_core::actors(&g.state);
    assert_eq!(actors.len(), 1);
    assert_eq!(actors[0].id.as_str(), "hts");
    assert_eq!(actors[0].listed, listed);
    assert_eq!(actors[0].delisted, None);
    assert_eq!(actors[0].allegations, vec![aid("A1")]);
}

#[test]
fn a_delisted_actor_can_no_longer_be_accused_or_attributed_to() {
    let mut g = Given::new();
    g.list("M1", "hts", None);
    g.lodge(OPP, "A1", vec![actor("hts")], &[]).unwrap();
    let delisted = g.amend(
        "M2",
        vec![CharterChange::DelistActor {
            actor: ActorId::new("hts").unwrap(),
        }],
    );
    let refused = g.lodge(OPP, "A2", vec![actor("hts")], &[]);
    match refused {
        Err(Violation::ActorNotListed { why, .. }) => {
            assert_eq!(why, format!("delisted at entry {delisted}"))
        }
        other => panic!("{other:?}"),
    }
    let to_hts = Attribution::To {
        who: actor("hts"),
        degree: Degree::Attributed,
    };
    assert!(matches!(
        g.rule("R1", "A1", to_hts, &[]),
        Err(Violation::ActorNotListed { .. })
    ));
    // The register keeps it, marked.
    assert_eq!(
        accord_core::actors(&g.state)[0].delisted,
        Some(delisted),
        "delisted actors stay on the view"
    );
}

#[test]
fn several_accused_parties_each_answer() {
    let mut g = Given::new();
    // A commitment of neither accused is refused.
    g.ok(
        MED,
        Event::AllegationFiled {
            id: aid("A0"),
            against: pid("gov"),
            commitments: vec![],
            occurred: T0,
            location: "x".into(),
            summary: "x".into(),
            evidence: vec![],
        },
    );
    assert!(matches!(
        g.lodge(
            TR,
            "A1",
            vec![party("gov"), party("opp"), party("gov")],
            &[]
        ),
        Err(Violation::Repeated { .. })
    ));
    assert!(matches!(
        g.lodge(GOV, "A1", vec![party("gov"), party("opp")], &[]),
        Err(Violation::SelfAllegation { .. })
    ));
    g.lodge(TR, "A1", vec![party("gov"), party("opp")], &["K1", "K2"])
        .unwrap();
    assert!(g.duties("gov").contains(&(DutyKind::Respond, "A1".into())));
    assert!(g.duties("opp").contains(&(DutyKind::Respond, "A1".into())));
    // Someone not accused cannot answer.
    assert!(matches!(
        g.answer(MED, "A1"),
        Err(Violation::NotAccused { .. })
    ));
    // When gov answers, its duty goes and opp's stays.
    g.answer(GOV, "A1").unwrap();
    assert!(!g.duties("gov").contains(&(DutyKind::Respond, "A1".into())));
    assert!(g.duties("opp").contains(&(DutyKind::Respond, "A1".into())));
    g.answer(OPP, "A1").unwrap();
    assert!(!g.duties("opp").contains(&(DutyKind::Respond, "A1".into())));
    let a = &g.state.records().allegations()[&aid("A1")];
    let by: Vec<&str> = a.responses.iter().map(|r| r.by.as_str()).collect();
    assert_eq!(by, vec!["gov", "opp"]);
    assert_eq!(a.phase(), AllegationPhase::Answered);
    // Both see it among the allegations against them.
    for who in ["gov", "opp"] {
        let views = projection::obligations(&g.state, g.time);
        let v = views.iter().find(|v| v.party == pid(who)).unwrap();
        assert!(v.allegations_against.iter().any(|a| a.id == aid("A1")));
    }
    // A shared ruling may breach either accused party's commitment.
    g.rule("R1", "A1", Attribution::Shared, &["K1", "K2"])
        .unwrap();
}

#[test]
fn a_commitment_of_no_accused_party_is_refused() {
    let mut g = Given::new();
    g.list("M1", "hts", None);
    let refused = g.lodge(TR, "A1", vec![party("opp"), actor("hts")], &["K1"]);
    assert!(
        matches!(&refused, Err(Violation::AllegedNotAccused { commitment, .. }) if commitment == &kid("K1")),
        "{refused:?}"
    );
}

#[test]
fn an_allegation_against_persons_unknown_asks_nobody_to_answer() {
    let mut g = Given::new();
    assert!(matches!(
        g.lodge(OPP, "A1", vec![], &["K1"]),
        Err(Violation::AllegedNotAccused { .. })
    ));
    g.lodge(OPP, "A1", vec![], &[]).unwrap();
    for who in ["gov", "opp", "tr"] {
        assert!(
            !g.duties(who).iter().any(|(d, _)| *d == DutyKind::Respond),
            "{who}"
        );
    }
    assert!(matches!(
        g.answer(GOV, "A1"),
        Err(Violation::NotAccused { accused, .. }) if accused == "persons unknown"
    ));
    let views = projection::obligations(&g.state, g.time);
    let opp = views.iter().find(|v| v.party == pid("opp")).unwrap();
    assert!(opp.allegations_by[0].accused.is_empty());
    // A shared finding breaches no one's commitment when no party is accused.
    assert!(matches!(
        g.rule("R1", "A1", Attribution::Shared, &["K1"]),
        Err(Violation::SharedBreachAccused { .. })
    ));
    // A ruling may still find whose doing it was.
    g.rule("R1", "A1", Attribution::Party(pid("gov")), &["K1"])
        .unwrap();
}

#[test]
fn a_ruling_cannot_attribute_to_an_observer() {
    let mut g = Given::new();
    g.lodge(OPP, "A1", vec![party("gov")], &[]).unwrap();
    assert!(matches!(
        g.lodge(OPP, "A2", vec![party("us")], &[]),
        Err(Violation::ObserverAccused { .. })
    ));
    for attribution in [
        Attribution::Party(pid("us")),
        Attribution::To {
            who: party("us"),
            degree: Degree::LargelyAttributed,
        },
    ] {
        assert!(
            matches!(
                g.rule("R1", "A1", attribution.clone(), &[]),
                Err(Violation::ObserverAttributed { .. })
            ),
            "{attribution:?}"
        );
    }
    assert!(matches!(
        g.rule(
            "R1",
            "A1",
            Attribution::To {
                who: party("kz"),
                degree: Degree::Attributed,
            },
            &[]
        ),
        Err(Violation::SecretariatBound { .. })
    ));
    assert!(g.state.records().rulings().is_empty());
    let _ = OBS;
}

#[test]
fn a_ruling_attributes_to_a_listed_actor_with_a_degree() {
    let mut g = Given::new();
    g.list("M1", "hts", None);
    g.lodge(OPP, "A1", vec![party("gov"), actor("hts")], &[])
        .unwrap();
    let largely = Attribution::To {
        who: actor("hts"),
        degree: Degree::LargelyAttributed,
    };
    g.rule("R1", "A1", largely.clone(), &[]).unwrap();
    g.endorse(TR, "R1");
    g.endorse(RU, "R1");
    assert_eq!(
        g.state.records().allegations()[&aid("A1")].phase(),
        AllegationPhase::Ruled
    );
    assert_eq!(g.state.records().rulings()[&rid("R1")].attribution, largely);
    let view = &accord_core::actors(&g.state)[0];
    assert_eq!(view.rulings.len(), 1);
    assert_eq!(view.rulings[0].id, rid("R1"));
    assert_eq!(view.rulings[0].degree, Degree::LargelyAttributed);
    assert_eq!(view.rulings[0].state, "adopted");
    // A party attributed to with a degree sees the ruling among its own.
    g.lodge(OPP, "A2", vec![party("gov")], &[]).unwrap();
    g.rule(
        "R2",
        "A2",
        Attribution::To {
            who: party("gov"),
            degree: Degree::Attributed,
        },
        &["K1"],
    )
    .unwrap();
    let views = projection::obligations(&g.state, g.time);
    let gov = views.iter().find(|v| v.party == pid("gov")).unwrap();
    assert!(gov.rulings.iter().any(|r| r.id == rid("R2")));
}

#[test]
fn breaches_are_refused_for_an_actor_without_a_party() {
    let mut g = Given::new();
    g.list("M1", "hts", None);
    g.list("M2", "ndf", Some("gov"));
    g.lodge(
        OPP,
        "A1",
        vec![party("gov"), actor("hts"), actor("ndf")],
        &["K1"],
    )
    .unwrap();
    let to = |who: &str| Attribution::To {
        who: actor(who),
        degree: Degree::Attributed,
    };
    let refused = g.rule("R1", "A1", to("hts"), &["K1"]);
    assert!(
        matches!(&refused, Err(Violation::BreachActor { actor, .. }) if actor == "hts"),
        "{refused:?}"
    );
    // An actor allied to gov: only gov's commitments.
    assert!(matches!(
        g.rule("R1", "A1", to("ndf"), &["K2"]),
        Err(Violation::BreachNotAttributed { .. })
    ));
    g.rule("R1", "A1", to("ndf"), &["K1"]).unwrap();
    // Without breaches an actor attribution stands on its own.
    g.lodge(OPP, "A2", vec![actor("hts")], &[]).unwrap();
    g.rule("R2", "A2", to("hts"), &[]).unwrap();
}
