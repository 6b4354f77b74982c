//! One test group per clause family of `spec/DECISIONS.md`: each test name
//! starts with the clause it checks (`sd_2_length_out_of_range`), every
//! expectation is the exact bytes on the UART or the exact network command.
//!
//! - `general`: G-1…G-8, B-1…B-5.
//! - `start`: ST, SS.
//! - `send`: SD, CL.
//! - `links`: MX, MD, RX.
//! - `passthrough`: PT-1, PT-3, PT-5, PT-6 and simple PT-2/PT-4/PT-7
//!   examples (the timing properties are `props`' job).
//! - `sntp`: NT.
//! - `services`: PG, DM, DN, PK.
//!
//! Shared here: the "refused and nothing changed" check (G-4), link
//! set-ups, and the network's part for the internal DNS and SNTP sockets.

use super::*;

use crate::net::{CloseReason, Keepalive};
use crate::tls::test_server::{Mode, TestServer};
use simple_dns::rdata::{A, CNAME, RData};
use simple_dns::{CLASS, Name, Packet, QCLASS, QTYPE, RCODE, ResourceRecord, TYPE};

mod general;
mod links;
mod passthrough;
mod send;
mod services;
mod sntp;
mod start;
mod tls;

/// The module's internal sockets, in the order it binds them at power-on.
const DNS_SOCKET: SocketId = SocketId(0);
const SNTP_DNS_SOCKET: SocketId = SocketId(1);
const SNTP_SOCKET: SocketId = SocketId(2);

/// Booted, then `AT+CIPMUX=1`.
fn mux_booted() -> Driver {
    let mut d = Driver::booted();
    assert_eq!(d.cmd("AT+CIPMUX=1"), "\r\nOK\r\n");
    d
}

/// Every query's answer, concatenated: the configuration the host can see.
fn visible_state(d: &mut Driver) -> String {
    [
        "AT+CIPMUX?",
        "AT+CIPMODE?",
        "AT+SYSSTORE?",
        "AT+CIPDNS?",
        "AT+CIPSNTPCFG?",
        "AT+CIPSSLCPSK?",
        "AT+CIPSTATUS?",
    ]
    .map(|q| d.cmd(q))
    .concat()
}

/// G-4: `line` is answered `ERROR` and changes nothing: no network command,
/// nothing stored, every query answers as before, and `AT` still works.
fn refused(d: &mut Driver, line: &str) {
    assert!(d.net.is_empty(), "network commands left before {line:?}");
    let stored = d.stored.clone();
    let before = visible_state(d);
    assert_eq!(d.cmd(line), "\r\nERROR\r\n", "{line:?}");
    assert_eq!(d.net, [], "{line:?} asked the network");
    assert_eq!(d.stored, stored, "{line:?} stored settings");
    assert_eq!(visible_state(d), before, "{line:?} changed state");
    assert_eq!(d.cmd("AT"), "\r\nOK\r\n");
}

/// A command that must ask the network at once and answer nothing yet;
/// returns what it asked.
fn asks(d: &mut Driver, line: &str) -> NetCommand {
    assert_eq!(d.cmd(line), "", "{line:?}");
    let c = d.next_net();
    assert_eq!(d.net, [], "{line:?}: one network command");
    c
}

/// The peer's address at `port`.
fn peer(port: u16) -> SocketAddrV4 {
    SocketAddrV4::new(PEER, port)
}

/// A connected TLS client on `link` with key "key" / identity "id", its
/// handshake done with an echo server that knows them.
fn tls_link(d: &mut Driver, link: u8) -> SocketId {
    let line = if d.m.cfg.mux {
        alloc::format!("AT+CIPSSLCPSK={link},\"key\",\"id\"")
    } else {
        String::from("AT+CIPSSLCPSK=\"key\",\"id\"")
    };
    assert_eq!(d.cmd(&line), "\r\nOK\r\n");
    let start = alloc::format!("AT+CIPSTART={link},\"TLS\",\"192.168.0.103\",443");
    let mut server = TestServer::new(b"key", b"id", Mode::Echo);
    tls_start(d, &start, 50000 + u16::from(link), &mut server)
}

/// `start`, a TLS CIPSTART, its socket opened on `local_port` and its
/// handshake done with `server`: the socket, the `OK` consumed.
fn tls_start(d: &mut Driver, start: &str, local_port: u16, server: &mut TestServer) -> SocketId {
    let NetCommand::Connect { socket, .. } = asks(d, start) else {
        panic!("expected Connect")
    };
    d.event(NetEvent::Opened { socket, local_port });
    d.tls_exchange(socket, server);
    assert!(server.is_open(), "handshake done");
    assert_eq!(d.take_text(), "\r\nOK\r\n");
    socket
}

/// `Opened` for `socket`; a TLS or DTLS link then does its handshake
/// with an echo server that knows "k" / "i" (the key the tests set), whose
/// transport the module's ClientHello shows. Returns the server, if any.
fn opened(d: &mut Driver, socket: SocketId, local_port: u16) -> Option<TestServer> {
    d.event(NetEvent::Opened { socket, local_port });
    let hello = d.net.iter().find_map(|c| match c {
        NetCommand::Send {
            socket: s, data, ..
        } if *s == socket && data[0] == 22 => Some(data[1]),
        _ => None,
    })?;
    let mut server = match hello {
        254 => TestServer::dtls(b"k", b"i", Mode::Echo),
        _ => TestServer::new(b"k", b"i", Mode::Echo),
    };
    d.tls_exchange(socket, &mut server);
    assert!(server.is_open(), "handshake done");
    Some(server)
}

