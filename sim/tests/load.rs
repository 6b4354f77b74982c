//! The driver contract under load: what the module host delivers when the
//! core has no room (found by review of the first release's drivers; each
//! test failed on them).

mod common;

use std::time::Duration;

use common::{PEER, booted, cmd};
use sim::World;
use sim::peers::{Outgoing, Service};

/// Reads the UART for `d` of simulated time.
fn read_for(w: &mut World, d: Duration) -> Vec<u8> {
    let mut got = Vec::new();
    let end = w.now() + d;
    w.run_until(d, |w| {
        got.extend(w.host_read());
        w.now() >= end
    });
    got.extend(w.host_read());
    got
}

/// The lengths of every `+IPD` line in `out`.
fn ipd_lengths(out: &[u8]) -> Vec<usize> {
    let text = String::from_utf8_lossy(out);
    text.match_indices("+IPD,")
        .filter_map(|(i, _)| {
            let rest = &text[i + 5..];
            let end = rest.find(':')?;
            rest[..end].rsplit(',').next()?.parse().ok()
        })
        .collect()
}

#[test]
fn a_datagram_is_never_split_when_the_uart_is_behind() {
    // Two 6000-byte datagrams back to back: the second does not fit in
    // what the UART has free until the first has drained. The first
    // release's drivers gave it in two parts, two `+IPD` lines.
    let mut w = World::new(21);
    let peer = w.add_service(PEER, Service::UdpSink { port: 5000 });
    booted(&mut w);
    assert_eq!(
        cmd(&mut w, "AT+CIPSTART=0,\"UDP\",\"192.168.0.103\",5000"),
        "\r\nOK\r\n"
    );
    assert_eq!(cmd(&mut w, "AT+CIPSEND=0,2"), "\r\n>");
    w.host_write(b"hi");
    common::wait_for(&mut w, "SEND OK\r\n");
    for fill in [b'a', b'b'] {
        peer.borrow_mut().push(Outgoing::Send(vec![fill; 6000]));
    }
    let out = read_for(&mut w, Duration::from_secs(3));
    assert_eq!(ipd_lengths(&out), [6000, 6000], "seed {}", w.seed());
}

#[test]
fn no_closed_is_lost_while_a_cipsend_holds_the_lines_back() {
    // Link 0's peer floods while the host types CIPSEND data (URCs are
    // held, G-7); links 1 to 4 are closed by their peers meanwhile. The
    // first release kept 24 bytes of headroom: the flood filled the held
    // lines and the `<id>,CLOSED` lines were dropped while the links were
    // already freed.
    let mut w = World::new(22);
    let peers: Vec<_> = (0..5u16)
        .map(|i| w.add_service(PEER, Service::TcpSink { port: 20108 + i }))
        .collect();
    booted(&mut w);
    assert_eq!(cmd(&mut w, "AT+CIPMUX=1"), "\r\nOK\r\n");
    for link in 0..5u16 {
        let line = format!(
            "AT+CIPSTART={link},\"TCP\",\"192.168.0.103\",{}",
            20108 + link
        );
        assert_eq!(cmd(&mut w, &line), "\r\nOK\r\n");
    }
    assert_eq!(cmd(&mut w, "AT+CIPSEND=0,4"), "\r\n>");
    peers[0]
        .borrow_mut()
        .push(Outgoing::Send(vec![b'x'; 20_000]));
    w.run_for(Duration::from_millis(200));
    for peer in &peers[1..] {
        peer.borrow_mut().push(Outgoing::Close);
    }
    w.run_for(Duration::from_millis(200));
    w.host_write(b"data");
    let out = read_for(&mut w, Duration::from_secs(4));
    let text = String::from_utf8_lossy(&out);
    for link in 1..5 {
        assert!(
            text.contains(&format!("{link},CLOSED\r\n")),
            "seed {}: no {link},CLOSED",
            w.seed()
        );
    }
    assert_eq!(
        ipd_lengths(&out).iter().sum::<usize>(),
        20_000,
        "every byte of the flood arrives"
    );
    assert_eq!(
        cmd(&mut w, "AT+CIPSTATUS?").matches("+BIPSTATUS:").count(),
        1
    );
}
