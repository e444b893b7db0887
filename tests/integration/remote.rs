//! `accord --remote URL`: writing commands build and sign their entry on
//! this machine and post it to `accord serve`; reads refuse the flag. Every
//! server stops by itself (`--max-requests`) or is killed when its test
//! ends.

use std::io::{BufRead, Read, Write};

use serde_json::Value;

use crate::common::{built, one_line_error, World};
use crate::serve::Server;

fn url(server: &Server) -> String {
    format!("http://{}", server.addr)
}

/// `accord` with no local ledger at all: `--remote` must not need one.
fn remote(w: &World, server: &Server, args: &[&str]) -> assert_cmd::Command {
    let mut cmd = w.accord(&[]);
    cmd.env("ACCORD_LEDGER", w.path("no-ledger-here"))
        .arg("--remote")
        .arg(url(server))
        .args(args);
    cmd
}

/// `history ID --json`: one JSON object per line.
fn history(w: &World, id: &str) -> Vec<Value> {
    let out = w.accord(&["history", id, "--json"]).output().unwrap();
    assert!(out.status.success());
    String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

fn propose_args<'a>(id: &'a str, key: &'a str) -> Vec<&'a str> {
    vec![
        "clause",
        "propose",
        "--id",
        id,
        "--title",
        "Exchange of detainees",
        "--text",
        "Exchange lists of detainees through the mediator.",
        "--key",
        key,
    ]
}

#[test]
fn a_remote_append_is_signed_here_and_stored_by_the_server() {
    let w = built();
    let server = Server::start(&w, &w.ledger(), 1_000);
    let out = remote(&w, &server, &propose_args("C3", "ru.pem"))
        .assert()
        .success();
    let line = String::from_utf8(out.get_output().stdout.clone()).unwrap();
    assert!(
        line.starts_with("entry 7  clause-proposed  C3 by ru  hash "),
        "{line}"
    );
    // An endorsement reports adoption as a local one does.
    let out = remote(&w, &server, &["clause", "endorse", "C2", "--key", "tr.pem"])
        .assert()
        .success();
    let text = String::from_utf8(out.get_output().stdout.clone()).unwrap();
    assert!(
        text.contains("entry 8  clause-endorsed  C2 by tr"),
        "{text}"
    );
    assert!(
        text.contains("clause C2: 2 endorsement(s), not yet adopted"),
        "{text}"
    );
    let out = remote(&w, &server, &["clause", "endorse", "C2", "--key", "ru.pem"])
        .assert()
        .success();
    let text = String::from_utf8(out.get_output().stdout.clone()).unwrap();
    assert!(text.contains("clause C2 is now adopted"), "{text}");
    assert!(!w.path("no-ledger-here").exists());
    drop(server);

    w.accord(&["verify"]).assert().success();
    let c3 = history(&w, "C3");
    assert_eq!(c3.len(), 1);
    assert_eq!(c3[0]["seq"], 7);
    let c2 = history(&w, "C2");
    assert_eq!(c2.last().unwrap()["author"], "ru", "{c2:?}");
    assert_eq!(c2.last().unwrap()["seq"], 9, "{c2:?}");
}

#[test]
fn four_remote_appenders_at_once_all_land_and_the_ledger_verifies() {
    let w = built();
    let server = Server::start(&w, &w.ledger(), 10_000);
    let signers = ["tr", "ru", "ir", "un"];
    let per_signer = 5;
    std::thread::scope(|s| {
        for signer in signers {
            let (w, server) = (&w, &server);
            s.spawn(move || {
                for i in 0..per_signer {
                    let id = format!("C{signer}{i}");
                    let key = format!("{signer}.pem");
                    remote(w, server, &propose_args(&id, &key))
                        .assert()
                        .success();
                }
            });
        }
    });
    drop(server);
    w.accord(&["verify"]).assert().success();
    let log = w.entry_list();
    assert_eq!(log.len(), 7 + signers.len() * per_signer);
    for signer in signers {
        for i in 0..per_signer {
            let h = history(&w, &format!("C{signer}{i}"));
            assert_eq!(h.len(), 1, "{h:?}");
            assert_eq!(h[0]["author"], signer);
        }
    }
}

#[test]
fn a_refused_remote_append_says_why_in_one_line_and_changes_nothing() {
    let w = built();
    let before = w.entry_list();
    let server = Server::start(&w, &w.ledger(), 1_000);
    // Unknown to the ledger: found by the lookup, before anything is signed.
    let e = one_line_error(
        remote(&w, &server, &["clause", "endorse", "C9", "--key", "tr.pem"]).assert(),
    );
    assert!(e.contains("no clause C9 has been proposed"), "{e}");
    // Refused by the server's gate: C1 is adopted already.
    let e = one_line_error(remote(&w, &server, &propose_args("C1", "ru.pem")).assert());
    assert!(
        e.starts_with(&format!("error: rejected by {}", url(&server))),
        "{e}"
    );
    assert!(e.contains("C1"), "{e}");
    // A key that is no party's.
    w.accord(&["key", "new", "--out", "stranger.pem"])
        .assert()
        .success();
    let e = one_line_error(remote(&w, &server, &propose_args("C5", "stranger.pem")).assert());
    assert!(e.contains("is not the current key of any party"), "{e}");
    drop(server);
    assert_eq!(w.entry_list(), before);
}

#[test]
fn an_unreachable_server_is_one_line() {
    let w = built();
    // A port nothing listens on: bind one, then free it.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let e = one_line_error(
        w.accord(&["--remote", &format!("http://127.0.0.1:{port}")])
            .args(propose_args("C3", "ru.pem"))
            .assert(),
    );
    assert!(
        e.contains("cannot reach the server at http://127.0.0.1:"),
        "{e}"
    );
    let e = one_line_error(
        w.accord(&["--remote", "ftp://example"])
            .args(propose_args("C3", "ru.pem"))
            .assert(),
    );
    assert!(e.contains("is not an http:// or https:// URL"), "{e}");
}

