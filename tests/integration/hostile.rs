//! Hostile environments: a read-only ledger directory and a full disk. Each
//! must give one clear line and a non-zero exit, and leave the ledger as it
//! was.
//!
//! The read-only test runs everywhere: as root it runs accord as the
//! unprivileged user 65534 (root ignores file modes). The full-disk test
//! needs root to mount a 2 MiB tmpfs, so it is ignored in `make test` and
//! run by `.ci/run` (`cargo test -p accord --test integration -- --ignored
//! hostile::`), where it fails, rather than skips, when it cannot mount one.

use std::os::unix::fs::PermissionsExt;
use std::os::unix::process::CommandExt;
use std::path::Path;
use std::process::Command;

use crate::common::World;

/// The unprivileged user and group accord runs as when the test is root.
const NOBODY: u32 = 65534;

fn is_root() -> bool {
    crate::common::is_root()
}

fn chmod_tree(path: &Path, dirs: u32, files: u32) {
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(dirs)).unwrap();
    for item in std::fs::read_dir(path).unwrap() {
        let item = item.unwrap();
        if item.file_type().unwrap().is_dir() {
            chmod_tree(&item.path(), dirs, files);
        } else {
            std::fs::set_permissions(item.path(), std::fs::Permissions::from_mode(files)).unwrap();
        }
    }
}

/// `accord` in the world's directory, as the unprivileged user when the
/// test runs as root (std drops supplementary groups with the uid).
fn unprivileged_accord(w: &World, args: &[&str]) -> std::process::Output {
    let mut cmd = Command::new(assert_cmd::cargo::cargo_bin("accord"));
    cmd.args(args)
        .current_dir(w.dir.path())
        .env("ACCORD_LEDGER", w.ledger())
        .env_remove("RUST_BACKTRACE");
    if is_root() {
        cmd.uid(NOBODY).gid(NOBODY);
    }
    cmd.output().unwrap()
}

#[test]
fn appending_to_a_read_only_ledger_is_one_clear_error() {
    let w = World::founded();
    w.propose("C1", "tr").success();
    let before = w.raw_store();
    // A copy of ru's key that the user accord runs as can read (and only
    // that user), then nothing writable for anyone but root.
    std::fs::copy(w.path("ru.pem"), w.path("ru-reader.pem")).unwrap();
    if is_root() {
        std::os::unix::fs::chown(w.path("ru-reader.pem"), Some(NOBODY), Some(NOBODY)).unwrap();
    }
    chmod_tree(w.dir.path(), 0o555, 0o444);
    std::fs::set_permissions(
        w.path("ru-reader.pem"),
        std::fs::Permissions::from_mode(0o400),
    )
    .unwrap();
    // The precondition, checked rather than assumed: that user reaches the
    // world and reads the key, so a refusal below is the ledger's.
    let shown = unprivileged_accord(&w, &["key", "show", "ru-reader.pem"]);
    assert!(
        shown.status.success(),
        "the unprivileged user cannot read the test's key (is the temporary directory reachable by uid {NOBODY}?): {}",
        String::from_utf8_lossy(&shown.stderr)
    );

    let out = unprivileged_accord(&w, &["clause", "endorse", "C1", "--key", "ru-reader.pem"]);
    chmod_tree(w.dir.path(), 0o700, 0o600);
    assert!(!out.status.success());
    let err = String::from_utf8(out.stderr).unwrap();
    assert_eq!(err.lines().count(), 1, "{err:?}");
    assert!(
        err.starts_with("error: ") && err.contains("ermission denied"),
        "{err}"
    );
    assert!(
        err.contains(w.ledger().to_str().unwrap()),
        "the error must name the ledger: {err}"
    );
    assert_eq!(
        w.raw_store(),
        before,
        "the refused append changed the store"
    );
    w.accord(&["verify"]).assert().success();
}

#[test]
#[ignore = "needs root and a tmpfs: run by .ci/run"]
fn a_full_disk_refuses_the_append_and_keeps_the_ledger_whole() {
    assert!(
        is_root(),
        "this test mounts a tmpfs and must run as root (as .ci/run does)"
    );
    let w = World::new();
    let mnt = w.path("small");
    std::fs::create_dir(&mnt).unwrap();
    let mount = Command::new("mount")
        .args(["-t", "tmpfs", "-o", "size=2m", "tmpfs"])
        .arg(&mnt)
        .output()
        .expect("cannot run mount(8)");
    assert!(
        mount.status.success(),
        "cannot mount a 2 MiB tmpfs at {}: {}",
        mnt.display(),
        String::from_utf8_lossy(&mount.stderr)
    );
    struct Unmount<'a>(&'a Path);
    impl Drop for Unmount<'_> {
        fn drop(&mut self) {
            let _ = Command::new("umount").arg(self.0).status();
        }
    }
    let _guard = Unmount(&mnt);
    let ledger = mnt.join("ledger");
    let ledger_arg = ledger.to_str().unwrap();
    w.accord(&[
        "--ledger",
        ledger_arg,
        "init",
        "--charter",
        "charter.toml",
        "--key",
        "un.pem",
    ])
    .assert()
    .success();
    let text = "x".repeat(60 * 1024);
    let mut appended = 0;
    let mut failure = None;
    for i in 0..200 {
        let out = w
            .accord(&[
                "--ledger",
                ledger_arg,
                "clause",
                "propose",
                "--id",
                &format!("C{i}"),
                "--title",
                "t",
                "--text",
                &text,
                "--key",
                "tr.pem",
            ])
            .output()
            .unwrap();
        if out.status.success() {
            appended += 1;
        } else {
            failure = Some(String::from_utf8(out.stderr).unwrap());
            break;
        }
    }
    let err = failure.expect("a 2 MiB disk must fill up");
    assert!(appended > 0, "the first append already failed: {err}");
    assert_eq!(err.lines().count(), 1, "{err:?}");
    assert!(err.starts_with("error: "), "{err}");
    assert!(!err.contains("panicked"), "{err}");
    let said = err.to_lowercase();
    assert!(
        said.contains("no space left")
            || said.contains("disk is full")
            || said.contains("disk full"),
        "the error must say the disk is full: {err}"
    );
    eprintln!("full disk after {appended} appends: {}", err.trim());
    // What was acknowledged is there and verifies; the failed append is not.
    let v = w.json(&["--ledger", ledger_arg, "verify", "--json"]);
    assert_eq!(v["valid"], true, "{v}");
    assert_eq!(v["verified"], appended + 1);
}
