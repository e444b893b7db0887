//! The rules and the fold for a mechanism's working items: observations,
//! evidence added later, referrals, tasks, recommendations and the measures
//! reported, meeting records and their cosignatures.
//!
//! Called by the gate (`decide`) and the fold (`fold`) for the events it
//! owns; it never changes the chain. `check` reads only the records
//! `Event::touches` names (the item under every kind its id may have, its
//! notes, the task or recommendation or meeting named) and the mechanism
//! in force (`ctx.amending.mechanism`); `fold` never refuses.

use crate::charter::Role;
use crate::ctx::Ctx;
use crate::decide::{
    check_time, distinct, evidence, fresh_id, line, owner, require, sign_off, text, unknown,
};
use crate::entry::Sealed;
use crate::event::Event;
use crate::ids::{
    AllegationId, BodyId, CommitmentId, ItemId, MeetingId, ObservationId, PartyId,
    RecommendationId, RulingId, TaskId,
};
use crate::limits::{MAX_EVIDENCE, MAX_LIST, MAX_TEXT_BYTES, MAX_TITLE_BYTES};
use crate::mechanism::{Body, ScaleKind};
use crate::records::Records;
use crate::reports::{
    ItemNotes, MeetingState, ObservationState, RecommendationState, Referral, TaskState,
};
use crate::terms::Exhibit;
use crate::violation::Violation;

