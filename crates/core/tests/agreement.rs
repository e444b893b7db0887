//! Given/when/then tests of the domain rules that the end-to-end tests do
//! not reach cheaply: competing rulings, late endorsements, withdrawals
//! racing rulings, and what an adoption changes.

mod common;

use accord_core::crypto::public_key;
use accord_core::records::{AllegationStatus, CommitmentStatus};
use accord_core::*;
use common::key;
use ed25519_dalek::SigningKey;

const T0: i64 = 1_485_216_000;
const TR: usize = 0;
const RU: usize = 1;
const IR: usize = 2;
const GOV: usize = 3;
const OPP: usize = 4;
const MON: usize = 5;
const PARTIES: [(&str, Role); 7] = [
    ("tr", Role::Guarantor),
    ("ru", Role::Guarantor),
    ("ir", Role::Guarantor),
    ("gov", Role::Party),
    ("opp", Role::Party),
    ("mon", Role::Monitor),
    ("obs", Role::Observer),
];

struct Given {
    state: State,
    time: i64,
}

impl Given {
    /// A founded ledger with clause C1 adopted (quorum 2), K1 by gov and
    /// K2 by opp under it, and allegation A1 by opp against gov naming K1.
    fn new() -> Given {
        let rules = Rules {
            clause_adoption: Adoption::Quorum(2),
            ruling_quorum: 2,
        };
        let mut g = Given {
            state: common::founded(&PARTIES, rules, T0),
            time: T0,
        };
        g.ok(
            TR,
            Event::ClauseProposed {
                id: cid("C1"),
                title: "t".into(),
                text: "x".into(),
            },
        );
        let p = g.clause_hash("C1");
        g.ok(
            TR,
            Event::ClauseEndorsed {
                clause: cid("C1"),
                proposal: p,
            },
        );
        g.ok(
            RU,
            Event::ClauseEndorsed {
                clause: cid("C1"),
                proposal: p,
            },
        );
        g.ok(GOV, commit("K1"));
        g.ok(OPP, commit("K2"));
        g.ok(
            OPP,
            Event::AllegationFiled {
                id: aid("A1"),
                against: PartyId::new("gov").unwrap(),
                commitments: vec![kid("K1")],
                occurred: T0,
                location: "Valley".into(),
                summary: "Shelling.".into(),
                evidence: vec![],
            },
        );
        g
    }

    fn try_(&mut self, signer: usize, event: Event) -> Result<u64, Violation> {
        common::admit(&mut self.state, &mut self.time, signer, event)
    }

    fn ok(&mut self, signer: usize, event: Event) -> u64 {
        self.try_(signer, event).unwrap()
    }

    fn clause_hash(&self, id: &str) -> EntryHash {
        self.state.records().clauses()[&cid(id)].proposal.hash
    }

    fn ruling_hash(&self, id: &str) -> EntryHash {
        self.state.records().rulings()[&rid(id)].proposal.hash
    }

    fn propose_ruling(&mut self, signer: usize, id: &str, finding: Finding) {
        let breaches = if finding == Finding::Confirmed {
            vec![kid("K1")]
        } else {
            vec![]
        };
        self.ok(
            signer,
            Event::RulingProposed {
                id: rid(id),
                allegation: aid("A1"),
                finding,
                attribution: Attribution::Party(PartyId::new("gov").unwrap()),
                breaches,
                text: "Finding.".into(),
            },
        );
    }

    fn endorse(&mut self, signer: usize, id: &str) -> Result<u64, Violation> {
        let proposal = self.ruling_hash(id);
        self.try_(
            signer,
            Event::RulingEndorsed {
                ruling: rid(id),
                proposal,
            },
        )
    }

    fn k1(&self) -> CommitmentStatus {
        self.state.records().commitments()[&kid("K1")]
            .status
            .clone()
    }

    fn a1(&self) -> AllegationStatus {
        self.state.records().allegations()[&aid("A1")]
            .status
            .clone()
    }
}

fn cid(s: &str) -> ClauseId {
    ClauseId::new(s).unwrap()
}
fn kid(s: &str) -> CommitmentId {
    CommitmentId::new(s).unwrap()
}
fn aid(s: &str) -> AllegationId {
    AllegationId::new(s).unwrap()
}
fn rid(s: &str) -> RulingId {
    RulingId::new(s).unwrap()
}

fn commit(id: &str) -> Event {
    Event::CommitmentMade {
        id: kid(id),
        clause: cid("C1"),
        text: "Hold the line.".into(),
        zone: None,
        due: None,
    }
}

