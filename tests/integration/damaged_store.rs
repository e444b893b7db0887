//! A damaged `ledger.redb`: whatever the bytes on disk, every command either
//! gives the answer it gives on the undamaged ledger or fails with one line
//! (exit 1) naming the damage; never a panic, an abort or a hang. An empty
//! database file is damage too, and opening it never rewrites it.

use std::path::{Path, PathBuf};
use std::time::Duration;

use assert_cmd::Command;

const PAGE: usize = 4096;

/// A synthetic redb ledger of `entries` + 1 entries, with its parties' keys
/// in `keys/`, built in a fresh directory.
fn synth(entries: u32) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    accord(dir.path(), &["--ledger", "L", "dev", "synth", "--entries"])
        .arg(entries.to_string())
        .args(["--keys-out", "keys"])
        .assert()
        .success();
    dir
}

fn accord(dir: &Path, args: &[&str]) -> Command {
    let mut cmd = Command::cargo_bin("accord").unwrap();
    cmd.current_dir(dir)
        .env_remove("ACCORD_LEDGER")
        .env_remove("ACCORD_TIME")
        .env_remove("ACCORD_KEY")
        .env_remove("ACCORD_PASSPHRASE")
        .env_remove("RUST_BACKTRACE")
        .env_remove("RUST_LIB_BACKTRACE")
        .timeout(Duration::from_secs(60))
        .args(args);
    cmd
}

fn copy_ledger(from: &Path, to: &Path) {
    let _ = std::fs::remove_dir_all(to);
    std::fs::create_dir(to).unwrap();
    for item in std::fs::read_dir(from).unwrap() {
        let item = item.unwrap();
        std::fs::copy(item.path(), to.join(item.file_name())).unwrap();
    }
}

/// Stdout without the line that names the moment of judgement (the
/// obligations views judge at the current time).
fn settled(stdout: &[u8]) -> String {
    String::from_utf8_lossy(stdout)
        .lines()
        .filter(|l| !l.contains("judged at"))
        .collect::<Vec<_>>()
        .join("\n")
}

/// Asserts a failure is one line on stderr, exit 1, with no panic and no
/// backtrace; returns the line.
fn one_clean_line(what: &str, out: &std::process::Output) -> String {
    let err = String::from_utf8_lossy(&out.stderr).into_owned();
    assert_eq!(out.status.code(), Some(1), "{what}: {err}");
    assert_eq!(err.lines().count(), 1, "{what}: not one line: {err:?}");
    assert!(err.starts_with("error: "), "{what}: {err:?}");
    assert!(
        !err.contains("panicked") && !err.contains("backtrace"),
        "{what}: {err:?}"
    );
    err
}

const READS: &[&[&str]] = &[
    &["log"],
    &["log", "--json"],
    &["verify"],
    &["verify", "--json"],
    &["export"],
    &["obligations"],
    &["obligations", "--replay"],
    &["obligations", "--all"],
    &["obligations", "--at", "20"],
    &["history", "C1"],
    &["key", "list"],
    &["show", "7"],
    &["diff", "--from", "1", "--to", "30"],
];

#[test]
fn every_zeroed_page_gives_the_right_answer_or_one_line_naming_the_damage() {
    let dir = synth(40);
    let ledger = dir.path().join("L");
    let file_len = std::fs::metadata(ledger.join("ledger.redb")).unwrap().len() as usize;
    assert_eq!(file_len % PAGE, 0, "redb files are whole pages");
    let copy: PathBuf = dir.path().join("C");
    let baseline: Vec<String> = READS
        .iter()
        .map(|args| {
            copy_ledger(&ledger, &copy);
            let out = accord(dir.path(), &[&["--ledger", "C"], *args].concat())
                .output()
                .unwrap();
            assert!(out.status.success(), "{args:?} on the undamaged ledger");
            settled(&out.stdout)
        })
        .collect();
    let writes: &[&[&str]] = &[
        &["doctor"],
        &[
            "clause",
            "propose",
            "--id",
            "Z9",
            "--title",
            "t",
            "--text",
            "x",
            "--key",
            "keys/tr.pem",
        ],
    ];
    let (mut failed, mut named_damage) = (0, 0);
    for page in 0..file_len / PAGE {
        let damage = |copy: &Path| {
            let file = copy.join("ledger.redb");
            let mut bytes = std::fs::read(&file).unwrap();
            bytes[page * PAGE..(page + 1) * PAGE].fill(0);
            std::fs::write(&file, bytes).unwrap();
        };
        let runs = READS
            .iter()
            .map(|a| (*a, true))
            .chain(writes.iter().map(|a| (*a, false)));
        for (i, (args, read)) in runs.enumerate() {
            copy_ledger(&ledger, &copy);
            damage(&copy);
            let what = format!("page {page}, {args:?}");
            let out = accord(dir.path(), &[&["--ledger", "C"], args].concat())
                .output()
                .unwrap();
            match out.status.code() {
                Some(0) if read => assert_eq!(
                    settled(&out.stdout),
                    baseline[i],
                    "{what}: succeeded with another answer"
                ),
                Some(0) => {}
                // verify reports damage as its verdict, on stdout.
                Some(1) if args[0] == "verify" && out.stderr.is_empty() => {
                    let said = String::from_utf8_lossy(&out.stdout);
                    assert!(
                        said.starts_with("INVALID") || said.contains(r#""valid":false"#),
                        "{what}: {said}"
                    );
                    failed += 1;
                    if said.contains("restore the ledger from any party's export") {
                        named_damage += 1;
                    }
                }
                _ => {
                    let err = one_clean_line(&what, &out);
                    failed += 1;
                    if err.contains("restore the ledger from any party's export") {
                        named_damage += 1;
                    }
                }
            }
        }
    }
    eprintln!(
        "{} pages x {} commands: {failed} failed with one line, {named_damage} of them naming the damage",
        file_len / PAGE,
        READS.len() + writes.len()
    );
    // Zeroing hit live pages: the test exercised damage, not only free space.
    assert!(named_damage > 0 && failed > 0);
}

#[test]
fn an_empty_database_file_is_refused_and_never_rewritten() {
    let dir = synth(3);
    let file = dir.path().join("L").join("ledger.redb");
    std::fs::write(&file, b"").unwrap();
    for args in [
        &["verify"][..],
        &["log"],
        &["export"],
        &["doctor"],
        &[
            "clause",
            "propose",
            "--id",
            "Z9",
            "--title",
            "t",
            "--text",
            "x",
            "--key",
            "keys/tr.pem",
        ],
    ] {
        let out = accord(dir.path(), &[&["--ledger", "L"], args].concat())
            .output()
            .unwrap();
        let err = one_clean_line(&format!("{args:?}"), &out);
        assert!(
            err.contains("ledger.redb") && err.contains("empty"),
            "{args:?}: {err}"
        );
        assert_eq!(
            std::fs::metadata(&file).unwrap().len(),
            0,
            "{args:?} rewrote the empty file"
        );
    }
}
