//! The C2SP tlog-tiles layout of the ledger's Merkle tree
//! (<https://c2sp.org/tlog-tiles>): which tiles and entry bundles a tree of
//! some size has, their paths (`tile/<L>/<N>[.p/<W>]`,
//! `tile/entries/<N>[.p/<W>]`, `N` in 3-digit groups such as
//! `x001/x234/067`), which stored hashes ([`merkle::stored_hash_index`]) a
//! tile is made of, the entry-bundle framing (each entry's bytes after a
//! big-endian `u16` length), and [`TileBuilder`], which computes every tile
//! while streaming leaf hashes, in memory.
//!
//! Tile height is 8 (the spec's): a full tile holds 256 hashes (8,192
//! bytes); level `L` holds the hashes of complete subtrees of `256^L`
//! leaves. This module is pure arithmetic and framing: it never does I/O
//! and never decides which checkpoint a tile set is published under.

use crate::merkle::{self, Hash};

/// Levels of the Merkle tree one tile spans.
pub const TILE_HEIGHT: u8 = 8;
/// Hashes in a full tile (and entries in a full entry bundle).
pub const TILE_WIDTH: u16 = 1 << TILE_HEIGHT;
/// Bytes of a full tile.
pub const FULL_TILE_BYTES: usize = TILE_WIDTH as usize * 32;
/// Largest entry an entry bundle can hold: its length is a `u16`.
pub const MAX_BUNDLE_ENTRY: usize = u16::MAX as usize;
/// Highest tile level a path may name (the spec's bound).
pub const MAX_PATH_LEVEL: u8 = 63;

/// One tile (or, at level 0, the entry bundle beside it): its level, its
/// index within the level, and its width (1 to 256 hashes; 256 is full).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Tile {
    /// The tile's level: its hashes are of subtrees of `256^level` leaves.
    pub level: u8,
    /// Its index within the level (the `N` of its path).
    pub index: u64,
    /// How many hashes it holds: 1 to [`TILE_WIDTH`].
    pub width: u16,
}

/// Why a path, a tile or an entry bundle was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TileError {
    /// Not a tile, entry-bundle or checkpoint path in the spec's form.
    #[error("not a tlog-tiles path: {0}")]
    BadPath(String),
    /// A tile that no tree of at most [`merkle::MAX_SIZE`] leaves has, or a
    /// width outside 1 to 256.
    #[error("no such tile: level {level}, index {index}, width {width}")]
    NoSuchTile {
        /// The level asked for.
        level: u8,
        /// The index asked for.
        index: u64,
        /// The width asked for.
        width: u16,
    },
    /// An entry longer than an entry bundle's `u16` length can say.
    #[error("entry {seq} is {len} bytes, more than the {MAX_BUNDLE_ENTRY} an entry bundle can hold (C2SP tlog-tiles)")]
    EntryTooLarge {
        /// The entry's position in the log.
        seq: u64,
        /// Its length in bytes.
        len: usize,
    },
    /// An entry bundle that ends inside a length or an entry.
    #[error("the entry bundle is truncated")]
    Truncated,
}

/// What a path under a tlog-tiles prefix names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Resource {
    /// `checkpoint`.
    Checkpoint,
    /// `tile/<L>/<N>[.p/<W>]`: a tile of hashes.
    Tile(Tile),
    /// `tile/entries/<N>[.p/<W>]`: an entry bundle (the level is 0).
    Entries(Tile),
}

impl Tile {
    /// A tile, checked: width 1 to 256, and within a tree of at most
    /// [`merkle::MAX_SIZE`] leaves.
    pub fn new(level: u8, index: u64, width: u16) -> Result<Self, TileError> {
        let t = Tile {
            level,
            index,
            width,
        };
        match (1..=TILE_WIDTH).contains(&width) && t.end_leaf().is_some() {
            true => Ok(t),
            false => Err(TileError::NoSuchTile {
                level,
                index,
                width,
            }),
        }
    }

    /// Whether it holds 256 hashes.
    pub fn is_full(&self) -> bool {
        self.width == TILE_WIDTH
    }