#[test]
fn a_confirmed_ruling_breaches_only_when_adopted_by_quorum() {
    let mut g = Given::new();
    g.propose_ruling(MON, "R1", Finding::Confirmed);
    assert_eq!(g.k1(), CommitmentStatus::Open, "a proposal changes nothing");
    g.endorse(TR, "R1").unwrap();
    assert_eq!(
        g.k1(),
        CommitmentStatus::Open,
        "one guarantor is below quorum"
    );
    assert_eq!(g.a1(), AllegationStatus::Open);
    let seq = g.endorse(IR, "R1").unwrap();
    assert_eq!(
        g.k1(),
        CommitmentStatus::Breached {
            ruling: rid("R1"),
            seq
        }
    );
    assert_eq!(
        g.a1(),
        AllegationStatus::Ruled {
            ruling: rid("R1"),
            finding: Finding::Confirmed,
            seq
        }
    );
    // K2 (opp's) is untouched.
    assert_eq!(
        g.state.records().commitments()[&kid("K2")].status,
        CommitmentStatus::Open
    );
}

#[test]
fn dissent_is_recorded_and_does_not_block() {
    let mut g = Given::new();
    g.propose_ruling(TR, "R1", Finding::Confirmed);
    let p = g.ruling_hash("R1");
    g.ok(
        RU,
        Event::RulingDissented {
            ruling: rid("R1"),
            proposal: p,
            text: "No.".into(),
        },
    );
    assert!(matches!(
        g.endorse(RU, "R1"),
        Err(Violation::Already {
            done: "dissented from",
            ..
        })
    ));
    g.endorse(TR, "R1").unwrap();
    g.endorse(IR, "R1").unwrap();
    let r = &g.state.records().rulings()[&rid("R1")];
    assert!(r.adopted_at.is_some());
    assert_eq!(r.dissents.len(), 1);
}

#[test]
fn once_an_allegation_is_ruled_a_competing_ruling_cannot_be_adopted() {
    let mut g = Given::new();
    g.propose_ruling(TR, "R1", Finding::Confirmed);
    g.propose_ruling(RU, "R2", Finding::NotSubstantiated);
    g.endorse(RU, "R2").unwrap();
    g.endorse(IR, "R2").unwrap();
    assert!(matches!(
        g.a1(),
        AllegationStatus::Ruled {
            finding: Finding::NotSubstantiated,
            ..
        }
    ));
    assert!(matches!(
        g.endorse(TR, "R1"),
        Err(Violation::WrongState { .. })
    ));
    // A late endorsement of the adopted ruling is recorded.
    g.endorse(TR, "R2").unwrap();
    assert_eq!(
        g.state.records().rulings()[&rid("R2")].endorsements.len(),
        3
    );
    assert_eq!(g.k1(), CommitmentStatus::Open);
}

#[test]
fn a_withdrawn_allegation_stops_its_rulings() {
    let mut g = Given::new();
    g.propose_ruling(TR, "R1", Finding::Confirmed);
    g.endorse(TR, "R1").unwrap();
    g.ok(
        OPP,
        Event::AllegationWithdrawn {
            allegation: aid("A1"),
            reason: "Settled.".into(),
        },
    );
    assert!(matches!(
        g.endorse(RU, "R1"),
        Err(Violation::WrongState { .. })
    ));
    assert_eq!(g.k1(), CommitmentStatus::Open);
}

#[test]
fn remedy_only_after_a_breach_and_only_by_the_obligor() {
    let mut g = Given::new();
    g.propose_ruling(TR, "R1", Finding::Confirmed);
    g.endorse(TR, "R1").unwrap();
    g.endorse(RU, "R1").unwrap();
    let note = || Event::CommitmentRemedied {
        commitment: kid("K1"),
        note: "Withdrew.".into(),
    };
    assert!(matches!(
        g.try_(OPP, note()),
        Err(Violation::NotYours { .. })
    ));
    let seq = g.ok(GOV, note());
    assert_eq!(
        g.k1(),
        CommitmentStatus::Remedied {
            ruling: rid("R1"),
            seq
        }
    );
    assert!(matches!(
        g.try_(GOV, note()),
        Err(Violation::WrongState { .. })
    ));
}

#[test]
fn a_party_answers_only_allegations_against_it() {
    let mut g = Given::new();
    let answer = || Event::AllegationAnswered {
        allegation: aid("A1"),
        position: Position::Deny,
        text: "No.".into(),
        evidence: vec![],
    };
    assert!(matches!(
        g.try_(OPP, answer()),
        Err(Violation::NotYours { .. })
    ));
    g.ok(GOV, answer());
    g.ok(GOV, answer());
    assert_eq!(
        g.state.records().allegations()[&aid("A1")].responses.len(),
        2
    );
}

