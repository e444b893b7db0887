//! accord-server: the HTTP face of one ledger (`accord serve`).
//!
//! A thin adapter, like the CLI: each route turns an HTTP request into one
//! call of [`accord_ledger::Ledger`] and its answer into a response. It holds
//! no rule and no format of its own: an entry POSTed here goes through the
//! same gate as a local append, and every byte it serves comes from the
//! ledger. The routes and their answers are listed in docs/PROTOCOL.md.
//!
//! The ledger (one writer) is owned by one place, a mutex that only blocking
//! tasks (`spawn_blocking`) take, so the async runtime never waits on disk.
//! Everything a client controls is bounded ([`Limits`]): body size,
//! connections, header and request time, request rate per address.

#![cfg_attr(not(test), deny(clippy::unwrap_used, clippy::dbg_macro))]
#![warn(missing_docs)]

mod checkpoint;
mod limit;
mod routes;
mod signing;

use std::collections::HashMap;
use std::net::{IpAddr, SocketAddr};
use std::path::PathBuf;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use accord_ledger::live::{LiveCheckpoint, LiveError};
use accord_ledger::DiskLedger;
use ed25519_dalek::SigningKey;
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::server::graceful::GracefulShutdown;
use tokio::sync::{Notify, Semaphore};
use tower::ServiceExt;

pub use limit::RateLimiter;

pub mod witness;

/// What the server lets one client use. The defaults suit a server behind
/// a reverse proxy that terminates TLS.
#[derive(Debug, Clone)]
pub struct Limits {
    /// Open connections at once; more are closed as soon as accepted.
    pub max_connections: usize,
    /// Open connections at once from one address, so that one client
    /// cannot hold every connection; more from it are closed at once.
    pub max_per_address: usize,
    /// Time a client has to send a request's headers.
    pub header_timeout: Duration,
    /// Time one request may take, body included.
    pub request_timeout: Duration,
    /// Longest a connection may stay open, however busy.
    pub connection_lifetime: Duration,
    /// Requests one address may make in a burst.
    pub burst: u32,
    /// Requests per second one address may make, sustained.
    pub per_second: u32,
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            max_connections: 256,
            max_per_address: 32,
            header_timeout: Duration::from_secs(10),
            request_timeout: Duration::from_secs(30),
            connection_lifetime: Duration::from_secs(300),
            burst: 100,
            per_second: 50,
        }
    }
}

/// How to run a server.
#[derive(Debug, Clone, Default)]
pub struct Config {
    /// The cosigned checkpoint file `GET /checkpoint` serves (re-read when
    /// it changes), if any.
    pub checkpoint: Option<PathBuf>,
    /// The host party's current key: with it the server signs the
    /// checkpoint of its head itself and collects cosignatures on it
    /// (written to `checkpoint`, if given, instead of reading it).
    pub key: Option<SigningKey>,
    /// Stop by itself after this many requests (tests).
    pub max_requests: Option<u64>,
    /// What one client may use.
    pub limits: Limits,
}

