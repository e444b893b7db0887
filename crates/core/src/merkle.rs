//! The Merkle tree over a ledger's entries (RFC 9162 §2.1, the same as RFC
//! 6962): leaf and node hashes, tree hashes of any size, inclusion and
//! consistency proofs, and the layout in which the tree's hashes are stored,
//! that of Go's `sumdb/tlog` (and of the C2SP tlog-tiles spec): every leaf
//! hash and every hash of a complete subtree, numbered by
//! [`stored_hash_index`], written once when its last leaf is appended and
//! never changed.
//!
//! Building proofs reads stored hashes through a [`HashReader`]; this module
//! holds no storage and must never do I/O itself. Proofs are *checked* by
//! the `ct-merkle` crate ([`verify_inclusion`], [`verify_consistency`]), an
//! implementation we did not write, so that a mistake here cannot make a
//! proof of ours pass our own check. [`RootBuilder`] computes a root while
//! streaming leaves, in memory, with O(log n) hashes held.

use ct_merkle::{ConsistencyProof, InclusionProof, RootHash};
use sha2::{Digest, Sha256};

/// A SHA-256 hash in the tree: a leaf hash, a node hash or a root.
pub type Hash = [u8; 32];

/// The largest tree size accepted: 2^62 leaves, far beyond any ledger, and
/// small enough that no stored-hash index overflows.
pub const MAX_SIZE: u64 = 1 << 62;

/// The hash of a leaf: `SHA-256(0x00 ‖ data)`.
pub fn leaf_hash(data: &[u8]) -> Hash {
    let mut h = Sha256::new();
    h.update([0u8]);
    h.update(data);
    h.finalize().into()
}

/// The hash of an interior node: `SHA-256(0x01 ‖ left ‖ right)`.
pub fn node_hash(left: &Hash, right: &Hash) -> Hash {
    let mut h = Sha256::new();
    h.update([1u8]);
    h.update(left);
    h.update(right);
    h.finalize().into()
}

/// The root of the empty tree: `SHA-256("")`.
pub fn empty_root() -> Hash {
    Sha256::digest([]).into()
}

/// Where stored hashes come from (a store, a map, a vector).
pub trait HashReader {
    /// Why a read failed.
    type Error: std::error::Error + 'static;
    /// The hashes stored under `indexes` ([`stored_hash_index`]), in that
    /// order; one hash per index, or an error.
    fn read_hashes(&self, indexes: &[u64]) -> Result<Vec<Hash>, Self::Error>;
}

/// Why a tree hash or a proof could not be computed.
#[derive(Debug, thiserror::Error)]
pub enum TreeError<E: std::error::Error + 'static> {
    /// Leaf `index` is not in a tree of `size` leaves.
    #[error("leaf {index} is not in a tree of {size} leaves")]
    IndexOutOfRange { index: u64, size: u64 },
    /// A consistency proof needs `1 <= old <= new`.
    #[error("no consistency proof from tree size {old} to {new}: the old size must be between 1 and the new one")]
    BadRange { old: u64, new: u64 },
    /// A size beyond [`MAX_SIZE`].
    #[error("tree size {size} is beyond the largest supported ({MAX_SIZE})")]
    TooLarge { size: u64 },
    /// The reader returned another number of hashes than asked for.
    #[error("asked for {wanted} stored hashes, got {got}")]
    ShortRead { wanted: usize, got: usize },
    /// The reader failed.
    #[error(transparent)]
    Read(E),
}

/// Why a proof was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum ProofError {
    /// The index is not below the tree size, or a size is 0 or too large.
    #[error("leaf {index} is not in a tree of {size} leaves")]
    OutOfRange { index: u64, size: u64 },
    /// Sizes that no consistency proof can join (`1 <= old <= new`).
    #[error("tree size {old} cannot be a prefix of tree size {new}")]
    BadRange { old: u64, new: u64 },
    /// The proof has the wrong number of hashes for these sizes.
    #[error("the proof has the wrong number of hashes for these tree sizes")]
    Malformed,
    /// The proof does not lead to the root(s) given.
    #[error("the proof does not lead to the given root hash")]
    Mismatch,
}

/// The position at which hash `n` of level `level` is stored (level 0:
/// leaf hashes; level L: roots of complete subtrees of 2^L leaves): leaf
/// n's hash follows every hash completed by leaves before it, and each
/// subtree's hash follows the hash of its last leaf. As Go's
/// `tlog.StoredHashIndex`.
pub fn stored_hash_index(level: u8, n: u64) -> u64 {
    // The last leaf of subtree n at `level`, then every hash before it.
    let last_leaf = ((n + 1) << level) - 1;
    let mut before = 0;
    let mut m = last_leaf;
    while m > 0 {
        before += m;
        m >>= 1;
    }
    before + u64::from(level)
}

