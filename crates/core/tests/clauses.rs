//! Given/when/then tests of clauses over time (issue 13): a proposer's
//! withdrawal, a party's decline, a term (`until`) adopted under the clause
//! adoption rule and the lapse after it, a revision that supersedes, and
//! the clause view.

mod common;

use accord_core::clause_view;
use accord_core::projection::{obligations, DutyKind};
use accord_core::records::{ClausePhase, CommitmentStatus};
use accord_core::*;
use common::key;

const T0: i64 = 1_493_856_000; // 2017-05-04
const DAY: i64 = 86_400;
const TR: usize = 0;
const RU: usize = 1;
const IR: usize = 2;
const GOV: usize = 3;
const OPP: usize = 4;
const PARTIES: [(&str, Role); 5] = [
    ("tr", Role::Guarantor),
    ("ru", Role::Guarantor),
    ("ir", Role::Guarantor),
    ("gov", Role::Party),
    ("opp", Role::Party),
];

fn cid(s: &str) -> ClauseId {
    ClauseId::new(s).unwrap()
}

fn pid(s: &str) -> PartyId {
    PartyId::new(s).unwrap()
}

struct Given {
    state: State,
    time: i64,
}

impl Given {
    /// A founded ledger (clause adoption: quorum 2 of 3 guarantors) with
    /// clause C1 adopted by tr and ru, and K1 by gov under it.
    fn new() -> Given {
        let rules = Rules {
            clause_adoption: Adoption::Quorum(2),
            ruling_quorum: 2,
        };
        let mut g = Given {
            state: common::founded(&PARTIES, rules, T0),
            time: T0,
        };
        g.propose(TR, "C1");
        g.endorse(TR, "C1");
        g.endorse(RU, "C1");
        g.ok(GOV, commit("K1", "C1"));
        g
    }

    fn try_(&mut self, signer: usize, event: Event) -> Result<u64, Violation> {
        common::admit(&mut self.state, &mut self.time, signer, event)
    }

    fn ok(&mut self, signer: usize, event: Event) -> u64 {
        self.try_(signer, event).unwrap()
    }

    fn refused(&mut self, signer: usize, event: Event) -> String {
        self.try_(signer, event).unwrap_err().to_string()
    }

    fn clause(&self, id: &str) -> &ClauseState {
        &self.state.records().clauses()[&cid(id)]
    }

    fn hash(&self, id: &str) -> EntryHash {
        self.clause(id).proposal.hash
    }

    fn term_hash(&self, id: &str) -> EntryHash {
        self.clause(id).term.as_ref().unwrap().proposal.hash
    }

    fn propose(&mut self, signer: usize, id: &str) -> u64 {
        self.ok(
            signer,
            Event::ClauseProposed {
                id: cid(id),
                title: format!("Clause {id}"),
                text: "Text.".into(),
            },
        )
    }

    fn endorse_event(&self, id: &str) -> Event {
        Event::ClauseEndorsed {
            clause: cid(id),
            proposal: self.hash(id),
        }
    }

    fn endorse(&mut self, signer: usize, id: &str) -> u64 {
        let e = self.endorse_event(id);
        self.ok(signer, e)
    }

    fn accept_event(&self, id: &str) -> Event {
        Event::ClauseAccepted {
            clause: cid(id),
            proposal: self.hash(id),
        }
    }

    fn decline_event(&self, id: &str) -> Event {
        Event::ClauseDeclined {
            clause: cid(id),
            proposal: self.hash(id),
            reason: "Not this text.".into(),
        }
    }

    fn term_endorse_event(&self, id: &str) -> Event {
        Event::ClauseTermEndorsed {
            clause: cid(id),
            proposal: self.term_hash(id),
        }
    }

    fn duties(&self, party: &str) -> Vec<(DutyKind, String)> {
        obligations(&self.state, self.time)
            .into_iter()
            .find(|v| v.party.as_str() == party)
            .unwrap()
            .duties
            .into_iter()
            .map(|d| (d.duty, d.item))
            .collect()
    }
}

fn commit(id: &str, clause: &str) -> Event {
    Event::CommitmentMade {
        id: CommitmentId::new(id).unwrap(),
        clause: cid(clause),
        text: "Hold the line.".into(),
        zone: None,
        due: None,
    }
}

fn term(id: &str, until: Option<i64>) -> Event {
    Event::ClauseTermProposed {
        clause: cid(id),
        until,
        reason: "Six months.".into(),
    }
}

fn revision(id: &str, revises: &str) -> Event {
    Event::ClauseRevisionProposed {
        id: cid(id),
        revises: cid(revises),
        title: format!("Clause {id}"),
        text: "New text.".into(),
    }
}

