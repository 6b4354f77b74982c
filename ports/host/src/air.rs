//! The virtual access points of a dialect with Wi-Fi: `driver_kit`'s
//! [`Radio`] on the module's clock, set up by `--ap`, `--ap-signal` and
//! `--ap-down` and changed by the lab controls of the same names on stdin
//! (`ap`, `ap-signal`, `ap-down`, `ap-up`).
//!
//! Without any access point declared, any SSID with any password joins; once
//! one is, only those declared exist. A join's DHCP answer is the address
//! and DNS servers atmodule gives the core (`--address`, `--dns`).

use std::time::Duration;

use driver_kit::radio::{Ap, Radio};
use firmware_core::Instant;

/// A change to the air, from the command line or a stdin line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Control {
    /// `SSID:PASSWORD` (`SSID:` for an open one): an access point in range,
    /// up, at -40 dBm on channel 6 (replacing one of that SSID).
    Add(Vec<u8>, Option<Vec<u8>>),
    /// `SSID=RSSI,CHANNEL`: where that access point is heard.
    Signal(Vec<u8>, i8, u8),
    /// `SSID` goes down, or comes back up.
    Up(Vec<u8>, bool),
}

impl Control {
    /// `--ap`'s `SSID:PASSWORD`: split at the first `:`, the password taken
    /// verbatim (it may hold `:`); an empty one is an open access point.
    pub(crate) fn parse_ap(s: &str) -> Result<Control, String> {
        let (ssid, password) = s.split_once(':').ok_or_else(|| {
            format!("{s:?}: SSID:PASSWORD expected (SSID: for an open access point)")
        })?;
        if ssid.is_empty() {
            return Err(format!("{s:?}: the SSID is empty"));
        }
        let password = (!password.is_empty()).then(|| password.as_bytes().to_vec());
        Ok(Control::Add(ssid.as_bytes().to_vec(), password))
    }

    /// `--ap-signal`'s `SSID=RSSI,CHANNEL`: split at the last `=`.
    pub(crate) fn parse_signal(s: &str) -> Result<Control, String> {
        let bad = || format!("{s:?}: SSID=RSSI,CHANNEL expected, e.g. cafe=-70,11");
        let (ssid, signal) = s.rsplit_once('=').ok_or_else(bad)?;
        let (rssi, channel) = signal.split_once(',').ok_or_else(bad)?;
        let rssi: i8 = rssi.trim().parse().map_err(|_| bad())?;
        let channel: u8 = channel.trim().parse().map_err(|_| bad())?;
        if ssid.is_empty() || !(1..=14).contains(&channel) {
            return Err(bad());
        }
        Ok(Control::Signal(ssid.as_bytes().to_vec(), rssi, channel))
    }

    /// `--ap-down`'s `SSID`.
    pub(crate) fn parse_down(s: &str) -> Result<Control, String> {
        match s.is_empty() {
            true => Err("the SSID is empty".into()),
            false => Ok(Control::Up(s.as_bytes().to_vec(), false)),
        }
    }

    /// A stdin line: `ap SSID:PASSWORD`, `ap-signal SSID=RSSI,CHANNEL`,
    /// `ap-down SSID`, `ap-up SSID` (the argument is the rest of the line
    /// after one space, verbatim); `None` when the line is none of them.
    pub(crate) fn parse_line(line: &str) -> Option<Result<Control, String>> {
        let (word, rest) = line.split_once(' ')?;
        Some(match word {
            "ap" => Control::parse_ap(rest),
            "ap-signal" => Control::parse_signal(rest),
            "ap-down" => Control::parse_down(rest),
            "ap-up" if !rest.is_empty() => Ok(Control::Up(rest.as_bytes().to_vec(), true)),
            "ap-up" => Err("the SSID is empty".into()),
            _ => return None,
        })
    }

    /// Applies it to the air at `now`.
    pub(crate) fn apply(&self, radio: &mut Radio, now: Duration) -> Result<(), String> {
        let missing = |ssid: &[u8]| format!("no access point \"{}\"", ssid.escape_ascii());
        match self {
            Control::Add(ssid, password) => {
                radio.add(Ap::new(ssid, password.as_deref()));
                Ok(())
            }
            Control::Signal(ssid, rssi, channel) => match radio.set_signal(ssid, *rssi, *channel) {
                true => Ok(()),
                false => Err(missing(ssid)),
            },
            Control::Up(ssid, up) => match radio.set_up(ssid, *up, now) {
                true => Ok(()),
                false => Err(missing(ssid)),
            },
        }
    }
}

