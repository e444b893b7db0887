//! `accord serve` on loopback (port 0), driven over plain TCP: reads match
//! the local CLI; a POSTed entry signed on another copy is admitted and
//! durable; a stale-head entry gets 409 with the head, a refused one 422;
//! hostile clients (oversized, garbage, slowloris, a burst) are bounded and
//! change nothing. Every server stops by itself (`--max-requests`) or is
//! killed when its test ends.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::process::{Child, Stdio};
use std::time::{Duration, Instant};

use base64::Engine;
use serde_json::Value;

use crate::common::{built, World};

/// A running `accord serve`, killed when dropped (also used by `mirror`).
pub(crate) struct Server {
    child: Child,
    pub(crate) addr: SocketAddr,
}

impl Server {
    pub(crate) fn start(w: &World, ledger: &std::path::Path, max_requests: u64) -> Server {
        Self::start_with(w, ledger, max_requests, &[])
    }

    pub(crate) fn start_with(
        w: &World,
        ledger: &std::path::Path,
        max_requests: u64,
        extra: &[&str],
    ) -> Server {
        let mut child = std::process::Command::new(assert_cmd::cargo::cargo_bin!("accord"))
            .current_dir(w.dir.path())
            .env_remove("ACCORD_LEDGER")
            .arg("--ledger")
            .arg(ledger)
            .args(["serve", "--listen", "127.0.0.1:0", "--max-requests"])
            .arg(max_requests.to_string())
            .args(extra)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let mut line = String::new();
        BufReader::new(child.stdout.take().unwrap())
            .read_line(&mut line)
            .unwrap();
        let addr = line.trim().parse().unwrap_or_else(|_| {
            let mut err = String::new();
            let _ = child.stderr.take().unwrap().read_to_string(&mut err);
            panic!("serve printed {line:?}, stderr {err}")
        });
        Server { child, addr }
    }

