//! SD-1…SD-7 (AT+CIPSEND in normal mode) and CL-1…CL-3 (AT+CIPCLOSE).

use super::*;
use rstest::rstest;

// ======================================================================
// SD-1…SD-7: AT+CIPSEND
// ======================================================================

#[rstest]
#[case::no_params_set("AT+CIPSEND=")]
#[case::one_param("AT+CIPSEND=0")]
#[case::three_params("AT+CIPSEND=0,5,\"192.168.0.1\"")]
#[case::five_params("AT+CIPSEND=0,5,\"192.168.0.1\",80,1")]
#[case::link_5("AT+CIPSEND=5,5")]
#[case::link_negative("AT+CIPSEND=-1,5")]
#[case::length_0("AT+CIPSEND=0,0")]
#[case::length_negative("AT+CIPSEND=0,-5")]
#[case::length_2049("AT+CIPSEND=0,2049")]
#[case::length_quoted("AT+CIPSEND=0,\"5\"")]
#[case::length_missing("AT+CIPSEND=0,")]
#[case::remote_port_0("AT+CIPSEND=0,5,\"192.168.0.1\",0")]
#[case::remote_port_65536("AT+CIPSEND=0,5,\"192.168.0.1\",65536")]
#[case::remote_host_empty("AT+CIPSEND=0,5,\"\",80")]
#[case::remote_host_invalid("AT+CIPSEND=0,5,\"a..b\",80")]
#[case::remote_host_65_bytes(
    "AT+CIPSEND=0,5,\"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa.com\",80"
)]
fn sd_1_sd_2_bad_cipsend_is_an_error(#[case] line: &str) {
    let mut d = Driver::booted();
    d.udp_link(0, 20108);
    refused(&mut d, line);
}

#[rstest]
#[case::length_1(1)]
#[case::length_2048(2048)]
fn sd_2_length_limits_are_accepted(#[case] len: usize) {
    let mut d = Driver::booted();
    let s = d.udp_link(0, 20108);
    assert_eq!(d.cmd(&alloc::format!("AT+CIPSEND=0,{len}")), "\r\n>");
    let data: Vec<u8> = (0..len).map(|i| (i % 251) as u8).collect();
    d.send(&data);
    // SD-6: one CIPSEND is one datagram.
    assert_eq!(
        d.next_net(),
        NetCommand::Send {
            socket: s,
            data: data.into(),
            to: Some(peer(20108))
        }
    );
    assert_eq!(d.net, []);
    d.event(NetEvent::Sent { socket: s });
    assert_eq!(d.take_text(), "\r\nSEND OK\r\n");
}

#[test]
fn sd_1_udp_may_address_one_datagram_elsewhere() {
    let mut d = Driver::booted();
    let s = d.udp_link(0, 20108);
    assert_eq!(d.cmd("AT+CIPSEND=0,3,\"10.0.0.5\",7000"), "\r\n>");
    d.send(b"one");
    assert_eq!(
        d.next_net(),
        NetCommand::Send {
            socket: s,
            data: crate::Bytes::from_static(b"one"),
            to: Some(SocketAddrV4::new(Ipv4Addr::new(10, 0, 0, 5), 7000))
        }
    );
    d.event(NetEvent::Sent { socket: s });
    assert_eq!(d.take_text(), "\r\nSEND OK\r\n");
    // Only that one.
    assert_eq!(d.cmd("AT+CIPSEND=0,3"), "\r\n>");
    d.send(b"two");
    assert_eq!(
        d.next_net(),
        NetCommand::Send {
            socket: s,
            data: crate::Bytes::from_static(b"two"),
            to: Some(peer(20108))
        }
    );
}

#[test]
fn sd_1_udp_override_by_name_is_resolved_before_the_prompt() {
    let mut d = Driver::booted();
    let s = d.udp_link(0, 20108);
    assert_eq!(d.cmd("AT+CIPSEND=0,2,\"peer.example\",7000"), "");
    resolves(&mut d, "peer.example", [10, 0, 0, 6]);
    assert_eq!(d.take_text(), "\r\n>");
    d.send(b"hi");
    assert_eq!(
        d.next_net(),
        NetCommand::Send {
            socket: s,
            data: crate::Bytes::from_static(b"hi"),
            to: Some(SocketAddrV4::new(Ipv4Addr::new(10, 0, 0, 6), 7000))
        }
    );
}