    /// The Merkle tree level of its hashes (`8 * level`).
    pub fn tree_level(&self) -> u8 {
        self.level.saturating_mul(TILE_HEIGHT)
    }

    /// Leaves spanned by each of its hashes (`256^level`), if that fits.
    fn leaves_per_hash(&self) -> Option<u64> {
        1u64.checked_shl(u32::from(self.tree_level()))
            .filter(|&n| n <= merkle::MAX_SIZE)
    }

    /// The first leaf its hashes span.
    pub fn start_leaf(&self) -> u64 {
        self.index
            .saturating_mul(u64::from(TILE_WIDTH))
            .saturating_mul(self.leaves_per_hash().unwrap_or(u64::MAX))
    }

    /// One past the last leaf its hashes span, or `None` beyond
    /// [`merkle::MAX_SIZE`]: a tree has this tile (at this width) if its
    /// size is at least this.
    pub fn end_leaf(&self) -> Option<u64> {
        self.index
            .checked_mul(u64::from(TILE_WIDTH))?
            .checked_add(u64::from(self.width))?
            .checked_mul(self.leaves_per_hash()?)
            .filter(|&end| end <= merkle::MAX_SIZE)
    }

    /// Whether a tree of `size` leaves holds this tile at this width.
    pub fn fits(&self, size: u64) -> bool {
        (1..=TILE_WIDTH).contains(&self.width) && self.end_leaf().is_some_and(|end| end <= size)
    }

    /// The stored-hash indexes ([`merkle::stored_hash_index`]) of its
    /// hashes, in order. Only for a tile made by [`Tile::new`] or that
    /// [`Tile::fits`] some size.
    pub fn hash_indexes(&self) -> Vec<u64> {
        let first = self.index * u64::from(TILE_WIDTH);
        (first..first + u64::from(self.width))
            .map(|n| merkle::stored_hash_index(self.tree_level(), n))
            .collect()
    }

    /// Its path: `tile/<L>/<N>` or `tile/<L>/<N>.p/<W>`.
    pub fn path(&self) -> String {
        format!(
            "tile/{}/{}{}",
            self.level,
            index_path(self.index),
            self.suffix()
        )
    }

    /// The path of the entry bundle beside this level-0 tile:
    /// `tile/entries/<N>` or `tile/entries/<N>.p/<W>`.
    pub fn entries_path(&self) -> String {
        format!("tile/entries/{}{}", index_path(self.index), self.suffix())
    }

    fn suffix(&self) -> String {
        match self.is_full() {
            true => String::new(),
            false => format!(".p/{}", self.width),
        }
    }
}

/// `n` as the spec's path elements: 3-digit groups, every one but the last
/// prefixed with `x` (1234067 is `x001/x234/067`).
pub fn index_path(n: u64) -> String {
    let mut groups = vec![format!("{:03}", n % 1000)];
    let mut rest = n / 1000;
    while rest > 0 {
        groups.push(format!("x{:03}", rest % 1000));
        rest /= 1000;
    }
    groups.reverse();
    groups.join("/")
}

/// The path of tile `(level, index)` at `width` (see [`Tile::path`]).
pub fn tile_path(level: u8, index: u64, width: u16) -> Result<String, TileError> {
    Ok(Tile::new(level, index, width)?.path())
}

/// The path of entry bundle `index` at `width` (see [`Tile::entries_path`]).
pub fn entries_path(index: u64, width: u16) -> Result<String, TileError> {
    Ok(Tile::new(0, index, width)?.entries_path())
}

/// A decimal with no sign and no leading zero (`0` itself allowed).
fn decimal(s: &str) -> Option<u64> {
    let canonical =
        !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit()) && (s == "0" || !s.starts_with('0'));
    canonical.then(|| s.parse().ok()).flatten()
}

