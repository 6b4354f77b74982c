//! The `esp-at` dialect: Espressif's ESP-AT, as `conformance/spec/esp-at.md`
//! resolves it, clause by clause (EG, EB, EH, EW, ET, EQ, ES, EP, ER, EN,
//! ED, EI, EK).

use core::net::Ipv4Addr;
use core::time::Duration;

use super::{Dialect, Style, TimeFormat, Wifi};
use crate::command::{
    Command, Ctx, Entry, Invalid, Join, Kind, LinkId, Result, Start, Station, Table, Target,
    UdpMode, arg, arity, flag, host, int, link, nonempty, one_flag, port, target,
};
use crate::parser::{Arg, Args, parse_ipv4};

/// The `esp-at` dialect.
pub const ESP_AT: Dialect = Dialect {
    name: "esp-at",
    // EB-4: four lines; hosts cut the version at the first `(`.
    version_lines: &[
        "AT version:4.1.1.0(atcert firmware-core - esp-at dialect - Dec  6 2026)",
        "SDK version:atcert",
        "compile time(atcert):Dec  6 2026 00:00:00",
        "Bin version:4.1.1(atcert esp-at)",
    ],
    commands: Table(COMMANDS),
    style: Style {
        crlf_only: true,
        ok_before_prompt: true,
        recv_report: Some(("Recv ", " bytes")),
        connect_on_start: true,
        closed_on_close: true,
        ipd_crlf_before: true,
        status_summary: "STATUS",
        already_connected: Some("ALREADY CONNECTED"),
        time_format: TimeFormat::Asctime,
        clock_from_boot: true,
        clock_survives_restart: true,
        time_updated: Some("+TIME_UPDATED"),
        escape_any: true,
        restart_drops_input: true,
        list_empty_psk: true,
    },
    wifi: Some(Wifi {
        connected: "WIFI CONNECTED",
        got_ip: "WIFI GOT IP",
        disconnected: "WIFI DISCONNECT",
        no_ap: "No AP",
        mac: [0x7c, 0xdf, 0xa1, 0x00, 0x00, 0x01],
        max_ssid: 32,
        max_password: 64,
        join_timeout: Duration::from_secs(15),
        inactive_time: Duration::from_secs(6),
        scan_time: Duration::from_secs(2),
    }),

    ok: "OK",
    error: "ERROR",
    cmdrsp_error: "ERROR",
    send_fail: "SEND FAIL",
    send_ok: "SEND OK",
    prompt: ">",
    busy: "busy p...",
    ready: "ready",
    connect: "CONNECT",
    closed: "CLOSED",
    ipd: "+IPD",
    status: "+CIPSTATUS",
    link_types: ["TCP", "UDP", "SSL", "DTLS"],
    ping_timeout: "TIMEOUT",

    links: 5,
    max_line: 256,
    max_host: 64,
    max_send: 8192,
    max_keepalive: 7200,
    keepalive_interval: Duration::from_secs(1),
    keepalive_count: 3,
    max_psk: 32,
    max_timezone: 14,

    connect_timeout: Duration::from_secs(20),
    ping_timeout_after: Duration::from_secs(1),
    dns_timeout: Duration::from_secs(2),
    sntp_interval: Duration::from_secs(3600),
    sntp_retry: Duration::from_secs(15),
    restart_time: Duration::from_millis(300),
    send_timeout: Duration::from_secs(10),

    line_rate: 115_200,
    // EH-1: ESP-AT's range.
    line_rates: (80, 5_000_000),
    uart_piece: 1024,
    packet_max: 2920,
    flush_after: Duration::from_millis(20),
    escape_guard: Duration::from_millis(20),
    escape_cooldown: Duration::from_secs(1),
    lf_window: Duration::from_millis(20),
    flush_after_silence: true,
    passthrough_redial: Some(Duration::from_millis(100)),
    ipd_max: 2920,
    passthrough_buffer: 8192,
    passive_buffer: 5760,

    tls_handshake_timeout: Duration::from_secs(10),
    dtls_retransmit: Duration::from_secs(1),
    dtls_max_retransmit: Duration::from_secs(8),

    sntp_servers: &["cn.ntp.org.cn", "ntp.sjtu.edu.cn", "us.pool.ntp.org"],
    dns_fallback: &[
        Ipv4Addr::new(208, 67, 222, 222),
        Ipv4Addr::new(114, 114, 114, 114),
        Ipv4Addr::new(8, 8, 8, 8),
    ],

    uart_tx_buffer: 16384,
    max_reply: 2048,
    urc_buffer: 16384,
    net_queue: 32,
};

