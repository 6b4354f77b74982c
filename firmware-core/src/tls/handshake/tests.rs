//! The handshake against OpenSSL: each TLS and DTLS capture of `vectors`
//! is replayed from the server's side (the captured server bytes fed to
//! the state machine, with the captured client_random), and what the
//! module sends is compared with what OpenSSL's `s_client` sent. Then
//! faults: a bad Finished, certificates, a fatal alert, data too early;
//! the byte stream cut every way; DTLS fragments, drops, retransmission
//! and the deadline.

use alloc::vec::Vec;

use super::*;
use crate::tls::KeyBlock;
use crate::tls::prf::MasterSecret;
use crate::tls::record::Header;
use crate::tls::unhex;

use crate::tls::vectors::captures::{DTLS_CBC, DTLS_CCM8, DTLS_GCM, TLS_CBC, TLS_CCM8, TLS_GCM};
use crate::tls::vectors::{C2S, Capture, Dir, S2C};
use core::time::Duration;

/// The captures' key and identity (`capture.py`).
const T0: Instant = Instant::ZERO;

pub(crate) const PSK: &str = "0102030405060708090a0b0c0d0e0f10";
pub(crate) const IDENTITY: &[u8] = b"module";

pub(crate) fn client_random(c: &Capture) -> [u8; 32] {
    unhex(c.keylog.split(' ').nth(1).unwrap())
        .try_into()
        .unwrap()
}

/// One direction's chunks, as the relay read them.
pub(crate) fn chunks(c: &Capture, dir: Dir) -> Vec<Vec<u8>> {
    c.traffic
        .iter()
        .filter(|(d, _)| *d == dir)
        .map(|(_, h)| unhex(h))
        .collect()
}

pub(crate) fn split_records(t: Transport, mut bytes: &[u8]) -> Vec<Vec<u8>> {
    let mut out = Vec::new();
    while !bytes.is_empty() {
        let header = Header::parse(t, bytes).expect("a whole header");
        let (record, rest) = bytes.split_at(t.header_len() + header.length);
        out.push(record.to_vec());
        bytes = rest;
    }
    out
}

/// The random of the captured ServerHello (DTLS: after the
/// HelloVerifyRequest).
fn server_random(c: &Capture) -> [u8; 32] {
    let (chunk, at) = match c.transport {
        Transport::Tls => (0, 5 + 4 + 2),
        Transport::Dtls => (1, 13 + 12 + 2),
    };
    chunks(c, S2C)[chunk][at..at + 32].try_into().unwrap()
}

/// The session's keys, from the PSK and the captured randoms.
pub(crate) fn keys(c: &Capture) -> KeyBlock {
    master(c).key_block(c.suite, &client_random(c), &server_random(c))
}

fn master(c: &Capture) -> MasterSecret {
    PremasterSecret::from_psk(&unhex(PSK)).master_secret(&client_random(c), &server_random(c))
}

fn handshake(c: &Capture) -> (Handshake, Vec<u8>) {
    let mut hs = Handshake::new(
        c.transport,
        &unhex(PSK),
        IDENTITY,
        client_random(c),
        Timers::TL3,
    );
    let mut hello = Vec::new();
    hs.start(T0, &mut hello);
    (hs, hello)
}

fn hex(bytes: &[u8]) -> alloc::string::String {
    bytes.iter().map(|b| alloc::format!("{b:02x}")).collect()
}

/// Compares two client streams record by record. Unprotected records, and
/// with CCM_8 (whose explicit nonce OpenSSL derives from the sequence
/// number, as the module does) every record, must match byte for byte.
/// With GCM (OpenSSL counts nonces from a random start) and CBC (random
/// IVs) protected records must have the same header and plaintext.
/// Returns how many records matched byte for byte.
fn same_client_stream(c: &Capture, ours: &[u8], theirs: &[u8]) -> usize {
    let t = c.transport;
    let (ours, theirs) = (split_records(t, ours), split_records(t, theirs));
    assert_eq!(ours.len(), theirs.len(), "record count");
    let keys = keys(c);
    let mut opener_ours = Opener::new(t, MAX_FRAGMENT);
    let mut opener_theirs = Opener::new(t, MAX_FRAGMENT);
    let mut identical = 0;
    for (mut a, mut b) in ours.into_iter().zip(theirs) {
        if opener_ours.epoch() == 0 || c.suite == CipherSuite::Aes128Ccm8 {
            assert_eq!(hex(&a), hex(&b));
            identical += 1;
        } else {
            assert_eq!(a[..3], b[..3], "type and version");
        }
        let oa = opener_ours.open(&mut a).unwrap();
        let ob = opener_theirs.open(&mut b).unwrap();
        assert_eq!(oa.content_type, ob.content_type);
        assert_eq!(hex(&a[oa.fragment]), hex(&b[ob.fragment]));
        if oa.content_type == ContentType::ChangeCipherSpec {
            opener_ours = opener_ours.next_epoch(&keys.client);
            opener_theirs = opener_theirs.next_epoch(&keys.client);
        }
    }
    identical
}

