//! The address map: the module's view of the network (the spec's
//! 192.168.0.N addresses) on one side, the host's sockets on the other.
//!
//! Every address the core names on its way out (a connect, a datagram's
//! destination, a ping) goes through [`Map::outward`]; every address the OS
//! reports on its way in (a datagram's sender, an accepted peer) goes
//! through [`Map::inward`]. The core never sees a host address, so its
//! transcripts read as they do in the simulator.
//!
//! A rule maps a network to a network of the same size (`192.168.0.0/24 =
//! 127.0.0.0/24`: 192.168.0.N is 127.0.0.N), optionally for one port on
//! each side (`192.168.0.1:53 = 127.0.0.1:5353`: a DNS server that cannot
//! bind port 53 without root). The most specific rule wins: a rule with
//! ports before one without, then the longer prefix, then the one given
//! first. An address no rule covers is used as it is.

use std::fmt;
use std::net::{Ipv4Addr, SocketAddrV4};
use std::str::FromStr;

/// `ADDR[/LEN][:PORT]`, one side of a rule.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Side {
    net: Ipv4Addr,
    port: Option<u16>,
}

/// One rule: `from` (the module's view) = `to` (the host's sockets).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Rule {
    from: Side,
    to: Side,
    /// Prefix length, the same on both sides.
    len: u8,
}

impl Rule {
    fn mask(&self) -> u32 {
        u32::MAX.checked_shl(32 - u32::from(self.len)).unwrap_or(0)
    }

    /// `a` seen from `from`'s side, moved to `to`'s; `None` if the rule
    /// does not cover it.
    fn apply(&self, from: Side, to: Side, a: SocketAddrV4) -> Option<SocketAddrV4> {
        let mask = self.mask();
        let ip = u32::from(*a.ip());
        if ip & mask != u32::from(from.net) & mask {
            return None;
        }
        let port = match (from.port, to.port) {
            (Some(p), Some(q)) if p == a.port() => q,
            (Some(_), _) => return None,
            _ => a.port(),
        };
        let ip = (u32::from(to.net) & mask) | (ip & !mask);
        Some(SocketAddrV4::new(Ipv4Addr::from(ip), port))
    }
}

/// Why a rule did not parse.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct RuleError(String);

impl fmt::Display for RuleError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for RuleError {}

fn side(text: &str) -> Result<(Side, u8), RuleError> {
    let bad = |what: &str| RuleError(format!("{what} in {text:?}"));
    let (rest, port) = match text.split_once(':') {
        Some((rest, port)) => (rest, Some(port.parse().map_err(|_| bad("bad port"))?)),
        None => (text, None),
    };
    let (ip, len) = match rest.split_once('/') {
        Some((ip, len)) => (ip, len.parse().map_err(|_| bad("bad prefix length"))?),
        None => (rest, 32),
    };
    if len > 32 {
        return Err(bad("prefix length over 32"));
    }
    let net = ip.parse().map_err(|_| bad("bad IPv4 address"))?;
    Ok((Side { net, port }, len))
}

impl FromStr for Rule {
    type Err = RuleError;

    /// `FROM=TO`, each `ADDR[/LEN][:PORT]`: `192.168.0.0/24=127.0.0.0/24`,
    /// `192.168.0.1:53=127.0.0.1:5353`.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let (from, to) = s
            .split_once('=')
            .ok_or_else(|| RuleError(format!("{s:?} is not FROM=TO")))?;
        let ((from, len), (to, to_len)) = (side(from)?, side(to)?);
        if len != to_len {
            return Err(RuleError(format!(
                "{s:?}: both sides need the same prefix length"
            )));
        }
        if from.port.is_some() != to.port.is_some() {
            return Err(RuleError(format!(
                "{s:?}: give a port on both sides or on neither"
            )));
        }
        Ok(Rule { from, to, len })
    }
}

impl fmt::Display for Rule {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let side = |f: &mut fmt::Formatter<'_>, s: Side| {
            write!(f, "{}/{}", s.net, self.len)?;
            match s.port {
                Some(p) => write!(f, ":{p}"),
                None => Ok(()),
            }
        };
        side(f, self.from)?;
        f.write_str("=")?;
        side(f, self.to)
    }
}

/// The rules, most specific first.
#[derive(Debug, Clone)]
pub(crate) struct Map {
    rules: Vec<Rule>,
}

impl Map {
    /// A map of `rules`; earlier ones win ties.
    pub(crate) fn new(mut rules: Vec<Rule>) -> Self {
        // Stable: among equally specific rules the first given wins.
        rules.sort_by_key(|r| (r.from.port.is_none(), std::cmp::Reverse(r.len)));
        Map { rules }
    }

    /// A rule that sends the module's `server:53` to the host's
    /// `outward(server):port` (`--dns-port`).
    pub(crate) fn port_rule(&self, server: Ipv4Addr, port: u16, host_port: u16) -> Rule {
        Rule {
            from: Side {
                net: server,
                port: Some(port),
            },
            to: Side {
                net: self.outward_ip(server),
                port: Some(host_port),
            },
            len: 32,
        }
    }