#[test]
fn touched_records_cover_every_read() {
    // Admitting each kind of event on a state restricted to the closure of
    // its touched records gives the same outcome as on the full state.
    let mut g = Given::new();
    g.propose_ruling(TR, "R1", Finding::Confirmed);
    let p = g.ruling_hash("R1");
    let events = vec![
        Event::RulingEndorsed {
            ruling: rid("R1"),
            proposal: p,
        },
        Event::CommitmentFulfilled {
            commitment: kid("K2"),
            note: "Done.".into(),
        },
        Event::AllegationWithdrawn {
            allegation: aid("A1"),
            reason: "x".into(),
        },
    ];
    for (signer, event) in [TR, OPP, OPP].into_iter().zip(events) {
        let entry = g
            .state
            .sign_next(&key(signer), g.time + 60, event.clone())
            .unwrap();
        let mut keys: std::collections::BTreeSet<RecordKey> = event.touches().into_iter().collect();
        loop {
            let more = g.state.clone().restrict(&keys).records().links();
            if more.is_subset(&keys) {
                break;
            }
            keys.extend(more);
        }
        let mut partial = g.state.clone().restrict(&keys);
        let mut full = g.state.clone();
        assert_eq!(partial.admit(&entry), full.admit(&entry), "{event:?}");
    }
}

fn pid(s: &str) -> PartyId {
    PartyId::new(s).unwrap()
}

fn allege(id: &str, commitments: Vec<CommitmentId>) -> Event {
    Event::AllegationFiled {
        id: aid(id),
        against: pid("gov"),
        commitments,
        occurred: T0,
        location: "Valley".into(),
        summary: "Shelling.".into(),
        evidence: vec![],
    }
}

fn ruling(id: &str, attribution: Attribution, breaches: Vec<CommitmentId>) -> Event {
    Event::RulingProposed {
        id: rid(id),
        allegation: aid("A1"),
        finding: Finding::Confirmed,
        attribution,
        breaches,
        text: "Finding.".into(),
    }
}

#[test]
fn lists_refuse_repeats_and_more_than_the_limit() {
    let mut g = Given::new();
    assert_eq!(
        g.try_(OPP, allege("A2", vec![kid("K1"), kid("K1")])),
        Err(Violation::Repeated {
            list: "the allegation's commitments",
            item: "K1".into()
        })
    );
    let many = (0..=limits::MAX_LIST)
        .map(|i| kid(&format!("K{i}")))
        .collect();
    assert!(matches!(
        g.try_(OPP, allege("A2", many)),
        Err(Violation::TooMany {
            max: limits::MAX_LIST,
            ..
        })
    ));
    assert!(matches!(
        g.try_(
            TR,
            ruling(
                "R1",
                Attribution::Party(pid("gov")),
                vec![kid("K1"), kid("K1")]
            )
        ),
        Err(Violation::Repeated { .. })
    ));
    g.ok(
        TR,
        ruling("R1", Attribution::Party(pid("gov")), vec![kid("K1")]),
    );
}

#[test]
fn a_ruling_cannot_attribute_to_an_observer() {
    let mut g = Given::new();
    assert_eq!(
        g.try_(TR, ruling("R1", Attribution::Party(pid("obs")), vec![])),
        Err(Violation::ObserverAttributed {
            ruling: "R1".into(),
            party: pid("obs")
        })
    );
}

#[test]
fn a_shared_ruling_breaches_only_the_accuseds_commitments() {
    let mut g = Given::new();
    assert!(matches!(
        g.try_(TR, ruling("R1", Attribution::Shared, vec![kid("K2")])),
        Err(Violation::SharedBreach { .. })
    ));
    g.ok(TR, ruling("R1", Attribution::Shared, vec![kid("K1")]));
}

#[test]
fn times_outside_years_0000_to_9999_are_refused() {
    let mut g = Given::new();
    let far = limits::MAX_TIME + 1;
    let entry = g.state.sign_next(&key(GOV), far, commit("K9")).unwrap();
    assert_eq!(
        g.state.admit(&entry),
        Err(Violation::TimeRange {
            field: "claimed time",
            time: far
        })
    );
    let due = Event::CommitmentMade {
        id: kid("K9"),
        clause: cid("C1"),
        text: "Hold.".into(),
        zone: None,
        due: Some(far),
    };
    assert!(matches!(
        g.try_(GOV, due),
        Err(Violation::TimeRange {
            field: "due time",
            ..
        })
    ));
}

