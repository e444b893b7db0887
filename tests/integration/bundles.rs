//! Dispute bundles end to end: `accord prove` builds a 2-entry bundle
//! against a checkpoint cosigned by 2 of 3 guarantors; `accord bundle
//! verify` and the independent scripts/check-bundle.py (hashlib and
//! openssl) both accept it, and both refuse each tampered copy (a flipped
//! byte in an entry, a proof, the root or a cosignature; a missing
//! cosignature; a checkpoint of a fork; an omitted key rotation) with
//! exit 1 and a line naming what is wrong.

use std::path::{Path, PathBuf};

use predicates::prelude::*;
use predicates::str::contains;
use serde_json::Value;

use crate::common::World;

/// The ledger: C1 proposed by tr (1), endorsed by ru (2); ru rotates its
/// key (3); ir endorses C1 (4); ru, with its new key, proposes C2 (5). The
/// checkpoint of those 6 entries is signed by tr and cosigned by tr and ir.
/// `bundle.json` proves entries 2 and 5 (one by each of ru's keys).
fn world() -> World {
    let w = World::founded();
    w.propose("C1", "tr").success();
    w.endorse("C1", "ru").success();
    w.accord(&["key", "new", "--out", "ru2.pem"])
        .assert()
        .success();
    w.accord(&["key", "rotate", "--new", "ru2.pem", "--key", "ru.pem"])
        .assert()
        .success();
    w.endorse("C1", "ir").success();
    w.propose("C2", "ru2").success();
    checkpoint(
        &w,
        &w.ledger(),
        "checkpoint",
        &[("tr", "wtr"), ("ir", "wir")],
    );
    w.accord(&[
        "prove",
        "--entry",
        "2",
        "--entry",
        "5",
        "--checkpoint",
        "checkpoint",
        "--out",
        "bundle.json",
    ])
    .assert()
    .success()
    .stdout(contains("wrote bundle.json"))
    .stdout(contains("entries 2, 5"));
    w
}

/// A checkpoint of the ledger at `ledger` signed by tr and cosigned by each
/// (witness, state dir), written to `name`.
fn checkpoint(w: &World, ledger: &Path, name: &str, cosigners: &[(&str, &str)]) {
    w.accord(&["checkpoint", "--key", "tr.pem", "--out", name])
        .env("ACCORD_LEDGER", ledger)
        .assert()
        .success();
    for (witness, state) in cosigners {
        w.accord(&[
            "witness",
            "cosign",
            name,
            "--key",
            &format!("{witness}.pem"),
            "--state",
            state,
            "--out",
            name,
        ])
        .env("ACCORD_LEDGER", ledger)
        .assert()
        .success();
    }
}

fn bundle(w: &World) -> Value {
    serde_json::from_slice(&std::fs::read(w.path("bundle.json")).unwrap()).unwrap()
}

fn save(w: &World, name: &str, v: &Value) {
    std::fs::write(w.path(name), serde_json::to_vec_pretty(v).unwrap()).unwrap();
}

/// The base64 text with the character at `at` swapped for another
/// base64 digit: a changed byte once decoded.
fn flip(text: &str, at: usize) -> String {
    let mut s = text.to_owned();
    let c = &text[at..at + 1];
    s.replace_range(at..at + 1, if c == "A" { "B" } else { "A" });
    s
}

fn script() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("scripts/check-bundle.py")
}

/// Runs scripts/check-bundle.py on `name`; returns its exit code and
/// output.
fn python(w: &World, name: &str, args: &[&str]) -> (i32, String) {
    let out = std::process::Command::new("python3")
        .arg(script())
        .arg(w.path(name))
        .args(args)
        .output()
        .expect("python3 runs (CI installs it)");
    let text =
        String::from_utf8_lossy(&out.stdout).into_owned() + &String::from_utf8_lossy(&out.stderr);
    (out.status.code().unwrap_or(-1), text)
}

/// `bundle verify` of `name` must exit 1; returns its one line.
fn refused(w: &World, name: &str) -> String {
    let out = w.accord(&["bundle", "verify", name]).output().unwrap();
    let stdout = String::from_utf8(out.stdout).unwrap();
    assert_eq!(
        out.status.code(),
        Some(1),
        "bundle verify must exit 1: {stdout}"
    );
    assert_eq!(stdout.lines().count(), 1, "one line: {stdout}");
    assert!(stdout.starts_with("INVALID bundle: "), "{stdout}");
    stdout
}

