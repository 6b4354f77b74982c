//! Persisted settings as a small versioned byte format (contract B-5, DN-4).
//!
//! The driver stores an opaque blob in non-volatile memory; this module owns
//! its meaning. The layout is a compatibility promise: a module updated in
//! the field must read what the previous firmware wrote.
//!
//! Version 1, [`Settings::ENCODED_LEN`] = 24 bytes:
//!
//! | offset | size | field                                                      |
//! |-------:|-----:|------------------------------------------------------------|
//! |      0 |    4 | magic `b"ATST"`                                            |
//! |      4 |    1 | version, `1`                                               |
//! |      5 |    1 | `AT+SYSSTORE` flag: `0` or `1`                             |
//! |      6 |    1 | `AT+CIPDNS` mode: `0` automatic, `1` manual                |
//! |      7 |    1 | DNS server count: `0` when automatic, `1..=3` when manual  |
//! |      8 |   12 | three IPv4 addresses, network byte order, zero when unused |
//! |     20 |    4 | CRC-32/ISO-HDLC of bytes `0..20`, little-endian            |
//!
//! Version 2, 129 bytes, adds the Wi-Fi
//! station's settings (a dialect with a station, esp-at.md EB-7): bytes
//! `0..20` as version 1 with version `2`, then
//!
//! | offset | size | field                                                      |
//! |-------:|-----:|------------------------------------------------------------|
//! |     20 |    1 | `AT+CWMODE`: `0..=3`                                       |
//! |     21 |    1 | `AT+CWAUTOCONN`: `0` or `1`                                |
//! |     22 |    1 | `AT+CWDHCP` mask: `0..=3`                                  |
//! |     23 |    2 | reconnection interval, seconds, `0..=7200`, little-endian  |
//! |     25 |    2 | reconnection tries, `0..=1000`, little-endian              |
//! |     27 |    1 | SSID length `1..=32`, or `0xFF`: no access point stored    |
//! |     28 |   32 | the SSID, zero after its length                            |
//! |     60 |    1 | password length `0..=64`                                   |
//! |     61 |   64 | the password, zero after its length                        |
//! |    125 |    4 | CRC-32/ISO-HDLC of bytes `0..125`, little-endian           |
//!
//! Version 3, [`Settings::MAX_ENCODED_LEN`] = 133 bytes, adds the UART's
//! stored rate (`AT+UART_DEF`, esp-at.md EH-5): bytes `0..125` as version 2
//! with version `3`, then
//!
//! | offset | size | field                                                      |
//! |-------:|-----:|------------------------------------------------------------|
//! |    125 |    4 | line rate, bits per second, non-zero, little-endian        |
//! |    129 |    4 | CRC-32/ISO-HDLC of bytes `0..129`, little-endian           |
//!
//! In version 3 a module without stored station settings writes `0xFF` at
//! offset 20 (`AT+CWMODE`) and zero in bytes `21..125`.
//!
//! A module without a station or a stored rate writes version 1, so the
//! seed dialect's blob is what it always was; version 2 is written with a
//! station and no stored rate.
//!
//! [`Settings::decode`] accepts exactly these: a blob of another length, with
//! another magic or version, a bad checksum or any out-of-range field decodes
//! as [`Settings::FACTORY`], so a corrupt or foreign store can never wedge the
//! module. A later version must change the version byte.

use alloc::vec::Vec;
use core::net::Ipv4Addr;
use core::num::NonZeroU32;
use crc::{CRC_32_ISO_HDLC, Crc, NoTable};

const MAGIC: [u8; 4] = *b"ATST";
const VERSION: u8 = 1;
const VERSION_STATION: u8 = 2;
const VERSION_RATE: u8 = 3;

// Field offsets, see the module doc.
const OFF_VERSION: usize = 4;
const OFF_SYSSTORE: usize = 5;
const OFF_DNS_MODE: usize = 6;
const OFF_DNS_COUNT: usize = 7;
const OFF_SERVERS: usize = 8;
const OFF_CRC: usize = OFF_SERVERS + 4 * DnsSetting::MAX_SERVERS;
// Version 2's station, after the DNS servers.
const OFF_STATION: usize = OFF_CRC;
const OFF_SSID_LEN: usize = OFF_STATION + 7;
const OFF_SSID: usize = OFF_SSID_LEN + 1;
const OFF_PASSWORD_LEN: usize = OFF_SSID + MAX_SSID;
const OFF_PASSWORD: usize = OFF_PASSWORD_LEN + 1;
const OFF_CRC2: usize = OFF_PASSWORD + MAX_PASSWORD;
// Version 3's line rate, after the station.
const OFF_RATE: usize = OFF_CRC2;
const OFF_CRC3: usize = OFF_RATE + 4;
/// Version 3's `AT+CWMODE` byte when no station settings are stored.
const NO_STATION: u8 = 0xFF;
const MAX_SSID: usize = 32;
const MAX_PASSWORD: usize = 64;
const NO_AP: u8 = 0xFF;

