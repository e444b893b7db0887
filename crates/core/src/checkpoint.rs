//! accord's checkpoint: the body of a C2SP tlog-checkpoint
//! (c2sp.org/tlog-checkpoint) over a ledger's Merkle tree, with one
//! extension line committing to the key history:
//!
//! ```text
//! accord/<ledger id, 64 lowercase hex>
//! <tree size, decimal>
//! <root hash, base64>
//! accord-keys <key-history digest, base64>
//! ```
//!
//! Signed by a party as a signed note (module `note`), cosigned by
//! witnesses. This module only writes and reads the body, strictly (one
//! spelling per checkpoint); it never decides whether a checkpoint matches
//! a ledger or whose signature counts.

use base64::engine::general_purpose::STANDARD as B64;
use base64::Engine as _;

use crate::ids::LedgerId;

/// The origin line's prefix; the ledger id follows in hex.
pub const ORIGIN_PREFIX: &str = "accord/";
/// The key-history extension line's keyword.
pub const KEYS_EXTENSION: &str = "accord-keys";

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CheckpointError {
    #[error("not an accord checkpoint: {0}")]
    Malformed(&'static str),
}

/// A checkpoint's content.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Checkpoint {
    /// The ledger (the origin line).
    pub ledger: LedgerId,
    /// The tree size: the number of entries covered.
    pub size: u64,
    /// The RFC 9162 root of the first `size` entries.
    pub root: [u8; 32],
    /// `keycommit::digest` of the key events among them.
    pub keys: [u8; 32],
}

fn b64_32(s: &str) -> Result<[u8; 32], CheckpointError> {
    let bad = CheckpointError::Malformed("a hash is not 32 bytes of standard base64");
    // 32 bytes are 44 characters; checked first so a long line costs nothing.
    if s.len() != 44 {
        return Err(bad);
    }
    B64.decode(s)
        .ok()
        .and_then(|v| v.try_into().ok())
        .ok_or(bad)
}

impl Checkpoint {
    /// The origin line (without its newline) of `ledger`'s checkpoints.
    pub fn origin_of(ledger: &LedgerId) -> String {
        format!("{ORIGIN_PREFIX}{}", ledger.to_hex())
    }

    /// The origin line, without its newline.
    pub fn origin(&self) -> String {
        Self::origin_of(&self.ledger)
    }

    /// The note text: four lines, each ending in a newline.
    pub fn body(&self) -> String {
        format!(
            "{}\n{}\n{}\n{KEYS_EXTENSION} {}\n",
            self.origin(),
            self.size,
            B64.encode(self.root),
            B64.encode(self.keys)
        )
    }

    /// Reads a note text as written by [`Checkpoint::body`], refusing any
    /// other spelling and any extension line but `accord-keys` (a witness
    /// cosigns every line, so it must understand every line).
    pub fn parse_body(text: &str) -> Result<Checkpoint, CheckpointError> {
        let lines = text.strip_suffix('\n').ok_or(CheckpointError::Malformed(
            "the text does not end in a newline",
        ))?;
        let mut lines = lines.split('\n');
        let mut next = |what| lines.next().ok_or(CheckpointError::Malformed(what));
        let origin = next("no origin line")?;
        let size = next("no size line")?;
        let root = next("no root hash line")?;
        let keys = next("no accord-keys line")?;
        if lines.next().is_some() {
            return Err(CheckpointError::Malformed(
                "an extension line other than accord-keys",
            ));
        }
        let hex = origin
            .strip_prefix(ORIGIN_PREFIX)
            .ok_or(CheckpointError::Malformed(
                "the origin is not accord/<ledger id>",
            ))?;
        if hex.len() != 64 || hex.bytes().any(|b| !matches!(b, b'0'..=b'9' | b'a'..=b'f')) {
            return Err(CheckpointError::Malformed(
                "the origin's ledger id is not 64 lowercase hex digits",
            ));
        }
        let ledger: LedgerId = hex
            .parse()
            .map_err(|_| CheckpointError::Malformed("the origin's ledger id is not hex"))?;
        let canonical = size == "0" || (!size.starts_with('0') && size.len() <= 20);
        let size: u64 = match size.bytes().all(|b| b.is_ascii_digit()) && canonical {
            true => size.parse().ok(),
            false => None,
        }
        .ok_or(CheckpointError::Malformed(
            "the size is not a decimal number without leading zeros",
        ))?;
        let keys = keys
            .strip_prefix(KEYS_EXTENSION)
            .and_then(|k| k.strip_prefix(' '))
            .ok_or(CheckpointError::Malformed(
                "the fourth line is not accord-keys <base64>",
            ))?;
        Ok(Checkpoint {
            ledger,
            size,
            root: b64_32(root)?,
            keys: b64_32(keys)?,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ids::EntryHash;

    fn sample() -> Checkpoint {
        Checkpoint {
            ledger: EntryHash([0xab; 32]),
            size: 60,
            root: [1; 32],
            keys: [2; 32],
        }
    }

    #[test]
    fn the_body_round_trips_and_reads_as_the_spec_lays_it_out() {
        let c = sample();
        let body = c.body();
        assert_eq!(Checkpoint::parse_body(&body), Ok(c));
        let lines: Vec<&str> = body.lines().collect();
        assert_eq!(lines.len(), 4);
        assert_eq!(lines[0], format!("accord/{}", "ab".repeat(32)));
        assert_eq!(lines[1], "60");
        assert_eq!(B64.decode(lines[2]).unwrap(), vec![1; 32]);
        assert!(lines[3].starts_with("accord-keys "));
    }

    #[test]
    fn every_other_spelling_is_refused() {
        let good = sample().body();
        let variants = [
            good.replace("\n60\n", "\n060\n"),
            good.replace("\n60\n", "\n+60\n"),
            good.replace("\n60\n", "\n\n"),
            good.replace("\n60\n", "\n99999999999999999999999\n"),
            good.replace("accord/ab", "accord/AB"),
            good.replace("accord/", "other/"),
            good.replace("accord-keys ", "accord-keys  "),
            good.replace("accord-keys", "accord-key"),
            good.trim_end().to_owned(),
            format!("{good}extra\n"),
            good.lines().take(3).map(|l| format!("{l}\n")).collect(),
            good.replace("AQEB", "AQE="),
        ];
        for v in variants {
            assert!(Checkpoint::parse_body(&v).is_err(), "accepted {v:?}");
        }
        let zero = Checkpoint {
            size: 0,
            ..sample()
        };
        assert_eq!(Checkpoint::parse_body(&zero.body()), Ok(zero));
    }
}
