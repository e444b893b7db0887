//! Clauses over time (issue 13): the decisions and the folds of a clause's
//! withdrawal, a party's decline, a revision that supersedes an adopted
//! clause, and a term (`until`) proposed and endorsed under the clause
//! adoption rule.
//!
//! `check_*` decide and never change anything; `fold_*` change and never
//! refuse. Both see only the records the event touches (the clause and,
//! for a revision, the clause it revises: see `records`).

use crate::charter::Role;
use crate::ctx::Ctx;
use crate::decide::{check_time, line, require, sign_off, text, unknown, wrong_state};

/// Who may propose and endorse a clause's term or a revision.
const EDITORS: &str = "guarantors and the mediator";
use crate::entry::Sealed;
use crate::event::Event;
use crate::ids::ClauseId;
use crate::limits::{MAX_TEXT_BYTES, MAX_TITLE_BYTES};
use crate::records::{ClauseState, Records, TermProposal};
use crate::violation::Violation;

fn clause<'r>(records: &'r Records, id: &ClauseId) -> Result<&'r ClauseState, Violation> {
    records
        .clauses
        .get(id)
        .ok_or_else(|| unknown("clause", id.as_str()))
}

/// Refuses to act on a withdrawn or superseded clause, or on a revision
/// whose clause another revision has superseded meanwhile.
pub(crate) fn open_clause(
    records: &Records,
    id: &ClauseId,
    action: &'static str,
) -> Result<(), Violation> {
    let c = clause(records, id)?;
    if let Some(word) = c.closed() {
        return Err(wrong_state(format!("clause {id}"), word.as_str(), action));
    }
    if let Some(old) = &c.revises {
        if let Some((by, _)) = records
            .clauses
            .get(old)
            .and_then(|o| o.superseded_by.as_ref())
            .filter(|(by, _)| by != id)
        {
            return Err(Violation::RevisionOvertaken {
                revision: id.clone(),
                action,
                clause: old.clone(),
                by: by.clone(),
            });
        }
    }
    Ok(())
}

/// Refuses an acceptance or a decline by a party that already answered
/// the clause either way (a party accepts or declines a text, once).
pub(crate) fn unanswered(ctx: &Ctx, c: &ClauseState, id: &ClauseId) -> Result<(), Violation> {
    for (did, list) in [("accepted", &c.acceptances), ("declined", &c.declines)] {
        if list.iter().any(|(p, _)| p == ctx.party) {
            return Err(Violation::Answered {
                party: ctx.party.clone(),
                did,
                clause: id.clone(),
            });
        }
    }
    Ok(())
}

/// Whether the clause events of issue 13 may be admitted.
pub(crate) fn check(ctx: &Ctx, records: &Records, event: &Event) -> Result<(), Violation> {
    match event {
        Event::ClauseWithdrawn { clause: id, reason } => {
            let c = clause(records, id)?;
            crate::decide::owner(ctx, &c.proposer, "withdraw", format!("clause {id}"))?;
            if c.is_adopted() || c.closed().is_some() {
                return Err(wrong_state(
                    format!("clause {id}"),
                    c.phase(ctx.time).as_str(),
                    "withdrawn (only a proposal not yet adopted can)",
                ));
            }
            text("reason", reason, MAX_TEXT_BYTES)
        }
        Event::ClauseDeclined {
            clause: id,
            proposal,
            reason,
        } => {
            require(
                ctx,
                &[Role::Party],
                "parties to the conflict",
                "decline clauses",
            )?;
            let c = clause(records, id)?;
            open_clause(records, id, "declined")?;
            // issue 14: bodies (a tabled clause is signed by its signatories)
            crate::bodies::signatory(ctx, c, id, "decline it")?;
            sign_off(
                ctx,
                format!("clause {id}"),
                proposal,
                &c.proposal.hash,
                "declined",
                &c.declines,
            )?;
            unanswered(ctx, c, id)?;
            text("reason", reason, MAX_TEXT_BYTES)
        }
        Event::ClauseRevisionProposed {
            id,
            revises,
            title,
            text: t,
        } => {
            require(
                ctx,
                &[Role::Guarantor, Role::Mediator],
                EDITORS,
                "revise clauses",
            )?;
            crate::decide::fresh_id(records, id.as_str())?;
            adopted_open(ctx, records, revises, "revised")?;
            // issue 14: bodies (a tabled clause is revised by its signatories)
            crate::bodies::signatory(ctx, clause(records, revises)?, revises, "revise it")?;
            line("clause title", title, MAX_TITLE_BYTES)?;
            text("clause text", t, MAX_TEXT_BYTES)
        }
        Event::ClauseTermProposed {
            clause: id,
            until,
            reason,
        } => {
            require(
                ctx,
                &[Role::Guarantor, Role::Mediator],
                EDITORS,
                "propose clause terms",
            )?;
            adopted_open(ctx, records, id, "given a new term")?;
            // issue 14: bodies (a tabled clause's term is set by its signatories)
            crate::bodies::signatory(ctx, clause(records, id)?, id, "propose its term")?;
            if let Some(u) = until {
                check_time("until", *u)?;
                if *u < ctx.time {
                    return Err(Violation::UntilBeforeEntry { clause: id.clone() });
                }
            }
            text("reason", reason, MAX_TEXT_BYTES)
        }
        Event::ClauseTermEndorsed {
            clause: id,
            proposal,
        } => {
            require(
                ctx,
                &[Role::Guarantor, Role::Mediator],
                EDITORS,
                "endorse clause terms",
            )?;
            let c = clause(records, id)?;
            open_clause(records, id, "given a new term")?;
            // issue 14: bodies (a tabled clause's term is set by its signatories)
            crate::bodies::signatory(ctx, c, id, "endorse its term")?;
            let term = c
                .term
                .as_ref()
                .ok_or_else(|| Violation::NoTermPending { clause: id.clone() })?;
            let item = format!("the term proposal of clause {id}");
            sign_off(
                ctx,
                item.clone(),
                proposal,
                &term.proposal.hash,
                "endorsed",
                &term.endorsements,
            )?;
            let endorsed = |p: &crate::ids::PartyId| {
                p == ctx.party || term.endorsements.iter().any(|(q, _)| q == p)
            };
            // issue 14: bodies (a tabled clause: every guarantor signatory)
            let adopts =
                crate::bodies::tabled_adopted(ctx.charter, c.signatories.as_ref(), endorsed)
                    .unwrap_or_else(|| {
                        ctx.charter
                            .quorum_met_by(ctx.charter.rules.clause_adoption, endorsed)
                    });
            if adopts && term.until.is_some_and(|u| u < ctx.time) {
                return Err(Violation::PassedAtAdoption {
                    item,
                    field: "until time",
                });
            }
            Ok(())
        }
        _ => Ok(()),
    }
}

