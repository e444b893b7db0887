//! `accord mirror` and `accord sync` against `accord serve --key` on
//! loopback: a replica created from scratch and updated answers as the
//! original; a catch-up cut off resumes; a lying server (a rewritten
//! entry, a truncated log) is refused with exit 5 and a proof that `accord
//! fork check` accepts, the replica unchanged; two witnesses' cosignatures
//! end up in the served checkpoint; a server killed during a burst of
//! appends loses no acknowledged entry. Every server is killed when its
//! test ends, or stops by itself (`--max-requests`).

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::time::Duration;

use serde_json::Value;

use crate::common::{built, World};
use crate::serve::{copy_ledger, entry_bytes, request, Server};

/// `accord serve --key tr.pem` on `ledger`, with `extra` flags.
fn serve(w: &World, ledger: &str, extra: &[&str]) -> (Server, String) {
    let mut args = vec!["--key", "tr.pem"];
    args.extend_from_slice(extra);
    let server = Server::start_with(w, &w.path(ledger), 100_000, &args);
    let url = format!("http://{}", server.addr);
    (server, url)
}

/// Runs `accord --ledger <replica> <args>`.
fn on(w: &World, replica: &str, args: &[&str]) -> assert_cmd::assert::Assert {
    let mut all = vec!["--ledger", replica];
    all.extend_from_slice(args);
    w.accord(&all).assert()
}

/// The stdout of a successful `accord --ledger <ledger> <args>`.
fn stdout(w: &World, ledger: &str, args: &[&str]) -> String {
    String::from_utf8(on(w, ledger, args).success().get_output().stdout.clone()).unwrap()
}

/// Appends a clause proposal by `by` on the ledger `ledger` (a copy).
fn propose_on(w: &World, ledger: &str, id: &str, by: &str) {
    let key = format!("{by}.pem");
    on(
        w,
        ledger,
        &[
            "clause", "propose", "--id", id, "--title", "T", "--text", id, "--key", &key,
        ],
    )
    .success();
}

#[test]
fn a_replica_is_created_updated_and_answers_as_the_original() {
    let w = built();
    let id = w.json(&["show", "0", "--json"])["hash"]
        .as_str()
        .unwrap()
        .to_owned();
    let (server, url) = serve(&w, "ledger", &[]);
    // A pinned ledger id that is not the server's creates nothing.
    let err = crate::common::one_line_error(
        on(
            &w,
            "rep",
            &["mirror", "--from", &url, "--ledger-id", &"ab".repeat(32)],
        )
        .code(1),
    );
    assert!(err.contains("not the pinned --ledger-id"), "{err}");
    assert!(!w.path("rep").exists());
    let out = stdout(&w, "rep", &["mirror", "--from", &url, "--ledger-id", &id]);
    assert!(out.contains("7 entries (was 1)"), "{out}");
    assert!(out.contains("signed by tr accepted"), "{out}");
    drop(server);

    w.propose("C3", "ru").success();
    w.endorse("C3", "ru").success();
    // The restarted server has another port: --from replaces the URL the
    // replica remembers, which `sync` then follows.
    let (server, url) = serve(&w, "ledger", &[]);
    let out = stdout(&w, "rep", &["mirror", "--from", &url]);
    assert!(out.contains("9 entries (was 7)"), "{out}");
    let out = stdout(&w, "rep", &["sync"]);
    assert!(out.contains("9 entries (was 9)"), "{out}");
    drop(server);

    // `obligations` answers as of the clock's now: the second may tick over
    // between the two runs, so that one field is left out of the comparison.
    let read = |ledger: &str, args: &[&str]| {
        let out = stdout(&w, ledger, args);
        let mut docs: Vec<Value> = serde_json::Deserializer::from_str(&out)
            .into_iter()
            .collect::<Result<_, _>>()
            .unwrap();
        for v in &mut docs {
            if let Some(as_of) = v.get_mut("as_of").and_then(Value::as_object_mut) {
                assert!(
                    as_of.remove("time").is_some_and(|t| t.is_string()),
                    "{args:?}"
                );
            }
        }
        docs
    };
    for args in [
        &["obligations", "--all", "--json"][..],
        &["history", "C1", "--json"],
        &["history", "C3", "--json"],
        &["log", "--json"],
        &["verify", "--json"],
        &["proof", "inclusion", "3", "--json"],
    ] {
        assert_eq!(read("rep", args), read("ledger", args), "{args:?}");
    }
}

