//! The peer services on a turmoil network, exercised by a client host with
//! turmoil sockets: each service's wire behaviour, its observable state,
//! the scenario's outbox, and a crash and restart of the peer host.

use std::cell::{Cell, RefCell};
use std::net::Ipv4Addr;
use std::rc::Rc;
use std::time::Duration;

use sim::peers::{
    Clock, DNS_PORT, DnsState, Outgoing, PING_PORT, PeerState, Record, SNTP_PORT, Service, Shared,
    Turmoil, run_host, sim_now,
};
use simple_dns::rdata::RData;
use simple_dns::{CLASS, Name, Packet, PacketFlag, Question, RCODE, TYPE};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::sync::Notify;
use tokio::time::timeout;
use turmoil::net::{TcpStream, UdpSocket};

const PEER: Ipv4Addr = Ipv4Addr::new(192, 168, 0, 103);
const CLIENT: Ipv4Addr = Ipv4Addr::new(192, 168, 0, 107);

/// One-way latency of every message: fixed, so times can be checked.
const LATENCY: Duration = Duration::from_millis(1);
/// turmoil's step.
const TICK: Duration = Duration::from_millis(1);

/// Seconds from 1900 to 1970 (RFC 5905 §6).
const UNIX_TO_NTP: i64 = 2_208_988_800;

/// A simulation with one peer host, as the world sets it up.
struct Net {
    sim: turmoil::Sim<'static>,
    services: Rc<RefCell<Vec<(Service, Shared)>>>,
    added: Rc<Notify>,
}

impl Net {
    fn new(services: Vec<Service>) -> Self {
        let mut sim = turmoil::Builder::new()
            .rng_seed(1)
            .min_message_latency(LATENCY)
            .max_message_latency(LATENCY)
            .build();
        let list = Rc::new(RefCell::new(Vec::new()));
        let added = Rc::new(Notify::new());
        let (s, a) = (list.clone(), added.clone());
        sim.host(PEER, move || {
            run_host::<Turmoil>(Ipv4Addr::UNSPECIFIED, s.clone(), a.clone())
        });
        let net = Net {
            sim,
            services: list,
            added,
        };
        for service in services {
            net.add(service);
        }
        net
    }

    /// Adds a service to the running host, as `World::add_service` does.
    fn add(&self, service: Service) -> Shared {
        let state: Shared = Rc::new(RefCell::new(PeerState::default()));
        self.services.borrow_mut().push((service, state.clone()));
        self.added.notify_one();
        state
    }

    fn shared(&self, i: usize) -> Shared {
        self.services.borrow()[i].1.clone()
    }

    /// Steps until `done` holds; panics after `limit` of simulated time.
    fn step_until(&mut self, limit: Duration, mut done: impl FnMut() -> bool) {
        let end = self.sim.elapsed() + limit;
        while !done() {
            assert!(
                self.sim.elapsed() < end,
                "condition not met within {limit:?}"
            );
            self.sim.step().unwrap();
        }
    }

    fn step_for(&mut self, d: Duration) {
        let end = self.sim.elapsed() + d;
        while self.sim.elapsed() < end {
            self.sim.step().unwrap();
        }
    }
}

fn now() -> Duration {
    turmoil::sim_elapsed().unwrap()
}

#[test]
fn test_sim_now_runs_with_the_host_clock_within_a_step() {
    let mut net = Net::new(vec![]);
    net.step_for(Duration::from_millis(7));
    net.sim.client(CLIENT, async move {
        let (t0, i0) = (sim_now(), tokio::time::Instant::now());
        assert_eq!(t0, Duration::from_millis(7), "the client starts in step 7");
        tokio::time::sleep(Duration::from_micros(2500)).await;
        assert_eq!(sim_now() - t0, tokio::time::Instant::now() - i0);
        Ok(())
    });
    net.sim.run().unwrap();
}

// ---- TCP ----

