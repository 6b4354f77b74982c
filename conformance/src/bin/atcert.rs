//! `atcert`: certify an AT TCP/IP module against the `seed` dialect.
//!
//! `atcert` alone runs every feature against the simulated module and
//! prints the clause table; `atcert console` lets you type AT commands at
//! the simulated module.

use std::io::{BufRead, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::{Duration, Instant};

use clap::{Parser, Subcommand};
use conformance::report::{self, Verdict};
use conformance::{Config, Status, run};
use sim::World;
use sim::peers::{Record, Service};

#[derive(Parser)]
#[command(
    name = "atcert",
    version,
    about = "Conformance suite for AT TCP/IP Wi-Fi modules"
)]
struct Cli {
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Subcommand)]
enum Command {
    /// Run feature files against the simulated module (the default).
    Run(RunArgs),
    /// Replay the golden transcripts against this build.
    Gate {
        /// Rewrite the golden files with this build's transcripts (after
        /// reviewing the differences).
        #[arg(long)]
        bless: bool,
        /// The folder of golden files (default: the repository's `golden/`).
        #[arg(long)]
        dir: Option<PathBuf>,
    },
    /// Simulated passthrough efficiency: a table and an SVG plot.
    Bench {
        /// Baud rates.
        #[arg(long, value_delimiter = ',', default_values_t = [115_200u32, 921_600, 2_000_000, 5_000_000])]
        baud: Vec<u32>,
        /// One-way network latencies, in milliseconds.
        #[arg(long, value_delimiter = ',', default_values_t = [1u64, 5, 50])]
        latency: Vec<u64>,
        /// Seconds of line-rate payload per measurement.
        #[arg(long, default_value_t = 5.0)]
        seconds: f64,
        /// Folder for `efficiency.md` and `efficiency.svg`.
        #[arg(long, default_value = "target/atcert-bench")]
        out: PathBuf,
    },
    /// Type AT commands at the simulated module.
    Console {
        /// The simulation's seed.
        #[arg(long, default_value_t = 1)]
        seed: u64,
    },
}

#[derive(clap::Args)]
struct RunArgs {
    /// Feature files or folders (default: the repository's `features/`).
    features: Vec<PathBuf>,
    /// Only scenarios matching this tag expression, e.g. `@SD-2 or @PT-4`
    /// (default: `not @tls`).
    #[arg(long)]
    tags: Option<String>,
    /// The run's seed; each scenario derives its own from it.
    #[arg(long, default_value_t = 1)]
    seed: u64,
    /// Write JUnit XML here.
    #[arg(long)]
    junit: Option<PathBuf>,
    /// Write the Markdown certification report here.
    #[arg(long)]
    report: Option<PathBuf>,
    /// The module: `sim` (default), `serial:PATH[@BAUD]` (a device on a
    /// serial line; peers run on this machine's loopback), or
    /// `atmodule[:EXE]` (the virtual module, started per scenario).
    #[arg(long, default_value = "sim")]
    dut: String,
    /// With a serial DUT: where the lab's peers live, as the scenarios'
    /// network mapped to this machine's (`NET/24=NET/24`).
    #[arg(long, default_value = "192.168.0.0/24=127.0.0.0/24")]
    lab: String,
}

fn repo_dir(name: &str) -> PathBuf {
    let here = Path::new(name);
    if here.is_dir() {
        here.to_path_buf()
    } else {
        Path::new(env!("CARGO_MANIFEST_DIR")).join("..").join(name)
    }
}

/// The command to run: with none given, `run` with every default, as if
/// `atcert run` had been typed (clap fills the defaults in one place).
fn command(cli: Cli) -> Command {
    cli.command.unwrap_or_else(|| {
        let run = Cli::parse_from(["atcert", "run"]).command;
        run.expect("`atcert run` parses")
    })
}

fn main() -> ExitCode {
    match command(Cli::parse()) {
        Command::Console { seed } => console(seed),
        Command::Gate { bless, dir } => gate(bless, dir),
        Command::Bench {
            baud,
            latency,
            seconds,
            out,
        } => bench(&baud, &latency, seconds, &out),
        Command::Run(args) => run_suite(args),
    }
}

