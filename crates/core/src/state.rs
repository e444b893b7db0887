//! The chain gate: the state folded from a ledger's entries ([`State`],
//! [`Chain`]) and the one door every entry passes ([`State::admit`]).
//!
//! [`State::admit`] is the single gate every entry passes, on append and on
//! verify alike: it checks the chain link, the signature, then asks
//! `decide` whether the event is allowed, and only then lets `fold` fold it
//! into the state. A refused entry leaves the state untouched. Nothing here
//! trusts stored derived data, and the rules of each event kind must never
//! be written here (they live in `decide` and `fold`).

use std::collections::{BTreeMap, BTreeSet, VecDeque};

use ed25519_dalek::SigningKey;
use serde::{Deserialize, Serialize};

use crate::amendment::{self, Amending, Removal};
use crate::charter::{Charter, Party, Role};
use crate::crypto::PublicKey;
use crate::ctx::Ctx;
use crate::decide::{self, check_time};
use crate::entry::{Head, NextEntry, Sealed, FORMAT_VERSION};
use crate::event::Event;
use crate::fold;
use crate::ids::{ClauseId, EntryHash, LedgerId, PartyId};
use crate::keyring::Keyring;
use crate::limits::{MAX_ENTRY_BYTES, SEEN_WINDOW};
use crate::records::{ClauseState, LoadError, RecordKey, Records};
use crate::violation::{SignError, Violation};

/// Checks what every entry must satisfy before any rule: its encoded size
/// and its claimed time.
fn check_envelope(entry: &Sealed) -> Result<(), Violation> {
    if entry.bytes.len() > MAX_ENTRY_BYTES {
        return Err(Violation::TooLarge {
            size: entry.bytes.len(),
        });
    }
    check_time("claimed time", entry.entry.body.time)
}

/// The state folded from a ledger's entries up to its head: the small
/// per-ledger part ([`Chain`]) and the per-id [`Records`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct State {
    chain: Chain,
    records: Records,
}

/// The per-ledger part of the state; its size does not grow with the
/// number of entries (beyond the charter's parties).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Chain {
    ledger: LedgerId,
    charter: Charter,
    head: Head,
    head_time: i64,
    /// Hashes of the last `SEEN_WINDOW` entries, oldest first.
    recent: VecDeque<EntryHash>,
    author_seq: BTreeMap<PartyId, u64>,
    keyring: Keyring,
    /// The amendment rule and the parties removed by amendment.
    amending: Amending,
}

impl Chain {
    /// The last entry admitted: its seq and hash.
    pub fn head(&self) -> Head {
        self.head
    }
}

impl State {
    /// Checks entry 0 and founds the state on it.
    pub fn genesis(entry: &Sealed) -> Result<State, Violation> {
        let b = &entry.entry.body;
        if b.version != FORMAT_VERSION {
            return Err(Violation::Version(b.version));
        }
        check_envelope(entry)?;
        let Event::Charter(charter) = &b.event else {
            return Err(Violation::Genesis);
        };
        let zero_head = Head {
            seq: 0,
            hash: EntryHash::ZERO,
        };
        if b.seq != 0
            || b.prev != EntryHash::ZERO
            || b.ledger != EntryHash::ZERO
            || b.seen != zero_head
        {
            return Err(Violation::Genesis);
        }
        charter.validate()?;
        let mut state = State {
            chain: Chain {
                ledger: entry.hash,
                charter: charter.clone(),
                head: zero_head,
                head_time: b.time,
                recent: VecDeque::new(),
                author_seq: BTreeMap::new(),
                keyring: Keyring::from_charter(charter),
                amending: amendment::FOUNDING.clone(),
            },
            records: Records::default(),
        };
        let party = state.check_author(entry, None)?;
        if party.role == Role::Observer {
            return Err(Violation::Observer(party.id.clone()));
        }
        state.advance(entry);
        Ok(state)
    }

    /// Checks `entry` against the chain and the rules; on success folds it
    /// into the state. On refusal the state is unchanged.
    pub fn admit(&mut self, entry: &Sealed) -> Result<(), Violation> {
        self.admit_inner(entry, None)
    }

    /// [`State::admit`] for an entry whose signature was already checked
    /// (`signature_ok`) against the key with the id the entry names, e.g. in
    /// parallel by a verifier. Every other check runs here, including that
    /// this key is the author's current key.
    pub fn admit_checked(&mut self, entry: &Sealed, signature_ok: bool) -> Result<(), Violation> {
        self.admit_inner(entry, Some(signature_ok))
    }

