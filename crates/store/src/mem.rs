//! The in-memory twin of the sled store, for tests and tools.

use std::collections::BTreeMap;

use crate::{check_batch, RawEntry, Result, Store};

#[derive(Debug, Default, Clone)]
pub struct MemStore {
    entries: BTreeMap<u64, Vec<u8>>,
    derived: Option<Vec<u8>>,
}

impl MemStore {
    /// Direct access to the stored bytes, bypassing every check: for tests
    /// that simulate damage.
    pub fn danger_entries_mut(&mut self) -> &mut BTreeMap<u64, Vec<u8>> {
        &mut self.entries
    }
}

impl Store for MemStore {
    fn last_seq(&self) -> Result<Option<u64>> {
        Ok(self.entries.keys().next_back().copied())
    }

    fn get(&self, seq: u64) -> Result<Option<Vec<u8>>> {
        Ok(self.entries.get(&seq).cloned())
    }

    fn scan(&self, from: u64) -> Box<dyn Iterator<Item = Result<RawEntry>> + '_> {
        Box::new(self.entries.range(from..).map(|(k, v)| Ok((*k, v.clone()))))
    }

    fn append(&mut self, seq: u64, entry: &[u8], derived: &[u8]) -> Result<()> {
        self.append_batch(&[(seq, entry.to_vec())], derived)
    }

    fn append_batch(&mut self, entries: &[(u64, Vec<u8>)], derived: &[u8]) -> Result<()> {
        check_batch(self.last_seq()?, entries)?;
        self.entries.extend(entries.iter().cloned());
        self.derived = Some(derived.to_vec());
        Ok(())
    }

    fn derived(&self) -> Result<Option<Vec<u8>>> {
        Ok(self.derived.clone())
    }

    fn set_derived(&mut self, derived: &[u8]) -> Result<()> {
        self.derived = Some(derived.to_vec());
        Ok(())
    }
}