/// How many hashes a tree of `size` leaves stores.
pub fn stored_hash_count(size: u64) -> u64 {
    if size == 0 {
        return 0;
    }
    let last = size - 1;
    stored_hash_index(0, last) + 1 + u64::from(last.trailing_ones())
}

/// The hashes to store when appending leaf `n` (the (n+1)th) with hash
/// `leaf`, starting at `stored_hash_index(0, n)`: the leaf hash, then the
/// hash of each complete subtree it closes (one per trailing 1 bit of `n`),
/// reading the left halves of those subtrees from `r`.
pub fn stored_hashes<R: HashReader>(
    n: u64,
    leaf: Hash,
    r: &R,
) -> Result<Vec<Hash>, TreeError<R::Error>> {
    if n >= MAX_SIZE {
        return Err(TreeError::TooLarge { size: n + 1 });
    }
    let closes = n.trailing_ones() as u8;
    // Left siblings from the highest level down, in increasing index order.
    let indexes: Vec<u64> = (0..closes)
        .rev()
        .map(|level| stored_hash_index(level, (n >> level) - 1))
        .collect();
    let left = read(r, &indexes)?;
    let mut out = vec![leaf];
    let mut h = leaf;
    for l in left.iter().rev() {
        h = node_hash(l, &h);
        out.push(h);
    }
    Ok(out)
}

fn read<R: HashReader>(r: &R, indexes: &[u64]) -> Result<Vec<Hash>, TreeError<R::Error>> {
    if indexes.is_empty() {
        return Ok(Vec::new());
    }
    let got = r.read_hashes(indexes).map_err(TreeError::Read)?;
    if got.len() != indexes.len() {
        return Err(TreeError::ShortRead {
            wanted: indexes.len(),
            got: got.len(),
        });
    }
    Ok(got)
}

/// The largest power of two below `n` (`n >= 2`): where RFC 9162 splits a
/// tree of `n` leaves.
fn split(n: u64) -> u64 {
    1 << (63 - (n - 1).leading_zeros())
}

/// The stored hashes of the complete subtrees that make up leaves
/// `lo..hi`, left to right (`lo` must be where a tree of that shape starts:
/// 0, or the start of a right-hand part in RFC 9162's recursion).
fn subtree_indexes(mut lo: u64, hi: u64, out: &mut Vec<u64>) {
    while lo < hi {
        // The largest complete subtree starting at lo that fits.
        let mut level = 0u8;
        while level < 63
            && (1u64 << (level + 1)) <= hi - lo
            && lo.is_multiple_of(1u64 << (level + 1))
        {
            level += 1;
        }
        out.push(stored_hash_index(level, lo >> level));
        lo += 1 << level;
    }
}

/// The hash of leaves `lo..hi` for each range, with one read.
fn range_hashes<R: HashReader>(
    ranges: &[(u64, u64)],
    r: &R,
) -> Result<Vec<Hash>, TreeError<R::Error>> {
    let mut indexes = Vec::new();
    let mut counts = Vec::new();
    for &(lo, hi) in ranges {
        let before = indexes.len();
        subtree_indexes(lo, hi, &mut indexes);
        counts.push(indexes.len() - before);
    }
    let hashes = read(r, &indexes)?;
    let mut out = Vec::with_capacity(ranges.len());
    let mut rest = hashes.as_slice();
    for count in counts {
        let (parts, tail) = rest.split_at(count);
        rest = tail;
        // Complete subtrees, hashed together right to left.
        let mut iter = parts.iter().rev();
        let Some(mut h) = iter.next().copied() else {
            return Err(TreeError::ShortRead {
                wanted: count.max(1),
                got: 0,
            });
        };
        for l in iter {
            h = node_hash(l, &h);
        }
        out.push(h);
    }
    Ok(out)
}

/// The root of the tree of the first `size` leaves (RFC 9162's MTH).
pub fn tree_hash<R: HashReader>(size: u64, r: &R) -> Result<Hash, TreeError<R::Error>> {
    if size > MAX_SIZE {
        return Err(TreeError::TooLarge { size });
    }
    if size == 0 {
        return Ok(empty_root());
    }
    Ok(range_hashes(&[(0, size)], r)?[0])
}

/// The ranges whose hashes make RFC 9162's PATH(m, D[lo:hi]), leaf first.
fn path_ranges(m: u64, lo: u64, hi: u64, out: &mut Vec<(u64, u64)>) {
    if hi - lo <= 1 {
        return;
    }
    let k = split(hi - lo);
    if m < k {
        path_ranges(m, lo, lo + k, out);
        out.push((lo + k, hi));
    } else {
        path_ranges(m - k, lo + k, hi, out);
        out.push((lo, lo + k));
    }
}

