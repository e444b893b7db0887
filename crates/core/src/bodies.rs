//! The rules and the fold for decisions by bodies: rulings drafted by a
//! body under its own rule (recusal, consensus with a lapse, provisional
//! until the parent adopts), views by non-members, clauses with their own
//! signatories.
//!
//! Called by the gate (`decide`) and the fold (`fold`) for the events it
//! owns, and for the endorsements and dissents of a body's ruling and the
//! signatures of a tabled clause; `check_*` never change anything, `fold*`
//! never refuse, and neither ever changes the chain.

use crate::charter::{Charter, Role};
use crate::ctx::Ctx;
use crate::decide::{fresh_id, line, require, text, unknown, wrong_state, DRAFTERS};
use crate::entry::Sealed;
use crate::event::Event;
use crate::ids::{AllegationId, ClauseId, ItemId, ObservationId, PartyId, RulingId};
use crate::limits::{MAX_LIST, MAX_TEXT_BYTES, MAX_TITLE_BYTES};
use crate::mechanism::{Body, Decision};
use crate::records::{ClauseState, Records, RulingPhase, RulingState};
use crate::terms::{Accused, Attribution};
use crate::violation::Violation;

/// Whether `event` (one of this module's kinds) may be admitted.
pub(crate) fn check(ctx: &Ctx, records: &Records, event: &Event) -> Result<(), Violation> {
    match event {
        Event::RulingDrafted {
            id,
            on,
            body,
            finding,
            attribution,
            breaches,
            text: t,
        } => {
            fresh_id(records, id.as_str())?;
            let b = body_of(ctx, body)?;
            if !b.has_member(ctx.party) {
                return Err(Violation::NotMember {
                    party: ctx.party.clone(),
                    body: body.clone(),
                    action: "draft its rulings",
                });
            }
            if let Some(held) = records.notes.get(on).and_then(|n| n.held_by()) {
                if held != body {
                    return Err(Violation::HeldElsewhere {
                        item: on.to_string(),
                        held: held.clone(),
                        body: body.clone(),
                    });
                }
            }
            let accused = match item_on(records, on)? {
                On::Allegation(a) => {
                    let al = &records.allegations[&a];
                    if !al.is_open() {
                        return Err(wrong_state(
                            format!("allegation {a}"),
                            al.phase().as_str(),
                            "ruled on",
                        ));
                    }
                    let accused: Vec<PartyId> = al.accused_parties().cloned().collect();
                    crate::actors::ruling_terms(
                        ctx,
                        records,
                        id,
                        &accused,
                        *finding,
                        attribution,
                        breaches,
                    )?;
                    accused
                }
                On::Observation(_) => {
                    let blamed = attributed_party(attribution);
                    if !breaches.is_empty() && blamed.is_none() {
                        return Err(Violation::BreachUnattributed { ruling: id.clone() });
                    }
                    let accused: Vec<PartyId> = blamed.into_iter().cloned().collect();
                    crate::actors::ruling_terms(
                        ctx,
                        records,
                        id,
                        &accused,
                        *finding,
                        attribution,
                        breaches,
                    )?;
                    blamed.into_iter().cloned().collect()
                }
            };
            if b.recuse_accused && accused.contains(ctx.party) {
                return Err(Violation::Recused {
                    party: ctx.party.clone(),
                    ruling: id.clone(),
                    body: body.clone(),
                });
            }
            text("ruling text", t, MAX_TEXT_BYTES)
        }
        Event::RulingRatified { ruling, proposal } => {
            let item = format!("ruling {ruling}");
            let r = records
                .rulings
                .get(ruling)
                .ok_or_else(|| unknown("ruling", ruling.as_str()))?;
            let Some(body) = &r.body else {
                return Err(wrong_state(
                    item,
                    "a guarantors' ruling",
                    "ratified (only a body's ruling is)",
                ));
            };
            let b = body_of(ctx, body)?;
            let parent = match (&b.parent, b.parent_adopts) {
                (Some(p), true) => body_of(ctx, p)?,
                _ => {
                    return Err(Violation::NoParent {
                        ruling: ruling.clone(),
                        body: body.clone(),
                    })
                }
            };
            if !parent.has_member(ctx.party) {
                return Err(Violation::NotMember {
                    party: ctx.party.clone(),
                    body: parent.id.clone(),
                    action: "ratify the rulings of the bodies under it",
                });
            }
            if parent.recuse_accused && accused_parties(records, r).contains(ctx.party) {
                return Err(Violation::Recused {
                    party: ctx.party.clone(),
                    ruling: ruling.clone(),
                    body: parent.id.clone(),
                });
            }
            crate::decide::sign_off(
                ctx,
                item.clone(),
                proposal,
                &r.proposal.hash,
                "ratified",
                &r.ratifications,
            )?;
            if r.phase() != RulingPhase::Provisional {
                return Err(wrong_state(item, r.phase_at(ctx.time).as_str(), "ratified"));
            }
            awaited(records, r)
        }
        Event::ViewRecorded { item, text: t } => {
            if !records.id_taken(item.as_str()) {
                return Err(unknown("item", item.as_str()));
            }
            if votes_on(ctx, records, item) {
                return Err(Violation::Votes {
                    party: ctx.party.clone(),
                    item: item.to_string(),
                });
            }
            text("view text", t, MAX_TEXT_BYTES)
        }
        Event::ClauseTabled {
            id,
            title,
            text: t,
            signatories,
        } => {
            require(
                ctx,
                &[Role::Guarantor, Role::Mediator, Role::Secretariat],
                DRAFTERS,
                "table clauses",
            )?;
            fresh_id(records, id.as_str())?;
            line("clause title", title, MAX_TITLE_BYTES)?;
            text("clause text", t, MAX_TEXT_BYTES)?;
            crate::decide::distinct("the clause's signatories", signatories, MAX_LIST)?;
            let mut guarantor = false;
            for p in signatories {
                let party = ctx
                    .charter
                    .party(p)
                    .ok_or_else(|| unknown("party", p.as_str()))?;
                if matches!(party.role, Role::Observer | Role::Secretariat) {
                    return Err(Violation::SignatoryRole {
                        clause: id.clone(),
                        party: p.clone(),
                        role: party.role,
                    });
                }
                guarantor |= party.role == Role::Guarantor;
            }
            if !guarantor {
                return Err(Violation::NoGuarantorSignatory { clause: id.clone() });
            }
            Ok(())
        }
        _ => Ok(()),
    }
}