#[test]
fn a_catch_up_cut_off_resumes_from_its_last_batch() {
    let w = World::new();
    w.accord(&["dev", "synth", "--entries", "9000", "--keys-out", "sk"])
        .assert()
        .success();
    std::fs::copy(w.path("sk/tr.pem"), w.path("tr.pem")).unwrap();
    // Seven answers: entry 0, the checkpoint, the consistency proof from
    // the replica, then two batches of 4,096 entries (the server's most per
    // answer), each followed by the
    // consistency proof from it; the eighth request finds no server.
    let cut = Server::start_with(&w, &w.ledger(), 7, &["--key", "tr.pem"]);
    let url = format!("http://{}", cut.addr);
    let err = crate::common::one_line_error(on(&w, "rep", &["mirror", "--from", &url]).code(1));
    assert!(err.contains("cannot reach the server"), "{err}");
    cut.wait_stopped();
    let held = w
        .accord(&["--ledger", "rep", "log", "--json"])
        .output()
        .unwrap()
        .stdout;
    let held = String::from_utf8(held).unwrap().lines().count();
    assert_eq!(held, 8193, "two batches of 4,096 after entry 0 are durable");
    on(&w, "rep", &["verify"]).success();

    let (server, url) = serve(&w, "ledger", &[]);
    let out = stdout(&w, "rep", &["mirror", "--from", &url]);
    assert!(out.contains("9001 entries (was 8193)"), "{out}");
    drop(server);
    on(&w, "rep", &["verify"]).success();
    assert_eq!(
        stdout(&w, "rep", &["log", "--json"]),
        stdout(&w, "ledger", &["log", "--json"])
    );
}

/// The fork proof file written beside `replica`, parsed.
fn proof_of(w: &World, replica: &str) -> Value {
    let text = std::fs::read(w.path(&format!("{replica}.fork-proof.json"))).unwrap();
    serde_json::from_slice(&text).unwrap()
}

#[test]
fn a_rewritten_entry_is_refused_with_a_proof_and_an_honest_mirror_is_unaffected() {
    let w = built();
    // Two histories sharing the first seven entries: the server shows one
    // to the replica, then the other.
    copy_ledger(&w, "forked");
    w.propose("C3", "ru").success();
    propose_on(&w, "forked", "C4", "ru");
    propose_on(&w, "forked", "C5", "tr");

    let (_honest, honest_url) = serve(&w, "ledger", &[]);
    on(&w, "rep", &["mirror", "--from", &honest_url]).success();
    on(&w, "other", &["mirror", "--from", &honest_url]).success();
    let before = stdout(&w, "rep", &["log", "--json"]);

    let (_liar, liar_url) = serve(&w, "forked", &[]);
    let out = on(&w, "rep", &["mirror", "--from", &liar_url]).code(5);
    let err = String::from_utf8(out.get_output().stderr.clone()).unwrap();
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(
        err.contains("entry 7") && err.contains("equivocation by ru"),
        "{err}"
    );
    assert!(err.contains("rep.fork-proof.json"), "{err}");

    let proof = proof_of(&w, "rep");
    assert_eq!(proof["kind"], "fork");
    assert_eq!(proof["entries"]["ours"]["seq"], 7);
    let check = stdout(
        &w,
        "rep",
        &["fork", "check", "rep.fork-proof.json", "--json"],
    );
    let verdict: Value = serde_json::from_str(&check).unwrap();
    assert_eq!(verdict["holds"], true);
    assert_eq!(verdict["seq"], 7);
    assert_eq!(verdict["equivocation"]["party"], "ru");
    assert_eq!(verdict["entries_signed"], true);

    // Nothing was appended, the replica still verifies, and it still
    // follows the honest server.
    assert_eq!(stdout(&w, "rep", &["log", "--json"]), before);
    on(&w, "rep", &["verify"]).success();
    on(&w, "rep", &["sync"]).success();
    on(&w, "other", &["sync"]).success();
    on(&w, "other", &["verify"]).success();

    // A proof edited to claim another entry no longer holds.
    let mut bad = proof.clone();
    bad["entries"]["theirs"]["bytes"] = bad["entries"]["ours"]["bytes"].clone();
    std::fs::write(w.path("bad.json"), bad.to_string()).unwrap();
    let out = on(&w, "rep", &["fork", "check", "bad.json"]).code(1);
    let text = String::from_utf8(out.get_output().stdout.clone()).unwrap();
    assert!(text.contains("does not hold"), "{text}");
}