/// Whether `event` (one of this module's kinds) may be admitted.
pub(crate) fn check(ctx: &Ctx, records: &Records, event: &Event) -> Result<(), Violation> {
    match event {
        Event::ObservationRecorded {
            id,
            body,
            task,
            occurred,
            location,
            summary,
            severity,
            violation,
            evidence: ev,
            ..
        } => {
            fresh_id(records, id.as_str())?;
            let body = body.as_ref().map(|b| body_of(ctx, b)).transpose()?;
            let member = body.is_some_and(|b| b.has_member(ctx.party));
            if ctx.role != Role::Monitor && !member {
                return Err(Violation::NotObserving {
                    party: ctx.party.clone(),
                    role: ctx.role,
                });
            }
            if let Some(t) = task {
                let state = records
                    .tasks
                    .get(t)
                    .ok_or_else(|| unknown("task", t.as_str()))?;
                if state.reported.is_some() {
                    return Err(crate::decide::wrong_state(
                        format!("task {t}"),
                        state.phase(ctx.time).as_str(),
                        "reported on again",
                    ));
                }
                let for_team = body.is_some_and(|b| b.id == state.team);
                let on_team = ctx
                    .amending
                    .mechanism
                    .body(&state.team)
                    .is_some_and(|b| b.has_member(ctx.party));
                if !for_team && !on_team {
                    return Err(Violation::NotTheTeam {
                        task: t.clone(),
                        team: state.team.clone(),
                        party: ctx.party.clone(),
                    });
                }
            }
            check_time("observation time", *occurred)?;
            if *occurred > ctx.time {
                return Err(Violation::AfterEntry {
                    item: format!("observation {id}"),
                    field: "observed time",
                });
            }
            line("location", location, MAX_TITLE_BYTES)?;
            for (kind, value) in [
                (ScaleKind::Severity, severity),
                (ScaleKind::Violation, violation),
            ] {
                if let Some(v) = value {
                    on_scale(ctx, kind, v)?;
                }
            }
            text("summary", summary, MAX_TEXT_BYTES)?;
            evidence(ev)
        }
        Event::EvidenceAdded {
            item,
            evidence: ev,
            note,
        } => {
            let what = describe(records, item).ok_or_else(|| unknown("item", item.as_str()))?;
            let author = author_of(records, item)
                .ok_or_else(|| Violation::NoEvidenceOn { item: what.clone() })?;
            let held = held_by(records, item)
                .and_then(|b| ctx.amending.mechanism.body(b))
                .is_some_and(|b| b.has_member(ctx.party));
            let role = matches!(ctx.role, Role::Monitor | Role::Guarantor | Role::Mediator);
            if *ctx.party != author && !role && !held {
                return Err(Violation::MayNotAddEvidence {
                    party: ctx.party.clone(),
                    item: what,
                    author,
                });
            }
            if ev.is_empty() {
                return Err(Violation::NoExhibits { item: what });
            }
            exhibits(ev)?;
            text("note", note, MAX_TEXT_BYTES)
        }
        Event::ItemReferred { item, to, note } => {
            let what = describe(records, item).ok_or_else(|| unknown("item", item.as_str()))?;
            if !referable(records, item) {
                return Err(Violation::NotReferable { item: what });
            }
            body_of(ctx, to)?;
            let mechanism = &ctx.amending.mechanism;
            match held_by(records, item) {
                Some(h) if h == to => {
                    return Err(Violation::AlreadyHeld {
                        item: what,
                        body: h.clone(),
                    })
                }
                Some(h) => {
                    if !mechanism.body(h).is_some_and(|b| b.has_member(ctx.party)) {
                        return Err(Violation::ReferNotHolder {
                            item: what,
                            body: h.clone(),
                            party: ctx.party.clone(),
                        });
                    }
                }
                None => {
                    let role = matches!(
                        ctx.role,
                        Role::Guarantor | Role::Mediator | Role::Monitor | Role::Secretariat
                    );
                    let member = mechanism.bodies.values().any(|b| b.has_member(ctx.party));
                    if !role && !member {
                        return Err(Violation::MayNotRefer {
                            party: ctx.party.clone(),
                            role: ctx.role,
                        });
                    }
                }
            }
            text("note", note, MAX_TEXT_BYTES)
        }
        Event::TeamTasked {
            id,
            team,
            about,
            text: t,
            due,
        } => {
            fresh_id(records, id.as_str())?;
            let team = body_of(ctx, team)?;
            match &team.parent {
                Some(parent) => {
                    let sits = ctx
                        .amending
                        .mechanism
                        .body(parent)
                        .is_some_and(|b| b.has_member(ctx.party));
                    if !sits {
                        return Err(Violation::NotMember {
                            party: ctx.party.clone(),
                            body: parent.clone(),
                            action: "task its teams",
                        });
                    }
                }
                None => require(
                    ctx,
                    &[Role::Guarantor, Role::Secretariat],
                    "guarantors and the secretariat (a team with no parent body)",
                    "task teams",
                )?,
            }
            about_exists(records, about.as_ref())?;
            text("task text", t, MAX_TEXT_BYTES)?;
            due_after(ctx, format!("task {id}"), *due)
        }
        Event::RecommendationMade {
            id,
            body,
            to,
            about,
            text: t,
            due,
        } => {
            fresh_id(records, id.as_str())?;
            let body = body_of(ctx, body)?;
            if !body.has_member(ctx.party) {
                return Err(Violation::NotMember {
                    party: ctx.party.clone(),
                    body: body.id.clone(),
                    action: "make its recommendations",
                });
            }
            let party = ctx
                .charter
                .party(to)
                .ok_or_else(|| unknown("party", to.as_str()))?;
            if matches!(party.role, Role::Observer | Role::Secretariat) {
                return Err(Violation::NotRecommendable {
                    recommendation: id.clone(),
                    party: to.clone(),
                    role: party.role,
                });
            }
            about_exists(records, about.as_ref())?;
            text("recommendation text", t, MAX_TEXT_BYTES)?;
            due_after(ctx, format!("recommendation {id}"), *due)
        }
        Event::MeasuresReported {
            recommendation,
            text: t,
            evidence: ev,
        } => {
            let r = records
                .recommendations
                .get(recommendation)
                .ok_or_else(|| unknown("recommendation", recommendation.as_str()))?;
            owner(
                ctx,
                &r.to,
                "report measures on",
                format!("recommendation {recommendation}"),
            )?;
            text("measures text", t, MAX_TEXT_BYTES)?;
            evidence(ev)
        }
        Event::MeetingRecorded {
            id,
            body,
            held,
            place,
            attendees,
            agenda,
            outcome,
        } => {
            require(
                ctx,
                &[Role::Secretariat, Role::Mediator],
                "the secretariat and the mediator",
                "record meetings",
            )?;
            fresh_id(records, id.as_str())?;
            if let Some(b) = body {
                body_of(ctx, b)?;
            }
            if attendees.is_empty() {
                return Err(Violation::NoAttendees {
                    meeting: id.clone(),
                });
            }
            distinct("the meeting's attendees", attendees, MAX_LIST)?;
            for p in attendees {
                if ctx.charter.party(p).is_none() {
                    return Err(unknown("party", p.as_str()));
                }
            }
            check_time("meeting time", *held)?;
            if *held > ctx.time {
                return Err(Violation::AfterEntry {
                    item: format!("meeting {id}"),
                    field: "meeting time",
                });
            }
            line("place", place, MAX_TITLE_BYTES)?;
            if agenda.len() > MAX_LIST {
                return Err(Violation::TooMany {
                    list: "the agenda",
                    max: MAX_LIST,
                });
            }
            for a in agenda {
                line("agenda item", a, MAX_TITLE_BYTES)?;
            }
            text("outcome", outcome, MAX_TEXT_BYTES)
        }
        Event::MeetingCosigned { meeting, record } => {
            let m = records
                .meetings
                .get(meeting)
                .ok_or_else(|| unknown("meeting", meeting.as_str()))?;
            if !m.attendees.contains(ctx.party) {
                return Err(Violation::NotAttendee {
                    meeting: meeting.clone(),
                    party: ctx.party.clone(),
                });
            }
            if m.by == *ctx.party {
                return Err(Violation::RecorderCosigns {
                    meeting: meeting.clone(),
                    party: ctx.party.clone(),
                });
            }
            sign_off(
                ctx,
                format!("meeting {meeting}"),
                record,
                &m.record.hash,
                "cosigned",
                &m.cosigned,
            )
        }
        _ => Err(Violation::NotYet(event.kind())),
    }
}

