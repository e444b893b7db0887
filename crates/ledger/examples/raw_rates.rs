//! Part of `make bench` (scripts/bench-e2e.py): the raw primitives that the
//! end-to-end figures are divided by, measured in the same run. Prints one
//! JSON object: ed25519 `verify_strict` per second on one thread and on
//! every core, of messages the size of a typical entry's signed bytes.

use std::time::{Duration, Instant};

use accord_core::crypto::{self, Signature};
use accord_ledger::synth::key;
use ed25519_dalek::VerifyingKey;

const MESSAGES: usize = 4096;

/// Signature checks per second over `for_at_least`, split over `threads`.
fn rate(vk: &VerifyingKey, signed: &[(Vec<u8>, Signature)], threads: usize) -> f64 {
    let for_at_least = Duration::from_secs(3);
    let start = Instant::now();
    let mut done = 0usize;
    while start.elapsed() < for_at_least {
        std::thread::scope(|s| {
            for part in signed.chunks(signed.len().div_ceil(threads)) {
                s.spawn(move || {
                    for (m, sig) in part {
                        assert!(crypto::verify_with(vk, m, sig), "a good signature failed");
                    }
                });
            }
        });
        done += signed.len();
    }
    done as f64 / start.elapsed().as_secs_f64()
}

fn main() {
    let signer = key(0);
    let vk = signer.verifying_key();
    let signed: Vec<(Vec<u8>, Signature)> = (0..MESSAGES)
        .map(|i| {
            let m = format!("{i:0>300}").into_bytes();
            let s = crypto::sign(&signer, &m);
            (m, s)
        })
        .collect();
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get());
    let one = rate(&vk, &signed, 1);
    let all = rate(&vk, &signed, threads);
    println!(
        "{{\"threads\": {threads}, \"verify_strict_per_s_1\": {one:.0}, \"verify_strict_per_s_all\": {all:.0}}}"
    );
}
