//! ST-1, ST-2 (AT+CIPSTATUS?) and SS-1…SS-11 (AT+CIPSTART).

use super::*;
use rstest::rstest;

/// The page's keep-alive for examples 1 and 2: idle 1800 s, 1 s, 3 probes.
const KEEPALIVE_1800: Keepalive = Keepalive {
    idle: Duration::from_secs(1800),
    interval: Duration::from_secs(1),
    count: 3,
};

// ======================================================================
// ST-1, ST-2: AT+CIPSTATUS?
// ======================================================================

#[test]
fn st_1_no_links_is_ok_only() {
    let mut d = Driver::booted();
    assert_eq!(d.cmd("AT+CIPSTATUS?"), "\r\nOK\r\n");
}

#[test]
fn st_1_one_line_per_link_in_ascending_id() {
    let mut d = mux_booted();
    d.tcp_link(3, 20103);
    d.udp_link(0, 20100);
    tcp_server(&mut d, 1);
    tls_link(&mut d, 4);
    assert_eq!(
        d.cmd("AT+CIPSTATUS?"),
        concat!(
            "+BIPSTATUS:1,192.168.0.103,20100,50000,0\r\n",
            "+BIPSTATUS:0,192.168.0.103,20108,5637,1\r\n",
            "+BIPSTATUS:0,192.168.0.103,20103,50003,0\r\n",
            "+BIPSTATUS:2,192.168.0.103,443,50004,0\r\n",
            "\r\nOK\r\n"
        )
    );
}

#[rstest]
#[case::tcp("TCP", 0)]
#[case::udp("UDP", 1)]
#[case::tls("TLS", 2)]
#[case::dtls("DTLS", 3)]
fn st_2_type_codes_and_the_real_local_port(#[case] kind: &str, #[case] code: u8) {
    let mut d = Driver::booted();
    assert_eq!(d.cmd("AT+CIPSSLCPSK=\"k\",\"i\""), "\r\nOK\r\n");
    let socket = match asks(
        &mut d,
        &alloc::format!("AT+CIPSTART=0,\"{kind}\",\"10.1.2.3\",4433"),
    ) {
        NetCommand::Connect { socket, .. } | NetCommand::Bind { socket, .. } => socket,
        other => panic!("{other:?}"),
    };
    opened(&mut d, socket, 61234);
    assert_eq!(d.take_text(), "\r\nOK\r\n");
    assert_eq!(
        d.cmd("AT+CIPSTATUS?"),
        alloc::format!("+BIPSTATUS:{code},10.1.2.3,4433,61234,0\r\n\r\nOK\r\n")
    );
}

#[test]
fn st_2_server_link_has_tetype_1_and_shows_its_peer_once_accepted() {
    let mut d = Driver::booted();
    let s = tcp_server(&mut d, 2);
    assert_eq!(
        d.cmd("AT+CIPSTATUS?"),
        "+BIPSTATUS:0,192.168.0.103,20108,5637,1\r\n\r\nOK\r\n"
    );
    d.event(NetEvent::Accepted {
        socket: s,
        remote: SocketAddrV4::new(Ipv4Addr::new(192, 168, 0, 50), 40001),
    });
    assert_eq!(d.take_text(), "CONNECT\r\n");
    assert_eq!(
        d.cmd("AT+CIPSTATUS?"),
        "+BIPSTATUS:0,192.168.0.50,40001,5637,1\r\n\r\nOK\r\n"
    );
}

// ======================================================================
// SS-1: the page's four examples, verbatim
// ======================================================================

#[test]
fn ss_1_example_1_tcp_client_with_keepalive() {
    let mut d = Driver::booted();
    let c = asks(&mut d, "AT+CIPSTART=0,\"tcp\",\"192.168.0.103\",20108,1800");
    let NetCommand::Connect { socket, .. } = c else {
        panic!("{c:?}")
    };
    assert_eq!(
        c,
        NetCommand::Connect {
            socket,
            remote: peer(20108),
            keepalive: Some(KEEPALIVE_1800),
        }
    );
    d.event(NetEvent::Opened {
        socket,
        local_port: 49153,
    });
    assert_eq!(d.take_text(), "\r\nOK\r\n");
    assert_eq!(
        d.cmd("AT+CIPSTATUS?"),
        "+BIPSTATUS:0,192.168.0.103,20108,49153,0\r\n\r\nOK\r\n"
    );
}

