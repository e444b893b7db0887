//! Shared fixtures for accord-core's tests: the one builder of a ledger's
//! entry 0, so no test hand-builds the genesis links, and the founded
//! state and signing step the given/when/then tests share.
//!
//! Only builders live here; a fixture must never assert anything.

use accord_core::crypto::public_key;
use accord_core::entry::{Author, EntryBody, Head};
use accord_core::{
    Charter, EntryHash, Event, Party, PartyId, Role, Rules, State, Violation, FORMAT_VERSION,
};
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

/// The signing key of the `i`-th party of a [`founded`] ledger (and of
/// keys outside it, for higher `i`).
#[allow(dead_code)]
pub fn key(i: usize) -> SigningKey {
    SigningKey::from_bytes(&[i as u8 + 1; 32])
}

/// The state of a ledger founded at `time` by party 0 of `parties` (id and
/// role, each named after its id and holding [`key`] of its index) under
/// `rules`.
#[allow(dead_code)]
pub fn founded(parties: &[(&str, Role)], rules: Rules, time: i64) -> State {
    let charter = Charter {
        title: "T".into(),
        parties: parties
            .iter()
            .enumerate()
            .map(|(i, (id, role))| Party {
                id: PartyId::new(*id).unwrap(),
                name: id.to_string(),
                role: *role,
                key: public_key(&key(i)),
            })
            .collect(),
        rules,
    };
    let founder = PartyId::new(parties[0].0).unwrap();
    let body = genesis_body(charter, founder, &key(0), time);
    State::genesis(&body.sign(&key(0)).unwrap()).unwrap()
}

/// Signs `event` by party `signer` a minute after `*time` and offers it to
/// the gate: the new entry's seq, or the refusal (the state unchanged).
#[allow(dead_code)]
pub fn admit(
    state: &mut State,
    time: &mut i64,
    signer: usize,
    event: Event,
) -> Result<u64, Violation> {
    *time += 60;
    let entry = state.sign_next(&key(signer), *time, event).unwrap();
    state.admit(&entry).map(|_| entry.seq())
}
