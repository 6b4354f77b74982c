//! TLS and DTLS links (TL-1…TL-7): the module's own sessions over plain
//! TCP and UDP sockets. The driver only moves bytes; the handshake, the
//! records, their failures and the keys stay here (TL-7), the same on
//! every port.

use alloc::boxed::Box;
use alloc::vec::Vec;
use core::net::SocketAddrV4;

use sha2::{Digest, Sha256};

use super::{Job, Mode, Module};
use crate::command::{Kind, LinkId};
use crate::link::State;
use crate::net::NetCommand;
use crate::time::Instant;
use crate::tls::Transport;
use crate::tls::handshake::Timers;
use crate::tls::session::Session;

impl Module {
    /// TL-3's times, from the dialect.
    fn tls_timers(&self) -> Timers {
        Timers {
            give_up: self.d.tls_handshake_timeout,
            retransmit: self.d.dtls_retransmit,
            max_retransmit: self.d.dtls_max_retransmit,
        }
    }

    /// A client_random drawn from the module's seed (deterministic, like
    /// its DNS IDs), different for every socket.
    fn client_random(&self, id: LinkId) -> [u8; 32] {
        let socket = self.link(id).map_or(0, |l| l.socket.0);
        let mut h = Sha256::new();
        h.update(b"atcert client_random");
        h.update(self.seed.to_le_bytes());
        h.update(socket.to_le_bytes());
        h.update(self.now.as_micros().to_le_bytes());
        h.finalize().into()
    }

    /// The socket of a TLS or DTLS link is open: the handshake starts
    /// (the CIPSTART answers once it ends, TL-3).
    pub(super) fn secure_opened(&mut self, now: Instant, id: LinkId) {
        let Some(kind) = self.link(id).map(|l| l.kind) else {
            return;
        };
        let transport = match kind {
            Kind::Tls => Transport::Tls,
            Kind::Dtls => Transport::Dtls,
            Kind::Tcp | Kind::Udp => return,
        };
        // CIPSTART refused a TLS or DTLS link without a key (PK-1).
        let Some(psk) = self.psk_for(id) else {
            return self.secure_end(id);
        };
        let random = self.client_random(id);
        let mut out = Vec::new();
        let session = Session::start(
            transport,
            &psk.key,
            &psk.identity,
            random,
            self.tls_timers(),
            now,
            &mut out,
        );
        if let Some(link) = self.links[usize::from(id.0)].as_mut() {
            link.tls = Some(Box::new(session));
        }
        // The handshake has its own deadline (TL-3), not the connect's.
        if let Mode::Busy(Job::StartOpening { link, deadline }) = &mut self.mode
            && *link == id
        {
            *deadline = now + self.d.tls_handshake_timeout;
        }
        self.secure_send(id, out);
    }

    /// Bytes for a TLS or DTLS link: the handshake's or records. Returns
    /// false when the link has no session (a plain link: the caller goes
    /// on).
    pub(super) fn secure_received(
        &mut self,
        now: Instant,
        id: LinkId,
        from: SocketAddrV4,
        data: &[u8],
    ) -> bool {
        let Some(link) = self.links[usize::from(id.0)].as_mut() else {
            return false;
        };
        if link.kind == Kind::Dtls && from != link.remote {
            // Only the session's peer speaks DTLS to this socket.
            return link.tls.is_some();
        }
        let Some(mut session) = link.tls.take() else {
            return false;
        };
        let was_open = session.is_open();
        let mut out = Vec::new();
        let mut plain: Vec<Vec<u8>> = Vec::new();
        let result = session.received(now, data, &mut out, &mut |d| plain.push(d.to_vec()));
        let opened = !was_open && session.is_open();
        if let Some(link) = self.links[usize::from(id.0)].as_mut() {
            link.tls = Some(session);
        }
        self.secure_send(id, out);
        if opened {
            self.secure_established(id);
        }
        for record in &plain {
            // TL-4: one +IPD per record.
            self.deliver(id, from, record);
        }
        if result.is_err() {
            self.secure_end(id);
        }
        true
    }

    /// The handshake is done: the link is open (TL-3's `OK`).
    fn secure_established(&mut self, id: LinkId) {
        if let Some(link) = self.links[usize::from(id.0)].as_mut() {
            link.state = State::Connected;
        }
        if matches!(self.mode, Mode::Busy(Job::StartOpening { link, .. }) if link == id) {
            self.started(id);
        }
    }

    /// A session ended (or cannot go on): the link goes. During the
    /// handshake the CIPSTART says `ERROR` (TL-3); later the link says
    /// `CLOSED` (TL-5).
    pub(super) fn secure_end(&mut self, id: LinkId) {
        let Some(socket) = self.link(id).map(|l| l.socket) else {
            return;
        };
        self.net_out.push_back(NetCommand::Close { socket });
        self.link_failed(id);
    }

    /// The handshakes' deadlines and DTLS retransmission.
    pub(super) fn secure_timeouts(&mut self, now: Instant) {
        for i in 0..self.links.len() {
            let id = LinkId(i as u8);
            let Some(link) = self.links[i].as_mut() else {
                continue;
            };
            let Some(session) = link.tls.as_mut() else {
                continue;
            };
            if session.poll_timeout().is_none_or(|t| t > now) {
                continue;
            }
            let mut out = Vec::new();
            let result = session.handle_timeout(now, &mut out);
            self.secure_send(id, out);
            if result.is_err() {
                self.secure_end(id);
            }
        }
    }

    /// The earliest session timer.
    pub(super) fn secure_poll_timeout(&self) -> Option<Instant> {
        self.links
            .iter()
            .flatten()
            .filter_map(|l| l.tls.as_ref()?.poll_timeout())
            .min()
    }

    /// Data for the link's peer, sealed when the link is TLS or DTLS:
    /// what the network is to send.
    pub(super) fn seal(&mut self, id: LinkId, data: bytes::Bytes) -> Option<bytes::Bytes> {
        let link = self.links[usize::from(id.0)].as_mut()?;
        let Some(session) = link.tls.as_mut() else {
            return Some(data);
        };
        let mut out = Vec::with_capacity(data.len() + 64);
        match session.seal(&data, &mut out) {
            Ok(()) => Some(out.into()),
            Err(_) => None,
        }
    }

    /// CIPCLOSE of a TLS or DTLS link: close_notify first (TL-4).
    pub(super) fn secure_close(&mut self, id: LinkId) {
        let Some(session) = self.links[usize::from(id.0)]
            .as_mut()
            .and_then(|l| l.tls.as_mut())
        else {
            return;
        };
        let mut out = Vec::new();
        session.close(&mut out);
        self.secure_send(id, out);
    }

    /// Handshake records out, counted like any send (so that `SEND OK`
    /// waits for the data's own acknowledgement, SD-5).
    fn secure_send(&mut self, id: LinkId, out: Vec<u8>) {
        if !out.is_empty() {
            self.send_on(id, out.into(), None);
        }
    }
}
