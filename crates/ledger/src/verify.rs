//! Verification: a streaming replay of the raw entry bytes through the same
//! gate as appends. Memory stays flat in the number of entries and items:
//! at most two chunks of entries are in flight, the chain state is fixed in
//! size (charter, per-author counters, a window of recent hashes), and the
//! records of items are recomputed into scratch space on disk and read back
//! only when a later entry touches them, as appends read derived data.
//! Derived data in the store is never read.

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet, VecDeque};
use std::hash::{Hash, Hasher};
use std::ops::ControlFlow;
use std::sync::{mpsc, Arc, Mutex};

use accord_core::projection;
use accord_core::records::LoadError;
use accord_core::{Event, Head, KeyId, LedgerId, PublicKey, RecordKey, Sealed, State};
use accord_store::{RawEntry, Scratch, Store, StoreError};
use ed25519_dalek::VerifyingKey;
use serde::Serialize;

use crate::LedgerError;

/// The outcome of a verification.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct VerifyReport {
    /// Entries that verified, from seq 0.
    pub verified: u64,
    pub ledger: Option<LedgerId>,
    /// The last verified entry.
    pub head: Option<Head>,
    pub failure: Option<Failure>,
}

impl VerifyReport {
    pub fn ok(&self) -> bool {
        self.failure.is_none()
    }

    /// Whether verification could not be completed (as opposed to finding
    /// the ledger invalid).
    pub fn unchecked(&self) -> bool {
        self.failure
            .as_ref()
            .is_some_and(|f| f.kind == FailureKind::Unchecked)
    }
}

/// The first entry that could not be shown good, and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Failure {
    pub seq: u64,
    pub reason: String,
    pub kind: FailureKind,
}

/// Whether a failure is the ledger's or the verifier's: an audit must tell
/// tampering or damage from a machine that could not finish the check.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum FailureKind {
    /// The entry is bad: it breaks the format, the chain or a rule, or its
    /// stored bytes are damaged.
    Invalid,
    /// The check could not be completed here (an I/O error, a full or
    /// unwritable temporary directory): nothing is known to be wrong with
    /// the ledger.
    Unchecked,
}

impl Failure {
    fn invalid(seq: u64, reason: impl Into<String>) -> Failure {
        Failure {
            seq,
            reason: reason.into(),
            kind: FailureKind::Invalid,
        }
    }

    fn unchecked(seq: u64, reason: impl Into<String>) -> Failure {
        Failure {
            seq,
            reason: reason.into(),
            kind: FailureKind::Unchecked,
        }
    }
}

/// Replays every stored entry, checking encoding, seq continuity, chain
/// links, seen heads, signatures, per-author sequence and the rules.
pub fn verify_store<S: Store + ?Sized>(store: &S) -> VerifyReport {
    verify_store_expecting(store, None)
}

/// [`verify_store`], also checking that the ledger reaches `expect` (a
/// head saved earlier) with the same hash: a truncated tail or a rewritten
/// history then fails too.
pub fn verify_store_expecting<S: Store + ?Sized>(store: &S, expect: Option<Head>) -> VerifyReport {
    verify_store_observed(store, expect, &mut |_| {})
}

/// [`verify_store_expecting`], telling `progress` the seq of each entry
/// that has passed every check (for a progress bar).
pub fn verify_store_observed<S: Store + ?Sized>(
    store: &S,
    expect: Option<Head>,
    progress: &mut dyn FnMut(u64),
) -> VerifyReport {
    let mut seen_expected = None;
    let Folded { state, mut failure } = fold_while(
        store,
        |_| true,
        |e, _| {
            if expect.is_some_and(|h| h.seq == e.seq()) {
                seen_expected = Some(e.hash);
            }
            progress(e.seq());
        },
        Keep::VerdictOnly,
    );
    if let (None, Some(want)) = (&failure, expect) {
        failure = match seen_expected {
            Some(hash) if hash == want.hash => None,
            Some(hash) => Some(Failure::invalid(
                want.seq,
                format!("entry {} has hash {hash}, not the expected {}", want.seq, want.hash),
            )),
            None => Some(Failure::invalid(
                state.as_ref().map_or(0, |s| s.head().seq + 1),
                format!(
                    "the ledger ends before the expected head {}: entries are missing from its tail",
                    want.seq
                ),
            )),
        };
    }
    let failure = match (&state, failure) {
        (None, None) => Some(Failure::invalid(0, "the ledger has no entries")),
        (_, f) => f,
    };
    VerifyReport {
        verified: state.as_ref().map_or(0, |s| s.head().seq + 1),
        ledger: state.as_ref().map(State::ledger_id),
        head: state.as_ref().map(State::head),
        failure,
    }
}

