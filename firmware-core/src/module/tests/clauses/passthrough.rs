//! PT-1, PT-3, PT-5, PT-6, and simple examples of PT-2, PT-4 and PT-7
//! (their timing and buffering are covered by the property tests).

use super::*;
use rstest::rstest;

const MS: Duration = Duration::from_millis(1);

/// CIPMODE=1, a TCP client on link 0, and passthrough entered.
fn in_passthrough() -> (Driver, SocketId) {
    let mut d = Driver::booted();
    assert_eq!(d.cmd("AT+CIPMODE=1"), "\r\nOK\r\n");
    let s = d.tcp_link(0, 20108);
    assert_eq!(d.cmd("AT+CIPSEND"), "\r\n>");
    assert!(d.m.is_passthrough());
    (d, s)
}

/// The next network command is a send of `data` on `socket`.
fn sends(d: &mut Driver, socket: SocketId, data: &[u8]) {
    match d.next_net() {
        NetCommand::Send {
            socket: s,
            data: got,
            ..
        } => {
            assert_eq!((s, &got[..]), (socket, data));
        }
        other => panic!("expected a Send, got {other:?}"),
    }
}

/// Leaves passthrough with a guarded `+++` (PT-4).
fn escape(d: &mut Driver) {
    d.wait(20 * MS);
    d.send(b"+++");
    d.wait(20 * MS);
    assert!(!d.m.is_passthrough());
}

// ======================================================================
// PT-1: when AT+CIPSEND enters passthrough
// ======================================================================

#[rstest]
#[case::tcp_client("AT+CIPSTART=0,\"TCP\",\"192.168.0.103\",80", None)]
#[case::udp_client(
    "AT+CIPSTART=0,\"UDP\",\"192.168.0.103\",80",
    Some(SocketAddrV4::new(PEER, 80))
)]
#[case::udp_server(
    "AT+CIPSTART=0,\"UDP\",\"192.168.0.103\",80,5000,\"0.0.0.0\"",
    Some(SocketAddrV4::new(PEER, 80))
)]
fn pt_1_enters_passthrough(#[case] start: &str, #[case] to: Option<SocketAddrV4>) {
    let mut d = Driver::booted();
    assert_eq!(d.cmd("AT+CIPSSLCPSK=\"k\",\"i\""), "\r\nOK\r\n");
    assert_eq!(d.cmd("AT+CIPMODE=1"), "\r\nOK\r\n");
    let (NetCommand::Connect { socket, .. } | NetCommand::Bind { socket, .. }) =
        asks(&mut d, start)
    else {
        panic!()
    };
    d.event(NetEvent::Opened {
        socket,
        local_port: 5000,
    });
    assert_eq!(d.take_text(), "\r\nOK\r\n");
    assert_eq!(d.cmd("AT+CIPSEND"), "\r\n>");
    d.send(b"AT\r\n");
    d.wait(20 * MS);
    assert_eq!(
        d.next_net(),
        NetCommand::Send {
            socket,
            data: crate::Bytes::from_static(b"AT\r\n"),
            to
        }
    );
    assert_eq!(d.take_text(), "");
}

/// How a refusal case is set up, after `ATE0`.
#[derive(Debug, Clone, Copy)]
enum Setup {
    ModeZero,
    NoLink,
    ServerListening,
    ServerWithPeer,
    Dtls,
    LinkClosedByPeer,
    MuxOne,
}

