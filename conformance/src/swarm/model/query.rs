//! Queries and the information lines before their `OK`: each must show
//! what the model holds (the last value set, B-5, MX-1, MD-1, DN-1, NT-2,
//! PK-3, ST-1), or, where the model does not know, teaches it.

use std::net::Ipv4Addr;

use super::judge::{ERROR, OK, Verdict, bare, one_of};
use super::parse::{self, Command, Host, Kind, LINKS, MAX_PSK};
use super::settings::Sntp;
use super::{Link, Model, Slot};

/// The one information line before `OK`, after `prefix`.
fn single<'a>(
    info: &'a [Vec<u8>],
    prefix: &str,
    clause: &'static str,
) -> Result<&'a str, (&'static str, String)> {
    match info {
        [l] => match std::str::from_utf8(l)
            .ok()
            .and_then(|l| l.strip_prefix(prefix))
        {
            Some(rest) => Ok(rest),
            None => Err((clause, format!("one `{prefix}...` line"))),
        },
        _ => Err((clause, format!("exactly one `{prefix}...` line before OK"))),
    }
}

/// A `<0|1>` in a reply.
fn bit(s: &str, clause: &'static str) -> Result<bool, (&'static str, String)> {
    match s {
        "0" | "1" => Ok(s == "1"),
        _ => Err((clause, format!("0 or 1, not `{s}`"))),
    }
}

/// `"<a.b.c.d>"` in a reply.
fn quoted_ip(s: &str) -> Option<Ipv4Addr> {
    parse::ipv4(s.strip_prefix('"')?.strip_suffix('"')?).ok()
}

/// A key or hint as PK-3 shows it, when the rendering is certain.
fn plain(s: &str) -> Option<&str> {
    (!s.contains(['"', '\\', ','])).then_some(s)
}

/// A `+BIPSTATUS` line (ST-1, ST-2).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Status {
    kind: u8,
    remote: Ipv4Addr,
    port: u16,
    local: u16,
    server: bool,
}

fn status_line(l: &[u8]) -> Option<Status> {
    let text = std::str::from_utf8(l).ok()?.strip_prefix("+BIPSTATUS:")?;
    let f: Vec<&str> = text.split(',').collect();
    let [kind, remote, port, local, tetype] = f[..] else {
        return None;
    };
    Some(Status {
        kind: kind.parse().ok().filter(|&k| k <= 3)?,
        remote: parse::ipv4(remote).ok()?,
        port: port.parse().ok()?,
        local: local.parse().ok()?,
        server: match tetype {
            "0" => false,
            "1" => true,
            _ => return None,
        },
    })
}

impl Status {
    /// ST-2: the line fits the link the model holds.
    fn fits(&self, l: &Link) -> bool {
        self.kind == l.kind.number()
            && self.server == l.local.is_some()
            && l.local.is_none_or(|p| p == self.local)
            && l.remote
                .is_none_or(|(ip, port)| ip == self.remote && port == self.port)
    }

    /// The link this line shows, for a slot the model did not know.
    fn link(&self) -> Link {
        let kind = [Kind::Tcp, Kind::Udp, Kind::Tls, Kind::Dtls][self.kind as usize];
        Link {
            kind,
            local: self.server.then_some(self.local),
            remote: (!self.server).then_some((self.remote, self.port)),
            peer: None,
        }
    }
}

impl Model {
    pub(super) fn query(&mut self, c: &Command, fin: &[u8], info: &[Vec<u8>]) -> Verdict {
        match c {
            Command::Ping => {
                one_of(fin, &[OK, ERROR], "PG-1", "")?;
                let rest = single(info, "+PING:", "PG-1")?;
                match fin == OK {
                    true if !rest.is_empty() && rest.bytes().all(|b| b.is_ascii_digit()) => Ok(()),
                    false if rest == "TIMEOUT" => Ok(()),
                    _ => Err((
                        "PG-1",
                        "`+PING:<ms>` with OK, `+PING:TIMEOUT` with ERROR".into(),
                    )),
                }
            }
            Command::Domain(host) => {
                let fixed = matches!(host, Host::Ip(_));
                match fixed {
                    true => one_of(fin, &[OK], "DM-1", "an address answers itself")?,
                    false => one_of(fin, &[OK, ERROR], "DM-1", "the network decides")?,
                }
                if fin == ERROR {
                    return bare(info, "DM-1");
                }
                let ip = quoted_ip(single(info, "+CIPDOMAIN:", "DM-1")?);
                match (ip, host) {
                    (Some(ip), Host::Ip(want)) if ip != *want => {
                        Err(("DM-1", format!("`+CIPDOMAIN:\"{want}\"`")))
                    }
                    (Some(_), _) => Ok(()),
                    (None, _) => Err(("DM-1", "`+CIPDOMAIN:\"<ip>\"`".into())),
                }
            }
            Command::Gmr => {
                one_of(fin, &[OK], "B-4", "")?;
                match info.is_empty() {
                    true => Err(("B-4", "version lines before OK".into())),
                    false => Ok(()),
                }
            }
            Command::SntpTime if !self.sntp_enabled => {
                one_of(fin, &[ERROR], "NT-4", "SNTP was not enabled since boot")?;
                bare(info, "NT-4")
            }
            Command::SntpTime => {
                one_of(fin, &[OK, ERROR], "NT-4", "the network decides")?;
                if fin == ERROR {
                    return bare(info, "NT-4");
                }
                let t = single(info, "+CIPSNTPTIME:", "NT-4")?.as_bytes();
                let digit = |i: usize| t[i].is_ascii_digit();
                let form = t.len() == 19
                    && [(4, b'-'), (7, b'-'), (10, b' '), (13, b':'), (16, b':')]
                        .iter()
                        .all(|&(i, c)| t[i] == c)
                    && [0, 1, 2, 3, 5, 6, 8, 9, 11, 12, 14, 15, 17, 18]
                        .iter()
                        .all(|&i| digit(i));
                match form {
                    true => Ok(()),
                    false => Err(("NT-4", "`+CIPSNTPTIME:YYYY-MM-DD HH:MM:SS`".into())),
                }
            }
            _ => {
                one_of(fin, &[OK], "G-4", "a query of a command the dialect has")?;
                self.setting(c, info)
            }
        }
    }

