//! Sessions as text: what golden transcripts replay.
//!
//! A script sets up a world (seed, line rate, latency, peers) and then
//! plays the host MCU: bytes written at a moment, pauses, bulk data. It
//! holds no expectations: running it yields a transcript, and the golden
//! file's recorded transcript is the expectation.
//!
//! ```text
//! seed 7
//! baud 115200
//! latency 1ms
//! tcp-echo 192.168.0.103:20108
//! dns-name echo.lan 192.168.0.103
//! sntp 192.168.0.123 1666351239
//! send AT+CIPSTART=0,"TCP","echo.lan",20108\r\n
//! wait 100ms
//! data 1048576
//! cut 192.168.0.103
//! ```
//!
//! `send` takes the rest of the line with the transcript's escapes (`\r`,
//! `\n`, `\\`, `\xNN`); `data N` sends the next N bytes of the host's data
//! stream (byte k is k % 251); `digest` makes the transcript record UART
//! data as sizes and checksums instead of bytes (for bulk transfers).
//!
//! Wi-Fi, for a dialect that has it:
//!
//! ```text
//! dialect esp-at
//! access-point "lab" "labpass1" -40 6
//! open-access-point "cafe"
//! send AT+CWJAP="lab","labpass1"\r\n
//! wait 1s
//! ap-down "lab"
//! wait 7s
//! ap-up "lab"
//! ```
//!
//! `dialect NAME` builds the world with that dialect (default `seed`);
//! `access-point "SSID" "PASSWORD" [RSSI CHANNEL]` and `open-access-point
//! "SSID" [RSSI CHANNEL]` put an access point on the module's radio (-40
//! dBm, channel 6 unless given; quoted with the same escapes); `ap-down
//! "SSID"` and `ap-up "SSID"` take one down and bring it back in the
//! session.

use std::net::{Ipv4Addr, SocketAddrV4};
use std::time::Duration;

use firmware_core::Dialect;

use crate::peers::{Record, Service};
use crate::transcript::{Transcript, unescape};
use crate::uart::UartConfig;
use crate::world::{Builder, World};

/// A parsed session.
#[derive(Debug, Clone)]
pub struct Script {
    /// Set-up lines, in order, before the session starts.
    setup: Vec<Op>,
    /// The session.
    steps: Vec<Op>,
    seed: u64,
    baud: u32,
    latency: Duration,
    flow_control: bool,
    dialect: &'static Dialect,
    /// Record UART data as sizes and checksums.
    pub digest: bool,
}

#[derive(Debug, Clone)]
enum Op {
    Service(Ipv4Addr, Service),
    Host(Ipv4Addr),
    Silent(Ipv4Addr),
    DnsName(String, Ipv4Addr),
    Sntp(Ipv4Addr, i64),
    AccessPoint {
        ssid: Vec<u8>,
        password: Option<Vec<u8>>,
        rssi: Option<i8>,
        channel: Option<u8>,
    },
    ApUp(Vec<u8>, bool),
    Send(Vec<u8>),
    Data(usize),
    Wait(Duration),
    Cut(Ipv4Addr),
    Restore(Ipv4Addr),
    Delay(Ipv4Addr, Duration),
    Crash(Ipv4Addr),
    Restart(Ipv4Addr),
    PowerCycle,
}

/// A line the script language does not know, with its number.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParseError {
    /// 1-based line number.
    pub line: usize,
    /// What is wrong.
    pub message: String,
}

impl std::fmt::Display for ParseError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "line {}: {}", self.line, self.message)
    }
}

impl std::error::Error for ParseError {}

fn duration(s: &str) -> Result<Duration, String> {
    let (n, unit) = s
        .find(|c: char| !c.is_ascii_digit())
        .map(|i| s.split_at(i))
        .ok_or("a duration needs ms or s")?;
    let n: u64 = n.parse().map_err(|_| format!("not a duration: {s}"))?;
    match unit {
        "ms" => Ok(Duration::from_millis(n)),
        "s" => Ok(Duration::from_secs(n)),
        "us" => Ok(Duration::from_micros(n)),
        _ => Err(format!("unknown unit in {s}")),
    }
}

/// A `"..."` string (the transcript's escapes) at the start of `s`, and
/// what follows it.
fn quoted(s: &str) -> Result<(Vec<u8>, &str), String> {
    let rest = s
        .trim_start()
        .strip_prefix('"')
        .ok_or_else(|| format!("expected a quoted string: {s}"))?;
    let mut escaped = false;
    for (i, c) in rest.char_indices() {
        match c {
            '\\' if !escaped => escaped = true,
            '"' if !escaped => return Ok((unescape(&rest[..i])?, &rest[i + 1..])),
            _ => escaped = false,
        }
    }
    Err(format!("no closing quote: {s}"))
}

/// Nothing, or `RSSI CHANNEL`.
fn signal(s: &str) -> Result<(Option<i8>, Option<u8>), String> {
    match s.split_whitespace().collect::<Vec<_>>()[..] {
        [] => Ok((None, None)),
        [rssi, channel] => Ok((
            Some(
                rssi.parse()
                    .map_err(|_| format!("not a signal in dBm: {rssi}"))?,
            ),
            Some(
                channel
                    .parse()
                    .map_err(|_| format!("not a channel: {channel}"))?,
            ),
        )),
        _ => Err(format!("expected RSSI CHANNEL or nothing: {s}")),
    }
}

