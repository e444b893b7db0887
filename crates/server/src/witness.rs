//! A C2SP tlog-witness over HTTP (`accord witness serve`): the one route
//! `POST /add-checkpoint`, a thin adapter over
//! [`accord_ledger::tlog_witness::TlogWitness`], with the same bounds as
//! the ledger server (connections, timeouts, rate per address, body size).
//!
//! It decides nothing itself: the request is judged, the state kept and
//! the cosignature made by accord-ledger; this module only maps the
//! refusal to the status c2sp.org/tlog-witness assigns it and writes the
//! body (the cosignature lines; for a 409, the latest size as
//! `text/x.tlog.size`; otherwise one line saying what is wrong, except
//! that a 500's reason goes to standard error, not to the client).

use std::sync::Arc;

use accord_core::tlog_witness::{format_size, MAX_REQUEST_BYTES, SIZE_CONTENT_TYPE};
use accord_ledger::tlog_witness::TlogWitness;
use axum::body::Bytes;
use axum::extract::{DefaultBodyLimit, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use axum::Router;

use crate::{serve_router, Limits, ServerError};

/// How to run a witness.
#[derive(Debug, Clone)]
pub struct WitnessConfig {
    /// Stop by itself after this many requests (tests).
    pub max_requests: Option<u64>,
    /// What one client may use.
    pub limits: Limits,
    /// The clock: POSIX seconds, the cosignatures' timestamp.
    pub now: fn() -> i64,
    /// Runs after the new state is durable and before the cosignature is
    /// sent (a crash point for tests).
    pub persisted: fn(),
}

struct Shared {
    witness: TlogWitness,
    now: fn() -> i64,
    persisted: fn(),
}

/// The witness's routes, with the per-request bounds.
fn router(shared: Arc<Shared>, limits: &Limits) -> Router {
    Router::new()
        .route("/add-checkpoint", post(add_checkpoint))
        .fallback(|| async {
            text(
                StatusCode::NOT_FOUND,
                "no such route: a tlog-witness answers POST /add-checkpoint\n".into(),
            )
        })
        .layer(DefaultBodyLimit::max(MAX_REQUEST_BYTES))
        .layer(tower_http::timeout::TimeoutLayer::with_status_code(
            StatusCode::REQUEST_TIMEOUT,
            limits.request_timeout,
        ))
        .with_state(shared)
}

fn text(status: StatusCode, body: String) -> Response {
    (
        status,
        [(header::CONTENT_TYPE, "text/plain; charset=utf-8")],
        body,
    )
        .into_response()
}

async fn add_checkpoint(State(shared): State<Arc<Shared>>, body: Bytes) -> Response {
    let answer = tokio::task::spawn_blocking(move || {
        shared
            .witness
            .add_checkpoint(&body, (shared.now)(), shared.persisted)
    })
    .await;
    match answer {
        Ok(Ok(cosigned)) => text(StatusCode::OK, cosigned.lines),
        Ok(Err(e)) => {
            let status =
                StatusCode::from_u16(e.status()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
            match e.latest_size() {
                Some(size) => (
                    status,
                    [(header::CONTENT_TYPE, SIZE_CONTENT_TYPE)],
                    format_size(size),
                )
                    .into_response(),
                // The operator's business (a path, an I/O error): on the
                // witness's standard error, never to the client.
                None if status.is_server_error() => {
                    eprintln!("witness: {e}");
                    text(
                        status,
                        "the witness cannot use its state; nothing was cosigned (its operator is told why)\n".into(),
                    )
                }
                None => text(status, format!("{e}\n")),
            }
        }
        Err(_) => text(
            StatusCode::INTERNAL_SERVER_ERROR,
            "internal error while witnessing\n".into(),
        ),
    }
}

/// Serves `witness` on `listener` until `config.max_requests` requests
/// have been answered (or for ever). Blocks the calling thread; runs its
/// own runtime.
pub fn run(
    listener: std::net::TcpListener,
    witness: TlogWitness,
    config: WitnessConfig,
) -> Result<(), ServerError> {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    let shared = Arc::new(Shared {
        witness,
        now: config.now,
        persisted: config.persisted,
    });
    let router = router(shared, &config.limits);
    runtime.block_on(serve_router(
        listener,
        router,
        &config.limits,
        config.max_requests,
    ))
}
