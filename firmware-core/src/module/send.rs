//! Sending: AT+CIPSEND's prompt and the data it collects (SD-1…SD-6,
//! G-8), and entering passthrough (PT-1).

use core::net::SocketAddrV4;

use super::{Job, Mode, Module};
use crate::command::{Host, Kind, LinkId};
use crate::time::Instant;

impl Module {
    /// SD-1…SD-4.
    pub(super) fn send(
        &mut self,
        now: Instant,
        id: LinkId,
        len: usize,
        to: Option<(Host<'_>, u16)>,
        escapes: bool,
    ) {
        let Some(link) = self.link(id) else {
            return self.final_result(self.d.cmdrsp_error);
        };
        if !link.may_send() {
            return self.final_result(self.d.cmdrsp_error);
        }
        // SD-1: only plain UDP may address a datagram elsewhere; a DTLS
        // session, like a stream, has exactly one peer.
        if to.is_some() && link.kind != Kind::Udp {
            return self.error();
        }
        match to {
            None => self.prompt(id, len, None, escapes),
            Some((Host::Ip(ip), port)) => {
                self.prompt(id, len, Some(SocketAddrV4::new(ip, port)), escapes)
            }
            Some((Host::Name(name), port)) => {
                if self.resolve(now, name) {
                    self.mode = Mode::Busy(Job::SendResolving {
                        link: id,
                        len,
                        port,
                        escapes,
                    });
                } else {
                    self.error();
                }
            }
        }
    }

    /// G-8, SD-4: `>` and collect exactly `len` bytes.
    pub(super) fn prompt(
        &mut self,
        id: LinkId,
        len: usize,
        to: Option<SocketAddrV4>,
        escapes: bool,
    ) {
        let Some(socket) = self.link(id).map(|l| l.socket) else {
            return self.final_result(self.d.cmdrsp_error);
        };
        self.prompt_bytes();
        self.send_buf.clear();
        self.send_buf.reserve(len);
        self.mode = Mode::Collecting {
            link: id,
            socket,
            len,
            to,
            escapes: escapes.then_some(super::Escapes::default()),
        };
    }

    /// G-8, ES-4: the prompt, after an `OK` where the dialect says so.
    pub(super) fn prompt_bytes(&mut self) {
        if self.d.style.ok_before_prompt {
            self.tx.push_all(&[b"\r\n", self.d.ok.as_bytes(), b"\r\n"]);
        }
        self.tx.push_all(&[b"\r\n", self.d.prompt.as_bytes()]);
    }

    /// SD-5, SD-6: the data is complete; hand it to the network.
    pub(super) fn finish_collecting(&mut self, now: Instant) {
        let Mode::Collecting {
            link: id,
            socket,
            to,
            ..
        } = core::mem::replace(&mut self.mode, Mode::Command)
        else {
            return;
        };
        let data = self.send_buf.split().freeze();
        if let Some((before, after)) = self.d.style.recv_report {
            // ES-5.
            self.tx.push_all(&[b"\r\n"]);
            self.info_fmt(format_args!("{before}{}{after}", data.len()));
        }
        if self.link(id).is_none_or(|l| l.socket != socket) {
            // The link went down while the host typed.
            return self.final_result(self.d.send_fail);
        }
        let Some(data) = self.seal(id, data) else {
            // A session that can seal no more: the link is given up.
            self.drop_link(id);
            self.final_result(self.d.send_fail);
            return self.link_urc(id, self.d.closed);
        };
        let Some(seq) = self.send_on(id, data, to) else {
            unreachable!("checked above");
        };
        self.mode = Mode::Busy(Job::Sending {
            link: id,
            socket,
            seq,
            deadline: now + self.d.send_timeout,
        });
    }

    /// PT-1.
    pub(super) fn enter_passthrough(&mut self, now: Instant) {
        let mut open = self
            .links
            .iter()
            .enumerate()
            .filter_map(|(i, l)| l.as_ref().map(|l| (i, l)));
        let only = match (open.next(), open.next()) {
            (Some(one), None) => Some(one),
            _ => None,
        };
        let eligible = only.filter(|(_, l)| {
            l.may_send()
                && match l.kind {
                    Kind::Tcp | Kind::Tls => !l.server,
                    // EP-2: only a UDP link whose remote stays.
                    Kind::Udp => l.udp_mode == crate::command::UdpMode::Fixed,
                    Kind::Dtls => false,
                }
        });
        let Some((i, _)) = eligible.filter(|_| self.cfg.passthrough && !self.cfg.mux) else {
            return self.final_result(self.d.cmdrsp_error);
        };
        let id = LinkId(i as u8);
        if self.pt_link != Some(id) {
            self.pt.discard();
            self.pt_link = Some(id);
        }
        self.pt.enter(now);
        self.prompt_bytes();
        self.mode = Mode::Passthrough;
    }
}
