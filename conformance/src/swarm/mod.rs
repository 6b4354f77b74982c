//! `atcert swarm`: random sessions under random faults, checked by
//! invariants (issue 15, first step).
//!
//! Each seed [generates](generate) a [`Session`]: peers on lab hosts, a
//! list of host actions (valid, borderline and malformed command lines,
//! CIPSEND with random lengths and data, passthrough rounds with `+++` at
//! random offsets, with and without guard times) and a fault plan drawn
//! from a random subset of the fault kinds the simulator offers. The
//! session is played in the simulator ([`sim::World`]) by a host that
//! reads the module's replies as a driver would, and checked:
//!
//! - no panic anywhere (the module, the simulator, the harness);
//! - no hang: every command gets a final result within 15 s unless a
//!   fault explains it, and at the end the guarded escape and `AT` get `OK`;
//! - memory, measured by the caller's [`AllocProbe`] (a counting global
//!   allocator in `atcert`, not the module's own counters): the blocks the
//!   module and its driver kit hold stay within the dialect's
//!   [`heap_bound`](firmware_core::Dialect::heap_bound), and none outlives
//!   the seed's world (a leak); the whole world stays within
//!   [`MEMORY_BOUND`] above the seed's start;
//! - every byte acknowledged with `SEND OK` reaches its peer exactly once
//!   and in order, unless the link was reported closed or a fault (peer
//!   crash, power loss, the peer closing) may have lost it;
//! - CIPSTATUS agrees with the module's own `OK`/`CONNECT`/`CLOSED`, and
//!   with the connections the peers hold; after `CIPCLOSE=5` none remain;
//! - the flash holds the settings last acknowledged (B-6), at every boot;
//! - lines the dialect refuses are refused; no `ready` comes unasked;
//! - one seed in [`Options::twice_every`] runs twice to the same transcript.
//!
//!
//! A failing seed is [shrunk](shrink) to a short session failing the same
//! check and [stored](case) as a test; seeds fan out over machines by
//! [shard] and their JSON lines merge back into one summary.
//!
//! Every final result, the information lines before it and every URC are
//! also checked against a reference model of the `seed` dialect's AT state
//! (`model`), written from DECISIONS.md alone: it follows links, CIPMUX,
//! CIPMODE and the stored settings, allows a set where the network
//! decides, and forgets and learns again where the host cannot know.

use std::panic::{AssertUnwindSafe, catch_unwind};
use std::time::{Duration, Instant};

mod act;
pub mod case;
pub mod check;
mod commands;
mod end;
pub mod generator;
mod host;
mod inject;
mod model;
mod plan;
mod play;
mod replies;
pub mod report;
pub mod rng;
pub mod session;
pub mod shard;
pub mod shrink;

pub use check::Finding;
pub use generator::generate;
pub use play::Stats;
pub use session::Session;

/// Heap measurement, from whoever owns the global allocator.
#[derive(Debug, Clone, Copy)]
pub struct AllocProbe {
    /// Bytes allocated now.
    pub now: fn() -> usize,
    /// The most allocated at once since the last `reset_peak`.
    pub peak: fn() -> usize,
    /// Bytes the module (core and driver kit) allocated and still holds
    /// ([`sim::heap`]).
    pub module_now: fn() -> usize,
    /// The most the module held at once since the last `reset_peak`.
    pub module_peak: fn() -> usize,
    /// Starts new peaks from now.
    pub reset_peak: fn(),
}

/// How far the heap may grow during one seed, whole world included.
pub const MEMORY_BOUND: usize = 4 << 20;

/// How seeds are run.
#[derive(Debug, Clone, Copy)]
pub struct Options {
    /// The heap probe; without one the memory check is skipped.
    pub probe: Option<AllocProbe>,
    /// See [`MEMORY_BOUND`].
    pub memory_bound: usize,
    /// How much the module may hold at once: its dialect's
    /// [`heap_bound`](firmware_core::Dialect::heap_bound).
    pub module_bound: usize,
    /// Seeds divisible by this run twice and must give one transcript
    /// (0: never).
    pub twice_every: u64,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            probe: None,
            memory_bound: MEMORY_BOUND,
            module_bound: firmware_core::SEED.heap_bound(),
            twice_every: 10,
        }
    }
}

