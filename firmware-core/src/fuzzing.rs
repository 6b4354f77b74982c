//! Entry points for the cargo-fuzz targets in `fuzz/` (feature `fuzzing`,
//! off by default; not an API).
//!
//! The parsers that read hostile bytes are crate-private; rather than make
//! them public, each function here takes the fuzzer's bytes, drives one
//! parser through its crate-visible API, and panics when an invariant
//! breaks. `Module` and `Settings` are public: their targets need nothing
//! from here.
//!
//! Input formats are simple so that seeds can be written by hand (see
//! `fuzz/seeds.py`): a [`Bytes`] reader hands out bytes, big-endian
//! integers and length-prefixed chunks, and zeros once the input runs out.

use alloc::collections::BTreeSet;
use alloc::string::String;
use alloc::vec::Vec;
use core::net::{Ipv4Addr, SocketAddrV4};
use core::time::Duration;

use crate::dialect::TimeFormat;
use crate::dns::{self, Resolver};
use crate::parser::{self, Form, Line, LineAssembler};
use crate::sntp;
use crate::time::Instant;
use crate::tls::handshake::{Handshake, Timers};
use crate::tls::record::{ContentType, Header, Opener, Sealer};
use crate::tls::replay::{ReplayWindow, WIDTH};
use crate::tls::{CipherSuite, MAX_FRAGMENT, TrafficKeys, Transport, messages};

/// A cursor over fuzz input: every read succeeds, with zeros (or an empty
/// chunk) once the input is used up.
#[derive(Debug, Clone)]
pub struct Bytes<'a>(pub &'a [u8]);

impl<'a> Bytes<'a> {
    /// Whether the input is used up.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// The next `n` bytes, or what is left.
    pub fn take(&mut self, n: usize) -> &'a [u8] {
        let (head, tail) = self.0.split_at(n.min(self.0.len()));
        self.0 = tail;
        head
    }

    /// One byte.
    pub fn u8(&mut self) -> u8 {
        self.take(1).first().copied().unwrap_or(0)
    }

    /// A big-endian `u16`.
    pub fn u16(&mut self) -> u16 {
        u16::from_be_bytes([self.u8(), self.u8()])
    }

    /// A big-endian `u64`.
    pub fn u64(&mut self) -> u64 {
        let mut b = [0; 8];
        b.iter_mut().for_each(|x| *x = self.u8());
        u64::from_be_bytes(b)
    }

    /// A chunk with a one-byte length.
    pub fn chunk8(&mut self) -> &'a [u8] {
        let n = self.u8();
        self.take(n.into())
    }

    /// A chunk with a big-endian two-byte length.
    pub fn chunk16(&mut self) -> &'a [u8] {
        let n = self.u16();
        self.take(n.into())
    }
}

// ---------------------------------------------------------------------------
// parser
// ---------------------------------------------------------------------------

/// The AT line parser: `data[0]` sets the line limit, `data[1]` the UART
/// piece size, the rest is the byte stream. Checks the assembler against a
/// model (lines split at CR or LF, however the stream is cut), that
/// [`parser::parse`] accepts what it renders of its own requests, and that
/// a dotted quad it accepts prints back as it was written.
pub fn parser(data: &[u8]) {
    let mut r = Bytes(data);
    let max_len = usize::from(r.u8()) + 1;
    let piece = usize::from(r.u8() % 64) + 1;
    let stream = r.0;
    check_line(stream);

    let mut asm = LineAssembler::new(max_len);
    let mut got: Vec<Option<Vec<u8>>> = Vec::new();
    for chunk in stream.chunks(piece) {
        let mut rest = chunk;
        while !rest.is_empty() {
            let (used, line) = asm.push(rest);
            assert!(0 < used && used <= rest.len(), "{used} of {}", rest.len());
            match line {
                Some(Line::Complete(l)) => {
                    assert!(!l.is_empty() && l.len() <= max_len);
                    assert!(!l.contains(&b'\r') && !l.contains(&b'\n'));
                    check_line(l);
                    got.push(Some(l.to_vec()));
                }
                Some(Line::TooLong) => got.push(None),
                Some(Line::Empty) | None => {}
            }
            rest = &rest[used..];
        }
    }
    // The model: every terminated segment, long ones as `None`.
    let mut segments: Vec<&[u8]> = stream.split(|&b| b == b'\r' || b == b'\n').collect();
    segments.pop(); // not terminated
    let want: Vec<Option<Vec<u8>>> = segments
        .into_iter()
        .filter(|s| !s.is_empty())
        .map(|s| (s.len() <= max_len).then(|| s.to_vec()))
        .collect();
    assert_eq!(got, want, "lines depend on how the stream was cut");
}

