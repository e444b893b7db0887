//! [`Ledger`]: a store plus the rules.

use std::collections::BTreeSet;
use std::path::Path;
use std::sync::{mpsc, Arc};

use accord_core::codec;
use accord_core::entry::{Author, Head};
use accord_core::keyring::Keyring;
use accord_core::projection::{self, History};
use accord_core::records::LoadError;
use accord_core::{
    crypto, AllegationId, Chain, Charter, ClauseId, ClauseState, EntryBody, EntryHash, Event,
    Evidence, RecordKey, Records, Sealed, State, Violation, FORMAT_VERSION,
};
use accord_store::{Backend, DiskStore, KeyValue, Store, StoreError};
use ed25519_dalek::SigningKey;
use serde::{Deserialize, Serialize};

use crate::verify::{self, KnownKeys, VerifyReport};
use crate::LedgerError;

/// How far ahead of the appending machine's clock a claimed time may be.
pub const MAX_CLOCK_SKEW_SECS: i64 = 300;

/// Version of the derived data's layout; a ledger whose derived data has
/// another version rebuilds it from the entries when first used. 4: the
/// index of live items (`live/`); 5: projection checkpoints.
const SNAPSHOT_VERSION: u32 = 5;
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

fn checkpoint_key(seq: u64) -> Vec<u8> {
    [CHECKPOINT_PREFIX, &seq.to_be_bytes()].concat()
}

/// The state after an entry whose seq is a multiple of the checkpoint
/// interval, cut down to what the open view needs: the chain and the records
/// of live items and of what they link to ([`projection::open_keys`]).
/// Derived data: rebuilt from the entries, never read by verify.
#[derive(Serialize, Deserialize)]
struct Checkpoint {
    version: u32,
    chain: Chain,
    records: Vec<(Vec<u8>, Vec<u8>)>,
}

/// The checkpoint of `state`, which must hold every live record.
fn checkpoint(state: &State) -> Result<KeyValue, LedgerError> {
    let mut records = Vec::new();
    for key in projection::open_keys(state) {
        if let Some(value) = state.records().encode(&key)? {
            records.push((key.to_bytes(), value));
        }
    }
    let value = codec::encode_derived(&Checkpoint {
        version: SNAPSHOT_VERSION,
        chain: state.chain().clone(),
        records,
    })?;
    Ok((checkpoint_key(state.head().seq), value))
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
    match key.strip_prefix(CHECKPOINT_PREFIX) {
        Some(seq) if seq.len() == 8 => {
            let mut be = [0u8; 8];
            be.copy_from_slice(seq);
            format!("checkpoint/{}", u64::from_be_bytes(be))
        }
        _ => String::from_utf8_lossy(key).escape_debug().to_string(),
    }
}

/// Derived writes of a new ledger's entry 0: its state and checkpoint.
fn genesis_writes(state: &State) -> Result<Vec<KeyValue>, LedgerError> {
    let mut writes = derived_writes(state)?;
    writes.push(checkpoint(state)?);
    Ok(writes)
}

/// The per-ledger state stored beside the entries, tagged with the head it
/// was folded up to. It speeds appends and is never read by verify.
#[derive(Serialize, Deserialize)]
struct Snapshot {
    version: u32,
    chain: Chain,
}

/// Whether an entry's signature verifies under its author's charter key.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SignatureStatus {
    Valid,
    Invalid,
    UnknownSigner,
}

pub struct Ledger<S: Store> {
    store: S,
    checkpoint_every: u64,
}

impl Ledger<DiskStore> {
    /// Opens the ledger in directory `path`, with whichever storage engine
    /// holds it.
    pub fn open(path: &Path) -> Result<Self, LedgerError> {
        Ok(Self {
            checkpoint_every: CHECKPOINT_EVERY,
            store: DiskStore::open(path)?,
        })
    }

