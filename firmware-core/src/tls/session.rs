//! One link's TLS or DTLS session, from the first ClientHello to the
//! close: the [`Handshake`], then application data through the record
//! layer it hands out (TL-3…TL-6). The module keeps one per TLS or DTLS
//! link and carries its records over a plain TCP or UDP socket.
//!
//! Every input appends what must go to the network to `out` (the caller
//! sends it as one piece) and hands each decrypted record's plaintext to a
//! callback (TL-4: one `+IPD` per record). What ends the session is an
//! [`End`]: the caller closes the link.

use alloc::boxed::Box;
use alloc::vec::Vec;
use core::fmt;

use super::alert::{self, Alert, AlertDescription, FATAL};
use super::handshake::{Established, Handshake, Progress, Timers};
use super::prf::RANDOM_LEN;
use super::record::{ContentType, RecordError};
use super::{MAX_FRAGMENT, Transport};
use crate::time::Instant;

/// Why a session is over.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum End {
    /// The handshake failed (TL-3): a fatal alert either way, a bad
    /// Finished, or the deadline.
    Handshake(Alert),
    /// The peer sent close_notify (TL-5).
    PeerClosed,
    /// The peer sent a fatal alert (TL-5).
    PeerAlert(u8),
    /// A TLS record failed, or was over the fragment limit (TL-5, TL-6):
    /// the module sent the matching fatal alert.
    BadRecord(RecordError),
}

enum Stage {
    Handshaking(Box<Handshake>),
    Open(Box<Established>),
    Over(End),
}

/// A client session.
pub(crate) struct Session {
    transport: Transport,
    stage: Stage,
}

impl fmt::Debug for Session {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // No keys (TL-7).
        let stage = match &self.stage {
            Stage::Handshaking(_) => "handshaking",
            Stage::Open(_) => "open",
            Stage::Over(_) => "over",
        };
        f.debug_struct("Session")
            .field("transport", &self.transport)
            .field("stage", &stage)
            .finish()
    }
}

impl Session {
    /// Starts a session with `psk` and `identity` (TL-2): the ClientHello
    /// goes into `out`.
    pub(crate) fn start(
        transport: Transport,
        psk: &[u8],
        identity: &[u8],
        client_random: [u8; RANDOM_LEN],
        timers: Timers,
        now: Instant,
        out: &mut Vec<u8>,
    ) -> Self {
        let mut hs = Handshake::new(transport, psk, identity, client_random, timers);
        hs.start(now, out);
        Session {
            transport,
            stage: Stage::Handshaking(Box::new(hs)),
        }
    }

    /// The handshake is done: the link may carry data (TL-3's `OK`).
    pub(crate) fn is_open(&self) -> bool {
        matches!(self.stage, Stage::Open(_))
    }

    /// Bytes received and kept: a record not yet whole (they become data
    /// when the rest comes).
    pub(crate) fn buffered(&self) -> usize {
        match &self.stage {
            Stage::Open(est) => est.received.len(),
            _ => 0,
        }
    }

    /// When [`handle_timeout`](Self::handle_timeout) is due.
    pub(crate) fn poll_timeout(&self) -> Option<Instant> {
        match &self.stage {
            Stage::Handshaking(hs) => hs.poll_timeout(),
            _ => None,
        }
    }

    /// The handshake's deadline (TL-3) and DTLS retransmission.
    pub(crate) fn handle_timeout(&mut self, now: Instant, out: &mut Vec<u8>) -> Result<(), End> {
        let Stage::Handshaking(hs) = &mut self.stage else {
            return self.result();
        };
        match hs.handle_timeout(now, out) {
            Ok(_) => Ok(()),
            Err(alert) => Err(self.end(End::Handshake(alert))),
        }
    }

    /// Bytes from the network (TLS: the next piece of the stream; DTLS:
    /// one datagram). Answers go into `out`; each record of application
    /// data to `data`.
    pub(crate) fn received(
        &mut self,
        now: Instant,
        bytes: &[u8],
        out: &mut Vec<u8>,
        data: &mut dyn FnMut(&[u8]),
    ) -> Result<(), End> {
        let rest = match &mut self.stage {
            Stage::Over(end) => return Err(*end),
            Stage::Open(est) => {
                est.received.extend_from_slice(bytes);
                None
            }
            Stage::Handshaking(hs) => match hs.handle_records(now, bytes, out) {
                Err(alert) => return Err(self.end(End::Handshake(alert))),
                Ok(Progress::Handshaking) => return Ok(()),
                Ok(Progress::Established) => Some(()),
            },
        };
        if rest.is_some() {
            let Stage::Handshaking(hs) =
                core::mem::replace(&mut self.stage, Stage::Over(End::PeerClosed))
            else {
                unreachable!("matched above");
            };
            let est = hs.into_established().expect("established");
            self.stage = Stage::Open(Box::new(est));
        }
        self.open_records(out, data)
    }

