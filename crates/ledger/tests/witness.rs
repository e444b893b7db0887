//! Checkpoints and witnesses at the library level, on synthetic ledgers in
//! memory: roots and key commitments recomputed from the entries agree with
//! the tree kept in derived data at every size; a party's signature is
//! judged with its key at the checkpoint's size (across a rotation); a
//! witness cosigns growth, survives its own rotation, and refuses a fork,
//! a rollback and a copy that does not verify.

use accord_core::checkpoint::Checkpoint;
use accord_core::note::Note;
use accord_core::{Event, PartyId};
use accord_ledger::checkpoint::{cosigners, CheckpointError, Policy};
use accord_ledger::synth::{self, key, START};
use accord_ledger::witness::{cosign, WitnessError, WitnessState};
use accord_ledger::Ledger;
use accord_store::MemStore;

fn synthetic(count: u64) -> Ledger<MemStore> {
    let mut l = Ledger::init(MemStore::default(), synth::charter(), &key(3), START).unwrap();
    synth::extend(&mut l, count).unwrap();
    l
}

/// Appends `n` clause proposals by the mediator (ids `<tag>0`, `<tag>1`...).
fn grow(l: &mut Ledger<MemStore>, n: u64, tag: &str) {
    for i in 0..n {
        let time = synth::time_of(l.last_seq().unwrap() + 1);
        l.append(
            &key(3),
            time,
            time,
            Event::ClauseProposed {
                id: accord_core::ClauseId::new(format!("{tag}{i}")).unwrap(),
                title: "Grown".into(),
                text: format!("Clause {tag}{i}."),
            },
        )
        .unwrap();
    }
}

fn pid(s: &str) -> PartyId {
    PartyId::new(s).unwrap()
}

/// Rotates party `index`'s key (synth key `index`) to synth key `seed`.
fn rotate(l: &mut Ledger<MemStore>, index: usize, seed: usize) {
    let new_key = key(seed);
    let time = synth::time_of(l.last_seq().unwrap() + 1);
    let public = accord_core::crypto::public_key(&new_key);
    let ledger = l.entry(0).unwrap().hash;
    let party = pid(synth::PARTIES[index].0);
    let message = accord_core::crypto::possession_message(&ledger, &party, &public).unwrap();
    l.append(
        &key(index),
        time,
        time,
        Event::KeyRotated {
            new_key: public,
            proof: accord_core::crypto::sign(&new_key, &message),
        },
    )
    .unwrap();
}

fn judge(l: &Ledger<MemStore>, note: &Note, policy: &Policy) -> Result<usize, CheckpointError> {
    let state = l.replay().unwrap();
    let m = l.match_checkpoint(note, state.charter(), state.keyring())?;
    Ok(cosigners(
        note,
        &m.checkpoint,
        state.charter(),
        state.keyring(),
        policy,
    )?
    .len())
}

#[test]
fn recomputed_roots_and_key_commitments_agree_with_the_derived_tree_at_every_size() {
    let mut l = synthetic(40);
    rotate(&mut l, 0, 20);
    grow(&mut l, 5, "G");
    let size = l.last_seq().unwrap() + 1;
    let sizes: Vec<u64> = (1..=size).collect();
    let heads = l.tree_heads(&sizes).unwrap();
    for h in heads {
        assert_eq!(h.root, l.tree_root(h.size).unwrap(), "root at {}", h.size);
        assert_eq!(
            h.keys,
            l.key_commitment(h.size).unwrap(),
            "keys at {}",
            h.size
        );
    }
    assert!(l.tree_heads(&[size + 1]).is_err());
}

#[test]
fn a_signature_is_judged_with_the_signers_key_at_the_checkpoints_size() {
    let mut l = synthetic(10);
    let (before, tr) = l.checkpoint(&key(0)).unwrap();
    assert_eq!(tr, pid("tr"));
    rotate(&mut l, 0, 20);
    // The old checkpoint still verifies with tr's key at its size.
    let policy = Policy {
        witnesses: vec![pid("ru")],
        quorum: 1,
    };
    let mut cosigned = before.clone();
    cosigned.cosign("ru", &key(1), START).unwrap();
    assert_eq!(judge(&l, &cosigned, &policy).unwrap(), 1);
    // The old key no longer signs checkpoints; the new one does.
    assert!(matches!(
        l.checkpoint(&key(0)),
        Err(CheckpointError::NotAParty)
    ));
    let (after, _) = l.checkpoint(&key(20)).unwrap();
    // A note made at the new size but signed with the old key is unsigned.
    let mut forged = Note::new(after.text()).unwrap();
    forged.sign("tr", &key(0)).unwrap();
    forged.cosign("ru", &key(1), START).unwrap();
    assert!(matches!(
        judge(&l, &forged, &policy),
        Err(CheckpointError::Unsigned { .. })
    ));
}

