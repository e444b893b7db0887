//! Every synthetic workload gives a ledger that verifies, whose derived
//! data matches a recomputation, and whose open view as of a checkpointed
//! point matches a full replay to that point; and projection checkpoints
//! grow with what changed, not with what is live.

use accord_core::projection;
use accord_ledger::synth::{self, Workload};
use accord_ledger::Ledger;
use accord_store::MemStore;

fn build(w: Workload, n: u64) -> Ledger<MemStore> {
    let mut l = Ledger::init(
        MemStore::default(),
        w.charter(),
        &synth::key(3),
        synth::START,
    )
    .unwrap_or_else(|e| panic!("{}: founding: {e}", w.name()))
    .with_checkpoints_every(64);
    synth::extend_workload(&mut l, w, n).unwrap_or_else(|e| panic!("{}: {e}", w.name()));
    l
}

fn check(w: Workload, n: u64) {
    let mut l = build(w, n);
    let report = l.verify();
    assert!(
        report.failure.is_none(),
        "{}: {:?}",
        w.name(),
        report.failure
    );
    assert_eq!(report.verified, n + 1, "{}", w.name());
    let (_, differences) = l.check_derived().unwrap();
    assert!(differences.is_empty(), "{}: {differences:?}", w.name());
    // The open view now and as of an earlier point.
    let now = l.open_state().unwrap();
    let full = l.replay().unwrap();
    let t = synth::time_of(n + 1);
    assert_eq!(
        projection::open_view(projection::obligations(&now, t)),
        projection::open_view(projection::obligations(&full, t)),
        "{}",
        w.name()
    );
    // As of points spread over the ledger (most past a delta checkpoint),
    // from checkpoints and from a full replay.
    for at in [n / 3, n / 2 + 5, n - 1] {
        let from = l
            .open_state_from_checkpoint(at)
            .unwrap()
            .unwrap_or_else(|| panic!("{}: no usable checkpoint at {at}", w.name()));
        let replayed = l.state_at(at).unwrap();
        assert_eq!(
            projection::open_view(projection::obligations(&from, t)),
            projection::open_view(projection::obligations(&replayed, t)),
            "{} at {at}",
            w.name()
        );
    }
}

#[test]
fn default_workload_verifies() {
    check(Workload::Default, 2_000);
}
#[test]
fn commitments_workload_verifies() {
    check(Workload::Commitments, 2_000);
}
#[test]
fn allegations_workload_verifies() {
    check(Workload::Allegations, 2_000);
}
#[test]
fn clauses_workload_verifies() {
    check(Workload::Clauses, 2_000);
}
#[test]
fn parties_workload_verifies() {
    check(Workload::Parties, 2_000);
}
#[test]
fn long_texts_workload_verifies() {
    check(Workload::LongTexts, 300);
}
#[test]
fn rotations_workload_verifies() {
    // Rotations every 3,000 entries: 7,000 entries rotate twice.
    check(Workload::Rotations, 7_000);
}
#[test]
fn realistic_workload_verifies() {
    check(Workload::Realistic, 2_000);
}

#[test]
fn workloads_have_their_shape() {
    let count_any = |w: Workload, kinds: &[&str], n: u64| {
        let l = build(w, n);
        (1..=n)
            .filter(|s| kinds.contains(&l.entry(*s).unwrap().entry.body.event.kind()))
            .count()
    };
    let count = |w: Workload, kind: &str, n: u64| count_any(w, &[kind], n);
    let made = ["commitment-made", "commitment-undertaken"];
    // A commitment per 10 entries; about 6,300 per 100,000 in the realistic mix.
    let c = count_any(Workload::Commitments, &made, 4_000);
    assert!((300..500).contains(&c), "commitments: {c} of 4,000");
    let c = count_any(Workload::Realistic, &made, 4_000);
    assert!(
        (180..330).contains(&c),
        "realistic: {c} commitments of 4,000"
    );
    // Commitments over time in realistic shares: progress reports and
    // attestations about 15 per 1,000 entries each, reschedules agreed.
    for (kind, min) in [
        ("commitment-undertaken", 10),
        ("commitment-progressed", 30),
        ("commitment-attested", 30),
        ("commitment-reschedule-endorsed", 6),
    ] {
        let c = count(Workload::Realistic, kind, 4_000);
        assert!(c >= min, "realistic: {c} {kind} of 4,000");
    }
    assert_eq!(count(Workload::Rotations, "key-rotated", 7_000), 2);
    // A charter amendment every 10,000 entries, adopted by the three
    // guarantors in the next entries.
    let l = build(Workload::Realistic, 10_004);
    let renamed = l.replay().unwrap().charter().parties[5].name.clone();
    assert!(renamed.contains("amendment"), "{renamed}");
    assert_eq!(Workload::Parties.charter().parties.len(), 256);
    let l = build(Workload::LongTexts, 300);
    let long = (1..=300u64)
        .filter(|s| l.entry(*s).unwrap().bytes.len() > 60_000)
        .count();
    assert!(
        long >= 3,
        "long-texts: {long} entries over 60,000 bytes of 300"
    );
}

/// Bytes stored under `prefix` in the derived data.
fn derived_bytes(l: &Ledger<MemStore>, prefix: &[u8]) -> usize {
    use accord_store::Store;
    l.store()
        .derived_scan(prefix)
        .map(|kv| {
            let (k, v) = kv.unwrap();
            k.len() + v.len()
        })
        .sum()
}

#[test]
fn checkpoints_grow_with_changes_not_with_live_items() {
    // Commitments stay live: a checkpoint that copied every live record
    // each time would total about live × entries / interval bytes (here
    // about 9 × the entries' bytes); deltas keep it near the records
    // changed.
    let mut l = Ledger::init(
        MemStore::default(),
        Workload::Commitments.charter(),
        &synth::key(3),
        synth::START,
    )
    .unwrap()
    .with_checkpoints_every(16);
    synth::extend_workload(&mut l, Workload::Commitments, 4_000).unwrap();
    let entries: usize = (0..=4_000u64)
        .map(|s| l.entry(s).unwrap().bytes.len())
        .sum();
    // Each checkpoint also holds the chain (charter, keyring, the last 256
    // entry hashes): a constant per checkpoint, about the `chain` snapshot.
    let chain = derived_bytes(&l, b"chain") * (4_000 / 16 + 1);
    let checkpoints =
        derived_bytes(&l, b"checkpoint/") - chain.min(derived_bytes(&l, b"checkpoint/"));
    assert!(
        checkpoints < 2 * entries,
        "checkpoints hold {checkpoints} bytes beyond their chains for {entries} bytes of entries"
    );
    // And a rebuild writes the same checkpoints as the appends did.
    let (_, differences) = l.check_derived().unwrap();
    assert!(differences.is_empty(), "{differences:?}");
}
