//! The client handshake of TLS 1.2 with plain PSK key exchange (RFC 5246
//! §7.3, RFC 4279 §2; contract TL-1..TL-3), as a sans-IO state machine.
//!
//! The module is always the client (CIPSTART). The caller gives the key
//! and identity of `AT+CIPSSLCPSK` (PK-2, TL-2) and a client_random from
//! its seeded RNG, and every input carries the time (`now`); nothing here
//! draws randomness or reads a clock.
//!
//! ```text
//! start(now)       ClientHello                    ->
//!                                                 <-  ServerHello
//!                                                     [ServerKeyExchange]  (a PSK identity hint: ignored)
//!                                                     ServerHelloDone
//!                  ClientKeyExchange (identity)   ->
//!                  ChangeCipherSpec, Finished     ->
//!                                                 <-  ChangeCipherSpec, Finished
//! Progress::Established: into_established() hands out the record layer.
//! ```
//!
//! [`Handshake::handle_records`] takes the bytes of the TCP stream as they
//! come, in pieces of any size: it buffers a partial record, joins handshake
//! messages split across records, and splits records that hold several. A
//! fault the module finds ends the handshake with a fatal alert, written to
//! `out` for the caller to send; a fatal alert or close_notify from the peer
//! ends it too (TL-3). Rejected outright: certificates (Certificate,
//! CertificateRequest: TL-1), HelloRequest (no renegotiation; RFC 5246
//! §7.4.1.1 would let a client ignore one, but a server that sends it
//! during the first handshake is broken), NewSessionTicket (none asked
//! for), and application data before the server's Finished.
//!
//! Bytes that follow the server's Finished (application data the server
//! sent at once, or its close_notify) are kept for the record layer:
//! [`Established::received`].
//!
//! DTLS (RFC 6347 §4.2) is the same exchange over datagrams, with what
//! UDP needs:
//! - the HelloVerifyRequest cookie exchange: the second ClientHello
//!   carries the cookie, and the transcript starts from it (the first
//!   ClientHello and the HelloVerifyRequest are left out, §4.2.1);
//! - handshake message headers with message_seq, fragment_offset and
//!   fragment_length: the module sends each message whole, and joins the
//!   fragments it receives when they come in order (a fragment out of
//!   order, or a message ahead of the next one expected, is dropped: the
//!   server sends its flight again);
//! - epochs: the record layer's, the epoch-0 sealer kept for resending;
//! - retransmission (§4.2.4): the last flight again after
//!   [`Timers::retransmit`], the wait doubling up to
//!   [`Timers::max_retransmit`], and again at once when the server repeats
//!   its last flight (it did not get ours);
//! - records that fail (authentication, replay, another epoch, malformed)
//!   are dropped silently (§4.1.2.7, TL-5), as is application data before
//!   the server's Finished.
//!
//! What each transport needs of its own lives beside this file: `stream`
//! (TLS: records and messages cut anywhere) and `datagram` (DTLS: a
//! datagram's records, fragments joined in order, the flight again).
//!
//! Both transports give up at [`Timers::give_up`] after
//! [`Handshake::start`] (TL-3's 10 s): [`Handshake::poll_timeout`] and
//! [`Handshake::handle_timeout`].

use alloc::vec::Vec;
use core::fmt;
use core::time::Duration;

use ctutils::CtEq;
use sha2::{Digest, Sha256};

use super::alert::{self, Alert, AlertDescription, Origin};
use super::messages::{self, header_len};
use super::prf::{PremasterSecret, RANDOM_LEN, Side, VERIFY_DATA_LEN};
use super::record::{ContentType, Opener, RecordError, Sealer};
use super::{CipherSuite, MAX_FRAGMENT, Transport};
use crate::time::Instant;

/// The longest handshake message accepted. A valid ServerHello with the
/// extensions the module accepts is under 100 bytes; a ServerKeyExchange
/// is a PSK identity hint, which RFC 4279 §5.3 lets reach 2^16 - 1 bytes,
/// but no server has a use for one this long.
const MAX_MESSAGE: usize = MAX_FRAGMENT;

/// The record version of the ClientHello: {3, 1} for TLS (RFC 5246
/// Appendix E.1 lets a client put any {3, x} there; {3, 1} is what OpenSSL,
/// BoringSSL and NSS send, for old servers that refuse a record version
/// above the one they speak), {254, 255} for DTLS (OpenSSL's choice too).
/// The captures carry these; the rest of the records carry the version in
/// use.
const fn client_hello_record_version(transport: Transport) -> [u8; 2] {
    match transport {
        Transport::Tls => [3, 1],
        Transport::Dtls => [254, 255],
    }
}