/// Rebuilds the state from the entries, refusing a damaged ledger.
pub(crate) fn replay<S: Store + ?Sized>(store: &S) -> Result<State, LedgerError> {
    replay_while(store, |_| true, |_, _| {})
}

/// Replays, with every check, the entries from seq 0 for which `take`
/// holds, stopping at the first for which it does not; `visit` sees each
/// admitted entry. Refuses a damaged ledger (within the replayed part).
pub(crate) fn replay_while<S: Store + ?Sized>(
    store: &S,
    take: impl FnMut(&Sealed) -> bool,
    visit: impl FnMut(&Sealed, &State),
) -> Result<State, LedgerError> {
    checked(fold_while(store, take, visit, Keep::AllRecords))
}

/// [`replay_while`] for callers that only need to see the entries (export,
/// history): memory stays flat, and the state returned holds no records.
pub(crate) fn stream_while<S: Store + ?Sized>(
    store: &S,
    take: impl FnMut(&Sealed) -> bool,
    visit: impl FnMut(&Sealed, &State),
) -> Result<State, LedgerError> {
    checked(fold_while(store, take, visit, Keep::VerdictOnly))
}

fn checked(folded: Folded) -> Result<State, LedgerError> {
    match folded {
        Folded {
            state: Some(state),
            failure: None,
        } => Ok(state),
        Folded { failure, .. } => {
            let f = failure.unwrap_or(Failure::invalid(0, "the ledger has no entries"));
            Err(match f.kind {
                FailureKind::Invalid => LedgerError::Damaged {
                    seq: f.seq,
                    reason: f.reason,
                },
                FailureKind::Unchecked => LedgerError::Unchecked {
                    seq: f.seq,
                    reason: f.reason,
                },
            })
        }
    }
}

/// What a replay must return besides the verdict.
#[derive(PartialEq, Eq)]
enum Keep {
    /// The full state, every item's record in memory (projections).
    AllRecords,
    /// Only the chain state: item records are spilled to scratch space.
    VerdictOnly,
}

/// The state after the last good entry, and the first failure if any.
struct Folded {
    state: Option<State>,
    failure: Option<Failure>,
}

/// Entries read, decoded and signature-checked together. Bounds memory:
/// at most two chunks (about half a megabyte) are in flight at once.
const CHUNK: usize = 512;

/// One entry as read: decoded, or why it is not and its seq.
type Decoded = Result<Sealed, Failure>;

/// One entry as stored, before decoding.
type Raw = (u64, Result<RawEntry, StoreError>);

/// A part of a chunk handed to a worker: chunk number, part number, the
/// stored entries and the keys known when it was read.
type Job = (u64, usize, Vec<Raw>, Arc<KnownKeys>);
type Done = (u64, usize, Vec<Decoded>, Vec<Checked>);

/// A worker's verdict on one entry's signature.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Checked {
    Good,
    Bad,
    /// Signed by a key put forward by an entry the worker had not seen:
    /// checked again, in order, by the rules' thread.
    UnknownKey,
}

/// A worker's share: decode the stored entries and check their signatures.
fn check_part(raw: Vec<Raw>, keys: &KnownKeys) -> (Vec<Decoded>, Vec<Checked>) {
    let decoded: Vec<Decoded> = raw.into_iter().map(|(n, item)| decode(n, item)).collect();
    let checked = decoded.iter().map(|e| keys.checked(e)).collect();
    (decoded, checked)
}