#[test]
fn test_tcp_echo_round_trip() {
    let mut net = Net::new(vec![Service::TcpEcho { port: 7000 }]);
    let echo = net.shared(0);
    let seen = echo.clone();
    net.sim.client(CLIENT, async move {
        let mut s = TcpStream::connect((PEER, 7000)).await?;
        s.write_all(b"hello").await?;
        let mut buf = [0; 5];
        s.read_exact(&mut buf).await?;
        assert_eq!(&buf, b"hello");
        assert_eq!(seen.borrow().open_connections, 1);
        Ok(())
    });
    net.sim.run().unwrap();
    net.step_until(Duration::from_millis(10), || {
        echo.borrow().open_connections == 0
    });
    let e = echo.borrow();
    assert_eq!((e.received.as_slice(), e.accepted), (&b"hello"[..], 1));
}

#[test]
fn test_tcp_sink_keeps_every_byte_of_every_connection() {
    let mut net = Net::new(vec![Service::TcpSink { port: 7001 }]);
    let sink = net.shared(0);
    net.sim.client(CLIENT, async move {
        for chunk in [&b"abc"[..], b"defg"] {
            let mut s = TcpStream::connect((PEER, 7001)).await?;
            s.write_all(chunk).await?;
            s.shutdown().await?;
            assert_eq!(s.read(&mut [0; 8]).await?, 0, "the sink closes when we do");
        }
        Ok(())
    });
    net.sim.run().unwrap();
    net.step_until(Duration::from_millis(10), || {
        sink.borrow().open_connections == 0
    });
    assert_eq!(sink.borrow().received, b"abcdefg");
    assert_eq!(sink.borrow().accepted, 2);
}

#[test]
fn test_tcp_greeter_greets_each_connection() {
    let mut net = Net::new(vec![Service::TcpGreeter {
        port: 7002,
        greeting: b"220 hi\r\n".to_vec(),
    }]);
    let greeter = net.shared(0);
    net.sim.client(CLIENT, async move {
        for _ in 0..2 {
            let mut s = TcpStream::connect((PEER, 7002)).await?;
            let mut buf = [0; 8];
            s.read_exact(&mut buf).await?;
            assert_eq!(&buf, b"220 hi\r\n");
            s.write_all(b"x").await?;
        }
        Ok(())
    });
    net.sim.run().unwrap();
    net.step_until(Duration::from_millis(10), || {
        greeter.borrow().received == b"xx"
    });
}

#[test]
fn test_tcp_closer_closes_after_its_delay() {
    let after = Duration::from_millis(250);
    let mut net = Net::new(vec![Service::TcpCloser { port: 7003, after }]);
    let closer = net.shared(0);
    net.sim.client(CLIENT, async move {
        let mut s = TcpStream::connect((PEER, 7003)).await?;
        // The SYN-ACK took LATENCY: the server accepted that long ago, and
        // its FIN will take as long.
        let connected = now();
        s.write_all(b"kept").await?;
        assert_eq!(s.read(&mut [0; 8]).await?, 0, "closed by the peer");
        let waited = now() - connected;
        assert!(
            waited >= after && waited <= after + TICK,
            "closed {waited:?} after connecting, expected {after:?}"
        );
        Ok(())
    });
    net.sim.run().unwrap();
    assert_eq!(closer.borrow().received, b"kept");
    assert_eq!(closer.borrow().open_connections, 0);
}

