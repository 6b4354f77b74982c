//! Access points on the air, for a driver without a real radio (the
//! simulator, `atmodule`): what the air answers to the core's Wi-Fi
//! commands ([`NetCommand::Join`], [`NetCommand::Leave`],
//! [`NetCommand::Scan`]), on the driver's clock.
//!
//! A [`Radio`] holds the access points in range, each up or down, and the
//! station's state: the join under way, the access point joined. The
//! driver hands it the core's Wi-Fi commands ([`Radio::execute`]), wakes at
//! [`Radio::next_due`] and gives the core each [`Air`] event
//! [`Radio::poll`] returns. Time is a [`Duration`] since any origin the
//! driver keeps (the simulator's world time survives the module's power
//! cycles; [`Radio::power_on`] forgets the station, not the air).
//!
//! What the air does, with its timings (constants below):
//! - a join finds the access point that is up with that SSID (and BSSID,
//!   if given) and takes the password (an open one takes the empty one):
//!   [`Air::Associated`] after [`ASSOCIATE`], then, with `dhcp`,
//!   [`Air::Configured`] (the driver's address and DNS server) after
//!   [`DHCP`]; a wrong password is [`JoinFailure::WrongPassword`] after
//!   [`WRONG_PASSWORD`]; no such access point (or a BSSID that is not its,
//!   or one that is down) is [`JoinFailure::NotFound`] after [`NOT_FOUND`];
//! - another join or a leave cancels a join under way and leaves the
//!   access point joined, reporting nothing;
//! - an access point that goes down while joined is lost
//!   ([`Air::Disassociated`]) once it has been down for the join's
//!   `inactive_time`; one that comes back up before is kept, and one that
//!   comes back up afterwards reports nothing (the core joins again);
//! - a scan lists every access point that is up, after [`SCAN`].
//!
//! Deterministic: no clock of its own, no hashing, events in the order of
//! their instants (ties in the order they were caused).

use alloc::format;
use alloc::string::String;
use alloc::vec::Vec;
use core::fmt;
use core::net::Ipv4Addr;
use core::time::Duration;

use firmware_core::{AccessPoint, JoinFailure, NetCommand, NetEvent};

/// From a join to its association.
pub const ASSOCIATE: Duration = Duration::from_millis(100);
/// From a join to its refusal for a wrong password.
pub const WRONG_PASSWORD: Duration = Duration::from_secs(1);
/// From a join to finding no such access point.
pub const NOT_FOUND: Duration = Duration::from_secs(2);
/// From the association to the DHCP server's answer.
pub const DHCP: Duration = Duration::from_millis(50);
/// From a scan to its list.
pub const SCAN: Duration = Duration::from_millis(100);
/// An access point's signal unless given.
pub const DEFAULT_RSSI: i8 = -40;
/// An access point's channel unless given.
pub const DEFAULT_CHANNEL: u8 = 6;

/// The BSSID of the access point named `ssid`: a locally administered
/// unicast MAC address (first byte `0x02`), the rest FNV-1a of the SSID, so
/// the same everywhere and every run.
pub const fn bssid_of(ssid: &[u8]) -> [u8; 6] {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    // `while`: a `const fn` (a port's access point is a constant).
    let mut i = 0;
    while i < ssid.len() {
        h ^= ssid[i] as u64;
        h = h.wrapping_mul(0x0100_0000_01b3);
        i += 1;
    }
    let h = h.to_be_bytes();
    [0x02, h[0], h[1], h[2], h[3], h[4]]
}

/// An access point on the air.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Ap {
    /// Its network name.
    pub ssid: Vec<u8>,
    /// Its WPA2 password; `None` for an open access point.
    pub password: Option<Vec<u8>>,
    /// Its signal at the module, dBm.
    pub rssi: i8,
    /// Its channel.
    pub channel: u8,
    /// Its MAC address.
    pub bssid: [u8; 6],
}

