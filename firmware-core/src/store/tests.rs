use super::*;
use proptest::prelude::*;
use rstest::rstest;
use std::vec::Vec;

const FACTORY_BLOB: [u8; 24] = [
    b'A', b'T', b'S', b'T', 1, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 56, 186, 76, 184,
];

/// sysstore off, manual DNS 8.8.8.8 then 1.1.1.1; CRC computed independently (zlib).
const MANUAL_BLOB: [u8; 24] = [
    b'A', b'T', b'S', b'T', 1, 0, 1, 2, 8, 8, 8, 8, 1, 1, 1, 1, 0, 0, 0, 0, 133, 177, 197, 116,
];

fn manual_example() -> Settings {
    Settings {
        sysstore: false,
        dns: DnsSetting::manual(&[Ipv4Addr::new(8, 8, 8, 8), Ipv4Addr::new(1, 1, 1, 1)]).unwrap(),
        station: None,
        line_rate: None,
    }
}

/// `blob` with `edit` applied to its body and the CRC recomputed, so the edit
/// reaches field validation.
fn resealed(mut blob: [u8; 24], edit: impl FnOnce(&mut [u8])) -> [u8; 24] {
    edit(&mut blob[..OFF_CRC]);
    let crc = CRC32.checksum(&blob[..OFF_CRC]);
    blob[OFF_CRC..].copy_from_slice(&crc.to_le_bytes());
    blob
}

#[test]
fn golden_blobs() {
    assert_eq!(Settings::ENCODED_LEN, 24);
    assert_eq!(*Settings::FACTORY.encode(), FACTORY_BLOB);
    assert_eq!(Settings::decode(&FACTORY_BLOB), Settings::FACTORY);
    assert_eq!(*manual_example().encode(), MANUAL_BLOB);
    assert_eq!(Settings::decode(&MANUAL_BLOB), manual_example());
    assert_eq!(Settings::default(), Settings::FACTORY);
}

#[rstest]
#[case::empty(&[])]
#[case::truncated(&MANUAL_BLOB[..23])]
#[case::header_only(&MANUAL_BLOB[..5])]
#[case::erased_flash(&[0xff; 24])]
#[case::zeroed(&[0; 24])]
fn short_or_blank_is_factory(#[case] blob: &[u8]) {
    assert_eq!(Settings::decode(blob), Settings::FACTORY);
}

#[test]
fn trailing_bytes_are_refused() {
    let mut long = MANUAL_BLOB.to_vec();
    long.push(0);
    assert_eq!(Settings::decode(&long), Settings::FACTORY);
}

#[rstest]
#[case::foreign_magic(|b: &mut [u8]| b[0] = b'X')]
#[case::future_version(|b: &mut [u8]| b[OFF_VERSION] = 2)]
#[case::version_zero(|b: &mut [u8]| b[OFF_VERSION] = 0)]
#[case::sysstore_2(|b: &mut [u8]| b[OFF_SYSSTORE] = 2)]
#[case::dns_mode_2(|b: &mut [u8]| b[OFF_DNS_MODE] = 2)]
#[case::count_4(|b: &mut [u8]| b[OFF_DNS_COUNT] = 4)]
#[case::count_255(|b: &mut [u8]| b[OFF_DNS_COUNT] = 255)]
#[case::manual_count_0(|b: &mut [u8]| b[OFF_DNS_COUNT] = 0)]
#[case::automatic_count_2(|b: &mut [u8]| b[OFF_DNS_MODE] = DNS_AUTOMATIC)]
#[case::unused_slot_set(|b: &mut [u8]| b[OFF_CRC - 1] = 7)]
fn invalid_fields_are_factory(#[case] edit: fn(&mut [u8])) {
    let blob = resealed(MANUAL_BLOB, edit);
    assert_eq!(Settings::decode(&blob), Settings::FACTORY);
}

#[test]
fn automatic_with_address_is_factory() {
    let blob = resealed(FACTORY_BLOB, |b| {
        b[OFF_SYSSTORE] = 0;
        b[OFF_SERVERS] = 1;
    });
    assert_eq!(Settings::decode(&blob), Settings::FACTORY);
    // Control: the same edit without the stray address is accepted.
    let blob = resealed(FACTORY_BLOB, |b| b[OFF_SYSSTORE] = 0);
    assert!(!Settings::decode(&blob).sysstore);
}

