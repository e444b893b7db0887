//! Events: the facts an entry records, named in the past tense.
//!
//! The variant order is part of the format (bincode writes the variant index
//! as a u32). New kinds are appended at the end; existing variants are never
//! reordered or changed.

use serde::{Deserialize, Serialize};

use crate::charter::Charter;
use crate::crypto::{PublicKey, Signature};
use crate::ids::{
    AllegationId, ClauseId, CommitmentId, EntryHash, PartyId, RevocationId, RulingId,
};
use crate::terms::{Attribution, Evidence, Finding, Position};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Event {
    /// Entry 0: founds the ledger.
    Charter(Charter),
    /// A guarantor or the mediator puts a clause's text on the record.
    ClauseProposed {
        id: ClauseId,
        title: String,
        text: String,
    },
    /// A guarantor or the mediator endorses exactly the text of the proposal
    /// entry whose hash it names.
    ClauseEndorsed {
        clause: ClauseId,
        proposal: EntryHash,
    },
    /// A party to the conflict accepts exactly the text of a proposal
    /// (signing and accepting are separate acts).
    ClauseAccepted {
        clause: ClauseId,
        proposal: EntryHash,
    },
    /// The author commits itself under a clause.
    CommitmentMade {
        id: CommitmentId,
        clause: ClauseId,
        text: String,
        zone: Option<String>,
        /// Unix seconds by which it is to be fulfilled.
        due: Option<i64>,
    },
    /// The obligor reports a commitment fulfilled.
    CommitmentFulfilled {
        commitment: CommitmentId,
        note: String,
    },
    /// The obligor withdraws a commitment, with its reason.
    CommitmentWithdrawn {
        commitment: CommitmentId,
        reason: String,
    },
    /// The obligor reports a remedy after an adopted ruling of breach.
    CommitmentRemedied {
        commitment: CommitmentId,
        note: String,
    },
    /// A party alleges a violation by another.
    AllegationFiled {
        id: AllegationId,
        against: PartyId,
        commitments: Vec<CommitmentId>,
        /// Unix seconds of the alleged incident.
        occurred: i64,
        location: String,
        summary: String,
        evidence: Vec<Evidence>,
    },
    /// The accused answers an allegation.
    AllegationAnswered {
        allegation: AllegationId,
        position: Position,
        text: String,
        evidence: Vec<Evidence>,
    },
    /// The alleging party withdraws its allegation.
    AllegationWithdrawn {
        allegation: AllegationId,
        reason: String,
    },
    /// A guarantor or monitor drafts a finding on an allegation.
    RulingProposed {
        id: RulingId,
        allegation: AllegationId,
        finding: Finding,
        attribution: Attribution,
        breaches: Vec<CommitmentId>,
        text: String,
    },
    /// A guarantor endorses exactly the ruling proposal whose hash it names.
    RulingEndorsed {
        ruling: RulingId,
        proposal: EntryHash,
    },
    /// A guarantor records its dissent from a ruling (kept, not blocking).
    RulingDissented {
        ruling: RulingId,
        proposal: EntryHash,
        text: String,
    },
    /// Retired (the gate refuses it): a rotation that did not prove the
    /// author holds the new key. Kept so that its index keeps its meaning.
    KeyRotatedUnproven { new_key: PublicKey },
    /// A guarantor proposes revoking a party's key (lost or compromised),
    /// optionally naming the party's replacement key.
    KeyRevocationProposed {
        id: RevocationId,
        party: PartyId,
        reason: String,
        replacement: Option<PublicKey>,
    },
    /// A guarantor endorses exactly the revocation proposal whose hash it
    /// names; at the charter's `ruling_quorum` the revocation takes effect.
    KeyRevocationEndorsed {
        revocation: RevocationId,
        proposal: EntryHash,
    },
    /// The author replaces its own key. Signed with the current key, and
    /// `proof` is the new key's signature over
    /// [`crate::crypto::possession_message`] (this ledger, this party, the
    /// new key): nobody can rotate to a key they do not hold. The new key
    /// signs from the next entry on, and the old one never again.
    KeyRotated {
        new_key: PublicKey,
        proof: Signature,
    },
}

