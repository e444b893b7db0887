//! issue 15: the JSON contract. Every `--json` output with a schema
//! (docs/schemas/) is produced by the real binary on a ledger with every
//! kind of item (`dev synth --workload realistic`, then key, clause and
//! ruling acts through the writing commands' `--json`) and validated
//! against its checked-in schema (boon); a renamed field fails. Every kind,
//! duty and state word the code can produce is in docs/JSON.md. `log`'s
//! filters, `show`'s canonical bytes, diff's plain states and a reversed
//! diff's refusal.

use std::collections::BTreeSet;
use std::path::PathBuf;

use accord_core::projection::{ChangeKind, DutyKind};
use accord_core::records::{AllegationPhase, ClausePhase, CommitmentPhase, RulingPhase};
use accord_core::Event;
use serde_json::Value;
use sha2::{Digest, Sha256};

use crate::common::World;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// A compiled checked-in schema, `docs/schemas/<name>.json`.
struct Schema {
    name: &'static str,
    schemas: boon::Schemas,
    index: boon::SchemaIndex,
}

impl Schema {
    fn load(name: &'static str) -> Self {
        let path = root().join(format!("docs/schemas/{name}.json"));
        let text =
            std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        let value: Value = serde_json::from_str(&text).unwrap();
        let url = format!("file:///schemas/{name}.json");
        let mut compiler = boon::Compiler::new();
        compiler.add_resource(&url, value).unwrap();
        let mut schemas = boon::Schemas::new();
        let index = compiler
            .compile(&url, &mut schemas)
            .unwrap_or_else(|e| panic!("{name}: {e}"));
        Schema {
            name,
            schemas,
            index,
        }
    }

    fn check(&self, v: &Value) -> Result<(), String> {
        self.schemas
            .validate(v, self.index)
            .map_err(|e| format!("{e:#}"))
    }

    fn valid(&self, v: &Value) {
        if let Err(e) = self.check(v) {
            panic!("{} output does not match its schema: {e}\n{v}", self.name);
        }
    }
}

/// A ledger with every kind of item: a realistic synthetic ledger (its
/// parties' keys in `keys/`), then acts through the writing commands.
fn rich() -> World {
    let w = World {
        dir: tempfile::tempdir().unwrap(),
    };
    w.accord(&[
        "dev",
        "synth",
        "--entries",
        "300",
        "--workload",
        "realistic",
        "--keys-out",
        "keys",
    ])
    .assert()
    .success();
    w
}