#[test]
fn test_outbox_send_and_close_go_to_the_most_recent_connection() {
    let mut net = Net::new(vec![Service::TcpSink { port: 7004 }]);
    let sink = net.shared(0);
    // Without a connection a request waits.
    sink.borrow_mut().push(Outgoing::Send(b"early".to_vec()));
    net.step_for(Duration::from_millis(5));
    assert_eq!(sink.borrow().outbox.len(), 1);

    let both_open = Rc::new(Cell::new(false));
    let flag = both_open.clone();
    net.sim.client(CLIENT, async move {
        let mut a = TcpStream::connect((PEER, 7004)).await?;
        let mut buf = [0; 5];
        a.read_exact(&mut buf).await?;
        assert_eq!(
            &buf, b"early",
            "the waiting request goes to the first connection"
        );
        let mut b = TcpStream::connect((PEER, 7004)).await?;
        flag.set(true);
        let mut got = Vec::new();
        b.read_to_end(&mut got).await?;
        assert_eq!(got, b"to-b", "then the close: b ends");
        let mut buf = [0; 4];
        a.read_exact(&mut buf).await?;
        assert_eq!(&buf, b"to-a", "after b's close, a is the most recent");
        Ok(())
    });
    net.step_until(Duration::from_millis(50), || {
        both_open.get() && sink.borrow().open_connections == 2
    });
    // Three requests in one go, served in the next step.
    {
        let mut s = sink.borrow_mut();
        s.push(Outgoing::Send(b"to-b".to_vec()));
        s.push(Outgoing::Close);
        s.push(Outgoing::Send(b"to-a".to_vec()));
    }
    net.sim.step().unwrap();
    assert!(
        sink.borrow().outbox.is_empty(),
        "served in the step after the push"
    );
    net.sim.run().unwrap();
    net.step_until(Duration::from_millis(10), || {
        sink.borrow().open_connections == 0
    });
    assert_eq!(sink.borrow().accepted, 2);
}

// ---- UDP and ping ----

#[test]
fn test_udp_echo_round_trip() {
    let mut net = Net::new(vec![Service::UdpEcho { port: 9000 }]);
    let echo = net.shared(0);
    net.sim.client(CLIENT, async move {
        let s = UdpSocket::bind((Ipv4Addr::UNSPECIFIED, 0)).await?;
        for msg in [&b"one"[..], b"three"] {
            s.send_to(msg, (PEER, 9000)).await?;
            let mut buf = [0; 16];
            let (n, from) = s.recv_from(&mut buf).await?;
            assert_eq!((&buf[..n], from), (msg, (PEER, 9000).into()));
        }
        Ok(())
    });
    net.sim.run().unwrap();
    assert_eq!(echo.borrow().received, b"onethree");
    assert_eq!(echo.borrow().datagrams, [3, 5]);
}

#[test]
fn test_udp_sink_keeps_datagrams_and_sends_from_the_outbox_to_the_last_sender() {
    let mut net = Net::new(vec![Service::UdpSink { port: 9001 }]);
    let sink = net.shared(0);
    net.sim.client(CLIENT, async move {
        let s = UdpSocket::bind((Ipv4Addr::UNSPECIFIED, 4000)).await?;
        s.send_to(b"ab", (PEER, 9001)).await?;
        s.send_to(b"cde", (PEER, 9001)).await?;
        let mut buf = [0; 16];
        let (n, from) = s.recv_from(&mut buf).await?;
        assert_eq!((&buf[..n], from), (&b"back"[..], (PEER, 9001).into()));
        Ok(())
    });
    net.step_until(Duration::from_millis(20), || {
        sink.borrow().datagrams.len() == 2
    });
    assert_eq!(sink.borrow().received, b"abcde");
    assert_eq!(sink.borrow().datagrams, [2, 3]);
    sink.borrow_mut().push(Outgoing::Send(b"back".to_vec()));
    net.sim.run().unwrap();
}

#[test]
fn test_ping_is_echoed_on_every_host() {
    let mut net = Net::new(vec![]);
    net.sim.client(CLIENT, async move {
        let s = UdpSocket::bind((Ipv4Addr::UNSPECIFIED, 0)).await?;
        let sent = now();
        s.send_to(b"ping 1", (PEER, PING_PORT)).await?;
        let mut buf = [0; 16];
        let (n, _) = s.recv_from(&mut buf).await?;
        assert_eq!(&buf[..n], b"ping 1");
        let rtt = now() - sent;
        assert!(
            rtt >= 2 * LATENCY && rtt <= 2 * LATENCY + TICK,
            "round trip {rtt:?}"
        );
        Ok(())
    });
    net.sim.run().unwrap();
}

