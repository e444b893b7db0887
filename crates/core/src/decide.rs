//! The decisions: whether each event kind may be admitted (who may sign
//! what, references, allowed state transitions, text and list limits, time
//! ranges).
//!
//! `check` decides and never changes anything; it sees only the records the
//! event touches (see `records`). What a state means (a word, "overdue",
//! "adopted") is asked of the record types, never re-derived here.

use crate::charter::Role;
use crate::ctx::Ctx;
use crate::event::Event;
use crate::ids::{AllegationId, ClauseId, CommitmentId, RulingId};
use crate::ids::{EntryHash, PartyId};
use crate::limits::{MAX_EVIDENCE, MAX_LIST, MAX_TEXT_BYTES, MAX_TIME, MAX_TITLE_BYTES, MIN_TIME};
use crate::records::{CommitmentPhase, CommitmentState, CommitmentStatus, Records};
use crate::terms::{Attribution, Evidence, Finding};
use crate::text::TextFault;
use crate::violation::Violation;

/// Checks that a time has an RFC 3339 form (years 0000-9999).
pub(crate) fn check_time(field: &'static str, time: i64) -> Result<(), Violation> {
    if !(MIN_TIME..=MAX_TIME).contains(&time) {
        return Err(Violation::TimeRange { field, time });
    }
    Ok(())
}

pub(crate) const DRAFTERS: &str = "guarantors, the mediator and the secretariat";

pub(crate) fn require(
    ctx: &Ctx,
    roles: &[Role],
    allowed: &'static str,
    action: &'static str,
) -> Result<(), Violation> {
    if roles.contains(&ctx.role) {
        Ok(())
    } else {
        Err(Violation::Role {
            party: ctx.party.clone(),
            role: ctx.role,
            allowed,
            action,
        })
    }
}

fn fault(field: &'static str, max: usize, f: TextFault) -> Violation {
    match f {
        TextFault::Length => Violation::Text { field, max },
        TextFault::Control => Violation::Control { field },
    }
}

/// Multi-line free text (newlines and tabs allowed).
pub(crate) fn text(field: &'static str, s: &str, max: usize) -> Result<(), Violation> {
    crate::text::check_text(s, max).map_err(|f| fault(field, max, f))
}

/// A one-line field (a title, a name, a location).
pub(crate) fn line(field: &'static str, s: &str, max: usize) -> Result<(), Violation> {
    crate::text::check_line(s, max).map_err(|f| fault(field, max, f))
}

/// A list of at most `max` items, none named twice.
pub(crate) fn distinct<T: Ord + std::fmt::Display>(
    list: &'static str,
    items: &[T],
    max: usize,
) -> Result<(), Violation> {
    if items.len() > max {
        return Err(Violation::TooMany { list, max });
    }
    let mut seen = std::collections::BTreeSet::new();
    for item in items {
        if !seen.insert(item) {
            return Err(Violation::Repeated {
                list,
                item: item.to_string(),
            });
        }
    }
    Ok(())
}

pub(crate) fn fresh_id(records: &Records, id: &str) -> Result<(), Violation> {
    if records.id_taken(id) {
        return Err(Violation::DuplicateId(id.to_owned()));
    }
    Ok(())
}

pub(crate) fn unknown(kind: &'static str, id: &str) -> Violation {
    Violation::Unknown {
        kind,
        id: id.to_owned(),
    }
}

fn proposal_matches(item: String, named: &EntryHash, actual: &EntryHash) -> Result<(), Violation> {
    if named != actual {
        return Err(Violation::ProposalMismatch {
            item,
            named: *named,
            actual: *actual,
        });
    }
    Ok(())
}

/// An endorsement or acceptance of `item`: it must name the proposal's
/// hash, and the signer must not have `done` it before.
pub(crate) fn sign_off(
    ctx: &Ctx,
    item: String,
    named: &EntryHash,
    proposal: &EntryHash,
    done: &'static str,
    signed: &[(PartyId, u64)],
) -> Result<(), Violation> {
    proposal_matches(item.clone(), named, proposal)?;
    if signed.iter().any(|(p, _)| p == ctx.party) {
        return Err(Violation::Already {
            party: ctx.party.clone(),
            done,
            item,
        });
    }
    Ok(())
}

