//! C2SP signed notes (c2sp.org/signed-note): a text ending in a newline, a
//! blank line, then signature lines `— <name> <base64(key id ‖ signature)>`;
//! Ed25519 note signatures (type 0x01) and C2SP tlog-cosignature/v1
//! timestamped Ed25519 cosignatures (type 0x04).
//!
//! Parsing is for hostile input: bounded in size and in signature lines,
//! never panics, and refuses anything the spec calls malformed. Signature
//! lines from keys the caller does not name are kept but never trusted
//! (the spec says to ignore them); a line whose name and key id match a
//! named key must verify, or the check fails. This module never decides
//! which keys to trust (the caller's policy does), and never reads a clock:
//! a cosignature's timestamp is an argument.

use base64::engine::general_purpose::STANDARD as B64;
use base64::Engine as _;
use ed25519_dalek::SigningKey;
use sha2::{Digest, Sha256};

use crate::crypto::{self, PublicKey, Signature};

/// Largest note accepted, in bytes (a checkpoint with a cosignature from
/// every party of the largest charter fits several times over).
pub const MAX_NOTE_BYTES: usize = 128 * 1024;
/// Most signature lines accepted in one note (the spec asks for at least 16).
pub const MAX_SIGNATURES: usize = 512;
/// Longest key name accepted, in bytes.
pub const MAX_NAME_BYTES: usize = 256;
/// The header line of a cosignature's signed message: its domain separation.
pub const COSIGNATURE_HEADER: &str = "cosignature/v1\n";
/// Latest timestamp a cosignature may carry (2^63 - 1).
pub const MAX_TIMESTAMP: u64 = i64::MAX as u64;

const EM_DASH_PREFIX: &str = "\u{2014} ";

/// What a note signature line signs and how: the signature type byte of
/// c2sp.org/signed-note, which also enters the key id.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SigType {
    /// 0x01: Ed25519 over the note text.
    Ed25519,
    /// 0x04: tlog-cosignature/v1, Ed25519 over `cosignature/v1\ntime T\n`
    /// followed by the note text, with the timestamp T in the line.
    CosignatureV1,
}

impl SigType {
    /// The type identifier byte.
    pub fn byte(self) -> u8 {
        match self {
            SigType::Ed25519 => 0x01,
            SigType::CosignatureV1 => 0x04,
        }
    }
}

/// Why a note could not be read, written or verified.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum NoteError {
    /// Over the size limit.
    #[error("the note is larger than {MAX_NOTE_BYTES} bytes")]
    TooLarge,
    /// Not UTF-8.
    #[error("the note is not valid UTF-8")]
    NotUtf8,
    /// A control character other than newline.
    #[error("the note holds a control character other than newline")]
    ControlCharacter,
    /// Not laid out as the signed-note spec says.
    #[error("malformed note: {0}")]
    Malformed(&'static str),
    /// More signature lines than the limit.
    #[error("the note has more than {MAX_SIGNATURES} signature lines")]
    TooManySignatures,
    /// A key name the spec does not allow.
    #[error("key name {0:?} is not a note key name (non-empty, at most {MAX_NAME_BYTES} bytes, no spaces or '+')")]
    BadName(String),
    /// A line by a known key whose signature does not verify.
    #[error("the signature of {name} (key id {key_id:08x}) does not verify")]
    BadSignature {
        /// The key name on the line.
        name: String,
        /// The key id on the line.
        key_id: u32,
    },
    /// A verifier key string that is not `name+keyid+base64(type ‖ key)`.
    #[error("not a note verifier key (name+keyid+base64): {0}")]
    BadVkey(&'static str),
    /// A cosignature time beyond what the spec allows.
    #[error("cosignature time {0} is outside 0..2^63-1")]
    BadTimestamp(i64),
}

/// A key a note signature can be checked against: its name, its type, and
/// the Ed25519 public key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NoteKey {
    /// The key name (accord: the party id).
    pub name: String,
    /// Note signature or cosignature.
    pub sig_type: SigType,
    /// The Ed25519 public key.
    pub key: PublicKey,
}

