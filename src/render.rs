//! Text and JSON renderings of entries and reports. The JSON shapes are a
//! documented interface (README, "JSON output"): add fields, never rename.
//! Every piece of free text from the ledger that a text view prints goes
//! through [`escape`] (or [`block`] in `show`): an author's text must never
//! reach the terminal as control sequences or as lines of the view itself.
//! JSON output needs no such care: serde_json escapes control characters.

use std::borrow::Cow;
use std::fmt::Write;

use accord_core::{Adoption, Entry, Event, Sealed};
use accord_ledger::{SignatureStatus, VerifyReport};
use schemars::JsonSchema;
use serde::Serialize;
use serde_json::{json, Value};

use crate::clock;

/// Free text made safe to print on one line of a text view. Whatever an
/// author wrote, the terminal receives only printable characters and the
/// text cannot end the line it is printed on:
/// - line breaks, tabs and NUL become `\n`, `\r`, `\t`, `\0`;
/// - every other control character (C0, DEL, C1: ANSI and CSI sequences),
///   every format character (bidi embeddings, overrides and isolates,
///   marks, zero-width spaces, BOM, invisible operators, tags) and the
///   line and paragraph separators become `\u{hex}`;
/// - a backslash becomes `\\`, so that an author cannot type something
///   that reads as one of these escapes.
///
/// Zero-width joiner and non-joiner (U+200D, U+200C) are kept: Persian and
/// Indic spelling and emoji sequences need them, and they can neither move
/// nor reorder the text around them.
///
/// The line-oriented views (log, obligations, diff, history, verify)
/// therefore show a multi-line text with `\n` inside its one line; only
/// `show` prints it across lines, as a [`block`].
pub fn escape(s: &str) -> Cow<'_, str> {
    if !s.chars().any(needs_escape) {
        return Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '\0' => out.push_str("\\0"),
            c if needs_escape(c) => {
                let _ = write!(out, "\\u{{{:x}}}", u32::from(c));
            }
            c => out.push(c),
        }
    }
    Cow::Owned(out)
}

fn needs_escape(c: char) -> bool {
    c == '\\' || c.is_control() || is_format_or_separator(c)
}

/// Unicode's format characters (general category Cf) other than the
/// zero-width joiner and non-joiner, and the line and paragraph separators
/// (Zl, Zp).
fn is_format_or_separator(c: char) -> bool {
    matches!(
        u32::from(c),
        0x00AD
            | 0x0600..=0x0605
            | 0x061C
            | 0x06DD
            | 0x070F
            | 0x0890..=0x0891
            | 0x08E2
            | 0x180E
            | 0x200B
            | 0x200E..=0x200F
            | 0x2028..=0x202E
            | 0x2060..=0x2064
            | 0x2066..=0x206F
            | 0xFEFF
            | 0xFFF9..=0xFFFB
            | 0x110BD
            | 0x110CD
            | 0x13430..=0x1343F
            | 0x1BCA0..=0x1BCA3
            | 0x1D173..=0x1D17A
            | 0xE0001
            | 0xE0020..=0xE007F
    )
}

/// A field of `show`: `label` padded to the value column, then the value.
/// A value of one line is printed as is (escaped). A multi-line value is
/// printed as a block, one line of the text per line of output, each behind
/// `| ` in the value column, so that no line of it can be read as a field
/// of `show` (those start in the first column): e.g.
///
/// ```text
/// summary    | Shelling of the enclave.
///            | Witnesses: ...
/// ```
///
/// Each line is escaped as by [`escape`]; the text's last newline, if any,
/// shows as a last empty line of the block.
pub fn block(label: &str, value: &str) -> String {
    if !value.contains('\n') {
        return format!("{label:<10} {}\n", escape(value));
    }
    let mut out = String::new();
    for (i, line) in value.split('\n').enumerate() {
        let label = if i == 0 { label } else { "" };
        let _ = write!(out, "{label:<10} |");
        if !line.is_empty() {
            let _ = write!(out, " {}", escape(line));
        }
        out.push('\n');
    }
    out
}

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
        "{:>6}  {}  {:<8} {:<30} {:<24} {}",
        b.seq,
        clock::format(b.time),
        b.author.party,
        b.event.kind(),
        truncate(&escape(&b.event.subject()), 24),
        e.hash.short()
    )
}

