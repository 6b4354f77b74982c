//! What the dialect allows as the answer to each command line, given the
//! model's state, and the state the answer leaves. Link commands live
//! here; queries and their information lines in `query.rs`.

use std::net::Ipv4Addr;

use super::parse::{self, Command, Host, Kind, Parsed, Start};
use super::{Link, Model, Slot};

pub(super) const OK: &[u8] = b"OK";
pub(super) const ERROR: &[u8] = b"ERROR";
pub(super) const CMDRSP: &[u8] = b"CMDRSP:ERROR";
pub(super) const PROMPT: &[u8] = b">";
pub(super) const SEND_OK: &[u8] = b"SEND OK";
pub(super) const BUSY: &[u8] = b"busy p...";

/// A disagreement: the clause, and what the model allowed (and why).
pub(super) type Verdict = Result<(), (&'static str, String)>;

/// `fin` must be one of `allowed`.
pub(super) fn one_of(fin: &[u8], allowed: &[&[u8]], clause: &'static str, why: &str) -> Verdict {
    if allowed.contains(&fin) {
        return Ok(());
    }
    let a: Vec<String> = allowed.iter().map(|a| show(a)).collect();
    Err((clause, format!("{} ({why})", a.join(" or "))))
}

/// A final result with no information line before it.
pub(super) fn bare(info: &[Vec<u8>], clause: &'static str) -> Verdict {
    match info.is_empty() {
        true => Ok(()),
        false => Err((clause, "no information line before the final result".into())),
    }
}

pub(super) fn show(b: &[u8]) -> String {
    format!("`{}`", String::from_utf8_lossy(b).trim_end())
}

impl Model {
    /// The final result `fin` (after the information lines `info`) to the
    /// command `line`: the disagreements, and the state updated by the
    /// answer.
    pub fn judge(&mut self, line: &[u8], fin: &[u8], info: &[Vec<u8>]) -> Vec<String> {
        self.finals += 1;
        let mut found = self.overdue();
        if fin == BUSY {
            if self.quiet {
                found.push(format!(
                    "G-6: {} answered `busy p...` with no command running",
                    show(line)
                ));
            }
            return found;
        }
        let refusal = fin == ERROR || fin == CMDRSP;
        if std::mem::take(&mut self.dirty) && refusal {
            self.quiet = true;
            return found; // the line may have been glued to what came before
        }
        let verdict = match parse::parse(line) {
            Parsed::Unsure => {
                if !refusal {
                    self.lost();
                }
                Ok(())
            }
            Parsed::Refused(clause, why) => {
                let v = one_of(fin, &[ERROR], clause, &why).and_then(|_| bare(info, clause));
                if !refusal {
                    self.lost();
                }
                v
            }
            Parsed::Cmd(c) => {
                let v = self.command(&c, fin, info);
                self.settings.answered(&c, fin == OK);
                v
            }
        };
        self.quiet = true;
        if let Err((clause, allowed)) = verdict {
            let mut got: Vec<String> = info.iter().map(|l| show(l)).collect();
            got.push(show(fin));
            found.push(format!(
                "{clause}: {} answered {}; the model allows {allowed}",
                show(line),
                got.join(", ")
            ));
            // One disagreement at a time: what follows from it would only
            // repeat it.
            self.lost();
        }
        found
    }

    /// The final result after CIPSEND's data (SD-5).
    pub fn data_final(&mut self, fin: &[u8]) -> Vec<String> {
        self.finals += 1;
        let mut found = self.overdue();
        let Some(id) = self.sending.take() else {
            return found;
        };
        if let Err((clause, allowed)) = one_of(fin, &[SEND_OK, CMDRSP], "SD-5", "after the data") {
            found.push(format!(
                "{clause}: CIPSEND on link {id} ended with {}; the model allows {allowed}",
                show(fin)
            ));
            self.lost();
        } else if fin == CMDRSP {
            // The prompt showed the link open: its CLOSED is due (RX-2).
            self.slots[id as usize] = Slot::Closing {
                by: self.finals,
                why: "CIPSEND's data ended in CMDRSP:ERROR (SD-5)".into(),
            };
        }
        found
    }

    /// `busy p...` to a line sent while `running` was executing (G-6).
    pub fn busy_while(&mut self, running: &[u8], sending: bool) -> Vec<String> {
        self.finals += 1;
        let mut found = self.overdue();
        let slow = match parse::parse(running) {
            Parsed::Cmd(c) => matches!(
                c,
                Command::Start(_)
                    | Command::Ping
                    | Command::Domain(_)
                    | Command::Rst
                    | Command::Restore
            ),
            Parsed::Unsure => true,
            Parsed::Refused(..) => false,
        };
        if !(slow || sending || !self.quiet) {
            found.push(format!(
                "G-6: `busy p...` while {} ran, which is no slow command",
                show(running)
            ));
        }
        found
    }

    /// Slots the module said are gone whose `CLOSED` never came (RX-2).
    fn overdue(&mut self) -> Vec<String> {
        let mut found = Vec::new();
        for (i, s) in self.slots.iter_mut().enumerate() {
            if let Slot::Closing { by, why } = s
                && *by < self.finals
            {
                found.push(format!(
                    "RX-2: {why} on link {i}, but no `CLOSED` for it came before the next final result"
                ));
                *s = Slot::Free;
            }
        }
        found
    }

    /// The module answered as if link `id`, open in the model, were gone.
    pub(super) fn gone(&mut self, id: u8, why: &str) {
        let s = &mut self.slots[id as usize];
        *s = match s {
            Slot::Open(_) => Slot::Closing {
                by: self.finals,
                why: why.into(),
            },
            Slot::Unsure | Slot::Free => Slot::Free,
            Slot::Closing { .. } => return,
        };
    }

    fn command(&mut self, c: &Command, fin: &[u8], info: &[Vec<u8>]) -> Verdict {
        let set =
            |fin: &[u8], clause| one_of(fin, &[OK], clause, "").and_then(|_| bare(info, clause));
        match c {
            Command::At => set(fin, "B-1"),
            Command::Echo(on) => {
                set(fin, "B-1")?;
                self.echo = Some(*on);
                Ok(())
            }
            Command::Rst | Command::Restore => {
                set(fin, "B-2")?;
                self.quiet = false;
                Ok(())
            }
            Command::SysStore(_) => set(fin, "B-5"),
            Command::Dns(_) => set(fin, "DN-2"),
            Command::Sntp { .. } => {
                set(fin, "NT-1")?;
                self.sntp_enabled |= matches!(c, Command::Sntp { enable: true, .. });
                Ok(())
            }
            Command::Start(s) => self.start(s, fin, info),
            Command::Send { id, to, .. } => self.send(*id, *to, fin, info),
            Command::Passthrough => self.passthrough(fin, info),
            Command::Close(id) => self.close(*id, fin, info),
            Command::Mux(on) => self.mux(*on, fin, info),
            Command::Mode(on) => self.mode(*on, fin, info),
            Command::Psk(p) => self.psk(p, fin, info),
            _ => self.query(c, fin, info),
        }
    }

    /// SS-2..SS-11.
    fn start(&mut self, s: &Start, fin: &[u8], info: &[Vec<u8>]) -> Verdict {
        bare(info, "SS-1")?;
        let id = s.id as usize;
        let others = (0..self.slots.len()).filter(|&i| i != id);
        let other_open = others
            .clone()
            .any(|i| matches!(self.slots[i], Slot::Open(_)));
        let other_maybe = others.clone().any(|i| self.slots[i] == Slot::Unsure);
        let port_taken = s.server.is_some_and(|(local, _)| {
            others.clone().any(|i| {
                matches!(&self.slots[i], Slot::Open(l)
                    if l.local == Some(local) && l.kind.datagram() == s.kind.datagram())
            })
        });
        // PK-1: with CIPMUX=0 only link 0's key is named.
        let no_key = matches!(s.kind, Kind::Tls | Kind::Dtls)
            && (id == 0 || self.mux == Some(true))
            && self.psk.as_ref().is_some_and(|k| k[id].is_none());
        let (clause, why, must_fail) = match &self.slots[id] {
            Slot::Open(_) => ("SS-9", "the link is open", true),
            _ if self.mux == Some(false) && other_open => {
                ("SS-10", "CIPMUX=0 and a link is open", true)
            }
            _ if s
                .server
                .is_some_and(|(_, ip)| ip != self.own && ip != Ipv4Addr::UNSPECIFIED) =>
            {
                ("SS-8", "the local address is not the module's", true)
            }
            _ if port_taken => ("SS-8", "the local port is in use", true),
            _ if no_key => ("SS-11", "no PSK for the link", true),
            _ => ("SS-6", "", false),
        };
        // SS-7: a UDP client (or a UDP server, SS-8) to an address binds
        // at once; the rest waits on the network.
        let at_once = s.kind == Kind::Udp
            && matches!(s.host, Host::Ip(_))
            && self.slots[id] == Slot::Free
            && self.mux.is_some()
            && !(self.mux == Some(false) && other_maybe);
        let v = match (must_fail, at_once) {
            (true, _) => one_of(fin, &[ERROR], clause, why),
            (false, true) => one_of(fin, &[OK], "SS-7", "a UDP link to an address opens at once"),
            (false, false) => one_of(fin, &[OK, ERROR], clause, "the network decides"),
        };
        v?;
        if fin == OK {
            let tcp_server = s.server.is_some() && !s.kind.datagram();
            let remote = match (&s.host, s.server) {
                (Host::Ip(ip), None) => Some((*ip, s.port)),
                _ => None,
            };
            self.slots[id] = Slot::Open(Link {
                kind: s.kind,
                local: s.server.map(|(l, _)| l),
                remote,
                peer: tcp_server.then_some(false),
            });
        }
        Ok(())
    }

    /// SD-1..SD-4.
    fn send(&mut self, id: u8, to: bool, fin: &[u8], info: &[Vec<u8>]) -> Verdict {
        bare(info, "SD-1")?;
        let slot = self.slots[id as usize].clone();
        let v = match (&slot, self.mode) {
            // The SD clauses are for normal mode; CIPMODE=1 leaves them open.
            (_, Some(true) | None) => Ok(()),
            (Slot::Open(l), _) if to && !l.kind.datagram() => {
                one_of(fin, &[ERROR], "SD-1", "a TCP link given an address")
            }
            (Slot::Free | Slot::Closing { .. }, _) if to => {
                one_of(fin, &[ERROR, CMDRSP], "SD-3", "the link is not open")
            }
            (Slot::Free | Slot::Closing { .. }, _) => {
                one_of(fin, &[CMDRSP], "SD-3", "the link is not open")
            }
            (Slot::Open(l), _) if l.peer == Some(false) => {
                one_of(fin, &[CMDRSP], "SD-3", "a server link with no peer yet")
            }
            (Slot::Open(_), _) => one_of(fin, &[PROMPT, CMDRSP], "SD-4", "the link is open"),
            (Slot::Unsure, _) => Ok(()),
        };
        v?;
        if fin == PROMPT {
            self.sending = Some(id);
        } else if fin == CMDRSP
            && matches!(&slot, Slot::Open(l) if l.peer != Some(false))
            && self.mode == Some(false)
        {
            self.gone(id, "CIPSEND answered CMDRSP:ERROR (SD-3)");
        }
        Ok(())
    }

    /// PT-1.
    fn passthrough(&mut self, fin: &[u8], info: &[Vec<u8>]) -> Verdict {
        bare(info, "PT-1")?;
        let open: Vec<usize> = (0..self.slots.len())
            .filter(|&i| !matches!(self.slots[i], Slot::Free | Slot::Closing { .. }))
            .collect();
        let unsure = open.iter().any(|&i| self.slots[i] == Slot::Unsure);
        // PT-1 names a TCP or TLS client, or a UDP link with its fixed
        // peer: a UDP server's default destination is left open.
        let fits = |l: &Link| match (l.kind.datagram(), l.local) {
            (_, None) => Some(true),
            (true, Some(_)) => None,
            (false, Some(_)) => Some(false),
        };
        let single = match &open[..] {
            [i] => match &self.slots[*i] {
                Slot::Open(l) => fits(l),
                _ => None,
            },
            _ if unsure => None,
            _ => Some(false),
        };
        let can = match (self.mode, self.mux, single) {
            (Some(false), _, _) | (_, Some(true), _) | (_, _, Some(false)) => Some(false),
            (Some(true), Some(false), Some(true)) => Some(true),
            _ => None,
        };
        match can {
            Some(false) => one_of(fin, &[CMDRSP], "PT-1", "passthrough's conditions fail")?,
            Some(true) => one_of(
                fin,
                &[PROMPT, CMDRSP],
                "PT-1",
                "passthrough's conditions hold",
            )?,
            None => {}
        }
        match (fin, &open[..]) {
            (PROMPT, [i]) => self.passthrough = Some(*i as u8),
            (PROMPT, _) => self.lost(),
            (CMDRSP, [i]) if can == Some(true) => {
                self.gone(*i as u8, "AT+CIPSEND answered CMDRSP:ERROR (PT-1)")
            }
            _ => {}
        }
        Ok(())
    }

    /// CL-1, CL-3.
    fn close(&mut self, id: u8, fin: &[u8], info: &[Vec<u8>]) -> Verdict {
        bare(info, "CL-1")?;
        if id == parse::LINKS {
            one_of(fin, &[OK], "CL-1", "5 closes every link")?;
            for s in &mut self.slots {
                if !matches!(s, Slot::Closing { .. }) {
                    *s = Slot::Free;
                }
            }
            return Ok(());
        }
        let i = id as usize;
        match &self.slots[i] {
            Slot::Open(_) => one_of(fin, &[OK, ERROR], "CL-1", "the link is open")?,
            Slot::Free | Slot::Closing { .. } => {
                one_of(fin, &[ERROR], "CL-1", "the link is not open")?
            }
            Slot::Unsure => {}
        }
        match fin {
            OK => self.slots[i] = Slot::Free,
            _ => self.gone(id, "CIPCLOSE answered ERROR (CL-1)"),
        }
        Ok(())
    }

    /// MX-2, MX-3.
    fn mux(&mut self, on: bool, fin: &[u8], info: &[Vec<u8>]) -> Verdict {
        bare(info, "MX-2")?;
        let open = self.slots.iter().any(|s| matches!(s, Slot::Open(_)));
        let maybe = self.slots.contains(&Slot::Unsure);
        let change = self.mux.map(|m| m != on);
        let (clause, why, allowed): (_, _, &[&[u8]]) = match (change, self.mode) {
            (Some(true), Some(true)) if on => ("MX-3", "CIPMODE=1", &[ERROR]),
            (Some(false), _) => ("MX-2", "setting the current value", &[OK]),
            // An open link the module already dropped makes OK right, if
            // its CLOSED follows (see `gone`).
            (Some(true), Some(false)) if open => ("MX-2", "a link is open", &[ERROR, OK]),
            (Some(true), Some(false)) if !maybe => ("MX-2", "no link is open", &[OK]),
            _ => ("MX-2", "the model does not know enough", &[OK, ERROR]),
        };
        one_of(fin, allowed, clause, why)?;
        if fin == OK {
            if change == Some(true) {
                for i in 0..self.slots.len() {
                    self.gone(i as u8, "CIPMUX changed with the link open (MX-2)");
                }
            }
            self.mux = Some(on);
        }
        Ok(())
    }

    /// MD-2.
    fn mode(&mut self, on: bool, fin: &[u8], info: &[Vec<u8>]) -> Verdict {
        bare(info, "MD-2")?;
        match (on, self.mux) {
            (true, Some(true)) => one_of(fin, &[ERROR], "MD-2", "CIPMUX=1")?,
            (true, None) => one_of(fin, &[OK, ERROR], "MD-2", "CIPMUX is not known")?,
            _ => one_of(fin, &[OK], "MD-2", "")?,
        }
        if fin == OK {
            self.mode = Some(on);
        }
        Ok(())
    }
}
