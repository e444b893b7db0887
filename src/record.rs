//! Turns the writing commands' arguments into events. Anything an event
//! must reference by hash (a clause or ruling proposal) is looked up
//! through a [`Lookup`]: the local ledger, or a server (`--remote`); every
//! rule is left to the ledger's append (or the server's, the same gate).

use std::path::PathBuf;

use accord_core::crypto::PublicKey;
use accord_core::limits::MAX_TEXT_BYTES;
use accord_core::terms::{Accused, Degree};
use accord_core::{ActorId, EntryHash, Head, NextEntry, Proposal, Verdict};
use accord_core::{Adoption, CharterChange, Role};
use accord_core::{
    AllegationId, AmendmentId, Attribution, BodyId, ClauseId, CommitmentId, Event, Finding, ItemId,
    PartyId, Position, RecordKey, RevocationId, RulingId,
};
use accord_ledger::DiskLedger;
use anyhow::{anyhow, bail, Context, Result};

use crate::cli::{
    AllegationCommand, AllegeArgs, AmendArgs, ClauseCommand, ClauseTextArgs, CommitArgs,
    CommitmentCommand, EndorseAmendmentArgs, EndorseRevocationArgs, RespondArgs, RevokeArgs,
    RotateArgs, RulingCommand, RulingTermsArgs, ViewArgs,
};
use crate::{bounded, clock, evidence};

/// A command that appends one entry: every one the command line has, so
/// that [`event_for`] handles each (the compiler checks it).
pub enum Writing {
    Clause(ClauseCommand),
    Commit(CommitArgs),
    Commitment(CommitmentCommand),
    Allege(AllegeArgs),
    Respond(RespondArgs),
    Allegation(AllegationCommand),
    Ruling(RulingCommand),
    Rotate(RotateArgs),
    Revoke(RevokeArgs),
    EndorseRevocation(EndorseRevocationArgs),
    // issue 13: charter amendments
    Amend(Box<AmendArgs>),
    EndorseAmendment(EndorseAmendmentArgs),
    // issue 14: bodies
    View(ViewArgs),
    // issue 14: monitoring
    Monitoring(crate::commands::monitoring::Writing),
}

/// What building and signing an event needs from a ledger: the local one,
/// or a server's (`crate::remote`).
pub trait Lookup {
    /// The proposal `key` names (a clause, ruling or revocation), if any.
    fn proposal(&mut self, key: &RecordKey) -> Result<Option<Proposal>>;
    /// What the next entry signed with `key` links to and counts from.
    fn next_for(&mut self, key: &PublicKey) -> Result<NextEntry>;
    /// The entry that made a commitment (what joining it names) and the
    /// obligor's latest report on it (what an attestation names).
    fn commitment(&mut self, commitment: &CommitmentId) -> Result<Option<(Head, Option<Head>)>>;
    /// The hash of clause `id`'s pending term proposal, if any.
    fn clause_term(&mut self, id: &ClauseId) -> Result<Option<Head>>;
    // issue 14: actors
    /// Whether `id` names an actor listed now (a server is not asked: name
    /// an actor as `actor:ID` with `--remote`).
    fn actor_listed(&mut self, _id: &str) -> Result<bool> {
        Ok(false)
    }
    // issue 15: messages
    /// What adopts the proposal `key` names, in words (a server is not
    /// asked: `None`).
    fn adoption_rule(&mut self, _key: &RecordKey) -> Result<Option<String>> {
        Ok(None)
    }
}

impl Lookup for DiskLedger {
    fn proposal(&mut self, key: &RecordKey) -> Result<Option<Proposal>> {
        Ok(DiskLedger::proposal(self, key)?)
    }

    fn next_for(&mut self, key: &PublicKey) -> Result<NextEntry> {
        Ok(DiskLedger::next_for(self, key)?)
    }

    fn commitment(&mut self, commitment: &CommitmentId) -> Result<Option<(Head, Option<Head>)>> {
        let key = RecordKey::Commitment(commitment.clone());
        Ok(self
            .records(vec![key])?
            .commitments()
            .get(commitment)
            .map(|c| (c.made, c.last_report)))
    }

