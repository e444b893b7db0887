//! The rules and the fold for decisions by bodies: rulings drafted by a
//! body under its own rule (recusal, consensus with a lapse, provisional
//! until the parent adopts), views by non-members, clauses with their own
//! signatories.
//!
//! Called by the gate (`decide`) and the fold (`fold`) for the events it
//! owns; it never changes the chain.

use crate::ctx::Ctx;
use crate::entry::Sealed;
use crate::event::Event;
use crate::records::Records;
use crate::violation::Violation;

/// Whether `event` (one of this module's kinds) may be admitted.
pub(crate) fn check(_ctx: &Ctx, _records: &Records, event: &Event) -> Result<(), Violation> {
    Err(Violation::NotYet(event.kind()))
}

/// Folds an admitted `entry` (one of this module's kinds) into the records.
pub(crate) fn fold(_ctx: &Ctx, _records: &mut Records, _entry: &Sealed) {}
