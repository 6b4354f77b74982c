//! Peer sentences: the lab around the module.

use std::net::SocketAddrV4;
use std::time::Duration;

use cucumber::{given, then, when};
use sim::peers::{Outgoing, Psk, Record, Service};

use super::{addr, addr_port, data, duration, show, unescape};
use crate::world::{AtWorld, Peer, THEN_LIMIT};

fn add(w: &mut AtWorld, at: SocketAddrV4, service: Service) {
    let shared = w.dut().add_service(*at.ip(), service);
    w.peers.insert(
        at,
        Peer {
            shared,
            data_sent: 0,
            data_checked: 0,
        },
    );
}

#[given(regex = r"^a (TCP|UDP) echo server at (\S+)$")]
fn echo(w: &mut AtWorld, proto: String, at: String) {
    let at = addr_port(&at);
    let port = at.port();
    add(
        w,
        at,
        if proto == "TCP" {
            Service::TcpEcho { port }
        } else {
            Service::UdpEcho { port }
        },
    );
}

#[given(regex = r"^a (TCP|UDP) sink at (\S+)$")]
fn sink(w: &mut AtWorld, proto: String, at: String) {
    let at = addr_port(&at);
    let port = at.port();
    add(
        w,
        at,
        if proto == "TCP" {
            Service::TcpSink { port }
        } else {
            Service::UdpSink { port }
        },
    );
}

#[given(regex = r#"^a TCP server at (\S+) that sends "(.*)" on connect$"#)]
fn greeter(w: &mut AtWorld, at: String, greeting: String) {
    let at = addr_port(&at);
    add(
        w,
        at,
        Service::TcpGreeter {
            port: at.port(),
            greeting: unescape(&greeting),
        },
    );
}

#[given(regex = r"^a TCP server at (\S+) that closes each connection after (\d+) ?(ms|s)$")]
fn closer(w: &mut AtWorld, at: String, n: String, unit: String) {
    let at = addr_port(&at);
    add(
        w,
        at,
        Service::TcpCloser {
            port: at.port(),
            after: duration(&n, &unit),
        },
    );
}

/// OpenSSL's server (`sim::peers::Psk`): the module's TLS meets an
/// implementation that is not its own.
#[given(
    regex = r#"^a (TLS|DTLS)-PSK (echo server|sink) at (\S+) with key "(.*)" and identity "(.*)"$"#
)]
fn psk_peer(
    w: &mut AtWorld,
    proto: String,
    kind: String,
    at: String,
    key: String,
    identity: String,
) {
    let at = addr_port(&at);
    let psk = Psk {
        key: unescape(&key),
        identity: unescape(&identity),
    };
    let port = at.port();
    let service = match (proto.as_str(), kind.as_str()) {
        ("TLS", "echo server") => Service::TlsPskEcho { port, psk },
        ("TLS", _) => Service::TlsPskSink { port, psk },
        (_, "echo server") => Service::DtlsPskEcho { port, psk },
        _ => Service::DtlsPskSink { port, psk },
    };
    add(w, at, service);
}

#[given(regex = r"^a host at (\S+)$")]
fn host(w: &mut AtWorld, ip: String) {
    w.dut().add_host(addr(&ip));
}

#[given(regex = r"^nothing listens at (\S+)$")]
fn nothing_listens(w: &mut AtWorld, at: String) {
    // A host with nothing bound there refuses the connection.
    w.dut().add_host(*addr_port(&at).ip());
}

#[given(regex = r"^no host answers at (\S+)$")]
fn no_host(w: &mut AtWorld, ip: String) {
    if let Err(e) = w.dut().add_silent_host(addr(&ip)) {
        crate::dut::skip(format!("this DUT cannot make {ip} silent: {}", e.0));
    }
}

#[given(regex = r#"^the DNS name "(.*)" resolves to (\S+)$"#)]
fn network_name(w: &mut AtWorld, name: String, ip: String) {
    let dns = w.dut().network_dns();
    dns.borrow_mut()
        .zone
        .entry(name.to_ascii_lowercase())
        .or_default()
        .push(Record::A(addr(&ip)));
}

#[given(regex = r#"^a DNS server at (\S+) that resolves "(.*)" to (\S+)$"#)]
fn dns_server(w: &mut AtWorld, server: String, name: String, ip: String) {
    let server = addr(&server);
    let dns = match w.dns_servers.get(&server) {
        Some(d) => d.clone(),
        None => {
            let d = w.dut().add_dns_server(server);
            w.dns_servers.insert(server, d.clone());
            d
        }
    };
    dns.borrow_mut()
        .zone
        .entry(name.to_ascii_lowercase())
        .or_default()
        .push(Record::A(addr(&ip)));
}