/// The replay, pipelined: this thread reads chunk k+1 from the store and
/// applies the rules, in order, to chunk k, while workers (one per core)
/// decode the chunks in flight and check their signatures. The store is
/// only touched from this thread.
fn fold_while<S: Store + ?Sized>(
    store: &S,
    take: impl FnMut(&Sealed) -> bool,
    visit: impl FnMut(&Sealed, &State),
    records: Keep,
) -> Folded {
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get());
    let mut scan = (0u64..).zip(store.scan(0)).peekable();
    // Keys learned in order, from the entries the rules have reached.
    let mut keys = Arc::new(KnownKeys::default());
    let mut rules = Rules::new(take, visit, records == Keep::VerdictOnly);
    // The charter's keys sign nearly every entry: learn them before any
    // chunk goes out, so that workers rarely meet a key they do not know.
    if let Some((_, Ok((0, bytes)))) = scan.peek() {
        if let Ok(charter) = Sealed::from_bytes(bytes.clone()) {
            Arc::make_mut(&mut keys).learn(&charter);
        }
    }
    let mut read_chunk = || -> Option<Vec<Raw>> {
        scan.peek()?;
        Some(scan.by_ref().take(CHUNK).collect())
    };
    let settle = |keys: &mut Arc<KnownKeys>, entries: &[Decoded], checked: Vec<Checked>| {
        entries
            .iter()
            .zip(checked)
            .map(|(entry, c)| {
                if let Ok(e) = entry {
                    if KnownKeys::puts_forward(e) {
                        Arc::make_mut(keys).learn(e);
                    }
                }
                match c {
                    Checked::UnknownKey => keys.checked(entry) == Checked::Good,
                    c => c == Checked::Good,
                }
            })
            .collect::<Vec<bool>>()
    };
    if threads < 2 {
        while let Some(chunk) = read_chunk() {
            let (entries, checked) = check_part(chunk, &keys);
            let signatures = settle(&mut keys, &entries, checked);
            if rules.apply(entries, signatures).is_break() {
                break;
            }
        }
        return rules.finish();
    }
    std::thread::scope(|scope| {
        let (job_tx, job_rx) = mpsc::sync_channel::<Job>(8 * threads);
        let job_rx = Arc::new(Mutex::new(job_rx));
        let (done_tx, done_rx) = mpsc::channel::<Done>();
        for _ in 0..threads {
            let job_rx = Arc::clone(&job_rx);
            let done_tx = done_tx.clone();
            scope.spawn(move || loop {
                let job = match job_rx.lock() {
                    Ok(rx) => rx.recv(),
                    Err(_) => return,
                };
                let Ok((chunk, part, raw, keys)) = job else {
                    return;
                };
                let seqs: Vec<u64> = raw.iter().map(|(n, _)| *n).collect();
                // A worker that fails must still answer for its part, or
                // the rules' thread would wait for it forever.
                let (entries, checked) =
                    std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                        check_part(raw, &keys)
                    }))
                    .unwrap_or_else(|_| {
                        seqs.iter()
                            .map(|&n| {
                                let failed =
                                    Failure::unchecked(n, "a signature-checking worker failed");
                                (Err(failed), Checked::Bad)
                            })
                            .unzip()
                    });
                if done_tx.send((chunk, part, entries, checked)).is_err() {
                    return;
                }
            });
        }
        drop(done_tx);
        let dispatch = |n: u64, chunk: Vec<Raw>, keys: &Arc<KnownKeys>| -> usize {
            let per = chunk.len().div_ceil(4 * threads).max(1);
            let mut chunk = chunk.into_iter();
            let mut parts = 0;
            loop {
                let part: Vec<Raw> = chunk.by_ref().take(per).collect();
                if part.is_empty() {
                    return parts;
                }
                if job_tx.send((n, parts, part, Arc::clone(keys))).is_err() {
                    return parts;
                }
                parts += 1;
            }
        };
        // Parts that came back, keyed by (chunk, part), until their chunk
        // is complete and its turn has come.
        let mut back: BTreeMap<(u64, usize), (Vec<Decoded>, Vec<Checked>)> = BTreeMap::new();
        let mut in_flight: VecDeque<(u64, usize)> = VecDeque::new();
        let mut next = 0u64;
        if let Some(chunk) = read_chunk() {
            in_flight.push_back((next, dispatch(next, chunk, &keys)));
            next += 1;
        }
        while let Some((n, parts)) = in_flight.pop_front() {
            if let Some(chunk) = read_chunk() {
                in_flight.push_back((next, dispatch(next, chunk, &keys)));
                next += 1;
            }
            while (0..parts).any(|p| !back.contains_key(&(n, p))) {
                match done_rx.recv() {
                    Ok((c, p, entries, sigs)) => {
                        back.insert((c, p), (entries, sigs));
                    }
                    Err(_) => return rules.abort("a signature-checking worker stopped"),
                }
            }
            let mut entries = Vec::with_capacity(CHUNK);
            let mut checked = Vec::with_capacity(CHUNK);
            for p in 0..parts {
                if let Some((e, c)) = back.remove(&(n, p)) {
                    entries.extend(e);
                    checked.extend(c);
                }
            }
            let signatures = settle(&mut keys, &entries, checked);
            if rules.apply(entries, signatures).is_break() {
                break;
            }
        }
        rules.finish()
    })
}

