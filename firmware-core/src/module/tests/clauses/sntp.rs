//! NT-1…NT-5: SNTP (AT+CIPSNTPCFG, AT+CIPSNTPTIME).

use super::*;
use rstest::rstest;

/// Unix time of the page's `+CIPSNTPTIME:2022-10-21 19:20:39` at UTC+8.
const PAGE_EXAMPLE: i64 = 1_666_351_239;
const NTP_SERVER: Ipv4Addr = Ipv4Addr::new(203, 0, 113, 7);
const HOUR: Duration = Duration::from_secs(3600);

/// SNTP enabled at UTC+8 with `NTP_SERVER`, synchronised to the page's
/// example time.
fn synced() -> Driver {
    let mut d = Driver::booted();
    assert_eq!(d.cmd("AT+CIPSNTPCFG=1,8,\"203.0.113.7\""), "\r\nOK\r\n");
    let req = sntp_request(&mut d, NTP_SERVER);
    sntp_answer(&mut d, NTP_SERVER, &req, PAGE_EXAMPLE, 0);
    assert_eq!(d.take_text(), "");
    d
}

// ======================================================================
// NT-1: AT+CIPSNTPCFG=
// ======================================================================

#[rstest]
#[case::missing("AT+CIPSNTPCFG=")]
#[case::enable_2("AT+CIPSNTPCFG=2,0")]
#[case::enable_negative("AT+CIPSNTPCFG=-1,0")]
#[case::enable_quoted("AT+CIPSNTPCFG=\"1\",0")]
#[case::enable_without_timezone("AT+CIPSNTPCFG=1")]
#[case::enable_with_omitted_timezone("AT+CIPSNTPCFG=1,,\"pool.ntp.org\"")]
#[case::timezone_13("AT+CIPSNTPCFG=1,13")]
#[case::timezone_minus_13("AT+CIPSNTPCFG=1,-13")]
#[case::timezone_fraction("AT+CIPSNTPCFG=1,5.5")]
#[case::timezone_quoted("AT+CIPSNTPCFG=1,\"8\"")]
#[case::timezone_13_disabled("AT+CIPSNTPCFG=0,13")]
#[case::server_empty("AT+CIPSNTPCFG=1,8,\"\"")]
#[case::server_65_bytes(
    "AT+CIPSNTPCFG=1,8,\"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa.org\""
)]
#[case::server_empty_label("AT+CIPSNTPCFG=1,8,\"pool..org\"")]
#[case::server_label_64(
    "AT+CIPSNTPCFG=0,8,\"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\""
)]
#[case::server_only_a_dot("AT+CIPSNTPCFG=1,8,\".\"")]
#[case::extra("AT+CIPSNTPCFG=1,8,\"pool.ntp.org\",1")]
fn nt_1_bad_cipsntpcfg_is_an_error(#[case] line: &str) {
    let mut d = Driver::booted();
    refused(&mut d, line);
}

#[test]
fn nt_1_page_example_china_resolves_the_server_and_syncs_at_once() {
    let mut d = Driver::booted();
    assert_eq!(d.cmd("AT+CIPSNTPCFG=1,8,\"cn.ntp.org.cn\""), "\r\nOK\r\n");
    let q = dns_query(&mut d, SNTP_DNS_SOCKET, DHCP_DNS, "cn.ntp.org.cn");
    dns_answer(
        &mut d,
        SNTP_DNS_SOCKET,
        DHCP_DNS,
        &q,
        RCODE::NoError,
        &[Rr::A("cn.ntp.org.cn", [203, 0, 113, 7])],
    );
    let req = sntp_request(&mut d, NTP_SERVER);
    sntp_answer(&mut d, NTP_SERVER, &req, PAGE_EXAMPLE, 0);
    assert_eq!(
        d.cmd("AT+CIPSNTPCFG?"),
        "+CIPSNTPCFG:1,8,\"cn.ntp.org.cn\"\r\n\r\nOK\r\n"
    );
    assert_eq!(
        d.cmd("AT+CIPSNTPTIME?"),
        "+CIPSNTPTIME:2022-10-21 19:20:39\r\n\r\nOK\r\n"
    );
}

#[test]
fn nt_1_page_example_new_york() {
    let mut d = Driver::booted();
    assert_eq!(d.cmd("AT+CIPSNTPCFG=1,-5,\"0.pool.ntp.org\""), "\r\nOK\r\n");
    dns_query(&mut d, SNTP_DNS_SOCKET, DHCP_DNS, "0.pool.ntp.org");
    assert_eq!(
        d.cmd("AT+CIPSNTPCFG?"),
        "+CIPSNTPCFG:1,-5,\"0.pool.ntp.org\"\r\n\r\nOK\r\n"
    );
}

