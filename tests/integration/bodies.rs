//! Decisions by bodies on the real binary (issue 14): a ruling drafted by
//! a working group under its quorum, provisional until the trilateral
//! group above it ratifies it, with the accused's allies recused and views
//! recorded by parties that do not vote; a consensus that lapses; and the
//! Sochi memorandum tabled for Russia and Turkey alone.

use serde_json::Value;

use crate::common::{one_line_error, World};

const BODIES: &str = r#"
[[body]]
id = "trilateral"
name = "Astana trilateral group"
members = ["ru", "tr", "ir"]
decision = "all"

[[body]]
id = "jwg"
name = "Joint working group on the ceasefire"
members = ["ru", "tr", "ir", "gov"]
decision = "quorum 2"
recuse_accused = true
parent = "trilateral"
parent_adopts = true

[[body]]
id = "cc"
name = "Consensus committee"
members = ["ru", "tr"]
decision = "consensus 1h"
"#;

/// Runs `accord` at a claimed time; the output, success asserted.
fn at(w: &World, time: &str, args: &[&str]) -> std::process::Output {
    let mut full = vec!["--time", time];
    full.extend_from_slice(args);
    let out = w.accord(&full).output().unwrap();
    assert!(
        out.status.success(),
        "{args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    out
}

/// Runs `accord` at a claimed time; the one-line refusal.
fn refused(w: &World, time: &str, args: &[&str]) -> String {
    let mut full = vec!["--time", time];
    full.extend_from_slice(args);
    one_line_error(w.accord(&full).assert().failure())
}

/// A founded ledger with clause C1 adopted, gov's commitment K1 under it,
/// and opp's allegation A1 against gov over K1.
fn world() -> World {
    let w = World::new();
    let t = "2018-01-10T09:00:00Z";
    at(
        &w,
        t,
        &["init", "--charter", "charter.toml", "--key", "un.pem"],
    );
    at(
        &w,
        t,
        &[
            "clause",
            "propose",
            "--id",
            "C1",
            "--title",
            "Ceasefire",
            "--text",
            "Hold fire.",
            "--key",
            "ru.pem",
        ],
    );
    for g in ["tr", "ru", "ir"] {
        at(
            &w,
            t,
            &["clause", "endorse", "C1", "--key", &format!("{g}.pem")],
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
            "Hold fire in Idlib.",
            "--key",
            "gov.pem",
        ],
    );
    at(
        &w,
        "2018-01-12T09:00:00Z",
        &[
            "allege",
            "--id",
            "A1",
            "--against",
            "gov",
            "--commitment",
            "K1",
            "--occurred",
            "2018-01-11T06:00:00Z",
            "--location",
            "Khan Shaykhun",
            "--summary",
            "Shelling of the town.",
            "--key",
            "opp.pem",
        ],
    );
    w
}

/// The bodies of [`BODIES`], adopted by every guarantor.
fn with_bodies(w: &World) {
    std::fs::write(w.path("bodies.toml"), BODIES).unwrap();
    let t = "2018-01-12T10:00:00Z";
    at(
        w,
        t,
        &[
            "charter",
            "amend",
            "--id",
            "M1",
            "--reason",
            "Bodies.",
            "--body-file",
            "bodies.toml",
            "--key",
            "tr.pem",
        ],
    );
    for g in ["tr", "ru", "ir"] {
        at(
            w,
            t,
            &["charter", "endorse", "M1", "--key", &format!("{g}.pem")],
        );
    }
}

fn party<'a>(v: &'a Value, id: &str) -> &'a Value {
    v["parties"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["party"] == id)
        .unwrap()
}

fn find<'a>(list: &'a Value, id: &str) -> Option<&'a Value> {
    list.as_array().unwrap().iter().find(|x| x["id"] == id)
}

fn has_duty(v: &Value, who: &str, duty: &str, item: &str) -> bool {
    party(v, who)["duties"]
        .as_array()
        .unwrap()
        .iter()
        .any(|d| d["duty"] == duty && d["item"] == item)
}

