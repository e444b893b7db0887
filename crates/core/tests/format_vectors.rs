//! docs/FORMAT.md's test vectors, read from the document itself: if the
//! encoding, a domain tag, the hash or the signature input changes, this
//! fails, and so does any edit of the document that the code does not match.
//!
//! Three kinds of vector are checked: entries every reader must accept (and
//! their hashes and signatures), entries every reader must refuse (each with
//! the stage that refuses it: decoding or the rules gate), and signatures
//! that strict verification must reject although plain RFC 8032
//! verification, or a lenient decoder, accepts them. Every vector is also
//! built here, so a mismatch prints the block that belongs in the document.

mod common;

use accord_core::crypto::{self, public_key, KeyError};
use accord_core::entry::{Author, EntryBody, SIGNATURE_TAG};
use accord_core::*;
use curve25519_dalek::constants::EIGHT_TORSION;
use curve25519_dalek::edwards::{CompressedEdwardsY, EdwardsPoint};
use curve25519_dalek::scalar::Scalar;
use curve25519_dalek::traits::{Identity, IsIdentity};
use ed25519_dalek::{Signer, SigningKey, Verifier, VerifyingKey};
use sha2::{Digest, Sha256, Sha512};

/// RFC 8032, section 7.1, TEST 1 secret key.
const SEED: &str = "9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60";
/// RFC 8032, section 7.1, TEST 2 secret key (the second party of ledger B).
const SEED2: &str = "4ccd089b28ff96da9db6c346ec114e0f5b8a319f35aba624da8cf6ed4fb8a6fb";
/// The over-limit entry is too long for the document; it lives beside it.
const OVER_LIMIT_FILE: &str = "docs/vectors/reject-list-over-limit.hex";

fn key_from(seed_hex: &str) -> SigningKey {
    let mut seed = [0u8; 32];
    hex::decode_to_slice(seed_hex, &mut seed).unwrap();
    SigningKey::from_bytes(&seed)
}

fn key() -> SigningKey {
    key_from(SEED)
}

fn repo_file(path: &str) -> String {
    let full = format!("{}/../../{path}", env!("CARGO_MANIFEST_DIR"));
    std::fs::read_to_string(&full).unwrap_or_else(|e| panic!("{path}: {e}"))
}

fn doc() -> String {
    repo_file("docs/FORMAT.md")
}

/// The lines of the fenced block that follows `<!-- vector: NAME -->`,
/// trimmed.
fn block(doc: &str, name: &str) -> Option<Vec<String>> {
    let marker = format!("<!-- vector: {name} -->");
    let after = &doc[doc.find(&marker)? + marker.len()..];
    let body = after.split("```").nth(1)?;
    Some(
        body.lines()
            .skip(1)
            .map(|l| l.trim().to_owned())
            .filter(|l| !l.is_empty())
            .collect(),
    )
}

/// A hex vector: the block's lines joined.
fn documented(doc: &str, name: &str) -> Option<String> {
    Some(block(doc, name)?.concat())
}

fn documented_bytes(doc: &str, name: &str) -> Vec<u8> {
    let Some(h) = documented(doc, name) else {
        panic!("FORMAT.md has no {name} vector");
    };
    hex::decode(h).unwrap_or_else(|e| panic!("{name} is not hex: {e}"))
}

/// Hex split into lines of 64 characters, as the document writes it.
fn wrapped(hex: &str) -> Vec<String> {
    hex.as_bytes()
        .chunks(64)
        .map(|c| String::from_utf8(c.to_vec()).unwrap())
        .collect()
}

/// The positive chain: entry 0 (charter), 1 (clause), 2 (commitment),
/// 3 (undertaking), 4-5 (an amendment listing an actor, adopted), 6 (an
/// allegation against that actor).
struct Chain {
    genesis: Sealed,
    clause: Sealed,
    commitment: Sealed,
    undertaking: Sealed,
    listing: Sealed,
    listed: Sealed,
    lodged: Sealed,
}

