//! B-6 under SIGKILL: `atmodule` killed at pseudo-random instants around a
//! stored `AT+CIPDNS` change, then restarted on the same store file.
//!
//! After the `OK` of a settings change the change must survive (nothing
//! lost); a kill before the `OK` must leave the old settings or the new
//! ones, whole (nothing corrupt). SIGKILL ends the process but not the
//! machine: the kernel's page cache survives it, so this checks the order
//! the driver keeps (the `OK` leaves only after the file was replaced) and
//! the atomic replacement, not that the bytes reached the disk; that part
//! is `store.rs`'s fsyncs, which no process-level test can observe.
//!
//! The instants come from an inline xorshift64 with a fixed seed (printed),
//! but the outcome of a kill before the `OK` depends on real timing, so
//! those rounds count "old" and "new" rather than expect either.

mod common;

use std::path::PathBuf;
use std::thread;
use std::time::{Duration, Instant};

use common::{Atmodule, OK};

/// The PRNG's seed: the same kill plan on every run.
const SEED: u64 = 0xB6_5EED_0000_2024;

/// xorshift64 (Marsaglia): small, fixed-seed, good enough for a plan.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        self.0 = x;
        x
    }

    /// Uniform-ish in `0..n`.
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
}

/// One test's directory (reused by every round), emptied first.
fn temp_dir(name: &str) -> PathBuf {
    let dir =
        std::env::temp_dir().join(format!("atmodule-power-loss-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("temp dir");
    dir
}

/// Round `i`'s DNS server: a different one each round.
fn address(i: usize) -> String {
    format!("10.0.{}.{}", i / 250, i % 250 + 1)
}

/// What `AT+CIPDNS?` reports: the text after `+CIPDNS:` on its line.
fn cipdns(reply: &str) -> Option<&str> {
    reply
        .split("\r\n")
        .find_map(|line| line.strip_prefix("+CIPDNS:"))
}

/// How a round ends.
#[derive(Clone, Copy, Debug)]
enum Kill {
    /// SIGKILL this long after reading the `OK` (zero: at once).
    AfterOk(Duration),
    /// SIGKILL this long after writing the command, without reading.
    BeforeOk(Duration),
}

/// What one run saw.
#[derive(Debug, Default)]
struct Tally {
    kills: usize,
    lost: usize,
    corrupt: usize,
    before_ok: usize,
    before_ok_old: usize,
    before_ok_new: usize,
    /// Of the kills before the `OK` was read, those that came after the
    /// module had written it (seen in the pty just before the kill).
    before_ok_sent: usize,
    /// Command written to `OK` read, in microseconds, for the after-OK
    /// rounds: where a kill before the `OK` can land.
    ok_latency_us: Vec<u64>,
    /// Process started to `ready` read.
    start: Vec<Duration>,
    /// One line per round that went wrong, with its timing.
    failures: Vec<String>,
}

/// The middle one of `xs` (0 for none).
fn median(xs: &[u64]) -> u64 {
    let mut xs = xs.to_vec();
    xs.sort_unstable();
    xs.get(xs.len() / 2).copied().unwrap_or(0)
}

fn power_loss(name: &str, rounds: usize) -> Tally {
    let began = Instant::now();
    println!("power loss ({name}): {rounds} rounds, xorshift64 seed {SEED:#018x}");
    let dir = temp_dir(name);
    let store_path = dir.join("settings");
    let store = store_path.to_str().expect("utf-8 path").to_string();
    let mut rng = Rng(SEED);
    let mut t = Tally::default();

    let t0 = Instant::now();
    let mut m = Atmodule::start(&["--store", &store]);
    t.start.push(t0.elapsed());
    m.command("ATE0");
    let first = m.command("AT+CIPDNS?");
    assert_eq!(
        cipdns(&first).map(|s| s.starts_with("0,")),
        Some(true),
        "a new store holds factory settings: {first:?}"
    );

    // The address the store must hold: the last one `OK`'d (or, after a
    // kill before the `OK`, whichever of old and new the restart showed).
    let mut expected: Option<String> = None;
    let mut sysstore = true;
    for i in 0..rounds {
        if sysstore {
            m.command("AT+SYSSTORE=1");
            sysstore = false;
        }
        let addr = address(i);
        // One round in four kills before the `OK` (never the first: it has
        // no old address to keep); one after-OK round in four kills at once.
        let plan = if i > 0 && rng.below(4) == 0 {
            // Anywhere in 0-125 % of the typical command-to-OK time so far
            // (the 1-2 ms of the piece rule, then the store's fsyncs, which
            // vary with the disk), so both outcomes happen.
            let window = median(&t.ok_latency_us).max(1_000);
            Kill::BeforeOk(Duration::from_micros(rng.below(window * 5 / 4)))
        } else if rng.below(4) == 0 {
            Kill::AfterOk(Duration::ZERO)
        } else {
            Kill::AfterOk(Duration::from_micros(rng.below(2_001)))
        };
        let command = format!("AT+CIPDNS=1,\"{addr}\"\r\n");
        let written = Instant::now();
        m.send(command.as_bytes());
        let (mark, delay) = match plan {
            Kill::AfterOk(delay) => {
                m.expect_ok(command.trim_end());
                let read = Instant::now();
                t.ok_latency_us
                    .push(read.duration_since(written).as_micros() as u64);
                (read, delay)
            }
            Kill::BeforeOk(delay) => (written, delay),
        };
        if !delay.is_zero() {
            thread::sleep(delay.saturating_sub(mark.elapsed()));
        }
        let killed_after = mark.elapsed();
        let left = m.pending();
        m.kill();
        t.kills += 1;
        // A kill "before the OK" may land after the module wrote it (the
        // test had not read it yet): then the new address is owed. What
        // was in the pty just before the kill shows some of those.
        let ok_sent = match plan {
            Kill::AfterOk(_) => true,
            Kill::BeforeOk(_) => {
                t.before_ok += 1;
                let sent = String::from_utf8_lossy(&left).contains(OK);
                t.before_ok_sent += usize::from(sent);
                sent
            }
        };

        let t0 = Instant::now();
        m = Atmodule::start(&["--store", &store]);
        t.start.push(t0.elapsed());
        m.command("ATE0");
        let reply = m.command("AT+CIPDNS?");
        let got = cipdns(&reply).unwrap_or("").to_string();
        let is = |a: &str| got == format!("1,\"{a}\"");
        let old = expected.clone().unwrap_or_default();
        if is(&addr) {
            if matches!(plan, Kill::BeforeOk(_)) {
                t.before_ok_new += 1;
            }
            expected = Some(addr);
            continue;
        }
        if !ok_sent && is(&old) {
            t.before_ok_old += 1;
            continue;
        }
        // Factory settings (or no readable line) mean the store did not
        // decode; any other address is a lost setting.
        let was = got.strip_prefix("1,\"").and_then(|s| s.strip_suffix('"'));
        let kind = match was {
            None => {
                t.corrupt += 1;
                sysstore = true; // factory SYSSTORE is 1, but be sure
                "corrupt store (factory settings)"
            }
            Some(_) => {
                t.lost += 1;
                "setting lost"
            }
        };
        let owed = if ok_sent {
            format!("{addr:?}")
        } else {
            format!("{old:?} or {addr:?}")
        };
        let line = format!(
            "round {i}: {plan:?}, killed {killed_after:?} after {} {}: \
             {kind}: expected {owed}, got +CIPDNS:{got}; store file {} bytes; pty before the kill {:?}",
            match plan {
                Kill::AfterOk(_) => "reading the OK",
                Kill::BeforeOk(_) => "writing the command",
            },
            match plan {
                Kill::AfterOk(_) => "",
                Kill::BeforeOk(_) if ok_sent => " (its OK was in the pty before the kill)",
                Kill::BeforeOk(_) => " (no OK in the pty before the kill)",
            },
            std::fs::metadata(&store_path).map_or(-1, |m| m.len() as i64),
            String::from_utf8_lossy(&left),
        );
        println!("power loss ({name}): {line}");
        t.failures.push(line);
        // Carry on from what the store holds now.
        expected = was.map(str::to_string);
    }
    m.kill();
    let _ = std::fs::remove_dir_all(&dir);

    let mut lat = t.ok_latency_us.clone();
    lat.sort_unstable();
    let mut starts = t.start.clone();
    starts.sort_unstable();
    println!(
        "power loss ({name}): command to OK {}/{}/{} us (min/median/max), \
         start to ready {:?}/{:?}/{:?}, {} starts in {:?}",
        lat.first().unwrap_or(&0),
        lat.get(lat.len() / 2).unwrap_or(&0),
        lat.last().unwrap_or(&0),
        starts.first().copied().unwrap_or_default(),
        starts.get(starts.len() / 2).copied().unwrap_or_default(),
        starts.last().copied().unwrap_or_default(),
        starts.len(),
        began.elapsed(),
    );
    println!(
        "power loss ({name}): of the kills before the OK was read, {} came after \
         it was written (seen in the pty just before the kill)",
        t.before_ok_sent
    );
    println!(
        "power loss: {} kills, {} settings lost, {} corrupt stores, {} killed before OK (old: {}, new: {})",
        t.kills, t.lost, t.corrupt, t.before_ok, t.before_ok_old, t.before_ok_new
    );
    t
}

fn assert_nothing_lost(t: &Tally) {
    assert!(
        t.lost == 0 && t.corrupt == 0,
        "{} settings lost, {} corrupt stores:\n{}",
        t.lost,
        t.corrupt,
        t.failures.join("\n")
    );
}

#[test]
fn a_stored_setting_survives_200_kills_at_random_instants() {
    let t = power_loss("200", 200);
    assert_eq!(t.kills, 200);
    assert_nothing_lost(&t);
}
