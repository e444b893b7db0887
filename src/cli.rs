//! The command line: every flag and subcommand, and nothing else.

use std::path::PathBuf;

use accord_ledger::Backend;
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
    /// Writing commands and init only (ACCORD_TIME sets it for them).
    #[arg(long, global = true, value_name = "RFC3339", value_parser = claimed_time_arg)]
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
    /// (ACCORD_LEDGER_ID sets it for them.)
    #[arg(long, global = true, value_name = "HEX", value_parser = ledger_id_arg)]
    pub ledger_id: Option<String>,

    #[command(subcommand)]
    pub command: Command,

    // issue 15: help
    /// The subcommand names given, from the top (set by [`parse`]).
    #[arg(skip)]
    pub path: Vec<String>,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Create and inspect ed25519 keys.
    #[command(subcommand)]
    #[command(after_help = KEY_EXAMPLES)]
    Key(KeyCommand),
    /// Found a ledger from a charter (entry 0), signed by a party of it.
    #[command(after_help = INIT_EXAMPLES)]
    Init {
        /// The charter, in TOML.
        #[arg(long)]
        charter: PathBuf,
        /// The convener's private key (a party of the charter).
        #[arg(long)]
        key: PathBuf,
        /// The storage engine: redb (default; crash-safe) or sled.
        #[arg(long, default_value = "redb", value_parser = store_arg())]
        store: Backend,
    },
    /// Propose, endorse, accept, decline, revise and extend clauses; show them.
    #[command(subcommand)]
    #[command(after_help = CLAUSE_EXAMPLES)]
    Clause(ClauseCommand),
    /// Commit yourself under a clause (you are the obligor).
    #[command(after_help = COMMIT_EXAMPLES)]
    Commit(CommitArgs),
    /// Report on your own commitments.
    #[command(subcommand)]
    #[command(after_help = COMMITMENT_EXAMPLES)]
    Commitment(CommitmentCommand),
    /// Allege a violation by another party.
    #[command(after_help = ALLEGE_EXAMPLES)]
    Allege(AllegeArgs),
    /// Answer an allegation against you.
    #[command(after_help = RESPOND_EXAMPLES)]
    Respond(RespondArgs),
    /// Withdraw your own allegation.
    #[command(subcommand)]
    #[command(after_help = ALLEGATION_EXAMPLES)]
    Allegation(AllegationCommand),
    /// Propose, endorse or dissent from rulings on allegations.
    #[command(subcommand)]
    #[command(after_help = RULING_EXAMPLES)]
    Ruling(RulingCommand),
    // issue 14: actors
    /// The register of non-signatory actors (listed by charter amendment),
    /// with the allegations naming each and the rulings attributing to each.
    #[command(after_help = ACTORS_EXAMPLES)]
    Actors {
        /// As recorded up to and including entry SEQ.
        #[arg(long, value_name = "SEQ", conflicts_with = "as_of")]
        at: Option<u64>,
        /// As recorded at this time (RFC 3339).
        #[arg(long, value_name = "RFC3339", value_parser = time_arg)]
        as_of: Option<String>,
        #[command(flatten)]
        json: JsonFlag,
    },
    // issue 14: bodies
    /// Record your view of an item you do not vote on (a recorded,
    /// non-voting view).
    #[command(after_help = VIEW_EXAMPLES)]
    View(ViewArgs),
    /// Each party's commitments, open allegations, proposed rulings and
    /// pending duties (--all adds closed allegations and adopted rulings).
    #[command(after_help = OBLIGATIONS_EXAMPLES)]
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
        #[arg(long, value_name = "RFC3339", value_parser = time_arg)]
        as_of: Option<String>,
        #[command(flatten)]
        json: JsonFlag,
    },
    /// Every entry concerning a clause, commitment, allegation or ruling.
    #[command(after_help = HISTORY_EXAMPLES)]
    History {
        /// The item's id: a clause, commitment, allegation, ruling, observation, ...
        id: String,
        #[command(flatten)]
        json: JsonFlag,
    },
    /// What changed in every party's obligations between two entries.
    #[command(after_help = DIFF_EXAMPLES)]
    Diff {
        /// The entry to compare from (its seq).
        #[arg(long, value_name = "SEQ")]
        from: u64,
        /// The entry to compare to (its seq).
        #[arg(long, value_name = "SEQ")]
        to: u64,
        #[command(flatten)]
        json: JsonFlag,
    },
    /// Check a file against the evidence digests recorded for an allegation.
    #[command(subcommand)]
    #[command(after_help = EVIDENCE_EXAMPLES)]
    Evidence(EvidenceCommand),
    /// Write every entry (verified) as JSON Lines with the canonical bytes:
    /// the backup and migration format (docs/FORMAT.md).
    #[command(after_help = EXPORT_EXAMPLES)]
    Export {
        /// Write here (atomically) instead of to standard output.
        #[arg(long, value_name = "FILE")]
        out: Option<PathBuf>,
    },
    /// Build a new ledger (--ledger) from an export, checking every entry;
    /// nothing is created unless all of it is valid.
    #[command(after_help = IMPORT_EXAMPLES)]
    Import {
        /// The export file, or - for standard input.
        file: PathBuf,
        /// The storage engine of the new ledger: redb (default) or sled.
        #[arg(long, default_value = "redb", value_parser = store_arg())]
        store: Backend,
    },
    /// Rebuild every piece of derived data (indexes, cached state) from the
    /// entries, and say what differed. Never needed for correctness: appends
    /// rebuild stale data themselves, and verify never reads it; but the
    /// fast views (obligations' open view) trust it.
    #[command(after_help = DOCTOR_EXAMPLES)]
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
    #[command(after_help = RECOVER_EXAMPLES)]
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
    #[command(after_help = LOG_EXAMPLES)]
    // issue 15: json (LogArgs: the filters)
    Log(LogArgs),
    /// One entry in full, with its hash and signature status.
    #[command(after_help = SHOW_EXAMPLES)]
    Show {
        /// The entry's position in the chain (0: the charter).
        seq: u64,
        #[command(flatten)]
        json: JsonFlag,
    },
    /// Recompute and check the whole chain. Exit 0 valid; 1 invalid or
    /// damaged (naming the first bad entry); 3 could not check (no ledger,
    /// an I/O error: nothing is known to be wrong); 4 valid, but an entry is
    /// dated ahead of this machine's clock.
    #[command(after_help = VERIFY_EXAMPLES)]
    Verify {
        /// A head saved earlier (SEQ:HASH, as `verify` prints it): the
        /// ledger must reach it with that hash, so a truncated or rewritten
        /// tail fails.
        #[arg(long, value_name = "SEQ:HASH", value_parser = head_arg, conflicts_with = "against")]
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
    #[command(after_help = DEV_EXAMPLES)]
    Dev(DevCommand),
    /// Merkle proofs (RFC 9162) over the entries: that an entry is in the
    /// tree of the first N entries, or that one tree size extends another.
    #[command(subcommand)]
    #[command(after_help = PROOF_EXAMPLES)]
    Proof(ProofCommand),
    /// Write the ledger's checkpoint (a C2SP tlog-checkpoint: entries,
    /// Merkle root, key-history commitment), signed by your key, for the
    /// witnesses to cosign (docs/FORMAT.md, "Checkpoints and cosignatures").
    #[command(after_help = CHECKPOINT_EXAMPLES)]
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
    #[command(after_help = WITNESS_EXAMPLES)]
    Witness(WitnessCommand),
    /// Build a dispute bundle: the chosen entries with the charter, every
    /// key event and their inclusion proofs to a cosigned checkpoint, in one
    /// file anyone can check offline with `accord bundle verify`.
    #[command(after_help = PROVE_EXAMPLES)]
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
    #[command(after_help = BUNDLE_EXAMPLES)]
    Bundle(BundleCommand),
    /// Write the ledger as C2SP tlog-tiles (checkpoint, Merkle tree tiles,
    /// entry bundles) to a directory that any static web server, object
    /// store or CDN can serve; run again after appends (incremental).
    #[command(after_help = PUBLISH_EXAMPLES)]
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
    #[command(after_help = SERVE_EXAMPLES)]
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
    #[command(after_help = MIRROR_EXAMPLES)]
    Mirror {
        /// The server's URL (remembered in the replica; default: the one
        /// remembered).
        #[arg(long, value_name = "URL")]
        from: Option<String>,
        #[command(flatten)]
        opts: MirrorArgs,
        /// The storage engine of a new replica: redb (default) or sled.
        #[arg(long, default_value = "redb", value_parser = store_arg())]
        store: Backend,
    },
    /// Update a replica from the server it remembers (`accord mirror`
    /// again). Exit codes as `accord mirror`'s.
    #[command(after_help = SYNC_EXAMPLES)]
    Sync {
        #[command(flatten)]
        opts: MirrorArgs,
    },
    /// Fork proofs written by `accord mirror`.
    #[command(subcommand)]
    #[command(after_help = FORK_EXAMPLES)]
    Fork(ForkCommand),
    // issue 13: charter amendments
    /// The charter in force (as amended) and amendments to it.
    #[command(subcommand)]
    #[command(after_help = CHARTER_EXAMPLES)]
    Charter(CharterCommand),
    // issue 14: monitoring
    /// Record what you observed, accusing nobody (monitors, and members of
    /// the reporting body).
    #[command(after_help = OBSERVE_EXAMPLES)]
    Observe(Box<ObserveArgs>),
    /// Refer an allegation, observation or ruling to a body.
    #[command(after_help = REFER_EXAMPLES)]
    Refer(ReferArgs),
    /// Task a team (a body) with a due time (members of its parent body;
    /// guarantors and the secretariat for a team with no parent).
    #[command(after_help = TASK_EXAMPLES)]
    Task(TaskArgs),
    /// Recommend measures to a party on behalf of a body you sit on.
    #[command(after_help = RECOMMEND_EXAMPLES)]
    Recommend(RecommendArgs),
    /// Report the measures you took on a recommendation made to you.
    #[command(after_help = MEASURES_EXAMPLES)]
    Measures(MeasuresArgs),
    /// Record a meeting (the secretariat, the mediator) or cosign its record (attendees).
    #[command(subcommand)]
    #[command(after_help = MEETING_EXAMPLES)]
    Meeting(MeetingCommand),
    /// Observations, tasks, recommendations and meeting records, with
    /// their phases as of a point (overdue judged at its time).
    #[command(after_help = OBSERVATIONS_EXAMPLES)]
    Observations {
        #[command(flatten)]
        point: PointArgs,
        #[command(flatten)]
        json: JsonFlag,
    },
    // issue 15: report
    /// A report for a delegation as one static HTML page (no scripts, loads
    /// nothing): parties and clauses, each party's obligations over time,
    /// each dispute's record, and the head with the command that verifies it.
    #[command(after_help = REPORT_EXAMPLES)]
    Report {
        /// Write the page to this file (replaced whole, or not at all).
        #[arg(long, value_name = "OUT.html")]
        html: PathBuf,
        #[command(flatten)]
        point: PointArgs,
    },
    // issue 15: help
    /// Print a shell completion script (source it, or install it where
    /// your shell looks for completions).
    #[command(after_help = COMPLETIONS_EXAMPLES)]
    Completions {
        /// The shell.
        #[arg(value_enum)]
        shell: clap_complete::Shell,
    },
    /// Print the manual page (roff) to standard output, or with --dir
    /// write one page per command (accord.1, accord-clause-propose.1, ...).
    #[command(after_help = MAN_EXAMPLES)]
    Man {
        /// Write every command's page into this directory (created if
        /// missing) instead of accord's page to standard output.
        #[arg(long, value_name = "DIR")]
        dir: Option<PathBuf>,
    },
}

