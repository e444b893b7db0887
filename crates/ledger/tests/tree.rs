//! The Merkle tree kept in derived data: roots and proofs from the ledger
//! API agree with a tree built in memory from the entries, check under
//! ct-merkle (through `merkle::verify_*`), survive batches, single appends
//! and rebuilds, and damaged or missing tree data is rebuilt, never trusted.

use accord_core::merkle::{self, RootBuilder};
use accord_core::{keycommit, Event, PartyId};
use accord_ledger::synth::{self, key, START};
use accord_ledger::{Ledger, LedgerError};
use accord_store::{KeyValue, MemStore, Store};

fn synthetic(count: u64) -> Ledger<MemStore> {
    let mut l = Ledger::init(MemStore::default(), synth::charter(), &key(3), START).unwrap();
    synth::extend(&mut l, count).unwrap();
    l
}

/// Roots of every prefix, from the entries alone.
fn roots(l: &Ledger<MemStore>) -> Vec<merkle::Hash> {
    let mut b = RootBuilder::new();
    let mut out = vec![b.root()];
    for e in l.entries(0) {
        b.push(&e.unwrap().bytes);
        out.push(b.root());
    }
    out
}

fn rotate(l: &mut Ledger<MemStore>, seed: usize) {
    let new_key = key(seed);
    let time = synth::time_of(l.last_seq().unwrap() + 1);
    let public = accord_core::crypto::public_key(&new_key);
    let ledger = l.entry(0).unwrap().hash;
    let party = PartyId::new("tr").unwrap();
    let message = accord_core::crypto::possession_message(&ledger, &party, &public).unwrap();
    l.append(
        &key(0),
        time,
        time,
        Event::KeyRotated {
            new_key: public,
            proof: accord_core::crypto::sign(&new_key, &message),
        },
    )
    .unwrap();
}

fn check_all_proofs(l: &mut Ledger<MemStore>, roots: &[merkle::Hash]) {
    let size = l.tree_size().unwrap();
    for n in 1..=size {
        assert_eq!(l.tree_root(n).unwrap(), roots[n as usize], "root at {n}");
    }
    for n in [1, size / 3, size] {
        assert_eq!(l.tree_root_from_entries(n).unwrap(), roots[n as usize]);
    }
    assert_eq!(l.verify().root, Some(roots[size as usize]));
    for (seq, n) in [
        (0, 1),
        (0, size),
        (size - 1, size),
        (size / 2, size),
        (7, 9),
    ] {
        let proof = l.inclusion_proof(seq, n).unwrap();
        let leaf = l.entry(seq).unwrap().bytes;
        merkle::verify_inclusion(seq, n, &leaf, &proof, &roots[n as usize])
            .unwrap_or_else(|e| panic!("inclusion {seq} in {n}: {e}"));
    }
    for (old, new) in [(1, size), (size, size), (3, 7), (size / 2, size), (8, 16)] {
        let proof = l.consistency_proof(old, new).unwrap();
        merkle::verify_consistency(old, new, &roots[old as usize], &roots[new as usize], &proof)
            .unwrap_or_else(|e| panic!("consistency {old} to {new}: {e}"));
    }
}

#[test]
fn roots_and_proofs_agree_with_the_entries_after_batches_and_single_appends() {
    // Synthetic batches of 4,096, then single appends (a rotation among them).
    let mut l = synthetic(4200);
    rotate(&mut l, 100);
    let expected = roots(&l);
    check_all_proofs(&mut l, &expected);
}

#[test]
fn sizes_out_of_range_are_refused_with_typed_errors() {
    let mut l = synthetic(20);
    let size = l.tree_size().unwrap();
    assert_eq!(size, 21);
    assert!(matches!(
        l.tree_root(0),
        Err(LedgerError::TreeSize {
            size: 0,
            entries: 21
        })
    ));
    assert!(matches!(
        l.tree_root(22),
        Err(LedgerError::TreeSize { size: 22, .. })
    ));
    assert!(matches!(
        l.inclusion_proof(5, 5),
        Err(LedgerError::NotInTree { seq: 5, size: 5 })
    ));
    assert!(matches!(
        l.inclusion_proof(0, 22),
        Err(LedgerError::TreeSize { .. })
    ));
    assert!(matches!(
        l.consistency_proof(6, 5),
        Err(LedgerError::ConsistencyRange { old: 6, new: 5 })
    ));
    assert!(matches!(
        l.consistency_proof(0, 5),
        Err(LedgerError::ConsistencyRange { .. })
    ));
    assert!(matches!(
        l.consistency_proof(1, 22),
        Err(LedgerError::TreeSize { .. })
    ));
    assert!(matches!(l.key_events(0), Err(LedgerError::TreeSize { .. })));
    let err = l.inclusion_proof(5, 5).unwrap_err().to_string();
    assert!(
        !err.contains('\n') && err.contains("entries 0 to 4"),
        "{err}"
    );
}

