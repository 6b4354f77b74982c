//! Tests of the whole module, through a scripted driver that plays the
//! network's part. Grouped by clause family; wire bytes are written
//! literally.

use alloc::collections::VecDeque;
use alloc::string::String;
use alloc::vec::Vec;
use core::net::{Ipv4Addr, SocketAddrV4};
use core::time::Duration;

use crate::net::{NetCommand, NetEvent, SocketId};
use crate::tls::test_server::TestServer;
use crate::{Instant, Module, SEED};

mod clauses;
mod esp_at;
mod props;

/// The module's address in every test (the spec's examples).
pub(crate) const MODULE_IP: Ipv4Addr = Ipv4Addr::new(192, 168, 0, 107);
/// The DNS server DHCP hands out.
pub(crate) const DHCP_DNS: Ipv4Addr = Ipv4Addr::new(192, 168, 0, 1);
/// A peer from the spec's examples.
pub(crate) const PEER: Ipv4Addr = Ipv4Addr::new(192, 168, 0, 103);

/// A scripted driver: drains every output after every input, keeps the
/// network's commands for the test to answer, and jumps time to the next
/// wake-up on request.
pub(crate) struct Driver {
    pub(crate) m: Module,
    pub(crate) now: Instant,
    /// UART output not yet looked at by the test.
    pub(crate) uart: Vec<u8>,
    /// Network commands not yet looked at by the test.
    pub(crate) net: VecDeque<NetCommand>,
    /// The last settings blob written.
    pub(crate) stored: Option<Vec<u8>>,
    /// Writes are reported durable at once (true) or left outstanding, for
    /// the test to report with `handle_stored` (false).
    pub(crate) store_at_once: bool,
    /// Every UART input byte not yet taken by the module.
    pending_uart: Vec<u8>,
    /// Each rate `poll_line_rate` gave, with the UART output the test had
    /// not yet looked at then (what went out before it).
    pub(crate) rates: Vec<(u32, Vec<u8>)>,
}

impl Driver {
    /// Factory state, DHCP done, the internal sockets open, `ready` seen,
    /// then `ATE0` → `OK`.
    pub(crate) fn booted() -> Self {
        let mut d = Driver::power_on(&[]);
        d.send(b"ATE0\r\n");
        assert_eq!(d.take_text(), "ATE0\r\n\r\nOK\r\n");
        d
    }

    /// Power-on with `stored` settings; DHCP done, internal sockets open,
    /// `ready` consumed. Echo is on.
    pub(crate) fn power_on(stored: &[u8]) -> Self {
        let mut d = Driver::power_on_as(&SEED, stored);
        d.event(NetEvent::Configured {
            address: MODULE_IP,
            dns: &[DHCP_DNS],
            gateway: Ipv4Addr::new(192, 168, 0, 1),
            netmask: Ipv4Addr::new(255, 255, 255, 0),
        });
        d
    }

    /// Power-on of a module of `dialect`: internal sockets open, `ready`
    /// consumed, no address yet.
    pub(crate) fn power_on_as(dialect: &'static crate::Dialect, stored: &[u8]) -> Self {
        let mut d = Driver {
            m: Module::new(dialect, stored, 7),
            now: Instant::ZERO,
            uart: Vec::new(),
            net: VecDeque::new(),
            stored: None,
            store_at_once: true,
            pending_uart: Vec::new(),
            rates: Vec::new(),
        };
        d.drain();
        assert_eq!(d.take_text(), "\r\nready\r\n");
        for port in 40000..40003 {
            match d.net.pop_front() {
                Some(NetCommand::Bind { socket, .. }) => d.event(NetEvent::Opened {
                    socket,
                    local_port: port,
                }),
                other => panic!("expected an internal Bind, got {other:?}"),
            }
        }
        d
    }