#[rstest]
#[case(&[], None)]
#[case(&[[1, 2, 3, 4]], Some([Some([1, 2, 3, 4]), None, None]))]
#[case(&[[1, 1, 1, 1], [0, 0, 0, 0], [9, 9, 9, 9]], Some([Some([1, 1, 1, 1]), Some([0, 0, 0, 0]), Some([9, 9, 9, 9])]))]
#[case(&[[1, 1, 1, 1]; 4], None)]
fn manual_constructor(#[case] servers: &[[u8; 4]], #[case] expected: Option<[Option<[u8; 4]>; 3]>) {
    let addrs: Vec<Ipv4Addr> = servers.iter().copied().map(Ipv4Addr::from).collect();
    let expected = expected.map(|s| DnsSetting::Manual {
        servers: s.map(|o| o.map(Ipv4Addr::from)),
    });
    let got = DnsSetting::manual(&addrs);
    assert_eq!(got, expected);
    if let Some(dns) = got {
        assert!(dns.is_valid());
        assert!(dns.servers().eq(addrs.iter().copied()));
    }
}

#[rstest]
#[case::no_first([None, Some([1, 1, 1, 1]), None], None)]
#[case::gap([Some([1, 1, 1, 1]), None, Some([2, 2, 2, 2])], Some([Some([1, 1, 1, 1]), None, None]))]
#[case::all_none([None, None, None], None)]
fn malformed_manual_is_normalised(
    #[case] servers: [Option<[u8; 4]>; 3],
    #[case] stored: Option<[Option<[u8; 4]>; 3]>,
) {
    let to_addrs = |s: [Option<[u8; 4]>; 3]| s.map(|o| o.map(Ipv4Addr::from));
    let malformed = DnsSetting::Manual {
        servers: to_addrs(servers),
    };
    assert!(!malformed.is_valid());
    let settings = Settings {
        sysstore: false,
        dns: malformed,
        station: None,
        line_rate: None,
    };
    let expected = stored.map_or(DnsSetting::Automatic, |s| DnsSetting::Manual {
        servers: to_addrs(s),
    });
    // The sysstore flag survives: a bad DNS value must not reset everything.
    assert_eq!(
        Settings::decode(&settings.encode()),
        Settings {
            sysstore: false,
            dns: expected,
            station: None,
            line_rate: None,
        }
    );
}

fn valid_settings() -> impl Strategy<Value = Settings> {
    let dns = prop_oneof![
        Just(DnsSetting::Automatic),
        prop::collection::vec(any::<[u8; 4]>().prop_map(Ipv4Addr::from), 1..=3)
            .prop_map(|s| DnsSetting::manual(&s).unwrap()),
    ];
    let text = |max: usize| prop::collection::vec(any::<u8>(), 0..=max);
    let ap = prop::option::of((text(32).prop_filter("an SSID", |s| !s.is_empty()), text(64)));
    let station = prop::option::of(
        (
            0u8..=3,
            ap,
            any::<bool>(),
            0u16..=7200,
            0u16..=1000,
            0u8..=3,
        )
            .prop_map(
                |(mode, ap, auto_connect, reconnect_interval, reconnect_repeat, dhcp)| {
                    StationSettings {
                        mode,
                        ap,
                        auto_connect,
                        reconnect_interval,
                        reconnect_repeat,
                        dhcp,
                    }
                },
            ),
    );
    let rate = proptest::option::of(1..=u32::MAX).prop_map(|r| r.and_then(NonZeroU32::new));
    (any::<bool>(), dns, station, rate).prop_map(|(sysstore, dns, station, line_rate)| Settings {
        sysstore,
        dns,
        station,
        line_rate,
    })
}

proptest! {
    #[test]
    fn round_trip(s in valid_settings()) {
        prop_assert_eq!(Settings::decode(&s.encode()), s);
    }

    #[test]
    fn any_blob_decodes(blob in prop::collection::vec(any::<u8>(), 0..64)) {
        let _ = Settings::decode(&blob);
    }

    /// Checksummed blobs with arbitrary fields: whatever decodes to something
    /// other than factory must be exactly what `encode` writes for it.
    #[test]
    fn accepted_blobs_are_canonical(fields in any::<[u8; 15]>(), sysstore in 0u8..3, mode in 0u8..3, count in 0u8..5) {
        let blob = resealed(FACTORY_BLOB, |b| {
            b[OFF_SYSSTORE..].copy_from_slice(&fields);
            b[OFF_SYSSTORE] = sysstore;
            b[OFF_DNS_MODE] = mode;
            b[OFF_DNS_COUNT] = count;
            if fields[0] & 1 == 0 {
                // Often zero the unused slots, so valid blobs are common.
                b[OFF_SERVERS + 4 * usize::from(count).min(3)..].fill(0);
            }
        });
        let decoded = Settings::decode(&blob);
        prop_assert!(decoded.dns.is_valid());
        if decoded != Settings::FACTORY {
            prop_assert_eq!(&*decoded.encode(), &blob[..]);
        }
    }

    #[test]
    fn single_bit_flip_is_factory(s in valid_settings(), bit in 0..Settings::MAX_ENCODED_LEN * 8) {
        let mut blob = s.encode().to_vec();
        let bit = bit % (blob.len() * 8);
        blob[bit / 8] ^= 1 << (bit % 8);
        prop_assert_eq!(Settings::decode(&blob), Settings::FACTORY);
    }
}

