//! Free text from the ledger in the text views: an author's newlines,
//! terminal escapes and bidi overrides must be shown, escaped, inside the
//! item they belong to, never acted on by the terminal nor read as a line of
//! the view itself (a forged "breached by ruling R1" in the accused's
//! obligations). JSON output keeps the text exactly.

use crate::common::World;
use serde_json::Value;

/// Runs `accord` and asserts success.
fn ok(w: &World, args: &[&str]) {
    let out = w.accord(args).output().unwrap();
    assert!(
        out.status.success(),
        "{args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

fn stdout(w: &World, args: &[&str]) -> String {
    let out = w.accord(args).output().unwrap();
    assert!(
        out.status.success(),
        "{args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

/// The characters a hostile author hides in free text: ESC (ANSI
/// sequences), the C1 CSI, BEL, backspace, carriage return, NUL, the bidi
/// embeddings, overrides and isolates, and invisible format characters.
const HOSTILE: [char; 18] = [
    '\u{1b}', '\u{9b}', '\u{7}', '\u{8}', '\r', '\0', '\u{202a}', '\u{202b}', '\u{202c}',
    '\u{202d}', '\u{202e}', '\u{2066}', '\u{2067}', '\u{2068}', '\u{2069}', '\u{200b}', '\u{feff}',
    '\u{2028}',
];

/// Fails if `text` holds any control or hostile character other than the
/// newlines that end the view's own lines.
fn assert_no_raw_controls(what: &str, text: &str) {
    for c in text.chars() {
        assert!(
            c == '\n' || !(c.is_control() || HOSTILE.contains(&c)),
            "{what} prints a raw {:?}:\n{text}",
            c
        );
    }
}

/// A clause C1 adopted by the three guarantors and gov's commitment K5
/// under it.
fn committed() -> World {
    let w = World::founded();
    ok(
        &w,
        &[
            "clause",
            "propose",
            "--id",
            "C1",
            "--title",
            "Ceasefire",
            "--text",
            "Hold fire.",
            "--key",
            "ru.pem",
        ],
    );
    for g in ["tr", "ru", "ir"] {
        ok(
            &w,
            &["clause", "endorse", "C1", "--key", &format!("{g}.pem")],
        );
    }
    ok(
        &w,
        &[
            "commit", "--id", "K5", "--clause", "C1", "--text", "Observe.", "--key", "gov.pem",
        ],
    );
    w
}

/// A line shaped exactly like the view's own line for a breached
/// commitment.
const FORGED: &str = "  commitment  K5     breached       by ruling R1 under C1: Observe.";

fn allege(w: &World, summary: &str) -> u64 {
    ok(
        w,
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
            summary,
            "--key",
            "opp.pem",
        ],
    );
    w.entry_list().last().unwrap().0
}

#[test]
fn a_forged_breach_line_in_a_summary_stays_inside_the_allegation() {
    let w = committed();
    let summary = format!("Shelling.\n{FORGED}");
    allege(&w, &summary);

    for args in [
        vec!["obligations", "--party", "gov"],
        vec!["obligations", "--party", "gov", "--all"],
        vec!["obligations", "--party", "gov", "--replay"],
        vec!["obligations"],
    ] {
        let text = stdout(&w, &args);
        assert_no_raw_controls(&format!("{args:?}"), &text);
        assert!(
            !text
                .lines()
                .any(|l| l.trim_start().starts_with("commitment") && l.contains("breached")),
            "{args:?} shows a breach that no ruling made:\n{text}"
        );
        let commitments: Vec<&str> = text
            .lines()
            .filter(|l| l.trim_start().starts_with("commitment"))
            .collect();
        assert_eq!(
            commitments,
            ["  commitment  K5     active         under C1: Observe."],
            "{args:?}:\n{text}"
        );
        // The whole summary is on the allegation's own line, escaped.
        let allegation = text
            .lines()
            .find(|l| l.starts_with("  allegation  A1"))
            .unwrap_or_else(|| panic!("{args:?}: no line for A1:\n{text}"));
        assert!(
            allegation.ends_with(&format!("Shelling.\\n{FORGED}")),
            "{allegation}"
        );
    }

    // JSON keeps the author's text exactly.
    let o = w.json(&["obligations", "--json", "--party", "gov"]);
    assert_eq!(
        o["parties"][0]["allegations_against"][0]["summary"],
        Value::String(summary)
    );
}

#[test]
fn show_prints_a_multi_line_text_as_a_marked_block() {
    let w = committed();
    let seq = allege(
        &w,
        &format!("Shelling.\n{FORGED}\nkind       ruling-adopted\n"),
    );
    let text = stdout(&w, &["show", &seq.to_string()]);
    assert_no_raw_controls("show", &text);
    // Every line is one of show's own fields, at the start of the line,
    // or a line of the summary behind the block marker.
    let block: Vec<&str> = text.lines().filter(|l| l.starts_with(' ')).collect();
    assert_eq!(
        block,
        [
            format!("           | {FORGED}"),
            "           | kind       ruling-adopted".into(),
            "           |".into(),
        ],
        "{text}"
    );
    assert!(text.contains("\nsummary    | Shelling.\n"), "{text}");
    assert_eq!(
        text.lines().filter(|l| l.starts_with("kind ")).count(),
        1,
        "{text}"
    );
}

#[test]
fn bidi_overrides_and_invisible_characters_in_free_text_are_shown_escaped() {
    let w = committed();
    // Turns the text after it right to left, isolates a run, hides
    // characters and marks, and tabs into another column. (Append refuses
    // ESC, CR and the other control characters in free text; the unit
    // tests of `render::escape` show them escaped all the same.)
    let payload =
        "a\u{202e}desrever\u{202c}\u{2067}iso\u{2069}\u{200b}\u{200f}\u{feff}\u{2060}\u{ad}\tz";
    let escaped =
        r"a\u{202e}desrever\u{202c}\u{2067}iso\u{2069}\u{200b}\u{200f}\u{feff}\u{2060}\u{ad}\tz";
    let seq = allege(&w, payload);
    ok(
        &w,
        &[
            "respond",
            "A1",
            "--position",
            "deny",
            "--text",
            payload,
            "--key",
            "gov.pem",
        ],
    );
    ok(
        &w,
        &[
            "commitment",
            "fulfil",
            "K5",
            "--note",
            payload,
            "--key",
            "gov.pem",
        ],
    );
    let n = w.entry_list().len() as u64;

    let mut views = vec![
        ("obligations", stdout(&w, &["obligations", "--all"])),
        ("log", stdout(&w, &["log"])),
        ("history", stdout(&w, &["history", "A1"])),
        (
            "diff",
            stdout(&w, &["diff", "--from", "0", "--to", &(n - 1).to_string()]),
        ),
    ];
    for s in seq..n {
        views.push(("show", stdout(&w, &["show", &s.to_string()])));
    }
    for (what, text) in &views {
        assert_no_raw_controls(what, text);
    }
    let obligations = &views[0].1;
    assert!(obligations.contains(escaped), "{obligations}");
    for (i, field) in ["summary", "text", "note"].iter().enumerate() {
        let show = &views[4 + i].1;
        assert!(
            show.contains(&format!("\n{field:<10} {escaped}\n")),
            "{show}"
        );
    }
}

#[test]
fn a_backslash_is_escaped_so_an_escape_cannot_be_faked() {
    let w = committed();
    // Typed as backslash and n: it must not read like an escaped newline.
    allege(&w, r"one\ntwo");
    let text = stdout(&w, &["obligations", "--party", "gov"]);
    assert!(text.contains(r"one\\ntwo"), "{text}");
}

#[test]
fn evidence_names_are_escaped_in_show_and_in_evidence_check() {
    let w = committed();
    // Reads as "reportexe.txt" but names an .exe: the right-to-left
    // override reverses what follows it.
    let name = "report\u{202e}txt.exe";
    std::fs::write(w.path(name), "Council report.\n").unwrap();
    ok(
        &w,
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
            "Shelling.",
            "--evidence",
            name,
            "--key",
            "opp.pem",
        ],
    );
    let seq = w.entry_list().last().unwrap().0;
    let show = stdout(&w, &["show", &seq.to_string()]);
    assert_no_raw_controls("show", &show);
    assert!(show.contains(r"report\u{202e}txt.exe"), "{show}");

    std::fs::write(w.path("copy.txt"), "Council report.\n").unwrap();
    let check = stdout(&w, &["evidence", "check", "A1", "copy.txt"]);
    assert_no_raw_controls("evidence check", &check);
    assert!(check.contains(r"report\u{202e}txt.exe"), "{check}");
}
