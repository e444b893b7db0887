//! The command line: every flag and subcommand, and nothing else.

use std::path::PathBuf;

use accord_ledger::Backend;
use clap::{Args, Parser, Subcommand};

fn parse_backend(s: &str) -> Result<Backend, String> {
    s.parse()
}

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

    /// Append through the server at URL (`accord serve`) instead of a local
    /// directory: the entry is signed on this machine (the key never
    /// leaves it) on the server's head, and signed again if another entry
    /// got there first. Writing commands only; ACCORD_REMOTE sets it for
    /// them. Reads run on a verified replica (`accord mirror`).
    #[arg(long, global = true, value_name = "URL")]
    pub remote: Option<String>,

    /// The ledger you expect (its id: 64 hex digits, from a source you
    /// trust). A `--remote` write refuses a server for another ledger;
    /// `mirror` pins a new replica to it; `bundle verify` judges against it
    /// (without it, a bundle is judged against its own charter).
    #[arg(long, global = true, env = "ACCORD_LEDGER_ID", value_name = "HEX")]
    pub ledger_id: Option<String>,

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
        /// The storage engine: redb (default; crash-safe) or sled.
        #[arg(long, default_value = "redb", value_parser = parse_backend)]
        store: Backend,
    },
    /// Propose, endorse, accept, decline, revise and extend clauses; show them.
    #[command(subcommand)]
    Clause(ClauseCommand),
    /// Commit yourself under a clause (you are the obligor).
    Commit(CommitArgs),
    /// Report on your own commitments.
    #[command(subcommand)]
    Commitment(CommitmentCommand),
    /// Allege a violation by another party.
    Allege(AllegeArgs),
    /// Answer an allegation against you.
    Respond(RespondArgs),
    /// Withdraw your own allegation.
    #[command(subcommand)]
    Allegation(AllegationCommand),
    /// Propose, endorse or dissent from rulings on allegations.
    #[command(subcommand)]
    Ruling(RulingCommand),
    // issue 14: actors
    /// The register of non-signatory actors (listed by charter amendment),
    /// with the allegations naming each and the rulings attributing to each.
    Actors {
        /// As recorded up to and including entry SEQ.
        #[arg(long, value_name = "SEQ", conflicts_with = "as_of")]
        at: Option<u64>,
        /// As recorded at this time (RFC 3339).
        #[arg(long, value_name = "RFC3339")]
        as_of: Option<String>,
        #[command(flatten)]
        json: JsonFlag,
    },
    // issue 14: bodies
    /// Record your view of an item you do not vote on (a recorded,
    /// non-voting view).
    View(ViewArgs),
    /// Each party's commitments, open allegations, proposed rulings and
    /// pending duties (--all adds closed allegations and adopted rulings).
    Obligations {
        /// Only this party.
        #[arg(long)]
        party: Option<String>,
        /// Also list allegations already ruled on or withdrawn, and adopted
        /// rulings (a full replay of the entries).
        #[arg(long)]
        all: bool,
        /// Recompute the view by replaying every entry with every check,
        /// instead of reading the records appends keep beside the entries.
        #[arg(long)]
        replay: bool,
        /// As recorded up to and including entry SEQ.
        #[arg(long, value_name = "SEQ", conflicts_with = "as_of")]
        at: Option<u64>,
        /// As recorded at this time (RFC 3339).
        #[arg(long, value_name = "RFC3339")]
        as_of: Option<String>,
        #[command(flatten)]
        json: JsonFlag,
    },
    /// Every entry concerning a clause, commitment, allegation or ruling.
    History {
        id: String,
        #[command(flatten)]
        json: JsonFlag,
    },
    /// What changed in every party's obligations between two entries.
    Diff {
        #[arg(long, value_name = "SEQ")]
        from: u64,
        #[arg(long, value_name = "SEQ")]
        to: u64,
        #[command(flatten)]
        json: JsonFlag,
    },
    /// Check a file against the evidence digests recorded for an allegation.
    #[command(subcommand)]
    Evidence(EvidenceCommand),
    /// Write every entry (verified) as JSON Lines with the canonical bytes:
    /// the backup and migration format (docs/FORMAT.md).
    Export {
        /// Write here (atomically) instead of to standard output.
        #[arg(long, value_name = "FILE")]
        out: Option<PathBuf>,
    },
    /// Build a new ledger (--ledger) from an export, checking every entry;
    /// nothing is created unless all of it is valid.
    Import {
        /// The export file, or - for standard input.
        file: PathBuf,
        /// The storage engine of the new ledger: redb (default) or sled.
        #[arg(long, default_value = "redb", value_parser = parse_backend)]
        store: Backend,
    },
    /// Rebuild every piece of derived data (indexes, cached state) from the
    /// entries, and say what differed. Never needed for correctness: appends
    /// rebuild stale data themselves, and verify never reads it; but the
    /// fast views (obligations' open view) trust it.
    Doctor {
        /// Change nothing: recompute derived data and report every
        /// difference from what is stored (exit 1 if any), for an auditor.
        #[arg(long)]
        check: bool,
        #[command(flatten)]
        json: JsonFlag,
    },
    /// Make the good prefix of an invalid ledger the ledger again, keeping
    /// every later entry in a file and the old store renamed aside
    /// (docs/SECURITY.md, "Recovering a ledger").
    Recover {
        /// The last entry to keep (default: the last one that verifies).
        #[arg(long, value_name = "SEQ")]
        to: Option<u64>,
        /// Where to keep the entries after it (must not exist): an export's
        /// lines, with the raw bytes of any entry that does not decode.
        #[arg(long, value_name = "FILE")]
        out: PathBuf,
    },
    /// One line per entry: seq, time, author, kind, subject, short hash.
    // issue 15: json (LogArgs: the filters)
    Log(LogArgs),
    /// One entry in full, with its hash and signature status.
    Show {
        seq: u64,
        #[command(flatten)]
        json: JsonFlag,
    },
    /// Recompute and check the whole chain. Exit 0 valid; 1 invalid or
    /// damaged (naming the first bad entry); 3 could not check (no ledger,
    /// an I/O error: nothing is known to be wrong); 4 valid, but an entry is
    /// dated ahead of this machine's clock.
    Verify {
        /// A head saved earlier (SEQ:HASH, as `verify` prints it): the
        /// ledger must reach it with that hash, so a truncated or rewritten
        /// tail fails.
        #[arg(long, value_name = "SEQ:HASH", conflicts_with = "against")]
        expect_head: Option<String>,
        /// Another copy's export: report every author who signed two
        /// different entries with the same per-author sequence number
        /// (equivocation), with both signed entries as proof.
        #[arg(long, value_name = "EXPORT")]
        against: Option<PathBuf>,
        /// A checkpoint (from `accord checkpoint`, cosigned with `accord
        /// witness cosign`): the ledger must equal or extend it, a party's
        /// signature and a quorum of witnesses' cosignatures must verify.
        #[arg(long, value_name = "FILE", conflicts_with = "against")]
        checkpoint: Option<PathBuf>,
        /// The witnesses whose cosignatures count (party ids, comma
        /// separated; default: the charter's guarantors).
        #[arg(
            long,
            value_name = "IDS",
            value_delimiter = ',',
            requires = "checkpoint"
        )]
        witnesses: Vec<String>,
        /// How many witnesses must have cosigned (default: the charter's
        /// ruling quorum).
        #[arg(long, value_name = "N", requires = "checkpoint")]
        quorum: Option<usize>,
        #[command(flatten)]
        json: JsonFlag,
    },
    /// Developer tools (benchmarks, load tests).
    #[cfg(any(feature = "dev", debug_assertions))]
    #[command(subcommand, hide = true)]
    Dev(DevCommand),
    /// Merkle proofs (RFC 9162) over the entries: that an entry is in the
    /// tree of the first N entries, or that one tree size extends another.
    #[command(subcommand)]
    Proof(ProofCommand),
    /// Write the ledger's checkpoint (a C2SP tlog-checkpoint: entries,
    /// Merkle root, key-history commitment), signed by your key, for the
    /// witnesses to cosign (docs/FORMAT.md, "Checkpoints and cosignatures").
    Checkpoint {
        #[command(flatten)]
        key: KeyArg,
        /// Write here (atomically) instead of to standard output.
        #[arg(long, value_name = "FILE")]
        out: Option<PathBuf>,
    },
    /// Act as a witness (of this ledger, or over HTTP of any tlog), or
    /// submit this ledger's checkpoint to one.
    #[command(subcommand)]
    Witness(WitnessCommand),
    /// Build a dispute bundle: the chosen entries with the charter, every
    /// key event and their inclusion proofs to a cosigned checkpoint, in one
    /// file anyone can check offline with `accord bundle verify`.
    Prove {
        /// An entry to prove (repeatable).
        #[arg(long = "entry", value_name = "SEQ")]
        entries: Vec<u64>,
        /// Every entry of this clause, commitment, allegation or ruling
        /// (repeatable).
        #[arg(long = "item", value_name = "ID")]
        items: Vec<String>,
        /// The cosigned checkpoint (`accord checkpoint`, then `accord
        /// witness cosign` by the witnesses).
        #[arg(long, value_name = "FILE")]
        checkpoint: PathBuf,
        /// Where to write the bundle (atomically).
        #[arg(long, value_name = "FILE")]
        out: PathBuf,
    },
    /// Check dispute bundles, with nothing but the bundle.
    #[command(subcommand)]
    Bundle(BundleCommand),
    /// Write the ledger as C2SP tlog-tiles (checkpoint, Merkle tree tiles,
    /// entry bundles) to a directory that any static web server, object
    /// store or CDN can serve; run again after appends (incremental).
    Publish {
        /// The directory to write (created if missing).
        #[arg(long, value_name = "DIR")]
        tiles: PathBuf,
        /// The checkpoint to publish: one of this ledger signed by a party
        /// (`accord checkpoint`), cosigned by witnesses as readers expect.
        #[arg(long, value_name = "FILE")]
        checkpoint: PathBuf,
    },
    /// Serve the ledger over HTTP (behind a reverse proxy for TLS): reads,
    /// proofs, the host's cosigned checkpoint, and POSTed signed entries
    /// admitted as a local append would be. Prints the bound address first;
    /// holds the ledger while it runs. Routes: docs/PROTOCOL.md.
    Serve {
        /// The address to listen on (port 0: any free port).
        #[arg(long, value_name = "ADDR:PORT")]
        listen: std::net::SocketAddr,
        /// The cosigned checkpoint to serve at /checkpoint (re-read when
        /// it changes; served only while it matches the ledger).
        #[arg(long, value_name = "FILE")]
        checkpoint: Option<PathBuf>,
        /// Stop after answering this many requests (tests).
        #[arg(long, value_name = "N")]
        max_requests: Option<u64>,
        /// Requests per second one client address may make, after a burst
        /// of twice that (429 past it). 0: no limit, for a server behind a
        /// reverse proxy that limits each client itself.
        #[arg(long, value_name = "N", default_value_t = 50)]
        rate: u32,
        /// Your party's current key: the server signs the checkpoint of its
        /// head itself and collects witnesses' cosignatures on it (written
        /// to --checkpoint FILE, if given, each time it changes).
        #[arg(long, value_name = "FILE")]
        key: Option<PathBuf>,
    },
    /// Create or update a verified replica (--ledger) of a ledger served by
    /// `accord serve --key`: every entry through the gate of a local
    /// append, the checkpoint accepted only once its entries match it. A
    /// history that does not extend the replica's is refused, a proof
    /// written, and the exit code is 5 (0 ok, 1 error).
    #[command(after_help = MIRROR_EXIT_CODES)]
    Mirror {
        /// The server's URL (remembered in the replica; default: the one
        /// remembered).
        #[arg(long, value_name = "URL")]
        from: Option<String>,
        #[command(flatten)]
        opts: MirrorArgs,
        /// The storage engine of a new replica: redb (default) or sled.
        #[arg(long, default_value = "redb", value_parser = parse_backend)]
        store: Backend,
    },
    /// Update a replica from the server it remembers (`accord mirror`
    /// again). Exit codes as `accord mirror`'s.
    #[command(after_help = MIRROR_EXIT_CODES)]
    Sync {
        #[command(flatten)]
        opts: MirrorArgs,
    },
    /// Fork proofs written by `accord mirror`.
    #[command(subcommand)]
    Fork(ForkCommand),
    // issue 13: charter amendments
    /// The charter in force (as amended) and amendments to it.
    #[command(subcommand)]
    Charter(CharterCommand),
    // issue 14: monitoring
    /// Record what you observed, accusing nobody (monitors, and members of
    /// the reporting body).
    Observe(Box<ObserveArgs>),
    /// Refer an allegation, observation or ruling to a body.
    Refer(ReferArgs),
    /// Task a team (a body) with a due time (members of its parent body;
    /// guarantors and the secretariat for a team with no parent).
    Task(TaskArgs),
    /// Recommend measures to a party on behalf of a body you sit on.
    Recommend(RecommendArgs),
    /// Report the measures you took on a recommendation made to you.
    Measures(MeasuresArgs),
    /// Record a meeting (the secretariat, the mediator) or cosign its record (attendees).
    #[command(subcommand)]
    Meeting(MeetingCommand),
    /// Observations, tasks, recommendations and meeting records, with
    /// their phases as of a point (overdue judged at its time).
    Observations {
        #[command(flatten)]
        point: PointArgs,
        #[command(flatten)]
        json: JsonFlag,
    },
}

