//! Keys end to end: key files (a private PEM written 0600, one readable by
//! others refused, interop with OpenSSL's files), rotation by the key
//! holder, revocation of a lost or compromised key by a quorum of
//! guarantors, and verify naming any entry signed with a key after it
//! stopped being valid.

use std::os::unix::fs::PermissionsExt;

use crate::common::{one_line_error, with_entries, World};
use accord_core::crypto::private_key_from_pem;
use accord_core::{ClauseId, Event};
use accord_ledger::Ledger;
use predicates::str::contains;

/// Signs a clause proposal with `key_file` on top of the head and writes it
/// straight into sled, bypassing every check.
fn smuggle_proposal(w: &World, key_file: &str, party: &str) -> u64 {
    let key = private_key_from_pem(&std::fs::read_to_string(w.path(key_file)).unwrap()).unwrap();
    let entry = {
        let ledger = Ledger::open(&w.ledger()).unwrap();
        let state = ledger.replay().unwrap();
        let mut body = state
            .sign_next(
                &private_key_from_pem(&std::fs::read_to_string(w.path("un.pem")).unwrap()).unwrap(),
                state.head_time(),
                Event::ClauseProposed {
                    id: ClauseId::new("FORGED").unwrap(),
                    title: "t".into(),
                    text: "x".into(),
                },
            )
            .unwrap()
            .entry
            .body;
        body.author.party = accord_core::PartyId::new(party).unwrap();
        body.author.key = accord_core::crypto::public_key(&key).id();
        body.author_seq = state.author_seq(&body.author.party) + 1;
        body.sign(&key).unwrap()
    };
    with_entries(&w.ledger(), |t| {
        t.insert(entry.seq().to_be_bytes(), entry.bytes.clone())
            .unwrap()
    });
    entry.seq()
}

#[test]
fn a_rotated_key_signs_nothing_more_and_old_entries_stay_valid() {
    let w = World::founded();
    w.propose("C1", "tr").success();
    w.accord(&["key", "new", "--out", "tr2.pem"])
        .assert()
        .success();
    w.accord(&["key", "rotate", "--new", "tr2.pem", "--key", "tr.pem"])
        .assert()
        .success()
        .stdout(contains("key-rotated"));
    let e = one_line_error(w.endorse("C1", "tr"));
    assert!(e.contains("was tr's until a rotation or revocation"), "{e}");
    w.endorse("C1", "tr2").success();
    w.accord(&["verify"]).assert().success();
    // Entries signed before the rotation still show a valid signature.
    assert_eq!(
        w.json(&["show", "1", "--json"])["signature_status"],
        "valid"
    );
    assert_eq!(
        w.json(&["show", "3", "--json"])["signature_status"],
        "valid"
    );
    let keys = w.json(&["key", "list", "--json"]);
    let tr = keys
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["party"] == "tr")
        .unwrap();
    assert_eq!(tr["history"].as_array().unwrap().len(), 2);
    assert_eq!(tr["history"][0]["until"], 3);
    assert_eq!(tr["history"][1]["from"], 3);
    // A key is never reused: not another party's, not a retired one.
    let e = one_line_error(
        w.accord(&["key", "rotate", "--new", "ru.pem", "--key", "tr2.pem"])
            .assert(),
    );
    assert!(e.contains("used before"), "{e}");
    let e = one_line_error(
        w.accord(&["key", "rotate", "--new", "tr.pem", "--key", "tr2.pem"])
            .assert(),
    );
    assert!(e.contains("used before"), "{e}");
}

#[test]
fn verify_names_an_entry_signed_with_a_rotated_key() {
    let w = World::founded();
    w.propose("C1", "tr").success();
    w.accord(&["key", "new", "--out", "tr2.pem"])
        .assert()
        .success();
    w.accord(&["key", "rotate", "--new", "tr2.pem", "--key", "tr.pem"])
        .assert()
        .success();
    let seq = smuggle_proposal(&w, "tr.pem", "tr");
    let (bad, reason) = w.first_bad();
    assert_eq!(bad, seq);
    assert!(
        reason.contains("not the current key of party tr"),
        "{reason}"
    );
    assert_eq!(
        w.json(&["show", &seq.to_string(), "--json"])["signature_status"],
        "unknown-signer"
    );
}

