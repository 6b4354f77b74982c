//! Interop vectors: TLS 1.2-PSK and DTLS 1.2-PSK sessions between OpenSSL's
//! `s_client` and `s_server` (3.0.19), one per suite and transport,
//! captured on 127.0.0.1 by `vectors/capture.py` (its docstring says how)
//! into `vectors/captures.rs`. The client offers the module's suites in
//! TL-1's order and max_fragment_length 4096, with extended master secret,
//! encrypt-then-MAC and tickets off; the server is held to one suite; the
//! client sends "ping\n", the server answers "pong\n", and both send
//! close_notify.
//!
//! From the PSK and the captured bytes alone, each test checks:
//! - the master secret equals OpenSSL's keylog line (premaster, PRF);
//! - both Finished messages carry the `verify_data` our PRF computes over
//!   the transcript (key schedule, handshake hash, DTLS's transcript rule);
//! - the key block opens every protected record, both ways (record layer);
//! - sealing each plaintext again gives OpenSSL's record byte for byte. With
//!   CCM_8, OpenSSL's explicit nonce is the sequence number, as ours is, so
//!   those records are sealed exactly as the module would seal them; with
//!   GCM OpenSSL counts nonces from a random start and with CBC it draws the
//!   IVs, so there the nonce or IV is taken from the record.

use alloc::vec::Vec;
use sha2::{Digest, Sha256};

use super::prf::{MasterSecret, PremasterSecret, RANDOM_LEN, Side};
use super::record::{ContentType, Header, Opener, Sealer};
use super::{CipherSuite, KeyBlock, MAX_FRAGMENT, TrafficKeys, Transport, unhex};

pub(crate) mod captures;
use captures::*;

/// `-psk` on both sides; the identity is "module".
const PSK: &str = "0102030405060708090a0b0c0d0e0f10";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Dir {
    /// Client to server: the module's direction.
    ClientToServer,
    ServerToClient,
}

pub(crate) const C2S: Dir = Dir::ClientToServer;
pub(crate) const S2C: Dir = Dir::ServerToClient;

/// One captured OpenSSL session (`capture.py`).
pub(crate) struct Capture {
    pub(crate) transport: Transport,
    pub(crate) suite: CipherSuite,
    /// OpenSSL's `-keylogfile` line: `CLIENT_RANDOM <client random> <master>`.
    pub(crate) keylog: &'static str,
    /// What the relay read, in order: TLS stream chunks or DTLS datagrams.
    pub(crate) traffic: &'static [(Dir, &'static str)],
}

/// A record as it came and what opening it gave.
struct Record {
    content_type: ContentType,
    protected: bool,
    wire: Vec<u8>,
    plaintext: Vec<u8>,
}

/// One direction's bytes, cut into records.
fn records(capture: &Capture, dir: Dir) -> Vec<Vec<u8>> {
    let mut bytes = Vec::new();
    for (d, hex) in capture.traffic {
        if *d == dir {
            bytes.extend(unhex(hex));
        }
    }
    let mut out = Vec::new();
    let mut rest = &bytes[..];
    while !rest.is_empty() {
        let header = Header::parse(capture.transport, rest).expect("a whole header");
        let (record, tail) = rest.split_at(capture.transport.header_len() + header.length);
        out.push(record.to_vec());
        rest = tail;
    }
    out
}

/// Opens one direction's records, switching to `keys` at ChangeCipherSpec.
fn open_all(capture: &Capture, dir: Dir, keys: Option<&TrafficKeys>) -> Vec<Record> {
    let mut opener = Opener::new(capture.transport, MAX_FRAGMENT);
    let mut out = Vec::new();
    for wire in records(capture, dir) {
        let protected = opener.epoch() > 0;
        let mut buf = wire.clone();
        let opened = opener.open(&mut buf).expect("OpenSSL's record opens");
        out.push(Record {
            content_type: opened.content_type,
            protected,
            plaintext: buf[opened.fragment].to_vec(),
            wire,
        });
        if opened.content_type == ContentType::ChangeCipherSpec {
            let Some(keys) = keys else { break };
            opener = opener.next_epoch(keys);
        }
    }
    out
}