/// Folds an admitted `entry` (one of this module's kinds) into the records.
pub(crate) fn fold(ctx: &Ctx, records: &mut Records, entry: &Sealed) {
    let seq = entry.seq();
    let by = ctx.party.clone();
    match &entry.entry.body.event {
        Event::ObservationRecorded {
            id,
            body,
            task,
            occurred,
            time_precision,
            location,
            place_precision,
            severity,
            violation,
            summary,
            evidence,
        } => {
            if let Some(t) = task.as_ref().and_then(|t| records.tasks.get_mut(t)) {
                t.reported = Some((id.clone(), seq));
                t.reported_time = Some(ctx.time);
            }
            records.observations.insert(
                id.clone(),
                ObservationState {
                    by,
                    body: body.clone(),
                    task: task.clone(),
                    occurred: *occurred,
                    time_precision: *time_precision,
                    location: location.clone(),
                    place_precision: *place_precision,
                    severity: severity.clone(),
                    violation: violation.clone(),
                    summary: summary.clone(),
                    evidence: evidence.clone(),
                    recorded: entry.head(),
                },
            );
        }
        Event::EvidenceAdded { item, evidence, .. } => {
            let n = u32::try_from(evidence.len()).unwrap_or(u32::MAX);
            notes(records, item).evidence.push((by, seq, n));
        }
        Event::ItemReferred { item, to, .. } => {
            notes(records, item).referrals.push(Referral {
                to: to.clone(),
                by,
                seq,
            });
        }
        Event::TeamTasked {
            id,
            team,
            about,
            due,
            ..
        } => {
            records.tasks.insert(
                id.clone(),
                TaskState {
                    by,
                    team: team.clone(),
                    about: about.clone(),
                    due: *due,
                    tasked: entry.head(),
                    reported: None,
                    reported_time: None,
                },
            );
        }
        Event::RecommendationMade {
            id,
            body,
            to,
            about,
            due,
            ..
        } => {
            records.recommendations.insert(
                id.clone(),
                RecommendationState {
                    by,
                    body: body.clone(),
                    to: to.clone(),
                    about: about.clone(),
                    due: *due,
                    made: entry.head(),
                    measures: Vec::new(),
                    first_measures_time: None,
                },
            );
        }
        Event::MeasuresReported { recommendation, .. } => {
            if let Some(r) = records.recommendations.get_mut(recommendation) {
                r.measures.push(seq);
                r.first_measures_time.get_or_insert(ctx.time);
            }
        }
        Event::MeetingRecorded {
            id,
            body,
            held,
            attendees,
            ..
        } => {
            records.meetings.insert(
                id.clone(),
                MeetingState {
                    by,
                    body: body.clone(),
                    held: *held,
                    attendees: attendees.clone(),
                    record: entry.head(),
                    cosigned: Vec::new(),
                },
            );
        }
        Event::MeetingCosigned { meeting, .. } => {
            if let Some(m) = records.meetings.get_mut(meeting) {
                m.cosigned.push((by, seq));
            }
        }
        _ => {}
    }
}