fn propose_r1(w: &World, t: &str, signer: &str, body: &str) -> std::process::Output {
    let mut full = vec!["--time", t];
    full.extend_from_slice(&[
        "ruling",
        "propose",
        "--id",
        "R1",
        "--body",
        body,
        "--allegation",
        "A1",
        "--finding",
        "confirmed",
        "--attribution",
        "gov",
        "--breach",
        "K1",
        "--text",
        "The shelling is established.",
        "--key",
    ]);
    let key = format!("{signer}.pem");
    full.push(&key);
    w.accord(&full).output().unwrap()
}

#[test]
fn a_working_group_ruling_is_provisional_until_the_trilateral_group_ratifies_it() {
    let w = world();
    with_bodies(&w);
    let t = "2018-01-13T09:00:00Z";
    // opp sits on no body: it cannot draft the group's ruling
    let out = propose_r1(&w, t, "opp", "jwg");
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("opp is not a member of body jwg"),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let out = propose_r1(&w, t, "ru", "jwg");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    // gov, accused in A1, is recused: no duty, and its endorsement is refused
    let o = w.json(&["obligations", "--json"]);
    assert!(has_duty(&o, "tr", "endorse-ruling", "R1"), "{o}");
    assert!(!has_duty(&o, "gov", "endorse-ruling", "R1"), "{o}");
    let why = refused(&w, t, &["ruling", "endorse", "R1", "--key", "gov.pem"]);
    assert!(why.contains("gov is recused from ruling R1"), "{why}");
    // opp, no member, records its view; ir, who votes, cannot
    at(
        &w,
        t,
        &[
            "view",
            "R1",
            "--text",
            "The town was shelled twice.",
            "--key",
            "opp.pem",
        ],
    );
    let why = refused(&w, t, &["view", "R1", "--text", "x", "--key", "ir.pem"]);
    assert!(why.contains("ir votes on R1"), "{why}");

    for g in ["ru", "tr"] {
        at(
            &w,
            t,
            &["ruling", "endorse", "R1", "--key", &format!("{g}.pem")],
        );
    }
    let o = w.json(&["obligations", "--json"]);
    let r1 = find(&party(&o, "ru")["rulings"], "R1").expect("R1 concerns ru");
    assert_eq!(r1["state"], "provisional");
    assert_eq!(r1["body"], "jwg");
    assert_eq!(r1["on"], "A1");
    assert!(r1["provisional_at"].is_u64(), "{r1}");
    assert_eq!(
        find(&party(&o, "gov")["commitments"], "K1").unwrap()["state"],
        "active"
    );
    for g in ["ru", "tr", "ir"] {
        assert!(has_duty(&o, g, "ratify-ruling", "R1"), "{g}: {o}");
    }
    let why = refused(&w, t, &["ruling", "ratify", "R1", "--key", "gov.pem"]);
    assert!(
        why.contains("gov is not a member of body trilateral"),
        "{why}"
    );

    for g in ["ru", "tr"] {
        at(
            &w,
            t,
            &["ruling", "ratify", "R1", "--key", &format!("{g}.pem")],
        );
    }
    let o = w.json(&["obligations", "--json"]);
    assert_eq!(
        find(&party(&o, "gov")["commitments"], "K1").unwrap()["state"],
        "active",
        "the trilateral group decides by all: two of three do not adopt"
    );
    at(&w, t, &["ruling", "ratify", "R1", "--key", "ir.pem"]);
    let o = w.json(&["obligations", "--json", "--all"]);
    let r1 = find(&party(&o, "gov")["rulings"], "R1").unwrap();
    assert_eq!(r1["state"], "adopted");
    assert_eq!(r1["ratified_by"], serde_json::json!(["ru", "tr", "ir"]));
    assert_eq!(
        find(&party(&o, "gov")["commitments"], "K1").unwrap()["state"],
        "breached"
    );
    assert!(!has_duty(&o, "ir", "ratify-ruling", "R1"), "{o}");
    // the record of R1 has the view and the ratifications, and verifies
    let out = w.accord(&["history", "R1", "--json"]).output().unwrap();
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
        kinds.iter().filter(|k| *k == "view-recorded").count(),
        1,
        "{kinds:?}"
    );
    assert_eq!(
        kinds.iter().filter(|k| *k == "ruling-ratified").count(),
        3,
        "{kinds:?}"
    );
    w.accord(&["verify"]).assert().success();
}

