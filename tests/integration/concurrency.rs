//! Several processes on one ledger: a ledger in use is refused at once,
//! never waited on, and concurrent appenders neither corrupt the ledger
//! nor lose an append they were told succeeded.

use crate::common::{one_line_error, World};

#[test]
fn a_ledger_in_use_is_refused_not_hung() {
    let w = World::founded();
    let _held = accord_store::DiskStore::open(&w.ledger()).unwrap();
    let e = one_line_error(w.accord(&["verify"]).assert());
    assert!(e.contains("in use by another process"), "{e}");
    let e = one_line_error(w.propose("C1", "tr"));
    assert!(e.contains("in use by another process"), "{e}");
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
