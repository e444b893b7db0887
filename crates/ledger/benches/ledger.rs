//! `make bench`: the raw primitives and accord's core paths, measured in the
//! same run so that docs/BENCHMARKS.md can report ratios.
//!
//! ACCORD_BENCH_ENTRIES sets the size of the verified ledger (default
//! 100,000; CI's smoke run uses 1,000).

use std::hint::black_box;
use std::time::Duration;

use accord_core::crypto::{self, public_key};
use accord_core::entry::hash_entry_bytes;
use accord_core::{ClauseId, Event, Sealed};
use accord_ledger::synth::{self, key, START};
use accord_ledger::{Backend, DiskStore, Ledger};
use criterion::{criterion_group, criterion_main, Criterion, Throughput};
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
    let mut l = Ledger::init(
        accord_ledger::MemStore::default(),
        synth::charter(),
        &key(3),
        START,
    )
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

fn accord_paths(c: &mut Criterion) {
    let n = entries();
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("ledger");
    let mut ledger = Ledger::create(&path, Backend::Redb, synth::charter(), &key(3), START)
        .expect("create ledger");
    synth::extend(&mut ledger, n).expect("synthetic ledger");
    let entry = sample_entry();

    let mut g = c.benchmark_group("accord");
    g.throughput(Throughput::Elements(1));
    g.bench_function("decode_and_hash_entry", |b| {
        b.iter(|| {
            let e = Sealed::from_bytes(black_box(entry.bytes.clone())).expect("decode");
            hash_entry_bytes(&e.bytes)
        })
    });
    let mut i = 0u64;
    let signer = key(1);
    let time = synth::time_of(n + 1);
    g.bench_function(format!("append_durable_on_{n}"), |b| {
        b.iter(|| {
            i += 1;
            let event = Event::ClauseProposed {
                id: ClauseId::new(format!("B{i}")).expect("id"),
                title: "Benchmark clause".into(),
                text: "The parties shall report every alleged violation within 24 hours.".into(),
            };
            ledger.append(&signer, time, time, event).expect("append")
        })
    });
    g.finish();

    let mut g = c.benchmark_group("accord_verify");
    g.sample_size(10);
    g.measurement_time(Duration::from_secs(20));
    let total = ledger.last_seq().expect("head") + 1;
    g.throughput(Throughput::Elements(total));
    g.bench_function(format!("verify_{n}"), |b| {
        b.iter(|| {
            let r = ledger.verify();
            assert!(r.ok(), "{r:?}");
        })
    });
    g.finish();
    drop(ledger);
    let _reopen: Ledger<DiskStore> = Ledger::open(&path).expect("reopen");
}

criterion_group!(benches, primitives, accord_paths);
criterion_main!(benches);
