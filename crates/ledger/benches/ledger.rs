//! `make bench`: the raw primitives and accord's core paths, measured in the
//! same run so that docs/BENCHMARKS.md can report ratios.
//!
//! ACCORD_BENCH_ENTRIES sets n (default 100,000; CI's smoke run uses 1,000):
//! the core paths run on a synthetic ledger of seq 0 to n, built once and
//! never appended to. `verify_{n}` verifies exactly that ledger; the durable
//! appends run on copies of it that are replaced before they grow by more
//! than 1% (`append_durable_{n}_to_{n + n/100}`). Each bench asserts its
//! ledger's last seq before and while it measures.

use std::hint::black_box;
use std::path::Path;
use std::time::{Duration, Instant};

use accord_core::crypto::{self, public_key};
use accord_core::{ClauseId, Event, Sealed};
use accord_ledger::synth::{self, key, START};
use accord_ledger::{Backend, Ledger};
use accord_store::{DiskStore, MemStore};
use criterion::{criterion_group, criterion_main, BatchSize, Criterion, Throughput};
use sha2::{Digest, Sha256};

/// Signatures per iteration of the multi-core verify_strict benchmark.
const PARALLEL_SIGS: usize = 4096;

fn entries() -> u64 {
    std::env::var("ACCORD_BENCH_ENTRIES")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(100_000)
}

/// A typical entry: a clause proposal from the synthetic workload.
fn sample_entry() -> Sealed {
    let mut l = Ledger::init(MemStore::default(), synth::charter(), &key(3), START)
        .expect("founding an in-memory ledger");
    synth::extend(&mut l, 1).expect("one synthetic entry");
    l.entry(1).expect("entry 1")
}