    /// `plaintext` as records into `out` (TL-4: TLS splits at the fragment
    /// limit; DTLS sends one record, so a CIPSEND must fit one).
    pub(crate) fn seal(&mut self, plaintext: &[u8], out: &mut Vec<u8>) -> Result<(), End> {
        let Stage::Open(est) = &mut self.stage else {
            return self.result();
        };
        for piece in plaintext.chunks(MAX_FRAGMENT) {
            if let Err(e) = est.sealer.seal(ContentType::ApplicationData, piece, out) {
                return Err(self.end(End::BadRecord(e)));
            }
        }
        Ok(())
    }

    /// The close_notify alert into `out` (TL-4's CIPCLOSE); the session is
    /// over.
    pub(crate) fn close(&mut self, out: &mut Vec<u8>) {
        if let Stage::Open(est) = &mut self.stage {
            // A sealer out of sequence numbers cannot say goodbye; the
            // close follows anyway.
            let _ = est.sealer.seal(
                ContentType::Alert,
                &[alert::WARNING, AlertDescription::CLOSE_NOTIFY.0],
                out,
            );
        }
        self.stage = Stage::Over(End::PeerClosed);
    }

    fn end(&mut self, end: End) -> End {
        self.stage = Stage::Over(end);
        end
    }

    fn result(&self) -> Result<(), End> {
        match self.stage {
            Stage::Over(end) => Err(end),
            _ => Ok(()),
        }
    }

    /// Opens every whole record received: TLS, from the stream's buffer
    /// (a partial record waits); DTLS, the datagram's records, dropping
    /// any that fail (TL-5).
    fn open_records(&mut self, out: &mut Vec<u8>, data: &mut dyn FnMut(&[u8])) -> Result<(), End> {
        let Stage::Open(est) = &mut self.stage else {
            return self.result();
        };
        let mut buf = core::mem::take(&mut est.received);
        let mut at = 0;
        let result = loop {
            let len = match est.opener.record_len(&buf[at..]) {
                Ok(Some(len)) if at + len <= buf.len() => len,
                // DTLS: a truncated record ends the datagram.
                Ok(_) if self.transport == Transport::Dtls => {
                    at = buf.len();
                    break Ok(());
                }
                Ok(_) => break Ok(()),
                Err(_) if self.transport == Transport::Dtls => {
                    at = buf.len();
                    break Ok(());
                }
                Err(e) => break Err(e),
            };
            let record = &mut buf[at..at + len];
            at += len;
            let opened = match est.opener.open(record) {
                Ok(o) => o,
                Err(_) if self.transport == Transport::Dtls => continue,
                Err(e) => break Err(e),
            };
            let fragment = &record[opened.fragment];
            match opened.content_type {
                ContentType::ApplicationData => {
                    if !fragment.is_empty() {
                        data(fragment);
                    }
                }
                ContentType::Alert if fragment.len() == 2 => {
                    let end = match (fragment[0], AlertDescription(fragment[1])) {
                        (_, AlertDescription::CLOSE_NOTIFY) => End::PeerClosed,
                        (FATAL, d) => End::PeerAlert(d.0),
                        // A warning alert other than close_notify changes
                        // nothing (RFC 5246 §7.2).
                        _ => continue,
                    };
                    est.received = Vec::new();
                    return Err(self.end(end));
                }
                // A renegotiation, a stray ChangeCipherSpec, a bad alert.
                _ => break Err(RecordError::UnexpectedType),
            }
        };
        match result {
            Ok(()) => {
                buf.drain(..at);
                est.received = buf;
                Ok(())
            }
            Err(e) => {
                if let Some(code) = e.alert() {
                    alert::send_fatal(&mut est.sealer, AlertDescription(code), out);
                }
                Err(self.end(End::BadRecord(e)))
            }
        }
    }
}

#[cfg(test)]
mod tests;
