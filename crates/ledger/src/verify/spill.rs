//! Verify's spill: the records of closed items, recomputed by the replay,
//! moved to scratch space on disk at the end of each chunk and read back
//! when a later entry touches them, so that memory stays flat however many
//! items a ledger has. Never touches the ledger's store.
//!
//! Only the records the chunk's entries touched (and those they link to)
//! are looked at when a chunk ends: a record nobody touched keeps the
//! place it had, so a chunk costs what it changed, not the live set.

use std::collections::HashSet;
use std::hash::{Hash, Hasher};

use accord_core::projection;
use accord_core::records::LoadError;
use accord_core::{RecordKey, State};
use accord_store::Scratch;

/// Records of items, recomputed by this replay: those of open items (and
/// commitments) in memory, those of closed items moved to scratch space on
/// disk at the end of each chunk. `moved` holds a hash of every key in
/// scratch space, so that looking up the ids of new items (which all miss)
/// rarely touches the disk.
pub(crate) struct Spill {
    scratch: Scratch,
    moved: HashSet<u64>,
    /// Keys of the records loaded or changed since the chunk began.
    touched: HashSet<RecordKey>,
}

fn key_hash(key: &RecordKey) -> u64 {
    let mut h = std::hash::DefaultHasher::new();
    key.hash(&mut h);
    h.finish()
}

impl Spill {
    pub(crate) fn new() -> Spill {
        Spill {
            scratch: Scratch::new(),
            moved: HashSet::new(),
            touched: HashSet::new(),
        }
    }

    /// Makes sure `state` holds the records `keys` name, and those they
    /// link to, as the append path does from the store's derived data;
    /// all of them count as touched.
    pub(crate) fn load(&mut self, state: &mut State, keys: Vec<RecordKey>) -> Result<(), String> {
        let (scratch, moved) = (&mut self.scratch, &self.moved);
        state
            .load_linked(keys.clone(), |key| {
                if moved.contains(&key_hash(key)) {
                    scratch.get(&key.to_bytes())
                } else {
                    Ok(None)
                }
            })
            .map_err(|e| match e {
                LoadError::Fetch(e) => e.to_string(),
                LoadError::Undecodable(_, e) => format!("scratch space: {e}"),
            })?;
        let mut pending = keys;
        while let Some(key) = pending.pop() {
            if !self.touched.contains(&key) {
                pending.extend(state.records().links_of([&key]));
                self.touched.insert(key);
            }
        }
        Ok(())
    }

    /// Moves the touched records of closed items to scratch space and
    /// keeps the live ones ([`projection::is_live`]: open items and
    /// commitments, the ones later entries touch) in memory.
    pub(crate) fn store(&mut self, mut state: State) -> Result<State, String> {
        let mut closed = Vec::new();
        for key in self.touched.drain() {
            if projection::is_live(&state, &key) {
                continue;
            }
            if let Some(value) = state.records().encode(&key).map_err(|e| e.to_string())? {
                self.moved.insert(key_hash(&key));
                closed.push((key.to_bytes(), value));
                state.evict(&key);
            }
        }
        closed.sort_unstable();
        self.scratch.put_all(&closed).map_err(|e| e.to_string())?;
        Ok(state)
    }
}
