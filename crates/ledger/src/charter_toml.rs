//! The charter's TOML form (README, "The charter") and its translation to
//! [`accord_core::Charter`], checked in full. Reading key files is the
//! caller's: `key_file` entries are handed to a loader.

use std::path::{Path, PathBuf};

use accord_core::{Adoption, Charter, Party, PartyId, PublicKey, Role, Rules};
use serde::Deserialize;

/// Why a charter text is refused: one line saying what is wrong.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct CharterTomlError(pub String);

fn fail(msg: impl Into<String>) -> CharterTomlError {
    CharterTomlError(msg.into())
}

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

/// Whether charter text looks like private key material: a PEM private key
/// (plain or encrypted), the base64 of a PKCS#8 ed25519 key (its algorithm
/// identifier encodes as `BQYDK2Vw` in both versions), or 64 bytes of hex
/// (a secret and public key together, as NaCl stores them). Such text is
/// never repeated in an error.
fn looks_private(text: &str) -> bool {
    let t = text.trim();
    t.contains("PRIVATE KEY")
        || t.contains("BQYDK2Vw")
        || (t.len() == 128 && t.bytes().all(|b| b.is_ascii_hexdigit()))
}

/// Parses and checks a charter. `key_file` values are passed to
/// `load_key`, which returns the public key or a one-line reason.
pub fn parse(
    text: &str,
    load_key: impl Fn(&Path) -> Result<PublicKey, String>,
) -> Result<Charter, CharterTomlError> {
    let file: CharterFile = toml::from_str(text).map_err(|e| {
        let line = e
            .span()
            .map(|s| text[..s.start.min(text.len())].lines().count().max(1));
        let msg = e.message().replace('\n', " ");
        match line {
            Some(l) => fail(format!("line {l}: {msg}")),
            None => fail(msg),
        }
    })?;
    let mut parties = Vec::with_capacity(file.parties.len());
    for p in file.parties {
        let id = PartyId::new(p.id.clone()).map_err(|e| fail(e.to_string()))?;
        let role: Role = p
            .role
            .parse()
            .map_err(|e: accord_core::CharterError| fail(format!("party {id}: {e}")))?;
        let key = match (p.key, p.key_file) {
            (Some(text), None) => {
                if looks_private(&text) {
                    return Err(fail(format!(
                        "party {id}: key holds a private key (not shown): a charter takes the \
                         public key, e.g. key_file = \"FILE.pub\" or the hex `accord key show FILE` prints"
                    )));
                }
                PublicKey::from_hex(&text).map_err(|e| fail(format!("party {id}: key is {e}")))?
            }
            (None, Some(file)) => {
                if looks_private(&file.to_string_lossy()) {
                    return Err(fail(format!(
                        "party {id}: key_file holds key text (not shown), not a file name: \
                         name the public key file, e.g. key_file = \"FILE.pub\""
                    )));
                }
                load_key(&file).map_err(|e| fail(format!("party {id}: {e}")))?
            }
            (Some(_), Some(_)) => {
                return Err(fail(format!(
                    "party {id}: give either key or key_file, not both"
                )))
            }
            (None, None) => {
                return Err(fail(format!(
                    "party {id}: a key (hex) or key_file is required"
                )))
            }
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
        AdoptionFile::Named(s) => {
            return Err(fail(format!(
                "rules.clause_adoption {s:?} is not understood: use \"all-guarantors\" or {{ quorum = N }}"
            )))
        }
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
    charter.validate().map_err(|e| fail(e.to_string()))?;
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

    fn no_files(_: &Path) -> Result<PublicKey, String> {
        Err("no key files in these tests".into())
    }

    #[test]
    fn key_files_go_to_the_loader() {
        let text = charter(
            "[[party]]\nid = \"tr\"\nname = \"T\"\nrole = \"guarantor\"\nkey_file = \"tr.pub\"\n",
            "clause_adoption = \"all-guarantors\"\nruling_quorum = 1",
        );
        let key = PublicKey::from_hex(KEY_A).unwrap();
        let c = parse(&text, |p| {
            assert_eq!(p, Path::new("tr.pub"));
            Ok(key)
        })
        .unwrap();
        assert_eq!(c.parties[0].key, key);
        assert!(err(&text).contains("party tr: no key files"));
    }

    fn err(text: &str) -> String {
        format!("{:#}", parse(text, no_files).unwrap_err())
    }

    #[test]
    fn parses_both_adoption_forms() {
        let c = parse(
            &charter(
                &two("guarantor"),
                "clause_adoption = \"all-guarantors\"\nruling_quorum = 2",
            ),
            no_files,
        )
        .unwrap();
        assert_eq!(c.rules.clause_adoption, Adoption::AllGuarantors);
        let c = parse(
            &charter(
                &two("guarantor"),
                "clause_adoption = { quorum = 1 }\nruling_quorum = 1",
            ),
            no_files,
        )
        .unwrap();
        assert_eq!(c.rules.clause_adoption, Adoption::Quorum(1));
    }

    /// Whether `message` shows any 12 characters in a row of `secret`'s
    /// material (its base64 or hex, without PEM armour or whitespace).
    fn leaks(message: &str, secret: &str) -> bool {
        let material: String = secret
            .lines()
            .filter(|l| !l.starts_with("-----"))
            .flat_map(|l| l.split("-----"))
            .filter(|part| !part.contains("PRIVATE KEY"))
            .collect::<String>()
            .chars()
            .filter(|c| c.is_ascii_alphanumeric() || *c == '+' || *c == '/')
            .collect();
        let m: String = message.chars().filter(|c| !c.is_whitespace()).collect();
        let chars: Vec<char> = material.chars().collect();
        chars
            .windows(12)
            .any(|w| m.contains(&w.iter().collect::<String>()))
    }

    fn one_party(key_line: &str) -> String {
        charter(
            &format!("[[party]]\nid = \"tr\"\nname = \"T\"\nrole = \"guarantor\"\n{key_line}\n"),
            "clause_adoption = \"all-guarantors\"\nruling_quorum = 1",
        )
    }

    #[test]
    fn a_private_key_pasted_into_the_charter_is_never_printed() {
        // RFC 8032 TEST 1 secret key, as PKCS#8 PEM and as raw hex.
        let seed = "9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60";
        let public = "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a";
        let pem = "-----BEGIN PRIVATE KEY-----\n\
                   MC4CAQAwBQYDK2VwBCIEIJ1hsZ3v/VpguoRK9JLsLMREScVpezJpGXA7rAMcrn9g\n\
                   -----END PRIVATE KEY-----\n";
        let one_line_pem = pem.replace('\n', "");
        let body = "MC4CAQAwBQYDK2VwBCIEIJ1hsZ3v/VpguoRK9JLsLMREScVpezJpGXA7rAMcrn9g";
        // A 32-byte secret that is not a curve point is refused as a key.
        let not_a_point = (0u8..=255)
            .map(|b| PublicKey([b; 32]).to_hex())
            .find(|h| {
                PublicKey::from_hex(h).map(|k| k.verifying_key())
                    == Ok(Err(accord_core::KeyError::InvalidPoint))
            })
            .unwrap();
        let cases = [
            (format!("key = \"\"\"\n{pem}\"\"\""), body.to_string()),
            (format!("key = \"{one_line_pem}\""), body.to_string()),
            (format!("key = '{one_line_pem}'"), body.to_string()),
            (format!("key = \"{pem}\""), body.to_string()),
            (format!("key = {pem}"), body.to_string()),
            (format!("key = \"{body}\""), body.to_string()),
            (
                format!("key = \"{seed}{public}\""),
                format!("{seed}{public}"),
            ),
            (format!("key = \"{not_a_point}\""), not_a_point.clone()),
            (
                format!("key = \"{seed}\"\nkey_file = \"k.pub\""),
                seed.to_string(),
            ),
            (format!("key_file = \"\"\"\n{pem}\"\"\""), body.to_string()),
            (format!("key_file = \"{body}\""), body.to_string()),
        ];
        for (line, secret) in cases {
            let text = one_party(&line);
            let e = err(&text);
            assert!(!leaks(&e, &secret), "{line:?} is echoed: {e}");
            assert!(!e.contains('\n'), "{e:?} is not one line");
        }
        // The material the test looks for is found when it is there.
        assert!(leaks(&format!("x {body} y"), pem));
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