/// `accord mirror` and `accord sync`'s exit codes.
const MIRROR_EXIT_CODES: &str =
    "Exit codes: 0 up to date; 1 error (nothing wrong is known of the server); \
5 the server's history does not extend this replica's (fork or rollback): nothing was appended and \
the proof was written to --fork-proof.";

/// What `mirror` and `sync` share.
#[derive(Debug, Args)]
pub struct MirrorArgs {
    /// Cosign the new checkpoint as a witness with this key (your party's
    /// current key), and send the cosignature to the server.
    #[arg(long, value_name = "FILE")]
    pub witness_key: Option<PathBuf>,
    /// Where the witness remembers what it cosigned (as `witness cosign
    /// --state`).
    #[arg(long, env = "ACCORD_WITNESS_STATE", value_name = "DIR")]
    pub witness_state: Option<PathBuf>,
    /// Where to write the proof of an inconsistent history (default:
    /// <ledger>.fork-proof.json beside the replica).
    #[arg(long, value_name = "FILE")]
    pub fork_proof: Option<PathBuf>,
}

#[derive(Debug, Subcommand)]
pub enum ForkCommand {
    /// Check a fork proof with nothing but the file: both checkpoints
    /// signed by the keys it lists, and for a fork two different entries
    /// at one seq, each in its checkpoint's tree. Exit 0 it holds, 1 not.
    Check {
        /// The proof (from `accord mirror`).
        file: PathBuf,
        #[command(flatten)]
        json: JsonFlag,
    },
}

