//! The Merkle tree over the entries (`accord_core::merkle`) and the index of
//! key events, as kept in derived data: which keys hold them, the derived
//! writes each append adds (O(log n) hashes, read and written in the
//! append's own transaction), and the ledger's proof API (tree roots,
//! inclusion and consistency proofs, the key-history commitment). The
//! layout is docs/DERIVED.md. Like all derived data this is a cache that
//! `doctor` rebuilds; verify never reads it, and nothing here judges an
//! entry.

use std::collections::BTreeMap;

use accord_core::merkle::{self, Hash, HashReader, TreeError};
use accord_core::{keycommit, EntryHash, Sealed};
use accord_store::{KeyValue, Store, StoreError};

use super::derived::Reload;
use super::Ledger;
use crate::LedgerError;

/// Prefix of the tree's stored hashes: `tree/` + the stored-hash index
/// ([`merkle::stored_hash_index`]), big-endian; the value is the 32-byte hash.
const TREE_PREFIX: &[u8] = b"tree/";
/// Prefix of the index of key events ([`keycommit::is_key_event`]):
/// `keyevent/` + the seq, big-endian; the value is the entry's 32-byte hash.
pub(super) const KEY_EVENT_PREFIX: &[u8] = b"keyevent/";

fn tree_key(index: u64) -> Vec<u8> {
    [TREE_PREFIX, &index.to_be_bytes()].concat()
}

fn key_event_key(seq: u64) -> Vec<u8> {
    [KEY_EVENT_PREFIX, &seq.to_be_bytes()].concat()
}

/// A derived key of this module named for reports (`tree/<index>`,
/// `keyevent/<seq>`), or `None` if it is not one.
pub(super) fn key_name(key: &[u8]) -> Option<String> {
    for (prefix, name) in [(TREE_PREFIX, "tree"), (KEY_EVENT_PREFIX, "keyevent")] {
        if let Some(n) = key.strip_prefix(prefix).and_then(be_u64) {
            return Some(format!("{name}/{n}"));
        }
    }
    None
}

fn be_u64(bytes: &[u8]) -> Option<u64> {
    Some(u64::from_be_bytes(bytes.try_into().ok()?))
}

/// Why a stored tree hash could not be read.
#[derive(Debug, thiserror::Error)]
pub(super) enum ReadError {
    #[error("{0}")]
    Store(#[from] StoreError),
    #[error("stored tree hash {0} is missing or is not 32 bytes")]
    Damaged(u64),
}

/// Stored tree hashes, with those computed earlier in the same batch
/// (not yet stored) in front.
struct StoredTree<'a, S: Store + ?Sized> {
    store: &'a S,
    pending: &'a BTreeMap<u64, Hash>,
}

impl<S: Store + ?Sized> HashReader for StoredTree<'_, S> {
    type Error = ReadError;

    fn read_hashes(&self, indexes: &[u64]) -> Result<Vec<Hash>, ReadError> {
        indexes
            .iter()
            .map(|&i| match self.pending.get(&i) {
                Some(h) => Ok(*h),
                None => self
                    .store
                    .derived(&tree_key(i))?
                    .and_then(|v| Hash::try_from(v.as_slice()).ok())
                    .ok_or(ReadError::Damaged(i)),
            })
            .collect()
    }
}

/// The derived writes that go with appending `entries` (consecutive, the
/// first one right after the stored head): each entry's new tree hashes,
/// and the key events among them.
pub(super) fn append_writes<'e, S: Store + ?Sized>(
    store: &S,
    entries: impl IntoIterator<Item = &'e Sealed>,
) -> Result<Vec<KeyValue>, TreeError<ReadError>> {
    let mut pending = BTreeMap::new();
    let mut out = Vec::new();
    for e in entries {
        let n = e.seq();
        let reader = StoredTree {
            store,
            pending: &pending,
        };
        let hashes = merkle::stored_hashes(n, merkle::leaf_hash(&e.bytes), &reader)?;
        let first = merkle::stored_hash_index(0, n);
        for (index, h) in (first..).zip(hashes) {
            out.push((tree_key(index), h.to_vec()));
            pending.insert(index, h);
        }
        out.extend(key_event_write(e));
    }
    Ok(out)
}

