//! Security review of issue 12 (many capitals): attacks on `accord serve`,
//! the `--remote` signer, mirrors' fork proofs and `fork check`. An attack
//! the code resists is a normal test guarding the property; one that
//! succeeds (a finding) asserts the safe behaviour and is ignored with the
//! finding's number until it is fixed. Every server here is on loopback and
//! stops by itself (`--max-requests`, or killed when its test ends); the
//! fake servers answer a bounded number of connections.

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use base64::Engine;
use serde_json::{json, Value};

use crate::common::{built, World};
use crate::serve::{copy_ledger, request, Server};

/// `party`'s public key as 64 hex digits, from its `.pem.pub` file.
fn key_hex(w: &World, party: &str) -> String {
    let pem = std::fs::read_to_string(w.path(&format!("{party}.pem.pub"))).unwrap();
    let b64: String = pem.lines().filter(|l| !l.starts_with("-----")).collect();
    let der = base64::engine::general_purpose::STANDARD
        .decode(b64)
        .unwrap();
    der[der.len() - 32..]
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// `GET /checkpoint` of `accord serve --key tr.pem` on `ledger`.
fn served_checkpoint(w: &World, ledger: &str) -> String {
    let server = Server::start_with(w, &w.path(ledger), 1_000, &["--key", "tr.pem"]);
    let (status, body) = request(server.addr, "GET", "/checkpoint", b"");
    assert_eq!(status, 200, "{}", String::from_utf8_lossy(&body));
    String::from_utf8(body).unwrap()
}

/// Finding 1: `fork check` accepts as a "rollback" any two honest
/// checkpoints of one ledger, the larger put first. Nothing in the file
/// says which was served after which, so anyone holding an old checkpoint
/// (every mirror does) can produce a proof that "holds" against an honest
/// server.
#[test]
fn fork_check_refuses_a_rollback_made_of_two_honest_checkpoints() {
    let w = built();
    let seven = served_checkpoint(&w, "ledger");
    w.propose("C3", "ru").success();
    let eight = served_checkpoint(&w, "ledger");
    assert!(seven.contains("\n7\n") && eight.contains("\n8\n"));
    let proof = json!({
        "version": 1,
        "kind": "rollback",
        "ours": eight,
        "theirs": seven,
        "keys": [{"party": "tr", "key": key_hex(&w, "tr")}],
        "note": "forged from two honest checkpoints",
    });
    std::fs::write(w.path("forged.json"), proof.to_string()).unwrap();
    let out = w
        .accord(&["fork", "check", "forged.json"])
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert_eq!(
        out.status.code(),
        Some(1),
        "an honest server is accused of a rollback: {text}"
    );
}

/// A fork proof whose two checkpoints are honest (one extends the other)
/// and whose "fork" entries are one entry and a forged version of it that
/// is in no checkpoint's tree does not hold.
#[test]
fn fork_check_refuses_a_fork_proof_with_an_entry_in_no_tree() {
    let w = built();
    copy_ledger(&w, "other");
    w.propose("C3", "ru").success();
    let eight = served_checkpoint(&w, "ledger");
    // The other history: the same 7 entries, then another entry 7.
    let seven_b = {
        let out = w
            .accord(&[
                "--ledger", "other", "clause", "propose", "--id", "C9", "--title", "T", "--text",
                "x", "--key", "ru.pem",
            ])
            .output()
            .unwrap();
        assert!(out.status.success());
        crate::serve::entry_bytes(&w, "other", 7)
    };
    let ours = crate::serve::entry_bytes(&w, "ledger", 7);
    // The inclusion proof of the real entry 7 in the tree of 8.
    let server = Server::start_with(&w, &w.ledger(), 1_000, &["--key", "tr.pem"]);
    let (status, body) = request(server.addr, "GET", "/proof/inclusion?seq=7&size=8", b"");
    assert_eq!(status, 200);
    let incl: Value = serde_json::from_slice(&body).unwrap();
    drop(server);
    let b64 = |b: &[u8]| base64::engine::general_purpose::STANDARD.encode(b);
    let entries = json!({
        "ours": {"seq": 7, "bytes": b64(&ours), "proof": incl["proof"]},
        "theirs": {"seq": 7, "bytes": b64(&seven_b), "proof": incl["proof"]},
    });
    let proof = json!({
        "version": 1,
        "kind": "fork",
        "ours": eight,
        "theirs": eight,
        "keys": [{"party": "tr", "key": key_hex(&w, "tr")}],
        "entries": entries,
        "note": "forged",
    });
    std::fs::write(w.path("forged-fork.json"), proof.to_string()).unwrap();
    let out = w
        .accord(&["fork", "check", "forged-fork.json"])
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(1), "{text}");
    assert!(
        text.contains("the server's entry is not in its checkpoint's tree"),
        "{text}"
    );
}

