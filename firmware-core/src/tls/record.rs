//! The record layer: framing, sequence numbers, epochs and limits, over the
//! protection of [`aead`](super::aead) and [`cbc`](super::cbc).
//!
//! - TLS (RFC 5246 §6.2): `type (1) || version (2) || length (2)`; the
//!   sequence number is implicit, 64 bits, counted per direction from 0 at
//!   each ChangeCipherSpec (§6.1).
//! - DTLS (RFC 6347 §4.1): `type || version || epoch (2) || sequence_number
//!   (6) || length`; the sequence number is explicit, counted from 0 in each
//!   epoch, and what the MAC and the AEAD cover is `epoch || sequence_number`
//!   (§4.1.2.1). Records are checked against a 64-record replay window
//!   before their authentication, and enter it only after (§4.1.2.6).
//!
//! A [`Sealer`] and an [`Opener`] are one direction each. A handshake starts
//! with [`Sealer::new`] and [`Opener::new`] (no protection, epoch 0) and
//! moves to the negotiated keys with `next_epoch` at ChangeCipherSpec,
//! keeping the old one while DTLS may still need it (a retransmitted flight).
//!
//! Limits (TL-6): no fragment longer than the negotiated maximum is sealed
//! or accepted, and no record body longer than that plus the suite's
//! largest overhead is accepted, so one record always fits the buffer the
//! link holds. Sequence numbers never wrap: the last one is refused
//! ([`RecordError::SequenceExhausted`]), since the module does not
//! renegotiate (TL-1).

use alloc::vec::Vec;
use core::ops::Range;

use super::aead::Aead;
use super::cbc::CbcHmac;
use super::replay::ReplayWindow;
use super::{CipherSuite, TrafficKeys, Transport};

/// The record content types (RFC 5246 §6.2.1, A.1).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum ContentType {
    /// change_cipher_spec (20).
    ChangeCipherSpec,
    /// alert (21).
    Alert,
    /// handshake (22).
    Handshake,
    /// application_data (23).
    ApplicationData,
}

impl ContentType {
    /// The byte on the wire.
    pub(crate) const fn code(self) -> u8 {
        match self {
            ContentType::ChangeCipherSpec => 20,
            ContentType::Alert => 21,
            ContentType::Handshake => 22,
            ContentType::ApplicationData => 23,
        }
    }

    /// The content type of `code`, if it is one.
    pub(crate) const fn from_code(code: u8) -> Option<Self> {
        match code {
            20 => Some(ContentType::ChangeCipherSpec),
            21 => Some(ContentType::Alert),
            22 => Some(ContentType::Handshake),
            23 => Some(ContentType::ApplicationData),
            _ => None,
        }
    }
}

/// Why a record was refused, or could not be sealed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum RecordError {
    /// Authentication failed: a bad tag, a bad MAC or bad CBC padding, which
    /// are indistinguishable on purpose.
    BadRecordMac,
    /// A fragment or record longer than the negotiated limit.
    Overflow,
    /// A header that does not parse, or a record whose length field
    /// disagrees with its size.
    Malformed,
    /// A content type that TLS 1.2 does not define.
    UnexpectedType,
    /// A record version that is not the one in use.
    BadVersion,
    /// DTLS: a record of another epoch than this opener's.
    OtherEpoch,
    /// DTLS: a record already received, or older than the window.
    Replayed,
    /// The sequence numbers of this key are used up.
    SequenceExhausted,
}

impl RecordError {
    /// The alert description a TLS endpoint sends for this error (RFC 5246
    /// §7.2.2), or `None` for what is dropped (DTLS, TL-5) or only closes
    /// the link. DTLS drops every invalid record silently (RFC 6347
    /// §4.1.2.7, TL-5); that choice is the caller's.
    pub(crate) const fn alert(self) -> Option<u8> {
        use super::alert::AlertDescription as A;
        match self {
            RecordError::BadRecordMac => Some(A::BAD_RECORD_MAC.0),
            RecordError::Overflow => Some(A::RECORD_OVERFLOW.0),
            RecordError::Malformed => Some(A::DECODE_ERROR.0),
            RecordError::UnexpectedType => Some(A::UNEXPECTED_MESSAGE.0),
            RecordError::BadVersion => Some(A::PROTOCOL_VERSION.0),
            RecordError::OtherEpoch | RecordError::Replayed | RecordError::SequenceExhausted => {
                None
            }
        }
    }
}