/// Every command of esp-at.md; anything else is `ERROR` (EG-5), as is a
/// form a command lacks.
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
    // EW: the station.
    Entry::new(b"+CWMODE")
        .query(&Command::Station(Station::ModeQuery))
        .set(|a, _| {
            arity(a, 1, 2)?;
            let auto_connect = optional(a, 1, 0, 1)?.is_none_or(|v| v == 1);
            Ok(Command::Station(Station::Mode {
                mode: int(a, 0, 0, 3)? as u8,
                auto_connect,
            }))
        }),
    Entry::new(b"+CWJAP")
        .exec(&Command::Station(Station::Join(Join::STORED)))
        .query(&Command::Station(Station::JoinQuery))
        .set(join),
    Entry::new(b"+CWQAP").exec(&Command::Station(Station::Leave)),
    Entry::new(b"+CWSTATE").query(&Command::Station(Station::StateQuery)),
    Entry::new(b"+CIFSR").exec(&Command::Station(Station::Addresses)),
    Entry::new(b"+CIPSTA").query(&Command::Station(Station::AddressQuery)),
    Entry::new(b"+CIPSTAMAC").query(&Command::Station(Station::MacQuery)),
    Entry::new(b"+CWAUTOCONN")
        .query(&Command::Station(Station::AutoConnectQuery))
        .set(|a, _| Ok(Command::Station(Station::AutoConnect(one_flag(a)?)))),
    Entry::new(b"+CWRECONNCFG")
        .query(&Command::Station(Station::ReconnectQuery))
        .set(|a, _| {
            arity(a, 2, 2)?;
            Ok(Command::Station(Station::Reconnect {
                interval: int(a, 0, 0, 7200)? as u16,
                repeat: int(a, 1, 0, 1000)? as u16,
            }))
        }),
    Entry::new(b"+CWDHCP")
        .query(&Command::Station(Station::DhcpQuery))
        .set(|a, _| {
            arity(a, 2, 2)?;
            Ok(Command::Station(Station::Dhcp {
                on: flag(a, 0)?,
                mask: int(a, 1, 1, 3)? as u8,
            }))
        }),
    Entry::new(b"+CWLAP").exec(&Command::Station(Station::Scan)),
    Entry::new(b"+CWLAPOPT").set(|a, _| {
        arity(a, 2, 4)?;
        int(a, 0, 0, 1)?;
        Ok(Command::Station(Station::ScanOptions {
            mask: int(a, 1, 0, 2047)? as u16,
            rssi_min: optional(a, 2, -100, 40)?.unwrap_or(-100) as i8,
            auth_mask: optional(a, 3, 0, 65535)?.unwrap_or(65535) as u16,
        }))
    }),
    // ET, EQ: links.
    Entry::new(b"+CIPMUX")
        .query(&Command::MuxQuery)
        .set(|a, _| Ok(Command::Mux(one_flag(a)?))),
    Entry::new(b"+CIPSTART").set(start),
    Entry::new(b"+CIPCLOSE")
        .exec(&Command::CloseSingle)
        .set(|a, c| {
            // ET-2: the link ID only with CIPMUX=1.
            if !c.mux {
                return Err(Invalid);
            }
            arity(a, 1, 1)?;
            Ok(Command::Close(target(a, 0, c.d)?))
        }),
    Entry::new(b"+CIPSERVER")
        .query(&Command::ServerQuery)
        .set(|a, _| {
            arity(a, 1, 3)?;
            let on = flag(a, 0)?;
            if on {
                // `<port>` (333), then `"TCP"` only; no SSL server here.
                let port = optional(a, 1, 1, 65535)?.unwrap_or(333) as u16;
                if let Some(kind) = optional_str(a, 2)?
                    && kind != b"TCP"
                {
                    return Err(Invalid);
                }
                Ok(Command::Server {
                    port: Some(port),
                    close_clients: false,
                })
            } else {
                arity(a, 1, 2)?;
                Ok(Command::Server {
                    port: None,
                    close_clients: optional(a, 1, 0, 1)? == Some(1),
                })
            }
        }),
    Entry::new(b"+CIPSERVERMAXCONN")
        .query(&Command::ServerMaxQuery)
        .set(|a, c| {
            arity(a, 1, 1)?;
            Ok(Command::ServerMax(int(a, 0, 1, i64::from(c.d.links))? as u8))
        }),
    Entry::new(b"+CIPSTO")
        .query(&Command::ServerTimeoutQuery)
        .set(|a, _| {
            arity(a, 1, 1)?;
            Ok(Command::ServerTimeout(int(a, 0, 0, 7200)? as u16))
        }),
    Entry::new(b"+CIPSTATE").query(&Command::LinkStates),
    Entry::new(b"+CIPSTATUS").exec(&Command::LinkStatus),
    // EH: what hosts send while starting.
    Entry::new(b"+UART_CUR")
        .query(&Command::UartQuery { stored: false })
        .set(|a, c| uart(a, c, false)),
    Entry::new(b"+UART_DEF")
        .query(&Command::UartQuery { stored: true })
        .set(|a, c| uart(a, c, true)),
    // EK: SSL with a pre-shared key.
    Entry::new(b"+CIPSSLCPSK")
        .query(&Command::PskQuery)
        .set(psk),
    Entry::new(b"+CIPSSLCCONF")
        .query(&Command::SslConfigQuery)
        .set(|a, c| {
            let at = usize::from(c.mux);
            if c.mux {
                target(a, 0, c.d)?;
            }
            arity(a, at + 1, at + 3)?;
            // EK-4: certificates (1-3) are out of scope.
            int(a, at, 0, 0)?;
            optional(a, at + 1, 0, 255)?;
            optional(a, at + 2, 0, 255)?;
            Ok(Command::At)
        }),
    // ER: receiving.
    Entry::new(b"+CIPDINFO")
        .query(&Command::DinfoQuery)
        .set(|a, _| Ok(Command::Dinfo(one_flag(a)?))),
    Entry::new(b"+CIPRECVMODE")
        .query(&Command::ReceiveModeQuery)
        .set(|a, _| {
            Ok(Command::ReceiveMode {
                target: Target::All,
                passive: one_flag(a)?,
            })
        }),
    Entry::new(b"+CIPRECVTYPE")
        .query(&Command::ReceiveTypeQuery)
        .set(|a, c| {
            let (target, at) = if c.mux {
                (target(a, 0, c.d)?, 1)
            } else {
                (Target::One(LinkId(0)), 0)
            };
            arity(a, at + 1, at + 2)?;
            // `<data_len_report_mode>` 1 is out of scope (ER-3).
            optional(a, at + 1, 0, 0)?;
            Ok(Command::ReceiveMode {
                target,
                passive: flag(a, at)?,
            })
        }),
    Entry::new(b"+CIPRECVDATA").set(|a, c| {
        let (link, at) = if c.mux {
            (link(a, 0, c.d)?, 1)
        } else {
            (LinkId(0), 0)
        };
        arity(a, at + 1, at + 1)?;
        Ok(Command::ReceiveData {
            link,
            len: int(a, at, 1, i64::from(i32::MAX))? as usize,
        })
    }),
    Entry::new(b"+CIPRECVLEN").query(&Command::ReceiveLengths),
    // ES, EP.
    Entry::new(b"+CIPSEND")
        .exec(&Command::Passthrough)
        .set(send),
    Entry::new(b"+CIPSENDEX").set(send_ex),
    Entry::new(b"+CIPMODE")
        .query(&Command::ModeQuery)
        .set(|a, _| Ok(Command::Mode(one_flag(a)?))),
    // EN: SNTP.
    Entry::new(b"+CIPSNTPCFG")
        .query(&Command::SntpConfigQuery)
        .set(sntp_config),
    Entry::new(b"+CIPSNTPTIME").query(&Command::SntpTime),
    Entry::new(b"+CIPSNTPINTV")
        .query(&Command::SntpIntervalQuery)
        .set(|a, _| {
            arity(a, 1, 1)?;
            Ok(Command::SntpInterval(int(a, 0, 15, 4_294_967)? as u32))
        }),
    // ED, EI.
    Entry::new(b"+CIPDNS").query(&Command::DnsQuery).set(dns),
    Entry::new(b"+CIPDOMAIN").set(|a, _| {
        arity(a, 1, 3)?;
        // ED-1: IPv4 (1, 2); IPv6 (3) is out of scope.
        optional(a, 1, 1, 2)?;
        let timeout = match optional(a, 2, 0, 60_000)? {
            None | Some(0) => None,
            Some(ms) => Some(Duration::from_millis(ms as u64)),
        };
        Ok(Command::Domain {
            name: nonempty(quoted_arg(a, 0)?)?,
            timeout,
        })
    }),
    Entry::new(b"+PING").set(|a, _| {
        arity(a, 1, 1)?;
        Ok(Command::Ping(host(quoted_arg(a, 0)?, usize::MAX)?))
    }),
];

