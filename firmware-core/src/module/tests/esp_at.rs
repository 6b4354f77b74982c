//! The `esp-at` dialect's shapes, end to end through the core: joining,
//! a TCP link's CONNECT, CIPSEND's `OK >` and `Recv`, `+IPD`, CIPCLOSE.

use super::*;
use crate::ESP_AT;
use crate::net::{AccessPoint, JoinFailure};
use std::format;

const LAB: AccessPoint<'static> = AccessPoint {
    ssid: b"lab",
    bssid: [2, 0, 0, 0, 0, 1],
    rssi: -40,
    channel: 6,
    secured: true,
};

/// A TCP link to the peer, open, its `CONNECT` taken; its socket.
fn tcp_link(d: &mut Driver) -> crate::SocketId {
    d.net.clear();
    d.cmd("AT+CIPSTART=\"TCP\",\"192.168.0.103\",80");
    let Some(NetCommand::Connect { socket, .. }) = d.net.pop_front() else {
        panic!("expected a Connect");
    };
    d.event(NetEvent::Opened {
        socket,
        local_port: 50000,
    });
    d.take_text();
    socket
}

/// Booted, echo off, not joined.
fn booted() -> Driver {
    let mut d = Driver::power_on_as(&ESP_AT, &[]);
    assert_eq!(d.cmd("ATE0"), "ATE0\r\n\r\nOK\r\n");
    d
}

/// Booted and joined to "lab".
fn joined() -> Driver {
    let mut d = booted();
    assert_eq!(d.cmd("AT+CWJAP=\"lab\",\"labpass1\""), "");
    match d.net.pop_front() {
        Some(NetCommand::Join {
            ssid,
            password,
            dhcp,
            ..
        }) => {
            assert_eq!(
                (&ssid[..], &password[..], dhcp),
                (&b"lab"[..], &b"labpass1"[..], true)
            );
        }
        other => panic!("expected a Join, got {other:?}"),
    }
    d.event(NetEvent::Associated { ap: LAB });
    d.event(NetEvent::Configured {
        address: MODULE_IP,
        dns: &[DHCP_DNS],
        gateway: Ipv4Addr::new(192, 168, 0, 1),
        netmask: Ipv4Addr::new(255, 255, 255, 0),
    });
    assert_eq!(d.take_text(), "WIFI CONNECTED\r\nWIFI GOT IP\r\n\r\nOK\r\n");
    d
}

#[test]
fn eg_1_only_crlf_ends_a_line_and_an_empty_line_is_error() {
    let mut d = booted();
    d.send(b"AT\n");
    assert_eq!(d.take_text(), "");
    d.send(b"\r\n");
    assert_eq!(d.take_text(), "\r\nERROR\r\n");
    d.send(b"\r\n");
    assert_eq!(d.take_text(), "\r\nERROR\r\n");
    d.send(b"AT\r");
    d.send(b"\n");
    assert_eq!(d.take_text(), "\r\nOK\r\n");
}

#[test]
fn ew_4_ew_12_a_join_and_the_state_it_leaves() {
    let mut d = booted();
    assert_eq!(d.cmd("AT+CWSTATE?"), "+CWSTATE:0,\"\"\r\n\r\nOK\r\n");
    let mut d2 = joined();
    assert_eq!(d2.cmd("AT+CWSTATE?"), "+CWSTATE:2,\"lab\"\r\n\r\nOK\r\n");
    assert_eq!(
        d2.cmd("AT+CWJAP?"),
        "+CWJAP:\"lab\",\"02:00:00:00:00:01\",6,-40,0,1,3,0,1\r\n\r\nOK\r\n"
    );
    assert_eq!(d2.cmd("AT+CWQAP"), "\r\nOK\r\nWIFI DISCONNECT\r\n");
    assert_eq!(d2.cmd("AT+CWSTATE?"), "+CWSTATE:4,\"lab\"\r\n\r\nOK\r\n");
    assert_eq!(d.cmd("AT+CWJAP?"), "No AP\r\n\r\nOK\r\n");
}

#[test]
fn ew_5_a_wrong_password_is_code_2() {
    let mut d = booted();
    assert_eq!(d.cmd("AT+CWJAP=\"lab\",\"nope\""), "");
    d.net.clear();
    d.event(NetEvent::JoinFailed {
        reason: JoinFailure::WrongPassword,
    });
    assert_eq!(d.take_text(), "+CWJAP:2\r\n\r\nERROR\r\n");
}