#[given(regex = r"^the DNS server at (\S+) does not answer$")]
fn dns_silent(w: &mut AtWorld, server: String) {
    let server = addr(&server);
    let dns = match w.dns_servers.get(&server) {
        Some(d) => d.clone(),
        None if server == sim::DNS_IP => w.dut().network_dns(),
        None => {
            let d = w.dut().add_dns_server(server);
            w.dns_servers.insert(server, d.clone());
            d
        }
    };
    dns.borrow_mut().silent = true;
}

#[given(
    regex = r"^an SNTP server at (\S+) whose clock reads (\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}) UTC$"
)]
fn sntp_server(w: &mut AtWorld, ip: String, when: String) {
    let clock = w.dut().add_sntp_server(addr(&ip), unix_micros(&when));
    w.sntp_clocks.insert(addr(&ip), clock);
}

#[when(
    regex = r"^the SNTP server at (\S+) sets its clock to (\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}) UTC$"
)]
fn sntp_set(w: &mut AtWorld, ip: String, when: String) {
    let now = w.dut().network_now();
    let clock = w
        .sntp_clocks
        .get(&addr(&ip))
        .unwrap_or_else(|| panic!("no SNTP server at {ip} in this scenario"));
    *clock.borrow_mut() = sim::peers::Clock {
        set_at: now,
        unix_micros: unix_micros(&when),
    };
}

/// `YYYY-MM-DD HH:MM:SS` (UTC) as microseconds since the Unix epoch.
fn unix_micros(when: &str) -> i64 {
    let format = time::macros::format_description!("[year]-[month]-[day] [hour]:[minute]:[second]");
    let t = time::PrimitiveDateTime::parse(when, &format).unwrap_or_else(|e| panic!("{when}: {e}"));
    i64::try_from(t.assume_utc().unix_timestamp_nanos() / 1000).expect("in range")
}

#[given(regex = r#"^the DNS name "(.*)" is an alias of "(.*)"$"#)]
fn dns_alias(w: &mut AtWorld, alias: String, name: String) {
    w.dut()
        .network_dns()
        .borrow_mut()
        .zone
        .entry(alias.to_ascii_lowercase())
        .or_default()
        .push(Record::Cname(name.to_ascii_lowercase()));
}

#[when(regex = r#"^a UDP peer at (\S+) sends "(.*)" to the module's port (\d+)$"#)]
fn udp_peer_first(w: &mut AtWorld, at: String, bytes: String, port: u16) {
    let at = addr_port(&at);
    let to = SocketAddrV4::new(sim::MODULE_IP, port);
    let first = unescape(&bytes);
    add(
        w,
        at,
        Service::UdpPeer {
            port: at.port(),
            to,
            first,
        },
    );
}

#[when(regex = r"^the peer at (\S+) (stops|resumes) reading$")]
fn peer_reading(w: &mut AtWorld, at: String, what: String) {
    w.peer(addr_port(&at))
        .shared
        .borrow_mut()
        .set_paused(what == "stops");
}

#[when(regex = r#"^the peer at (\S+) sends "(.*)"$"#)]
fn peer_sends(w: &mut AtWorld, at: String, bytes: String) {
    let bytes = unescape(&bytes);
    w.peer(addr_port(&at))
        .shared
        .borrow_mut()
        .push(Outgoing::Send(bytes));
}

#[when(regex = r"^the peer at (\S+) sends (\d+) bytes of data$")]
fn peer_sends_data(w: &mut AtWorld, at: String, n: usize) {
    let at = addr_port(&at);
    w.data_peer = Some(at);
    let peer = w.peer(at);
    let bytes = data(peer.data_sent, n);
    peer.data_sent += n;
    peer.shared.borrow_mut().push(Outgoing::Send(bytes));
}

#[when(regex = r"^a TCP client at (\S+) connects to the module on port (\d+)$")]
fn client_connects(w: &mut AtWorld, ip: String, port: u16) {
    let module = SocketAddrV4::new(sim::MODULE_IP, port);
    add(
        w,
        SocketAddrV4::new(addr(&ip), port),
        Service::TcpClient { to: module },
    );
}

#[when(regex = r"^the peer at (\S+) closes the connection$")]
fn peer_closes(w: &mut AtWorld, at: String) {
    w.peer(addr_port(&at))
        .shared
        .borrow_mut()
        .push(Outgoing::Close);
}

