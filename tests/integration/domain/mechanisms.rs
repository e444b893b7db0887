//! Three real mechanisms played on the binary, each with its bodies and
//! procedure from the public record (docs/DOMAIN.md, "Real mechanisms,
//! step by step"): the Astana trilateral group with the Sochi memorandum
//! adopted bilaterally and an incident attributed to HTS; CTSAMVM's team
//! report, Technical Committee review, Board adoption, referral to RJMEC
//! and a recommendation that becomes overdue; Colombia's local incident
//! escalated to national level and settled by the UN component. Each
//! asserts the views at the key points.

use super::{at, item, party};
use crate::common::{one_line_error, World};
use serde_json::Value;

/// Runs `accord` at `time` and returns the seq of the entry it appended.
fn signed(w: &World, time: &str, args: &[&str]) -> u64 {
    at(w, time, args);
    w.entry_list().last().unwrap().0
}

/// The refusal of `args` at `time`, checked to leave the ledger unchanged.
fn refused(w: &World, time: &str, args: &[&str]) -> String {
    let before = w.entry_list().len();
    let mut full = vec!["--time", time];
    full.extend_from_slice(args);
    let err = one_line_error(w.accord(&full).assert().failure());
    assert_eq!(w.entry_list().len(), before, "{args:?} appended");
    err
}

