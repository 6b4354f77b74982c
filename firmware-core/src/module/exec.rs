//! Running command lines (B, ST, SS, SD, PT-1, CL, MX, MD, NT, PG, DM, DN, PK):
//! the dispatch, and the commands short enough to answer here; CIPSTART's
//! checks live in `start.rs`, CIPSEND's and passthrough's in `send.rs`.

use core::net::Ipv4Addr;

use super::{AfterStore, Job, Mode, Module};
use crate::command::{Command, Host, LinkId, Target};
use crate::net::{NetCommand, Psk};
use crate::parser::parse_as;
use crate::store::{DnsSetting, Settings};
use crate::time::Instant;

impl Module {
    /// A complete, non-empty command line.
    pub(super) fn command_line(&mut self, now: Instant, text: &[u8]) {
        if matches!(self.mode, Mode::Busy(_)) {
            // G-6: answered, otherwise ignored.
            self.info(&[self.d.busy.as_bytes()]);
            return;
        }
        let Ok(request) = parse_as(text, self.d.style.escape_any) else {
            return self.final_result(self.d.error);
        };
        match Command::from_request(&request, self.d, self.cfg.mux) {
            Ok((command, name)) => {
                self.reply = name;
                self.exec(now, command);
            }
            Err(_) => self.final_result(self.d.error),
        }
    }

    /// G-3: the excess was discarded; the line is refused.
    pub(super) fn line_refused(&mut self) {
        if matches!(self.mode, Mode::Busy(_)) {
            self.info(&[self.d.busy.as_bytes()]);
        } else {
            self.final_result(self.d.error);
        }
    }

    pub(super) fn ok(&mut self) {
        self.final_result(self.d.ok);
    }

    pub(super) fn error(&mut self) {
        self.final_result(self.d.error);
    }

    pub(super) fn ok_if(&mut self, ok: bool) {
        if ok { self.ok() } else { self.error() }
    }

