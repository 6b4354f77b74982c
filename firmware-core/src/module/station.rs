//! The Wi-Fi station of a dialect that has one (esp-at.md EW, EH-2…EH-4):
//! joining, leaving, scanning, reconnecting, and what the host is told.
//!
//! The network associates and runs DHCP (`NetCommand::Join`); the station
//! decides when to ask, how long to wait, and what each step prints. The
//! settings ESP-AT keeps in flash are stored as `Settings::station`, and,
//! like every stored setting, answered `OK` only once durable (B-6).

use alloc::vec::Vec;
use core::net::Ipv4Addr;
use core::time::Duration;

use super::{Job, Mode, Module};
use crate::command::{Join, Station as Cmd};
use crate::dialect::Wifi;
use crate::net::{AccessPoint, JoinFailure, NetCommand, NetEvent};
use crate::store::{Settings, StationSettings};
use crate::time::Instant;

/// What `AT+CWSTATE?` reports (EW-12).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Phase {
    /// No join attempted since boot.
    Idle = 0,
    /// Associated, no address yet.
    Associated = 1,
    /// Associated, with an address.
    Connected = 2,
    /// Joining, or reconnecting.
    Joining = 3,
    /// A join failed, or the access point was left or lost.
    Disconnected = 4,
}

/// The joined access point, as `AT+CWJAP?` shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Joined {
    bssid: [u8; 6],
    channel: u8,
    rssi: i8,
}

/// The station's running state.
#[derive(Debug)]
pub(super) struct Station {
    pub(super) phase: Phase,
    /// The running settings; a restart returns to the stored ones
    /// (`Settings::station`).
    pub(super) now: StationSettings,
    /// The SSID of the last join attempt (EW-12).
    ssid: Vec<u8>,
    /// The access point being joined or joined, and its password.
    target: Option<(Vec<u8>, Vec<u8>)>,
    joined: Option<Joined>,
    /// When to try to join again (EW-10), and the tries made since the
    /// access point was lost.
    retry: Option<Instant>,
    tries: u16,
    /// AT+CWJAP's parameters in effect (EW-8).
    listen_interval: u8,
    scan_mode: u8,
    pmf: u8,
    /// AT+CWLAPOPT (EW-17).
    scan_mask: u16,
    scan_rssi: i8,
    scan_auth: u16,
    /// A link was opened since the address came (EQ-3).
    pub(super) linked: bool,
    /// AT+CWLAP's lines, until the scan's time is up.
    listed: Option<crate::uart::Fifo>,
}

impl Station {
    pub(super) fn boot(stored: &Settings) -> Self {
        Station {
            phase: Phase::Idle,
            now: stored.station.clone().unwrap_or(StationSettings::FACTORY),
            ssid: Vec::new(),
            target: None,
            joined: None,
            retry: None,
            tries: 0,
            listen_interval: 3,
            scan_mode: 0,
            pmf: 1,
            scan_mask: 2047,
            scan_rssi: -100,
            scan_auth: 0xFFFF,
            linked: false,
            listed: None,
        }
    }

    fn has_station(&self) -> bool {
        matches!(self.now.mode, 1 | 3)
    }

    pub(super) fn poll_timeout(&self) -> Option<Instant> {
        self.retry
    }
}