fn chain() -> Chain {
    let k = key();
    let pk = public_key(&k);
    let party = PartyId::new("g").unwrap();
    let genesis = common::genesis_body(
        Charter {
            title: "Vector".into(),
            parties: vec![Party {
                id: party.clone(),
                name: "Guarantor".into(),
                role: Role::Guarantor,
                key: pk,
            }],
            rules: Rules {
                clause_adoption: Adoption::AllGuarantors,
                ruling_quorum: 1,
            },
        },
        party,
        &k,
        1_485_129_600,
    )
    .sign(&k)
    .unwrap();
    let mut state = State::genesis(&genesis).unwrap();
    let clause = state
        .sign_next(
            &k,
            1_485_252_000,
            Event::ClauseProposed {
                id: ClauseId::new("C1").unwrap(),
                title: "Monitoring".into(),
                text: "Observe the ceasefire.".into(),
            },
        )
        .unwrap();
    state.admit(&clause).unwrap();
    let commitment = state
        .sign_next(
            &k,
            1_485_255_600,
            Event::CommitmentMade {
                id: CommitmentId::new("K1").unwrap(),
                clause: ClauseId::new("C1").unwrap(),
                text: "Hold allied forces to the ceasefire.".into(),
                zone: Some("Wadi Barada".into()),
                due: Some(1_486_404_000),
            },
        )
        .unwrap();
    state.admit(&commitment).unwrap();
    let undertaking = state
        .sign_next(
            &k,
            1_485_259_200,
            Event::CommitmentUndertaken {
                id: CommitmentId::new("K2").unwrap(),
                clause: ClauseId::new("C1").unwrap(),
                text: "Report weekly to the monitoring group.".into(),
                zone: None,
                due: Some(1_486_404_000),
                until: Some(1_501_545_600),
            },
        )
        .unwrap();
    state.admit(&undertaking).unwrap();
    let listing = state
        .sign_next(
            &k,
            1_487_152_800,
            Event::AmendmentProposed {
                id: AmendmentId::new("M1").unwrap(),
                changes: vec![CharterChange::ListActor(accord_core::mechanism::Actor {
                    id: ActorId::new("hts").unwrap(),
                    name: "Hay'at Tahrir al-Sham".into(),
                    standing: accord_core::mechanism::Standing::Designated,
                    party: None,
                })],
                reason: "Designated by the Security Council.".into(),
            },
        )
        .unwrap();
    state.admit(&listing).unwrap();
    let listed = state
        .sign_next(
            &k,
            1_487_152_860,
            Event::AmendmentEndorsed {
                amendment: AmendmentId::new("M1").unwrap(),
                proposal: listing.hash,
            },
        )
        .unwrap();
    state.admit(&listed).unwrap();
    let lodged = state
        .sign_next(
            &k,
            1_488_016_800,
            Event::AllegationLodged {
                id: AllegationId::new("A1").unwrap(),
                accused: vec![terms::Accused::Actor(ActorId::new("hts").unwrap())],
                commitments: Vec::new(),
                occurred: 1_488_006_000,
                location: "Homs".into(),
                summary: "Attacks on two security headquarters.".into(),
                evidence: Vec::new(),
            },
        )
        .unwrap();
    state.admit(&lodged).unwrap();
    Chain {
        genesis,
        clause,
        commitment,
        undertaking,
        listing,
        listed,
        lodged,
    }
}

fn vectors() -> Vec<(&'static str, String)> {
    let pk = public_key(&key());
    let c = chain();
    vec![
        ("public-key", pk.to_hex()),
        ("key-id", pk.id().to_hex()),
        ("entry0-bytes", hex::encode(&c.genesis.bytes)),
        ("entry0-hash", c.genesis.hash.to_hex()),
        ("entry0-signature", c.genesis.entry.signature.to_hex()),
        ("entry1-bytes", hex::encode(&c.clause.bytes)),
        ("entry1-hash", c.clause.hash.to_hex()),
        ("entry1-signature", c.clause.entry.signature.to_hex()),
        ("entry2-bytes", hex::encode(&c.commitment.bytes)),
        ("entry2-hash", c.commitment.hash.to_hex()),
        ("entry3-bytes", hex::encode(&c.undertaking.bytes)),
        ("entry3-hash", c.undertaking.hash.to_hex()),
        ("entry4-bytes", hex::encode(&c.listing.bytes)),
        ("entry4-hash", c.listing.hash.to_hex()),
        ("entry5-bytes", hex::encode(&c.listed.bytes)),
        ("entry5-hash", c.listed.hash.to_hex()),
        ("entry6-bytes", hex::encode(&c.lodged.bytes)),
        ("entry6-hash", c.lodged.hash.to_hex()),
    ]
}