/// Both verifiers refuse `v` (saved as `name`) and accord's line says
/// `why`; the Python one names `python_why`.
fn both_refuse(w: &World, name: &str, v: &Value, why: &str, python_why: &str) {
    save(w, name, v);
    let line = refused(w, name);
    assert!(line.contains(why), "{name}: {line}");
    let json = w.json(&["bundle", "verify", name, "--json"]);
    assert_eq!(json["valid"], false);
    assert!(json["reason"].as_str().unwrap().contains(why), "{json}");
    let (code, text) = python(w, name, &[]);
    assert_eq!(code, 1, "check-bundle.py must refuse {name}: {text}");
    assert!(text.contains(python_why), "{name}: {text}");
}

#[test]
fn a_two_entry_bundle_cosigned_by_two_of_three_guarantors_verifies() {
    let w = world();
    let out = w
        .accord(&["bundle", "verify", "bundle.json"])
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    let text = String::from_utf8(out).unwrap();
    assert!(
        text.starts_with("VALID bundle: 2 entries of ledger "),
        "{text}"
    );
    assert!(
        text.contains("in its checkpoint of size 6 signed by tr"),
        "{text}"
    );
    assert!(text.contains("  entry 2  "), "{text}");
    assert!(
        text.contains("ru  clause-endorsed: endorses clause C1  verified"),
        "{text}"
    );
    assert!(
        text.contains("ru  clause-proposed: proposes clause C2: "),
        "{text}"
    );
    assert!(text.contains("order: entries 2 < 5 by position"), "{text}");
    assert!(text.contains("policy: 2 of tr,ru,ir"), "{text}");
    assert!(text.contains("existed no later than "), "{text}");
    assert!(
        text.contains(", per tr and ir") || text.contains(", per ir and tr"),
        "{text}"
    );

    let v = w.json(&["bundle", "verify", "bundle.json", "--json"]);
    assert_eq!(v["valid"], true);
    assert_eq!(v["size"], 6);
    assert_eq!(v["key_events"], 2, "the charter and ru's rotation");
    let entries = v["entries"].as_array().unwrap();
    assert_eq!(entries.len(), 2);
    assert_eq!(entries[0]["seq"], 2);
    assert_eq!(entries[1]["seq"], 5);
    assert_ne!(
        entries[0]["key"], entries[1]["key"],
        "entry 5 is signed with ru's new key"
    );
    assert!(entries.iter().all(|e| e["verified"] == true));
    assert_eq!(
        v["existed_no_later_than"]["per"].as_array().unwrap().len(),
        2
    );

    // The bundle holds the charter, the rotation and the two entries.
    let b = bundle(&w);
    assert_eq!(b["version"], 1);
    let seqs = |k: &str| -> Vec<u64> {
        b[k].as_array()
            .unwrap()
            .iter()
            .map(|e| e["seq"].as_u64().unwrap())
            .collect()
    };
    assert_eq!(seqs("key_events"), vec![0, 3]);
    assert_eq!(seqs("entries"), vec![2, 5]);

    let (code, text) = python(&w, "bundle.json", &[]);
    assert_eq!(code, 0, "{text}");
    assert!(text.contains("check-bundle: VALID"), "{text}");
    assert!(text.contains("entry 5 by ru"), "{text}");
}

