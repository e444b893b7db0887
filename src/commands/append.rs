//! Every command that appends one entry (clause, commit, commitment,
//! allege, respond, allegation, ruling, and the writing `key` commands):
//! the event from `record`, signed here and appended through the local
//! ledger or, with `--remote`, posted to a server (signed on this machine
//! against the server's head, and signed again on the new head, a bounded
//! number of times, when another entry got there first). Then one line for
//! the entry and, for an endorsement, whether it adopted. Never checks a
//! rule itself: the ledger's append (or the server's: the same gate) does.

use std::io::Write;
use std::process::ExitCode;

use accord_core::{Event, RecordKey, Sealed};
use accord_ledger::Ledger;
use anyhow::{bail, Result};
use schemars::JsonSchema;
use serde::Serialize;

use super::Globals;
use crate::record::{self, Lookup, Writing};
use crate::remote::{Posted, Remote};
use crate::{clock, keyfile};

/// How many times an entry is signed again on a newer head before giving
/// up (each time, another entry was stored between fetching the head and
/// posting).
const MAX_ATTEMPTS: usize = 12;

/// Appends the entry `cmd` describes to the ledger at `--ledger`, or to
/// the server at `--remote`.
pub fn run(cmd: Writing, g: &Globals, out: &mut impl Write) -> Result<ExitCode> {
    if let Some(url) = g.remote {
        return remote(cmd, url, g, out);
    }
    let mut ledger = Ledger::open(g.ledger)?;
    let (event, key) = record::event_for(cmd, &mut ledger)?;
    let signer = keyfile::load_private(&key)?;
    let time = clock::claimed(g.time)?;
    let entry = ledger.append(&signer, time, clock::now(), event)?;
    report(&entry, &mut ledger, out)?;
    Ok(ExitCode::SUCCESS)
}

fn remote(cmd: Writing, url: &str, g: &Globals, out: &mut impl Write) -> Result<ExitCode> {
    let mut server = Remote::new(url)?;
    let (event, key) = record::event_for(cmd, &mut server)?;
    let signer = keyfile::load_private(&key)?;
    let public = accord_core::crypto::public_key(&signer);
    let given = g
        .time
        .filter(|t| !t.trim().is_empty())
        .map(clock::parse)
        .transpose()?;
    let pinned: Option<accord_core::LedgerId> = g
        .ledger_id
        .map(|h| {
            h.trim()
                .parse()
                .map_err(|_| anyhow::anyhow!("--ledger-id {h:?} is not 64 hex digits"))
        })
        .transpose()?;
    let mut conflict = String::new();
    let mut signed_at: Option<u64> = None;
    for attempt in 0..MAX_ATTEMPTS {
        let next = server.next_for(&public)?;
        if let Some(pinned) = pinned.filter(|p| *p != next.ledger) {
            bail!(
                "{} serves ledger {}, not the pinned --ledger-id {pinned}; nothing was signed",
                server.url(),
                next.ledger
            );
        }
        // Sign again only on a head that moved forward: two entries of
        // ours at one seq (and one author sequence number) would read as
        // our own equivocation, whoever showed us the two heads.
        if let Some(seq) = signed_at.filter(|s| next.head.seq <= *s) {
            bail!(
                "{} refused entry {} as stale but its head did not move past {seq} (a server that does not behave); nothing more was signed",
                server.url(),
                seq + 1
            );
        }
        signed_at = Some(next.head.seq);
        // Without --time: this machine's clock now, or the head's time if
        // another capital's clock is ahead (claimed times never go back).
        let time = given.unwrap_or_else(|| clock::now().max(next.head_time));
        let entry = next.sign(&signer, time, event.clone())?;
        let posted = match server.post_entry(&entry.bytes) {
            Ok(posted) => posted,
            // The answer may have been lost after the server stored it:
            // look before saying it was not.
            Err(e) => match server.get(&format!("/entry/{}", entry.seq())) {
                Ok(Some(stored)) if stored == entry.bytes => Posted::Stored,
                _ => bail!(
                    "{e}; entry {} (hash {}) may not have been stored: look with `accord mirror` or GET {}/entry/{} before signing it again",
                    entry.seq(),
                    entry.hash,
                    server.url(),
                    entry.seq()
                ),
            },
        };
        match posted {
            Posted::Stored => {
                report(&entry, &mut server, out)?;
                return Ok(ExitCode::SUCCESS);
            }
            Posted::Stale { why, .. } => {
                conflict = why;
                back_off(attempt);
            }
            Posted::Refused(why) => bail!("rejected by {}: {why}", server.url()),
        }
    }
    bail!(
        "the ledger at {} moved on {MAX_ATTEMPTS} times while this entry was being signed (last: {conflict}); nothing was appended: run the command again",
        server.url()
    )
}