#[test]
fn et_9_no_link_without_an_address() {
    let mut d = booted();
    assert_eq!(
        d.cmd("AT+CIPSTART=\"TCP\",\"192.168.0.103\",80"),
        "\r\nERROR\r\n"
    );
}

#[test]
fn et_3_es_4_es_5_er_1_et_11_a_tcp_link_end_to_end() {
    let mut d = joined();
    d.net.clear();
    assert_eq!(d.cmd("AT+CIPSTART=\"TCP\",\"192.168.0.103\",80"), "");
    let Some(NetCommand::Connect { socket, .. }) = d.net.pop_front() else {
        panic!("expected a Connect");
    };
    d.event(NetEvent::Opened {
        socket,
        local_port: 50000,
    });
    assert_eq!(d.take_text(), "CONNECT\r\n\r\nOK\r\n");
    assert_eq!(
        d.cmd("AT+CIPSTART=\"TCP\",\"192.168.0.103\",80"),
        "ALREADY CONNECTED\r\n\r\nERROR\r\n"
    );
    assert_eq!(d.cmd("AT+CIPSEND=5"), "\r\nOK\r\n\r\n>");
    d.send(b"hello");
    assert_eq!(d.take_text(), "\r\nRecv 5 bytes\r\n");
    d.net.clear();
    d.event(NetEvent::Sent { socket });
    assert_eq!(d.take_text(), "\r\nSEND OK\r\n");
    d.event(NetEvent::Received {
        socket,
        from: SocketAddrV4::new(PEER, 80),
        data: b"test",
    });
    assert_eq!(d.take_text(), "\r\n+IPD,4:test");
    assert_eq!(
        d.cmd("AT+CIPSTATE?"),
        "+CIPSTATE:0,\"TCP\",\"192.168.0.103\",80,50000,0\r\n\r\nOK\r\n"
    );
    assert_eq!(d.cmd("AT+CIPCLOSE"), "CLOSED\r\n\r\nOK\r\n");
    assert_eq!(d.cmd("AT+CIPCLOSE"), "\r\nERROR\r\n");
}

#[test]
fn er_3_er_4_er_5_er_7_er_8_passive_mode_holds_announces_and_hands_out() {
    let mut d = joined();
    assert_eq!(d.cmd("AT+CIPRECVMODE=1"), "\r\nOK\r\n");
    let socket = tcp_link(&mut d);
    let from = SocketAddrV4::new(PEER, 80);
    d.event(NetEvent::Received {
        socket,
        from,
        data: b"test",
    });
    assert_eq!(d.take_text(), "\r\n+IPD,4\r\n");
    d.event(NetEvent::Received {
        socket,
        from,
        data: b"more",
    });
    assert_eq!(d.take_text(), "", "announced once until read");
    assert_eq!(
        d.cmd("AT+CIPRECVLEN?"),
        "+CIPRECVLEN:8,-1,-1,-1,-1\r\n\r\nOK\r\n"
    );
    assert_eq!(
        d.cmd("AT+CIPRECVDATA=6"),
        "+CIPRECVDATA:6,testmo\r\n\r\nOK\r\n"
    );
    d.event(NetEvent::Closed {
        socket,
        reason: crate::CloseReason::Peer,
    });
    assert_eq!(d.take_text(), "", "CLOSED waits for the last byte");
    assert_eq!(
        d.cmd("AT+CIPRECVDATA=6"),
        "+CIPRECVDATA:2,re\r\n\r\nOK\r\nCLOSED\r\n"
    );
    assert_eq!(d.cmd("AT+CIPRECVDATA=6"), "\r\nERROR\r\n");
}

