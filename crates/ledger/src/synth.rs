//! Synthetic but valid ledgers, for benchmarks and load tests.
//!
//! Keys come from fixed seeds and times from a fixed start, so the same
//! arguments always give the same ledger. Every entry is signed and passes
//! the rules, so `verify` does its full work on the result.

use accord_core::crypto::public_key;
use accord_core::{Adoption, Charter, ClauseId, Event, Party, PartyId, Role, Rules, Sealed};
use accord_store::Store;
use ed25519_dalek::SigningKey;

use crate::{Ledger, LedgerError};

/// 2017-01-23T00:00:00Z, the opening of the Astana talks.
pub const START: i64 = 1_485_129_600;
const GUARANTORS: [(&str, &str); 3] = [
    ("tr", "Republic of Turkey"),
    ("ru", "Russian Federation"),
    ("ir", "Islamic Republic of Iran"),
];

pub fn key(i: usize) -> SigningKey {
    let mut seed = [0x5au8; 32];
    seed[..8].copy_from_slice(&(i as u64).to_le_bytes());
    SigningKey::from_bytes(&seed)
}

/// The charter of a synthetic ledger: three guarantors and a mediator
/// (signer 3, who signs entry 0).
pub fn charter() -> Charter {
    let mut parties: Vec<Party> = GUARANTORS
        .iter()
        .enumerate()
        .map(|(i, (id, name))| Party {
            id: PartyId::new(*id).expect("static id"),
            name: (*name).into(),
            role: Role::Guarantor,
            key: public_key(&key(i)),
        })
        .collect();
    parties.push(Party {
        id: PartyId::new("un").expect("static id"),
        name: "United Nations envoy".into(),
        role: Role::Mediator,
        key: public_key(&key(3)),
    });
    Charter {
        title: "Synthetic ceasefire monitoring mechanism".into(),
        parties,
        rules: Rules {
            clause_adoption: Adoption::AllGuarantors,
            ruling_quorum: 2,
        },
    }
}

/// Appends `count` entries to a ledger founded with [`charter`]: each clause
/// is proposed by one signer and endorsed by the three guarantors.
pub fn extend<S: Store>(ledger: &mut Ledger<S>, count: u64) -> Result<(), LedgerError> {
    const BATCH: usize = 4096;
    let mut state = ledger.replay()?;
    let mut batch: Vec<Sealed> = Vec::with_capacity(BATCH);
    let first = state.head().seq + 1;
    let mut clause = 0u64;
    for seq in first..first + count {
        let time = START + seq as i64;
        let step = (seq - first) % 4;
        let event = if step == 0 {
            clause = seq;
            Event::ClauseProposed {
                id: ClauseId::new(format!("S{clause}")).expect("generated id"),
                title: format!("Synthetic clause {clause}"),
                text: "The parties shall refrain from attacks against one another, \
                       allow humanitarian access to the named areas, and report every \
                       alleged violation to the joint group within 24 hours."
                    .into(),
            }
        } else {
            let id = ClauseId::new(format!("S{clause}")).expect("generated id");
            let proposal = state.clauses()[&id].proposal.hash;
            Event::ClauseEndorsed {
                clause: id,
                proposal,
            }
        };
        let signer = if step == 0 {
            (seq % 4) as usize
        } else {
            (step - 1) as usize
        };
        let entry = state.sign_next(&key(signer), time, event)?;
        state.admit(&entry)?;
        batch.push(entry);
        if batch.len() == BATCH {
            ledger.append_sealed(&batch)?;
            batch.clear();
        }
    }
    ledger.append_sealed(&batch)
}