/// Parses a path relative to the log's prefix (no leading `/`): only the
/// canonical spelling of each resource is accepted, so one resource has
/// one path.
pub fn parse_path(path: &str) -> Result<Resource, TileError> {
    let bad = || TileError::BadPath(path.chars().take(80).collect());
    if path == "checkpoint" {
        return Ok(Resource::Checkpoint);
    }
    let rest = path.strip_prefix("tile/").ok_or_else(bad)?;
    let (level, rest) = rest.split_once('/').ok_or_else(bad)?;
    let (digits, width) = match rest.split_once(".p/") {
        Some((digits, w)) => {
            let w = decimal(w)
                .and_then(|w| u16::try_from(w).ok())
                .filter(|w| (1..TILE_WIDTH).contains(w))
                .ok_or_else(bad)?;
            (digits, w)
        }
        None => (rest, TILE_WIDTH),
    };
    let mut index: u64 = 0;
    let groups: Vec<&str> = digits.split('/').collect();
    for (i, g) in groups.iter().enumerate() {
        let last = i + 1 == groups.len();
        let g = match last {
            true => *g,
            false => g.strip_prefix('x').ok_or_else(bad)?,
        };
        if g.len() != 3 || !g.bytes().all(|b| b.is_ascii_digit()) {
            return Err(bad());
        }
        let v: u64 = g.parse().map_err(|_| bad())?;
        index = index
            .checked_mul(1000)
            .and_then(|n| n.checked_add(v))
            .ok_or_else(bad)?;
    }
    let (level, entries) = match level {
        "entries" => (0, true),
        l => (
            decimal(l)
                .and_then(|l| u8::try_from(l).ok())
                .filter(|l| *l <= MAX_PATH_LEVEL)
                .ok_or_else(bad)?,
            false,
        ),
    };
    let tile = Tile::new(level, index, width).map_err(|_| bad())?;
    // Leading zero groups (`x000/005`) are another spelling of `005`.
    if index_path(index) != digits {
        return Err(bad());
    }
    Ok(match entries {
        true => Resource::Entries(tile),
        false => Resource::Tile(tile),
    })
}

/// Every tile a tree of `size` leaves has: the full ones, then at each
/// level the partial one if any, level by level from 0. (Entry bundles are
/// those of the level-0 tiles.)
pub fn tiles_for_size(size: u64) -> Vec<Tile> {
    let mut out = Vec::new();
    let mut level = 0u8;
    // Hashes at this level: complete subtrees of 256^level leaves.
    let mut hashes = size.min(merkle::MAX_SIZE);
    while hashes > 0 {
        let full = hashes / u64::from(TILE_WIDTH);
        let rest = (hashes % u64::from(TILE_WIDTH)) as u16;
        out.extend((0..full).map(|index| Tile {
            level,
            index,
            width: TILE_WIDTH,
        }));
        if rest > 0 {
            out.push(Tile {
                level,
                index: full,
                width: rest,
            });
        }
        hashes = full;
        level += 1;
    }
    out
}

/// The partial tiles of a tree of `size` leaves (the last tile of each
/// level whose width is below 256; `floor(size / 256^L) mod 256` wide).
pub fn partial_tiles(size: u64) -> Vec<Tile> {
    tiles_for_size(size)
        .into_iter()
        .filter(|t| !t.is_full())
        .collect()
}

/// The Merkle tree hash of a tile's hashes taken as the leaves' level of a
/// subtree (RFC 9162's MTH, with node hashes only): for a full tile, the
/// hash at the level above it.
pub fn tile_root(hashes: &[Hash]) -> Hash {
    match hashes.len() {
        0 => merkle::empty_root(),
        1 => hashes[0],
        n => {
            let k = 1usize << (usize::BITS - 1 - (n - 1).leading_zeros());
            merkle::node_hash(&tile_root(&hashes[..k]), &tile_root(&hashes[k..]))
        }
    }
}

/// The bytes of a tile: its hashes, concatenated.
pub fn tile_bytes(hashes: &[Hash]) -> Vec<u8> {
    hashes.concat()
}

