//! The ledger as C2SP tlog-tiles (`accord_core::tiles`): the bytes of one
//! tile or entry bundle (for a server), and publishing a whole tile set
//! under a checkpoint to a directory that any static web server, object
//! store or CDN can serve.
//!
//! Publishing checks the checkpoint against this ledger
//! ([`Ledger::match_checkpoint`], after a verifying replay), recomputes
//! every tile from the entries' bytes and refuses if the tree kept in
//! derived data disagrees (so a server reading derived data serves the
//! same), and writes each file whole (scratch file, sync, rename), the
//! checkpoint last, so that a reader never sees a half-written file nor a
//! checkpoint naming a file not yet there. Full tiles and bundles already
//! present are compared, never rewritten; one that differs is another
//! log's, and publishing stops. This module never signs, never appends,
//! and never deletes a file.

use std::collections::BTreeSet;
use std::io::{Read, Write};
use std::path::{Path, PathBuf};

use accord_core::checkpoint::Checkpoint;
use accord_core::merkle::{self, Hash, RootBuilder};
use accord_core::note::{Note, MAX_NOTE_BYTES};
use accord_core::tiles::{self, Tile, TileBuilder, TileError, TILE_WIDTH};
use accord_store::Store;

use crate::checkpoint::CheckpointError;
use crate::{Ledger, LedgerError};

/// Why a tile or bundle could not be given, or a tile set not published.
#[derive(Debug, thiserror::Error)]
pub enum TilesError {
    /// The tile or bundle asked for is not in the tree of this size.
    #[error("no tile at level {level}, index {index}, width {width} in a tree of {size} entries")]
    NotInTree {
        /// The level asked for.
        level: u8,
        /// The index asked for.
        index: u64,
        /// The width asked for.
        width: u16,
        /// The tree's size.
        size: u64,
    },
    /// An entry that an entry bundle cannot hold, or a bad tile.
    #[error("{0}: this ledger cannot be published as tlog tiles")]
    Tile(#[from] TileError),
    /// The checkpoint does not match this ledger.
    #[error("{0}")]
    Checkpoint(#[from] CheckpointError),
    /// The tree kept in derived data disagrees with the entries.
    #[error("{path} from the Merkle tree kept beside the entries disagrees with the entries: nothing new was published; run `accord doctor` to rebuild it, then publish again")]
    DerivedTree {
        /// The tile's path.
        path: String,
    },
    /// A file already in the directory holds other bytes than this
    /// ledger's at that place.
    #[error("{} is not this ledger's ({why}): the directory holds another log or a damaged copy; publish into an empty directory", .path.display())]
    Foreign {
        /// The file.
        path: PathBuf,
        /// What differs.
        why: String,
    },
    /// The directory's checkpoint is newer than the one to publish.
    #[error("{} already covers {have} entries, more than this checkpoint's {size}: publishing it would take readers back; publish a newer checkpoint", .path.display())]
    Rollback {
        /// The directory's checkpoint file.
        path: PathBuf,
        /// Its size.
        have: u64,
        /// The size of the checkpoint to publish.
        size: u64,
    },
    /// The root of the tiles is not the checkpoint's (the entries changed
    /// while publishing).
    #[error("the tiles' root hash is not the checkpoint's: nothing new was published; run `accord verify`")]
    Root,
    /// Reading or writing a file failed.
    #[error("cannot write {}: {source}", .path.display())]
    Io {
        /// The file or directory.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },
    /// Reading the ledger failed.
    #[error("{0}")]
    Ledger(#[from] LedgerError),
}

/// What a publish did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Published {
    /// The checkpoint's tree size.
    pub size: u64,
    /// Its root hash.
    pub root: Hash,
    /// Tiles written (new full tiles, and the partial ones).
    pub tiles_written: u64,
    /// Full tiles already there, identical, left alone.
    pub tiles_kept: u64,
    /// Entry bundles written (new full ones, and the partial one).
    pub bundles_written: u64,
    /// Full entry bundles already there, identical, left alone.
    pub bundles_kept: u64,
    /// Bytes written, the checkpoint included.
    pub bytes_written: u64,
}

/// Whether a file may already be there with the same bytes (full tiles
/// and bundles: compared, kept) or is written every time (partial ones).
#[derive(Clone, Copy, PartialEq, Eq)]
enum Kind {
    Immutable,
    Replace,
}

/// The directory being published into: where files go, and which
/// directories must be synced before the checkpoint is written.
struct Out<'a> {
    dir: &'a Path,
    touched: BTreeSet<PathBuf>,
    bytes: u64,
}

fn io(path: &Path) -> impl FnOnce(std::io::Error) -> TilesError + '_ {
    move |source| TilesError::Io {
        path: path.to_owned(),
        source,
    }
}

impl Out<'_> {
    /// Puts `bytes` at `rel`; true if written, false if kept.
    fn put(&mut self, rel: &str, bytes: &[u8], kind: Kind) -> Result<bool, TilesError> {
        let path = self.dir.join(rel);
        if kind == Kind::Immutable {
            match std::fs::metadata(&path) {
                Ok(m) if m.len() == bytes.len() as u64 => {
                    let mut have = Vec::with_capacity(bytes.len());
                    std::fs::File::open(&path)
                        .and_then(|f| f.take(bytes.len() as u64).read_to_end(&mut have))
                        .map_err(io(&path))?;
                    if have != bytes {
                        return Err(TilesError::Foreign {
                            path,
                            why: "other bytes".into(),
                        });
                    }
                    return Ok(false);
                }
                Ok(m) => {
                    return Err(TilesError::Foreign {
                        why: format!("{} bytes where this ledger has {}", m.len(), bytes.len()),
                        path,
                    })
                }
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
                Err(e) => return Err(io(&path)(e)),
            }
        }
        self.write(&path, bytes)?;
        Ok(true)
    }

