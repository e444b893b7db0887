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
    #[error("the checkpoint is unreadable: {0}")]
    Checkpoint(String),
    #[error("the checkpoint is of another ledger ({0}), not this one")]
    OtherLedger(String),
    #[error("the checkpoint covers {size} entries but this copy holds {held}: update this copy, or use a checkpoint it reaches")]
    Behind { size: u64, held: u64 },
    #[error("this ledger's tree at size {size} has another root than the checkpoint's: the checkpoint is of a fork of this ledger")]
    Fork { size: u64 },
    #[error("this ledger's key history at size {size} differs from the checkpoint's accord-keys line: the checkpoint is of a fork of this ledger")]
    KeyHistory { size: u64 },
    #[error("entry {seq} is past the checkpoint (size {size}, entries 0 to {}): cosign a newer checkpoint", .size.saturating_sub(1))]
    Beyond { seq: u64, size: u64 },
    #[error("no entry below the checkpoint concerns {0}")]
    NoItem(String),
    #[error("name at least one entry (--entry) or item (--item) to prove")]
    Nothing,
    #[error("{0}")]
    Ledger(#[from] LedgerError),
}

/// A built bundle, and the entries of the items asked for that lie past the
/// checkpoint (left out).
#[derive(Debug)]
pub struct Proved {
    pub bundle: Bundle,
    pub left_out: Vec<u64>,
}

impl<S: Store> Ledger<S> {
    /// A bundle proving `entries` and every entry of each of `items` below
    /// the checkpoint's size, against `checkpoint` (a signed note).
    pub fn prove(
        &self,
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
        let tree = interim::Tree::read(self, cp.size)?;
        if tree.root() != cp.root {
            return Err(ProveError::Fork { size: cp.size });
        }
        let key_events = tree.key_events();
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
        let proven = |seq: u64| -> Result<ProvenEntry, ProveError> {
            Ok(ProvenEntry {
                seq,
                bytes: self.entry(seq)?.bytes,
                proof: tree.inclusion_proof(seq),
            })
        };
        Ok(Proved {
            bundle: Bundle {
                version: BUNDLE_VERSION,
                checkpoint: note.format(),
                key_events: key_events
                    .iter()
                    .map(|(s, _)| proven(*s))
                    .collect::<Result<_, _>>()?,
                entries: chosen
                    .iter()
                    .map(|s| proven(*s))
                    .collect::<Result<_, _>>()?,
            },
            left_out: left_out.into_iter().collect(),
        })
    }
}

/// INTERIM, until the tree branch's `Ledger::{tree_root, inclusion_proof,
/// key_events}` are merged: the tree recomputed from the entries.
mod interim {
    use accord_core::ids::EntryHash;
    use accord_core::keycommit::is_key_event;
    use accord_store::Store;
    use sha2::{Digest, Sha256};

    use crate::{Ledger, LedgerError};

    pub struct Tree {
        leaves: Vec<[u8; 32]>,
        key_events: Vec<(u64, EntryHash)>,
    }

    fn node(l: [u8; 32], r: [u8; 32]) -> [u8; 32] {
        Sha256::new()
            .chain_update([1])
            .chain_update(l)
            .chain_update(r)
            .finalize()
            .into()
    }

    fn split(n: usize) -> usize {
        let mut k = 1;
        while k * 2 < n {
            k *= 2;
        }
        k
    }

    fn root(leaves: &[[u8; 32]]) -> [u8; 32] {
        match leaves.len() {
            0 => Sha256::digest([]).into(),
            1 => leaves[0],
            n => node(root(&leaves[..split(n)]), root(&leaves[split(n)..])),
        }
    }

    fn path(m: usize, leaves: &[[u8; 32]]) -> Vec<[u8; 32]> {
        if leaves.len() <= 1 {
            return Vec::new();
        }
        let k = split(leaves.len());
        let (mut p, sibling) = match m < k {
            true => (path(m, &leaves[..k]), root(&leaves[k..])),
            false => (path(m - k, &leaves[k..]), root(&leaves[..k])),
        };
        p.push(sibling);
        p
    }

    impl Tree {
        pub fn read<S: Store>(ledger: &Ledger<S>, size: u64) -> Result<Tree, LedgerError> {
            let mut t = Tree {
                leaves: Vec::new(),
                key_events: Vec::new(),
            };
            for e in ledger.entries(0).take(size as usize) {
                let e = e?;
                if is_key_event(&e.entry.body.event) {
                    t.key_events.push((e.seq(), e.hash));
                }
                t.leaves.push(
                    Sha256::new()
                        .chain_update([0])
                        .chain_update(&e.bytes)
                        .finalize()
                        .into(),
                );
            }
            Ok(t)
        }

        pub fn root(&self) -> [u8; 32] {
            root(&self.leaves)
        }

        pub fn key_events(&self) -> Vec<(u64, EntryHash)> {
            self.key_events.clone()
        }

        pub fn inclusion_proof(&self, seq: u64) -> Vec<[u8; 32]> {
            path(seq as usize, &self.leaves)
        }
    }
}
