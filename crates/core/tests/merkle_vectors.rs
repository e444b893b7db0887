//! The Merkle tree (`accord_core::merkle`) against values from outside the
//! project and against a second implementation:
//!
//! - known answers: the RFC 6962 test leaves, node hashes and roots of
//!   Certificate Transparency's Go code, as published in
//!   transparency-dev/merkle `testonly/constants.go` (`LeafInputs`,
//!   `NodeHashes`, `RootHashes`), and its inclusion and consistency proofs in
//!   `proof/verify_test.go` (`inclusionProofs`, `consistencyProofs`);
//! - the `tlog_tiles` crate (a port of Go's `sumdb/tlog`, not used by the
//!   product): stored hashes, roots, inclusion and consistency proofs agree
//!   for every size 1..=300 and at 1,023/1,024/1,025, and its checkers
//!   accept our proofs;
//! - a brute-force tree written here from RFC 9162 §2.1 (MTH, PATH, PROOF
//!   over the leaf data, no stored hashes).
//!
//! Proofs verify, and tampered proofs, wrong indexes and wrong sizes are
//! refused.

use std::convert::Infallible;

use accord_core::merkle::{self, Hash, HashReader, ProofError, RootBuilder};

fn h(hex_str: &str) -> Hash {
    let mut out = [0u8; 32];
    hex::decode_to_slice(hex_str, &mut out).expect("a 32-byte hex vector");
    out
}

/// transparency-dev/merkle testonly/constants.go, `LeafInputs()`.
fn ct_leaves() -> Vec<Vec<u8>> {
    [
        "",
        "00",
        "10",
        "2021",
        "3031",
        "40414243",
        "5051525354555657",
        "606162636465666768696a6b6c6d6e6f",
    ]
    .iter()
    .map(|s| hex::decode(s).expect("hex"))
    .collect()
}

/// transparency-dev/merkle testonly/constants.go, `RootHashes()`: the root
/// of the first n leaves, n = 0..=8.
const CT_ROOTS: [&str; 9] = [
    "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
    "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
    "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
    "aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
    "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
    "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
    "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
    "ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
    "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328",
];

/// transparency-dev/merkle testonly/constants.go, `NodeHashes()`: level,
/// then position in the level.
const CT_NODES: [&[&str]; 4] = [
    &[
        "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
        "96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
        "0298d122906dcfc10892cb53a73992fc5b9f493ea4c9badb27b791b4127a7fe7",
        "07506a85fd9dd2f120eb694f86011e5bb4662e5c415a62917033d4a9624487e7",
        "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
        "4271a26be0d8a84f0bd54c8c302e7cb3a3b5d1fa6780a40bcce2873477dab658",
        "b08693ec2e721597130641e8211e7eedccb4c26413963eee6c1e2ed16ffb1a5f",
        "46f6ffadd3d06a09ff3c5860d2755c8b9819db7df44251788c7d8e3180de8eb1",
    ],
    &[
        "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
        "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
        "0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a",
        "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
    ],
    &[
        "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
        "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4",
    ],
    &["5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328"],
];

/// transparency-dev/merkle proof/verify_test.go, `inclusionProofs` (there
/// the leaf is numbered from 1; here the index is from 0).
fn ct_inclusion() -> Vec<(u64, u64, Vec<Hash>)> {
    vec![
        (0, 1, vec![]),
        (
            0,
            8,
            vec![
                h("96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7"),
                h("5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e"),
                h("6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4"),
            ],
        ),
        (
            5,
            8,
            vec![
                h("bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b"),
                h("ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0"),
                h("d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7"),
            ],
        ),
        (
            2,
            3,
            vec![h(
                "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
            )],
        ),
        (
            1,
            5,
            vec![
                h("6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d"),
                h("5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e"),
                h("bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b"),
            ],
        ),
    ]
}

/// transparency-dev/merkle proof/verify_test.go, `consistencyProofs`.
fn ct_consistency() -> Vec<(u64, u64, Vec<Hash>)> {
    vec![
        (1, 1, vec![]),
        (
            1,
            8,
            vec![
                h("96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7"),
                h("5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e"),
                h("6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4"),
            ],
        ),
        (
            6,
            8,
            vec![
                h("0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a"),
                h("ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0"),
                h("d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7"),
            ],
        ),
        (
            2,
            5,
            vec![
                h("5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e"),
                h("bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b"),
            ],
        ),
        (
            6,
            7,
            vec![
                h("0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a"),
                h("b08693ec2e721597130641e8211e7eedccb4c26413963eee6c1e2ed16ffb1a5f"),
                h("d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7"),
            ],
        ),
    ]
}

/// Stored hashes in a vector, as `merkle::stored_hashes` lays them out.
#[derive(Default)]
struct Stored(Vec<Hash>);

