//! The invariants, as functions of what a run observed: each can be fed
//! made-up observations, and the tests below make each one fail.

use std::fmt;
use std::net::Ipv4Addr;
use std::time::Duration;

use firmware_core::Settings;

/// Something a seed showed that must not happen.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Finding {
    /// Which check: `panic`, `hang`, `memory`, `integrity`, `status`,
    /// `network`, `settings`, `reply`, `determinism`.
    pub check: &'static str,
    /// Simulated time it was seen at, if it has one.
    pub at: Option<Duration>,
    /// What was wrong.
    pub detail: String,
}

impl Finding {
    /// A finding of `check`.
    pub fn new(check: &'static str, at: Option<Duration>, detail: impl Into<String>) -> Self {
        Finding {
            check,
            at,
            detail: detail.into(),
        }
    }
}

impl fmt::Display for Finding {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.at {
            Some(at) => write!(
                f,
                "[{}] at {:.3} s: {}",
                self.check,
                at.as_secs_f64(),
                self.detail
            ),
            None => write!(f, "[{}] {}", self.check, self.detail),
        }
    }
}

/// Sends shorter than this are not checked for duplicates: a few random
/// bytes may well appear twice in a stream by chance.
pub const UNIQUE_LEN: usize = 16;

/// A CIPSEND the module acknowledged with `SEND OK`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Acked {
    /// The link ID.
    pub link: u32,
    /// The peer whose stream must hold the bytes (an index into the
    /// `received` streams given to [`integrity`]).
    pub target: usize,
    /// Which connection of the link (its opening): order holds within
    /// one connection, not between two to the same peer.
    pub conn: u64,
    /// The bytes.
    pub data: Vec<u8>,
    /// When `SEND OK` came.
    pub at: Duration,
    /// The module reported the link closed after this `SEND OK`.
    pub closed_reported: bool,
    /// A fault that may have lost the bytes after `SEND OK` (the peer
    /// crashed, the module lost power, ...).
    pub lost: Option<&'static str>,
}

impl Acked {
    /// Why missing bytes are no finding, if they are not.
    fn excuse(&self) -> Option<&'static str> {
        match (self.closed_reported, self.lost) {
            (_, Some(fault)) => Some(fault),
            (true, None) => Some("link reported CLOSED"),
            (false, None) => None,
        }
    }
}

fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    match needle.len() {
        0 => Some(0),
        n => hay.windows(n).position(|w| w == needle),
    }
}

fn count(hay: &[u8], needle: &[u8]) -> usize {
    let (mut n, mut from) = (0, 0);
    while let Some(i) = find(&hay[from..], needle) {
        n += 1;
        from += i + needle.len().max(1);
    }
    n
}

/// Every acknowledged send reaches its peer exactly once and in order
/// with the other acknowledged sends on its connection, unless excused (the
/// link was reported closed, or a fault hit it: then it may be missing,
/// never duplicated or out of order). `received[t]` is peer `t`'s stream:
/// its connections' bytes as they arrived, so two connections' bytes may
/// interleave.
pub fn integrity(sends: &[Acked], received: &[Vec<u8>]) -> Vec<Finding> {
    let mut out = Vec::new();
    let mut conns: Vec<(usize, u64)> = sends.iter().map(|s| (s.target, s.conn)).collect();
    conns.sort_unstable();
    conns.dedup();
    for (t, conn) in conns {
        let Some(stream) = received.get(t) else {
            continue;
        };
        let mut pos = 0;
        for s in sends.iter().filter(|s| s.target == t && s.conn == conn) {
            let what = |how: String| {
                let head = &s.data[..s.data.len().min(12)];
                let text = format!(
                    "{} bytes sent on link {} ({}...), acknowledged with SEND OK: {how}",
                    s.data.len(),
                    s.link,
                    head.escape_ascii()
                );
                Finding::new("integrity", Some(s.at), text)
            };
            if s.data.len() >= UNIQUE_LEN {
                let n = count(stream, &s.data);
                if n > 1 {
                    out.push(what(format!("arrived {n} times at its peer")));
                }
            }
            match find(&stream[pos..], &s.data) {
                Some(i) => pos += i + s.data.len(),
                // A short send may match anywhere by chance: only a long
                // one found earlier is known to be out of order.
                None if s.data.len() >= UNIQUE_LEN && find(stream, &s.data).is_some() => out.push(
                    what("arrived before bytes acknowledged ahead of it (out of order)".into()),
                ),
                None => match s.excuse() {
                    Some(_) => {}
                    None => out.push(what(format!(
                        "never arrived (its peer has {} bytes), and no CLOSED or fault excuses it",
                        stream.len()
                    ))),
                },
            }
        }
    }
    out
}