/// Replays `c`; returns how many client records after the ClientHello
/// were byte for byte OpenSSL's.
fn replay(c: &Capture) -> usize {
    let (mut hs, hello) = handshake(c);
    let client = chunks(c, C2S);
    let mut server = chunks(c, S2C);
    assert_eq!(hex(&hello), hex(&client[0]), "ClientHello");
    let mut client = &client[1..];
    if c.transport == Transport::Dtls {
        assert_eq!(hs.poll_timeout(), Some(T0 + Duration::from_secs(1)));
        // HelloVerifyRequest: the ClientHello again, with the cookie.
        let mut again = Vec::new();
        let hvr = server.remove(0);
        assert_eq!(
            hs.handle_records(T0, &hvr, &mut again),
            Ok(Progress::Handshaking)
        );
        assert_eq!(hex(&again), hex(&client[0]), "ClientHello with the cookie");
        client = &client[1..];
    }

    // ServerHello, ServerHelloDone: the client's second flight.
    let mut sent = Vec::new();
    assert_eq!(
        hs.handle_records(T0, &server[0], &mut sent),
        Ok(Progress::Handshaking)
    );
    assert!(!sent.is_empty());
    // ChangeCipherSpec, Finished.
    let mut nothing = Vec::new();
    assert_eq!(
        hs.handle_records(T0, &server[1], &mut nothing),
        Ok(Progress::Established)
    );
    assert!(nothing.is_empty());
    assert!(hs.is_done());
    assert_eq!(hs.poll_timeout(), None);

    let mut est = hs.into_established().unwrap();
    assert_eq!(est.suite, c.suite);
    assert!(est.max_fragment_length, "the server echoed 4096");
    assert!(est.received.is_empty());
    assert!(alloc::format!("{est:?}").starts_with("Established"));

    // The module's "ping\n" and close_notify, as OpenSSL sent them.
    est.sealer
        .seal(ContentType::ApplicationData, b"ping\n", &mut sent)
        .unwrap();
    est.sealer
        .seal(ContentType::Alert, &[1, 0], &mut sent)
        .unwrap();
    let theirs: Vec<u8> = client.concat();
    let identical = same_client_stream(c, &sent, &theirs);

    // The server's "pong\n" and close_notify open.
    let mut opened = Vec::new();
    for mut record in split_records(c.transport, &server[2..].concat()) {
        let o = est.opener.open(&mut record).unwrap();
        opened.push((o.content_type, record[o.fragment].to_vec()));
    }
    assert_eq!(
        opened,
        [
            (ContentType::ApplicationData, b"pong\n".to_vec()),
            (ContentType::Alert, [1, 0].to_vec())
        ]
    );
    identical
}

#[test]
fn dtls_gcm_handshake_replays_openssl() {
    assert_eq!(replay(&DTLS_GCM), 2);
}

#[test]
fn dtls_ccm8_handshake_replays_openssl_byte_for_byte() {
    assert_eq!(replay(&DTLS_CCM8), 5);
}

#[test]
fn dtls_cbc_handshake_replays_openssl() {
    assert_eq!(replay(&DTLS_CBC), 2);
}

/// The DTLS record sequence number of a record.
fn dtls_seq(record: &[u8]) -> (u16, u64) {
    let h = Header::parse(Transport::Dtls, record).unwrap();
    (h.epoch, h.seq)
}

/// A ClientHello goes again after 1 s, 2 s, 4 s (the wait doubling, up to
/// 8 s) with new record sequence numbers; at 10 s the handshake fails, and
/// nothing is sent.
#[test]
fn dtls_sends_a_flight_again_and_gives_up() {
    let c = &DTLS_GCM;
    let (mut hs, hello) = handshake(c);
    let s = Duration::from_secs;
    let mut out = Vec::new();
    assert_eq!(
        hs.handle_timeout(T0 + Duration::from_millis(999), &mut out),
        Ok(Progress::Handshaking)
    );
    assert!(out.is_empty());
    for (n, at, next) in [(1, 1, 3), (2, 3, 7), (3, 7, 10)] {
        let mut again = Vec::new();
        assert_eq!(
            hs.handle_timeout(T0 + s(at), &mut again),
            Ok(Progress::Handshaking)
        );
        assert_eq!(dtls_seq(&again), (0, n));
        assert_eq!(again[11..], hello[11..], "the same ClientHello");
        assert_eq!(hs.poll_timeout(), Some(T0 + s(next)));
    }
    let mut last = Vec::new();
    assert_eq!(
        hs.handle_timeout(T0 + s(10), &mut last),
        Err(Alert::timeout())
    );
    assert!(last.is_empty());
    assert_eq!(hs.poll_timeout(), None);

    // 8 s is the longest wait (TL-3's numbers with a longer give-up).
    let timers = Timers {
        give_up: s(60),
        ..Timers::TL3
    };
    let mut hs = Handshake::new(c.transport, &unhex(PSK), IDENTITY, client_random(c), timers);
    hs.start(T0, &mut Vec::new());
    for (at, next) in [(1, 3), (3, 7), (7, 15), (15, 23), (23, 31)] {
        hs.handle_timeout(T0 + s(at), &mut Vec::new()).unwrap();
        assert_eq!(hs.poll_timeout(), Some(T0 + s(next)));
    }
}