// ---------------------------------------------------------------------------
// Entries every reader must refuse.

fn body(entry: &[u8]) -> &[u8] {
    &entry[..entry.len() - 64]
}

/// `body` followed by a valid signature over it by `key`: the vectors are
/// signed correctly, so their defect is the only reason to refuse them.
fn resigned(key: &SigningKey, body: Vec<u8>) -> Vec<u8> {
    let mut message = SIGNATURE_TAG.to_vec();
    message.extend_from_slice(&body);
    let sig = crypto::sign(key, &message);
    let mut out = body;
    out.extend_from_slice(&sig.to_bytes());
    out
}

/// The one offset at which `needle` occurs in `haystack`.
fn find_once(haystack: &[u8], needle: &[u8]) -> usize {
    let hits: Vec<usize> = haystack
        .windows(needle.len())
        .enumerate()
        .filter(|(_, w)| *w == needle)
        .map(|(i, _)| i)
        .collect();
    assert_eq!(hits.len(), 1, "{needle:?} occurs {} times", hits.len());
    hits[0]
}

/// `base`'s body with `new` written at `offset`, signed again.
fn mutated(base: &Sealed, offset: usize, new: &[u8]) -> Vec<u8> {
    let mut b = body(&base.bytes).to_vec();
    b[offset..offset + new.len()].copy_from_slice(new);
    resigned(&key(), b)
}

/// Offset of the event's variant index: 170 plus the author's party id
/// length (FORMAT.md, "Entry layout"); the vectors' author is `g`.
const EVENT_OFFSET: usize = 170 + 1;

fn long_string(s: &str) -> Vec<u8> {
    let mut v = (s.len() as u64).to_le_bytes().to_vec();
    v.extend_from_slice(s.as_bytes());
    v
}

fn option_tag_offset(c: &Chain) -> usize {
    let mut needle = vec![1u8];
    needle.extend(long_string("Wadi Barada"));
    find_once(body(&c.commitment.bytes), &needle)
}

fn invalid_utf8_offset(c: &Chain) -> usize {
    find_once(body(&c.clause.bytes), &long_string("Monitoring")) + 8
}

fn bad_id_offset(c: &Chain) -> usize {
    find_once(body(&c.clause.bytes), &long_string("C1")) + 8 + 1
}

/// The must-refuse entries built from the positive chain, by name.
fn refused_vectors() -> Vec<(&'static str, Vec<u8>)> {
    let c = chain();
    let mut trailing = c.genesis.bytes.clone();
    trailing.push(0);
    vec![
        ("reject-trailing-byte", trailing),
        (
            "reject-option-tag-2",
            mutated(&c.commitment, option_tag_offset(&c), &[2]),
        ),
        (
            "reject-variant-999",
            mutated(&c.clause, EVENT_OFFSET, &999u32.to_le_bytes()),
        ),
        (
            "reject-invalid-utf8",
            mutated(&c.clause, invalid_utf8_offset(&c), &[0xff]),
        ),
        ("reject-bad-id", mutated(&c.clause, bad_id_offset(&c), b"/")),
        (
            "reject-version-2",
            mutated(&c.clause, 0, &2u16.to_le_bytes()),
        ),
    ]
}

/// Ledger B: a charter with two parties, so that one can allege against the
/// other; its entry 1 lists one evidence file more than the limit.
struct LedgerB {
    genesis: Sealed,
}

