//! A scratch world for end-to-end tests: a tempdir with keys for the Astana
//! parties, a charter, and the real `accord` binary pointed at a sled ledger
//! inside it.

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
        Self::with_parties("Astana ceasefire monitoring mechanism", &PARTIES)
    }

    /// Keys for `parties` (id, name, role) and a charter naming them, with
    /// all guarantors adopting clauses and two adopting rulings.
    pub fn with_parties(title: &str, parties: &[(&str, &str, &str)]) -> Self {
        let w = World {
            dir: tempfile::tempdir().unwrap(),
        };
        let mut charter = format!("title = \"{title}\"\n");
        for (id, name, role) in parties {
            w.accord(&["key", "new", "--out", &format!("{id}.pem")])
                .assert()
                .success();
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
            .env_remove("ACCORD_REMOTE")
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

    /// [`World::propose`] signed with the key file `key`, whatever it holds.
    pub fn propose_with_key(&self, id: &str, key: &str) -> assert_cmd::assert::Assert {
        self.accord(&[
            "clause",
            "propose",
            "--id",
            id,
            "--title",
            "Monitoring mechanism",
            "--text",
            "Establish a trilateral mechanism.",
            "--key",
            key,
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

    /// Runs `verify --json` on a ledger that must be invalid (exit 1) and
    /// returns the first bad entry's seq and reason.
    pub fn first_bad(&self) -> (u64, String) {
        let out = self.accord(&["verify", "--json"]).output().unwrap();
        assert_eq!(out.status.code(), Some(1), "verify must exit 1");
        let v: Value = serde_json::from_slice(&out.stdout).unwrap();
        assert_eq!(v["valid"], false);
        (
            v["first_bad"]["seq"].as_u64().unwrap(),
            v["first_bad"]["reason"].as_str().unwrap().to_owned(),
        )
    }

    /// Every stored byte of the ledger's entries, read with the storage
    /// engine directly.
    pub fn raw_entries(&self) -> Vec<(Vec<u8>, Vec<u8>)> {
        with_entries(&self.ledger(), |t| t.iter())
    }

    /// Every stored key and value of both tables (entries, then derived
    /// data), read with the storage engine directly.
    pub fn raw_store(&self) -> RawStore {
        RawStore {
            entries: self.raw_entries(),
            derived: with_tree(&self.ledger(), "derived", |t| t.iter()),
        }
    }

    /// Copies a checked-in file from tests/fixtures into the world, with
    /// `mode` (git keeps no modes but 0644 and 0755).
    pub fn copy_fixture(&self, fixture: &str, name: &str, mode: u32) {
        use std::os::unix::fs::PermissionsExt;
        std::fs::copy(fixture_path(fixture), self.path(name)).unwrap();
        std::fs::set_permissions(self.path(name), std::fs::Permissions::from_mode(mode)).unwrap();
    }
}

/// Both tables of a ledger as stored.
#[derive(Debug, PartialEq, Eq)]
pub struct RawStore {
    pub entries: Vec<(Vec<u8>, Vec<u8>)>,
    pub derived: Vec<(Vec<u8>, Vec<u8>)>,
}

/// A checked-in file under tests/fixtures (see the README beside it).
pub fn fixture_path(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(name)
}

/// The bytes of a checked-in file under tests/fixtures.
pub fn fixture(name: &str) -> Vec<u8> {
    std::fs::read(fixture_path(name)).unwrap()
}

/// One of a ledger's tables, opened with its storage engine (redb or sled)
/// directly, bypassing accord: for tests that damage a ledger.
pub enum RawTree {
    Sled(sled::Tree),
    Redb(redb::Database, &'static str),
}

const REDB_ENTRIES: redb::TableDefinition<u64, &[u8]> = redb::TableDefinition::new("entries");
const REDB_DERIVED: redb::TableDefinition<&[u8], &[u8]> = redb::TableDefinition::new("derived");

fn seq_key(k: &[u8]) -> u64 {
    u64::from_be_bytes(k.try_into().expect("entry keys are 8 bytes"))
}

impl RawTree {
    pub fn insert(&self, key: impl AsRef<[u8]>, value: impl AsRef<[u8]>) -> Result<(), String> {
        match self {
            RawTree::Sled(t) => t
                .insert(key.as_ref(), value.as_ref())
                .map(|_| ())
                .map_err(|e| e.to_string()),
            RawTree::Redb(db, name) => {
                let tx = db.begin_write().map_err(|e| e.to_string())?;
                {
                    if *name == "entries" {
                        let mut t = tx.open_table(REDB_ENTRIES).map_err(|e| e.to_string())?;
                        t.insert(seq_key(key.as_ref()), value.as_ref())
                            .map_err(|e| e.to_string())?;
                    } else {
                        let mut t = tx.open_table(REDB_DERIVED).map_err(|e| e.to_string())?;
                        t.insert(key.as_ref(), value.as_ref())
                            .map_err(|e| e.to_string())?;
                    }
                }
                tx.commit().map_err(|e| e.to_string())
            }
        }
    }

    pub fn remove(&self, key: impl AsRef<[u8]>) -> Result<(), String> {
        match self {
            RawTree::Sled(t) => t
                .remove(key.as_ref())
                .map(|_| ())
                .map_err(|e| e.to_string()),
            RawTree::Redb(db, name) => {
                let tx = db.begin_write().map_err(|e| e.to_string())?;
                {
                    if *name == "entries" {
                        let mut t = tx.open_table(REDB_ENTRIES).map_err(|e| e.to_string())?;
                        t.remove(seq_key(key.as_ref())).map_err(|e| e.to_string())?;
                    } else {
                        let mut t = tx.open_table(REDB_DERIVED).map_err(|e| e.to_string())?;
                        t.remove(key.as_ref()).map_err(|e| e.to_string())?;
                    }
                }
                tx.commit().map_err(|e| e.to_string())
            }
        }
    }

    pub fn get(&self, key: impl AsRef<[u8]>) -> Result<Option<Vec<u8>>, String> {
        Ok(self
            .iter()
            .into_iter()
            .find(|(k, _)| k.as_slice() == key.as_ref())
            .map(|(_, v)| v))
    }

    /// Every key and value, keys as stored by accord (entries: 8-byte
    /// big-endian seq).
    pub fn iter(&self) -> Vec<(Vec<u8>, Vec<u8>)> {
        match self {
            RawTree::Sled(t) => t
                .iter()
                .map(|kv| {
                    let (k, v) = kv.unwrap();
                    (k.to_vec(), v.to_vec())
                })
                .collect(),
            RawTree::Redb(db, name) => {
                use redb::{ReadableDatabase, ReadableTable};
                let tx = db.begin_read().unwrap();
                if *name == "entries" {
                    let t = tx.open_table(REDB_ENTRIES).unwrap();
                    t.iter()
                        .unwrap()
                        .map(|kv| {
                            let (k, v) = kv.unwrap();
                            (k.value().to_be_bytes().to_vec(), v.value().to_vec())
                        })
                        .collect()
                } else {
                    let t = tx.open_table(REDB_DERIVED).unwrap();
                    t.iter()
                        .unwrap()
                        .map(|kv| {
                            let (k, v) = kv.unwrap();
                            (k.value().to_vec(), v.value().to_vec())
                        })
                        .collect()
                }
            }
        }
    }
}

/// Opens the ledger's entry table directly, bypassing accord.
pub fn with_entries<T>(ledger: &Path, f: impl FnOnce(&RawTree) -> T) -> T {
    with_tree(ledger, "entries", f)
}

/// Opens one of the ledger's tables (`entries` or `derived`) directly,
/// with whichever engine holds the ledger.
pub fn with_tree<T>(ledger: &Path, name: &'static str, f: impl FnOnce(&RawTree) -> T) -> T {
    if ledger.join("ledger.redb").exists() {
        let db = redb::Database::create(ledger.join("ledger.redb")).unwrap();
        return f(&RawTree::Redb(db, name));
    }
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
    let out = f(&RawTree::Sled(tree));
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

/// A founded world after six appends: C1 proposed by tr and endorsed by tr,
/// ru and ir; C2 proposed by un and endorsed by ir.
pub fn built() -> World {
    let w = World::founded();
    w.propose("C1", "tr").success();
    w.endorse("C1", "tr").success();
    w.endorse("C1", "ru").success();
    w.propose("C2", "un").success();
    w.endorse("C1", "ir").success();
    w.endorse("C2", "ir").success();
    w
}

/// Whether the tests run as root (the owner of this process's /proc entry),
/// without unsafe code.
pub fn is_root() -> bool {
    std::fs::metadata("/proc/self")
        .map(|m| std::os::unix::fs::MetadataExt::uid(&m) == 0)
        .unwrap_or(false)
}
