//! `accord publish --tiles`: the ledger as C2SP tlog-tiles, read back by an
//! independent client (the `tlog_tiles` crate, a port of Go's
//! `sumdb/tlog`, which computes the root and inclusion proofs from our
//! tiles; entry bundles parsed here from the spec's framing and compared
//! with the stored entries byte for byte). Publishing again after appends
//! keeps the full tiles already there untouched; 256/257 and 65,536/65,537
//! entries cross tile boundaries; a tampered tree hash in derived data, a
//! foreign or forged checkpoint, a rollback and another log's directory
//! are refused, leaving the published checkpoint as it was.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::time::SystemTime;

use base64::Engine;
use predicates::str::contains;
use tlog_tiles::{Hash, TileHashReader, TileReader};

use crate::common::{one_line_error, with_tree, World};

/// A synthetic ledger of `entries` + 1 entries, its keys in `keys/`.
fn synthetic(entries: u64) -> World {
    let w = World::new();
    w.accord(&[
        "dev",
        "synth",
        "--entries",
        &entries.to_string(),
        "--keys-out",
        "keys",
    ])
    .assert()
    .success();
    w
}

/// A checkpoint of the whole ledger signed by un, cosigned by tr, in `out`.
fn checkpoint(w: &World, out: &str) {
    w.accord(&["checkpoint", "--key", "keys/un.pem", "--out", "signed"])
        .assert()
        .success();
    w.accord(&[
        "witness",
        "cosign",
        "signed",
        "--key",
        "keys/tr.pem",
        "--state",
        "witness-state",
        "--out",
        out,
    ])
    .assert()
    .success();
}

