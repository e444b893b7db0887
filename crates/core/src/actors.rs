//! The rules and the fold for allegations against any number of accused
//! (parties and listed non-signatory actors, or persons unknown), the
//! rules on whom a ruling may attribute an incident to (and which
//! commitments it may then find breached), and the actors' view
//! ([`actors`]).
//!
//! Called by the gate (`decide`) and the fold (`fold`) for the events it
//! owns; it never changes the chain, and its fold never refuses.

use serde::Serialize;

use crate::charter::Role;
use crate::ctx::Ctx;
use crate::decide::{fresh_id, line, text, unknown};
use crate::entry::Sealed;
use crate::event::Event;
use crate::ids::{ActorId, AllegationId, CommitmentId, PartyId, RulingId};
use crate::limits::{MAX_LIST, MAX_TEXT_BYTES, MAX_TITLE_BYTES};
use crate::mechanism::Standing;
use crate::records::{AllegationState, AllegationStatus, Records};
use crate::state::State;
use crate::terms::{Accused, Attribution, Degree, Finding};
use crate::violation::Violation;

/// Whether `event` (one of this module's kinds) may be admitted.
pub(crate) fn check(ctx: &Ctx, records: &Records, event: &Event) -> Result<(), Violation> {
    match event {
        Event::AllegationLodged {
            id,
            accused,
            commitments,
            occurred,
            location,
            summary,
            evidence,
        } => {
            fresh_id(records, id.as_str())?;
            crate::decide::distinct("the accused", accused, MAX_LIST)?;
            for who in accused {
                match who {
                    Accused::Party(p) => accused_party(ctx, id, p)?,
                    Accused::Actor(a) => listed(ctx, format!("allegation {id}"), a)?,
                }
            }
            crate::decide::allegation_fields(
                records,
                id,
                accused,
                commitments,
                *occurred,
                ctx.time,
            )?;
            line("location", location, MAX_TITLE_BYTES)?;
            text("summary", summary, MAX_TEXT_BYTES)?;
            crate::decide::evidence(evidence)
        }
        other => Err(Violation::NotYet(other.kind())),
    }
}

/// Folds an admitted `entry` (one of this module's kinds) into the records.
pub(crate) fn fold(ctx: &Ctx, records: &mut Records, entry: &Sealed) {
    if let Event::AllegationLodged {
        id,
        accused,
        commitments,
        occurred,
        location,
        summary,
        evidence,
    } = &entry.entry.body.event
    {
        records.allegations.insert(
            id.clone(),
            AllegationState {
                by: ctx.party.clone(),
                accused: accused.clone(),
                commitments: commitments.clone(),
                occurred: *occurred,
                location: location.clone(),
                summary: summary.clone(),
                evidence: evidence.clone(),
                filed: entry.head(),
                filed_time: ctx.time,
                responses: Vec::new(),
                status: AllegationStatus::Open,
                corrections: Vec::new(),
            },
        );
    }
}

/// The accused in words: their ids joined by ", ", or "persons unknown".
pub(crate) fn accused_words(accused: &[Accused]) -> String {
    if accused.is_empty() {
        return "persons unknown".to_owned();
    }
    accused
        .iter()
        .map(Accused::as_str)
        .collect::<Vec<_>>()
        .join(", ")
}

/// A party an allegation may accuse: a current party of the charter, not
/// the filer itself, not an observer, not the secretariat.
pub(crate) fn accused_party(ctx: &Ctx, id: &AllegationId, p: &PartyId) -> Result<(), Violation> {
    let party = ctx
        .charter
        .party(p)
        .ok_or_else(|| unknown("party", p.as_str()))?;
    if party.id == *ctx.party {
        return Err(Violation::SelfAllegation {
            allegation: id.clone(),
        });
    }
    if party.role == Role::Observer {
        return Err(Violation::ObserverAccused {
            allegation: id.clone(),
            party: p.clone(),
        });
    }
    if party.role == Role::Secretariat {
        return Err(Violation::SecretariatBound {
            item: format!("allegation {id}"),
            party: p.clone(),
        });
    }
    Ok(())
}