    fn clause_term(&mut self, id: &ClauseId) -> Result<Option<Head>> {
        Ok(self.clause(id)?.and_then(|c| c.term.map(|t| t.proposal)))
    }

    // issue 15: messages
    fn adoption_rule(&mut self, key: &RecordKey) -> Result<Option<String>> {
        Ok(DiskLedger::adoption_rule(self, key)?)
    }

    // issue 14: actors
    fn actor_listed(&mut self, id: &str) -> Result<bool> {
        let Ok(id) = ActorId::new(id) else {
            return Ok(false);
        };
        Ok(self.mechanism()?.listed(&id).is_some())
    }
}

/// The event a writing command records and the key that signs it.
pub fn event_for(cmd: Writing, ledger: &mut impl Lookup) -> Result<(Event, PathBuf)> {
    Ok(match cmd {
        // issue 14: monitoring
        Writing::Monitoring(cmd) => crate::commands::monitoring::event_for(cmd, ledger)?,
        Writing::Clause(ClauseCommand::Propose {
            id,
            text,
            signatories,
            key,
        }) => {
            let (title, text) = clause_text(text)?;
            let id = ClauseId::new(id)?;
            // issue 14: bodies (signatories table it for them alone)
            if signatories.is_empty() {
                (Event::ClauseProposed { id, title, text }, key.key)
            } else {
                let signatories = signatories
                    .into_iter()
                    .map(PartyId::new)
                    .collect::<Result<_, _>>()?;
                (
                    Event::ClauseTabled {
                        id,
                        title,
                        text,
                        signatories,
                    },
                    key.key,
                )
            }
        }
        Writing::Clause(ClauseCommand::Endorse { id, key }) => {
            let (clause, proposal) = clause_proposal(ledger, id)?;
            (Event::ClauseEndorsed { clause, proposal }, key.key)
        }
        Writing::Clause(ClauseCommand::Accept { id, key }) => {
            let (clause, proposal) = clause_proposal(ledger, id)?;
            (Event::ClauseAccepted { clause, proposal }, key.key)
        }
        // issue 13: clauses
        Writing::Clause(ClauseCommand::Withdraw { id, reason, key }) => (
            Event::ClauseWithdrawn {
                clause: ClauseId::new(id)?,
                reason,
            },
            key.key,
        ),
        Writing::Clause(ClauseCommand::Decline { id, reason, key }) => {
            let (clause, proposal) = clause_proposal(ledger, id)?;
            (
                Event::ClauseDeclined {
                    clause,
                    proposal,
                    reason,
                },
                key.key,
            )
        }
        Writing::Clause(ClauseCommand::Revise {
            id,
            revises,
            text,
            key,
        }) => {
            let (title, text) = clause_text(text)?;
            (
                Event::ClauseRevisionProposed {
                    id: ClauseId::new(id)?,
                    revises: ClauseId::new(revises)?,
                    title,
                    text,
                },
                key.key,
            )
        }
        Writing::Clause(ClauseCommand::Extend {
            id,
            until,
            no_end,
            reason,
            key,
        }) => {
            let until = match (until, no_end) {
                (Some(t), false) => Some(clock::parse(&t)?),
                (None, true) => None,
                _ => bail!("give either --until TIME or --no-end"),
            };
            (
                Event::ClauseTermProposed {
                    clause: ClauseId::new(id)?,
                    until,
                    reason,
                },
                key.key,
            )
        }
        Writing::Clause(ClauseCommand::EndorseTerm {
            id,
            proposal: read,
            key,
        }) => {
            let clause = ClauseId::new(id)?;
            let pending = ledger.clause_term(&clause)?.with_context(|| {
                format!("clause {clause} has no term proposal pending: propose one with `accord clause extend`")
            })?;
            if pending.seq != read {
                bail!(
                    "the pending term proposal of clause {clause} is entry {}, not {read}: read it (accord show {}) before endorsing",
                    pending.seq,
                    pending.seq
                );
            }
            let proposal = pending.hash;
            (Event::ClauseTermEndorsed { clause, proposal }, key.key)
        }
        Writing::Clause(ClauseCommand::Show { .. } | ClauseCommand::List { .. }) => {
            bail!("`clause show` and `clause list` record nothing")
        }
        Writing::Commit(CommitArgs {
            id,
            clause,
            text,
            zone,
            due,
            until,
            key,
        }) => {
            let (id, clause) = (CommitmentId::new(id)?, ClauseId::new(clause)?);
            let due = due.as_deref().map(clock::parse).transpose()?;
            // Without an until time the original kind is written, so such
            // entries read the same to tools that predate it.
            let event = match until {
                None => Event::CommitmentMade {
                    id,
                    clause,
                    text,
                    zone,
                    due,
                },
                Some(until) => Event::CommitmentUndertaken {
                    id,
                    clause,
                    text,
                    zone,
                    due,
                    until: Some(clock::parse(&until)?),
                },
            };
            (event, key.key)
        }
        Writing::Commitment(c) => match c {
            CommitmentCommand::Fulfil { id, note, key } => (
                Event::CommitmentFulfilled {
                    commitment: CommitmentId::new(id)?,
                    note,
                },
                key.key,
            ),
            CommitmentCommand::Withdraw { id, reason, key } => (
                Event::CommitmentWithdrawn {
                    commitment: CommitmentId::new(id)?,
                    reason,
                },
                key.key,
            ),
            CommitmentCommand::Remedy { id, note, key } => (
                Event::CommitmentRemedied {
                    commitment: CommitmentId::new(id)?,
                    note,
                },
                key.key,
            ),
            CommitmentCommand::Progress {
                id,
                done,
                of,
                note,
                key,
            } => (
                Event::CommitmentProgressed {
                    commitment: CommitmentId::new(id)?,
                    done,
                    of,
                    note,
                },
                key.key,
            ),
            CommitmentCommand::Attest {
                id,
                report: checked,
                verdict,
                note,
                key,
            } => {
                let commitment = CommitmentId::new(id)?;
                let report = ledger
                    .commitment(&commitment)?
                    .and_then(|(_, report)| report)
                    .with_context(|| {
                        format!("commitment {commitment} has no report to attest (no fulfilment, progress or remedy on record)")
                    })?;
                if report.seq != checked {
                    bail!(
                        "the latest report on commitment {commitment} is entry {}, not {checked}: read it (accord show {}) before attesting it",
                        report.seq,
                        report.seq
                    );
                }
                (
                    Event::CommitmentAttested {
                        commitment,
                        report: report.hash,
                        verdict: if verdict.disputed {
                            Verdict::Disputed
                        } else {
                            Verdict::Verified
                        },
                        note,
                    },
                    key.key,
                )
            }
            CommitmentCommand::Reschedule {
                id,
                due,
                until,
                reason,
                key,
            } => (
                Event::CommitmentRescheduleProposed {
                    commitment: CommitmentId::new(id)?,
                    due: optional_time(&due)?,
                    until: optional_time(&until)?,
                    reason,
                },
                key.key,
            ),
            CommitmentCommand::Join { id, key } => {
                let commitment = CommitmentId::new(id)?;
                let (made, _) = ledger
                    .commitment(&commitment)?
                    .with_context(|| format!("no commitment {commitment} has been made"))?;
                (
                    Event::CommitmentJoined {
                        commitment,
                        made: made.hash,
                    },
                    key.key,
                )
            }
            CommitmentCommand::AgreeReschedule {
                id,
                proposal: read,
                key,
            } => {
                let commitment = CommitmentId::new(id)?;
                let pending = ledger
                    .proposal(&RecordKey::Commitment(commitment.clone()))?
                    .map(|p| p.proposal)
                    .with_context(|| {
                        format!("no reschedule of commitment {commitment} is pending")
                    })?;
                if pending.seq != read {
                    bail!(
                        "the pending reschedule of commitment {commitment} is entry {}, not {read}: read it (accord show {}) before agreeing",
                        pending.seq,
                        pending.seq
                    );
                }
                let proposal = pending.hash;
                (
                    Event::CommitmentRescheduleEndorsed {
                        commitment,
                        proposal,
                    },
                    key.key,
                )
            }
        },
        // issue 14: actors (`allegation file` is `allege`)
        Writing::Allege(args) | Writing::Allegation(AllegationCommand::File(args)) => {
            allegation_event(args, ledger)?
        }
        Writing::Respond(RespondArgs {
            allegation,
            position,
            text,
            evidence,
            key,
        }) => (
            Event::AllegationAnswered {
                allegation: AllegationId::new(allegation)?,
                position: position
                    .parse::<Position>()
                    .map_err(|e| anyhow!("--position: {e}"))?,
                text,
                evidence: evidence::digest_all(&evidence)?,
            },
            key.key,
        ),
        Writing::Allegation(AllegationCommand::Correct {
            id,
            occurred,
            location,
            summary,
            commitments,
            evidence,
            reason,
            key,
        }) => (
            Event::AllegationCorrected {
                allegation: AllegationId::new(id)?,
                commitments: match commitments.is_empty() {
                    true => None,
                    false => Some(
                        commitments
                            .into_iter()
                            .map(CommitmentId::new)
                            .collect::<Result<_, _>>()?,
                    ),
                },
                occurred: occurred.as_deref().map(clock::parse).transpose()?,
                location,
                summary,
                evidence: evidence::digest_all(&evidence)?,
                reason,
            },
            key.key,
        ),
        Writing::Allegation(AllegationCommand::Withdraw { id, reason, key }) => (
            Event::AllegationWithdrawn {
                allegation: AllegationId::new(id)?,
                reason,
            },
            key.key,
        ),
        Writing::Ruling(r) => match r {
            RulingCommand::Propose {
                id,
                allegation,
                on,
                body,
                terms: t,
                key,
            } => {
                let (finding, attribution, breaches, text) = terms(t, ledger)?;
                let id = RulingId::new(id)?;
                // issue 14: bodies (a body's ruling is drafted by a member)
                let event = match (body, allegation.or(on)) {
                    (Some(body), Some(on)) => Event::RulingDrafted {
                        id,
                        on: ItemId::new(on)?,
                        body: BodyId::new(body)?,
                        finding,
                        attribution,
                        breaches,
                        text,
                    },
                    (None, Some(allegation)) => Event::RulingProposed {
                        id,
                        allegation: AllegationId::new(allegation)?,
                        finding,
                        attribution,
                        breaches,
                        text,
                    },
                    (_, None) => bail!("name what the ruling decides: --allegation or --on"),
                };
                (event, key.key)
            }
            RulingCommand::Revise {
                id,
                revises,
                terms: t,
                key,
            } => {
                let (finding, attribution, breaches, text) = terms(t, ledger)?;
                (
                    Event::RulingRevisionProposed {
                        id: RulingId::new(id)?,
                        revises: RulingId::new(revises)?,
                        finding,
                        attribution,
                        breaches,
                        text,
                    },
                    key.key,
                )
            }
            RulingCommand::Endorse { id, key } => {
                let (ruling, proposal) = ruling_proposal(ledger, id)?;
                (Event::RulingEndorsed { ruling, proposal }, key.key)
            }
            // issue 14: bodies
            RulingCommand::Ratify { id, key } => {
                let (ruling, proposal) = ruling_proposal(ledger, id)?;
                (Event::RulingRatified { ruling, proposal }, key.key)
            }
            RulingCommand::Dissent { id, text, key } => {
                let (ruling, proposal) = ruling_proposal(ledger, id)?;
                (
                    Event::RulingDissented {
                        ruling,
                        proposal,
                        text,
                    },
                    key.key,
                )
            }
        },
        Writing::Rotate(RotateArgs { new, key }) => {
            // The new key signs too, proving its holder is the one rotating
            // to it: a public key file is not enough.
            let signer = crate::keyfile::load_public(&key.key)?;
            let new_secret = crate::keyfile::load_private(&new).with_context(|| {
                format!(
                    "--new must be the new private key (it signs a proof that you hold it), not {}",
                    new.display()
                )
            })?;
            let new_key = accord_core::crypto::public_key(&new_secret);
            let next = ledger.next_for(&signer).map_err(|_| {
                anyhow::anyhow!(
                    "{} is not the current key of any party of this ledger",
                    key.key.display()
                )
            })?;
            let message =
                accord_core::crypto::possession_message(&next.ledger, &next.party, &new_key)?;
            let proof = accord_core::crypto::sign(&new_secret, &message);
            (Event::KeyRotated { new_key, proof }, key.key)
        }
        Writing::Revoke(RevokeArgs {
            party,
            id,
            reason,
            replacement,
            key,
        }) => (
            Event::KeyRevocationProposed {
                id: RevocationId::new(id)?,
                party: PartyId::new(party)?,
                reason,
                replacement: replacement
                    .as_deref()
                    .map(crate::keyfile::load_public)
                    .transpose()?,
            },
            key.key,
        ),
        Writing::EndorseRevocation(EndorseRevocationArgs { id, key }) => {
            let revocation = RevocationId::new(id)?;
            let proposal = ledger
                .proposal(&RecordKey::Revocation(revocation.clone()))?
                .map(|p| p.proposal.hash)
                .with_context(|| format!("no revocation {revocation} has been proposed"))?;
            (
                Event::KeyRevocationEndorsed {
                    revocation,
                    proposal,
                },
                key.key,
            )
        }
        // issue 14: bodies
        Writing::View(ViewArgs { item, text, key }) => (
            Event::ViewRecorded {
                item: ItemId::new(item)?,
                text,
            },
            key.key,
        ),
        // issue 13: charter amendments
        Writing::Amend(args) => amendment_event(*args)?,
        Writing::EndorseAmendment(EndorseAmendmentArgs { id, key }) => {
            let amendment = AmendmentId::new(id)?;
            let proposal = ledger
                .proposal(&RecordKey::Amendment(amendment.clone()))?
                .map(|p| p.proposal.hash)
                .with_context(|| format!("no amendment {amendment} has been proposed"))?;
            (
                Event::AmendmentEndorsed {
                    amendment,
                    proposal,
                },
                key.key,
            )
        }
    })
}

