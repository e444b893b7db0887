//! Given/when/then tests of a mechanism's working items: observations
//! (and the charter's scales), evidence added later, referrals between
//! bodies, tasks, recommendations and measures, meeting records and their
//! cosignatures; with the duties and phases they give, on the state the
//! gate folds.

mod common;

use accord_core::ids::{
    BodyId, ItemId, MeetingId, ObservationId, RecommendationId, Sha256, TaskId,
};
use accord_core::mechanism::{Body, Decision, ScaleKind};
use accord_core::projection::{self, DutyKind};
use accord_core::reports::{MeetingPhase, RecommendationPhase, TaskPhase};
use accord_core::terms::{Exhibit, PlacePrecision, TimePrecision};
use accord_core::*;

const T0: i64 = 1_485_216_000;
const DAY: i64 = 86_400;
const TR: usize = 0;
const RU: usize = 1;
const IR: usize = 2;
const GOV: usize = 3;
const OPP: usize = 4;
const SEC: usize = 5;
const MED: usize = 6;
const MON: usize = 7;
const PARTIES: [(&str, Role); 9] = [
    ("tr", Role::Guarantor),
    ("ru", Role::Guarantor),
    ("ir", Role::Guarantor),
    ("gov", Role::Party),
    ("opp", Role::Party),
    ("kz", Role::Secretariat),
    ("un", Role::Mediator),
    ("mon", Role::Monitor),
    ("us", Role::Observer),
];

fn pid(s: &str) -> PartyId {
    PartyId::new(s).unwrap()
}
fn bid(s: &str) -> BodyId {
    BodyId::new(s).unwrap()
}
fn item(s: &str) -> ItemId {
    ItemId::new(s).unwrap()
}
fn oid(s: &str) -> ObservationId {
    ObservationId::new(s).unwrap()
}
fn tid(s: &str) -> TaskId {
    TaskId::new(s).unwrap()
}
fn rid(s: &str) -> RecommendationId {
    RecommendationId::new(s).unwrap()
}
fn mtid(s: &str) -> MeetingId {
    MeetingId::new(s).unwrap()
}

fn body(id: &str, members: &[&str], parent: Option<&str>) -> Body {
    Body {
        id: bid(id),
        name: format!("Body {id}"),
        members: members.iter().map(|m| pid(m)).collect(),
        decision: Decision::All,
        recuse_accused: false,
        parent: parent.map(bid),
        parent_adopts: false,
    }
}

struct Given {
    state: State,
    time: i64,
}

impl Given {
    /// A founded ledger: three guarantors, two parties to the conflict, a
    /// secretariat, a mediator, a monitor and an observer; no mechanism.
    fn new() -> Given {
        let rules = Rules {
            clause_adoption: Adoption::AllGuarantors,
            ruling_quorum: 2,
        };
        Given {
            state: common::founded(&PARTIES, rules, T0),
            time: T0,
        }
    }

    /// As [`Given::new`], with the bodies board {tr, ru}, tc {ir, un} and
    /// the team mvt {mon, ir} under board, and a severity scale, adopted
    /// by every guarantor.
    fn with_mechanism() -> Given {
        let mut g = Given::new();
        g.amend(
            "M1",
            vec![
                CharterChange::SetBody(body("board", &["tr", "ru"], None)),
                CharterChange::SetBody(body("tc", &["ir", "un"], None)),
                CharterChange::SetBody(body("mvt", &["mon", "ir"], Some("board"))),
                CharterChange::SetScale {
                    scale: ScaleKind::Severity,
                    values: vec!["minor".into(), "serious".into(), "grave".into()],
                },
            ],
        );
        g
    }

    fn amend(&mut self, id: &str, changes: Vec<CharterChange>) {
        let id = AmendmentId::new(id).unwrap();
        self.ok(
            TR,
            Event::AmendmentProposed {
                id: id.clone(),
                changes,
                reason: "Agreed at Astana.".into(),
            },
        );
        let proposal = self.state.records().amendments()[&id].proposal.hash;
        for g in [TR, RU, IR] {
            self.ok(
                g,
                Event::AmendmentEndorsed {
                    amendment: id.clone(),
                    proposal,
                },
            );
        }
    }

    fn try_(&mut self, signer: usize, event: Event) -> Result<u64, Violation> {
        common::admit(&mut self.state, &mut self.time, signer, event)
    }

    fn ok(&mut self, signer: usize, event: Event) -> u64 {
        self.try_(signer, event).unwrap()
    }

    fn refused(&mut self, signer: usize, event: Event) -> Violation {
        let before = self.state.records().clone();
        let v = self.try_(signer, event).unwrap_err();
        assert_eq!(self.state.records(), &before, "a refusal changes nothing");
        v
    }