/// What the MAC or the AEAD covers besides the fragment: `seq_num (8) ||
/// type || version`, then the fragment's length.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Additional {
    /// TLS: the 64-bit sequence number; DTLS: `epoch << 48 | sequence`.
    pub(crate) seq: u64,
    /// The content type byte.
    pub(crate) content_type: u8,
    /// The record's version.
    pub(crate) version: [u8; 2],
}

impl Additional {
    /// The 13 bytes for a fragment of `len` bytes.
    pub(crate) fn bytes(&self, len: usize) -> [u8; 13] {
        let mut out = [0; 13];
        out[..8].copy_from_slice(&self.seq.to_be_bytes());
        out[8] = self.content_type;
        out[9..11].copy_from_slice(&self.version);
        out[11..].copy_from_slice(&(len as u16).to_be_bytes());
        out
    }
}

/// A record header as it came.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Header {
    /// The content type byte, not yet checked.
    pub(crate) content_type: u8,
    /// The version.
    pub(crate) version: [u8; 2],
    /// DTLS: the epoch; TLS: 0.
    pub(crate) epoch: u16,
    /// DTLS: the 48-bit sequence number; TLS: 0 (implicit).
    pub(crate) seq: u64,
    /// The body length.
    pub(crate) length: usize,
}

impl Header {
    /// The header at the start of `buf`, or `None` if `buf` is shorter.
    pub(crate) fn parse(transport: Transport, buf: &[u8]) -> Option<Header> {
        let h = buf.get(..transport.header_len())?;
        let length = usize::from(u16::from_be_bytes([h[h.len() - 2], h[h.len() - 1]]));
        let (epoch, seq) = match transport {
            Transport::Tls => (0, 0),
            Transport::Dtls => {
                let mut seq = [0; 8];
                seq[2..].copy_from_slice(&h[5..11]);
                (u16::from_be_bytes([h[3], h[4]]), u64::from_be_bytes(seq))
            }
        };
        Some(Header {
            content_type: h[0],
            version: [h[1], h[2]],
            epoch,
            seq,
            length,
        })
    }
}

/// The largest plaintext TLS allows (RFC 5246 §6.2.1).
const MAX_PLAINTEXT: usize = 1 << 14;

/// The highest usable sequence number; the one after it is never used.
const fn last_seq(transport: Transport) -> u64 {
    match transport {
        Transport::Tls => u64::MAX,
        Transport::Dtls => (1 << 48) - 1,
    }
}

/// How records of one epoch are protected.
enum Protection {
    /// Before the first ChangeCipherSpec: plaintext.
    Null,
    Aead(Aead),
    Cbc(CbcHmac),
}

impl Protection {
    fn new(keys: &TrafficKeys) -> Self {
        match keys.suite {
            CipherSuite::Aes128CbcSha256 => Protection::Cbc(CbcHmac::new(keys)),
            _ => Protection::Aead(Aead::new(keys)),
        }
    }
}

/// The sending half of a record layer.
pub(crate) struct Sealer {
    transport: Transport,
    suite: Option<CipherSuite>,
    protection: Protection,
    epoch: u16,
    seq: u64,
    max_fragment: usize,
}

impl Sealer {
    /// Epoch 0: records go out unprotected. No fragment longer than
    /// `max_fragment` is sealed.
    ///
    /// # Panics
    /// If `max_fragment` is above TLS's 2^14 (RFC 5246 §6.2.1).
    pub(crate) fn new(transport: Transport, max_fragment: usize) -> Self {
        assert!(max_fragment <= MAX_PLAINTEXT, "fragment limit above 2^14");
        Sealer {
            transport,
            suite: None,
            protection: Protection::Null,
            epoch: 0,
            seq: 0,
            max_fragment,
        }
    }

    /// The sealer after ChangeCipherSpec: `keys`, sequence number 0, and for
    /// DTLS the next epoch.
    pub(crate) fn next_epoch(&self, keys: &TrafficKeys) -> Self {
        Sealer {
            transport: self.transport,
            suite: Some(keys.suite),
            protection: Protection::new(keys),
            epoch: self.epoch + 1,
            seq: 0,
            max_fragment: self.max_fragment,
        }
    }

