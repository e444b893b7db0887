//! Crash safety: `accord` processes appending (one entry at a time, and in
//! bulk) are SIGKILLed at random instants; after each round the ledger is
//! reopened and must verify, hold every append that reported success, and
//! need no repair. ACCORD_CRASH_KILLS sets the number of kills (default 50;
//! `make stress` runs 500) and ACCORD_CRASH_STORE the engine (redb, the
//! default, or sled: `make stress-sled`). Not a timed test: it counts, it
//! does not time.

mod common;

use std::process::{Child, Command, Stdio};
use std::time::{Duration, SystemTime};

use common::World;

/// A small deterministic generator, seeded from the clock and printed, so
/// a failing run can be replayed with ACCORD_CRASH_SEED.
struct Lcg(u64);

impl Lcg {
    fn next(&mut self, bound: u64) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        (self.0 >> 33) % bound
    }
}

fn accord(w: &World, args: &[&str]) -> Child {
    Command::new(assert_cmd::cargo::cargo_bin("accord"))
        .current_dir(w.dir.path())
        .env("ACCORD_LEDGER", w.ledger())
        .args(args)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap()
}

/// Runs `child` for up to `delay`, then SIGKILLs it if still running.
/// Returns `Some(success)` if it finished on its own, `None` if killed.
fn run_or_kill(mut child: Child, delay: Duration) -> Option<bool> {
    let start = std::time::Instant::now();
    loop {
        if let Some(status) = child.try_wait().unwrap() {
            return Some(status.success());
        }
        if start.elapsed() >= delay {
            child.kill().unwrap();
            child.wait().unwrap();
            return None;
        }
        std::thread::sleep(Duration::from_micros(200));
    }
}

fn subjects(w: &World) -> Vec<String> {
    let out = w.accord(&["log", "--json"]).output().unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .map(|l| {
            serde_json::from_str::<serde_json::Value>(l).unwrap()["subject"]
                .as_str()
                .unwrap()
                .to_owned()
        })
        .collect()
}

#[test]
fn sigkilled_appends_lose_nothing_acknowledged_and_leave_no_partial_entry() {
    let kills_wanted: u64 = std::env::var("ACCORD_CRASH_KILLS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(50);
    let seed = std::env::var("ACCORD_CRASH_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| {
            SystemTime::now()
                .duration_since(SystemTime::UNIX_EPOCH)
                .unwrap()
                .as_nanos() as u64
        });
    let mut rng = Lcg(seed);
    let store = std::env::var("ACCORD_CRASH_STORE").unwrap_or_else(|_| "redb".into());
    eprintln!("crash test: store {store}, seed {seed}, {kills_wanted} kills wanted");
    let w = World::new();
    w.accord(&[
        "init",
        "--charter",
        "charter.toml",
        "--key",
        "un.pem",
        "--store",
        &store,
    ])
    .assert()
    .success();
    // How long one append takes here bounds the kill instants.
    let t = std::time::Instant::now();
    assert!(w
        .accord(&[
            "clause", "propose", "--id", "warmup", "--title", "t", "--text", "x", "--key", "tr.pem"
        ])
        .output()
        .unwrap()
        .status
        .success());
    let span = (t.elapsed().as_micros() as u64).max(2_000) * 3 / 2;

    let (mut kills, mut acknowledged, mut refused) = (0u64, vec!["warmup".to_string()], 0u64);
    let mut attempt = 0u64;
    while kills < kills_wanted && attempt < kills_wanted * 8 {
        attempt += 1;
        let id = format!("X{attempt}");
        let signer = ["tr.pem", "ru.pem", "ir.pem", "un.pem"][rng.next(4) as usize];
        let child = accord(
            &w,
            &[
                "clause",
                "propose",
                "--id",
                &id,
                "--title",
                "t",
                "--text",
                "Crash test clause.",
                "--key",
                signer,
            ],
        );
        match run_or_kill(child, Duration::from_micros(rng.next(span))) {
            Some(true) => acknowledged.push(id),
            Some(false) => refused += 1,
            None => kills += 1,
        }
        if attempt.is_multiple_of(10) {
            w.accord(&["verify"]).assert().success();
        }
    }
    w.accord(&["verify"]).assert().success();
    let recorded = subjects(&w);
    for id in &acknowledged {
        assert!(
            recorded.contains(id),
            "acknowledged append {id} was lost (seed {seed})"
        );
    }
    // Appending still works after all that, with no repair.
    w.accord(&[
        "clause", "propose", "--id", "after", "--title", "t", "--text", "x", "--key", "tr.pem",
    ])
    .assert()
    .success();
    w.accord(&["verify"]).assert().success();
    eprintln!(
        "crash test ({store}, seed {seed}): {attempt} appends started, {kills} SIGKILLed, {} acknowledged, {refused} refused; {} entries on record, all verified",
        acknowledged.len(),
        recorded.len()
    );
    assert!(
        kills >= kills_wanted.min(attempt),
        "too few kills landed: {kills}"
    );
}

