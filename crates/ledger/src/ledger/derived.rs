//! Derived data: what appends and the open view read instead of replaying
//! history (the chain snapshot, the records of items, the index of live
//! items, projection checkpoints), how it is computed from a state, loaded
//! (rebuilt when stale or undecodable), rebuilt and checked. The layout is
//! docs/DERIVED.md. Derived data is a cache: the entries always win over it,
//! and verify never reads it.

use std::collections::{BTreeMap, BTreeSet};

use accord_core::records::LoadError;
use accord_core::{codec, projection};
use accord_core::{Chain, RecordKey, Records, Sealed, State};
use accord_store::{KeyValue, Store};
use serde::{Deserialize, Serialize};

use super::incremental::{changed_by, Checkpointer};
use super::{tree, Ledger};
use crate::verify;
use crate::LedgerError;

/// Version of the derived data's layout; a ledger whose derived data has
/// another version rebuilds it from the entries when first used. 4: the
/// index of live items (`live/`); 5: projection checkpoints; 6: the Merkle
/// tree's hashes (`tree/`) and the index of key events (`keyevent/`); 7:
/// checkpoints as deltas between full ones; 8: commitments and clauses over
/// time, charter amendments (issue 13's record fields).
const SNAPSHOT_VERSION: u32 = 9;
/// Derived key of the per-ledger part of the state; records live under
/// their own keys ([`RecordKey::to_bytes`]).
const CHAIN_KEY: &[u8] = b"chain";
/// Prefix of the index of items that can show in the open view of
/// obligations ([`projection::is_live`]): `live/` + the record's key.
const LIVE_PREFIX: &[u8] = b"live/";
/// Entries between two projection checkpoints.
pub const CHECKPOINT_EVERY: u64 = 1024;
/// Prefix of projection checkpoints: `checkpoint/` + the seq, big-endian.
const CHECKPOINT_PREFIX: &[u8] = b"checkpoint/";

/// The hash of a record key that [`Ledger::written`] holds.
pub(super) fn key_hash(key: &RecordKey) -> u64 {
    use std::hash::{Hash, Hasher};
    let mut h = std::hash::DefaultHasher::new();
    key.hash(&mut h);
    h.finish()
}

pub(super) fn checkpoint_key(seq: u64) -> Vec<u8> {
    [CHECKPOINT_PREFIX, &seq.to_be_bytes()].concat()
}

/// The state after an entry whose seq is a multiple of the checkpoint
/// interval, cut down to what the open view needs: the chain and the records
/// of live items and of what they link to ([`projection::open_keys`]).
/// A full checkpoint (`base` is `None`) holds all those records; a delta
/// holds only those that differ from the checkpoint at `base` (the one
/// before it), and the keys that are no longer among them, so that its size
/// grows with what changed, not with what is live. A full one is written
/// again once the deltas since the last full one add up to more than
/// [`DELTAS_PER_FULL`] times its bytes, or after [`MAX_DELTAS`] of them:
/// reading any checkpoint then costs at most about four times the live
/// records' size, and [`MAX_DELTAS`] + 1 reads.
/// Derived data: rebuilt from the entries, never read by verify.
#[derive(Serialize, Deserialize)]
pub(super) struct Checkpoint {
    pub(super) version: u32,
    pub(super) chain: Chain,
    /// The seq of the checkpoint this one is a delta from; `None`: full.
    pub(super) base: Option<u64>,
    /// Deltas since the last full checkpoint, this one included.
    pub(super) depth: u32,
    /// Bytes of the records and removed keys of those deltas.
    pub(super) delta_bytes: u64,
    /// Bytes of the records of the last full checkpoint.
    pub(super) full_bytes: u64,
    pub(super) records: Vec<(Vec<u8>, Vec<u8>)>,
    pub(super) removed: Vec<Vec<u8>>,
}

impl Checkpoint {
    /// A delta of `state` on the checkpoint `base` describes.
    pub(super) fn delta(
        state: &State,
        base: &CheckpointBase,
        delta_bytes: u64,
        records: Vec<(Vec<u8>, Vec<u8>)>,
        removed: Vec<Vec<u8>>,
    ) -> Checkpoint {
        Checkpoint {
            version: SNAPSHOT_VERSION,
            chain: state.chain().clone(),
            base: Some(base.seq),
            depth: base.depth + 1,
            delta_bytes,
            full_bytes: base.full_bytes,
            records,
            removed,
        }
    }

