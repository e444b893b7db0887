//! Colombia's laying down of arms, 2016-17, as the record kept it: the
//! deadline re-timed by agreement, a deliverable handed over late, progress
//! reported by the FARC and each report verified by the UN component of the
//! tripartite mechanism (docs/DOMAIN.md, "The changes the tests play").

use super::{at, item, party};
use crate::common::{one_line_error, World};
use serde_json::Value;

const PARTIES: [(&str, &str, &str); 5] = [
    ("cu", "Republic of Cuba", "guarantor"),
    ("no", "Kingdom of Norway", "guarantor"),
    ("gov", "Government of Colombia", "party"),
    ("farc", "FARC-EP", "party"),
    ("un", "United Nations Mission in Colombia", "monitor"),
];

fn colombia() -> World {
    let w = World::with_parties("Final Agreement: monitoring and verification", &PARTIES);
    at(
        &w,
        "2016-11-24T12:00:00Z",
        &["init", "--charter", "charter.toml", "--key", "cu.pem"],
    );
    let t = "2016-11-25T12:00:00Z";
    at(
        &w,
        t,
        &[
            "clause",
            "propose",
            "--id",
            "C3",
            "--title",
            "Laying down of arms",
            "--text",
            "The FARC-EP lay down their arms to the UN component in stages ending D+180.",
            "--key",
            "no.pem",
        ],
    );
    for k in ["cu", "no"] {
        at(
            &w,
            t,
            &["clause", "endorse", "C3", "--key", &format!("{k}.pem")],
        );
    }
    for k in ["gov", "farc"] {
        at(
            &w,
            t,
            &["clause", "accept", "C3", "--key", &format!("{k}.pem")],
        );
    }
    let t = "2016-12-01T12:00:00Z";
    at(
        &w,
        t,
        &[
            "commit",
            "--id",
            "K10",
            "--clause",
            "C3",
            "--text",
            "Lay down all individual weapons to the UN component.",
            "--due",
            "2017-05-30T23:59:59Z",
            "--key",
            "farc.pem",
        ],
    );
    at(
        &w,
        t,
        &[
            "commit",
            "--id",
            "K11",
            "--clause",
            "C3",
            "--text",
            "Hand the UN component the count of weapons held.",
            "--due",
            "2017-02-28T23:59:59Z",
            "--key",
            "farc.pem",
        ],
    );
    w
}

fn farc_at(w: &World, time: &str) -> Value {
    let o = w.json(&["obligations", "--json", "--party", "farc", "--as-of", time]);
    party(&o, "farc").clone()
}

fn duties(p: &Value) -> Vec<String> {
    p["duties"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| {
            format!(
                "{} {}",
                d["duty"].as_str().unwrap(),
                d["item"].as_str().unwrap()
            )
        })
        .collect()
}

fn last_seq(w: &World) -> u64 {
    w.entry_list().last().unwrap().0
}

#[test]
fn the_weapons_count_is_overdue_then_fulfilled_late_and_verified_by_the_un() {
    let w = colombia();
    let march = farc_at(&w, "2017-03-05T00:00:00Z");
    assert_eq!(item(&march["commitments"], "K11")["state"], "overdue");
    assert!(
        duties(&march).contains(&"fulfil-overdue K11".to_owned()),
        "{march}"
    );
    // Nothing to attest before the FARC reports.
    let e = one_line_error(
        w.accord(&[
            "--time",
            "2017-03-06T00:00:00Z",
            "commitment",
            "attest",
            "K11",
            "--report",
            "1",
            "--verified",
            "--note",
            "Counted.",
            "--key",
            "un.pem",
        ])
        .assert(),
    );
    assert!(e.contains("no report"), "{e}");
    at(
        &w,
        "2017-03-10T12:00:00Z",
        &[
            "commitment",
            "fulfil",
            "K11",
            "--note",
            "Count of weapons handed to the UN component.",
            "--key",
            "farc.pem",
        ],
    );
    let report = last_seq(&w).to_string();
    // The UN names the report it checked: another entry is refused.
    let e = one_line_error(
        w.accord(&[
            "--time",
            "2017-03-11T00:00:00Z",
            "commitment",
            "attest",
            "K11",
            "--report",
            "5",
            "--verified",
            "--note",
            "Counted.",
            "--key",
            "un.pem",
        ])
        .assert(),
    );
    assert!(e.contains(&format!("is entry {report}, not 5")), "{e}");
    // The obligor cannot attest, and a party to the conflict is no verifier.
    let e = one_line_error(
        w.accord(&[
            "--time",
            "2017-03-11T00:00:00Z",
            "commitment",
            "attest",
            "K11",
            "--report",
            &report,
            "--verified",
            "--note",
            "Ours.",
            "--key",
            "gov.pem",
        ])
        .assert(),
    );
    assert!(e.contains("monitors and guarantors"), "{e}");
    at(
        &w,
        "2017-03-14T12:00:00Z",
        &[
            "commitment",
            "attest",
            "K11",
            "--report",
            &report,
            "--verified",
            "--note",
            "Count received and checked against the camps' registers.",
            "--key",
            "un.pem",
        ],
    );
    let after = farc_at(&w, "2017-03-15T00:00:00Z");
    let k11 = item(&after["commitments"], "K11");
    assert_eq!(k11["state"], "fulfilled-late");
    assert_eq!(k11["attestations"][0]["by"], "un");
    assert_eq!(k11["attestations"][0]["verdict"], "verified");
    assert!(
        !duties(&after).iter().any(|d| d.ends_with("K11")),
        "{after}"
    );
    let text = String::from_utf8(
        w.accord(&[
            "obligations",
            "--party",
            "farc",
            "--as-of",
            "2017-03-15T00:00:00Z",
        ])
        .output()
        .unwrap()
        .stdout,
    )
    .unwrap();
    let line = text.lines().find(|l| l.contains("K11")).unwrap();
    assert!(
        line.contains("fulfilled-late") && line.contains("verified by un"),
        "{line}"
    );
    w.accord(&["verify"]).assert().success();
}

