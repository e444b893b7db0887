//! A mechanism's working items on the real binary: observations on the
//! charter's severity scale, evidence added later (salted digests whose
//! salt never enters the ledger, checked with `evidence check --salt`),
//! referrals between bodies, tasks and recommendations with their duties
//! and overdue phases, meeting records cosigned by their attendees.

use serde_json::Value;
use sha2::{Digest, Sha256};

use crate::common::{one_line_error, World};

const BODIES: &str = r#"
[[body]]
id = "board"
name = "Trilateral board"
members = ["tr", "ru"]
decision = "all"

[[body]]
id = "mvt"
name = "Monitoring and verification team"
members = ["mon", "ir"]
decision = "all"
parent = "board"
"#;

const FAR: &str = "2099-01-01T00:00:00Z";
const AFTER_FAR: &str = "2099-06-01T00:00:00Z";

/// A founded ledger whose charter has the bodies above and a severity
/// scale, adopted by every guarantor.
fn mechanism() -> World {
    let w = World::founded();
    std::fs::write(w.path("bodies.toml"), BODIES).unwrap();
    w.accord(&[
        "charter",
        "amend",
        "--id",
        "M1",
        "--reason",
        "Agreed at Astana.",
        "--body-file",
        "bodies.toml",
        "--set-scale",
        "severity=minor,serious,grave",
        "--key",
        "tr.pem",
    ])
    .assert()
    .success();
    for g in ["tr", "ru", "ir"] {
        w.accord(&["charter", "endorse", "M1", "--key", &format!("{g}.pem")])
            .assert()
            .success();
    }
    w
}

fn observe(w: &World, id: &str, extra: &[&str], key: &str) -> assert_cmd::assert::Assert {
    let mut args = vec![
        "observe",
        "--id",
        id,
        "--occurred",
        "2017-01-24T10:00:00Z",
        "--time-precision",
        "hour",
        "--location",
        "Wadi Barada",
        "--place-precision",
        "settlement",
        "--summary",
        "Shelling north of the spring.",
    ];
    args.extend_from_slice(extra);
    let key = format!("{key}.pem");
    args.extend_from_slice(&["--key", &key]);
    w.accord(&args).assert()
}

fn duties(w: &World, party: &str, extra: &[&str]) -> Vec<(String, String)> {
    let mut args = vec!["obligations", "--json", "--party", party];
    args.extend_from_slice(extra);
    w.json(&args)["parties"][0]["duties"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| {
            (
                d["duty"].as_str().unwrap().to_owned(),
                d["item"].as_str().unwrap().to_owned(),
            )
        })
        .collect()
}

fn has(d: &[(String, String)], duty: &str, item: &str) -> bool {
    d.iter().any(|(a, b)| a == duty && b == item)
}

fn view(w: &World, extra: &[&str]) -> Value {
    let mut args = vec!["observations", "--json"];
    args.extend_from_slice(extra);
    w.json(&args)
}

#[test]
fn an_observation_on_the_severity_scale_is_recorded_and_one_off_it_refused() {
    let w = mechanism();
    observe(&w, "O1", &["--severity", "serious"], "mon").success();
    let e = one_line_error(observe(&w, "O2", &["--severity", "apocalyptic"], "mon").failure());
    assert!(
        e.contains(
            "severity \"apocalyptic\" is not on the charter's severity scale (minor, serious, grave)"
        ),
        "{e}"
    );
    let v = view(&w, &[]);
    let o = &v["observations"];
    assert_eq!(o.as_array().unwrap().len(), 1, "{v}");
    assert_eq!(o[0]["id"], "O1");
    assert_eq!(o[0]["severity"], "serious");
    assert_eq!(o[0]["time_precision"], "hour");
    assert_eq!(o[0]["place_precision"], "settlement");
    assert_eq!(o[0]["occurred"], "2017-01-24T10:00:00Z");
}

#[test]
fn an_observation_needs_no_amendment_without_a_scale_but_a_severity_needs_one() {
    let w = World::founded();
    let e = one_line_error(observe(&w, "O1", &["--severity", "minor"], "mon").failure());
    assert!(
        e.contains("the charter defines no severity scale: amend it with --set-scale"),
        "{e}"
    );
    observe(&w, "O1", &[], "mon").success();
    let e = one_line_error(observe(&w, "O2", &[], "gov").failure());
    assert!(e.contains("cannot record observations"), "{e}");
}

fn sha256_hex(parts: &[&[u8]]) -> String {
    let mut h = Sha256::new();
    for p in parts {
        h.update(p);
    }
    hex::encode(h.finalize())
}