    fn duties(&self, party: &str, time: i64) -> Vec<(DutyKind, String)> {
        projection::obligations(&self.state, time)
            .into_iter()
            .find(|v| v.party == pid(party))
            .unwrap()
            .duties
            .into_iter()
            .map(|d| (d.duty, d.item))
            .collect()
    }

    fn has_duty(&self, party: &str, duty: DutyKind, id: &str) -> bool {
        self.duties(party, self.time)
            .contains(&(duty, id.to_owned()))
    }
}

fn observe(id: &str, severity: Option<&str>) -> Event {
    Event::ObservationRecorded {
        id: oid(id),
        body: None,
        task: None,
        occurred: T0,
        time_precision: TimePrecision::Hour,
        location: "Wadi Barada".into(),
        place_precision: PlacePrecision::Settlement,
        severity: severity.map(str::to_owned),
        violation: None,
        summary: "Shelling heard north of the spring.\nThree rounds.".into(),
        evidence: vec![],
    }
}

fn exhibit(n: u8, salted: bool) -> Exhibit {
    Exhibit {
        name: format!("list-{n}.csv"),
        sha256: Sha256([n; 32]),
        size: 100,
        media_type: "text/csv".into(),
        salted,
    }
}

fn add_evidence(on: &str, files: Vec<Exhibit>) -> Event {
    Event::EvidenceAdded {
        item: item(on),
        evidence: files,
        note: "Names of the detained.".into(),
    }
}

fn refer(on: &str, to: &str) -> Event {
    Event::ItemReferred {
        item: item(on),
        to: bid(to),
        note: "For the committee.".into(),
    }
}

#[test]
fn an_observation_with_a_severity_on_the_charters_scale_is_recorded() {
    let mut g = Given::with_mechanism();
    g.ok(MON, observe("O1", Some("serious")));
    let o = &g.state.records().observations()[&oid("O1")];
    assert_eq!(o.severity.as_deref(), Some("serious"));
    assert_eq!(o.by, pid("mon"));
    let view = projection::monitoring(&g.state, g.time);
    assert_eq!(view.observations.len(), 1);
    assert_eq!(
        view.observations[0].summary,
        "Shelling heard north of the spring."
    );
}

#[test]
fn a_severity_off_the_scale_is_refused_naming_the_scale() {
    let mut g = Given::with_mechanism();
    let v = g.refused(MON, observe("O1", Some("catastrophic")));
    assert_eq!(
        v.to_string(),
        "severity \"catastrophic\" is not on the charter's severity scale (minor, serious, grave)"
    );
}

#[test]
fn a_severity_with_no_scale_in_the_charter_is_refused_but_no_severity_needs_none() {
    let mut g = Given::new();
    let v = g.refused(MON, observe("O1", Some("minor")));
    assert_eq!(
        v.to_string(),
        "the charter defines no severity scale: amend it with --set-scale"
    );
    g.ok(MON, observe("O1", None));
}

#[test]
fn only_monitors_and_members_of_the_reporting_body_observe() {
    let mut g = Given::with_mechanism();
    let v = g.refused(GOV, observe("O1", None));
    assert!(matches!(v, Violation::NotObserving { .. }), "{v}");
    // ir is no monitor but sits on tc: it observes for tc.
    let mut e = observe("O1", None);
    if let Event::ObservationRecorded { body, .. } = &mut e {
        *body = Some(bid("tc"));
    }
    g.ok(IR, e);
    assert_eq!(
        g.state.records().observations()[&oid("O1")].body,
        Some(bid("tc"))
    );
}

#[test]
fn an_observation_dated_after_its_entry_is_refused() {
    let mut g = Given::new();
    let mut e = observe("O1", None);
    if let Event::ObservationRecorded { occurred, .. } = &mut e {
        *occurred = T0 + DAY;
    }
    let v = g.refused(MON, e);
    assert!(matches!(v, Violation::AfterEntry { .. }), "{v}");
}

#[test]
fn evidence_is_added_by_the_author_and_refused_for_an_outsider() {
    let mut g = Given::with_mechanism();
    g.ok(MON, observe("O1", None));
    let seq = g.ok(
        MON,
        add_evidence("O1", vec![exhibit(1, true), exhibit(2, false)]),
    );
    assert_eq!(
        g.state.records().notes()[&item("O1")].evidence,
        vec![(pid("mon"), seq, 2)]
    );
    let v = g.refused(GOV, add_evidence("O1", vec![exhibit(3, false)]));
    assert_eq!(
        v.to_string(),
        "gov may not add evidence to observation O1: only its author (mon), monitors, guarantors, the mediator and members of the body holding it may"
    );
    let v = g.refused(MON, add_evidence("O1", vec![]));
    assert!(matches!(v, Violation::NoExhibits { .. }), "{v}");
    let v = g.refused(MON, add_evidence("O9", vec![exhibit(4, false)]));
    assert!(matches!(v, Violation::Unknown { .. }), "{v}");
    assert_eq!(
        projection::monitoring(&g.state, g.time).observations[0].evidence_added,
        2
    );
}