fn key_event_write(e: &Sealed) -> Option<KeyValue> {
    keycommit::is_key_event(&e.entry.body.event)
        .then(|| (key_event_key(e.seq()), e.hash.0.to_vec()))
}

/// The tree's derived data computed from scratch, entry by entry in order
/// (for a rebuild), with no reads.
#[derive(Default)]
pub(super) struct TreeRebuild {
    builder: merkle::RootBuilder,
    writes: Vec<KeyValue>,
}

impl TreeRebuild {
    /// Adds the next entry.
    pub(super) fn push(&mut self, e: &Sealed) {
        let first = merkle::stored_hash_index(0, self.builder.size());
        let hashes = self.builder.push(&e.bytes);
        for (index, h) in (first..).zip(hashes) {
            self.writes.push((tree_key(index), h.to_vec()));
        }
        self.writes.extend(key_event_write(e));
    }

    pub(super) fn into_writes(self) -> Vec<KeyValue> {
        self.writes
    }
}

/// A tree error met while reading derived data: damage rebuilds derived
/// data (and the caller retries), anything else fails.
fn reload<S: Store>(l: &mut Ledger<S>, e: TreeError<ReadError>) -> Reload {
    match e {
        TreeError::Read(ReadError::Damaged(_)) | TreeError::ShortRead { .. } => {
            match l.rebuild_derived() {
                Ok(_) => Reload::Stale,
                Err(e) => Reload::Failed(e),
            }
        }
        TreeError::Read(ReadError::Store(e)) => Reload::Failed(e.into()),
        other => Reload::Failed(LedgerError::Tree(other.to_string())),
    }
}