#[test]
fn every_tampered_copy_is_refused_by_both_verifiers() {
    let w = world();
    let good = bundle(&w);

    let mut v = good.clone();
    let bytes = v["entries"][1]["bytes"].as_str().unwrap().to_owned();
    v["entries"][1]["bytes"] = flip(&bytes, bytes.len() / 2).into();
    let proof_fails = "entry 5: its inclusion proof does not lead to the checkpoint's root";
    both_refuse(&w, "entry.json", &v, proof_fails, proof_fails);

    // A byte of entry 5's own signature (its last 64 bytes).
    let mut v = good.clone();
    v["entries"][1]["bytes"] = flip(&bytes, bytes.len() - 10).into();
    both_refuse(&w, "entry-sig.json", &v, proof_fails, proof_fails);

    let mut v = good.clone();
    let hash = v["entries"][1]["proof"][0].as_str().unwrap().to_owned();
    v["entries"][1]["proof"][0] = flip(&hash, 7).into();
    both_refuse(&w, "proof.json", &v, proof_fails, proof_fails);

    let checkpoint = good["checkpoint"].as_str().unwrap().to_owned();
    let lines: Vec<&str> = checkpoint.split('\n').collect();
    let mut v = good.clone();
    v["checkpoint"] = checkpoint.replacen(lines[2], &flip(lines[2], 5), 1).into();
    both_refuse(
        &w,
        "root.json",
        &v,
        "the checkpoint's signature by tr does not verify",
        "the checkpoint's signature by tr does not verify",
    );

    let ir = lines
        .iter()
        .find(|l| l.starts_with("\u{2014} ir "))
        .unwrap();
    let mut v = good.clone();
    v["checkpoint"] = checkpoint.replacen(ir, &flip(ir, ir.len() - 6), 1).into();
    both_refuse(
        &w,
        "cosignature.json",
        &v,
        "the cosignature by ir does not verify",
        "the cosignature by ir does not verify",
    );

    let mut v = good.clone();
    v["checkpoint"] = checkpoint.replacen(&format!("{ir}\n"), "", 1).into();
    both_refuse(
        &w,
        "missing.json",
        &v,
        "the checkpoint has 1 valid cosignature(s) from the witnesses tr,ru,ir, fewer than the quorum of 2 (only tr)",
        "1 valid cosignature(s) from tr,ru,ir, fewer than the quorum of 2",
    );

    let mut v = good.clone();
    v["key_events"].as_array_mut().unwrap().remove(1);
    both_refuse(
        &w,
        "omitted.json",
        &v,
        "the key history is incomplete or altered: the listed key events' digest is not the checkpoint's accord-keys line (a key event was left out, added or changed)",
        "the key history is incomplete or altered",
    );

    // The untouched bundle still verifies: every refusal above is the
    // tampering's.
    w.accord(&["bundle", "verify", "bundle.json"])
        .assert()
        .success();
}