// issue 15: help — the examples of each command above.
const KEY_EXAMPLES: &str = r#"Examples:
  accord key new --out tr.pem
  accord key list"#;
const INIT_EXAMPLES: &str = r#"Examples:
  accord --ledger astana init --charter charter.toml --key un.pem
  accord --ledger astana init --charter charter.toml --key un.pem --store sled"#;
const CLAUSE_EXAMPLES: &str = r#"Examples:
  accord clause propose --id C1 --title "Monitoring mechanism" \
      --text "Establish a trilateral mechanism." --key tr.pem
  accord clause endorse C1 --key ru.pem
  accord clause list"#;
const COMMIT_EXAMPLES: &str = r#"Examples:
  accord commit --id K5 --clause C1 --zone "Wadi Barada" --due 2017-03-01T00:00:00Z \
      --text "Observe the ceasefire in all areas." --key gov.pem
  accord commit --id K6 --clause C1 --until 2017-11-04T00:00:00Z \
      --text "Keep the road open." --key opp.pem"#;
const COMMITMENT_EXAMPLES: &str = r#"Examples:
  accord commitment fulfil K5 --note "Withdrawn from the zone." --key gov.pem
  accord commitment progress K6 --done 2300 --of 7132 --note "Cleared so far." --key opp.pem"#;
const ALLEGE_EXAMPLES: &str = r#"Examples:
  accord allege --id A1 --against gov --commitment K5 --occurred 2017-01-25T06:00:00Z \
      --location "Wadi Barada" --summary "Shelling of the pumping station." \
      --evidence report.pdf --key opp.pem
  accord allege --id A2 --against unknown --occurred 2017-01-26T08:00:00Z --location Idlib \
      --summary "A convoy was fired on." --key opp.pem     # persons unknown"#;
const RESPOND_EXAMPLES: &str = r#"Examples:
  accord respond A1 --position deny --text "No fire that day." --key gov.pem
  accord respond A1 --position justify --text "Return fire." --evidence log.pdf --key gov.pem"#;
const ALLEGATION_EXAMPLES: &str = r#"Examples:
  accord allegation correct A1 --location "Ain al-Fijah" --reason "Place misnamed." --key opp.pem
  accord allegation withdraw A1 --reason "Settled locally." --key opp.pem"#;
const RULING_EXAMPLES: &str = r#"Examples:
  accord ruling propose --id R1 --allegation A1 --finding confirmed \
      --attribution gov --breach K5 \
      --text "The shelling is established." --key tr.pem
  accord ruling endorse R1 --key ru.pem"#;
const ACTORS_EXAMPLES: &str = r#"Examples:
  accord actors
  accord actors --as-of 2017-02-06T00:00:00Z --json"#;
const VIEW_EXAMPLES: &str = r#"Examples:
  accord view R1 --text "We take note of the ruling." --key jmec.pem"#;
const OBLIGATIONS_EXAMPLES: &str = r#"Examples:
  accord obligations
  accord obligations --party gov --json
  accord obligations --as-of 2017-02-06T00:00:00Z
  accord obligations --all"#;
const REPORT_EXAMPLES: &str = r#"Examples:
  accord report --html astana.html
  accord report --html astana-feb6.html --as-of 2017-02-06T23:59:59Z
  accord report --html before-ruling.html --at 27"#;
const HISTORY_EXAMPLES: &str = r#"Examples:
  accord history A1
  accord history C1 --json"#;
const DIFF_EXAMPLES: &str = r#"Examples:
  accord diff --from 3 --to 7
  accord diff --from 3 --to 7 --json"#;
const EVIDENCE_EXAMPLES: &str = r#"Examples:
  accord evidence check A1 report.pdf
  accord evidence add A1 photo.jpg --note "Taken on the day." --key opp.pem"#;
const EXPORT_EXAMPLES: &str = r#"Examples:
  accord export --out astana.jsonl
  accord export | gzip > astana.jsonl.gz"#;
const IMPORT_EXAMPLES: &str = r#"Examples:
  accord --ledger copy import astana.jsonl
  accord --ledger copy import - --store sled < astana.jsonl"#;
const DOCTOR_EXAMPLES: &str = r#"Examples:
  accord doctor
  accord doctor --check --json     # change nothing; exit 1 if anything differs"#;
const RECOVER_EXAMPLES: &str = r#"Examples:
  accord recover --out dropped.jsonl
  accord recover --to 41 --out dropped.jsonl"#;
const LOG_EXAMPLES: &str = r#"Examples:
  accord log
  accord log --json
  accord log --party gov --kind allegation-answered --since 2017-01-25T00:00:00Z
  accord log --item A1 -n 5"#;
const SHOW_EXAMPLES: &str = r#"Examples:
  accord show 1
  accord show 0 --json       # the charter"#;
const VERIFY_EXAMPLES: &str = r#"Examples:
  accord verify
  accord verify --json
  accord verify \
      --expect-head 31:ab12ab12ab12ab12ab12ab12ab12ab12ab12ab12ab12ab12ab12ab12ab12ab12
  accord verify --against ru-copy.jsonl
  accord verify --checkpoint checkpoint --witnesses tr,ru,ir --quorum 2"#;
const DEV_EXAMPLES: &str = r#"Examples:
  accord --ledger big dev synth --entries 10000 --keys-out keys"#;
const PROOF_EXAMPLES: &str = r#"Examples:
  accord proof inclusion 6
  accord proof consistency 20 31"#;
const CHECKPOINT_EXAMPLES: &str = r#"Examples:
  accord checkpoint --key tr.pem --out checkpoint
  accord checkpoint --key tr.pem"#;
const WITNESS_EXAMPLES: &str = r#"Examples:
  accord witness cosign checkpoint --key ru.pem --state ~/witness --out checkpoint
  accord witness vkey --key tr.pem.pub --name tr"#;
const PROVE_EXAMPLES: &str = r#"Examples:
  accord prove --entry 6 --entry 25 --checkpoint checkpoint --out dispute.json
  accord prove --item A1 --checkpoint checkpoint --out dispute.json"#;
const BUNDLE_EXAMPLES: &str = r#"Examples:
  accord bundle verify dispute.json \
      --ledger-id ab12ab12ab12ab12ab12ab12ab12ab12ab12ab12ab12ab12ab12ab12ab12ab12"#;
const PUBLISH_EXAMPLES: &str = r#"Examples:
  accord publish --tiles /var/www/astana --checkpoint checkpoint"#;
const SERVE_EXAMPLES: &str = r#"Examples:
  accord serve --ledger astana --listen 127.0.0.1:8080 --key un.pem --checkpoint checkpoint
  accord serve --listen 127.0.0.1:0 --rate 0     # behind a proxy that limits each client"#;
const MIRROR_EXAMPLES: &str = r#"Exit codes: 0 up to date; 1 error (nothing wrong is known of the server); 5 the server's
history does not extend this replica's (fork or rollback): nothing was appended and the proof
was written to --fork-proof.

Examples:
  accord mirror --ledger ankara --from https://accord.example.org \
      --ledger-id ab12ab12ab12ab12ab12ab12ab12ab12ab12ab12ab12ab12ab12ab12ab12ab12
  accord mirror --ledger ankara --witness-key tr.pem --witness-state ~/witness"#;
const SYNC_EXAMPLES: &str = r#"Exit codes: 0 up to date; 1 error (nothing wrong is known of the server); 5 the server's
history does not extend this replica's (fork or rollback): nothing was appended and the proof
was written to --fork-proof.

