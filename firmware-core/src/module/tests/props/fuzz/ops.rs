//! The fuzz driver's steps and their generators: UART bytes biased
//! towards command fragments, whole command lines, network events and
//! time jumps.

use alloc::vec::Vec;
use core::net::Ipv4Addr;
use core::time::Duration;

use proptest::prelude::*;

use super::super::{Bytes, at_bytes, data_bytes, split};
use crate::net::CloseReason;

/// One step of the driver.
#[derive(Debug, Clone)]
pub(super) enum Op {
    /// Host bytes at the current instant, offered in the pieces `cuts`
    /// makes (only the chunking property splits; the rest feed them whole).
    Uart { bytes: Bytes, cuts: Cuts },
    /// Something the network reports.
    Net(Net),
    /// Time passes; every wake-up on the way fires.
    Wait(Duration),
    /// The host reads up to this many UART bytes (when it does not read
    /// everything after every input).
    Read(usize),
    /// A CIPSTART line, and the network opening (and, for a server,
    /// connecting) every socket it asks for at once.
    Open(Bytes),
    /// `AT+CIPMODE=1`, a TCP link opened at once, `AT+CIPSEND`: the way
    /// into passthrough, which random steps rarely find.
    Passthrough,
}

/// A network event; `Sock` picks its socket.
#[derive(Debug, Clone)]
pub(super) enum Net {
    Opened(Sock, u16),
    Failed(Sock),
    Accepted(Sock, u16),
    Received(Sock, From, Bytes),
    Sent(Sock),
    Closed(Sock, CloseReason),
    PingReply(Sock),
    Configured(Vec<Ipv4Addr>),
    /// A well-formed answer to the latest DNS or SNTP query: the address
    /// for DNS (or "no such name" when `None`), the seconds for SNTP.
    Reply(Option<Ipv4Addr>, u32),
}

/// A socket: one the module named (counting back from the latest), the
/// one with the oldest unanswered `Send`, or one by number (an arbitrary
/// number is a socket the module never named).
#[derive(Debug, Clone, Copy)]
pub(super) enum Sock {
    Recent(usize),
    Unacked,
    Number(u32),
}

/// Where received data claims to come from.
#[derive(Debug, Clone, Copy)]
pub(super) enum From {
    Peer,
    Dns,
    Stranger(u32, u16),
}

/// A CIPSTART line, valid or not.
pub(super) fn start_line() -> impl Strategy<Value = Vec<u8>> {
    let kinds = prop::sample::select(&["TCP", "TCP", "UDP", "TLS", "DTLS", "SSL"][..]);
    let hosts = prop::sample::select(&["192.168.0.103", "example.com", "192.168.0.107"][..]);
    let server = prop::option::weighted(0.3, (0..3u16, 1..3u16));
    (link_id(), kinds, hosts, 1..3u16, server).prop_map(|(id, kind, host, port, server)| {
        let mut s = alloc::format!("AT+CIPSTART={id},\"{kind}\",\"{host}\",{port}");
        if let Some((keepalive, local)) = server {
            s += &alloc::format!(",{keepalive},{local},\"0.0.0.0\"");
        }
        s += "\r\n";
        s.into_bytes()
    })
}

/// A link ID, mostly 0, sometimes out of range.
pub(super) fn link_id() -> impl Strategy<Value = u8> {
    prop_oneof![3 => Just(0u8), 1 => 0..7u8]
}

/// A command line other than CIPSTART, valid or not.
pub(super) fn command_line() -> impl Strategy<Value = Vec<u8>> {
    let fixed = prop::sample::select(
        &[
            "AT",
            "ATE0",
            "ATE1",
            "AT+GMR",
            "AT+RST",
            "AT+RESTORE",
            "AT+SYSSTORE=0",
            "AT+SYSSTORE?",
            "AT+CIPMUX=0",
            "AT+CIPMUX=1",
            "AT+CIPMODE=0",
            "AT+CIPMODE=1",
            "AT+CIPSEND",
            "AT+CIPSTATUS?",
            "AT+CIPSTATUS?",
            "AT+CIPMUX?",
            "AT+CIPMODE?",
            "AT+CIPCLOSE=5",
            "AT+CIPDNS?",
            "AT+CIPDNS=0",
            "AT+CIPDNS=1,\"192.168.0.1\",\"8.8.8.8\"",
            "AT+CIPDOMAIN=\"example.com\"",
            "AT+CIPDOMAIN=192.168.0.103",
            "AT+PING=\"192.168.0.103\"",
            "AT+PING=\"example.com\"",
            "AT+CIPSNTPCFG=1,8,\"192.168.0.1\"",
            "AT+CIPSNTPCFG=1,-3,\"pool.ntp.org\"",
            "AT+CIPSNTPCFG=0",
            "AT+CIPSNTPCFG?",
            "AT+CIPSNTPTIME?",
            "AT+CIPSSLCPSK=\"key\",\"id\"",
            "AT+CIPSSLCPSK=5,\"key\",\"id\"",
            "AT+CIPSSLCPSK?",
        ][..],
    )
    .prop_map(|s| s.as_bytes().to_vec());
    let send = (
        link_id(),
        prop::sample::select(&[0usize, 1, 5, 1460, 2048, 2049][..]),
    )
        .prop_map(|(id, len)| alloc::format!("AT+CIPSEND={id},{len}").into_bytes());
    let close = link_id().prop_map(|id| alloc::format!("AT+CIPCLOSE={id}").into_bytes());
    prop_oneof![4 => fixed, 2 => send, 1 => close].prop_map(|mut line| {
        line.extend_from_slice(b"\r\n");
        line
    })
}

