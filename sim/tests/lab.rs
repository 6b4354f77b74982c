//! The peer services on real sockets: a [`Lab`] on loopback addresses,
//! exercised by a client on the lab's runtime with `tokio::net` sockets.
//!
//! `tests/peers.rs` checks each service's behaviour on turmoil; these check
//! that the same code works on the OS's sockets, where a serial DUT needs
//! it. Every test has a loopback address of its own (tests run at once, in
//! threads) and contacts nothing else, and every wait is bounded.

use std::future::Future;
use std::io;
use std::net::{Ipv4Addr, SocketAddr, SocketAddrV4};
use std::time::Duration;

use sim::Lab;
use sim::peers::{Net, Outgoing, Record, Service, Tokio};
use simple_dns::rdata::RData;
use simple_dns::{CLASS, Name, Packet, PacketFlag, Question, RCODE, TYPE};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream, UdpSocket};
use tokio::time::{sleep, timeout};

/// Longest a test's client may take: loopback answers in microseconds, so
/// this only catches a hang.
const LIMIT: Duration = Duration::from_secs(3);

/// Seconds from 1900 to 1970 (RFC 5905 §6).
const UNIX_TO_NTP: i64 = 2_208_988_800;

/// The loopback address of test `n`'s peer host.
fn host(n: u8) -> Ipv4Addr {
    Ipv4Addr::new(127, 0, 0, 200 + n)
}

/// Runs `client` beside the lab's peers and returns what it returns.
///
/// # Panics
/// If it fails or takes longer than [`LIMIT`].
fn client<T>(lab: &mut Lab, client: impl Future<Output = io::Result<T>>) -> T {
    lab.run(async { timeout(LIMIT, client).await })
        .expect("the client finished in time")
        .expect("the client's I/O")
}

/// A UDP socket for a client on `ip`, on a port the OS picks.
async fn udp_on(ip: Ipv4Addr) -> io::Result<UdpSocket> {
    UdpSocket::bind((ip, 0)).await
}

/// Sleeps until `done` holds; the caller's timeout bounds it.
async fn until(mut done: impl FnMut() -> bool) {
    while !done() {
        sleep(Duration::from_millis(1)).await;
    }
}

// ---- TCP ----

#[test]
fn test_tcp_echo_round_trip() {
    let mut lab = Lab::new().unwrap();
    let echo = lab.add_service(host(1), Service::TcpEcho { port: 7000 });
    let seen = echo.clone();
    client(&mut lab, async move {
        let mut s = TcpStream::connect((host(1), 7000)).await?;
        s.write_all(b"hello").await?;
        let mut buf = [0; 5];
        s.read_exact(&mut buf).await?;
        assert_eq!(&buf, b"hello");
        assert_eq!(seen.borrow().open_connections, 1);
        Ok(())
    });
    assert!(lab.run_until(LIMIT, || echo.borrow().open_connections == 0));
    let e = echo.borrow();
    assert_eq!((e.received.as_slice(), e.accepted), (&b"hello"[..], 1));
}

#[test]
fn test_tcp_sink_keeps_every_byte_of_every_connection() {
    let mut lab = Lab::new().unwrap();
    let sink = lab.add_service(host(2), Service::TcpSink { port: 7001 });
    client(&mut lab, async move {
        for chunk in [&b"abc"[..], b"defg"] {
            let mut s = TcpStream::connect((host(2), 7001)).await?;
            s.write_all(chunk).await?;
            s.shutdown().await?;
            assert_eq!(s.read(&mut [0; 8]).await?, 0, "the sink closes when we do");
        }
        Ok(())
    });
    assert!(lab.run_until(LIMIT, || sink.borrow().open_connections == 0));
    assert_eq!(sink.borrow().received, b"abcdefg");
    assert_eq!(sink.borrow().accepted, 2);
}

#[test]
fn test_tcp_greeter_greets_each_connection() {
    let mut lab = Lab::new().unwrap();
    let greeting = b"220 hi\r\n".to_vec();
    let greeter = lab.add_service(
        host(3),
        Service::TcpGreeter {
            port: 7002,
            greeting,
        },
    );
    client(&mut lab, async move {
        for _ in 0..2 {
            let mut s = TcpStream::connect((host(3), 7002)).await?;
            let mut buf = [0; 8];
            s.read_exact(&mut buf).await?;
            assert_eq!(&buf, b"220 hi\r\n");
            s.write_all(b"x").await?;
        }
        Ok(())
    });
    assert!(lab.run_until(LIMIT, || greeter.borrow().received == b"xx"));
}

