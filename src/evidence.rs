//! Evidence files: their SHA-256, size and media type, read from disk in a
//! stream. The files themselves never enter the ledger; anything that is not
//! a regular file is refused before a byte is read.

use std::io::Read;
use std::path::Path;

use accord_core::Evidence;
use anyhow::{anyhow, Context, Result};
use sha2::{Digest, Sha256};

use crate::bounded::{self, ReadError};

/// Media types by file extension; anything else is octet-stream.
const MEDIA_TYPES: [(&str, &str); 14] = [
    ("pdf", "application/pdf"),
    ("json", "application/json"),
    ("txt", "text/plain"),
    ("csv", "text/csv"),
    ("md", "text/markdown"),
    ("html", "text/html"),
    ("jpg", "image/jpeg"),
    ("jpeg", "image/jpeg"),
    ("png", "image/png"),
    ("tif", "image/tiff"),
    ("tiff", "image/tiff"),
    ("mp4", "video/mp4"),
    ("mov", "video/quicktime"),
    ("kml", "application/vnd.google-earth.kml+xml"),
];

/// The digest of one evidence file, read in a stream. Only regular files
/// are read: a FIFO would wait for a writer and a device may never end.
pub fn digest(path: &Path) -> Result<Evidence> {
    digest_with(path, None)
}

// issue 14: monitoring
/// The digest of one evidence file as [`digest`], over `salt` followed by
/// the file's bytes when a salt is given (the size stays the file's).
pub fn digest_with(path: &Path, salt: Option<&[u8; 32]>) -> Result<Evidence> {
    let mut file = bounded::open_regular(path).map_err(|e| match e {
        ReadError::Open { source, .. } | ReadError::Read { source, .. } => {
            anyhow!("cannot read evidence file {}: {source}", path.display())
        }
        e => anyhow!("evidence {e}"),
    })?;
    let mut hasher = Sha256::new();
    if let Some(salt) = salt {
        hasher.update(salt);
    }
    let mut buf = vec![0u8; 1 << 16];
    let mut size = 0u64;
    loop {
        let n = file
            .read(&mut buf)
            .with_context(|| format!("cannot read evidence file {}", path.display()))?;
        if n == 0 {
            break;
        }
        size += n as u64;
        hasher.update(&buf[..n]);
    }
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "evidence".into());
    let ext = path
        .extension()
        .map(|e| e.to_string_lossy().to_ascii_lowercase())
        .unwrap_or_default();
    let media_type = MEDIA_TYPES
        .iter()
        .find(|(e, _)| *e == ext)
        .map_or("application/octet-stream", |(_, t)| t)
        .to_owned();
    Ok(Evidence {
        name,
        sha256: accord_core::ids::Sha256(hasher.finalize().into()),
        size,
        media_type,
    })
}

pub fn digest_all(paths: &[std::path::PathBuf]) -> Result<Vec<Evidence>> {
    paths.iter().map(|p| digest(p)).collect()
}

// issue 14: monitoring
/// A fresh random 32-byte salt from the operating system.
pub fn fresh_salt() -> Result<[u8; 32]> {
    let mut salt = [0u8; 32];
    getrandom::fill(&mut salt).map_err(|e| anyhow!("cannot draw a random salt: {e}"))?;
    Ok(salt)
}

/// A salt given as 64 hex digits.
pub fn parse_salt(hex_salt: &str) -> Result<[u8; 32]> {
    let bytes = hex::decode(hex_salt.trim())
        .map_err(|_| anyhow!("--salt must be 64 hex digits (32 bytes)"))?;
    bytes
        .try_into()
        .map_err(|_| anyhow!("--salt must be 64 hex digits (32 bytes)"))
}
