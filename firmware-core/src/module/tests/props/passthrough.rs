//! Passthrough against a reference model: packets (PT-2), the `+++`
//! escape (PT-4), the second after it (PT-5) and the full buffer (PT-7).
//!
//! The model is written from the clauses, not from `passthrough.rs`: it
//! looks at the whole input at once and states the escape rule as a
//! predicate over three `+` bytes and their neighbours. The driver checks
//! the module against it at every instant anything happens.

use alloc::vec;

use super::*;

/// One UART piece: all its bytes arrive at one instant, `gap` after the
/// previous piece (PT-4's timing is by piece).
#[derive(Debug, Clone)]
struct Piece {
    gap: Duration,
    bytes: Bytes,
    /// Data from the peer right after the piece (PT-3).
    peer: Option<Bytes>,
}

/// What the host's piece meets.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Fate {
    /// Passthrough data (some of it may turn out to be an escape).
    Data,
    /// Less than a second after an escape: dropped unread (PT-5).
    Discarded,
    /// The first piece a second or more after an escape: the host enters
    /// passthrough again with `AT+CIPSEND` at that instant, then sends it.
    Reenter,
}

/// The model's reading of a run.
#[derive(Debug, Default)]
struct Plan {
    /// When each piece arrives, and its fate.
    arrivals: Vec<(Instant, Fate)>,
    /// Every byte that is data, in order, with the instant it arrived.
    data: Vec<u8>,
    arrival: Vec<Instant>,
    /// When each data byte may be sent: the instant it was proven data
    /// (its arrival, or later for a `+` that might have been an escape),
    /// never earlier than the byte before it.
    release: Vec<Instant>,
    /// Each escape: when its first `+` arrived and when it is recognised
    /// (20 ms after its last `+`).
    escapes: Vec<(Instant, Instant)>,
}

impl Plan {
    /// The model, over `pieces` after passthrough began at `start`.
    fn new(start: Instant, pieces: &[Piece]) -> Plan {
        let mut t = start;
        let times: Vec<Instant> = pieces
            .iter()
            .map(|p| {
                t = t + p.gap;
                t
            })
            .collect();
        let mut fates = vec![Fate::Data; pieces.len()];
        let mut plan = Plan::default();
        let mut entry = start;
        let mut next = 0;
        while next < pieces.len() {
            // A session: passthrough from `entry`, with the pieces from
            // `next` on as its input until an escape ends it.
            let stream: Vec<(Instant, u8, usize)> = (next..pieces.len())
                .flat_map(|i| pieces[i].bytes.iter().map(move |&b| (i, b)))
                .map(|(i, b)| (times[i], b, i))
                .collect();
            let escape = (0..stream.len()).find(|&a| refuted(&stream, entry, a).is_none());
            let end = escape.unwrap_or(stream.len());
            for (j, &(at, byte, _)) in stream[..end].iter().enumerate() {
                let proven = if byte == b'+' {
                    // A `+` is data once every `+++` it could belong to
                    // is ruled out.
                    (j.saturating_sub(2)..=j)
                        .filter_map(|a| refuted(&stream, entry, a))
                        .fold(at, Instant::max)
                } else {
                    at
                };
                let floor = plan.release.last().copied().unwrap_or(proven);
                plan.data.push(byte);
                plan.arrival.push(at);
                plan.release.push(proven.max(floor));
            }
            let Some(a) = escape else { break };
            let last_plus = stream[a + 2].0;
            plan.escapes
                .push((stream[a].0, last_plus + SEED.escape_guard));
            // PT-5: a second of deafness, then the host comes back.
            next = stream[a + 2].2 + 1;
            while next < pieces.len() && times[next] < last_plus + SEED.escape_cooldown {
                fates[next] = Fate::Discarded;
                next += 1;
            }
            if next < pieces.len() {
                fates[next] = Fate::Reenter;
                entry = times[next];
            }
        }
        plan.arrivals = times.into_iter().zip(fates).collect();
        plan
    }

    /// How many data bytes may have been sent by `now`.
    fn released_by(&self, now: Instant) -> usize {
        self.release.partition_point(|&r| r <= now)
    }

    /// How many data bytes arrived by `now`.
    fn arrived_by(&self, now: Instant) -> usize {
        self.arrival.partition_point(|&r| r <= now)
    }

