//! End-to-end scenarios through the simulated network (issue: sim).

mod common;

use std::time::Duration;

use common::{PEER, booted, cmd, data, wait_for};
use sim::peers::{Record, Service};
use sim::{Event, UartConfig, World};

#[test]
fn tcp_echo_round_trip_gives_ipd() {
    let mut w = World::new(1);
    w.add_service(PEER, Service::TcpEcho { port: 20108 });
    booted(&mut w);
    assert_eq!(
        cmd(&mut w, "AT+CIPSTART=0,\"tcp\",\"192.168.0.103\",20108,1800"),
        "\r\nOK\r\n"
    );
    assert_eq!(cmd(&mut w, "AT+CIPSEND=0,5"), "\r\n>");
    w.host_write(b"hello");
    assert_eq!(wait_for(&mut w, "SEND OK\r\n"), "\r\nSEND OK\r\n");
    assert_eq!(wait_for(&mut w, "hello\r\n"), "+IPD,5:hello\r\n");
}

#[test]
fn udp_send_with_remote_override_reaches_the_other_peer() {
    let mut w = World::new(2);
    let first = w.add_service(PEER, Service::UdpSink { port: 20108 });
    let other = w.add_service(PEER, Service::UdpSink { port: 5000 });
    booted(&mut w);
    assert_eq!(
        cmd(&mut w, "AT+CIPSTART=1,\"udp\",\"192.168.0.103\",20108"),
        "\r\nOK\r\n"
    );
    assert_eq!(cmd(&mut w, "AT+CIPSEND=1,3"), "\r\n>");
    w.host_write(b"abc");
    wait_for(&mut w, "SEND OK\r\n");
    assert_eq!(
        cmd(&mut w, "AT+CIPSEND=1,4,\"192.168.0.103\",5000"),
        "\r\n>"
    );
    w.host_write(b"wxyz");
    wait_for(&mut w, "SEND OK\r\n");
    w.run_for(Duration::from_millis(10));
    assert_eq!(first.borrow().received, b"abc");
    assert_eq!(other.borrow().received, b"wxyz");
    assert_eq!(other.borrow().datagrams, [4]);
}

/// Instants and sizes of things in a transcript.
type Timeline = Vec<(Duration, usize)>;

/// The module's sends on `socket`, and the UART pieces it got, from the
/// transcript.
fn sends_and_pieces(w: &World, socket: &str) -> (Timeline, Timeline) {
    let t = w.transcript();
    let prefix = format!("{socket} send ");
    let sends = t
        .entries()
        .iter()
        .filter_map(|e| match &e.event {
            Event::Net(s) if s.starts_with(&prefix) => {
                Some((e.at, s[prefix.len()..].split(' ').next()?.parse().ok()?))
            }
            _ => None,
        })
        .collect();
    let pieces = t
        .entries()
        .iter()
        .filter_map(|e| match &e.event {
            Event::UartIn(b) => Some((e.at, b.len())),
            _ => None,
        })
        .collect();
    (sends, pieces)
}

#[rstest::rstest]
#[case::slow_line(115_200, 1024)]
#[case::fast_line(921_600, 1460)]
fn passthrough_delivers_exactly_the_hosts_data_and_escapes_only_with_guards(
    #[case] baud: u32,
    #[case] full_packet: usize,
) {
    let mut w = World::builder()
        .seed(3)
        .uart(UartConfig {
            baud,
            ..UartConfig::default()
        })
        .build();
    let sink = w.add_service(PEER, Service::TcpSink { port: 8080 });
    booted(&mut w);
    cmd(&mut w, "AT+CIPMODE=1");
    assert_eq!(
        cmd(&mut w, "AT+CIPSTART=0,\"TCP\",\"192.168.0.103\",8080"),
        "\r\nOK\r\n"
    );
    assert_eq!(cmd(&mut w, "AT+CIPSEND"), "\r\n>");
    // 5000 bytes of the data stream (it holds CR, LF, '+' and "AT"), then
    // a "+++" right behind them: no guard before it, so data too.
    let mut sent = data(0, 5000);
    sent.extend_from_slice(b"+++");
    w.host_write(&sent);
    w.run_for(Duration::from_millis(700));
    w.host_write(b"x");
    w.run_for(Duration::from_millis(100));
    sent.push(b'x');
    assert_eq!(sink.borrow().received, sent, "seed {}", w.seed());
    // PT-2 in the transcript. At 115200 baud a 1024-byte piece takes 89 ms
    // to arrive, so each goes out 20 ms after it came; at 921600 two pieces
    // arrive within 20 ms and full 1460-byte packets go out at once.
    let (sends, pieces) = sends_and_pieces(&w, "s3");
    assert_eq!(sends.iter().map(|s| s.1).sum::<usize>(), 5004);
    assert_eq!(sends[0].1, full_packet, "{sends:?}");
    for &(at, n) in &sends {
        assert!(n <= 1460);
        if n < 1460 {
            // A partial packet leaves exactly when the oldest byte in it
            // has waited 20 ms (all bytes of a piece share its instant).
            // (The core's clock counts whole microseconds.)
            let due = |p: Duration| {
                (p + Duration::from_millis(20)).saturating_sub(at) < Duration::from_micros(1)
            };
            assert!(
                pieces.iter().any(|&(p, _)| due(p) && at >= p),
                "{at:?} {sends:?} {pieces:?}"
            );
        }
    }
    // The escape with its guards: silence, "+++", silence.
    w.run_for(Duration::from_millis(50));
    w.host_write(b"+++");
    w.run_for(Duration::from_millis(1100));
    assert!(w.host_read().is_empty(), "the escape prints nothing");
    assert_eq!(
        cmd(&mut w, "AT+CIPSTATUS?"),
        "+BIPSTATUS:0,192.168.0.103,8080,49155,0\r\n\r\nOK\r\n"
    );
    assert_eq!(sink.borrow().received.len(), 5004, "the +++ is not data");
    // Re-entry works.
    assert_eq!(cmd(&mut w, "AT+CIPSEND"), "\r\n>");
    w.host_write(b"again");
    w.run_for(Duration::from_millis(100));
    assert!(sink.borrow().received.ends_with(b"again"));
}