    fn exec(&mut self, now: Instant, command: Command<'_>) {
        let d = self.d;
        match command {
            Command::At => self.ok(),
            Command::Echo(on) => {
                self.cfg.echo = on;
                self.ok();
            }
            Command::Reset => {
                self.ok();
                self.restart(now);
            }
            Command::Restore => {
                // B-3: erase, then restart; B-6: once the erase is durable.
                let previous = core::mem::replace(&mut self.stored, Settings::FACTORY);
                self.persist(previous, self.cfg.clone(), AfterStore::OkThenRestart);
            }
            Command::Version => {
                for line in d.version_lines {
                    self.info(&[line.as_bytes()]);
                }
                self.ok();
            }
            Command::SysstoreQuery => {
                self.reply_fmt(format_args!("{}", u8::from(self.cfg.sysstore)));
                self.ok();
            }
            Command::Sysstore(on) => {
                let (previous, previous_cfg) = (self.stored.clone(), self.cfg.clone());
                self.cfg.sysstore = on;
                self.stored.sysstore = on;
                self.persist(previous, previous_cfg, AfterStore::Ok);
            }
            Command::Status => self.status(),
            Command::Start(start) => self.start(now, start),
            Command::Send {
                link,
                len,
                to,
                escapes,
            } => self.send(now, link, len, to, escapes),
            Command::Passthrough => self.enter_passthrough(now),
            Command::Close(target) => self.close(target),
            Command::MuxQuery => {
                self.reply_fmt(format_args!("{}", u8::from(self.cfg.mux)));
                self.ok();
            }
            Command::Mux(on) => {
                // MX-2: only while no link is open; MX-3: not with CIPMODE=1.
                let change = on != self.cfg.mux;
                // ET-1: nor without multiple connections while a server runs.
                let allowed = !change
                    || (self.links.iter().all(Option::is_none)
                        && !(on && self.cfg.passthrough)
                        && (on || self.server.is_none()));
                if allowed {
                    self.cfg.mux = on;
                }
                self.ok_if(allowed);
            }
            Command::ModeQuery => {
                self.reply_fmt(format_args!("{}", u8::from(self.cfg.passthrough)));
                self.ok();
            }
            Command::Mode(on) => {
                // MD-2: passthrough needs a single connection.
                let allowed = !(on && self.cfg.mux);
                if allowed {
                    self.cfg.passthrough = on;
                }
                self.ok_if(allowed);
            }
            Command::SntpConfigQuery => {
                let cfg = &self.cfg;
                let reply = self.reply;
                let mut line = self.tx.line();
                // EN-2: the zone's whole hours, toward zero.
                line.bytes(reply).bytes(b":").fmt(format_args!(
                    "{},{}",
                    u8::from(cfg.sntp_enable),
                    cfg.timezone / 60
                ));
                for server in &cfg.sntp_servers {
                    line.bytes(b",\"").bytes(server).bytes(b"\"");
                }
                line.end();
                self.ok();
            }
            Command::SntpConfig {
                enable,
                timezone,
                servers,
            } => {
                // NT-1, NT-5, EN-1.
                if let Some(tz) = timezone {
                    self.cfg.timezone = tz;
                }
                if let Some(servers) = servers {
                    self.cfg.sntp_servers = servers.iter().map(|s| s.to_vec()).collect();
                    self.cfg.sntp_next = 0;
                }
                self.cfg.sntp_enable = enable;
                // A lookup of the old setting's server must not start an
                // attempt now, whether disabled or restarted.
                self.sntp_resolver.cancel();
                if enable {
                    self.sntp.enable(now);
                } else {
                    self.sntp.disable();
                }
                self.ok();
            }
            Command::SntpIntervalQuery => {
                let secs = self.sntp.interval().as_secs();
                self.reply_fmt(format_args!("{secs}"));
                self.ok();
            }
            Command::SntpInterval(secs) => {
                self.sntp
                    .set_interval(core::time::Duration::from_secs(u64::from(secs)));
                self.ok();
            }
            Command::SntpTime => self.sntp_time(now),
            Command::Ping(_) if self.offline() => self.ping_failed(),
            Command::Domain { .. } if self.offline() => self.error(),
            Command::CloseSingle if self.cfg.mux => self.error(),
            Command::CloseSingle => self.close(Target::One(LinkId(0))),
            Command::Ping(host) => match host {
                Host::Ip(ip) => self.ping(now, ip),
                Host::Name(name) => {
                    if self.resolve(now, name) {
                        self.mode = Mode::Busy(Job::PingResolving);
                    } else {
                        // PG-1: a name that cannot resolve, because it is
                        // not a valid name, is a name that does not resolve.
                        self.ping_failed();
                    }
                }
            },
            Command::Domain { name, timeout } => {
                if let Some(ip) = crate::parser::parse_ipv4(name) {
                    self.domain_answer(ip);
                } else if self.resolve_within(now, name, timeout) {
                    self.mode = Mode::Busy(Job::Domain);
                } else {
                    // DM-1: invalid name.
                    self.error();
                }
            }
            Command::DnsQuery => self.dns_query(),
            Command::Dns { manual, servers } => {
                // DN-2, DN-3, DN-4.
                let (previous, previous_cfg) = (self.stored.clone(), self.cfg.clone());
                let servers = if servers.is_empty() {
                    d.dns_fallback.iter().copied().collect()
                } else {
                    servers
                };
                self.cfg.dns = if manual {
                    let mut list = [None; 3];
                    list.iter_mut()
                        .zip(&servers)
                        .for_each(|(slot, ip)| *slot = Some(*ip));
                    DnsSetting::Manual { servers: list }
                } else {
                    DnsSetting::Automatic
                };
                // Automatic reverts to the fallback at once; DHCP's servers
                // take over at the next DHCP update (DN-3).
                self.dns_servers = servers;
                if self.cfg.sysstore {
                    self.stored.dns = self.cfg.dns.clone();
                    self.persist(previous, previous_cfg, AfterStore::Ok);
                } else {
                    self.ok();
                }
            }
            Command::Station(cmd) => self.station_command(now, cmd),
            Command::SslConfigQuery => {
                // EK-3: no certificates, so every link's is 0,0,0.
                let shown = if self.cfg.mux { d.links } else { 1 };
                for id in 0..shown {
                    self.reply_fmt(format_args!("{id},0,0,0"));
                }
                self.ok();
            }
            Command::UartQuery { stored } => {
                let flow = if self.cfg.uart_flow { 3 } else { 0 };
                let baud = if stored {
                    self.boot_rate()
                } else {
                    self.uart_rate()
                };
                self.reply_fmt(format_args!("{baud},8,1,0,{flow}"));
                self.ok();
            }
            Command::Uart { baud, .. } if !self.line_rate_ok(baud) => self.error(),
            Command::Uart { baud, flow, store } => {
                let (previous, previous_cfg) = (self.stored.clone(), self.cfg.clone());
                self.cfg.uart_flow = flow;
                if store {
                    // EH-5: stored whatever AT+SYSSTORE says; the rate
                    // changes once the write is durable and `OK` is out.
                    self.stored.line_rate = core::num::NonZeroU32::new(baud);
                    self.persist(previous, previous_cfg, AfterStore::OkThenRate(baud));
                } else {
                    drop((previous, previous_cfg));
                    self.ok();
                    self.change_rate(baud);
                }
            }
            Command::LinkStates => self.link_states(),
            Command::LinkStatus => self.link_status(),
            Command::ServerQuery => self.server_query(),
            Command::Server {
                port,
                close_clients,
            } => self.server(port, close_clients),
            Command::ServerMaxQuery => {
                let max = self.cfg.server_max;
                self.reply_fmt(format_args!("{max}"));
                self.ok();
            }
            Command::ServerMax(max) => {
                self.cfg.server_max = max;
                self.ok();
            }
            Command::ServerTimeoutQuery => {
                let secs = self.cfg.server_timeout;
                self.reply_fmt(format_args!("{secs}"));
                self.ok();
            }
            Command::ServerTimeout(secs) => {
                self.cfg.server_timeout = secs;
                self.ok();
            }
            Command::DinfoQuery => {
                let on = if self.cfg.dinfo { "true" } else { "false" };
                self.reply_fmt(format_args!("{on}"));
                self.ok();
            }
            Command::Dinfo(on) => {
                self.cfg.dinfo = on;
                self.ok();
            }
            Command::ReceiveModeQuery => {
                let p = u8::from(self.passive(LinkId(0)));
                self.reply_fmt(format_args!("{p}"));
                self.ok();
            }
            Command::ReceiveTypeQuery => self.receive_types(),
            Command::ReceiveMode { target, passive } => self.set_receive_mode(target, passive),
            Command::ReceiveData { link, len } => self.read_held(link, len),
            Command::ReceiveLengths => self.held_lengths(),
            Command::PskQuery => {
                let shown = if self.cfg.mux {
                    usize::from(d.links)
                } else {
                    1
                };
                for id in 0..shown {
                    let (key, identity) = match &self.cfg.psk[id] {
                        Some(psk) => (&psk.key[..], &psk.identity[..]),
                        None if d.style.list_empty_psk => (&[][..], &[][..]),
                        None => continue,
                    };
                    let reply = self.reply;
                    let mut line = self.tx.line();
                    line.bytes(reply)
                        .bytes(b":")
                        .fmt(format_args!("{id},\""))
                        .bytes(key)
                        .bytes(b"\",\"")
                        .bytes(identity)
                        .bytes(b"\"");
                    line.end();
                }
                self.ok();
            }
            Command::Psk {
                target,
                key,
                identity,
            } => {
                // PK-1, PK-4: used from the next TLS/DTLS CIPSTART.
                let psk = Psk {
                    key: key.to_vec(),
                    identity: identity.to_vec(),
                };
                match target {
                    Target::One(id) => self.cfg.psk[usize::from(id.0)] = Some(psk),
                    Target::All => {
                        for slot in &mut self.cfg.psk[..usize::from(d.links)] {
                            *slot = Some(psk.clone());
                        }
                    }
                }
                self.ok();
            }
        }
    }