    /// Waits (bounded) for the server to stop by itself.
    pub(crate) fn wait_stopped(mut self) {
        let start = Instant::now();
        while start.elapsed() < Duration::from_secs(20) {
            if let Some(status) = self.child.try_wait().unwrap() {
                assert!(status.success(), "{status}");
                return;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        panic!("the server did not stop after --max-requests");
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// One HTTP/1.1 request on a fresh connection; the status and the body.
fn request_on(mut s: TcpStream, method: &str, path: &str, body: &[u8]) -> (u16, Vec<u8>) {
    s.set_read_timeout(Some(Duration::from_secs(20))).unwrap();
    let head = format!(
        "{method} {path} HTTP/1.1\r\nHost: test\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
        body.len()
    );
    s.write_all(head.as_bytes()).unwrap();
    // The server may answer (413) before reading a large body, and close.
    let _ = s.write_all(body);
    let mut raw = Vec::new();
    let _ = s.read_to_end(&mut raw);
    let text_end = raw
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .unwrap_or_else(|| panic!("no response: {:?}", String::from_utf8_lossy(&raw)));
    let status_line = String::from_utf8_lossy(&raw[..text_end]).to_string();
    let status = status_line.split(' ').nth(1).unwrap().parse().unwrap();
    (status, raw[text_end + 4..].to_vec())
}

pub(crate) fn request(addr: SocketAddr, method: &str, path: &str, body: &[u8]) -> (u16, Vec<u8>) {
    request_on(TcpStream::connect(addr).unwrap(), method, path, body)
}

fn get_json(addr: SocketAddr, path: &str) -> (u16, Value) {
    let (status, body) = request(addr, "GET", path, b"");
    (status, serde_json::from_slice(&body).unwrap())
}

/// A connection from 127.0.0.2: another client, as the rate limit sees it.
fn connect_from_other_address(addr: SocketAddr) -> TcpStream {
    use socket2::{Domain, Socket, Type};
    let s = Socket::new(Domain::IPV4, Type::STREAM, None).unwrap();
    let local: SocketAddr = "127.0.0.2:0".parse().unwrap();
    s.bind(&local.into()).unwrap();
    s.connect(&addr.into()).unwrap();
    s.into()
}

/// The entry `seq`'s canonical bytes, from an export of `ledger`.
pub(crate) fn entry_bytes(w: &World, ledger: &str, seq: u64) -> Vec<u8> {
    let out = w.accord(&["--ledger", ledger, "export"]).output().unwrap();
    assert!(out.status.success());
    let text = String::from_utf8(out.stdout).unwrap();
    let line: Value = text
        .lines()
        .filter_map(|l| serde_json::from_str::<Value>(l).ok())
        .find(|v| v["seq"] == seq && v.get("entry").is_some())
        .unwrap();
    base64::engine::general_purpose::STANDARD
        .decode(line["entry"].as_str().unwrap())
        .unwrap()
}

/// A copy of the served ledger's directory, taken while no server runs.
pub(crate) fn copy_ledger(w: &World, name: &str) {
    let to = w.path(name);
    std::fs::create_dir(&to).unwrap();
    for f in std::fs::read_dir(w.ledger()).unwrap() {
        let f = f.unwrap();
        std::fs::copy(f.path(), to.join(f.file_name())).unwrap();
    }
}

fn show(w: &World, seq: u64) -> Value {
    w.json(&["show", &seq.to_string(), "--json"])
}

/// Splits `GET /entries`'s body: a 4-byte big-endian length, then bytes.
fn frames(mut body: &[u8]) -> Vec<Vec<u8>> {
    let mut out = Vec::new();
    while !body.is_empty() {
        let len = u32::from_be_bytes(body[..4].try_into().unwrap()) as usize;
        out.push(body[4..4 + len].to_vec());
        body = &body[4 + len..];
    }
    out
}

#[test]
fn reads_match_the_local_cli() {
    let w = built();
    let shows: Vec<Value> = (0..7).map(|s| show(&w, s)).collect();
    let inclusion = w.json(&["proof", "inclusion", "2", "--size", "6", "--json"]);
    let consistency = w.json(&["proof", "consistency", "3", "7", "--json"]);
    let server = Server::start(&w, &w.ledger(), 7);
    let addr = server.addr;

    let (status, head) = get_json(addr, "/head");
    assert_eq!(status, 200);
    assert_eq!(head["seq"], 6);
    assert_eq!(head["hash"], shows[6]["hash"]);

    let (status, body) = request(addr, "GET", "/entry/3", b"");
    assert_eq!(status, 200);
    let e = accord_core::Sealed::from_bytes(body).unwrap();
    assert_eq!(Value::from(e.hash.to_hex()), shows[3]["hash"]);

    let (status, body) = request(addr, "GET", "/entries?from=0&count=100", b"");
    assert_eq!(status, 200);
    let got = frames(&body);
    assert_eq!(got.len(), 7);
    for (i, bytes) in got.into_iter().enumerate() {
        let e = accord_core::Sealed::from_bytes(bytes).unwrap();
        assert_eq!(Value::from(e.hash.to_hex()), shows[i]["hash"], "entry {i}");
    }

    assert_eq!(
        get_json(addr, "/proof/inclusion?seq=2&size=6"),
        (200, inclusion)
    );
    assert_eq!(
        get_json(addr, "/proof/consistency?old=3&new=7"),
        (200, consistency)
    );

    let (status, err) = get_json(addr, "/entry/99");
    assert_eq!(status, 404);
    assert!(
        err["error"].as_str().unwrap().contains("no entry 99"),
        "{err}"
    );
    let (status, err) = get_json(addr, "/checkpoint");
    assert_eq!(status, 404);
    assert!(
        err["error"].as_str().unwrap().contains("--checkpoint"),
        "{err}"
    );
    server.wait_stopped();
}

#[test]
fn a_posted_entry_is_admitted_durable_and_a_stale_one_gets_the_head() {
    let w = built();
    copy_ledger(&w, "a");
    copy_ledger(&w, "b");
    // Two delegations sign the next entry (seq 7) on their own copies.
    w.accord(&[
        "--ledger", "a", "clause", "propose", "--id", "C3", "--title", "T", "--text", "x", "--key",
        "tr.pem",
    ])
    .assert()
    .success();
    w.accord(&[
        "--ledger", "b", "clause", "propose", "--id", "C4", "--title", "T", "--text", "y", "--key",
        "ru.pem",
    ])
    .assert()
    .success();
    let a = entry_bytes(&w, "a", 7);
    let b = entry_bytes(&w, "b", 7);

    let server = Server::start(&w, &w.ledger(), 100);
    let (status, body) = request(server.addr, "POST", "/entries", &a);
    assert_eq!(status, 201, "{}", String::from_utf8_lossy(&body));
    let created: Value = serde_json::from_slice(&body).unwrap();
    assert_eq!(created["seq"], 7);

    // Signed against head 6, which is no longer the head: 409 and the head.
    let (status, body) = request(server.addr, "POST", "/entries", &b);
    assert_eq!(status, 409);
    let conflict: Value = serde_json::from_slice(&body).unwrap();
    assert_eq!(conflict["head"], created, "{conflict}");
    assert!(!conflict["error"].as_str().unwrap().contains('\n'));

    // The same entry again (a lost reply): answered, stored once.
    let (status, body) = request(server.addr, "POST", "/entries", &a);
    assert_eq!(status, 200);
    assert_eq!(serde_json::from_slice::<Value>(&body).unwrap(), created);

    // Killed at once after the 201: the entry is there.
    drop(server);
    assert_eq!(show(&w, 7)["hash"], created["hash"]);
    w.accord(&["verify"]).assert().success();
}

#[test]
fn a_refused_entry_gets_422_and_changes_nothing() {
    let w = built();
    copy_ledger(&w, "a");
    w.accord(&[
        "--ledger", "a", "clause", "propose", "--id", "C3", "--title", "T", "--text", "x", "--key",
        "tr.pem",
    ])
    .assert()
    .success();
    let mut forged = entry_bytes(&w, "a", 7);
    // The signature is the encoding's last 64 bytes.
    let last = forged.len() - 1;
    forged[last] ^= 1;

    let server = Server::start(&w, &w.ledger(), 2);
    let (status, body) = request(server.addr, "POST", "/entries", &forged);
    assert_eq!(status, 422, "{}", String::from_utf8_lossy(&body));
    let err: Value = serde_json::from_slice(&body).unwrap();
    assert!(
        err["error"].as_str().unwrap().contains("signature"),
        "{err}"
    );
    let (_, head) = get_json(server.addr, "/head");
    assert_eq!(head["seq"], 6);
    server.wait_stopped();
    assert_eq!(w.entry_list().len(), 7);
}

#[test]
fn hostile_bodies_are_refused_and_change_nothing() {
    let w = built();
    let before = w.entry_list();
    let server = Server::start(&w, &w.ledger(), 4);
    let huge = vec![0u8; accord_core::limits::MAX_ENTRY_BYTES + 1];
    let (status, body) = request(server.addr, "POST", "/entries", &huge);
    assert_eq!(status, 413, "{}", String::from_utf8_lossy(&body));
    let (status, body) = request(server.addr, "POST", "/entries", b"\x01garbage\xff");
    assert_eq!(status, 400);
    let err: Value = serde_json::from_slice(&body).unwrap();
    assert!(
        err["error"].as_str().unwrap().contains("canonical"),
        "{err}"
    );
    let (status, _) = request(server.addr, "GET", "/entries?from=zero", b"");
    assert_eq!(status, 400);
    let (status, _) = request(server.addr, "GET", "/nowhere", b"");
    assert_eq!(status, 404);
    server.wait_stopped();
    assert_eq!(w.entry_list(), before);
}

#[test]
fn a_slowloris_connection_does_not_block_others_and_is_cut_off() {
    let w = built();
    let server = Server::start(&w, &w.ledger(), 1000);
    let mut slow = TcpStream::connect(server.addr).unwrap();
    slow.set_read_timeout(Some(Duration::from_millis(200)))
        .unwrap();
    let partial = b"GET /head HTTP/1.1\r\nHost: test\r\nX-Slow: ";
    for b in partial.iter().take(10) {
        slow.write_all(&[*b]).unwrap();
        std::thread::sleep(Duration::from_millis(50));
    }
    // Another client is served while the slow one dribbles.
    let (status, head) = get_json(server.addr, "/head");
    assert_eq!(status, 200);
    assert_eq!(head["seq"], 6);
    // The slow one is closed by the server (header timeout) within a
    // bound far above it, however slowly it keeps sending.
    let start = Instant::now();
    let mut closed = false;
    let mut sent = 10;
    while start.elapsed() < Duration::from_secs(60) {
        let byte = partial.get(sent).copied().unwrap_or(b'a');
        sent += 1;
        if slow.write_all(&[byte]).is_err() {
            closed = true;
            break;
        }
        let mut buf = [0u8; 256];
        match slow.read(&mut buf) {
            Ok(_) => {
                closed = true;
                break;
            }
            Err(e)
                if matches!(
                    e.kind(),
                    std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut
                ) => {}
            Err(_) => {
                closed = true;
                break;
            }
        }
    }
    assert!(closed, "the slow connection was never cut off");
}

#[test]
fn a_burst_from_one_client_gets_429_while_another_is_served() {
    let w = built();
    let before = w.entry_list();
    let server = Server::start(&w, &w.ledger(), 1002);
    let mut limited = 0;
    for _ in 0..1000 {
        let (status, _) = request_on(connect_from_other_address(server.addr), "GET", "/head", b"");
        assert!(status == 200 || status == 429, "{status}");
        if status == 429 {
            limited += 1;
        }
    }
    assert!(limited > 0, "no request of the burst was refused");
    let (status, body) = request_on(connect_from_other_address(server.addr), "GET", "/head", b"");
    if status == 429 {
        let err: Value = serde_json::from_slice(&body).unwrap();
        assert!(err["error"].as_str().unwrap().contains("too many"), "{err}");
    }
    // Another address is served at once.
    let (status, head) = get_json(server.addr, "/head");
    assert_eq!((status, head["seq"].clone()), (200, Value::from(6)));
    server.wait_stopped();
    assert_eq!(w.entry_list(), before);
}

#[test]
fn tiles_hold_the_entries_and_the_tree() {
    let w = built();
    let root = w.json(&["proof", "inclusion", "0", "--json"])["root"].clone();
    let server = Server::start(&w, &w.ledger(), 7);
    let (status, body) = request(server.addr, "GET", "/entries?from=0", b"");
    assert_eq!(status, 200);
    let entries = frames(&body);
    assert_eq!(entries.len(), 7);

    // Level 0 of a 7-entry tree: one partial tile of the 7 leaf hashes,
    // whose root is the tree's.
    let (status, tile) = request(server.addr, "GET", "/tile/0/000.p/7", b"");
    assert_eq!(status, 200);
    let leaves: Vec<u8> = entries
        .iter()
        .flat_map(|e| accord_core::merkle::leaf_hash(e))
        .collect();
    assert_eq!(tile, leaves);
    let hashes: Vec<[u8; 32]> = tile.chunks(32).map(|c| c.try_into().unwrap()).collect();
    let tile_root =
        base64::engine::general_purpose::STANDARD.encode(accord_core::tiles::tile_root(&hashes));
    assert_eq!(Value::from(tile_root), root);

    // The entry bundle holds the entries' canonical bytes.
    let (status, bundle) = request(server.addr, "GET", "/tile/entries/000.p/7", b"");
    assert_eq!(status, 200);
    let parsed = accord_core::tiles::parse_bundle(&bundle).unwrap();
    assert_eq!(
        parsed,
        entries.iter().map(Vec::as_slice).collect::<Vec<_>>()
    );

    // Tiles the tree does not have yet, and paths not spelled canonically.
    for path in [
        "/tile/0/000",
        "/tile/0/000.p/8",
        "/tile/0/00",
        "/tile/entries/x000/000",
    ] {
        let (status, body) = request(server.addr, "GET", path, b"");
        assert_eq!(status, 404, "{path}: {}", String::from_utf8_lossy(&body));
    }
}

#[test]
fn the_checkpoint_is_served_read_again_when_it_changes_and_checked() {
    let w = built();
    w.accord(&["checkpoint", "--key", "tr.pem", "--out", "cp"])
        .assert()
        .success();
    let note = std::fs::read(w.path("cp")).unwrap();
    let cp = w.path("cp");
    let server = Server::start_with(&w, &w.ledger(), 4, &["--checkpoint", cp.to_str().unwrap()]);
    let (status, body) = request(server.addr, "GET", "/checkpoint", b"");
    assert_eq!(status, 200);
    assert_eq!(body, note);

    // Replaced by a note with a forged root: no longer served.
    let text = String::from_utf8(note.clone()).unwrap();
    let mut lines: Vec<&str> = text.lines().collect();
    let forged_root = "A".repeat(43) + "=";
    lines[2] = &forged_root;
    std::fs::write(&cp, lines.join("\n") + "\n").unwrap();
    let (status, body) = request(server.addr, "GET", "/checkpoint", b"");
    assert_eq!(status, 503, "{}", String::from_utf8_lossy(&body));
    let err: Value = serde_json::from_slice(&body).unwrap();
    assert!(
        err["error"].as_str().unwrap().contains("not served"),
        "{err}"
    );

    // Put back: served again.
    std::fs::write(&cp, &note).unwrap();
    let (status, body) = request(server.addr, "GET", "/checkpoint", b"");
    assert_eq!(status, 200);
    assert_eq!(body, note);
    let (status, _) = request(server.addr, "GET", "/head", b"");
    assert_eq!(status, 200);
    server.wait_stopped();
}

#[test]
fn a_local_write_while_serving_says_the_ledger_is_in_use() {
    let w = built();
    let server = Server::start(&w, &w.ledger(), 1);
    let e = crate::common::one_line_error(w.propose("C9", "tr").failure());
    assert!(e.contains("in use") && e.contains("accord serve"), "{e}");
    let (status, _) = request(server.addr, "GET", "/head", b"");
    assert_eq!(status, 200);
    server.wait_stopped();
    assert_eq!(w.entry_list().len(), 7);
}