#[test]
fn reads_refuse_remote_and_ignore_accord_remote() {
    let w = built();
    let out = w
        .accord(&["--remote", "http://127.0.0.1:9", "obligations"])
        .assert()
        .code(2);
    let err = String::from_utf8(out.get_output().stderr.clone()).unwrap();
    assert!(err.contains("accord mirror"), "{err}");
    // ACCORD_REMOTE is for writing commands: reads stay local.
    let v: Value = serde_json::from_slice(
        &w.accord(&["obligations", "--json"])
            .env("ACCORD_REMOTE", "http://127.0.0.1:9")
            .output()
            .unwrap()
            .stdout,
    )
    .unwrap();
    assert!(v.is_object() || v.is_array(), "{v}");
}

#[test]
fn accord_remote_sends_writing_commands_to_the_server() {
    let w = built();
    let server = Server::start(&w, &w.ledger(), 1_000);
    w.accord(&propose_args("C3", "ru.pem"))
        .env("ACCORD_REMOTE", url(&server))
        .env("ACCORD_LEDGER", w.path("no-ledger-here"))
        .assert()
        .success();
    drop(server);
    let h = history(&w, "C3");
    assert_eq!(h.len(), 1);
    assert_eq!(h[0]["seq"], 7);
}

/// Reads one HTTP/1.1 message head and its `content-length` body.
fn read_message(r: &mut impl BufRead) -> Option<Vec<u8>> {
    let mut raw = Vec::new();
    let mut length = 0;
    loop {
        let mut line = String::new();
        if r.read_line(&mut line).ok()? == 0 {
            return None;
        }
        if let Some(v) = line.to_ascii_lowercase().strip_prefix("content-length:") {
            length = v.trim().parse().ok()?;
        }
        if line == "\r\n" {
            // Ask the other end to close: one exchange per connection.
            raw.extend_from_slice(b"connection: close\r\n\r\n");
            break;
        }
        if !line.to_ascii_lowercase().starts_with("connection:") {
            raw.extend_from_slice(line.as_bytes());
        }
    }
    let mut body = vec![0; length];
    r.read_exact(&mut body).ok()?;
    raw.extend_from_slice(&body);
    Some(raw)
}

