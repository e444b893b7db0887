//! `accord proof inclusion|consistency` against a Merkle tree built here
//! from the stored entry bytes by RFC 9162 §2.1's definitions (MTH, PATH,
//! PROOF): after batch and single appends, on reopening, after `doctor`; a
//! tampered stored tree hash is found by `doctor --check` (verify never
//! reads it) and repaired by `doctor`; a ledger from before the tree gets
//! it; out-of-range sizes get one line and exit 1.

use base64::Engine;
use serde_json::Value;
use sha2::{Digest, Sha256};

use crate::common::{one_line_error, with_tree, World};

type Hash = [u8; 32];

fn leaf(data: &[u8]) -> Hash {
    Sha256::new_with_prefix([0u8])
        .chain_update(data)
        .finalize()
        .into()
}

fn node(l: &Hash, r: &Hash) -> Hash {
    Sha256::new_with_prefix([1u8])
        .chain_update(l)
        .chain_update(r)
        .finalize()
        .into()
}

fn split(n: usize) -> usize {
    let mut k = 1;
    while k * 2 < n {
        k *= 2;
    }
    k
}

fn mth(d: &[Vec<u8>]) -> Hash {
    match d.len() {
        0 => Sha256::digest([]).into(),
        1 => leaf(&d[0]),
        n => node(&mth(&d[..split(n)]), &mth(&d[split(n)..])),
    }
}

fn path(m: usize, d: &[Vec<u8>]) -> Vec<Hash> {
    if d.len() <= 1 {
        return vec![];
    }
    let k = split(d.len());
    let (mut p, sibling) = if m < k {
        (path(m, &d[..k]), mth(&d[k..]))
    } else {
        (path(m - k, &d[k..]), mth(&d[..k]))
    };
    p.push(sibling);
    p
}

fn subproof(m: usize, d: &[Vec<u8>], whole: bool) -> Vec<Hash> {
    let n = d.len();
    if m == n {
        return if whole { vec![] } else { vec![mth(d)] };
    }
    let k = split(n);
    let (mut p, sibling) = if m <= k {
        (subproof(m, &d[..k], whole), mth(&d[k..]))
    } else {
        (subproof(m - k, &d[k..], false), mth(&d[..k]))
    };
    p.push(sibling);
    p
}

fn b64(h: &Hash) -> String {
    base64::engine::general_purpose::STANDARD.encode(h)
}

fn b64_list(hashes: &[Hash]) -> Value {
    hashes.iter().map(|h| Value::from(b64(h))).collect()
}

/// The stored entries' bytes, read with the storage engine, in seq order.
fn entries(w: &World) -> Vec<Vec<u8>> {
    w.raw_entries().into_iter().map(|(_, v)| v).collect()
}

/// Every proof the CLI gives for these sizes equals the brute-force one.
fn proofs_match(w: &World, checks: &[(u64, u64)]) {
    let d = entries(w);
    for &(a, size) in checks {
        let n = size as usize;
        let root = mth(&d[..n]);
        let v = w.json(&[
            "proof",
            "inclusion",
            &a.to_string(),
            "--size",
            &size.to_string(),
            "--json",
        ]);
        let want = serde_json::json!({
            "size": size,
            "root": b64(&root),
            "index": a,
            "leaf_hash": b64(&leaf(&d[a as usize])),
            "proof": b64_list(&path(a as usize, &d[..n])),
        });
        assert_eq!(v, want, "inclusion of {a} in {size}");
        let v = w.json(&[
            "proof",
            "consistency",
            &a.max(1).to_string(),
            &size.to_string(),
            "--json",
        ]);
        let old = a.max(1) as usize;
        let want = serde_json::json!({
            "old": old,
            "new": size,
            "old_root": b64(&mth(&d[..old])),
            "new_root": b64(&root),
            "proof": b64_list(&subproof(old, &d[..n], true)),
        });
        assert_eq!(v, want, "consistency {old} to {size}");
    }
}

fn synthetic(entries: &str) -> World {
    let w = World::new();
    w.accord(&["dev", "synth", "--entries", entries, "--keys-out", "keys"])
        .assert()
        .success();
    w
}