/// A ruling's finding, attribution, breaches and text from their arguments.
fn terms(
    t: RulingTermsArgs,
    ledger: &mut impl Lookup,
) -> Result<(Finding, Attribution, Vec<CommitmentId>, String)> {
    Ok((
        t.finding
            .parse::<Finding>()
            .map_err(|e| anyhow!("--finding: {e}"))?,
        attribution(&t.attribution, ledger).map_err(|e| anyhow!("--attribution: {e}"))?,
        t.breaches
            .into_iter()
            .map(CommitmentId::new)
            .collect::<Result<_, _>>()?,
        t.text,
    ))
}

/// A time argument that may say "none".
fn optional_time(arg: &str) -> Result<Option<i64>> {
    match arg {
        "none" => Ok(None),
        t => Ok(Some(clock::parse(t)?)),
    }
}

fn clause_proposal(ledger: &mut impl Lookup, id: String) -> Result<(ClauseId, EntryHash)> {
    let clause = ClauseId::new(id)?;
    let proposal = ledger
        .proposal(&RecordKey::Clause(clause.clone()))?
        .map(|c| c.proposal.hash)
        .with_context(|| format!("no clause {clause} has been proposed"))?;
    Ok((clause, proposal))
}

fn ruling_proposal(ledger: &mut impl Lookup, id: String) -> Result<(RulingId, EntryHash)> {
    let ruling = RulingId::new(id)?;
    let proposal = ledger
        .proposal(&RecordKey::Ruling(ruling.clone()))?
        .map(|r| r.proposal.hash)
        .with_context(|| format!("no ruling {ruling} has been proposed"))?;
    Ok((ruling, proposal))
}