Examples:
  accord sync --ledger ankara
  accord sync --ledger ankara --witness-key tr.pem"#;
const FORK_EXAMPLES: &str = r#"Examples:
  accord fork check ankara.fork-proof.json"#;
const CHARTER_EXAMPLES: &str = r#"Examples:
  accord charter show
  accord charter endorse M1 --key ru.pem"#;
const OBSERVE_EXAMPLES: &str = r#"Examples:
  accord observe --id O1 --body mvt --occurred 2018-01-28T06:00:00Z --time-precision day \
      --location Yei --place-precision district --severity grave \
      --summary "Huts burnt." --key ctsamvm.pem"#;
const REFER_EXAMPLES: &str = r#"Examples:
  accord refer R1 --to rjmec --note "For the commission." --key ctsamvm.pem"#;
const TASK_EXAMPLES: &str = r#"Examples:
  accord task --id T1 --team mvt --about A1 --text "Visit the site." \
      --due 2018-02-10T00:00:00Z --key ctsamvm.pem"#;
const RECOMMEND_EXAMPLES: &str = r#"Examples:
  accord recommend --id RC1 --body rjmec --to tgonu --text "Withdraw the unit." \
      --due 2018-03-01T00:00:00Z --key jmec.pem"#;
const MEASURES_EXAMPLES: &str = r#"Examples:
  accord measures RC1 --text "The unit was withdrawn." --evidence order.pdf --key tgonu.pem"#;
const MEETING_EXAMPLES: &str = r#"Examples:
  accord meeting record --id MT1 --held 2018-02-01T10:00:00Z --place Juba --attendee igad \
      --attendee io --outcome "Agreed a visit." --key sec.pem
  accord meeting cosign MT1 --key io.pem"#;
const OBSERVATIONS_EXAMPLES: &str = r#"Examples:
  accord observations
  accord observations --as-of 2018-02-06T00:00:00Z --json"#;

// issue 15: help
const COMPLETIONS_EXAMPLES: &str = "\
Examples:
  accord completions bash > ~/.local/share/bash-completion/completions/accord
  accord completions zsh > ~/.zfunc/_accord     # with fpath+=~/.zfunc before compinit
  accord completions fish > ~/.config/fish/completions/accord.fish";
const MAN_EXAMPLES: &str = "\
Examples:
  accord man > accord.1 && man ./accord.1
  accord man --dir man1                          # accord.1, accord-clause-propose.1, ...";

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
    #[command(after_help = FORK_CHECK_EXAMPLES)]
    Check {
        /// The proof (from `accord mirror`).
        file: PathBuf,
        #[command(flatten)]
        json: JsonFlag,
    },
}

// issue 15: help — the examples of each command above.
const FORK_CHECK_EXAMPLES: &str = r#"Examples:
  accord fork check ankara.fork-proof.json
  accord fork check ankara.fork-proof.json --json"#;

#[derive(Debug, Subcommand)]
pub enum WitnessCommand {
    /// Cosign a checkpoint after checking it against your own verified copy
    /// (--ledger) and the last checkpoint you cosigned for this ledger;
    /// never cosigns two checkpoints that are not consistent.
    #[command(after_help = WITNESS_COSIGN_EXAMPLES)]
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
    #[command(after_help = WITNESS_SERVE_EXAMPLES)]
    Serve(WitnessServe),
    /// Send the checkpoint to a tlog-witness with a consistency proof from
    /// this ledger (--ledger), check its cosignature and add it to the
    /// checkpoint file (atomically).
    #[command(after_help = WITNESS_SUBMIT_EXAMPLES)]
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
    #[command(after_help = WITNESS_VKEY_EXAMPLES)]
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

// issue 15: help — the examples of each command above.
const WITNESS_COSIGN_EXAMPLES: &str = r#"Examples:
  accord witness cosign checkpoint --key ru.pem --state ~/witness --out checkpoint"#;
const WITNESS_SERVE_EXAMPLES: &str = r#"Examples:
  accord witness serve --listen 127.0.0.1:8090 --key w.pem --name witness.example/w1 \
      --log "accord/ab12+tr+1a2b3c4d+AR...=tr+1a2b3c4d+AR...""#;
const WITNESS_SUBMIT_EXAMPLES: &str = r#"Examples:
  accord witness submit --to http://127.0.0.1:8090 --checkpoint checkpoint \
      --witness-vkey "witness.example/w1+5e6f7a8b+BA...""#;
const WITNESS_VKEY_EXAMPLES: &str = r#"Examples:
  accord witness vkey --key tr.pem.pub --name tr
  accord witness vkey --key w.pem.pub --name witness.example/w1 --cosigner"#;

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
    #[command(after_help = BUNDLE_VERIFY_EXAMPLES)]
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

// issue 15: help — the examples of each command above.
const BUNDLE_VERIFY_EXAMPLES: &str = r#"Examples:
  accord bundle verify dispute.json \
      --ledger-id ab12ab12ab12ab12ab12ab12ab12ab12ab12ab12ab12ab12ab12ab12ab12ab12
  accord bundle verify dispute.json --witnesses tr,ru,ir --quorum 2 --json"#;

#[derive(Debug, Subcommand)]
pub enum KeyCommand {
    /// Generate a key: FILE gets the PKCS#8 PEM private key (mode 0600),
    /// FILE.pub the public key; prints the key id.
    #[command(after_help = KEY_NEW_EXAMPLES)]
    New {
        /// Where to write the private key (FILE.pub gets the public key); never overwritten.
        #[arg(long, value_name = "FILE")]
        out: PathBuf,
        /// Encrypt the private key under a passphrase (from
        /// ACCORD_PASSPHRASE, or asked for on the terminal).
        #[arg(long)]
        encrypt: bool,
    },
    /// Print a key's public key (hex) and key id; FILE may be private or public.
    #[command(after_help = KEY_SHOW_EXAMPLES)]
    Show {
        /// The key file: private (PKCS#8 PEM) or public (.pem.pub).
        file: PathBuf,
        #[command(flatten)]
        json: JsonFlag,
    },
    /// Replace your key: signed with the current key (--key); the new key
    /// signs from the next entry, the old one never again.
    #[command(after_help = KEY_ROTATE_EXAMPLES)]
    Rotate(RotateArgs),
    /// Propose revoking a party's lost or compromised key (guarantors); it
    /// takes effect when the charter's ruling_quorum of guarantors endorse.
    #[command(after_help = KEY_REVOKE_EXAMPLES)]
    Revoke(RevokeArgs),
    /// Endorse a proposed key revocation (guarantors).
    #[command(after_help = KEY_ENDORSE_REVOCATION_EXAMPLES)]
    EndorseRevocation(EndorseRevocationArgs),
    /// Every party's current key and key history in the ledger.
    #[command(after_help = KEY_LIST_EXAMPLES)]
    List {
        #[command(flatten)]
        json: JsonFlag,
    },
}

// issue 15: help — the examples of each command above.
const KEY_NEW_EXAMPLES: &str = r#"Examples:
  accord key new --out tr.pem
  ACCORD_PASSPHRASE=... accord key new --out tr.pem --encrypt"#;
const KEY_SHOW_EXAMPLES: &str = r#"Examples:
  accord key show tr.pem
  accord key show tr.pem.pub --json"#;
const KEY_ROTATE_EXAMPLES: &str = r#"Examples:
  accord key new --out tr2.pem
  accord key rotate --new tr2.pem --key tr.pem   # tr2.pem signs from the next entry"#;
const KEY_REVOKE_EXAMPLES: &str = r#"Examples:
  accord key revoke ru --id V1 --reason "Laptop lost." \
      --replacement ru-new.pem.pub --key tr.pem"#;
const KEY_ENDORSE_REVOCATION_EXAMPLES: &str = r#"Examples:
  accord key endorse-revocation V1 --key ir.pem"#;
const KEY_LIST_EXAMPLES: &str = r#"Examples:
  accord key list
  accord key list --json"#;

/// A clause's title and its text, given inline or read from a file.
#[derive(Debug, Args)]
pub struct ClauseTextArgs {
    /// The clause title, one line.
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
    #[command(after_help = CLAUSE_PROPOSE_EXAMPLES)]
    Propose {
        /// The clause's id (unique among every item's ids).
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
    #[command(after_help = CLAUSE_ENDORSE_EXAMPLES)]
    Endorse {
        /// The clause's id.
        id: String,
        #[command(flatten)]
        key: KeyArg,
    },
    /// Accept exactly the proposed text of a clause (parties to the conflict).
    #[command(after_help = CLAUSE_ACCEPT_EXAMPLES)]
    Accept {
        /// The clause's id.
        id: String,
        #[command(flatten)]
        key: KeyArg,
    },
    // issue 13: clauses
    /// Withdraw your own clause proposal before it is adopted.
    #[command(after_help = CLAUSE_WITHDRAW_EXAMPLES)]
    Withdraw {
        /// Your proposed clause's id.
        id: String,
        /// Why it is withdrawn, in words.
        #[arg(long)]
        reason: String,
        #[command(flatten)]
        key: KeyArg,
    },
    /// Decline exactly the proposed text of a clause instead of accepting
    /// it (parties to the conflict).
    #[command(after_help = CLAUSE_DECLINE_EXAMPLES)]
    Decline {
        /// The clause's id.
        id: String,
        /// Why you decline it, in words.
        #[arg(long)]
        reason: String,
        #[command(flatten)]
        key: KeyArg,
    },
    /// Propose a new text for an adopted clause: a new clause that
    /// supersedes it once adopted (guarantors and the mediator).
    #[command(after_help = CLAUSE_REVISE_EXAMPLES)]
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
    #[command(after_help = CLAUSE_EXTEND_EXAMPLES)]
    Extend {
        /// The adopted clause's id.
        id: String,
        /// The last moment the clause is in force (RFC 3339).
        #[arg(
            long,
            value_name = "RFC3339",
            value_parser = time_arg,
            required_unless_present = "no_end",
            conflicts_with = "no_end"
        )]
        until: Option<String>,
        /// The clause runs with no end.
        #[arg(long)]
        no_end: bool,
        /// Why the term changes, in words.
        #[arg(long)]
        reason: String,
        #[command(flatten)]
        key: KeyArg,
    },
    /// Endorse exactly the pending term proposal of a clause (guarantors,
    /// mediator).
    #[command(after_help = CLAUSE_ENDORSE_TERM_EXAMPLES)]
    EndorseTerm {
        /// The clause's id.
        id: String,
        /// The entry of the term proposal you read: refused if another replaced it since.
        #[arg(long, value_name = "SEQ")]
        proposal: u64,
        #[command(flatten)]
        key: KeyArg,
    },
    /// One clause: text, endorsers, who is missing, acceptors, decliners,
    /// adoption, term, revisions, and its phase as of a point.
    #[command(after_help = CLAUSE_SHOW_EXAMPLES)]
    Show {
        /// The clause's id.
        id: String,
        #[command(flatten)]
        point: PointArgs,
        #[command(flatten)]
        json: JsonFlag,
    },
    /// Every clause with its phase, adoption and term as of a point.
    #[command(after_help = CLAUSE_LIST_EXAMPLES)]
    List {
        #[command(flatten)]
        point: PointArgs,
        #[command(flatten)]
        json: JsonFlag,
    },
}

