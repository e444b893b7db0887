//! The words a record's state is shown with ([`CommitmentPhase`],
//! [`AllegationPhase`], [`RulingPhase`], [`ClausePhase`]) and the `words!` macro that makes
//! each serialise as its word, so the JSON, the text output and the
//! refusals share one spelling.
//!
//! Only the words live here: which phase a record is in is decided by the
//! record types (`records`), never here.

use serde::Serialize;

/// A word that serialises as itself (one definition serves the JSON, the
/// text output and the refusals).
macro_rules! words {
    ($(#[$doc:meta])* $name:ident { $($(#[$vdoc:meta])* $variant:ident => $word:literal),+ $(,)? }) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
        pub enum $name {
            $($(#[$vdoc])* $variant),+
        }
        impl $name {
            // issue 15: json
            /// Every value, in declaration order.
            pub const ALL: &'static [Self] = &[$($name::$variant),+];
            /// The word it is shown and serialised as.
            pub fn as_str(self) -> &'static str {
                match self {
                    $($name::$variant => $word),+
                }
            }
        }
        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.pad(self.as_str())
            }
        }
        impl Serialize for $name {
            fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.serialize_str(self.as_str())
            }
        }
        // issue 15: json (the schema of the word)
        impl schemars::JsonSchema for $name {
            fn schema_name() -> std::borrow::Cow<'static, str> {
                stringify!($name).into()
            }
            fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
                schemars::json_schema!({ "type": "string", "enum": [$($word),+] })
            }
        }
    };
}
pub(crate) use words;

words! {
    /// Where a commitment stands as of a time.
    CommitmentPhase {
        /// Made, but its clause is not adopted yet: it binds no one yet.
        Pending => "pending",
        /// Binding: its clause is adopted and it is neither closed nor past due.
        Active => "active",
        /// Binding and still open, but its due time has passed: the
        /// obligor still owes it.
        Overdue => "overdue",
        /// Its undertaking ran until a time that has passed, and nothing
        /// closed it before: it binds no more.
        Lapsed => "lapsed",
        /// The obligor reported it kept, by its due time (or it had none).
        Fulfilled => "fulfilled",
        /// The obligor reported it kept after its due time.
        FulfilledLate => "fulfilled-late",
        /// The obligor withdrew it.
        Withdrawn => "withdrawn",
        /// An adopted ruling found it breached.
        Breached => "breached",
        /// The obligor remedied a breach.
        Remedied => "remedied",
    }
}

words! {
    /// Where an allegation stands.
    AllegationPhase {
        /// Filed, not yet answered by the accused.
        Filed => "filed",
        /// The accused has answered; no ruling yet.
        Answered => "answered",
        /// The accuser withdrew it.
        Withdrawn => "withdrawn",
        /// An adopted ruling decided it.
        Ruled => "ruled",
    }
}

impl AllegationPhase {
    /// Whether the allegation is still open (filed or answered): it shows
    /// in the open view and can still be answered, withdrawn or ruled on.
    pub fn is_open(self) -> bool {
        matches!(self, AllegationPhase::Filed | AllegationPhase::Answered)
    }
}

words! {
    /// Where a ruling stands.
    RulingPhase {
        /// Proposed, short of its quorum of endorsements.
        Proposed => "proposed",
        /// Endorsed by its quorum: it binds.
        Adopted => "adopted",
        /// Adopted, then superseded by an adopted revision: it binds no more.
        Superseded => "superseded",
        // issue 14: bodies
        /// A body's ruling that met its body's rule and awaits the parent
        /// body's ratification: no effect yet.
        Provisional => "provisional",
        /// A body's ruling under consensus that a member dissented from, or
        /// whose lapse passed: closed without effect.
        NoConsensus => "no-consensus",
    }
}

// issue 13: clauses
words! {
    /// Where a clause stands as of a time.
    ClausePhase {
        /// Proposed, short of its adoption rule.
        Proposed => "proposed",
        /// Adopted under the clause adoption rule and in force.
        Adopted => "adopted",
        /// An adopted revision replaced it (its record stays).
        Superseded => "superseded",
        /// Adopted, but its `until` has passed.
        Lapsed => "lapsed",
        /// Its proposer withdrew it before adoption.
        Withdrawn => "withdrawn",
    }
}