const DNS_AUTOMATIC: u8 = 0;
const DNS_MANUAL: u8 = 1;

/// Table-less: the blob is 20 bytes and read once at boot, so 1 KiB of flash
/// for a lookup table would buy nothing.
const CRC32: Crc<u32, NoTable> = Crc::<u32, NoTable>::new(&CRC_32_ISO_HDLC);

/// The `AT+CIPDNS` setting.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DnsSetting {
    /// Use the servers offered by DHCP.
    Automatic,
    /// Use these servers: 1 to 3 leading `Some`, then `None`. Build it with
    /// [`DnsSetting::manual`] to keep that shape.
    Manual {
        /// The configured servers, in order of preference.
        servers: [Option<Ipv4Addr>; 3],
    },
}

impl DnsSetting {
    /// The most DNS servers `AT+CIPDNS` can set.
    pub const MAX_SERVERS: usize = 3;

    /// A manual setting with `servers` in order, or `None` unless there are
    /// 1 to [`Self::MAX_SERVERS`] of them.
    pub fn manual(servers: &[Ipv4Addr]) -> Option<Self> {
        if servers.is_empty() || servers.len() > Self::MAX_SERVERS {
            return None;
        }
        let mut slots = [None; Self::MAX_SERVERS];
        for (slot, &addr) in slots.iter_mut().zip(servers) {
            *slot = Some(addr);
        }
        Some(Self::Manual { servers: slots })
    }

    /// The manual servers in order: the leading `Some` run, nothing when
    /// automatic. Anything after a `None` is ignored.
    pub fn servers(&self) -> impl Iterator<Item = Ipv4Addr> + '_ {
        let slots: &[Option<Ipv4Addr>] = match self {
            Self::Automatic => &[],
            Self::Manual { servers } => servers,
        };
        slots.iter().map_while(|s| *s)
    }

    /// Returns `true` unless this is a `Manual` without a first server or
    /// with a server after a `None`.
    pub fn is_valid(&self) -> bool {
        match self {
            Self::Automatic => true,
            Self::Manual { servers } => {
                let n = self.servers().count();
                n > 0 && servers[n..].iter().all(Option::is_none)
            }
        }
    }
}

/// The Wi-Fi station's stored settings (esp-at.md EB-7, EW-14, EW-15,
/// EH-2).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StationSettings {
    /// `AT+CWMODE`, 0 to 3.
    pub mode: u8,
    /// The access point of the last successful join: SSID (1 to 32 bytes)
    /// and password (at most 64).
    pub ap: Option<(Vec<u8>, Vec<u8>)>,
    /// `AT+CWAUTOCONN`.
    pub auto_connect: bool,
    /// `AT+CWRECONNCFG`: seconds between tries (at most 7200), and how many
    /// (at most 1000, 0 for no limit).
    pub reconnect_interval: u16,
    /// See `reconnect_interval`.
    pub reconnect_repeat: u16,
    /// `AT+CWDHCP`'s mask, 0 to 3.
    pub dhcp: u8,
}

impl StationSettings {
    /// From the factory (EW-1, EW-14, EW-15, EH-2).
    pub const FACTORY: StationSettings = StationSettings {
        mode: 1,
        ap: None,
        auto_connect: true,
        reconnect_interval: 0,
        reconnect_repeat: 0,
        dhcp: 3,
    };

    fn is_valid(&self) -> bool {
        self.mode <= 3
            && self.dhcp <= 3
            && self.reconnect_interval <= 7200
            && self.reconnect_repeat <= 1000
            && self.ap.as_ref().is_none_or(|(ssid, password)| {
                (1..=MAX_SSID).contains(&ssid.len()) && password.len() <= MAX_PASSWORD
            })
    }
}