#[test]
fn a_quorum_of_guarantors_revokes_a_lost_key_and_installs_a_replacement() {
    let w = World::founded();
    w.accord(&["key", "new", "--out", "ru-new.pem"])
        .assert()
        .success();
    w.accord(&[
        "key",
        "revoke",
        "ru",
        "--id",
        "V1",
        "--reason",
        "Laptop lost in Astana.",
        "--replacement",
        "ru-new.pem.pub",
        "--key",
        "tr.pem",
    ])
    .assert()
    .success();
    // Until quorum, the old key still signs; the guarantors have a duty.
    w.propose("C1", "ru").success();
    let o = w.json(&["obligations", "--json", "--party", "ir"]);
    let duties = o["parties"][0]["duties"].as_array().unwrap();
    assert!(
        duties
            .iter()
            .any(|d| d["duty"] == "endorse-revocation" && d["item"] == "V1"),
        "{duties:?}"
    );
    w.accord(&["key", "endorse-revocation", "V1", "--key", "tr.pem"])
        .assert()
        .success();
    let e = one_line_error(
        w.accord(&["key", "endorse-revocation", "V1", "--key", "tr.pem"])
            .assert(),
    );
    assert!(e.contains("already endorsed"), "{e}");
    let e = one_line_error(
        w.accord(&["key", "endorse-revocation", "V1", "--key", "gov.pem"])
            .assert(),
    );
    assert!(e.contains("only guarantors"), "{e}");
    w.accord(&["key", "endorse-revocation", "V1", "--key", "ir.pem"])
        .assert()
        .success();
    let e = one_line_error(w.endorse("C1", "ru"));
    assert!(e.contains("was ru's until a rotation or revocation"), "{e}");
    w.endorse("C1", "ru-new").success();
    w.accord(&["verify"]).assert().success();

    // An entry the thief signs with the revoked key after the revocation.
    let seq = smuggle_proposal(&w, "ru.pem", "ru");
    let (bad, reason) = w.first_bad();
    assert_eq!(bad, seq);
    assert!(
        reason.contains("not the current key of party ru"),
        "{reason}"
    );
}

#[test]
fn revocation_without_replacement_silences_the_party_until_one_is_named() {
    let w = World::founded();
    w.accord(&[
        "key",
        "revoke",
        "gov",
        "--id",
        "V1",
        "--reason",
        "Compromised.",
        "--key",
        "tr.pem",
    ])
    .assert()
    .success();
    w.accord(&["key", "endorse-revocation", "V1", "--key", "ru.pem"])
        .assert()
        .success();
    w.accord(&["key", "endorse-revocation", "V1", "--key", "ir.pem"])
        .assert()
        .success();
    w.propose("C1", "tr").success();
    let e = one_line_error(
        w.accord(&["clause", "accept", "C1", "--key", "gov.pem"])
            .assert(),
    );
    assert!(
        e.contains("was gov's until a rotation or revocation"),
        "{e}"
    );
    let keys = w.json(&["key", "list", "--json"]);
    assert!(keys
        .as_array()
        .unwrap()
        .iter()
        .any(|p| p["party"] == "gov" && p["current"].is_null()));
    let e = one_line_error(
        w.accord(&[
            "key", "revoke", "gov", "--id", "V2", "--reason", "Again.", "--key", "tr.pem",
        ])
        .assert(),
    );
    assert!(e.contains("already revoked"), "{e}");
    w.accord(&["key", "new", "--out", "gov2.pem"])
        .assert()
        .success();
    w.accord(&[
        "key",
        "revoke",
        "gov",
        "--id",
        "V2",
        "--reason",
        "New key.",
        "--replacement",
        "gov2.pem",
        "--key",
        "tr.pem",
    ])
    .assert()
    .success();
    w.accord(&["key", "endorse-revocation", "V2", "--key", "tr.pem"])
        .assert()
        .success();
    w.accord(&["key", "endorse-revocation", "V2", "--key", "ru.pem"])
        .assert()
        .success();
    w.accord(&["clause", "accept", "C1", "--key", "gov2.pem"])
        .assert()
        .success();
    w.accord(&["verify"]).assert().success();
}