impl<S: Store> Ledger<S> {
    /// The tree's derived writes for appending `entries` (see
    /// [`append_writes`]); damaged tree hashes rebuild derived data.
    pub(super) fn tree_writes<'e>(
        &mut self,
        entries: impl IntoIterator<Item = &'e Sealed>,
    ) -> Result<Vec<KeyValue>, Reload> {
        append_writes(&self.store, entries).map_err(|e| reload(self, e))
    }

    /// The number of entries: the size of the whole tree.
    pub fn tree_size(&self) -> Result<u64, LedgerError> {
        Ok(self.last_seq()? + 1)
    }

    /// Checks `size` against the ledger (1 to the number of entries) and
    /// makes sure derived data is of the current layout (an older one is
    /// rebuilt first).
    fn tree_of(&mut self, size: u64) -> Result<(), LedgerError> {
        let entries = self.tree_size()?;
        if size == 0 || size > entries {
            return Err(LedgerError::TreeSize { size, entries });
        }
        self.chain()?;
        Ok(())
    }

    /// Runs `f` over the stored tree hashes, rebuilding derived data once
    /// if they are damaged.
    fn with_tree<T>(
        &mut self,
        f: impl Fn(&StoredTree<'_, S>) -> Result<T, TreeError<ReadError>>,
    ) -> Result<T, LedgerError> {
        let none = BTreeMap::new();
        self.retrying(|l| {
            let reader = StoredTree {
                store: &l.store,
                pending: &none,
            };
            match f(&reader) {
                Ok(v) => Ok(v),
                Err(e) => Err(reload(l, e)),
            }
        })
    }

    /// The stored tree hashes at `indexes` ([`merkle::stored_hash_index`])
    /// as kept in derived data, unchecked (tiles are built from them:
    /// `crate::tiles`), rebuilding derived data once if they are damaged.
    /// The caller makes sure the layout is current first (`chain`).
    pub(crate) fn stored_tree_hashes(&mut self, indexes: &[u64]) -> Result<Vec<Hash>, LedgerError> {
        self.with_tree(|r| {
            let got = r.read_hashes(indexes).map_err(TreeError::Read)?;
            match got.len() == indexes.len() {
                true => Ok(got),
                false => Err(TreeError::ShortRead {
                    wanted: indexes.len(),
                    got: got.len(),
                }),
            }
        })
    }

    /// The root hash of the tree of the first `size` entries (RFC 9162's
    /// MTH over their canonical bytes).
    pub fn tree_root(&mut self, size: u64) -> Result<Hash, LedgerError> {
        self.tree_of(size)?;
        self.with_tree(|r| merkle::tree_hash(size, r))
    }

    /// [`Ledger::tree_root`] recomputed from the stored entry bytes, never
    /// from stored tree hashes: O(size) hashing, no signature checks. For
    /// a root about to be signed (a checkpoint), compare the two: a
    /// difference means derived data was edited (`doctor` repairs it).
    pub fn tree_root_from_entries(&self, size: u64) -> Result<Hash, LedgerError> {
        let entries = self.tree_size()?;
        if size == 0 || size > entries {
            return Err(LedgerError::TreeSize { size, entries });
        }
        let mut builder = merkle::RootBuilder::new();
        for item in self.store.scan(0).take(size as usize) {
            let (seq, bytes) = item?;
            if seq != builder.size() {
                return Err(LedgerError::Damaged {
                    seq: builder.size(),
                    reason: format!("entry {} is missing", builder.size()),
                });
            }
            builder.push(&bytes);
        }
        if builder.size() != size {
            return Err(LedgerError::Damaged {
                seq: builder.size(),
                reason: format!("entry {} is missing", builder.size()),
            });
        }
        Ok(builder.root())
    }

    /// The inclusion proof of entry `seq` in the tree of the first `size`
    /// entries (RFC 9162 §2.1.3.1), the hash next to the leaf first.
    pub fn inclusion_proof(&mut self, seq: u64, size: u64) -> Result<Vec<Hash>, LedgerError> {
        self.tree_of(size)?;
        if seq >= size {
            return Err(LedgerError::NotInTree { seq, size });
        }
        self.with_tree(|r| merkle::inclusion_proof(seq, size, r))
    }

    /// The consistency proof from the tree of the first `old` entries to
    /// that of the first `new` (RFC 9162 §2.1.4.1); empty if equal.
    pub fn consistency_proof(&mut self, old: u64, new: u64) -> Result<Vec<Hash>, LedgerError> {
        self.tree_of(new)?;
        if old == 0 || old > new {
            return Err(LedgerError::ConsistencyRange { old, new });
        }
        self.with_tree(|r| merkle::consistency_proof(old, new, r))
    }

    /// The key events ([`keycommit::is_key_event`]) among the first `size`
    /// entries, with their hashes, in order.
    pub fn key_events(&mut self, size: u64) -> Result<Vec<(u64, EntryHash)>, LedgerError> {
        self.tree_of(size)?;
        self.retrying(|l| {
            let mut out = Vec::new();
            let mut damaged = false;
            for kv in l.store.derived_scan(KEY_EVENT_PREFIX) {
                let (k, v) = kv?;
                let seq = be_u64(&k[KEY_EVENT_PREFIX.len()..]);
                match (seq, <[u8; 32]>::try_from(v.as_slice())) {
                    (Some(seq), Ok(h)) if seq < size => out.push((seq, EntryHash(h))),
                    (Some(_), Ok(_)) => break,
                    _ => {
                        damaged = true;
                        break;
                    }
                }
            }
            // The charter, entry 0, is always a key event.
            if damaged || out.first().map(|(seq, _)| *seq) != Some(0) {
                l.rebuild_derived()?;
                return Err(Reload::Stale);
            }
            Ok(out)
        })
    }

    /// The key-history commitment at tree size `size`:
    /// [`keycommit::digest`] of [`Ledger::key_events`].
    pub fn key_commitment(&mut self, size: u64) -> Result<[u8; 32], LedgerError> {
        let events = self.key_events(size)?;
        Ok(keycommit::digest(events.iter().map(|(s, h)| (*s, h))))
    }
}
