//! The TLS-PSK and DTLS-PSK peers' sessions: OpenSSL's server, an
//! implementation independent of the module's, driven through memory: the
//! bytes from the network go in, what OpenSSL writes comes out as the
//! pieces (TLS) or datagrams (DTLS) to send. The services of `tcp` and
//! `udp` carry them, so the same peers serve the simulator and a lab.
//!
//! Determinism: OpenSSL draws its randoms (server_random, nonces, IVs) from
//! the OS, so the bytes differ from run to run, but their sizes and their
//! order do not, and a transcript records only sizes. Its DTLS timers never
//! run (nothing calls `DTLSv1_handle_timeout`: they read the wall clock).
//! Instead a DTLS server sends its last flight again when the module's
//! flight comes again and OpenSSL has nothing new to say (RFC 6347
//! §4.2.4's other trigger): the module's retransmissions, on simulated
//! time, drive both sides over a lossy link.

use std::collections::VecDeque;
use std::io::{self, Read, Write};

use openssl::error::ErrorStack;
use openssl::ssl::{
    ErrorCode, HandshakeError, MidHandshakeSslStream, Ssl, SslContext, SslMethod, SslOptions,
    SslStream, SslVersion,
};

/// TL-1's suites, by OpenSSL's names, in the module's order.
const SUITES: &str = "PSK-AES128-GCM-SHA256:PSK-AES128-CCM8:PSK-AES128-CBC-SHA256";

/// The DTLS path MTU OpenSSL fragments its flights to.
const MTU: u32 = 1400;

/// A peer's key and the identity it knows it by.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Psk {
    /// The key bytes.
    pub key: Vec<u8>,
    /// The identity the client must present.
    pub identity: Vec<u8>,
}

/// OpenSSL's side of the wire: what the network gave and what OpenSSL
/// wrote. DTLS: one read takes one datagram, one write is one datagram.
#[derive(Debug, Default)]
struct Wire {
    dtls: bool,
    incoming: VecDeque<Vec<u8>>,
    outgoing: Vec<Vec<u8>>,
}

impl Read for Wire {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let Some(front) = self.incoming.front_mut() else {
            return Err(io::ErrorKind::WouldBlock.into());
        };
        let n = front.len().min(buf.len());
        buf[..n].copy_from_slice(&front[..n]);
        if self.dtls || n == front.len() {
            // A datagram is read whole or its rest is lost, as from a socket.
            self.incoming.pop_front();
        } else {
            front.drain(..n);
        }
        Ok(n)
    }
}

