//! The mechanism's working items on the command line: `observe`, `refer`,
//! `task`, `recommend`, `measures`, `meeting record|cosign` (each builds
//! one event for `append`; every rule is the ledger's) and the
//! `observations` view (never writes to the ledger).

use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

use accord_core::ids::{BodyId, ItemId, MeetingId, ObservationId, RecommendationId, TaskId};
use accord_core::projection::{self, MonitoringView};
use accord_core::terms::{PlacePrecision, TimePrecision};
use accord_core::{Event, PartyId, RecordKey, State};
use accord_ledger::Ledger;
use anyhow::{anyhow, Context, Result};
use serde_json::json;

use super::obligations::before_ledger;
use super::Globals;
use crate::cli::{
    JsonFlag, MeasuresArgs, MeetingCommand, ObserveArgs, PointArgs, RecommendArgs, ReferArgs,
    TaskArgs,
};
use crate::record::Lookup;
use crate::{clock, evidence, render};

/// A writing command of this family.
pub enum Writing {
    Observe(Box<ObserveArgs>),
    Refer(ReferArgs),
    Task(TaskArgs),
    Recommend(RecommendArgs),
    Measures(MeasuresArgs),
    Meeting(MeetingCommand),
    /// An event built beforehand (`evidence add`, whose salts stay here).
    Built(Box<Event>, PathBuf),
}

/// The event a command of this family records and the key that signs it.
pub fn event_for(cmd: Writing, ledger: &mut impl Lookup) -> Result<(Event, PathBuf)> {
    Ok(match cmd {
        Writing::Observe(a) => {
            let a = *a;
            (
                Event::ObservationRecorded {
                    id: ObservationId::new(a.id)?,
                    body: a.body.map(BodyId::new).transpose()?,
                    task: a.task.map(TaskId::new).transpose()?,
                    occurred: clock::parse(&a.occurred)?,
                    time_precision: a
                        .time_precision
                        .parse::<TimePrecision>()
                        .map_err(|e| anyhow!("--time-precision: {e}"))?,
                    location: a.location,
                    place_precision: a
                        .place_precision
                        .parse::<PlacePrecision>()
                        .map_err(|e| anyhow!("--place-precision: {e}"))?,
                    severity: a.severity,
                    violation: a.violation,
                    summary: a.summary,
                    evidence: evidence::digest_all(&a.evidence)?,
                },
                a.key.key,
            )
        }
        Writing::Refer(a) => (
            Event::ItemReferred {
                item: ItemId::new(a.item)?,
                to: BodyId::new(a.to)?,
                note: a.note,
            },
            a.key.key,
        ),
        Writing::Task(a) => (
            Event::TeamTasked {
                id: TaskId::new(a.id)?,
                team: BodyId::new(a.team)?,
                about: a.about.map(ItemId::new).transpose()?,
                text: a.text,
                due: clock::parse(&a.due)?,
            },
            a.key.key,
        ),
        Writing::Recommend(a) => (
            Event::RecommendationMade {
                id: RecommendationId::new(a.id)?,
                body: BodyId::new(a.body)?,
                to: PartyId::new(a.to)?,
                about: a.about.map(ItemId::new).transpose()?,
                text: a.text,
                due: clock::parse(&a.due)?,
            },
            a.key.key,
        ),
        Writing::Measures(a) => (
            Event::MeasuresReported {
                recommendation: RecommendationId::new(a.recommendation)?,
                text: a.text,
                evidence: evidence::digest_all(&a.evidence)?,
            },
            a.key.key,
        ),
        Writing::Meeting(MeetingCommand::Record {
            id,
            body,
            held,
            place,
            attendees,
            agenda,
            outcome,
            key,
        }) => (
            Event::MeetingRecorded {
                id: MeetingId::new(id)?,
                body: body.map(BodyId::new).transpose()?,
                held: clock::parse(&held)?,
                place,
                attendees: attendees
                    .into_iter()
                    .map(PartyId::new)
                    .collect::<Result<_, _>>()?,
                agenda,
                outcome,
            },
            key.key,
        ),
        Writing::Meeting(MeetingCommand::Cosign { id, key }) => {
            let meeting = MeetingId::new(id)?;
            let record = ledger
                .proposal(&RecordKey::Meeting(meeting.clone()))?
                .with_context(|| format!("no meeting {meeting} is on record"))?
                .proposal
                .hash;
            (Event::MeetingCosigned { meeting, record }, key.key)
        }
        Writing::Built(event, key) => (*event, key),
    })
}

/// `accord observations`: the working items as of a point.
pub fn observations(
    point: PointArgs,
    json: JsonFlag,
    g: &Globals,
    out: &mut impl Write,
) -> Result<ExitCode> {
    let ledger = Ledger::open_read(g.ledger)?;
    let (state, time) = match (point.at, point.as_of) {
        (Some(seq), _) => {
            let state = ledger.state_at(seq)?;
            let time = state.head_time();
            (state, time)
        }
        (None, Some(t)) => {
            let t = clock::parse(&t)?;
            let seq = before_ledger(t, ledger.seq_as_of(t))?;
            (ledger.state_at(seq)?, t)
        }
        (None, None) => (ledger.replay()?, clock::now()),
    };
    let view = projection::monitoring(&state, time);
    if json.json {
        writeln!(out, "{}", view_json(&state, time, &view))?;
    } else {
        write!(out, "{}", view_text(&state, time, &view))?;
    }
    Ok(ExitCode::SUCCESS)
}