#[test]
fn sd_1_udp_override_that_does_not_resolve_is_an_error() {
    let mut d = Driver::booted();
    d.udp_link(0, 20108);
    assert_eq!(d.cmd("AT+CIPSEND=0,2,\"nowhere.example\",7000"), "");
    let q = dns_query(&mut d, DNS_SOCKET, DHCP_DNS, "nowhere.example");
    dns_answer(&mut d, DNS_SOCKET, DHCP_DNS, &q, RCODE::NameError, &[]);
    assert_eq!(d.take_text(), "\r\nERROR\r\n");
    assert_eq!(d.cmd("AT"), "\r\nOK\r\n");
}

#[rstest]
#[case::tcp("TCP")]
#[case::tls("TLS")]
#[case::dtls("DTLS")]
fn sd_1_a_link_other_than_udp_given_a_remote_is_an_error(#[case] kind: &str) {
    let mut d = Driver::booted();
    assert_eq!(d.cmd("AT+CIPSSLCPSK=\"k\",\"i\""), "\r\nOK\r\n");
    let (NetCommand::Connect { socket, .. } | NetCommand::Bind { socket, .. }) = asks(
        &mut d,
        &alloc::format!("AT+CIPSTART=0,\"{kind}\",\"192.168.0.103\",20108"),
    ) else {
        panic!()
    };
    opened(&mut d, socket, 50000);
    assert_eq!(d.take_text(), "\r\nOK\r\n");
    refused(&mut d, "AT+CIPSEND=0,5,\"192.168.0.103\",20108");
    refused(&mut d, "AT+CIPSEND=0,5,\"10.0.0.1\",7");
    assert_eq!(d.cmd("AT+CIPSEND=0,1"), "\r\n>");
}

#[rstest]
#[case::never_opened("AT+CIPSEND=1,5")]
#[case::never_opened_with_remote("AT+CIPSEND=1,5,\"10.0.0.1\",80")]
fn sd_3_link_not_open_is_cmdrsp_error_without_prompt(#[case] line: &str) {
    let mut d = mux_booted();
    d.tcp_link(0, 20108);
    let before = visible_state(&mut d);
    assert_eq!(d.cmd(line), "\r\nCMDRSP:ERROR\r\n");
    assert_eq!(d.net, []);
    assert_eq!(visible_state(&mut d), before);
    // The bytes that follow are commands, not data.
    assert_eq!(d.cmd("AT"), "\r\nOK\r\n");
}

#[test]
fn sd_3_link_closed_by_the_peer_is_cmdrsp_error() {
    let mut d = Driver::booted();
    let s = d.tcp_link(0, 20108);
    d.event(NetEvent::Closed {
        socket: s,
        reason: CloseReason::Peer,
    });
    assert_eq!(d.take_text(), "CLOSED\r\n");
    assert_eq!(d.cmd("AT+CIPSEND=0,5"), "\r\nCMDRSP:ERROR\r\n");
}

#[test]
fn sd_3_server_link_without_peer_is_cmdrsp_error() {
    let mut d = Driver::booted();
    tcp_server(&mut d, 0);
    assert_eq!(d.cmd("AT+CIPSEND=0,5"), "\r\nCMDRSP:ERROR\r\n");
    assert_eq!(d.cmd("AT"), "\r\nOK\r\n");
}

#[test]
fn sd_4_takes_exactly_length_raw_bytes_including_crlf_and_at() {
    let mut d = Driver::booted();
    let s = d.tcp_link(0, 20108);
    let data = b"AT\r\nAT+RST\r\n\x00\xff+++\r";
    assert_eq!(
        d.cmd(&alloc::format!("AT+CIPSEND=0,{}", data.len())),
        "\r\n>"
    );
    // Byte by byte, and slowly: no timeout.
    for b in data {
        d.send(&[*b]);
        d.wait(Duration::from_secs(2));
    }
    assert_eq!(d.take_text(), "");
    assert_eq!(
        d.next_net(),
        NetCommand::Send {
            socket: s,
            data: data.to_vec().into(),
            to: None
        }
    );
    assert_eq!(d.net, []);
    d.event(NetEvent::Sent { socket: s });
    assert_eq!(d.take_text(), "\r\nSEND OK\r\n");
}

