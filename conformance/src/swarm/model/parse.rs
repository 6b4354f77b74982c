//! The model's own reading of a command line, from the G-* clauses alone
//! (not the core's parser): what the line asks for, or why the dialect
//! must refuse it, or that the clauses leave its meaning open.
//!
//! "Open" ([`Parsed::Unsure`]) is a real answer: a lowercase name, a space
//! where G-5 allows none, a quoted number. The model then accepts any
//! reply and, if the line was accepted, stops assuming it knows the state.

use std::net::Ipv4Addr;

/// G-3: the longest command line, terminator excluded.
pub const MAX_LINE: usize = 256;
/// SS-2: link IDs 0-4; 5 means "all" where a command allows it.
pub const LINKS: u8 = 5;
/// SD-2: the longest CIPSEND.
pub const MAX_SEND: i64 = 2048;
/// SS-5: the longest keepalive, in seconds.
pub const MAX_KEEPALIVE: i64 = 7200;
/// SS-4, NT-1: the longest host name a CIPSTART or SNTP server may give.
pub const MAX_HOST: usize = 64;
/// DM-1: the longest name CIPDOMAIN takes, and its longest label.
pub const MAX_DOMAIN: usize = 253;
/// DM-1.
pub const MAX_LABEL: usize = 63;
/// PK-2: the longest key and hint.
pub const MAX_PSK: usize = 48;
/// NT-1: the timezone range, whole hours.
pub const TZ: std::ops::RangeInclusive<i64> = -12..=12;

/// What a line means to the model.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Parsed {
    /// A command the dialect knows, with its parameters in range.
    Cmd(Command),
    /// The dialect refuses it whatever the state: `ERROR` (clause, why).
    Refused(&'static str, String),
    /// The clauses do not settle what the line means.
    Unsure,
}

/// A connection type (SS-3).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Tcp,
    Udp,
    Tls,
    Dtls,
}

impl Kind {
    /// ST-2's number.
    pub fn number(self) -> u8 {
        self as u8
    }

    /// Datagrams (UDP, DTLS).
    pub fn datagram(self) -> bool {
        matches!(self, Kind::Udp | Kind::Dtls)
    }
}

/// A remote host: an address, or a name resolved on the network.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Host {
    Ip(Ipv4Addr),
    Name(String),
}

/// `AT+CIPSTART`'s parameters (SS-1).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Start {
    pub id: u8,
    pub kind: Kind,
    pub host: Host,
    pub port: u16,
    /// The server form's local port and address (SS-8).
    pub server: Option<(u16, Ipv4Addr)>,
}

/// The commands of the seed dialect the model follows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Command {
    At,
    Echo(bool),
    Rst,
    Restore,
    Gmr,
    SysStoreQuery,
    SysStore(bool),
    Status,
    Start(Start),
    /// `AT+CIPSEND=<id>,<len>[,<host>,<port>]`.
    Send {
        id: u8,
        len: u16,
        to: bool,
    },
    /// `AT+CIPSEND` alone (PT-1).
    Passthrough,
    /// 0-4, or 5 for all (CL-1).
    Close(u8),
    MuxQuery,
    Mux(bool),
    ModeQuery,
    Mode(bool),
    SntpQuery,
    Sntp {
        enable: bool,
        tz: Option<i8>,
        server: Option<String>,
    },
    SntpTime,
    Ping,
    /// CIPDOMAIN of an address (answers itself) or a name.
    Domain(Host),
    DnsQuery,
    /// `None`: automatic (DN-3); else the manual servers (DN-2).
    Dns(Option<Vec<Ipv4Addr>>),
    PskQuery,
    /// The parameters (text, quoted): which form is right depends on
    /// CIPMUX (PK-1).
    Psk(Vec<(String, bool)>),
}

/// One parameter as G-5 writes it.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Tok {
    text: String,
    quoted: bool,
}

type Out = Result<Command, Parsed>;

fn refuse(clause: &'static str, why: impl Into<String>) -> Parsed {
    Parsed::Refused(clause, why.into())
}

