//! Building a dispute bundle ([`accord_core::bundle::Bundle`]) from a
//! ledger and a cosigned checkpoint: the charter, every key event below the
//! checkpoint's size and the chosen entries, each with its inclusion proof
//! to the checkpoint's root.
//!
//! The checkpoint must be of this ledger at its size (same ledger id, same
//! root, same key history); a checkpoint of a fork is refused. Proving
//! reads the ledger and never writes to it; whether the bundle convinces
//! anyone is `accord_core::bundle::check`'s business, under the reader's
//! policy.

use std::collections::BTreeSet;

use accord_core::bundle::{Bundle, ProvenEntry, BUNDLE_VERSION};
use accord_core::checkpoint::Checkpoint;
use accord_core::note::Note;
use accord_store::Store;

use crate::{Ledger, LedgerError};

/// Why no bundle was built.
#[derive(Debug, thiserror::Error)]
pub enum ProveError {
    /// The checkpoint file is not a signed-note checkpoint.
    #[error("the checkpoint is unreadable: {0}")]
    Checkpoint(String),
    /// The checkpoint's origin names another ledger id (given in hex).
    #[error("the checkpoint is of another ledger ({0}), not this one")]
    OtherLedger(String),
    /// This copy has fewer entries than the checkpoint covers, so it cannot
    /// prove them.
    #[error("the checkpoint covers {size} entries but this copy holds {held}: update this copy, or use a checkpoint it reaches")]
    Behind {
        /// The checkpoint's tree size.
        size: u64,
        /// How many entries this copy holds.
        held: u64,
    },
    /// The same ledger's tree at that size has another root: the
    /// checkpoint signs a diverging history.
    #[error("this ledger's tree at size {size} has another root than the checkpoint's: the checkpoint is of a fork of this ledger (or this copy's derived tree is damaged: `accord doctor --check` tells)")]
    Fork {
        /// The checkpoint's tree size.
        size: u64,
    },
    /// The roots agree but the key commitment does not: the checkpoint
    /// claims another key history than this ledger holds.
    #[error("this ledger's key history at size {size} differs from the checkpoint's accord-keys line: the checkpoint is of a fork of this ledger")]
    KeyHistory {
        /// The checkpoint's tree size.
        size: u64,
    },
    /// An entry asked for is not covered by the checkpoint.
    #[error("entry {seq} is past the checkpoint (size {size}, entries 0 to {}): cosign a newer checkpoint", .size.saturating_sub(1))]
    Beyond {
        /// The entry asked for.
        seq: u64,
        /// The checkpoint's tree size.
        size: u64,
    },
    /// An item asked for (by its id, e.g. a clause or an allegation) has no
    /// entry the checkpoint covers.
    #[error("no entry below the checkpoint concerns {0}")]
    NoItem(String),
    /// Neither entries nor items were asked for.
    #[error("name at least one entry (--entry) or item (--item) to prove")]
    Nothing,
    /// A proof built from the tree kept in derived data does not lead to
    /// the checkpoint's root although the roots agree: derived data damage.
    #[error("the inclusion proof of entry {seq} from the tree kept beside the entries does not verify: run `accord doctor` to rebuild it, then prove again")]
    DerivedTree {
        /// The entry whose proof failed.
        seq: u64,
    },
    /// Reading the ledger failed.
    #[error("{0}")]
    Ledger(#[from] LedgerError),
}

/// A built bundle, and the entries of the items asked for that lie past the
/// checkpoint (left out).
#[derive(Debug)]
pub struct Proved {
    /// The bundle, ready to write out.
    pub bundle: Bundle,
    /// Seqs of the asked-for items' entries at or past the checkpoint's
    /// size, not in the bundle (a newer checkpoint would cover them).
    pub left_out: Vec<u64>,
}

impl<S: Store> Ledger<S> {
    /// A bundle proving `entries` and every entry of each of `items` below
    /// the checkpoint's size, against `checkpoint` (a signed note).
    pub fn prove(
        &mut self,
        checkpoint: &str,
        entries: &[u64],
        items: &[String],
    ) -> Result<Proved, ProveError> {
        let note = Note::parse(checkpoint.as_bytes())
            .map_err(|e| ProveError::Checkpoint(e.to_string()))?;
        let cp = Checkpoint::parse_body(note.text())
            .map_err(|e| ProveError::Checkpoint(e.to_string()))?;
        let ledger = self.entry(0)?.hash;
        if cp.ledger != ledger {
            return Err(ProveError::OtherLedger(cp.ledger.to_hex()));
        }
        let held = self.last_seq()? + 1;
        if cp.size > held {
            return Err(ProveError::Behind {
                size: cp.size,
                held,
            });
        }
        if self.tree_root(cp.size)? != cp.root {
            return Err(ProveError::Fork { size: cp.size });
        }
        let key_events = self.key_events(cp.size)?;
        let digest = accord_core::keycommit::digest(key_events.iter().map(|(s, h)| (*s, h)));
        if digest != cp.keys {
            return Err(ProveError::KeyHistory { size: cp.size });
        }

        let mut chosen = BTreeSet::new();
        for &seq in entries {
            if seq >= cp.size {
                return Err(ProveError::Beyond { seq, size: cp.size });
            }
            chosen.insert(seq);
        }
        let mut left_out = BTreeSet::new();
        for id in items {
            let history = self.history(id)?;
            let (inside, past): (Vec<u64>, Vec<u64>) =
                history.iter().map(|e| e.seq()).partition(|&s| s < cp.size);
            if inside.is_empty() {
                return Err(ProveError::NoItem(id.clone()));
            }
            chosen.extend(inside);
            left_out.extend(past);
        }
        if chosen.is_empty() {
            return Err(ProveError::Nothing);
        }
        let mut proven = |seq: u64| -> Result<ProvenEntry, ProveError> {
            let bytes = self.entry(seq)?.bytes;
            let proof = self.inclusion_proof(seq, cp.size)?;
            // The proof comes from derived data: never ship one that fails.
            accord_core::merkle::verify_inclusion(seq, cp.size, &bytes, &proof, &cp.root)
                .map_err(|_| ProveError::DerivedTree { seq })?;
            Ok(ProvenEntry { seq, bytes, proof })
        };
        let key_events = key_events
            .iter()
            .map(|(s, _)| proven(*s))
            .collect::<Result<_, _>>()?;
        let entries = chosen
            .iter()
            .map(|s| proven(*s))
            .collect::<Result<_, _>>()?;
        Ok(Proved {
            bundle: Bundle {
                version: BUNDLE_VERSION,
                checkpoint: note.format(),
                key_events,
                entries,
            },
            left_out: left_out.into_iter().collect(),
        })
    }
}