pub(crate) fn owner(
    ctx: &Ctx,
    owner: &PartyId,
    action: &'static str,
    item: String,
) -> Result<(), Violation> {
    if ctx.party != owner {
        return Err(Violation::NotYours {
            party: ctx.party.clone(),
            owner: owner.clone(),
            action,
            item,
        });
    }
    Ok(())
}

pub(crate) fn evidence(list: &[Evidence]) -> Result<(), Violation> {
    let digests: Vec<_> = list.iter().map(|e| e.sha256).collect();
    distinct("the evidence files' digests", &digests, MAX_EVIDENCE)?;
    for e in list {
        line("evidence file name", &e.name, MAX_TITLE_BYTES)?;
        line("evidence media type", &e.media_type, MAX_TITLE_BYTES)?;
    }
    Ok(())
}

pub(crate) fn wrong_state(item: String, state: &str, action: &'static str) -> Violation {
    Violation::WrongState {
        item,
        state: state.to_owned(),
        action,
    }
}

pub(crate) fn check(ctx: &Ctx, records: &Records, event: &Event) -> Result<(), Violation> {
    if ctx.role == Role::Observer {
        return Err(Violation::Observer(ctx.party.clone()));
    }
    if ctx.role == Role::Secretariat && !crate::amendment::secretariat_may(event) {
        return Err(Violation::Secretariat {
            party: ctx.party.clone(),
            event: event.kind(),
        });
    }
    match event {
        Event::Charter(_) => Err(Violation::CharterNotFirst),
        Event::ClauseProposed { id, title, text: t } => {
            require(
                ctx,
                &[Role::Guarantor, Role::Mediator, Role::Secretariat],
                DRAFTERS,
                "propose clauses",
            )?;
            fresh_id(records, id.as_str())?;
            line("clause title", title, MAX_TITLE_BYTES)?;
            text("clause text", t, MAX_TEXT_BYTES)
        }
        Event::ClauseEndorsed { clause, proposal } => {
            require(
                ctx,
                &[Role::Guarantor, Role::Mediator, Role::Secretariat],
                DRAFTERS,
                "endorse clauses",
            )?;
            let c = records
                .clauses
                .get(clause)
                .ok_or_else(|| unknown("clause", clause.as_str()))?;
            crate::clause_life::open_clause(records, clause, "endorsed")?;
            sign_off(
                ctx,
                format!("clause {clause}"),
                proposal,
                &c.proposal.hash,
                "endorsed",
                &c.endorsements,
            )
        }
        Event::ClauseAccepted { clause, proposal } => {
            require(
                ctx,
                &[Role::Party],
                "parties to the conflict",
                "accept clauses (guarantors endorse)",
            )?;
            let c = records
                .clauses
                .get(clause)
                .ok_or_else(|| unknown("clause", clause.as_str()))?;
            crate::clause_life::open_clause(records, clause, "accepted")?;
            sign_off(
                ctx,
                format!("clause {clause}"),
                proposal,
                &c.proposal.hash,
                "accepted",
                &c.acceptances,
            )?;
            crate::clause_life::unanswered(ctx, c, clause)
        }
        Event::CommitmentMade {
            id,
            clause,
            text: t,
            zone,
            due,
        } => new_commitment(ctx, records, id, clause, t, zone.as_deref(), *due, None),
        Event::CommitmentFulfilled { commitment, note } => {
            open_report(ctx, records, commitment, "fulfilled")?;
            text("note", note, MAX_TEXT_BYTES)
        }
        Event::CommitmentWithdrawn { commitment, reason } => {
            let item = format!("commitment {commitment}");
            let c = records
                .commitments
                .get(commitment)
                .ok_or_else(|| unknown("commitment", commitment.as_str()))?;
            owner(ctx, &c.obligor, "withdraw", item.clone())?;
            if c.status != CommitmentStatus::Open {
                return Err(wrong_state(item, c.status.word(), "withdrawn"));
            }
            text("reason", reason, MAX_TEXT_BYTES)
        }
        Event::CommitmentRemedied { commitment, note } => {
            let item = format!("commitment {commitment}");
            let c = records
                .commitments
                .get(commitment)
                .ok_or_else(|| unknown("commitment", commitment.as_str()))?;
            owner(ctx, &c.obligor, "report a remedy of", item.clone())?;
            if !matches!(c.status, CommitmentStatus::Breached { .. }) {
                return Err(wrong_state(
                    item,
                    c.status.word(),
                    "remedied (only a breached commitment can)",
                ));
            }
            text("note", note, MAX_TEXT_BYTES)
        }
        Event::AllegationFiled {
            id,
            against,
            commitments,
            occurred,
            location,
            summary,
            evidence: ev,
        } => {
            fresh_id(records, id.as_str())?;
            let accused = ctx
                .charter
                .party(against)
                .ok_or_else(|| unknown("party", against.as_str()))?;
            if accused.id == *ctx.party {
                return Err(Violation::SelfAllegation {
                    allegation: id.clone(),
                });
            }
            if accused.role == Role::Observer {
                return Err(Violation::ObserverAccused {
                    allegation: id.clone(),
                    party: against.clone(),
                });
            }
            if accused.role == Role::Secretariat {
                return Err(Violation::SecretariatBound {
                    item: format!("allegation {id}"),
                    party: against.clone(),
                });
            }
            allegation_fields(records, id, against, commitments, *occurred, ctx.time)?;
            line("location", location, MAX_TITLE_BYTES)?;
            text("summary", summary, MAX_TEXT_BYTES)?;
            evidence(ev)
        }
        Event::AllegationAnswered {
            allegation,
            text: t,
            evidence: ev,
            ..
        } => {
            let item = format!("allegation {allegation}");
            let a = records
                .allegations
                .get(allegation)
                .ok_or_else(|| unknown("allegation", allegation.as_str()))?;
            owner(ctx, &a.against, "answer", item.clone())?;
            if !a.is_open() {
                return Err(wrong_state(item, a.phase().as_str(), "answered"));
            }
            text("response text", t, MAX_TEXT_BYTES)?;
            evidence(ev)
        }
        Event::AllegationWithdrawn { allegation, reason } => {
            let item = format!("allegation {allegation}");
            let a = records
                .allegations
                .get(allegation)
                .ok_or_else(|| unknown("allegation", allegation.as_str()))?;
            owner(ctx, &a.by, "withdraw", item.clone())?;
            if !a.is_open() {
                return Err(wrong_state(item, a.phase().as_str(), "withdrawn"));
            }
            text("reason", reason, MAX_TEXT_BYTES)
        }
        Event::RulingProposed {
            id,
            allegation,
            finding,
            attribution,
            breaches,
            text: t,
        } => {
            new_ruling(ctx, records, id)?;
            let item = format!("allegation {allegation}");
            let a = records
                .allegations
                .get(allegation)
                .ok_or_else(|| unknown("allegation", allegation.as_str()))?;
            if !a.is_open() {
                return Err(wrong_state(item, a.phase().as_str(), "ruled on"));
            }
            ruling_terms(
                ctx,
                records,
                id,
                &a.against,
                *finding,
                attribution,
                breaches,
            )?;
            text("ruling text", t, MAX_TEXT_BYTES)
        }
        Event::RulingEndorsed { ruling, proposal }
        | Event::RulingDissented {
            ruling, proposal, ..
        } => {
            let dissent = matches!(event, Event::RulingDissented { .. });
            let action = if dissent {
                "dissent from rulings"
            } else {
                "endorse rulings"
            };
            require(ctx, &[Role::Guarantor], "guarantors", action)?;
            let item = format!("ruling {ruling}");
            let r = records
                .rulings
                .get(ruling)
                .ok_or_else(|| unknown("ruling", ruling.as_str()))?;
            proposal_matches(item.clone(), proposal, &r.proposal.hash)?;
            if let Some(done) = [
                ("endorsed", &r.endorsements),
                ("dissented from", &r.dissents),
            ]
            .into_iter()
            .find_map(|(done, list)| list.iter().any(|(p, _)| p == ctx.party).then_some(done))
            {
                return Err(Violation::Already {
                    party: ctx.party.clone(),
                    done,
                    item,
                });
            }
            if let Event::RulingDissented { text: t, .. } = event {
                text("dissent text", t, MAX_TEXT_BYTES)?;
            } else if r.adopted_at.is_none() {
                // Until adopted, a ruling can only be endorsed while its
                // allegation awaits it: open, or (for a revision) still
                // decided by the ruling it revises.
                let a = records
                    .allegations
                    .get(&r.allegation)
                    .ok_or_else(|| unknown("allegation", r.allegation.as_str()))?;
                if !a.awaits(r) {
                    return Err(wrong_state(
                        format!("allegation {}", r.allegation),
                        a.phase().as_str(),
                        "ruled on again",
                    ));
                }
            }
            Ok(())
        }
        // issue 13: commitments
        Event::CommitmentUndertaken {
            id,
            clause,
            text: t,
            zone,
            due,
            until,
        } => new_commitment(ctx, records, id, clause, t, zone.as_deref(), *due, *until),
        Event::CommitmentProgressed {
            commitment,
            done,
            of,
            note,
        } => {
            open_report(ctx, records, commitment, "reported on")?;
            if *of == 0 || done > of {
                return Err(Violation::Progress {
                    commitment: commitment.clone(),
                    done: *done,
                    of: *of,
                });
            }
            text("note", note, MAX_TEXT_BYTES)
        }
        Event::CommitmentAttested {
            commitment,
            report,
            note,
            ..
        } => {
            require(
                ctx,
                &[Role::Guarantor, Role::Monitor],
                "monitors and guarantors",
                "attest reports",
            )?;
            let item = format!("commitment {commitment}");
            let c = commitment_record(records, commitment)?;
            if c.binds(ctx.party) {
                return Err(Violation::SelfAttestation {
                    commitment: commitment.clone(),
                });
            }
            let latest = c.last_report.ok_or_else(|| Violation::NoReport {
                commitment: commitment.clone(),
            })?;
            if *report != latest.hash {
                return Err(Violation::StaleReport {
                    commitment: commitment.clone(),
                    latest: latest.seq,
                });
            }
            if c.attestations
                .iter()
                .any(|a| a.report == latest.seq && &a.by == ctx.party)
            {
                return Err(Violation::Already {
                    party: ctx.party.clone(),
                    done: "attested the latest report on",
                    item,
                });
            }
            text("note", note, MAX_TEXT_BYTES)
        }
        Event::CommitmentRescheduleProposed {
            commitment,
            due,
            until,
            reason,
        } => {
            let c = reschedule_party(ctx, records, commitment, "propose a reschedule of")?;
            times(ctx, commitment, *due, *until)?;
            if (*due, *until) == (c.due, c.until) {
                return Err(Violation::RescheduleNoChange {
                    commitment: commitment.clone(),
                });
            }
            text("reason", reason, MAX_TEXT_BYTES)
        }
        Event::CommitmentRescheduleEndorsed {
            commitment,
            proposal,
        } => {
            let c = reschedule_party(ctx, records, commitment, "agree to a reschedule of")?;
            let pending = c
                .reschedule
                .as_ref()
                .ok_or_else(|| Violation::NoReschedule {
                    commitment: commitment.clone(),
                })?;
            let item = format!("the reschedule of commitment {commitment}");
            sign_off(
                ctx,
                item.clone(),
                proposal,
                &pending.proposal.hash,
                "agreed to",
                &pending.endorsements,
            )?;
            if pending.agreed_with(ctx.charter, c, ctx.party) {
                for (field, t) in [("due time", pending.due), ("until time", pending.until)] {
                    if t.is_some_and(|t| t < ctx.time) {
                        return Err(Violation::PassedAtAdoption { item, field });
                    }
                }
            }
            Ok(())
        }
        // issue 13: allegations and rulings
        Event::AllegationCorrected {
            allegation,
            commitments,
            occurred,
            location,
            summary,
            evidence: ev,
            reason,
        } => {
            let item = format!("allegation {allegation}");
            let a = records
                .allegations
                .get(allegation)
                .ok_or_else(|| unknown("allegation", allegation.as_str()))?;
            owner(ctx, &a.by, "correct", item.clone())?;
            if !a.is_open() {
                return Err(wrong_state(item, a.phase().as_str(), "corrected"));
            }
            if commitments.is_none()
                && occurred.is_none()
                && location.is_none()
                && summary.is_none()
                && ev.is_empty()
            {
                return Err(Violation::EmptyCorrection {
                    allegation: allegation.clone(),
                });
            }
            allegation_fields(
                records,
                allegation,
                &a.against,
                // The filed list was checked when filed (and its records
                // are not loaded for a correction that keeps it).
                commitments.as_deref().unwrap_or(&[]),
                occurred.unwrap_or(a.occurred),
                a.filed_time,
            )?;
            if let Some(l) = location {
                line("location", l, MAX_TITLE_BYTES)?;
            }
            if let Some(x) = summary {
                text("summary", x, MAX_TEXT_BYTES)?;
            }
            let all: Vec<Evidence> = a.evidence.iter().chain(ev).cloned().collect();
            evidence(&all)?;
            text("reason", reason, MAX_TEXT_BYTES)
        }
        Event::RulingRevisionProposed {
            id,
            revises,
            finding,
            attribution,
            breaches,
            text: t,
        } => {
            new_ruling(ctx, records, id)?;
            let old = records
                .rulings
                .get(revises)
                .ok_or_else(|| unknown("ruling", revises.as_str()))?;
            let a = records
                .allegations
                .get(&old.allegation)
                .ok_or_else(|| unknown("allegation", old.allegation.as_str()))?;
            if !a.decided_by(revises) {
                return Err(wrong_state(
                    format!("ruling {revises}"),
                    old.phase().as_str(),
                    "reconsidered (only the adopted ruling that decides its allegation can be)",
                ));
            }
            ruling_terms(
                ctx,
                records,
                id,
                &a.against,
                *finding,
                attribution,
                breaches,
            )?;
            text("ruling text", t, MAX_TEXT_BYTES)
        }
        Event::CommitmentJoined { commitment, made } => {
            let item = format!("commitment {commitment}");
            let c = commitment_record(records, commitment)?;
            proposal_matches(item.clone(), made, &c.made.hash)?;
            if c.binds(ctx.party) {
                return Err(Violation::Already {
                    party: ctx.party.clone(),
                    done: "bound itself by",
                    item,
                });
            }
            if c.status != CommitmentStatus::Open {
                return Err(wrong_state(item, c.status.word(), "joined"));
            }
            if c.joined.len() >= MAX_LIST {
                return Err(Violation::TooMany {
                    list: "the joint obligors",
                    max: MAX_LIST,
                });
            }
            Ok(())
        }
        Event::KeyRotatedUnproven { .. } => Err(Violation::RetiredRotation),
        Event::KeyRotated { new_key, proof } => {
            fresh_key(ctx, new_key)?;
            let message = crate::crypto::possession_message(ctx.ledger, ctx.party, new_key)?;
            if !crate::crypto::verify(new_key, &message, proof) {
                return Err(Violation::NoPossession);
            }
            Ok(())
        }
        Event::KeyRevocationProposed {
            id,
            party,
            reason,
            replacement,
        } => {
            require(
                ctx,
                &[Role::Guarantor],
                "guarantors",
                "propose key revocations",
            )?;
            fresh_id(records, id.as_str())?;
            if ctx.charter.party(party).is_none() {
                return Err(unknown("party", party.as_str()));
            }
            match replacement {
                Some(key) => fresh_key(ctx, key)?,
                None if ctx.keyring.current(party).is_none() => {
                    return Err(Violation::AlreadyRevoked(party.clone()))
                }
                None => {}
            }
            text("reason", reason, MAX_TEXT_BYTES)
        }
        Event::KeyRevocationEndorsed {
            revocation,
            proposal,
        } => {
            require(
                ctx,
                &[Role::Guarantor],
                "guarantors",
                "endorse key revocations",
            )?;
            let v = records
                .revocations
                .get(revocation)
                .ok_or_else(|| unknown("revocation", revocation.as_str()))?;
            sign_off(
                ctx,
                format!("revocation {revocation}"),
                proposal,
                &v.proposal.hash,
                "endorsed",
                &v.endorsements,
            )?;
            let adopts = v.adopted_with(ctx.charter, ctx.party);
            if let (true, Some(key)) = (adopts, &v.replacement) {
                if ctx.keyring.ever_used(key) {
                    return Err(Violation::ReplacementUsed {
                        revocation: revocation.clone(),
                        key: key.id().short(),
                    });
                }
            }
            Ok(())
        }
        // issue 13: clauses
        Event::ClauseWithdrawn { .. }
        | Event::ClauseDeclined { .. }
        | Event::ClauseRevisionProposed { .. }
        | Event::ClauseTermProposed { .. }
        | Event::ClauseTermEndorsed { .. } => crate::clause_life::check(ctx, records, event),
        // issue 13: charter amendments
        Event::AmendmentProposed {
            id,
            changes,
            reason,
        } => {
            require(
                ctx,
                &[Role::Guarantor, Role::Mediator, Role::Secretariat],
                DRAFTERS,
                "propose charter amendments",
            )?;
            fresh_id(records, id.as_str())?;
            text("reason", reason, MAX_TEXT_BYTES)?;
            crate::amendment::apply(changes, ctx.charter, ctx.amending, ctx.keyring).map_err(
                |fault| Violation::AmendmentInvalid {
                    amendment: id.clone(),
                    fault,
                },
            )?;
            Ok(())
        }
        Event::AmendmentEndorsed {
            amendment,
            proposal,
        } => {
            require(ctx, &[Role::Guarantor], "guarantors", "endorse amendments")?;
            let item = format!("amendment {amendment}");
            let a = records
                .amendments
                .get(amendment)
                .ok_or_else(|| unknown("amendment", amendment.as_str()))?;
            proposal_matches(item.clone(), proposal, &a.proposal.hash)?;
            if let Some(seq) = a.adopted_at {
                return Err(wrong_state(
                    item,
                    &format!("adopted at entry {seq}"),
                    "endorsed",
                ));
            }
            sign_off(
                ctx,
                item,
                proposal,
                &a.proposal.hash,
                "endorsed",
                &a.endorsements,
            )?;
            if a.adopted_with(ctx.charter, ctx.amending.rule, ctx.party) {
                crate::amendment::apply(&a.changes, ctx.charter, ctx.amending, ctx.keyring)
                    .map_err(|fault| Violation::AmendmentStale {
                        amendment: amendment.clone(),
                        fault,
                    })?;
            }
            Ok(())
        }
        // issue 14
        Event::AllegationLodged { .. } => crate::actors::check(ctx, records, event),
        Event::RulingDrafted { .. }
        | Event::RulingRatified { .. }
        | Event::ViewRecorded { .. }
        | Event::ClauseTabled { .. } => crate::bodies::check(ctx, records, event),
        Event::ObservationRecorded { .. }
        | Event::EvidenceAdded { .. }
        | Event::ItemReferred { .. }
        | Event::TeamTasked { .. }
        | Event::RecommendationMade { .. }
        | Event::MeasuresReported { .. }
        | Event::MeetingRecorded { .. }
        | Event::MeetingCosigned { .. } => crate::monitoring::check(ctx, records, event),
    }
}

