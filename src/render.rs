//! Text and JSON renderings of entries and reports. The JSON shapes are a
//! documented interface (README, "JSON output"): add fields, never rename.

use accord_core::{Adoption, Entry, Event, Sealed};
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
        "{:>6}  {}  {:<8} {:<20} {:<24} {}",
        b.seq,
        clock::format(b.time),
        b.author.party,
        b.event.kind(),
        truncate(&b.event.subject(), 24),
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

/// An event as JSON: `kind` plus the event's fields; times as RFC 3339.
pub fn event_json(e: &Event) -> Value {
    let mut fields = match serde_json::to_value(e) {
        // Externally tagged: {"variant": fields}.
        Ok(Value::Object(mut outer)) => match outer.values_mut().next().map(Value::take) {
            Some(Value::Object(inner)) => inner,
            _ => serde_json::Map::new(),
        },
        _ => serde_json::Map::new(),
    };
    if let Event::Charter(c) = e {
        let mut charter = serde_json::to_value(c).unwrap_or(Value::Null);
        if let Some(parties) = charter["parties"].as_array_mut() {
            for (p, party) in parties.iter_mut().zip(&c.parties) {
                p["key_id"] = json!(party.key.id().to_hex());
            }
        }
        fields = serde_json::Map::new();
        fields.insert("charter".into(), charter);
    }
    for key in ["due", "occurred"] {
        if let Some(t) = fields.get(key).and_then(Value::as_i64) {
            fields.insert(key.into(), json!(clock::format(t)));
        }
    }
    let mut v = Value::Object(fields);
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
        event => {
            if let Value::Object(fields) = event_json(event) {
                for (k, v) in fields.iter().filter(|(k, _)| *k != "kind") {
                    out += &format!("{:<10} {}\n", k, plain(v));
                }
            }
        }
    }
    out
}

/// A JSON value as plain text for the terminal.
fn plain(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        Value::Null => "-".into(),
        Value::Array(items) if items.is_empty() => "-".into(),
        Value::Array(items) => items.iter().map(plain).collect::<Vec<_>>().join("; "),
        Value::Object(map) => map
            .iter()
            .map(|(k, v)| format!("{k}: {}", plain(v)))
            .collect::<Vec<_>>()
            .join(", "),
        other => other.to_string(),
    }
}

pub fn verify_json(r: &VerifyReport) -> Value {
    json!({
        "valid": r.ok(),
        "verified": r.verified,
        "ledger": r.ledger.map(|l| l.to_hex()),
        "head": r.head.map(|h| json!({ "seq": h.seq, "hash": h.hash.to_hex() })),
        "first_bad": r.failure.as_ref().map(|f| json!({ "seq": f.seq, "reason": f.reason, "kind": f.kind })),
    })
}

pub fn verify_text(r: &VerifyReport) -> String {
    match (&r.failure, r.head) {
        (None, Some(h)) => format!(
            "valid: {} entries, head {}:{}\nledger {}",
            r.verified,
            h.seq,
            h.hash,
            r.ledger.map(|l| l.to_hex()).unwrap_or_default()
        ),
        (Some(f), _) if r.unchecked() => format!(
            "COULD NOT CHECK: entry {}: {}\n{} entries before it verified; nothing is known to be wrong with the ledger: fix the cause and retry",
            f.seq, f.reason, r.verified
        ),
        (Some(f), _) => format!(
            "INVALID: entry {}: {}\n{} entries before it verified",
            f.seq, f.reason, r.verified
        ),
        (None, None) => "INVALID: the ledger has no entries".into(),
    }
}
