//! `completions SHELL` (clap_complete) and `man` (clap_mangen): generated
//! from the same command tree `cli::parse` uses, so they list exactly the
//! commands and flags the binary takes. A page's Examples and Environment
//! (the help's text after the options) become sections of their own, set
//! line for line as the help shows them.

use std::io::Write;
use std::path::Path;
use std::process::ExitCode;

use anyhow::{Context, Result};
use clap::builder::Resettable;
use clap_complete::Shell;

use crate::cli;

/// Prints the completion script for `shell`.
pub fn completions(shell: Shell, out: &mut impl Write) -> Result<ExitCode> {
    let mut cmd = cli::command();
    // Into memory first: clap_complete panics on a failed write (a closed
    // pipe), which `main` would report as an internal failure.
    let mut script = Vec::new();
    clap_complete::generate(shell, &mut cmd, "accord", &mut script);
    out.write_all(&script)?;
    Ok(ExitCode::SUCCESS)
}

/// Prints accord's man page, or writes one page per command into `dir`.
pub fn man(dir: Option<&Path>, out: &mut impl Write) -> Result<ExitCode> {
    let mut cmd = cli::command();
    cmd.build();
    let Some(dir) = dir else {
        out.write_all(&page(&cmd)?)?;
        return Ok(ExitCode::SUCCESS);
    };
    std::fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;
    let mut pages = 0;
    let mut todo = vec![cmd];
    while let Some(cmd) = todo.pop() {
        let name = cmd.get_display_name().unwrap_or(cmd.get_name()).to_owned();
        let file = dir.join(format!("{name}.1"));
        std::fs::write(&file, page(&cmd)?)
            .with_context(|| format!("cannot write {}", file.display()))?;
        pages += 1;
        todo.extend(
            cmd.get_subcommands()
                .filter(|s| !s.is_hide_set() && s.get_name() != "help")
                .cloned(),
        );
    }
    writeln!(out, "wrote {pages} manual pages into {}", dir.display())?;
    Ok(ExitCode::SUCCESS)
}

/// One command's page: clap_mangen's, with the text after the options
/// as sections of preformatted lines.
fn page(cmd: &clap::Command) -> Result<Vec<u8>> {
    let after = cmd.get_after_help().map(|h| h.to_string());
    let mut bare = cmd.clone().after_help(Resettable::Reset);
    if bare.get_display_name().is_none() {
        bare = bare.display_name(cmd.get_name().to_owned());
    }
    let mut page = Vec::new();
    clap_mangen::Man::new(bare).render(&mut page)?;
    let mut open = false;
    for line in after.as_deref().unwrap_or_default().lines() {
        let heading = !line.starts_with(' ') && line.ends_with(':');
        if heading || !open {
            if open {
                page.extend_from_slice(b".fi\n");
            }
            let title = match heading {
                true => line.trim_end_matches(':').to_uppercase(),
                false => "NOTES".to_owned(),
            };
            page.extend_from_slice(format!(".SH {title}\n.nf\n").as_bytes());
            open = true;
            if heading {
                continue;
            }
        }
        page.extend_from_slice(roff_line(line).as_bytes());
    }
    if open {
        page.extend_from_slice(b".fi\n");
    }
    Ok(page)
}

/// A line of text as roff shows it literally (in `.nf`).
fn roff_line(line: &str) -> String {
    let text = line.replace('\\', "\\e").replace('-', "\\-");
    match text.starts_with(['.', '\'']) {
        true => format!("\\&{text}\n"),
        false => format!("{text}\n"),
    }
}