#[rstest]
#[case::cipmode_0(Setup::ModeZero)]
#[case::no_link(Setup::NoLink)]
#[case::tcp_server_listening(Setup::ServerListening)]
#[case::tcp_server_with_peer(Setup::ServerWithPeer)]
#[case::dtls(Setup::Dtls)]
#[case::link_closed_by_peer(Setup::LinkClosedByPeer)]
#[case::cipmux_1(Setup::MuxOne)]
fn pt_1_refusals_are_cmdrsp_error(#[case] setup: Setup) {
    let mut d = Driver::booted();
    if !matches!(setup, Setup::ModeZero | Setup::MuxOne) {
        assert_eq!(d.cmd("AT+CIPMODE=1"), "\r\nOK\r\n");
    }
    match setup {
        Setup::ModeZero => {
            d.tcp_link(0, 80);
        }
        Setup::NoLink => {}
        Setup::ServerListening | Setup::ServerWithPeer => {
            let NetCommand::Listen { socket, .. } = asks(
                &mut d,
                "AT+CIPSTART=0,\"TCP\",\"192.168.0.103\",80,5000,\"0.0.0.0\"",
            ) else {
                panic!()
            };
            d.event(NetEvent::Opened {
                socket,
                local_port: 5000,
            });
            if matches!(setup, Setup::ServerWithPeer) {
                d.event(NetEvent::Accepted {
                    socket,
                    remote: SocketAddrV4::new(PEER, 40000),
                });
            }
            d.take_text();
        }
        Setup::Dtls => {
            assert_eq!(d.cmd("AT+CIPSSLCPSK=\"k\",\"i\""), "\r\nOK\r\n");
            let NetCommand::Bind { socket, .. } =
                asks(&mut d, "AT+CIPSTART=0,\"DTLS\",\"192.168.0.103\",5684")
            else {
                panic!()
            };
            opened(&mut d, socket, 5000);
            assert_eq!(d.take_text(), "\r\nOK\r\n");
        }
        Setup::LinkClosedByPeer => {
            let socket = d.tcp_link(0, 80);
            d.event(NetEvent::Closed {
                socket,
                reason: CloseReason::Peer,
            });
            assert_eq!(d.take_text(), "CLOSED\r\n");
        }
        Setup::MuxOne => {
            assert_eq!(d.cmd("AT+CIPMUX=1"), "\r\nOK\r\n");
            d.tcp_link(0, 80);
        }
    }
    let before = visible_state(&mut d);
    assert_eq!(d.cmd("AT+CIPSEND"), "\r\nCMDRSP:ERROR\r\n");
    assert!(!d.m.is_passthrough());
    assert_eq!(d.net, []);
    assert_eq!(visible_state(&mut d), before);
    assert_eq!(d.cmd("AT"), "\r\nOK\r\n");
}

// ======================================================================
// PT-2, PT-4: simple examples
// ======================================================================

#[test]
fn pt_2_a_partial_packet_goes_after_20_ms() {
    let (mut d, s) = in_passthrough();
    d.send(b"hello");
    d.wait(19 * MS);
    assert_eq!(d.net, []);
    d.wait(MS);
    sends(&mut d, s, b"hello");
    assert_eq!(d.take_text(), "");
}

#[test]
fn pt_2_a_full_packet_goes_at_once() {
    let (mut d, s) = in_passthrough();
    let data: Vec<u8> = (0..1500u32).map(|i| (i % 251) as u8).collect();
    d.send(&data[..1024]);
    assert_eq!(d.net, []);
    d.send(&data[1024..]);
    sends(&mut d, s, &data[..1460]);
    d.event(NetEvent::Sent { socket: s });
    d.wait(20 * MS);
    sends(&mut d, s, &data[1460..]);
    assert_eq!(d.take_text(), "", "no SEND OK in passthrough");
}

#[test]
fn pt_4_guarded_plus_plus_plus_escapes_silently_and_sends_what_came_before() {
    let (mut d, s) = in_passthrough();
    d.send(b"a+b");
    escape(&mut d);
    sends(&mut d, s, b"a+b");
    assert_eq!(d.net, []);
    assert_eq!(d.take_text(), "");
}

#[test]
fn pt_4_unguarded_plus_plus_plus_is_data() {
    let (mut d, s) = in_passthrough();
    d.wait(20 * MS);
    d.send(b"x+++");
    d.wait(40 * MS);
    assert!(d.m.is_passthrough());
    sends(&mut d, s, b"x+++");
}

// ======================================================================
// PT-3: network to UART, raw
// ======================================================================

#[test]
fn pt_3_received_data_is_written_raw() {
    let (mut d, s) = in_passthrough();
    d.event(NetEvent::Received {
        socket: s,
        from: SocketAddrV4::new(PEER, 20108),
        data: b"raw\r\n+IPD",
    });
    assert_eq!(d.uart, b"raw\r\n+IPD");
}

