//! Property tests of the canonical codec: every entry round-trips to the
//! same bytes, and decoding arbitrary or mutated bytes never panics and
//! never accepts a second encoding of a value.

use accord_core::entry::{Author, EntryBody, Head};
use accord_core::*;
use proptest::prelude::*;

fn slug() -> impl Strategy<Value = String> {
    "[A-Za-z0-9][A-Za-z0-9._-]{0,20}"
}

fn file_digest() -> impl Strategy<Value = accord_core::ids::Sha256> {
    any::<[u8; 32]>().prop_map(accord_core::ids::Sha256)
}

fn digest() -> impl Strategy<Value = EntryHash> {
    any::<[u8; 32]>().prop_map(EntryHash)
}

fn event() -> impl Strategy<Value = Event> {
    let party = (
        slug(),
        ".{0,40}",
        0usize..Role::ALL.len(),
        any::<[u8; 32]>(),
    )
        .prop_map(|(id, name, role, key)| Party {
            id: PartyId::new(id).unwrap(),
            name,
            role: Role::ALL[role],
            key: PublicKey(key),
        });
    let adoption = prop_oneof![
        Just(Adoption::AllGuarantors),
        any::<u32>().prop_map(Adoption::Quorum)
    ];
    prop_oneof![
        (
            ".{0,40}",
            prop::collection::vec(party, 0..5),
            adoption,
            any::<u32>()
        )
            .prop_map(
                |(title, parties, clause_adoption, ruling_quorum)| Event::Charter(Charter {
                    title,
                    parties,
                    rules: Rules {
                        clause_adoption,
                        ruling_quorum
                    },
                })
            ),
        (slug(), ".{0,40}", ".{0,200}").prop_map(|(id, title, text)| Event::ClauseProposed {
            id: ClauseId::new(id).unwrap(),
            title,
            text,
        }),
        (slug(), digest()).prop_map(|(c, proposal)| Event::ClauseEndorsed {
            clause: ClauseId::new(c).unwrap(),
            proposal,
        }),
        (slug(), digest()).prop_map(|(c, proposal)| Event::ClauseAccepted {
            clause: ClauseId::new(c).unwrap(),
            proposal,
        }),
        (
            slug(),
            slug(),
            ".{0,80}",
            prop::option::of(".{0,20}"),
            prop::option::of(any::<i64>())
        )
            .prop_map(|(id, clause, text, zone, due)| Event::CommitmentMade {
                id: CommitmentId::new(id).unwrap(),
                clause: ClauseId::new(clause).unwrap(),
                text,
                zone,
                due,
            }),
        (0u8..3, slug(), ".{0,40}").prop_map(|(which, id, note)| {
            let commitment = CommitmentId::new(id).unwrap();
            match which {
                0 => Event::CommitmentFulfilled { commitment, note },
                1 => Event::CommitmentWithdrawn {
                    commitment,
                    reason: note,
                },
                _ => Event::CommitmentRemedied { commitment, note },
            }
        }),
        (
            slug(),
            slug(),
            prop::collection::vec(slug(), 0..3),
            any::<i64>(),
            ".{0,20}",
            ".{0,60}",
            prop::collection::vec(evidence(), 0..3)
        )
            .prop_map(|(id, against, ks, occurred, location, summary, evidence)| {
                Event::AllegationFiled {
                    id: AllegationId::new(id).unwrap(),
                    against: PartyId::new(against).unwrap(),
                    commitments: ks
                        .into_iter()
                        .map(|k| CommitmentId::new(k).unwrap())
                        .collect(),
                    occurred,
                    location,
                    summary,
                    evidence,
                }
            }),
        (
            slug(),
            0usize..4,
            ".{0,40}",
            prop::collection::vec(evidence(), 0..2)
        )
            .prop_map(|(a, p, text, evidence)| {
                Event::AllegationAnswered {
                    allegation: AllegationId::new(a).unwrap(),
                    position: Position::ALL[p],
                    text,
                    evidence,
                }
            }),
        (slug(), ".{0,40}").prop_map(|(a, reason)| Event::AllegationWithdrawn {
            allegation: AllegationId::new(a).unwrap(),
            reason,
        }),
        (
            slug(),
            slug(),
            0usize..4,
            prop_oneof![
                slug().prop_map(|p| Attribution::Party(PartyId::new(p).unwrap())),
                Just(Attribution::Shared),
                Just(Attribution::Unattributable)
            ],
            prop::collection::vec(slug(), 0..3),
            ".{0,40}"
        )
            .prop_map(
                |(id, a, f, attribution, breaches, text)| Event::RulingProposed {
                    id: RulingId::new(id).unwrap(),
                    allegation: AllegationId::new(a).unwrap(),
                    finding: Finding::ALL[f],
                    attribution,
                    breaches: breaches
                        .into_iter()
                        .map(|k| CommitmentId::new(k).unwrap())
                        .collect(),
                    text,
                }
            ),
        any::<[u8; 32]>().prop_map(|k| Event::KeyRotatedUnproven {
            new_key: PublicKey(k)
        }),
        (any::<[u8; 32]>(), any::<[u8; 32]>(), any::<[u8; 32]>()).prop_map(|(k, r, s)| {
            Event::KeyRotated {
                new_key: PublicKey(k),
                proof: Signature { r, s },
            }
        }),
        (
            slug(),
            slug(),
            ".{0,40}",
            prop::option::of(any::<[u8; 32]>())
        )
            .prop_map(
                |(id, party, reason, replacement)| Event::KeyRevocationProposed {
                    id: RevocationId::new(id).unwrap(),
                    party: PartyId::new(party).unwrap(),
                    reason,
                    replacement: replacement.map(PublicKey),
                }
            ),
        (slug(), digest()).prop_map(|(r, proposal)| Event::KeyRevocationEndorsed {
            revocation: RevocationId::new(r).unwrap(),
            proposal,
        }),
        (slug(), digest(), prop::option::of(".{0,40}")).prop_map(|(r, proposal, dissent)| {
            let ruling = RulingId::new(r).unwrap();
            match dissent {
                Some(text) => Event::RulingDissented {
                    ruling,
                    proposal,
                    text,
                },
                None => Event::RulingEndorsed { ruling, proposal },
            }
        }),
        // issue 13: commitments, allegations and rulings
        prop_oneof![
            (
                slug(),
                slug(),
                ".{0,40}",
                prop::option::of(".{0,10}"),
                prop::option::of(any::<i64>()),
                prop::option::of(any::<i64>())
            )
                .prop_map(|(id, c, text, zone, due, until)| {
                    Event::CommitmentUndertaken {
                        id: CommitmentId::new(id).unwrap(),
                        clause: ClauseId::new(c).unwrap(),
                        text,
                        zone,
                        due,
                        until,
                    }
                }),
            (slug(), any::<u64>(), any::<u64>(), ".{0,40}").prop_map(|(k, done, of, note)| {
                Event::CommitmentProgressed {
                    commitment: CommitmentId::new(k).unwrap(),
                    done,
                    of,
                    note,
                }
            }),
            (slug(), digest(), any::<bool>(), ".{0,40}").prop_map(|(k, report, v, note)| {
                Event::CommitmentAttested {
                    commitment: CommitmentId::new(k).unwrap(),
                    report,
                    verdict: if v {
                        Verdict::Verified
                    } else {
                        Verdict::Disputed
                    },
                    note,
                }
            }),
            (
                slug(),
                prop::option::of(any::<i64>()),
                prop::option::of(any::<i64>()),
                ".{0,40}"
            )
                .prop_map(|(k, due, until, reason)| {
                    Event::CommitmentRescheduleProposed {
                        commitment: CommitmentId::new(k).unwrap(),
                        due,
                        until,
                        reason,
                    }
                }),
            (slug(), digest(), any::<bool>()).prop_map(|(k, hash, join)| {
                let commitment = CommitmentId::new(k).unwrap();
                if join {
                    Event::CommitmentJoined {
                        commitment,
                        made: hash,
                    }
                } else {
                    Event::CommitmentRescheduleEndorsed {
                        commitment,
                        proposal: hash,
                    }
                }
            }),
            (
                slug(),
                prop::option::of(prop::collection::vec(slug(), 0..3)),
                prop::option::of(any::<i64>()),
                prop::option::of(".{0,20}"),
                prop::option::of(".{0,40}"),
                prop::collection::vec(evidence(), 0..2),
                ".{0,40}"
            )
                .prop_map(|(a, ks, occurred, location, summary, evidence, reason)| {
                    Event::AllegationCorrected {
                        allegation: AllegationId::new(a).unwrap(),
                        commitments: ks.map(|ks| {
                            ks.into_iter()
                                .map(|k| CommitmentId::new(k).unwrap())
                                .collect()
                        }),
                        occurred,
                        location,
                        summary,
                        evidence,
                        reason,
                    }
                }),
            (
                slug(),
                slug(),
                0usize..4,
                prop::collection::vec(slug(), 0..3),
                ".{0,40}"
            )
                .prop_map(|(id, old, f, breaches, text)| {
                    Event::RulingRevisionProposed {
                        id: RulingId::new(id).unwrap(),
                        revises: RulingId::new(old).unwrap(),
                        finding: Finding::ALL[f],
                        attribution: Attribution::Shared,
                        breaches: breaches
                            .into_iter()
                            .map(|k| CommitmentId::new(k).unwrap())
                            .collect(),
                        text,
                    }
                }),
        ],
        // issue 13: clauses
        prop_oneof![
            (slug(), ".{0,40}").prop_map(|(c, reason)| Event::ClauseWithdrawn {
                clause: ClauseId::new(c).unwrap(),
                reason,
            }),
            (slug(), digest(), ".{0,40}").prop_map(|(c, proposal, reason)| {
                Event::ClauseDeclined {
                    clause: ClauseId::new(c).unwrap(),
                    proposal,
                    reason,
                }
            }),
            (slug(), slug(), ".{0,40}", ".{0,200}").prop_map(|(id, old, title, text)| {
                Event::ClauseRevisionProposed {
                    id: ClauseId::new(id).unwrap(),
                    revises: ClauseId::new(old).unwrap(),
                    title,
                    text,
                }
            }),
            (slug(), prop::option::of(any::<i64>()), ".{0,40}").prop_map(|(c, until, reason)| {
                Event::ClauseTermProposed {
                    clause: ClauseId::new(c).unwrap(),
                    until,
                    reason,
                }
            }),
            (slug(), digest()).prop_map(|(c, proposal)| Event::ClauseTermEndorsed {
                clause: ClauseId::new(c).unwrap(),
                proposal,
            }),
        ],
        // issue 13: charter amendments
        (slug(), prop::collection::vec(change(), 0..4), ".{0,40}").prop_map(
            |(id, changes, reason)| Event::AmendmentProposed {
                id: AmendmentId::new(id).unwrap(),
                changes,
                reason,
            }
        ),
        (slug(), digest()).prop_map(|(m, proposal)| Event::AmendmentEndorsed {
            amendment: AmendmentId::new(m).unwrap(),
            proposal,
        }),
    ]
}