    /// A full checkpoint of `state`: every open record, `full_bytes` of them.
    pub(super) fn full(
        state: &State,
        full_bytes: u64,
        records: Vec<(Vec<u8>, Vec<u8>)>,
    ) -> Checkpoint {
        Checkpoint {
            version: SNAPSHOT_VERSION,
            chain: state.chain().clone(),
            base: None,
            depth: 0,
            delta_bytes: 0,
            full_bytes,
            records,
            removed: Vec::new(),
        }
    }
}

impl CheckpointBase {
    /// Whether the next checkpoint may be a delta on this one, its deltas
    /// since the last full one then adding up to `delta_bytes`.
    pub(super) fn allows_delta(&self, delta_bytes: u64) -> bool {
        self.depth < MAX_DELTAS && delta_bytes <= DELTAS_PER_FULL * self.full_bytes
    }
}

/// Most deltas between two full checkpoints.
const MAX_DELTAS: u32 = 256;
/// The deltas since a full checkpoint may add up to this many times its
/// bytes before the next full one.
const DELTAS_PER_FULL: u64 = 3;

/// A checkpoint's records as they stood at its seq, and what the next
/// checkpoint needs to decide between a delta and a full one.
#[derive(Clone)]
pub(super) struct CheckpointBase {
    pub(super) seq: u64,
    pub(super) records: BTreeMap<Vec<u8>, Vec<u8>>,
    pub(super) depth: u32,
    pub(super) delta_bytes: u64,
    pub(super) full_bytes: u64,
}

pub(super) fn record_bytes<'a>(
    records: impl IntoIterator<Item = (&'a Vec<u8>, &'a Vec<u8>)>,
) -> u64 {
    records
        .into_iter()
        .map(|(k, v)| (k.len() + v.len()) as u64)
        .sum()
}

/// The checkpoint of `state`, which must hold every live record: a delta
/// from `prev` (the checkpoint just before, if known) or a full one; with
/// what the next checkpoint needs.
pub(super) fn checkpoint(
    state: &State,
    prev: Option<&CheckpointBase>,
) -> Result<(KeyValue, CheckpointBase), LedgerError> {
    let mut records = BTreeMap::new();
    for key in projection::open_keys(state) {
        if let Some(value) = state.records().encode(&key)? {
            records.insert(key.to_bytes(), value);
        }
    }
    let full_bytes = record_bytes(&records);
    let delta = prev.and_then(|p| {
        let changed: Vec<(Vec<u8>, Vec<u8>)> = records
            .iter()
            .filter(|(k, v)| p.records.get(*k) != Some(*v))
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect();
        let removed: Vec<Vec<u8>> = p
            .records
            .keys()
            .filter(|k| !records.contains_key(*k))
            .cloned()
            .collect();
        let bytes = record_bytes(changed.iter().map(|(k, v)| (k, v)))
            + removed.iter().map(|k| k.len() as u64).sum::<u64>();
        let delta_bytes = p.delta_bytes + bytes;
        p.allows_delta(delta_bytes)
            .then_some((p, changed, removed, delta_bytes))
    });
    let (cp, base) = match delta {
        Some((p, changed, removed, delta_bytes)) => (
            Checkpoint::delta(state, p, delta_bytes, changed, removed),
            CheckpointBase {
                seq: state.head().seq,
                records,
                depth: p.depth + 1,
                delta_bytes,
                full_bytes: p.full_bytes,
            },
        ),
        None => (
            Checkpoint::full(
                state,
                full_bytes,
                records
                    .iter()
                    .map(|(k, v)| (k.clone(), v.clone()))
                    .collect(),
            ),
            CheckpointBase {
                seq: state.head().seq,
                records,
                depth: 0,
                delta_bytes: 0,
                full_bytes,
            },
        ),
    };
    let value = codec::encode_derived(&cp)?;
    Ok(((checkpoint_key(state.head().seq), value), base))
}