/// What a fake server saw: each request's line and body.
type Seen = Arc<Mutex<Vec<(String, Vec<u8>)>>>;

/// A fake server on loopback: `answer(request line, body, n)` gives the
/// status, content type and body of the n-th request; it serves at most
/// `max` connections (one request each), then stops.
fn fake_server(
    max: usize,
    answer: impl Fn(&str, &[u8], usize) -> (u16, &'static str, Vec<u8>) + Send + 'static,
) -> (SocketAddr, Seen, std::thread::JoinHandle<()>) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    let seen: Seen = Arc::default();
    let log = seen.clone();
    let handle = std::thread::spawn(move || {
        for n in 0..max {
            let Ok((mut s, _)) = listener.accept() else {
                return;
            };
            s.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
            let Some((line, body)) = read_request(&mut s) else {
                continue;
            };
            if line.starts_with("STOP") {
                return;
            }
            let (status, ctype, out) = answer(&line, &body, n);
            log.lock().unwrap().push((line, body));
            let head = format!(
                "HTTP/1.1 {status} X\r\nContent-Type: {ctype}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
                out.len()
            );
            let _ = s.write_all(head.as_bytes());
            let _ = s.write_all(&out);
        }
    });
    (addr, seen, handle)
}

/// Stops a fake server blocked on accept.
fn stop_fake(addr: SocketAddr, handle: std::thread::JoinHandle<()>) {
    if let Ok(mut s) = TcpStream::connect(addr) {
        let _ = s.write_all(b"STOP / HTTP/1.1\r\nContent-Length: 0\r\n\r\n");
    }
    let _ = handle.join();
}

fn read_request(s: &mut TcpStream) -> Option<(String, Vec<u8>)> {
    let mut raw = Vec::new();
    let mut buf = [0u8; 4096];
    let end = loop {
        if let Some(p) = raw.windows(4).position(|w| w == b"\r\n\r\n") {
            break p;
        }
        let n = s.read(&mut buf).ok()?;
        if n == 0 {
            return None;
        }
        raw.extend_from_slice(&buf[..n]);
    };
    let head = String::from_utf8_lossy(&raw[..end]).to_string();
    let len: usize = head
        .lines()
        .find_map(|l| {
            let (k, v) = l.split_once(':')?;
            k.eq_ignore_ascii_case("content-length")
                .then(|| v.trim().parse().ok())?
        })
        .unwrap_or(0);
    let mut body = raw[end + 4..].to_vec();
    while body.len() < len {
        let n = s.read(&mut buf).ok()?;
        if n == 0 {
            break;
        }
        body.extend_from_slice(&buf[..n]);
    }
    Some((head.lines().next().unwrap_or("").to_owned(), body))
}