// ======================================================================
// PT-5: after the escape
// ======================================================================

/// Found by the `module` fuzz target: in passthrough the room for
/// received data was the whole free UART queue, above `net_rx_limit`, the
/// size a driver drops a datagram at as one that can never fit.
#[test]
fn fuzz_module_rx_room_within_limit_in_passthrough() {
    let (d, s) = in_passthrough();
    assert_eq!(d.m.net_rx_room(s), d.m.net_rx_limit(s));
}

#[test]
fn pt_5_the_link_stays_open_and_cipsend_enters_again() {
    let (mut d, s) = in_passthrough();
    escape(&mut d);
    d.wait(Duration::from_secs(1));
    assert_eq!(
        d.cmd("AT+CIPSTATUS?"),
        "+BIPSTATUS:0,192.168.0.103,20108,50000,0\r\n\r\nOK\r\n"
    );
    // Data after the escape is +IPD again.
    d.event(NetEvent::Received {
        socket: s,
        from: SocketAddrV4::new(PEER, 20108),
        data: b"hi",
    });
    assert_eq!(d.take_text(), "+IPD,2:hi\r\n");
    assert_eq!(d.cmd("AT+CIPSEND"), "\r\n>");
    d.send(b"again");
    d.wait(20 * MS);
    sends(&mut d, s, b"again");
}

#[test]
fn pt_5_input_within_1_s_of_the_escape_is_discarded() {
    let (mut d, _) = in_passthrough();
    d.wait(20 * MS);
    d.send(b"+++");
    // The escape completes 20 ms after the last `+`; the cool-down runs
    // from that `+`.
    d.wait(20 * MS);
    d.send(b"AT+CIPMUX=1\r\n");
    d.wait(Duration::from_millis(979));
    // 999 ms after the last `+`.
    d.send(b"AT\r\n");
    assert_eq!(d.take_text(), "");
    assert_eq!(d.net, []);
    d.wait(Duration::from_millis(1));
    assert_eq!(d.cmd("AT+CIPMUX?"), "+CIPMUX:0\r\n\r\nOK\r\n");
}

// ======================================================================
// PT-6: the link closes during passthrough
// ======================================================================

#[test]
fn pt_6_link_closed_leaves_passthrough_discards_data_and_says_closed() {
    let (mut d, s) = in_passthrough();
    d.send(b"first");
    d.wait(20 * MS);
    sends(&mut d, s, b"first");
    // In flight: the next bytes wait.
    d.send(b"second");
    d.wait(40 * MS);
    assert_eq!(d.net, []);
    d.event(NetEvent::Closed {
        socket: s,
        reason: CloseReason::Peer,
    });
    assert_eq!(d.take_text(), "CLOSED\r\n");
    assert!(!d.m.is_passthrough());
    assert_eq!(d.m.usage().passthrough, 0);
    assert_eq!(d.cmd("AT"), "\r\nOK\r\n");
    d.wait(Duration::from_secs(1));
    assert_eq!(d.net, []);
    assert_eq!(d.cmd("AT+CIPSEND"), "\r\nCMDRSP:ERROR\r\n");
}

// ======================================================================
// PT-7: a slow network (simple example)
// ======================================================================

#[test]
fn pt_7_buffer_limit_holds_the_host_back_or_drops() {
    let (mut d, s) = in_passthrough();
    let data: Vec<u8> = (0..9000u32).map(|i| (i % 251) as u8).collect();
    d.send(&data);
    // The first packet leaves at once; the network does not confirm it, so
    // 8192 bytes wait and 808 are dropped.
    sends(&mut d, s, &data[..1460]);
    assert_eq!(d.m.dropped(), 808);
    assert!(d.m.uart_rx_ready(), "1460 bytes free: a UART piece fits");
    d.send(&[0; 1460]);
    assert_eq!(d.m.usage().passthrough, 8192);
    assert!(!d.m.uart_rx_ready(), "full: RTS holds the host back");
    d.event(NetEvent::Sent { socket: s });
    sends(&mut d, s, &data[1460..2920]);
    assert!(d.m.uart_rx_ready());
    assert_eq!(d.take_text(), "");
}
