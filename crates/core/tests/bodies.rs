//! Given/when/then tests of decisions by bodies (issue 14): rulings drafted
//! by a body under its own rule (quorum, all, consensus with a lapse),
//! recusal of accused members, provisional rulings ratified by the parent
//! body, views by non-members, and clauses tabled with their own
//! signatories.

mod common;

use accord_core::mechanism::{Body, Decision};
use accord_core::projection::{self, DutyKind};
use accord_core::records::{CommitmentStatus, RulingState};
use accord_core::*;

const T0: i64 = 1_485_216_000;
const TR: usize = 0;
const RU: usize = 1;
const IR: usize = 2;
const GOV: usize = 3;
const OPP: usize = 4;
const SEC: usize = 5;
const MED: usize = 6;
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
fn rid(s: &str) -> RulingId {
    RulingId::new(s).unwrap()
}
fn cid(s: &str) -> ClauseId {
    ClauseId::new(s).unwrap()
}
fn item(s: &str) -> ItemId {
    ItemId::new(s).unwrap()
}

fn body(id: &str, members: &[&str], decision: Decision) -> Body {
    Body {
        id: BodyId::new(id).unwrap(),
        name: id.to_uppercase(),
        members: members.iter().map(|m| pid(m)).collect(),
        decision,
        recuse_accused: false,
        parent: None,
        parent_adopts: false,
    }
}

struct Given {
    state: State,
    time: i64,
}

impl Given {
    /// A founded ledger (three guarantors, two parties to the conflict, a
    /// secretariat, a mediator) with clause C1 adopted and accepted, a
    /// commitment K1 of gov under it, and allegation A1 by opp against gov
    /// over K1.
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
                id: cid("C1"),
                title: "t".into(),
                text: "x".into(),
            },
        );
        let p = g.clause("C1").proposal.hash;
        for s in [TR, RU, IR] {
            g.ok(
                s,
                Event::ClauseEndorsed {
                    clause: cid("C1"),
                    proposal: p,
                },
            );
        }
        for s in [GOV, OPP] {
            g.ok(
                s,
                Event::ClauseAccepted {
                    clause: cid("C1"),
                    proposal: p,
                },
            );
        }
        g.ok(
            GOV,
            Event::CommitmentMade {
                id: CommitmentId::new("K1").unwrap(),
                clause: cid("C1"),
                text: "hold fire".into(),
                zone: None,
                due: None,
            },
        );
        g.ok(
            OPP,
            Event::AllegationFiled {
                id: AllegationId::new("A1").unwrap(),
                against: pid("gov"),
                commitments: vec![CommitmentId::new("K1").unwrap()],
                occurred: g.time,
                location: "Idlib".into(),
                summary: "shelling".into(),
                evidence: vec![],
            },
        );
        g
    }

    /// The bodies set by a charter amendment every guarantor endorsed.
    fn with_bodies(mut self, bodies: Vec<Body>) -> Given {
        let m = AmendmentId::new("M1").unwrap();
        self.ok(
            SEC,
            Event::AmendmentProposed {
                id: m.clone(),
                changes: bodies.into_iter().map(CharterChange::SetBody).collect(),
                reason: "bodies".into(),
            },
        );
        let p = self.state.records().amendments()[&m].proposal.hash;
        for s in [TR, RU, IR] {
            self.ok(
                s,
                Event::AmendmentEndorsed {
                    amendment: m.clone(),
                    proposal: p,
                },
            );
        }
        self
    }

    fn clause(&self, id: &str) -> &ClauseState {
        &self.state.records().clauses()[&cid(id)]
    }

    fn ruling(&self, id: &str) -> &RulingState {
        &self.state.records().rulings()[&rid(id)]
    }

    fn try_(&mut self, signer: usize, event: Event) -> Result<u64, Violation> {
        common::admit(&mut self.state, &mut self.time, signer, event)
    }

    #[track_caller]
    fn ok(&mut self, signer: usize, event: Event) -> u64 {
        match self.try_(signer, event) {
            Ok(seq) => seq,
            Err(v) => panic!("refused: {v}"),
        }
    }

    #[track_caller]
    fn refused(&mut self, signer: usize, event: Event) -> String {
        match self.try_(signer, event) {
            Ok(seq) => panic!("admitted at {seq}"),
            Err(v) => v.to_string(),
        }
    }

    /// R1 drafted by `signer` for `body` on A1, confirmed against gov,
    /// breaching K1.
    fn draft(&mut self, signer: usize, body: &str) -> Result<u64, Violation> {
        self.try_(signer, draft("R1", "A1", body))
    }

    fn endorse(&mut self, signer: usize, ruling: &str) -> Result<u64, Violation> {
        let proposal = self.ruling(ruling).proposal.hash;
        self.try_(
            signer,
            Event::RulingEndorsed {
                ruling: rid(ruling),
                proposal,
            },
        )
    }

    fn dissent(&mut self, signer: usize, ruling: &str) -> Result<u64, Violation> {
        let proposal = self.ruling(ruling).proposal.hash;
        self.try_(
            signer,
            Event::RulingDissented {
                ruling: rid(ruling),
                proposal,
                text: "no".into(),
            },
        )
    }

    fn ratify(&mut self, signer: usize, ruling: &str) -> Result<u64, Violation> {
        let proposal = self.ruling(ruling).proposal.hash;
        self.try_(
            signer,
            Event::RulingRatified {
                ruling: rid(ruling),
                proposal,
            },
        )
    }

    fn duties(&self, party: &str, time: i64) -> Vec<(DutyKind, String)> {
        projection::obligations(&self.state, time)
            .into_iter()
            .find(|v| v.party == pid(party))
            .unwrap()
            .duties
            .into_iter()
            .map(|d| (d.duty, d.item))
            .collect()
    }

    fn ruling_state(&self, id: &str, time: i64) -> String {
        projection::obligations(&self.state, time)
            .into_iter()
            .flat_map(|v| v.rulings)
            .find(|r| r.id == rid(id))
            .map(|r| r.state.to_string())
            .unwrap()
    }

    fn commitment_breached(&self) -> bool {
        matches!(
            self.state.records().commitments()[&CommitmentId::new("K1").unwrap()].status,
            CommitmentStatus::Breached { .. }
        )
    }

    fn allegation_open(&self) -> bool {
        self.state.records().allegations()[&AllegationId::new("A1").unwrap()].is_open()
    }
}