#[test]
fn only_the_proposer_withdraws_a_clause_and_only_before_adoption() {
    let mut g = Given::new();
    g.propose(TR, "C2");
    let withdraw = |c: &str| Event::ClauseWithdrawn {
        clause: cid(c),
        reason: "Superseded by talks.".into(),
    };
    assert_eq!(
        g.refused(RU, withdraw("C2")),
        "only tr may withdraw clause C2, not ru"
    );
    assert_eq!(
        g.refused(TR, withdraw("C1")),
        "clause C1 is adopted: it cannot be withdrawn (only a proposal not yet adopted can)"
    );
    let seq = g.ok(TR, withdraw("C2"));
    assert_eq!(g.clause("C2").withdrawn, Some(seq));
    assert_eq!(g.clause("C2").phase(g.time), ClausePhase::Withdrawn);
    assert!(!g.clause("C2").in_force(g.time));

    // Nothing more is signed under a withdrawn clause.
    let e = g.endorse_event("C2");
    assert_eq!(
        g.refused(RU, e),
        "clause C2 is withdrawn: it cannot be endorsed"
    );
    let e = g.accept_event("C2");
    assert_eq!(
        g.refused(GOV, e),
        "clause C2 is withdrawn: it cannot be accepted"
    );
    assert_eq!(
        g.refused(GOV, commit("K2", "C2")),
        "clause C2 is withdrawn: it cannot be committed under"
    );
    assert_eq!(
        g.refused(TR, withdraw("C2")),
        "clause C2 is withdrawn: it cannot be withdrawn (only a proposal not yet adopted can)"
    );
    // And it asks nothing of anyone.
    assert!(!g.duties("ru").iter().any(|(_, i)| i == "C2"));
    assert!(!g.duties("gov").iter().any(|(_, i)| i == "C2"));
}

#[test]
fn a_party_declines_a_clause_instead_of_accepting_it_never_both() {
    let mut g = Given::new();
    assert!(g
        .duties("gov")
        .contains(&(DutyKind::AcceptClause, "C1".into())));
    let e = g.decline_event("C1");
    assert_eq!(
        g.refused(TR, e.clone()),
        "tr is a guarantor: only parties to the conflict may decline clauses"
    );
    let wrong = Event::ClauseDeclined {
        clause: cid("C1"),
        proposal: EntryHash([7; 32]),
        reason: "No.".into(),
    };
    assert!(g
        .refused(GOV, wrong)
        .starts_with("clause C1 names proposal"));
    let seq = g.ok(GOV, e.clone());
    assert_eq!(g.clause("C1").declines, vec![(pid("gov"), seq)]);
    assert_eq!(g.refused(GOV, e), "gov has already declined clause C1");
    let a = g.accept_event("C1");
    assert_eq!(
        g.refused(GOV, a.clone()),
        "gov has already declined clause C1: a party to the conflict accepts or declines a clause's text once, not both"
    );
    g.ok(OPP, a);
    let d = g.decline_event("C1");
    assert_eq!(
        g.refused(OPP, d),
        "opp has already accepted clause C1: a party to the conflict accepts or declines a clause's text once, not both"
    );
    // The decliner has no duty to accept it any more; the clause stays adopted.
    assert!(!g
        .duties("gov")
        .contains(&(DutyKind::AcceptClause, "C1".into())));
    assert_eq!(g.clause("C1").phase(g.time), ClausePhase::Adopted);
}