impl Join<'static> {
    /// EW-7: the execute form, the access point of the last join.
    const STORED: Join<'static> = Join {
        ap: None,
        bssid: None,
        reconnect_interval: None,
        listen_interval: 3,
        scan_mode: 0,
        timeout: None,
        pmf: 1,
    };
}

/// An optional integer parameter: `None` when left out or empty.
fn optional(a: &Args<'_>, i: usize, min: i64, max: i64) -> Result<Option<i64>> {
    match a.get(i) {
        None => Ok(None),
        Some(x) if x.is_omitted() => Ok(None),
        Some(_) => int(a, i, min, max).map(Some),
    }
}

/// EG-6: a string parameter must be quoted.
fn quoted_arg<'x>(a: &'x Args<'_>, i: usize) -> Result<&'x Arg<'x>> {
    let x = arg(a, i)?;
    if x.is_quoted() { Ok(x) } else { Err(Invalid) }
}

fn quoted<'x>(a: &'x Args<'_>, i: usize) -> Result<&'x [u8]> {
    quoted_arg(a, i).map(Arg::bytes)
}

/// An optional quoted string: `None` when left out or empty.
fn optional_str<'x>(a: &'x Args<'_>, i: usize) -> Result<Option<&'x [u8]>> {
    match a.get(i) {
        None => Ok(None),
        Some(x) if x.is_omitted() => Ok(None),
        Some(_) => quoted(a, i).map(Some),
    }
}