/// An actor that may be accused or attributed to now: on the register and
/// not delisted.
fn listed(ctx: &Ctx, item: String, a: &ActorId) -> Result<(), Violation> {
    if ctx.amending.mechanism.listed(a).is_some() {
        return Ok(());
    }
    let why = match ctx.amending.mechanism.actors.get(a) {
        Some(l) => match l.delisted {
            Some(seq) => format!("delisted at entry {seq}"),
            None => "never listed".to_owned(),
        },
        None => "never listed: list it by charter amendment".to_owned(),
    };
    Err(Violation::ActorNotListed {
        item,
        actor: a.to_string(),
        why,
    })
}

/// Whether the signer may answer allegation `id`: it must be one of the
/// accused parties (actors sign nothing; an allegation against persons
/// unknown takes no answer).
pub(crate) fn check_answer(
    ctx: &Ctx,
    id: &AllegationId,
    a: &AllegationState,
) -> Result<(), Violation> {
    if let Some(owner) = a.against() {
        return crate::decide::owner(ctx, owner, "answer", format!("allegation {id}"));
    }
    if !a.accuses(ctx.party) {
        return Err(Violation::NotAccused {
            party: ctx.party.clone(),
            allegation: id.clone(),
            accused: a.accused_words(),
        });
    }
    Ok(())
}

/// Whom a ruling on `item` (a ruling id, as its refusals name it) may
/// attribute an incident to: a party of the charter in force that is
/// neither an observer nor the secretariat (a party removed by amendment
/// still answers for what it did while a party), or an actor listed now;
/// shared and unattributable always.
pub(crate) fn check_attribution(
    ctx: &Ctx,
    attribution: &Attribution,
    item: String,
) -> Result<(), Violation> {
    let who = match attribution {
        Attribution::Shared | Attribution::Unattributable => return Ok(()),
        Attribution::Party(p)
        | Attribution::To {
            who: Accused::Party(p),
            ..
        } => p,
        Attribution::To {
            who: Accused::Actor(a),
            ..
        } => return listed(ctx, format!("ruling {item}"), a),
    };
    if ctx.amending.removed.contains_key(who) {
        return Ok(());
    }
    let party = ctx
        .charter
        .party(who)
        .ok_or_else(|| unknown("party", who.as_str()))?;
    if party.role == Role::Observer {
        return Err(Violation::ObserverAttributed {
            ruling: item,
            party: who.clone(),
        });
    }
    if party.role == Role::Secretariat {
        return Err(Violation::SecretariatBound {
            item: format!("ruling {item}"),
            party: who.clone(),
        });
    }
    Ok(())
}

/// The party an attribution holds answerable for breaches: the party
/// named, or the party an actor is allied to or split from (`None` for an
/// actor with no party, for shared and for unattributable).
fn answerable(ctx: &Ctx, attribution: &Attribution) -> Option<PartyId> {
    match attribution {
        Attribution::Party(p)
        | Attribution::To {
            who: Accused::Party(p),
            ..
        } => Some(p.clone()),
        Attribution::To {
            who: Accused::Actor(a),
            ..
        } => ctx
            .amending
            .mechanism
            .actors
            .get(a)
            .and_then(|l| l.actor.party.clone()),
        Attribution::Shared | Attribution::Unattributable => None,
    }
}