/// Appends one entry to an entry bundle being built: its length as a
/// big-endian `u16`, then its bytes. `seq` names it in the error.
pub fn push_bundle_entry(bundle: &mut Vec<u8>, seq: u64, entry: &[u8]) -> Result<(), TileError> {
    let len = u16::try_from(entry.len()).map_err(|_| TileError::EntryTooLarge {
        seq,
        len: entry.len(),
    })?;
    bundle.extend_from_slice(&len.to_be_bytes());
    bundle.extend_from_slice(entry);
    Ok(())
}

/// An entry bundle of `entries`, the first being entry `first`.
pub fn bundle<'a>(
    first: u64,
    entries: impl IntoIterator<Item = &'a [u8]>,
) -> Result<Vec<u8>, TileError> {
    let mut out = Vec::new();
    for (seq, e) in (first..).zip(entries) {
        push_bundle_entry(&mut out, seq, e)?;
    }
    Ok(out)
}

/// The entries of an entry bundle, in order.
pub fn parse_bundle(mut bytes: &[u8]) -> Result<Vec<&[u8]>, TileError> {
    let mut out = Vec::new();
    while !bytes.is_empty() {
        let (len, rest) = bytes.split_first_chunk::<2>().ok_or(TileError::Truncated)?;
        let len = usize::from(u16::from_be_bytes(*len));
        if rest.len() < len {
            return Err(TileError::Truncated);
        }
        let (entry, rest) = rest.split_at(len);
        out.push(entry);
        bytes = rest;
    }
    Ok(out)
}

/// Every tile of a tree computed while streaming its leaf hashes, with at
/// most 255 hashes held per level: each full tile is handed out when its
/// last hash arrives, and the partial tiles of the tree so far are
/// [`TileBuilder::partial`].
#[derive(Debug, Clone, Default)]
pub struct TileBuilder {
    size: u64,
    /// Per level, the hashes of the tile being filled.
    open: Vec<Vec<Hash>>,
    /// Per level, how many full tiles were handed out.
    full: Vec<u64>,
}

impl TileBuilder {
    /// An empty tree.
    pub fn new() -> Self {
        Self::default()
    }

    /// The number of leaves so far.
    pub fn size(&self) -> u64 {
        self.size
    }

    /// Adds the next leaf by its hash ([`merkle::leaf_hash`]); returns the
    /// full tiles it completes with their hashes, level 0 first.
    pub fn push(&mut self, leaf: Hash) -> Vec<(Tile, Vec<Hash>)> {
        self.size += 1;
        let mut done = Vec::new();
        let mut h = leaf;
        let mut level = 0usize;
        loop {
            if self.open.len() <= level {
                self.open.push(Vec::with_capacity(usize::from(TILE_WIDTH)));
                self.full.push(0);
            }
            self.open[level].push(h);
            if self.open[level].len() < usize::from(TILE_WIDTH) {
                return done;
            }
            let hashes = std::mem::take(&mut self.open[level]);
            h = tile_root(&hashes);
            let tile = Tile {
                level: level as u8,
                index: self.full[level],
                width: TILE_WIDTH,
            };
            self.full[level] += 1;
            done.push((tile, hashes));
            level += 1;
        }
    }

    /// The partial tiles of the tree so far, with their hashes, level 0
    /// first (none where a level's last tile is full or empty).
    pub fn partial(&self) -> Vec<(Tile, Vec<Hash>)> {
        self.open
            .iter()
            .zip(&self.full)
            .enumerate()
            .filter(|(_, (hashes, _))| !hashes.is_empty())
            .map(|(level, (hashes, &index))| {
                let tile = Tile {
                    level: level as u8,
                    index,
                    width: hashes.len() as u16,
                };
                (tile, hashes.clone())
            })
            .collect()
    }

