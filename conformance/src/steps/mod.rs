//! The step library: every sentence of `spec/STEPS.md`, exactly.
//!
//! Sentences are regular expressions over the step text. Arguments are
//! parsed here, in one place, so a sentence means the same wherever it
//! appears.

mod faults;
mod host;
mod module;
mod peers;
mod wifi;

use std::net::{Ipv4Addr, SocketAddrV4};
use std::time::Duration;

/// `<duration>`: a whole number with `ms` or `s`.
pub(crate) fn duration(n: &str, unit: &str) -> Duration {
    let n: u64 = n.parse().expect("a whole number");
    match unit {
        "ms" => Duration::from_millis(n),
        _ => Duration::from_secs(n),
    }
}

/// `<addr>`.
pub(crate) fn addr(s: &str) -> Ipv4Addr {
    s.parse()
        .unwrap_or_else(|_| panic!("not a dotted IPv4 address: {s}"))
}

/// `<addr:port>`.
pub(crate) fn addr_port(s: &str) -> SocketAddrV4 {
    s.parse()
        .unwrap_or_else(|_| panic!("not an address with a port: {s}"))
}

/// The k-th byte of a data stream (spec/STEPS.md): `k % 251`.
pub(crate) fn data(from: usize, n: usize) -> Vec<u8> {
    (from..from + n).map(|k| (k % 251) as u8).collect()
}

/// A `"..."` byte string's content: `\r`, `\n`, `\"`, `\\`, `\xNN`.
pub(crate) fn unescape(s: &str) -> Vec<u8> {
    sim::transcript::unescape(s).unwrap_or_else(|e| panic!("{e} in \"{s}\""))
}

/// Bytes for a failure message: printable, CR and LF visible.
pub(crate) fn show(bytes: &[u8]) -> String {
    let mut s = String::new();
    sim::transcript::escape(&mut s, bytes).expect("writing to a String");
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unescapes_byte_strings() {
        assert_eq!(unescape(r#"a\r\n\"\\\x2b\x00"#), b"a\r\n\"\\+\x00");
    }

    #[test]
    fn the_data_stream_wraps_at_251() {
        assert_eq!(data(250, 3), [250, 0, 1]);
    }
}
