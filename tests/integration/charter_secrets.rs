//! A private key pasted into a charter's `key =` (or `key_file =`) is
//! refused without being printed, through the real binary.

use std::path::Path;

use crate::common::one_line_error;
use assert_cmd::Command;

fn accord(dir: &Path, args: &[&str]) -> Command {
    let mut cmd = Command::cargo_bin("accord").unwrap();
    cmd.current_dir(dir)
        .env("ACCORD_LEDGER", dir.join("ledger"))
        .env_remove("ACCORD_KEY")
        .env_remove("ACCORD_PASSPHRASE")
        .env_remove("RUST_BACKTRACE")
        .args(args);
    cmd
}

fn charter(key_line: &str) -> String {
    format!(
        "title = \"T\"\n[[party]]\nid = \"tr\"\nname = \"Turkey\"\nrole = \"guarantor\"\n\
         {key_line}\n[rules]\nclause_adoption = \"all-guarantors\"\nruling_quorum = 1\n"
    )
}

/// Every 16-character run of the PEM's base64 body.
fn body_runs(pem: &str) -> Vec<String> {
    let body: String = pem.lines().filter(|l| !l.starts_with("-----")).collect();
    let chars: Vec<char> = body.chars().collect();
    chars.windows(16).map(|w| w.iter().collect()).collect()
}

#[test]
fn init_refuses_a_pasted_private_key_without_printing_it() {
    let dir = tempfile::tempdir().unwrap();
    accord(dir.path(), &["key", "new", "--out", "k.pem"])
        .assert()
        .success();
    let pem = std::fs::read_to_string(dir.path().join("k.pem")).unwrap();
    let body: String = pem.lines().filter(|l| !l.starts_with("-----")).collect();
    let one_line = pem.replace('\n', "");
    for key_line in [
        format!("key = \"\"\"\n{pem}\"\"\""),
        format!("key = \"{one_line}\""),
        format!("key = \"{body}\""),
        format!("key_file = \"\"\"\n{pem}\"\"\""),
    ] {
        std::fs::write(dir.path().join("charter.toml"), charter(&key_line)).unwrap();
        let e = one_line_error(
            accord(
                dir.path(),
                &["init", "--charter", "charter.toml", "--key", "k.pem"],
            )
            .assert(),
        );
        for run in body_runs(&pem) {
            assert!(!e.contains(&run), "{key_line:?} is echoed: {e}");
        }
        assert!(e.contains("not shown"), "{e}");
        assert!(!dir.path().join("ledger").exists());
    }
}

#[test]
fn init_does_not_echo_64_bytes_of_hex() {
    let dir = tempfile::tempdir().unwrap();
    accord(dir.path(), &["key", "new", "--out", "k.pem"])
        .assert()
        .success();
    // A NaCl-style secret key: 32 secret bytes then the public key.
    let secret = "4ccd089b28ff96da9db6c346ec114e0f5b8a319f35aba624da8cf6ed4fb8a6fb\
                  3d4017c3e843895a92b70aa74d1b7ebc9c982ccf2ec4968cc0cd55f12af4660c";
    for value in [secret, &secret[..100]] {
        std::fs::write(
            dir.path().join("charter.toml"),
            charter(&format!("key = \"{value}\"")),
        )
        .unwrap();
        let e = one_line_error(
            accord(
                dir.path(),
                &["init", "--charter", "charter.toml", "--key", "k.pem"],
            )
            .assert(),
        );
        assert!(!e.contains(&secret[..16]), "echoed: {e}");
        assert!(e.contains("not shown"), "{e}");
    }
}
