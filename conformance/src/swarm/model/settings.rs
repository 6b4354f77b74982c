//! The settings the model follows through restarts and power loss: what is
//! stored (SYSSTORE and the DNS setting, B-5, B-6, DN-4) and what is in
//! effect now (CIPDNS, SNTP). Each is a list of candidates, because power
//! lost before an `OK` leaves the old or the new store (B-6); an empty
//! list means the model does not know and learns from the next query.

use std::net::Ipv4Addr;

use super::parse::Command;

/// DN-2, DN-3: the server used when none is given, and right after
/// `AT+CIPDNS=0` until the next DHCP update.
pub const FALLBACK: Ipv4Addr = Ipv4Addr::new(208, 67, 222, 222);
/// NT-2: the factory SNTP server.
pub const SNTP_SERVER: &str = "pool.ntp.org";

/// What `AT+CIPDNS?` may show.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Dns {
    /// `+CIPDNS:1,...` with exactly these servers (DN-2).
    Manual(Vec<Ipv4Addr>),
    /// `+CIPDNS:0,"208.67.222.222"`: automatic, until DHCP updates (DN-3).
    Fallback,
    /// `+CIPDNS:0,...` with whatever DHCP gave (DN-3, after a restart).
    Dhcp,
}

/// The stored settings (B-5, B-6).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Stored {
    pub sysstore: bool,
    /// `None`: automatic.
    pub dns: Option<Vec<Ipv4Addr>>,
}

/// B-3, B-5, DN-3: what `AT+RESTORE` leaves.
pub fn factory() -> Stored {
    Stored {
        sysstore: true,
        dns: None,
    }
}

/// The SNTP configuration in effect (NT-1, NT-2).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Sntp {
    pub enable: bool,
    /// `None`: not known (enable 0 left it out).
    pub tz: Option<i8>,
    pub server: String,
}

/// NT-2.
pub fn sntp_factory() -> Sntp {
    Sntp {
        enable: false,
        tz: Some(0),
        server: SNTP_SERVER.into(),
    }
}

/// Stored and current settings.
#[derive(Debug, Clone)]
pub struct Settings {
    /// Candidates for the store; empty: unknown.
    pub stored: Vec<Stored>,
    /// Candidates for what `AT+CIPDNS?` shows; empty: unknown.
    pub dns: Vec<Dns>,
    /// The store if the command in flight lands (power may cut it, B-6).
    in_flight: Option<Vec<Stored>>,
    /// SNTP now (volatile: B-5 stores only SYSSTORE and CIPDNS).
    pub sntp: Option<Sntp>,
}

impl Default for Settings {
    fn default() -> Self {
        let mut s = Settings {
            stored: vec![factory()],
            dns: Vec::new(),
            in_flight: None,
            sntp: None,
        };
        s.boot();
        s
    }
}

fn push<T: PartialEq>(v: &mut Vec<T>, x: T) {
    if !v.contains(&x) {
        v.push(x);
    }
}

impl Settings {
    /// After `ready`: a store in flight may have landed (B-6); what is in
    /// effect comes from the store (B-2).
    pub fn boot(&mut self) {
        if let Some(new) = self.in_flight.take() {
            match self.stored.is_empty() || new.is_empty() {
                true => self.stored.clear(),
                false => new.into_iter().for_each(|s| push(&mut self.stored, s)),
            }
        }
        self.dns.clear();
        for s in &self.stored {
            let d = match &s.dns {
                Some(l) => Dns::Manual(l.clone()),
                None => Dns::Dhcp,
            };
            push(&mut self.dns, d);
        }
        self.sntp = Some(sntp_factory());
    }

    /// Forgets everything (input whose effect the model cannot tell).
    pub fn lost(&mut self) {
        self.stored.clear();
        self.dns.clear();
        self.in_flight = None;
        self.sntp = None;
    }

    /// `c` is on its way: the store it would leave (B-6).
    pub fn sent(&mut self, c: &Command) {
        self.in_flight = match c {
            Command::SysStore(_) | Command::Dns(_) | Command::Restore => {
                let mut after = self.clone();
                after.apply(c);
                Some(after.stored)
            }
            _ => None,
        };
    }

    /// `c` was answered.
    pub fn answered(&mut self, c: &Command, ok: bool) {
        self.in_flight = None;
        if ok {
            self.apply(c);
        }
    }

    fn apply(&mut self, c: &Command) {
        match c {
            Command::SysStore(on) => self.stored.iter_mut().for_each(|s| s.sysstore = *on),
            Command::Dns(d) => {
                let list = d.as_ref().map(|l| match l.is_empty() {
                    true => vec![FALLBACK],
                    false => l.clone(),
                });
                self.dns = vec![list.clone().map_or(Dns::Fallback, Dns::Manual)];
                // DN-4, B-5: written only with SYSSTORE=1.
                let stored = std::mem::take(&mut self.stored);
                for mut s in stored {
                    if s.sysstore {
                        s.dns = list.clone();
                    }
                    push(&mut self.stored, s);
                }
            }
            Command::Restore => self.stored = vec![factory()],
            Command::Sntp { enable, tz, server } => {
                let old = self.sntp.take();
                let kept = old.as_ref().map(|o| o.server.clone());
                self.sntp = server.clone().or(kept).map(|server| Sntp {
                    enable: *enable,
                    tz: *tz,
                    server,
                });
            }
            _ => {}
        }
    }

    /// `+SYSSTORE:<n>` against the candidates; narrows them.
    pub fn sysstore_shown(&mut self, on: bool) -> Result<(), String> {
        if self.stored.is_empty() {
            return Ok(());
        }
        let was: Vec<bool> = self.stored.iter().map(|s| s.sysstore).collect();
        self.stored.retain(|s| s.sysstore == on);
        match self.stored.is_empty() {
            true => Err(format!("SYSSTORE {} expected", show_bools(&was))),
            false => Ok(()),
        }
    }

    /// `+CIPDNS:<enable>,<servers>` against the candidates; narrows them.
    pub fn dns_shown(&mut self, enable: bool, servers: &[Ipv4Addr]) -> Result<(), String> {
        let fits = |d: &Dns| match d {
            Dns::Manual(l) => enable && l == servers,
            Dns::Fallback => !enable && servers == [FALLBACK],
            Dns::Dhcp => !enable,
        };
        if self.dns.is_empty() {
            self.dns = vec![match enable {
                true => Dns::Manual(servers.to_vec()),
                false => Dns::Dhcp,
            }];
            return Ok(());
        }
        let was = format!("{:?}", self.dns);
        self.dns.retain(fits);
        match self.dns.is_empty() {
            true => {
                self.dns_shown(enable, servers)?;
                Err(format!("the model expected one of {was}"))
            }
            false => Ok(()),
        }
    }
}

fn show_bools(v: &[bool]) -> String {
    let v: Vec<String> = v.iter().map(|&b| u8::from(b).to_string()).collect();
    v.join(" or ")
}
