//! Mirrors and the live checkpoint at the library level: a replica on disk
//! follows a "server" that is a synthetic ledger in memory, through a
//! `Source` that hands over its bytes. The live checkpoint equals the one
//! `Ledger::checkpoint` signs at every size; cosignatures are merged only
//! from witnesses and only on the current body, and survive a restart
//! through the file; a replica catches up in batches, refuses a fork at
//! any point with a proof `accord_core::fork::check` accepts, and refuses
//! a rollback, appending nothing either time.

use accord_core::fork::{self, ForkKind};
use accord_core::note::Note;
use accord_core::{Event, LedgerId};
use accord_ledger::live::{LiveCheckpoint, LiveError};
use accord_ledger::mirror::{Mirror, MirrorError, Source};
use accord_ledger::synth::{self, key, START};
use accord_ledger::witness::{cosign, WitnessState};
use accord_ledger::{Backend, Ledger};
use accord_store::MemStore;
use proptest::prelude::*;

fn synthetic(count: u64) -> Ledger<MemStore> {
    let mut l = Ledger::init(MemStore::default(), synth::charter(), &key(3), START).unwrap();
    synth::extend(&mut l, count).unwrap();
    l
}

/// Appends `n` clause proposals by the mediator (ids `<tag>0`...).
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

/// A server over an in-memory ledger, signing with party 0's key (tr).
struct Served {
    ledger: Ledger<MemStore>,
    /// Most entries one `entries` call answers.
    batch: usize,
    /// Answer this many `entries` calls, then fail.
    entry_calls: Option<usize>,
}

impl Served {
    fn new(ledger: Ledger<MemStore>) -> Served {
        Served {
            ledger,
            batch: 7,
            entry_calls: None,
        }
    }
}

impl Source for Served {
    fn checkpoint(&mut self) -> Result<Vec<u8>, String> {
        let (note, _) = self.ledger.checkpoint(&key(0)).map_err(|e| e.to_string())?;
        Ok(note.format().into_bytes())
    }
    fn entries(&mut self, from: u64) -> Result<Vec<Vec<u8>>, String> {
        if let Some(n) = &mut self.entry_calls {
            if *n == 0 {
                return Err("the server went away".into());
            }
            *n -= 1;
        }
        Ok(self
            .ledger
            .entries(from)
            .take(self.batch)
            .map(|e| e.unwrap().bytes)
            .collect())
    }
    fn entry(&mut self, seq: u64) -> Result<Vec<u8>, String> {
        self.ledger
            .entry(seq)
            .map(|e| e.bytes)
            .map_err(|e| e.to_string())
    }
    fn inclusion(&mut self, seq: u64, size: u64) -> Result<Vec<u8>, String> {
        let v = self
            .ledger
            .inclusion_json(seq, size)
            .map_err(|e| e.to_string())?;
        Ok(v.to_string().into_bytes())
    }
    fn consistency(&mut self, old: u64, new: u64) -> Result<Vec<u8>, String> {
        let v = self
            .ledger
            .consistency_json(old, new)
            .map_err(|e| e.to_string())?;
        Ok(v.to_string().into_bytes())
    }
}

fn genesis(l: &Ledger<MemStore>) -> Vec<u8> {
    l.entry(0).unwrap().bytes
}

fn replica(dir: &std::path::Path, server: &Served) -> Mirror {
    Mirror::create(
        &dir.join("rep"),
        Backend::Redb,
        "http://test",
        genesis(&server.ledger),
        None,
    )
    .unwrap()
}

fn hashes(m: &mut Mirror) -> Vec<String> {
    m.ledger_mut()
        .entries(0)
        .map(|e| e.unwrap().hash.to_hex())
        .collect()
}

#[test]
fn the_live_checkpoint_is_the_ledgers_at_every_size() {
    let mut l = synthetic(30);
    let mut live = LiveCheckpoint::start(&mut l, key(0), None).unwrap();
    for _ in 0..5 {
        let served = live.current(&mut l).unwrap();
        let (signed, _) = l.checkpoint(&key(0)).unwrap();
        assert_eq!(served, signed);
        let tag = format!("L{}", l.last_seq().unwrap());
        grow(&mut l, 3, &tag);
    }
    // A key that is no party's signs nothing.
    assert!(matches!(
        LiveCheckpoint::start(&mut l, key(42), None),
        Err(LiveError::NotAParty { .. })
    ));
}