fn ledger_b() -> LedgerB {
    let k1 = key();
    let k2 = key_from(SEED2);
    let g = PartyId::new("g").unwrap();
    let genesis = common::genesis_body(
        Charter {
            title: "Vector B".into(),
            parties: vec![
                Party {
                    id: g.clone(),
                    name: "Guarantor".into(),
                    role: Role::Guarantor,
                    key: public_key(&k1),
                },
                Party {
                    id: PartyId::new("p").unwrap(),
                    name: "Party".into(),
                    role: Role::Party,
                    key: public_key(&k2),
                },
            ],
            rules: Rules {
                clause_adoption: Adoption::AllGuarantors,
                ruling_quorum: 1,
            },
        },
        g,
        &k1,
        1_485_129_600,
    )
    .sign(&k1)
    .unwrap();
    LedgerB { genesis }
}

/// An allegation by `g` against `p` listing `files` evidence files, as
/// ledger B's entry 1. Built and signed directly, not through
/// `State::sign_next`, so that no check made while signing can stop it.
fn allegation_with_evidence(b: &LedgerB, files: usize) -> Sealed {
    let evidence = (0..files)
        .map(|i| {
            let name = format!("e{i:03}");
            Evidence {
                sha256: accord_core::ids::Sha256(Sha256::digest(name.as_bytes()).into()),
                name,
                size: i as u64,
                media_type: "text/plain".into(),
            }
        })
        .collect();
    let k = key();
    EntryBody {
        version: FORMAT_VERSION,
        ledger: b.genesis.hash,
        seq: 1,
        prev: b.genesis.hash,
        time: 1_485_252_000,
        author: Author {
            party: PartyId::new("g").unwrap(),
            key: public_key(&k).id(),
        },
        author_seq: 2,
        seen: b.genesis.head(),
        event: Event::AllegationFiled {
            id: AllegationId::new("A1").unwrap(),
            against: PartyId::new("p").unwrap(),
            commitments: vec![],
            occurred: 1_485_248_400,
            location: "Astana".into(),
            summary: "One evidence file more than the limit.".into(),
            evidence,
        },
    }
    .sign(&k)
    .unwrap()
}

fn over_limit_evidence() -> usize {
    accord_core::limits::MAX_EVIDENCE + 1
}

// ---------------------------------------------------------------------------
// Signatures strict verification must reject.

/// One must-reject signature vector: key A, message M, signature (R, S).
struct Rejected {
    name: &'static str,
    a: [u8; 32],
    m: Vec<u8>,
    r: [u8; 32],
    s: [u8; 32],
}

impl Rejected {
    fn lines(&self) -> Vec<String> {
        vec![
            format!("A {}", hex::encode(self.a)),
            format!("M {}", hex::encode(&self.m)),
            format!("R {}", hex::encode(self.r)),
            format!("S {}", hex::encode(self.s)),
        ]
    }

    fn from_doc(doc: &str, name: &'static str) -> Rejected {
        let Some(lines) = block(doc, name) else {
            panic!("FORMAT.md has no {name} vector");
        };
        let field = |label: &str| -> Vec<u8> {
            let line = lines
                .iter()
                .find_map(|l| l.strip_prefix(&format!("{label} ")))
                .unwrap_or_else(|| panic!("{name}: no {label} line"));
            hex::decode(line.trim()).unwrap_or_else(|e| panic!("{name} {label}: {e}"))
        };
        let b32 = |label: &str| -> [u8; 32] {
            field(label)
                .try_into()
                .unwrap_or_else(|_| panic!("{name} {label}: not 32 bytes"))
        };
        Rejected {
            name,
            a: b32("A"),
            m: field("M"),
            r: b32("R"),
            s: b32("S"),
        }
    }

    fn signature(&self) -> Signature {
        Signature {
            r: self.r,
            s: self.s,
        }
    }

    fn dalek_signature(&self) -> ed25519_dalek::Signature {
        ed25519_dalek::Signature::from_bytes(&self.signature().to_bytes())
    }

    /// RFC 8032's challenge: SHA-512(R || A || M) mod L, over the bytes.
    fn k(&self) -> Scalar {
        challenge(&self.r, &self.a, &self.m)
    }
}

fn challenge(r: &[u8; 32], a: &[u8; 32], m: &[u8]) -> Scalar {
    let h: [u8; 64] = Sha512::new()
        .chain_update(r)
        .chain_update(a)
        .chain_update(m)
        .finalize()
        .into();
    Scalar::from_bytes_mod_order_wide(&h)
}