// issue 15: help — the examples of each command above.
const CLAUSE_PROPOSE_EXAMPLES: &str = r#"Examples:
  accord clause propose --id C1 --title "Monitoring mechanism" \
      --text "Establish a trilateral mechanism to observe the ceasefire." --key tr.pem
  accord clause propose --id C2 --title "Prisoners" --text-file c2.txt --key un.pem
  accord clause propose --id SOCHI --title "Idlib" --text "..." \
      --signatories ru,tr --key ru.pem"#;
const CLAUSE_ENDORSE_EXAMPLES: &str = r#"Examples:
  accord clause endorse C1 --key ru.pem"#;
const CLAUSE_ACCEPT_EXAMPLES: &str = r#"Examples:
  accord clause accept C1 --key gov.pem"#;
const CLAUSE_WITHDRAW_EXAMPLES: &str = r#"Examples:
  accord clause withdraw C2 --reason "Superseded by talks." --key un.pem"#;
const CLAUSE_DECLINE_EXAMPLES: &str = r#"Examples:
  accord clause decline C2 --reason "Not our wording." --key opp.pem"#;
const CLAUSE_REVISE_EXAMPLES: &str = r#"Examples:
  accord clause revise --id C1b --revises C1 --title "Monitoring mechanism" \
      --text "..." --key tr.pem"#;
const CLAUSE_EXTEND_EXAMPLES: &str = r#"Examples:
  accord clause extend C1 --until 2018-05-04T00:00:00Z --reason "Renewed." --key ru.pem
  accord clause extend C1 --no-end --reason "Open-ended." --key ru.pem"#;
const CLAUSE_ENDORSE_TERM_EXAMPLES: &str = r#"Examples:
  accord clause endorse-term C1 --proposal 12 --key tr.pem   # 12: the extend entry"#;
const CLAUSE_SHOW_EXAMPLES: &str = r#"Examples:
  accord clause show C1
  accord clause show C1 --at 12 --json
  accord clause show C1 --as-of 2017-02-06T00:00:00Z"#;
const CLAUSE_LIST_EXAMPLES: &str = r#"Examples:
  accord clause list
  accord clause list --as-of 2017-02-06T00:00:00Z --json"#;

/// Which point a clause view is asked at (default: the head, judged now).
#[derive(Debug, Args)]
pub struct PointArgs {
    /// As recorded up to and including entry SEQ, judged at its time.
    #[arg(long, value_name = "SEQ", conflicts_with = "as_of")]
    pub at: Option<u64>,
    /// As recorded at this time, judged at it (RFC 3339).
    #[arg(long, value_name = "RFC3339", value_parser = time_arg)]
    pub as_of: Option<String>,
}

#[derive(Debug, Subcommand)]
pub enum CommitmentCommand {
    /// Report a commitment fulfilled.
    #[command(after_help = COMMITMENT_FULFIL_EXAMPLES)]
    Fulfil {
        /// The commitment's id.
        id: String,
        /// What was delivered, in words.
        #[arg(long)]
        note: String,
        #[command(flatten)]
        key: KeyArg,
    },
    /// Withdraw a commitment, giving the reason.
    #[command(after_help = COMMITMENT_WITHDRAW_EXAMPLES)]
    Withdraw {
        /// The commitment's id.
        id: String,
        /// Why you withdraw it, in words.
        #[arg(long)]
        reason: String,
        #[command(flatten)]
        key: KeyArg,
    },
    /// Report the remedy of a commitment a ruling found breached.
    #[command(after_help = COMMITMENT_REMEDY_EXAMPLES)]
    Remedy {
        /// The commitment's id.
        id: String,
        /// How the breach was remedied, in words.
        #[arg(long)]
        note: String,
        #[command(flatten)]
        key: KeyArg,
    },
    /// Report progress on a commitment (e.g. --done 2300 --of 7132).
    #[command(after_help = COMMITMENT_PROGRESS_EXAMPLES)]
    Progress {
        /// The commitment's id.
        id: String,
        /// Units done so far.
        #[arg(long)]
        done: u64,
        /// Units in all.
        #[arg(long)]
        of: u64,
        /// What was done, in words.
        #[arg(long)]
        note: String,
        #[command(flatten)]
        key: KeyArg,
    },
    /// Attest the obligor's latest report on a commitment (monitors, guarantors).
    #[command(after_help = COMMITMENT_ATTEST_EXAMPLES)]
    Attest {
        /// The commitment's id.
        id: String,
        /// The entry of the report you checked: refused if a later report has come since.
        #[arg(long, value_name = "SEQ")]
        report: u64,
        #[command(flatten)]
        verdict: VerdictArg,
        /// What you checked, in words.
        #[arg(long)]
        note: String,
        #[command(flatten)]
        key: KeyArg,
    },
    /// Propose new times for a commitment, both given (the obligor, guarantors,
    /// the mediator); agreed by the obligor and under the clause adoption rule.
    #[command(after_help = COMMITMENT_RESCHEDULE_EXAMPLES)]
    Reschedule {
        /// The commitment's id.
        id: String,
        /// The new due time (RFC 3339), or "none".
        #[arg(long, value_name = "RFC3339|none", value_parser = time_or_none_arg)]
        due: String,
        /// The new until time (RFC 3339), or "none".
        #[arg(long, value_name = "RFC3339|none", value_parser = time_or_none_arg)]
        until: String,
        /// Why the times change, in words.
        #[arg(long)]
        reason: String,
        #[command(flatten)]
        key: KeyArg,
    },
    /// Join a commitment as a joint obligor: bound by exactly its text.
    #[command(after_help = COMMITMENT_JOIN_EXAMPLES)]
    Join {
        /// The commitment's id.
        id: String,
        #[command(flatten)]
        key: KeyArg,
    },
    /// Agree to exactly the pending reschedule of a commitment.
    #[command(after_help = COMMITMENT_AGREE_RESCHEDULE_EXAMPLES)]
    AgreeReschedule {
        /// The commitment's id.
        id: String,
        /// The entry of the reschedule proposal you read: refused if another replaced it since.
        #[arg(long, value_name = "SEQ")]
        proposal: u64,
        #[command(flatten)]
        key: KeyArg,
    },
}

// issue 15: help — the examples of each command above.
const COMMITMENT_FULFIL_EXAMPLES: &str = r#"Examples:
  accord commitment fulfil K5 --note "Withdrawn from the zone." --key gov.pem"#;
const COMMITMENT_WITHDRAW_EXAMPLES: &str = r#"Examples:
  accord commitment withdraw K5 --reason "Overtaken by C1b." --key gov.pem"#;
const COMMITMENT_REMEDY_EXAMPLES: &str = r#"Examples:
  accord commitment remedy K5 --note "Repairs paid for." --key gov.pem"#;
const COMMITMENT_PROGRESS_EXAMPLES: &str = r#"Examples:
  accord commitment progress K6 --done 2300 --of 7132 --note "Cleared so far." --key opp.pem"#;
const COMMITMENT_ATTEST_EXAMPLES: &str = r#"Examples:
  accord commitment attest K6 --report 14 --verified --note "Seen on site." --key un.pem
  accord commitment attest K6 --report 14 --disputed --note "Not cleared." --key un.pem"#;
const COMMITMENT_RESCHEDULE_EXAMPLES: &str = r#"Examples:
  accord commitment reschedule K6 --due 2017-06-20T23:59:59Z --until none \
      --reason "Floods." --key opp.pem"#;
const COMMITMENT_JOIN_EXAMPLES: &str = r#"Examples:
  accord commitment join K6 --key gov.pem"#;
