//! AT+CIPSTART up to the network's answer (SS-1…SS-11): the checks, the
//! lookup of a name, and the socket asked for.

use core::net::{Ipv4Addr, SocketAddrV4};

use super::{Job, Mode, Module, PendingStart};
use crate::command::{Host, Kind, Start};
use crate::link::Link;
use crate::net::{Keepalive, NetCommand};
use crate::time::Instant;

impl Module {
    /// SS-1…SS-11, up to the point where the network must answer.
    pub(super) fn start(&mut self, now: Instant, s: Start<'_>) {
        let already = if self.cfg.mux {
            self.link(s.link).is_some()
        } else {
            self.links.iter().any(Option::is_some)
        };
        if let (Some(text), true) = (self.d.style.already_connected, already) {
            // ET-8.
            self.info(&[text.as_bytes()]);
            return self.error();
        }
        if self.offline() {
            return self.error();
        }
        let open_links = self.links.iter().flatten().count();
        let psk_ok = !matches!(s.kind, Kind::Tls | Kind::Dtls) || self.psk_for(s.link).is_some();
        let server_ok = match s.server {
            None => true,
            Some((port, ip)) => {
                // SS-8 (and SS-11: the page documents PSK clients only).
                let own = ip == Ipv4Addr::UNSPECIFIED || Some(ip) == self.address;
                let free = self.links.iter().flatten().all(|l| l.local_port != port);
                own && free && matches!(s.kind, Kind::Tcp | Kind::Udp)
            }
        };
        // ET-3: only from the station's own address.
        let local_ok = s.local_ip.is_none_or(|ip| Some(ip) == self.address);
        let allowed = local_ok
            && self.link(s.link).is_none() // SS-9
            && (self.cfg.mux || open_links == 0) // SS-10
            && psk_ok
            && server_ok;
        if !allowed {
            return self.error();
        }
        let pending = PendingStart {
            link: s.link,
            kind: s.kind,
            port: s.port,
            keepalive: s.keepalive,
            local_port: s.server.map(|(port, _)| port).or(s.local_port),
            server: s.server.is_some(),
            udp_mode: s.udp_mode,
            timeout: s.timeout,
        };
        match s.host {
            Host::Ip(ip) => self.open(now, pending, ip),
            Host::Name(name) => {
                if self.resolve(now, name) {
                    self.mode = Mode::Busy(Job::StartResolving(pending));
                } else {
                    self.error();
                }
            }
        }
    }

    /// Asks the network for CIPSTART's socket (SS-6…SS-8).
    pub(super) fn open(&mut self, now: Instant, p: PendingStart, ip: Ipv4Addr) {
        let socket = self.new_socket();
        let remote = SocketAddrV4::new(ip, p.port);
        let keepalive = (p.kind.is_stream() && p.keepalive > 0).then(|| Keepalive {
            idle: core::time::Duration::from_secs(u64::from(p.keepalive)),
            interval: self.d.keepalive_interval,
            count: self.d.keepalive_count,
        });
        let command = match (p.kind, p.local_port) {
            (Kind::Tcp, Some(local_port)) if p.server => NetCommand::Listen {
                socket,
                local_port,
                keepalive,
            },
            (Kind::Tcp | Kind::Tls, _) => NetCommand::Connect {
                socket,
                remote,
                keepalive,
            },
            (Kind::Udp | Kind::Dtls, local_port) => NetCommand::Bind {
                socket,
                local_port: local_port.unwrap_or(0),
            },
        };
        let mut link = Link::new(socket, p.kind, p.server, remote);
        link.udp_mode = p.udp_mode;
        self.links[usize::from(p.link.0)] = Some(link);
        self.net_out.push_back(command);
        self.mode = Mode::Busy(Job::StartOpening {
            link: p.link,
            deadline: now + p.timeout.unwrap_or(self.d.connect_timeout),
        });
    }
}