#[test]
fn one_line_fields_refuse_line_breaks_and_escapes_and_blank_means_invisible() {
    let mut g = Given::new();
    let mut with = |location: &str, summary: &str| {
        g.try_(
            OPP,
            Event::AllegationFiled {
                id: aid("A2"),
                against: pid("gov"),
                commitments: vec![],
                occurred: T0,
                location: location.into(),
                summary: summary.into(),
                evidence: vec![],
            },
        )
    };
    assert_eq!(
        with("Valley\nbreached by ruling R1", "x"),
        Err(Violation::Control { field: "location" })
    );
    assert_eq!(
        with("Valley", "x\u{1b}[2K"),
        Err(Violation::Control { field: "summary" })
    );
    assert!(matches!(
        with("\u{200B}", "x"),
        Err(Violation::Text {
            field: "location",
            ..
        })
    ));
    assert!(matches!(
        with("Valley", "\0"),
        Err(Violation::Text {
            field: "summary",
            ..
        })
    ));
    assert!(with("Valley", "line one\nline two").is_ok());
}

#[test]
fn an_entry_over_the_size_limit_cannot_be_built_or_admitted() {
    let g = Given::new();
    let huge = Event::ClauseProposed {
        id: cid("C9"),
        title: "t".into(),
        text: "x".repeat(limits::MAX_ENTRY_BYTES),
    };
    assert!(matches!(
        g.state.sign_next(&key(TR), g.time + 60, huge),
        Err(SignError::Codec(CodecError::TooLarge(_)))
    ));
    // The gate itself refuses bytes over the limit, whatever produced them.
    let mut state = g.state.clone();
    let entry = state
        .sign_next(&key(GOV), g.time + 60, commit("K9"))
        .unwrap();
    let oversized = Sealed {
        bytes: vec![0; limits::MAX_ENTRY_BYTES + 1],
        ..entry
    };
    assert_eq!(
        state.admit(&oversized),
        Err(Violation::TooLarge {
            size: limits::MAX_ENTRY_BYTES + 1
        })
    );
    assert_eq!(state, g.state);
}

#[test]
fn a_rotation_must_prove_the_new_key_is_held_by_the_rotating_party() {
    let mut g = Given::new();
    let new = SigningKey::from_bytes(&[99; 32]);
    let public = public_key(&new);
    let ledger = g.state.ledger_id();
    let message = |party: &str| crypto::possession_message(&ledger, &pid(party), &public).unwrap();
    // Signed by someone else, or by the new key for another party: refused.
    for (signer, party) in [(&key(RU), "tr"), (&new, "ru")] {
        let forged = Event::KeyRotated {
            new_key: public,
            proof: crypto::sign(signer, &message(party)),
        };
        assert_eq!(g.try_(TR, forged), Err(Violation::NoPossession));
    }
    // The older form without a proof is retired.
    assert_eq!(
        g.try_(TR, Event::KeyRotatedUnproven { new_key: public }),
        Err(Violation::RetiredRotation)
    );
    let proven = Event::KeyRotated {
        new_key: public,
        proof: crypto::sign(&new, &message("tr")),
    };
    g.ok(TR, proven);
    assert_eq!(g.state.keyring().current(&pid("tr")), Some(&public));
}

fn commitment(g: &Given, id: &str) -> records::CommitmentState {
    g.state.records().commitments()[&kid(id)].clone()
}

fn reschedule(due: Option<i64>) -> Event {
    Event::CommitmentRescheduleProposed {
        commitment: kid("K1"),
        due,
        until: None,
        reason: "Re-timed by agreement.".into(),
    }
}

fn agree(g: &mut Given, signer: usize) -> Result<u64, Violation> {
    let proposal = commitment(g, "K1")
        .reschedule
        .map(|r| r.proposal.hash)
        .unwrap_or(EntryHash::ZERO);
    g.try_(
        signer,
        Event::CommitmentRescheduleEndorsed {
            commitment: kid("K1"),
            proposal,
        },
    )
}