/// The handshake's times (TL-3 calls them dialect numbers: 10 s, 1 s, 8 s).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Timers {
    /// No completed handshake this long after the start: it fails.
    pub(crate) give_up: Duration,
    /// DTLS: the wait before a flight is sent again the first time.
    pub(crate) retransmit: Duration,
    /// DTLS: the longest wait between two sendings of a flight.
    pub(crate) max_retransmit: Duration,
}

impl Timers {
    /// TL-3's numbers (the module takes them from its dialect).
    #[cfg(any(test, feature = "fuzzing"))]
    pub(crate) const TL3: Timers = Timers {
        give_up: Duration::from_secs(10),
        retransmit: Duration::from_secs(1),
        max_retransmit: Duration::from_secs(8),
    };
}

/// Where the handshake is: which message comes next.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum State {
    /// Before [`Handshake::start`].
    Start,
    /// The ClientHello is out (DTLS: a HelloVerifyRequest may come first).
    ServerHello,
    /// ServerHello in: a ServerKeyExchange (identity hint) or ServerHelloDone.
    KeyExchangeOrDone,
    /// ServerKeyExchange in.
    ServerHelloDone,
    /// The client's second flight is out.
    ChangeCipherSpec,
    /// The server's ChangeCipherSpec in: its Finished, protected.
    Finished,
    /// The server's Finished verified.
    Established,
    /// Ended by this alert.
    Failed(Alert),
}

/// What [`Handshake::handle_records`] achieved.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Progress {
    /// More from the peer is needed.
    Handshaking,
    /// The server's Finished is verified (TL-3: the CIPSTART may say `OK`);
    /// [`Handshake::into_established`] hands out the record layer.
    Established,
}

/// An established session's record layer, for application data (TL-4).
pub(crate) struct Established {
    /// The suite the server chose.
    pub(crate) suite: CipherSuite,
    /// Whether the server agreed to max_fragment_length 4096 (TL-6).
    pub(crate) max_fragment_length: bool,
    /// Seals what the module sends (the client's write keys).
    pub(crate) sealer: Sealer,
    /// Opens what the server sends (the server's write keys).
    pub(crate) opener: Opener,
    /// Bytes received after the server's Finished, not yet opened: TLS, the
    /// start of the application data stream; DTLS, the rest of the
    /// datagram that held the Finished (and of any datagram after it).
    pub(crate) received: Vec<u8>,
}

impl fmt::Debug for Established {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Established")
            .field("suite", &self.suite)
            .field("max_fragment_length", &self.max_fragment_length)
            .field("received", &self.received.len())
            .finish_non_exhaustive()
    }
}

/// One record of the last flight, kept to send it again (DTLS).
struct Sent {
    /// Under the keys of the ChangeCipherSpec before it (epoch 1).
    protected: bool,
    content_type: ContentType,
    fragment: Vec<u8>,
}

/// A TLS or DTLS 1.2-PSK client handshake.
pub(crate) struct Handshake {
    transport: Transport,
    timers: Timers,
    state: State,
    premaster: PremasterSecret,
    identity: Vec<u8>,
    client_random: [u8; RANDOM_LEN],
    server_random: [u8; RANDOM_LEN],
    suite: Option<CipherSuite>,
    max_fragment_length: bool,
    /// SHA-256 over every handshake message so far (RFC 5246 §7.4.9).
    transcript: Sha256,
    sealer: Sealer,
    /// DTLS: the epoch-0 sealer, once the client's ChangeCipherSpec is out.
    old_sealer: Option<Sealer>,
    opener: Opener,
    /// The opener for after the server's ChangeCipherSpec.
    next_opener: Option<Opener>,
    /// The server Finished's expected verify_data.
    server_verify: [u8; VERIFY_DATA_LEN],
    /// TLS: bytes of the stream not yet a whole record. Once established,
    /// both: what came after the Finished.
    received: Vec<u8>,
    /// TLS: handshake bytes not yet a whole message; DTLS: the body so far
    /// of the message being joined.
    messages: Vec<u8>,
    /// DTLS: the type and length of the message being joined.
    joining: Option<(u8, usize)>,
    /// DTLS: the message_seq of the next message sent, and received.
    send_seq: u16,
    receive_seq: u16,
    /// DTLS: whether the cookie exchange happened.
    cookie_sent: bool,
    /// DTLS: the last flight, to send again.
    flight: Vec<Sent>,
    /// When the handshake fails unless established (TL-3).
    deadline: Option<Instant>,
    /// DTLS: when the flight goes again, and the wait after that.
    retransmit_at: Option<Instant>,
    wait: Duration,
}

