//! End-to-end tests of the real `accord` binary on sled ledgers in tempdirs.

use std::os::unix::fs::PermissionsExt;

use crate::common::{one_line_error, with_entries, with_tree, World};
use predicates::str::contains;

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

#[test]
fn propose_endorse_adopt_log_show_verify() {
    let w = World::founded();
    w.propose("C1", "tr").success().stdout(contains("entry 1"));
    w.endorse("C1", "tr")
        .success()
        .stdout(contains("not yet adopted"));
    w.endorse("C1", "ru").success();
    w.endorse("C1", "un").success();
    w.endorse("C1", "ir")
        .success()
        .stdout(contains("now adopted"));

    let list = w.entry_list();
    assert_eq!(
        list.iter().map(|(s, _)| *s).collect::<Vec<_>>(),
        [0, 1, 2, 3, 4, 5]
    );

    let text = w.accord(&["log"]).output().unwrap();
    let text = String::from_utf8(text.stdout).unwrap();
    assert_eq!(text.lines().count(), 6);
    assert!(text.lines().nth(1).unwrap().contains("clause-proposed"));

    let show = w.json(&["show", "2", "--json"]);
    assert_eq!(show["seq"], 2);
    assert_eq!(show["author"]["party"], "tr");
    assert_eq!(show["author_seq"], 2);
    assert_eq!(show["event"]["kind"], "clause-endorsed");
    assert_eq!(show["event"]["proposal"].as_str().unwrap(), list[1].1);
    assert_eq!(show["prev"].as_str().unwrap(), list[1].1);
    assert_eq!(show["hash"].as_str().unwrap(), list[2].1);
    assert_eq!(show["signature_status"], "valid");

    let genesis = w.json(&["show", "0", "--json"]);
    assert_eq!(
        genesis["event"]["charter"]["parties"]
            .as_array()
            .unwrap()
            .len(),
        8
    );
    assert_eq!(
        genesis["event"]["charter"]["rules"]["clause_adoption"],
        "all-guarantors"
    );

    let v = w.json(&["verify", "--json"]);
    assert_eq!(v["valid"], true);
    assert_eq!(v["verified"], 6);
    assert_eq!(
        v["ledger"].as_str().unwrap(),
        list[0].1,
        "ledger id is entry 0's hash"
    );
    assert_eq!(v["head"]["hash"].as_str().unwrap(), list[5].1);
    w.accord(&["verify"])
        .assert()
        .success()
        .stdout(contains("valid: 6 entries"));
}

#[test]
fn explicit_time_is_recorded_and_may_not_go_backwards() {
    let w = World::new();
    w.accord(&[
        "--time",
        "2017-01-23T09:00:00Z",
        "init",
        "--charter",
        "charter.toml",
        "--key",
        "un.pem",
    ])
    .assert()
    .success();
    w.accord(&[
        "--time",
        "2017-01-24T10:00:00Z",
        "clause",
        "propose",
        "--id",
        "C1",
        "--title",
        "t",
        "--text",
        "x",
        "--key",
        "tr.pem",
    ])
    .assert()
    .success();
    assert_eq!(
        w.json(&["show", "1", "--json"])["time"],
        "2017-01-24T10:00:00Z"
    );
    let before = w.entry_list();
    let e = one_line_error(
        w.accord(&[
            "--time",
            "2017-01-23T10:00:00Z",
            "clause",
            "endorse",
            "C1",
            "--key",
            "tr.pem",
        ])
        .assert(),
    );
    assert!(e.contains("before the previous entry"), "{e}");
    let e = one_line_error(
        w.accord(&[
            "--time",
            "2999-01-01T00:00:00Z",
            "clause",
            "endorse",
            "C1",
            "--key",
            "tr.pem",
        ])
        .assert(),
    );
    assert!(e.contains("ahead of this machine's clock"), "{e}");
    let e = one_line_error(
        w.accord(&[
            "--time",
            "last tuesday",
            "clause",
            "endorse",
            "C1",
            "--key",
            "tr.pem",
        ])
        .assert(),
    );
    assert!(e.contains("RFC 3339"), "{e}");
    assert_eq!(w.entry_list(), before);
}

