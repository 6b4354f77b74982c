//! A dialect: every command, number, string and behaviour the module's
//! contract fixes, in one value.
//!
//! Code paths never spell a reply, a limit or a timing: they read it from the
//! [`Dialect`] the module was built with, and the dialect's command table
//! says what each command line means. [`SEED`] is the contract of
//! `spec/DECISIONS.md`, [`ESP_AT`] that of `conformance/spec/esp-at.md`;
//! another dialect is another file here, not another code path. Clause IDs
//! name the source of each number.

use core::net::Ipv4Addr;
use core::time::Duration;

pub use crate::command::Table;

mod esp_at;
mod seed;

pub use esp_at::ESP_AT;
pub use seed::SEED;

/// Every dialect this build speaks.
pub const ALL: &[&Dialect] = &[&SEED, &ESP_AT];

/// The dialect called `name` (`seed`, `esp-at`).
pub fn by_name(name: &str) -> Option<&'static Dialect> {
    ALL.iter().copied().find(|d| d.name == name)
}

/// The names of every dialect, for a usage message.
pub fn names() -> impl Iterator<Item = &'static str> {
    ALL.iter().map(|d| d.name)
}

/// The most links any dialect may have: the size of the core's link table.
pub const MAX_LINKS: usize = 8;

/// The strings and numbers of one dialect of the AT TCP/IP instruction set.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Dialect {
    /// Short name, printed by `AT+GMR`.
    pub name: &'static str,
    /// Version lines of `AT+GMR` (B-4), before `OK`.
    pub version_lines: &'static [&'static str],
    /// What each command line means.
    pub commands: Table,
    /// Where the dialects' replies differ in shape, not in words.
    pub style: Style,
    /// The Wi-Fi station, for a dialect that has one; without it the
    /// network is up from boot, configured by the driver.
    pub wifi: Option<Wifi>,

    // ---- replies (G, SD, PT, RX) ----
    /// Final result of a command that succeeded.
    pub ok: &'static str,
    /// Final result of a command that failed.
    pub error: &'static str,
    /// CIPSEND refused before its prompt, and passthrough refused (SD-3,
    /// PT-1).
    pub cmdrsp_error: &'static str,
    /// CIPSEND's data did not go out (SD-5).
    pub send_fail: &'static str,
    /// CIPSEND's success (SD-5).
    pub send_ok: &'static str,
    /// The data prompt (G-8).
    pub prompt: &'static str,
    /// The reply to a command line while another command runs (G-6).
    pub busy: &'static str,
    /// Sent after power-on and every restart (B-2).
    pub ready: &'static str,
    /// Connection events (RX-2), after `<linkID>,` with CIPMUX=1.
    pub connect: &'static str,
    /// See `connect`.
    pub closed: &'static str,
    /// Received-data prefix (RX-1).
    pub ipd: &'static str,
    /// CIPSTATUS's per-link line prefix (ST-1).
    pub status: &'static str,
    /// CIPSTART's `<type>` names, by `Kind::code` (TCP, UDP, TLS, DTLS).
    pub link_types: [&'static str; 4],
    /// PING's failure value (PG-1).
    pub ping_timeout: &'static str,

    // ---- limits ----
    /// Link IDs are `0..links` (SS-2); `links` itself means "all links"
    /// (CL-1, PK-1).
    pub links: u8,
    /// Longest command line, terminator excluded (G-3).
    pub max_line: usize,
    /// Longest `<remotehost>` or SNTP server name (SS-4, NT-1).
    pub max_host: usize,
    /// CIPSEND's `<length>` range (SD-2).
    pub max_send: usize,
    /// Largest `<keepalive>`, seconds (SS-5).
    pub max_keepalive: u16,
    /// TCP_KEEPINTVL (SS-5).
    pub keepalive_interval: Duration,
    /// TCP_KEEPCNT (SS-5).
    pub keepalive_count: u8,
    /// Longest PSK and longest identity ("hint"), bytes (PK-2).
    pub max_psk: usize,
    /// SNTP timezone range, hours (NT-1).
    pub max_timezone: i8,

    // ---- timings ----
    /// A TCP/TLS CIPSTART fails if not connected this soon (SS-6).
    pub connect_timeout: Duration,
    /// PING's reply timeout (PG-1).
    pub ping_timeout_after: Duration,
    /// DNS: how long each server is given (DM-2).
    pub dns_timeout: Duration,
    /// SNTP: resynchronise this long after a success (NT-1).
    pub sntp_interval: Duration,
    /// SNTP: retry this long after a failed attempt began (NT-1).
    pub sntp_retry: Duration,
    /// How long `AT+RST`/`AT+RESTORE` take before `ready` (B-2). Not in the
    /// page; ESP-AT modules take a few hundred milliseconds.
    pub restart_time: Duration,
    /// A CIPSEND whose data the network has not taken this long after the
    /// last byte arrived fails as if the link had gone down (SD-5): the
    /// reply is `cmdrsp_error` and the link is closed. Not in the page; a
    /// peer that stops reading must not wedge the module for ever.
    pub send_timeout: Duration,

    /// The UART's line rate until the driver says otherwise
    /// ([`Module::set_line_rate`](crate::Module::set_line_rate)), 8N1.
    pub line_rate: u32,
    /// The rates `AT+UART_CUR`/`AT+UART_DEF` accept, inclusive (EH-1); a
    /// dialect without them has `(line_rate, line_rate)`. A stored rate
    /// outside them is ignored at power-on.
    pub line_rates: (u32, u32),

    // ---- passthrough (PT) ----
    /// The UART is read in pieces of at most this many bytes (PT-2).
    pub uart_piece: usize,
    /// Largest packet sent from passthrough data (PT-2).
    pub packet_max: usize,
    /// A partial packet goes out once its oldest byte waited this long (PT-2).
    pub flush_after: Duration,
    /// Silence required before the first and after the last `+` of the
    /// escape, and the most time between its `+` bytes (PT-4).
    pub escape_guard: Duration,
    /// Input this soon after the escape's last `+` is discarded (PT-5).
    pub escape_cooldown: Duration,
    /// An LF that opens the UART piece after one ending in a command
    /// line's CR is that line's (G-1: the UART cut its CRLF in two) if it
    /// comes this soon; later it is what the mode makes of it: data after
    /// a `>` (SD-4), an empty line in command mode. Not in the page; the
    /// two halves of a CRLF arrive a byte time apart.
    pub lf_window: Duration,
    /// A partial packet goes out once the UART was silent for `flush_after`
    /// (EP-3); otherwise once its oldest byte waited that long (PT-2).
    pub flush_after_silence: bool,
    /// In passthrough, a stream link that goes down is opened again, a try
    /// this often, silently (EP-7); otherwise passthrough ends with it
    /// (PT-6).
    pub passthrough_redial: Option<Duration>,
    /// The most data one `+IPD` carries (ER-1).
    pub ipd_max: usize,
    /// Passthrough bytes buffered while the network is slower than the UART
    /// (PT-7).
    pub passthrough_buffer: usize,
    /// Bytes a link keeps in passive receive mode (ER-4); 0 without it.
    pub passive_buffer: usize,

    // ---- TLS and DTLS (TL) ----
    /// No completed handshake this long after the socket opened: the
    /// CIPSTART fails (TL-3).
    pub tls_handshake_timeout: Duration,
    /// DTLS: the wait before the last flight goes again, doubling (TL-3).
    pub dtls_retransmit: Duration,
    /// DTLS: the longest wait between two sendings of a flight (TL-3).
    pub dtls_max_retransmit: Duration,

    // ---- defaults (MX, MD, NT, DN, B) ----
    /// The SNTP servers until others are configured (NT-2, EN-1).
    pub sntp_servers: &'static [&'static str],
    /// The DNS server CIPDNS falls back to (DN-2, DN-3).
    pub dns_fallback: &'static [Ipv4Addr],

    // ---- buffers of the core (not in the page; sized for the replies) ----
    /// Bytes waiting for the UART. A command is only read from the UART
    /// while at least `max_reply` of it is free.
    pub uart_tx_buffer: usize,
    /// The longest output a single command line can produce.
    pub max_reply: usize,
    /// Unsolicited lines and received data held back while a command runs
    /// or CIPSEND collects data (G-7). Room for every link's `CONNECT` and
    /// `CLOSED` is reserved in it: received data never crowds them out.
    pub urc_buffer: usize,
    /// Commands for the driver not yet polled. A driver that drains
    /// `poll_net` after every input never sees more than a few; past this
    /// the core sends no more data until it does.
    pub net_queue: usize,
}

