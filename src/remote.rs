//! The HTTP client of a server run by `accord serve` (docs/PROTOCOL.md):
//! fetch bytes and JSON, post an entry, and say in one line what went
//! wrong. Holds no rule: every byte fetched is checked by the caller
//! through accord-ledger or accord-core before it is believed.

use std::time::Duration;

use accord_core::entry::Head;
use anyhow::{bail, Context, Result};
use serde::de::DeserializeOwned;
use serde::Deserialize;

/// Longest one request may take, connecting included.
const TIMEOUT: Duration = Duration::from_secs(60);
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
    /// Stored durably (`created` false: it already was, a retry).
    Stored {
        seq: u64,
        hash: String,
        created: bool,
    },
    /// Signed against a head that is no longer the head: this is the head.
    Stale { head: Head, why: String },
    /// Refused by the gate: the one-line reason.
    Refused(String),
}

#[derive(Deserialize)]
struct ErrorBody {
    error: String,
    head: Option<HeadJson>,
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
        let agent = ureq::Agent::config_builder()
            .timeout_global(Some(TIMEOUT))
            .http_status_as_error(false)
            .user_agent(concat!("accord/", env!("CARGO_PKG_VERSION")))
            .build()
            .into();
        Ok(Self { base, agent })
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
    pub fn get(&self, path: &str) -> Result<Option<Vec<u8>>> {
        let mut answer = self
            .agent
            .get(format!("{}{path}", self.base))
            .call()
            .map_err(|e| self.unreachable(e))?;
        let status = answer.status().as_u16();
        let body = read(&mut answer).with_context(|| format!("reading {}{path}", self.base))?;
        match status {
            200 => Ok(Some(body)),
            404 => Ok(None),
            _ => bail!("{}{path}: {}", self.base, describe(status, &body)),
        }
    }

    /// `GET path` as JSON, which must be there.
    pub fn get_json<T: DeserializeOwned>(&self, path: &str) -> Result<T> {
        let body = self
            .get(path)?
            .with_context(|| format!("{}{path}: not found on the server", self.base))?;
        serde_json::from_slice(&body).with_context(|| {
            format!(
                "{}{path}: the server's answer is not what accord expects",
                self.base
            )
        })
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
            200 | 201 => {
                let head: HeadJson = serde_json::from_slice(&body)
                    .context("the server's answer to an append is not what accord expects")?;
                Ok(Posted::Stored {
                    seq: head.seq,
                    hash: head.hash,
                    created: status == 201,
                })
            }
            409 => {
                let e: ErrorBody = serde_json::from_slice(&body)
                    .context("the server's conflict answer is not what accord expects")?;
                let head = e
                    .head
                    .context("the server's conflict answer has no head")?
                    .head()?;
                Ok(Posted::Stale { head, why: e.error })
            }
            422 => Ok(Posted::Refused(message(&body))),
            _ => bail!(
                "the server did not store the entry: {}",
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
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .timeout_global(Some(TIMEOUT))
        .http_status_as_error(false)
        .user_agent(concat!("accord/", env!("CARGO_PKG_VERSION")))
        .build()
        .into();
    let mut answer = agent
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
