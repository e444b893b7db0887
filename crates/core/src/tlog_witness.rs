//! The messages of the C2SP tlog-witness protocol (c2sp.org/tlog-witness):
//! the body of an `add-checkpoint` request (an `old <size>` line, up to 63
//! consistency proof hashes, a blank line, a signed checkpoint), the
//! `text/x.tlog.size` body of its 409 answer, and the generic tree head of
//! any C2SP tlog-checkpoint (origin, size, root, extension lines), whatever
//! log wrote it.
//!
//! Parsing is for hostile input: bounded, never panics, one spelling per
//! value (sizes without leading zeros, hashes as 32 bytes of standard
//! base64). This module only reads and writes the bytes; it never decides
//! which log or key to trust, never checks a signature or a proof (the
//! witness does, with `note` and `merkle`), and never touches a clock or a
//! file.

use base64::engine::general_purpose::STANDARD as B64;
use base64::Engine as _;

use crate::merkle::Hash;
use crate::note::{Note, NoteError, MAX_NOTE_BYTES};

/// Most consistency proof lines a request may hold (the spec's bound: a
/// proof in a tree of 2^63 leaves).
pub const MAX_PROOF_LINES: usize = 63;
/// Largest request body accepted: the `old` line, the proof lines, the
/// blank line and the largest note.
pub const MAX_REQUEST_BYTES: usize = 32 + MAX_PROOF_LINES * 45 + 1 + MAX_NOTE_BYTES;
/// The content type of a 409 answer's body.
pub const SIZE_CONTENT_TYPE: &str = "text/x.tlog.size";

/// Why a request (or an answer) is malformed: the witness answers 400.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RequestError {
    /// Over [`MAX_REQUEST_BYTES`].
    #[error("the request is larger than {MAX_REQUEST_BYTES} bytes")]
    TooLarge,
    /// Not laid out as the spec says.
    #[error("malformed add-checkpoint request: {0}")]
    Malformed(&'static str),
    /// The checkpoint is not a signed note.
    #[error("the checkpoint is not a signed note: {0}")]
    Note(#[from] NoteError),
    /// The checkpoint's text is not a tlog-checkpoint.
    #[error("the checkpoint is not a tlog-checkpoint: {0}")]
    Checkpoint(&'static str),
}

/// What any tlog-checkpoint states: the log, its size, its root.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TreeHead {
    /// The origin line (without its newline): the log's identity.
    pub origin: String,
    /// The tree size.
    pub size: u64,
    /// The RFC 6962 root hash at that size.
    pub root: Hash,
}

/// A decimal without leading zeros (`0` alone is zero), as every size in
/// these formats is written.
pub fn parse_decimal(s: &str) -> Option<u64> {
    let canonical = s == "0" || (!s.is_empty() && !s.starts_with('0') && s.len() <= 20);
    if canonical && s.bytes().all(|b| b.is_ascii_digit()) {
        s.parse().ok()
    } else {
        None
    }
}

fn hash_b64(s: &str) -> Option<Hash> {
    // 32 bytes are 44 characters; checked first so a long line costs nothing.
    if s.len() != 44 {
        return None;
    }
    B64.decode(s).ok().and_then(|v| v.try_into().ok())
}

impl TreeHead {
    /// Reads a checkpoint's note text: at least three non-empty lines
    /// (origin, size, root hash), then optional non-empty extension lines.
    pub fn parse(text: &str) -> Result<TreeHead, RequestError> {
        let bad = RequestError::Checkpoint;
        let body = text
            .strip_suffix('\n')
            .ok_or(bad("the text does not end in a newline"))?;
        let mut lines = body.split('\n');
        let origin = lines.next().unwrap_or_default();
        if origin.is_empty() {
            return Err(bad("the origin line is empty"));
        }
        let size = lines.next().and_then(parse_decimal).ok_or(bad(
            "the size line is not a decimal number without leading zeros",
        ))?;
        let root = lines
            .next()
            .and_then(hash_b64)
            .ok_or(bad("the root hash line is not 32 bytes of standard base64"))?;
        if lines.any(str::is_empty) {
            return Err(bad("an extension line is empty"));
        }
        Ok(TreeHead {
            origin: origin.to_owned(),
            size,
            root,
        })
    }
}

/// An `add-checkpoint` request, read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AddCheckpoint {
    /// The size of the checkpoint the client believes the witness holds.
    pub old: u64,
    /// The consistency proof from `old` to the checkpoint's size.
    pub proof: Vec<Hash>,
    /// The checkpoint, with its signatures (not checked here).
    pub note: Note,
    /// What the checkpoint's text states.
    pub head: TreeHead,
}

