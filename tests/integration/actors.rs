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
fn allege(
    w: &World,
    id: &str,
    against: &[&str],
    commitments: &[&str],
    signer: &str,
) -> Vec<String> {
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
    run(&w, &allege(&w, "A1", &["gov", "opp"], &["K1", "K2"], "tr"));
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
    let mut one = allege(&w, "A2", &["gov"], &[], "opp");
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
    let mix = allege(&w, "A1", &["unknown", "gov"], &[], "opp");
    let args: Vec<&str> = mix.iter().map(String::as_str).collect();
    let e = one_line_error(w.accord(&args).assert().failure());
    assert!(e.contains("cannot be named with anyone else"), "{e}");
    run(&w, &allege(&w, "A1", &["unknown"], &[], "opp"));
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
        &allege(&w, "A2", &["unknown"], &["K1"], "opp")
            .iter()
            .map(String::as_str)
            .collect::<Vec<_>>(),
    );
    assert!(e.contains("not an accused party's"), "{e}");
}

#[test]
fn a_ruling_cannot_blame_the_observer_and_may_say_largely() {
    let w = astana();
    run(&w, &allege(&w, "A1", &["gov"], &[], "opp"));
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
        &allege(&w, "A1", &["hts"], &[], "opp")
            .iter()
            .map(String::as_str)
            .collect::<Vec<_>>(),
    );
    assert!(e.contains("hts"), "{e}");
    let e = refused(
        &w,
        T,
        &allege(&w, "A1", &["actor:hts"], &[], "opp")
            .iter()
            .map(String::as_str)
            .collect::<Vec<_>>(),
    );
    assert!(e.contains("hts is not a listed actor (never listed"), "{e}");
}
