//! How the bench restarts a device on a serial line: a command that cuts
//! and restores its power (a USB hub's port switch, a relay), or a modem
//! line wired to its reset pin (RTS or DTR to EN, as on ESP32 boards).

use std::process::Command;
use std::time::{Duration, Instant};

use serialport::SerialPort;

/// How long a reset line is held: ESP32's EN needs a few hundred µs; USB
/// serial bridges apply a modem-line change within a frame or two.
const RESET_PULSE: Duration = Duration::from_millis(100);

/// How long the power command may take before it counts as hung.
const COMMAND_LIMIT: Duration = Duration::from_secs(30);

/// A modem line of the serial port.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ModemLine {
    /// Request To Send.
    Rts,
    /// Data Terminal Ready.
    Dtr,
}

/// What the bench has to restart the device.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum Power {
    /// Nothing: power-cycle and power-loss scenarios are skipped.
    #[default]
    None,
    /// A shell command that cuts the power and restores it, then returns.
    /// It sees `ATCERT_POWER` (`cycle` or `loss`) and `ATCERT_DUT` (the
    /// line's path).
    Command(String),
    /// A line asserted for a moment to hold the device in reset.
    ResetLine(ModemLine),
}

impl ModemLine {
    /// `rts` or `dtr`.
    ///
    /// # Errors
    /// Anything else.
    pub fn parse(s: &str) -> Result<ModemLine, String> {
        match s {
            "rts" => Ok(ModemLine::Rts),
            "dtr" => Ok(ModemLine::Dtr),
            _ => Err(format!("--reset-line {s:?}: rts or dtr")),
        }
    }
}

impl Power {
    /// Whether the bench can restart the device at all.
    pub fn is_none(&self) -> bool {
        *self == Power::None
    }

    /// Restarts the device on `port` (at `path`). `loss` says whether the
    /// scenario wants a power loss (B-6) or a power cycle; both cut the
    /// power (or hold reset), which is what either is on a real device.
    ///
    /// # Errors
    /// When the command fails, hangs or cannot start, or the line cannot
    /// be driven.
    pub fn restart(&self, port: &mut dyn SerialPort, path: &str, loss: bool) -> Result<(), String> {
        match self {
            Power::None => Err("no --power-cmd or --reset-line".into()),
            Power::Command(cmd) => run(cmd, path, loss),
            Power::ResetLine(line) => {
                let set = |port: &mut dyn SerialPort, on| match line {
                    ModemLine::Rts => port.write_request_to_send(on),
                    ModemLine::Dtr => port.write_data_terminal_ready(on),
                };
                set(port, true).map_err(|e| format!("asserting {line:?} on {path}: {e}"))?;
                std::thread::sleep(RESET_PULSE);
                set(port, false).map_err(|e| format!("releasing {line:?} on {path}: {e}"))
            }
        }
    }
}

/// Runs the power command through `sh -c`, bounded by [`COMMAND_LIMIT`].
fn run(cmd: &str, path: &str, loss: bool) -> Result<(), String> {
    let mut child = Command::new("sh")
        .args(["-c", cmd])
        .env("ATCERT_POWER", if loss { "loss" } else { "cycle" })
        .env("ATCERT_DUT", path)
        .spawn()
        .map_err(|e| format!("--power-cmd {cmd:?}: {e}"))?;
    let end = Instant::now() + COMMAND_LIMIT;
    loop {
        match child.try_wait() {
            Ok(Some(status)) if status.success() => return Ok(()),
            Ok(Some(status)) => return Err(format!("--power-cmd {cmd:?}: {status}")),
            Ok(None) if Instant::now() > end => {
                let _ = child.kill();
                let _ = child.wait();
                return Err(format!(
                    "--power-cmd {cmd:?} still running after {} s",
                    COMMAND_LIMIT.as_secs()
                ));
            }
            Ok(None) => std::thread::sleep(Duration::from_millis(5)),
            Err(e) => return Err(format!("--power-cmd {cmd:?}: {e}")),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_command_sees_what_it_is_asked_and_its_status_counts() {
        let ok = "test \"$ATCERT_POWER\" = loss && test \"$ATCERT_DUT\" = /dev/x";
        assert_eq!(run(ok, "/dev/x", true), Ok(()));
        assert!(run(ok, "/dev/x", false).is_err());
        assert!(run("exit 3", "/dev/x", true).unwrap_err().contains('3'));
    }

    #[test]
    fn reset_lines_parse() {
        assert_eq!(ModemLine::parse("rts"), Ok(ModemLine::Rts));
        assert_eq!(ModemLine::parse("dtr"), Ok(ModemLine::Dtr));
        assert!(ModemLine::parse("cts").is_err());
    }
}