fn nonce(label: &str) -> Scalar {
    let h: [u8; 64] = Sha512::digest(format!("accord vector nonce {label}")).into();
    Scalar::from_bytes_mod_order_wide(&h)
}

fn point(bytes: &[u8; 32]) -> EdwardsPoint {
    CompressedEdwardsY(*bytes)
        .decompress()
        .expect("decodes to a point")
}

/// The group order L, little-endian.
const L: [u8; 32] = [
    0xed, 0xd3, 0xf5, 0x5c, 0x1a, 0x63, 0x12, 0x58, 0xd6, 0x9c, 0xf7, 0xa2, 0xde, 0xf9, 0xde, 0x14,
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x10,
];

fn add_l(s: [u8; 32]) -> Option<[u8; 32]> {
    let mut out = [0u8; 32];
    let mut carry = 0u16;
    for i in 0..32 {
        let v = s[i] as u16 + L[i] as u16 + carry;
        out[i] = v as u8;
        carry = v >> 8;
    }
    (carry == 0).then_some(out)
}

/// `p + 1`: y = 1 (the identity's y) written with a value of p or more.
const NON_CANONICAL_IDENTITY: [u8; 32] = {
    let mut b = [0xffu8; 32];
    b[0] = 0xee;
    b[31] = 0x7f;
    b
};

/// The identity (x = 0, y = 1) with the sign bit of x set: a negative zero.
const NEGATIVE_ZERO_IDENTITY: [u8; 32] = {
    let mut b = [0u8; 32];
    b[0] = 1;
    b[31] = 0x80;
    b
};

/// `p + 3`: y = 3 written with a value of p or more; y = 3 is on the curve
/// and the point is of large order.
const NON_CANONICAL_LARGE: [u8; 32] = {
    let mut b = [0xffu8; 32];
    b[0] = 0xf0;
    b[31] = 0x7f;
    b
};

/// The vector's message: its name in ASCII, with a number when one had to
/// be searched for.
fn message(name: &str, n: u32) -> Vec<u8> {
    let name = name
        .trim_start_matches("reject-")
        .trim_start_matches("sig-");
    if n == 0 {
        format!("accord must-reject: {name}").into_bytes()
    } else {
        format!("accord must-reject: {name} #{n}").into_bytes()
    }
}

fn rejected_signatures() -> Vec<Rejected> {
    let k = key();
    let a_scalar = k.to_scalar();
    let a = public_key(&k).0;
    let mut out = Vec::new();

    // R is the identity, S = k a: [S]B = R + [k]A holds.
    let name = "reject-sig-r-small-order";
    let m = message(name, 0);
    let r = EdwardsPoint::identity().compress().to_bytes();
    let s = (challenge(&r, &a, &m) * a_scalar).to_bytes();
    out.push(Rejected { name, a, m, r, s });

    // A has order 8; the message is chosen so that 8 divides k, so
    // [k]A is the identity and S = r satisfies [S]B = R + [k]A.
    let name = "reject-sig-a-small-order";
    let small_a = EIGHT_TORSION[1].compress().to_bytes();
    let rn = nonce(name);
    let r = EdwardsPoint::mul_base(&rn).compress().to_bytes();
    let m = (0..)
        .map(|n| message(name, n))
        .find(|m| challenge(&r, &small_a, m).as_bytes()[0].is_multiple_of(8))
        .unwrap();
    out.push(Rejected {
        name,
        a: small_a,
        m,
        r,
        s: rn.to_bytes(),
    });

    // An honest signature with L added to S, for a message where S + L
    // still has its top three bits clear (so a high-bits check passes it).
    let name = "reject-sig-s-non-canonical";
    let (m, sig) = (0..)
        .map(|n| {
            let m = message(name, n);
            let sig = k.sign(&m);
            (m, sig)
        })
        .find(|(_, sig)| add_l(*sig.s_bytes()).is_some_and(|s| s[31] & 0xe0 == 0))
        .unwrap();
    out.push(Rejected {
        name,
        a,
        m,
        r: *sig.r_bytes(),
        s: add_l(*sig.s_bytes()).unwrap(),
    });

    // R is the identity written as p + 1; S = k a over those bytes. A
    // verifier that decodes R leniently and compares points accepts it.
    let name = "reject-sig-r-non-canonical";
    let m = message(name, 0);
    let r = NON_CANONICAL_IDENTITY;
    let s = (challenge(&r, &a, &m) * a_scalar).to_bytes();
    out.push(Rejected { name, a, m, r, s });

    // A is the identity written with a negative zero; [k]A vanishes, so
    // S = r verifies for any message under a lenient decoder.
    let name = "reject-sig-a-non-canonical";
    let m = message(name, 0);
    let rn = nonce(name);
    out.push(Rejected {
        name,
        a: NEGATIVE_ZERO_IDENTITY,
        m,
        r: EdwardsPoint::mul_base(&rn).compress().to_bytes(),
        s: rn.to_bytes(),
    });

    // R carries a point of order 2 on top of the honest nonce point: the
    // cofactored equation holds, the cofactorless one does not.
    let name = "reject-sig-r-mixed-order";
    let m = message(name, 0);
    let rn = nonce(name);
    let r = (EdwardsPoint::mul_base(&rn) + EIGHT_TORSION[4])
        .compress()
        .to_bytes();
    let s = (rn + challenge(&r, &a, &m) * a_scalar).to_bytes();
    out.push(Rejected { name, a, m, r, s });

    // A key that is a non-canonical encoding of a large-order point. Nobody
    // can sign for it; the signature is an honest one by the TEST 1 key.
    let name = "reject-key-non-canonical";
    let m = message(name, 0);
    let sig = k.sign(&m);
    out.push(Rejected {
        name,
        a: NON_CANONICAL_LARGE,
        m,
        r: *sig.r_bytes(),
        s: *sig.s_bytes(),
    });
    out
}

