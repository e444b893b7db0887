//! Domain refusals: every refused domain append leaves the ledger
//! unchanged, and a bad projection request gets one line.

use super::{astana, ruled};
use crate::common::one_line_error;

#[test]
fn every_domain_refusal_leaves_the_ledger_unchanged() {
    let w = astana();
    ruled(&w);
    let t = "2017-02-08T00:00:00Z";
    let cases: Vec<(Vec<&str>, &str)> = vec![
        (
            vec![
                "commitment",
                "fulfil",
                "K5",
                "--note",
                "x",
                "--key",
                "ru.pem",
            ],
            "only gov may",
        ),
        (
            vec![
                "commitment",
                "fulfil",
                "K6",
                "--note",
                "x",
                "--key",
                "gov.pem",
            ],
            "pending",
        ),
        (
            vec![
                "commitment",
                "fulfil",
                "K5",
                "--note",
                "x",
                "--key",
                "gov.pem",
            ],
            "breached",
        ),
        (
            vec![
                "commitment",
                "remedy",
                "K1",
                "--note",
                "x",
                "--key",
                "ru.pem",
            ],
            "only a breached",
        ),
        (
            vec![
                "commitment",
                "withdraw",
                "K9",
                "--reason",
                "x",
                "--key",
                "ru.pem",
            ],
            "no commitment K9",
        ),
        (
            vec!["clause", "accept", "C1", "--key", "tr.pem"],
            "parties to the conflict",
        ),
        (
            vec![
                "commit", "--id", "K7", "--clause", "C9", "--text", "x", "--key", "tr.pem",
            ],
            "no clause C9",
        ),
        (
            vec![
                "commit", "--id", "A1", "--clause", "C1", "--text", "x", "--key", "tr.pem",
            ],
            "already in use",
        ),
        (
            vec![
                "commit", "--id", "K7", "--clause", "C1", "--text", "x", "--key", "us.pem",
            ],
            "observer",
        ),
        (
            vec![
                "allege",
                "--id",
                "A2",
                "--against",
                "opp",
                "--occurred",
                "2017-02-01T00:00:00Z",
                "--location",
                "x",
                "--summary",
                "x",
                "--key",
                "opp.pem",
            ],
            "against itself",
        ),
        (
            vec![
                "allege",
                "--id",
                "A2",
                "--against",
                "gov",
                "--commitment",
                "K1",
                "--occurred",
                "2017-02-01T00:00:00Z",
                "--location",
                "x",
                "--summary",
                "x",
                "--key",
                "opp.pem",
            ],
            "is ru's, not gov's",
        ),
        (
            vec![
                "allege",
                "--id",
                "A2",
                "--against",
                "gov",
                "--occurred",
                "2017-03-01T00:00:00Z",
                "--location",
                "x",
                "--summary",
                "x",
                "--key",
                "opp.pem",
            ],
            "after the entry's own time",
        ),
        (
            vec![
                "allege",
                "--id",
                "A2",
                "--against",
                "zz",
                "--occurred",
                "2017-02-01T00:00:00Z",
                "--location",
                "x",
                "--summary",
                "x",
                "--key",
                "opp.pem",
            ],
            "no party zz",
        ),
        (
            vec![
                "allege",
                "--id",
                "A2",
                "--against",
                "gov",
                "--occurred",
                "2017-02-01T00:00:00Z",
                "--location",
                "x",
                "--summary",
                "x",
                "--evidence",
                "missing.pdf",
                "--key",
                "opp.pem",
            ],
            "cannot read evidence",
        ),
        (
            vec![
                "respond",
                "A1",
                "--position",
                "deny",
                "--text",
                "x",
                "--key",
                "gov.pem",
            ],
            "ruled",
        ),
        (
            vec![
                "respond",
                "A1",
                "--position",
                "shrug",
                "--text",
                "x",
                "--key",
                "gov.pem",
            ],
            "'--position <POSITION>': use one of deny, admit, counterclaim, justify",
        ),
        (
            vec![
                "allegation",
                "withdraw",
                "A1",
                "--reason",
                "x",
                "--key",
                "gov.pem",
            ],
            "only opp may",
        ),
        (
            vec![
                "ruling",
                "propose",
                "--id",
                "R2",
                "--allegation",
                "A1",
                "--finding",
                "confirmed",
                "--attribution",
                "gov",
                "--text",
                "x",
                "--key",
                "gov.pem",
            ],
            "only guarantors and monitors",
        ),
        (
            vec![
                "ruling",
                "propose",
                "--id",
                "R2",
                "--allegation",
                "A1",
                "--finding",
                "confirmed",
                "--attribution",
                "gov",
                "--text",
                "x",
                "--key",
                "tr.pem",
            ],
            "is ruled",
        ),
        (
            vec!["ruling", "endorse", "R1", "--key", "ru.pem"],
            "already endorsed",
        ),
        (
            vec!["ruling", "endorse", "R1", "--key", "ir.pem"],
            "already dissented",
        ),
        (
            vec!["ruling", "endorse", "R1", "--key", "un.pem"],
            "only guarantors",
        ),
        (
            vec!["ruling", "dissent", "R1", "--text", "x", "--key", "tr.pem"],
            "already endorsed",
        ),
        (
            vec!["ruling", "endorse", "R7", "--key", "tr.pem"],
            "no ruling R7",
        ),
    ];
    let entries = w.entry_list();
    let raw = w.raw_entries();
    for (args, expect) in cases {
        let mut full = vec!["--time", t];
        full.extend_from_slice(&args);
        let e = one_line_error(w.accord(&full).assert());
        assert!(e.contains(expect), "{args:?}: {e} should say {expect:?}");
        assert_eq!(w.entry_list(), entries, "{args:?} changed the entry list");
        assert_eq!(w.raw_entries(), raw, "{args:?} changed the stored bytes");
    }
}

#[test]
fn bad_projection_requests_get_one_line() {
    let w = astana();
    // (arguments, what the one line says).
    let refused: [(&[&str], &str); 4] = [
        (
            &["obligations", "--as-of", "2016-12-01T00:00:00Z"],
            "before the ledger was founded",
        ),
        (&["obligations", "--at", "999"], "no entry 999"),
        (&["obligations", "--party", "xx"], "no party xx"),
        (&["history", "Z9"], "nothing on record concerns Z9"),
    ];
    for (args, expect) in refused {
        let e = one_line_error(w.accord(args).assert());
        assert!(e.contains(expect), "{args:?}: {e} should say {expect:?}");
    }
    w.accord(&[
        "obligations",
        "--at",
        "1",
        "--as-of",
        "2017-01-24T00:00:00Z",
    ])
    .assert()
    .code(2);
}