#[test]
fn a_reschedule_takes_the_obligor_and_the_clause_rule() {
    let mut g = Given::new();
    let new_due = Some(T0 + 86_400);
    // Neither the obligor, a guarantor nor the mediator: refused.
    assert!(matches!(
        g.try_(OPP, reschedule(new_due)),
        Err(Violation::Role { .. })
    ));
    assert!(matches!(
        g.try_(GOV, reschedule(None)),
        Err(Violation::RescheduleNoChange { .. })
    ));
    assert!(matches!(
        agree(&mut g, TR),
        Err(Violation::NoReschedule { .. })
    ));
    // Proposed by a guarantor: two guarantors are the clause rule, but the
    // obligor has not agreed.
    g.ok(TR, reschedule(new_due));
    agree(&mut g, RU).unwrap();
    assert_eq!(commitment(&g, "K1").due, None);
    assert!(matches!(agree(&mut g, RU), Err(Violation::Already { .. })));
    let seq = agree(&mut g, GOV).unwrap();
    let k1 = commitment(&g, "K1");
    assert_eq!(
        (k1.due, k1.rescheduled, k1.reschedule),
        (new_due, vec![seq], None)
    );
    // Proposed by the obligor: one guarantor is short of the rule; a newer
    // proposal replaces a pending one, and agreeing names the newer one.
    g.ok(GOV, reschedule(Some(T0 + 2 * 86_400)));
    let stale = commitment(&g, "K1").reschedule.unwrap().proposal.hash;
    g.ok(GOV, reschedule(Some(T0 + 3 * 86_400)));
    assert!(matches!(
        g.try_(
            TR,
            Event::CommitmentRescheduleEndorsed {
                commitment: kid("K1"),
                proposal: stale
            }
        ),
        Err(Violation::ProposalMismatch { .. })
    ));
    agree(&mut g, TR).unwrap();
    assert_eq!(commitment(&g, "K1").due, new_due);
    agree(&mut g, IR).unwrap();
    assert_eq!(commitment(&g, "K1").due, Some(T0 + 3 * 86_400));
}

#[test]
fn progress_and_attestation_bind_to_the_latest_report_and_never_to_the_obligor() {
    let mut g = Given::new();
    let attest = |report: EntryHash| Event::CommitmentAttested {
        commitment: kid("K1"),
        report,
        verdict: Verdict::Verified,
        note: "Counted.".into(),
    };
    assert!(matches!(
        g.try_(MON, attest(EntryHash::ZERO)),
        Err(Violation::NoReport { .. })
    ));
    let progress = |done, of| Event::CommitmentProgressed {
        commitment: kid("K1"),
        done,
        of,
        note: "Weapons stored.".into(),
    };
    for (done, of) in [(5, 3), (0, 0)] {
        assert!(matches!(
            g.try_(GOV, progress(done, of)),
            Err(Violation::Progress { .. })
        ));
    }
    assert!(matches!(
        g.try_(OPP, progress(1, 2)),
        Err(Violation::NotYours { .. })
    ));
    let first = g.ok(GOV, progress(2300, 7132));
    let report = |g: &Given| commitment(g, "K1").last_report.unwrap();
    assert_eq!(report(&g).seq, first);
    // A party to the conflict does not attest; a monitor does, once.
    assert!(matches!(
        g.try_(OPP, attest(report(&g).hash)),
        Err(Violation::Role { .. })
    ));
    g.ok(MON, attest(report(&g).hash));
    assert!(matches!(
        g.try_(MON, attest(report(&g).hash)),
        Err(Violation::Already { .. })
    ));
    let old = report(&g).hash;
    g.ok(GOV, progress(7132, 7132));
    assert!(matches!(
        g.try_(TR, attest(old)),
        Err(Violation::StaleReport { .. })
    ));
    g.ok(MON, attest(report(&g).hash));
    let k1 = commitment(&g, "K1");
    assert_eq!(k1.progress.map(|p| (p.done, p.of)), Some((7132, 7132)));
    assert_eq!(k1.attestations.len(), 2);
    // A monitor's own commitment is attested by someone else.
    g.ok(MON, commit("K3"));
    g.ok(
        MON,
        Event::CommitmentFulfilled {
            commitment: kid("K3"),
            note: "Done.".into(),
        },
    );
    let hash = commitment(&g, "K3").last_report.unwrap().hash;
    assert!(matches!(
        g.try_(
            MON,
            Event::CommitmentAttested {
                commitment: kid("K3"),
                report: hash,
                verdict: Verdict::Disputed,
                note: "Mine.".into(),
            }
        ),
        Err(Violation::SelfAttestation { .. })
    ));
}

#[test]
fn a_deliverable_is_fulfilled_late_after_its_due_time_and_an_undertaking_lapses() {
    let mut g = Given::new();
    let undertake = |id: &str, due: Option<i64>, until: Option<i64>| Event::CommitmentUndertaken {
        id: kid(id),
        clause: cid("C1"),
        text: "Hand over the weapons count.".into(),
        zone: None,
        due,
        until,
    };
    let now = g.time;
    assert!(matches!(
        g.try_(GOV, undertake("K5", Some(now), None)),
        Err(Violation::TimeBeforeEntry { .. })
    ));
    assert!(matches!(
        g.try_(GOV, undertake("K5", Some(now + 500), Some(now + 400))),
        Err(Violation::DueAfterUntil { .. })
    ));
    g.ok(GOV, undertake("K5", Some(now + 300), None));
    g.ok(GOV, undertake("K6", None, Some(now + 400)));
    let phase = |g: &Given, id: &str, t: i64| {
        let c = commitment(g, id);
        c.phase(records::ClausePhase::Adopted, t)
    };
    assert_eq!(phase(&g, "K5", now + 300), records::CommitmentPhase::Active);
    assert_eq!(
        phase(&g, "K5", now + 301),
        records::CommitmentPhase::Overdue
    );
    assert_eq!(phase(&g, "K6", now + 401), records::CommitmentPhase::Lapsed);
    g.time = now + 1_000;
    let fulfil = |id: &str| Event::CommitmentFulfilled {
        commitment: kid(id),
        note: "Delivered.".into(),
    };
    let seq = g.ok(GOV, fulfil("K5"));
    assert_eq!(
        commitment(&g, "K5").status,
        CommitmentStatus::Fulfilled { seq, late: true }
    );
    assert_eq!(
        phase(&g, "K5", g.time),
        records::CommitmentPhase::FulfilledLate
    );
    assert!(matches!(
        g.try_(GOV, fulfil("K6")),
        Err(Violation::WrongState { .. })
    ));
}