impl fmt::Debug for Handshake {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // No key, no verify_data (TL-7).
        f.debug_struct("Handshake")
            .field("transport", &self.transport)
            .field("state", &self.state)
            .field("suite", &self.suite)
            .finish_non_exhaustive()
    }
}

impl Handshake {
    /// A handshake with key `psk` (1–48 bytes, PK-2), presenting
    /// `identity` (the `hint` of PK-2), with the caller's `client_random`.
    /// The PSK is kept only as the premaster secret, wiped when dropped.
    ///
    /// # Panics
    /// If `identity` is 2^16 bytes or more.
    pub(crate) fn new(
        transport: Transport,
        psk: &[u8],
        identity: &[u8],
        client_random: [u8; RANDOM_LEN],
        timers: Timers,
    ) -> Self {
        assert!(identity.len() <= usize::from(u16::MAX), "identity too long");
        Handshake {
            transport,
            timers,
            state: State::Start,
            premaster: PremasterSecret::from_psk(psk),
            identity: identity.to_vec(),
            client_random,
            server_random: [0; RANDOM_LEN],
            suite: None,
            max_fragment_length: false,
            transcript: Sha256::new(),
            sealer: Sealer::new(transport, MAX_FRAGMENT),
            old_sealer: None,
            opener: Opener::new(transport, MAX_FRAGMENT),
            next_opener: None,
            server_verify: [0; VERIFY_DATA_LEN],
            received: Vec::new(),
            messages: Vec::new(),
            joining: None,
            send_seq: 0,
            receive_seq: 0,
            cookie_sent: false,
            flight: Vec::new(),
            deadline: None,
            retransmit_at: None,
            wait: timers.retransmit,
        }
    }

    /// Appends the first flight, the ClientHello record, to `out`, and
    /// starts the clock. Once; later calls write nothing.
    pub(crate) fn start(&mut self, now: Instant, out: &mut Vec<u8>) {
        if self.state != State::Start {
            return;
        }
        self.deadline = Some(now + self.timers.give_up);
        self.send_client_hello(&[], now, out);
        self.state = State::ServerHello;
    }

    /// Whether the handshake is over, one way or the other.
    pub(crate) fn is_done(&self) -> bool {
        matches!(self.state, State::Established | State::Failed(_))
    }

    /// When [`handle_timeout`](Self::handle_timeout) should next be called.
    pub(crate) fn poll_timeout(&self) -> Option<Instant> {
        if self.is_done() {
            return None;
        }
        match (self.deadline, self.retransmit_at) {
            (Some(d), Some(r)) => Some(d.min(r)),
            (d, r) => d.or(r),
        }
    }

    /// Gives up once the time is over (TL-3), or (DTLS) sends the last
    /// flight again; an early call does nothing.
    pub(crate) fn handle_timeout(
        &mut self,
        now: Instant,
        out: &mut Vec<u8>,
    ) -> Result<Progress, Alert> {
        match self.state {
            State::Failed(alert) => return Err(alert),
            State::Established => return Ok(Progress::Established),
            _ => {}
        }
        if self.deadline.is_some_and(|d| now >= d) {
            return Err(self.fail(Alert::timeout(), out));
        }
        if self.retransmit_at.is_some_and(|r| now >= r) {
            self.wait = (self.wait * 2).min(self.timers.max_retransmit);
            self.resend(now, out)?;
        }
        Ok(Progress::Handshaking)
    }

    /// Consumes `bytes` from the network (TLS: the next piece of the
    /// stream; DTLS: one datagram) and appends to `out` what must be sent
    /// in answer: the client's next flight, a flight sent again (DTLS), or
    /// a fatal alert. An error ends the handshake (TL-3); every later call
    /// returns it again. Once established, further bytes are kept for
    /// [`Established::received`] (DTLS: appended, so a caller should hand
    /// later datagrams to the record layer instead; they are whole records,
    /// so nothing is lost either way).
    pub(crate) fn handle_records(
        &mut self,
        now: Instant,
        bytes: &[u8],
        out: &mut Vec<u8>,
    ) -> Result<Progress, Alert> {
        match self.state {
            State::Failed(alert) => return Err(alert),
            State::Established => {
                self.received.extend_from_slice(bytes);
                return Ok(Progress::Established);
            }
            State::Start => {
                // Nothing can be expected before the ClientHello.
                return Err(self.fail(Alert::local(AlertDescription::UNEXPECTED_MESSAGE), out));
            }
            _ => {}
        }
        let result = match self.transport {
            Transport::Tls => {
                self.received.extend_from_slice(bytes);
                self.process_stream(now, out)
            }
            Transport::Dtls => self.process_datagram(now, bytes, out),
        };
        result.map_err(|alert| self.fail(alert, out))
    }