#[test]
fn a_witness_cosigns_growth_across_its_own_rotation_and_refuses_a_rollback() {
    let dir = tempfile::tempdir().unwrap();
    let state = WitnessState::open(dir.path()).unwrap();
    let mut l = synthetic(10);
    let (first, _) = l.checkpoint(&key(3)).unwrap();
    let (first_ru, w) = cosign(&mut l, &first, &key(1), &state, START, || {}).unwrap();
    assert_eq!((w.party.as_str(), w.previous), ("ru", None));
    grow(&mut l, 7, "G");
    rotate(&mut l, 1, 21);
    let (second, _) = l.checkpoint(&key(3)).unwrap();
    // The old key is no longer ru's: it cannot witness.
    assert!(matches!(
        cosign(&mut l, &second, &key(1), &state, START, || {}),
        Err(WitnessError::NotAParty)
    ));
    let (second_ru, w) = cosign(&mut l, &second, &key(21), &state, START + 1, || {}).unwrap();
    assert_eq!(w.previous, Some(first_size(&first)));
    let policy = Policy {
        witnesses: vec![pid("ru")],
        quorum: 1,
    };
    assert_eq!(judge(&l, &first_ru, &policy).unwrap(), 1);
    assert_eq!(judge(&l, &second_ru, &policy).unwrap(), 1);
    assert!(matches!(
        cosign(&mut l, &first, &key(21), &state, START + 2, || {}),
        Err(WitnessError::Older { .. })
    ));
}

fn first_size(note: &Note) -> u64 {
    Checkpoint::parse_body(note.text()).unwrap().size
}

#[test]
fn a_witness_refuses_a_fork_from_its_own_copy_and_never_persists_a_refusal() {
    let dir = tempfile::tempdir().unwrap();
    let state = WitnessState::open(dir.path()).unwrap();
    let mut real = synthetic(12);
    // The same charter and founder: the same ledger id, another history.
    let mut fork = Ledger::init(MemStore::default(), synth::charter(), &key(3), START).unwrap();
    synth::extend(&mut fork, 3).unwrap();
    rotate(&mut fork, 2, 22);
    grow(&mut fork, 20, "F");
    let (real_cp, _) = real.checkpoint(&key(3)).unwrap();
    let (fork_cp, _) = fork.checkpoint(&key(3)).unwrap();
    assert_eq!(
        Checkpoint::parse_body(real_cp.text()).unwrap().ledger,
        Checkpoint::parse_body(fork_cp.text()).unwrap().ledger
    );
    cosign(&mut real, &real_cp, &key(0), &state, START, || {}).unwrap();
    // Shown the fork with the fork as its copy, the witness refuses.
    let refused = cosign(&mut fork, &fork_cp, &key(0), &state, START, || {
        panic!("a refused checkpoint must not be remembered")
    });
    assert!(
        matches!(refused, Err(WitnessError::Inconsistent { size: 13, .. })),
        "{refused:?}"
    );
    let real_checkpoint = Checkpoint::parse_body(real_cp.text()).unwrap();
    assert_eq!(
        state.last(&pid("tr"), &real_checkpoint.ledger).unwrap(),
        Some(real_checkpoint),
        "the witness still remembers the real checkpoint"
    );
    // Shown the fork with the real ledger as its copy: no match at all.
    assert!(matches!(
        cosign(&mut real, &fork_cp, &key(0), &state, START, || {}),
        Err(WitnessError::Checkpoint(
            CheckpointError::Ahead { .. } | CheckpointError::Root { .. }
        ))
    ));
    // The fork's key history differs too (ir rotated in it).
    let real_size = Checkpoint::parse_body(real_cp.text()).unwrap().size;
    assert_ne!(
        real.key_commitment(real_size).unwrap(),
        fork.key_commitment(real_size).unwrap()
    );
}