#[test]
fn every_breaching_ruling_is_kept_and_the_latest_decides_the_state() {
    let mut g = Given::new();
    g.propose_ruling(TR, "R1", Finding::Confirmed);
    g.endorse(TR, "R1").unwrap();
    let first = g.endorse(RU, "R1").unwrap();
    g.ok(
        GOV,
        Event::CommitmentRemedied {
            commitment: kid("K1"),
            note: "Withdrew.".into(),
        },
    );
    g.ok(OPP, allege("A2", vec![kid("K1")]));
    g.ok(
        TR,
        Event::RulingProposed {
            id: rid("R2"),
            allegation: aid("A2"),
            finding: Finding::Confirmed,
            attribution: Attribution::Party(pid("gov")),
            breaches: vec![kid("K1")],
            text: "Again.".into(),
        },
    );
    g.endorse(TR, "R2").unwrap();
    let second = g.endorse(IR, "R2").unwrap();
    let k1 = commitment(&g, "K1");
    assert_eq!(k1.breaches, vec![(rid("R1"), first), (rid("R2"), second)]);
    assert_eq!(
        k1.status,
        CommitmentStatus::Breached {
            ruling: rid("R2"),
            seq: second
        }
    );
}

fn correct(summary: Option<&str>) -> Event {
    Event::AllegationCorrected {
        allegation: aid("A1"),
        commitments: None,
        occurred: None,
        location: Some("Upper valley".into()),
        summary: summary.map(Into::into),
        evidence: vec![],
        reason: "The place was misreported.".into(),
    }
}

#[test]
fn only_the_accuser_corrects_an_open_allegation_and_the_filing_stays() {
    let mut g = Given::new();
    assert!(matches!(
        g.try_(GOV, correct(None)),
        Err(Violation::NotYours { .. })
    ));
    assert!(matches!(
        g.try_(
            OPP,
            Event::AllegationCorrected {
                allegation: aid("A1"),
                commitments: None,
                occurred: None,
                location: None,
                summary: None,
                evidence: vec![],
                reason: "Nothing.".into(),
            }
        ),
        Err(Violation::EmptyCorrection { .. })
    ));
    // The corrected list of commitments must still be the accused's.
    assert!(matches!(
        g.try_(
            OPP,
            Event::AllegationCorrected {
                allegation: aid("A1"),
                commitments: Some(vec![kid("K2")]),
                occurred: None,
                location: None,
                summary: None,
                evidence: vec![],
                reason: "Wrong list.".into(),
            }
        ),
        Err(Violation::AllegedNotTheirs { .. })
    ));
    let seq = g.ok(OPP, correct(Some("Shelling at dawn.")));
    let a = g.state.records().allegations()[&aid("A1")].clone();
    assert_eq!(
        (a.location.as_str(), a.summary.as_str(), a.corrections),
        ("Upper valley", "Shelling at dawn.", vec![seq])
    );
    assert!(a.filed.seq < seq);
    g.ok(
        OPP,
        Event::AllegationWithdrawn {
            allegation: aid("A1"),
            reason: "Settled.".into(),
        },
    );
    assert!(matches!(
        g.try_(OPP, correct(None)),
        Err(Violation::WrongState { .. })
    ));
}

fn revise(id: &str, revises: &str, finding: Finding) -> Event {
    Event::RulingRevisionProposed {
        id: rid(id),
        revises: rid(revises),
        finding,
        attribution: Attribution::Party(pid("gov")),
        breaches: vec![],
        text: "New evidence.".into(),
    }
}

