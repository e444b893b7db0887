//! The JSON shapes of inclusion and consistency proofs, as `accord proof
//! --json` prints them and the server answers them (hashes in base64, as
//! C2SP's tlog specs print them; the proof leaf or old tree first). One
//! rendering for both, so the two cannot drift. Reads only.

use accord_core::merkle;
use accord_store::Store;
use base64::Engine;
use serde_json::{json, Value};

use crate::{Ledger, LedgerError};

fn b64(hash: &[u8]) -> String {
    base64::engine::general_purpose::STANDARD.encode(hash)
}

impl<S: Store> Ledger<S> {
    /// Entry `seq`'s inclusion proof in the tree of `size` entries, as
    /// `{"size","root","index","leaf_hash","proof"}`.
    pub fn inclusion_json(&mut self, seq: u64, size: u64) -> Result<Value, LedgerError> {
        let proof = self.inclusion_proof(seq, size)?;
        let root = self.tree_root(size)?;
        let leaf = merkle::leaf_hash(&self.entry(seq)?.bytes);
        Ok(json!({
            "size": size,
            "root": b64(&root),
            "index": seq,
            "leaf_hash": b64(&leaf),
            "proof": proof.iter().map(|h| b64(h)).collect::<Vec<_>>(),
        }))
    }

    /// The consistency proof from the tree of `old` entries to the tree of
    /// `new`, as `{"old","new","old_root","new_root","proof"}`.
    pub fn consistency_json(&mut self, old: u64, new: u64) -> Result<Value, LedgerError> {
        let proof = self.consistency_proof(old, new)?;
        let old_root = self.tree_root(old)?;
        let new_root = self.tree_root(new)?;
        Ok(json!({
            "old": old,
            "new": new,
            "old_root": b64(&old_root),
            "new_root": b64(&new_root),
            "proof": proof.iter().map(|h| b64(h)).collect::<Vec<_>>(),
        }))
    }
}
