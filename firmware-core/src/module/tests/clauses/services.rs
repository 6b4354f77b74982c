//! PG (AT+PING), DM (AT+CIPDOMAIN), DN (AT+CIPDNS), PK (AT+CIPSSLCPSK).

use super::*;
use rstest::rstest;

// ======================================================================
// PG-1: AT+PING
// ======================================================================

#[rstest]
#[case::missing("AT+PING=")]
#[case::empty("AT+PING=\"\"")]
#[case::extra("AT+PING=\"192.168.0.103\",1")]
fn pg_1_bad_ping_is_an_error(#[case] line: &str) {
    let mut d = Driver::booted();
    refused(&mut d, line);
}

#[rstest]
#[case::quoted("AT+PING=\"192.168.0.103\"")]
#[case::bare("AT+PING=192.168.0.103")]
fn pg_1_round_trip_in_whole_milliseconds_truncated(#[case] line: &str) {
    let mut d = Driver::booted();
    let NetCommand::Ping { socket, to } = asks(&mut d, line) else {
        panic!()
    };
    assert_eq!(to, PEER);
    d.wait(Duration::from_micros(12_900));
    d.event(NetEvent::PingReply { socket });
    assert_eq!(d.take_text(), "+PING:12\r\n\r\nOK\r\n");
}

#[test]
fn pg_1_fast_and_slow_replies() {
    let mut d = Driver::booted();
    let NetCommand::Ping { socket, .. } = asks(&mut d, "AT+PING=\"192.168.0.103\"") else {
        panic!()
    };
    d.wait(Duration::from_micros(900));
    d.event(NetEvent::PingReply { socket });
    assert_eq!(d.take_text(), "+PING:0\r\n\r\nOK\r\n");
    let NetCommand::Ping { socket, .. } = asks(&mut d, "AT+PING=\"192.168.0.103\"") else {
        panic!()
    };
    d.wait(Duration::from_micros(999_999));
    assert_eq!(d.take_text(), "");
    d.event(NetEvent::PingReply { socket });
    assert_eq!(d.take_text(), "+PING:999\r\n\r\nOK\r\n");
}

#[test]
fn pg_1_no_reply_within_1_s_is_timeout() {
    let mut d = Driver::booted();
    let NetCommand::Ping { socket, .. } = asks(&mut d, "AT+PING=\"10.9.9.9\"") else {
        panic!()
    };
    d.wait(Duration::from_micros(999_999));
    assert_eq!(d.take_text(), "");
    d.wait(Duration::from_micros(1));
    assert_eq!(d.take_text(), "+PING:TIMEOUT\r\n\r\nERROR\r\n");
    d.event(NetEvent::PingReply { socket });
    assert_eq!(d.take_text(), "", "a late reply is ignored");
    assert_eq!(d.cmd("AT"), "\r\nOK\r\n");
}

#[test]
fn pg_1_a_name_is_resolved_first() {
    let mut d = Driver::booted();
    assert_eq!(d.cmd("AT+PING=\"host.example\""), "");
    resolves(&mut d, "host.example", [10, 0, 0, 7]);
    let NetCommand::Ping { socket, to } = d.next_net() else {
        panic!()
    };
    assert_eq!(to, Ipv4Addr::new(10, 0, 0, 7));
    d.wait(Duration::from_millis(3));
    d.event(NetEvent::PingReply { socket });
    assert_eq!(d.take_text(), "+PING:3\r\n\r\nOK\r\n");
}

#[test]
fn pg_1_a_name_that_does_not_exist_is_timeout() {
    let mut d = Driver::booted();
    assert_eq!(d.cmd("AT+PING=\"nowhere.example\""), "");
    let q = dns_query(&mut d, DNS_SOCKET, DHCP_DNS, "nowhere.example");
    dns_answer(&mut d, DNS_SOCKET, DHCP_DNS, &q, RCODE::NameError, &[]);
    assert_eq!(d.take_text(), "+PING:TIMEOUT\r\n\r\nERROR\r\n");
    assert_eq!(d.net, []);
}

#[test]
fn pg_1_a_name_whose_servers_are_silent_is_timeout() {
    let mut d = Driver::booted();
    assert_eq!(d.cmd("AT+PING=silent.example"), "");
    dns_query(&mut d, DNS_SOCKET, DHCP_DNS, "silent.example");
    d.wait(Duration::from_secs(1));
    assert_eq!(d.take_text(), "+PING:TIMEOUT\r\n\r\nERROR\r\n");
    assert_eq!(d.net, []);
}

