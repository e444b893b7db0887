//! The server's own checkpoint (`accord serve --key`): `GET /checkpoint`
//! answers the current head's checkpoint signed by the host key, with the
//! cosignatures collected so far, and `POST /checkpoint/cosignature` takes
//! a witness's cosignature of it (docs/PROTOCOL.md). Every decision is
//! [`accord_ledger::live::LiveCheckpoint`]'s: this module only maps its
//! answers to HTTP. Without `--key` the host's file is served as before
//! (`routes::checkpoint`).

use std::sync::Mutex;

use accord_core::note::{Note, MAX_NOTE_BYTES};
use accord_ledger::live::{LiveCheckpoint, LiveError};
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde_json::json;

use crate::routes::{self, with_ledger, ApiError};
use crate::Shared;

type Shared_ = std::sync::Arc<Shared>;

/// The live checkpoint, when the server signs its own.
pub(crate) type Live = Mutex<LiveCheckpoint>;

fn note_text(text: String) -> Response {
    ([(header::CONTENT_TYPE, "text/plain; charset=utf-8")], text).into_response()
}

fn refused(e: LiveError) -> Response {
    let status = match &e {
        LiveError::Stale { .. } => StatusCode::CONFLICT,
        LiveError::Refused(_) | LiveError::Note(_) => StatusCode::UNPROCESSABLE_ENTITY,
        LiveError::NotAParty { .. } => StatusCode::SERVICE_UNAVAILABLE,
        _ => StatusCode::INTERNAL_SERVER_ERROR,
    };
    let mut body = json!({ "error": e.to_string() });
    if let LiveError::Stale { current, .. } = &e {
        body["checkpoint"] = current.clone().into();
    }
    (status, Json(body)).into_response()
}

/// `GET /checkpoint`.
pub(crate) async fn get(State(shared): State<Shared_>) -> Result<Response, ApiError> {
    if shared.live.is_none() {
        return routes::checkpoint(State(shared)).await;
    }
    let answer = with_ledger(&shared.clone(), move |l| {
        let Some(live) = &shared.live else {
            return Ok(Err(LiveError::NotAParty { size: 0 }));
        };
        let mut live = live.lock().unwrap_or_else(|p| p.into_inner());
        Ok(live.current(l).map(|n| n.format()))
    })
    .await?;
    Ok(match answer {
        Ok(text) => note_text(text),
        Err(e) => refused(e),
    })
}

/// `POST /checkpoint/cosignature`: the current checkpoint carrying a
/// witness's cosignature line; answers the checkpoint now served.
pub(crate) async fn post_cosignature(
    State(shared): State<Shared_>,
    body: Bytes,
) -> Result<Response, ApiError> {
    if shared.live.is_none() {
        return Ok((
            StatusCode::NOT_FOUND,
            Json(json!({"error": "this server signs no checkpoint of its own: it was started without --key"})),
        )
            .into_response());
    }
    if body.len() > MAX_NOTE_BYTES {
        return Ok(refused(LiveError::Note(
            accord_core::note::NoteError::TooLarge,
        )));
    }
    let note = match Note::parse(&body) {
        Ok(n) => n,
        Err(e) => return Ok(refused(LiveError::Note(e))),
    };
    let answer = with_ledger(&shared.clone(), move |l| {
        let Some(live) = &shared.live else {
            return Ok(Err(LiveError::NotAParty { size: 0 }));
        };
        let mut live = live.lock().unwrap_or_else(|p| p.into_inner());
        Ok(live.add_cosignature(l, &note).map(|c| c.note.format()))
    })
    .await?;
    Ok(match answer {
        Ok(text) => note_text(text),
        Err(e) => refused(e),
    })
}