#[test]
fn every_refused_append_leaves_the_ledger_byte_for_byte_unchanged() {
    let w = World::founded();
    w.propose("C1", "tr").success();
    w.endorse("C1", "ru").success();
    std::fs::write(w.path("stranger.pem"), "not a key").unwrap();
    std::fs::set_permissions(
        w.path("stranger.pem"),
        std::fs::Permissions::from_mode(0o600),
    )
    .unwrap();
    w.accord(&["key", "new", "--out", "k/stranger.pem"])
        .assert()
        .failure();
    std::fs::create_dir(w.path("k")).unwrap();
    w.accord(&["key", "new", "--out", "k/stranger.pem"])
        .assert()
        .success();

    let entries = w.entry_list();
    // Every key and value of both tables (entries and derived data). Not
    // the file's bytes: redb rewrites its header whenever it opens one.
    let raw = w.raw_store();
    assert!(!raw.derived.is_empty(), "no derived data to compare");
    let cases: Vec<(Vec<&str>, &str)> = vec![
        (
            vec![
                "clause", "propose", "--id", "C2", "--title", "t", "--text", "x", "--key", "us.pem",
            ],
            "observers sign nothing",
        ),
        (
            vec![
                "clause", "propose", "--id", "C2", "--title", "t", "--text", "x", "--key",
                "gov.pem",
            ],
            "only guarantors and the mediator",
        ),
        (
            vec!["clause", "endorse", "C1", "--key", "opp.pem"],
            "only guarantors and the mediator",
        ),
        (
            vec![
                "clause", "propose", "--id", "C1", "--title", "t", "--text", "x", "--key", "ir.pem",
            ],
            "already in use",
        ),
        (
            vec!["clause", "endorse", "C7", "--key", "ir.pem"],
            "no clause C7",
        ),
        (
            vec!["clause", "endorse", "C1", "--key", "ru.pem"],
            "already endorsed",
        ),
        (
            vec!["clause", "endorse", "C1", "--key", "k/stranger.pem"],
            "not the current key of any party",
        ),
        (
            vec![
                "clause", "propose", "--id", "bad id", "--title", "t", "--text", "x", "--key",
                "tr.pem",
            ],
            "invalid",
        ),
        (
            vec![
                "clause", "propose", "--id", "C3", "--title", " ", "--text", "x", "--key", "tr.pem",
            ],
            "title must be",
        ),
        (
            vec!["clause", "endorse", "C1", "--key", "missing.pem"],
            "cannot read key file",
        ),
        (
            vec!["clause", "endorse", "C1", "--key", "stranger.pem"],
            "PEM",
        ),
        (vec!["clause", "endorse", "C1", "--key", "k"], "directory"),
        (
            vec![
                "clause",
                "propose",
                "--id",
                "C4",
                "--title",
                "t",
                "--text-file",
                "nope.txt",
                "--key",
                "tr.pem",
            ],
            "cannot read",
        ),
    ];
    for (args, expect) in cases {
        let e = one_line_error(w.accord(&args).assert());
        assert!(e.contains(expect), "{args:?}: {e} should say {expect:?}");
        assert_eq!(w.entry_list(), entries, "{args:?} changed the entry list");
        assert_eq!(w.raw_store(), raw, "{args:?} changed the stored bytes");
    }
}

#[test]
fn oversize_text_is_refused() {
    let w = World::founded();
    std::fs::write(w.path("big.txt"), "x".repeat(64 * 1024 + 1)).unwrap();
    let e = one_line_error(
        w.accord(&[
            "clause",
            "propose",
            "--id",
            "C1",
            "--title",
            "t",
            "--text-file",
            "big.txt",
            "--key",
            "tr.pem",
        ])
        .assert(),
    );
    assert!(e.contains("65536"), "{e}");
    assert_eq!(w.entry_list().len(), 1);
}

