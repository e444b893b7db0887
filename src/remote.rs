//! The HTTP client of a server run by `accord serve` (docs/PROTOCOL.md):
//! fetch bytes and JSON, post an entry, and say in one line what went
//! wrong. Holds no rule: every byte fetched is checked by the caller
//! through accord-ledger or accord-core before it is believed.

use std::time::Duration;

use accord_core::crypto::PublicKey;
use accord_core::entry::Head;
use accord_core::{ClauseId, CommitmentId, EntryHash, NextEntry, PartyId, Proposal, RecordKey};
use anyhow::{bail, Context, Result};
use serde::Deserialize;

/// Longest one request may take, connecting included.
const TIMEOUT: Duration = Duration::from_secs(60);
/// Longest wait before asking again after a 429 (about 13 s in all).
const MAX_PAUSE: Duration = Duration::from_secs(4);
/// Largest answer read (a `GET /entries` answer is at most 8 MiB plus one
/// entry).
const MAX_ANSWER_BYTES: u64 = 16 << 20;

/// A server, by its base URL (`http://host:port`, or `https://` behind a
/// TLS proxy).
pub struct Remote {
    base: String,
    agent: ureq::Agent,
}

/// What the server said to a posted entry.
pub enum Posted {
    /// Stored durably (now, or already: a retry after a lost answer).
    Stored,
    /// Signed against a head that is no longer the head.
    Stale { why: String },
    /// Refused by the gate: the one-line reason.
    Refused(String),
}

#[derive(Deserialize)]
struct ErrorBody {
    error: String,
}

/// A head as the server writes it.
#[derive(Deserialize)]
pub struct HeadJson {
    /// The last entry's seq.
    pub seq: u64,
    /// Its hash, hex.
    pub hash: String,
}

impl HeadJson {
    /// The head, its hash parsed.
    pub fn head(&self) -> Result<Head> {
        Ok(Head {
            seq: self.seq,
            hash: self
                .hash
                .parse()
                .with_context(|| format!("the server sent a bad head hash {:?}", self.hash))?,
        })
    }
}

impl Remote {
    /// A client of the server at `url`.
    pub fn new(url: &str) -> Result<Self> {
        let base = url.trim_end_matches('/').to_owned();
        if !(base.starts_with("http://") || base.starts_with("https://")) {
            bail!("--remote {url:?} is not an http:// or https:// URL");
        }
        Ok(Self {
            base,
            agent: agent(),
        })
    }

    /// The base URL.
    pub fn url(&self) -> &str {
        &self.base
    }

    fn unreachable(&self, e: ureq::Error) -> anyhow::Error {
        anyhow::anyhow!(
            "cannot reach the server at {} ({e}); check the URL and that `accord serve` runs there",
            self.base
        )
    }

    /// `GET path`: the body, or `None` on 404.
    /// A 429 (over the server's rate for this address) is waited out and
    /// asked again, a bounded number of times.
    pub fn get(&self, path: &str) -> Result<Option<Vec<u8>>> {
        let mut pause = Duration::from_millis(50);
        let (status, body) = loop {
            let mut answer = self
                .agent
                .get(format!("{}{path}", self.base))
                .call()
                .map_err(|e| self.unreachable(e))?;
            let status = answer.status().as_u16();
            let body = read(&mut answer).with_context(|| format!("reading {}{path}", self.base))?;
            if status != 429 || pause > MAX_PAUSE {
                break (status, body);
            }
            std::thread::sleep(pause);
            pause *= 2;
        };
        match status {
            200 => Ok(Some(body)),
            404 => Ok(None),
            _ => bail!("{}{path}: {}", self.base, describe(status, &body)),
        }
    }

    /// `POST /entries` with one entry's canonical bytes.
    pub fn post_entry(&self, bytes: &[u8]) -> Result<Posted> {
        let mut answer = self
            .agent
            .post(format!("{}/entries", self.base))
            .header("content-type", "application/octet-stream")
            .send(bytes)
            .map_err(|e| self.unreachable(e))?;
        let status = answer.status().as_u16();
        let body = read(&mut answer).context("reading the server's answer")?;
        match status {
            200 | 201 => Ok(Posted::Stored),
            409 => Ok(Posted::Stale {
                why: message(&body),
            }),
            422 => Ok(Posted::Refused(message(&body))),
            _ => bail!(
                "the server did not store the entry: {}",
                describe(status, &body)
            ),
        }
    }
}

/// What the server said to a posted cosignature.
pub enum CosignAnswer {
    /// Merged: the checkpoint now served.
    Merged(Vec<u8>),
    /// Not the current checkpoint any more: the one-line reason.
    Stale(String),
}

