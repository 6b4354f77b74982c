//! MX (AT+CIPMUX), MD (AT+CIPMODE), RX (data and connection events).

use super::*;
use rstest::rstest;

// ======================================================================
// MX-1…MX-3: AT+CIPMUX
// ======================================================================

#[test]
fn mx_1_default_is_0() {
    let mut d = Driver::booted();
    assert_eq!(d.cmd("AT+CIPMUX?"), "+CIPMUX:0\r\n\r\nOK\r\n");
}

#[test]
fn mx_2_set_and_query() {
    let mut d = Driver::booted();
    assert_eq!(d.cmd("AT+CIPMUX=1"), "\r\nOK\r\n");
    assert_eq!(d.cmd("AT+CIPMUX?"), "+CIPMUX:1\r\n\r\nOK\r\n");
    assert_eq!(d.cmd("AT+CIPMUX=0"), "\r\nOK\r\n");
    assert_eq!(d.cmd("AT+CIPMUX?"), "+CIPMUX:0\r\n\r\nOK\r\n");
}

#[rstest]
#[case::two("AT+CIPMUX=2")]
#[case::negative("AT+CIPMUX=-1")]
#[case::missing("AT+CIPMUX=")]
#[case::extra("AT+CIPMUX=1,0")]
#[case::quoted("AT+CIPMUX=\"1\"")]
#[case::text("AT+CIPMUX=on")]
fn mx_2_bad_values(#[case] line: &str) {
    let mut d = Driver::booted();
    refused(&mut d, line);
}

#[test]
fn mx_2_no_change_while_a_link_is_open() {
    let mut d = Driver::booted();
    d.tcp_link(0, 20108);
    refused(&mut d, "AT+CIPMUX=1");
    assert_eq!(d.cmd("AT+CIPMUX=0"), "\r\nOK\r\n", "same value");
    let mut d = mux_booted();
    d.udp_link(3, 20108);
    refused(&mut d, "AT+CIPMUX=0");
    assert_eq!(d.cmd("AT+CIPMUX=1"), "\r\nOK\r\n", "same value");
}

#[test]
fn mx_3_no_multiple_connections_in_passthrough_mode() {
    let mut d = Driver::booted();
    assert_eq!(d.cmd("AT+CIPMODE=1"), "\r\nOK\r\n");
    refused(&mut d, "AT+CIPMUX=1");
    assert_eq!(d.cmd("AT+CIPMODE=0"), "\r\nOK\r\n");
    assert_eq!(d.cmd("AT+CIPMUX=1"), "\r\nOK\r\n");
}

// ======================================================================
// MD-1, MD-2: AT+CIPMODE
// ======================================================================

#[test]
fn md_1_default_is_0_and_not_stored() {
    let mut d = Driver::booted();
    assert_eq!(d.cmd("AT+CIPMODE?"), "+CIPMODE:0\r\n\r\nOK\r\n");
    assert_eq!(d.cmd("AT+CIPMODE=1"), "\r\nOK\r\n");
    assert_eq!(d.stored, None);
    assert_eq!(d.cmd("AT+RST"), "\r\nOK\r\n");
    d.wait(SEED.restart_time);
    assert_eq!(d.take_text(), "\r\nready\r\n");
    d.send(b"AT+CIPMODE?\r\n");
    assert_eq!(d.take_text(), "AT+CIPMODE?\r\n+CIPMODE:0\r\n\r\nOK\r\n");
}

#[test]
fn md_2_set_and_query() {
    let mut d = Driver::booted();
    assert_eq!(d.cmd("AT+CIPMODE=1"), "\r\nOK\r\n");
    assert_eq!(d.cmd("AT+CIPMODE?"), "+CIPMODE:1\r\n\r\nOK\r\n");
    assert_eq!(d.cmd("AT+CIPMODE=0"), "\r\nOK\r\n");
    assert_eq!(d.cmd("AT+CIPMODE?"), "+CIPMODE:0\r\n\r\nOK\r\n");
}

#[rstest]
#[case::two("AT+CIPMODE=2")]
#[case::negative("AT+CIPMODE=-1")]
#[case::missing("AT+CIPMODE=")]
#[case::extra("AT+CIPMODE=1,1")]
#[case::quoted("AT+CIPMODE=\"1\"")]
fn md_2_bad_values(#[case] line: &str) {
    let mut d = Driver::booted();
    refused(&mut d, line);
}

