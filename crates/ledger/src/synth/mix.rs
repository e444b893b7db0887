//! Workloads other than the default script: a generator that picks each
//! entry's event by weight from the items it keeps open, so that one
//! dimension (commitments, open allegations, clauses half endorsed,
//! parties, long texts, key rotations) can be stressed on its own, or all
//! mixed in realistic shares. It must never produce an entry the rules
//! refuse: every choice is made from what the generator knows is open.

use std::collections::BTreeSet;

use accord_core::crypto::{possession_message, public_key, sign};
use accord_core::mechanism::{Actor, Body, Decision, ScaleKind, Standing};
use accord_core::terms::{Accused, PlacePrecision, TimePrecision};
use accord_core::{
    ActorId, Adoption, AllegationId, AmendmentId, Attribution, BodyId, Charter, CharterChange,
    ClauseId, CommitmentId, EntryHash, Event, Evidence, Finding, ItemId, ObservationId, Party,
    PartyId, Position, RecommendationId, RecordKey, Role, Rules, RulingId, Sealed, State,
};
use accord_store::Store;
use ed25519_dalek::SigningKey;

use super::{mix as hash, time_of, Workload, PARTIES};
use crate::{Ledger, LedgerError};

/// The kinds of event the generator can choose, in weight-table order.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Act {
    Propose,
    EndorseClause,
    Accept,
    Commit,
    Fulfil,
    File,
    Answer,
    Withdraw,
    Rule,
    EndorseRuling,
    Progress,
    Attest,
    Reschedule,
    AgreeReschedule,
    // issue 14: mechanisms (realistic workload only)
    Observe,
    Lodge,
    Draft,
    EndorseBody,
    Refer,
    Recommend,
    Measures,
}
const ACTS: [Act; 21] = [
    Act::Propose,
    Act::EndorseClause,
    Act::Accept,
    Act::Commit,
    Act::Fulfil,
    Act::File,
    Act::Answer,
    Act::Withdraw,
    Act::Rule,
    Act::EndorseRuling,
    Act::Progress,
    Act::Attest,
    Act::Reschedule,
    Act::AgreeReschedule,
    Act::Observe,
    Act::Lodge,
    Act::Draft,
    Act::EndorseBody,
    Act::Refer,
    Act::Recommend,
    Act::Measures,
];

/// What a workload stresses: how many parties to the conflict, the weight
/// of each act (per mille, in [`ACTS`] order), how often a text is long and
/// how often a key is rotated.
struct Profile {
    parties: usize,
    weights: [u32; 21],
    /// One entry in `long_every` carries a text near the 64 KiB limit (0: never).
    long_every: u64,
    /// One key rotation every `rotate_every` entries (0: never).
    rotate_every: u64,
    /// One charter amendment (a party renamed, adopted by the three
    /// guarantors in the entries after it) every `amend_every` entries.
    amend_every: u64,
    /// Rulings pick the oldest open allegation (true) or a random one.
    rule_oldest: bool,
    /// The seq at which a guarantor proposes the mechanism (a body, a
    /// severity scale and a listed actor), adopted by the three guarantors
    /// in the entries after it (0: never).
    mechanism_at: u64,
}

fn profile(w: Workload) -> Profile {
    // Propose, EndorseClause, Accept, Commit, Fulfil, File, Answer, Withdraw, Rule, EndorseRuling,
    // Progress, Attest, Reschedule, AgreeReschedule,
    // Observe, Lodge, Draft, EndorseBody, Refer, Recommend, Measures
    let base = Profile {
        parties: 2,
        weights: [
            10, 25, 20, 63, 10, 180, 160, 10, 180, 300, 15, 15, 3, 9, 0, 0, 0, 0, 0, 0, 0,
        ],
        long_every: 0,
        rotate_every: 0,
        amend_every: 0,
        rule_oldest: true,
        mechanism_at: 0,
    };
    match w {
        Workload::Default => base,
        // A few per thousand entries each of observations, allegations
        // against a party and a listed actor, body rulings (drafted and
        // endorsed to adoption), referrals, recommendations and measures.
        Workload::Realistic => Profile {
            weights: [
                10, 25, 20, 63, 10, 180, 160, 10, 180, 300, 15, 15, 3, 9, 6, 4, 4, 8, 3, 3, 3,
            ],
            amend_every: 10_000,
            mechanism_at: 20,
            ..base
        },
        // A commitment per 10 entries, few ever fulfilled.
        Workload::Commitments => Profile {
            weights: [
                8, 24, 16, 100, 5, 180, 160, 7, 150, 300, 20, 20, 5, 15, 0, 0, 0, 0, 0, 0, 0,
            ],
            ..base
        },
        // Allegations filed faster than they are ruled on, rulings on random ones.
        Workload::Allegations => Profile {
            weights: [
                2, 6, 4, 10, 0, 380, 300, 8, 100, 190, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
            ],
            rule_oldest: false,
            ..base
        },
        // Clauses proposed faster than all guarantors endorse them.
        Workload::Clauses => Profile {
            weights: [
                150, 250, 150, 30, 0, 150, 100, 0, 60, 110, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
            ],
            ..base
        },
        // 256 parties in the charter: 251 parties to the conflict.
        Workload::Parties => Profile {
            parties: accord_core::limits::MAX_PARTIES - 5,
            ..base
        },
        Workload::LongTexts => Profile {
            long_every: 32,
            ..base
        },
        Workload::Rotations => Profile {
            rotate_every: 3000,
            ..base
        },
    }
}

