//! The same seed gives the same transcript, byte for byte; another seed
//! with random latency gives another.

mod common;

use std::time::Duration;

use common::{PEER, booted, cmd, data, wait_for};
use sim::World;
use sim::peers::{Record, Service};

/// A mix of everything timed: TCP and UDP data, passthrough with an
/// escape, DNS, SNTP and ping, a fault.
fn run(seed: u64, random_latency: bool) -> String {
    let b = World::builder().seed(seed);
    let b = if random_latency {
        b.random_latency(Duration::from_millis(1), Duration::from_millis(40))
    } else {
        b
    };
    let mut w = b.build();
    w.add_service(PEER, Service::TcpEcho { port: 20108 });
    w.add_service(PEER, Service::UdpEcho { port: 20109 });
    w.add_sntp_server("192.168.0.123".parse().unwrap(), 1_666_351_239_000_000);
    w.dns()
        .borrow_mut()
        .zone
        .insert("peer.lan".into(), vec![Record::A(PEER)]);
    booted(&mut w);
    cmd(&mut w, "AT+CIPSNTPCFG=1,8,\"192.168.0.123\"");
    cmd(&mut w, "AT+CIPMUX=1");
    cmd(&mut w, "AT+CIPSTART=0,\"TCP\",\"peer.lan\",20108");
    cmd(&mut w, "AT+CIPSTART=1,\"UDP\",\"192.168.0.103\",20109");
    for link in 0..2 {
        cmd(&mut w, &format!("AT+CIPSEND={link},300"));
        w.host_write(&data(link * 300, 300));
        wait_for(&mut w, "SEND OK");
    }
    w.run_for(Duration::from_millis(200));
    cmd(&mut w, "AT+PING=\"peer.lan\"");
    cmd(&mut w, "AT+CIPSNTPTIME?");
    cmd(&mut w, "AT+CIPCLOSE=5");
    cmd(&mut w, "AT+CIPMUX=0");
    cmd(&mut w, "AT+CIPMODE=1");
    cmd(&mut w, "AT+CIPSTART=0,\"TCP\",\"192.168.0.103\",20108");
    cmd(&mut w, "AT+CIPSEND");
    w.host_write(&data(0, 4000));
    w.run_for(Duration::from_millis(700));
    w.host_write(b"+++");
    w.run_for(Duration::from_millis(1100));
    w.cut(PEER);
    cmd(&mut w, "AT+CIPSTATUS?");
    w.run_for(Duration::from_millis(100));
    w.transcript().render()
}

#[test]
fn same_seed_same_transcript() {
    for seed in [11, 12] {
        for random in [false, true] {
            let a = run(seed, random);
            let b = run(seed, random);
            assert!(
                a == b,
                "seed {seed} (random latency {random}) differs between runs"
            );
            assert!(a.lines().count() > 40, "{a}");
        }
    }
}

#[test]
fn another_seed_with_random_latency_differs() {
    assert_ne!(run(21, true), run(22, true));
}

/// TLS and DTLS against OpenSSL's servers, the DTLS link losing datagrams:
/// OpenSSL's randoms change the bytes from run to run, never their sizes
/// or order, and the transcript records sizes (TL-7: no key, no plaintext
/// of the handshake).
fn secure(seed: u64) -> String {
    let mut w = World::new(seed);
    let psk = sim::peers::Psk {
        key: b"secret".to_vec(),
        identity: b"client1".to_vec(),
    };
    w.add_service(
        PEER,
        Service::TlsPskEcho {
            port: 4433,
            psk: psk.clone(),
        },
    );
    w.add_service(PEER, Service::DtlsPskEcho { port: 4434, psk });
    booted(&mut w);
    w.set_datagram_loss(PEER, 30);
    cmd(&mut w, "AT+CIPMUX=1");
    cmd(&mut w, "AT+CIPSSLCPSK=5,\"secret\",\"client1\"");
    cmd(&mut w, "AT+CIPSTART=0,\"TLS\",\"192.168.0.103\",4433");
    cmd(&mut w, "AT+CIPSTART=1,\"DTLS\",\"192.168.0.103\",4434");
    for link in 0..2 {
        cmd(&mut w, &format!("AT+CIPSEND={link},300"));
        w.host_write(&data(link * 300, 300));
        wait_for(&mut w, "SEND OK");
    }
    w.run_for(Duration::from_secs(3));
    cmd(&mut w, "AT+CIPCLOSE=5");
    w.run_for(Duration::from_millis(100));
    w.transcript().render()
}

#[test]
fn tls_and_lossy_dtls_give_one_transcript_per_seed() {
    for seed in [31, 32] {
        let (a, b) = (secure(seed), secure(seed));
        assert!(a == b, "seed {seed} differs between runs");
        assert!(a.contains("Bind"), "{a}");
    }
    assert_ne!(secure(31), secure(33), "another seed, another loss pattern");
}
