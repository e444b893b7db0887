//! The command line: every flag and subcommand, and nothing else.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};

#[derive(Debug, Parser)]
#[command(
    name = "accord",
    version,
    about = "A signed, hash-chained ledger for multi-party agreements",
    max_term_width = 100
)]
pub struct Cli {
    /// The ledger directory.
    #[arg(
        long,
        global = true,
        env = "ACCORD_LEDGER",
        default_value = "accord-ledger"
    )]
    pub ledger: PathBuf,

    /// The time to claim for a new entry (RFC 3339), instead of this
    /// machine's clock; for recording past events. Never more than five
    /// minutes ahead of the clock, never before the ledger's last entry.
    #[arg(long, global = true, env = "ACCORD_TIME", value_name = "RFC3339")]
    pub time: Option<String>,

    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Create and inspect ed25519 keys.
    #[command(subcommand)]
    Key(KeyCommand),
    /// Found a ledger from a charter (entry 0), signed by a party of it.
    Init {
        /// The charter, in TOML.
        #[arg(long)]
        charter: PathBuf,
        /// The convener's private key (a party of the charter).
        #[arg(long)]
        key: PathBuf,
    },
    /// Propose and endorse clauses.
    #[command(subcommand)]
    Clause(ClauseCommand),
    /// One line per entry: seq, time, author, kind, subject, short hash.
    Log(JsonFlag),
    /// One entry in full, with its hash and signature status.
    Show {
        seq: u64,
        #[command(flatten)]
        json: JsonFlag,
    },
    /// Recompute and check the whole chain; exit 1 naming the first bad entry.
    Verify(JsonFlag),
    /// Developer tools (benchmarks, load tests).
    #[command(subcommand, hide = true)]
    Dev(DevCommand),
}

#[derive(Debug, Subcommand)]
pub enum KeyCommand {
    /// Generate a key: FILE gets the PKCS#8 PEM private key (mode 0600),
    /// FILE.pub the public key; prints the key id.
    New {
        #[arg(long, value_name = "FILE")]
        out: PathBuf,
    },
    /// Print a key's public key (hex) and key id; FILE may be private or public.
    Show {
        file: PathBuf,
        #[command(flatten)]
        json: JsonFlag,
    },
}

#[derive(Debug, Subcommand)]
pub enum ClauseCommand {
    /// Put a clause's text on the record (guarantors and the mediator).
    Propose {
        #[arg(long)]
        id: String,
        #[arg(long)]
        title: String,
        /// The clause text.
        #[arg(
            long,
            required_unless_present = "text_file",
            conflicts_with = "text_file"
        )]
        text: Option<String>,
        /// Read the clause text from a file (UTF-8).
        #[arg(long, value_name = "FILE")]
        text_file: Option<PathBuf>,
        #[command(flatten)]
        key: KeyArg,
    },
    /// Endorse exactly the proposed text of a clause.
    Endorse {
        id: String,
        #[command(flatten)]
        key: KeyArg,
    },
}

#[derive(Debug, Subcommand)]
pub enum DevCommand {
    /// Create a synthetic, valid ledger of N entries after the charter.
    Synth {
        #[arg(long)]
        entries: u64,
        /// Also write the synthetic parties' private keys here.
        #[arg(long, value_name = "DIR")]
        keys_out: Option<PathBuf>,
    },
}

#[derive(Debug, Args)]
pub struct KeyArg {
    /// The signer's private key (PKCS#8 PEM).
    #[arg(long, env = "ACCORD_KEY", value_name = "FILE")]
    pub key: PathBuf,
}

#[derive(Debug, Args)]
pub struct JsonFlag {
    /// Machine-readable output (shapes documented in the README).
    #[arg(long)]
    pub json: bool,
}