impl Write for Wire {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.outgoing.push(buf.to_vec());
        Ok(buf.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

enum Stage {
    Handshaking(MidHandshakeSslStream<Wire>),
    Open(SslStream<Wire>),
    Over,
    /// Only while a call moves the stream between stages.
    Moving,
}

/// One server session.
pub(crate) struct Session {
    stage: Stage,
    dtls: bool,
    /// DTLS: the last flight sent while handshaking, to send again.
    flight: Vec<Vec<u8>>,
    /// What went wrong, once the session is over without a close_notify.
    pub(crate) failure: Option<String>,
}

/// What one input produced.
#[derive(Debug, Default)]
pub(crate) struct Output {
    /// Pieces (TLS) or datagrams (DTLS) for the module, in order.
    pub(crate) send: Vec<Vec<u8>>,
    /// Application data received.
    pub(crate) data: Vec<u8>,
    /// The session is over: the module's close_notify or a failure.
    pub(crate) over: bool,
}

fn context(dtls: bool, psk: &Psk) -> Result<SslContext, ErrorStack> {
    let method = if dtls {
        SslMethod::dtls_server()
    } else {
        SslMethod::tls_server()
    };
    let mut ctx = SslContext::builder(method)?;
    let version = if dtls {
        SslVersion::DTLS1_2
    } else {
        SslVersion::TLS1_2
    };
    ctx.set_min_proto_version(Some(version))?;
    ctx.set_max_proto_version(Some(version))?;
    ctx.set_cipher_list(SUITES)?;
    ctx.set_options(SslOptions::NO_QUERY_MTU | SslOptions::NO_TICKET);
    let Psk { key, identity } = psk.clone();
    ctx.set_psk_server_callback(move |_, offered, out| {
        // Another identity gets no key: OpenSSL answers unknown_psk_identity.
        if offered != Some(&identity[..]) || key.len() > out.len() {
            return Ok(0);
        }
        out[..key.len()].copy_from_slice(&key);
        Ok(key.len())
    });
    Ok(ctx.build())
}

impl Session {
    /// A server session for `psk`, waiting for the ClientHello.
    pub(crate) fn new(dtls: bool, psk: &Psk) -> Session {
        let start = || -> Result<MidHandshakeSslStream<Wire>, String> {
            let ctx = context(dtls, psk).map_err(|e| e.to_string())?;
            let mut ssl = Ssl::new(&ctx).map_err(|e| e.to_string())?;
            if dtls {
                ssl.set_mtu(MTU).map_err(|e| e.to_string())?;
            }
            let wire = Wire {
                dtls,
                ..Wire::default()
            };
            match ssl.accept(wire) {
                Err(HandshakeError::WouldBlock(mid)) => Ok(mid),
                Err(e) => Err(e.to_string()),
                Ok(_) => Err("a handshake done before any byte came".into()),
            }
        };
        match start() {
            Ok(mid) => Session {
                stage: Stage::Handshaking(mid),
                dtls,
                flight: Vec::new(),
                failure: None,
            },
            Err(e) => Session {
                stage: Stage::Over,
                dtls,
                flight: Vec::new(),
                failure: Some(e),
            },
        }
    }

    /// Whether the handshake is done and the session not over.
    pub(crate) fn is_open(&self) -> bool {
        matches!(self.stage, Stage::Open(_))
    }

    /// Bytes from the module: a piece of the stream, or one datagram.
    pub(crate) fn input(&mut self, bytes: &[u8]) -> Output {
        let mut out = Output::default();
        match std::mem::replace(&mut self.stage, Stage::Moving) {
            Stage::Handshaking(mut mid) => {
                mid.get_mut().incoming.push_back(bytes.to_vec());
                match mid.handshake() {
                    Ok(stream) => {
                        self.stage = Stage::Open(stream);
                        self.read(&mut out);
                    }
                    Err(HandshakeError::WouldBlock(mut mid)) => {
                        let sent = std::mem::take(&mut mid.get_mut().outgoing);
                        out.send = match (self.dtls, sent.is_empty()) {
                            // The module's flight again: ours was lost.
                            (true, true) => self.flight.clone(),
                            (true, false) => {
                                self.flight = sent.clone();
                                sent
                            }
                            (false, _) => sent,
                        };
                        self.stage = Stage::Handshaking(mid);
                    }
                    Err(HandshakeError::Failure(mut mid)) => {
                        out.send = std::mem::take(&mut mid.get_mut().outgoing);
                        self.fail(mid.error().to_string(), &mut out);
                        return out;
                    }
                    Err(e) => {
                        self.fail(e.to_string(), &mut out);
                        return out;
                    }
                }
            }
            Stage::Open(mut stream) => {
                stream.get_mut().incoming.push_back(bytes.to_vec());
                self.stage = Stage::Open(stream);
                self.read(&mut out);
            }
            Stage::Over | Stage::Moving => {
                out.over = true;
                return out;
            }
        }
        self.drain(&mut out);
        out
    }

    /// Seals `data` for the module.
    pub(crate) fn send(&mut self, data: &[u8]) -> Output {
        let mut out = Output::default();
        if let Stage::Open(stream) = &mut self.stage {
            // TL-6: records of at most 4096 bytes.
            for piece in data.chunks(4096) {
                if let Err(e) = stream.ssl_write(piece) {
                    self.fail(e.to_string(), &mut out);
                    return out;
                }
            }
        }
        self.drain(&mut out);
        out
    }

    /// close_notify for the module; the session is over.
    pub(crate) fn close(&mut self) -> Output {
        let mut out = Output::default();
        if let Stage::Open(stream) = &mut self.stage {
            let _ = stream.shutdown();
        }
        self.drain(&mut out);
        self.stage = Stage::Over;
        out.over = true;
        out
    }

    fn read(&mut self, out: &mut Output) {
        let Stage::Open(stream) = &mut self.stage else {
            return;
        };
        let mut buf = [0; 16 * 1024];
        loop {
            match stream.ssl_read(&mut buf) {
                Ok(n) => out.data.extend_from_slice(&buf[..n]),
                Err(e) if e.code() == ErrorCode::WANT_READ => return,
                Err(e) if e.code() == ErrorCode::ZERO_RETURN => {
                    // The module's close_notify: ours back, then done.
                    let _ = stream.shutdown();
                    self.drain(out);
                    self.stage = Stage::Over;
                    out.over = true;
                    return;
                }
                Err(e) => return self.fail(e.to_string(), out),
            }
        }
    }

    fn drain(&mut self, out: &mut Output) {
        let wire = match &mut self.stage {
            Stage::Handshaking(mid) => mid.get_mut(),
            Stage::Open(stream) => stream.get_mut(),
            Stage::Over | Stage::Moving => return,
        };
        out.send.append(&mut wire.outgoing);
    }

    fn fail(&mut self, why: String, out: &mut Output) {
        self.drain(out);
        self.stage = Stage::Over;
        self.failure = Some(why);
        out.over = true;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_session_that_gets_garbage_fails_with_an_alert() {
        let psk = Psk {
            key: b"k".to_vec(),
            identity: b"i".to_vec(),
        };
        let mut s = Session::new(false, &psk);
        assert!(!s.is_open());
        let out = s.input(b"\x16\x03\x01\x00\x05hello");
        assert!(out.over, "{:?}", s.failure);
        assert!(s.failure.is_some());
        // A fatal alert record went out.
        assert_eq!(out.send.concat().first(), Some(&21));
    }
}
