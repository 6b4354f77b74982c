//! The host's view of the module, built from its replies and URCs only:
//! which links are open and where to, CIPMUX, CIPMODE, echo, and which
//! settings it acknowledged as stored. A host driver keeps the same view;
//! the checks compare it with CIPSTATUS, the network and the flash.

use std::net::Ipv4Addr;

use firmware_core::{DnsSetting, SEED, Settings};

use super::check::{Expected, StatusLine};
use super::session::Cmd;

/// What the host knows of one open link.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Link {
    /// UDP (else TCP).
    pub udp: bool,
    /// A server link (SS-8).
    pub server: bool,
    /// The remote, when known (a TCP server's once its peer connected).
    pub remote: Option<Ipv4Addr>,
    /// The remote port, when known.
    pub port: Option<u16>,
    /// The peer stream its bytes go to (an index into the run's targets).
    pub target: Option<usize>,
    /// Which opening of the link this is (counts every open).
    pub epoch: u64,
}

/// The host's view of the links and modes.
#[derive(Debug, Clone)]
pub struct View {
    /// Link slots 0..4.
    pub links: [Option<Link>; 5],
    /// Whether `links` is certain (false after input whose effect the host
    /// cannot tell, until CIPSTATUS or a restart settles it).
    pub known: bool,
    /// CIPMUX.
    pub mux: bool,
    /// CIPMODE.
    pub mode: bool,
    /// Echo (ATE).
    pub echo: bool,
    epochs: u64,
}

impl Default for View {
    fn default() -> Self {
        View {
            links: [None; 5],
            known: true,
            mux: false,
            mode: false,
            echo: true,
            epochs: 0,
        }
    }
}

impl View {
    /// After `ready` (B-2): nothing open, every mode at its default.
    pub fn boot(&mut self) {
        let epochs = self.epochs;
        *self = View::default();
        self.epochs = epochs;
    }

    /// A link opened (OK to CIPSTART): returns its epoch.
    pub fn open(&mut self, id: u32, mut link: Link) -> u64 {
        self.epochs += 1;
        link.epoch = self.epochs;
        if let Some(slot) = self.links.get_mut(id as usize) {
            *slot = Some(link);
        }
        self.epochs
    }

    /// The link a `CLOSED` line names (`None`: CIPMUX=0's bare form).
    pub fn closed_id(&self, id: Option<u32>) -> Option<u32> {
        match id {
            Some(id) => Some(id),
            None => (0..5).find(|&i| self.links[i as usize].is_some()),
        }
    }

    /// What CIPSTATUS should list.
    pub fn expected(&self) -> Vec<Expected> {
        (0..5u32)
            .filter_map(|id| {
                let l = self.links[id as usize]?;
                Some(Expected {
                    id,
                    kind: u8::from(l.udp),
                    server: l.server,
                    // A UDP server link takes datagrams from anyone.
                    remote: l.remote.filter(|_| !(l.udp && l.server)),
                    port: l.port.filter(|_| !l.server),
                })
            })
            .collect()
    }

    /// Settles an uncertain view from a CIPSTATUS reply where it can: no
    /// links, or exactly the links the view holds.
    pub fn resync(&mut self, module: &[StatusLine]) {
        if module.is_empty() {
            self.links = [None; 5];
            self.known = true;
        } else if super::check::status(&self.expected(), module).is_none() {
            self.known = true;
        }
    }
}

/// The stored settings as the host saw them acknowledged (B-6).
#[derive(Debug, Clone, Default)]
pub struct Stored {
    /// The settings whose last change got `OK`.
    pub acked: Settings,
    /// A change sent and not answered yet.
    pub pending: Option<Settings>,
}

impl Stored {
    /// `cmd` is about to be sent: the settings it would store, if any.
    pub fn sending(&mut self, cmd: &Cmd) {
        let mut new = self.acked.clone();
        match cmd {
            Cmd::SysStore(on) => new.sysstore = *on,
            Cmd::Dns(_) | Cmd::DnsAuto if !self.acked.sysstore => {}
            Cmd::Dns(servers) => {
                let list = match servers.is_empty() {
                    true => SEED.dns_fallback.to_vec(),
                    false => servers.clone(),
                };
                new.dns = DnsSetting::manual(&list).unwrap_or(DnsSetting::Automatic);
            }
            Cmd::DnsAuto => new.dns = DnsSetting::Automatic,
            Cmd::Restore => new = Settings::FACTORY,
            _ => return,
        }
        self.pending = (new != self.acked).then_some(new);
    }

    /// The final result of the command that was pending.
    pub fn answered(&mut self, ok: bool) {
        if let (true, Some(new)) = (ok, self.pending.take()) {
            self.acked = new;
        }
    }
}