/// What one seed did and found.
#[derive(Debug, Clone)]
pub struct SeedReport {
    /// The seed.
    pub seed: u64,
    /// Its session.
    pub session: Session,
    /// Everything wrong; empty when the seed passed.
    pub findings: Vec<Finding>,
    /// What it did.
    pub stats: Stats,
    /// The peak heap above the start, when measured.
    pub peak_heap: Option<usize>,
    /// The most the module held at once, when measured.
    pub module_heap: Option<usize>,
    /// The transcript of the (first) run.
    pub transcript: String,
    /// It ran twice.
    pub twice: bool,
    /// Wall time.
    pub wall: Duration,
}

impl SeedReport {
    /// The seed passed.
    pub fn passed(&self) -> bool {
        self.findings.is_empty()
    }
}

fn panic_text(payload: &(dyn std::any::Any + Send)) -> String {
    match (
        payload.downcast_ref::<&str>(),
        payload.downcast_ref::<String>(),
    ) {
        (Some(s), _) => (*s).to_string(),
        (_, Some(s)) => s.clone(),
        _ => "(a panic without a message)".into(),
    }
}

/// Plays `session` once: findings, stats, transcript.
pub fn run_once(session: &Session) -> (Vec<Finding>, Stats, String) {
    let mut slot: Option<play::Player<'_>> = None;
    let run = catch_unwind(AssertUnwindSafe(|| {
        let p = slot.insert(play::Player::new(session));
        for a in &session.actions {
            p.act(a);
        }
        p.finish();
    }));
    let transcript = catch_unwind(AssertUnwindSafe(|| {
        slot.as_ref().map(|p| p.w.transcript().render())
    }));
    let transcript = transcript.ok().flatten().unwrap_or_default();
    match (run, slot) {
        (Ok(()), Some(p)) => (p.findings, p.stats, transcript),
        (Err(e), p) => {
            let (mut findings, stats) = p.map(|p| (p.findings, p.stats)).unwrap_or_default();
            findings.push(Finding::new("panic", None, panic_text(&*e)));
            (findings, stats, transcript)
        }
        (Ok(()), None) => unreachable!("the player was made"),
    }
}

/// Generates, runs and checks one seed.
pub fn check_seed(seed: u64, opts: &Options) -> SeedReport {
    check_session(generate(seed), opts)
}

/// Runs and checks one session (a seed's, or a stored case's).
pub fn check_session(session: Session, opts: &Options) -> SeedReport {
    let started = Instant::now();
    let seed = session.seed;
    let base = opts.probe.map(|p| {
        (p.reset_peak)();
        ((p.now)(), (p.module_now)())
    });
    let (mut findings, stats, transcript) = run_once(&session);
    let heaps = opts.probe.zip(base).map(|(p, (all, module))| {
        let peak = (p.peak)().saturating_sub(all);
        let module_peak = (p.module_peak)().saturating_sub(module);
        // The world is gone: so must be every block the module made.
        let module_left = (p.module_now)().saturating_sub(module);
        (peak, module_peak, module_left)
    });
    if let Some((peak, module_peak, module_left)) = heaps {
        let found = [
            check::memory(peak, opts.memory_bound),
            check::module_memory(module_peak, opts.module_bound),
            check::module_leak(module_left),
        ];
        for d in found.into_iter().flatten() {
            findings.push(Finding::new("memory", None, d));
        }
    }
    let (peak_heap, module_heap) = (heaps.map(|h| h.0), heaps.map(|h| h.1));
    let twice = opts.twice_every > 0 && seed.is_multiple_of(opts.twice_every);
    if twice {
        let (_, _, again) = run_once(&session);
        if let Some(d) = check::same_transcript(&transcript, &again) {
            findings.push(Finding::new("determinism", None, d));
        }
    }
    SeedReport {
        seed,
        session,
        findings,
        stats,
        peak_heap,
        module_heap,
        transcript,
        twice,
        wall: started.elapsed(),
    }
}
