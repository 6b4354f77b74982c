//! Tests for the SNTP client, with [`server_reply`] as the server.

use super::*;
use crate::dialect::TimeFormat;
use proptest::prelude::*;
use rstest::rstest;
use std::string::String;
use std::vec::Vec;
use time::UtcOffset;

const SERVER: Ipv4Addr = Ipv4Addr::new(203, 0, 113, 7);
const SERVER_ADDR: SocketAddrV4 = SocketAddrV4::new(SERVER, PORT);
const HOUR: Duration = Duration::from_secs(3600);
const RETRY: Duration = Duration::from_secs(15);
/// Unix time of the spec's `+CIPSNTPTIME:2022-10-21 19:20:39` at UTC+8.
const SPEC_EXAMPLE: i64 = 1_666_351_239;

fn client() -> Client {
    Client::new(7, HOUR, RETRY)
}

/// EN-4: C's asctime, the day padded with a space.
#[rstest]
#[case::epoch(5, 0, "Thu Jan  1 00:00:05 1970")]
#[case::spec_example(1_634_665_676, 0, "Tue Oct 19 17:47:56 2021")]
#[case::half_hour_zone(0, 330, "Thu Jan  1 05:30:00 1970")]
fn asctime(#[case] unix_secs: i64, #[case] tz_minutes: i16, #[case] expected: &str) {
    let mut s = String::new();
    write_local_time(&mut s, unix_secs, tz_minutes, TimeFormat::Asctime).unwrap();
    assert_eq!(s, expected);
}

fn at(secs: u64) -> Instant {
    Instant::from_millis(secs * 1000)
}

fn local(unix_secs: i64, tz: i8) -> String {
    let mut s = String::new();
    write_local_time(&mut s, unix_secs, i16::from(tz) * 60, TimeFormat::Iso).unwrap();
    s
}

/// An enabled client with a request out at `now`, and the server's reply.
fn waiting(now: Instant, unix_secs: i64, micros: u32) -> (Client, [u8; PACKET_LEN]) {
    let mut c = client();
    c.enable(now);
    assert!(c.is_due(now));
    let tx = c.begin(now, SERVER);
    assert_eq!(tx.to, SERVER_ADDR);
    (c, server_reply(&tx.payload, unix_secs, micros).unwrap())
}

/// Runs one successful exchange whose reply arrives at `now`.
fn sync(c: &mut Client, now: Instant, unix_secs: i64, micros: u32) {
    assert!(c.is_due(now));
    let tx = c.begin(now, SERVER);
    let reply = server_reply(&tx.payload, unix_secs, micros).unwrap();
    c.handle_datagram(now, SERVER_ADDR, &reply);
    assert_eq!(c.unix_time(now), Some((unix_secs, micros)));
}

#[test]
fn request_is_sntpv4_client_with_seeded_nonce() {
    let tx = client().begin(at(0), SERVER);
    assert_eq!(tx.payload[0], 0x23, "LI 0, VN 4, mode 3");
    assert!(tx.payload[1..TRANSMIT_TS].iter().all(|&b| b == 0));
    assert_ne!(read_u64(&tx.payload, TRANSMIT_TS), 0);
    assert_eq!(client().begin(at(0), SERVER), tx, "same seed, same bytes");
    let mut c = client();
    c.begin(at(0), SERVER);
    assert_ne!(c.begin(at(0), SERVER), tx, "each attempt a new nonce");
    assert_ne!(Client::new(8, HOUR, RETRY).begin(at(0), SERVER), tx);
}

#[rstest]
#[case::spec_example(SPEC_EXAMPLE, 8, "2022-10-21 19:20:39")]
#[case::spec_utc(SPEC_EXAMPLE, 0, "2022-10-21 11:20:39")]
#[case::spec_west(SPEC_EXAMPLE, -5, "2022-10-21 06:20:39")]
#[case::spec_east_most(SPEC_EXAMPLE, 12, "2022-10-21 23:20:39")]
#[case::spec_west_most_day_back(SPEC_EXAMPLE, -12, "2022-10-20 23:20:39")]
#[case::month_forward(1_667_246_400, 8, "2022-11-01 04:00:00")]
#[case::year_forward(1_672_529_400, 1, "2023-01-01 00:30:00")]
#[case::year_back(1_672_549_200, -12, "2022-12-31 17:00:00")]
#[case::into_leap_day(1_709_150_400, 8, "2024-02-29 04:00:00")]
#[case::back_to_leap_day(1_709_262_000, -5, "2024-02-29 22:00:00")]
#[case::no_leap_day_2023(1_677_614_400, 8, "2023-03-01 04:00:00")]
#[case::epoch(0, 0, "1970-01-01 00:00:00")]
#[case::before_epoch(0, -1, "1969-12-31 23:00:00")]
fn formats_local_time(#[case] unix_secs: i64, #[case] tz: i8, #[case] expected: &str) {
    assert_eq!(local(unix_secs, tz), expected);
}