#[derive(Debug, Subcommand)]
pub enum WitnessCommand {
    /// Cosign a checkpoint after checking it against your own verified copy
    /// (--ledger) and the last checkpoint you cosigned for this ledger;
    /// never cosigns two checkpoints that are not consistent.
    Cosign {
        /// The checkpoint (signed note) to cosign.
        checkpoint: PathBuf,
        #[command(flatten)]
        key: KeyArg,
        /// Where the witness remembers what it cosigned (default:
        /// $XDG_STATE_HOME/accord/witness, else
        /// ~/.local/state/accord/witness). Back it up; never delete it.
        #[arg(long, env = "ACCORD_WITNESS_STATE", value_name = "DIR")]
        state: Option<PathBuf>,
        /// Write the cosigned checkpoint here (atomically) instead of to
        /// standard output.
        #[arg(long, value_name = "FILE")]
        out: Option<PathBuf>,
    },
    /// Serve as a C2SP tlog-witness (POST /add-checkpoint) for the logs
    /// given, accord's or any other; prints the bound address, then this
    /// witness's verifier key. Routes: docs/PROTOCOL.md.
    Serve(WitnessServe),
    /// Send the checkpoint to a tlog-witness with a consistency proof from
    /// this ledger (--ledger), check its cosignature and add it to the
    /// checkpoint file (atomically).
    Submit {
        /// The witness's URL (its add-checkpoint is at URL/add-checkpoint).
        #[arg(long, value_name = "URL")]
        to: String,
        /// The signed checkpoint (`accord checkpoint --out F`); updated.
        #[arg(long, value_name = "FILE")]
        checkpoint: PathBuf,
        /// The witness's verifier key (name+keyid+base64), from its
        /// operator: only a cosignature by it is accepted.
        #[arg(long, value_name = "VKEY")]
        witness_vkey: String,
    },
    /// Print the note verifier key (name+keyid+base64) of a public key:
    /// a log's (`--log ORIGIN=VKEY` of `witness serve`), or with
    /// --cosigner a witness's (`--witness-vkey` of `witness submit`).
    Vkey {
        /// The public key file (`.pem.pub`), or a private key.
        #[arg(long, value_name = "FILE")]
        key: PathBuf,
        /// The key name (for an accord checkpoint: the signing party's id).
        #[arg(long)]
        name: String,
        /// A cosigner's key (type 0x04) instead of a note signer's (0x01).
        #[arg(long)]
        cosigner: bool,
    },
}

