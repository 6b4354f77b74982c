//! TLS 1.2 and DTLS 1.2 with a pre-shared key (contract TL-1..TL-7), as
//! the module's client side: the handshake, the record layer beneath it,
//! and the keys.
//!
//! - [`handshake`]: the client handshake as a sans-IO state machine (bytes
//!   and time in, records out), TLS and DTLS (cookie exchange, fragments,
//!   retransmission); [`messages`] encodes and decodes its messages,
//!   [`alert`] names its failures.
//! - [`prf`]: the TLS 1.2 PRF (P_SHA256) and the key schedule of plain PSK
//!   key exchange (RFC 4279 §2): premaster secret, master secret, key block,
//!   Finished `verify_data`.
//! - [`record`]: the record layer, TLS (RFC 5246 §6.2) and DTLS (RFC 6347
//!   §4.1) framing, sequence numbers and epochs, over the record protection
//!   of [`aead`] (AES-128-GCM, AES-128-CCM_8) and [`cbc`] (AES-128-CBC with
//!   HMAC-SHA256, MAC-then-encrypt).
//! - [`replay`]: the DTLS anti-replay window (64 records, TL-5).
//!
//! Like the rest of the core this is sans-IO and deterministic: nothing here
//! reads a clock or draws randomness. The randoms of the handshake come from
//! the caller; the per-record nonces and IVs derive from sequence numbers
//! (see [`aead`] and [`cbc`] for why that is sound).
//!
//! The protocol is ours and the cryptography is RustCrypto's (`aes`,
//! `aes-gcm`, `ccm`, `cbc`, `hmac`, `sha2`; `ctutils` for constant-time
//! selection). No maintained Rust TLS library covers this: rustls has no
//! TLS 1.2 PSK suites and no DTLS, embedded-tls is TLS 1.3 only, and the
//! `dtls` crate of webrtc-rs needs std and tokio.
//!
//! Keys never leave the module (TL-7): every type that holds key material
//! has a [`Debug`](core::fmt::Debug) that prints its size and not its bytes,
//! and wipes its bytes when dropped.

use core::fmt;

pub(crate) mod aead;
pub(crate) mod alert;
pub(crate) mod cbc;
pub(crate) mod handshake;
pub(crate) mod messages;
pub(crate) mod prf;
pub(crate) mod record;
pub(crate) mod replay;
pub(crate) mod session;
#[cfg(test)]
pub(crate) mod test_server;
#[cfg(test)]
mod vectors;

/// The largest record plaintext either side sends: the max_fragment_length
/// the module offers (RFC 6066 §4, code 4 = 2^12), and the record the module
/// holds each way per link (TL-6). TL-6 calls it a dialect number; it moves
/// into [`Dialect`](crate::Dialect) when the handshake is wired in.
pub(crate) const MAX_FRAGMENT: usize = 4096;

/// The AES-128 key length, the same for every suite offered.
pub(crate) const ENC_KEY_LEN: usize = 16;

/// The HMAC-SHA256 key and tag length (CBC suite only).
pub(crate) const MAC_LEN: usize = 32;

/// The implicit ("salt") part of an AEAD nonce (RFC 5288 §3, RFC 6655 §3).
pub(crate) const FIXED_IV_LEN: usize = 4;

/// A cipher suite the module offers (TL-1). Each is plain PSK key exchange
/// with the TLS 1.2 PRF on SHA-256.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum CipherSuite {
    /// TLS_PSK_WITH_AES_128_GCM_SHA256 (RFC 5487): AES-128-GCM, 16-byte tag.
    Aes128GcmSha256,
    /// TLS_PSK_WITH_AES_128_CCM_8 (RFC 6655): AES-128-CCM, 8-byte tag.
    Aes128Ccm8,
    /// TLS_PSK_WITH_AES_128_CBC_SHA256 (RFC 5487): AES-128-CBC with
    /// HMAC-SHA256, MAC-then-encrypt.
    Aes128CbcSha256,
}

impl CipherSuite {
    /// What the ClientHello offers, in TL-1's order (most preferred first).
    pub(crate) const OFFERED: [CipherSuite; 3] = [
        CipherSuite::Aes128GcmSha256,
        CipherSuite::Aes128Ccm8,
        CipherSuite::Aes128CbcSha256,
    ];

    /// The IANA code point.
    pub(crate) const fn id(self) -> u16 {
        match self {
            CipherSuite::Aes128GcmSha256 => 0x00A8,
            CipherSuite::Aes128Ccm8 => 0xC0A8,
            CipherSuite::Aes128CbcSha256 => 0x00AE,
        }
    }

    /// The suite with code point `id`, if the module offers it.
    pub(crate) fn from_id(id: u16) -> Option<Self> {
        Self::OFFERED.into_iter().find(|s| s.id() == id)
    }

    /// The MAC key length: 0 for the AEAD suites.
    pub(crate) const fn mac_key_len(self) -> usize {
        match self {
            CipherSuite::Aes128CbcSha256 => MAC_LEN,
            _ => 0,
        }
    }

    /// The implicit IV length taken from the key block: 4 for the AEAD
    /// suites, 0 for CBC, whose IV is explicit in each record (RFC 5246 §6.3:
    /// the write IVs "are only generated for implicit nonce techniques").
    pub(crate) const fn fixed_iv_len(self) -> usize {
        match self {
            CipherSuite::Aes128CbcSha256 => 0,
            _ => FIXED_IV_LEN,
        }
    }