/// A stream's data beyond the link's buffer is counted as dropped, never
/// lost unseen: the network's share is kept within the room by
/// `net_rx_room` (counted there), and what reaches the buffer by another
/// way (a session's plaintext) is held to it here.
#[test]
fn er_4_a_stream_beyond_the_passive_buffer_is_counted() {
    let mut d = joined();
    assert_eq!(d.cmd("AT+CIPRECVMODE=1"), "\r\nOK\r\n");
    let socket = tcp_link(&mut d);
    let from = SocketAddrV4::new(PEER, 80);
    let room = d.m.net_rx_room(socket);
    assert_eq!(room, ESP_AT.passive_buffer);
    let data = alloc::vec![b'x'; room + 100];
    d.event(NetEvent::Received {
        socket,
        from,
        data: &data,
    });
    assert_eq!(d.m.dropped(), 100, "the network's excess");
    assert_eq!(d.take_text(), format!("\r\n+IPD,{room}\r\n"));
    let id = d.m.link_of(socket).unwrap();
    d.m.hold(id, from, b"more");
    assert_eq!(d.m.dropped(), 104, "held to the buffer, and counted");
    assert_eq!(
        d.cmd("AT+CIPRECVLEN?"),
        format!("+CIPRECVLEN:{room},-1,-1,-1,-1\r\n\r\nOK\r\n")
    );
}

#[test]
fn er_2_dinfo_names_the_sender() {
    let mut d = joined();
    assert_eq!(d.cmd("AT+CIPDINFO?"), "+CIPDINFO:false\r\n\r\nOK\r\n");
    assert_eq!(d.cmd("AT+CIPDINFO=1"), "\r\nOK\r\n");
    d.net.clear();
    d.cmd("AT+CIPSTART=\"UDP\",\"192.168.0.105\",5000,6000,2");
    let Some(NetCommand::Bind { socket, local_port }) = d.net.pop_front() else {
        panic!("expected a Bind");
    };
    assert_eq!(local_port, 6000);
    d.event(NetEvent::Opened {
        socket,
        local_port: 6000,
    });
    assert_eq!(d.take_text(), "CONNECT\r\n\r\nOK\r\n");
    d.event(NetEvent::Received {
        socket,
        from: SocketAddrV4::new(PEER, 7),
        data: b"hi",
    });
    assert_eq!(d.take_text(), "\r\n+IPD,2,\"192.168.0.103\",7:hi");
    assert_eq!(
        d.cmd("AT+CIPSTATE?"),
        "+CIPSTATE:0,\"UDP\",\"192.168.0.103\",7,6000,0\r\n\r\nOK\r\n",
        "mode 2: the sender became the remote"
    );
}

#[test]
fn en_2_en_4_en_5_the_clock_before_any_synchronisation_and_the_zones() {
    let mut d = joined();
    d.wait(Duration::from_secs(5));
    let t = d.cmd("AT+CIPSNTPTIME?");
    assert!(t.starts_with("+CIPSNTPTIME:Thu Jan  1 00:00:0"), "{t}");
    assert_eq!(
        d.cmd("AT+CIPSNTPCFG?"),
        "+CIPSNTPCFG:0,0,\"cn.ntp.org.cn\",\"ntp.sjtu.edu.cn\",\"us.pool.ntp.org\"\r\n\r\nOK\r\n"
    );
    for (tz, hours) in [
        ("8", "8"),
        ("530", "5"),
        ("-500", "-5"),
        ("015", "0"),
        ("14", "14"),
    ] {
        assert_eq!(
            d.cmd(&format!("AT+CIPSNTPCFG=0,{tz},\"a.b\"")),
            "\r\nOK\r\n",
            "{tz}"
        );
        assert_eq!(
            d.cmd("AT+CIPSNTPCFG?"),
            format!("+CIPSNTPCFG:0,{hours},\"a.b\"\r\n\r\nOK\r\n")
        );
    }
    for tz in ["1500", "-1300", "60", "1260"] {
        assert_eq!(
            d.cmd(&format!("AT+CIPSNTPCFG=0,{tz}")),
            "\r\nERROR\r\n",
            "{tz}"
        );
    }
    assert_eq!(d.cmd("AT+CIPSNTPINTV?"), "+CIPSNTPINTV:3600\r\n\r\nOK\r\n");
}

#[test]
fn ek_2_every_link_listed_with_cipmux() {
    let mut d = booted();
    assert_eq!(d.cmd("AT+CIPMUX=1"), "\r\nOK\r\n");
    assert_eq!(d.cmd("AT+CIPSSLCPSK=2,\"k2\",\"id2\""), "\r\nOK\r\n");
    assert_eq!(
        d.cmd("AT+CIPSSLCPSK?"),
        "+CIPSSLCPSK:0,\"\",\"\"\r\n+CIPSSLCPSK:1,\"\",\"\"\r\n+CIPSSLCPSK:2,\"k2\",\"id2\"\r\n\
         +CIPSSLCPSK:3,\"\",\"\"\r\n+CIPSSLCPSK:4,\"\",\"\"\r\n\r\nOK\r\n"
    );
    assert_eq!(
        d.cmd("AT+CIPDNS?"),
        "+CIPDNS:0,\"208.67.222.222\",\"114.114.114.114\",\"8.8.8.8\"\r\n\r\nOK\r\n"
    );
}

