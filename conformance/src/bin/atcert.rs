//! `atcert`: certify an AT TCP/IP module against a dialect's contract
//! (`seed` by default, `--dialect esp-at`).
//!
//! `atcert` alone runs every feature against the simulated module and
//! prints the clause table; `atcert console` lets you type AT commands at
//! the simulated module.

use std::io::{BufRead, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Duration;

use clap::{Parser, Subcommand};
use conformance::{certify, report};
use sim::World;
use sim::peers::{Record, Service};

/// The counting global allocator `atcert swarm` measures the heap with.
#[path = "support/alloc_count.rs"]
mod alloc_count;
#[path = "support/swarm_cli.rs"]
mod swarm_cli;

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
    /// Passthrough throughput on a DUT: a table, an SVG plot, a JSON file;
    /// with --baseline, the throughput regression gate.
    Bench(BenchArgs),
    /// Random sessions under random faults, checked by invariants.
    Swarm(swarm_cli::SwarmArgs),
    /// Type AT commands at the simulated module.
    Console {
        /// The simulation's seed.
        #[arg(long, default_value_t = 1)]
        seed: u64,
        /// The dialect the module speaks (`seed`, `esp-at`).
        #[arg(long, value_name = "NAME", default_value = "seed",
              value_parser = conformance::runner::dialect)]
        dialect: &'static firmware_core::Dialect,
    },
}

#[derive(clap::Args)]
struct BenchArgs {
    /// The module: `sim` (default; simulated time), `atmodule[:EXE]` (its
    /// pty paced at each --baud; real time) or `serial:PATH[@BAUD]` (a
    /// device; its line's rate only).
    /// Repeat it to measure several side by side in one report.
    #[arg(long, default_values_t = ["sim".to_string()])]
    dut: Vec<String>,
    /// Line rates.
    #[arg(long, value_delimiter = ',', default_values_t = [115_200u32, 921_600, 2_000_000, 5_000_000])]
    baud: Vec<u32>,
    /// The simulator's one-way network latencies, in milliseconds.
    #[arg(long, value_delimiter = ',', default_values_t = [1u64, 5, 50])]
    latency: Vec<u64>,
    /// Directions: up (host → peer), down (peer → host), both (at once).
    #[arg(long, value_delimiter = ',', default_values_t = ["up".to_string(), "down".into(), "both".into()])]
    way: Vec<String>,
    /// Seconds of line-rate payload per measurement.
    #[arg(long, default_value_t = 5.0)]
    seconds: f64,
    /// RTS/CTS off, on, or both: the simulator's UART, atmodule's pty
    /// (--flow-control), a device's line (hardware flow control: its
    /// wiring must carry RTS and CTS). Default: both, but a device only
    /// off unless asked.
    #[arg(long, value_delimiter = ',')]
    rts_cts: Vec<String>,
    /// Datagram loss percentages for UDP points, host → peer (the
    /// simulator); `none` for no UDP points.
    #[arg(long, value_delimiter = ',', default_values_t = ["0".to_string(), "1".into(), "5".into()])]
    udp_loss: Vec<String>,
    /// With a real DUT: where the lab's peers live (as for `run`).
    #[arg(long, default_value = "192.168.0.0/24=127.0.0.0/24")]
    lab: String,
    /// Folder for `throughput.md`, `throughput.svg` and `throughput.json`.
    #[arg(long, default_value = "target/atcert-bench")]
    out: PathBuf,
    /// A `throughput.json` of an earlier run: exit 1 when any point it has
    /// fell more than --tolerance below it.
    #[arg(long, value_name = "FILE")]
    baseline: Option<PathBuf>,
    /// Percent a point's efficiency may fall below the baseline's.
    #[arg(long, default_value_t = 2.0, requires = "baseline")]
    tolerance: f64,
}