/// The in-order half of the replay: the state so far and the first failure.
struct Rules<T, V> {
    state: Option<State>,
    failure: Option<Failure>,
    take: T,
    visit: V,
    /// Where item records wait between chunks when the caller needs only
    /// the verdict, keeping memory flat however many items the ledger has.
    spill: Option<Spill>,
}

/// Records of items, recomputed by this replay: those of open items (and
/// commitments) in memory, those of closed items moved to scratch space on
/// disk at the end of each chunk. `moved` holds a hash of every key in
/// scratch space, so that looking up the ids of new items (which all miss)
/// rarely touches the disk.
struct Spill {
    scratch: Scratch,
    moved: HashSet<u64>,
}

fn key_hash(key: &RecordKey) -> u64 {
    let mut h = std::hash::DefaultHasher::new();
    key.hash(&mut h);
    h.finish()
}

impl Spill {
    /// Makes sure `state` holds the records `keys` name, and those they
    /// link to, as the append path does from the store's derived data.
    fn load(&mut self, state: &mut State, keys: Vec<RecordKey>) -> Result<(), String> {
        let (scratch, moved) = (&mut self.scratch, &self.moved);
        state
            .load_linked(keys, |key| {
                if moved.contains(&key_hash(key)) {
                    scratch.get(&key.to_bytes())
                } else {
                    Ok(None)
                }
            })
            .map_err(|e| match e {
                LoadError::Fetch(e) => e.to_string(),
                LoadError::Undecodable(_, e) => format!("scratch space: {e}"),
            })
    }

    /// Moves the records of closed items to scratch space and keeps the
    /// live ones ([`projection::is_live`]: open items and commitments, the
    /// ones later entries touch) in memory.
    fn store(&mut self, state: State) -> Result<State, String> {
        let mut live = BTreeSet::new();
        let mut closed = Vec::new();
        for key in state.records().keys() {
            if projection::is_live(&state, &key) {
                live.insert(key);
            } else if let Some(value) = state.records().encode(&key).map_err(|e| e.to_string())? {
                self.moved.insert(key_hash(&key));
                closed.push((key.to_bytes(), value));
            }
        }
        self.scratch.put_all(&closed).map_err(|e| e.to_string())?;
        Ok(state.restrict(&live))
    }
}

impl<T: FnMut(&Sealed) -> bool, V: FnMut(&Sealed, &State)> Rules<T, V> {
    fn new(take: T, visit: V, spill: bool) -> Self {
        Rules {
            state: None,
            failure: None,
            take,
            visit,
            spill: spill.then(|| Spill {
                scratch: Scratch::new(),
                moved: HashSet::new(),
            }),
        }
    }

