//! Verification: a streaming replay of the raw entry bytes through the same
//! gate as appends. Memory stays constant in the number of entries (the
//! state holds the charter, per-author counters, clause records and a fixed
//! window of recent hashes). Derived data is never read.

use std::collections::HashMap;

use accord_core::{Event, Head, KeyId, LedgerId, PublicKey, Sealed, State};
use accord_store::{RawEntry, Store, StoreError};
use ed25519_dalek::VerifyingKey;
use serde::Serialize;

use crate::LedgerError;

/// The outcome of a verification.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct VerifyReport {
    /// Entries that verified, from seq 0.
    pub verified: u64,
    pub ledger: Option<LedgerId>,
    /// The last verified entry.
    pub head: Option<Head>,
    pub failure: Option<Failure>,
}

impl VerifyReport {
    pub fn ok(&self) -> bool {
        self.failure.is_none()
    }
}

/// The first bad entry and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Failure {
    pub seq: u64,
    pub reason: String,
}

/// Replays every stored entry, checking encoding, seq continuity, chain
/// links, seen heads, signatures, per-author sequence and the rules.
pub fn verify_store<S: Store + ?Sized>(store: &S) -> VerifyReport {
    verify_store_expecting(store, None)
}

/// [`verify_store`], also checking that the ledger reaches `expect` (a
/// head saved earlier) with the same hash: a truncated tail or a rewritten
/// history then fails too.
pub fn verify_store_expecting<S: Store + ?Sized>(store: &S, expect: Option<Head>) -> VerifyReport {
    let mut seen_expected = None;
    let Folded { state, mut failure } = fold_while(
        store,
        |_| true,
        |e| {
            if expect.is_some_and(|h| h.seq == e.seq()) {
                seen_expected = Some(e.hash);
            }
        },
    );
    if let (None, Some(want)) = (&failure, expect) {
        failure = match seen_expected {
            Some(hash) if hash == want.hash => None,
            Some(hash) => Some(Failure {
                seq: want.seq,
                reason: format!("entry {} has hash {hash}, not the expected {}", want.seq, want.hash),
            }),
            None => Some(Failure {
                seq: state.as_ref().map_or(0, |s| s.head().seq + 1),
                reason: format!(
                    "the ledger ends before the expected head {}: entries are missing from its tail",
                    want.seq
                ),
            }),
        };
    }
    let failure = match (&state, failure) {
        (None, None) => Some(Failure {
            seq: 0,
            reason: "the ledger has no entries".into(),
        }),
        (_, f) => f,
    };
    VerifyReport {
        verified: state.as_ref().map_or(0, |s| s.head().seq + 1),
        ledger: state.as_ref().map(State::ledger_id),
        head: state.as_ref().map(State::head),
        failure,
    }
}

/// Rebuilds the state from the entries, refusing a damaged ledger.
pub(crate) fn replay<S: Store + ?Sized>(store: &S) -> Result<State, LedgerError> {
    replay_while(store, |_| true, |_| {})
}

/// Replays, with every check, the entries from seq 0 for which `take`
/// holds, stopping at the first for which it does not; `visit` sees each
/// admitted entry. Refuses a damaged ledger (within the replayed part).
pub(crate) fn replay_while<S: Store + ?Sized>(
    store: &S,
    take: impl FnMut(&Sealed) -> bool,
    visit: impl FnMut(&Sealed),
) -> Result<State, LedgerError> {
    match fold_while(store, take, visit) {
        Folded {
            state: Some(state),
            failure: None,
        } => Ok(state),
        Folded { failure, .. } => {
            let f = failure.unwrap_or(Failure {
                seq: 0,
                reason: "the ledger has no entries".into(),
            });
            Err(LedgerError::Damaged {
                seq: f.seq,
                reason: f.reason,
            })
        }
    }
}

/// The state after the last good entry, and the first failure if any.
struct Folded {
    state: Option<State>,
    failure: Option<Failure>,
}

/// Entries read, decoded and signature-checked together. Bounds memory
/// (about a megabyte) and lets signature checks run on every core while the
/// rules are still applied one entry at a time, in order.
const CHUNK: usize = 2048;