fn change() -> impl Strategy<Value = CharterChange> {
    let adoption = || {
        prop_oneof![
            Just(Adoption::AllGuarantors),
            any::<u32>().prop_map(Adoption::Quorum)
        ]
    };
    let role = || (0usize..Role::ALL.len()).prop_map(|r| Role::ALL[r]);
    let party = || slug().prop_map(|p| PartyId::new(p).unwrap());
    prop_oneof![
        (party(), ".{0,40}", role(), any::<[u8; 32]>()).prop_map(|(id, name, role, key)| {
            CharterChange::AddParty {
                id,
                name,
                role,
                key: PublicKey(key),
            }
        }),
        party().prop_map(|party| CharterChange::RemoveParty { party }),
        (party(), ".{0,40}").prop_map(|(party, name)| CharterChange::RenameParty { party, name }),
        (party(), role()).prop_map(|(party, role)| CharterChange::ChangeRole { party, role }),
        adoption().prop_map(CharterChange::SetClauseAdoption),
        any::<u32>().prop_map(CharterChange::SetRulingQuorum),
        adoption().prop_map(CharterChange::SetAmendmentRule),
    ]
}

fn evidence() -> impl Strategy<Value = Evidence> {
    (".{0,20}", file_digest(), any::<u64>(), ".{0,20}").prop_map(
        |(name, sha256, size, media_type)| Evidence {
            name,
            sha256,
            size,
            media_type,
        },
    )
}

