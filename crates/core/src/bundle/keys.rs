//! The key history a bundle carries, replayed: which key each party held at
//! each position, from the charter and the key events alone.
//!
//! A bundle holds the charter and every key event but not the entries
//! between them, so the chain gate ([`crate::State::admit`]) cannot run
//! here. Each key event still passes the same decision (`decide::check`)
//! and the same fold (`fold::apply`) as on append, with the same keyring;
//! only the links between consecutive entries (prev, seen head, per-author
//! sequence, times never going back) are left to the witnesses, who verified
//! the whole ledger before cosigning. No rule may be written here a second
//! time.

use crate::amendment::{self, Amending};
use crate::charter::Charter;
use crate::crypto::PublicKey;
use crate::ctx::Ctx;
use crate::entry::{Sealed, FORMAT_VERSION};
use crate::ids::LedgerId;
use crate::keyring::Keyring;
use crate::records::Records;
use crate::state::State;
use crate::violation::Violation;
use crate::{decide, fold};

use super::EntryFault;

/// The charter and the keyring folded from the key events seen so far.
#[derive(Debug, Clone)]
pub struct KeyHistory {
    ledger: LedgerId,
    charter: Charter,
    keyring: Keyring,
    /// The revocations and amendments proposed so far (the only records
    /// key events touch).
    records: Records,
    /// The amendment rule and the parties removed by amendment.
    amending: Amending,
}

impl KeyHistory {
    /// Founds the history on entry 0, checked as the gate checks it.
    pub fn found(entry0: &Sealed) -> Result<KeyHistory, Violation> {
        let state = State::genesis(entry0)?;
        Ok(KeyHistory {
            ledger: state.ledger_id(),
            charter: state.charter().clone(),
            keyring: state.keyring().clone(),
            records: Records::default(),
            amending: state.amending().clone(),
        })
    }

    /// The ledger id: the hash of the charter entry the history was founded on.
    pub fn ledger(&self) -> LedgerId {
        self.ledger
    }

    /// The charter: parties, guarantors and quorums the key events are judged by.
    pub fn charter(&self) -> &Charter {
        &self.charter
    }

    /// Every party's keys with the positions each was valid over, as
    /// replayed so far.
    pub fn keyring(&self) -> &Keyring {
        &self.keyring
    }

    /// Checks that `entry` belongs to this ledger and is signed by its
    /// author's key at its position; returns that key. Right for any entry
    /// once every key event before it has been applied.
    pub fn check_signed(&self, entry: &Sealed) -> Result<PublicKey, EntryFault> {
        let b = &entry.entry.body;
        if b.version != FORMAT_VERSION {
            return Err(EntryFault::Rule(Box::new(Violation::Version(b.version))));
        }
        if b.seq > 0 && b.ledger != self.ledger {
            return Err(EntryFault::WrongLedger);
        }
        let party = &b.author.party;
        // A party removed later still signed its earlier entries (the
        // keyring says until when).
        if self.charter.party(party).is_none() && !self.amending.removed.contains_key(party) {
            return Err(EntryFault::Rule(Box::new(Violation::UnknownParty(
                party.clone(),
            ))));
        }
        let key = self
            .keyring
            .at(party, &b.author.key, b.seq)
            .ok_or_else(|| EntryFault::Key {
                party: party.clone(),
                key: b.author.key.short(),
            })?;
        if !entry.signature_valid(key) {
            return Err(EntryFault::Signature(party.clone()));
        }
        Ok(*key)
    }

    /// Applies the key event `entry` (not entry 0) at its position: its
    /// signature under the author's key there, then the event's own rules
    /// and fold, as the gate runs them; a change of key takes effect from
    /// the next entry.
    pub fn apply(&mut self, entry: &Sealed) -> Result<(), EntryFault> {
        self.check_signed(entry)?;
        let b = &entry.entry.body;
        let role = self
            .charter
            .party(&b.author.party)
            .map(|p| p.role)
            .ok_or_else(|| {
                EntryFault::Rule(Box::new(Violation::UnknownParty(b.author.party.clone())))
            })?;
        let ctx = Ctx {
            ledger: &self.ledger,
            charter: &self.charter,
            keyring: &self.keyring,
            party: &b.author.party,
            role,
            time: b.time,
            amending: &self.amending,
        };
        decide::check(&ctx, &self.records, &b.event).map_err(|v| EntryFault::Rule(Box::new(v)))?;
        if let Some((party, key)) = fold::apply(&ctx, &mut self.records, entry) {
            self.keyring.replace(&party, entry.seq(), key);
        }
        amendment::on_adoption(
            &self.records,
            entry,
            &mut self.charter,
            &mut self.amending,
            &mut self.keyring,
        );
        Ok(())
    }
}