/// A ruling (or a revision) drafted by a guarantor or monitor under a new id.
fn new_ruling(ctx: &Ctx, records: &Records, id: &RulingId) -> Result<(), Violation> {
    require(
        ctx,
        &[Role::Guarantor, Role::Monitor],
        "guarantors and monitors",
        "propose rulings",
    )?;
    fresh_id(records, id.as_str())
}

/// What a ruling (or a revision of one) finds, on an allegation against
/// `accused`: whom it may blame and which commitments it may find breached.
fn ruling_terms(
    ctx: &Ctx,
    records: &Records,
    id: &RulingId,
    accused: &PartyId,
    finding: Finding,
    attribution: &Attribution,
    breaches: &[CommitmentId],
) -> Result<(), Violation> {
    // A party removed by amendment still answers for what it did while a
    // party (its role then is not kept: it is judged as bound).
    let former = |p: &PartyId| ctx.amending.removed.contains_key(p);
    let bound = match attribution {
        Attribution::Party(p) if !former(p) => Some(p),
        _ => None,
    };
    if let Some(p) = bound {
        let attributed = ctx
            .charter
            .party(p)
            .ok_or_else(|| unknown("party", p.as_str()))?;
        if attributed.role == Role::Observer {
            return Err(Violation::ObserverAttributed {
                ruling: id.to_string(),
                party: p.clone(),
            });
        }
        if attributed.role == Role::Secretariat {
            return Err(Violation::SecretariatBound {
                item: format!("ruling {id}"),
                party: p.clone(),
            });
        }
    }
    distinct("the ruling's breaches", breaches, MAX_LIST)?;
    if !breaches.is_empty() && finding != Finding::Confirmed {
        return Err(Violation::BreachUnconfirmed { ruling: id.clone() });
    }
    if !breaches.is_empty() && *attribution == Attribution::Unattributable {
        return Err(Violation::BreachUnattributed { ruling: id.clone() });
    }
    for k in breaches {
        let c = records
            .commitments
            .get(k)
            .ok_or_else(|| unknown("commitment", k.as_str()))?;
        if let Attribution::Party(p) = attribution {
            if !c.binds(p) {
                return Err(Violation::BreachNotAttributed {
                    ruling: id.clone(),
                    commitment: k.clone(),
                    obligor: c.obligor.clone(),
                    attributed: p.clone(),
                });
            }
        }
        if *attribution == Attribution::Shared && !c.binds(accused) {
            return Err(Violation::SharedBreach {
                ruling: id.to_string(),
                commitment: k.to_string(),
                obligor: c.obligor.clone(),
                accused: accused.clone(),
            });
        }
    }
    Ok(())
}

