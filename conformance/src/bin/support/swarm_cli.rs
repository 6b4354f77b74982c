//! `atcert swarm`: its arguments, and the runs, cases and merges they ask for.

use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Duration;

use conformance::swarm::case::Case;
use conformance::swarm::report::{self, Plan};
use conformance::swarm::shard::{self, INDEX_ENV, Shard};
use conformance::swarm::{AllocProbe, Options, check_session};

#[derive(clap::Args)]
#[command(args_conflicts_with_subcommands = true)]
pub struct SwarmArgs {
    #[command(subcommand)]
    merge: Option<SwarmCommand>,
    /// Seeds: a count (from --from), `A..B` (B excluded) or `A..` (until
    /// --minutes run out).
    #[arg(long, default_value = "100")]
    seeds: String,
    /// The first seed of a count.
    #[arg(long, default_value_t = 0)]
    from: u64,
    /// Just this seed.
    #[arg(long, conflicts_with_all = ["seeds", "from", "case"])]
    seed: Option<u64>,
    /// Replay a stored case (a shrunk failing session, JSON).
    #[arg(long)]
    case: Option<PathBuf>,
    /// Run only shard K of N: the seeds s with s % N == K (K from 0).
    #[arg(long, conflicts_with = "shards")]
    shard: Option<String>,
    /// Run shard K of N with K read from JOB_COMPLETION_INDEX (a
    /// Kubernetes Indexed Job's pod index).
    #[arg(long)]
    shards: Option<u64>,
    /// Start no seed after this many minutes.
    #[arg(long)]
    minutes: Option<f64>,
    /// Write a JSON line per seed (seed, dialect, commit, verdict,
    /// duration) to this file.
    #[arg(long)]
    jsonl: Option<PathBuf>,
    /// Write a JUnit file (a test case per failing seed).
    #[arg(long)]
    junit: Option<PathBuf>,
    /// Shrink each failing seed to a shortest session that fails the same
    /// check.
    #[arg(long)]
    shrink: bool,
    /// The most sessions one shrink may play.
    #[arg(long, default_value_t = 400)]
    shrink_budget: usize,
    /// Write each shrunk failing seed as a case file into this folder (the
    /// repository's is `conformance/swarm-cases`, replayed by `cargo test`).
    #[arg(long)]
    write: Option<PathBuf>,
    /// Print every seed's session, and each failing seed's transcript.
    #[arg(long)]
    verbose: bool,
}

#[derive(clap::Subcommand)]
enum SwarmCommand {
    /// Fold the JSON lines of several shards into one summary.
    Merge {
        /// The shards' JSON-lines files.
        #[arg(required = true)]
        files: Vec<PathBuf>,
        /// Also write the merged JUnit file.
        #[arg(long)]
        junit: Option<PathBuf>,
    },
}

fn fail(e: impl std::fmt::Display) -> ExitCode {
    eprintln!("atcert swarm: {e}");
    ExitCode::from(2)
}

/// Runs what `args` ask for; exit 1 when any seed failed, 2 on bad usage.
pub fn swarm(args: SwarmArgs, probe: AllocProbe) -> ExitCode {
    let opts = Options {
        probe: Some(probe),
        ..Default::default()
    };
    if let Some(SwarmCommand::Merge { files, junit }) = args.merge {
        return merge(&files, junit);
    }
    if let Some(path) = &args.case {
        return case(path, &opts, args.verbose);
    }
    let shard = match (&args.shard, args.shards) {
        (Some(k), _) => Shard::parse(k),
        (None, Some(n)) => Shard::from_index(std::env::var(INDEX_ENV).ok().as_deref(), n),
        (None, None) => Ok(Shard::WHOLE),
    };
    let range = match args.seed {
        Some(s) => Ok(s..s + 1),
        None => shard::parse_range(&args.seeds, args.from),
    };
    let (shard, range) = match (shard, range) {
        (Ok(s), Ok(r)) => (s, r),
        (Err(e), _) | (_, Err(e)) => return fail(e),
    };
    if range.end == u64::MAX && args.minutes.is_none() {
        return fail("an open range of seeds (A..) needs --minutes");
    }
    let total = (range.end != u64::MAX).then(|| shard.seeds(range.clone()).count() as u64);
    let mut lines = Tee {
        file: match args.jsonl.as_ref().map(File::create).transpose() {
            Ok(f) => f.map(BufWriter::new),
            Err(e) => return fail(e),
        },
        kept: args.junit.as_ref().map(|_| Vec::new()),
    };
    let plan = Plan {
        seeds: Box::new(shard.seeds(range)),
        total,
        deadline: args.minutes.map(|m| Duration::from_secs_f64(m * 60.0)),
        shard,
        verbose: args.verbose,
        shrink: (args.shrink || args.write.is_some()).then_some(args.shrink_budget),
        write: args.write,
        commit: env!("ATCERT_COMMIT"),
    };
    let sum = match report::run(plan, &opts, &mut std::io::stdout(), Some(&mut lines)) {
        Ok(sum) => sum,
        Err(e) => return fail(e),
    };
    if let (Some(path), Some(kept)) = (args.junit, lines.kept) {
        let merged = shard::merge([("run", &*String::from_utf8_lossy(&kept))]);
        if let Err(e) = std::fs::write(&path, merged.junit()) {
            return fail(e);
        }
    }
    match sum.failed.is_empty() {
        true => ExitCode::SUCCESS,
        false => ExitCode::FAILURE,
    }
}

/// The JSON lines, to the --jsonl file as they come and kept for --junit.
struct Tee {
    file: Option<BufWriter<File>>,
    kept: Option<Vec<u8>>,
}

impl Write for Tee {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        if let Some(f) = &mut self.file {
            f.write_all(buf)?;
        }
        if let Some(k) = &mut self.kept {
            k.extend_from_slice(buf);
        }
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        self.file.as_mut().map_or(Ok(()), Write::flush)
    }
}

fn case(path: &Path, opts: &Options, verbose: bool) -> ExitCode {
    let case = match Case::read(path) {
        Ok(c) => c,
        Err(e) => return fail(e),
    };
    let r = check_session(case.session, opts);
    println!(
        "case {} (seed {}, once failed `{}`): {}",
        path.display(),
        r.seed,
        case.check,
        if r.passed() { "passes" } else { "FAILS" }
    );
    if verbose || !r.passed() {
        println!("  {}", case.note);
    }
    for f in &r.findings {
        println!("  finding {f}");
    }
    if verbose || !r.passed() {
        print!("{}", r.session);
    }
    if verbose {
        print!("{}", r.transcript);
    }
    match r.passed() {
        true => ExitCode::SUCCESS,
        false => ExitCode::FAILURE,
    }
}

fn merge(files: &[PathBuf], junit: Option<PathBuf>) -> ExitCode {
    let mut texts = Vec::new();
    for f in files {
        match std::fs::read_to_string(f) {
            Ok(t) => texts.push((f.display().to_string(), t)),
            Err(e) => return fail(format!("{}: {e}", f.display())),
        }
    }
    let merged = shard::merge(texts.iter().map(|(n, t)| (&n[..], &t[..])));
    print!("{}", merged.summary());
    if let Some(path) = junit
        && let Err(e) = std::fs::write(&path, merged.junit())
    {
        return fail(e);
    }
    match (merged.failed().next(), merged.bad.is_empty()) {
        (None, true) => ExitCode::SUCCESS,
        (Some(_), _) => ExitCode::FAILURE,
        (None, false) => ExitCode::from(2),
    }
}