impl NoteKey {
    /// `SHA-256(name ‖ 0x0A ‖ type ‖ public key)[:4]`, big-endian.
    pub fn key_id(&self) -> u32 {
        key_id(&self.name, self.sig_type, &self.key)
    }

    /// Reads a verifier key as Go's `golang.org/x/mod/sumdb/note` writes it
    /// and tlog ecosystems exchange them: `<name>+<key id, 8 lowercase hex
    /// digits>+<base64(type byte ‖ 32-byte Ed25519 public key)>`. Only the
    /// Ed25519 types accord checks (0x01 note signatures, 0x04
    /// cosignatures) are accepted; the key id must be the key's.
    pub fn from_vkey(vkey: &str) -> Result<NoteKey, NoteError> {
        let bad = |why: &'static str| NoteError::BadVkey(why);
        let (name, rest) = vkey.split_once('+').ok_or(bad("no '+' after the name"))?;
        let (hash, data) = rest.split_once('+').ok_or(bad("no '+' after the key id"))?;
        check_name(name)?;
        if hash.len() != 8 || !hash.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f')) {
            return Err(bad("the key id is not 8 lowercase hex digits"));
        }
        let id = u32::from_str_radix(hash, 16).map_err(|_| bad("the key id is not hex"))?;
        // 1 type byte and 32 key bytes are 44 base64 characters.
        if data.len() != 44 {
            return Err(bad(
                "the key is not a type byte and 32 bytes of standard base64",
            ));
        }
        let raw = B64
            .decode(data)
            .map_err(|_| bad("the key is not standard base64"))?;
        let (&ty, key) = raw.split_first().ok_or(bad("the key is empty"))?;
        let sig_type = match ty {
            0x01 => SigType::Ed25519,
            0x04 => SigType::CosignatureV1,
            _ => {
                return Err(bad(
                    "not an Ed25519 key (type 0x01) or cosignature key (type 0x04)",
                ))
            }
        };
        let key: [u8; 32] = key
            .try_into()
            .map_err(|_| bad("an Ed25519 key is 32 bytes"))?;
        let out = NoteKey {
            name: name.to_owned(),
            sig_type,
            key: PublicKey(key),
        };
        if out.key_id() != id {
            return Err(bad("the key id is not the one of this name and key"));
        }
        Ok(out)
    }

    /// The verifier key string [`NoteKey::from_vkey`] reads.
    pub fn vkey(&self) -> String {
        let mut raw = vec![self.sig_type.byte()];
        raw.extend_from_slice(&self.key.0);
        format!("{}+{:08x}+{}", self.name, self.key_id(), B64.encode(raw))
    }
}

/// The key id of c2sp.org/signed-note:
/// `SHA-256(name ‖ 0x0A ‖ type byte ‖ 32-byte public key)[:4]`, big-endian.
pub fn key_id(name: &str, sig_type: SigType, key: &PublicKey) -> u32 {
    let mut h = Sha256::new();
    h.update(name.as_bytes());
    h.update([b'\n', sig_type.byte()]);
    h.update(key.0);
    let d = h.finalize();
    u32::from_be_bytes([d[0], d[1], d[2], d[3]])
}

/// One signature line, as read: the name, the key id, and the bytes after
/// the key id (not yet checked).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignatureLine {
    /// The key name.
    pub name: String,
    /// The key id, big-endian.
    pub key_id: u32,
    /// The bytes after the key id: a signature, or a timestamp and a signature.
    pub signature: Vec<u8>,
}

impl SignatureLine {
    /// `— <name> <base64(key id ‖ signature)>\n`.
    pub fn format(&self) -> String {
        let mut raw = self.key_id.to_be_bytes().to_vec();
        raw.extend_from_slice(&self.signature);
        format!("{EM_DASH_PREFIX}{} {}\n", self.name, B64.encode(raw))
    }

    fn is_by(&self, key: &NoteKey) -> bool {
        self.name == key.name && self.key_id == key.key_id()
    }
}

