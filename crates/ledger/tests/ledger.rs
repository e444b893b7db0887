//! The ledger API over the in-memory store: appends, refusals that change
//! nothing, verification of damaged ledgers, and derived-state rebuilds.

use accord_core::projection::{obligations, open_view};
use accord_core::{ClauseId, Event, Sealed, Violation};
use accord_ledger::synth::{self, key, START};
use accord_ledger::{Ledger, LedgerError, MAX_CLOCK_SKEW_SECS};
use accord_store::{KeyValue, MemStore, RawEntry, Store};

fn founded() -> Ledger<MemStore> {
    Ledger::init(MemStore::default(), synth::charter(), &key(3), START).unwrap()
}

fn propose(id: &str) -> Event {
    Event::ClauseProposed {
        id: ClauseId::new(id).unwrap(),
        title: "Monitoring mechanism".into(),
        text: "Observe and ensure full compliance with the ceasefire.".into(),
    }
}

fn snapshot(l: &Ledger<MemStore>) -> (Vec<RawEntry>, Vec<KeyValue>) {
    let s = l.store();
    (
        s.scan(0).map(|r| r.unwrap()).collect(),
        s.derived_scan(b"").map(|r| r.unwrap()).collect(),
    )
}

#[test]
fn append_then_verify() {
    let mut l = founded();
    let e = l
        .append(&key(0), START + 10, START + 10, propose("C1"))
        .unwrap();
    assert_eq!(e.seq(), 1);
    assert_eq!(l.entry(1).unwrap(), e);
    let r = l.verify();
    assert!(r.ok(), "{r:?}");
    assert_eq!(r.verified, 2);
    assert_eq!(r.head, Some(e.head()));
}

#[test]
fn refused_appends_leave_the_ledger_byte_for_byte_unchanged() {
    let mut l = founded();
    l.append(&key(0), START, START, propose("C1")).unwrap();
    let before = snapshot(&l);
    let refusals: Vec<(Event, u64)> = vec![
        (propose("C1"), 1),                    // duplicate id
        (Event::Charter(synth::charter()), 1), // second charter
        (
            Event::ClauseEndorsed {
                clause: ClauseId::new("C9").unwrap(),
                proposal: accord_core::EntryHash::ZERO,
            },
            1,
        ), // unknown clause
    ];
    for (event, signer) in refusals {
        let err = l
            .append(&key(signer as usize), START, START, event)
            .unwrap_err();
        assert!(matches!(err, LedgerError::Rejected(_)), "{err}");
        assert_eq!(snapshot(&l), before);
    }
    // An unknown key, a time far in the future, a time before the head.
    assert!(matches!(
        l.append(&key(42), START, START, propose("C2")),
        Err(LedgerError::Signer(_))
    ));
    assert!(matches!(
        l.append(&key(0), START + 10_000, START, propose("C2")),
        Err(LedgerError::FutureTime { .. })
    ));
    assert!(matches!(
        l.append(&key(0), START - 1, START, propose("C2")),
        Err(LedgerError::Rejected(Violation::TimeBackwards { .. }))
    ));
    assert_eq!(snapshot(&l), before);
}

/// A time after every synthetic entry of these tests.
const LATER: i64 = START + 86_400;

fn synthetic(n: u64) -> Ledger<MemStore> {
    let mut l = founded();
    synth::extend(&mut l, n).unwrap();
    l
}

fn damaged(edit: impl FnOnce(&mut std::collections::BTreeMap<u64, Vec<u8>>)) -> Ledger<MemStore> {
    let mut store = synthetic(20).into_store();
    edit(store.danger_entries_mut());
    Ledger::from_store(store)
}

#[test]
fn synthetic_ledgers_verify() {
    let l = synthetic(100);
    let r = l.verify();
    assert!(r.ok(), "{r:?}");
    assert_eq!(r.verified, 101);
}

