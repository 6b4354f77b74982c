//! UART input in the pieces a UART driver hands over (PT-2): at most the
//! dialect's piece size, or whatever came before the line went idle.
//!
//! ESP-IDF's UART driver (and the sim's UART model) deliver received bytes
//! when the FIFO reaches a threshold or after an RX timeout of 10 idle
//! byte times; passthrough timing (the 20 ms flush, the `+++` guards)
//! depends on it, so every port cuts pieces the same way.

use alloc::vec::Vec;
use core::time::Duration;

use firmware_core::{Dialect, Instant, Module};

/// Idle byte times that end a piece: ESP-IDF's default RX timeout.
const IDLE_BYTES: u64 = 10;

/// A receive FIFO cut into pieces.
#[derive(Debug)]
pub struct Pieces {
    fifo: Vec<u8>,
    piece: usize,
    last: Instant,
    idle: Duration,
    /// When the next piece's first byte came, until it is reported.
    started: Option<Instant>,
}

impl Pieces {
    /// An empty FIFO for `dialect`'s piece size, on a line at `baud` (8N1:
    /// ten bits a byte).
    pub fn new(dialect: &Dialect, baud: u32) -> Self {
        let bit_ns = 1_000_000_000 / u64::from(baud.max(1));
        Pieces {
            fifo: Vec::new(),
            piece: dialect.uart_piece,
            last: Instant::ZERO,
            idle: Duration::from_nanos(bit_ns * 10 * IDLE_BYTES),
            started: None,
        }
    }

    /// The line runs at `baud` from now on (`Module::poll_line_rate`): the
    /// RX timeout is ten of its byte times; the bytes held stay.
    pub fn set_line_rate(&mut self, baud: u32) {
        let bit_ns = 1_000_000_000 / u64::from(baud.max(1));
        self.idle = Duration::from_nanos(bit_ns * 10 * IDLE_BYTES);
    }

    /// Bytes that arrived at `at`.
    pub fn push(&mut self, at: Instant, bytes: &[u8]) {
        if self.fifo.is_empty() && !bytes.is_empty() {
            self.started = Some(at);
        }
        self.fifo.extend_from_slice(bytes);
        self.last = self.last.max(at);
    }

    /// Whether to tell `m` that a piece began (`Module::handle_uart_start`,
    /// a UART's "RX not empty", EP-3): its first byte came since the last
    /// look and `m` asks for first bytes now. The first byte is forgotten
    /// either way, so a later change of mode never sees a stale one.
    pub fn start_for(&mut self, m: &Module) -> bool {
        self.started.take().is_some() && m.wants_uart_start()
    }

    /// A piece's worth is waiting: take no more from the line for now.
    pub fn is_full(&self) -> bool {
        self.fifo.len() >= self.piece
    }

    /// When the next piece is due; `None` while the FIFO is empty.
    pub fn due(&self) -> Option<Instant> {
        match self.fifo.len() {
            0 => None,
            n if n >= self.piece => Some(self.last),
            _ => Some(self.last + self.idle),
        }
    }

