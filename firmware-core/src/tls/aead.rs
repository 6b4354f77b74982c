//! Record protection of the AEAD suites: AES-128-GCM (RFC 5288) and
//! AES-128-CCM_8 (RFC 6655), as TLS 1.2 uses them (RFC 5246 §6.2.3.3).
//!
//! A protected record's body is `nonce_explicit (8) || ciphertext || tag`
//! (16 bytes for GCM, 8 for CCM_8). The 12-byte nonce is the 4-byte implicit
//! IV from the key block followed by `nonce_explicit`; the additional data
//! is `seq_num (8) || type || version || length` of the plaintext, where
//! DTLS's `seq_num` is `epoch (2) || sequence_number (6)` (RFC 6347
//! §4.1.2.1).
//!
//! `nonce_explicit` is the record's 64-bit sequence number, as RFC 5288 §3
//! allows ("MAY be the 64-bit sequence number") and RFC 6655 §3 inherits: it
//! never repeats under one key, because a sequence number never does (the
//! record layer refuses to wrap it), and it needs no randomness. OpenSSL
//! 3.0 does the same for CCM_8 (`vectors` seals its records again with our
//! nonces and gets its bytes); for GCM it counts from a random start, which
//! the opener accepts like any other nonce.

use aes::Aes128;
use aes_gcm::Aes128Gcm;
use aes_gcm::aead::{AeadInOut, KeyInit, consts::U8, consts::U12};
use alloc::vec::Vec;
use ccm::Ccm;

use super::{CipherSuite, FIXED_IV_LEN, TrafficKeys};
use crate::tls::record::{Additional, RecordError};

/// The explicit nonce carried in each record.
pub(crate) const EXPLICIT_NONCE_LEN: usize = 8;

type Aes128Ccm8 = Ccm<Aes128, U8, U12>;

/// The AEAD and the implicit IV of one direction.
pub(crate) struct Aead {
    cipher: Cipher,
    fixed_iv: [u8; FIXED_IV_LEN],
}

enum Cipher {
    Gcm(Aes128Gcm),
    Ccm8(Aes128Ccm8),
}

impl Aead {
    /// The protection of `keys`, which must be for an AEAD suite.
    pub(crate) fn new(keys: &TrafficKeys) -> Self {
        let cipher = match keys.suite {
            CipherSuite::Aes128GcmSha256 => Cipher::Gcm(Aes128Gcm::new(&keys.enc_key.into())),
            CipherSuite::Aes128Ccm8 => Cipher::Ccm8(Aes128Ccm8::new(&keys.enc_key.into())),
            CipherSuite::Aes128CbcSha256 => unreachable!("CBC is not an AEAD suite"),
        };
        Aead {
            cipher,
            fixed_iv: keys.fixed_iv,
        }
    }

    fn tag_len(&self) -> usize {
        match self.cipher {
            Cipher::Gcm(_) => 16,
            Cipher::Ccm8(_) => 8,
        }
    }

    fn nonce(&self, explicit: &[u8; EXPLICIT_NONCE_LEN]) -> [u8; 12] {
        let mut nonce = [0; 12];
        nonce[..FIXED_IV_LEN].copy_from_slice(&self.fixed_iv);
        nonce[FIXED_IV_LEN..].copy_from_slice(explicit);
        nonce
    }

    /// Appends the body protecting `fragment` to `out`, with the sequence
    /// number as the explicit nonce.
    pub(crate) fn seal(&self, ad: &Additional, fragment: &[u8], out: &mut Vec<u8>) {
        self.seal_with_nonce(ad, &ad.seq.to_be_bytes(), fragment, out);
    }

