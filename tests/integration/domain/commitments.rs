//! The commitment track: a commitment is pending until its clause is
//! adopted, then active, overdue when its due time passes undelivered (the
//! obligor still owes it), and fulfilled late if delivered after it.

use super::{astana, at, item, party};
use crate::common::one_line_error;

#[test]
fn commitments_are_pending_until_their_clause_is_adopted_then_active() {
    let w = astana();
    let o = w.json(&["obligations", "--json", "--as-of", "2017-01-30T00:00:00Z"]);
    let gov = party(&o, "gov");
    assert_eq!(item(&gov["commitments"], "K5")["state"], "active");
    assert_eq!(item(&gov["commitments"], "K6")["state"], "pending");
    assert_eq!(item(&gov["commitments"], "K5")["zone"], "Wadi Barada");
    // The parties' duties: accept the clauses; the guarantors': endorse C3.
    let duties: Vec<String> = gov["duties"]
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
        .collect();
    assert_eq!(
        duties,
        ["accept-clause C1", "accept-clause C2", "accept-clause C3"]
    );
    let tr = party(&o, "tr");
    assert_eq!(tr["duties"][0]["duty"], "endorse-clause");
    assert_eq!(tr["duties"][0]["item"], "C3");
}

#[test]
fn a_missed_deliverable_is_overdue_with_a_duty_and_a_late_delivery_is_recorded_as_late() {
    let w = astana();
    let as_of = |t: &str| {
        let o = w.json(&["obligations", "--json", "--party", "ru", "--as-of", t]);
        party(&o, "ru").clone()
    };
    let before = as_of("2017-02-06T17:00:00Z");
    assert_eq!(item(&before["commitments"], "K4")["state"], "active");
    let after = as_of("2017-02-07T00:00:00Z");
    assert_eq!(item(&after["commitments"], "K4")["state"], "overdue");
    assert_eq!(
        item(&after["commitments"], "K4")["due"],
        "2017-02-06T18:00:00Z"
    );
    let duties = |p: &serde_json::Value| -> Vec<String> {
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
    };
    assert!(
        duties(&after).contains(&"fulfil-overdue K4".to_owned()),
        "{after}"
    );
    assert!(
        !duties(&before).contains(&"fulfil-overdue K4".to_owned()),
        "{before}"
    );
    // Only the obligor reports on it.
    let e = one_line_error(
        w.accord(&[
            "--time",
            "2017-02-07T09:00:00Z",
            "commitment",
            "fulfil",
            "K4",
            "--note",
            "Not mine.",
            "--key",
            "tr.pem",
        ])
        .assert(),
    );
    assert!(e.contains("ru"), "{e}");
    at(
        &w,
        "2017-02-07T09:00:00Z",
        &[
            "commitment",
            "fulfil",
            "K4",
            "--note",
            "Held in Astana, a day late.",
            "--key",
            "ru.pem",
        ],
    );
    let late = as_of("2017-02-08T00:00:00Z");
    assert_eq!(item(&late["commitments"], "K4")["state"], "fulfilled-late");
    assert!(
        !duties(&late).contains(&"fulfil-overdue K4".to_owned()),
        "{late}"
    );
    // As of before the delivery, it was still overdue.
    assert_eq!(
        item(&as_of("2017-02-07T08:00:00Z")["commitments"], "K4")["state"],
        "overdue"
    );
}