/// Where dialects differ in the shape of a reply or the reading of a line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Style {
    /// Only CRLF ends a command line, and an empty line is `ERROR` (EG-1);
    /// otherwise CR or LF ends one and an empty line is ignored (G-1).
    pub crlf_only: bool,
    /// CIPSEND answers `OK` before its prompt (ES-4).
    pub ok_before_prompt: bool,
    /// The line that counts CIPSEND's data once it is in, around the
    /// count: `Recv 5 bytes` (ES-5).
    pub recv_report: Option<(&'static str, &'static str)>,
    /// CIPSTART's success is `CONNECT` before the `OK` (ET-3).
    pub connect_on_start: bool,
    /// CIPCLOSE says `CLOSED` before its `OK` (ET-11).
    pub closed_on_close: bool,
    /// `+IPD` comes after an empty line (ER-1).
    pub ipd_crlf_before: bool,
    /// The first line of AT+CIPSTATUS's execute form, before `:<stat>`
    /// (EQ-2).
    pub status_summary: &'static str,
    /// Said before the `ERROR` of a CIPSTART on an open link (ET-8).
    pub already_connected: Option<&'static str>,
    /// How `+CIPSNTPTIME` writes the time (NT-4, EN-4).
    pub time_format: TimeFormat,
    /// Before any synchronisation the clock counts from 1970 at boot
    /// (EN-5); otherwise `+CIPSNTPTIME?` is `ERROR` (NT-4).
    pub clock_from_boot: bool,
    /// The synchronised time survives AT+RST (EN-5).
    pub clock_survives_restart: bool,
    /// Said after each synchronisation (EN-3).
    pub time_updated: Option<&'static str>,
    /// In a quoted string a backslash before any byte stands for it
    /// (EG-6); otherwise only before `"`, `\\` and `,` (G-5).
    pub escape_any: bool,
    /// Input between a restart's `OK` and its `ready` is dropped unread,
    /// unechoed (EB-2); otherwise it is read, and lines get `busy`.
    pub restart_drops_input: bool,
    /// `AT+CIPSSLCPSK?` lists links without a key too, with empty strings
    /// (EK-2); otherwise only links with one.
    pub list_empty_psk: bool,
}