#[derive(clap::Args)]
struct RunArgs {
    /// Feature files or folders (default: the repository's `features/`).
    features: Vec<PathBuf>,
    /// Only scenarios matching this tag expression, e.g. `@SD-2 or @PT-4`
    /// (default: all; on a device `not @sim and not @slow`).
    #[arg(long)]
    tags: Option<String>,
    /// The run's seed; each scenario derives its own from it.
    #[arg(long, default_value_t = 1)]
    seed: u64,
    /// The dialect to certify (`seed`, `esp-at`): only its scenarios run
    /// (`@esp-at`; untagged ones are seed's), against its contract
    /// (spec/DECISIONS.md, spec/esp-at.md); the simulator and atmodule
    /// speak it, a serial device is taken to.
    #[arg(long, value_name = "NAME", default_value = "seed",
          value_parser = conformance::runner::dialect)]
    dialect: &'static firmware_core::Dialect,
    /// Write JUnit XML here.
    #[arg(long)]
    junit: Option<PathBuf>,
    /// Write the Markdown certification report here.
    #[arg(long)]
    report: Option<PathBuf>,
    /// Write the HTML certification report here (one self-contained page).
    #[arg(long)]
    html: Option<PathBuf>,
    /// The module: `sim` (default), `serial:PATH[@BAUD]` (a device on a
    /// serial line; peers run on this machine's loopback), or
    /// `atmodule[:EXE]` (the virtual module, started per scenario).
    /// Repeat it to certify several devices at once, side by side.
    #[arg(long)]
    dut: Vec<String>,
    /// With a serial DUT: where the lab's peers live, as the scenarios'
    /// network mapped to this machine's (`NET/24=NET/24`; default
    /// 192.168.0.0/24=127.0.0.0/24, and 127.0.N.0/24 for the N-th of
    /// several devices). Addresses the bench vouches nobody holds on that
    /// network, for the scenarios' silent hosts, are added as `,unused=IP`.
    /// One per --dut.
    #[arg(long)]
    lab: Vec<String>,
    /// With a serial DUT: a command that cuts its power and restores it
    /// (run by `sh -c`; it sees ATCERT_POWER=cycle|loss and ATCERT_DUT, the
    /// line). Without it or --reset-line, power scenarios are skipped.
    #[arg(long, value_name = "CMD", conflicts_with = "reset_line")]
    power_cmd: Option<String>,
    /// With a serial DUT: the modem line wired to its reset pin, pulsed to
    /// restart it (`rts` or `dtr`, as ESP32 boards wire EN).
    #[arg(long, value_name = "LINE", value_parser = conformance::dut::ModemLine::parse)]
    reset_line: Option<conformance::dut::ModemLine>,
}

/// The bench's power control from the flags, if any.
fn power(args: &RunArgs) -> conformance::dut::Power {
    use conformance::dut::Power;
    match (&args.power_cmd, args.reset_line) {
        (Some(cmd), _) => Power::Command(cmd.clone()),
        (None, Some(line)) => Power::ResetLine(line),
        (None, None) => Power::None,
    }
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
        Command::Console { seed, dialect } => console(seed, dialect),
        Command::Gate { bless, dir } => gate(bless, dir),
        Command::Bench(args) => bench(args),
        Command::Run(args) => run_suite(args),
        Command::Swarm(args) => swarm_cli::swarm(args, alloc_count::PROBE),
    }
}

