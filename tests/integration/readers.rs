//! Read commands read: they create and change nothing in the ledger
//! directory, work on a read-only copy, and never make a writer wait, even
//! while their output sits unread in a pipe.

use std::collections::BTreeMap;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::SystemTime;

const READS: &[&[&str]] = &[
    &["log", "--json"],
    &["verify", "--json"],
    &["export"],
    &["obligations", "--at", "30"],
    &["obligations", "--replay", "--at", "30"],
    &["obligations", "--all", "--at", "30"],
    &["history", "C1"],
    &["key", "list"],
    &["show", "7"],
    &["diff", "--from", "1", "--to", "30"],
];

fn accord(dir: &Path, args: &[&str]) -> Command {
    let mut cmd = Command::new(assert_cmd::cargo::cargo_bin("accord"));
    cmd.current_dir(dir)
        .env_remove("ACCORD_LEDGER")
        .env_remove("ACCORD_TIME")
        .env_remove("ACCORD_KEY")
        .env_remove("ACCORD_PASSPHRASE")
        .env_remove("RUST_BACKTRACE")
        .args(args);
    cmd
}

/// A synthetic redb ledger `L` of `entries` + 1 entries, with its parties'
/// keys in `keys/`.
fn synth(entries: u32) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let out = accord(dir.path(), &["--ledger", "L", "dev", "synth", "--entries"])
        .arg(entries.to_string())
        .args(["--keys-out", "keys"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{out:?}");
    dir
}

fn ok(what: &str, out: Output) -> Vec<u8> {
    assert!(
        out.status.success(),
        "{what}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    out.stdout
}

/// Every file in `dir` with its length, modification time and a hash of
/// its bytes.
fn listing(dir: &Path) -> BTreeMap<String, (u64, SystemTime, u64)> {
    std::fs::read_dir(dir)
        .unwrap()
        .map(|item| {
            let item = item.unwrap();
            let meta = item.metadata().unwrap();
            (
                item.file_name().to_string_lossy().into_owned(),
                (meta.len(), meta.modified().unwrap(), {
                    let mut h = std::hash::DefaultHasher::new();
                    std::hash::Hash::hash(&std::fs::read(item.path()).unwrap(), &mut h);
                    std::hash::Hasher::finish(&h)
                }),
            )
        })
        .collect()
}

#[test]
fn read_commands_create_and_change_nothing() {
    let dir = synth(40);
    let ledger = dir.path().join("L");
    std::fs::remove_file(ledger.join("accord.lock")).unwrap();
    let before = listing(&ledger);
    let dir_modified = std::fs::metadata(&ledger).unwrap().modified().unwrap();
    for args in READS {
        ok(
            &format!("{args:?}"),
            accord(dir.path(), &[&["--ledger", "L"], *args].concat())
                .output()
                .unwrap(),
        );
        assert_eq!(listing(&ledger), before, "{args:?} changed the directory");
        assert_eq!(
            std::fs::metadata(&ledger).unwrap().modified().unwrap(),
            dir_modified,
            "{args:?} touched the directory"
        );
    }
}

fn is_root() -> bool {
    crate::common::is_root()
}

/// A read-only copy: the directory 0555 and the file 0444, no lock file;
/// run as an unprivileged user when the tests run as root (whom modes do
/// not stop).
#[test]
fn read_commands_work_on_a_read_only_copy() {
    use std::os::unix::fs::PermissionsExt;
    use std::os::unix::process::CommandExt;
    let dir = synth(40);
    let ledger = dir.path().join("L");
    std::fs::remove_file(ledger.join("accord.lock")).unwrap();
    let answers: Vec<Vec<u8>> = READS
        .iter()
        .map(|args| {
            let out = accord(dir.path(), &[&["--ledger", "L"], *args].concat())
                .output()
                .unwrap();
            ok(&format!("{args:?} on the writable ledger"), out)
        })
        .collect();
    let copy: PathBuf = dir.path().join("RO");
    std::fs::create_dir(&copy).unwrap();
    std::fs::copy(ledger.join("ledger.redb"), copy.join("ledger.redb")).unwrap();
    let mode = |path: &Path, m| std::fs::set_permissions(path, std::fs::Permissions::from_mode(m));
    mode(&copy.join("ledger.redb"), 0o444).unwrap();
    mode(&copy, 0o555).unwrap();
    // Unprivileged users must reach the copy.
    mode(dir.path(), 0o755).unwrap();
    let root = is_root();
    for (args, answer) in READS.iter().zip(&answers) {
        let mut cmd = accord(dir.path(), &[&["--ledger", "RO"], *args].concat());
        if root {
            cmd.uid(65534).gid(65534);
        }
        let out = cmd.output().unwrap();
        let got = ok(
            &format!("{args:?} on the read-only copy (root: {root})"),
            out,
        );
        assert_eq!(
            &got, answer,
            "{args:?}: another answer on the read-only copy"
        );
    }
    assert!(!copy.join("accord.lock").exists());
    mode(&copy, 0o755).unwrap();
}

#[test]
fn a_stalled_export_does_not_block_appends() {
    // Large enough that its export (about 1.4 MB) cannot fit in a pipe.
    let dir = synth(2000);
    let mut export = accord(dir.path(), &["--ledger", "L", "export"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdout = export.stdout.take().unwrap();
    // The export has opened the ledger once its first bytes arrive; then
    // nobody reads, and it stalls on a full pipe.
    let mut first = [0u8; 64];
    stdout.read_exact(&mut first).unwrap();
    let append = accord(
        dir.path(),
        &[
            "--ledger",
            "L",
            "clause",
            "propose",
            "--id",
            "Z1",
            "--title",
            "t",
            "--text",
            "x",
            "--key",
            "keys/tr.pem",
        ],
    )
    .output()
    .unwrap();
    let still_running = export.try_wait().unwrap().is_none();
    let mut rest = Vec::new();
    stdout.read_to_end(&mut rest).unwrap();
    let status = export.wait().unwrap();
    ok("the append beside a stalled export", append);
    assert!(
        still_running,
        "the export finished before the append: not a stalled reader"
    );
    assert!(status.success(), "the export failed");
    // The export is the ledger as it was when the export began.
    let text = [&first[..], &rest].concat();
    let text = String::from_utf8(text).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(
        lines.len(),
        1 + 2001,
        "header and the 2001 entries before the append"
    );
    let last: serde_json::Value = serde_json::from_str(lines[lines.len() - 1]).unwrap();
    assert_eq!(last["seq"], 2000);
    let v: serde_json::Value = serde_json::from_slice(&ok(
        "verify",
        accord(dir.path(), &["--ledger", "L", "verify", "--json"])
            .output()
            .unwrap(),
    ))
    .unwrap();
    assert_eq!(v["verified"], 2002, "{v}");
}

/// Derived data a reader finds stale (here: the cached chain state, made
/// undecodable behind accord's back) is recomputed in memory, not written.
#[test]
fn readers_recompute_stale_derived_data_in_memory() {
    const DERIVED: redb::TableDefinition<&[u8], &[u8]> = redb::TableDefinition::new("derived");
    let dir = synth(40);
    let ledger = dir.path().join("L");
    let args: &[&[&str]] = &[
        &["obligations", "--at", "40"],
        &["show", "7"],
        &["obligations"],
    ];
    let run = |args: &[&str]| {
        let out = accord(dir.path(), &[&["--ledger", "L"], args].concat())
            .output()
            .unwrap();
        let text = String::from_utf8(ok(&format!("{args:?}"), out)).unwrap();
        // The open view is judged now: leave that line out.
        text.lines()
            .filter(|l| !l.contains("judged at"))
            .collect::<Vec<_>>()
            .join("\n")
    };
    let intact: Vec<String> = args.iter().map(|a| run(a)).collect();
    {
        let db = redb::Database::create(ledger.join("ledger.redb")).unwrap();
        let tx = db.begin_write().unwrap();
        tx.open_table(DERIVED)
            .unwrap()
            .insert(&b"chain"[..], &b"not a chain"[..])
            .unwrap();
        tx.commit().unwrap();
    }
    let before = listing(&ledger);
    for (a, want) in args.iter().zip(&intact) {
        assert_eq!(&run(a), want, "{a:?} with stale derived data");
        assert_eq!(listing(&ledger), before, "{a:?} wrote to the ledger");
    }
}