/// The second flight goes again on its timer, and when the server repeats
/// its flight (it lost ours): the same messages, in new records, the
/// Finished in epoch 1. The handshake then completes.
#[test]
fn dtls_sends_the_second_flight_again() {
    for c in [&DTLS_GCM, &DTLS_CCM8, &DTLS_CBC] {
        let server = chunks(c, S2C);
        let (mut hs, _) = handshake(c);
        hs.handle_records(T0, &server[0], &mut Vec::new()).unwrap();
        // The HelloVerifyRequest again: the ClientHello with the cookie again.
        // (A server sends its flight again in new records: the same ones
        // would be replays, dropped.)
        let mut again = Vec::new();
        hs.handle_records(T0, &reseq(&server[0], 20), &mut again)
            .unwrap();
        assert_eq!(dtls_seq(&again), (0, 2));
        let t1 = T0 + Duration::from_millis(300);
        let mut flight = Vec::new();
        hs.handle_records(t1, &server[1], &mut flight).unwrap();
        assert_eq!(hs.poll_timeout(), Some(t1 + Duration::from_secs(1)));

        let mut on_timer = Vec::new();
        hs.handle_timeout(t1 + Duration::from_secs(1), &mut on_timer)
            .unwrap();
        let mut on_repeat = Vec::new();
        hs.handle_records(t1, &reseq(&server[1], 30), &mut on_repeat)
            .unwrap();
        let first: Vec<(u16, u64)> = split_records(c.transport, &flight)
            .iter()
            .map(|r| dtls_seq(r))
            .collect();
        assert_eq!(first, [(0, 3), (0, 4), (1, 0)]);
        for (resent, want) in [
            (&on_timer, [(0, 5), (0, 6), (1, 1)]),
            (&on_repeat, [(0, 7), (0, 8), (1, 2)]),
        ] {
            let records = split_records(c.transport, resent);
            let seqs: Vec<(u16, u64)> = records.iter().map(|r| dtls_seq(r)).collect();
            assert_eq!(seqs, want);
            assert_eq!(
                records[0][13..],
                split_records(c.transport, &flight)[0][13..]
            );
        }
        // The server opens all three Finished alike.
        let keys = keys(c);
        let mut opener = Opener::new(c.transport, MAX_FRAGMENT).next_epoch(&keys.client);
        let mut finished = Vec::new();
        for bytes in [&flight, &on_timer, &on_repeat] {
            let mut r = split_records(c.transport, bytes).remove(2);
            let o = opener.open(&mut r).unwrap();
            finished.push(r[o.fragment].to_vec());
        }
        assert!(finished.iter().all(|f| *f == finished[0]));

        assert_eq!(
            hs.handle_records(t1, &server[2], &mut Vec::new()),
            Ok(Progress::Established)
        );
    }
}

/// The unprotected records of a datagram, renumbered from `seq`.
fn reseq(datagram: &[u8], seq: u64) -> Vec<u8> {
    let mut out = Vec::new();
    for (i, mut r) in split_records(Transport::Dtls, datagram)
        .into_iter()
        .enumerate()
    {
        assert_eq!(r[3..5], [0, 0], "epoch 0");
        r[5..11].copy_from_slice(&(seq + i as u64).to_be_bytes()[2..]);
        out.extend(r);
    }
    out
}

/// A DTLS record of the server's. `seq` must be fresh in the window.
fn dtls_record(content_type: u8, seq: u64, fragment: &[u8]) -> Vec<u8> {
    let mut r = Vec::from([content_type, 254, 253, 0, 0]);
    r.extend_from_slice(&seq.to_be_bytes()[2..]);
    r.extend_from_slice(&(fragment.len() as u16).to_be_bytes());
    r.extend_from_slice(fragment);
    r
}

/// A DTLS handshake fragment: the message's header with `offset` and the
/// length of `part`.
fn dtls_fragment(message: &[u8], offset: usize) -> impl Fn(usize) -> Vec<u8> + '_ {
    move |end: usize| {
        let body = &message[12..];
        let part = &body[offset..end];
        let mut f = message[..6].to_vec();
        f.extend_from_slice(&(offset as u32).to_be_bytes()[1..]);
        f.extend_from_slice(&(part.len() as u32).to_be_bytes()[1..]);
        f.extend_from_slice(part);
        f
    }
}