fn run_suite(args: RunArgs) -> ExitCode {
    // Only the whole suite certifies: a run of chosen files or tags does
    // not fail for the clauses it left out.
    let whole_suite = args.tags.is_none() && args.features.is_empty();
    let devices = match devices(&args) {
        Ok(d) => d,
        Err(e) => {
            eprintln!("atcert: {e}");
            return ExitCode::from(2);
        }
    };
    let plan = certify::Plan {
        features: if args.features.is_empty() {
            vec![repo_dir("features")]
        } else {
            args.features
        },
        tags: args.tags,
        seed: args.seed,
        devices,
        dialect: args.dialect,
    };
    let runs = match certify::certify(&plan) {
        Ok(r) => r,
        Err(e) => {
            eprintln!("atcert: {e}");
            return ExitCode::from(2);
        }
    };
    print!("{}", certify::summary(&runs));
    let views: Vec<_> = runs.iter().map(certify::Certified::view).collect();
    let labels: Vec<String> = (1..=runs.len())
        .map(|d| match runs.len() {
            1 => String::new(),
            _ => format!("device {d}"),
        })
        .collect();
    let junit: Vec<(&str, &[conformance::ScenarioResult])> = labels
        .iter()
        .zip(&runs)
        .map(|(l, r)| (l.as_str(), &r.results[..]))
        .collect();
    let reports = [
        (
            args.junit,
            conformance::junit::xml_devices(&junit, args.dialect.name),
        ),
        (args.report, report::markdown(&views)),
        (args.html, conformance::html::page(&views)),
    ];
    for (path, text) in reports {
        let Some(path) = path else { continue };
        if let Err(e) = std::fs::write(&path, text) {
            eprintln!("atcert: {}: {e}", path.display());
            return ExitCode::from(2);
        }
    }
    if certify::passed(&runs, whole_suite) {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    }
}

/// The devices the flags name, each with its lab: one `--lab` per `--dut`,
/// or none (one device: the default lab; several: `127.0.N.0/24` for the
/// N-th, so their peers never collide).
fn devices(args: &RunArgs) -> Result<Vec<certify::Device>, String> {
    use conformance::dut::{LabMap, Target};
    let power = power(args);
    let duts: Vec<&str> = match args.dut.is_empty() {
        true => vec!["sim"],
        false => args.dut.iter().map(String::as_str).collect(),
    };
    let labs: Vec<LabMap> = match (args.lab.len(), duts.len()) {
        (0, 1) => vec![LabMap::default()],
        (0, n) => (1..=n)
            .map(|d| LabMap::new(LabMap::default().scenario, [127, 0, d as u8]))
            .collect(),
        (l, n) if l == n => args
            .lab
            .iter()
            .map(|l| LabMap::parse(l))
            .collect::<Result<_, _>>()?,
        (l, n) => {
            return Err(format!(
                "{l} --lab for {n} --dut: give one per device, or none"
            ));
        }
    };
    if duts.len() > 250 {
        return Err("at most 250 devices in one run".into());
    }
    duts.into_iter()
        .zip(labs)
        .map(|(spec, lab)| {
            let target = match Target::parse_dut(spec)? {
                Some(Target::Serial { path, baud, .. }) => Some(Target::Serial {
                    path,
                    baud,
                    power: power.clone(),
                }),
                other => other,
            };
            Ok(certify::Device { target, lab })
        })
        .collect::<Result<Vec<_>, String>>()
        .and_then(|devices| {
            let serial = |d: &certify::Device| matches!(d.target, Some(Target::Serial { .. }));
            match power.is_none() || devices.iter().any(serial) {
                true => Ok(devices),
                false => Err("--power-cmd and --reset-line are for serial: devices".into()),
            }
        })
}