impl Module {
    fn wifi(&self) -> &'static Wifi {
        self.d
            .wifi
            .as_ref()
            .expect("station commands only in dialects with Wi-Fi")
    }

    /// After `ready`: auto-connect to the stored access point (EW-14).
    pub(super) fn station_ready(&mut self, now: Instant) {
        let st = &self.station;
        if self.d.wifi.is_some()
            && st.now.auto_connect
            && st.has_station()
            && let Some(ap) = st.now.ap.clone()
        {
            self.station_join(now, ap, None);
        }
    }

    pub(super) fn station_command(&mut self, now: Instant, cmd: Cmd<'_>) {
        let wifi = self.wifi();
        match cmd {
            Cmd::ModeQuery => {
                let mode = self.station.now.mode;
                self.reply_fmt(format_args!("{mode}"));
                self.ok();
            }
            Cmd::Mode { mode, auto_connect } => {
                let had = self.station.has_station();
                self.station.now.mode = mode;
                self.store_station(|s, now| s.mode = now.mode, false);
                let has = self.station.has_station();
                if had && !has {
                    // EW-2: the station goes, and with it the access point.
                    self.station_leave(true);
                } else if !had
                    && has
                    && auto_connect
                    && let Some(ap) = self.station.now.ap.clone()
                {
                    self.station_join(now, ap, None);
                }
            }
            Cmd::Join(join) => self.join_command(now, join),
            Cmd::JoinQuery => {
                match (&self.station.joined, self.station.phase) {
                    (Some(j), Phase::Connected | Phase::Associated) => {
                        let st = &self.station;
                        let b = j.bssid;
                        let reply = self.reply;
                        let mut line = self.tx.line();
                        line.bytes(reply).bytes(b":\"").bytes(&st.ssid).fmt(format_args!(
                            "\",\"{:02x}:{:02x}:{:02x}:{:02x}:{:02x}:{:02x}\",{},{},0,{},{},{},{}",
                            b[0],
                            b[1],
                            b[2],
                            b[3],
                            b[4],
                            b[5],
                            j.channel,
                            j.rssi,
                            st.now.reconnect_interval,
                            st.listen_interval,
                            st.scan_mode,
                            st.pmf
                        ));
                        line.end();
                    }
                    _ => self.info(&[wifi.no_ap.as_bytes()]),
                }
                self.ok();
            }
            Cmd::Leave => {
                self.ok();
                self.station_leave(true);
            }
            Cmd::StateQuery => {
                let reply = self.reply;
                let mut line = self.tx.line();
                line.bytes(reply)
                    .bytes(b":")
                    .fmt(format_args!("{},\"", self.station.phase as u8))
                    .bytes(&self.station.ssid)
                    .bytes(b"\"");
                line.end();
                self.ok();
            }
            Cmd::Addresses => {
                if self.station.has_station() {
                    let ip = self.address.unwrap_or(Ipv4Addr::UNSPECIFIED);
                    self.reply_fmt(format_args!("STAIP,\"{ip}\""));
                    let m = wifi.mac;
                    self.reply_fmt(format_args!(
                        "STAMAC,\"{:02x}:{:02x}:{:02x}:{:02x}:{:02x}:{:02x}\"",
                        m[0], m[1], m[2], m[3], m[4], m[5]
                    ));
                }
                self.ok();
            }
            Cmd::AddressQuery => {
                let none = Ipv4Addr::UNSPECIFIED;
                let (ip, (gateway, mask)) = match self.address {
                    Some(ip) => (ip, self.route),
                    None => (none, (none, none)),
                };
                self.reply_fmt(format_args!("ip:\"{ip}\""));
                self.reply_fmt(format_args!("gateway:\"{gateway}\""));
                self.reply_fmt(format_args!("netmask:\"{mask}\""));
                self.ok();
            }
            Cmd::MacQuery => {
                let m = wifi.mac;
                self.reply_fmt(format_args!(
                    "\"{:02x}:{:02x}:{:02x}:{:02x}:{:02x}:{:02x}\"",
                    m[0], m[1], m[2], m[3], m[4], m[5]
                ));
                self.ok();
            }
            Cmd::AutoConnectQuery => {
                let on = u8::from(self.station.now.auto_connect);
                self.reply_fmt(format_args!("{on}"));
                self.ok();
            }
            Cmd::AutoConnect(on) => {
                // EW-14: stored whatever AT+SYSSTORE says.
                self.station.now.auto_connect = on;
                self.store_station(|s, now| s.auto_connect = now.auto_connect, true);
            }
            Cmd::ReconnectQuery => {
                let s = &self.station.now;
                let (i, r) = (s.reconnect_interval, s.reconnect_repeat);
                self.reply_fmt(format_args!("{i},{r}"));
                self.ok();
            }
            Cmd::Reconnect { interval, repeat } => {
                self.station.now.reconnect_interval = interval;
                self.station.now.reconnect_repeat = repeat;
                self.store_station(
                    |s, now| {
                        s.reconnect_interval = now.reconnect_interval;
                        s.reconnect_repeat = now.reconnect_repeat;
                    },
                    false,
                );
            }
            Cmd::DhcpQuery => {
                let dhcp = self.station.now.dhcp;
                self.reply_fmt(format_args!("{dhcp}"));
                self.ok();
            }
            Cmd::Dhcp { on, mask } => {
                let d = &mut self.station.now.dhcp;
                *d = if on { *d | mask } else { *d & !mask };
                self.store_station(|s, now| s.dhcp = now.dhcp, false);
            }
            Cmd::Scan => {
                if !self.station.has_station() {
                    return self.error();
                }
                self.net_out.push_back(NetCommand::Scan);
                self.mode = Mode::Busy(Job::Scanning {
                    until: now + wifi.scan_time,
                    done: false,
                });
            }
            Cmd::ScanOptions {
                mask,
                rssi_min,
                auth_mask,
            } => {
                self.station.scan_mask = mask;
                self.station.scan_rssi = rssi_min;
                self.station.scan_auth = auth_mask;
                self.ok();
            }
        }
    }

    /// EW-4, EW-7: a join the host waits for.
    fn join_command(&mut self, now: Instant, join: Join<'_>) {
        if !self.station.has_station() {
            return self.error();
        }
        let ap = match join.ap {
            Some((ssid, password)) => (ssid.to_vec(), password.to_vec()),
            None => match self.station.now.ap.clone() {
                Some(ap) => ap,
                None => {
                    self.reply_fmt(format_args!("3"));
                    return self.error();
                }
            },
        };
        let st = &mut self.station;
        st.now.reconnect_interval = join.reconnect_interval.unwrap_or(1);
        st.listen_interval = join.listen_interval;
        st.scan_mode = join.scan_mode;
        st.pmf = join.pmf;
        if st.joined.is_some() {
            // EW-4: leaving the access point before is said first.
            self.info(&[self.wifi().disconnected.as_bytes()]);
        }
        let timeout = join.timeout.map_or(self.wifi().join_timeout, |s| {
            Duration::from_secs(u64::from(s))
        });
        self.station_join(now, ap, join.bssid);
        self.mode = Mode::Busy(Job::Joining {
            deadline: now + timeout,
        });
    }

    /// Asks the network to join `ap`, forgetting any access point before.
    fn station_join(&mut self, _now: Instant, ap: (Vec<u8>, Vec<u8>), bssid: Option<[u8; 6]>) {
        self.lose_address();
        let st = &mut self.station;
        st.joined = None;
        st.retry = None;
        st.tries = 0;
        st.phase = Phase::Joining;
        st.ssid.clone_from(&ap.0);
        st.target = Some(ap.clone());
        self.net_out.push_back(NetCommand::Join {
            ssid: ap.0,
            password: ap.1,
            bssid,
            dhcp: self.station.now.dhcp & 1 != 0,
            inactive_time: self.wifi().inactive_time,
        });
    }

    /// AT+CWQAP, a mode without the station: leave, no reconnection; `WIFI
    /// DISCONNECT` if the station was associated (EW-11).
    fn station_leave(&mut self, say: bool) {
        let was = self.station.joined.take().is_some();
        let st = &mut self.station;
        st.target = None;
        st.retry = None;
        if st.phase != Phase::Idle {
            st.phase = Phase::Disconnected;
        }
        self.net_out.push_back(NetCommand::Leave);
        if was && say {
            self.urc_line(self.wifi().disconnected);
        }
        // EW-11: the links' CLOSED lines after it.
        self.lose_address();
    }

    /// The address is gone: TCP and SSL links close (EW-9).
    fn lose_address(&mut self) {
        if self.address.take().is_none() {
            return;
        }
        for i in 0..self.d.links {
            let id = crate::command::LinkId(i);
            if self.link(id).is_some_and(|l| l.kind.is_stream()) {
                self.drop_link(id);
                self.link_urc(id, self.d.closed);
            }
        }
    }

    /// Ends a command that changed a station setting: with AT+SYSSTORE=1
    /// (or `always`) `copy` puts the running value in the stored settings,
    /// and the `OK` waits until they are durable (EB-7, B-6); else `OK`.
    fn store_station(&mut self, copy: fn(&mut StationSettings, &StationSettings), always: bool) {
        if !(self.cfg.sysstore || always) {
            return self.ok();
        }
        let (previous, previous_cfg) = (self.stored.clone(), self.cfg.clone());
        let mut stored = self
            .stored
            .station
            .clone()
            .unwrap_or(StationSettings::FACTORY);
        copy(&mut stored, &self.station.now);
        self.stored.station = Some(stored);
        self.persist(previous, previous_cfg, super::AfterStore::Ok);
    }

    /// An unsolicited line of its own.
    fn urc_line(&mut self, text: &str) {
        self.urc(&[text.as_bytes(), b"\r\n"], true);
    }

    pub(super) fn station_event(&mut self, now: Instant, event: NetEvent<'_>) {
        if self.d.wifi.is_none() {
            return;
        }
        let wifi = self.wifi();
        let joining = matches!(self.mode, Mode::Busy(Job::Joining { .. }));
        match event {
            NetEvent::Associated { ap } => {
                if self.station.target.is_none() {
                    return;
                }
                self.station.joined = Some(Joined {
                    bssid: ap.bssid,
                    channel: ap.channel,
                    rssi: ap.rssi,
                });
                self.station.phase = Phase::Associated;
                if joining {
                    self.info(&[wifi.connected.as_bytes()]);
                } else {
                    self.urc_line(wifi.connected);
                }
            }
            NetEvent::JoinFailed { reason } => {
                if self.station.target.is_none() {
                    return;
                }
                self.station.phase = Phase::Disconnected;
                self.station.joined = None;
                if joining {
                    let code = match reason {
                        JoinFailure::WrongPassword => 2,
                        JoinFailure::NotFound => 3,
                        JoinFailure::Other => 4,
                    };
                    self.station.target = None;
                    self.reply_fmt(format_args!("{code}"));
                    self.error();
                } else {
                    self.schedule_retry(now);
                }
            }
            NetEvent::Disassociated => {
                if self.station.joined.take().is_none() {
                    return;
                }
                self.station.phase = Phase::Disconnected;
                self.urc_line(wifi.disconnected);
                // EW-9: then the links' CLOSED lines.
                self.lose_address();
                self.schedule_retry(now);
            }
            NetEvent::Scanned { access_points } => self.scanned(access_points),
            _ => {}
        }
    }

    /// DHCP gave the station its address.
    pub(super) fn station_configured(&mut self) {
        let wifi = self.wifi();
        self.station.phase = Phase::Connected;
        self.station.linked = false;
        if let Mode::Busy(Job::Joining { .. }) = self.mode {
            // EW-4, EB-7: a successful join is remembered.
            self.info(&[wifi.got_ip.as_bytes()]);
            if let Some(ap) = self.station.target.clone() {
                self.station.now.ap = Some(ap);
                self.store_station(|s, now| s.ap.clone_from(&now.ap), false);
            } else {
                self.ok();
            }
        } else {
            self.urc_line(wifi.got_ip);
        }
    }

    /// EW-10: another try later, if reconnection is on and tries are left.
    fn schedule_retry(&mut self, now: Instant) {
        let st = &mut self.station;
        let (interval, repeat) = (st.now.reconnect_interval, st.now.reconnect_repeat);
        st.tries = st.tries.saturating_add(1);
        if interval == 0 || st.target.is_none() || (repeat > 0 && st.tries > repeat) {
            st.retry = None;
            st.target = None;
            return;
        }
        st.retry = Some(now + Duration::from_secs(u64::from(interval)));
        st.phase = Phase::Joining;
    }

    /// Fires the station's timers.
    pub(super) fn station_timeouts(&mut self, now: Instant) {
        if self.d.wifi.is_none() {
            return;
        }
        match self.mode {
            Mode::Busy(Job::Joining { deadline }) if now >= deadline => {
                // EW-5: code 1 once associated without an address, else 4.
                let associated = self.station.joined.is_some();
                self.reply_fmt(format_args!("{}", if associated { 1 } else { 4 }));
                self.error();
                self.station.target = None;
                self.station_leave(associated);
                self.station.phase = Phase::Disconnected;
            }
            Mode::Busy(Job::Scanning { until, done: true }) if now >= until => {
                if let Some(mut listed) = self.station.listed.take() {
                    listed.move_to(&mut self.tx);
                }
                self.ok();
            }
            _ => {}
        }
        if self.station.retry.is_some_and(|at| now >= at)
            && let Some(ap) = self.station.target.clone()
        {
            let tries = self.station.tries;
            self.station_join(now, ap, None);
            self.station.tries = tries;
        }
    }

    /// EW-16, EW-17: strongest first, ties by SSID; the reply waits for the
    /// scan's time.
    fn scanned(&mut self, found: &[AccessPoint<'_>]) {
        let Mode::Busy(Job::Scanning { until, .. }) = self.mode else {
            return;
        };
        let st = &self.station;
        let mut shown: Vec<&AccessPoint<'_>> = found
            .iter()
            .filter(|ap| ap.rssi >= st.scan_rssi)
            .filter(|ap| st.scan_auth & (1 << ecn(ap)) != 0)
            .collect();
        shown.sort_by(|a, b| b.rssi.cmp(&a.rssi).then(a.ssid.cmp(b.ssid)));
        let mask = st.scan_mask;
        let reply = self.reply;
        // Held until the scan's time is up (EW-16).
        let mut out = crate::uart::Fifo::new(self.d.max_reply);
        for ap in shown {
            let b = ap.bssid;
            let (cipher, secured) = if ap.secured { (4, 3) } else { (0, 0) };
            let mut line = out.line();
            line.bytes(reply).bytes(b":(");
            let mut fields = Fields { mask, first: true };
            if fields.next(&mut line, 0) {
                line.fmt(format_args!("{secured}"));
            }
            if fields.next(&mut line, 1) {
                line.bytes(b"\"").bytes(ap.ssid).bytes(b"\"");
            }
            if fields.next(&mut line, 2) {
                line.fmt(format_args!("{}", ap.rssi));
            }
            if fields.next(&mut line, 3) {
                line.fmt(format_args!(
                    "\"{:02x}:{:02x}:{:02x}:{:02x}:{:02x}:{:02x}\"",
                    b[0], b[1], b[2], b[3], b[4], b[5]
                ));
            }
            if fields.next(&mut line, 4) {
                line.fmt(format_args!("{}", ap.channel));
            }
            // Frequency offset and calibration: reserved (EW-16).
            for bit in [5, 6] {
                if fields.next(&mut line, bit) {
                    line.bytes(b"-1");
                }
            }
            for bit in [7, 8] {
                if fields.next(&mut line, bit) {
                    line.fmt(format_args!("{cipher}"));
                }
            }
            if fields.next(&mut line, 9) {
                line.bytes(b"7");
            }
            if fields.next(&mut line, 10) {
                line.bytes(b"0");
            }
            line.bytes(b")");
            line.end();
        }
        self.station.listed = Some(out);
        self.mode = Mode::Busy(Job::Scanning { until, done: true });
    }
}

/// The fields of a `+CWLAP` line AT+CWLAPOPT's mask shows, comma-separated.
struct Fields {
    mask: u16,
    first: bool,
}

impl Fields {
    /// Whether field `bit` is shown; if so, its separator is written.
    fn next(&mut self, line: &mut crate::uart::Line<'_>, bit: u16) -> bool {
        if self.mask & (1 << bit) == 0 {
            return false;
        }
        if !core::mem::take(&mut self.first) {
            line.bytes(b",");
        }
        true
    }
}

/// EW-16's `<ecn>`: 3 (WPA2_PSK) or 0 (open).
fn ecn(ap: &AccessPoint<'_>) -> u16 {
    if ap.secured { 3 } else { 0 }
}