#[test]
fn cosignatures_are_merged_only_from_witnesses_on_the_current_body_and_survive_a_restart() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("served.cp");
    let mut l = synthetic(20);
    let mut live = LiveCheckpoint::start(&mut l, key(0), Some(file.clone())).unwrap();
    let note = live.current(&mut l).unwrap();
    let cosigned_by = |i: usize, l: &mut Ledger<MemStore>, note: &Note| {
        let state = WitnessState::open(&dir.path().join(format!("w{i}"))).unwrap();
        cosign(l, note, &key(i), &state, START + 1, || {})
            .unwrap()
            .0
    };
    // ru (1) is a guarantor, a witness; un (3) is not.
    let by_ru = cosigned_by(1, &mut l, &note);
    let by_un = cosigned_by(3, &mut l, &note);
    assert!(matches!(
        live.add_cosignature(&mut l, &by_un),
        Err(LiveError::Refused(_))
    ));
    let merged = live.add_cosignature(&mut l, &by_ru).unwrap();
    assert_eq!(merged.witnesses.len(), 1);
    assert_eq!(merged.note.signatures().len(), 2);
    assert_eq!(
        std::fs::read_to_string(&file).unwrap(),
        merged.note.format()
    );

    // Restarted on the same head: the cosignature is kept.
    let mut again = LiveCheckpoint::start(&mut l, key(0), Some(file.clone())).unwrap();
    assert_eq!(again.current(&mut l).unwrap(), merged.note);

    // After a new entry, the old cosigned note is stale.
    grow(&mut l, 1, "S");
    assert!(matches!(
        again.add_cosignature(&mut l, &by_ru),
        Err(LiveError::Stale { size: 22, .. })
    ));
}

#[test]
fn a_replica_catches_up_in_batches_and_resumes_after_a_cut() {
    let dir = tempfile::tempdir().unwrap();
    let mut server = Served::new(synthetic(40));
    server.entry_calls = Some(3);
    let mut m = replica(dir.path(), &server);
    let cut = m.update(&mut server, START + 1_000_000_000);
    assert!(matches!(cut, Err(MirrorError::Source(_))), "{cut:?}");
    assert_eq!(m.ledger_mut().tree_size().unwrap(), 1 + 3 * 7);
    assert!(m.state().checkpoint.is_none());

    server.entry_calls = None;
    drop(m);
    let mut m = Mirror::open(&dir.path().join("rep"), None).unwrap();
    let done = m.update(&mut server, START + 1_000_000_000).unwrap();
    assert_eq!((done.from, done.to), (22, 41));
    assert!(m.ledger_mut().verify().ok());
    assert!(m.state().checkpoint.is_some());
}

#[test]
fn a_pinned_ledger_id_that_differs_writes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let server = Served::new(synthetic(2));
    let other: LedgerId = accord_core::EntryHash([7; 32]);
    let e = Mirror::create(
        &dir.path().join("rep"),
        Backend::Redb,
        "http://test",
        genesis(&server.ledger),
        Some(other),
    );
    assert!(matches!(e, Err(MirrorError::NotPinned { .. })));
    assert!(!dir.path().join("rep").exists());
}

