//! How a redb failure becomes a [`StoreError`]: damage to the file, which
//! no retry mends ([`StoreError::Corrupt`]), or an operational failure
//! (I/O, space, permissions, a closed database); and [`guarded`], which
//! runs a call into redb so that neither its error nor its panic leaves
//! this crate as anything but a `StoreError`.
//!
//! Classification goes by redb's error types, never by their text. This
//! module only judges failures: it must never open, retry or write.

use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::Path;

use crate::{Damage, EngineError, Result, StoreError};

/// The one line that says a ledger file is damaged.
pub(super) fn damaged(file: &Path, what: impl std::fmt::Display) -> StoreError {
    StoreError::Corrupt(one_line(file, what).into())
}

fn one_line(file: &Path, what: impl std::fmt::Display) -> String {
    let what = what.to_string().replace(['\n', '\r'], " ");
    format!("{}: {what}", file.display())
}

/// Classifies a redb failure: damage to the file (which no retry mends) or
/// an operational failure (I/O, space, permissions, a closed database).
pub(super) fn classify(file: &Path, e: redb::Error) -> StoreError {
    use redb::Error as E;
    let is_damage = match &e {
        E::Corrupted(_)
        | E::ValueTooLarge(_)
        | E::TableTypeMismatch { .. }
        | E::TableIsMultimap(_)
        | E::TableIsNotMultimap(_)
        | E::TypeDefinitionChanged { .. }
        | E::UpgradeRequired(_)
        | E::LockPoisoned(_)
        | E::TransactionPoisoned => true,
        // redb's "not a redb database" (a bad magic number, an empty file).
        E::Io(io) => io.kind() == std::io::ErrorKind::InvalidData,
        _ => false,
    };
    if is_damage {
        let what = one_line(file, &e);
        StoreError::Corrupt(Damage::found_by(what, EngineError::new(e)))
    } else {
        StoreError::Engine {
            path: file.to_owned(),
            source: EngineError::new(e),
        }
    }
}

/// Runs `f`, which calls into redb, turning a redb error or panic into a
/// [`StoreError`] about `file`. Returns whether redb panicked.
pub(super) fn guarded<T>(
    file: &Path,
    f: impl FnOnce() -> std::result::Result<T, redb::Error>,
) -> (Result<T>, bool) {
    match catch_unwind(AssertUnwindSafe(f)) {
        Ok(outcome) => (outcome.map_err(|e| classify(file, e)), false),
        Err(payload) => {
            let what = payload
                .downcast_ref::<&str>()
                .map(|s| s.to_string())
                .or_else(|| payload.downcast_ref::<String>().cloned())
                .unwrap_or_else(|| "unreadable page".into());
            (
                Err(damaged(file, format_args!("redb cannot read it ({what})"))),
                true,
            )
        }
    }
}

/// What an operational failure says after "storage I/O failed: ".
pub(super) fn operational_detail(e: &StoreError) -> String {
    match e {
        StoreError::Io(why) => why.clone(),
        StoreError::FileIo { path, source } => format!("{}: {source}", path.display()),
        StoreError::Engine { path, source } => format!("{}: {source}", path.display()),
        other => other.to_string(),
    }
}