/// Finding 2: a lying server answers every POST with 409 while its
/// `/author` answer keeps the head at the same seq with another hash each
/// time. The client re-signs the same event at the same seq with the same
/// author sequence number on each "head": the server collects two entries
/// of one author at one seq and author_seq, on two heads it signed — a
/// fork proof `fork check` reads as "an equivocation by" the honest
/// client's party. The safe client signs again only on a head that moved
/// forward (a higher seq), so no two of its entries share a seq and an
/// author sequence number.
#[test]
fn a_remote_signer_never_signs_two_entries_at_one_seq() {
    let w = World::new();
    let ledger = "ab".repeat(32);
    let (addr, seen, handle) = fake_server(40, move |line, _body, n| {
        if line.starts_with("GET /author/") {
            let hash = format!("{:02x}", n % 256).repeat(32);
            let body = json!({
                "ledger": ledger,
                "head": {"seq": 5, "hash": hash},
                "party": "tr",
                "author_seq": 2,
                "time": 0,
            });
            (200, "application/json", body.to_string().into_bytes())
        } else if line.starts_with("POST /entries") {
            let body =
                json!({"error": "seq 6 is taken", "head": {"seq": 5, "hash": "00".repeat(32)}});
            (409, "application/json", body.to_string().into_bytes())
        } else {
            (404, "application/json", b"{\"error\":\"no\"}".to_vec())
        }
    });
    let url = format!("http://{addr}");
    let out = w
        .accord(&[
            "--remote", &url, "clause", "propose", "--id", "C1", "--title", "T", "--text", "t",
            "--key", "tr.pem",
        ])
        .timeout(Duration::from_secs(60))
        .output()
        .unwrap();
    stop_fake(addr, handle);
    assert!(!out.status.success());
    let posted: Vec<Vec<u8>> = seen
        .lock()
        .unwrap()
        .iter()
        .filter(|(l, _)| l.starts_with("POST /entries"))
        .map(|(_, b)| b.clone())
        .collect();
    assert!(!posted.is_empty(), "the client posted nothing");
    let mut distinct = posted.clone();
    distinct.sort();
    distinct.dedup();
    assert_eq!(
        distinct.len(),
        1,
        "{} different entries signed at seq 6 with author_seq 2",
        distinct.len()
    );
}

/// Finding 3: `--remote` signs for whatever ledger the server names in
/// `GET /author`: a server (or anyone between a client and a plain-HTTP
/// server) answers with another ledger's id and head where the same key is
/// a party, and gets an entry it can replay there. The safe client lets
/// its user pin the ledger (as `mirror --ledger-id` does) and refuses
/// another.
#[test]
fn a_remote_signer_refuses_a_ledger_other_than_the_pinned_one() {
    let w = World::new();
    let pinned = "cd".repeat(32);
    let other = "ab".repeat(32);
    let (addr, seen, handle) = fake_server(20, move |line, _body, _n| {
        if line.starts_with("GET /author/") {
            let body = json!({
                "ledger": other,
                "head": {"seq": 5, "hash": "11".repeat(32)},
                "party": "tr",
                "author_seq": 2,
                "time": 0,
            });
            (200, "application/json", body.to_string().into_bytes())
        } else if line.starts_with("POST /entries") {
            (
                201,
                "application/json",
                br#"{"seq":6,"hash":"00"}"#.to_vec(),
            )
        } else {
            (404, "application/json", b"{\"error\":\"no\"}".to_vec())
        }
    });
    let url = format!("http://{addr}");
    let out = w
        .accord(&[
            "--remote",
            &url,
            "--ledger-id",
            &pinned,
            "clause",
            "propose",
            "--id",
            "C1",
            "--title",
            "T",
            "--text",
            "t",
            "--key",
            "tr.pem",
        ])
        .timeout(Duration::from_secs(60))
        .output()
        .unwrap();
    stop_fake(addr, handle);
    assert_eq!(out.status.code(), Some(1), "{out:?}");
    let posted = seen
        .lock()
        .unwrap()
        .iter()
        .filter(|(l, _)| l.starts_with("POST"))
        .count();
    assert_eq!(posted, 0, "an entry for another ledger was signed and sent");
}

