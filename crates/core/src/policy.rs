//! Whose signatures make a checkpoint trusted: the witness [`Policy`], the
//! key a party held at a tree size, and the checks of a checkpoint note's
//! party signature ([`signer`]) and witnesses' cosignatures
//! ([`cosigned_by`], [`cosigners`]) against a keyring.
//!
//! One implementation for both readers of checkpoints: the ledger's
//! `verify --checkpoint` (keyring from a verified replay) and the dispute
//! bundle check (keyring replayed from the bundle's key events). They
//! differ in one deliberate way, chosen by [`WitnessKeys`]. This module
//! never checks that a checkpoint matches a ledger, and never words a
//! refusal: callers map [`SignatureError`] and the quorum shortfall to
//! their own messages.

use crate::charter::Charter;
use crate::crypto::PublicKey;
use crate::ids::PartyId;
use crate::keyring::Keyring;
use crate::note::{Note, NoteKey, SigType, Verified};

/// Whose cosignatures make a checkpoint trusted, and how many.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Policy {
    /// The parties whose cosignatures count.
    pub witnesses: Vec<PartyId>,
    /// How many of them must cosign.
    pub quorum: usize,
}

impl Policy {
    /// The default: the charter's guarantors, with its ruling quorum.
    pub fn of_charter(charter: &Charter) -> Policy {
        Policy {
            witnesses: charter.guarantors().map(|p| p.id.clone()).collect(),
            quorum: charter.rules.ruling_quorum as usize,
        }
    }
}

/// Which of a witness's keys a cosignature of a checkpoint of size `size`
/// may be made with.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WitnessKeys {
    /// Only the key it held at `size` (a bundle: its keyring ends there).
    AtSize,
    /// Any key it held at `size` or later: a witness may have rotated
    /// between the checkpoint and its cosignature (`verify --checkpoint`,
    /// which knows the whole ledger).
    FromSize,
}

/// Why a checkpoint's signatures are refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SignatureError {
    /// No party of the charter signed with its key at the checkpoint's size.
    Unsigned,
    /// A signature line by this party's key at the size does not verify.
    BadSignature(PartyId),
    /// A cosignature line by one of this witness's keys does not verify.
    BadCosignature(PartyId),
}

/// The key `party` signed with after entry `size - 1` (from `size` on), if
/// it had one.
pub fn key_at(keyring: &Keyring, party: &PartyId, size: u64) -> Option<PublicKey> {
    keyring
        .history(party)
        .iter()
        .find(|s| s.from <= size && s.until.is_none_or(|u| size < u))
        .map(|s| s.key)
}

/// Every key `party` held at position `size` or later: a witness may have
/// rotated between the checkpoint and its cosignature.
pub fn keys_from(keyring: &Keyring, party: &PartyId, size: u64) -> Vec<PublicKey> {
    keyring
        .history(party)
        .iter()
        .filter(|s| s.until.is_none_or(|u| size < u))
        .map(|s| s.key)
        .collect()
}

/// The checkpoint's signer: the first party of the charter whose key at
/// `size` signed `note`. Any signature line by such a key that does not
/// verify refuses the checkpoint.
pub fn signer(
    note: &Note,
    size: u64,
    charter: &Charter,
    keyring: &Keyring,
) -> Result<PartyId, SignatureError> {
    let mut signer = None;
    for party in &charter.parties {
        let Some(key) = key_at(keyring, &party.id, size) else {
            continue;
        };
        match note.verify(&note_key(&party.id, SigType::Ed25519, key)) {
            Ok(Some(_)) => signer = signer.or(Some(party.id.clone())),
            Ok(None) => {}
            Err(_) => return Err(SignatureError::BadSignature(party.id.clone())),
        }
    }
    signer.ok_or(SignatureError::Unsigned)
}

/// The time `party` cosigned `note` (a checkpoint of size `size`) with one
/// of its `keys`, the earliest if several; `None` if it did not. A
/// cosignature line by one of those keys that does not verify is an error.
pub fn cosigned_by(
    note: &Note,
    size: u64,
    party: &PartyId,
    keyring: &Keyring,
    keys: WitnessKeys,
) -> Result<Option<u64>, SignatureError> {
    let candidates = match keys {
        WitnessKeys::AtSize => key_at(keyring, party, size).into_iter().collect(),
        WitnessKeys::FromSize => keys_from(keyring, party, size),
    };
    let mut earliest: Option<u64> = None;
    for key in candidates {
        match note.verify(&note_key(party, SigType::CosignatureV1, key)) {
            Ok(Some(Verified::Cosigned { timestamp })) => {
                earliest = Some(earliest.map_or(timestamp, |e| e.min(timestamp)));
            }
            Ok(_) => {}
            Err(_) => return Err(SignatureError::BadCosignature(party.clone())),
        }
    }
    Ok(earliest)
}

