//! Which key each party signs with, and since when: the charter's keys,
//! then rotations (by the party's current key) and revocations (by a quorum
//! of guarantors), each effective from its position in the chain.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::charter::Charter;
use crate::crypto::PublicKey;
use crate::ids::{KeyId, PartyId};

/// One key's period of validity: from the entry that installed it (0 for
/// the charter) until the entry that replaced or revoked it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct KeySpan {
    /// The key.
    pub key: PublicKey,
    /// The seq of the entry from which it signs (0 for the charter's keys).
    pub from: u64,
    /// The seq of the entry that replaced or revoked it; `None` while current.
    pub until: Option<u64>,
}

/// Every party's keys through the ledger's life: which key signs at which seq.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Keyring {
    spans: BTreeMap<PartyId, Vec<KeySpan>>,
}

impl Keyring {
    /// The keyring as the charter founds it: each party's charter key, from entry 0.
    pub fn from_charter(charter: &Charter) -> Keyring {
        Keyring {
            spans: charter
                .parties
                .iter()
                .map(|p| {
                    (
                        p.id.clone(),
                        vec![KeySpan {
                            key: p.key,
                            from: 0,
                            until: None,
                        }],
                    )
                })
                .collect(),
        }
    }

    /// The party's key now, or `None` if it was revoked without a
    /// replacement.
    pub fn current(&self, party: &PartyId) -> Option<&PublicKey> {
        self.spans
            .get(party)?
            .last()
            .filter(|s| s.until.is_none())
            .map(|s| &s.key)
    }

    /// The party whose current key is `key`.
    pub fn holder(&self, key: &PublicKey) -> Option<&PartyId> {
        self.spans
            .iter()
            .find(|(p, _)| self.current(p) == Some(key))
            .map(|(p, _)| p)
    }

    /// The party that held `key` before it was rotated or revoked, and the
    /// entry from which it no longer signs.
    pub fn former_holder(&self, key: &PublicKey) -> Option<(&PartyId, u64)> {
        self.spans.iter().find_map(|(p, spans)| {
            spans
                .iter()
                .find(|s| s.key == *key)
                .and_then(|s| s.until)
                .map(|until| (p, until))
        })
    }

    /// Whether `key` was ever any party's key (a key is never reused).
    pub fn ever_used(&self, key: &PublicKey) -> bool {
        self.spans.values().flatten().any(|s| s.key == *key)
    }

    /// The key with id `id` that `party` held at entry `seq`, if any.
    pub fn at(&self, party: &PartyId, id: &KeyId, seq: u64) -> Option<&PublicKey> {
        self.spans
            .get(party)?
            .iter()
            .find(|s| s.key.id() == *id && s.from <= seq && s.until.is_none_or(|u| seq < u))
            .map(|s| &s.key)
    }

    /// Every key `party` has held, oldest first.
    pub fn history(&self, party: &PartyId) -> &[KeySpan] {
        self.spans.get(party).map_or(&[], Vec::as_slice)
    }

    /// Ends the party's current key at `seq` and, if given, installs `next`
    /// from the entry after it.
    pub fn replace(&mut self, party: &PartyId, seq: u64, next: Option<PublicKey>) {
        let spans = self.spans.entry(party.clone()).or_default();
        if let Some(last) = spans.last_mut().filter(|s| s.until.is_none()) {
            last.until = Some(seq + 1);
        }
        if let Some(key) = next {
            spans.push(KeySpan {
                key,
                from: seq + 1,
                until: None,
            });
        }
    }
}