#[test]
fn a_member_of_the_body_holding_an_item_adds_evidence_to_it() {
    let mut g = Given::with_mechanism();
    g.ok(MON, observe("O1", None));
    let v = g.refused(OPP, add_evidence("O1", vec![exhibit(1, false)]));
    assert!(matches!(v, Violation::MayNotAddEvidence { .. }), "{v}");
    g.amend(
        "M2",
        vec![CharterChange::SetBody(body("jc", &["gov", "opp"], None))],
    );
    g.ok(SEC, refer("O1", "jc"));
    g.ok(OPP, add_evidence("O1", vec![exhibit(1, false)]));
}

#[test]
fn a_referral_moves_the_item_and_only_the_holding_bodys_members_refer_it_on() {
    let mut g = Given::with_mechanism();
    g.ok(MON, observe("O1", None));
    let v = g.refused(GOV, refer("O1", "tc"));
    assert!(matches!(v, Violation::MayNotRefer { .. }), "{v}");
    g.ok(SEC, refer("O1", "tc"));
    let held = |g: &Given| g.state.records().notes()[&item("O1")].held_by().cloned();
    assert_eq!(held(&g), Some(bid("tc")));
    // tr is a guarantor but does not sit on tc, which holds it now.
    let v = g.refused(TR, refer("O1", "board"));
    assert_eq!(
        v.to_string(),
        "observation O1 is held by body tc: only its members refer it on, not tr"
    );
    let v = g.refused(IR, refer("O1", "tc"));
    assert!(matches!(v, Violation::AlreadyHeld { .. }), "{v}");
    g.ok(IR, refer("O1", "board"));
    assert_eq!(held(&g), Some(bid("board")));
    g.ok(TR, refer("O1", "tc"));
    assert_eq!(held(&g), Some(bid("tc")));
    assert_eq!(
        projection::monitoring(&g.state, g.time).observations[0].held_by,
        Some(bid("tc"))
    );
}

#[test]
fn only_allegations_observations_and_rulings_are_referred_to_bodies_that_exist() {
    let mut g = Given::with_mechanism();
    g.ok(MON, observe("O1", None));
    let v = g.refused(SEC, refer("O1", "nowhere"));
    assert!(matches!(v, Violation::Unknown { kind: "body", .. }), "{v}");
    g.ok(
        TR,
        Event::TeamTasked {
            id: tid("T1"),
            team: bid("mvt"),
            about: None,
            text: "Visit.".into(),
            due: g.time + DAY,
        },
    );
    let v = g.refused(SEC, refer("T1", "tc"));
    assert!(matches!(v, Violation::NotReferable { .. }), "{v}");
}

fn task(id: &str, due: i64, about: Option<&str>) -> Event {
    Event::TeamTasked {
        id: tid(id),
        team: bid("mvt"),
        about: about.map(item),
        text: "Visit the spring and report.".into(),
        due,
    }
}

#[test]
fn a_task_is_reported_by_an_observation_naming_it_and_overdue_otherwise() {
    let mut g = Given::with_mechanism();
    g.ok(MON, observe("O1", None));
    let due = g.time + DAY;
    // Only members of the team's parent body (board) task it.
    let v = g.refused(IR, task("T1", due, Some("O1")));
    assert!(matches!(v, Violation::NotMember { .. }), "{v}");
    g.ok(TR, task("T1", due, Some("O1")));
    g.ok(RU, task("T2", due, None));
    for p in ["mon", "ir"] {
        assert!(g.has_duty(p, DutyKind::ReportTask, "T1"), "{p}");
    }
    assert!(!g.has_duty("tr", DutyKind::ReportTask, "T1"));
    assert!(projection::is_live(&g.state, &RecordKey::Task(tid("T1"))));

    let mut e = observe("O2", Some("grave"));
    if let Event::ObservationRecorded { task, .. } = &mut e {
        *task = Some(tid("T1"));
    }
    g.ok(MON, e.clone());
    let t = &g.state.records().tasks()[&tid("T1")];
    assert_eq!(t.reported.as_ref().map(|r| &r.0), Some(&oid("O2")));
    assert!(!g.has_duty("mon", DutyKind::ReportTask, "T1"));
    assert!(!g.has_duty("ir", DutyKind::ReportTask, "T1"));
    assert!(!projection::is_live(&g.state, &RecordKey::Task(tid("T1"))));

    // Reported once only.
    if let Event::ObservationRecorded { id, .. } = &mut e {
        *id = oid("O3");
    }
    let v = g.refused(MON, e);
    assert!(matches!(v, Violation::WrongState { .. }), "{v}");

    let view = |t| projection::monitoring(&g.state, t).tasks;
    assert_eq!(view(g.time)[0].state, TaskPhase::Reported);
    assert_eq!(view(g.time)[1].state, TaskPhase::Open);
    assert_eq!(view(due + 1)[1].state, TaskPhase::Overdue);
    assert_eq!(view(due + 1)[0].state, TaskPhase::Reported);
    assert_eq!(
        g.duties("ir", due + 1),
        vec![(DutyKind::ReportTask, "T2".to_owned())]
    );
}

