//! The ledger's error type: refusals of an entry apart from failures of the
//! machinery.

use accord_core::{CodecError, SignError, Violation};
use accord_store::StoreError;

#[derive(Debug, thiserror::Error)]
pub enum LedgerError {
    /// The entry breaks a rule or the chain; nothing was written.
    #[error("rejected: {0}")]
    Rejected(#[from] Violation),
    #[error("entry {seq} rejected: {violation}")]
    RejectedEntry { seq: u64, violation: Violation },
    #[error("{0}")]
    Signer(#[from] SignError),
    #[error("claimed time {claimed} is more than {max_skew} s ahead of this machine's clock ({now}): check the clock or --time")]
    FutureTime {
        claimed: i64,
        now: i64,
        max_skew: i64,
    },
    #[error("entry {seq} claims time {claimed}, more than {max_skew} s ahead of this machine's clock ({now}): a signer's clock is wrong; see SECURITY.md, \"Entries from the future\"")]
    FutureEntry {
        seq: u64,
        claimed: i64,
        now: i64,
        max_skew: i64,
    },
    #[error("{0}")]
    Store(#[from] StoreError),
    #[error("the ledger is damaged at entry {seq}: {reason}; run `accord verify` for details")]
    Damaged { seq: u64, reason: String },
    #[error("could not check the ledger at entry {seq}: {reason}; nothing is known to be wrong with it: fix the cause and retry")]
    Unchecked { seq: u64, reason: String },
    #[error("the ledger changed while recovering (last entry {expected}, now {found}): nothing was done; run recover again")]
    Changed { expected: u64, found: u64 },
    #[error("no entry {seq}: the ledger's last entry is {last}")]
    NoEntry { seq: u64, last: u64 },
    #[error("{time} is before the ledger was founded ({founded})")]
    BeforeLedger { time: i64, founded: i64 },
    #[error("export line {line}: {reason}")]
    Import { line: u64, reason: String },
    #[error("tree size {size} is out of range: the ledger has {entries} entries, so a tree size is 1 to {entries}")]
    TreeSize { size: u64, entries: u64 },
    #[error("entry {seq} is not in the tree of size {size}, which holds entries 0 to {}", size.saturating_sub(1))]
    NotInTree { seq: u64, size: u64 },
    #[error("no consistency proof from tree size {old} to {new}: the old size must be 1 or more and not above the new one")]
    ConsistencyRange { old: u64, new: u64 },
    #[error("Merkle tree: {0}")]
    Tree(String),
    #[error("internal encoding failure: {0}")]
    Codec(#[from] CodecError),
}