fn run_suite(args: RunArgs) -> ExitCode {
    // Only the whole suite certifies: a run of chosen files or tags does
    // not fail for the clauses it left out.
    let whole_suite = args.tags.is_none() && args.features.is_empty();
    let features = if args.features.is_empty() {
        vec![repo_dir("features")]
    } else {
        args.features
    };
    let dut = match args.dut.as_str() {
        "sim" => None,
        spec => match conformance::dut::Target::parse(spec) {
            Ok(t) => Some(t),
            Err(e) => {
                eprintln!("atcert: {e}");
                return ExitCode::from(2);
            }
        },
    };
    let serial = dut.is_some();
    let lab = match conformance::dut::LabMap::parse(&args.lab) {
        Ok(l) => l,
        Err(e) => {
            eprintln!("atcert: {e}");
            return ExitCode::from(2);
        }
    };
    let cfg = Config {
        features: features.clone(),
        tags: args.tags,
        seed: args.seed,
        junit: args.junit,
        progress: true,
        dut,
        lab,
    };
    let started = Instant::now();
    // Who is being certified, asked once before the run.
    let (device, identity) =
        match conformance::runner::identify(cfg.dut.as_ref(), cfg.lab, cfg.seed) {
            Ok(id) => id,
            Err(e) => {
                eprintln!("atcert: {e}");
                return ExitCode::from(2);
            }
        };
    println!("{} ({})", device, identity.join(" / "));
    let results = match run(&cfg) {
        Ok(r) => r,
        Err(e) => {
            eprintln!("atcert: {e}");
            return ExitCode::from(2);
        }
    };
    let wall = started.elapsed();
    let pending = report::tls_clauses(&features);
    let sim_only = if serial {
        report::clauses_tagged(&features, "sim")
    } else {
        Vec::new()
    };
    let rows = report::table(&results, &pending, &sim_only);
    let failed: Vec<_> = results.iter().filter(|r| r.status.is_failed()).collect();
    let skipped = results
        .iter()
        .filter(|r| matches!(r.status, Status::Skipped(_)))
        .count();
    // Each failure's details were printed as it happened; here, the list.
    for r in &failed {
        let why = match &r.status {
            Status::Failed(m) | Status::Skipped(m) => m.clone(),
            Status::Passed => String::new(),
        };
        let first = why.lines().next().unwrap_or("");
        println!(
            "=== FAILED {}: {} (seed {}): {first}",
            r.feature, r.name, r.seed
        );
    }
    println!("\n| clause | scenarios | failed | verdict |\n|---|---:|---:|---|");
    for r in &rows {
        let verdict = match r.verdict {
            Verdict::Passed => "passed",
            Verdict::Failed => "FAILED",
            Verdict::Skipped => "skipped",
            Verdict::Pending => "pending: TLS",
            Verdict::SimOnly => "simulator only",
            Verdict::Uncovered => "uncovered",
        };
        println!(
            "| {} | {} | {} | {verdict} |",
            r.clause, r.scenarios, r.failed
        );
    }
    let count = |v| rows.iter().filter(|r| r.verdict == v).count();
    let uncovered = count(Verdict::Uncovered);
    println!(
        "\nseed {}: {} scenarios, {} passed, {} failed, {skipped} skipped; clauses: {} passed, {} failed, {} skipped, {} pending (TLS), {} simulator only, {} uncovered; {:.1} s",
        cfg.seed,
        results.len(),
        results.len() - failed.len() - skipped,
        failed.len(),
        count(Verdict::Passed),
        count(Verdict::Failed),
        count(Verdict::Skipped),
        count(Verdict::Pending),
        count(Verdict::SimOnly),
        uncovered,
        wall.as_secs_f64()
    );
    if let Some(path) = &args.report {
        let header = report::Header {
            device,
            identity,
            dialect: firmware_core::SEED.name.into(),
            seed: cfg.seed,
            selection: format!(
                "{}; tags: {}",
                features
                    .iter()
                    .map(|f| f.display().to_string())
                    .collect::<Vec<_>>()
                    .join(", "),
                cfg.tags()
            ),
            date: report::Header::now(),
            tool: report::Header::tool(),
        };
        let text = report::markdown(&header, &results, &rows);
        if let Err(e) = std::fs::write(path, text) {
            eprintln!("atcert: {}: {e}", path.display());
            return ExitCode::from(2);
        }
    }
    // A partial run (tags) is not a certification: uncovered clauses only
    // fail the whole suite.
    if failed.is_empty() && (uncovered == 0 || !whole_suite) {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    }
}

/// Measures passthrough efficiency and writes the table and the plot.
fn bench(bauds: &[u32], latencies: &[u64], seconds: f64, out: &Path) -> ExitCode {
    let latencies: Vec<Duration> = latencies
        .iter()
        .map(|&ms| Duration::from_millis(ms))
        .collect();
    let total = 2 * bauds.len() * latencies.len();
    let mut done = 0;
    let points = conformance::bench::measure(bauds, &latencies, seconds, |p| {
        done += 1;
        eprintln!(
            "[{done:>2}/{total}] {:?} {} baud {} ms: {:.2} %",
            p.dir,
            p.baud,
            p.latency.as_millis(),
            p.result.efficiency * 100.0
        );
    });
    let table = conformance::bench::table(&points);
    println!("{table}");
    let written = std::fs::create_dir_all(out)
        .and_then(|()| std::fs::write(out.join("efficiency.md"), &table))
        .and_then(|()| {
            std::fs::write(out.join("efficiency.svg"), conformance::bench::svg(&points))
        });
    match written {
        Ok(()) => {
            println!(
                "written: {0}/efficiency.md, {0}/efficiency.svg",
                out.display()
            );
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("atcert bench: {}: {e}", out.display());
            ExitCode::from(2)
        }
    }
}

