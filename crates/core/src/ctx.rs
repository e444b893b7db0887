//! What the rules know about the entry being admitted ([`Ctx`]), handed by
//! the gate to the decisions and the fold.
//!
//! A plain view of borrowed state: it must never hold logic of its own.

use crate::amendment::Amending;
use crate::charter::{Charter, Role};
use crate::ids::{LedgerId, PartyId};
use crate::keyring::Keyring;

/// What the event rules know about the entry being admitted.
pub(crate) struct Ctx<'a> {
    pub ledger: &'a LedgerId,
    pub charter: &'a Charter,
    pub keyring: &'a Keyring,
    pub party: &'a PartyId,
    pub role: Role,
    pub time: i64,
    pub amending: &'a Amending,
}
