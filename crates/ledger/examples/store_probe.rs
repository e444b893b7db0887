//! Part of `make bench` (scripts/bench-e2e.py): the floor under a
//! command-line append, as one process: start, open the ledger's store,
//! insert 400 bytes as the next entry and return when the write is durable, with no
//! signing, no rules and no derived data. Run it only on a scratch copy of
//! a ledger: the entry it writes is not an entry at all.

use std::path::PathBuf;
use std::process::ExitCode;

use accord_store::{DiskStore, Store};

fn main() -> ExitCode {
    let Some(dir) = std::env::args_os().nth(1).map(PathBuf::from) else {
        eprintln!("usage: store_probe SCRATCH-COPY-OF-A-LEDGER");
        return ExitCode::from(2);
    };
    let probe = || -> Result<(), Box<dyn std::error::Error>> {
        let mut store = DiskStore::open(&dir)?;
        let last = store.last_seq()?.ok_or("empty store")?;
        // About the size of a typical synthetic entry.
        store.append(last + 1, &[0x5a; 400], &[])?;
        Ok(())
    };
    match probe() {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("store_probe: {e}");
            ExitCode::FAILURE
        }
    }
}
