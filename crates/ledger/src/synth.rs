//! Synthetic but valid ledgers, for benchmarks and load tests.
//!
//! The workload imitates a ceasefire monitoring mechanism over time: three
//! guarantors, a mediator, the two parties to the conflict and a monitor.
//! Most entries are incidents (an allegation with evidence digests, the
//! accused's answer, then a ruling proposed and adopted by two guarantors,
//! sometimes after a dissent, or a withdrawal); every 2,000 incidents a new
//! clause is proposed, endorsed by the guarantors, accepted by both parties
//! and followed by a commitment from each.
//!
//! Keys come from fixed seeds, times from a fixed start (one entry every 30
//! seconds: a million entries span about a year) and choices from a hash of
//! the seq, so the same arguments always give the same ledger. Every entry
//! is signed and passes the rules, so `verify` does its full work on it.
//!
//! That script is the `default` [`Workload`]; the others ([`mix`]) stress
//! one dimension each (commitments, open allegations, clauses, parties,
//! long texts, key rotations) or mix them in realistic shares.

use std::collections::BTreeSet;

use accord_core::crypto::public_key;
use accord_core::{
    Adoption, AllegationId, Attribution, Charter, ClauseId, CommitmentId, EntryHash, Event,
    Evidence, Finding, Party, PartyId, Position, RecordKey, Role, Rules, RulingId, Sealed, State,
};
use accord_store::Store;
use ed25519_dalek::SigningKey;

use crate::{Ledger, LedgerError};

mod mix;

/// A kind of synthetic ledger (`accord dev synth --workload NAME`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Workload {
    /// The ceasefire script below: incidents, a clause and two commitments
    /// every 2,000 incidents.
    Default,
    /// A commitment every 10 entries, few ever fulfilled.
    Commitments,
    /// Allegations filed faster than ruled on: many stay open long.
    Allegations,
    /// Clauses proposed faster than endorsed: many half endorsed.
    Clauses,
    /// 256 parties in the charter (251 parties to the conflict).
    Parties,
    /// One entry in 32 with a text near the 64 KiB limit.
    LongTexts,
    /// A key rotation every 3,000 entries.
    Rotations,
    /// About 6,300 commitments per 100,000 entries, with clauses,
    /// allegations, answers and rulings in realistic shares.
    Realistic,
}

impl Workload {
    /// Every workload, in the order benchmarks report them.
    pub const ALL: [Workload; 8] = [
        Workload::Default,
        Workload::Commitments,
        Workload::Allegations,
        Workload::Clauses,
        Workload::Parties,
        Workload::LongTexts,
        Workload::Rotations,
        Workload::Realistic,
    ];

    /// The workload's name on the command line.
    pub fn name(self) -> &'static str {
        match self {
            Workload::Default => "default",
            Workload::Commitments => "commitments",
            Workload::Allegations => "allegations",
            Workload::Clauses => "clauses",
            Workload::Parties => "parties",
            Workload::LongTexts => "long-texts",
            Workload::Rotations => "rotations",
            Workload::Realistic => "realistic",
        }
    }

    /// The workload named `name`, if any.
    pub fn from_name(name: &str) -> Option<Workload> {
        Workload::ALL.into_iter().find(|w| w.name() == name)
    }

    /// The charter a ledger of this workload is founded with (by the
    /// mediator, key 3, at [`START`]).
    pub fn charter(self) -> Charter {
        match self {
            Workload::Default => charter(),
            w => mix::charter(w),
        }
    }
}

/// Appends `count` entries of workload `w` to a ledger just founded with
/// `w.charter()`; returns each party's id and its key at the end (which a
/// key rotation changes).
pub fn extend_workload<S: Store>(
    ledger: &mut Ledger<S>,
    w: Workload,
    count: u64,
) -> Result<Vec<(PartyId, SigningKey)>, LedgerError> {
    match w {
        Workload::Default => {
            extend(ledger, count)?;
            Ok((0..PARTIES.len()).map(|i| (id(i), key(i))).collect())
        }
        w => mix::extend(ledger, w, count),
    }
}

/// 2017-01-23T00:00:00Z, the opening of the Astana talks.
pub const START: i64 = 1_485_129_600;
/// Seconds between synthetic entries.
pub const STEP: i64 = 30;

