//! CIPSEND in normal mode: every length, any data, any chunking
//! (SD-2…SD-7, G-7, G-8).

use super::*;

/// The peer of the link under test.
const PORT: u16 = 20108;

/// `len` bytes of the conformance data stream (`k % 251`, STEPS.md),
/// shifted by `len`, with text that looks like a line end, a command and
/// an escape in the middle.
fn pattern(len: usize) -> Vec<u8> {
    let mut data: Vec<u8> = (0..len).map(|k| ((k + len) % 251) as u8).collect();
    let trap = b"\r\nAT\r\n+++";
    if len >= trap.len() {
        let at = (len - trap.len()) / 2;
        data[at..at + trap.len()].copy_from_slice(trap);
    }
    data
}

/// Every `<length>` from 0 to 2100 on one link: 1…2048 prompt, take
/// exactly that many bytes into one `Send` and answer `SEND OK` after
/// `Sent`; the rest are `ERROR` with no prompt and no `Send` (SD-2, SD-4,
/// SD-5). A CRLF after the data is an empty line (SD-7).
#[test]
fn cipsend_answers_every_length() {
    let mut d = Driver::booted();
    let s = d.tcp_link(0, PORT);
    for len in 0..=2100usize {
        let reply = d.cmd(&alloc::format!("AT+CIPSEND=0,{len}"));
        if !(1..=SEED.max_send).contains(&len) {
            assert_eq!(reply, "\r\nERROR\r\n", "length {len}");
            assert!(d.net.is_empty(), "length {len}: {:?}", d.net);
            continue;
        }
        assert_eq!(reply, "\r\n>", "length {len}");
        let data = pattern(len);
        d.send(&data);
        d.send(b"\r\n");
        assert_eq!(d.take_text(), "", "length {len}");
        let sends: Vec<NetCommand> = d.net.drain(..).collect();
        assert_eq!(
            sends,
            [NetCommand::Send {
                socket: s,
                data: data.into(),
                to: None
            }],
            "length {len}"
        );
        d.event(NetEvent::Sent { socket: s });
        assert_eq!(d.take_text(), "\r\nSEND OK\r\n", "length {len}");
    }
    assert_eq!(d.cmd("AT"), "\r\nOK\r\n");
}

/// The UART may cut a CRLF between its CR and LF: the LF still ends the
/// command line (G-1) and is not the first data byte (SD-4). Found by
/// `output_ignores_how_uart_bytes_split`.
#[test]
fn cipsend_with_its_crlf_cut_in_two_takes_no_lf() {
    let mut d = Driver::booted();
    let s = d.tcp_link(0, PORT);
    d.send(b"AT+CIPSEND=0,5\r");
    assert_eq!(d.take_text(), "\r\n>");
    d.send(b"\nhello");
    let want = NetCommand::Send {
        socket: s,
        data: crate::Bytes::from_static(b"hello"),
        to: None,
    };
    assert_eq!(d.net.drain(..).collect::<Vec<_>>(), [want]);
    d.event(NetEvent::Sent { socket: s });
    assert_eq!(d.take_text(), "\r\nSEND OK\r\n");
    // A lone CR ends a line too, and the data may start with any byte
    // but an LF.
    d.send(b"AT+CIPSEND=0,2\r");
    d.send(b"\rx");
    let want = NetCommand::Send {
        socket: s,
        data: crate::Bytes::from_static(b"\rx"),
        to: None,
    };
    assert_eq!(d.net.drain(..).collect::<Vec<_>>(), [want]);
}

/// What follows the data in its last piece.
#[derive(Debug, Clone, Copy)]
enum Trailing {
    Nothing,
    /// An empty line (SD-7).
    Crlf,
    /// A command while the send waits for the network: `busy` (G-6).
    Command,
}

/// When the peer closes the link, if it does.
#[derive(Debug, Clone, Copy)]
enum PeerClose {
    Never,
    /// Before this piece of the data arrives.
    BeforePiece(u16),
    /// After the data went to the network, before `Sent`.
    BeforeSent,
}

#[derive(Debug, Clone)]
struct Case {
    /// CIPMUX=1 (RX-1 and RX-2 name the link then).
    mux: bool,
    /// A UDP link (SD-6: one datagram), else TCP.
    udp: bool,
    link: u8,
    data: Bytes,
    cuts: Vec<u16>,
    /// Time before each piece, milliseconds (cycled).
    gaps: Vec<u16>,
    /// The peer's data arrives before this piece (G-7: held until the end).
    ipd: Option<(u16, Bytes)>,
    trailing: Trailing,
    ack_after_ms: u16,
    close: PeerClose,
}

fn case() -> impl Strategy<Value = Case> {
    let len = prop_oneof![
        2 => 1..=16usize,
        1 => 2030..=2048usize,
        3 => 1..=2048usize,
    ];
    let gap = prop_oneof![3 => Just(0u16), 2 => 0..50u16, 1 => 0..3000u16];
    let trailing =
        prop::sample::select(&[Trailing::Nothing, Trailing::Crlf, Trailing::Command][..]);
    let close = prop_oneof![
        6 => Just(PeerClose::Never),
        1 => any::<u16>().prop_map(PeerClose::BeforePiece),
        1 => Just(PeerClose::BeforeSent),
    ];
    (
        (any::<bool>(), any::<bool>(), 0..SEED.links),
        len.prop_flat_map(data_bytes),
        prop::collection::vec(any::<u16>(), 0..8),
        prop::collection::vec(gap, 1..4),
        prop::option::of((any::<u16>(), data_bytes(1..40))),
        trailing,
        0..100u16,
        close,
    )
        .prop_map(
            |((mux, udp, link), data, cuts, gaps, ipd, trailing, ack_after_ms, close)| Case {
                mux,
                udp,
                link,
                data: data.into(),
                cuts,
                gaps,
                ipd: ipd.map(|(at, data)| (at, Bytes(data))),
                trailing,
                ack_after_ms,
                close,
            },
        )
}