fn primitives(c: &mut Criterion) {
    let entry = sample_entry();
    let message = entry.signing_input();
    let signer = key(0);
    let pk = public_key(&signer);
    let sig = crypto::sign(&signer, &message);
    let mut g = c.benchmark_group("primitive");
    g.throughput(Throughput::Elements(1));
    g.bench_function("ed25519_sign", |b| {
        b.iter(|| crypto::sign(&signer, black_box(&message)))
    });
    g.bench_function("ed25519_verify_strict", |b| {
        b.iter(|| assert!(crypto::verify(&pk, black_box(&message), &sig)))
    });
    // The same check on every core, as verify runs it: the raw rate that
    // verify's ratio is taken against.
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get());
    let many: Vec<(Vec<u8>, crypto::Signature)> = (0..PARALLEL_SIGS)
        .map(|i| {
            let mut m = message.clone();
            m.extend_from_slice(&(i as u64).to_le_bytes());
            let s = crypto::sign(&signer, &m);
            (m, s)
        })
        .collect();
    let vk = pk.verifying_key().expect("key");
    g.throughput(Throughput::Elements(PARALLEL_SIGS as u64));
    g.bench_function(format!("ed25519_verify_strict_{threads}_threads"), |b| {
        b.iter(|| {
            std::thread::scope(|s| {
                for part in many.chunks(PARALLEL_SIGS.div_ceil(threads)) {
                    let vk = &vk;
                    s.spawn(move || {
                        for (m, sig) in part {
                            assert!(crypto::verify_with(vk, m, sig));
                        }
                    });
                }
            })
        })
    });
    // Batch verification, one core, 256 at a time, and the check that
    // would make it exact (a subgroup check of each R): see
    // crates/core/tests/strict_vs_batch.rs.
    let sigs: Vec<ed25519_dalek::Signature> = many
        .iter()
        .take(256)
        .map(|(_, s)| ed25519_dalek::Signature::from_bytes(&s.to_bytes()))
        .collect();
    let messages: Vec<&[u8]> = many.iter().take(256).map(|(m, _)| m.as_slice()).collect();
    let keys = vec![vk; 256];
    g.throughput(Throughput::Elements(256));
    g.bench_function("ed25519_verify_batch_256", |b| {
        b.iter(|| ed25519_dalek::verify_batch(&messages, &sigs, &keys).expect("batch"))
    });
    g.throughput(Throughput::Elements(1));
    let r = curve25519_dalek::edwards::CompressedEdwardsY(sig.r)
        .decompress()
        .expect("R");
    g.bench_function("edwards_is_torsion_free", |b| {
        b.iter(|| assert!(black_box(r).is_torsion_free()))
    });
    g.bench_function("sha256_entry", |b| {
        b.iter(|| Sha256::digest(black_box(&entry.bytes)))
    });
    let dir = tempfile::tempdir().expect("tempdir");
    let db = sled::open(dir.path().join("raw")).expect("sled");
    let mut n = 0u64;
    g.bench_function("sled_insert_flush", |b| {
        b.iter(|| {
            n += 1;
            db.insert(n.to_be_bytes(), entry.bytes.as_slice())
                .expect("insert");
            db.flush().expect("flush");
        })
    });
    let log = std::fs::File::open(dir.path().join("raw").join("db")).expect("sled log");
    g.bench_function("sled_insert_flush_fsync", |b| {
        b.iter(|| {
            n += 1;
            db.insert(n.to_be_bytes(), entry.bytes.as_slice())
                .expect("insert");
            db.flush().expect("flush");
            log.sync_all().expect("fsync");
        })
    });
    let mut file = std::fs::File::create(dir.path().join("plain")).expect("file");
    g.bench_function("file_append_fdatasync", |b| {
        b.iter(|| {
            use std::io::Write;
            file.write_all(&entry.bytes).expect("write");
            file.sync_data().expect("fdatasync");
        })
    });
    let redb_db = redb::Database::create(dir.path().join("raw.redb")).expect("redb");
    const RAW: redb::TableDefinition<u64, &[u8]> = redb::TableDefinition::new("raw");
    g.bench_function("redb_insert_commit", |b| {
        b.iter(|| {
            n += 1;
            let tx = redb_db.begin_write().expect("begin");
            {
                let mut t = tx.open_table(RAW).expect("table");
                t.insert(n, entry.bytes.as_slice()).expect("insert");
            }
            tx.commit().expect("commit");
        })
    });
    g.bench_function("sled_insert", |b| {
        b.iter(|| {
            n += 1;
            db.insert(n.to_be_bytes(), entry.bytes.as_slice())
                .expect("insert");
        })
    });
    g.finish();
    println!("sample entry: {} bytes", entry.bytes.len());
}

/// Copies ledger directory `from` to a new directory `to`, file by file,
/// and syncs the copies: a copy left dirty in the page cache would be
/// written out by the first append's fsync and charged to it.
fn copy_ledger(from: &Path, to: &Path) {
    std::fs::create_dir(to).expect("work directory");
    for file in std::fs::read_dir(from).expect("template directory") {
        let file = file.expect("template entry");
        assert!(
            file.file_type().expect("file type").is_file(),
            "the template ledger holds only files: {:?}",
            file.path()
        );
        let copy = to.join(file.file_name());
        std::fs::copy(file.path(), &copy).expect("copy");
        std::fs::File::open(&copy)
            .and_then(|f| f.sync_all())
            .expect("sync copy");
    }
    std::fs::File::open(to)
        .and_then(|d| d.sync_all())
        .expect("sync directory");
}

/// A fresh copy of the template ledger at `work`, checked to end at seq `n`.
fn fresh_copy(template: &Path, work: &Path, n: u64) -> Ledger<DiskStore> {
    if work.exists() {
        std::fs::remove_dir_all(work).expect("remove the grown copy");
    }
    copy_ledger(template, work);
    let ledger = Ledger::open(work).expect("open the copy");
    assert_eq!(
        ledger.last_seq().expect("head"),
        n,
        "a fresh copy ends at seq n"
    );
    ledger
}

