//! `atcert bench --dut atmodule`: the virtual module behind a pty paced at
//! the line rate carries passthrough data near that rate, both ways, every
//! byte checked; unpaced it would run far above it, so the bound says the
//! pacing works. Real time, so the bounds are loose.
//!
//! `atmodule` must be built (`cargo test --workspace` builds it).

use std::time::Duration;

use conformance::bench::{Plan, measure};
use conformance::dut::{LabMap, Target, default_atmodule};
use conformance::throughput::Way;

#[test]
fn a_paced_atmodule_runs_near_its_line_rate() {
    let exe = default_atmodule();
    assert!(exe.is_file(), "no atmodule at {}", exe.display());
    let plan = Plan {
        target: Some(Target::Atmodule {
            exe,
            pace: None,
            rts_cts: true,
        }),
        // Its own lab: the serial suite's lanes use 127.0.1-3, the power
        // bench 127.0.4.
        lab: LabMap::new([192, 168, 0], [127, 0, 5]),
        bauds: vec![115_200],
        latencies: vec![Duration::ZERO],
        ways: vec![Way::Up, Way::Down, Way::Both],
        rts_cts: vec![false],
        udp_loss: Vec::new(),
        seconds: 1.0,
    };
    let points = measure(&plan, |_| {}).expect("measures");
    assert_eq!(points.len(), 3);
    for p in points {
        let e = p.result.efficiency;
        assert!(
            (0.75..=1.05).contains(&e),
            "{:?} at 115200: {:.1} % of the line rate",
            p.way,
            e * 100.0
        );
        assert_eq!(p.result.payload, 11_520);
    }
}
