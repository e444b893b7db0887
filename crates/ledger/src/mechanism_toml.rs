//! The bodies file `charter amend --body-file` reads (README, "Bodies"):
//! `[[body]]` tables, each translated to a [`CharterChange::SetBody`], in
//! file order (a parent before the bodies under it). Only the shape is
//! checked here; whether the bodies fit the charter in force is the gate's
//! (`amendment::apply`).

use accord_core::mechanism::{Body, Decision};
use accord_core::{BodyId, CharterChange, PartyId};
use serde::Deserialize;

/// Why a bodies file is refused: one line saying what is wrong.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct BodiesTomlError(pub String);

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct BodiesFile {
    #[serde(rename = "body", default)]
    bodies: Vec<BodyFile>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct BodyFile {
    id: String,
    name: String,
    members: Vec<String>,
    decision: String,
    #[serde(default)]
    recuse_accused: bool,
    parent: Option<String>,
    #[serde(default)]
    parent_adopts: bool,
}

/// Parses a bodies file into one change per body, in file order.
pub fn parse(text: &str) -> Result<Vec<CharterChange>, BodiesTomlError> {
    let file: BodiesFile = toml::from_str(text).map_err(|e| {
        let line = e
            .span()
            .map(|s| text[..s.start.min(text.len())].lines().count().max(1));
        let msg = e.message().replace('\n', " ");
        BodiesTomlError(match line {
            Some(l) => format!("line {l}: {msg}"),
            None => msg,
        })
    })?;
    if file.bodies.is_empty() {
        return Err(BodiesTomlError(
            "names no body: add a [[body]] table with id, name, members and decision".into(),
        ));
    }
    file.bodies.into_iter().map(body).collect()
}

fn body(b: BodyFile) -> Result<CharterChange, BodiesTomlError> {
    let at = |what: &str, e: accord_core::IdError| {
        BodiesTomlError(format!("body {:?}: {what}: {e}", b.id))
    };
    let id = BodyId::new(b.id.as_str()).map_err(|e| at("id", e))?;
    let members = b
        .members
        .iter()
        .map(|m| PartyId::new(m.as_str()).map_err(|e| at("members", e)))
        .collect::<Result<Vec<_>, _>>()?;
    let parent = b
        .parent
        .as_deref()
        .map(|p| BodyId::new(p).map_err(|e| at("parent", e)))
        .transpose()?;
    let decision = decision(&b.decision)
        .map_err(|why| BodiesTomlError(format!("body {:?}: decision: {why}", b.id)))?;
    Ok(CharterChange::SetBody(Body {
        id,
        name: b.name,
        members,
        decision,
        recuse_accused: b.recuse_accused,
        parent,
        parent_adopts: b.parent_adopts,
    }))
}

/// A decision rule in words: `all`, `quorum N`, or `consensus D` where D
/// is a number of seconds, minutes, hours or days (`3600s`, `90m`, `48h`,
/// `7d`).
pub fn decision(s: &str) -> Result<Decision, String> {
    let words: Vec<&str> = s.split_whitespace().collect();
    match words.as_slice() {
        ["all"] => Ok(Decision::All),
        ["quorum", n] => n
            .parse::<u32>()
            .map(Decision::Quorum)
            .map_err(|_| format!("{n:?} is not a number of members")),
        ["consensus", d] => duration(d).map(|lapse| Decision::Consensus { lapse }),
        _ => Err(format!(
            "{s:?} is not a rule: use \"all\", \"quorum N\" or \"consensus 7d\""
        )),
    }
}

fn duration(d: &str) -> Result<u64, String> {
    let bad = || format!("{d:?} is not a duration such as 3600s, 90m, 48h or 7d");
    let (n, unit) = d.split_at(d.len().saturating_sub(1));
    let n: u64 = n.parse().map_err(|_| bad())?;
    let scale = match unit {
        "s" => 1,
        "m" => 60,
        "h" => 3600,
        "d" => 86_400,
        _ => return Err(bad()),
    };
    n.checked_mul(scale).filter(|s| *s > 0).ok_or_else(bad)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bodies_parse_in_file_order_with_their_rules() {
        let changes = parse(
            r#"
[[body]]
id = "board"
name = "CTSAMVM Board"
members = ["gov", "io"]
decision = "consensus 7d"

[[body]]
id = "tc"
name = "Technical Committee"
members = ["gov"]
decision = "quorum 1"
recuse_accused = true
parent = "board"
parent_adopts = true
"#,
        )
        .unwrap();
        let bodies: Vec<&Body> = changes
            .iter()
            .map(|c| match c {
                CharterChange::SetBody(b) => b,
                other => panic!("{other:?}"),
            })
            .collect();
        assert_eq!(bodies[0].id.as_str(), "board");
        assert_eq!(
            bodies[0].decision,
            Decision::Consensus { lapse: 7 * 86_400 }
        );
        assert!(!bodies[0].recuse_accused && bodies[0].parent.is_none());
        assert_eq!(bodies[1].decision, Decision::Quorum(1));
        assert!(bodies[1].recuse_accused && bodies[1].parent_adopts);
        assert_eq!(bodies[1].parent.as_ref().map(BodyId::as_str), Some("board"));
    }

    #[test]
    fn bad_files_say_what_is_wrong_in_one_line() {
        for (text, says) in [
            ("", "names no body"),
            ("[[body]]\nid = \"x\"\n", "line"),
            (
                "[[body]]\nid=\"x\"\nname=\"X\"\nmembers=[\"a\"]\ndecision=\"most\"\n",
                "not a rule",
            ),
            (
                "[[body]]\nid=\"x\"\nname=\"X\"\nmembers=[\"a\"]\ndecision=\"consensus 7w\"\n",
                "not a duration",
            ),
            (
                "[[body]]\nid=\"x y\"\nname=\"X\"\nmembers=[\"a\"]\ndecision=\"all\"\n",
                "id",
            ),
            (
                "[[body]]\nid=\"x\"\nname=\"X\"\nmembers=[\"a\"]\ndecision=\"all\"\nchair=\"a\"\n",
                "unknown field",
            ),
        ] {
            let e = parse(text).unwrap_err().to_string();
            assert!(e.contains(says), "{text:?}: {e}");
            assert!(!e.contains('\n'), "{e}");
        }
    }
}
