//! The TLS 1.2 PRF and the key schedule of plain PSK key exchange.
//!
//! - PRF(secret, label, seed) = P_SHA256(secret, label + seed) (RFC 5246 §5).
//!   Every suite the module offers uses SHA-256 (TL-1).
//! - premaster secret = uint16 N, N zero bytes, uint16 N, psk (RFC 4279 §2).
//! - master secret = PRF(premaster, "master secret", client_random +
//!   server_random)[0..48] (RFC 5246 §8.1). The module offers no extended
//!   master secret (RFC 7627), so this is the one in use.
//! - key block = PRF(master, "key expansion", server_random +
//!   client_random), cut in the order of RFC 5246 §6.3.
//! - verify_data = PRF(master, "client finished" | "server finished",
//!   SHA-256(handshake messages))[0..12] (RFC 5246 §7.4.9).

use alloc::vec::Vec;
use core::fmt;

use hmac::{Hmac, KeyInit, Mac};
use sha2::Sha256;

use super::{CipherSuite, ENC_KEY_LEN, FIXED_IV_LEN, KeyBlock, MAC_LEN, TrafficKeys, wipe};

type HmacSha256 = Hmac<Sha256>;

/// The master secret length (RFC 5246 §8.1).
pub(crate) const MASTER_SECRET_LEN: usize = 48;

/// The length of `verify_data` in Finished (RFC 5246 §7.4.9).
pub(crate) const VERIFY_DATA_LEN: usize = 12;

/// The hello random length (RFC 5246 §7.4.1.2).
pub(crate) const RANDOM_LEN: usize = 32;

/// The longest PSK (PK-2 allows 48 bytes; RFC 4279 §5.3 asks for at least
/// 64 to be supported, and this takes any length that fits a uint16).
const MAX_PSK_LEN: usize = u16::MAX as usize;

/// Which side's Finished.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Side {
    /// The module: it is always the client.
    Client,
    /// The peer.
    Server,
}

/// `PRF(secret, label, seed)` into `out` (RFC 5246 §5); `seed` is the
/// concatenation of its parts.
pub(crate) fn prf(secret: &[u8], label: &[u8], seed: &[&[u8]], out: &mut [u8]) {
    let keyed = HmacSha256::new_from_slice(secret).expect("HMAC takes a key of any length");
    // A(1) = HMAC(secret, label + seed); A(i) = HMAC(secret, A(i-1)).
    let mut mac = keyed.clone();
    mac.update(label);
    seed.iter().for_each(|part| mac.update(part));
    let mut a = mac.finalize().into_bytes();
    for chunk in out.chunks_mut(32) {
        let mut mac = keyed.clone();
        mac.update(&a);
        mac.update(label);
        seed.iter().for_each(|part| mac.update(part));
        let mut block = mac.finalize().into_bytes();
        chunk.copy_from_slice(&block[..chunk.len()]);
        wipe(&mut block);
        let mut mac = keyed.clone();
        mac.update(&a);
        a = mac.finalize().into_bytes();
    }
    wipe(&mut a);
}

/// The premaster secret of plain PSK (RFC 4279 §2).
pub(crate) struct PremasterSecret(Vec<u8>);

impl PremasterSecret {
    /// `uint16 N, N zero bytes, uint16 N, psk` for a `psk` of N bytes.
    ///
    /// # Panics
    /// If `psk` is longer than 65535 bytes (PK-2 bounds it to 48).
    pub(crate) fn from_psk(psk: &[u8]) -> Self {
        assert!(psk.len() <= MAX_PSK_LEN, "PSK longer than a uint16");
        let n = (psk.len() as u16).to_be_bytes();
        let mut bytes = Vec::with_capacity(4 + 2 * psk.len());
        bytes.extend_from_slice(&n);
        bytes.resize(2 + psk.len(), 0);
        bytes.extend_from_slice(&n);
        bytes.extend_from_slice(psk);
        PremasterSecret(bytes)
    }

