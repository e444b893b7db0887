//! The vocabulary of the agreement's two tracks: evidence digests, the
//! accused's positions, and the findings and attributions of rulings. The
//! variant order of each enum is part of the format.

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::ids::{PartyId, Sha256};

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
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Attribution {
    /// The incident is one party's doing.
    Party(PartyId),
    /// Responsibility is shared between the parties involved.
    Shared,
    /// No party can be held responsible.
    Unattributable,
}

impl fmt::Display for Attribution {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Attribution::Party(p) => f.pad(p.as_str()),
            Attribution::Shared => f.pad("shared"),
            Attribution::Unattributable => f.pad("unattributable"),
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
