//! The UART line as the core sees it (EH-1, EP-3): its rate, a rate
//! change after the bytes before it, the rates a port can run at, and a
//! piece's first byte while passthrough waits for the line's silence.

use super::{Mode, Module};
use crate::time::Instant;

impl Module {
    /// The first byte of a UART piece arrived at `now` (a UART's "RX not
    /// empty"); the piece itself follows with `handle_uart`. Only asked for
    /// while [`wants_uart_start`](Self::wants_uart_start): passthrough that
    /// flushes after the line's silence must not take a piece still
    /// arriving for silence (EP-3).
    pub fn handle_uart_start(&mut self, now: Instant) {
        let now = self.clamp(now);
        if self.wants_uart_start() {
            self.pt.receiving();
        }
        self.advance(now);
    }

    /// Whether the driver should report each piece's first byte
    /// ([`handle_uart_start`](Self::handle_uart_start)).
    pub fn wants_uart_start(&self) -> bool {
        self.d.flush_after_silence && matches!(self.mode, Mode::Passthrough)
    }

    /// The UART's new rate, 8N1, once every byte before it was polled
    /// (see [`Module`]): the driver writes those out at the old rate, then
    /// switches. Until then `poll_uart` and `peek_uart` give nothing
    /// beyond them. Call it after draining the UART; `None` when no change
    /// is due. Also the rate passthrough's timing uses from now on, as
    /// with [`set_line_rate`](Self::set_line_rate).
    pub fn poll_line_rate(&mut self) -> Option<u32> {
        let (baud, 0) = self.rate_change? else {
            return None;
        };
        self.rate_change = None;
        self.run_at(baud);
        Some(baud)
    }

    /// How many bytes of `tx` go out before a rate change (all without one).
    pub(super) fn before_rate(&self) -> usize {
        self.rate_change.map_or(usize::MAX, |(_, before)| before)
    }

    /// The UART took `n` bytes of `tx`.
    pub(super) fn took(&mut self, n: usize) {
        if let Some((_, before)) = &mut self.rate_change {
            *before -= n.min(*before);
        }
    }

    /// EH-1: the UART runs at `baud` once what `tx` holds now is out (no
    /// change when it runs at `baud` already).
    pub(super) fn change_rate(&mut self, baud: u32) {
        if baud != self.uart_rate() {
            self.rate_change = Some((baud, self.tx.len()));
        }
    }

    /// The rate the UART runs at, or will once a change is polled (EH-1).
    pub(super) fn uart_rate(&self) -> u32 {
        self.rate_change.map_or(self.line_rate, |(baud, _)| baud)
    }

    /// The rate after power-on and restarts: the stored one within the
    /// dialect's range, else the one the driver's UART was built for
    /// (EH-5; a dialect with no rate command never changes it).
    pub(super) fn boot_rate(&self) -> u32 {
        let (low, high) = self.line_rates;
        self.stored
            .line_rate
            .map(core::num::NonZeroU32::get)
            .filter(|r| (low..=high).contains(r))
            .unwrap_or(self.built_rate)
    }

    /// The driver's UART runs only at rates in `low..=high`: a command
    /// asking for another is `ERROR` (a port whose hardware cannot change
    /// its rate gives its one rate).
    pub fn limit_line_rates(&mut self, low: u32, high: u32) {
        let (l, h) = self.line_rates;
        self.line_rates = (l.max(low), h.min(high));
    }

    /// Whether the driver's UART can run at `baud`.
    pub(super) fn line_rate_ok(&self, baud: u32) -> bool {
        (self.line_rates.0..=self.line_rates.1).contains(&baud)
    }

    /// The driver's UART is built for `baud` (8N1) and runs at it from
    /// power-on: passthrough's silences are measured in its byte times
    /// (EP-3), and a restart comes back to it unless a rate is stored
    /// (EH-5). Call it at power-on, before the first input.
    pub fn set_line_rate(&mut self, baud: u32) {
        self.built_rate = baud;
        self.run_at(baud);
    }

    /// The UART runs at `baud` from now on.
    fn run_at(&mut self, baud: u32) {
        self.line_rate = baud;
        self.pt.set_byte_time(byte_time(baud));
    }
}

/// One byte's time at `baud`, 8N1 (ten bits).
pub(super) fn byte_time(baud: u32) -> core::time::Duration {
    core::time::Duration::from_nanos(10_000_000_000 / u64::from(baud.max(1)))
}