/// The ranges whose hashes make RFC 9162's SUBPROOF(m, D[lo:hi], b).
fn subproof_ranges(m: u64, lo: u64, hi: u64, whole: bool, out: &mut Vec<(u64, u64)>) {
    let n = hi - lo;
    if m == n {
        if !whole {
            out.push((lo, hi));
        }
        return;
    }
    let k = split(n);
    if m <= k {
        subproof_ranges(m, lo, lo + k, whole, out);
        out.push((lo + k, hi));
    } else {
        subproof_ranges(m - k, lo + k, hi, false, out);
        out.push((lo, lo + k));
    }
}

/// The inclusion proof of leaf `index` in the tree of `size` leaves
/// (RFC 9162 §2.1.3.1), the sibling next to the leaf first.
pub fn inclusion_proof<R: HashReader>(
    index: u64,
    size: u64,
    r: &R,
) -> Result<Vec<Hash>, TreeError<R::Error>> {
    if size > MAX_SIZE {
        return Err(TreeError::TooLarge { size });
    }
    if index >= size {
        return Err(TreeError::IndexOutOfRange { index, size });
    }
    let mut ranges = Vec::new();
    path_ranges(index, 0, size, &mut ranges);
    range_hashes(&ranges, r)
}

/// The consistency proof from the tree of `old` leaves to that of `new`
/// (RFC 9162 §2.1.4.1); empty when they are equal.
pub fn consistency_proof<R: HashReader>(
    old: u64,
    new: u64,
    r: &R,
) -> Result<Vec<Hash>, TreeError<R::Error>> {
    if new > MAX_SIZE {
        return Err(TreeError::TooLarge { size: new });
    }
    if old == 0 || old > new {
        return Err(TreeError::BadRange { old, new });
    }
    let mut ranges = Vec::new();
    subproof_ranges(old, 0, new, true, &mut ranges);
    range_hashes(&ranges, r)
}

fn digests(proof: &[Hash]) -> Vec<ct_merkle::digest::Output<Sha256>> {
    proof.iter().map(|h| (*h).into()).collect()
}

/// Checks that `proof` proves the leaf with data `leaf` to be leaf `index`
/// of the tree of `size` leaves whose root is `root` (checked by
/// `ct-merkle`).
pub fn verify_inclusion(
    index: u64,
    size: u64,
    leaf: &[u8],
    proof: &[Hash],
    root: &Hash,
) -> Result<(), ProofError> {
    if index >= size || size > MAX_SIZE {
        return Err(ProofError::OutOfRange { index, size });
    }
    let root = RootHash::<Sha256>::new((*root).into(), size);
    let proof = InclusionProof::<Sha256>::from_digests(digests(proof).iter());
    root.verify_inclusion(&leaf, index, &proof)
        .map_err(|e| match e {
            ct_merkle::InclusionVerifError::MalformedProof => ProofError::Malformed,
            ct_merkle::InclusionVerifError::IndexOutOfRange
            | ct_merkle::InclusionVerifError::TreeEmpty => ProofError::OutOfRange { index, size },
            ct_merkle::InclusionVerifError::IncorrectHash => ProofError::Mismatch,
        })
}

/// Checks that `proof` proves the tree of `old` leaves with root `old_root`
/// to be a prefix of the tree of `new` leaves with root `new_root` (checked
/// by `ct-merkle`).
pub fn verify_consistency(
    old: u64,
    new: u64,
    old_root: &Hash,
    new_root: &Hash,
    proof: &[Hash],
) -> Result<(), ProofError> {
    if old == 0 || old > new || new > MAX_SIZE {
        return Err(ProofError::BadRange { old, new });
    }
    if old == new {
        // ct-merkle takes an empty proof here; say why it passes or not.
        return match (proof.is_empty(), old_root == new_root) {
            (false, _) => Err(ProofError::Malformed),
            (true, true) => Ok(()),
            (true, false) => Err(ProofError::Mismatch),
        };
    }
    let old_root = RootHash::<Sha256>::new((*old_root).into(), old);
    let new_root = RootHash::<Sha256>::new((*new_root).into(), new);
    let proof = ConsistencyProof::<Sha256>::from_digests(digests(proof).iter());
    new_root
        .verify_consistency(&old_root, &proof)
        .map_err(|e| match e {
            ct_merkle::ConsistencyVerifError::MalformedProof => ProofError::Malformed,
            ct_merkle::ConsistencyVerifError::VerificationFailure => ProofError::Mismatch,
            ct_merkle::ConsistencyVerifError::OldTreeLarger
            | ct_merkle::ConsistencyVerifError::OldTreeEmpty
            | ct_merkle::ConsistencyVerifError::NewTreeTooBig => ProofError::BadRange { old, new },
        })
}