#[test]
fn ss_1_example_2_tcp_server() {
    let mut d = Driver::booted();
    let c = asks(
        &mut d,
        "AT+CIPSTART=2,\"tcp\",\"192.168.0.103\",20108,1800, 5637, \"192.168.0.107\"",
    );
    let NetCommand::Listen { socket, .. } = c else {
        panic!("{c:?}")
    };
    assert_eq!(
        c,
        NetCommand::Listen {
            socket,
            local_port: 5637,
            keepalive: Some(KEEPALIVE_1800),
        }
    );
    d.event(NetEvent::Opened {
        socket,
        local_port: 5637,
    });
    assert_eq!(d.take_text(), "\r\nOK\r\n");
}

#[test]
fn ss_1_example_3_udp_client() {
    let mut d = Driver::booted();
    let c = asks(&mut d, "AT+CIPSTART=1,\"udp\",\"192.168.0.103\",20108");
    let NetCommand::Bind { socket, .. } = c else {
        panic!("{c:?}")
    };
    assert_eq!(
        c,
        NetCommand::Bind {
            socket,
            local_port: 0,
        }
    );
    d.event(NetEvent::Opened {
        socket,
        local_port: 50123,
    });
    assert_eq!(d.take_text(), "\r\nOK\r\n");
    assert_eq!(
        d.cmd("AT+CIPSTATUS?"),
        "+BIPSTATUS:1,192.168.0.103,20108,50123,0\r\n\r\nOK\r\n"
    );
}

#[test]
fn ss_1_example_4_udp_server() {
    let mut d = Driver::booted();
    let c = asks(
        &mut d,
        "AT+CIPSTART=1,\"udp\",\"192.168.0.103\",20108,5637, \"192.168.0.107\"",
    );
    let NetCommand::Bind { socket, .. } = c else {
        panic!("{c:?}")
    };
    assert_eq!(
        c,
        NetCommand::Bind {
            socket,
            local_port: 5637,
        }
    );
    d.event(NetEvent::Opened {
        socket,
        local_port: 5637,
    });
    assert_eq!(d.take_text(), "\r\nOK\r\n");
    assert_eq!(
        d.cmd("AT+CIPSTATUS?"),
        "+BIPSTATUS:1,192.168.0.103,20108,5637,1\r\n\r\nOK\r\n"
    );
}

// ======================================================================
// SS-1…SS-5, SS-8, SS-11: CIPSTART's bad input (G-4)
// ======================================================================