#[test]
fn a_task_answered_by_another_team_or_due_in_the_past_is_refused() {
    let mut g = Given::with_mechanism();
    let v = g.refused(TR, task("T1", g.time, None));
    assert!(matches!(v, Violation::NotAfterEntry { .. }), "{v}");
    g.ok(TR, task("T1", g.time + DAY, None));
    // un sits on tc, not on mvt: its observation for tc cannot answer T1.
    let mut e = observe("O1", None);
    if let Event::ObservationRecorded { body, task, .. } = &mut e {
        *body = Some(bid("tc"));
        *task = Some(tid("T1"));
    }
    let v = g.refused(MED, e);
    assert_eq!(
        v.to_string(),
        "task T1 is team mvt's: un neither reports for that body nor sits on it"
    );
}

fn recommend(id: &str, to: &str, due: i64) -> Event {
    Event::RecommendationMade {
        id: rid(id),
        body: bid("board"),
        to: pid(to),
        about: None,
        text: "Release the detained listed.".into(),
        due,
    }
}

fn measures(id: &str) -> Event {
    Event::MeasuresReported {
        recommendation: rid(id),
        text: "Released 40.".into(),
        evidence: vec![],
    }
}

#[test]
fn a_recommendation_asks_measures_of_its_party_overdue_after_due_closed_by_its_measures_only() {
    let mut g = Given::with_mechanism();
    let due = g.time + DAY;
    let v = g.refused(IR, recommend("RC1", "gov", due));
    assert!(matches!(v, Violation::NotMember { .. }), "{v}");
    let v = g.refused(TR, recommend("RC1", "kz", due));
    assert!(matches!(v, Violation::NotRecommendable { .. }), "{v}");
    g.ok(TR, recommend("RC1", "gov", due));
    assert!(g.has_duty("gov", DutyKind::ReportMeasures, "RC1"));
    assert!(!g.has_duty("opp", DutyKind::ReportMeasures, "RC1"));
    let phase = |g: &Given, t| projection::monitoring(&g.state, t).recommendations[0].state;
    assert_eq!(phase(&g, g.time), RecommendationPhase::Pending);
    assert_eq!(phase(&g, due + 1), RecommendationPhase::Overdue);
    assert_eq!(
        g.duties("gov", due + 1),
        vec![(DutyKind::ReportMeasures, "RC1".to_owned())]
    );

    let v = g.refused(OPP, measures("RC1"));
    assert_eq!(
        v.to_string(),
        "only gov may report measures on recommendation RC1, not opp"
    );
    g.time = due + 60;
    g.ok(GOV, measures("RC1"));
    assert!(!g.has_duty("gov", DutyKind::ReportMeasures, "RC1"));
    assert_eq!(phase(&g, g.time), RecommendationPhase::MeasuresReportedLate);
    assert!(!projection::is_live(
        &g.state,
        &RecordKey::Recommendation(rid("RC1"))
    ));
}

#[test]
fn measures_reported_in_time_are_not_late() {
    let mut g = Given::with_mechanism();
    g.ok(RU, recommend("RC1", "opp", g.time + DAY));
    g.ok(OPP, measures("RC1"));
    assert_eq!(
        projection::monitoring(&g.state, g.time + 2 * DAY).recommendations[0].state,
        RecommendationPhase::MeasuresReported
    );
}

fn meeting(id: &str, attendees: &[&str]) -> Event {
    Event::MeetingRecorded {
        id: mtid(id),
        body: Some(bid("tc")),
        held: T0,
        place: "Astana".into(),
        attendees: attendees.iter().map(|a| pid(a)).collect(),
        agenda: vec!["Detainees".into(), "Wadi Barada".into()],
        outcome: "Lists to be exchanged.".into(),
    }
}

