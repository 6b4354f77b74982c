//! Deterministic passthrough throughput figures (simulated time, not wall
//! time: the same inputs always give the same numbers).

use std::time::Duration;

use crate::peers::{Outgoing, Service};
use crate::uart::UartConfig;
use crate::world::World;

/// One throughput measurement.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Throughput {
    /// Payload bytes that reached the far end.
    pub payload: usize,
    /// Simulated time from the first byte written to the last delivered.
    pub simulated: Duration,
    /// Payload bytes per simulated second ÷ (baud / 10), from the first
    /// byte written to the last delivered: what a user waits for.
    pub efficiency: f64,
    /// The same between 10 % and 90 % of the payload delivered, which
    /// leaves out the fixed costs of one transfer (latency, the last
    /// partial packet's 20 ms): the rate the path sustains.
    pub steady: f64,
}

/// Which way the payload goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Direction {
    /// Host MCU → module → peer.
    Up,
    /// Peer → module → host MCU.
    Down,
}

/// Host to peer: the host writes `duration` worth of line-rate data in
/// passthrough into a TCP sink with one-way `latency`.
pub fn passthrough_up(baud: u32, latency: Duration, duration: Duration, seed: u64) -> Throughput {
    passthrough(Direction::Up, baud, latency, duration, seed)
}

/// `duration` worth of line-rate data through passthrough, one way, with
/// one-way network `latency`. The clock runs from the first payload byte
/// written to the last one delivered; every byte is checked.
pub fn passthrough(
    dir: Direction,
    baud: u32,
    latency: Duration,
    duration: Duration,
    seed: u64,
) -> Throughput {
    let peer = "192.168.0.103".parse().expect("address");
    let mut w = World::builder()
        .seed(seed)
        .latency(latency)
        .uart(UartConfig {
            baud,
            ..UartConfig::default()
        })
        .build();
    let sink = w.add_service(peer, Service::TcpSink { port: 9000 });
    let line_rate = f64::from(baud) / 10.0;
    let total = (line_rate * duration.as_secs_f64()) as usize;
    for line in [
        "ATE0",
        "AT+CIPMODE=1",
        "AT+CIPSTART=0,\"TCP\",\"192.168.0.103\",9000",
        "AT+CIPSEND",
    ] {
        w.host_write(format!("{line}\r\n").as_bytes());
        let want = if line == "AT+CIPSEND" {
            "\r\n>"
        } else {
            "\r\nOK\r\n"
        };
        let mut got = Vec::new();
        let ok = w.run_until(Duration::from_secs(6), |w| {
            got.extend(w.host_read());
            String::from_utf8_lossy(&got).ends_with(want)
        });
        assert!(
            ok,
            "seed {seed}: {line}: {:?}",
            String::from_utf8_lossy(&got)
        );
    }
    let payload: Vec<u8> = (0..total).map(|k| (k % 251) as u8).collect();
    let start = w.now();
    let limit = duration * 2 + Duration::from_secs(5);
    // When 10 % and 90 % of the payload had arrived (see `steady`).
    let mut marks: [Option<(Duration, usize)>; 2] = [None, None];
    let mut mark = |now: Duration, n: usize| {
        for (slot, share) in marks.iter_mut().zip([10, 90]) {
            if slot.is_none() && n * 100 >= total * share {
                *slot = Some((now, n));
            }
        }
    };
    let delivered = match dir {
        Direction::Up => {
            w.host_write(&payload);
            let done = w.run_until(limit, |w| {
                let n = sink.borrow().received.len();
                mark(w.now(), n);
                n >= total
            });
            assert!(
                done,
                "seed {seed}: {} of {total} bytes arrived",
                sink.borrow().received.len()
            );
            sink.borrow().received.clone()
        }
        Direction::Down => {
            sink.borrow_mut().push(Outgoing::Send(payload.clone()));
            let mut got = Vec::with_capacity(total);
            let done = w.run_until(limit, |w| {
                got.extend(w.host_read());
                mark(w.now(), got.len());
                got.len() >= total
            });
            assert!(done, "seed {seed}: {} of {total} bytes arrived", got.len());
            got
        }
    };
    assert!(
        delivered == payload,
        "seed {seed}: data corrupted ({dir:?})"
    );
    let simulated = w.now() - start;
    let [(t10, n10), (t90, n90)] = marks.map(|m| m.unwrap_or((start, 0)));
    let span = (t90 - t10).as_secs_f64().max(f64::EPSILON);
    Throughput {
        payload: total,
        simulated,
        efficiency: total as f64 / simulated.as_secs_f64() / line_rate,
        steady: (n90 - n10) as f64 / span / line_rate,
    }
}
