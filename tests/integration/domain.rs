//! End-to-end tests of the agreement domain on the real binary: the two
//! tracks (commitments, allegations), rulings by quorum with dissent, the
//! projections, and every refusal leaving the ledger unchanged.

use crate::common::{one_line_error, with_entries, World};
use accord_core::crypto::private_key_from_pem;
use accord_core::{Event, RulingId};
use accord_ledger::Ledger;
use predicates::str::contains;
use serde_json::Value;

/// Runs `accord` with a claimed time and asserts success.
fn at(w: &World, time: &str, args: &[&str]) {
    let mut full = vec!["--time", time];
    full.extend_from_slice(args);
    let out = w.accord(&full).output().unwrap();
    assert!(
        out.status.success(),
        "{args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// The Astana ledger up to the commitments: C1 and C2 adopted by the three
/// guarantors, C3 proposed only; K1 (ru, C2), K4 (ru, C1, due 6 Feb),
/// K5 (gov, C2), K6 (gov, C3, pending).
fn astana() -> World {
    let w = World::new();
    at(
        &w,
        "2017-01-23T09:00:00Z",
        &["init", "--charter", "charter.toml", "--key", "un.pem"],
    );
    let t = "2017-01-24T10:00:00Z";
    for (id, by) in [("C1", "ru"), ("C2", "tr"), ("C3", "un")] {
        at(
            &w,
            t,
            &[
                "clause",
                "propose",
                "--id",
                id,
                "--title",
                "Title",
                "--text",
                "Text.",
                "--key",
                &format!("{by}.pem"),
            ],
        );
    }
    for c in ["C1", "C2"] {
        for g in ["tr", "ru", "ir"] {
            at(
                &w,
                t,
                &["clause", "endorse", c, "--key", &format!("{g}.pem")],
            );
        }
    }
    let t = "2017-01-24T17:00:00Z";
    at(
        &w,
        t,
        &[
            "commit",
            "--id",
            "K1",
            "--clause",
            "C2",
            "--text",
            "Hold allied forces to the ceasefire.",
            "--key",
            "ru.pem",
        ],
    );
    at(
        &w,
        t,
        &[
            "commit",
            "--id",
            "K4",
            "--clause",
            "C1",
            "--text",
            "Convene the monitoring group.",
            "--due",
            "2017-02-06T18:00:00Z",
            "--key",
            "ru.pem",
        ],
    );
    at(
        &w,
        t,
        &[
            "commit",
            "--id",
            "K5",
            "--clause",
            "C2",
            "--zone",
            "Wadi Barada",
            "--text",
            "Observe the ceasefire.",
            "--key",
            "gov.pem",
        ],
    );
    at(
        &w,
        t,
        &[
            "commit",
            "--id",
            "K6",
            "--clause",
            "C3",
            "--text",
            "Attend Geneva.",
            "--key",
            "gov.pem",
        ],
    );
    w
}

/// Astana plus the allegation A1 against gov with evidence, gov's answer,
/// and ruling R1 (confirmed, breach K5) adopted by tr and ru over ir's
/// dissent. Returns the seq of R1's proposal.
fn ruled(w: &World) -> u64 {
    std::fs::write(
        w.path("report.txt"),
        "Council report: strikes on Ain al-Fijeh.\n",
    )
    .unwrap();
    at(
        w,
        "2017-01-26T08:00:00Z",
        &[
            "allege",
            "--id",
            "A1",
            "--against",
            "gov",
            "--commitment",
            "K5",
            "--occurred",
            "2017-01-25T06:00:00Z",
            "--location",
            "Wadi Barada",
            "--summary",
            "Offensive on the enclave.",
            "--evidence",
            "report.txt",
            "--key",
            "opp.pem",
        ],
    );
    at(
        w,
        "2017-01-27T10:00:00Z",
        &[
            "respond",
            "A1",
            "--position",
            "justify",
            "--text",
            "Targets a designated group.",
            "--key",
            "gov.pem",
        ],
    );
    let t = "2017-02-07T10:00:00Z";
    at(
        w,
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
            "gov",
            "--breach",
            "K5",
            "--text",
            "Confirmed.",
            "--key",
            "tr.pem",
        ],
    );
    let proposed = w.entry_list().last().unwrap().0;
    at(w, t, &["ruling", "endorse", "R1", "--key", "tr.pem"]);
    at(
        w,
        t,
        &[
            "ruling",
            "dissent",
            "R1",
            "--text",
            "The finding ignores the water cut.",
            "--key",
            "ir.pem",
        ],
    );
    at(w, t, &["ruling", "endorse", "R1", "--key", "ru.pem"]);
    proposed
}

fn party<'a>(obligations: &'a Value, id: &str) -> &'a Value {
    obligations["parties"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["party"] == id)
        .unwrap()
}

fn item<'a>(list: &'a Value, id: &str) -> &'a Value {
    list.as_array()
        .unwrap()
        .iter()
        .find(|x| x["id"] == id)
        .unwrap()
}

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
            "not one of",
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

#[test]
fn bad_projection_requests_get_one_line() {
    let w = astana();
    let e = one_line_error(
        w.accord(&["obligations", "--as-of", "2016-12-01T00:00:00Z"])
            .assert(),
    );
    assert!(e.contains("before the ledger was founded"), "{e}");
    let e = one_line_error(w.accord(&["obligations", "--at", "999"]).assert());
    assert!(e.contains("no entry 999"), "{e}");
    let e = one_line_error(w.accord(&["obligations", "--party", "xx"]).assert());
    assert!(e.contains("no party xx"), "{e}");
    let e = one_line_error(w.accord(&["history", "Z9"]).assert());
    assert!(e.contains("nothing on record concerns Z9"), "{e}");
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

/// Signs `event` as the holder of `key_file` on top of the ledger's head and
/// writes it straight into sled: validly signed and chained, but never
/// checked against the rules.
fn smuggle(w: &World, key_file: &str, event: impl FnOnce(&accord_core::State) -> Event) -> u64 {
    let key = private_key_from_pem(&std::fs::read_to_string(w.path(key_file)).unwrap()).unwrap();
    let entry = {
        let ledger = Ledger::open(&w.ledger()).unwrap();
        let state = ledger.replay().unwrap();
        let ev = event(&state);
        state.sign_next(&key, state.head_time(), ev).unwrap()
    };
    with_entries(&w.ledger(), |t| {
        t.insert(entry.seq().to_be_bytes(), entry.bytes.clone())
            .unwrap()
    });
    entry.seq()
}

fn r1_endorsement(state: &accord_core::State) -> Event {
    let r1 = RulingId::new("R1").unwrap();
    let proposal = state.records().rulings()[&r1].proposal.hash;
    Event::RulingEndorsed {
        ruling: r1,
        proposal,
    }
}

#[test]
fn verify_names_a_validly_signed_entry_that_breaks_a_rule() {
    // A ruling endorsement signed with the observer's own key.
    let w = astana();
    ruled(&w);
    let seq = smuggle(&w, "us.pem", r1_endorsement);
    let (bad, reason) = w.first_bad();
    assert_eq!(bad, seq);
    assert!(reason.contains("observer"), "{reason}");

    // A second endorsement by the same guarantor.
    let w = astana();
    ruled(&w);
    let seq = smuggle(&w, "tr.pem", r1_endorsement);
    let (bad, reason) = w.first_bad();
    assert_eq!(bad, seq);
    assert!(reason.contains("already endorsed"), "{reason}");
}