const COMMITMENT_AGREE_RESCHEDULE_EXAMPLES: &str = r#"Examples:
  accord commitment agree-reschedule K6 --proposal 15 --key tr.pem   # 15: the reschedule entry"#;

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
    #[command(after_help = ALLEGATION_FILE_EXAMPLES)]
    File(AllegeArgs),
    /// Withdraw an allegation you filed.
    #[command(after_help = ALLEGATION_WITHDRAW_EXAMPLES)]
    Withdraw {
        /// Your allegation's id.
        id: String,
        /// Why it is withdrawn, in words.
        #[arg(long)]
        reason: String,
        #[command(flatten)]
        key: KeyArg,
    },
    /// Correct an open allegation you filed: each field given replaces the
    /// one on record, evidence is added; the filing stays in its history.
    #[command(after_help = ALLEGATION_CORRECT_EXAMPLES)]
    Correct {
        /// The allegation's id.
        id: String,
        /// The corrected incident time (RFC 3339).
        #[arg(long, value_name = "RFC3339", value_parser = time_arg)]
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

// issue 15: help — the examples of each command above.
const ALLEGATION_FILE_EXAMPLES: &str = r#"Examples:
  accord allegation file --id A3 --against gov --against hts --occurred 2017-01-27T06:00:00Z \
      --location Idlib --summary "Joint shelling." --key opp.pem"#;
const ALLEGATION_WITHDRAW_EXAMPLES: &str = r#"Examples:
  accord allegation withdraw A1 --reason "Settled locally." --key opp.pem"#;
const ALLEGATION_CORRECT_EXAMPLES: &str = r#"Examples:
  accord allegation correct A1 --location "Ain al-Fijah" --reason "Place misnamed." --key opp.pem
  accord allegation correct A1 --evidence photo2.jpg \
      --reason "A second photograph." --key opp.pem"#;

/// What a ruling (or a revision of one) finds.
#[derive(Debug, Args)]
pub struct RulingTermsArgs {
    /// What the ruling finds.
    #[arg(long, value_parser = finding_arg())]
    pub finding: String,
    /// A party id or a listed actor's id (`actor:ID` names an actor
    /// without looking it up), `largely:ID` for largely attributed, shared
    /// or unattributable.
    #[arg(long, value_name = "ID", value_parser = attribution_arg)]
    pub attribution: String,
    /// A commitment the incident breached (repeatable; confirmed findings only).
    #[arg(long = "breach", value_name = "ID")]
    pub breaches: Vec<String>,
    /// The reasons for the finding, in words.
    #[arg(long)]
    pub text: String,
}

#[derive(Debug, Subcommand)]
pub enum RulingCommand {
    /// Draft a finding on an allegation (guarantors, monitors), or with
    /// --body a body's ruling on an allegation or an observation (a member).
    #[command(after_help = RULING_PROPOSE_EXAMPLES)]
    Propose {
        /// The ruling's id (unique among every item's ids).
        #[arg(long)]
        id: String,
        /// The allegation it rules on.
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
    #[command(after_help = RULING_ENDORSE_EXAMPLES)]
    Endorse {
        /// The proposed ruling's id.
        id: String,
        #[command(flatten)]
        key: KeyArg,
    },
    /// Propose to reconsider the adopted ruling on an allegation (guarantors,
    /// monitors): once adopted by the ruling quorum, it supersedes it.
    #[command(after_help = RULING_REVISE_EXAMPLES)]
    Revise {
        /// The new item's id (unique among every item's ids).
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
    #[command(after_help = RULING_DISSENT_EXAMPLES)]
    Dissent {
        /// The ruling's id.
        id: String,
        /// Your dissent, in words.
        #[arg(long)]
        text: String,
        #[command(flatten)]
        key: KeyArg,
    },
    // issue 14: bodies
    /// Ratify exactly a body's provisional ruling (members of its parent
    /// body): adopted once the parent body's rule is met.
    #[command(after_help = RULING_RATIFY_EXAMPLES)]
    Ratify {
        /// The provisional ruling's id.
        id: String,
        #[command(flatten)]
        key: KeyArg,
    },
}

// issue 15: help — the examples of each command above.
const RULING_PROPOSE_EXAMPLES: &str = r#"Examples:
  accord ruling propose --id R1 --allegation A1 --finding confirmed \
      --attribution gov --breach K5 \
      --text "The shelling is established." --key tr.pem
  accord ruling propose --id R2 --on O1 --body tc --finding confirmed --attribution largely:hts \
      --text "..." --key ctsamvm.pem"#;
const RULING_ENDORSE_EXAMPLES: &str = r#"Examples:
  accord ruling endorse R1 --key ru.pem"#;
const RULING_REVISE_EXAMPLES: &str = r#"Examples:
  accord ruling revise --id R3 --revises R1 --finding inconclusive --attribution unattributable \
      --text "New evidence." --key mon.pem"#;
const RULING_DISSENT_EXAMPLES: &str = r#"Examples:
  accord ruling dissent R1 --text "The evidence is thin." --key ir.pem"#;
const RULING_RATIFY_EXAMPLES: &str = r#"Examples:
  accord ruling ratify R2 --key igad.pem"#;

#[derive(Debug, Subcommand)]
pub enum EvidenceCommand {
    /// Does FILE match a digest recorded for the item (an allegation and
    /// its responses, an observation, measures, or evidence added to it)?
    #[command(after_help = EVIDENCE_CHECK_EXAMPLES)]
    Check {
        /// The item's id.
        item: String,
        /// The file to check (read, never stored).
        file: PathBuf,
        /// The salt (64 hex digits, from `evidence add --salted`) to check
        /// FILE against salted digests.
        #[arg(long, value_name = "HEX", value_parser = salt_arg)]
        salt: Option<String>,
        #[command(flatten)]
        json: JsonFlag,
    },
    // issue 14: monitoring
    /// Add evidence to an item already on record: each file's SHA-256,
    /// size and type are recorded, not the file. With --salted the digest
    /// is SHA-256(salt || file) under a fresh random 32-byte salt, printed
    /// once and written to FILE.salt (mode 0600), never to the ledger.
    #[command(after_help = EVIDENCE_ADD_EXAMPLES)]
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

// issue 15: help — the examples of each command above.
const EVIDENCE_CHECK_EXAMPLES: &str = r#"Examples:
  accord evidence check A1 report.pdf
  accord evidence check O1 detainees.csv \
      --salt ab12ab12ab12ab12ab12ab12ab12ab12ab12ab12ab12ab12ab12ab12ab12ab12"#;
const EVIDENCE_ADD_EXAMPLES: &str = r#"Examples:
  accord evidence add A1 photo.jpg --note "Taken on the day." --key opp.pem
  accord evidence add O1 detainees.csv --salted --note "The list." --key ctsamvm.pem"#;

// Only in a debug build or with the `dev` feature (Cargo.toml).
#[cfg(any(feature = "dev", debug_assertions))]
#[derive(Debug, Subcommand)]
pub enum DevCommand {
    /// Create a synthetic, valid ledger of N entries after the charter.
    #[command(after_help = DEV_SYNTH_EXAMPLES)]
    Synth {
        /// How many entries to write after the charter.
        #[arg(long)]
        entries: u64,
        /// Also write the synthetic parties' private keys here.
        #[arg(long, value_name = "DIR")]
        keys_out: Option<PathBuf>,
        /// The storage engine: redb (default) or sled.
        #[arg(long, default_value = "redb", value_parser = store_arg())]
        store: Backend,
        /// What the ledger stresses: default, commitments, allegations,
        /// clauses, parties, long-texts, rotations or realistic.
        #[arg(long, default_value = "default", value_parser = parse_workload)]
        workload: accord_ledger::synth::Workload,
    },
}

// issue 15: help — the examples of each command above.
const DEV_SYNTH_EXAMPLES: &str = r#"Examples:
  accord --ledger big dev synth --entries 10000 --keys-out keys
  accord --ledger big dev synth --entries 100000 --workload realistic --store sled"#;

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
    /// The commitment's id (unique among every item's ids).
    #[arg(long)]
    pub id: String,
    /// The adopted clause it is made under.
    #[arg(long)]
    pub clause: String,
    /// What you undertake, in words.
    #[arg(long)]
    pub text: String,
    /// Where the commitment applies.
    #[arg(long)]
    pub zone: Option<String>,
    /// When the deliverable falls due (RFC 3339); past it, undelivered, the commitment is overdue.
    #[arg(long, value_name = "RFC3339", value_parser = time_arg)]
    pub due: Option<String>,
    /// When the undertaking lapses (RFC 3339); past it, still open, the commitment is lapsed.
    #[arg(long, value_name = "RFC3339", value_parser = time_arg)]
    pub until: Option<String>,
    #[command(flatten)]
    pub key: KeyArg,
}

// `allege`.
#[derive(Debug, Args)]
pub struct AllegeArgs {
    /// The allegation's id (unique among every item's ids).
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
    #[arg(long, value_name = "RFC3339", value_parser = time_arg)]
    pub occurred: String,
    /// Where the incident happened, in words.
    #[arg(long)]
    pub location: String,
    /// What happened, in words.
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
    /// The allegation's id.
    pub allegation: String,
    /// Your answer to the allegation.
    #[arg(long, value_parser = position_arg())]
    pub position: String,
    /// Your account, in words.
    #[arg(long)]
    pub text: String,
    /// A file of evidence: its SHA-256, size and type are recorded, not the file (repeatable).
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
    /// The party whose key is revoked.
    pub party: String,
    /// The revocation's id (unique among every item's ids), for endorse-revocation.
    #[arg(long)]
    pub id: String,
    /// Why the key is revoked (lost, compromised), in words.
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
    /// The proposed revocation's id.
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
    #[command(after_help = PROOF_INCLUSION_EXAMPLES)]
    Inclusion {
        /// The entry (its leaf index).
        seq: u64,
        /// The tree size: the first N entries (default: every entry).
        #[arg(long, value_name = "N")]
        size: Option<u64>,
        #[command(flatten)]
        json: JsonFlag,
    },
    /// Prove that the tree of the first OLD entries is a prefix of the tree
    /// of the first NEW entries.
    #[command(after_help = PROOF_CONSISTENCY_EXAMPLES)]
    Consistency {
        /// The smaller tree size (entries).
        old: u64,
        /// The larger tree size (entries).
        new: u64,
        #[command(flatten)]
        json: JsonFlag,
    },
}

// issue 15: help — the examples of each command above.
const PROOF_INCLUSION_EXAMPLES: &str = r#"Examples:
  accord proof inclusion 6
  accord proof inclusion 6 --size 20 --json"#;
const PROOF_CONSISTENCY_EXAMPLES: &str = r#"Examples:
  accord proof consistency 20 31
  accord proof consistency 20 31 --json"#;

// issue 13: charter amendments
#[derive(Debug, Subcommand)]
pub enum CharterCommand {
    /// The charter in force: parties, roles, keys, rules, the amendment
    /// rule, parties removed, amendments pending.
    #[command(after_help = CHARTER_SHOW_EXAMPLES)]
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
    #[command(after_help = CHARTER_AMEND_EXAMPLES)]
    Amend(Box<AmendArgs>),
    /// Endorse a proposed amendment (guarantors); adopted under the
    /// charter's amendment rule (default: every guarantor).
    #[command(after_help = CHARTER_ENDORSE_EXAMPLES)]
    Endorse(EndorseAmendmentArgs),
}

// issue 15: help — the examples of each command above.
const CHARTER_SHOW_EXAMPLES: &str = r#"Examples:
  accord charter show
  accord charter show --at 12 --json"#;
const CHARTER_AMEND_EXAMPLES: &str = r#"Examples:
  accord charter amend --id M1 --add-party jo --name "Hashemite Kingdom of Jordan" \
      --role observer \
      --party-key jo.pem.pub --reason "Joins as an observer." --key tr.pem
  accord charter amend --id M2 --set-ruling-quorum 3 --reason "A larger quorum." --key tr.pem"#;
const CHARTER_ENDORSE_EXAMPLES: &str = r#"Examples:
  accord charter endorse M1 --key ru.pem"#;

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
    /// The proposed amendment's id.
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
    /// The observation's id (unique among every item's ids).
    #[arg(long)]
    pub id: String,
    /// The body (team) you report for.
    #[arg(long)]
    pub body: Option<String>,
    /// The task this observation answers.
    #[arg(long)]
    pub task: Option<String>,
    /// When what you observed happened (RFC 3339).
    #[arg(long, value_name = "RFC3339", value_parser = time_arg)]
    pub occurred: String,
    /// How precisely the time is known.
    #[arg(long, value_parser = time_precision_arg())]
    pub time_precision: String,
    /// Where it happened, in words (as precise as --place-precision says).
    #[arg(long)]
    pub location: String,
    /// How precisely the place is known.
    #[arg(long, value_parser = place_precision_arg())]
    pub place_precision: String,
    /// A value of the charter's severity scale.
    #[arg(long)]
    pub severity: Option<String>,
    /// A value of the charter's violation scale.
    #[arg(long)]
    pub violation: Option<String>,
    /// What you observed, in words (accusing nobody).
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
    /// Why it is referred, in words.
    #[arg(long)]
    pub note: String,
    #[command(flatten)]
    pub key: KeyArg,
}

// `task`.
#[derive(Debug, Args)]
pub struct TaskArgs {
    /// The task's id (unique among every item's ids).
    #[arg(long)]
    pub id: String,
    /// The team (a body) tasked.
    #[arg(long)]
    pub team: String,
    /// The item the task is about.
    #[arg(long)]
    pub about: Option<String>,
    /// What the team is to do, in words.
    #[arg(long)]
    pub text: String,
    /// When the team is to report by (RFC 3339).
    #[arg(long, value_name = "RFC3339", value_parser = time_arg)]
    pub due: String,
    #[command(flatten)]
    pub key: KeyArg,
}

// `recommend`.
#[derive(Debug, Args)]
pub struct RecommendArgs {
    /// The recommendation's id (unique among every item's ids).
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
    /// The measures recommended, in words.
    #[arg(long)]
    pub text: String,
    /// When the measures taken are to be reported by (RFC 3339).
    #[arg(long, value_name = "RFC3339", value_parser = time_arg)]
    pub due: String,
    #[command(flatten)]
    pub key: KeyArg,
}

// `measures`.
#[derive(Debug, Args)]
pub struct MeasuresArgs {
    /// The recommendation.
    pub recommendation: String,
    /// The measures you took, in words.
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
    #[command(after_help = MEETING_RECORD_EXAMPLES)]
    Record {
        /// The meeting's id (unique among every item's ids).
        #[arg(long)]
        id: String,
        /// The body that met.
        #[arg(long)]
        body: Option<String>,
        /// When it was held (RFC 3339).
        #[arg(long, value_name = "RFC3339", value_parser = time_arg)]
        held: String,
        /// Where it was held.
        #[arg(long)]
        place: String,
        /// A party that attended (repeatable).
        #[arg(long = "attendee", value_name = "ID", required = true)]
        attendees: Vec<String>,
        /// An agenda item, one line (repeatable).
        #[arg(long = "agenda", value_name = "LINE")]
        agenda: Vec<String>,
        /// What the meeting decided or agreed, in words.
        #[arg(long)]
        outcome: String,
        #[command(flatten)]
        key: KeyArg,
    },
    /// Cosign exactly the meeting's record (attendees other than its recorder).
    #[command(after_help = MEETING_COSIGN_EXAMPLES)]
    Cosign {
        /// The meeting's id.
        id: String,
        #[command(flatten)]
        key: KeyArg,
    },
}

// issue 15: help — the examples of each command above.
const MEETING_RECORD_EXAMPLES: &str = r#"Examples:
  accord meeting record --id MT1 --body board --held 2018-02-01T10:00:00Z --place Juba \
      --attendee igad --attendee io --agenda "The visit to Yei" \
      --outcome "Agreed a visit." --key sec.pem"#;
const MEETING_COSIGN_EXAMPLES: &str = r#"Examples:
  accord meeting cosign MT1 --key io.pem"#;

// issue 15: help — value parsers: a malformed argument exits 2 before
// anything runs, in one line naming the flag and the form it takes. Each
// accepts exactly what the command accepted before (same parse), and gives
// back the text as given.

/// An RFC 3339 time (`--due`, `--occurred`, `--as-of`, ...), as
/// `clock::parse` reads it.
fn time_arg(s: &str) -> Result<String, String> {
    crate::clock::parse(s)
        .map(|_| s.to_owned())
        .map_err(|e| e.to_string())
}

/// `--time`: an RFC 3339 time, or empty (an empty `ACCORD_TIME`: the clock).
fn claimed_time_arg(s: &str) -> Result<String, String> {
    match s.trim().is_empty() {
        true => Ok(s.to_owned()),
        false => time_arg(s),
    }
}

/// An RFC 3339 time or `none` (`commitment reschedule`).
fn time_or_none_arg(s: &str) -> Result<String, String> {
    match s {
        "none" => Ok(s.to_owned()),
        _ => time_arg(s).map_err(|e| format!("{e}, or none")),
    }
}

/// `--expect-head SEQ:HASH`, as `verify` prints the head.
fn head_arg(s: &str) -> Result<String, String> {
    let (seq, hash) = s
        .split_once(':')
        .ok_or_else(|| "use SEQ:HASH, as `accord verify` prints the head".to_owned())?;
    seq.parse::<u64>()
        .map_err(|_| format!("{seq:?} is not a seq: use SEQ:HASH"))?;
    hash.parse::<accord_core::EntryHash>()
        .map_err(|e| format!("{e}: use SEQ:HASH (64 hex digits after the colon)"))?;
    Ok(s.to_owned())
}

/// `--ledger-id`: 64 hex digits (blank: none, as ACCORD_LEDGER_ID="").
fn ledger_id_arg(s: &str) -> Result<String, String> {
    match s.trim().is_empty() || s.trim().parse::<accord_core::LedgerId>().is_ok() {
        true => Ok(s.to_owned()),
        false => Err("a ledger id is 64 hex digits".to_owned()),
    }
}

/// `--salt`: 64 hex digits (32 bytes).
fn salt_arg(s: &str) -> Result<String, String> {
    crate::evidence::parse_salt(s)
        .map(|_| s.to_owned())
        .map_err(|_| {
            "a salt is 64 hex digits (32 bytes), as `evidence add --salted` printed it".to_owned()
        })
}

/// `--attribution`: `shared`, `unattributable`, or an id (a party's or a
/// listed actor's) optionally as `actor:ID`, `party:ID`, `largely:ID`
/// (also `largely-attributed:ID`, and `largely:actor:ID`). Whether the id
/// names anyone is the ledger's to say.
fn attribution_arg(s: &str) -> Result<String, String> {
    if s == "shared" || s == "unattributable" {
        return Ok(s.to_owned());
    }
    let id = ["largely:", "largely-attributed:"]
        .iter()
        .find_map(|p| s.strip_prefix(p))
        .unwrap_or(s);
    let id = ["actor:", "party:"]
        .iter()
        .find_map(|p| id.strip_prefix(p))
        .unwrap_or(id);
    accord_core::ids::PartyId::new(id).map_err(|e| {
        format!("{e}: use shared, unattributable, ID, actor:ID, party:ID or largely:ID")
    })?;
    Ok(s.to_owned())
}

/// The words of a core vocabulary (`Position::ALL`...) as clap's possible
/// values: help lists them, completions offer them, others exit 2.
fn words<T: Copy + 'static>(
    all: &'static [T],
    word: fn(T) -> &'static str,
) -> clap::builder::PossibleValuesParser {
    clap::builder::PossibleValuesParser::new(all.iter().map(|v| word(*v)))
}

/// `--position`: deny, admit, counterclaim or justify.
fn position_arg() -> clap::builder::PossibleValuesParser {
    words(accord_core::terms::Position::ALL, |v| v.as_str())
}

/// `--finding`: confirmed, not-substantiated, inconclusive or
/// incident-not-violation.
fn finding_arg() -> clap::builder::PossibleValuesParser {
    words(accord_core::terms::Finding::ALL, |v| v.as_str())
}

/// `--time-precision`: minute, hour, day, week or month.
fn time_precision_arg() -> clap::builder::PossibleValuesParser {
    words(accord_core::terms::TimePrecision::ALL, |v| v.as_str())
}

/// `--place-precision`: point, settlement, district or region.
fn place_precision_arg() -> clap::builder::PossibleValuesParser {
    words(accord_core::terms::PlacePrecision::ALL, |v| v.as_str())
}

/// `--store`: redb or sled.
fn store_arg() -> impl clap::builder::TypedValueParser<Value = Backend> {
    use clap::builder::TypedValueParser;
    clap::builder::PossibleValuesParser::new(["redb", "sled"])
        .map(|s| s.parse::<Backend>().unwrap_or_default())
}

// issue 15: help — which global flags a command reads, the command tree
// with each global shown only where it is read, and argv parsed with
// malformed values refused in one line.

/// The top-level help's end: a first session, the environment variables
/// the binary reads (README, "Environment", says the same), passphrases
/// and exit codes.
const ENVIRONMENT: &str = "\
Examples:
  accord key new --out tr.pem                 # each delegation; tr.pem.pub is the public half
  accord --ledger astana init --charter charter.toml --key un.pem
  export ACCORD_LEDGER=astana
  accord clause propose --id C1 --title \"Monitoring mechanism\" --text \"...\" --key tr.pem
  accord clause endorse C1 --key ru.pem
  accord log
  accord verify
  accord COMMAND --help                       # each command's flags and examples

Environment:
  ACCORD_LEDGER       the ledger directory (--ledger; default ./accord-ledger)
  ACCORD_KEY          the signer's private key file (--key)
  ACCORD_TIME         the time writing commands claim (--time); read commands ignore it;
                      empty: this machine's clock
  ACCORD_PASSPHRASE   the passphrase of encrypted keys (key new --encrypt, and every --key);
                      unset: asked on the terminal (twice for a new key); at least 8 characters
  ACCORD_REMOTE       append through this server (--remote), for writing commands only
  ACCORD_LEDGER_ID    the ledger expected (--ledger-id): remote writes, mirror, sync, bundle verify
  ACCORD_WITNESS_STATE  a witness's state directory (--state of witness cosign and witness serve,
                      --witness-state of mirror and sync); default $XDG_STATE_HOME/accord/witness,
                      else ~/.local/state/accord/witness
  XDG_STATE_HOME, HOME  where that default lies

