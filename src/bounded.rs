//! Opening and reading files named on the command line without trusting
//! what they are: only regular files are read (opening a FIFO waits for a
//! writer, a device such as /dev/zero never ends), and small inputs (text,
//! charters, keys) are read to at most their limit plus one byte, so that a
//! longer file is refused without being held in memory. Nothing here may
//! block on opening a path or read without a bound.

use std::fmt;
use std::fs::{File, FileType, OpenOptions};
use std::io::{self, Read};
use std::os::unix::fs::{FileTypeExt, OpenOptionsExt};
use std::path::{Path, PathBuf};

#[derive(Debug)]
pub enum ReadError {
    Open { path: PathBuf, source: io::Error },
    NotRegular { path: PathBuf, kind: &'static str },
    TooLong { path: PathBuf, limit: usize },
    Read { path: PathBuf, source: io::Error },
}

impl fmt::Display for ReadError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ReadError::Open { path, source } => {
                write!(f, "cannot read {}: {source}", path.display())
            }
            ReadError::NotRegular { path, kind } => {
                write!(f, "{} is a {kind}, not a regular file", path.display())
            }
            ReadError::TooLong { path, limit } => write!(
                f,
                "{} is longer than the {limit} bytes allowed",
                path.display()
            ),
            ReadError::Read { path, source } => {
                write!(f, "cannot read {}: {source}", path.display())
            }
        }
    }
}

impl std::error::Error for ReadError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            ReadError::Open { source, .. } | ReadError::Read { source, .. } => Some(source),
            _ => None,
        }
    }
}

fn kind(t: FileType) -> Option<&'static str> {
    if t.is_file() {
        None
    } else if t.is_dir() {
        Some("directory")
    } else if t.is_fifo() {
        Some("FIFO")
    } else if t.is_char_device() {
        Some("character device")
    } else if t.is_block_device() {
        Some("block device")
    } else if t.is_socket() {
        Some("socket")
    } else {
        Some("special file")
    }
}

/// Opens `path` (following symlinks) for reading if it is a regular file.
/// The open does not wait: a FIFO is opened non-blocking, then refused by
/// the type of what was opened, so a file swapped in after a check cannot
/// slip through.
pub fn open_regular(path: &Path) -> Result<File, ReadError> {
    let file = OpenOptions::new()
        .read(true)
        .custom_flags(libc::O_NONBLOCK)
        .open(path)
        .map_err(|source| {
            // A socket cannot be opened at all: say what it is.
            match std::fs::metadata(path)
                .ok()
                .and_then(|m| kind(m.file_type()))
            {
                Some(kind) => ReadError::NotRegular {
                    path: path.to_owned(),
                    kind,
                },
                None => ReadError::Open {
                    path: path.to_owned(),
                    source,
                },
            }
        })?;
    let meta = file.metadata().map_err(|source| ReadError::Read {
        path: path.to_owned(),
        source,
    })?;
    match kind(meta.file_type()) {
        None => Ok(file),
        Some(kind) => Err(ReadError::NotRegular {
            path: path.to_owned(),
            kind,
        }),
    }
}

/// The whole of a regular file of at most `limit` bytes. At most
/// `limit + 1` bytes are read; a longer file is refused.
pub fn read_at_most(path: &Path, limit: usize) -> Result<Vec<u8>, ReadError> {
    read_open_at_most(open_regular(path)?, path, limit)
}

/// [`read_at_most`] for a file already opened by [`open_regular`] (for a
/// caller that checks the opened file's metadata first, such as a private
/// key's mode). The buffer is sized once from the file's length, so a
/// caller that wraps the result in `Zeroizing` leaves no copy behind in
/// reallocated memory (unless the file grows while it is read).
pub fn read_open_at_most(file: File, path: &Path, limit: usize) -> Result<Vec<u8>, ReadError> {
    let len = file.metadata().map_or(0, |m| m.len());
    let expected = usize::try_from(len).unwrap_or(usize::MAX).min(limit);
    let mut buf = Vec::with_capacity(expected.saturating_add(1));
    file.take(u64::try_from(limit).unwrap_or(u64::MAX).saturating_add(1))
        .read_to_end(&mut buf)
        .map_err(|source| ReadError::Read {
            path: path.to_owned(),
            source,
        })?;
    if buf.len() > limit {
        return Err(ReadError::TooLong {
            path: path.to_owned(),
            limit,
        });
    }
    Ok(buf)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_up_to_the_limit_and_refuses_one_byte_more() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("f");
        std::fs::write(&path, b"abcd").unwrap();
        assert_eq!(read_at_most(&path, 4).unwrap(), b"abcd");
        assert_eq!(read_at_most(&path, 5).unwrap(), b"abcd");
        let e = read_at_most(&path, 3).unwrap_err();
        assert!(matches!(e, ReadError::TooLong { limit: 3, .. }), "{e}");
        std::fs::write(&path, b"").unwrap();
        assert_eq!(read_at_most(&path, 0).unwrap(), b"");
    }

    #[test]
    fn refuses_devices_and_directories_by_their_kind() {
        let e = read_at_most(Path::new("/dev/zero"), 10).unwrap_err();
        assert_eq!(
            e.to_string(),
            "/dev/zero is a character device, not a regular file"
        );
        let dir = tempfile::tempdir().unwrap();
        let e = read_at_most(dir.path(), 10).unwrap_err();
        assert!(
            matches!(
                e,
                ReadError::NotRegular {
                    kind: "directory",
                    ..
                }
            ),
            "{e}"
        );
        let e = read_at_most(&dir.path().join("missing"), 10).unwrap_err();
        assert!(matches!(e, ReadError::Open { .. }), "{e}");
    }
}
