//! Charter amendments: the changes an amendment may make to the charter in
//! force ([`CharterChange`]), an amendment's record ([`AmendmentState`]),
//! what the chain keeps about amending ([`Amending`]: the amendment rule and
//! the parties removed), and the one function that applies a list of changes
//! to a charter ([`apply`]), used when an amendment is proposed, when its
//! adopting endorsement is checked, and when that endorsement is folded.
//!
//! Also what the secretariat may sign ([`secretariat_may`]). This module
//! decides nothing about signatures or the chain's links (that is the gate),
//! and never changes the chain itself (the gate applies what [`apply`]
//! returns).

use std::collections::BTreeMap;
use std::fmt;

use serde::{Deserialize, Serialize};

use crate::charter::{check_quorum, Adoption, Charter, CharterError, Party, Role};
use crate::crypto::{KeyError, PublicKey};
use crate::entry::{Head, Sealed};
use crate::event::Event;
use crate::ids::{ActorId, AmendmentId, BodyId, PartyId};
use crate::keyring::Keyring;
use crate::limits::MAX_LIST;
use crate::limits::MAX_TITLE_BYTES;
use crate::mechanism::{Actor, Body, Decision, Listing, Mechanism, ScaleKind};
use crate::records::Records;

/// One change an amendment makes to the charter in force. The variant
/// order is part of the format (entries carry the variant index).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum CharterChange {
    /// A new party joins, signing with `key` from the entry after the
    /// adopting one.
    AddParty {
        /// Its id: never used by a current or former party.
        id: PartyId,
        /// Its full name, one line.
        name: String,
        /// What it may do.
        role: Role,
        /// The key it signs with: never used before by anyone.
        key: PublicKey,
    },
    /// A party leaves: its entries after the adopting one are refused.
    RemoveParty {
        /// The party removed.
        party: PartyId,
    },
    /// A party takes a new name (same id; its old entries still verify).
    RenameParty {
        /// The party renamed.
        party: PartyId,
        /// Its new name, one line.
        name: String,
    },
    /// A party takes a new role.
    ChangeRole {
        /// The party.
        party: PartyId,
        /// Its new role.
        role: Role,
    },
    /// A new rule for adopting clauses.
    SetClauseAdoption(Adoption),
    /// A new number of guarantor endorsements that adopts a ruling (and a
    /// key revocation).
    SetRulingQuorum(u32),
    /// A new rule for adopting amendments.
    SetAmendmentRule(Adoption),
    // issue 14: mechanisms
    /// Adds a body, or replaces the one with the same id.
    SetBody(Body),
    /// Dissolves a body (no other body may name it as parent).
    RemoveBody {
        /// The body dissolved.
        body: BodyId,
    },
    /// Defines a scale (replacing its values if already defined).
    SetScale {
        /// Which scale.
        scale: ScaleKind,
        /// Its values, least to most, one line each.
        values: Vec<String>,
    },
    /// Lists a non-signatory actor on the register.
    ListActor(Actor),
    /// Takes an actor off the register (its record stays, marked).
    DelistActor {
        /// The actor delisted.
        actor: ActorId,
    },
}

fn adoption_words(a: Adoption) -> String {
    match a {
        Adoption::AllGuarantors => "all guarantors".to_owned(),
        Adoption::Quorum(q) => format!("{q} guarantor(s)"),
    }
}

impl CharterChange {
    /// The party the change names, if it names one.
    pub fn party(&self) -> Option<&PartyId> {
        match self {
            CharterChange::AddParty { id, .. } => Some(id),
            CharterChange::RemoveParty { party }
            | CharterChange::RenameParty { party, .. }
            | CharterChange::ChangeRole { party, .. } => Some(party),
            _ => None,
        }
    }
}