/// A clause's title and text, the text inline or from its file.
fn clause_text(args: ClauseTextArgs) -> Result<(String, String)> {
    let text = match (args.text, args.text_file) {
        (Some(t), _) => t,
        (None, Some(f)) => read_text_file(&f)?,
        (None, None) => bail!("give the clause text with --text or --text-file"),
    };
    Ok((args.title, text))
}

/// A clause text from a file: read to at most the text limit plus one byte,
/// so that an endless or huge file is refused without being held.
fn read_text_file(path: &std::path::Path) -> Result<String> {
    let bytes = bounded::read_at_most(path, MAX_TEXT_BYTES).context("--text-file")?;
    let text = String::from_utf8(bytes)
        .with_context(|| format!("{} is not UTF-8 text", path.display()))?;
    // Files written on Windows end lines with CR LF; entries hold LF only.
    Ok(text.replace("\r\n", "\n"))
}

// issue 13: charter amendments
/// The amendment `charter amend` proposes: its changes in a fixed order
/// (removals, the addition, renames, role changes, rules).
fn amendment_event(args: AmendArgs) -> Result<(Event, PathBuf)> {
    let mut changes = Vec::new();
    for party in args.remove_party {
        changes.push(CharterChange::RemoveParty {
            party: PartyId::new(party)?,
        });
    }
    if let (Some(id), Some(name), Some(role), Some(key)) =
        (args.add_party, args.name, args.role, args.party_key)
    {
        changes.push(CharterChange::AddParty {
            id: PartyId::new(id)?,
            name,
            role: role.parse::<Role>()?,
            key: crate::keyfile::load_public(&key)?,
        });
    }
    for pair in args.rename_party.chunks(2) {
        if let [party, name] = pair {
            changes.push(CharterChange::RenameParty {
                party: PartyId::new(party.as_str())?,
                name: name.clone(),
            });
        }
    }
    for pair in args.set_role.chunks(2) {
        if let [party, role] = pair {
            changes.push(CharterChange::ChangeRole {
                party: PartyId::new(party.as_str())?,
                role: role.parse::<Role>()?,
            });
        }
    }
    if let Some(rule) = args.set_clause_adoption {
        changes.push(CharterChange::SetClauseAdoption(adoption(
            "--set-clause-adoption",
            &rule,
        )?));
    }
    if let Some(q) = args.set_ruling_quorum {
        changes.push(CharterChange::SetRulingQuorum(q));
    }
    if let Some(rule) = args.set_amendment_rule {
        changes.push(CharterChange::SetAmendmentRule(adoption(
            "--set-amendment-rule",
            &rule,
        )?));
    }
    // issue 14: mechanisms
    changes.extend(mechanism_changes(
        args.body_file.as_deref(),
        &args.remove_body,
        &args.set_scale,
        (
            args.list_actor,
            args.actor_name,
            args.standing,
            args.actor_party,
        ),
        &args.delist_actor,
    )?);
    if changes.is_empty() {
        bail!("charter amend names no change: give --add-party, --remove-party, --rename-party, --set-role, --set-clause-adoption, --set-ruling-quorum, --set-amendment-rule, --body-file, --remove-body, --set-scale, --list-actor or --delist-actor");
    }
    Ok((
        Event::AmendmentProposed {
            id: AmendmentId::new(args.id)?,
            changes,
            reason: args.reason,
        },
        args.key.key,
    ))
}