/// Each of `witnesses` that cosigned `note`, once, with its time, in the
/// order given. Whether they reach a quorum is the caller's to say.
pub fn cosigners(
    note: &Note,
    size: u64,
    witnesses: &[PartyId],
    keyring: &Keyring,
    keys: WitnessKeys,
) -> Result<Vec<(PartyId, u64)>, SignatureError> {
    let mut found: Vec<(PartyId, u64)> = Vec::new();
    for w in witnesses {
        if found.iter().any(|(p, _)| p == w) {
            continue;
        }
        if let Some(t) = cosigned_by(note, size, w, keyring, keys)? {
            found.push((w.clone(), t));
        }
    }
    Ok(found)
}

/// The note key a party's signature lines are named by: its party id.
fn note_key(party: &PartyId, sig_type: SigType, key: PublicKey) -> NoteKey {
    NoteKey {
        name: party.as_str().to_owned(),
        sig_type,
        key,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pid(s: &str) -> PartyId {
        PartyId::new(s).unwrap()
    }

    fn charter(parties: &[(&str, PublicKey)]) -> Charter {
        Charter {
            title: "t".into(),
            parties: parties
                .iter()
                .map(|(id, key)| crate::Party {
                    id: pid(id),
                    name: id.to_uppercase(),
                    role: crate::Role::Guarantor,
                    key: *key,
                })
                .collect(),
            rules: crate::Rules {
                clause_adoption: crate::Adoption::AllGuarantors,
                ruling_quorum: 1,
            },
        }
    }

    #[test]
    fn a_cosignature_by_a_later_key_counts_only_from_the_size_on() {
        let secret = |b: u8| ed25519_dalek::SigningKey::from_bytes(&[b; 32]);
        let (tr_key, ru_old, ru_new) = (secret(1), secret(2), secret(3));
        let pk = crate::crypto::public_key;
        let charter = charter(&[("tr", pk(&tr_key)), ("ru", pk(&ru_old))]);
        let mut ring = Keyring::from_charter(&charter);
        // ru rotates by entry 6, after a checkpoint of size 5.
        ring.replace(&pid("ru"), 6, Some(pk(&ru_new)));
        let mut note = Note::new("accord/test\n5\nroot\n").unwrap();
        note.sign("tr", &tr_key).unwrap();
        note.cosign("ru", &ru_new, 1_700_000_000).unwrap();
        let ru = [pid("ru")];

        assert_eq!(signer(&note, 5, &charter, &ring), Ok(pid("tr")));
        let at = cosigners(&note, 5, &ru, &ring, WitnessKeys::AtSize).unwrap();
        assert!(at.is_empty(), "the key at size 5 is ru's old one");
        let from = cosigners(&note, 5, &ru, &ring, WitnessKeys::FromSize).unwrap();
        assert_eq!(from, vec![(pid("ru"), 1_700_000_000)]);

        // A cosignature by a key of ru's that does not verify is refused.
        let mut forged = Note::new("accord/test\n5\nother\n").unwrap();
        forged.sign("tr", &tr_key).unwrap();
        forged.cosign("ru", &ru_new, 1_700_000_000).unwrap();
        let lines = forged.signatures().to_vec();
        let mut tampered = Note::new("accord/test\n5\nroot\n").unwrap();
        for line in lines {
            tampered.push_line(line).unwrap();
        }
        assert_eq!(
            cosigners(&tampered, 5, &ru, &ring, WitnessKeys::FromSize),
            Err(SignatureError::BadCosignature(pid("ru")))
        );
        assert_eq!(
            signer(&tampered, 5, &charter, &ring),
            Err(SignatureError::BadSignature(pid("tr")))
        );
        assert_eq!(
            signer(
                &Note::new("accord/test\n5\nroot\n").unwrap(),
                5,
                &charter,
                &ring
            ),
            Err(SignatureError::Unsigned)
        );
    }

    #[test]
    fn the_key_at_a_size_follows_rotations_and_revocations() {
        let tr = pid("tr");
        let first = PublicKey([8; 32]);
        let charter = Charter {
            title: "t".into(),
            parties: vec![crate::Party {
                id: tr.clone(),
                name: "Turkey".into(),
                role: crate::Role::Guarantor,
                key: first,
            }],
            rules: crate::Rules {
                clause_adoption: crate::Adoption::AllGuarantors,
                ruling_quorum: 1,
            },
        };
        let mut ring = Keyring::from_charter(&charter);
        let second = PublicKey([9; 32]);
        // Rotated by entry 4: the new key signs from entry 5 on.
        ring.replace(&tr, 4, Some(second));
        assert_eq!(key_at(&ring, &tr, 1), Some(first));
        assert_eq!(key_at(&ring, &tr, 4), Some(first));
        assert_eq!(key_at(&ring, &tr, 5), Some(second));
        assert_eq!(keys_from(&ring, &tr, 3), vec![first, second]);
        assert_eq!(keys_from(&ring, &tr, 5), vec![second]);
        // Revoked without replacement by entry 8.
        ring.replace(&tr, 8, None);
        assert_eq!(key_at(&ring, &tr, 9), None);
        assert_eq!(key_at(&ring, &tr, 8), Some(second));
        assert_eq!(key_at(&ring, &pid("nobody"), 1), None);
    }
}