#[test]
fn test_a_service_added_later_runs() {
    let mut net = Net::new(vec![]);
    net.step_for(Duration::from_millis(20));
    let echo = net.add(Service::UdpEcho { port: 9003 });
    net.sim.client(CLIENT, async move {
        let s = UdpSocket::bind((Ipv4Addr::UNSPECIFIED, 0)).await?;
        s.send_to(b"late", (PEER, 9003)).await?;
        let mut buf = [0; 16];
        let (n, _) = s.recv_from(&mut buf).await?;
        assert_eq!(&buf[..n], b"late");
        Ok(())
    });
    net.sim.run().unwrap();
    assert_eq!(echo.borrow().datagrams, [4]);
}

#[test]
fn test_a_taken_port_stops_the_simulation() {
    let mut net = Net::new(vec![Service::UdpEcho { port: PING_PORT }]);
    let err = net.sim.step().expect_err("two sockets on one port");
    assert!(err.to_string().contains("UdpEcho"), "{err}");
}

// ---- DNS ----

fn dns_query(id: u16, name: &str, qtype: TYPE) -> Vec<u8> {
    let mut q = Packet::new_query(id);
    q.set_flags(PacketFlag::RECURSION_DESIRED);
    q.questions.push(Question::new(
        Name::new_unchecked(name),
        qtype.into(),
        CLASS::IN.into(),
        false,
    ));
    q.build_bytes_vec().unwrap()
}

/// Sends `query` to the peer's DNS server; the reply, if one comes within
/// a second.
async fn ask(query: &[u8]) -> std::io::Result<Option<Vec<u8>>> {
    let s = UdpSocket::bind((Ipv4Addr::UNSPECIFIED, 0)).await?;
    s.send_to(query, (PEER, 53)).await?;
    let mut buf = vec![0; 1024];
    match timeout(Duration::from_secs(1), s.recv_from(&mut buf)).await {
        Ok(received) => {
            let (n, from) = received?;
            assert_eq!(from, (PEER, 53).into());
            Ok(Some(buf[..n].to_vec()))
        }
        Err(_) => Ok(None),
    }
}

/// The answer section as (owner, data) text.
fn answers(p: &Packet) -> Vec<(String, String)> {
    p.answers
        .iter()
        .map(|r| {
            let data = match &r.rdata {
                RData::A(a) => Ipv4Addr::from(a.address).to_string(),
                RData::CNAME(c) => c.0.to_string(),
                other => format!("{other:?}"),
            };
            (r.name.to_string(), data)
        })
        .collect()
}

fn dns_net() -> (Net, Rc<RefCell<DnsState>>) {
    let dns = Rc::new(RefCell::new(DnsState::default()));
    {
        let zone = &mut dns.borrow_mut().zone;
        zone.insert(
            "peer.lan".into(),
            vec![Record::A(PEER), Record::A(Ipv4Addr::new(10, 0, 0, 3))],
        );
        zone.insert(
            "www.example.com".into(),
            vec![Record::Cname("edge.example.net".into())],
        );
        zone.insert(
            "edge.example.net".into(),
            vec![Record::Cname("peer.lan".into())],
        );
        zone.insert("txt-only.lan".into(), vec![]);
    }
    let service = Service::Dns {
        port: DNS_PORT,
        state: dns.clone(),
    };
    (Net::new(vec![service]), dns)
}

#[test]
fn test_dns_answers_a_queries() {
    let (mut net, dns) = dns_net();
    net.sim.client(CLIENT, async move {
        let reply = ask(&dns_query(0x5150, "Peer.LAN", TYPE::A))
            .await?
            .expect("a reply");
        let p = Packet::parse(&reply).unwrap();
        assert_eq!(p.id(), 0x5150);
        assert!(p.has_flags(PacketFlag::RESPONSE));
        assert!(p.has_flags(PacketFlag::RECURSION_DESIRED | PacketFlag::RECURSION_AVAILABLE));
        assert_eq!(p.rcode(), RCODE::NoError);
        assert_eq!(p.questions.len(), 1);
        assert_eq!(p.questions[0].qname.to_string(), "Peer.LAN");
        let want = [("Peer.LAN", "192.168.0.103"), ("Peer.LAN", "10.0.0.3")];
        assert_eq!(
            answers(&p),
            want.map(|(a, b)| (a.to_string(), b.to_string()))
        );
        Ok(())
    });
    net.sim.run().unwrap();
    assert_eq!(dns.borrow().queries, 1);
}