/// Joined, a TCP link open, in passthrough; returns the link's socket.
fn in_passthrough(d: &mut Driver) -> crate::SocketId {
    assert_eq!(d.cmd("AT+CIPMODE=1"), "\r\nOK\r\n");
    let socket = tcp_link(d);
    assert_eq!(d.cmd("AT+CIPSEND"), "\r\nOK\r\n\r\n>");
    socket
}

fn sent(d: &mut Driver) -> Vec<usize> {
    d.net
        .drain(..)
        .filter_map(|c| match c {
            NetCommand::Send { data, .. } => Some(data.len()),
            _ => None,
        })
        .collect()
}

#[test]
fn ep_3_a_partial_packet_waits_for_20_ms_of_silence() {
    let mut d = joined();
    let socket = in_passthrough(&mut d);
    for _ in 0..5 {
        d.send(b"abcd");
        d.wait(Duration::from_millis(10));
    }
    assert_eq!(
        sent(&mut d),
        [0usize; 0],
        "the UART never fell silent for 20 ms"
    );
    d.wait(Duration::from_millis(10));
    assert_eq!(sent(&mut d), [20]);
    d.event(NetEvent::Sent { socket });
    d.send(&[7; 3000]);
    assert_eq!(sent(&mut d), [2920]);
}

#[test]
fn ep_7_a_link_that_goes_down_in_passthrough_is_opened_again_silently() {
    let mut d = joined();
    let socket = in_passthrough(&mut d);
    d.event(NetEvent::Closed {
        socket,
        reason: crate::CloseReason::Peer,
    });
    assert_eq!(d.take_text(), "");
    d.net.clear();
    d.send(b"lost");
    d.wait(Duration::from_millis(100));
    let Some(NetCommand::Connect { socket, .. }) = d.net.pop_front() else {
        panic!("expected a new Connect");
    };
    d.event(NetEvent::Failed { socket });
    d.wait(Duration::from_millis(100));
    let Some(NetCommand::Connect { socket, .. }) = d.net.pop_front() else {
        panic!("expected another Connect");
    };
    d.event(NetEvent::Opened {
        socket,
        local_port: 50001,
    });
    d.send(b"kept");
    d.wait(Duration::from_millis(20));
    assert_eq!(sent(&mut d), [4], "what came while down is gone");
    assert_eq!(d.take_text(), "");
}

#[test]
fn eb_7_ew_14_the_access_point_and_mode_survive_a_power_cycle_with_sysstore() {
    let mut d = joined();
    assert_eq!(d.cmd("AT+CWMODE=3"), "\r\nOK\r\n");
    let blob = d.stored.clone().expect("a blob");
    let stored = crate::Settings::decode(&blob)
        .station
        .expect("station settings");
    assert_eq!(stored.mode, 3);
    assert_eq!(stored.ap, Some((b"lab".to_vec(), b"labpass1".to_vec())));
    // Power-on with it: auto-connect joins at once.
    let mut d = Driver::power_on_as(&ESP_AT, &blob);
    assert!(
        d.net
            .iter()
            .any(|c| matches!(c, NetCommand::Join { ssid, .. } if ssid == b"lab")),
        "{:?}",
        d.net
    );
    assert_eq!(d.cmd("AT+CWMODE?"), "AT+CWMODE?\r\n+CWMODE:3\r\n\r\nOK\r\n");
}