fn publish(w: &World, dir: &str, cp: &str) -> String {
    let out = w
        .accord(&["publish", "--tiles", dir, "--checkpoint", cp])
        .output()
        .unwrap();
    let stdout = String::from_utf8(out.stdout).unwrap();
    assert!(
        out.status.success(),
        "publish failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(stdout.lines().count(), 1, "{stdout}");
    stdout
}

fn propose(w: &World, id: &str) {
    w.accord(&[
        "clause",
        "propose",
        "--id",
        id,
        "--title",
        "t",
        "--text",
        "x",
        "--key",
        "keys/tr.pem",
    ])
    .assert()
    .success();
}

/// The independent client: reads tiles from the published directory,
/// mapping Go tlog's tile names (`tile/8/<L>/<N>`) to C2SP's.
struct Dir(PathBuf);

impl TileReader for Dir {
    fn height(&self) -> u8 {
        8
    }

    fn read_tiles(&self, tiles: &[tlog_tiles::Tile]) -> Result<Vec<Vec<u8>>, tlog_tiles::Error> {
        tiles
            .iter()
            .map(|t| {
                let path = t.path().replacen("tile/8/", "tile/", 1);
                std::fs::read(self.0.join(&path))
                    .map_err(|e| tlog_tiles::Error::InvalidInput(format!("{path}: {e}")))
            })
            .collect()
    }

    fn save_tiles(&self, _: &[tlog_tiles::Tile], _: &[Vec<u8>]) {}
}

/// The published checkpoint's size and root (its second and third lines).
fn published_head(dir: &Path) -> (u64, Hash) {
    let text = std::fs::read_to_string(dir.join("checkpoint")).unwrap();
    let mut lines = text.lines();
    assert!(lines.next().unwrap().starts_with("accord/"), "{text}");
    let size = lines.next().unwrap().parse().unwrap();
    let root = base64::engine::general_purpose::STANDARD
        .decode(lines.next().unwrap())
        .unwrap();
    (size, Hash(root.try_into().unwrap()))
}

/// Entry bundle `n` of the spec's framing: big-endian u16 lengths.
fn bundle_entries(bytes: &[u8]) -> Vec<Vec<u8>> {
    let mut out = Vec::new();
    let mut rest = bytes;
    while !rest.is_empty() {
        let len = usize::from(u16::from_be_bytes([rest[0], rest[1]]));
        out.push(rest[2..2 + len].to_vec());
        rest = &rest[2 + len..];
    }
    out
}

/// `N` in the spec's path elements, written here from the spec's example.
fn index_path(n: u64) -> String {
    let mut s = format!("{:03}", n % 1000);
    let mut rest = n / 1000;
    while rest > 0 {
        s = format!("x{:03}/{s}", rest % 1000);
        rest /= 1000;
    }
    s
}

/// Checks the published directory as a tlog client would: the root from
/// the tiles is the checkpoint's, the entries of every bundle are the
/// ledger's stored bytes, and `probes` (plus the first and last entry)
/// have inclusion proofs from the tiles that verify.
fn client_checks(w: &World, dir: &Path, probes: &[u64]) -> u64 {
    let (size, root) = published_head(dir);
    let reader = Dir(dir.to_owned());
    let hashes = TileHashReader::new(size, root, &reader);
    assert_eq!(tlog_tiles::tree_hash(size, &hashes).unwrap(), root);

    let stored: HashMap<u64, Vec<u8>> = w
        .raw_entries()
        .into_iter()
        .map(|(k, v)| (u64::from_be_bytes(k.try_into().unwrap()), v))
        .collect();
    let mut entries = Vec::new();
    for n in 0..size.div_ceil(256) {
        let width = (size - n * 256).min(256);
        let name = match width {
            256 => format!("tile/entries/{}", index_path(n)),
            w => format!("tile/entries/{}.p/{w}", index_path(n)),
        };
        let bytes = std::fs::read(dir.join(&name)).unwrap_or_else(|e| panic!("{name}: {e}"));
        let got = bundle_entries(&bytes);
        assert_eq!(got.len() as u64, width, "{name}");
        entries.extend(got);
    }
    for (seq, e) in entries.iter().enumerate() {
        assert_eq!(Some(e), stored.get(&(seq as u64)), "entry {seq}");
    }
    for &n in probes.iter().chain(&[0, size - 1]) {
        let proof = tlog_tiles::prove_record(size, n, &hashes).unwrap();
        let leaf = tlog_tiles::record_hash(&entries[n as usize]);
        tlog_tiles::check_record(&proof, size, root, n, leaf)
            .unwrap_or_else(|e| panic!("entry {n} of {size}: {e}"));
    }
    size
}

fn modified(path: &Path) -> (SystemTime, u64) {
    let m = std::fs::metadata(path).unwrap();
    (
        m.modified().unwrap(),
        std::os::unix::fs::MetadataExt::ino(&m),
    )
}

#[test]
fn tiles_across_the_first_tile_boundary_are_read_by_an_independent_client_and_grow_incrementally() {
    let w = synthetic(255);
    checkpoint(&w, "cp256");
    let line = publish(&w, "pub", "cp256");
    assert!(
        line.contains("published the checkpoint of 256 entries to pub: 2 tile(s) and 1 entry bundle(s) written"),
        "{line}"
    );
    let dir = w.path("pub");
    // 256 entries: one full level-0 tile and a partial level-1 tile of
    // width 1 (the spec's example), one full bundle.
    assert_eq!(std::fs::read(dir.join("tile/0/000")).unwrap().len(), 8192);
    assert_eq!(std::fs::read(dir.join("tile/1/000.p/1")).unwrap().len(), 32);
    assert_eq!(client_checks(&w, &dir, &[1, 128, 254]), 256);
    let full_tile = modified(&dir.join("tile/0/000"));
    let full_bundle = modified(&dir.join("tile/entries/000"));

    // One more entry: the full tile and bundle are kept, a partial tile
    // and bundle of width 1 appear, the checkpoint moves on.
    propose(&w, "Z1");
    checkpoint(&w, "cp257");
    let line = publish(&w, "pub", "cp257");
    assert!(line.contains("of 257 entries"), "{line}");
    assert!(
        line.contains("2 tile(s) and 1 entry bundle(s) written")
            && line.contains("1 tile(s) and 1 bundle(s) already there, unchanged"),
        "{line}"
    );
    assert_eq!(modified(&dir.join("tile/0/000")), full_tile);
    assert_eq!(modified(&dir.join("tile/entries/000")), full_bundle);
    assert!(dir.join("tile/0/001.p/1").is_file());
    assert!(dir.join("tile/entries/001.p/1").is_file());
    assert_eq!(client_checks(&w, &dir, &[255, 256]), 257);

    // Publishing the same checkpoint again changes nothing it points to.
    publish(&w, "pub", "cp257");
    assert_eq!(client_checks(&w, &dir, &[]), 257);

    // And the older checkpoint may not replace it: readers would go back.
    let err = one_line_error(
        w.accord(&["publish", "--tiles", "pub", "--checkpoint", "cp256"])
            .assert()
            .code(1),
    );
    assert!(
        err.contains("already covers 257 entries, more than this checkpoint's 256"),
        "{err}"
    );
    assert_eq!(published_head(&dir).0, 257);
}

#[test]
fn tiles_across_the_second_level_boundary_are_read_by_an_independent_client() {
    let w = synthetic(65_536);
    checkpoint(&w, "cp");
    let line = publish(&w, "pub", "cp");
    // 65,537 entries: 256 full level-0 tiles and one of width 1, a full
    // level-1 tile, a level-2 tile of width 1; 257 bundles.
    assert!(
        line.contains("of 65537 entries to pub: 259 tile(s) and 257 entry bundle(s) written"),
        "{line}"
    );
    let dir = w.path("pub");
    assert!(dir.join("tile/1/000").is_file());
    assert!(dir.join("tile/2/000.p/1").is_file());
    assert!(dir.join("tile/0/256.p/1").is_file());
    assert_eq!(
        client_checks(&w, &dir, &[255, 256, 30_000, 65_535, 65_536]),
        65_537
    );
}

#[test]
fn a_tampered_tree_hash_in_derived_data_makes_publish_refuse_until_doctor_repairs_it() {
    let w = synthetic(40);
    checkpoint(&w, "cp");
    // Leaf 5's hash in Go tlog's stored-hash order (5 + 2 + 1).
    let key = [&b"tree/"[..], &8u64.to_be_bytes()].concat();
    let mut bad = with_tree(&w.ledger(), "derived", |t| t.get(&key).unwrap()).unwrap();
    bad[0] ^= 1;
    with_tree(&w.ledger(), "derived", |t| t.insert(&key, &bad).unwrap());
    let err = one_line_error(
        w.accord(&["publish", "--tiles", "pub", "--checkpoint", "cp"])
            .assert()
            .code(1),
    );
    assert!(
        err.contains("tile/0/000.p/41 from the Merkle tree kept beside the entries disagrees with the entries")
            && err.contains("run `accord doctor`"),
        "{err}"
    );
    assert!(!w.path("pub/checkpoint").exists(), "nothing is published");
    w.accord(&["doctor"]).assert().success();
    publish(&w, "pub", "cp");
    assert_eq!(client_checks(&w, &w.path("pub"), &[5]), 41);
}

#[test]
fn forged_and_foreign_checkpoints_and_another_logs_directory_are_refused() {
    let w = synthetic(10);
    checkpoint(&w, "cp");
    // A root changed in the checkpoint: not this ledger's.
    let text = std::fs::read_to_string(w.path("cp")).unwrap();
    let root = text.lines().nth(2).unwrap();
    let other = base64::engine::general_purpose::STANDARD.encode([7u8; 32]);
    std::fs::write(w.path("forged"), text.replacen(root, &other, 1)).unwrap();
    let err = one_line_error(
        w.accord(&["publish", "--tiles", "pub", "--checkpoint", "forged"])
            .assert()
            .code(1),
    );
    assert!(
        err.contains("root hash at size 11 is not this ledger's"),
        "{err}"
    );
    assert!(!w.path("pub").exists(), "nothing written");

    // Another ledger's directory: its checkpoint names another ledger.
    publish(&w, "pub", "cp");
    let pub_dir = w.path("pub");
    let other = World::founded();
    other
        .accord(&["checkpoint", "--key", "un.pem", "--out", "cp2"])
        .assert()
        .success();
    let err = one_line_error(
        other
            .accord(&[
                "publish",
                "--tiles",
                pub_dir.to_str().unwrap(),
                "--checkpoint",
                "cp2",
            ])
            .assert()
            .code(1),
    );
    assert!(
        err.contains("is not this ledger's (a checkpoint of ledger")
            && err.contains("publish into an empty directory"),
        "{err}"
    );
    assert_eq!(client_checks(&w, &pub_dir, &[3]), 11);

    // A full tile of another log where ours goes: refused, not overwritten.
    let w = synthetic(300);
    checkpoint(&w, "cp");
    std::fs::create_dir_all(w.path("pub/tile/0")).unwrap();
    std::fs::write(w.path("pub/tile/0/000"), [1u8; 8192]).unwrap();
    let err = one_line_error(
        w.accord(&["publish", "--tiles", "pub", "--checkpoint", "cp"])
            .assert()
            .code(1),
    );
    assert!(
        err.contains("tile/0/000 is not this ledger's (other bytes)"),
        "{err}"
    );
    assert_eq!(
        std::fs::read(w.path("pub/tile/0/000")).unwrap(),
        [1u8; 8192]
    );
    assert!(!w.path("pub/checkpoint").exists());
}

#[test]
fn publish_without_a_checkpoint_is_a_usage_error() {
    let w = synthetic(3);
    w.accord(&["publish", "--tiles", "pub"])
        .assert()
        .code(2)
        .stderr(contains("--checkpoint"));
}

#[test]
fn an_entry_an_entry_bundle_cannot_hold_is_refused_in_one_line_and_nothing_is_published() {
    // A clause text at the 64 KiB limit makes an entry over the 65,535
    // bytes a bundle's u16 length can say.
    let w = synthetic(3);
    std::fs::write(w.path("big.txt"), "x".repeat(64 * 1024)).unwrap();
    w.accord(&[
        "clause",
        "propose",
        "--id",
        "Z1",
        "--title",
        "t",
        "--text-file",
        "big.txt",
        "--key",
        "keys/tr.pem",
    ])
    .assert()
    .success();
    checkpoint(&w, "cp");
    let err = one_line_error(
        w.accord(&["publish", "--tiles", "pub", "--checkpoint", "cp"])
            .assert()
            .code(1),
    );
    assert!(
        err.contains("entry 4 is ")
            && err.contains("more than the 65535 an entry bundle can hold")
            && err.contains("cannot be published as tlog tiles"),
        "{err}"
    );
    assert!(!w.path("pub/checkpoint").exists());
}