/// The settings that survive a restart.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Settings {
    /// `AT+SYSSTORE`: whether configuration commands persist their changes.
    pub sysstore: bool,
    /// `AT+CIPDNS`.
    pub dns: DnsSetting,
    /// The Wi-Fi station's, once a dialect with one stored any; `None` is
    /// [`StationSettings::FACTORY`].
    pub station: Option<StationSettings>,
    /// The UART's rate after power-on and restarts (`AT+UART_DEF`); `None`
    /// is the dialect's `line_rate`.
    pub line_rate: Option<NonZeroU32>,
}

/// An encoded [`Settings`]: the bytes to store.
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct Blob {
    bytes: [u8; Settings::MAX_ENCODED_LEN],
    len: usize,
}

impl core::ops::Deref for Blob {
    type Target = [u8];

    fn deref(&self) -> &[u8] {
        &self.bytes[..self.len]
    }
}

impl core::fmt::Debug for Blob {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        write!(f, "Blob({:02x?})", &**self)
    }
}

impl Default for Settings {
    fn default() -> Self {
        Self::FACTORY
    }
}

impl Settings {
    /// Factory defaults, also the result of decoding any invalid blob.
    pub const FACTORY: Settings = Settings {
        sysstore: true,
        dns: DnsSetting::Automatic,
        station: None,
        line_rate: None,
    };

    /// Size of a version 1 blob (no station), see the module doc.
    pub const ENCODED_LEN: usize = OFF_CRC + 4;

    /// Size of the longest blob, a version 3 one, see the module doc.
    pub const MAX_ENCODED_LEN: usize = OFF_CRC3 + 4;

    /// The blob for these settings: version 3 with a stored line rate, else
    /// version 1 without a station, version 2 with one.
    pub fn encode(&self) -> Blob {
        let mut out = [0u8; Self::MAX_ENCODED_LEN];
        out[..OFF_VERSION].copy_from_slice(&MAGIC);
        out[OFF_VERSION] = VERSION;
        out[OFF_SYSSTORE] = u8::from(self.sysstore);
        let mut count = 0;
        for (slot, addr) in out[OFF_SERVERS..OFF_CRC]
            .chunks_exact_mut(4)
            .zip(self.dns.servers())
        {
            slot.copy_from_slice(&addr.octets());
            count += 1;
        }
        if count > 0 {
            out[OFF_DNS_MODE] = DNS_MANUAL;
            out[OFF_DNS_COUNT] = count;
        }
        let mut end = OFF_CRC;
        if let Some(st) = &self.station {
            out[OFF_VERSION] = VERSION_STATION;
            out[OFF_STATION] = st.mode;
            out[OFF_STATION + 1] = u8::from(st.auto_connect);
            out[OFF_STATION + 2] = st.dhcp;
            out[OFF_STATION + 3..OFF_STATION + 5]
                .copy_from_slice(&st.reconnect_interval.to_le_bytes());
            out[OFF_STATION + 5..OFF_STATION + 7]
                .copy_from_slice(&st.reconnect_repeat.to_le_bytes());
            match &st.ap {
                Some((ssid, password)) => {
                    // Lengths as `is_valid` holds them; longer is cut.
                    let ssid = &ssid[..ssid.len().min(MAX_SSID)];
                    let password = &password[..password.len().min(MAX_PASSWORD)];
                    out[OFF_SSID_LEN] = ssid.len() as u8;
                    out[OFF_SSID..OFF_SSID + ssid.len()].copy_from_slice(ssid);
                    out[OFF_PASSWORD_LEN] = password.len() as u8;
                    out[OFF_PASSWORD..OFF_PASSWORD + password.len()].copy_from_slice(password);
                }
                None => out[OFF_SSID_LEN] = NO_AP,
            }
            end = OFF_CRC2;
        }
        if let Some(rate) = self.line_rate {
            out[OFF_VERSION] = VERSION_RATE;
            if self.station.is_none() {
                out[OFF_STATION] = NO_STATION;
            }
            out[OFF_RATE..OFF_CRC3].copy_from_slice(&rate.get().to_le_bytes());
            end = OFF_CRC3;
        }
        let crc = CRC32.checksum(&out[..end]);
        out[end..end + 4].copy_from_slice(&crc.to_le_bytes());
        Blob {
            bytes: out,
            len: end + 4,
        }
    }

