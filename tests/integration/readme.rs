//! README's walk-through runs as written: every `sh` block of README.md, in
//! order, as one bash script in an empty directory with the built `accord`
//! first on the PATH and no `ACCORD_*` variable set. A command that drifts
//! from the binary (a renamed flag, a sequence number that moved, a step
//! the rules now refuse) fails here, naming the block.

use std::path::Path;
use std::process::Command;

/// The `sh` blocks of a Markdown text, each with the line its fence opens.
fn sh_blocks(markdown: &str) -> Vec<(usize, String)> {
    let mut blocks = Vec::new();
    let mut open: Option<(usize, String)> = None;
    for (index, line) in markdown.lines().enumerate() {
        match open.as_mut() {
            None if line == "```sh" => open = Some((index + 1, String::new())),
            None => {}
            Some(_) if line.starts_with("```") => blocks.extend(open.take()),
            Some((_, body)) => {
                body.push_str(line);
                body.push('\n');
            }
        }
    }
    assert!(open.is_none(), "README.md: an sh block is never closed");
    blocks
}

#[test]
fn every_sh_block_of_the_readme_runs_in_order_from_an_empty_directory() {
    let readme = std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("README.md"))
        .expect("README.md");
    let blocks = sh_blocks(&readme);
    // The walk-through has more than a dozen blocks; far fewer means the
    // fences changed and this test would check nothing.
    assert!(
        blocks.len() >= 12,
        "only {} sh blocks found in README.md",
        blocks.len()
    );

    let mut script = String::from("set -euo pipefail\n");
    for (line, body) in &blocks {
        script.push_str(&format!(
            "echo '>>> README.md block at line {line}' >&2\n{body}"
        ));
    }
    let home = tempfile::tempdir().expect("temp dir");
    let work = home.path().join("walk-through");
    std::fs::create_dir(&work).expect("work dir");
    let script_path = home.path().join("readme.sh");
    std::fs::write(&script_path, script).expect("script");

    let binary = Path::new(env!("CARGO_BIN_EXE_accord"));
    let path = format!(
        "{}:{}",
        binary.parent().expect("the binary's directory").display(),
        std::env::var("PATH").unwrap_or_default()
    );
    let mut command = Command::new("bash");
    command
        .arg(&script_path)
        .current_dir(&work)
        .env("PATH", path)
        .env("HOME", home.path());
    for (name, _) in std::env::vars() {
        if name.starts_with("ACCORD_") {
            command.env_remove(name);
        }
    }
    let output = command.output().expect("bash runs");
    let stderr = String::from_utf8_lossy(&output.stderr);
    let stdout = String::from_utf8_lossy(&output.stdout);
    let tail = |text: &str| {
        text.lines()
            .rev()
            .take(25)
            .collect::<Vec<_>>()
            .into_iter()
            .rev()
            .collect::<Vec<_>>()
            .join("\n")
    };
    assert!(
        output.status.success(),
        "README.md's walk-through failed ({}):\n--- stderr (last lines)\n{}\n--- stdout (last lines)\n{}",
        output.status,
        tail(&stderr),
        tail(&stdout)
    );
    // The story reached its end: the outsider's bundle check passed.
    assert!(
        stdout.contains("existed no later than"),
        "no bundle verdict:\n{}",
        tail(&stdout)
    );
}

#[test]
fn sh_blocks_are_found_with_their_lines_and_other_fences_are_not_run() {
    let text =
        "intro\n```sh\necho one\n```\n```text\nnot run\n```\n```sh\necho two\necho three\n```\n";
    assert_eq!(
        sh_blocks(text),
        vec![
            (2, "echo one\n".to_string()),
            (8, "echo two\necho three\n".to_string())
        ]
    );
}
