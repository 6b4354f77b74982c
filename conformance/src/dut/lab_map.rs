//! Where a serial DUT's lab lives: the scenarios' network mapped to this
//! machine's, and the addresses on it that the bench vouches nobody holds.

use std::net::Ipv4Addr;

/// Where the lab's hosts are: the scenarios' network (192.168.0.0/24, the
/// spec's examples) and this machine's addresses for it. The default keeps
/// everything on loopback (`atmodule`'s own default map); a device on a
/// real network needs the test machine to hold the host side's addresses.
///
/// On a real network an address no machine holds is silent, as the
/// scenarios' "no host answers at" needs; only the bench knows which are
/// free, so it names them (`unused=`). Loopback answers at every address.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LabMap {
    /// The scenarios' /24.
    pub scenario: [u8; 3],
    /// This machine's /24 for it.
    pub host: [u8; 3],
    /// Host numbers (the last octet) on the host /24 that nobody holds: a
    /// bit each, so the map stays `Copy`.
    unused: [u64; 4],
}

impl Default for LabMap {
    fn default() -> Self {
        LabMap::new([192, 168, 0], [127, 0, 0])
    }
}

impl std::fmt::Display for LabMap {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.rule())?;
        let [x, y, z] = self.host;
        for n in 0..=255u8 {
            if self.is_unused(n) {
                write!(f, ",unused={x}.{y}.{z}.{n}")?;
            }
        }
        Ok(())
    }
}

impl LabMap {
    /// The map `scenario/24 = host/24`, with no address vouched unused.
    pub fn new(scenario: [u8; 3], host: [u8; 3]) -> LabMap {
        LabMap {
            scenario,
            host,
            unused: [0; 4],
        }
    }

    /// `A.B.C.0/24=X.Y.Z.0/24[,unused=X.Y.Z.N]...`.
    ///
    /// # Errors
    /// Any other form (only /24 networks are mapped), an unused address
    /// outside the host network, or one on loopback.
    pub fn parse(spec: &str) -> Result<LabMap, String> {
        let net = |s: &str| -> Option<[u8; 3]> {
            let ip: Ipv4Addr = s.strip_suffix("/24")?.parse().ok()?;
            let [a, b, c, d] = ip.octets();
            (d == 0).then_some([a, b, c])
        };
        let mut parts = spec.split(',');
        let rule = parts.next().unwrap_or("");
        let form = || {
            format!(
                "lab map {spec:?}: NET/24=NET/24[,unused=IP]..., e.g. 192.168.0.0/24=10.9.8.0/24,unused=10.9.8.50"
            )
        };
        let (from, to) = rule.split_once('=').ok_or_else(form)?;
        let (Some(scenario), Some(host)) = (net(from), net(to)) else {
            return Err(form());
        };
        let mut map = LabMap::new(scenario, host);
        for part in parts {
            let ip: Ipv4Addr = part
                .strip_prefix("unused=")
                .and_then(|ip| ip.parse().ok())
                .ok_or_else(form)?;
            let [a, b, c, n] = ip.octets();
            if [a, b, c] != host {
                return Err(format!(
                    "lab map {spec:?}: unused address {ip} is not on the host network {to}"
                ));
            }
            if a == 127 {
                return Err(format!(
                    "lab map {spec:?}: {ip} cannot be unused: loopback answers at every address"
                ));
            }
            map.unused[usize::from(n / 64)] |= 1 << (n % 64);
        }
        Ok(map)
    }

    /// The map alone, as `atmodule --map` takes it.
    pub fn rule(&self) -> String {
        let [a, b, c] = self.scenario;
        let [x, y, z] = self.host;
        format!("{a}.{b}.{c}.0/24={x}.{y}.{z}.0/24")
    }

    /// The scenario's address of a lab host → this machine's.
    pub fn host(&self, ip: Ipv4Addr) -> Ipv4Addr {
        let [a, b, c, n] = ip.octets();
        if [a, b, c] != self.scenario {
            return ip;
        }
        let [x, y, z] = self.host;
        Ipv4Addr::new(x, y, z, n)
    }

    /// Whether the bench vouched that nobody holds the scenario's `ip`
    /// (mapped to this machine's network).
    pub fn silent(&self, ip: Ipv4Addr) -> bool {
        let [a, b, c, n] = self.host(ip).octets();
        [a, b, c] == self.host && self.is_unused(n)
    }

    fn is_unused(&self, n: u8) -> bool {
        self.unused[usize::from(n / 64)] & (1 << (n % 64)) != 0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_lab_map_moves_the_scenarios_network_only() {
        let m = LabMap::default();
        assert_eq!(
            m.host(Ipv4Addr::new(192, 168, 0, 103)),
            Ipv4Addr::new(127, 0, 0, 103)
        );
        assert_eq!(
            m.host(Ipv4Addr::new(208, 67, 222, 222)),
            Ipv4Addr::new(208, 67, 222, 222)
        );
        let lan = LabMap::parse("192.168.0.0/24=10.1.2.0/24").unwrap();
        assert_eq!(
            lan.host(Ipv4Addr::new(192, 168, 0, 1)),
            Ipv4Addr::new(10, 1, 2, 1)
        );
        assert!(LabMap::parse("192.168.0.0/16=10.0.0.0/16").is_err());
    }

    #[test]
    fn unused_addresses_are_the_benchs_word() {
        let spec = "192.168.0.0/24=10.1.2.0/24,unused=10.1.2.50,unused=10.1.2.255";
        let lan = LabMap::parse(spec).unwrap();
        assert!(lan.silent(Ipv4Addr::new(192, 168, 0, 50)));
        assert!(lan.silent(Ipv4Addr::new(192, 168, 0, 255)));
        assert!(!lan.silent(Ipv4Addr::new(192, 168, 0, 109)));
        assert!(!lan.silent(Ipv4Addr::new(10, 1, 2, 49)));
        assert_eq!(lan.to_string(), spec);
        assert_eq!(lan.rule(), "192.168.0.0/24=10.1.2.0/24");
        assert!(LabMap::parse("192.168.0.0/24=10.1.2.0/24,unused=10.1.3.50").is_err());
        assert!(LabMap::parse("192.168.0.0/24=127.0.0.0/24,unused=127.0.0.50").is_err());
        assert!(LabMap::parse("192.168.0.0/24=10.1.2.0/24,silent=10.1.2.5").is_err());
    }
}
