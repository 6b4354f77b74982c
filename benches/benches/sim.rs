//! End to end in the simulator: wall time to simulate a 1 MiB passthrough
//! transfer (and with it, simulated seconds per wall second).

use std::time::Duration;

use criterion::{Criterion, criterion_group, criterion_main};

fn one_mib(c: &mut Criterion) {
    let mut g = c.benchmark_group("simulator");
    g.sample_size(10);
    g.bench_function("1 MiB passthrough at 921600 baud", |b| {
        // 1 MiB at 92160 B/s is about 11.4 simulated seconds.
        b.iter(|| {
            sim::bench::passthrough_up(
                921_600,
                Duration::from_millis(5),
                Duration::from_micros(11_377_700),
                1,
            )
        })
    });
    g.finish();
}

criterion_group!(benches, one_mib);
criterion_main!(benches);
