//! Keys and signatures: ed25519 (RFC 8032) through ed25519-dalek, SHA-256
//! (FIPS 180-4) through sha2, with a domain tag on every hash and signature.
//!
//! Every accept decision goes through `verify_strict`. Key material never
//! leaves this module as text except as PKCS#8 PEM, and is zeroized on drop
//! (ed25519-dalek's `SigningKey` does so itself).

use ed25519_dalek::pkcs8::{
    spki::der::pem::LineEnding, DecodePrivateKey, DecodePublicKey, EncodePrivateKey,
    EncodePublicKey, KeypairBytes,
};
use ed25519_dalek::{Signer, SigningKey, VerifyingKey};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use zeroize::Zeroizing;

use crate::ids::KeyId;

/// Domain tag of a key id: `SHA-256(KEY_ID_TAG || public key)`.
pub const KEY_ID_TAG: &[u8] = b"accord-v1/key-id\0";

/// Why bytes or text are not a usable ed25519 key.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum KeyError {
    /// The 32 bytes do not decode to a curve point.
    #[error("not a valid ed25519 public key")]
    InvalidPoint,
    /// The bytes are a point, but not in its one canonical encoding.
    #[error("not the canonical encoding of an ed25519 public key (a coordinate of p or more, or a negative zero): refused")]
    NonCanonical,
    /// The point has small order, so anyone could forge signatures under it.
    #[error("weak ed25519 public key (small order): refused")]
    Weak,
    /// The text is not a PKCS#8 ed25519 private key in PEM (the reason from the decoder).
    #[error("not a PKCS#8 ed25519 private key in PEM form: {0}")]
    PrivatePem(String),
    /// The text is not an SPKI ed25519 public key in PEM (the reason from the decoder).
    #[error("not an ed25519 public key in PEM (SPKI) form: {0}")]
    PublicPem(String),
    /// The text is not repeated: it may be a private key pasted by mistake.
    #[error("not 64 hex characters of an ed25519 public key ({0} characters given; the text is not shown)")]
    Hex(usize),
}

/// An ed25519 public key as its 32 compressed bytes. Whether the bytes are a
/// valid, strong key is checked by [`PublicKey::verifying_key`].
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct PublicKey(pub [u8; 32]);

// Canonical (binary) encodings carry the 32 bytes; JSON carries hex.
impl Serialize for PublicKey {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        if s.is_human_readable() {
            s.serialize_str(&self.to_hex())
        } else {
            self.0.serialize(s)
        }
    }
}

impl<'de> Deserialize<'de> for PublicKey {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        if d.is_human_readable() {
            let s = String::deserialize(d)?;
            PublicKey::from_hex(&s).map_err(serde::de::Error::custom)
        } else {
            <[u8; 32]>::deserialize(d).map(Self)
        }
    }
}

impl std::fmt::Debug for PublicKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "PublicKey({})", hex::encode(self.0))
    }
}

impl PublicKey {
    /// The key's id: its domain-tagged SHA-256, which entries name instead of the key.
    pub fn id(&self) -> KeyId {
        let mut h = Sha256::new();
        h.update(KEY_ID_TAG);
        h.update(self.0);
        KeyId(h.finalize().into())
    }

    /// The key as 64 lower-case hex characters.
    pub fn to_hex(&self) -> String {
        hex::encode(self.0)
    }

    /// Reads a key from 64 hex characters (surrounding whitespace ignored); validity is checked by [`PublicKey::verifying_key`].
    pub fn from_hex(s: &str) -> Result<Self, KeyError> {
        let mut out = [0u8; 32];
        let s = s.trim();
        hex::decode_to_slice(s, &mut out).map_err(|_| KeyError::Hex(s.chars().count()))?;
        Ok(Self(out))
    }

