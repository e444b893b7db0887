//! The mechanism in force, changed by charter amendment on the real
//! binary: bodies from a bodies file, scales, and the actor register (HTS
//! listed as designated by the UN Security Council, resolution 2170 of
//! 2014 for al-Nusra), each effective from the adopting entry; the
//! refusals of bodies, scales and listings that do not fit the charter.

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
members = ["ru", "tr", "ir", "un"]
decision = "quorum 2"
recuse_accused = true
parent = "trilateral"
parent_adopts = true
"#;

/// Proposes amendment `id` (by tr) with `change`, has every guarantor
/// endorse it, and returns the adopting entry's seq.
fn adopt(w: &World, id: &str, change: &[&str]) -> u64 {
    let mut args = vec!["charter", "amend", "--id", id, "--reason", "Agreed."];
    args.extend_from_slice(change);
    args.extend_from_slice(&["--key", "tr.pem"]);
    w.accord(&args).assert().success();
    for g in ["tr", "ru", "ir"] {
        w.accord(&["charter", "endorse", id, "--key", &format!("{g}.pem")])
            .assert()
            .success();
    }
    w.entry_list().last().unwrap().0
}

fn ids(v: &Value, list: &str) -> Vec<String> {
    v[list]
        .as_array()
        .unwrap()
        .iter()
        .map(|x| x["id"].as_str().unwrap().to_owned())
        .collect()
}

#[test]
fn bodies_scales_and_actors_hold_from_the_adopting_entry() {
    let w = World::founded();
    std::fs::write(w.path("bodies.toml"), BODIES).unwrap();
    let n = adopt(
        &w,
        "M1",
        &[
            "--body-file",
            "bodies.toml",
            "--set-scale",
            "severity=minor,serious,grave",
            "--list-actor",
            "hts",
            "--actor-name",
            "Hay'at Tahrir al-Sham (Jabhat Fatah al-Sham / Nusra)",
            "--standing",
            "designated",
        ],
    );
    let before = w.json(&["charter", "show", "--json", "--at", &(n - 1).to_string()]);
    assert!(ids(&before, "bodies").is_empty(), "{before}");
    assert!(ids(&before, "actors").is_empty(), "{before}");
    assert_eq!(before["scales"], serde_json::json!({}));

    let after = w.json(&["charter", "show", "--json"]);
    assert_eq!(ids(&after, "bodies"), ["jwg", "trilateral"]);
    let jwg = &after["bodies"][0];
    assert_eq!(jwg["members"], serde_json::json!(["ru", "tr", "ir", "un"]));
    assert_eq!(
        jwg["decision"],
        serde_json::json!({"rule": "quorum", "quorum": 2})
    );
    assert_eq!(jwg["recuse_accused"], true);
    assert_eq!(jwg["parent"], "trilateral");
    assert_eq!(jwg["parent_adopts"], true);
    assert_eq!(
        after["scales"]["severity"],
        serde_json::json!(["minor", "serious", "grave"])
    );
    assert_eq!(after["actors"][0]["id"], "hts");
    assert_eq!(after["actors"][0]["standing"], "designated");
    assert_eq!(after["actors"][0]["listed_at"], n);
    assert_eq!(after["actors"][0]["delisted_at"], Value::Null);
    let text = String::from_utf8(w.accord(&["charter", "show"]).output().unwrap().stdout).unwrap();
    assert!(
        text.contains("body       jwg (Joint working group on the ceasefire): members ru,tr,ir,un, decided by 2 member(s), accused members recused, adopted by trilateral"),
        "{text}"
    );
    assert!(
        text.contains("scale      severity: minor, serious, grave"),
        "{text}"
    );

    // Delisting keeps the record, marked from its adopting entry.
    let d = adopt(&w, "M2", &["--delist-actor", "hts"]);
    let later = w.json(&["charter", "show", "--json"]);
    assert_eq!(later["actors"][0]["listed_at"], n);
    assert_eq!(later["actors"][0]["delisted_at"], d);
    assert!(w.accord(&["verify"]).assert().get_output().status.success());
}

#[test]
fn changes_that_do_not_fit_the_charter_are_refused_in_one_line() {
    let w = World::founded();
    std::fs::write(w.path("bodies.toml"), BODIES).unwrap();
    adopt(&w, "M1", &["--body-file", "bodies.toml"]);
    let bad_body = |name: &str, toml: &str| {
        std::fs::write(w.path(name), toml).unwrap();
        name.to_owned()
    };
    let cases: Vec<(Vec<String>, &str)> = vec![
        (
            vec!["--body-file".into(), bad_body("a.toml", "[[body]]\nid=\"x\"\nname=\"X\"\nmembers=[\"zz\"]\ndecision=\"all\"\n")],
            "zz is not a party of the charter in force",
        ),
        (
            vec!["--body-file".into(), bad_body("b.toml", "[[body]]\nid=\"x\"\nname=\"X\"\nmembers=[\"us\"]\ndecision=\"all\"\n")],
            "us is an observer",
        ),
        (
            vec!["--body-file".into(), bad_body("c.toml", "[[body]]\nid=\"x\"\nname=\"X\"\nmembers=[\"ru\"]\ndecision=\"quorum 2\"\n")],
            "quorum 2 must be between 1 and its 1 member(s)",
        ),
        (
            vec!["--body-file".into(), bad_body("d.toml", "[[body]]\nid=\"x\"\nname=\"X\"\nmembers=[\"ru\"]\ndecision=\"all\"\nparent=\"nowhere\"\n")],
            "there is no body nowhere",
        ),
        (
            vec!["--remove-body".into(), "trilateral".into()],
            "names trilateral as its parent",
        ),
        (
            vec!["--remove-party".into(), "un".into()],
            "un sits on body jwg",
        ),
        (
            vec!["--set-scale".into(), "severity=minor,minor".into()],
            "\"minor\" is named twice",
        ),
        (
            vec!["--set-scale".into(), "colour=red".into()],
            "is not one of severity, violation",
        ),
        (
            vec!["--list-actor".into(), "gov".into(), "--actor-name".into(), "G".into(), "--standing".into(), "holdout".into()],
            "actor id gov is already a party's",
        ),
        (
            vec!["--list-actor".into(), "x".into(), "--actor-name".into(), "X".into(), "--standing".into(), "rebel".into()],
            "is not one of designated, holdout, dissident, allied",
        ),
        (vec!["--delist-actor".into(), "hts".into()], "hts is not a listed actor"),
    ];
    let entries = w.entry_list().len();
    for (i, (change, says)) in cases.iter().enumerate() {
        let id = format!("X{i}");
        let mut args = vec!["charter", "amend", "--id", &id, "--reason", "r"];
        args.extend(change.iter().map(String::as_str));
        args.extend(["--key", "tr.pem"]);
        let err = one_line_error(w.accord(&args).assert().failure());
        assert!(err.contains(says), "{change:?}: {err}");
    }
    assert_eq!(
        w.entry_list().len(),
        entries,
        "a refused amendment appends nothing"
    );
}
