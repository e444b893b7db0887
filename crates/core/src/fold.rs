//! The fold: how each admitted event changes the records.
//!
//! `apply` folds and never refuses: it runs only after `decide::check`
//! passed, so it must never name a refusal. It sees only the records the
//! event touches (see `records`).

use crate::charter::Adoption;
use crate::ctx::Ctx;
use crate::entry::Sealed;
use crate::event::Event;
use crate::ids::PartyId;
use crate::records::{
    AllegationState, AllegationStatus, ClauseState, CommitmentState, CommitmentStatus, Records,
    Response, RevocationState, RulingState,
};
use crate::terms::Finding;

/// A change of a party's key: the party, and its new key (`None`: revoked
/// without replacement).
pub(crate) type KeyChange = (PartyId, Option<crate::crypto::PublicKey>);

/// Folds the event into the records; returns the key change it makes, which
/// the caller applies to the keyring.
pub(crate) fn apply(ctx: &Ctx, records: &mut Records, entry: &Sealed) -> Option<KeyChange> {
    let seq = entry.seq();
    let party = ctx.party.clone();
    match &entry.entry.body.event {
        Event::Charter(_) => {}
        Event::ClauseProposed { id, title, .. } => {
            records.clauses.insert(
                id.clone(),
                ClauseState {
                    title: title.clone(),
                    proposer: party,
                    proposal: entry.head(),
                    endorsements: Vec::new(),
                    adopted_at: None,
                    acceptances: Vec::new(),
                },
            );
        }
        Event::ClauseEndorsed { clause, .. } => {
            if let Some(c) = records.clauses.get_mut(clause) {
                c.endorsements.push((party, seq));
                if !c.is_adopted()
                    && ctx
                        .charter
                        .quorum_met(ctx.charter.rules.clause_adoption, &c.endorsements)
                {
                    c.adopted_at = Some(seq);
                }
            }
        }
        Event::ClauseAccepted { clause, .. } => {
            if let Some(c) = records.clauses.get_mut(clause) {
                c.acceptances.push((party, seq));
            }
        }
        Event::CommitmentMade {
            id,
            clause,
            text,
            zone,
            due,
        } => {
            records.commitments.insert(
                id.clone(),
                CommitmentState {
                    obligor: party,
                    clause: clause.clone(),
                    text: text.clone(),
                    zone: zone.clone(),
                    due: *due,
                    made: entry.head(),
                    status: CommitmentStatus::Open,
                },
            );
        }
        Event::CommitmentFulfilled { commitment, .. } => {
            set_commitment(records, commitment, CommitmentStatus::Fulfilled { seq });
        }
        Event::CommitmentWithdrawn { commitment, .. } => {
            set_commitment(records, commitment, CommitmentStatus::Withdrawn { seq });
        }
        Event::CommitmentRemedied { commitment, .. } => {
            if let Some(c) = records.commitments.get_mut(commitment) {
                if let CommitmentStatus::Breached { ruling, .. } = &c.status {
                    c.status = CommitmentStatus::Remedied {
                        ruling: ruling.clone(),
                        seq,
                    };
                }
            }
        }
        Event::AllegationFiled {
            id,
            against,
            commitments,
            occurred,
            location,
            summary,
            evidence,
        } => {
            records.allegations.insert(
                id.clone(),
                AllegationState {
                    by: party,
                    against: against.clone(),
                    commitments: commitments.clone(),
                    occurred: *occurred,
                    location: location.clone(),
                    summary: summary.clone(),
                    evidence: evidence.clone(),
                    filed: entry.head(),
                    responses: Vec::new(),
                    status: AllegationStatus::Open,
                },
            );
        }
        Event::AllegationAnswered {
            allegation,
            position,
            ..
        } => {
            if let Some(a) = records.allegations.get_mut(allegation) {
                a.responses.push(Response {
                    seq,
                    position: *position,
                });
            }
        }
        Event::AllegationWithdrawn { allegation, .. } => {
            if let Some(a) = records.allegations.get_mut(allegation) {
                a.status = AllegationStatus::Withdrawn { seq };
            }
        }
        Event::RulingProposed {
            id,
            allegation,
            finding,
            attribution,
            breaches,
            ..
        } => {
            records.rulings.insert(
                id.clone(),
                RulingState {
                    allegation: allegation.clone(),
                    proposer: party,
                    finding: *finding,
                    attribution: attribution.clone(),
                    breaches: breaches.clone(),
                    proposal: entry.head(),
                    endorsements: Vec::new(),
                    dissents: Vec::new(),
                    adopted_at: None,
                },
            );
        }
        Event::RulingEndorsed { ruling, .. } => {
            let r = records.rulings.get_mut(ruling)?;
            r.endorsements.push((party, seq));
            let rule = Adoption::Quorum(ctx.charter.rules.ruling_quorum);
            if r.adopted_at.is_some() || !ctx.charter.quorum_met(rule, &r.endorsements) {
                return None;
            }
            r.adopted_at = Some(seq);
            let (allegation, finding, breaches) =
                (r.allegation.clone(), r.finding, r.breaches.clone());
            if let Some(a) = records.allegations.get_mut(&allegation) {
                a.status = AllegationStatus::Ruled {
                    ruling: ruling.clone(),
                    finding,
                    seq,
                };
            }
            if finding == Finding::Confirmed {
                for k in &breaches {
                    set_commitment(
                        records,
                        k,
                        CommitmentStatus::Breached {
                            ruling: ruling.clone(),
                            seq,
                        },
                    );
                }
            }
        }
        Event::RulingDissented { ruling, .. } => {
            if let Some(r) = records.rulings.get_mut(ruling) {
                r.dissents.push((party, seq));
            }
        }
        Event::KeyRotated { new_key, .. } | Event::KeyRotatedUnproven { new_key } => {
            return Some((party, Some(*new_key)))
        }
        Event::KeyRevocationProposed {
            id,
            party: target,
            replacement,
            ..
        } => {
            records.revocations.insert(
                id.clone(),
                RevocationState {
                    party: target.clone(),
                    replacement: *replacement,
                    proposer: party,
                    proposal: entry.head(),
                    endorsements: Vec::new(),
                    adopted_at: None,
                },
            );
        }
        Event::KeyRevocationEndorsed { revocation, .. } => {
            let v = records.revocations.get_mut(revocation)?;
            let adopts = v.adopted_with(ctx.charter, &party);
            v.endorsements.push((party, seq));
            if adopts {
                v.adopted_at = Some(seq);
                return Some((v.party.clone(), v.replacement));
            }
        }
        // issue 13: charter amendments (the gate applies an adopted
        // amendment's changes to the chain: `State::admit`)
        Event::AmendmentProposed { id, changes, .. } => {
            records.amendments.insert(
                id.clone(),
                crate::amendment::AmendmentState {
                    changes: changes.clone(),
                    proposer: party,
                    proposal: entry.head(),
                    endorsements: Vec::new(),
                    adopted_at: None,
                },
            );
        }
        Event::AmendmentEndorsed { amendment, .. } => {
            let a = records.amendments.get_mut(amendment)?;
            let adopts = a.adopted_with(ctx.charter, ctx.amending.rule, &party);
            a.endorsements.push((party, seq));
            if adopts {
                a.adopted_at = Some(seq);
            }
        }
    }
    None
}

fn set_commitment(records: &mut Records, id: &crate::ids::CommitmentId, status: CommitmentStatus) {
    if let Some(c) = records.commitments.get_mut(id) {
        c.status = status;
    }
}