/// `witness serve`'s flags.
#[derive(Debug, Args)]
pub struct WitnessServe {
    /// The address to listen on (port 0: any free port).
    #[arg(long, value_name = "ADDR:PORT")]
    pub listen: std::net::SocketAddr,
    #[command(flatten)]
    pub key: KeyArg,
    /// This witness's name, on its cosignature lines (e.g.
    /// witness.example/w1).
    #[arg(long)]
    pub name: String,
    /// Where the witness remembers the latest checkpoint it cosigned for
    /// each log (default as for `witness cosign`). Back it up; never
    /// delete it.
    #[arg(long, env = "ACCORD_WITNESS_STATE", value_name = "DIR")]
    pub state: Option<PathBuf>,
    /// A log to witness: its origin line and its note verifier key
    /// (repeatable; an origin may be given with several keys).
    #[arg(long = "log", value_name = "ORIGIN=VKEY", required = true)]
    pub logs: Vec<String>,
    /// Stop after answering this many requests (tests).
    #[arg(long, value_name = "N")]
    pub max_requests: Option<u64>,
}

#[derive(Debug, Subcommand)]
pub enum BundleCommand {
    /// Check a bundle offline: every inclusion proof, the key history, the
    /// checkpoint's signature and cosignatures, each entry's signature.
    /// Exit 0 valid; 1 invalid (naming what); 3 the file could not be read.
    Verify {
        /// The bundle (from `accord prove`).
        file: PathBuf,
        /// The witnesses whose cosignatures count (default: the charter's
        /// guarantors).
        #[arg(long, value_name = "IDS", value_delimiter = ',')]
        witnesses: Option<Vec<String>>,
        /// How many of them must cosign (default: the charter's ruling
        /// quorum).
        #[arg(long, value_name = "N")]
        quorum: Option<usize>,
        #[command(flatten)]
        json: JsonFlag,
    },
}

#[derive(Debug, Subcommand)]
pub enum KeyCommand {
    /// Generate a key: FILE gets the PKCS#8 PEM private key (mode 0600),
    /// FILE.pub the public key; prints the key id.
    New {
        #[arg(long, value_name = "FILE")]
        out: PathBuf,
        /// Encrypt the private key under a passphrase (from
        /// ACCORD_PASSPHRASE, or asked for on the terminal).
        #[arg(long)]
        encrypt: bool,
    },
    /// Print a key's public key (hex) and key id; FILE may be private or public.
    Show {
        file: PathBuf,
        #[command(flatten)]
        json: JsonFlag,
    },
    /// Replace your key: signed with the current key (--key); the new key
    /// signs from the next entry, the old one never again.
    Rotate(RotateArgs),
    /// Propose revoking a party's lost or compromised key (guarantors); it
    /// takes effect when the charter's ruling_quorum of guarantors endorse.
    Revoke(RevokeArgs),
    /// Endorse a proposed key revocation (guarantors).
    EndorseRevocation(EndorseRevocationArgs),
    /// Every party's current key and key history in the ledger.
    List {
        #[command(flatten)]
        json: JsonFlag,
    },
}

/// A clause's title and its text, given inline or read from a file.
#[derive(Debug, Args)]
pub struct ClauseTextArgs {
    #[arg(long)]
    pub title: String,
    /// The clause text.
    #[arg(
        long,
        required_unless_present = "text_file",
        conflicts_with = "text_file"
    )]
    pub text: Option<String>,
    /// Read the clause text from a file (UTF-8).
    #[arg(long, value_name = "FILE")]
    pub text_file: Option<PathBuf>,
}

#[derive(Debug, Subcommand)]
pub enum ClauseCommand {
    /// Put a clause's text on the record (guarantors, the mediator and the secretariat).
    Propose {
        #[arg(long)]
        id: String,
        #[command(flatten)]
        text: ClauseTextArgs,
        // issue 14: bodies
        /// Table it for these parties only (comma-separated, at least one
        /// guarantor): adopted when every guarantor among them endorses;
        /// only they accept it and commit under it.
        #[arg(long, value_delimiter = ',', value_name = "PARTY,...")]
        signatories: Vec<String>,
        #[command(flatten)]
        key: KeyArg,
    },
    /// Endorse exactly the proposed text of a clause (guarantors, mediator).
    Endorse {
        id: String,
        #[command(flatten)]
        key: KeyArg,
    },
    /// Accept exactly the proposed text of a clause (parties to the conflict).
    Accept {
        id: String,
        #[command(flatten)]
        key: KeyArg,
    },
    // issue 13: clauses
    /// Withdraw your own clause proposal before it is adopted.
    Withdraw {
        id: String,
        #[arg(long)]
        reason: String,
        #[command(flatten)]
        key: KeyArg,
    },
    /// Decline exactly the proposed text of a clause instead of accepting
    /// it (parties to the conflict).
    Decline {
        id: String,
        #[arg(long)]
        reason: String,
        #[command(flatten)]
        key: KeyArg,
    },
    /// Propose a new text for an adopted clause: a new clause that
    /// supersedes it once adopted (guarantors and the mediator).
    Revise {
        /// The new clause's id.
        #[arg(long)]
        id: String,
        /// The adopted clause it supersedes.
        #[arg(long)]
        revises: String,
        #[command(flatten)]
        text: ClauseTextArgs,
        #[command(flatten)]
        key: KeyArg,
    },
    /// Propose until when an adopted clause is in force (extend, shorten,
    /// or --no-end); adopted by endorse-term under the clause adoption rule.
    Extend {
        id: String,
        /// The last moment the clause is in force (RFC 3339).
        #[arg(
            long,
            value_name = "RFC3339",
            required_unless_present = "no_end",
            conflicts_with = "no_end"
        )]
        until: Option<String>,
        /// The clause runs with no end.
        #[arg(long)]
        no_end: bool,
        #[arg(long)]
        reason: String,
        #[command(flatten)]
        key: KeyArg,
    },
    /// Endorse exactly the pending term proposal of a clause (guarantors,
    /// mediator).
    EndorseTerm {
        id: String,
        /// The entry of the term proposal you read: refused if another replaced it since.
        #[arg(long, value_name = "SEQ")]
        proposal: u64,
        #[command(flatten)]
        key: KeyArg,
    },
    /// One clause: text, endorsers, who is missing, acceptors, decliners,
    /// adoption, term, revisions, and its phase as of a point.
    Show {
        id: String,
        #[command(flatten)]
        point: PointArgs,
        #[command(flatten)]
        json: JsonFlag,
    },
    /// Every clause with its phase, adoption and term as of a point.
    List {
        #[command(flatten)]
        point: PointArgs,
        #[command(flatten)]
        json: JsonFlag,
    },
}