/// The handshake messages of unprotected records, whole (header included).
fn handshake_messages(transport: Transport, records: &[Record]) -> Vec<Vec<u8>> {
    let header_len = match transport {
        Transport::Tls => 4,
        Transport::Dtls => 12,
    };
    let mut stream = Vec::new();
    for r in records.iter().filter(|r| !r.protected) {
        if r.content_type == ContentType::Handshake {
            stream.extend_from_slice(&r.plaintext);
        }
    }
    let mut out = Vec::new();
    let mut rest = &stream[..];
    while !rest.is_empty() {
        let len = usize::from(rest[1]) << 16 | usize::from(rest[2]) << 8 | usize::from(rest[3]);
        if transport == Transport::Dtls {
            // Unfragmented: fragment_offset 0, fragment_length = length.
            assert_eq!(rest[6..9], [0, 0, 0]);
            assert_eq!(rest[9..12], rest[1..4]);
        }
        let (message, tail) = rest.split_at(header_len + len);
        out.push(message.to_vec());
        rest = tail;
    }
    out
}

/// The handshake message header: type and length; DTLS adds message_seq,
/// fragment_offset and fragment_length (RFC 6347 §4.2.2).
fn message_header_len(transport: Transport) -> usize {
    match transport {
        Transport::Tls => 4,
        Transport::Dtls => 12,
    }
}

/// The random of a ClientHello or ServerHello, after the version.
fn hello_random(transport: Transport, message: &[u8]) -> [u8; RANDOM_LEN] {
    let at = message_header_len(transport) + 2;
    message[at..at + RANDOM_LEN].try_into().unwrap()
}

/// The suite a ServerHello chose: after the random and the session ID.
fn chosen_suite(transport: Transport, message: &[u8]) -> Option<CipherSuite> {
    let at = message_header_len(transport) + 2 + RANDOM_LEN;
    let at = at + 1 + usize::from(message[at]);
    CipherSuite::from_id(u16::from_be_bytes([message[at], message[at + 1]]))
}

/// Checks a capture; returns how many records OpenSSL sealed with the
/// nonce we derive.
fn check(capture: &Capture) -> usize {
    let t = capture.transport;
    let is = |m: &Vec<u8>, kind: u8| m[0] == kind;

    // The hellos, from the unprotected records.
    let client_msgs = handshake_messages(t, &open_all(capture, C2S, None));
    let server_msgs = handshake_messages(t, &open_all(capture, S2C, None));
    // DTLS: the ClientHello that counts is the one with the cookie.
    let hello_at = client_msgs.iter().rposition(|m| is(m, 1)).unwrap();
    let client_hello = &client_msgs[hello_at];
    let server_hello = server_msgs.iter().find(|m| is(m, 2)).unwrap();
    let client_random = hello_random(t, client_hello);
    let server_random = hello_random(t, server_hello);
    assert_eq!(chosen_suite(t, server_hello), Some(capture.suite));

    // The master secret, against OpenSSL's keylog.
    let keylog: Vec<&str> = capture.keylog.split(' ').collect();
    assert_eq!(keylog[..2], ["CLIENT_RANDOM", &*hex(&client_random)]);
    let premaster = PremasterSecret::from_psk(&unhex(PSK));
    let master = premaster.master_secret(&client_random, &server_random);
    assert_eq!(master.bytes()[..], unhex(keylog[2])[..], "master secret");
    let KeyBlock { client, server } =
        master.key_block(capture.suite, &client_random, &server_random);

    // Every record opens; the protected ones are Finished, the data and
    // close_notify.
    let from_client = open_all(capture, C2S, Some(&client));
    let from_server = open_all(capture, S2C, Some(&server));
    let protected = |records: &[Record]| -> Vec<(ContentType, Vec<u8>)> {
        records
            .iter()
            .filter(|r| r.protected)
            .map(|r| (r.content_type, r.plaintext.clone()))
            .collect()
    };
    let (client_sent, server_sent) = (protected(&from_client), protected(&from_server));
    assert_eq!(client_sent.len(), 3);
    assert_eq!(server_sent.len(), 3);
    for (sent, data) in [(&client_sent, b"ping\n"), (&server_sent, b"pong\n")] {
        assert_eq!(sent[0].0, ContentType::Handshake);
        assert_eq!(sent[1], (ContentType::ApplicationData, data.to_vec()));
        assert_eq!(
            sent[2],
            (ContentType::Alert, [1, 0].to_vec()),
            "close_notify"
        );
    }

    // Finished: the transcript is every handshake message from the
    // ClientHello that counts (RFC 6347 §4.2.1 leaves out the first one and
    // the HelloVerifyRequest), in the order they were sent.
    let mut transcript = Sha256::new();
    transcript.update(client_hello);
    for m in server_msgs.iter().filter(|m| !is(m, 3)) {
        transcript.update(m);
    }
    for m in &client_msgs[hello_at + 1..] {
        transcript.update(m);
    }
    let client_finished = &client_sent[0].1;
    let hash = transcript.clone().finalize().into();
    assert_finished(t, client_finished, &master.verify_data(Side::Client, &hash));
    transcript.update(client_finished);
    let hash = transcript.finalize().into();
    assert_finished(
        t,
        &server_sent[0].1,
        &master.verify_data(Side::Server, &hash),
    );

    // Sealing the plaintexts again gives OpenSSL's records. Where OpenSSL's
    // explicit nonce is the sequence number, ours derives the same one.
    let mut derived = 0;
    for (records, keys) in [(&from_client, &client), (&from_server, &server)] {
        let mut sealer = Sealer::new(t, MAX_FRAGMENT).next_epoch(keys);
        for (seq, r) in records.iter().filter(|r| r.protected).enumerate() {
            let mut out = Vec::new();
            let body = &r.wire[t.header_len()..];
            let seq_num = match t {
                Transport::Tls => seq as u64,
                Transport::Dtls => 1 << 48 | seq as u64,
            };
            if capture.suite != CipherSuite::Aes128CbcSha256 && body[..8] == seq_num.to_be_bytes() {
                sealer.seal(r.content_type, &r.plaintext, &mut out).unwrap();
                derived += 1;
            } else {
                let explicit_len = match capture.suite {
                    CipherSuite::Aes128CbcSha256 => 16,
                    _ => 8,
                };
                let explicit = &body[..explicit_len];
                sealer
                    .seal_as(r.content_type, &r.plaintext, explicit, &mut out)
                    .unwrap();
            }
            assert_eq!(hex(&out), hex(&r.wire), "{:?} resealed", r.content_type);
        }
    }
    derived
}