    /// ST-1, ST-2.
    fn status(&mut self) {
        for i in 0..usize::from(self.d.links) {
            let Some(l) = self.links[i].as_ref() else {
                continue;
            };
            let (kind, remote, local_port, server) = (l.kind, l.remote, l.local_port, l.server);
            self.info_fmt(format_args!(
                "{}:{},{},{},{},{}",
                self.d.status,
                kind.code(),
                remote.ip(),
                remote.port(),
                local_port,
                u8::from(server)
            ));
        }
        self.ok();
    }

    /// EQ-1: `+CIPSTATE:` and EQ-2's lines.
    fn link_lines(&mut self, prefix: &[u8]) {
        for i in 0..usize::from(self.d.links) {
            let Some(l) = self.links[i].as_ref() else {
                continue;
            };
            let kind = self.d.link_types[usize::from(l.kind.code())];
            let (remote, local_port, server) = (l.remote, l.local_port, l.server);
            let mut line = self.tx.line();
            line.bytes(prefix).fmt(format_args!(
                ":{i},\"{kind}\",\"{}\",{},{},{}",
                remote.ip(),
                remote.port(),
                local_port,
                u8::from(server)
            ));
            line.end();
        }
    }

    /// EQ-1.
    fn link_states(&mut self) {
        self.link_lines(self.reply);
        self.ok();
    }

    /// EQ-2, EQ-3.
    fn link_status(&mut self) {
        let any = self.links.iter().any(Option::is_some);
        let stat = match self.station.phase {
            _ if any => 3,
            super::station::Phase::Connected if self.station.linked => 4,
            super::station::Phase::Connected => 2,
            super::station::Phase::Idle => 1,
            _ => 5,
        };
        self.info_fmt(format_args!("{}:{stat}", self.d.style.status_summary));
        self.link_lines(self.d.status.as_bytes());
        self.ok();
    }

    /// ET-9: a dialect with a station needs its address for the network.
    pub(super) fn offline(&self) -> bool {
        self.d.wifi.is_some() && self.address.is_none()
    }

