//! A small ledger built in memory, its tree, a cosigned checkpoint, and
//! bundles over them: one that verifies and each way one is refused.

use ed25519_dalek::SigningKey;
use sha2::{Digest, Sha256};

use super::*;
use crate::charter::tests::sample;
use crate::checkpoint::Checkpoint;
use crate::crypto::{possession_message, public_key, sign};
use crate::entry::{Author, EntryBody, Head};
use crate::ids::{ClauseId, EntryHash, RevocationId};
use crate::note::Note;
use crate::{keycommit, Event, Sealed, State, FORMAT_VERSION};

fn key(seed: u8) -> SigningKey {
    SigningKey::from_bytes(&[seed; 32])
}

fn party(id: &str) -> PartyId {
    PartyId::new(id).unwrap()
}

fn leaf(bytes: &[u8]) -> [u8; 32] {
    Sha256::new()
        .chain_update([0])
        .chain_update(bytes)
        .finalize()
        .into()
}

fn node(l: [u8; 32], r: [u8; 32]) -> [u8; 32] {
    Sha256::new()
        .chain_update([1])
        .chain_update(l)
        .chain_update(r)
        .finalize()
        .into()
}

/// RFC 9162 MTH over leaf hashes, by its recursive definition.
fn root(leaves: &[[u8; 32]]) -> [u8; 32] {
    match leaves.len() {
        0 => Sha256::digest([]).into(),
        1 => leaves[0],
        n => {
            let k = split(n);
            node(root(&leaves[..k]), root(&leaves[k..]))
        }
    }
}

fn split(n: usize) -> usize {
    let mut k = 1;
    while k * 2 < n {
        k *= 2;
    }
    k
}

/// RFC 9162 PATH(m, D[n]), by its recursive definition.
fn path(m: usize, leaves: &[[u8; 32]]) -> Vec<[u8; 32]> {
    if leaves.len() <= 1 {
        return Vec::new();
    }
    let k = split(leaves.len());
    if m < k {
        let mut p = path(m, &leaves[..k]);
        p.push(root(&leaves[k..]));
        p
    } else {
        let mut p = path(m - k, &leaves[k..]);
        p.push(root(&leaves[..k]));
        p
    }
}

/// Entries 0..=9 of a ledger: the charter (by un), clause C1 proposed by
/// tr, endorsed by ru; ru rotates its key (entry 3) and proposes C2 with
/// the new one; gov's key is revoked and replaced by quorum (entries 5-7);
/// gov and tr then sign.
struct Ledger {
    entries: Vec<Sealed>,
}

const T0: i64 = 1_485_162_000;

impl Ledger {
    fn build() -> Ledger {
        let charter = sample();
        let body = EntryBody {
            version: FORMAT_VERSION,
            ledger: EntryHash::ZERO,
            seq: 0,
            prev: EntryHash::ZERO,
            time: T0,
            author: Author {
                party: party("un"),
                key: public_key(&key(4)).id(),
            },
            author_seq: 1,
            seen: Head {
                seq: 0,
                hash: EntryHash::ZERO,
            },
            event: Event::Charter(charter),
        };
        let e0 = body.sign(&key(4)).unwrap();
        let mut state = State::genesis(&e0).unwrap();
        let ledger = state.ledger_id();
        let mut entries = vec![e0];
        let mut add = |state: &mut State, signer: u8, event: Event| {
            let time = T0 + 60 * entries.len() as i64;
            let e = state.sign_next(&key(signer), time, event).unwrap();
            state.admit(&e).unwrap();
            entries.push(e.clone());
            e
        };
        let c1 = ClauseId::new("C1").unwrap();
        let proposal = add(
            &mut state,
            1,
            Event::ClauseProposed {
                id: c1.clone(),
                title: "Monitoring".into(),
                text: "A trilateral mechanism.".into(),
            },
        );
        add(
            &mut state,
            2,
            Event::ClauseEndorsed {
                clause: c1.clone(),
                proposal: proposal.hash,
            },
        );
        let new_ru = public_key(&key(12));
        add(
            &mut state,
            2,
            Event::KeyRotated {
                new_key: new_ru,
                proof: sign(
                    &key(12),
                    &possession_message(&ledger, &party("ru"), &new_ru).unwrap(),
                ),
            },
        );
        add(
            &mut state,
            12,
            Event::ClauseProposed {
                id: ClauseId::new("C2").unwrap(),
                title: "Humanitarian access".into(),
                text: "Convoys pass.".into(),
            },
        );
        let rid = RevocationId::new("V1").unwrap();
        let revocation = add(
            &mut state,
            1,
            Event::KeyRevocationProposed {
                id: rid.clone(),
                party: party("gov"),
                reason: "lost".into(),
                replacement: Some(public_key(&key(15))),
            },
        );
        for g in [12, 3] {
            add(
                &mut state,
                g,
                Event::KeyRevocationEndorsed {
                    revocation: rid.clone(),
                    proposal: revocation.hash,
                },
            );
        }
        add(
            &mut state,
            15,
            Event::ClauseAccepted {
                clause: c1.clone(),
                proposal: proposal.hash,
            },
        );
        add(
            &mut state,
            1,
            Event::ClauseEndorsed {
                clause: c1,
                proposal: proposal.hash,
            },
        );
        Ledger { entries }
    }

