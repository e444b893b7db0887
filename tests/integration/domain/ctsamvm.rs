//! South Sudan's ceasefire monitoring (CTSAMVM) under the Agreement on the
//! Cessation of Hostilities of 21 December 2017: an allegation corrected by
//! the party that filed it, a ruling adopted, then reconsidered on new
//! evidence, with the commitment following the latest adopted ruling
//! (docs/DOMAIN.md, "The changes the tests play").

use super::{at, item, party};
use crate::common::{one_line_error, World};
use serde_json::Value;

const PARTIES: [(&str, &str, &str); 5] = [
    (
        "igad",
        "Intergovernmental Authority on Development",
        "guarantor",
    ),
    (
        "jmec",
        "Joint Monitoring and Evaluation Commission",
        "guarantor",
    ),
    (
        "tgonu",
        "Transitional Government of National Unity",
        "party",
    ),
    ("io", "SPLM/A in Opposition", "party"),
    (
        "ctsamvm",
        "Ceasefire and Transitional Security Arrangements Monitoring and Verification Mechanism",
        "monitor",
    ),
];

fn signed(w: &World, time: &str, args: &[&str]) -> u64 {
    at(w, time, args);
    w.entry_list().last().unwrap().0
}

fn view_at(w: &World, seq: u64) -> Value {
    w.json(&["obligations", "--json", "--all", "--at", &seq.to_string()])
}

#[test]
fn an_allegation_is_corrected_and_its_ruling_reconsidered_on_new_evidence() {
    let w = World::with_parties("Agreement on the Cessation of Hostilities", &PARTIES);
    at(
        &w,
        "2017-12-21T12:00:00Z",
        &["init", "--charter", "charter.toml", "--key", "igad.pem"],
    );
    let t = "2017-12-22T12:00:00Z";
    at(
        &w,
        t,
        &[
            "clause",
            "propose",
            "--id",
            "C1",
            "--title",
            "Cessation of hostilities",
            "--text",
            "The parties cease all military actions aimed at each other from 24 December 2017.",
            "--key",
            "igad.pem",
        ],
    );
    for k in ["igad", "jmec"] {
        at(
            &w,
            t,
            &["clause", "endorse", "C1", "--key", &format!("{k}.pem")],
        );
    }
    for k in ["tgonu", "io"] {
        at(
            &w,
            t,
            &["clause", "accept", "C1", "--key", &format!("{k}.pem")],
        );
    }
    at(
        &w,
        t,
        &[
            "commit",
            "--id",
            "K1",
            "--clause",
            "C1",
            "--text",
            "Cease all offensive operations and hold current positions.",
            "--key",
            "tgonu.pem",
        ],
    );
    let filed = signed(
        &w,
        "2018-01-05T09:00:00Z",
        &[
            "allege",
            "--id",
            "A1",
            "--against",
            "tgonu",
            "--commitment",
            "K1",
            "--occurred",
            "2018-01-02T06:00:00Z",
            "--location",
            "Yei",
            "--summary",
            "Government forces attacked opposition positions.",
            "--key",
            "io.pem",
        ],
    );
    // Only the party that filed corrects, and only what it names.
    let e = one_line_error(
        w.accord(&[
            "--time",
            "2018-01-08T09:00:00Z",
            "allegation",
            "correct",
            "A1",
            "--location",
            "Elsewhere",
            "--reason",
            "No.",
            "--key",
            "tgonu.pem",
        ])
        .assert(),
    );
    assert!(e.contains("io"), "{e}");
    let corrected = signed(
        &w,
        "2018-01-08T09:00:00Z",
        &[
            "allegation",
            "correct",
            "A1",
            "--location",
            "Lainya County, near Yei",
            "--reason",
            "The place was misreported in the first filing.",
            "--key",
            "io.pem",
        ],
    );
    let a1 = |seq| item(&party(&view_at(&w, seq), "io")["allegations_by"], "A1").clone();
    assert_eq!(a1(filed)["location"], "Yei");
    assert_eq!(a1(corrected)["location"], "Lainya County, near Yei");
    assert_eq!(a1(corrected)["corrections"][0], corrected);

    let t = "2018-02-01T12:00:00Z";
    at(
        &w,
        t,
        &[
            "ruling",
            "propose",
            "--id",
            "R1",
            "--allegation",
            "A1",
            "--finding",
            "confirmed",
            "--attribution",
            "tgonu",
            "--breach",
            "K1",
            "--text",
            "The monitoring team verified the attack.",
            "--key",
            "ctsamvm.pem",
        ],
    );
    at(&w, t, &["ruling", "endorse", "R1", "--key", "igad.pem"]);
    let ruled = signed(&w, t, &["ruling", "endorse", "R1", "--key", "jmec.pem"]);
    let gov = |seq| party(&view_at(&w, seq), "tgonu").clone();
    let k1 = |v: &Value| item(&v["commitments"], "K1").clone();
    assert_eq!(k1(&gov(ruled))["state"], "breached");
    assert!(
        gov(ruled)["duties"].to_string().contains("remedy"),
        "{}",
        gov(ruled)
    );

    let t = "2018-03-01T12:00:00Z";
    at(
        &w,
        t,
        &[
            "ruling",
            "revise",
            "--id",
            "R2",
            "--revises",
            "R1",
            "--finding",
            "inconclusive",
            "--attribution",
            "unattributable",
            "--text",
            "Later testimony places other forces there; the attack cannot be attributed.",
            "--key",
            "ctsamvm.pem",
        ],
    );
    at(&w, t, &["ruling", "endorse", "R2", "--key", "igad.pem"]);
    let revised = signed(&w, t, &["ruling", "endorse", "R2", "--key", "jmec.pem"]);
    let after = gov(revised);
    assert_eq!(k1(&after)["state"], "active");
    assert!(!after["duties"].to_string().contains("remedy"), "{after}");
    let rulings = &after["rulings"];
    assert_eq!(item(rulings, "R1")["state"], "superseded");
    assert_eq!(item(rulings, "R1")["superseded_by"], "R2");
    assert_eq!(item(rulings, "R2")["revises"], "R1");
    assert_eq!(a1(revised)["ruling"], "R2");
    // As of the first ruling, the record still says breached.
    assert_eq!(k1(&gov(ruled))["state"], "breached");
    let history = String::from_utf8(w.accord(&["history", "A1"]).output().unwrap().stdout).unwrap();
    for kind in [
        "allegation-filed",
        "allegation-corrected",
        "ruling-proposed",
        "ruling-revision-proposed",
    ] {
        assert!(history.contains(kind), "{kind} missing from\n{history}");
    }
    w.accord(&["verify"]).assert().success();
}