    fn admit_inner(&mut self, entry: &Sealed, signature_ok: Option<bool>) -> Result<(), Violation> {
        let b = &entry.entry.body;
        if b.version != FORMAT_VERSION {
            return Err(Violation::Version(b.version));
        }
        check_envelope(entry)?;
        if b.ledger != self.chain.ledger {
            return Err(Violation::WrongLedger(b.ledger));
        }
        if b.seq != self.chain.head.seq + 1 {
            return Err(Violation::Seq {
                expected: self.chain.head.seq + 1,
                found: b.seq,
            });
        }
        if b.prev != self.chain.head.hash {
            return Err(Violation::Prev(self.chain.head.seq));
        }
        if !self.saw(b.seen) {
            return Err(Violation::Seen(b.seen.seq));
        }
        let party = self.check_author(entry, signature_ok)?;
        if b.time < self.chain.head_time {
            return Err(Violation::TimeBackwards {
                time: b.time,
                prev: self.chain.head_time,
            });
        }
        let role = party.role;
        let party = party.id.clone();
        let ctx = Ctx {
            ledger: &self.chain.ledger,
            charter: &self.chain.charter,
            keyring: &self.chain.keyring,
            party: &party,
            role,
            time: b.time,
            amending: &self.chain.amending,
        };
        decide::check(&ctx, &self.records, &b.event)?;
        let change = fold::apply(&ctx, &mut self.records, entry);
        if let Some((party, key)) = change {
            self.chain.keyring.replace(&party, entry.seq(), key);
        }
        self.amend(entry);
        self.advance(entry);
        Ok(())
    }

    /// Builds the body of the next entry for `signer` (seq, links and
    /// per-author sequence filled in from the state) and signs it.
    pub fn sign_next(
        &self,
        signer: &SigningKey,
        time: i64,
        event: Event,
    ) -> Result<Sealed, SignError> {
        let key = crate::crypto::public_key(signer);
        Ok(self.next_for(&key)?.sign(signer, time, event)?)
    }

    /// What the next entry signed with `key` links to and counts from: the
    /// ledger, the head, the key's party and that party's next sequence
    /// number. A client that signs away from the ledger asks a server for
    /// this (docs/PROTOCOL.md).
    pub fn next_for(&self, key: &PublicKey) -> Result<NextEntry, SignError> {
        let party = self.party_for_key(key).ok_or_else(|| {
            if let Some(v) = self.removed_holder(key) {
                return SignError::Removed(Box::new(v));
            }
            match self.chain.keyring.former_holder(key) {
                Some((party, until)) => SignError::FormerKey {
                    key: key.id(),
                    party: party.clone(),
                    until,
                },
                None => SignError::UnknownKey(key.id()),
            }
        })?;
        Ok(NextEntry {
            ledger: self.chain.ledger,
            head: self.chain.head,
            party: party.id.clone(),
            author_seq: self.chain.author_seq.get(&party.id).copied().unwrap_or(0) + 1,
            head_time: self.chain.head_time,
        })
    }

    /// The ledger's id: the hash of its charter entry.
    pub fn ledger_id(&self) -> LedgerId {
        self.chain.ledger
    }
    /// The charter in force: entry 0's, as amended by the amendments
    /// adopted so far.
    pub fn charter(&self) -> &Charter {
        &self.chain.charter
    }
    /// The last entry admitted: its seq and hash.
    pub fn head(&self) -> Head {
        self.chain.head
    }
    /// The claimed time of the last entry admitted (seconds since 1970).
    pub fn head_time(&self) -> i64 {
        self.chain.head_time
    }
    /// Every clause held, by id.
    pub fn clauses(&self) -> &BTreeMap<ClauseId, ClauseState> {
        &self.records.clauses
    }

    /// Reassembles a state from its parts (the records may be only those an
    /// event touches: see [`Records`]).
    pub fn from_parts(chain: Chain, records: Records) -> State {
        State { chain, records }
    }

    /// The per-ledger part of the state: head, recent hashes, author counters, keyring.
    pub fn chain(&self) -> &Chain {
        &self.chain
    }

    /// The per-item part of the state: the records held.
    pub fn records(&self) -> &Records {
        &self.records
    }

    /// Loads the records `keys` name, and those they link to, from `fetch`
    /// into a partial state (see [`Records::load_linked`]). Only records
    /// not yet held are loaded: nothing the state holds is changed, and
    /// nothing else may change records outside `admit`.
    pub fn load_linked<E>(
        &mut self,
        keys: Vec<RecordKey>,
        fetch: impl FnMut(&RecordKey) -> Result<Option<Vec<u8>>, E>,
    ) -> Result<(), LoadError<E>> {
        self.records.load_linked(keys, fetch)
    }