    /// Whether the module is in passthrough at `now`, all input up to
    /// `now` taken.
    fn in_passthrough(&self, now: Instant) -> bool {
        let entries = 1 + self
            .arrivals
            .iter()
            .filter(|&&(t, fate)| fate == Fate::Reenter && t <= now)
            .count();
        let escapes = self.escapes.iter().filter(|e| e.1 <= now).count();
        entries > escapes
    }
}

/// Whether bytes `a`, `a+1`, `a+2` of a session's `stream` (entered at
/// `entry`) are the escape of PT-4. `None` if they are; otherwise the
/// first instant at which the host's input shows they are not: the
/// arrival of a byte that breaks the rule, or the end of a wait for a
/// `+` that did not come in time.
fn refuted(stream: &[(Instant, u8, usize)], entry: Instant, a: usize) -> Option<Instant> {
    let guard = SEED.escape_guard;
    let at = |k: usize| stream.get(k).map(|s| s.0);
    let mut when: Option<Instant> = None;
    let mut rule_out = |t: Instant| when = Some(when.map_or(t, |w| w.min(t)));
    // Silence before the first `+`.
    let before = if a == 0 { entry } else { stream[a - 1].0 };
    if stream[a].0.saturating_since(before) < guard {
        rule_out(stream[a].0);
    }
    for k in a..a + 3 {
        match stream.get(k) {
            Some(&(t, byte, _)) if byte != b'+' => rule_out(t),
            Some(_) => {}
            // The input ended: the missing `+` would have had to come
            // within 20 ms of the one before.
            None => {
                rule_out(stream[k - 1].0 + guard);
                break;
            }
        }
        // Less than 20 ms between the `+` bytes.
        if k > a
            && let (Some(t), Some(prev)) = (at(k), at(k - 1))
            && t.saturating_since(prev) >= guard
        {
            rule_out(prev + guard);
        }
    }
    // Silence after the last `+`.
    if let (Some(t), Some(last)) = (at(a + 3), at(a + 2))
        && t.saturating_since(last) < guard
    {
        rule_out(t);
    }
    when
}

/// How the network answers `Send`s.
#[derive(Debug, Clone)]
enum Acks {
    /// At the instant of the send.
    AtOnce,
    /// After these delays in turn (microseconds, cycled).
    After(Vec<u32>),
}

/// A passthrough session on link 0 and the model of it.
struct Run<'a> {
    d: Driver,
    socket: SocketId,
    start: Instant,
    pieces: &'a [Piece],
    plan: Plan,
    acks: &'a Acks,
    /// Pieces delivered so far.
    arrived: usize,
    /// Every byte the module sent.
    sent: Vec<u8>,
    sends: usize,
    /// When the network accepts the `Send` in flight.
    in_flight: Option<Instant>,
}

impl<'a> Run<'a> {
    /// Boot, `AT+CIPMODE=1`, a TCP link, `AT+CIPSEND` → `>`.
    fn new(pieces: &'a [Piece], acks: &'a Acks) -> Self {
        let mut d = Driver::booted();
        assert_eq!(d.cmd("AT+CIPMODE=1"), "\r\nOK\r\n");
        let socket = d.tcp_link(0, 8080);
        assert_eq!(d.cmd("AT+CIPSEND"), "\r\n>");
        let start = d.now;
        Run {
            plan: Plan::new(start, pieces),
            d,
            socket,
            start,
            pieces,
            acks,
            arrived: 0,
            sent: Vec::new(),
            sends: 0,
            in_flight: None,
        }
    }

    /// Runs every piece, acknowledgement and wake-up in time order until
    /// nothing is left, checking the module at every instant.
    fn run(mut self) {
        for _ in 0..100_000 {
            let piece = self.plan.arrivals.get(self.arrived).map(|a| a.0);
            let wake = self.d.m.poll_timeout();
            let next = [piece, self.in_flight, wake].into_iter().flatten().min();
            if next.is_none_or(|t| t > self.d.now) {
                // All of `now` is done; the module must be where the
                // model is until `next`.
                self.check();
            }
            let Some(t) = next else {
                return self.finish();
            };
            assert!(t >= self.d.now, "time went back to {t}");
            self.d.now = t;
            if wake.is_some_and(|w| w <= t) {
                self.d.m.handle_timeout(t);
                self.d.drain();
                let after = self.d.m.poll_timeout();
                assert!(
                    after.is_none_or(|w| w > t),
                    "wake-up {after:?} not after {t}"
                );
            } else if self.in_flight == Some(t) {
                self.in_flight = None;
                self.d.event(NetEvent::Sent {
                    socket: self.socket,
                });
            } else {
                self.deliver();
            }
            self.collect();
        }
        panic!("livelock at {}", self.d.now);
    }