/// One way stored derived data differs from what the entries give, by key
/// (`chain`, `live/…`, a record's key, `checkpoint/<seq>`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "difference", content = "key", rename_all = "kebab-case")]
pub enum DerivedDifference {
    /// Stored, but the entries do not give it.
    Extra(String),
    /// Given by the entries, but not stored.
    Missing(String),
    /// Stored with another value than the entries give.
    Changed(String),
}

fn derived_key_name(key: &[u8]) -> String {
    if let Some(name) = tree::key_name(key) {
        return name;
    }
    match key.strip_prefix(CHECKPOINT_PREFIX) {
        Some(seq) if seq.len() == 8 => {
            let mut be = [0u8; 8];
            be.copy_from_slice(seq);
            format!("checkpoint/{}", u64::from_be_bytes(be))
        }
        _ => String::from_utf8_lossy(key).escape_debug().to_string(),
    }
}

/// Derived writes of a new ledger's entry 0: its state, checkpoint, leaf
/// of the tree and key event.
pub(crate) fn genesis_writes(entry: &Sealed, state: &State) -> Result<Vec<KeyValue>, LedgerError> {
    let mut writes = derived_writes(state)?;
    writes.push(checkpoint(state, None)?.0);
    let mut tree = tree::TreeRebuild::default();
    tree.push(entry);
    writes.extend(tree.into_writes());
    Ok(writes)
}

/// The per-ledger state stored beside the entries, tagged with the head it
/// was folded up to. It speeds appends and is never read by verify.
#[derive(Serialize, Deserialize)]
struct Snapshot {
    version: u32,
    chain: Chain,
}

/// The derived writes that go with an append: the chain snapshot and every
/// record the (partial) state holds, which are the ones loaded or created.
/// Each record comes with its entry in the index of live items: present
/// while live, removed (an empty value) once not.
pub(super) fn derived_writes(state: &State) -> Result<Vec<KeyValue>, LedgerError> {
    derived_writes_for(state, state.records().keys())
}

/// [`derived_writes`] for the records in `keys` only (those a batch
/// changed), which the state must hold.
pub(super) fn derived_writes_for(
    state: &State,
    keys: BTreeSet<RecordKey>,
) -> Result<Vec<KeyValue>, LedgerError> {
    let mut out = vec![(CHAIN_KEY.to_vec(), snapshot_bytes(state.chain())?)];
    for key in &keys {
        if let Some(value) = state.records().encode(key)? {
            out.push((key.to_bytes(), value));
        }
    }
    for key in keys {
        let live = projection::is_live(state, &key);
        out.push((
            [LIVE_PREFIX, &key.to_bytes()].concat(),
            if live { vec![1] } else { Vec::new() },
        ));
    }
    Ok(out)
}

/// Why loading records must start over or stop.
pub(super) enum Reload {
    /// Derived data was damaged and has been rebuilt.
    Stale,
    Failed(LedgerError),
}

impl<E: Into<LedgerError>> From<E> for Reload {
    fn from(e: E) -> Self {
        Reload::Failed(e.into())
    }
}

fn snapshot_bytes(chain: &Chain) -> Result<Vec<u8>, LedgerError> {
    Ok(codec::encode_derived(&Snapshot {
        version: SNAPSHOT_VERSION,
        chain: chain.clone(),
    })?)
}

impl<S: Store> Ledger<S> {
    /// The per-ledger state at the head, from the stored snapshot when it
    /// matches the stored head; otherwise all derived data is rebuilt by a
    /// verifying replay. The entries always win over derived data.
    pub(crate) fn chain(&mut self) -> Result<Chain, LedgerError> {
        let head = self.entry(self.last_seq()?)?.head();
        if let Some(bytes) = self.store.derived(CHAIN_KEY)? {
            if let Ok(snap) = codec::decode_derived::<Snapshot>(&bytes) {
                if snap.version == SNAPSHOT_VERSION && snap.chain.head() == head {
                    return Ok(snap.chain);
                }
            }
        }
        Ok(self.rebuild_derived()?.into_parts().0)
    }