#[test]
fn a_term_is_adopted_under_the_clause_rule_and_the_clause_lapses_after_it() {
    let mut g = Given::new();
    let six_months = T0 + 183 * DAY;
    // Only for an adopted clause, only by drafters, never ending in the past.
    g.propose(TR, "C2");
    assert_eq!(
        g.refused(TR, term("C2", Some(six_months))),
        "clause C2 is proposed: it cannot be given a new term"
    );
    assert_eq!(
        g.refused(GOV, term("C1", Some(six_months))),
        "gov is a party: only guarantors and the mediator may propose clause terms"
    );
    assert_eq!(
        g.refused(TR, term("C1", Some(T0))),
        "clause C1: the proposed end (until) is before the entry's own time"
    );
    assert_eq!(
        g.refused(
            TR,
            Event::ClauseTermEndorsed {
                clause: cid("C1"),
                proposal: g.hash("C1"),
            }
        ),
        "clause C1 has no term proposal pending (it was adopted or never made): propose one first"
    );

    g.ok(RU, term("C1", Some(T0 + 90 * DAY)));
    let first = g.term_endorse_event("C1");
    g.ok(TR, first.clone());
    assert!(g
        .duties("ir")
        .contains(&(DutyKind::EndorseClauseTerm, "C1".into())));
    // A newer proposal replaces the pending one, and its endorsements.
    g.ok(TR, term("C1", Some(six_months)));
    assert!(g
        .refused(RU, first)
        .starts_with("the term proposal of clause C1 names proposal"));
    assert!(g
        .clause("C1")
        .term
        .as_ref()
        .unwrap()
        .endorsements
        .is_empty());
    let e = g.term_endorse_event("C1");
    g.ok(TR, e.clone());
    assert_eq!(
        g.clause("C1").until,
        None,
        "one endorsement of two adopts nothing"
    );
    let seq = g.ok(RU, e.clone());
    let c = g.clause("C1");
    assert_eq!(
        (c.until, c.until_from, &c.term),
        (Some(six_months), Some(seq), &None)
    );
    assert!(!g
        .duties("ir")
        .iter()
        .any(|(d, _)| *d == DutyKind::EndorseClauseTerm));
    assert_eq!(
        g.refused(IR, e),
        "clause C1 has no term proposal pending (it was adopted or never made): propose one first"
    );

    // In force up to and including `until`, lapsed after it.
    let c = g.clause("C1");
    assert!(c.in_force(six_months));
    assert_eq!(c.phase(six_months + 1), ClausePhase::Lapsed);
    assert!(!c.in_force(six_months + 1));
    // A lapsed clause asks no party to accept it.
    let lapsed = obligations(&g.state, six_months + 1);
    let gov = lapsed.iter().find(|v| v.party.as_str() == "gov").unwrap();
    assert!(!gov.duties.iter().any(|d| d.item == "C1"));

    // `None` sets "no end".
    g.ok(IR, term("C1", None));
    let e = g.term_endorse_event("C1");
    g.ok(IR, e.clone());
    g.ok(TR, e);
    assert_eq!(g.clause("C1").until, None);
    assert!(g.clause("C1").in_force(six_months + 1));
}

#[test]
fn an_adopted_revision_supersedes_the_clause_it_revises_and_keeps_its_term() {
    let mut g = Given::new();
    let until = T0 + 183 * DAY;
    g.ok(TR, term("C1", Some(until)));
    let e = g.term_endorse_event("C1");
    g.ok(TR, e.clone());
    g.ok(RU, e);

    g.propose(TR, "C2");
    assert_eq!(
        g.refused(TR, revision("C2b", "C2")),
        "clause C2 is proposed: it cannot be revised"
    );
    assert_eq!(
        g.refused(GOV, revision("C1b", "C1")),
        "gov is a party: only guarantors and the mediator may revise clauses"
    );
    g.ok(TR, revision("C1b", "C1"));
    g.ok(IR, revision("C1c", "C1"));
    assert_eq!(g.clause("C1b").revises, Some(cid("C1")));
    assert_eq!(g.clause("C1").phase(g.time), ClausePhase::Adopted);
    assert!(g
        .duties("gov")
        .contains(&(DutyKind::AcceptClause, "C1b".into())));

    g.endorse(TR, "C1b");
    g.endorse(IR, "C1c");
    let seq = g.endorse(RU, "C1b");
    let old = g.clause("C1");
    assert_eq!(old.superseded_by, Some((cid("C1b"), seq)));
    assert_eq!(old.phase(g.time), ClausePhase::Superseded);
    assert!(!old.in_force(g.time));
    let new = g.clause("C1b");
    assert_eq!((new.adopted_at, new.until), (Some(seq), Some(until)));
    assert!(new.in_force(g.time));

    // Commitments stay under the old clause, as they were.
    let k1 = &g.state.records().commitments()[&CommitmentId::new("K1").unwrap()];
    assert_eq!(
        (k1.clause.as_str(), &k1.status),
        ("C1", &CommitmentStatus::Open)
    );
    // But nothing new is signed under it.
    assert_eq!(
        g.refused(GOV, commit("K2", "C1")),
        "clause C1 is superseded: it cannot be committed under"
    );
    let a = g.accept_event("C1");
    assert_eq!(
        g.refused(GOV, a),
        "clause C1 is superseded: it cannot be accepted"
    );
    assert_eq!(
        g.refused(TR, revision("C1d", "C1")),
        "clause C1 is superseded: it cannot be revised"
    );
    assert_eq!(
        g.refused(TR, term("C1", None)),
        "clause C1 is superseded: it cannot be given a new term"
    );
    // The competing revision is overtaken.
    let e = g.endorse_event("C1c");
    assert_eq!(
        g.refused(RU, e),
        "clause C1 has been superseded by C1b: revision C1c can no longer be endorsed"
    );
    let gov = g.duties("gov");
    assert!(!gov.iter().any(|(_, i)| i == "C1" || i == "C1c"), "{gov:?}");
    assert!(gov.contains(&(DutyKind::AcceptClause, "C1b".into())));
    g.ok(GOV, commit("K2", "C1b"));
}

