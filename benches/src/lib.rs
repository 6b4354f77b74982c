//! A minimal driver for benchmarking `firmware-core`: it plays an
//! always-ready network (every send accepted at once) and a UART that takes
//! every byte, so what is measured is the core alone.

use std::net::{Ipv4Addr, SocketAddrV4};

use firmware_core::{Instant, Module, NetCommand, NetEvent, SEED, SocketId};

/// A booted module with echo off, and the sockets it opened.
pub struct Bench {
    /// The module.
    pub m: Module,
    /// Simulated time, advanced by the bench.
    pub now: Instant,
    /// The sockets of links 0.., in order.
    pub links: Vec<SocketId>,
}

/// The peer every link connects to.
pub const PEER: SocketAddrV4 = SocketAddrV4::new(Ipv4Addr::new(192, 168, 0, 103), 20108);

impl Bench {
    /// Boots a module, answers its internal sockets, turns echo off.
    pub fn new() -> Self {
        let mut b = Bench {
            m: Module::new(&SEED, &[], 1),
            now: Instant::ZERO,
            links: Vec::new(),
        };
        b.m.handle_net(
            b.now,
            NetEvent::Configured {
                address: Ipv4Addr::new(192, 168, 0, 107),
                dns: &[],
                gateway: Ipv4Addr::new(192, 168, 0, 1),
                netmask: Ipv4Addr::new(255, 255, 255, 0),
            },
        );
        b.drain();
        b.line(b"ATE0\r\n");
        b
    }

    /// Sends a command line and carries out what it asks.
    pub fn line(&mut self, bytes: &[u8]) {
        self.m.handle_uart(self.now, bytes);
        self.drain();
    }

    /// Opens TCP link `id` (CIPMUX must allow it).
    pub fn open_tcp(&mut self, id: u8) {
        self.m.handle_uart(
            self.now,
            format!(
                "AT+CIPSTART={id},\"TCP\",\"{}\",{}\r\n",
                PEER.ip(),
                PEER.port()
            )
            .as_bytes(),
        );
        self.drain();
    }

    /// Drains the UART; answers Bind/Connect with Opened and Send with
    /// Sent; returns the UART bytes produced.
    pub fn drain(&mut self) -> usize {
        let mut uart = 0;
        loop {
            // As driver-kit's `drain` does: the UART takes the bytes from
            // the core's own queue (a FIFO or DMA reads them from there).
            let n = std::hint::black_box(self.m.peek_uart()).len();
            self.m.consume_uart(n);
            uart += n;
            let mut progress = n > 0 || self.m.poll_line_rate().is_some();
            while let Some(c) = self.m.poll_net() {
                progress = true;
                match c {
                    NetCommand::Connect { socket, .. } => {
                        self.links.push(socket);
                        self.m.handle_net(
                            self.now,
                            NetEvent::Opened {
                                socket,
                                local_port: 50000,
                            },
                        );
                    }
                    NetCommand::Bind { socket, .. } => {
                        self.m.handle_net(
                            self.now,
                            NetEvent::Opened {
                                socket,
                                local_port: 49152,
                            },
                        );
                    }
                    NetCommand::Send { socket, data, .. } => {
                        std::hint::black_box(&data);
                        self.m.handle_net(self.now, NetEvent::Sent { socket });
                    }
                    _ => {}
                }
            }
            if !progress {
                return uart;
            }
        }
    }

    /// A module in passthrough on one TCP link.
    pub fn passthrough() -> Self {
        let mut b = Bench::new();
        b.line(b"AT+CIPMODE=1\r\n");
        b.open_tcp(0);
        b.line(b"AT+CIPSEND\r\n");
        assert!(b.m.is_passthrough(), "passthrough not entered");
        b
    }
}

impl Default for Bench {
    fn default() -> Self {
        Bench::new()
    }
}
