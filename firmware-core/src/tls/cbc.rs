//! Record protection of TLS_PSK_WITH_AES_128_CBC_SHA256: HMAC-SHA256, then
//! AES-128-CBC with an explicit IV per record (RFC 5246 §6.2.3.2). The
//! module offers no encrypt-then-MAC (RFC 7366), so this is MAC-then-encrypt.
//!
//! A protected record's body is `IV (16) || E(fragment || MAC (32) ||
//! padding || padding_length)`. The MAC covers `seq_num (8) || type ||
//! version || length || fragment`, with DTLS's `seq_num` being `epoch ||
//! sequence_number` (RFC 6347 §4.1.2.1).
//!
//! **The IV** is `AES-128_K(0^64 || seq_num)` under the record's own write
//! key K: NIST SP 800-38A, Appendix C, first method ("apply the forward
//! cipher function, under the same key that is used for the encryption of
//! the plaintext, to a nonce"). The sequence number is unique per key, so
//! the IV is unpredictable to anyone without K, which is what TLS 1.1+ asks
//! of it (RFC 5246 §6.2.3.2 and Appendix F.3: a predictable IV opens the
//! chosen-plaintext attack behind BEAST). This needs no randomness, which
//! matters because the module's RNG (SplitMix64 from a seed) is not a
//! cryptographic one.
//!
//! **Opening is Lucky13-aware** (AlFardan and Paterson, 2013). A bad pad and
//! a bad MAC give the same error after the same work:
//! - the padding is checked with masks over the last 256 bytes, whatever
//!   the claimed padding length; a bad one is treated as a zero-length pad
//!   and the MAC is still computed (RFC 5246 §6.2.3.2);
//! - the number of SHA-256 compressions does not depend on the padding:
//!   after the real MAC, a throwaway SHA-256 runs the blocks a maximal-length
//!   fragment would have needed (as s2n and Go's crypto/tls do);
//! - the received MAC is copied out of every position it could start at,
//!   selected by mask, and compared in constant time (`ctutils`).
//!
//! What is left is what those implementations leave too: memory access
//! patterns of the variable-length HMAC update and the loop that feeds the
//! throwaway hash; far below what a network attacker can measure through
//! this module's UART-paced link, and the CBC suite is the one offered last.

use aes::Aes128;
use aes::cipher::{
    Array, BlockCipherEncrypt, BlockModeDecrypt, BlockModeEncrypt, InnerIvInit, KeyInit,
};
use alloc::vec::Vec;
use core::ops::Range;
use ctutils::{Choice, CtEq};
use hmac::{Hmac, Mac};
use sha2::{Digest, Sha256};

use super::{MAC_LEN, TrafficKeys};
use crate::tls::record::{Additional, RecordError};

type HmacSha256 = Hmac<Sha256>;

/// The AES block and IV length.
pub(crate) const BLOCK: usize = 16;

/// The shortest ciphertext after the IV: a MAC and one padding byte, in
/// whole blocks.
const MIN_TEXT: usize = (MAC_LEN + 1).div_ceil(BLOCK) * BLOCK;

/// The most padding bytes, `padding_length` included.
const MAX_PAD: usize = 256;

/// The bytes HMAC-SHA256's inner hash takes before the fragment: the ipad
/// block and the 13-byte pseudo-header.
const INNER_PREFIX: usize = 64 + 13;

/// The cipher and the keyed MAC of one direction.
pub(crate) struct CbcHmac {
    cipher: Aes128,
    mac: HmacSha256,
}

impl CbcHmac {
    /// The protection of `keys`, which must be for the CBC suite.
    pub(crate) fn new(keys: &TrafficKeys) -> Self {
        CbcHmac {
            cipher: Aes128::new(&keys.enc_key.into()),
            mac: <HmacSha256 as KeyInit>::new_from_slice(&keys.mac_key)
                .expect("HMAC takes a key of any length"),
        }
    }

    /// The explicit IV of the record with sequence number `seq` (see the
    /// module documentation).
    fn derive_iv(&self, seq: u64) -> [u8; BLOCK] {
        let mut block = Array::from([0; BLOCK]);
        block[8..].copy_from_slice(&seq.to_be_bytes());
        self.cipher.encrypt_block(&mut block);
        block.into()
    }

