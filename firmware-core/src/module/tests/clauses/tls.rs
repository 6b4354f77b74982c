//! TL-3…TL-7: TLS and DTLS links, against the test server of
//! `tls::test_server` (the handshake against OpenSSL is checked in
//! `tls::handshake` and by the workspace's interop test).

use super::*;
use crate::tls::CipherSuite;
use crate::tls::record::ContentType;
use rstest::rstest;

const MS: Duration = Duration::from_millis(1);

/// Link 0 of `kind` ("TLS" or "DTLS") to 192.168.0.103:4433 with `key` and
/// `identity`: its socket, just opened, the handshake not begun.
fn opening(d: &mut Driver, kind: &str, key: &str, identity: &str) -> SocketId {
    assert_eq!(
        d.cmd(&alloc::format!("AT+CIPSSLCPSK=\"{key}\",\"{identity}\"")),
        "\r\nOK\r\n"
    );
    let (NetCommand::Connect { socket, .. } | NetCommand::Bind { socket, .. }) = asks(
        d,
        &alloc::format!("AT+CIPSTART=0,\"{kind}\",\"192.168.0.103\",4433"),
    ) else {
        panic!()
    };
    d.event(NetEvent::Opened {
        socket,
        local_port: 50000,
    });
    socket
}

/// A link of `kind` ("TLS" or "DTLS") on link 0 with key "k" / "i", open;
/// its socket and server.
fn secure(d: &mut Driver, kind: &str, mode: Mode) -> (SocketId, TestServer) {
    let socket = opening(d, kind, "k", "i");
    let mut server = match kind {
        "DTLS" => TestServer::dtls(b"k", b"i", mode),
        _ => TestServer::new(b"k", b"i", mode),
    };
    d.tls_exchange(socket, &mut server);
    assert_eq!(d.take_text(), "\r\nOK\r\n");
    (socket, server)
}

#[rstest]
#[case::gcm(CipherSuite::Aes128GcmSha256)]
#[case::ccm8(CipherSuite::Aes128Ccm8)]
#[case::cbc(CipherSuite::Aes128CbcSha256)]
fn tl_1_each_suite_carries_data(#[case] suite: CipherSuite) {
    let mut d = Driver::booted();
    let socket = opening(&mut d, "TLS", "k", "i");
    let mut server = TestServer::new(b"k", b"i", Mode::Echo).with_suite(suite);
    d.tls_exchange(socket, &mut server);
    assert_eq!(d.take_text(), "\r\nOK\r\n");
    assert_eq!(d.cmd("AT+CIPSEND=0,3"), "\r\n>");
    d.send(b"abc");
    d.tls_exchange(socket, &mut server);
    assert_eq!(d.take_text(), "\r\nSEND OK\r\n+IPD,3:abc\r\n");
}

/// Bytes from the server to the module.
fn from_server(d: &mut Driver, socket: SocketId, data: &[u8]) {
    d.event(NetEvent::Received {
        socket,
        from: peer(4433),
        data,
    });
}

#[rstest]
#[case::tls("TLS", 2)]
#[case::dtls("DTLS", 3)]
fn tl_4_data_goes_both_ways_sealed(#[case] kind: &str, #[case] code: u8) {
    let mut d = Driver::booted();
    let (socket, mut server) = secure(&mut d, kind, Mode::Echo);
    assert_eq!(
        d.cmd("AT+CIPSTATUS?"),
        alloc::format!("+BIPSTATUS:{code},192.168.0.103,4433,50000,0\r\n\r\nOK\r\n")
    );
    assert_eq!(d.cmd("AT+CIPSEND=0,5"), "\r\n>");
    d.send(b"hello");
    let NetCommand::Send { data, .. } = d.net.front().cloned().unwrap() else {
        panic!()
    };
    assert_eq!(data[0], 23, "an application_data record");
    assert!(!data.windows(5).any(|w| w == b"hello"), "sealed");
    assert_eq!(d.take_text(), "", "SEND OK waits for the network");
    d.tls_exchange(socket, &mut server);
    assert_eq!(server.received, b"hello");
    assert_eq!(d.take_text(), "\r\nSEND OK\r\n+IPD,5:hello\r\n");
}

#[test]
fn tl_4_one_ipd_line_per_record() {
    let mut d = Driver::booted();
    let (socket, mut server) = secure(&mut d, "TLS", Mode::Sink);
    let records = [server.send(b"one"), server.send(b"two")].concat();
    // Cut anywhere: a partial record waits for its rest.
    from_server(&mut d, socket, &records[..7]);
    assert_eq!(d.take_text(), "");
    from_server(&mut d, socket, &records[7..]);
    assert_eq!(d.take_text(), "+IPD,3:one\r\n+IPD,3:two\r\n");
}

#[test]
fn tl_4_passthrough_over_tls() {
    let mut d = Driver::booted();
    assert_eq!(d.cmd("AT+CIPMODE=1"), "\r\nOK\r\n");
    let (socket, mut server) = secure(&mut d, "TLS", Mode::Echo);
    assert_eq!(d.cmd("AT+CIPSEND"), "\r\n>");
    d.send(b"raw bytes");
    d.wait(20 * MS);
    d.tls_exchange(socket, &mut server);
    assert_eq!(server.received, b"raw bytes");
    // PT-3: the echo comes back raw.
    assert_eq!(d.take_text(), "raw bytes");
}