/// `"aa:bb:cc:dd:ee:ff"`.
fn mac(text: &[u8]) -> Result<[u8; 6]> {
    let mut out = [0u8; 6];
    let mut parts = text.split(|&b| b == b':');
    for byte in &mut out {
        let part = parts.next().ok_or(Invalid)?;
        let part = core::str::from_utf8(part).map_err(|_| Invalid)?;
        if part.len() != 2 {
            return Err(Invalid);
        }
        *byte = u8::from_str_radix(part, 16).map_err(|_| Invalid)?;
    }
    if parts.next().is_some() {
        return Err(Invalid);
    }
    Ok(out)
}

/// EW-4, EW-6, EW-7.
fn join<'a>(a: &'a Args<'a>, c: &Ctx<'_>) -> Result<Command<'a>> {
    arity(a, 1, 9)?;
    let wifi = c.d.wifi.as_ref().ok_or(Invalid)?;
    let ssid = optional_str(a, 0)?;
    let password = if a.len() > 1 {
        optional_str(a, 1)?
    } else {
        None
    };
    let ap = match (ssid, password) {
        (None, None) => None,
        (Some(ssid), password) => {
            let password = password.unwrap_or(b"");
            if ssid.is_empty() || ssid.len() > wifi.max_ssid || password.len() > wifi.max_password {
                return Err(Invalid);
            }
            Some((ssid, password))
        }
        (None, Some(_)) => return Err(Invalid),
    };
    let bssid = optional_str(a, 2)?.map(mac).transpose()?;
    // The fourth is `<authmode>` on master, `<pci_en>` before: hosts leave
    // it empty (EW-4).
    optional(a, 3, 0, 255)?;
    Ok(Command::Station(Station::Join(Join {
        ap,
        bssid,
        reconnect_interval: optional(a, 4, 0, 7200)?.map(|v| v as u16),
        listen_interval: optional(a, 5, 1, 100)?.unwrap_or(3) as u8,
        scan_mode: optional(a, 6, 0, 1)?.unwrap_or(0) as u8,
        timeout: optional(a, 7, 3, 600)?.map(|v| v as u16),
        pmf: optional(a, 8, 0, 3)?.unwrap_or(1) as u8,
    })))
}

