//! Issue 14's actors and several accused on the real binary, played on the
//! Astana group's record: an allegation against both parties (each
//! answers), against persons unknown, a ruling refused for blaming the
//! observer, and (with actors listed by charter amendment) allegations
//! naming HTS beside the government, rulings attributing to it with a
//! degree, and the `accord actors` register.

use serde_json::Value;

use crate::common::{one_line_error, World};

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

/// The one-line refusal of `args` at `time`.
fn refused(w: &World, time: &str, args: &[&str]) -> String {
    let mut full = vec!["--time", time];
    full.extend_from_slice(args);
    one_line_error(w.accord(&full).assert().code(1))
}

fn last_seq(w: &World) -> u64 {
    w.entry_list().last().unwrap().0
}

fn party<'a>(o: &'a Value, id: &str) -> &'a Value {
    o["parties"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["party"] == id)
        .unwrap()
}

fn duties(o: &Value, id: &str) -> Vec<String> {
    party(o, id)["duties"]
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

const T: &str = "2017-02-20T10:00:00Z";

/// The Astana ledger with C1 adopted and accepted, gov's commitment K1
/// and opp's K2.
fn astana() -> World {
    let w = World::new();
    at(
        &w,
        "2017-01-23T09:00:00Z",
        &["init", "--charter", "charter.toml", "--key", "un.pem"],
    );
    let t = "2017-01-24T10:00:00Z";
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
            "Cease all hostilities.",
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
    for p in ["gov", "opp"] {
        at(
            &w,
            t,
            &["clause", "accept", "C1", "--key", &format!("{p}.pem")],
        );
    }
    for (k, p) in [("K1", "gov"), ("K2", "opp")] {
        at(
            &w,
            t,
            &[
                "commit",
                "--id",
                k,
                "--clause",
                "C1",
                "--text",
                "Hold current positions.",
                "--key",
                &format!("{p}.pem"),
            ],
        );
    }
    w
}

/// `allege` as `signer` with `against` (each repeated `--against`).
fn allege(id: &str, against: &[&str], commitments: &[&str], signer: &str) -> Vec<String> {
    let mut args: Vec<String> = ["allege", "--id", id]
        .iter()
        .map(|s| s.to_string())
        .collect();
    for a in against {
        args.extend(["--against".to_owned(), a.to_string()]);
    }
    for k in commitments {
        args.extend(["--commitment".to_owned(), k.to_string()]);
    }
    args.extend(
        [
            "--occurred",
            "2017-02-18T06:00:00Z",
            "--location",
            "Wadi Barada",
            "--summary",
            "Shelling of the spring.",
            "--key",
        ]
        .iter()
        .map(|s| s.to_string()),
    );
    args.push(format!("{signer}.pem"));
    args
}

fn run(w: &World, args: &[String]) {
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    at(w, T, &args);
}

#[test]
fn an_allegation_against_both_parties_asks_each_to_answer() {
    let w = astana();
    run(&w, &allege("A1", &["gov", "opp"], &["K1", "K2"], "tr"));
    let shown = w
        .accord(&["show", &last_seq(&w).to_string()])
        .output()
        .unwrap();
    let shown = String::from_utf8(shown.stdout).unwrap();
    assert!(shown.contains("allegation-lodged"), "{shown}");
    assert!(shown.contains("party: gov; party: opp"), "{shown}");
    let o = w.json(&["obligations", "--json"]);
    assert_eq!(duties(&o, "gov"), ["respond A1"]);
    assert_eq!(duties(&o, "opp"), ["respond A1"]);
    let a = &party(&o, "gov")["allegations_against"][0];
    assert_eq!(a["accused"], serde_json::json!(["gov", "opp"]));
    assert!(a.get("against").is_none(), "{a}");
    // The mediator is not accused: it cannot answer.
    let e = refused(
        &w,
        T,
        &[
            "respond",
            "A1",
            "--position",
            "deny",
            "--text",
            "No.",
            "--key",
            "un.pem",
        ],
    );
    assert!(
        e.contains("only an accused party may answer allegation A1"),
        "{e}"
    );
    at(
        &w,
        T,
        &[
            "respond",
            "A1",
            "--position",
            "deny",
            "--text",
            "No.",
            "--key",
            "gov.pem",
        ],
    );
    let o = w.json(&["obligations", "--json"]);
    assert!(duties(&o, "gov").is_empty());
    assert_eq!(duties(&o, "opp"), ["respond A1"]);
    // `allegation file` is `allege`; a single party is the original event.
    let mut one = allege("A2", &["gov"], &[], "opp");
    one[0] = "allegation".into();
    one.insert(1, "file".into());
    run(&w, &one);
    let o = w.json(&["obligations", "--json"]);
    let a2 = party(&o, "gov")["allegations_against"]
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["id"] == "A2")
        .unwrap()
        .clone();
    assert_eq!(a2["against"], "gov");
    assert_eq!(a2["accused"], serde_json::json!(["gov"]));
    let text = w
        .accord(&["obligations", "--party", "opp"])
        .output()
        .unwrap();
    let text = String::from_utf8(text.stdout).unwrap();
    assert!(text.contains("alleged by tr (accused: gov, opp)"), "{text}");
    w.accord(&["verify"]).assert().success();
}

