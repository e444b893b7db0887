//! accord-ledger: the API boundary of accord.
//!
//! Opening a ledger, appending with validation, verifying, and reading
//! entries. The CLI (and later a server) translate to and from this API and
//! never touch the store. Every append passes [`accord_core::State::admit`]
//! before anything is written, and is written whole and durably or not at
//! all. Verification recomputes everything from the raw entry bytes and
//! never reads derived data.

#![cfg_attr(not(test), deny(clippy::unwrap_used, clippy::dbg_macro))]
#![warn(missing_docs)]

pub mod charter_toml;
pub mod checkpoint;
mod error;
pub mod export;
mod import;
mod ledger;
pub mod live;
pub mod mechanism_toml;
pub mod mirror;
mod proof_json;
mod prove;
mod recover;
pub mod synth;
pub mod tiles;
pub mod tlog_witness;
mod verify;
pub mod witness;

pub use error::LedgerError;
pub use ledger::{
    check_not_future, DerivedDifference, Ledger, SignatureStatus, MAX_CLOCK_SKEW_SECS,
};
pub use prove::{ProveError, Proved};
pub use recover::Recovered;
pub use verify::{verify_store, verify_store_expecting, Failure, FailureKind, VerifyReport};

pub use accord_store::{Backend, StoreError};

/// A ledger in a ledger directory, whichever engine it holds: the one kind
/// the binary names. No store type is re-exported, so the binary cannot
/// open a store itself (its only direct use of accord-store is in tests).
pub type DiskLedger = Ledger<accord_store::DiskStore>;