/// What a verified signature line says beyond "this key signed the text".
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verified {
    /// An Ed25519 note signature.
    Signed,
    /// A cosignature made at this POSIX time.
    Cosigned {
        /// Seconds since the POSIX epoch, as the witness's clock read it.
        timestamp: u64,
    },
}

/// A signed note: its text (ending in a newline) and its signature lines,
/// in order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Note {
    text: String,
    signatures: Vec<SignatureLine>,
}

/// Checks that `name` can be a note key name: non-empty, at most
/// [`MAX_NAME_BYTES`], no whitespace, `+` or control character.
pub fn check_name(name: &str) -> Result<(), NoteError> {
    let ok = !name.is_empty()
        && name.len() <= MAX_NAME_BYTES
        && !name
            .chars()
            .any(|c| c.is_whitespace() || c == '+' || c.is_control());
    if ok {
        Ok(())
    } else {
        Err(NoteError::BadName(name.to_owned()))
    }
}

fn check_text(text: &str) -> Result<(), NoteError> {
    if text.len() > MAX_NOTE_BYTES {
        return Err(NoteError::TooLarge);
    }
    if text.chars().any(|c| c.is_control() && c != '\n') {
        return Err(NoteError::ControlCharacter);
    }
    if !text.ends_with('\n') {
        return Err(NoteError::Malformed("the text must end in a newline"));
    }
    Ok(())
}

fn parse_line(line: &str) -> Result<SignatureLine, NoteError> {
    let rest = line
        .strip_prefix(EM_DASH_PREFIX)
        .ok_or(NoteError::Malformed(
            "a line after the blank line is not a signature line",
        ))?;
    let (name, b64) = rest
        .split_once(' ')
        .ok_or(NoteError::Malformed("a signature line has no signature"))?;
    check_name(name)?;
    let raw = B64
        .decode(b64)
        .map_err(|_| NoteError::Malformed("a signature is not standard base64"))?;
    if raw.len() < 5 {
        return Err(NoteError::Malformed("a signature is shorter than 5 bytes"));
    }
    let (id, signature) = raw.split_at(4);
    Ok(SignatureLine {
        name: name.to_owned(),
        key_id: u32::from_be_bytes([id[0], id[1], id[2], id[3]]),
        signature: signature.to_vec(),
    })
}

fn signature_of(bytes: &[u8]) -> Option<Signature> {
    let arr: &[u8; 64] = bytes.try_into().ok()?;
    Some(Signature::from_bytes(arr))
}

/// The message a tlog-cosignature/v1 signs: the header line, `time T`, and
/// the note text.
pub fn cosignature_message(text: &str, timestamp: u64) -> Vec<u8> {
    format!("{COSIGNATURE_HEADER}time {timestamp}\n{text}").into_bytes()
}

impl Note {
    /// An unsigned note over `text` (which must end in a newline and hold
    /// no control character but newline).
    pub fn new(text: impl Into<String>) -> Result<Note, NoteError> {
        let text = text.into();
        check_text(&text)?;
        Ok(Note {
            text,
            signatures: Vec::new(),
        })
    }

    /// Reads a signed note (the whole file), refusing what the spec calls
    /// malformed. Signatures are not checked here: see [`Note::verify`].
    pub fn parse(bytes: &[u8]) -> Result<Note, NoteError> {
        if bytes.len() > MAX_NOTE_BYTES {
            return Err(NoteError::TooLarge);
        }
        let all = std::str::from_utf8(bytes).map_err(|_| NoteError::NotUtf8)?;
        if all.chars().any(|c| c.is_control() && c != '\n') {
            return Err(NoteError::ControlCharacter);
        }
        let split = all
            .rfind("\n\n")
            .ok_or(NoteError::Malformed("no blank line before the signatures"))?;
        let (text, sigs) = (&all[..=split], &all[split + 2..]);
        if sigs.is_empty() {
            return Err(NoteError::Malformed("no signature lines"));
        }
        let body = sigs.strip_suffix('\n').ok_or(NoteError::Malformed(
            "the last signature line has no newline",
        ))?;
        let mut signatures = Vec::new();
        for line in body.split('\n') {
            if signatures.len() == MAX_SIGNATURES {
                return Err(NoteError::TooManySignatures);
            }
            signatures.push(parse_line(line)?);
        }
        Ok(Note {
            text: text.to_owned(),
            signatures,
        })
    }