/// An adoption rule from the command line: `all`, or a number of guarantors.
fn adoption(flag: &str, s: &str) -> Result<Adoption> {
    if s == "all" {
        return Ok(Adoption::AllGuarantors);
    }
    s.parse::<u32>()
        .map(Adoption::Quorum)
        .map_err(|_| anyhow!("{flag} takes \"all\" or a number of guarantors, not {s:?}"))
}

// issue 14: actors
/// Whom `--against ID` or `--attribution ID` names: `actor:ID` an actor,
/// `party:ID` a party; otherwise an actor if one is listed under that id
/// now, else a party.
fn accused(arg: &str, ledger: &mut impl Lookup) -> Result<Accused> {
    if let Some(id) = arg.strip_prefix("actor:") {
        return Ok(Accused::Actor(ActorId::new(id)?));
    }
    if let Some(id) = arg.strip_prefix("party:") {
        return Ok(Accused::Party(PartyId::new(id)?));
    }
    Ok(match ledger.actor_listed(arg)? {
        true => Accused::Actor(ActorId::new(arg)?),
        false => Accused::Party(PartyId::new(arg)?),
    })
}

/// A ruling's attribution: shared, unattributable, a party or a listed
/// actor (attributed), or `largely:ID` (largely attributed).
fn attribution(arg: &str, ledger: &mut impl Lookup) -> Result<Attribution> {
    if arg == "shared" || arg == "unattributable" {
        return arg.parse::<Attribution>().map_err(|e| anyhow!(e));
    }
    let largely = ["largely:", "largely-attributed:"]
        .iter()
        .find_map(|p| arg.strip_prefix(p));
    Ok(match (largely, accused(largely.unwrap_or(arg), ledger)?) {
        (None, Accused::Party(p)) => Attribution::Party(p),
        (None, who) => Attribution::To {
            who,
            degree: Degree::Attributed,
        },
        (Some(_), who) => Attribution::To {
            who,
            degree: Degree::LargelyAttributed,
        },
    })
}