#[test]
fn a_revision_supersedes_the_deciding_ruling_and_the_commitment_follows_it() {
    let mut g = Given::new();
    g.propose_ruling(TR, "R1", Finding::Confirmed);
    g.endorse(TR, "R1").unwrap();
    // Only an adopted ruling that decides its allegation is reconsidered.
    assert!(matches!(
        g.try_(TR, revise("R2", "R1", Finding::NotSubstantiated)),
        Err(Violation::WrongState { .. })
    ));
    let first = g.endorse(RU, "R1").unwrap();
    assert!(matches!(
        g.try_(OPP, revise("R2", "R1", Finding::NotSubstantiated)),
        Err(Violation::Role { .. })
    ));
    g.ok(TR, revise("R2", "R1", Finding::NotSubstantiated));
    g.ok(MON, revise("R3", "R1", Finding::Inconclusive));
    g.endorse(TR, "R2").unwrap();
    assert_eq!(
        g.k1(),
        CommitmentStatus::Breached {
            ruling: rid("R1"),
            seq: first
        }
    );
    let adopted = g.endorse(IR, "R2").unwrap();
    let rulings = g.state.records().rulings();
    assert_eq!(
        rulings[&rid("R1")].superseded_by,
        Some((rid("R2"), adopted))
    );
    assert_eq!(
        rulings[&rid("R1")].phase(),
        records::RulingPhase::Superseded
    );
    assert_eq!(g.k1(), CommitmentStatus::Open);
    assert!(commitment(&g, "K1").breaches.is_empty());
    assert_eq!(
        g.a1(),
        AllegationStatus::Ruled {
            ruling: rid("R2"),
            finding: Finding::NotSubstantiated,
            seq: adopted
        }
    );
    // R3 revised R1, which no longer decides: it cannot be endorsed, and a
    // superseded ruling cannot be revised again.
    assert!(matches!(
        g.endorse(RU, "R3"),
        Err(Violation::WrongState { .. })
    ));
    assert!(matches!(
        g.try_(TR, revise("R4", "R1", Finding::Confirmed)),
        Err(Violation::WrongState { .. })
    ));
    // The latest adopted ruling can be reconsidered in turn, back to a breach.
    g.ok(
        TR,
        Event::RulingRevisionProposed {
            id: rid("R4"),
            revises: rid("R2"),
            finding: Finding::Confirmed,
            attribution: Attribution::Party(pid("gov")),
            breaches: vec![kid("K1")],
            text: "On appeal.".into(),
        },
    );
    g.endorse(TR, "R4").unwrap();
    let again = g.endorse(RU, "R4").unwrap();
    assert_eq!(
        g.k1(),
        CommitmentStatus::Breached {
            ruling: rid("R4"),
            seq: again
        }
    );
}

/// Clause `clause` is given a term ending at `until`, proposed by tr and
/// adopted by tr and ru (the quorum of two).
fn adopt_term(g: &mut Given, clause: &str, until: i64) {
    g.ok(
        TR,
        Event::ClauseTermProposed {
            clause: cid(clause),
            until: Some(until),
            reason: "Six months.".into(),
        },
    );
    for signer in [TR, RU] {
        let proposal = g.state.records().clauses()[&cid(clause)]
            .term
            .as_ref()
            .map(|t| t.proposal.hash)
            .unwrap();
        g.ok(
            signer,
            Event::ClauseTermEndorsed {
                clause: cid(clause),
                proposal,
            },
        );
    }
}

#[test]
fn open_commitments_lapse_with_their_clause() {
    let mut g = Given::new();
    let until = g.time + 1_000;
    adopt_term(&mut g, "C1", until);
    let k1 = commitment(&g, "K1");
    let at = |t: i64| projection::commitment_state(g.state.records(), &k1, t);
    assert_eq!(at(until), records::CommitmentPhase::Active);
    assert_eq!(at(until + 1), records::CommitmentPhase::Lapsed);
    g.time = until + 10;
    assert!(matches!(
        g.try_(
            GOV,
            Event::CommitmentFulfilled {
                commitment: kid("K1"),
                note: "Late.".into(),
            }
        ),
        Err(Violation::WrongState { .. })
    ));
}