    /// The master secret (RFC 5246 §8.1).
    pub(crate) fn master_secret(
        &self,
        client_random: &[u8; RANDOM_LEN],
        server_random: &[u8; RANDOM_LEN],
    ) -> MasterSecret {
        let mut master = [0; MASTER_SECRET_LEN];
        prf(
            &self.0,
            b"master secret",
            &[client_random, server_random],
            &mut master,
        );
        MasterSecret(master)
    }
}

impl fmt::Debug for PremasterSecret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "PremasterSecret(<{} bytes>)", self.0.len())
    }
}

impl Drop for PremasterSecret {
    fn drop(&mut self) {
        wipe(&mut self.0);
    }
}

/// The master secret of a session.
pub(crate) struct MasterSecret([u8; MASTER_SECRET_LEN]);

impl MasterSecret {
    /// A master secret known from elsewhere (a test's keylog line).
    #[cfg(test)]
    pub(crate) fn from_bytes(bytes: [u8; MASTER_SECRET_LEN]) -> Self {
        MasterSecret(bytes)
    }

    /// The secret's bytes, for tests to compare with another
    /// implementation's keylog.
    #[cfg(test)]
    pub(crate) fn bytes(&self) -> &[u8; MASTER_SECRET_LEN] {
        &self.0
    }

    /// The traffic keys of `suite` (RFC 5246 §6.3).
    pub(crate) fn key_block(
        &self,
        suite: CipherSuite,
        client_random: &[u8; RANDOM_LEN],
        server_random: &[u8; RANDOM_LEN],
    ) -> KeyBlock {
        let mut block = [0; 2 * (MAC_LEN + ENC_KEY_LEN + FIXED_IV_LEN)];
        let block = &mut block[..suite.key_block_len()];
        prf(
            &self.0,
            b"key expansion",
            &[server_random, client_random],
            block,
        );
        let mut client = empty_keys(suite);
        let mut server = empty_keys(suite);
        let (mac, iv) = (suite.mac_key_len(), suite.fixed_iv_len());
        let mut rest: &[u8] = block;
        for dst in [&mut client.mac_key[..mac], &mut server.mac_key[..mac]]
            .into_iter()
            .chain([&mut client.enc_key[..], &mut server.enc_key[..]])
            .chain([&mut client.fixed_iv[..iv], &mut server.fixed_iv[..iv]])
        {
            let (src, tail) = rest.split_at(dst.len());
            dst.copy_from_slice(src);
            rest = tail;
        }
        debug_assert!(rest.is_empty());
        wipe(block);
        KeyBlock { client, server }
    }

    /// The `verify_data` of `side`'s Finished, given the SHA-256 of every
    /// handshake message before it (RFC 5246 §7.4.9).
    pub(crate) fn verify_data(
        &self,
        side: Side,
        handshake_hash: &[u8; 32],
    ) -> [u8; VERIFY_DATA_LEN] {
        let label: &[u8] = match side {
            Side::Client => b"client finished",
            Side::Server => b"server finished",
        };
        let mut out = [0; VERIFY_DATA_LEN];
        prf(&self.0, label, &[handshake_hash], &mut out);
        out
    }
}

fn empty_keys(suite: CipherSuite) -> TrafficKeys {
    TrafficKeys {
        suite,
        mac_key: [0; MAC_LEN],
        enc_key: [0; ENC_KEY_LEN],
        fixed_iv: [0; FIXED_IV_LEN],
    }
}

impl fmt::Debug for MasterSecret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("MasterSecret(<redacted>)")
    }
}

