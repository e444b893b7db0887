//! End-to-end tests of the reliability promises (docs/SECURITY.md, the
//! hostile-input table): no party can brick a ledger, verify's exit codes
//! tell an invalid ledger from one that could not be checked, and a ledger
//! that is invalid anyway can be recovered without losing anything.

use std::time::{SystemTime, UNIX_EPOCH};

use crate::common::{one_line_error, with_entries, with_tree, World};
use accord_core::{ClauseId, Event};
use accord_ledger::{synth, Backend, Ledger};
use serde_json::Value;

fn now() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64
}

/// A founded world with clause C1 adopted by the three guarantors and
/// commitment K1 made by gov under it.
fn committed() -> World {
    let w = World::founded();
    w.propose("C1", "tr").success();
    for g in ["tr", "ru", "ir"] {
        w.endorse("C1", g).success();
    }
    w.accord(&[
        "commit",
        "--id",
        "K1",
        "--clause",
        "C1",
        "--text",
        "Hold the line.",
        "--key",
        "gov.pem",
    ])
    .assert()
    .success();
    w
}

fn allege_naming(w: &World, commitments: &[&str]) -> assert_cmd::assert::Assert {
    let mut args = vec![
        "allege",
        "--id",
        "A1",
        "--against",
        "gov",
        "--occurred",
        "2020-01-01T00:00:00Z",
        "--location",
        "Valley",
        "--summary",
        "Shelling.",
        "--key",
        "opp.pem",
    ];
    for k in commitments {
        args.extend(["--commitment", k]);
    }
    w.accord(&args).assert()
}

#[test]
fn a_list_too_long_or_with_repeats_is_refused_and_the_ledger_stays_usable() {
    let w = committed();
    let before = w.entry_list();
    let many = vec!["K1"; 300];
    let err = one_line_error(allege_naming(&w, &many));
    assert!(err.contains("at most 256"), "{err}");
    let err = one_line_error(allege_naming(&w, &["K1", "K1"]));
    assert!(err.contains("K1 is named more than once"), "{err}");
    assert_eq!(w.entry_list(), before);
    w.accord(&["verify"]).assert().code(0);
    allege_naming(&w, &["K1"]).success();
    w.accord(&["verify"]).assert().code(0);
}

#[test]
fn verify_exit_codes_tell_invalid_from_could_not_check() {
    let w = World::new();
    // No ledger: could not check.
    let out = w.accord(&["verify"]).assert().code(3);
    one_line_error(out);
    let w = committed();
    w.accord(&["verify"]).assert().code(0);
    // A flipped byte in entry 2's stored bytes: invalid.
    with_entries(&w.ledger(), |t| {
        let key = 2u64.to_be_bytes();
        let mut bytes = t.get(key).unwrap().unwrap();
        let mid = bytes.len() / 2;
        bytes[mid] ^= 1;
        t.insert(key, bytes).unwrap();
    });
    let out = w.accord(&["verify", "--json"]).output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["first_bad"]["seq"], 2);
    assert_eq!(v["first_bad"]["kind"], "invalid");
}

#[test]
fn verify_against_refuses_an_empty_or_header_only_file_and_expect_head_with_it() {
    let w = committed();
    std::fs::write(w.path("empty.jsonl"), "").unwrap();
    let err = one_line_error(
        w.accord(&["verify", "--against", "empty.jsonl"])
            .assert()
            .code(3),
    );
    assert!(err.contains("holds no entries"), "{err}");
    let genesis = &w.entry_list()[0].1;
    std::fs::write(
        w.path("header.jsonl"),
        format!("{{\"format\":\"accord-export\",\"version\":1,\"ledger\":\"{genesis}\"}}\n"),
    )
    .unwrap();
    w.accord(&["verify", "--against", "header.jsonl"])
        .assert()
        .code(3);
    w.accord(&["export", "--out", "copy.jsonl"])
        .assert()
        .success();
    w.accord(&["verify", "--against", "copy.jsonl"])
        .assert()
        .code(0);
    // Both at once was silently half-done; now it is a usage error.
    w.accord(&[
        "verify",
        "--against",
        "copy.jsonl",
        "--expect-head",
        &format!("0:{genesis}"),
    ])
    .assert()
    .code(2);
}

