//! Verification: a streaming replay of the raw entry bytes through the same
//! gate as appends. Memory stays flat in the number of entries and items:
//! at most two chunks of entries are in flight, the chain state is fixed in
//! size (charter, per-author counters, a window of recent hashes), and the
//! records of items are recomputed into scratch space on disk and read back
//! only when a later entry touches them, as appends read derived data.
//! Derived data in the store is never read: the Merkle tree root is
//! recomputed from the entries' bytes as they stream by.
//!
//! This file holds the entry points (verify, and the verifying replays the
//! queries use); the parts are [`report`] (the verdict), [`pipeline`]
//! (reading, decoding and checking signatures on every core), [`admission`]
//! (the in-order pass through the gate), [`spill`] (records of closed items
//! in scratch space) and [`keys`] (the keys entries put forward).

use accord_core::merkle::RootBuilder;
use accord_core::{Head, Sealed, State};
use accord_store::Store;

use crate::LedgerError;

mod admission;
mod keys;
mod pipeline;
mod report;
mod spill;

use admission::Folded;
pub(crate) use keys::KnownKeys;
use pipeline::{fold_while, Keep};
pub use report::{Failure, FailureKind, VerifyReport};

/// Replays every stored entry, checking encoding, seq continuity, chain
/// links, seen heads, signatures, per-author sequence and the rules.
pub fn verify_store<S: Store + ?Sized>(store: &S) -> VerifyReport {
    verify_store_expecting(store, None)
}

/// [`verify_store`], also checking that the ledger reaches `expect` (a
/// head saved earlier) with the same hash: a truncated tail or a rewritten
/// history then fails too.
pub fn verify_store_expecting<S: Store + ?Sized>(store: &S, expect: Option<Head>) -> VerifyReport {
    verify_store_observed(store, expect, &mut |_| {})
}

/// [`verify_store_expecting`], telling `progress` the seq of each entry
/// that has passed every check (for a progress bar).
pub fn verify_store_observed<S: Store + ?Sized>(
    store: &S,
    expect: Option<Head>,
    progress: &mut dyn FnMut(u64),
) -> VerifyReport {
    let mut seen_expected = None;
    // The tree root, from the entries' bytes (stored tree hashes are
    // derived data, never read here).
    let mut tree = RootBuilder::new();
    let Folded { state, mut failure } = fold_while(
        store,
        |_| true,
        |e, _| {
            tree.push(&e.bytes);
            if expect.is_some_and(|h| h.seq == e.seq()) {
                seen_expected = Some(e.hash);
            }
            progress(e.seq());
        },
        Keep::VerdictOnly,
    );
    if let (None, Some(want)) = (&failure, expect) {
        failure = match seen_expected {
            Some(hash) if hash == want.hash => None,
            Some(hash) => Some(Failure::invalid(
                want.seq,
                format!("entry {} has hash {hash}, not the expected {}", want.seq, want.hash),
            )),
            None => Some(Failure::invalid(
                state.as_ref().map_or(0, |s| s.head().seq + 1),
                format!(
                    "the ledger ends before the expected head {}: entries are missing from its tail",
                    want.seq
                ),
            )),
        };
    }
    let failure = match (&state, failure) {
        (None, None) => Some(Failure::invalid(0, "the ledger has no entries")),
        (_, f) => f,
    };
    // Entries before the first bad one: a head that is not the expected
    // one fails at its seq, though the entries after it passed their checks.
    let checked = state.as_ref().map_or(0, |s| s.head().seq + 1);
    VerifyReport {
        verified: failure.as_ref().map_or(checked, |f| f.seq.min(checked)),
        ledger: state.as_ref().map(State::ledger_id),
        head: state.as_ref().map(State::head),
        failure,
        root: (tree.size() > 0).then(|| tree.root()),
    }
}

/// Rebuilds the state from the entries, refusing a damaged ledger.
pub(crate) fn replay<S: Store + ?Sized>(store: &S) -> Result<State, LedgerError> {
    replay_while(store, |_| true, |_, _| {})
}

/// Replays, with every check, the entries from seq 0 for which `take`
/// holds, stopping at the first for which it does not; `visit` sees each
/// admitted entry. Refuses a damaged ledger (within the replayed part).
pub(crate) fn replay_while<S: Store + ?Sized>(
    store: &S,
    take: impl FnMut(&Sealed) -> bool,
    visit: impl FnMut(&Sealed, &State),
) -> Result<State, LedgerError> {
    checked(fold_while(store, take, visit, Keep::AllRecords))
}

/// [`replay_while`] for callers that only need to see the entries (export,
/// history): memory stays flat, and the state returned holds no records.
pub(crate) fn stream_while<S: Store + ?Sized>(
    store: &S,
    take: impl FnMut(&Sealed) -> bool,
    visit: impl FnMut(&Sealed, &State),
) -> Result<State, LedgerError> {
    checked(fold_while(store, take, visit, Keep::VerdictOnly))
}

fn checked(folded: Folded) -> Result<State, LedgerError> {
    match folded {
        Folded {
            state: Some(state),
            failure: None,
        } => Ok(state),
        Folded { failure, .. } => {
            let f = failure.unwrap_or(Failure::invalid(0, "the ledger has no entries"));
            Err(match f.kind {
                FailureKind::Invalid => LedgerError::Damaged {
                    seq: f.seq,
                    reason: f.reason,
                },
                FailureKind::Unchecked => LedgerError::Unchecked {
                    seq: f.seq,
                    reason: f.reason,
                },
            })
        }
    }
}

#[cfg(test)]
mod failure_kinds {
    use super::admission::Admission;
    use super::pipeline::decode;
    use super::*;
    use accord_store::StoreError;

    #[test]
    fn an_io_error_is_could_not_check_and_damage_is_invalid() {
        let io = decode(7, Err(StoreError::Io("disk full".into()))).unwrap_err();
        assert_eq!((io.seq, io.kind), (7, FailureKind::Unchecked));
        let damage = decode(7, Err(StoreError::Corrupt("page 3".into()))).unwrap_err();
        assert_eq!((damage.seq, damage.kind), (7, FailureKind::Invalid));
        let garbage = decode(7, Ok((7, vec![0xff; 7]))).unwrap_err();
        assert_eq!(garbage.kind, FailureKind::Invalid);
        let missing = decode(7, Ok((8, vec![]))).unwrap_err();
        assert_eq!((missing.seq, missing.kind), (7, FailureKind::Invalid));
    }

    #[test]
    fn a_verifier_that_cannot_finish_reports_could_not_check() {
        let admission = Admission::new(|_: &Sealed| true, |_: &Sealed, _: &State| {}, false);
        let folded = admission.abort("a signature-checking worker stopped");
        let report = checked(folded).unwrap_err();
        assert!(
            matches!(report, LedgerError::Unchecked { seq: 0, .. }),
            "{report}"
        );
    }
}
