//! The routes: each turns a request into one ledger call and its answer
//! into a response (docs/PROTOCOL.md lists them). Never decides what is
//! valid itself: entries are judged by [`accord_ledger::Ledger`], notes and
//! checkpoints by accord-core and `Ledger::match_checkpoint`.

use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::SystemTime;

use accord_core::entry::Head;
use accord_core::limits::MAX_ENTRY_BYTES;
use accord_core::note::{Note, MAX_NOTE_BYTES};
use accord_core::tiles::{self, Resource};
use accord_core::{Sealed, Violation};
use accord_ledger::tiles::TilesError;
use accord_ledger::{check_not_future, DiskLedger, LedgerError};
use axum::body::Bytes;
use axum::extract::{DefaultBodyLimit, Path, Query, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde_json::{json, Value};

use crate::{Limits, Shared};

/// Most entries one `GET /entries` answers.
pub const MAX_ENTRIES_PER_READ: u64 = 4096;
/// Most entry bytes one `GET /entries` answers (at least one entry is
/// always sent, whatever its size).
pub const MAX_READ_BYTES: usize = 8 << 20;

pub(crate) type Shared_ = Arc<Shared>;

/// The routes, with the per-request bounds.
pub(crate) fn router(shared: Shared_, limits: &Limits) -> Router {
    Router::new()
        .route("/checkpoint", get(crate::checkpoint::get))
        .route(
            "/checkpoint/cosignature",
            post(crate::checkpoint::post_cosignature),
        )
        .route("/head", get(head))
        .route("/entries", get(entries).post(post_entry))
        .route("/entry/{seq}", get(entry))
        .route("/proof/inclusion", get(inclusion))
        .route("/proof/consistency", get(consistency))
        .route("/tile/{*rest}", get(tile))
        .route("/author/{key}", get(crate::signing::author))
        .route("/record/{kind}/{id}", get(crate::signing::record))
        .fallback(not_found)
        .layer(DefaultBodyLimit::max(MAX_ENTRY_BYTES))
        .layer(tower_http::timeout::TimeoutLayer::with_status_code(
            StatusCode::REQUEST_TIMEOUT,
            limits.request_timeout,
        ))
        .with_state(shared)
}

/// An error answer: a status and `{"error": "one line"}`, plus any fields
/// the client acts on (the head, for a conflict).
pub(crate) struct ApiError {
    status: StatusCode,
    message: String,
    extra: Option<(&'static str, Value)>,
}

impl ApiError {
    pub(crate) fn new(status: StatusCode, message: impl Into<String>) -> Self {
        Self {
            status,
            message: message.into(),
            extra: None,
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let mut body = json!({ "error": self.message });
        if let Some((k, v)) = self.extra {
            body[k] = v;
        }
        (self.status, Json(body)).into_response()
    }
}

impl From<LedgerError> for ApiError {
    fn from(e: LedgerError) -> Self {
        let status = match &e {
            LedgerError::NoEntry { .. } => StatusCode::NOT_FOUND,
            LedgerError::TreeSize { .. }
            | LedgerError::NotInTree { .. }
            | LedgerError::ConsistencyRange { .. } => StatusCode::BAD_REQUEST,
            LedgerError::Rejected(_)
            | LedgerError::RejectedEntry { .. }
            | LedgerError::FutureEntry { .. }
            | LedgerError::FutureTime { .. } => StatusCode::UNPROCESSABLE_ENTITY,
            _ => StatusCode::INTERNAL_SERVER_ERROR,
        };
        Self::new(status, e.to_string())
    }
}

/// The answer to a client over its rate.
pub(crate) fn too_many() -> Response {
    ApiError::new(
        StatusCode::TOO_MANY_REQUESTS,
        "too many requests from this address: slow down",
    )
    .into_response()
}

async fn not_found() -> ApiError {
    ApiError::new(
        StatusCode::NOT_FOUND,
        "no such route (see docs/PROTOCOL.md)",
    )
}

/// Runs `f` on the ledger on a blocking thread: the one place the ledger
/// is used.
pub(crate) async fn with_ledger<T: Send + 'static>(
    shared: &Shared_,
    f: impl FnOnce(&mut DiskLedger) -> Result<T, ApiError> + Send + 'static,
) -> Result<T, ApiError> {
    let shared = shared.clone();
    tokio::task::spawn_blocking(move || {
        // A panic while holding the lock cannot leave a half-written entry
        // (each append is one store transaction), so the ledger stays usable.
        let mut ledger = shared.ledger.lock().unwrap_or_else(|p| p.into_inner());
        f(&mut ledger)
    })
    .await
    .unwrap_or_else(|_| {
        Err(ApiError::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "internal error while reading the ledger",
        ))
    })
}

pub(crate) fn head_json(head: &Head) -> Value {
    json!({ "seq": head.seq, "hash": head.hash.to_hex() })
}

fn current_head(ledger: &DiskLedger) -> Result<Head, LedgerError> {
    let seq = ledger.last_seq()?;
    Ok(ledger.entry(seq)?.head())
}

async fn head(State(shared): State<Shared_>) -> Result<Json<Value>, ApiError> {
    let head = with_ledger(&shared, |l| Ok(current_head(l)?)).await?;
    Ok(Json(head_json(&head)))
}

fn octets(body: Vec<u8>) -> Response {
    ([(header::CONTENT_TYPE, "application/octet-stream")], body).into_response()
}

async fn entry(State(shared): State<Shared_>, Path(seq): Path<u64>) -> Result<Response, ApiError> {
    let bytes = with_ledger(&shared, move |l| Ok(l.entry(seq)?.bytes)).await?;
    Ok(octets(bytes))
}

#[derive(serde::Deserialize)]
struct Range {
    from: u64,
    count: Option<u64>,
}

/// Entries `from` on: each as a 4-byte big-endian length, then its
/// canonical bytes. Fewer than asked when the ledger ends or the answer
/// reaches its bound; the client asks again from where it stopped.
async fn entries(
    State(shared): State<Shared_>,
    Query(range): Query<Range>,
) -> Result<Response, ApiError> {
    let count = range
        .count
        .unwrap_or(MAX_ENTRIES_PER_READ)
        .min(MAX_ENTRIES_PER_READ);
    let body = with_ledger(&shared, move |l| {
        let last = l.last_seq()?;
        if range.from > last {
            return Err(LedgerError::NoEntry {
                seq: range.from,
                last,
            }
            .into());
        }
        let mut body = Vec::new();
        for e in l
            .entries(range.from)
            .take(usize::try_from(count).unwrap_or(usize::MAX))
        {
            let e = e?;
            if !body.is_empty() && body.len() + e.bytes.len() > MAX_READ_BYTES {
                break;
            }
            let len = u32::try_from(e.bytes.len()).map_err(|_| {
                ApiError::new(StatusCode::INTERNAL_SERVER_ERROR, "an entry is too large")
            })?;
            body.extend_from_slice(&len.to_be_bytes());
            body.extend_from_slice(&e.bytes);
        }
        Ok(body)
    })
    .await?;
    Ok(octets(body))
}

#[derive(serde::Deserialize)]
struct InclusionQuery {
    seq: u64,
    size: Option<u64>,
}

async fn inclusion(
    State(shared): State<Shared_>,
    Query(q): Query<InclusionQuery>,
) -> Result<Json<Value>, ApiError> {
    let v = with_ledger(&shared, move |l| {
        let size = match q.size {
            Some(n) => n,
            None => l.tree_size()?,
        };
        Ok(l.inclusion_json(q.seq, size)?)
    })
    .await?;
    Ok(Json(v))
}

#[derive(serde::Deserialize)]
struct ConsistencyQuery {
    old: u64,
    new: u64,
}

async fn consistency(
    State(shared): State<Shared_>,
    Query(q): Query<ConsistencyQuery>,
) -> Result<Json<Value>, ApiError> {
    let v = with_ledger(&shared, move |l| Ok(l.consistency_json(q.old, q.new)?)).await?;
    Ok(Json(v))
}

/// Whether a refusal means the entry was signed against a head that is no
/// longer the head (its seq taken, or its previous hash not the head's).
fn is_conflict(e: &LedgerError) -> bool {
    matches!(
        e,
        LedgerError::RejectedEntry {
            violation: Violation::Seq { .. } | Violation::Prev(_),
            ..
        } | LedgerError::Rejected(Violation::Seq { .. } | Violation::Prev(_))
    )
}

/// `POST /entries`: one entry's canonical bytes, admitted as an import
/// admits them (signature, key at this position, rules, clock), durable
/// before the answer.
async fn post_entry(State(shared): State<Shared_>, body: Bytes) -> Result<Response, ApiError> {
    let entry = Sealed::from_bytes(body.to_vec()).map_err(|e| {
        ApiError::new(
            StatusCode::BAD_REQUEST,
            format!("not an entry's canonical bytes: {e}"),
        )
    })?;
    let now = SystemTime::now()
        .duration_since(SystemTime::UNIX_EPOCH)
        .map(|d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX))
        .unwrap_or(0);
    check_not_future(&entry, now)?;
    let (status, head) = with_ledger(&shared, move |l| {
        let last = l.last_seq()?;
        if entry.seq() <= last {
            // The same entry sent again (a reply lost on the way) is
            // answered as if it were accepted now; any other is a conflict.
            let stored = l.entry(entry.seq())?;
            if stored.hash == entry.hash {
                return Ok((StatusCode::OK, stored.head()));
            }
            return Err(conflict(
                l,
                format!(
                    "seq {} is taken (the head is {last}): fetch the head, re-sign and send again",
                    entry.seq()
                ),
            ));
        }
        match l.append_sealed(std::slice::from_ref(&entry)) {
            Ok(()) => Ok((StatusCode::CREATED, entry.head())),
            Err(e) if is_conflict(&e) => Err(conflict(
                l,
                format!("{e}: fetch the head, re-sign and send again"),
            )),
            Err(e) => Err(e.into()),
        }
    })
    .await?;
    Ok((status, Json(head_json(&head))).into_response())
}