/// The charter of workload `w`: the default's seven parties, then as many
/// more parties to the conflict (`p7`, `p8`, ...) as the workload needs.
pub(super) fn charter(w: Workload) -> Charter {
    let p = profile(w);
    let mut c = super::charter();
    for i in PARTIES.len()..PARTIES.len() + p.parties - 2 {
        c.parties.push(Party {
            id: party_id(i),
            name: format!("Armed group {i}"),
            role: Role::Party,
            key: public_key(&key_at(i, 0)),
        });
    }
    c.rules = Rules {
        clause_adoption: Adoption::AllGuarantors,
        ruling_quorum: 2,
    };
    c
}

fn party_id(i: usize) -> PartyId {
    match PARTIES.get(i) {
        Some((id, _, _)) => PartyId::new(*id).expect("static id"),
        None => PartyId::new(format!("p{i}")).expect("generated id"),
    }
}

/// The key of party `i` after `rotations` rotations; generation 0 is
/// [`super::key`].
pub(super) fn key_at(i: usize, rotations: u64) -> SigningKey {
    if rotations == 0 {
        return super::key(i);
    }
    let mut seed = [0xa5u8; 32];
    seed[..8].copy_from_slice(&(i as u64).to_le_bytes());
    seed[8..16].copy_from_slice(&rotations.to_le_bytes());
    SigningKey::from_bytes(&seed)
}

struct OpenClause {
    id: ClauseId,
    proposal: EntryHash,
    endorsed: Vec<usize>,
    accepted: Vec<usize>,
}

struct OpenAllegation {
    id: AllegationId,
    by: usize,
    accused: usize,
    answered: bool,
    ruling: Option<OpenRuling>,
}

struct OpenRuling {
    id: RulingId,
    proposal: Option<EntryHash>,
    endorsed: Vec<usize>,
}

/// The generator's memory: every item it may still act on.
struct Mix {
    p: Profile,
    /// Parties to the conflict, by charter index.
    conflict: Vec<usize>,
    rotations: Vec<u64>,
    count: u64,
    /// Clauses not yet adopted or accepted by everyone.
    clauses: Vec<OpenClause>,
    /// Adopted clauses commitments may be made under (the latest few).
    adopted: Vec<ClauseId>,
    /// Open commitments: id, obligor, whether its clause is adopted.
    commitments: Vec<(CommitmentId, usize, bool)>,
    allegations: Vec<OpenAllegation>,
    /// Reports not yet attested: the commitment and its latest report's
    /// hash (filled in by `saw`).
    reports: Vec<(CommitmentId, Option<EntryHash>)>,
    /// Reschedules proposed by the obligor and not yet agreed: the
    /// commitment, its proposal's hash, the guarantors that agreed.
    reschedules: Vec<(CommitmentId, Option<EntryHash>, Vec<usize>)>,
    /// The amendment being adopted: its id, proposal hash, how many
    /// guarantors endorsed it.
    amending: Option<(AmendmentId, Option<EntryHash>, usize)>,
    /// Whether the amendment being adopted sets up the mechanism.
    amending_mechanism: bool,
    /// Whether the mechanism (body, scale, actor) is in force.
    mechanism: bool,
    /// Recent observations: id, whether referred to the body, whether a
    /// ruling was drafted on it (the latest 64).
    observations: Vec<(ObservationId, bool, bool)>,
    /// The body's rulings not yet adopted: id, draft hash (filled in by
    /// `saw`), the members that endorsed.
    body_rulings: Vec<(RulingId, Option<EntryHash>, Vec<usize>)>,
    /// Recommendations awaiting measures: id and the party recommended to.
    recommendations: Vec<(RecommendationId, usize)>,
}

/// The body the mechanism amendment sets up, its members by charter
/// index (the three guarantors and the monitor) and the listed actor.
const BODY: &str = "jmc";
const BODY_MEMBERS: [usize; 4] = [0, 1, 2, super::MONITOR];
const ACTOR: &str = "hts";
const SEVERITY: [&str; 3] = ["minor", "serious", "grave"];
/// How many open mechanism items of each kind the generator remembers.
const MECHANISM_OPEN: usize = 64;

fn body_id() -> BodyId {
    BodyId::new(BODY).expect("static id")
}