fn accord_paths(c: &mut Criterion) {
    let n = entries();
    let dir = tempfile::tempdir().expect("tempdir");
    // The n-entry ledger (seq 0 to n): built once, closed, never appended to.
    // verify runs on it; appends run on copies of it.
    let template = dir.path().join("template");
    {
        let mut ledger = Ledger::create(&template, Backend::Redb, synth::charter(), &key(3), START)
            .expect("create ledger");
        synth::extend(&mut ledger, n).expect("synthetic ledger");
        assert_eq!(ledger.last_seq().expect("head"), n);
    }
    let entry = sample_entry();

    let mut g = c.benchmark_group("accord");
    g.throughput(Throughput::Elements(1));
    // Exactly what verify and import do to each entry's bytes before the
    // signature check: one canonical decode (bincode, then the re-encoding
    // that proves the bytes canonical) and one entry hash. The copy of the
    // bytes that `from_bytes` takes ownership of is made outside the timing.
    g.bench_function("decode_and_hash_entry", |b| {
        b.iter_batched(
            || entry.bytes.clone(),
            |bytes| Sealed::from_bytes(black_box(bytes)).expect("decode"),
            BatchSize::SmallInput,
        )
    });

    // What the Merkle tree adds to verify and import for each entry: one
    // leaf hash and the pushes into the streaming root builder.
    let mut tree = accord_core::merkle::RootBuilder::new();
    g.bench_function("tree_leaf", |b| {
        b.iter(|| black_box(tree.push(black_box(&entry.bytes))))
    });

    // A durable append onto a ledger whose last seq is n to n+k-1: the copy
    // is replaced by a fresh copy of the n-entry template (outside the
    // timing) whenever it reaches seq n+k, so the figure is for a ledger
    // of n entries, give or take 1%.
    let k = (n / 100).max(1);
    let work = dir.path().join("work");
    let mut slot = Some(fresh_copy(&template, &work, n));
    let mut i = 0u64;
    let signer = key(1);
    let time = synth::time_of(n + 1);
    g.bench_function(format!("append_durable_{n}_to_{}", n + k), |b| {
        b.iter_custom(|iters| {
            let mut spent = Duration::ZERO;
            let mut left = iters;
            while left > 0 {
                let mut ledger = match slot.take() {
                    Some(l) if l.last_seq().expect("head") < n + k => l,
                    grown => {
                        drop(grown);
                        fresh_copy(&template, &work, n)
                    }
                };
                let seq = ledger.last_seq().expect("head");
                assert!((n..n + k).contains(&seq), "appending at seq {seq}");
                let run = left.min(n + k - seq);
                let start = Instant::now();
                for _ in 0..run {
                    i += 1;
                    let event = Event::ClauseProposed {
                        id: ClauseId::new(format!("B{i}")).expect("id"),
                        title: "Benchmark clause".into(),
                        text: "The parties shall report every alleged violation within 24 hours."
                            .into(),
                    };
                    black_box(ledger.append(&signer, time, time, event).expect("append"));
                }
                spent += start.elapsed();
                left -= run;
                slot = Some(ledger);
            }
            spent
        })
    });
    g.finish();
    let ledger = slot.expect("the work copy");
    let grown = ledger.last_seq().expect("head");
    assert!(
        (n..=n + k).contains(&grown),
        "the copy ended at seq {grown}"
    );
    drop(ledger);
    let reopened: Ledger<DiskStore> = Ledger::open(&work).expect("reopen");
    assert_eq!(reopened.last_seq().expect("head"), grown);
    drop(reopened);

    let mut g = c.benchmark_group("accord_verify");
    g.sample_size(10);
    g.measurement_time(Duration::from_secs(20));
    let ledger: Ledger<DiskStore> = Ledger::open(&template).expect("open the template");
    assert_eq!(
        ledger.last_seq().expect("head"),
        n,
        "verify's ledger ends at seq n"
    );
    g.throughput(Throughput::Elements(n + 1));
    g.bench_function(format!("verify_{n}"), |b| {
        b.iter(|| {
            let r = ledger.verify();
            assert!(r.ok(), "{r:?}");
            assert_eq!(r.verified, n + 1, "verify checked seq 0 to n");
        })
    });
    g.finish();
}

criterion_group!(benches, primitives, accord_paths);
criterion_main!(benches);