#[rstest]
#[case::beyond_year_9999(253_402_300_800, 0)]
#[case::overflow(i64::MAX, 1)]
fn unrepresentable_time_is_an_error_not_a_panic(#[case] unix_secs: i64, #[case] tz: i8) {
    assert!(
        write_local_time(
            &mut String::new(),
            unix_secs,
            i16::from(tz) * 60,
            TimeFormat::Iso
        )
        .is_err()
    );
}

#[rstest]
#[case::era0_first(0x8000_0000, 0, -61_505_152, 0)]
#[case::spec_example(0xE6FC_FF07, 0, SPEC_EXAMPLE, 0)]
#[case::era0_last(0xFFFF_FFFF, 0xFFFF_FFFF, 2_085_978_495, 999_999)]
#[case::era1_first(0, 0, 2_085_978_496, 0)]
#[case::era1_half_second(0, 0x8000_0000, 2_085_978_496, 500_000)]
#[case::year_2040(123_010_304, 0, 2_208_988_800, 0)]
#[case::era1_last(0x7FFF_FFFF, 0, 4_233_462_143, 0)]
fn converts_ntp_eras(
    #[case] ntp_secs: u32,
    #[case] frac: u32,
    #[case] unix_secs: i64,
    #[case] micros: u32,
) {
    let ts = u64::from(ntp_secs) << 32 | u64::from(frac);
    assert_eq!(ntp_to_unix(ts), (unix_secs, micros));
}

#[rstest]
#[case::era1_boundary(2_085_978_496, 1, "2036-02-07 06:28:16")]
#[case::year_2040(2_208_988_800, 250_000, "2040-01-01 00:00:00")]
#[case::era0_spec_example(SPEC_EXAMPLE, 999_999, "2022-10-21 11:20:39")]
fn syncs_across_eras(#[case] unix_secs: i64, #[case] micros: u32, #[case] utc: &str) {
    let (mut c, reply) = waiting(at(5), unix_secs, micros);
    c.handle_datagram(at(6), SERVER_ADDR, &reply);
    assert_eq!(c.unix_time(at(6)), Some((unix_secs, micros)));
    assert_eq!(local(unix_secs, 0), utc);
}

#[rstest]
#[case::before_1968(-61_505_153, 0)]
#[case::from_2104(4_233_462_144, 0)]
#[case::micros_overflow(SPEC_EXAMPLE, 1_000_000)]
fn server_cannot_express_time(#[case] unix_secs: i64, #[case] micros: u32) {
    let tx = client().begin(at(0), SERVER);
    assert_eq!(server_reply(&tx.payload, unix_secs, micros), None);
}

#[rstest]
#[case::server_mode(0x24)]
#[case::version_2(0x13)]
fn server_refuses_non_client_request(#[case] first_byte: u8) {
    let mut request = client().begin(at(0), SERVER).payload;
    request[0] = first_byte;
    assert_eq!(server_reply(&request, SPEC_EXAMPLE, 0), None);
    assert_eq!(server_reply(&request[..47], SPEC_EXAMPLE, 0), None);
}