fn draft(id: &str, on: &str, body: &str) -> Event {
    Event::RulingDrafted {
        id: rid(id),
        on: item(on),
        body: BodyId::new(body).unwrap(),
        finding: Finding::Confirmed,
        attribution: Attribution::Party(pid("gov")),
        breaches: vec![CommitmentId::new("K1").unwrap()],
        text: "found".into(),
    }
}

fn has(duties: &[(DutyKind, String)], kind: DutyKind, item: &str) -> bool {
    duties.iter().any(|(k, i)| *k == kind && i == item)
}

#[test]
fn a_quorum_body_adopts_its_ruling_once_the_quorum_endorses() {
    // Given a committee of tr, ru, gov, opp deciding by a quorum of 2
    let mut g = Given::new().with_bodies(vec![body(
        "jc",
        &["tr", "ru", "gov", "opp"],
        Decision::Quorum(2),
    )]);
    // a non-member cannot draft for it
    let why = g.draft(IR, "jc").unwrap_err().to_string();
    assert!(why.contains("ir is not a member of body jc"), "{why}");
    // When ru drafts and endorses
    g.draft(RU, "jc").unwrap();
    assert!(has(&g.duties("opp", g.time), DutyKind::EndorseRuling, "R1"));
    assert!(!has(&g.duties("ir", g.time), DutyKind::EndorseRuling, "R1"));
    g.endorse(RU, "R1").unwrap();
    // a guarantor outside the body cannot endorse it
    let why = g.endorse(IR, "R1").unwrap_err().to_string();
    assert!(why.contains("ir is not a member of body jc"), "{why}");
    assert!(!g.commitment_breached());
    assert_eq!(g.ruling_state("R1", g.time), "proposed");
    // Then a second member (a party to the conflict) completes the quorum
    g.endorse(OPP, "R1").unwrap();
    assert_eq!(g.ruling_state("R1", g.time), "adopted");
    assert!(g.commitment_breached());
    assert!(!g.allegation_open());
    assert!(!has(&g.duties("tr", g.time), DutyKind::EndorseRuling, "R1"));
}