    /// Opens the ledger in directory `path` for reading only: nothing in
    /// it is created or written (derived data found stale is recomputed in
    /// memory), it works on a read-only copy, and writers never wait for it
    /// (redb; a sled ledger is opened as by [`Ledger::open`]).
    pub fn open_read(path: &Path) -> Result<Self, LedgerError> {
        Ok(Self {
            checkpoint_every: CHECKPOINT_EVERY,
            store: DiskStore::open_read(path)?,
        })
    }

    /// Founds a new ledger in `path` from a charter. The charter and the
    /// signed entry 0 are checked in full before the directory is touched.
    pub fn create(
        path: &Path,
        backend: Backend,
        charter: Charter,
        signer: &SigningKey,
        time: i64,
    ) -> Result<Self, LedgerError> {
        let (entry, state) = genesis(charter, signer, time)?;
        let mut ledger = Self {
            store: DiskStore::create(path, backend)?,
            checkpoint_every: CHECKPOINT_EVERY,
        };
        ledger
            .store
            .append(0, &entry.bytes, &genesis_writes(&state)?)?;
        Ok(ledger)
    }

    /// Builds a new ledger in `path` from exported entries, checking every
    /// entry as an append would. All or nothing: the entries go into a
    /// scratch directory beside `path`, which is renamed to `path` only when
    /// every entry has been admitted and stored durably. Returns the number
    /// of entries.
    ///
    /// Refuses, as an append would, an entry claiming a time more than
    /// [`MAX_CLOCK_SKEW_SECS`] ahead of `now` (this machine's clock).
    pub fn import(
        path: &Path,
        backend: Backend,
        now: i64,
        entries: impl IntoIterator<Item = Result<Sealed, LedgerError>>,
    ) -> Result<u64, LedgerError> {
        if path.exists() {
            let empty = path.is_dir()
                && std::fs::read_dir(path)
                    .map(|mut d| d.next().is_none())
                    .unwrap_or(false);
            if !empty {
                return Err(StoreError::AlreadyExists(path.to_owned()).into());
            }
        }
        remove_abandoned_scratch(path)?;
        let scratch = scratch_dir(path);
        let entries = entries.into_iter().map(|e| {
            let e = e?;
            let claimed = e.entry.body.time;
            if claimed > now.saturating_add(MAX_CLOCK_SKEW_SECS) {
                return Err(LedgerError::FutureEntry {
                    seq: e.seq(),
                    claimed,
                    now,
                    max_skew: MAX_CLOCK_SKEW_SECS,
                });
            }
            Ok(e)
        });
        let outcome = Self::import_into(&scratch, backend, entries);
        match outcome {
            Ok(n) => {
                if path.exists() {
                    std::fs::remove_dir(path).map_err(|e| io_err(path, e))?;
                }
                std::fs::rename(&scratch, path).map_err(|e| io_err(path, e))?;
                if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
                    std::fs::File::open(parent)
                        .and_then(|d| d.sync_all())
                        .map_err(|e| io_err(parent, e))?;
                }
                Ok(n)
            }
            Err(e) => {
                let _ = std::fs::remove_dir_all(&scratch);
                Err(e)
            }
        }
    }

    fn import_into(
        scratch: &Path,
        backend: Backend,
        entries: impl IntoIterator<Item = Result<Sealed, LedgerError>>,
    ) -> Result<u64, LedgerError> {
        const BATCH: usize = 4096;
        let mut entries = entries.into_iter();
        let genesis = match entries.next() {
            Some(e) => e?,
            None => {
                return Err(LedgerError::Import {
                    line: 1,
                    reason: "the export holds no entries (an empty file, or only a header): nothing to import".into(),
                })
            }
        };
        let state = State::genesis(&genesis).map_err(|violation| LedgerError::RejectedEntry {
            seq: genesis.seq(),
            violation,
        })?;
        let mut ledger = Self {
            store: DiskStore::create(scratch, backend)?,
            checkpoint_every: CHECKPOINT_EVERY,
        };
        ledger
            .store
            .append(0, &genesis.bytes, &genesis_writes(&state)?)?;
        // A pipeline of three: this thread reads and decodes the next batch
        // (learning keys in order), a checker checks the signatures of the
        // one before on every core, and a writer admits and stores the one
        // before that.
        let mut keys = Arc::new(KnownKeys::of(&state));
        std::thread::scope(|scope| {
            let (to_check, checks) = mpsc::sync_channel::<(Vec<Sealed>, Arc<KnownKeys>)>(1);
            let (to_write, writes) = mpsc::sync_channel::<(Vec<Sealed>, Vec<bool>)>(1);
            scope.spawn(move || {
                for (batch, keys) in checks {
                    let signatures = keys.check_all(&batch);
                    if to_write.send((batch, signatures)).is_err() {
                        return;
                    }
                }
            });
            let writer = scope.spawn(move || -> Result<u64, LedgerError> {
                let mut count = 1u64;
                for (batch, signatures) in writes {
                    ledger.append_checked(&batch, &signatures)?;
                    count += batch.len() as u64;
                }
                Ok(count)
            });
            let read = || -> Result<(), LedgerError> {
                let mut batch = Vec::with_capacity(BATCH);
                for entry in entries {
                    let entry = entry?;
                    if KnownKeys::puts_forward(&entry) {
                        Arc::make_mut(&mut keys).learn(&entry);
                    }
                    batch.push(entry);
                    if batch.len() == BATCH {
                        let full = std::mem::replace(&mut batch, Vec::with_capacity(BATCH));
                        if to_check.send((full, Arc::clone(&keys))).is_err() {
                            // The writer stopped: its error is the one to report.
                            return Ok(());
                        }
                    }
                }
                if !batch.is_empty() {
                    let _ = to_check.send((batch, Arc::clone(&keys)));
                }
                Ok(())
            };
            let read = read();
            drop(to_check);
            let written = writer.join().unwrap_or_else(|_| {
                Err(LedgerError::Damaged {
                    seq: 0,
                    reason: "the import's writer stopped unexpectedly".into(),
                })
            });
            // A refused or unstorable entry is reported before a read error
            // that came after it.
            let count = written?;
            read?;
            Ok(count)
        })
    }
}