/// How a reply differs from the server's genuine one.
#[derive(Debug, Clone, Copy)]
enum Change {
    None,
    Header { li: u8, vn: u8, mode: u8 },
    Stratum(u8),
    Originate,
    TransmitZero,
    SourcePort(u16),
    SourceAddr,
    Length(usize),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Outcome {
    /// This reply set the clock.
    Synced,
    /// The attempt keeps waiting: the genuine reply still sets the clock.
    Ignored,
    /// The attempt is over: retry at +15 s, the genuine reply comes too late.
    Failed,
}

#[rstest]
#[case::genuine(Change::None, Outcome::Synced)]
#[case::version_3(Change::Header { li: 0, vn: 3, mode: 4 }, Outcome::Synced)]
#[case::leap_warning(Change::Header { li: 1, vn: 4, mode: 4 }, Outcome::Synced)]
#[case::stratum_15(Change::Stratum(15), Outcome::Synced)]
#[case::trailing_bytes(Change::Length(68), Outcome::Synced)]
#[case::client_mode(Change::Header { li: 0, vn: 4, mode: 3 }, Outcome::Ignored)]
#[case::broadcast_mode(Change::Header { li: 0, vn: 4, mode: 5 }, Outcome::Ignored)]
#[case::version_2(Change::Header { li: 0, vn: 2, mode: 4 }, Outcome::Ignored)]
#[case::version_5(Change::Header { li: 0, vn: 5, mode: 4 }, Outcome::Ignored)]
#[case::unsynchronised(Change::Header { li: 3, vn: 4, mode: 4 }, Outcome::Ignored)]
#[case::stratum_16(Change::Stratum(16), Outcome::Ignored)]
#[case::kiss_o_death(Change::Stratum(0), Outcome::Failed)]
#[case::wrong_originate(Change::Originate, Outcome::Ignored)]
#[case::zero_transmit(Change::TransmitZero, Outcome::Ignored)]
#[case::wrong_source_port(Change::SourcePort(1123), Outcome::Ignored)]
#[case::wrong_source_addr(Change::SourceAddr, Outcome::Ignored)]
#[case::short_packet(Change::Length(47), Outcome::Ignored)]
#[case::empty(Change::Length(0), Outcome::Ignored)]
fn validates_replies(#[case] change: Change, #[case] expected: Outcome) {
    let (unix_secs, micros) = (SPEC_EXAMPLE, 123_456);
    let (mut c, genuine) = waiting(at(100), unix_secs, micros);
    let mut reply = genuine;
    let mut from = SERVER_ADDR;
    let mut len = PACKET_LEN;
    match change {
        Change::None => {}
        Change::Header { li, vn, mode } => reply[0] = header(li, vn, mode),
        Change::Stratum(s) => reply[STRATUM] = s,
        Change::Originate => reply[ORIGINATE_TS + 7] ^= 1,
        Change::TransmitZero => reply[TRANSMIT_TS..].fill(0),
        Change::SourcePort(port) => from.set_port(port),
        Change::SourceAddr => from.set_ip(Ipv4Addr::new(203, 0, 113, 8)),
        Change::Length(n) => len = n,
    }
    let mut data = Vec::from(reply);
    data.resize(len, 0);
    c.handle_datagram(at(101), from, &data);
    if expected == Outcome::Failed {
        assert_eq!(c.poll_timeout(), Some(at(115)));
        assert!(!c.is_due(at(114)) && c.is_due(at(115)));
    }
    if expected != Outcome::Synced {
        assert_eq!(c.unix_time(at(101)), None);
        c.handle_datagram(at(101), SERVER_ADDR, &genuine);
    }
    let synced = expected != Outcome::Failed;
    assert_eq!(c.unix_time(at(101)).is_some(), synced);
    if synced {
        assert_eq!(c.unix_time(at(101)), Some((unix_secs, micros)));
        assert_eq!(c.poll_timeout(), Some(at(101) + HOUR));
    }
}

#[test]
fn kiss_o_death_with_alarm_leap_indicator_still_ends_the_attempt() {
    let (mut c, mut reply) = waiting(at(0), SPEC_EXAMPLE, 0);
    reply[0] = header(3, 4, 4);
    reply[STRATUM] = 0;
    reply[REFERENCE_ID..REFERENCE_ID + 4].copy_from_slice(b"RATE");
    c.handle_datagram(at(1), SERVER_ADDR, &reply);
    assert_eq!(c.poll_timeout(), Some(at(15)));
}

#[test]
fn disabled_client_does_nothing() {
    let mut c = client();
    assert!(!c.is_enabled() && !c.is_due(at(0)));
    assert_eq!(c.poll_timeout(), None);
    assert_eq!(c.unix_time(at(0)), None);
    c.handle_timeout(at(1_000_000));
    assert!(!c.is_due(at(1_000_000)));
}

#[test]
fn schedule_after_success_is_one_hour() {
    let mut c = client();
    c.enable(at(10));
    assert!(c.is_enabled() && c.is_due(at(10)));
    assert_eq!(
        c.poll_timeout(),
        None,
        "already due: the caller acts on is_due"
    );
    let tx = c.begin(at(10), SERVER);
    assert_eq!(c.poll_timeout(), Some(at(25)));
    assert!(!c.is_due(at(12)));
    let reply = server_reply(&tx.payload, SPEC_EXAMPLE, 0).unwrap();
    c.handle_datagram(at(12), SERVER_ADDR, &reply);
    assert_eq!(c.poll_timeout(), Some(at(12) + HOUR));
    c.handle_timeout(at(3611));
    assert!(!c.is_due(at(3611)));
    c.handle_timeout(at(3612));
    assert!(c.is_due(at(3612)));
    assert_eq!(c.poll_timeout(), None);
    sync(&mut c, at(3612), SPEC_EXAMPLE + 3600, 0);
}

#[test]
fn silent_server_is_retried_after_fifteen_seconds() {
    let mut c = client();
    c.enable(at(0));
    let tx = c.begin(at(0), SERVER);
    c.handle_timeout(at(14));
    assert_eq!(c.poll_timeout(), Some(at(15)), "early call does nothing");
    assert!(c.is_due(at(15)), "due even before handle_timeout");
    let late = server_reply(&tx.payload, SPEC_EXAMPLE, 0).unwrap();
    c.handle_datagram(at(15), SERVER_ADDR, &late);
    assert_eq!(c.unix_time(at(15)), None, "a reply at the deadline is late");
    assert!(c.is_due(at(15)));
    assert_eq!(c.poll_timeout(), None);
    c.begin(at(16), SERVER);
    assert_eq!(c.poll_timeout(), Some(at(31)));
}

#[test]
fn unresolved_name_is_retried_after_fifteen_seconds() {
    let mut c = client();
    c.enable(at(3));
    c.fail(at(3));
    assert!(!c.is_due(at(17)) && c.is_due(at(18)));
    assert_eq!(c.poll_timeout(), Some(at(18)));
}

#[test]
fn reenabling_restarts_the_schedule() {
    let mut c = client();
    c.enable(at(0));
    sync(&mut c, at(0), SPEC_EXAMPLE, 0);
    let tx = c.begin(at(100), SERVER);
    c.enable(at(101));
    assert!(c.is_due(at(101)));
    let stale = server_reply(&tx.payload, SPEC_EXAMPLE + 100, 0).unwrap();
    c.handle_datagram(at(102), SERVER_ADDR, &stale);
    assert_eq!(c.unix_time(at(102)), Some((SPEC_EXAMPLE + 102, 0)));
}

#[test]
fn disabling_stops_attempts_and_keeps_the_clock() {
    let mut c = client();
    c.enable(at(0));
    sync(&mut c, at(0), SPEC_EXAMPLE, 500_000);
    let tx = c.begin(at(10), SERVER);
    c.disable();
    assert!(!c.is_enabled());
    assert_eq!(c.poll_timeout(), None);
    let reply = server_reply(&tx.payload, 0, 0).unwrap();
    c.handle_datagram(at(11), SERVER_ADDR, &reply);
    c.handle_timeout(at(7200));
    assert!(!c.is_due(at(7200)));
    assert_eq!(c.unix_time(at(7200)), Some((SPEC_EXAMPLE + 7200, 500_000)));
}

#[test]
fn clock_advances_with_now() {
    let mut c = client();
    c.enable(at(50));
    sync(&mut c, at(50), SPEC_EXAMPLE, 900_000);
    let later = at(50) + Duration::from_micros(86_400_000_000 + 200_001);
    assert_eq!(c.unix_time(later), Some((SPEC_EXAMPLE + 86_401, 100_001)));
    assert_eq!(
        c.unix_time(at(49)),
        Some((SPEC_EXAMPLE, 900_000)),
        "never backwards"
    );
    let (secs, _) = c.unix_time(Instant::from_micros(u64::MAX)).unwrap();
    assert!(secs > SPEC_EXAMPLE, "saturates rather than overflows");
}

#[test]
fn resync_replaces_the_clock() {
    let mut c = client();
    c.enable(at(0));
    sync(&mut c, at(0), SPEC_EXAMPLE, 0);
    c.handle_timeout(at(3600));
    sync(&mut c, at(3600), SPEC_EXAMPLE + 3590, 0);
    assert_eq!(c.unix_time(at(3610)), Some((SPEC_EXAMPLE + 3600, 0)));
}

/// One step of a driver, for the schedule contract property.
#[derive(Debug, Clone)]
enum Op {
    Wait(u32),
    Enable,
    Disable,
    Begin,
    Fail,
    Reply { stratum: u8 },
    Timeout,
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        (0u32..40_000_000).prop_map(Op::Wait),
        Just(Op::Enable),
        Just(Op::Disable),
        Just(Op::Begin),
        Just(Op::Fail),
        (0u8..3).prop_map(|stratum| Op::Reply { stratum }),
        Just(Op::Timeout),
    ]
}