Passphrases:
  `key new --encrypt` takes ACCORD_PASSPHRASE if it is set (even empty: then it is refused),
  else asks twice on the terminal; it must be at least 8 characters. Any --key that is
  encrypted takes ACCORD_PASSPHRASE, else asks once; with neither, the command fails.

Exit codes:
  0 ok; 1 error or invalid ledger; 2 usage (a malformed argument: nothing ran);
  verify also 3 (could not check) and 4 (an entry dated ahead of the clock);
  mirror and sync 5 (a fork or rollback: the proof was written).";

/// The global flags given only to some commands: their ids in [`Cli`].
const SCOPED: [&str; 4] = ["ledger", "time", "remote", "ledger_id"];

/// Whether the command at `path` (subcommand names from the top) appends
/// an entry: the commands `--remote` serves. `commands::run` checks in
/// debug builds that it agrees with its own `is_writing`.
pub fn writes(path: &[&str]) -> bool {
    match path {
        ["clause", sub] => !matches!(*sub, "show" | "list"),
        ["commit" | "allege" | "respond" | "view" | "observe" | "refer" | "task" | "recommend"
        | "measures", ..] => true,
        ["commitment" | "allegation" | "ruling" | "meeting", _] => true,
        ["key", "rotate" | "revoke" | "endorse-revocation"] => true,
        ["charter", "amend" | "endorse"] => true,
        ["evidence", "add"] => true,
        _ => false,
    }
}