    /// Drains every output into the test's buffers.
    pub(crate) fn drain(&mut self) {
        let mut buf = [0u8; 256];
        loop {
            let n = self.m.poll_uart(&mut buf);
            if n == 0 {
                let Some(rate) = self.m.poll_line_rate() else {
                    break;
                };
                self.rates.push((rate, self.uart.clone()));
                continue;
            }
            self.uart.extend_from_slice(&buf[..n]);
        }
        while let Some(c) = self.m.poll_net() {
            self.net.push_back(c);
        }
        if let Some(blob) = self.m.poll_store() {
            self.stored = Some(blob.to_vec());
            if self.store_at_once {
                self.m.handle_stored(self.now, true);
                return self.drain();
            }
        }
        if !self.pending_uart.is_empty() {
            let pending = core::mem::take(&mut self.pending_uart);
            let used = self.m.handle_uart(self.now, &pending);
            self.pending_uart = pending[used..].to_vec();
            if used > 0 {
                self.drain();
            }
        }
    }

    /// UART bytes from the host at the current instant.
    pub(crate) fn send(&mut self, bytes: &[u8]) {
        self.pending_uart.extend_from_slice(bytes);
        self.drain();
    }

    /// A command line plus CRLF; returns the output it produced at once.
    pub(crate) fn cmd(&mut self, line: &str) -> String {
        self.send(line.as_bytes());
        self.send(b"\r\n");
        self.take_text()
    }

    /// A network event at the current instant.
    pub(crate) fn event(&mut self, e: NetEvent<'_>) {
        self.m.handle_net(self.now, e);
        self.drain();
    }

    /// Moves time forward by `by`, firing every wake-up on the way.
    pub(crate) fn wait(&mut self, by: Duration) {
        let end = self.now + by;
        let mut fired = 0;
        while let Some(t) = self.m.poll_timeout().filter(|&t| t <= end) {
            assert!(
                t >= self.now || fired == 0,
                "poll_timeout went back: {t} < {}",
                self.now
            );
            self.now = self.now.max(t);
            self.m.handle_timeout(self.now);
            self.drain();
            if let Some(next) = self.m.poll_timeout() {
                assert!(
                    next > self.now,
                    "poll_timeout {next} not after handle_timeout({})",
                    self.now
                );
            }
            fired += 1;
            assert!(fired < 100_000, "livelock");
        }
        self.now = end;
        self.m.handle_timeout(end);
        self.drain();
    }

    /// The UART output so far, as text (lossy), and forget it.
    pub(crate) fn take_text(&mut self) -> String {
        String::from_utf8_lossy(&core::mem::take(&mut self.uart)).into_owned()
    }

    /// The next network command; panics if there is none.
    pub(crate) fn next_net(&mut self) -> NetCommand {
        self.net.pop_front().expect("a network command")
    }

    /// `AT+CIPSTART` for a TCP client on `link`, connected, `OK` consumed;
    /// returns the link's socket.
    pub(crate) fn tcp_link(&mut self, link: u8, port: u16) -> SocketId {
        let out = self.cmd(&alloc::format!(
            "AT+CIPSTART={link},\"TCP\",\"192.168.0.103\",{port}"
        ));
        assert_eq!(out, "");
        let NetCommand::Connect { socket, remote, .. } = self.next_net() else {
            panic!("expected Connect")
        };
        assert_eq!(remote, SocketAddrV4::new(PEER, port));
        self.event(NetEvent::Opened {
            socket,
            local_port: 50000 + u16::from(link),
        });
        assert_eq!(self.take_text(), "\r\nOK\r\n");
        socket
    }