/// ET-7: exactly the dialect's names (no DTLS here).
fn kind(x: &Arg<'_>, d: &crate::Dialect) -> Result<Kind> {
    if !x.is_quoted() {
        return Err(Invalid);
    }
    [Kind::Tcp, Kind::Udp, Kind::Tls]
        .into_iter()
        .find(|k| x.bytes() == d.link_types[usize::from(k.code())].as_bytes())
        .ok_or(Invalid)
}

/// ET-2, ET-3, ET-5, ET-6: positional parameters after the type; a link ID
/// first with CIPMUX=1.
fn start<'a>(a: &'a Args<'a>, c: &Ctx<'_>) -> Result<Command<'a>> {
    let d = c.d;
    let (id, at) = if c.mux {
        (link(a, 0, d)?, 1)
    } else {
        (LinkId(0), 0)
    };
    if a.len() < at + 3 {
        return Err(Invalid);
    }
    let kind = kind(arg(a, at)?, d)?;
    let host = host(quoted_arg(a, at + 1)?, d.max_host)?;
    let port = port(a, at + 2)?;
    let rest = at + 3;
    let timeout_at;
    let (mut keepalive, mut local_port, mut udp_mode) = (0, None, UdpMode::Fixed);
    let local_ip;
    if kind == Kind::Udp {
        // [,<local port>,<mode>[,<"local IP">]][,<timeout>]
        if a.len() > rest + 5 {
            return Err(Invalid);
        }
        local_port = optional(a, rest, 1, 65535)?.map(|v| v as u16);
        udp_mode = match optional(a, rest + 1, 0, 2)? {
            None | Some(0) => UdpMode::Fixed,
            Some(1) => UdpMode::Once,
            _ => UdpMode::Follow,
        };
        local_ip = address(a, rest + 2)?;
        timeout_at = rest + 3;
    } else {
        // [,<keep_alive>][,<"local IP">][,<timeout>]
        if a.len() > rest + 3 {
            return Err(Invalid);
        }
        keepalive = optional(a, rest, 0, i64::from(d.max_keepalive))?.unwrap_or(0) as u16;
        local_ip = address(a, rest + 1)?;
        timeout_at = rest + 2;
    }
    let timeout = match optional(a, timeout_at, 0, 60_000)? {
        None | Some(0) => None,
        Some(ms) => Some(Duration::from_millis(ms as u64)),
    };
    Ok(Command::Start(Start {
        link: id,
        kind,
        host,
        port,
        keepalive,
        server: None,
        local_port,
        local_ip,
        udp_mode,
        timeout,
    }))
}

/// ES-1, ES-2: `[<link ID>,]<length>[,<"remote host">,<remote port>]`.
fn send<'a>(a: &'a Args<'a>, c: &Ctx<'_>) -> Result<Command<'a>> {
    send_with(a, c, false)
}

/// ES-8: AT+CIPSENDEX, the same parameters.
fn send_ex<'a>(a: &'a Args<'a>, c: &Ctx<'_>) -> Result<Command<'a>> {
    send_with(a, c, true)
}

fn send_with<'a>(a: &'a Args<'a>, c: &Ctx<'_>, escapes: bool) -> Result<Command<'a>> {
    let d = c.d;
    let (link, at) = if c.mux {
        (link(a, 0, d)?, 1)
    } else {
        (LinkId(0), 0)
    };
    let to = match a.len() - at {
        1 => None,
        3 => Some((host(quoted_arg(a, at + 1)?, d.max_host)?, port(a, at + 2)?)),
        _ => return Err(Invalid),
    };
    Ok(Command::Send {
        link,
        len: int(a, at, 1, d.max_send as i64)? as usize,
        to,
        escapes,
    })
}

