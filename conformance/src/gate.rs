//! The regression gate: golden transcripts replayed against this build.
//!
//! A golden file (`golden/*.golden`) is a session script (`sim::script`)
//! followed by the line `--- transcript` and the transcript it produced
//! when it was blessed. Replaying runs the script on this build's module in
//! the simulator and compares the transcripts byte for byte; any change in
//! behaviour — a reply, a timing, a packet boundary — is a difference.

use std::path::{Path, PathBuf};
use std::time::Duration;

use sim::script::Script;

/// Separates the script from the recorded transcript.
pub const SEPARATOR: &str = "--- transcript\n";

/// Quiet time recorded after a script's last step.
pub const TAIL: Duration = Duration::from_secs(1);

/// Lines of context around the first difference.
const CONTEXT: usize = 4;

/// One golden file's replay.
#[derive(Debug)]
pub struct Replay {
    /// The file.
    pub path: PathBuf,
    /// The script's seed.
    pub seed: u64,
    /// `None` when this build reproduces the recording; else a readable
    /// diff from the first differing line.
    pub diff: Option<String>,
    /// The transcript this build produced.
    pub produced: String,
}

/// The golden files under `dir`, sorted.
pub fn golden_files(dir: &Path) -> std::io::Result<Vec<PathBuf>> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|e| e == "golden"))
        .collect();
    files.sort();
    Ok(files)
}

/// Runs a golden file's script and compares with its recording.
///
/// # Errors
/// An unreadable file or a script that does not parse.
pub fn replay(path: &Path) -> Result<Replay, String> {
    let text = std::fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))?;
    let (script_text, recorded) = text.split_once(SEPARATOR).unwrap_or((&text, ""));
    let script = Script::parse(script_text).map_err(|e| format!("{}: {e}", path.display()))?;
    let transcript = script.run(TAIL);
    let produced = if script.digest {
        transcript.render_digest()
    } else {
        transcript.render()
    };
    let diff = (produced != recorded).then(|| first_difference(recorded, &produced));
    Ok(Replay {
        path: path.to_path_buf(),
        seed: transcript.seed,
        diff,
        produced,
    })
}

/// Rewrites a golden file with what this build produced (`--bless`).
///
/// # Errors
/// When the file cannot be read or written.
pub fn bless(r: &Replay) -> std::io::Result<()> {
    let text = std::fs::read_to_string(&r.path)?;
    let script = text.split_once(SEPARATOR).map_or(text.as_str(), |(s, _)| s);
    std::fs::write(&r.path, format!("{script}{SEPARATOR}{}", r.produced))
}

/// The first differing line with context, as a unified diff of that hunk.
fn first_difference(recorded: &str, produced: &str) -> String {
    let diff = similar::TextDiff::from_lines(recorded, produced);
    let first = diff
        .iter_all_changes()
        .position(|c| c.tag() != similar::ChangeTag::Equal)
        .unwrap_or(0);
    let line = recorded
        .lines()
        .zip(produced.lines())
        .take_while(|(a, b)| a == b)
        .count()
        + 1;
    let mut out = format!("first difference at line {line} (change {first})\n");
    if let Some(hunk) = diff
        .unified_diff()
        .context_radius(CONTEXT)
        .iter_hunks()
        .next()
    {
        out.push_str(&hunk.to_string());
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_difference_is_shown_with_context() {
        let d = first_difference("a\nb\nc\n", "a\nB\nc\n");
        assert!(d.starts_with("first difference at line 2"), "{d}");
        assert!(d.contains("-b\n") && d.contains("+B\n"), "{d}");
    }
}