// issue 15: json (typed output, schema docs/schemas/log.json)
/// One entry as `log --json` prints it.
#[derive(Debug, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct LogLine {
    /// The entry's sequence number.
    pub seq: u64,
    /// The time the entry claims (RFC 3339).
    pub time: String,
    /// The signing party.
    pub author: String,
    /// What the entry records (docs/JSON.md, "Kinds").
    #[schemars(schema_with = "kind_schema")]
    pub kind: String,
    /// The charter's title, or the id of the item the entry is about.
    pub subject: String,
    /// The entry's hash (lower-case hex).
    pub hash: String,
}

/// One entry as `history --json` prints it: `log`'s fields and the event.
#[derive(Debug, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct HistoryLine {
    #[serde(flatten)]
    pub line: LogLine,
    /// The event: `kind` and the event's fields (as in `show --json`).
    #[schemars(schema_with = "event_schema")]
    pub event: Value,
}

/// A kind word: one of [`accord_core::Event::KINDS`].
pub fn kind_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
    schemars::json_schema!({ "type": "string", "enum": accord_core::Event::KINDS })
}

/// An event: an object with its `kind`; its other fields are named as in
/// docs/FORMAT.md and differ by kind.
pub fn event_schema(g: &mut schemars::SchemaGenerator) -> schemars::Schema {
    let kind = kind_schema(g);
    schemars::json_schema!({
        "type": "object",
        "required": ["kind"],
        "properties": { "kind": kind },
        "additionalProperties": true,
    })
}

pub fn log_line_of(e: &Sealed) -> LogLine {
    let b = &e.entry.body;
    LogLine {
        seq: b.seq,
        time: clock::format(b.time),
        author: b.author.party.as_str().to_owned(),
        kind: b.event.kind().to_owned(),
        subject: b.event.subject(),
        hash: e.hash.to_hex(),
    }
}

pub fn log_json(e: &Sealed) -> Value {
    serde_json::to_value(log_line_of(e)).unwrap_or(Value::Null)
}

pub fn history_json(e: &Sealed) -> Value {
    let line = HistoryLine {
        line: log_line_of(e),
        event: event_json(&e.entry.body.event),
    };
    serde_json::to_value(line).unwrap_or(Value::Null)
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
    for key in ["due", "occurred", "until"] {
        if let Some(t) = fields.get(key).and_then(Value::as_i64) {
            fields.insert(key.into(), json!(clock::format(t)));
        }
    }
    let mut v = Value::Object(fields);
    v["kind"] = json!(e.kind());
    v
}

// issue 15: json (typed output, schema docs/schemas/show.json)
/// One entry as `show --json` prints it.
#[derive(Debug, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ShowEntry {
    /// The entry's sequence number.
    pub seq: u64,
    /// The entry's hash (lower-case hex).
    pub hash: String,
    /// The format version.
    pub version: u16,
    /// The ledger id (entry 0's hash; zeros in entry 0).
    pub ledger: String,
    /// The previous entry's hash (zeros in entry 0).
    pub prev: String,
    /// The time the entry claims (RFC 3339).
    pub time: String,
    /// The same time in seconds since 1970.
    pub time_unix: i64,
    /// Who signed it.
    pub author: ShowAuthor,
    /// The author's own count of its entries.
    pub author_seq: u64,
    /// The head the author had seen.
    pub seen: accord_core::Head,
    /// The event: `kind` and its fields.
    #[schemars(schema_with = "event_schema")]
    pub event: Value,
    /// The signature (lower-case hex).
    pub signature: String,
    /// valid, invalid or unknown-signer.
    #[schemars(schema_with = "status_schema")]
    pub signature_status: String,
    /// The size of the canonical bytes.
    pub size: usize,
    /// The canonical bytes (lower-case hex): the entry exactly as signed,
    /// stored and hashed (docs/FORMAT.md).
    pub canonical: String,
}