/// What makes each must-reject vector meaningful: the one defect it has,
/// and a weaker verifier that accepts it.
fn check_rejected_vector(v: &Rejected) {
    let name = v.name;
    let lenient_a = VerifyingKey::from_bytes(&v.a);
    // ed25519-dalek's `verify` is RFC 8032's cofactorless check without the
    // small-order refusals (it does refuse S >= L and compares R as bytes).
    let plain_rfc8032 = lenient_a
        .as_ref()
        .is_ok_and(|vk| vk.verify(&v.m, &v.dalek_signature()).is_ok());
    match name {
        "reject-sig-r-small-order" => {
            assert!(point(&v.r).is_small_order(), "{name}: R is of small order");
            assert!(
                plain_rfc8032,
                "{name}: plain RFC 8032 verification accepts it"
            );
        }
        "reject-sig-a-small-order" => {
            assert!(point(&v.a).is_small_order(), "{name}: A is of small order");
            assert!(!point(&v.a).is_identity(), "{name}: A is not the identity");
            assert!(
                plain_rfc8032,
                "{name}: plain RFC 8032 verification accepts it"
            );
        }
        "reject-sig-s-non-canonical" => {
            assert!(
                bool::from(Scalar::from_canonical_bytes(v.s).is_none()),
                "{name}: S >= L"
            );
            assert_eq!(v.s[31] & 0xe0, 0, "{name}: S < 2^253");
            let reduced = Signature {
                r: v.r,
                s: Scalar::from_bytes_mod_order(v.s).to_bytes(),
            };
            assert!(
                crypto::verify(&PublicKey(v.a), &v.m, &reduced),
                "{name}: with S mod L it is a valid signature"
            );
        }
        "reject-sig-r-non-canonical" | "reject-sig-a-non-canonical" => {
            let (enc, label) = if name.contains("-r-") {
                (v.r, "R")
            } else {
                (v.a, "A")
            };
            assert_ne!(
                point(&enc).compress().to_bytes(),
                enc,
                "{name}: {label} is not the canonical encoding of its point"
            );
            // [S]B = R + [k]A, with R and A decoded leniently and compared as
            // points.
            let lhs = EdwardsPoint::mul_base(&Scalar::from_canonical_bytes(v.s).unwrap());
            assert_eq!(
                lhs,
                point(&v.r) + v.k() * point(&v.a),
                "{name}: a lenient decoder comparing points accepts it"
            );
        }
        "reject-sig-r-mixed-order" => {
            let big_r = point(&v.r);
            assert!(!big_r.is_small_order() && !big_r.is_torsion_free());
            let s = Scalar::from_canonical_bytes(v.s).unwrap();
            let diff = EdwardsPoint::mul_base(&s) - big_r - v.k() * point(&v.a);
            assert!(
                diff.mul_by_cofactor().is_identity(),
                "{name}: the cofactored equation holds"
            );
            assert!(!plain_rfc8032, "{name}: the cofactorless equation does not");
        }
        "reject-key-non-canonical" => {
            let p = point(&v.a);
            assert_ne!(p.compress().to_bytes(), v.a, "{name}: not canonical");
            assert!(!p.is_small_order(), "{name}: of large order");
            assert_eq!(
                PublicKey(v.a).verifying_key().unwrap_err(),
                KeyError::NonCanonical
            );
            let mut charter = match chain().genesis.entry.body.event {
                Event::Charter(c) => c,
                _ => unreachable!(),
            };
            charter.parties[0].key = PublicKey(v.a);
            assert!(
                matches!(
                    charter.validate(),
                    Err(CharterError::Key(_, KeyError::NonCanonical))
                ),
                "{name}: a charter naming this key is refused"
            );
        }
        other => panic!("no check for {other}"),
    }
}