fn lines(w: &World, args: &[&str]) -> Vec<Value> {
    let out = w.accord(args).output().unwrap();
    assert!(out.status.success(), "{args:?}: {out:?}");
    String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

fn one(w: &World, args: &[&str]) -> Value {
    let out = w.accord(args).output().unwrap();
    assert!(out.status.success(), "{args:?}: {out:?}");
    serde_json::from_slice(&out.stdout).unwrap()
}

#[test]
fn json_every_output_matches_its_schema_on_a_ledger_with_every_kind_of_item() {
    let w = rich();
    let append = Schema::load("append");
    // Writing commands with --json: a clause through to adoption, a key
    // rotation, a revocation proposal; each prints one object.
    let mut appended = Vec::new();
    let mut write = |args: &[&str]| {
        let v = one(&w, args);
        append.valid(&v);
        appended.push(v.clone());
        v
    };
    let p = write(&[
        "clause",
        "propose",
        "--id",
        "C900",
        "--title",
        "Corridor",
        "--text",
        "Open it.",
        "--key",
        "keys/tr.pem",
        "--json",
    ]);
    assert_eq!(p["kind"], "clause-proposed");
    assert_eq!(p["subject"], "C900");
    assert_eq!(p["adoption"], Value::Null);
    let e1 = write(&[
        "clause",
        "endorse",
        "C900",
        "--key",
        "keys/tr.pem",
        "--json",
    ]);
    assert_eq!(e1["adoption"]["state"], "pending", "{e1}");
    assert_eq!(e1["adoption"]["item"], "clause");
    assert_eq!(e1["adoption"]["endorsements"], 1);
    write(&[
        "clause",
        "endorse",
        "C900",
        "--key",
        "keys/ru.pem",
        "--json",
    ]);
    let e3 = write(&[
        "clause",
        "endorse",
        "C900",
        "--key",
        "keys/ir.pem",
        "--json",
    ]);
    assert_eq!(e3["adoption"]["state"], "adopted", "{e3}");
    assert_eq!(e3["adoption"]["at"], e3["seq"]);
    w.accord(&["key", "new", "--out", "opp2.pem"])
        .assert()
        .success();
    let r = write(&[
        "key",
        "rotate",
        "--new",
        "opp2.pem",
        "--key",
        "keys/opp.pem",
        "--json",
    ]);
    assert_eq!(r["kind"], "key-rotated", "{r}");
    let k = write(&[
        "key",
        "revoke",
        "gov",
        "--id",
        "KR1",
        "--reason",
        "lost",
        "--key",
        "keys/tr.pem",
        "--json",
    ]);
    assert_eq!(k["kind"], "key-revocation-proposed", "{k}");
    // Evidence with a salt: standard output stays the one object.
    let filed = lines(
        &w,
        &["log", "--kind", "allegation-filed", "-n", "1", "--json"],
    );
    let (by, alleg) = (
        filed[0]["author"].as_str().unwrap().to_owned(),
        filed[0]["subject"].as_str().unwrap().to_owned(),
    );
    std::fs::write(w.path("photo.jpg"), b"not really a photo").unwrap();
    let key = format!("keys/{by}.pem");
    let ev = write(&[
        "evidence",
        "add",
        &alleg,
        "photo.jpg",
        "--salted",
        "--note",
        "a photo",
        "--key",
        &key,
        "--json",
    ]);
    assert_eq!(ev["kind"], "evidence-added", "{ev}");
    // The seq and hash are the entry's.
    let shown = one(&w, &["show", &r["seq"].to_string(), "--json"]);
    assert_eq!(shown["hash"], r["hash"]);

    let log = lines(&w, &["log", "--json"]);
    let head = log.len() as u64 - 1;
    let schema = Schema::load("log");
    log.iter().for_each(|v| schema.valid(v));
    let kinds: BTreeSet<&str> = log.iter().map(|v| v["kind"].as_str().unwrap()).collect();
    for k in [
        "charter",
        "clause-endorsed",
        "allegation-filed",
        "ruling-proposed",
        "key-rotated",
        "key-revocation-proposed",
    ] {
        assert!(kinds.contains(k), "{k} not in the ledger: {kinds:?}");
    }

    // show: the first entry of every kind.
    let schema = Schema::load("show");
    for k in &kinds {
        let seq = log.iter().find(|v| v["kind"] == *k).unwrap()["seq"].to_string();
        schema.valid(&one(&w, &["show", &seq, "--json"]));
    }

    // history: of items of every sort.
    let schema = Schema::load("history");
    let subjects: BTreeSet<String> = log
        .iter()
        .skip(1)
        .map(|v| v["subject"].as_str().unwrap().to_owned())
        .filter(|s| !s.is_empty() && !s.contains(' '))
        .collect();
    let mut seen_prefixes = BTreeSet::new();
    for s in &subjects {
        if seen_prefixes.insert(s.chars().next().unwrap()) {
            lines(&w, &["history", s, "--json"])
                .iter()
                .for_each(|v| schema.valid(v));
        }
    }

    // diff: over the whole ledger and over steps of it.
    let schema = Schema::load("diff");
    let mut ranges = vec![(0, head)];
    ranges.extend((0..head).step_by(25).map(|a| (a, (a + 25).min(head))));
    let mut changes = Vec::new();
    for (a, b) in ranges {
        let v = one(
            &w,
            &[
                "diff",
                "--from",
                &a.to_string(),
                "--to",
                &b.to_string(),
                "--json",
            ],
        );
        schema.valid(&v);
        changes.extend(v.as_array().unwrap().iter().cloned());
    }
    assert!(changes.iter().any(|c| c["kind"] == "duty"));

    let schema = Schema::load("obligations");
    schema.valid(&one(&w, &["obligations", "--json"]));
    schema.valid(&one(&w, &["obligations", "--all", "--json"]));
    let at = (head / 2).to_string();
    schema.valid(&one(&w, &["obligations", "--all", "--at", &at, "--json"]));

    let keys = one(&w, &["key", "list", "--json"]);
    Schema::load("key-list").valid(&keys);
    let opp = keys
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["party"] == "opp")
        .unwrap();
    assert_eq!(opp["history"].as_array().unwrap().len(), 2, "{opp}");

    Schema::load("verify").valid(&one(&w, &["verify", "--json"]));
    w.accord(&["export", "--out", "copy.jsonl"])
        .assert()
        .success();
    let against = one(&w, &["verify", "--against", "copy.jsonl", "--json"]);
    Schema::load("verify-against").valid(&against);
    assert_eq!(against["equivocations"], serde_json::json!([]));
}

