//! TL-5, TL-6: any bytes, cut anywhere, from the network on an open TLS
//! or DTLS link never panic and never grow the module's buffers; garbage
//! never becomes data; a TLS link closes on it (once it is a whole bad
//! record) and a DTLS link drops it and goes on; real records cut at any
//! points arrive whole, in order, once.

use super::*;
use crate::tls::test_server::{Mode, TestServer};

const PORT: u16 = 4433;

/// An open TLS or DTLS link 0 (CIPMUX=0) with key "k" / "i".
fn secure(dtls: bool) -> (Driver, SocketId, TestServer) {
    let mut d = Driver::booted();
    assert_eq!(d.cmd("AT+CIPSSLCPSK=\"k\",\"i\""), "\r\nOK\r\n");
    let kind = if dtls { "DTLS" } else { "TLS" };
    d.send(alloc::format!("AT+CIPSTART=0,\"{kind}\",\"192.168.0.103\",{PORT}\r\n").as_bytes());
    let (NetCommand::Connect { socket, .. } | NetCommand::Bind { socket, .. }) = d.next_net()
    else {
        panic!("expected an open")
    };
    d.event(NetEvent::Opened {
        socket,
        local_port: 50000,
    });
    let mut server = match dtls {
        true => TestServer::dtls(b"k", b"i", Mode::Sink),
        false => TestServer::new(b"k", b"i", Mode::Sink),
    };
    d.tls_exchange(socket, &mut server);
    assert_eq!(d.take_text(), "\r\nOK\r\n");
    (d, socket, server)
}

fn from_peer(d: &mut Driver, socket: SocketId, data: &[u8]) {
    d.event(NetEvent::Received {
        socket,
        from: SocketAddrV4::new(PEER, PORT),
        data,
    });
}

/// The module's buffers within the dialect, whatever came.
fn bounded(d: &Driver) -> Result<(), TestCaseError> {
    let u = d.m.usage();
    prop_assert!(u.uart_tx <= SEED.uart_tx_buffer, "{u:?}");
    prop_assert!(u.urcs <= SEED.urc_buffer, "{u:?}");
    prop_assert!(u.links <= 1, "{u:?}");
    Ok(())
}

proptest! {
    #![proptest_config(config(256))]

    /// Garbage on a TLS link: no data from it; the link closes (CLOSED,
    /// a Close) unless the bytes so far are the start of a record.
    #[test]
    fn tl_5_garbage_on_a_tls_link(chunks in proptest::collection::vec(proptest::collection::vec(any::<u8>(), 0..700), 1..6)) {
        let (mut d, socket, _) = secure(false);
        for c in &chunks {
            from_peer(&mut d, socket, c);
            bounded(&d)?;
        }
        let text = d.take_text();
        prop_assert!(!text.contains("+IPD"), "{text:?}");
        let closed = text.contains("CLOSED");
        let open = d.cmd("AT+CIPSTATUS?").contains("+BIPSTATUS:2");
        prop_assert!(closed != open, "closed {closed}, open {open}");
        if closed {
            let close = NetCommand::Close { socket };
            prop_assert!(d.net.contains(&close), "{:?}", d.net);
        }
    }

    /// Garbage datagrams on a DTLS link are dropped: the link stays open,
    /// says nothing, and a real record after them still arrives.
    #[test]
    fn tl_5_garbage_on_a_dtls_link_is_dropped(datagrams in proptest::collection::vec(proptest::collection::vec(any::<u8>(), 0..700), 1..6)) {
        let (mut d, socket, mut server) = secure(true);
        for g in &datagrams {
            from_peer(&mut d, socket, g);
            bounded(&d)?;
        }
        prop_assert_eq!(d.take_text(), "");
        prop_assert!(d.net.is_empty(), "{:?}", d.net);
        let record = server.send(b"still here");
        from_peer(&mut d, socket, &record);
        prop_assert_eq!(d.take_text(), "+IPD,10:still here\r\n");
    }

    /// Real records, their stream cut at any points: every byte arrives
    /// once, in order, as one +IPD per record.
    #[test]
    fn tl_4_records_cut_anywhere_arrive_whole(
        sizes in proptest::collection::vec(1usize..2000, 1..5),
        cuts in proptest::collection::vec(any::<prop::sample::Index>(), 0..8),
    ) {
        let (mut d, socket, mut server) = secure(false);
        let mut stream = Vec::new();
        let mut want = alloc::string::String::new();
        for (i, &n) in sizes.iter().enumerate() {
            let data: Vec<u8> = (0..n).map(|k| b'a' + ((i + k) % 26) as u8).collect();
            stream.extend(server.send(&data));
            want += &alloc::format!("+IPD,{n}:{}\r\n", alloc::string::String::from_utf8(data).unwrap());
        }
        let mut at: Vec<usize> = cuts.iter().map(|c| c.index(stream.len())).collect();
        at.push(stream.len());
        at.sort_unstable();
        let mut from = 0;
        for to in at {
            from_peer(&mut d, socket, &stream[from..to]);
            bounded(&d)?;
            from = to;
        }
        prop_assert_eq!(d.take_text(), want);
    }
}