fn entry() -> impl Strategy<Value = Entry> {
    (
        (any::<u16>(), digest(), any::<u64>(), digest(), any::<i64>()),
        (
            slug(),
            any::<[u8; 32]>(),
            any::<u64>(),
            any::<u64>(),
            digest(),
        ),
        event(),
        any::<[u8; 32]>(),
        any::<[u8; 32]>(),
    )
        .prop_map(
            |(
                (version, ledger, seq, prev, time),
                (party, key, author_seq, seen_seq, seen_hash),
                event,
                r,
                s,
            )| Entry {
                body: EntryBody {
                    version,
                    ledger,
                    seq,
                    prev,
                    time,
                    author: Author {
                        party: PartyId::new(party).unwrap(),
                        key: KeyId(key),
                    },
                    author_seq,
                    seen: Head {
                        seq: seen_seq,
                        hash: seen_hash,
                    },
                    event,
                },
                signature: Signature { r, s },
            },
        )
}

proptest! {
    #[test]
    fn entries_round_trip_byte_for_byte(e in entry()) {
        let sealed = Sealed::seal(e.clone()).unwrap();
        let back = Sealed::from_bytes(sealed.bytes.clone()).unwrap();
        prop_assert_eq!(&back.entry, &e);
        prop_assert_eq!(&back.bytes, &sealed.bytes);
        prop_assert_eq!(back.hash, sealed.hash);
        // The signed body is exactly the bytes before the 64-byte signature.
        let body = codec::encode(&e.body).unwrap();
        prop_assert_eq!(&sealed.bytes[..sealed.bytes.len() - 64], &body[..]);
    }

    #[test]
    fn mutated_bytes_never_panic_and_never_alias(e in entry(), at in any::<prop::sample::Index>(), bit in 0u8..8) {
        let sealed = Sealed::seal(e).unwrap();
        let mut bytes = sealed.bytes.clone();
        let i = at.index(bytes.len());
        bytes[i] ^= 1 << bit;
        if let Ok(other) = Sealed::from_bytes(bytes.clone()) {
            // Whatever decodes is a different value with a different hash.
            prop_assert_ne!(&other.entry, &sealed.entry);
            prop_assert_ne!(other.hash, sealed.hash);
            prop_assert_eq!(Sealed::seal(other.entry).unwrap().bytes, bytes);
        }
    }

    #[test]
    fn arbitrary_bytes_never_panic(bytes in prop::collection::vec(any::<u8>(), 0..600)) {
        if let Ok(e) = Sealed::from_bytes(bytes.clone()) {
            prop_assert_eq!(Sealed::seal(e.entry).unwrap().bytes, bytes);
        }
    }
}