#[test]
fn an_accused_member_is_recused_and_not_counted() {
    // Given a body of all its members, accused members recused
    let mut jc = body("jc", &["tr", "gov", "opp"], Decision::All);
    jc.recuse_accused = true;
    let mut g = Given::new().with_bodies(vec![jc]);
    // gov (accused in A1) can neither draft nor endorse
    let why = g.draft(GOV, "jc").unwrap_err().to_string();
    assert!(why.contains("gov is recused from ruling R1"), "{why}");
    g.draft(TR, "jc").unwrap();
    let why = g.endorse(GOV, "R1").unwrap_err().to_string();
    assert!(why.contains("gov is recused"), "{why}");
    assert!(!has(
        &g.duties("gov", g.time),
        DutyKind::EndorseRuling,
        "R1"
    ));
    // and it is not needed: tr and opp are all the members who vote
    g.endorse(TR, "R1").unwrap();
    assert!(g.allegation_open());
    g.endorse(OPP, "R1").unwrap();
    assert_eq!(g.ruling_state("R1", g.time), "adopted");
    assert!(g.commitment_breached());
}

#[test]
fn under_consensus_a_dissent_closes_the_ruling_without_effect() {
    let mut g = Given::new().with_bodies(vec![body(
        "jc",
        &["tr", "ru", "ir"],
        Decision::Consensus { lapse: 86_400 },
    )]);
    g.draft(TR, "jc").unwrap();
    g.endorse(TR, "R1").unwrap();
    // When ru dissents
    g.dissent(RU, "R1").unwrap();
    // Then the ruling is closed: no consensus, no duties, no effect
    assert_eq!(g.ruling_state("R1", g.time), "no-consensus");
    assert!(!has(&g.duties("ir", g.time), DutyKind::EndorseRuling, "R1"));
    let why = g.endorse(IR, "R1").unwrap_err().to_string();
    assert!(why.contains("no-consensus"), "{why}");
    assert!(!g.commitment_breached());
    // and the allegation stays open for another ruling
    assert!(g.allegation_open());
    g.try_(TR, draft("R2", "A1", "jc")).unwrap();
}

#[test]
fn a_dissent_under_a_quorum_is_recorded_and_does_not_block() {
    let mut g =
        Given::new().with_bodies(vec![body("jc", &["tr", "ru", "ir"], Decision::Quorum(2))]);
    g.draft(TR, "jc").unwrap();
    g.dissent(RU, "R1").unwrap();
    assert_eq!(g.ruling_state("R1", g.time), "proposed");
    g.endorse(TR, "R1").unwrap();
    g.endorse(IR, "R1").unwrap();
    assert_eq!(g.ruling_state("R1", g.time), "adopted");
    assert_eq!(g.ruling("R1").dissents.len(), 1);
}

#[test]
fn a_consensus_lapse_refuses_later_endorsement_and_the_view_says_no_consensus() {
    let mut g = Given::new().with_bodies(vec![body(
        "jc",
        &["tr", "ru"],
        Decision::Consensus { lapse: 600 },
    )]);
    g.draft(TR, "jc").unwrap();
    let drafted = g.time;
    g.endorse(TR, "R1").unwrap();
    assert_eq!(g.ruling_state("R1", drafted + 600), "proposed");
    assert!(has(
        &g.duties("ru", drafted + 600),
        DutyKind::EndorseRuling,
        "R1"
    ));
    // When the lapse has passed
    assert_eq!(g.ruling_state("R1", drafted + 601), "no-consensus");
    assert!(!has(
        &g.duties("ru", drafted + 601),
        DutyKind::EndorseRuling,
        "R1"
    ));
    g.time = drafted + 600;
    // Then ru's endorsement is refused, naming the lapse
    let why = g.endorse(RU, "R1").unwrap_err().to_string();
    assert_eq!(
        why,
        format!(
            "ruling R1 has no consensus: the lapse passed at {}",
            accord_core::moment::Moment(drafted + 600)
        )
    );
    assert!(!g.commitment_breached());
    assert!(g.allegation_open());
}