#[test]
fn nt_1_the_default_server_name_is_resolved() {
    let mut d = Driver::booted();
    assert_eq!(d.cmd("AT+CIPSNTPCFG=1,0"), "\r\nOK\r\n");
    dns_query(&mut d, SNTP_DNS_SOCKET, DHCP_DNS, "pool.ntp.org");
}

#[test]
fn nt_1_server_is_kept_when_left_out() {
    let mut d = Driver::booted();
    assert_eq!(d.cmd("AT+CIPSNTPCFG=0,1,\"time.example\""), "\r\nOK\r\n");
    assert_eq!(d.net, [], "disabled: no attempt");
    assert_eq!(d.cmd("AT+CIPSNTPCFG=1,3"), "\r\nOK\r\n");
    dns_query(&mut d, SNTP_DNS_SOCKET, DHCP_DNS, "time.example");
    assert_eq!(d.cmd("AT+CIPSNTPCFG=0"), "\r\nOK\r\n");
    assert_eq!(
        d.cmd("AT+CIPSNTPCFG?"),
        "+CIPSNTPCFG:0,3,\"time.example\"\r\n\r\nOK\r\n"
    );
}

#[test]
fn nt_1_a_silent_server_is_retried_every_15_s() {
    let mut d = Driver::booted();
    assert_eq!(d.cmd("AT+CIPSNTPCFG=1,0,\"203.0.113.7\""), "\r\nOK\r\n");
    sntp_request(&mut d, NTP_SERVER);
    d.wait(Duration::from_millis(14_999));
    assert_eq!(d.net, []);
    d.wait(Duration::from_millis(1));
    sntp_request(&mut d, NTP_SERVER);
    d.wait(Duration::from_secs(15));
    let req = sntp_request(&mut d, NTP_SERVER);
    sntp_answer(&mut d, NTP_SERVER, &req, PAGE_EXAMPLE, 0);
    assert_eq!(
        d.cmd("AT+CIPSNTPTIME?"),
        "+CIPSNTPTIME:2022-10-21 11:20:39\r\n\r\nOK\r\n"
    );
}

#[test]
fn nt_1_a_server_name_that_does_not_resolve_is_retried_after_15_s() {
    let mut d = Driver::booted();
    assert_eq!(d.cmd("AT+CIPSNTPCFG=1,0,\"bad.example\""), "\r\nOK\r\n");
    let q = dns_query(&mut d, SNTP_DNS_SOCKET, DHCP_DNS, "bad.example");
    dns_answer(&mut d, SNTP_DNS_SOCKET, DHCP_DNS, &q, RCODE::NameError, &[]);
    assert_eq!(d.net, []);
    d.wait(Duration::from_millis(14_999));
    assert_eq!(d.net, []);
    d.wait(Duration::from_millis(1));
    dns_query(&mut d, SNTP_DNS_SOCKET, DHCP_DNS, "bad.example");
    assert_eq!(d.take_text(), "");
}

#[test]
fn nt_1_resynchronises_every_hour() {
    let mut d = synced();
    d.wait(HOUR - Duration::from_millis(1));
    assert_eq!(d.net, []);
    d.wait(Duration::from_millis(1));
    let req = sntp_request(&mut d, NTP_SERVER);
    // The server's clock ran 2 s fast meanwhile: the new time wins.
    sntp_answer(&mut d, NTP_SERVER, &req, PAGE_EXAMPLE + 3602, 0);
    assert_eq!(
        d.cmd("AT+CIPSNTPTIME?"),
        "+CIPSNTPTIME:2022-10-21 20:20:41\r\n\r\nOK\r\n"
    );
    d.wait(HOUR);
    sntp_request(&mut d, NTP_SERVER);
}

#[test]
fn nt_1_disabling_stops_attempts() {
    let mut d = Driver::booted();
    assert_eq!(d.cmd("AT+CIPSNTPCFG=1,0,\"203.0.113.7\""), "\r\nOK\r\n");
    sntp_request(&mut d, NTP_SERVER);
    assert_eq!(d.cmd("AT+CIPSNTPCFG=0"), "\r\nOK\r\n");
    d.wait(Duration::from_secs(2 * 3600));
    assert_eq!(d.net, []);
}

