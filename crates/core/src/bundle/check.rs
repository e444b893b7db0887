//! Checking a dispute bundle with nothing but the bundle and a policy.
//!
//! In order: the checkpoint is for the charter's ledger; the listed key
//! events hash to the checkpoint's `accord-keys` line (none left out); the
//! key events replay under the rules (`keys`); the checkpoint is signed by a
//! party and cosigned by a quorum of the policy's witnesses, each with its
//! key at the checkpoint's size; every entry is in the checkpointed tree
//! (RFC 9162 inclusion proofs); every chosen entry is signed by its
//! author's key at its position. The first failure refuses the bundle. The
//! time bound is the cosigners' clocks: nothing here reads one.

use crate::event::Event;
use crate::ids::{EntryHash, KeyId, LedgerId, PartyId};
use crate::keycommit;
use crate::policy::{self, Policy as WitnessPolicy, SignatureError, WitnessKeys};
use crate::Sealed;

use super::keys::KeyHistory;
use super::{Bundle, BundleError, EntryFault, ProvenEntry};

/// Whose cosignatures make a checkpoint trusted.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Policy {
    /// The witnesses (default: the charter's guarantors).
    pub witnesses: Option<Vec<PartyId>>,
    /// How many of them must cosign (default: the charter's ruling quorum).
    pub quorum: Option<usize>,
    /// The ledger the reader expects (its id, known from elsewhere): a
    /// bundle is otherwise judged only against the charter it carries.
    pub ledger: Option<LedgerId>,
}

/// What a valid bundle shows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Verified {
    /// The ledger id (the hash of the charter entry).
    pub ledger: LedgerId,
    /// The checkpoint's origin line.
    pub origin: String,
    /// The checkpoint's tree size: the entries 0 to size-1 it covers.
    pub size: u64,
    /// The checkpoint's Merkle tree root (RFC 9162) over those entries.
    pub root: [u8; 32],
    /// The party whose signature on the checkpoint verified.
    pub signer: PartyId,
    /// How many key events (the charter included) were replayed.
    pub key_events: usize,
    /// The chosen entries, in the bundle's order; each is verified.
    pub entries: Vec<EntryReport>,
    /// Every policy witness whose cosignature verified, with the time it
    /// claims, earliest first.
    pub cosigners: Vec<(PartyId, i64)>,
    /// The policy's witnesses, defaults applied (the charter's guarantors).
    pub witnesses: Vec<PartyId>,
    /// The policy's quorum, defaults applied (the charter's ruling quorum).
    pub quorum: usize,
    /// The time by which a quorum of witnesses had seen the checkpoint.
    pub time_bound: TimeBound,
}

/// One chosen entry, verified: in the tree, signed by its author's key at
/// its position.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EntryReport {
    /// Its position in the ledger (its leaf index in the tree).
    pub seq: u64,
    /// The hash of its canonical bytes, as the hash chain links it.
    pub hash: EntryHash,
    /// The kind of event it records, as the CLI names it (e.g. "ruling-proposed").
    pub kind: &'static str,
    /// The party that signed it.
    pub author: PartyId,
    /// The id of the key that signed it.
    pub key: KeyId,
    /// What the entry says, in one line.
    pub says: String,
    /// The time its author claims (Unix seconds): a claim, not a proof.
    pub time: i64,
}

/// "Existed no later than `time`, per `by`": the earliest cosignature time
/// by which a quorum of witnesses had cosigned (the quorum-th earliest of
/// the valid cosignatures' times), and those witnesses.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TimeBound {
    /// Unix seconds, by the witnesses' clocks: the checkpoint existed then.
    pub time: i64,
    /// The quorum of witnesses whose cosignatures set that time.
    pub by: Vec<PartyId>,
}

