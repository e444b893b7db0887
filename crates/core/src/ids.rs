//! Identifier and digest newtypes. Ids are validated when built and when
//! decoded, so an invalid id never exists as a value.

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::limits::MAX_ID_BYTES;

/// Why text is not a valid id or digest.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum IdError {
    /// The text is not a valid slug id.
    #[error("id {0:?} is invalid: use 1-64 ASCII letters, digits, '-', '_' or '.', starting with a letter or digit")]
    Invalid(String),
    /// The text is not 64 hex characters.
    #[error("{0:?} is not a 64-character hex digest")]
    BadHex(String),
}

fn check_slug(s: &str) -> Result<(), IdError> {
    let ok = !s.is_empty()
        && s.len() <= MAX_ID_BYTES
        && s.bytes().next().is_some_and(|b| b.is_ascii_alphanumeric())
        && s.bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.'));
    if ok {
        Ok(())
    } else {
        Err(IdError::Invalid(s.to_owned()))
    }
}

macro_rules! slug_id {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
        #[serde(try_from = "String", into = "String")]
        pub struct $name(String);

        impl $name {
            /// Checks the id's syntax (1-64 ASCII letters, digits, '-', '_' or '.', starting with a letter or digit).
            pub fn new(s: impl Into<String>) -> Result<Self, IdError> {
                let s = s.into();
                check_slug(&s)?;
                Ok(Self(s))
            }
            /// The id as text.
            pub fn as_str(&self) -> &str {
                &self.0
            }
        }
        impl TryFrom<String> for $name {
            type Error = IdError;
            fn try_from(s: String) -> Result<Self, IdError> {
                Self::new(s)
            }
        }
        impl From<$name> for String {
            fn from(id: $name) -> String {
                id.0
            }
        }
        impl std::str::FromStr for $name {
            type Err = IdError;
            fn from_str(s: &str) -> Result<Self, IdError> {
                Self::new(s)
            }
        }
        // issue 15: json (an id is a string of its syntax)
        impl schemars::JsonSchema for $name {
            fn schema_name() -> std::borrow::Cow<'static, str> {
                "Id".into()
            }
            fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
                schemars::json_schema!({
                    "type": "string",
                    "pattern": "^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$"
                })
            }
        }
        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.pad(&self.0)
            }
        }
    };
}

slug_id!(
    /// A party's short id from the charter, e.g. `tr`.
    PartyId
);
slug_id!(
    /// A clause's id, chosen by its proposer, e.g. `C1`.
    ClauseId
);
slug_id!(
    /// A commitment's id, chosen by its obligor, e.g. `K1`.
    CommitmentId
);
slug_id!(
    /// An allegation's id, chosen by the party filing it, e.g. `A1`.
    AllegationId
);
slug_id!(
    /// A ruling's id, chosen by its proposer, e.g. `R1`.
    RulingId
);
slug_id!(
    /// A key revocation's id, chosen by its proposer, e.g. `V1`.
    RevocationId
);
slug_id!(
    /// A charter amendment's id, chosen by its proposer, e.g. `M1`.
    AmendmentId
);
// issue 14: mechanisms
slug_id!(
    /// A non-signatory actor's id (an armed group that signed nothing),
    /// e.g. `hts`; never a current or former party's id.
    ActorId
);
slug_id!(
    /// A body's id (a committee, team or level of a mechanism), e.g. `tc`.
    BodyId
);
slug_id!(
    /// A monitor's observation's id, chosen by its author, e.g. `O1`.
    ObservationId
);
slug_id!(
    /// A task's id, chosen by the body that tasks a team, e.g. `T1`.
    TaskId
);
slug_id!(
    /// A recommendation's id, e.g. `RC1`.
    RecommendationId
);
slug_id!(
    /// A meeting record's id, e.g. `MT1`.
    MeetingId
);
slug_id!(
    /// Any item's id, whatever its kind (item ids share one namespace):
    /// what evidence, views and referrals are attached to.
    ItemId
);

macro_rules! digest_id {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
        pub struct $name(pub [u8; 32]);

        // issue 15: json (JSON carries lower-case hex)
        impl schemars::JsonSchema for $name {
            fn schema_name() -> std::borrow::Cow<'static, str> {
                "Hex32".into()
            }
            fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
                schemars::json_schema!({ "type": "string", "pattern": "^[0-9a-f]{64}$" })
            }
        }

        // Canonical (binary) encodings carry the 32 raw bytes; human-readable
        // ones (JSON) carry lower-case hex.
        impl Serialize for $name {
            fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                if s.is_human_readable() {
                    s.serialize_str(&self.to_hex())
                } else {
                    self.0.serialize(s)
                }
            }
        }
        impl<'de> Deserialize<'de> for $name {
            fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                if d.is_human_readable() {
                    let s = String::deserialize(d)?;
                    s.parse().map_err(serde::de::Error::custom)
                } else {
                    <[u8; 32]>::deserialize(d).map(Self)
                }
            }
        }

        impl $name {
            /// All zeros (what entry 0 carries as its ledger id and previous hash).
            pub const ZERO: Self = Self([0; 32]);
            /// The digest as 64 lower-case hex characters.
            pub fn to_hex(&self) -> String {
                hex::encode(self.0)
            }
            /// The first 12 hex digits, for tables.
            pub fn short(&self) -> String {
                hex::encode(&self.0[..6])
            }
        }
        impl std::str::FromStr for $name {
            type Err = IdError;
            fn from_str(s: &str) -> Result<Self, IdError> {
                let mut out = [0u8; 32];
                hex::decode_to_slice(s, &mut out).map_err(|_| IdError::BadHex(s.to_owned()))?;
                Ok(Self(out))
            }
        }
        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.pad(&self.to_hex())
            }
        }
        impl fmt::Debug for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                write!(f, "{}({})", stringify!($name), self.to_hex())
            }
        }
    };
}

digest_id!(
    /// SHA-256 of an encoded entry under the entry-hash domain tag.
    EntryHash
);
digest_id!(
    /// SHA-256 of an ed25519 public key under the key-id domain tag.
    KeyId
);
digest_id!(
    /// SHA-256 of a file's bytes, with no domain tag (any tool can check
    /// it): an evidence file's digest. Not an entry hash.
    Sha256
);

/// A ledger is named by the hash of its entry 0 (the charter).
pub type LedgerId = EntryHash;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slugs() {
        for ok in ["tr", "C1", "un-envoy", "a.b_c", &"x".repeat(64)] {
            assert!(PartyId::new(ok).is_ok(), "{ok}");
        }
        for bad in ["", "-x", "a b", "é", "a/b", &"x".repeat(65)] {
            assert!(PartyId::new(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn digest_hex_round_trip() {
        let h = EntryHash([0xab; 32]);
        assert_eq!(h.to_hex().parse::<EntryHash>().unwrap(), h);
        assert!("abc".parse::<EntryHash>().is_err());
        assert_eq!(h.short(), "abababababab");
    }
}
