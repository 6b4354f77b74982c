//! The handshake messages a PSK client sends and reads (RFC 5246 §7.4,
//! RFC 4279 §2, RFC 6347 §4.2), encoded and decoded. No state here: the
//! order of messages is [`handshake`](super::handshake)'s.
//!
//! The ClientHello the module sends (TL-1, TL-6) is, field by field, the
//! one OpenSSL 3.0's `s_client` sent in the captures of
//! `vectors` (offering the module's suites and
//! max_fragment_length, with extended master secret, encrypt-then-MAC and
//! tickets off), so that a whole client flight can be checked byte for byte
//! against a real session:
//!
//! - version {3, 3} (DTLS {254, 253}), the caller's random, an empty
//!   session ID (no resumption, TL-1), DTLS: the cookie;
//! - the three suites of TL-1 in order, then TLS_EMPTY_RENEGOTIATION_INFO_SCSV
//!   (0x00FF; RFC 5746 §3.4 asks for the SCSV or an empty renegotiation_info
//!   extension in an initial ClientHello: the SCSV is what OpenSSL and
//!   mbed TLS send there, and the servers that choke on unknown extensions
//!   do not choke on a suite they skip);
//! - null compression only;
//! - max_fragment_length, code 4 = 2^12 (RFC 6066 §4, TL-6);
//! - signature_algorithms (RFC 5246 §7.4.1.4.1) with OpenSSL 3.0's default
//!   list. Plain PSK signs nothing, so servers have no use for it (a PSK-only
//!   mbed TLS leaves it out); it is here because the captures carry it, so
//!   that the whole client flight can be compared with them byte for byte.
//!   Dropping it shortens the hello by 46 bytes; the interop tests of
//!   [`handshake`](super::handshake) would then have to put the captured
//!   ClientHello into the transcript instead of the module's.
//!
//! No extended_master_secret, encrypt_then_mac or session_ticket: the key
//! schedule in [`prf`](super::prf) is RFC 5246's, MAC-then-encrypt is what
//! [`cbc`](super::cbc) does, and there is no resumption.

use alloc::vec::Vec;

use super::alert::AlertDescription;
use super::prf::RANDOM_LEN;
use super::{CipherSuite, Transport};

/// Handshake message types (RFC 5246 §7.4, RFC 6347 §4.3.2).
pub(crate) const CLIENT_HELLO: u8 = 1;
pub(crate) const SERVER_HELLO: u8 = 2;
pub(crate) const HELLO_VERIFY_REQUEST: u8 = 3;
pub(crate) const SERVER_KEY_EXCHANGE: u8 = 12;
pub(crate) const SERVER_HELLO_DONE: u8 = 14;
pub(crate) const CLIENT_KEY_EXCHANGE: u8 = 16;
pub(crate) const FINISHED: u8 = 20;

/// TLS_EMPTY_RENEGOTIATION_INFO_SCSV (RFC 5746 §3.3).
const RENEGOTIATION_SCSV: u16 = 0x00FF;

/// Extension types.
const MAX_FRAGMENT_LENGTH: u16 = 1;
const SIGNATURE_ALGORITHMS: u16 = 13;
const RENEGOTIATION_INFO: u16 = 0xFF01;

/// max_fragment_length's code for 2^12 = 4096 bytes (RFC 6066 §4), the
/// [`MAX_FRAGMENT`](super::MAX_FRAGMENT) of TL-6.
pub(crate) const MAX_FRAGMENT_LENGTH_4096: u8 = 4;

/// OpenSSL 3.0's default signature_algorithms list (see the module doc).
const SIGNATURE_SCHEMES: [u16; 20] = [
    0x0403, 0x0503, 0x0603, 0x0807, 0x0808, 0x0809, 0x080A, 0x080B, 0x0804, 0x0805, 0x0806, 0x0401,
    0x0501, 0x0601, 0x0303, 0x0301, 0x0302, 0x0402, 0x0502, 0x0602,
];

/// The longest DTLS cookie (RFC 6347 §4.2.1: `opaque cookie<0..2^8-1>`).
pub(crate) const MAX_COOKIE_LEN: usize = 255;

/// The handshake message header: type and uint24 length; DTLS adds
/// message_seq, fragment_offset and fragment_length (RFC 6347 §4.2.2).
pub(crate) const fn header_len(transport: Transport) -> usize {
    match transport {
        Transport::Tls => 4,
        Transport::Dtls => 12,
    }
}

