//! The clause view: one clause as a secretariat checks it (text in force,
//! who endorsed, who is still missing under the adoption rule, who
//! accepted or declined, its term, what it revises or was superseded by,
//! and its phase as of a time), and the list of every clause.
//!
//! Pure projections of a folded [`State`]: they never read a clock (the
//! time is an argument) nor the entries (the caller passes the proposal's
//! text, which the record does not keep).

use serde::Serialize;

use crate::charter::{Adoption, Charter, Role};
use crate::ids::{ClauseId, PartyId};
use crate::records::{ClausePhase, ClauseState};
use crate::state::State;

/// A party that signed an act, and the seq of its entry.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Signed {
    /// The party.
    pub party: PartyId,
    /// The seq of the entry it signed.
    pub seq: u64,
}

fn signed(list: &[(PartyId, u64)]) -> Vec<Signed> {
    list.iter()
        .map(|(party, seq)| Signed {
            party: party.clone(),
            seq: *seq,
        })
        .collect()
}

/// How far a proposal (a clause or its term) is from adoption.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Missing {
    /// How many more guarantor endorsements adopt it under the rule.
    pub endorsements_needed: usize,
    /// The guarantors that have not endorsed it.
    pub guarantors: Vec<PartyId>,
}

fn missing(
    charter: &Charter,
    signatories: Option<&Vec<PartyId>>,
    endorsements: &[(PartyId, u64)],
) -> Missing {
    // issue 14: bodies (a tabled clause needs every guarantor signatory)
    if let Some(s) = signatories {
        let guarantors: Vec<PartyId> = charter
            .guarantors()
            .filter(|g| s.contains(&g.id) && !endorsements.iter().any(|(p, _)| p == &g.id))
            .map(|g| g.id.clone())
            .collect();
        return Missing {
            endorsements_needed: guarantors.len(),
            guarantors,
        };
    }
    let guarantors: Vec<PartyId> = charter
        .guarantors()
        .filter(|g| !endorsements.iter().any(|(p, _)| p == &g.id))
        .map(|g| g.id.clone())
        .collect();
    let endorsed = charter.guarantors().count() - guarantors.len();
    let endorsements_needed = match charter.rules.clause_adoption {
        Adoption::AllGuarantors => guarantors.len(),
        Adoption::Quorum(q) => (q as usize).saturating_sub(endorsed),
    };
    Missing {
        endorsements_needed,
        guarantors,
    }
}

/// A term proposal awaiting endorsement.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TermView {
    /// The proposed end (seconds since 1970; `None`: no end).
    pub until: Option<i64>,
    /// The party that proposed it.
    pub proposer: PartyId,
    /// The seq of the proposing entry.
    pub proposed_at: u64,
    /// Who endorsed it so far.
    pub endorsers: Vec<Signed>,
    /// What it still needs to be adopted.
    pub missing: Missing,
}

/// One clause as of a point.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ClauseView {
    /// The clause's id.
    pub id: ClauseId,
    /// Its title.
    pub title: String,
    /// Its text, exactly as proposed (what endorsements and acceptances name).
    pub text: String,
    /// proposed | adopted | superseded | lapsed | withdrawn, as of `as_of`.
    pub phase: ClausePhase,
    /// The time the phase is judged at (seconds since 1970).
    pub as_of: i64,
    /// The party that proposed it.
    pub proposer: PartyId,
    /// The seq of the proposing entry.
    pub proposed_at: u64,
    /// The clause this one revises, if it is a revision.
    pub revises: Option<ClauseId>,
    /// Who endorsed it, in order.
    pub endorsers: Vec<Signed>,
    /// What it still needs to be adopted (`None` once adopted or closed).
    pub missing: Option<Missing>,
    /// The seq of the endorsement that adopted it.
    pub adopted_at: Option<u64>,
    /// The end of its validity (seconds since 1970; `None`: no end).
    pub until: Option<i64>,
    /// The seq of the entry that adopted the current `until`, if any.
    pub until_from: Option<u64>,
    /// A term proposal awaiting endorsement.
    pub term_proposal: Option<TermView>,
    /// The parties to the conflict that accepted it, in order.
    pub acceptors: Vec<Signed>,
    /// The parties to the conflict that declined it, in order.
    pub decliners: Vec<Signed>,
    /// The parties to the conflict that have neither accepted nor declined
    /// it (empty once it is withdrawn or superseded).
    pub to_accept: Vec<PartyId>,
    /// The revision that superseded it.
    pub superseded_by: Option<ClauseId>,
    /// The seq of the entry that adopted that revision.
    pub superseded_at: Option<u64>,
    /// The seq of its withdrawal by the proposer.
    pub withdrawn_at: Option<u64>,
    // issue 14: bodies
    /// The parties a tabled clause binds (`None`: the whole agreement).
    pub signatories: Option<Vec<PartyId>>,
}