#[test]
fn bad_charters_create_no_ledger() {
    let w = World::new();
    let good = std::fs::read_to_string(w.path("charter.toml")).unwrap();
    let tr_key = w.json(&["key", "show", "--json", "tr.pem"])["public_key"]
        .as_str()
        .unwrap()
        .to_owned();
    let cases: Vec<(String, &str)> = vec![
        (
            good.replacen("id = \"ru\"", "id = \"tr\"", 1),
            "more than once",
        ),
        (
            good.replacen("key_file = \"ru.pem.pub\"", "key_file = \"tr.pem.pub\"", 1),
            "same key",
        ),
        (
            good.replacen("role = \"mediator\"", "role = \"emperor\"", 1),
            "unknown role",
        ),
        (
            good.replace("role = \"guarantor\"", "role = \"party\""),
            "no guarantor",
        ),
        (
            good.replacen("ruling_quorum = 2", "ruling_quorum = 4", 1),
            "only 3 guarantor",
        ),
        (
            good.replacen("key_file = \"ru.pem.pub\"", "key = \"zz\"", 1),
            "64 hex",
        ),
        (
            good.replacen(
                "key_file = \"ru.pem.pub\"",
                &format!("key = \"{}\"", "0".repeat(64)),
                1,
            ),
            "weak",
        ),
        (
            good.replacen("key_file = \"ru.pem.pub\"", "key_file = \"nope.pub\"", 1),
            "cannot read",
        ),
        (good.replacen("title =", "titel =", 1), "unknown field"),
        (
            good.replacen(
                "key_file = \"ru.pem.pub\"",
                &format!("key = \"{tr_key}\"\nkey_file = \"ru.pem.pub\""),
                1,
            ),
            "not both",
        ),
    ];
    for (text, expect) in cases {
        std::fs::write(w.path("bad.toml"), &text).unwrap();
        let e = one_line_error(
            w.accord(&["init", "--charter", "bad.toml", "--key", "un.pem"])
                .assert(),
        );
        assert!(e.contains(expect), "{e} should say {expect:?}");
        assert!(
            !w.ledger().exists(),
            "a ledger was created for a bad charter"
        );
    }
    // The convener must be a party of the charter.
    w.accord(&["key", "new", "--out", "outsider.pem"])
        .assert()
        .success();
    let e = one_line_error(
        w.accord(&["init", "--charter", "charter.toml", "--key", "outsider.pem"])
            .assert(),
    );
    assert!(e.contains("not the current key of any party"), "{e}");
    // Observers sign nothing, not even the charter.
    let e = one_line_error(
        w.accord(&["init", "--charter", "charter.toml", "--key", "us.pem"])
            .assert(),
    );
    assert!(e.contains("observer"), "{e}");
    assert!(!w.ledger().exists());
}

#[test]
fn ledger_paths_that_are_not_ledgers() {
    let w = World::founded();
    let e = one_line_error(w.accord(&["--ledger", "nowhere", "log"]).assert());
    assert!(e.contains("no ledger at nowhere"), "{e}");
    assert!(
        !w.path("nowhere").exists(),
        "reading must not create a ledger"
    );
    std::fs::write(w.path("file"), "x").unwrap();
    let e = one_line_error(w.accord(&["--ledger", "file", "verify"]).assert());
    assert!(e.contains("not a directory"), "{e}");
    let e = one_line_error(
        w.accord(&["init", "--charter", "charter.toml", "--key", "un.pem"])
            .assert(),
    );
    assert!(e.contains("already holds a ledger"), "{e}");
    let e = one_line_error(w.accord(&["show", "9"]).assert());
    assert!(e.contains("no entry 9"), "{e}");
    // Usage errors are clap's, exit 2.
    w.accord(&["show", "nine"]).assert().code(2);
    w.accord(&["frobnicate"]).assert().code(2);
}

#[test]
fn a_ledger_in_use_is_refused_not_hung() {
    let w = World::founded();
    let _held = accord_store::DiskStore::open(&w.ledger()).unwrap();
    let e = one_line_error(w.accord(&["verify"]).assert());
    assert!(e.contains("in use by another process"), "{e}");
    let e = one_line_error(w.propose("C1", "tr"));
    assert!(e.contains("in use by another process"), "{e}");
}

