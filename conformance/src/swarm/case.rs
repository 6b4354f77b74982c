//! A failing seed kept as a test: its shrunk session and what it showed,
//! stored as JSON under `conformance/swarm-cases/` and replayed by
//! `cargo test` (`tests/swarm.rs`) and by `atcert swarm --case FILE`.
//!
//! A case is a session, not a golden transcript: the host waits for each
//! final result, so its timing follows the module's answers, and the
//! oracle is the swarm's checks (a golden transcript would also pin every
//! byte the bug never touched, and fail on unrelated changes).

use std::fs;
use std::io;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use super::session::Session;

/// A stored failing session.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Case {
    /// The check it failed.
    pub check: String,
    /// The finding, as the shrunk session gave it.
    pub finding: String,
    /// The commit the failure was found on.
    pub found_on: String,
    /// How it was found and what fixed it (edited by hand once fixed).
    pub note: String,
    /// The session, shrunk.
    pub session: Session,
}

impl Case {
    /// Its file name in a cases directory.
    pub fn file_name(&self) -> String {
        format!("seed-{}-{}.json", self.session.seed, self.check)
    }

    /// Writes it into `dir` (made if missing); returns the path.
    pub fn write(&self, dir: &Path) -> io::Result<PathBuf> {
        fs::create_dir_all(dir)?;
        let path = dir.join(self.file_name());
        let mut text = serde_json::to_string_pretty(self).map_err(io::Error::other)?;
        text.push('\n');
        fs::write(&path, text)?;
        Ok(path)
    }

    /// Reads one case file.
    pub fn read(path: &Path) -> io::Result<Case> {
        let text = fs::read_to_string(path)?;
        serde_json::from_str(&text)
            .map_err(|e| io::Error::other(format!("{}: {e}", path.display())))
    }

    /// Every `*.json` case in `dir`, sorted by name (none if it is missing).
    pub fn all(dir: &Path) -> io::Result<Vec<(PathBuf, Case)>> {
        let Ok(entries) = fs::read_dir(dir) else {
            return Ok(Vec::new());
        };
        let mut paths: Vec<PathBuf> = entries
            .filter_map(|e| Some(e.ok()?.path()))
            .filter(|p| p.extension().is_some_and(|e| e == "json"))
            .collect();
        paths.sort();
        paths
            .into_iter()
            .map(|p| Case::read(&p).map(|c| (p, c)))
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::swarm::generate;

    #[test]
    fn a_case_survives_its_file() {
        let dir = std::env::temp_dir().join(format!("swarm-case-{}", std::process::id()));
        let case = Case {
            check: "integrity".into(),
            finding: "[integrity] lost".into(),
            found_on: "abc".into(),
            note: String::new(),
            session: generate(7),
        };
        let path = case.write(&dir).unwrap();
        assert_eq!(Case::read(&path).unwrap(), case);
        assert_eq!(Case::all(&dir).unwrap().len(), 1);
        fs::remove_dir_all(dir).unwrap();
    }
}
