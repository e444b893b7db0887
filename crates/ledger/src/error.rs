//! The ledger's error type: refusals of an entry apart from failures of the
//! machinery.

use accord_core::moment::Moment;
use accord_core::{CodecError, SignError, Violation};
use accord_store::StoreError;

/// Why a ledger operation failed: a refused entry, or a failure of the
/// store, the clock check, an import or the encoder.
#[derive(Debug, thiserror::Error)]
pub enum LedgerError {
    /// The entry breaks a rule or the chain; nothing was written.
    #[error("rejected: {0}")]
    Rejected(#[from] Violation),
    /// A read names an item that is not on record.
    #[error("{0}")]
    NotOnRecord(Violation),
    /// An entry of a batch (an import) breaks a rule or the chain.
    #[error("entry {seq} rejected: {violation}")]
    RejectedEntry {
        /// The refused entry's seq.
        seq: u64,
        /// Why it was refused.
        violation: Violation,
    },
    /// The entry could not be built for the signer.
    #[error("{0}")]
    Signer(#[from] SignError),
    /// A new entry claims a time too far ahead of this machine's clock.
    #[error("claimed time {} is more than {max_skew} s ahead of this machine's clock ({}): check the clock or --time", Moment(*claimed), Moment(*now))]
    FutureTime {
        /// The entry's claimed time (seconds since 1970).
        claimed: i64,
        /// This machine's clock (seconds since 1970).
        now: i64,
        /// The largest lead allowed, in seconds.
        max_skew: i64,
    },
    /// An entry being imported claims a time too far ahead of this machine's clock.
    #[error("entry {seq} claims time {}, more than {max_skew} s ahead of this machine's clock ({}): a signer's clock is wrong; see SECURITY.md, \"Entries from the future\"", Moment(*claimed), Moment(*now))]
    FutureEntry {
        /// The entry's seq.
        seq: u64,
        /// Its claimed time (seconds since 1970).
        claimed: i64,
        /// This machine's clock (seconds since 1970).
        now: i64,
        /// The largest lead allowed, in seconds.
        max_skew: i64,
    },
    /// The store failed.
    #[error("{0}")]
    Store(#[from] StoreError),
    /// A stored entry fails its checks: the ledger is damaged or tampered with.
    #[error("the ledger is damaged at entry {seq}: {reason}; run `accord verify` for details")]
    Damaged {
        /// The first entry that fails.
        seq: u64,
        /// Why it fails.
        reason: String,
    },
    /// A stored entry could not be checked (an I/O failure, not a bad entry).
    #[error("could not check the ledger at entry {seq}: {reason}; nothing is known to be wrong with it: fix the cause and retry")]
    Unchecked {
        /// The entry that could not be checked.
        seq: u64,
        /// Why not.
        reason: String,
    },
    /// Another writer appended while recovery was deciding what to do.
    #[error("the ledger changed while recovering (last entry {expected}, now {found}): nothing was done; run recover again")]
    Changed {
        /// The last seq recovery saw.
        expected: u64,
        /// The last seq now.
        found: u64,
    },
    /// A read asked for an entry past the head.
    #[error("no entry {seq}: the ledger's last entry is {last}")]
    NoEntry {
        /// The seq asked for.
        seq: u64,
        /// The ledger's last seq.
        last: u64,
    },
    /// An as-of query asked for a time before entry 0.
    #[error("{} is before the ledger was founded ({})", Moment(*time), Moment(*founded))]
    BeforeLedger {
        /// The time asked for (seconds since 1970).
        time: i64,
        /// The charter entry's time (seconds since 1970).
        founded: i64,
    },
    /// A line of an export file cannot be imported.
    #[error("export line {line}: {reason}")]
    Import {
        /// The line number, from 1.
        line: u64,
        /// What is wrong with it.
        reason: String,
    },
    /// A tree size beyond the ledger (or zero).
    #[error("tree size {size} is out of range: the ledger has {entries} entries, so a tree size is 1 to {entries}")]
    TreeSize {
        /// The size asked for.
        size: u64,
        /// How many entries the ledger holds.
        entries: u64,
    },
    /// An inclusion proof asked for an entry the tree does not hold.
    #[error("entry {seq} is not in the tree of size {size}, which holds entries 0 to {}", size.saturating_sub(1))]
    NotInTree {
        /// The entry asked for.
        seq: u64,
        /// The tree size asked for.
        size: u64,
    },
    /// A consistency proof between sizes that have none.
    #[error("no consistency proof from tree size {old} to {new}: the old size must be 1 or more and not above the new one")]
    ConsistencyRange {
        /// The old size.
        old: u64,
        /// The new size.
        new: u64,
    },
    /// The stored tree hashes could not be read or combined.
    #[error("Merkle tree: {0}")]
    Tree(String),
    /// A value could not be encoded (a bug, not bad input).
    #[error("internal encoding failure: {0}")]
    Codec(#[from] CodecError),
}