/// Why the server could not run.
#[derive(Debug, thiserror::Error)]
pub enum ServerError {
    /// The runtime or the listening socket failed.
    #[error("server: {0}")]
    Io(#[from] std::io::Error),
    /// The live checkpoint could not be started.
    #[error("{0}")]
    Checkpoint(#[from] LiveError),
}

/// The state every request shares.
pub(crate) struct Shared {
    pub(crate) ledger: Mutex<DiskLedger>,
    pub(crate) checkpoint: Option<routes::CheckpointFile>,
    pub(crate) live: Option<checkpoint::Live>,
}

/// Serves `ledger` on `listener` until `config.max_requests` requests have
/// been answered (or for ever). Blocks the calling thread; runs its own
/// runtime.
pub fn run(
    listener: std::net::TcpListener,
    ledger: DiskLedger,
    config: Config,
) -> Result<(), ServerError> {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    runtime.block_on(serve(listener, ledger, config))
}

async fn serve(
    listener: std::net::TcpListener,
    mut ledger: DiskLedger,
    config: Config,
) -> Result<(), ServerError> {
    let (live, file) = match config.key {
        Some(key) => {
            let live = LiveCheckpoint::start(&mut ledger, key, config.checkpoint)?;
            (Some(Mutex::new(live)), None)
        }
        None => (None, config.checkpoint),
    };
    let shared = Arc::new(Shared {
        ledger: Mutex::new(ledger),
        checkpoint: file.map(routes::CheckpointFile::new),
        live,
    });
    let router = routes::router(shared, &config.limits);
    serve_router(listener, router, &config.limits, config.max_requests).await
}

/// Serves `router` on `listener` within `limits` (connections, header and
/// connection time, rate per address) until `max_requests` requests have
/// been answered (or for ever): the bounds every server of this crate
/// shares.
async fn serve_router(
    listener: std::net::TcpListener,
    router: axum::Router,
    limits: &Limits,
    max_requests: Option<u64>,
) -> Result<(), ServerError> {
    listener.set_nonblocking(true)?;
    let listener = tokio::net::TcpListener::from_std(listener)?;
    let connections = Arc::new(Semaphore::new(limits.max_connections.max(1)));
    let open_by_address = Arc::new(Mutex::new(HashMap::new()));
    let rate = Arc::new(RateLimiter::new(limits.burst, limits.per_second));
    let served = Arc::new(AtomicU64::new(0));
    let stop = Arc::new(Notify::new());
    let graceful = GracefulShutdown::new();
    let mut http = hyper::server::conn::http1::Builder::new();
    http.timer(TokioTimer::new())
        .header_read_timeout(limits.header_timeout)
        .max_buf_size(64 * 1024);

    loop {
        let (stream, peer) = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok(a) => a,
                // A failed accept (a client gone, no file descriptors
                // left) ends that connection, never the server.
                Err(_) => {
                    tokio::time::sleep(Duration::from_millis(10)).await;
                    continue;
                }
            },
            () = stop.notified() => break,
        };
        let Some(from_peer) = PerAddress::open(&open_by_address, peer.ip(), limits.max_per_address)
        else {
            drop(stream);
            continue;
        };
        let Ok(permit) = connections.clone().try_acquire_owned() else {
            drop(stream);
            continue;
        };
        let service = per_connection(
            router.clone(),
            peer,
            rate.clone(),
            served.clone(),
            max_requests,
            stop.clone(),
        );
        let conn = http.serve_connection(TokioIo::new(stream), service);
        let conn = graceful.watch(conn);
        let lifetime = limits.connection_lifetime;
        tokio::spawn(async move {
            let _ = tokio::time::timeout(lifetime, conn).await;
            drop(permit);
            drop(from_peer);
        });
    }
    // In-flight requests finish (the last one's answer included); idle
    // connections are closed. A client that keeps one busy is cut off.
    let _ = tokio::time::timeout(Duration::from_secs(5), graceful.shutdown()).await;
    Ok(())
}

/// One open connection counted against its address; uncounted when dropped.
struct PerAddress {
    open: Arc<Mutex<HashMap<IpAddr, usize>>>,
    ip: IpAddr,
}

impl PerAddress {
    /// Counts a new connection from `ip`, unless it has `max` open already.
    fn open(open: &Arc<Mutex<HashMap<IpAddr, usize>>>, ip: IpAddr, max: usize) -> Option<Self> {
        let mut counts = open.lock().unwrap_or_else(|p| p.into_inner());
        let n = counts.entry(ip).or_insert(0);
        if *n >= max.max(1) {
            return None;
        }
        *n += 1;
        Some(Self {
            open: open.clone(),
            ip,
        })
    }
}

impl Drop for PerAddress {
    fn drop(&mut self) {
        let mut counts = self.open.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(n) = counts.get_mut(&self.ip) {
            *n -= 1;
            if *n == 0 {
                counts.remove(&self.ip);
            }
        }
    }
}

/// The service of one connection: the rate check of its address, the
/// request count, then the router.
fn per_connection(
    router: axum::Router,
    peer: SocketAddr,
    rate: Arc<RateLimiter>,
    served: Arc<AtomicU64>,
    max_requests: Option<u64>,
    stop: Arc<Notify>,
) -> hyper_util::service::TowerToHyperService<
    impl tower::Service<
            hyper::Request<hyper::body::Incoming>,
            Response = axum::response::Response,
            Error = std::convert::Infallible,
            Future = impl Send,
        > + Clone,
> {
    let svc = tower::service_fn(move |req: hyper::Request<hyper::body::Incoming>| {
        let router = router.clone();
        let rate = rate.clone();
        let served = served.clone();
        let stop = stop.clone();
        async move {
            let response = if rate.allow(peer.ip()) {
                router.oneshot(req.map(axum::body::Body::new)).await
            } else {
                Ok(routes::too_many())
            };
            let n = served.fetch_add(1, Ordering::SeqCst) + 1;
            if max_requests.is_some_and(|max| n >= max) {
                stop.notify_one();
            }
            response
        }
    });
    hyper_util::service::TowerToHyperService::new(svc)
}