impl AddCheckpoint {
    /// Reads a request body, refusing anything the spec calls malformed.
    pub fn parse(body: &[u8]) -> Result<AddCheckpoint, RequestError> {
        let bad = RequestError::Malformed;
        if body.len() > MAX_REQUEST_BYTES {
            return Err(RequestError::TooLarge);
        }
        let (first, mut rest) = split_line(body).ok_or(bad("no `old <size>` line"))?;
        let old = std::str::from_utf8(first)
            .ok()
            .and_then(|l| l.strip_prefix("old "))
            .and_then(parse_decimal)
            .ok_or(bad(
                "the first line is not `old <size>` (a decimal without leading zeros)",
            ))?;
        let mut proof = Vec::new();
        loop {
            let (line, after) =
                split_line(rest).ok_or(bad("no blank line before the checkpoint"))?;
            rest = after;
            if line.is_empty() {
                break;
            }
            if proof.len() == MAX_PROOF_LINES {
                return Err(bad("more than 63 consistency proof lines"));
            }
            let hash = std::str::from_utf8(line)
                .ok()
                .and_then(hash_b64)
                .ok_or(bad(
                    "a consistency proof line is not 32 bytes of standard base64",
                ))?;
            proof.push(hash);
        }
        let note = Note::parse(rest)?;
        let head = TreeHead::parse(note.text())?;
        Ok(AddCheckpoint {
            old,
            proof,
            note,
            head,
        })
    }

    /// The request body for `note`, from `old` with `proof`.
    pub fn format(old: u64, proof: &[Hash], note: &Note) -> String {
        let mut s = format!("old {old}\n");
        for h in proof {
            s += &B64.encode(h);
            s.push('\n');
        }
        s.push('\n');
        s += &note.format();
        s
    }
}

/// The line before the first newline, and what follows it.
fn split_line(b: &[u8]) -> Option<(&[u8], &[u8])> {
    let i = b.iter().position(|&c| c == b'\n')?;
    Some((&b[..i], &b[i + 1..]))
}

/// The body of a 409 answer: the witness's latest size, and a newline.
pub fn format_size(size: u64) -> String {
    format!("{size}\n")
}

/// Reads the body of a 409 answer.
pub fn parse_size(body: &[u8]) -> Option<u64> {
    std::str::from_utf8(body)
        .ok()?
        .strip_suffix('\n')
        .and_then(parse_decimal)
}

#[cfg(test)]
mod tests {
    use super::*;
    use ed25519_dalek::SigningKey;
    use proptest::prelude::*;

    // The spec's example request (c2sp.org/tlog-witness).
    const EXAMPLE: &str = "old 20852014
PlRNCrwHpqhGrupue0L7gxbjbMiKA9temvuZZDDpkaw=
jrJZDmY8Y7SyJE0MWLpLozkIVMSMZcD5kvuKxPC3swk=
5+pKlUdi2LeF/BcMHBn+Ku6yhPGNCswZZD1X/6QgPd8=
/6WVhPs2CwSsb5rYBH5cjHV/wSmA79abXAwhXw3Kj/0=

example.com/behind-the-sofa
20852163
CsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=

\u{2014} example.com/behind-the-sofa Az3grlgtzPICa5OS8npVmf1Myq/5IZniMp+ZJurmRDeOoRDe4URYN7u5/Zhcyv2q1gGzGku9nTo+zyWE+xeMcTOAYQ8=
\u{2014} example.com/behind-the-sofa opLqBQsREYCgu6xQkYQwJr9fo45a62DN9EdmHXnZdXNqlcVGlCum2Wks+49/V6267UEjw6QUXTS5Rovnzv++qbSzm9Q=
";

