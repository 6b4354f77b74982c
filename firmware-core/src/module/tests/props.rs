//! Property tests (STYLE §9): the module against reference models, over
//! random sequences of UART chunks, network events and time jumps.
//!
//! One family per file:
//! - `fuzz`: any input never panics, memory stays within the dialect, the
//!   `poll_timeout` contract holds, and output ignores how UART bytes split.
//! - `send`: CIPSEND with every length and any data (SD-2…SD-7).
//! - `passthrough`: PT-2…PT-5 against a reference model of packets and
//!   the escape; `backlog`: the full buffer and flow control (PT-7).
//! - `links`: CIPSTART, CIPCLOSE, CIPMUX and CIPMODE against a model of the
//!   link table (SS-9, SS-10, CL-1, MX-2, MX-3, MD-2, ST-1).
//! - `tls`: any bytes, cut anywhere, on a TLS or DTLS link (TL-4…TL-6).
//!
//! Every run uses the same RNG seed, so CI sees the same cases each time
//! and a failure reproduces by running the test again; `PROPTEST_RNG_SEED`
//! picks other cases and `PROPTEST_CASES` runs more of them. No regression
//! files are written: a failure prints its shrunk, minimal case.

use alloc::vec::Vec;

use proptest::prelude::*;
use proptest::test_runner::RngSeed;

use super::*;

mod backlog;
mod fuzz;
mod links;
mod passthrough;
mod send;
mod tls;

/// The seed of every property run (any fixed value would do).
const RNG_SEED: u64 = 0x5EED_A7C0;

/// A proptest configuration with `cases` cases (unless `PROPTEST_CASES`
/// asks for another number), the fixed seed (unless `PROPTEST_RNG_SEED`
/// picks one) and no regression files.
fn config(cases: u32) -> ProptestConfig {
    let default = ProptestConfig::default();
    let rng_seed = match default.rng_seed {
        RngSeed::Random => RngSeed::Fixed(RNG_SEED),
        chosen => chosen,
    };
    let asked = std::env::var("PROPTEST_CASES").ok();
    ProptestConfig {
        cases: asked.and_then(|n| n.parse().ok()).unwrap_or(cases),
        failure_persistence: None,
        rng_seed,
        ..default
    }
}

/// Bytes that print as a byte string (`b"AT\r\n"`), so that a shrunk case
/// reads like the wire.
#[derive(Clone, PartialEq, Eq)]
struct Bytes(Vec<u8>);

impl core::fmt::Debug for Bytes {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        write!(f, "b\"{}\"", self.0.escape_ascii())
    }
}

impl core::ops::Deref for Bytes {
    type Target = [u8];
    fn deref(&self) -> &[u8] {
        &self.0
    }
}

impl From<Vec<u8>> for Bytes {
    fn from(bytes: Vec<u8>) -> Self {
        Bytes(bytes)
    }
}

/// Pieces of command lines, for byte streams that reach deep into the
/// parser and the commands.
const FRAGMENTS: &[&str] = &[
    "AT",
    "AT+",
    "ATE0",
    "ATE1",
    "AT+CIPSTART=",
    "AT+CIPSEND",
    "AT+CIPSEND=",
    "AT+CIPCLOSE=",
    "AT+CIPMUX=",
    "AT+CIPMODE=",
    "AT+CIPSTATUS?",
    "AT+CIPDNS=",
    "AT+CIPDOMAIN=",
    "AT+PING=",
    "AT+CIPSNTPCFG=",
    "AT+CIPSNTPTIME?",
    "AT+CIPSSLCPSK=",
    "AT+SYSSTORE=",
    "AT+GMR",
    "=?",
    "?",
    "\r\n",
    "\r",
    "\n",
    "+",
    "+++",
    ",",
    "\"",
    "\\",
    "0",
    "1",
    "2",
    "4",
    "5",
    "2048",
    "2049",
    "65536",
    "-1",
    "\"TCP\"",
    "UDP",
    "\"TLS\"",
    "DTLS",
    "\"192.168.0.103\"",
    "0.0.0.0",
    "\"example.com\"",
    " ",
];

/// Bytes the command grammar cares about.
const SYNTAX: &[u8] = b"\r\n+0123456789\",=?\\AT ";

/// A stretch of host bytes biased towards command-line pieces.
fn at_bytes() -> impl Strategy<Value = Vec<u8>> {
    let piece = prop_oneof![
        6 => prop::sample::select(FRAGMENTS).prop_map(|s| s.as_bytes().to_vec()),
        2 => prop::collection::vec(prop::sample::select(SYNTAX), 1..8),
        1 => prop::collection::vec(any::<u8>(), 1..8),
        // Past the longest line (G-3).
        1 => prop::collection::vec(prop::sample::select(SYNTAX), 250..300),
    ];
    prop::collection::vec(piece, 1..10).prop_map(|pieces| pieces.concat())
}

/// Arbitrary data, biased towards bytes that look like line ends,
/// commands and escapes.
fn data_bytes(len: impl Into<prop::collection::SizeRange>) -> impl Strategy<Value = Vec<u8>> {
    let byte = prop_oneof![
        3 => any::<u8>(),
        2 => prop::sample::select(b"\r\n+AT".as_slice()),
    ];
    prop::collection::vec(byte, len)
}

/// Cuts `bytes` at positions `cuts` (each taken modulo `bytes.len() + 1`);
/// every piece is non-empty unless `bytes` is.
fn split<'a>(bytes: &'a [u8], cuts: &[u16]) -> Vec<&'a [u8]> {
    let mut at: Vec<usize> = cuts
        .iter()
        .map(|&c| usize::from(c) % (bytes.len() + 1))
        .collect();
    at.push(0);
    at.push(bytes.len());
    at.sort_unstable();
    at.dedup();
    let pieces: Vec<&[u8]> = at.windows(2).map(|w| &bytes[w[0]..w[1]]).collect();
    if pieces.is_empty() {
        alloc::vec![bytes]
    } else {
        pieces
    }
}

#[test]
fn split_covers_every_byte_once() {
    let bytes = b"AT+CIPSEND\r\n";
    let cuts = [0, 3, 12, 3, 11, 13];
    let pieces = split(bytes, &cuts);
    assert_eq!(pieces.concat(), bytes);
    assert!(pieces.iter().all(|p| !p.is_empty()));
}