fn duties(o: &Value, p: &str) -> Vec<String> {
    party(o, p)["duties"]
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

fn view(w: &World, seq: u64) -> Value {
    w.json(&["obligations", "--json", "--all", "--at", &seq.to_string()])
}

/// Proposes amendment M1 (by `by`) carrying `change`, endorsed by every
/// guarantor in `guarantors`; the adopting entry's seq.
fn mechanism(w: &World, time: &str, by: &str, guarantors: &[&str], change: &[&str]) -> u64 {
    let mut args = vec![
        "charter",
        "amend",
        "--id",
        "M1",
        "--reason",
        "The mechanism.",
    ];
    args.extend_from_slice(change);
    let key = format!("{by}.pem");
    args.extend_from_slice(&["--key", &key]);
    at(w, time, &args);
    let mut last = 0;
    for g in guarantors {
        last = signed(
            w,
            time,
            &["charter", "endorse", "M1", "--key", &format!("{g}.pem")],
        );
    }
    last
}

/// Proposes clause `id`, endorsed by `endorsers` and accepted by `acceptors`.
fn adopted_clause(
    w: &World,
    time: &str,
    id: &str,
    text: &str,
    endorsers: &[&str],
    acceptors: &[&str],
) {
    at(
        w,
        time,
        &[
            "clause",
            "propose",
            "--id",
            id,
            "--title",
            id,
            "--text",
            text,
            "--key",
            &format!("{}.pem", endorsers[0]),
        ],
    );
    for e in endorsers {
        at(
            w,
            time,
            &["clause", "endorse", id, "--key", &format!("{e}.pem")],
        );
    }
    for a in acceptors {
        at(
            w,
            time,
            &["clause", "accept", id, "--key", &format!("{a}.pem")],
        );
    }
}

// ---------------------------------------------------------------------------
// (a) The Astana trilateral group, the Sochi memorandum, and HTS.

const TRILATERAL: &str = r#"
[[body]]
id = "trilateral"
name = "Astana trilateral group (Joint Group)"
members = ["ru", "tr", "ir"]
decision = "all"
"#;

#[test]
fn astana_sochi_is_adopted_by_its_two_signatories_and_an_attack_is_attributed_to_hts() {
    let w = World::new();
    at(
        &w,
        "2017-01-23T09:00:00Z",
        &["init", "--charter", "charter.toml", "--key", "un.pem"],
    );
    std::fs::write(w.path("bodies.toml"), TRILATERAL).unwrap();
    let listed = mechanism(
        &w,
        "2017-02-16T10:00:00Z",
        "ru",
        &["tr", "ru", "ir"],
        &[
            "--body-file",
            "bodies.toml",
            "--list-actor",
            "hts",
            "--actor-name",
            "Hay'at Tahrir al-Sham (Jabhat al-Nusra / Jabhat Fatah al-Sham)",
            "--standing",
            "designated",
        ],
    );

    // Sochi, 17 September 2018: Russia and Turkey only.
    let t = "2018-09-17T18:00:00Z";
    at(
        &w,
        t,
        &[
            "clause", "propose", "--id", "SOCHI", "--title", "Memorandum on the Idlib de-escalation area",
            "--text", "A demilitarised zone 15-20 km deep inside the Idlib de-escalation area; heavy weapons withdrawn by 10 October 2018; radical groups out of the zone by 15 October 2018.",
            "--signatories", "ru,tr", "--key", "ru.pem",
        ],
    );
    let pending = w.json(&["obligations", "--json", "--all"]);
    assert!(
        duties(&pending, "tr").contains(&"endorse-clause SOCHI".to_owned()),
        "{pending}"
    );
    for p in ["ir", "gov", "opp"] {
        assert!(
            !duties(&pending, p).iter().any(|d| d.ends_with(" SOCHI")),
            "{p} owes nothing under Sochi: {pending}"
        );
    }
    let err = refused(&w, t, &["clause", "endorse", "SOCHI", "--key", "ir.pem"]);
    assert!(err.contains("signator"), "{err}");
    at(&w, t, &["clause", "endorse", "SOCHI", "--key", "ru.pem"]);
    let adopted = signed(&w, t, &["clause", "endorse", "SOCHI", "--key", "tr.pem"]);
    let clause = w.json(&["clause", "show", "SOCHI", "--json"]);
    assert_eq!(clause["adopted_at"], adopted, "{clause}");
    assert_eq!(
        clause["signatories"],
        serde_json::json!(["ru", "tr"]),
        "{clause}"
    );

    // Each signatory undertakes its part; Iran cannot commit under it.
    at(
        &w,
        t,
        &[
            "commit",
            "--id",
            "K1",
            "--clause",
            "SOCHI",
            "--due",
            "2018-10-10T00:00:00Z",
            "--text",
            "Withdraw the heavy weapons of the opposition groups Turkey supports from the zone.",
            "--key",
            "tr.pem",
        ],
    );
    let err = refused(
        &w,
        t,
        &[
            "commit", "--id", "K2", "--clause", "SOCHI", "--text", "Patrol.", "--key", "ir.pem",
        ],
    );
    assert!(err.contains("signator"), "{err}");

    // An attack from inside the zone (illustrative), attributed to HTS.
    let t = "2018-10-21T09:00:00Z";
    let filed = signed(
        &w,
        t,
        &[
            "allege",
            "--id",
            "A1",
            "--against",
            "hts",
            "--occurred",
            "2018-10-20T22:00:00Z",
            "--location",
            "Northern Hama countryside, inside the demilitarised zone",
            "--summary",
            "Mortar fire on government-held villages from positions inside the zone.",
            "--key",
            "ru.pem",
        ],
    );
    let o = view(&w, filed);
    for p in ["gov", "opp", "tr", "ru", "ir"] {
        assert!(
            !duties(&o, p).iter().any(|d| d.ends_with(" A1")),
            "an actor answers nothing: {o}"
        );
    }
    let err = refused(
        &w,
        t,
        &[
            "ruling",
            "propose",
            "--id",
            "R0",
            "--allegation",
            "A1",
            "--body",
            "trilateral",
            "--finding",
            "confirmed",
            "--attribution",
            "us",
            "--text",
            "x",
            "--key",
            "ru.pem",
        ],
    );
    assert!(err.contains("observer"), "{err}");
    at(&w, t, &["ruling", "propose", "--id", "R1", "--allegation", "A1", "--body", "trilateral",
        "--finding", "confirmed", "--attribution", "hts",
        "--text", "The group's own statements and the monitors' reports place the mortar positions with HTS.", "--key", "ru.pem"]);
    at(&w, t, &["ruling", "endorse", "R1", "--key", "ru.pem"]);
    at(&w, t, &["ruling", "endorse", "R1", "--key", "tr.pem"]);
    let before = w.entry_list().last().unwrap().0;
    let ruled = signed(&w, t, &["ruling", "endorse", "R1", "--key", "ir.pem"]);
    let actors = w.json(&["actors", "--json"]);
    let hts = item(&actors["actors"], "hts");
    assert_eq!(hts["standing"], "designated", "{actors}");
    assert_eq!(hts["listed_at"], listed, "{actors}");
    assert!(
        hts.to_string().contains("A1") && hts.to_string().contains("R1"),
        "{actors}"
    );
    let history = w.accord(&["history", "A1"]).output().unwrap();
    let history = String::from_utf8(history.stdout).unwrap();
    assert!(history.contains("R1"), "{history}");
    assert_ne!(view(&w, before), view(&w, ruled));
    w.accord(&["verify"]).assert().success();
}

// ---------------------------------------------------------------------------
// (b) CTSAMVM: team report, Technical Committee, Board, RJMEC.

const CTSAMVM_PARTIES: [(&str, &str, &str); 5] = [
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

const CTSAMVM_BODIES: &str = r#"
[[body]]
id = "mvt"
name = "Monitoring and verification team, Yei"
members = ["ctsamvm"]
decision = "all"

[[body]]
id = "board"
name = "CTSAMVM Board"
members = ["ctsamvm", "igad", "tgonu", "io"]
decision = "consensus 14d"
recuse_accused = true

[[body]]
id = "tc"
name = "CTSAMVM Technical Committee"
members = ["ctsamvm", "tgonu", "io"]
decision = "quorum 2"
recuse_accused = true
parent = "board"
parent_adopts = true

[[body]]
id = "rjmec"
name = "Reconstituted Joint Monitoring and Evaluation Commission"
members = ["jmec", "igad"]
decision = "quorum 1"
"#;

#[test]
fn ctsamvm_a_team_report_is_reviewed_adopted_by_the_board_referred_and_its_recommendation_falls_overdue(
) {
    let w = World::with_parties(
        "Agreement on the Cessation of Hostilities",
        &CTSAMVM_PARTIES,
    );
    at(
        &w,
        "2017-12-21T12:00:00Z",
        &["init", "--charter", "charter.toml", "--key", "igad.pem"],
    );
    let t = "2017-12-22T12:00:00Z";
    adopted_clause(&w, t, "C1", "The parties cease all military actions aimed at each other and protect civilians from 24 December 2017.", &["igad", "jmec"], &["tgonu", "io"]);
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
            "Cease all military actions aimed at the SPLA-IO and protect civilians.",
            "--key",
            "tgonu.pem",
        ],
    );
    std::fs::write(w.path("bodies.toml"), CTSAMVM_BODIES).unwrap();
    mechanism(
        &w,
        "2018-01-05T09:00:00Z",
        "igad",
        &["igad", "jmec"],
        &[
            "--body-file",
            "bodies.toml",
            "--set-scale",
            "severity=minor,serious,grave",
            "--set-scale",
            "violation=attack-on-civilians,troop-movement,obstruction-of-monitors",
        ],
    );

    // The team's report: nobody accused, precision stated, classified.
    let t = "2018-02-02T15:00:00Z";
    let err = refused(
        &w,
        t,
        &[
            "observe",
            "--id",
            "O1",
            "--body",
            "mvt",
            "--occurred",
            "2018-01-28T06:00:00Z",
            "--time-precision",
            "day",
            "--location",
            "Yei River State",
            "--place-precision",
            "region",
            "--severity",
            "catastrophic",
            "--summary",
            "x",
            "--key",
            "ctsamvm.pem",
        ],
    );
    assert!(
        err.contains("severity") && err.contains("minor, serious, grave"),
        "{err}"
    );
    let reported = signed(&w, t, &["observe", "--id", "O1", "--body", "mvt", "--occurred", "2018-01-28T06:00:00Z",
        "--time-precision", "day", "--location", "Yei River State, villages south of Yei town",
        "--place-precision", "district", "--severity", "grave", "--violation", "attack-on-civilians",
        "--summary", "The team found homes burnt and heard accounts of civilians killed during an attack on the villages.",
        "--key", "ctsamvm.pem"]);
    let obs = w.json(&["observations", "--json"]);
    let o1 = item(&obs["observations"], "O1");
    assert_eq!(o1["severity"], "grave", "{obs}");
    assert_eq!(o1["violation"], "attack-on-civilians", "{obs}");
    assert_eq!(o1["place_precision"], "district", "{obs}");

    // The Technical Committee reviews it; the accused government sits out.
    let t = "2018-02-10T10:00:00Z";
    at(
        &w,
        t,
        &[
            "ruling",
            "propose",
            "--id",
            "R1",
            "--on",
            "O1",
            "--body",
            "tc",
            "--finding",
            "confirmed",
            "--attribution",
            "tgonu",
            "--breach",
            "K1",
            "--text",
            "The attack is attributed to government forces.",
            "--key",
            "ctsamvm.pem",
        ],
    );
    let err = refused(&w, t, &["ruling", "endorse", "R1", "--key", "tgonu.pem"]);
    assert!(err.contains("recused"), "{err}");
    at(&w, t, &["ruling", "endorse", "R1", "--key", "ctsamvm.pem"]);
    let provisional = signed(&w, t, &["ruling", "endorse", "R1", "--key", "io.pem"]);
    let o = view(&w, provisional);
    assert_eq!(
        item(&party(&o, "tgonu")["commitments"], "K1")["state"],
        "active",
        "provisional: no breach yet: {o}"
    );
    assert!(
        duties(&o, "igad").contains(&"ratify-ruling R1".to_owned()),
        "{o}"
    );

    // The Board adopts it: only then is the commitment breached.
    let t = "2018-02-20T10:00:00Z";
    at(&w, t, &["ruling", "ratify", "R1", "--key", "igad.pem"]);
    at(&w, t, &["ruling", "ratify", "R1", "--key", "ctsamvm.pem"]);
    let adopted = signed(&w, t, &["ruling", "ratify", "R1", "--key", "io.pem"]);
    let before = view(&w, adopted - 1);
    let after = view(&w, adopted);
    assert_eq!(
        item(&party(&before, "tgonu")["commitments"], "K1")["state"],
        "active",
        "{before}"
    );
    assert_eq!(
        item(&party(&after, "tgonu")["commitments"], "K1")["state"],
        "breached",
        "{after}"
    );

    // Referred to RJMEC, which recommends; the report of measures falls overdue.
    at(
        &w,
        "2018-02-21T10:00:00Z",
        &[
            "refer",
            "R1",
            "--to",
            "rjmec",
            "--note",
            "Board report forwarded.",
            "--key",
            "ctsamvm.pem",
        ],
    );
    let recommended = signed(
        &w,
        "2018-03-01T10:00:00Z",
        &[
            "recommend",
            "--id",
            "RC1",
            "--body",
            "rjmec",
            "--to",
            "tgonu",
            "--about",
            "R1",
            "--text",
            "Hold those responsible to account and report the measures taken.",
            "--due",
            "2018-03-31T00:00:00Z",
            "--key",
            "jmec.pem",
        ],
    );
    let o = view(&w, recommended);
    assert!(
        duties(&o, "tgonu").contains(&"report-measures RC1".to_owned()),
        "{o}"
    );
    let on_time = w.json(&["observations", "--json", "--as-of", "2018-03-30T00:00:00Z"]);
    assert_eq!(
        item(&on_time["recommendations"], "RC1")["state"],
        "pending",
        "{on_time}"
    );
    let late = w.json(&["observations", "--json", "--as-of", "2018-04-15T00:00:00Z"]);
    assert_eq!(
        item(&late["recommendations"], "RC1")["state"],
        "overdue",
        "{late}"
    );
    let o = w.json(&[
        "obligations",
        "--json",
        "--all",
        "--as-of",
        "2018-04-15T00:00:00Z",
    ]);
    assert!(
        duties(&o, "tgonu").contains(&"report-measures RC1".to_owned()),
        "still owed: {o}"
    );
    let err = refused(
        &w,
        "2018-04-16T00:00:00Z",
        &["measures", "RC1", "--text", "x", "--key", "io.pem"],
    );
    assert!(err.contains("tgonu"), "{err}");
    let _ = reported;
    w.accord(&["verify"]).assert().success();
}

