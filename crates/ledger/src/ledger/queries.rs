//! Queries: states as of an entry or a time (verifying replays of a
//! prefix, or a projection checkpoint for the open view), an item's
//! history, records at the head, evidence, and equivocations against
//! another copy. Nothing here writes to the store, except that reading
//! derived data found stale rebuilds it.

use std::collections::BTreeSet;

use accord_core::clause_view::{self, ClauseView};
use accord_core::crypto::PublicKey;
use accord_core::projection::History;
use accord_core::records::LoadError;
use accord_core::{
    AllegationId, ClauseId, ClauseState, Event, Evidence, NextEntry, Proposal, RecordKey, Records,
    Sealed, State, Violation,
};
use accord_store::Store;

use super::derived::Reload;
use super::Ledger;
use crate::verify;
use crate::LedgerError;

impl<S: Store> Ledger<S> {
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
    /// needs ([`projection::open_view`](accord_core::projection::open_view)):
    /// the live items and what they link to, read from the derived data
    /// appends keep (rebuilt from the entries if it is stale or damaged).
    /// Reads no history.
    pub fn open_state(&mut self) -> Result<State, LedgerError> {
        self.retrying(|l| {
            let mut state = l.head_state()?;
            let live = l.live_keys()?;
            l.load_records(&mut state, &mut BTreeSet::new(), live)?;
            Ok(state)
        })
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
            LedgerError::NotOnRecord(Violation::Unknown {
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

    /// What the next entry signed with `key` links to and counts from
    /// (a client signing away from the ledger asks for this).
    pub fn next_for(&mut self, key: &PublicKey) -> Result<NextEntry, LedgerError> {
        let state = self.state_for(Vec::new())?;
        state.next_for(key).map_err(LedgerError::from)
    }

    /// The proposal `key` names (a clause, ruling or key revocation) as of
    /// the head, if there is one.
    pub fn proposal(&mut self, key: &RecordKey) -> Result<Option<Proposal>, LedgerError> {
        Ok(self.records(vec![key.clone()])?.proposal(key))
    }

    // issue 15: messages
    /// What adopts the pending proposal `key` names, in words with the
    /// number needed ("all 3 guarantors endorse it"), under the charter
    /// and mechanism in force at the head; `None` for other records.
    pub fn adoption_rule(&mut self, key: &RecordKey) -> Result<Option<String>, LedgerError> {
        use accord_core::charter::Adoption;
        let state = self.state_for(vec![key.clone()])?;
        let charter = state.charter();
        let guarantors = charter.guarantors().count();
        let by = |rule: Adoption| match rule {
            Adoption::AllGuarantors => format!("all {guarantors} guarantors endorse it"),
            Adoption::Quorum(n) => format!("{n} of the {guarantors} guarantors endorse it"),
        };
        let records = state.records();
        Ok(match key {
            RecordKey::Clause(id) => records.clauses().get(id).map(|c| match &c.signatories {
                Some(s) => format!(
                    "every guarantor among its signatories ({}) endorses it",
                    s.len()
                ),
                None => by(charter.rules.clause_adoption),
            }),
            RecordKey::Ruling(id) => records.rulings().get(id).map(|r| match &r.body {
                Some(body) => {
                    format!("body {body}'s rule is met (`accord charter show` states it)")
                }
                None => by(Adoption::Quorum(charter.rules.ruling_quorum)),
            }),
            RecordKey::Revocation(_) => Some(by(Adoption::Quorum(charter.rules.ruling_quorum))),
            RecordKey::Amendment(_) => Some(by(state.amending().rule)),
            _ => None,
        })
    }

    // issue 14: actors
    /// The mechanism in force at the head (bodies, scales, actor register).
    pub fn mechanism(&mut self) -> Result<accord_core::mechanism::Mechanism, LedgerError> {
        Ok(self.head_state()?.amending().mechanism.clone())
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

    // issue 13: clauses
    /// The state at the head holding clause `id`'s record and the clauses
    /// it revises: what its view ([`Ledger::clause_view`]) needs.
    pub fn clause_state(&mut self, id: &ClauseId) -> Result<State, LedgerError> {
        self.state_for(vec![RecordKey::Clause(id.clone())])
    }

    /// The state at the head holding every clause's record, read from the
    /// derived data appends keep (rebuilt from the entries if it is stale
    /// or damaged): what the clause list needs. Reads no history.
    pub fn clauses_state(&mut self) -> Result<State, LedgerError> {
        self.retrying(|l| {
            let mut state = l.head_state()?;
            let names: Vec<Vec<u8>> = l
                .store
                .derived_scan(RecordKey::CLAUSE_PREFIX)
                .map(|item| item.map(|(k, _)| k))
                .collect::<Result<_, _>>()?;
            let Some(keys) = names
                .iter()
                .map(|k| RecordKey::from_bytes(k))
                .collect::<Option<Vec<_>>>()
            else {
                l.rebuild_derived()?;
                return Err(Reload::Stale);
            };
            l.load_records(&mut state, &mut BTreeSet::new(), keys)?;
            Ok(state)
        })
    }

    /// The state after entry `seq` holding clause `id`'s record as it stood
    /// then (and what it links to): [`Ledger::clause_records_at`].
    pub fn clause_state_at(&mut self, id: &ClauseId, seq: u64) -> Result<State, LedgerError> {
        self.clause_records_at(seq, vec![RecordKey::Clause(id.clone())])
    }

    /// The state after entry `seq` holding every clause on record then, as
    /// it stood then: [`Ledger::clause_records_at`].
    pub fn clauses_state_at(&mut self, seq: u64) -> Result<State, LedgerError> {
        let keys = self
            .clauses_state()?
            .records()
            .clauses()
            .iter()
            .filter(|(_, c)| c.proposal.seq <= seq)
            .map(|(id, _)| RecordKey::Clause(id.clone()))
            .collect();
        self.clause_records_at(seq, keys)
    }

    /// The state after entry `seq` with the clause records `keys` as they
    /// stood then, from the nearest projection checkpoint and the entries
    /// after it ([`Ledger::open_state_at`]'s path), else from a replay of
    /// entries 0..=seq. A clause stays in the open view until it is
    /// withdrawn or superseded, and a withdrawn or superseded clause never
    /// changes again: so a clause the checkpoint left out was closed by
    /// then, and its stored record is as it stood at `seq`.
    fn clause_records_at(&self, seq: u64, keys: Vec<RecordKey>) -> Result<State, LedgerError> {
        let last = self.last_seq()?;
        if seq > last {
            return Err(LedgerError::NoEntry { seq, last });
        }
        let Some(state) = self.open_state_from_checkpoint(seq)? else {
            return self.state_at(seq);
        };
        let (chain, mut records) = state.into_parts();
        let missing: Vec<RecordKey> = keys.into_iter().filter(|k| !records.contains(k)).collect();
        match records.load_linked(missing, |k| self.store.derived(&k.to_bytes())) {
            Ok(()) => {}
            Err(LoadError::Fetch(e)) => return Err(e.into()),
            Err(LoadError::Undecodable(..)) => return self.state_at(seq),
        }
        // What was loaded as stored may have been proposed after `seq`.
        let later: Vec<RecordKey> = records
            .clauses()
            .iter()
            .filter(|(_, c)| c.proposal.seq > seq)
            .map(|(id, _)| RecordKey::Clause(id.clone()))
            .collect();
        for k in &later {
            records.remove(k);
        }
        Ok(State::from_parts(chain, records))
    }

    /// The view of clause `id` in `state` (one this ledger gave:
    /// [`Ledger::clause_state`], [`Ledger::state_at`],
    /// [`Ledger::state_as_of`]), its phase judged at `time`, with the text
    /// read from its proposal entry; `None` if it is not on record there.
    pub fn clause_view(
        &self,
        state: &State,
        id: &ClauseId,
        time: i64,
    ) -> Result<Option<ClauseView>, LedgerError> {
        let Some(c) = state.records().clauses().get(id) else {
            return Ok(None);
        };
        let entry = self.entry(c.proposal.seq)?;
        let text = match entry.entry.body.event {
            // issue 14: bodies (a tabled clause's text is in its ClauseTabled)
            Event::ClauseProposed { text, .. }
            | Event::ClauseRevisionProposed { text, .. }
            | Event::ClauseTabled { text, .. }
                if entry.head() == c.proposal =>
            {
                text
            }
            _ => {
                return Err(LedgerError::Damaged {
                    seq: c.proposal.seq,
                    reason: format!("it is not the entry that proposed clause {id}"),
                })
            }
        };
        Ok(clause_view::show(state, id, text, time))
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
}