#[test]
fn an_entry_from_the_future_is_a_distinct_finding_refused_by_import_and_recoverable() {
    let w = World::new();
    let t = now();
    {
        let mut l = Ledger::create(
            &w.ledger(),
            Backend::Redb,
            synth::charter(),
            &synth::key(0),
            t,
        )
        .unwrap();
        let later = t + 86_400;
        let event = Event::ClauseProposed {
            id: ClauseId::new("C1").unwrap(),
            title: "Title".into(),
            text: "Text.".into(),
        };
        // A signer whose clock runs a day ahead.
        l.append(&synth::key(0), later, later, event).unwrap();
    }
    let out = w.accord(&["verify"]).output().unwrap();
    assert_eq!(out.status.code(), Some(4));
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.contains("FUTURE-DATED: entry 1"), "{text}");
    let v = w.json(&["verify", "--json"]);
    assert_eq!(v["valid"], true);
    assert_eq!(v["future"]["seq"], 1);

    w.accord(&["export", "--out", "all.jsonl"])
        .assert()
        .success();
    let err = one_line_error(
        w.accord(&["--ledger", "copy", "import", "all.jsonl"])
            .assert()
            .code(1),
    );
    assert!(err.contains("entry 1 claims time"), "{err}");
    assert!(!w.path("copy").exists());

    w.accord(&["recover", "--to", "0", "--out", "dropped.jsonl"])
        .assert()
        .success();
    w.accord(&["verify"]).assert().code(0);
    assert_eq!(w.entry_list().len(), 1);
    let dropped = std::fs::read_to_string(w.path("dropped.jsonl")).unwrap();
    let lines: Vec<Value> = dropped
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines.len(), 2, "{dropped}");
    assert_eq!(lines[0]["dropped_after"], 0);
    assert_eq!(lines[1]["seq"], 1);
    assert_eq!(lines[1]["kind"], "clause-proposed");
    let backups: Vec<_> = std::fs::read_dir(w.dir.path())
        .unwrap()
        .filter_map(|e| {
            let name = e.unwrap().file_name().to_string_lossy().into_owned();
            name.starts_with("ledger.before-recover-").then_some(name)
        })
        .collect();
    assert_eq!(backups.len(), 1, "{backups:?}");
    let old = Ledger::open(&w.path(&backups[0])).unwrap();
    assert_eq!(old.last_seq().unwrap(), 1);
}

#[test]
fn recover_keeps_the_good_prefix_and_sets_every_later_entry_aside() {
    let w = committed();
    let before = w.entry_list();
    let last = before.len() as u64 - 1;
    with_entries(&w.ledger(), |t| {
        let key = 3u64.to_be_bytes();
        let mut bytes = t.get(key).unwrap().unwrap();
        bytes[20] ^= 0xff;
        t.insert(key, bytes).unwrap();
    });
    assert_eq!(w.first_bad().0, 3);
    // Refuses to keep a bad entry, and refuses to overwrite a file.
    one_line_error(
        w.accord(&["recover", "--to", "3", "--out", "d.jsonl"])
            .assert(),
    );
    std::fs::write(w.path("exists.jsonl"), "mine").unwrap();
    one_line_error(w.accord(&["recover", "--out", "exists.jsonl"]).assert());
    assert_eq!(
        std::fs::read_to_string(w.path("exists.jsonl")).unwrap(),
        "mine"
    );

    w.accord(&["recover", "--out", "d.jsonl"])
        .assert()
        .success();
    w.accord(&["verify"]).assert().code(0);
    assert_eq!(w.entry_list(), before[..3].to_vec());
    let kept = std::fs::read_to_string(w.path("d.jsonl")).unwrap();
    let lines: Vec<Value> = kept
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines.len() as u64, 1 + last - 2);
    assert_eq!(lines[1]["seq"], 3);
    assert!(lines[1]["entry"].is_string());
    for (line, (seq, hash)) in lines[2..].iter().zip(&before[4..]) {
        assert_eq!(line["seq"], *seq);
        assert_eq!(line["hash"], hash.as_str());
    }
    // The ledger takes appends again.
    w.propose("C9", "tr").success();
}