#[test]
fn every_single_bit_flip_is_factory() {
    for s in [
        Settings {
            sysstore: false,
            dns: DnsSetting::Automatic,
            station: None,
            line_rate: None,
        },
        manual_example(),
        station_example(),
        rate_example(),
        Settings {
            line_rate: NonZeroU32::new(921_600),
            ..manual_example()
        },
    ] {
        let good = s.encode().to_vec();
        for bit in 0..good.len() * 8 {
            let mut blob = good.clone();
            blob[bit / 8] ^= 1 << (bit % 8);
            assert_eq!(Settings::decode(&blob), Settings::FACTORY, "bit {bit}");
        }
    }
}

fn station_example() -> Settings {
    Settings {
        station: Some(StationSettings {
            mode: 3,
            ap: Some((b"lab".to_vec(), b"labpass1".to_vec())),
            auto_connect: false,
            reconnect_interval: 1,
            reconnect_repeat: 100,
            dhcp: 1,
        }),
        ..manual_example()
    }
}

/// Version 2: the station's fields where the module doc puts them, and a
/// module without a station still writing version 1.
#[test]
fn version_2_holds_the_station() {
    let blob = station_example().encode();
    assert_eq!(blob.len(), 129);
    assert_eq!(blob[OFF_VERSION], 2);
    assert_eq!(&blob[20..28], &[3, 0, 1, 1, 0, 100, 0, 3]);
    assert_eq!(&blob[28..31], b"lab");
    assert_eq!(blob[60], 8);
    assert_eq!(Settings::decode(&blob), station_example());
    let no_ap = Settings {
        station: Some(StationSettings::FACTORY),
        ..Settings::FACTORY
    };
    assert_eq!(no_ap.encode()[27], 0xFF);
    assert_eq!(Settings::decode(&no_ap.encode()), no_ap);
    assert_eq!(Settings::FACTORY.encode().len(), Settings::ENCODED_LEN);
}

fn rate_example() -> Settings {
    Settings {
        line_rate: NonZeroU32::new(921_600),
        ..station_example()
    }
}

/// Version 3: the line rate after the station; without a station the mode
/// byte says so; without a rate versions 1 and 2 are written as before.
#[test]
fn version_3_holds_the_line_rate() {
    let blob = rate_example().encode();
    assert_eq!(blob.len(), Settings::MAX_ENCODED_LEN);
    assert_eq!(blob.len(), 133);
    assert_eq!(blob[OFF_VERSION], 3);
    assert_eq!(
        &blob[..125],
        &{
            let mut v2 = station_example().encode().to_vec();
            v2[OFF_VERSION] = 3;
            v2.truncate(125);
            v2
        }[..]
    );
    assert_eq!(&blob[125..129], &921_600u32.to_le_bytes());
    assert_eq!(Settings::decode(&blob), rate_example());

    let no_station = Settings {
        line_rate: NonZeroU32::new(9600),
        ..Settings::FACTORY
    };
    let blob = no_station.encode();
    assert_eq!((blob.len(), blob[OFF_VERSION], blob[20]), (133, 3, 0xFF));
    assert!(blob[21..125].iter().all(|&b| b == 0));
    assert_eq!(Settings::decode(&blob), no_station);

    // A zero rate is not a blob `encode` writes.
    let mut zero = blob.to_vec();
    zero[125..129].fill(0);
    let crc = crc::Crc::<u32>::new(&crc::CRC_32_ISO_HDLC).checksum(&zero[..129]);
    zero[129..].copy_from_slice(&crc.to_le_bytes());
    assert_eq!(Settings::decode(&zero), Settings::FACTORY);
    assert_eq!(station_example().encode()[OFF_VERSION], 2);
}
