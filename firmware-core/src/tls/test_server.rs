//! A TLS 1.2-PSK and DTLS 1.2-PSK server for the module's own tests:
//! enough of RFC 5246, 6347 and 4279 to complete the module's handshake
//! with a random of the module's choosing (DTLS without the optional
//! cookie exchange), then echo or keep what it is sent. The interop that matters
//! is with OpenSSL (the captures of `vectors`, and `openssl s_server` in
//! the workspace's tests); this one only lets the module's tests run whole
//! TLS links without a network.

use alloc::vec::Vec;

use sha2::{Digest, Sha256};

use super::prf::{MasterSecret, PremasterSecret, RANDOM_LEN, Side};
use super::record::{ContentType, Opener, Sealer};
use super::{CipherSuite, MAX_FRAGMENT, Transport};

/// What the server does with application data.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Mode {
    /// Sends every record's plaintext back.
    Echo,
    /// Keeps it.
    Sink,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum State {
    ClientHello,
    KeyExchange,
    ChangeCipherSpec,
    Finished,
    Open,
    Closed,
}

/// The server.
pub(crate) struct TestServer {
    transport: Transport,
    psk: Vec<u8>,
    /// The identity the server knows the key by; another gets an alert.
    identity: Vec<u8>,
    /// The suite it insists on, or the module's first.
    suite_wanted: Option<CipherSuite>,
    mode: Mode,
    state: State,
    suite: CipherSuite,
    client_random: [u8; RANDOM_LEN],
    transcript: Sha256,
    master: Option<MasterSecret>,
    sealer: Sealer,
    /// The epoch-0 sealer, for the ChangeCipherSpec after the keys changed.
    old_sealer: Option<Sealer>,
    opener: Opener,
    next_opener: Option<Opener>,
    /// DTLS: the next message_seq the server sends.
    send_seq: u16,
    buf: Vec<u8>,
    /// Application data received.
    pub(crate) received: Vec<u8>,
    /// The module's alerts, (level, description).
    pub(crate) alerts: Vec<(u8, u8)>,
}

const SERVER_RANDOM: [u8; RANDOM_LEN] = [0x55; RANDOM_LEN];

impl TestServer {
    /// A TLS server with key `psk` for `identity`.
    pub(crate) fn new(psk: &[u8], identity: &[u8], mode: Mode) -> Self {
        Self::on(Transport::Tls, psk, identity, mode)
    }

    /// A DTLS one.
    pub(crate) fn dtls(psk: &[u8], identity: &[u8], mode: Mode) -> Self {
        Self::on(Transport::Dtls, psk, identity, mode)
    }

    fn on(transport: Transport, psk: &[u8], identity: &[u8], mode: Mode) -> Self {
        TestServer {
            transport,
            psk: psk.to_vec(),
            identity: identity.to_vec(),
            suite_wanted: None,
            mode,
            state: State::ClientHello,
            suite: CipherSuite::Aes128GcmSha256,
            client_random: [0; RANDOM_LEN],
            transcript: Sha256::new(),
            master: None,
            sealer: Sealer::new(transport, MAX_FRAGMENT),
            old_sealer: None,
            opener: Opener::new(transport, MAX_FRAGMENT),
            next_opener: None,
            send_seq: 0,
            buf: Vec::new(),
            received: Vec::new(),
            alerts: Vec::new(),
        }
    }

    /// Chooses `suite` whatever the module's order.
    pub(crate) fn with_suite(mut self, suite: CipherSuite) -> Self {
        self.suite_wanted = Some(suite);
        self
    }

    /// Whether the handshake completed.
    pub(crate) fn is_open(&self) -> bool {
        self.state == State::Open
    }

    /// Seals application data for the module.
    pub(crate) fn send(&mut self, data: &[u8]) -> Vec<u8> {
        let mut out = Vec::new();
        for piece in data.chunks(MAX_FRAGMENT) {
            self.sealer
                .seal(ContentType::ApplicationData, piece, &mut out)
                .unwrap();
        }
        out
    }

    /// A record of `content_type` for the module, sealed as the session
    /// stands.
    pub(crate) fn record(&mut self, content_type: ContentType, fragment: &[u8]) -> Vec<u8> {
        let mut out = Vec::new();
        self.sealer.seal(content_type, fragment, &mut out).unwrap();
        out
    }

    /// The module's bytes in; the server's answer out.
    pub(crate) fn handle(&mut self, bytes: &[u8]) -> Vec<u8> {
        self.buf.extend_from_slice(bytes);
        let mut out = Vec::new();
        while let Ok(Some(len)) = self.opener.record_len(&self.buf) {
            if self.buf.len() < len {
                break;
            }
            let mut record: Vec<u8> = self.buf.drain(..len).collect();
            if self.state == State::Closed {
                continue;
            }
            let Ok(opened) = self.opener.open(&mut record) else {
                // A record under another key: bad_record_mac, and done.
                self.sealer
                    .seal(ContentType::Alert, &[2, 20], &mut out)
                    .unwrap();
                self.state = State::Closed;
                continue;
            };
            let fragment = record[opened.fragment].to_vec();
            self.record_in(opened.content_type, &fragment, &mut out);
        }
        if self.transport == Transport::Dtls {
            // A datagram's records are whole, or it is garbage.
            self.buf.clear();
        }
        out
    }

    /// The handshake header's length.
    fn h(&self) -> usize {
        super::messages::header_len(self.transport)
    }