#[test]
fn nt_1_disabling_during_the_server_lookup_sends_nothing() {
    let mut d = Driver::booted();
    assert_eq!(d.cmd("AT+CIPSNTPCFG=1,0,\"time.example\""), "\r\nOK\r\n");
    let q = dns_query(&mut d, SNTP_DNS_SOCKET, DHCP_DNS, "time.example");
    assert_eq!(d.cmd("AT+CIPSNTPCFG=0"), "\r\nOK\r\n");
    dns_answer(
        &mut d,
        SNTP_DNS_SOCKET,
        DHCP_DNS,
        &q,
        RCODE::NoError,
        &[Rr::A("time.example", [203, 0, 113, 7])],
    );
    d.wait(Duration::from_secs(60));
    assert_eq!(d.net, []);
}

#[test]
fn nt_1_a_new_server_replaces_the_lookup_of_the_old_one() {
    let mut d = Driver::booted();
    assert_eq!(d.cmd("AT+CIPSNTPCFG=1,0,\"old.example\""), "\r\nOK\r\n");
    let old = dns_query(&mut d, SNTP_DNS_SOCKET, DHCP_DNS, "old.example");
    assert_eq!(d.cmd("AT+CIPSNTPCFG=1,0,\"203.0.113.7\""), "\r\nOK\r\n");
    let req = sntp_request(&mut d, NTP_SERVER);
    dns_answer(
        &mut d,
        SNTP_DNS_SOCKET,
        DHCP_DNS,
        &old,
        RCODE::NoError,
        &[Rr::A("old.example", [198, 51, 100, 1])],
    );
    assert_eq!(d.net, []);
    sntp_answer(&mut d, NTP_SERVER, &req, PAGE_EXAMPLE, 0);
    assert_eq!(
        d.cmd("AT+CIPSNTPTIME?"),
        "+CIPSNTPTIME:2022-10-21 11:20:39\r\n\r\nOK\r\n"
    );
}

// ======================================================================
// NT-2: AT+CIPSNTPCFG?
// ======================================================================

#[test]
fn nt_2_factory_value() {
    let mut d = Driver::booted();
    assert_eq!(
        d.cmd("AT+CIPSNTPCFG?"),
        "+CIPSNTPCFG:0,0,\"pool.ntp.org\"\r\n\r\nOK\r\n"
    );
}

// ======================================================================
// NT-3: a real SNTPv4 exchange, the time from the transmit timestamp
// ======================================================================

#[test]
fn nt_3_time_comes_from_the_transmit_timestamp() {
    let mut d = Driver::booted();
    assert_eq!(d.cmd("AT+CIPSNTPCFG=1,0,\"203.0.113.7\""), "\r\nOK\r\n");
    let req = sntp_request(&mut d, NTP_SERVER);
    let mut reply = crate::sntp::server_reply(&req, PAGE_EXAMPLE, 0).unwrap();
    // Reference and receive timestamps a day earlier: ignored.
    let other = crate::sntp::server_reply(&req, PAGE_EXAMPLE - 86_400, 0).unwrap();
    reply[16..40].copy_from_slice(&other[16..40]);
    // A reply from another address, or to another request, is ignored.
    d.event(NetEvent::Received {
        socket: SNTP_SOCKET,
        from: SocketAddrV4::new(Ipv4Addr::new(203, 0, 113, 8), 123),
        data: &other,
    });
    let mut forged = other;
    forged[24] ^= 1;
    d.event(NetEvent::Received {
        socket: SNTP_SOCKET,
        from: SocketAddrV4::new(NTP_SERVER, 123),
        data: &forged,
    });
    assert_eq!(d.cmd("AT+CIPSNTPTIME?"), "\r\nERROR\r\n");
    d.event(NetEvent::Received {
        socket: SNTP_SOCKET,
        from: SocketAddrV4::new(NTP_SERVER, 123),
        data: &reply,
    });
    assert_eq!(
        d.cmd("AT+CIPSNTPTIME?"),
        "+CIPSNTPTIME:2022-10-21 11:20:39\r\n\r\nOK\r\n"
    );
}

// ======================================================================
// NT-4: AT+CIPSNTPTIME?
// ======================================================================

#[test]
fn nt_4_page_example() {
    let mut d = synced();
    assert_eq!(
        d.cmd("AT+CIPSNTPTIME?"),
        "+CIPSNTPTIME:2022-10-21 19:20:39\r\n\r\nOK\r\n"
    );
}

#[test]
fn nt_4_the_clock_runs_on_from_the_synchronisation() {
    let mut d = synced();
    d.wait(Duration::from_millis(90_999));
    assert_eq!(
        d.cmd("AT+CIPSNTPTIME?"),
        "+CIPSNTPTIME:2022-10-21 19:22:09\r\n\r\nOK\r\n"
    );
    // Past midnight, local time: the date changes, zero-padded.
    d.wait(Duration::from_secs(4 * 3600 + 38 * 60));
    assert_eq!(
        d.cmd("AT+CIPSNTPTIME?"),
        "+CIPSNTPTIME:2022-10-22 00:00:09\r\n\r\nOK\r\n"
    );
}