/// A tree built leaf by leaf in memory, holding only the roots of its
/// complete subtrees (a compact range, at most 63 hashes): the root of a
/// stream of leaves without storing them, and the hashes each leaf adds to
/// the stored layout.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RootBuilder {
    size: u64,
    /// Roots of the complete subtrees, largest (leftmost) first; their
    /// sizes are the 1 bits of `size`.
    peaks: Vec<Hash>,
}

impl RootBuilder {
    /// An empty tree.
    pub fn new() -> Self {
        Self::default()
    }

    /// The tree of the first `size` leaves, resumed from stored hashes.
    pub fn resume<R: HashReader>(size: u64, r: &R) -> Result<Self, TreeError<R::Error>> {
        if size > MAX_SIZE {
            return Err(TreeError::TooLarge { size });
        }
        let mut indexes = Vec::new();
        subtree_indexes(0, size, &mut indexes);
        Ok(Self {
            size,
            peaks: read(r, &indexes)?,
        })
    }

    /// The number of leaves so far.
    pub fn size(&self) -> u64 {
        self.size
    }

    /// Adds a leaf by its hash; returns the hashes it adds to the stored
    /// layout (as [`stored_hashes`]), from `stored_hash_index(0, n)` on.
    pub fn push_hash(&mut self, leaf: Hash) -> Vec<Hash> {
        let mut out = vec![leaf];
        let mut h = leaf;
        let mut closes = self.size.trailing_ones();
        while closes > 0 {
            // The peaks' sizes are the 1 bits of size: the lowest ones pair up.
            let Some(left) = self.peaks.pop() else { break };
            h = node_hash(&left, &h);
            out.push(h);
            closes -= 1;
        }
        self.peaks.push(h);
        self.size += 1;
        out
    }

    /// Adds a leaf by its data; see [`RootBuilder::push_hash`].
    pub fn push(&mut self, data: &[u8]) -> Vec<Hash> {
        self.push_hash(leaf_hash(data))
    }

    /// The root of the tree so far.
    pub fn root(&self) -> Hash {
        let mut iter = self.peaks.iter().rev();
        let Some(mut h) = iter.next().copied() else {
            return empty_root();
        };
        for l in iter {
            h = node_hash(l, &h);
        }
        h
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::convert::Infallible;

    struct Stored(Vec<Hash>);

    impl HashReader for Stored {
        type Error = Infallible;
        fn read_hashes(&self, indexes: &[u64]) -> Result<Vec<Hash>, Infallible> {
            Ok(indexes.iter().map(|&i| self.0[i as usize]).collect())
        }
    }

    #[test]
    fn stored_layout_grows_as_counted() {
        let mut s = Stored(Vec::new());
        let mut b = RootBuilder::new();
        for n in 0..100u64 {
            let leaf = leaf_hash(&n.to_be_bytes());
            let hashes = stored_hashes(n, leaf, &s).unwrap();
            assert_eq!(hashes, b.push_hash(leaf));
            assert_eq!(s.0.len() as u64, stored_hash_index(0, n));
            s.0.extend(hashes);
            assert_eq!(s.0.len() as u64, stored_hash_count(n + 1));
            assert_eq!(tree_hash(n + 1, &s).unwrap(), b.root());
            assert_eq!(RootBuilder::resume(n + 1, &s).unwrap(), b);
        }
    }

    #[test]
    fn ranges_out_of_bounds_are_refused() {
        let s = Stored(vec![leaf_hash(b"a")]);
        assert!(matches!(
            inclusion_proof(1, 1, &s),
            Err(TreeError::IndexOutOfRange { index: 1, size: 1 })
        ));
        assert!(matches!(
            consistency_proof(0, 1, &s),
            Err(TreeError::BadRange { .. })
        ));
        assert!(matches!(
            consistency_proof(2, 1, &s),
            Err(TreeError::BadRange { .. })
        ));
        assert!(matches!(
            tree_hash(MAX_SIZE + 1, &s),
            Err(TreeError::TooLarge { .. })
        ));
        assert_eq!(
            verify_inclusion(3, 2, b"a", &[], &[0; 32]),
            Err(ProofError::OutOfRange { index: 3, size: 2 })
        );
        assert_eq!(
            verify_consistency(0, 2, &[0; 32], &[0; 32], &[]),
            Err(ProofError::BadRange { old: 0, new: 2 })
        );
    }

    #[test]
    fn short_reads_are_an_error_not_a_panic() {
        struct Short;
        impl HashReader for Short {
            type Error = Infallible;
            fn read_hashes(&self, _: &[u64]) -> Result<Vec<Hash>, Infallible> {
                Ok(Vec::new())
            }
        }
        assert!(matches!(
            tree_hash(5, &Short),
            Err(TreeError::ShortRead { .. })
        ));
        assert!(matches!(
            stored_hashes(3, [0; 32], &Short),
            Err(TreeError::ShortRead { .. })
        ));
    }
}