/// What the relay does to the first `POST /entries`.
enum Trick {
    /// Runs this command to completion before relaying it: the client's
    /// entry, signed on the old head, then meets a moved head.
    Intruder(std::process::Command),
    /// Relays it, then closes the connection without the server's answer.
    LoseAnswer,
}

/// A relay to `server`, one exchange per connection, that plays `trick`
/// on the first `POST /entries`. Stops after `exchanges` exchanges.
fn relay(
    server: std::net::SocketAddr,
    exchanges: usize,
    mut trick: Trick,
) -> (String, std::thread::JoinHandle<()>) {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    let handle = std::thread::spawn(move || {
        let mut tricked = false;
        listener.set_nonblocking(true).unwrap();
        for _ in 0..exchanges {
            // Bounded: a client that never comes ends the relay.
            let start = std::time::Instant::now();
            let client = loop {
                match listener.accept() {
                    Ok((c, _)) => break c,
                    Err(_) if start.elapsed() < std::time::Duration::from_secs(20) => {
                        std::thread::sleep(std::time::Duration::from_millis(10))
                    }
                    Err(e) => panic!("the client did not come back: {e}"),
                }
            };
            client.set_nonblocking(false).unwrap();
            client
                .set_read_timeout(Some(std::time::Duration::from_secs(20)))
                .unwrap();
            let mut reader = std::io::BufReader::new(client.try_clone().unwrap());
            let Some(request) = read_message(&mut reader) else {
                continue;
            };
            let first_post = request.starts_with(b"POST /entries") && !tricked;
            tricked |= first_post;
            if let (true, Trick::Intruder(intruder)) = (first_post, &mut trick) {
                assert!(intruder.status().unwrap().success());
            }
            let mut upstream = std::net::TcpStream::connect(server).unwrap();
            upstream.write_all(&request).unwrap();
            let mut answer = Vec::new();
            upstream.read_to_end(&mut answer).unwrap();
            if !(first_post && matches!(trick, Trick::LoseAnswer)) {
                (&client).write_all(&answer).unwrap();
            }
        }
    });
    (format!("http://{addr}"), handle)
}

#[test]
fn an_entry_signed_on_a_head_that_moved_is_signed_again_on_the_new_head() {
    let w = built();
    let server = Server::start(&w, &w.ledger(), 1_000);
    let mut intruder = std::process::Command::new(assert_cmd::cargo::cargo_bin!("accord"));
    intruder
        .current_dir(w.dir.path())
        .env_remove("ACCORD_LEDGER")
        .args(["--remote", &url(&server)])
        .args(propose_args("C4", "ir.pem"));
    // GET /author, POST (409), GET /author, POST (201).
    let (relay, handle) = relay(server.addr, 4, Trick::Intruder(intruder));
    w.accord(&["--remote", &relay])
        .args(propose_args("C3", "ru.pem"))
        .assert()
        .success()
        .stdout(predicates::str::starts_with(
            "entry 8  clause-proposed  C3 by ru",
        ));
    handle.join().unwrap();
    drop(server);
    assert_eq!(history(&w, "C4")[0]["seq"], 7);
    assert_eq!(history(&w, "C3")[0]["seq"], 8);
    w.accord(&["verify"]).assert().success();
}

#[test]
fn an_entry_whose_answer_was_lost_is_found_stored_not_signed_twice() {
    let w = built();
    let server = Server::start(&w, &w.ledger(), 1_000);
    // GET /author, POST (stored, answer lost), GET /entry/7.
    let (relay, handle) = relay(server.addr, 3, Trick::LoseAnswer);
    w.accord(&["--remote", &relay])
        .args(propose_args("C3", "ru.pem"))
        .assert()
        .success()
        .stdout(predicates::str::starts_with(
            "entry 7  clause-proposed  C3 by ru",
        ));
    handle.join().unwrap();
    drop(server);
    assert_eq!(w.entry_list().len(), 8);
    w.accord(&["verify"]).assert().success();
}