    /// The key as a point, refusing encodings that are not points, encodings
    /// that are not the point's canonical one (docs/FORMAT.md: RFC 8032
    /// decoding refuses them, ed25519-dalek alone does not), and small-order
    /// (weak) points, including the identity.
    pub fn verifying_key(&self) -> Result<VerifyingKey, KeyError> {
        let vk = VerifyingKey::from_bytes(&self.0).map_err(|_| KeyError::InvalidPoint)?;
        if vk.to_edwards().compress().to_bytes() != self.0 {
            return Err(KeyError::NonCanonical);
        }
        if vk.is_weak() {
            return Err(KeyError::Weak);
        }
        Ok(vk)
    }

    /// The key in SPKI PEM form, as `keys export` writes it; refuses an invalid key.
    pub fn to_pem(&self) -> Result<String, KeyError> {
        let vk = self.verifying_key()?;
        vk.to_public_key_pem(LineEnding::LF)
            .map_err(|e| KeyError::PublicPem(e.to_string()))
    }

    /// Reads a public key in SPKI PEM form.
    pub fn from_pem(pem: &str) -> Result<Self, KeyError> {
        let vk = VerifyingKey::from_public_key_pem(pem.trim())
            .map_err(|e| KeyError::PublicPem(e.to_string()))?;
        Ok(Self(vk.to_bytes()))
    }
}

/// An ed25519 signature, stored as R then S (64 bytes).
#[derive(Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Signature {
    /// The encoded point R, the signature's first half.
    pub r: [u8; 32],
    /// The scalar S, the signature's second half.
    pub s: [u8; 32],
}

impl std::fmt::Debug for Signature {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Signature({})", self.to_hex())
    }
}

impl Signature {
    /// The 64 signature bytes, R then S.
    pub fn to_bytes(&self) -> [u8; 64] {
        let mut out = [0u8; 64];
        out[..32].copy_from_slice(&self.r);
        out[32..].copy_from_slice(&self.s);
        out
    }

    /// A signature from its 64 bytes, R then S (whether it verifies is another matter).
    pub fn from_bytes(bytes: &[u8; 64]) -> Self {
        let mut r = [0u8; 32];
        let mut s = [0u8; 32];
        r.copy_from_slice(&bytes[..32]);
        s.copy_from_slice(&bytes[32..]);
        Self { r, s }
    }

    /// The signature as 128 lower-case hex characters.
    pub fn to_hex(&self) -> String {
        hex::encode(self.to_bytes())
    }
}

/// Domain tag of a key-possession proof (see [`possession_message`]).
pub const POSSESSION_TAG: &[u8] = b"accord-v1/key-possession\0";

/// What a new key signs to prove its holder is the party rotating to it:
/// `POSSESSION_TAG || ledger id (32 bytes) || canonical(party id) || key
/// (32 bytes)`. Bound to one ledger and one party, so a proof cannot be
/// replayed elsewhere.
pub fn possession_message(
    ledger: &crate::ids::LedgerId,
    party: &crate::ids::PartyId,
    key: &PublicKey,
) -> Result<Vec<u8>, crate::codec::CodecError> {
    let mut m = POSSESSION_TAG.to_vec();
    m.extend_from_slice(&crate::codec::encode(&(ledger, party, key))?);
    Ok(m)
}

/// Signs `message` with `key` (ed25519, deterministic).
pub fn sign(key: &SigningKey, message: &[u8]) -> Signature {
    Signature::from_bytes(&key.sign(message).to_bytes())
}

/// Strict verification as docs/FORMAT.md defines it: RFC 8032's
/// cofactorless equation with R compared as bytes (so a non-canonical R
/// never matches), and refusing non-canonical S, small-order R, and keys that
/// are non-canonical or of small order.
pub fn verify(key: &PublicKey, message: &[u8], sig: &Signature) -> bool {
    let Ok(vk) = key.verifying_key() else {
        return false;
    };
    verify_with(&vk, message, sig)
}