impl Mix {
    fn new(w: Workload) -> Self {
        let p = profile(w);
        let n = PARTIES.len() + p.parties - 2;
        let mut conflict = vec![4, 5];
        conflict.extend(PARTIES.len()..n);
        Mix {
            p,
            conflict,
            rotations: vec![0; n],
            count: 0,
            clauses: Vec::new(),
            adopted: Vec::new(),
            commitments: Vec::new(),
            allegations: Vec::new(),
            reports: Vec::new(),
            reschedules: Vec::new(),
            amending: None,
            amending_mechanism: false,
            mechanism: false,
            observations: Vec::new(),
            body_rulings: Vec::new(),
            recommendations: Vec::new(),
        }
    }

    fn key(&self, i: usize) -> SigningKey {
        key_at(i, self.rotations[i])
    }

    fn next_id(&mut self) -> u64 {
        self.count += 1;
        self.count
    }

    /// A text of about `len` bytes, or near the 64 KiB limit on one entry
    /// in `long_every`.
    fn text(&self, seq: u64, base: &str) -> String {
        if self.p.long_every == 0 || !hash(seq ^ 0x1017).is_multiple_of(self.p.long_every) {
            return base.to_owned();
        }
        let target = 60_000 + (hash(seq) % 5_000) as usize;
        let mut s = String::with_capacity(target + base.len());
        let mut i = 0u64;
        while s.len() < target {
            s.push_str(base);
            s.push_str(&format!(" [{i}] "));
            i += 1;
        }
        s.truncate(target);
        s
    }

    /// Keys the next entries may touch beyond the live items.
    fn keep(&self) -> BTreeSet<RecordKey> {
        let mut keys: BTreeSet<RecordKey> = self
            .adopted
            .iter()
            .map(|c| RecordKey::Clause(c.clone()))
            .collect();
        keys.extend(self.clauses.iter().map(|c| RecordKey::Clause(c.id.clone())));
        for (o, _, _) in &self.observations {
            keys.insert(RecordKey::Observation(o.clone()));
            keys.insert(RecordKey::Notes(
                ItemId::new(o.as_str()).expect("an item id"),
            ));
        }
        keys.extend(
            self.body_rulings
                .iter()
                .map(|(r, _, _)| RecordKey::Ruling(r.clone())),
        );
        keys.extend(
            self.recommendations
                .iter()
                .map(|(r, _)| RecordKey::Recommendation(r.clone())),
        );
        keys
    }

    /// The next event and the index of its signer.
    fn next(&mut self, state: &State, seq: u64, time: i64) -> (usize, Event) {
        let r = hash(seq);
        if self.p.rotate_every > 0 && seq.is_multiple_of(self.p.rotate_every) {
            let who = (seq / self.p.rotate_every) as usize % self.rotations.len();
            return self.rotate(state, who);
        }
        if let Some(next) = self.amend(seq) {
            return next;
        }
        let total: u32 = self.p.weights.iter().sum();
        let mut pick = (r % u64::from(total)) as u32;
        let mut act = Act::File;
        for (a, w) in ACTS.iter().zip(self.p.weights) {
            if pick < w {
                act = *a;
                break;
            }
            pick -= w;
        }
        let r = r >> 12;
        self.act(act, r, time).unwrap_or_else(|| self.file(r, time))
    }

    fn act(&mut self, act: Act, r: u64, time: i64) -> Option<(usize, Event)> {
        match act {
            Act::Propose => Some(self.propose(r, time)),
            Act::EndorseClause => self.endorse_clause(r),
            Act::Accept => self.accept(r),
            Act::Commit => self.commit(r, time),
            Act::Fulfil => self.fulfil(r, time),
            Act::File => Some(self.file(r, time)),
            Act::Answer => self.answer(r, time),
            Act::Withdraw => self.withdraw(r, time),
            Act::Rule => self.rule(r, time),
            Act::EndorseRuling => self.endorse_ruling(r),
            Act::Progress => self.progress(r),
            Act::Attest => self.attest(r),
            Act::Reschedule => self.reschedule(r, time),
            Act::AgreeReschedule => self.agree_reschedule(r),
            Act::Observe => self.observe(r, time),
            Act::Lodge => self.lodge(r, time),
            Act::Draft => self.draft(r),
            Act::EndorseBody => self.endorse_body(r),
            Act::Refer => self.refer(r),
            Act::Recommend => self.recommend(r, time),
            Act::Measures => self.measures(),
        }
    }