#[test]
fn a_truncated_log_is_refused_as_a_rollback() {
    let w = built();
    copy_ledger(&w, "older");
    w.propose("C3", "ru").success();
    let (_honest, honest_url) = serve(&w, "ledger", &[]);
    on(&w, "rep", &["mirror", "--from", &honest_url]).success();
    let before = stdout(&w, "rep", &["log", "--json"]);

    let (_old, old_url) = serve(&w, "older", &[]);
    let out = on(&w, "rep", &["mirror", "--from", &old_url]).code(5);
    let err = String::from_utf8(out.get_output().stderr.clone()).unwrap();
    assert!(err.contains("rollback"), "{err}");
    assert_eq!(proof_of(&w, "rep")["kind"], "rollback");
    // Kept as a record, but two checkpoints without times prove nothing.
    let out = on(&w, "rep", &["fork", "check", "rep.fork-proof.json"]).code(1);
    let check = String::from_utf8(out.get_output().stdout.clone()).unwrap();
    assert!(
        check.contains("a rollback record is not a proof"),
        "{check}"
    );
    assert_eq!(stdout(&w, "rep", &["log", "--json"]), before);
    on(&w, "rep", &["verify"]).success();
}

/// The body of `GET /checkpoint`.
fn checkpoint(addr: SocketAddr) -> String {
    let (status, body) = request(addr, "GET", "/checkpoint", b"");
    assert_eq!(status, 200, "{}", String::from_utf8_lossy(&body));
    String::from_utf8(body).unwrap()
}

#[test]
fn two_witnesses_cosign_and_the_served_checkpoint_carries_both() {
    let w = built();
    copy_ledger(&w, "next");
    propose_on(&w, "next", "C3", "ru");
    let (server, url) = serve(&w, "ledger", &["--checkpoint", "served.cp"]);
    for (who, replica) in [("ru", "rep-ru"), ("ir", "rep-ir")] {
        let key = format!("{who}.pem");
        let state = format!("ws-{who}");
        let out = stdout(
            &w,
            replica,
            &[
                "mirror",
                "--from",
                &url,
                "--witness-key",
                &key,
                "--witness-state",
                &state,
            ],
        );
        assert!(
            out.contains(&format!("{who} cosigned the checkpoint of 7 entries")),
            "{out}"
        );
    }
    let served = checkpoint(server.addr);
    assert!(
        served.contains("\n— ru ") && served.contains("\n— ir "),
        "{served}"
    );
    // Persisted for a restart and for static publishing.
    assert_eq!(
        std::fs::read_to_string(w.path("served.cp")).unwrap(),
        served
    );

    // A bundle from the replica is the original's, and the replica checks
    // the cosigned checkpoint under the charter's quorum of two.
    on(&w, "rep-ru", &["verify", "--checkpoint", "served.cp"]).success();
    on(
        &w,
        "rep-ru",
        &[
            "prove",
            "--entry",
            "2",
            "--checkpoint",
            "served.cp",
            "--out",
            "b-rep",
        ],
    )
    .success();

    // A cosignature of a checkpoint that is no longer the head's: 409 and
    // the current checkpoint.
    let (status, _) = request(server.addr, "POST", "/entries", &entry_bytes(&w, "next", 7));
    assert_eq!(status, 201);
    let (status, body) = request(
        server.addr,
        "POST",
        "/checkpoint/cosignature",
        served.as_bytes(),
    );
    assert_eq!(status, 409, "{}", String::from_utf8_lossy(&body));
    let stale: Value = serde_json::from_slice(&body).unwrap();
    assert!(
        stale["checkpoint"].as_str().unwrap().contains("\n8\n"),
        "{stale}"
    );
    // A note carrying no witness's cosignature is refused.
    let current = checkpoint(server.addr);
    let (status, _) = request(
        server.addr,
        "POST",
        "/checkpoint/cosignature",
        current.as_bytes(),
    );
    assert_eq!(status, 422);
    let (status, body) = request(
        server.addr,
        "POST",
        "/checkpoint/cosignature",
        b"\xffgarbage",
    );
    assert_eq!(status, 422, "{}", String::from_utf8_lossy(&body));
    assert_eq!(checkpoint(server.addr), current);
    drop(server);

    // served.cp now holds the checkpoint of 8 entries, not yet cosigned:
    // the bundles are compared on the cosigned 7-entry one.
    std::fs::write(w.path("cp7"), &served).unwrap();
    w.accord(&[
        "prove",
        "--entry",
        "2",
        "--checkpoint",
        "cp7",
        "--out",
        "b-orig",
    ])
    .assert()
    .success();
    assert_eq!(
        std::fs::read(w.path("b-rep")).unwrap(),
        std::fs::read(w.path("b-orig")).unwrap()
    );
}