#[test]
fn a_signer_whose_clock_is_behind_the_head_claims_the_heads_time() {
    let w = built();
    // Another capital's clock is two minutes ahead of this one's.
    let ahead = time::OffsetDateTime::now_utc() + time::Duration::minutes(2);
    let ahead = ahead
        .replace_nanosecond(0)
        .unwrap()
        .format(&time::format_description::well_known::Rfc3339)
        .unwrap();
    w.accord(&["--time", &ahead])
        .args(propose_args("C3", "ir.pem"))
        .assert()
        .success();
    let server = Server::start(&w, &w.ledger(), 1_000);
    remote(&w, &server, &propose_args("C4", "ru.pem"))
        .assert()
        .success();
    drop(server);
    let c4 = history(&w, "C4");
    assert_eq!(c4[0]["time"], history(&w, "C3")[0]["time"], "{c4:?}");
    w.accord(&["verify"]).assert().success();
}

/// Every entry hash in `accord --ledger <ledger> log --json`.
fn hashes(w: &World, ledger: &str) -> std::collections::BTreeSet<String> {
    let out = w
        .accord(&["--ledger", ledger, "log", "--json"])
        .output()
        .unwrap();
    assert!(out.status.success());
    String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .map(|l| {
            serde_json::from_str::<Value>(l).unwrap()["hash"]
                .as_str()
                .unwrap()
                .to_owned()
        })
        .collect()
}

#[test]
fn one_server_three_mirrors_two_witnesses_and_four_remote_appenders() {
    let w = built();
    let server = Server::start_with(
        &w,
        &w.ledger(),
        100_000,
        &["--key", "un.pem", "--rate", "0"],
    );
    let url = url(&server);
    let mirror = |name: &str, witness: Option<&str>| {
        let mut args = vec!["--ledger", name, "mirror", "--from", &url];
        let (key, state);
        if let Some(who) = witness {
            key = format!("{who}.pem");
            state = format!("{who}-witness");
            args.extend(["--witness-key", &key, "--witness-state", &state]);
        }
        w.accord(&args).assert().success();
    };
    let replicas = ["geneva-copy", "ankara", "tehran"];
    for r in replicas {
        mirror(r, None);
    }
    // Four delegations append while the three replicas keep catching up.
    let acknowledged = std::sync::Mutex::new(Vec::new());
    std::thread::scope(|s| {
        for signer in ["tr", "ru", "ir", "un"] {
            let (w, url, acknowledged) = (&w, &url, &acknowledged);
            s.spawn(move || {
                for i in 0..4 {
                    let out = w
                        .accord(&["--remote", url])
                        .args(propose_args(
                            &format!("C{signer}{i}"),
                            &format!("{signer}.pem"),
                        ))
                        .output()
                        .unwrap();
                    assert!(
                        out.status.success(),
                        "{}",
                        String::from_utf8_lossy(&out.stderr)
                    );
                    let line = String::from_utf8(out.stdout).unwrap();
                    let hash = line.split("hash ").nth(1).unwrap().trim().to_owned();
                    acknowledged.lock().unwrap().push(hash);
                }
            });
        }
        for r in replicas {
            let mirror = &mirror;
            s.spawn(move || {
                for _ in 0..3 {
                    mirror(r, None);
                }
            });
        }
    });
    // The last catch-up; the two guarantors' replicas witness.
    mirror("geneva-copy", None);
    mirror("ankara", Some("tr"));
    mirror("tehran", Some("ir"));
    let (status, note) = crate::serve::request(server.addr, "GET", "/checkpoint", b"");
    assert_eq!(status, 200);
    let note = String::from_utf8(note).unwrap();
    let signers: Vec<&str> = note
        .lines()
        .filter_map(|l| l.strip_prefix("— "))
        .map(|l| l.split(' ').next().unwrap())
        .collect();
    assert_eq!(signers, ["un", "tr", "ir"], "{note}");
    drop(server);

    let acknowledged = acknowledged.into_inner().unwrap();
    assert_eq!(acknowledged.len(), 16);
    let on_server = hashes(&w, "ledger");
    for r in replicas {
        w.accord(&["--ledger", r, "verify"]).assert().success();
        assert_eq!(hashes(&w, r), on_server, "{r}");
    }
    for h in &acknowledged {
        assert!(on_server.contains(h), "acknowledged {h} is missing");
    }
    assert_eq!(on_server.len(), 7 + 16);
}
