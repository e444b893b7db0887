//! Tampered ledgers: flipped bytes, reordered, removed, forged, foreign,
//! replayed and shifted entries fail `verify` at the entry concerned;
//! `--expect-head` and `verify --against` catch a truncated tail, a
//! rewritten head and equivocation; appends refuse a ledger whose derived
//! data and entries disagree.

use crate::common::{built, one_line_error, with_entries, with_tree, World};
use predicates::str::contains;

#[test]
fn a_flipped_byte_in_any_entry_fails_verify_at_that_seq() {
    let w = built();
    let raw = w.raw_entries();
    for (key, bytes) in &raw {
        let seq = u64::from_be_bytes(key.as_slice().try_into().unwrap());
        // Flip a byte in the header, the event and the signature.
        for at in [20, bytes.len() / 2, bytes.len() - 5] {
            with_entries(&w.ledger(), |t| {
                let mut damaged = bytes.clone();
                damaged[at] ^= 0x10;
                t.insert(key, damaged).unwrap();
            });
            assert_eq!(w.first_bad().0, seq, "byte {at} of entry {seq}");
            let out = w.accord(&["verify"]).output().unwrap();
            assert!(String::from_utf8(out.stdout)
                .unwrap()
                .contains(&format!("INVALID: entry {seq}")));
            with_entries(&w.ledger(), |t| t.insert(key, bytes.clone()).unwrap());
        }
    }
    w.accord(&["verify"]).assert().success();
}

#[test]
fn reordered_entries_fail_verify() {
    let w = built();
    let raw = w.raw_entries();
    with_entries(&w.ledger(), |t| {
        t.insert(&raw[3].0, raw[4].1.clone()).unwrap();
        t.insert(&raw[4].0, raw[3].1.clone()).unwrap();
    });
    let (seq, reason) = w.first_bad();
    assert_eq!(seq, 3, "{reason}");
}

#[test]
fn an_entry_removed_from_the_middle_fails_verify() {
    let w = built();
    with_entries(&w.ledger(), |t| t.remove(4u64.to_be_bytes()).unwrap());
    assert_eq!(w.first_bad(), (4, "entry is missing".to_owned()));
}

#[test]
fn a_forged_entry_fails_verify() {
    let w = built();
    let raw = w.raw_entries();
    let (key, bytes) = raw[3].clone();
    let sealed = accord_core::Sealed::from_bytes(bytes.clone()).unwrap();
    assert_eq!(sealed.entry.body.author.party.as_str(), "ru");
    // Russia's endorsement with the claimed author and key id left as they
    // were, signed by: an outsider's junk; Turkey, a charter party, whose
    // signature over this very body is valid (under Turkey's key).
    let tr = accord_core::crypto::private_key_from_pem(
        &std::fs::read_to_string(w.path("tr.pem")).unwrap(),
    )
    .unwrap();
    let by_turkey = accord_core::crypto::sign(&tr, &sealed.signing_input());
    assert!(accord_core::crypto::verify(
        &accord_core::crypto::public_key(&tr),
        &sealed.signing_input(),
        &by_turkey
    ));
    for signature in [[7u8; 64], by_turkey.to_bytes()] {
        let mut forged = bytes.clone();
        let n = forged.len();
        forged[n - 64..].copy_from_slice(&signature);
        with_entries(&w.ledger(), |t| t.insert(&key, forged).unwrap());
        let (seq, reason) = w.first_bad();
        assert_eq!(seq, 3);
        assert!(reason.contains("signature"), "{reason}");
        assert_eq!(
            w.json(&["show", "3", "--json"])["signature_status"],
            "invalid"
        );
    }
    with_entries(&w.ledger(), |t| t.insert(&key, &bytes).unwrap());
    w.accord(&["verify"]).assert().success();
}

#[test]
fn appends_refuse_a_ledger_whose_derived_state_is_damaged_and_whose_entries_disagree() {
    let w = built();
    // Damage an entry and the derived state: the append must rebuild from
    // the entries, find the damage and refuse.
    let raw = w.raw_entries();
    with_entries(&w.ledger(), |t| {
        let mut b = raw[2].1.clone();
        b[40] ^= 1;
        t.insert(&raw[2].0, b).unwrap();
    });
    with_tree(&w.ledger(), "derived", |t| {
        t.insert("chain", &b"junk"[..]).unwrap();
    });
    let e = one_line_error(w.propose("C3", "tr"));
    assert!(e.contains("damaged at entry 2"), "{e}");
}

#[test]
fn expect_head_catches_a_truncated_tail_and_a_rewritten_head() {
    let w = built();
    let v = w.json(&["verify", "--json"]);
    let head = format!(
        "{}:{}",
        v["head"]["seq"],
        v["head"]["hash"].as_str().unwrap()
    );
    w.accord(&["verify", "--expect-head", &head])
        .assert()
        .success();

    // Drop the last entry: on its own the ledger still verifies, but not
    // against the head saved earlier.
    let raw = w.raw_entries();
    let (last_key, last_bytes) = raw.last().unwrap().clone();
    with_entries(&w.ledger(), |t| t.remove(&last_key).unwrap());
    w.accord(&["verify"]).assert().success();
    let out = w
        .accord(&["verify", "--json", "--expect-head", &head])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let r: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(r["first_bad"]["seq"], v["head"]["seq"]);
    assert!(r["first_bad"]["reason"]
        .as_str()
        .unwrap()
        .contains("missing from its tail"));
    with_entries(&w.ledger(), |t| t.insert(&last_key, last_bytes).unwrap());

    // A head with another hash at that seq.
    let forged = format!("{}:{}", v["head"]["seq"], "ab".repeat(32));
    let out = w
        .accord(&["verify", "--expect-head", &forged])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.contains("not the expected"), "{text}");
    // The count is of the entries before the bad one, in text and JSON.
    let seq = v["head"]["seq"].as_u64().unwrap();
    assert!(
        text.contains(&format!("\n{seq} entries before it verified")),
        "{text}"
    );
    // An earlier seq with the head's hash: the entries after it passed
    // their checks, but only those before it count as verified.
    let early = format!("1:{}", v["head"]["hash"].as_str().unwrap());
    let r = w.json(&["verify", "--json", "--expect-head", &early]);
    assert_eq!(
        (r["valid"].as_bool(), r["verified"].as_u64()),
        (Some(false), Some(1)),
        "{r}"
    );
    assert_eq!(r["first_bad"]["seq"], 1, "{r}");

    let e = one_line_error(w.accord(&["verify", "--expect-head", "12"]).assert());
    assert!(e.contains("SEQ:HASH"), "{e}");
}