/// Waits until `check` holds for the peer's state; fails with `what`.
fn wait_peer(
    w: &mut AtWorld,
    at: SocketAddrV4,
    limit: Duration,
    check: impl Fn(&sim::peers::PeerState) -> bool,
) -> bool {
    let shared = w.peer(at).shared.clone();
    w.wait_until(limit, |_| check(&shared.borrow()))
}

#[then(regex = r#"^the peer at (\S+) receives "(.*)"$"#)]
fn peer_receives(w: &mut AtWorld, at: String, bytes: String) {
    let at = addr_port(&at);
    let want = unescape(&bytes);
    if !wait_peer(w, at, THEN_LIMIT, |s| s.received.ends_with(&want)) {
        let got = w.peer(at).shared.borrow().received.clone();
        panic!(
            "the peer at {at} received {:?}, not ending with {:?}",
            show(&got),
            show(&want)
        );
    }
}

#[then(regex = r"^the peer at (\S+) has received exactly the host's data$")]
fn peer_has_host_data(w: &mut AtWorld, at: String) {
    let at = addr_port(&at);
    let want = data(0, w.host_data_sent);
    if !wait_peer(w, at, THEN_LIMIT, |s| s.received.len() >= want.len())
        || w.peer(at).shared.borrow().received != want
    {
        let got = w.peer(at).shared.borrow().received.clone();
        let first = got
            .iter()
            .zip(&want)
            .position(|(a, b)| a != b)
            .unwrap_or(got.len().min(want.len()));
        panic!(
            "the peer at {at} received {} bytes, the host sent {}; first difference at byte {first}",
            got.len(),
            want.len()
        );
    }
}

#[then(
    regex = r"^the peer at (\S+) has received at most (\d+) bytes of the host's data, in order, none twice$"
)]
fn peer_has_some_host_data(w: &mut AtWorld, at: String, most: usize) {
    let at = addr_port(&at);
    // Settled: nothing more arrived for 200 ms (or the step's limit passed).
    // One wait per quiet spell, so that each ends on its own mark.
    let limit = w.dut().now() + THEN_LIMIT;
    let received = |w: &mut AtWorld| w.peer(at).shared.borrow().received.len();
    let mut seen = received(w);
    loop {
        let now = w.dut().now();
        let spell = (now + Duration::from_millis(200)).min(limit) - now;
        if !w.wait_until(spell, |w| received(w) != seen) || w.dut().now() >= limit {
            break;
        }
        seen = received(w);
    }
    let got = w.peer(at).shared.borrow().received.clone();
    let sent = data(0, w.host_data_sent);
    assert!(
        got.len() <= most,
        "the peer at {at} received {} bytes, more than {most}",
        got.len()
    );
    // Greedy matching decides whether `got` is `sent` with bytes left out.
    let mut stream = sent.iter();
    if let Some(i) = got.iter().position(|b| !stream.any(|s| s == b)) {
        panic!(
            "the peer at {at} received the host's data out of order or twice: byte {i} of {} ({:?}) follows no later byte of the {} sent",
            got.len(),
            show(&got[i..(i + 16).min(got.len())]),
            sent.len()
        );
    }
}

#[then(regex = r"^the peer at (\S+) has received nothing$")]
fn peer_has_nothing(w: &mut AtWorld, at: String) {
    let at = addr_port(&at);
    w.wait(Duration::from_millis(100));
    let got = w.peer(at).shared.borrow().received.clone();
    assert!(got.is_empty(), "the peer at {at} received {:?}", show(&got));
}

#[then(regex = r"^the UDP peer at (\S+) has received datagrams of (.+) bytes$")]
fn peer_datagrams(w: &mut AtWorld, at: String, list: String) {
    let at = addr_port(&at);
    let want: Vec<usize> = list
        .split([',', ' '])
        .filter(|s| !s.is_empty() && *s != "and")
        .map(|s| s.parse().unwrap_or_else(|_| panic!("not a size: {s}")))
        .collect();
    if !wait_peer(w, at, THEN_LIMIT, |s| s.datagrams == want) {
        let got = w.peer(at).shared.borrow().datagrams.clone();
        panic!("the UDP peer at {at} received datagrams of {got:?} bytes, not {want:?}");
    }
}

#[then(regex = r"^the peer at (\S+) has (\d+) open connections?$")]
fn peer_connections(w: &mut AtWorld, at: String, n: usize) {
    let at = addr_port(&at);
    if !wait_peer(w, at, THEN_LIMIT, |s| s.open_connections == n) {
        let got = w.peer(at).shared.borrow().open_connections;
        panic!("the peer at {at} has {got} open connections, not {n}");
    }
}
