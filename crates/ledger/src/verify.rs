//! Verification: a streaming replay of the raw entry bytes through the same
//! gate as appends. Memory stays constant in the number of entries (the
//! state holds the charter, per-author counters, clause records and a fixed
//! window of recent hashes). Derived data is never read.

use accord_core::{Head, LedgerId, Sealed, State};
use accord_store::Store;
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
    let mut report = VerifyReport {
        verified: 0,
        ledger: None,
        head: None,
        failure: None,
    };
    match fold(store) {
        Ok(state) => {
            report.verified = state.head().seq + 1;
            report.ledger = Some(state.ledger_id());
            report.head = Some(state.head());
        }
        Err(Stop { failure, state }) => {
            if let Some(state) = state {
                report.verified = state.head().seq + 1;
                report.ledger = Some(state.ledger_id());
                report.head = Some(state.head());
            }
            report.failure = Some(failure);
        }
    }
    report
}

/// Rebuilds the state from the entries, refusing a damaged ledger.
pub(crate) fn replay<S: Store + ?Sized>(store: &S) -> Result<State, LedgerError> {
    fold(store).map_err(|stop| LedgerError::Damaged {
        seq: stop.failure.seq,
        reason: stop.failure.reason,
    })
}

struct Stop {
    failure: Failure,
    state: Option<State>,
}

fn fold<S: Store + ?Sized>(store: &S) -> Result<State, Stop> {
    let mut state: Option<State> = None;
    let mut expected = 0u64;
    let stop = |seq: u64, reason: String, state: Option<State>| Stop {
        failure: Failure { seq, reason },
        state,
    };
    for item in store.scan(0) {
        let (key, bytes) = match item {
            Ok(kv) => kv,
            Err(e) => return Err(stop(expected, format!("unreadable: {e}"), state)),
        };
        if key != expected {
            return Err(stop(expected, "entry is missing".into(), state));
        }
        let entry = match Sealed::from_bytes(bytes) {
            Ok(e) => e,
            Err(e) => return Err(stop(key, format!("undecodable entry: {e}"), state)),
        };
        if entry.seq() != key {
            return Err(stop(
                key,
                format!("stored at seq {key} but the entry says seq {}", entry.seq()),
                state,
            ));
        }
        let outcome = match state.as_mut() {
            None => State::genesis(&entry).map(|s| state = Some(s)),
            Some(s) => s.admit(&entry),
        };
        if let Err(v) = outcome {
            return Err(stop(key, v.to_string(), state));
        }
        expected += 1;
    }
    state.ok_or_else(|| stop(0, "the ledger has no entries".into(), None))
}