// ---------------------------------------------------------------------------

#[test]
fn format_md_vectors_match_the_code() {
    let doc = doc();
    let mut wrong = Vec::new();
    let mut expect = |name: &str, lines: Vec<String>| {
        if block(&doc, name).as_ref() != Some(&lines) {
            wrong.push(format!(
                "<!-- vector: {name} -->\n```text\n{}\n```",
                lines.join("\n")
            ));
        }
    };
    for (name, computed) in vectors() {
        expect(name, wrapped(&computed));
    }
    for (name, bytes) in refused_vectors() {
        expect(name, wrapped(&hex::encode(bytes)));
    }
    let b = ledger_b();
    expect(
        "ledger-b-entry0-bytes",
        wrapped(&hex::encode(&b.genesis.bytes)),
    );
    let over = allegation_with_evidence(&b, over_limit_evidence());
    expect("reject-list-over-limit-hash", wrapped(&over.hash.to_hex()));
    for v in rejected_signatures() {
        expect(v.name, v.lines());
    }
    let file = wrapped(&hex::encode(&over.bytes)).join("\n") + "\n";
    if std::env::var_os("ACCORD_WRITE_VECTORS").is_some() {
        let path = format!("{}/../../{OVER_LIMIT_FILE}", env!("CARGO_MANIFEST_DIR"));
        std::fs::write(path, &file).unwrap();
    }
    assert!(
        wrong.is_empty(),
        "FORMAT.md vectors differ from the code:\n{}",
        wrong.join("\n")
    );
    assert!(
        repo_file(OVER_LIMIT_FILE) == file,
        "{OVER_LIMIT_FILE} differs from the code (ACCORD_WRITE_VECTORS=1 rewrites it)"
    );
}

#[test]
fn vector_entries_decode_verify_and_re_encode() {
    let doc = doc();
    let bytes = documented_bytes(&doc, "entry0-bytes");
    let sealed = Sealed::from_bytes(bytes.clone()).unwrap();
    assert_eq!(sealed.bytes, bytes);
    let state = State::genesis(&sealed).unwrap();
    assert_eq!(state.ledger_id(), sealed.hash);
    // Appending one byte, or dropping one, is refused.
    let mut longer = bytes.clone();
    longer.push(0);
    assert!(Sealed::from_bytes(longer).is_err());
    assert!(Sealed::from_bytes(bytes[..bytes.len() - 1].to_vec()).is_err());
}

/// The gate refuses it as a rules violation: not a decoding, chain or
/// signature failure.
fn is_rules_refusal(v: &Violation) -> bool {
    !matches!(
        v,
        Violation::Codec(_)
            | Violation::Version(_)
            | Violation::WrongLedger(_)
            | Violation::Seq { .. }
            | Violation::Prev(_)
            | Violation::Seen(_)
            | Violation::Genesis
            | Violation::UnknownParty(_)
            | Violation::WrongKey { .. }
            | Violation::Signature
            | Violation::Revoked(_)
            | Violation::AuthorSeq { .. }
            | Violation::TimeBackwards { .. }
    )
}

