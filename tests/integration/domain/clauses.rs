//! Clauses over time, on the real binary: the Astana memorandum on
//! de-escalation areas (4 May 2017, "for six months") given its term and
//! then extended by six months by the three guarantors; the opposition
//! delegation declining it; a proposal withdrawn; and `clause show` /
//! `clause list` before and after.

use super::{at, item, party};
use crate::common::{one_line_error, World};
use serde_json::Value;

const MEMO: &str = "Four de-escalation areas are created in the Syrian Arab Republic: \
Idlib province and parts of the neighbouring provinces, north of Homs province, \
eastern Ghouta, and parts of southern Syria. The memorandum is valid for six months \
and is extended for six months by consensus of the guarantors.";

/// The ledger of the memorandum: C8 proposed by ru and adopted by the
/// three guarantors, given six months (to 4 Nov 2017), accepted by gov and
/// declined by opp; C9 proposed by the UN envoy and withdrawn. Returns the
/// seq of the last entry before the extension.
fn memorandum(w: &World) -> u64 {
    at(
        w,
        "2017-05-04T08:00:00Z",
        &["init", "--charter", "charter.toml", "--key", "un.pem"],
    );
    let t = "2017-05-04T12:00:00Z";
    at(
        w,
        t,
        &[
            "clause",
            "propose",
            "--id",
            "C8",
            "--title",
            "Memorandum on the creation of de-escalation areas",
            "--text",
            MEMO,
            "--key",
            "ru.pem",
        ],
    );
    for g in ["ru", "tr", "ir"] {
        at(
            w,
            t,
            &["clause", "endorse", "C8", "--key", &format!("{g}.pem")],
        );
    }
    at(
        w,
        t,
        &[
            "clause",
            "extend",
            "C8",
            "--until",
            "2017-11-04T00:00:00Z",
            "--reason",
            "The memorandum is valid for six months.",
            "--key",
            "ru.pem",
        ],
    );
    let proposal = w.entry_list().last().unwrap().0.to_string();
    for g in ["ru", "tr", "ir"] {
        at(
            w,
            t,
            &[
                "clause",
                "endorse-term",
                "C8",
                "--proposal",
                &proposal,
                "--key",
                &format!("{g}.pem"),
            ],
        );
    }
    let t = "2017-05-05T09:00:00Z";
    at(w, t, &["clause", "accept", "C8", "--key", "gov.pem"]);
    at(
        w,
        t,
        &[
            "clause",
            "decline",
            "C8",
            "--reason",
            "The delegation does not accept Iran as a guarantor.",
            "--key",
            "opp.pem",
        ],
    );
    at(
        w,
        t,
        &[
            "clause",
            "propose",
            "--id",
            "C9",
            "--title",
            "Working group on detainees",
            "--text",
            "A working group on the release of detainees is formed.",
            "--key",
            "un.pem",
        ],
    );
    at(
        w,
        t,
        &[
            "clause",
            "withdraw",
            "C9",
            "--reason",
            "Referred to the next round.",
            "--key",
            "un.pem",
        ],
    );
    last_seq(w)
}

fn last_seq(w: &World) -> u64 {
    w.entry_list().last().unwrap().0
}

/// The guarantors extend C8 by six months (Astana, 31 Oct 2017).
fn extend(w: &World) {
    let t = "2017-10-31T12:00:00Z";
    at(
        w,
        t,
        &[
            "clause",
            "extend",
            "C8",
            "--until",
            "2018-05-04T00:00:00Z",
            "--reason",
            "The guarantors extend the de-escalation areas for six months.",
            "--key",
            "ru.pem",
        ],
    );
    let proposal = w.entry_list().last().unwrap().0.to_string();
    for g in ["ru", "tr", "ir"] {
        at(
            w,
            t,
            &[
                "clause",
                "endorse-term",
                "C8",
                "--proposal",
                &proposal,
                "--key",
                &format!("{g}.pem"),
            ],
        );
    }
}

fn show(w: &World, point: &[&str]) -> Value {
    let mut args = vec!["clause", "show", "C8", "--json"];
    args.extend_from_slice(point);
    w.json(&args)
}

#[test]
fn the_de_escalation_clause_is_extended_by_six_months_by_the_guarantors() {
    let w = World::new();
    let before = memorandum(&w);
    extend(&w);
    let proposed = last_seq(&w) - 3;

    let old = show(&w, &["--at", &before.to_string()]);
    assert_eq!(old["phase"], "adopted");
    assert_eq!(old["until"], "2017-11-04T00:00:00Z");
    assert_eq!(old["term_proposal"], Value::Null);

    // Proposed and endorsed by two: pending, the old term still holds.
    let pending = show(&w, &["--at", &(proposed + 2).to_string()]);
    assert_eq!(pending["until"], "2017-11-04T00:00:00Z");
    assert_eq!(pending["term_proposal"]["until"], "2018-05-04T00:00:00Z");
    assert_eq!(
        pending["term_proposal"]["missing"]["guarantors"],
        serde_json::json!(["ir"])
    );

    let new = show(&w, &[]);
    assert_eq!(new["until"], "2018-05-04T00:00:00Z");
    assert_eq!(new["until_from"], last_seq(&w));
    assert_eq!(new["term_proposal"], Value::Null);

    // After the old end and before the new one, the clause is in force.
    let december = show(&w, &["--as-of", "2017-12-01T00:00:00Z"]);
    assert_eq!(december["phase"], "adopted");
    assert_eq!(december["as_of"]["time"], "2017-12-01T00:00:00Z");
    // And after the new end it has lapsed.
    let lapsed = show(&w, &["--as-of", "2018-05-05T00:00:00Z"]);
    assert_eq!(lapsed["phase"], "lapsed");

    // The text view says the same to a secretariat.
    let out = w
        .accord(&["clause", "show", "C8", "--at", &before.to_string()])
        .output()
        .unwrap();
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.contains("until      2017-11-04T00:00:00Z"), "{text}");
    assert!(text.contains("declined   opp (entry"), "{text}");
    let out = w.accord(&["clause", "show", "C8"]).output().unwrap();
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.contains("until      2018-05-04T00:00:00Z"), "{text}");

    // The extension is on the clause's record.
    let out = w.accord(&["history", "C8", "--json"]).output().unwrap();
    let terms = String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str::<Value>(l).unwrap())
        .filter(|e| {
            e["event"]["kind"]
                .as_str()
                .is_some_and(|k| k.starts_with("clause-term"))
        })
        .count();
    assert_eq!(terms, 8, "two term proposals and six endorsements");
}

