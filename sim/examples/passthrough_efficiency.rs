//! Simulated passthrough efficiency: payload bytes per simulated second as a
//! fraction of the UART line rate (baud / 10), host to peer, and how fast
//! the simulator runs.
//!
//! `cargo run -p sim --release --example passthrough_efficiency`

use std::time::{Duration, Instant};

fn main() {
    println!("| baud | latency | payload B | simulated s | efficiency |");
    println!("|---:|---:|---:|---:|---:|");
    for baud in [115_200, 921_600] {
        let r =
            sim::bench::passthrough_up(baud, Duration::from_millis(5), Duration::from_secs(10), 1);
        println!(
            "| {baud} | 5 ms | {} | {:.3} | {:.4} |",
            r.payload,
            r.simulated.as_secs_f64(),
            r.efficiency
        );
    }
    let wall = Instant::now();
    let r = sim::bench::passthrough_up(
        921_600,
        Duration::from_millis(5),
        Duration::from_secs(60),
        1,
    );
    let wall = wall.elapsed();
    println!(
        "\nsimulator speed: {:.1} simulated s in {:.2} wall s = {:.1} simulated s per wall s ({} bytes)",
        r.simulated.as_secs_f64(),
        wall.as_secs_f64(),
        r.simulated.as_secs_f64() / wall.as_secs_f64(),
        r.payload
    );
}