impl HashReader for Stored {
    type Error = Infallible;
    fn read_hashes(&self, indexes: &[u64]) -> Result<Vec<Hash>, Infallible> {
        Ok(indexes.iter().map(|&i| self.0[i as usize]).collect())
    }
}

impl Stored {
    fn of(leaves: &[Vec<u8>]) -> Self {
        let mut s = Stored::default();
        for (n, data) in leaves.iter().enumerate() {
            let new = merkle::stored_hashes(n as u64, merkle::leaf_hash(data), &s).unwrap();
            s.0.extend(new);
        }
        s
    }
}

/// The same hashes seen through `tlog_tiles`'s reader trait.
struct TlogStored<'a>(&'a [Hash]);

impl tlog_tiles::HashReader for TlogStored<'_> {
    fn read_hashes(&self, indexes: &[u64]) -> Result<Vec<tlog_tiles::Hash>, tlog_tiles::Error> {
        indexes
            .iter()
            .map(|&i| {
                self.0
                    .get(i as usize)
                    .map(|h| tlog_tiles::Hash(*h))
                    .ok_or(tlog_tiles::Error::IndexesNotInTree)
            })
            .collect()
    }
}

fn tl(proof: &[tlog_tiles::Hash]) -> Vec<Hash> {
    proof.iter().map(|h| h.0).collect()
}

// RFC 9162 §2.1, written from the definitions over the leaf data.

fn split(n: usize) -> usize {
    let mut k = 1;
    while k * 2 < n {
        k *= 2;
    }
    k
}

/// MTH(D[n]) (§2.1.1).
fn mth(d: &[Vec<u8>]) -> Hash {
    match d.len() {
        0 => h("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"),
        1 => merkle::leaf_hash(&d[0]),
        n => {
            let k = split(n);
            merkle::node_hash(&mth(&d[..k]), &mth(&d[k..]))
        }
    }
}

/// PATH(m, D[n]) (§2.1.3.1).
fn path(m: usize, d: &[Vec<u8>]) -> Vec<Hash> {
    if d.len() <= 1 {
        return vec![];
    }
    let k = split(d.len());
    if m < k {
        let mut p = path(m, &d[..k]);
        p.push(mth(&d[k..]));
        p
    } else {
        let mut p = path(m - k, &d[k..]);
        p.push(mth(&d[..k]));
        p
    }
}

/// SUBPROOF(m, D[n], b) (§2.1.4.1).
fn subproof(m: usize, d: &[Vec<u8>], b: bool) -> Vec<Hash> {
    let n = d.len();
    if m == n {
        return if b { vec![] } else { vec![mth(d)] };
    }
    let k = split(n);
    if m <= k {
        let mut p = subproof(m, &d[..k], b);
        p.push(mth(&d[k..]));
        p
    } else {
        let mut p = subproof(m - k, &d[k..], false);
        p.push(mth(&d[..k]));
        p
    }
}

#[test]
fn ct_leaves_give_the_published_node_hashes_and_roots() {
    let leaves = ct_leaves();
    let stored = Stored::of(&leaves);
    let mut builder = RootBuilder::new();
    assert_eq!(builder.root(), h(CT_ROOTS[0]));
    assert_eq!(merkle::empty_root(), h(CT_ROOTS[0]));
    for (n, data) in leaves.iter().enumerate() {
        builder.push(data);
        let size = n as u64 + 1;
        assert_eq!(builder.root(), h(CT_ROOTS[n + 1]), "builder, size {size}");
        assert_eq!(
            merkle::tree_hash(size, &stored).unwrap(),
            h(CT_ROOTS[n + 1]),
            "stored, size {size}"
        );
        assert_eq!(mth(&leaves[..=n]), h(CT_ROOTS[n + 1]), "brute force");
    }
    // Every complete subtree's hash sits where stored_hash_index says.
    for (level, hashes) in CT_NODES.iter().enumerate() {
        for (i, node) in hashes.iter().enumerate() {
            let at = merkle::stored_hash_index(level as u8, i as u64) as usize;
            assert_eq!(stored.0[at], h(node), "level {level} node {i}");
        }
    }
    assert_eq!(stored.0.len() as u64, merkle::stored_hash_count(8));
    assert_eq!(stored.0.len(), 15);
}

#[test]
fn ct_inclusion_proofs_are_ours_and_verify() {
    let leaves = ct_leaves();
    let stored = Stored::of(&leaves);
    for (index, size, want) in ct_inclusion() {
        let proof = merkle::inclusion_proof(index, size, &stored).unwrap();
        assert_eq!(proof, want, "inclusion of {index} in {size}");
        let root = h(CT_ROOTS[size as usize]);
        merkle::verify_inclusion(index, size, &leaves[index as usize], &proof, &root)
            .unwrap_or_else(|e| panic!("inclusion of {index} in {size}: {e}"));
        refuses_tampered_inclusion(index, size, &leaves[index as usize], &proof, &root);
    }
}

