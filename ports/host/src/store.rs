//! The module's non-volatile storage: one file holding the core's settings
//! blob, or nothing (settings then last as long as the process).
//!
//! Every blob the core hands out replaces the file atomically: it is
//! written to `FILE.tmp` beside it, synced, renamed over `FILE`, and the
//! folder synced, so a process killed (or a machine losing power) at any
//! moment leaves the old settings or the new, never half; and the core's
//! `OK` waits until `save` returned (B-6).

use std::io::{self, Write};
use std::path::PathBuf;

/// Where the settings live.
#[derive(Debug)]
pub(crate) struct Store {
    path: Option<PathBuf>,
}

impl Store {
    /// Settings in `path`, or only in memory.
    pub(crate) fn new(path: Option<PathBuf>) -> Self {
        Store { path }
    }

    /// What the file holds: empty (factory settings) when there is no
    /// file; the core treats a blob that does not decode as factory too.
    pub(crate) fn load(&self) -> io::Result<Vec<u8>> {
        let Some(path) = &self.path else {
            return Ok(Vec::new());
        };
        match std::fs::read(path) {
            Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(Vec::new()),
            other => other,
        }
    }

    /// Replaces the file with `blob`.
    pub(crate) fn save(&self, blob: &[u8]) -> io::Result<()> {
        let Some(path) = &self.path else {
            return Ok(());
        };
        let mut tmp = path.clone().into_os_string();
        tmp.push(".tmp");
        let tmp = PathBuf::from(tmp);
        let mut file = std::fs::File::create(&tmp)?;
        file.write_all(blob)?;
        file.sync_all()?;
        drop(file);
        std::fs::rename(&tmp, path)?;
        // The rename is durable only once the folder's entry is.
        let dir = path.parent().filter(|d| !d.as_os_str().is_empty());
        std::fs::File::open(dir.unwrap_or(std::path::Path::new(".")))?.sync_all()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_missing_file_is_factory_and_a_saved_blob_comes_back() {
        let dir = std::env::temp_dir().join(format!("atmodule-store-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("settings");
        let _ = std::fs::remove_file(&path);
        let store = Store::new(Some(path.clone()));
        assert_eq!(store.load().unwrap(), b"");
        store.save(b"one").unwrap();
        store.save(b"two").unwrap();
        assert_eq!(store.load().unwrap(), b"two");
        assert!(!dir.join("settings.tmp").exists());
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn without_a_file_nothing_is_kept() {
        let store = Store::new(None);
        store.save(b"x").unwrap();
        assert_eq!(store.load().unwrap(), b"");
    }
}
