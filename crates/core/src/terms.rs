//! The vocabulary of the agreement's two tracks: evidence digests, the
//! accused's positions, and the findings and attributions of rulings. The
//! variant order of each enum is part of the format.

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::ids::{ActorId, PartyId, Sha256};

/// A file offered as evidence, recorded by digest: the file itself is not
/// stored in the ledger.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Evidence {
    /// The file's name as given (no directories).
    pub name: String,
    /// SHA-256 of the file's bytes (no domain tag: any tool can check it).
    pub sha256: Sha256,
    /// The file's size in bytes.
    pub size: u64,
    /// The file's media type as given (e.g. `image/jpeg`).
    pub media_type: String,
}

macro_rules! word_enum {
    ($(#[$doc:meta])* $name:ident { $($(#[$vdoc:meta])* $variant:ident => $word:literal),+ $(,)? }) => {
        $(#[$doc])*
        // issue 15: json (JsonSchema)
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, schemars::JsonSchema)]
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

word_enum!(
    /// The accused's answer to an allegation.
    Position {
        /// The incident did not happen as alleged.
        Deny => "deny",
        /// The accused admits the violation.
        Admit => "admit",
        /// The accused says the accuser broke the agreement first.
        Counterclaim => "counterclaim",
        /// The accused admits the act but says it was justified.
        Justify => "justify",
    }
);

word_enum!(
    /// What a ruling finds about an alleged incident.
    Finding {
        /// The alleged violation happened.
        Confirmed => "confirmed",
        /// The evidence does not support the allegation.
        NotSubstantiated => "not-substantiated",
        /// The evidence cannot decide it either way.
        Inconclusive => "inconclusive",
        /// The incident happened but broke no commitment.
        IncidentNotViolation => "incident-not-violation",
    }
);

word_enum!(
    /// What a verifier found when it checked an obligor's report.
    Verdict {
        /// The verifier confirms the report.
        Verified => "verified",
        /// The verifier disputes the report.
        Disputed => "disputed",
    }
);

/// To whom a ruling attributes the incident.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum Attribution {
    /// The incident is one party's doing.
    Party(PartyId),
    /// Responsibility is shared between the parties involved.
    Shared,
    /// No party can be held responsible.
    Unattributable,
    // issue 14: attribution to actors, with a degree
    /// The incident is attributed, to this degree, to a party or to a
    /// non-signatory actor.
    To {
        /// Whom it is attributed to.
        who: Accused,
        /// How firmly.
        degree: Degree,
    },
}

/// Who an allegation accuses or a ruling attributes to: a party of the
/// charter, or a non-signatory actor on the register.
#[derive(
    Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, schemars::JsonSchema,
)]
#[serde(rename_all = "kebab-case")]
pub enum Accused {
    /// A party of the charter in force.
    Party(PartyId),
    /// An actor listed on the register (see `mechanism`).
    Actor(ActorId),
}

impl Accused {
    /// The id, whichever kind it is (party and actor ids never collide).
    pub fn as_str(&self) -> &str {
        match self {
            Accused::Party(p) => p.as_str(),
            Accused::Actor(a) => a.as_str(),
        }
    }
    /// The party, if a party is named.
    pub fn party(&self) -> Option<&PartyId> {
        match self {
            Accused::Party(p) => Some(p),
            Accused::Actor(_) => None,
        }
    }
}

impl fmt::Display for Accused {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.pad(self.as_str())
    }
}

word_enum!(
    /// How firmly a ruling attributes an incident.
    Degree {
        /// Attributed.
        Attributed => "attributed",
        /// Largely attributed (the evidence points to, without settling).
        LargelyAttributed => "largely-attributed",
    }
);

word_enum!(
    /// How precisely an observation's time is known.
    TimePrecision {
        /// To the minute.
        Minute => "minute",
        /// To the hour.
        Hour => "hour",
        /// To the day.
        Day => "day",
        /// To the week.
        Week => "week",
        /// To the month.
        Month => "month",
    }
);

word_enum!(
    /// How precisely an observation's place is known.
    PlacePrecision {
        /// A point (coordinates or an exact site).
        Point => "point",
        /// A settlement (village, town, camp).
        Settlement => "settlement",
        /// A district or county.
        District => "district",
        /// A region or state.
        Region => "region",
    }
);

/// Evidence added after the fact (`EvidenceAdded`): a digest as
/// [`Evidence`], or, when `salted`, SHA-256 over a 32-byte secret salt
/// followed by the file's bytes, so that a guessable file (a list of
/// detainees' names) cannot be confirmed by guessing it. The salt stays
/// with the filer, who reveals it to whoever must check the file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Exhibit {
    /// The file's name as given (no directories).
    pub name: String,
    /// SHA-256 of the file's bytes, or of salt and bytes when `salted`.
    pub sha256: Sha256,
    /// The file's size in bytes.
    pub size: u64,
    /// The file's media type as given.
    pub media_type: String,
    /// Whether the digest is salted.
    pub salted: bool,
}

impl fmt::Display for Attribution {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Attribution::Party(p) => f.pad(p.as_str()),
            Attribution::Shared => f.pad("shared"),
            Attribution::Unattributable => f.pad("unattributable"),
            Attribution::To {
                who,
                degree: Degree::Attributed,
            } => f.pad(who.as_str()),
            Attribution::To { who, degree } => f.pad(&format!("{degree}:{who}")),
        }
    }
}

impl std::str::FromStr for Attribution {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        match s {
            "shared" => Ok(Attribution::Shared),
            "unattributable" => Ok(Attribution::Unattributable),
            other => PartyId::new(other)
                .map(Attribution::Party)
                .map_err(|e| e.to_string()),
        }
    }
}