#[rstest]
#[case::empty_label("AT+PING=\"a..b\"")]
#[case::long_label(
    "AT+PING=\"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa.com\""
)]
fn pg_1_an_invalid_name_does_not_resolve(#[case] line: &str) {
    let mut d = Driver::booted();
    assert_eq!(d.cmd(line), "+PING:TIMEOUT\r\n\r\nERROR\r\n");
    assert_eq!(d.net, []);
}

// ======================================================================
// DM-1, DM-2: AT+CIPDOMAIN
// ======================================================================

#[rstest]
#[case::missing("AT+CIPDOMAIN=")]
#[case::empty("AT+CIPDOMAIN=\"\"")]
#[case::extra("AT+CIPDOMAIN=\"a.com\",1")]
#[case::empty_label("AT+CIPDOMAIN=\"a..com\"")]
#[case::leading_dot("AT+CIPDOMAIN=\".a.com\"")]
#[case::only_a_dot("AT+CIPDOMAIN=\".\"")]
#[case::label_64(
    "AT+CIPDOMAIN=\"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa.com\""
)]
fn dm_1_invalid_names_are_errors(#[case] line: &str) {
    let mut d = Driver::booted();
    refused(&mut d, line);
}

#[rstest]
#[case::literal("\"192.168.0.103\"", "192.168.0.103")]
#[case::literal_bare("10.0.0.1", "10.0.0.1")]
#[case::zeros("\"0.0.0.0\"", "0.0.0.0")]
fn dm_1_an_ipv4_literal_answers_itself(#[case] arg: &str, #[case] ip: &str) {
    let mut d = Driver::booted();
    assert_eq!(
        d.cmd(&alloc::format!("AT+CIPDOMAIN={arg}")),
        alloc::format!("+CIPDOMAIN:\"{ip}\"\r\n\r\nOK\r\n")
    );
    assert_eq!(d.net, []);
}

#[test]
fn dm_1_a_name_resolves() {
    let mut d = Driver::booted();
    assert_eq!(d.cmd("AT+CIPDOMAIN=\"www.example.com\""), "");
    resolves(&mut d, "www.example.com", [93, 184, 216, 34]);
    assert_eq!(d.take_text(), "+CIPDOMAIN:\"93.184.216.34\"\r\n\r\nOK\r\n");
}

#[test]
fn dm_1_the_longest_name_a_line_can_carry_is_valid() {
    // `AT+CIPDOMAIN=` + 243 bytes is a 256-byte line (G-3), so the 253-byte
    // limit itself cannot be reached from the UART.
    let name: String = [
        "a".repeat(63),
        "b".repeat(63),
        "c".repeat(63),
        "d".repeat(51),
    ]
    .join(".");
    assert_eq!(name.len(), 243);
    let name: &'static str = alloc::boxed::Box::leak(name.into_boxed_str());
    let mut d = Driver::booted();
    assert_eq!(d.cmd(&alloc::format!("AT+CIPDOMAIN={name}")), "");
    resolves(&mut d, name, [10, 1, 1, 1]);
    assert_eq!(d.take_text(), "+CIPDOMAIN:\"10.1.1.1\"\r\n\r\nOK\r\n");
}

#[test]
fn dm_1_not_found_is_an_error() {
    let mut d = Driver::booted();
    assert_eq!(d.cmd("AT+CIPDOMAIN=\"nowhere.example\""), "");
    let q = dns_query(&mut d, DNS_SOCKET, DHCP_DNS, "nowhere.example");
    dns_answer(&mut d, DNS_SOCKET, DHCP_DNS, &q, RCODE::NameError, &[]);
    assert_eq!(d.take_text(), "\r\nERROR\r\n");
}

#[test]
fn dm_1_no_address_record_is_not_found() {
    let mut d = Driver::booted();
    assert_eq!(d.cmd("AT+CIPDOMAIN=\"v6only.example\""), "");
    let q = dns_query(&mut d, DNS_SOCKET, DHCP_DNS, "v6only.example");
    dns_answer(&mut d, DNS_SOCKET, DHCP_DNS, &q, RCODE::NoError, &[]);
    assert_eq!(d.take_text(), "\r\nERROR\r\n");
}

