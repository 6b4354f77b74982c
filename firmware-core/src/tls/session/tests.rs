//! A session against OpenSSL's captured servers: the handshake, the
//! server's application data and close_notify, what the module seals, and
//! the faults that end a TLS link (TL-5, TL-6) or leave a DTLS one alone.

use alloc::vec;
use alloc::vec::Vec;

use super::*;
use crate::tls::handshake::tests::{IDENTITY, PSK, chunks, client_random, keys, split_records};
use crate::tls::record::Opener;
use crate::tls::unhex;
use crate::tls::vectors::captures::{TLS_CBC, TLS_CCM8, TLS_GCM};
use crate::tls::vectors::{C2S, Capture, S2C};

const T0: Instant = Instant::ZERO;

/// A session through the capture's handshake: the session, every byte it
/// sent, and the server's chunks still to come.
fn established(c: &Capture) -> (Session, Vec<u8>, Vec<Vec<u8>>) {
    let mut sent = Vec::new();
    let mut s = Session::start(
        c.transport,
        &unhex(PSK),
        IDENTITY,
        client_random(c),
        Timers::TL3,
        T0,
        &mut sent,
    );
    assert_eq!(sent, chunks(c, C2S)[0], "the ClientHello");
    let mut server = chunks(c, S2C).into_iter();
    while !s.is_open() {
        let chunk = server.next().expect("the capture's handshake completes");
        s.received(T0, &chunk, &mut sent, &mut |_| panic!("no data yet"))
            .unwrap();
    }
    (s, sent, server.collect())
}

/// What the module's stream says, opened with the client's keys: the
/// plaintext of each record after the ChangeCipherSpec, with its type.
fn opened_client_stream(c: &Capture, stream: &[u8]) -> Vec<(ContentType, Vec<u8>)> {
    let keys = keys(c);
    let mut opener = Opener::new(c.transport, MAX_FRAGMENT);
    let mut out = Vec::new();
    for mut record in split_records(c.transport, stream) {
        let protected = opener.epoch() > 0;
        let o = opener.open(&mut record).expect("the module's record opens");
        if protected {
            out.push((o.content_type, record[o.fragment].to_vec()));
        }
        if o.content_type == ContentType::ChangeCipherSpec {
            opener = opener.next_epoch(&keys.client);
        }
    }
    out
}

#[test]
fn each_suite_carries_data_both_ways_and_ends_on_close_notify() {
    for c in [&TLS_GCM, &TLS_CCM8, &TLS_CBC] {
        let (mut s, mut sent, server) = established(c);
        // The server's data (its echo of the client's), then close_notify.
        let mut got = Vec::new();
        let mut end = None;
        for chunk in &server {
            if let Err(e) = s.received(T0, chunk, &mut sent, &mut |d| got.push(d.to_vec())) {
                end = Some(e);
            }
        }
        assert_eq!(end, Some(End::PeerClosed), "{:?}", c.suite);
        assert_eq!(got.len(), 1, "one record of data");
        // What the module seals opens with the client's keys.
        let mut s = established(c).0;
        let mut ours = Vec::new();
        s.seal(b"hello", &mut ours).unwrap();
        s.close(&mut ours);
        let opened = opened_client_stream(c, &[&sent[..], &ours].concat());
        let tail: Vec<_> = opened.iter().rev().take(2).rev().cloned().collect();
        assert_eq!(
            tail,
            vec![
                (ContentType::ApplicationData, b"hello".to_vec()),
                (ContentType::Alert, vec![1, 0]),
            ],
            "{:?}",
            c.suite
        );
        assert_eq!(s.seal(b"late", &mut ours), Err(End::PeerClosed));
    }
}

#[test]
fn the_stream_may_arrive_a_byte_at_a_time() {
    let (mut s, mut sent, server) = established(&TLS_GCM);
    let mut got = Vec::new();
    let mut end = None;
    for b in server.concat() {
        if let Err(e) = s.received(T0, &[b], &mut sent, &mut |d| got.extend_from_slice(d)) {
            end = Some(e);
            break;
        }
    }
    assert_eq!(end, Some(End::PeerClosed));
    assert!(!got.is_empty());
}

#[test]
fn a_corrupted_record_closes_a_tls_link_with_bad_record_mac() {
    let (mut s, _, server) = established(&TLS_GCM);
    let mut data = server[0].clone();
    let last = data.len() - 1;
    data[last] ^= 1;
    let mut out = Vec::new();
    let r = s.received(T0, &data, &mut out, &mut |_| {
        panic!("no data from a bad record")
    });
    assert_eq!(r, Err(End::BadRecord(RecordError::BadRecordMac)));
    // The fatal alert went out (a protected record of type 21).
    assert_eq!(out[0], 21);
    assert_eq!(s.received(T0, b"", &mut out, &mut |_| {}), r);
}

#[test]
fn a_record_over_the_fragment_limit_closes_the_link() {
    let (mut s, _, _) = established(&TLS_GCM);
    // A header announcing 4096 + 2048 + 1 bytes: refused before the body.
    let header = [23, 3, 3, 0x18, 0x01];
    let mut out = Vec::new();
    let r = s.received(T0, &header, &mut out, &mut |_| {});
    assert_eq!(r, Err(End::BadRecord(RecordError::Overflow)));
}

/// A TLS session whose ClientHello is out (in the returned bytes).
fn started() -> (Session, Vec<u8>) {
    let mut out = Vec::new();
    let s = Session::start(
        Transport::Tls,
        &unhex(PSK),
        IDENTITY,
        [7; 32],
        Timers::TL3,
        T0,
        &mut out,
    );
    (s, out)
}

#[test]
fn a_fatal_alert_from_the_peer_ends_the_handshake() {
    let (mut s, mut out) = started();
    // handshake_failure, in the clear, before the ServerHello.
    let r = s.received(T0, &[21, 3, 3, 0, 2, 2, 40], &mut out, &mut |_| {});
    assert!(matches!(r, Err(End::Handshake(_))), "{r:?}");
    assert!(!s.is_open());
}

#[test]
fn the_handshake_gives_up_at_its_deadline() {
    let (mut s, mut out) = started();
    let due = s.poll_timeout().expect("a deadline");
    assert_eq!(due, T0 + Timers::TL3.give_up);
    assert_eq!(s.handle_timeout(T0, &mut out), Ok(()));
    assert!(matches!(
        s.handle_timeout(due, &mut out),
        Err(End::Handshake(_))
    ));
    assert_eq!(s.poll_timeout(), None);
}