impl fmt::Display for CharterChange {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            CharterChange::AddParty {
                id,
                name,
                role,
                key,
            } => write!(
                f,
                "add {id} ({name}) as {role} with key {}",
                key.id().short()
            ),
            CharterChange::RemoveParty { party } => write!(f, "remove {party}"),
            CharterChange::RenameParty { party, name } => write!(f, "rename {party} to {name}"),
            CharterChange::ChangeRole { party, role } => write!(f, "make {party} a {role}"),
            CharterChange::SetClauseAdoption(a) => {
                write!(f, "clauses adopted by {}", adoption_words(*a))
            }
            CharterChange::SetRulingQuorum(q) => write!(f, "ruling quorum {q}"),
            CharterChange::SetAmendmentRule(a) => {
                write!(f, "amendments adopted by {}", adoption_words(*a))
            }
            CharterChange::SetBody(b) => {
                write!(
                    f,
                    "body {} ({}): members {}, decided by {}",
                    b.id,
                    b.name,
                    b.members
                        .iter()
                        .map(PartyId::as_str)
                        .collect::<Vec<_>>()
                        .join(","),
                    b.decision
                )?;
                if b.recuse_accused {
                    f.write_str(", accused members recused")?;
                }
                if let Some(p) = &b.parent {
                    let how = if b.parent_adopts {
                        "adopted by"
                    } else {
                        "under"
                    };
                    write!(f, ", {how} {p}")?;
                }
                Ok(())
            }
            CharterChange::RemoveBody { body } => write!(f, "dissolve body {body}"),
            CharterChange::SetScale { scale, values } => {
                write!(f, "{scale} scale: {}", values.join(", "))
            }
            CharterChange::ListActor(a) => {
                write!(f, "list actor {} ({}) as {}", a.id, a.name, a.standing)?;
                match &a.party {
                    Some(p) => write!(f, " of {p}"),
                    None => Ok(()),
                }
            }
            CharterChange::DelistActor { actor } => write!(f, "delist actor {actor}"),
        }
    }
}

/// A charter amendment as the record stands.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AmendmentState {
    /// The changes, applied in order on adoption.
    pub changes: Vec<CharterChange>,
    /// The party that proposed it.
    pub proposer: PartyId,
    /// The entry that proposed it.
    pub proposal: Head,
    /// Endorsing guarantors with the seq of their endorsement, in order.
    pub endorsements: Vec<(PartyId, u64)>,
    /// The seq of the endorsement that met the amendment rule (the
    /// changes apply from that entry on).
    pub adopted_at: Option<u64>,
}

impl AmendmentState {
    /// Why its changes no longer apply to the charter in force in `state`
    /// (then its adopting endorsement would be refused, and nobody is
    /// expected to endorse it); `None` while they apply.
    pub fn stale(&self, state: &crate::State) -> Option<AmendFault> {
        apply(
            &self.changes,
            state.charter(),
            state.amending(),
            state.keyring(),
        )
        .err()
    }

    /// Whether `endorser`'s endorsement, added to those on record, adopts
    /// the amendment now under `rule`.
    pub(crate) fn adopted_with(
        &self,
        charter: &Charter,
        rule: Adoption,
        endorser: &PartyId,
    ) -> bool {
        self.adopted_at.is_none()
            && charter.quorum_met_by(rule, |p| {
                p == endorser || self.endorsements.iter().any(|(q, _)| q == p)
            })
    }
}

/// Where a party was removed: the amendment and the seq of the entry that
/// adopted it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Removal {
    /// The amendment that removed it.
    pub amendment: AmendmentId,
    /// The seq of the entry that adopted that amendment.
    pub seq: u64,
}

/// What the chain keeps about amending its charter.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Amending {
    /// How many guarantor endorsements adopt an amendment.
    pub rule: Adoption,
    /// Every party removed by amendment, with where.
    pub removed: BTreeMap<PartyId, Removal>,
    /// The bodies, scales and actor register in force.
    pub mechanism: Mechanism,
}

/// The founding state: every guarantor adopts an amendment, nobody removed.
pub(crate) static FOUNDING: Amending = Amending {
    rule: Adoption::AllGuarantors,
    removed: BTreeMap::new(),
    mechanism: Mechanism {
        bodies: BTreeMap::new(),
        scales: BTreeMap::new(),
        actors: BTreeMap::new(),
    },
};