#[test]
fn dm_2_cname_chain_in_one_response() {
    let mut d = Driver::booted();
    assert_eq!(d.cmd("AT+CIPDOMAIN=\"www.x.com\""), "");
    let q = dns_query(&mut d, DNS_SOCKET, DHCP_DNS, "www.x.com");
    dns_answer(
        &mut d,
        DNS_SOCKET,
        DHCP_DNS,
        &q,
        RCODE::NoError,
        &[
            Rr::Cname("www.x.com", "a.x.com"),
            Rr::Cname("a.x.com", "b.x.com"),
            Rr::A("b.x.com", [1, 2, 3, 4]),
        ],
    );
    assert_eq!(d.take_text(), "+CIPDOMAIN:\"1.2.3.4\"\r\n\r\nOK\r\n");
}

#[test]
fn dm_2_cname_chain_across_queries() {
    let mut d = Driver::booted();
    assert_eq!(d.cmd("AT+CIPDOMAIN=\"www.x.com\""), "");
    let q = dns_query(&mut d, DNS_SOCKET, DHCP_DNS, "www.x.com");
    dns_answer(
        &mut d,
        DNS_SOCKET,
        DHCP_DNS,
        &q,
        RCODE::NoError,
        &[Rr::Cname("www.x.com", "cdn.y.net")],
    );
    assert_eq!(d.take_text(), "");
    resolves(&mut d, "cdn.y.net", [5, 6, 7, 8]);
    assert_eq!(d.take_text(), "+CIPDOMAIN:\"5.6.7.8\"\r\n\r\nOK\r\n");
}

#[test]
fn dm_2_servers_in_order_one_second_each() {
    let s1 = Ipv4Addr::new(1, 1, 1, 1);
    let s2 = Ipv4Addr::new(8, 8, 8, 8);
    let s3 = Ipv4Addr::new(9, 9, 9, 9);
    let mut d = Driver::booted();
    assert_eq!(
        d.cmd("AT+CIPDNS=1,\"1.1.1.1\",\"8.8.8.8\",\"9.9.9.9\""),
        "\r\nOK\r\n"
    );
    assert_eq!(d.cmd("AT+CIPDOMAIN=\"example.com\""), "");
    let q1 = dns_query(&mut d, DNS_SOCKET, s1, "example.com");
    d.wait(Duration::from_millis(999));
    assert_eq!(d.net, []);
    d.wait(Duration::from_millis(1));
    dns_query(&mut d, DNS_SOCKET, s2, "example.com");
    // The first server's late answer no longer counts.
    dns_answer(
        &mut d,
        DNS_SOCKET,
        s1,
        &q1,
        RCODE::NoError,
        &[Rr::A("example.com", [6, 6, 6, 6])],
    );
    assert_eq!(d.take_text(), "");
    d.wait(Duration::from_secs(1));
    let q3 = dns_query(&mut d, DNS_SOCKET, s3, "example.com");
    dns_answer(
        &mut d,
        DNS_SOCKET,
        s3,
        &q3,
        RCODE::NoError,
        &[Rr::A("example.com", [93, 184, 216, 34])],
    );
    assert_eq!(d.take_text(), "+CIPDOMAIN:\"93.184.216.34\"\r\n\r\nOK\r\n");
}

#[test]
fn dm_2_every_server_silent_is_an_error() {
    let mut d = Driver::booted();
    assert_eq!(d.cmd("AT+CIPDNS=1,\"1.1.1.1\",\"8.8.8.8\""), "\r\nOK\r\n");
    assert_eq!(d.cmd("AT+CIPDOMAIN=\"example.com\""), "");
    dns_query(&mut d, DNS_SOCKET, Ipv4Addr::new(1, 1, 1, 1), "example.com");
    d.wait(Duration::from_secs(1));
    dns_query(&mut d, DNS_SOCKET, Ipv4Addr::new(8, 8, 8, 8), "example.com");
    d.wait(Duration::from_millis(999));
    assert_eq!(d.take_text(), "");
    d.wait(Duration::from_millis(1));
    assert_eq!(d.take_text(), "\r\nERROR\r\n");
    assert_eq!(d.net, []);
}

// ======================================================================
// DN-1…DN-4: AT+CIPDNS
// ======================================================================

