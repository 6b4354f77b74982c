//! Network events, and the commands and services that wait for them
//! (SS-6…SS-8, SD-5, PT-3, PT-6, PG-1, DM, NT, RX).

use core::fmt::Write;

use super::{Job, Mode, Module};
use crate::command::{Kind, LinkId, UdpMode};
use crate::dns::Outcome;
use crate::link::State;
use crate::net::{NetCommand, NetEvent, SocketId};
use crate::parser::parse_ipv4;
use crate::time::Instant;

/// Room for `+IPD,<id>,<len>,"<ip>",<port>:` with a dialect's prefix of up
/// to 12 bytes.
const IPD_HEAD: usize = 56;

impl Module {
    pub(super) fn net_event(&mut self, now: Instant, event: NetEvent<'_>) {
        match event {
            NetEvent::Configured {
                address,
                dns,
                gateway,
                netmask,
            } => {
                self.address = Some(address);
                self.route = (gateway, netmask);
                self.dhcp_dns = dns.iter().take(3).copied().collect();
                // DN-3: automatic servers follow DHCP.
                self.apply_dns_setting();
                if self.d.wifi.is_some() {
                    self.station_configured();
                }
            }
            NetEvent::Opened { socket, .. } if self.server_opened(socket, true) => {}
            NetEvent::Failed { socket } if self.server_opened(socket, false) => {}
            NetEvent::Opened { socket, local_port } => self.opened(now, socket, local_port),
            NetEvent::Failed { socket } => {
                if let Some(id) = self.link_of(socket) {
                    self.link_failed(id);
                }
            }
            NetEvent::Incoming {
                listener,
                socket,
                remote,
            } => self.incoming(now, listener, socket, remote),
            NetEvent::Accepted { socket, remote } => {
                let Some(id) = self.link_of(socket) else {
                    return;
                };
                let link = self.links[usize::from(id.0)]
                    .as_mut()
                    .filter(|l| l.state == State::Listening);
                if let Some(link) = link {
                    // SS-8, RX-2.
                    link.remote = remote;
                    link.state = State::Connected;
                    self.link_urc(id, self.d.connect);
                }
            }
            NetEvent::Received { socket, from, data } => self.received(now, socket, from, data),
            NetEvent::Sent { socket } => {
                let Some(id) = self.link_of(socket) else {
                    return;
                };
                if let Some(link) = self.links[usize::from(id.0)].as_mut()
                    && link.in_flight()
                {
                    link.acked = link.acked.wrapping_add(1);
                }
                self.send_progress(id);
            }
            NetEvent::Closed { socket, .. } => {
                if let Some(id) = self.link_of(socket) {
                    self.link_failed(id);
                }
            }
            NetEvent::Associated { .. }
            | NetEvent::JoinFailed { .. }
            | NetEvent::Disassociated
            | NetEvent::Scanned { .. } => self.station_event(now, event),
            NetEvent::PingReply { socket } => {
                if let Mode::Busy(Job::Pinging {
                    socket: s, sent, ..
                }) = self.mode
                    && s == socket
                {
                    // PG-1: whole milliseconds, truncated.
                    let ms = now.saturating_since(sent).as_millis();
                    self.reply_fmt(format_args!("{ms}"));
                    self.final_result(self.d.ok);
                }
            }
        }
    }

    fn opened(&mut self, now: Instant, socket: SocketId, local_port: u16) {
        let Some(id) = self.link_of(socket) else {
            return;
        };
        let Some(link) = self.links[usize::from(id.0)].as_mut() else {
            return;
        };
        if link.state != State::Opening {
            return;
        }
        link.local_port = local_port;
        if matches!(link.kind, Kind::Tls | Kind::Dtls) {
            // TL-3: open once the handshake is done.
            return self.secure_opened(now, id);
        }
        link.state = if link.server && link.kind.is_stream() {
            State::Listening
        } else {
            State::Connected
        };
        if self.pt_link == Some(id) {
            // EP-7: open again.
            self.redial = None;
        }
        if matches!(self.mode, Mode::Busy(Job::StartOpening { link: l, .. }) if l == id) {
            self.started(id);
        }
    }

    /// CIPSTART's link is open: `OK`, after `CONNECT` where the dialect
    /// says so (ET-3).
    pub(super) fn started(&mut self, id: LinkId) {
        if self.d.style.connect_on_start {
            self.link_line(id, self.d.connect);
        }
        self.station.linked = true;
        self.final_result(self.d.ok);
    }

