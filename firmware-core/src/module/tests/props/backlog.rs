//! Passthrough with a network slower than the UART (PT-7): the buffer
//! holds a dialect's worth, flow control holds the host back before it is
//! full, and without flow control the excess is dropped and counted.

use alloc::collections::VecDeque;

use super::*;

/// One UART piece of `len` data bytes, `gap` after the previous one.
#[derive(Debug, Clone, Copy)]
struct Burst {
    gap: Duration,
    len: usize,
}

fn bursts() -> impl Strategy<Value = Vec<Burst>> {
    let burst = (0..3000u64, 1..=SEED.uart_piece).prop_map(|(gap, len)| Burst {
        gap: Duration::from_micros(gap),
        len,
    });
    prop::collection::vec(burst, 10..40)
}

/// The host's data: the conformance stream (`k % 251`) with `+` replaced,
/// so no byte waits for an escape's guard and the count is exact.
fn data(k: usize) -> u8 {
    match (k % 251) as u8 {
        b'+' => b'-',
        b => b,
    }
}

/// A passthrough session and the model of its buffer.
struct Backlog {
    d: Driver,
    socket: SocketId,
    /// Whether the host obeys `uart_rx_ready` (RTS).
    flow_control: bool,
    /// Data bytes the host produced so far.
    produced: usize,
    /// Bytes taken and not yet sent, and every byte taken, in order.
    buffer: VecDeque<u8>,
    taken: Vec<u8>,
    dropped: u64,
    /// Every byte sent, and how many `Send`s the network has not accepted.
    sent: Vec<u8>,
    in_flight: usize,
    /// Pieces the host holds back while the module is not ready.
    held: VecDeque<Burst>,
}

impl Backlog {
    fn new(flow_control: bool) -> Self {
        let mut d = Driver::booted();
        assert_eq!(d.cmd("AT+CIPMODE=1"), "\r\nOK\r\n");
        let socket = d.tcp_link(0, 8080);
        assert_eq!(d.cmd("AT+CIPSEND"), "\r\n>");
        Backlog {
            d,
            socket,
            flow_control,
            produced: 0,
            buffer: VecDeque::new(),
            taken: Vec::new(),
            dropped: 0,
            sent: Vec::new(),
            in_flight: 0,
            held: VecDeque::new(),
        }
    }

    /// The host sends `b` now, or holds it back if it obeys flow control
    /// and the module is not ready (or earlier pieces wait).
    fn offer(&mut self, b: Burst) {
        if self.flow_control && (!self.d.m.uart_rx_ready() || !self.held.is_empty()) {
            self.held.push_back(b);
        } else {
            self.deliver(b);
        }
    }

    /// The host sends `b` now.
    fn deliver(&mut self, b: Burst) {
        let bytes: Vec<u8> = (self.produced..self.produced + b.len).map(data).collect();
        self.produced += b.len;
        let room = SEED.passthrough_buffer - self.buffer.len();
        let fits = room.min(b.len);
        self.buffer.extend(&bytes[..fits]);
        self.taken.extend_from_slice(&bytes[..fits]);
        self.dropped += (b.len - fits) as u64;
        self.d.send(&bytes);
        self.collect();
    }

    /// Takes the module's `Send`s: the oldest buffered bytes, in order.
    fn collect(&mut self) {
        while let Some(c) = self.d.net.pop_front() {
            let NetCommand::Send { socket, data, .. } = c else {
                panic!("unexpected {c:?}");
            };
            assert_eq!(socket, self.socket);
            assert!(data.len() <= SEED.packet_max);
            let front: Vec<u8> = self.buffer.drain(..data.len()).collect();
            assert_eq!(data, front, "bytes {}..", self.sent.len());
            self.sent.extend_from_slice(&data);
            self.in_flight += 1;
        }
        assert_eq!(self.d.take_text(), "");
        self.check();
    }

    /// The buffer matches the model; RTS drops while less than a UART
    /// piece is free, so a host that obeys it never overflows the buffer.
    fn check(&self) {
        let m = &self.d.m;
        assert_eq!(m.usage().passthrough, self.buffer.len());
        assert!(m.usage().passthrough <= SEED.passthrough_buffer);
        assert_eq!(m.dropped(), self.dropped, "dropped");
        let room = SEED.passthrough_buffer - self.buffer.len();
        assert_eq!(
            m.uart_rx_ready(),
            room >= SEED.uart_piece,
            "RTS with {room} free"
        );
    }

    fn run(mut self, bursts: &[Burst]) {
        // The network takes one packet and stalls.
        for &b in bursts {
            self.d.wait(b.gap);
            self.collect();
            self.offer(b);
            assert!(self.in_flight <= 1, "sent on a stalled network");
        }
        self.d.wait(SEED.flush_after);
        self.collect();
        if self.flow_control {
            assert_eq!(self.dropped, 0);
        }
        // It recovers: every Send is accepted at once, and the host sends
        // what it held back as the module becomes ready.
        for _ in 0..10_000 {
            while self.in_flight > 0 {
                self.in_flight -= 1;
                self.d.event(NetEvent::Sent {
                    socket: self.socket,
                });
                self.collect();
            }
            if let Some(&b) = self.held.front()
                && self.d.m.uart_rx_ready()
            {
                self.held.pop_front();
                self.deliver(b);
            } else if self.held.is_empty() && self.buffer.is_empty() {
                break;
            } else {
                self.d.wait(SEED.flush_after);
                self.collect();
            }
        }
        assert!(self.held.is_empty() && self.buffer.is_empty(), "stuck");
        // Every byte taken went out once, in order; with flow control, that
        // is every byte.
        assert_eq!(self.sent, self.taken);
        if self.flow_control {
            assert_eq!(self.sent.len(), self.produced);
            assert_eq!(self.d.m.dropped(), 0);
        }
    }
}

proptest! {
    #![proptest_config(config(512))]

    /// 512 cases of 10–40 pieces of up to 1024 bytes, up to 3 ms apart, on
    /// a network that takes one packet and stalls, with a host that ignores
    /// RTS: the buffer holds 8192 bytes, the rest is dropped and counted,
    /// RTS is down whenever less than a piece is free, and once the network
    /// recovers every byte taken is sent once, in order.
    #[test]
    fn a_stalled_network_drops_and_counts_the_excess(bursts in bursts()) {
        Backlog::new(false).run(&bursts);
    }

    /// 512 cases as above with a host that obeys RTS: nothing is dropped,
    /// and every byte arrives once, in order, after the network recovers.
    #[test]
    fn flow_control_holds_the_host_back_before_the_buffer_is_full(bursts in bursts()) {
        Backlog::new(true).run(&bursts);
    }
}