/// Removes scratch directories of earlier imports into `path` that crashed
/// (no process holds their lock).
fn remove_abandoned_scratch(path: &Path) -> Result<(), LedgerError> {
    let Some(name) = path.file_name().map(|n| n.to_string_lossy().into_owned()) else {
        return Ok(());
    };
    let parent = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_owned(),
        _ => std::path::PathBuf::from("."),
    };
    let prefix = format!(".{name}.importing-");
    let Ok(listing) = std::fs::read_dir(&parent) else {
        return Ok(());
    };
    for item in listing.flatten() {
        if item.file_name().to_string_lossy().starts_with(&prefix) {
            accord_store::remove_if_abandoned(&item.path())?;
        }
    }
    Ok(())
}

fn scratch_dir(path: &Path) -> std::path::PathBuf {
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "ledger".into());
    path.with_file_name(format!(".{name}.importing-{}", std::process::id()))
}

fn io_err(path: &Path, e: std::io::Error) -> LedgerError {
    StoreError::Io(format!("{}: {e}", path.display())).into()
}

/// Builds and checks entry 0.
pub fn genesis(
    charter: Charter,
    signer: &SigningKey,
    time: i64,
) -> Result<(Sealed, State), LedgerError> {
    charter.validate().map_err(Violation::from)?;
    let key = crypto::public_key(signer);
    let party = charter
        .parties
        .iter()
        .find(|p| p.key == key)
        .ok_or(accord_core::SignError::UnknownKey(key.id()))?
        .id
        .clone();
    let zero = Head {
        seq: 0,
        hash: EntryHash::ZERO,
    };
    let body = EntryBody {
        version: FORMAT_VERSION,
        ledger: EntryHash::ZERO,
        seq: 0,
        prev: EntryHash::ZERO,
        time,
        author: Author {
            party,
            key: key.id(),
        },
        author_seq: 1,
        seen: zero,
        event: Event::Charter(charter),
    };
    let entry = body.sign(signer)?;
    let state = State::genesis(&entry)?;
    Ok((entry, state))
}

