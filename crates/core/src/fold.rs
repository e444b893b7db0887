//! The fold: how each admitted event changes the records.
//!
//! `apply` folds and never refuses: it runs only after `decide::check`
//! passed, so it must never name a refusal. It sees only the records the
//! event touches (see `records`).

use crate::charter::Adoption;
use crate::ctx::Ctx;
use crate::entry::Sealed;
use crate::event::Event;
use crate::ids::{PartyId, RulingId};
use crate::records::{
    AllegationState, AllegationStatus, Attestation, ClauseState, CommitmentState, CommitmentStatus,
    Progress, Records, Reschedule, Response, RevocationState, RulingState,
};
use crate::terms::{Accused, Finding};

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
                ClauseState::proposed(title.clone(), party, entry.head(), None),
            );
        }
        Event::ClauseEndorsed { clause, .. } => {
            if let Some(c) = records.clauses.get_mut(clause) {
                c.endorsements.push((party, seq));
                // issue 14: bodies (a tabled clause: every guarantor signatory)
                let met = crate::bodies::tabled_adopted(ctx.charter, c.signatories.as_ref(), |g| {
                    c.endorsements.iter().any(|(p, _)| p == g)
                })
                .unwrap_or_else(|| {
                    ctx.charter
                        .quorum_met(ctx.charter.rules.clause_adoption, &c.endorsements)
                });
                if !c.is_adopted() && met {
                    c.adopted_at = Some(seq);
                    crate::clause_life::adopted(records, clause, seq, ctx.time);
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
                CommitmentState::new(party, clause, text, zone, *due, None, entry.head()),
            );
        }
        Event::CommitmentFulfilled { commitment, .. } => {
            if let Some(c) = records.commitments.get_mut(commitment) {
                let late = c.past_due(ctx.time);
                c.set_status(CommitmentStatus::Fulfilled { seq, late });
                c.last_report = Some(entry.head());
            }
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
                c.last_report = Some(entry.head());
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
                    accused: vec![Accused::Party(against.clone())],
                    commitments: commitments.clone(),
                    occurred: *occurred,
                    location: location.clone(),
                    summary: summary.clone(),
                    evidence: evidence.clone(),
                    filed: entry.head(),
                    filed_time: ctx.time,
                    responses: Vec::new(),
                    status: AllegationStatus::Open,
                    corrections: Vec::new(),
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
                    by: party.clone(),
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
            let proposal = RulingState::proposed(
                allegation.clone(),
                party,
                (*finding, attribution.clone(), breaches.clone()),
                entry.head(),
                None,
            );
            records.rulings.insert(id.clone(), proposal);
        }
        Event::RulingEndorsed { ruling, .. } | Event::RulingDissented { ruling, .. }
            if records
                .rulings
                .get(ruling)
                .is_some_and(|r| r.body.is_some()) =>
        {
            // issue 14: bodies (a body's ruling is counted under its rule)
            let dissent = matches!(entry.entry.body.event, Event::RulingDissented { .. });
            crate::bodies::fold_vote(ctx, records, ruling, dissent, seq);
        }
        Event::RulingEndorsed { ruling, .. } => {
            let r = records.rulings.get_mut(ruling)?;
            r.endorsements.push((party, seq));
            let rule = Adoption::Quorum(ctx.charter.rules.ruling_quorum);
            if r.adopted_at.is_some() || !ctx.charter.quorum_met(rule, &r.endorsements) {
                return None;
            }
            adopt(records, ruling, seq);
        }
        Event::RulingDissented { ruling, .. } => {
            if let Some(r) = records.rulings.get_mut(ruling) {
                r.dissents.push((party, seq));
            }
        }
        // issue 13: commitments
        Event::CommitmentUndertaken {
            id,
            clause,
            text,
            zone,
            due,
            until,
        } => {
            records.commitments.insert(
                id.clone(),
                CommitmentState::new(party, clause, text, zone, *due, *until, entry.head()),
            );
        }
        Event::CommitmentProgressed {
            commitment,
            done,
            of,
            ..
        } => {
            if let Some(c) = records.commitments.get_mut(commitment) {
                c.progress = Some(Progress {
                    done: *done,
                    of: *of,
                    seq,
                });
                c.last_report = Some(entry.head());
            }
        }
        Event::CommitmentAttested {
            commitment,
            verdict,
            ..
        } => {
            if let Some(c) = records.commitments.get_mut(commitment) {
                if let Some(report) = c.last_report {
                    c.attestations.push(Attestation {
                        by: party,
                        verdict: *verdict,
                        report: report.seq,
                        seq,
                    });
                }
            }
        }
        Event::CommitmentRescheduleProposed {
            commitment,
            due,
            until,
            ..
        } => {
            if let Some(c) = records.commitments.get_mut(commitment) {
                c.reschedule = Some(Reschedule {
                    proposal: entry.head(),
                    proposer: party.clone(),
                    due: *due,
                    until: *until,
                    endorsements: Vec::new(),
                });
                agree_reschedule(ctx, c, party, seq);
            }
        }
        Event::CommitmentRescheduleEndorsed { commitment, .. } => {
            if let Some(c) = records.commitments.get_mut(commitment) {
                agree_reschedule(ctx, c, party, seq);
            }
        }
        // issue 13: allegations and rulings
        Event::AllegationCorrected {
            allegation,
            commitments,
            occurred,
            location,
            summary,
            evidence,
            ..
        } => {
            if let Some(a) = records.allegations.get_mut(allegation) {
                if let Some(k) = commitments {
                    a.commitments = k.clone();
                }
                if let Some(t) = occurred {
                    a.occurred = *t;
                }
                if let Some(l) = location {
                    a.location = l.clone();
                }
                if let Some(x) = summary {
                    a.summary = x.clone();
                }
                a.evidence.extend(evidence.iter().cloned());
                a.corrections.push(seq);
            }
        }
        Event::RulingRevisionProposed {
            id,
            revises,
            finding,
            attribution,
            breaches,
            ..
        } => {
            let allegation = records.rulings.get(revises)?.allegation.clone();
            let proposal = RulingState::proposed(
                allegation,
                party,
                (*finding, attribution.clone(), breaches.clone()),
                entry.head(),
                Some(revises.clone()),
            );
            records.rulings.insert(id.clone(), proposal);
        }
        Event::CommitmentJoined { commitment, .. } => {
            if let Some(c) = records.commitments.get_mut(commitment) {
                c.joined.push((party, seq));
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
        // issue 13: clauses
        Event::ClauseWithdrawn { .. }
        | Event::ClauseDeclined { .. }
        | Event::ClauseRevisionProposed { .. }
        | Event::ClauseTermProposed { .. }
        | Event::ClauseTermEndorsed { .. } => crate::clause_life::fold(ctx, records, entry),
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
        // issue 14
        Event::AllegationLodged { .. } => crate::actors::fold(ctx, records, entry),
        Event::RulingDrafted { .. }
        | Event::RulingRatified { .. }
        | Event::ViewRecorded { .. }
        | Event::ClauseTabled { .. } => crate::bodies::fold(ctx, records, entry),
        Event::ObservationRecorded { .. }
        | Event::EvidenceAdded { .. }
        | Event::ItemReferred { .. }
        | Event::TeamTasked { .. }
        | Event::RecommendationMade { .. }
        | Event::MeasuresReported { .. }
        | Event::MeetingRecorded { .. }
        | Event::MeetingCosigned { .. } => crate::monitoring::fold(ctx, records, entry),
    }
    None
}

/// Records `party`'s agreement to the pending reschedule of `c` (its
/// proposal counts as one) and applies the new times once agreed.
fn agree_reschedule(ctx: &Ctx, c: &mut CommitmentState, party: PartyId, seq: u64) {
    let Some(r) = c.reschedule.as_ref() else {
        return;
    };
    let agreed = r.agreed_with(ctx.charter, c, &party);
    let (due, until) = (r.due, r.until);
    if let Some(r) = c.reschedule.as_mut() {
        r.endorsements.push((party, seq));
    }
    if agreed {
        c.due = due;
        c.until = until;
        c.rescheduled.push(seq);
        c.reschedule = None;
    }
}

/// The ruling `ruling` is adopted at `seq`: it decides its allegation,
/// supersedes the ruling it revises, and (if confirmed) breaches the
/// commitments it names.
pub(crate) fn adopt(records: &mut Records, ruling: &RulingId, seq: u64) {
    let Some(r) = records.rulings.get_mut(ruling) else {
        return;
    };
    r.adopted_at = Some(seq);
    let (allegation, finding, breaches, revises) = (
        r.allegation.clone(),
        r.finding,
        r.breaches.clone(),
        r.revises.clone(),
    );
    if let Some(old) = revises {
        overturn(records, &old, ruling, seq);
    }
    if let Some(a) = records.allegations.get_mut(&allegation) {
        a.status = AllegationStatus::Ruled {
            ruling: ruling.clone(),
            finding,
            seq,
        };
    }
    if finding == Finding::Confirmed {
        for k in &breaches {
            if let Some(c) = records.commitments.get_mut(k) {
                c.breach(ruling, seq);
            }
        }
    }
}

/// The ruling `old` is superseded by `new` (adopted at `seq`): its
/// breaches no longer stand ([`CommitmentState::unbreach`]).
fn overturn(records: &mut Records, old: &RulingId, new: &RulingId, seq: u64) {
    let Some(r) = records.rulings.get_mut(old) else {
        return;
    };
    r.superseded_by = Some((new.clone(), seq));
    for k in r.breaches.clone() {
        if let Some(c) = records.commitments.get_mut(&k) {
            c.unbreach(old);
        }
    }
}

fn set_commitment(records: &mut Records, id: &crate::ids::CommitmentId, status: CommitmentStatus) {
    if let Some(c) = records.commitments.get_mut(id) {
        c.set_status(status);
    }
}