#[test]
fn an_allegation_against_persons_unknown_names_no_one() {
    let w = astana();
    let mix = allege("A1", &["unknown", "gov"], &[], "opp");
    let args: Vec<&str> = mix.iter().map(String::as_str).collect();
    let e = one_line_error(w.accord(&args).assert().failure());
    assert!(e.contains("cannot be named with anyone else"), "{e}");
    run(&w, &allege("A1", &["unknown"], &[], "opp"));
    let o = w.json(&["obligations", "--json"]);
    let a = &party(&o, "opp")["allegations_by"][0];
    assert_eq!(a["accused"], serde_json::json!([]));
    for p in ["gov", "opp"] {
        assert!(duties(&o, p).is_empty(), "{p}");
    }
    let text = w
        .accord(&["obligations", "--party", "opp"])
        .output()
        .unwrap();
    let text = String::from_utf8(text.stdout).unwrap();
    assert!(text.contains("alleges persons unknown"), "{text}");
    // A commitment needs an accused party that made it.
    let e = refused(
        &w,
        T,
        &allege("A2", &["unknown"], &["K1"], "opp")
            .iter()
            .map(String::as_str)
            .collect::<Vec<_>>(),
    );
    assert!(e.contains("not an accused party's"), "{e}");
}

#[test]
fn a_ruling_cannot_blame_the_observer_and_may_say_largely() {
    let w = astana();
    run(&w, &allege("A1", &["gov"], &[], "opp"));
    let propose = |attribution: &str| -> Vec<String> {
        [
            "ruling",
            "propose",
            "--id",
            "R1",
            "--allegation",
            "A1",
            "--finding",
            "confirmed",
            "--attribution",
            attribution,
            "--text",
            "Found.",
            "--key",
            "tr.pem",
        ]
        .iter()
        .map(|s| s.to_string())
        .collect()
    };
    for blame in ["us", "largely:us"] {
        let args = propose(blame);
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        let e = refused(&w, T, &args);
        assert!(e.contains("us is an observer"), "{blame}: {e}");
    }
    let args = propose("largely:gov");
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    at(&w, T, &args);
    let o = w.json(&["obligations", "--json"]);
    let r = &party(&o, "gov")["rulings"][0];
    assert_eq!(
        r["attribution"]["to"]["degree"], "largely-attributed",
        "{r}"
    );
    assert_eq!(r["attribution"]["to"]["who"]["party"], "gov", "{r}");
}

#[test]
fn the_actor_register_is_empty_until_an_amendment_lists_one() {
    let w = astana();
    let v = w.json(&["actors", "--json"]);
    assert_eq!(v["actors"], serde_json::json!([]));
    let text = w.accord(&["actors"]).output().unwrap();
    assert!(String::from_utf8(text.stdout)
        .unwrap()
        .contains("none listed"));
    // An id that is neither a party nor a listed actor is an unknown party.
    let e = refused(
        &w,
        T,
        &allege("A1", &["hts"], &[], "opp")
            .iter()
            .map(String::as_str)
            .collect::<Vec<_>>(),
    );
    assert!(e.contains("hts"), "{e}");
    let e = refused(
        &w,
        T,
        &allege("A1", &["actor:hts"], &[], "opp")
            .iter()
            .map(String::as_str)
            .collect::<Vec<_>>(),
    );
    assert!(e.contains("hts is not a listed actor (never listed"), "{e}");
}

/// Amends the charter with `change` (proposed by tr, endorsed by the three
/// guarantors): the seq of the adopting entry.
fn adopt(w: &World, id: &str, change: &[&str]) -> u64 {
    let mut args = vec!["charter", "amend", "--id", id];
    args.extend_from_slice(change);
    args.extend_from_slice(&["--reason", "Agreed by the guarantors.", "--key", "tr.pem"]);
    at(w, T, &args);
    for g in ["tr", "ru", "ir"] {
        at(
            w,
            T,
            &["charter", "endorse", id, "--key", &format!("{g}.pem")],
        );
    }
    last_seq(w)
}

