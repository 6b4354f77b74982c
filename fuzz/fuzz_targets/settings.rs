//! The stored-settings decoder (`Settings::decode`): any blob decodes
//! without a panic, a blob that decodes to something else than factory
//! state is exactly what `encode` writes for it, and any valid settings
//! (built from the same bytes with `arbitrary`) survive `encode`/`decode`.
#![no_main]

use std::net::Ipv4Addr;
use std::num::NonZeroU32;

use arbitrary::{Arbitrary, Unstructured};
use firmware_core::{DnsSetting, Settings, StationSettings};

/// `Settings`, as `arbitrary` builds it.
#[derive(Debug, Arbitrary)]
struct Shape {
    sysstore: bool,
    manual: bool,
    servers: [Option<[u8; 4]>; 3],
    station: Option<Station>,
    line_rate: Option<u32>,
}

/// A station's settings, brought into their ranges.
#[derive(Debug, Arbitrary)]
struct Station {
    mode: u8,
    ap: Option<(Vec<u8>, Vec<u8>)>,
    auto_connect: bool,
    reconnect_interval: u16,
    reconnect_repeat: u16,
    dhcp: u8,
}

impl Station {
    fn settings(self) -> StationSettings {
        let ap = self.ap.map(|(mut ssid, mut password)| {
            ssid.truncate(32);
            if ssid.is_empty() {
                ssid.push(b'x');
            }
            password.truncate(64);
            (ssid, password)
        });
        StationSettings {
            mode: self.mode % 4,
            ap,
            auto_connect: self.auto_connect,
            reconnect_interval: self.reconnect_interval % 7201,
            reconnect_repeat: self.reconnect_repeat % 1001,
            dhcp: self.dhcp % 4,
        }
    }
}

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    let decoded = Settings::decode(data);
    assert!(decoded.dns.is_valid(), "{decoded:?}");
    if decoded != Settings::FACTORY {
        assert_eq!(&decoded.encode()[..], data, "a blob has one reading");
    }
    // Whatever decodes, encodes to a blob that decodes to it again.
    assert_eq!(Settings::decode(&decoded.encode()), decoded);

    let Ok(shape) = Shape::arbitrary(&mut Unstructured::new(data)) else {
        return;
    };
    let dns = if shape.manual {
        DnsSetting::Manual {
            servers: shape.servers.map(|s| s.map(Ipv4Addr::from)),
        }
    } else {
        DnsSetting::Automatic
    };
    let settings = Settings {
        sysstore: shape.sysstore,
        dns,
        station: shape.station.map(Station::settings),
        line_rate: shape.line_rate.and_then(NonZeroU32::new),
    };
    let blob = settings.encode();
    let back = Settings::decode(&blob);
    if settings.dns.is_valid() {
        assert_eq!(back, settings, "valid settings round-trip");
    } else {
        // A malformed `Manual` is normalised (see `Settings::encode`): the
        // leading servers, or automatic when there are none.
        let servers: Vec<Ipv4Addr> = settings.dns.servers().collect();
        let want = DnsSetting::manual(&servers).unwrap_or(DnsSetting::Automatic);
        assert_eq!(back.dns, want);
        assert_eq!(back.sysstore, settings.sysstore);
        assert_eq!(back.station, settings.station);
        assert_eq!(back.line_rate, settings.line_rate);
    }
    assert_eq!(back.encode(), blob, "encode is canonical");
});
