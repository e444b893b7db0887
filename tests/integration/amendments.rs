//! Charter amendments on the real binary, played on the Astana group's
//! record: Jordan joins as an observer (it attended from the second round
//! of the Astana talks, 15-16 February 2017), the opposition delegation is
//! renamed, the monitoring group is removed; each view before and after.

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

fn last_seq(w: &World) -> u64 {
    w.entry_list().last().unwrap().0
}

fn parties(v: &Value) -> Vec<String> {
    v["parties"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["party"].as_str().or(p["id"].as_str()).unwrap().to_owned())
        .collect()
}

fn duties(obligations: &Value, party: &str) -> Vec<String> {
    obligations["parties"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["party"] == party)
        .unwrap()["duties"]
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

/// The Astana ledger with C1 adopted by the three guarantors and accepted
/// by both parties to the conflict.
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
            "Trilateral mechanism",
            "--text",
            "Establish a trilateral mechanism to observe and ensure full compliance with the ceasefire.",
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
    w
}

/// Proposes amendment `id` with `change` (by tr) and has the three
/// guarantors endorse it; the seq of the adopting entry.
fn adopt(w: &World, time: &str, id: &str, change: &[&str]) -> u64 {
    let mut args = vec!["charter", "amend", "--id", id];
    args.extend_from_slice(change);
    args.extend_from_slice(&["--reason", "Agreed by the guarantors.", "--key", "tr.pem"]);
    at(w, time, &args);
    for g in ["tr", "ru", "ir"] {
        at(
            w,
            time,
            &["charter", "endorse", id, "--key", &format!("{g}.pem")],
        );
    }
    last_seq(w)
}

#[test]
fn jordan_joins_the_astana_group_as_an_observer_from_the_adopting_entry() {
    let w = astana();
    w.accord(&["key", "new", "--out", "jo.pem"])
        .assert()
        .success();
    let t = "2017-02-15T09:00:00Z";
    at(
        &w,
        t,
        &[
            "charter",
            "amend",
            "--id",
            "M1",
            "--add-party",
            "jo",
            "--name",
            "Hashemite Kingdom of Jordan",
            "--role",
            "observer",
            "--party-key",
            "jo.pem.pub",
            "--reason",
            "Jordan attends the Astana talks as an observer from the second round.",
            "--key",
            "tr.pem",
        ],
    );
    at(&w, t, &["charter", "endorse", "M1", "--key", "tr.pem"]);
    at(&w, t, &["charter", "endorse", "M1", "--key", "ru.pem"]);
    // Pending: Iran owes its endorsement; the charter is unchanged.
    let o = w.json(&["obligations", "--json"]);
    assert_eq!(duties(&o, "ir"), ["endorse-amendment M1"]);
    assert!(duties(&o, "tr").is_empty());
    assert!(!parties(&o).contains(&"jo".to_owned()));
    at(&w, t, &["charter", "endorse", "M1", "--key", "ir.pem"]);
    let n = last_seq(&w);
    let (before, after) = (
        w.json(&["obligations", "--json", "--at", &(n - 1).to_string()]),
        w.json(&["obligations", "--json", "--at", &n.to_string()]),
    );
    assert!(!parties(&before).contains(&"jo".to_owned()), "{before}");
    assert!(parties(&after).contains(&"jo".to_owned()), "{after}");
    let head = w.json(&["obligations", "--json"]);
    assert!(parties(&head).contains(&"jo".to_owned()));
    assert!(duties(&head, "ir").is_empty());

    let charter = w.json(&["charter", "show", "--json"]);
    let jo = charter["parties"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["id"] == "jo")
        .unwrap();
    assert_eq!(jo["role"], "observer");
    assert_eq!(jo["name"], "Hashemite Kingdom of Jordan");
    let earlier = w.json(&["charter", "show", "--json", "--at", &(n - 1).to_string()]);
    assert_eq!(earlier["pending_amendments"][0]["id"], "M1");
    assert!(!parties(&earlier).contains(&"jo".to_owned()));
    let text = w.accord(&["charter", "show"]).output().unwrap();
    let text = String::from_utf8(text.stdout).unwrap();
    assert!(
        text.contains("jo       observer    Hashemite Kingdom of Jordan"),
        "{text}"
    );
    // An observer signs nothing, added by amendment or not.
    let err = one_line_error(
        w.accord(&["clause", "accept", "C1", "--key", "jo.pem"])
            .assert()
            .code(1),
    );
    assert!(err.contains("jo is an observer"), "{err}");
    w.accord(&["verify"]).assert().success();
}

