//! An SNTP server (RFC 4330) over UDP, on a settable [`Clock`].
//!
//! It answers as a stratum-1 server with a local reference clock: every
//! timestamp it sends is the clock's time at the instant the request is
//! handled (receive and transmit are equal: the server takes no time). It
//! is written apart from the module's client so that each checks the other.
//!
//! Read first: RFC 4330 §4 (message format) and §5 (server operations).

use std::cell::RefCell;
use std::io;
use std::net::SocketAddr;
use std::rc::Rc;

use super::{Clock, Net, Shared};

/// An NTP message without the optional authenticator (RFC 4330 §4).
const MESSAGE_LEN: usize = 48;

/// Seconds from the NTP prime epoch (1900-01-01) to the Unix epoch
/// (RFC 5905 §6, 70 years with 17 leap days).
const UNIX_TO_NTP: i64 = 2_208_988_800;

/// Precision field: log2 of the clock's resolution, 2^-20 s ≈ 1 µs, the
/// resolution [`Clock`] keeps.
const PRECISION: i8 = -20;

/// Reference identifier of a stratum-1 server on an uncalibrated local
/// clock (RFC 4330 §4, "LOCL").
const REFERENCE_ID: &[u8; 4] = b"LOCL";

/// A datagram at most this long is read whole; a longer one is a request
/// with extensions or an authenticator, only the first 48 bytes matter.
const MAX_DATAGRAM: usize = 1024;

/// Answers every valid client request to `at` (port
/// [`SNTP_PORT`](super::SNTP_PORT) in the world) with `clock`'s time at the
/// network's [now](Net::now), read anew for each request so a scenario may
/// reset the clock between steps.
pub(super) async fn serve<N: Net>(
    at: SocketAddr,
    clock: Rc<RefCell<Clock>>,
    shared: Shared,
) -> io::Result<()> {
    let socket = N::bind_udp(at).await?;
    let mut buf = vec![0; MAX_DATAGRAM];
    loop {
        let (n, from) = super::net::recv::<N>(&socket, &mut buf).await?;
        {
            let mut s = shared.borrow_mut();
            s.received.extend_from_slice(&buf[..n]);
            s.datagrams.push(n);
        }
        let now = clock.borrow().unix_micros_at(N::now());
        if let Some(reply) = reply(&buf[..n], now) {
            // A reply that cannot go is lost, as on a wire.
            let _ = N::send_to(&socket, &reply, from).await;
        }
    }
}

/// The reply to `request` when the clock reads `unix_micros`, or `None` if
/// it is not a client request a server answers: shorter than 48 bytes, not
/// mode 3 (client), or a version other than 3 or 4 (RFC 4330 §5: the server
/// may discard such requests, and does).
fn reply(request: &[u8], unix_micros: i64) -> Option<[u8; MESSAGE_LEN]> {
    if request.len() < MESSAGE_LEN {
        return None;
    }
    let version = (request[0] >> 3) & 0b111;
    let mode = request[0] & 0b111;
    if mode != 3 || !(3..=4).contains(&version) {
        return None;
    }
    let now = timestamp(unix_micros).to_be_bytes();
    let mut reply = [0; MESSAGE_LEN];
    // LI 0 (no warning), the request's version, mode 4 (server).
    reply[0] = (version << 3) | 4;
    reply[1] = 1; // stratum 1: a primary server on a reference clock
    reply[2] = request[2]; // poll interval, copied from the request
    reply[3] = PRECISION.to_be_bytes()[0];
    // Root delay and root dispersion (bytes 4..12) are 0: the reference
    // clock is local.
    reply[12..16].copy_from_slice(REFERENCE_ID);
    reply[16..24].copy_from_slice(&now); // reference: the clock is always right
    reply[24..32].copy_from_slice(&request[40..48]); // originate = client's transmit
    reply[32..40].copy_from_slice(&now); // receive
    reply[40..48].copy_from_slice(&now); // transmit
    Some(reply)
}