#[rstest]
#[case::too_few("AT+CIPSTART=0,\"TCP\",\"192.168.0.103\"")]
#[case::too_many("AT+CIPSTART=0,\"TCP\",\"192.168.0.103\",80,0,5637,\"0.0.0.0\",1")]
#[case::link_missing("AT+CIPSTART=,\"TCP\",\"192.168.0.103\",80")]
#[case::link_5("AT+CIPSTART=5,\"TCP\",\"192.168.0.103\",80")]
#[case::link_6("AT+CIPSTART=6,\"TCP\",\"192.168.0.103\",80")]
#[case::link_negative("AT+CIPSTART=-1,\"TCP\",\"192.168.0.103\",80")]
#[case::link_quoted("AT+CIPSTART=\"0\",\"TCP\",\"192.168.0.103\",80")]
#[case::type_unknown("AT+CIPSTART=0,\"FOO\",\"192.168.0.103\",80")]
#[case::type_4("AT+CIPSTART=0,4,\"192.168.0.103\",80")]
#[case::type_empty("AT+CIPSTART=0,\"\",\"192.168.0.103\",80")]
#[case::type_missing("AT+CIPSTART=0,,\"192.168.0.103\",80")]
#[case::host_empty("AT+CIPSTART=0,\"TCP\",\"\",80")]
#[case::host_missing("AT+CIPSTART=0,\"TCP\",,80")]
#[case::host_65_bytes(
    "AT+CIPSTART=0,\"TCP\",\"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa.com\",80"
)]
#[case::host_invalid_name("AT+CIPSTART=0,\"TCP\",\"a..b\",80")]
#[case::port_0("AT+CIPSTART=0,\"TCP\",\"192.168.0.103\",0")]
#[case::port_65536("AT+CIPSTART=0,\"TCP\",\"192.168.0.103\",65536")]
#[case::port_negative("AT+CIPSTART=0,\"TCP\",\"192.168.0.103\",-80")]
#[case::port_quoted("AT+CIPSTART=0,\"TCP\",\"192.168.0.103\",\"80\"")]
#[case::port_missing("AT+CIPSTART=0,\"TCP\",\"192.168.0.103\",")]
#[case::keepalive_7201("AT+CIPSTART=0,\"TCP\",\"192.168.0.103\",80,7201")]
#[case::keepalive_negative("AT+CIPSTART=0,\"TCP\",\"192.168.0.103\",80,-1")]
#[case::keepalive_text("AT+CIPSTART=0,\"TCP\",\"192.168.0.103\",80,on")]
#[case::localport_0("AT+CIPSTART=0,\"TCP\",\"192.168.0.103\",80,0,\"192.168.0.107\"")]
#[case::localport_65536("AT+CIPSTART=0,\"TCP\",\"192.168.0.103\",80,65536,\"192.168.0.107\"")]
#[case::localip_not_ip("AT+CIPSTART=0,\"TCP\",\"192.168.0.103\",80,5637,\"module\"")]
#[case::localip_missing("AT+CIPSTART=0,\"TCP\",\"192.168.0.103\",80,0,5637,")]
#[case::localip_wrong("AT+CIPSTART=0,\"TCP\",\"192.168.0.103\",80,5637,\"192.168.0.99\"")]
#[case::localip_peer("AT+CIPSTART=0,\"UDP\",\"192.168.0.103\",80,5637,\"192.168.0.103\"")]
#[case::tls_without_psk("AT+CIPSTART=0,\"TLS\",\"192.168.0.103\",443")]
#[case::ssl_without_psk("AT+CIPSTART=0,\"SSL\",\"192.168.0.103\",443")]
#[case::dtls_without_psk("AT+CIPSTART=0,\"DTLS\",\"192.168.0.103\",443")]
fn ss_1_to_ss_11_bad_cipstart_is_an_error_and_changes_nothing(#[case] line: &str) {
    let mut d = Driver::booted();
    refused(&mut d, line);
}

#[rstest]
#[case::tls_server("AT+CIPSTART=0,\"TLS\",\"192.168.0.103\",443,5637,\"0.0.0.0\"")]
#[case::dtls_server("AT+CIPSTART=0,\"DTLS\",\"192.168.0.103\",443,5637,\"0.0.0.0\"")]
fn ss_11_tls_and_dtls_have_no_server_form(#[case] line: &str) {
    let mut d = Driver::booted();
    assert_eq!(d.cmd("AT+CIPSSLCPSK=\"k\",\"i\""), "\r\nOK\r\n");
    refused(&mut d, line);
}

// ======================================================================
// SS-2: five links, 0–4
// ======================================================================

#[test]
fn ss_2_links_0_to_4_exist_and_5_does_not() {
    let mut d = mux_booted();
    for link in 0..5 {
        d.tcp_link(link, 20100 + u16::from(link));
    }
    assert_eq!(d.m.usage().links, 5);
    assert_eq!(
        d.cmd("AT+CIPSTART=5,\"TCP\",\"192.168.0.103\",80"),
        "\r\nERROR\r\n"
    );
    assert_eq!(d.net, []);
}

// ======================================================================
// SS-3: types
// ======================================================================