#[test]
fn key_events_list_the_charter_and_rotations_below_the_size() {
    let mut l = synthetic(10);
    rotate(&mut l, 100);
    let rotation = l.last_seq().unwrap();
    assert_eq!(rotation, 11);
    let charter = l.entry(0).unwrap().hash;
    let rotated = l.entry(rotation).unwrap().hash;
    assert_eq!(l.key_events(rotation).unwrap(), vec![(0, charter)]);
    assert_eq!(
        l.key_events(rotation + 1).unwrap(),
        vec![(0, charter), (rotation, rotated)]
    );
    assert_eq!(
        l.key_commitment(rotation + 1).unwrap(),
        keycommit::digest([(0, &charter), (rotation, &rotated)])
    );
    assert_ne!(
        l.key_commitment(rotation).unwrap(),
        l.key_commitment(rotation + 1).unwrap()
    );
}

/// The store's derived data with `edit` applied, written back whole.
fn edit_derived(l: Ledger<MemStore>, edit: impl Fn(&mut Vec<KeyValue>)) -> Ledger<MemStore> {
    let mut store = l.into_store();
    let mut all: Vec<KeyValue> = store.derived_scan(b"").map(|r| r.unwrap()).collect();
    edit(&mut all);
    store.replace_derived(&all).unwrap();
    Ledger::from_store(store)
}

#[test]
fn damaged_or_missing_tree_data_is_rebuilt_not_trusted() {
    let l = synthetic(300);
    let expected = roots(&l);
    // A tree hash the size-300 root reads, cut short: rebuilt on read.
    let index = merkle::stored_hash_index(8, 0);
    let key = [&b"tree/"[..], &index.to_be_bytes()].concat();
    let mut l = edit_derived(l, |all| {
        for (k, v) in all.iter_mut() {
            if *k == key {
                v.truncate(5);
            }
        }
    });
    assert_eq!(l.tree_root(300).unwrap(), expected[300]);
    let (_, diffs) = l.check_derived().unwrap();
    assert!(diffs.is_empty(), "rebuilt: {diffs:?}");

    // A changed hash is found by the check and repaired by a rebuild.
    let mut l = edit_derived(l, |all| {
        for (k, v) in all.iter_mut() {
            if *k == key {
                v[0] ^= 1;
            }
        }
    });
    // Served as stored, but the recomputation from the entries tells.
    assert_ne!(l.tree_root(300).unwrap(), expected[300]);
    assert_eq!(l.tree_root_from_entries(300).unwrap(), expected[300]);
    let (_, diffs) = l.check_derived().unwrap();
    assert_eq!(
        diffs,
        vec![accord_ledger::DerivedDifference::Changed(format!(
            "tree/{index}"
        ))]
    );
    l.rebuild_derived().unwrap();
    assert_eq!(l.tree_root(300).unwrap(), expected[300]);

    // All tree data and key events gone (a ledger from before the tree):
    // appends and proofs rebuild it.
    let mut l = edit_derived(l, |all| {
        all.retain(|(k, _)| !k.starts_with(b"tree/") && !k.starts_with(b"keyevent/"))
    });
    rotate(&mut l, 100);
    let expected = roots(&l);
    check_all_proofs(&mut l, &expected);
    assert_eq!(l.key_events(302).unwrap().len(), 2);
}

#[test]
fn each_append_stores_its_leaf_and_the_subtrees_it_completes() {
    let mut l = Ledger::init(MemStore::default(), synth::charter(), &key(3), START).unwrap();
    let tree_keys = |l: &Ledger<MemStore>| l.store().derived_scan(b"tree/").count() as u64;
    assert_eq!(tree_keys(&l), 1);
    for i in 1..=40u64 {
        let before = tree_keys(&l);
        let time = START + i as i64;
        l.append(
            &key(0),
            time,
            time,
            Event::ClauseProposed {
                id: accord_core::ClauseId::new(format!("C{i}")).unwrap(),
                title: "t".into(),
                text: "x".into(),
            },
        )
        .unwrap();
        // Leaf i's hash, and one per complete subtree it closes.
        assert_eq!(tree_keys(&l) - before, 1 + u64::from(i.trailing_ones()));
        assert_eq!(tree_keys(&l), merkle::stored_hash_count(i + 1));
    }
}
