//! [`Ledger`]: a store plus the rules. This file holds the ledger itself:
//! opening and founding it, reading entries, and the signature check of one
//! entry. Derived data, appends and queries live in the submodules; import
//! lives beside export (`crate::import`). Nothing here writes to a store
//! but entry 0 when a ledger is founded (a read that finds derived data
//! stale has it rebuilt, in `derived`), and nothing here names a storage
//! engine.

use std::path::Path;

use accord_core::entry::{Author, Head};
use accord_core::keyring::Keyring;
use accord_core::{
    crypto, Charter, EntryBody, EntryHash, Event, Records, Sealed, State, Violation, FORMAT_VERSION,
};
use accord_store::{Backend, DiskStore, Store};
use ed25519_dalek::SigningKey;

use crate::verify::{self, VerifyReport};
use crate::LedgerError;

mod append;
mod derived;
mod incremental;
mod queries;
mod tree;

pub use derived::DerivedDifference;
pub(crate) use derived::{genesis_writes, CHECKPOINT_EVERY};

/// How far ahead of the appending machine's clock a claimed time may be.
pub const MAX_CLOCK_SKEW_SECS: i64 = 300;

/// Refuses an entry signed elsewhere (an import, a mirror's batch, a POSTed
/// entry) that claims a time more than [`MAX_CLOCK_SKEW_SECS`] ahead of
/// `now`: admitting it would freeze appends until then.
pub fn check_not_future(entry: &Sealed, now: i64) -> Result<(), LedgerError> {
    let claimed = entry.entry.body.time;
    if claimed > now.saturating_add(MAX_CLOCK_SKEW_SECS) {
        return Err(LedgerError::FutureEntry {
            seq: entry.seq(),
            claimed,
            now,
            max_skew: MAX_CLOCK_SKEW_SECS,
        });
    }
    Ok(())
}

/// Whether an entry's signature verifies under the key its author held then.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SignatureStatus {
    /// It verifies under the key its author held at that point.
    Valid,
    /// It does not verify under that key.
    Invalid,
    /// No key of the named author and key id was current at that point.
    UnknownSigner,
}

/// An accord ledger over a store: the one way in for appends, reads and verification.
pub struct Ledger<S: Store> {
    pub(crate) store: S,
    pub(crate) checkpoint_every: u64,
    /// What batch appends keep between batches once one has landed a
    /// checkpoint (used only while the stored head is its head).
    pub(crate) writer: Option<incremental::WriteSession>,
    /// Hashes of every record key in the store, kept only by a ledger that
    /// created its store and made every write to it with batch appends (an
    /// import): a key whose hash is not here is not stored, and is not
    /// looked up. `None` everywhere else.
    pub(crate) written: Option<std::collections::HashSet<u64>>,
}

impl Ledger<DiskStore> {
    /// Opens the ledger in directory `path`, with whichever storage engine
    /// holds it.
    pub fn open(path: &Path) -> Result<Self, LedgerError> {
        Ok(Self {
            checkpoint_every: CHECKPOINT_EVERY,
            writer: None,
            written: None,
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
            writer: None,
            written: None,
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
            writer: None,
            written: None,
        };
        ledger
            .store
            .append(0, &entry.bytes, &genesis_writes(&entry, &state)?)?;
        Ok(ledger)
    }
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

impl<S: Store> Ledger<S> {
    /// Founds a ledger in an empty store.
    pub fn init(
        mut store: S,
        charter: Charter,
        signer: &SigningKey,
        time: i64,
    ) -> Result<Self, LedgerError> {
        let (entry, state) = genesis(charter, signer, time)?;
        store.append(0, &entry.bytes, &genesis_writes(&entry, &state)?)?;
        Ok(Self::from_store(store))
    }

    /// Wraps a store that already holds a ledger.
    pub fn from_store(store: S) -> Self {
        Self {
            store,
            checkpoint_every: CHECKPOINT_EVERY,
            writer: None,
            written: None,
        }
    }

    /// Writes projection checkpoints every `n` entries from now on instead
    /// of every [`CHECKPOINT_EVERY`] (tests use small intervals). Any
    /// interval gives the same answers; only their cost changes.
    pub fn with_checkpoints_every(mut self, n: u64) -> Self {
        self.checkpoint_every = n.max(1);
        self.writer = None;
        self
    }

    /// The store the ledger is kept in.
    pub fn store(&self) -> &S {
        &self.store
    }

    /// The ledger's store, giving up the ledger.
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