#[test]
fn a_joint_obligor_is_bound_by_the_exact_commitment_and_its_reschedules() {
    let mut g = Given::new();
    let made = commitment(&g, "K1").made.hash;
    let join = |made| Event::CommitmentJoined {
        commitment: kid("K1"),
        made,
    };
    assert!(matches!(
        g.try_(OPP, join(EntryHash::ZERO)),
        Err(Violation::ProposalMismatch { .. })
    ));
    assert!(matches!(
        g.try_(GOV, join(made)),
        Err(Violation::Already { .. })
    ));
    g.ok(OPP, join(made));
    assert!(commitment(&g, "K1").binds(&pid("opp")));
    // The maker reports, not a joint obligor (who could otherwise close
    // the maker's commitment); a joint obligor is no verifier.
    let progress = Event::CommitmentProgressed {
        commitment: kid("K1"),
        done: 1,
        of: 2,
        note: "Half.".into(),
    };
    assert!(matches!(
        g.try_(OPP, progress.clone()),
        Err(Violation::NotYours { .. })
    ));
    g.ok(GOV, progress);
    // A reschedule needs the maker and the clause rule; a joint obligor
    // may agree but has no veto.
    g.ok(GOV, reschedule(Some(T0 + 86_400)));
    agree(&mut g, TR).unwrap();
    agree(&mut g, RU).unwrap();
    assert_eq!(commitment(&g, "K1").due, Some(T0 + 86_400));
    // It shows among both obligors' commitments.
    let views = projection::obligations(&g.state, g.time);
    for p in ["gov", "opp"] {
        let v = views.iter().find(|v| v.party.as_str() == p).unwrap();
        assert!(v.commitments.iter().any(|c| c.id == kid("K1")), "{p}");
    }
}

#[test]
fn a_superseded_breach_gives_way_to_the_breach_still_standing_or_the_state_before() {
    let mut g = Given::new();
    // K1 fulfilled, then found breached by R1 (on an earlier incident).
    let fulfilled = g.ok(
        GOV,
        Event::CommitmentFulfilled {
            commitment: kid("K1"),
            note: "Done.".into(),
        },
    );
    g.propose_ruling(TR, "R1", Finding::Confirmed);
    g.endorse(TR, "R1").unwrap();
    let first = g.endorse(RU, "R1").unwrap();
    // A second breach, on A2, by R2.
    g.ok(OPP, allege("A2", vec![kid("K1")]));
    g.ok(
        TR,
        Event::RulingProposed {
            id: rid("R2"),
            allegation: aid("A2"),
            finding: Finding::Confirmed,
            attribution: Attribution::Party(pid("gov")),
            breaches: vec![kid("K1")],
            text: "Again.".into(),
        },
    );
    g.endorse(TR, "R2").unwrap();
    g.endorse(RU, "R2").unwrap();
    // R2 is reconsidered: R1's breach still stands.
    g.ok(TR, revise("R3", "R2", Finding::NotSubstantiated));
    g.endorse(TR, "R3").unwrap();
    g.endorse(RU, "R3").unwrap();
    assert_eq!(
        g.k1(),
        CommitmentStatus::Breached {
            ruling: rid("R1"),
            seq: first
        }
    );
    // R1 is reconsidered too: K1 is fulfilled again, as before any breach.
    g.ok(TR, revise("R4", "R1", Finding::NotSubstantiated));
    g.endorse(TR, "R4").unwrap();
    g.endorse(RU, "R4").unwrap();
    assert_eq!(
        g.k1(),
        CommitmentStatus::Fulfilled {
            seq: fulfilled,
            late: false
        }
    );
}

#[test]
fn a_reschedule_or_term_is_not_adopted_once_its_time_has_passed() {
    let mut g = Given::new();
    let due = g.time + 500;
    g.ok(GOV, reschedule(Some(due)));
    agree(&mut g, TR).unwrap();
    g.time = due + 100;
    assert!(matches!(
        agree(&mut g, RU),
        Err(Violation::PassedAtAdoption { .. })
    ));
    // A correction cannot move the incident after the filing.
    let filed = g.state.records().allegations()[&aid("A1")].filed_time;
    assert!(matches!(
        g.try_(
            OPP,
            Event::AllegationCorrected {
                allegation: aid("A1"),
                commitments: None,
                occurred: Some(filed + 1),
                location: None,
                summary: None,
                evidence: vec![],
                reason: "Later.".into(),
            }
        ),
        Err(Violation::IncidentAfterEntry { .. })
    ));
}

#[test]
fn commitments_under_a_superseded_clause_follow_its_successors_term() {
    let mut g = Given::new();
    g.ok(
        TR,
        Event::ClauseRevisionProposed {
            id: cid("C1b"),
            revises: cid("C1"),
            title: "t".into(),
            text: "y".into(),
        },
    );
    let p = g.clause_hash("C1b");
    for s in [TR, RU] {
        g.ok(
            s,
            Event::ClauseEndorsed {
                clause: cid("C1b"),
                proposal: p,
            },
        );
    }
    let until = g.time + 1_000;
    adopt_term(&mut g, "C1b", until);
    let k1 = commitment(&g, "K1");
    let at = |t: i64| projection::commitment_state(g.state.records(), &k1, t);
    assert_eq!(at(until), records::CommitmentPhase::Active);
    assert_eq!(at(until + 1), records::CommitmentPhase::Lapsed);
}
