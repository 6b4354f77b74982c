//! `atcert swarm` as a test: a batch of seeds passes every check, some of
//! them twice for determinism; the harness turns a panic and an overgrown
//! heap into findings. The checkers' own failure cases are unit tests in
//! `conformance/src/swarm/check.rs`.

use std::time::Duration;

use conformance::swarm::case::Case;
use conformance::swarm::session::{Action, Cmd, Command, Session};
use conformance::swarm::{AllocProbe, Options, check_seed, check_session, generate, run_once};
use sim::World;
use sim::peers::Service;

/// Seeds the test runs.
const SEEDS: u64 = 50;

#[test]
fn a_batch_of_seeds_passes_every_check() {
    let opts = Options::default();
    let mut failed = Vec::new();
    for seed in 0..SEEDS {
        let r = check_seed(seed, &opts);
        if !r.passed() {
            let findings: Vec<String> = r.findings.iter().map(ToString::to_string).collect();
            failed.push(format!(
                "seed {seed}:\n  {}\n{}  reproduce: atcert swarm --seed {seed} --verbose",
                findings.join("\n  "),
                r.session
            ));
        }
    }
    assert!(failed.is_empty(), "{}", failed.join("\n"));
}

#[test]
fn the_sessions_exercise_sends_faults_and_passthrough() {
    let opts = Options {
        twice_every: 0,
        ..Options::default()
    };
    let reports: Vec<_> = (0..8).map(|s| check_seed(s, &opts)).collect();
    let acked: usize = reports.iter().map(|r| r.stats.acked_bytes).sum();
    let faults: usize = reports.iter().flat_map(|r| r.stats.faults.values()).sum();
    assert!(acked > 1000, "bytes acknowledged and checked: {acked}");
    assert!(faults > 5, "faults applied: {faults}");
    assert!(
        reports
            .iter()
            .any(|r| r.stats.lines.contains_key("passthrough"))
    );
}

fn huge() -> usize {
    64 << 20
}

fn nothing() -> usize {
    0
}

/// The seed's findings under a made-up heap probe.
fn memory_findings(probe: AllocProbe) -> Vec<String> {
    let opts = Options {
        probe: Some(probe),
        twice_every: 0,
        ..Options::default()
    };
    let r = check_seed(3, &opts);
    r.findings
        .iter()
        .filter(|f| f.check == "memory")
        .map(ToString::to_string)
        .collect()
}

const QUIET: AllocProbe = AllocProbe {
    now: nothing,
    peak: nothing,
    module_now: nothing,
    module_peak: nothing,
    reset_peak: || {},
};

#[test]
fn a_heap_above_the_bound_is_a_finding() {
    assert_eq!(memory_findings(QUIET), Vec::<String>::new());
    let world = memory_findings(AllocProbe {
        peak: huge,
        ..QUIET
    });
    assert!(world.iter().any(|f| f.contains("heap peaked")), "{world:?}");
    let module = memory_findings(AllocProbe {
        module_peak: || firmware_core::SEED.heap_bound() + 1,
        ..QUIET
    });
    assert!(
        module.iter().any(|f| f.contains("dialect's bound")),
        "{module:?}"
    );
}

#[test]
fn a_block_of_the_module_that_outlives_its_world_is_a_leak() {
    use std::sync::atomic::{AtomicUsize, Ordering::Relaxed};
    static CALLS: AtomicUsize = AtomicUsize::new(0);
    // 0 bytes at the seed's start, 64 after its world is gone.
    let leak = memory_findings(AllocProbe {
        module_now: || 64 * CALLS.fetch_add(1, Relaxed).min(1),
        ..QUIET
    });
    assert!(leak.iter().any(|f| f.contains("64 bytes")), "{leak:?}");
}

#[test]
fn a_panic_is_a_finding_with_its_message() {
    let mut s: Session = generate(5);
    // A peer that does not exist: the harness itself panics.
    s.actions.insert(0, Action::PeerClose { peer: 999 });
    let (findings, _, _) = run_once(&s);
    assert!(
        findings
            .iter()
            .any(|f| f.check == "panic" && f.detail.contains("index out of bounds")),
        "{findings:?}"
    );
}

#[test]
fn a_line_the_dialect_refuses_answered_ok_would_be_a_finding() {
    let mut s = generate(7);
    s.faults.clear();
    // `AT` is valid: marked as a line to refuse, its OK is reported.
    let wrong = Command {
        cmd: Cmd::Invalid,
        line: b"AT\r\n".to_vec(),
    };
    s.actions.insert(0, Action::Command(wrong));
    let (findings, _, _) = run_once(&s);
    assert!(findings.iter().any(|f| f.check == "reply"), "{findings:?}");
}

/// Swarm seed 494 (`atcert swarm --seed 494 --verbose`): a CIPSEND line
/// ended by a lone CR (G-1 allows it), then, 50 ms after the prompt, data
/// whose first byte is LF. The core took that LF as the second half of a
/// CRLF cut by the UART and dropped it, however long after the prompt it
/// came, and waited for one byte more than the host sent (SD-4: any bytes,
/// exactly <length>). Now only an LF within `Dialect::lf_window` is the
/// line's.
#[test]
fn data_starting_with_lf_after_a_cr_ended_cipsend_line_is_data() {
    let peer = "192.168.0.110".parse().unwrap();
    let mut w = World::new(494);
    let sink = w.add_service(peer, Service::TcpSink { port: 2000 });
    let mut out = Vec::new();
    let mut until = |w: &mut World, what: &[u8]| {
        w.run_until(Duration::from_secs(5), |w| {
            out.extend(w.host_read());
            out.windows(what.len()).any(|x| x == what)
        })
    };
    assert!(until(&mut w, b"ready\r\n"));
    w.host_write(b"AT+CIPSTART=0,\"TCP\",\"192.168.0.110\",2000\r\n");
    assert!(until(&mut w, b"OK\r\n"));
    w.host_write(b"AT+CIPSEND=0,3\r");
    assert!(until(&mut w, b">"));
    w.run_for(Duration::from_millis(50));
    w.host_write(b"\nab");
    assert!(until(&mut w, b"SEND OK\r\n"), "no SEND OK for 3 bytes sent");
    w.run_for(Duration::from_millis(50));
    assert_eq!(sink.borrow().received, b"\nab");
}

/// Every failing seed kept in `conformance/swarm-cases/` (shrunk and
/// written by `atcert swarm --write`) passes every check now.
#[test]
fn every_stored_case_passes() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("swarm-cases");
    let cases = Case::all(&dir).expect("the cases parse");
    assert!(!cases.is_empty(), "no case in {}", dir.display());
    let failed: Vec<String> = cases
        .into_iter()
        .filter_map(|(path, case)| {
            let r = check_session(case.session, &Options::default());
            (!r.passed()).then(|| {
                let findings: Vec<String> = r.findings.iter().map(ToString::to_string).collect();
                format!(
                    "{} (once `{}`): {}\n  {}\n  reproduce: atcert swarm --case {} --verbose",
                    path.display(),
                    case.check,
                    case.note,
                    findings.join("\n  "),
                    path.display()
                )
            })
        })
        .collect();
    assert!(failed.is_empty(), "{}", failed.join("\n"));
}
