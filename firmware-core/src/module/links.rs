//! Links and the sockets under them: the core names every socket, and
//! counts each link's sends so that the network's `Sent` reports match.

use core::net::SocketAddrV4;

use super::Module;
use crate::command::LinkId;
use crate::link::Link;
use crate::net::{NetCommand, Psk, SocketId};

impl Module {
    pub(super) fn new_socket(&mut self) -> SocketId {
        let id = SocketId(self.next_socket);
        // The upper half is the drivers' (`SocketId::incoming`).
        self.next_socket = (self.next_socket + 1) % SocketId::INCOMING;
        self.next_socket = self.next_socket.max(3);
        id
    }

    pub(super) fn link(&self, id: LinkId) -> Option<&Link> {
        self.links.get(usize::from(id.0)).and_then(Option::as_ref)
    }

    pub(super) fn link_of(&self, socket: SocketId) -> Option<LinkId> {
        self.links
            .iter()
            .position(|l| l.as_ref().is_some_and(|l| l.socket == socket))
            .map(|i| LinkId(i as u8))
    }

    /// Frees a link, asking the network to close its socket, and forgets
    /// its passthrough data.
    pub(super) fn drop_link(&mut self, id: LinkId) {
        if let Some(link) = self.links[usize::from(id.0)].take() {
            self.net_out.push_back(NetCommand::Close {
                socket: link.socket,
            });
        }
        if self.pt_link == Some(id) {
            self.pt.discard();
            self.pt_link = None;
        }
    }

    /// Hands `data` to the network on link `id` (a UDP send to `to` when
    /// given), counted so that the network's `Sent` reports match (SD-5);
    /// returns the send's number, `None` without the link.
    pub(super) fn send_on(
        &mut self,
        id: LinkId,
        data: bytes::Bytes,
        to: Option<SocketAddrV4>,
    ) -> Option<u32> {
        let link = self.links[usize::from(id.0)].as_mut()?;
        link.issued = link.issued.wrapping_add(1);
        if link.last_io.is_some() {
            // ET-14: a server's client is busy.
            link.last_io = Some(self.now);
        }
        let (socket, to) = (link.socket, link.destination(to));
        self.net_out
            .push_back(NetCommand::Send { socket, data, to });
        Some(link.issued)
    }

    pub(super) fn psk_for(&self, id: LinkId) -> Option<Psk> {
        // With CIPMUX=0 the one link uses link 0's key (PK-1).
        let slot = if self.cfg.mux { id.0 } else { 0 };
        self.cfg.psk[usize::from(slot)].clone()
    }
}