fn conflict(l: &DiskLedger, message: String) -> ApiError {
    match current_head(l) {
        Ok(head) => ApiError {
            status: StatusCode::CONFLICT,
            message,
            extra: Some(("head", head_json(&head))),
        },
        Err(e) => e.into(),
    }
}

/// The cosigned checkpoint file the host gives, read again when it
/// changes, and served only once it matches the ledger.
pub(crate) struct CheckpointFile {
    path: PathBuf,
    /// The file's identity (length, modification time) when last read,
    /// and what was found then: the note's text, or why it is not served.
    cached: Mutex<Option<(Stamp, Result<String, String>)>>,
}

type Stamp = (u64, Option<SystemTime>);

impl CheckpointFile {
    pub(crate) fn new(path: PathBuf) -> Self {
        Self {
            path,
            cached: Mutex::new(None),
        }
    }
}

/// Reads and checks the checkpoint file against the ledger.
fn load_checkpoint(l: &DiskLedger, path: &std::path::Path) -> Result<String, String> {
    let bytes = read_at_most(path, MAX_NOTE_BYTES)?;
    let note = Note::parse(&bytes).map_err(|e| format!("not a signed checkpoint: {e}"))?;
    // Keys from a verifying replay, not from derived data.
    let state = l.replay().map_err(|e| e.to_string())?;
    l.match_checkpoint(&note, state.charter(), state.keyring())
        .map_err(|e| e.to_string())?;
    Ok(note.format())
}