/// Folds an admitted `entry` (one of this module's kinds) into the records.
pub(crate) fn fold(ctx: &Ctx, records: &mut Records, entry: &Sealed) {
    let seq = entry.seq();
    let party = ctx.party.clone();
    match &entry.entry.body.event {
        Event::RulingDrafted {
            id,
            on,
            body,
            finding,
            attribution,
            breaches,
            ..
        } => {
            let on_observation = match item_on(records, on) {
                Ok(On::Observation(o)) => Some(o),
                _ => None,
            };
            let Ok(allegation) = AllegationId::new(on.as_str()) else {
                return;
            };
            let mut r = RulingState::proposed(
                allegation,
                party,
                (*finding, attribution.clone(), breaches.clone()),
                entry.head(),
                None,
            );
            r.body = Some(body.clone());
            r.on_observation = on_observation;
            r.drafted_time = ctx.time;
            r.lapse_until = match ctx.amending.mechanism.body(body).map(|b| b.decision) {
                Some(Decision::Consensus { lapse }) => Some(
                    ctx.time
                        .saturating_add(i64::try_from(lapse).unwrap_or(i64::MAX)),
                ),
                _ => None,
            };
            records.rulings.insert(id.clone(), r);
        }
        Event::RulingRatified { ruling, .. } => {
            let Some(r) = records.rulings.get_mut(ruling) else {
                return;
            };
            r.ratifications.push((party, seq));
            let Some(parent) = r
                .body
                .as_ref()
                .and_then(|b| ctx.amending.mechanism.body(b))
                .and_then(|b| b.parent.as_ref())
                .and_then(|p| ctx.amending.mechanism.body(p))
            else {
                return;
            };
            let r = &records.rulings[ruling];
            if r.adopted_at.is_none() && met(parent, &accused_parties(records, r), &r.ratifications)
            {
                crate::fold::adopt(records, ruling, seq);
            }
        }
        Event::ViewRecorded { item, .. } => {
            records
                .notes
                .entry(item.clone())
                .or_default()
                .views
                .push((party, seq));
        }
        Event::ClauseTabled {
            id,
            title,
            signatories,
            ..
        } => {
            let mut c = ClauseState::proposed(title.clone(), party, entry.head(), None);
            c.signatories = Some(signatories.clone());
            records.clauses.insert(id.clone(), c);
        }
        _ => {}
    }
}

/// What a body's ruling is on.
enum On {
    Allegation(AllegationId),
    Observation(ObservationId),
}