/// One `+BIPSTATUS` line (ST-1, ST-2).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StatusLine {
    /// 0 TCP, 1 UDP (2, 3: TLS, DTLS).
    pub kind: u8,
    /// The remote address.
    pub remote: Ipv4Addr,
    /// The remote port.
    pub port: u16,
    /// A server link (tetype 1).
    pub server: bool,
}

/// Parses a `+BIPSTATUS:<type>,<ip>,<port>,<localport>,<tetype>` line.
pub fn parse_status(line: &[u8]) -> Option<StatusLine> {
    let text = std::str::from_utf8(line.strip_prefix(b"+BIPSTATUS:")?).ok()?;
    let f: Vec<&str> = text.split(',').collect();
    let [kind, ip, port, _local, tetype] = f[..] else {
        return None;
    };
    Some(StatusLine {
        kind: kind.parse().ok()?,
        remote: ip.parse().ok()?,
        port: port.parse().ok()?,
        server: tetype == "1",
    })
}

/// What the host expects a link's status line to be (`None`: any).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Expected {
    /// The link ID (for the message).
    pub id: u32,
    /// 0 TCP, 1 UDP.
    pub kind: u8,
    /// A server link.
    pub server: bool,
    /// The remote address, when the host knows it.
    pub remote: Option<Ipv4Addr>,
    /// The remote port, when the host knows it.
    pub port: Option<u16>,
}

impl Expected {
    fn matches(&self, l: &StatusLine) -> bool {
        self.kind == l.kind
            && self.server == l.server
            && self.remote.is_none_or(|r| r == l.remote)
            && self.port.is_none_or(|p| p == l.port)
    }
}

/// `AT+CIPSTATUS?` agrees with what the module said before (OK to
/// CIPSTART and CIPCLOSE, CONNECT and CLOSED lines): the open links, in
/// ascending ID.
pub fn status(expected: &[Expected], module: &[StatusLine]) -> Option<String> {
    let same =
        expected.len() == module.len() && expected.iter().zip(module).all(|(e, l)| e.matches(l));
    (!same).then(|| {
        let want: Vec<String> = expected
            .iter()
            .map(|e| {
                let remote = e.remote.map_or("*".into(), |r| r.to_string());
                let port = e.port.map_or("*".into(), |p| p.to_string());
                let server = u8::from(e.server);
                format!("link {}: {},{remote},{port},{server}", e.id, e.kind)
            })
            .collect();
        let got: Vec<String> = module
            .iter()
            .map(|l| format!("{},{},{},{}", l.kind, l.remote, l.port, u8::from(l.server)))
            .collect();
        format!(
            "CIPSTATUS lists [{}], but the module's replies and URCs left [{}] open",
            got.join("; "),
            want.join("; ")
        )
    })
}

/// A TCP peer's view: where it is and how many connections it holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PeerView {
    /// Its address.
    pub ip: Ipv4Addr,
    /// Its port (a client's: `None`, it connects from an ephemeral one).
    pub port: Option<u16>,
    /// Connections it holds open.
    pub open: usize,
}

