//! Received data kept in the module until the host reads it (esp-at.md
//! ER-3…ER-8), and `+IPD`'s sender (ER-2).
//!
//! A link in passive mode keeps what its peer sends, at most the dialect's
//! `passive_buffer` bytes, announces the total once with `+IPD,<len>`, and
//! hands it out on `AT+CIPRECVDATA`. Beyond the buffer the network is held
//! back (`Module::net_rx_room`): a TCP peer by its window, a datagram by
//! being dropped.

use alloc::collections::VecDeque;
use core::fmt::Write;
use core::net::SocketAddrV4;

use super::Module;
use crate::command::{LinkId, Target};

/// What a passive link holds: its bytes, and where each run of them came
/// from (one run per datagram on UDP, ER-5).
#[derive(Debug, Default)]
pub(crate) struct Held {
    bytes: VecDeque<u8>,
    runs: VecDeque<(usize, SocketAddrV4)>,
    /// `+IPD` was said and no read followed (ER-4).
    announced: bool,
    /// The peer closed; `CLOSED` waits for the last read (ER-8).
    pub(crate) peer_closed: bool,
}

impl Held {
    pub(crate) fn len(&self) -> usize {
        self.bytes.len()
    }
}

impl Module {
    pub(super) fn passive(&self, id: LinkId) -> bool {
        self.cfg.passive[usize::from(id.0)]
    }

    /// ER-4: kept, and announced unless an announcement is unread.
    pub(super) fn hold(&mut self, id: LinkId, from: SocketAddrV4, data: &[u8]) {
        let Some(link) = self.links[usize::from(id.0)].as_mut() else {
            return;
        };
        let held = &mut link.held;
        let datagram = !link.kind.is_stream();
        let room = self.d.passive_buffer.saturating_sub(held.len());
        if data.len() > room && datagram {
            self.net_dropped += data.len() as u64;
            return;
        }
        // `net_rx_room` keeps a stream within the room; were a session's
        // plaintext to exceed it, the excess is counted, not lost unseen.
        let keep = data.len().min(room);
        self.net_dropped += (data.len() - keep) as u64;
        let data = &data[..keep];
        held.bytes.extend(data);
        match held.runs.back_mut() {
            Some((len, f)) if !datagram && *f == from => *len += data.len(),
            _ => held.runs.push_back((data.len(), from)),
        }
        if !held.announced {
            self.announce(id);
        }
    }

    /// `+IPD,[<id>,]<len>` for what link `id` holds (ER-4).
    fn announce(&mut self, id: LinkId) {
        let Some(link) = self.links[usize::from(id.0)].as_mut() else {
            return;
        };
        link.held.announced = true;
        let total = link.held.len();
        let mut head = heapless::String::<32>::new();
        let _ = if self.cfg.mux {
            write!(head, "{},{},{}", self.d.ipd, id.0, total)
        } else {
            write!(head, "{},{}", self.d.ipd, total)
        };
        self.urc(&[b"\r\n", head.as_bytes(), b"\r\n"], false);
    }

    /// ER-5: at most `len` bytes (one datagram's at most on UDP).
    pub(super) fn read_held(&mut self, id: LinkId, len: usize) {
        let dinfo = self.cfg.dinfo;
        let passive = self.passive(id);
        let Some(link) = self.links[usize::from(id.0)].as_mut() else {
            return self.error();
        };
        let held = &mut link.held;
        let Some(&(run, from)) = held.runs.front() else {
            return self.error();
        };
        if !passive {
            return self.error();
        }
        let take = if link.kind.is_stream() {
            len.min(held.len())
        } else {
            // A datagram's rest beyond `len` is dropped with it.
            run.min(len)
        };
        let drop_run = if link.kind.is_stream() { take } else { run };
        let reply = self.reply;
        let mut line = self.tx.line();
        line.bytes(reply).bytes(b":").fmt(format_args!("{take},"));
        if dinfo {
            line.fmt(format_args!("\"{}\",{},", from.ip(), from.port()));
        }
        let (a, b) = held.bytes.as_slices();
        let first = take.min(a.len());
        line.bytes(&a[..first]).bytes(&b[..take - first]);
        line.end();
        held.bytes.drain(..drop_run);
        let mut gone = drop_run;
        while gone > 0 {
            let Some(front) = held.runs.front_mut() else {
                break;
            };
            let n = front.0.min(gone);
            front.0 -= n;
            gone -= n;
            if front.0 == 0 {
                held.runs.pop_front();
            }
        }
        held.announced = false;
        let closed = held.peer_closed && held.len() == 0;
        // On UDP the datagrams still held are announced again at once; a
        // stream's rest waits for more data (ER-4).
        let again = !link.kind.is_stream() && held.len() > 0;
        self.ok();
        if again {
            self.announce(id);
        }
        if closed {
            // ER-8: the last byte read, the link goes.
            self.links[usize::from(id.0)] = None;
            self.link_urc(id, self.d.closed);
        }
    }

    /// ER-3.
    pub(super) fn set_receive_mode(&mut self, target: Target, passive: bool) {
        match target {
            Target::One(id) => self.cfg.passive[usize::from(id.0)] = passive,
            Target::All => self.cfg.passive = [passive; crate::dialect::MAX_LINKS],
        }
        self.ok();
    }

    /// ER-3: one line per link with CIPMUX=1, link 0's without.
    pub(super) fn receive_types(&mut self) {
        let shown = if self.cfg.mux { self.d.links } else { 1 };
        for i in 0..shown {
            let p = u8::from(self.passive(LinkId(i)));
            self.reply_fmt(format_args!("{i},{p}"));
        }
        self.ok();
    }

    /// ER-7: every link's held bytes, -1 where no link is open.
    pub(super) fn held_lengths(&mut self) {
        let reply = self.reply;
        let mut line = self.tx.line();
        line.bytes(reply).bytes(b":");
        for i in 0..usize::from(self.d.links) {
            if i > 0 {
                line.bytes(b",");
            }
            match self.links[i].as_ref() {
                Some(l) => line.fmt(format_args!("{}", l.held.len())),
                None => line.bytes(b"-1"),
            };
        }
        line.end();
        self.ok();
    }
}