#[test]
fn et_12_et_13_et_14_a_server_gives_each_client_a_link() {
    let mut d = joined();
    assert_eq!(
        d.cmd("AT+CIPSERVER=1,8080"),
        "\r\nERROR\r\n",
        "needs CIPMUX=1"
    );
    assert_eq!(d.cmd("AT+CIPMUX=1"), "\r\nOK\r\n");
    assert_eq!(d.cmd("AT+CIPSERVERMAXCONN=2"), "\r\nOK\r\n");
    assert_eq!(d.cmd("AT+CIPSTO=10"), "\r\nOK\r\n");
    d.net.clear();
    assert_eq!(d.cmd("AT+CIPSERVER=1,8080"), "");
    let Some(NetCommand::Serve {
        socket: listener,
        local_port: 8080,
    }) = d.net.pop_front()
    else {
        panic!("expected a Serve");
    };
    d.event(NetEvent::Opened {
        socket: listener,
        local_port: 8080,
    });
    assert_eq!(d.take_text(), "\r\nOK\r\n");
    assert_eq!(d.cmd("AT+CIPMUX=0"), "\r\nERROR\r\n", "ET-1");
    let client = |n| SocketAddrV4::new(Ipv4Addr::new(192, 168, 0, 110 + n), 40000);
    for n in 0..3u8 {
        d.event(NetEvent::Incoming {
            listener,
            socket: crate::SocketId::incoming(u32::from(n)),
            remote: client(n),
        });
    }
    assert_eq!(d.take_text(), "0,CONNECT\r\n1,CONNECT\r\n");
    assert!(
        d.net.iter().any(|c| *c
            == NetCommand::Close {
                socket: crate::SocketId::incoming(2)
            }),
        "the third client is beyond AT+CIPSERVERMAXCONN"
    );
    assert_eq!(
        d.cmd("AT+CIPSTATE?"),
        "+CIPSTATE:0,\"TCP\",\"192.168.0.110\",40000,8080,1\r\n\
         +CIPSTATE:1,\"TCP\",\"192.168.0.111\",40000,8080,1\r\n\r\nOK\r\n"
    );
    d.wait(Duration::from_secs(5));
    d.event(NetEvent::Received {
        socket: crate::SocketId::incoming(1),
        from: client(1),
        data: b"hi",
    });
    assert_eq!(d.take_text(), "\r\n+IPD,1,2:hi");
    d.wait(Duration::from_secs(5));
    assert_eq!(d.take_text(), "0,CLOSED\r\n", "link 0 silent for 10 s");
    assert_eq!(d.cmd("AT+CIPSERVER=0,1"), "1,CLOSED\r\n\r\nOK\r\n");
    assert_eq!(d.cmd("AT+CIPSERVER?"), "+CIPSERVER:0\r\n\r\nOK\r\n");
}

#[test]
fn eb_2_input_during_a_restart_is_dropped_unanswered() {
    let mut d = booted();
    assert_eq!(d.cmd("AT+RST"), "\r\nOK\r\n");
    d.net.clear();
    assert_eq!(d.cmd("AT"), "");
    d.wait(Duration::from_millis(300));
    assert_eq!(d.take_text(), "\r\nready\r\n");
    assert_eq!(d.cmd("AT"), "AT\r\n\r\nOK\r\n", "echo is back on");
}

/// EW-6: nine parameters, the last ones at their defaults' neighbours.
#[test]
fn ew_6_every_join_parameter_fits_a_line() {
    let mut d = booted();
    assert_eq!(d.cmd("AT+CWJAP=\"lab\",\"labpass1\",,,0,100,1,600,3"), "");
    assert!(matches!(d.net.back(), Some(NetCommand::Join { .. })));
}

#[test]
fn es_8_cipsendex_ends_at_backslash_zero_and_unescapes_backslashes() {
    let mut d = joined();
    let socket = tcp_link(&mut d);
    assert_eq!(d.cmd("AT+CIPSENDEX=100"), "\r\nOK\r\n\r\n>");
    d.send(br"a\\0b\0");
    assert_eq!(d.take_text(), "\r\nRecv 4 bytes\r\n");
    let sent: Vec<_> = d
        .net
        .drain(..)
        .filter_map(|c| match c {
            NetCommand::Send { data, .. } => Some(data),
            _ => None,
        })
        .collect();
    assert_eq!(sent, [&br"a\0b"[..]]);
    d.event(NetEvent::Sent { socket });
    assert_eq!(d.take_text(), "\r\nSEND OK\r\n");
    // Without `\0`, the length ends it, as AT+CIPSEND's.
    assert_eq!(d.cmd("AT+CIPSENDEX=3"), "\r\nOK\r\n\r\n>");
    d.send(b"xyzAT");
    assert_eq!(d.take_text(), "\r\nRecv 3 bytes\r\n");
}