#[test]
fn verify_against_another_copy_proves_equivocation() {
    // Two copies of one ledger diverge: Russia signs a different entry as
    // its first in each copy.
    let w = World::founded();
    w.propose("C1", "tr").success();
    let fork = w.path("fork");
    fn copy_dir(from: &std::path::Path, to: &std::path::Path) {
        std::fs::create_dir_all(to).unwrap();
        for item in std::fs::read_dir(from).unwrap() {
            let item = item.unwrap();
            let target = to.join(item.file_name());
            if item.file_type().unwrap().is_dir() {
                copy_dir(&item.path(), &target);
            } else {
                std::fs::copy(item.path(), target).unwrap();
            }
        }
    }
    copy_dir(&w.ledger(), &fork);
    w.endorse("C1", "ru").success();
    w.accord(&[
        "--ledger",
        "fork",
        "clause",
        "propose",
        "--id",
        "C2",
        "--title",
        "t",
        "--text",
        "Other text.",
        "--key",
        "ru.pem",
    ])
    .assert()
    .success();
    w.accord(&["--ledger", "fork", "export", "--out", "fork.jsonl"])
        .assert()
        .success();
    w.accord(&["export", "--out", "main.jsonl"])
        .assert()
        .success();

    let out = w
        .accord(&["verify", "--against", "fork.jsonl", "--json"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let eq = v["equivocations"].as_array().unwrap();
    assert_eq!(eq.len(), 1);
    assert_eq!(eq[0]["author"], "ru");
    assert_eq!(eq[0]["author_seq"], 1);
    assert_eq!(eq[0]["here"]["kind"], "clause-endorsed");
    assert_eq!(eq[0]["there"]["kind"], "clause-proposed");
    w.accord(&["verify", "--against", "fork.jsonl"])
        .assert()
        .code(1)
        .stdout(contains("EQUIVOCATION: ru"));
    // A copy compared with its own export shows none.
    w.accord(&["verify", "--against", "main.jsonl"])
        .assert()
        .success()
        .stdout(contains("no equivocation"));
}

#[test]
fn tamper_matrix_foreign_replayed_and_shifted_entries() {
    // An entry replaced by a validly signed entry from another ledger with
    // the same charter and keys.
    let w = built();
    let other = World {
        dir: tempfile::tempdir().unwrap(),
    };
    for f in [
        "charter.toml",
        "tr.pem",
        "tr.pem.pub",
        "ru.pem",
        "ru.pem.pub",
        "ir.pem",
        "ir.pem.pub",
        "un.pem",
        "un.pem.pub",
        "gov.pem",
        "gov.pem.pub",
        "opp.pem",
        "opp.pem.pub",
        "mon.pem",
        "mon.pem.pub",
        "us.pem",
        "us.pem.pub",
    ] {
        std::fs::copy(w.path(f), other.path(f)).unwrap();
    }
    other
        .accord(&[
            "--time",
            "2020-01-01T00:00:00Z",
            "init",
            "--charter",
            "charter.toml",
            "--key",
            "un.pem",
        ])
        .assert()
        .success();
    other.propose("C1", "tr").success();
    let foreign = other.raw_entries()[1].1.clone();
    let raw = w.raw_entries();
    with_entries(&w.ledger(), |t| {
        t.insert(&raw[1].0, foreign.clone()).unwrap()
    });
    let (seq, reason) = w.first_bad();
    assert_eq!(seq, 1);
    assert!(reason.contains("another ledger"), "{reason}");
    with_entries(&w.ledger(), |t| {
        t.insert(&raw[1].0, raw[1].1.clone()).unwrap()
    });

    // A replayed entry: an earlier signed entry stored again at the tail.
    let next = (raw.len() as u64).to_be_bytes();
    with_entries(&w.ledger(), |t| t.insert(next, raw[2].1.clone()).unwrap());
    let (seq, reason) = w.first_bad();
    assert_eq!(seq, raw.len() as u64);
    assert!(reason.contains("says seq 2"), "{reason}");
    with_entries(&w.ledger(), |t| t.remove(next).unwrap());

    // History shifted to hide an entry: entry 3 removed and the later ones
    // moved down one seq. Each moved entry's signature covers its own seq,
    // previous hash and seen head, so the first moved one is named.
    with_entries(&w.ledger(), |t| {
        for i in 3..raw.len() - 1 {
            t.insert(&raw[i].0, raw[i + 1].1.clone()).unwrap();
        }
        t.remove(&raw[raw.len() - 1].0).unwrap();
    });
    let (seq, reason) = w.first_bad();
    assert_eq!(seq, 3, "{reason}");
}
