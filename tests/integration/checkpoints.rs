//! Checkpoints and witnesses end to end: a checkpoint signed by a party and
//! cosigned by two guarantors makes `verify --checkpoint` pass; too few
//! cosignatures, a forged one, one by a non-witness, and a checkpoint of a
//! fork are each refused with one line; a witness refuses a rollback and a
//! fork, and still does after being killed between remembering a
//! checkpoint and releasing its cosignature.

use std::path::Path;

use predicates::str::contains;

use crate::common::World;

/// A founded ledger with one clause proposed (2 entries).
fn world() -> World {
    let w = World::founded();
    w.propose("C1", "tr").success();
    w
}

fn checkpoint(w: &World, signer: &str, out: &str) {
    w.accord(&[
        "checkpoint",
        "--key",
        &format!("{signer}.pem"),
        "--out",
        out,
    ])
    .assert()
    .success()
    .stdout(contains(format!("signed by {signer} written to {out}")));
}

/// `witness` cosigns `input` into `output` with its state in `state`.
fn cosign(w: &World, witness: &str, input: &str, output: &str, state: &str) {
    w.accord(&[
        "witness",
        "cosign",
        input,
        "--key",
        &format!("{witness}.pem"),
        "--state",
        state,
        "--out",
        output,
    ])
    .assert()
    .success()
    .stdout(contains(format!("{witness} cosigned the checkpoint")));
}

/// Runs `witness cosign` expecting a refusal; returns its one error line.
fn refused_cosign(w: &World, ledger: &Path, witness: &str, input: &str, state: &str) -> String {
    let out = w
        .accord(&[
            "witness",
            "cosign",
            input,
            "--key",
            &format!("{witness}.pem"),
            "--state",
            state,
        ])
        .env("ACCORD_LEDGER", ledger)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1), "witness cosign must refuse");
    assert!(out.stdout.is_empty(), "a refusal releases nothing");
    let err = String::from_utf8(out.stderr).unwrap();
    assert_eq!(err.lines().count(), 1, "one line: {err}");
    err
}

/// `verify --checkpoint` expecting a refusal (exit 1); returns stdout.
fn refused_verify(w: &World, args: &[&str]) -> String {
    let mut all = vec!["verify", "--checkpoint"];
    all.extend_from_slice(args);
    let out = w.accord(&all).output().unwrap();
    let stdout = String::from_utf8(out.stdout).unwrap();
    assert_eq!(out.status.code(), Some(1), "verify must exit 1: {stdout}");
    assert!(stdout.contains("CHECKPOINT REFUSED: "), "{stdout}");
    stdout
}

fn read(w: &World, name: &str) -> String {
    std::fs::read_to_string(w.path(name)).unwrap()
}

/// A copy of the ledger directory made now: the same charter and ledger id,
/// to diverge from the original afterwards.
fn fork_copy(w: &World) -> std::path::PathBuf {
    let fork = w.path("fork");
    std::fs::create_dir(&fork).unwrap();
    for f in std::fs::read_dir(w.ledger()).unwrap() {
        let f = f.unwrap();
        std::fs::copy(f.path(), fork.join(f.file_name())).unwrap();
    }
    fork
}