/// The parties, in key order: `key(i)` is the key of `PARTIES[i]`.
pub const PARTIES: [(&str, &str, Role); 7] = [
    ("tr", "Republic of Turkey", Role::Guarantor),
    ("ru", "Russian Federation", Role::Guarantor),
    ("ir", "Islamic Republic of Iran", Role::Guarantor),
    ("un", "United Nations envoy", Role::Mediator),
    ("gov", "Government of the Syrian Arab Republic", Role::Party),
    ("opp", "Armed opposition delegation", Role::Party),
    ("mon", "Joint monitoring group", Role::Monitor),
];
const MEDIATOR: usize = 3;
const GOV: usize = 4;
const OPP: usize = 5;
const MONITOR: usize = 6;
/// Incidents between two new clauses.
const INCIDENTS_PER_CLAUSE: u64 = 2000;

const PLACES: [&str; 12] = [
    "Wadi Barada",
    "Eastern Ghouta",
    "Idlib countryside",
    "Daraa al-Balad",
    "northern Hama countryside",
    "Jobar",
    "Quneitra",
    "Latakia mountains",
    "southern Aleppo countryside",
    "al-Rastan, Homs",
    "Douma",
    "Khan Shaykhun",
];
const ACTS: [&str; 6] = [
    "artillery shelling of residential areas",
    "an attempted advance on a front line held at the time of the ceasefire",
    "sniper fire on a humanitarian corridor",
    "an air strike near a water pumping station",
    "mortar fire on a market",
    "the detention of a relief convoy at a checkpoint",
];

/// The key of synthetic party `i` (see [`PARTIES`]).
pub fn key(i: usize) -> SigningKey {
    let mut seed = [0x5au8; 32];
    seed[..8].copy_from_slice(&(i as u64).to_le_bytes());
    SigningKey::from_bytes(&seed)
}

fn id(i: usize) -> PartyId {
    PartyId::new(PARTIES[i].0).expect("static id")
}

/// The charter of a synthetic ledger; the mediator (key 3) signs entry 0.
pub fn charter() -> Charter {
    Charter {
        title: "Synthetic ceasefire monitoring mechanism".into(),
        parties: PARTIES
            .iter()
            .enumerate()
            .map(|(i, (pid, name, role))| Party {
                id: PartyId::new(*pid).expect("static id"),
                name: (*name).into(),
                role: *role,
                key: public_key(&key(i)),
            })
            .collect(),
        rules: Rules {
            clause_adoption: Adoption::AllGuarantors,
            ruling_quorum: 2,
        },
    }
}

/// The claimed time of synthetic entry `seq`.
pub fn time_of(seq: u64) -> i64 {
    START + seq as i64 * STEP
}