    fn leaves(&self) -> Vec<[u8; 32]> {
        self.entries.iter().map(|e| leaf(&e.bytes)).collect()
    }

    fn proven(&self, seq: u64) -> ProvenEntry {
        ProvenEntry {
            seq,
            bytes: self.entries[seq as usize].bytes.clone(),
            proof: path(seq as usize, &self.leaves()),
        }
    }

    fn key_events(&self) -> Vec<u64> {
        self.entries
            .iter()
            .filter(|e| keycommit::is_key_event(&e.entry.body.event))
            .map(Sealed::seq)
            .collect()
    }

    /// The checkpoint at the head, signed by tr and cosigned by the
    /// `cosigners` (seed, name, time).
    fn checkpoint(&self, cosigners: &[(u8, &str, i64)]) -> String {
        let cp = Checkpoint {
            ledger: self.entries[0].hash,
            size: self.entries.len() as u64,
            root: root(&self.leaves()),
            keys: keycommit::digest(
                self.key_events()
                    .iter()
                    .map(|&s| (s, &self.entries[s as usize].hash)),
            ),
        };
        let mut note = Note::new(cp.body()).unwrap();
        note.sign("tr", &key(1)).unwrap();
        for (seed, name, time) in cosigners {
            note.cosign(name, &key(*seed), *time).unwrap();
        }
        note.format()
    }

    fn bundle(&self, chosen: &[u64]) -> Bundle {
        Bundle {
            version: BUNDLE_VERSION,
            checkpoint: self.checkpoint(&[(1, "tr", T0 + 7200), (12, "ru", T0 + 3600)]),
            key_events: self
                .key_events()
                .into_iter()
                .map(|s| self.proven(s))
                .collect(),
            entries: chosen.iter().map(|&s| self.proven(s)).collect(),
        }
    }
}

fn refusal(bundle: &Bundle) -> BundleError {
    check(bundle, &Policy::default()).unwrap_err()
}

#[test]
fn a_bundle_verifies_with_keys_replayed_through_rotation_and_revocation() {
    let l = Ledger::build();
    assert_eq!(l.key_events(), vec![0, 3, 5, 6, 7]);
    let b = l.bundle(&[2, 4, 8]);
    let v = check(&b, &Policy::default()).unwrap();
    assert_eq!(v.size, 10);
    assert_eq!(v.signer, party("tr"));
    assert_eq!(v.key_events, 5);
    let seqs: Vec<u64> = v.entries.iter().map(|e| e.seq).collect();
    assert_eq!(seqs, vec![2, 4, 8]);
    assert_eq!(v.entries[0].author, party("ru"));
    assert_eq!(v.entries[0].key, public_key(&key(2)).id());
    assert_eq!(v.entries[1].key, public_key(&key(12)).id());
    assert_eq!(v.entries[2].author, party("gov"));
    assert_eq!(v.entries[2].key, public_key(&key(15)).id());
    assert_eq!(v.entries[0].says, "endorses clause C1");
    assert_eq!(v.entries[0].time, T0 + 120);
    // Cosigned by ru at T0+1h and tr at T0+2h: a quorum of two by T0+2h.
    assert_eq!(
        v.cosigners,
        vec![(party("ru"), T0 + 3600), (party("tr"), T0 + 7200)]
    );
    assert_eq!(v.time_bound.time, T0 + 7200);
    assert_eq!(v.time_bound.by, vec![party("ru"), party("tr")]);
    // With a quorum of one, the earliest cosignature bounds the time.
    let one = Policy {
        quorum: Some(1),
        ..Policy::default()
    };
    let v = check(&b, &one).unwrap();
    assert_eq!(v.time_bound.time, T0 + 3600);
    assert_eq!(v.time_bound.by, vec![party("ru")]);
    // JSON round trip.
    assert_eq!(Bundle::from_json(b.to_json().as_bytes()).unwrap(), b);
}