#[test]
fn a_removed_party_is_refused_with_one_line_and_a_renamed_one_still_verifies() {
    let w = astana();
    let t = "2017-03-14T09:00:00Z";
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
            "Observe the ceasefire in the agreed zones.",
            "--key",
            "opp.pem",
        ],
    );
    adopt(
        &w,
        t,
        "M1",
        &[
            "--rename-party",
            "opp",
            "Syrian armed opposition (Astana delegation)",
        ],
    );
    let charter = w.json(&["charter", "show", "--json"]);
    let opp = charter["parties"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["id"] == "opp")
        .unwrap();
    assert_eq!(opp["name"], "Syrian armed opposition (Astana delegation)");
    // Its entries before the rename, and after it under the same id and key.
    at(
        &w,
        t,
        &[
            "commitment",
            "fulfil",
            "K1",
            "--note",
            "Done.",
            "--key",
            "opp.pem",
        ],
    );
    w.accord(&["verify"]).assert().success();

    let n = adopt(&w, t, "M2", &["--remove-party", "mon"]);
    let err = one_line_error(
        w.accord(&[
            "--time", t, "commit", "--id", "K9", "--clause", "C1", "--text", "x", "--key",
            "mon.pem",
        ])
        .assert()
        .code(1),
    );
    assert!(
        err.contains(&format!(
            "mon was removed from the charter by amendment M2 at entry {n}: it can sign nothing"
        )),
        "{err}"
    );
    // Removing the last guarantors is refused, naming the rule.
    let err = one_line_error(
        w.accord(&[
            "--time",
            t,
            "charter",
            "amend",
            "--id",
            "M3",
            "--remove-party",
            "tr",
            "--remove-party",
            "ru",
            "--remove-party",
            "ir",
            "--reason",
            "x",
            "--key",
            "tr.pem",
        ])
        .assert()
        .code(1),
    );
    assert!(err.contains("it would leave no guarantor"), "{err}");
    let charter = w.json(&["charter", "show", "--json"]);
    assert_eq!(charter["removed"][0]["party"], "mon");
    assert!(!parties(&charter).contains(&"mon".to_owned()));
    w.accord(&["verify"]).assert().success();
}

#[test]
fn an_amendment_is_proposed_and_adopted_through_a_server() {
    let w = crate::common::built();
    let server = crate::serve::Server::start(&w, &w.ledger(), 1_000);
    let remote = |args: &[&str]| {
        let mut cmd = w.accord(&[]);
        cmd.env("ACCORD_LEDGER", w.path("no-ledger-here"))
            .arg("--remote")
            .arg(format!("http://{}", server.addr))
            .args(args);
        let out = cmd.output().unwrap();
        assert!(
            out.status.success(),
            "{args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8(out.stdout).unwrap()
    };
    remote(&[
        "charter",
        "amend",
        "--id",
        "M1",
        "--set-role",
        "un",
        "secretariat",
        "--reason",
        "The envoy's office convenes and records.",
        "--key",
        "un.pem",
    ]);
    let text = remote(&["charter", "endorse", "M1", "--key", "tr.pem"]);
    assert!(
        text.contains("amendment M1: 1 endorsement(s), not yet adopted"),
        "{text}"
    );
    remote(&["charter", "endorse", "M1", "--key", "ru.pem"]);
    let text = remote(&["charter", "endorse", "M1", "--key", "ir.pem"]);
    assert!(text.contains("amendment M1 is now adopted"), "{text}");
    drop(server);
    let charter = w.json(&["charter", "show", "--json"]);
    let un = charter["parties"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["id"] == "un")
        .unwrap();
    assert_eq!(un["role"], "secretariat");
    // As the secretariat, un proposes clauses but no longer commits.
    w.propose("C9", "un").success();
    let err = one_line_error(
        w.accord(&[
            "commit", "--id", "K9", "--clause", "C1", "--text", "x", "--key", "un.pem",
        ])
        .assert()
        .code(1),
    );
    assert!(err.contains("un is the secretariat"), "{err}");
    w.accord(&["verify"]).assert().success();
}

#[test]
fn a_dispute_bundle_follows_parties_added_and_removed_by_amendment() {
    let w = astana();
    w.accord(&["key", "new", "--out", "jo.pem"])
        .assert()
        .success();
    let t = "2017-02-15T09:00:00Z";
    adopt(
        &w,
        t,
        "M1",
        &[
            "--add-party",
            "jo",
            "--name",
            "Hashemite Kingdom of Jordan",
            "--role",
            "party",
            "--party-key",
            "jo.pem.pub",
        ],
    );
    at(&w, t, &["clause", "accept", "C1", "--key", "jo.pem"]);
    let jo_accepts = last_seq(&w);
    adopt(&w, t, "M2", &["--remove-party", "opp"]);
    // opp accepted C1 at entry 6, before its removal.
    w.accord(&["checkpoint", "--key", "tr.pem", "--out", "checkpoint"])
        .assert()
        .success();
    for witness in ["tr", "ir"] {
        w.accord(&[
            "witness",
            "cosign",
            "checkpoint",
            "--key",
            &format!("{witness}.pem"),
            "--state",
            &format!("w{witness}"),
            "--out",
            "checkpoint",
        ])
        .assert()
        .success();
    }
    let jo = jo_accepts.to_string();
    w.accord(&[
        "prove",
        "--entry",
        "6",
        "--entry",
        &jo,
        "--checkpoint",
        "checkpoint",
        "--out",
        "bundle.json",
    ])
    .assert()
    .success();
    let v = w.json(&["bundle", "verify", "bundle.json", "--json"]);
    assert_eq!(v["valid"], true, "{v}");
    assert_eq!(
        v["key_events"], 9,
        "the charter and both amendments' entries"
    );
    let entries = v["entries"].as_array().unwrap();
    assert_eq!(entries[0]["author"], "opp");
    assert_eq!(entries[1]["author"], "jo");
    // The independent checker agrees.
    let out = std::process::Command::new("python3")
        .arg(std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("scripts/check-bundle.py"))
        .arg(w.path("bundle.json"))
        .output()
        .expect("python3 runs (CI installs it)");
    let text =
        String::from_utf8_lossy(&out.stdout).into_owned() + &String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{text}");
    assert!(text.contains(&format!("entry {jo} by jo")), "{text}");
}