#[test]
fn ct_consistency_proofs_are_ours_and_verify() {
    let stored = Stored::of(&ct_leaves());
    for (old, new, want) in ct_consistency() {
        let proof = merkle::consistency_proof(old, new, &stored).unwrap();
        assert_eq!(proof, want, "consistency {old} to {new}");
        let (r1, r2) = (h(CT_ROOTS[old as usize]), h(CT_ROOTS[new as usize]));
        merkle::verify_consistency(old, new, &r1, &r2, &proof)
            .unwrap_or_else(|e| panic!("consistency {old} to {new}: {e}"));
        if !proof.is_empty() {
            refuses_tampered_consistency(old, new, &r1, &r2, &proof);
        }
    }
}

fn refuses_tampered_inclusion(index: u64, size: u64, leaf: &[u8], proof: &[Hash], root: &Hash) {
    let refused = |i: u64, s: u64, leaf: &[u8], p: &[Hash], r: &Hash, what: &str| {
        assert!(
            merkle::verify_inclusion(i, s, leaf, p, r).is_err(),
            "{what}: accepted (leaf {index}, size {size})"
        );
    };
    refused(index + 1, size, leaf, proof, root, "index + 1");
    if index > 0 {
        refused(index - 1, size, leaf, proof, root, "index - 1");
    }
    refused(index ^ 2, size, leaf, proof, root, "index ^ 2");
    refused(index, size * 2, leaf, proof, root, "size * 2");
    refused(index, size / 2, leaf, proof, root, "size / 2");
    refused(index, size, b"WrongLeaf", proof, root, "wrong leaf");
    let mut other_root = *root;
    other_root[31] ^= 1;
    refused(index, size, leaf, proof, &other_root, "wrong root");
    let longer: Vec<Hash> = proof.iter().copied().chain([*root]).collect();
    refused(index, size, leaf, &longer, root, "trailing root");
    let longer: Vec<Hash> = [*root].into_iter().chain(proof.iter().copied()).collect();
    refused(index, size, leaf, &longer, root, "preceding root");
    if let Some((_, shorter)) = proof.split_last() {
        refused(index, size, leaf, shorter, root, "removed hash");
    }
    for i in 0..proof.len() {
        let mut bad = proof.to_vec();
        bad[i][0] ^= 8;
        refused(index, size, leaf, &bad, root, "flipped bit");
    }
}

fn refuses_tampered_consistency(old: u64, new: u64, r1: &Hash, r2: &Hash, proof: &[Hash]) {
    let refused = |o: u64, n: u64, a: &Hash, b: &Hash, p: &[Hash], what: &str| {
        assert!(
            merkle::verify_consistency(o, n, a, b, p).is_err(),
            "{what}: accepted ({old} to {new})"
        );
    };
    refused(old - 1, new, r1, r2, proof, "old - 1");
    refused(old + 1, new, r1, r2, proof, "old + 1");
    refused(old ^ 2, new, r1, r2, proof, "old ^ 2");
    refused(old, new * 2, r1, r2, proof, "new * 2");
    refused(old, new / 2, r1, r2, proof, "new / 2");
    refused(old, new, r2, r1, proof, "swapped roots");
    let mut bad_root = *r1;
    bad_root[0] ^= 1;
    refused(old, new, &bad_root, r2, proof, "wrong old root");
    refused(old, new, r1, &bad_root, proof, "wrong new root");
    refused(old, new, r1, r2, &[], "empty proof");
    let longer: Vec<Hash> = proof.iter().copied().chain([*r2]).collect();
    refused(old, new, r1, r2, &longer, "trailing root");
    let longer: Vec<Hash> = [proof[0]]
        .into_iter()
        .chain(proof.iter().copied())
        .collect();
    refused(old, new, r1, r2, &longer, "preceding proof[0]");
    refused(old, new, r1, r2, &proof[..proof.len() - 1], "truncated");
    for i in 0..proof.len() {
        let mut bad = proof.to_vec();
        bad[i][0] ^= 16;
        refused(old, new, r1, r2, &bad, "flipped bit");
    }
}

fn leaves(n: usize) -> Vec<Vec<u8>> {
    (0..n).map(|i| format!("entry {i}").into_bytes()).collect()
}