/// POSTs an entry; the status, or `None` if the server is gone.
fn try_post(addr: SocketAddr, bytes: &[u8]) -> Option<u16> {
    let mut s = TcpStream::connect(addr).ok()?;
    s.set_read_timeout(Some(Duration::from_secs(20))).ok()?;
    let head = format!(
        "POST /entries HTTP/1.1\r\nHost: test\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
        bytes.len()
    );
    s.write_all(head.as_bytes()).ok()?;
    s.write_all(bytes).ok()?;
    let mut raw = Vec::new();
    let _ = s.read_to_end(&mut raw);
    let line = String::from_utf8_lossy(&raw);
    line.split(' ').nth(1)?.parse().ok()
}

#[test]
fn a_server_killed_during_a_burst_loses_no_acknowledged_entry() {
    let w = built();
    copy_ledger(&w, "signer");
    let ids: Vec<String> = (0..16).map(|i| format!("B{i}")).collect();
    for id in &ids {
        propose_on(&w, "signer", id, "tr");
    }
    let burst: Vec<Vec<u8>> = (7..7 + ids.len() as u64)
        .map(|seq| entry_bytes(&w, "signer", seq))
        .collect();
    let (server, url) = serve(&w, "ledger", &[]);
    on(&w, "early", &["mirror", "--from", &url]).success();

    let addr = server.addr;
    let (tx, rx) = std::sync::mpsc::channel();
    let poster = std::thread::spawn(move || {
        let mut acked = Vec::new();
        for (i, bytes) in burst.iter().enumerate() {
            match try_post(addr, bytes) {
                Some(201) => {
                    acked.push(7 + i as u64);
                    let _ = tx.send(());
                }
                _ => break,
            }
        }
        acked
    });
    for _ in 0..4 {
        rx.recv().unwrap();
    }
    drop(server); // SIGKILL, mid-burst
    let acked = poster.join().unwrap();
    assert!(acked.len() >= 4);

    let (server, url) = serve(&w, "ledger", &[]);
    for seq in &acked {
        let (status, body) = request(server.addr, "GET", &format!("/entry/{seq}"), b"");
        assert_eq!(status, 200, "acknowledged entry {seq} lost");
        assert_eq!(body, entry_bytes(&w, "signer", *seq));
    }
    on(&w, "early", &["mirror", "--from", &url]).success();
    on(&w, "late", &["mirror", "--from", &url]).success();
    drop(server);
    let original = stdout(&w, "ledger", &["log", "--json"]);
    for replica in ["early", "late"] {
        on(&w, replica, &["verify"]).success();
        assert_eq!(stdout(&w, replica, &["log", "--json"]), original);
    }
}

#[test]
fn a_mirror_waits_out_the_servers_rate_limit() {
    let w = built();
    let (server, url) = serve(&w, "ledger", &[]);
    // Another client on this address keeps the bucket empty for a second
    // while the mirror starts: its requests meet 429 and are asked again.
    let addr = server.addr;
    let hammer = std::thread::spawn(move || {
        let start = std::time::Instant::now();
        let mut limited = 0;
        while start.elapsed() < Duration::from_secs(1) {
            if request(addr, "GET", "/head", b"").0 == 429 {
                limited += 1;
            }
        }
        limited
    });
    let out = stdout(&w, "rep", &["mirror", "--from", &url]);
    assert!(out.contains("7 entries (was 1)"), "{out}");
    assert!(hammer.join().unwrap() > 0, "the rate limit was never met");
}
