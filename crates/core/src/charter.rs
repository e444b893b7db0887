//! The charter: the agreement's title, its parties with their roles and
//! keys, and its decision rules. It is the event of entry 0 and is checked
//! in full before a ledger is created.

use std::collections::BTreeSet;
use std::fmt;

use serde::{Deserialize, Serialize};

use crate::crypto::{KeyError, PublicKey};
use crate::ids::PartyId;
use crate::limits::{MAX_PARTIES, MAX_TITLE_BYTES};
use crate::text;

// Names only matter to human-readable encodings (JSON); the canonical
// encoding writes the variant index.
/// What a charter party may do; which entries each role may sign is in docs/DOMAIN.md.
// issue 15: json (JsonSchema)
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    PartialOrd,
    Ord,
    Hash,
    Serialize,
    Deserialize,
    schemars::JsonSchema,
)]
#[serde(rename_all = "kebab-case")]
pub enum Role {
    /// Adopts clauses and rulings by endorsement; proposes clauses and rulings.
    Guarantor,
    /// A party to the conflict: accepts clauses, makes commitments, answers allegations.
    Party,
    /// Proposes and endorses clauses (its endorsements do not count toward
    /// adoption); commits and alleges.
    Mediator,
    /// Proposes rulings on allegations; commits and alleges.
    Monitor,
    /// Bound by nothing and signs nothing; named so the record says who watches.
    Observer,
    /// Convenes and records: proposes clauses and charter amendments and
    /// may endorse clauses (never counted toward adoption); bound by
    /// nothing, never votes on rulings.
    Secretariat,
}

impl Role {
    /// Every role, in format order.
    pub const ALL: [Role; 6] = [
        Role::Guarantor,
        Role::Party,
        Role::Mediator,
        Role::Monitor,
        Role::Observer,
        Role::Secretariat,
    ];

    /// The word the charter file and the JSON use for the role.
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Guarantor => "guarantor",
            Role::Party => "party",
            Role::Mediator => "mediator",
            Role::Monitor => "monitor",
            Role::Observer => "observer",
            Role::Secretariat => "secretariat",
        }
    }
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl std::str::FromStr for Role {
    type Err = CharterError;
    fn from_str(s: &str) -> Result<Self, CharterError> {
        Role::ALL
            .into_iter()
            .find(|r| r.as_str() == s)
            .ok_or_else(|| CharterError::UnknownRole(s.to_owned()))
    }
}

/// One signatory of the charter: who it is, its role and the key it first signs with.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Party {
    /// Its id, used in every entry it signs and every record that names it.
    pub id: PartyId,
    /// Its full name, one line.
    pub name: String,
    /// What it may do.
    pub role: Role,
    /// The key it signs with until it rotates or is revoked.
    pub key: PublicKey,
}

/// How many guarantor endorsements adopt a clause.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Adoption {
    /// Every guarantor must endorse.
    AllGuarantors,
    /// At least this many guarantors must endorse.
    Quorum(u32),
}

/// The charter's decision rules.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Rules {
    /// How many guarantor endorsements adopt a clause.
    pub clause_adoption: Adoption,
    /// Guarantor endorsements needed to adopt a ruling.
    pub ruling_quorum: u32,
}

/// The founding agreement: entry 0 of every ledger.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Charter {
    /// The agreement's title, one line.
    pub title: String,
    /// Every party, in the order the charter lists them.
    pub parties: Vec<Party>,
    /// Its decision rules.
    pub rules: Rules,
}

/// Why a charter cannot found a ledger.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CharterError {
    /// The title is empty, too long or not one line of visible text.
    #[error("charter title must be 1-{MAX_TITLE_BYTES} bytes of visible text on one line, without control characters")]
    Title,
    /// A party's name is empty, too long or not one line of visible text.
    #[error("party {0}: name must be 1-{MAX_TITLE_BYTES} bytes of visible text on one line, without control characters")]
    Name(PartyId),
    /// Too few or too many parties.
    #[error("charter must name between 1 and {MAX_PARTIES} parties")]
    PartyCount,
    /// Two parties share an id.
    #[error("party id {0} appears more than once")]
    DuplicateParty(PartyId),
    /// Two parties share a key.
    #[error("parties {0} and {1} have the same key")]
    DuplicateKey(PartyId, PartyId),
    /// A party's key is not a valid public key.
    #[error("party {0}: {1}")]
    Key(PartyId, KeyError),
    /// A role word is not one of the six roles.
    #[error(
        "unknown role {0:?}: use guarantor, party, mediator, monitor, observer or secretariat"
    )]
    UnknownRole(String),
    /// No party is a guarantor, so nothing could ever be adopted.
    #[error("charter names no guarantor: at least one party must have role = \"guarantor\"")]
    NoGuarantor,
    #[error("{rule} must be at least 1")]
    /// A quorum is zero.
    QuorumZero {
        /// The rule, in words.
        rule: &'static str,
    },
    /// A quorum is larger than the number of guarantors.
    #[error("{rule} is {quorum} but the charter has only {guarantors} guarantor(s)")]
    QuorumTooLarge {
        /// The rule, in words.
        rule: &'static str,
        /// The quorum it asks for.
        quorum: u32,
        /// How many guarantors the charter has.
        guarantors: usize,
    },
}

impl Charter {
    /// The party with id `id`, if the charter names one.
    pub fn party(&self, id: &PartyId) -> Option<&Party> {
        self.parties.iter().find(|p| &p.id == id)
    }