#[test]
fn sd_5_send_ok_only_when_the_network_took_the_data() {
    let mut d = Driver::booted();
    let s = d.tcp_link(0, 20108);
    assert_eq!(d.cmd("AT+CIPSEND=0,2"), "\r\n>");
    d.send(b"ok");
    let _ = d.next_net();
    d.wait(SEED.send_timeout - Duration::from_millis(1));
    assert_eq!(d.take_text(), "");
    d.event(NetEvent::Sent { socket: s });
    assert_eq!(d.take_text(), "\r\nSEND OK\r\n");
}

#[test]
fn sd_5_data_the_network_never_takes_fails_after_the_send_timeout_and_closes() {
    let mut d = Driver::booted();
    let s = d.tcp_link(0, 20108);
    assert_eq!(d.cmd("AT+CIPSEND=0,2"), "\r\n>");
    d.send(b"ok");
    let _ = d.next_net();
    d.wait(SEED.send_timeout - Duration::from_micros(1));
    assert_eq!(d.take_text(), "");
    d.wait(Duration::from_micros(1));
    assert_eq!(d.take_text(), "\r\nCMDRSP:ERROR\r\nCLOSED\r\n");
    assert_eq!(d.next_net(), NetCommand::Close { socket: s });
    // A late `Sent` for the given-up socket changes nothing.
    d.event(NetEvent::Sent { socket: s });
    assert_eq!(d.take_text(), "");
    assert_eq!(d.cmd("AT+CIPSTATUS?"), "\r\nOK\r\n");
}

#[test]
fn sd_5_link_closed_during_collection_is_cmdrsp_error_then_closed() {
    let mut d = Driver::booted();
    let s = d.tcp_link(0, 20108);
    assert_eq!(d.cmd("AT+CIPSEND=0,4"), "\r\n>");
    d.send(b"ab");
    d.event(NetEvent::Closed {
        socket: s,
        reason: CloseReason::Reset,
    });
    assert_eq!(d.take_text(), "");
    // The remaining bytes are still data, not commands.
    d.send(b"AT");
    assert_eq!(d.take_text(), "\r\nCMDRSP:ERROR\r\nCLOSED\r\n");
    assert_eq!(d.net, []);
    assert_eq!(d.cmd("AT+CIPSTATUS?"), "\r\nOK\r\n");
}

#[test]
fn sd_5_link_closed_before_sent_is_cmdrsp_error_then_closed() {
    let mut d = Driver::booted();
    let s = d.tcp_link(0, 20108);
    assert_eq!(d.cmd("AT+CIPSEND=0,4"), "\r\n>");
    d.send(b"abcd");
    let _ = d.next_net();
    d.event(NetEvent::Closed {
        socket: s,
        reason: CloseReason::Error,
    });
    assert_eq!(d.take_text(), "\r\nCMDRSP:ERROR\r\nCLOSED\r\n");
    assert_eq!(d.cmd("AT"), "\r\nOK\r\n");
}

#[test]
fn sd_5_with_cipmux_1_closed_carries_the_link_id() {
    let mut d = mux_booted();
    let s = d.tcp_link(3, 20108);
    assert_eq!(d.cmd("AT+CIPSEND=3,1"), "\r\n>");
    d.send(b"x");
    let _ = d.next_net();
    d.event(NetEvent::Closed {
        socket: s,
        reason: CloseReason::Peer,
    });
    assert_eq!(d.take_text(), "\r\nCMDRSP:ERROR\r\n3,CLOSED\r\n");
}

#[test]
fn sd_6_each_cipsend_is_one_datagram() {
    let mut d = Driver::booted();
    let s = d.udp_link(0, 20108);
    for (i, len) in [3usize, 1, 700].into_iter().enumerate() {
        assert_eq!(d.cmd(&alloc::format!("AT+CIPSEND=0,{len}")), "\r\n>");
        let data = alloc::vec![b'a' + i as u8; len];
        d.send(&data);
        assert_eq!(
            d.next_net(),
            NetCommand::Send {
                socket: s,
                data: data.into(),
                to: Some(peer(20108))
            }
        );
        d.event(NetEvent::Sent { socket: s });
        assert_eq!(d.take_text(), "\r\nSEND OK\r\n");
    }
}