fn read_at_most(path: &std::path::Path, max: usize) -> Result<Vec<u8>, String> {
    use std::io::Read;
    let file = std::fs::File::open(path).map_err(|e| e.to_string())?;
    let mut bytes = Vec::new();
    file.take(u64::try_from(max).unwrap_or(u64::MAX).saturating_add(1))
        .read_to_end(&mut bytes)
        .map_err(|e| e.to_string())?;
    if bytes.len() > max {
        return Err(format!("larger than {max} bytes"));
    }
    Ok(bytes)
}

pub(crate) async fn checkpoint(State(shared): State<Shared_>) -> Result<Response, ApiError> {
    if shared.checkpoint.is_none() {
        return Err(ApiError::new(
            StatusCode::NOT_FOUND,
            "no checkpoint: this server was started without --checkpoint",
        ));
    }
    let text = with_ledger(&shared.clone(), move |l| {
        let Some(cp) = &shared.checkpoint else {
            return Err(ApiError::new(StatusCode::NOT_FOUND, "no checkpoint"));
        };
        let stamp: Option<Stamp> = std::fs::metadata(&cp.path)
            .ok()
            .map(|m| (m.len(), m.modified().ok()));
        let mut cached = cp.cached.lock().unwrap_or_else(|p| p.into_inner());
        let fresh = match (&*cached, stamp) {
            (Some((old, _)), Some(new)) => *old == new,
            _ => false,
        };
        if !fresh {
            let found = load_checkpoint(l, &cp.path);
            *cached = stamp.map(|s| (s, found.clone()));
            if stamp.is_none() {
                return Err(ApiError::new(
                    StatusCode::SERVICE_UNAVAILABLE,
                    format!("the checkpoint file {} cannot be read", cp.path.display()),
                ));
            }
        }
        match cached.as_ref().map(|(_, r)| r.clone()) {
            Some(Ok(text)) => Ok(text),
            Some(Err(why)) => Err(ApiError::new(
                StatusCode::SERVICE_UNAVAILABLE,
                format!("the host's checkpoint file is not served: {why}"),
            )),
            None => Err(ApiError::new(
                StatusCode::SERVICE_UNAVAILABLE,
                "the checkpoint file cannot be read",
            )),
        }
    })
    .await?;
    Ok(([(header::CONTENT_TYPE, "text/plain; charset=utf-8")], text).into_response())
}