    /// Writes `bytes` to a scratch file beside `path`, synced, then renamed
    /// over it.
    fn write(&mut self, path: &Path, bytes: &[u8]) -> Result<(), TilesError> {
        let parent = path.parent().unwrap_or(self.dir);
        std::fs::create_dir_all(parent).map_err(io(parent))?;
        let name = path.file_name().unwrap_or_default().to_string_lossy();
        let scratch = parent.join(format!(".{name}.{}.tmp", std::process::id()));
        let written = (|| {
            let mut f = std::fs::File::create(&scratch)?;
            f.write_all(bytes)?;
            f.sync_all()?;
            std::fs::rename(&scratch, path)
        })();
        if let Err(e) = written {
            let _ = std::fs::remove_file(&scratch);
            return Err(io(path)(e));
        }
        // The new name, and any directory created for it, must reach the
        // disk too: every directory from the file's up to `dir`.
        let mut d = Some(parent);
        while let Some(p) = d.filter(|p| p.starts_with(self.dir)) {
            self.touched.insert(p.to_owned());
            d = p.parent();
        }
        self.bytes += bytes.len() as u64;
        Ok(())
    }

    fn sync_dirs(&mut self) -> Result<(), TilesError> {
        for d in std::mem::take(&mut self.touched) {
            std::fs::File::open(&d)
                .and_then(|f| f.sync_all())
                .map_err(io(&d))?;
        }
        Ok(())
    }
}