impl Ap {
    /// The access point `ssid` with `password` (`None`: open), at
    /// [`DEFAULT_RSSI`] on [`DEFAULT_CHANNEL`], its BSSID [`bssid_of`] the
    /// SSID.
    pub fn new(ssid: &[u8], password: Option<&[u8]>) -> Ap {
        Ap {
            ssid: ssid.to_vec(),
            password: password.map(<[u8]>::to_vec),
            rssi: DEFAULT_RSSI,
            channel: DEFAULT_CHANNEL,
            bssid: bssid_of(ssid),
        }
    }

    /// The same, heard at `rssi` dBm on `channel`.
    #[must_use]
    pub fn signal(mut self, rssi: i8, channel: u8) -> Ap {
        self.rssi = rssi;
        self.channel = channel;
        self
    }

    /// As a scan or a join reports it to the core.
    pub fn heard(&self) -> AccessPoint<'_> {
        AccessPoint {
            ssid: &self.ssid,
            bssid: self.bssid,
            rssi: self.rssi,
            channel: self.channel,
            secured: self.password.is_some(),
        }
    }

    /// Whether it takes `password`.
    fn takes(&self, password: &[u8]) -> bool {
        self.password.as_deref().unwrap_or(b"") == password
    }
}

/// What the air tells the core: a Wi-Fi [`NetEvent`] that owns its data.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Air {
    /// See [`NetEvent::Associated`].
    Associated(Ap),
    /// See [`NetEvent::JoinFailed`].
    JoinFailed(JoinFailure),
    /// See [`NetEvent::Configured`]: the access point's DHCP server
    /// answered.
    Configured {
        /// The module's address.
        address: Ipv4Addr,
        /// The DNS servers offered.
        dns: Vec<Ipv4Addr>,
    },
    /// See [`NetEvent::Disassociated`].
    Disassociated,
    /// See [`NetEvent::Scanned`].
    Scanned(Vec<Ap>),
}

impl Air {
    /// Runs `f` with the event for the core.
    pub fn with_event<R>(&self, f: impl FnOnce(NetEvent<'_>) -> R) -> R {
        match self {
            Air::Associated(ap) => f(NetEvent::Associated { ap: ap.heard() }),
            Air::JoinFailed(reason) => f(NetEvent::JoinFailed { reason: *reason }),
            Air::Configured { address, dns } => f(NetEvent::Configured {
                address: *address,
                dns,
                gateway: lab_gateway(*address),
                netmask: LAB_NETMASK,
            }),
            Air::Disassociated => f(NetEvent::Disassociated),
            Air::Scanned(aps) => {
                let heard: Vec<AccessPoint<'_>> = aps.iter().map(Ap::heard).collect();
                f(NetEvent::Scanned {
                    access_points: &heard,
                })
            }
        }
    }
}

/// The text of a transcript or a log: SSIDs quoted, no password.
impl fmt::Display for Air {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Air::Associated(ap) => write!(f, "Associated {}", Heard(ap)),
            Air::JoinFailed(reason) => write!(f, "JoinFailed({reason:?})"),
            Air::Configured { address, dns } => {
                let dns: Vec<String> = dns.iter().map(|d| format!("{d}")).collect();
                write!(f, "dhcp address={address} dns={}", dns.join(","))
            }
            Air::Disassociated => f.write_str("Disassociated"),
            Air::Scanned(aps) => {
                write!(f, "Scanned {}", aps.len())?;
                for (i, ap) in aps.iter().enumerate() {
                    let sep = if i == 0 { ": " } else { ", " };
                    write!(f, "{sep}{}", Heard(ap))?;
                }
                Ok(())
            }
        }
    }
}

/// An access point as a transcript shows it.
struct Heard<'a>(&'a Ap);

impl fmt::Display for Heard<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let ap = self.0;
        write!(
            f,
            "\"{}\" {} {} dBm channel {} {}",
            ap.ssid.escape_ascii(),
            Mac(ap.bssid),
            ap.rssi,
            ap.channel,
            if ap.password.is_some() {
                "secured"
            } else {
                "open"
            }
        )
    }
}