#[test]
fn salted_evidence_is_checked_only_with_its_salt_which_never_enters_the_ledger() {
    let w = World::founded();
    observe(&w, "O1", &[], "mon").success();
    let names = b"Ahmad\nBilal\nKarim\n";
    std::fs::write(w.path("names.csv"), names).unwrap();
    let out = w
        .accord(&[
            "evidence",
            "add",
            "O1",
            "names.csv",
            "--salted",
            "--note",
            "Names of the detained.",
            "--key",
            "mon.pem",
        ])
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    let out = String::from_utf8(out).unwrap();
    assert!(out.contains("evidence-added"), "{out}");
    let salt = std::fs::read_to_string(w.path("names.csv.salt")).unwrap();
    let salt = salt.trim().to_owned();
    assert_eq!(salt.len(), 64, "{salt}");
    assert!(out.contains(&salt), "the salt is printed once: {out}");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(w.path("names.csv.salt"))
            .unwrap()
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o600);
    }

    // The recorded digest is SHA-256(salt || file), not the plain one.
    let last = w.entry_list().last().unwrap().0;
    let shown = w.json(&["show", &last.to_string(), "--json"]);
    let exhibit = &shown["event"]["evidence"][0];
    assert_eq!(exhibit["salted"], true, "{shown}");
    let recorded = exhibit["sha256"].as_str().unwrap();
    assert_ne!(recorded, sha256_hex(&[names]));
    assert_eq!(recorded, sha256_hex(&[&hex::decode(&salt).unwrap(), names]));
    // The salt is nowhere in the ledger.
    let export = w
        .accord(&["export"])
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    assert!(!String::from_utf8_lossy(&export).contains(&salt));

    w.accord(&["evidence", "check", "O1", "names.csv"])
        .assert()
        .code(1)
        .stdout(predicates::str::contains("NO MATCH"));
    w.accord(&["evidence", "check", "O1", "names.csv", "--salt", &salt])
        .assert()
        .success()
        .stdout(predicates::str::contains("match: names.csv"));
    let wrong = "00".repeat(32);
    w.accord(&["evidence", "check", "O1", "names.csv", "--salt", &wrong])
        .assert()
        .code(1);
    let v = w.json(&[
        "evidence",
        "check",
        "O1",
        "names.csv",
        "--salt",
        &salt,
        "--json",
    ]);
    assert_eq!(v["matches"]["salted"], true, "{v}");

    // Unsalted evidence added later is checked with no salt; an outsider
    // adds none.
    std::fs::write(w.path("photo.jpg"), b"\xff\xd8 jpeg").unwrap();
    w.accord(&[
        "evidence",
        "add",
        "O1",
        "photo.jpg",
        "--note",
        "The crater.",
        "--key",
        "mon.pem",
    ])
    .assert()
    .success();
    assert!(!w.path("photo.jpg.salt").exists());
    w.accord(&["evidence", "check", "O1", "photo.jpg"])
        .assert()
        .success();
    let e = one_line_error(
        w.accord(&[
            "evidence",
            "add",
            "O1",
            "photo.jpg",
            "--note",
            "Mine.",
            "--key",
            "gov.pem",
        ])
        .assert(),
    );
    assert!(
        e.contains("gov may not add evidence to observation O1"),
        "{e}"
    );
    assert_eq!(view(&w, &[])["observations"][0]["evidence_added"], 2);
}

#[test]
fn a_referral_moves_an_observation_and_only_the_holding_body_refers_it_on() {
    let w = mechanism();
    observe(&w, "O1", &[], "mon").success();
    let refer = |key: &str, to: &str| {
        w.accord(&[
            "refer",
            "O1",
            "--to",
            to,
            "--note",
            "For the board.",
            "--key",
            &format!("{key}.pem"),
        ])
        .assert()
    };
    let e = one_line_error(refer("gov", "board"));
    assert!(e.contains("may not refer items"), "{e}");
    refer("un", "board").success();
    assert_eq!(view(&w, &[])["observations"][0]["held_by"], "board");
    let e = one_line_error(refer("ir", "mvt"));
    assert!(
        e.contains("observation O1 is held by body board: only its members refer it on, not ir"),
        "{e}"
    );
    refer("tr", "mvt").success();
    assert_eq!(view(&w, &[])["observations"][0]["held_by"], "mvt");
}

