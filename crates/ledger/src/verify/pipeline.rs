//! The replay's pipeline: the calling thread reads chunks of raw entries
//! from the store, workers (one per core) decode them and check their
//! signatures, and the calling thread hands each chunk, in order, to the
//! [`Admission`]. The store is only touched from the calling thread; this
//! module never applies a rule itself.

use std::collections::{BTreeMap, VecDeque};
use std::sync::{mpsc, Arc, Mutex};

use accord_core::{Sealed, State};
use accord_store::{RawEntry, Store, StoreError};

use super::admission::{Admission, Folded};
use super::keys::{Checked, KnownKeys};
use super::report::{Decoded, Failure};

/// What a replay must return besides the verdict.
#[derive(PartialEq, Eq)]
pub(crate) enum Keep {
    /// The full state, every item's record in memory (projections).
    AllRecords,
    /// Only the chain state: item records are spilled to scratch space.
    VerdictOnly,
}

/// Entries read, decoded and signature-checked together. Bounds memory:
/// at most two chunks (about half a megabyte) are in flight at once.
const CHUNK: usize = 512;

/// One entry as stored, before decoding.
type Raw = (u64, Result<RawEntry, StoreError>);

/// A part of a chunk handed to a worker: chunk number, part number, the
/// stored entries and the keys known when it was read.
type Job = (u64, usize, Vec<Raw>, Arc<KnownKeys>);
type Done = (u64, usize, Vec<Decoded>, Vec<Checked>);

/// A worker's share: decode the stored entries and check their signatures.
fn check_part(raw: Vec<Raw>, keys: &KnownKeys) -> (Vec<Decoded>, Vec<Checked>) {
    let decoded: Vec<Decoded> = raw.into_iter().map(|(n, item)| decode(n, item)).collect();
    let checked = decoded.iter().map(|e| keys.checked(e)).collect();
    (decoded, checked)
}