fn view_json(state: &State, time: i64, v: &MonitoringView) -> serde_json::Value {
    let t = |s: i64| clock::format(s);
    json!({
        "as_of": {
            "seq": state.head().seq,
            "hash": state.head().hash.to_hex(),
            "time": t(time),
        },
        "observations": v.observations.iter().map(|o| json!({
            "id": o.id,
            "by": o.by,
            "body": o.body,
            "task": o.task,
            "occurred": t(o.occurred),
            "time_precision": o.time_precision,
            "location": o.location,
            "place_precision": o.place_precision,
            "severity": o.severity,
            "violation": o.violation,
            "summary": o.summary,
            "evidence": o.evidence,
            "evidence_added": o.evidence_added,
            "held_by": o.held_by,
            "rulings": o.rulings,
        })).collect::<Vec<_>>(),
        "tasks": v.tasks.iter().map(|x| json!({
            "id": x.id,
            "by": x.by,
            "team": x.team,
            "about": x.about,
            "due": t(x.due),
            "state": x.state,
            "reported_by": x.reported_by,
        })).collect::<Vec<_>>(),
        "recommendations": v.recommendations.iter().map(|x| json!({
            "id": x.id,
            "by": x.by,
            "body": x.body,
            "to": x.to,
            "about": x.about,
            "due": t(x.due),
            "state": x.state,
            "measures": x.measures,
        })).collect::<Vec<_>>(),
        "meetings": v.meetings.iter().map(|x| json!({
            "id": x.id,
            "by": x.by,
            "body": x.body,
            "held": t(x.held),
            "attendees": x.attendees,
            "cosigned": x.cosigned,
            "awaiting": x.awaiting,
            "state": x.state,
            "record": x.record,
        })).collect::<Vec<_>>(),
    })
}

fn view_text(state: &State, time: i64, v: &MonitoringView) -> String {
    use std::fmt::Write as _;
    let e = render::escape;
    let t = |s: i64| clock::format(s);
    let mut s = String::new();
    let _ = writeln!(
        s,
        "as of entry {} ({})",
        state.head().seq,
        clock::format(time)
    );
    let or = |x: Option<String>| x.unwrap_or_else(|| "-".into());
    let _ = writeln!(s, "observations: {}", v.observations.len());
    for o in &v.observations {
        let _ = writeln!(
            s,
            "  {}  by {}  body {}  {} (to the {})  {} (to the {})  severity {}  violation {}  evidence {}+{}  held by {}",
            o.id,
            o.by,
            or(o.body.as_ref().map(|b| b.to_string())),
            t(o.occurred),
            o.time_precision,
            e(&o.location),
            o.place_precision,
            e(&or(o.severity.clone())),
            e(&or(o.violation.clone())),
            o.evidence,
            o.evidence_added,
            or(o.held_by.as_ref().map(|b| b.to_string())),
        );
        let _ = writeln!(s, "    {}", e(&o.summary));
        for r in &o.rulings {
            let body = r
                .body
                .as_ref()
                .map_or("guarantors".to_owned(), |b| format!("body {b}"));
            let _ = writeln!(s, "    ruling {} ({body}): {}", r.id, r.state);
        }
    }
    let _ = writeln!(s, "tasks: {}", v.tasks.len());
    for x in &v.tasks {
        let _ = writeln!(
            s,
            "  {}  {}  team {}  due {}  by {}{}",
            x.id,
            x.state,
            x.team,
            t(x.due),
            x.by,
            x.reported_by
                .as_ref()
                .map(|o| format!("  reported by {o}"))
                .unwrap_or_default()
        );
    }
    let _ = writeln!(s, "recommendations: {}", v.recommendations.len());
    for x in &v.recommendations {
        let _ = writeln!(
            s,
            "  {}  {}  {} to {}  due {}  measures {}",
            x.id,
            x.state,
            x.body,
            x.to,
            t(x.due),
            x.measures.len()
        );
    }
    let _ = writeln!(s, "meetings: {}", v.meetings.len());
    for x in &v.meetings {
        let list = |l: &[PartyId]| {
            if l.is_empty() {
                "-".to_owned()
            } else {
                l.iter().map(|p| p.as_str()).collect::<Vec<_>>().join(",")
            }
        };
        let _ = writeln!(
            s,
            "  {}  {}  held {}  recorded by {} (entry {})  cosigned {}  awaiting {}",
            x.id,
            x.state,
            t(x.held),
            x.by,
            x.record,
            list(&x.cosigned),
            list(&x.awaiting)
        );
    }
    s
}
