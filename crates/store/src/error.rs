//! [`StoreError`], what every store call can fail with, and the typed
//! causes it carries: the I/O error, or the storage engine's own error
//! (behind [`EngineError`], so no engine's type is part of this crate's
//! API).
//!
//! The text of every message is the one line a user reads; a cause is kept
//! as the error's `source` only when that line already says what the cause
//! says, so printing the chain adds nothing to it. This module must never
//! decide whether a failure is damage: the backends do, by the engine's
//! error types.

use std::error::Error;
use std::fmt;
use std::path::PathBuf;

// A message says what is wrong in the store's own terms; what to do about
// it (which command or flag) is the binary's to say. One exception stays:
// `Corrupt` names `accord import`, because its text is carried as a string
// into verification reports and `LedgerError::Damaged`, whose shapes other
// code builds; moving it needs a typed reason there first.

/// What went wrong in the store. Only [`StoreError::Corrupt`] says the
/// ledger's files are damaged; `OutOfOrder` is a caller's mistake; every
/// other variant is operational (the ledger may be fine: no ledger there,
/// in use, I/O error, disk full, no permission) and no reason to call a
/// ledger invalid.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// Another process holds the ledger.
    #[error("ledger {0} is in use by another process (waited 2 s): retry when it has finished")]
    InUse(PathBuf),
    /// No ledger at this path.
    #[error("no ledger at {0}")]
    NotFound(PathBuf),
    /// A ledger is already there.
    #[error("{0} already holds a ledger")]
    AlreadyExists(PathBuf),
    /// The directory holds something else.
    #[error("{0} is not empty and holds no ledger: choose an empty or new directory")]
    NotEmpty(PathBuf),
    /// The path is not a directory.
    #[error("{0} is not a directory")]
    NotADirectory(PathBuf),
    #[error("refusing to store entry {found}: the next seq is {expected}")]
    /// An entry offered out of sequence.
    OutOfOrder {
        /// The seq the store takes next.
        expected: u64,
        /// The seq offered.
        found: u64,
    },
    /// The store's files are damaged (unreadable pages, a file that is not
    /// a database, an empty database file): no retry mends it.
    #[error(
        "storage is damaged: {0}: restore the ledger from any party's export with `accord import`"
    )]
    Corrupt(#[source] Damage),
    /// The store's file was left mid-write (a process stopped while
    /// writing) and redb cannot repair it here (the directory cannot be
    /// written): the ledger is not known to be damaged.
    #[error(
        "storage I/O failed: {} was not closed cleanly (a process stopped while writing) and cannot be repaired here ({why})",
        file.display()
    )]
    Unrepaired {
        /// The store's file.
        file: PathBuf,
        /// Why the repair could not be made, as the failed open said it.
        why: String,
    },
    /// An operational failure told in words only: a write attempted on a
    /// read-only store, scratch space unusable, a caller's own message.
    #[error("storage I/O failed: {0}")]
    Io(String),
    /// An operational failure of a file or directory: I/O error, disk
    /// full, permission denied.
    #[error("storage I/O failed: {}: {source}", path.display())]
    FileIo {
        /// The file or directory.
        path: PathBuf,
        /// The operating system's error.
        #[source]
        source: std::io::Error,
    },
    /// An operational failure the storage engine reported (its own I/O
    /// error, a closed database, no space).
    #[error("storage I/O failed: {}: {source}", path.display())]
    Engine {
        /// The store's file or directory.
        path: PathBuf,
        /// The engine's error.
        #[source]
        source: EngineError,
    },
}

/// What is damaged, in words, with the engine's error that found it when
/// there is one.
#[derive(Debug)]
pub struct Damage {
    what: String,
    source: Option<EngineError>,
}

impl Damage {
    /// Damage the engine reported as `source`, told as `what` (which says
    /// what `source` says).
    pub(crate) fn found_by(what: String, source: EngineError) -> Self {
        let source = what.contains(&source.to_string()).then_some(source);
        Damage { what, source }
    }
}

impl fmt::Display for Damage {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.what)
    }
}

impl Error for Damage {
    fn source(&self) -> Option<&(dyn Error + 'static)> {
        self.source.as_ref().map(|e| e as &(dyn Error + 'static))
    }
}

impl From<String> for Damage {
    fn from(what: String) -> Self {
        Damage { what, source: None }
    }
}

impl From<&str> for Damage {
    fn from(what: &str) -> Self {
        what.to_owned().into()
    }
}

/// An error of the storage engine (redb's or sled's), kept whole as a
/// cause without naming the engine's type. Its text is the engine's.
#[derive(Debug)]
pub struct EngineError(Box<dyn Error + Send + Sync + 'static>);

impl EngineError {
    pub(crate) fn new(e: impl Error + Send + Sync + 'static) -> Self {
        EngineError(Box::new(e))
    }

    /// The engine's error itself, to downcast by those who know the engine.
    pub fn inner(&self) -> &(dyn Error + Send + Sync + 'static) {
        &*self.0
    }
}

impl fmt::Display for EngineError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

impl Error for EngineError {
    fn source(&self) -> Option<&(dyn Error + 'static)> {
        self.0.source()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The line and every cause under it, as a chain printer sees them.
    fn chain(e: &StoreError) -> Vec<String> {
        let mut out = vec![e.to_string()];
        let mut cause = e.source();
        while let Some(c) = cause {
            out.push(c.to_string());
            cause = c.source();
        }
        out
    }

    #[test]
    fn causes_say_nothing_the_line_does_not() {
        let engine = |text: &str| EngineError::new(std::io::Error::other(text.to_owned()));
        let errors = [
            StoreError::FileIo {
                path: "/l/accord.lock".into(),
                source: std::io::Error::from(std::io::ErrorKind::PermissionDenied),
            },
            StoreError::Engine {
                path: "/l/ledger.redb".into(),
                source: engine("no space"),
            },
            StoreError::Corrupt(Damage::found_by("/l: bad page".into(), engine("bad page"))),
            // An engine text the line could not carry whole is not kept.
            StoreError::Corrupt(Damage::found_by("/l: bad page".into(), engine("bad\npage"))),
        ];
        for e in &errors {
            let all = chain(e);
            assert!(all.len() > 1 || matches!(e, StoreError::Corrupt(_)));
            for cause in &all[1..] {
                assert!(all[0].contains(cause.as_str()), "{all:?}");
            }
        }
        assert_eq!(
            chain(&errors[2]).len(),
            3,
            "damage, then the engine's error"
        );
        assert_eq!(chain(&errors[3]).len(), 2, "the engine's error dropped");
    }

    /// What to do (a command, a flag) is the binary's to say, not the
    /// store's: no message names one (`Corrupt` excepted, see above).
    #[test]
    fn messages_name_no_command_or_flag() {
        let errors = [
            StoreError::InUse("/l".into()),
            StoreError::NotFound("/l".into()),
            StoreError::AlreadyExists("/l".into()),
            StoreError::NotEmpty("/l".into()),
            StoreError::NotADirectory("/l".into()),
            StoreError::OutOfOrder {
                expected: 1,
                found: 2,
            },
            StoreError::Unrepaired {
                file: "/l/ledger.redb".into(),
                why: "permission denied".into(),
            },
            StoreError::Io("disk full".into()),
        ];
        for e in &errors {
            let line = e.to_string();
            assert!(!line.contains("accord") && !line.contains("--"), "{line}");
        }
    }
}