fn cosign(g: &Given, id: &str) -> Event {
    Event::MeetingCosigned {
        meeting: mtid(id),
        record: g.state.records().meetings()[&mtid(id)].record.hash,
    }
}

#[test]
fn a_meeting_record_is_cosigned_by_its_attendees_only_naming_its_hash() {
    let mut g = Given::with_mechanism();
    let v = g.refused(GOV, meeting("MT1", &["gov", "opp"]));
    assert!(matches!(v, Violation::Role { .. }), "{v}");
    let v = g.refused(SEC, meeting("MT1", &[]));
    assert!(matches!(v, Violation::NoAttendees { .. }), "{v}");
    g.ok(SEC, meeting("MT1", &["gov", "opp", "kz", "us"]));
    for p in ["gov", "opp"] {
        assert!(g.has_duty(p, DutyKind::CosignMeeting, "MT1"), "{p}");
    }
    // Neither the recorder nor an observer (who signs nothing) owes it.
    assert!(!g.has_duty("kz", DutyKind::CosignMeeting, "MT1"));
    assert!(!g.has_duty("us", DutyKind::CosignMeeting, "MT1"));

    let right = cosign(&g, "MT1");
    let v = g.refused(TR, right.clone());
    assert_eq!(
        v.to_string(),
        "tr did not attend meeting MT1: only its attendees cosign its record"
    );
    let v = g.refused(SEC, right.clone());
    assert!(matches!(v, Violation::RecorderCosigns { .. }), "{v}");
    let wrong = Event::MeetingCosigned {
        meeting: mtid("MT1"),
        record: EntryHash::ZERO,
    };
    let v = g.refused(GOV, wrong);
    assert!(matches!(v, Violation::ProposalMismatch { .. }), "{v}");

    g.ok(GOV, right.clone());
    let v = g.refused(GOV, right.clone());
    assert!(matches!(v, Violation::Already { .. }), "{v}");
    assert!(!g.has_duty("gov", DutyKind::CosignMeeting, "MT1"));
    let state = |g: &Given| projection::monitoring(&g.state, g.time).meetings[0].state;
    assert_eq!(state(&g), MeetingPhase::Recorded);
    assert!(projection::is_live(
        &g.state,
        &RecordKey::Meeting(mtid("MT1"))
    ));
    g.ok(OPP, right);
    assert_eq!(state(&g), MeetingPhase::Cosigned);
    // Live (in the open view's index) is judged without the charter: the
    // observer us has not cosigned, so the record stays live, asking
    // nothing of anyone.
    assert!(projection::is_live(
        &g.state,
        &RecordKey::Meeting(mtid("MT1"))
    ));
    assert!(g.duties("us", g.time).is_empty());
}

#[test]
fn a_meeting_held_after_its_record_is_refused() {
    let mut g = Given::new();
    let mut e = meeting("MT1", &["gov"]);
    if let Event::MeetingRecorded { body, held, .. } = &mut e {
        *body = None;
        *held = T0 + DAY;
    }
    let v = g.refused(MED, e);
    assert!(matches!(v, Violation::AfterEntry { .. }), "{v}");
}

#[test]
fn the_open_view_of_monitoring_duties_matches_the_full_one() {
    let mut g = Given::with_mechanism();
    g.ok(MON, observe("O1", None));
    g.ok(TR, task("T1", g.time + DAY, Some("O1")));
    g.ok(TR, recommend("RC1", "gov", g.time + DAY));
    g.ok(SEC, meeting("MT1", &["gov", "opp"]));
    g.ok(GOV, cosign(&g, "MT1"));
    g.ok(SEC, meeting("MT2", &["gov"]));
    g.ok(GOV, cosign(&g, "MT2"));
    assert!(!projection::is_live(
        &g.state,
        &RecordKey::Meeting(mtid("MT2"))
    ));
    g.ok(TR, task("T2", g.time + DAY, None));
    let mut e = observe("O2", None);
    if let Event::ObservationRecorded { task, .. } = &mut e {
        *task = Some(tid("T2"));
    }
    g.ok(MON, e);
    let keys = projection::open_keys(&g.state);
    let (chain, records) = g.state.clone().into_parts();
    let open = State::from_parts(chain, records.restrict(&keys));
    for t in [g.time, g.time + 2 * DAY] {
        assert_eq!(
            projection::open_view(projection::obligations(&open, t)),
            projection::open_view(projection::obligations(&g.state, t))
        );
    }
}
