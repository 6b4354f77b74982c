//! `cargo test` replays every golden transcript against this build.

use std::path::Path;

use conformance::gate::{golden_files, replay};

#[test]
fn every_golden_transcript_replays_byte_for_byte() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../golden");
    let files = golden_files(&dir).expect("the golden folder");
    assert!(
        files.len() >= 5,
        "golden transcripts missing in {}",
        dir.display()
    );
    let mut failures = Vec::new();
    for path in files {
        let r = replay(&path).unwrap_or_else(|e| panic!("{e}"));
        if let Some(diff) = r.diff {
            failures.push(format!("{} (seed {}):\n{diff}", path.display(), r.seed));
        }
    }
    assert!(
        failures.is_empty(),
        "behaviour changed; review, then `cargo run --bin atcert -- gate --bless`:\n{}",
        failures.join("\n")
    );
}
