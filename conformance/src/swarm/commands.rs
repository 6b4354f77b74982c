//! Command lines of the seed dialect, written the many ways the dialect
//! allows (quoted or not, names or addresses, spaces after commas, CR, LF
//! or CRLF), plus lines it must refuse and random mutations of valid ones.

use std::net::Ipv4Addr;

use super::rng::Rng;
use super::session::{Cmd, Command, SILENT_IP, peer_ip, peer_name};

/// A line end (G-1: CRLF, or a lone CR or LF).
fn end(r: &mut Rng) -> &'static str {
    ["\r\n", "\r", "\n"][r.weighted(&[86, 7, 7])]
}

/// A parameter separator (G-5: spaces after a comma are ignored).
fn sep(r: &mut Rng) -> &'static str {
    if r.chance(8) { ", " } else { "," }
}

/// A command from its text and meaning, with a random line end.
pub fn command(r: &mut Rng, cmd: Cmd, text: &str) -> Command {
    Command {
        cmd,
        line: format!("{text}{}", end(r)).into_bytes(),
    }
}

/// An IPv4 address as a parameter: quoted or bare (G-5).
fn ip(r: &mut Rng, a: Ipv4Addr) -> String {
    if r.chance(80) {
        format!("\"{a}\"")
    } else {
        a.to_string()
    }
}

/// `AT+CIPSTART` in range: link `id` to `remote:port`, the host named by
/// its address or (for a peer host) its DNS name; `server` adds the
/// server form's local port.
pub fn start(
    r: &mut Rng,
    id: u32,
    udp: bool,
    remote: Ipv4Addr,
    port: u32,
    server: Option<u16>,
) -> Command {
    let kind = match udp {
        true => *r.pick(&["\"UDP\"", "\"udp\"", "UDP", "1"]),
        false => *r.pick(&["\"TCP\"", "\"tcp\"", "TCP", "0", "\"Tcp\""]),
    };
    let named = (110..115).contains(&remote.octets()[3]) && remote.octets()[..3] == [192, 168, 0];
    let host = if named && r.chance(15) {
        format!("\"{}\"", peer_name(u32::from(remote.octets()[3] - 110)))
    } else {
        ip(r, remote)
    };
    let s = sep(r);
    let mut text = format!("AT+CIPSTART={id}{s}{kind}{s}{host}{s}{port}");
    match (udp, server) {
        (false, Some(local)) => {
            let own = *r.pick(&[Ipv4Addr::UNSPECIFIED, sim::MODULE_IP]);
            let own = ip(r, own);
            text += &format!(",{},{local},{own}", r.below(2) * 60);
        }
        (true, Some(local)) => {
            let own = *r.pick(&[Ipv4Addr::UNSPECIFIED, sim::MODULE_IP]);
            let own = ip(r, own);
            text += &format!(",{local},{own}");
        }
        (false, None) if r.chance(15) => text += &format!(",{}", r.pick(&[0, 1, 60, 7200])),
        _ => {}
    }
    let cmd = Cmd::Start {
        id,
        udp,
        remote,
        port,
        server,
    };
    command(r, cmd, &text)
}

/// A valid command that changes nothing the checks follow.
pub fn query(r: &mut Rng) -> Command {
    let peer = peer_ip(r.below(5) as u32);
    let texts = [
        "AT".to_string(),
        "AT+GMR".into(),
        "AT+CIPMUX?".into(),
        "AT+CIPMODE?".into(),
        "AT+SYSSTORE?".into(),
        "AT+CIPDNS?".into(),
        "AT+CIPSNTPCFG?".into(),
        "AT+CIPSNTPTIME?".into(),
        "AT+CIPSSLCPSK?".into(),
        format!("AT+PING={}", ip(r, peer)),
        format!("AT+PING=\"{}\"", peer_name(r.below(5) as u32)),
        format!("AT+CIPDOMAIN=\"{}\"", peer_name(r.below(5) as u32)),
        "AT+CIPDOMAIN=\"nowhere.lan\"".into(),
        format!(
            "AT+CIPSNTPCFG=1,{},\"pool.ntp.org\"",
            r.range(0, 24) as i64 - 12
        ),
        "AT+CIPSNTPCFG=0".into(),
        format!(
            "AT+CIPSSLCPSK=\"{}\",\"id\"",
            "k".repeat(r.range(1, 48) as usize)
        ),
    ];
    let text = r.pick(&texts).clone();
    command(r, Cmd::Query, &text)
}

/// A command that takes a while (a connection to a silent host, a ping
/// or a name that times out), for `busy p...` (G-6).
pub fn slow(r: &mut Rng) -> Command {
    match r.below(3) {
        0 => {
            let id = r.below(5) as u32;
            start(r, id, false, SILENT_IP, 80, None)
        }
        1 => command(r, Cmd::Query, &format!("AT+PING=\"{SILENT_IP}\"")),
        _ => command(r, Cmd::Query, "AT+CIPDOMAIN=\"nowhere.lan\""),
    }
}