proptest! {
    #[test]
    fn any_datagram_is_harmless(
        seed: u64,
        now_micros: u64,
        port in prop_oneof![Just(PORT), any::<u16>()],
        data in proptest::collection::vec(any::<u8>(), 0..100),
    ) {
        let mut c = Client::new(seed, HOUR, RETRY);
        c.enable(Instant::ZERO);
        c.begin(Instant::ZERO, SERVER);
        let now = Instant::from_micros(now_micros);
        c.handle_datagram(now, SocketAddrV4::new(SERVER, port), &data);
        prop_assert!(c.poll_timeout().is_none_or(|t| t > now));
    }

    /// Random bytes behind the right originate reach every later check.
    #[test]
    fn any_reply_to_our_nonce_is_harmless(seed: u64, mut reply: [u8; PACKET_LEN]) {
        let mut c = Client::new(seed, HOUR, RETRY);
        c.enable(at(0));
        let tx = c.begin(at(0), SERVER);
        reply[ORIGINATE_TS..ORIGINATE_TS + 8].copy_from_slice(&tx.payload[TRANSMIT_TS..]);
        c.handle_datagram(at(1), SERVER_ADDR, &reply);
        match c.unix_time(at(1)) {
            Some(time) => prop_assert_eq!(time, ntp_to_unix(read_u64(&reply, TRANSMIT_TS))),
            None => prop_assert!(c.poll_timeout() == Some(at(15))),
        }
    }

    #[test]
    fn server_time_reaches_the_client_exactly(
        unix_secs in -61_505_152i64..4_233_462_144,
        micros in 0u32..1_000_000,
    ) {
        let (mut c, reply) = waiting(at(0), unix_secs, micros);
        c.handle_datagram(at(0), SERVER_ADDR, &reply);
        prop_assert_eq!(c.unix_time(at(0)), Some((unix_secs, micros)));
    }

    #[test]
    fn local_time_matches_time_crate(unix_secs in 0i64..4_102_444_800, tz in -12i8..=12) {
        let offset = UtcOffset::from_hms(tz, 0, 0).unwrap();
        let t = OffsetDateTime::from_unix_timestamp(unix_secs).unwrap().to_offset(offset);
        let expected = std::format!(
            "{:04}-{:02}-{:02} {:02}:{:02}:{:02}",
            t.year(), u8::from(t.month()), t.day(), t.hour(), t.minute(), t.second()
        );
        prop_assert_eq!(local(unix_secs, tz), expected);
    }

    /// The contract check: after `handle_timeout(t)`, the next timeout is
    /// later than `t` or there is none.
    #[test]
    fn timeouts_always_move_forward(seed: u64, ops in proptest::collection::vec(op(), 0..40)) {
        let mut c = Client::new(seed, HOUR, RETRY);
        let mut now = Instant::ZERO;
        let mut last: Option<Transmit> = None;
        for op in ops {
            match op {
                Op::Wait(micros) => now = now + Duration::from_micros(micros.into()),
                Op::Enable => c.enable(now),
                Op::Disable => c.disable(),
                Op::Begin => last = Some(c.begin(now, SERVER)),
                Op::Fail => c.fail(now),
                Op::Reply { stratum } => {
                    if let Some(mut reply) = last.and_then(|tx| server_reply(&tx.payload, 0, 0)) {
                        reply[STRATUM] = stratum;
                        c.handle_datagram(now, SERVER_ADDR, &reply);
                    }
                }
                Op::Timeout => {
                    c.handle_timeout(now);
                    prop_assert!(c.poll_timeout().is_none_or(|t| t > now));
                }
            }
            // Disabled, only a request begun anyway can still have a timer.
            let in_flight = matches!(c.state, State::Waiting { .. });
            prop_assert!(c.is_enabled() || in_flight || c.poll_timeout().is_none());
        }
    }
}