#[rstest]
#[case::tls("TLS")]
#[case::dtls("DTLS")]
fn tl_4_cipclose_sends_close_notify_then_closes(#[case] kind: &str) {
    let mut d = Driver::booted();
    let (socket, mut server) = secure(&mut d, kind, Mode::Echo);
    assert_eq!(
        d.cmd("AT+CIPCLOSE=0"),
        "\r\nOK\r\n",
        "no CLOSED line (CL-3)"
    );
    let Some(NetCommand::Send { .. }) = d.net.front() else {
        panic!("close_notify first: {:?}", d.net)
    };
    d.tls_exchange(socket, &mut server);
    assert_eq!(server.alerts, [(1, 0)]);
    assert_eq!(d.net, [NetCommand::Close { socket }]);
}

#[rstest]
#[case::close_notify(ContentType::Alert, &[1, 0][..])]
#[case::fatal_alert(ContentType::Alert, &[2, 40][..])]
#[case::renegotiation(ContentType::Handshake, &[0, 0, 0, 0][..])]
fn tl_5_the_peer_ends_a_tls_link(#[case] content_type: ContentType, #[case] fragment: &[u8]) {
    let mut d = Driver::booted();
    let (socket, mut server) = secure(&mut d, "TLS", Mode::Echo);
    let record = server.record(content_type, fragment);
    from_server(&mut d, socket, &record);
    assert_eq!(d.take_text(), "CLOSED\r\n");
    assert!(d.net.contains(&NetCommand::Close { socket }));
    assert_eq!(d.cmd("AT+CIPSTATUS?"), "\r\nOK\r\n");
}

#[test]
fn tl_5_a_corrupted_tls_record_closes_the_link() {
    let mut d = Driver::booted();
    let (socket, mut server) = secure(&mut d, "TLS", Mode::Echo);
    let mut record = server.send(b"data");
    let last = record.len() - 1;
    record[last] ^= 0x80;
    from_server(&mut d, socket, &record);
    assert_eq!(d.take_text(), "CLOSED\r\n", "no +IPD from a bad record");
    // bad_record_mac went out before the close.
    let NetCommand::Send { data, .. } = d.next_net() else {
        panic!()
    };
    assert_eq!(data[0], 21);
    assert_eq!(d.next_net(), NetCommand::Close { socket });
}

#[test]
fn tl_5_a_corrupted_or_replayed_dtls_record_is_dropped() {
    let mut d = Driver::booted();
    let (socket, mut server) = secure(&mut d, "DTLS", Mode::Echo);
    let good = server.send(b"data");
    let mut bad = server.send(b"more");
    let last = bad.len() - 1;
    bad[last] ^= 0x80;
    from_server(&mut d, socket, &bad);
    from_server(&mut d, socket, &good);
    from_server(&mut d, socket, &good);
    assert_eq!(d.take_text(), "+IPD,4:data\r\n", "one copy, nothing else");
    assert_eq!(d.net, []);
    assert_eq!(
        d.cmd("AT+CIPSTATUS?"),
        "+BIPSTATUS:3,192.168.0.103,4433,50000,0\r\n\r\nOK\r\n"
    );
}

#[test]
fn tl_6_a_record_over_the_limit_closes_the_link() {
    let mut d = Driver::booted();
    let (socket, _) = secure(&mut d, "TLS", Mode::Echo);
    // A header announcing more than 4096 bytes and the suite's overhead.
    from_server(&mut d, socket, &[23, 3, 3, 0x20, 0x00]);
    assert_eq!(d.take_text(), "CLOSED\r\n");
}

#[test]
fn tl_3_a_silent_server_fails_the_cipstart_after_10_s() {
    let mut d = Driver::booted();
    assert_eq!(d.cmd("AT+CIPSSLCPSK=\"k\",\"i\""), "\r\nOK\r\n");
    let NetCommand::Connect { socket, .. } = asks(&mut d, "AT+CIPSTART=0,\"TLS\",\"10.1.2.3\",443")
    else {
        panic!()
    };
    d.wait(1000 * MS);
    d.event(NetEvent::Opened {
        socket,
        local_port: 50000,
    });
    d.net.clear(); // the ClientHello, unanswered
    d.wait(9999 * MS);
    assert_eq!(d.take_text(), "");
    d.wait(MS);
    assert_eq!(d.take_text(), "\r\nERROR\r\n");
    assert_eq!(d.net, [NetCommand::Close { socket }]);
    assert_eq!(d.cmd("AT+CIPSTATUS?"), "\r\nOK\r\n", "the link stays free");
}

#[test]
fn tl_7_no_network_command_and_no_debug_output_holds_the_key() {
    let key = "Sup3rS3cretKey";
    let mut d = Driver::booted();
    let socket = opening(&mut d, "TLS", key, "dev");
    let mut server = TestServer::new(key.as_bytes(), b"dev", Mode::Echo);
    let mut seen = alloc::format!("{:?}", d.net);
    d.tls_exchange(socket, &mut server);
    assert!(server.is_open());
    seen += &alloc::format!("{:?}{:?}", d.net, d.m.links);
    assert!(!seen.contains(key), "the key in {seen}");
    let hex: String = key.bytes().map(|b| alloc::format!("{b:02x}")).collect();
    assert!(!seen.contains(&hex));
}