#[test]
fn cipdomain_follows_cnames_and_skips_a_silent_server() {
    let mut w = World::new(4);
    {
        let dns = w.dns();
        let mut dns = dns.borrow_mut();
        dns.zone.insert(
            "www.example.com".into(),
            vec![Record::Cname("edge.example.net".into())],
        );
        dns.zone.insert(
            "edge.example.net".into(),
            vec![Record::Cname("host.example.org".into())],
        );
        dns.zone
            .insert("host.example.org".into(), vec![Record::A(PEER)]);
    }
    let silent = w.add_dns_server("192.168.0.53".parse().unwrap());
    silent.borrow_mut().silent = true;
    booted(&mut w);
    assert_eq!(
        cmd(&mut w, "AT+CIPDOMAIN=\"www.example.com\""),
        "+CIPDOMAIN:\"192.168.0.103\"\r\n\r\nOK\r\n"
    );
    assert_eq!(
        cmd(&mut w, "AT+CIPDNS=1,\"192.168.0.53\",\"192.168.0.1\""),
        "\r\nOK\r\n"
    );
    let start = w.now();
    assert_eq!(
        cmd(&mut w, "AT+CIPDOMAIN=\"www.example.com\""),
        "+CIPDOMAIN:\"192.168.0.103\"\r\n\r\nOK\r\n"
    );
    let took = w.now() - start;
    assert!(
        took >= Duration::from_secs(1) && took < Duration::from_millis(1100),
        "{took:?}"
    );
    assert_eq!(silent.borrow().queries, 1);
    assert_eq!(
        cmd(&mut w, "AT+CIPDOMAIN=\"nowhere.example\""),
        "\r\nERROR\r\n"
    );
}

#[test]
fn sntp_time_matches_the_servers_clock_and_timezone() {
    let mut w = World::new(5);
    // 2022-10-21 11:20:39 UTC: the page's example, 19:20:39 at UTC+8.
    w.add_sntp_server("192.168.0.123".parse().unwrap(), 1_666_351_239_000_000);
    booted(&mut w);
    assert_eq!(cmd(&mut w, "AT+CIPSNTPTIME?"), "\r\nERROR\r\n");
    assert_eq!(
        cmd(&mut w, "AT+CIPSNTPCFG=1,8,\"192.168.0.123\""),
        "\r\nOK\r\n"
    );
    w.run_for(Duration::from_millis(20));
    let t = cmd(&mut w, "AT+CIPSNTPTIME?");
    assert_eq!(t, "+CIPSNTPTIME:2022-10-21 19:20:39\r\n\r\nOK\r\n");
    cmd(&mut w, "AT+CIPSNTPCFG=1,-5");
    w.run_for(Duration::from_secs(2));
    assert_eq!(
        cmd(&mut w, "AT+CIPSNTPTIME?"),
        "+CIPSNTPTIME:2022-10-21 06:20:41\r\n\r\nOK\r\n"
    );
}

#[test]
fn ping_answers_from_a_live_host_and_times_out_on_a_silent_one() {
    let mut w = World::builder()
        .seed(6)
        .latency(Duration::from_millis(3))
        .build();
    w.add_host(PEER);
    w.add_silent_host("192.168.0.99".parse().unwrap());
    booted(&mut w);
    assert_eq!(
        cmd(&mut w, "AT+PING=\"192.168.0.103\""),
        "+PING:6\r\n\r\nOK\r\n"
    );
    let start = w.now();
    assert_eq!(
        cmd(&mut w, "AT+PING=192.168.0.99"),
        "+PING:TIMEOUT\r\n\r\nERROR\r\n"
    );
    assert!(w.now() - start >= Duration::from_secs(1));
}

