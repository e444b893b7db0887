//! The dispute track: an allegation through evidence (checked against its
//! recorded digest) to a ruling adopted by quorum with dissent, and the
//! rules about findings and breaches.

use super::{astana, at, item, party, ruled};
use crate::common::one_line_error;
use predicates::str::contains;
use serde_json::Value;

#[test]
fn the_dispute_track_from_allegation_to_adopted_ruling() {
    let w = astana();
    let proposed = ruled(&w);
    // The open view: the breach shows on the commitment; the allegation,
    // now ruled on, and the adopted ruling only in the full view.
    let open = w.json(&["obligations", "--json"]);
    assert_eq!(open["scope"], "open");
    let gov = party(&open, "gov");
    assert_eq!(item(&gov["commitments"], "K5")["state"], "breached");
    assert!(gov["allegations_against"]
        .as_array()
        .unwrap()
        .iter()
        .all(|a| a["id"] != "A1"));
    assert!(gov["rulings"].as_array().unwrap().is_empty());
    let o = w.json(&["obligations", "--json", "--all"]);
    assert_eq!(o["scope"], "all");
    // The same view from a full replay of the entries.
    assert_eq!(
        w.json(&["obligations", "--json", "--all", "--replay"])["parties"],
        o["parties"]
    );
    let gov = party(&o, "gov");
    let k5 = item(&gov["commitments"], "K5");
    assert_eq!(k5["state"], "breached");
    assert_eq!(k5["ruling"], "R1");
    let a1 = item(&gov["allegations_against"], "A1");
    assert_eq!(a1["state"], "ruled");
    assert_eq!(a1["finding"], "confirmed");
    assert_eq!(a1["occurred"], "2017-01-25T06:00:00Z");
    assert_eq!(
        item(&party(&o, "opp")["allegations_by"], "A1")["state"],
        "ruled"
    );
    let r1 = item(&gov["rulings"], "R1");
    assert_eq!(r1["state"], "adopted");
    assert_eq!(r1["endorsements"], serde_json::json!(["tr", "ru"]));
    assert_eq!(r1["dissents"], serde_json::json!(["ir"]));
    assert_eq!(r1["attribution"], serde_json::json!({"party": "gov"}));

    // As of just before the proposal: answered, active, no ruling.
    let before = w.json(&["obligations", "--json", "--at", &(proposed - 1).to_string()]);
    let gov = party(&before, "gov");
    assert_eq!(item(&gov["commitments"], "K5")["state"], "active");
    assert_eq!(item(&gov["allegations_against"], "A1")["state"], "answered");
    assert!(gov["rulings"].as_array().unwrap().is_empty());
    // While proposed, the guarantors who have not signed have a duty.
    let mid = w.json(&["obligations", "--json", "--at", &proposed.to_string()]);
    let ir_duties = party(&mid, "ir")["duties"].as_array().unwrap().clone();
    assert!(
        ir_duties
            .iter()
            .any(|d| d["duty"] == "endorse-ruling" && d["item"] == "R1"),
        "{ir_duties:?}"
    );

    // The dispute record of A1, in order.
    let out = w.accord(&["history", "A1", "--json"]).output().unwrap();
    let kinds: Vec<String> = String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .map(|l| {
            serde_json::from_str::<Value>(l).unwrap()["kind"]
                .as_str()
                .unwrap()
                .to_owned()
        })
        .collect();
    assert_eq!(
        kinds,
        [
            "allegation-filed",
            "allegation-answered",
            "ruling-proposed",
            "ruling-endorsed",
            "ruling-dissented",
            "ruling-endorsed"
        ]
    );
    // K5's record includes its making, the allegation and the ruling.
    let out = w.accord(&["history", "K5"]).output().unwrap();
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(
        text.contains("commitment-made")
            && text.contains("allegation-filed")
            && text.contains("ruling-proposed"),
        "{text}"
    );

    // What the ruling changed.
    let head = w.entry_list().last().unwrap().0;
    let diff = w.json(&[
        "diff",
        "--from",
        &(proposed - 1).to_string(),
        "--to",
        &head.to_string(),
        "--json",
    ]);
    let changes = diff.as_array().unwrap();
    assert!(changes.iter().any(|c| c["party"] == "gov"
        && c["item"] == "K5"
        && c["from"] == "active"
        && c["to"] == "breached"));
    assert!(changes.iter().any(|c| c["party"] == "gov"
        && c["item"] == "R1"
        && c["from"].is_null()
        && c["to"] == "adopted"));
    // issue 15: json (the state a plain word, the finding its own field)
    assert!(
        changes.iter().any(|c| c["party"] == "gov"
            && c["kind"] == "allegation-against"
            && c["item"] == "A1"
            && c["to"] == "ruled"
            && c["finding"] == "confirmed"),
        "{diff}"
    );

    // The obligor reports a remedy.
    at(
        &w,
        "2017-02-10T10:00:00Z",
        &[
            "commitment",
            "remedy",
            "K5",
            "--note",
            "Offensive halted.",
            "--key",
            "gov.pem",
        ],
    );
    let o = w.json(&["obligations", "--json", "--party", "gov"]);
    assert_eq!(
        item(&party(&o, "gov")["commitments"], "K5")["state"],
        "remedied"
    );
    w.accord(&["verify"]).assert().success();
}