/// Which point a clause view is asked at (default: the head, judged now).
#[derive(Debug, Args)]
pub struct PointArgs {
    /// As recorded up to and including entry SEQ, judged at its time.
    #[arg(long, value_name = "SEQ", conflicts_with = "as_of")]
    pub at: Option<u64>,
    /// As recorded at this time, judged at it (RFC 3339).
    #[arg(long, value_name = "RFC3339")]
    pub as_of: Option<String>,
}

#[derive(Debug, Subcommand)]
pub enum CommitmentCommand {
    /// Report a commitment fulfilled.
    Fulfil {
        id: String,
        #[arg(long)]
        note: String,
        #[command(flatten)]
        key: KeyArg,
    },
    /// Withdraw a commitment, giving the reason.
    Withdraw {
        id: String,
        #[arg(long)]
        reason: String,
        #[command(flatten)]
        key: KeyArg,
    },
    /// Report the remedy of a commitment a ruling found breached.
    Remedy {
        id: String,
        #[arg(long)]
        note: String,
        #[command(flatten)]
        key: KeyArg,
    },
    /// Report progress on a commitment (e.g. --done 2300 --of 7132).
    Progress {
        id: String,
        /// Units done so far.
        #[arg(long)]
        done: u64,
        /// Units in all.
        #[arg(long)]
        of: u64,
        #[arg(long)]
        note: String,
        #[command(flatten)]
        key: KeyArg,
    },
    /// Attest the obligor's latest report on a commitment (monitors, guarantors).
    Attest {
        id: String,
        /// The entry of the report you checked: refused if a later report has come since.
        #[arg(long, value_name = "SEQ")]
        report: u64,
        #[command(flatten)]
        verdict: VerdictArg,
        #[arg(long)]
        note: String,
        #[command(flatten)]
        key: KeyArg,
    },
    /// Propose new times for a commitment, both given (the obligor, guarantors,
    /// the mediator); agreed by the obligor and under the clause adoption rule.
    Reschedule {
        id: String,
        /// The new due time (RFC 3339), or "none".
        #[arg(long, value_name = "RFC3339|none")]
        due: String,
        /// The new until time (RFC 3339), or "none".
        #[arg(long, value_name = "RFC3339|none")]
        until: String,
        #[arg(long)]
        reason: String,
        #[command(flatten)]
        key: KeyArg,
    },
    /// Join a commitment as a joint obligor: bound by exactly its text.
    Join {
        id: String,
        #[command(flatten)]
        key: KeyArg,
    },
    /// Agree to exactly the pending reschedule of a commitment.
    AgreeReschedule {
        id: String,
        /// The entry of the reschedule proposal you read: refused if another replaced it since.
        #[arg(long, value_name = "SEQ")]
        proposal: u64,
        #[command(flatten)]
        key: KeyArg,
    },
}

/// `--verified` or `--disputed`.
#[derive(Debug, Args)]
#[group(required = true, multiple = false)]
pub struct VerdictArg {
    /// The report is borne out.
    #[arg(long)]
    pub verified: bool,
    /// The report is disputed.
    #[arg(long)]
    pub disputed: bool,
}

#[derive(Debug, Subcommand)]
pub enum AllegationCommand {
    // issue 14: actors
    /// Allege a violation by one or more parties or listed actors, or by
    /// persons unknown (the same as `accord allege`).
    File(AllegeArgs),
    /// Withdraw an allegation you filed.
    Withdraw {
        id: String,
        #[arg(long)]
        reason: String,
        #[command(flatten)]
        key: KeyArg,
    },
    /// Correct an open allegation you filed: each field given replaces the
    /// one on record, evidence is added; the filing stays in its history.
    Correct {
        id: String,
        /// The corrected incident time (RFC 3339).
        #[arg(long, value_name = "RFC3339")]
        occurred: Option<String>,
        /// The corrected place.
        #[arg(long)]
        location: Option<String>,
        /// The corrected account.
        #[arg(long)]
        summary: Option<String>,
        /// The corrected list of the accused's commitments (repeatable; replaces the list).
        #[arg(long = "commitment", value_name = "ID")]
        commitments: Vec<String>,
        /// A file of evidence to add (repeatable).
        #[arg(long = "evidence", value_name = "FILE")]
        evidence: Vec<PathBuf>,
        /// What the correction changes and why.
        #[arg(long)]
        reason: String,
        #[command(flatten)]
        key: KeyArg,
    },
}

/// What a ruling (or a revision of one) finds.
#[derive(Debug, Args)]
pub struct RulingTermsArgs {
    /// confirmed | not-substantiated | inconclusive | incident-not-violation
    #[arg(long)]
    pub finding: String,
    /// A party id or a listed actor's id (`actor:ID` names an actor
    /// without looking it up), `largely:ID` for largely attributed, shared
    /// or unattributable.
    #[arg(long)]
    pub attribution: String,
    /// A commitment the incident breached (repeatable; confirmed findings only).
    #[arg(long = "breach", value_name = "ID")]
    pub breaches: Vec<String>,
    #[arg(long)]
    pub text: String,
}