impl Drop for MasterSecret {
    fn drop(&mut self) {
        wipe(&mut self.0);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tls::unhex;
    use alloc::format;

    /// The P_SHA256 vector posted to the IETF TLS list (msg03416), as
    /// BearSSL's test/test_crypto.c (`do_KAT_PRF(&br_tls12_sha256_prf, …)`)
    /// and Bouncy Castle's PRF test carry it; `openssl kdf -keylen 100
    /// -kdfopt digest:SHA256 -kdfopt hexsecret:9bbe… -kdfopt "seed:test
    /// label" -kdfopt hexseed:a0ba… TLS1-PRF` (OpenSSL 3.0.19) prints the
    /// same 100 bytes.
    #[test]
    fn p_sha256_matches_the_published_vector() {
        let secret = unhex("9bbe436ba940f017b17652849a71db35");
        let seed = unhex("a0ba9f936cda311827a6f796ffd5198c");
        let want = unhex(
            "e3f229ba727be17b8d122620557cd453c2aab21d07c3d495329b52d4e61edb5a
             6b301791e90d35c9c9a46b4e14baf9af0fa022f7077def17abfd3797c0564bab
             4fbc91666e9def9b97fce34f796789baa48082d122ee42c5a72e5a5110fff701
             87347b66",
        );
        let mut out = [0; 100];
        prf(&secret, b"test label", &[&seed], &mut out);
        assert_eq!(out[..], want[..]);
        // Any prefix is the same stream; seed parts concatenate.
        let mut short = [0; 33];
        prf(
            &secret,
            b"test label",
            &[&seed[..5], &seed[5..]],
            &mut short,
        );
        assert_eq!(short[..], want[..33]);
    }

    #[test]
    fn psk_premaster_is_rfc_4279_section_2() {
        let pre = PremasterSecret::from_psk(&[0xAA, 0xBB, 0xCC]);
        assert_eq!(pre.0, [0, 3, 0, 0, 0, 0, 3, 0xAA, 0xBB, 0xCC]);
        let pre = PremasterSecret::from_psk(&[7; 48]);
        assert_eq!(pre.0.len(), 100);
        assert_eq!(&pre.0[..2], &[0, 48]);
        assert!(pre.0[2..50].iter().all(|&b| b == 0));
        assert_eq!(&pre.0[50..52], &[0, 48]);
        assert!(pre.0[52..].iter().all(|&b| b == 7));
    }

    /// The key block is one PRF stream cut in RFC 5246 §6.3's order.
    #[test]
    fn key_block_is_cut_in_rfc_order() {
        let master = MasterSecret([0x42; 48]);
        let (cr, sr) = ([1; 32], [2; 32]);
        let mut stream = [0; 96];
        prf(&master.0, b"key expansion", &[&sr, &cr], &mut stream);

        let cbc = master.key_block(CipherSuite::Aes128CbcSha256, &cr, &sr);
        assert_eq!(cbc.client.mac_key[..], stream[..32]);
        assert_eq!(cbc.server.mac_key[..], stream[32..64]);
        assert_eq!(cbc.client.enc_key[..], stream[64..80]);
        assert_eq!(cbc.server.enc_key[..], stream[80..96]);
        assert_eq!(cbc.client.fixed_iv, [0; 4]);

        let gcm = master.key_block(CipherSuite::Aes128GcmSha256, &cr, &sr);
        assert_eq!(gcm.client.mac_key, [0; 32]);
        assert_eq!(gcm.client.enc_key[..], stream[..16]);
        assert_eq!(gcm.server.enc_key[..], stream[16..32]);
        assert_eq!(gcm.client.fixed_iv[..], stream[32..36]);
        assert_eq!(gcm.server.fixed_iv[..], stream[36..40]);
        assert_eq!(gcm.client.suite, CipherSuite::Aes128GcmSha256);
    }

    #[test]
    fn verify_data_labels_differ_per_side() {
        let master = MasterSecret([9; 48]);
        let hash = [3; 32];
        let client = master.verify_data(Side::Client, &hash);
        let mut want = [0; 12];
        prf(&master.0, b"client finished", &[&hash], &mut want);
        assert_eq!(client, want);
        assert_ne!(client, master.verify_data(Side::Server, &hash));
    }

    #[test]
    fn secrets_never_show_in_debug() {
        let pre = PremasterSecret::from_psk(b"secretkey");
        let master = pre.master_secret(&[0; 32], &[0; 32]);
        let shown = format!("{pre:?} {master:?}");
        assert_eq!(
            shown,
            "PremasterSecret(<22 bytes>) MasterSecret(<redacted>)"
        );
    }
}