#[test]
fn must_refuse_entries_are_refused_at_the_documented_stage() {
    let doc = doc();
    let pk = public_key(&key());
    let signed_ok = |bytes: &[u8]| {
        let mut message = SIGNATURE_TAG.to_vec();
        message.extend_from_slice(body(bytes));
        let sig = Signature::from_bytes(&bytes[bytes.len() - 64..].try_into().unwrap());
        crypto::verify(&pk, &message, &sig)
    };
    let decode_error = |name: &str| -> CodecError {
        let bytes = documented_bytes(&doc, name);
        match Sealed::from_bytes(bytes) {
            Err(e) => e,
            Ok(_) => panic!("{name}: decoded, but every reader must refuse it"),
        }
    };

    assert_eq!(
        decode_error("reject-trailing-byte"),
        CodecError::Trailing(1)
    );
    let c = chain();
    assert_eq!(
        documented_bytes(&doc, "reject-trailing-byte")[..c.genesis.bytes.len()],
        c.genesis.bytes[..],
        "reject-trailing-byte is entry 0 and one byte more"
    );

    for name in [
        "reject-option-tag-2",
        "reject-variant-999",
        "reject-invalid-utf8",
        "reject-bad-id",
    ] {
        assert!(
            signed_ok(&documented_bytes(&doc, name)),
            "{name}: its signature verifies, so only its encoding is wrong"
        );
        let e = decode_error(name);
        assert!(matches!(e, CodecError::Decode(_)), "{name}: {e:?}");
        if name == "reject-bad-id" {
            assert!(e.to_string().contains("C/"), "{name}: {e}");
        }
    }

    // Version 2 decodes; the gate refuses it.
    let v2 = Sealed::from_bytes(documented_bytes(&doc, "reject-version-2"))
        .expect("reject-version-2 decodes: the gate refuses it");
    assert!(v2.signature_valid(&pk));
    let mut state = State::genesis(&c.genesis).unwrap();
    assert_eq!(state.admit(&v2), Err(Violation::Version(2)));
    state.admit(&c.clause).unwrap();
}

#[test]
fn an_over_limit_list_decodes_and_the_gate_refuses_it() {
    let doc = doc();
    let genesis = Sealed::from_bytes(documented_bytes(&doc, "ledger-b-entry0-bytes")).unwrap();
    let mut state = State::genesis(&genesis).unwrap();
    let bytes = hex::decode(
        repo_file(OVER_LIMIT_FILE)
            .split_whitespace()
            .collect::<String>(),
    )
    .expect("the over-limit vector file is hex");
    let entry = Sealed::from_bytes(bytes).expect("an over-limit list decodes");
    assert_eq!(
        entry.hash.to_hex(),
        documented(&doc, "reject-list-over-limit-hash").unwrap()
    );
    let Event::AllegationFiled { evidence, .. } = &entry.entry.body.event else {
        panic!("the over-limit vector is an allegation");
    };
    assert_eq!(evidence.len(), over_limit_evidence());
    let refusal = state.clone().admit(&entry).unwrap_err();
    assert!(
        is_rules_refusal(&refusal),
        "refused by the rules, not as undecodable, unchained or unsigned: {refusal}"
    );
    // With one file fewer, the same allegation is admitted: the count is
    // the only thing wrong with it.
    let b = ledger_b();
    let at_limit = allegation_with_evidence(&b, over_limit_evidence() - 1);
    state.admit(&at_limit).unwrap();
}

#[test]
fn must_reject_signatures_are_rejected_by_accord() {
    let doc = doc();
    let names: Vec<&'static str> = rejected_signatures().iter().map(|v| v.name).collect();
    for name in names {
        let v = Rejected::from_doc(&doc, name);
        assert!(
            !crypto::verify(&PublicKey(v.a), &v.m, &v.signature()),
            "{name}: accord's verify accepted a must-reject signature"
        );
        check_rejected_vector(&v);
    }
}
