//! End-to-end tests of the agreement domain on the real binary: the two
//! tracks (commitments, allegations), rulings by quorum with dissent, the
//! projections, and every refusal leaving the ledger unchanged.
//!
//! This module holds the Astana world every theme starts from and the
//! helpers that read the projections; the themes are its submodules.

mod clauses;
mod colombia;
mod commitments;
// issue 14: the Astana group, CTSAMVM and Colombia's mechanism, step by step.
mod ctsamvm;
mod disputes;
mod mechanisms;
mod refusals;
mod verify;

use crate::common::World;
use serde_json::Value;

/// Runs `accord` with a claimed time and asserts success.
fn at(w: &World, time: &str, args: &[&str]) {
    let mut full = vec!["--time", time];
    full.extend_from_slice(args);
    let out = w.accord(&full).output().unwrap();
    assert!(
        out.status.success(),
        "{args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// The Astana ledger up to the commitments: C1 and C2 adopted by the three
/// guarantors, C3 proposed only; K1 (ru, C2), K4 (ru, C1, due 6 Feb),
/// K5 (gov, C2), K6 (gov, C3, pending).
fn astana() -> World {
    let w = World::new();
    at(
        &w,
        "2017-01-23T09:00:00Z",
        &["init", "--charter", "charter.toml", "--key", "un.pem"],
    );
    let t = "2017-01-24T10:00:00Z";
    for (id, by) in [("C1", "ru"), ("C2", "tr"), ("C3", "un")] {
        at(
            &w,
            t,
            &[
                "clause",
                "propose",
                "--id",
                id,
                "--title",
                "Title",
                "--text",
                "Text.",
                "--key",
                &format!("{by}.pem"),
            ],
        );
    }
    for c in ["C1", "C2"] {
        for g in ["tr", "ru", "ir"] {
            at(
                &w,
                t,
                &["clause", "endorse", c, "--key", &format!("{g}.pem")],
            );
        }
    }
    let t = "2017-01-24T17:00:00Z";
    at(
        &w,
        t,
        &[
            "commit",
            "--id",
            "K1",
            "--clause",
            "C2",
            "--text",
            "Hold allied forces to the ceasefire.",
            "--key",
            "ru.pem",
        ],
    );
    at(
        &w,
        t,
        &[
            "commit",
            "--id",
            "K4",
            "--clause",
            "C1",
            "--text",
            "Convene the monitoring group.",
            "--due",
            "2017-02-06T18:00:00Z",
            "--key",
            "ru.pem",
        ],
    );
    at(
        &w,
        t,
        &[
            "commit",
            "--id",
            "K5",
            "--clause",
            "C2",
            "--zone",
            "Wadi Barada",
            "--text",
            "Observe the ceasefire.",
            "--key",
            "gov.pem",
        ],
    );
    at(
        &w,
        t,
        &[
            "commit",
            "--id",
            "K6",
            "--clause",
            "C3",
            "--text",
            "Attend Geneva.",
            "--key",
            "gov.pem",
        ],
    );
    w
}

/// Astana plus the allegation A1 against gov with evidence, gov's answer,
/// and ruling R1 (confirmed, breach K5) adopted by tr and ru over ir's
/// dissent. Returns the seq of R1's proposal.
fn ruled(w: &World) -> u64 {
    std::fs::write(
        w.path("report.txt"),
        "Council report: strikes on Ain al-Fijeh.\n",
    )
    .unwrap();
    at(
        w,
        "2017-01-26T08:00:00Z",
        &[
            "allege",
            "--id",
            "A1",
            "--against",
            "gov",
            "--commitment",
            "K5",
            "--occurred",
            "2017-01-25T06:00:00Z",
            "--location",
            "Wadi Barada",
            "--summary",
            "Offensive on the enclave.",
            "--evidence",
            "report.txt",
            "--key",
            "opp.pem",
        ],
    );
    at(
        w,
        "2017-01-27T10:00:00Z",
        &[
            "respond",
            "A1",
            "--position",
            "justify",
            "--text",
            "Targets a designated group.",
            "--key",
            "gov.pem",
        ],
    );
    let t = "2017-02-07T10:00:00Z";
    at(
        w,
        t,
        &[
            "ruling",
            "propose",
            "--id",
            "R1",
            "--allegation",
            "A1",
            "--finding",
            "confirmed",
            "--attribution",
            "gov",
            "--breach",
            "K5",
            "--text",
            "Confirmed.",
            "--key",
            "tr.pem",
        ],
    );
    let proposed = w.entry_list().last().unwrap().0;
    at(w, t, &["ruling", "endorse", "R1", "--key", "tr.pem"]);
    at(
        w,
        t,
        &[
            "ruling",
            "dissent",
            "R1",
            "--text",
            "The finding ignores the water cut.",
            "--key",
            "ir.pem",
        ],
    );
    at(w, t, &["ruling", "endorse", "R1", "--key", "ru.pem"]);
    proposed
}

fn party<'a>(obligations: &'a Value, id: &str) -> &'a Value {
    obligations["parties"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["party"] == id)
        .unwrap()
}

fn item<'a>(list: &'a Value, id: &str) -> &'a Value {
    list.as_array()
        .unwrap()
        .iter()
        .find(|x| x["id"] == id)
        .unwrap()
}