#[test]
fn a_consensus_that_lapses_refuses_later_endorsements() {
    let w = world();
    with_bodies(&w);
    let out = propose_r1(&w, "2018-01-13T09:00:00Z", "ru", "cc");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    at(
        &w,
        "2018-01-13T09:10:00Z",
        &["ruling", "endorse", "R1", "--key", "ru.pem"],
    );
    let o = w.json(&["obligations", "--json", "--as-of", "2018-01-13T09:30:00Z"]);
    assert_eq!(
        find(&party(&o, "ru")["rulings"], "R1").unwrap()["state"],
        "proposed"
    );
    assert!(has_duty(&o, "tr", "endorse-ruling", "R1"), "{o}");
    // an hour after the draft, the consensus has lapsed
    let why = refused(
        &w,
        "2018-01-13T11:00:00Z",
        &["ruling", "endorse", "R1", "--key", "tr.pem"],
    );
    assert!(
        why.contains("ruling R1 has no consensus: the lapse passed"),
        "{why}"
    );
    let o = w.json(&["obligations", "--json", "--all"]);
    assert_eq!(
        find(&party(&o, "ru")["rulings"], "R1").unwrap()["state"],
        "no-consensus"
    );
    assert!(!has_duty(&o, "tr", "endorse-ruling", "R1"), "{o}");
    assert_eq!(
        find(&party(&o, "gov")["allegations_against"], "A1").unwrap()["state"],
        "filed"
    );
}

#[test]
fn the_sochi_memorandum_binds_only_russia_and_turkey() {
    let w = world();
    let t = "2018-09-17T15:00:00Z";
    at(
        &w,
        t,
        &[
            "clause",
            "propose",
            "--id",
            "S1",
            "--title",
            "Sochi memorandum on the Idlib de-escalation area",
            "--text",
            "A demilitarised zone 15-20 km deep inside the de-escalation area.",
            "--signatories",
            "ru,tr",
            "--key",
            "ru.pem",
        ],
    );
    // Iran, a guarantor of Astana but not of Sochi, owes nothing and cannot endorse
    let o = w.json(&["obligations", "--json"]);
    assert!(!has_duty(&o, "ir", "endorse-clause", "S1"), "{o}");
    assert!(has_duty(&o, "tr", "endorse-clause", "S1"), "{o}");
    assert!(!has_duty(&o, "gov", "accept-clause", "S1"), "{o}");
    let why = refused(&w, t, &["clause", "endorse", "S1", "--key", "ir.pem"]);
    assert_eq!(
        why.trim_end(),
        "error: rejected: ir is not a signatory of clause S1: it cannot endorse it"
    );
    for g in ["ru", "tr"] {
        at(
            &w,
            t,
            &["clause", "endorse", "S1", "--key", &format!("{g}.pem")],
        );
    }
    let s1 = w.json(&["clause", "show", "S1", "--json"]);
    assert_eq!(s1["phase"], "adopted", "{s1}");
    assert_eq!(s1["signatories"], serde_json::json!(["ru", "tr"]));
    assert_eq!(s1["to_accept"], serde_json::json!([]));
    let text =
        String::from_utf8(w.accord(&["clause", "show", "S1"]).output().unwrap().stdout).unwrap();
    assert!(text.contains("signatories ru, tr"), "{text}");
    // gov is no signatory: it cannot commit under Sochi; Turkey can
    let why = refused(
        &w,
        t,
        &[
            "commit",
            "--id",
            "K9",
            "--clause",
            "S1",
            "--text",
            "Withdraw heavy weapons.",
            "--key",
            "gov.pem",
        ],
    );
    assert!(
        why.contains("gov is not a signatory of clause S1: it cannot commit under it"),
        "{why}"
    );
    at(
        &w,
        t,
        &[
            "commit",
            "--id",
            "K9",
            "--clause",
            "S1",
            "--text",
            "Rid the zone of radical groups.",
            "--key",
            "tr.pem",
        ],
    );
    // a signatory list without a guarantor is refused in one line
    let why = refused(
        &w,
        t,
        &[
            "clause",
            "propose",
            "--id",
            "S2",
            "--title",
            "t",
            "--text",
            "x",
            "--signatories",
            "gov,opp",
            "--key",
            "un.pem",
        ],
    );
    assert!(why.contains("names no guarantor"), "{why}");
    w.accord(&["verify"]).assert().success();
}