#[test]
fn test_dns_follows_a_cname_chain() {
    let (mut net, _) = dns_net();
    net.sim.client(CLIENT, async move {
        let reply = ask(&dns_query(1, "www.example.com", TYPE::A))
            .await?
            .expect("a reply");
        let p = Packet::parse(&reply).unwrap();
        assert_eq!(p.rcode(), RCODE::NoError);
        let want = [
            ("www.example.com", "edge.example.net"),
            ("edge.example.net", "peer.lan"),
            ("peer.lan", "192.168.0.103"),
            ("peer.lan", "10.0.0.3"),
        ];
        assert_eq!(
            answers(&p),
            want.map(|(a, b)| (a.to_string(), b.to_string()))
        );
        assert!(matches!(p.answers[0].rdata, RData::CNAME(_)));
        Ok(())
    });
    net.sim.run().unwrap();
}

#[test]
fn test_dns_nxdomain_nodata_and_formerr() {
    let (mut net, _) = dns_net();
    net.sim.client(CLIENT, async move {
        let reply = ask(&dns_query(2, "nowhere.lan", TYPE::A))
            .await?
            .expect("a reply");
        let p = Packet::parse(&reply).unwrap();
        assert_eq!(
            (p.id(), p.rcode(), p.answers.len()),
            (2, RCODE::NameError, 0)
        );

        let reply = ask(&dns_query(3, "txt-only.lan", TYPE::A))
            .await?
            .expect("a reply");
        let p = Packet::parse(&reply).unwrap();
        assert_eq!((p.id(), p.rcode(), p.answers.len()), (3, RCODE::NoError, 0));

        let reply = ask(&[0x00, 0x04, 0x01, 0x00, 0x00])
            .await?
            .expect("a reply");
        assert_eq!(reply, [0x00, 0x04, 0x81, 0x81, 0, 0, 0, 0, 0, 0, 0, 0]);
        Ok(())
    });
    net.sim.run().unwrap();
}

#[test]
fn test_dns_silent_server_counts_but_does_not_answer() {
    let (mut net, dns) = dns_net();
    dns.borrow_mut().silent = true;
    let state = dns.clone();
    net.sim.client(CLIENT, async move {
        assert_eq!(ask(&dns_query(4, "peer.lan", TYPE::A)).await?, None);
        state.borrow_mut().silent = false;
        assert!(ask(&dns_query(5, "peer.lan", TYPE::A)).await?.is_some());
        Ok(())
    });
    net.sim.run().unwrap();
    assert_eq!(dns.borrow().queries, 2);
}

// ---- SNTP ----

/// A version-4 client request whose transmit timestamp is `t`.
fn sntp_request(t: u64) -> [u8; 48] {
    let mut r = [0; 48];
    r[0] = 0b00_100_011;
    r[2] = 6;
    r[40..48].copy_from_slice(&t.to_be_bytes());
    r
}

/// Microseconds since 1970 of an NTP timestamp in `era`, truncated as
/// clients (the module's among them) do.
fn unix_micros(ts: u64, era: i64) -> i64 {
    let secs = (ts >> 32) as i64 + (era << 32) - UNIX_TO_NTP;
    let micros = (((ts & 0xffff_ffff) * 1_000_000) >> 32) as i64;
    secs * 1_000_000 + micros
}