/// A well-mixed 64-bit hash of `x` (splitmix64's finalizer).
fn mix(mut x: u64) -> u64 {
    x = (x ^ (x >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    x = (x ^ (x >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    x ^ (x >> 31)
}

/// What the generator is in the middle of.
enum Step {
    Clause(u8),
    Incident(u8),
}

/// The generator's memory between entries: which items are open.
struct Script {
    step: Step,
    incidents: u64,
    clauses: u64,
    clause: Option<(ClauseId, EntryHash)>,
    commitment: [Option<CommitmentId>; 2],
    allegation: Option<(AllegationId, usize, usize)>,
    ruling: Option<(RulingId, EntryHash)>,
    dissenter: Option<usize>,
}

impl Script {
    /// The records the next entries may touch; everything else can leave
    /// memory.
    fn live(&self) -> BTreeSet<RecordKey> {
        let mut keys = BTreeSet::new();
        if let Some((c, _)) = &self.clause {
            keys.insert(RecordKey::Clause(c.clone()));
        }
        for k in self.commitment.iter().flatten() {
            keys.insert(RecordKey::Commitment(k.clone()));
        }
        if let Some((a, _, _)) = &self.allegation {
            keys.insert(RecordKey::Allegation(a.clone()));
        }
        if let Some((r, _)) = &self.ruling {
            keys.insert(RecordKey::Ruling(r.clone()));
        }
        keys
    }

    /// The next event and its signer.
    fn next(&mut self, seq: u64, time: i64) -> (usize, Event) {
        let r = mix(seq);
        match self.step {
            Step::Clause(n) => self.clause_step(n, r, time),
            Step::Incident(n) => self.incident_step(n, r, time),
        }
    }

    fn clause_step(&mut self, n: u8, r: u64, time: i64) -> (usize, Event) {
        self.step = Step::Clause(n + 1);
        match n {
            0 => {
                self.clauses += 1;
                let c = ClauseId::new(format!("C{}", self.clauses)).expect("generated id");
                let proposer = [0, 1, 2, MEDIATOR][(r % 4) as usize];
                let place = PLACES[(r >> 8) as usize % PLACES.len()];
                (
                    proposer,
                    Event::ClauseProposed {
                        id: c,
                        title: format!("Cessation of hostilities in {place}"),
                        text: format!(
                            "The parties shall cease all attacks in and around {place}, \
                             withdraw heavy weapons to at least {} km from the line of \
                             contact, allow humanitarian access within 48 hours and report \
                             every alleged violation to the joint monitoring group.",
                            10 + r % 20
                        ),
                    },
                )
            }
            1..=3 => (n as usize - 1, self.on_clause(true)),
            4 | 5 => (GOV + n as usize - 4, self.on_clause(false)),
            _ => {
                let who = n as usize - 6;
                if who == 1 {
                    self.step = Step::Incident(0);
                }
                let (clause, _) = self.clause.clone().expect("a clause is open");
                let k = CommitmentId::new(format!("K{}-{}", self.clauses, PARTIES[GOV + who].0))
                    .expect("generated id");
                self.commitment[who] = Some(k.clone());
                let zone = PLACES[(r >> 16) as usize % PLACES.len()];
                (
                    GOV + who,
                    Event::CommitmentMade {
                        id: k,
                        clause,
                        text: format!(
                            "Withdraw heavy weapons from {zone} and keep them withdrawn; \
                             notify the monitoring group of every movement."
                        ),
                        zone: Some(zone.into()),
                        due: Some(time + 180 * 86_400),
                    },
                )
            }
        }
    }

    fn on_clause(&self, endorse: bool) -> Event {
        let (clause, proposal) = self.clause.clone().expect("a clause is open");
        if endorse {
            Event::ClauseEndorsed { clause, proposal }
        } else {
            Event::ClauseAccepted { clause, proposal }
        }
    }

    fn incident_step(&mut self, n: u8, r: u64, time: i64) -> (usize, Event) {
        self.step = Step::Incident(n + 1);
        match n {
            0 => {
                self.incidents += 1;
                let a = AllegationId::new(format!("A{}", self.incidents)).expect("generated id");
                let accused = if r.is_multiple_of(2) { GOV } else { OPP };
                let by = if r % 5 < 3 {
                    MONITOR
                } else {
                    GOV + OPP - accused
                };
                self.allegation = Some((a.clone(), by, accused));
                let place = PLACES[(r >> 8) as usize % PLACES.len()];
                let act = ACTS[(r >> 16) as usize % ACTS.len()];
                let evidence = (0..1 + (r >> 24) % 3)
                    .map(|i| Evidence {
                        name: format!("report-{}-{i}.pdf", self.incidents),
                        sha256: accord_core::ids::Sha256({
                            let mut h = [0u8; 32];
                            h[..8].copy_from_slice(&mix(r ^ i).to_le_bytes());
                            h[8..16].copy_from_slice(&self.incidents.to_le_bytes());
                            h
                        }),
                        size: 40_000 + mix(r + i) % 4_000_000,
                        media_type: "application/pdf".into(),
                    })
                    .collect();
                (
                    by,
                    Event::AllegationFiled {
                        id: a,
                        against: id(accused),
                        commitments: self.commitment[accused - GOV].iter().cloned().collect(),
                        occurred: time - (r >> 32) as i64 % 86_400,
                        location: place.into(),
                        summary: format!(
                            "Observers report {act} in {place}, with {} casualties reported \
                             by local sources; the monitoring group asks for the positions \
                             involved to be identified.",
                            (r >> 40) % 12
                        ),
                        evidence,
                    },
                )
            }
            1 => {
                let (a, _, accused) = self.allegation.clone().expect("an allegation is open");
                let position = [
                    Position::Deny,
                    Position::Admit,
                    Position::Counterclaim,
                    Position::Justify,
                ][(r % 4) as usize];
                (
                    accused,
                    Event::AllegationAnswered {
                        allegation: a,
                        position,
                        text: "Our forces held their positions; the fire came from positions \
                               outside our control, and we ask for the joint group to visit."
                            .into(),
                        evidence: Vec::new(),
                    },
                )
            }
            2 if r.is_multiple_of(10) => {
                let (a, by, _) = self.allegation.take().expect("an allegation is open");
                self.end_incident();
                (
                    by,
                    Event::AllegationWithdrawn {
                        allegation: a,
                        reason: "Further inquiry attributed the incident to a third party.".into(),
                    },
                )
            }
            2 => {
                let (a, _, accused) = self.allegation.clone().expect("an allegation is open");
                let rid = RulingId::new(format!("R{}", self.incidents)).expect("generated id");
                let finding = [
                    Finding::Confirmed,
                    Finding::NotSubstantiated,
                    Finding::Inconclusive,
                    Finding::IncidentNotViolation,
                ][(r % 4) as usize];
                let attribution = if finding == Finding::Confirmed {
                    Attribution::Party(id(accused))
                } else {
                    Attribution::Unattributable
                };
                self.dissenter = (r % 8 == 1).then_some(((r >> 8) % 3) as usize);
                let proposer = if r.is_multiple_of(3) {
                    MONITOR
                } else {
                    (r % 3) as usize
                };
                (
                    proposer,
                    Event::RulingProposed {
                        id: rid,
                        allegation: a,
                        finding,
                        attribution,
                        breaches: Vec::new(),
                        text: format!(
                            "Having heard both sides, the joint group finds the allegation \
                             {finding} on the evidence filed."
                        ),
                    },
                )
            }
            _ => {
                let (ruling, proposal) = self.ruling.clone().expect("a ruling is open");
                let endorsers: Vec<usize> = (0..3).filter(|g| Some(*g) != self.dissenter).collect();
                let turn = n as usize - 3;
                match self.dissenter {
                    Some(d) if turn == 0 => (
                        d,
                        Event::RulingDissented {
                            ruling,
                            proposal,
                            text: "The evidence filed does not support the finding.".into(),
                        },
                    ),
                    _ => {
                        let k = turn - usize::from(self.dissenter.is_some());
                        if k == 1 {
                            self.end_incident();
                        }
                        (endorsers[k], Event::RulingEndorsed { ruling, proposal })
                    }
                }
            }
        }
    }

    fn end_incident(&mut self) {
        self.allegation = None;
        self.ruling = None;
        self.dissenter = None;
        self.step = if self.incidents.is_multiple_of(INCIDENTS_PER_CLAUSE) {
            Step::Clause(0)
        } else {
            Step::Incident(0)
        };
    }

    /// Notes the hash of an entry the next ones name.
    fn saw(&mut self, entry: &Sealed) {
        match &entry.entry.body.event {
            Event::ClauseProposed { id, .. } => self.clause = Some((id.clone(), entry.hash)),
            Event::RulingProposed { id, .. } => self.ruling = Some((id.clone(), entry.hash)),
            _ => {}
        }
    }
}

/// Appends `count` entries to a ledger founded with [`charter`] and
/// extended only by this function (it starts the script afresh).
pub fn extend<S: Store>(ledger: &mut Ledger<S>, count: u64) -> Result<(), LedgerError> {
    const BATCH: usize = 4096;
    let mut state: State = ledger.replay()?;
    let mut script = Script {
        step: Step::Clause(0),
        incidents: 0,
        clauses: 0,
        clause: None,
        commitment: [None, None],
        allegation: None,
        ruling: None,
        dissenter: None,
    };
    let mut batch: Vec<Sealed> = Vec::with_capacity(BATCH);
    let first = state.head().seq + 1;
    for seq in first..first + count {
        let time = time_of(seq);
        let (signer, event) = script.next(seq, time);
        let entry = state.sign_next(&key(signer), time, event)?;
        // Just signed here; `append_sealed` checks the signature again.
        state
            .admit_checked(&entry, true)
            .map_err(|violation| LedgerError::RejectedEntry {
                seq: entry.seq(),
                violation,
            })?;
        script.saw(&entry);
        batch.push(entry);
        if batch.len() == BATCH {
            ledger.append_sealed(&batch)?;
            batch.clear();
            state = state.restrict(&script.live());
        }
    }
    ledger.append_sealed(&batch)
}
