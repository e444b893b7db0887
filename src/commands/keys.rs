//! `key new`, `key show` and `key list`; `key rotate`, `key revoke` and
//! `key endorse-revocation` append, through `append`. Private keys are
//! read and written only through `keyfile`, never printed.

use std::io::Write;
use std::process::ExitCode;

use accord_ledger::Ledger;
use anyhow::Result;

use super::{append, Globals};
use crate::cli::KeyCommand;
use crate::record::Writing;
use crate::{keyfile, views_render};

/// Runs one `key` subcommand.
pub fn run(cmd: KeyCommand, g: &Globals, out: &mut impl Write) -> Result<ExitCode> {
    match cmd {
        KeyCommand::New { out: path, encrypt } => {
            let public = keyfile::generate(&path, encrypt)?;
            writeln!(out, "key id {}", public.id())?;
            writeln!(
                out,
                "wrote {} (private, mode 0600) and {}",
                path.display(),
                keyfile::pub_path(&path).display()
            )?;
        }
        KeyCommand::Show { file, json } => {
            let public = keyfile::load_public(&file)?;
            if json.json {
                let v = serde_json::json!({ "public_key": public.to_hex(), "key_id": public.id().to_hex() });
                writeln!(out, "{v}")?;
            } else {
                writeln!(
                    out,
                    "public key {}\nkey id     {}",
                    public.to_hex(),
                    public.id()
                )?;
            }
        }
        KeyCommand::List { json } => {
            let ledger = Ledger::open_read(g.ledger)?;
            let state = ledger.replay()?;
            if json.json {
                writeln!(out, "{}", views_render::keys_json(&state))?;
            } else {
                write!(out, "{}", views_render::keys_text(&state))?;
            }
        }
        KeyCommand::Rotate(args) => return append::run(Writing::Rotate(args), g, out),
        KeyCommand::Revoke(args) => return append::run(Writing::Revoke(args), g, out),
        KeyCommand::EndorseRevocation(args) => {
            return append::run(Writing::EndorseRevocation(args), g, out)
        }
    }
    Ok(ExitCode::SUCCESS)
}