    /// The information line(s) of a setting's query, answered `OK`.
    fn setting(&mut self, c: &Command, info: &[Vec<u8>]) -> Verdict {
        match c {
            Command::MuxQuery => {
                let on = bit(single(info, "+CIPMUX:", "MX-1")?, "MX-1")?;
                learn(&mut self.mux, on, "MX-1", "+CIPMUX")
            }
            Command::ModeQuery => {
                let on = bit(single(info, "+CIPMODE:", "MD-1")?, "MD-1")?;
                learn(&mut self.mode, on, "MD-1", "+CIPMODE")
            }
            Command::SysStoreQuery => {
                let on = bit(single(info, "+SYSSTORE:", "B-5")?, "B-5")?;
                self.settings.sysstore_shown(on).map_err(|e| ("B-5/B-6", e))
            }
            Command::DnsQuery => {
                let rest = single(info, "+CIPDNS:", "DN-1")?;
                let mut f = rest.split(',');
                let enable = bit(f.next().unwrap_or(""), "DN-1")?;
                let servers: Option<Vec<Ipv4Addr>> = f.map(quoted_ip).collect();
                match servers {
                    Some(s) if (1..=3).contains(&s.len()) => self
                        .settings
                        .dns_shown(enable, &s)
                        .map_err(|e| ("DN-1/DN-4", e)),
                    _ => Err(("DN-1", "one to three quoted addresses".into())),
                }
            }
            Command::SntpQuery => self.sntp_shown(single(info, "+CIPSNTPCFG:", "NT-2")?),
            Command::PskQuery => self.psk_shown(info),
            Command::Status => self.status(info),
            _ => bare(info, "G-4"),
        }
    }

    /// NT-2: `<enable>,<timezone>,"<server>"`.
    fn sntp_shown(&mut self, rest: &str) -> Verdict {
        let mut f = rest.splitn(3, ',');
        let (e, tz, server) = (f.next(), f.next(), f.next());
        let enable = bit(e.unwrap_or(""), "NT-2")?;
        let tz: Option<i8> = tz.and_then(|t| t.parse().ok());
        let server = server.and_then(|s| s.strip_prefix('"')?.strip_suffix('"'));
        let (Some(tz), Some(server)) = (tz, server) else {
            return Err((
                "NT-2",
                "`+CIPSNTPCFG:<enable>,<timezone>,\"<server>\"`".into(),
            ));
        };
        if let Some(want) = &self.settings.sntp {
            let fits = want.enable == enable
                && want.tz.is_none_or(|t| t == tz)
                && plain(&want.server).is_none_or(|s| s == server);
            if !fits {
                let tz = want.tz.map_or("any".into(), |t| t.to_string());
                let e = u8::from(want.enable);
                return Err((
                    "NT-2",
                    format!("`+CIPSNTPCFG:{e},{tz},\"{}\"`", want.server),
                ));
            }
        }
        let server = server.to_string();
        self.settings.sntp = Some(Sntp {
            enable,
            tz: Some(tz),
            server: self.settings.sntp.take().map_or(server, |s| s.server),
        });
        Ok(())
    }

    /// PK-1, PK-2: set a key; the form depends on CIPMUX.
    pub(super) fn psk(&mut self, p: &[(String, bool)], fin: &[u8], info: &[Vec<u8>]) -> Verdict {
        bare(info, "PK-1")?;
        let Some(mux) = self.mux else {
            if fin == OK {
                self.psk = None;
            }
            return Ok(());
        };
        let fits = |k: &str, h: &str| (1..=MAX_PSK).contains(&k.len()) && h.len() <= MAX_PSK;
        let (ids, k, h) = match (mux, p) {
            (false, [(k, _), (h, _)]) => (0..1, k, h),
            (true, [(id, false), (k, _), (h, _)]) => match id.parse::<u8>() {
                Ok(id) if id < LINKS => (id..id + 1, k, h),
                Ok(LINKS) => (0..LINKS, k, h),
                _ => return one_of(fin, &[ERROR], "PK-1", "a link ID 0-5"),
            },
            (true, [(_, true), _, _]) => {
                if fin == OK {
                    self.psk = None; // a quoted ID: G-5 is silent
                }
                return Ok(());
            }
            _ => return one_of(fin, &[ERROR], "PK-1", "the other CIPMUX mode's form"),
        };
        if !fits(k, h) {
            return one_of(fin, &[ERROR], "PK-2", "psk 1-48 bytes, hint 0-48");
        }
        one_of(fin, &[OK], "PK-1", "")?;
        if let Some(keys) = &mut self.psk {
            for i in ids {
                keys[i as usize] = Some((k.clone(), h.clone()));
            }
        }
        Ok(())
    }

