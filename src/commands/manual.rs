//! `completions SHELL` (clap_complete) and `man` (clap_mangen): generated
//! from the same command tree `cli::parse` uses, so they list exactly the
//! commands and flags the binary takes.

use std::io::Write;
use std::path::Path;
use std::process::ExitCode;

use anyhow::{Context, Result};
use clap_complete::Shell;

use crate::cli;

/// Prints the completion script for `shell`.
pub fn completions(shell: Shell, out: &mut impl Write) -> Result<ExitCode> {
    let mut cmd = cli::command();
    clap_complete::generate(shell, &mut cmd, "accord", out);
    Ok(ExitCode::SUCCESS)
}

/// Prints accord's man page, or writes one page per command into `dir`.
pub fn man(dir: Option<&Path>, out: &mut impl Write) -> Result<ExitCode> {
    let cmd = cli::command();
    match dir {
        None => {
            clap_mangen::Man::new(cmd).render(out)?;
        }
        Some(dir) => {
            std::fs::create_dir_all(dir)
                .with_context(|| format!("cannot create {}", dir.display()))?;
            clap_mangen::generate_to(cmd, dir)
                .with_context(|| format!("cannot write the pages into {}", dir.display()))?;
            writeln!(out, "wrote the manual pages into {}", dir.display())?;
        }
    }
    Ok(ExitCode::SUCCESS)
}