/// The signer of an entry.
#[derive(Debug, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ShowAuthor {
    /// The party.
    pub party: String,
    /// The id of the key it signed with (lower-case hex).
    pub key_id: String,
}

fn status_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
    schemars::json_schema!({ "type": "string", "enum": ["valid", "invalid", "unknown-signer"] })
}

pub fn show_json(e: &Sealed, status: SignatureStatus) -> Value {
    let Entry { body: b, signature } = &e.entry;
    let show = ShowEntry {
        seq: b.seq,
        hash: e.hash.to_hex(),
        version: b.version,
        ledger: b.ledger.to_hex(),
        prev: b.prev.to_hex(),
        time: clock::format(b.time),
        time_unix: b.time,
        author: ShowAuthor {
            party: b.author.party.as_str().to_owned(),
            key_id: b.author.key.to_hex(),
        },
        author_seq: b.author_seq,
        seen: b.seen,
        event: event_json(&b.event),
        signature: signature.to_hex(),
        signature_status: status_str(status).to_owned(),
        size: e.bytes.len(),
        canonical: hex::encode(&e.bytes),
    };
    serde_json::to_value(show).unwrap_or(Value::Null)
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
            out += &block("title", &c.title);
            for p in &c.parties {
                out += &format!(
                    "party      {:<8} {:<10} {} (key {})\n",
                    p.id,
                    p.role,
                    escape(&p.name),
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
                    out += &match v {
                        Value::String(s) => block(k, s),
                        v => format!("{:<10} {}\n", k, plain(v)),
                    };
                }
            }
        }
    }
    out
}

/// A JSON value as plain text for the terminal, on one line.
fn plain(v: &Value) -> String {
    match v {
        Value::String(s) => escape(s).into_owned(),
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

/// A hash in standard base64, as C2SP's tlog formats print them.
pub fn b64(hash: &[u8]) -> String {
    use base64::Engine;
    base64::engine::general_purpose::STANDARD.encode(hash)
}

// issue 15: json (typed output, schema docs/schemas/verify.json)
/// `verify --json` (without `--against`).
#[derive(Debug, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct VerifyOut {
    /// Whether every entry verified.
    pub valid: bool,
    /// How many entries from seq 0 verified.
    pub verified: u64,
    /// The ledger id, once entry 0 was read.
    pub ledger: Option<String>,
    /// The last entry that verified.
    pub head: Option<accord_core::Head>,
    /// The first entry that did not verify, and why.
    pub first_bad: Option<FirstBad>,
    /// The Merkle root of the verified entries (standard base64).
    pub root: Option<String>,
    /// `--checkpoint`: whether the checkpoint is trusted (`trusted`, and
    /// `reason` or the checkpoint's size, root, signer, cosigners, quorum
    /// and witnesses); `null` without `--checkpoint`.
    #[schemars(schema_with = "checkpoint_schema")]
    pub checkpoint: Value,
    /// The first entry dated ahead of this machine's clock (exit 4).
    pub future: Option<Future>,
}

/// The first entry that did not verify.
#[derive(Debug, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct FirstBad {
    /// Its seq.
    pub seq: u64,
    /// Why, one line.
    pub reason: String,
    /// invalid (exit 1) or unchecked (the check could not finish, exit 3).
    #[schemars(schema_with = "failure_kind_schema")]
    pub kind: Value,
}

/// An entry dated more than the allowed skew after this machine's clock.
#[derive(Debug, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Future {
    /// Its seq.
    pub seq: u64,
    /// The time it claims (RFC 3339).
    pub time: String,
    /// This machine's clock (RFC 3339).
    pub now: String,
}

fn failure_kind_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
    schemars::json_schema!({ "type": "string", "enum": ["invalid", "unchecked"] })
}