impl Case {
    /// The `+IPD` line of `data` (RX-1).
    fn ipd(&self, data: &[u8]) -> Vec<u8> {
        let head = if self.mux {
            alloc::format!("+IPD,{},{}:", self.link, data.len())
        } else {
            alloc::format!("+IPD,{}:", data.len())
        };
        [head.as_bytes(), data, b"\r\n"].concat()
    }

    /// The `CLOSED` line of the link (RX-2).
    fn closed(&self) -> Vec<u8> {
        if self.mux {
            alloc::format!("{},CLOSED\r\n", self.link).into_bytes()
        } else {
            b"CLOSED\r\n".to_vec()
        }
    }
}

fn run(c: &Case) {
    let mut d = Driver::booted();
    if c.mux {
        assert_eq!(d.cmd("AT+CIPMUX=1"), "\r\nOK\r\n");
    }
    let s = if c.udp {
        d.udp_link(c.link, PORT)
    } else {
        d.tcp_link(c.link, PORT)
    };
    let reply = d.cmd(&alloc::format!("AT+CIPSEND={},{}", c.link, c.data.len()));
    assert_eq!(reply, "\r\n>");
    let pieces = split(&c.data, &c.cuts);
    let close_before = match c.close {
        PeerClose::BeforePiece(i) => Some(usize::from(i) % pieces.len()),
        _ => None,
    };
    let ipd_before = c.ipd.as_ref().map(|(i, _)| usize::from(*i) % pieces.len());
    let peer = SocketAddrV4::new(PEER, PORT);
    // Unsolicited lines held back while the data comes (G-7).
    let mut held = Vec::new();
    for (i, piece) in pieces.iter().enumerate() {
        d.wait(Duration::from_millis(u64::from(c.gaps[i % c.gaps.len()])));
        if ipd_before == Some(i)
            && let Some((_, data)) = &c.ipd
        {
            d.event(NetEvent::Received {
                socket: s,
                from: peer,
                data,
            });
            if held.is_empty() {
                // Data for a link that is still open.
                held.extend(c.ipd(data));
            }
        }
        if close_before == Some(i) {
            held.extend(c.closed());
            d.event(NetEvent::Closed {
                socket: s,
                reason: crate::net::CloseReason::Peer,
            });
        }
        let mut bytes = piece.to_vec();
        if i == pieces.len() - 1 {
            match c.trailing {
                Trailing::Nothing => {}
                Trailing::Crlf => bytes.extend_from_slice(b"\r\n"),
                Trailing::Command => bytes.extend_from_slice(b"AT\r\n"),
            }
        }
        d.send(&bytes);
        // SD-4: no echo; G-7: nothing unsolicited while the data comes.
        if i < pieces.len() - 1 {
            assert_eq!(d.take_text(), "", "piece {i}");
            assert!(d.net.is_empty(), "piece {i}: {:?}", d.net);
        }
    }
    if close_before.is_some() {
        // SD-5: the link went down first; nothing is sent, and the held
        // lines follow the final result (G-7).
        let mut want = [&b"\r\nCMDRSP:ERROR\r\n"[..], &held].concat();
        if let Trailing::Command = c.trailing {
            want.extend_from_slice(b"\r\nOK\r\n");
        }
        assert_eq!(d.take_text(), String::from_utf8_lossy(&want));
        assert!(d.net.is_empty(), "{:?}", d.net);
        return;
    }
    // Exactly the data, once, in one Send (SD-4, SD-6).
    let sends: Vec<NetCommand> = d.net.drain(..).collect();
    let want = NetCommand::Send {
        socket: s,
        data: c.data.to_vec().into(),
        to: c.udp.then_some(peer),
    };
    assert_eq!(sends, [want]);
    let mut before_ack = Vec::new();
    if let Trailing::Command = c.trailing {
        // G-6: the send still runs.
        before_ack.extend_from_slice(b"busy p...\r\n");
    }
    assert_eq!(d.take_text(), String::from_utf8_lossy(&before_ack));
    d.wait(Duration::from_millis(u64::from(c.ack_after_ms)));
    assert_eq!(d.take_text(), "", "nothing before the network accepts");
    if let PeerClose::BeforeSent = c.close {
        d.event(NetEvent::Closed {
            socket: s,
            reason: crate::net::CloseReason::Reset,
        });
        let want = [&b"\r\nCMDRSP:ERROR\r\n"[..], &held, &c.closed()].concat();
        assert_eq!(d.take_text(), String::from_utf8_lossy(&want));
        return;
    }
    d.event(NetEvent::Sent { socket: s });
    let want = [&b"\r\nSEND OK\r\n"[..], &held].concat();
    assert_eq!(d.take_text(), String::from_utf8_lossy(&want));
    // SD-7: command input again.
    assert_eq!(d.cmd("AT"), "\r\nOK\r\n");
    assert!(d.net.is_empty());
}

proptest! {
    #![proptest_config(config(1024))]

    /// 1024 cases: a TCP or UDP link, CIPMUX 0 or 1, any data of a random
    /// length (biased to the ends of 1…2048), cut into pieces at random
    /// instants up to 3 s apart, the peer's data arriving meanwhile, a
    /// trailing empty line or command, the network accepting after a delay
    /// or the peer closing first. Exactly the data goes out, once, as one
    /// `Send` (one datagram); `SEND OK` comes only after `Sent`, held lines
    /// only after the final result.
    #[test]
    fn cipsend_takes_exactly_its_bytes(c in case()) {
        run(&c);
    }
}