    /// Carries the module's sends on `socket` to `server` (each reported
    /// `Sent`) and the server's answers back, until neither has more.
    pub(crate) fn tls_exchange(&mut self, socket: SocketId, server: &mut TestServer) {
        loop {
            let mut to_server = Vec::new();
            let mut rest = VecDeque::new();
            while let Some(c) = self.net.pop_front() {
                match c {
                    NetCommand::Send {
                        socket: s,
                        data,
                        to,
                    } if s == socket => {
                        to_server.push((data, to));
                    }
                    other => rest.push_back(other),
                }
            }
            self.net = rest;
            if to_server.is_empty() {
                return;
            }
            for (data, to) in to_server {
                self.event(NetEvent::Sent { socket });
                let answer = server.handle(&data);
                if !answer.is_empty() {
                    self.event(NetEvent::Received {
                        socket,
                        from: to.unwrap_or(SocketAddrV4::new(PEER, 443)),
                        data: &answer,
                    });
                }
            }
        }
    }

    /// `AT+CIPSTART` for a UDP client on `link`; returns its socket.
    pub(crate) fn udp_link(&mut self, link: u8, port: u16) -> SocketId {
        let out = self.cmd(&alloc::format!(
            "AT+CIPSTART={link},\"UDP\",\"192.168.0.103\",{port}"
        ));
        assert_eq!(out, "");
        let NetCommand::Bind {
            socket,
            local_port: 0,
        } = self.next_net()
        else {
            panic!("expected Bind")
        };
        self.event(NetEvent::Opened {
            socket,
            local_port: 50000 + u16::from(link),
        });
        assert_eq!(self.take_text(), "\r\nOK\r\n");
        socket
    }
}

#[test]
fn boot_says_ready_and_at_answers_ok() {
    let mut d = Driver::booted();
    assert_eq!(d.cmd("AT"), "\r\nOK\r\n");
    assert!(d.net.is_empty());
}

#[test]
fn tcp_send_and_receive_round_trip() {
    let mut d = Driver::booted();
    let s = d.tcp_link(0, 20108);
    assert_eq!(d.cmd("AT+CIPSEND=0,5"), "\r\n>");
    d.send(b"hello");
    assert_eq!(
        d.next_net(),
        NetCommand::Send {
            socket: s,
            data: b"hello".to_vec().into(),
            to: None
        }
    );
    assert_eq!(d.take_text(), "");
    d.event(NetEvent::Sent { socket: s });
    assert_eq!(d.take_text(), "\r\nSEND OK\r\n");
    d.event(NetEvent::Received {
        socket: s,
        from: SocketAddrV4::new(PEER, 20108),
        data: b"hello",
    });
    assert_eq!(d.take_text(), "+IPD,5:hello\r\n");
}

#[test]
fn udp_link_sends_to_its_peer_and_connect_times_out() {
    let mut d = Driver::booted();
    let s = d.udp_link(1, 20108);
    assert_eq!(d.cmd("AT+CIPSEND=1,2"), "\r\n>");
    d.send(b"hi");
    let NetCommand::Send { socket, to, .. } = d.next_net() else {
        panic!()
    };
    assert_eq!((socket, to), (s, Some(SocketAddrV4::new(PEER, 20108))));
    d.event(NetEvent::Sent { socket: s });
    assert_eq!(d.take_text(), "\r\nSEND OK\r\n");
    // SS-10: one link with CIPMUX=0.
    assert_eq!(
        d.cmd("AT+CIPSTART=2,\"TCP\",\"192.168.0.103\",80"),
        "\r\nERROR\r\n"
    );
    assert_eq!(d.cmd("AT+CIPCLOSE=1"), "\r\nOK\r\n");
    assert_eq!(d.next_net(), NetCommand::Close { socket: s });
    // SS-6: no answer within 5 s.
    assert_eq!(d.cmd("AT+CIPSTART=2,\"TCP\",\"192.168.0.103\",80"), "");
    let NetCommand::Connect { socket, .. } = d.next_net() else {
        panic!()
    };
    d.wait(Duration::from_millis(4999));
    assert_eq!(d.take_text(), "");
    d.wait(Duration::from_millis(1));
    assert_eq!(d.take_text(), "\r\nERROR\r\n");
    assert_eq!(d.next_net(), NetCommand::Close { socket });
}