/// Appends one whole message: header then body. DTLS: unfragmented
/// (fragment_offset 0, fragment_length = length), which is also the form
/// the transcript hashes (RFC 6347 §4.2.6).
pub(crate) fn message(
    transport: Transport,
    msg_type: u8,
    message_seq: u16,
    body: &[u8],
    out: &mut Vec<u8>,
) {
    let len = u24(body.len());
    out.push(msg_type);
    out.extend_from_slice(&len);
    if transport == Transport::Dtls {
        out.extend_from_slice(&message_seq.to_be_bytes());
        out.extend_from_slice(&[0, 0, 0]);
        out.extend_from_slice(&len);
    }
    out.extend_from_slice(body);
}

fn u24(len: usize) -> [u8; 3] {
    assert!(len < 1 << 24, "a handshake message shorter than 2^24");
    let b = (len as u32).to_be_bytes();
    [b[1], b[2], b[3]]
}

/// The ClientHello body (see the module doc). `cookie` is DTLS's (empty in
/// the first ClientHello); TLS has none.
pub(crate) fn client_hello(
    transport: Transport,
    random: &[u8; RANDOM_LEN],
    cookie: &[u8],
) -> Vec<u8> {
    let mut body = Vec::with_capacity(160);
    body.extend_from_slice(&transport.version());
    body.extend_from_slice(random);
    body.push(0); // session_id: empty
    if transport == Transport::Dtls {
        assert!(
            cookie.len() <= MAX_COOKIE_LEN,
            "a cookie of at most 255 bytes"
        );
        body.push(cookie.len() as u8);
        body.extend_from_slice(cookie);
    }
    let suites = CipherSuite::OFFERED
        .iter()
        .map(|s| s.id())
        .chain([RENEGOTIATION_SCSV]);
    body.extend_from_slice(&(2 * (CipherSuite::OFFERED.len() as u16 + 1)).to_be_bytes());
    suites.for_each(|id| body.extend_from_slice(&id.to_be_bytes()));
    body.extend_from_slice(&[1, 0]); // compression_methods: null only

    let mut extensions = Vec::with_capacity(64);
    extension(
        MAX_FRAGMENT_LENGTH,
        &[MAX_FRAGMENT_LENGTH_4096],
        &mut extensions,
    );
    let mut schemes = Vec::with_capacity(2 + 2 * SIGNATURE_SCHEMES.len());
    schemes.extend_from_slice(&(2 * SIGNATURE_SCHEMES.len() as u16).to_be_bytes());
    SIGNATURE_SCHEMES
        .iter()
        .for_each(|s| schemes.extend_from_slice(&s.to_be_bytes()));
    extension(SIGNATURE_ALGORITHMS, &schemes, &mut extensions);
    body.extend_from_slice(&(extensions.len() as u16).to_be_bytes());
    body.extend_from_slice(&extensions);
    body
}

fn extension(ext_type: u16, data: &[u8], out: &mut Vec<u8>) {
    out.extend_from_slice(&ext_type.to_be_bytes());
    out.extend_from_slice(&(data.len() as u16).to_be_bytes());
    out.extend_from_slice(data);
}

/// The ClientKeyExchange body of plain PSK: the identity as
/// `opaque psk_identity<0..2^16-1>` (RFC 4279 §2; TL-2: the `hint`).
pub(crate) fn client_key_exchange(identity: &[u8]) -> Vec<u8> {
    let len = u16::try_from(identity.len()).expect("an identity shorter than 2^16");
    let mut body = Vec::with_capacity(2 + identity.len());
    body.extend_from_slice(&len.to_be_bytes());
    body.extend_from_slice(identity);
    body
}

/// A cursor over a message body; every read fails with decode_error when
/// the body is too short.
struct Reader<'a>(&'a [u8]);

impl<'a> Reader<'a> {
    fn take(&mut self, n: usize) -> Result<&'a [u8], AlertDescription> {
        if self.0.len() < n {
            return Err(AlertDescription::DECODE_ERROR);
        }
        let (head, tail) = self.0.split_at(n);
        self.0 = tail;
        Ok(head)
    }

    fn u8(&mut self) -> Result<u8, AlertDescription> {
        Ok(self.take(1)?[0])
    }

    fn u16(&mut self) -> Result<u16, AlertDescription> {
        let b = self.take(2)?;
        Ok(u16::from_be_bytes([b[0], b[1]]))
    }

    fn vec8(&mut self) -> Result<&'a [u8], AlertDescription> {
        let n = self.u8()?;
        self.take(n.into())
    }

    fn vec16(&mut self) -> Result<&'a [u8], AlertDescription> {
        let n = self.u16()?;
        self.take(n.into())
    }

    /// Fails with decode_error if anything is left.
    fn end(&self) -> Result<(), AlertDescription> {
        if self.0.is_empty() {
            Ok(())
        } else {
            Err(AlertDescription::DECODE_ERROR)
        }
    }
}