/// A fake server whose one answer is a chunked body of up to 64 MiB, four
/// times the client's bound.
fn endless_server() -> (SocketAddr, std::thread::JoinHandle<()>) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    let handle = std::thread::spawn(move || {
        let Ok((mut s, _)) = listener.accept() else {
            return;
        };
        s.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
        s.set_write_timeout(Some(Duration::from_secs(10))).unwrap();
        let _ = read_request(&mut s);
        let _ = s.write_all(
            b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n",
        );
        let chunk = [b' '; 65536];
        let head = format!("{:x}\r\n", chunk.len());
        // At most 64 MiB: four times the client's bound.
        for _ in 0..1024 {
            if s.write_all(head.as_bytes()).is_err()
                || s.write_all(&chunk).is_err()
                || s.write_all(b"\r\n").is_err()
            {
                return;
            }
        }
    });
    (addr, handle)
}

/// A server that answers `/author` with an endless body: the client reads
/// a bounded amount, says so in one line and stops (no memory exhaustion,
/// no hang).
#[test]
fn a_remote_signer_stops_on_an_endless_answer() {
    let w = World::new();
    let (addr, handle) = endless_server();
    let url = format!("http://{addr}");
    let out = w
        .accord(&[
            "--remote", &url, "clause", "propose", "--id", "C1", "--title", "T", "--text", "t",
            "--key", "tr.pem",
        ])
        .timeout(Duration::from_secs(60))
        .output()
        .unwrap();
    let _ = handle.join();
    assert_eq!(out.status.code(), Some(1), "{out:?}");
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(err.trim().lines().count(), 1, "{err}");
    assert!(!err.contains("panicked"), "{err}");
}

/// Hostile paths and queries: range extremes, traversal, huge or bad key
/// hex, sizes past the tree. Each gets a 4xx, the server keeps serving,
/// and nothing stored changes.
#[test]
fn hostile_paths_and_queries_get_a_4xx_and_change_nothing() {
    let w = built();
    let before = w.accord(&["log", "--json"]).output().unwrap().stdout;
    let server = Server::start(&w, &w.ledger(), 1_000);
    let max = u64::MAX;
    let long_key = "a".repeat(20_000);
    let paths = [
        format!("/entries?from={max}&count={max}"),
        "/entries?from=-1".to_owned(),
        "/entries?from=0&count=-5".to_owned(),
        "/entries".to_owned(),
        format!("/entry/{max}"),
        "/entry/99999999999999999999999".to_owned(),
        format!("/proof/inclusion?seq=0&size={max}"),
        format!("/proof/inclusion?seq={max}"),
        format!("/proof/consistency?old=1&new={max}"),
        format!("/proof/consistency?old={max}&new=1"),
        "/record/../head".to_owned(),
        "/record/clause/..%2F..%2Fhead".to_owned(),
        "/record/clause/%00".to_owned(),
        "/record/nothing/x".to_owned(),
        format!("/author/{long_key}"),
        "/author/zz".to_owned(),
        format!("/tile/0/x{max}"),
        "/tile/99/000".to_owned(),
        "/tile/entries/x999/999/999".to_owned(),
        "/tile/0/000.p/0".to_owned(),
        "/tile/0/000.p/999".to_owned(),
    ];
    for path in &paths {
        let (status, body) = request(server.addr, "GET", path, b"");
        assert!(
            (400..500).contains(&status),
            "{path}: {status} {}",
            String::from_utf8_lossy(&body)
        );
    }
    let (status, _) = request(server.addr, "GET", "/head", b"");
    assert_eq!(status, 200);
    drop(server);
    assert_eq!(
        w.accord(&["log", "--json"]).output().unwrap().stdout,
        before
    );
    w.accord(&["verify"]).assert().success();
}

/// A connection from `from` (another loopback address: another client as
/// the server's per-address limits see it).
fn connect_from(from: &str, addr: SocketAddr) -> std::io::Result<TcpStream> {
    use socket2::{Domain, Socket, Type};
    let s = Socket::new(Domain::IPV4, Type::STREAM, None)?;
    let local: SocketAddr = format!("{from}:0").parse().unwrap();
    s.bind(&local.into())?;
    s.connect(&addr.into())?;
    Ok(s.into())
}

