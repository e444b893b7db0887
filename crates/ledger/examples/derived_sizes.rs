//! A measurement probe (docs/BENCHMARKS.md, "Workloads"): the bytes a
//! ledger keeps, per kind of key: the entries, and each table of derived
//! data (docs/DERIVED.md) by its key prefix, with the largest checkpoint.
//! Keys and values only, as stored; the file's own overhead (pages, free
//! space) is what the harness's disk figure adds. Reads, never writes.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::process::ExitCode;

use accord_store::{DiskStore, Store};

fn main() -> ExitCode {
    let Some(dir) = std::env::args_os().nth(1).map(PathBuf::from) else {
        eprintln!("usage: derived_sizes LEDGER-DIR");
        return ExitCode::from(2);
    };
    let probe = || -> Result<(), Box<dyn std::error::Error>> {
        let store = DiskStore::open_read(&dir)?;
        let mut tables: BTreeMap<String, (u64, u64, u64)> = BTreeMap::new();
        let (mut n, mut bytes) = (0u64, 0u64);
        for item in store.scan(0) {
            let (_, e) = item?;
            n += 1;
            bytes += e.len() as u64;
        }
        tables.insert("entries".into(), (n, bytes, 0));
        for item in store.derived_scan(b"") {
            let (k, v) = item?;
            let cut = k.iter().position(|&b| b == b'/').map_or(k.len(), |i| i + 1);
            let name = String::from_utf8_lossy(&k[..cut]).into_owned();
            let t = tables.entry(name).or_default();
            t.0 += 1;
            t.1 += (k.len() + v.len()) as u64;
            t.2 = t.2.max(v.len() as u64);
        }
        let rows: Vec<String> = tables
            .iter()
            .map(|(name, (count, bytes, largest))| {
                format!(
                    "  {{\"table\": {name:?}, \"keys\": {count}, \"bytes\": {bytes}, \"largest_value\": {largest}}}"
                )
            })
            .collect();
        println!("[\n{}\n]", rows.join(",\n"));
        Ok(())
    };
    match probe() {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("derived_sizes: {e}");
            ExitCode::FAILURE
        }
    }
}