/// Whether the leaf command at `path` reads the global flag `id`.
fn reads_global(id: &str, path: &[&str]) -> bool {
    match id {
        "time" => writes(path) || path == ["init"],
        "remote" => writes(path),
        "ledger_id" => writes(path) || matches!(path, ["mirror"] | ["sync"] | ["bundle", "verify"]),
        // Hidden where no ledger is opened (never refused: ACCORD_LEDGER
        // and scripts pass it everywhere).
        "ledger" => !matches!(
            path,
            ["key", "new" | "show"]
                | ["witness", "vkey" | "serve"]
                | ["fork", _]
                | ["bundle", _]
                | ["completions" | "man"]
        ),
        _ => true,
    }
}

/// The environment variable a scoped global flag reads on the commands
/// that use it (none elsewhere: a read command ignores ACCORD_TIME).
fn scoped_env(id: &str) -> Option<&'static str> {
    match id {
        "time" => Some("ACCORD_TIME"),
        "ledger_id" => Some("ACCORD_LEDGER_ID"),
        _ => None,
    }
}

/// The command line with the ENVIRONMENT section, and each scoped global
/// flag shown (and read from its environment variable) only on the
/// commands that read it; elsewhere it is hidden, and [`parse`] refuses it.
pub fn command() -> clap::Command {
    use clap::CommandFactory;
    let cli = Cli::command().after_help(ENVIRONMENT);
    let globals: Vec<clap::Arg> = cli
        .get_arguments()
        .filter(|a| SCOPED.contains(&a.get_id().as_str()))
        .cloned()
        .collect();
    let mut path = Vec::new();
    scope(cli, &globals, &mut path)
}

/// Gives each subcommand of `cmd` its own copy of every scoped global
/// (clap then propagates none of them): visible where some command at or
/// under it reads the flag, with its environment variable on the leaf
/// commands that read it; hidden and unread elsewhere.
fn scope(mut cmd: clap::Command, globals: &[clap::Arg], path: &mut Vec<String>) -> clap::Command {
    let names: Vec<String> = cmd
        .get_subcommands()
        .map(|s| s.get_name().to_owned())
        .collect();
    for name in names {
        path.push(name.clone());
        cmd = cmd.mut_subcommand(&name, |sub| {
            let mut sub = scope(sub, globals, path);
            let leaf = !sub.has_subcommands();
            for (n, g) in globals.iter().enumerate() {
                let id = g.get_id().as_str();
                let used = uses(&sub, id, path);
                // After the command's own flags.
                let mut copy = g.clone().global(false).display_order(1000 + n);
                copy = match (used, leaf, scoped_env(id)) {
                    // --ledger keeps its type (a path) and default.
                    (false, _, _) if id == "ledger" => copy.hide(true),
                    (false, _, _) => copy.hide(true).value_parser(clap::value_parser!(String)),
                    (true, true, Some(var)) => copy.env(var),
                    (true, _, _) => copy,
                };
                sub = sub.arg(copy);
            }
            sub
        });
        path.pop();
    }
    cmd
}

/// Whether `cmd` at `path`, or any command under it, reads global `id`.
fn uses(cmd: &clap::Command, id: &str, path: &mut Vec<String>) -> bool {
    if !cmd.has_subcommands() {
        let p: Vec<&str> = path.iter().map(String::as_str).collect();
        return reads_global(id, &p);
    }
    cmd.get_subcommands().any(|s| {
        path.push(s.get_name().to_owned());
        let used = uses(s, id, path);
        path.pop();
        used
    })
}

/// Parses argv: help and version as clap prints them, a malformed value
/// or a scoped global flag given to a command that ignores it as one
/// `error:` line and exit 2.
pub fn parse() -> Cli {
    use clap::FromArgMatches;
    let matches = command()
        .try_get_matches()
        .unwrap_or_else(|e| usage_error(e));
    let mut path = Vec::new();
    let mut at = &matches;
    while let Some((name, sub)) = at.subcommand() {
        path.push(name.to_owned());
        at = sub;
    }
    let p: Vec<&str> = path.iter().map(String::as_str).collect();
    for (id, flag) in [("time", "--time"), ("ledger_id", "--ledger-id")] {
        if matches.value_source(id) == Some(clap::parser::ValueSource::CommandLine)
            && !reads_global(id, &p)
        {
            let what = match id {
                "time" => "is for the commands that append an entry (and init)",
                _ => "is for writing through --remote, mirror, sync and bundle verify",
            };
            eprintln!(
                "error: {flag} {what}; `accord {}` does not read it",
                p.join(" ")
            );
            std::process::exit(2);
        }
    }
    let mut cli = Cli::from_arg_matches(&matches).unwrap_or_else(|e| usage_error(e));
    cli.path = path;
    cli
}