/// The view of clause `id` in `state`, its phase judged at `time`, with
/// `text` the text of its proposal entry; `None` if it is not on record.
pub fn show(state: &State, id: &ClauseId, text: String, time: i64) -> Option<ClauseView> {
    let c = state.records().clauses().get(id)?;
    let charter = state.charter();
    // Open to signatures as the duties judge it: not closed, not a
    // revision another revision overtook.
    let open = crate::clause_life::open_clause(state.records(), id, "signed").is_ok();
    Some(ClauseView {
        id: id.clone(),
        title: c.title.clone(),
        text,
        phase: c.phase(time),
        as_of: time,
        proposer: c.proposer.clone(),
        proposed_at: c.proposal.seq,
        revises: c.revises.clone(),
        endorsers: signed(&c.endorsements),
        missing: (open && !c.is_adopted())
            .then(|| missing(charter, c.signatories.as_ref(), &c.endorsements)),
        adopted_at: c.adopted_at,
        until: c.until,
        until_from: c.until_from,
        term_proposal: c.term.as_ref().map(|t| TermView {
            until: t.until,
            proposer: t.proposer.clone(),
            proposed_at: t.proposal.seq,
            endorsers: signed(&t.endorsements),
            missing: missing(charter, c.signatories.as_ref(), &t.endorsements),
        }),
        acceptors: signed(&c.acceptances),
        decliners: signed(&c.declines),
        to_accept: match open && c.phase(time) != ClausePhase::Lapsed {
            true => charter
                .parties
                .iter()
                .filter(|p| p.role == Role::Party && c.signs(&p.id) && !c.answered_by(&p.id))
                .map(|p| p.id.clone())
                .collect(),
            false => Vec::new(),
        },
        superseded_by: c.superseded_by.as_ref().map(|(by, _)| by.clone()),
        superseded_at: c.superseded_by.as_ref().map(|(_, seq)| *seq),
        withdrawn_at: c.withdrawn,
        signatories: c.signatories.clone(),
    })
}

/// One line of the clause list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ClauseSummary {
    /// The clause's id.
    pub id: ClauseId,
    /// Its title.
    pub title: String,
    /// Its phase as of the time asked.
    pub phase: ClausePhase,
    /// The seq of the endorsement that adopted it.
    pub adopted_at: Option<u64>,
    /// The end of its validity (seconds since 1970; `None`: no end).
    pub until: Option<i64>,
    /// The clause it revises, if a revision.
    pub revises: Option<ClauseId>,
    /// The revision that superseded it.
    pub superseded_by: Option<ClauseId>,
    /// How many parties to the conflict declined it.
    pub declines: usize,
}

/// Every clause held by `state`, by id, phases judged at `time`.
pub fn list(state: &State, time: i64) -> Vec<ClauseSummary> {
    state
        .records()
        .clauses()
        .iter()
        .map(|(id, c): (&ClauseId, &ClauseState)| ClauseSummary {
            id: id.clone(),
            title: c.title.clone(),
            phase: c.phase(time),
            adopted_at: c.adopted_at,
            until: c.until,
            revises: c.revises.clone(),
            superseded_by: c.superseded_by.as_ref().map(|(by, _)| by.clone()),
            declines: c.declines.len(),
        })
        .collect()
}