#[rstest]
#[case::tcp_upper("\"TCP\"", 0)]
#[case::tcp_lower("\"tcp\"", 0)]
#[case::tcp_mixed("\"tCp\"", 0)]
#[case::tcp_bare("TCP", 0)]
#[case::tcp_number("0", 0)]
#[case::tcp_quoted_number("\"0\"", 0)]
#[case::udp("\"UDP\"", 1)]
#[case::udp_lower_bare("udp", 1)]
#[case::udp_number("1", 1)]
#[case::tls("\"TLS\"", 2)]
#[case::tls_lower("\"tls\"", 2)]
#[case::ssl_alias("\"SSL\"", 2)]
#[case::ssl_alias_lower("ssl", 2)]
#[case::tls_number("2", 2)]
#[case::dtls("\"DTLS\"", 3)]
#[case::dtls_mixed("\"Dtls\"", 3)]
#[case::dtls_number("3", 3)]
fn ss_3_type_names_and_numbers(#[case] kind: &str, #[case] code: u8) {
    let mut d = Driver::booted();
    assert_eq!(d.cmd("AT+CIPSSLCPSK=\"k\",\"i\""), "\r\nOK\r\n");
    let c = asks(
        &mut d,
        &alloc::format!("AT+CIPSTART=0,{kind},\"192.168.0.103\",20108"),
    );
    let (stream, socket) = match c {
        NetCommand::Connect { socket, .. } => (true, socket),
        NetCommand::Bind { socket, .. } => (false, socket),
        other => panic!("{other:?}"),
    };
    d.event(NetEvent::Opened {
        socket,
        local_port: 50000,
    });
    // TLS and DTLS start a handshake (a ClientHello record, type 22) to
    // the peer; TCP and UDP answer at once.
    let hello = match d.net.pop_front() {
        Some(NetCommand::Send { data, to, .. }) if data[0] == 22 => {
            assert_eq!(to, (!stream).then_some(peer(20108)));
            true
        }
        None => {
            assert_eq!(d.take_text(), "\r\nOK\r\n");
            false
        }
        other => panic!("{other:?}"),
    };
    let got = match (stream, hello) {
        (true, false) => 0,
        (false, false) => 1,
        (true, true) => 2,
        (false, true) => 3,
    };
    assert_eq!(got, code);
}

// ======================================================================
// SS-4: domain names
// ======================================================================

#[test]
fn ss_4_a_domain_name_is_resolved_then_connected() {
    let mut d = Driver::booted();
    assert_eq!(d.cmd("AT+CIPSTART=0,\"TCP\",\"example.com\",80"), "");
    resolves(&mut d, "example.com", [93, 184, 216, 34]);
    let NetCommand::Connect { socket, remote, .. } = d.next_net() else {
        panic!()
    };
    assert_eq!(
        remote,
        SocketAddrV4::new(Ipv4Addr::new(93, 184, 216, 34), 80)
    );
    assert_eq!(d.take_text(), "");
    d.event(NetEvent::Opened {
        socket,
        local_port: 50000,
    });
    assert_eq!(d.take_text(), "\r\nOK\r\n");
    assert_eq!(
        d.cmd("AT+CIPSTATUS?"),
        "+BIPSTATUS:0,93.184.216.34,80,50000,0\r\n\r\nOK\r\n"
    );
}

#[test]
fn ss_4_a_64_byte_name_is_accepted() {
    let name: &'static str = "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa.com";
    assert_eq!(name.len(), 64);
    let mut d = Driver::booted();
    assert_eq!(
        d.cmd(&alloc::format!("AT+CIPSTART=0,\"UDP\",\"{name}\",80")),
        ""
    );
    resolves(&mut d, name, [10, 0, 0, 1]);
    assert!(matches!(d.next_net(), NetCommand::Bind { .. }));
}

