//! A TCP server whose every client becomes a link (esp-at.md ET-12…ET-14):
//! AT+CIPSERVER, AT+CIPSERVERMAXCONN and AT+CIPSTO.
//!
//! The seed's server form (SS-8) is a link listening for its one peer; this
//! is a listener of its own, which the network reports each client of as a
//! new socket (`NetEvent::Incoming`).

use core::net::SocketAddrV4;
use core::time::Duration;

use super::{Mode, Module};
use crate::command::{Kind, LinkId};
use crate::link::{Link, State};
use crate::net::{NetCommand, SocketId};
use crate::time::Instant;

/// The listener.
#[derive(Debug, Clone, Copy)]
pub(super) struct Server {
    pub(super) socket: SocketId,
    port: u16,
    /// Clients at most, as AT+CIPSERVERMAXCONN said when it started.
    max: u8,
    /// The network confirmed it listens; until then `AT+CIPSERVER=1` waits.
    listening: bool,
}

impl Module {
    /// AT+CIPSERVER=1 or 0.
    pub(super) fn server(&mut self, port: Option<u16>, close_clients: bool) {
        match port {
            Some(_) if self.server.is_some() || !self.cfg.mux || self.offline() => self.error(),
            Some(port) => {
                let socket = self.new_socket();
                self.server = Some(Server {
                    socket,
                    port,
                    max: self.cfg.server_max,
                    listening: false,
                });
                self.net_out.push_back(NetCommand::Serve {
                    socket,
                    local_port: port,
                });
                self.mode = Mode::Busy(super::Job::Serving);
            }
            None => {
                if let Some(server) = self.server.take() {
                    self.net_out.push_back(NetCommand::Close {
                        socket: server.socket,
                    });
                }
                if close_clients {
                    for i in 0..self.d.links {
                        let id = LinkId(i);
                        if self.link(id).is_some_and(|l| l.server) {
                            self.drop_link(id);
                            self.link_line(id, self.d.closed);
                        }
                    }
                }
                self.ok();
            }
        }
    }

    pub(super) fn server_query(&mut self) {
        match self.server {
            Some(s) => self.reply_fmt(format_args!("1,{},\"TCP\",0,0", s.port)),
            None => self.reply_fmt(format_args!("0")),
        }
        self.ok();
    }

    /// The listener opened, or could not.
    pub(super) fn server_opened(&mut self, socket: SocketId, ok: bool) -> bool {
        let Some(server) = self.server.as_mut().filter(|s| s.socket == socket) else {
            return false;
        };
        let waiting = matches!(self.mode, Mode::Busy(super::Job::Serving));
        if ok {
            server.listening = true;
        } else {
            self.server = None;
        }
        if waiting {
            self.ok_if(ok);
        }
        true
    }

    /// ET-12, ET-13: the lowest free link, if the server has room; else
    /// the client is closed without a word.
    pub(super) fn incoming(
        &mut self,
        now: Instant,
        listener: SocketId,
        socket: SocketId,
        remote: SocketAddrV4,
    ) {
        let server = self.server.filter(|s| s.socket == listener && s.listening);
        let clients = self.links.iter().flatten().filter(|l| l.server).count();
        let free = (0..self.d.links)
            .map(LinkId)
            .find(|&id| self.link(id).is_none());
        let (Some(server), Some(id)) = (server, free) else {
            return self.net_out.push_back(NetCommand::Close { socket });
        };
        if clients >= usize::from(server.max) {
            return self.net_out.push_back(NetCommand::Close { socket });
        }
        let mut link = Link::new(socket, Kind::Tcp, true, remote);
        link.local_port = server.port;
        link.state = State::Connected;
        link.last_io = Some(now);
        self.links[usize::from(id.0)] = Some(link);
        self.served = true;
        self.link_urc(id, self.d.connect);
    }

    /// ET-14: the next client to fall silent for AT+CIPSTO.
    pub(super) fn server_poll_timeout(&self) -> Option<Instant> {
        let timeout = self.idle_timeout()?;
        self.links
            .iter()
            .flatten()
            .filter_map(|l| l.last_io)
            .map(|at| at + timeout)
            .min()
    }

    pub(super) fn server_timeouts(&mut self, now: Instant) {
        let Some(timeout) = self.idle_timeout() else {
            return;
        };
        for i in 0..self.d.links {
            let id = LinkId(i);
            let idle = self
                .link(id)
                .and_then(|l| l.last_io)
                .is_some_and(|at| now >= at + timeout);
            if idle {
                self.drop_link(id);
                self.link_urc(id, self.d.closed);
            }
        }
    }

    /// AT+CIPSTO's time, while any server client may be open: a module
    /// that never accepted one has nothing to watch.
    fn idle_timeout(&self) -> Option<Duration> {
        (self.served && self.cfg.server_timeout > 0)
            .then(|| Duration::from_secs(u64::from(self.cfg.server_timeout)))
    }

    /// Data went either way on a server's client (ET-14).
    pub(super) fn touch(&mut self, id: LinkId, now: Instant) {
        if let Some(link) = self.links[usize::from(id.0)].as_mut()
            && link.last_io.is_some()
        {
            link.last_io = Some(now);
        }
    }
}