/// Refuses unless clause `id` is adopted and neither withdrawn nor
/// superseded (a lapsed clause may still be revised or given a new term).
fn adopted_open(
    ctx: &Ctx,
    records: &Records,
    id: &ClauseId,
    action: &'static str,
) -> Result<(), Violation> {
    let c = clause(records, id)?;
    if !c.is_adopted() || c.closed().is_some() {
        return Err(wrong_state(
            format!("clause {id}"),
            c.phase(ctx.time).as_str(),
            action,
        ));
    }
    Ok(())
}

/// Folds the clause events of issue 13 into the records.
pub(crate) fn fold(ctx: &Ctx, records: &mut Records, entry: &Sealed) {
    let seq = entry.seq();
    let party = ctx.party.clone();
    match &entry.entry.body.event {
        Event::ClauseWithdrawn { clause, .. } => {
            if let Some(c) = records.clauses.get_mut(clause) {
                c.withdrawn = Some(seq);
            }
        }
        Event::ClauseDeclined { clause, .. } => {
            if let Some(c) = records.clauses.get_mut(clause) {
                c.declines.push((party, seq));
            }
        }
        Event::ClauseRevisionProposed {
            id, revises, title, ..
        } => {
            let mut c =
                ClauseState::proposed(title.clone(), party, entry.head(), Some(revises.clone()));
            // issue 14: bodies (a revision binds the signatories of the
            // tabled clause it revises)
            c.signatories = records
                .clauses
                .get(revises)
                .and_then(|o| o.signatories.clone());
            records.clauses.insert(id.clone(), c);
        }
        Event::ClauseTermProposed { clause, until, .. } => {
            if let Some(c) = records.clauses.get_mut(clause) {
                c.term = Some(TermProposal {
                    until: *until,
                    proposer: party,
                    proposal: entry.head(),
                    endorsements: Vec::new(),
                });
            }
        }
        Event::ClauseTermEndorsed { clause, .. } => {
            let Some(c) = records.clauses.get_mut(clause) else {
                return;
            };
            let signatories = c.signatories.clone();
            let Some(term) = c.term.as_mut() else {
                return;
            };
            term.endorsements.push((party, seq));
            // issue 14: bodies (a tabled clause: every guarantor signatory)
            let met = crate::bodies::tabled_adopted(ctx.charter, signatories.as_ref(), |g| {
                term.endorsements.iter().any(|(p, _)| p == g)
            })
            .unwrap_or_else(|| {
                ctx.charter
                    .quorum_met(ctx.charter.rules.clause_adoption, &term.endorsements)
            });
            if met {
                let until = term.until;
                c.until = until;
                c.until_from = Some(seq);
                c.term = None;
                let revises = c.revises.clone();
                // The clauses it superseded end with it: commitments made
                // under them stay binding as long as the agreement is.
                let mut older = revises;
                while let Some(id) = older {
                    let Some(o) = records.clauses.get_mut(&id) else {
                        break;
                    };
                    o.until = until;
                    older = o.revises.clone();
                }
            }
        }
        _ => {}
    }
}

/// After the endorsement at `seq` (at `time`) adopted clause `id`: if it
/// is a revision, it supersedes the clause it revises and takes on its
/// term, unless that term has already ended (a revision of a lapsed clause
/// starts without an end; a term may then be set).
pub(crate) fn adopted(records: &mut Records, id: &ClauseId, seq: u64, time: i64) {
    let Some(old_id) = records.clauses.get(id).and_then(|c| c.revises.clone()) else {
        return;
    };
    let Some(old) = records.clauses.get_mut(&old_id) else {
        return;
    };
    old.superseded_by = Some((id.clone(), seq));
    old.term = None;
    let until = old.until.filter(|u| *u >= time);
    if let Some(new) = records.clauses.get_mut(id) {
        new.until = until;
    }
}