#[test]
fn a_peer_crash_during_cipsend_gives_cmdrsp_error() {
    let mut w = World::new(7);
    w.add_service(PEER, Service::TcpSink { port: 7000 });
    booted(&mut w);
    cmd(&mut w, "AT+CIPSTART=0,\"TCP\",\"192.168.0.103\",7000");
    assert_eq!(cmd(&mut w, "AT+CIPSEND=0,100"), "\r\n>");
    w.host_write(&data(0, 50));
    w.crash(PEER);
    w.run_for(Duration::from_millis(20));
    w.host_write(&data(50, 50));
    let out = wait_for(&mut w, "CLOSED\r\n");
    assert_eq!(out, "\r\nCMDRSP:ERROR\r\nCLOSED\r\n");
}

#[test]
fn cipdns_survives_a_power_cycle_only_with_sysstore() {
    for (sysstore, after) in [
        (1, "+CIPDNS:1,\"1.1.1.1\""),
        (0, "+CIPDNS:0,\"192.168.0.1\""),
    ] {
        let mut w = World::new(8);
        booted(&mut w);
        assert_eq!(
            cmd(&mut w, &format!("AT+SYSSTORE={sysstore}")),
            "\r\nOK\r\n"
        );
        assert_eq!(cmd(&mut w, "AT+CIPDNS=1,\"1.1.1.1\""), "\r\nOK\r\n");
        w.power_cycle();
        wait_for(&mut w, "ready\r\n");
        assert_eq!(w.boots(), 2);
        w.host_write(b"ATE0\r\n");
        wait_for(&mut w, "OK\r\n");
        assert_eq!(
            cmd(&mut w, "AT+CIPDNS?"),
            format!("{after}\r\n\r\nOK\r\n"),
            "SYSSTORE={sysstore}"
        );
    }
}

#[test]
fn hardware_flow_control_holds_either_side_back() {
    let mut w = World::builder()
        .seed(9)
        .uart(UartConfig {
            flow_control: true,
            ..UartConfig::default()
        })
        .build();
    let echo = w.add_service(PEER, Service::TcpEcho { port: 20108 });
    booted(&mut w);
    cmd(&mut w, "AT+CIPMODE=1");
    cmd(&mut w, "AT+CIPSTART=0,\"TCP\",\"192.168.0.103\",20108");
    assert_eq!(cmd(&mut w, "AT+CIPSEND"), "\r\n>");
    // The host holds the module back: the echo waits in the module.
    w.host_ready(false);
    let sent = data(0, 3000);
    w.host_write(&sent);
    w.run_for(Duration::from_millis(600));
    assert_eq!(echo.borrow().received, sent, "the host's data went out");
    let early = w.host_read();
    assert!(
        early.len() <= 1,
        "{} bytes passed a deasserted RTS",
        early.len()
    );
    // Released, every echoed byte arrives once, in order.
    w.host_ready(true);
    w.run_for(Duration::from_millis(600));
    let mut got = early;
    got.extend(w.host_read());
    assert_eq!(got, sent);
}

#[test]
fn b_6_power_lost_at_each_step_of_a_settings_change_keeps_old_or_new_and_never_loses_an_ok() {
    let (old, new) = ("+CIPDNS:1,\"1.1.1.1\"", "+CIPDNS:1,\"2.2.2.2\"");
    let (mut olds, mut news) = (0, 0);
    // The command takes ~2 ms on the line at 115200 baud, the write 2 ms:
    // every 1 ms step from the first byte sent to well after the OK.
    for steps in 0..12 {
        let mut w = World::new(10);
        booted(&mut w);
        assert_eq!(cmd(&mut w, "AT+SYSSTORE=1"), "\r\nOK\r\n");
        assert_eq!(cmd(&mut w, "AT+CIPDNS=1,\"1.1.1.1\""), "\r\nOK\r\n");
        w.host_write(b"AT+CIPDNS=1,\"2.2.2.2\"\r\n");
        for _ in 0..steps {
            w.step();
        }
        let said_ok = String::from_utf8_lossy(&w.host_read()).contains("OK");
        w.power_cycle();
        wait_for(&mut w, "ready\r\n");
        w.host_write(b"ATE0\r\n");
        wait_for(&mut w, "OK\r\n");
        let got = cmd(&mut w, "AT+CIPDNS?");
        // (Bytes still on the line at the power cut reach the new boot.)
        if got.contains(new) {
            news += 1;
        } else {
            assert!(
                !said_ok,
                "step {steps}: OK was sent, then the setting was lost"
            );
            assert!(
                got.contains(old),
                "step {steps}: neither old nor new: {got:?}"
            );
            olds += 1;
        }
    }
    assert!(olds > 0 && news > 0, "{olds} old, {news} new");
}