/// The text of a time of day.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TimeFormat {
    /// `2024-01-31 13:05:09`.
    Iso,
    /// C's `asctime` without its newline: `Thu Jan  1 00:00:05 1970`.
    Asctime,
}

/// The Wi-Fi station of a dialect that has one (EW).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Wifi {
    /// Unsolicited lines of the station's state (EW-9).
    pub connected: &'static str,
    /// See `connected`.
    pub got_ip: &'static str,
    /// See `connected`.
    pub disconnected: &'static str,
    /// `AT+CWJAP?` while not connected (EW-8).
    pub no_ap: &'static str,
    /// The station's MAC address (EH-4).
    pub mac: [u8; 6],
    /// Longest SSID and password (EW-4).
    pub max_ssid: usize,
    /// See `max_ssid`.
    pub max_password: usize,
    /// A join's default `<jap_timeout>` (EW-6).
    pub join_timeout: Duration,
    /// An access point unheard for this long is lost (EW-9).
    pub inactive_time: Duration,
    /// How long a scan takes (EW-16).
    pub scan_time: Duration,
}

impl Dialect {
    /// Checks the relations the core relies on; `Module::new` asserts it.
    pub fn is_consistent(&self) -> bool {
        (1..MAX_LINKS as u8).contains(&self.links)
            && self.max_line > 0
            && self.max_send > 0
            && self.uart_piece > 0
            && self.packet_max > 0
            && self.passthrough_buffer >= self.uart_piece
            && self.uart_tx_buffer >= 2 * self.max_reply
            && self.max_reply >= 64
            && self.urc_buffer >= self.max_reply + self.state_reserve()
            && self.net_queue >= 4 * MAX_LINKS
            && self.dtls_retransmit <= self.dtls_max_retransmit
            && self.line_rates.0 > 0
            && (self.line_rates.0..=self.line_rates.1).contains(&self.line_rate)
    }

    /// The most heap a module of this dialect may hold at once, its driver
    /// kit's queues included: what `atcert swarm` holds a module to,
    /// measured by a counting allocator. Each buffer at its limit (UART
    /// output, held URCs, passthrough, a command line and a CIPSEND's
    /// data, the driver's command queue full of packets, a datagram per
    /// internal socket), twice over for the growth of the vectors that
    /// hold them, plus a fixed part for the tables and small state.
    pub fn heap_bound(&self) -> usize {
        const FIXED: usize = 16 * 1024;
        const DATAGRAM: usize = 1500;
        let buffers = self.uart_tx_buffer
            + self.urc_buffer
            + self.passthrough_buffer
            + self.max_line
            + self.max_send
            + self.net_queue * self.packet_max
            + 3 * DATAGRAM
            + usize::from(self.links) * (self.max_host + self.max_psk + self.passive_buffer);
        2 * buffers + FIXED
    }

    /// Bytes of the URC queue kept for link-state lines: each link's
    /// `<id>,CONNECT` and `<id>,CLOSED`, the most it can say while URCs are
    /// held (a command runs, so no link can be opened again meanwhile).
    pub fn state_reserve(&self) -> usize {
        let word = self.connect.len().max(self.closed.len());
        // "<id>," + word + CRLF.
        usize::from(self.links) * 2 * (word + 4)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn seed_is_consistent() {
        assert!(SEED.is_consistent());
    }
}
