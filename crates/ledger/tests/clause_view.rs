//! The clause view through the ledger (issue 13): the text is read from
//! the proposal entry, the record from derived data at the head or from a
//! replay as of an entry, and the clause list at the head holds every
//! clause, closed ones included.

use accord_core::clause_view;
use accord_core::records::ClausePhase;
use accord_core::*;
use accord_ledger::synth::{self, key, START};
use accord_ledger::Ledger;
use accord_store::MemStore;

fn cid(s: &str) -> ClauseId {
    ClauseId::new(s).unwrap()
}

#[test]
fn the_clause_view_reads_the_text_in_force_and_every_clause() {
    let mut l = Ledger::init(MemStore::default(), synth::charter(), &key(0), START).unwrap();
    let t = START + 60;
    let mut append = |signer: usize, event: Event| l.append(&key(signer), t, t, event).unwrap();
    let p = append(
        1,
        Event::ClauseProposed {
            id: cid("C8"),
            title: "De-escalation areas".into(),
            text: "Four areas, six months.".into(),
        },
    )
    .hash;
    for g in 0..3 {
        append(
            g,
            Event::ClauseEndorsed {
                clause: cid("C8"),
                proposal: p,
            },
        );
    }
    let before_revision = append(
        4,
        Event::ClauseAccepted {
            clause: cid("C8"),
            proposal: p,
        },
    )
    .seq();
    let r = append(
        0,
        Event::ClauseRevisionProposed {
            id: cid("C8b"),
            revises: cid("C8"),
            title: "De-escalation areas, revised".into(),
            text: "Four areas, twelve months.".into(),
        },
    )
    .hash;
    for g in 0..3 {
        append(
            g,
            Event::ClauseEndorsed {
                clause: cid("C8b"),
                proposal: r,
            },
        );
    }
    append(
        3,
        Event::ClauseProposed {
            id: cid("C9"),
            title: "Detainees".into(),
            text: "A working group.".into(),
        },
    );
    append(
        3,
        Event::ClauseWithdrawn {
            clause: cid("C9"),
            reason: "Later.".into(),
        },
    );

    let head = l.clause_state(&cid("C8b")).unwrap();
    let v = l.clause_view(&head, &cid("C8b"), t).unwrap().unwrap();
    assert_eq!(v.text, "Four areas, twelve months.");
    assert_eq!(
        (v.phase, v.revises),
        (ClausePhase::Adopted, Some(cid("C8")))
    );
    let old = l.clause_view(&head, &cid("C8"), t).unwrap().unwrap();
    assert_eq!(old.text, "Four areas, six months.");
    assert_eq!(old.phase, ClausePhase::Superseded);
    assert_eq!(old.superseded_by, Some(cid("C8b")));
    assert!(l.clause_view(&head, &cid("C7"), t).unwrap().is_none());

    // As of an entry before the revision, C8 is in force and C8b unknown.
    let then = l.state_at(before_revision).unwrap();
    let old = l.clause_view(&then, &cid("C8"), t).unwrap().unwrap();
    assert_eq!((old.phase, old.superseded_by), (ClausePhase::Adopted, None));
    assert_eq!(old.acceptors.len(), 1);
    assert!(l.clause_view(&then, &cid("C8b"), t).unwrap().is_none());

    // The list at the head, from derived data, holds closed clauses too.
    let all = l.clauses_state().unwrap();
    let list: Vec<(String, ClausePhase)> = clause_view::list(&all, t)
        .into_iter()
        .map(|s| (s.id.to_string(), s.phase))
        .collect();
    assert_eq!(
        list,
        [
            ("C8".to_string(), ClausePhase::Superseded),
            ("C8b".to_string(), ClausePhase::Adopted),
            ("C9".to_string(), ClausePhase::Withdrawn),
        ]
    );
    assert_eq!(
        all.records().clauses(),
        l.replay().unwrap().records().clauses()
    );
}