fn built() -> World {
    let w = World::founded();
    w.propose("C1", "tr").success();
    w.endorse("C1", "tr").success();
    w.endorse("C1", "ru").success();
    w.propose("C2", "un").success();
    w.endorse("C1", "ir").success();
    w.endorse("C2", "ir").success();
    w
}

#[test]
fn a_flipped_byte_in_any_entry_fails_verify_at_that_seq() {
    let w = built();
    let raw = w.raw_entries();
    for (key, bytes) in &raw {
        let seq = u64::from_be_bytes(key.as_slice().try_into().unwrap());
        // Flip a byte in the header, the event and the signature.
        for at in [20, bytes.len() / 2, bytes.len() - 5] {
            with_entries(&w.ledger(), |t| {
                let mut damaged = bytes.clone();
                damaged[at] ^= 0x10;
                t.insert(key, damaged).unwrap();
            });
            assert_eq!(w.first_bad().0, seq, "byte {at} of entry {seq}");
            let out = w.accord(&["verify"]).output().unwrap();
            assert!(String::from_utf8(out.stdout)
                .unwrap()
                .contains(&format!("INVALID: entry {seq}")));
            with_entries(&w.ledger(), |t| t.insert(key, bytes.clone()).unwrap());
        }
    }
    w.accord(&["verify"]).assert().success();
}

#[test]
fn reordered_entries_fail_verify() {
    let w = built();
    let raw = w.raw_entries();
    with_entries(&w.ledger(), |t| {
        t.insert(&raw[3].0, raw[4].1.clone()).unwrap();
        t.insert(&raw[4].0, raw[3].1.clone()).unwrap();
    });
    let (seq, reason) = w.first_bad();
    assert_eq!(seq, 3, "{reason}");
}

#[test]
fn an_entry_removed_from_the_middle_fails_verify() {
    let w = built();
    with_entries(&w.ledger(), |t| t.remove(4u64.to_be_bytes()).unwrap());
    assert_eq!(w.first_bad(), (4, "entry is missing".to_owned()));
}

#[test]
fn a_forged_entry_fails_verify() {
    let w = built();
    let raw = w.raw_entries();
    let (key, bytes) = raw[3].clone();
    let sealed = accord_core::Sealed::from_bytes(bytes.clone()).unwrap();
    assert_eq!(sealed.entry.body.author.party.as_str(), "ru");
    // Russia's endorsement with the claimed author and key id left as they
    // were, signed by: an outsider's junk; Turkey, a charter party, whose
    // signature over this very body is valid (under Turkey's key).
    let tr = accord_core::crypto::private_key_from_pem(
        &std::fs::read_to_string(w.path("tr.pem")).unwrap(),
    )
    .unwrap();
    let by_turkey = accord_core::crypto::sign(&tr, &sealed.signing_input());
    assert!(accord_core::crypto::verify(
        &accord_core::crypto::public_key(&tr),
        &sealed.signing_input(),
        &by_turkey
    ));
    for signature in [[7u8; 64], by_turkey.to_bytes()] {
        let mut forged = bytes.clone();
        let n = forged.len();
        forged[n - 64..].copy_from_slice(&signature);
        with_entries(&w.ledger(), |t| t.insert(&key, forged).unwrap());
        let (seq, reason) = w.first_bad();
        assert_eq!(seq, 3);
        assert!(reason.contains("signature"), "{reason}");
        assert_eq!(
            w.json(&["show", "3", "--json"])["signature_status"],
            "invalid"
        );
    }
    with_entries(&w.ledger(), |t| t.insert(&key, &bytes).unwrap());
    w.accord(&["verify"]).assert().success();
}