/// Checks `bundle` under `policy`; the first failure refuses it.
pub fn check(bundle: &Bundle, policy: &Policy) -> Result<Verified, BundleError> {
    let cp = checkpoint::read(&bundle.checkpoint)?;
    let (size, root) = (cp.body.size, cp.body.root);
    if bundle.entries.is_empty() {
        return Err(BundleError::NoEntries);
    }
    let (history, key_events) = key_history(bundle, &cp, policy)?;
    let (signer, cosigners, witnesses, quorum) = signatures(&cp, &history, policy)?;
    inclusion(bundle, size, &root)?;
    let entries = bundle
        .entries
        .iter()
        .map(|e| chosen(e, &history, size))
        .collect::<Result<Vec<_>, _>>()?;
    let time_bound = TimeBound {
        time: cosigners[quorum - 1].1,
        by: cosigners[..quorum].iter().map(|(p, _)| p.clone()).collect(),
    };
    Ok(Verified {
        ledger: history.ledger(),
        origin: cp.body.origin(),
        size,
        root,
        signer,
        key_events,
        entries,
        cosigners,
        witnesses,
        quorum,
        time_bound,
    })
}

/// The charter (of the expected ledger, and the checkpoint's), the key
/// events complete by the checkpoint's `accord-keys` line, replayed; and
/// how many there were.
fn key_history(
    bundle: &Bundle,
    cp: &checkpoint::Checkpoint,
    policy: &Policy,
) -> Result<(KeyHistory, usize), BundleError> {
    let size = cp.body.size;
    let (charter_entry, later) = bundle
        .key_events
        .split_first()
        .filter(|(first, _)| first.seq == 0)
        .ok_or(BundleError::NoCharter)?;
    let entry0 = decode("key event", charter_entry, size)?;
    let mut history = KeyHistory::found(&entry0).map_err(|v| BundleError::Charter(Box::new(v)))?;
    if let Some(expected) = policy.ledger.filter(|l| *l != history.ledger()) {
        return Err(BundleError::NotTheLedger {
            expected: expected.to_hex(),
            found: history.ledger().to_hex(),
        });
    }
    if cp.body.ledger != history.ledger() {
        return Err(BundleError::Origin {
            expected: history.ledger().to_hex(),
            found: cp.body.origin(),
        });
    }
    let mut key_events = vec![entry0];
    for e in later {
        let sealed = decode("key event", e, size)?;
        let fault = |fault| BundleError::Entry {
            what: "key event",
            seq: e.seq,
            fault,
        };
        if !keycommit::is_key_event(&sealed.entry.body.event) {
            return Err(fault(EntryFault::NotKeyEvent(
                sealed.entry.body.event.kind(),
            )));
        }
        if key_events.last().is_some_and(|prev| prev.seq() >= e.seq) {
            return Err(fault(EntryFault::Order));
        }
        key_events.push(sealed);
    }
    let digest = keycommit::digest(key_events.iter().map(|e| (e.seq(), &e.hash)));
    if digest != cp.body.keys {
        return Err(BundleError::KeyDigest);
    }
    for e in &key_events[1..] {
        history.apply(e).map_err(|fault| BundleError::Entry {
            what: "key event",
            seq: e.seq(),
            fault,
        })?;
    }
    Ok((history, key_events.len()))
}

/// Every entry of the bundle, key events included, is in the tree of
/// `size` leaves with root `root`; when none is, the checkpoint is of
/// another tree.
fn inclusion(bundle: &Bundle, size: u64, root: &[u8; 32]) -> Result<(), BundleError> {
    let mut first_bad = None;
    let mut all_bad = true;
    for (what, e) in bundle.all() {
        let fault = |fault| BundleError::Entry {
            what,
            seq: e.seq,
            fault,
        };
        if e.seq >= size {
            return Err(fault(EntryFault::Beyond(size)));
        }
        if checkpoint::included(e.seq, size, &e.bytes, &e.proof, root) {
            all_bad = false;
        } else {
            first_bad.get_or_insert(fault(EntryFault::Proof));
        }
    }
    match first_bad {
        Some(_) if all_bad => Err(BundleError::OtherTree),
        Some(e) => Err(e),
        None => Ok(()),
    }
}