/// A listening TCP server link (the page's example 2 on `link`), `OK`
/// consumed.
fn tcp_server(d: &mut Driver, link: u8) -> SocketId {
    let NetCommand::Listen {
        socket, local_port, ..
    } = asks(
        d,
        &alloc::format!(
            "AT+CIPSTART={link},\"tcp\",\"192.168.0.103\",20108,1800, 5637, \"192.168.0.107\""
        ),
    )
    else {
        panic!("expected Listen")
    };
    assert_eq!(local_port, 5637);
    d.event(NetEvent::Opened {
        socket,
        local_port: 5637,
    });
    assert_eq!(d.take_text(), "\r\nOK\r\n");
    socket
}

// ----------------------------------------------------------------------
// The DNS server's part (DM-2)
// ----------------------------------------------------------------------

/// A resource record in an answer.
enum Rr {
    A(&'static str, [u8; 4]),
    Cname(&'static str, &'static str),
}

/// The next network command must be an RFC 1035 query (A, IN, recursion
/// desired) for `name`, sent on `socket` to port 53 of `server`; returns
/// its bytes.
fn dns_query(d: &mut Driver, socket: SocketId, server: Ipv4Addr, name: &str) -> Vec<u8> {
    let NetCommand::Send {
        socket: s,
        data,
        to,
    } = d.next_net()
    else {
        panic!("expected a DNS query for {name}")
    };
    assert_eq!((s, to), (socket, Some(SocketAddrV4::new(server, 53))));
    let p = Packet::parse(&data).expect("a DNS message");
    assert!(p.has_flags(simple_dns::PacketFlag::RECURSION_DESIRED));
    assert!(!p.has_flags(simple_dns::PacketFlag::RESPONSE));
    assert_eq!(p.questions.len(), 1);
    let q = &p.questions[0];
    assert_eq!(alloc::string::ToString::to_string(&q.qname), name);
    assert_eq!(
        (q.qtype, q.qclass),
        (QTYPE::TYPE(TYPE::A), QCLASS::CLASS(CLASS::IN))
    );
    data.to_vec()
}

/// `server` answers `query` (which went out on `socket`).
fn dns_answer(
    d: &mut Driver,
    socket: SocketId,
    server: Ipv4Addr,
    query: &[u8],
    rcode: RCODE,
    records: &[Rr],
) {
    let q = Packet::parse(query).unwrap();
    let mut p = Packet::new_reply(q.id());
    p.questions = q.questions.clone();
    *p.rcode_mut() = rcode;
    p.answers = records
        .iter()
        .map(|rr| {
            let (name, rdata) = match rr {
                Rr::A(name, ip) => (name, RData::A(A::from(Ipv4Addr::from(*ip)))),
                Rr::Cname(name, to) => (name, RData::CNAME(CNAME(Name::new_unchecked(to)))),
            };
            ResourceRecord::new(Name::new_unchecked(name), CLASS::IN, 60, rdata)
        })
        .collect();
    // Compressed, as real servers answer: a long name fits in 512 bytes.
    let bytes = p.build_bytes_vec_compressed().unwrap();
    d.event(NetEvent::Received {
        socket,
        from: SocketAddrV4::new(server, 53),
        data: &bytes,
    });
}

/// The command resolver asks the DHCP server for `name`, which has `ip`.
fn resolves(d: &mut Driver, name: &'static str, ip: [u8; 4]) {
    let q = dns_query(d, DNS_SOCKET, DHCP_DNS, name);
    dns_answer(
        d,
        DNS_SOCKET,
        DHCP_DNS,
        &q,
        RCODE::NoError,
        &[Rr::A(name, ip)],
    );
}

// ----------------------------------------------------------------------
// The SNTP server's part (NT-3)
// ----------------------------------------------------------------------

/// The next network command must be an SNTPv4 client request to port 123
/// of `server`; returns it.
fn sntp_request(d: &mut Driver, server: Ipv4Addr) -> Vec<u8> {
    let NetCommand::Send { socket, data, to } = d.next_net() else {
        panic!("expected an SNTP request")
    };
    assert_eq!(
        (socket, to),
        (SNTP_SOCKET, Some(SocketAddrV4::new(server, 123)))
    );
    assert_eq!(data.len(), 48);
    // LI 0, VN 4, mode 3 (client).
    assert_eq!(data[0], 0x23);
    data.to_vec()
}

/// `server`'s reply to `request`: its clock reads `unix_secs` + `micros`.
fn sntp_answer(d: &mut Driver, server: Ipv4Addr, request: &[u8], unix_secs: i64, micros: u32) {
    let reply = crate::sntp::server_reply(request, unix_secs, micros).unwrap();
    d.event(NetEvent::Received {
        socket: SNTP_SOCKET,
        from: SocketAddrV4::new(server, 123),
        data: &reply,
    });
}