#[test]
fn cli_proofs_match_an_rfc_9162_tree_over_the_stored_entries() {
    // 301 entries from batches, then two single appends.
    let w = synthetic("300");
    proofs_match(
        &w,
        &[
            (0, 1),
            (0, 301),
            (300, 301),
            (150, 256),
            (255, 256),
            (100, 257),
            (7, 9),
        ],
    );
    for id in ["Z1", "Z2"] {
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
    proofs_match(&w, &[(302, 303), (301, 303), (0, 303), (5, 302)]);

    // Default size: the whole ledger; text output names size, roots, proof.
    let d = entries(&w);
    let out = w.accord(&["proof", "inclusion", "302"]).output().unwrap();
    assert!(out.status.success());
    let text = String::from_utf8(out.stdout).unwrap();
    let root = mth(&d);
    let proof = path(302, &d);
    let mut want = format!(
        "size 303\nroot {}\nroot-hex {}\nindex 302\nleaf-hash {}\nproof {}\n",
        b64(&root),
        hex::encode(root),
        b64(&leaf(&d[302])),
        proof.len()
    );
    for h in &proof {
        want += &format!("{}\n", b64(h));
    }
    assert_eq!(text, want);

    // verify recomputes the same root from the entries.
    let v = w.json(&["verify", "--json"]);
    assert_eq!(v["root"], b64(&root));

    // doctor rebuilds the tree data: nothing differs, proofs unchanged.
    let v = w.json(&["doctor", "--json"]);
    assert_eq!(v["differences"], serde_json::json!([]));
    proofs_match(&w, &[(0, 303), (200, 303), (1, 2)]);
}

#[test]
fn a_tampered_tree_hash_is_found_by_doctor_check_and_repaired_by_doctor() {
    let w = synthetic("40");
    let d = entries(&w);
    // The hash of the complete subtree of leaves 0..32 (level 5, index 0
    // in Go tlog's stored-hash order): every proof in the tree reads it.
    let index: u64 = 31 + 15 + 7 + 3 + 1 + 5;
    let key = [&b"tree/"[..], &index.to_be_bytes()].concat();
    let stored = with_tree(&w.ledger(), "derived", |t| t.get(&key).unwrap());
    assert_eq!(stored, Some(mth(&d[..32]).to_vec()), "layout as documented");
    let mut bad = mth(&d[..32]);
    bad[0] ^= 1;
    with_tree(&w.ledger(), "derived", |t| t.insert(&key, bad).unwrap());

    // verify never reads it: valid, and the root from the entries.
    let v = w.json(&["verify", "--json"]);
    assert_eq!(v["valid"], true);
    assert_eq!(v["root"], b64(&mth(&d)));
    // doctor --check names it and exits 1.
    let out = w.accord(&["doctor", "--check", "--json"]).output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(
        v["differences"],
        serde_json::json!([{ "difference": "changed", "key": format!("tree/{index}") }])
    );
    // A proof built on it does not match the entries' tree.
    let v = w.json(&["proof", "inclusion", "0", "--json"]);
    assert_ne!(v["root"], b64(&mth(&d)));

    // doctor repairs it.
    let out = w.accord(&["doctor"]).output().unwrap();
    assert!(out.status.success());
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.contains(&format!("repaired: tree/{index}")), "{text}");
    w.accord(&["doctor", "--check"]).assert().success();
    proofs_match(&w, &[(0, 41), (33, 41), (31, 32)]);
}

#[test]
fn a_ledger_from_before_the_tree_gets_it_on_first_use() {
    let w = synthetic("40");
    // Layout 5: no tree hashes or key events, and the snapshot says so
    // (its version is the first 4 bytes, little-endian).
    with_tree(&w.ledger(), "derived", |t| {
        for (k, v) in t.iter() {
            if k.starts_with(b"tree/") || k.starts_with(b"keyevent/") {
                t.remove(&k).unwrap();
            } else if k == b"chain" {
                let mut v = v;
                v[..4].copy_from_slice(&5u32.to_le_bytes());
                t.insert(&k, v).unwrap();
            }
        }
    });
    // A read rebuilds in memory and writes nothing...
    proofs_match(&w, &[(0, 41), (40, 41)]);
    let keys = with_tree(&w.ledger(), "derived", |t| t.iter());
    assert!(!keys.iter().any(|(k, _)| k.starts_with(b"tree/")));
    // ...and doctor writes it.
    w.accord(&["doctor"]).assert().success();
    let keys = with_tree(&w.ledger(), "derived", |t| t.iter());
    assert_eq!(
        keys.iter().filter(|(k, _)| k.starts_with(b"tree/")).count(),
        // Go tlog's stored hash count for 41 leaves.
        41 + 20 + 10 + 5 + 2 + 1
    );
    w.accord(&["doctor", "--check"]).assert().success();
}

#[test]
fn out_of_range_sizes_get_one_line_and_exit_1() {
    let w = synthetic("10");
    for (args, says) in [
        (
            &["proof", "inclusion", "11"][..],
            "entry 11 is not in the tree of size 11",
        ),
        (
            &["proof", "inclusion", "3", "--size", "3"],
            "not in the tree of size 3",
        ),
        (
            &["proof", "inclusion", "0", "--size", "12"],
            "tree size 12 is out of range",
        ),
        (
            &["proof", "inclusion", "0", "--size", "0"],
            "tree size 0 is out of range",
        ),
        (&["proof", "consistency", "5", "4"], "no consistency proof"),
        (&["proof", "consistency", "0", "4"], "no consistency proof"),
        (
            &["proof", "consistency", "1", "12"],
            "tree size 12 is out of range",
        ),
    ] {
        let assert = w.accord(args).assert().code(1);
        let err = one_line_error(assert);
        assert!(err.contains(says), "{args:?}: {err}");
    }
}