#[test]
fn a_rollback_is_refused_and_changes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let old = synthetic(10);
    let mut newer = old.store().clone();
    let mut newer = {
        let l = Ledger::from_store(std::mem::take(&mut newer));
        Served::new(l)
    };
    grow(&mut newer.ledger, 3, "N");
    let mut m = replica(dir.path(), &newer);
    m.update(&mut newer, START + 1_000_000_000).unwrap();
    let before = hashes(&mut m);
    let e = m.update(&mut Served::new(old), START + 1_000_000_000);
    let Err(MirrorError::Fork(proof)) = e else {
        panic!("{e:?}")
    };
    assert_eq!(proof.kind, ForkKind::Rollback);
    // Kept as a record; two checkpoints without times prove nothing.
    assert!(matches!(
        fork::check(&proof),
        Err(fork::ForkError::RollbackUnprovable { ours: 14, .. })
    ));
    assert_eq!(hashes(&mut m), before);
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 6, ..ProptestConfig::default() })]

    /// Two histories sharing `shared` entries; the replica accepted one at
    /// `ours` entries, the server shows the other at `theirs`: refused,
    /// nothing appended, and the proof names the first entry that differs.
    #[test]
    fn a_fork_anywhere_is_refused_with_a_proof_that_checks(
        shared in 2u64..12, ours in 1u64..6, theirs in 1u64..8,
    ) {
        let dir = tempfile::tempdir().unwrap();
        let base = synthetic(shared - 1);
        let mut a = Served::new(Ledger::from_store(base.store().clone()));
        let mut b = Served::new(Ledger::from_store(base.store().clone()));
        grow(&mut a.ledger, ours, "ForkA");
        grow(&mut b.ledger, theirs, "ForkB");
        let mut m = replica(dir.path(), &a);
        m.update(&mut a, START + 1_000_000_000).unwrap();
        let before = hashes(&mut m);
        let e = m.update(&mut b, START + 1_000_000_000);
        let Err(MirrorError::Fork(proof)) = e else { panic!("{e:?}") };
        prop_assert_eq!(proof.kind, ForkKind::Fork);
        let verdict = fork::check(&proof).unwrap();
        prop_assert_eq!(verdict.seq, Some(shared));
        // The mediator signed both versions as its next entry.
        prop_assert!(verdict.equivocation.is_some());
        prop_assert!(verdict.entries_signed);
        prop_assert_eq!(hashes(&mut m), before);
        // Tampered: the two entries swapped is no longer a proof.
        let mut bad = (*proof).clone();
        if let Some(pair) = &mut bad.entries {
            std::mem::swap(&mut pair.ours, &mut pair.theirs);
        }
        prop_assert!(fork::check(&bad).is_err());
    }
}

/// A server whose checkpoint and proofs are of one history and whose
/// entries are of another.
struct Split {
    tree: Served,
    entries: Served,
}

impl Source for Split {
    fn checkpoint(&mut self) -> Result<Vec<u8>, String> {
        self.tree.checkpoint()
    }
    fn entries(&mut self, from: u64) -> Result<Vec<Vec<u8>>, String> {
        self.entries.entries(from)
    }
    fn entry(&mut self, seq: u64) -> Result<Vec<u8>, String> {
        self.entries.entry(seq)
    }
    fn inclusion(&mut self, seq: u64, size: u64) -> Result<Vec<u8>, String> {
        self.tree.inclusion(seq, size)
    }
    fn consistency(&mut self, old: u64, new: u64) -> Result<Vec<u8>, String> {
        self.tree.consistency(old, new)
    }
}

#[test]
fn entries_that_are_not_in_the_signed_tree_are_never_appended() {
    let dir = tempfile::tempdir().unwrap();
    let base = synthetic(10);
    let mut start = Served::new(Ledger::from_store(base.store().clone()));
    let mut m = replica(dir.path(), &start);
    m.update(&mut start, START + 1_000_000_000).unwrap();
    let before = hashes(&mut m);
    let mut tree = Served::new(Ledger::from_store(base.store().clone()));
    let mut other = Served::new(Ledger::from_store(base.store().clone()));
    grow(&mut tree.ledger, 20, "T");
    grow(&mut other.ledger, 20, "O");
    let mut split = Split {
        tree,
        entries: other,
    };
    let e = m.update(&mut split, START + 1_000_000_000);
    let Err(MirrorError::Fork(proof)) = e else {
        panic!("{e:?}")
    };
    assert_eq!(proof.kind, ForkKind::Inconsistent);
    assert!(proof.note.contains("split view"), "{}", proof.note);
    assert_eq!(hashes(&mut m), before);
}

#[test]
fn the_scratch_of_a_create_that_crashed_is_removed() {
    let dir = tempfile::tempdir().unwrap();
    let left = dir.path().join(".rep.mirroring-1");
    drop(Ledger::create(&left, Backend::Redb, synth::charter(), &key(3), START).unwrap());
    let server = Served::new(synthetic(2));
    replica(dir.path(), &server);
    assert!(!left.exists());
    assert!(dir.path().join("rep").exists());
}
