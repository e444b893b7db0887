//! Files the CLI reads or writes on a user's behalf that are not what they
//! seem: a `--text-file` without end (/dev/zero) or over the limit, evidence
//! "files" that are FIFOs, devices or directories, and a symlink planted
//! where `export --out` writes its partial file. Each is one clear line and
//! a refusal, never a hang, all memory, or a write through the link.

use std::process::Command as Std;
use std::time::Duration;

use crate::common::{one_line_error, World};
use accord_core::limits::MAX_TEXT_BYTES;

/// The command under a 1 GiB address-space limit, so that a regression that
/// reads an endless file into memory fails this test rather than the
/// machine, and a hang guard: a build that blocks on a FIFO or reads a
/// device for ever is killed and fails (the bound is not a speed claim).
fn bounded(w: &World, args: &[&str]) -> assert_cmd::assert::Assert {
    assert_cmd::Command::new("sh")
        .current_dir(w.dir.path())
        .env("ACCORD_LEDGER", w.ledger())
        .env_remove("ACCORD_TIME")
        .env_remove("ACCORD_PASSPHRASE")
        .env_remove("RUST_BACKTRACE")
        .arg("-c")
        .arg("ulimit -v 1048576 && exec \"$@\"")
        .arg("sh")
        .arg(assert_cmd::cargo::cargo_bin("accord"))
        .args(args)
        .timeout(Duration::from_secs(120))
        .assert()
}

fn propose_from(w: &World, file: &str) -> assert_cmd::assert::Assert {
    bounded(
        w,
        &[
            "clause",
            "propose",
            "--id",
            "C1",
            "--title",
            "t",
            "--text-file",
            file,
            "--key",
            "tr.pem",
        ],
    )
}

#[test]
fn a_text_file_without_end_is_refused_without_reading_it_all() {
    let w = World::founded();
    let e = one_line_error(propose_from(&w, "/dev/zero"));
    assert!(
        e.contains("/dev/zero") && e.contains("device") && e.contains("not a regular file"),
        "{e}"
    );
    assert_eq!(w.entry_list().len(), 1);
}

#[test]
fn a_text_file_one_byte_over_the_limit_is_refused_by_the_reader() {
    let w = World::founded();
    std::fs::write(w.path("big.txt"), "x".repeat(MAX_TEXT_BYTES + 1)).unwrap();
    let e = one_line_error(propose_from(&w, "big.txt"));
    assert!(
        e.contains("big.txt") && e.contains(&MAX_TEXT_BYTES.to_string()),
        "{e}"
    );
    assert_eq!(w.entry_list().len(), 1);

    // Exactly the limit is read whole and recorded.
    std::fs::write(w.path("full.txt"), "y".repeat(MAX_TEXT_BYTES)).unwrap();
    propose_from(&w, "full.txt").success();
    let o = w.json(&["show", "1", "--json"]);
    assert_eq!(
        o["event"]["text"].as_str().map(str::len),
        Some(MAX_TEXT_BYTES)
    );
}

#[test]
fn a_fifo_as_text_file_is_refused_not_waited_on() {
    let w = World::founded();
    mkfifo(&w, "pipe");
    let e = one_line_error(propose_from(&w, "pipe"));
    assert!(
        e.contains("pipe") && e.contains("not a regular file"),
        "{e}"
    );
}

fn mkfifo(w: &World, name: &str) {
    let status = Std::new("mkfifo")
        .arg(w.path(name))
        .status()
        .expect("mkfifo (coreutils) must be installed to run this test");
    assert!(status.success());
}

fn allege_with(w: &World, evidence: &str) -> assert_cmd::assert::Assert {
    bounded(
        w,
        &[
            "allege",
            "--id",
            "A1",
            "--against",
            "gov",
            "--occurred",
            "2017-01-25T06:00:00Z",
            "--location",
            "Wadi Barada",
            "--summary",
            "Shelling.",
            "--evidence",
            evidence,
            "--key",
            "opp.pem",
        ],
    )
}

#[test]
fn evidence_that_is_not_a_regular_file_is_refused_at_once() {
    let w = World::founded();
    mkfifo(&w, "pipe");
    std::fs::create_dir(w.path("folder")).unwrap();
    for (file, kind) in [
        ("pipe", "FIFO"),
        ("/dev/zero", "device"),
        ("folder", "directory"),
    ] {
        let e = one_line_error(allege_with(&w, file));
        assert!(
            e.contains(file) && e.contains(kind) && e.contains("not a regular file"),
            "{file}: {e}"
        );
    }
    assert_eq!(w.entry_list().len(), 1);

    // `evidence check` reads files the same way.
    let e = one_line_error(bounded(&w, &["evidence", "check", "A1", "pipe"]));
    assert!(e.contains("not a regular file"), "{e}");
}

#[test]
fn export_never_writes_through_a_symlink_planted_at_its_partial_file() {
    let w = World::founded();
    let victim = w.path("victim.txt");
    std::fs::write(&victim, "precious\n").unwrap();
    std::os::unix::fs::symlink(&victim, w.path(".out.jsonl.partial")).unwrap();
    // A dangling link must not create its target either.
    std::os::unix::fs::symlink(w.path("created.txt"), w.path(".other.jsonl.partial")).unwrap();

    w.accord(&["export", "--out", "out.jsonl"])
        .assert()
        .success();
    w.accord(&["export", "--out", "other.jsonl"])
        .assert()
        .success();

    assert_eq!(std::fs::read_to_string(&victim).unwrap(), "precious\n");
    assert!(!w.path("created.txt").exists());
    let plain = w.accord(&["export"]).output().unwrap().stdout;
    assert!(!plain.is_empty());
    for out in ["out.jsonl", "other.jsonl"] {
        let meta = std::fs::symlink_metadata(w.path(out)).unwrap();
        assert!(meta.file_type().is_file(), "{out} is not a regular file");
        assert_eq!(std::fs::read(w.path(out)).unwrap(), plain, "{out}");
        assert!(!w.path(&format!(".{out}.partial")).exists());
    }
}