/// Asks the peer's SNTP server; checks the reply's fixed fields; returns
/// its transmit time in `era`, and the simulated instants the request left
/// and the reply arrived.
async fn sntp_time(era: i64) -> std::io::Result<(i64, Duration, Duration)> {
    let s = UdpSocket::bind((Ipv4Addr::UNSPECIFIED, 0)).await?;
    let origin = 0xdead_beef_0bad_f00d;
    let sent = now();
    s.send_to(&sntp_request(origin), (PEER, 123)).await?;
    let mut buf = [0; 128];
    let (n, _) = s.recv_from(&mut buf).await?;
    let received = now();
    let r = &buf[..n];
    assert_eq!(n, 48);
    assert_eq!(r[0], 0b00_100_100, "LI 0, version 4, mode 4");
    assert_eq!((r[1], r[2], r[3] as i8), (1, 6, -20));
    assert_eq!(&r[12..16], b"LOCL");
    assert_eq!(&r[24..32], &origin.to_be_bytes());
    let ts = |at: usize| u64::from_be_bytes(r[at..at + 8].try_into().unwrap());
    assert_eq!(ts(16), ts(40));
    assert_eq!(ts(32), ts(40));
    Ok((unix_micros(ts(40), era), sent, received))
}

#[test]
fn test_sntp_replies_with_the_clock_time() {
    let clock = Rc::new(RefCell::new(Clock {
        set_at: Duration::ZERO,
        unix_micros: 1_700_000_000_123_456,
    }));
    let mut net = Net::new(vec![Service::Sntp {
        port: SNTP_PORT,
        clock: clock.clone(),
    }]);
    net.step_for(Duration::from_millis(1500));
    let c = clock.clone();
    net.sim.client(CLIENT, async move {
        let (time, sent, received) = sntp_time(0).await?;
        // The server read its clock when the request arrived, one latency
        // after it left.
        assert_eq!(received - sent, 2 * LATENCY);
        assert_eq!(time, c.borrow().unix_micros_at(sent + LATENCY));
        assert_eq!(
            time,
            1_700_000_000_123_456 + (sent + LATENCY).as_micros() as i64
        );

        // Reset the clock past the end of NTP era 0.
        *c.borrow_mut() = Clock {
            set_at: now(),
            unix_micros: 2_208_988_800_000_000,
        };
        let (time, sent, _) = sntp_time(1).await?;
        let since_set = sent + LATENCY - c.borrow().set_at;
        assert_eq!(time, 2_208_988_800_000_000 + since_set.as_micros() as i64);
        Ok(())
    });
    net.sim.run().unwrap();
}

// ---- crash and restart ----

#[test]
fn test_services_come_back_after_a_crash() {
    let clock = Rc::new(RefCell::new(Clock {
        set_at: Duration::ZERO,
        unix_micros: 1_000_000_000_000_000,
    }));
    let mut net = Net::new(vec![
        Service::TcpEcho { port: 7000 },
        Service::Sntp {
            port: SNTP_PORT,
            clock: clock.clone(),
        },
    ]);
    let echo = net.shared(0);
    let phase = Rc::new(Cell::new(0));
    let restarted = Rc::new(Notify::new());
    let (p, go) = (phase.clone(), restarted.clone());
    let c = clock.clone();
    net.sim.client(CLIENT, async move {
        let mut s = TcpStream::connect((PEER, 7000)).await?;
        s.write_all(b"before").await?;
        s.read_exact(&mut [0; 6]).await?;
        p.set(1);
        go.notified().await;
        drop(s);
        let mut s = TcpStream::connect((PEER, 7000)).await?;
        s.write_all(b"after").await?;
        let mut buf = [0; 5];
        s.read_exact(&mut buf).await?;
        assert_eq!(&buf, b"after");
        let (time, sent, _) = sntp_time(0).await?;
        assert_eq!(
            time,
            c.borrow().unix_micros_at(sent + LATENCY),
            "the clock ran on"
        );
        p.set(2);
        Ok(())
    });
    net.step_until(Duration::from_millis(50), || phase.get() == 1);
    assert_eq!(echo.borrow().open_connections, 1);
    net.sim.crash(PEER);
    net.step_for(Duration::from_millis(100));
    net.sim.bounce(PEER);
    net.sim.step().unwrap();
    assert_eq!(
        echo.borrow().open_connections,
        0,
        "the crash killed the connection"
    );
    restarted.notify_one();
    net.sim.run().unwrap();
    let e = echo.borrow();
    assert_eq!(e.received, b"beforeafter", "state outlives the host");
    assert_eq!(e.accepted, 2);
}