fn assert_finished(transport: Transport, message: &[u8], verify_data: &[u8; 12]) {
    let header_len = message_header_len(transport);
    assert_eq!(message[..4], [20, 0, 0, 12], "a Finished of 12 bytes");
    assert_eq!(message.len(), header_len + 12);
    assert_eq!(message[header_len..], verify_data[..], "verify_data");
}

fn hex(bytes: &[u8]) -> alloc::string::String {
    bytes.iter().map(|b| alloc::format!("{b:02x}")).collect()
}

#[test]
fn tls_gcm_interoperates_with_openssl() {
    assert_eq!(check(&TLS_GCM), 0);
}

#[test]
fn tls_ccm8_interoperates_with_openssl() {
    assert_eq!(check(&TLS_CCM8), 6);
}

#[test]
fn tls_cbc_interoperates_with_openssl() {
    assert_eq!(check(&TLS_CBC), 0);
}

#[test]
fn dtls_gcm_interoperates_with_openssl() {
    assert_eq!(check(&DTLS_GCM), 0);
}

#[test]
fn dtls_ccm8_interoperates_with_openssl() {
    assert_eq!(check(&DTLS_CCM8), 6);
}

#[test]
fn dtls_cbc_interoperates_with_openssl() {
    assert_eq!(check(&DTLS_CBC), 0);
}

/// A master secret from a keylog opens records without the PSK: the
/// capture is self-consistent apart from our key schedule.
#[test]
fn the_keylog_alone_opens_the_records() {
    let capture = &TLS_GCM;
    let keylog: Vec<&str> = capture.keylog.split(' ').collect();
    let master = MasterSecret::from_bytes(unhex(keylog[2]).try_into().unwrap());
    let client_random: [u8; 32] = unhex(keylog[1]).try_into().unwrap();
    let server_msgs = handshake_messages(capture.transport, &open_all(capture, S2C, None));
    let server_random = hello_random(capture.transport, &server_msgs[0]);
    let keys = master.key_block(capture.suite, &client_random, &server_random);
    let records = open_all(capture, C2S, Some(&keys.client));
    assert_eq!(records.iter().filter(|r| r.protected).count(), 3);
}