#[test]
fn doctor_check_reports_edited_derived_data_and_doctor_says_what_it_repaired() {
    let w = committed();
    let out = w.accord(&["doctor", "--check"]).assert().code(0);
    let text = String::from_utf8(out.get_output().stdout.clone()).unwrap();
    assert!(text.contains(": 0 difference(s)"), "{text}");
    // Forge derived data: drop K1 from the index of live items, and plant a
    // key the entries never give.
    with_tree(&w.ledger(), "derived", |t| {
        t.remove(b"live/commitment/K1").unwrap();
        t.insert(b"planted", b"x").unwrap();
    });
    let v = w.json(&["doctor", "--check", "--json"]);
    let diffs = v["differences"].as_array().unwrap();
    assert!(
        diffs
            .iter()
            .any(|d| d["difference"] == "extra" && d["key"] == "planted"),
        "{v}"
    );
    assert!(
        diffs
            .iter()
            .any(|d| d["difference"] == "missing" && d["key"].as_str().unwrap().contains("K1")),
        "{v}"
    );
    w.accord(&["doctor", "--check"]).assert().code(1);
    let out = w.accord(&["doctor"]).assert().success();
    let text = String::from_utf8(out.get_output().stdout.clone()).unwrap();
    assert!(text.contains("repaired: planted"), "{text}");
    w.accord(&["doctor", "--check"]).assert().code(0);
}

#[test]
fn import_refuses_endless_and_overlong_lines_and_names_an_empty_file() {
    let w = World::new();
    let err = one_line_error(w.accord(&["import", "/dev/zero"]).assert().code(1));
    assert!(
        err.contains("line 1") && err.contains("longer than"),
        "{err}"
    );
    std::fs::write(w.path("long.jsonl"), vec![b'x'; 3 << 20]).unwrap();
    let err = one_line_error(w.accord(&["import", "long.jsonl"]).assert().code(1));
    assert!(
        err.contains("line 1") && err.contains("longer than"),
        "{err}"
    );
    std::fs::write(w.path("empty.jsonl"), "").unwrap();
    let err = one_line_error(w.accord(&["import", "empty.jsonl"]).assert().code(1));
    assert!(
        err.contains("holds no entries") && !err.contains("damaged"),
        "{err}"
    );
    assert!(!w.ledger().exists());
}

#[test]
fn an_empty_accord_time_means_now() {
    let w = World::founded();
    w.accord(&[
        "clause", "propose", "--id", "C1", "--title", "T", "--text", "X.", "--key", "tr.pem",
    ])
    .env("ACCORD_TIME", "")
    .assert()
    .success();
}

#[test]
fn recover_works_when_the_first_bad_entry_does_not_even_decode() {
    let w = committed();
    let before = w.entry_list();
    with_entries(&w.ledger(), |t| {
        t.insert(3u64.to_be_bytes(), vec![0xff; 7]).unwrap();
    });
    assert_eq!(w.first_bad().0, 3);
    // The kept entries must not go inside the directory being renamed.
    let inside = w.ledger().join("d.jsonl");
    let err = one_line_error(
        w.accord(&["recover", "--out", inside.to_str().unwrap()])
            .assert(),
    );
    assert!(err.contains("inside the ledger directory"), "{err}");
    w.accord(&["recover", "--out", "d.jsonl"])
        .assert()
        .success();
    w.accord(&["verify"]).assert().code(0);
    assert_eq!(w.entry_list(), before[..3].to_vec());
    let kept = std::fs::read_to_string(w.path("d.jsonl")).unwrap();
    let third: Value = serde_json::from_str(kept.lines().nth(1).unwrap()).unwrap();
    assert_eq!(third["seq"], 3);
    assert_eq!(third["entry"], "/////////w==");
    assert!(third["undecodable"].is_string(), "{third}");
}

#[test]
fn a_text_file_with_windows_line_ends_is_stored_with_newlines_only() {
    let w = World::founded();
    std::fs::write(w.path("clause.txt"), "First line.\r\nSecond line.\r\n").unwrap();
    w.accord(&[
        "clause",
        "propose",
        "--id",
        "C1",
        "--title",
        "T",
        "--text-file",
        "clause.txt",
        "--key",
        "tr.pem",
    ])
    .assert()
    .success();
    let v = w.json(&["show", "1", "--json"]);
    assert_eq!(v["event"]["text"], "First line.\nSecond line.\n", "{v}");
}