#[test]
fn a_checkpoint_of_a_fork_is_refused_by_prove_and_in_a_bundle() {
    let w = world();
    // A copy of the ledger cut back to entry 4 diverges at entry 5.
    let fork = w.path("fork");
    std::fs::create_dir(&fork).unwrap();
    for f in std::fs::read_dir(w.ledger()).unwrap() {
        let f = f.unwrap();
        std::fs::copy(f.path(), fork.join(f.file_name())).unwrap();
    }
    w.accord(&["recover", "--to", "4", "--out", "fork-tail.jsonl"])
        .env("ACCORD_LEDGER", &fork)
        .assert()
        .success();
    w.accord(&[
        "clause",
        "propose",
        "--id",
        "C9",
        "--title",
        "Other",
        "--text",
        "Other text.",
        "--key",
        "tr.pem",
    ])
    .env("ACCORD_LEDGER", &fork)
    .assert()
    .success();
    // Witnesses who never saw the real ledger cosign the fork's checkpoint.
    checkpoint(&w, &fork, "forked", &[("tr", "fork-tr"), ("ir", "fork-ir")]);

    let out = w
        .accord(&[
            "prove",
            "--entry",
            "2",
            "--checkpoint",
            "forked",
            "--out",
            "x.json",
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8(out.stderr).unwrap();
    assert!(
        err.contains(
            "has another root than the checkpoint's: the checkpoint is of a fork of this ledger"
        ),
        "{err}"
    );
    assert!(!w.path("x.json").exists());

    let mut v = bundle(&w);
    v["checkpoint"] = std::fs::read_to_string(w.path("forked")).unwrap().into();
    both_refuse(
        &w,
        "fork.json",
        &v,
        "no entry of the bundle is in the tree the checkpoint commits to, the charter included: the checkpoint is of a fork of this ledger",
        "no entry of the bundle is in the tree the checkpoint commits to: the checkpoint is of a fork of this ledger",
    );
}

#[test]
fn the_policy_is_the_readers_and_an_item_proves_all_its_entries() {
    let w = world();
    w.accord(&[
        "bundle",
        "verify",
        "bundle.json",
        "--witnesses",
        "tr,ir",
        "--quorum",
        "2",
    ])
    .assert()
    .success()
    .stdout(contains("policy: 2 of tr,ir"));
    let out = w
        .accord(&[
            "bundle",
            "verify",
            "bundle.json",
            "--witnesses",
            "ru",
            "--quorum",
            "1",
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8(out.stdout)
        .unwrap()
        .contains("0 valid cosignature(s) from the witnesses ru, fewer than the quorum of 1"));
    let (code, text) = python(&w, "bundle.json", &["--witnesses", "ru", "--quorum", "1"]);
    assert_eq!(code, 1, "{text}");

    // The reader may pin the ledger id; without it, the output says to.
    let id = w.json(&["verify", "--json"])["ledger"]
        .as_str()
        .unwrap()
        .to_owned();
    w.accord(&["bundle", "verify", "bundle.json", "--ledger-id", &id])
        .assert()
        .success()
        .stdout(contains("note: judged against").not());
    w.accord(&["bundle", "verify", "bundle.json"])
        .assert()
        .success()
        .stdout(contains("compare the ledger id above with one you trust"));
    let other = "ab".repeat(32);
    let out = w
        .accord(&["bundle", "verify", "bundle.json", "--ledger-id", &other])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8(out.stdout).unwrap().contains(&format!(
        "the bundle is of ledger {id}, not of the expected ledger {other}"
    )));
    assert_eq!(python(&w, "bundle.json", &["--ledger-id", &id]).0, 0);
    assert_eq!(python(&w, "bundle.json", &["--ledger-id", &other]).0, 1);

    // --item C1: its proposal and both endorsements; a later one is left
    // out with a note.
    w.endorse("C1", "un").success();
    w.accord(&[
        "prove",
        "--item",
        "C1",
        "--checkpoint",
        "checkpoint",
        "--out",
        "c1.json",
    ])
    .assert()
    .success()
    .stdout(contains("entries 1, 2, 4"))
    .stdout(contains("left out entries 6 (past the checkpoint)"));
    w.accord(&["bundle", "verify", "c1.json"])
        .assert()
        .success()
        .stdout(contains("VALID bundle: 3 entries"));
    assert_eq!(python(&w, "c1.json", &[]).0, 0);
    let out = w
        .accord(&[
            "prove",
            "--entry",
            "6",
            "--checkpoint",
            "checkpoint",
            "--out",
            "late.json",
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8(out.stderr)
        .unwrap()
        .contains("entry 6 is past the checkpoint (size 6, entries 0 to 5)"));
}

#[test]
fn an_unreadable_or_foreign_file_gets_one_line_and_its_own_code() {
    let w = world();
    for (name, code) in [("nothing-here.json", 3), (".", 3)] {
        let out = w.accord(&["bundle", "verify", name]).output().unwrap();
        assert_eq!(out.status.code(), Some(code), "{name}");
        assert_eq!(String::from_utf8(out.stderr).unwrap().lines().count(), 1);
    }
    std::fs::write(w.path("junk.json"), b"{\"version\": 1}").unwrap();
    let line = refused(&w, "junk.json");
    assert!(line.contains("not a dispute bundle"), "{line}");
    // A checkpoint as the bundle: not JSON.
    let line = refused(&w, "checkpoint");
    assert!(line.contains("not a dispute bundle"), "{line}");
}

#[test]
fn the_format_md_vector_checks_out_with_the_python_checker() {
    let w = World::new();
    std::fs::copy(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/vectors/dispute-bundle.json"),
        w.path("vector.json"),
    )
    .unwrap();
    let (code, text) = python(&w, "vector.json", &[]);
    assert_eq!(code, 0, "{text}");
    assert!(
        text.contains("existed no later than 2017-01-23T11:00:00Z, per ru and tr"),
        "{text}"
    );
    w.accord(&["bundle", "verify", "vector.json"])
        .assert()
        .success()
        .stdout(contains(
            "existed no later than 2017-01-23T11:00:00Z, per ru and tr",
        ));
}