    /// The root of the tree so far, from the partial tiles (RFC 9162's MTH
    /// of the leaves pushed).
    pub fn root(&self) -> Hash {
        // The partial tiles' hashes, highest level first, are the subtrees
        // the tree splits into, left to right; grouped per tile, each
        // group is a left-aligned tree of its own.
        let mut parts: Vec<Hash> = Vec::new();
        for hashes in self.open.iter().rev() {
            let mut k = 0;
            while k < hashes.len() {
                // Split a partial tile into its power-of-two runs.
                let run = 1usize << (usize::BITS - 1 - (hashes.len() - k).leading_zeros());
                parts.push(tile_root(&hashes[k..k + run]));
                k += run;
            }
        }
        let mut iter = parts.iter().rev();
        let Some(mut h) = iter.next().copied() else {
            return merkle::empty_root();
        };
        for l in iter {
            h = merkle::node_hash(l, &h);
        }
        h
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn index_paths_are_the_specs_three_digit_groups() {
        // The spec's example.
        assert_eq!(index_path(1_234_067), "x001/x234/067");
        assert_eq!(index_path(0), "000");
        assert_eq!(index_path(5), "005");
        assert_eq!(index_path(999), "999");
        assert_eq!(index_path(1000), "x001/000");
        assert_eq!(index_path(1_000_000), "x001/x000/000");
        assert_eq!(index_path(u64::MAX), "x018/x446/x744/x073/x709/x551/615");
    }

    #[test]
    fn tile_and_entry_paths() {
        assert_eq!(
            tile_path(0, 1_234_067, 256).unwrap(),
            "tile/0/x001/x234/067"
        );
        assert_eq!(tile_path(1, 2, 17).unwrap(), "tile/1/002.p/17");
        assert_eq!(entries_path(3, 256).unwrap(), "tile/entries/003");
        assert_eq!(entries_path(1000, 1).unwrap(), "tile/entries/x001/000.p/1");
        assert!(tile_path(0, 0, 0).is_err());
        assert!(tile_path(0, 0, 257).is_err());
        // Beyond the largest tree: refused, not an overflow.
        assert!(tile_path(8, 1, 1).is_err());
        assert!(tile_path(0, u64::MAX, 1).is_err());
    }

    #[test]
    fn paths_parse_back_and_only_their_canonical_spelling() {
        for t in [
            Tile::new(0, 0, 256).unwrap(),
            Tile::new(0, 1_234_067, 255).unwrap(),
            Tile::new(2, 7, 1).unwrap(),
        ] {
            assert_eq!(parse_path(&t.path()), Ok(Resource::Tile(t)));
            if t.level == 0 {
                assert_eq!(parse_path(&t.entries_path()), Ok(Resource::Entries(t)));
            }
        }
        assert_eq!(parse_path("checkpoint"), Ok(Resource::Checkpoint));
        for bad in [
            "",
            "tile",
            "tile/0",
            "tile/0/",
            "tile/00/000",
            "tile/0/0",
            "tile/0/0000",
            "tile/0/x000/005",
            "tile/0/001/002",
            "tile/0/x1/002",
            "tile/0/000.p/0",
            "tile/0/000.p/256",
            "tile/0/000.p/017",
            "tile/0/000.p/",
            "tile/64/000",
            "tile/-1/000",
            "tile/+1/000",
            "tile/entries/000.p/x",
            "tile/data/000",
            "/tile/0/000",
            "tile/0/000/",
            "tile/0/x018/x446/x744/x073/x709/x551/616",
            "checkpoint/",
        ] {
            assert!(parse_path(bad).is_err(), "{bad:?} must be refused");
        }
    }

    #[test]
    fn tiles_of_the_specs_example_sizes() {
        // "a tree of size 70,000 will be represented by 273 full level 0
        // tiles, one partial level 0 tile of width 112, one full level 1
        // tile, one partial level 1 tile of width 17, and one partial level
        // 2 tile of width 1."
        let tiles = tiles_for_size(70_000);
        let count = |level: u8, full: bool| {
            tiles
                .iter()
                .filter(|t| t.level == level && t.is_full() == full)
                .count()
        };
        assert_eq!(count(0, true), 273);
        assert_eq!(count(1, true), 1);
        assert_eq!(count(2, true), 0);
        assert_eq!(
            partial_tiles(70_000),
            [
                Tile::new(0, 273, 112).unwrap(),
                Tile::new(1, 1, 17).unwrap(),
                Tile::new(2, 0, 1).unwrap()
            ]
        );
        assert_eq!(tiles.len(), 273 + 1 + 1 + 1 + 1);
        assert!(tiles.iter().all(|t| t.fits(70_000)));
        // "a tree of size 256 will be represented by a full level 0 tile
        // and a partial level 1 tile of width 1."
        assert_eq!(
            tiles_for_size(256),
            [Tile::new(0, 0, 256).unwrap(), Tile::new(1, 0, 1).unwrap()]
        );
        assert_eq!(tiles_for_size(0), []);
        assert_eq!(tiles_for_size(1), [Tile::new(0, 0, 1).unwrap()]);
    }

    #[test]
    fn fits_says_which_trees_hold_a_tile() {
        let t = Tile::new(1, 0, 1).unwrap();
        assert!(!t.fits(255));
        assert!(t.fits(256));
        let t = Tile::new(0, 1, 1).unwrap();
        assert!(!t.fits(256));
        assert!(t.fits(257));
        assert!(!Tile {
            level: 0,
            index: 0,
            width: 0
        }
        .fits(10));
        assert!(!Tile {
            level: 63,
            index: 0,
            width: 1
        }
        .fits(u64::MAX));
    }

    #[test]
    fn hash_indexes_are_the_stored_layouts() {
        let t = Tile::new(1, 2, 3).unwrap();
        assert_eq!(
            t.hash_indexes(),
            (512..515)
                .map(|n| merkle::stored_hash_index(8, n))
                .collect::<Vec<_>>()
        );
    }

    #[test]
    fn bundles_are_u16_length_prefixed() {
        let b = bundle(0, [&b"ab"[..], b"", b"xyz"]).unwrap();
        assert_eq!(b, b"\x00\x02ab\x00\x00\x00\x03xyz");
        assert_eq!(parse_bundle(&b).unwrap(), [&b"ab"[..], b"", b"xyz"]);
        let big = vec![7u8; MAX_BUNDLE_ENTRY];
        let b = bundle(0, [big.as_slice()]).unwrap();
        assert_eq!(&b[..2], [0xff, 0xff]);
        assert_eq!(parse_bundle(&b).unwrap(), [big.as_slice()]);
        let too_big = vec![7u8; MAX_BUNDLE_ENTRY + 1];
        assert_eq!(
            bundle(5, [&b"a"[..], too_big.as_slice()]),
            Err(TileError::EntryTooLarge {
                seq: 6,
                len: MAX_BUNDLE_ENTRY + 1
            })
        );
        assert_eq!(parse_bundle(b"\x00"), Err(TileError::Truncated));
        assert_eq!(parse_bundle(b"\x00\x03ab"), Err(TileError::Truncated));
        assert_eq!(parse_bundle(b""), Ok(vec![]));
    }

    #[test]
    fn the_builder_gives_every_tile_of_the_stored_layout() {
        // The stored layout, built by the merkle module.
        let mut stored: Vec<Hash> = Vec::new();
        let mut b = TileBuilder::new();
        let mut roots = merkle::RootBuilder::new();
        let mut full: Vec<(Tile, Vec<Hash>)> = Vec::new();
        for n in 0..(256 * 256 + 300u64) {
            let leaf = merkle::leaf_hash(&n.to_le_bytes());
            stored.extend(roots.push_hash(leaf));
            full.extend(b.push(leaf));
            let size = n + 1;
            if [1, 255, 256, 257, 65_535, 65_536, 65_537, 65_836].contains(&size) {
                assert_eq!(b.root(), roots.root(), "root at {size}");
                let mut all: Vec<(Tile, Vec<Hash>)> = full.clone();
                all.extend(b.partial());
                all.sort_by_key(|(t, _)| (t.level, t.index));
                assert_eq!(
                    all.iter().map(|(t, _)| *t).collect::<Vec<_>>(),
                    tiles_for_size(size),
                    "tiles at {size}"
                );
                for (t, hashes) in &all {
                    let want: Vec<Hash> = t
                        .hash_indexes()
                        .iter()
                        .map(|&i| stored[i as usize])
                        .collect();
                    assert_eq!(hashes, &want, "tile {t:?} at {size}");
                }
            }
        }
    }
}
