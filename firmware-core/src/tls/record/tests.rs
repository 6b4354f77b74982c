use alloc::vec;
use alloc::vec::Vec;

use super::*;
use crate::tls::prf::MasterSecret;
use crate::tls::{KeyBlock, MAX_FRAGMENT};

const TRANSPORTS: [Transport; 2] = [Transport::Tls, Transport::Dtls];

fn key_block(suite: CipherSuite) -> KeyBlock {
    MasterSecret::from_bytes([0x5A; 48]).key_block(suite, &[1; 32], &[2; 32])
}

/// The module's sending half and the peer's receiving half of one
/// direction, both past ChangeCipherSpec.
fn pair(suite: CipherSuite, transport: Transport) -> (Sealer, Opener) {
    let keys = key_block(suite);
    let sealer = Sealer::new(transport, MAX_FRAGMENT).next_epoch(&keys.client);
    let opener = Opener::new(transport, MAX_FRAGMENT).next_epoch(&keys.client);
    (sealer, opener)
}

fn seal(sealer: &mut Sealer, content_type: ContentType, fragment: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    sealer.seal(content_type, fragment, &mut out).unwrap();
    out
}

fn open(opener: &mut Opener, mut record: Vec<u8>) -> Result<(ContentType, Vec<u8>), RecordError> {
    let opened = opener.open(&mut record)?;
    Ok((opened.content_type, record[opened.fragment].to_vec()))
}

fn pattern(len: usize) -> Vec<u8> {
    (0..len).map(|i| (i * 7 + 3) as u8).collect()
}

#[test]
fn every_suite_round_trips_over_tls_and_dtls() {
    let lengths = [0, 1, 15, 16, 17, 31, 32, 33, 100, 1000, MAX_FRAGMENT];
    for suite in CipherSuite::OFFERED {
        for transport in TRANSPORTS {
            let (mut sealer, mut opener) = pair(suite, transport);
            for (n, &len) in lengths.iter().enumerate() {
                let fragment = pattern(len);
                let record = seal(&mut sealer, ContentType::ApplicationData, &fragment);
                assert!(record.len() <= opener.max_record_len());
                assert_eq!(opener.record_len(&record), Ok(Some(record.len())));
                let header = Header::parse(transport, &record).unwrap();
                assert_eq!(header.version, transport.version());
                if transport == Transport::Dtls {
                    assert_eq!((header.epoch, header.seq), (1, n as u64));
                }
                let opened = open(&mut opener, record);
                assert_eq!(
                    opened,
                    Ok((ContentType::ApplicationData, fragment)),
                    "{suite:?} {transport:?} {len}"
                );
            }
        }
    }
}

#[test]
fn records_carry_their_overhead_and_nothing_else() {
    for transport in TRANSPORTS {
        let h = transport.header_len();
        let (mut gcm, _) = pair(CipherSuite::Aes128GcmSha256, transport);
        assert_eq!(
            seal(&mut gcm, ContentType::Alert, &[1, 0]).len(),
            h + 8 + 2 + 16
        );
        let (mut ccm, _) = pair(CipherSuite::Aes128Ccm8, transport);
        assert_eq!(
            seal(&mut ccm, ContentType::Alert, &[1, 0]).len(),
            h + 8 + 2 + 8
        );
        let (mut cbc, _) = pair(CipherSuite::Aes128CbcSha256, transport);
        // 2 + 32 + 14 bytes of padding = 48: IV and three blocks.
        assert_eq!(
            seal(&mut cbc, ContentType::Alert, &[1, 0]).len(),
            h + 16 + 48
        );
    }
}

/// The explicit AEAD nonce is the sequence number; DTLS's includes the
/// epoch.
#[test]
fn aead_nonces_are_the_sequence_number() {
    let (mut sealer, _) = pair(CipherSuite::Aes128GcmSha256, Transport::Tls);
    seal(&mut sealer, ContentType::ApplicationData, b"a");
    let record = seal(&mut sealer, ContentType::ApplicationData, b"b");
    assert_eq!(record[5..13], 1u64.to_be_bytes());
    let (mut sealer, _) = pair(CipherSuite::Aes128Ccm8, Transport::Dtls);
    let record = seal(&mut sealer, ContentType::ApplicationData, b"a");
    assert_eq!(record[13..21], [0, 1, 0, 0, 0, 0, 0, 0]);
}

#[test]
fn any_flipped_bit_is_refused() {
    for suite in CipherSuite::OFFERED {
        for transport in TRANSPORTS {
            let (mut sealer, _) = pair(suite, transport);
            let record = seal(&mut sealer, ContentType::ApplicationData, b"attack at dawn");
            let h = transport.header_len();
            for i in 0..record.len() {
                for bit in [0x01, 0x80] {
                    let mut tampered = record.clone();
                    tampered[i] ^= bit;
                    let (_, mut opener) = pair(suite, transport);
                    let result = open(&mut opener, tampered);
                    assert!(result.is_err(), "{suite:?} {transport:?} byte {i}");
                    if i >= h {
                        assert_eq!(result, Err(RecordError::BadRecordMac));
                    }
                }
            }
        }
    }
}