#[test]
fn test_outbox_send_and_close_go_to_the_most_recent_connection() {
    let mut lab = Lab::new().unwrap();
    let sink = lab.add_service(host(4), Service::TcpSink { port: 7004 });
    // Without a connection a request waits.
    sink.borrow_mut().push(Outgoing::Send(b"early".to_vec()));
    lab.tick(Duration::from_millis(5));
    assert_eq!(sink.borrow().outbox.len(), 1);

    let state = sink.clone();
    client(&mut lab, async move {
        let mut a = TcpStream::connect((host(4), 7004)).await?;
        let mut buf = [0; 5];
        a.read_exact(&mut buf).await?;
        assert_eq!(
            &buf, b"early",
            "the waiting request goes to the first connection"
        );
        let mut b = TcpStream::connect((host(4), 7004)).await?;
        until(|| state.borrow().open_connections == 2).await;
        {
            let mut s = state.borrow_mut();
            s.push(Outgoing::Send(b"to-b".to_vec()));
            s.push(Outgoing::Close);
            s.push(Outgoing::Send(b"to-a".to_vec()));
        }
        let mut got = Vec::new();
        b.read_to_end(&mut got).await?;
        assert_eq!(got, b"to-b", "then the close: b ends");
        let mut buf = [0; 4];
        a.read_exact(&mut buf).await?;
        assert_eq!(&buf, b"to-a", "after b's close, a is the most recent");
        Ok(())
    });
    assert!(lab.run_until(LIMIT, || sink.borrow().open_connections == 0));
    assert!(sink.borrow().outbox.is_empty());
    assert_eq!(sink.borrow().accepted, 2);
}

#[test]
fn test_tcp_client_connects_from_its_host_and_serves_the_outbox() {
    let mut lab = Lab::new().unwrap();
    // The module's server link, played by a listener on another address.
    let module = SocketAddrV4::new(host(5), 7005);
    let listener = lab.run(TcpListener::bind(module)).unwrap();
    let peer = lab.add_service(host(6), Service::TcpClient { to: module });
    let state = peer.clone();
    client(&mut lab, async move {
        let (mut s, from) = listener.accept().await?;
        assert_eq!(from.ip(), host(6), "the peer host's own address");
        s.write_all(b"to the client").await?;
        until(|| state.borrow().received == b"to the client").await;
        state.borrow_mut().push(Outgoing::Send(b"from it".to_vec()));
        state.borrow_mut().push(Outgoing::Close);
        let mut got = Vec::new();
        s.read_to_end(&mut got).await?;
        assert_eq!(got, b"from it");
        Ok(())
    });
    assert!(lab.run_until(LIMIT, || peer.borrow().open_connections == 0));
    assert_eq!(peer.borrow().accepted, 1);
}

// ---- UDP ----

#[test]
fn test_udp_echo_round_trip() {
    let mut lab = Lab::new().unwrap();
    let echo = lab.add_service(host(7), Service::UdpEcho { port: 9000 });
    client(&mut lab, async move {
        let s = udp_on(host(7)).await?;
        assert_eq!(Tokio::local_addr(&s)?.ip(), host(7));
        for msg in [&b"one"[..], b"three"] {
            s.send_to(msg, (host(7), 9000)).await?;
            let mut buf = [0; 16];
            let (n, from) = s.recv_from(&mut buf).await?;
            assert_eq!((&buf[..n], from), (msg, (host(7), 9000).into()));
        }
        Ok(())
    });
    assert_eq!(echo.borrow().received, b"onethree");
    assert_eq!(echo.borrow().datagrams, [3, 5]);
}

#[test]
fn test_udp_sink_keeps_datagrams_and_sends_from_the_outbox_to_the_last_sender() {
    let mut lab = Lab::new().unwrap();
    let sink = lab.add_service(host(8), Service::UdpSink { port: 9001 });
    let state = sink.clone();
    client(&mut lab, async move {
        let s = udp_on(host(8)).await?;
        s.send_to(b"ab", (host(8), 9001)).await?;
        s.send_to(b"cde", (host(8), 9001)).await?;
        until(|| state.borrow().datagrams.len() == 2).await;
        state.borrow_mut().push(Outgoing::Send(b"back".to_vec()));
        let mut buf = [0; 16];
        let (n, from) = s.recv_from(&mut buf).await?;
        assert_eq!((&buf[..n], from), (&b"back"[..], (host(8), 9001).into()));
        Ok(())
    });
    assert_eq!(sink.borrow().received, b"abcde");
    assert_eq!(sink.borrow().datagrams, [2, 3]);
}

