//! The outputs of the core, carried out in the order that keeps B-6.

use firmware_core::{Instant, Module, NetCommand};

use crate::inbox::Inbox;

/// What a driver's hardware does with the core's outputs.
pub trait Io {
    /// Bytes the UART can take now without blocking.
    fn uart_room(&self) -> usize;
    /// Queue `bytes` (at most `uart_room`) for the host.
    fn uart_write(&mut self, bytes: &[u8]);
    /// Carry out a network command (its outcome comes back as reports).
    fn execute(&mut self, command: NetCommand);
    /// Write the settings blob atomically. `Some(durable)` when the write
    /// finished (or failed) before returning; `None` when it finishes
    /// later and the driver calls `Module::handle_stored` itself.
    fn store(&mut self, blob: &[u8]) -> Option<bool>;
    /// Run the UART at `baud` (8N1) from now on, in both directions: every
    /// byte `uart_write` was given before goes out at the old rate, every
    /// later one at this (`Module::poll_line_rate`, esp-at.md EH-1). The
    /// default ignores it: for a port whose line cannot change its rate.
    fn set_line_rate(&mut self, baud: u32) {
        let _ = baud;
    }
}

/// Drains every output of `m` at `now`: UART bytes as far as the line has
/// room, a new line rate once the bytes before it are written, network
/// commands (each noted by the inbox, so a closed socket's
/// waiting reports go with it), then the settings. The order is free: B-6
/// is the core's, which holds the `OK` of a settings change until
/// `handle_stored`; a write that finishes here is reported at once and its
/// `OK` drained in the same call.
pub fn drain<D: AsRef<[u8]>>(m: &mut Module, now: Instant, io: &mut impl Io, inbox: &mut Inbox<D>) {
    loop {
        loop {
            let room = io.uart_room();
            if room == 0 {
                break;
            }
            // Straight from the core's queue: no copy, no buffer to clear
            // (passthrough data crosses here byte for byte).
            let pending = m.peek_uart();
            let n = pending.len().min(room);
            if n > 0 {
                io.uart_write(&pending[..n]);
            }
            // As `poll_uart` does, even for none: held lines may follow.
            m.consume_uart(n);
            if n == 0 {
                break;
            }
        }
        // The bytes before a new rate are written: switch, then go on.
        if let Some(baud) = m.poll_line_rate() {
            io.set_line_rate(baud);
            continue;
        }
        while let Some(command) = m.poll_net() {
            inbox.note(&command);
            io.execute(command);
        }
        // Bounded: the core has one write outstanding at most.
        let Some(blob) = m.poll_store() else { break };
        match io.store(&blob) {
            Some(durable) => m.handle_stored(now, durable),
            None => break,
        }
    }
}
