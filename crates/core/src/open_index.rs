//! The open index: which records the open view reads
//! ([`projection::open_keys`]: live items and, transitively, the records they
//! link to), kept up to date entry by entry, so that the cost of knowing it
//! grows with what an entry changed, not with what is live.
//!
//! A record is open when it is live ([`projection::is_live`]) or when an
//! open record links to it ([`Records::links_of`]); each record keeps a count
//! of the open records that link to it. Links are fixed when a record is
//! created. A clause's liveness also reads the charter's parties to the
//! conflict: after an entry that changes them
//! ([`projection::reopens_clauses`]) the caller re-examines every clause.
//! This module only reads the state it is given; it never loads a record.
//!
//! [`Records::links_of`]: crate::records::Records::links_of

use std::collections::HashMap;

use crate::projection;
use crate::records::RecordKey;
use crate::state::State;

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
struct Node {
    live: bool,
    /// Open records that link to this one.
    refs: u32,
}

impl Node {
    fn open(self) -> bool {
        self.live || self.refs > 0
    }
}

/// The records of a state that the open view reads, with what keeps that
/// answer current: [`OpenIndex::update`] after each admitted entry.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct OpenIndex {
    nodes: HashMap<RecordKey, Node>,
}

impl OpenIndex {
    /// The index of `state`, which must hold every live record and the
    /// records they link to (a full state, or the open view's).
    pub fn of(state: &State) -> OpenIndex {
        let mut index = OpenIndex::default();
        let mut flipped = Vec::new();
        for key in state.records().keys() {
            index.update(state, &key, &mut flipped);
        }
        index
    }

    /// Whether the open view reads the record `key`.
    pub fn contains(&self, key: &RecordKey) -> bool {
        self.nodes.get(key).is_some_and(|n| n.open())
    }

    /// The records the open view reads, in no particular order.
    pub fn keys(&self) -> impl Iterator<Item = &RecordKey> {
        self.nodes.iter().filter(|(_, n)| n.open()).map(|(k, _)| k)
    }

    /// How many records the open view reads.
    pub fn len(&self) -> usize {
        self.nodes.values().filter(|n| n.open()).count()
    }

    /// Whether the open view reads no record.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Re-examines the record `key`, which an entry created, changed or
    /// linked to, in `state` (which must hold it, if it exists, and the
    /// records it links to). Every record whose openness changed, `key`
    /// or one it links to, is pushed onto `flipped`.
    pub fn update(&mut self, state: &State, key: &RecordKey, flipped: &mut Vec<RecordKey>) {
        let live = projection::is_live(state, key);
        let node = self.nodes.get(key).copied().unwrap_or_default();
        if node.live == live {
            return;
        }
        self.set(key, Node { live, ..node }, state, flipped);
    }

    fn set(&mut self, key: &RecordKey, node: Node, state: &State, flipped: &mut Vec<RecordKey>) {
        let was = self.nodes.get(key).copied().unwrap_or_default();
        if node == Node::default() {
            self.nodes.remove(key);
        } else {
            self.nodes.insert(key.clone(), node);
        }
        if was.open() == node.open() {
            return;
        }
        flipped.push(key.clone());
        for link in state.records().links_of([key]) {
            let mut n = self.nodes.get(&link).copied().unwrap_or_default();
            n.refs = if node.open() {
                n.refs + 1
            } else {
                debug_assert!(n.refs > 0, "{link:?} had no open record linking to it");
                n.refs.saturating_sub(1)
            };
            self.set(&link, n, state, flipped);
        }
    }
}