/// What an allegation (filed or corrected) claims: the accused, its
/// commitments, the incident's time (not after the filing at `filed`).
fn allegation_fields(
    records: &Records,
    id: &AllegationId,
    against: &PartyId,
    commitments: &[CommitmentId],
    occurred: i64,
    filed: i64,
) -> Result<(), Violation> {
    distinct("the allegation's commitments", commitments, MAX_LIST)?;
    for k in commitments {
        let c = records
            .commitments
            .get(k)
            .ok_or_else(|| unknown("commitment", k.as_str()))?;
        if !c.binds(against) {
            return Err(Violation::AllegedNotTheirs {
                allegation: id.clone(),
                commitment: k.clone(),
                obligor: c.obligor.clone(),
                accused: against.clone(),
            });
        }
    }
    check_time("incident time", occurred)?;
    if occurred > filed {
        return Err(Violation::IncidentAfterEntry {
            allegation: id.clone(),
        });
    }
    Ok(())
}

fn commitment_record<'a>(
    records: &'a Records,
    id: &CommitmentId,
) -> Result<&'a CommitmentState, Violation> {
    records
        .commitments
        .get(id)
        .ok_or_else(|| unknown("commitment", id.as_str()))
}

/// A due time and a lapse time for a commitment recorded at `ctx.time`:
/// neither before the entry, and the deliverable not after the lapse.
fn times(
    ctx: &Ctx,
    commitment: &CommitmentId,
    due: Option<i64>,
    until: Option<i64>,
) -> Result<(), Violation> {
    for (field, t) in [("due time", due), ("until time", until)] {
        if let Some(t) = t {
            check_time(field, t)?;
            if t < ctx.time {
                return Err(Violation::TimeBeforeEntry {
                    commitment: commitment.clone(),
                    field,
                });
            }
        }
    }
    if let (Some(d), Some(u)) = (due, until) {
        if d > u {
            return Err(Violation::DueAfterUntil {
                commitment: commitment.clone(),
            });
        }
    }
    Ok(())
}