#[test]
fn md_2_no_passthrough_with_multiple_connections() {
    let mut d = mux_booted();
    refused(&mut d, "AT+CIPMODE=1");
    assert_eq!(d.cmd("AT+CIPMODE=0"), "\r\nOK\r\n");
}

// ======================================================================
// RX-1, RX-2: data and connection events
// ======================================================================

#[test]
fn rx_1_ipd_without_id_when_cipmux_0() {
    let mut d = Driver::booted();
    let s = d.tcp_link(0, 20108);
    d.event(NetEvent::Received {
        socket: s,
        from: peer(20108),
        data: b"a\r\nb\x00\xff",
    });
    assert_eq!(d.uart, b"+IPD,6:a\r\nb\x00\xff\r\n");
}

#[test]
fn rx_1_ipd_with_id_when_cipmux_1() {
    let mut d = mux_booted();
    let s = d.tcp_link(4, 20108);
    d.event(NetEvent::Received {
        socket: s,
        from: peer(20108),
        data: b"hello",
    });
    assert_eq!(d.take_text(), "+IPD,4,5:hello\r\n");
}

#[test]
fn rx_1_one_line_per_read_and_per_datagram() {
    let mut d = mux_booted();
    let t = d.tcp_link(0, 20108);
    let u = d.udp_link(1, 20109);
    for (socket, data) in [(t, &b"ab"[..]), (t, b"c"), (u, b"dg1"), (u, b"dg22")] {
        d.event(NetEvent::Received {
            socket,
            from: peer(20108),
            data,
        });
    }
    assert_eq!(
        d.take_text(),
        "+IPD,0,2:ab\r\n+IPD,0,1:c\r\n+IPD,1,3:dg1\r\n+IPD,1,4:dg22\r\n"
    );
}

#[test]
fn rx_2_connect_on_accept() {
    let mut d = Driver::booted();
    let s = tcp_server(&mut d, 0);
    d.event(NetEvent::Accepted {
        socket: s,
        remote: peer(40000),
    });
    assert_eq!(d.take_text(), "CONNECT\r\n");
    let mut d = mux_booted();
    let s = tcp_server(&mut d, 3);
    d.event(NetEvent::Accepted {
        socket: s,
        remote: peer(40000),
    });
    assert_eq!(d.take_text(), "3,CONNECT\r\n");
}

#[rstest]
#[case::peer(CloseReason::Peer)]
#[case::reset(CloseReason::Reset)]
#[case::keepalive(CloseReason::Timeout)]
#[case::error(CloseReason::Error)]
fn rx_2_closed_without_id_and_the_link_is_free(#[case] reason: CloseReason) {
    let mut d = Driver::booted();
    let s = d.tcp_link(0, 20108);
    d.event(NetEvent::Closed { socket: s, reason });
    assert_eq!(d.take_text(), "CLOSED\r\n");
    assert_eq!(d.net, [], "the socket is gone already");
    assert_eq!(d.cmd("AT+CIPSTATUS?"), "\r\nOK\r\n");
    d.tcp_link(0, 20108);
}

#[test]
fn rx_2_closed_with_id_when_cipmux_1() {
    let mut d = mux_booted();
    d.tcp_link(0, 20100);
    let s = d.udp_link(2, 20102);
    d.event(NetEvent::Closed {
        socket: s,
        reason: CloseReason::Error,
    });
    assert_eq!(d.take_text(), "2,CLOSED\r\n");
    assert_eq!(
        d.cmd("AT+CIPSTATUS?"),
        "+BIPSTATUS:0,192.168.0.103,20100,50000,0\r\n\r\nOK\r\n"
    );
    d.udp_link(2, 20102);
}

#[test]
fn rx_2_accepted_peer_closing_the_server_link() {
    let mut d = mux_booted();
    let s = tcp_server(&mut d, 1);
    d.event(NetEvent::Accepted {
        socket: s,
        remote: peer(40000),
    });
    d.event(NetEvent::Closed {
        socket: s,
        reason: CloseReason::Peer,
    });
    assert_eq!(d.take_text(), "1,CONNECT\r\n1,CLOSED\r\n");
    assert_eq!(d.cmd("AT+CIPSTATUS?"), "\r\nOK\r\n");
}