#[test]
fn a_flipped_byte_in_an_entry_or_a_proof_is_refused_by_the_inclusion_proof() {
    let l = Ledger::build();
    let good = l.bundle(&[2, 8]);
    let mut b = good.clone();
    b.entries[1].bytes[100] ^= 1;
    assert_eq!(
        refusal(&b),
        BundleError::Entry {
            what: "entry",
            seq: 8,
            fault: EntryFault::Proof
        }
    );
    // A byte of its signature.
    let mut b = good.clone();
    let n = b.entries[0].bytes.len();
    b.entries[0].bytes[n - 3] ^= 1;
    assert!(matches!(
        refusal(&b),
        BundleError::Entry {
            seq: 2,
            fault: EntryFault::Proof,
            ..
        }
    ));
    let mut b = good;
    b.entries[0].proof[1][5] ^= 0x80;
    let e = refusal(&b);
    assert!(matches!(
        e,
        BundleError::Entry {
            seq: 2,
            fault: EntryFault::Proof,
            ..
        }
    ));
    assert!(
        e.to_string()
            .starts_with("entry 2: its inclusion proof does not lead to the checkpoint's root"),
        "{e}"
    );
}

#[test]
fn a_flipped_root_or_cosignature_is_refused_by_the_signatures() {
    let l = Ledger::build();
    let good = l.bundle(&[2]);
    let mut b = good.clone();
    let lines: Vec<&str> = b.checkpoint.split('\n').collect();
    let mut root = lines[2].as_bytes().to_vec();
    root[3] = if root[3] == b'A' { b'B' } else { b'A' };
    let root = String::from_utf8(root).unwrap();
    b.checkpoint = b.checkpoint.replacen(lines[2], &root, 1);
    assert_eq!(refusal(&b), BundleError::Signature(party("tr")));

    // The last character of ru's cosignature line (inside the signature).
    let mut b = good;
    let at = b.checkpoint.find("\u{2014} ru ").unwrap();
    let end = at + b.checkpoint[at..].find('\n').unwrap();
    let c = b.checkpoint.as_bytes()[end - 4];
    let swapped = if c == b'A' { "B" } else { "A" };
    b.checkpoint.replace_range(end - 4..end - 3, swapped);
    assert_eq!(refusal(&b), BundleError::Cosignature(party("ru")));
}

#[test]
fn too_few_cosignatures_are_refused_and_the_policy_decides_how_many() {
    let l = Ledger::build();
    let mut b = l.bundle(&[2]);
    b.checkpoint = l.checkpoint(&[(12, "ru", T0)]);
    let e = refusal(&b);
    assert_eq!(
        e.to_string(),
        "the checkpoint has 1 valid cosignature(s) from the witnesses tr,ru,ir, fewer than the quorum of 2 (only ru)"
    );
    // An observer's or a stranger's cosignature counts for nothing.
    b.checkpoint = l.checkpoint(&[(12, "ru", T0), (6, "us", T0), (9, "ir", T0)]);
    assert!(matches!(refusal(&b), BundleError::Quorum { found: 1, .. }));
    // ru's old key no longer cosigns after its rotation.
    b.checkpoint = l.checkpoint(&[(1, "tr", T0), (2, "ru", T0)]);
    assert!(matches!(refusal(&b), BundleError::Quorum { found: 1, .. }));
    let ru_alone = Policy {
        witnesses: Some(vec![party("ru")]),
        quorum: Some(1),
        ledger: Some(l.entries[0].hash),
    };
    b.checkpoint = l.checkpoint(&[(12, "ru", T0)]);
    assert!(check(&b, &ru_alone).is_ok());
    let other = Policy {
        ledger: Some(EntryHash([7; 32])),
        ..ru_alone.clone()
    };
    assert!(matches!(
        check(&b, &other),
        Err(BundleError::NotTheLedger { .. })
    ));
    let bad = Policy {
        witnesses: Some(vec![party("ru"), party("xx")]),
        ..Policy::default()
    };
    assert!(matches!(check(&b, &bad), Err(BundleError::Policy(_))));
    let bad = Policy {
        quorum: Some(4),
        ..Policy::default()
    };
    assert!(matches!(check(&b, &bad), Err(BundleError::Policy(_))));
}