#[test]
fn clause_events_touch_every_record_they_read() {
    // Admitting each event on a state restricted to the closure of its
    // touched records gives the same outcome as on the full state.
    let mut g = Given::new();
    g.ok(TR, revision("C1b", "C1"));
    g.endorse(TR, "C1b");
    g.ok(TR, term("C1", None));
    g.propose(TR, "C3");
    let events = vec![
        (RU, g.endorse_event("C1b")),
        (RU, g.term_endorse_event("C1")),
        (GOV, g.decline_event("C1b")),
        (
            TR,
            Event::ClauseWithdrawn {
                clause: cid("C3"),
                reason: "x".into(),
            },
        ),
        (TR, revision("C1c", "C1")),
        (GOV, commit("K2", "C1")),
    ];
    for (signer, event) in events {
        let entry = g
            .state
            .sign_next(&key(signer), g.time + 60, event.clone())
            .unwrap();
        let mut keys: std::collections::BTreeSet<RecordKey> = event.touches().into_iter().collect();
        loop {
            let more = g.state.clone().restrict(&keys).records().links();
            if more.is_subset(&keys) {
                break;
            }
            keys.extend(more);
        }
        let mut partial = g.state.clone().restrict(&keys);
        let mut full = g.state.clone();
        let (p, f) = (partial.admit(&entry), full.admit(&entry));
        assert_eq!(p, f, "{event:?}");
        // Every record the full fold changed is one the partial one held,
        // and changed alike.
        let before = g.state.records();
        for k in full.records().keys() {
            let changed = before.encode(&k).unwrap() != full.records().encode(&k).unwrap();
            assert!(!changed || keys.contains(&k), "{event:?} changed {k:?}");
        }
        assert_eq!(
            partial.records().clone(),
            full.records().clone().restrict(&keys),
            "{event:?}"
        );
    }
}

#[test]
fn the_clause_view_says_who_is_missing_who_declined_and_what_superseded_it() {
    let mut g = Given::new();
    g.propose(TR, "C2");
    g.endorse(IR, "C2");
    let e = g.decline_event("C1");
    let declined = g.ok(OPP, e);

    let v = clause_view::show(&g.state, &cid("C2"), "Text.".into(), g.time).unwrap();
    assert_eq!(v.phase, ClausePhase::Proposed);
    let missing = v.missing.unwrap();
    assert_eq!(missing.endorsements_needed, 1);
    assert_eq!(missing.guarantors, vec![pid("tr"), pid("ru")]);
    assert_eq!(v.to_accept, vec![pid("gov"), pid("opp")]);

    g.ok(TR, revision("C1b", "C1"));
    g.endorse(TR, "C1b");
    let adopted = g.endorse(RU, "C1b");
    let v = clause_view::show(&g.state, &cid("C1"), "Text.".into(), g.time).unwrap();
    assert_eq!(v.phase, ClausePhase::Superseded);
    assert_eq!(v.superseded_by, Some(cid("C1b")));
    assert_eq!(v.superseded_at, Some(adopted));
    assert_eq!(v.decliners.len(), 1);
    assert_eq!(
        (v.decliners[0].party.as_str(), v.decliners[0].seq),
        ("opp", declined)
    );
    assert!(v.missing.is_none() && v.to_accept.is_empty());

    let list = clause_view::list(&g.state, g.time);
    let phases: Vec<(&str, ClausePhase)> = list.iter().map(|s| (s.id.as_str(), s.phase)).collect();
    assert_eq!(
        phases,
        vec![
            ("C1", ClausePhase::Superseded),
            ("C1b", ClausePhase::Adopted),
            ("C2", ClausePhase::Proposed)
        ]
    );
    assert_eq!(list[0].declines, 1);
    assert_eq!(list[1].revises, Some(cid("C1")));
}

#[test]
fn a_clause_history_follows_its_revision() {
    let mut g = Given::new();
    let revise = revision("C1b", "C1");
    g.ok(TR, revise.clone());
    let endorse = g.endorse_event("C1b");
    let mut history = accord_core::projection::History::new("C1");
    assert!(history.concerns(&revise));
    assert!(
        history.concerns(&endorse),
        "the endorsements that supersede C1"
    );
    let mut other = accord_core::projection::History::new("C2");
    assert!(!other.concerns(&revise) && !other.concerns(&endorse));
}