#[derive(Debug, Subcommand)]
pub enum RulingCommand {
    /// Draft a finding on an allegation (guarantors, monitors), or with
    /// --body a body's ruling on an allegation or an observation (a member).
    Propose {
        #[arg(long)]
        id: String,
        #[arg(long, required_unless_present = "on", conflicts_with = "on")]
        allegation: Option<String>,
        // issue 14: bodies
        /// The observation (or allegation) a body's ruling decides.
        #[arg(long, requires = "body", value_name = "ITEM")]
        on: Option<String>,
        /// The body that decides it, under its own rule (a member drafts).
        #[arg(long)]
        body: Option<String>,
        #[command(flatten)]
        terms: RulingTermsArgs,
        #[command(flatten)]
        key: KeyArg,
    },
    /// Endorse exactly the proposed ruling (guarantors).
    Endorse {
        id: String,
        #[command(flatten)]
        key: KeyArg,
    },
    /// Propose to reconsider the adopted ruling on an allegation (guarantors,
    /// monitors): once adopted by the ruling quorum, it supersedes it.
    Revise {
        #[arg(long)]
        id: String,
        /// The adopted ruling reconsidered.
        #[arg(long)]
        revises: String,
        #[command(flatten)]
        terms: RulingTermsArgs,
        #[command(flatten)]
        key: KeyArg,
    },
    /// Record your dissent from a ruling (guarantors); it does not block adoption.
    Dissent {
        id: String,
        #[arg(long)]
        text: String,
        #[command(flatten)]
        key: KeyArg,
    },
    // issue 14: bodies
    /// Ratify exactly a body's provisional ruling (members of its parent
    /// body): adopted once the parent body's rule is met.
    Ratify {
        id: String,
        #[command(flatten)]
        key: KeyArg,
    },
}

#[derive(Debug, Subcommand)]
pub enum EvidenceCommand {
    /// Does FILE match a digest recorded for the item (an allegation and
    /// its responses, an observation, measures, or evidence added to it)?
    Check {
        /// The item's id.
        item: String,
        file: PathBuf,
        /// The salt (64 hex digits, from `evidence add --salted`) to check
        /// FILE against salted digests.
        #[arg(long, value_name = "HEX")]
        salt: Option<String>,
        #[command(flatten)]
        json: JsonFlag,
    },
    // issue 14: monitoring
    /// Add evidence to an item already on record: each file's SHA-256,
    /// size and type are recorded, not the file. With --salted the digest
    /// is SHA-256(salt || file) under a fresh random 32-byte salt, printed
    /// once and written to FILE.salt (mode 0600), never to the ledger.
    Add {
        /// The item's id.
        item: String,
        /// The files (at least one).
        #[arg(required = true)]
        files: Vec<PathBuf>,
        /// Salt each digest (for guessable files, such as a list of names).
        #[arg(long)]
        salted: bool,
        /// What the evidence shows.
        #[arg(long)]
        note: String,
        #[command(flatten)]
        key: KeyArg,
    },
}

// Only in a debug build or with the `dev` feature (Cargo.toml).
#[cfg(any(feature = "dev", debug_assertions))]
#[derive(Debug, Subcommand)]
pub enum DevCommand {
    /// Create a synthetic, valid ledger of N entries after the charter.
    Synth {
        #[arg(long)]
        entries: u64,
        /// Also write the synthetic parties' private keys here.
        #[arg(long, value_name = "DIR")]
        keys_out: Option<PathBuf>,
        #[arg(long, default_value = "redb", value_parser = parse_backend)]
        store: Backend,
        /// What the ledger stresses: default, commitments, allegations,
        /// clauses, parties, long-texts, rotations or realistic.
        #[arg(long, default_value = "default", value_parser = parse_workload)]
        workload: accord_ledger::synth::Workload,
    },
}

#[cfg(any(feature = "dev", debug_assertions))]
fn parse_workload(s: &str) -> Result<accord_ledger::synth::Workload, String> {
    accord_ledger::synth::Workload::from_name(s).ok_or_else(|| {
        let names: Vec<&str> = accord_ledger::synth::Workload::ALL
            .iter()
            .map(|w| w.name())
            .collect();
        format!("unknown workload {s:?}: use one of {}", names.join(", "))
    })
}

// `commit` (its help is the variant's doc).
#[derive(Debug, Args)]
pub struct CommitArgs {
    #[arg(long)]
    pub id: String,
    #[arg(long)]
    pub clause: String,
    #[arg(long)]
    pub text: String,
    /// Where the commitment applies.
    #[arg(long)]
    pub zone: Option<String>,
    /// When the deliverable falls due (RFC 3339); past it, undelivered, the commitment is overdue.
    #[arg(long, value_name = "RFC3339")]
    pub due: Option<String>,
    /// When the undertaking lapses (RFC 3339); past it, still open, the commitment is lapsed.
    #[arg(long, value_name = "RFC3339")]
    pub until: Option<String>,
    #[command(flatten)]
    pub key: KeyArg,
}

// `allege`.
#[derive(Debug, Args)]
pub struct AllegeArgs {
    #[arg(long)]
    pub id: String,
    /// Who is accused: a party id or a listed actor's id (repeatable;
    /// `actor:ID` names an actor without looking it up), or `unknown`
    /// alone for persons unknown.
    #[arg(long, required = true, value_name = "ID")]
    pub against: Vec<String>,
    /// A commitment of an accused party that the incident violates (repeatable).
    #[arg(long = "commitment", value_name = "ID")]
    pub commitments: Vec<String>,
    /// When the incident happened (RFC 3339).
    #[arg(long, value_name = "RFC3339")]
    pub occurred: String,
    #[arg(long)]
    pub location: String,
    #[arg(long)]
    pub summary: String,
    /// A file of evidence: its SHA-256, size and type are recorded, not the file (repeatable).
    #[arg(long = "evidence", value_name = "FILE")]
    pub evidence: Vec<PathBuf>,
    #[command(flatten)]
    pub key: KeyArg,
}

// `respond`.
#[derive(Debug, Args)]
pub struct RespondArgs {
    pub allegation: String,
    /// deny | admit | counterclaim | justify
    #[arg(long)]
    pub position: String,
    #[arg(long)]
    pub text: String,
    #[arg(long = "evidence", value_name = "FILE")]
    pub evidence: Vec<PathBuf>,
    #[command(flatten)]
    pub key: KeyArg,
}

// `key rotate`.
#[derive(Debug, Args)]
pub struct RotateArgs {
    /// The new private key (from `accord key new`).
    #[arg(long, value_name = "FILE")]
    pub new: PathBuf,
    #[command(flatten)]
    pub key: KeyArg,
}