#[test]
fn ss_4_a_name_that_does_not_exist_is_an_error_and_the_link_stays_free() {
    let mut d = Driver::booted();
    assert_eq!(d.cmd("AT+CIPSTART=0,\"TCP\",\"nowhere.example\",80"), "");
    let q = dns_query(&mut d, DNS_SOCKET, DHCP_DNS, "nowhere.example");
    dns_answer(&mut d, DNS_SOCKET, DHCP_DNS, &q, RCODE::NameError, &[]);
    assert_eq!(d.take_text(), "\r\nERROR\r\n");
    assert_eq!(d.net, []);
    assert_eq!(d.cmd("AT+CIPSTATUS?"), "\r\nOK\r\n");
    d.tcp_link(0, 80);
}

#[test]
fn ss_4_resolution_timing_out_is_an_error() {
    let mut d = Driver::booted();
    assert_eq!(d.cmd("AT+CIPSTART=0,\"TCP\",\"silent.example\",80"), "");
    dns_query(&mut d, DNS_SOCKET, DHCP_DNS, "silent.example");
    d.wait(Duration::from_millis(999));
    assert_eq!(d.take_text(), "");
    d.wait(Duration::from_millis(1));
    assert_eq!(d.take_text(), "\r\nERROR\r\n");
    assert_eq!(d.net, []);
    assert_eq!(d.cmd("AT+CIPSTATUS?"), "\r\nOK\r\n");
}

// ======================================================================
// SS-5: ports and keep-alive
// ======================================================================

#[rstest]
#[case::port_1("1", 1, None)]
#[case::port_65535("65535", 65535, None)]
#[case::keepalive_0("80,0", 80, None)]
#[case::keepalive_1("80,1", 80, Some(1))]
#[case::keepalive_7200("80,7200", 80, Some(7200))]
#[case::keepalive_omitted("80,", 80, None)]
fn ss_5_port_and_keepalive_ranges(
    #[case] tail: &str,
    #[case] port: u16,
    #[case] idle: Option<u64>,
) {
    let mut d = Driver::booted();
    let c = asks(
        &mut d,
        &alloc::format!("AT+CIPSTART=0,\"TCP\",\"192.168.0.103\",{tail}"),
    );
    let NetCommand::Connect {
        remote, keepalive, ..
    } = c
    else {
        panic!("{c:?}")
    };
    assert_eq!(remote, peer(port));
    assert_eq!(
        keepalive,
        idle.map(|s| Keepalive {
            idle: Duration::from_secs(s),
            interval: Duration::from_secs(1),
            count: 3
        })
    );
}

#[test]
fn ss_5_keepalive_is_for_tcp_and_tls_only() {
    let mut d = Driver::booted();
    let c = asks(&mut d, "AT+CIPSTART=0,\"UDP\",\"192.168.0.103\",80,60");
    assert!(matches!(c, NetCommand::Bind { local_port: 0, .. }), "{c:?}");
    let mut d = Driver::booted();
    assert_eq!(d.cmd("AT+CIPSSLCPSK=\"k\",\"i\""), "\r\nOK\r\n");
    let c = asks(&mut d, "AT+CIPSTART=0,\"TLS\",\"192.168.0.103\",443,60");
    let NetCommand::Connect { keepalive, .. } = c else {
        panic!("{c:?}")
    };
    assert_eq!(keepalive.map(|k| k.idle), Some(Duration::from_secs(60)));
}

#[test]
fn ss_5_keepalive_timeout_closes_the_link() {
    let mut d = Driver::booted();
    let socket = d.tcp_link(0, 20108);
    d.event(NetEvent::Closed {
        socket,
        reason: CloseReason::Timeout,
    });
    assert_eq!(d.take_text(), "CLOSED\r\n");
    assert_eq!(d.cmd("AT+CIPSTATUS?"), "\r\nOK\r\n");
}

// ======================================================================
// SS-6: TCP/TLS client connect outcomes
// ======================================================================

#[test]
fn ss_6_ok_only_once_connected() {
    let mut d = Driver::booted();
    let NetCommand::Connect { socket, .. } =
        asks(&mut d, "AT+CIPSTART=0,\"TCP\",\"192.168.0.103\",80")
    else {
        panic!()
    };
    d.wait(Duration::from_millis(4999));
    assert_eq!(d.take_text(), "");
    d.event(NetEvent::Opened {
        socket,
        local_port: 50000,
    });
    assert_eq!(d.take_text(), "\r\nOK\r\n");
    // The connect timer is gone.
    d.wait(Duration::from_secs(10));
    assert_eq!(d.take_text(), "");
    assert_eq!(d.net, []);
}