#[test]
fn every_flipped_byte_is_caught_at_its_seq() {
    let clean = synthetic(8).into_store();
    for seq in 0..=8u64 {
        let len = clean.get(seq).unwrap().unwrap().len();
        for i in (0..len).step_by(7) {
            let mut store = clean.clone();
            store.danger_entries_mut().get_mut(&seq).unwrap()[i] ^= 0x40;
            let r = Ledger::from_store(store).verify();
            let f = r.failure.expect("a flipped byte must fail verification");
            assert_eq!(f.seq, seq, "byte {i} of entry {seq}: {}", f.reason);
        }
    }
}

#[test]
fn deleted_entry_is_named() {
    let r = damaged(|m| {
        m.remove(&7);
    })
    .verify();
    let f = r.failure.unwrap();
    assert_eq!((f.seq, f.reason.as_str()), (7, "entry is missing"));
    assert_eq!(r.verified, 7);
}

#[test]
fn swapped_entries_are_named() {
    let r = damaged(|m| {
        let a = m.remove(&5).unwrap();
        let b = m.remove(&6).unwrap();
        m.insert(5, b);
        m.insert(6, a);
    })
    .verify();
    assert_eq!(r.failure.unwrap().seq, 5);
}

#[test]
fn entry_from_another_ledger_is_named() {
    // The same events signed into a ledger founded one second later.
    let mut other =
        Ledger::init(MemStore::default(), synth::charter(), &key(3), START + 1).unwrap();
    synth::extend(&mut other, 20).unwrap();
    let foreign = other.store().get(9).unwrap().unwrap();
    let r = damaged(|m| {
        m.insert(9, foreign);
    })
    .verify();
    let f = r.failure.unwrap();
    assert_eq!(f.seq, 9);
    assert!(f.reason.contains("another ledger"), "{}", f.reason);
}

#[test]
fn truncated_tail_still_verifies_as_a_prefix() {
    // Without a saved head, a truncated tail is a shorter valid ledger; the
    // report says how far it reaches so a caller can compare heads.
    let r = damaged(|m| {
        m.remove(&20);
    })
    .verify();
    assert!(r.ok());
    assert_eq!(r.verified, 20);
}

#[test]
fn stale_derived_state_is_rebuilt_from_the_entries() {
    let mut l = synthetic(10);
    let mut store = l.into_store();
    store
        .replace_derived(&[(b"chain".to_vec(), b"garbage".to_vec())])
        .unwrap();
    l = Ledger::from_store(store);
    let e = l.append(&key(0), LATER, LATER, propose("X1")).unwrap();
    assert_eq!(e.seq(), 11);
    assert!(l.verify().ok());
}

#[test]
fn append_refuses_a_damaged_ledger_when_rebuilding() {
    let mut store = synthetic(10).into_store();
    store.danger_entries_mut().get_mut(&4).unwrap()[30] ^= 1;
    store
        .replace_derived(&[(b"chain".to_vec(), b"stale".to_vec())])
        .unwrap();
    let mut l = Ledger::from_store(store);
    let err = l.append(&key(0), LATER, LATER, propose("X1")).unwrap_err();
    assert!(matches!(err, LedgerError::Damaged { seq: 4, .. }), "{err}");
}

#[test]
fn incrementally_kept_derived_data_equals_a_rebuild() {
    let mut l = synthetic(37);
    l.append(&key(1), LATER, LATER, propose("X1")).unwrap();
    for signer in [0, 2] {
        let proposal = l
            .clause(&ClauseId::new("X1").unwrap())
            .unwrap()
            .unwrap()
            .proposal
            .hash;
        let endorse = Event::ClauseEndorsed {
            clause: ClauseId::new("X1").unwrap(),
            proposal,
        };
        l.append(&key(signer), LATER, LATER, endorse).unwrap();
    }
    let incremental = snapshot(&l).1;
    l.rebuild_derived().unwrap();
    assert_eq!(snapshot(&l).1, incremental);
    let x1 = l.clause(&ClauseId::new("X1").unwrap()).unwrap().unwrap();
    assert_eq!(x1.endorsements.len(), 2);
    assert_eq!(x1.adopted_at, None);
}

