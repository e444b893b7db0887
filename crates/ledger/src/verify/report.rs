//! The verdict of a verification: how many entries verified, the head they
//! reach, and the first failure, told apart as the ledger's (invalid) or
//! the verifier's (could not check). Holds no logic of the checks.

use accord_core::merkle::Hash;
use accord_core::{Head, LedgerId, Sealed};
use serde::Serialize;

/// The outcome of a verification.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct VerifyReport {
    /// Entries that verified, from seq 0.
    pub verified: u64,
    pub ledger: Option<LedgerId>,
    /// The last verified entry.
    pub head: Option<Head>,
    pub failure: Option<Failure>,
    /// The Merkle tree root over the `verified` entries (docs/FORMAT.md,
    /// "Merkle tree"), recomputed from their bytes; `None` if none verified.
    pub root: Option<Hash>,
}

impl VerifyReport {
    pub fn ok(&self) -> bool {
        self.failure.is_none()
    }

    /// Whether verification could not be completed (as opposed to finding
    /// the ledger invalid).
    pub fn unchecked(&self) -> bool {
        self.failure
            .as_ref()
            .is_some_and(|f| f.kind == FailureKind::Unchecked)
    }
}

/// The first entry that could not be shown good, and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Failure {
    pub seq: u64,
    pub reason: String,
    pub kind: FailureKind,
}

/// Whether a failure is the ledger's or the verifier's: an audit must tell
/// tampering or damage from a machine that could not finish the check.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum FailureKind {
    /// The entry is bad: it breaks the format, the chain or a rule, or its
    /// stored bytes are damaged.
    Invalid,
    /// The check could not be completed here (an I/O error, a full or
    /// unwritable temporary directory): nothing is known to be wrong with
    /// the ledger.
    Unchecked,
}

impl Failure {
    pub(crate) fn invalid(seq: u64, reason: impl Into<String>) -> Failure {
        Failure {
            seq,
            reason: reason.into(),
            kind: FailureKind::Invalid,
        }
    }

    pub(crate) fn unchecked(seq: u64, reason: impl Into<String>) -> Failure {
        Failure {
            seq,
            reason: reason.into(),
            kind: FailureKind::Unchecked,
        }
    }
}

/// One entry as read: decoded, or why it is not and its seq.
pub(crate) type Decoded = Result<Sealed, Failure>;