impl Script {
    /// Parses a script; `#` starts a comment line.
    ///
    /// # Errors
    /// The first line that is not part of the language.
    pub fn parse(text: &str) -> Result<Script, ParseError> {
        let mut s = Script {
            setup: Vec::new(),
            steps: Vec::new(),
            seed: 0,
            baud: UartConfig::default().baud,
            latency: Duration::from_millis(1),
            flow_control: false,
            dialect: &firmware_core::SEED,
            digest: false,
        };
        for (i, raw) in text.lines().enumerate() {
            let err = |message: String| ParseError {
                line: i + 1,
                message,
            };
            let line = raw.trim_start();
            if line.is_empty() || line.starts_with('#') {
                continue;
            }
            let (word, rest) = line.split_once(' ').unwrap_or((line, ""));
            let ip = |t: &str| {
                t.parse::<Ipv4Addr>()
                    .map_err(|_| err(format!("not an address: {t}")))
            };
            let at = |t: &str| {
                t.parse::<SocketAddrV4>()
                    .map_err(|_| err(format!("not address:port: {t}")))
            };
            let args: Vec<&str> = rest.split_whitespace().collect();
            let arg = |k: usize| {
                args.get(k)
                    .copied()
                    .ok_or_else(|| err(format!("{word}: missing argument {}", k + 1)))
            };
            let op = match word {
                "seed" => {
                    s.seed = arg(0)?.parse().map_err(|_| err("seed: a number".into()))?;
                    continue;
                }
                "baud" => {
                    s.baud = arg(0)?.parse().map_err(|_| err("baud: a number".into()))?;
                    continue;
                }
                "latency" => {
                    s.latency = duration(arg(0)?).map_err(err)?;
                    continue;
                }
                "flow-control" => {
                    s.flow_control = true;
                    continue;
                }
                "digest" => {
                    s.digest = true;
                    continue;
                }
                "dialect" => {
                    let name = arg(0)?;
                    s.dialect = firmware_core::dialect::by_name(name).ok_or_else(|| {
                        let names: Vec<&str> = firmware_core::dialect::names().collect();
                        err(format!("dialect: {name:?} is none of {}", names.join(", ")))
                    })?;
                    continue;
                }
                "access-point" | "open-access-point" => {
                    let (ssid, rest) = quoted(rest).map_err(err)?;
                    let (password, rest) = match word {
                        "access-point" => {
                            let (p, rest) = quoted(rest).map_err(err)?;
                            (Some(p), rest)
                        }
                        _ => (None, rest),
                    };
                    let (rssi, channel) = signal(rest).map_err(err)?;
                    s.setup.push(Op::AccessPoint {
                        ssid,
                        password,
                        rssi,
                        channel,
                    });
                    continue;
                }
                "ap-down" | "ap-up" => {
                    let (ssid, rest) = quoted(rest).map_err(err)?;
                    if !rest.trim().is_empty() {
                        return Err(err(format!("{word}: only the SSID")));
                    }
                    Op::ApUp(ssid, word == "ap-up")
                }
                "tcp-echo" | "udp-echo" | "tcp-sink" | "udp-sink" => {
                    let a = at(arg(0)?)?;
                    let port = a.port();
                    let service = match word {
                        "tcp-echo" => Service::TcpEcho { port },
                        "udp-echo" => Service::UdpEcho { port },
                        "tcp-sink" => Service::TcpSink { port },
                        _ => Service::UdpSink { port },
                    };
                    s.setup.push(Op::Service(*a.ip(), service));
                    continue;
                }
                "host" => {
                    s.setup.push(Op::Host(ip(arg(0)?)?));
                    continue;
                }
                "silent-host" => {
                    s.setup.push(Op::Silent(ip(arg(0)?)?));
                    continue;
                }
                "dns-name" => {
                    s.setup
                        .push(Op::DnsName(arg(0)?.to_ascii_lowercase(), ip(arg(1)?)?));
                    continue;
                }
                "sntp" => {
                    let secs: i64 = arg(1)?
                        .parse()
                        .map_err(|_| err("sntp: unix seconds".into()))?;
                    s.setup.push(Op::Sntp(ip(arg(0)?)?, secs * 1_000_000));
                    continue;
                }
                "send" => Op::Send(unescape(rest).map_err(err)?),
                "data" => Op::Data(
                    arg(0)?
                        .parse()
                        .map_err(|_| err("data: a byte count".into()))?,
                ),
                "wait" => Op::Wait(duration(arg(0)?).map_err(err)?),
                "cut" => Op::Cut(ip(arg(0)?)?),
                "restore" => Op::Restore(ip(arg(0)?)?),
                "delay" => Op::Delay(ip(arg(0)?)?, duration(arg(1)?).map_err(err)?),
                "crash" => Op::Crash(ip(arg(0)?)?),
                "restart" => Op::Restart(ip(arg(0)?)?),
                "power-cycle" => Op::PowerCycle,
                other => return Err(err(format!("unknown word {other:?}"))),
            };
            s.steps.push(op);
        }
        Ok(s)
    }