#[test]
fn appends_refuse_a_ledger_whose_derived_state_is_damaged_and_whose_entries_disagree() {
    let w = built();
    // Damage an entry and the derived state: the append must rebuild from
    // the entries, find the damage and refuse.
    let raw = w.raw_entries();
    with_entries(&w.ledger(), |t| {
        let mut b = raw[2].1.clone();
        b[40] ^= 1;
        t.insert(&raw[2].0, b).unwrap();
    });
    with_tree(&w.ledger(), "derived", |t| {
        t.insert("chain", &b"junk"[..]).unwrap();
    });
    let e = one_line_error(w.propose("C3", "tr"));
    assert!(e.contains("damaged at entry 2"), "{e}");
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

#[test]
fn expect_head_catches_a_truncated_tail_and_a_rewritten_head() {
    let w = built();
    let v = w.json(&["verify", "--json"]);
    let head = format!(
        "{}:{}",
        v["head"]["seq"],
        v["head"]["hash"].as_str().unwrap()
    );
    w.accord(&["verify", "--expect-head", &head])
        .assert()
        .success();

    // Drop the last entry: on its own the ledger still verifies, but not
    // against the head saved earlier.
    let raw = w.raw_entries();
    let (last_key, last_bytes) = raw.last().unwrap().clone();
    with_entries(&w.ledger(), |t| t.remove(&last_key).unwrap());
    w.accord(&["verify"]).assert().success();
    let out = w
        .accord(&["verify", "--json", "--expect-head", &head])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let r: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(r["first_bad"]["seq"], v["head"]["seq"]);
    assert!(r["first_bad"]["reason"]
        .as_str()
        .unwrap()
        .contains("missing from its tail"));
    with_entries(&w.ledger(), |t| t.insert(&last_key, last_bytes).unwrap());

    // A head with another hash at that seq.
    let forged = format!("{}:{}", v["head"]["seq"], "ab".repeat(32));
    let out = w
        .accord(&["verify", "--expect-head", &forged])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8(out.stdout)
        .unwrap()
        .contains("not the expected"));

    let e = one_line_error(w.accord(&["verify", "--expect-head", "12"]).assert());
    assert!(e.contains("SEQ:HASH"), "{e}");
}

#[test]
fn concurrent_appenders_never_corrupt_and_lose_nothing_acknowledged() {
    let w = World::founded();
    let dir = w.dir.path().to_owned();
    let ledger = w.ledger();
    let workers: Vec<_> = ["tr", "ru", "ir", "un"]
        .into_iter()
        .map(|who| {
            let (dir, ledger) = (dir.clone(), ledger.clone());
            std::thread::spawn(move || {
                let mut acknowledged = Vec::new();
                for i in 0..8 {
                    let id = format!("{who}-{i}");
                    let out = assert_cmd::Command::cargo_bin("accord")
                        .unwrap()
                        .current_dir(&dir)
                        .env("ACCORD_LEDGER", &ledger)
                        .args([
                            "clause", "propose", "--id", &id, "--title", "t", "--text", "x",
                        ])
                        .args(["--key", &format!("{who}.pem")])
                        .output()
                        .unwrap();
                    if out.status.success() {
                        acknowledged.push(id);
                    } else {
                        let err = String::from_utf8_lossy(&out.stderr);
                        assert!(err.contains("in use"), "unexpected failure: {err}");
                    }
                }
                acknowledged
            })
        })
        .collect();
    let acknowledged: Vec<String> = workers
        .into_iter()
        .flat_map(|h| h.join().unwrap())
        .collect();
    w.accord(&["verify"]).assert().success();
    let log = String::from_utf8(w.accord(&["log", "--json"]).output().unwrap().stdout).unwrap();
    let recorded: std::collections::BTreeSet<String> = log
        .lines()
        .map(|l| {
            serde_json::from_str::<serde_json::Value>(l).unwrap()["subject"]
                .as_str()
                .unwrap()
                .to_owned()
        })
        .collect();
    eprintln!(
        "{} of 32 concurrent appends acknowledged",
        acknowledged.len()
    );
    // Appends wait up to 2 s for the lock and take milliseconds: nearly all
    // are acknowledged, and every appender gets through.
    assert!(
        acknowledged.len() >= 16,
        "only {} of 32 appends acknowledged",
        acknowledged.len()
    );
    for who in ["tr", "ru", "ir", "un"] {
        assert!(
            acknowledged
                .iter()
                .any(|id| id.starts_with(&format!("{who}-"))),
            "no append by {who} was acknowledged"
        );
    }
    for id in &acknowledged {
        assert!(recorded.contains(id), "acknowledged append {id} is missing");
    }
    assert_eq!(
        recorded.len() - 1,
        acknowledged.len(),
        "an unacknowledged append landed"
    );
}