/// The module's TCP links agree with the network: each peer holds as many
/// connections as the module lists to it. A peer may hold more only where
/// the module lost power (`half_open`: a connection it never closed).
pub fn network(module: &[StatusLine], peers: &[PeerView], half_open: bool) -> Vec<Finding> {
    let mut out = Vec::new();
    for p in peers {
        let listed = module
            .iter()
            .filter(|l| l.kind == 0 && l.remote == p.ip && p.port.is_none_or(|port| port == l.port))
            .count();
        let at = match p.port {
            Some(port) => format!("{}:{port}", p.ip),
            None => format!("the client at {}", p.ip),
        };
        if listed > p.open {
            out.push(Finding::new(
                "network",
                None,
                format!(
                    "CIPSTATUS lists {listed} TCP links to {at}, which holds {} open",
                    p.open
                ),
            ));
        } else if listed < p.open && !half_open {
            out.push(Finding::new(
                "network",
                None,
                format!(
                    "{at} holds {} connections, CIPSTATUS lists {listed}",
                    p.open
                ),
            ));
        }
    }
    out
}

/// B-6: what the flash holds is the settings last acknowledged with `OK`,
/// or those of a store command not yet answered when power went.
pub fn settings(flash: &Settings, acked: &Settings, pending: Option<&Settings>) -> Option<String> {
    let ok = flash == acked || pending == Some(flash);
    (!ok).then(|| {
        format!("the flash holds {flash:?}; acknowledged: {acked:?}, not yet answered: {pending:?}")
    })
}

/// The whole world's heap stays within `bound` bytes above where it started.
pub fn memory(peak_above_start: usize, bound: usize) -> Option<String> {
    (peak_above_start > bound).then(|| {
        format!("heap peaked {peak_above_start} bytes above the seed's start (bound {bound})")
    })
}

/// The module held at most `bound` bytes at once.
pub fn module_memory(peak: usize, bound: usize) -> Option<String> {
    (peak > bound).then(|| {
        format!("the module held {peak} bytes of heap at once (its dialect's bound: {bound})")
    })
}

/// No block the module made outlived its world.
pub fn module_leak(left: usize) -> Option<String> {
    (left > 0).then(|| format!("{left} bytes the module allocated outlived its world (a leak)"))
}