    /// Runs the session; its transcript ends after `tail` of quiet time.
    pub fn run(&self, tail: Duration) -> Transcript {
        let mut w = Builder::default()
            .dialect(self.dialect)
            .seed(self.seed)
            .latency(self.latency)
            .uart(UartConfig {
                baud: self.baud,
                flow_control: self.flow_control,
                ..UartConfig::default()
            })
            .build();
        for op in &self.setup {
            match op {
                Op::Service(ip, service) => {
                    w.add_service(*ip, service.clone());
                }
                Op::Host(ip) => w.add_host(*ip),
                Op::Silent(ip) => w.add_silent_host(*ip),
                Op::DnsName(name, ip) => {
                    w.dns()
                        .borrow_mut()
                        .zone
                        .entry(name.clone())
                        .or_default()
                        .push(Record::A(*ip));
                }
                Op::Sntp(ip, micros) => {
                    w.add_sntp_server(*ip, *micros);
                }
                Op::AccessPoint {
                    ssid,
                    password,
                    rssi,
                    channel,
                } => {
                    w.add_access_point(ssid, password.as_deref(), *rssi, *channel);
                }
                _ => unreachable!("only set-up words go to setup"),
            }
        }
        let mut sent = 0usize;
        for op in &self.steps {
            self.step(&mut w, op, &mut sent);
        }
        w.run_for(tail);
        w.transcript()
    }

    fn step(&self, w: &mut World, op: &Op, sent: &mut usize) {
        match op {
            Op::Send(bytes) => w.host_write(bytes),
            Op::Data(n) => {
                let bytes: Vec<u8> = (*sent..*sent + n).map(|k| (k % 251) as u8).collect();
                *sent += n;
                w.host_write(&bytes);
            }
            Op::Wait(d) => w.run_for(*d),
            Op::Cut(ip) => w.cut(*ip),
            Op::Restore(ip) => w.restore(*ip),
            Op::Delay(ip, d) => w.delay(*ip, *d),
            Op::Crash(ip) => w.crash(*ip),
            Op::Restart(ip) => w.restart(*ip),
            Op::PowerCycle => w.power_cycle(),
            Op::ApUp(ssid, up) => {
                if !w.set_access_point_up(ssid, *up) {
                    w.note(format!(
                        "no access point \"{}\" to bring {}",
                        ssid.escape_ascii(),
                        if *up { "up" } else { "down" }
                    ));
                }
            }
            Op::Service(..)
            | Op::Host(_)
            | Op::Silent(_)
            | Op::DnsName(..)
            | Op::Sntp(..)
            | Op::AccessPoint { .. } => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_every_word_and_reports_bad_lines() {
        let s = Script::parse(
            "seed 7\nbaud 921600\nlatency 5ms\ntcp-echo 192.168.0.103:20108\ndns-name Echo.lan 192.168.0.103\n\
             sntp 192.168.0.123 1666351239\nsend AT\\r\\n\nwait 20ms\ndata 10\ncut 192.168.0.103\npower-cycle\n",
        )
        .unwrap();
        assert_eq!(
            (s.seed, s.baud, s.latency),
            (7, 921_600, Duration::from_millis(5))
        );
        assert!(matches!(&s.steps[0], Op::Send(b) if b == b"AT\r\n"));
        assert!(
            matches!(&s.setup[1], Op::DnsName(n, ip) if n == "echo.lan" && ip.octets() == [192, 168, 0, 103])
        );
        let e = Script::parse("seed 1\nfly away\n").unwrap_err();
        assert_eq!(e.line, 2);
    }

    #[test]
    fn parses_the_wifi_words() {
        let s = Script::parse(
            "dialect esp-at\naccess-point \"my \\\"lab\\\"\" \"pass,word\" -45 1\n\
             open-access-point \"cafe\"\nap-down \"cafe\"\nap-up \"cafe\"\n",
        )
        .unwrap();
        assert_eq!(s.dialect.name, "esp-at");
        assert!(matches!(
            &s.setup[0],
            Op::AccessPoint { ssid, password: Some(p), rssi: Some(-45), channel: Some(1) }
                if ssid == b"my \"lab\"" && p == b"pass,word"
        ));
        assert!(matches!(
            &s.setup[1],
            Op::AccessPoint { ssid, password: None, rssi: None, channel: None } if ssid == b"cafe"
        ));
        assert!(matches!(&s.steps[0], Op::ApUp(ssid, false) if ssid == b"cafe"));
        assert!(matches!(&s.steps[1], Op::ApUp(ssid, true) if ssid == b"cafe"));
        assert_eq!(Script::parse("dialect klingon\n").unwrap_err().line, 1);
        assert!(Script::parse("access-point \"lab\"\n").is_err());
        assert!(Script::parse("open-access-point \"lab\" -40\n").is_err());
        assert!(Script::parse("open-access-point lab\n").is_err());
        assert_eq!(Script::parse("seed 3\n").unwrap().dialect.name, "seed");
    }
}