    fn mac(&self, ad: &Additional, fragment: &[u8]) -> [u8; MAC_LEN] {
        let mut mac = self.mac.clone();
        mac.update(&ad.bytes(fragment.len()));
        mac.update(fragment);
        mac.finalize().into_bytes().into()
    }

    /// Appends the body protecting `fragment` to `out`.
    pub(crate) fn seal(&self, ad: &Additional, fragment: &[u8], out: &mut Vec<u8>) {
        self.seal_with_iv(ad, &self.derive_iv(ad.seq), fragment, out);
    }

    /// [`seal`](Self::seal) with a given IV: tests use it to reproduce
    /// records another implementation sealed. Pads minimally, as they do.
    pub(crate) fn seal_with_iv(
        &self,
        ad: &Additional,
        iv: &[u8; BLOCK],
        fragment: &[u8],
        out: &mut Vec<u8>,
    ) {
        let mac = self.mac(ad, fragment);
        out.extend_from_slice(iv);
        let start = out.len();
        out.extend_from_slice(fragment);
        out.extend_from_slice(&mac);
        let padding_length = BLOCK - 1 - (fragment.len() + MAC_LEN) % BLOCK;
        out.resize(out.len() + padding_length + 1, padding_length as u8);
        let (blocks, rest) = Array::slice_as_chunks_mut(&mut out[start..]);
        debug_assert!(rest.is_empty());
        cbc::Encryptor::<Aes128>::inner_iv_init(self.cipher.clone(), &(*iv).into())
            .encrypt_blocks(blocks);
    }

    /// Decrypts and authenticates `body` in place; returns where the
    /// plaintext is in it. Every failure is [`RecordError::BadRecordMac`].
    pub(crate) fn open(
        &self,
        ad: &Additional,
        body: &mut [u8],
    ) -> Result<Range<usize>, RecordError> {
        // Lengths are public: checking them leaks nothing.
        if body.len() < BLOCK + MIN_TEXT || !body.len().is_multiple_of(BLOCK) {
            return Err(RecordError::BadRecordMac);
        }
        let (iv, text) = body.split_at_mut(BLOCK);
        let iv = Array::try_from(&*iv).expect("16 bytes");
        let (blocks, _) = Array::slice_as_chunks_mut(text);
        cbc::Decryptor::<Aes128>::inner_iv_init(self.cipher.clone(), &iv).decrypt_blocks(blocks);
        let text = &*text;
        let n = text.len();

        // The padding: `pad + 1` bytes, each `pad`, with room for the MAC.
        let pad = text[n - 1];
        let room = Choice::from_u32_le(u32::from(pad) + 1 + MAC_LEN as u32, n as u32);
        let mut bytes_ok = Choice::TRUE;
        for (i, &byte) in text.iter().rev().take(MAX_PAD).enumerate() {
            let in_pad = Choice::from_u32_le(i as u32, u32::from(pad));
            bytes_ok &= !in_pad | Choice::from_u8_eq(byte, pad);
        }
        let pad_ok = room & bytes_ok;
        // A bad pad counts as `padding_length` 0 (just the length byte).
        let removed = pad_ok.select_u32(1, u32::from(pad) + 1) as usize;
        let len = n - MAC_LEN - removed;

        let expected = self.mac(ad, &text[..len]);
        equalize_compressions(len, n - MAC_LEN - 1);

        // The received MAC starts at `len`, somewhere in the last
        // MAC_LEN + MAX_PAD bytes: read it from every candidate start.
        let mut received = [0u8; MAC_LEN];
        let lowest = (n - MAC_LEN).saturating_sub(MAX_PAD);
        for start in lowest..=n - MAC_LEN - 1 {
            let here = Choice::from_u32_eq(start as u32, len as u32).to_u8_mask();
            for (r, &byte) in received.iter_mut().zip(&text[start..start + MAC_LEN]) {
                *r |= byte & here;
            }
        }
        if (pad_ok & received.ct_eq(&expected)).to_bool() {
            Ok(BLOCK..BLOCK + len)
        } else {
            Err(RecordError::BadRecordMac)
        }
    }
}

/// SHA-256 compressions of HMAC's inner hash over a fragment of `len` bytes.
fn inner_blocks(len: usize) -> usize {
    // The message, 0x80 and the 8-byte length, in 64-byte blocks.
    (INNER_PREFIX + len + 9).div_ceil(64)
}