/// A MAC address, `02:1a:…`.
struct Mac([u8; 6]);

impl fmt::Display for Mac {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let [a, b, c, d, e, g] = self.0;
        write!(f, "{a:02x}:{b:02x}:{c:02x}:{d:02x}:{e:02x}:{g:02x}")
    }
}

/// A Wi-Fi command as a transcript or a log shows it (no password, its
/// length only); `None` for any other command.
pub fn describe(command: &NetCommand) -> Option<String> {
    Some(match command {
        NetCommand::Join {
            ssid,
            password,
            bssid,
            dhcp,
            inactive_time,
        } => {
            let bssid = bssid.map_or(String::new(), |b| format!(" bssid {}", Mac(b)));
            format!(
                "Join \"{}\" password ({} bytes){bssid}{} inactive {inactive_time:?}",
                ssid.escape_ascii(),
                password.len(),
                if *dhcp { " dhcp" } else { "" },
            )
        }
        NetCommand::Leave => "Leave".into(),
        NetCommand::Scan => "Scan".into(),
        _ => return None,
    })
}

/// An access point in range, and whether it is up.
#[derive(Debug, Clone)]
struct InRange {
    ap: Ap,
    /// Since when it is down; `None` while up.
    down_since: Option<Duration>,
}

/// Something the air will say at an instant.
#[derive(Debug, Clone)]
enum Pending {
    /// The join's association, if the access point is still up then.
    Associate {
        ap: Ap,
        dhcp: bool,
        inactive_time: Duration,
    },
    /// The join failed.
    Fail(JoinFailure),
    /// The DHCP server's answer.
    Configure,
    /// A scan's list.
    Scan,
}

impl Pending {
    /// Part of a join (cancelled by the next join or a leave).
    fn is_join(&self) -> bool {
        !matches!(self, Pending::Scan)
    }
}

/// The access point the station is joined to.
#[derive(Debug, Clone)]
struct Joined {
    ssid: Vec<u8>,
    inactive_time: Duration,
}

/// The air around the module's station.
#[derive(Debug, Clone)]
pub struct Radio {
    aps: Vec<InRange>,
    accept_any: bool,
    address: Ipv4Addr,
    dns: Vec<Ipv4Addr>,
    joined: Option<Joined>,
    /// In the order they were caused.
    pending: Vec<(Duration, Pending)>,
}

impl Radio {
    /// No access point in range; a join's DHCP server gives the module
    /// `address` and `dns`.
    pub fn new(address: Ipv4Addr, dns: &[Ipv4Addr]) -> Radio {
        Radio {
            aps: Vec::new(),
            accept_any: false,
            address,
            dns: dns.to_vec(),
            joined: None,
            pending: Vec::new(),
        }
    }

    /// While no access point is in range, whether any SSID with any
    /// password joins (an access point made up for it, `Ap::new`, secured
    /// if the password is not empty); off by default: nothing joins.
    #[must_use]
    pub fn accept_any(mut self, on: bool) -> Radio {
        self.accept_any = on;
        self
    }

    /// Puts `ap` in range, up; it replaces one with the same SSID.
    pub fn add(&mut self, ap: Ap) {
        let fresh = InRange {
            ap,
            down_since: None,
        };
        match self.aps.iter_mut().find(|r| r.ap.ssid == fresh.ap.ssid) {
            Some(old) => *old = fresh,
            None => self.aps.push(fresh),
        }
    }

    /// The access point `ssid` goes down or comes back up at `now`;
    /// `false` if there is none.
    #[must_use]
    pub fn set_up(&mut self, ssid: &[u8], up: bool, now: Duration) -> bool {
        let Some(r) = self.aps.iter_mut().find(|r| r.ap.ssid == ssid) else {
            return false;
        };
        match (up, r.down_since) {
            (true, _) => r.down_since = None,
            (false, None) => r.down_since = Some(now),
            (false, Some(_)) => {}
        }
        true
    }