    /// Splits the state into its per-ledger and per-item parts, to persist them apart.
    pub fn into_parts(self) -> (Chain, Records) {
        (self.chain, self.records)
    }

    /// The same state with only the records in `keys`.
    pub fn restrict(self, keys: &BTreeSet<RecordKey>) -> State {
        State {
            chain: self.chain,
            records: self.records.restrict(keys),
        }
    }
    /// The same state without the record `key` (a partial state's
    /// [`State::restrict`], one record at a time); whether it was held.
    pub fn evict(&mut self, key: &RecordKey) -> bool {
        self.records.remove(key)
    }

    /// How many entries `party` has signed (the last author seq admitted; 0 if none).
    pub fn author_seq(&self, party: &PartyId) -> u64 {
        self.chain.author_seq.get(party).copied().unwrap_or(0)
    }

    /// The party whose current key is `key`, if any.
    pub fn party_for_key(&self, key: &PublicKey) -> Option<&Party> {
        let holder = self.chain.keyring.holder(key)?;
        self.chain.charter.party(holder)
    }

    /// Who signs with which key, and since when.
    pub fn keyring(&self) -> &Keyring {
        &self.chain.keyring
    }

    fn saw(&self, seen: Head) -> bool {
        if seen.seq > self.chain.head.seq
            || self.chain.head.seq - seen.seq >= self.chain.recent.len() as u64
        {
            return false;
        }
        let back = (self.chain.head.seq - seen.seq) as usize;
        self.chain.recent.get(self.chain.recent.len() - 1 - back) == Some(&seen.hash)
    }

    fn check_author(
        &self,
        entry: &Sealed,
        signature_ok: Option<bool>,
    ) -> Result<&Party, Violation> {
        let b = &entry.entry.body;
        let party = self.chain.charter.party(&b.author.party).ok_or_else(|| {
            match self.chain.amending.removed.get(&b.author.party) {
                Some(r) => removed(&b.author.party, r),
                None => Violation::UnknownParty(b.author.party.clone()),
            }
        })?;
        let Some(current) = self.chain.keyring.current(&party.id) else {
            return Err(Violation::Revoked(party.id.clone()));
        };
        if current.id() != b.author.key {
            return Err(Violation::WrongKey {
                party: party.id.clone(),
                key: b.author.key,
            });
        }
        // Only the author's key is decompressed, and only when the caller
        // has not checked the signature itself (a verifier checks them in
        // bulk, with each key decompressed once).
        let valid = signature_ok.unwrap_or_else(|| {
            current
                .verifying_key()
                .is_ok_and(|vk| entry.verify_with(&vk))
        });
        if !valid {
            return Err(Violation::Signature);
        }
        let expected = self.author_seq(&party.id) + 1;
        if b.author_seq != expected {
            return Err(Violation::AuthorSeq {
                party: party.id.clone(),
                expected,
                found: b.author_seq,
            });
        }
        Ok(party)
    }

    /// The amendment rule and the parties removed by amendment.
    pub fn amending(&self) -> &Amending {
        &self.chain.amending
    }

    /// The refusal for a key that was the last key of a party removed by
    /// amendment, if `key` is one.
    fn removed_holder(&self, key: &PublicKey) -> Option<Violation> {
        self.chain.amending.removed.iter().find_map(|(p, r)| {
            let last = self.chain.keyring.history(p).last()?;
            (last.key == *key).then(|| removed(p, r))
        })
    }

    /// Applies the changes of the amendment `entry` adopted, if it adopted
    /// one, from this entry on (as a revocation is effective by position).
    fn amend(&mut self, entry: &Sealed) {
        let chain = &mut self.chain;
        amendment::on_adoption(
            &self.records,
            entry,
            &mut chain.charter,
            &mut chain.amending,
            &mut chain.keyring,
        );
    }

    fn advance(&mut self, entry: &Sealed) {
        let b = &entry.entry.body;
        *self
            .chain
            .author_seq
            .entry(b.author.party.clone())
            .or_insert(0) = b.author_seq;
        self.chain.head = entry.head();
        self.chain.head_time = b.time;
        if self.chain.recent.len() as u64 == SEEN_WINDOW {
            self.chain.recent.pop_front();
        }
        self.chain.recent.push_back(entry.hash);
    }
}

fn removed(party: &PartyId, r: &Removal) -> Violation {
    Violation::RemovedParty {
        party: party.clone(),
        amendment: r.amendment.clone(),
        seq: r.seq,
    }
}
