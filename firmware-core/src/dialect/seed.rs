//! The `seed` dialect: `spec/DECISIONS.md`, clause by clause.

use core::net::Ipv4Addr;
use core::time::Duration;

use super::{Dialect, Style, TimeFormat};
use crate::command::{
    Command, Entry, Host, Invalid, Kind, LinkId, Result, Start, Table, Target, UdpMode, arg, arity,
    flag, host, int, is_domain_name, link, nonempty, one_flag, port, target,
};
use crate::parser::{Arg, Args, parse_ipv4};

/// The `seed` dialect: `spec/DECISIONS.md`.
pub const SEED: Dialect = Dialect {
    commands: Table(COMMANDS),
    style: Style {
        crlf_only: false,
        ok_before_prompt: false,
        recv_report: None,
        connect_on_start: false,
        closed_on_close: false,
        ipd_crlf_before: false,
        status_summary: "STATUS",
        already_connected: None,
        time_format: TimeFormat::Iso,
        clock_from_boot: false,
        clock_survives_restart: false,
        time_updated: None,
        escape_any: false,
        restart_drops_input: false,
        list_empty_psk: false,
    },
    wifi: None,
    name: "seed",
    version_lines: &["AT version:0.1.0(atcert firmware-core)", "dialect:seed"],

    ok: "OK",
    error: "ERROR",
    cmdrsp_error: "CMDRSP:ERROR",
    send_fail: "CMDRSP:ERROR",
    send_ok: "SEND OK",
    prompt: ">",
    busy: "busy p...",
    ready: "ready",
    connect: "CONNECT",
    closed: "CLOSED",
    ipd: "+IPD",
    status: "+BIPSTATUS",
    link_types: ["TCP", "UDP", "TLS", "DTLS"],
    ping_timeout: "TIMEOUT",

    links: 5,
    max_line: 256,
    max_host: 64,
    max_send: 2048,
    max_keepalive: 7200,
    keepalive_interval: Duration::from_secs(1),
    keepalive_count: 3,
    max_psk: 48,
    max_timezone: 12,

    connect_timeout: Duration::from_secs(5),
    ping_timeout_after: Duration::from_secs(1),
    dns_timeout: Duration::from_secs(1),
    sntp_interval: Duration::from_secs(3600),
    sntp_retry: Duration::from_secs(15),
    restart_time: Duration::from_millis(300),
    send_timeout: Duration::from_secs(10),

    line_rate: 115_200,
    line_rates: (115_200, 115_200),
    uart_piece: 1024,
    packet_max: 1460,
    flush_after: Duration::from_millis(20),
    escape_guard: Duration::from_millis(20),
    escape_cooldown: Duration::from_secs(1),
    lf_window: Duration::from_millis(20),
    flush_after_silence: false,
    passthrough_redial: None,
    ipd_max: usize::MAX,
    passthrough_buffer: 8192,
    passive_buffer: 0,

    tls_handshake_timeout: Duration::from_secs(10),
    dtls_retransmit: Duration::from_secs(1),
    dtls_max_retransmit: Duration::from_secs(8),

    sntp_servers: &["pool.ntp.org"],
    dns_fallback: &[Ipv4Addr::new(208, 67, 222, 222)],

    uart_tx_buffer: 8192,
    max_reply: 1024,
    urc_buffer: 8192,
    net_queue: 32,
};

/// Every command of DECISIONS.md; anything else is `ERROR` (G-4), as is a
/// form a command lacks (`AT+CIPSTATUS` without `?`).
const COMMANDS: &[Entry] = &[
    Entry::new(b"").exec(&Command::At),
    Entry::new(b"E0").exec(&Command::Echo(false)),
    Entry::new(b"E1").exec(&Command::Echo(true)),
    Entry::new(b"+RST").exec(&Command::Reset),
    Entry::new(b"+RESTORE").exec(&Command::Restore),
    Entry::new(b"+GMR").exec(&Command::Version),
    Entry::new(b"+SYSSTORE")
        .query(&Command::SysstoreQuery)
        .set(|a, _| Ok(Command::Sysstore(one_flag(a)?))),
    Entry::new(b"+CIPSTATUS").query(&Command::Status),
    Entry::new(b"+CIPSTART").set(|a, c| Ok(Command::Start(start(a, c.d)?))),
    Entry::new(b"+CIPSEND")
        .exec(&Command::Passthrough)
        .set(|a, c| send(a, c.d)),
    Entry::new(b"+CIPCLOSE").set(|a, c| {
        arity(a, 1, 1)?;
        Ok(Command::Close(target(a, 0, c.d)?))
    }),
    Entry::new(b"+CIPMUX")
        .query(&Command::MuxQuery)
        .set(|a, _| Ok(Command::Mux(one_flag(a)?))),
    Entry::new(b"+CIPMODE")
        .query(&Command::ModeQuery)
        .set(|a, _| Ok(Command::Mode(one_flag(a)?))),
    Entry::new(b"+CIPSNTPCFG")
        .query(&Command::SntpConfigQuery)
        .set(|a, c| sntp_config(a, c.d)),
    Entry::new(b"+CIPSNTPTIME").query(&Command::SntpTime),
    Entry::new(b"+PING").set(|a, _| {
        arity(a, 1, 1)?;
        Ok(Command::Ping(host(arg(a, 0)?, usize::MAX)?))
    }),
    Entry::new(b"+CIPDOMAIN").set(|a, _| {
        arity(a, 1, 1)?;
        Ok(Command::Domain {
            name: nonempty(arg(a, 0)?)?,
            timeout: None,
        })
    }),
    Entry::new(b"+CIPDNS")
        .query(&Command::DnsQuery)
        .set(|a, _| dns(a)),
    Entry::new(b"+CIPSSLCPSK")
        .query(&Command::PskQuery)
        .set(|a, c| psk(a, c.d, c.mux)),
];

/// SS-3: a number or a name, in any case.
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
        local_port: None,
        local_ip: None,
        udp_mode: UdpMode::Fixed,
        timeout: None,
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
        escapes: false,
    })
}

/// NT-1.
fn sntp_config<'x>(a: &'x Args<'_>, d: &Dialect) -> Result<Command<'x>> {
    arity(a, 1, 3)?;
    let enable = flag(a, 0)?;
    let tz = i64::from(d.max_timezone);
    let timezone = match a.get(1) {
        Some(x) if !x.is_omitted() => Some(int(a, 1, -tz, tz)? as i16 * 60),
        _ if enable => return Err(Invalid),
        _ => None,
    };
    let servers = match a.get(2) {
        Some(x) if !x.is_omitted() => match host(x, d.max_host)? {
            // Not a name the resolver could ever ask about: out of range
            // (G-4), not a server retried in vain every 15 s.
            Host::Name(name) if !is_domain_name(name) => return Err(Invalid),
            _ => Some(heapless::Vec::from_iter([x.bytes()])),
        },
        _ => None,
    };
    Ok(Command::SntpConfig {
        enable,
        timezone,
        servers,
    })
}

/// DN-2, DN-3.
fn dns<'x>(a: &'x Args<'x>) -> Result<Command<'x>> {
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
