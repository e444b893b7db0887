//! Shared fixtures for accord-core's tests: the one builder of a ledger's
//! entry 0, so no test hand-builds the genesis links.
//!
//! Only builders live here; a fixture must never assert anything.

use accord_core::crypto::public_key;
use accord_core::entry::{Author, EntryBody, Head};
use accord_core::{Charter, EntryHash, Event, PartyId, FORMAT_VERSION};
use ed25519_dalek::SigningKey;

/// The unsigned entry 0 founding `charter`, authored at `time` by `party`
/// with `key` (zero ledger id, previous hash and seen head).
pub fn genesis_body(charter: Charter, party: PartyId, key: &SigningKey, time: i64) -> EntryBody {
    EntryBody {
        version: FORMAT_VERSION,
        ledger: EntryHash::ZERO,
        seq: 0,
        prev: EntryHash::ZERO,
        time,
        author: Author {
            party,
            key: public_key(key).id(),
        },
        author_seq: 1,
        seen: Head {
            seq: 0,
            hash: EntryHash::ZERO,
        },
        event: Event::Charter(charter),
    }
}