/// Every size in `sizes` of a tree over `data`: stored hashes, roots,
/// every inclusion proof and every consistency proof (from every older
/// size) agree with tlog_tiles and the brute force, and verify under
/// ct-merkle and tlog_tiles' checkers.
fn cross_check(data: &[Vec<u8>], sizes: impl IntoIterator<Item = u64>) {
    let ours = Stored::of(data);
    // tlog_tiles lays out its own copy of the stored hashes.
    let mut theirs: Vec<Hash> = Vec::new();
    for (n, d) in data.iter().enumerate() {
        let new = tlog_tiles::stored_hashes(n as u64, d, &TlogStored(&theirs)).unwrap();
        theirs.extend(tl(&new));
    }
    assert_eq!(ours.0, theirs, "stored hashes differ from tlog_tiles");
    let tr = TlogStored(&theirs);
    let mut roots = vec![merkle::empty_root()];
    let mut b = RootBuilder::new();
    for d in data {
        b.push(d);
        roots.push(b.root());
    }
    for size in sizes {
        let n = size as usize;
        let root = merkle::tree_hash(size, &ours).unwrap();
        assert_eq!(root, mth(&data[..n]), "root at {size} vs brute force");
        assert_eq!(
            root,
            tlog_tiles::tree_hash(size, &tr).unwrap().0,
            "root at {size} vs tlog"
        );
        assert_eq!(root, roots[n], "root at {size} vs builder");
        for index in 0..size {
            let proof = merkle::inclusion_proof(index, size, &ours).unwrap();
            assert_eq!(
                proof,
                path(index as usize, &data[..n]),
                "PATH({index}, {size})"
            );
            assert_eq!(
                proof,
                tl(&tlog_tiles::prove_record(size, index, &tr).unwrap()),
                "tlog record proof {index} in {size}"
            );
            merkle::verify_inclusion(index, size, &data[index as usize], &proof, &root)
                .unwrap_or_else(|e| panic!("inclusion {index} in {size}: {e}"));
            let theirs: Vec<tlog_tiles::Hash> =
                proof.iter().map(|h| tlog_tiles::Hash(*h)).collect();
            tlog_tiles::check_record(
                &theirs,
                size,
                tlog_tiles::Hash(root),
                index,
                tlog_tiles::Hash(merkle::leaf_hash(&data[index as usize])),
            )
            .unwrap_or_else(|e| panic!("tlog check_record {index} in {size}: {e}"));
        }
        for old in 1..=size {
            let proof = merkle::consistency_proof(old, size, &ours).unwrap();
            assert_eq!(
                proof,
                subproof(old as usize, &data[..n], true),
                "PROOF({old}, {size})"
            );
            assert_eq!(
                proof,
                tl(&tlog_tiles::prove_tree(size, old, &tr).unwrap()),
                "tlog tree proof {old} to {size}"
            );
            merkle::verify_consistency(old, size, &roots[old as usize], &root, &proof)
                .unwrap_or_else(|e| panic!("consistency {old} to {size}: {e}"));
            let theirs: Vec<tlog_tiles::Hash> =
                proof.iter().map(|h| tlog_tiles::Hash(*h)).collect();
            tlog_tiles::check_tree(
                &theirs,
                size,
                tlog_tiles::Hash(root),
                old,
                tlog_tiles::Hash(roots[old as usize]),
            )
            .unwrap_or_else(|e| panic!("tlog check_tree {old} to {size}: {e}"));
        }
    }
}

#[test]
fn agrees_with_tlog_tiles_and_rfc_9162_for_sizes_1_to_300() {
    cross_check(&leaves(300), 1..=300);
}

#[test]
fn agrees_with_tlog_tiles_and_rfc_9162_at_1023_1024_1025() {
    cross_check(&leaves(1025), [1023, 1024, 1025]);
}

#[test]
fn tampered_proofs_and_wrong_sizes_are_refused_across_shapes() {
    let data = leaves(70);
    let stored = Stored::of(&data);
    for size in [2u64, 3, 5, 7, 8, 9, 31, 32, 33, 64, 70] {
        let root = merkle::tree_hash(size, &stored).unwrap();
        for index in [0, size / 2, size - 1] {
            let proof = merkle::inclusion_proof(index, size, &stored).unwrap();
            refuses_tampered_inclusion(index, size, &data[index as usize], &proof, &root);
        }
        for old in [1, size / 2, size - 1].into_iter().filter(|&o| o >= 1) {
            let proof = merkle::consistency_proof(old, size, &stored).unwrap();
            let old_root = merkle::tree_hash(old, &stored).unwrap();
            if !proof.is_empty() {
                refuses_tampered_consistency(old, size, &old_root, &root, &proof);
            }
        }
    }
    // Equal sizes: only an empty proof between equal roots.
    let r = merkle::tree_hash(9, &stored).unwrap();
    assert_eq!(merkle::verify_consistency(9, 9, &r, &r, &[]), Ok(()));
    assert_eq!(
        merkle::verify_consistency(9, 9, &r, &r, &[r]),
        Err(ProofError::Malformed)
    );
    let other = merkle::tree_hash(8, &stored).unwrap();
    assert_eq!(
        merkle::verify_consistency(9, 9, &r, &other, &[]),
        Err(ProofError::Mismatch)
    );
}