// ----------------------------------------------------------------------
// EH-1, EH-5: the UART's rate
// ----------------------------------------------------------------------

#[test]
fn eh_1_uart_cur_changes_the_rate_after_its_ok() {
    let mut d = booted();
    assert!(d.rates.is_empty(), "no stored rate: none at power-on");
    assert_eq!(d.cmd("AT+UART_CUR=921600,8,1,0,0"), "\r\nOK\r\n");
    // The driver switched once the OK was out, and not before.
    assert_eq!(d.rates, [(921_600, b"\r\nOK\r\n".to_vec())]);
    assert_eq!(
        d.cmd("AT+UART_CUR?"),
        "+UART_CUR:921600,8,1,0,0\r\n\r\nOK\r\n"
    );
    // Not stored: AT+UART_DEF? still says the dialect's rate.
    assert_eq!(
        d.cmd("AT+UART_DEF?"),
        "+UART_DEF:115200,8,1,0,0\r\n\r\nOK\r\n"
    );
    assert_eq!(d.stored, None, "AT+UART_CUR stores nothing");
    // AT+RST: back to the dialect's rate, after the OK, before `ready`.
    d.rates.clear();
    assert_eq!(d.cmd("AT+RST"), "\r\nOK\r\n");
    assert_eq!(d.rates, [(115_200, b"\r\nOK\r\n".to_vec())]);
    d.wait(Duration::from_millis(300));
    assert_eq!(d.take_text(), "\r\nready\r\n");
    assert_eq!(
        d.cmd("AT+UART_CUR?"),
        "AT+UART_CUR?\r\n+UART_CUR:115200,8,1,0,0\r\n\r\nOK\r\n"
    );
}

#[test]
fn eh_1_bytes_after_the_ok_wait_for_the_rate_to_be_polled() {
    let mut d = booted();
    d.send(b"AT+UART_CUR=9600,8,1,0,0\r\n");
    // A driver that has not polled the rate: nothing beyond the OK.
    d.send(b"AT\r\n");
    assert_eq!(d.take_text(), "\r\nOK\r\n\r\nOK\r\n");
    assert_eq!(d.rates.len(), 1);
    let mut m = Module::new(&ESP_AT, &[], 1);
    let mut buf = [0u8; 64];
    while m.poll_uart(&mut buf) > 0 {}
    m.handle_uart(Instant::ZERO, b"AT+UART_CUR=9600,8,1,0,0\r\nAT\r\n");
    assert_eq!(m.peek_uart(), b"AT+UART_CUR=9600,8,1,0,0\r\n\r\nOK\r\n");
    let n = m.poll_uart(&mut buf);
    assert_eq!(&buf[..n], b"AT+UART_CUR=9600,8,1,0,0\r\n\r\nOK\r\n");
    assert_eq!(m.poll_uart(&mut buf), 0, "held until the rate is polled");
    assert_eq!(m.peek_uart(), b"");
    assert_eq!(m.poll_line_rate(), Some(9600));
    assert_eq!(m.poll_line_rate(), None);
    assert_ne!(m.poll_uart(&mut buf), 0, "the next reply at the new rate");
}

#[test]
fn eh_1_only_8n1_and_rates_in_range() {
    let mut d = booted();
    for bad in [
        "AT+UART_CUR=921600,7,1,0,0",
        "AT+UART_CUR=921600,8,2,0,0",
        "AT+UART_CUR=921600,8,1,1,0",
        "AT+UART_CUR=79,8,1,0,0",
        "AT+UART_CUR=5000001,8,1,0,0",
        "AT+UART_DEF=921600,5,1,0,0",
        "AT+UART_DEF=921600,8,1,0",
    ] {
        assert_eq!(d.cmd(bad), "\r\nERROR\r\n", "{bad}");
    }
    assert!(d.rates.is_empty());
    assert_eq!(d.stored, None);
    assert_eq!(d.cmd("AT+UART_CUR=80,8,1,0,0"), "\r\nOK\r\n");
    assert_eq!(d.cmd("AT+UART_CUR=5000000,8,1,0,0"), "\r\nOK\r\n");
    assert_eq!(
        d.rates.iter().map(|r| r.0).collect::<Vec<_>>(),
        [80, 5_000_000]
    );
}