/// The derived writes that go with an append: the chain snapshot and every
/// record the (partial) state holds, which are the ones loaded or created.
/// Each record comes with its entry in the index of live items: present
/// while live, removed (an empty value) once not.
fn derived_writes(state: &State) -> Result<Vec<KeyValue>, LedgerError> {
    let mut out = vec![(CHAIN_KEY.to_vec(), snapshot_bytes(state.chain())?)];
    out.extend(state.records().encode_all()?);
    for key in state.records().keys() {
        let live = projection::is_live(state, &key);
        out.push((
            [LIVE_PREFIX, &key.to_bytes()].concat(),
            if live { vec![1] } else { Vec::new() },
        ));
    }
    Ok(out)
}

/// Why loading records must start over or stop.
enum Reload {
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
    /// Founds a ledger in an empty store.
    pub fn init(
        mut store: S,
        charter: Charter,
        signer: &SigningKey,
        time: i64,
    ) -> Result<Self, LedgerError> {
        let (entry, state) = genesis(charter, signer, time)?;
        store.append(0, &entry.bytes, &genesis_writes(&state)?)?;
        Ok(Self::from_store(store))
    }

    /// Wraps a store that already holds a ledger.
    pub fn from_store(store: S) -> Self {
        Self {
            store,
            checkpoint_every: CHECKPOINT_EVERY,
        }
    }

    /// Writes projection checkpoints every `n` entries from now on instead
    /// of every [`CHECKPOINT_EVERY`] (tests use small intervals). Any
    /// interval gives the same answers; only their cost changes.
    pub fn with_checkpoints_every(mut self, n: u64) -> Self {
        self.checkpoint_every = n.max(1);
        self
    }

    pub fn store(&self) -> &S {
        &self.store
    }

    pub fn into_store(self) -> S {
        self.store
    }

    /// The last entry's seq.
    pub fn last_seq(&self) -> Result<u64, LedgerError> {
        self.store.last_seq()?.ok_or(LedgerError::Damaged {
            seq: 0,
            reason: "the ledger has no entries".into(),
        })
    }

    /// Entry `seq`, decoded canonically (but not judged: see [`Self::verify`]).
    pub fn entry(&self, seq: u64) -> Result<Sealed, LedgerError> {
        match self.store.get(seq)? {
            Some(bytes) => Sealed::from_bytes(bytes).map_err(|e| LedgerError::Damaged {
                seq,
                reason: e.to_string(),
            }),
            None => Err(LedgerError::NoEntry {
                seq,
                last: self.last_seq()?,
            }),
        }
    }