/// A chosen entry, decoded and its signature checked with its author's key
/// at its position.
fn chosen(e: &ProvenEntry, history: &KeyHistory, size: u64) -> Result<EntryReport, BundleError> {
    let sealed = decode("entry", e, size)?;
    let key = history
        .check_signed(&sealed)
        .map_err(|fault| BundleError::Entry {
            what: "entry",
            seq: e.seq,
            fault,
        })?;
    let b = &sealed.entry.body;
    Ok(EntryReport {
        seq: b.seq,
        hash: sealed.hash,
        kind: b.event.kind(),
        author: b.author.party.clone(),
        key: key.id(),
        says: says(&b.event),
        time: b.time,
    })
}

/// Decodes a bundle entry and checks that it is the entry its seq names and
/// lies below the checkpoint's size.
fn decode(what: &'static str, e: &ProvenEntry, size: u64) -> Result<Sealed, BundleError> {
    let fault = |fault| BundleError::Entry {
        what,
        seq: e.seq,
        fault,
    };
    if e.seq >= size {
        return Err(fault(EntryFault::Beyond(size)));
    }
    let sealed =
        Sealed::from_bytes(e.bytes.clone()).map_err(|c| fault(EntryFault::Undecodable(c)))?;
    if sealed.seq() != e.seq {
        return Err(fault(EntryFault::Seq(sealed.seq())));
    }
    Ok(sealed)
}

/// The policy's witnesses and quorum, defaults from the charter.
fn resolve(history: &KeyHistory, policy: &Policy) -> Result<WitnessPolicy, BundleError> {
    let charter = history.charter();
    let defaults = WitnessPolicy::of_charter(charter);
    let witnesses = policy.witnesses.clone().unwrap_or(defaults.witnesses);
    for (i, w) in witnesses.iter().enumerate() {
        if charter.party(w).is_none() {
            return Err(BundleError::Policy(format!(
                "witness {w} is not a party of the charter"
            )));
        }
        if witnesses[..i].contains(w) {
            return Err(BundleError::Policy(format!("witness {w} is named twice")));
        }
    }
    let quorum = policy.quorum.unwrap_or(defaults.quorum);
    if quorum == 0 || quorum > witnesses.len() {
        return Err(BundleError::Policy(format!(
            "a quorum of {quorum} cannot be met by {} witness(es): give a quorum from 1 to {}",
            witnesses.len(),
            witnesses.len()
        )));
    }
    Ok(WitnessPolicy { witnesses, quorum })
}

type Signatures = (PartyId, Vec<(PartyId, i64)>, Vec<PartyId>, usize);

/// The checkpoint's signer, then the policy's valid cosignatures (earliest
/// first), each checked with the party's key at the checkpoint's size (the
/// history's keyring holds no key event at or past it).
fn signatures(
    cp: &checkpoint::Checkpoint,
    history: &KeyHistory,
    policy: &Policy,
) -> Result<Signatures, BundleError> {
    let WitnessPolicy { witnesses, quorum } = resolve(history, policy)?;
    let (size, keyring) = (cp.body.size, history.keyring());
    let refused = |e| match e {
        SignatureError::Unsigned => BundleError::Unsigned { size },
        SignatureError::BadSignature(p) => BundleError::Signature(p),
        SignatureError::BadCosignature(p) => BundleError::Cosignature(p),
    };
    let signer = policy::signer(&cp.note, size, history.charter(), keyring).map_err(refused)?;
    let mut cosigners = Vec::new();
    for (w, time) in policy::cosigners(&cp.note, size, &witnesses, keyring, WitnessKeys::AtSize)
        .map_err(refused)?
    {
        let time = i64::try_from(time).map_err(|_| BundleError::Cosignature(w.clone()))?;
        cosigners.push((w, time));
    }
    if cosigners.len() < quorum {
        let names: Vec<&str> = cosigners.iter().map(|(p, _)| p.as_str()).collect();
        return Err(BundleError::Quorum {
            found: cosigners.len(),
            quorum,
            witnesses: witnesses
                .iter()
                .map(PartyId::as_str)
                .collect::<Vec<_>>()
                .join(","),
            named: match names.is_empty() {
                true => String::new(),
                false => format!(" (only {})", names.join(", ")),
            },
        });
    }
    cosigners.sort_by_key(|(_, t)| *t);
    Ok((signer, cosigners, witnesses, quorum))
}