    /// Every `amend_every` entries a guarantor proposes renaming a party
    /// to the conflict; the three guarantors endorse it in the next entries.
    fn amend(&mut self, seq: u64) -> Option<(usize, Event)> {
        if let Some((id, Some(proposal), endorsed)) = &mut self.amending {
            let g = *endorsed;
            *endorsed += 1;
            let event = Event::AmendmentEndorsed {
                amendment: id.clone(),
                proposal: *proposal,
            };
            if *endorsed == 3 {
                self.amending = None;
                if self.amending_mechanism {
                    // In force from this (the adopting) entry on.
                    self.amending_mechanism = false;
                    self.mechanism = true;
                }
            }
            return Some((g, event));
        }
        if self.amending.is_none() && self.p.mechanism_at != 0 && seq == self.p.mechanism_at {
            let n = self.next_id();
            let id = AmendmentId::new(format!("M{n}")).expect("generated id");
            self.amending = Some((id.clone(), None, 0));
            self.amending_mechanism = true;
            return Some((
                0,
                Event::AmendmentProposed {
                    id,
                    changes: vec![
                        CharterChange::SetBody(Body {
                            id: body_id(),
                            name: "Joint monitoring commission".into(),
                            members: BODY_MEMBERS.iter().map(|&i| party_id(i)).collect(),
                            decision: Decision::Quorum(2),
                            recuse_accused: false,
                            parent: None,
                            parent_adopts: false,
                        }),
                        CharterChange::SetScale {
                            scale: ScaleKind::Severity,
                            values: SEVERITY.iter().map(|v| (*v).to_owned()).collect(),
                        },
                        CharterChange::ListActor(Actor {
                            id: ActorId::new(ACTOR).expect("static id"),
                            name: "Hay'at Tahrir al-Sham / Jabhat al-Nusra".into(),
                            standing: Standing::Designated,
                            party: None,
                        }),
                    ],
                    reason: "The guarantors set up the joint commission, its severity scale \
                             and the register."
                        .into(),
                },
            ));
        }
        if self.p.amend_every == 0 || !seq.is_multiple_of(self.p.amend_every) {
            return None;
        }
        let n = self.next_id();
        let id = AmendmentId::new(format!("M{n}")).expect("generated id");
        self.amending = Some((id.clone(), None, 0));
        Some((
            0,
            Event::AmendmentProposed {
                id,
                changes: vec![CharterChange::RenameParty {
                    party: party_id(5),
                    name: format!("Armed opposition delegation (as of amendment {n})"),
                }],
                reason: "The delegation renamed itself.".into(),
            },
        ))
    }

    fn rotate(&mut self, state: &State, who: usize) -> (usize, Event) {
        let new = key_at(who, self.rotations[who] + 1);
        let new_key = public_key(&new);
        let message = possession_message(&state.ledger_id(), &party_id(who), &new_key)
            .expect("a possession message encodes");
        let event = Event::KeyRotated {
            new_key,
            proof: sign(&new, &message),
        };
        (who, event)
    }

    fn propose(&mut self, r: u64, time: i64) -> (usize, Event) {
        let n = self.next_id();
        let id = ClauseId::new(format!("C{n}")).expect("generated id");
        let text = self.text(
            time as u64,
            &format!(
                "The parties shall cease all attacks in sector {}, withdraw heavy weapons \
                 to at least {} km from the line of contact and allow humanitarian access.",
                r % 97,
                10 + r % 20
            ),
        );
        // The proposal hash is filled in by `saw`.
        self.clauses.push(OpenClause {
            id: id.clone(),
            proposal: EntryHash([0; 32]),
            endorsed: Vec::new(),
            accepted: Vec::new(),
        });
        (
            (r % 4) as usize,
            Event::ClauseProposed {
                id,
                title: format!("Cessation of hostilities in sector {}", r % 97),
                text,
            },
        )
    }

    fn endorse_clause(&mut self, r: u64) -> Option<(usize, Event)> {
        let pending: Vec<usize> = (0..self.clauses.len())
            .filter(|&i| self.clauses[i].endorsed.len() < 3)
            .collect();
        let i = *pending.get((r % pending.len().max(1) as u64) as usize)?;
        let c = &mut self.clauses[i];
        let g = (0..3).find(|g| !c.endorsed.contains(g))?;
        c.endorsed.push(g);
        let event = Event::ClauseEndorsed {
            clause: c.id.clone(),
            proposal: c.proposal,
        };
        if c.endorsed.len() == 3 {
            self.adopted.push(c.id.clone());
            if self.adopted.len() > 8 {
                self.adopted.remove(0);
            }
            let id = c.id.clone();
            for k in &mut self.commitments {
                if k.0.as_str().starts_with(&format!("K{id}-")) {
                    k.2 = true;
                }
            }
        }
        self.retire_clause(i);
        Some((g, event))
    }

    fn accept(&mut self, r: u64) -> Option<(usize, Event)> {
        let parties = self.conflict.len();
        let pending: Vec<usize> = (0..self.clauses.len())
            .filter(|&i| self.clauses[i].accepted.len() < parties)
            .collect();
        let i = *pending.get((r % pending.len().max(1) as u64) as usize)?;
        let start = ((r >> 16) % parties as u64) as usize;
        let c = &mut self.clauses[i];
        let who = (0..parties)
            .map(|k| self.conflict[(start + k) % parties])
            .find(|p| !c.accepted.contains(p))?;
        c.accepted.push(who);
        let event = Event::ClauseAccepted {
            clause: c.id.clone(),
            proposal: c.proposal,
        };
        self.retire_clause(i);
        Some((who, event))
    }