/// Why a list of changes cannot apply to the charter in force.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AmendFault {
    /// The amendment changes nothing.
    #[error("it names no change")]
    Empty,
    /// Too many changes.
    #[error("it names more than {MAX_LIST} changes")]
    TooMany,
    /// A new party's id is a current or former party's.
    #[error("party id {0} is already used by a current or former party")]
    PartyTaken(PartyId),
    /// A change names a party the charter in force does not have.
    #[error("{0} is not a party of the charter in force")]
    NoSuchParty(PartyId),
    /// A new party's key is not a usable public key.
    #[error("party {0}'s key: {1}")]
    Key(PartyId, KeyError),
    /// A new party's key was used before.
    #[error("party {0}'s key {1} has been used before (a key is never reused)")]
    KeyReused(PartyId, String),
    /// The amended charter would have no guarantor.
    #[error("it would leave no guarantor (the last guarantor cannot be removed or change role)")]
    NoGuarantor,
    /// The amended charter would break a charter rule.
    #[error("the charter it leaves is invalid: {0}")]
    Charter(CharterError),
    // issue 14: mechanisms
    /// A body is malformed.
    #[error("body {0}: {1}")]
    Body(BodyId, String),
    /// A change names a body the mechanism does not have.
    #[error("there is no body {0}")]
    NoSuchBody(BodyId),
    /// A scale is malformed.
    #[error("{0} scale: {1}")]
    Scale(ScaleKind, String),
    /// An actor's id is a party's, or the actor is listed already.
    #[error("actor id {0} is already a party's or a listed actor's")]
    ActorTaken(ActorId),
    /// A change names an actor that is not listed.
    #[error("{0} is not a listed actor")]
    NoSuchActor(ActorId),
    /// An actor's name is not one line of visible text.
    #[error("actor {0}: name must be 1-{MAX_TITLE_BYTES} bytes of visible text on one line")]
    ActorName(ActorId),
    /// A party that sits on a body would be removed or made an observer.
    #[error("{0} sits on body {1}: take it off the body in the same amendment first")]
    Member(PartyId, BodyId),
}

/// The charter in force after an amendment, with what else changes.
#[derive(Debug, Clone)]
pub(crate) struct Amended {
    pub charter: Charter,
    pub rule: Adoption,
    /// Parties removed, in order.
    pub removed: Vec<PartyId>,
    /// Parties added, with their keys, in order.
    pub added: Vec<(PartyId, PublicKey)>,
    /// The mechanism after the changes (listings' seqs set on adoption).
    pub mechanism: Mechanism,
    /// Actors listed and delisted by the changes, in order.
    pub listed: Vec<ActorId>,
    /// Actors delisted by the changes, in order.
    pub delisted: Vec<ActorId>,
}