/// The ServerHello in three fragments, in datagrams of their own, one of
/// them twice, another overlapping; records that fail dropped silently.
#[test]
fn dtls_fragments_are_joined_and_bad_records_dropped() {
    let c = &DTLS_CCM8;
    let server = chunks(c, S2C);
    let (mut hs, _) = handshake(c);
    hs.handle_records(T0, &server[0], &mut Vec::new()).unwrap();
    let records = split_records(c.transport, &server[1]);
    let hello = records[0][13..].to_vec();
    let done = records[1][13..].to_vec();
    let len = hello.len() - 12;
    let mut out = Vec::new();
    let datagrams = [
        dtls_record(22, 10, &dtls_fragment(&hello, 0)(20)),
        dtls_record(22, 11, &dtls_fragment(&hello, 0)(20)), // again
        dtls_record(22, 10, &dtls_fragment(&hello, 20)(len)), // replayed seq: dropped
        dtls_record(22, 12, &dtls_fragment(&hello, 50)(len)), // a gap: dropped
        dtls_record(22, 13, &dtls_fragment(&hello, 10)(40)), // overlaps
        [
            dtls_record(23, 14, b"early"), // data before Finished: dropped
            dtls_record(22, 15, &dtls_fragment(&hello, 40)(len)),
        ]
        .concat(),
        dtls_record(22, 16, &done[..5]), // truncated fragment: dropped
    ];
    for d in &datagrams {
        assert_eq!(
            hs.handle_records(T0, d, &mut out),
            Ok(Progress::Handshaking)
        );
        assert!(out.is_empty());
    }
    hs.handle_records(T0, &dtls_record(22, 17, &done), &mut out)
        .unwrap();
    // The same flight as from the captured datagram.
    let (mut twin, _) = handshake(c);
    twin.handle_records(T0, &server[0], &mut Vec::new())
        .unwrap();
    let mut want = Vec::new();
    twin.handle_records(T0, &server[1], &mut want).unwrap();
    assert_eq!(hex(&out), hex(&want));
    // A tampered Finished is dropped, not fatal; then the real one.
    let mut tampered = server[2].clone();
    *tampered.last_mut().unwrap() ^= 1;
    assert_eq!(
        hs.handle_records(T0, &tampered, &mut out),
        Ok(Progress::Handshaking)
    );
    // Its ChangeCipherSpec was taken; the Finished alone follows.
    let finished = split_records(c.transport, &server[2]).remove(1);
    assert_eq!(
        hs.handle_records(T0, &finished, &mut out),
        Ok(Progress::Established)
    );
}

/// DTLS: a Certificate and a fatal alert are fatal as over TLS.
#[test]
fn dtls_certificates_and_alerts_are_fatal() {
    let c = &DTLS_GCM;
    let server = chunks(c, S2C);
    let (mut hs, _) = handshake(c);
    hs.handle_records(T0, &server[0], &mut Vec::new()).unwrap();
    let certificate = unhex("0b000003 0001 000000 000003 000000");
    let mut out = Vec::new();
    assert_eq!(
        hs.handle_records(T0, &dtls_record(22, 9, &certificate), &mut out),
        Err(Alert::local(AlertDescription::UNEXPECTED_MESSAGE))
    );
    assert_eq!(out[0], 21);
    assert_eq!(out[out.len() - 2..], [2, 10]);

    let (mut hs, _) = handshake(c);
    let mut out = Vec::new();
    assert_eq!(
        hs.handle_records(T0, &dtls_record(21, 0, &[2, 40]), &mut out),
        Err(Alert::peer(40))
    );
    assert!(out.is_empty());
}

/// TLS gives up at 10 s too, and sends nothing again before.
#[test]
fn tls_gives_up_at_the_deadline() {
    let (mut hs, _) = handshake(&TLS_GCM);
    let ten = T0 + Duration::from_secs(10);
    assert_eq!(hs.poll_timeout(), Some(ten));
    let mut out = Vec::new();
    assert_eq!(
        hs.handle_timeout(ten - Duration::from_micros(1), &mut out),
        Ok(Progress::Handshaking)
    );
    assert_eq!(hs.handle_timeout(ten, &mut out), Err(Alert::timeout()));
    assert!(out.is_empty());
}

#[test]
fn tls_gcm_handshake_replays_openssl() {
    // ClientKeyExchange, ChangeCipherSpec; the protected three by plaintext.
    assert_eq!(replay(&TLS_GCM), 2);
}

#[test]
fn tls_ccm8_handshake_replays_openssl_byte_for_byte() {
    // Every record: ClientKeyExchange, ChangeCipherSpec, Finished, data,
    // close_notify.
    assert_eq!(replay(&TLS_CCM8), 5);
}