#[test]
fn a_declined_and_a_withdrawn_clause_show_in_the_clause_list() {
    let w = World::new();
    memorandum(&w);
    let list = w.json(&[
        "clause",
        "list",
        "--json",
        "--as-of",
        "2017-05-06T00:00:00Z",
    ]);
    let clauses = &list["clauses"];
    let c8 = item(clauses, "C8");
    assert_eq!(c8["phase"], "adopted");
    assert_eq!(c8["declines"], 1);
    assert_eq!(c8["until"], "2017-11-04T00:00:00Z");
    let c9 = item(clauses, "C9");
    assert_eq!(c9["phase"], "withdrawn");
    assert_eq!(c9["adopted_at"], Value::Null);

    // Judged now, without the extension, its six months are long over.
    let now = w.json(&["clause", "list", "--json"]);
    assert_eq!(item(&now["clauses"], "C8")["phase"], "lapsed");

    let c8 = show(&w, &[]);
    assert_eq!(c8["phase"], "lapsed");
    assert_eq!(c8["decliners"][0]["party"], "opp");
    assert_eq!(c8["acceptors"][0]["party"], "gov");
    assert_eq!(c8["to_accept"], serde_json::json!([]));
    let c9 = w.json(&["clause", "show", "C9", "--json"]);
    assert_eq!(c9["phase"], "withdrawn");
    assert_eq!(c9["missing"], Value::Null);

    // Nothing more is signed under them, each refusal one line.
    let err = one_line_error(
        w.accord(&["clause", "accept", "C9", "--key", "gov.pem"])
            .assert()
            .failure(),
    );
    assert_eq!(
        err,
        "error: rejected: clause C9 is withdrawn: it cannot be accepted\n"
    );
    let err = one_line_error(
        w.accord(&["clause", "accept", "C8", "--key", "opp.pem"])
            .assert()
            .failure(),
    );
    assert!(
        err.contains(
            "opp has already declined clause C8: a party to the conflict accepts or declines"
        ),
        "{err}"
    );
    let err = one_line_error(w.accord(&["clause", "show", "C7"]).assert().failure());
    assert!(
        err.starts_with("error: no clause C7 is on record as of entry "),
        "{err}"
    );
    // Neither asks anything more of the parties.
    let o = w.json(&["obligations", "--json", "--as-of", "2017-05-06T00:00:00Z"]);
    for p in ["gov", "opp"] {
        let duties = party(&o, p)["duties"].as_array().unwrap().clone();
        assert!(duties.is_empty(), "{p}: {duties:?}");
    }
}

#[test]
fn a_term_is_proposed_and_endorsed_through_a_server() {
    let w = World::new();
    memorandum(&w);
    let server = crate::serve::Server::start(&w, &w.ledger(), 1_000);
    let url = format!("http://{}", server.addr);
    let remote = |args: &[&str]| {
        let mut cmd = w.accord(&[]);
        cmd.env("ACCORD_LEDGER", w.path("no-ledger-here"))
            .args(["--remote", &url, "--time", "2017-10-31T12:00:00Z"])
            .args(args);
        let out = cmd.output().unwrap();
        assert!(
            out.status.success(),
            "{args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8(out.stdout).unwrap()
    };
    let extended = remote(&[
        "clause",
        "extend",
        "C8",
        "--until",
        "2018-05-04T00:00:00Z",
        "--reason",
        "Six more months.",
        "--key",
        "ru.pem",
    ]);
    // "entry N  clause-term-proposed ...": the proposal the endorsements name.
    let seq = extended
        .split_whitespace()
        .nth(1)
        .expect("the appended entry's seq")
        .to_owned();
    let endorse = |k: &str| {
        remote(&[
            "clause",
            "endorse-term",
            "C8",
            "--proposal",
            &seq,
            "--key",
            k,
        ])
    };
    let first = endorse("ru.pem");
    assert!(
        first.contains("the term proposed for clause C8 is not yet adopted"),
        "{first}"
    );
    endorse("tr.pem");
    let last = endorse("ir.pem");
    assert!(
        last.contains("the term of clause C8 is now adopted"),
        "{last}"
    );
    drop(server);
    assert_eq!(show(&w, &[])["until"], "2018-05-04T00:00:00Z");
}
