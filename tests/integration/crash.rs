//! Crash safety: `accord` processes appending (one entry at a time, and in
//! bulk) and importing are SIGKILLed at chosen instants; after each kill
//! the ledger is reopened and must verify, hold every append that reported
//! success, and need no repair. Each test counts the kills that landed
//! mid-work and fails if none did, so that none passes having killed
//! nothing. ACCORD_CRASH_KILLS sets the number of kills of single appends
//! (default 50; `make stress` runs 500) and ACCORD_CRASH_STORE the engine
//! (redb, the default, or sled: `make stress-sled`). Not a timed test: it
//! measures durations only to choose kill instants, and asserts counts.
//!
//! ACCORD_CRASH_SEED (a number; by default one is drawn from the clock and
//! printed at the start of each test) fixes everything the tests choose:
//! the signer of each append, and each kill instant as a fraction of a
//! duration measured at the start of the run (one append, one whole bulk
//! write). It cannot fix where in its work a process is when the kill
//! lands: that depends on the measured duration and on the scheduler. So a
//! seed replays the schedule of a failing run, not its outcome; run it
//! again with the seed (and `make stress` for more kills) to reproduce.

use std::process::{Child, Command, Stdio};
use std::time::{Duration, SystemTime};

use crate::common::World;

/// A small deterministic generator of the tests' choices.
struct Lcg(u64);

impl Lcg {
    /// ACCORD_CRASH_SEED, or a seed from the clock; printed either way.
    fn from_env(test: &str) -> Self {
        let seed = std::env::var("ACCORD_CRASH_SEED")
            .ok()
            .map(|s| {
                s.parse()
                    .unwrap_or_else(|_| panic!("ACCORD_CRASH_SEED={s:?} is not a number"))
            })
            .unwrap_or_else(|| {
                SystemTime::now()
                    .duration_since(SystemTime::UNIX_EPOCH)
                    .unwrap()
                    .as_nanos() as u64
            });
        eprintln!("{test}: ACCORD_CRASH_SEED={seed}");
        Lcg(seed)
    }