#[test]
fn export_then_import_rebuilds_an_identical_ledger() {
    let w = built();
    w.accord(&["export", "--out", "backup.jsonl"])
        .assert()
        .success();
    let text = std::fs::read_to_string(w.path("backup.jsonl")).unwrap();
    let header: serde_json::Value = serde_json::from_str(text.lines().next().unwrap()).unwrap();
    assert_eq!(header["format"], "accord-export");
    assert_eq!(text.lines().count(), w.entry_list().len() + 1);
    // stdout and --out agree.
    let piped = w.accord(&["export"]).output().unwrap().stdout;
    assert_eq!(String::from_utf8(piped).unwrap(), text);

    let expected = format!("imported and verified {} entries", w.entry_list().len());
    w.accord(&["--ledger", "copy", "import", "backup.jsonl"])
        .assert()
        .success()
        .stdout(contains(expected));
    let original = w.entry_list();
    let copy: Vec<(u64, String)> = {
        let out = w
            .accord(&["--ledger", "copy", "log", "--json"])
            .output()
            .unwrap();
        String::from_utf8(out.stdout)
            .unwrap()
            .lines()
            .map(|l| {
                let v: serde_json::Value = serde_json::from_str(l).unwrap();
                (
                    v["seq"].as_u64().unwrap(),
                    v["hash"].as_str().unwrap().to_owned(),
                )
            })
            .collect()
    };
    assert_eq!(copy, original);
    // The copy is a working ledger.
    w.accord(&[
        "--ledger", "copy", "clause", "propose", "--id", "C9", "--title", "t", "--text", "x",
        "--key", "tr.pem",
    ])
    .assert()
    .success();
    // A ledger that exists is not overwritten.
    let e = one_line_error(
        w.accord(&["--ledger", "copy", "import", "backup.jsonl"])
            .assert(),
    );
    assert!(e.contains("already holds a ledger"), "{e}");
}

#[test]
fn a_damaged_ledger_is_rebuilt_from_another_partys_export() {
    let w = built();
    w.accord(&["export", "--out", "ru-copy.jsonl"])
        .assert()
        .success();
    let raw = w.raw_entries();
    with_entries(&w.ledger(), |t| {
        let mut b = raw[3].1.clone();
        b[50] ^= 4;
        t.insert(&raw[3].0, b).unwrap();
    });
    assert_eq!(w.first_bad().0, 3);
    let e = one_line_error(w.accord(&["export", "--out", "bad.jsonl"]).assert());
    assert!(e.contains("damaged at entry 3"), "{e}");
    assert!(!w.path("bad.jsonl").exists() && !w.path(".bad.jsonl.partial").exists());
    w.accord(&["--ledger", "rebuilt", "import", "ru-copy.jsonl"])
        .assert()
        .success();
    w.accord(&["--ledger", "rebuilt", "verify"])
        .assert()
        .success();
}