    /// The guarantors, in charter order.
    pub fn guarantors(&self) -> impl Iterator<Item = &Party> {
        self.parties.iter().filter(|p| p.role == Role::Guarantor)
    }

    /// Whether guarantor endorsements meet a quorum rule.
    pub(crate) fn quorum_met(&self, rule: Adoption, endorsements: &[(PartyId, u64)]) -> bool {
        self.quorum_met_by(rule, |g| endorsements.iter().any(|(p, _)| p == g))
    }

    /// Whether the guarantors for whom `endorsed_by` holds meet a quorum rule.
    pub(crate) fn quorum_met_by(
        &self,
        rule: Adoption,
        endorsed_by: impl Fn(&PartyId) -> bool,
    ) -> bool {
        let (mut guarantors, mut endorsed) = (0usize, 0usize);
        for g in self.guarantors() {
            guarantors += 1;
            if endorsed_by(&g.id) {
                endorsed += 1;
            }
        }
        match rule {
            Adoption::AllGuarantors => endorsed == guarantors,
            Adoption::Quorum(q) => endorsed >= q as usize,
        }
    }

    /// Checks everything a charter must satisfy to found a ledger.
    pub fn validate(&self) -> Result<(), CharterError> {
        if text::check_line(&self.title, MAX_TITLE_BYTES).is_err() {
            return Err(CharterError::Title);
        }
        if self.parties.is_empty() || self.parties.len() > MAX_PARTIES {
            return Err(CharterError::PartyCount);
        }
        let mut ids = BTreeSet::new();
        for p in &self.parties {
            if !ids.insert(&p.id) {
                return Err(CharterError::DuplicateParty(p.id.clone()));
            }
            if text::check_line(&p.name, MAX_TITLE_BYTES).is_err() {
                return Err(CharterError::Name(p.id.clone()));
            }
            p.key
                .verifying_key()
                .map_err(|e| CharterError::Key(p.id.clone(), e))?;
            if let Some(other) = self.parties.iter().find(|o| o.key == p.key && o.id != p.id) {
                return Err(CharterError::DuplicateKey(other.id.clone(), p.id.clone()));
            }
        }
        let guarantors = self.guarantors().count();
        if guarantors == 0 {
            return Err(CharterError::NoGuarantor);
        }
        if let Adoption::Quorum(q) = self.rules.clause_adoption {
            check_quorum("clause_adoption quorum", q, guarantors)?;
        }
        check_quorum("ruling_quorum", self.rules.ruling_quorum, guarantors)
    }
}

pub(crate) fn check_quorum(
    rule: &'static str,
    quorum: u32,
    guarantors: usize,
) -> Result<(), CharterError> {
    if quorum == 0 {
        return Err(CharterError::QuorumZero { rule });
    }
    if quorum as usize > guarantors {
        return Err(CharterError::QuorumTooLarge {
            rule,
            quorum,
            guarantors,
        });
    }
    Ok(())
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::crypto::public_key;
    use ed25519_dalek::SigningKey;

    pub fn party(id: &str, role: Role, seed: u8) -> Party {
        Party {
            id: PartyId::new(id).unwrap(),
            name: format!("Party {id}"),
            role,
            key: public_key(&SigningKey::from_bytes(&[seed; 32])),
        }
    }

    pub fn sample() -> Charter {
        Charter {
            title: "Test mechanism".into(),
            parties: vec![
                party("tr", Role::Guarantor, 1),
                party("ru", Role::Guarantor, 2),
                party("ir", Role::Guarantor, 3),
                party("un", Role::Mediator, 4),
                party("gov", Role::Party, 5),
                party("us", Role::Observer, 6),
            ],
            rules: Rules {
                clause_adoption: Adoption::AllGuarantors,
                ruling_quorum: 2,
            },
        }
    }

    #[test]
    fn sample_is_valid() {
        sample().validate().unwrap();
    }

    #[test]
    fn each_defect_is_named() {
        let mut c = sample();
        c.parties.push(party("tr", Role::Party, 9));
        assert!(matches!(c.validate(), Err(CharterError::DuplicateParty(_))));

        let mut c = sample();
        c.parties.push(party("xx", Role::Party, 1));
        assert!(matches!(c.validate(), Err(CharterError::DuplicateKey(..))));

        let mut c = sample();
        c.parties.retain(|p| p.role != Role::Guarantor);
        assert_eq!(c.validate(), Err(CharterError::NoGuarantor));

        let mut c = sample();
        c.rules.ruling_quorum = 4;
        assert!(matches!(
            c.validate(),
            Err(CharterError::QuorumTooLarge { .. })
        ));

        let mut c = sample();
        c.rules.clause_adoption = Adoption::Quorum(0);
        assert!(matches!(c.validate(), Err(CharterError::QuorumZero { .. })));

        let mut c = sample();
        let mut identity = [0u8; 32];
        identity[0] = 1;
        c.parties[0].key = PublicKey(identity);
        assert!(matches!(
            c.validate(),
            Err(CharterError::Key(_, KeyError::Weak))
        ));

        let mut c = sample();
        c.title = " ".into();
        assert_eq!(c.validate(), Err(CharterError::Title));

        assert!("king".parse::<Role>().is_err());
        assert_eq!("monitor".parse::<Role>().unwrap(), Role::Monitor);
        assert_eq!("secretariat".parse::<Role>().unwrap(), Role::Secretariat);
    }
}