#[rstest]
#[case::refused(false)]
#[case::tls_handshake_failed(true)]
fn ss_6_refused_is_an_error_and_the_link_stays_free(#[case] tls: bool) {
    let mut d = Driver::booted();
    assert_eq!(d.cmd("AT+CIPSSLCPSK=\"k\",\"i\""), "\r\nOK\r\n");
    let kind = if tls { "TLS" } else { "TCP" };
    let NetCommand::Connect { socket, .. } = asks(
        &mut d,
        &alloc::format!("AT+CIPSTART=0,\"{kind}\",\"192.168.0.103\",80"),
    ) else {
        panic!()
    };
    d.event(NetEvent::Failed { socket });
    assert_eq!(d.take_text(), "\r\nERROR\r\n");
    assert_eq!(d.net, [], "a failed socket is gone: no Close");
    assert_eq!(d.cmd("AT+CIPSTATUS?"), "\r\nOK\r\n");
    d.tcp_link(0, 80);
}

#[test]
fn ss_6_not_connected_within_5_s_is_an_error() {
    let mut d = Driver::booted();
    let NetCommand::Connect { socket, .. } = asks(&mut d, "AT+CIPSTART=0,\"TCP\",\"10.9.9.9\",80")
    else {
        panic!()
    };
    d.wait(Duration::from_millis(4999));
    assert_eq!(d.take_text(), "");
    d.wait(Duration::from_millis(1));
    assert_eq!(d.take_text(), "\r\nERROR\r\n");
    assert_eq!(d.net, [NetCommand::Close { socket }]);
    d.net.clear();
    // A late success is ignored.
    d.event(NetEvent::Opened {
        socket,
        local_port: 50000,
    });
    assert_eq!(d.take_text(), "");
    assert_eq!(d.cmd("AT+CIPSTATUS?"), "\r\nOK\r\n");
}

// ======================================================================
// SS-7: UDP client
// ======================================================================

#[test]
fn ss_7_udp_client_sends_to_its_fixed_peer() {
    let mut d = Driver::booted();
    let s = d.udp_link(0, 20108);
    assert_eq!(d.cmd("AT+CIPSEND=0,3"), "\r\n>");
    d.send(b"udp");
    assert_eq!(
        d.next_net(),
        NetCommand::Send {
            socket: s,
            data: crate::Bytes::from_static(b"udp"),
            to: Some(peer(20108))
        }
    );
}

// ======================================================================
// SS-8: server form
// ======================================================================

#[rstest]
#[case::own_ip("\"192.168.0.107\"")]
#[case::any("\"0.0.0.0\"")]
#[case::any_unquoted("0.0.0.0")]
fn ss_8_local_ip_own_or_any(#[case] ip: &str) {
    let mut d = Driver::booted();
    let c = asks(
        &mut d,
        &alloc::format!("AT+CIPSTART=0,\"TCP\",\"192.168.0.103\",80,8080,{ip}"),
    );
    assert!(
        matches!(
            c,
            NetCommand::Listen {
                local_port: 8080,
                keepalive: None,
                ..
            }
        ),
        "{c:?}"
    );
}

#[test]
fn ss_8_server_form_with_keepalive_omitted() {
    let mut d = Driver::booted();
    let c = asks(
        &mut d,
        "AT+CIPSTART=0,\"TCP\",\"192.168.0.103\",80,,8080,\"0.0.0.0\"",
    );
    assert!(
        matches!(
            c,
            NetCommand::Listen {
                local_port: 8080,
                keepalive: None,
                ..
            }
        ),
        "{c:?}"
    );
}

#[test]
fn ss_8_local_port_in_use_by_another_link_is_an_error() {
    let mut d = mux_booted();
    tcp_server(&mut d, 0);
    refused(
        &mut d,
        "AT+CIPSTART=1,\"UDP\",\"192.168.0.103\",80,5637,\"0.0.0.0\"",
    );
}