#[allow(clippy::too_many_arguments)]
fn new_commitment(
    ctx: &Ctx,
    records: &Records,
    id: &CommitmentId,
    clause: &ClauseId,
    t: &str,
    zone: Option<&str>,
    due: Option<i64>,
    until: Option<i64>,
) -> Result<(), Violation> {
    fresh_id(records, id.as_str())?;
    crate::clause_life::open_clause(records, clause, "committed under")?;
    text("commitment text", t, MAX_TEXT_BYTES)?;
    if let Some(z) = zone {
        line("zone", z, MAX_TITLE_BYTES)?;
    }
    times(ctx, id, due, until)
}

/// A report by the obligor on a commitment that binds and is still open
/// (active or overdue; a lapsed undertaking takes no more reports).
fn open_report(
    ctx: &Ctx,
    records: &Records,
    commitment: &CommitmentId,
    action: &'static str,
) -> Result<(), Violation> {
    let item = format!("commitment {commitment}");
    let c = commitment_record(records, commitment)?;
    owner(ctx, &c.obligor, "report on", item.clone())?;
    if c.status != CommitmentStatus::Open {
        return Err(wrong_state(item, c.status.word(), action));
    }
    if !records.clause_adopted(&c.clause) {
        return Err(wrong_state(
            item,
            &format!("pending (clause {} is not adopted)", c.clause),
            action,
        ));
    }
    let clause_lapsed = records
        .clauses
        .get(&c.clause)
        .is_some_and(|cl| cl.commitments_phase(ctx.time) == crate::records::ClausePhase::Lapsed);
    if clause_lapsed {
        return Err(wrong_state(
            item,
            &format!("lapsed (clause {} is lapsed)", c.clause),
            action,
        ));
    }
    if !c.past_due(ctx.time) && c.lapsed(ctx.time) {
        return Err(wrong_state(item, CommitmentPhase::Lapsed.as_str(), action));
    }
    Ok(())
}

/// A party that may propose or agree to a reschedule of an open
/// commitment: its obligor, a guarantor or the mediator.
fn reschedule_party<'a>(
    ctx: &Ctx,
    records: &'a Records,
    commitment: &CommitmentId,
    action: &'static str,
) -> Result<&'a CommitmentState, Violation> {
    let c = commitment_record(records, commitment)?;
    if !c.binds(ctx.party) {
        require(
            ctx,
            &[Role::Guarantor, Role::Mediator],
            "the obligor, guarantors and the mediator",
            action,
        )?;
    }
    if c.status != CommitmentStatus::Open {
        return Err(wrong_state(
            format!("commitment {commitment}"),
            c.status.word(),
            "rescheduled",
        ));
    }
    Ok(c)
}

/// A key that may be installed: a strong ed25519 point never used before.
fn fresh_key(ctx: &Ctx, key: &crate::crypto::PublicKey) -> Result<(), Violation> {
    key.verifying_key().map_err(Violation::NewKey)?;
    if ctx.keyring.ever_used(key) {
        return Err(Violation::KeyReused(key.id().short()));
    }
    Ok(())
}