/// One line through [`parser::parse`] and every parameter accessor.
fn check_line(line: &[u8]) {
    let Ok(request) = parser::parse(line) else {
        return;
    };
    assert!(line.starts_with(b"AT"));
    let mut rendered = Vec::from(&b"AT"[..]);
    rendered.extend_from_slice(request.name);
    match &request.form {
        Form::Exec => {}
        Form::Query => rendered.push(b'?'),
        Form::Test => rendered.extend_from_slice(b"=?"),
        Form::Set(args) => {
            assert!(args.len() >= 1 && args.len() <= parser::MAX_ARGS);
            rendered.push(b'=');
            for (i, arg) in args.iter().enumerate() {
                if i > 0 {
                    rendered.push(b',');
                }
                let value = arg.bytes();
                if arg.int().is_some() {
                    assert!(!arg.is_omitted() && !arg.is_quoted());
                }
                if let Some(ip) = parser::parse_ipv4(value) {
                    let mut text = String::new();
                    let _ = core::fmt::write(&mut text, format_args!("{ip}"));
                    assert_eq!(text.as_bytes(), value, "a dotted quad prints back");
                }
                if arg.is_quoted() {
                    rendered.push(b'"');
                    for &b in value {
                        if b == b'"' || b == b'\\' {
                            rendered.push(b'\\');
                        }
                        rendered.push(b);
                    }
                    rendered.push(b'"');
                } else {
                    assert!(!value.starts_with(b" ") && !value.ends_with(b" "));
                    assert!(!value.contains(&b','));
                    rendered.extend_from_slice(value);
                }
            }
        }
    }
    let again = parser::parse(&rendered);
    assert_eq!(again.as_ref(), Ok(&request), "{}", rendered.escape_ascii());
}

// ---------------------------------------------------------------------------
// dns
// ---------------------------------------------------------------------------

const DNS_SERVERS: [Ipv4Addr; 3] = [
    Ipv4Addr::new(192, 0, 2, 1),
    Ipv4Addr::new(192, 0, 2, 2),
    Ipv4Addr::new(192, 0, 2, 3),
];

/// The stub resolver against a hostile server: a seed (8 bytes), the name
/// to look up (`chunk8`; `example.com` if invalid), then steps: a tag byte
/// and its data. Tag 0: a datagram (`chunk16`) from the server asked,
/// with the query's ID written over its first two bytes; 1: the same
/// without the ID; 2: from a stranger; 3: time passes (`u16` ms); 4: a new
/// lookup. Checks that every lookup ends (in time), never twice, and that
/// the timer contract holds.
pub fn dns(data: &[u8]) {
    let mut r = Bytes(data);
    let mut res = Resolver::new(r.u64());
    let name = r.chunk8();
    let per_server = Duration::from_secs(1);
    let mut now = Instant::ZERO;
    let start = |res: &mut Resolver, now: Instant| {
        if res.start(now, name, &DNS_SERVERS, per_server).is_err() {
            res.start(now, b"example.com", &DNS_SERVERS, per_server)
                .expect("a valid name");
        }
    };
    start(&mut res, now);
    // The latest query: where it went and its ID.
    let mut last: Option<(SocketAddrV4, [u8; 2])> = None;
    let mut steps = 0;
    while !r.is_empty() && steps < 64 {
        steps += 1;
        while let Some(t) = res.poll_transmit() {
            assert_eq!(t.to.port(), dns::PORT);
            assert!(t.payload.len() >= 12 && t.payload.len() <= 512);
            last = Some((t.to, [t.payload[0], t.payload[1]]));
        }
        let (server, id) = last.unwrap_or((SocketAddrV4::new(DNS_SERVERS[0], 53), [0; 2]));
        match r.u8() % 5 {
            tag @ (0 | 1) => {
                let mut datagram = r.chunk16().to_vec();
                if tag == 0 && datagram.len() >= 2 {
                    datagram[..2].copy_from_slice(&id);
                }
                res.handle_datagram(now, server, &datagram);
            }
            2 => {
                let from = SocketAddrV4::new(Ipv4Addr::new(198, 51, 100, 7), 53);
                res.handle_datagram(now, from, r.chunk16());
            }
            3 => {
                now = now + Duration::from_millis(r.u16().into());
                res.handle_timeout(now);
                if let Some(t) = res.poll_timeout() {
                    assert!(t > now, "poll_timeout {t} not after {now}");
                }
            }
            _ => start(&mut res, now),
        }
        if res.poll_outcome().is_some() {
            assert!(!res.is_busy());
            assert_eq!(res.poll_outcome(), None, "an outcome is reported once");
            start(&mut res, now);
        }
    }
    // Every lookup ends within three servers' time, whatever came before.
    for _ in 0..DNS_SERVERS.len() {
        now = now + per_server;
        res.handle_timeout(now);
    }
    assert!(
        res.poll_outcome().is_some() || !res.is_busy(),
        "a lookup never ended"
    );
}