/// Finding 4: the connection bound is global, not per address. One client
/// opens as many idle connections as the server allows (256) and every
/// other client's connection is closed on accept: the server serves no one
/// else. (The header timeout frees each after 10 s; the attacker reopens
/// them, about 26 connections a second, far under any request rate.) The
/// safe server caps connections per address, so another client is served.
#[test]
fn one_client_holding_every_connection_does_not_lock_out_others() {
    let w = built();
    let server = Server::start(&w, &w.ledger(), 1_000);
    let hogs: Vec<TcpStream> = (0..300)
        .filter_map(|_| connect_from("127.0.0.1", server.addr).ok())
        .collect();
    assert!(hogs.len() >= 256, "only {} connections opened", hogs.len());
    // The server accepts them (and drops those past its bound) while the
    // victim's connection waits in the same accept queue behind them.
    let mut victim = connect_from("127.0.0.2", server.addr).unwrap();
    victim
        .set_read_timeout(Some(Duration::from_secs(20)))
        .unwrap();
    victim
        .write_all(b"GET /head HTTP/1.1\r\nHost: test\r\nConnection: close\r\n\r\n")
        .unwrap();
    let mut raw = Vec::new();
    let _ = victim.read_to_end(&mut raw);
    let answer = String::from_utf8_lossy(&raw);
    drop(hogs);
    assert!(
        answer.starts_with("HTTP/1.1 200"),
        "another client was not served: {answer:?}"
    );
}

/// Runs `accord --ledger <replica> mirror --from <url>`; its exit code.
fn mirror_from(w: &World, replica: &str, url: &str) -> Option<i32> {
    w.accord(&["--ledger", replica, "mirror", "--from", url])
        .output()
        .unwrap()
        .status
        .code()
}

/// Finding 5: the fork proof file is overwritten by the next refusal. A
/// lying server shows a mirror a fork (a proof naming an equivocation,
/// exit 5); at the next `sync` (or cron run) it serves an older checkpoint
/// instead: the mirror writes the rollback proof over the same file, and
/// the fork proof, the one piece of evidence that names the equivocating
/// party, is gone. The safe mirror keeps every proof it wrote.
#[test]
fn a_later_refusal_does_not_erase_an_earlier_fork_proof() {
    let w = built();
    copy_ledger(&w, "older");
    copy_ledger(&w, "forked");
    w.propose("C3", "ru").success();
    w.accord(&[
        "--ledger", "forked", "clause", "propose", "--id", "C4", "--title", "T", "--text", "x",
        "--key", "ru.pem",
    ])
    .assert()
    .success();
    let honest = Server::start_with(&w, &w.ledger(), 1_000, &["--key", "tr.pem"]);
    assert_eq!(
        mirror_from(&w, "rep", &format!("http://{}", honest.addr)),
        Some(0)
    );
    let forked = Server::start_with(&w, &w.path("forked"), 1_000, &["--key", "tr.pem"]);
    assert_eq!(
        mirror_from(&w, "rep", &format!("http://{}", forked.addr)),
        Some(5)
    );
    let proof = w.path("rep.fork-proof.json");
    let first: Value = serde_json::from_slice(&std::fs::read(&proof).unwrap()).unwrap();
    assert_eq!(first["kind"], "fork");
    let older = Server::start_with(&w, &w.path("older"), 1_000, &["--key", "tr.pem"]);
    assert_eq!(
        mirror_from(&w, "rep", &format!("http://{}", older.addr)),
        Some(5)
    );
    // Every proof file beside the replica: one of them is still the fork.
    let kept: Vec<Value> = std::fs::read_dir(w.dir.path())
        .unwrap()
        .filter_map(|e| {
            let e = e.ok()?;
            let name = e.file_name().to_string_lossy().into_owned();
            name.contains("fork-proof")
                .then(|| serde_json::from_slice(&std::fs::read(e.path()).ok()?).ok())?
        })
        .collect();
    assert!(
        kept.contains(&first),
        "the fork proof is gone; kept: {:?}",
        kept.iter().map(|p| p["kind"].clone()).collect::<Vec<_>>()
    );
}

