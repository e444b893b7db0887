//! The commitment track: a commitment is pending until its clause is
//! adopted, then active, and expires when its due time passes unfulfilled.

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
fn a_commitment_expires_when_its_due_time_passes_unfulfilled() {
    let w = astana();
    let before = w.json(&[
        "obligations",
        "--json",
        "--party",
        "ru",
        "--as-of",
        "2017-02-06T17:00:00Z",
    ]);
    assert_eq!(
        item(&party(&before, "ru")["commitments"], "K4")["state"],
        "active"
    );
    let after = w.json(&[
        "obligations",
        "--json",
        "--party",
        "ru",
        "--as-of",
        "2017-02-07T00:00:00Z",
    ]);
    assert_eq!(
        item(&party(&after, "ru")["commitments"], "K4")["state"],
        "expired"
    );
    assert_eq!(
        item(&party(&after, "ru")["commitments"], "K4")["due"],
        "2017-02-06T18:00:00Z"
    );
    // Fulfilling after the due time is refused; before it, accepted.
    let e = one_line_error(
        w.accord(&[
            "--time",
            "2017-02-07T09:00:00Z",
            "commitment",
            "fulfil",
            "K4",
            "--note",
            "Late.",
            "--key",
            "ru.pem",
        ])
        .assert(),
    );
    assert!(e.contains("expired"), "{e}");
    at(
        &w,
        "2017-02-06T17:00:00Z",
        &[
            "commitment",
            "fulfil",
            "K4",
            "--note",
            "Held in Astana.",
            "--key",
            "ru.pem",
        ],
    );
    let o = w.json(&["obligations", "--json", "--party", "ru"]);
    assert_eq!(
        item(&party(&o, "ru")["commitments"], "K4")["state"],
        "fulfilled"
    );
}
