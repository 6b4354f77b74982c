//! What the module is doing: the meaning of UART input now (`Mode`), and
//! the command that waits for the network or for time (`Job`).

use core::net::SocketAddrV4;

use super::Config;
use crate::command::{Kind, LinkId};
use crate::net::SocketId;
use crate::store::Settings;
use crate::time::Instant;

/// What the UART input means now.
#[derive(Debug)]
pub(super) enum Mode {
    /// Command lines (G-1).
    Command,
    /// A command runs; further lines get `busy` (G-6).
    Busy(Job),
    /// CIPSEND takes its `<length>` bytes (SD-4).
    /// The bytes gather in `Module::send_buf`.
    Collecting {
        link: LinkId,
        socket: SocketId,
        len: usize,
        to: Option<SocketAddrV4>,
        /// AT+CIPSENDEX's reading of the bytes (ES-8).
        escapes: Option<Escapes>,
    },
    /// Passthrough on the link of `pt_link` (PT).
    Passthrough,
    /// After an escape: input before `until` is dropped (PT-5).
    Cooldown { until: Instant },
}

/// AT+CIPSENDEX's data: `len` counts the bytes as they come; `\0` ends
/// them early and `\\` stands for one backslash (ES-8).
#[derive(Debug, Default)]
pub(super) struct Escapes {
    taken: usize,
    /// The last byte was a backslash not yet read.
    backslash: bool,
}

impl Escapes {
    /// Reads `input` into `data` until `len` bytes came or `\0` ended the
    /// data; returns the bytes taken and whether the data is complete.
    pub(super) fn read(
        &mut self,
        data: &mut bytes::BytesMut,
        input: &[u8],
        len: usize,
    ) -> (usize, bool) {
        let mut taken = 0;
        for &b in input {
            if self.taken == len {
                break;
            }
            taken += 1;
            self.taken += 1;
            match (core::mem::take(&mut self.backslash), b) {
                (true, b'0') => return (taken, true),
                (true, b'\\') => data.extend_from_slice(b"\\"),
                (true, other) => data.extend_from_slice(&[b'\\', other]),
                (false, b'\\') => self.backslash = true,
                (false, other) => data.extend_from_slice(&[other]),
            }
        }
        let complete = self.taken == len;
        if complete && core::mem::take(&mut self.backslash) {
            data.extend_from_slice(b"\\");
        }
        (taken, complete)
    }
}

/// A command waiting for the network or for time.
#[derive(Debug)]
pub(super) enum Job {
    /// CIPSTART resolving its host (SS-4).
    StartResolving(PendingStart),
    /// CIPSTART waiting for the network (SS-6).
    StartOpening { link: LinkId, deadline: Instant },
    /// UDP CIPSEND resolving its `<remotehost>` before the prompt (SD-1).
    SendResolving {
        link: LinkId,
        len: usize,
        port: u16,
        escapes: bool,
    },
    /// CIPSEND waiting for `SEND OK` (SD-5): done when the link's `acked`
    /// reaches `seq`; failed at `deadline` (the dialect's `send_timeout`).
    Sending {
        link: LinkId,
        socket: SocketId,
        seq: u32,
        deadline: Instant,
    },
    /// A command changed the stored settings: its `OK` waits until the
    /// driver reports them durable (B-6). `previous` comes back if the
    /// write failed.
    Storing {
        previous: Settings,
        previous_cfg: alloc::boxed::Box<Config>,
        then: AfterStore,
    },
    /// CIPDOMAIN (DM).
    Domain,
    /// PING resolving its host.
    PingResolving,
    /// PING waiting for the echo reply (PG-1).
    Pinging {
        socket: SocketId,
        sent: Instant,
        deadline: Instant,
    },
    /// AT+RST / AT+RESTORE: `ready` at `until` (B-2).
    Restart { until: Instant },
    /// AT+CIPSERVER=1 waiting for the listener (ET-12).
    Serving,
    /// AT+CWJAP: the join's end, or its `<jap_timeout>` (EW-4, EW-5).
    Joining { deadline: Instant },
    /// AT+CWLAP: the lines once the network `done`, `OK` at `until`
    /// (EW-16).
    Scanning { until: Instant, done: bool },
}

/// What a command does once its settings are durable.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum AfterStore {
    /// `OK`.
    Ok,
    /// `OK`, then a restart (AT+RESTORE, B-3).
    OkThenRestart,
    /// `OK`, then the UART runs at this rate (AT+UART_DEF, EH-5).
    OkThenRate(u32),
}

/// CIPSTART's parameters while its host resolves.
#[derive(Debug, Clone, Copy)]
pub(super) struct PendingStart {
    pub(super) link: LinkId,
    pub(super) kind: Kind,
    pub(super) port: u16,
    pub(super) keepalive: u16,
    pub(super) local_port: Option<u16>,
    /// The seed's server form (SS-8): listen, not connect.
    pub(super) server: bool,
    pub(super) udp_mode: crate::command::UdpMode,
    pub(super) timeout: Option<core::time::Duration>,
}