#[test]
fn an_omitted_or_altered_key_event_is_refused_by_the_key_digest() {
    let l = Ledger::build();
    let good = l.bundle(&[4]);
    let mut b = good.clone();
    b.key_events.remove(1); // ru's rotation
    assert_eq!(refusal(&b), BundleError::KeyDigest);
    // A non-key entry slipped in as a key event.
    let mut b = good.clone();
    b.key_events.insert(1, l.proven(2));
    assert!(matches!(
        refusal(&b),
        BundleError::Entry {
            fault: EntryFault::NotKeyEvent("clause-endorsed"),
            ..
        }
    ));
    let mut b = good.clone();
    b.key_events.swap(1, 2);
    assert!(matches!(
        refusal(&b),
        BundleError::Entry {
            fault: EntryFault::Order,
            ..
        }
    ));
    let mut b = good;
    b.key_events.remove(0);
    assert_eq!(refusal(&b), BundleError::NoCharter);
}

#[test]
fn a_checkpoint_of_a_fork_or_of_another_ledger_is_refused() {
    let l = Ledger::build();
    let b = l.bundle(&[2, 8]);
    // A fork: the same ledger with entry 9 signed differently.
    let mut fork = Ledger::build();
    let last = fork.entries.pop().unwrap();
    let mut body = last.entry.body.clone();
    body.time += 1;
    fork.entries.push(body.sign(&key(1)).unwrap());
    let mut forked = b.clone();
    forked.checkpoint = fork.checkpoint(&[(1, "tr", T0), (12, "ru", T0)]);
    assert_eq!(refusal(&forked), BundleError::OtherTree);
    // Another ledger's checkpoint.
    let mut other = Ledger::build();
    let mut body0 = other.entries[0].entry.body.clone();
    body0.time += 1;
    other.entries[0] = body0.sign(&key(4)).unwrap();
    let mut foreign = b;
    foreign.checkpoint = other.checkpoint(&[(1, "tr", T0), (12, "ru", T0)]);
    assert!(matches!(refusal(&foreign), BundleError::Origin { .. }));
}

#[test]
fn an_entry_claimed_at_another_position_or_past_the_checkpoint_is_refused() {
    let l = Ledger::build();
    let mut b = l.bundle(&[2]);
    b.entries[0].seq = 4;
    assert!(matches!(
        refusal(&b),
        BundleError::Entry {
            fault: EntryFault::Proof | EntryFault::Seq(2),
            ..
        }
    ));
    b.entries[0].seq = 10;
    assert!(matches!(
        refusal(&b),
        BundleError::Entry {
            fault: EntryFault::Beyond(10),
            ..
        }
    ));
    b.entries.clear();
    assert_eq!(refusal(&b), BundleError::NoEntries);
}

#[test]
fn hostile_json_is_refused_with_one_line() {
    for text in [
        "",
        "{}",
        "[]",
        r#"{"version":2,"checkpoint":"","key_events":[],"entries":[]}"#,
        r#"{"version":1,"checkpoint":"","key_events":[{"seq":0,"bytes":"*","proof":[]}],"entries":[]}"#,
        r#"{"version":1,"checkpoint":"","key_events":[{"seq":0,"bytes":"","proof":["AAAA"]}],"entries":[]}"#,
        r#"{"version":1,"checkpoint":"","key_events":[],"entries":[],"verified":true}"#,
    ] {
        let e = Bundle::from_json(text.as_bytes()).unwrap_err();
        assert!(!e.to_string().contains('\n'), "{e}");
    }
    let long = format!(
        r#"{{"version":1,"checkpoint":"","key_events":[{{"seq":0,"bytes":"","proof":[{}]}}],"entries":[]}}"#,
        vec![format!("\"{}\"", BASE64.encode([0u8; 32])); 65].join(",")
    );
    assert!(matches!(
        Bundle::from_json(long.as_bytes()),
        Err(BundleError::Entry {
            fault: EntryFault::ProofLength(65),
            ..
        })
    ));
}