    /// The key block length (RFC 5246 §6.3): two MAC keys, two write keys,
    /// two implicit IVs.
    pub(crate) const fn key_block_len(self) -> usize {
        2 * (self.mac_key_len() + ENC_KEY_LEN + self.fixed_iv_len())
    }

    /// The most a record's body can exceed its plaintext: explicit nonce and
    /// tag (AEAD); IV, MAC and at most 256 bytes of padding (CBC).
    pub(crate) const fn max_overhead(self) -> usize {
        match self {
            CipherSuite::Aes128GcmSha256 => aead::EXPLICIT_NONCE_LEN + 16,
            CipherSuite::Aes128Ccm8 => aead::EXPLICIT_NONCE_LEN + 8,
            CipherSuite::Aes128CbcSha256 => cbc::BLOCK + MAC_LEN + 256,
        }
    }
}

/// TLS over TCP or DTLS over UDP: the framing and the version on the wire.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Transport {
    /// TLS 1.2 (RFC 5246).
    Tls,
    /// DTLS 1.2 (RFC 6347).
    Dtls,
}

impl Transport {
    /// The protocol version in record headers and hellos: {3, 3} for
    /// TLS 1.2, {254, 253} for DTLS 1.2.
    pub(crate) const fn version(self) -> [u8; 2] {
        match self {
            Transport::Tls => [3, 3],
            Transport::Dtls => [254, 253],
        }
    }

    /// The record header length: type, version, length; DTLS adds a 2-byte
    /// epoch and a 6-byte sequence number.
    pub(crate) const fn header_len(self) -> usize {
        match self {
            Transport::Tls => 5,
            Transport::Dtls => 13,
        }
    }
}

/// One direction's traffic keys, cut from the key block ([`prf::MasterSecret::key_block`]).
/// Only the fields the suite uses are meaningful; the rest stay zero.
pub(crate) struct TrafficKeys {
    /// The suite these keys are for.
    pub(crate) suite: CipherSuite,
    /// The write MAC key (CBC only).
    pub(crate) mac_key: [u8; MAC_LEN],
    /// The write encryption key.
    pub(crate) enc_key: [u8; ENC_KEY_LEN],
    /// The implicit nonce part (AEAD only).
    pub(crate) fixed_iv: [u8; FIXED_IV_LEN],
}

impl fmt::Debug for TrafficKeys {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TrafficKeys")
            .field("suite", &self.suite)
            .field("keys", &format_args!("<redacted>"))
            .finish()
    }
}

impl Drop for TrafficKeys {
    fn drop(&mut self) {
        wipe(&mut self.mac_key);
        wipe(&mut self.enc_key);
        wipe(&mut self.fixed_iv);
    }
}

/// Both directions' keys: the client's write keys protect what the module
/// sends, the server's what it receives.
#[derive(Debug)]
pub(crate) struct KeyBlock {
    /// client_write_MAC_key, client_write_key, client_write_IV.
    pub(crate) client: TrafficKeys,
    /// server_write_MAC_key, server_write_key, server_write_IV.
    pub(crate) server: TrafficKeys,
}

/// Overwrites key material before its memory is freed. `black_box` keeps
/// the compiler from dropping the stores as dead; it is a best effort, not a
/// guarantee (the `zeroize` crate would give one, at one more dependency).
/// The ciphers' own key schedules are not wiped (the RustCrypto crates do it
/// only with their `zeroize` feature).
pub(crate) fn wipe(bytes: &mut [u8]) {
    bytes.fill(0);
    core::hint::black_box(bytes);
}

#[cfg(test)]
pub(crate) fn unhex(s: &str) -> alloc::vec::Vec<u8> {
    let digits: alloc::vec::Vec<u8> = s.bytes().filter(|b| !b.is_ascii_whitespace()).collect();
    assert!(digits.len().is_multiple_of(2), "odd hex length");
    digits
        .chunks(2)
        .map(|pair| u8::from_str_radix(core::str::from_utf8(pair).unwrap(), 16).unwrap())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloc::format;

    #[test]
    fn suites_are_offered_in_tl1_order() {
        let ids: alloc::vec::Vec<u16> = CipherSuite::OFFERED.iter().map(|s| s.id()).collect();
        assert_eq!(ids, [0x00A8, 0xC0A8, 0x00AE]);
        for suite in CipherSuite::OFFERED {
            assert_eq!(CipherSuite::from_id(suite.id()), Some(suite));
        }
        // TLS_PSK_WITH_AES_256_GCM_SHA384 and a DHE-PSK suite: not offered.
        assert_eq!(CipherSuite::from_id(0x00A9), None);
        assert_eq!(CipherSuite::from_id(0x00AA), None);
    }

    #[test]
    fn key_block_lengths_follow_rfc_5246_6_3() {
        assert_eq!(CipherSuite::Aes128GcmSha256.key_block_len(), 40);
        assert_eq!(CipherSuite::Aes128Ccm8.key_block_len(), 40);
        assert_eq!(CipherSuite::Aes128CbcSha256.key_block_len(), 96);
    }

    #[test]
    fn keys_never_show_in_debug() {
        let keys = TrafficKeys {
            suite: CipherSuite::Aes128CbcSha256,
            mac_key: [0xAB; MAC_LEN],
            enc_key: [0xCD; ENC_KEY_LEN],
            fixed_iv: [0xEF; FIXED_IV_LEN],
        };
        let shown = format!("{keys:?}");
        assert!(shown.contains("Aes128CbcSha256"), "{shown}");
        for needle in ["171", "205", "239", "ab", "AB", "cd", "CD", "ef", "EF"] {
            assert!(!shown.contains(needle), "{needle} in {shown}");
        }
    }
}