    /// The note as bytes: text, blank line, signature lines.
    pub fn format(&self) -> String {
        let mut s = self.text.clone();
        s.push('\n');
        for sig in &self.signatures {
            s += &sig.format();
        }
        s
    }

    /// The signed text, final newline included.
    pub fn text(&self) -> &str {
        &self.text
    }

    /// Every signature line, in order, verified or not.
    pub fn signatures(&self) -> &[SignatureLine] {
        &self.signatures
    }

    /// Appends a signature line as it is (kept, not checked).
    pub fn push_line(&mut self, line: SignatureLine) -> Result<(), NoteError> {
        if self.signatures.len() >= MAX_SIGNATURES {
            return Err(NoteError::TooManySignatures);
        }
        self.signatures.push(line);
        Ok(())
    }

    /// Adds an Ed25519 note signature (type 0x01) by `key` under `name`.
    pub fn sign(&mut self, name: &str, key: &SigningKey) -> Result<(), NoteError> {
        check_name(name)?;
        let public = crypto::public_key(key);
        let sig = crypto::sign(key, self.text.as_bytes());
        self.push_line(SignatureLine {
            name: name.to_owned(),
            key_id: key_id(name, SigType::Ed25519, &public),
            signature: sig.to_bytes().to_vec(),
        })
    }

    /// Adds a tlog-cosignature/v1 (type 0x04) by `key` under `name`, made
    /// at `time` (POSIX seconds, from the caller's clock).
    pub fn cosign(&mut self, name: &str, key: &SigningKey, time: i64) -> Result<(), NoteError> {
        check_name(name)?;
        let timestamp = u64::try_from(time).map_err(|_| NoteError::BadTimestamp(time))?;
        let public = crypto::public_key(key);
        let sig = crypto::sign(key, &cosignature_message(&self.text, timestamp));
        let mut signature = timestamp.to_be_bytes().to_vec();
        signature.extend_from_slice(&sig.to_bytes());
        self.push_line(SignatureLine {
            name: name.to_owned(),
            key_id: key_id(name, SigType::CosignatureV1, &public),
            signature,
        })
    }