/// Reads one line as the host wrote it, terminator included (G-1).
pub fn parse(line: &[u8]) -> Parsed {
    let body = line
        .strip_suffix(b"\r\n")
        .or_else(|| line.strip_suffix(b"\r"))
        .or_else(|| line.strip_suffix(b"\n"))
        .unwrap_or(line);
    if body.is_empty() || body.contains(&b'\r') || body.contains(&b'\n') {
        return Parsed::Unsure; // no line, or several
    }
    if body.len() > MAX_LINE {
        return refuse("G-3", format!("{} bytes", body.len()));
    }
    let Ok(body) = std::str::from_utf8(body) else {
        return Parsed::Unsure;
    };
    let Some(rest) = body.strip_prefix("AT") else {
        return Parsed::Unsure; // G-1 says what a command is, not what else is
    };
    let odd = |s: &str| s.bytes().any(|b| b.is_ascii_lowercase() || b == b' ');
    match rest {
        "" => return Parsed::Cmd(Command::At),
        "E0" | "E1" => return Parsed::Cmd(Command::Echo(rest == "E1")),
        _ if rest.starts_with('E') || odd(rest) && !rest.starts_with('+') => {
            return Parsed::Unsure;
        }
        _ => {}
    }
    let Some(rest) = rest.strip_prefix('+') else {
        return refuse("G-4", "an unknown command");
    };
    let end = rest.find(['=', '?']).unwrap_or(rest.len());
    let (name, form) = rest.split_at(end);
    if odd(name) {
        return Parsed::Unsure; // names in another case: the clauses are silent
    }
    if name.is_empty() || !name.bytes().all(|b| b.is_ascii_uppercase()) {
        return refuse("G-4", "an unknown command");
    }
    match command(name, form) {
        Ok(c) => Parsed::Cmd(c),
        Err(p) => p,
    }
}

fn command(name: &str, form: &str) -> Out {
    let wrong = || {
        Err(refuse(
            "G-4",
            format!("AT+{name}{form}: a form it does not have"),
        ))
    };
    let set = form.strip_prefix('=').filter(|s| *s != "?");
    let params = match set {
        Some("") => return Err(refuse("G-4", format!("AT+{name}=: no parameter"))),
        Some(s) => tokens(s).ok_or(Parsed::Unsure)?,
        None => Vec::new(),
    };
    use Command as C;
    let c = match (name, form, set) {
        ("RST", "", _) => C::Rst,
        ("RESTORE", "", _) => C::Restore,
        ("GMR", "", _) => C::Gmr,
        ("SYSSTORE", "?", _) => C::SysStoreQuery,
        ("SYSSTORE", _, Some(_)) => C::SysStore(flag(&params, "B-5")?),
        ("CIPSTATUS", "?", _) => C::Status,
        ("CIPSTART", _, Some(_)) => C::Start(start(&params)?),
        ("CIPSEND", "", _) => C::Passthrough,
        ("CIPSEND", _, Some(_)) => send(&params)?,
        ("CIPCLOSE", _, Some(_)) => match &params[..] {
            [id] => C::Close(ranged(id, 0..=i64::from(LINKS), "CL-1")? as u8),
            _ => return Err(refuse("CL-1", "one parameter")),
        },
        ("CIPMUX", "?", _) => C::MuxQuery,
        ("CIPMUX", _, Some(_)) => C::Mux(flag(&params, "MX-2")?),
        ("CIPMODE", "?", _) => C::ModeQuery,
        ("CIPMODE", _, Some(_)) => C::Mode(flag(&params, "MD-2")?),
        ("CIPSNTPCFG", "?", _) => C::SntpQuery,
        ("CIPSNTPCFG", _, Some(_)) => sntp(&params)?,
        ("CIPSNTPTIME", "?", _) => C::SntpTime,
        ("PING", _, Some(_)) => match &params[..] {
            [h] if !h.text.is_empty() => C::Ping,
            _ => return Err(refuse("PG-1", "one host")),
        },
        ("CIPDOMAIN", _, Some(_)) => match &params[..] {
            [n] => C::Domain(domain(&n.text)?),
            _ => return Err(refuse("DM-1", "one name")),
        },
        ("CIPDNS", "?", _) => C::DnsQuery,
        ("CIPDNS", _, Some(_)) => dns(&params)?,
        ("CIPSSLCPSK", "?", _) => C::PskQuery,
        ("CIPSSLCPSK", _, Some(_)) => {
            C::Psk(params.into_iter().map(|t| (t.text, t.quoted)).collect())
        }
        (
            "RST" | "RESTORE" | "GMR" | "SYSSTORE" | "CIPSTATUS" | "CIPSTART" | "CIPSEND"
            | "CIPCLOSE" | "CIPMUX" | "CIPMODE" | "CIPSNTPCFG" | "CIPSNTPTIME" | "PING"
            | "CIPDOMAIN" | "CIPDNS" | "CIPSSLCPSK",
            _,
            _,
        ) => return wrong(),
        _ => return Err(refuse("G-4", format!("AT+{name}: an unknown command"))),
    };
    Ok(c)
}