fn fold_while<S: Store + ?Sized>(
    store: &S,
    mut take: impl FnMut(&Sealed) -> bool,
    mut visit: impl FnMut(&Sealed),
) -> Folded {
    let mut state: Option<State> = None;
    let mut keys = KnownKeys::default();
    let mut scan = (0u64..).zip(store.scan(0)).peekable();
    while scan.peek().is_some() {
        let decoded: Vec<Result<Sealed, (u64, String)>> = scan
            .by_ref()
            .take(CHUNK)
            .map(|(n, item)| decode(n, item))
            .collect();
        for entry in decoded.iter().flatten() {
            keys.learn(entry);
        }
        let signatures = keys.check_all(&decoded);
        for (entry, signature_ok) in decoded.into_iter().zip(signatures) {
            let admitted = entry.and_then(|entry| {
                if entry.seq() > 0 && !take(&entry) {
                    return Ok(None);
                }
                let seq = entry.seq();
                match state.as_mut() {
                    None => state = Some(State::genesis(&entry).map_err(|v| (seq, v.to_string()))?),
                    Some(s) => s
                        .admit_checked(&entry, signature_ok)
                        .map_err(|v| (seq, v.to_string()))?,
                }
                Ok(Some(entry))
            });
            match admitted {
                Ok(Some(entry)) => visit(&entry),
                Ok(None) => {
                    return Folded {
                        state,
                        failure: None,
                    }
                }
                Err((seq, reason)) => {
                    return Folded {
                        state,
                        failure: Some(Failure { seq, reason }),
                    }
                }
            }
        }
    }
    Folded {
        state,
        failure: None,
    }
}

/// Reads and decodes stored entry `expected`, checking that it is there
/// and is the entry it claims to be.
fn decode(expected: u64, item: Result<RawEntry, StoreError>) -> Result<Sealed, (u64, String)> {
    let (key, bytes) = item.map_err(|e| (expected, format!("unreadable: {e}")))?;
    if key != expected {
        return Err((expected, "entry is missing".into()));
    }
    let entry = Sealed::from_bytes(bytes).map_err(|e| (key, format!("undecodable entry: {e}")))?;
    if entry.seq() != key {
        return Err((
            key,
            format!("stored at seq {key} but the entry says seq {}", entry.seq()),
        ));
    }
    Ok(entry)
}

/// Every key any entry has put forward (charter keys, rotations,
/// replacements), by id. A signature is checked here against the key with
/// the id the entry names; whether that key was the author's key at that
/// position is the rules' question, answered in order by `admit_checked`.
#[derive(Default)]
struct KnownKeys(HashMap<KeyId, VerifyingKey>);

impl KnownKeys {
    fn learn(&mut self, entry: &Sealed) {
        let mut add = |k: &PublicKey| {
            if let Ok(vk) = k.verifying_key() {
                self.0.insert(k.id(), vk);
            }
        };
        match &entry.entry.body.event {
            Event::Charter(c) => c.parties.iter().for_each(|p| add(&p.key)),
            Event::KeyRotated { new_key } => add(new_key),
            Event::KeyRevocationProposed {
                replacement: Some(k),
                ..
            } => add(k),
            _ => {}
        }
    }

    /// Signature checks of a chunk, split across the machine's cores.
    fn check_all(&self, chunk: &[Result<Sealed, (u64, String)>]) -> Vec<bool> {
        let check = |e: &Result<Sealed, (u64, String)>| {
            e.as_ref().is_ok_and(|e| {
                self.0
                    .get(&e.entry.body.author.key)
                    .is_some_and(|vk| e.verify_with(vk))
            })
        };
        let threads = std::thread::available_parallelism().map_or(1, |n| n.get());
        if threads < 2 || chunk.len() < 64 {
            return chunk.iter().map(check).collect();
        }
        let per = chunk.len().div_ceil(threads);
        std::thread::scope(|scope| {
            let parts: Vec<_> = chunk
                .chunks(per)
                .map(|part| scope.spawn(move || part.iter().map(check).collect::<Vec<bool>>()))
                .collect();
            parts
                .into_iter()
                .flat_map(|h| h.join().unwrap_or_default())
                .collect()
        })
    }
}