#[test]
fn a_ruling_is_provisional_until_the_parent_body_ratifies_it() {
    // Given a technical committee under a joint commission that adopts its
    // rulings (a quorum of 2 of the guarantors)
    let mut tc = body("tc", &["tr", "gov"], Decision::All);
    tc.parent = Some(BodyId::new("jc").unwrap());
    tc.parent_adopts = true;
    let jc = body("jc", &["tr", "ru", "ir"], Decision::Quorum(2));
    let mut g = Given::new().with_bodies(vec![jc, tc]);
    g.draft(TR, "tc").unwrap();
    // ratification before the committee's rule is met is refused
    let why = g.ratify(RU, "R1").unwrap_err().to_string();
    assert!(why.contains("ruling R1 is proposed"), "{why}");
    g.endorse(TR, "R1").unwrap();
    g.endorse(GOV, "R1").unwrap();
    // Then it is provisional: no effect yet, the parent's members owe a ratification
    assert_eq!(g.ruling_state("R1", g.time), "provisional");
    assert!(!g.commitment_breached());
    assert!(g.allegation_open());
    assert!(has(&g.duties("ru", g.time), DutyKind::RatifyRuling, "R1"));
    assert!(!has(&g.duties("gov", g.time), DutyKind::RatifyRuling, "R1"));
    // gov sits on tc but not on jc
    let why = g.ratify(GOV, "R1").unwrap_err().to_string();
    assert!(why.contains("gov is not a member of body jc"), "{why}");
    g.ratify(RU, "R1").unwrap();
    let why = g.ratify(RU, "R1").unwrap_err().to_string();
    assert!(why.contains("already ratified"), "{why}");
    assert!(!g.commitment_breached());
    // When the parent's quorum ratifies, it is adopted with its effects
    g.ratify(IR, "R1").unwrap();
    assert_eq!(g.ruling_state("R1", g.time), "adopted");
    assert!(g.commitment_breached());
    assert!(!g.allegation_open());
    assert!(!has(&g.duties("tr", g.time), DutyKind::RatifyRuling, "R1"));
    assert_eq!(g.ruling("R1").ratifications.len(), 2);
}

#[test]
fn a_body_without_an_adopting_parent_takes_no_ratification() {
    let mut g = Given::new().with_bodies(vec![body("jc", &["tr"], Decision::All)]);
    g.draft(TR, "jc").unwrap();
    g.endorse(TR, "R1").unwrap();
    let why = g.ratify(RU, "R1").unwrap_err().to_string();
    assert!(why.contains("has no parent body that adopts"), "{why}");
}

#[test]
fn a_view_is_recorded_only_by_a_party_that_does_not_vote() {
    let mut g = Given::new().with_bodies(vec![body("jc", &["tr", "ru"], Decision::All)]);
    g.draft(TR, "jc").unwrap();
    let why = g.refused(
        RU,
        Event::ViewRecorded {
            item: item("R1"),
            text: "I agree".into(),
        },
    );
    assert!(why.contains("ru votes on R1"), "{why}");
    g.ok(
        IR,
        Event::ViewRecorded {
            item: item("R1"),
            text: "Iran's view".into(),
        },
    );
    let why = g.refused(
        IR,
        Event::ViewRecorded {
            item: item("Z9"),
            text: "?".into(),
        },
    );
    assert!(why.contains("Z9"), "{why}");
    let notes = &g.state.records().notes()[&item("R1")];
    assert_eq!(notes.views.len(), 1);
    assert_eq!(notes.views[0].0, pid("ir"));
}

#[test]
fn a_body_rules_only_on_an_open_allegation_that_exists() {
    let mut g = Given::new().with_bodies(vec![body("jc", &["tr"], Decision::All)]);
    let why = g.refused(TR, draft("R1", "A9", "jc"));
    assert!(why.contains("A9"), "{why}");
    let why = g.refused(TR, draft("R1", "A1", "zz"));
    assert!(why.contains("zz"), "{why}");
    g.draft(TR, "jc").unwrap();
    g.endorse(TR, "R1").unwrap();
    let why = g.refused(TR, draft("R2", "A1", "jc"));
    assert!(why.contains("allegation A1 is ruled"), "{why}");
}

// Tabled clauses

/// Clause S1 tabled by the mediator for ru and tr (guarantors) and gov.
fn tabled(g: &mut Given) {
    g.ok(
        MED,
        Event::ClauseTabled {
            id: cid("S1"),
            title: "Sochi".into(),
            text: "demilitarised zone".into(),
            signatories: vec![pid("ru"), pid("tr"), pid("gov")],
        },
    );
}

fn clause_event(g: &Given, kind: &str, id: &str) -> Event {
    let proposal = g.clause(id).proposal.hash;
    match kind {
        "endorse" => Event::ClauseEndorsed {
            clause: cid(id),
            proposal,
        },
        "accept" => Event::ClauseAccepted {
            clause: cid(id),
            proposal,
        },
        _ => Event::ClauseDeclined {
            clause: cid(id),
            proposal,
            reason: "no".into(),
        },
    }
}