/// G-5: comma-separated parameters, quoted (escapes `\"`, `\\`, `\,`) or
/// bare, spaces allowed after a comma only. `None`: written in a way G-5
/// does not describe (a trailing comma, a space elsewhere, another escape).
fn tokens(s: &str) -> Option<Vec<Tok>> {
    let b = s.as_bytes();
    let (mut out, mut i) = (Vec::new(), 0);
    loop {
        if !out.is_empty() {
            while b.get(i) == Some(&b' ') {
                i += 1;
            }
        }
        let mut text = Vec::new();
        let quoted = b.get(i) == Some(&b'"');
        if quoted {
            i += 1;
            loop {
                match *b.get(i)? {
                    b'"' => break,
                    b'\\' => match *b.get(i + 1)? {
                        c @ (b'"' | b'\\' | b',') => {
                            text.push(c);
                            i += 1;
                        }
                        _ => return None,
                    },
                    c => text.push(c),
                }
                i += 1;
            }
            i += 1;
        } else {
            while let Some(&c) = b.get(i).filter(|&&c| c != b',') {
                if c == b'"' || c == b' ' || c == b'\\' {
                    return None;
                }
                text.push(c);
                i += 1;
            }
            if text.is_empty() {
                return None;
            }
        }
        out.push(Tok {
            text: String::from_utf8(text).ok()?,
            quoted,
        });
        match b.get(i) {
            None => return Some(out),
            Some(b',') if i + 1 < b.len() => i += 1,
            _ => return None,
        }
    }
}

/// An integer parameter (G-5: decimal, optional leading `-`, not quoted).
fn int(t: &Tok, clause: &'static str) -> Result<i64, Parsed> {
    let digits = t.text.strip_prefix('-').unwrap_or(&t.text);
    if t.quoted {
        return Err(Parsed::Unsure); // a quoted number: G-5 is silent
    }
    if digits.is_empty() || !digits.bytes().all(|c| c.is_ascii_digit()) {
        return Err(refuse(clause, format!("`{}` is no integer", t.text)));
    }
    Ok(t.text.parse::<i64>().unwrap_or(i64::MAX))
}

fn ranged(t: &Tok, r: std::ops::RangeInclusive<i64>, clause: &'static str) -> Result<i64, Parsed> {
    let n = int(t, clause)?;
    match r.contains(&n) {
        true => Ok(n),
        false => Err(refuse(clause, format!("{n} is out of range"))),
    }
}

/// A `<0|1>` setting, alone on its line.
fn flag(p: &[Tok], clause: &'static str) -> Result<bool, Parsed> {
    match p {
        [t] => Ok(ranged(t, 0..=1, clause)? == 1),
        _ => Err(refuse(clause, "one parameter")),
    }
}

/// Dotted IPv4; leading zeros are left open (`Err(true)`), anything else
/// is not an address (`Err(false)`).
pub fn ipv4(s: &str) -> Result<Ipv4Addr, bool> {
    let parts: Vec<&str> = s.split('.').collect();
    let digits = |p: &&str| !p.is_empty() && p.len() <= 3 && p.bytes().all(|c| c.is_ascii_digit());
    if parts.len() != 4 || !parts.iter().all(digits) {
        return Err(false);
    }
    if parts.iter().any(|p| p.len() > 1 && p.starts_with('0')) {
        return Err(true);
    }
    let n: Vec<u16> = parts.iter().map(|p| p.parse().unwrap_or(999)).collect();
    match n.iter().all(|&x| x <= 255) {
        true => Ok(Ipv4Addr::new(
            n[0] as u8, n[1] as u8, n[2] as u8, n[3] as u8,
        )),
        false => Err(true),
    }
}

/// A host parameter (SS-4): an address, or a name of at most 64 bytes.
fn host(s: &str, clause: &'static str) -> Result<Host, Parsed> {
    match ipv4(s) {
        Ok(ip) => Ok(Host::Ip(ip)),
        Err(true) => Err(Parsed::Unsure),
        Err(false) if s.is_empty() => Err(Parsed::Unsure),
        Err(false) if s.len() > MAX_HOST => Err(refuse(clause, "a name over 64 bytes")),
        Err(false) => Ok(Host::Name(s.to_string())),
    }
}