    fn next(&mut self, bound: u64) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        (self.0 >> 33) % bound
    }

    /// `span` times a fraction in [lo, hi) (per mille) drawn from the seed.
    fn within(&mut self, span: Duration, lo: u32, hi: u32) -> Duration {
        span * (lo + self.next(u64::from(hi - lo)) as u32) / 1000
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
    let mut rng = Lcg::from_env("crash test");
    let seed = rng.0;
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
    let span = t.elapsed().max(Duration::from_millis(2)) * 3 / 2;

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
        match run_or_kill(child, rng.within(span, 0, 1000)) {
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

/// `accord dev synth` of `entries` entries into `dir`, as a child process.
fn synth(dir: &std::path::Path, entries: u64, store: &str) -> Child {
    Command::new(assert_cmd::cargo::cargo_bin("accord"))
        .args([
            "--ledger",
            dir.to_str().unwrap(),
            "dev",
            "synth",
            "--entries",
        ])
        .arg(entries.to_string())
        .args(["--store", store])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap()
}

/// Bulk writes land in whole batches of this many entries (after entry 0).
const BULK_BATCH: u64 = 4096;

#[test]
fn sigkilled_bulk_writes_and_inits_leave_a_ledger_that_opens_without_repair() {
    const ENTRIES: u64 = 9000;
    let mut rng = Lcg::from_env("bulk crash test");
    let seed = rng.0;
    let store = std::env::var("ACCORD_CRASH_STORE").unwrap_or_else(|_| "redb".into());
    let w = World::new();
    // One whole bulk write, uninterrupted, times the kills.
    let t = std::time::Instant::now();
    let whole = synth(&w.path("whole"), ENTRIES, &store).wait().unwrap();
    let span = t.elapsed();
    assert!(whole.success(), "an uninterrupted bulk write failed");
    let v = w.json(&[
        "--ledger",
        w.path("whole").to_str().unwrap(),
        "verify",
        "--json",
    ]);
    assert_eq!(v["verified"], ENTRIES + 1, "{v}");
    let (mut finished, mut killed_after_the_end) = (0u32, 0u32);
    let (mut killed_unstarted, mut killed_founding, mut killed_before_a_batch) = (0u32, 0u32, 0u32);
    // Where founding happens, narrowed round by round: a kill that found no
    // directory came too early, one that found entry 0 too late.
    let mut founding = (Duration::ZERO, Duration::from_millis(15));
    // The entry counts of rounds killed after a batch landed and before the
    // last one did: each is entry 0 and whole batches.
    let mut killed_mid_batch: Vec<u64> = Vec::new();
    let mut round = 0u32;
    // Twelve rounds, and more (up to 48) until kills have landed both
    // mid-founding and mid-batch.
    while round < 12 || ((killed_mid_batch.is_empty() || killed_founding == 0) && round < 48) {
        let dir = w.path(&format!("bulk{round}"));
        let child = synth(&dir, ENTRIES, &store);
        // One round in three is killed while the ledger is being founded;
        // the others anywhere from a tenth to nine tenths of the way
        // through a whole bulk write.
        let founding_round = round.is_multiple_of(3);
        let delay = if founding_round {
            founding.0 + rng.within(founding.1 - founding.0, 0, 1000)
        } else {
            rng.within(span, 100, 900)
        };
        round += 1;
        let outcome = run_or_kill(child, delay);
        let verify = Command::new(assert_cmd::cargo::cargo_bin("accord"))
            .args(["--ledger", dir.to_str().unwrap(), "verify", "--json"])
            .output()
            .unwrap();
        if founding_round {
            if verify.status.success() {
                founding.1 = delay;
            } else if !dir.exists() {
                founding.0 = delay;
                if founding.0 >= founding.1 * 9 / 10 {
                    founding.1 *= 2;
                }
            }
        }
        if verify.status.success() {
            let v: serde_json::Value = serde_json::from_slice(&verify.stdout).unwrap();
            let n = v["verified"].as_u64().unwrap();
            assert!(
                n == ENTRIES + 1 || (n - 1).is_multiple_of(BULK_BATCH),
                "partial batch: {n} entries (seed {seed})"
            );
            match outcome {
                Some(success) => {
                    assert!(success, "a bulk write failed on its own (seed {seed})");
                    assert_eq!(n, ENTRIES + 1);
                    finished += 1;
                }
                None if n == ENTRIES + 1 => killed_after_the_end += 1,
                None if n == 1 => killed_before_a_batch += 1,
                None => killed_mid_batch.push(n),
            }
        } else if !dir.exists() {
            // Killed before it created anything.
            assert!(
                outcome.is_none(),
                "a finished run left nothing (seed {seed})"
            );
            killed_unstarted += 1;
        } else {
            // Killed after creating the directory and before entry 0 was
            // durable: it holds no ledger, and init can found one there
            // without manual repair.
            assert!(
                outcome.is_none(),
                "a finished run left an invalid ledger (seed {seed})"
            );
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
            killed_founding += 1;
        }
    }
    eprintln!(
        "bulk crash test ({store}, seed {seed}, a whole write took {span:?}): {round} rounds, {finished} finished, {killed_unstarted} killed before creating anything, {killed_founding} killed mid-founding and re-founded, {killed_before_a_batch} killed before the first batch landed, {} killed mid-batch after one landed (entries left: {killed_mid_batch:?}), {killed_after_the_end} killed after the last batch",
        killed_mid_batch.len()
    );
    assert!(
        !killed_mid_batch.is_empty(),
        "no round was killed mid-batch in {round} rounds (seed {seed})"
    );
    assert!(
        killed_founding > 0,
        "no round was killed mid-founding in {round} rounds (seed {seed})"
    );
}

/// The scratch directories imports into `target` leave beside it.
fn import_scratch(target: &std::path::Path) -> Vec<std::path::PathBuf> {
    let prefix = format!(
        ".{}.importing-",
        target.file_name().unwrap().to_string_lossy()
    );
    std::fs::read_dir(target.parent().unwrap())
        .unwrap()
        .flatten()
        .filter(|e| e.file_name().to_string_lossy().starts_with(&prefix))
        .map(|e| e.path())
        .collect()
}

fn import(target: &std::path::Path, export: &std::path::Path) -> Child {
    Command::new(assert_cmd::cargo::cargo_bin("accord"))
        .args(["--ledger", target.to_str().unwrap(), "import"])
        .arg(export)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap()
}

#[test]
fn a_killed_import_creates_nothing_and_the_next_one_cleans_up() {
    let mut rng = Lcg::from_env("import crash test");
    let seed = rng.0;
    let w = World::new();
    let export = w.path("all.jsonl");
    let target = w.path("copy");
    // Kills land a fifth to four fifths of the way through a whole import
    // of the same file; while none has caught one mid-way (its scratch
    // directory on disk), the ledger grows fourfold, up to 192,000 entries.
    let (mut kills, mut mid_import) = (0u32, 0u32);
    let mut entries = 12_000u64;
    let src_head = loop {
        let src = w.path(&format!("src{entries}"));
        let out = Command::new(assert_cmd::cargo::cargo_bin("accord"))
            .args([
                "--ledger",
                src.to_str().unwrap(),
                "dev",
                "synth",
                "--entries",
            ])
            .arg(entries.to_string())
            .output()
            .unwrap();
        assert!(out.status.success());
        let _ = std::fs::remove_file(&export);
        let out = Command::new(assert_cmd::cargo::cargo_bin("accord"))
            .args(["--ledger", src.to_str().unwrap(), "export", "--out"])
            .arg(&export)
            .output()
            .unwrap();
        assert!(out.status.success());
        let head = w.json(&["--ledger", src.to_str().unwrap(), "verify", "--json"])["head"].clone();
        let probe = w.path(&format!("probe{entries}"));
        let t = std::time::Instant::now();
        assert!(import(&probe, &export).wait().unwrap().success());
        let span = t.elapsed();
        for _ in 0..3 {
            match run_or_kill(import(&target, &export), rng.within(span, 200, 800)) {
                None => {
                    kills += 1;
                    assert!(!target.exists(), "a killed import left a ledger");
                    if !import_scratch(&target).is_empty() {
                        mid_import += 1;
                    }
                }
                Some(success) => {
                    // It finished first: start again from nothing.
                    assert!(success, "an import failed on its own");
                    std::fs::remove_dir_all(&target).unwrap();
                }
            }
        }
        eprintln!(
            "import crash test: {entries} entries (a whole import took {span:?}): {kills} kills so far, {mid_import} mid-import"
        );
        if mid_import > 0 || entries >= 192_000 {
            break head;
        }
        entries *= 4;
    };
    assert!(
        mid_import > 0,
        "no kill landed mid-import (no scratch directory left), up to {entries} entries (seed {seed})"
    );
    let out = Command::new(assert_cmd::cargo::cargo_bin("accord"))
        .args(["--ledger", target.to_str().unwrap(), "import"])
        .arg(&export)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let leftovers = import_scratch(&target);
    assert!(
        leftovers.is_empty(),
        "scratch directories left: {leftovers:?}"
    );
    let copy = w.json(&["--ledger", target.to_str().unwrap(), "verify", "--json"]);
    assert_eq!(copy["valid"], true, "{copy}");
    assert_eq!(copy["head"], src_head, "the import holds another ledger");
    eprintln!(
        "import killed {kills} time(s), {mid_import} mid-import; the next import succeeded, cleaned up and holds the whole ledger"
    );
}