#[test]
fn a_tabled_clause_is_adopted_by_its_guarantor_signatories_alone() {
    let mut g = Given::new();
    tabled(&mut g);
    assert_eq!(
        g.clause("S1").signatories,
        Some(vec![pid("ru"), pid("tr"), pid("gov")])
    );
    // ir, a guarantor but no signatory, owes nothing and cannot endorse
    assert!(!has(&g.duties("ir", g.time), DutyKind::EndorseClause, "S1"));
    assert!(has(&g.duties("ru", g.time), DutyKind::EndorseClause, "S1"));
    let e = clause_event(&g, "endorse", "S1");
    let why = g.refused(IR, e);
    assert_eq!(
        why,
        "ir is not a signatory of clause S1: it cannot endorse it"
    );
    // opp is not a signatory: it owes no acceptance and cannot accept or decline
    assert!(!has(&g.duties("opp", g.time), DutyKind::AcceptClause, "S1"));
    assert!(has(&g.duties("gov", g.time), DutyKind::AcceptClause, "S1"));
    for kind in ["accept", "decline"] {
        let e = clause_event(&g, kind, "S1");
        let why = g.refused(OPP, e);
        assert!(why.contains("opp is not a signatory of clause S1"), "{why}");
    }
    // When ru and tr endorse, it is adopted (the charter asks all three)
    let e = clause_event(&g, "endorse", "S1");
    g.ok(RU, e);
    assert!(!g.clause("S1").is_adopted());
    let e = clause_event(&g, "endorse", "S1");
    g.ok(TR, e);
    assert!(g.clause("S1").is_adopted());
    let e = clause_event(&g, "accept", "S1");
    g.ok(GOV, e);
    assert!(!has(&g.duties("gov", g.time), DutyKind::AcceptClause, "S1"));
}

#[test]
fn only_a_signatory_commits_under_a_tabled_clause() {
    let mut g = Given::new();
    tabled(&mut g);
    for s in [RU, TR] {
        let e = clause_event(&g, "endorse", "S1");
        g.ok(s, e);
    }
    let commit = |id: &str| Event::CommitmentMade {
        id: CommitmentId::new(id).unwrap(),
        clause: cid("S1"),
        text: "withdraw heavy weapons".into(),
        zone: None,
        due: None,
    };
    let why = g.refused(OPP, commit("K2"));
    assert_eq!(
        why,
        "opp is not a signatory of clause S1: it cannot commit under it"
    );
    g.ok(GOV, commit("K2"));
    // nor can a non-signatory join a commitment under it
    let made = g.state.records().commitments()[&CommitmentId::new("K2").unwrap()]
        .made
        .hash;
    let why = g.refused(
        OPP,
        Event::CommitmentJoined {
            commitment: CommitmentId::new("K2").unwrap(),
            made,
        },
    );
    assert!(why.contains("opp is not a signatory of clause S1"), "{why}");
}

#[test]
fn a_tabled_clause_names_a_guarantor_and_no_secretariat_or_observer() {
    let mut g = Given::new();
    let table = |sigs: &[&str]| Event::ClauseTabled {
        id: cid("S1"),
        title: "t".into(),
        text: "x".into(),
        signatories: sigs.iter().map(|s| pid(s)).collect(),
    };
    let why = g.refused(MED, table(&["gov", "opp"]));
    assert!(why.contains("names no guarantor"), "{why}");
    let why = g.refused(MED, table(&["tr", "kz"]));
    assert!(why.contains("kz cannot be a signatory"), "{why}");
    let why = g.refused(MED, table(&["tr", "tr"]));
    assert!(why.contains("tr"), "{why}");
    let why = g.refused(GOV, table(&["tr"]));
    assert!(why.contains("table clauses"), "{why}");
    g.ok(SEC, table(&["tr"]));
}

#[test]
fn a_tabled_clause_term_is_set_by_its_guarantor_signatories() {
    let mut g = Given::new();
    tabled(&mut g);
    for s in [RU, TR] {
        let e = clause_event(&g, "endorse", "S1");
        g.ok(s, e);
    }
    let until = g.time + 1_000_000;
    let why = g.refused(
        IR,
        Event::ClauseTermProposed {
            clause: cid("S1"),
            until: Some(until),
            reason: "r".into(),
        },
    );
    assert!(why.contains("ir is not a signatory of clause S1"), "{why}");
    g.ok(
        RU,
        Event::ClauseTermProposed {
            clause: cid("S1"),
            until: Some(until),
            reason: "r".into(),
        },
    );
    assert!(!has(
        &g.duties("ir", g.time),
        DutyKind::EndorseClauseTerm,
        "S1"
    ));
    let term = g.clause("S1").term.clone().unwrap().proposal.hash;
    for s in [RU, TR] {
        g.ok(
            s,
            Event::ClauseTermEndorsed {
                clause: cid("S1"),
                proposal: term,
            },
        );
    }
    assert_eq!(g.clause("S1").until, Some(until));
}
