//! The JSON Schemas of the `--json` outputs, derived (schemars) from the
//! output types, and the test that keeps docs/schemas/ equal to them
//! (`ACCORD_BLESS=1` rewrites the files). The e2e test `json_contract`
//! validates every output of a real run against the checked-in files.
//! Test-only: the binary carries no schema.

use schemars::JsonSchema;
use serde::Serialize;
use serde_json::Value;

use accord_core::projection::Change;

use crate::commands::append::Appended;
use crate::render::{HistoryLine, LogLine, ShowEntry, VerifyOut};
use crate::views_render::{Obligations, PartyKeys};

/// `verify --against FILE --json`: the pairs of entries one author signed
/// with one author sequence number. Built as `json!` in `commands::audit`;
/// this type states its shape.
#[derive(Debug, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct VerifyAgainst {
    /// Every pair found (empty: no equivocation, exit 0).
    pub equivocations: Vec<Equivocation>,
}

/// One author's two entries with one author sequence number.
#[derive(Debug, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Equivocation {
    /// The author.
    pub author: String,
    /// The sequence number both entries claim.
    pub author_seq: u64,
    /// The entry in this ledger, as an export line.
    pub here: ExportLine,
    /// The entry in the other file, as an export line.
    pub there: ExportLine,
}

/// An entry as a line of `export` (docs/FORMAT.md): log's fields and the
/// canonical bytes in standard base64.
#[derive(Debug, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ExportLine {
    /// The entry's sequence number.
    pub seq: u64,
    /// The entry's hash.
    pub hash: String,
    /// The time it claims (RFC 3339).
    pub time: String,
    /// The signing party.
    pub author: String,
    /// Its kind word.
    #[schemars(schema_with = "crate::render::kind_schema")]
    pub kind: String,
    /// Its subject.
    pub subject: String,
    /// The canonical bytes (standard base64).
    pub entry: String,
}

/// Every output with a schema: the file name under docs/schemas/ (without
/// `.json`), and the schema. A JSON Lines output's schema is of one line.
pub fn all() -> Vec<(&'static str, Value)> {
    vec![
        (
            "log",
            schema::<LogLine>("accord log --json (one object per line)"),
        ),
        (
            "history",
            schema::<HistoryLine>("accord history ID --json (one object per line)"),
        ),
        ("show", schema::<ShowEntry>("accord show SEQ --json")),
        (
            "diff",
            schema::<Vec<Change>>("accord diff --from A --to B --json"),
        ),
        ("verify", schema::<VerifyOut>("accord verify --json")),
        (
            "verify-against",
            schema::<VerifyAgainst>("accord verify --against FILE --json"),
        ),
        (
            "obligations",
            schema::<Obligations>("accord obligations --json"),
        ),
        (
            "key-list",
            schema::<Vec<PartyKeys>>("accord key list --json"),
        ),
        (
            "append",
            schema::<Appended>("any writing command with --json (what was appended)"),
        ),
    ]
}

/// `T`'s schema, titled, with every object that lists its properties
/// closed (see [`close`]).
fn schema<T: JsonSchema>(title: &str) -> Value {
    let mut v = serde_json::to_value(schemars::schema_for!(T)).unwrap_or(Value::Null);
    close(&mut v);
    v["title"] = Value::String(title.to_owned());
    v
}

/// Closes every derived object schema (one that does not state
/// `additionalProperties` itself): no other properties, and every property
/// required (an output prints `null` rather than leaving a field out) but
/// those marked `x-optional` (left out when empty).
fn close(v: &mut Value) {
    match v {
        Value::Object(map) => {
            if !map.contains_key("additionalProperties") {
                if let Some(Value::Object(props)) = map.get("properties") {
                    let required: Vec<Value> = props
                        .iter()
                        .filter(|(_, p)| p.get("x-optional") != Some(&Value::Bool(true)))
                        .map(|(k, _)| Value::String(k.clone()))
                        .collect();
                    map.insert("required".into(), Value::Array(required));
                    map.insert("additionalProperties".into(), Value::Bool(false));
                }
            }
            map.values_mut().for_each(close);
        }
        Value::Array(items) => items.iter_mut().for_each(close),
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// docs/schemas/ holds exactly the schemas the types give
    /// (`ACCORD_BLESS=1 cargo test json_schemas` rewrites them).
    #[test]
    fn json_schemas_are_current() {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/schemas");
        let bless = std::env::var_os("ACCORD_BLESS").is_some_and(|v| v == "1");
        let mut stale = Vec::new();
        let mut names = Vec::new();
        for (name, schema) in all() {
            let text = serde_json::to_string_pretty(&schema).unwrap() + "\n";
            let path = dir.join(format!("{name}.json"));
            names.push(format!("{name}.json"));
            if bless {
                std::fs::create_dir_all(&dir).unwrap();
                std::fs::write(&path, &text).unwrap();
            } else if std::fs::read_to_string(&path).ok().as_deref() != Some(&text) {
                stale.push(name);
            }
        }
        assert!(
            stale.is_empty(),
            "docs/schemas/ differs from the output types for {stale:?}: run ACCORD_BLESS=1 cargo nextest run -E 'test(json_schemas)' and commit"
        );
        let mut present: Vec<String> = std::fs::read_dir(&dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        present.sort();
        names.sort();
        assert_eq!(present, names, "a schema file no output has");
    }
}
