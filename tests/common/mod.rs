//! A scratch world for end-to-end tests: a tempdir with keys for the Astana
//! parties, a charter, and the real `accord` binary pointed at a sled ledger
//! inside it.
#![allow(dead_code)]

use std::path::{Path, PathBuf};

use assert_cmd::Command;
use serde_json::Value;

pub const PARTIES: [(&str, &str, &str); 8] = [
    ("tr", "Republic of Turkey", "guarantor"),
    ("ru", "Russian Federation", "guarantor"),
    ("ir", "Islamic Republic of Iran", "guarantor"),
    ("un", "UN Special Envoy for Syria", "mediator"),
    ("gov", "Government of the Syrian Arab Republic", "party"),
    ("opp", "Syrian armed opposition delegation", "party"),
    ("mon", "Ceasefire monitoring group", "monitor"),
    ("us", "United States", "observer"),
];

pub struct World {
    pub dir: tempfile::TempDir,
}

impl World {
    /// Keys for every party and a charter, but no ledger yet.
    pub fn new() -> Self {
        let w = World {
            dir: tempfile::tempdir().unwrap(),
        };
        for (id, ..) in PARTIES {
            w.accord(&["key", "new", "--out", &format!("{id}.pem")])
                .assert()
                .success();
        }
        let mut charter = String::from("title = \"Astana ceasefire monitoring mechanism\"\n");
        for (id, name, role) in PARTIES {
            charter += &format!(
                "[[party]]\nid = \"{id}\"\nname = \"{name}\"\nrole = \"{role}\"\nkey_file = \"{id}.pem.pub\"\n"
            );
        }
        charter += "[rules]\nclause_adoption = \"all-guarantors\"\nruling_quorum = 2\n";
        std::fs::write(w.path("charter.toml"), charter).unwrap();
        w
    }

    /// A world with a founded ledger (entry 0 signed by the UN envoy).
    pub fn founded() -> Self {
        let w = Self::new();
        w.accord(&["init", "--charter", "charter.toml", "--key", "un.pem"])
            .assert()
            .success();
        w
    }

    pub fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    pub fn ledger(&self) -> PathBuf {
        self.path("ledger")
    }

    pub fn accord(&self, args: &[&str]) -> Command {
        let mut cmd = Command::cargo_bin("accord").unwrap();
        cmd.current_dir(self.dir.path())
            .env("ACCORD_LEDGER", self.ledger())
            .env_remove("ACCORD_TIME")
            .env_remove("ACCORD_KEY")
            .env_remove("ACCORD_PASSPHRASE")
            .env_remove("RUST_BACKTRACE")
            .args(args);
        cmd
    }

    pub fn propose(&self, id: &str, signer: &str) -> assert_cmd::assert::Assert {
        self.accord(&[
            "clause", "propose", "--id", id, "--title", "Monitoring mechanism", "--text",
            "Establish a trilateral mechanism to observe and ensure full compliance with the ceasefire.",
            "--key", &format!("{signer}.pem"),
        ])
        .assert()
    }

    pub fn endorse(&self, id: &str, signer: &str) -> assert_cmd::assert::Assert {
        self.accord(&["clause", "endorse", id, "--key", &format!("{signer}.pem")])
            .assert()
    }

    pub fn json(&self, args: &[&str]) -> Value {
        let out = self.accord(args).output().unwrap();
        serde_json::from_slice(&out.stdout).unwrap()
    }

    /// Every entry's seq and hash, as `log --json` lists them.
    pub fn entry_list(&self) -> Vec<(u64, String)> {
        let out = self.accord(&["log", "--json"]).output().unwrap();
        assert!(out.status.success());
        String::from_utf8(out.stdout)
            .unwrap()
            .lines()
            .map(|l| {
                let v: Value = serde_json::from_str(l).unwrap();
                (
                    v["seq"].as_u64().unwrap(),
                    v["hash"].as_str().unwrap().to_owned(),
                )
            })
            .collect()
    }

    /// Every stored byte of the ledger's entries, read with sled directly.
    pub fn raw_entries(&self) -> Vec<(Vec<u8>, Vec<u8>)> {
        with_entries(&self.ledger(), |t| {
            t.iter()
                .map(|kv| {
                    let (k, v) = kv.unwrap();
                    (k.to_vec(), v.to_vec())
                })
                .collect()
        })
    }
}

/// Opens the ledger's entry tree with sled itself, bypassing accord.
pub fn with_entries<T>(ledger: &Path, f: impl FnOnce(&sled::Tree) -> T) -> T {
    with_tree(ledger, "entries", f)
}

/// Opens one of the ledger's sled trees directly, bypassing accord.
pub fn with_tree<T>(ledger: &Path, name: &str, f: impl FnOnce(&sled::Tree) -> T) -> T {
    // A sled instance dropped a moment ago may still hold its file lock
    // while its background flusher winds down.
    let mut tries = 0;
    let db = loop {
        match sled::open(ledger.join("db")) {
            Ok(db) => break db,
            Err(e) if tries < 100 => {
                tries += 1;
                let _ = e;
                std::thread::sleep(std::time::Duration::from_millis(50));
            }
            Err(e) => panic!("cannot open the ledger with sled: {e}"),
        }
    };
    let tree = db.open_tree(name).unwrap();
    let out = f(&tree);
    db.flush().unwrap();
    out
}

/// Asserts a failed command printed exactly one line on stderr, with no
/// panic or backtrace, and returns it.
pub fn one_line_error(assert: assert_cmd::assert::Assert) -> String {
    let out = assert.get_output().clone();
    assert!(!out.status.success(), "expected failure");
    let err = String::from_utf8(out.stderr).unwrap();
    assert_eq!(err.lines().count(), 1, "not one line: {err:?}");
    assert!(err.starts_with("error: "), "{err:?}");
    assert!(
        !err.contains("panicked") && !err.contains("backtrace"),
        "{err:?}"
    );
    err
}