/// EN-1: `<timezone>` in whole hours, or `[+|-]hhmm`; minutes east of UTC.
fn timezone(v: i64, d: &crate::Dialect) -> Result<i16> {
    let max = i64::from(d.max_timezone);
    if (-12..=max).contains(&v) {
        return Ok((v * 60) as i16);
    }
    let (hours, minutes) = (v / 100, (v % 100).abs());
    if !(-12..=max).contains(&hours) || minutes > 59 {
        return Err(Invalid);
    }
    let sign = if v < 0 { -1 } else { 1 };
    Ok((hours * 60 + sign * minutes) as i16)
}

/// EN-1.
fn sntp_config<'a>(a: &'a Args<'a>, c: &Ctx<'_>) -> Result<Command<'a>> {
    arity(a, 1, 5)?;
    let enable = flag(a, 0)?;
    let timezone = match optional(a, 1, -99_999, 99_999)? {
        Some(v) => timezone(v, c.d)?,
        None => 0,
    };
    let mut servers = heapless::Vec::new();
    for i in 2..a.len() {
        let Some(server) = optional_str(a, i)? else {
            continue;
        };
        if server.is_empty() || server.len() > c.d.max_host {
            return Err(Invalid);
        }
        servers.push(server).map_err(|_| Invalid)?;
    }
    if servers.is_empty() {
        servers = c.d.sntp_servers.iter().map(|s| s.as_bytes()).collect();
    }
    Ok(Command::SntpConfig {
        enable,
        timezone: Some(timezone),
        servers: Some(servers),
    })
}

/// ED-4: `1[,<"ip">...]`, or `0` (addresses after it ignored).
fn dns<'a>(a: &'a Args<'a>, _: &Ctx<'_>) -> Result<Command<'a>> {
    arity(a, 1, 4)?;
    let manual = flag(a, 0)?;
    let mut servers = heapless::Vec::new();
    if manual {
        for i in 1..a.len() {
            let ip = parse_ipv4(quoted(a, i)?).ok_or(Invalid)?;
            if servers.contains(&ip) {
                return Err(Invalid);
            }
            servers.push(ip).map_err(|_| Invalid)?;
        }
    }
    Ok(Command::Dns { manual, servers })
}

/// EK-1: `[<link ID>,]<"psk">,<"hint">`, each 1 to 32 bytes.
fn psk<'a>(a: &'a Args<'a>, c: &Ctx<'_>) -> Result<Command<'a>> {
    let (target, at) = if c.mux {
        (target(a, 0, c.d)?, 1)
    } else {
        (Target::One(LinkId(0)), 0)
    };
    arity(a, at + 2, at + 2)?;
    let (key, identity) = (quoted(a, at)?, quoted(a, at + 1)?);
    let fits = |s: &[u8]| (1..=c.d.max_psk).contains(&s.len());
    if !fits(key) || !fits(identity) {
        return Err(Invalid);
    }
    Ok(Command::Psk {
        target,
        key,
        identity,
    })
}

/// An optional quoted IPv4 address; empty is none.
fn address(a: &Args<'_>, i: usize) -> Result<Option<core::net::Ipv4Addr>> {
    match optional_str(a, i)? {
        None | Some(b"") => Ok(None),
        Some(text) => parse_ipv4(text).map(Some).ok_or(Invalid),
    }
}

/// AT+UART_CUR / AT+UART_DEF's set form (EH-1, EH-5): any rate in the
/// dialect's range, 8N1 only (other framings are ERROR), flow 0-3.
fn uart<'a>(a: &'a Args<'a>, c: &Ctx<'_>, store: bool) -> Result<Command<'a>> {
    arity(a, 5, 5)?;
    let (low, high) = c.d.line_rates;
    let baud = int(a, 0, i64::from(low), i64::from(high))? as u32;
    int(a, 1, 8, 8)?;
    int(a, 2, 1, 1)?;
    int(a, 3, 0, 0)?;
    Ok(Command::Uart {
        baud,
        flow: int(a, 4, 0, 3)? != 0,
        store,
    })
}