#[test]
fn import_refuses_any_bad_line_and_creates_nothing() {
    let w = built();
    w.accord(&["export", "--out", "x.jsonl"]).assert().success();
    let good = std::fs::read_to_string(w.path("x.jsonl")).unwrap();
    let lines: Vec<&str> = good.lines().collect();
    let mut swapped = lines.clone();
    swapped.swap(3, 4);
    let mut flipped: serde_json::Value = serde_json::from_str(lines[5]).unwrap();
    let b64 = flipped["entry"].as_str().unwrap().to_owned();
    let replacement = if b64.as_bytes()[40] == b'A' { "B" } else { "A" };
    flipped["entry"] = serde_json::json!(format!("{}{}{}", &b64[..40], replacement, &b64[41..]));
    let mut corrupted = lines.iter().map(|s| s.to_string()).collect::<Vec<_>>();
    corrupted[5] = flipped.to_string();
    let cases: Vec<(String, &str)> = vec![
        (swapped.join("\n"), "out of sequence"),
        (corrupted.join("\n"), "line 6"),
        (lines[1..].join("\n"), "header"),
        (
            lines[..4]
                .join("\n")
                .replace("\"entry\":\"", "\"entry\":\"!"),
            "base64",
        ),
        ("not json\n".into(), "line 1: not JSON"),
        (String::new(), "no entries"),
    ];
    for (i, (text, expect)) in cases.into_iter().enumerate() {
        let file = format!("bad{i}.jsonl");
        std::fs::write(w.path(&file), text).unwrap();
        let target = format!("target{i}");
        let e = one_line_error(w.accord(&["--ledger", &target, "import", &file]).assert());
        assert!(e.contains(expect), "case {i}: {e} should say {expect:?}");
        assert!(!w.path(&target).exists(), "case {i} created a ledger");
    }
    let leftovers: Vec<_> = std::fs::read_dir(w.dir.path())
        .unwrap()
        .filter_map(|e| e.ok())
        .filter(|e| e.file_name().to_string_lossy().contains("importing"))
        .collect();
    assert!(leftovers.is_empty(), "scratch directories left behind");
}

#[test]
fn doctor_rebuilds_derived_data_that_disagrees_with_the_entries() {
    let w = built();
    with_tree(&w.ledger(), "derived", |t| {
        t.insert("chain", &b"stale"[..]).unwrap();
        t.insert("clause/C1", &b"garbage"[..]).unwrap();
    });
    w.accord(&["doctor"])
        .assert()
        .success()
        .stdout(contains("rebuilt derived data from 7 verified entries"));
    let derived_c1 = with_tree(&w.ledger(), "derived", |t| {
        t.get("clause/C1").unwrap().unwrap().to_vec()
    });
    assert_ne!(derived_c1, b"garbage");
    w.endorse("C2", "tr").success();
    // A damaged entry is not papered over.
    let raw = w.raw_entries();
    with_entries(&w.ledger(), |t| {
        let mut b = raw[2].1.clone();
        b[30] ^= 1;
        t.insert(&raw[2].0, b).unwrap();
    });
    let e = one_line_error(w.accord(&["doctor"]).assert());
    assert!(e.contains("damaged at entry 2"), "{e}");
}