    /// The network ended a link, or refused to open it.
    pub(super) fn link_failed(&mut self, id: LinkId) {
        let was_open = self.link(id).is_some_and(|l| l.state != State::Opening);
        if matches!(self.mode, Mode::Passthrough)
            && self.pt_link == Some(id)
            && let Some((kind, remote)) = self.link(id).map(|l| (l.kind, l.remote))
            && (self.redial.is_some() || was_open)
            && self.redial_later(kind, remote)
        {
            // EP-7: silently, and again until the escape.
            self.links[usize::from(id.0)] = None;
            return;
        }
        if let Some(link) = self.links[usize::from(id.0)].as_mut()
            && link.held.len() > 0
        {
            // ER-8: readable until the last byte; CLOSED then.
            link.held.peer_closed = true;
            return;
        }
        self.links[usize::from(id.0)] = None;
        let in_passthrough = matches!(self.mode, Mode::Passthrough) && self.pt_link == Some(id);
        if self.pt_link == Some(id) {
            // PT-6: unsent data is discarded.
            self.pt.discard();
            self.pt_link = None;
        }
        match self.mode {
            Mode::Busy(Job::StartOpening { link, .. }) if link == id => {
                // SS-6: refused or unreachable; the link stays free.
                return self.final_result(self.d.error);
            }
            Mode::Busy(Job::Sending { link, .. }) if link == id => {
                // SD-5: down before the network took the data.
                self.final_result(self.d.send_fail);
            }
            _ if in_passthrough => self.mode = Mode::Command,
            _ => {}
        }
        if was_open {
            self.link_urc(id, self.d.closed);
        }
    }

    /// SD-5: `SEND OK` once the network took this CIPSEND's data; passthrough
    /// sends its next packet.
    fn send_progress(&mut self, id: LinkId) {
        if let Mode::Busy(Job::Sending {
            link, socket, seq, ..
        }) = self.mode
        {
            let done = self
                .link(id)
                .is_some_and(|l| l.socket == socket && l.acked.wrapping_sub(seq) < u32::MAX / 2);
            if link == id && done {
                self.final_result(self.d.send_ok);
            }
        }
    }

    fn received(
        &mut self,
        now: Instant,
        socket: SocketId,
        from: core::net::SocketAddrV4,
        data: &[u8],
    ) {
        if socket == self.dns_socket {
            return self.resolver.handle_datagram(now, from, data);
        }
        if socket == self.sntp_dns_socket {
            return self.sntp_resolver.handle_datagram(now, from, data);
        }
        if socket == self.sntp_socket {
            if self.sntp.handle_datagram(now, from, data) {
                self.cfg.sntp_next = 0;
                if let Some(text) = self.d.style.time_updated {
                    // EN-3.
                    self.urc(&[text.as_bytes(), b"\r\n"], true);
                }
            }
            return;
        }
        let Some(id) = self.link_of(socket) else {
            return;
        };
        let Some(link) = self.links[usize::from(id.0)].as_mut() else {
            return;
        };
        if link.state != State::Connected && link.tls.is_none() {
            return;
        }
        if link.kind == Kind::Udp && from != link.remote {
            // ET-5: the sender may become the remote.
            match link.udp_mode {
                UdpMode::Fixed => {}
                UdpMode::Once => {
                    link.remote = from;
                    link.udp_mode = UdpMode::Fixed;
                }
                UdpMode::Follow => link.remote = from,
            }
        }
        let room = self.net_rx_room(socket);
        let keep = data.len().min(room);
        self.net_dropped += (data.len() - keep) as u64;
        let data = &data[..keep];
        self.touch(id, now);
        if data.is_empty() || self.secure_received(now, id, from, data) {
            return;
        }
        self.deliver(id, from, data);
    }

    /// Data from a link's peer, for the host: raw in passthrough (PT-3),
    /// else as `+IPD` (RX-1).
    pub(super) fn deliver(&mut self, id: LinkId, from: core::net::SocketAddrV4, data: &[u8]) {
        if matches!(self.mode, Mode::Passthrough) && self.pt_link == Some(id) {
            // PT-3: raw.
            self.tx.push_all(&[data]);
            return;
        }
        if self.passive(id) {
            return self.hold(id, from, data);
        }
        if data.len() > self.d.ipd_max {
            // ER-1: one `+IPD` per read of at most `ipd_max`.
            for piece in data.chunks(self.d.ipd_max) {
                self.deliver(id, from, piece);
            }
            return;
        }
        // RX-1. The header is rendered on the stack: no allocation per read.
        let mut head = heapless::String::<IPD_HEAD>::new();
        let _ = if self.cfg.mux {
            write!(head, "{},{},{}", self.d.ipd, id.0, data.len())
        } else {
            write!(head, "{},{}", self.d.ipd, data.len())
        };
        let _ = if self.cfg.dinfo {
            // ER-2.
            write!(head, ",\"{}\",{}:", from.ip(), from.port())
        } else {
            head.push(':').map_err(|_| core::fmt::Error)
        };
        if self.d.style.ipd_crlf_before {
            // ER-1: after an empty line, nothing after the data.
            self.urc(&[b"\r\n", head.as_bytes(), data], false);
        } else {
            self.urc(&[head.as_bytes(), data, b"\r\n"], false);
        }
    }

