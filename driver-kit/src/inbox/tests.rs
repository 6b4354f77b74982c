//! The inbox policy against a scripted core and a small model.

use alloc::collections::BTreeMap;
use alloc::vec;
use alloc::vec::Vec;
use core::net::{Ipv4Addr, SocketAddrV4};

use firmware_core::{CloseReason, Instant, NetCommand, NetEvent, SocketId};
use proptest::prelude::*;

use super::*;

const PEER: SocketAddrV4 = SocketAddrV4::new(Ipv4Addr::new(192, 168, 0, 103), 5000);

/// A core whose room the test sets; it records what it was given.
#[derive(Default)]
struct Scripted {
    room: usize,
    limit: usize,
    internal: Vec<SocketId>,
    got: Vec<(SocketId, Got)>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Got {
    Data(Vec<u8>),
    Sent,
    Closed,
    Other,
}

impl Core for Scripted {
    fn room(&self, socket: SocketId) -> usize {
        if self.internal.contains(&socket) {
            usize::MAX
        } else {
            self.room
        }
    }
    fn limit(&self, _: SocketId) -> usize {
        self.limit
    }
    fn handle(&mut self, _: Instant, event: NetEvent<'_>) {
        let (socket, got) = match event {
            NetEvent::Received { socket, data, .. } => {
                if !self.internal.contains(&socket) {
                    assert!(data.len() <= self.room, "more than the room");
                    self.room -= data.len();
                }
                (socket, Got::Data(data.to_vec()))
            }
            NetEvent::Sent { socket } => (socket, Got::Sent),
            NetEvent::Closed { socket, .. } => (socket, Got::Closed),
            NetEvent::Opened { socket, .. } | NetEvent::Failed { socket } => (socket, Got::Other),
            other => panic!("unexpected {other:?}"),
        };
        self.got.push((socket, got));
    }
}

fn sock(n: u32) -> SocketId {
    SocketId::from_raw(10 + n)
}

fn connect(socket: SocketId) -> NetCommand {
    NetCommand::Connect {
        socket,
        remote: PEER,
        keepalive: None,
    }
}

fn bind(socket: SocketId) -> NetCommand {
    NetCommand::Bind {
        socket,
        local_port: 0,
    }
}

#[test]
fn a_sent_never_waits_behind_data_the_core_has_no_room_for() {
    // The ESP32-C3 hang: the host types CIPSEND data on link 0 while the
    // peer streams; the data waits for room, and the `Sent` that would end
    // the CIPSEND (and so free the room) queued behind it for ever.
    let s = sock(0);
    let mut inbox = Inbox::<Vec<u8>>::new();
    inbox.note(&connect(s));
    let mut core = Scripted {
        room: 100,
        limit: 8000,
        ..Default::default()
    };
    inbox.push(s, Report::Received(PEER, vec![1; 8192]));
    inbox.push(s, Report::Sent);
    inbox.deliver(&mut core, Instant::ZERO, |_, _| {});
    assert_eq!(core.got, [(s, Got::Data(vec![1; 100])), (s, Got::Sent)]);
    assert!(inbox.is_waiting());
}

#[test]
fn a_datagram_is_never_split_and_one_that_never_fits_is_dropped() {
    let s = sock(0);
    let mut inbox = Inbox::<Vec<u8>>::new();
    inbox.note(&bind(s));
    let mut core = Scripted {
        room: 100,
        limit: 1000,
        ..Default::default()
    };
    inbox.push(s, Report::Received(PEER, vec![1; 150]));
    inbox.push(s, Report::Received(PEER, vec![2; 50]));
    inbox.deliver(&mut core, Instant::ZERO, |_, _| {});
    assert_eq!(core.got, [], "the first waits whole, the second behind it");
    core.room = 200;
    inbox.deliver(&mut core, Instant::ZERO, |_, _| {});
    assert_eq!(
        core.got,
        [(s, Got::Data(vec![1; 150])), (s, Got::Data(vec![2; 50]))]
    );
    inbox.push(s, Report::Received(PEER, vec![3; 1001]));
    core.room = 5000;
    inbox.deliver(&mut core, Instant::ZERO, |_, _| {});
    assert_eq!(core.got.len(), 2);
    assert_eq!(inbox.dropped(), 1001);
}

#[test]
fn the_cores_own_sockets_ignore_room() {
    let s = sock(1);
    let mut inbox = Inbox::<Vec<u8>>::new();
    inbox.note(&bind(s));
    let mut core = Scripted {
        internal: vec![s],
        limit: 65_507,
        ..Default::default()
    };
    inbox.push(s, Report::Received(PEER, vec![9; 512]));
    inbox.deliver(&mut core, Instant::ZERO, |_, _| {});
    assert_eq!(core.got, [(s, Got::Data(vec![9; 512]))]);
}

#[test]
fn a_stream_closes_after_its_last_byte_and_a_closed_socket_is_forgotten() {
    let (a, b) = (sock(0), sock(1));
    let mut inbox = Inbox::<Vec<u8>>::new();
    inbox.note(&connect(a));
    inbox.note(&connect(b));
    let mut core = Scripted {
        room: 10,
        limit: 8000,
        ..Default::default()
    };
    inbox.push(a, Report::Received(PEER, vec![1; 15]));
    inbox.push(a, Report::Closed(CloseReason::Peer));
    inbox.push(b, Report::Closed(CloseReason::Peer));
    inbox.deliver(&mut core, Instant::ZERO, |_, _| {});
    assert_eq!(core.got, [(a, Got::Data(vec![1; 10])), (b, Got::Closed)]);
    core.room = 10;
    inbox.deliver(&mut core, Instant::ZERO, |_, _| {});
    assert_eq!(
        core.got[2..],
        [(a, Got::Data(vec![1; 5])), (a, Got::Closed)]
    );
    assert!(!inbox.is_live(a) && !inbox.is_live(b));
    inbox.push(a, Report::Sent);
    assert!(inbox.is_empty(), "stale reports are dropped");
}

/// One step of a session with the inbox.
#[derive(Debug, Clone)]
enum Op {
    Data { socket: u8, len: usize },
    Sent { socket: u8 },
    Closed { socket: u8 },
    CoreCloses { socket: u8 },
    Room(usize),
    Deliver,
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        4 => (0..3u8, 1..3000usize).prop_map(|(socket, len)| Op::Data { socket, len }),
        2 => (0..3u8).prop_map(|socket| Op::Sent { socket }),
        1 => (0..3u8).prop_map(|socket| Op::Closed { socket }),
        1 => (0..3u8).prop_map(|socket| Op::CoreCloses { socket }),
        2 => (0..4000usize).prop_map(Op::Room),
        3 => Just(Op::Deliver),
    ]
}