#[test]
fn nt_4_error_before_the_first_synchronisation() {
    let mut d = Driver::booted();
    assert_eq!(d.cmd("AT+CIPSNTPTIME?"), "\r\nERROR\r\n");
    assert_eq!(d.cmd("AT+CIPSNTPCFG=1,8,\"203.0.113.7\""), "\r\nOK\r\n");
    sntp_request(&mut d, NTP_SERVER);
    assert_eq!(d.cmd("AT+CIPSNTPTIME?"), "\r\nERROR\r\n");
}

#[test]
fn nt_4_error_again_after_a_restart() {
    let mut d = synced();
    assert_eq!(d.cmd("AT+RST"), "\r\nOK\r\n");
    d.wait(SEED.restart_time);
    d.send(b"ATE0\r\n");
    assert_eq!(d.take_text(), "\r\nready\r\nATE0\r\n\r\nOK\r\n");
    assert_eq!(d.cmd("AT+CIPSNTPTIME?"), "\r\nERROR\r\n");
}

// ======================================================================
// NT-5: a new timezone applies at once
// ======================================================================

#[rstest]
#[case::new_york("AT+CIPSNTPCFG=1,-5", "2022-10-21 06:20:39")]
#[case::utc_disabled("AT+CIPSNTPCFG=0,0", "2022-10-21 11:20:39")]
#[case::plus_12("AT+CIPSNTPCFG=1,12", "2022-10-21 23:20:39")]
#[case::minus_12("AT+CIPSNTPCFG=0,-12", "2022-10-20 23:20:39")]
fn nt_5_timezone_applies_to_the_next_query(#[case] line: &str, #[case] time: &str) {
    let mut d = synced();
    assert_eq!(d.cmd(line), "\r\nOK\r\n");
    assert_eq!(
        d.cmd("AT+CIPSNTPTIME?"),
        alloc::format!("+CIPSNTPTIME:{time}\r\n\r\nOK\r\n")
    );
}

/// The hourly sync falls due while passthrough data flows: its lookup goes
/// out on the hour, and the answer, coming between passthrough's own
/// packets, sends the request at once (the core's quiet path for bulk data
/// must not sit on other timers or events).
#[test]
fn nt_1_resynchronises_during_passthrough() {
    let name = "cn.ntp.org.cn";
    let resolve = |d: &mut Driver| {
        let q = dns_query(d, SNTP_DNS_SOCKET, DHCP_DNS, name);
        dns_answer(
            d,
            SNTP_DNS_SOCKET,
            DHCP_DNS,
            &q,
            RCODE::NoError,
            &[Rr::A(name, [203, 0, 113, 7])],
        );
    };
    let mut d = Driver::booted();
    assert_eq!(d.cmd("AT+CIPSNTPCFG=1,8,\"cn.ntp.org.cn\""), "\r\nOK\r\n");
    resolve(&mut d);
    let req = sntp_request(&mut d, NTP_SERVER);
    sntp_answer(&mut d, NTP_SERVER, &req, PAGE_EXAMPLE, 0);
    let due = d.now + HOUR;
    assert_eq!(d.cmd("AT+CIPMODE=1"), "\r\nOK\r\n");
    let socket = d.tcp_link(0, 20108);
    assert_eq!(d.cmd("AT+CIPSEND"), "\r\n>");
    // A piece every second, flushed after 20 ms and acknowledged.
    let piece = |d: &mut Driver| {
        d.send(b"0123456789");
        d.wait(Duration::from_millis(20));
        match d.next_net() {
            NetCommand::Send {
                socket: s, data, ..
            } => {
                assert_eq!((s, &data[..]), (socket, &b"0123456789"[..]));
            }
            other => panic!("expected the piece's packet, got {other:?}"),
        }
        d.event(NetEvent::Sent { socket });
    };
    while d.now + Duration::from_secs(1) < due {
        piece(&mut d);
        d.wait(Duration::from_secs(1) - Duration::from_millis(20));
        assert_eq!(d.net, [], "nothing but the pieces before the hour");
    }
    d.wait(due.saturating_since(d.now));
    resolve(&mut d);
    let req = sntp_request(&mut d, NTP_SERVER);
    sntp_answer(&mut d, NTP_SERVER, &req, PAGE_EXAMPLE + 3600, 0);
    assert!(d.m.is_passthrough());
    piece(&mut d);
}
