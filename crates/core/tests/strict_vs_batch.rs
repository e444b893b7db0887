//! Why accord verifies every signature with `verify_strict` and not with
//! ed25519-dalek's `verify_batch` (docs/SECURITY.md, docs/BENCHMARKS.md).
//!
//! Pre-checking what batch verification skips (small-order R and A,
//! non-canonical S and R) is not enough to make it accept exactly what
//! `verify_strict` accepts: a signer can put a torsion component in R (a
//! mixed-order point, not small-order), which `verify_strict` refuses and
//! the batch equation accepts whenever its coefficient for that signature is
//! even. The coefficients come from a hash of the inputs, so whoever writes
//! the entry can retry until they are. Two verifiers would then disagree
//! about the same ledger.

use accord_core::crypto::{verify_with, Signature};
use curve25519_dalek::constants::{ED25519_BASEPOINT_POINT, EIGHT_TORSION};
use curve25519_dalek::edwards::EdwardsPoint;
use curve25519_dalek::scalar::Scalar;
use ed25519_dalek::VerifyingKey;
use sha2::{Digest, Sha512};

fn wide(parts: &[&[u8]]) -> Scalar {
    let mut h = Sha512::new();
    for p in parts {
        h.update(p);
    }
    let bytes: [u8; 64] = h.finalize().into();
    Scalar::from_bytes_mod_order_wide(&bytes)
}

/// A signer's key as a raw scalar and its point.
fn signer() -> (Scalar, VerifyingKey) {
    let a = wide(&[b"accord strict-vs-batch test key"]);
    let point = a * ED25519_BASEPOINT_POINT;
    let vk = VerifyingKey::from_bytes(&point.compress().to_bytes()).unwrap();
    (a, vk)
}

/// An ed25519 signature of `message` whose R carries `torsion` on top of
/// the honest nonce point: `s = r + H(R || A || M) a`.
fn signature_with_torsion(
    a: Scalar,
    vk: &VerifyingKey,
    message: &[u8],
    torsion: EdwardsPoint,
) -> Signature {
    let r = wide(&[b"nonce", message]);
    let big_r = (r * ED25519_BASEPOINT_POINT + torsion)
        .compress()
        .to_bytes();
    let k = wide(&[&big_r, vk.as_bytes(), message]);
    let s = r + k * a;
    Signature {
        r: big_r,
        s: s.to_bytes(),
    }
}

fn batch_accepts(messages: &[&[u8]], sigs: &[Signature], vk: &VerifyingKey) -> bool {
    let sigs: Vec<ed25519_dalek::Signature> = sigs
        .iter()
        .map(|s| ed25519_dalek::Signature::from_bytes(&s.to_bytes()))
        .collect();
    let keys = vec![*vk; sigs.len()];
    ed25519_dalek::verify_batch(messages, &sigs, &keys).is_ok()
}

#[test]
fn honest_signatures_pass_both() {
    let (a, vk) = signer();
    let identity = EIGHT_TORSION[0];
    let m: &[u8] = b"entry";
    let sig = signature_with_torsion(a, &vk, m, identity);
    assert!(verify_with(&vk, m, &sig));
    assert!(batch_accepts(&[m], &[sig], &vk));
}

#[test]
fn a_torsion_component_in_r_is_refused_strictly_but_batch_accepts_it_for_some_messages() {
    let (a, vk) = signer();
    // The point of order 2: R is mixed-order, so no small-order pre-check
    // catches it, and S and R are canonical.
    let order_two = EIGHT_TORSION[4];
    assert!(!(order_two + ED25519_BASEPOINT_POINT).is_small_order());
    let honest_m: &[u8] = b"an honest entry next to it";
    let honest = signature_with_torsion(a, &vk, honest_m, EIGHT_TORSION[0]);
    let mut batch_accepted = 0;
    for attempt in 0u32..64 {
        let m = format!("entry variant {attempt}");
        let sig = signature_with_torsion(a, &vk, m.as_bytes(), order_two);
        assert!(
            bool::from(Scalar::from_canonical_bytes(sig.s).is_some()),
            "S is canonical"
        );
        assert!(
            !verify_with(&vk, m.as_bytes(), &sig),
            "verify_strict must refuse a signature whose R has a torsion component"
        );
        if batch_accepts(&[m.as_bytes(), honest_m], &[sig, honest], &vk) {
            batch_accepted += 1;
        }
    }
    // About half the variants get an even coefficient; each is a signature
    // that batch verification would let into a ledger verify_strict refuses.
    println!("batch verification accepted {batch_accepted} of 64 forged variants");
    assert!(
        batch_accepted > 0,
        "batch verification refused all 64 variants: the argument in this file no longer holds"
    );
}