impl Event {
    /// A stable, lower-case name for the kind, used in logs and JSON.
    pub fn kind(&self) -> &'static str {
        match self {
            Event::Charter(_) => "charter",
            Event::ClauseProposed { .. } => "clause-proposed",
            Event::ClauseEndorsed { .. } => "clause-endorsed",
            Event::ClauseAccepted { .. } => "clause-accepted",
            Event::CommitmentMade { .. } => "commitment-made",
            Event::CommitmentFulfilled { .. } => "commitment-fulfilled",
            Event::CommitmentWithdrawn { .. } => "commitment-withdrawn",
            Event::CommitmentRemedied { .. } => "commitment-remedied",
            Event::AllegationFiled { .. } => "allegation-filed",
            Event::AllegationAnswered { .. } => "allegation-answered",
            Event::AllegationWithdrawn { .. } => "allegation-withdrawn",
            Event::RulingProposed { .. } => "ruling-proposed",
            Event::RulingEndorsed { .. } => "ruling-endorsed",
            Event::RulingDissented { .. } => "ruling-dissented",
            Event::KeyRotated { .. } | Event::KeyRotatedUnproven { .. } => "key-rotated",
            Event::KeyRevocationProposed { .. } => "key-revocation-proposed",
            Event::KeyRevocationEndorsed { .. } => "key-revocation-endorsed",
        }
    }

    /// Every item id the event names (the item it is about first), for
    /// histories.
    pub fn mentions(&self) -> Vec<&str> {
        match self {
            Event::Charter(_) => Vec::new(),
            Event::ClauseProposed { id, .. } => vec![id.as_str()],
            Event::ClauseEndorsed { clause, .. } | Event::ClauseAccepted { clause, .. } => {
                vec![clause.as_str()]
            }
            Event::CommitmentMade { id, clause, .. } => vec![id.as_str(), clause.as_str()],
            Event::CommitmentFulfilled { commitment, .. }
            | Event::CommitmentWithdrawn { commitment, .. }
            | Event::CommitmentRemedied { commitment, .. } => vec![commitment.as_str()],
            Event::AllegationFiled {
                id, commitments, ..
            } => std::iter::once(id.as_str())
                .chain(commitments.iter().map(|c| c.as_str()))
                .collect(),
            Event::AllegationAnswered { allegation, .. }
            | Event::AllegationWithdrawn { allegation, .. } => vec![allegation.as_str()],
            Event::RulingProposed {
                id,
                allegation,
                breaches,
                ..
            } => [id.as_str(), allegation.as_str()]
                .into_iter()
                .chain(breaches.iter().map(|c| c.as_str()))
                .collect(),
            Event::RulingEndorsed { ruling, .. } | Event::RulingDissented { ruling, .. } => {
                vec![ruling.as_str()]
            }
            Event::KeyRotated { .. } | Event::KeyRotatedUnproven { .. } => Vec::new(),
            Event::KeyRevocationProposed { id, party, .. } => vec![id.as_str(), party.as_str()],
            Event::KeyRevocationEndorsed { revocation, .. } => vec![revocation.as_str()],
        }
    }

    /// What the event is about, for one-line listings.
    pub fn subject(&self) -> String {
        match self {
            Event::Charter(c) => c.title.clone(),
            Event::ClauseProposed { id, .. } => id.to_string(),
            Event::ClauseEndorsed { clause, .. } | Event::ClauseAccepted { clause, .. } => {
                clause.to_string()
            }
            Event::CommitmentMade { id, .. } => id.to_string(),
            Event::CommitmentFulfilled { commitment, .. }
            | Event::CommitmentWithdrawn { commitment, .. }
            | Event::CommitmentRemedied { commitment, .. } => commitment.to_string(),
            Event::AllegationFiled { id, .. } => id.to_string(),
            Event::AllegationAnswered { allegation, .. }
            | Event::AllegationWithdrawn { allegation, .. } => allegation.to_string(),
            Event::RulingProposed { id, .. } => id.to_string(),
            Event::RulingEndorsed { ruling, .. } | Event::RulingDissented { ruling, .. } => {
                ruling.to_string()
            }
            Event::KeyRotated { new_key, .. } | Event::KeyRotatedUnproven { new_key } => {
                format!("key {}", new_key.id().short())
            }
            Event::KeyRevocationProposed { id, .. } => id.to_string(),
            Event::KeyRevocationEndorsed { revocation, .. } => revocation.to_string(),
        }
    }
}