#[test]
fn tls_cbc_handshake_replays_openssl() {
    assert_eq!(replay(&TLS_CBC), 2);
}

/// The server's bytes one at a time, and all at once with its data.
#[test]
fn the_stream_may_be_cut_anywhere() {
    for c in [&TLS_GCM, &TLS_CCM8, &TLS_CBC] {
        let server = chunks(c, S2C);
        let (mut hs, _) = handshake(c);
        let mut sent = Vec::new();
        let handshake_bytes = [&server[0][..], &server[1][..]].concat();
        let last = handshake_bytes.len() - 1;
        for (i, byte) in handshake_bytes.iter().enumerate() {
            let want = if i == last {
                Progress::Established
            } else {
                Progress::Handshaking
            };
            assert_eq!(
                hs.handle_records(T0, &[*byte], &mut sent),
                Ok(want),
                "byte {i}"
            );
        }
        let client = chunks(c, C2S);
        assert_eq!(sent.len(), client[1].len());

        // Everything in one read: the data after Finished is kept.
        let (mut hs, _) = handshake(c);
        let mut sent_at_once = Vec::new();
        let all = server.concat();
        assert_eq!(
            hs.handle_records(T0, &all, &mut sent_at_once),
            Ok(Progress::Established)
        );
        assert_eq!(sent_at_once.len(), sent.len());
        let rest = [&server[2][..], &server[3][..]].concat();
        let mut est = hs.into_established().unwrap();
        assert_eq!(est.received, rest);
        let mut first = split_records(c.transport, &est.received).remove(0);
        let o = est.opener.open(&mut first).unwrap();
        assert_eq!(&first[o.fragment], b"pong\n");
    }
}

/// The server's handshake messages (whole, headers included) of a capture.
fn server_messages(c: &Capture) -> Vec<Vec<u8>> {
    let mut stream = Vec::new();
    for record in split_records(c.transport, &chunks(c, S2C)[0]) {
        assert_eq!(record[0], 22);
        stream.extend_from_slice(&record[5..]);
    }
    let mut out = Vec::new();
    let mut rest = &stream[..];
    while !rest.is_empty() {
        let len = usize::from(rest[2]) << 8 | usize::from(rest[3]);
        let (m, tail) = rest.split_at(4 + len);
        out.push(m.to_vec());
        rest = tail;
    }
    out
}

fn plain_record(content_type: u8, fragment: &[u8]) -> Vec<u8> {
    let mut r = Vec::from([content_type, 3, 3]);
    r.extend_from_slice(&(fragment.len() as u16).to_be_bytes());
    r.extend_from_slice(fragment);
    r
}

/// Handshake messages split across records, and several in one record.
#[test]
fn messages_split_and_coalesced() {
    let c = &TLS_GCM;
    let msgs = server_messages(c);
    assert_eq!(msgs.len(), 2, "ServerHello, ServerHelloDone");
    let joined = msgs.concat();
    let finish = chunks(c, S2C)[1].clone();
    let want_flight = {
        let (mut hs, _) = handshake(c);
        let mut sent = Vec::new();
        hs.handle_records(T0, &chunks(c, S2C)[0], &mut sent)
            .unwrap();
        sent
    };
    // Both in one record; each message cut in two records; a record that
    // ends one message and starts the next; one byte per record.
    let one: Vec<Vec<u8>> = Vec::from([joined.clone()]);
    let halves: Vec<Vec<u8>> = Vec::from([
        msgs[0][..10].to_vec(),
        msgs[0][10..].to_vec(),
        msgs[1][..1].to_vec(),
        msgs[1][1..].to_vec(),
    ]);
    let straddle: Vec<Vec<u8>> = Vec::from([
        joined[..50].to_vec(),
        joined[50..msgs[0].len() + 2].to_vec(),
        joined[msgs[0].len() + 2..].to_vec(),
    ]);
    let bytes: Vec<Vec<u8>> = joined.iter().map(|b| Vec::from([*b])).collect();
    for layout in [one, halves, straddle, bytes] {
        let (mut hs, _) = handshake(c);
        let mut sent = Vec::new();
        let records: Vec<u8> = layout.iter().flat_map(|f| plain_record(22, f)).collect();
        assert_eq!(
            hs.handle_records(T0, &records, &mut sent),
            Ok(Progress::Handshaking)
        );
        assert_eq!(hex(&sent), hex(&want_flight));
        assert_eq!(
            hs.handle_records(T0, &finish, &mut Vec::new()),
            Ok(Progress::Established)
        );
    }
}

