//! Verification: a streaming replay of the raw entry bytes through the same
//! gate as appends. Memory stays constant in the number of entries (the
//! state holds the charter, per-author counters, clause records and a fixed
//! window of recent hashes). Derived data is never read.

use accord_core::{Head, LedgerId, Sealed, State};
use accord_store::{RawEntry, Store, StoreError};
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

fn fold_while<S: Store + ?Sized>(
    store: &S,
    mut take: impl FnMut(&Sealed) -> bool,
    mut visit: impl FnMut(&Sealed),
) -> Folded {
    let mut state: Option<State> = None;
    for (expected, item) in (0u64..).zip(store.scan(0)) {
        match step(&mut state, expected, item, &mut take) {
            Ok(Some(entry)) => visit(&entry),
            Ok(None) => break,
            Err((seq, reason)) => {
                return Folded {
                    state,
                    failure: Some(Failure { seq, reason }),
                }
            }
        }
    }
    Folded {
        state,
        failure: None,
    }
}

/// Checks one stored entry and folds it into `state`; `None` when `take`
/// declines it (entry 0 is always taken).
fn step(
    state: &mut Option<State>,
    expected: u64,
    item: Result<RawEntry, StoreError>,
    take: &mut impl FnMut(&Sealed) -> bool,
) -> Result<Option<Sealed>, (u64, String)> {
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
    if key > 0 && !take(&entry) {
        return Ok(None);
    }
    match state {
        None => *state = Some(State::genesis(&entry).map_err(|v| (key, v.to_string()))?),
        Some(s) => s.admit(&entry).map_err(|v| (key, v.to_string()))?,
    }
    Ok(Some(entry))
}