#[test]
fn ss_8_local_port_the_network_refuses_is_an_error() {
    let mut d = Driver::booted();
    let NetCommand::Listen { socket, .. } = asks(
        &mut d,
        "AT+CIPSTART=0,\"TCP\",\"192.168.0.103\",80,22,\"0.0.0.0\"",
    ) else {
        panic!()
    };
    d.event(NetEvent::Failed { socket });
    assert_eq!(d.take_text(), "\r\nERROR\r\n");
    assert_eq!(d.cmd("AT+CIPSTATUS?"), "\r\nOK\r\n");
}

#[test]
fn ss_8_tcp_server_takes_its_first_connection_only() {
    let mut d = mux_booted();
    let s = tcp_server(&mut d, 1);
    let first = SocketAddrV4::new(Ipv4Addr::new(192, 168, 0, 50), 40001);
    d.event(NetEvent::Accepted {
        socket: s,
        remote: first,
    });
    assert_eq!(d.take_text(), "1,CONNECT\r\n");
    d.event(NetEvent::Accepted {
        socket: s,
        remote: SocketAddrV4::new(Ipv4Addr::new(192, 168, 0, 51), 40002),
    });
    assert_eq!(d.take_text(), "");
    d.event(NetEvent::Received {
        socket: s,
        from: first,
        data: b"hi",
    });
    assert_eq!(d.take_text(), "+IPD,1,2:hi\r\n");
    assert_eq!(d.cmd("AT+CIPSEND=1,2"), "\r\n>");
    d.send(b"yo");
    assert_eq!(
        d.next_net(),
        NetCommand::Send {
            socket: s,
            data: crate::Bytes::from_static(b"yo"),
            to: None
        }
    );
}

#[test]
fn ss_8_udp_server_hears_anyone_and_sends_to_its_default_destination() {
    let mut d = Driver::booted();
    let NetCommand::Bind { socket, .. } = asks(
        &mut d,
        "AT+CIPSTART=1,\"udp\",\"192.168.0.103\",20108,5637, \"192.168.0.107\"",
    ) else {
        panic!()
    };
    d.event(NetEvent::Opened {
        socket,
        local_port: 5637,
    });
    assert_eq!(d.take_text(), "\r\nOK\r\n");
    d.event(NetEvent::Received {
        socket,
        from: SocketAddrV4::new(Ipv4Addr::new(10, 0, 0, 9), 1234),
        data: b"one",
    });
    d.event(NetEvent::Received {
        socket,
        from: peer(20108),
        data: b"two",
    });
    assert_eq!(d.take_text(), "+IPD,3:one\r\n+IPD,3:two\r\n");
    assert_eq!(d.cmd("AT+CIPSEND=1,1"), "\r\n>");
    d.send(b"!");
    assert_eq!(
        d.next_net(),
        NetCommand::Send {
            socket,
            data: crate::Bytes::from_static(b"!"),
            to: Some(peer(20108))
        }
    );
}

// ======================================================================
// SS-9, SS-10: link IDs in use, CIPMUX=0
// ======================================================================

#[test]
fn ss_9_a_link_id_in_use_is_an_error_and_the_link_is_untouched() {
    let mut d = mux_booted();
    let s = d.tcp_link(2, 20108);
    refused(&mut d, "AT+CIPSTART=2,\"UDP\",\"192.168.0.103\",9");
    d.event(NetEvent::Received {
        socket: s,
        from: peer(20108),
        data: b"still",
    });
    assert_eq!(d.take_text(), "+IPD,2,5:still\r\n");
}

#[test]
fn ss_10_cipmux_0_allows_one_link() {
    let mut d = Driver::booted();
    d.udp_link(3, 20108);
    refused(&mut d, "AT+CIPSTART=0,\"TCP\",\"192.168.0.103\",80");
    refused(&mut d, "AT+CIPSTART=3,\"TCP\",\"192.168.0.103\",80");
    assert_eq!(d.cmd("AT+CIPCLOSE=3"), "\r\nOK\r\n");
    d.net.clear();
    d.tcp_link(0, 80);
}