/// The replay, pipelined: this thread reads chunk k+1 from the store and
/// applies the rules, in order, to chunk k, while workers (one per core)
/// decode the chunks in flight and check their signatures. The store is
/// only touched from this thread.
pub(crate) fn fold_while<S: Store + ?Sized>(
    store: &S,
    take: impl FnMut(&Sealed) -> bool,
    visit: impl FnMut(&Sealed, &State),
    records: Keep,
) -> Folded {
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get());
    let mut scan = (0u64..).zip(store.scan(0)).peekable();
    // Keys learned in order, from the entries the admission has reached.
    let mut keys = Arc::new(KnownKeys::default());
    let mut admission = Admission::new(take, visit, records == Keep::VerdictOnly);
    // The charter's keys sign nearly every entry: learn them before any
    // chunk goes out, so that workers rarely meet a key they do not know.
    if let Some((_, Ok((0, bytes)))) = scan.peek() {
        if let Ok(charter) = Sealed::from_bytes(bytes.clone()) {
            Arc::make_mut(&mut keys).learn(&charter);
        }
    }
    let mut read_chunk = || -> Option<Vec<Raw>> {
        scan.peek()?;
        Some(scan.by_ref().take(CHUNK).collect())
    };
    let settle = |keys: &mut Arc<KnownKeys>, entries: &[Decoded], checked: Vec<Checked>| {
        entries
            .iter()
            .zip(checked)
            .map(|(entry, c)| {
                if let Ok(e) = entry {
                    if KnownKeys::puts_forward(e) {
                        Arc::make_mut(keys).learn(e);
                    }
                }
                match c {
                    Checked::UnknownKey => keys.checked(entry) == Checked::Good,
                    c => c == Checked::Good,
                }
            })
            .collect::<Vec<bool>>()
    };
    if threads < 2 {
        while let Some(chunk) = read_chunk() {
            let (entries, checked) = check_part(chunk, &keys);
            let signatures = settle(&mut keys, &entries, checked);
            if admission.apply(entries, signatures).is_break() {
                break;
            }
        }
        return admission.finish();
    }
    std::thread::scope(|scope| {
        let (job_tx, job_rx) = mpsc::sync_channel::<Job>(8 * threads);
        let job_rx = Arc::new(Mutex::new(job_rx));
        let (done_tx, done_rx) = mpsc::channel::<Done>();
        for _ in 0..threads {
            let job_rx = Arc::clone(&job_rx);
            let done_tx = done_tx.clone();
            scope.spawn(move || loop {
                let job = match job_rx.lock() {
                    Ok(rx) => rx.recv(),
                    Err(_) => return,
                };
                let Ok((chunk, part, raw, keys)) = job else {
                    return;
                };
                let seqs: Vec<u64> = raw.iter().map(|(n, _)| *n).collect();
                // A worker that fails must still answer for its part, or
                // the admitting thread would wait for it forever.
                let (entries, checked) =
                    std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                        check_part(raw, &keys)
                    }))
                    .unwrap_or_else(|_| {
                        seqs.iter()
                            .map(|&n| {
                                let failed =
                                    Failure::unchecked(n, "a signature-checking worker failed");
                                (Err(failed), Checked::Bad)
                            })
                            .unzip()
                    });
                if done_tx.send((chunk, part, entries, checked)).is_err() {
                    return;
                }
            });
        }
        drop(done_tx);
        let dispatch = |n: u64, chunk: Vec<Raw>, keys: &Arc<KnownKeys>| -> usize {
            let per = chunk.len().div_ceil(4 * threads).max(1);
            let mut chunk = chunk.into_iter();
            let mut parts = 0;
            loop {
                let part: Vec<Raw> = chunk.by_ref().take(per).collect();
                if part.is_empty() {
                    return parts;
                }
                if job_tx.send((n, parts, part, Arc::clone(keys))).is_err() {
                    return parts;
                }
                parts += 1;
            }
        };
        // Parts that came back, keyed by (chunk, part), until their chunk
        // is complete and its turn has come.
        let mut back: BTreeMap<(u64, usize), (Vec<Decoded>, Vec<Checked>)> = BTreeMap::new();
        let mut in_flight: VecDeque<(u64, usize)> = VecDeque::new();
        let mut next = 0u64;
        if let Some(chunk) = read_chunk() {
            in_flight.push_back((next, dispatch(next, chunk, &keys)));
            next += 1;
        }
        while let Some((n, parts)) = in_flight.pop_front() {
            if let Some(chunk) = read_chunk() {
                in_flight.push_back((next, dispatch(next, chunk, &keys)));
                next += 1;
            }
            while (0..parts).any(|p| !back.contains_key(&(n, p))) {
                match done_rx.recv() {
                    Ok((c, p, entries, sigs)) => {
                        back.insert((c, p), (entries, sigs));
                    }
                    Err(_) => return admission.abort("a signature-checking worker stopped"),
                }
            }
            let mut entries = Vec::with_capacity(CHUNK);
            let mut checked = Vec::with_capacity(CHUNK);
            for p in 0..parts {
                if let Some((e, c)) = back.remove(&(n, p)) {
                    entries.extend(e);
                    checked.extend(c);
                }
            }
            let signatures = settle(&mut keys, &entries, checked);
            if admission.apply(entries, signatures).is_break() {
                break;
            }
        }
        admission.finish()
    })
}

/// Reads and decodes stored entry `expected`, checking that it is there
/// and is the entry it claims to be.
pub(crate) fn decode(expected: u64, item: Result<RawEntry, StoreError>) -> Decoded {
    let (key, bytes) = item.map_err(|e| match e {
        StoreError::Corrupt(_) => Failure::invalid(expected, format!("unreadable: {e}")),
        e => Failure::unchecked(expected, format!("unreadable: {e}")),
    })?;
    if key != expected {
        return Err(Failure::invalid(expected, "entry is missing"));
    }
    let entry = Sealed::from_bytes(bytes)
        .map_err(|e| Failure::invalid(key, format!("undecodable entry: {e}")))?;
    if entry.seq() != key {
        return Err(Failure::invalid(
            key,
            format!("stored at seq {key} but the entry says seq {}", entry.seq()),
        ));
    }
    Ok(entry)
}