    /// Entries in order from `from`, decoded one at a time.
    pub fn entries(&self, from: u64) -> impl Iterator<Item = Result<Sealed, LedgerError>> + '_ {
        self.store.scan(from).map(|item| {
            let (seq, bytes) = item?;
            Sealed::from_bytes(bytes).map_err(|e| LedgerError::Damaged {
                seq,
                reason: e.to_string(),
            })
        })
    }

    /// Checks `entry`'s signature against the key its author held at that
    /// point of the chain. The key history comes from the head's state or,
    /// if the ledger is damaged, from a replay of the entries before this
    /// one.
    pub fn signature_status(&mut self, entry: &Sealed) -> Result<SignatureStatus, LedgerError> {
        let author = &entry.entry.body.author;
        let keyring = match (&entry.entry.body.event, self.chain()) {
            (Event::Charter(c), _) if entry.seq() == 0 => Keyring::from_charter(c),
            (_, Ok(chain)) => State::from_parts(chain, Records::default())
                .keyring()
                .clone(),
            (_, Err(_)) => match entry.seq().checked_sub(1) {
                Some(before) => self.state_at(before)?.keyring().clone(),
                // Entry 0 that is not a charter: no key can vouch for it.
                None => return Ok(SignatureStatus::UnknownSigner),
            },
        };
        let key = keyring.at(&author.party, &author.key, entry.seq()).copied();
        Ok(match key {
            Some(k) if entry.signature_valid(&k) => SignatureStatus::Valid,
            Some(_) => SignatureStatus::Invalid,
            None => SignatureStatus::UnknownSigner,
        })
    }

    /// The per-ledger state at the head, from the stored snapshot when it
    /// matches the stored head; otherwise all derived data is rebuilt by a
    /// verifying replay. The entries always win over derived data.
    fn chain(&mut self) -> Result<Chain, LedgerError> {
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
    fn head_state(&mut self) -> Result<State, LedgerError> {
        Ok(State::from_parts(self.chain()?, Records::default()))
    }

    /// Loads into `state` the records in `keys` and, transitively, the
    /// records they link to, skipping keys already in `loaded` (which may
    /// hold changes not yet stored). Reads no history. An undecodable record
    /// means derived data is damaged: it is rebuilt and `Stale` returned.
    fn load_records(
        &mut self,
        state: &mut State,
        loaded: &mut BTreeSet<RecordKey>,
        keys: Vec<RecordKey>,
    ) -> Result<(), Reload> {
        let store = &self.store;
        let outcome = state.load_linked(keys, |key| {
            // Looked up earlier in this batch: held now, or known absent.
            if !loaded.insert(key.clone()) {
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
    fn retrying<T>(
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
    fn state_for(&mut self, keys: Vec<RecordKey>) -> Result<State, LedgerError> {
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
        let (state, writes) = self.recompute_derived()?;
        let differences = self.derived_differences(&writes)?;
        self.store.replace_derived(&writes)?;
        Ok((state, differences))
    }

    /// Recomputes every piece of derived data from the entries and compares
    /// it with what is stored, changing nothing: what an auditor runs to
    /// learn whether derived data (which the fast views trust) was edited.
    pub fn check_derived(&self) -> Result<(State, Vec<DerivedDifference>), LedgerError> {
        let (state, writes) = self.recompute_derived()?;
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

    fn recompute_derived(&self) -> Result<(State, Vec<KeyValue>), LedgerError> {
        let every = self.checkpoint_every;
        let mut checkpoints = Vec::new();
        let mut failed = None;
        let state = verify::replay_while(
            &self.store,
            |_| true,
            |e, state| {
                if e.seq() % every == 0 {
                    match checkpoint(state) {
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
        Ok((state, writes))
    }

    /// The first entry whose claimed time is after `limit` (a verifier's
    /// clock plus the allowed skew), if any: a ledger whose head is dated in
    /// the future cannot be appended to until that time comes.
    pub fn first_dated_after(&self, limit: i64) -> Result<Option<u64>, LedgerError> {
        let last = self.last_seq()?;
        if self.entry(last)?.entry.body.time <= limit {
            return Ok(None);
        }
        if self.entry(0)?.entry.body.time > limit {
            return Ok(Some(0));
        }
        Ok(Some(self.seq_as_of(limit)? + 1))
    }

    /// The full state at the head, recomputed from the entries.
    pub fn replay(&self) -> Result<State, LedgerError> {
        verify::replay(&self.store)
    }

    /// The full state after entry `seq`, recomputed (with every check) from
    /// entries 0..=seq only: later entries are invisible.
    pub fn state_at(&self, seq: u64) -> Result<State, LedgerError> {
        let last = self.last_seq()?;
        if seq > last {
            return Err(LedgerError::NoEntry { seq, last });
        }
        verify::replay_while(&self.store, |e| e.seq() <= seq, |_, _| {})
    }

    /// The full state from the entries whose claimed time is at or before
    /// `time` (times never go backwards, so these are a prefix).
    pub fn state_as_of(&self, time: i64) -> Result<State, LedgerError> {
        let genesis = self.entry(0)?;
        if time < genesis.entry.body.time {
            return Err(LedgerError::BeforeLedger {
                time,
                founded: genesis.entry.body.time,
            });
        }
        verify::replay_while(&self.store, |e| e.entry.body.time <= time, |_, _| {})
    }

    /// The entries that make up the record of item `id`, in order, from a
    /// verifying replay.
    pub fn history(&self, id: &str) -> Result<Vec<Sealed>, LedgerError> {
        let mut filter = History::new(id);
        let mut out = Vec::new();
        verify::stream_while(
            &self.store,
            |_| true,
            |e, _| {
                if filter.concerns(&e.entry.body.event) {
                    out.push(e.clone());
                }
            },
        )?;
        Ok(out)
    }

    /// The state at the head with the records the open view of obligations
    /// needs ([`projection::open_view`]): the live items and what they link
    /// to, read from the derived data appends keep (rebuilt from the
    /// entries if it is stale or damaged). Reads no history.
    pub fn open_state(&mut self) -> Result<State, LedgerError> {
        self.retrying(|l| {
            let mut state = l.head_state()?;
            let live = l.live_keys()?;
            l.load_records(&mut state, &mut BTreeSet::new(), live)?;
            Ok(state)
        })
    }

    /// The keys in the index of live items; a damaged index is rebuilt.
    fn live_keys(&mut self) -> Result<Vec<RecordKey>, Reload> {
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

    /// The state after entry `seq` with the records the open view needs,
    /// from the nearest projection checkpoint at or before it and the
    /// entries after that (their signatures were checked when appended and
    /// are not checked again here; `state_at` checks everything). Falls
    /// back to `state_at` if the checkpoint is missing, stale or damaged.
    pub fn open_state_at(&self, seq: u64) -> Result<State, LedgerError> {
        let last = self.last_seq()?;
        if seq > last {
            return Err(LedgerError::NoEntry { seq, last });
        }
        match self.open_state_from_checkpoint(seq)? {
            Some(state) => Ok(state),
            None => self.state_at(seq),
        }
    }

    /// [`Ledger::open_state_at`] without the fallback: `None` when there is
    /// no usable checkpoint at or before `seq` (`seq` must exist).
    pub fn open_state_from_checkpoint(&self, seq: u64) -> Result<Option<State>, LedgerError> {
        let base = seq - seq % self.checkpoint_every;
        let Some(bytes) = self.store.derived(&checkpoint_key(base))? else {
            return Ok(None);
        };
        let Ok(cp) = codec::decode_derived::<Checkpoint>(&bytes) else {
            return Ok(None);
        };
        if cp.version != SNAPSHOT_VERSION || cp.chain.head() != self.entry(base)?.head() {
            return Ok(None);
        }
        let mut records = Records::default();
        for (k, v) in &cp.records {
            match RecordKey::from_bytes(k) {
                Some(key) if records.load(&key, v).is_ok() => {}
                _ => return Ok(None),
            }
        }
        let mut state = State::from_parts(cp.chain, records);
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
            // changes (a dissent recorded after a ruling's adoption). A
            // closed item only changes in ways the open view does not show;
            // if a later change makes the rules refuse this entry, the
            // caller replays from the start instead.
            let event = &e.entry.body.event;
            let created = event.created_id();
            let keys: Vec<RecordKey> = event
                .touches()
                .into_iter()
                .filter(|k| Some(k.id()) != created)
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

    /// The last entry whose claimed time is at or before `time` (claimed
    /// times never go backwards, so a binary search finds it).
    pub fn seq_as_of(&self, time: i64) -> Result<u64, LedgerError> {
        let genesis = self.entry(0)?;
        if time < genesis.entry.body.time {
            return Err(LedgerError::BeforeLedger {
                time,
                founded: genesis.entry.body.time,
            });
        }
        let (mut lo, mut hi) = (0, self.last_seq()?);
        while lo < hi {
            let mid = lo + (hi - lo).div_ceil(2);
            if self.entry(mid)?.entry.body.time <= time {
                lo = mid;
            } else {
                hi = mid - 1;
            }
        }
        Ok(lo)
    }

    /// The records named by `keys` (and those they link to) as of the head.
    pub fn records(&mut self, keys: Vec<RecordKey>) -> Result<Records, LedgerError> {
        Ok(self.state_for(keys)?.into_parts().1)
    }

    /// Every evidence digest recorded for an allegation (by its filing and
    /// its responses), with the seq of the entry that recorded it.
    pub fn evidence_of(&mut self, id: &AllegationId) -> Result<Vec<(u64, Evidence)>, LedgerError> {
        let records = self.records(vec![RecordKey::Allegation(id.clone())])?;
        let a = records.allegations().get(id).ok_or_else(|| {
            LedgerError::Rejected(Violation::Unknown {
                kind: "allegation",
                id: id.to_string(),
            })
        })?;
        let mut out: Vec<(u64, Evidence)> = a
            .evidence
            .iter()
            .map(|e| (a.filed.seq, e.clone()))
            .collect();
        for r in &a.responses {
            if let Event::AllegationAnswered { evidence, .. } = self.entry(r.seq)?.entry.body.event
            {
                out.extend(evidence.into_iter().map(|e| (r.seq, e)));
            }
        }
        Ok(out)
    }

    /// A clause's record as of the head.
    pub fn clause(&mut self, id: &ClauseId) -> Result<Option<ClauseState>, LedgerError> {
        Ok(self
            .state_for(vec![RecordKey::Clause(id.clone())])?
            .records()
            .clauses()
            .get(id)
            .cloned())
    }

    /// Signs `event` as the party holding `signer` and appends it. The
    /// entry is checked against every rule first; a refused entry leaves
    /// the ledger unchanged. Durable when this returns `Ok`.
    pub fn append(
        &mut self,
        signer: &SigningKey,
        time: i64,
        now: i64,
        event: Event,
    ) -> Result<Sealed, LedgerError> {
        if time > now.saturating_add(MAX_CLOCK_SKEW_SECS) {
            return Err(LedgerError::FutureTime {
                claimed: time,
                now,
                max_skew: MAX_CLOCK_SKEW_SECS,
            });
        }
        let every = self.checkpoint_every;
        let (entry, writes) = self.retrying(|l| {
            let mut state = l.head_state()?;
            l.load_records(&mut state, &mut BTreeSet::new(), event.touches())?;
            let entry = state.sign_next(signer, time, event.clone())?;
            state.admit(&entry)?;
            let mut writes = derived_writes(&state)?;
            if entry.seq() % every == 0 {
                let live = l.live_keys()?;
                l.load_records(&mut state, &mut BTreeSet::new(), live)?;
                writes.push(checkpoint(&state)?);
            }
            Ok((entry, writes))
        })?;
        self.store.append(entry.seq(), &entry.bytes, &writes)?;
        Ok(entry)
    }

    /// Appends entries signed elsewhere (an import, a synthetic ledger),
    /// checking each, in one durable batch. All or nothing.
    pub fn append_sealed(&mut self, entries: &[Sealed]) -> Result<(), LedgerError> {
        if entries.is_empty() {
            return Ok(());
        }
        let mut keys = KnownKeys::of(&self.head_state()?);
        for e in entries.iter().filter(|e| KnownKeys::puts_forward(e)) {
            keys.learn(e);
        }
        let signatures = keys.check_all(entries);
        self.append_checked(entries, &signatures)
    }

    /// [`Ledger::append_sealed`] with each entry's signature already
    /// checked (`signatures[i]` for `entries[i]`) against the key it names.
    fn append_checked(
        &mut self,
        entries: &[Sealed],
        signatures: &[bool],
    ) -> Result<(), LedgerError> {
        if entries.is_empty() {
            return Ok(());
        }
        let every = self.checkpoint_every;
        let reaches_checkpoint = entries.iter().any(|e| e.seq() % every == 0);
        self.retrying(|l| {
            let mut state = l.head_state()?;
            let mut loaded = BTreeSet::new();
            if reaches_checkpoint {
                // A checkpoint holds every live record, not only those
                // these entries touch.
                let live = l.live_keys()?;
                l.load_records(&mut state, &mut loaded, live)?;
            }
            let mut checkpoints = Vec::new();
            for (e, &signature_ok) in entries.iter().zip(signatures) {
                l.load_records(&mut state, &mut loaded, e.entry.body.event.touches())?;
                state.admit_checked(e, signature_ok).map_err(|violation| {
                    LedgerError::RejectedEntry {
                        seq: e.seq(),
                        violation,
                    }
                })?;
                if e.seq() % every == 0 {
                    checkpoints.push(checkpoint(&state)?);
                }
            }
            let batch: Vec<(u64, Vec<u8>)> =
                entries.iter().map(|e| (e.seq(), e.bytes.clone())).collect();
            let mut writes = derived_writes(&state)?;
            writes.extend(checkpoints);
            l.store.append_batch(&batch, &writes)?;
            Ok(())
        })
    }

    /// Streams every entry, in order, to `visit` from a verifying replay:
    /// an export holds only entries that verify. Stops at the first bad
    /// entry with its error, or at the first error `visit` returns.
    pub fn export<E>(
        &self,
        mut visit: impl FnMut(&Sealed) -> Result<(), E>,
    ) -> Result<Result<u64, E>, LedgerError> {
        let mut failed = None;
        let stop = std::cell::Cell::new(false);
        let mut count = 0u64;
        verify::stream_while(
            &self.store,
            |_| !stop.get(),
            |e, _| {
                if failed.is_none() {
                    match visit(e) {
                        Ok(()) => count += 1,
                        Err(err) => {
                            failed = Some(err);
                            stop.set(true);
                        }
                    }
                }
            },
        )?;
        Ok(match failed {
            Some(err) => Err(err),
            None => Ok(count),
        })
    }

    /// Entries of `other` (another copy of this ledger, e.g. a party's
    /// export) that conflict with this copy: the same author and per-author
    /// sequence number, but different signed entries, each with a signature
    /// that verifies under a key the author held. Each pair is proof that
    /// the author signed two histories.
    pub fn equivocations(
        &self,
        other: impl IntoIterator<Item = Result<Sealed, LedgerError>>,
    ) -> Result<Vec<(Sealed, Sealed)>, LedgerError> {
        let state = self.replay()?;
        let keyring = state.keyring();
        let signed_by_author = |e: &Sealed| {
            let a = &e.entry.body.author;
            keyring
                .history(&a.party)
                .iter()
                .any(|span| span.key.id() == a.key && e.signature_valid(&span.key))
        };
        let mut theirs = std::collections::BTreeMap::new();
        for entry in other {
            let entry = entry?;
            if entry.seq() > 0 && entry.entry.body.ledger != state.ledger_id() {
                return Err(LedgerError::Import {
                    line: entry.seq() + 2,
                    reason: "this export is of another ledger".into(),
                });
            }
            let a = &entry.entry.body.author;
            theirs.insert((a.party.clone(), entry.entry.body.author_seq), entry);
        }
        let mut found = Vec::new();
        for mine in self.entries(0) {
            let mine = mine?;
            let a = &mine.entry.body.author;
            if let Some(other) = theirs.get(&(a.party.clone(), mine.entry.body.author_seq)) {
                if other.hash != mine.hash && signed_by_author(other) && signed_by_author(&mine) {
                    found.push((mine.clone(), other.clone()));
                }
            }
        }
        Ok(found)
    }

    /// Verifies the whole ledger from its raw bytes.
    pub fn verify(&self) -> VerifyReport {
        verify::verify_store(&self.store)
    }

    /// Verifies, and checks that the ledger reaches `head` (saved earlier,
    /// e.g. by another party) with that hash.
    pub fn verify_expecting(&self, head: Head) -> VerifyReport {
        verify::verify_store_expecting(&self.store, Some(head))
    }

    /// Verifies (and checks `expect`, if given), telling `progress` the seq
    /// of each entry that has passed every check.
    pub fn verify_observed(
        &self,
        expect: Option<Head>,
        progress: &mut dyn FnMut(u64),
    ) -> VerifyReport {
        verify::verify_store_observed(&self.store, expect, progress)
    }
}