/// [`verify`] under an already decompressed key (refuses small-order keys
/// too: `verify_strict` checks them).
pub fn verify_with(key: &VerifyingKey, message: &[u8], sig: &Signature) -> bool {
    let sig = ed25519_dalek::Signature::from_bytes(&sig.to_bytes());
    key.verify_strict(message, &sig).is_ok()
}

/// The public half of a private key.
pub fn public_key(key: &SigningKey) -> PublicKey {
    PublicKey(key.verifying_key().to_bytes())
}

/// PKCS#8 v1 PEM (no embedded public key), which OpenSSL 3.0-3.4 reads.
pub fn private_key_to_pem(key: &SigningKey) -> Result<Zeroizing<String>, KeyError> {
    let kp = KeypairBytes {
        secret_key: key.to_bytes(),
        public_key: None,
    };
    kp.to_pkcs8_pem(LineEnding::LF)
        .map_err(|e| KeyError::PrivatePem(e.to_string()))
}

/// Reads a PKCS#8 (v1 or v2) ed25519 private key in PEM form.
pub fn private_key_from_pem(pem: &str) -> Result<SigningKey, KeyError> {
    SigningKey::from_pkcs8_pem(pem.trim()).map_err(|e| KeyError::PrivatePem(e.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(seed: u8) -> SigningKey {
        SigningKey::from_bytes(&[seed; 32])
    }

    #[test]
    fn sign_verify_and_tamper() {
        let k = key(1);
        let pk = public_key(&k);
        let sig = sign(&k, b"hello");
        assert!(verify(&pk, b"hello", &sig));
        assert!(!verify(&pk, b"hellp", &sig));
        assert!(!verify(&public_key(&key(2)), b"hello", &sig));
    }

    #[test]
    fn non_canonical_s_is_rejected() {
        let k = key(3);
        let pk = public_key(&k);
        let mut sig = sign(&k, b"m");
        // S + l (the group order) is the same scalar mod l but not canonical.
        const L: [u8; 32] = [
            0xed, 0xd3, 0xf5, 0x5c, 0x1a, 0x63, 0x12, 0x58, 0xd6, 0x9c, 0xf7, 0xa2, 0xde, 0xf9,
            0xde, 0x14, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x10,
        ];
        let mut carry = 0u16;
        for (s, l) in sig.s.iter_mut().zip(L) {
            let v = *s as u16 + l as u16 + carry;
            *s = v as u8;
            carry = v >> 8;
        }
        assert!(!verify(&pk, b"m", &sig));
    }

    #[test]
    fn identity_and_small_order_keys_are_refused() {
        let mut identity = [0u8; 32];
        identity[0] = 1;
        assert_eq!(
            PublicKey(identity).verifying_key().unwrap_err(),
            KeyError::Weak
        );
        // A point of order 2: (0, -1).
        let mut order2 = [0xffu8; 32];
        order2[0] = 0xec;
        order2[31] = 0x7f;
        assert_eq!(
            PublicKey(order2).verifying_key().unwrap_err(),
            KeyError::Weak
        );
    }

    #[test]
    fn pem_round_trip_is_pkcs8_v1() {
        let k = key(7);
        let pem = private_key_to_pem(&k).unwrap();
        assert!(pem.starts_with("-----BEGIN PRIVATE KEY-----"));
        // v1 documents for ed25519 are 48 bytes of DER = 64 base64 chars.
        let body: String = pem.lines().filter(|l| !l.starts_with("-----")).collect();
        assert_eq!(body.len(), 64);
        let back = private_key_from_pem(&pem).unwrap();
        assert_eq!(back.to_bytes(), k.to_bytes());

        let pk = public_key(&k);
        assert_eq!(PublicKey::from_pem(&pk.to_pem().unwrap()).unwrap(), pk);
    }

    #[test]
    fn key_id_is_domain_separated() {
        let pk = public_key(&key(9));
        let plain: [u8; 32] = Sha256::digest(pk.0).into();
        assert_ne!(pk.id().0, plain);
    }
}