/// The allegation or observation `on` names, if on record.
fn item_on(records: &Records, on: &ItemId) -> Result<On, Violation> {
    let missing = || unknown("allegation or observation", on.as_str());
    if let Ok(a) = AllegationId::new(on.as_str()) {
        if records.allegations.contains_key(&a) {
            return Ok(On::Allegation(a));
        }
    }
    let o = ObservationId::new(on.as_str()).map_err(|_| missing())?;
    if records.observations.contains_key(&o) {
        return Ok(On::Observation(o));
    }
    Err(missing())
}

fn body_of<'a>(ctx: &'a Ctx, id: &crate::ids::BodyId) -> Result<&'a Body, Violation> {
    ctx.amending
        .mechanism
        .body(id)
        .ok_or_else(|| unknown("body", id.as_str()))
}

/// The party an attribution names, if it names one.
fn attributed_party(a: &Attribution) -> Option<&PartyId> {
    match a {
        Attribution::Party(p)
        | Attribution::To {
            who: Accused::Party(p),
            ..
        } => Some(p),
        _ => None,
    }
}

/// The parties accused in the matter a ruling decides: the accused of its
/// allegation, or for an observation the party it attributes to.
fn accused_parties(records: &Records, r: &RulingState) -> Vec<PartyId> {
    if r.on_observation.is_some() {
        return attributed_party(&r.attribution)
            .into_iter()
            .cloned()
            .collect();
    }
    records
        .allegations
        .get(&r.allegation)
        .map(|a| a.accused_parties().cloned().collect())
        .unwrap_or_default()
}

/// Whether the ruling's allegation (if any) still awaits it.
fn awaited(records: &Records, r: &RulingState) -> Result<(), Violation> {
    if r.on_observation.is_some() {
        return Ok(());
    }
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
    Ok(())
}

/// Whether the endorsements `signed` meet the body's rule, counted over its
/// members not recused (the lapse of a consensus is checked at the gate).
fn met(body: &Body, accused: &[PartyId], signed: &[(PartyId, u64)]) -> bool {
    let voters: Vec<&PartyId> = body
        .members
        .iter()
        .filter(|m| !(body.recuse_accused && accused.contains(m)))
        .collect();
    let yes = voters
        .iter()
        .filter(|m| signed.iter().any(|(p, _)| p == **m))
        .count();
    match body.decision {
        Decision::All | Decision::Consensus { .. } => !voters.is_empty() && yes == voters.len(),
        Decision::Quorum(n) => yes >= usize::try_from(n).unwrap_or(usize::MAX),
    }
}

/// Whether the endorsement or dissent `event` of the body ruling `r` may be
/// admitted (called by the gate for a ruling with a body).
pub(crate) fn check_vote(
    ctx: &Ctx,
    records: &Records,
    ruling: &RulingId,
    r: &RulingState,
    event: &Event,
) -> Result<(), Violation> {
    let dissent = matches!(event, Event::RulingDissented { .. });
    let Some(body) = &r.body else {
        return Ok(());
    };
    let b = body_of(ctx, body)?;
    if !b.has_member(ctx.party) {
        return Err(Violation::NotMember {
            party: ctx.party.clone(),
            body: body.clone(),
            action: if dissent {
                "dissent from its rulings"
            } else {
                "endorse its rulings"
            },
        });
    }
    if b.recuse_accused && accused_parties(records, r).contains(ctx.party) {
        return Err(Violation::Recused {
            party: ctx.party.clone(),
            ruling: ruling.clone(),
            body: body.clone(),
        });
    }
    let item = format!("ruling {ruling}");
    let phase = r.phase();
    if phase == RulingPhase::NoConsensus {
        let action = if dissent {
            "dissented from"
        } else {
            "endorsed"
        };
        return Err(wrong_state(item, phase.as_str(), action));
    }
    if phase == RulingPhase::Proposed {
        if let (false, Some(until)) = (dissent, r.lapse_until.filter(|_| r.lapsed(ctx.time))) {
            return Err(Violation::LapsePassed {
                ruling: ruling.clone(),
                until,
            });
        }
        if !dissent {
            awaited(records, r)?;
        }
    }
    Ok(())
}