#[test]
fn json_schemas_fail_an_output_with_a_renamed_or_missing_field() {
    let w = crate::common::built();
    let log = lines(&w, &["log", "--json"]);
    let schema = Schema::load("log");
    schema.valid(&log[1]);
    let mut renamed = log[1].clone();
    let subject = renamed.as_object_mut().unwrap().remove("subject").unwrap();
    renamed["subjekt"] = subject;
    assert!(schema.check(&renamed).is_err(), "{renamed}");
    let mut bad_kind = log[1].clone();
    bad_kind["kind"] = "clause-proposal".into();
    assert!(schema.check(&bad_kind).is_err());

    let diff = Schema::load("diff");
    let changes = one(&w, &["diff", "--from", "0", "--to", "6", "--json"]);
    diff.valid(&changes);
    let mut old_shape = changes.clone();
    // The shape before issue 15: the duty in the item, the finding in the state.
    for c in old_shape.as_array_mut().unwrap() {
        let o = c.as_object_mut().unwrap();
        o.remove("duty");
        o.remove("finding");
        o.remove("from_finding");
    }
    assert!(!changes.as_array().unwrap().is_empty());
    assert!(diff.check(&old_shape).is_err());

    let show = Schema::load("show");
    let mut v = one(&w, &["show", "2", "--json"]);
    show.valid(&v);
    v.as_object_mut().unwrap().remove("canonical");
    assert!(show.check(&v).is_err());
}

/// The kind words `Event::kind` returns, read from its source: a new arm
/// there is a new word, whether or not `Event::KINDS` lists it.
fn kinds_in_source() -> BTreeSet<String> {
    let src = std::fs::read_to_string(root().join("crates/core/src/event.rs")).unwrap();
    let start = src.find("pub fn kind(&self)").expect("Event::kind");
    let body = &src[start..];
    let body = &body[..body.find("\n    }\n").unwrap()];
    body.split("=> \"")
        .skip(1)
        .map(|s| s[..s.find('"').unwrap()].to_owned())
        .collect()
}

#[test]
fn json_md_documents_every_kind_duty_and_state_word() {
    let doc = std::fs::read_to_string(root().join("docs/JSON.md")).unwrap();
    let listed: BTreeSet<String> = Event::KINDS.iter().map(|k| k.to_string()).collect();
    assert_eq!(
        kinds_in_source(),
        listed,
        "Event::KINDS differs from the words Event::kind returns"
    );
    let mut words: Vec<String> = listed.into_iter().collect();
    words.extend(DutyKind::ALL.iter().map(|d| d.as_str().to_owned()));
    words.extend(ChangeKind::ALL.iter().map(|d| d.as_str().to_owned()));
    words.extend(CommitmentPhase::ALL.iter().map(|d| d.as_str().to_owned()));
    words.extend(AllegationPhase::ALL.iter().map(|d| d.as_str().to_owned()));
    words.extend(RulingPhase::ALL.iter().map(|d| d.as_str().to_owned()));
    words.extend(ClausePhase::ALL.iter().map(|d| d.as_str().to_owned()));
    words.extend(
        accord_core::Finding::ALL
            .iter()
            .map(|d| d.as_str().to_owned()),
    );
    let missing: Vec<&String> = words
        .iter()
        .filter(|w| !doc.contains(&format!("`{w}`")))
        .collect();
    assert!(missing.is_empty(), "docs/JSON.md does not name {missing:?}");
    // README links to it.
    let readme = std::fs::read_to_string(root().join("README.md")).unwrap();
    assert!(readme.contains("(docs/JSON.md)"));
}

#[test]
fn json_show_carries_the_canonical_bytes_that_hash_to_the_entry_hash() {
    let w = crate::common::built();
    for seq in ["0", "3", "6"] {
        let v = one(&w, &["show", seq, "--json"]);
        let bytes = hex::decode(v["canonical"].as_str().unwrap()).unwrap();
        assert_eq!(v["size"].as_u64().unwrap(), bytes.len() as u64);
        // docs/FORMAT.md: SHA-256("accord-v1/entry-hash\0" ‖ entry bytes).
        let mut h = Sha256::new();
        h.update(b"accord-v1/entry-hash\0");
        h.update(&bytes);
        assert_eq!(hex::encode(h.finalize()), v["hash"].as_str().unwrap());
        let log = lines(&w, &["log", "--json"]);
        let n: usize = seq.parse().unwrap();
        assert_eq!(log[n]["hash"], v["hash"]);
    }
}