/// As `-v` logs it.
impl std::fmt::Display for Control {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Control::Add(ssid, password) => write!(
                f,
                "access point \"{}\" {}",
                ssid.escape_ascii(),
                if password.is_some() {
                    "secured"
                } else {
                    "open"
                }
            ),
            Control::Signal(ssid, rssi, channel) => write!(
                f,
                "access point \"{}\" at {rssi} dBm on channel {channel}",
                ssid.escape_ascii()
            ),
            Control::Up(ssid, up) => write!(
                f,
                "access point \"{}\" {}",
                ssid.escape_ascii(),
                if *up { "up" } else { "down" }
            ),
        }
    }
}

/// The radio's time for the core's `now`.
pub(crate) fn since_boot(now: Instant) -> Duration {
    Duration::from_micros(now.as_micros())
}

/// The core's instant for the radio's `at`.
pub(crate) fn instant(at: Duration) -> Instant {
    Instant::from_micros(u64::try_from(at.as_micros()).unwrap_or(u64::MAX))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn b(s: &str) -> Vec<u8> {
        s.as_bytes().to_vec()
    }

    #[test]
    fn access_points_parse() {
        assert_eq!(
            Control::parse_ap("lab:labpass1"),
            Ok(Control::Add(b("lab"), Some(b("labpass1"))))
        );
        assert_eq!(
            Control::parse_ap("my,lab:pass:word"),
            Ok(Control::Add(b("my,lab"), Some(b("pass:word"))))
        );
        assert_eq!(
            Control::parse_ap("cafe:"),
            Ok(Control::Add(b("cafe"), None))
        );
        assert!(Control::parse_ap("cafe").is_err());
        assert!(Control::parse_ap(":pw").is_err());
        assert_eq!(
            Control::parse_signal("a=b=-70,11"),
            Ok(Control::Signal(b("a=b"), -70, 11))
        );
        assert!(Control::parse_signal("cafe=-70").is_err());
        assert!(Control::parse_signal("cafe=-70,15").is_err());
        assert!(Control::parse_signal("cafe=-700,1").is_err());
        assert_eq!(
            Control::parse_line("ap-down my lab"),
            Some(Ok(Control::Up(b("my lab"), false)))
        );
        assert_eq!(
            Control::parse_line("ap-up lab"),
            Some(Ok(Control::Up(b("lab"), true)))
        );
        assert_eq!(
            Control::parse_line("ap lab:pw"),
            Some(Ok(Control::Add(b("lab"), Some(b("pw")))))
        );
        assert_eq!(Control::parse_line("drop 192.168.0.9"), None);
        assert!(matches!(Control::parse_line("ap-up "), Some(Err(_))));
    }

    #[test]
    fn controls_change_the_air() {
        let mut radio = Radio::new("192.168.0.107".parse().unwrap(), &[]);
        let now = Duration::ZERO;
        for c in [
            "ap lab:labpass1",
            "ap cafe:",
            "ap-signal cafe=-70,11",
            "ap-down lab",
        ] {
            let c = Control::parse_line(c).unwrap().unwrap();
            assert_eq!(c.apply(&mut radio, now), Ok(()));
        }
        let aps: Vec<(Vec<u8>, i8, u8, bool)> = radio
            .access_points()
            .map(|(ap, up)| (ap.ssid.clone(), ap.rssi, ap.channel, up))
            .collect();
        assert_eq!(aps, [(b("lab"), -40, 6, false), (b("cafe"), -70, 11, true)]);
        let signal = Control::Signal(b("lab"), -50, 1);
        assert_eq!(signal.apply(&mut radio, now), Ok(()));
        assert!(
            radio
                .access_points()
                .all(|(ap, up)| ap.ssid != b"lab" || !up)
        );
        let nowhere = Control::Up(b("nowhere"), true);
        assert!(nowhere.apply(&mut radio, now).is_err());
    }
}
