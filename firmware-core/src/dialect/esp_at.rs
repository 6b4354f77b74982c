//! The `esp-at` dialect: Espressif's ESP-AT, as `conformance/spec/esp-at.md`
//! resolves it, clause by clause (EG, EB, EH, EW, ET, EQ, ES, EP, ER, EN,
//! ED, EI, EK).

use core::net::Ipv4Addr;
use core::time::Duration;

use super::{Dialect, Style, Wifi};
use crate::command::{Command, Entry, Table, one_flag};

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
        already_connected: Some("ALREADY CONNECTED"),
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

    uart_piece: 1024,
    packet_max: 2920,
    flush_after: Duration::from_millis(20),
    escape_guard: Duration::from_millis(20),
    escape_cooldown: Duration::from_secs(1),
    lf_window: Duration::from_millis(20),
    passthrough_buffer: 8192,

    tls_handshake_timeout: Duration::from_secs(10),
    dtls_retransmit: Duration::from_secs(1),
    dtls_max_retransmit: Duration::from_secs(8),

    sntp_server: "cn.ntp.org.cn",
    dns_fallback: Ipv4Addr::new(208, 67, 222, 222),

    uart_tx_buffer: 16384,
    max_reply: 2048,
    urc_buffer: 16384,
    net_queue: 32,
};

/// Every command of esp-at.md; anything else is `ERROR` (EG-5).
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
    Entry::new(b"+CIPMUX")
        .query(&Command::MuxQuery)
        .set(|a, _| Ok(Command::Mux(one_flag(a)?))),
    Entry::new(b"+CIPMODE")
        .query(&Command::ModeQuery)
        .set(|a, _| Ok(Command::Mode(one_flag(a)?))),
];