    /// PK-3: one line per link with a key (CIPMUX=0: link 0 only).
    fn psk_shown(&mut self, info: &[Vec<u8>]) -> Verdict {
        let (Some(keys), Some(mux)) = (&self.psk, self.mux) else {
            return Ok(());
        };
        let want: Vec<(usize, &(String, String))> = keys
            .iter()
            .enumerate()
            .take(if mux { LINKS as usize } else { 1 })
            .filter_map(|(i, k)| Some((i, k.as_ref()?)))
            .collect();
        let fits = |l: &Vec<u8>, (i, (k, h)): &(usize, &(String, String))| {
            let l = String::from_utf8_lossy(l);
            match (plain(k), plain(h)) {
                (Some(k), Some(h)) => l == format!("+CIPSSLCPSK:{i},\"{k}\",\"{h}\""),
                _ => l.starts_with(&format!("+CIPSSLCPSK:{i},")),
            }
        };
        match info.len() == want.len() && info.iter().zip(&want).all(|(l, w)| fits(l, w)) {
            true => Ok(()),
            false => {
                let ids: Vec<String> = want.iter().map(|(i, _)| i.to_string()).collect();
                Err((
                    "PK-3",
                    format!("a line for link(s) [{}] with their keys", ids.join(",")),
                ))
            }
        }
    }

    /// ST-1: the links in ascending ID, against the slots; settles the
    /// slots the model did not know where the lines leave one reading.
    fn status(&mut self, info: &[Vec<u8>]) -> Verdict {
        let lines: Option<Vec<Status>> = info.iter().map(|l| status_line(l)).collect();
        let Some(lines) = lines else {
            return Err((
                "ST-1",
                "`+BIPSTATUS:<type>,<ip>,<port>,<localport>,<tetype>` lines".into(),
            ));
        };
        let n = self.slots.len();
        let fits = |slot: &Slot, l: &Status| match slot {
            Slot::Open(link) => l.fits(link),
            Slot::Unsure => true,
            Slot::Free | Slot::Closing { .. } => false,
        };
        // Every way to give the lines to slots in ascending order.
        let readings: Vec<Vec<usize>> = (0u32..1 << n)
            .filter(|m| m.count_ones() as usize == lines.len())
            .map(|m| (0..n).filter(|&i| m & 1 << i != 0).collect::<Vec<usize>>())
            .filter(|ids| {
                ids.iter()
                    .zip(&lines)
                    .all(|(&i, l)| fits(&self.slots[i], l))
            })
            .collect();
        let open: Vec<usize> = (0..n)
            .filter(|&i| matches!(self.slots[i], Slot::Open(_)))
            .collect();
        let full: Vec<&Vec<usize>> = readings
            .iter()
            .filter(|r| open.iter().all(|i| r.contains(i)))
            .collect();
        if let [only] = full[..] {
            for i in 0..n {
                match (only.iter().position(|&j| j == i), &self.slots[i]) {
                    (Some(k), Slot::Unsure) => self.slots[i] = Slot::Open(lines[k].link()),
                    (None, Slot::Unsure) => self.slots[i] = Slot::Free,
                    _ => {}
                }
            }
            return Ok(());
        }
        if !full.is_empty() {
            return Ok(()); // the open links are there; the rest stays unsure
        }
        // A link the module dropped a moment ago is left out: its CLOSED
        // must follow (RX-2).
        let best = readings
            .iter()
            .max_by_key(|r| open.iter().filter(|i| r.contains(i)).count());
        let Some(best) = best else {
            let held: Vec<String> = (0..n)
                .filter(|&i| self.slots[i] != Slot::Free)
                .map(|i| format!("{i}:{:?}", self.slots[i]))
                .collect();
            return Err((
                "ST-1/ST-2",
                format!("lines for the links it holds [{}]", held.join(", ")),
            ));
        };
        for i in open.into_iter().filter(|i| !best.contains(i)) {
            self.gone(i as u8, "CIPSTATUS left the link out (ST-1)");
        }
        Ok(())
    }
}

/// A query's value against the model's, or learnt when unknown.
fn learn(v: &mut Option<bool>, shown: bool, clause: &'static str, what: &str) -> Verdict {
    match *v {
        Some(want) if want != shown => Err((clause, format!("`{what}:{}`", u8::from(want)))),
        _ => {
            *v = Some(shown);
            Ok(())
        }
    }
}
