//! The decisions: whether each event kind may be admitted (who may sign
//! what, references, allowed state transitions, text and list limits, time
//! ranges).
//!
//! `check` decides and never changes anything; it sees only the records the
//! event touches (see `records`). What a state means (a word, "expired",
//! "adopted") is asked of the record types, never re-derived here.

use crate::charter::Role;
use crate::ctx::Ctx;
use crate::event::Event;
use crate::ids::{EntryHash, PartyId};
use crate::limits::{MAX_EVIDENCE, MAX_LIST, MAX_TEXT_BYTES, MAX_TIME, MAX_TITLE_BYTES, MIN_TIME};
use crate::records::{CommitmentPhase, CommitmentStatus, Records};
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

const DRAFTERS: &str = "guarantors, the mediator and the secretariat";

fn require(
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
fn text(field: &'static str, s: &str, max: usize) -> Result<(), Violation> {
    crate::text::check_text(s, max).map_err(|f| fault(field, max, f))
}

/// A one-line field (a title, a name, a location).
fn line(field: &'static str, s: &str, max: usize) -> Result<(), Violation> {
    crate::text::check_line(s, max).map_err(|f| fault(field, max, f))
}

/// A list of at most `max` items, none named twice.
fn distinct<T: Ord + std::fmt::Display>(
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

fn fresh_id(records: &Records, id: &str) -> Result<(), Violation> {
    if records.id_taken(id) {
        return Err(Violation::DuplicateId(id.to_owned()));
    }
    Ok(())
}

fn unknown(kind: &'static str, id: &str) -> Violation {
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
fn sign_off(
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

fn owner(ctx: &Ctx, owner: &PartyId, action: &'static str, item: String) -> Result<(), Violation> {
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

fn evidence(list: &[Evidence]) -> Result<(), Violation> {
    let digests: Vec<_> = list.iter().map(|e| e.sha256).collect();
    distinct("the evidence files' digests", &digests, MAX_EVIDENCE)?;
    for e in list {
        line("evidence file name", &e.name, MAX_TITLE_BYTES)?;
        line("evidence media type", &e.media_type, MAX_TITLE_BYTES)?;
    }
    Ok(())
}

fn wrong_state(item: String, state: &str, action: &'static str) -> Violation {
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
            sign_off(
                ctx,
                format!("clause {clause}"),
                proposal,
                &c.proposal.hash,
                "accepted",
                &c.acceptances,
            )
        }
        Event::CommitmentMade {
            id,
            clause,
            text: t,
            zone,
            due,
        } => {
            fresh_id(records, id.as_str())?;
            if !records.clauses.contains_key(clause) {
                return Err(unknown("clause", clause.as_str()));
            }
            text("commitment text", t, MAX_TEXT_BYTES)?;
            if let Some(z) = zone {
                line("zone", z, MAX_TITLE_BYTES)?;
            }
            if let Some(d) = due {
                check_time("due time", *d)?;
            }
            if due.is_some_and(|d| d < ctx.time) {
                return Err(Violation::DueBeforeEntry {
                    commitment: id.clone(),
                });
            }
            Ok(())
        }
        Event::CommitmentFulfilled { commitment, note } => {
            let item = format!("commitment {commitment}");
            let c = records
                .commitments
                .get(commitment)
                .ok_or_else(|| unknown("commitment", commitment.as_str()))?;
            owner(ctx, &c.obligor, "report on", item.clone())?;
            if c.status != CommitmentStatus::Open {
                return Err(wrong_state(item, c.status.word(), "fulfilled"));
            }
            if !records.clause_adopted(&c.clause) {
                return Err(wrong_state(
                    item,
                    &format!("pending (clause {} is not adopted)", c.clause),
                    "fulfilled",
                ));
            }
            if c.expired(ctx.time) {
                return Err(wrong_state(
                    item,
                    CommitmentPhase::Expired.as_str(),
                    "fulfilled",
                ));
            }
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
            distinct("the allegation's commitments", commitments, MAX_LIST)?;
            for k in commitments {
                let c = records
                    .commitments
                    .get(k)
                    .ok_or_else(|| unknown("commitment", k.as_str()))?;
                if c.obligor != *against {
                    return Err(Violation::AllegedNotTheirs {
                        allegation: id.clone(),
                        commitment: k.clone(),
                        obligor: c.obligor.clone(),
                        accused: against.clone(),
                    });
                }
            }
            check_time("incident time", *occurred)?;
            if *occurred > ctx.time {
                return Err(Violation::IncidentAfterEntry {
                    allegation: id.clone(),
                });
            }
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
            require(
                ctx,
                &[Role::Guarantor, Role::Monitor],
                "guarantors and monitors",
                "propose rulings",
            )?;
            fresh_id(records, id.as_str())?;
            let item = format!("allegation {allegation}");
            let a = records
                .allegations
                .get(allegation)
                .ok_or_else(|| unknown("allegation", allegation.as_str()))?;
            if !a.is_open() {
                return Err(wrong_state(item, a.phase().as_str(), "ruled on"));
            }
            // A party removed by amendment still answers for what it did
            // while a party (its role then is not kept: it is judged as bound).
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
            if !breaches.is_empty() && *finding != Finding::Confirmed {
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
                    if c.obligor != *p {
                        return Err(Violation::BreachNotAttributed {
                            ruling: id.clone(),
                            commitment: k.clone(),
                            obligor: c.obligor.clone(),
                            attributed: p.clone(),
                        });
                    }
                }
                if *attribution == Attribution::Shared && c.obligor != a.against {
                    return Err(Violation::SharedBreach {
                        ruling: id.to_string(),
                        commitment: k.to_string(),
                        obligor: c.obligor.clone(),
                        accused: a.against.clone(),
                    });
                }
            }
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
                // allegation is still open.
                let a = records
                    .allegations
                    .get(&r.allegation)
                    .ok_or_else(|| unknown("allegation", r.allegation.as_str()))?;
                if !a.is_open() {
                    return Err(wrong_state(
                        format!("allegation {}", r.allegation),
                        a.phase().as_str(),
                        "ruled on again",
                    ));
                }
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
    }
}

/// A key that may be installed: a strong ed25519 point never used before.
fn fresh_key(ctx: &Ctx, key: &crate::crypto::PublicKey) -> Result<(), Violation> {
    key.verifying_key().map_err(Violation::NewKey)?;
    if ctx.keyring.ever_used(key) {
        return Err(Violation::KeyReused(key.id().short()));
    }
    Ok(())
}