#[test]
fn the_laying_down_of_arms_is_re_timed_by_agreement_and_delivered_in_stages() {
    let w = colombia();
    let t = "2017-05-29T12:00:00Z";
    // A unilateral reschedule by the obligor is only a proposal.
    at(
        &w,
        t,
        &[
            "commitment",
            "reschedule",
            "K10",
            "--due",
            "2017-06-20T23:59:59Z",
            "--until",
            "none",
            "--reason",
            "Camps not ready; the parties agreed to extend the final stage to 20 June.",
            "--key",
            "farc.pem",
        ],
    );
    let proposed = last_seq(&w);
    let pending = farc_at(&w, "2017-05-29T13:00:00Z");
    let k10 = item(&pending["commitments"], "K10");
    assert_eq!(k10["due"], "2017-05-30T23:59:59Z");
    assert_eq!(k10["reschedule"]["due"], "2017-06-20T23:59:59Z");
    let o = w.json(&["obligations", "--json", "--as-of", "2017-05-29T13:00:00Z"]);
    assert!(
        duties(party(&o, "cu")).contains(&"endorse-reschedule K10".to_owned()),
        "{o}"
    );
    // Only the obligor, guarantors and the mediator agree.
    let e = one_line_error(
        w.accord(&[
            "--time",
            t,
            "commitment",
            "agree-reschedule",
            "K10",
            "--proposal",
            &proposed.to_string(),
            "--key",
            "gov.pem",
        ])
        .assert(),
    );
    assert!(e.contains("obligor, guarantors and the mediator"), "{e}");
    at(
        &w,
        t,
        &[
            "commitment",
            "agree-reschedule",
            "K10",
            "--proposal",
            &proposed.to_string(),
            "--key",
            "cu.pem",
        ],
    );
    at(
        &w,
        t,
        &[
            "commitment",
            "agree-reschedule",
            "K10",
            "--proposal",
            &proposed.to_string(),
            "--key",
            "no.pem",
        ],
    );
    let agreed = last_seq(&w);
    // As of the proposal, the old date; as of the agreement, the new one.
    let before = w.json(&[
        "obligations",
        "--json",
        "--party",
        "farc",
        "--at",
        &proposed.to_string(),
    ]);
    assert_eq!(
        item(&party(&before, "farc")["commitments"], "K10")["due"],
        "2017-05-30T23:59:59Z"
    );
    let after = w.json(&[
        "obligations",
        "--json",
        "--party",
        "farc",
        "--at",
        &agreed.to_string(),
    ]);
    let k10 = item(&party(&after, "farc")["commitments"], "K10");
    assert_eq!(k10["due"], "2017-06-20T23:59:59Z");
    assert!(k10["reschedule"].is_null(), "{k10}");
    // Past the old date it is not overdue.
    let june = farc_at(&w, "2017-06-05T00:00:00Z");
    assert_eq!(item(&june["commitments"], "K10")["state"], "active");
    at(
        &w,
        "2017-06-07T12:00:00Z",
        &[
            "commitment",
            "progress",
            "K10",
            "--done",
            "4279",
            "--of",
            "7132",
            "--note",
            "Second stage: 60% of individual weapons stored.",
            "--key",
            "farc.pem",
        ],
    );
    let stage = last_seq(&w).to_string();
    at(
        &w,
        "2017-06-08T12:00:00Z",
        &[
            "commitment",
            "attest",
            "K10",
            "--report",
            &stage,
            "--verified",
            "--note",
            "Stored in UN containers.",
            "--key",
            "un.pem",
        ],
    );
    at(
        &w,
        "2017-06-20T18:00:00Z",
        &[
            "commitment",
            "fulfil",
            "K10",
            "--note",
            "All 7,132 individual weapons handed over.",
            "--key",
            "farc.pem",
        ],
    );
    let done = farc_at(&w, "2017-06-21T00:00:00Z");
    let k10 = item(&done["commitments"], "K10");
    assert_eq!(k10["state"], "fulfilled");
    assert_eq!(k10["progress"]["done"], 4279);
    // The attestation was of the progress report, not of the fulfilment.
    assert_ne!(k10["attestations"][0]["report"], k10["report"]);
    let history =
        String::from_utf8(w.accord(&["history", "K10"]).output().unwrap().stdout).unwrap();
    for kind in [
        "commitment-reschedule-proposed",
        "commitment-reschedule-endorsed",
        "commitment-progressed",
        "commitment-attested",
    ] {
        assert!(history.contains(kind), "{kind} missing from\n{history}");
    }
    w.accord(&["verify"]).assert().success();
}