/// Runs as many throwaway SHA-256 compressions as a MAC over `longest`
/// bytes would have needed beyond one over `len`, so that opening costs the
/// same whatever the padding length was.
fn equalize_compressions(len: usize, longest: usize) {
    let extra = inner_blocks(longest) - inner_blocks(len);
    let mut dummy = Sha256::new();
    for _ in 0..extra {
        dummy.update([0u8; 64]);
    }
    core::hint::black_box(dummy.finalize());
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tls::CipherSuite;
    use alloc::vec;

    fn protection() -> CbcHmac {
        CbcHmac::new(&TrafficKeys {
            suite: CipherSuite::Aes128CbcSha256,
            mac_key: [0x11; 32],
            enc_key: [0x22; 16],
            fixed_iv: [0; 4],
        })
    }

    fn ad() -> Additional {
        Additional {
            seq: 5,
            content_type: 23,
            version: [3, 3],
        }
    }

    /// Seals with a chosen MAC-then-pad layout: `pad_bytes` is the padding
    /// the test wants, possibly malformed.
    fn seal_raw(p: &CbcHmac, fragment: &[u8], mac: [u8; 32], pad_bytes: &[u8]) -> Vec<u8> {
        let iv = [0x33; 16];
        let mut body = iv.to_vec();
        body.extend_from_slice(fragment);
        body.extend_from_slice(&mac);
        body.extend_from_slice(pad_bytes);
        let (blocks, rest) = Array::slice_as_chunks_mut(&mut body[16..]);
        assert!(rest.is_empty());
        cbc::Encryptor::<Aes128>::inner_iv_init(p.cipher.clone(), &iv.into())
            .encrypt_blocks(blocks);
        body
    }

    #[test]
    fn any_valid_padding_length_opens() {
        let p = protection();
        let fragment = b"hello, world";
        let mac = p.mac(&ad(), fragment);
        // 12 + 32 = 44: pads of 4, 20, …, 244 bytes make whole blocks.
        for total in (4..=MAX_PAD).step_by(16) {
            let pad = vec![(total - 1) as u8; total];
            let mut body = seal_raw(&p, fragment, mac, &pad);
            let range = p.open(&ad(), &mut body).unwrap();
            assert_eq!(&body[range], fragment, "padding of {total}");
        }
    }

    #[test]
    fn bad_padding_and_bad_mac_fail_alike() {
        let p = protection();
        let fragment = b"hello, world";
        let mac = p.mac(&ad(), fragment);
        let cases: [(&str, [u8; 32], Vec<u8>); 4] = [
            ("a pad byte off", mac, vec![3, 3, 2, 3]),
            ("pad longer than the record", mac, vec![3, 3, 3, 0xF3]),
            ("bad MAC, good pad", [0; 32], vec![3; 4]),
            ("a shorter pad that looks valid", mac, vec![3, 3, 1, 1]),
        ];
        for (what, mac, pad) in cases {
            let mut body = seal_raw(&p, fragment, mac, &pad);
            assert_eq!(
                p.open(&ad(), &mut body),
                Err(RecordError::BadRecordMac),
                "{what}"
            );
        }
    }

    #[test]
    fn lengths_that_cannot_be_cbc_fail() {
        let p = protection();
        for len in [0, 16, 16 + 32, 16 + 48 + 1, 16 + 48 + 15] {
            let mut body = vec![0; len];
            assert_eq!(p.open(&ad(), &mut body), Err(RecordError::BadRecordMac));
        }
    }

    #[test]
    fn ivs_are_unique_and_not_the_sequence_number() {
        let p = protection();
        let ivs: Vec<[u8; 16]> = (0..64).map(|seq| p.derive_iv(seq)).collect();
        for (i, iv) in ivs.iter().enumerate() {
            assert!(ivs[i + 1..].iter().all(|other| other != iv));
            assert_ne!(iv[8..], (i as u64).to_be_bytes());
        }
    }

    #[test]
    fn throwaway_compressions_make_up_the_difference() {
        // A fragment of 0 and one of 255 bytes differ by 4 blocks.
        assert_eq!(inner_blocks(0), 2);
        assert_eq!(inner_blocks(255), 6);
        assert_eq!(inner_blocks(40), inner_blocks(42));
        assert_eq!(inner_blocks(43), 3);
    }
}