    /// The access point `ssid` is heard at `rssi` dBm on `channel` from
    /// now on; `false` if there is none.
    #[must_use]
    pub fn set_signal(&mut self, ssid: &[u8], rssi: i8, channel: u8) -> bool {
        let Some(r) = self.aps.iter_mut().find(|r| r.ap.ssid == ssid) else {
            return false;
        };
        r.ap.rssi = rssi;
        r.ap.channel = channel;
        true
    }

    /// The access points in range, in the order they were added, and
    /// whether each is up.
    pub fn access_points(&self) -> impl Iterator<Item = (&Ap, bool)> {
        self.aps.iter().map(|r| (&r.ap, r.down_since.is_none()))
    }

    /// The SSID of the access point joined, if any.
    pub fn joined(&self) -> Option<&[u8]> {
        self.joined.as_ref().map(|j| &j.ssid[..])
    }

    /// The module (re)started: no join under way, none joined, no scan.
    /// The access points stay as they are.
    pub fn power_on(&mut self) {
        self.joined = None;
        self.pending.clear();
    }

    /// Carries out a Wi-Fi command of the core at `now`; `false` (and
    /// nothing done) for any other command.
    pub fn execute(&mut self, now: Duration, command: &NetCommand) -> bool {
        match command {
            NetCommand::Join {
                ssid,
                password,
                bssid,
                dhcp,
                inactive_time,
            } => {
                self.leave();
                let found = self.aps.iter().find(|r| &r.ap.ssid == ssid);
                let ap = match found {
                    Some(r) if r.down_since.is_none() => Some(r.ap.clone()),
                    Some(_) => None,
                    None if self.accept_any && self.aps.is_empty() => {
                        let password = (!password.is_empty()).then_some(&password[..]);
                        Some(Ap::new(ssid, password))
                    }
                    None => None,
                };
                let (after, what) = match ap {
                    Some(ap) if bssid.is_none_or(|b| b == ap.bssid) => {
                        if ap.takes(password) {
                            let inactive_time = *inactive_time;
                            let dhcp = *dhcp;
                            let join = Pending::Associate {
                                ap,
                                dhcp,
                                inactive_time,
                            };
                            (ASSOCIATE, join)
                        } else {
                            (WRONG_PASSWORD, Pending::Fail(JoinFailure::WrongPassword))
                        }
                    }
                    _ => (NOT_FOUND, Pending::Fail(JoinFailure::NotFound)),
                };
                self.pending.push((now + after, what));
            }
            NetCommand::Leave => self.leave(),
            NetCommand::Scan => self.pending.push((now + SCAN, Pending::Scan)),
            _ => return false,
        }
        true
    }

    /// Cancels a join under way and leaves the access point joined.
    fn leave(&mut self) {
        self.joined = None;
        self.pending.retain(|(_, p)| !p.is_join());
    }

    /// When the joined access point is lost, if it is down.
    fn lost_at(&self) -> Option<Duration> {
        let joined = self.joined.as_ref()?;
        let r = self.aps.iter().find(|r| r.ap.ssid == joined.ssid)?;
        r.down_since.map(|t| t + joined.inactive_time)
    }

    /// The earliest instant the air has something to say.
    pub fn next_due(&self) -> Option<Duration> {
        let pending = self.pending.iter().map(|(at, _)| *at).min();
        [pending, self.lost_at()].into_iter().flatten().min()
    }

    /// The next event due at `now` or before, earliest first; `None` when
    /// none is.
    pub fn poll(&mut self, now: Duration) -> Option<Air> {
        let first = self
            .pending
            .iter()
            .enumerate()
            .filter(|(_, (at, _))| *at <= now)
            .min_by_key(|(i, (at, _))| (*at, *i))
            .map(|(i, (at, _))| (i, *at));
        let lost = self.lost_at().filter(|&t| t <= now);
        match (first, lost) {
            (Some((_, at)), Some(lost)) if lost < at => Some(self.lose()),
            (None, Some(_)) => Some(self.lose()),
            (Some((i, at)), _) => {
                let (_, what) = self.pending.remove(i);
                Some(self.happen(at, what))
            }
            (None, None) => None,
        }
    }