    /// The piece due by `now`, if any.
    pub fn take(&mut self, now: Instant) -> Option<Vec<u8>> {
        self.due().filter(|&t| t <= now)?;
        let n = self.fifo.len().min(self.piece);
        let rest = self.fifo.split_off(n);
        // What stays began after the piece's last byte.
        self.started = (!rest.is_empty()).then_some(self.last);
        Some(core::mem::replace(&mut self.fifo, rest))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use firmware_core::{ESP_AT, SEED};

    fn at(micros: u64) -> Instant {
        Instant::from_micros(micros)
    }

    #[test]
    fn a_short_write_is_one_piece_after_ten_idle_byte_times() {
        let mut p = Pieces::new(&SEED, 115_200);
        p.push(at(1000), b"AT\r\n");
        // 100 bit times at 115200 baud: 868 us.
        assert_eq!(p.due(), Some(at(1868)));
        assert_eq!(p.take(at(1867)), None);
        assert_eq!(p.take(at(1868)).as_deref(), Some(&b"AT\r\n"[..]));
        assert_eq!(p.due(), None);
    }

    #[test]
    fn a_long_write_goes_in_pieces_of_the_dialects_size_at_once() {
        let mut p = Pieces::new(&SEED, 115_200);
        p.push(at(5), &[7; 2500]);
        assert!(p.is_full());
        assert_eq!(p.take(at(5)).map(|v| v.len()), Some(1024));
        assert_eq!(p.take(at(5)).map(|v| v.len()), Some(1024));
        assert!(!p.is_full());
        assert_eq!(p.take(at(5)), None);
        assert_eq!(p.take(at(5 + 868)).map(|v| v.len()), Some(452));
    }

    #[test]
    fn more_bytes_restart_the_idle_wait() {
        let mut p = Pieces::new(&SEED, 9600);
        p.push(at(0), b"A");
        p.push(at(5000), b"T");
        // 100 bit times at 9600 baud: 10.416 ms.
        assert_eq!(p.due(), Some(at(5000 + 10_416)));
    }

    /// An esp-at module in passthrough on a TCP link: it asks for first
    /// bytes (EP-3).
    fn esp_at_in_passthrough() -> Module {
        use core::net::{Ipv4Addr, SocketAddrV4};
        use firmware_core::{AccessPoint, NetCommand, NetEvent};
        let mut m = Module::new(&ESP_AT, &[], 1);
        let t = Instant::ZERO;
        m.handle_net(
            t,
            NetEvent::Associated {
                ap: AccessPoint {
                    ssid: b"lab",
                    bssid: [2, 0, 0, 0, 0, 1],
                    rssi: -40,
                    channel: 6,
                    secured: true,
                },
            },
        );
        m.handle_net(
            t,
            NetEvent::Configured {
                address: Ipv4Addr::new(192, 168, 0, 107),
                dns: &[],
                gateway: Ipv4Addr::new(192, 168, 0, 1),
                netmask: Ipv4Addr::new(255, 255, 255, 0),
            },
        );
        m.handle_uart(
            t,
            b"AT+CIPMODE=1\r\nAT+CIPSTART=\"TCP\",\"192.168.0.103\",80\r\n",
        );
        let socket = core::iter::from_fn(|| m.poll_net())
            .find_map(|c| match c {
                NetCommand::Connect { socket, remote, .. } => {
                    assert_eq!(
                        remote,
                        SocketAddrV4::new(Ipv4Addr::new(192, 168, 0, 103), 80)
                    );
                    Some(socket)
                }
                _ => None,
            })
            .expect("a Connect");
        m.handle_net(
            t,
            NetEvent::Opened {
                socket,
                local_port: 50000,
            },
        );
        m.handle_uart(t, b"AT+CIPSEND\r\n");
        assert!(m.is_passthrough() && m.wants_uart_start());
        m
    }

    #[test]
    fn a_first_byte_is_for_a_module_that_asks_and_is_looked_at_once() {
        let mut p = Pieces::new(&ESP_AT, 115_200);
        let asks = esp_at_in_passthrough();
        let asks_not = Module::new(&SEED, &[], 1);
        p.push(at(1000), b"abc");
        assert!(p.start_for(&asks));
        assert!(!p.start_for(&asks), "once per piece");
        // More of the same piece is no new first byte.
        p.push(at(1100), b"def");
        assert!(!p.start_for(&asks));
        assert_eq!(p.take(at(3000)).as_deref(), Some(&b"abcdef"[..]));
        // A module that does not ask: the first byte is forgotten, and a
        // module asking later does not see it.
        p.push(at(4000), b"g");
        assert!(!p.start_for(&asks_not));
        assert!(!p.start_for(&asks));
    }
}