/// Replays (or blesses) every golden transcript.
fn gate(bless: bool, dir: Option<PathBuf>) -> ExitCode {
    let dir = dir.unwrap_or_else(|| repo_dir("golden"));
    let files = match conformance::gate::golden_files(&dir) {
        Ok(f) => f,
        Err(e) => {
            eprintln!("atcert gate: {}: {e}", dir.display());
            return ExitCode::from(2);
        }
    };
    if files.is_empty() {
        // Nothing replayed is no gate passed.
        eprintln!("atcert gate: no .golden file in {}", dir.display());
        return ExitCode::from(2);
    }
    let mut changed = 0;
    for path in &files {
        let r = match conformance::gate::replay(path) {
            Ok(r) => r,
            Err(e) => {
                eprintln!("atcert gate: {e}");
                return ExitCode::from(2);
            }
        };
        match (&r.diff, bless) {
            (None, _) => println!("same     {}", path.display()),
            (Some(_), true) => {
                if let Err(e) = conformance::gate::bless(&r) {
                    eprintln!("atcert gate: {}: {e}", path.display());
                    return ExitCode::from(2);
                }
                println!("blessed  {}", path.display());
            }
            (Some(diff), false) => {
                changed += 1;
                println!("CHANGED  {} (seed {})\n{diff}", path.display(), r.seed);
            }
        }
    }
    println!("{} golden transcripts, {changed} changed", files.len());
    if changed == 0 {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    }
}

/// An interactive session with the simulated module.
fn console(seed: u64) -> ExitCode {
    let peer = "192.168.0.103".parse().expect("address");
    let sntp = "192.168.0.123".parse().expect("address");
    let mut w = World::new(seed);
    w.add_service(peer, Service::TcpEcho { port: 20108 });
    w.add_service(peer, Service::UdpEcho { port: 20109 });
    {
        let dns = w.dns();
        let mut dns = dns.borrow_mut();
        dns.zone.insert("echo.lan".into(), vec![Record::A(peer)]);
        dns.zone
            .insert("pool.ntp.org".into(), vec![Record::A(sntp)]);
    }
    // 2026-01-01 00:00:00 UTC.
    w.add_sntp_server(sntp, 1_767_225_600_000_000);
    println!("atcert console: the simulated module at 192.168.0.107, seed {seed}. Peers:");
    println!("  TCP echo 192.168.0.103:20108, UDP echo 192.168.0.103:20109");
    println!("  DNS (192.168.0.1): echo.lan -> 192.168.0.103, pool.ntp.org -> 192.168.0.123");
    println!("  SNTP 192.168.0.123, clock at 2026-01-01 00:00:00 UTC");
    println!(
        "Type a line to send it with CRLF; `+++` sends the escape with its guard times; Ctrl-D quits."
    );
    let show = |w: &mut World, quiet: Duration| {
        let mut idle = Duration::ZERO;
        while idle < quiet {
            w.step();
            let out = w.host_read();
            if out.is_empty() {
                idle += Duration::from_millis(1);
            } else {
                idle = Duration::ZERO;
                let _ = std::io::stdout().write_all(&out);
                let _ = std::io::stdout().flush();
            }
        }
    };
    show(&mut w, Duration::from_millis(200));
    for line in std::io::stdin().lock().lines() {
        let Ok(line) = line else { break };
        if line == "+++" {
            w.run_for(Duration::from_millis(50));
            w.host_write(b"+++");
            show(&mut w, Duration::from_millis(1100));
        } else {
            w.host_write(format!("{line}\r\n").as_bytes());
            show(&mut w, Duration::from_millis(300));
        }
    }
    ExitCode::SUCCESS
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `atcert` alone is the README's main command: the whole suite on the
    /// simulator, with clap's defaults.
    #[test]
    fn no_command_is_run_with_every_default() {
        let Command::Run(args) = command(Cli::parse_from(["atcert"])) else {
            panic!("atcert alone must run the suite");
        };
        assert!(args.features.is_empty() && args.tags.is_none());
        assert_eq!((args.seed, args.dut.as_str()), (1, "sim"));
        assert_eq!(
            conformance::dut::LabMap::parse(&args.lab),
            Ok(conformance::dut::LabMap::default())
        );
    }
}