// ---------------------------------------------------------------------------
// sntp
// ---------------------------------------------------------------------------

/// The SNTP client against a hostile server: a seed (8 bytes), then steps:
/// a tag byte and its data. Tag 0: a datagram (`chunk8`, padded to 48
/// bytes) from the server with the request's nonce as its originate time;
/// 1: one as it is; 2: time passes (`u16` seconds); 3: a failed attempt;
/// 4: disable, 5: enable. Checks the clock it keeps and the local time it
/// prints (in a timezone from -12 to 12 by turns), and the timer contract.
pub fn sntp(data: &[u8]) {
    let mut r = Bytes(data);
    let mut client = sntp::Client::new(r.u64(), Duration::from_secs(3600), Duration::from_secs(15));
    let server = Ipv4Addr::new(192, 0, 2, 123);
    let from = SocketAddrV4::new(server, sntp::PORT);
    let mut now = Instant::ZERO;
    let mut nonce = [0u8; 8];
    client.enable(now);
    let mut steps = 0;
    while !r.is_empty() && steps < 64 {
        steps += 1;
        if client.is_due(now) {
            let t = client.begin(now, server);
            assert_eq!(t.to, from);
            nonce.copy_from_slice(&t.payload[40..48]);
        }
        match r.u8() % 6 {
            tag @ (0 | 1) => {
                let mut datagram = r.chunk8().to_vec();
                if tag == 0 {
                    datagram.resize(datagram.len().max(sntp::PACKET_LEN), 0);
                    datagram[24..32].copy_from_slice(&nonce);
                }
                client.handle_datagram(now, from, &datagram);
            }
            2 => {
                now = now + Duration::from_secs(r.u16().into());
                client.handle_timeout(now);
                if let Some(t) = client.poll_timeout() {
                    assert!(t > now, "poll_timeout {t} not after {now}");
                }
            }
            3 => client.fail(now),
            4 => client.disable(),
            _ => client.enable(now),
        }
        if let Some((secs, micros)) = client.unix_time(now) {
            assert!(micros < 1_000_000);
            // Whole hours and hhmm zones, -12:00 to +14:59.
            let tz = (steps % 1620) as i16 - 720;
            for format in [TimeFormat::Iso, TimeFormat::Asctime] {
                let mut text = String::new();
                if sntp::write_local_time(&mut text, secs, tz, format).is_ok() {
                    assert!((19..=24).contains(&text.len()), "{text}");
                }
            }
        }
    }
}

// ---------------------------------------------------------------------------
// tls_record
// ---------------------------------------------------------------------------

/// The PSK of the interop captures (`tls/vectors`), so that their server
/// flights complete a handshake here and the fuzzer starts from there.
const PSK: [u8; 16] = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16];
const IDENTITY: &[u8] = b"module";