/// An NTP timestamp (RFC 4330 §3): seconds since 1900 in the high 32 bits,
/// modulo 2^32 (so a time after 2036-02-07 is in era 1 and wraps, as the
/// RFC's §3 prescribes), and the fraction of a second in the low 32 bits,
/// rounded up: a client that truncates to microseconds, as most do, then
/// reads back the clock's exact microsecond (one unit of 2^-32 s is far
/// below one).
fn timestamp(unix_micros: i64) -> u64 {
    let secs = unix_micros.div_euclid(1_000_000) + UNIX_TO_NTP;
    let micros = unix_micros.rem_euclid(1_000_000) as u64;
    // At most ceil(999_999 * 2^32 / 10^6) < 2^32: never carries into secs.
    let fraction = (micros << 32).div_ceil(1_000_000);
    ((secs.rem_euclid(1 << 32) as u64) << 32) | fraction
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A version-4 client request with transmit timestamp `t` and poll 6.
    fn request(first: u8, t: u64) -> [u8; MESSAGE_LEN] {
        let mut r = [0; MESSAGE_LEN];
        r[0] = first;
        r[2] = 6;
        r[40..48].copy_from_slice(&t.to_be_bytes());
        r
    }

    #[test]
    fn test_timestamp_of_the_unix_epoch() {
        assert_eq!(timestamp(0), (UNIX_TO_NTP as u64) << 32);
        assert_eq!(timestamp(500_000), ((UNIX_TO_NTP as u64) << 32) | (1 << 31));
    }

    #[test]
    fn test_timestamp_truncated_to_microseconds_is_exact() {
        for micros in [0, 1, 2, 7, 499_999, 500_001, 999_998, 999_999] {
            let fraction = timestamp(micros) & 0xffff_ffff;
            assert_eq!((fraction * 1_000_000) >> 32, micros as u64, "{micros} µs");
        }
    }

    #[test]
    fn test_timestamp_after_2036_wraps_into_era_1() {
        // 2036-02-07T06:28:16Z is NTP second 2^32; one second later is 1.
        let era_end = (1i64 << 32) - UNIX_TO_NTP;
        assert_eq!(timestamp((era_end + 1) * 1_000_000), 1 << 32);
    }

    #[test]
    fn test_timestamp_before_the_unix_epoch() {
        assert_eq!(timestamp(-1_000_000), ((UNIX_TO_NTP - 1) as u64) << 32);
    }

    #[test]
    fn test_reply_fields() {
        let t = 0x0123_4567_89ab_cdef;
        let r = reply(&request(0b00_100_011, t), 1_700_000_000_250_000).unwrap();
        assert_eq!(r[0], 0b00_100_100, "LI 0, version 4, mode 4");
        assert_eq!(&r[1..4], &[1, 6, 0xec]);
        assert_eq!(&r[4..12], &[0; 8]);
        assert_eq!(&r[12..16], b"LOCL");
        assert_eq!(&r[24..32], &t.to_be_bytes());
        let now = timestamp(1_700_000_000_250_000).to_be_bytes();
        for at in [16, 32, 40] {
            assert_eq!(&r[at..at + 8], &now);
        }
    }

    #[test]
    fn test_version_3_is_answered_as_3() {
        let r = reply(&request(0b11_011_011, 0), 0).unwrap();
        assert_eq!(r[0], 0b00_011_100);
    }

    #[test]
    fn test_what_is_not_a_client_request_gets_nothing() {
        assert_eq!(reply(&request(0b00_100_011, 0)[..47], 0), None, "short");
        assert_eq!(reply(&request(0b00_100_100, 0), 0), None, "server mode");
        assert_eq!(reply(&request(0b00_010_011, 0), 0), None, "version 2");
        assert_eq!(reply(&request(0b00_101_011, 0), 0), None, "version 5");
    }
}
