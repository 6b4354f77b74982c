//! From a parsed line to a typed, validated command (G-4, G-5).
//!
//! Everything that can be checked without the module's state — forms,
//! parameter counts, ranges, string lengths — is checked here, so a command
//! that reaches execution is well formed and a bad one changes nothing.
//! The one piece of state consulted is CIPMUX, because CIPSSLCPSK's syntax
//! depends on it (PK-1).

use core::net::Ipv4Addr;

use crate::dialect::Dialect;
use crate::parser::{Arg, Args, Form, Request, parse_ipv4};

/// A link ID the dialect has (SS-2).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) struct LinkId(pub(crate) u8);

/// One link, or all of them (CL-1, PK-1).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Target {
    One(LinkId),
    All,
}

/// A `<remotehost>`: an address, or a name to resolve (SS-4).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Host<'a> {
    Ip(Ipv4Addr),
    Name(&'a [u8]),
}

/// CIPSTART's `<type>` (SS-3).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kind {
    Tcp,
    Udp,
    Tls,
    Dtls,
}

impl Kind {
    /// The number CIPSTATUS prints (ST-2).
    pub(crate) fn code(self) -> u8 {
        match self {
            Kind::Tcp => 0,
            Kind::Udp => 1,
            Kind::Tls => 2,
            Kind::Dtls => 3,
        }
    }

    pub(crate) fn is_stream(self) -> bool {
        matches!(self, Kind::Tcp | Kind::Tls)
    }
}

/// AT+CIPSTART's parameters (SS-1).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Start<'a> {
    pub(crate) link: LinkId,
    pub(crate) kind: Kind,
    pub(crate) host: Host<'a>,
    pub(crate) port: u16,
    /// Seconds; 0 is off.
    pub(crate) keepalive: u16,
    /// The server form's local port and address (SS-8).
    pub(crate) server: Option<(u16, Ipv4Addr)>,
}