impl Remote {
    /// `GET /entries?from=N`: the entries of one answer, split from their
    /// 4-byte big-endian length prefixes.
    pub fn entries(&self, from: u64) -> Result<Vec<Vec<u8>>> {
        let path = format!("/entries?from={from}");
        let body = self
            .get(&path)?
            .with_context(|| format!("{}{path}: the server has no entry {from}", self.base))?;
        let mut rest = body.as_slice();
        let mut out = Vec::new();
        while !rest.is_empty() {
            let (len, tail) = rest
                .split_first_chunk::<4>()
                .with_context(|| format!("{}{path}: a truncated answer", self.base))?;
            let len = u32::from_be_bytes(*len) as usize;
            if tail.len() < len {
                bail!("{}{path}: a truncated answer", self.base);
            }
            out.push(tail[..len].to_vec());
            rest = &tail[len..];
        }
        Ok(out)
    }

    /// `GET path`, which must be there.
    pub fn must_get(&self, path: &str) -> Result<Vec<u8>> {
        self.get(path)?
            .with_context(|| format!("{}{path}: not found on the server", self.base))
    }

    /// `POST /checkpoint/cosignature` with a cosigned checkpoint.
    pub fn post_cosignature(&self, note: &[u8]) -> Result<CosignAnswer> {
        let mut answer = self
            .agent
            .post(format!("{}/checkpoint/cosignature", self.base))
            .header("content-type", "text/plain; charset=utf-8")
            .send(note)
            .map_err(|e| self.unreachable(e))?;
        let status = answer.status().as_u16();
        let body = read(&mut answer).context("reading the server's answer")?;
        match status {
            200 => Ok(CosignAnswer::Merged(body)),
            409 => Ok(CosignAnswer::Stale(message(&body))),
            _ => bail!(
                "the server did not take the cosignature: {}",
                describe(status, &body)
            ),
        }
    }
}

/// An HTTP answer, whatever its status.
pub struct Answer {
    /// The status code.
    pub status: u16,
    /// The `Content-Type`, if any.
    pub content_type: Option<String>,
    /// The body (bounded).
    pub body: Vec<u8>,
}

/// `POST url` with a text body (a tlog-witness's add-checkpoint); any
/// status is an answer, only not reaching `url` is an error.
pub fn post_text(url: &str, body: &str) -> Result<Answer> {
    let mut answer = agent()
        .post(url)
        .header("content-type", "text/plain; charset=utf-8")
        .send(body)
        .map_err(|e| anyhow::anyhow!("cannot reach {url} ({e}); check the URL"))?;
    let status = answer.status().as_u16();
    let content_type = answer
        .headers()
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    let body = read(&mut answer).with_context(|| format!("reading the answer of {url}"))?;
    Ok(Answer {
        status,
        content_type,
        body,
    })
}

/// The first line of a text answer, shortened and escaped for a terminal.
pub fn first_line(body: &[u8]) -> String {
    let text = String::from_utf8_lossy(body);
    let line: String = text
        .lines()
        .next()
        .unwrap_or("")
        .chars()
        .take(200)
        .collect();
    crate::render::escape(line.trim()).to_string()
}

/// A client that takes any status as an answer, bounded in time.
fn agent() -> ureq::Agent {
    ureq::Agent::config_builder()
        .timeout_global(Some(TIMEOUT))
        .http_status_as_error(false)
        .user_agent(concat!("accord/", env!("CARGO_PKG_VERSION")))
        .build()
        .into()
}

fn read(answer: &mut ureq::http::Response<ureq::Body>) -> Result<Vec<u8>> {
    Ok(answer
        .body_mut()
        .with_config()
        .limit(MAX_ANSWER_BYTES)
        .read_to_vec()?)
}

/// The `error` line of an error body, or the body itself, shortened.
fn message(body: &[u8]) -> String {
    match serde_json::from_slice::<ErrorBody>(body) {
        Ok(e) => e.error,
        Err(_) => {
            let text = String::from_utf8_lossy(body);
            let text: String = text.chars().take(200).collect();
            crate::render::escape(text.trim()).to_string()
        }
    }
}

fn describe(status: u16, body: &[u8]) -> String {
    format!("HTTP {status}: {}", message(body))
}

#[derive(Deserialize)]
struct AuthorJson {
    ledger: String,
    head: HeadJson,
    party: String,
    author_seq: u64,
    time: i64,
}

#[derive(Deserialize)]
struct ProposalJson {
    proposal: String,
    proposed_at: u64,
    adopted_at: Option<u64>,
    endorsements: usize,
    /// A clause's pending term proposal (servers before issue 13 omit it).
    #[serde(default)]
    term: Option<String>,
    /// The seq of that term proposal.
    #[serde(default)]
    term_at: Option<u64>,
}