/// A `witness serve` child, killed when dropped.
struct Killed(std::process::Child);

impl Drop for Killed {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// Finding 6: one witness key, two memories. A party witnesses the ledger
/// with `witness cosign` / `mirror --witness-key` (state
/// `<party>@<ledger>.checkpoint`) and also runs `witness serve` with the
/// same key and the same state directory (the default of both), the log
/// of this ledger among its logs (tlog state `tlog-<hash>.state`). The two
/// never read each other's state: the host cosigns the honest checkpoint
/// of 8 entries through one and a forked checkpoint of 8 entries through
/// the other, and gets the witness's cosignature on both sides of a fork.
/// The safe witness refuses the second (one state per key and log).
#[test]
fn one_witness_key_never_cosigns_both_sides_of_a_fork() {
    use std::io::BufRead;
    let w = built();
    copy_ledger(&w, "forked");
    w.propose("C3", "ru").success();
    w.accord(&[
        "--ledger", "forked", "clause", "propose", "--id", "C4", "--title", "T", "--text", "x",
        "--key", "ru.pem",
    ])
    .assert()
    .success();
    w.accord(&["checkpoint", "--key", "tr.pem", "--out", "cp8"])
        .assert()
        .success();
    w.accord(&[
        "--ledger",
        "forked",
        "checkpoint",
        "--key",
        "tr.pem",
        "--out",
        "fk8",
    ])
    .assert()
    .success();
    let cp8 = std::fs::read_to_string(w.path("cp8")).unwrap();
    let fk8 = std::fs::read_to_string(w.path("fk8")).unwrap();
    assert_ne!(cp8, fk8);
    // ru, a witness of the charter, cosigns the honest checkpoint.
    w.accord(&[
        "witness", "cosign", "cp8", "--key", "ru.pem", "--state", "wstate", "--out", "cp8.ru",
    ])
    .assert()
    .success();
    // ru's tlog-witness, same key, same state directory, this ledger's log.
    let origin = cp8.lines().next().unwrap().to_owned();
    let tr = w
        .accord(&["witness", "vkey", "--key", "tr.pem.pub", "--name", "tr"])
        .output()
        .unwrap();
    let tr = String::from_utf8(tr.stdout).unwrap().trim().to_owned();
    let mut child = std::process::Command::new(assert_cmd::cargo::cargo_bin!("accord"))
        .current_dir(w.dir.path())
        .args([
            "witness",
            "serve",
            "--listen",
            "127.0.0.1:0",
            "--key",
            "ru.pem",
            "--name",
            "ru",
            "--state",
            "wstate",
            "--log",
            &format!("{origin}={tr}"),
            "--max-requests",
            "20",
        ])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let mut lines = std::io::BufReader::new(child.stdout.take().unwrap());
    let _guard = Killed(child);
    let (mut addr, mut vkey) = (String::new(), String::new());
    lines.read_line(&mut addr).unwrap();
    lines.read_line(&mut vkey).unwrap();
    let out = w
        .accord(&[
            "--ledger",
            "forked",
            "witness",
            "submit",
            "--to",
            &format!("http://{}", addr.trim()),
            "--checkpoint",
            "fk8",
            "--witness-vkey",
            vkey.trim(),
        ])
        .output()
        .unwrap();
    let cosigned_fork = std::fs::read_to_string(w.path("fk8"))
        .unwrap()
        .contains("\u{2014} ru ");
    assert!(
        !out.status.success() && !cosigned_fork,
        "ru cosigned both sides of a fork at size 8 ({}): {}{}",
        out.status,
        String::from_utf8_lossy(&out.stderr),
        std::fs::read_to_string(w.path("fk8")).unwrap()
    );
}
