//! The output rules: information lines, final results, and unsolicited
//! lines held back while a command runs (G-7).

use super::{Mode, Module};
use crate::command::LinkId;

impl Module {
    /// An information line of a response: `text` + CRLF, whole or not at
    /// all.
    pub(super) fn info(&mut self, parts: &[&[u8]]) {
        self.tx.push_line(parts);
    }

    /// A formatted information line, written straight into the UART queue.
    pub(super) fn info_fmt(&mut self, args: core::fmt::Arguments<'_>) {
        self.tx.write_line(args);
    }

    /// The command's information line: its name as the dialect's table
    /// spells it, `:`, then `args` (`+CIPMUX:0`).
    pub(super) fn reply_fmt(&mut self, args: core::fmt::Arguments<'_>) {
        let mut line = self.tx.line();
        line.bytes(self.reply).bytes(b":").fmt(args);
        line.end();
    }

    /// A final result (preceded by an empty line): the command is over, so
    /// held unsolicited lines follow (G-7).
    pub(super) fn final_result(&mut self, word: &str) {
        self.tx.push_all(&[b"\r\n", word.as_bytes(), b"\r\n"]);
        self.mode = Mode::Command;
        self.release_urcs();
    }

    /// An unsolicited line (or `+IPD` with its data): straight out when
    /// nothing is in progress, else held back until the final result (G-7).
    /// Data may not use the room kept for link-state lines (`state`).
    pub(super) fn urc(&mut self, parts: &[&[u8]], state: bool) {
        let idle = matches!(self.mode, Mode::Command | Mode::Cooldown { .. });
        if idle && self.urcs.is_empty() && self.tx.push_all(parts) {
            return;
        }
        let total: usize = parts.iter().map(|p| p.len()).sum();
        if state || total + self.d.state_reserve() <= self.urcs.free() {
            self.urcs.push_all(parts);
        } else {
            self.net_dropped += total as u64;
        }
    }

    pub(super) fn release_urcs(&mut self) {
        if matches!(self.mode, Mode::Command | Mode::Cooldown { .. }) {
            self.urcs.move_to(&mut self.tx);
        }
    }

    /// `CLOSED`, or `<id>,CLOSED` with CIPMUX=1 (RX-2); likewise CONNECT.
    pub(super) fn link_urc(&mut self, id: LinkId, word: &str) {
        // Link IDs are one digit (MAX_LINKS < 10).
        let prefix = [b'0' + id.0, b','];
        let prefix: &[u8] = if self.cfg.mux { &prefix } else { &[] };
        self.urc(&[prefix, word.as_bytes(), b"\r\n"], true);
    }

    /// The same line as part of a command's reply (ET-3, ET-11).
    pub(super) fn link_line(&mut self, id: LinkId, word: &str) {
        let prefix = [b'0' + id.0, b','];
        let prefix: &[u8] = if self.cfg.mux { &prefix } else { &[] };
        self.info(&[prefix, word.as_bytes()]);
    }
}