    /// The epoch (TLS: how many ChangeCipherSpecs came before).
    pub(crate) fn epoch(&self) -> u16 {
        self.epoch
    }

    /// Appends one record carrying `fragment` to `out`.
    pub(crate) fn seal(
        &mut self,
        content_type: ContentType,
        fragment: &[u8],
        out: &mut Vec<u8>,
    ) -> Result<(), RecordError> {
        self.seal_inner(content_type, fragment, None, out)
    }

    /// [`seal`](Self::seal) with the explicit nonce or IV another
    /// implementation chose, to reproduce its records byte for byte.
    #[cfg(test)]
    pub(crate) fn seal_as(
        &mut self,
        content_type: ContentType,
        fragment: &[u8],
        explicit: &[u8],
        out: &mut Vec<u8>,
    ) -> Result<(), RecordError> {
        self.seal_inner(content_type, fragment, Some(explicit), out)
    }

    fn seal_inner(
        &mut self,
        content_type: ContentType,
        fragment: &[u8],
        explicit: Option<&[u8]>,
        out: &mut Vec<u8>,
    ) -> Result<(), RecordError> {
        if fragment.len() > self.max_fragment {
            return Err(RecordError::Overflow);
        }
        if self.seq == last_seq(self.transport) {
            return Err(RecordError::SequenceExhausted);
        }
        let version = self.transport.version();
        let start = out.len();
        out.push(content_type.code());
        out.extend_from_slice(&version);
        if self.transport == Transport::Dtls {
            out.extend_from_slice(&self.epoch.to_be_bytes());
            out.extend_from_slice(&self.seq.to_be_bytes()[2..]);
        }
        out.extend_from_slice(&[0, 0]);
        let body = out.len();
        let ad = Additional {
            seq: ad_seq(self.transport, self.epoch, self.seq),
            content_type: content_type.code(),
            version,
        };
        // The explicit nonce or IV derives from the sequence number (see
        // `aead` and `cbc`) unless a test gives one.
        match (&self.protection, explicit) {
            (Protection::Null, _) => out.extend_from_slice(fragment),
            (Protection::Aead(p), None) => p.seal(&ad, fragment, out),
            (Protection::Cbc(p), None) => p.seal(&ad, fragment, out),
            (Protection::Aead(p), Some(e)) => {
                p.seal_with_nonce(&ad, e.try_into().expect("8 bytes"), fragment, out)
            }
            (Protection::Cbc(p), Some(e)) => {
                p.seal_with_iv(&ad, e.try_into().expect("16 bytes"), fragment, out)
            }
        }
        let length = u16::try_from(out.len() - body).expect("a record body fits a uint16");
        out[body - 2..body].copy_from_slice(&length.to_be_bytes());
        debug_assert!(out.len() - start <= self.transport.header_len() + self.max_record_body());
        self.seq += 1;
        Ok(())
    }

    fn max_record_body(&self) -> usize {
        self.max_fragment + self.suite.map_or(0, CipherSuite::max_overhead)
    }
}

/// A record opened in place.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Opened {
    /// Its content type.
    pub(crate) content_type: ContentType,
    /// Its sequence number (DTLS: the 48-bit one of its header).
    pub(crate) seq: u64,
    /// Where its plaintext is in the buffer given to [`Opener::open`].
    pub(crate) fragment: Range<usize>,
}

/// The receiving half of a record layer.
pub(crate) struct Opener {
    transport: Transport,
    suite: Option<CipherSuite>,
    protection: Protection,
    epoch: u16,
    /// TLS: the implicit sequence number of the next record.
    next_seq: u64,
    /// DTLS: what this epoch has accepted.
    window: ReplayWindow,
    max_fragment: usize,
}

impl Opener {
    /// Epoch 0: records come unprotected. No fragment longer than
    /// `max_fragment` is accepted.
    ///
    /// # Panics
    /// If `max_fragment` is above TLS's 2^14 (RFC 5246 §6.2.1).
    pub(crate) fn new(transport: Transport, max_fragment: usize) -> Self {
        assert!(max_fragment <= MAX_PLAINTEXT, "fragment limit above 2^14");
        Opener {
            transport,
            suite: None,
            protection: Protection::Null,
            epoch: 0,
            next_seq: 0,
            window: ReplayWindow::new(),
            max_fragment,
        }
    }