    /// The settings a blob holds; [`Settings::FACTORY`] for anything
    /// `encode` could not have written (see the module doc).
    pub fn decode(blob: &[u8]) -> Settings {
        Self::try_decode(blob).unwrap_or(Self::FACTORY)
    }

    fn try_decode(blob: &[u8]) -> Option<Settings> {
        let end = match blob.get(OFF_VERSION) {
            Some(&VERSION) => OFF_CRC,
            Some(&VERSION_STATION) => OFF_CRC2,
            Some(&VERSION_RATE) => OFF_CRC3,
            _ => return None,
        };
        if blob.len() != end + 4 {
            return None;
        }
        let (body, crc) = blob.split_at(end);
        if body[..OFF_VERSION] != MAGIC {
            return None;
        }
        if crc != CRC32.checksum(body).to_le_bytes() {
            return None;
        }
        let sysstore = match body[OFF_SYSSTORE] {
            0 => false,
            1 => true,
            _ => return None,
        };
        let count = usize::from(body[OFF_DNS_COUNT]);
        let valid_count = match body[OFF_DNS_MODE] {
            DNS_AUTOMATIC => count == 0,
            DNS_MANUAL => (1..=DnsSetting::MAX_SERVERS).contains(&count),
            _ => false,
        };
        if !valid_count {
            return None;
        }
        let mut servers = [None; DnsSetting::MAX_SERVERS];
        for (i, (slot, raw)) in servers
            .iter_mut()
            .zip(body[OFF_SERVERS..].chunks_exact(4))
            .enumerate()
        {
            let octets: [u8; 4] = raw.try_into().ok()?;
            if i < count {
                *slot = Some(Ipv4Addr::from(octets));
            } else if octets != [0; 4] {
                // Unused slots are zero: anything else is not what we wrote.
                return None;
            }
        }
        let dns = if count == 0 {
            DnsSetting::Automatic
        } else {
            DnsSetting::Manual { servers }
        };
        let (station, line_rate) = match body.get(OFF_STATION..) {
            Some(rest) if rest.len() > OFF_RATE - OFF_STATION => {
                let (st, rate) = rest.split_at(OFF_RATE - OFF_STATION);
                let rate = NonZeroU32::new(u32::from_le_bytes(rate.try_into().ok()?))?;
                let station = if st[0] == NO_STATION {
                    // No station: the rest of its bytes are zero.
                    if st[1..].iter().any(|&b| b != 0) {
                        return None;
                    }
                    None
                } else {
                    Some(decode_station(st)?)
                };
                (station, Some(rate))
            }
            Some(st) if !st.is_empty() => (Some(decode_station(st)?), None),
            _ => (None, None),
        };
        Some(Settings {
            sysstore,
            dns,
            station,
            line_rate,
        })
    }
}

/// Version 2's station fields, `st` from [`OFF_STATION`] to the CRC.
fn decode_station(st: &[u8]) -> Option<StationSettings> {
    let at = |off: usize| st[off - OFF_STATION];
    let u16_at = |off: usize| u16::from_le_bytes([at(off), at(off + 1)]);
    let auto_connect = match at(OFF_STATION + 1) {
        0 => false,
        1 => true,
        _ => return None,
    };
    // Unused bytes must be zero: one settings value, one blob.
    let text = |len_at: usize, from: usize, max: usize| -> Option<Vec<u8>> {
        let len = usize::from(at(len_at));
        let field = &st[from - OFF_STATION..from - OFF_STATION + max];
        (len <= max && field[len..].iter().all(|&b| b == 0)).then(|| field[..len].to_vec())
    };
    let ap = if at(OFF_SSID_LEN) == NO_AP {
        let blank = st[OFF_SSID - OFF_STATION..].iter().all(|&b| b == 0);
        if !blank {
            return None;
        }
        None
    } else {
        Some((
            text(OFF_SSID_LEN, OFF_SSID, MAX_SSID)?,
            text(OFF_PASSWORD_LEN, OFF_PASSWORD, MAX_PASSWORD)?,
        ))
    };
    let s = StationSettings {
        mode: at(OFF_STATION),
        ap,
        auto_connect,
        reconnect_interval: u16_at(OFF_STATION + 3),
        reconnect_repeat: u16_at(OFF_STATION + 5),
        dhcp: at(OFF_STATION + 2),
    };
    s.is_valid().then_some(s)
}

#[cfg(test)]
mod tests;