    /// The next piece, at its instant.
    fn deliver(&mut self) {
        let (at, fate) = self.plan.arrivals[self.arrived];
        assert_eq!(at, self.d.now);
        let piece = &self.pieces[self.arrived];
        self.arrived += 1;
        if fate == Fate::Reenter {
            // PT-5: back in command mode, silently.
            assert_eq!(self.d.cmd("AT+CIPSEND"), "\r\n>", "re-entry at {at}");
        }
        self.d.send(&piece.bytes);
        if let Some(data) = &piece.peer {
            self.d.event(NetEvent::Received {
                socket: self.socket,
                from: SocketAddrV4::new(PEER, 8080),
                data,
            });
            // PT-3: raw in passthrough; RX-1 once back in command mode.
            let want = if self.plan.in_passthrough(at) {
                data.to_vec()
            } else {
                [
                    alloc::format!("+IPD,{}:", data.len()).as_bytes(),
                    data,
                    b"\r\n",
                ]
                .concat()
            };
            assert_eq!(self.d.uart, want, "the peer's data at {at}");
            self.d.uart.clear();
        }
    }

    /// Takes the module's `Send`s: the data in order, in packets of at most
    /// 1460 bytes, each made only of bytes proven data, one at a time.
    /// Nothing reaches the UART (PT-4: the escape prints nothing).
    fn collect(&mut self) {
        let now = self.d.now;
        assert_eq!(self.d.take_text(), "", "UART output at {now}");
        while let Some(c) = self.d.net.pop_front() {
            let NetCommand::Send { socket, data, to } = c else {
                panic!("unexpected {c:?} at {now}");
            };
            assert_eq!((socket, to), (self.socket, None));
            assert!(self.in_flight.is_none(), "a second Send in flight at {now}");
            assert!(
                (1..=SEED.packet_max).contains(&data.len()),
                "packet of {} bytes",
                data.len()
            );
            let from = self.sent.len();
            let released = self.plan.released_by(now);
            assert!(
                from + data.len() <= released,
                "at {now}: bytes {from}..{} sent, only {released} proven data",
                from + data.len()
            );
            assert_eq!(
                data,
                self.plan.data[from..from + data.len()],
                "packet {} (bytes {from}..) at {now}",
                self.sends
            );
            self.sent.extend_from_slice(&data);
            let delay = match self.acks {
                Acks::AtOnce => 0,
                Acks::After(delays) => delays[self.sends % delays.len()],
            };
            self.sends += 1;
            self.in_flight = Some(now + Duration::from_micros(u64::from(delay)));
        }
    }

    /// PT-2, PT-4 at `now`, all of its input taken: passthrough exactly
    /// when the model says; while nothing is in flight, no full packet
    /// waiting and no byte proven data 20 ms ago unsent; and a wake-up no
    /// later than the next deadline.
    fn check(&self) {
        let now = self.d.now;
        let plan = &self.plan;
        assert_eq!(
            self.d.m.is_passthrough(),
            plan.in_passthrough(now),
            "passthrough at {now}"
        );
        // Decisions that wait for silence: judge them as if no more input
        // came (the module cannot know better).
        let undecided = plan.released_by(now) < plan.arrived_by(now)
            || plan
                .escapes
                .iter()
                .any(|&(first, at)| first <= now && now < at);
        let silent;
        let view = if undecided {
            let arrived = self.plan.arrivals.partition_point(|a| a.0 <= now);
            silent = Plan::new(self.start, &self.pieces[..arrived]);
            &silent
        } else {
            plan
        };
        let wake = self.d.m.poll_timeout();
        let wakes_by = |deadline: Instant, why: &str| {
            assert!(
                wake.is_some_and(|w| w <= deadline),
                "at {now}: wake-up {wake:?} later than {deadline} ({why})"
            );
        };
        for &(first, at) in &view.escapes {
            if first <= now && now < at {
                wakes_by(at, "escape");
            }
        }
        if self.in_flight.is_some() {
            return;
        }
        let unsent = plan.released_by(now) - self.sent.len();
        assert!(
            unsent < SEED.packet_max,
            "at {now}: {unsent} bytes waiting, nothing in flight"
        );
        let next = self.sent.len();
        if let Some(&release) = view.release.get(next).filter(|_| view.arrival[next] <= now) {
            let due = release + SEED.flush_after;
            assert!(
                due > now,
                "at {now}: byte {next} proven data at {release} still unsent"
            );
            wakes_by(due, "flush");
        }
    }