/// Waits a little longer after each conflict, by a random part too, so
/// that appenders racing for the same head do not keep colliding.
fn back_off(attempt: usize) {
    let mut jitter = [0u8; 1];
    let _ = getrandom::fill(&mut jitter);
    let ms = 10 * (attempt as u64 + 1) + u64::from(jitter[0] % 40);
    std::thread::sleep(std::time::Duration::from_millis(ms));
}

// issue 15: json
/// What a writing command appended, as `--json` prints it (docs/JSON.md,
/// schema docs/schemas/append.json).
#[derive(Debug, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Appended {
    /// The entry's sequence number.
    pub seq: u64,
    /// The entry's hash (lower-case hex).
    pub hash: String,
    /// The entry's kind word (`log`'s `kind`).
    pub kind: String,
    /// The charter's title or the id of the item the entry is about.
    pub subject: String,
    /// The signing party.
    pub author: String,
    /// The time the entry claims (RFC 3339).
    pub time: String,
    /// For an endorsement: where the proposal it endorses now stands;
    /// `null` for every other entry.
    pub adoption: Option<Adoption>,
}

/// Where the proposal an endorsement answers stands after it.
#[derive(Debug, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Adoption {
    /// What was endorsed.
    pub item: AdoptionItem,
    /// The clause, ruling or amendment id (for a term: the clause's).
    pub id: String,
    /// Whether it is adopted: by this entry, earlier, or not yet.
    pub state: AdoptionState,
    /// The seq of the entry that adopted it (`null`: not adopted, or a
    /// term, whose adoption seq is not recorded here).
    pub at: Option<u64>,
    /// How many endorsements it has (`null` for a term).
    pub endorsements: Option<usize>,
}

/// What an endorsement is about.
#[derive(Debug, Clone, Copy, Serialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum AdoptionItem {
    /// A clause.
    Clause,
    /// A clause's term (its end).
    ClauseTerm,
    /// A ruling.
    Ruling,
    /// A charter amendment.
    Amendment,
}

/// Whether an endorsed proposal is adopted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum AdoptionState {
    /// This entry adopted it.
    Adopted,
    /// It was adopted by an earlier entry; this late endorsement is recorded.
    AlreadyAdopted,
    /// Not adopted yet.
    Pending,
}

/// For an endorsement, where its proposal stands now (`None` for other
/// entries, and for an endorsement whose proposal is not found).
fn adoption(entry: &Sealed, ledger: &mut impl Lookup) -> Result<Option<Adoption>> {
    let body = &entry.entry.body;
    // issue 13: clauses
    if let Event::ClauseTermEndorsed { clause, proposal } = &body.event {
        let state = match ledger.clause_term(clause)? {
            None => AdoptionState::Adopted,
            Some(h) if h.hash == *proposal => AdoptionState::Pending,
            Some(_) => return Ok(None),
        };
        return Ok(Some(Adoption {
            item: AdoptionItem::ClauseTerm,
            id: clause.to_string(),
            state,
            at: None,
            endorsements: None,
        }));
    }
    let (item, id, key) = match &body.event {
        Event::ClauseEndorsed { clause, .. } => (
            AdoptionItem::Clause,
            clause.to_string(),
            RecordKey::Clause(clause.clone()),
        ),
        Event::RulingEndorsed { ruling, .. } => (
            AdoptionItem::Ruling,
            ruling.to_string(),
            RecordKey::Ruling(ruling.clone()),
        ),
        // issue 13: charter amendments
        Event::AmendmentEndorsed { amendment, .. } => (
            AdoptionItem::Amendment,
            amendment.to_string(),
            RecordKey::Amendment(amendment.clone()),
        ),
        _ => return Ok(None),
    };
    Ok(ledger.proposal(&key)?.map(|p| Adoption {
        item,
        id,
        state: match p.adopted_at {
            Some(seq) if seq == entry.seq() => AdoptionState::Adopted,
            Some(_) => AdoptionState::AlreadyAdopted,
            None => AdoptionState::Pending,
        },
        at: p.adopted_at,
        endorsements: Some(p.endorsements),
    }))
}