#[test]
fn a_checkpoint_cosigned_by_two_guarantors_verifies_now_and_after_appends() {
    let w = world();
    checkpoint(&w, "un", "cp");
    let body = read(&w, "cp");
    let ledger_id = w.json(&["verify", "--json"])["ledger"]
        .as_str()
        .unwrap()
        .to_owned();
    assert!(
        body.starts_with(&format!("accord/{ledger_id}\n2\n")),
        "{body}"
    );
    assert!(body.contains("\naccord-keys "), "{body}");
    cosign(&w, "tr", "cp", "cp1", "state");
    cosign(&w, "ru", "cp1", "cp2", "state");
    w.accord(&["verify", "--checkpoint", "cp2"])
        .assert()
        .success()
        .stdout(contains("checkpoint trusted: 2 entries"))
        .stdout(contains("signed by un, cosigned by tr at "))
        .stdout(contains(
            "(2 of 2 needed from tr, ru, ir); the ledger equals it",
        ));
    w.endorse("C1", "tr").success();
    w.accord(&["verify", "--checkpoint", "cp2"])
        .assert()
        .success()
        .stdout(contains("the ledger (3 entries) extends it"));
    let v = w.json(&["verify", "--checkpoint", "cp2", "--json"]);
    assert_eq!(v["checkpoint"]["trusted"], true);
    assert_eq!(v["checkpoint"]["cosigners"].as_array().unwrap().len(), 2);
    // --expect-head still works beside it: the true head passes, another
    // hash at the same seq fails the whole verify.
    let head = format!("0:{}", v["ledger"].as_str().unwrap());
    w.accord(&["verify", "--checkpoint", "cp2", "--expect-head", &head])
        .assert()
        .success();
    let wrong = format!("0:{}", "ab".repeat(32));
    w.accord(&["verify", "--checkpoint", "cp2", "--expect-head", &wrong])
        .assert()
        .code(1);
}

#[test]
fn too_few_cosignatures_are_refused_and_the_policy_can_be_chosen() {
    let w = world();
    checkpoint(&w, "un", "cp");
    cosign(&w, "tr", "cp", "cp1", "state");
    let out = refused_verify(&w, &["cp1"]);
    assert!(
        out.contains("1 cosignature(s) by witnesses (tr) where the policy needs 2 of tr, ru, ir"),
        "{out}"
    );
    let out = refused_verify(&w, &["cp"]);
    assert!(
        out.contains("0 cosignature(s) by witnesses (none)"),
        "{out}"
    );
    w.accord(&[
        "verify",
        "--checkpoint",
        "cp1",
        "--witnesses",
        "tr,ir",
        "--quorum",
        "1",
    ])
    .assert()
    .success();
    refused_verify(&w, &["cp1", "--witnesses", "ru,ir", "--quorum", "1"]);
    // A policy naming a stranger is a usage mistake: one line, exit 1, no
    // verdict printed as if the checkpoint were bad.
    w.accord(&["verify", "--checkpoint", "cp1", "--witnesses", "tr,xx"])
        .assert()
        .failure()
        .stderr(contains("witness xx is not a party of the charter"));
}

#[test]
fn a_forged_cosignature_is_refused() {
    let w = world();
    checkpoint(&w, "un", "cp");
    cosign(&w, "tr", "cp", "cp1", "state");
    cosign(&w, "ru", "cp1", "cp2", "state");
    let good = read(&w, "cp2");
    let line = good.lines().find(|l| l.starts_with("— ru ")).unwrap();
    // Change one base64 character inside the 64 signature bytes.
    let at = "— ru ".len() + 60;
    let mut forged_line = line.to_owned();
    let c = if &line[at..=at] == "A" { "B" } else { "A" };
    forged_line.replace_range(at..=at, c);
    std::fs::write(w.path("forged"), good.replace(line, &forged_line)).unwrap();
    let out = refused_verify(&w, &["forged"]);
    assert!(
        out.contains("the cosignature of ru does not verify: the checkpoint was altered or the cosignature forged"),
        "{out}"
    );
    // The party signature forged the same way.
    let line = good.lines().find(|l| l.starts_with("— un ")).unwrap();
    let mut forged_line = line.to_owned();
    let c = if &line[at..=at] == "A" { "B" } else { "A" };
    forged_line.replace_range(at..=at, c);
    std::fs::write(w.path("forged"), good.replace(line, &forged_line)).unwrap();
    let out = refused_verify(&w, &["forged"]);
    assert!(
        out.contains("the signature of un on the checkpoint does not verify"),
        "{out}"
    );
    // And a changed size under intact signatures.
    std::fs::write(w.path("moved"), good.replacen("\n2\n", "\n1\n", 1)).unwrap();
    let out = refused_verify(&w, &["moved"]);
    assert!(
        out.contains("root hash at size 1 is not this ledger's"),
        "{out}"
    );
}