    /// Forgets a clause once adopted and accepted by every party.
    fn retire_clause(&mut self, i: usize) {
        let c = &self.clauses[i];
        if c.endorsed.len() == 3 && c.accepted.len() == self.conflict.len() {
            self.clauses.remove(i);
        }
    }

    fn commit(&mut self, r: u64, time: i64) -> Option<(usize, Event)> {
        // Under an adopted clause when there is one, else the latest proposal.
        let (clause, adopted) = match self.adopted.last() {
            Some(c) => (c.clone(), true),
            None => (self.clauses.last()?.id.clone(), false),
        };
        let who = self.conflict[(r % self.conflict.len() as u64) as usize];
        let n = self.next_id();
        let id = CommitmentId::new(format!("K{clause}-{n}")).expect("generated id");
        self.commitments.push((id.clone(), who, adopted));
        let text = self.text(
            time as u64 ^ 7,
            "Withdraw heavy weapons from the zone and keep them withdrawn; notify the \
             monitoring group of every movement.",
        );
        let zone = Some(format!("sector {}", r % 97));
        // One in four is a deliverable due within a month (some are
        // delivered late); one in eight an undertaking for five years.
        let event = match (r >> 40) % 8 {
            0 | 1 => Event::CommitmentMade {
                id,
                clause,
                text,
                zone,
                due: Some(time + ((r >> 44) % (30 * 86_400)) as i64),
            },
            2 => Event::CommitmentUndertaken {
                id,
                clause,
                text,
                zone,
                due: None,
                until: Some(time + 5 * 365 * 86_400),
            },
            _ => Event::CommitmentMade {
                id,
                clause,
                text,
                zone,
                due: None,
            },
        };
        Some((who, event))
    }

    /// A commitment that binds and is open, with no reschedule pending.
    fn ready(&self, r: u64) -> Option<usize> {
        let ready: Vec<usize> = (0..self.commitments.len())
            .filter(|&i| self.commitments[i].2)
            .filter(|&i| {
                !self
                    .reschedules
                    .iter()
                    .any(|(k, ..)| *k == self.commitments[i].0)
            })
            .collect();
        ready.get((r % ready.len().max(1) as u64) as usize).copied()
    }

    /// Notes a new report on `id`: the one to attest from now on.
    fn reported(&mut self, id: &CommitmentId) {
        self.reports.retain(|(k, _)| k != id);
        self.reports.push((id.clone(), None));
        if self.reports.len() > 64 {
            self.reports.remove(0);
        }
    }

    fn progress(&mut self, r: u64) -> Option<(usize, Event)> {
        let (id, who, _) = self.commitments[self.ready(r)?].clone();
        self.reported(&id);
        let of = 100 + (r >> 20) % 9_000;
        Some((
            who,
            Event::CommitmentProgressed {
                commitment: id,
                done: (r >> 36) % (of + 1),
                of,
                note: "Weapons stored in the containers; count attached.".into(),
            },
        ))
    }

    fn attest(&mut self, r: u64) -> Option<(usize, Event)> {
        let i = self.reports.iter().position(|(_, h)| h.is_some())?;
        let (id, hash) = self.reports.remove(i);
        let verifier = if r.is_multiple_of(4) {
            (r >> 8) as usize % 3
        } else {
            super::MONITOR
        };
        Some((
            verifier,
            Event::CommitmentAttested {
                commitment: id,
                report: hash?,
                verdict: if r % 10 == 9 {
                    accord_core::Verdict::Disputed
                } else {
                    accord_core::Verdict::Verified
                },
                note: "Checked on site by the monitoring team.".into(),
            },
        ))
    }

    fn reschedule(&mut self, r: u64, time: i64) -> Option<(usize, Event)> {
        let (id, who, _) = self.commitments[self.ready(r)?].clone();
        self.reschedules.push((id.clone(), None, Vec::new()));
        Some((
            who,
            Event::CommitmentRescheduleProposed {
                commitment: id,
                due: Some(time + 30 * 86_400 + ((r >> 24) % 86_400) as i64),
                until: None,
                reason: "The cantonment sites are not ready; new date agreed in the mechanism."
                    .into(),
            },
        ))
    }

    fn agree_reschedule(&mut self, r: u64) -> Option<(usize, Event)> {
        let i = self.reschedules.iter().position(|(_, h, _)| h.is_some())?;
        let (id, proposal, agreed) = &mut self.reschedules[i];
        let g = (0..3)
            .map(|k| (k + (r >> 20) as usize) % 3)
            .find(|g| !agreed.contains(g))?;
        agreed.push(g);
        let event = Event::CommitmentRescheduleEndorsed {
            commitment: id.clone(),
            proposal: (*proposal)?,
        };
        if agreed.len() == 3 {
            self.reschedules.remove(i);
        }
        Some((g, event))
    }

