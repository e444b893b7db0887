//! `verify` re-checks the domain rules: an entry that is validly signed and
//! chained but breaks a rule (smuggled in past the gate) is named.

use super::{astana, ruled};
use crate::common::{with_entries, World};
use accord_core::crypto::private_key_from_pem;
use accord_core::{Event, RulingId};
use accord_ledger::Ledger;

/// Signs `event` as the holder of `key_file` on top of the ledger's head and
/// writes it straight into sled: validly signed and chained, but never
/// checked against the rules.
fn smuggle(w: &World, key_file: &str, event: impl FnOnce(&accord_core::State) -> Event) -> u64 {
    let key = private_key_from_pem(&std::fs::read_to_string(w.path(key_file)).unwrap()).unwrap();
    let entry = {
        let ledger = Ledger::open(&w.ledger()).unwrap();
        let state = ledger.replay().unwrap();
        let ev = event(&state);
        state.sign_next(&key, state.head_time(), ev).unwrap()
    };
    with_entries(&w.ledger(), |t| {
        t.insert(entry.seq().to_be_bytes(), entry.bytes.clone())
            .unwrap()
    });
    entry.seq()
}

fn r1_endorsement(state: &accord_core::State) -> Event {
    let r1 = RulingId::new("R1").unwrap();
    let proposal = state.records().rulings()[&r1].proposal.hash;
    Event::RulingEndorsed {
        ruling: r1,
        proposal,
    }
}

#[test]
fn verify_names_a_validly_signed_entry_that_breaks_a_rule() {
    // A ruling endorsement signed with the observer's own key.
    let w = astana();
    ruled(&w);
    let seq = smuggle(&w, "us.pem", r1_endorsement);
    let (bad, reason) = w.first_bad();
    assert_eq!(bad, seq);
    assert!(reason.contains("observer"), "{reason}");

    // A second endorsement by the same guarantor.
    let w = astana();
    ruled(&w);
    let seq = smuggle(&w, "tr.pem", r1_endorsement);
    let (bad, reason) = w.first_bad();
    assert_eq!(bad, seq);
    assert!(reason.contains("already endorsed"), "{reason}");
}