#[test]
fn dn_1_factory_state_is_automatic_with_dhcp_servers() {
    let mut d = Driver::booted();
    assert_eq!(
        d.cmd("AT+CIPDNS?"),
        "+CIPDNS:0,\"192.168.0.1\"\r\n\r\nOK\r\n"
    );
}

#[test]
fn dn_1_lists_up_to_three_servers() {
    let mut d = Driver::booted();
    assert_eq!(
        d.cmd("AT+CIPDNS=1,\"1.1.1.1\",\"8.8.8.8\",\"9.9.9.9\""),
        "\r\nOK\r\n"
    );
    assert_eq!(
        d.cmd("AT+CIPDNS?"),
        "+CIPDNS:1,\"1.1.1.1\",\"8.8.8.8\",\"9.9.9.9\"\r\n\r\nOK\r\n"
    );
}

#[rstest]
#[case::missing("AT+CIPDNS=")]
#[case::enable_2("AT+CIPDNS=2")]
#[case::enable_negative("AT+CIPDNS=-1")]
#[case::enable_quoted("AT+CIPDNS=\"1\"")]
#[case::not_ipv4("AT+CIPDNS=1,\"dns.example\"")]
#[case::three_octets("AT+CIPDNS=1,\"1.2.3\"")]
#[case::octet_256("AT+CIPDNS=1,\"256.1.1.1\"")]
#[case::leading_zero("AT+CIPDNS=1,\"01.2.3.4\"")]
#[case::empty("AT+CIPDNS=1,\"\"")]
#[case::omitted("AT+CIPDNS=1,")]
#[case::omitted_between("AT+CIPDNS=1,,\"1.1.1.1\"")]
#[case::same_twice("AT+CIPDNS=1,\"1.1.1.1\",\"1.1.1.1\"")]
#[case::same_first_and_third("AT+CIPDNS=1,\"1.1.1.1\",\"8.8.8.8\",\"1.1.1.1\"")]
#[case::fourth("AT+CIPDNS=1,\"1.1.1.1\",\"8.8.8.8\",\"9.9.9.9\",\"4.4.4.4\"")]
#[case::automatic_with_address("AT+CIPDNS=0,\"1.1.1.1\"")]
fn dn_2_dn_3_bad_cipdns_is_an_error(#[case] line: &str) {
    let mut d = Driver::booted();
    refused(&mut d, line);
}

#[test]
fn dn_2_manual_without_address_is_the_fallback() {
    let mut d = Driver::booted();
    assert_eq!(d.cmd("AT+CIPDNS=1"), "\r\nOK\r\n");
    assert_eq!(
        d.cmd("AT+CIPDNS?"),
        "+CIPDNS:1,\"208.67.222.222\"\r\n\r\nOK\r\n"
    );
    assert_eq!(d.cmd("AT+CIPDOMAIN=\"example.com\""), "");
    dns_query(
        &mut d,
        DNS_SOCKET,
        Ipv4Addr::new(208, 67, 222, 222),
        "example.com",
    );
}

#[test]
fn dn_2_manual_servers_are_used_and_dhcp_does_not_override_them() {
    let mut d = Driver::booted();
    assert_eq!(d.cmd("AT+CIPDNS=1, 8.8.8.8"), "\r\nOK\r\n");
    d.event(NetEvent::Configured {
        address: MODULE_IP,
        dns: &[Ipv4Addr::new(192, 168, 0, 2)],
        gateway: Ipv4Addr::new(192, 168, 0, 1),
        netmask: Ipv4Addr::new(255, 255, 255, 0),
    });
    assert_eq!(d.cmd("AT+CIPDNS?"), "+CIPDNS:1,\"8.8.8.8\"\r\n\r\nOK\r\n");
    assert_eq!(d.cmd("AT+CIPDOMAIN=\"example.com\""), "");
    dns_query(&mut d, DNS_SOCKET, Ipv4Addr::new(8, 8, 8, 8), "example.com");
}