    #[test]
    fn the_spec_example_reads_and_writes_back() {
        let r = AddCheckpoint::parse(EXAMPLE.as_bytes()).unwrap();
        assert_eq!(r.old, 20852014);
        assert_eq!(r.proof.len(), 4);
        assert_eq!(r.head.origin, "example.com/behind-the-sofa");
        assert_eq!(r.head.size, 20852163);
        assert_eq!(r.note.signatures().len(), 2);
        assert_eq!(AddCheckpoint::format(r.old, &r.proof, &r.note), EXAMPLE);
    }

    #[test]
    fn an_empty_proof_and_extension_lines_read() {
        let mut note = Note::new(
            "log.example/a\n0\n47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=\nextra line\n",
        )
        .unwrap();
        note.sign("log.example/a", &SigningKey::from_bytes(&[1; 32]))
            .unwrap();
        let body = AddCheckpoint::format(0, &[], &note);
        assert!(body.starts_with("old 0\n\nlog.example/a\n"));
        let r = AddCheckpoint::parse(body.as_bytes()).unwrap();
        assert_eq!((r.old, r.proof.len(), r.head.size), (0, 0, 0));
        assert_eq!(r.note, note);
    }

    #[test]
    fn malformed_requests_are_refused() {
        let proof = "PlRNCrwHpqhGrupue0L7gxbjbMiKA9temvuZZDDpkaw=\n";
        let tail = &EXAMPLE[EXAMPLE.find("\n\n").unwrap() + 1..];
        let bad = [
            String::new(),
            "old 1".into(),
            EXAMPLE.replace("old 20852014", "old 020852014"),
            EXAMPLE.replace("old 20852014", "old  20852014"),
            EXAMPLE.replace("old 20852014", "Old 20852014"),
            EXAMPLE.replace("old 20852014", "old -1"),
            EXAMPLE.replace("old 20852014", "old 99999999999999999999"),
            EXAMPLE.replace(
                "PlRNCrwHpqhGrupue0L7gxbjbMiKA9temvuZZDDpkaw=",
                "PlRNCrwHpqhGrupue0L7gxbjbMiKA9temvuZZDDpkaw",
            ),
            EXAMPLE.replace("PlRNCrwHpqhGrupue0L7gxbjbMiKA9temvuZZDDpkaw=", "AAAA"),
            format!("old 1\n{}{tail}", proof.repeat(64)),
            // No blank line between the proof and the checkpoint.
            EXAMPLE.replacen("\n\n", "\n", 1),
            EXAMPLE.replace("\n20852163\n", "\n020852163\n"),
            EXAMPLE.replace(
                "\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n",
                "\nCsUY\n",
            ),
            EXAMPLE.replace("example.com/behind-the-sofa\n2", "\n2"),
            EXAMPLE.replace("sofa\n2085", "so\u{1}fa\n2085"),
            // Unsigned: no signature lines.
            EXAMPLE[..EXAMPLE.find("\u{2014}").unwrap()].to_owned(),
        ];
        for b in bad {
            assert!(
                AddCheckpoint::parse(b.as_bytes()).is_err(),
                "accepted {b:?}"
            );
        }
        assert!(
            AddCheckpoint::parse(format!("old 1\n{}{tail}", proof.repeat(63)).as_bytes()).is_ok()
        );
        let huge = vec![b'a'; MAX_REQUEST_BYTES + 1];
        assert_eq!(AddCheckpoint::parse(&huge), Err(RequestError::TooLarge));
    }

    #[test]
    fn sizes_read_one_spelling() {
        assert_eq!(parse_size(b"42\n"), Some(42));
        assert_eq!(parse_size(format_size(0).as_bytes()), Some(0));
        for b in [&b"42"[..], b"042\n", b"\n", b"4 2\n", b"42\n\n", b"+1\n"] {
            assert_eq!(parse_size(b), None, "{b:?}");
        }
    }

    proptest! {
        #[test]
        fn any_bytes_never_panic(body in proptest::collection::vec(any::<u8>(), 0..2048)) {
            let _ = AddCheckpoint::parse(&body);
            let _ = parse_size(&body);
        }

        #[test]
        fn any_edit_of_a_request_never_panics(at in 0usize..EXAMPLE.len(), byte in any::<u8>(), cut in 0usize..EXAMPLE.len()) {
            let mut b = EXAMPLE.as_bytes().to_vec();
            b[at] = byte;
            b.truncate(cut.max(at + 1));
            let _ = AddCheckpoint::parse(&b);
        }
    }
}