// `key revoke`.
#[derive(Debug, Args)]
pub struct RevokeArgs {
    pub party: String,
    #[arg(long)]
    pub id: String,
    #[arg(long)]
    pub reason: String,
    /// The party's replacement key (public or private key file).
    #[arg(long, value_name = "FILE")]
    pub replacement: Option<PathBuf>,
    #[command(flatten)]
    pub key: KeyArg,
}

// `key endorse-revocation`.
#[derive(Debug, Args)]
pub struct EndorseRevocationArgs {
    pub id: String,
    #[command(flatten)]
    pub key: KeyArg,
}

#[derive(Debug, Args)]
pub struct KeyArg {
    /// The signer's private key (PKCS#8 PEM).
    #[arg(long, env = "ACCORD_KEY", value_name = "FILE")]
    pub key: PathBuf,
    // issue 15: json
    /// Print what was appended as one JSON object (seq, hash, kind,
    /// subject, author, adoption news; docs/JSON.md). Writing commands only.
    #[arg(long)]
    pub json: bool,
}

// issue 15: json
/// `log`'s filters (all combinable: an entry is listed if it passes every
/// one given) and `--json`.
#[derive(Debug, Args)]
pub struct LogArgs {
    /// Only entries signed by this party.
    #[arg(long, value_name = "ID")]
    pub party: Option<String>,
    /// Only entries of this kind (a kind word, e.g. clause-endorsed; repeatable).
    #[arg(long, value_name = "KIND", value_parser = clap::builder::PossibleValuesParser::new(accord_core::Event::KINDS))]
    pub kind: Vec<String>,
    /// Only entries that name this item (clause, commitment, allegation,
    /// ruling, ... id; a party id names its revocations and amendments).
    #[arg(long, value_name = "ID")]
    pub item: Option<String>,
    /// Only entries from this point on: a number is a seq (that entry and
    /// later ones), anything else an RFC 3339 time (entries claiming that
    /// time or later).
    #[arg(long, value_name = "SEQ|RFC3339", value_parser = parse_since)]
    pub since: Option<Since>,
    /// Only the last N of the entries that pass the other filters.
    #[arg(short = 'n', long, value_name = "N")]
    pub tail: Option<usize>,
    #[command(flatten)]
    pub json: JsonFlag,
}

// issue 15: json
/// `log --since`: a seq or a time.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Since {
    /// From this entry on.
    Seq(u64),
    /// From entries claiming this time (Unix seconds) or later.
    Time(i64),
}

fn parse_since(s: &str) -> Result<Since, String> {
    if !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit()) {
        return s
            .parse()
            .map(Since::Seq)
            .map_err(|_| format!("{s:?} is too large for a seq"));
    }
    crate::clock::parse(s).map(Since::Time).map_err(|_| {
        format!("{s:?} is neither a seq nor an RFC 3339 time such as 2017-01-24T10:00:00Z")
    })
}

#[derive(Debug, Args)]
pub struct JsonFlag {
    /// Machine-readable output (shapes documented in the README).
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Subcommand)]
pub enum ProofCommand {
    /// Prove that entry SEQ is leaf SEQ of the tree of the first N entries
    /// (default: all of them).
    Inclusion {
        seq: u64,
        /// The tree size: the first N entries (default: every entry).
        #[arg(long, value_name = "N")]
        size: Option<u64>,
        #[command(flatten)]
        json: JsonFlag,
    },
    /// Prove that the tree of the first OLD entries is a prefix of the tree
    /// of the first NEW entries.
    Consistency {
        old: u64,
        new: u64,
        #[command(flatten)]
        json: JsonFlag,
    },
}

// issue 13: charter amendments
#[derive(Debug, Subcommand)]
pub enum CharterCommand {
    /// The charter in force: parties, roles, keys, rules, the amendment
    /// rule, parties removed, amendments pending.
    Show {
        /// As in force after entry SEQ (default: the head).
        #[arg(long, value_name = "SEQ")]
        at: Option<u64>,
        #[command(flatten)]
        json: JsonFlag,
    },
    /// Propose an amendment (guarantors, the mediator, the secretariat):
    /// its changes apply together, from the entry that adopts it on, in
    /// this order: removals, the addition, renames, role changes, rules.
    Amend(Box<AmendArgs>),
    /// Endorse a proposed amendment (guarantors); adopted under the
    /// charter's amendment rule (default: every guarantor).
    Endorse(EndorseAmendmentArgs),
}

// `charter amend`.
#[derive(Debug, Args)]
pub struct AmendArgs {
    /// The amendment's id (unique among every item's ids).
    #[arg(long)]
    pub id: String,
    /// Why, in words.
    #[arg(long)]
    pub reason: String,
    /// Add a party with this id (with --name, --role and --party-key).
    #[arg(long, value_name = "ID", requires_all = ["name", "role", "party_key"])]
    pub add_party: Option<String>,
    /// The added party's full name.
    #[arg(long, requires = "add_party")]
    pub name: Option<String>,
    /// The added party's role: guarantor, party, mediator, monitor,
    /// observer or secretariat.
    #[arg(long, requires = "add_party")]
    pub role: Option<String>,
    /// The added party's public key (public or private key file).
    #[arg(long, value_name = "FILE", requires = "add_party")]
    pub party_key: Option<PathBuf>,
    /// Remove a party (repeatable): its later entries are refused.
    #[arg(long, value_name = "ID")]
    pub remove_party: Vec<String>,
    /// Rename a party, keeping its id (repeatable).
    #[arg(long, num_args = 2, value_names = ["ID", "NAME"])]
    pub rename_party: Vec<String>,
    /// Give a party a new role (repeatable).
    #[arg(long, num_args = 2, value_names = ["ID", "ROLE"])]
    pub set_role: Vec<String>,
    /// How many guarantors adopt a clause: all, or a number.
    #[arg(long, value_name = "all|N")]
    pub set_clause_adoption: Option<String>,
    /// How many guarantors adopt a ruling (and a key revocation).
    #[arg(long, value_name = "N")]
    pub set_ruling_quorum: Option<u32>,
    /// How many guarantors adopt an amendment: all, or a number.
    #[arg(long, value_name = "all|N")]
    pub set_amendment_rule: Option<String>,
    // issue 14: mechanisms
    /// Add or replace the bodies a TOML file describes (`[[body]]` tables:
    /// id, name, members, decision = "all" | "quorum N" | "consensus 7d",
    /// recuse_accused, parent, parent_adopts), parents first.
    #[arg(long, value_name = "FILE")]
    pub body_file: Option<PathBuf>,
    /// Dissolve a body (repeatable).
    #[arg(long, value_name = "ID")]
    pub remove_body: Vec<String>,
    /// Define a scale for observations, values least to most, e.g.
    /// `severity=minor,serious,grave` or `violation=attack,movement`
    /// (repeatable).
    #[arg(long, value_name = "SCALE=V1,V2,...")]
    pub set_scale: Vec<String>,
    /// List a non-signatory actor (with --actor-name and --standing).
    #[arg(long, value_name = "ID", requires_all = ["actor_name", "standing"])]
    pub list_actor: Option<String>,
    /// The listed actor's name, one line (aliases in words).
    #[arg(long, requires = "list_actor")]
    pub actor_name: Option<String>,
    /// Why it is listed: designated, holdout, dissident or allied.
    #[arg(long, requires = "list_actor")]
    pub standing: Option<String>,
    /// The party the listed actor is allied to or split from.
    #[arg(long, value_name = "PARTY", requires = "list_actor")]
    pub actor_party: Option<String>,
    /// Take an actor off the register (repeatable; its record stays).
    #[arg(long, value_name = "ID")]
    pub delist_actor: Vec<String>,
    #[command(flatten)]
    pub key: KeyArg,
}