    /// The state at the head with no records loaded yet.
    pub(super) fn head_state(&mut self) -> Result<State, LedgerError> {
        Ok(State::from_parts(self.chain()?, Records::default()))
    }

    /// Loads into `state` the records in `keys` and, transitively, the
    /// records they link to, skipping keys already in `loaded` (which may
    /// hold changes not yet stored). Reads no history. An undecodable record
    /// means derived data is damaged: it is rebuilt and `Stale` returned.
    pub(super) fn load_records(
        &mut self,
        state: &mut State,
        loaded: &mut BTreeSet<RecordKey>,
        keys: Vec<RecordKey>,
    ) -> Result<(), Reload> {
        let (store, written) = (&self.store, &self.written);
        let outcome = state.load_linked(keys, |key| {
            // Looked up earlier in this batch: held now, or known absent.
            if !loaded.insert(key.clone()) {
                return Ok(None);
            }
            if written
                .as_ref()
                .is_some_and(|w| !w.contains(&key_hash(key)))
            {
                return Ok(None);
            }
            store.derived(&key.to_bytes())
        });
        match outcome {
            Ok(()) => Ok(()),
            Err(LoadError::Fetch(e)) => Err(e.into()),
            Err(LoadError::Undecodable(..)) => {
                self.rebuild_derived()?;
                Err(Reload::Stale)
            }
        }
    }

    /// Runs `attempt`, once more if it found derived data damaged (and
    /// rebuilt it); damaged again after the rebuild is an error.
    pub(super) fn retrying<T>(
        &mut self,
        mut attempt: impl FnMut(&mut Self) -> Result<T, Reload>,
    ) -> Result<T, LedgerError> {
        for _ in 0..2 {
            match attempt(self) {
                Ok(v) => return Ok(v),
                Err(Reload::Stale) => continue,
                Err(Reload::Failed(e)) => return Err(e),
            }
        }
        Err(LedgerError::Damaged {
            seq: self.last_seq()?,
            reason: "derived data stays undecodable after a rebuild".into(),
        })
    }

    /// The state at the head with the records `keys` need.
    pub(super) fn state_for(&mut self, keys: Vec<RecordKey>) -> Result<State, LedgerError> {
        self.retrying(|l| {
            let mut state = l.head_state()?;
            l.load_records(&mut state, &mut BTreeSet::new(), keys.clone())?;
            Ok(state)
        })
    }

    /// Rebuilds every piece of derived data from the entries, replacing what
    /// was stored. Refuses a damaged ledger.
    pub fn rebuild_derived(&mut self) -> Result<State, LedgerError> {
        Ok(self.rebuild_derived_reporting()?.0)
    }

    /// [`Ledger::rebuild_derived`], also saying what differed.
    pub fn rebuild_derived_reporting(
        &mut self,
    ) -> Result<(State, Vec<DerivedDifference>), LedgerError> {
        self.writer = None;
        self.written = None;
        let (state, writes) = self.recompute_derived(false)?;
        let differences = self.derived_differences(&writes)?;
        self.store.replace_derived(&writes)?;
        Ok((state, differences))
    }

    /// Recomputes every piece of derived data from the entries and compares
    /// it with what is stored, changing nothing: what an auditor runs to
    /// learn whether derived data (which the fast views trust) was edited.
    /// Checkpoints are recomputed the reference way, in full from the whole
    /// state, so that this also checks the incremental computation appends
    /// and rebuilds use (it costs the live set per checkpoint).
    pub fn check_derived(&self) -> Result<(State, Vec<DerivedDifference>), LedgerError> {
        let (state, writes) = self.recompute_derived(true)?;
        let differences = self.derived_differences(&writes)?;
        Ok((state, differences))
    }

