//! Records: the per-id part of the derived state (clauses now; commitments,
//! allegations and rulings later), kept apart from the small per-ledger part
//! so that an append reads and writes only the records its event touches.
//!
//! Invariant: folding an entry changes no record outside
//! [`Event::touches`]. The ledger relies on it to persist only those.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::codec::{self, CodecError};
use crate::entry::Head;
use crate::event::Event;
use crate::ids::{ClauseId, PartyId};

/// A clause as the record stands: its proposal and endorsements.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ClauseState {
    pub title: String,
    pub proposer: PartyId,
    pub proposal: Head,
    /// Endorsing parties with the seq of their endorsement, in order.
    pub endorsements: Vec<(PartyId, u64)>,
    /// The seq of the endorsement that met the adoption rule.
    pub adopted_at: Option<u64>,
}

/// The name of one record.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum RecordKey {
    Clause(ClauseId),
}

const CLAUSE_PREFIX: &[u8] = b"clause/";

impl RecordKey {
    /// The key under which a store keeps this record.
    pub fn to_bytes(&self) -> Vec<u8> {
        match self {
            RecordKey::Clause(id) => [CLAUSE_PREFIX, id.as_str().as_bytes()].concat(),
        }
    }

    pub fn from_bytes(bytes: &[u8]) -> Option<RecordKey> {
        let id = bytes.strip_prefix(CLAUSE_PREFIX)?;
        let id = std::str::from_utf8(id).ok()?;
        ClauseId::new(id).ok().map(RecordKey::Clause)
    }
}

impl Event {
    /// The records that admitting this event reads or writes.
    pub fn touches(&self) -> Vec<RecordKey> {
        match self {
            Event::Charter(_) => Vec::new(),
            Event::ClauseProposed { id, .. } => vec![RecordKey::Clause(id.clone())],
            Event::ClauseEndorsed { clause, .. } => vec![RecordKey::Clause(clause.clone())],
        }
    }
}

/// A record's store key and encoded value.
pub type EncodedRecord = (Vec<u8>, Vec<u8>);

/// All records, or (for an append) just the ones an event touches.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Records {
    pub(crate) clauses: BTreeMap<ClauseId, ClauseState>,
}

impl Records {
    pub fn clauses(&self) -> &BTreeMap<ClauseId, ClauseState> {
        &self.clauses
    }

    /// The encoded value of one record, or `None` if it does not exist.
    pub fn encode(&self, key: &RecordKey) -> Result<Option<Vec<u8>>, CodecError> {
        match key {
            RecordKey::Clause(id) => self.clauses.get(id).map(codec::encode_derived).transpose(),
        }
    }

    /// Loads one record from its stored bytes.
    pub fn load(&mut self, key: &RecordKey, bytes: &[u8]) -> Result<(), CodecError> {
        match key {
            RecordKey::Clause(id) => {
                self.clauses
                    .insert(id.clone(), codec::decode_derived(bytes)?);
            }
        }
        Ok(())
    }

    /// Only the records in `keys`.
    pub fn restrict(mut self, keys: &[RecordKey]) -> Records {
        self.clauses
            .retain(|id, _| keys.contains(&RecordKey::Clause(id.clone())));
        self
    }

    /// Every record as stored key and value.
    pub fn encode_all(&self) -> Result<Vec<EncodedRecord>, CodecError> {
        self.clauses
            .iter()
            .map(|(id, c)| {
                Ok((
                    RecordKey::Clause(id.clone()).to_bytes(),
                    codec::encode_derived(c)?,
                ))
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_round_trip() {
        let k = RecordKey::Clause(ClauseId::new("C1").unwrap());
        assert_eq!(k.to_bytes(), b"clause/C1");
        assert_eq!(RecordKey::from_bytes(&k.to_bytes()), Some(k));
        assert_eq!(RecordKey::from_bytes(b"clause/bad id"), None);
        assert_eq!(RecordKey::from_bytes(b"other/C1"), None);
    }
}
