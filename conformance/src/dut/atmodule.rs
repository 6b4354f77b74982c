//! `atmodule`, the core on a pseudo-terminal, as a serial run starts and
//! stops it: its command line (the lab's map, the dialect, the access
//! points on its radio) and its pty.

use std::io::{BufRead, BufReader};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use firmware_core::Dialect;
use serialport::SerialPort;

use super::serial::open_line;
use super::{AccessPoint, LabMap};

/// `atmodule` beside the running binary (cargo puts every binary of the
/// workspace in one folder), or on `PATH`.
pub fn default_atmodule() -> PathBuf {
    let beside = std::env::current_exe().ok().and_then(|e| {
        // A test binary lives in target/<profile>/deps.
        let dir = e.parent()?.to_path_buf();
        [dir.join("atmodule"), dir.parent()?.join("atmodule")]
            .into_iter()
            .find(|p| p.is_file())
    });
    beside.unwrap_or_else(|| "atmodule".into())
}

/// How to start `atmodule`.
pub(super) struct Start<'a> {
    /// `--pace` at this rate, and `--flow-control`.
    pub(super) line: (Option<u32>, bool),
    pub(super) store: &'a PathBuf,
    pub(super) seed: u64,
    /// The lab's: the module's sockets and its DNS server live in the same
    /// network as the lab's peers, so runs with different labs can go side
    /// by side on one machine.
    pub(super) map: LabMap,
    pub(super) dialect: &'static Dialect,
    /// The access points on its radio (`--ap`, `--ap-signal`,
    /// `--ap-down`), and whether each is up.
    pub(super) aps: &'a [(AccessPoint, bool)],
}

/// `atmodule`'s `--ap`, `--ap-signal` and `--ap-down` for `aps`.
fn ap_args(aps: &[(AccessPoint, bool)]) -> Result<Vec<String>, String> {
    let mut args = Vec::new();
    for (ap, up) in aps {
        let (ssid, password) = ap_text(ap)?;
        args.extend(["--ap".to_string(), format!("{ssid}:{password}")]);
        if let (Some(rssi), Some(channel)) = (ap.rssi, ap.channel) {
            args.extend(["--ap-signal".into(), format!("{ssid}={rssi},{channel}")]);
        }
        if !up {
            args.extend(["--ap-down".into(), ssid]);
        }
    }
    Ok(args)
}

/// An access point's SSID and password as `atmodule`'s `SSID:PASSWORD`
/// takes them: text, no line end, no `:` in the SSID.
pub(super) fn ap_text(ap: &AccessPoint) -> Result<(String, String), String> {
    let text = |b: &[u8]| {
        std::str::from_utf8(b)
            .ok()
            .filter(|t| !t.contains(['\r', '\n']))
            .map(str::to_owned)
    };
    let ssid = text(&ap.ssid).filter(|s| !s.contains(':') && !s.is_empty());
    let password = text(ap.password.as_deref().unwrap_or(b""));
    match (ssid, password) {
        (Some(s), Some(p)) => Ok((s, p)),
        _ => Err(format!(
            "atmodule's access points take text SSIDs without `:` and passwords without line ends, not \"{}\"",
            ap.ssid.escape_ascii()
        )),
    }
}

/// Starts `atmodule` on a new pty; its `ready` waits in the pty.
pub(super) fn start_atmodule(
    exe: &PathBuf,
    how: &Start<'_>,
) -> Result<(Child, Box<dyn SerialPort>), String> {
    let (pace, rts_cts) = how.line;
    let mut child = Command::new(exe)
        // A pty has no line rate: without flow control (or --pace) the host
        // could outrun the network and passthrough would drop (PT-7), which
        // a real 115200-baud line never lets happen.
        .args(["--pty", "--exit-on-stdin-eof"])
        .args(rts_cts.then_some("--flow-control"))
        .args([
            "--seed",
            &how.seed.to_string(),
            "--no-default-map",
            "--map",
            &how.map.rule(),
            "--dialect",
            how.dialect.name,
        ])
        .args(ap_args(how.aps)?)
        .arg("--store")
        .arg(how.store)
        .args(
            pace.map(|b| ["--pace".to_string(), "--baud".into(), b.to_string()])
                .into_iter()
                .flatten(),
        )
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .map_err(|e| format!("{}: {e} (build it: cargo build -p atmodule)", exe.display()))?;
    let stdout = child.stdout.take().ok_or("atmodule: no stdout")?;
    let mut line = String::new();
    BufReader::new(stdout)
        .read_line(&mut line)
        .map_err(|e| format!("atmodule: {e}"))?;
    let path = line
        .trim()
        .strip_prefix("atmodule: ")
        .ok_or(format!("atmodule said {line:?}"))?;
    Ok((child, open_line(path, 115_200)?))
}

/// Stops `atmodule` cleanly: its stdin closes (it exits at once, status
/// 0), and a module that does not is killed after a second.
pub(super) fn stop(mut child: Child) {
    drop(child.stdin.take());
    let end = Instant::now() + Duration::from_secs(1);
    while Instant::now() < end {
        if let Ok(Some(_)) = child.try_wait() {
            return;
        }
        std::thread::sleep(Duration::from_millis(1));
    }
    let _ = child.kill();
    let _ = child.wait();
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn access_points_become_atmodule_arguments() {
        let lab = AccessPoint {
            ssid: b"my,lab".to_vec(),
            password: Some(b"pass,word".to_vec()),
            rssi: Some(-45),
            channel: Some(1),
        };
        let cafe = AccessPoint {
            ssid: b"cafe".to_vec(),
            password: None,
            rssi: None,
            channel: None,
        };
        assert_eq!(
            ap_args(&[(lab, true), (cafe.clone(), false)]).unwrap(),
            [
                "--ap",
                "my,lab:pass,word",
                "--ap-signal",
                "my,lab=-45,1",
                "--ap",
                "cafe:",
                "--ap-down",
                "cafe"
            ]
        );
        let colon = AccessPoint {
            ssid: b"a:b".to_vec(),
            ..cafe
        };
        assert!(ap_args(&[(colon, true)]).is_err());
    }
}
