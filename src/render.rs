//! Text and JSON renderings of entries and reports. The JSON shapes are a
//! documented interface (README, "JSON output"): add fields, never rename.

use accord_core::{Adoption, Charter, Entry, Event, Sealed};
use accord_ledger::{SignatureStatus, VerifyReport};
use serde_json::{json, Value};

use crate::clock;

pub fn status_str(s: SignatureStatus) -> &'static str {
    match s {
        SignatureStatus::Valid => "valid",
        SignatureStatus::Invalid => "invalid",
        SignatureStatus::UnknownSigner => "unknown-signer",
    }
}

pub fn log_line(e: &Sealed) -> String {
    let b = &e.entry.body;
    format!(
        "{:>6}  {}  {:<8} {:<16} {:<32} {}",
        b.seq,
        clock::format(b.time),
        b.author.party,
        b.event.kind(),
        truncate(&b.event.subject(), 32),
        e.hash.short()
    )
}

pub fn log_json(e: &Sealed) -> Value {
    let b = &e.entry.body;
    json!({
        "seq": b.seq,
        "time": clock::format(b.time),
        "author": b.author.party.as_str(),
        "kind": b.event.kind(),
        "subject": b.event.subject(),
        "hash": e.hash.to_hex(),
    })
}

fn truncate(s: &str, max: usize) -> String {
    if s.chars().count() <= max {
        s.to_owned()
    } else {
        let mut t: String = s.chars().take(max - 1).collect();
        t.push('…');
        t
    }
}

fn adoption(a: Adoption) -> Value {
    match a {
        Adoption::AllGuarantors => json!("all-guarantors"),
        Adoption::Quorum(n) => json!({ "quorum": n }),
    }
}

fn charter_json(c: &Charter) -> Value {
    json!({
        "title": c.title,
        "parties": c.parties.iter().map(|p| json!({
            "id": p.id.as_str(),
            "name": p.name,
            "role": p.role.as_str(),
            "key": p.key.to_hex(),
            "key_id": p.key.id().to_hex(),
        })).collect::<Vec<_>>(),
        "rules": {
            "clause_adoption": adoption(c.rules.clause_adoption),
            "ruling_quorum": c.rules.ruling_quorum,
        },
    })
}

pub fn event_json(e: &Event) -> Value {
    let mut v = match e {
        Event::Charter(c) => json!({ "charter": charter_json(c) }),
        Event::ClauseProposed { id, title, text } => {
            json!({ "id": id.as_str(), "title": title, "text": text })
        }
        Event::ClauseEndorsed { clause, proposal } => {
            json!({ "clause": clause.as_str(), "proposal": proposal.to_hex() })
        }
    };
    v["kind"] = json!(e.kind());
    v
}

pub fn show_json(e: &Sealed, status: SignatureStatus) -> Value {
    let Entry { body: b, signature } = &e.entry;
    json!({
        "seq": b.seq,
        "hash": e.hash.to_hex(),
        "version": b.version,
        "ledger": b.ledger.to_hex(),
        "prev": b.prev.to_hex(),
        "time": clock::format(b.time),
        "time_unix": b.time,
        "author": { "party": b.author.party.as_str(), "key_id": b.author.key.to_hex() },
        "author_seq": b.author_seq,
        "seen": { "seq": b.seen.seq, "hash": b.seen.hash.to_hex() },
        "event": event_json(&b.event),
        "signature": signature.to_hex(),
        "signature_status": status_str(status),
        "size": e.bytes.len(),
    })
}

pub fn show_text(e: &Sealed, status: SignatureStatus) -> String {
    let Entry { body: b, signature } = &e.entry;
    let mut out = format!(
        "entry      {}\nhash       {}\nledger     {}\nprev       {}\ntime       {}\nauthor     {} (key {}), entry #{} by this author\nseen head  {} {}\nsignature  {} ({})\nkind       {}\n",
        b.seq,
        e.hash,
        b.ledger,
        b.prev,
        clock::format(b.time),
        b.author.party,
        b.author.key.short(),
        b.author_seq,
        b.seen.seq,
        b.seen.hash.short(),
        status_str(status),
        signature.to_hex(),
        b.event.kind(),
    );
    match &b.event {
        Event::Charter(c) => {
            out += &format!("title      {}\n", c.title);
            for p in &c.parties {
                out += &format!(
                    "party      {:<8} {:<10} {} (key {})\n",
                    p.id,
                    p.role,
                    p.name,
                    p.key.id().short()
                );
            }
            let rule = match c.rules.clause_adoption {
                Adoption::AllGuarantors => "all guarantors".to_string(),
                Adoption::Quorum(n) => format!("{n} guarantor(s)"),
            };
            out += &format!(
                "rules      clauses adopted by {rule}; rulings adopted by {} guarantor(s)\n",
                c.rules.ruling_quorum
            );
        }
        Event::ClauseProposed { id, title, text } => {
            out += &format!("clause     {id}: {title}\ntext       {text}\n");
        }
        Event::ClauseEndorsed { clause, proposal } => {
            out += &format!("clause     {clause}\nproposal   {proposal}\n");
        }
    }
    out
}

pub fn verify_json(r: &VerifyReport) -> Value {
    json!({
        "valid": r.ok(),
        "verified": r.verified,
        "ledger": r.ledger.map(|l| l.to_hex()),
        "head": r.head.map(|h| json!({ "seq": h.seq, "hash": h.hash.to_hex() })),
        "first_bad": r.failure.as_ref().map(|f| json!({ "seq": f.seq, "reason": f.reason })),
    })
}

pub fn verify_text(r: &VerifyReport) -> String {
    match (&r.failure, r.head) {
        (None, Some(h)) => format!(
            "valid: {} entries, head {} {}\nledger {}",
            r.verified,
            h.seq,
            h.hash,
            r.ledger.map(|l| l.to_hex()).unwrap_or_default()
        ),
        (Some(f), _) => format!(
            "INVALID: entry {}: {}\n{} entries before it verified",
            f.seq, f.reason, r.verified
        ),
        (None, None) => "INVALID: the ledger has no entries".into(),
    }
}