#[derive(Deserialize)]
struct CommitmentJson {
    made: HeadJson,
    reschedule: Option<RescheduleJson>,
    report: Option<HeadJson>,
}

#[derive(Deserialize)]
struct RescheduleJson {
    proposal: String,
    proposed_at: u64,
    endorsements: usize,
}

impl Remote {
    /// `GET /record/commitment/<id>`: the pending reschedule and latest report.
    fn commitment_json(&mut self, id: &CommitmentId) -> Result<Option<CommitmentJson>> {
        let path = format!("/record/commitment/{id}");
        let Some(body) = self.get(&path)? else {
            return Ok(None);
        };
        let c = serde_json::from_slice(&body)
            .with_context(|| format!("{}{path}: not what accord expects", self.base))?;
        Ok(Some(c))
    }

    fn hash(&self, hex: &str, what: &str) -> Result<EntryHash> {
        hex.parse()
            .with_context(|| format!("{}: a bad hash in {what}", self.base))
    }

    /// The server's answer about the proposal `key` names, if any.
    fn proposal_json(&mut self, key: &RecordKey) -> Result<Option<(String, ProposalJson)>> {
        let (kind, id) = match key {
            RecordKey::Clause(id) => ("clause", id.as_str()),
            RecordKey::Ruling(id) => ("ruling", id.as_str()),
            RecordKey::Revocation(id) => ("revocation", id.as_str()),
            RecordKey::Amendment(id) => ("amendment", id.as_str()),
            _ => return Ok(None),
        };
        let path = format!("/record/{kind}/{id}");
        let Some(body) = self.get(&path)? else {
            return Ok(None);
        };
        let p: ProposalJson = serde_json::from_slice(&body)
            .with_context(|| format!("{}{path}: not what accord expects", self.base))?;
        Ok(Some((path, p)))
    }
}

impl crate::record::Lookup for Remote {
    fn commitment(&mut self, commitment: &CommitmentId) -> Result<Option<(Head, Option<Head>)>> {
        let Some(c) = self.commitment_json(commitment)? else {
            return Ok(None);
        };
        let head = |h: &HeadJson, what: &str| -> Result<Head> {
            Ok(Head {
                seq: h.seq,
                hash: self.hash(&h.hash, what)?,
            })
        };
        let report = c.report.as_ref().map(|h| head(h, "a report")).transpose()?;
        Ok(Some((head(&c.made, "a commitment")?, report)))
    }

    fn clause_term(&mut self, id: &ClauseId) -> Result<Option<Head>> {
        let Some((path, p)) = self.proposal_json(&RecordKey::Clause(id.clone()))? else {
            return Ok(None);
        };
        let Some(hash) = p.term else {
            return Ok(None);
        };
        Ok(Some(Head {
            seq: p.term_at.with_context(|| {
                format!(
                    "{}{path}: no term_at (a server older than this client)",
                    self.base
                )
            })?,
            hash: hash
                .parse()
                .with_context(|| format!("{}{path}: a bad hash", self.base))?,
        }))
    }

    fn proposal(&mut self, key: &RecordKey) -> Result<Option<Proposal>> {
        if let RecordKey::Commitment(id) = key {
            let Some(r) = self.commitment_json(id)?.and_then(|c| c.reschedule) else {
                return Ok(None);
            };
            return Ok(Some(Proposal {
                proposal: Head {
                    seq: r.proposed_at,
                    hash: self.hash(&r.proposal, "a reschedule")?,
                },
                adopted_at: None,
                endorsements: r.endorsements,
            }));
        }
        let Some((path, p)) = self.proposal_json(key)? else {
            return Ok(None);
        };
        Ok(Some(Proposal {
            proposal: Head {
                seq: p.proposed_at,
                hash: p
                    .proposal
                    .parse()
                    .with_context(|| format!("{}{path}: a bad hash", self.base))?,
            },
            adopted_at: p.adopted_at,
            endorsements: p.endorsements,
        }))
    }

    fn next_for(&mut self, key: &PublicKey) -> Result<NextEntry> {
        let path = format!("/author/{}", key.to_hex());
        let body = self.get(&path)?.with_context(|| {
            format!(
                "key {} is not the current key of any party of the ledger at {}",
                key.id(),
                self.base
            )
        })?;
        let a: AuthorJson = serde_json::from_slice(&body)
            .with_context(|| format!("{}{path}: not what accord expects", self.base))?;
        Ok(NextEntry {
            ledger: a
                .ledger
                .parse()
                .with_context(|| format!("{}{path}: a bad ledger id", self.base))?,
            head: a.head.head()?,
            party: PartyId::new(a.party)?,
            author_seq: a.author_seq,
            head_time: a.time,
        })
    }
}