#[test]
fn eh_7_uart_def_stores_the_rate_for_restarts_and_power_on() {
    let mut d = booted();
    d.store_at_once = false;
    assert_eq!(d.cmd("AT+UART_DEF=460800,8,1,0,0"), "");
    assert!(d.rates.is_empty(), "not before the write is durable");
    d.m.handle_stored(d.now, true);
    d.drain();
    assert_eq!(d.take_text(), "\r\nOK\r\n");
    assert_eq!(d.rates, [(460_800, b"\r\nOK\r\n".to_vec())]);
    let blob = d.stored.clone().expect("stored whatever SYSSTORE says");
    assert_eq!(
        crate::Settings::decode(&blob).line_rate,
        core::num::NonZeroU32::new(460_800)
    );
    assert_eq!(
        d.cmd("AT+UART_DEF?"),
        "+UART_DEF:460800,8,1,0,0\r\n\r\nOK\r\n"
    );
    // AT+UART_CUR changes only the current rate; AT+RST brings the stored.
    d.store_at_once = true;
    assert_eq!(d.cmd("AT+UART_CUR=9600,8,1,0,0"), "\r\nOK\r\n");
    d.rates.clear();
    assert_eq!(d.cmd("AT+RST"), "\r\nOK\r\n");
    assert_eq!(d.rates, [(460_800, b"\r\nOK\r\n".to_vec())]);
    // Power-on: the stored rate before `ready`.
    let d = Driver::power_on_as(&ESP_AT, &blob);
    assert_eq!(d.rates, [(460_800, Vec::new())]);
    assert_eq!(d.m.dialect().line_rate, 115_200);
}

#[rstest::rstest]
fn eh_5_restarts_come_back_to_the_rate_the_line_was_built_for(
    #[values(&crate::SEED, &ESP_AT)] dialect: &'static crate::Dialect,
    #[values("AT+RST", "AT+RESTORE")] restart: &str,
) {
    // A driver whose UART runs at 921600 from power-on, no rate stored:
    // a restart keeps it (the swarm's seed 50 went silent when AT+RESTORE
    // switched such a line to the dialect's 115200).
    let mut d = Driver::power_on_as(dialect, &[]);
    d.m.set_line_rate(921_600);
    assert_eq!(d.cmd("ATE0"), "ATE0\r\n\r\nOK\r\n");
    d.rates.clear();
    assert_eq!(d.cmd(restart), "\r\nOK\r\n");
    d.wait(Duration::from_millis(300));
    assert!(
        d.rates.is_empty(),
        "{restart} changed the rate: {:?}",
        d.rates
    );
}

#[test]
fn eh_7_a_failed_write_keeps_the_rate() {
    let mut d = booted();
    d.store_at_once = false;
    assert_eq!(d.cmd("AT+UART_DEF=460800,8,1,0,0"), "");
    d.m.handle_stored(d.now, false);
    d.drain();
    assert_eq!(d.take_text(), "\r\nERROR\r\n");
    assert!(d.rates.is_empty());
    assert_eq!(
        d.cmd("AT+UART_DEF?"),
        "+UART_DEF:115200,8,1,0,0\r\n\r\nOK\r\n"
    );
}

#[test]
fn eh_7_a_stored_rate_outside_the_dialect_is_ignored() {
    let settings = crate::Settings {
        line_rate: core::num::NonZeroU32::new(10_000_000),
        ..crate::Settings::FACTORY
    };
    let d = Driver::power_on_as(&ESP_AT, &settings.encode());
    assert!(d.rates.is_empty());
}

#[test]
fn eh_1_the_seed_dialect_has_no_uart_command() {
    let mut d = Driver::booted();
    assert_eq!(d.cmd("AT+UART_CUR=921600,8,1,0,0"), "\r\nERROR\r\n");
    assert!(d.rates.is_empty());
}

#[test]
fn eh_1_a_port_that_cannot_change_its_rate_refuses_another() {
    let mut d = booted();
    d.m.limit_line_rates(115_200, 115_200);
    assert_eq!(d.cmd("AT+UART_CUR=921600,8,1,0,0"), "\r\nERROR\r\n");
    assert_eq!(d.cmd("AT+UART_CUR=115200,8,1,0,0"), "\r\nOK\r\n");
    assert_eq!(d.cmd("AT+UART_DEF=921600,8,1,0,0"), "\r\nERROR\r\n");
}