#[test]
fn passphrase_encrypted_keys_sign_and_interoperate() {
    let w = World::founded();
    let env_pass = |args: &[&str], pass: Option<&str>| {
        let mut cmd = w.accord(args);
        cmd.env_remove("ACCORD_PASSPHRASE");
        if let Some(p) = pass {
            cmd.env("ACCORD_PASSPHRASE", p);
        }
        cmd.assert()
    };
    env_pass(
        &["key", "new", "--encrypt", "--out", "tr2.pem"],
        Some("correct horse battery"),
    )
    .success();
    let pem = std::fs::read_to_string(w.path("tr2.pem")).unwrap();
    assert!(pem.starts_with("-----BEGIN ENCRYPTED PRIVATE KEY-----"));
    let e = one_line_error(env_pass(
        &["key", "new", "--encrypt", "--out", "x.pem"],
        Some("short"),
    ));
    assert!(e.contains("shorter than 8"), "{e}");
    assert!(!w.path("x.pem").exists());

    env_pass(
        &["key", "rotate", "--new", "tr2.pem", "--key", "tr.pem"],
        Some("correct horse battery"),
    )
    .success();
    env_pass(
        &[
            "clause", "propose", "--id", "C1", "--title", "t", "--text", "x", "--key", "tr2.pem",
        ],
        Some("correct horse battery"),
    )
    .success();
    let before = w.entry_list();
    let e = one_line_error(env_pass(
        &[
            "clause", "propose", "--id", "C2", "--title", "t", "--text", "x", "--key", "tr2.pem",
        ],
        Some("wrong"),
    ));
    assert!(e.contains("wrong passphrase"), "{e}");
    let e = one_line_error(env_pass(
        &[
            "clause", "propose", "--id", "C2", "--title", "t", "--text", "x", "--key", "tr2.pem",
        ],
        None,
    ));
    assert!(e.contains("ACCORD_PASSPHRASE"), "{e}");
    assert_eq!(w.entry_list(), before);

    // The file is in a form OpenSSL reads, checked against the file OpenSSL
    // wrote (tests/fixtures/openssl): PBES2 with the same KDF and cipher,
    // and an scrypt cost OpenSSL 3 accepts.
    let ours = pbes2(pem.as_bytes());
    let openssls = pbes2(&crate::common::fixture("openssl/ed25519-scrypt.pem"));
    assert_eq!(ours.kdf.oid(), openssls.kdf.oid(), "not scrypt");
    assert_eq!(
        ours.encryption.oid(),
        openssls.encryption.oid(),
        "not AES-256-CBC"
    );
    let pkcs8::pkcs5::pbes2::Kdf::Scrypt(scrypt) = &ours.kdf else {
        panic!("not scrypt: {:?}", ours.kdf)
    };
    let (n, r, p) = (
        scrypt.cost_parameter,
        u64::from(scrypt.block_size),
        u64::from(scrypt.parallelization),
    );
    assert!(
        openssl_scrypt_memory(n, r, p) <= OPENSSL_SCRYPT_MAX_MEM,
        "OpenSSL 3 cannot decrypt a key whose scrypt (N={n}, r={r}, p={p}) needs more than 32 MiB"
    );
}