#[test]
fn dn_3_automatic_reverts_to_the_fallback_until_the_next_dhcp_update() {
    let mut d = Driver::booted();
    assert_eq!(d.cmd("AT+CIPDNS=1,\"1.1.1.1\""), "\r\nOK\r\n");
    assert_eq!(d.cmd("AT+CIPDNS=0"), "\r\nOK\r\n");
    assert_eq!(
        d.cmd("AT+CIPDNS?"),
        "+CIPDNS:0,\"208.67.222.222\"\r\n\r\nOK\r\n"
    );
    assert_eq!(d.cmd("AT+CIPDOMAIN=\"example.com\""), "");
    let fallback = Ipv4Addr::new(208, 67, 222, 222);
    let q = dns_query(&mut d, DNS_SOCKET, fallback, "example.com");
    dns_answer(
        &mut d,
        DNS_SOCKET,
        fallback,
        &q,
        RCODE::NoError,
        &[Rr::A("example.com", [1, 1, 1, 2])],
    );
    d.take_text();
    d.event(NetEvent::Configured {
        address: MODULE_IP,
        dns: &[Ipv4Addr::new(192, 168, 0, 2), Ipv4Addr::new(192, 168, 0, 3)],
        gateway: Ipv4Addr::new(192, 168, 0, 1),
        netmask: Ipv4Addr::new(255, 255, 255, 0),
    });
    assert_eq!(
        d.cmd("AT+CIPDNS?"),
        "+CIPDNS:0,\"192.168.0.2\",\"192.168.0.3\"\r\n\r\nOK\r\n"
    );
}

#[test]
fn dn_3_automatic_takes_dhcp_servers_at_restart() {
    let mut d = Driver::booted();
    assert_eq!(d.cmd("AT+CIPDNS=0"), "\r\nOK\r\n");
    assert_eq!(d.cmd("AT+RST"), "\r\nOK\r\n");
    d.wait(SEED.restart_time);
    d.send(b"ATE0\r\n");
    assert_eq!(d.take_text(), "\r\nready\r\nATE0\r\n\r\nOK\r\n");
    assert_eq!(
        d.cmd("AT+CIPDNS?"),
        "+CIPDNS:0,\"192.168.0.1\"\r\n\r\nOK\r\n"
    );
}

#[rstest]
#[case::none(&[], "\"208.67.222.222\"")]
#[case::four(
    &[Ipv4Addr::new(10, 0, 0, 1), Ipv4Addr::new(10, 0, 0, 2), Ipv4Addr::new(10, 0, 0, 3), Ipv4Addr::new(10, 0, 0, 4)],
    "\"10.0.0.1\",\"10.0.0.2\",\"10.0.0.3\""
)]
fn dn_3_dhcp_offers(#[case] dns: &[Ipv4Addr], #[case] listed: &str) {
    let mut d = Driver::booted();
    d.event(NetEvent::Configured {
        address: MODULE_IP,
        dns,
        gateway: Ipv4Addr::new(192, 168, 0, 1),
        netmask: Ipv4Addr::new(255, 255, 255, 0),
    });
    assert_eq!(
        d.cmd("AT+CIPDNS?"),
        alloc::format!("+CIPDNS:0,{listed}\r\n\r\nOK\r\n")
    );
}

#[test]
fn dn_4_with_sysstore_1_the_setting_survives_rst_and_power_on() {
    let mut d = Driver::booted();
    assert_eq!(d.cmd("AT+CIPDNS=1,\"1.1.1.1\",\"8.8.8.8\""), "\r\nOK\r\n");
    assert_eq!(d.cmd("AT+RST"), "\r\nOK\r\n");
    d.wait(SEED.restart_time);
    d.send(b"ATE0\r\n");
    assert_eq!(d.take_text(), "\r\nready\r\nATE0\r\n\r\nOK\r\n");
    assert_eq!(
        d.cmd("AT+CIPDNS?"),
        "+CIPDNS:1,\"1.1.1.1\",\"8.8.8.8\"\r\n\r\nOK\r\n"
    );
    let blob = d.stored.clone().expect("stored");
    let mut d = Driver::power_on(&blob);
    d.send(b"ATE0\r\n");
    d.take_text();
    assert_eq!(
        d.cmd("AT+CIPDNS?"),
        "+CIPDNS:1,\"1.1.1.1\",\"8.8.8.8\"\r\n\r\nOK\r\n"
    );
}