#[test]
fn a_cosignature_by_a_non_witness_does_not_count() {
    let w = world();
    checkpoint(&w, "tr", "cp");
    cosign(&w, "tr", "cp", "cp1", "state");
    // The UN envoy is a party but not a guarantor.
    cosign(&w, "un", "cp1", "cp2", "state");
    let out = refused_verify(&w, &["cp2"]);
    assert!(
        out.contains("the cosignature(s) of un do not count: not witnesses under this policy"),
        "{out}"
    );
    w.accord(&[
        "verify",
        "--checkpoint",
        "cp2",
        "--witnesses",
        "tr,un",
        "--quorum",
        "2",
    ])
    .assert()
    .success();
    // A stranger's key cannot even sign a checkpoint.
    w.accord(&["key", "new", "--out", "stranger.pem"])
        .assert()
        .success();
    w.accord(&["checkpoint", "--key", "stranger.pem"])
        .assert()
        .failure()
        .stderr(contains(
            "the key is not any party's current key in this ledger",
        ));
}

#[test]
fn a_checkpoint_of_a_fork_is_refused_by_verify_and_by_witnesses() {
    let w = world();
    let fork = fork_copy(&w);
    // The fork diverges: another clause at entry 2; the ledger endorses.
    w.endorse("C1", "tr").success();
    w.propose("C2", "ru").success();
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
        "ir.pem",
    ])
    .env("ACCORD_LEDGER", &fork)
    .assert()
    .success();
    w.accord(&["checkpoint", "--key", "ir.pem", "--out", "forked"])
        .env("ACCORD_LEDGER", &fork)
        .assert()
        .success();
    // Witnesses holding the fork cosign it (their own state dirs).
    for (witness, input, output) in [("tr", "forked", "forked1"), ("ru", "forked1", "forked2")] {
        w.accord(&[
            "witness",
            "cosign",
            input,
            "--key",
            &format!("{witness}.pem"),
            "--state",
            "fork-state",
            "--out",
            output,
        ])
        .env("ACCORD_LEDGER", &fork)
        .assert()
        .success();
    }
    w.accord(&["verify", "--checkpoint", "forked2"])
        .env("ACCORD_LEDGER", &fork)
        .assert()
        .success();
    let out = refused_verify(&w, &["forked2"]);
    assert!(
        out.contains("the checkpoint's root hash at size 3 is not this ledger's: the ledger was rewritten, or the checkpoint is from a fork"),
        "{out}"
    );
    // A witness holding the real ledger refuses it from its own copy.
    let err = refused_cosign(&w, &w.ledger(), "ir", "forked", "state");
    assert!(
        err.contains("refusing: the checkpoint's root hash at size 3"),
        "{err}"
    );
    // A checkpoint of another ledger (another charter) names the wrong id.
    let other = World::founded();
    other
        .accord(&["checkpoint", "--key", "un.pem", "--out", "cp"])
        .assert()
        .success();
    std::fs::copy(other.path("cp"), w.path("foreign")).unwrap();
    let out = refused_verify(&w, &["foreign"]);
    assert!(out.contains("the checkpoint is for ledger "), "{out}");
}