/// What the client keeps of a ServerHello.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct ServerHello {
    /// server_random.
    pub(crate) random: [u8; RANDOM_LEN],
    /// The suite chosen, one the ClientHello offered.
    pub(crate) suite: CipherSuite,
    /// Whether the server agreed to max_fragment_length 4096 (RFC 6066 §4).
    /// Without it the server may send records up to 2^14 bytes, which the
    /// module refuses (TL-6).
    pub(crate) max_fragment_length: bool,
}

/// Checks a ServerHello body (RFC 5246 §7.4.1.3): the version in use, a
/// suite offered, null compression, and no extension the ClientHello did
/// not ask for (§7.4.1.4): renegotiation_info, solicited by the SCSV, must
/// be empty (RFC 5746 §3.4); max_fragment_length must echo 4096 (RFC 6066
/// §4).
pub(crate) fn parse_server_hello(
    transport: Transport,
    body: &[u8],
) -> Result<ServerHello, AlertDescription> {
    let mut r = Reader(body);
    if r.take(2)? != transport.version() {
        return Err(AlertDescription::PROTOCOL_VERSION);
    }
    let random: [u8; RANDOM_LEN] = r.take(RANDOM_LEN)?.try_into().expect("32 bytes");
    if r.vec8()?.len() > 32 {
        return Err(AlertDescription::DECODE_ERROR);
    }
    let suite = CipherSuite::from_id(r.u16()?).ok_or(AlertDescription::ILLEGAL_PARAMETER)?;
    if r.u8()? != 0 {
        return Err(AlertDescription::ILLEGAL_PARAMETER);
    }
    let mut hello = ServerHello {
        random,
        suite,
        max_fragment_length: false,
    };
    if r.0.is_empty() {
        return Ok(hello);
    }
    let mut extensions = Reader(r.vec16()?);
    r.end()?;
    let mut seen_renegotiation_info = false;
    while !extensions.0.is_empty() {
        let ext_type = extensions.u16()?;
        let data = extensions.vec16()?;
        match ext_type {
            RENEGOTIATION_INFO if !seen_renegotiation_info => {
                seen_renegotiation_info = true;
                // renegotiated_connection<0..255>, empty in a first handshake.
                if data != [0] {
                    return Err(AlertDescription::HANDSHAKE_FAILURE);
                }
            }
            MAX_FRAGMENT_LENGTH if !hello.max_fragment_length => {
                if data != [MAX_FRAGMENT_LENGTH_4096] {
                    return Err(AlertDescription::ILLEGAL_PARAMETER);
                }
                hello.max_fragment_length = true;
            }
            // The same extension twice (RFC 5246 §7.4.1.4).
            RENEGOTIATION_INFO | MAX_FRAGMENT_LENGTH => {
                return Err(AlertDescription::DECODE_ERROR);
            }
            _ => return Err(AlertDescription::UNSUPPORTED_EXTENSION),
        }
    }
    Ok(hello)
}

/// Checks a ServerKeyExchange body of plain PSK: `opaque
/// psk_identity_hint<0..2^16-1>` (RFC 4279 §2). The hint is accepted and
/// ignored (TL-2).
pub(crate) fn parse_server_key_exchange(body: &[u8]) -> Result<(), AlertDescription> {
    let mut r = Reader(body);
    r.vec16()?;
    r.end()
}

/// Checks a ServerHelloDone body: empty (RFC 5246 §7.4.5).
pub(crate) fn parse_server_hello_done(body: &[u8]) -> Result<(), AlertDescription> {
    Reader(body).end()
}