#[test]
fn sigkilled_bulk_writes_and_inits_leave_a_ledger_that_opens_without_repair() {
    let seed = SystemTime::now()
        .duration_since(SystemTime::UNIX_EPOCH)
        .unwrap()
        .as_nanos() as u64;
    let mut rng = Lcg(seed);
    let store = std::env::var("ACCORD_CRASH_STORE").unwrap_or_else(|_| "redb".into());
    let w = World::new();
    let mut outcomes = [0u32; 3];
    for round in 0u32..12 {
        let dir = w.path(&format!("bulk{round}"));
        let child = Command::new(assert_cmd::cargo::cargo_bin("accord"))
            .args([
                "--ledger",
                dir.to_str().unwrap(),
                "dev",
                "synth",
                "--entries",
                "9000",
                "--store",
                &store,
            ])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        // One round in three is killed within the first few milliseconds,
        // while the ledger is being founded.
        let delay = if round.is_multiple_of(3) {
            rng.next(15)
        } else {
            rng.next(1500)
        };
        let finished = run_or_kill(child, Duration::from_millis(delay));
        let verify = Command::new(assert_cmd::cargo::cargo_bin("accord"))
            .args(["--ledger", dir.to_str().unwrap(), "verify", "--json"])
            .output()
            .unwrap();
        if verify.status.success() {
            let v: serde_json::Value = serde_json::from_slice(&verify.stdout).unwrap();
            // Bulk writes land in whole batches of 4,096 (plus entry 0).
            let n = v["verified"].as_u64().unwrap();
            assert!(
                n == 9_001 || (n - 1).is_multiple_of(4096),
                "partial batch: {n} entries"
            );
            outcomes[if finished.is_some() { 0 } else { 1 }] += 1;
        } else {
            // Killed before entry 0 was durable: the directory holds no
            // ledger, and init can found one there without manual repair.
            assert!(finished.is_none(), "a finished run left an invalid ledger");
            let said = format!(
                "{}{}",
                String::from_utf8_lossy(&verify.stdout),
                String::from_utf8_lossy(&verify.stderr)
            );
            assert!(
                said.contains("no ledger") || said.contains("no entries"),
                "{said}"
            );
            let init = Command::new(assert_cmd::cargo::cargo_bin("accord"))
                .current_dir(w.dir.path())
                .args([
                    "--ledger",
                    dir.to_str().unwrap(),
                    "init",
                    "--charter",
                    "charter.toml",
                    "--key",
                    "un.pem",
                    "--store",
                    &store,
                ])
                .output()
                .unwrap();
            assert!(
                init.status.success(),
                "{}",
                String::from_utf8_lossy(&init.stderr)
            );
            outcomes[2] += 1;
        }
    }
    eprintln!(
        "bulk crash test ({store}, seed {seed}): {} finished, {} killed mid-way and verified as whole batches, {} killed before entry 0 and re-founded",
        outcomes[0], outcomes[1], outcomes[2]
    );
}

#[test]
fn a_killed_import_creates_nothing_and_the_next_one_cleans_up() {
    let w = World::new();
    let src = w.path("src");
    let out = Command::new(assert_cmd::cargo::cargo_bin("accord"))
        .args([
            "--ledger",
            src.to_str().unwrap(),
            "dev",
            "synth",
            "--entries",
            "12000",
        ])
        .output()
        .unwrap();
    assert!(out.status.success());
    let out = Command::new(assert_cmd::cargo::cargo_bin("accord"))
        .args(["--ledger", src.to_str().unwrap(), "export", "--out"])
        .arg(w.path("all.jsonl"))
        .output()
        .unwrap();
    assert!(out.status.success());
    let target = w.path("copy");
    let mut killed = 0;
    for delay in [80u64, 200, 400] {
        let child = Command::new(assert_cmd::cargo::cargo_bin("accord"))
            .args(["--ledger", target.to_str().unwrap(), "import"])
            .arg(w.path("all.jsonl"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        if run_or_kill(child, Duration::from_millis(delay)).is_none() {
            killed += 1;
            assert!(!target.exists(), "a killed import left a ledger");
        } else {
            break;
        }
    }
    let out = Command::new(assert_cmd::cargo::cargo_bin("accord"))
        .args(["--ledger", target.to_str().unwrap(), "import"])
        .arg(w.path("all.jsonl"))
        .output()
        .unwrap();
    if killed == 0 {
        eprintln!("the first import finished before its kill: nothing to clean up");
        return;
    }
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let leftovers: Vec<_> = std::fs::read_dir(w.dir.path())
        .unwrap()
        .flatten()
        .filter(|e| e.file_name().to_string_lossy().contains(".importing-"))
        .collect();
    assert!(
        leftovers.is_empty(),
        "scratch directories left: {leftovers:?}"
    );
    eprintln!("import killed {killed} time(s); the next import succeeded and cleaned up");
}