#[test]
fn header_errors_are_told_apart() {
    let (mut sealer, _) = pair(CipherSuite::Aes128GcmSha256, Transport::Tls);
    let record = seal(&mut sealer, ContentType::Handshake, b"finished");
    let fresh = || pair(CipherSuite::Aes128GcmSha256, Transport::Tls).1;

    let mut r = record.clone();
    r[0] = 24; // heartbeat: not ours
    assert_eq!(open(&mut fresh(), r), Err(RecordError::UnexpectedType));
    let mut r = record.clone();
    r[2] = 1; // {3, 1}
    assert_eq!(open(&mut fresh(), r), Err(RecordError::BadVersion));
    let mut r = record.clone();
    r.push(0); // one byte more than the length says
    assert_eq!(open(&mut fresh(), r), Err(RecordError::Malformed));
    assert_eq!(
        open(&mut fresh(), record[..4].to_vec()),
        Err(RecordError::Malformed)
    );
    let mut r = record.clone();
    r[0] = ContentType::ApplicationData.code(); // a changed AAD
    assert_eq!(open(&mut fresh(), r), Err(RecordError::BadRecordMac));
}

#[test]
fn tls_records_open_only_at_their_sequence_number() {
    for suite in CipherSuite::OFFERED {
        let (mut sealer, mut opener) = pair(suite, Transport::Tls);
        let first = seal(&mut sealer, ContentType::ApplicationData, b"one");
        let second = seal(&mut sealer, ContentType::ApplicationData, b"two");
        // Dropped, reordered or replayed: the implicit number is wrong.
        assert_eq!(
            open(&mut opener, second.clone()),
            Err(RecordError::BadRecordMac)
        );
        assert_eq!(open(&mut opener, first.clone()).unwrap().1, b"one");
        assert_eq!(open(&mut opener, first), Err(RecordError::BadRecordMac));
        assert_eq!(open(&mut opener, second).unwrap().1, b"two");
    }
}

#[test]
fn dtls_records_open_once_in_any_order_within_the_window() {
    for suite in CipherSuite::OFFERED {
        let (mut sealer, mut opener) = pair(suite, Transport::Dtls);
        let records: Vec<Vec<u8>> = (0..70u8)
            .map(|i| seal(&mut sealer, ContentType::ApplicationData, &[i]))
            .collect();
        for i in [3, 1, 2, 69] {
            assert_eq!(open(&mut opener, records[i].clone()).unwrap().1, [i as u8]);
        }
        assert_eq!(
            open(&mut opener, records[2].clone()),
            Err(RecordError::Replayed)
        );
        // 69 - 63 = 6 is the oldest still in reach.
        assert_eq!(
            open(&mut opener, records[5].clone()),
            Err(RecordError::Replayed)
        );
        assert_eq!(open(&mut opener, records[6].clone()).unwrap().1, [6]);
    }
}

/// A forged record must not move the window: its sequence number stays
/// fresh, and so do the older ones it would have pushed out.
#[test]
fn forged_dtls_records_leave_the_window_alone() {
    let (mut sealer, mut opener) = pair(CipherSuite::Aes128GcmSha256, Transport::Dtls);
    let records: Vec<Vec<u8>> = (0..200u8)
        .map(|i| seal(&mut sealer, ContentType::ApplicationData, &[i]))
        .collect();
    let mut forged = records[199].clone();
    let last = forged.len() - 1;
    forged[last] ^= 1;
    assert_eq!(open(&mut opener, forged), Err(RecordError::BadRecordMac));
    assert_eq!(open(&mut opener, records[0].clone()).unwrap().1, [0]);
    assert_eq!(open(&mut opener, records[199].clone()).unwrap().1, [199]);
}

#[test]
fn dtls_records_of_another_epoch_are_set_aside() {
    let keys = key_block(CipherSuite::Aes128Ccm8);
    let mut plain = Sealer::new(Transport::Dtls, MAX_FRAGMENT);
    let old = seal(&mut plain, ContentType::Handshake, b"client key exchange");
    let mut protected = plain.next_epoch(&keys.client);
    assert_eq!(protected.epoch(), 1);
    let new = seal(&mut protected, ContentType::Handshake, b"finished");
    let epoch0 = Opener::new(Transport::Dtls, MAX_FRAGMENT);
    let mut epoch1 = epoch0.next_epoch(&keys.client);
    assert_eq!((epoch0.epoch(), epoch1.epoch()), (0, 1));
    assert_eq!(open(&mut epoch1, old.clone()), Err(RecordError::OtherEpoch));
    assert_eq!(
        open(&mut epoch0.next_epoch(&keys.client), new.clone())
            .unwrap()
            .1,
        b"finished"
    );
    let mut epoch0 = epoch0;
    assert_eq!(open(&mut epoch0, new), Err(RecordError::OtherEpoch));
    assert_eq!(open(&mut epoch0, old).unwrap().1, b"client key exchange");
}