/// The cookie of a HelloVerifyRequest (RFC 6347 §4.2.1). Its version may
/// be DTLS 1.0's {254, 255} or 1.2's {254, 253}: it does not commit the
/// server to a version.
pub(crate) fn parse_hello_verify_request(body: &[u8]) -> Result<&[u8], AlertDescription> {
    let mut r = Reader(body);
    let version = r.take(2)?;
    if version != [254, 255] && version != Transport::Dtls.version() {
        return Err(AlertDescription::PROTOCOL_VERSION);
    }
    let cookie = r.vec8()?;
    r.end()?;
    Ok(cookie)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tls::unhex;

    /// The ClientHello of the TLS_GCM capture, after its record header.
    const CAPTURED_HELLO: &str =
        "0100006403032582198ade63c23e1f35510a03dc0c467253cf6fe0a37b1e5dcd4356a5
        76414f00000800a8c0a800ae00ff010000330001000104000d002a00280403050306030807080808
        09080a080b080408050806040105010601030303010302040205020602";

    #[test]
    fn the_client_hello_is_the_captured_one() {
        let want = unhex(CAPTURED_HELLO);
        let random: [u8; 32] = want[6..38].try_into().unwrap();
        let mut got = Vec::new();
        let body = client_hello(Transport::Tls, &random, &[]);
        message(Transport::Tls, CLIENT_HELLO, 0, &body, &mut got);
        assert_eq!(got, want);
    }

    #[test]
    fn a_dtls_client_hello_carries_the_cookie() {
        let mut got = Vec::new();
        let body = client_hello(Transport::Dtls, &[7; 32], &[0xC0, 0x0C]);
        message(Transport::Dtls, CLIENT_HELLO, 1, &body, &mut got);
        assert_eq!(got[..12], [1, 0, 0, 0x67, 0, 1, 0, 0, 0, 0, 0, 0x67]);
        assert_eq!(got[12..14], [254, 253]);
        assert_eq!(got[46..50], [0, 2, 0xC0, 0x0C]);
    }

    fn server_hello(extensions: &str) -> Vec<u8> {
        let mut body = unhex("0303");
        body.extend([9; 32]);
        body.extend(unhex("0400000000 00a8 00"));
        body.extend(unhex(extensions));
        body
    }

    #[test]
    fn a_server_hello_is_checked() {
        let ok = parse_server_hello(Transport::Tls, &server_hello("")).unwrap();
        assert_eq!(ok.random, [9; 32]);
        assert_eq!(ok.suite, CipherSuite::Aes128GcmSha256);
        assert!(!ok.max_fragment_length);
        let echoed = server_hello("000a ff01000100 0001000104");
        assert!(
            parse_server_hello(Transport::Tls, &echoed)
                .unwrap()
                .max_fragment_length
        );

        let fails = |body: &[u8]| parse_server_hello(Transport::Tls, body).unwrap_err();
        let mut v = server_hello("");
        v[1] = 1; // TLS 1.0
        assert_eq!(fails(&v), AlertDescription::PROTOCOL_VERSION);
        let mut v = server_hello("");
        v[38..40].copy_from_slice(&[0x00, 0xA9]); // a suite not offered
        assert_eq!(fails(&v), AlertDescription::ILLEGAL_PARAMETER);
        let mut v = server_hello("");
        v[40] = 1; // deflate
        assert_eq!(fails(&v), AlertDescription::ILLEGAL_PARAMETER);
        // Unsolicited: extended_master_secret, session_ticket.
        for ext in ["0004 00170000", "0004 00230000"] {
            assert_eq!(
                fails(&server_hello(ext)),
                AlertDescription::UNSUPPORTED_EXTENSION
            );
        }
        // max_fragment_length other than 4096, a non-empty
        // renegotiation_info, a repeated extension, bad lengths.
        assert_eq!(
            fails(&server_hello("0005 0001000103")),
            AlertDescription::ILLEGAL_PARAMETER
        );
        assert_eq!(
            fails(&server_hello("0006 ff0100020100")),
            AlertDescription::HANDSHAKE_FAILURE
        );
        assert_eq!(
            fails(&server_hello("000a 0001000104 0001000104")),
            AlertDescription::DECODE_ERROR
        );
        assert_eq!(
            fails(&server_hello("0006 0001000104")),
            AlertDescription::DECODE_ERROR
        );
        assert_eq!(
            fails(&server_hello("0005 0001000104 00")),
            AlertDescription::DECODE_ERROR
        );
        assert_eq!(fails(&v[..20]), AlertDescription::DECODE_ERROR);
    }

    #[test]
    fn server_key_exchange_hint_and_done() {
        assert_eq!(parse_server_key_exchange(&unhex("0003616263")), Ok(()));
        assert_eq!(parse_server_key_exchange(&unhex("0000")), Ok(()));
        assert_eq!(
            parse_server_key_exchange(&unhex("000361")),
            Err(AlertDescription::DECODE_ERROR)
        );
        assert_eq!(parse_server_hello_done(&[]), Ok(()));
        assert_eq!(
            parse_server_hello_done(&[0]),
            Err(AlertDescription::DECODE_ERROR)
        );
        assert_eq!(client_key_exchange(b"module"), unhex("00066d6f64756c65"));
    }

    #[test]
    fn hello_verify_request_cookie() {
        let body = unhex("feff148420381a7d3dae1936eaad7b518f2bbca7d4f2fd");
        assert_eq!(parse_hello_verify_request(&body).unwrap(), &body[3..]);
        assert_eq!(
            parse_hello_verify_request(&unhex("0303 00")),
            Err(AlertDescription::PROTOCOL_VERSION)
        );
        assert_eq!(
            parse_hello_verify_request(&unhex("fefd 05 0102")),
            Err(AlertDescription::DECODE_ERROR)
        );
    }
}
