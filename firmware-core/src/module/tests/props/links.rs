//! Random CIPSTART, CIPCLOSE, CIPMUX and CIPMODE sequences with random
//! network answers, against a model of the link table (SS-2, SS-6, SS-8,
//! SS-9, SS-10, CL-1, CL-3, MX-2, MX-3, MD-2, ST-1, ST-2, RX-2, G-6, G-7).

use alloc::collections::BTreeSet;
use alloc::string::ToString;

use super::*;
use crate::net::CloseReason;

#[derive(Debug, Clone)]
enum Op {
    /// CIPSTART of a client, or with `server` of a server on that local
    /// port (SS-8).
    Start {
        id: u8,
        udp: bool,
        port: u16,
        server: Option<u16>,
    },
    Close(u8),
    Mux(u8),
    Mode(u8),
    Status,
    /// The network answers the CIPSTART in progress, if any.
    Answer(Answer),
    /// Time passes (the connect timeout is 5 s).
    Wait(Duration),
    /// The peer ends the `n`th open link (counting modulo the open ones).
    PeerCloses(usize),
    /// A client connects to the `n`th listening link.
    Accept(usize),
    /// A late event for a socket the module gave up on.
    Stale(usize, Late),
}

#[derive(Debug, Clone, Copy)]
enum Answer {
    Opened,
    Failed,
    Closed,
}

#[derive(Debug, Clone, Copy)]
enum Late {
    Opened,
    Closed,
    Sent,
    Accepted,
}

fn op() -> impl Strategy<Value = Op> {
    let id = prop_oneof![6 => 0..5u8, 1 => 5..7u8];
    let server = prop::option::weighted(0.25, 80..82u16);
    let answer = prop_oneof![
        4 => Just(Answer::Opened),
        1 => Just(Answer::Failed),
        1 => Just(Answer::Closed),
    ];
    let late = prop::sample::select(&[Late::Opened, Late::Closed, Late::Sent, Late::Accepted][..]);
    prop_oneof![
        6 => (id.clone(), any::<bool>(), 1..4u16, server)
            .prop_map(|(id, udp, port, server)| Op::Start { id, udp, port, server }),
        3 => id.prop_map(Op::Close),
        2 => prop_oneof![2 => Just(1u8), 1 => 0..3u8].prop_map(Op::Mux),
        1 => (0..2u8).prop_map(Op::Mode),
        2 => Just(Op::Status),
        6 => answer.prop_map(Op::Answer),
        1 => prop::sample::select(&[1u64, 2500, 4999, 5000][..])
            .prop_map(|ms| Op::Wait(Duration::from_millis(ms))),
        1 => any::<usize>().prop_map(Op::PeerCloses),
        1 => any::<usize>().prop_map(Op::Accept),
        1 => (any::<usize>(), late).prop_map(|(i, e)| Op::Stale(i, e)),
    ]
}

/// A link in the model: open, or (a TCP server) listening.
#[derive(Debug, Clone, Copy)]
struct Link {
    socket: SocketId,
    udp: bool,
    /// The peer (CIPSTATUS's remote), or CIPSTART's remote before a
    /// server's peer connects.
    remote: SocketAddrV4,
    local_port: u16,
    server: bool,
    listening: bool,
}

/// The CIPSTART waiting for the network.
#[derive(Debug, Clone, Copy)]
struct Pending {
    id: u8,
    link: Link,
    deadline: Instant,
}

/// What the link table must look like.
#[derive(Debug, Default)]
struct Model {
    mux: bool,
    passthrough: bool,
    links: [Option<Link>; 5],
    pending: Option<Pending>,
    /// Unsolicited lines held while CIPSTART runs (G-7).
    held: String,
    /// Every socket the module ever named, and those it is done with.
    named: BTreeSet<SocketId>,
    dead: Vec<SocketId>,
}

impl Model {
    fn any_open(&self) -> bool {
        self.links.iter().any(Option::is_some)
    }

    /// A final result, and the lines it releases.
    fn result(&mut self, word: &str) -> String {
        alloc::format!("\r\n{word}\r\n{}", core::mem::take(&mut self.held))
    }

    fn ok_if(&mut self, ok: bool) -> String {
        self.result(if ok { "OK" } else { "ERROR" })
    }

    /// `CLOSED` or `CONNECT` for link `id` (RX-2): out at once, or held
    /// while a command runs.
    fn urc(&mut self, id: usize, word: &str) -> String {
        self.held += &if self.mux {
            alloc::format!("{id},{word}\r\n")
        } else {
            alloc::format!("{word}\r\n")
        };
        if self.pending.is_none() {
            core::mem::take(&mut self.held)
        } else {
            String::new()
        }
    }