#[test]
fn an_undecodable_record_is_rebuilt_from_the_entries() {
    let mut l = founded();
    l.append(&key(0), START, START, propose("C1")).unwrap();
    let mut store = l.into_store();
    let mut derived: Vec<_> = store.derived_scan(b"").map(|r| r.unwrap()).collect();
    for (k, v) in derived.iter_mut() {
        if k.starts_with(b"clause/") {
            v.truncate(3);
        }
    }
    store.replace_derived(&derived).unwrap();
    let mut l = Ledger::from_store(store);
    let c1 = l.clause(&ClauseId::new("C1").unwrap()).unwrap().unwrap();
    assert_eq!(c1.proposer.as_str(), "tr");
    assert_eq!(
        l.append(&key(1), START, START, propose("C1"))
            .unwrap_err()
            .to_string(),
        "rejected: id C1 is already in use (ids are unique across clauses, commitments, allegations and rulings)"
    );
}

#[test]
fn parallel_signature_checks_name_the_same_first_bad_entry() {
    // Large enough for several chunks checked on all cores.
    let mut store = synthetic(5000).into_store();
    for (seq, at) in [(4100u64, 0usize), (2047, 1), (2048, 2)] {
        let mut damaged = store.clone();
        let bytes = damaged.danger_entries_mut().get_mut(&seq).unwrap();
        let n = bytes.len();
        // A byte of the signature, of the event, of the header.
        let i = [n - 10, n / 2, 40][at];
        bytes[i] ^= 0x08;
        let r = Ledger::from_store(damaged).verify();
        let f = r.failure.expect("damage must be found");
        assert_eq!(f.seq, seq, "{}", f.reason);
        assert_eq!(r.verified, seq);
    }
    let l = Ledger::from_store(std::mem::take(&mut store));
    let r = l.verify();
    assert!(r.ok());
    assert_eq!(r.verified, 5001);
    // Replays that stop inside, at the end of and after a chunk stop there,
    // and agree with the entries read one by one.
    for seq in [0u64, 1, 2047, 2048, 3001, 4095, 5000] {
        let state = l.state_at(seq).unwrap();
        assert_eq!(state.head(), l.entry(seq).unwrap().head());
    }
    assert!(l.state_at(5001).is_err());
}

#[test]
fn verify_recalls_records_from_earlier_chunks() {
    // A validly signed second endorsement of clause C1 (seq 1-4) by the
    // same guarantor, stored past several chunks: verify keeps item records
    // in scratch space between chunks and must still see the first one.
    let l = synthetic(5000);
    let state = l.replay().unwrap();
    let id = ClauseId::new("C1").unwrap();
    let proposal = l.entry(1).unwrap().hash;
    let again = state
        .sign_next(
            &key(0),
            state.head_time(),
            Event::ClauseEndorsed {
                clause: id,
                proposal,
            },
        )
        .unwrap();
    let mut store = l.into_store();
    store.append(again.seq(), &again.bytes, &[]).unwrap();
    let l = Ledger::from_store(store);
    let f = l
        .verify()
        .failure
        .expect("a second endorsement must be refused");
    assert_eq!(f.seq, 5001, "{}", f.reason);
    assert!(f.reason.contains("has already endorsed"), "{}", f.reason);
    match l.replay() {
        Err(accord_ledger::LedgerError::Damaged { seq, reason }) => {
            assert_eq!((seq, &reason), (5001, &f.reason))
        }
        other => panic!("the full replay must agree: {other:?}"),
    }

    // An allegation reusing the id of one closed in the first chunk (its
    // record was moved to scratch space long before).
    let l = synthetic(5000);
    let state = l.replay().unwrap();
    let reused = state
        .sign_next(
            &key(6),
            state.head_time(),
            Event::AllegationFiled {
                id: accord_core::AllegationId::new("A1").unwrap(),
                against: accord_core::PartyId::new("gov").unwrap(),
                commitments: Vec::new(),
                occurred: state.head_time(),
                location: "Jobar".into(),
                summary: "Shelling reported.".into(),
                evidence: Vec::new(),
            },
        )
        .unwrap();
    let mut store = l.into_store();
    store.append(reused.seq(), &reused.bytes, &[]).unwrap();
    let f = Ledger::from_store(store)
        .verify()
        .failure
        .expect("a reused id must be refused");
    assert_eq!(f.seq, 5001, "{}", f.reason);
    assert!(f.reason.contains("already in use"), "{}", f.reason);
}

