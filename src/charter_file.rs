//! The charter's TOML form (see the README) and its translation to
//! [`accord_core::Charter`]. Key files named by `key_file` are read relative
//! to the charter's directory.

use std::path::{Path, PathBuf};

use accord_core::{Adoption, Charter, Party, PartyId, PublicKey, Role, Rules};
use anyhow::{anyhow, bail, Context, Result};
use serde::Deserialize;

use crate::keyfile;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct CharterFile {
    title: String,
    #[serde(rename = "party", default)]
    parties: Vec<PartyFile>,
    rules: RulesFile,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct PartyFile {
    id: String,
    name: String,
    role: String,
    key: Option<String>,
    key_file: Option<PathBuf>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RulesFile {
    clause_adoption: AdoptionFile,
    ruling_quorum: u32,
}

#[derive(Deserialize)]
#[serde(untagged)]
enum AdoptionFile {
    Named(String),
    Quorum { quorum: u32 },
}

pub fn load(path: &Path) -> Result<Charter> {
    if path.is_dir() {
        bail!("{} is a directory, not a charter file", path.display());
    }
    let text = std::fs::read_to_string(path)
        .with_context(|| format!("cannot read charter {}", path.display()))?;
    let base = path.parent().unwrap_or(Path::new("."));
    parse(&text, base).with_context(|| format!("charter {}", path.display()))
}

pub fn parse(text: &str, base: &Path) -> Result<Charter> {
    let file: CharterFile = toml::from_str(text).map_err(|e| {
        let line = e
            .span()
            .map(|s| text[..s.start.min(text.len())].lines().count().max(1));
        let msg = e.message().replace('\n', " ");
        match line {
            Some(l) => anyhow!("line {l}: {msg}"),
            None => anyhow!("{msg}"),
        }
    })?;
    let mut parties = Vec::with_capacity(file.parties.len());
    for p in file.parties {
        let id = PartyId::new(p.id.clone())?;
        let role: Role = p.role.parse().with_context(|| format!("party {id}"))?;
        let key = match (p.key, p.key_file) {
            (Some(hex), None) => {
                PublicKey::from_hex(&hex).with_context(|| format!("party {id}"))?
            }
            (None, Some(file)) => {
                keyfile::load_public(&base.join(file)).with_context(|| format!("party {id}"))?
            }
            (Some(_), Some(_)) => bail!("party {id}: give either key or key_file, not both"),
            (None, None) => bail!("party {id}: a key (hex) or key_file is required"),
        };
        parties.push(Party {
            id,
            name: p.name,
            role,
            key,
        });
    }
    let clause_adoption = match file.rules.clause_adoption {
        AdoptionFile::Named(s) if s == "all-guarantors" => Adoption::AllGuarantors,
        AdoptionFile::Named(s) => bail!(
            "rules.clause_adoption {s:?} is not understood: use \"all-guarantors\" or {{ quorum = N }}"
        ),
        AdoptionFile::Quorum { quorum } => Adoption::Quorum(quorum),
    };
    let charter = Charter {
        title: file.title,
        parties,
        rules: Rules {
            clause_adoption,
            ruling_quorum: file.rules.ruling_quorum,
        },
    };
    charter.validate()?;
    Ok(charter)
}

#[cfg(test)]
mod tests {
    use super::*;

    const KEY_A: &str = "3d4017c3e843895a92b70aa74d1b7ebc9c982ccf2ec4968cc0cd55f12af4660c";
    const KEY_B: &str = "fc51cd8e6218a1a38da47ed00230f0580816ed13ba3303ac5deb911548908025";

    fn charter(parties: &str, rules: &str) -> String {
        format!("title = \"T\"\n{parties}\n[rules]\n{rules}\n")
    }

    fn two(role_b: &str) -> String {
        format!(
            "[[party]]\nid = \"tr\"\nname = \"Turkey\"\nrole = \"guarantor\"\nkey = \"{KEY_A}\"\n\
             [[party]]\nid = \"ru\"\nname = \"Russia\"\nrole = \"{role_b}\"\nkey = \"{KEY_B}\"\n"
        )
    }

    fn err(text: &str) -> String {
        format!("{:#}", parse(text, Path::new(".")).unwrap_err())
    }

    #[test]
    fn parses_both_adoption_forms() {
        let c = parse(
            &charter(
                &two("guarantor"),
                "clause_adoption = \"all-guarantors\"\nruling_quorum = 2",
            ),
            Path::new("."),
        )
        .unwrap();
        assert_eq!(c.rules.clause_adoption, Adoption::AllGuarantors);
        let c = parse(
            &charter(
                &two("guarantor"),
                "clause_adoption = { quorum = 1 }\nruling_quorum = 1",
            ),
            Path::new("."),
        )
        .unwrap();
        assert_eq!(c.rules.clause_adoption, Adoption::Quorum(1));
    }

    #[test]
    fn bad_charters_get_one_line() {
        let rules = "clause_adoption = \"all-guarantors\"\nruling_quorum = 1";
        let cases = [
            (charter(&two("king"), rules), "unknown role"),
            (
                charter(&two("guarantor").replace("\"ru\"", "\"tr\""), rules),
                "more than once",
            ),
            (
                charter(&two("guarantor").replace(KEY_B, KEY_A), rules),
                "same key",
            ),
            (
                charter(&two("guarantor").replace(KEY_B, "abcd"), rules),
                "64 hex",
            ),
            (
                charter(&two("party").replace("guarantor", "party"), rules),
                "no guarantor",
            ),
            (
                charter(
                    &two("party"),
                    "clause_adoption = \"all-guarantors\"\nruling_quorum = 2",
                ),
                "only 1 guarantor",
            ),
            (
                charter(
                    &two("party"),
                    "clause_adoption = \"most\"\nruling_quorum = 1",
                ),
                "not understood",
            ),
            ("title = \n".to_string(), "line 1"),
        ];
        for (text, expect) in cases {
            let e = err(&text);
            assert!(e.contains(expect), "{e:?} should mention {expect:?}");
            assert!(!e.contains('\n'), "{e:?} is not one line");
        }
    }
}
