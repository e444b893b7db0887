//! Incremental checkpoints, for long runs of appends (an import, a mirror, a
//! server, a synthetic ledger, a rebuild): once one checkpoint has been
//! computed in full, the next ones are computed from what the entries since
//! changed ([`Checkpointer`]), and a [`WriteSession`] keeps the open records
//! in memory between batches, so that a checkpoint costs the changes, not
//! the live set. The bytes written are the same as [`checkpoint`]'s, which
//! stays the reference (tests compare the two). Never reads the store.

use std::collections::{BTreeMap, BTreeSet};

use accord_core::open_index::OpenIndex;
use accord_core::{codec, RecordKey, State};
use accord_store::KeyValue;
use sha2::{Digest as _, Sha256};

#[cfg(doc)]
use super::derived::checkpoint;
use super::derived::{checkpoint_key, record_bytes, Checkpoint, CheckpointBase};
use crate::LedgerError;

/// What the next checkpoint needs: the records of the last one, which
/// records are open now, and which records entries changed since.
pub(crate) struct Checkpointer {
    index: OpenIndex,
    /// The last checkpoint: its seq and counters, its records as digests.
    base: CheckpointBase,
    digests: BTreeMap<Vec<u8>, Digest>,
    /// Bytes of the last checkpoint's records (key and value lengths).
    base_bytes: u64,
    changed: BTreeSet<RecordKey>,
}

/// A record's value as the last checkpoint held it: its length and SHA-256
/// (the value itself is in the state, or was, if it changed since).
#[derive(PartialEq, Eq)]
struct Digest(usize, [u8; 32]);

impl Digest {
    fn of(value: &[u8]) -> Digest {
        Digest(value.len(), Sha256::digest(value).into())
    }
}

impl Checkpointer {
    /// Starts after the checkpoint `base`, just computed in full for
    /// `state`, which holds every open record.
    pub(super) fn start(state: &State, mut base: CheckpointBase) -> Checkpointer {
        let records = std::mem::take(&mut base.records);
        Checkpointer {
            index: OpenIndex::of(state),
            base_bytes: record_bytes(&records),
            digests: records
                .into_iter()
                .map(|(k, v)| {
                    let d = Digest::of(&v);
                    (k, d)
                })
                .collect(),
            base,
            changed: BTreeSet::new(),
        }
    }

    /// Notes an admitted entry: `keys` are the records it touched and,
    /// transitively, those they link to, all held by `state`.
    pub(super) fn note(&mut self, state: &State, keys: &[RecordKey]) {
        let mut flipped = Vec::new();
        for key in keys {
            self.index.update(state, key, &mut flipped);
        }
        self.changed.extend(keys.iter().cloned());
        self.changed.extend(flipped);
    }

    /// Whether the open view reads the record `key` (a session keeps it).
    pub(super) fn is_open(&self, key: &RecordKey) -> bool {
        self.index.contains(key)
    }

    /// The checkpoint of `state`, whose seq is a multiple of the interval:
    /// a delta from the last one, or a full one, by the same rule and to
    /// the same bytes as [`checkpoint`].
    pub(super) fn checkpoint(&mut self, state: &State) -> Result<KeyValue, LedgerError> {
        let mut records = BTreeMap::new();
        let mut removed = BTreeSet::new();
        for key in std::mem::take(&mut self.changed) {
            let bytes = key.to_bytes();
            let value = if self.index.contains(&key) {
                let value = state.records().encode(&key)?;
                debug_assert!(value.is_some(), "{key:?} is open but not held");
                value
            } else {
                None
            };
            match value {
                Some(v) => {
                    let d = Digest::of(&v);
                    if self.digests.get(&bytes) != Some(&d) {
                        let new = (bytes.len() + v.len()) as u64;
                        if let Some(old) = self.digests.insert(bytes.clone(), d) {
                            self.base_bytes -= (bytes.len() + old.0) as u64;
                        }
                        self.base_bytes += new;
                        records.insert(bytes, v);
                    }
                }
                None => {
                    if let Some(old) = self.digests.remove(&bytes) {
                        self.base_bytes -= (bytes.len() + old.0) as u64;
                        removed.insert(bytes);
                    }
                }
            }
        }
        let bytes = record_bytes(&records) + removed.iter().map(|k| k.len() as u64).sum::<u64>();
        let delta_bytes = self.base.delta_bytes + bytes;
        let cp = if self.base.allows_delta(delta_bytes) {
            let (records, removed) = (records.into_iter().collect(), removed.into_iter().collect());
            Checkpoint::delta(state, &self.base, delta_bytes, records, removed)
        } else {
            // Every open record, from the state, which holds them all.
            let mut all = Vec::with_capacity(self.digests.len());
            for key in self.index.keys() {
                if let Some(v) = state.records().encode(key)? {
                    all.push((key.to_bytes(), v));
                }
            }
            all.sort_unstable();
            debug_assert_eq!(all.len(), self.digests.len());
            Checkpoint::full(state, self.base_bytes, all)
        };
        let b = &mut self.base;
        b.seq = state.head().seq;
        b.depth = cp.depth;
        b.delta_bytes = cp.delta_bytes;
        b.full_bytes = cp.full_bytes;
        let value = codec::encode_derived(&cp)?;
        Ok((checkpoint_key(state.head().seq), value))
    }
}

