//! What a client needs to sign an entry away from the ledger
//! (`accord --remote`): `GET /author/<public key>` (the head the next
//! entry follows, the key's party and its next sequence number) and
//! `GET /record/<kind>/<id>` (a proposal's hash and how far its adoption
//! has gone). Answers only; the entry the client then signs is judged by
//! the gate like any other.

use accord_core::crypto::PublicKey;
use accord_core::{AmendmentId, ClauseId, CommitmentId, RecordKey, RevocationId, RulingId};
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
/// "adopted_at": seq or null, "endorsements": n, "term": hash or null,
/// "term_at": seq or null}`
/// (`term`: a clause's pending term proposal); `GET
/// /record/commitment/<id>`: `{"made": head, "reschedule": {"proposal", "proposed_at",
/// "endorsements"} or null, "report": head or null}`.
pub(crate) async fn record(
    State(shared): State<Shared_>,
    Path((kind, id)): Path<(String, String)>,
) -> Result<Json<Value>, ApiError> {
    let bad = |e: accord_core::IdError| ApiError::new(StatusCode::BAD_REQUEST, e.to_string());
    if kind == "commitment" {
        let commitment = CommitmentId::new(id.clone()).map_err(bad)?;
        let key = RecordKey::Commitment(commitment.clone());
        let found = with_ledger(&shared, move |l| {
            let records = l.records(vec![key.clone()])?;
            let report = records.latest_report(&key);
            let made = records.commitments().get(&commitment).map(|c| c.made);
            Ok(made.map(|made| (made, records.proposal(&key), report)))
        })
        .await?;
        let (made, reschedule, report) =
            found.ok_or_else(|| ApiError::new(StatusCode::NOT_FOUND, format!("no {kind} {id}")))?;
        return Ok(Json(json!({
            "made": head_json(&made),
            "reschedule": reschedule.map(|p| json!({
                "proposal": p.proposal.hash.to_hex(),
                "proposed_at": p.proposal.seq,
                "endorsements": p.endorsements,
            })),
            "report": report.map(|h| head_json(&h)),
        })));
    }
    let key = match kind.as_str() {
        "clause" => RecordKey::Clause(ClauseId::new(id.clone()).map_err(bad)?),
        "ruling" => RecordKey::Ruling(RulingId::new(id.clone()).map_err(bad)?),
        "revocation" => RecordKey::Revocation(RevocationId::new(id.clone()).map_err(bad)?),
        "amendment" => RecordKey::Amendment(AmendmentId::new(id.clone()).map_err(bad)?),
        _ => {
            return Err(ApiError::new(
                StatusCode::NOT_FOUND,
                "records are clause, commitment, ruling, revocation or amendment",
            ))
        }
    };
    let found = with_ledger(&shared, move |l| {
        let p = l.proposal(&key)?;
        // issue 13: clauses. A clause's pending term proposal, which a
        // term endorsement names.
        let term = match &key {
            RecordKey::Clause(c) => l.clause(c)?.and_then(|c| c.term),
            _ => None,
        };
        Ok(p.map(|p| (p, term.map(|t| t.proposal))))
    })
    .await?;
    let (p, term) =
        found.ok_or_else(|| ApiError::new(StatusCode::NOT_FOUND, format!("no {kind} {id}")))?;
    Ok(Json(json!({
        "proposal": p.proposal.hash.to_hex(),
        "proposed_at": p.proposal.seq,
        "adopted_at": p.adopted_at,
        "endorsements": p.endorsements,
        "term": term.map(|t| t.hash.to_hex()),
        "term_at": term.map(|t| t.seq),
    })))
}