    /// Admits a chunk's entries in order; breaks at the first bad entry or
    /// the first one `take` refuses.
    fn apply(&mut self, chunk: Vec<Decoded>, signatures: Vec<bool>) -> ControlFlow<()> {
        let flow = self.admit_all(chunk, signatures);
        let Some(spill) = self.spill.as_mut() else {
            return flow;
        };
        if let Some(state) = self.state.take() {
            let seq = state.head().seq + 1;
            match spill.store(state) {
                Ok(state) => self.state = Some(state),
                Err(e) => {
                    self.failure.get_or_insert(Failure::unchecked(
                        seq,
                        format!("verification stopped: {e}"),
                    ));
                    return ControlFlow::Break(());
                }
            }
        }
        flow
    }

    fn admit_all(&mut self, chunk: Vec<Decoded>, signatures: Vec<bool>) -> ControlFlow<()> {
        for (entry, signature_ok) in chunk.into_iter().zip(signatures) {
            let admitted = entry.and_then(|entry| {
                if entry.seq() > 0 && !(self.take)(&entry) {
                    return Ok(None);
                }
                let seq = entry.seq();
                match self.state.as_mut() {
                    None => {
                        self.state = Some(
                            State::genesis(&entry)
                                .map_err(|v| Failure::invalid(seq, v.to_string()))?,
                        )
                    }
                    Some(s) => {
                        if let Some(spill) = self.spill.as_mut() {
                            spill
                                .load(s, entry.entry.body.event.touches())
                                .map_err(|e| {
                                    Failure::unchecked(seq, format!("verification stopped: {e}"))
                                })?;
                        }
                        s.admit_checked(&entry, signature_ok)
                            .map_err(|v| Failure::invalid(seq, v.to_string()))?
                    }
                }
                Ok(Some(entry))
            });
            match admitted {
                Ok(Some(entry)) => {
                    if let Some(state) = &self.state {
                        (self.visit)(&entry, state)
                    }
                }
                Ok(None) => return ControlFlow::Break(()),
                Err(failure) => {
                    self.failure = Some(failure);
                    return ControlFlow::Break(());
                }
            }
        }
        ControlFlow::Continue(())
    }

    /// Ends the replay with an internal failure at the next entry, so that
    /// nothing after it is reported verified.
    fn abort(mut self, reason: &str) -> Folded {
        let seq = self.state.as_ref().map_or(0, |s| s.head().seq + 1);
        self.failure.get_or_insert(Failure::unchecked(seq, reason));
        self.finish()
    }

    fn finish(self) -> Folded {
        Folded {
            state: self.state,
            failure: self.failure,
        }
    }
}

/// Reads and decodes stored entry `expected`, checking that it is there
/// and is the entry it claims to be.
fn decode(expected: u64, item: Result<RawEntry, StoreError>) -> Decoded {
    let (key, bytes) = item.map_err(|e| match e {
        StoreError::Corrupt(_) => Failure::invalid(expected, format!("unreadable: {e}")),
        e => Failure::unchecked(expected, format!("unreadable: {e}")),
    })?;
    if key != expected {
        return Err(Failure::invalid(expected, "entry is missing"));
    }
    let entry = Sealed::from_bytes(bytes)
        .map_err(|e| Failure::invalid(key, format!("undecodable entry: {e}")))?;
    if entry.seq() != key {
        return Err(Failure::invalid(
            key,
            format!("stored at seq {key} but the entry says seq {}", entry.seq()),
        ));
    }
    Ok(entry)
}

/// Every key any entry has put forward (charter keys, rotations,
/// replacements), by id. A signature is checked here against the key with
/// the id the entry names; whether that key was the author's key at that
/// position is the rules' question, answered in order by `admit_checked`.
#[derive(Default, Clone)]
pub(crate) struct KnownKeys(HashMap<KeyId, VerifyingKey>);

impl KnownKeys {
    /// Every key the state's keyring has held, for any party.
    pub(crate) fn of(state: &State) -> KnownKeys {
        let mut keys = KnownKeys::default();
        for party in &state.charter().parties {
            for span in state.keyring().history(&party.id) {
                if let Ok(vk) = span.key.verifying_key() {
                    keys.0.insert(span.key.id(), vk);
                }
            }
        }
        keys
    }