/// The checkpoint already in the directory, if any.
fn published_checkpoint(path: &Path) -> Result<Option<Checkpoint>, TilesError> {
    let mut bytes = Vec::new();
    match std::fs::File::open(path) {
        Ok(f) => {
            f.take(MAX_NOTE_BYTES as u64 + 1)
                .read_to_end(&mut bytes)
                .map_err(io(path))?;
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(io(path)(e)),
    }
    let foreign = |why: String| TilesError::Foreign {
        path: path.to_owned(),
        why,
    };
    let note = Note::parse(&bytes).map_err(|e| foreign(e.to_string()))?;
    let cp = Checkpoint::parse_body(note.text()).map_err(|e| foreign(e.to_string()))?;
    Ok(Some(cp))
}

impl<S: Store> Ledger<S> {
    /// The bytes of tile `(level, index)` at `width` (1 to 256; 256 is
    /// full) in the tree of all entries: its hashes, concatenated, as kept
    /// in derived data. A client checks them against a checkpoint; a
    /// server should serve partial tiles only for sizes it has a
    /// checkpoint of ([`Tile::fits`]).
    pub fn tile(&mut self, level: u8, index: u64, width: u16) -> Result<Vec<u8>, TilesError> {
        let size = self.tree_size()?;
        let t = Tile {
            level,
            index,
            width,
        };
        if !t.fits(size) {
            return Err(TilesError::NotInTree {
                level,
                index,
                width,
                size,
            });
        }
        self.chain()?;
        Ok(tiles::tile_bytes(
            &self.stored_tree_hashes(&t.hash_indexes())?,
        ))
    }

    /// The entry bundle `index` at `width` (1 to 256): entries
    /// `index * 256` on, each its canonical bytes after a big-endian `u16`
    /// length.
    pub fn entry_bundle(&self, index: u64, width: u16) -> Result<Vec<u8>, TilesError> {
        let size = self.tree_size()?;
        let t = Tile {
            level: 0,
            index,
            width,
        };
        if !t.fits(size) {
            return Err(TilesError::NotInTree {
                level: 0,
                index,
                width,
                size,
            });
        }
        let mut out = Vec::new();
        for (seq, bytes) in self.raw_entries(t.start_leaf(), u64::from(width))? {
            tiles::push_bundle_entry(&mut out, seq, &bytes)?;
        }
        Ok(out)
    }

    /// Entries `from..from + count`, raw, checked to be all there.
    fn raw_entries(&self, from: u64, count: u64) -> Result<Vec<(u64, Vec<u8>)>, LedgerError> {
        let mut out = Vec::with_capacity(count as usize);
        for (want, item) in (from..from + count).zip(self.store().scan(from)) {
            let (seq, bytes) = item?;
            if seq != want {
                return Err(LedgerError::Damaged {
                    seq: want,
                    reason: format!("entry {want} is missing"),
                });
            }
            out.push((seq, bytes));
        }
        if out.len() as u64 != count {
            let seq = from + out.len() as u64;
            return Err(LedgerError::Damaged {
                seq,
                reason: format!("entry {seq} is missing"),
            });
        }
        Ok(out)
    }

    /// Publishes the tile set of `checkpoint` (a checkpoint of this ledger
    /// signed by a party, cosignatures kept as given) to `dir`: every full
    /// tile and entry bundle below its size, the partial ones of its size,
    /// then `checkpoint`. Incremental: full tiles and bundles already in
    /// `dir` are checked, not rewritten.
    pub fn publish_tiles(
        &mut self,
        dir: &Path,
        checkpoint: &Note,
    ) -> Result<Published, TilesError> {
        // Keys from a verifying replay, never from derived data.
        let state = self.replay()?;
        let matched = self.match_checkpoint(checkpoint, state.charter(), state.keyring())?;
        let cp = matched.checkpoint;
        let cp_path = dir.join("checkpoint");
        let before = published_checkpoint(&cp_path)?;
        if let Some(old) = &before {
            if old.ledger != cp.ledger {
                return Err(TilesError::Foreign {
                    path: cp_path,
                    why: format!("a checkpoint of ledger {}", old.ledger),
                });
            }
            if old.size > cp.size {
                return Err(TilesError::Rollback {
                    path: cp_path,
                    have: old.size,
                    size: cp.size,
                });
            }
        }
        std::fs::create_dir_all(dir).map_err(io(dir))?;
        self.chain()?;
        let mut out = Out {
            dir,
            touched: BTreeSet::new(),
            bytes: 0,
        };
        let mut done = Published {
            size: cp.size,
            root: cp.root,
            ..Published::default()
        };
        let mut builder = TileBuilder::new();
        let mut roots = RootBuilder::new();
        let mut start = 0;
        while start < cp.size {
            let count = (cp.size - start).min(u64::from(TILE_WIDTH));
            let mut bundle = Vec::new();
            let mut full = Vec::new();
            for (seq, bytes) in self.raw_entries(start, count)? {
                tiles::push_bundle_entry(&mut bundle, seq, &bytes)?;
                let leaf = merkle::leaf_hash(&bytes);
                full.extend(builder.push(leaf));
                roots.push_hash(leaf);
                if let Some(old) = before.as_ref().filter(|o| o.size == roots.size()) {
                    if roots.root() != old.root {
                        return Err(TilesError::Foreign {
                            path: cp_path,
                            why: format!("its root at size {} is not this ledger's", old.size),
                        });
                    }
                }
            }
            let btile = Tile {
                level: 0,
                index: start / u64::from(TILE_WIDTH),
                width: count as u16,
            };
            let kind = match btile.is_full() {
                true => Kind::Immutable,
                false => Kind::Replace,
            };
            for (t, hashes) in &full {
                self.publish_tile(&mut out, &mut done, t, hashes, Kind::Immutable)?;
            }
            match out.put(&btile.entries_path(), &bundle, kind)? {
                true => done.bundles_written += 1,
                false => done.bundles_kept += 1,
            }
            start += count;
        }
        if builder.root() != cp.root || roots.root() != cp.root {
            return Err(TilesError::Root);
        }
        for (t, hashes) in builder.partial() {
            self.publish_tile(&mut out, &mut done, &t, &hashes, Kind::Replace)?;
        }
        // Everything the checkpoint points to is on disk before it is.
        out.sync_dirs()?;
        out.write(&cp_path, checkpoint.format().as_bytes())?;
        out.sync_dirs()?;
        done.bytes_written = out.bytes;
        Ok(done)
    }

    /// Checks one recomputed tile against derived data, then puts it.
    fn publish_tile(
        &mut self,
        out: &mut Out<'_>,
        done: &mut Published,
        t: &Tile,
        hashes: &[Hash],
        kind: Kind,
    ) -> Result<(), TilesError> {
        if self.stored_tree_hashes(&t.hash_indexes())? != hashes {
            return Err(TilesError::DerivedTree { path: t.path() });
        }
        match out.put(&t.path(), &tiles::tile_bytes(hashes), kind)? {
            true => done.tiles_written += 1,
            false => done.tiles_kept += 1,
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::synth;
    use accord_store::MemStore;

    fn ledger(entries: u64) -> Ledger<MemStore> {
        let mut l = Ledger::init(
            MemStore::default(),
            synth::charter(),
            &synth::key(3),
            synth::START,
        )
        .unwrap();
        synth::extend(&mut l, entries - 1).unwrap();
        l
    }

    fn files(dir: &Path, under: &Path, out: &mut BTreeSet<String>) {
        for e in std::fs::read_dir(under).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                files(dir, &p, out);
            } else {
                out.insert(p.strip_prefix(dir).unwrap().to_string_lossy().into_owned());
            }
        }
    }

    #[test]
    fn tiles_and_bundles_served_are_the_ones_recomputed_from_the_entries() {
        let mut l = ledger(600);
        let entries: Vec<Vec<u8>> = l.store().scan(0).map(|e| e.unwrap().1).collect();
        let mut b = TileBuilder::new();
        let mut want = Vec::new();
        for e in &entries {
            want.extend(b.push(merkle::leaf_hash(e)));
        }
        want.extend(b.partial());
        assert_eq!(
            want.iter().map(|(t, _)| *t).collect::<BTreeSet<_>>(),
            tiles::tiles_for_size(600).into_iter().collect()
        );
        for (t, hashes) in &want {
            assert_eq!(
                l.tile(t.level, t.index, t.width).unwrap(),
                tiles::tile_bytes(hashes)
            );
        }
        // A partial tile narrower than the tree's is there too (an older
        // checkpoint's).
        assert_eq!(l.tile(0, 2, 1).unwrap(), tiles::tile_bytes(&want[2].1[..1]));
        for (index, width) in [(0, 256), (1, 256), (2, 88), (2, 3)] {
            let bundle = l.entry_bundle(index, width).unwrap();
            let first = index as usize * 256;
            assert_eq!(
                tiles::parse_bundle(&bundle).unwrap(),
                entries[first..first + usize::from(width)]
                    .iter()
                    .map(Vec::as_slice)
                    .collect::<Vec<_>>()
            );
        }
        for (level, index, width) in [(0, 2, 89), (0, 3, 1), (1, 0, 3), (2, 0, 1), (0, 0, 0)] {
            assert!(matches!(
                l.tile(level, index, width),
                Err(TilesError::NotInTree { size: 600, .. })
            ));
        }
        assert!(matches!(
            l.entry_bundle(2, 89),
            Err(TilesError::NotInTree { .. })
        ));
        assert!(matches!(
            l.entry_bundle(0, 257),
            Err(TilesError::NotInTree { .. })
        ));
    }

    #[test]
    fn a_publish_writes_exactly_the_tile_set_and_the_checkpoint() {
        let mut l = ledger(300);
        let (note, _) = l.checkpoint(&synth::key(3)).unwrap();
        let dir = tempfile::tempdir().unwrap();
        let done = l.publish_tiles(dir.path(), &note).unwrap();
        assert_eq!(
            (done.size, done.tiles_written, done.bundles_written),
            (300, 3, 2)
        );
        let mut got = BTreeSet::new();
        files(dir.path(), dir.path(), &mut got);
        let mut want: BTreeSet<String> =
            tiles::tiles_for_size(300).iter().map(Tile::path).collect();
        want.extend(
            tiles::tiles_for_size(300)
                .iter()
                .filter(|t| t.level == 0)
                .map(Tile::entries_path),
        );
        want.insert("checkpoint".into());
        // No scratch file is left behind.
        assert_eq!(got, want);
        assert_eq!(
            std::fs::read(dir.path().join("checkpoint")).unwrap(),
            note.format().as_bytes()
        );
        // Again: the full tile and bundle are kept.
        let again = l.publish_tiles(dir.path(), &note).unwrap();
        assert_eq!((again.tiles_kept, again.bundles_kept), (1, 1));
    }
}