/// `allege` / `allegation file`: one party accused is the original
/// `AllegationFiled`; several accused, an actor or persons unknown
/// (`--against unknown` alone) an `AllegationLodged`.
fn allegation_event(args: AllegeArgs, ledger: &mut impl Lookup) -> Result<(Event, PathBuf)> {
    let AllegeArgs {
        id,
        against,
        commitments,
        occurred,
        location,
        summary,
        evidence,
        key,
    } = args;
    let unknown = against.iter().any(|a| a == "unknown");
    if unknown && against.len() > 1 {
        bail!("--against unknown (persons unknown) cannot be named with anyone else");
    }
    let accused: Vec<Accused> = match unknown {
        true => Vec::new(),
        false => against
            .iter()
            .map(|a| accused(a, ledger))
            .collect::<Result<_>>()?,
    };
    let id = AllegationId::new(id)?;
    let commitments = commitments
        .into_iter()
        .map(CommitmentId::new)
        .collect::<Result<_, _>>()?;
    let occurred = clock::parse(&occurred)?;
    let evidence = evidence::digest_all(&evidence)?;
    let event = match accused.as_slice() {
        [Accused::Party(p)] => Event::AllegationFiled {
            id,
            against: p.clone(),
            commitments,
            occurred,
            location,
            summary,
            evidence,
        },
        _ => Event::AllegationLodged {
            id,
            accused,
            commitments,
            occurred,
            location,
            summary,
            evidence,
        },
    };
    Ok((event, key.key))
}