fn checkpoint_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
    schemars::json_schema!({
        "type": ["object", "null"],
        "required": ["trusted"],
        "properties": {
            "trusted": { "type": "boolean" },
            "reason": { "type": "string" },
            "size": { "type": "integer", "minimum": 0 },
            "root": { "type": "string" },
            "signer": { "type": "string" },
            "cosigners": { "type": "array", "items": {
                "type": "object",
                "required": ["party", "timestamp"],
                "properties": { "party": { "type": "string" }, "timestamp": { "type": "integer" } },
                "additionalProperties": false
            } },
            "quorum": { "type": "integer", "minimum": 0 },
            "witnesses": { "type": "array", "items": { "type": "string" } }
        },
        "additionalProperties": false
    })
}

/// `verify --json`'s fields; `checkpoint` and `future` are set by the
/// caller, which judges them.
pub fn verify_json(r: &VerifyReport) -> Value {
    let out = VerifyOut {
        valid: r.ok(),
        verified: r.verified,
        ledger: r.ledger.map(|l| l.to_hex()),
        head: r.head,
        first_bad: r.failure.as_ref().map(|f| FirstBad {
            seq: f.seq,
            reason: f.reason.clone(),
            kind: serde_json::to_value(f.kind).unwrap_or(Value::Null),
        }),
        root: r.root.map(|h| b64(&h)),
        checkpoint: Value::Null,
        future: None,
    };
    serde_json::to_value(out).unwrap_or(Value::Null)
}

