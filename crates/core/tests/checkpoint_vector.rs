//! docs/FORMAT.md's checkpoint vector, read from the document itself: the
//! checkpoint of the vector ledger at size 1 (its charter entry, also read
//! from the document), signed and cosigned by the vector key. If the body,
//! the key ids, the note layout or the cosigned message change, this fails
//! and prints the block that belongs in the document.

use accord_core::checkpoint::Checkpoint;
use accord_core::crypto::public_key;
use accord_core::ids::EntryHash;
use accord_core::keycommit;
use accord_core::note::{Note, NoteKey, SigType, Verified};
use ed25519_dalek::SigningKey;
use sha2::{Digest, Sha256};

/// RFC 8032, section 7.1, TEST 1 secret key (FORMAT.md's vector key).
const SEED: &str = "9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60";
/// The cosignature's time: 2017-01-24T10:00:00Z.
const COSIGNED_AT: i64 = 1_485_252_000;

fn doc() -> String {
    let path = format!("{}/../../docs/FORMAT.md", env!("CARGO_MANIFEST_DIR"));
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
}

/// The exact text of the fenced block after `<!-- vector: NAME -->`.
fn block(doc: &str, name: &str) -> String {
    let marker = format!("<!-- vector: {name} -->");
    let at = doc
        .find(&marker)
        .unwrap_or_else(|| panic!("FORMAT.md has no {name} vector"));
    let after = &doc[at + marker.len()..];
    let body = after.split("```").nth(1).expect("a fenced block");
    body.split_once('\n').expect("a fence line").1.to_owned()
}

#[test]
fn the_documented_checkpoint_is_what_the_code_writes_and_it_verifies() {
    let doc = doc();
    let entry0 = hex::decode(
        block(&doc, "entry0-bytes")
            .split_whitespace()
            .collect::<String>(),
    )
    .expect("entry0-bytes is hex");
    let hash: [u8; 32] = Sha256::new()
        .chain_update(accord_core::entry::ENTRY_HASH_TAG)
        .chain_update(&entry0)
        .finalize()
        .into();
    let documented_hash = block(&doc, "entry0-hash").trim().to_owned();
    assert_eq!(
        hex::encode(hash),
        documented_hash,
        "entry 0's hash as FORMAT.md defines it"
    );
    let ledger = EntryHash(hash);
    let root: [u8; 32] = Sha256::new()
        .chain_update([0u8])
        .chain_update(&entry0)
        .finalize()
        .into();
    let cp = Checkpoint {
        ledger,
        size: 1,
        root,
        keys: keycommit::digest([(0, &ledger)]),
    };
    let mut seed = [0u8; 32];
    hex::decode_to_slice(SEED, &mut seed).unwrap();
    let key = SigningKey::from_bytes(&seed);
    let mut note = Note::new(cp.body()).unwrap();
    note.sign("g", &key).unwrap();
    note.cosign("g", &key, COSIGNED_AT).unwrap();
    let written = note.format();
    let documented = block(&doc, "checkpoint-note");
    assert_eq!(
        documented, written,
        "FORMAT.md's checkpoint-note vector differs from the code; it should read:\n{written}"
    );
    let read = Note::parse(documented.as_bytes()).unwrap();
    assert_eq!(Checkpoint::parse_body(read.text()), Ok(cp));
    let nk = |sig_type| NoteKey {
        name: "g".into(),
        sig_type,
        key: public_key(&key),
    };
    assert_eq!(
        read.verify(&nk(SigType::Ed25519)),
        Ok(Some(Verified::Signed))
    );
    assert_eq!(
        read.verify(&nk(SigType::CosignatureV1)),
        Ok(Some(Verified::Cosigned {
            timestamp: COSIGNED_AT as u64
        }))
    );
    let ids = block(&doc, "checkpoint-key-ids");
    let want = format!(
        "{:08x}\n{:08x}\n",
        nk(SigType::Ed25519).key_id(),
        nk(SigType::CosignatureV1).key_id()
    );
    assert_eq!(
        ids, want,
        "FORMAT.md's checkpoint-key-ids should read:\n{want}"
    );
}