/// What a ruling (or a revision, or a body's draft) `id` finds on an item
/// whose accused parties are `accused`: whom it may attribute to
/// ([`check_attribution`]) and which commitments it may find breached
/// (only with a confirmed finding; for a party, its own commitments; for
/// an actor, those of the party it is allied to or split from, none if it
/// has none; for shared, those of an accused party; none when
/// unattributable).
pub(crate) fn ruling_terms(
    ctx: &Ctx,
    records: &Records,
    id: &RulingId,
    accused: &[PartyId],
    finding: Finding,
    attribution: &Attribution,
    breaches: &[CommitmentId],
) -> Result<(), Violation> {
    check_attribution(ctx, attribution, id.to_string())?;
    crate::decide::distinct("the ruling's breaches", breaches, MAX_LIST)?;
    if !breaches.is_empty() && finding != Finding::Confirmed {
        return Err(Violation::BreachUnconfirmed { ruling: id.clone() });
    }
    if !breaches.is_empty() && *attribution == Attribution::Unattributable {
        return Err(Violation::BreachUnattributed { ruling: id.clone() });
    }
    let bound = answerable(ctx, attribution);
    for k in breaches {
        let c = records
            .commitments
            .get(k)
            .ok_or_else(|| unknown("commitment", k.as_str()))?;
        match (attribution, &bound) {
            (Attribution::Shared, _) if !accused.iter().any(|p| c.binds(p)) => {
                return Err(match accused {
                    [one] => Violation::SharedBreach {
                        ruling: id.to_string(),
                        commitment: k.to_string(),
                        obligor: c.obligor.clone(),
                        accused: one.clone(),
                    },
                    _ => Violation::SharedBreachAccused {
                        ruling: id.to_string(),
                        commitment: k.to_string(),
                        obligor: c.obligor.clone(),
                        accused: match accused.is_empty() {
                            true => "none".to_owned(),
                            false => accused
                                .iter()
                                .map(PartyId::as_str)
                                .collect::<Vec<_>>()
                                .join(", "),
                        },
                    },
                });
            }
            (
                Attribution::To {
                    who: Accused::Actor(a),
                    ..
                },
                None,
            ) => {
                return Err(Violation::BreachActor {
                    ruling: id.to_string(),
                    actor: a.to_string(),
                    commitment: k.clone(),
                });
            }
            (_, Some(p)) if !c.binds(p) => {
                return Err(Violation::BreachNotAttributed {
                    ruling: id.clone(),
                    commitment: k.clone(),
                    obligor: c.obligor.clone(),
                    attributed: p.clone(),
                });
            }
            _ => {}
        }
    }
    Ok(())
}

/// One actor on the register as `accord actors` shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ActorView {
    /// Its id.
    pub id: ActorId,
    /// Its name.
    pub name: String,
    /// designated | holdout | dissident | allied
    pub standing: Standing,
    /// The party it is allied to or split from, if any.
    pub party: Option<PartyId>,
    /// The seq of the entry that listed it.
    #[serde(rename = "listed_at")]
    pub listed: u64,
    /// The seq of the entry that delisted it, if delisted.
    #[serde(rename = "delisted_at")]
    pub delisted: Option<u64>,
    /// The allegations that name it among the accused.
    pub allegations: Vec<AllegationId>,
    /// The rulings that attribute an incident to it, with the degree.
    pub rulings: Vec<ActorRuling>,
}

/// A ruling attributing an incident to an actor.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ActorRuling {
    /// The ruling.
    pub id: RulingId,
    /// attributed | largely-attributed
    pub degree: Degree,
    /// The ruling's state word (proposed, adopted, superseded, ...).
    pub state: String,
}

/// Every actor ever listed in `state` (delisted ones included, marked),
/// with the allegations naming it and the rulings attributing to it, as
/// far as `state` holds records.
pub fn actors(state: &State) -> Vec<ActorView> {
    let records = state.records();
    state
        .amending()
        .mechanism
        .actors
        .values()
        .map(|l| {
            let id = &l.actor.id;
            ActorView {
                id: id.clone(),
                name: l.actor.name.clone(),
                standing: l.actor.standing,
                party: l.actor.party.clone(),
                listed: l.listed,
                delisted: l.delisted,
                allegations: records
                    .allegations()
                    .iter()
                    .filter(|(_, a)| a.accused.contains(&Accused::Actor(id.clone())))
                    .map(|(k, _)| k.clone())
                    .collect(),
                rulings: records
                    .rulings()
                    .iter()
                    .filter_map(|(k, r)| match &r.attribution {
                        Attribution::To {
                            who: Accused::Actor(a),
                            degree,
                        } if a == id => Some(ActorRuling {
                            id: k.clone(),
                            degree: *degree,
                            state: r.phase().to_string(),
                        }),
                        _ => None,
                    })
                    .collect(),
            }
        })
        .collect()
}
