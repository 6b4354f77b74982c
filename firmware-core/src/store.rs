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
//! [`Settings::decode`] accepts exactly this: a blob of another length, with
//! another magic or version, a bad checksum or any out-of-range field decodes
//! as [`Settings::FACTORY`], so a corrupt or foreign store can never wedge the
//! module. A later version must change the version byte.

use core::net::Ipv4Addr;
use crc::{CRC_32_ISO_HDLC, Crc, NoTable};

const MAGIC: [u8; 4] = *b"ATST";
const VERSION: u8 = 1;

// Field offsets, see the module doc.
const OFF_VERSION: usize = 4;
const OFF_SYSSTORE: usize = 5;
const OFF_DNS_MODE: usize = 6;
const OFF_DNS_COUNT: usize = 7;
const OFF_SERVERS: usize = 8;
const OFF_CRC: usize = OFF_SERVERS + 4 * DnsSetting::MAX_SERVERS;

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

/// The settings that survive a restart.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Settings {
    /// `AT+SYSSTORE`: whether configuration commands persist their changes.
    pub sysstore: bool,
    /// `AT+CIPDNS`.
    pub dns: DnsSetting,
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
    };

    /// Size of an encoded blob, see the module doc.
    pub const ENCODED_LEN: usize = OFF_CRC + 4;

    /// Encodes the settings in the current format version.
    ///
    /// A malformed `Manual` (see [`DnsSetting::is_valid`]) is normalised
    /// rather than stored broken: servers after the first `None` are dropped,
    /// and one without a first server is stored as `Automatic`.
    pub fn encode(&self) -> [u8; Self::ENCODED_LEN] {
        let mut out = [0u8; Self::ENCODED_LEN];
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
        let crc = CRC32.checksum(&out[..OFF_CRC]);
        out[OFF_CRC..].copy_from_slice(&crc.to_le_bytes());
        out
    }

    /// Decodes a stored blob.
    ///
    /// A corrupt, truncated, foreign or future-version blob decodes as
    /// factory settings, never a panic.
    pub fn decode(blob: &[u8]) -> Settings {
        Self::try_decode(blob).unwrap_or(Self::FACTORY)
    }

    fn try_decode(blob: &[u8]) -> Option<Settings> {
        let blob: &[u8; Self::ENCODED_LEN] = blob.try_into().ok()?;
        let (body, crc) = blob.split_at(OFF_CRC);
        if body[..OFF_VERSION] != MAGIC || body[OFF_VERSION] != VERSION {
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
        Some(Settings { sysstore, dns })
    }
}

#[cfg(test)]
mod tests;