pub(super) fn sock() -> impl Strategy<Value = Sock> {
    prop_oneof![
        4 => Just(Sock::Recent(0)),
        3 => (0..6usize).prop_map(Sock::Recent),
        3 => Just(Sock::Unacked),
        1 => any::<u32>().prop_map(Sock::Number),
    ]
}

pub(super) fn from() -> impl Strategy<Value = From> {
    prop_oneof![
        3 => Just(From::Peer),
        1 => Just(From::Dns),
        1 => any::<(u32, u16)>().prop_map(|(ip, port)| From::Stranger(ip, port)),
    ]
}

pub(super) fn close_reason() -> impl Strategy<Value = CloseReason> {
    prop::sample::select(
        &[
            CloseReason::Peer,
            CloseReason::Reset,
            CloseReason::Timeout,
            CloseReason::Error,
        ][..],
    )
}

pub(super) fn net() -> impl Strategy<Value = Net> {
    let payload = prop_oneof![
        4 => data_bytes(0..64),
        1 => data_bytes(1000..3000),
    ];
    prop_oneof![
        4 => (sock(), any::<u16>()).prop_map(|(s, p)| Net::Opened(s, p)),
        1 => sock().prop_map(Net::Failed),
        1 => (sock(), any::<u16>()).prop_map(|(s, p)| Net::Accepted(s, p)),
        3 => (sock(), from(), payload).prop_map(|(s, f, d)| Net::Received(s, f, d.into())),
        3 => sock().prop_map(Net::Sent),
        1 => (sock(), close_reason()).prop_map(|(s, r)| Net::Closed(s, r)),
        1 => sock().prop_map(Net::PingReply),
        1 => prop::collection::vec(any::<u32>().prop_map(Ipv4Addr::from), 0..5)
            .prop_map(Net::Configured),
        2 => (prop::option::weighted(0.8, any::<u32>().prop_map(Ipv4Addr::from)), any::<u32>())
            .prop_map(|(ip, secs)| Net::Reply(ip, secs)),
    ]
}

pub(super) fn wait() -> impl Strategy<Value = Duration> {
    prop_oneof![
        3 => (0..30_000u64).prop_map(Duration::from_micros),
        1 => prop::sample::select(&[1, 300, 1000, 5000, 15_000, 3_600_000][..])
            .prop_map(Duration::from_millis),
        1 => (0..20_000_000u64).prop_map(Duration::from_micros),
    ]
}

/// Where the chunking property cuts a UART op.
#[derive(Debug, Clone)]
pub(super) struct Cuts {
    pub(super) at: Vec<u16>,
    /// Also right after every CR, between the CR and LF of a CRLF.
    pub(super) after_cr: bool,
}

impl Cuts {
    pub(super) fn split<'a>(&self, bytes: &'a [u8]) -> Vec<&'a [u8]> {
        let mut at = self.at.clone();
        if self.after_cr {
            let ends = bytes.iter().enumerate().filter(|&(_, &b)| b == b'\r');
            at.extend(ends.filter_map(|(i, _)| u16::try_from(i + 1).ok()));
        }
        split(bytes, &at)
    }
}

pub(super) fn cuts() -> impl Strategy<Value = Cuts> {
    (prop::collection::vec(any::<u16>(), 0..6), any::<bool>())
        .prop_map(|(at, after_cr)| Cuts { at, after_cr })
}

pub(super) fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        5 => (at_bytes(), cuts()).prop_map(|(bytes, cuts)| Op::Uart { bytes: bytes.into(), cuts }),
        4 => (command_line(), cuts()).prop_map(|(bytes, cuts)| Op::Uart { bytes: bytes.into(), cuts }),
        1 => (start_line(), cuts()).prop_map(|(bytes, cuts)| Op::Uart { bytes: bytes.into(), cuts }),
        // A CIPSEND with its data, as a host sends it.
        2 => (link_id(), data_bytes(1..100), cuts()).prop_map(|(id, data, cuts)| {
            let head = alloc::format!("AT+CIPSEND={id},{}\r\n", data.len());
            Op::Uart { bytes: [head.as_bytes(), &data].concat().into(), cuts }
        }),
        2 => start_line().prop_map(|line| Op::Open(line.into())),
        1 => Just(Op::Passthrough),
        1 => (data_bytes(1..2000), cuts()).prop_map(|(bytes, cuts)| Op::Uart { bytes: bytes.into(), cuts }),
        5 => net().prop_map(Op::Net),
        2 => wait().prop_map(Op::Wait),
        1 => (0..4000usize).prop_map(Op::Read),
    ]
}

/// How the module starts.
#[derive(Debug, Clone)]
pub(super) enum Boot {
    /// `Module::new` with these stored bytes and nothing else: the internal
    /// sockets are not open and DHCP has not answered.
    Raw(Vec<u8>),
    /// The harness's boot: sockets open, DHCP done, echo as given.
    Ready { echo: bool },
}

pub(super) fn boot() -> impl Strategy<Value = Boot> {
    prop_oneof![
        1 => prop::collection::vec(any::<u8>(), 0..64).prop_map(Boot::Raw),
        4 => any::<bool>().prop_map(|echo| Boot::Ready { echo }),
    ]
}