/// Exits as clap does, but a malformed value in one line naming the flag
/// and the form it takes (with clap's possible values, if any).
fn usage_error(e: clap::Error) -> ! {
    use clap::error::ErrorKind;
    if !matches!(
        e.kind(),
        ErrorKind::InvalidValue | ErrorKind::ValueValidation
    ) {
        e.exit()
    }
    eprintln!("{}", one_line(&e));
    std::process::exit(2)
}

/// A clap value error in one line (see [`usage_error`]).
fn one_line(e: &clap::Error) -> String {
    use clap::error::{ContextKind, ContextValue};
    let text = e.render().to_string();
    let mut line = text
        .lines()
        .next()
        .unwrap_or_default()
        .trim_end()
        .to_owned();
    if let Some(ContextValue::Strings(valid)) = e.get(ContextKind::ValidValue) {
        line.push_str(&format!(": use one of {}", valid.join(", ")));
    }
    // A value from the environment: say which variable, not only the flag.
    if let Some(ContextValue::String(arg)) = e.get(ContextKind::InvalidArg) {
        for (flag, var) in [
            ("--time", "ACCORD_TIME"),
            ("--ledger-id", "ACCORD_LEDGER_ID"),
        ] {
            let given = std::env::args().any(|a| a == flag || a.starts_with(&format!("{flag}=")));
            if arg.starts_with(&format!("{flag} ")) && !given {
                line.push_str(&format!(" (from {var})"));
            }
        }
    }
    line
}

// issue 15: help
#[cfg(test)]
mod tests {
    use super::*;

    /// Every command in the tree, with its path from the top.
    fn walk(
        cmd: &clap::Command,
        path: &mut Vec<String>,
        all: &mut Vec<(Vec<String>, clap::Command)>,
    ) {
        for sub in cmd.get_subcommands() {
            path.push(sub.get_name().to_owned());
            all.push((path.clone(), sub.clone()));
            walk(sub, path, all);
            path.pop();
        }
    }

    fn tree() -> Vec<(Vec<String>, clap::Command)> {
        let mut all = Vec::new();
        walk(&command(), &mut Vec::new(), &mut all);
        assert!(all.len() > 80, "only {} commands", all.len());
        all
    }

    /// A command line split as a POSIX shell would (quotes, no
    /// expansions), up to a `#` comment or a redirection.
    fn words(line: &str) -> Vec<String> {
        let mut out = Vec::new();
        let mut word: Option<String> = None;
        let mut quote = None;
        for c in line.chars() {
            match (quote, c) {
                (Some(q), c) if c == q => quote = None,
                (Some(_), c) => word.get_or_insert_with(String::new).push(c),
                (None, '"' | '\'') => {
                    quote = Some(c);
                    word.get_or_insert_with(String::new);
                }
                (None, '#' | '<' | '>' | '|' | '&') if word.is_none() => break,
                (None, c) if c.is_whitespace() => out.extend(word.take()),
                (None, c) => word.get_or_insert_with(String::new).push(c),
            }
        }
        out.extend(word);
        out
    }

    /// Whether the command line `argv` runs the command at `path` (or one
    /// under it), after any global flags.
    fn shows(argv: &[String], path: &[String]) -> bool {
        let mut rest = argv.iter().skip_while(|w| *w != "accord").skip(1);
        let mut names = Vec::new();
        while let Some(w) = rest.next() {
            match w.starts_with("--") {
                true if names.is_empty() => _ = rest.next(),
                true => break,
                false => names.push(w.clone()),
            }
        }
        names.starts_with(path)
    }

    #[test]
    fn help_of_every_command_has_examples_and_every_argument_has_help() {
        let mut missing = Vec::new();
        for (path, mut cmd) in tree() {
            let name = path.join(" ");
            let help = cmd.render_long_help().to_string();
            let examples = help
                .split_once("\nExamples:\n")
                .map(|(_, e)| e)
                .unwrap_or_default();
            let own = format!("accord {name}");
            let examples = examples.replace("\\\n", " ");
            if !examples.lines().any(|l| shows(&words(l.trim()), &path)) {
                missing.push(format!("{name}: no example of `{own}` under Examples:"));
            }
            if cmd.get_about().is_none() {
                missing.push(format!("{name}: no description"));
            }
            for arg in cmd.get_arguments() {
                let id = arg.get_id().as_str();
                if arg.is_hide_set() || id == "help" || id == "version" {
                    continue;
                }
                let text = arg.get_help().map(|h| h.to_string()).unwrap_or_default();
                if text.trim().is_empty() {
                    missing.push(format!("{name}: argument {id} has no description"));
                }
            }
        }
        assert!(missing.is_empty(), "{}", missing.join("\n"));
    }

    #[test]
    fn help_examples_parse_as_the_commands_they_show() {
        let mut bad = Vec::new();
        for (path, mut cmd) in tree() {
            let help = cmd.render_long_help().to_string();
            let Some((_, examples)) = help.split_once("\nExamples:\n") else {
                continue;
            };
            let examples = examples.replace("\\\n", " ");
            for line in examples.lines().map(str::trim) {
                if !line.starts_with("accord ") {
                    continue;
                }
                let argv = words(line);
                if let Err(e) = command().try_get_matches_from(&argv) {
                    bad.push(format!("{}: {line}: {}", path.join(" "), e.render()));
                }
            }
        }
        assert!(bad.is_empty(), "{}", bad.join("\n"));
    }

    #[test]
    fn help_writes_agrees_with_the_commands_that_append() {
        use clap::FromArgMatches;
        let mut checked = 0;
        for (path, mut cmd) in tree() {
            if cmd.has_subcommands() {
                continue;
            }
            let help = cmd.render_long_help().to_string();
            // The first example that runs this very command (an example
            // may first run another, e.g. `key new` before `key rotate`).
            let runs_it = |l: &&str| {
                let w: Vec<String> = words(l);
                l.starts_with("accord ") && w.windows(path.len()).any(|win| win == path.as_slice())
            };
            let examples = help
                .split_once("\nExamples:\n")
                .map(|(_, ex)| ex.replace("\\\n", " "))
                .unwrap_or_default();
            let line = examples
                .lines()
                .map(str::trim)
                .find(runs_it)
                .unwrap_or_else(|| panic!("{path:?} has no example of itself"));
            let matches = command()
                .try_get_matches_from(words(line))
                .unwrap_or_else(|e| panic!("{line}: {e}"));
            let cli = Cli::from_arg_matches(&matches).unwrap_or_else(|e| panic!("{line}: {e}"));
            let p: Vec<&str> = path.iter().map(String::as_str).collect();
            assert_eq!(
                crate::commands::is_writing(&cli.command),
                writes(&p),
                "{p:?}: writes() and the command's own kind disagree"
            );
            checked += 1;
        }
        assert!(checked > 60, "only {checked} commands checked");
    }

    #[test]
    fn help_shows_scoped_globals_only_where_they_are_read() {
        for (path, cmd) in tree() {
            if cmd.has_subcommands() {
                continue;
            }
            let p: Vec<&str> = path.iter().map(String::as_str).collect();
            for id in SCOPED {
                let arg = cmd.get_arguments().find(|a| a.get_id() == id);
                let arg = arg.unwrap_or_else(|| panic!("{p:?} lacks {id}"));
                assert_eq!(!arg.is_hide_set(), reads_global(id, &p), "{p:?} {id}");
            }
        }
        let paths: Vec<Vec<String>> = tree().into_iter().map(|(p, _)| p).collect();
        // Every command `writes` names exists (a typo would hide --remote).
        for name in [
            "commit",
            "allege",
            "respond",
            "view",
            "observe",
            "refer",
            "task",
            "recommend",
            "measures",
            "commitment",
            "allegation",
            "ruling",
            "meeting",
            "mirror",
            "sync",
        ] {
            assert!(paths.iter().any(|p| p[0] == name), "{name}");
        }
        for (a, b) in [
            ("key", "rotate"),
            ("key", "revoke"),
            ("key", "endorse-revocation"),
            ("charter", "amend"),
            ("charter", "endorse"),
            ("evidence", "add"),
            ("bundle", "verify"),
            ("clause", "show"),
            ("clause", "list"),
        ] {
            assert!(paths.iter().any(|p| p == &[a, b]), "{a} {b}");
        }
    }

    #[test]
    fn help_value_parsers_accept_what_the_commands_accepted() {
        assert!(time_arg("2017-01-24T13:00:00+03:00").is_ok());
        assert!(time_arg(" 2017-01-24T10:00:00Z ").is_ok());
        assert!(time_arg("yesterday").is_err());
        assert!(claimed_time_arg("").is_ok());
        assert!(time_or_none_arg("none").is_ok());
        assert!(time_or_none_arg("never").is_err());
        let hash = "ab".repeat(32);
        assert!(head_arg(&format!("12:{hash}")).is_ok());
        assert!(head_arg("12").is_err());
        assert!(head_arg(&format!("x:{hash}")).is_err());
        assert!(head_arg("12:abc").is_err());
        assert!(ledger_id_arg(&hash).is_ok());
        assert!(ledger_id_arg("").is_ok());
        assert!(ledger_id_arg("abc").is_err());
        assert!(salt_arg(&hash).is_ok());
        assert!(salt_arg("zz").is_err());
        for ok in [
            "shared",
            "unattributable",
            "gov",
            "actor:hts",
            "party:gov",
            "largely:hts",
        ] {
            assert!(attribution_arg(ok).is_ok(), "{ok}");
        }
        assert!(attribution_arg("largely-attributed:actor:hts").is_ok());
        for bad in ["", "Gov Forces", "largely:", "actor:"] {
            assert!(attribution_arg(bad).is_err(), "{bad}");
        }
    }
}