/// OpenSSL 3's cap on the memory scrypt may use when it reads or writes a
/// PKCS#8 file (`SCRYPT_MAX_MEM`): a larger cost fails with "memory limit
/// exceeded" (tests/fixtures/openssl/README.md).
const OPENSSL_SCRYPT_MAX_MEM: u64 = 32 << 20;

/// The memory OpenSSL 3 computes for scrypt(N, r, p): the V array,
/// 128 r (N + 2) bytes, and the B array, 128 r p bytes.
fn openssl_scrypt_memory(n: u64, r: u64, p: u64) -> u64 {
    128 * r * (n + 2) + 128 * r * p
}

/// The PBES2 parameters of an encrypted PKCS#8 PEM file.
fn pbes2(pem: &[u8]) -> pkcs8::pkcs5::pbes2::Parameters {
    let (label, der) = pkcs8::der::pem::decode_vec(pem).unwrap();
    assert_eq!(label, "ENCRYPTED PRIVATE KEY");
    let info = pkcs8::EncryptedPrivateKeyInfoRef::try_from(der.as_slice()).unwrap();
    info.encryption_algorithm
        .pbes2()
        .expect("not PBES2")
        .clone()
}

#[test]
fn openssls_scrypt_limit_is_what_the_interop_check_assumes() {
    // OpenSSL's defaults (the fixture) fit; N = 2^15 with r = 8, which
    // OpenSSL 3.0 refuses to write or read, does not.
    assert!(openssl_scrypt_memory(1 << 14, 8, 1) <= OPENSSL_SCRYPT_MAX_MEM);
    assert!(openssl_scrypt_memory(1 << 15, 8, 1) > OPENSSL_SCRYPT_MAX_MEM);
}

/// A key OpenSSL generated and encrypted (scrypt, AES-256-CBC; from
/// tests/fixtures/openssl) signs entries through the plain CLI.
#[test]
fn a_key_openssl_generated_and_encrypted_signs_entries() {
    let w = World::new();
    // tr's key is OpenSSL's: the charter names tr.pem.pub.
    std::fs::remove_file(w.path("tr.pem")).unwrap();
    std::fs::remove_file(w.path("tr.pem.pub")).unwrap();
    w.copy_fixture("openssl/ed25519-scrypt.pem", "tr.pem", 0o600);
    w.copy_fixture("openssl/ed25519.pem.pub", "tr.pem.pub", 0o644);
    w.accord(&["init", "--charter", "charter.toml", "--key", "un.pem"])
        .assert()
        .success();
    let propose = |passphrase: &str| {
        w.accord(&[
            "clause", "propose", "--id", "C1", "--title", "t", "--text", "x", "--key", "tr.pem",
        ])
        .env("ACCORD_PASSPHRASE", passphrase)
        .assert()
    };
    let e = one_line_error(propose("wrong horse battery"));
    assert!(e.contains("wrong passphrase"), "{e}");
    propose("correct horse battery").success();
    w.accord(&["verify"]).assert().success();
    let der = crate::common::fixture("openssl/ed25519.pub.der");
    let shown = w.json(&["key", "show", "--json", "tr.pem.pub"]);
    assert_eq!(shown["public_key"], hex::encode(&der[der.len() - 32..]));
    let entry = w.json(&["show", "1", "--json"]);
    assert_eq!(entry["author"]["party"], "tr");
    assert_eq!(entry["author"]["key_id"], shown["key_id"]);
    assert_eq!(entry["signature_status"], "valid");
}

#[test]
fn key_new_writes_a_private_pem_0600_and_a_public_file() {
    let w = World::new();
    let meta = std::fs::metadata(w.path("tr.pem")).unwrap();
    assert_eq!(meta.permissions().mode() & 0o777, 0o600);
    let private = std::fs::read_to_string(w.path("tr.pem")).unwrap();
    assert!(private.starts_with("-----BEGIN PRIVATE KEY-----"));
    let public = std::fs::read_to_string(w.path("tr.pem.pub")).unwrap();
    assert!(public.starts_with("-----BEGIN PUBLIC KEY-----"));

    // Both halves show the same key id.
    let a = w.json(&["key", "show", "--json", "tr.pem"]);
    let b = w.json(&["key", "show", "--json", "tr.pem.pub"]);
    assert_eq!(a, b);
    assert_eq!(a["public_key"].as_str().unwrap().len(), 64);

    let e = one_line_error(w.accord(&["key", "new", "--out", "tr.pem"]).assert());
    assert!(e.contains("already exists"), "{e}");
}