    /// [`seal`](Self::seal) with a given explicit nonce: tests use it to
    /// reproduce records another implementation sealed.
    pub(crate) fn seal_with_nonce(
        &self,
        ad: &Additional,
        explicit: &[u8; EXPLICIT_NONCE_LEN],
        fragment: &[u8],
        out: &mut Vec<u8>,
    ) {
        let nonce = self.nonce(explicit);
        let aad = ad.bytes(fragment.len());
        out.extend_from_slice(explicit);
        let start = out.len();
        out.extend_from_slice(fragment);
        let text = &mut out[start..];
        // Encryption fails only past the modes' length limits (2^36 bytes
        // for GCM, 2^(8*3) for CCM with a 12-byte nonce); a record is at
        // most 2^14.
        match &self.cipher {
            Cipher::Gcm(c) => {
                let tag = c
                    .encrypt_inout_detached(&nonce.into(), &aad, text.into())
                    .expect("record within GCM limits");
                out.extend_from_slice(&tag);
            }
            Cipher::Ccm8(c) => {
                let tag = c
                    .encrypt_inout_detached(&nonce.into(), &aad, text.into())
                    .expect("record within CCM limits");
                out.extend_from_slice(&tag);
            }
        }
    }

    /// Decrypts and authenticates `body` in place; returns where the
    /// plaintext is in it.
    pub(crate) fn open(
        &self,
        ad: &Additional,
        body: &mut [u8],
    ) -> Result<core::ops::Range<usize>, RecordError> {
        let tag_len = self.tag_len();
        let Some(text_len) = body.len().checked_sub(EXPLICIT_NONCE_LEN + tag_len) else {
            return Err(RecordError::BadRecordMac);
        };
        let (explicit, rest) = body.split_at_mut(EXPLICIT_NONCE_LEN);
        let nonce = self.nonce(&(*explicit).try_into().expect("8 bytes"));
        let (text, tag) = rest.split_at_mut(text_len);
        let aad = ad.bytes(text_len);
        let verified = match &self.cipher {
            Cipher::Gcm(c) => c.decrypt_inout_detached(
                &nonce.into(),
                &aad,
                (&mut *text).into(),
                (&*tag).try_into().expect("16-byte tag"),
            ),
            Cipher::Ccm8(c) => c.decrypt_inout_detached(
                &nonce.into(),
                &aad,
                (&mut *text).into(),
                (&*tag).try_into().expect("8-byte tag"),
            ),
        };
        verified.map_err(|_| RecordError::BadRecordMac)?;
        Ok(EXPLICIT_NONCE_LEN..EXPLICIT_NONCE_LEN + text_len)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tls::unhex;

    fn keys(suite: CipherSuite, key: &str, iv: &str) -> TrafficKeys {
        TrafficKeys {
            suite,
            mac_key: [0; 32],
            enc_key: unhex(key).try_into().unwrap(),
            fixed_iv: unhex(iv).try_into().unwrap(),
        }
    }

    /// The mode itself, against a published vector: AES-128-GCM test case 4
    /// of McGrew and Viega's GCM specification (the source of NIST's GCM
    /// examples), cut to TLS's nonce split. Its 20-byte AAD is not TLS's
    /// 13, so this drives the cipher directly.
    #[test]
    fn gcm_matches_the_gcm_spec_test_case_4() {
        let k = keys(
            CipherSuite::Aes128GcmSha256,
            "feffe9928665731c6d6a8f9467308308",
            "cafebabe",
        );
        let aead = Aead::new(&k);
        let nonce = aead.nonce(&unhex("facedbaddecaf888").try_into().unwrap());
        let mut text = unhex(
            "d9313225f88406e5a55909c5aff5269a86a7a9531534f7da2e4c303d8a318a72
             1c3c0c95956809532fcf0e2449a6b525b16aedf5aa0de657ba637b39",
        );
        let aad = unhex("feedfacedeadbeeffeedfacedeadbeefabaddad2");
        let Cipher::Gcm(c) = &aead.cipher else {
            unreachable!()
        };
        let tag = c
            .encrypt_inout_detached(&nonce.into(), &aad, text.as_mut_slice().into())
            .unwrap();
        assert_eq!(
            text,
            unhex(
                "42831ec2217774244b7221b784d0d49ce3aa212f2c02a4e035c17e2329aca12e
                 21d514b25466931c7d8f6a5aac84aa051ba30b396a0aac973d58e091"
            )
        );
        assert_eq!(tag[..], unhex("5bc94fbc3221a5db94fae95ae7121a47")[..]);
    }
}
