//! The command line's everyday surface: the propose, endorse, adopt, log,
//! show and verify round trip, explicit times, arguments that are not
//! UTF-8, and no progress bar when standard error is not a terminal.

use crate::common::{one_line_error, World};
use predicates::str::contains;

#[test]
fn propose_endorse_adopt_log_show_verify() {
    let w = World::founded();
    w.propose("C1", "tr").success().stdout(contains("entry 1"));
    w.endorse("C1", "tr")
        .success()
        .stdout(contains("not yet adopted"));
    w.endorse("C1", "ru").success();
    w.endorse("C1", "ir")
        .success()
        .stdout(contains("now adopted"));
    // A late endorsement (docs/DOMAIN.md, Clauses) is recorded and said so.
    w.endorse("C1", "un").success().stdout(contains(
        "clause C1 was already adopted at entry 4; this late endorsement is recorded",
    ));

    let list = w.entry_list();
    assert_eq!(
        list.iter().map(|(s, _)| *s).collect::<Vec<_>>(),
        [0, 1, 2, 3, 4, 5]
    );

    let text = w.accord(&["log"]).output().unwrap();
    let text = String::from_utf8(text.stdout).unwrap();
    assert_eq!(text.lines().count(), 6);
    assert!(text.lines().nth(1).unwrap().contains("clause-proposed"));

    let show = w.json(&["show", "2", "--json"]);
    assert_eq!(show["seq"], 2);
    assert_eq!(show["author"]["party"], "tr");
    assert_eq!(show["author_seq"], 2);
    assert_eq!(show["event"]["kind"], "clause-endorsed");
    assert_eq!(show["event"]["proposal"].as_str().unwrap(), list[1].1);
    assert_eq!(show["prev"].as_str().unwrap(), list[1].1);
    assert_eq!(show["hash"].as_str().unwrap(), list[2].1);
    assert_eq!(show["signature_status"], "valid");

    let genesis = w.json(&["show", "0", "--json"]);
    assert_eq!(
        genesis["event"]["charter"]["parties"]
            .as_array()
            .unwrap()
            .len(),
        8
    );
    assert_eq!(
        genesis["event"]["charter"]["rules"]["clause_adoption"],
        "all-guarantors"
    );

    let v = w.json(&["verify", "--json"]);
    assert_eq!(v["valid"], true);
    assert_eq!(v["verified"], 6);
    assert_eq!(
        v["ledger"].as_str().unwrap(),
        list[0].1,
        "ledger id is entry 0's hash"
    );
    assert_eq!(v["head"]["hash"].as_str().unwrap(), list[5].1);
    w.accord(&["verify"])
        .assert()
        .success()
        .stdout(contains("valid: 6 entries"));
}

#[test]
fn explicit_time_is_recorded_and_may_not_go_backwards() {
    let w = World::new();
    w.accord(&[
        "--time",
        "2017-01-23T09:00:00Z",
        "init",
        "--charter",
        "charter.toml",
        "--key",
        "un.pem",
    ])
    .assert()
    .success();
    w.accord(&[
        "--time",
        "2017-01-24T10:00:00Z",
        "clause",
        "propose",
        "--id",
        "C1",
        "--title",
        "t",
        "--text",
        "x",
        "--key",
        "tr.pem",
    ])
    .assert()
    .success();
    assert_eq!(
        w.json(&["show", "1", "--json"])["time"],
        "2017-01-24T10:00:00Z"
    );
    let before = w.entry_list();
    // Refused claimed times: (time, what the one line says).
    let refused = [
        ("2017-01-23T10:00:00Z", "before the previous entry"),
        ("2999-01-01T00:00:00Z", "ahead of this machine's clock"),
        ("last tuesday", "RFC 3339"),
    ];
    for (time, expect) in refused {
        let e = one_line_error(
            w.accord(&["--time", time, "clause", "endorse", "C1", "--key", "tr.pem"])
                .assert(),
        );
        assert!(
            e.contains(expect),
            "--time {time:?}: {e} should say {expect:?}"
        );
    }
    assert_eq!(w.entry_list(), before);
}

#[test]
fn invalid_utf8_arguments_are_a_usage_error_not_a_panic() {
    use std::os::unix::ffi::OsStrExt;
    let w = World::founded();
    let bad = std::ffi::OsStr::from_bytes(b"C\xff1");
    let out = w
        .accord(&[
            "clause", "propose", "--title", "t", "--text", "x", "--key", "tr.pem", "--id",
        ])
        .arg(bad)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("invalid UTF-8") && !err.contains("panicked"),
        "{err}"
    );
    assert_eq!(w.entry_list().len(), 1);
}

#[test]
fn long_runs_draw_no_progress_bar_when_standard_error_is_not_a_terminal() {
    // Large enough that a terminal would get progress bars.
    let w = World::new();
    w.accord(&["dev", "synth", "--entries", "25000"])
        .assert()
        .success();
    let export = w.path("all.jsonl");
    for args in [
        vec!["verify"],
        vec!["verify", "--json"],
        vec!["export", "--out", export.to_str().unwrap()],
    ] {
        w.accord(&args).assert().success().stderr("");
    }
    w.accord(&[
        "--ledger",
        w.path("copy").to_str().unwrap(),
        "import",
        "all.jsonl",
    ])
    .assert()
    .success()
    .stderr("");
}