    /// Everything is over: every data byte went out once, in order.
    fn finish(self) {
        assert_eq!(self.arrived, self.pieces.len());
        assert_eq!(self.sent.len(), self.plan.data.len(), "bytes sent");
        assert_eq!(self.d.m.dropped(), 0);
        assert!(self.d.net.is_empty());
    }
}

/// A CRLF cut between its CR and LF: the LF ends `AT+CIPSEND` and is no
/// passthrough data (G-1, PT-2).
#[test]
fn passthrough_with_its_crlf_cut_in_two_takes_no_lf() {
    let mut d = Driver::booted();
    assert_eq!(d.cmd("AT+CIPMODE=1"), "\r\nOK\r\n");
    let s = d.tcp_link(0, 8080);
    d.send(b"AT+CIPSEND\r");
    assert_eq!(d.take_text(), "\r\n>");
    d.send(b"\nabc");
    d.wait(SEED.flush_after);
    let want = NetCommand::Send {
        socket: s,
        data: crate::Bytes::from_static(b"abc"),
        to: None,
    };
    assert_eq!(d.net.drain(..).collect::<Vec<_>>(), [want]);
}

/// A gap between pieces, dense around the 20 ms guard and the 1 s of
/// PT-5.
fn gap() -> impl Strategy<Value = Duration> {
    prop_oneof![
        3 => Just(0u64),
        3 => 1..20_000u64,
        3 => prop::sample::select(&[19_999u64, 20_000, 20_001][..]),
        3 => 20_001..60_000u64,
        1 => 60_000..1_100_000u64,
        1 => prop::sample::select(&[999_999u64, 1_000_000, 1_000_001][..]),
    ]
    .prop_map(Duration::from_micros)
}

/// Pieces that hold an escape, or almost, or a command: data in
/// passthrough, unanswered in the second after an escape (PT-5).
const TRAPS: &[&[u8]] = &[
    b"+++",
    b"a+++",
    b"+++b",
    b"++++",
    b"\r\n+++",
    b"AT\r\n",
    b"AT+CIPSEND\r\n",
];

fn piece() -> impl Strategy<Value = Piece> {
    let bytes = prop_oneof![
        4 => (1..=3usize).prop_map(|n| vec![b'+'; n]),
        3 => data_bytes(1..32),
        1 => data_bytes(32..=SEED.uart_piece),
        // Pairs that make exactly one packet (PT-2).
        1 => prop::sample::select(&[436usize, 460, 730, 1000, 1024][..]).prop_flat_map(data_bytes),
        1 => prop::sample::select(TRAPS).prop_map(<[u8]>::to_vec),
    ];
    let peer = prop::option::weighted(0.1, data_bytes(1..64));
    (gap(), bytes, peer).prop_map(|(gap, bytes, peer)| Piece {
        gap,
        bytes: bytes.into(),
        peer: peer.map(Bytes),
    })
}

/// Up to 40 pieces, at most a passthrough buffer's worth in all, so that
/// nothing is ever dropped (PT-7 is tested on its own).
fn pieces() -> impl Strategy<Value = Vec<Piece>> {
    prop::collection::vec(piece(), 1..40).prop_map(|mut pieces| {
        let mut total = 0;
        pieces.retain(|p| {
            total += p.bytes.len();
            total <= SEED.passthrough_buffer
        });
        pieces
    })
}

fn acks() -> impl Strategy<Value = Acks> {
    prop::collection::vec(0..=30_000u32, 1..8).prop_map(Acks::After)
}

proptest! {
    #![proptest_config(config(2048))]

    /// 2048 cases: random pieces and gaps, `+` runs with and without their
    /// guard times, the peer's data now and then (PT-3: raw), the network
    /// accepting each packet 0–30 ms later. Each data byte is sent once,
    /// in order, in packets of at most 1460, none later than 20 ms after
    /// it was proven data while nothing is in flight, a full packet at
    /// once; the escape is recognised exactly when PT-4 says, silently,
    /// and input in the next second is dropped.
    #[test]
    fn passthrough_follows_the_model(pieces in pieces(), acks in acks()) {
        Run::new(&pieces, &acks).run();
    }
}

proptest! {
    #![proptest_config(config(1024))]

    /// 1024 cases as above with a network that accepts every packet at
    /// once.
    #[test]
    fn passthrough_follows_the_model_on_a_fast_network(pieces in pieces()) {
        Run::new(&pieces, &Acks::AtOnce).run();
    }
}
