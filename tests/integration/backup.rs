//! Backup and repair: export then import rebuilds an identical ledger, a
//! damaged ledger is rebuilt from another party's export, import refuses
//! any bad line and creates nothing, and `doctor` rebuilds derived data
//! that disagrees with the entries.

use crate::common::{built, one_line_error, with_entries, with_tree};
use predicates::str::contains;

#[test]
fn export_then_import_rebuilds_an_identical_ledger() {
    let w = built();
    w.accord(&["export", "--out", "backup.jsonl"])
        .assert()
        .success();
    let text = std::fs::read_to_string(w.path("backup.jsonl")).unwrap();
    let header: serde_json::Value = serde_json::from_str(text.lines().next().unwrap()).unwrap();
    assert_eq!(header["format"], "accord-export");
    assert_eq!(text.lines().count(), w.entry_list().len() + 1);
    // stdout and --out agree.
    let piped = w.accord(&["export"]).output().unwrap().stdout;
    assert_eq!(String::from_utf8(piped).unwrap(), text);

    let expected = format!("imported and verified {} entries", w.entry_list().len());
    w.accord(&["--ledger", "copy", "import", "backup.jsonl"])
        .assert()
        .success()
        .stdout(contains(expected));
    let original = w.entry_list();
    let copy: Vec<(u64, String)> = {
        let out = w
            .accord(&["--ledger", "copy", "log", "--json"])
            .output()
            .unwrap();
        String::from_utf8(out.stdout)
            .unwrap()
            .lines()
            .map(|l| {
                let v: serde_json::Value = serde_json::from_str(l).unwrap();
                (
                    v["seq"].as_u64().unwrap(),
                    v["hash"].as_str().unwrap().to_owned(),
                )
            })
            .collect()
    };
    assert_eq!(copy, original);
    // The copy is a working ledger.
    w.accord(&[
        "--ledger", "copy", "clause", "propose", "--id", "C9", "--title", "t", "--text", "x",
        "--key", "tr.pem",
    ])
    .assert()
    .success();
    // A ledger that exists is not overwritten.
    let e = one_line_error(
        w.accord(&["--ledger", "copy", "import", "backup.jsonl"])
            .assert(),
    );
    assert!(e.contains("already holds a ledger"), "{e}");
}

#[test]
fn a_damaged_ledger_is_rebuilt_from_another_partys_export() {
    let w = built();
    w.accord(&["export", "--out", "ru-copy.jsonl"])
        .assert()
        .success();
    let raw = w.raw_entries();
    with_entries(&w.ledger(), |t| {
        let mut b = raw[3].1.clone();
        b[50] ^= 4;
        t.insert(&raw[3].0, b).unwrap();
    });
    assert_eq!(w.first_bad().0, 3);
    let e = one_line_error(w.accord(&["export", "--out", "bad.jsonl"]).assert());
    assert!(e.contains("damaged at entry 3"), "{e}");
    assert!(!w.path("bad.jsonl").exists() && !w.path(".bad.jsonl.partial").exists());
    w.accord(&["--ledger", "rebuilt", "import", "ru-copy.jsonl"])
        .assert()
        .success();
    w.accord(&["--ledger", "rebuilt", "verify"])
        .assert()
        .success();
}

#[test]
fn import_refuses_any_bad_line_and_creates_nothing() {
    let w = built();
    w.accord(&["export", "--out", "x.jsonl"]).assert().success();
    let good = std::fs::read_to_string(w.path("x.jsonl")).unwrap();
    let lines: Vec<&str> = good.lines().collect();
    let mut swapped = lines.clone();
    swapped.swap(3, 4);
    let mut flipped: serde_json::Value = serde_json::from_str(lines[5]).unwrap();
    let b64 = flipped["entry"].as_str().unwrap().to_owned();
    let replacement = if b64.as_bytes()[40] == b'A' { "B" } else { "A" };
    flipped["entry"] = serde_json::json!(format!("{}{}{}", &b64[..40], replacement, &b64[41..]));
    let mut corrupted = lines.iter().map(|s| s.to_string()).collect::<Vec<_>>();
    corrupted[5] = flipped.to_string();
    let cases: Vec<(String, &str)> = vec![
        (swapped.join("\n"), "out of sequence"),
        (corrupted.join("\n"), "line 6"),
        (lines[1..].join("\n"), "header"),
        (
            lines[..4]
                .join("\n")
                .replace("\"entry\":\"", "\"entry\":\"!"),
            "base64",
        ),
        ("not json\n".into(), "line 1: not JSON"),
        (String::new(), "no entries"),
    ];
    for (i, (text, expect)) in cases.into_iter().enumerate() {
        let file = format!("bad{i}.jsonl");
        std::fs::write(w.path(&file), text).unwrap();
        let target = format!("target{i}");
        let e = one_line_error(w.accord(&["--ledger", &target, "import", &file]).assert());
        assert!(e.contains(expect), "case {i}: {e} should say {expect:?}");
        assert!(!w.path(&target).exists(), "case {i} created a ledger");
    }
    let leftovers: Vec<_> = std::fs::read_dir(w.dir.path())
        .unwrap()
        .filter_map(|e| e.ok())
        .filter(|e| e.file_name().to_string_lossy().contains("importing"))
        .collect();
    assert!(leftovers.is_empty(), "scratch directories left behind");
}

#[test]
fn doctor_rebuilds_derived_data_that_disagrees_with_the_entries() {
    let w = built();
    with_tree(&w.ledger(), "derived", |t| {
        t.insert("chain", &b"stale"[..]).unwrap();
        t.insert("clause/C1", &b"garbage"[..]).unwrap();
    });
    w.accord(&["doctor"])
        .assert()
        .success()
        .stdout(contains("rebuilt derived data from 7 verified entries"));
    let derived_c1 = with_tree(&w.ledger(), "derived", |t| {
        t.get("clause/C1").unwrap().unwrap().to_vec()
    });
    assert_ne!(derived_c1, b"garbage");
    w.endorse("C2", "tr").success();
    // A damaged entry is not papered over.
    let raw = w.raw_entries();
    with_entries(&w.ledger(), |t| {
        let mut b = raw[2].1.clone();
        b[30] ^= 1;
        t.insert(&raw[2].0, b).unwrap();
    });
    let e = one_line_error(w.accord(&["doctor"]).assert());
    assert!(e.contains("damaged at entry 2"), "{e}");
}