/// Applies `changes`, in order, to the charter in force; checks the result
/// as a whole (as a founding charter is checked, and the amendment rule's
/// quorum against the guarantors left).
pub(crate) fn apply(
    changes: &[CharterChange],
    charter: &Charter,
    amending: &Amending,
    keyring: &Keyring,
) -> Result<Amended, AmendFault> {
    if changes.is_empty() {
        return Err(AmendFault::Empty);
    }
    if changes.len() > MAX_LIST {
        return Err(AmendFault::TooMany);
    }
    let mut out = Amended {
        charter: charter.clone(),
        rule: amending.rule,
        removed: Vec::new(),
        added: Vec::new(),
        mechanism: amending.mechanism.clone(),
        listed: Vec::new(),
        delisted: Vec::new(),
    };
    for change in changes {
        let former = |id: &PartyId| amending.removed.contains_key(id) || out.removed.contains(id);
        match change {
            CharterChange::AddParty {
                id,
                name,
                role,
                key,
            } => {
                if out.charter.party(id).is_some()
                    || former(id)
                    || ActorId::new(id.as_str())
                        .is_ok_and(|a| out.mechanism.actors.contains_key(&a))
                {
                    return Err(AmendFault::PartyTaken(id.clone()));
                }
                key.verifying_key()
                    .map_err(|e| AmendFault::Key(id.clone(), e))?;
                if keyring.ever_used(key) {
                    return Err(AmendFault::KeyReused(id.clone(), key.id().short()));
                }
                out.charter.parties.push(Party {
                    id: id.clone(),
                    name: name.clone(),
                    role: *role,
                    key: *key,
                });
                out.added.push((id.clone(), *key));
            }
            CharterChange::RemoveParty { party } => {
                let before = out.charter.parties.len();
                out.charter.parties.retain(|p| &p.id != party);
                if out.charter.parties.len() == before {
                    return Err(AmendFault::NoSuchParty(party.clone()));
                }
                out.added.retain(|(p, _)| p != party);
                out.removed.push(party.clone());
            }
            CharterChange::RenameParty { party, name } => {
                let p = party_mut(&mut out.charter, party)?;
                p.name = name.clone();
            }
            CharterChange::ChangeRole { party, role } => {
                let p = party_mut(&mut out.charter, party)?;
                p.role = *role;
            }
            CharterChange::SetClauseAdoption(a) => out.charter.rules.clause_adoption = *a,
            CharterChange::SetRulingQuorum(q) => out.charter.rules.ruling_quorum = *q,
            CharterChange::SetAmendmentRule(a) => out.rule = *a,
            CharterChange::SetBody(b) => {
                check_body(b, &out.charter, &out.mechanism)?;
                out.mechanism.bodies.insert(b.id.clone(), b.clone());
            }
            CharterChange::RemoveBody { body } => {
                if out.mechanism.bodies.remove(body).is_none() {
                    return Err(AmendFault::NoSuchBody(body.clone()));
                }
                if let Some(child) = out
                    .mechanism
                    .bodies
                    .values()
                    .find(|b| b.parent.as_ref() == Some(body))
                {
                    return Err(AmendFault::Body(
                        child.id.clone(),
                        format!("names {body} as its parent: dissolve or re-parent it first"),
                    ));
                }
            }
            CharterChange::SetScale { scale, values } => {
                check_scale(*scale, values)?;
                out.mechanism.scales.insert(*scale, values.clone());
            }
            CharterChange::ListActor(a) => {
                let party_id = PartyId::new(a.id.as_str()).ok();
                let is_party = party_id
                    .as_ref()
                    .is_some_and(|p| out.charter.party(p).is_some() || former(p));
                if is_party || out.mechanism.listed(&a.id).is_some() {
                    return Err(AmendFault::ActorTaken(a.id.clone()));
                }
                if crate::text::check_line(&a.name, MAX_TITLE_BYTES).is_err() {
                    return Err(AmendFault::ActorName(a.id.clone()));
                }
                if let Some(p) = &a.party {
                    if out.charter.party(p).is_none() {
                        return Err(AmendFault::NoSuchParty(p.clone()));
                    }
                }
                out.mechanism.actors.insert(
                    a.id.clone(),
                    Listing {
                        actor: a.clone(),
                        listed: 0,
                        delisted: None,
                    },
                );
                out.listed.push(a.id.clone());
            }
            CharterChange::DelistActor { actor } => {
                let Some(l) = out
                    .mechanism
                    .actors
                    .get_mut(actor)
                    .filter(|l| l.delisted.is_none())
                else {
                    return Err(AmendFault::NoSuchActor(actor.clone()));
                };
                l.delisted = Some(0);
                out.delisted.push(actor.clone());
            }
        }
    }
    for b in out.mechanism.bodies.values() {
        for m in &b.members {
            let sits = out
                .charter
                .party(m)
                .is_some_and(|p| !matches!(p.role, Role::Observer | Role::Secretariat));
            if !sits {
                return Err(AmendFault::Member(m.clone(), b.id.clone()));
            }
        }
    }
    let guarantors = out.charter.guarantors().count();
    if guarantors == 0 {
        return Err(AmendFault::NoGuarantor);
    }
    out.charter.validate().map_err(AmendFault::Charter)?;
    if let Adoption::Quorum(q) = out.rule {
        check_quorum("amendment rule quorum", q, guarantors).map_err(AmendFault::Charter)?;
    }
    Ok(out)
}

/// Checks a body against the charter and the other bodies in force.
fn check_body(b: &Body, charter: &Charter, mechanism: &Mechanism) -> Result<(), AmendFault> {
    let bad = |why: String| Err(AmendFault::Body(b.id.clone(), why));
    if crate::text::check_line(&b.name, MAX_TITLE_BYTES).is_err() {
        return bad(format!(
            "name must be 1-{MAX_TITLE_BYTES} bytes of visible text on one line"
        ));
    }
    if b.members.is_empty() || b.members.len() > MAX_LIST {
        return bad(format!("must have 1-{MAX_LIST} members"));
    }
    for (i, m) in b.members.iter().enumerate() {
        if b.members[..i].contains(m) {
            return bad(format!("{m} is named twice"));
        }
        match charter.party(m) {
            None => return Err(AmendFault::NoSuchParty(m.clone())),
            Some(p) if p.role == Role::Observer => {
                return bad(format!("{m} is an observer and signs nothing"))
            }
            Some(p) if p.role == Role::Secretariat => {
                return bad(format!(
                    "{m} is the secretariat: it convenes and records, and votes on nothing"
                ))
            }
            Some(_) => {}
        }
    }
    match b.decision {
        Decision::Quorum(q) if q == 0 || q as usize > b.members.len() => {
            return bad(format!(
                "quorum {q} must be between 1 and its {} member(s)",
                b.members.len()
            ))
        }
        Decision::Consensus { lapse: 0 } => {
            return bad("a consensus lapse must be at least 1 s".into())
        }
        _ => {}
    }
    if b.parent_adopts && b.parent.is_none() {
        return bad("its rulings can only be adopted by a parent body it names".into());
    }
    let mut up = b.parent.clone();
    let mut steps = 0;
    while let Some(p) = up {
        if p == b.id || steps > mechanism.bodies.len() {
            return bad("its parents lead back to itself".into());
        }
        up = mechanism
            .body(&p)
            .ok_or_else(|| AmendFault::NoSuchBody(p.clone()))?
            .parent
            .clone();
        steps += 1;
    }
    Ok(())
}