proptest! {
    /// Socket 0 is a stream, 1 a datagram socket, 2 another stream. Every
    /// completion is delivered by the next `deliver`; a stream's bytes
    /// arrive in order, none twice, its close after them; a datagram is
    /// whole or dropped and counted; with room, nothing waits.
    #[test]
    fn the_policy_holds(ops in proptest::collection::vec(op(), 1..80)) {
        let ids = [sock(0), sock(1), sock(2)];
        let mut inbox = Inbox::<Vec<u8>>::new();
        inbox.note(&connect(ids[0]));
        inbox.note(&bind(ids[1]));
        inbox.note(&connect(ids[2]));
        let mut core = Scripted { limit: 2500, ..Default::default() };
        // The model: what each socket was sent, and whether it is open.
        let mut pushed: BTreeMap<SocketId, Vec<Vec<u8>>> = BTreeMap::new();
        let mut completions = [0usize; 3];
        let mut closed = [false; 3];
        let mut counter = 0u8;
        let mut core_closed_datagrams = false;
        let mut pushed_datagrams = 0u64;
        for op in ops {
            // A socket reports nothing after its end.
            if let Op::Data { socket, .. } | Op::Sent { socket } | Op::Closed { socket } = op
                && closed[usize::from(socket)]
            {
                continue;
            }
            match op {
                Op::Data { socket, len } => {
                    let s = ids[usize::from(socket)];
                    counter = counter.wrapping_add(1);
                    let data: Vec<u8> = (0..len).map(|i| counter ^ (i as u8)).collect();
                    if !closed[usize::from(socket)] {
                        pushed.entry(s).or_default().push(data.clone());
                        if socket == 1 {
                            pushed_datagrams += data.len() as u64;
                        }
                    }
                    inbox.push(s, Report::Received(PEER, data));
                }
                Op::Sent { socket } => {
                    if !closed[usize::from(socket)] {
                        completions[usize::from(socket)] += 1;
                    }
                    inbox.push(ids[usize::from(socket)], Report::Sent);
                }
                Op::Closed { socket } => {
                    inbox.push(ids[usize::from(socket)], Report::Closed(CloseReason::Peer));
                    closed[usize::from(socket)] = true;
                }
                Op::CoreCloses { socket } => {
                    let s = ids[usize::from(socket)];
                    core_closed_datagrams |= socket == 1;
                    inbox.note(&NetCommand::Close { socket: s });
                    closed[usize::from(socket)] = true;
                    // What it had waiting is gone; the model forgets it.
                    pushed.remove(&s);
                    core.got.retain(|(g, _)| *g != s);
                    completions[usize::from(socket)] = 0;
                }
                Op::Room(n) => core.room = n,
                Op::Deliver => {
                    inbox.deliver(&mut core, Instant::ZERO, |_, _| {});
                    for (i, s) in ids.iter().enumerate() {
                        let sent = core.got.iter().filter(|(g, x)| g == s && *x == Got::Sent).count();
                        prop_assert_eq!(sent, completions[i], "a completion waited");
                    }
                }
            }
        }
        // Room for everything: nothing may wait any more.
        core.room = usize::MAX / 2;
        inbox.deliver(&mut core, Instant::ZERO, |_, _| {});
        prop_assert!(inbox.is_empty());
        let mut delivered_datagrams = 0;
        for (i, s) in ids.iter().enumerate() {
            let got: Vec<&Got> = core.got.iter().filter(|(g, _)| g == s).map(|(_, g)| g).collect();
            let data: Vec<&Vec<u8>> = got.iter().filter_map(|g| match g {
                Got::Data(d) => Some(d),
                _ => None,
            }).collect();
            if let Some(close) = got.iter().position(|g| **g == Got::Closed) {
                let last_data = got.iter().rposition(|g| matches!(g, Got::Data(_)));
                prop_assert!(last_data.is_none_or(|d| d < close), "data after CLOSED");
            }
            let sent = pushed.remove(s).unwrap_or_default();
            if i == 1 {
                delivered_datagrams = data.iter().map(|d| d.len() as u64).sum();
                // Datagrams: a subsequence of what came, each whole.
                let mut it = sent.iter();
                for d in &data {
                    prop_assert!(it.any(|p| p == *d), "a datagram split or reordered");
                }
            } else {
                let got_bytes: Vec<u8> = data.iter().flat_map(|d| d.iter().copied()).collect();
                let sent_bytes: Vec<u8> = sent.iter().flatten().copied().collect();
                prop_assert_eq!(got_bytes, sent_bytes, "stream {}", i);
            }
        }
        if !core_closed_datagrams {
            prop_assert_eq!(delivered_datagrams + inbox.dropped(), pushed_datagrams);
        }
    }
}