fn ruling(id: &str, on: &str, attribution: &str, breaches: &[&str]) -> Vec<String> {
    let mut args: Vec<String> = [
        "ruling",
        "propose",
        "--id",
        id,
        "--allegation",
        on,
        "--finding",
        "confirmed",
        "--attribution",
        attribution,
        "--text",
        "Found.",
        "--key",
        "tr.pem",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    for k in breaches {
        args.extend(["--breach".to_owned(), k.to_string()]);
    }
    args
}

#[test]
fn hts_listed_by_amendment_is_accused_beside_the_government_and_largely_blamed() {
    let w = astana();
    let listed = adopt(
        &w,
        "M1",
        &[
            "--list-actor",
            "hts",
            "--actor-name",
            "Hay'at Tahrir al-Sham (Nusra)",
            "--standing",
            "designated",
        ],
    );
    run(&w, &allege("A1", &["gov", "hts"], &["K1"], "opp"));
    let o = w.json(&["obligations", "--json"]);
    assert_eq!(duties(&o, "gov"), ["respond A1"]);
    assert_eq!(
        party(&o, "gov")["allegations_against"][0]["accused"],
        serde_json::json!(["gov", "hts"])
    );
    // An actor attributed to breaches nothing: it signed nothing.
    let e = refused(
        &w,
        T,
        &ruling("R1", "A1", "hts", &["K1"])
            .iter()
            .map(String::as_str)
            .collect::<Vec<_>>(),
    );
    assert!(
        e.contains("hts, a non-signatory actor bound by nothing"),
        "{e}"
    );
    run(&w, &ruling("R1", "A1", "largely:hts", &[]));
    for g in ["tr", "ru"] {
        at(
            &w,
            T,
            &["ruling", "endorse", "R1", "--key", &format!("{g}.pem")],
        );
    }
    let v = w.json(&["actors", "--json"]);
    let hts = &v["actors"][0];
    assert_eq!(hts["id"], "hts");
    assert_eq!(hts["standing"], "designated");
    assert_eq!(hts["listed_at"], listed);
    assert_eq!(hts["delisted_at"], Value::Null);
    assert_eq!(hts["allegations"], serde_json::json!(["A1"]));
    assert_eq!(hts["rulings"][0]["id"], "R1");
    assert_eq!(hts["rulings"][0]["degree"], "largely-attributed");
    assert_eq!(hts["rulings"][0]["state"], "adopted");
    let text = w.accord(&["actors"]).output().unwrap();
    let text = String::from_utf8(text.stdout).unwrap();
    assert!(
        text.contains("actor hts      designated, listed at entry"),
        "{text}"
    );
    assert!(
        text.contains("ruling R1 (adopted): largely-attributed"),
        "{text}"
    );
    // Before the amendment the register was empty.
    let earlier = w.json(&["actors", "--json", "--at", &(listed - 1).to_string()]);
    assert_eq!(earlier["actors"], serde_json::json!([]));

    // Delisted, it can no longer be accused; the register keeps it, marked.
    let delisted = adopt(&w, "M2", &["--delist-actor", "hts"]);
    let e = refused(
        &w,
        T,
        &allege("A2", &["actor:hts"], &[], "opp")
            .iter()
            .map(String::as_str)
            .collect::<Vec<_>>(),
    );
    assert!(e.contains(&format!("delisted at entry {delisted}")), "{e}");
    let v = w.json(&["actors", "--json"]);
    assert_eq!(v["actors"][0]["delisted_at"], delisted);
    w.accord(&["verify"]).assert().success();
}

#[test]
fn an_allied_actor_answers_through_its_party_for_breaches() {
    let w = astana();
    adopt(
        &w,
        "M1",
        &[
            "--list-actor",
            "ndf",
            "--actor-name",
            "National Defence Forces",
            "--standing",
            "allied",
            "--actor-party",
            "gov",
        ],
    );
    run(&w, &allege("A1", &["ndf", "gov"], &["K1"], "opp"));
    let e = refused(
        &w,
        T,
        &ruling("R1", "A1", "ndf", &["K2"])
            .iter()
            .map(String::as_str)
            .collect::<Vec<_>>(),
    );
    assert!(e.contains("commitment K2 is opp's"), "{e}");
    run(&w, &ruling("R1", "A1", "ndf", &["K1"]));
    let v = w.json(&["actors", "--json"]);
    assert_eq!(v["actors"][0]["party"], "gov");
    assert_eq!(v["actors"][0]["rulings"][0]["degree"], "attributed");
}
