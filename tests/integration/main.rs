//! The root package's end-to-end tests, compiled as one test binary (one
//! link of `accord`'s dev-dependencies and of `common`, instead of one per
//! file). Every test drives the real `accord` binary; none may reach into
//! the binary's internals or skip silently (`#[ignore = "why"]` instead,
//! naming the CI step that runs it).
//!
//! Run one theme with its module path as the filter, e.g.
//! `cargo test -p accord --test integration -- hostile::`.

// Scratch worlds (keys, a charter, the binary pointed at a ledger) and the
// helpers every theme shares.
mod common;

// Private keys pasted into a charter are refused without being printed.
mod charter_secrets;
// Charter amendments: a party added, renamed or removed, by position.
mod amendments;
// issue 14: the mechanism in force (bodies, scales, actor register) by
// amendment, and its refusals.
mod mechanism;
// issue 14: bodies — rulings by a body's rule (recusal, quorum, consensus
// lapse, provisional until the parent ratifies), views, tabled clauses.
mod bodies;
// issue 14: monitoring: observations on the charter's scales, evidence
// added (salted digests), referrals, tasks, recommendations, meetings.
mod monitoring;
// Export, import, and repair from another party's copy or by `doctor`.
mod backup;
// A ledger in use is refused at once; concurrent appenders lose nothing.
mod concurrency;
// SIGKILLed appends and imports leave a ledger that verifies
// (`make stress`, ACCORD_CRASH_KILLS, ACCORD_CRASH_STORE, ACCORD_CRASH_SEED).
mod crash;
// A damaged `ledger.redb` gives one line, never a panic or a hang.
mod damaged_store;
// The agreement domain: commitments, disputes and rulings, domain
// refusals, and verify naming a rule-breaking entry (one submodule each).
mod domain;
// Free text from the ledger is escaped in the text views.
mod escape;
// A read-only ledger directory and a full disk (the latter ignored: .ci/run).
mod hostile;
// Files that are not what they seem: /dev/zero, FIFOs, devices, symlinks.
mod inputs;
// Encrypted key files' scrypt parameters (OpenSSL interop ignored: .ci/run).
mod keyfile_params;
// Key files (mode 0600, OpenSSL interop), rotation, revocation by quorum,
// and entries signed after revocation.
mod keys;
// Read commands create and change nothing and never make a writer wait.
mod readers;
// Checkpoints signed by a party and cosigned by witnesses: verify
// --checkpoint's policy, forged and foreign cosignatures, forks, and a
// witness that refuses rollbacks and forks even after a kill.
mod checkpoints;
// `witness serve` (C2SP tlog-witness) and `witness submit`: cosigned,
// every refusal's status, state kept over a restart, OpenSSL re-checks.
mod witness_http;
// Messages that say what is wrong and what to do (issue 15).
mod messages;
// README.md's walk-through, every sh block run in order (issue 15).
mod readme;
// issue 15: the JSON contract: every --json output against its schema
// (docs/schemas/), every kind and duty word documented (docs/JSON.md), log
// filters, show's canonical bytes, diff's plain states.
mod json_contract;
// Refused appends change nothing; bad charters and non-ledgers get one line.
mod refusals;
// No party can brick a ledger; verify's exit codes; recoverable damage.
mod reliability;
// The source tree keeps its promises: ARCHITECTURE.md's map names every
// module, every file has its `//!` doc, only accord-store names a storage
// engine, and no test returns early without `#[ignore]`.
mod tidy;
// Flipped, reordered, removed, forged, foreign and replayed entries fail
// verify; --expect-head and --against catch truncation and equivocation.
mod tamper;
// issue 15: help — examples, environment, scoped global flags, one-line
// refusals of malformed arguments (exit 2), completions and man pages.
mod help;
// The everyday round trip, explicit times, non-UTF-8 arguments, no
// progress bar off a terminal.
mod ui;
// `accord proof` against an RFC 9162 tree built from the stored entries;
// tree data tampered, missing or from before the tree.
mod proofs;
// Dispute bundles: `prove` and `bundle verify`, checked again by the
// independent scripts/check-bundle.py (python3 and openssl), and the
// tamper matrix both refuse.
mod bundles;
// Security review of issue 11: attacks on checkpoints, witnesses and
// bundles (findings ignored until fixed, attacks that held kept).
mod attacks;
// `publish --tiles`: C2SP tlog-tiles read back by an independent client
// (the tlog_tiles crate), incremental publishing, tile boundaries, and
// refused checkpoints, directories and derived data.
mod tiles;
// `accord serve` on loopback: reads match the CLI, POSTed entries admitted,
// durable, 409 on a stale head, 422 refused; hostile clients bounded.
mod serve;
// `--remote`: writing commands signed here and appended through a server,
// re-signed on a moved head (four appenders at once), refusals and
// unreachable servers in one line; reads refuse --remote.
mod remote;
// `accord mirror` and `sync` against `accord serve --key`: replicas that
// answer as the original, resume after a cut, refuse a lying server (exit 5,
// a proof `fork check` accepts), collect witnesses' cosignatures, and lose
// nothing when the server is killed mid-burst.
mod mirror;
// Security review of issue 12: a malicious server against the `--remote`
// signer and `fork check`, hostile paths against the server (findings
// ignored until fixed, attacks that held kept).
mod attacks_capitals;

// issue 14: actors and several accused (allegations against both parties
// or persons unknown, attribution with a degree, `accord actors`).
mod actors;

// issue 15: report — `accord report --html`: the agreement, obligations
// over time, disputes and head in one static page; hostile text escaped,
// dir=auto, nothing outside the page (the browser test ignored: .ci/run).
mod report;