    /// CIPSTART's verdict before the network is asked (SS-2, SS-8, SS-9,
    /// SS-10).
    fn may_start(&self, id: u8, server: Option<u16>) -> bool {
        let port_free =
            server.is_none_or(|p| self.links.iter().flatten().all(|l| l.local_port != p));
        id < SEED.links
            && self.links[usize::from(id)].is_none()
            && (self.mux || !self.any_open())
            && port_free
    }

    /// ST-1, ST-2: one line per link, in ID order.
    fn status(&self) -> String {
        let mut lines = String::new();
        for l in self.links.iter().flatten() {
            lines += &alloc::format!(
                "+BIPSTATUS:{},{},{},{},{}\r\n",
                u8::from(l.udp),
                l.remote.ip(),
                l.remote.port(),
                l.local_port,
                u8::from(l.server)
            );
        }
        lines
    }
}

/// The command a CIPSTART asks of the network, and its socket.
fn opening(c: &NetCommand, link: &Link) -> Option<SocketId> {
    match *c {
        NetCommand::Connect {
            socket,
            remote,
            keepalive: None,
        } if !link.udp && !link.server && remote == link.remote => Some(socket),
        NetCommand::Listen {
            socket,
            local_port,
            keepalive: None,
        } if !link.udp && link.server && local_port == link.local_port => Some(socket),
        NetCommand::Bind { socket, local_port }
            if link.udp && local_port == if link.server { link.local_port } else { 0 } =>
        {
            Some(socket)
        }
        _ => None,
    }
}