    /// Moves the command resolver on: its datagrams out, its answer to the
    /// command waiting for it.
    pub(super) fn drive_dns(&mut self, now: Instant) {
        while let Some(t) = self.resolver.poll_transmit() {
            self.net_out.push_back(NetCommand::Send {
                socket: self.dns_socket,
                data: t.payload.into(),
                to: Some(t.to),
            });
        }
        let Some(outcome) = self.resolver.poll_outcome() else {
            return;
        };
        let Mode::Busy(job) = &self.mode else { return };
        let ip = match outcome {
            Outcome::Resolved(ip) => Some(ip),
            Outcome::NotFound | Outcome::TimedOut => None,
        };
        match (job, ip) {
            (Job::StartResolving(p), Some(ip)) => {
                let p = *p;
                self.open(now, p, ip);
            }
            (
                Job::SendResolving {
                    link,
                    len,
                    port,
                    escapes,
                },
                Some(ip),
            ) => {
                let escapes = *escapes;
                let (link, len, to) = (*link, *len, core::net::SocketAddrV4::new(ip, *port));
                self.prompt(link, len, Some(to), escapes);
            }
            (Job::Domain, Some(ip)) => self.domain_answer(ip),
            (Job::PingResolving, Some(ip)) => self.ping(now, ip),
            (Job::PingResolving, None) => self.ping_failed(),
            // SS-4, DM-1, SD-1: not found or timed out.
            (Job::StartResolving(_) | Job::SendResolving { .. } | Job::Domain, None) => {
                self.final_result(self.d.error)
            }
            // The lookup's command is gone (a restart); nothing waits.
            (
                Job::StartOpening { .. }
                | Job::Sending { .. }
                | Job::Storing { .. }
                | Job::Pinging { .. }
                | Job::Restart { .. }
                | Job::Joining { .. }
                | Job::Scanning { .. }
                | Job::Serving,
                _,
            ) => {}
        }
    }

    /// NT-1, NT-3: starts due synchronisations, resolving the server's
    /// name first when it is not an address.
    pub(super) fn drive_sntp(&mut self, now: Instant) {
        self.drive_sntp_transmits();
        match self.sntp_resolver.poll_outcome() {
            Some(Outcome::Resolved(ip)) => self.sntp_begin(now, ip),
            Some(Outcome::NotFound | Outcome::TimedOut) => self.sntp_failed(now),
            None => {}
        }
        // EN-3: only with an address.
        if !self.sntp.is_due(now) || self.sntp_resolver.is_busy() || self.offline() {
            return;
        }
        let servers = &self.cfg.sntp_servers;
        let Some(server) = servers.get(self.cfg.sntp_next % servers.len().max(1)) else {
            return self.sntp.fail(now);
        };
        if let Some(ip) = parse_ipv4(server) {
            return self.sntp_begin(now, ip);
        }
        let dns = self.dns_servers.clone();
        let started = self
            .sntp_resolver
            .start(now, server, &dns, self.d.dns_timeout);
        if started.is_err() {
            self.sntp_failed(now);
        } else {
            // The resolver's first query.
            self.drive_sntp_transmits();
        }
    }

    /// An attempt failed: the next asks the next server (EN-1).
    fn sntp_failed(&mut self, now: Instant) {
        self.cfg.sntp_next = self.cfg.sntp_next.wrapping_add(1);
        self.sntp.fail(now);
    }

    fn drive_sntp_transmits(&mut self) {
        while let Some(t) = self.sntp_resolver.poll_transmit() {
            self.net_out.push_back(NetCommand::Send {
                socket: self.sntp_dns_socket,
                data: t.payload.into(),
                to: Some(t.to),
            });
        }
    }

    fn sntp_begin(&mut self, now: Instant, ip: core::net::Ipv4Addr) {
        let t = self.sntp.begin(now, ip);
        self.net_out.push_back(NetCommand::Send {
            socket: self.sntp_socket,
            data: bytes::Bytes::copy_from_slice(&t.payload),
            to: Some(t.to),
        });
    }
}