    /// A whole handshake message of `msg_type` around `body`.
    fn message(&mut self, msg_type: u8, body: &[u8]) -> Vec<u8> {
        let len = (body.len() as u32).to_be_bytes();
        let mut m = alloc::vec![msg_type, len[1], len[2], len[3]];
        if self.transport == Transport::Dtls {
            m.extend_from_slice(&self.send_seq.to_be_bytes());
            m.extend_from_slice(&[0, 0, 0, len[1], len[2], len[3]]);
            self.send_seq += 1;
        }
        m.extend_from_slice(body);
        m
    }

    fn record_in(&mut self, content_type: ContentType, fragment: &[u8], out: &mut Vec<u8>) {
        match (content_type, self.state) {
            (ContentType::Handshake, State::ClientHello) => {
                self.client_hello(fragment, out);
            }
            (ContentType::Handshake, State::KeyExchange) => {
                // ClientKeyExchange: a uint16-prefixed identity.
                assert_eq!(fragment[0], 16, "ClientKeyExchange");
                self.transcript.update(fragment);
                let h = self.h();
                let n = usize::from(u16::from_be_bytes([fragment[h], fragment[h + 1]]));
                if fragment[h + 2..h + 2 + n] != self.identity[..] {
                    // unknown_psk_identity (RFC 4279 §2).
                    self.sealer
                        .seal(ContentType::Alert, &[2, 115], out)
                        .unwrap();
                    self.state = State::Closed;
                    return;
                }
                let pre = PremasterSecret::from_psk(&self.psk);
                self.master = Some(pre.master_secret(&self.client_random, &SERVER_RANDOM));
                self.state = State::ChangeCipherSpec;
            }
            (ContentType::ChangeCipherSpec, State::ChangeCipherSpec) => {
                let keys = self.master.as_ref().unwrap().key_block(
                    self.suite,
                    &self.client_random,
                    &SERVER_RANDOM,
                );
                self.next_opener = Some(self.opener.next_epoch(&keys.client));
                let next = self.sealer.next_epoch(&keys.server);
                self.old_sealer = Some(core::mem::replace(&mut self.sealer, next));
                self.state = State::Finished;
            }
            (ContentType::Handshake, State::Finished) => {
                let hash: [u8; 32] = self.transcript.clone().finalize().into();
                let master = self.master.as_ref().unwrap();
                let expected = master.verify_data(Side::Client, &hash);
                if fragment[self.h()..] != expected[..] {
                    // decrypt_error: a wrong key.
                    self.sealer.seal(ContentType::Alert, &[2, 51], out).unwrap();
                    self.state = State::Closed;
                    return;
                }
                self.transcript.update(fragment);
                let hash: [u8; 32] = self.transcript.clone().finalize().into();
                let verify = master.verify_data(Side::Server, &hash);
                let mut old = self.old_sealer.take().expect("the keys changed");
                old.seal(ContentType::ChangeCipherSpec, &[1], out).unwrap();
                let finished = self.message(20, &verify);
                self.sealer
                    .seal(ContentType::Handshake, &finished, out)
                    .unwrap();
                self.state = State::Open;
            }
            (ContentType::ApplicationData, State::Open) => {
                self.received.extend_from_slice(fragment);
                if self.mode == Mode::Echo {
                    self.sealer
                        .seal(ContentType::ApplicationData, fragment, out)
                        .unwrap();
                }
            }
            (ContentType::Alert, _) if fragment.len() == 2 => {
                self.alerts.push((fragment[0], fragment[1]));
                if fragment[1] == 0 && self.state == State::Open {
                    self.sealer.seal(ContentType::Alert, &[1, 0], out).unwrap();
                }
                self.state = State::Closed;
            }
            // Anything else after the end, or out of turn: done.
            _ => self.state = State::Closed,
        }
        if let Some(next) = self.next_opener.take() {
            self.opener = next;
        }
    }

    fn client_hello(&mut self, msg: &[u8], out: &mut Vec<u8>) {
        assert_eq!(msg[0], 1, "ClientHello");
        self.transcript.update(msg);
        let h = self.h();
        self.client_random
            .copy_from_slice(&msg[h + 2..h + 2 + RANDOM_LEN]);
        let mut at = h + 2 + RANDOM_LEN;
        at += 1 + usize::from(msg[at]); // session id
        if self.transport == Transport::Dtls {
            at += 1 + usize::from(msg[at]); // cookie
        }
        let n = usize::from(u16::from_be_bytes([msg[at], msg[at + 1]]));
        let offered: Vec<u16> = msg[at + 2..at + 2 + n]
            .chunks(2)
            .map(|c| u16::from_be_bytes([c[0], c[1]]))
            .collect();
        self.suite = match self.suite_wanted {
            Some(s) => s,
            None => offered
                .iter()
                .find_map(|&id| CipherSuite::from_id(id))
                .expect("a suite the server knows"),
        };
        let id = self.suite.id().to_be_bytes();
        let mut body = self.transport.version().to_vec();
        body.extend_from_slice(&SERVER_RANDOM);
        body.extend_from_slice(&[0, id[0], id[1], 0]);
        let hello = self.message(2, &body);
        let done = self.message(14, &[]);
        self.transcript.update(&hello);
        self.transcript.update(&done);
        self.sealer
            .seal(
                ContentType::Handshake,
                &[&hello[..], &done[..]].concat(),
                out,
            )
            .unwrap();
        self.state = State::KeyExchange;
    }
}