#[test]
fn a_task_asks_its_team_to_report_overdue_after_due_until_an_observation_answers_it() {
    let w = mechanism();
    let task = |key: &str| {
        w.accord(&[
            "task",
            "--id",
            "T1",
            "--team",
            "mvt",
            "--text",
            "Visit the spring.",
            "--due",
            FAR,
            "--key",
            &format!("{key}.pem"),
        ])
        .assert()
    };
    let e = one_line_error(task("gov"));
    assert!(e.contains("is not a member of body board"), "{e}");
    task("tr").success();
    assert!(has(&duties(&w, "mon", &[]), "report-task", "T1"));
    assert!(has(&duties(&w, "ir", &[]), "report-task", "T1"));
    assert!(!has(&duties(&w, "tr", &[]), "report-task", "T1"));
    assert_eq!(view(&w, &[])["tasks"][0]["state"], "open");
    assert_eq!(
        view(&w, &["--as-of", AFTER_FAR])["tasks"][0]["state"],
        "overdue"
    );
    observe(&w, "O1", &["--task", "T1", "--body", "mvt"], "mon").success();
    assert!(!has(&duties(&w, "mon", &[]), "report-task", "T1"));
    let v = view(&w, &["--as-of", AFTER_FAR]);
    assert_eq!(v["tasks"][0]["state"], "reported", "{v}");
    assert_eq!(v["tasks"][0]["reported_by"], "O1");
}

#[test]
fn a_recommendation_asks_measures_of_its_party_only_overdue_after_due() {
    let w = mechanism();
    w.accord(&[
        "recommend",
        "--id",
        "RC1",
        "--body",
        "board",
        "--to",
        "gov",
        "--text",
        "Release the detained listed.",
        "--due",
        FAR,
        "--key",
        "ru.pem",
    ])
    .assert()
    .success();
    assert!(has(&duties(&w, "gov", &[]), "report-measures", "RC1"));
    assert!(!has(&duties(&w, "opp", &[]), "report-measures", "RC1"));
    assert_eq!(view(&w, &[])["recommendations"][0]["state"], "pending");
    assert_eq!(
        view(&w, &["--as-of", AFTER_FAR])["recommendations"][0]["state"],
        "overdue"
    );
    let measures = |key: &str| {
        w.accord(&[
            "measures",
            "RC1",
            "--text",
            "Released 40.",
            "--key",
            &format!("{key}.pem"),
        ])
        .assert()
    };
    let e = one_line_error(measures("opp"));
    assert!(
        e.contains("only gov may report measures on recommendation RC1, not opp"),
        "{e}"
    );
    measures("gov").success();
    assert!(!has(&duties(&w, "gov", &[]), "report-measures", "RC1"));
    assert_eq!(
        view(&w, &["--as-of", AFTER_FAR])["recommendations"][0]["state"],
        "measures-reported"
    );
}

#[test]
fn a_meeting_record_is_cosigned_by_its_attendees_only() {
    let w = World::founded();
    w.accord(&[
        "meeting",
        "record",
        "--id",
        "MT1",
        "--held",
        "2017-01-24T09:00:00Z",
        "--place",
        "Astana",
        "--attendee",
        "gov",
        "--attendee",
        "opp",
        "--agenda",
        "Detainees",
        "--outcome",
        "Lists to be exchanged.",
        "--key",
        "un.pem",
    ])
    .assert()
    .success();
    assert!(has(&duties(&w, "gov", &[]), "cosign-meeting", "MT1"));
    assert!(!has(&duties(&w, "un", &[]), "cosign-meeting", "MT1"));
    let cosign = |key: &str| {
        w.accord(&["meeting", "cosign", "MT1", "--key", &format!("{key}.pem")])
            .assert()
    };
    let e = one_line_error(cosign("tr"));
    assert!(
        e.contains("tr did not attend meeting MT1: only its attendees cosign its record"),
        "{e}"
    );
    cosign("gov").success();
    let e = one_line_error(cosign("gov"));
    assert!(e.contains("already cosigned"), "{e}");
    assert!(!has(&duties(&w, "gov", &[]), "cosign-meeting", "MT1"));
    let m = &view(&w, &[])["meetings"][0];
    assert_eq!(m["state"], "recorded");
    assert_eq!(m["awaiting"], serde_json::json!(["opp"]));
    cosign("opp").success();
    assert_eq!(view(&w, &[])["meetings"][0]["state"], "cosigned");
    // The cosignature names the record's hash.
    let record = view(&w, &[])["meetings"][0]["record"].as_u64().unwrap();
    let hash = w.json(&["show", &record.to_string(), "--json"])["hash"].clone();
    let last = w.entry_list().last().unwrap().0;
    assert_eq!(
        w.json(&["show", &last.to_string(), "--json"])["event"]["record"],
        hash
    );
}
