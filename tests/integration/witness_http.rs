//! `accord witness serve`, a C2SP tlog-witness, and `accord witness submit`,
//! the log's side, on loopback (port 0): a first checkpoint, then one that
//! extends it with a consistency proof from the ledger; every refusal the
//! spec names (409 with the witness's size as `text/x.tlog.size`, 422 bad
//! proof, 403 not the log's signature, 404 unknown log, 400 malformed, 413
//! oversized); the state surviving a restart, a rollback and a same-size
//! fork refused after it, a damaged state file refusing everything, a
//! witness killed between remembering and answering holding its line. Every
//! cosignature is checked again with the `openssl` command, and its key id
//! with `sha2`: code we did not write. Each server stops by itself
//! (`--max-requests`, waited for) or is killed when its test ends.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::process::{Child, Stdio};
use std::time::{Duration, Instant};

use accord_core::note::Note;
use base64::engine::general_purpose::STANDARD as B64;
use base64::Engine;
use predicates::str::contains;
use sha2::{Digest, Sha256};

use crate::common::{built, World};

/// A running `accord witness serve`, killed when dropped.
struct Witness {
    child: Child,
    addr: SocketAddr,
    vkey: String,
}

impl Witness {
    fn start(w: &World, log_vkey: &str, max_requests: u64) -> Witness {
        Self::start_with(w, log_vkey, max_requests, None)
    }

    fn start_with(w: &World, log_vkey: &str, max_requests: u64, crash_at: Option<&str>) -> Witness {
        let origin = read(w, "cp7").lines().next().unwrap().to_owned();
        // A second log, not accord's: the witness is generic.
        let other = w
            .accord(&[
                "witness",
                "vkey",
                "--key",
                "ru.pem.pub",
                "--name",
                "other.example/log",
            ])
            .output()
            .unwrap();
        let other = String::from_utf8(other.stdout).unwrap();
        let mut cmd = std::process::Command::new(assert_cmd::cargo::cargo_bin!("accord"));
        if let Some(point) = crash_at {
            cmd.env("ACCORD_CRASH_AT", point);
        }
        let mut child = cmd
            .current_dir(w.dir.path())
            .args([
                "witness",
                "serve",
                "--listen",
                "127.0.0.1:0",
                "--key",
                "w.pem",
                "--name",
                "witness.example/w1",
                "--state",
                "wstate",
                "--log",
                &format!("{origin}={log_vkey}"),
                "--log",
                &format!("other.example/log={}", other.trim()),
                "--max-requests",
                &max_requests.to_string(),
            ])
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let mut stdout = BufReader::new(child.stdout.take().unwrap());
        let (mut addr, mut vkey) = (String::new(), String::new());
        stdout.read_line(&mut addr).unwrap();
        stdout.read_line(&mut vkey).unwrap();
        let addr = addr.trim().parse().unwrap_or_else(|_| {
            let mut err = String::new();
            let _ = child.stderr.take().unwrap().read_to_string(&mut err);
            panic!("witness serve printed {addr:?}, stderr {err}")
        });
        Witness {
            child,
            addr,
            vkey: vkey.trim().to_owned(),
        }
    }

    fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// Waits (bounded) for the witness to stop by itself; its stderr.
    fn wait_stopped(mut self) -> String {
        let start = Instant::now();
        while start.elapsed() < Duration::from_secs(20) {
            if let Some(status) = self.child.try_wait().unwrap() {
                assert!(status.success(), "{status}");
                let mut err = String::new();
                let _ = self.child.stderr.take().unwrap().read_to_string(&mut err);
                return err;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        panic!("the witness did not stop after --max-requests");
    }
}

impl Drop for Witness {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// One HTTP/1.1 request on a fresh connection: status, content type, body.
fn request(addr: SocketAddr, method: &str, body: &[u8]) -> (u16, String, Vec<u8>) {
    let mut s = TcpStream::connect(addr).unwrap();
    s.set_read_timeout(Some(Duration::from_secs(20))).unwrap();
    let head = format!(
        "{method} /add-checkpoint HTTP/1.1\r\nHost: test\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
        body.len()
    );
    s.write_all(head.as_bytes()).unwrap();
    // The witness may answer (413) before reading a large body, and close.
    let _ = s.write_all(body);
    let mut raw = Vec::new();
    let _ = s.read_to_end(&mut raw);
    let end = raw
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .unwrap_or_else(|| panic!("no response: {:?}", String::from_utf8_lossy(&raw)));
    let head = String::from_utf8_lossy(&raw[..end]).to_lowercase();
    let status = head.split(' ').nth(1).unwrap().parse().unwrap();
    let content_type = head
        .lines()
        .find_map(|l| l.strip_prefix("content-type: "))
        .unwrap_or("")
        .to_owned();
    (status, content_type, raw[end + 4..].to_vec())
}

/// `old`, the proof lines, a blank line, the checkpoint.
fn body(old: u64, proof: &[String], checkpoint: &str) -> Vec<u8> {
    let mut b = format!("old {old}\n");
    for h in proof {
        b += h;
        b.push('\n');
    }
    b.push('\n');
    (b + checkpoint).into_bytes()
}

fn read(w: &World, name: &str) -> String {
    std::fs::read_to_string(w.path(name)).unwrap()
}

fn checkpoint(w: &World, signer: &str, out: &str) {
    w.accord(&[
        "checkpoint",
        "--key",
        &format!("{signer}.pem"),
        "--out",
        out,
    ])
    .assert()
    .success();
}

/// The consistency proof `accord proof` prints, base64 lines.
fn proof(w: &World, old: u64, new: u64) -> Vec<String> {
    let v = w.json(&[
        "proof",
        "consistency",
        &old.to_string(),
        &new.to_string(),
        "--json",
    ]);
    v["proof"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| h.as_str().unwrap().to_owned())
        .collect()
}

/// A checkpoint of `text` signed by `signer`'s key: what a malicious log
/// holding that key can make.
fn signed_by(w: &World, signer: &str, text: &str) -> String {
    let pem = read(w, &format!("{signer}.pem"));
    let key = accord_core::crypto::private_key_from_pem(&pem).unwrap();
    let mut note = Note::new(text).unwrap();
    note.sign(signer, &key).unwrap();
    note.format()
}

/// `text` with its root hash line replaced.
fn with_root(text: &str, root: [u8; 32]) -> String {
    let mut lines: Vec<String> = text.lines().map(str::to_owned).collect();
    lines[2] = B64.encode(root);
    lines.join("\n") + "\n"
}

fn submit(w: &World, witness: &Witness, cp: &str) -> assert_cmd::assert::Assert {
    w.accord(&[
        "witness",
        "submit",
        "--to",
        &witness.url(),
        "--checkpoint",
        cp,
        "--witness-vkey",
        &witness.vkey,
    ])
    .assert()
}

/// Checks, with OpenSSL and SHA-256 from `sha2`, that the checkpoint file
/// `cp` carries one cosignature/v1 by the witness (its key in `w.pem.pub`,
/// its vkey `vkey`) over the file's text, and returns its timestamp.
fn independently_cosigned(w: &World, cp: &str, vkey: &str) -> u64 {
    let file = read(w, cp);
    let (text, sigs) = file.split_at(file.rfind("\n\n").unwrap() + 1);
    let [name, id_hex, key_b64]: [&str; 3] =
        vkey.splitn(3, '+').collect::<Vec<_>>().try_into().unwrap();
    let typed_key = B64.decode(key_b64).unwrap();
    assert_eq!(typed_key[0], 0x04, "a cosigner key");
    let mut id = Sha256::new();
    id.update(name.as_bytes());
    id.update(b"\n");
    id.update(&typed_key);
    let id = id.finalize();
    assert_eq!(hex::encode(&id[..4]), id_hex);
    let lines: Vec<&str> = sigs[1..]
        .lines()
        .filter(|l| l.starts_with(&format!("\u{2014} {name} ")))
        .collect();
    assert_eq!(lines.len(), 1, "one cosignature by the witness: {file}");
    let raw = B64.decode(lines[0].rsplit(' ').next().unwrap()).unwrap();
    assert_eq!(raw.len(), 4 + 8 + 64);
    assert_eq!(raw[..4], id[..4]);
    let time = u64::from_be_bytes(raw[4..12].try_into().unwrap());
    let message = format!("cosignature/v1\ntime {time}\n{text}");
    std::fs::write(w.path("cosig.msg"), message).unwrap();
    std::fs::write(w.path("cosig.sig"), &raw[12..]).unwrap();
    let out = std::process::Command::new("openssl")
        .current_dir(w.dir.path())
        .args([
            "pkeyutl",
            "-verify",
            "-pubin",
            "-inkey",
            "w.pem.pub",
            "-rawin",
            "-in",
            "cosig.msg",
            "-sigfile",
            "cosig.sig",
        ])
        .output()
        .expect("the openssl command (3.0 or later) is needed");
    assert!(
        out.status.success(),
        "openssl refused the cosignature: {out:?}"
    );
    // The same check refuses a message off by one byte.
    std::fs::write(
        w.path("cosig.msg"),
        format!("cosignature/v1\ntime {}\n{text}", time + 1),
    )
    .unwrap();
    let out = std::process::Command::new("openssl")
        .current_dir(w.dir.path())
        .args([
            "pkeyutl",
            "-verify",
            "-pubin",
            "-inkey",
            "w.pem.pub",
            "-rawin",
            "-in",
            "cosig.msg",
            "-sigfile",
            "cosig.sig",
        ])
        .output()
        .unwrap();
    assert!(!out.status.success());
    time
}

/// The world of `built()` (7 entries), a witness key, and tr's
/// checkpoint of the 7 entries in `cp7`; tr's note verifier key.
fn world() -> (World, String) {
    let w = built();
    w.accord(&["key", "new", "--out", "w.pem"])
        .assert()
        .success();
    checkpoint(&w, "tr", "cp7");
    let out = w
        .accord(&["witness", "vkey", "--key", "tr.pem.pub", "--name", "tr"])
        .output()
        .unwrap();
    assert!(out.status.success());
    let vkey = String::from_utf8(out.stdout).unwrap().trim().to_owned();
    (w, vkey)
}

#[test]
fn a_log_is_cosigned_and_every_refusal_has_its_status() {
    let (w, tr) = world();
    let start = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs();
    let witness = Witness::start(&w, &tr, 17);
    let addr = witness.addr;

    // 1 request: the first checkpoint, from size 0.
    submit(&w, &witness, "cp7")
        .success()
        .stdout(contains("witness.example/w1 cosigned the checkpoint"))
        .stdout(contains("its first checkpoint of this log"));
    let t7 = independently_cosigned(&w, "cp7", &witness.vkey);
    assert!(t7 >= start, "the cosignature's time is the witness's clock");
    // tr's own signature is kept.
    assert!(read(&w, "cp7").contains("\n\u{2014} tr "));

    // 2 requests: the 409 naming size 7, then the proof from 7 to 9.
    w.propose("C3", "ru").success();
    w.endorse("C3", "tr").success();
    checkpoint(&w, "tr", "cp9");
    submit(&w, &witness, "cp9")
        .success()
        .stdout(contains("consistent with the one it cosigned at size 7"));
    independently_cosigned(&w, "cp9", &witness.vkey);
    let cp9 = read(&w, "cp9");

    // 409s: a wrong old size; the body is the witness's size.
    for old in [0, 7] {
        let p = if old == 0 { vec![] } else { proof(&w, 7, 9) };
        let (status, ctype, answer) = request(addr, "POST", &body(old, &p, &cp9));
        assert_eq!(
            (status, ctype.as_str(), answer.as_slice()),
            (409, "text/x.tlog.size", &b"9\n"[..])
        );
    }

    w.endorse("C3", "ir").success();
    checkpoint(&w, "tr", "cp10");
    let cp10 = read(&w, "cp10");
    let text10 = &cp10[..cp10.rfind("\n\n").unwrap() + 1];
    let real = proof(&w, 9, 10);
    // 422: a proof that does not join 9 to 10; and the real proof to a
    // fork of size 10 the log's key signed.
    let mut bad = real.clone();
    bad[0] = B64.encode([0u8; 32]);
    let fork10 = signed_by(&w, "tr", &with_root(text10, [7; 32]));
    for b in [
        body(9, &bad, &cp10),
        body(9, &real, &fork10),
        body(9, &[], &cp10),
    ] {
        let (status, _, answer) = request(addr, "POST", &b);
        assert_eq!(status, 422, "{}", String::from_utf8_lossy(&answer));
    }
    // 403: signed by another party's key (a key the witness does not hold
    // for this log), or by tr's key over another text.
    checkpoint(&w, "ru", "cp10-ru");
    let altered = cp10.replacen("\n10\n", "\n11\n", 1);
    for b in [
        body(9, &real, &read(&w, "cp10-ru")),
        body(9, &real, &altered),
    ] {
        let (status, _, answer) = request(addr, "POST", &b);
        assert_eq!(status, 403, "{}", String::from_utf8_lossy(&answer));
    }
    // 404: an origin the witness does not witness.
    let unknown = cp10.replacen("accord/", "accord-other/", 1);
    let (status, _, _) = request(addr, "POST", &body(9, &real, &unknown));
    assert_eq!(status, 404);
    // 400: malformed bodies, and an old size beyond the checkpoint's.
    for b in [
        b"".to_vec(),
        b"\xff\xfe garbage".to_vec(),
        body(9, &real, &cp10).split_off(1),
        body(11, &[], &cp10),
    ] {
        let (status, _, answer) = request(addr, "POST", &b);
        assert_eq!(status, 400, "{b:?}: {}", String::from_utf8_lossy(&answer));
    }
    // 413: a body beyond the bound, refused before it is read.
    let (status, _, _) = request(addr, "POST", &vec![b'a'; 1 << 20]);
    assert_eq!(status, 413);
    // 405: not a POST.
    let (status, _, _) = request(addr, "GET", b"");
    assert_eq!(status, 405);
    // Nothing above moved the witness: it stops after its 17 requests.
    let _ = witness.wait_stopped();

    // Restarted on the same state: it remembers size 9.
    let witness = Witness::start(&w, &tr, 5);
    let addr = witness.addr;
    // 1 request: the older checkpoint is refused by the client, which
    // learns the witness's size (9) from the 409.
    let err = crate::common::one_line_error(submit(&w, &witness, "cp7"));
    assert!(
        err.contains("larger checkpoint of this log (size 9)"),
        "{err}"
    );
    // A rollback (old 9 on a checkpoint of 7) and a same-size fork.
    let (status, _, _) = request(addr, "POST", &body(9, &[], &read(&w, "cp7")));
    assert_eq!(status, 400);
    let text9 = &cp9[..cp9.rfind("\n\n").unwrap() + 1];
    let fork9 = signed_by(&w, "tr", &with_root(text9, [7; 32]));
    let (status, ctype, answer) = request(addr, "POST", &body(9, &[], &fork9));
    assert_eq!(
        (status, ctype.as_str(), answer.as_slice()),
        (409, "text/x.tlog.size", &b"9\n"[..])
    );
    // 2 requests: the honest extension still goes through.
    submit(&w, &witness, "cp10")
        .success()
        .stdout(contains("consistent with the one it cosigned at size 9"));
    independently_cosigned(&w, "cp10", &witness.vkey);
    let _ = witness.wait_stopped();
}

#[test]
fn a_damaged_state_refuses_everything_and_a_wrong_witness_key_is_refused() {
    let (w, tr) = world();
    let witness = Witness::start(&w, &tr, 3);
    // Another key for the witness's name: the client refuses the answer.
    let out = w
        .accord(&[
            "witness",
            "vkey",
            "--key",
            "ru.pem.pub",
            "--name",
            "witness.example/w1",
            "--cosigner",
        ])
        .output()
        .unwrap();
    let wrong = String::from_utf8(out.stdout).unwrap().trim().to_owned();
    let before = read(&w, "cp7");
    let err = crate::common::one_line_error(
        w.accord(&[
            "witness",
            "submit",
            "--to",
            &witness.url(),
            "--checkpoint",
            "cp7",
            "--witness-vkey",
            &wrong,
        ])
        .assert(),
    );
    assert!(
        err.contains("holds no cosignature by witness.example/w1"),
        "{err}"
    );
    assert_eq!(read(&w, "cp7"), before, "nothing merged");
    // A log signer's key is not a witness key.
    let err = crate::common::one_line_error(
        w.accord(&[
            "witness",
            "submit",
            "--to",
            &witness.url(),
            "--checkpoint",
            "cp7",
            "--witness-vkey",
            &tr,
        ])
        .assert(),
    );
    assert!(err.contains("not a cosigner's"), "{err}");

    // The first submission was cosigned (the state says 7). Damage it.
    let state: Vec<_> = std::fs::read_dir(w.path("wstate"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "state"))
        .collect();
    assert_eq!(state.len(), 1);
    std::fs::write(&state[0], "garbage").unwrap();
    for old in [0, 7] {
        let (status, _, answer) = request(witness.addr, "POST", &body(old, &[], &read(&w, "cp7")));
        assert_eq!(status, 500);
        let answer = String::from_utf8(answer).unwrap();
        assert!(answer.contains("nothing was cosigned"), "{answer}");
        assert!(
            !answer.contains("wstate"),
            "no path to the client: {answer}"
        );
        assert_eq!(answer.lines().count(), 1);
    }
    // The operator is told which file and what to do.
    let err = witness.wait_stopped();
    assert!(err.contains("restore the file from a backup"), "{err}");
    assert!(err.contains("wstate"), "{err}");
    assert_eq!(std::fs::read_to_string(&state[0]).unwrap(), "garbage");
}

#[test]
fn a_witness_killed_after_remembering_holds_what_it_remembered() {
    let (w, tr) = world();
    // Debug builds abort right after the state is durable, before the
    // cosignature is sent: the log gets no answer.
    let witness = Witness::start_with(&w, &tr, 5, Some("witness-persisted"));
    let before = read(&w, "cp7");
    let err = crate::common::one_line_error(submit(&w, &witness, "cp7"));
    assert!(err.contains("cannot reach"), "{err}");
    assert_eq!(read(&w, "cp7"), before, "no cosignature merged");
    drop(witness);
    // Restarted: it remembers size 7, so the log learns it from the 409
    // and gets the same checkpoint cosigned from there (2 requests).
    let witness = Witness::start(&w, &tr, 2);
    submit(&w, &witness, "cp7")
        .success()
        .stdout(contains("consistent with the one it cosigned at size 7"));
    independently_cosigned(&w, "cp7", &witness.vkey);
    let _ = witness.wait_stopped();
}