/// A server Finished with the wrong verify_data, properly protected, is
/// fatal: decrypt_error (RFC 5246 §7.4.9), sent protected. A Finished
/// record tampered on the way fails its authentication: bad_record_mac.
#[test]
fn a_bad_server_finished_is_fatal() {
    for c in [&TLS_GCM, &TLS_CCM8, &TLS_CBC] {
        let server = chunks(c, S2C);
        let keys = keys(c);

        let (mut hs, _) = handshake(c);
        let mut flight = Vec::new();
        hs.handle_records(T0, &server[0], &mut flight).unwrap();
        let mut forged = plain_record(20, &[1]);
        let mut server_sealer = Sealer::new(c.transport, MAX_FRAGMENT).next_epoch(&keys.server);
        let mut finished = unhex("1400000c");
        finished.extend([0x5A; 12]);
        server_sealer
            .seal(ContentType::Handshake, &finished, &mut forged)
            .unwrap();
        let mut sent = Vec::new();
        let want = Alert::local(AlertDescription::DECRYPT_ERROR);
        assert_eq!(hs.handle_records(T0, &forged, &mut sent), Err(want));
        // The alert goes out under the client's keys, after its Finished:
        // the server opens it.
        let mut opener = Opener::new(c.transport, MAX_FRAGMENT).next_epoch(&keys.client);
        let mut client_finished = split_records(c.transport, &flight).remove(2);
        opener.open(&mut client_finished).unwrap();
        let mut records = split_records(c.transport, &sent);
        assert_eq!(records.len(), 1);
        let o = opener.open(&mut records[0]).unwrap();
        assert_eq!(o.content_type, ContentType::Alert);
        assert_eq!(records[0][o.fragment.clone()], [2, 51]);
        // Ended: it stays so.
        assert_eq!(
            hs.handle_records(T0, &server[1], &mut Vec::new()),
            Err(want)
        );
        assert!(hs.is_done());
        assert!(hs.into_established().is_none());

        let (mut hs, _) = handshake(c);
        hs.handle_records(T0, &server[0], &mut Vec::new()).unwrap();
        let mut tampered = server[1].clone();
        *tampered.last_mut().unwrap() ^= 1;
        assert_eq!(
            hs.handle_records(T0, &tampered, &mut Vec::new()),
            Err(Alert::local(AlertDescription::BAD_RECORD_MAC))
        );
    }
}

/// The Finished the client computes is the one the capture's server
/// accepted, for the right reason: its verify_data is PRF over the
/// transcript.
#[test]
fn the_client_finished_is_the_prf_of_the_transcript() {
    let c = &TLS_CCM8;
    let (mut hs, hello) = handshake(c);
    let mut sent = Vec::new();
    hs.handle_records(T0, &chunks(c, S2C)[0], &mut sent)
        .unwrap();
    let mut transcript = Sha256::new();
    transcript.update(&hello[5..]);
    server_messages(c).iter().for_each(|m| transcript.update(m));
    transcript.update(unhex("1000000800066d6f64756c65"));
    let hash: [u8; 32] = transcript.finalize().into();
    let want = master(c).verify_data(Side::Client, &hash);
    let records = split_records(c.transport, &sent);
    let mut opener = Opener::new(c.transport, MAX_FRAGMENT).next_epoch(&keys(c).client);
    let mut fin = records[2].clone();
    let o = opener.open(&mut fin).unwrap();
    assert_eq!(fin[o.fragment][4..], want);
}

/// Certificates, renegotiation and tickets are none of plain PSK's (TL-1):
/// each is an unexpected_message, sent in the clear before the keys.
#[test]
fn certificates_and_strays_are_fatal() {
    let c = &TLS_GCM;
    let msgs = server_messages(c);
    let strays = [
        ("Certificate", "0b000003000000"),
        ("CertificateRequest", "0d00000401010000"),
        ("HelloRequest", "00000000"),
        ("NewSessionTicket", "0400000600000000 0000"),
        ("a second ServerHello", ""),
        (
            "Finished before the keys",
            "1400000c000000000000000000000000",
        ),
    ];
    for (name, stray) in strays {
        let stray = if stray.is_empty() {
            msgs[0].clone()
        } else {
            unhex(stray)
        };
        let (mut hs, _) = handshake(c);
        let mut sent = Vec::new();
        let mut records = plain_record(22, &msgs[0]);
        records.extend(plain_record(22, &stray));
        assert_eq!(
            hs.handle_records(T0, &records, &mut sent),
            Err(Alert::local(AlertDescription::UNEXPECTED_MESSAGE)),
            "{name}"
        );
        assert_eq!(sent, unhex("15030300020 20a"), "{name}");
    }
    // A Certificate first, before the ServerHello; its header alone is
    // enough to refuse it.
    let (mut hs, _) = handshake(c);
    let mut sent = Vec::new();
    assert_eq!(
        hs.handle_records(T0, &plain_record(22, &unhex("0b010000")), &mut sent),
        Err(Alert::local(AlertDescription::UNEXPECTED_MESSAGE))
    );
}