/// What an event says, in one line.
// issue 15: report (the report's timelines say it the same way)
pub fn says(event: &Event) -> String {
    match event {
        Event::Charter(c) => format!(
            "founds the ledger \"{}\" ({} parties)",
            c.title,
            c.parties.len()
        ),
        Event::ClauseProposed { id, title, .. } => format!("proposes clause {id}: {title}"),
        Event::ClauseEndorsed { clause, .. } => format!("endorses clause {clause}"),
        Event::ClauseAccepted { clause, .. } => format!("accepts clause {clause}"),
        Event::CommitmentMade {
            id, clause, text, ..
        } => format!("commits ({id}, under {clause}): {text}"),
        Event::CommitmentFulfilled { commitment, note } => {
            format!("reports {commitment} fulfilled: {note}")
        }
        Event::CommitmentWithdrawn { commitment, reason } => {
            format!("withdraws {commitment}: {reason}")
        }
        Event::CommitmentRemedied { commitment, note } => {
            format!("reports {commitment} remedied: {note}")
        }
        Event::AllegationFiled {
            id,
            against,
            summary,
            ..
        } => format!("alleges ({id}) against {against}: {summary}"),
        Event::AllegationAnswered {
            allegation,
            position,
            text,
            ..
        } => format!("answers {allegation} ({position}): {text}"),
        Event::AllegationWithdrawn { allegation, reason } => {
            format!("withdraws allegation {allegation}: {reason}")
        }
        Event::RulingProposed {
            id,
            allegation,
            finding,
            ..
        } => format!("proposes ruling {id} on {allegation}: {finding}"),
        Event::RulingEndorsed { ruling, .. } => format!("endorses ruling {ruling}"),
        Event::RulingDissented { ruling, text, .. } => {
            format!("dissents from ruling {ruling}: {text}")
        }
        Event::KeyRotated { new_key, .. } | Event::KeyRotatedUnproven { new_key } => {
            format!("rotates its key to {}", new_key.id().short())
        }
        Event::KeyRevocationProposed { id, party, .. } => {
            format!("proposes revocation {id} of {party}'s key")
        }
        Event::KeyRevocationEndorsed { revocation, .. } => {
            format!("endorses revocation {revocation}")
        }
        // issue 13: commitments
        Event::CommitmentUndertaken {
            id, clause, text, ..
        } => format!("commits ({id}, under {clause}): {text}"),
        Event::CommitmentProgressed {
            commitment,
            done,
            of,
            note,
        } => format!("reports progress on {commitment}, {done} of {of}: {note}"),
        Event::CommitmentAttested {
            commitment,
            verdict,
            note,
            ..
        } => format!("attests the report on {commitment} ({verdict}): {note}"),
        Event::CommitmentRescheduleProposed {
            commitment, reason, ..
        } => format!("proposes to reschedule {commitment}: {reason}"),
        Event::CommitmentRescheduleEndorsed { commitment, .. } => {
            format!("agrees to the reschedule of {commitment}")
        }
        Event::AllegationCorrected {
            allegation, reason, ..
        } => format!("corrects allegation {allegation}: {reason}"),
        Event::RulingRevisionProposed {
            id,
            revises,
            finding,
            ..
        } => format!("proposes ruling {id} revising {revises}: {finding}"),
        Event::CommitmentJoined { commitment, .. } => {
            format!("joins commitment {commitment} as a joint obligor")
        }
        // issue 13: clauses
        Event::ClauseWithdrawn { clause, reason } => {
            format!("withdraws clause {clause}: {reason}")
        }
        Event::ClauseDeclined { clause, reason, .. } => {
            format!("declines clause {clause}: {reason}")
        }
        Event::ClauseRevisionProposed {
            id, revises, title, ..
        } => format!("proposes clause {id}, revising {revises}: {title}"),
        Event::ClauseTermProposed { clause, until, .. } => match until {
            Some(t) => format!(
                "proposes that clause {clause} run until {}",
                crate::moment::Moment(*t)
            ),
            None => format!("proposes that clause {clause} run with no end"),
        },
        Event::ClauseTermEndorsed { clause, .. } => {
            format!("endorses the term proposed for clause {clause}")
        }
        Event::AmendmentProposed { id, changes, .. } => {
            let changes: Vec<String> = changes.iter().map(ToString::to_string).collect();
            format!("proposes amendment {id}: {}", changes.join("; "))
        }
        Event::AmendmentEndorsed { amendment, .. } => format!("endorses amendment {amendment}"),
        // issue 14
        Event::AllegationLodged {
            id,
            accused,
            summary,
            ..
        } => {
            let who: Vec<&str> = accused.iter().map(|a| a.as_str()).collect();
            match who.is_empty() {
                true => format!("alleges ({id}) against persons unknown: {summary}"),
                false => format!("alleges ({id}) against {}: {summary}", who.join(", ")),
            }
        }
        Event::ObservationRecorded { id, summary, .. } => {
            format!("records observation {id}: {summary}")
        }
        Event::EvidenceAdded { item, evidence, .. } => {
            format!("adds {} evidence file(s) to {item}", evidence.len())
        }
        Event::RulingDrafted {
            id,
            on,
            body,
            finding,
            ..
        } => format!("drafts ruling {id} of body {body} on {on}: {finding}"),
        Event::RulingRatified { ruling, .. } => {
            format!("adopts ruling {ruling} for the parent body")
        }
        Event::ViewRecorded { item, text } => format!("records a view on {item}: {text}"),
        Event::ItemReferred { item, to, .. } => format!("refers {item} to {to}"),
        Event::TeamTasked { id, team, text, .. } => format!("tasks {team} ({id}): {text}"),
        Event::RecommendationMade { id, to, text, .. } => {
            format!("recommends to {to} ({id}): {text}")
        }
        Event::MeasuresReported {
            recommendation,
            text,
            ..
        } => format!("reports measures on {recommendation}: {text}"),
        Event::MeetingRecorded { id, place, .. } => format!("records meeting {id} at {place}"),
        Event::MeetingCosigned { meeting, .. } => format!("cosigns meeting record {meeting}"),
        Event::ClauseTabled {
            id,
            title,
            signatories,
            ..
        } => {
            let who: Vec<&str> = signatories.iter().map(|p| p.as_str()).collect();
            format!("proposes clause {id} for {}: {title}", who.join(", "))
        }
    }
}

/// The checkpoint (a signed note, module `note`, over an accord checkpoint
/// body, module `checkpoint`) and the tree, as the bundle check needs them.
mod checkpoint {
    use super::BundleError;
    use crate::checkpoint::Checkpoint as Body;
    use crate::note::Note;

    pub struct Checkpoint {
        pub body: Body,
        pub note: Note,
    }

    pub fn read(text: &str) -> Result<Checkpoint, BundleError> {
        let note =
            Note::parse(text.as_bytes()).map_err(|e| BundleError::Checkpoint(e.to_string()))?;
        let body =
            Body::parse_body(note.text()).map_err(|e| BundleError::Checkpoint(e.to_string()))?;
        Ok(Checkpoint { body, note })
    }

    /// Whether `proof` proves `bytes` to be leaf `seq` of the tree of
    /// `size` leaves with root `root` (RFC 9162, checked by ct-merkle).
    pub fn included(
        seq: u64,
        size: u64,
        bytes: &[u8],
        proof: &[[u8; 32]],
        root: &[u8; 32],
    ) -> bool {
        crate::merkle::verify_inclusion(seq, size, bytes, proof, root).is_ok()
    }
}
