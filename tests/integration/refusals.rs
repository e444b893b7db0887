//! Refused commands: every refused append leaves the ledger byte for byte
//! unchanged, and oversize text, bad charters and paths that are not
//! ledgers get one line saying what is wrong and create nothing.

use std::os::unix::fs::PermissionsExt;

use crate::common::{one_line_error, World};

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
            "only guarantors, the mediator and the secretariat",
        ),
        (
            vec!["clause", "endorse", "C1", "--key", "opp.pem"],
            "only guarantors, the mediator and the secretariat",
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
            "is not the key of any party",
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
    assert!(e.contains("the convener is not in the charter"), "{e}");
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
    std::fs::write(w.path("file"), "x").unwrap();
    // (arguments, what the one line says).
    // The store says what is wrong; the binary adds what to do.
    let refused: [(&[&str], &str); 5] = [
        (
            &["--ledger", "nowhere", "log"],
            "no ledger at nowhere: create one with `accord init` or pass --ledger\n",
        ),
        (
            &["--ledger", "nowhere", "verify"],
            "no ledger at nowhere: create one with `accord init` or pass --ledger\n",
        ),
        (
            &["--ledger", "file", "verify"],
            "file is not a directory: --ledger must name a directory\n",
        ),
        (
            &["init", "--charter", "charter.toml", "--key", "un.pem"],
            "already holds a ledger: choose another --ledger directory\n",
        ),
        (&["show", "9"], "no entry 9"),
    ];
    for (args, expect) in refused {
        let e = one_line_error(w.accord(args).assert());
        assert!(e.contains(expect), "{args:?}: {e} should say {expect:?}");
    }
    assert!(
        !w.path("nowhere").exists(),
        "reading must not create a ledger"
    );
    // Usage errors are clap's, exit 2.
    w.accord(&["show", "nine"]).assert().code(2);
    w.accord(&["frobnicate"]).assert().code(2);
}

#[test]
fn a_file_left_mid_write_that_cannot_be_repaired_here_says_what_to_do() {
    let w = World::founded();
    let copy = w.path("copy");
    std::fs::create_dir(&copy).unwrap();
    {
        // A copy taken while a writer holds the file is what a crash leaves.
        let _writer = accord_store::DiskStore::open(&w.ledger()).unwrap();
        std::fs::copy(w.ledger().join("ledger.redb"), copy.join("ledger.redb")).unwrap();
    }
    // A lock file that cannot be opened for writing stands for a directory
    // this user cannot write (which modes cannot show root).
    std::fs::create_dir(copy.join("accord.lock")).unwrap();
    let e = one_line_error(w.accord(&["--ledger", "copy", "log"]).assert().code(1));
    assert!(e.contains("copy/ledger.redb was not closed cleanly"), "{e}");
    assert!(
        e.ends_with("): run any accord command on a writable copy, or restore from any party's export with `accord import`\n"),
        "{e}"
    );
}