/// Checks a scale's values: 1-`MAX_LIST` distinct lines.
fn check_scale(scale: ScaleKind, values: &[String]) -> Result<(), AmendFault> {
    let bad = |why: String| Err(AmendFault::Scale(scale, why));
    if values.is_empty() || values.len() > MAX_LIST {
        return bad(format!("must have 1-{MAX_LIST} values"));
    }
    for (i, v) in values.iter().enumerate() {
        if crate::text::check_line(v, MAX_TITLE_BYTES).is_err() {
            return bad(format!(
                "each value must be 1-{MAX_TITLE_BYTES} bytes of visible text on one line"
            ));
        }
        if values[..i].contains(v) {
            return bad(format!("{v:?} is named twice"));
        }
    }
    Ok(())
}

fn party_mut<'a>(charter: &'a mut Charter, id: &PartyId) -> Result<&'a mut Party, AmendFault> {
    charter
        .parties
        .iter_mut()
        .find(|p| &p.id == id)
        .ok_or_else(|| AmendFault::NoSuchParty(id.clone()))
}

/// Applies the changes of the amendment `entry` adopted, if it adopted one
/// (its record in `records` says it was adopted at this entry), to the
/// charter, the amending state and the keyring: the changes hold from this
/// entry on; an added party's key signs from the next entry, a removed
/// party's key stops here. Used by the gate and by a bundle's key history.
pub(crate) fn on_adoption(
    records: &Records,
    entry: &Sealed,
    charter: &mut Charter,
    amending: &mut Amending,
    keyring: &mut Keyring,
) {
    let Event::AmendmentEndorsed { amendment: id, .. } = &entry.entry.body.event else {
        return;
    };
    let seq = entry.seq();
    let Some(a) = records
        .amendments()
        .get(id)
        .filter(|a| a.adopted_at == Some(seq))
    else {
        return;
    };
    // Checked by `decide` against this very charter: it applies.
    let Ok(done) = apply(&a.changes, charter, amending, keyring) else {
        return;
    };
    *charter = done.charter;
    amending.rule = done.rule;
    amending.mechanism = done.mechanism;
    for actor in &done.listed {
        if let Some(l) = amending.mechanism.actors.get_mut(actor) {
            l.listed = seq;
        }
    }
    for actor in &done.delisted {
        if let Some(l) = amending.mechanism.actors.get_mut(actor) {
            l.delisted = Some(seq);
        }
    }
    for party in done.removed {
        keyring.replace(&party, seq, None);
        amending.removed.insert(
            party,
            Removal {
                amendment: id.clone(),
                seq,
            },
        );
    }
    for (party, key) in done.added {
        keyring.replace(&party, seq, Some(key));
    }
}

/// Whether the secretariat may sign `event`: it convenes and records, so it
/// proposes clauses and amendments (and withdraws its own clause
/// proposals), endorses clauses (never counted) and
/// rotates its own key; it is bound by nothing and votes on nothing.
pub(crate) fn secretariat_may(event: &Event) -> bool {
    matches!(
        event,
        Event::ClauseProposed { .. }
            | Event::ClauseEndorsed { .. }
            | Event::ClauseWithdrawn { .. }
            | Event::AmendmentProposed { .. }
            | Event::KeyRotated { .. }
            // issue 14: bodies (the secretariat tables clauses as it proposes them)
            | Event::ClauseTabled { .. }
            // issue 14: monitoring (the secretariat records meetings and
            // cosigns those it attended, refers items and tasks teams that
            // have no parent body)
            | Event::MeetingRecorded { .. }
            | Event::MeetingCosigned { .. }
            | Event::ItemReferred { .. }
            | Event::TeamTasked { .. }
    )
}