    pub(crate) fn puts_forward(entry: &Sealed) -> bool {
        matches!(
            &entry.entry.body.event,
            Event::Charter(_)
                | Event::KeyRotated { .. }
                | Event::KeyRotatedUnproven { .. }
                | Event::KeyRevocationProposed {
                    replacement: Some(_),
                    ..
                }
        )
    }

    pub(crate) fn learn(&mut self, entry: &Sealed) {
        let mut add = |k: &PublicKey| {
            if let Ok(vk) = k.verifying_key() {
                self.0.insert(k.id(), vk);
            }
        };
        match &entry.entry.body.event {
            Event::Charter(c) => c.parties.iter().for_each(|p| add(&p.key)),
            Event::KeyRotated { new_key, .. } | Event::KeyRotatedUnproven { new_key } => {
                add(new_key)
            }
            Event::KeyRevocationProposed {
                replacement: Some(k),
                ..
            } => add(k),
            _ => {}
        }
    }

    /// Whether `entry` decoded and carries a good signature by the key it
    /// names, or names a key not known here.
    fn checked(&self, entry: &Decoded) -> Checked {
        let Ok(e) = entry else {
            return Checked::Bad;
        };
        match self.0.get(&e.entry.body.author.key) {
            None => Checked::UnknownKey,
            Some(vk) if e.verify_with(vk) => Checked::Good,
            Some(_) => Checked::Bad,
        }
    }

    fn check_sealed(&self, e: &Sealed) -> bool {
        self.0
            .get(&e.entry.body.author.key)
            .is_some_and(|vk| e.verify_with(vk))
    }

    /// The signature checks of `entries`, split across the machine's cores.
    pub(crate) fn check_all(&self, entries: &[Sealed]) -> Vec<bool> {
        let threads = std::thread::available_parallelism().map_or(1, |n| n.get());
        if threads < 2 || entries.len() < 64 {
            return entries.iter().map(|e| self.check_sealed(e)).collect();
        }
        std::thread::scope(|scope| {
            let parts: Vec<_> = entries
                .chunks(entries.len().div_ceil(threads))
                .map(|part| {
                    let worker = scope.spawn(move || {
                        part.iter()
                            .map(|e| self.check_sealed(e))
                            .collect::<Vec<bool>>()
                    });
                    (part, worker)
                })
                .collect();
            parts
                .into_iter()
                .flat_map(|(part, worker)| {
                    // A worker that died is not evidence against its
                    // entries: check them again here (a second failure is
                    // the caller's to report, never a refusal).
                    worker
                        .join()
                        .unwrap_or_else(|_| part.iter().map(|e| self.check_sealed(e)).collect())
                })
                .collect()
        })
    }
}

#[cfg(test)]
mod failure_kinds {
    use super::*;

    #[test]
    fn an_io_error_is_could_not_check_and_damage_is_invalid() {
        let io = decode(7, Err(StoreError::Io("disk full".into()))).unwrap_err();
        assert_eq!((io.seq, io.kind), (7, FailureKind::Unchecked));
        let damage = decode(7, Err(StoreError::Corrupt("page 3".into()))).unwrap_err();
        assert_eq!((damage.seq, damage.kind), (7, FailureKind::Invalid));
        let garbage = decode(7, Ok((7, vec![0xff; 7]))).unwrap_err();
        assert_eq!(garbage.kind, FailureKind::Invalid);
        let missing = decode(7, Ok((8, vec![]))).unwrap_err();
        assert_eq!((missing.seq, missing.kind), (7, FailureKind::Invalid));
    }

    #[test]
    fn a_verifier_that_cannot_finish_reports_could_not_check() {
        let rules = Rules::new(|_: &Sealed| true, |_: &Sealed, _: &State| {}, false);
        let folded = rules.abort("a signature-checking worker stopped");
        let report = checked(folded).unwrap_err();
        assert!(
            matches!(report, LedgerError::Unchecked { seq: 0, .. }),
            "{report}"
        );
    }
}
