//! Passthrough's link opened again after it went down (esp-at.md EP-7):
//! silently, a try every `Dialect::passthrough_redial`, until the escape.

use core::net::SocketAddrV4;

use super::Module;
use crate::command::Kind;
use crate::link::Link;
use crate::net::NetCommand;
use crate::time::Instant;

/// A passthrough link to open again (EP-7).
#[derive(Debug, Clone, Copy)]
pub(super) struct Redial {
    pub(super) kind: Kind,
    pub(super) remote: SocketAddrV4,
    pub(super) at: Instant,
}

impl Module {
    /// EP-7: the link goes down in passthrough; try again later.
    pub(super) fn redial_later(&mut self, kind: Kind, remote: SocketAddrV4) -> bool {
        let Some(every) = self.d.passthrough_redial else {
            return false;
        };
        if !kind.is_stream() {
            return false;
        }
        self.pt.drop_data();
        self.redial = Some(Redial {
            kind,
            remote,
            at: self.now + every,
        });
        true
    }

    /// EP-7: a try, if one is due; the link opens silently.
    pub(super) fn redial_due(&mut self, now: Instant) {
        let (Some(r), Some(id)) = (self.redial, self.pt_link) else {
            return;
        };
        if now < r.at || self.link(id).is_some() {
            return;
        }
        let socket = self.new_socket();
        self.links[usize::from(id.0)] = Some(Link::new(socket, r.kind, false, r.remote));
        self.net_out.push_back(NetCommand::Connect {
            socket,
            remote: r.remote,
            keepalive: None,
        });
    }
}