#[test]
#[should_panic(expected = "UdpEcho")]
fn test_a_taken_port_stops_the_lab() {
    let mut lab = Lab::new().unwrap();
    lab.add_service(host(9), Service::UdpSink { port: 9002 });
    lab.add_service(host(9), Service::UdpEcho { port: 9002 });
}

// ---- DNS ----

/// A DNS query for `name`, type A, recursion desired.
fn dns_query(id: u16, name: &str) -> Vec<u8> {
    let mut q = Packet::new_query(id);
    q.set_flags(PacketFlag::RECURSION_DESIRED);
    q.questions.push(Question::new(
        Name::new_unchecked(name),
        TYPE::A.into(),
        CLASS::IN.into(),
        false,
    ));
    q.build_bytes_vec().unwrap()
}

#[test]
fn test_dns_on_a_high_port_answers_a_and_cname() {
    let mut lab = Lab::new().unwrap();
    let server = SocketAddr::from((host(10), 5353));
    let dns = lab.add_dns_server(host(10), server.port());
    {
        let zone = &mut dns.borrow_mut().zone;
        zone.insert("peer.lan".into(), vec![Record::A(host(1))]);
        zone.insert("www.lan".into(), vec![Record::Cname("peer.lan".into())]);
    }
    let replies = client(&mut lab, async move {
        let s = udp_on(host(10)).await?;
        let mut replies = Vec::new();
        for (id, name) in [(1, "peer.lan"), (2, "www.lan")] {
            s.send_to(&dns_query(id, name), server).await?;
            let mut buf = [0; 512];
            let (n, from) = s.recv_from(&mut buf).await?;
            assert_eq!(from, server);
            replies.push(buf[..n].to_vec());
        }
        Ok(replies)
    });
    let a = Packet::parse(&replies[0]).unwrap();
    assert_eq!((a.id(), a.rcode(), a.answers.len()), (1, RCODE::NoError, 1));
    assert_eq!(a.answers[0].rdata, RData::A(host(1).into()));
    let cname = Packet::parse(&replies[1]).unwrap();
    assert_eq!((cname.id(), cname.rcode()), (2, RCODE::NoError));
    assert!(matches!(&cname.answers[0].rdata, RData::CNAME(c) if c.0.to_string() == "peer.lan"));
    assert_eq!(cname.answers[1].rdata, RData::A(host(1).into()));
    assert_eq!(dns.borrow().queries, 2);
}

// ---- SNTP ----

#[test]
fn test_sntp_replies_with_the_clock_time() {
    let mut lab = Lab::new().unwrap();
    let start = 1_700_000_000_123_456;
    let clock = lab.add_sntp_server(host(11), 12300, start);
    let c = clock.clone();
    client(&mut lab, async move {
        let s = udp_on(host(11)).await?;
        let mut request = [0; 48];
        request[0] = 0b00_100_011; // version 4, client
        let sent = Tokio::now();
        s.send_to(&request, (host(11), 12300)).await?;
        let mut buf = [0; 128];
        let (n, _) = s.recv_from(&mut buf).await?;
        let received = Tokio::now();
        assert_eq!((n, buf[0]), (48, 0b00_100_100), "version 4, server");
        let ts = u64::from_be_bytes(buf[40..48].try_into().unwrap());
        let secs = (ts >> 32) as i64 - UNIX_TO_NTP;
        let micros = (((ts & 0xffff_ffff) * 1_000_000) >> 32) as i64;
        let time = secs * 1_000_000 + micros;
        // The server read its clock between our send and its reply.
        let clock = *c.borrow();
        let earliest = clock.unix_micros_at(sent);
        let latest = clock.unix_micros_at(received);
        assert!(
            (earliest..=latest).contains(&time),
            "{time} not in {earliest}..={latest}"
        );
        assert!(
            received - sent < Duration::from_millis(10),
            "round trip {:?}",
            received - sent
        );
        Ok(())
    });
    let elapsed = clock.borrow().unix_micros_at(lab.now()) - start;
    assert!(
        (0..LIMIT.as_micros() as i64).contains(&elapsed),
        "the clock runs in real time"
    );
}