    fn fulfil(&mut self, r: u64, time: i64) -> Option<(usize, Event)> {
        let i = self.ready(r)?;
        let (id, who, _) = self.commitments.swap_remove(i);
        self.reported(&id);
        let note = self.text(time as u64 ^ 11, "Heavy weapons withdrawn; see the report.");
        Some((
            who,
            Event::CommitmentFulfilled {
                commitment: id,
                note,
            },
        ))
    }

    fn file(&mut self, r: u64, time: i64) -> (usize, Event) {
        let accused = self.conflict[(r % self.conflict.len() as u64) as usize];
        let by = if r % 5 < 3 {
            super::MONITOR
        } else {
            let o = self.conflict[((r >> 8) % self.conflict.len() as u64) as usize];
            if o == accused {
                super::MONITOR
            } else {
                o
            }
        };
        let n = self.next_id();
        let id = AllegationId::new(format!("A{n}")).expect("generated id");
        let commitments: Vec<CommitmentId> = self
            .commitments
            .iter()
            .rev()
            .take(64)
            .find(|(_, o, _)| *o == accused)
            .map(|(k, _, _)| k.clone())
            .into_iter()
            .collect();
        self.allegations.push(OpenAllegation {
            id: id.clone(),
            by,
            accused,
            answered: false,
            ruling: None,
        });
        let summary = self.text(
            time as u64 ^ 13,
            &format!(
                "Observers report shelling in sector {}, with {} casualties reported by \
                 local sources; the monitoring group asks for the positions involved.",
                r % 97,
                (r >> 20) % 12
            ),
        );
        (
            by,
            Event::AllegationFiled {
                id,
                against: party_id(accused),
                commitments,
                occurred: time - (r >> 32) as i64 % 86_400,
                location: format!("sector {}", r % 97),
                summary,
                evidence: vec![Evidence {
                    name: format!("report-{n}.pdf"),
                    sha256: accord_core::ids::Sha256({
                        let mut h = [0u8; 32];
                        h[..8].copy_from_slice(&hash(r).to_le_bytes());
                        h[8..16].copy_from_slice(&n.to_le_bytes());
                        h
                    }),
                    size: 40_000 + r % 4_000_000,
                    media_type: "application/pdf".into(),
                }],
            },
        )
    }

    /// An open allegation matching `want`: the oldest, or one at random.
    fn pick(&self, r: u64, want: impl Fn(&OpenAllegation) -> bool) -> Option<usize> {
        let oldest = self.p.rule_oldest;
        if oldest {
            return self.allegations.iter().position(want);
        }
        let n = self.allegations.len();
        if n == 0 {
            return None;
        }
        let start = (r % n as u64) as usize;
        (0..n.min(64))
            .map(|k| (start + k) % n)
            .find(|&i| want(&self.allegations[i]))
    }

    fn answer(&mut self, r: u64, time: i64) -> Option<(usize, Event)> {
        let i = self.pick(r, |a| !a.answered)?;
        let text = self.text(
            time as u64 ^ 17,
            "Our forces held their positions; the fire came from positions outside our \
             control, and we ask for the joint group to visit.",
        );
        let a = &mut self.allegations[i];
        a.answered = true;
        Some((
            a.accused,
            Event::AllegationAnswered {
                allegation: a.id.clone(),
                position: [Position::Deny, Position::Admit, Position::Justify][(r % 3) as usize],
                text,
                evidence: Vec::new(),
            },
        ))
    }

    fn withdraw(&mut self, r: u64, time: i64) -> Option<(usize, Event)> {
        let i = self.pick(r, |a| a.ruling.is_none())?;
        let a = self.allegations.remove(i);
        let reason = self.text(time as u64 ^ 19, "Attributed to a third party.");
        Some((
            a.by,
            Event::AllegationWithdrawn {
                allegation: a.id,
                reason,
            },
        ))
    }

    fn rule(&mut self, r: u64, time: i64) -> Option<(usize, Event)> {
        let i = self.pick(r, |a| a.ruling.is_none())?;
        let n = self.next_id();
        let id = RulingId::new(format!("R{n}")).expect("generated id");
        let text = self.text(
            time as u64 ^ 23,
            "Having heard both sides, the joint group finds on the evidence filed.",
        );
        let a = &mut self.allegations[i];
        a.ruling = Some(OpenRuling {
            id: id.clone(),
            proposal: None,
            endorsed: Vec::new(),
        });
        let proposer = if r.is_multiple_of(3) {
            super::MONITOR
        } else {
            (r % 3) as usize
        };
        Some((
            proposer,
            Event::RulingProposed {
                id,
                allegation: a.id.clone(),
                finding: [Finding::NotSubstantiated, Finding::Inconclusive][(r % 2) as usize],
                attribution: Attribution::Unattributable,
                breaches: Vec::new(),
                text,
            },
        ))
    }