#[test]
fn sd_7_a_trailing_crlf_is_an_empty_line() {
    let mut d = Driver::booted();
    let s = d.tcp_link(0, 20108);
    assert_eq!(d.cmd("AT+CIPSEND=0,5"), "\r\n>");
    d.send(b"hello\r\n");
    assert_eq!(
        d.next_net(),
        NetCommand::Send {
            socket: s,
            data: crate::Bytes::from_static(b"hello"),
            to: None
        }
    );
    d.event(NetEvent::Sent { socket: s });
    assert_eq!(d.take_text(), "\r\nSEND OK\r\n");
    assert_eq!(d.cmd("AT"), "\r\nOK\r\n");
}

#[test]
fn sd_7_bytes_after_the_data_are_command_lines() {
    let mut d = Driver::booted();
    let s = d.tcp_link(0, 20108);
    d.send(b"AT+CIPSEND=0,2\r\nhiAT\r\n");
    // The line after the data is a command, refused while SEND OK is due
    // (G-6).
    assert_eq!(d.take_text(), "\r\n>busy p...\r\n");
    assert_eq!(
        d.next_net(),
        NetCommand::Send {
            socket: s,
            data: crate::Bytes::from_static(b"hi"),
            to: None
        }
    );
    d.event(NetEvent::Sent { socket: s });
    d.send(b"AT+CIPMUX?\r\n");
    assert_eq!(d.take_text(), "\r\nSEND OK\r\n+CIPMUX:0\r\n\r\nOK\r\n");
}

// ======================================================================
// CL-1…CL-3: AT+CIPCLOSE
// ======================================================================

#[rstest]
#[case::missing("AT+CIPCLOSE=")]
#[case::six("AT+CIPCLOSE=6")]
#[case::negative("AT+CIPCLOSE=-1")]
#[case::quoted("AT+CIPCLOSE=\"0\"")]
#[case::extra("AT+CIPCLOSE=0,1")]
#[case::not_open("AT+CIPCLOSE=1")]
#[case::page_erratum_form("AT+CIPSEND=0")]
fn cl_1_bad_cipclose_is_an_error(#[case] line: &str) {
    let mut d = mux_booted();
    d.tcp_link(0, 20108);
    refused(&mut d, line);
}

#[test]
fn cl_1_closing_an_open_link() {
    let mut d = mux_booted();
    let s0 = d.tcp_link(0, 20108);
    let s4 = d.udp_link(4, 20109);
    assert_eq!(d.cmd("AT+CIPCLOSE=4"), "\r\nOK\r\n");
    assert_eq!(d.net, [NetCommand::Close { socket: s4 }]);
    d.net.clear();
    assert_eq!(
        d.cmd("AT+CIPSTATUS?"),
        "+BIPSTATUS:0,192.168.0.103,20108,50000,0\r\n\r\nOK\r\n"
    );
    assert_eq!(d.cmd("AT+CIPCLOSE=4"), "\r\nERROR\r\n");
    assert_eq!(d.cmd("AT+CIPCLOSE=0"), "\r\nOK\r\n");
    assert_eq!(d.net, [NetCommand::Close { socket: s0 }]);
}

#[test]
fn cl_1_five_closes_every_link() {
    let mut d = mux_booted();
    let s1 = d.tcp_link(1, 20108);
    let s2 = tcp_server(&mut d, 2);
    let s4 = d.udp_link(4, 20109);
    assert_eq!(d.cmd("AT+CIPCLOSE=5"), "\r\nOK\r\n");
    assert_eq!(
        d.net,
        [
            NetCommand::Close { socket: s1 },
            NetCommand::Close { socket: s2 },
            NetCommand::Close { socket: s4 },
        ]
    );
    d.net.clear();
    assert_eq!(d.cmd("AT+CIPSTATUS?"), "\r\nOK\r\n");
    // Also when none is open.
    assert_eq!(d.cmd("AT+CIPCLOSE=5"), "\r\nOK\r\n");
    assert_eq!(d.net, []);
}