/// Whether the writing command asked for `--json`. The flag is on the
/// signer's `KeyArg`, which `record` consumes; it is read back from the
/// command line as clap parsed it (the same arguments, so the same answer).
fn json_requested() -> bool {
    use clap::CommandFactory;
    let Ok(matches) = crate::cli::Cli::command().try_get_matches_from(std::env::args_os()) else {
        return false;
    };
    let mut m = &matches;
    while let Some((_, sub)) = m.subcommand() {
        m = sub;
    }
    matches!(m.try_get_one::<bool>("json"), Ok(Some(true)))
}

/// The line for an appended entry, and for an endorsement whether its
/// proposal is now adopted.
fn report(entry: &Sealed, ledger: &mut impl Lookup, out: &mut impl Write) -> Result<()> {
    let body = &entry.entry.body;
    // issue 15: json
    if json_requested() {
        let appended = Appended {
            seq: entry.seq(),
            hash: entry.hash.to_hex(),
            kind: body.event.kind().to_owned(),
            subject: body.event.subject(),
            author: body.author.party.to_string(),
            time: clock::format(body.time),
            adoption: adoption(entry, ledger)?,
        };
        writeln!(out, "{}", serde_json::to_string(&appended)?)?;
        return Ok(());
    }
    writeln!(
        out,
        "entry {}  {}  {} by {}  hash {}",
        entry.seq(),
        body.event.kind(),
        body.event.subject(),
        body.author.party,
        entry.hash
    )?;
    // issue 13: clauses
    if let Event::ClauseTermEndorsed { clause, proposal } = &body.event {
        match ledger.clause_term(clause)? {
            None => writeln!(out, "the term of clause {clause} is now adopted")?,
            Some(h) if h.hash == *proposal => {
                match ledger.adoption_rule(&RecordKey::Clause(clause.clone()))? {
                    Some(rule) => writeln!(
                        out,
                        "the term proposed for clause {clause} is not yet adopted: it is adopted when {rule}"
                    )?,
                    None => writeln!(
                        out,
                        "the term proposed for clause {clause} is not yet adopted"
                    )?,
                }
            }
            Some(_) => {}
        }
        return Ok(());
    }
    let (what, key) = match &body.event {
        Event::ClauseEndorsed { clause, .. } => (
            format!("clause {clause}"),
            RecordKey::Clause(clause.clone()),
        ),
        Event::RulingEndorsed { ruling, .. } => (
            format!("ruling {ruling}"),
            RecordKey::Ruling(ruling.clone()),
        ),
        // issue 13: charter amendments
        Event::AmendmentEndorsed { amendment, .. } => (
            format!("amendment {amendment}"),
            RecordKey::Amendment(amendment.clone()),
        ),
        _ => return Ok(()),
    };
    if let Some(p) = ledger.proposal(&key)? {
        match p.adopted_at {
            Some(seq) if seq == entry.seq() => writeln!(out, "{what} is now adopted")?,
            Some(seq) => writeln!(
                out,
                "{what} was already adopted at entry {seq}; this late endorsement is recorded"
            )?,
            None => match ledger.adoption_rule(&key)? {
                Some(rule) => writeln!(
                    out,
                    "{what}: {} endorsement(s) so far, not yet adopted: it is adopted when {rule}",
                    p.endorsements
                )?,
                None => writeln!(
                    out,
                    "{what}: {} endorsement(s), not yet adopted",
                    p.endorsements
                )?,
            },
        }
    }
    Ok(())
}