    fn endorse_ruling(&mut self, r: u64) -> Option<(usize, Event)> {
        let i = self.pick(r, |a| {
            a.ruling.as_ref().is_some_and(|x| x.proposal.is_some())
        })?;
        let ruling = self.allegations[i].ruling.as_mut()?;
        let g = (0..3)
            .map(|k| (k + (r >> 20) as usize) % 3)
            .find(|g| !ruling.endorsed.contains(g))?;
        ruling.endorsed.push(g);
        let event = Event::RulingEndorsed {
            ruling: ruling.id.clone(),
            proposal: ruling.proposal?,
        };
        if ruling.endorsed.len() == 2 {
            self.allegations.remove(i);
        }
        Some((g, event))
    }

    /// The monitor records an observation with a severity from the scale.
    fn observe(&mut self, r: u64, time: i64) -> Option<(usize, Event)> {
        if !self.mechanism {
            return None;
        }
        let n = self.next_id();
        let id = ObservationId::new(format!("O{n}")).expect("generated id");
        self.observations.push((id.clone(), false, false));
        if self.observations.len() > MECHANISM_OPEN {
            self.observations.remove(0);
        }
        let summary = self.text(
            time as u64 ^ 29,
            &format!(
                "The team observed impacts of indirect fire in sector {}; craters and \
                 fragments consistent with 120 mm mortar rounds.",
                r % 97
            ),
        );
        Some((
            super::MONITOR,
            Event::ObservationRecorded {
                id,
                body: None,
                task: None,
                occurred: time - (r >> 32) as i64 % 86_400,
                time_precision: TimePrecision::Hour,
                location: format!("sector {}", r % 97),
                place_precision: PlacePrecision::Settlement,
                severity: Some(SEVERITY[((r >> 8) % 3) as usize].to_owned()),
                violation: None,
                summary,
                evidence: Vec::new(),
            },
        ))
    }

    /// An allegation against a party to the conflict and the listed actor.
    fn lodge(&mut self, r: u64, time: i64) -> Option<(usize, Event)> {
        if !self.mechanism {
            return None;
        }
        let accused = self.conflict[(r % self.conflict.len() as u64) as usize];
        let other = self.conflict[((r >> 8) % self.conflict.len() as u64) as usize];
        let by = if r % 5 < 3 || other == accused {
            super::MONITOR
        } else {
            other
        };
        let n = self.next_id();
        let id = AllegationId::new(format!("A{n}")).expect("generated id");
        self.allegations.push(OpenAllegation {
            id: id.clone(),
            by,
            accused,
            answered: false,
            ruling: None,
        });
        let summary = self.text(
            time as u64 ^ 31,
            &format!(
                "Fighters of the listed group attacked positions in sector {} from areas \
                 held by the accused party, which let them pass.",
                r % 97
            ),
        );
        Some((
            by,
            Event::AllegationLodged {
                id,
                accused: vec![
                    Accused::Party(party_id(accused)),
                    Accused::Actor(ActorId::new(ACTOR).expect("static id")),
                ],
                commitments: Vec::new(),
                occurred: time - (r >> 32) as i64 % 86_400,
                location: format!("sector {}", r % 97),
                summary,
                evidence: Vec::new(),
            },
        ))
    }

    /// A member refers an observation not yet referred to the body.
    fn refer(&mut self, r: u64) -> Option<(usize, Event)> {
        let o = self.observations.iter_mut().find(|o| !o.1 && !o.2)?;
        o.1 = true;
        Some((
            BODY_MEMBERS[(r % 4) as usize],
            Event::ItemReferred {
                item: ItemId::new(o.0.as_str()).expect("an item id"),
                to: body_id(),
                note: "For the commission's review at its next session.".into(),
            },
        ))
    }

    /// A member drafts the body's ruling on an observation.
    fn draft(&mut self, r: u64) -> Option<(usize, Event)> {
        let i = self.observations.iter().position(|o| !o.2)?;
        self.observations[i].2 = true;
        let on = ItemId::new(self.observations[i].0.as_str()).expect("an item id");
        let n = self.next_id();
        let id = RulingId::new(format!("R{n}")).expect("generated id");
        self.body_rulings.push((id.clone(), None, Vec::new()));
        if self.body_rulings.len() > MECHANISM_OPEN {
            self.body_rulings.remove(0);
        }
        let finding = [Finding::NotSubstantiated, Finding::Inconclusive][(r % 2) as usize];
        Some((
            BODY_MEMBERS[((r >> 4) % 4) as usize],
            Event::RulingDrafted {
                id,
                on,
                body: body_id(),
                finding,
                attribution: Attribution::Unattributable,
                breaches: Vec::new(),
                text: "The commission reviewed the team's report and finds on it.".into(),
            },
        ))
    }

