//! `accord serve`: opens the ledger for writing, binds the address, prints
//! it, and hands both to accord-server until it stops. Holds no HTTP or
//! rule code: the server crate translates, the ledger decides.

use std::io::Write;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;

use accord_ledger::Ledger;
use anyhow::{Context, Result};

use super::Globals;

pub fn run(
    listen: SocketAddr,
    checkpoint: Option<PathBuf>,
    max_requests: Option<u64>,
    rate: u32,
    key: Option<&std::path::Path>,
    g: &Globals,
    out: &mut impl Write,
) -> Result<ExitCode> {
    let key = key.map(crate::keyfile::load_private).transpose()?;
    let ledger = Ledger::open(g.ledger)?;
    let listener = std::net::TcpListener::bind(listen)
        .with_context(|| format!("cannot listen on {listen}"))?;
    let bound = listener.local_addr()?;
    writeln!(out, "{bound}")?;
    out.flush()?;
    let mut limits = accord_server::Limits::default();
    // --rate 0: behind a proxy every client has the proxy's address, so
    // the limits per address are the proxy's to apply.
    (limits.per_second, limits.burst, limits.max_per_address) = match rate {
        0 => (u32::MAX, u32::MAX, usize::MAX),
        n => (n, n.saturating_mul(2), limits.max_per_address),
    };
    let config = accord_server::Config {
        checkpoint,
        max_requests,
        key,
        limits,
    };
    accord_server::run(listener, ledger, config)?;
    Ok(ExitCode::SUCCESS)
}