fn start(p: &[Tok]) -> Result<Start, Parsed> {
    if !(4..=7).contains(&p.len()) {
        return Err(refuse("SS-1", format!("{} parameters", p.len())));
    }
    let id = ranged(&p[0], 0..=i64::from(LINKS) - 1, "SS-2")? as u8;
    let kind = match p[1].text.to_ascii_uppercase().as_str() {
        "0" | "TCP" => Kind::Tcp,
        "1" | "UDP" => Kind::Udp,
        "2" | "TLS" | "SSL" => Kind::Tls,
        "3" | "DTLS" => Kind::Dtls,
        other => return Err(refuse("SS-3", format!("type `{other}`"))),
    };
    let host = host(&p[2].text, "SS-4")?;
    let port = ranged(&p[3], 1..=65535, "SS-5")? as u16;
    // SS-1 puts the keepalive fifth; the page's UDP server example (and
    // SS-8's "meaningful for TCP and TLS only") leaves it out for UDP.
    let (keepalive, server) = match (kind.datagram(), p.len()) {
        (_, 4) => (None, None),
        (false, 5) => (Some(&p[4]), None),
        (false, 7) => (Some(&p[4]), Some((&p[5], &p[6]))),
        (true, 6) => (None, Some((&p[4], &p[5]))),
        _ => return Err(Parsed::Unsure),
    };
    if let Some(k) = keepalive {
        ranged(k, 0..=MAX_KEEPALIVE, "SS-5")?;
    }
    let server = match server {
        None => None,
        Some((local, ip)) => {
            let local = int(local, "SS-8")?;
            let Ok(ip) = ipv4(&ip.text) else {
                return Err(Parsed::Unsure);
            };
            match u16::try_from(local) {
                Ok(l) if l > 0 && !matches!(kind, Kind::Tls | Kind::Dtls) => Some((l, ip)),
                _ => return Err(Parsed::Unsure),
            }
        }
    };
    Ok(Start {
        id,
        kind,
        host,
        port,
        server,
    })
}

fn send(p: &[Tok]) -> Out {
    let (id, len, to) = match p {
        [id, len] => (id, len, false),
        [id, len, h, port] => {
            host(&h.text, "SD-1")?;
            ranged(port, 1..=65535, "SD-1")?;
            (id, len, true)
        }
        _ => return Err(refuse("SD-1", format!("{} parameters", p.len()))),
    };
    let id = ranged(id, 0..=i64::from(LINKS) - 1, "SS-2")? as u8;
    let len = ranged(len, 1..=MAX_SEND, "SD-2")? as u16;
    Ok(Command::Send { id, len, to })
}

fn sntp(p: &[Tok]) -> Out {
    if !(1..=3).contains(&p.len()) {
        return Err(refuse("NT-1", format!("{} parameters", p.len())));
    }
    let enable = ranged(&p[0], 0..=1, "NT-1")? == 1;
    let tz = match p.get(1) {
        Some(t) => Some(ranged(t, TZ, "NT-1")? as i8),
        None if enable => return Err(refuse("NT-1", "enable 1 without a timezone")),
        None => None,
    };
    let server = match p.get(2) {
        Some(s) => {
            host(&s.text, "NT-1")?;
            Some(s.text.clone())
        }
        None => None,
    };
    Ok(Command::Sntp { enable, tz, server })
}

fn domain(name: &str) -> Result<Host, Parsed> {
    match ipv4(name) {
        Ok(ip) => return Ok(Host::Ip(ip)),
        Err(true) => return Err(Parsed::Unsure),
        Err(false) => {}
    }
    if name.len() > MAX_DOMAIN {
        return Err(refuse("DM-1", "a name over 253 bytes"));
    }
    if name.split('.').any(|l| l.is_empty() || l.len() > MAX_LABEL) {
        return Err(refuse("DM-1", "an empty label or one over 63 bytes"));
    }
    Ok(Host::Name(name.to_string()))
}

fn dns(p: &[Tok]) -> Out {
    let enable = ranged(&p[0], 0..=1, "DN-2")?;
    let rest = &p[1..];
    if enable == 0 {
        return match rest.is_empty() {
            true => Ok(Command::Dns(None)),
            false => Err(refuse("DN-3", "CIPDNS=0 with an address")),
        };
    }
    if rest.len() > 3 {
        return Err(refuse("DN-2", "a fourth address"));
    }
    let mut list = Vec::new();
    for t in rest {
        match ipv4(&t.text) {
            Ok(ip) if list.contains(&ip) => return Err(refuse("DN-2", "the same address twice")),
            Ok(ip) => list.push(ip),
            Err(true) => return Err(Parsed::Unsure),
            Err(false) => return Err(refuse("DN-2", format!("`{}` is no address", t.text))),
        }
    }
    Ok(Command::Dns(Some(list)))
}