    /// Every difference between the stored derived data and `expected`,
    /// in key order.
    fn derived_differences(
        &self,
        expected: &[KeyValue],
    ) -> Result<Vec<DerivedDifference>, LedgerError> {
        let expected: std::collections::BTreeMap<&[u8], &[u8]> = expected
            .iter()
            .filter(|(_, v)| !v.is_empty())
            .map(|(k, v)| (k.as_slice(), v.as_slice()))
            .collect();
        let mut stored = std::collections::BTreeMap::new();
        for kv in self.store.derived_scan(b"") {
            let (k, v) = kv?;
            stored.insert(k, v);
        }
        let mut out = Vec::new();
        for (k, v) in &expected {
            match stored.get(*k) {
                None => out.push(DerivedDifference::Missing(derived_key_name(k))),
                Some(s) if s.as_slice() != *v => {
                    out.push(DerivedDifference::Changed(derived_key_name(k)))
                }
                Some(_) => {}
            }
        }
        for k in stored.keys() {
            if !expected.contains_key(k.as_slice()) {
                out.push(DerivedDifference::Extra(derived_key_name(k)));
            }
        }
        Ok(out)
    }

    /// Every piece of derived data, recomputed from the entries. With
    /// `reference`, each checkpoint is computed in full from the whole
    /// state ([`checkpoint`], the reference); otherwise the later ones from
    /// what changed ([`Checkpointer`], as appends compute them).
    fn recompute_derived(&self, reference: bool) -> Result<(State, Vec<KeyValue>), LedgerError> {
        let every = self.checkpoint_every;
        let mut checkpoints = Vec::new();
        let mut failed = None;
        let mut tree = tree::TreeRebuild::default();
        // Entry 0 is a checkpoint, computed in full; unless `reference`,
        // the later ones from what changed.
        let mut checkpointer: Option<Checkpointer> = None;
        let mut prev: Option<CheckpointBase> = None;
        let state = verify::replay_while(
            &self.store,
            |_| true,
            |e, state| {
                tree.push(e);
                if failed.is_some() {
                    return;
                }
                if let Some(c) = checkpointer.as_mut() {
                    c.note(state, &changed_by(state, e));
                }
                if e.seq() % every == 0 {
                    let made = match checkpointer.as_mut() {
                        Some(c) => c.checkpoint(state),
                        None => checkpoint(state, prev.as_ref()).map(|(kv, base)| {
                            if reference {
                                prev = Some(base);
                            } else {
                                checkpointer = Some(Checkpointer::start(state, base));
                            }
                            kv
                        }),
                    };
                    match made {
                        Ok(kv) => checkpoints.push(kv),
                        Err(err) => failed = Some(err),
                    }
                }
            },
        )?;
        if let Some(err) = failed {
            return Err(err);
        }
        let mut writes = derived_writes(&state)?;
        writes.extend(checkpoints);
        writes.extend(tree.into_writes());
        Ok((state, writes))
    }

    /// The keys in the index of live items; a damaged index is rebuilt.
    pub(super) fn live_keys(&mut self) -> Result<Vec<RecordKey>, Reload> {
        let names: Vec<Vec<u8>> = self
            .store
            .derived_scan(LIVE_PREFIX)
            .map(|item| item.map(|(k, _)| k))
            .collect::<Result<_, _>>()?;
        let keys: Option<Vec<RecordKey>> = names
            .iter()
            .map(|k| RecordKey::from_bytes(&k[LIVE_PREFIX.len()..]))
            .collect();
        match keys {
            Some(keys) => Ok(keys),
            None => {
                self.rebuild_derived()?;
                Err(Reload::Stale)
            }
        }
    }

    /// The checkpoint at `seq` with its records as they stood then (a delta
    /// applied to the checkpoints it builds on); `None` if it or one it
    /// builds on is missing, of another version or undecodable.
    fn read_checkpoint(&self, seq: u64) -> Result<Option<(Chain, CheckpointBase)>, LedgerError> {
        let mut chain = Vec::new();
        let mut at = seq;
        loop {
            let Some(bytes) = self.store.derived(&checkpoint_key(at))? else {
                return Ok(None);
            };
            let Ok(cp) = codec::decode_derived::<Checkpoint>(&bytes) else {
                return Ok(None);
            };
            if cp.version != SNAPSHOT_VERSION || chain.len() > MAX_DELTAS as usize {
                return Ok(None);
            }
            let base = cp.base;
            chain.push(cp);
            match base {
                None => break,
                Some(b) if b < at => at = b,
                Some(_) => return Ok(None),
            }
        }
        let mut records = BTreeMap::new();
        let mut last = None;
        while let Some(cp) = chain.pop() {
            for k in &cp.removed {
                records.remove(k);
            }
            records.extend(cp.records.iter().cloned());
            last = Some(cp);
        }
        let Some(cp) = last else {
            return Ok(None);
        };
        Ok(Some((
            cp.chain,
            CheckpointBase {
                seq,
                records,
                depth: cp.depth,
                delta_bytes: cp.delta_bytes,
                full_bytes: cp.full_bytes,
            },
        )))
    }

