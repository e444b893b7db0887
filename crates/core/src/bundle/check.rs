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
}

/// What a valid bundle shows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Verified {
    /// The ledger id (the hash of the charter entry).
    pub ledger: LedgerId,
    /// The checkpoint's origin line.
    pub origin: String,
    /// The checkpoint's tree size and root.
    pub size: u64,
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
    /// The policy applied: its witnesses and quorum.
    pub witnesses: Vec<PartyId>,
    pub quorum: usize,
    /// The time by which a quorum of witnesses had seen the checkpoint.
    pub time_bound: TimeBound,
}

/// One chosen entry, verified: in the tree, signed by its author's key at
/// its position.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EntryReport {
    pub seq: u64,
    pub hash: EntryHash,
    pub kind: &'static str,
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
    pub time: i64,
    pub by: Vec<PartyId>,
}

/// Checks `bundle` under `policy`; the first failure refuses it.
pub fn check(bundle: &Bundle, policy: &Policy) -> Result<Verified, BundleError> {
    let cp = checkpoint::read(&bundle.checkpoint)?;
    if bundle.entries.is_empty() {
        return Err(BundleError::NoEntries);
    }
    let (charter_entry, later) = bundle
        .key_events
        .split_first()
        .filter(|(first, _)| first.seq == 0)
        .ok_or(BundleError::NoCharter)?;
    let entry0 = decode("key event", charter_entry, cp.size)?;
    let mut history = KeyHistory::found(&entry0).map_err(BundleError::Charter)?;
    let expected = checkpoint::origin(&history.ledger());
    if cp.origin != expected {
        return Err(BundleError::Origin {
            expected,
            found: cp.origin.clone(),
        });
    }

    let mut key_events = vec![entry0];
    for e in later {
        let sealed = decode("key event", e, cp.size)?;
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
    match cp.key_digest {
        None => return Err(BundleError::NoKeyDigest),
        Some(d) if d != digest => return Err(BundleError::KeyDigest),
        Some(_) => {}
    }
    for e in &key_events[1..] {
        history.apply(e).map_err(|fault| BundleError::Entry {
            what: "key event",
            seq: e.seq(),
            fault,
        })?;
    }

    let (signer, cosigners, witnesses, quorum) = signatures(&cp, &history, policy)?;

    for (what, e) in bundle.all() {
        if !checkpoint::included(e.seq, cp.size, &e.bytes, &e.proof, &cp.root) {
            return Err(BundleError::Entry {
                what,
                seq: e.seq,
                fault: EntryFault::Proof,
            });
        }
    }

    let mut entries = Vec::with_capacity(bundle.entries.len());
    for e in &bundle.entries {
        let sealed = decode("entry", e, cp.size)?;
        let key = history
            .check_signed(&sealed)
            .map_err(|fault| BundleError::Entry {
                what: "entry",
                seq: e.seq,
                fault,
            })?;
        let b = &sealed.entry.body;
        entries.push(EntryReport {
            seq: b.seq,
            hash: sealed.hash,
            kind: b.event.kind(),
            author: b.author.party.clone(),
            key: key.id(),
            says: says(&b.event),
            time: b.time,
        });
    }

    let time_bound = TimeBound {
        time: cosigners[quorum - 1].1,
        by: cosigners[..quorum].iter().map(|(p, _)| p.clone()).collect(),
    };
    Ok(Verified {
        ledger: history.ledger(),
        origin: cp.origin,
        size: cp.size,
        root: cp.root,
        signer,
        key_events: key_events.len(),
        entries,
        cosigners,
        witnesses,
        quorum,
        time_bound,
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
fn resolve(history: &KeyHistory, policy: &Policy) -> Result<(Vec<PartyId>, usize), BundleError> {
    let charter = history.charter();
    let witnesses = match &policy.witnesses {
        Some(list) => list.clone(),
        None => charter.guarantors().map(|p| p.id.clone()).collect(),
    };
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
    let quorum = policy
        .quorum
        .unwrap_or(charter.rules.ruling_quorum as usize);
    if quorum == 0 || quorum > witnesses.len() {
        return Err(BundleError::Policy(format!(
            "a quorum of {quorum} cannot be met by {} witness(es): give a quorum from 1 to {}",
            witnesses.len(),
            witnesses.len()
        )));
    }
    Ok((witnesses, quorum))
}

type Signatures = (PartyId, Vec<(PartyId, i64)>, Vec<PartyId>, usize);

/// The checkpoint's signer, then the policy's valid cosignatures (earliest
/// first), each checked with the party's key at the checkpoint's size.
fn signatures(
    cp: &checkpoint::Checkpoint,
    history: &KeyHistory,
    policy: &Policy,
) -> Result<Signatures, BundleError> {
    let (witnesses, quorum) = resolve(history, policy)?;
    let keyring = history.keyring();
    let mut signer = None;
    for p in &history.charter().parties {
        let Some(key) = keyring.current(&p.id) else {
            continue;
        };
        match checkpoint::signed_by(cp, &p.id, key) {
            Some(true) if signer.is_none() => signer = Some(p.id.clone()),
            Some(true) | None => {}
            Some(false) => return Err(BundleError::Signature(p.id.clone())),
        }
    }
    let signer = signer.ok_or(BundleError::Unsigned { size: cp.size })?;
    let mut cosigners = Vec::new();
    for w in &witnesses {
        let Some(key) = keyring.current(w) else {
            continue;
        };
        match checkpoint::cosigned_by(cp, w, key) {
            Some(Some(time)) => cosigners.push((w.clone(), time)),
            Some(None) => return Err(BundleError::Cosignature(w.clone())),
            None => {}
        }
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
fn says(event: &Event) -> String {
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
    }
}

/// The checkpoint and the tree, as the bundle check needs them.
mod checkpoint {
    use super::BundleError;
    use crate::crypto::PublicKey;
    use crate::ids::{LedgerId, PartyId};

    pub struct Checkpoint {
        pub origin: String,
        pub size: u64,
        pub root: [u8; 32],
        pub key_digest: Option<[u8; 32]>,
    }

    pub fn origin(ledger: &LedgerId) -> String {
        format!("accord/{}", ledger.to_hex())
    }

    pub fn read(_text: &str) -> Result<Checkpoint, BundleError> {
        Err(BundleError::Checkpoint("not yet".into()))
    }

    /// `None`: no signature line of this party's key; else whether it
    /// verifies.
    pub fn signed_by(_cp: &Checkpoint, _party: &PartyId, _key: &PublicKey) -> Option<bool> {
        None
    }

    /// `None`: no cosignature of this party's key; `Some(None)`: one that
    /// does not verify; else its time.
    pub fn cosigned_by(
        _cp: &Checkpoint,
        _party: &PartyId,
        _key: &PublicKey,
    ) -> Option<Option<i64>> {
        None
    }

    pub fn included(
        _seq: u64,
        _size: u64,
        _bytes: &[u8],
        _proof: &[[u8; 32]],
        _root: &[u8; 32],
    ) -> bool {
        false
    }
}