    /// Where the host sends what the module sends to `a`.
    pub(crate) fn outward(&self, a: SocketAddrV4) -> SocketAddrV4 {
        self.rules
            .iter()
            .find_map(|r| r.apply(r.from, r.to, a))
            .unwrap_or(a)
    }

    /// How the module sees the host's address `a`.
    pub(crate) fn inward(&self, a: SocketAddrV4) -> SocketAddrV4 {
        self.rules
            .iter()
            .find_map(|r| r.apply(r.to, r.from, a))
            .unwrap_or(a)
    }

    /// The host address of the module's `ip`, by the rules without ports
    /// (its own address, a ping's destination).
    pub(crate) fn outward_ip(&self, ip: Ipv4Addr) -> Ipv4Addr {
        self.rules
            .iter()
            .filter(|r| r.from.port.is_none())
            .find_map(|r| r.apply(r.from, r.to, SocketAddrV4::new(ip, 0)))
            .map_or(ip, |a| *a.ip())
    }

    /// The rules in the order they are tried.
    pub(crate) fn rules(&self) -> &[Rule] {
        &self.rules
    }
}

/// Module-side addresses where nothing answers: the lab's unused
/// addresses. A connection attempt there hangs (the core's own timeout
/// ends it), datagrams and pings vanish. A loopback lab cannot get this
/// from the OS (every 127.x address answers and refuses), so the test
/// harness asks for it on stdin (`drop IP`, see `stop.rs`).
#[derive(Debug, Clone, Default)]
pub(crate) struct Silent(std::sync::Arc<std::sync::Mutex<std::collections::BTreeSet<Ipv4Addr>>>);

impl Silent {
    pub(crate) fn add(&self, ip: Ipv4Addr) {
        if let Ok(mut set) = self.0.lock() {
            set.insert(ip);
        }
    }

    pub(crate) fn contains(&self, ip: Ipv4Addr) -> bool {
        self.0.lock().is_ok_and(|set| set.contains(&ip))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn a(s: &str) -> SocketAddrV4 {
        s.parse().unwrap()
    }

    fn default_map() -> Map {
        Map::new(vec!["192.168.0.0/24=127.0.0.0/24".parse().unwrap()])
    }

    #[test]
    fn subnet_maps_both_ways() {
        let m = default_map();
        assert_eq!(m.outward(a("192.168.0.103:20108")), a("127.0.0.103:20108"));
        assert_eq!(m.inward(a("127.0.0.103:20108")), a("192.168.0.103:20108"));
        assert_eq!(
            m.outward_ip(Ipv4Addr::new(192, 168, 0, 107)),
            Ipv4Addr::new(127, 0, 0, 107)
        );
    }

    #[test]
    fn unmapped_addresses_pass_unchanged() {
        let m = default_map();
        assert_eq!(m.outward(a("1.1.1.1:53")), a("1.1.1.1:53"));
        assert_eq!(m.inward(a("127.0.1.5:7")), a("127.0.1.5:7"));
    }

    #[test]
    fn a_port_rule_wins_over_its_subnet_in_both_directions() {
        let mut m = default_map();
        let dns = m.port_rule([192, 168, 0, 1].into(), 53, 5353);
        m = Map::new([m.rules().to_vec(), vec![dns]].concat());
        assert_eq!(m.outward(a("192.168.0.1:53")), a("127.0.0.1:5353"));
        assert_eq!(m.inward(a("127.0.0.1:5353")), a("192.168.0.1:53"));
        // Other ports of the same host still follow the subnet.
        assert_eq!(m.outward(a("192.168.0.1:80")), a("127.0.0.1:80"));
        assert_eq!(m.inward(a("127.0.0.1:53")), a("192.168.0.1:53"));
    }

    #[test]
    fn a_longer_prefix_wins_and_single_hosts_parse() {
        let m = Map::new(vec![
            "192.168.0.0/24=127.0.0.0/24".parse().unwrap(),
            "208.67.222.222=127.0.0.222".parse().unwrap(),
        ]);
        assert_eq!(m.outward(a("208.67.222.222:53")), a("127.0.0.222:53"));
        assert_eq!(m.rules()[0].to_string(), "208.67.222.222/32=127.0.0.222/32");
    }

    #[test]
    fn bad_rules_are_refused() {
        for bad in [
            "192.168.0.0/24",
            "192.168.0.0/24=127.0.0.0/16",
            "192.168.0.1:53=127.0.0.1",
            "192.168.0.0/33=127.0.0.0/33",
            "192.168.0.x=127.0.0.1",
            "192.168.0.1:99999=127.0.0.1:1",
        ] {
            assert!(bad.parse::<Rule>().is_err(), "{bad}");
        }
    }

    #[test]
    fn a_zero_prefix_maps_everything() {
        let m = Map::new(vec!["0.0.0.0/0=0.0.0.0/0".parse().unwrap()]);
        assert_eq!(m.outward(a("10.1.2.3:4")), a("10.1.2.3:4"));
    }
}