    /// The joined access point is lost.
    fn lose(&mut self) -> Air {
        self.leave();
        Air::Disassociated
    }

    /// What `what`, due at `at`, says.
    fn happen(&mut self, at: Duration, what: Pending) -> Air {
        match what {
            Pending::Associate {
                ap,
                dhcp,
                inactive_time,
            } => {
                let gone = self
                    .aps
                    .iter()
                    .any(|r| r.ap.ssid == ap.ssid && r.down_since.is_some());
                if gone {
                    return Air::JoinFailed(JoinFailure::NotFound);
                }
                self.joined = Some(Joined {
                    ssid: ap.ssid.clone(),
                    inactive_time,
                });
                if dhcp {
                    self.pending.push((at + DHCP, Pending::Configure));
                }
                Air::Associated(ap)
            }
            Pending::Fail(reason) => Air::JoinFailed(reason),
            Pending::Configure => Air::Configured {
                address: self.address,
                dns: self.dns.clone(),
            },
            Pending::Scan => Air::Scanned(
                self.aps
                    .iter()
                    .filter(|r| r.down_since.is_none())
                    .map(|r| r.ap.clone())
                    .collect(),
            ),
        }
    }
}

/// The lab's DHCP server (esp-at.md, "The lab"): the module's /24, routed
/// by its `.1`.
pub const LAB_NETMASK: Ipv4Addr = Ipv4Addr::new(255, 255, 255, 0);