    /// The record layer of the session, once [`Progress::Established`].
    pub(crate) fn into_established(self) -> Option<Established> {
        if self.state != State::Established {
            return None;
        }
        Some(Established {
            suite: self.suite?,
            max_fragment_length: self.max_fragment_length,
            sealer: self.sealer,
            opener: self.opener,
            received: self.received,
        })
    }

    fn fail(&mut self, alert: Alert, out: &mut Vec<u8>) -> Alert {
        if alert.origin == Origin::Local {
            alert::send_fatal(&mut self.sealer, alert.description, out);
        }
        self.state = State::Failed(alert);
        self.received = Vec::new();
        self.messages = Vec::new();
        self.flight = Vec::new();
        self.next_opener = None;
        self.old_sealer = None;
        alert
    }

    /// Whether a message of `msg_type` may come now.
    fn expects(&self, msg_type: u8) -> bool {
        match self.state {
            State::ServerHello => {
                msg_type == messages::SERVER_HELLO
                    || (self.transport == Transport::Dtls
                        && !self.cookie_sent
                        && msg_type == messages::HELLO_VERIFY_REQUEST)
            }
            State::KeyExchangeOrDone => {
                msg_type == messages::SERVER_KEY_EXCHANGE || msg_type == messages::SERVER_HELLO_DONE
            }
            State::ServerHelloDone => msg_type == messages::SERVER_HELLO_DONE,
            State::Finished => msg_type == messages::FINISHED,
            _ => false,
        }
    }

    /// Handles one whole message (header included; DTLS: unfragmented),
    /// already known to be expected now.
    fn handle_message(
        &mut self,
        msg_type: u8,
        message: &[u8],
        now: Instant,
        out: &mut Vec<u8>,
    ) -> Result<(), Alert> {
        let body = &message[header_len(self.transport)..];
        match msg_type {
            messages::HELLO_VERIFY_REQUEST => {
                let cookie = messages::parse_hello_verify_request(body).map_err(Alert::local)?;
                // The transcript starts again, from the second ClientHello.
                self.transcript = Sha256::new();
                self.cookie_sent = true;
                let cookie = cookie.to_vec();
                self.send_client_hello(&cookie, now, out);
            }
            messages::SERVER_HELLO => {
                let hello =
                    messages::parse_server_hello(self.transport, body).map_err(Alert::local)?;
                self.transcript.update(message);
                self.suite = Some(hello.suite);
                self.max_fragment_length = hello.max_fragment_length;
                self.server_random = hello.random;
                self.state = State::KeyExchangeOrDone;
            }
            messages::SERVER_KEY_EXCHANGE => {
                messages::parse_server_key_exchange(body).map_err(Alert::local)?;
                self.transcript.update(message);
                self.state = State::ServerHelloDone;
            }
            messages::SERVER_HELLO_DONE => {
                messages::parse_server_hello_done(body).map_err(Alert::local)?;
                self.transcript.update(message);
                self.second_flight(now, out)?;
                self.state = State::ChangeCipherSpec;
            }
            messages::FINISHED => {
                let ok =
                    body.len() == VERIFY_DATA_LEN && body.ct_eq(&self.server_verify[..]).to_bool();
                if !ok {
                    return Err(Alert::local(AlertDescription::DECRYPT_ERROR));
                }
                self.state = State::Established;
                self.flight = Vec::new();
                self.old_sealer = None;
                self.retransmit_at = None;
            }
            _ => unreachable!("`expects` let only these through"),
        }
        Ok(())
    }

    /// A ClientHello (DTLS: with `cookie`) as a flight of its own.
    fn send_client_hello(&mut self, cookie: &[u8], now: Instant, out: &mut Vec<u8>) {
        let body = messages::client_hello(self.transport, &self.client_random, cookie);
        let hello = self.next_message(messages::CLIENT_HELLO, &body);
        self.transcript.update(&hello);
        self.flight.clear();
        self.send(false, ContentType::Handshake, hello, out)
            .expect("a ClientHello fits a record");
        self.arm(now);
    }