    /// A member endorses the body's oldest open ruling; two adopt it.
    fn endorse_body(&mut self, r: u64) -> Option<(usize, Event)> {
        let i = self.body_rulings.iter().position(|x| x.1.is_some())?;
        let (id, proposal, endorsed) = &mut self.body_rulings[i];
        let m = (0..4)
            .map(|k| BODY_MEMBERS[(k + (r >> 20) as usize) % 4])
            .find(|m| !endorsed.contains(m))?;
        endorsed.push(m);
        let event = Event::RulingEndorsed {
            ruling: id.clone(),
            proposal: (*proposal)?,
        };
        if endorsed.len() == 2 {
            self.body_rulings.remove(i);
        }
        Some((m, event))
    }

    /// A member recommends measures to a party, about an observation.
    fn recommend(&mut self, r: u64, time: i64) -> Option<(usize, Event)> {
        if !self.mechanism {
            return None;
        }
        let to = self.conflict[(r % self.conflict.len() as u64) as usize];
        let about = self
            .observations
            .last()
            .map(|o| ItemId::new(o.0.as_str()).expect("an item id"));
        let n = self.next_id();
        let id = RecommendationId::new(format!("RC{n}")).expect("generated id");
        self.recommendations.push((id.clone(), to));
        if self.recommendations.len() > MECHANISM_OPEN {
            self.recommendations.remove(0);
        }
        Some((
            BODY_MEMBERS[((r >> 8) % 4) as usize],
            Event::RecommendationMade {
                id,
                body: body_id(),
                to: party_id(to),
                about,
                text: "Withdraw the mortar units from the sector and report their new \
                       positions to the commission."
                    .into(),
                due: time + 14 * 86_400 + ((r >> 24) % 86_400) as i64,
            },
        ))
    }

    /// The party recommended to reports the measures it took.
    fn measures(&mut self) -> Option<(usize, Event)> {
        if self.recommendations.is_empty() {
            return None;
        }
        let (id, to) = self.recommendations.remove(0);
        Some((
            to,
            Event::MeasuresReported {
                recommendation: id,
                text: "The units were withdrawn; their new positions were notified.".into(),
                evidence: Vec::new(),
            },
        ))
    }

    /// Notes what the entry just admitted did that later entries depend on.
    fn saw(&mut self, who: usize, entry: &Sealed) {
        match &entry.entry.body.event {
            Event::ClauseProposed { id, .. } => {
                if let Some(c) = self.clauses.iter_mut().find(|c| &c.id == id) {
                    c.proposal = entry.hash;
                }
            }
            Event::RulingProposed { id, .. } => {
                for a in &mut self.allegations {
                    if let Some(x) = a.ruling.as_mut().filter(|x| &x.id == id) {
                        x.proposal = Some(entry.hash);
                    }
                }
            }
            Event::RulingDrafted { id, .. } => {
                if let Some(x) = self.body_rulings.iter_mut().find(|x| &x.0 == id) {
                    x.1 = Some(entry.hash);
                }
            }
            Event::KeyRotated { .. } => self.rotations[who] += 1,
            Event::CommitmentProgressed { commitment, .. }
            | Event::CommitmentFulfilled { commitment, .. } => {
                if let Some(x) = self.reports.iter_mut().find(|x| &x.0 == commitment) {
                    x.1 = Some(entry.hash);
                }
            }
            Event::AmendmentProposed { .. } => {
                if let Some(a) = self.amending.as_mut() {
                    a.1 = Some(entry.hash);
                }
            }
            Event::CommitmentRescheduleProposed { commitment, .. } => {
                if let Some(x) = self.reschedules.iter_mut().find(|x| &x.0 == commitment) {
                    x.1 = Some(entry.hash);
                }
            }
            _ => {}
        }
    }
}

/// Appends `count` entries of workload `w` to a ledger just founded with
/// [`charter`] by the mediator; returns every party's id and current key.
pub(super) fn extend<S: Store>(
    ledger: &mut Ledger<S>,
    w: Workload,
    count: u64,
) -> Result<Vec<(PartyId, SigningKey)>, LedgerError> {
    const BATCH: usize = 4096;
    let mut state: State = ledger.replay()?;
    let mut mix = Mix::new(w);
    let mut batch: Vec<Sealed> = Vec::with_capacity(BATCH);
    let first = state.head().seq + 1;
    for seq in first..first + count {
        let time = time_of(seq);
        let (signer, event) = mix.next(&state, seq, time);
        let entry = state.sign_next(&mix.key(signer), time, event)?;
        state
            .admit_checked(&entry, true)
            .map_err(|violation| LedgerError::RejectedEntry {
                seq: entry.seq(),
                violation,
            })?;
        mix.saw(signer, &entry);
        batch.push(entry);
        if batch.len() == BATCH {
            ledger.append_sealed(&batch)?;
            batch.clear();
            let mut keep = accord_core::projection::open_keys(&state);
            keep.extend(mix.keep());
            state = state.restrict(&keep);
        }
    }
    ledger.append_sealed(&batch)?;
    Ok((0..mix.rotations.len())
        .map(|i| (party_id(i), mix.key(i)))
        .collect())
}
