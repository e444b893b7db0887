//! The in-memory twin of the disk stores, for tests and tools: the same
//! contract (the suite in lib.rs runs against it), nothing durable. It must
//! never stand in for a ledger that has to outlive the process.

use std::collections::BTreeMap;

use crate::{check_batch, KeyValue, RawEntry, Result, Store};

/// The in-memory twin of the disk stores, for tests and tools.
#[derive(Debug, Default, Clone)]
pub struct MemStore {
    entries: BTreeMap<u64, Vec<u8>>,
    derived: BTreeMap<Vec<u8>, Vec<u8>>,
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

    fn append(&mut self, seq: u64, entry: &[u8], derived: &[KeyValue]) -> Result<()> {
        self.append_batch(&[(seq, entry.to_vec())], derived)
    }

    fn append_batch(&mut self, entries: &[RawEntry], derived: &[KeyValue]) -> Result<()> {
        check_batch(self.last_seq()?, entries)?;
        self.entries.extend(entries.iter().cloned());
        for (k, v) in derived {
            if v.is_empty() {
                self.derived.remove(k);
            } else {
                self.derived.insert(k.clone(), v.clone());
            }
        }
        Ok(())
    }

    fn derived(&self, key: &[u8]) -> Result<Option<Vec<u8>>> {
        Ok(self.derived.get(key).cloned())
    }

    fn derived_scan(&self, prefix: &[u8]) -> Box<dyn Iterator<Item = Result<KeyValue>> + '_> {
        let prefix = prefix.to_vec();
        Box::new(
            self.derived
                .range(prefix.clone()..)
                .take_while(move |(k, _)| k.starts_with(&prefix))
                .map(|(k, v)| Ok((k.clone(), v.clone()))),
        )
    }

    fn replace_derived(&mut self, derived: &[KeyValue]) -> Result<()> {
        self.derived = derived
            .iter()
            .filter(|(_, v)| !v.is_empty())
            .cloned()
            .collect();
        Ok(())
    }
}
