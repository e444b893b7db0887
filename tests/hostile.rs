//! Hostile environments: a read-only ledger directory and a full disk. Each
//! must give one clear line and a non-zero exit, and leave the ledger as it
//! was. Both need root here (to drop to another user, to mount a tmpfs);
//! without it they are skipped, saying why.

mod common;

use std::os::unix::fs::PermissionsExt;
use std::path::Path;
use std::process::Command;

use common::World;

fn is_root() -> bool {
    Command::new("id")
        .arg("-u")
        .output()
        .map(|o| String::from_utf8_lossy(&o.stdout).trim() == "0")
        .unwrap_or(false)
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

#[test]
fn appending_to_a_read_only_ledger_is_one_clear_error() {
    if !is_root() || Command::new("setpriv").arg("--version").output().is_err() {
        eprintln!("skipped: needs root and setpriv to run accord as an unprivileged user");
        return;
    }
    let w = World::founded();
    w.propose("C1", "tr").success();
    let before = w.raw_entries();
    // Everything readable, nothing writable, for the unprivileged user.
    chmod_tree(w.dir.path(), 0o755, 0o644);
    std::fs::set_permissions(w.path("tr.pem"), std::fs::Permissions::from_mode(0o600)).unwrap();
    std::fs::copy(w.path("ru.pem"), w.path("ru-nobody.pem")).unwrap();
    std::os::unix::fs::chown(w.path("ru-nobody.pem"), Some(65534), Some(65534)).unwrap();
    std::fs::set_permissions(
        w.path("ru-nobody.pem"),
        std::fs::Permissions::from_mode(0o600),
    )
    .unwrap();
    let out = Command::new("setpriv")
        .args(["--reuid=65534", "--regid=65534", "--clear-groups", "--"])
        .arg(assert_cmd::cargo::cargo_bin("accord"))
        .args(["clause", "endorse", "C1", "--key", "ru-nobody.pem"])
        .current_dir(w.dir.path())
        .env("ACCORD_LEDGER", w.ledger())
        .output()
        .unwrap();
    assert!(!out.status.success());
    let err = String::from_utf8(out.stderr).unwrap();
    assert_eq!(err.lines().count(), 1, "{err:?}");
    assert!(
        err.starts_with("error: ") && err.contains("ermission denied"),
        "{err}"
    );
    chmod_tree(w.dir.path(), 0o700, 0o600);
    assert_eq!(w.raw_entries(), before);
    w.accord(&["verify"]).assert().success();
}

#[test]
fn a_full_disk_refuses_the_append_and_keeps_the_ledger_whole() {
    if !is_root() {
        eprintln!("skipped: needs root to mount a tiny tmpfs");
        return;
    }
    let w = World::new();
    let mnt = w.path("small");
    std::fs::create_dir(&mnt).unwrap();
    let mounted = Command::new("mount")
        .args(["-t", "tmpfs", "-o", "size=2m", "tmpfs"])
        .arg(&mnt)
        .status()
        .is_ok_and(|s| s.success());
    if !mounted {
        eprintln!("skipped: cannot mount a tmpfs here");
        return;
    }
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
    assert_eq!(err.lines().count(), 1, "{err:?}");
    assert!(err.starts_with("error: "), "{err}");
    assert!(!err.contains("panicked"), "{err}");
    eprintln!("full disk after {appended} appends: {}", err.trim());
    // What was acknowledged is there and verifies; the failed append is not.
    let v = w.json(&["--ledger", ledger_arg, "verify", "--json"]);
    assert_eq!(v["valid"], true, "{v}");
    assert_eq!(v["verified"], appended + 1);
}