#[test]
fn application_data_before_finished_is_fatal() {
    let c = &TLS_GCM;
    let server = chunks(c, S2C);
    let (mut hs, _) = handshake(c);
    let mut sent = Vec::new();
    hs.handle_records(T0, &server[0], &mut sent).unwrap();
    // Before the server's ChangeCipherSpec, in the clear.
    assert_eq!(
        hs.handle_records(T0, &plain_record(23, b"early"), &mut Vec::new()),
        Err(Alert::local(AlertDescription::UNEXPECTED_MESSAGE))
    );
    // After it, protected, in place of Finished.
    let (mut hs, _) = handshake(c);
    hs.handle_records(T0, &server[0], &mut Vec::new()).unwrap();
    let mut early = plain_record(20, &[1]);
    Sealer::new(c.transport, MAX_FRAGMENT)
        .next_epoch(&keys(c).server)
        .seal(ContentType::ApplicationData, b"early", &mut early)
        .unwrap();
    assert_eq!(
        hs.handle_records(T0, &early, &mut Vec::new()),
        Err(Alert::local(AlertDescription::UNEXPECTED_MESSAGE))
    );
}

/// A fatal alert from the server ends the handshake with that alert, and
/// nothing is sent back; so does close_notify. Other warnings are ignored.
#[test]
fn a_fatal_alert_from_the_server_is_fatal() {
    let c = &TLS_GCM;
    let server = chunks(c, S2C);
    // handshake_failure, as a server without a common suite sends it;
    // unknown_psk_identity (RFC 4279 §2).
    for description in [40, 115] {
        let (mut hs, _) = handshake(c);
        let mut sent = Vec::new();
        assert_eq!(
            hs.handle_records(T0, &plain_record(21, &[2, description]), &mut sent),
            Err(Alert::peer(description))
        );
        assert!(sent.is_empty());
        assert_eq!(
            hs.handle_records(T0, &server[0], &mut sent),
            Err(Alert::peer(description))
        );
        assert!(sent.is_empty());
    }
    // A warning (no_renegotiation) changes nothing; close_notify ends it.
    let (mut hs, _) = handshake(c);
    let mut sent = Vec::new();
    let mut bytes = plain_record(21, &[1, 100]);
    bytes.extend_from_slice(&server[0]);
    assert_eq!(
        hs.handle_records(T0, &bytes, &mut sent),
        Ok(Progress::Handshaking)
    );
    assert_eq!(
        hs.handle_records(T0, &plain_record(21, &[1, 0]), &mut sent),
        Err(Alert::peer(0))
    );
    // A fatal alert protected under the server's keys, after its
    // ChangeCipherSpec (a server that rejects the client's Finished).
    let (mut hs, _) = handshake(c);
    hs.handle_records(T0, &server[0], &mut Vec::new()).unwrap();
    let mut alert = plain_record(20, &[1]);
    Sealer::new(c.transport, MAX_FRAGMENT)
        .next_epoch(&keys(c).server)
        .seal(ContentType::Alert, &[2, 51], &mut alert)
        .unwrap();
    assert_eq!(
        hs.handle_records(T0, &alert, &mut Vec::new()),
        Err(Alert::peer(51))
    );
    // A malformed alert record.
    let (mut hs, _) = handshake(c);
    assert_eq!(
        hs.handle_records(T0, &plain_record(21, &[2]), &mut Vec::new()),
        Err(Alert::local(AlertDescription::DECODE_ERROR))
    );
}

/// A ServerKeyExchange with an identity hint is accepted and ignored
/// (TL-2): the handshake goes on, and the hint enters the transcript.
/// The server's side is played here, from the PSK.
#[test]
fn a_server_identity_hint_is_ignored() {
    let c = &TLS_GCM;
    let msgs = server_messages(c);
    let hint = unhex("0c000008 0006 6f7468657273"); // "others"
    let (mut hs, hello) = handshake(c);
    let mut sent = Vec::new();
    let mut bytes = plain_record(22, &msgs[0]);
    bytes.extend(plain_record(22, &[&hint[..], &msgs[1]].concat()));
    assert_eq!(
        hs.handle_records(T0, &bytes, &mut sent),
        Ok(Progress::Handshaking)
    );

    // The client's flight: the identity is the module's, not the hint.
    let records = split_records(c.transport, &sent);
    assert_eq!(records[0][5..], unhex("1000000800066d6f64756c65"));
    let keys = keys(c);
    let mut opener = Opener::new(c.transport, MAX_FRAGMENT).next_epoch(&keys.client);
    let mut fin = records[2].clone();
    let o = opener.open(&mut fin).unwrap();
    let client_finished = fin[o.fragment].to_vec();

    let mut transcript = Sha256::new();
    transcript.update(&hello[5..]);
    transcript.update(&msgs[0]);
    transcript.update(&hint);
    transcript.update(&msgs[1]);
    transcript.update(&records[0][5..]);
    let hash: [u8; 32] = transcript.clone().finalize().into();
    assert_eq!(
        client_finished[4..],
        master(c).verify_data(Side::Client, &hash)
    );
    transcript.update(&client_finished);
    let hash: [u8; 32] = transcript.finalize().into();
    let mut finished = unhex("1400000c");
    finished.extend(master(c).verify_data(Side::Server, &hash));
    let mut reply = plain_record(20, &[1]);
    Sealer::new(c.transport, MAX_FRAGMENT)
        .next_epoch(&keys.server)
        .seal(ContentType::Handshake, &finished, &mut reply)
        .unwrap();
    assert_eq!(
        hs.handle_records(T0, &reply, &mut Vec::new()),
        Ok(Progress::Established)
    );
}