/// The TLS/DTLS record layer and handshake parsing. `data[0]` picks the
/// part (and bit 7 the transport, DTLS when set):
///
/// - 0: records through an unprotected [`Opener`];
/// - 1: a protected epoch: `data[1]` the suite, 16 key bytes, then steps
///   (0: open a `chunk16`; 1: seal a `chunk16` and open it back, after a
///   copy with one bit flipped, which must fail);
/// - 2: the handshake message parsers on `chunk16`s;
/// - 3: the DTLS replay window against a model (`u64` steps);
/// - 4: a whole client [`Handshake`]: 32 bytes of client_random (the
///   captures' make their server flights complete it), then steps (0: a
///   `chunk16` from the server; 1: time passes, `u16` ms), then the
///   established record layer opens what is left of the stream.
pub fn tls_record(data: &[u8]) {
    let mut r = Bytes(data);
    let head = r.u8();
    let transport = if head & 0x80 != 0 {
        Transport::Dtls
    } else {
        Transport::Tls
    };
    match head & 0x7F {
        0 => unprotected(transport, r),
        1 => protected(transport, r),
        2 => handshake_messages(transport, r),
        3 => replay_window(r),
        _ => handshake(transport, r),
    }
}

fn unprotected(transport: Transport, mut r: Bytes<'_>) {
    let max_fragment = usize::from(r.u16()).min(1 << 14);
    let mut opener = Opener::new(transport, max_fragment);
    while !r.is_empty() {
        let record = r.chunk16();
        let header = Header::parse(transport, record);
        assert_eq!(header.is_some(), record.len() >= transport.header_len());
        let len = opener.record_len(record);
        if let Ok(Some(len)) = len {
            assert!(len <= opener.max_record_len());
        }
        let mut record = record.to_vec();
        if let Ok(opened) = opener.open(&mut record) {
            assert_eq!(len, Ok(Some(record.len())));
            assert!(opened.fragment.end == record.len());
            assert!(opened.fragment.len() <= max_fragment);
            let code = header.expect("opened").content_type;
            assert_eq!(Some(opened.content_type), ContentType::from_code(code));
        }
    }
}

fn suite(code: u8) -> CipherSuite {
    CipherSuite::OFFERED[usize::from(code) % CipherSuite::OFFERED.len()]
}

fn keys(suite: CipherSuite, r: &mut Bytes<'_>) -> TrafficKeys {
    let mut k = TrafficKeys {
        suite,
        mac_key: [0; 32],
        enc_key: [0; 16],
        fixed_iv: [0; 4],
    };
    let seed = r.take(16);
    for (i, b) in k.enc_key.iter_mut().enumerate() {
        *b = seed.get(i).copied().unwrap_or(0);
    }
    for (i, b) in k.mac_key.iter_mut().chain(&mut k.fixed_iv).enumerate() {
        *b = seed.get(i % 16).copied().unwrap_or(0) ^ i as u8;
    }
    k
}

fn protected(transport: Transport, mut r: Bytes<'_>) {
    let keys = keys(suite(r.u8()), &mut r);
    let mut sealer = Sealer::new(transport, MAX_FRAGMENT).next_epoch(&keys);
    let mut opener = Opener::new(transport, MAX_FRAGMENT).next_epoch(&keys);
    // A forged record that opened would put TLS's implicit sequence
    // numbers out of step; nothing is forged by chance, but say so.
    let mut in_step = true;
    while !r.is_empty() {
        let tag = r.u8();
        let data = r.chunk16();
        if tag & 1 == 0 {
            let mut record = data.to_vec();
            let len = opener.record_len(&record);
            if let Ok(opened) = opener.open(&mut record) {
                assert_eq!(len, Ok(Some(record.len())));
                assert!(opened.fragment.len() <= MAX_FRAGMENT);
                in_step = false;
            }
            continue;
        }
        let content_type = [
            ContentType::ApplicationData,
            ContentType::Handshake,
            ContentType::Alert,
            ContentType::ChangeCipherSpec,
        ][usize::from(tag >> 1) % 4];
        let mut record = Vec::new();
        if sealer.seal(content_type, data, &mut record).is_err() {
            assert!(data.len() > MAX_FRAGMENT);
            continue;
        }
        assert!(record.len() <= opener.max_record_len());
        assert_eq!(opener.record_len(&record), Ok(Some(record.len())));
        let mut flipped = record.clone();
        let bit = usize::from(r.u16()) % (8 * flipped.len());
        flipped[bit / 8] ^= 1 << (bit % 8);
        assert!(
            opener.open(&mut flipped).is_err(),
            "bit {bit} flipped and still opened"
        );
        let opened = opener.open(&mut record);
        if in_step {
            let opened = opened.expect("a record sealed with the same keys opens");
            assert_eq!(opened.content_type, content_type);
            assert_eq!(&record[opened.fragment], data);
        }
    }
}

