//! The export format: JSON Lines, a header line then one line per entry
//! with readable fields beside the canonical bytes in base64
//! (docs/FORMAT.md, "Export"). Only the bytes are trusted on import; the
//! readable fields must agree with them. Also [`Ledger::export`], the
//! stream of verified entries an export is written from. Nothing here
//! writes to a ledger: import is `crate::import`.

use std::io::{BufRead, Write};

use accord_core::limits::MAX_ENTRY_BYTES;
use accord_core::Sealed;
use base64::engine::general_purpose::STANDARD as BASE64;
use base64::Engine;
use serde_json::{json, Value};

use accord_store::Store;

use crate::verify;
use crate::{Ledger, LedgerError};

impl<S: Store> Ledger<S> {
    /// Streams every entry, in order, to `visit` from a verifying replay:
    /// an export holds only entries that verify. Stops at the first bad
    /// entry with its error, or at the first error `visit` returns.
    pub fn export<E>(
        &self,
        mut visit: impl FnMut(&Sealed) -> Result<(), E>,
    ) -> Result<Result<u64, E>, LedgerError> {
        let mut failed = None;
        let stop = std::cell::Cell::new(false);
        let mut count = 0u64;
        verify::stream_while(
            &self.store,
            |_| !stop.get(),
            |e, _| {
                if failed.is_none() {
                    match visit(e) {
                        Ok(()) => count += 1,
                        Err(err) => {
                            failed = Some(err);
                            stop.set(true);
                        }
                    }
                }
            },
        )?;
        Ok(match failed {
            Some(err) => Err(err),
            None => Ok(count),
        })
    }
}

/// Unix seconds as RFC 3339 (UTC), or `@SECONDS` if out of range.
pub fn rfc3339(t: i64) -> String {
    accord_core::moment::Moment(t).to_string()
}

/// The `format` word of an export's header line.
pub const FORMAT: &str = "accord-export";
/// The export format version this build writes and reads.
pub const VERSION: u64 = 1;

/// An export's header line for ledger `ledger`.
pub fn header(ledger: &accord_core::LedgerId) -> Value {
    json!({ "format": FORMAT, "version": VERSION, "ledger": ledger.to_hex() })
}

/// An export's line for one entry: its readable fields and its bytes in base64.
pub fn line(e: &Sealed) -> Value {
    let b = &e.entry.body;
    json!({
        "seq": b.seq,
        "hash": e.hash.to_hex(),
        "time": rfc3339(b.time),
        "author": b.author.party.as_str(),
        "kind": b.event.kind(),
        "subject": b.event.subject(),
        "entry": BASE64.encode(&e.bytes),
    })
}

/// Writes one JSON value as one line.
pub fn write_line(out: &mut (impl Write + ?Sized), v: &Value) -> std::io::Result<()> {
    writeln!(out, "{v}")
}

fn bad(line: u64, reason: impl Into<String>) -> LedgerError {
    LedgerError::Import {
        line,
        reason: reason.into(),
    }
}

/// The longest line a valid export can hold: the base64 of the largest
/// entry, and room for the readable fields beside it.
pub const MAX_LINE_BYTES: usize = MAX_ENTRY_BYTES.div_ceil(3) * 4 + 64 * 1024;

/// Reads one line of at most `max` bytes (without its newline), never
/// buffering more than that: `None` at the end of the input.
fn bounded_line(input: &mut impl BufRead, max: usize) -> Option<std::io::Result<Vec<u8>>> {
    let mut line = Vec::new();
    loop {
        let chunk = match input.fill_buf() {
            Ok(c) => c,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
            Err(e) => return Some(Err(e)),
        };
        if chunk.is_empty() {
            return (!line.is_empty()).then_some(Ok(line));
        }
        let (take, done) = match chunk.iter().position(|&b| b == b'\n') {
            Some(i) => (i, true),
            None => (chunk.len(), false),
        };
        if line.len() + take > max {
            return Some(Err(std::io::Error::new(
                std::io::ErrorKind::InvalidData,
                format!("longer than {max} bytes, the longest line an export can hold: this is not an accord export, or it is damaged"),
            )));
        }
        line.extend_from_slice(&chunk[..take]);
        input.consume(take + usize::from(done));
        if done {
            return Some(Ok(line));
        }
    }
}