/// A command line, understood.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Command<'a> {
    At,
    Echo(bool),
    Reset,
    Restore,
    Version,
    SysstoreQuery,
    Sysstore(bool),
    Status,
    Start(Start<'a>),
    Send {
        link: LinkId,
        len: usize,
        to: Option<(Host<'a>, u16)>,
    },
    Passthrough,
    Close(Target),
    MuxQuery,
    Mux(bool),
    ModeQuery,
    Mode(bool),
    SntpConfigQuery,
    SntpConfig {
        enable: bool,
        timezone: Option<i8>,
        server: Option<&'a [u8]>,
    },
    SntpTime,
    Ping(Host<'a>),
    Domain(&'a [u8]),
    DnsQuery,
    /// `servers` empty with `manual`: the fallback server (DN-2).
    Dns {
        manual: bool,
        servers: heapless::Vec<Ipv4Addr, 3>,
    },
    PskQuery,
    Psk {
        target: Target,
        key: &'a [u8],
        identity: &'a [u8],
    },
}

/// Why a line is not a command: always answered with `ERROR` (G-4).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Invalid;

type Result<T> = core::result::Result<T, Invalid>;

impl<'a> Command<'a> {
    /// Understands `req` under dialect `d`; `mux` is the current CIPMUX.
    pub(crate) fn from_request(req: &'a Request<'a>, d: &Dialect, mux: bool) -> Result<Self> {
        use Form::{Exec, Query, Set};
        let cmd = match (req.name, &req.form) {
            (b"", Exec) => Command::At,
            (b"E0", Exec) => Command::Echo(false),
            (b"E1", Exec) => Command::Echo(true),
            (b"+RST", Exec) => Command::Reset,
            (b"+RESTORE", Exec) => Command::Restore,
            (b"+GMR", Exec) => Command::Version,
            (b"+SYSSTORE", Query) => Command::SysstoreQuery,
            (b"+SYSSTORE", Set(a)) => Command::Sysstore(one_flag(a)?),
            (b"+CIPSTATUS", Query) => Command::Status,
            (b"+CIPSTART", Set(a)) => Command::Start(start(a, d)?),
            (b"+CIPSEND", Exec) => Command::Passthrough,
            (b"+CIPSEND", Set(a)) => send(a, d)?,
            (b"+CIPCLOSE", Set(a)) => {
                arity(a, 1, 1)?;
                Command::Close(target(a, 0, d)?)
            }
            (b"+CIPMUX", Query) => Command::MuxQuery,
            (b"+CIPMUX", Set(a)) => Command::Mux(one_flag(a)?),
            (b"+CIPMODE", Query) => Command::ModeQuery,
            (b"+CIPMODE", Set(a)) => Command::Mode(one_flag(a)?),
            (b"+CIPSNTPCFG", Query) => Command::SntpConfigQuery,
            (b"+CIPSNTPCFG", Set(a)) => sntp_config(a, d)?,
            (b"+CIPSNTPTIME", Query) => Command::SntpTime,
            (b"+PING", Set(a)) => {
                arity(a, 1, 1)?;
                Command::Ping(host(arg(a, 0)?, usize::MAX)?)
            }
            (b"+CIPDOMAIN", Set(a)) => {
                arity(a, 1, 1)?;
                Command::Domain(nonempty(arg(a, 0)?)?)
            }
            (b"+CIPDNS", Query) => Command::DnsQuery,
            (b"+CIPDNS", Set(a)) => dns(a)?,
            (b"+CIPSSLCPSK", Query) => Command::PskQuery,
            (b"+CIPSSLCPSK", Set(a)) => psk(a, d, mux)?,
            // Unknown names, and known names in a form they lack (`=?` for
            // every command, `AT+CIPSTATUS` without `?`, ...): G-4.
            _ => return Err(Invalid),
        };
        Ok(cmd)
    }
}

fn arity(a: &Args<'_>, min: usize, max: usize) -> Result<()> {
    if (min..=max).contains(&a.len()) {
        Ok(())
    } else {
        Err(Invalid)
    }
}

fn arg<'x>(a: &'x Args<'_>, i: usize) -> Result<&'x Arg<'x>> {
    match a.get(i) {
        Some(arg) if !arg.is_omitted() => Ok(arg),
        _ => Err(Invalid),
    }
}

fn int(a: &Args<'_>, i: usize, min: i64, max: i64) -> Result<i64> {
    let v = arg(a, i)?.int().ok_or(Invalid)?;
    if (min..=max).contains(&v) {
        Ok(v)
    } else {
        Err(Invalid)
    }
}

fn flag(a: &Args<'_>, i: usize) -> Result<bool> {
    Ok(int(a, i, 0, 1)? == 1)
}

fn one_flag(a: &Args<'_>) -> Result<bool> {
    arity(a, 1, 1)?;
    flag(a, 0)
}

fn port(a: &Args<'_>, i: usize) -> Result<u16> {
    // The range makes the conversion infallible.
    u16::try_from(int(a, i, 1, 65535)?).map_err(|_| Invalid)
}

fn link(a: &Args<'_>, i: usize, d: &Dialect) -> Result<LinkId> {
    Ok(LinkId(int(a, i, 0, i64::from(d.links) - 1)? as u8))
}

fn target(a: &Args<'_>, i: usize, d: &Dialect) -> Result<Target> {
    let v = int(a, i, 0, i64::from(d.links))? as u8;
    Ok(if v == d.links {
        Target::All
    } else {
        Target::One(LinkId(v))
    })
}

fn nonempty<'x>(arg: &'x Arg<'_>) -> Result<&'x [u8]> {
    match arg.bytes() {
        [] => Err(Invalid),
        b => Ok(b),
    }
}

fn host<'x>(arg: &'x Arg<'_>, max: usize) -> Result<Host<'x>> {
    let bytes = nonempty(arg)?;
    if let Some(ip) = parse_ipv4(bytes) {
        return Ok(Host::Ip(ip));
    }
    if bytes.len() > max {
        Err(Invalid)
    } else {
        Ok(Host::Name(bytes))
    }
}

fn kind(arg: &Arg<'_>) -> Result<Kind> {
    let b = arg.bytes();
    let is = |name: &[u8]| b.eq_ignore_ascii_case(name);
    Ok(match () {
        _ if b == b"0" || is(b"TCP") => Kind::Tcp,
        _ if b == b"1" || is(b"UDP") => Kind::Udp,
        _ if b == b"2" || is(b"TLS") || is(b"SSL") => Kind::Tls,
        _ if b == b"3" || is(b"DTLS") => Kind::Dtls,
        _ => return Err(Invalid),
    })
}

/// SS-1. Six parameters are the page's example 4 (`...,<localport>,<localip>`
/// without a keep-alive); seven carry all three.
fn start<'x>(a: &'x Args<'_>, d: &Dialect) -> Result<Start<'x>> {
    arity(a, 4, 7)?;
    let (keepalive_at, server_at) = match a.len() {
        4 => (None, None),
        5 => (Some(4), None),
        6 => (None, Some(4)),
        _ => (Some(4), Some(5)),
    };
    // An omitted keep-alive (`...,80,,5637,"0.0.0.0"`) is its default, 0
    // (SS-5), as in ESP-AT.
    let keepalive = match keepalive_at {
        Some(i) if !a.get(i).is_some_and(Arg::is_omitted) => {
            int(a, i, 0, i64::from(d.max_keepalive))? as u16
        }
        _ => 0,
    };
    let server = match server_at {
        Some(i) => {
            let local_ip = parse_ipv4(arg(a, i + 1)?.bytes()).ok_or(Invalid)?;
            Some((port(a, i)?, local_ip))
        }
        None => None,
    };
    Ok(Start {
        link: link(a, 0, d)?,
        kind: kind(arg(a, 1)?)?,
        host: host(arg(a, 2)?, d.max_host)?,
        port: port(a, 3)?,
        keepalive,
        server,
    })
}

/// SD-1, SD-2.
fn send<'x>(a: &'x Args<'_>, d: &Dialect) -> Result<Command<'x>> {
    if a.len() != 2 && a.len() != 4 {
        return Err(Invalid);
    }
    let to = if a.len() == 4 {
        Some((host(arg(a, 2)?, d.max_host)?, port(a, 3)?))
    } else {
        None
    };
    Ok(Command::Send {
        link: link(a, 0, d)?,
        len: int(a, 1, 1, d.max_send as i64)? as usize,
        to,
    })
}

/// NT-1.
fn sntp_config<'x>(a: &'x Args<'_>, d: &Dialect) -> Result<Command<'x>> {
    arity(a, 1, 3)?;
    let enable = flag(a, 0)?;
    let tz = i64::from(d.max_timezone);
    let timezone = match a.get(1) {
        Some(x) if !x.is_omitted() => Some(int(a, 1, -tz, tz)? as i8),
        _ if enable => return Err(Invalid),
        _ => None,
    };
    let server = match a.get(2) {
        Some(x) if !x.is_omitted() => match host(x, d.max_host)? {
            // Not a name the resolver could ever ask about: out of range
            // (G-4), not a server retried in vain every 15 s.
            Host::Name(name) if !is_domain_name(name) => return Err(Invalid),
            _ => Some(x.bytes()),
        },
        _ => None,
    };
    Ok(Command::SntpConfig {
        enable,
        timezone,
        server,
    })
}

/// Whether `name` is a domain name in text form (DM-1): labels of 1 to 63
/// bytes separated by dots, one optional trailing dot, at most 253 bytes.
fn is_domain_name(name: &[u8]) -> bool {
    let name = name.strip_suffix(b".").unwrap_or(name);
    !name.is_empty()
        && name.len() <= 253
        && name
            .split(|&b| b == b'.')
            .all(|label| (1..=63).contains(&label.len()))
}

/// DN-2, DN-3.
fn dns<'x>(a: &'x Args<'_>) -> Result<Command<'x>> {
    arity(a, 1, 4)?;
    let manual = flag(a, 0)?;
    let mut servers = heapless::Vec::new();
    for i in 1..a.len() {
        if !manual {
            return Err(Invalid);
        }
        let ip = parse_ipv4(arg(a, i)?.bytes()).ok_or(Invalid)?;
        if servers.contains(&ip) {
            return Err(Invalid);
        }
        servers.push(ip).map_err(|_| Invalid)?;
    }
    Ok(Command::Dns { manual, servers })
}

/// PK-1, PK-2.
fn psk<'x>(a: &'x Args<'_>, d: &Dialect, mux: bool) -> Result<Command<'x>> {
    let (target, at) = if mux {
        arity(a, 3, 3)?;
        (target(a, 0, d)?, 1)
    } else {
        arity(a, 2, 2)?;
        (Target::One(LinkId(0)), 0)
    };
    let key = nonempty(arg(a, at)?)?;
    let identity = a.get(at + 1).map_or(&[][..], |x| x.bytes());
    if key.len() > d.max_psk || identity.len() > d.max_psk {
        return Err(Invalid);
    }
    Ok(Command::Psk {
        target,
        key,
        identity,
    })
}