/// docs/vectors/dispute-bundle.json, which docs/FORMAT.md describes: the
/// bundle this code writes for entries 2, 4 and 8 of the ledger above
/// (fixed keys and times, so the bytes are fixed), and what it shows.
/// `ACCORD_WRITE_VECTORS=1` rewrites the file after a deliberate change.
#[test]
fn the_format_md_bundle_vector_is_what_this_code_writes_and_verifies() {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../docs/vectors/dispute-bundle.json");
    let written = Ledger::build().bundle(&[2, 4, 8]).to_json();
    if std::env::var_os("ACCORD_WRITE_VECTORS").is_some() {
        std::fs::write(&path, &written).unwrap();
    }
    let stored = std::fs::read_to_string(&path).unwrap();
    assert_eq!(stored, written, "docs/vectors/dispute-bundle.json drifted");
    let v = check(
        &Bundle::from_json(stored.as_bytes()).unwrap(),
        &Policy::default(),
    )
    .unwrap();
    assert_eq!(
        v.ledger.to_hex(),
        Ledger::build().entries[0].hash.to_hex(),
        "the ledger id is entry 0's hash"
    );
    assert_eq!(v.time_bound.time, T0 + 7200);
}

// issue 13: charter amendments
impl Ledger {
    /// [`Ledger::build`], then: amendment M1 adds jo as a party to the
    /// conflict (entries 10-13), jo accepts C1 (14), amendment M2 removes
    /// gov (15-18), tr proposes C3 (19).
    fn amended() -> Ledger {
        let mut l = Ledger::build();
        let mut state = State::genesis(&l.entries[0]).unwrap();
        for e in &l.entries[1..] {
            state.admit(e).unwrap();
        }
        let c1 = l.entries[1].hash;
        let mut add = |state: &mut State, signer: u8, event: Event| {
            let time = T0 + 60 * l.entries.len() as i64;
            let e = state.sign_next(&key(signer), time, event).unwrap();
            state.admit(&e).unwrap();
            l.entries.push(e.clone());
            e
        };
        for (id, change) in [
            (
                "M1",
                crate::CharterChange::AddParty {
                    id: party("jo"),
                    name: "Jordan".into(),
                    role: crate::Role::Party,
                    key: public_key(&key(20)),
                },
            ),
            (
                "M2",
                crate::CharterChange::RemoveParty {
                    party: party("gov"),
                },
            ),
        ] {
            let m = crate::AmendmentId::new(id).unwrap();
            let p = add(
                &mut state,
                1,
                Event::AmendmentProposed {
                    id: m.clone(),
                    changes: vec![change],
                    reason: "Agreed.".into(),
                },
            );
            for g in [1, 12, 3] {
                add(
                    &mut state,
                    g,
                    Event::AmendmentEndorsed {
                        amendment: m.clone(),
                        proposal: p.hash,
                    },
                );
            }
            if id == "M1" {
                add(
                    &mut state,
                    20,
                    Event::ClauseAccepted {
                        clause: ClauseId::new("C1").unwrap(),
                        proposal: c1,
                    },
                );
            }
        }
        add(
            &mut state,
            1,
            Event::ClauseProposed {
                id: ClauseId::new("C3").unwrap(),
                title: "t".into(),
                text: "x".into(),
            },
        );
        l
    }
}

#[test]
fn a_bundle_follows_parties_added_and_removed_by_amendment() {
    let l = Ledger::amended();
    assert_eq!(
        l.key_events(),
        vec![0, 3, 5, 6, 7, 10, 11, 12, 13, 15, 16, 17, 18]
    );
    let v = check(&l.bundle(&[8, 14, 19]), &Policy::default()).unwrap();
    assert_eq!(v.entries[0].author, party("gov"));
    assert_eq!(v.entries[1].author, party("jo"));
    assert_eq!(v.entries[1].key, public_key(&key(20)).id());
    assert_eq!(v.entries[1].says, "accepts clause C1");
    assert_eq!(v.key_events, 13);
    // Without the amendment that added jo, the bundle's key digest fails.
    let mut b = l.bundle(&[14]);
    b.key_events.retain(|e| e.seq != 13);
    assert!(matches!(refusal(&b), BundleError::KeyDigest));
}