#[test]
fn dn_4_with_sysstore_0_the_setting_does_not_survive() {
    let mut d = Driver::booted();
    assert_eq!(d.cmd("AT+SYSSTORE=0"), "\r\nOK\r\n");
    assert_eq!(d.cmd("AT+CIPDNS=1,\"1.1.1.1\""), "\r\nOK\r\n");
    assert_eq!(d.cmd("AT+CIPDNS?"), "+CIPDNS:1,\"1.1.1.1\"\r\n\r\nOK\r\n");
    let blob = d.stored.clone().expect("the SYSSTORE flag itself");
    assert_eq!(d.cmd("AT+RST"), "\r\nOK\r\n");
    d.wait(SEED.restart_time);
    d.send(b"ATE0\r\n");
    assert_eq!(d.take_text(), "\r\nready\r\nATE0\r\n\r\nOK\r\n");
    assert_eq!(
        d.cmd("AT+CIPDNS?"),
        "+CIPDNS:0,\"192.168.0.1\"\r\n\r\nOK\r\n"
    );
    assert_eq!(d.cmd("AT+SYSSTORE?"), "+SYSSTORE:0\r\n\r\nOK\r\n");
    let mut d = Driver::power_on(&blob);
    d.send(b"ATE0\r\n");
    d.take_text();
    assert_eq!(
        d.cmd("AT+CIPDNS?"),
        "+CIPDNS:0,\"192.168.0.1\"\r\n\r\nOK\r\n"
    );
}

// ======================================================================
// PK-1…PK-4: AT+CIPSSLCPSK
// ======================================================================

#[rstest]
#[case::mux_form("AT+CIPSSLCPSK=0,\"key\",\"id\"")]
#[case::one_param("AT+CIPSSLCPSK=\"key\"")]
#[case::missing("AT+CIPSSLCPSK=")]
#[case::empty_key("AT+CIPSSLCPSK=\"\",\"id\"")]
#[case::omitted_key("AT+CIPSSLCPSK=,\"id\"")]
#[case::key_49("AT+CIPSSLCPSK=\"0123456789012345678901234567890123456789012345678\",\"id\"")]
#[case::hint_49("AT+CIPSSLCPSK=\"key\",\"0123456789012345678901234567890123456789012345678\"")]
fn pk_1_pk_2_bad_psk_with_cipmux_0(#[case] line: &str) {
    let mut d = Driver::booted();
    refused(&mut d, line);
}

#[rstest]
#[case::single_form("AT+CIPSSLCPSK=\"key\",\"id\"")]
#[case::link_6("AT+CIPSSLCPSK=6,\"key\",\"id\"")]
#[case::link_negative("AT+CIPSSLCPSK=-1,\"key\",\"id\"")]
#[case::link_quoted("AT+CIPSSLCPSK=\"1\",\"key\",\"id\"")]
#[case::empty_key("AT+CIPSSLCPSK=1,\"\",\"id\"")]
#[case::key_49("AT+CIPSSLCPSK=1,\"0123456789012345678901234567890123456789012345678\",\"\"")]
#[case::extra("AT+CIPSSLCPSK=1,\"key\",\"id\",1")]
fn pk_1_pk_2_bad_psk_with_cipmux_1(#[case] line: &str) {
    let mut d = mux_booted();
    refused(&mut d, line);
}

#[test]
fn pk_1_cipmux_0_sets_link_0() {
    let mut d = Driver::booted();
    assert_eq!(d.cmd("AT+CIPSSLCPSK?"), "\r\nOK\r\n");
    assert_eq!(d.cmd("AT+CIPSSLCPSK=\"key\",\"id\""), "\r\nOK\r\n");
    assert_eq!(
        d.cmd("AT+CIPSSLCPSK?"),
        "+CIPSSLCPSK:0,\"key\",\"id\"\r\n\r\nOK\r\n"
    );
}

#[test]
fn pk_1_cipmux_0_key_serves_the_one_link_whatever_its_id() {
    let mut d = Driver::booted();
    assert_eq!(d.cmd("AT+CIPSSLCPSK=\"key\",\"id\""), "\r\nOK\r\n");
    // The handshake succeeds with a server that knows only that key.
    let mut server = TestServer::new(b"key", b"id", Mode::Echo);
    let start = "AT+CIPSTART=3,\"TLS\",\"192.168.0.103\",443";
    tls_start(&mut d, start, 50003, &mut server);
}