impl From<TilesError> for ApiError {
    fn from(e: TilesError) -> Self {
        match e {
            TilesError::Ledger(e) => e.into(),
            e @ TilesError::NotInTree { .. } => Self::new(StatusCode::NOT_FOUND, e.to_string()),
            e => Self::new(StatusCode::INTERNAL_SERVER_ERROR, e.to_string()),
        }
    }
}

/// `GET /tile/<L>/<N>[.p/<W>]` and `GET /tile/entries/<N>[.p/<W>]`: C2SP
/// tlog-tiles, from the tree of every entry (paths parsed by
/// `accord_core::tiles`, bytes from the ledger). A full tile never
/// changes, so it may be cached for ever; a partial one may grow.
async fn tile(
    State(shared): State<Shared_>,
    Path(rest): Path<String>,
) -> Result<Response, ApiError> {
    let resource = tiles::parse_path(&format!("tile/{rest}"))
        .map_err(|e| ApiError::new(StatusCode::NOT_FOUND, e.to_string()))?;
    let (t, bytes) = with_ledger(&shared, move |l| match resource {
        Resource::Tile(t) => Ok((t, l.tile(t.level, t.index, t.width)?)),
        Resource::Entries(t) => Ok((t, l.entry_bundle(t.index, t.width)?)),
        Resource::Checkpoint => Err(ApiError::new(StatusCode::NOT_FOUND, "no such tile")),
    })
    .await?;
    let cache = match t.is_full() {
        true => "public, max-age=31536000, immutable",
        false => "no-cache",
    };
    Ok((
        [
            (header::CONTENT_TYPE, "application/octet-stream"),
            (header::CACHE_CONTROL, cache),
        ],
        bytes,
    )
        .into_response())
}
