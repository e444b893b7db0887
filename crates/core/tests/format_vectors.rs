//! docs/FORMAT.md's test vectors, read from the document itself: if the
//! encoding, a domain tag, the hash or the signature input changes, this
//! fails, and so does any edit of the document that the code does not match.

use accord_core::crypto::public_key;
use accord_core::entry::{Author, EntryBody, Head};
use accord_core::*;
use ed25519_dalek::SigningKey;

/// RFC 8032, section 7.1, TEST 1 secret key.
const SEED: &str = "9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60";

fn key() -> SigningKey {
    let mut seed = [0u8; 32];
    hex::decode_to_slice(SEED, &mut seed).unwrap();
    SigningKey::from_bytes(&seed)
}

fn vectors() -> Vec<(&'static str, String)> {
    let k = key();
    let pk = public_key(&k);
    let party = PartyId::new("g").unwrap();
    let genesis = EntryBody {
        version: FORMAT_VERSION,
        ledger: EntryHash::ZERO,
        seq: 0,
        prev: EntryHash::ZERO,
        time: 1_485_129_600,
        author: Author {
            party: party.clone(),
            key: pk.id(),
        },
        author_seq: 1,
        seen: Head {
            seq: 0,
            hash: EntryHash::ZERO,
        },
        event: Event::Charter(Charter {
            title: "Vector".into(),
            parties: vec![Party {
                id: party,
                name: "Guarantor".into(),
                role: Role::Guarantor,
                key: pk,
            }],
            rules: Rules {
                clause_adoption: Adoption::AllGuarantors,
                ruling_quorum: 1,
            },
        }),
    }
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
    vec![
        ("public-key", pk.to_hex()),
        ("key-id", pk.id().to_hex()),
        ("entry0-bytes", hex::encode(&genesis.bytes)),
        ("entry0-hash", genesis.hash.to_hex()),
        ("entry0-signature", genesis.entry.signature.to_hex()),
        ("entry1-bytes", hex::encode(&clause.bytes)),
        ("entry1-hash", clause.hash.to_hex()),
        ("entry1-signature", clause.entry.signature.to_hex()),
        ("entry2-bytes", hex::encode(&commitment.bytes)),
        ("entry2-hash", commitment.hash.to_hex()),
    ]
}

/// The hex in the fenced block that follows `<!-- vector: NAME -->`.
fn documented(doc: &str, name: &str) -> Option<String> {
    let marker = format!("<!-- vector: {name} -->");
    let after = &doc[doc.find(&marker)? + marker.len()..];
    let block = after.split("```").nth(1)?;
    Some(block.lines().skip(1).map(str::trim).collect())
}

#[test]
fn format_md_vectors_match_the_code() {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../../docs/FORMAT.md");
    let doc = std::fs::read_to_string(path).expect("docs/FORMAT.md");
    let mut wrong = Vec::new();
    for (name, computed) in vectors() {
        if documented(&doc, name).as_deref() != Some(computed.as_str()) {
            let wrapped: Vec<&str> = computed
                .as_bytes()
                .chunks(64)
                .map(|c| std::str::from_utf8(c).unwrap())
                .collect();
            wrong.push(format!(
                "<!-- vector: {name} -->\n```text\n{}\n```",
                wrapped.join("\n")
            ));
        }
    }
    assert!(
        wrong.is_empty(),
        "FORMAT.md vectors differ from the code:\n{}",
        wrong.join("\n")
    );
}

#[test]
fn vector_entries_decode_verify_and_re_encode() {
    let doc = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../../docs/FORMAT.md"))
        .expect("docs/FORMAT.md");
    let Some(bytes) = documented(&doc, "entry0-bytes") else {
        panic!("FORMAT.md has no entry0-bytes vector");
    };
    let bytes = hex::decode(bytes).unwrap();
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