fn notes<'a>(records: &'a mut Records, item: &ItemId) -> &'a mut ItemNotes {
    records.notes.entry(item.clone()).or_default()
}

/// The body `id` of the mechanism in force.
fn body_of<'a>(ctx: &'a Ctx, id: &BodyId) -> Result<&'a Body, Violation> {
    ctx.amending
        .mechanism
        .body(id)
        .ok_or_else(|| unknown("body", id.as_str()))
}

/// A value of the charter's scale `kind`.
fn on_scale(ctx: &Ctx, kind: ScaleKind, value: &str) -> Result<(), Violation> {
    match ctx.amending.mechanism.scales.get(&kind) {
        None => Err(Violation::NoScale {
            kind: kind.as_str(),
        }),
        Some(values) if !values.iter().any(|v| v == value) => Err(Violation::NotOnScale {
            kind: kind.as_str(),
            value: value.to_owned(),
            values: values.join(", "),
        }),
        Some(_) => Ok(()),
    }
}

/// Exhibits as evidence: distinct digests, at most [`MAX_EVIDENCE`],
/// one-line names and media types.
fn exhibits(list: &[Exhibit]) -> Result<(), Violation> {
    let digests: Vec<_> = list.iter().map(|e| e.sha256).collect();
    distinct("the evidence files' digests", &digests, MAX_EVIDENCE)?;
    for e in list {
        line("evidence file name", &e.name, MAX_TITLE_BYTES)?;
        line("evidence media type", &e.media_type, MAX_TITLE_BYTES)?;
    }
    Ok(())
}

fn due_after(ctx: &Ctx, item: String, due: i64) -> Result<(), Violation> {
    check_time("due time", due)?;
    if due <= ctx.time {
        return Err(Violation::NotAfterEntry {
            item,
            field: "due time",
        });
    }
    Ok(())
}

fn about_exists(records: &Records, about: Option<&ItemId>) -> Result<(), Violation> {
    match about {
        Some(a) if !records.id_taken(a.as_str()) => Err(unknown("item", a.as_str())),
        _ => Ok(()),
    }
}

/// The body an item was last referred to, if any.
pub(crate) fn held_by<'a>(records: &'a Records, item: &ItemId) -> Option<&'a BodyId> {
    records.notes.get(item).and_then(ItemNotes::held_by)
}

/// The item's kind and id in words ("allegation A1"), if it is on record.
fn describe(records: &Records, item: &ItemId) -> Option<String> {
    crate::records::RecordKey::every_kind(item.as_str())
        .into_iter()
        .find(|k| records.contains(k))
        .map(|k| {
            let kind = String::from_utf8_lossy(&k.to_bytes())
                .split('/')
                .next()
                .unwrap_or("item")
                .to_owned();
            format!("{kind} {item}")
        })
}

/// Whether the item is an allegation, an observation or a ruling.
fn referable(records: &Records, item: &ItemId) -> bool {
    let s = item.as_str();
    AllegationId::new(s).is_ok_and(|id| records.allegations.contains_key(&id))
        || ObservationId::new(s).is_ok_and(|id| records.observations.contains_key(&id))
        || RulingId::new(s).is_ok_and(|id| records.rulings.contains_key(&id))
}

/// Who filed the item, for the kinds evidence may be added to.
fn author_of(records: &Records, item: &ItemId) -> Option<PartyId> {
    let s = item.as_str();
    let by = [
        AllegationId::new(s)
            .ok()
            .and_then(|id| records.allegations.get(&id).map(|a| a.by.clone())),
        ObservationId::new(s)
            .ok()
            .and_then(|id| records.observations.get(&id).map(|o| o.by.clone())),
        RulingId::new(s)
            .ok()
            .and_then(|id| records.rulings.get(&id).map(|r| r.proposer.clone())),
        CommitmentId::new(s)
            .ok()
            .and_then(|id| records.commitments.get(&id).map(|c| c.obligor.clone())),
        RecommendationId::new(s)
            .ok()
            .and_then(|id| records.recommendations.get(&id).map(|r| r.by.clone())),
        TaskId::new(s)
            .ok()
            .and_then(|id| records.tasks.get(&id).map(|t| t.by.clone())),
        MeetingId::new(s)
            .ok()
            .and_then(|id| records.meetings.get(&id).map(|m| m.by.clone())),
    ];
    by.into_iter().flatten().next()
}