// ======================================================================
// SS-11: TLS/DTLS use the link's PSK
// ======================================================================

/// SS-11, TL-2, TL-7: a TLS link is a plain connection to the driver (no
/// key in any network command), and its handshake uses the link's key and
/// identity: a server that knows another refuses it, and CIPSTART fails.
#[rstest]
#[case::right("secret", "client1", true)]
#[case::another_key("other", "client1", false)]
#[case::another_identity("secret", "client2", false)]
fn ss_11_tls_handshakes_with_the_links_key_and_identity(
    #[case] key: &str,
    #[case] identity: &str,
    #[case] opens: bool,
) {
    let mut d = Driver::booted();
    assert_eq!(d.cmd("AT+CIPSSLCPSK=\"secret\",\"client1\""), "\r\nOK\r\n");
    let c = asks(&mut d, "AT+CIPSTART=0,\"TLS\",\"192.168.0.103\",443");
    let NetCommand::Connect { socket, .. } = c else {
        panic!("{c:?}")
    };
    assert_eq!(
        c,
        NetCommand::Connect {
            socket,
            remote: peer(443),
            keepalive: None
        }
    );
    d.event(NetEvent::Opened {
        socket,
        local_port: 50000,
    });
    assert_eq!(d.take_text(), "", "no OK before the handshake (TL-3)");
    let mut server = TestServer::new(key.as_bytes(), identity.as_bytes(), Mode::Echo);
    d.tls_exchange(socket, &mut server);
    if opens {
        assert_eq!(d.take_text(), "\r\nOK\r\n");
        assert_eq!(
            d.cmd("AT+CIPSTATUS?"),
            "+BIPSTATUS:2,192.168.0.103,443,50000,0\r\n\r\nOK\r\n"
        );
    } else {
        assert_eq!(d.take_text(), "\r\nERROR\r\n");
        assert_eq!(d.net, [NetCommand::Close { socket }]);
        assert_eq!(d.cmd("AT+CIPSTATUS?"), "\r\nOK\r\n", "the link stays free");
    }
}

/// SS-11, TL-3: a DTLS link binds a plain UDP socket, sends its
/// ClientHello to the peer, sends it again after 1 s, 2 s, 4 s, and gives
/// up 10 s after the start with `ERROR`.
#[test]
fn ss_11_dtls_sends_its_hello_again_then_gives_up() {
    let mut d = mux_booted();
    assert_eq!(d.cmd("AT+CIPSSLCPSK=4,\"secret\",\"\""), "\r\nOK\r\n");
    refused(&mut d, "AT+CIPSTART=3,\"DTLS\",\"192.168.0.103\",5684");
    let c = asks(&mut d, "AT+CIPSTART=4,\"DTLS\",\"192.168.0.103\",5684");
    let NetCommand::Bind { socket, .. } = c else {
        panic!("{c:?}")
    };
    assert_eq!(
        c,
        NetCommand::Bind {
            socket,
            local_port: 0,
        }
    );
    d.event(NetEvent::Opened {
        socket,
        local_port: 50000,
    });
    let hello = |d: &mut Driver| match d.next_net() {
        NetCommand::Send { data, to, .. } => {
            assert_eq!((data[0], &data[1..3]), (22, &[254, 255][..]));
            assert_eq!(to, Some(peer(5684)));
            d.event(NetEvent::Sent { socket });
        }
        other => panic!("{other:?}"),
    };
    hello(&mut d);
    let start = d.now;
    for after in [1, 3, 7] {
        d.wait((start + Duration::from_secs(after)).saturating_since(d.now));
        hello(&mut d);
    }
    assert_eq!(d.take_text(), "");
    d.wait((start + Duration::from_secs(10)).saturating_since(d.now));
    assert_eq!(d.take_text(), "\r\nERROR\r\n", "TL-3's 10 s");
    assert_eq!(d.net, [NetCommand::Close { socket }]);
}
