//! The keys entries put forward (charter keys, rotations, replacements,
//! parties added by amendment),
//! learnt in order, and signature checks against them, on every core. A
//! check here only says whether the key with the id an entry names signed
//! it; whether that key was the author's key at that position is the
//! gate's question, never answered here.

use std::collections::{HashMap, HashSet};

use accord_core::{CharterChange, Event, KeyId, PublicKey, Sealed, State};
use ed25519_dalek::VerifyingKey;

use super::report::Decoded;

/// A worker's verdict on one entry's signature.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum Checked {
    Good,
    Bad,
    /// Signed by a key put forward by an entry the worker had not seen:
    /// checked again, in order, by the admitting thread.
    UnknownKey,
}

/// Every key any entry has put forward (charter keys, rotations,
/// replacements), by id. A signature is checked here against the key with
/// the id the entry names; whether that key was the author's key at that
/// position is the rules' question, answered in order by `admit_checked`.
#[derive(Default, Clone)]
pub(crate) struct KnownKeys(HashMap<KeyId, VerifyingKey>);

impl KnownKeys {
    /// Every key the state's keyring has held, for any party.
    pub(crate) fn of(state: &State) -> KnownKeys {
        KnownKeys::of_matching(state, |_| true)
    }

    /// The keys the state's keyring has held whose id is among those
    /// `entries` name: a few entries need a few keys decompressed, not
    /// every party's.
    pub(crate) fn for_entries(state: &State, entries: &[Sealed]) -> KnownKeys {
        let named: HashSet<KeyId> = entries.iter().map(|e| e.entry.body.author.key).collect();
        KnownKeys::of_matching(state, |id| named.contains(id))
    }

    fn of_matching(state: &State, wanted: impl Fn(&KeyId) -> bool) -> KnownKeys {
        let mut keys = KnownKeys::default();
        for party in &state.charter().parties {
            for span in state.keyring().history(&party.id) {
                if !wanted(&span.key.id()) {
                    continue;
                }
                if let Ok(vk) = span.key.verifying_key() {
                    keys.0.insert(span.key.id(), vk);
                }
            }
        }
        keys
    }

    pub(crate) fn puts_forward(entry: &Sealed) -> bool {
        matches!(
            &entry.entry.body.event,
            Event::Charter(_)
                | Event::KeyRotated { .. }
                | Event::KeyRotatedUnproven { .. }
                | Event::KeyRevocationProposed {
                    replacement: Some(_),
                    ..
                }
        ) || matches!(&entry.entry.body.event, Event::AmendmentProposed { changes, .. }
            if changes.iter().any(|c| matches!(c, CharterChange::AddParty { .. })))
    }

    pub(crate) fn learn(&mut self, entry: &Sealed) {
        let mut add = |k: &PublicKey| {
            if let Ok(vk) = k.verifying_key() {
                self.0.insert(k.id(), vk);
            }
        };
        match &entry.entry.body.event {
            Event::Charter(c) => c.parties.iter().for_each(|p| add(&p.key)),
            Event::KeyRotated { new_key, .. } | Event::KeyRotatedUnproven { new_key } => {
                add(new_key)
            }
            Event::KeyRevocationProposed {
                replacement: Some(k),
                ..
            } => add(k),
            Event::AmendmentProposed { changes, .. } => {
                for c in changes {
                    if let CharterChange::AddParty { key, .. } = c {
                        add(key);
                    }
                }
            }
            _ => {}
        }
    }

    /// Whether `entry` decoded and carries a good signature by the key it
    /// names, or names a key not known here.
    pub(crate) fn checked(&self, entry: &Decoded) -> Checked {
        let Ok(e) = entry else {
            return Checked::Bad;
        };
        match self.0.get(&e.entry.body.author.key) {
            None => Checked::UnknownKey,
            Some(vk) if e.verify_with(vk) => Checked::Good,
            Some(_) => Checked::Bad,
        }
    }

    fn check_sealed(&self, e: &Sealed) -> bool {
        self.0
            .get(&e.entry.body.author.key)
            .is_some_and(|vk| e.verify_with(vk))
    }

    /// The signature checks of `entries`, split across the machine's cores.
    pub(crate) fn check_all(&self, entries: &[Sealed]) -> Vec<bool> {
        let threads = std::thread::available_parallelism().map_or(1, |n| n.get());
        if threads < 2 || entries.len() < 64 {
            return entries.iter().map(|e| self.check_sealed(e)).collect();
        }
        std::thread::scope(|scope| {
            let parts: Vec<_> = entries
                .chunks(entries.len().div_ceil(threads))
                .map(|part| {
                    let worker = scope.spawn(move || {
                        part.iter()
                            .map(|e| self.check_sealed(e))
                            .collect::<Vec<bool>>()
                    });
                    (part, worker)
                })
                .collect();
            parts
                .into_iter()
                .flat_map(|(part, worker)| {
                    // A worker that died is not evidence against its
                    // entries: check them again here (a second failure is
                    // the caller's to report, never a refusal).
                    worker
                        .join()
                        .unwrap_or_else(|_| part.iter().map(|e| self.check_sealed(e)).collect())
                })
                .collect()
        })
    }
}