/// Reads an export: checks the header, decodes each line's canonical bytes
/// and checks the readable seq and hash against them. Entries come out one
/// at a time; nothing is judged here beyond the format (the ledger's import
/// admits each entry through every rule). No line longer than
/// [`MAX_LINE_BYTES`] is buffered.
pub fn read(mut input: impl BufRead) -> impl Iterator<Item = Result<Sealed, LedgerError>> {
    let mut n = 0u64;
    let mut ledger: Option<String> = None;
    let mut failed = false;
    std::iter::from_fn(move || {
        if failed {
            return None;
        }
        loop {
            n += 1;
            let text = match bounded_line(&mut input, MAX_LINE_BYTES)? {
                Ok(bytes) => match String::from_utf8(bytes) {
                    Ok(t) => t,
                    Err(_) => {
                        failed = true;
                        return Some(Err(bad(n, "not UTF-8 text")));
                    }
                },
                Err(e) => {
                    failed = true;
                    return Some(Err(bad(n, format!("unreadable: {e}"))));
                }
            };
            if text.trim().is_empty() {
                continue;
            }
            let outcome = parse(n, &text, &mut ledger);
            failed = outcome.is_err();
            match outcome {
                Ok(None) => continue,
                Ok(Some(e)) => return Some(Ok(e)),
                Err(e) => return Some(Err(e)),
            }
        }
    })
}

fn parse(n: u64, text: &str, ledger: &mut Option<String>) -> Result<Option<Sealed>, LedgerError> {
    let v: Value = serde_json::from_str(text).map_err(|e| bad(n, format!("not JSON: {e}")))?;
    if n == 1 {
        if v["format"] != FORMAT || v["version"] != VERSION {
            return Err(bad(n, format!("not an {FORMAT} version {VERSION} header")));
        }
        *ledger = v["ledger"].as_str().map(str::to_owned);
        return Ok(None);
    }
    let b64 = v["entry"]
        .as_str()
        .ok_or_else(|| bad(n, "no \"entry\" field"))?;
    let bytes = BASE64
        .decode(b64)
        .map_err(|e| bad(n, format!("\"entry\" is not base64: {e}")))?;
    let entry = Sealed::from_bytes(bytes).map_err(|e| bad(n, e.to_string()))?;
    if v["seq"].as_u64() != Some(entry.seq())
        || v["hash"].as_str() != Some(entry.hash.to_hex().as_str())
    {
        return Err(bad(
            n,
            "the readable seq or hash disagrees with the canonical bytes",
        ));
    }
    if entry.seq() == 0 && ledger.as_deref() != Some(entry.hash.to_hex().as_str()) {
        return Err(bad(n, "the header's ledger id is not the hash of entry 0"));
    }
    Ok(Some(entry))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_are_read_whole_up_to_the_bound_and_refused_past_it() {
        let mut input = std::io::BufReader::with_capacity(4, &b"abc\r\nxyz\n\nlast"[..]);
        let mut lines = Vec::new();
        while let Some(line) = bounded_line(&mut input, 5) {
            lines.push(line.unwrap());
        }
        assert_eq!(lines, [&b"abc\r"[..], b"xyz", b"", b"last"]);
        let mut long = std::io::BufReader::with_capacity(4, &b"ok\n123456\n"[..]);
        assert_eq!(bounded_line(&mut long, 5).unwrap().unwrap(), b"ok");
        assert!(bounded_line(&mut long, 5).unwrap().is_err());
    }

    #[test]
    fn an_endless_line_is_refused_without_reading_it_all() {
        let endless = std::io::repeat(b'x');
        let mut entries = read(std::io::BufReader::new(endless));
        match entries.next() {
            Some(Err(LedgerError::Import { line: 1, reason })) => {
                assert!(reason.contains("longer than"), "{reason}")
            }
            other => panic!("expected a refusal of line 1, got {other:?}"),
        }
        assert!(entries.next().is_none());
    }
}