/// Records larger than the module holds (TL-6) are refused from the
/// header, before their body comes: record_overflow.
#[test]
fn an_oversized_record_is_refused_from_its_header() {
    let (mut hs, _) = handshake(&TLS_GCM);
    let mut sent = Vec::new();
    let header = [22, 3, 3, 0x10, 0x01]; // 4097 bytes
    assert_eq!(
        hs.handle_records(T0, &header, &mut sent),
        Err(Alert::local(AlertDescription::RECORD_OVERFLOW))
    );
    assert_eq!(sent, unhex("1503030002 0216"));
}

#[test]
fn nothing_is_accepted_before_start_and_start_is_once() {
    let c = &TLS_GCM;
    let mut hs = Handshake::new(
        c.transport,
        &unhex(PSK),
        IDENTITY,
        client_random(c),
        Timers::TL3,
    );
    assert_eq!(
        hs.handle_records(T0, &chunks(c, S2C)[0], &mut Vec::new()),
        Err(Alert::local(AlertDescription::UNEXPECTED_MESSAGE))
    );
    let (mut hs, _) = handshake(c);
    let mut again = Vec::new();
    hs.start(T0, &mut again);
    assert!(again.is_empty());
    assert!(!hs.is_done());
}

#[test]
fn no_key_in_debug() {
    let (hs, _) = handshake(&TLS_GCM);
    let shown = alloc::format!("{hs:?}");
    assert!(shown.contains("ServerHello"), "{shown}");
    assert!(
        !shown.contains("premaster") && !shown.contains("verify"),
        "{shown}"
    );
}

/// What the ServerHello must not carry, through the state machine: each
/// fault ends the handshake with its alert, in the clear.
#[test]
fn a_bad_server_hello_is_fatal() {
    let c = &TLS_GCM;
    let msgs = server_messages(c);
    let hello = &msgs[0];
    // The captured ServerHello ends with its extensions: renegotiation_info
    // (ff01 0001 00), then max_fragment_length (0001 0001 04).
    assert_eq!(hello[hello.len() - 12..], unhex("000aff010001000001000104"));
    let with_extensions = |extensions: &str| {
        let mut m = hello[..hello.len() - 12].to_vec();
        let ext = unhex(extensions);
        m.extend_from_slice(&(ext.len() as u16).to_be_bytes());
        m.extend_from_slice(&ext);
        let len = (m.len() - 4) as u32;
        m[1..4].copy_from_slice(&len.to_be_bytes()[1..]);
        m
    };
    let cases = [
        // extended_master_secret, not offered.
        ("00170000", AlertDescription::UNSUPPORTED_EXTENSION),
        // encrypt_then_mac, not offered.
        ("00160000", AlertDescription::UNSUPPORTED_EXTENSION),
        // max_fragment_length 2^9 instead of 2^12.
        ("0001000101", AlertDescription::ILLEGAL_PARAMETER),
        // A renegotiated_connection in a first handshake.
        ("ff010002 0100", AlertDescription::HANDSHAKE_FAILURE),
    ];
    for (extensions, description) in cases {
        let (mut hs, _) = handshake(c);
        let mut sent = Vec::new();
        let record = plain_record(22, &with_extensions(extensions));
        assert_eq!(
            hs.handle_records(T0, &record, &mut sent),
            Err(Alert::local(description)),
            "{extensions}"
        );
        assert_eq!(sent, plain_record(21, &[2, description.0]));
    }
    // No extensions at all: accepted, and the module knows the server did
    // not agree to 4096-byte records.
    let (mut hs, _) = handshake(c);
    let mut bare = hello[..hello.len() - 12].to_vec();
    let len = (bare.len() - 4) as u32;
    bare[1..4].copy_from_slice(&len.to_be_bytes()[1..]);
    assert_eq!(
        hs.handle_records(T0, &plain_record(22, &bare), &mut Vec::new()),
        Ok(Progress::Handshaking)
    );
    assert!(!hs.max_fragment_length);
}