/// Two runs of one seed gave the same transcript.
pub fn same_transcript(a: &str, b: &str) -> Option<String> {
    if a == b {
        return None;
    }
    let (la, lb): (Vec<&str>, Vec<&str>) = (a.lines().collect(), b.lines().collect());
    let i = la.iter().zip(&lb).take_while(|(x, y)| x == y).count();
    let line = |l: &[&str]| l.get(i).copied().unwrap_or("(end)").to_string();
    Some(format!(
        "two runs differ at transcript line {}:\n  first:  {}\n  second: {}",
        i + 1,
        line(&la),
        line(&lb)
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn acked(target: usize, data: &[u8], ms: u64) -> Acked {
        Acked {
            link: 0,
            conn: 1,
            target,
            data: data.to_vec(),
            at: Duration::from_millis(ms),
            closed_reported: false,
            lost: None,
        }
    }

    const A: &[u8] = b"AAAAAAAAAAAAAAAAAAAA-first";
    const B: &[u8] = b"BBBBBBBBBBBBBBBBBBBB-second";

    #[test]
    fn integrity_passes_in_order_with_other_bytes_between() {
        let stream = [&b"xx"[..], A, b"passthrough", B].concat();
        assert_eq!(integrity(&[acked(0, A, 1), acked(0, B, 2)], &[stream]), []);
    }

    #[test]
    fn integrity_finds_a_missing_send() {
        let f = integrity(&[acked(0, A, 1), acked(0, B, 2)], &[A.to_vec()]);
        assert_eq!(f.len(), 1, "{f:?}");
        assert!(f[0].detail.contains("never arrived"), "{}", f[0]);
    }

    #[test]
    fn integrity_finds_a_duplicate() {
        let f = integrity(&[acked(0, A, 1)], &[[A, A].concat()]);
        assert!(f.iter().any(|f| f.detail.contains("2 times")), "{f:?}");
    }

    #[test]
    fn integrity_finds_reordered_sends() {
        let f = integrity(&[acked(0, A, 1), acked(0, B, 2)], &[[B, A].concat()]);
        assert!(f.iter().any(|f| f.detail.contains("out of order")), "{f:?}");
    }

    #[test]
    fn integrity_excuses_a_closed_or_faulted_link_but_never_a_duplicate() {
        let mut a = acked(0, A, 1);
        a.closed_reported = true;
        assert_eq!(integrity(&[a.clone()], &[Vec::new()]), []);
        let mut b = acked(0, B, 1);
        b.lost = Some("peer crashed");
        assert_eq!(integrity(&[b], &[Vec::new()]), []);
        assert_eq!(integrity(&[a], &[[A, A].concat()]).len(), 1);
    }

    #[test]
    fn integrity_orders_within_a_connection_not_between_two() {
        let mut b = acked(0, B, 2);
        b.conn = 2;
        assert_eq!(integrity(&[acked(0, A, 1), b], &[[B, A].concat()]), []);
    }

    #[test]
    fn integrity_keeps_peers_apart() {
        let f = integrity(&[acked(1, A, 1)], &[A.to_vec(), Vec::new()]);
        assert_eq!(f.len(), 1, "bytes at another peer do not count");
    }

    #[test]
    fn status_lines_parse_and_compare() {
        let l = parse_status(b"+BIPSTATUS:0,192.168.0.110,2000,49153,0").unwrap();
        assert_eq!((l.kind, l.port, l.server), (0, 2000, false));
        assert_eq!(parse_status(b"+BIPSTATUS:0,1.2.3.4,80"), None);
        let e = Expected {
            id: 0,
            kind: 0,
            server: false,
            remote: Some("192.168.0.110".parse().unwrap()),
            port: Some(2000),
        };
        assert_eq!(status(&[e], &[l]), None);
        assert!(
            status(&[], &[l])
                .unwrap()
                .contains("CIPSTATUS lists [0,192.168.0.110")
        );
        assert!(status(&[e], &[]).is_some(), "a link the module forgot");
        let any = Expected {
            remote: None,
            port: None,
            ..e
        };
        assert_eq!(status(&[any], &[l]), None);
    }

    #[test]
    fn network_finds_links_the_peer_does_not_have_and_the_reverse() {
        let l = parse_status(b"+BIPSTATUS:0,192.168.0.110,2000,49153,0").unwrap();
        let peer = |open| PeerView {
            ip: "192.168.0.110".parse().unwrap(),
            port: Some(2000),
            open,
        };
        assert_eq!(network(&[l], &[peer(1)], false), []);
        assert_eq!(network(&[l], &[peer(0)], false).len(), 1);
        assert_eq!(network(&[], &[peer(1)], false).len(), 1);
        assert_eq!(
            network(&[], &[peer(1)], true),
            [],
            "half-open after power loss"
        );
        assert_eq!(network(&[l], &[peer(0)], true).len(), 1);
    }

    #[test]
    fn settings_old_or_new_never_other() {
        let old = Settings::FACTORY;
        let new = Settings {
            sysstore: false,
            ..Settings::FACTORY
        };
        assert_eq!(settings(&old, &old, None), None);
        assert_eq!(settings(&new, &old, Some(&new)), None);
        assert_eq!(settings(&old, &old, Some(&new)), None);
        assert!(
            settings(&new, &old, None).is_some(),
            "a change nobody acknowledged"
        );
    }

    #[test]
    fn memory_and_determinism() {
        assert_eq!(memory(10, 100), None);
        assert!(memory(101, 100).is_some());
        assert_eq!(same_transcript("a\nb", "a\nb"), None);
        let d = same_transcript("a\nb\nc", "a\nx\nc").unwrap();
        assert!(d.contains("line 2") && d.contains("x"), "{d}");
    }
}
