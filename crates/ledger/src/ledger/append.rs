//! Appends: signing and appending one event, and appending entries signed
//! elsewhere in one batch. Every entry passes the gate
//! ([`accord_core::State::admit`]) before anything is written, and is stored
//! whole, with its derived data, durably or not at all.

use std::collections::BTreeSet;

use accord_core::{Event, Sealed};
use accord_store::Store;
use ed25519_dalek::SigningKey;

use super::derived::{checkpoint, derived_writes, derived_writes_for, key_hash};
use super::incremental::{changed_by, Checkpointer, WriteSession};
use super::{Ledger, MAX_CLOCK_SKEW_SECS};
use crate::verify::KnownKeys;
use crate::LedgerError;

impl<S: Store> Ledger<S> {
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
            writes.extend(l.tree_writes([&entry])?);
            if entry.seq() % every == 0 {
                let live = l.live_keys()?;
                l.load_records(&mut state, &mut BTreeSet::new(), live)?;
                let prev = match entry.seq().checked_sub(every) {
                    Some(p) => l.checkpoint_base(p)?,
                    None => None,
                };
                writes.push(checkpoint(&state, prev.as_ref())?.0);
            }
            Ok((entry, writes))
        })?;
        self.written = None;
        self.store.append(entry.seq(), &entry.bytes, &writes)?;
        Ok(entry)
    }

    /// Appends entries signed elsewhere (an import, a synthetic ledger),
    /// checking each, in one durable batch. All or nothing.
    pub fn append_sealed(&mut self, entries: &[Sealed]) -> Result<(), LedgerError> {
        if entries.is_empty() {
            return Ok(());
        }
        let mut keys = KnownKeys::for_entries(&self.head_state()?, entries);
        for e in entries.iter().filter(|e| KnownKeys::puts_forward(e)) {
            keys.learn(e);
        }
        let signatures = keys.check_all(entries);
        self.append_checked(entries, &signatures)
    }

    /// [`Ledger::append_sealed`] with each entry's signature already
    /// checked (`signatures[i]` for `entries[i]`) against the key it names.
    ///
    /// The first checkpoint a run of batches lands is computed in full
    /// (every live record loaded); after it the ledger keeps a
    /// [`WriteSession`] (the open records and what changed since that
    /// checkpoint), so later checkpoints cost what changed, not the live set.
    pub(crate) fn append_checked(
        &mut self,
        entries: &[Sealed],
        signatures: &[bool],
    ) -> Result<(), LedgerError> {
        if entries.is_empty() {
            return Ok(());
        }
        let every = self.checkpoint_every;
        let reaches_checkpoint = entries.iter().any(|e| e.seq() % every == 0);
        let session = self.retrying(|l| {
            let head = l.head_state()?;
            // Taken after `head_state`, which may rebuild derived data (and
            // drop the session); dropped on any error, since a refused
            // entry may have changed its state.
            let (mut state, mut checkpointer) =
                match l.writer.take().filter(|s| s.state.head() == head.head()) {
                    Some(s) => (s.state, Some(s.checkpointer)),
                    None => (head, None),
                };
            let mut loaded = BTreeSet::new();
            if reaches_checkpoint && checkpointer.is_none() {
                // A checkpoint computed in full reads every live record,
                // not only those these entries touch.
                let live = l.live_keys()?;
                l.load_records(&mut state, &mut loaded, live)?;
            }
            let mut checkpoints = Vec::new();
            // The records the entries change: what they touch and what
            // that links to. Live records loaded only for a checkpoint are
            // not written again.
            let mut changed = BTreeSet::new();
            for (e, &signature_ok) in entries.iter().zip(signatures) {
                let touches = e.entry.body.event.touches();
                l.load_records(&mut state, &mut loaded, touches.clone())?;
                state.admit_checked(e, signature_ok).map_err(|violation| {
                    LedgerError::RejectedEntry {
                        seq: e.seq(),
                        violation,
                    }
                })?;
                let keys = changed_by(&state, e);
                if let Some(c) = checkpointer.as_mut() {
                    c.note(&state, &keys);
                }
                changed.extend(keys);
                if e.seq() % every == 0 {
                    match checkpointer.as_mut() {
                        Some(c) => checkpoints.push(c.checkpoint(&state)?),
                        None => {
                            let prev = match e.seq().checked_sub(every) {
                                Some(p) => l.checkpoint_base(p)?,
                                None => None,
                            };
                            let (kv, base) = checkpoint(&state, prev.as_ref())?;
                            checkpoints.push(kv);
                            checkpointer = Some(Checkpointer::start(&state, base));
                        }
                    }
                }
            }
            let batch: Vec<(u64, Vec<u8>)> =
                entries.iter().map(|e| (e.seq(), e.bytes.clone())).collect();
            changed.retain(|k| state.records().contains(k));
            let mut writes = derived_writes_for(&state, changed.clone())?;
            writes.extend(checkpoints);
            writes.extend(l.tree_writes(entries)?);
            l.store.append_batch(&batch, &writes)?;
            if let Some(w) = l.written.as_mut() {
                w.extend(changed.iter().map(key_hash));
            }
            Ok(checkpointer.map(|checkpointer| {
                let mut session = WriteSession {
                    state,
                    checkpointer,
                };
                session.forget_closed(&changed);
                session
            }))
        })?;
        self.writer = session;
        Ok(())
    }
}