/// The mechanism changes of `charter amend`, in a fixed order: delistings,
/// bodies dissolved, bodies from the file, scales, the actor listed.
fn mechanism_changes(
    body_file: Option<&std::path::Path>,
    remove_body: &[String],
    set_scale: &[String],
    list_actor: (
        Option<String>,
        Option<String>,
        Option<String>,
        Option<String>,
    ),
    delist_actor: &[String],
) -> Result<Vec<CharterChange>> {
    use accord_core::mechanism::{Actor, ScaleKind, Standing};
    let mut changes = Vec::new();
    for actor in delist_actor {
        changes.push(CharterChange::DelistActor {
            actor: accord_core::ActorId::new(actor.as_str())?,
        });
    }
    for body in remove_body {
        changes.push(CharterChange::RemoveBody {
            body: accord_core::BodyId::new(body.as_str())?,
        });
    }
    if let Some(path) = body_file {
        let bytes = bounded::read_at_most(path, MAX_TEXT_BYTES).context("--body-file")?;
        let text = String::from_utf8(bytes)
            .map_err(|_| anyhow!("{} is not a bodies file (not UTF-8 text)", path.display()))?;
        changes.extend(
            accord_ledger::mechanism_toml::parse(&text)
                .with_context(|| format!("bodies file {}", path.display()))?,
        );
    }
    for spec in set_scale {
        let Some((scale, values)) = spec.split_once('=') else {
            bail!("--set-scale takes SCALE=V1,V2,... (e.g. severity=minor,serious,grave), not {spec:?}");
        };
        let scale: ScaleKind = scale
            .trim()
            .parse()
            .map_err(|e| anyhow!("--set-scale: {e}"))?;
        let values = values.split(',').map(|v| v.trim().to_owned()).collect();
        changes.push(CharterChange::SetScale { scale, values });
    }
    if let (Some(id), Some(name), Some(standing), party) = list_actor {
        changes.push(CharterChange::ListActor(Actor {
            id: accord_core::ActorId::new(id)?,
            name,
            standing: standing
                .parse::<Standing>()
                .map_err(|e| anyhow!("--standing: {e}"))?,
            party: party.map(PartyId::new).transpose()?,
        }));
    }
    Ok(changes)
}