    /// The opener after the peer's ChangeCipherSpec: `keys`, sequence
    /// number 0, and for DTLS the next epoch with an empty window.
    pub(crate) fn next_epoch(&self, keys: &TrafficKeys) -> Self {
        Opener {
            transport: self.transport,
            suite: Some(keys.suite),
            protection: Protection::new(keys),
            epoch: self.epoch + 1,
            next_seq: 0,
            window: ReplayWindow::new(),
            max_fragment: self.max_fragment,
        }
    }

    /// The epoch (TLS: how many ChangeCipherSpecs came before).
    #[cfg(test)]
    pub(crate) fn epoch(&self) -> u16 {
        self.epoch
    }

    /// The longest record this opener accepts, header included. A link's
    /// buffer for one incoming record needs the most of any epoch:
    /// `max_fragment` plus [`CipherSuite::max_overhead`] plus the header.
    pub(crate) fn max_record_len(&self) -> usize {
        self.transport.header_len()
            + self.max_fragment
            + self.suite.map_or(0, CipherSuite::max_overhead)
    }

    /// The length of the record at the start of `buf`, header included, or
    /// `None` if `buf` does not yet hold its header. TLS waits for that many
    /// bytes; a DTLS datagram that holds fewer ends in a truncated record,
    /// to be dropped. An error if the header announces a record longer than
    /// [`max_record_len`](Self::max_record_len): TLS closes then (TL-6),
    /// without waiting for the rest.
    pub(crate) fn record_len(&self, buf: &[u8]) -> Result<Option<usize>, RecordError> {
        let Some(header) = Header::parse(self.transport, buf) else {
            return Ok(None);
        };
        let len = self.transport.header_len() + header.length;
        if len > self.max_record_len() {
            return Err(RecordError::Overflow);
        }
        Ok(Some(len))
    }

    /// Checks and decrypts `record`, exactly one record, in place.
    pub(crate) fn open(&mut self, record: &mut [u8]) -> Result<Opened, RecordError> {
        let header_len = self.transport.header_len();
        let header = Header::parse(self.transport, record).ok_or(RecordError::Malformed)?;
        let content_type =
            ContentType::from_code(header.content_type).ok_or(RecordError::UnexpectedType)?;
        let expected = self.transport.version();
        let version_ok = match self.protection {
            // DTLS 1.0's {254, 255} is allowed in a HelloVerifyRequest (RFC
            // 6347 §4.2.1), TLS's {3, x} before the ServerHello: the
            // handshake checks the versions it negotiates.
            Protection::Null => header.version[0] == expected[0],
            _ => header.version == expected,
        };
        if !version_ok {
            return Err(RecordError::BadVersion);
        }
        if header_len + header.length > self.max_record_len() {
            return Err(RecordError::Overflow);
        }
        if record.len() != header_len + header.length {
            return Err(RecordError::Malformed);
        }
        let seq = match self.transport {
            Transport::Tls => {
                if self.next_seq == last_seq(self.transport) {
                    return Err(RecordError::SequenceExhausted);
                }
                self.next_seq
            }
            Transport::Dtls => {
                if header.epoch != self.epoch {
                    return Err(RecordError::OtherEpoch);
                }
                if !self.window.is_fresh(header.seq) {
                    return Err(RecordError::Replayed);
                }
                header.seq
            }
        };
        let ad = Additional {
            seq: ad_seq(self.transport, self.epoch, seq),
            content_type: header.content_type,
            version: header.version,
        };
        let body = &mut record[header_len..];
        let fragment = match &self.protection {
            Protection::Null => 0..body.len(),
            Protection::Aead(p) => p.open(&ad, body)?,
            Protection::Cbc(p) => p.open(&ad, body)?,
        };
        if fragment.len() > self.max_fragment {
            return Err(RecordError::Overflow);
        }
        match self.transport {
            Transport::Tls => self.next_seq += 1,
            Transport::Dtls => self.window.accept(seq),
        }
        Ok(Opened {
            content_type,
            seq,
            fragment: header_len + fragment.start..header_len + fragment.end,
        })
    }
}

/// The `seq_num` the MAC and the AEAD cover.
fn ad_seq(transport: Transport, epoch: u16, seq: u64) -> u64 {
    match transport {
        Transport::Tls => seq,
        Transport::Dtls => u64::from(epoch) << 48 | seq,
    }
}

#[cfg(test)]
mod tests;