fn handshake_messages(transport: Transport, mut r: Bytes<'_>) {
    while !r.is_empty() {
        let body = r.chunk16();
        if let Ok(hello) = messages::parse_server_hello(transport, body) {
            assert!(CipherSuite::OFFERED.contains(&hello.suite));
            assert_eq!(&body[..2], &transport.version());
        }
        let _ = messages::parse_server_key_exchange(body);
        if messages::parse_server_hello_done(body).is_ok() {
            assert!(body.is_empty());
        }
        if let Ok(cookie) = messages::parse_hello_verify_request(body) {
            assert!(cookie.len() <= messages::MAX_COOKIE_LEN);
            assert_eq!(body.len(), 3 + cookie.len());
        }
    }
}

fn replay_window(mut r: Bytes<'_>) {
    let mut window = ReplayWindow::new();
    let mut accepted = BTreeSet::<u64>::new();
    while !r.is_empty() {
        let step = r.u64();
        let top = accepted.last().copied();
        // Near the top most of the time, so the window's edges are hit.
        let seq = match (step >> 62, top) {
            (0, Some(top)) => top.saturating_sub(step & 0x7F),
            (1, Some(top)) => top.saturating_add(step & 0x7F),
            _ => step & ((1 << 48) - 1),
        };
        let fresh = !accepted.contains(&seq) && top.is_none_or(|t| seq > t || t - seq < WIDTH);
        assert_eq!(window.is_fresh(seq), fresh, "seq {seq}, top {top:?}");
        if fresh {
            window.accept(seq);
            accepted.insert(seq);
        }
    }
}

fn handshake(transport: Transport, mut r: Bytes<'_>) {
    let mut random = [0u8; 32];
    random.copy_from_slice(&{
        let mut b = r.take(32).to_vec();
        b.resize(32, 0);
        b
    });
    let mut hs = Handshake::new(transport, &PSK, IDENTITY, random, Timers::TL3);
    let mut now = Instant::ZERO;
    let mut out = Vec::new();
    hs.start(now, &mut out);
    assert!(!out.is_empty());
    let mut ended = None;
    let mut steps = 0;
    while !r.is_empty() && steps < 32 && !hs.is_done() {
        steps += 1;
        out.clear();
        let result = match r.u8() % 2 {
            0 => hs.handle_records(now, r.chunk16(), &mut out),
            _ => {
                now = now + Duration::from_millis(r.u16().into());
                let result = hs.handle_timeout(now, &mut out);
                if let Some(t) = hs.poll_timeout() {
                    assert!(t > now, "poll_timeout {t} not after {now}");
                }
                result
            }
        };
        // A flight, sent again, or an alert: never more than a few records.
        assert!(out.len() <= 4096, "{} bytes out", out.len());
        if let Err(alert) = result {
            ended = Some(alert);
        }
    }
    if let Some(alert) = ended {
        // An ended handshake stays ended, with the same alert.
        assert!(hs.is_done());
        assert_eq!(hs.handle_records(now, b"\x16", &mut out), Err(alert));
        assert!(hs.into_established().is_none());
        return;
    }
    let Some(mut session) = hs.into_established() else {
        return;
    };
    // The record layer of the session: what came after the Finished, then
    // the rest of the input as records.
    let mut stream = core::mem::take(&mut session.received);
    stream.extend_from_slice(r.0);
    let mut rest = &stream[..];
    while let Ok(Some(len)) = session.opener.record_len(rest) {
        let Some(record) = rest.get(..len) else { break };
        rest = &rest[len..];
        let mut record = record.to_vec();
        if let Ok(opened) = session.opener.open(&mut record) {
            assert!(opened.fragment.len() <= MAX_FRAGMENT);
        }
    }
    let mut sealed = Vec::new();
    session
        .sealer
        .seal(ContentType::ApplicationData, b"ping\n", &mut sealed)
        .expect("the session seals");
}