#[test]
fn a_key_readable_by_others_is_refused_with_the_fix() {
    let w = World::founded();
    std::fs::set_permissions(w.path("tr.pem"), std::fs::Permissions::from_mode(0o644)).unwrap();
    let e = one_line_error(w.propose("C1", "tr"));
    assert!(e.contains("chmod 600"), "{e}");
}

/// A PEM file's label and DER bytes.
fn pem_der(pem: &[u8]) -> (String, Vec<u8>) {
    let (label, der) = pkcs8::der::pem::decode_vec(pem).unwrap();
    (label.to_owned(), der)
}

/// Against files OpenSSL made (tests/fixtures/openssl, with the commands in
/// its README), so that the test needs no OpenSSL at run time.
#[test]
fn keys_interoperate_with_openssl() {
    use accord_core::crypto::{self, private_key_from_pem, private_key_to_pem, Signature};
    let w = World::new();
    let os_pem = String::from_utf8(crate::common::fixture("openssl/ed25519.pem")).unwrap();
    let os_pub = String::from_utf8(crate::common::fixture("openssl/ed25519.pem.pub")).unwrap();
    let os_der = crate::common::fixture("openssl/ed25519.pub.der");
    // accord reads a key OpenSSL generated and derives the public key
    // OpenSSL derived, from the private and from the public file.
    w.copy_fixture("openssl/ed25519.pem", "os.pem", 0o600);
    w.copy_fixture("openssl/ed25519.pem.pub", "os.pem.pub", 0o644);
    let openssl_public = hex::encode(&os_der[os_der.len() - 32..]);
    for file in ["os.pem", "os.pem.pub"] {
        let shown = w.json(&["key", "show", "--json", file]);
        assert_eq!(shown["public_key"], openssl_public.as_str(), "{file}");
    }
    // For that key accord writes byte for byte the files OpenSSL wrote, so
    // OpenSSL reads accord's.
    let key = private_key_from_pem(&os_pem).unwrap();
    assert_eq!(*private_key_to_pem(&key).unwrap(), os_pem);
    let public = crypto::public_key(&key);
    assert_eq!(public.to_pem().unwrap(), os_pub);
    // And the files `accord key new` wrote have OpenSSL's form: the same
    // labels, lengths and DER up to the key bytes.
    for (ours, theirs, key_len) in [("tr.pem", &os_pem, 32), ("tr.pem.pub", &os_pub, 32)] {
        let (label, der) = pem_der(&std::fs::read(w.path(ours)).unwrap());
        let (os_label, os_der) = pem_der(theirs.as_bytes());
        assert_eq!(label, os_label, "{ours}");
        assert_eq!(der.len(), os_der.len(), "{ours}");
        let prefix = os_der.len() - key_len;
        assert_eq!(der[..prefix], os_der[..prefix], "{ours}");
    }
    // accord accepts OpenSSL's signature and makes the same one (Ed25519 is
    // deterministic); over any other message it fails.
    let message = crate::common::fixture("openssl/message.txt");
    let sig = Signature::from_bytes(
        &crate::common::fixture("openssl/message.sig")
            .try_into()
            .unwrap(),
    );
    assert!(crypto::verify(&public, &message, &sig));
    assert_eq!(crypto::sign(&key, &message), sig);
    let mut other = message.clone();
    other[0] ^= 1;
    assert!(!crypto::verify(&public, &other, &sig));
}