#[test]
fn import_checks_every_batch_in_order_and_follows_key_rotations() {
    // Several import batches, a key rotation in the last one and entries
    // signed with the new key right after it.
    let mut l = synthetic(9000);
    let new_key = key(100);
    let later = synth::time_of(9001);
    l.append(&key(0), later, later, {
        let public = accord_core::crypto::public_key(&new_key);
        let ledger = l.entry(0).unwrap().hash;
        let party = accord_core::PartyId::new("tr").unwrap();
        let message = accord_core::crypto::possession_message(&ledger, &party, &public).unwrap();
        Event::KeyRotated {
            new_key: public,
            proof: accord_core::crypto::sign(&new_key, &message),
        }
    })
    .unwrap();
    l.append(&new_key, later, later, propose("X1")).unwrap();
    let entries: Vec<_> = l.entries(0).map(|e| e.unwrap()).collect();
    let dir = tempfile::tempdir().unwrap();

    let copy = dir.path().join("copy");
    let n = Ledger::import(
        &copy,
        accord_ledger::Backend::Redb,
        later,
        entries.iter().cloned().map(Ok),
    )
    .unwrap();
    assert_eq!(n, 9003);
    let copy = Ledger::open(&copy).unwrap();
    assert!(copy.verify().ok());
    assert_eq!(copy.entry(9002).unwrap(), entries[9002]);

    // A bad signature in the second batch: refused by seq, nothing created.
    let mut bad = entries.clone();
    let mut bytes = bad[5000].bytes.clone();
    let last = bytes.len() - 1;
    bytes[last] ^= 1;
    bad[5000] = accord_core::Sealed::from_bytes(bytes).unwrap();
    let target = dir.path().join("bad");
    let err = Ledger::import(
        &target,
        accord_ledger::Backend::Redb,
        later,
        bad.into_iter().map(Ok),
    )
    .unwrap_err();
    assert!(
        matches!(err, LedgerError::RejectedEntry { seq: 5000, .. }),
        "{err}"
    );
    assert!(!target.exists());

    // An entry dated more than five minutes after the importing machine's
    // clock is refused as an append would refuse it: nothing is created.
    let before = entries[9002].entry.body.time - MAX_CLOCK_SKEW_SECS - 1;
    let target = dir.path().join("early");
    let err = Ledger::import(
        &target,
        accord_ledger::Backend::Redb,
        before,
        entries.iter().cloned().map(Ok),
    )
    .unwrap_err();
    let first = entries
        .iter()
        .position(|e| e.entry.body.time > before + MAX_CLOCK_SKEW_SECS)
        .unwrap() as u64;
    assert!(first > 0);
    assert!(
        matches!(err, LedgerError::FutureEntry { seq, .. } if seq == first),
        "{err}"
    );
    assert!(!target.exists());
}