/// Runs `op` on the module and the model; checks the reply, the network
/// commands and the table.
fn step(d: &mut Driver, model: &mut Model, op: &Op) {
    let busy = "busy p...\r\n".to_string();
    let mut closes = Vec::new();
    let mut opens = None;
    let (out, want) = match *op {
        Op::Start {
            id,
            udp,
            port,
            server,
        } => {
            let kind = if udp { "UDP" } else { "TCP" };
            let mut line = alloc::format!("AT+CIPSTART={id},\"{kind}\",\"{PEER}\",{port}");
            if let Some(local) = server {
                line += &alloc::format!(",0,{local},\"0.0.0.0\"");
            }
            let out = d.cmd(&line);
            let want = if model.pending.is_some() {
                busy
            } else if model.may_start(id, server) {
                opens = Some((
                    id,
                    Link {
                        socket: SocketId(u32::MAX),
                        udp,
                        remote: SocketAddrV4::new(PEER, port),
                        local_port: server.unwrap_or(0),
                        server: server.is_some(),
                        listening: server.is_some() && !udp,
                    },
                ));
                String::new()
            } else {
                model.result("ERROR")
            };
            (out, want)
        }
        Op::Close(id) => {
            let out = d.cmd(&alloc::format!("AT+CIPCLOSE={id}"));
            let want = if model.pending.is_some() {
                busy
            } else if id == SEED.links {
                // CL-1: all links, also when none is open.
                for slot in &mut model.links {
                    if let Some(l) = slot.take() {
                        closes.push(l.socket);
                    }
                }
                model.result("OK")
            } else if let Some(l) = model.links.get_mut(usize::from(id)).and_then(Option::take) {
                closes.push(l.socket);
                model.result("OK")
            } else {
                model.result("ERROR")
            };
            (out, want)
        }
        Op::Mux(v) => {
            let out = d.cmd(&alloc::format!("AT+CIPMUX={v}"));
            let want = if model.pending.is_some() {
                busy
            } else {
                let on = v == 1;
                // MX-2: a change only while no link is open; MX-3: not
                // to 1 with CIPMODE=1.
                let change_refused = model.any_open() || (on && model.passthrough);
                let ok = v <= 1 && (on == model.mux || !change_refused);
                if ok {
                    model.mux = on;
                }
                model.ok_if(ok)
            };
            (out, want)
        }
        Op::Mode(v) => {
            let out = d.cmd(&alloc::format!("AT+CIPMODE={v}"));
            let want = if model.pending.is_some() {
                busy
            } else {
                // MD-2.
                let ok = !(v == 1 && model.mux);
                if ok {
                    model.passthrough = v == 1;
                }
                model.ok_if(ok)
            };
            (out, want)
        }
        Op::Status => {
            let out = d.cmd("AT+CIPSTATUS?");
            let want = if model.pending.is_some() {
                busy
            } else {
                model.status() + &model.result("OK")
            };
            (out, want)
        }
        Op::Answer(answer) => {
            let Some(p) = model.pending.take() else {
                return;
            };
            let socket = p.link.socket;
            let ok = match answer {
                Answer::Opened => {
                    let mut link = p.link;
                    if !link.server {
                        // A client's ephemeral port.
                        link.local_port = 50000 + socket.0 as u16;
                    }
                    d.event(NetEvent::Opened {
                        socket,
                        local_port: link.local_port,
                    });
                    model.links[usize::from(p.id)] = Some(link);
                    true
                }
                Answer::Failed => {
                    d.event(NetEvent::Failed { socket });
                    false
                }
                Answer::Closed => {
                    d.event(NetEvent::Closed {
                        socket,
                        reason: CloseReason::Reset,
                    });
                    false
                }
            };
            if !ok {
                // SS-6: the link stays free.
                model.dead.push(socket);
            }
            (d.take_text(), model.ok_if(ok))
        }
        Op::Wait(by) => {
            d.wait(by);
            let want = match model.pending {
                Some(p) if p.deadline <= d.now => {
                    // SS-6: not connected in time.
                    model.pending = None;
                    closes.push(p.link.socket);
                    model.result("ERROR")
                }
                _ => String::new(),
            };
            (d.take_text(), want)
        }
        Op::PeerCloses(n) => {
            let open: Vec<usize> = (0..5).filter(|&i| model.links[i].is_some()).collect();
            if open.is_empty() {
                return;
            }
            let id = open[n % open.len()];
            let Some(l) = model.links[id].take() else {
                return;
            };
            d.event(NetEvent::Closed {
                socket: l.socket,
                reason: CloseReason::Peer,
            });
            model.dead.push(l.socket);
            (d.take_text(), model.urc(id, "CLOSED"))
        }
        Op::Accept(n) => {
            let listening: Vec<usize> = (0..5)
                .filter(|&i| model.links[i].is_some_and(|l| l.listening))
                .collect();
            let Some(&id) = listening.get(n % listening.len().max(1)) else {
                return;
            };
            let Some(l) = model.links[id].as_mut() else {
                return;
            };
            // SS-8: the first client becomes the link's peer.
            l.listening = false;
            l.remote = SocketAddrV4::new(PEER, 40000 + id as u16);
            let (socket, remote) = (l.socket, l.remote);
            d.event(NetEvent::Accepted { socket, remote });
            (d.take_text(), model.urc(id, "CONNECT"))
        }
        Op::Stale(n, late) => {
            if model.dead.is_empty() {
                return;
            }
            let socket = model.dead[n % model.dead.len()];
            d.event(match late {
                Late::Opened => NetEvent::Opened {
                    socket,
                    local_port: 1,
                },
                Late::Closed => NetEvent::Closed {
                    socket,
                    reason: CloseReason::Error,
                },
                Late::Sent => NetEvent::Sent { socket },
                Late::Accepted => NetEvent::Accepted {
                    socket,
                    remote: SocketAddrV4::new(PEER, 1),
                },
            });
            (d.take_text(), String::new())
        }
    };
    assert_eq!(out, want, "reply to {op:?}, model {model:?}");
    // The network commands: one fresh socket per CIPSTART, a Close for
    // every link the host or the timeout ended.
    let mut net: Vec<NetCommand> = d.net.drain(..).collect();
    if let Some((id, mut link)) = opens {
        let first = (!net.is_empty()).then(|| net.remove(0));
        let socket = first.as_ref().and_then(|c| opening(c, &link));
        let Some(socket) = socket else {
            panic!("{op:?}: expected the link's socket, got {first:?}");
        };
        assert!(model.named.insert(socket), "socket {socket} reused");
        link.socket = socket;
        model.pending = Some(Pending {
            id,
            link,
            deadline: d.now + SEED.connect_timeout,
        });
    }
    let want: Vec<NetCommand> = closes
        .iter()
        .map(|&socket| NetCommand::Close { socket })
        .collect();
    assert_eq!(net, want, "network commands of {op:?}");
    model.dead.extend(closes);
    // The table: at most five, one socket per ID.
    let opening = usize::from(model.pending.is_some());
    let open = model.links.iter().flatten().count();
    assert_eq!(d.m.usage().links, open + opening);
    assert!(open + opening <= usize::from(SEED.links));
    let sockets: BTreeSet<SocketId> = model.links.iter().flatten().map(|l| l.socket).collect();
    assert_eq!(sockets.len(), open);
    assert!(sockets.iter().all(|s| !model.dead.contains(s)));
}

proptest! {
    #![proptest_config(config(2048))]

    /// 2048 cases of up to 100 commands and network answers: every reply is
    /// the model's, never more than five links, each link ID on one live
    /// socket, no socket reused, a `Close` for each link ended by the host
    /// or the connect timeout and none for one the network ended.
    #[test]
    fn link_table_follows_the_model(
        mux in any::<bool>(),
        ops in prop::collection::vec(op(), 1..100),
    ) {
        let mut d = Driver::booted();
        let mut model = Model::default();
        if mux {
            step(&mut d, &mut model, &Op::Mux(1));
        }
        for op in &ops {
            step(&mut d, &mut model, op);
        }
        // What CIPSTATUS says at the end.
        step(&mut d, &mut model, &Op::Status);
    }
}
