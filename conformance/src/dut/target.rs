//! Which module a serial run talks to: a device on a line, or `atmodule`.

use std::path::PathBuf;

use super::Power;
use super::atmodule::default_atmodule;

/// Where the module is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Target {
    /// A device on a serial line; it is reset with `AT+RESTORE` before each
    /// scenario (so it must implement it) and must answer with `ready`.
    Serial {
        /// The line, e.g. `/dev/ttyUSB0`.
        path: String,
        /// Its rate (8N1, no flow control).
        baud: u32,
        /// How the bench restarts it, if it can.
        power: Power,
    },
    /// `atmodule` started afresh for each scenario, factory settings.
    Atmodule {
        /// The binary.
        exe: PathBuf,
        /// The line rate its pty is paced at (`--pace`), for throughput
        /// measurements; unpaced when `None`.
        pace: Option<u32>,
        /// Whether it holds the host back while it cannot take passthrough
        /// data (`--flow-control`, the pty's RTS/CTS); without, it drops
        /// the excess as a line without flow control does (PT-7).
        rts_cts: bool,
    },
}

impl Target {
    /// A `--dut` value: `sim` (the simulator: `None`), or as
    /// [`Target::parse`] reads it.
    ///
    /// # Errors
    /// Anything else.
    pub fn parse_dut(spec: &str) -> Result<Option<Target>, String> {
        match spec {
            "sim" => Ok(None),
            spec => Target::parse(spec).map(Some),
        }
    }

    /// `serial:PATH[@BAUD]` or `atmodule[:EXE]`.
    ///
    /// # Errors
    /// Anything else.
    pub fn parse(spec: &str) -> Result<Target, String> {
        if let Some(rest) = spec.strip_prefix("serial:") {
            let (path, baud) = match rest.rsplit_once('@') {
                Some((p, b)) => (p, b.parse().map_err(|_| format!("not a baud rate: {b}"))?),
                None => (rest, 115_200),
            };
            return Ok(Target::Serial {
                path: path.to_owned(),
                baud,
                power: Power::None,
            });
        }
        if spec == "atmodule" {
            return Ok(Target::Atmodule {
                exe: default_atmodule(),
                pace: None,
                rts_cts: true,
            });
        }
        if let Some(exe) = spec.strip_prefix("atmodule:") {
            return Ok(Target::Atmodule {
                exe: exe.into(),
                pace: None,
                rts_cts: true,
            });
        }
        Err(format!(
            "unknown DUT {spec:?}: sim, serial:PATH[@BAUD], atmodule[:EXE]"
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn targets_parse() {
        assert_eq!(
            Target::parse("serial:/dev/ttyUSB0@921600"),
            Ok(Target::Serial {
                path: "/dev/ttyUSB0".into(),
                baud: 921_600,
                power: Power::None,
            })
        );
        assert_eq!(
            Target::parse("serial:/dev/ttyS1"),
            Ok(Target::Serial {
                path: "/dev/ttyS1".into(),
                baud: 115_200,
                power: Power::None,
            })
        );
        assert_eq!(
            Target::parse("atmodule:/x/atmodule"),
            Ok(Target::Atmodule {
                exe: "/x/atmodule".into(),
                pace: None,
                rts_cts: true,
            })
        );
        assert!(Target::parse("usb").is_err());
    }
}
