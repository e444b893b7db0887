//! Issue 15, help: examples and the environment in the help, global flags
//! shown only on the commands that read them (`--time` refused on reads),
//! malformed arguments refused in one line with exit 2 before anything
//! runs, shell completions and manual pages.

use std::process::Command as Process;

use crate::common::{one_line_error, World};

/// `accord ARGS` run in a fresh world (no ledger): stdout, asserting success.
fn stdout(w: &World, args: &[&str]) -> String {
    let out = w.accord(args).output().unwrap();
    assert!(
        out.status.success(),
        "{args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

/// The top-level subcommands, as `accord --help` lists them.
fn commands(w: &World) -> Vec<String> {
    let help = stdout(w, &["--help"]);
    let list = help.split_once("Commands:\n").unwrap().1;
    list.lines()
        .take_while(|l| !l.is_empty())
        .filter(|l| l.starts_with("  ") && !l.starts_with("   "))
        .map(|l| l.split_whitespace().next().unwrap().to_owned())
        .filter(|c| c != "help")
        .collect()
}

#[test]
fn help_top_level_lists_the_environment_passphrase_rules_and_exit_codes() {
    let w = World::new();
    let help = stdout(&w, &["--help"]);
    for var in [
        "ACCORD_LEDGER",
        "ACCORD_KEY",
        "ACCORD_TIME",
        "ACCORD_PASSPHRASE",
        "ACCORD_REMOTE",
        "ACCORD_LEDGER_ID",
        "ACCORD_WITNESS_STATE",
    ] {
        assert!(
            help.contains(&format!("\n  {var} ")),
            "{var} missing:\n{help}"
        );
    }
    assert!(help.contains("at least 8 characters"), "{help}");
    assert!(help.contains("Exit codes:"), "{help}");
    let commands = commands(&w);
    assert!(commands.len() > 35, "{commands:?}");
    for c in ["completions", "man", "verify", "commit"] {
        assert!(commands.iter().any(|x| x == c), "{c} not in {commands:?}");
    }
}

#[test]
fn help_of_each_command_ends_with_examples_of_it() {
    let w = World::new();
    for cmd in commands(&w) {
        let help = stdout(&w, &[&cmd, "--help"]);
        let examples = help
            .split_once("\nExamples:\n")
            .unwrap_or_else(|| panic!("{cmd}: no Examples:\n{help}"))
            .1;
        // A line that runs this command: `accord [global flags] CMD ...`.
        assert!(
            examples
                .lines()
                .map(str::trim)
                .any(|l| l.starts_with("accord ") && l.split_whitespace().any(|w| w == cmd)),
            "{cmd}: {examples}"
        );
    }
    let help = stdout(&w, &["commit", "--help"]);
    assert!(help.contains("accord commit --id K5 --clause C1"), "{help}");
    assert!(help.contains("--key gov.pem"), "{help}");
}

#[test]
fn help_shows_time_remote_and_ledger_id_only_where_they_are_read() {
    let w = World::new();
    let flags = |args: &[&str]| {
        let help = stdout(&w, args);
        ["--time", "--remote", "--ledger-id"].map(|f| help.contains(&format!("{f} <")))
    };
    assert_eq!(flags(&["commit", "--help"]), [true; 3]);
    assert_eq!(flags(&["clause", "propose", "--help"]), [true; 3]);
    assert_eq!(flags(&["init", "--help"]), [true, false, false]);
    assert_eq!(flags(&["mirror", "--help"]), [false, false, true]);
    assert_eq!(flags(&["bundle", "verify", "--help"]), [false, false, true]);
    for read in [
        &["log", "--help"][..],
        &["verify", "--help"],
        &["clause", "show", "--help"],
        &["obligations", "--help"],
        &["key", "list", "--help"],
        &["proof", "--help"],
    ] {
        assert_eq!(flags(read), [false; 3], "{read:?}");
    }
    // The top level still lists them, saying where they apply.
    let top = stdout(&w, &["--help"]);
    assert!(top.contains("Writing commands and init only"), "{top}");
}

#[test]
fn help_time_given_to_a_read_command_is_refused_but_accord_time_is_ignored() {
    let w = World::founded();
    w.propose("C1", "tr").success();
    let before = w.entry_list();
    for args in [
        &["--time", "2017-01-24T10:00:00Z", "log"][..],
        &["log", "--time", "2017-01-24T10:00:00Z"],
        &["clause", "--time", "2017-01-24T10:00:00Z", "show", "C1"],
        &["verify", "--time=2017-01-24T10:00:00Z"],
        &["--ledger-id", &"ab".repeat(32), "obligations"],
    ] {
        let e = one_line_error(w.accord(args).assert().code(2));
        assert!(
            e.contains("--time is for the commands that append an entry")
                || e.contains("--ledger-id is for"),
            "{args:?}: {e}"
        );
    }
    // A session's ACCORD_TIME (even a malformed one) does not disturb reads.
    for time in ["2017-01-24T10:00:00Z", "not a time", ""] {
        w.accord(&["log"])
            .env("ACCORD_TIME", time)
            .assert()
            .success();
        w.accord(&["clause", "show", "C1"])
            .env("ACCORD_TIME", time)
            .assert()
            .success();
    }
    assert_eq!(w.entry_list(), before);
    // ... and still sets the time of writes, as --time does.
    w.accord(&["clause", "endorse", "C1", "--key", "ru.pem"])
        .env("ACCORD_TIME", "2999-01-01T00:00:00Z")
        .assert()
        .code(1);
    let e = one_line_error(
        w.accord(&["clause", "endorse", "C1", "--key", "ru.pem"])
            .env("ACCORD_TIME", "yesterday")
            .assert()
            .code(2),
    );
    assert!(
        e.contains("--time") && e.contains("(from ACCORD_TIME)"),
        "{e}"
    );
    w.accord(&["clause", "endorse", "C1", "--key", "ru.pem"])
        .env("ACCORD_TIME", "")
        .assert()
        .success();
}

#[test]
fn help_malformed_arguments_exit_2_in_one_line_before_anything_runs() {
    let w = World::founded();
    w.propose("C1", "tr").success();
    let before = w.entry_list();
    // (arguments, the flag the line names, what it says the form is)
    let cases: Vec<(Vec<&str>, &str, &str)> = vec![
        (
            vec!["respond", "A1", "--position", "maybe", "--text", "t"],
            "--position",
            "use one of deny, admit, counterclaim, justify",
        ),
        (
            vec![
                "ruling",
                "propose",
                "--id",
                "R1",
                "--allegation",
                "A1",
                "--finding",
                "true",
                "--attribution",
                "gov",
                "--text",
                "t",
            ],
            "--finding",
            "use one of confirmed, not-substantiated, inconclusive, incident-not-violation",
        ),
        (
            vec![
                "ruling",
                "propose",
                "--id",
                "R1",
                "--allegation",
                "A1",
                "--finding",
                "confirmed",
                "--attribution",
                "the government",
                "--text",
                "t",
            ],
            "--attribution",
            "use shared, unattributable, ID, actor:ID, party:ID or largely:ID",
        ),
        (
            vec![
                "--ledger",
                "other",
                "init",
                "--charter",
                "charter.toml",
                "--store",
                "postgres",
            ],
            "--store",
            "use one of redb, sled",
        ),
        (
            vec!["--ledger", "other", "import", "x.jsonl", "--store", "mysql"],
            "--store",
            "use one of redb, sled",
        ),
        (
            vec![
                "commit",
                "--id",
                "K1",
                "--clause",
                "C1",
                "--text",
                "t",
                "--due",
                "next week",
            ],
            "--due",
            "is not an RFC 3339 time such as 2017-01-24T10:00:00Z",
        ),
        (
            vec![
                "allege",
                "--id",
                "A1",
                "--against",
                "gov",
                "--occurred",
                "2017-13-01T00:00:00Z",
                "--location",
                "l",
                "--summary",
                "s",
            ],
            "--occurred",
            "RFC 3339",
        ),
        (
            vec![
                "commitment",
                "reschedule",
                "K1",
                "--due",
                "never",
                "--until",
                "none",
                "--reason",
                "r",
            ],
            "--due",
            "RFC 3339 time such as 2017-01-24T10:00:00Z (",
        ),
        (
            vec!["obligations", "--as-of", "2017"],
            "--as-of",
            "RFC 3339",
        ),
        (
            vec!["clause", "list", "--as-of", "today"],
            "--as-of",
            "RFC 3339",
        ),
        (
            vec!["--time", "noon", "clause", "endorse", "C1"],
            "--time",
            "RFC 3339",
        ),
        (
            vec!["verify", "--expect-head", "12"],
            "--expect-head",
            "SEQ:HASH",
        ),
        (
            vec!["verify", "--expect-head", "x:00"],
            "--expect-head",
            "SEQ:HASH",
        ),
        (
            vec!["verify", "--expect-head", "3:abc"],
            "--expect-head",
            "SEQ:HASH",
        ),
        (
            vec!["evidence", "check", "A1", "charter.toml", "--salt", "zz"],
            "--salt",
            "64 hex digits",
        ),
        (
            vec!["bundle", "verify", "b.json", "--ledger-id", "4abc"],
            "--ledger-id",
            "64 hex digits",
        ),
        (
            vec![
                "observe",
                "--id",
                "O1",
                "--occurred",
                "2017-01-24T10:00:00Z",
                "--time-precision",
                "second",
                "--location",
                "l",
                "--place-precision",
                "district",
                "--summary",
                "s",
            ],
            "--time-precision",
            "use one of minute, hour, day, week, month",
        ),
    ];
    for (args, flag, says) in cases {
        // A signer for the writing commands, as ACCORD_KEY (the flag would
        // be refused on the others).
        let e = one_line_error(w.accord(&args).env("ACCORD_KEY", "tr.pem").assert().code(2));
        assert!(
            e.contains(&format!("'{flag} <")),
            "{args:?}: {e} should name {flag}"
        );
        assert!(e.contains(says), "{args:?}: {e} should say {says:?}");
    }
    assert_eq!(w.entry_list(), before);
    assert!(!w.path("other").exists());
    // The accepted forms still work as before.
    let head = w.json(&["verify", "--json"]);
    let expect = format!(
        "{}:{}",
        head["head"]["seq"],
        head["head"]["hash"].as_str().unwrap()
    );
    w.accord(&["verify", "--expect-head", &expect])
        .assert()
        .success();
    w.accord(&["obligations", "--as-of", "2999-01-01T10:00:00+03:00"])
        .assert()
        .success();
}

#[test]
fn help_completions_name_every_command_and_bash_accepts_them() {
    let w = World::new();
    let commands = commands(&w);
    let bash = stdout(&w, &["completions", "bash"]);
    // Each name as a whole word (`log` inside `login` would not count).
    let words: std::collections::BTreeSet<&str> = bash
        .split(|c: char| !(c.is_ascii_alphanumeric() || c == '-' || c == '_'))
        .collect();
    for c in &commands {
        assert!(words.contains(c.as_str()), "bash completions lack {c}");
    }
    assert!(bash.contains("endorse-revocation") && bash.contains("--expect-head"));
    // The possible values of --position are offered.
    assert!(
        bash.contains("deny admit counterclaim justify"),
        "no --position words"
    );
    std::fs::write(w.path("accord.bash"), &bash).unwrap();
    let check = Process::new("bash")
        .args(["-n", "accord.bash"])
        .current_dir(w.path(""))
        .output()
        .unwrap();
    assert!(
        check.status.success(),
        "bash -n: {}",
        String::from_utf8_lossy(&check.stderr)
    );
    for shell in ["zsh", "fish", "elvish", "powershell"] {
        let script = stdout(&w, &["completions", shell]);
        assert!(script.contains("endorse-revocation"), "{shell}");
    }
    let e = w.accord(&["completions", "tcsh"]).assert().code(2);
    let err = String::from_utf8(e.get_output().stderr.clone()).unwrap();
    assert!(err.contains("bash, elvish, fish, powershell, zsh"), "{err}");
}

/// The first roff request of a page, after the apostrophe preamble
/// (`.ie \n(.g .ds Aq ...` / `.el .ds Aq '`) clap_mangen puts first.
fn first_request(page: &str) -> &str {
    page.lines()
        .find(|l| !l.starts_with(".ie ") && !l.starts_with(".el "))
        .unwrap_or_default()
}

#[test]
fn help_man_page_names_every_command_with_its_examples() {
    let w = World::new();
    let page = stdout(&w, &["man"]);
    assert!(first_request(&page).starts_with(".TH accord 1"), "{page}");
    for c in commands(&w) {
        assert!(
            page.contains(&format!("accord\\-{}(1)", c.replace('-', "\\-"))),
            "the page does not name {c}"
        );
    }
    for section in [
        ".SH SYNOPSIS",
        ".SH SUBCOMMANDS",
        ".SH ENVIRONMENT",
        ".SH PASSPHRASES",
        ".SH EXIT CODES",
    ] {
        assert!(page.contains(section), "{section}");
    }
    // One page per command, each with its examples.
    let out = stdout(&w, &["man", "--dir", "man1"]);
    assert!(out.starts_with("wrote "), "{out}");
    let pages: Vec<_> = std::fs::read_dir(w.path("man1"))
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .collect();
    assert!(pages.len() > 80, "{pages:?}");
    for name in [
        "accord.1",
        "accord-commit.1",
        "accord-clause-propose.1",
        "accord-key-endorse-revocation.1",
    ] {
        assert!(pages.iter().any(|p| p == name), "{name} not in {pages:?}");
    }
    let commit = std::fs::read_to_string(w.path("man1/accord-commit.1")).unwrap();
    assert!(
        first_request(&commit).starts_with(".TH accord-commit 1"),
        "{commit}"
    );
    assert!(
        commit.contains(".SH EXAMPLES\n.nf\n  accord commit \\-\\-id K5"),
        "{commit}"
    );
    assert!(commit.contains(".SH EXAMPLES"), "{commit}");
}

#[test]
#[ignore = "needs man(1) (man-db with groff): .ci/run runs it with --run-ignored"]
fn help_man_pages_render_with_man() {
    let w = World::new();
    stdout(&w, &["man", "--dir", "man1"]);
    std::fs::write(w.path("accord.1"), stdout(&w, &["man"])).unwrap();
    for (page, says) in [
        ("accord.1", "ACCORD_PASSPHRASE"),
        ("man1/accord-commit.1", "accord commit --id K5"),
        (
            "man1/accord-clause-propose.1",
            "accord clause propose --id C1",
        ),
    ] {
        let shown = Process::new("man")
            .args(["-l", page])
            .env("MANWIDTH", "100")
            .env("MANPAGER", "cat")
            .env("PAGER", "cat")
            .current_dir(w.path(""))
            .output()
            .expect("man(1)");
        let text = String::from_utf8_lossy(&shown.stdout);
        let err = String::from_utf8_lossy(&shown.stderr);
        assert!(shown.status.success(), "{page}: {err}");
        assert!(!err.contains("warning"), "{page}: {err}");
        assert!(
            text.contains("EXAMPLES") && text.contains(says),
            "{page}: {text}"
        );
    }
}