/// Folds the endorsement or dissent (by `ctx.party`, at `seq`) of the body
/// ruling `ruling`: the body's rule met adopts it, or makes it provisional
/// when the parent body adopts; a dissent under consensus closes it.
pub(crate) fn fold_vote(
    ctx: &Ctx,
    records: &mut Records,
    ruling: &RulingId,
    dissent: bool,
    seq: u64,
) {
    let party = ctx.party.clone();
    let Some(r) = records.rulings.get(ruling) else {
        return;
    };
    let Some(b) = r.body.as_ref().and_then(|b| ctx.amending.mechanism.body(b)) else {
        return;
    };
    let accused = accused_parties(records, r);
    let Some(r) = records.rulings.get_mut(ruling) else {
        return;
    };
    let proposed = r.phase() == RulingPhase::Proposed;
    if dissent {
        r.dissents.push((party, seq));
        if proposed && matches!(b.decision, Decision::Consensus { .. }) {
            r.no_consensus = Some(seq);
        }
        return;
    }
    r.endorsements.push((party, seq));
    if !proposed || !met(b, &accused, &r.endorsements) {
        return;
    }
    if b.parent_adopts && b.parent.is_some() {
        r.provisional_at = Some(seq);
    } else {
        crate::fold::adopt(records, ruling, seq);
    }
}

/// A view of `item` is refused to a party that votes on it: a member of
/// the body holding it (referred there); for a ruling still to be decided,
/// a member of its body (of the parent body while provisional) or, for a
/// guarantors' ruling, a guarantor.
fn votes_on(ctx: &Ctx, records: &Records, item: &ItemId) -> bool {
    let mech = &ctx.amending.mechanism;
    let member = |b: Option<&crate::ids::BodyId>| {
        b.and_then(|b| mech.body(b))
            .is_some_and(|b| b.has_member(ctx.party))
    };
    if member(records.notes.get(item).and_then(|n| n.held_by())) {
        return true;
    }
    let Some(r) = RulingId::new(item.as_str())
        .ok()
        .and_then(|id| records.rulings.get(&id))
    else {
        return false;
    };
    match (r.phase_at(ctx.time), &r.body) {
        (RulingPhase::Proposed, Some(b)) => member(Some(b)),
        (RulingPhase::Provisional, Some(b)) => member(mech.body(b).and_then(|b| b.parent.as_ref())),
        (RulingPhase::Proposed, None) => ctx.role == Role::Guarantor,
        _ => false,
    }
}

// Tabled clauses: only signatories sign; adopted by every guarantor
// signatory.

/// Refuses `action` on a tabled clause by a party that is not its
/// signatory (any clause of the whole agreement passes).
pub(crate) fn signatory(
    ctx: &Ctx,
    c: &ClauseState,
    clause: &ClauseId,
    action: &'static str,
) -> Result<(), Violation> {
    if c.signs(ctx.party) {
        Ok(())
    } else {
        Err(Violation::NotSignatory {
            party: ctx.party.clone(),
            clause: clause.clone(),
            action,
        })
    }
}

/// For a tabled clause, whether the parties for whom `endorsed` holds
/// include every guarantor signatory (`None`: not tabled, the charter's
/// clause adoption rule applies).
pub(crate) fn tabled_adopted(
    charter: &Charter,
    signatories: Option<&Vec<PartyId>>,
    endorsed: impl Fn(&PartyId) -> bool,
) -> Option<bool> {
    let signatories = signatories?;
    Some(
        signatories
            .iter()
            .filter(|p| charter.party(p).is_some_and(|x| x.role == Role::Guarantor))
            .all(endorsed),
    )
}

/// What the body rulings of `state` ask of `me` at `time`: a member not
/// recused endorses (or dissents from) a proposed ruling of its body while
/// its lapse has not passed; a member of the parent body ratifies a
/// provisional one.
pub(crate) fn duties(
    state: &crate::state::State,
    me: &PartyId,
    time: i64,
) -> Vec<crate::projection::Duty> {
    use crate::projection::{Duty, DutyKind};
    let records = state.records();
    let mech = &state.amending().mechanism;
    let mut out = Vec::new();
    for (id, r) in records.rulings() {
        let Some(b) = r.body.as_ref().and_then(|b| mech.body(b)) else {
            continue;
        };
        if awaited(records, r).is_err() {
            continue;
        }
        let accused = accused_parties(records, r);
        let sits = |b: &Body| b.has_member(me) && !(b.recuse_accused && accused.contains(me));
        let did = |list: &[(PartyId, u64)]| list.iter().any(|(p, _)| p == me);
        let duty = match r.phase_at(time) {
            RulingPhase::Proposed if sits(b) && !did(&r.endorsements) && !did(&r.dissents) => {
                Some(DutyKind::EndorseRuling)
            }
            RulingPhase::Provisional
                if b.parent
                    .as_ref()
                    .and_then(|p| mech.body(p))
                    .is_some_and(sits)
                    && !did(&r.ratifications) =>
            {
                Some(DutyKind::RatifyRuling)
            }
            _ => None,
        };
        out.extend(duty.map(|duty| Duty {
            duty,
            item: id.to_string(),
        }));
    }
    out
}