#[test]
fn open_views_as_of_any_entry_come_from_checkpoints_and_match_a_full_replay() {
    // Checkpoints every 256 entries, written inside import-sized batches.
    let mut l = Ledger::init(MemStore::default(), synth::charter(), &key(3), START)
        .unwrap()
        .with_checkpoints_every(256);
    synth::extend(&mut l, 5000).unwrap();
    for k in [0u64, 1, 255, 256, 257, 1000, 4095, 4096, 4097, 4999, 5000] {
        let fast = l
            .open_state_from_checkpoint(k)
            .unwrap()
            .unwrap_or_else(|| panic!("no usable checkpoint for entry {k}"));
        let full = l.state_at(k).unwrap();
        let t = full.head_time();
        assert_eq!(fast.head(), full.head());
        assert_eq!(
            open_view(obligations(&fast, t)),
            open_view(obligations(&full, t)),
            "entry {k}"
        );
    }
    // The checkpoints written batch by batch are those a rebuild writes.
    let incremental = snapshot(&l).1;
    l.rebuild_derived().unwrap();
    assert_eq!(snapshot(&l).1, incremental);
}

#[test]
fn checkpoints_written_by_sessions_across_batches_and_refusals_are_the_reference() {
    // Batches of many sizes append through a write session; a refused batch
    // in between drops it. `check_derived` recomputes every
    // checkpoint the reference way (in full), so any difference between
    // the two computations shows as a changed `checkpoint/<seq>`.
    let mut source = Ledger::init(MemStore::default(), synth::charter(), &key(3), START).unwrap();
    synth::extend(&mut source, 3000).unwrap();
    let entries: Vec<Sealed> = (0..=3000).map(|n| source.entry(n).unwrap()).collect();
    let mut l = Ledger::init(MemStore::default(), synth::charter(), &key(3), START)
        .unwrap()
        .with_checkpoints_every(16);
    let mut at = 1usize;
    for size in [40usize, 7, 300, 1, 33, 129] {
        l.append_sealed(&entries[at..at + size]).unwrap();
        at += size;
    }
    // A batch whose last entry is forged is refused whole.
    let mut forged = entries[at..at + 50].to_vec();
    let last = forged.len() - 1;
    forged[last] = Sealed::from_bytes({
        let mut b = forged[last].bytes.clone();
        let n = b.len();
        b[n - 1] ^= 1;
        b
    })
    .unwrap();
    assert!(l.append_sealed(&forged).is_err());
    assert_eq!(l.last_seq().unwrap() as usize, at - 1);
    for size in [64usize, 500, 2, 1000] {
        l.append_sealed(&entries[at..at + size]).unwrap();
        at += size;
    }
    let (_, differences) = l.check_derived().unwrap();
    assert!(differences.is_empty(), "{differences:?}");
    assert!(at > 2000, "the batches covered {at} entries");
}

#[test]
fn an_import_refuses_an_id_reused_batches_after_it_was_first_used() {
    // The import looks up no record it never wrote; one it wrote batches
    // earlier (A1, closed long ago) must still be found and the reuse
    // refused, as verify refuses it.
    let l = synthetic(9000);
    let state = l.replay().unwrap();
    let reused = state
        .sign_next(
            &key(6),
            state.head_time(),
            Event::AllegationFiled {
                id: accord_core::AllegationId::new("A1").unwrap(),
                against: accord_core::PartyId::new("gov").unwrap(),
                commitments: Vec::new(),
                occurred: state.head_time(),
                location: "Jobar".into(),
                summary: "Shelling reported.".into(),
                evidence: Vec::new(),
            },
        )
        .unwrap();
    let mut entries: Vec<Sealed> = l.entries(0).map(|e| e.unwrap()).collect();
    entries.push(reused);
    let dir = tempfile::tempdir().unwrap();
    let target = dir.path().join("copy");
    let err = Ledger::import(
        &target,
        accord_ledger::Backend::Redb,
        state.head_time(),
        entries.into_iter().map(Ok),
    )
    .unwrap_err();
    assert!(
        matches!(&err, LedgerError::RejectedEntry { seq: 9001, violation } if violation.to_string().contains("A1")),
        "{err}"
    );
    assert!(!target.exists());
}