#[test]
fn pk_1_cipmux_1_sets_one_link_or_all() {
    let mut d = mux_booted();
    assert_eq!(d.cmd("AT+CIPSSLCPSK=3,\"k3\",\"i3\""), "\r\nOK\r\n");
    assert_eq!(
        d.cmd("AT+CIPSSLCPSK?"),
        "+CIPSSLCPSK:3,\"k3\",\"i3\"\r\n\r\nOK\r\n"
    );
    assert_eq!(d.cmd("AT+CIPSSLCPSK=5,\"all\",\"\""), "\r\nOK\r\n");
    assert_eq!(d.cmd("AT+CIPSSLCPSK=1,\"k1\",\"i1\""), "\r\nOK\r\n");
    assert_eq!(
        d.cmd("AT+CIPSSLCPSK?"),
        concat!(
            "+CIPSSLCPSK:0,\"all\",\"\"\r\n",
            "+CIPSSLCPSK:1,\"k1\",\"i1\"\r\n",
            "+CIPSSLCPSK:2,\"all\",\"\"\r\n",
            "+CIPSSLCPSK:3,\"all\",\"\"\r\n",
            "+CIPSSLCPSK:4,\"all\",\"\"\r\n",
            "\r\nOK\r\n"
        )
    );
}

#[test]
fn pk_2_limits_are_accepted() {
    let k48 = "k".repeat(48);
    let h48 = "h".repeat(48);
    let mut d = Driver::booted();
    assert_eq!(
        d.cmd(&alloc::format!("AT+CIPSSLCPSK=\"{k48}\",\"{h48}\"")),
        "\r\nOK\r\n"
    );
    assert_eq!(
        d.cmd("AT+CIPSSLCPSK?"),
        alloc::format!("+CIPSSLCPSK:0,\"{k48}\",\"{h48}\"\r\n\r\nOK\r\n")
    );
    assert_eq!(d.cmd("AT+CIPSSLCPSK=\"k\",\"\""), "\r\nOK\r\n");
    assert_eq!(
        d.cmd("AT+CIPSSLCPSK?"),
        "+CIPSSLCPSK:0,\"k\",\"\"\r\n\r\nOK\r\n"
    );
}

#[test]
fn pk_3_cipmux_0_shows_link_0_only() {
    let mut d = mux_booted();
    assert_eq!(d.cmd("AT+CIPSSLCPSK=2,\"k2\",\"i2\""), "\r\nOK\r\n");
    assert_eq!(d.cmd("AT+CIPMUX=0"), "\r\nOK\r\n");
    assert_eq!(d.cmd("AT+CIPSSLCPSK?"), "\r\nOK\r\n");
    assert_eq!(d.cmd("AT+CIPSSLCPSK=\"k0\",\"i0\""), "\r\nOK\r\n");
    assert_eq!(
        d.cmd("AT+CIPSSLCPSK?"),
        "+CIPSSLCPSK:0,\"k0\",\"i0\"\r\n\r\nOK\r\n"
    );
}

#[test]
fn pk_4_a_key_applies_from_the_next_cipstart_of_that_link() {
    let mut d = mux_booted();
    assert_eq!(d.cmd("AT+CIPSSLCPSK=1,\"old\",\"id\""), "\r\nOK\r\n");
    let mut server = TestServer::new(b"old", b"id", Mode::Echo);
    let start = "AT+CIPSTART=1,\"TLS\",\"192.168.0.103\",443";
    let socket = tls_start(&mut d, start, 50001, &mut server);
    // A new key does not touch the open link...
    assert_eq!(d.cmd("AT+CIPSSLCPSK=1,\"new\",\"id2\""), "\r\nOK\r\n");
    assert_eq!(d.net, []);
    assert_eq!(
        d.cmd("AT+CIPSTATUS?"),
        "+BIPSTATUS:2,192.168.0.103,443,50001,0\r\n\r\nOK\r\n"
    );
    // ...nor other links' keys...
    refused(&mut d, "AT+CIPSTART=2,\"TLS\",\"192.168.0.103\",443");
    // ...and the next CIPSTART of the link uses it.
    assert_eq!(d.cmd("AT+CIPCLOSE=1"), "\r\nOK\r\n");
    d.tls_exchange(socket, &mut server);
    assert_eq!(server.alerts, [(1, 0)], "close_notify before the close");
    d.net.clear();
    let mut server = TestServer::new(b"new", b"id2", Mode::Echo);
    let start = "AT+CIPSTART=1,\"SSL\",\"192.168.0.103\",443";
    tls_start(&mut d, start, 50002, &mut server);
}