    /// Checks the lines made by `key` (same name and key id): `Ok(None)` if
    /// there is none, what they say if every one verifies (strictly), an
    /// error naming the key if one does not. Lines by other keys are
    /// ignored, as the spec requires.
    pub fn verify(&self, key: &NoteKey) -> Result<Option<Verified>, NoteError> {
        let mut found = None;
        for line in self.signatures.iter().filter(|l| l.is_by(key)) {
            let bad = || NoteError::BadSignature {
                name: line.name.clone(),
                key_id: line.key_id,
            };
            let verified = match key.sig_type {
                SigType::Ed25519 => {
                    let sig = signature_of(&line.signature).ok_or_else(bad)?;
                    crypto::verify(&key.key, self.text.as_bytes(), &sig).then_some(Verified::Signed)
                }
                SigType::CosignatureV1 => {
                    if line.signature.len() != 8 + 64 {
                        return Err(bad());
                    }
                    let (ts, sig) = line.signature.split_at(8);
                    let mut be = [0u8; 8];
                    be.copy_from_slice(ts);
                    let timestamp = u64::from_be_bytes(be);
                    let sig = signature_of(sig).ok_or_else(bad)?;
                    (timestamp <= MAX_TIMESTAMP
                        && crypto::verify(
                            &key.key,
                            &cosignature_message(&self.text, timestamp),
                            &sig,
                        ))
                    .then_some(Verified::Cosigned { timestamp })
                }
            };
            let verified = verified.ok_or_else(bad)?;
            // With two good cosignatures by one key, the earliest time is
            // the one the key vouches for no later than.
            found = match (found, verified) {
                (
                    Some(Verified::Cosigned { timestamp: a }),
                    Verified::Cosigned { timestamp: b },
                ) => Some(Verified::Cosigned {
                    timestamp: a.min(b),
                }),
                _ => Some(verified),
            };
        }
        Ok(found)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    // golang.org/x/mod/sumdb/note's test keys and note (note_test.go):
    // signer key `PRIVATE+KEY+PeterNeumann+c74f20a3+<base64(0x01 ‖ seed)>`.
    const PETER_SKEY: &str = "AYEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKDFz";
    const PETER_VKEY: &str = "ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW";
    const ENOCH_VKEY: &str = "ATtqJ7zOtqQtYqOo0CpvDXNlMhV3HeJDpjrASKGLWdop";
    const TEXT: &str = "If you think cryptography is the answer to your problem,\n\
                        then you don't know what your problem is.\n";
    const PETER_SIG: &str = "\u{2014} PeterNeumann x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfqdngotpRZb6KE6RyyBwJnAM=\n";
    const ENOCH_SIG: &str = "\u{2014} EnochRoot rwz+eBzmZa0SO3NbfRGzPCpDckykFXSdeX+MNtCOXm2/5n2tiOHp+vAF1aGrQ5ovTG01oOTGwnWLox33WWd1RvMc+QQ=\n";

    fn typed_key(b64: &str) -> [u8; 32] {
        let raw = B64.decode(b64).unwrap();
        assert_eq!(raw[0], 0x01, "Go's keys carry the type byte first");
        raw[1..].try_into().unwrap()
    }

    fn peter() -> NoteKey {
        NoteKey {
            name: "PeterNeumann".into(),
            sig_type: SigType::Ed25519,
            key: PublicKey(typed_key(PETER_VKEY)),
        }
    }

    fn enoch() -> NoteKey {
        NoteKey {
            name: "EnochRoot".into(),
            sig_type: SigType::Ed25519,
            key: PublicKey(typed_key(ENOCH_VKEY)),
        }
    }

    #[test]
    fn key_ids_match_go_sumdb_note() {
        assert_eq!(peter().key_id(), 0xc74f20a3);
        assert_eq!(enoch().key_id(), 0xaf0cfe78);
        let seed = SigningKey::from_bytes(&typed_key(PETER_SKEY));
        assert_eq!(crypto::public_key(&seed), peter().key);
    }

    #[test]
    fn verifier_keys_read_as_go_writes_them() {
        let peter_vkey = format!("PeterNeumann+c74f20a3+{PETER_VKEY}");
        let k = NoteKey::from_vkey(&peter_vkey).unwrap();
        assert_eq!(k, peter());
        assert_eq!(k.vkey(), peter_vkey);
        let cosigner = NoteKey {
            sig_type: SigType::CosignatureV1,
            ..peter()
        };
        assert_eq!(NoteKey::from_vkey(&cosigner.vkey()), Ok(cosigner));
        let bad = [
            String::new(),
            "PeterNeumann".into(),
            "PeterNeumann+c74f20a3".into(),
            format!("PeterNeumann+c74f20a4+{PETER_VKEY}"),
            format!("PeterNeumann+C74F20A3+{PETER_VKEY}"),
            format!("PeterNeumann+c74f20a+{PETER_VKEY}"),
            format!("Peter Neumann+c74f20a3+{PETER_VKEY}"),
            format!("+c74f20a3+{PETER_VKEY}"),
            format!("PeterNeumann+c74f20a3+{}", &PETER_VKEY[..40]),
            format!("PeterNeumann+c74f20a3+{PETER_VKEY}="),
            format!("PeterNeumann+c74f20a3+{}", PETER_VKEY.replacen('A', "B", 1)),
            // Type 0x02 (ECDSA) is not one accord checks.
            format!(
                "PeterNeumann+c74f20a3+{}",
                B64.encode([[2u8].as_slice(), &[0; 32]].concat())
            ),
        ];
        for v in bad {
            assert!(NoteKey::from_vkey(&v).is_err(), "accepted {v:?}");
        }
    }

    #[test]
    fn signing_gives_go_sumdb_notes_bytes() {
        let mut note = Note::new(TEXT).unwrap();
        note.sign(
            "PeterNeumann",
            &SigningKey::from_bytes(&typed_key(PETER_SKEY)),
        )
        .unwrap();
        assert_eq!(note.format(), format!("{TEXT}\n{PETER_SIG}"));
    }

    #[test]
    fn go_sumdb_notes_verify_and_unknown_keys_are_ignored() {
        let note = Note::parse(format!("{TEXT}\n{PETER_SIG}{ENOCH_SIG}").as_bytes()).unwrap();
        assert_eq!(note.text(), TEXT);
        assert_eq!(note.signatures().len(), 2);
        assert_eq!(note.verify(&peter()), Ok(Some(Verified::Signed)));
        assert_eq!(note.verify(&enoch()), Ok(Some(Verified::Signed)));
        // A key with Peter's name but another key (so another key id): its
        // line is not there; Peter's line is not checked against it.
        let stranger = NoteKey {
            key: enoch().key,
            ..peter()
        };
        assert_eq!(note.verify(&stranger), Ok(None));
        // Same key bytes, cosignature type: another key id, so no line.
        let as_cosigner = NoteKey {
            sig_type: SigType::CosignatureV1,
            ..peter()
        };
        assert_eq!(note.verify(&as_cosigner), Ok(None));
    }

    #[test]
    fn a_tampered_text_or_signature_is_refused() {
        let tampered = TEXT.replace("answer", "Answer");
        let note = Note::parse(format!("{tampered}\n{PETER_SIG}").as_bytes()).unwrap();
        assert!(matches!(
            note.verify(&peter()),
            Err(NoteError::BadSignature {
                key_id: 0xc74f20a3,
                ..
            })
        ));
        // Go's own bad-signature case: "ABCD" spliced into the base64.
        let bad = format!("{}ABCD{}", &PETER_SIG[..60], &PETER_SIG[60..]);
        let note = Note::parse(format!("{TEXT}\n{bad}").as_bytes()).unwrap();
        assert!(note.verify(&peter()).is_err());
    }

    #[test]
    fn malformed_notes_are_refused_as_go_refuses_them() {
        let bad = [
            TEXT.to_owned(),
            format!("{TEXT}\n"),
            format!("{TEXT}\n{}", &PETER_SIG[..PETER_SIG.len() - 1]),
            format!("\x01{TEXT}\n{PETER_SIG}"),
            format!("{TEXT}\n\u{2014} Bad Name x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfqdngotpRZb6KE6RyyBwJnAM=\n"),
            format!("{TEXT}\n{PETER_SIG}Unexpected line.\n"),
            format!("{TEXT}\n\u{2014} a+b x08go/ZJk=\n"),
            format!("{TEXT}\n\u{2014} Peter AAAA\n"),
            format!("{TEXT}\n\u{2014} Peter not*base64\n"),
            format!("{TEXT}\n{}", PETER_SIG.repeat(MAX_SIGNATURES + 1)),
        ];
        for msg in bad {
            assert!(Note::parse(msg.as_bytes()).is_err(), "accepted {msg:?}");
        }
        assert_eq!(Note::parse(&[0xff, b'\n', b'\n']), Err(NoteError::NotUtf8));
        let huge = format!("{}\n{PETER_SIG}", "a\n".repeat(MAX_NOTE_BYTES));
        assert_eq!(Note::parse(huge.as_bytes()), Err(NoteError::TooLarge));
        // The text may hold empty lines; the last one separates.
        let n = Note::parse(format!("a\n\nb\n\n{PETER_SIG}").as_bytes()).unwrap();
        assert_eq!(n.text(), "a\n\nb\n");
    }

    #[test]
    fn no_prefix_of_a_note_panics() {
        let full = format!("{TEXT}\n{PETER_SIG}{ENOCH_SIG}");
        for i in 0..full.len() {
            for j in i..=full.len() {
                if let Some(s) = full.get(i..j) {
                    let _ = Note::parse(s.as_bytes()).map(|n| n.verify(&peter()));
                }
            }
        }
    }

    #[test]
    fn the_spec_example_cosignature_line_has_the_v1_layout() {
        // c2sp.org/tlog-cosignature's example: key id, then the timestamp of
        // its example message (1679315147), then 64 bytes of signature.
        let line = "\u{2014} witness.example.com/w1 jWbPPwAAAABkGFDLEZMHwSRaJNiIDoe9DYn/zXcrtPHeolMI5OWXEhZCB9dlrDJsX3b2oyin1nPZqhf5nNo0xUe+mbIUBkBIfZ+qnA==";
        let sig = parse_line(line).unwrap();
        assert_eq!(sig.signature.len(), 72);
        assert_eq!(
            u64::from_be_bytes(sig.signature[..8].try_into().unwrap()),
            1679315147
        );
        assert_eq!(
            cosignature_message("example.com/behind-the-sofa\n20852163\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n", 1679315147),
            b"cosignature/v1\ntime 1679315147\nexample.com/behind-the-sofa\n20852163\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n"
        );
    }

    #[test]
    fn cosignatures_round_trip_and_are_not_note_signatures() {
        let k = SigningKey::from_bytes(&[7; 32]);
        let pk = crypto::public_key(&k);
        let signer = NoteKey {
            name: "tr".into(),
            sig_type: SigType::Ed25519,
            key: pk,
        };
        let cosigner = NoteKey {
            sig_type: SigType::CosignatureV1,
            ..signer.clone()
        };
        let mut note = Note::new("accord/00\n1\nAAAA\n").unwrap();
        note.sign("tr", &k).unwrap();
        note.cosign("tr", &k, 1_700_000_000).unwrap();
        let back = Note::parse(note.format().as_bytes()).unwrap();
        assert_eq!(back, note);
        assert_eq!(back.verify(&signer), Ok(Some(Verified::Signed)));
        assert_eq!(
            back.verify(&cosigner),
            Ok(Some(Verified::Cosigned {
                timestamp: 1_700_000_000
            }))
        );
        // A note signature relabelled as a cosignature (key id of type 0x04)
        // and a cosignature relabelled as a note signature both fail.
        let [sig, cosig] = [&note.signatures[0], &note.signatures[1]];
        let swapped = Note {
            text: note.text.clone(),
            signatures: vec![
                SignatureLine {
                    key_id: cosig.key_id,
                    ..sig.clone()
                },
                SignatureLine {
                    key_id: sig.key_id,
                    ..cosig.clone()
                },
            ],
        };
        assert!(swapped.verify(&signer).is_err());
        assert!(swapped.verify(&cosigner).is_err());
        // The cosignature's 64 signature bytes alone are not a note
        // signature either.
        let stripped = Note {
            text: note.text.clone(),
            signatures: vec![SignatureLine {
                key_id: sig.key_id,
                signature: cosig.signature[8..].to_vec(),
                name: "tr".into(),
            }],
        };
        assert!(stripped.verify(&signer).is_err());
        // A changed timestamp breaks the cosignature.
        let mut moved = note.clone();
        moved.signatures[1].signature[7] ^= 1;
        assert!(moved.verify(&cosigner).is_err());
        assert_eq!(
            Note::new("x\n").unwrap().cosign("tr", &k, -1),
            Err(NoteError::BadTimestamp(-1))
        );
    }

    #[test]
    fn texts_that_would_not_read_back_are_refused() {
        for t in ["", "no newline", "tab\there\n"] {
            assert!(Note::new(t).is_err(), "{t:?}");
        }
        let k = SigningKey::from_bytes(&[7; 32]);
        for t in ["\n", "a\n\nb\n", "a\n\n"] {
            let mut n = Note::new(t).unwrap();
            n.sign("tr", &k).unwrap();
            assert_eq!(Note::parse(n.format().as_bytes()).unwrap(), n, "{t:?}");
        }
    }
}
