//! The mechanism in force beyond the founding charter: the register of
//! non-signatory actors, the bodies that decide (members, decision rule,
//! recusal, parent), and the scales observations are classified on. All
//! three change only by charter amendment ([`crate::CharterChange`]),
//! effective by position; the founding charter has none of them.
//!
//! This module holds the vocabulary and the read side; it decides nothing
//! about entries (that is the gate) and never changes the chain itself.

use std::collections::BTreeMap;
use std::fmt;

use serde::{Deserialize, Serialize};

use crate::ids::{ActorId, BodyId, PartyId};

macro_rules! words {
    ($(#[$doc:meta])* $name:ident { $($(#[$vdoc:meta])* $variant:ident => $word:literal),+ $(,)? }) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
        #[serde(rename_all = "kebab-case")]
        pub enum $name { $($(#[$vdoc])* $variant),+ }

        impl $name {
            /// Every value, in format order.
            pub const ALL: &'static [$name] = &[$($name::$variant),+];
            /// The word that names it on the command line and in JSON.
            pub fn as_str(self) -> &'static str {
                match self { $($name::$variant => $word),+ }
            }
        }
        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.pad(self.as_str())
            }
        }
        impl std::str::FromStr for $name {
            type Err = String;
            fn from_str(s: &str) -> Result<Self, String> {
                Self::ALL.iter().copied().find(|v| v.as_str() == s).ok_or_else(|| {
                    let words: Vec<&str> = Self::ALL.iter().map(|v| v.as_str()).collect();
                    format!("{s:?} is not one of {}", words.join(", "))
                })
            }
        }
    };
}

words!(
    /// Why an actor is on the register.
    Standing {
        /// Designated by the UN Security Council (e.g. HTS / Nusra).
        Designated => "designated",
        /// A group that refused to sign (a holdout).
        Holdout => "holdout",
        /// A group that split from a party (dissidents).
        Dissident => "dissident",
        /// A group allied to a party, which answers for it politically.
        Allied => "allied",
    }
);

words!(
    /// A classification scale the charter defines for observations.
    ScaleKind {
        /// How grave a violation is.
        Severity => "severity",
        /// What kind of violation it is.
        Violation => "violation",
    }
);

/// A non-signatory actor: may be accused and attributed to, signs nothing,
/// is bound by nothing.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Actor {
    /// Its id, sharing the namespace of party ids.
    pub id: ActorId,
    /// Its name, one line (aliases in words: "Jabhat Fatah al-Sham / Nusra").
    pub name: String,
    /// Why it is listed.
    pub standing: Standing,
    /// The party it is allied to or split from, if any.
    pub party: Option<PartyId>,
}

/// How a body's members decide.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Decision {
    /// Every member (not recused) must endorse.
    All,
    /// At least this many members (not recused) must endorse.
    Quorum(u32),
    /// Every member (not recused) must endorse within `lapse` seconds of
    /// the draft; a member's dissent, or the lapse passing, closes the
    /// matter as "no consensus".
    Consensus {
        /// Seconds after the draft entry's time.
        lapse: u64,
    },
}

impl fmt::Display for Decision {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Decision::All => f.write_str("all members"),
            Decision::Quorum(q) => write!(f, "{q} member(s)"),
            Decision::Consensus { lapse } => write!(f, "consensus within {lapse} s"),
        }
    }
}

/// A body of the mechanism: who sits on it and how it decides.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Body {
    /// Its id.
    pub id: BodyId,
    /// Its name, one line.
    pub name: String,
    /// Its members: parties of the charter in force (no observers).
    pub members: Vec<PartyId>,
    /// How its members decide.
    pub decision: Decision,
    /// Whether a member accused in a matter sits out (cannot endorse, and
    /// is not counted).
    pub recuse_accused: bool,
    /// The body above it, if any.
    pub parent: Option<BodyId>,
    /// Whether its rulings stay provisional until the parent body adopts
    /// them (needs a parent).
    pub parent_adopts: bool,
}

impl Body {
    /// Whether `party` sits on the body.
    pub fn has_member(&self, party: &PartyId) -> bool {
        self.members.contains(party)
    }
}

/// An actor on the register, with where it was listed and delisted.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Listing {
    /// The actor as listed.
    pub actor: Actor,
    /// The seq of the entry that adopted its listing.
    pub listed: u64,
    /// The seq of the entry that adopted its delisting, if delisted.
    pub delisted: Option<u64>,
}

/// The mechanism in force: bodies, scales and the actor register.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Mechanism {
    /// Every body, by id.
    pub bodies: BTreeMap<BodyId, Body>,
    /// Every scale defined, with its values in order (least to most).
    pub scales: BTreeMap<ScaleKind, Vec<String>>,
    /// Every actor ever listed (delisted ones stay, marked).
    pub actors: BTreeMap<ActorId, Listing>,
}

impl Mechanism {
    /// The body with this id, if the mechanism has it.
    pub fn body(&self, id: &BodyId) -> Option<&Body> {
        self.bodies.get(id)
    }

    /// The actor with this id if it is listed now (not delisted).
    pub fn listed(&self, id: &ActorId) -> Option<&Actor> {
        self.actors
            .get(id)
            .filter(|l| l.delisted.is_none())
            .map(|l| &l.actor)
    }

    /// Whether `value` is on the scale `kind` (false when the charter
    /// defines no such scale).
    pub fn on_scale(&self, kind: ScaleKind, value: &str) -> bool {
        self.scales
            .get(&kind)
            .is_some_and(|v| v.iter().any(|x| x == value))
    }
}