    /// CL-1, CL-3.
    fn close(&mut self, target: Target) {
        let ids = match target {
            Target::One(id) if self.link(id).is_some() => id.0..id.0 + 1,
            Target::One(_) => return self.error(),
            Target::All => 0..self.d.links,
        };
        for id in ids.map(LinkId) {
            if self.link(id).is_none() {
                continue;
            }
            self.secure_close(id);
            self.drop_link(id);
            if self.d.style.closed_on_close {
                // ET-11: said before the `OK`, as part of the reply.
                self.link_line(id, self.d.closed);
            }
        }
        self.ok();
    }

    /// NT-4.
    fn sntp_time(&mut self, now: Instant) {
        let (secs, tz) = match self.sntp.unix_time(now) {
            Some((secs, _)) => (secs, self.cfg.timezone),
            // EN-5: time since boot, from 1970, no zone.
            None if self.d.style.clock_from_boot => (now.as_micros() as i64 / 1_000_000, 0),
            None => return self.error(),
        };
        let reply = self.reply;
        let mut line = self.tx.line();
        line.bytes(reply).bytes(b":");
        let format = self.d.style.time_format;
        if crate::sntp::write_local_time(&mut line, secs, tz, format).is_err() {
            // The line is taken back as it is dropped.
            drop(line);
            return self.error();
        }
        line.end();
        self.ok();
    }

    /// DN-1.
    fn dns_query(&mut self) {
        let reply = self.reply;
        let mut line = self.tx.line();
        line.bytes(reply).bytes(b":").fmt(format_args!(
            "{}",
            u8::from(matches!(self.cfg.dns, DnsSetting::Manual { .. }))
        ));
        for ip in &self.dns_servers {
            line.fmt(format_args!(",\"{ip}\""));
        }
        line.end();
        self.ok();
    }

    /// PG-1: the echo request.
    pub(super) fn ping(&mut self, now: Instant, to: Ipv4Addr) {
        let socket = self.new_socket();
        self.net_out.push_back(NetCommand::Ping { socket, to });
        self.mode = Mode::Busy(Job::Pinging {
            socket,
            sent: now,
            deadline: now + self.d.ping_timeout_after,
        });
    }

    pub(super) fn ping_failed(&mut self) {
        self.reply_fmt(format_args!("{}", self.d.ping_timeout));
        self.error();
    }

    pub(super) fn domain_answer(&mut self, ip: Ipv4Addr) {
        self.reply_fmt(format_args!("\"{ip}\""));
        self.ok();
    }

    /// Starts the command resolver; false if `name` is not a valid name.
    pub(super) fn resolve(&mut self, now: Instant, name: &[u8]) -> bool {
        self.resolve_within(now, name, None)
    }

    /// As `resolve`, done within `total` if given (ED-2): each server gets
    /// its share of it, at most the dialect's time.
    fn resolve_within(
        &mut self,
        now: Instant,
        name: &[u8],
        total: Option<core::time::Duration>,
    ) -> bool {
        let servers = self.dns_servers.clone();
        let each = match total {
            Some(total) => (total / servers.len().max(1) as u32).min(self.d.dns_timeout),
            None => self.d.dns_timeout,
        };
        self.resolver.start(now, name, &servers, each).is_ok()
    }

    /// B-2: drop every link, back to volatile defaults, `ready` later.
    pub(super) fn restart(&mut self, now: Instant) {
        for i in 0..self.d.links {
            self.drop_link(LinkId(i));
        }
        self.pt.discard();
        self.pt_link = None;
        self.redial = None;
        if let Some(server) = self.server.take() {
            self.net_out.push_back(NetCommand::Close {
                socket: server.socket,
            });
        }
        self.line.clear();
        self.urcs.clear();
        self.resolver.cancel();
        self.sntp_resolver.cancel();
        let sntp = crate::sntp::Client::new(
            self.seed ^ 0xA5A5_A5A5 ^ now.as_micros(),
            self.d.sntp_interval,
            self.d.sntp_retry,
        );
        // EN-5: the synchronised time survives a restart where the dialect
        // keeps its clock in RTC memory.
        self.sntp = if self.d.style.clock_survives_restart {
            sntp.with_time_of(&self.sntp)
        } else {
            sntp
        };
        self.cfg = super::Config::boot(self.d, &self.stored);
        // EH-5: the UART restarts at the stored rate, after this `OK`.
        self.change_rate(self.boot_rate());
        // The access point is left without a word (EB-2).
        if self.d.wifi.is_some() {
            self.net_out.push_back(NetCommand::Leave);
            self.address = None;
        }
        self.station = super::station::Station::boot(&self.stored);
        self.apply_dns_setting();
        self.mode = Mode::Busy(Job::Restart {
            until: now + self.d.restart_time,
        });
    }
}