#[test]
fn cl_1_with_cipmux_0() {
    let mut d = Driver::booted();
    let s = d.tcp_link(0, 20108);
    assert_eq!(d.cmd("AT+CIPCLOSE=0"), "\r\nOK\r\n");
    assert_eq!(d.net, [NetCommand::Close { socket: s }]);
}

#[test]
fn cl_2_close_follows_the_acknowledged_send() {
    let mut d = Driver::booted();
    let s = d.tcp_link(0, 20108);
    assert_eq!(d.cmd("AT+CIPSEND=0,3"), "\r\n>");
    d.send(b"bye");
    d.event(NetEvent::Sent { socket: s });
    assert_eq!(d.take_text(), "\r\nSEND OK\r\n");
    assert_eq!(d.cmd("AT+CIPCLOSE=0"), "\r\nOK\r\n");
    // In this order: the driver closes gracefully after the data.
    assert_eq!(
        d.net,
        [
            NetCommand::Send {
                socket: s,
                data: crate::Bytes::from_static(b"bye"),
                to: None
            },
            NetCommand::Close { socket: s }
        ]
    );
}

#[test]
fn cl_2_closing_a_server_link_stops_listening() {
    let mut d = Driver::booted();
    let s = tcp_server(&mut d, 0);
    assert_eq!(d.cmd("AT+CIPCLOSE=0"), "\r\nOK\r\n");
    assert_eq!(d.net, [NetCommand::Close { socket: s }]);
    d.net.clear();
    d.event(NetEvent::Accepted {
        socket: s,
        remote: SocketAddrV4::new(Ipv4Addr::new(192, 168, 0, 50), 40001),
    });
    assert_eq!(d.take_text(), "");
    // The port is free again.
    tcp_server(&mut d, 0);
}

#[test]
fn cl_3_no_closed_line_for_links_the_host_closed() {
    let mut d = mux_booted();
    let s = d.tcp_link(2, 20108);
    assert_eq!(d.cmd("AT+CIPCLOSE=2"), "\r\nOK\r\n");
    d.event(NetEvent::Closed {
        socket: s,
        reason: CloseReason::Peer,
    });
    d.event(NetEvent::Received {
        socket: s,
        from: peer(20108),
        data: b"late",
    });
    assert_eq!(d.take_text(), "");
    assert_eq!(d.cmd("AT+CIPCLOSE=5"), "\r\nOK\r\n");
    assert_eq!(d.take_text(), "");
}

#[test]
fn g_7_no_closed_is_lost_while_a_peer_floods_held_urcs() {
    // Found by review: a peer streaming while URCs are held filled the URC
    // queue up to 24 bytes of headroom, and the link-state lines that
    // followed (here four links' `<id>,CLOSED`) were dropped.
    let mut d = Driver::booted();
    assert_eq!(d.cmd("AT+CIPMUX=1"), "\r\nOK\r\n");
    let s: Vec<SocketId> = (0..5).map(|link| d.tcp_link(link, 20108)).collect();
    assert_eq!(d.cmd("AT+CIPSEND=0,4"), "\r\n>");
    d.send(b"abcd");
    let _ = d.next_net();
    let chunk = [b'x'; 512];
    for _ in 0..64 {
        let room = d.m.net_rx_room(s[0]);
        d.event(NetEvent::Received {
            socket: s[0],
            from: SocketAddrV4::new(PEER, 20108),
            data: &chunk[..room.min(chunk.len())],
        });
    }
    assert_eq!(d.m.net_rx_room(s[0]), 0, "the held queue is full of data");
    for &socket in &s[1..] {
        d.event(NetEvent::Closed {
            socket,
            reason: CloseReason::Peer,
        });
    }
    d.event(NetEvent::Sent { socket: s[0] });
    let out = d.take_text();
    assert!(
        out.starts_with("\r\nSEND OK\r\n+IPD,0,"),
        "{:?}",
        &out[..40]
    );
    // The held lines follow the final result, the links' ends last.
    assert!(
        out.ends_with("x\r\n1,CLOSED\r\n2,CLOSED\r\n3,CLOSED\r\n4,CLOSED\r\n"),
        "{:?}",
        &out[out.len() - 60..]
    );
}
