//! The key-history commitment: one SHA-256 over every entry that can change
//! which key a party signs with (the charter, rotations, revocation proposals
//! and endorsements, charter amendments and their endorsements), in order,
//! up to a tree size.
//!
//! A checkpoint carries it in an extension line and witnesses recompute it
//! from their own copy before cosigning, so a dispute bundle that lists key
//! events can be checked to list all of them. This module only names the
//! events and hashes the list; it must never decide whether a key is valid
//! (that is the keyring's job).

use sha2::{Digest, Sha256};

use crate::event::Event;
use crate::ids::EntryHash;

/// Domain tag of the key-history digest.
pub const KEY_EVENTS_TAG: &[u8] = b"accord-v1/key-events\0";

/// Whether an entry carrying `event` is part of the key history.
pub fn is_key_event(event: &Event) -> bool {
    matches!(
        event,
        Event::Charter(_)
            | Event::KeyRotated { .. }
            | Event::KeyRotatedUnproven { .. }
            | Event::KeyRevocationProposed { .. }
            | Event::KeyRevocationEndorsed { .. }
            // issue 13: amendments add and remove keys, and change who
            // adopts a revocation and by how many.
            | Event::AmendmentProposed { .. }
            | Event::AmendmentEndorsed { .. }
    )
}

/// `SHA-256(KEY_EVENTS_TAG ‖ (seq as u64 big-endian ‖ entry hash)*)` over the
/// key events in ledger order.
pub fn digest<'a>(events: impl IntoIterator<Item = (u64, &'a EntryHash)>) -> [u8; 32] {
    let mut h = Sha256::new();
    h.update(KEY_EVENTS_TAG);
    for (seq, hash) in events {
        h.update(seq.to_be_bytes());
        h.update(hash.0);
    }
    h.finalize().into()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_digest_depends_on_every_event_and_its_position() {
        let a = EntryHash([1; 32]);
        let b = EntryHash([2; 32]);
        let both = digest([(0, &a), (5, &b)]);
        assert_ne!(both, digest([(0, &a)]));
        assert_ne!(both, digest([(0, &a), (6, &b)]));
        assert_ne!(both, digest([(5, &b), (0, &a)]));
        assert_eq!(both, digest([(0, &a), (5, &b)]));
        assert_ne!(digest([]), [0; 32]);
    }
}