// `charter endorse`.
#[derive(Debug, Args)]
pub struct EndorseAmendmentArgs {
    pub id: String,
    #[command(flatten)]
    pub key: KeyArg,
}

// issue 14: bodies
#[derive(Debug, Args)]
pub struct ViewArgs {
    /// The item (allegation, observation, ruling, clause, ...).
    pub item: String,
    /// The view, in words.
    #[arg(long)]
    pub text: String,
    #[command(flatten)]
    pub key: KeyArg,
}
// issue 14: monitoring
// `observe`.
#[derive(Debug, Args)]
pub struct ObserveArgs {
    #[arg(long)]
    pub id: String,
    /// The body (team) you report for.
    #[arg(long)]
    pub body: Option<String>,
    /// The task this observation answers.
    #[arg(long)]
    pub task: Option<String>,
    /// When what you observed happened (RFC 3339).
    #[arg(long, value_name = "RFC3339")]
    pub occurred: String,
    /// minute | hour | day | week | month
    #[arg(long)]
    pub time_precision: String,
    #[arg(long)]
    pub location: String,
    /// point | settlement | district | region
    #[arg(long)]
    pub place_precision: String,
    /// A value of the charter's severity scale.
    #[arg(long)]
    pub severity: Option<String>,
    /// A value of the charter's violation scale.
    #[arg(long)]
    pub violation: Option<String>,
    #[arg(long)]
    pub summary: String,
    /// A file of evidence (repeatable).
    #[arg(long = "evidence", value_name = "FILE")]
    pub evidence: Vec<PathBuf>,
    #[command(flatten)]
    pub key: KeyArg,
}

// `refer`.
#[derive(Debug, Args)]
pub struct ReferArgs {
    /// The allegation, observation or ruling.
    pub item: String,
    /// The body it is referred to.
    #[arg(long)]
    pub to: String,
    #[arg(long)]
    pub note: String,
    #[command(flatten)]
    pub key: KeyArg,
}

// `task`.
#[derive(Debug, Args)]
pub struct TaskArgs {
    #[arg(long)]
    pub id: String,
    /// The team (a body) tasked.
    #[arg(long)]
    pub team: String,
    /// The item the task is about.
    #[arg(long)]
    pub about: Option<String>,
    #[arg(long)]
    pub text: String,
    /// When the team is to report by (RFC 3339).
    #[arg(long, value_name = "RFC3339")]
    pub due: String,
    #[command(flatten)]
    pub key: KeyArg,
}

// `recommend`.
#[derive(Debug, Args)]
pub struct RecommendArgs {
    #[arg(long)]
    pub id: String,
    /// The body that recommends (you sit on it).
    #[arg(long)]
    pub body: String,
    /// The party recommended to.
    #[arg(long)]
    pub to: String,
    /// The item it follows from.
    #[arg(long)]
    pub about: Option<String>,
    #[arg(long)]
    pub text: String,
    /// When the measures taken are to be reported by (RFC 3339).
    #[arg(long, value_name = "RFC3339")]
    pub due: String,
    #[command(flatten)]
    pub key: KeyArg,
}

// `measures`.
#[derive(Debug, Args)]
pub struct MeasuresArgs {
    /// The recommendation.
    pub recommendation: String,
    #[arg(long)]
    pub text: String,
    /// A file of evidence (repeatable).
    #[arg(long = "evidence", value_name = "FILE")]
    pub evidence: Vec<PathBuf>,
    #[command(flatten)]
    pub key: KeyArg,
}

#[derive(Debug, Subcommand)]
pub enum MeetingCommand {
    /// Record a meeting (the secretariat, the mediator).
    Record {
        #[arg(long)]
        id: String,
        /// The body that met.
        #[arg(long)]
        body: Option<String>,
        /// When it was held (RFC 3339).
        #[arg(long, value_name = "RFC3339")]
        held: String,
        #[arg(long)]
        place: String,
        /// A party that attended (repeatable).
        #[arg(long = "attendee", value_name = "ID", required = true)]
        attendees: Vec<String>,
        /// An agenda item, one line (repeatable).
        #[arg(long = "agenda", value_name = "LINE")]
        agenda: Vec<String>,
        #[arg(long)]
        outcome: String,
        #[command(flatten)]
        key: KeyArg,
    },
    /// Cosign exactly the meeting's record (attendees other than its recorder).
    Cosign {
        id: String,
        #[command(flatten)]
        key: KeyArg,
    },
}