#[test]
fn verify_against_another_copy_proves_equivocation() {
    // Two copies of one ledger diverge: Russia signs a different entry as
    // its first in each copy.
    let w = World::founded();
    w.propose("C1", "tr").success();
    let fork = w.path("fork");
    fn copy_dir(from: &std::path::Path, to: &std::path::Path) {
        std::fs::create_dir_all(to).unwrap();
        for item in std::fs::read_dir(from).unwrap() {
            let item = item.unwrap();
            let target = to.join(item.file_name());
            if item.file_type().unwrap().is_dir() {
                copy_dir(&item.path(), &target);
            } else {
                std::fs::copy(item.path(), target).unwrap();
            }
        }
    }
    copy_dir(&w.ledger(), &fork);
    w.endorse("C1", "ru").success();
    w.accord(&[
        "--ledger",
        "fork",
        "clause",
        "propose",
        "--id",
        "C2",
        "--title",
        "t",
        "--text",
        "Other text.",
        "--key",
        "ru.pem",
    ])
    .assert()
    .success();
    w.accord(&["--ledger", "fork", "export", "--out", "fork.jsonl"])
        .assert()
        .success();
    w.accord(&["export", "--out", "main.jsonl"])
        .assert()
        .success();

    let out = w
        .accord(&["verify", "--against", "fork.jsonl", "--json"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let eq = v["equivocations"].as_array().unwrap();
    assert_eq!(eq.len(), 1);
    assert_eq!(eq[0]["author"], "ru");
    assert_eq!(eq[0]["author_seq"], 1);
    assert_eq!(eq[0]["here"]["kind"], "clause-endorsed");
    assert_eq!(eq[0]["there"]["kind"], "clause-proposed");
    w.accord(&["verify", "--against", "fork.jsonl"])
        .assert()
        .code(1)
        .stdout(contains("EQUIVOCATION: ru"));
    // A copy compared with its own export shows none.
    w.accord(&["verify", "--against", "main.jsonl"])
        .assert()
        .success()
        .stdout(contains("no equivocation"));
}

#[test]
fn tamper_matrix_foreign_replayed_and_shifted_entries() {
    // An entry replaced by a validly signed entry from another ledger with
    // the same charter and keys.
    let w = built();
    let other = World {
        dir: tempfile::tempdir().unwrap(),
    };
    for f in [
        "charter.toml",
        "tr.pem",
        "tr.pem.pub",
        "ru.pem",
        "ru.pem.pub",
        "ir.pem",
        "ir.pem.pub",
        "un.pem",
        "un.pem.pub",
        "gov.pem",
        "gov.pem.pub",
        "opp.pem",
        "opp.pem.pub",
        "mon.pem",
        "mon.pem.pub",
        "us.pem",
        "us.pem.pub",
    ] {
        std::fs::copy(w.path(f), other.path(f)).unwrap();
    }
    other
        .accord(&[
            "--time",
            "2020-01-01T00:00:00Z",
            "init",
            "--charter",
            "charter.toml",
            "--key",
            "un.pem",
        ])
        .assert()
        .success();
    other.propose("C1", "tr").success();
    let foreign = other.raw_entries()[1].1.clone();
    let raw = w.raw_entries();
    with_entries(&w.ledger(), |t| {
        t.insert(&raw[1].0, foreign.clone()).unwrap()
    });
    let (seq, reason) = w.first_bad();
    assert_eq!(seq, 1);
    assert!(reason.contains("another ledger"), "{reason}");
    with_entries(&w.ledger(), |t| {
        t.insert(&raw[1].0, raw[1].1.clone()).unwrap()
    });

    // A replayed entry: an earlier signed entry stored again at the tail.
    let next = (raw.len() as u64).to_be_bytes();
    with_entries(&w.ledger(), |t| t.insert(next, raw[2].1.clone()).unwrap());
    let (seq, reason) = w.first_bad();
    assert_eq!(seq, raw.len() as u64);
    assert!(reason.contains("says seq 2"), "{reason}");
    with_entries(&w.ledger(), |t| t.remove(next).unwrap());

    // History shifted to hide an entry: entry 3 removed and the later ones
    // moved down one seq. Each moved entry's signature covers its own seq,
    // previous hash and seen head, so the first moved one is named.
    with_entries(&w.ledger(), |t| {
        for i in 3..raw.len() - 1 {
            t.insert(&raw[i].0, raw[i + 1].1.clone()).unwrap();
        }
        t.remove(&raw[raw.len() - 1].0).unwrap();
    });
    let (seq, reason) = w.first_bad();
    assert_eq!(seq, 3, "{reason}");
}

#[test]
fn invalid_utf8_arguments_are_a_usage_error_not_a_panic() {
    use std::os::unix::ffi::OsStrExt;
    let w = World::founded();
    let bad = std::ffi::OsStr::from_bytes(b"C\xff1");
    let out = w
        .accord(&[
            "clause", "propose", "--title", "t", "--text", "x", "--key", "tr.pem", "--id",
        ])
        .arg(bad)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("invalid UTF-8") && !err.contains("panicked"),
        "{err}"
    );
    assert_eq!(w.entry_list().len(), 1);
}

#[test]
fn long_runs_draw_no_progress_bar_when_standard_error_is_not_a_terminal() {
    // Large enough that a terminal would get progress bars.
    let w = World::new();
    w.accord(&["dev", "synth", "--entries", "25000"])
        .assert()
        .success();
    let export = w.path("all.jsonl");
    for args in [
        vec!["verify"],
        vec!["verify", "--json"],
        vec!["export", "--out", export.to_str().unwrap()],
    ] {
        w.accord(&args).assert().success().stderr("");
    }
    w.accord(&[
        "--ledger",
        w.path("copy").to_str().unwrap(),
        "import",
        "all.jsonl",
    ])
    .assert()
    .success()
    .stderr("");
}