/// The router of `address`'s /24 in the lab: its `.1`.
pub fn lab_gateway(address: Ipv4Addr) -> Ipv4Addr {
    let [a, b, c, _] = address.octets();
    Ipv4Addr::new(a, b, c, 1)
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloc::string::ToString;
    use alloc::vec;

    const ADDRESS: Ipv4Addr = Ipv4Addr::new(192, 168, 0, 107);
    const DNS: Ipv4Addr = Ipv4Addr::new(192, 168, 0, 1);
    const INACTIVE: Duration = Duration::from_secs(6);

    fn ms(n: u64) -> Duration {
        Duration::from_millis(n)
    }

    fn join(ssid: &str, password: &str) -> NetCommand {
        NetCommand::Join {
            ssid: ssid.as_bytes().to_vec(),
            password: password.as_bytes().to_vec(),
            bssid: None,
            dhcp: true,
            inactive_time: INACTIVE,
        }
    }

    fn lab() -> Radio {
        let mut r = Radio::new(ADDRESS, &[DNS]);
        r.add(Ap::new(b"lab", Some(b"labpass1")));
        r.add(Ap::new(b"cafe", None).signal(-70, 11));
        r
    }

    /// Every event until `end`, with its instant, stepping 1 ms.
    fn run(r: &mut Radio, from: Duration, end: Duration) -> Vec<(Duration, String)> {
        let mut out = Vec::new();
        let mut now = from;
        while now <= end {
            while let Some(air) = r.poll(now) {
                out.push((now, air.to_string()));
            }
            now += ms(1);
        }
        out
    }

    #[test]
    fn a_join_associates_then_configures() {
        let mut r = lab();
        assert!(r.execute(ms(0), &join("lab", "labpass1")));
        assert_eq!(r.next_due(), Some(ASSOCIATE));
        let got = run(&mut r, ms(0), ms(1000));
        let lab = Ap::new(b"lab", Some(b"labpass1"));
        assert_eq!(
            got,
            vec![
                (ms(100), Air::Associated(lab.clone()).to_string()),
                (ms(150), "dhcp address=192.168.0.107 dns=192.168.0.1".into()),
            ]
        );
        assert_eq!(r.joined(), Some(&b"lab"[..]));
        assert_eq!(r.next_due(), None);
    }

    #[test]
    fn the_associated_event_carries_the_access_point() {
        let mut r = lab();
        let _ = r.execute(ms(0), &join("cafe", ""));
        let air = r.poll(ms(100)).expect("associated");
        air.with_event(|e| {
            let NetEvent::Associated { ap } = e else {
                panic!("{e:?}")
            };
            assert_eq!(ap.ssid, b"cafe");
            assert_eq!((ap.rssi, ap.channel, ap.secured), (-70, 11, false));
            assert_eq!(ap.bssid, bssid_of(b"cafe"));
        });
    }

    #[test]
    fn without_dhcp_nothing_follows_the_association() {
        let mut r = lab();
        let mut c = join("lab", "labpass1");
        if let NetCommand::Join { dhcp, .. } = &mut c {
            *dhcp = false;
        }
        let _ = r.execute(ms(0), &c);
        let got = run(&mut r, ms(0), ms(1000));
        assert_eq!(got.len(), 1);
        assert!(got[0].1.starts_with("Associated \"lab\""));
    }

    #[test]
    fn a_wrong_password_fails_after_a_second() {
        let mut r = lab();
        let _ = r.execute(ms(0), &join("lab", "wrong"));
        assert_eq!(
            run(&mut r, ms(0), ms(3000)),
            vec![(ms(1000), "JoinFailed(WrongPassword)".into())]
        );
        let _ = r.execute(ms(3000), &join("cafe", "something"));
        assert_eq!(
            run(&mut r, ms(3000), ms(5000)),
            vec![(ms(4000), "JoinFailed(WrongPassword)".into())],
            "an open access point takes the empty password only"
        );
        assert_eq!(r.joined(), None);
    }

    #[test]
    fn no_such_access_point_a_wrong_bssid_or_one_down_is_not_found_after_2_s() {
        let mut r = lab();
        let _ = r.execute(ms(0), &join("nowhere", "x"));
        let mut got = run(&mut r, ms(0), ms(4999));
        let mut c = join("lab", "labpass1");
        if let NetCommand::Join { bssid, .. } = &mut c {
            *bssid = Some([2, 0, 0, 0, 0, 1]);
        }
        let _ = r.execute(ms(5000), &c);
        got.extend(run(&mut r, ms(5000), ms(9999)));
        assert!(r.set_up(b"cafe", false, ms(9000)));
        let _ = r.execute(ms(10_000), &join("cafe", ""));
        got.extend(run(&mut r, ms(10_000), ms(15_000)));
        assert_eq!(
            got,
            vec![
                (ms(2000), "JoinFailed(NotFound)".into()),
                (ms(7000), "JoinFailed(NotFound)".into()),
                (ms(12_000), "JoinFailed(NotFound)".into()),
            ]
        );
        assert_ne!(bssid_of(b"lab"), [2, 0, 0, 0, 0, 1]);
    }

    #[test]
    fn the_right_bssid_joins() {
        let mut r = lab();
        let mut c = join("lab", "labpass1");
        if let NetCommand::Join { bssid, .. } = &mut c {
            *bssid = Some(bssid_of(b"lab"));
        }
        let _ = r.execute(ms(0), &c);
        assert!(matches!(r.poll(ms(100)), Some(Air::Associated(_))));
    }

    #[test]
    fn a_join_or_a_leave_cancels_the_join_under_way() {
        let mut r = lab();
        let _ = r.execute(ms(0), &join("lab", "labpass1"));
        let _ = r.execute(ms(50), &join("cafe", ""));
        let got = run(&mut r, ms(0), ms(1000));
        assert_eq!(got.len(), 2, "{got:?}");
        assert!(got[0].1.starts_with("Associated \"cafe\""));
        assert_eq!(got[0].0, ms(150));
        let _ = r.execute(ms(2000), &join("lab", "labpass1"));
        assert!(r.execute(ms(2050), &NetCommand::Leave));
        assert_eq!(run(&mut r, ms(2000), ms(5000)), vec![]);
        assert_eq!(r.joined(), None);
    }

    #[test]
    fn an_access_point_down_is_lost_after_inactive_time_and_back_up_says_nothing() {
        let mut r = lab();
        let _ = r.execute(ms(0), &join("lab", "labpass1"));
        let _ = run(&mut r, ms(0), ms(1000));
        assert!(r.set_up(b"lab", false, ms(2000)));
        assert_eq!(r.next_due(), Some(ms(8000)));
        assert_eq!(
            run(&mut r, ms(1001), ms(9000)),
            vec![(ms(8000), "Disassociated".into())]
        );
        assert_eq!(r.joined(), None);
        assert!(r.set_up(b"lab", true, ms(10_000)));
        assert_eq!(run(&mut r, ms(9001), ms(20_000)), vec![]);
        assert!(!r.set_up(b"nowhere", false, ms(0)));
        assert!(!r.set_signal(b"nowhere", -50, 1));
        assert!(r.set_signal(b"lab", -50, 1));
        assert_eq!(r.access_points().next().map(|(ap, _)| ap.rssi), Some(-50));
    }

    #[test]
    fn an_access_point_back_up_within_inactive_time_is_kept() {
        let mut r = lab();
        let _ = r.execute(ms(0), &join("lab", "labpass1"));
        let _ = run(&mut r, ms(0), ms(1000));
        assert!(r.set_up(b"lab", false, ms(2000)));
        assert!(r.set_up(b"lab", true, ms(5000)));
        assert_eq!(run(&mut r, ms(1001), ms(20_000)), vec![]);
        assert_eq!(r.joined(), Some(&b"lab"[..]));
    }

    #[test]
    fn a_scan_lists_the_access_points_up() {
        let mut r = lab();
        assert!(r.set_up(b"cafe", false, ms(0)));
        let _ = r.execute(ms(0), &NetCommand::Scan);
        let air = r.poll(ms(99));
        assert_eq!(air, None);
        let Some(Air::Scanned(aps)) = r.poll(ms(100)) else {
            panic!("a scan's list")
        };
        assert_eq!(aps, vec![Ap::new(b"lab", Some(b"labpass1"))]);
        let mut empty = Radio::new(ADDRESS, &[DNS]);
        let _ = empty.execute(ms(0), &NetCommand::Scan);
        assert_eq!(empty.poll(ms(100)), Some(Air::Scanned(vec![])));
    }

    #[test]
    fn accept_any_joins_anything_while_no_access_point_is_declared() {
        let mut r = Radio::new(ADDRESS, &[DNS]).accept_any(true);
        let _ = r.execute(ms(0), &join("anything", "pw"));
        let Some(Air::Associated(ap)) = r.poll(ms(100)) else {
            panic!("associated")
        };
        assert_eq!(ap, Ap::new(b"anything", Some(b"pw")));
        r.add(Ap::new(b"lab", Some(b"labpass1")));
        let _ = r.execute(ms(1000), &join("anything", "pw"));
        assert_eq!(
            r.poll(ms(3000)),
            Some(Air::JoinFailed(JoinFailure::NotFound))
        );
        let mut strict = Radio::new(ADDRESS, &[DNS]);
        let _ = strict.execute(ms(0), &join("anything", "pw"));
        assert_eq!(
            strict.poll(ms(2000)),
            Some(Air::JoinFailed(JoinFailure::NotFound))
        );
    }

    #[test]
    fn power_on_forgets_the_station_not_the_air() {
        let mut r = lab();
        let _ = r.execute(ms(0), &join("lab", "labpass1"));
        let _ = r.execute(ms(0), &NetCommand::Scan);
        r.power_on();
        assert_eq!(r.next_due(), None);
        assert_eq!(r.access_points().count(), 2);
    }

    #[test]
    fn other_commands_are_not_the_radio_s() {
        let mut r = lab();
        let close = NetCommand::Close {
            socket: firmware_core::SocketId::from_raw(1),
        };
        assert!(!r.execute(ms(0), &close));
        assert_eq!(describe(&close), None);
        assert_eq!(
            describe(&join("lab", "labpass1")).as_deref(),
            Some("Join \"lab\" password (8 bytes) dhcp inactive 6s")
        );
    }
}