#[test]
fn json_diff_states_are_plain_words_with_the_finding_and_duty_apart() {
    let w = rich();
    let log = lines(&w, &["log", "--json"]);
    let head = (log.len() - 1).to_string();
    let changes = one(&w, &["diff", "--from", "0", "--to", &head, "--json"]);
    let changes = changes.as_array().unwrap();
    let ruled: Vec<&Value> = changes.iter().filter(|c| c["to"] == "ruled").collect();
    assert!(
        !ruled.is_empty(),
        "no allegation ruled in the synthetic ledger"
    );
    for c in &ruled {
        assert!(c["finding"].is_string(), "{c}");
    }
    for c in changes {
        for state in [&c["from"], &c["to"]] {
            if let Some(s) = state.as_str() {
                assert!(!s.contains(' ') && !s.contains('('), "{c}");
            }
        }
        let item = c["item"].as_str().unwrap();
        assert!(!item.contains(' '), "{c}");
        match c["kind"].as_str().unwrap() {
            "duty" => assert!(c["duty"].is_string(), "{c}"),
            _ => assert_eq!(c["duty"], Value::Null, "{c}"),
        }
    }
    // The text view is unchanged: the finding in parentheses, the duty's word before its item.
    let text = w
        .accord(&["diff", "--from", "0", "--to", &head])
        .output()
        .unwrap();
    let text = String::from_utf8(text.stdout).unwrap();
    assert!(text.contains("ruled ("), "{text}");
}

#[test]
fn json_a_reversed_diff_is_refused_with_one_line() {
    let w = crate::common::built();
    let out = w
        .accord(&["diff", "--from", "5", "--to", "2", "--json"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(out.stdout.is_empty());
    let err = String::from_utf8(out.stderr).unwrap();
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(err.starts_with("error: --from 5 is after --to 2"), "{err}");
    // Equal ends are an empty diff, not a refusal.
    let v = one(&w, &["diff", "--from", "3", "--to", "3", "--json"]);
    assert_eq!(v, serde_json::json!([]));
}

fn seqs(w: &World, args: &[&str]) -> Vec<u64> {
    let mut all = vec!["log", "--json"];
    all.extend_from_slice(args);
    lines(w, &all)
        .iter()
        .map(|v| v["seq"].as_u64().unwrap())
        .collect()
}

#[test]
fn json_log_filters_by_party_kind_item_since_and_tail_combined() {
    // built(): 0 charter (un); 1 C1 proposed (tr); 2, 3 C1 endorsed by tr,
    // ru; 4 C2 proposed (un); 5 C1 endorsed (ir); 6 C2 endorsed (ir).
    let w = crate::common::built();
    assert_eq!(seqs(&w, &[]), vec![0, 1, 2, 3, 4, 5, 6]);
    assert_eq!(seqs(&w, &["--party", "ir"]), vec![5, 6]);
    assert_eq!(seqs(&w, &["--kind", "clause-proposed"]), vec![1, 4]);
    assert_eq!(
        seqs(&w, &["--kind", "clause-proposed", "--kind", "charter"]),
        vec![0, 1, 4]
    );
    assert_eq!(seqs(&w, &["--item", "C1"]), vec![1, 2, 3, 5]);
    assert_eq!(seqs(&w, &["--since", "4"]), vec![4, 5, 6]);
    assert_eq!(seqs(&w, &["-n", "2"]), vec![5, 6]);
    assert_eq!(seqs(&w, &["--tail", "0"]), Vec::<u64>::new());
    assert_eq!(
        seqs(
            &w,
            &["--item", "C1", "--kind", "clause-endorsed", "--tail", "2"]
        ),
        vec![3, 5]
    );
    assert_eq!(
        seqs(&w, &["--party", "ir", "--item", "C2", "--since", "2"]),
        vec![6]
    );
    // --since TIME: entries claiming that time or later.
    let log = lines(&w, &["log", "--json"]);
    let t = log[3]["time"].as_str().unwrap().to_owned();
    let from_t = seqs(&w, &["--since", &t]);
    assert!(from_t.contains(&3) && from_t.contains(&6), "{from_t:?}");
    assert!(seqs(&w, &["--since", "2999-01-01T00:00:00Z"]).is_empty());
    // The text view filters the same way.
    let text = w.accord(&["log", "--party", "ir"]).output().unwrap();
    assert_eq!(String::from_utf8(text.stdout).unwrap().lines().count(), 2);
    // Malformed filters are usage errors.
    for bad in [
        &["log", "--kind", "clause-proposal"][..],
        &["log", "--since", "yesterday"],
        &["log", "-n", "x"],
    ] {
        let out = w.accord(bad).output().unwrap();
        assert_eq!(out.status.code(), Some(2), "{bad:?}");
    }
}

#[test]
fn json_is_refused_on_the_signing_commands_that_print_none() {
    let w = crate::common::built();
    let out = w
        .accord(&["checkpoint", "--key", "tr.pem", "--json"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(out.stdout.is_empty());
}
