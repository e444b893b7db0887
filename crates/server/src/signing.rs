//! What a client needs to sign an entry away from the ledger
//! (`accord --remote`): `GET /author/<public key>` (the head the next
//! entry follows, the key's party and its next sequence number) and
//! `GET /record/<kind>/<id>` (a proposal's hash and how far its adoption
//! has gone). Answers only; the entry the client then signs is judged by
//! the gate like any other.

use accord_core::crypto::PublicKey;
use accord_core::{AmendmentId, ClauseId, RecordKey, RevocationId, RulingId};
use accord_ledger::LedgerError;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::Json;
use serde_json::{json, Value};

use crate::routes::{head_json, with_ledger, ApiError, Shared_};

/// `GET /author/<public key hex>`.
pub(crate) async fn author(
    State(shared): State<Shared_>,
    Path(key): Path<String>,
) -> Result<Json<Value>, ApiError> {
    let key = PublicKey::from_hex(&key).map_err(|e| {
        ApiError::new(
            StatusCode::BAD_REQUEST,
            format!("not a public key (64 hex characters): {e}"),
        )
    })?;
    let next = with_ledger(&shared, move |l| match l.next_for(&key) {
        Ok(next) => Ok(next),
        Err(LedgerError::Signer(e)) => Err(ApiError::new(StatusCode::NOT_FOUND, e.to_string())),
        Err(e) => Err(e.into()),
    })
    .await?;
    Ok(Json(json!({
        "ledger": next.ledger.to_hex(),
        "head": head_json(&next.head),
        "party": next.party.as_str(),
        "author_seq": next.author_seq,
        "time": next.head_time,
    })))
}

/// `GET /record/<clause|ruling|revocation|amendment>/<id>`: `{"proposal": hash,
/// "adopted_at": seq or null, "endorsements": n}`.
pub(crate) async fn record(
    State(shared): State<Shared_>,
    Path((kind, id)): Path<(String, String)>,
) -> Result<Json<Value>, ApiError> {
    let bad = |e: accord_core::IdError| ApiError::new(StatusCode::BAD_REQUEST, e.to_string());
    let key = match kind.as_str() {
        "clause" => RecordKey::Clause(ClauseId::new(id.clone()).map_err(bad)?),
        "ruling" => RecordKey::Ruling(RulingId::new(id.clone()).map_err(bad)?),
        "revocation" => RecordKey::Revocation(RevocationId::new(id.clone()).map_err(bad)?),
        "amendment" => RecordKey::Amendment(AmendmentId::new(id.clone()).map_err(bad)?),
        _ => {
            return Err(ApiError::new(
                StatusCode::NOT_FOUND,
                "records are clause, ruling, revocation or amendment",
            ))
        }
    };
    let found = with_ledger(&shared, move |l| Ok(l.proposal(&key)?)).await?;
    let p = found.ok_or_else(|| ApiError::new(StatusCode::NOT_FOUND, format!("no {kind} {id}")))?;
    Ok(Json(json!({
        "proposal": p.proposal.hash.to_hex(),
        "proposed_at": p.proposal.seq,
        "adopted_at": p.adopted_at,
        "endorsements": p.endorsements,
    })))
}