/// What a ledger keeps between batch appends once one has landed a
/// checkpoint: the state at the head with every open record, and the
/// checkpointer. Used only while the stored head is still its head.
pub(crate) struct WriteSession {
    pub(super) state: State,
    pub(super) checkpointer: Checkpointer,
}

impl WriteSession {
    /// Drops from memory the records among `keys` that the open view no
    /// longer reads (they are stored; a later entry loads them again).
    pub(super) fn forget_closed<'a>(&mut self, keys: impl IntoIterator<Item = &'a RecordKey>) {
        for key in keys {
            if !self.checkpointer.is_open(key) {
                self.state.evict(key);
            }
        }
    }
}

/// The records an entry touching `touches` reads or changes in `state`:
/// those and, transitively, the records they link to, each once.
pub(super) fn closure(state: &State, touches: Vec<RecordKey>) -> Vec<RecordKey> {
    let mut seen = BTreeSet::new();
    let mut out = Vec::new();
    let mut pending = touches;
    while let Some(key) = pending.pop() {
        if seen.insert(key.clone()) {
            pending.extend(state.records().links_of([&key]));
            out.push(key);
        }
    }
    out
}

#[cfg(test)]
mod same_bytes_as_the_reference {
    use super::*;
    use crate::ledger::derived::checkpoint;
    use crate::synth::{self, Workload};
    use crate::{verify, Ledger};
    use accord_core::projection;
    use accord_store::MemStore;

    /// Replays a ledger of each workload; after every entry the open index
    /// must be `projection::open_keys`, and at every checkpoint computing it
    /// both ways (in full from the whole state and the reference's previous
    /// one, and incrementally) must give the same bytes.
    #[test]
    fn every_checkpoint_of_every_workload() {
        let (mut with_removals, mut full_after_deltas) = (0, 0);
        for w in Workload::ALL {
            let mut l = Ledger::init(
                MemStore::default(),
                w.charter(),
                &synth::key(3),
                synth::START,
            )
            .unwrap_or_else(|e| panic!("{}: {e}", w.name()));
            synth::extend_workload(&mut l, w, 1_200)
                .unwrap_or_else(|e| panic!("{}: {e}", w.name()));
            let every = 16;
            let mut reference: Option<CheckpointBase> = None;
            let mut incremental: Option<Checkpointer> = None;
            let (mut compared, mut deltas) = (0, 0);
            verify::replay_while(
                l.store(),
                |_| true,
                |e, state| {
                    if let Some(c) = incremental.as_mut() {
                        c.note(state, &closure(state, e.entry.body.event.touches()));
                        let open = projection::open_keys(state);
                        let mut indexed: Vec<&RecordKey> = c.index.keys().collect();
                        indexed.sort();
                        assert_eq!(
                            indexed,
                            open.iter().collect::<Vec<_>>(),
                            "{} at {}",
                            w.name(),
                            e.seq()
                        );
                    }
                    if e.seq() % every != 0 {
                        return;
                    }
                    let (want, base) = checkpoint(state, reference.as_ref()).unwrap();
                    match incremental.as_mut() {
                        None => incremental = Some(Checkpointer::start(state, base.clone())),
                        Some(c) => {
                            let got = c.checkpoint(state).unwrap();
                            assert_eq!(got, want, "{} at {}", w.name(), e.seq());
                            compared += 1;
                            deltas += usize::from(base.depth > 0);
                            let cp: Checkpoint = codec::decode_derived(&want.1).unwrap();
                            with_removals += usize::from(!cp.removed.is_empty());
                            let after_deltas = reference.as_ref().is_some_and(|r| r.depth > 0);
                            full_after_deltas += usize::from(cp.base.is_none() && after_deltas);
                        }
                    }
                    reference = Some(base);
                },
            )
            .unwrap();
            assert_eq!(compared, 1_200 / every, "{}", w.name());
            assert!(deltas > 0, "{}: no delta checkpoint was compared", w.name());
        }
        assert!(with_removals > 0, "no compared delta removed a record");
        assert!(full_after_deltas > 0, "no full checkpoint followed deltas");
    }
}