    /// What the checkpoint after the one at `seq` builds on: that one's
    /// records, if it is there and usable (else the next is a full one).
    pub(super) fn checkpoint_base(&self, seq: u64) -> Result<Option<CheckpointBase>, LedgerError> {
        Ok(self.read_checkpoint(seq)?.map(|(_, base)| base))
    }

    /// [`Ledger::open_state_at`] without the fallback: `None` when there is
    /// no usable checkpoint at or before `seq` (`seq` must exist).
    pub fn open_state_from_checkpoint(&self, seq: u64) -> Result<Option<State>, LedgerError> {
        let base = seq - seq % self.checkpoint_every;
        let Some((chain, cp)) = self.read_checkpoint(base)? else {
            return Ok(None);
        };
        if chain.head() != self.entry(base)?.head() {
            return Ok(None);
        }
        let mut records = Records::default();
        for (k, v) in &cp.records {
            match RecordKey::from_bytes(k) {
                Some(key) if records.load(&key, v).is_ok() => {}
                _ => return Ok(None),
            }
        }
        let mut state = State::from_parts(chain, records);
        for item in self.store.scan(base + 1).take((seq - base) as usize) {
            let (n, bytes) = item?;
            let Ok(e) = Sealed::from_bytes(bytes) else {
                return Ok(None);
            };
            if e.seq() != n {
                return Ok(None);
            }
            // Records the checkpoint left out (items closed by then) that
            // this entry reads: their stored version, which may hold later
            // changes (a dissent recorded after a ruling's adoption, its
            // supersession by a revision). A closed item only changes in
            // ways the open view does not show; if a later change makes the
            // rules refuse this entry (a revision of a ruling that a later
            // revision superseded by the head), the caller replays from the
            // start instead: correct, and slower until the next checkpoint.
            let event = &e.entry.body.event;
            let created = event.created_id();
            // An item's notes are always live (`projection::is_live`), so
            // the checkpoint holds every one that existed then; one not held
            // here was begun after it, and its stored version (with later
            // referrals) would misjudge this entry.
            let keys: Vec<RecordKey> = event
                .touches()
                .into_iter()
                .filter(|k| Some(k.id()) != created && !matches!(k, RecordKey::Notes(_)))
                .collect();
            match state.load_linked(keys, |key| self.store.derived(&key.to_bytes())) {
                Ok(()) => {}
                Err(LoadError::Fetch(err)) => return Err(err.into()),
                Err(LoadError::Undecodable(..)) => return Ok(None),
            }
            if state.admit_checked(&e, true).is_err() {
                return Ok(None);
            }
        }
        Ok(Some(state))
    }
}

#[cfg(test)]
mod layout_doc {
    use super::SNAPSHOT_VERSION;

    const DOC: &str = include_str!("../../../../docs/DERIVED.md");

    #[test]
    fn docs_derived_describes_this_layout_version() {
        let title = DOC.lines().next().unwrap_or_default();
        assert_eq!(
            title,
            format!("# accord derived data, layout version {SNAPSHOT_VERSION}"),
            "docs/DERIVED.md's title names another layout version than SNAPSHOT_VERSION"
        );
        let last_row = DOC
            .split("## Version history")
            .nth(1)
            .and_then(|history| history.lines().rev().find(|l| l.starts_with("| ")))
            .unwrap_or_default();
        assert!(
            last_row.starts_with(&format!("| {SNAPSHOT_VERSION} |")),
            "docs/DERIVED.md's version history ends with {last_row:?}, not version {SNAPSHOT_VERSION}"
        );
    }
}