/// Measures passthrough throughput, writes the table, the plot and the
/// JSON file, and holds the run to the baseline if one is given.
fn bench(args: BenchArgs) -> ExitCode {
    let fail = |e: String| {
        eprintln!("atcert bench: {e}");
        ExitCode::from(2)
    };
    let ways = match args
        .way
        .iter()
        .map(|w| conformance::throughput::Way::parse(w))
        .collect::<Result<Vec<_>, _>>()
    {
        Ok(w) => w,
        Err(e) => return fail(e),
    };
    let lab = match conformance::dut::LabMap::parse(&args.lab) {
        Ok(l) => l,
        Err(e) => return fail(e),
    };
    let asked = match args.rts_cts.is_empty() {
        true => vec!["off".to_string(), "on".into()],
        false => args.rts_cts.clone(),
    };
    let rts_cts = match asked
        .iter()
        .map(|v| match v.as_str() {
            "off" => Ok(false),
            "on" => Ok(true),
            _ => Err(format!("--rts-cts {v:?}: off or on")),
        })
        .collect::<Result<Vec<_>, _>>()
    {
        Ok(r) => r,
        Err(e) => return fail(e),
    };
    let udp_loss = match args
        .udp_loss
        .iter()
        .filter(|v| *v != "none")
        .map(|v| match v.parse::<u8>() {
            Ok(p) if p <= 100 => Ok(p),
            _ => Err(format!("--udp-loss {v:?}: a percentage, or none")),
        })
        .collect::<Result<Vec<_>, _>>()
    {
        Ok(l) => l,
        Err(e) => return fail(e),
    };
    let mut duts = Vec::new();
    let mut points = Vec::new();
    for (d, spec) in args.dut.iter().enumerate() {
        let target = match conformance::dut::Target::parse_dut(spec) {
            Ok(t) => t,
            Err(e) => return fail(e),
        };
        duts.push(match &target {
            None => "simulated module (simulated time)".to_string(),
            Some(conformance::dut::Target::Atmodule { exe, .. }) => {
                format!(
                    "atmodule ({}), pty paced at each rate (real time)",
                    exe.display()
                )
            }
            Some(conformance::dut::Target::Serial { path, baud, .. }) => {
                format!("device on {path} at {baud} baud (real time)")
            }
        });
        // An unasked device runs as most are wired: without RTS/CTS.
        let device = matches!(target, Some(conformance::dut::Target::Serial { .. }));
        let device_rts = (device && args.rts_cts.is_empty()).then(|| vec![false]);
        let plan = conformance::bench::Plan {
            target,
            lab,
            bauds: args.baud.clone(),
            latencies: args
                .latency
                .iter()
                .map(|&ms| Duration::from_millis(ms))
                .collect(),
            ways: ways.clone(),
            rts_cts: device_rts.clone().unwrap_or_else(|| rts_cts.clone()),
            udp_loss: udp_loss.clone(),
            seconds: args.seconds,
        };
        let measured = conformance::bench::measure(&plan, |p| {
            eprintln!(
                "DUT {} {}{} {} baud{}: {:.2} % (steady {:.2} %)",
                d + 1,
                p.way.name(),
                match (p.path.udp, p.path.rts_cts) {
                    (true, _) => format!(" UDP {} % loss", p.path.loss),
                    (false, true) => " RTS/CTS".into(),
                    _ => String::new(),
                },
                p.baud,
                p.latency
                    .map(|l| format!(" {} ms", l.as_millis()))
                    .unwrap_or_default(),
                p.result.efficiency * 100.0,
                p.result.steady * 100.0
            );
        });
        match measured {
            Ok(p) => points.extend(
                p.into_iter()
                    .map(|p| conformance::bench::Point { dut: d, ..p }),
            ),
            Err(e) => return fail(format!("DUT {}: {e}", d + 1)),
        }
    }
    let table = conformance::bench::table(&duts, &points);
    let json = conformance::bench::json(&duts, &points);
    println!("{table}");
    let out = &args.out;
    let written = std::fs::create_dir_all(out)
        .and_then(|()| std::fs::write(out.join("throughput.md"), &table))
        .and_then(|()| std::fs::write(out.join("throughput.json"), &json))
        .and_then(|()| {
            std::fs::write(out.join("throughput.svg"), conformance::bench::svg(&points))
        });
    if let Err(e) = written {
        return fail(format!("{}: {e}", out.display()));
    }
    println!(
        "written: {0}/throughput.md, {0}/throughput.svg, {0}/throughput.json",
        out.display()
    );
    let Some(path) = &args.baseline else {
        return ExitCode::SUCCESS;
    };
    let baseline = match std::fs::read_to_string(path) {
        Ok(b) => b,
        Err(e) => return fail(format!("{}: {e}", path.display())),
    };
    match conformance::bench::regressions(&baseline, &json, args.tolerance) {
        Err(e) => fail(e),
        Ok(r) if r.is_empty() => {
            println!(
                "gate: every point within {} % of {}",
                args.tolerance,
                path.display()
            );
            ExitCode::SUCCESS
        }
        Ok(r) => {
            for line in &r {
                println!("REGRESSION {line}");
            }
            println!("gate: {} points below {}", r.len(), path.display());
            ExitCode::FAILURE
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
fn console(seed: u64, dialect: &'static firmware_core::Dialect) -> ExitCode {
    let peer = "192.168.0.103".parse().expect("address");
    let sntp = "192.168.0.123".parse().expect("address");
    let mut w = World::builder().seed(seed).dialect(dialect).build();
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
    println!(
        "atcert console: the simulated module ({} dialect) at 192.168.0.107, seed {seed}. Peers:",
        dialect.name
    );
    println!("  TCP echo 192.168.0.103:20108, UDP echo 192.168.0.103:20109");
    println!("  DNS (192.168.0.1): echo.lan -> 192.168.0.103, pool.ntp.org -> 192.168.0.123");
    println!("  SNTP 192.168.0.123, clock at 2026-01-01 00:00:00 UTC");
    if dialect.wifi.is_some() {
        w.add_access_point("lab", Some(b"labpass1"), None, None);
        w.add_access_point("cafe", None, Some(-70), Some(11));
        println!(
            "  Access points: \"lab\" (password \"labpass1\", -40 dBm, channel 6), \"cafe\" (open, -70 dBm, channel 11)"
        );
        println!("  No address until it joins one: AT+CWJAP=\"lab\",\"labpass1\"");
    }
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
        assert_eq!(args.seed, 1);
        assert_eq!(args.dialect.name, "seed");
        let devices = devices(&args).expect("the defaults are valid");
        assert_eq!(devices.len(), 1);
        assert_eq!(devices[0].target, None);
        assert_eq!(devices[0].lab, conformance::dut::LabMap::default());
    }

    /// Several devices get labs of their own unless each is given one.
    #[test]
    fn several_devices_get_a_lab_each() {
        let parse = |a: &[&str]| {
            let Command::Run(args) = command(Cli::parse_from(a)) else {
                panic!("a run");
            };
            devices(&args)
        };
        let two = parse(&["atcert", "run", "--dut", "atmodule", "--dut", "atmodule"]).unwrap();
        assert_eq!(two[0].lab.host, [127, 0, 1]);
        assert_eq!(two[1].lab.host, [127, 0, 2]);
        let one_lab = ["atcert", "run", "--dut", "atmodule", "--dut", "atmodule"];
        let mut with_lab = one_lab.to_vec();
        with_lab.extend(["--lab", "192.168.0.0/24=10.0.0.0/24"]);
        assert!(parse(&with_lab).is_err());
        assert!(parse(&["atcert", "run", "--dut", "atmodule", "--power-cmd", "x"]).is_err());
    }

    /// `--dialect` names one of the build's dialects.
    #[test]
    fn a_run_certifies_the_dialect_named() {
        let Command::Run(args) = command(Cli::parse_from(["atcert", "run", "--dialect", "esp-at"]))
        else {
            panic!("a run");
        };
        assert_eq!(args.dialect.name, "esp-at");
        assert!(Cli::try_parse_from(["atcert", "run", "--dialect", "klingon"]).is_err());
        let Command::Console { dialect, .. } = command(Cli::parse_from([
            "atcert",
            "console",
            "--dialect",
            "esp-at",
        ])) else {
            panic!("the console");
        };
        assert_eq!(dialect.name, "esp-at");
    }
}