/// Settings commands (B-5, B-6, DN-2, DN-3).
pub fn settings(r: &mut Rng) -> Command {
    match r.below(4) {
        0 => {
            let on = r.chance(60);
            command(
                r,
                Cmd::SysStore(on),
                &format!("AT+SYSSTORE={}", u8::from(on)),
            )
        }
        1 => command(r, Cmd::DnsAuto, "AT+CIPDNS=0"),
        _ => {
            let pool = [
                Ipv4Addr::new(192, 168, 0, 1),
                Ipv4Addr::new(192, 168, 0, 53),
                Ipv4Addr::new(8, 8, 8, 8),
                Ipv4Addr::new(10, 0, 0, 1),
            ];
            let n = r.below(4) as usize;
            let first = r.below(4) as usize;
            let servers: Vec<Ipv4Addr> = (0..n).map(|k| pool[(first + k) % 4]).collect();
            let mut text = "AT+CIPDNS=1".to_string();
            for s in &servers {
                text += sep(r);
                text += &ip(r, *s);
            }
            command(r, Cmd::Dns(servers), &text)
        }
    }
}

/// A line the dialect must refuse in any state.
pub fn invalid(r: &mut Rng) -> Command {
    let p = peer_ip(0);
    let texts = [
        format!("AT+CIPSTART=5,\"TCP\",\"{p}\",2000"),
        format!("AT+CIPSTART=0,\"TCP\",\"{p}\",0"),
        format!("AT+CIPSTART=0,\"TCP\",\"{p}\",65536"),
        format!("AT+CIPSTART=0,\"FOO\",\"{p}\",2000"),
        format!("AT+CIPSTART=0,\"TCP\",\"{p}\",2000,7201"),
        "AT+CIPSTART=0,\"TCP\"".into(),
        "AT+CIPSTART".into(),
        "AT+CIPSEND=0,0".into(),
        "AT+CIPSEND=0,2049".into(),
        "AT+CIPSEND=5,10".into(),
        "AT+CIPCLOSE=6".into(),
        "AT+CIPCLOSE=-1".into(),
        "AT+CIPMUX=2".into(),
        "AT+CIPMUX=1,1".into(),
        "AT+CIPMODE=2".into(),
        "AT+SYSSTORE=2".into(),
        "AT+CIPSTATUS".into(),
        "AT+CIPMUX=?".into(),
        "AT+FOO".into(),
        "AT+PING".into(),
        "AT+CIPDNS=0,\"1.2.3.4\"".into(),
        "AT+CIPDNS=1,\"1.2.3.4\",\"1.2.3.4\"".into(),
        "AT+CIPDNS=1,\"1.1.1.1\",\"2.2.2.2\",\"3.3.3.3\",\"4.4.4.4\"".into(),
        "AT+CIPDNS=1,\"1.2.3\"".into(),
        "AT+CIPSNTPCFG=1,13".into(),
        format!("AT+{}", "A".repeat(r.range(254, 400) as usize)),
        format!("AT+CIPDOMAIN=\"{}.lan\"", "a".repeat(64)),
    ];
    let text = r.pick(&texts).clone();
    command(r, Cmd::Invalid, &text)
}

/// Commands a random line must not become: a prompt or a restart would
/// leave the host's view of the module behind.
const AVOID: [&str; 3] = ["AT+CIPSEND", "AT+RST", "AT+RESTORE"];

/// A valid line, mutated: characters dropped, inserted, changed, cut.
pub fn unknown(r: &mut Rng) -> Command {
    let base = match r.below(3) {
        0 => query(r).line,
        1 => settings(r).line,
        _ => {
            let (id, udp) = (r.below(6) as u32, r.chance(30));
            start(r, id, udp, peer_ip(0), 2000, None).line
        }
    };
    let mut text: Vec<u8> = base
        .into_iter()
        .filter(|&b| b != b'\r' && b != b'\n')
        .collect();
    for _ in 0..r.range(1, 3) {
        let at = r.below(text.len() as u64 + 1) as usize;
        let printable = r.range(0x20, 0x7e) as u8;
        match r.below(5) {
            0 if at < text.len() => drop(text.remove(at)),
            1 => text.insert(at, printable),
            2 if at < text.len() => text[at] = printable,
            3 => text.truncate(at),
            _ => text.insert(at, *r.pick(b",\"=?")),
        }
    }
    if text.iter().all(|&b| b == b' ') {
        text.push(b'x');
    }
    let upper = text.to_ascii_uppercase();
    if AVOID.iter().any(|a| upper.starts_with(a.as_bytes())) {
        text.insert(0, b'x');
    }
    command(r, Cmd::Unknown, &String::from_utf8_lossy(&text))
}