#[test]
fn evidence_is_checked_against_its_recorded_digest() {
    let w = astana();
    ruled(&w);
    w.accord(&["evidence", "check", "A1", "report.txt"])
        .assert()
        .success()
        .stdout(contains("match"));
    std::fs::write(w.path("forged.txt"), "Council report: nothing happened.\n").unwrap();
    w.accord(&["evidence", "check", "A1", "forged.txt"])
        .assert()
        .code(1)
        .stdout(contains("NO MATCH"));
    let filing = w
        .entry_list()
        .into_iter()
        .map(|(s, _)| s)
        .find(|s| {
            w.json(&["show", &s.to_string(), "--json"])["event"]["kind"] == "allegation-filed"
        })
        .unwrap();
    let ev = &w.json(&["show", &filing.to_string(), "--json"])["event"]["evidence"][0];
    assert_eq!(ev["name"], "report.txt");
    assert_eq!(ev["media_type"], "text/plain");
    assert_eq!(
        ev["size"],
        std::fs::metadata(w.path("report.txt")).unwrap().len()
    );
    // SHA-256 of report.txt's bytes, computed by another implementation
    // (`printf 'Council report: strikes on Ain al-Fijeh.\n' | sha256sum`).
    assert_eq!(
        ev["sha256"],
        "e166bf59b32f781fee8b1c72277c2fa4563f9ca30ab55280a97ffab79ad359f9"
    );
}

#[test]
fn ruling_rules_about_findings_and_breaches() {
    let w = astana();
    at(
        &w,
        "2017-01-26T08:00:00Z",
        &[
            "allege",
            "--id",
            "A1",
            "--against",
            "gov",
            "--occurred",
            "2017-01-25T06:00:00Z",
            "--location",
            "Wadi Barada",
            "--summary",
            "Offensive.",
            "--key",
            "opp.pem",
        ],
    );
    let t = "2017-02-07T10:00:00Z";
    for (finding, attribution, breach, expect) in [
        (
            "inconclusive",
            "gov",
            "K5",
            "only be named with a confirmed finding",
        ),
        ("confirmed", "unattributable", "K5", "unattributable"),
        ("confirmed", "ru", "K5", "attributed to ru"),
    ] {
        let e = one_line_error(
            w.accord(&[
                "--time",
                t,
                "ruling",
                "propose",
                "--id",
                "R1",
                "--allegation",
                "A1",
                "--finding",
                finding,
                "--attribution",
                attribution,
                "--breach",
                breach,
                "--text",
                "x",
                "--key",
                "tr.pem",
            ])
            .assert(),
        );
        assert!(e.contains(expect), "{e}");
    }
    // A ruling that finds no violation closes the allegation without breach.
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
            "incident-not-violation",
            "--attribution",
            "shared",
            "--text",
            "Crossfire.",
            "--key",
            "mon.pem",
        ],
    );
    at(&w, t, &["ruling", "endorse", "R1", "--key", "ir.pem"]);
    at(&w, t, &["ruling", "endorse", "R1", "--key", "ru.pem"]);
    let o = w.json(&["obligations", "--json", "--all", "--party", "gov"]);
    let gov = party(&o, "gov");
    assert_eq!(
        item(&gov["allegations_against"], "A1")["finding"],
        "incident-not-violation"
    );
    assert_eq!(item(&gov["commitments"], "K5")["state"], "active");
}