#[test]
fn unprotected_records_are_plain_frames() {
    let mut tls = Sealer::new(Transport::Tls, MAX_FRAGMENT);
    assert_eq!(
        seal(&mut tls, ContentType::Handshake, b"hi"),
        [22, 3, 3, 0, 2, b'h', b'i']
    );
    let mut dtls = Sealer::new(Transport::Dtls, MAX_FRAGMENT);
    seal(&mut dtls, ContentType::Handshake, b"");
    assert_eq!(
        seal(&mut dtls, ContentType::Alert, b"hi"),
        [21, 254, 253, 0, 0, 0, 0, 0, 0, 0, 1, 0, 2, b'h', b'i']
    );
    // A server may frame its first records with an older minor version:
    // {3, 1} in TLS, DTLS 1.0's {254, 255} around a HelloVerifyRequest.
    let mut opener = Opener::new(Transport::Tls, MAX_FRAGMENT);
    assert_eq!(open(&mut opener, vec![22, 3, 1, 0, 1, 9]).unwrap().1, [9]);
    assert_eq!(
        open(&mut opener, vec![22, 254, 253, 0, 1, 9]),
        Err(RecordError::BadVersion)
    );
    let mut opener = Opener::new(Transport::Dtls, MAX_FRAGMENT);
    let hvr = vec![22, 254, 255, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 3];
    assert_eq!(open(&mut opener, hvr.clone()).unwrap().1, [3]);
    assert_eq!(open(&mut opener, hvr), Err(RecordError::Replayed));
}

#[test]
fn fragments_past_the_limit_are_refused_both_ways() {
    for suite in CipherSuite::OFFERED {
        let (mut sealer, mut opener) = pair(suite, Transport::Tls);
        let mut out = Vec::new();
        let too_long = pattern(MAX_FRAGMENT + 1);
        assert_eq!(
            sealer.seal(ContentType::ApplicationData, &too_long, &mut out),
            Err(RecordError::Overflow)
        );
        assert!(out.is_empty());
        // A peer that ignores max_fragment_length.
        let keys = key_block(suite);
        let mut lax = Sealer::new(Transport::Tls, 1 << 14).next_epoch(&keys.client);
        let record = seal(&mut lax, ContentType::ApplicationData, &too_long);
        assert_eq!(
            open(&mut opener, record),
            Err(RecordError::Overflow),
            "{suite:?}"
        );
    }
    // The header alone tells a record is too long, before its body comes.
    let opener = Opener::new(Transport::Tls, MAX_FRAGMENT);
    assert_eq!(opener.record_len(&[23, 3, 3]), Ok(None));
    assert_eq!(
        opener.record_len(&[23, 3, 3, 0x10, 0x00]),
        Ok(Some(5 + 4096))
    );
    assert_eq!(
        opener.record_len(&[23, 3, 3, 0x10, 0x01]),
        Err(RecordError::Overflow)
    );
}

/// CBC's overhead bound leaves room for a fragment a little past the
/// limit: the check after decryption catches it.
#[test]
fn cbc_checks_the_fragment_length_after_decryption() {
    let keys = key_block(CipherSuite::Aes128CbcSha256);
    let mut lax = Sealer::new(Transport::Dtls, 1 << 14).next_epoch(&keys.client);
    let record = seal(
        &mut lax,
        ContentType::ApplicationData,
        &pattern(MAX_FRAGMENT + 16),
    );
    let mut opener = Opener::new(Transport::Dtls, MAX_FRAGMENT).next_epoch(&keys.client);
    assert!(record.len() <= opener.max_record_len());
    assert_eq!(open(&mut opener, record), Err(RecordError::Overflow));
}

#[test]
fn sequence_numbers_never_wrap() {
    for (transport, last) in [(Transport::Tls, u64::MAX), (Transport::Dtls, (1 << 48) - 1)] {
        let (mut sealer, mut opener) = pair(CipherSuite::Aes128GcmSha256, transport);
        sealer.seq = last - 1;
        opener.next_seq = last - 1;
        let record = seal(&mut sealer, ContentType::ApplicationData, b"last");
        assert_eq!(open(&mut opener, record).unwrap().1, b"last");
        let mut out = Vec::new();
        assert_eq!(
            sealer.seal(ContentType::ApplicationData, b"one more", &mut out),
            Err(RecordError::SequenceExhausted)
        );
        if transport == Transport::Tls {
            let record = vec![23, 3, 3, 0, 0];
            assert_eq!(
                open(&mut opener, record),
                Err(RecordError::SequenceExhausted)
            );
        }
    }
}

#[test]
fn errors_map_to_rfc_5246_alerts() {
    assert_eq!(RecordError::BadRecordMac.alert(), Some(20));
    assert_eq!(RecordError::Overflow.alert(), Some(22));
    assert_eq!(RecordError::Replayed.alert(), None);
    for code in 20..=23 {
        assert_eq!(
            ContentType::from_code(code).map(ContentType::code),
            Some(code)
        );
    }
    assert_eq!(ContentType::from_code(24), None);
}