// ---------------------------------------------------------------------------
// (c) Colombia: local, national, and the UN component settles.

const COLOMBIA_PARTIES: [(&str, &str, &str); 5] = [
    ("no", "Kingdom of Norway", "guarantor"),
    ("cu", "Republic of Cuba", "guarantor"),
    ("gov", "Government of Colombia", "party"),
    ("farc", "FARC-EP", "party"),
    ("un", "United Nations Mission in Colombia", "monitor"),
];

const COLOMBIA_BODIES: &str = r#"
[[body]]
id = "national"
name = "Monitoring and verification mechanism, national level"
members = ["gov", "farc", "un"]
decision = "consensus 7d"

[[body]]
id = "local"
name = "Monitoring and verification mechanism, local team"
members = ["gov", "farc", "un"]
decision = "consensus 2d"
parent = "national"

[[body]]
id = "un-component"
name = "International component (UN)"
members = ["un"]
decision = "all"
parent = "national"
"#;

#[test]
fn colombia_a_local_incident_is_classified_escalated_and_settled_by_the_un_component() {
    let w = World::with_parties("Bilateral and definitive ceasefire", &COLOMBIA_PARTIES);
    at(
        &w,
        "2016-11-30T12:00:00Z",
        &["init", "--charter", "charter.toml", "--key", "no.pem"],
    );
    let t = "2016-12-01T12:00:00Z";
    adopted_clause(&w, t, "C1", "The FARC-EP units move to the transitional local zones and stay within them; the security forces keep out of the security perimeter.", &["no", "cu"], &["gov", "farc"]);
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
            "Keep FARC-EP units within the transitional local zones.",
            "--key",
            "farc.pem",
        ],
    );
    std::fs::write(w.path("bodies.toml"), COLOMBIA_BODIES).unwrap();
    mechanism(
        &w,
        "2016-12-02T09:00:00Z",
        "no",
        &["no", "cu"],
        &[
            "--body-file",
            "bodies.toml",
            "--set-scale",
            "severity=minor,serious,very-serious",
        ],
    );

    // The local team records and classifies the incident.
    let t = "2017-03-10T16:00:00Z";
    at(
        &w,
        t,
        &[
            "observe",
            "--id",
            "O1",
            "--body",
            "local",
            "--occurred",
            "2017-03-10T07:00:00Z",
            "--time-precision",
            "hour",
            "--location",
            "Transitional local zone, security perimeter",
            "--place-precision",
            "settlement",
            "--severity",
            "serious",
            "--summary",
            "Armed members of a FARC-EP unit seen outside the zone's perimeter.",
            "--key",
            "un.pem",
        ],
    );

    // No consensus at local level: the FARC-EP member dissents.
    at(
        &w,
        t,
        &[
            "ruling",
            "propose",
            "--id",
            "R1",
            "--on",
            "O1",
            "--body",
            "local",
            "--finding",
            "confirmed",
            "--attribution",
            "farc",
            "--text",
            "Confirmed.",
            "--key",
            "gov.pem",
        ],
    );
    at(&w, t, &["ruling", "endorse", "R1", "--key", "gov.pem"]);
    let closed = signed(
        &w,
        t,
        &[
            "ruling",
            "dissent",
            "R1",
            "--key",
            "farc.pem",
            "--text",
            "The unit was escorting a supply run agreed with the local team.",
        ],
    );

    let o = view(&w, closed);
    assert!(o.to_string().contains("no-consensus"), "{o}");

    // Escalated to national level: the local team can no longer rule on it.
    let t = "2017-03-13T10:00:00Z";
    at(
        &w,
        t,
        &[
            "refer",
            "O1",
            "--to",
            "national",
            "--note",
            "No consensus at local level.",
            "--key",
            "un.pem",
        ],
    );
    let err = refused(
        &w,
        t,
        &[
            "ruling",
            "propose",
            "--id",
            "R2",
            "--on",
            "O1",
            "--body",
            "local",
            "--finding",
            "confirmed",
            "--attribution",
            "farc",
            "--text",
            "x",
            "--key",
            "gov.pem",
        ],
    );
    assert!(err.contains("national"), "{err}");
    at(
        &w,
        t,
        &[
            "ruling",
            "propose",
            "--id",
            "R2",
            "--on",
            "O1",
            "--body",
            "national",
            "--finding",
            "confirmed",
            "--attribution",
            "farc",
            "--text",
            "Confirmed.",
            "--key",
            "gov.pem",
        ],
    );
    at(
        &w,
        t,
        &[
            "ruling",
            "dissent",
            "R2",
            "--key",
            "farc.pem",
            "--text",
            "Same objection.",
        ],
    );

    // The UN component settles it.
    let t = "2017-03-20T10:00:00Z";
    at(
        &w,
        t,
        &[
            "refer",
            "O1",
            "--to",
            "un-component",
            "--note",
            "No consensus at national level: the international component settles.",
            "--key",
            "un.pem",
        ],
    );
    at(
        &w,
        t,
        &[
            "ruling",
            "propose",
            "--id",
            "R3",
            "--on",
            "O1",
            "--body",
            "un-component",
            "--finding",
            "incident-not-violation",
            "--attribution",
            "farc",
            "--text",
            "The movement was outside the perimeter but agreed with the local team beforehand.",
            "--key",
            "un.pem",
        ],
    );
    let settled = signed(&w, t, &["ruling", "endorse", "R3", "--key", "un.pem"]);
    let obs = w.json(&["observations", "--json", "--at", &settled.to_string()]);
    let o1 = item(&obs["observations"], "O1");
    assert_eq!(o1["severity"], "serious", "{obs}");
    assert_eq!(o1["held_by"], "un-component", "{obs}");
    let states: Vec<String> = o1["rulings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            format!(
                "{} {} {}",
                r["id"].as_str().unwrap(),
                r["body"].as_str().unwrap(),
                r["state"].as_str().unwrap()
            )
        })
        .collect();
    assert_eq!(
        states,
        [
            "R1 local no-consensus",
            "R2 national no-consensus",
            "R3 un-component adopted"
        ],
        "{obs}"
    );
    let o = view(&w, settled);
    assert_eq!(
        item(&party(&o, "farc")["commitments"], "K1")["state"],
        "active",
        "not a violation: {o}"
    );
    w.accord(&["verify"]).assert().success();
}