pub fn verify_text(r: &VerifyReport) -> String {
    match (&r.failure, r.head) {
        (None, Some(h)) => format!(
            "valid: {} entries, head {}:{}\nledger {}\nroot {} (Merkle tree of the {} entries)",
            r.verified,
            h.seq,
            h.hash,
            r.ledger.map(|l| l.to_hex()).unwrap_or_default(),
            r.root.map(|h| b64(&h)).unwrap_or_default(),
            r.verified
        ),
        (Some(f), _) if r.unchecked() => format!(
            "COULD NOT CHECK: entry {}: {}\n{} entries before it verified; nothing is known to be wrong with the ledger: fix the cause and retry",
            f.seq,
            escape(&f.reason),
            r.verified
        ),
        (Some(f), _) => format!(
            "INVALID: entry {}: {}\n{} entries before it verified",
            f.seq,
            escape(&f.reason),
            r.verified
        ),
        (None, None) => "INVALID: the ledger has no entries".into(),
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use accord_core::crypto::public_key;
    use accord_core::{
        AllegationId, Author, Charter, EntryBody, EntryHash, Evidence, Head, Party, PartyId, Role,
        Rules, FORMAT_VERSION,
    };
    use ed25519_dalek::SigningKey;

    /// Every kind of character an author could use against a terminal or a
    /// reader, and a backslash.
    pub const HOSTILE: &str = "a\nb\r\t\0\u{1b}[31m\u{9b}2J\u{7f}\u{85}\u{202a}\u{202e}\u{2066}\u{2069}\u{200e}\u{200b}\u{2060}\u{feff}\u{2028}\u{2029}\u{ad}\u{61c}\u{e0041}\\z";
    pub const ESCAPED: &str = r"a\nb\r\t\0\u{1b}[31m\u{9b}2J\u{7f}\u{85}\u{202a}\u{202e}\u{2066}\u{2069}\u{200e}\u{200b}\u{2060}\u{feff}\u{2028}\u{2029}\u{ad}\u{61c}\u{e0041}\\z";

    /// No character of `text` is a control or format character, but the
    /// newlines that end the view's own lines.
    pub fn assert_printable(text: &str) {
        for c in text.chars() {
            assert!(
                c == '\n' || !(c.is_control() || is_format_or_separator(c)),
                "raw {c:?} in:\n{text}"
            );
        }
    }

    #[test]
    fn escape_shows_every_control_and_format_character() {
        assert_eq!(escape(HOSTILE), ESCAPED);
        assert_printable(&escape(HOSTILE));
    }

    #[test]
    fn escape_keeps_ordinary_text_of_any_script_as_it_is() {
        for s in [
            "Government of the Syrian Arab Republic",
            "الجمهورية العربية السورية",
            "می\u{200c}خواهم",
            "नमस्ते",
            "e\u{301}te\u{301}",
            "Türkiye, 'quoted' \"twice\" | a: b",
            "👨\u{200d}👩\u{200d}👧",
            "",
        ] {
            assert!(matches!(escape(s), Cow::Borrowed(t) if t == s), "{s}");
        }
    }

    #[test]
    fn block_prints_one_line_per_line_behind_a_marker() {
        assert_eq!(block("summary", "one line"), "summary    one line\n");
        assert_eq!(
            block("text", "one\n\nkind       x\u{1b}\n"),
            "text       | one\n           |\n           | kind       x\\u{1b}\n           |\n"
        );
    }

    fn charter(title: &str, name: &str) -> (Charter, SigningKey) {
        let key = SigningKey::from_bytes(&[7; 32]);
        let charter = Charter {
            title: title.into(),
            parties: vec![Party {
                id: PartyId::new("tr").unwrap(),
                name: name.into(),
                role: Role::Guarantor,
                key: public_key(&key),
            }],
            rules: Rules {
                clause_adoption: Adoption::AllGuarantors,
                ruling_quorum: 1,
            },
        };
        (charter, key)
    }

    /// Entry 0 of a ledger with this charter.
    pub fn genesis(title: &str, name: &str) -> Sealed {
        let (charter, key) = charter(title, name);
        sealed(Event::Charter(charter), &key)
    }

    /// `event` signed as entry 0: enough for the renderings, which check
    /// no rule.
    fn sealed(event: Event, key: &SigningKey) -> Sealed {
        let zero = Head {
            seq: 0,
            hash: EntryHash::ZERO,
        };
        EntryBody {
            version: FORMAT_VERSION,
            ledger: EntryHash::ZERO,
            seq: 0,
            prev: EntryHash::ZERO,
            time: 1_485_162_000,
            author: Author {
                party: PartyId::new("tr").unwrap(),
                key: public_key(key).id(),
            },
            author_seq: 1,
            seen: zero,
            event,
        }
        .sign(key)
        .unwrap()
    }

    #[test]
    fn show_escapes_every_free_text_field_of_an_event() {
        let key = SigningKey::from_bytes(&[7; 32]);
        let evidence = Evidence {
            name: format!("name{HOSTILE}"),
            sha256: accord_core::ids::Sha256::ZERO,
            size: 1,
            media_type: format!("type{HOSTILE}"),
        };
        let e = sealed(
            Event::AllegationFiled {
                id: AllegationId::new("A1").unwrap(),
                against: PartyId::new("gov").unwrap(),
                commitments: vec![],
                occurred: 0,
                location: format!("place{HOSTILE}"),
                summary: format!("summary{HOSTILE}"),
                evidence: vec![evidence.clone(), evidence],
            },
            &key,
        );
        let show = show_text(&e, SignatureStatus::Valid);
        assert_printable(&show);
        assert!(
            show.contains(&format!(
                "\nevidence   media_type: type{ESCAPED}, name: name{ESCAPED}, "
            )),
            "{show}"
        );
        assert!(
            show.contains("\nlocation   | placea\n           | b\\r"),
            "{show}"
        );
        assert!(
            show.contains("\nsummary    | summarya\n           | b\\r"),
            "{show}"
        );
        // Each field of show is one line, but the two blocks' second lines.
        assert_eq!(
            show.lines().filter(|l| l.starts_with(' ')).count(),
            2,
            "{show}"
        );
    }

    #[test]
    fn show_and_log_escape_a_hostile_charter_title_and_party_name() {
        let e = genesis(&format!("Title{HOSTILE}"), &format!("Name{HOSTILE}"));
        let show = show_text(&e, SignatureStatus::Valid);
        assert_printable(&show);
        assert!(
            show.contains("\ntitle      | Titlea\n           | b\\r\\t"),
            "{show}"
        );
        assert!(show.contains(&format!("Name{ESCAPED} (key ")), "{show}");
        let log = log_line(&e);
        assert_printable(&log);
        assert!(log.contains(r"Titlea\nb\r\t\0\u{1b}[3…"), "{log}");
    }
}
