//! Incremental checkpoints, for long runs of appends (an import, a mirror, a
//! server, a synthetic ledger, a rebuild): once one checkpoint has been
//! computed in full, the next ones are computed from what the entries since
//! changed ([`Checkpointer`]), and a [`WriteSession`] keeps the open records
//! in memory between batches, so that a checkpoint costs the changes, not
//! the live set. The bytes written are the same as [`checkpoint`]'s, which
//! stays the reference (tests compare the two). Never reads the store.

use std::collections::{BTreeMap, BTreeSet};

use accord_core::open_index::OpenIndex;
use accord_core::{codec, RecordKey, Sealed, State};
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

/// The records admitting `entry` into `state` changed, or whose openness
/// it changed: the [`closure`] of what it touches. (No entry changes the
/// openness of a record it does not touch: a clause's liveness reads only
/// its own record, not the charter, so an amendment reopens nothing.)
pub(super) fn changed_by(state: &State, entry: &Sealed) -> Vec<RecordKey> {
    closure(state, entry.entry.body.event.touches())
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

    /// What comparing every checkpoint of one ledger saw.
    #[derive(Default)]
    struct Seen {
        compared: usize,
        deltas: usize,
        with_removals: usize,
        full_after_deltas: usize,
    }

    /// Replays `l`; after every entry the open index must be
    /// `projection::open_keys`, and at every `every`th entry computing the
    /// checkpoint both ways (in full from the whole state and the
    /// reference's previous one, and incrementally) must give the same
    /// bytes.
    fn compare_every_checkpoint(l: &Ledger<MemStore>, name: &str, every: u64) -> Seen {
        let mut seen = Seen::default();
        let mut reference: Option<CheckpointBase> = None;
        let mut incremental: Option<Checkpointer> = None;
        verify::replay_while(
            l.store(),
            |_| true,
            |e, state| {
                if let Some(c) = incremental.as_mut() {
                    c.note(state, &changed_by(state, e));
                    let open = projection::open_keys(state);
                    let mut indexed: Vec<&RecordKey> = c.index.keys().collect();
                    indexed.sort();
                    assert_eq!(
                        indexed,
                        open.iter().collect::<Vec<_>>(),
                        "{name} at {}",
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
                        assert_eq!(got, want, "{name} at {}", e.seq());
                        seen.compared += 1;
                        seen.deltas += usize::from(base.depth > 0);
                        let cp: Checkpoint = codec::decode_derived(&want.1).unwrap();
                        seen.with_removals += usize::from(!cp.removed.is_empty());
                        let after_deltas = reference.as_ref().is_some_and(|r| r.depth > 0);
                        seen.full_after_deltas += usize::from(cp.base.is_none() && after_deltas);
                    }
                }
                reference = Some(base);
            },
        )
        .unwrap();
        seen
    }

    /// Replays a ledger of each workload and compares every checkpoint.
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
            let seen = compare_every_checkpoint(&l, w.name(), 16);
            assert_eq!(seen.compared, 1_200 / 16, "{}", w.name());
            assert!(
                seen.deltas > 0,
                "{}: no delta checkpoint was compared",
                w.name()
            );
            with_removals += seen.with_removals;
            full_after_deltas += seen.full_after_deltas;
        }
        assert!(with_removals > 0, "no compared delta removed a record");
        assert!(full_after_deltas > 0, "no full checkpoint followed deltas");
    }

    mod amendments {
        use super::*;
        use accord_core::crypto::public_key;
        use accord_core::{
            Adoption, AmendmentId, Charter, CharterChange, ClauseId, Event, Party, PartyId, Role,
            Rules, Sealed,
        };
        use ed25519_dalek::SigningKey;

        const G1: usize = 1;
        const G2: usize = 2;
        const P1: usize = 3;
        const P2: usize = 4;
        const SEC: usize = 5;
        const JO: usize = 6;
        const CLAUSES: usize = 12;

        fn key(i: usize) -> SigningKey {
            SigningKey::from_bytes(&[i as u8 + 40; 32])
        }

        fn charter() -> Charter {
            let party = |id: &str, role, i| Party {
                id: PartyId::new(id).unwrap(),
                name: id.to_uppercase(),
                role,
                key: public_key(&key(i)),
            };
            Charter {
                title: "Amended".into(),
                parties: vec![
                    party("g1", Role::Guarantor, G1),
                    party("g2", Role::Guarantor, G2),
                    party("p1", Role::Party, P1),
                    party("p2", Role::Party, P2),
                    party("sec", Role::Secretariat, SEC),
                ],
                rules: Rules {
                    clause_adoption: Adoption::AllGuarantors,
                    ruling_quorum: 1,
                },
            }
        }

        fn cid(i: usize) -> ClauseId {
            ClauseId::new(format!("C{i}")).unwrap()
        }

        /// Clauses adopted and accepted by every party to the conflict
        /// (closed), then amendments that reopen them (a new party to the
        /// conflict, a role change) and close them again (a removal),
        /// appended one entry at a time with checkpoints every 8 entries.
        fn build() -> Ledger<MemStore> {
            let mut l = Ledger::init(MemStore::default(), charter(), &key(G1), synth::START)
                .unwrap()
                .with_checkpoints_every(8);
            let time = std::cell::Cell::new(synth::START);
            let put = |l: &mut Ledger<MemStore>, who: usize, event: Event| -> Sealed {
                time.set(time.get() + 60);
                l.append(&key(who), time.get(), time.get(), event).unwrap()
            };
            let mut proposals = Vec::new();
            for i in 0..CLAUSES {
                let e = put(
                    &mut l,
                    SEC,
                    Event::ClauseProposed {
                        id: cid(i),
                        title: "t".into(),
                        text: format!("clause {i}"),
                    },
                );
                proposals.push(e.hash);
            }
            for (i, p) in proposals.iter().enumerate() {
                for g in [G1, G2] {
                    put(
                        &mut l,
                        g,
                        Event::ClauseEndorsed {
                            clause: cid(i),
                            proposal: *p,
                        },
                    );
                }
                for s in [P1, P2] {
                    put(
                        &mut l,
                        s,
                        Event::ClauseAccepted {
                            clause: cid(i),
                            proposal: *p,
                        },
                    );
                }
            }
            let amend = |l: &mut Ledger<MemStore>, id: &str, change: CharterChange| {
                let m = AmendmentId::new(id).unwrap();
                let e = put(
                    l,
                    SEC,
                    Event::AmendmentProposed {
                        id: m.clone(),
                        changes: vec![change],
                        reason: "r".into(),
                    },
                );
                for g in [G1, G2] {
                    put(
                        l,
                        g,
                        Event::AmendmentEndorsed {
                            amendment: m.clone(),
                            proposal: e.hash,
                        },
                    );
                }
            };
            amend(
                &mut l,
                "M1",
                CharterChange::AddParty {
                    id: PartyId::new("jo").unwrap(),
                    name: "Jordan".into(),
                    role: Role::Party,
                    key: public_key(&key(JO)),
                },
            );
            for (i, p) in proposals.iter().enumerate().take(CLAUSES / 2) {
                put(
                    &mut l,
                    JO,
                    Event::ClauseAccepted {
                        clause: cid(i),
                        proposal: *p,
                    },
                );
            }
            amend(
                &mut l,
                "M2",
                CharterChange::RemoveParty {
                    party: PartyId::new("jo").unwrap(),
                },
            );
            amend(
                &mut l,
                "M3",
                CharterChange::ChangeRole {
                    party: PartyId::new("sec").unwrap(),
                    role: Role::Party,
                },
            );
            for (i, p) in proposals.iter().enumerate().take(3) {
                put(
                    &mut l,
                    SEC,
                    Event::ClauseAccepted {
                        clause: cid(i),
                        proposal: *p,
                    },
                );
            }
            l
        }

        #[test]
        fn checkpoints_and_the_open_index_follow_amendments_that_reopen_clauses() {
            let l = build();
            let seen = compare_every_checkpoint(&l, "amendments", 8);
            assert!(seen.compared > 8 && seen.deltas > 0);
        }

        #[test]
        fn appended_one_by_one_or_in_batches_the_derived_data_is_the_reference() {
            let l = build();
            let (_, differences) = l.check_derived().unwrap();
            assert!(differences.is_empty(), "one by one: {differences:?}");
            let entries: Vec<Sealed> = l.entries(1).collect::<Result<_, _>>().unwrap();
            let mut batched = Ledger::init(MemStore::default(), charter(), &key(G1), synth::START)
                .unwrap()
                .with_checkpoints_every(8);
            for chunk in entries.chunks(5) {
                batched.append_sealed(chunk).unwrap();
            }
            let (_, differences) = batched.check_derived().unwrap();
            assert!(differences.is_empty(), "in batches: {differences:?}");
            let report = batched.verify();
            assert!(report.ok(), "{:?}", report.failure);
            // The open view as of every entry, from the checkpoints, is the
            // one a full replay gives.
            for seq in 0..=l.last_seq().unwrap() {
                let view =
                    |s: &State| projection::open_view(projection::obligations(s, synth::START));
                assert_eq!(
                    view(&batched.open_state_at(seq).unwrap()),
                    view(&batched.state_at(seq).unwrap()),
                    "at {seq}"
                );
            }
            let mut l = l;
            let open = l.open_state().unwrap();
            assert_eq!(
                projection::open_keys(&open),
                projection::open_keys(&l.replay().unwrap())
            );
        }
    }
}