/// Witness tr cosigns the real ledger's checkpoint at size 2 (killed right
/// after remembering it, if `kill`), then is shown a fork's checkpoint at
/// size 3 from a copy that diverged at entry 1, then the real one at 3.
fn witness_holds_its_line(kill: bool) {
    let w = World::founded();
    let fork = fork_copy(&w);
    w.propose("C1", "tr").success();
    checkpoint(&w, "un", "cp2");
    if kill {
        let out = w
            .accord(&[
                "witness", "cosign", "cp2", "--key", "tr.pem", "--state", "state", "--out",
                "cp2-tr",
            ])
            .env("ACCORD_CRASH_AT", "witness-persisted")
            .output()
            .unwrap();
        assert!(
            !out.status.success(),
            "the crash point must stop the witness"
        );
        assert!(out.stdout.is_empty(), "nothing released before the kill");
        assert!(!w.path("cp2-tr").exists(), "no cosignature released");
    } else {
        cosign(&w, "tr", "cp2", "cp2-tr", "state");
    }
    // The fork: entries 1 and 2 differ. The witness, given the fork as its
    // copy (so the fork's checkpoint matches that copy), still refuses.
    for id in ["C8", "C9"] {
        w.accord(&[
            "clause",
            "propose",
            "--id",
            id,
            "--title",
            "Other",
            "--text",
            "Other text.",
            "--key",
            "ir.pem",
        ])
        .env("ACCORD_LEDGER", &fork)
        .assert()
        .success();
    }
    w.accord(&["checkpoint", "--key", "ir.pem", "--out", "fork3"])
        .env("ACCORD_LEDGER", &fork)
        .assert()
        .success();
    let err = refused_cosign(&w, &fork, "tr", "fork3", "state");
    assert!(
        err.contains(
            "refusing: this checkpoint is not consistent with the one I cosigned at size 2"
        ),
        "{err}"
    );
    // A rollback to size 1 is refused too.
    w.endorse("C1", "tr").success();
    checkpoint(&w, "un", "cp3");
    // The real ledger's next checkpoint is accepted, against the size the
    // witness remembered (even though the kill kept it from releasing it).
    w.accord(&[
        "witness", "cosign", "cp3", "--key", "tr.pem", "--state", "state", "--out", "cp3-tr",
    ])
    .assert()
    .success()
    .stdout(contains(
        "(consistent with the checkpoint it cosigned at size 2)",
    ));
    let rollback = refused_cosign(&w, &w.ledger(), "tr", "cp2", "state");
    assert!(
        rollback.contains("cosigned at size 3 (it is smaller, size 2"),
        "{rollback}"
    );
}

#[test]
fn a_witness_refuses_a_fork_and_a_rollback() {
    witness_holds_its_line(false);
}

#[test]
fn a_witness_killed_after_remembering_still_refuses_a_fork_and_accepts_the_ledger() {
    witness_holds_its_line(true);
}

#[test]
fn a_checkpoint_file_that_is_not_a_note_gets_one_line() {
    let w = world();
    std::fs::write(w.path("junk"), "not a checkpoint\n").unwrap();
    let out = refused_verify(&w, &["junk"]);
    assert!(out.contains("junk is not a signed checkpoint"), "{out}");
    w.accord(&[
        "witness", "cosign", "junk", "--key", "tr.pem", "--state", "s",
    ])
    .assert()
    .code(1)
    .stderr(contains("junk is not a signed checkpoint: malformed note"));
    // A file that cannot be read: verify could not check (3).
    w.accord(&["verify", "--checkpoint", "missing"])
        .assert()
        .code(3);
}

#[test]
fn a_copy_behind_the_checkpoint_could_not_check_it() {
    let w = World::founded();
    let behind = fork_copy(&w);
    w.propose("C1", "tr").success();
    checkpoint(&w, "un", "cp");
    cosign(&w, "tr", "cp", "cp1", "state");
    cosign(&w, "ru", "cp1", "cp2", "state");
    // Nothing is known to be wrong with a copy that is only behind: exit 3.
    w.accord(&["verify", "--checkpoint", "cp2"])
        .env("ACCORD_LEDGER", &behind)
        .assert()
        .code(3)
        .stderr(contains(
            "the checkpoint covers 2 entries but this copy has only 1",
        ));
    w.accord(&["verify", "--checkpoint", "cp2"])
        .assert()
        .success();
}