    /// ClientKeyExchange, ChangeCipherSpec, Finished; the keys of both
    /// directions; the verify_data the server's Finished must carry.
    fn second_flight(&mut self, now: Instant, out: &mut Vec<u8>) -> Result<(), Alert> {
        let suite = self.suite.expect("a ServerHello came");
        let internal = |_: RecordError| Alert::local(AlertDescription::INTERNAL_ERROR);
        self.flight.clear();

        let body = messages::client_key_exchange(&self.identity);
        let kx = self.next_message(messages::CLIENT_KEY_EXCHANGE, &body);
        self.transcript.update(&kx);
        self.send(false, ContentType::Handshake, kx, out)
            .map_err(internal)?;

        let master = self
            .premaster
            .master_secret(&self.client_random, &self.server_random);
        let keys = master.key_block(suite, &self.client_random, &self.server_random);

        self.send(false, ContentType::ChangeCipherSpec, Vec::from([1]), out)
            .map_err(internal)?;
        let next = self.sealer.next_epoch(&keys.client);
        let old = core::mem::replace(&mut self.sealer, next);
        if self.transport == Transport::Dtls {
            self.old_sealer = Some(old);
        }
        self.next_opener = Some(self.opener.next_epoch(&keys.server));

        let hash: [u8; 32] = self.transcript.clone().finalize().into();
        let verify_data = master.verify_data(Side::Client, &hash);
        let finished = self.next_message(messages::FINISHED, &verify_data);
        self.transcript.update(&finished);
        self.send(true, ContentType::Handshake, finished, out)
            .map_err(internal)?;

        let hash: [u8; 32] = self.transcript.clone().finalize().into();
        self.server_verify = master.verify_data(Side::Server, &hash);
        self.arm(now);
        Ok(())
    }

    /// A whole message with the next message_seq (DTLS).
    fn next_message(&mut self, msg_type: u8, body: &[u8]) -> Vec<u8> {
        let mut message = Vec::with_capacity(header_len(self.transport) + body.len());
        messages::message(self.transport, msg_type, self.send_seq, body, &mut message);
        self.send_seq += 1;
        message
    }

    /// Seals one record of the flight; DTLS keeps it to send again.
    fn send(
        &mut self,
        protected: bool,
        content_type: ContentType,
        fragment: Vec<u8>,
        out: &mut Vec<u8>,
    ) -> Result<(), RecordError> {
        self.seal(protected, content_type, &fragment, out)?;
        if self.transport == Transport::Dtls {
            self.flight.push(Sent {
                protected,
                content_type,
                fragment,
            });
        }
        Ok(())
    }

    fn seal(
        &mut self,
        protected: bool,
        content_type: ContentType,
        fragment: &[u8],
        out: &mut Vec<u8>,
    ) -> Result<(), RecordError> {
        let sealer = match (&mut self.old_sealer, protected) {
            (Some(old), false) => old,
            _ => &mut self.sealer,
        };
        let at = out.len();
        sealer.seal(content_type, fragment, out)?;
        if sealer.epoch() == 0
            && content_type == ContentType::Handshake
            && fragment[0] == messages::CLIENT_HELLO
        {
            // Epoch 0 protects nothing, so the version can be set afterwards.
            out[at + 1..at + 3].copy_from_slice(&client_hello_record_version(self.transport));
        }
        Ok(())
    }

    /// The server's ChangeCipherSpec: its records are protected from here.
    fn change_cipher_spec(&mut self, fragment: &[u8]) -> Result<(), Alert> {
        let joining = !self.messages.is_empty() || self.joining.is_some();
        if self.state != State::ChangeCipherSpec || joining {
            return Err(Alert::local(AlertDescription::UNEXPECTED_MESSAGE));
        }
        if fragment != [1] {
            return Err(Alert::local(AlertDescription::DECODE_ERROR));
        }
        self.opener = self.next_opener.take().expect("keys made with the flight");
        self.state = State::Finished;
        Ok(())
    }
}

fn u24(b: &[u8]) -> usize {
    usize::from(b[0]) << 16 | usize::from(b[1]) << 8 | usize::from(b[2])
}

/// An alert record from the peer during the handshake: a fatal one, or
/// close_notify, ends it; other warnings are ignored.
fn peer_alert(fragment: &[u8]) -> Result<(), Alert> {
    let &[level, description] = fragment else {
        return Err(Alert::local(AlertDescription::DECODE_ERROR));
    };
    if level != alert::WARNING || description == AlertDescription::CLOSE_NOTIFY.0 {
        return Err(Alert::peer(description));
    }
    Ok(())
}

/// The alert for a record the opener refused (TLS: every refusal is fatal).
fn record_alert(e: RecordError) -> Alert {
    Alert::local(
        e.alert()
            .map_or(AlertDescription::INTERNAL_ERROR, AlertDescription),
    )
}

mod datagram;
mod stream;
#[cfg(test)]
pub(crate) mod tests;
