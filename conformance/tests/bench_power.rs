//! A board as a vendor's bench has it: one `atmodule` for the whole run on
//! a stable line name, its power cut by the bench's command
//! (`ports/host/power-switch.sh`, SIGKILL and start again on the same link
//! and store). Every `@power` scenario a real device can run goes through
//! `--dut serial:` with `--power-cmd` and passes; none is skipped.
//!
//! `atmodule` must be built (`cargo test --workspace` builds it).

use std::path::PathBuf;
use std::process::Command;

use conformance::dut::{LabMap, Power, Target, default_atmodule};
use conformance::{Config, Status, run};

#[test]
fn power_scenarios_run_with_a_power_switch() {
    let exe = default_atmodule();
    assert!(exe.is_file(), "no atmodule at {}", exe.display());
    let root = PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/.."));
    let dir = std::env::temp_dir().join(format!("atcert-bench-power-{}", std::process::id()));
    // A lab of its own: the serial suite's lanes use 127.0.1-3.
    let lab = LabMap::new([192, 168, 0], [127, 0, 4]);
    let switch = format!(
        "ATMODULE={} ATMODULE_DIR={} ATMODULE_ARGS='--seed 7 --no-default-map --map {}' {}",
        exe.display(),
        dir.display(),
        lab.rule(),
        root.join("ports/host/power-switch.sh").display()
    );
    let sh = |what: &str| {
        let status = Command::new("sh")
            .args(["-c", &format!("{switch} {what}")])
            .status()
            .expect("sh");
        assert!(status.success(), "power-switch.sh {what}: {status}");
    };
    sh("start");
    let cfg = Config {
        features: vec![root.join("features")],
        tags: Some("@power and not @sim and not @slow".into()),
        seed: 1,
        junit: None,
        progress: false,
        label: String::new(),
        dut: Some(Target::Serial {
            path: dir.join("dut").display().to_string(),
            baud: 115_200,
            power: Power::Command(format!("{switch} cut")),
        }),
        lab,
        dialect: &firmware_core::SEED,
    };
    let results = run(&cfg);
    sh("stop");
    let _ = std::fs::remove_dir_all(&dir);
    let results = results.expect("the run starts");
    let not_passed: Vec<_> = results
        .iter()
        .filter(|r| r.status != Status::Passed)
        .map(|r| {
            format!(
                "{}: {:?}\n{}",
                r.name,
                r.status,
                r.transcript.as_deref().unwrap_or("")
            )
        })
        .collect();
    assert!(not_passed.is_empty(), "{}", not_passed.join("\n"));
    assert!(
        results.len() >= 12,
        "{} @power scenarios ran",
        results.len()
    );
}
