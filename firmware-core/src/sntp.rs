//! SNTP client (RFC 4330) behind the module's wall clock (clauses NT-1…NT-5).
//!
//! Sans-IO: the driver resolves the server's name, carries datagrams and
//! passes the time in; this module only decides what to send and what a
//! reply means. It never allocates, so its memory is fixed at construction.
//!
//! The 48-byte packet is written by hand: there is no `no_std`, sans-IO SNTP
//! crate (`sntpc` drives its own socket). Calendar arithmetic is left to the
//! `time` crate.

use core::fmt;
use core::net::{Ipv4Addr, SocketAddrV4};
use core::time::Duration;

use time::OffsetDateTime;

use crate::dialect::TimeFormat;

use crate::time::Instant;

/// The NTP server port (RFC 4330 §4).
pub(crate) const PORT: u16 = 123;
/// Length of an SNTP packet without extension fields or authenticator.
pub(crate) const PACKET_LEN: usize = 48;

const MODE_CLIENT: u8 = 3;
const MODE_SERVER: u8 = 4;
const VERSION: u8 = 4;
/// Leap indicator "alarm": the server's clock is not synchronised.
const LI_ALARM: u8 = 3;

// Byte offsets of the fields a client or our simulated server touches.
const STRATUM: usize = 1;
#[cfg(test)]
const POLL: usize = 2;
#[cfg(test)]
const PRECISION: usize = 3;
#[cfg(test)]
const REFERENCE_ID: usize = 12;
#[cfg(test)]
const REFERENCE_TS: usize = 16;
const ORIGINATE_TS: usize = 24;
#[cfg(test)]
const RECEIVE_TS: usize = 32;
const TRANSMIT_TS: usize = 40;

/// Seconds from 1900-01-01 (the start of NTP era 0) to 1970-01-01.
const NTP_UNIX_OFFSET: i64 = 2_208_988_800;
/// Seconds in one NTP era: the 32-bit seconds field wraps after this.
const ERA_SECS: i64 = 1 << 32;
const MICROS_PER_SEC: i64 = 1_000_000;

/// A request for the driver to send over UDP.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Transmit {
    pub(crate) to: SocketAddrV4,
    pub(crate) payload: [u8; PACKET_LEN],
}

/// Where the client stands in its schedule.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum State {
    /// Disabled and nothing in flight.
    Idle,
    /// The next attempt falls due at this instant.
    Scheduled(Instant),
    /// An attempt is due and waits for the driver's `begin` or `fail`.
    Due,
    /// A request is out; only the reply carrying `nonce` is accepted.
    Waiting {
        server: Ipv4Addr,
        nonce: u64,
        began: Instant,
    },
}

/// The outcome of the last successful synchronisation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Synced {
    at: Instant,
    unix_micros: i64,
}

/// The SNTP client: schedule, the request in flight, and the clock it keeps.
#[derive(Debug, Clone)]
pub(crate) struct Client {
    nonces: SplitMix64,
    sync_interval: Duration,
    retry_interval: Duration,
    enabled: bool,
    state: State,
    synced: Option<Synced>,
}

impl Client {
    /// A disabled client that has never synchronised. Equal seeds give equal
    /// request bytes, so transcripts replay exactly.
    pub(crate) fn new(seed: u64, sync_interval: Duration, retry_interval: Duration) -> Self {
        Client {
            nonces: SplitMix64(seed),
            sync_interval,
            retry_interval,
            enabled: false,
            state: State::Idle,
            synced: None,
        }
    }

    /// Makes an attempt due now. Re-enabling restarts the schedule and drops
    /// any request in flight, so a new configuration takes effect at once.
    pub(crate) fn enable(&mut self, _now: Instant) {
        self.enabled = true;
        self.state = State::Due;
    }

    /// Stops attempts; the clock keeps running from the last synchronisation.
    pub(crate) fn disable(&mut self) {
        self.enabled = false;
        self.state = State::Idle;
    }

    #[cfg(test)]
    pub(crate) fn is_enabled(&self) -> bool {
        self.enabled
    }

    /// An attempt is due: the caller resolves the server name, then calls
    /// `begin` or `fail`. True also when a timer has expired that
    /// `handle_timeout` has not yet been told about.
    pub(crate) fn is_due(&self, now: Instant) -> bool {
        self.settled(now) == State::Due
    }

    /// Starts an attempt towards `server` (port 123 is added); returns the
    /// request to send. It replaces any attempt in flight, whose reply will
    /// then no longer match.
    pub(crate) fn begin(&mut self, now: Instant, server: Ipv4Addr) -> Transmit {
        // Zero would read as "no timestamp" to a server; one value of 2^64
        // is not worth a loop.
        let nonce = self.nonces.next().max(1);
        self.state = State::Waiting {
            server,
            nonce,
            began: now,
        };
        let mut payload = [0; PACKET_LEN];
        payload[0] = header(0, VERSION, MODE_CLIENT);
        // The module has no clock to put here (RFC 4330 §5 allows any
        // value); the server echoes it, which ties the reply to this request.
        payload[TRANSMIT_TS..TRANSMIT_TS + 8].copy_from_slice(&nonce.to_be_bytes());
        Transmit {
            to: SocketAddrV4::new(server, PORT),
            payload,
        }
    }

    /// The attempt due now could not start (the name did not resolve):
    /// retry `retry_interval` from now. Abandons any attempt in flight.
    pub(crate) fn fail(&mut self, now: Instant) {
        self.state = self.schedule(now + self.retry_interval, now);
    }

    /// Takes a datagram that arrived at `now` on the client's socket. Only a
    /// valid reply to the attempt in flight has any effect; a reply after
    /// the attempt's deadline is late even if `handle_timeout` was not yet
    /// called.
    /// Returns whether it set the clock.
    pub(crate) fn handle_datagram(
        &mut self,
        now: Instant,
        from: SocketAddrV4,
        data: &[u8],
    ) -> bool {
        self.handle_timeout(now);
        let State::Waiting {
            server,
            nonce,
            began,
        } = self.state
        else {
            return false;
        };
        if from != SocketAddrV4::new(server, PORT) {
            return false;
        }
        // Extension fields or an authenticator may follow; they are not ours.
        let Some(packet) = data.get(..PACKET_LEN).and_then(|p| p.try_into().ok()) else {
            return false;
        };
        match check_reply(packet, nonce) {
            Reply::Ignore => false,
            Reply::Kiss => {
                self.state = self.schedule(began + self.retry_interval, now);
                false
            }
            Reply::Time(unix_micros) => {
                self.synced = Some(Synced {
                    at: now,
                    unix_micros,
                });
                self.state = self.schedule(now + self.sync_interval, now);
                true
            }
        }
    }

    /// This client, with the time `other` synchronised (a restart that
    /// keeps the clock, EN-5).
    pub(crate) fn with_time_of(mut self, other: &Client) -> Self {
        self.synced = other.synced;
        self
    }

    /// How long after a success the next attempt comes.
    pub(crate) fn interval(&self) -> Duration {
        self.sync_interval
    }

    /// From the next success on (EN-6).
    pub(crate) fn set_interval(&mut self, interval: Duration) {
        self.sync_interval = interval;
    }

    /// Acts on whichever timer expired by `now`; an early call does nothing.
    pub(crate) fn handle_timeout(&mut self, now: Instant) {
        // Written only when a timer expired: this runs on every input, and
        // rewriting the whole state each time cost the passthrough path
        // more than the rest of this client (a store-forwarding stall).
        if self.poll_timeout().is_some_and(|t| t <= now) {
            self.state = self.settled(now);
        }
    }

    /// The next attempt's due time, or the deadline of the one in flight.
    /// `None` when disabled, or when an attempt is already due: the timer
    /// has done its work and the caller acts on `is_due`, so that after
    /// `handle_timeout(t)` this is never `t` or earlier.
    pub(crate) fn poll_timeout(&self) -> Option<Instant> {
        match self.state {
            State::Scheduled(at) => Some(at),
            State::Waiting { began, .. } => Some(began + self.retry_interval),
            State::Idle | State::Due => None,
        }
    }

    /// Unix time (seconds, microseconds) at `now`, if ever synchronised.
    pub(crate) fn unix_time(&self, now: Instant) -> Option<(i64, u32)> {
        let synced = self.synced?;
        let elapsed =
            i64::try_from(now.saturating_since(synced.at).as_micros()).unwrap_or(i64::MAX);
        let micros = synced.unix_micros.saturating_add(elapsed);
        // rem_euclid is in 0..1_000_000, so the conversion cannot fail.
        let frac = u32::try_from(micros.rem_euclid(MICROS_PER_SEC)).unwrap_or(0);
        Some((micros.div_euclid(MICROS_PER_SEC), frac))
    }

    /// The state once every timer expired by `now` has been acted on.
    fn settled(&self, now: Instant) -> State {
        match self.state {
            State::Scheduled(at) if at <= now => State::Due,
            // The deadline and the retry coincide: a silent server's retry is
            // due the moment its attempt times out.
            State::Waiting { began, .. } if began + self.retry_interval <= now => {
                self.schedule(began + self.retry_interval, now)
            }
            state => state,
        }
    }

    /// The state for a next attempt at `at`, as seen at `now`.
    fn schedule(&self, at: Instant, now: Instant) -> State {
        match (self.enabled, at <= now) {
            (false, _) => State::Idle,
            (true, true) => State::Due,
            (true, false) => State::Scheduled(at),
        }
    }
}

/// What a datagram from the right address means to the attempt in flight.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Reply {
    /// Not a valid reply to this request: keep waiting.
    Ignore,
    /// Kiss-o'-death: the server refuses; this attempt has failed.
    Kiss,
    /// The server's transmit time, in microseconds since the Unix epoch.
    Time(i64),
}

/// RFC 4330 §5 checks, in an order that matters: the originate timestamp
/// first, so that a forged kiss-o'-death cannot end an attempt, and the
/// stratum before the leap indicator, since servers send their kisses with
/// LI = 3.
fn check_reply(p: &[u8; PACKET_LEN], nonce: u64) -> Reply {
    let (li, vn, mode) = (p[0] >> 6, (p[0] >> 3) & 7, p[0] & 7);
    let transmit = read_u64(p, TRANSMIT_TS);
    if read_u64(p, ORIGINATE_TS) != nonce || mode != MODE_SERVER || !(3..=4).contains(&vn) {
        return Reply::Ignore;
    }
    match p[STRATUM] {
        0 => Reply::Kiss,
        1..=15 if li != LI_ALARM && transmit != 0 => {
            let (secs, micros) = ntp_to_unix(transmit);
            Reply::Time(secs * MICROS_PER_SEC + i64::from(micros))
        }
        _ => Reply::Ignore,
    }
}

/// Converts an NTP timestamp to Unix (seconds, microseconds). RFC 4330 §3:
/// a clear top bit means era 1 (from 2036-02-07 06:28:16 UTC), so the
/// 32-bit seconds cover 1968 to 2104.
fn ntp_to_unix(ts: u64) -> (i64, u32) {
    let ntp_secs = ts >> 32;
    let era_start = if ntp_secs & 0x8000_0000 == 0 {
        ERA_SECS
    } else {
        0
    };
    // Both casts are lossless: 33-bit values, and a fraction below 10^6.
    let secs = ntp_secs as i64 + era_start - NTP_UNIX_OFFSET;
    let micros = ((ts & 0xFFFF_FFFF) * 1_000_000) >> 32;
    (secs, micros as u32)
}

/// The inverse of [`ntp_to_unix`]; `None` outside 1968..2104 or for
/// `micros` of a second or more. Rounds the fraction up so that the client
/// reads back exactly `micros`.
#[cfg(test)]
fn unix_to_ntp(unix_secs: i64, micros: u32) -> Option<u64> {
    if i64::from(micros) >= MICROS_PER_SEC {
        return None;
    }
    let since_1900 = unix_secs.checked_add(NTP_UNIX_OFFSET)?;
    if !(ERA_SECS / 2..ERA_SECS + ERA_SECS / 2).contains(&since_1900) {
        return None;
    }
    let secs = (since_1900 % ERA_SECS) as u64; // in 0..2^32: lossless
    let frac = (u64::from(micros) << 32).div_ceil(1_000_000);
    Some(secs << 32 | frac)
}

/// Builds the reply of a stratum-1 server whose clock reads `unix_secs` and
/// `micros` to a client `request`, for the simulated SNTP server. `None` if
/// the request is not an SNTPv3/v4 client request or the time cannot be
/// expressed in NTP's 1968..2104 window.
#[cfg(test)]
pub(crate) fn server_reply(
    request: &[u8],
    unix_secs: i64,
    micros: u32,
) -> Option<[u8; PACKET_LEN]> {
    let request: &[u8; PACKET_LEN] = request.get(..PACKET_LEN)?.try_into().ok()?;
    let (vn, mode) = ((request[0] >> 3) & 7, request[0] & 7);
    if mode != MODE_CLIENT || !(3..=4).contains(&vn) {
        return None;
    }
    let now = unix_to_ntp(unix_secs, micros)?.to_be_bytes();
    let mut reply = [0; PACKET_LEN];
    // RFC 4330 §5: the reply's version is the request's.
    reply[0] = header(0, vn, MODE_SERVER);
    reply[STRATUM] = 1;
    reply[POLL] = request[POLL];
    reply[PRECISION] = 0xEC; // -20: 2^-20 s, about a microsecond.
    // "LOCL": an uncalibrated local clock (RFC 4330 §4), which a simulation is.
    reply[REFERENCE_ID..REFERENCE_ID + 4].copy_from_slice(b"LOCL");
    reply[REFERENCE_TS..REFERENCE_TS + 8].copy_from_slice(&now);
    reply[ORIGINATE_TS..ORIGINATE_TS + 8].copy_from_slice(&request[TRANSMIT_TS..TRANSMIT_TS + 8]);
    reply[RECEIVE_TS..RECEIVE_TS + 8].copy_from_slice(&now);
    reply[TRANSMIT_TS..TRANSMIT_TS + 8].copy_from_slice(&now);
    Some(reply)
}

/// Writes the time of `unix_secs` shifted by `tz_minutes`, the
/// `+CIPSNTPTIME` form of the dialect. The caller enforces the zone's range;
/// any shift is well defined here. Fails only past year 9999.
pub(crate) fn write_local_time(
    out: &mut impl fmt::Write,
    unix_secs: i64,
    tz_minutes: i16,
    format: TimeFormat,
) -> fmt::Result {
    let local = unix_secs
        .checked_add(i64::from(tz_minutes) * 60)
        .ok_or(fmt::Error)?;
    let t = OffsetDateTime::from_unix_timestamp(local).map_err(|_| fmt::Error)?;
    match format {
        TimeFormat::Iso => write!(
            out,
            "{:04}-{:02}-{:02} {:02}:{:02}:{:02}",
            t.year(),
            u8::from(t.month()),
            t.day(),
            t.hour(),
            t.minute(),
            t.second()
        ),
        TimeFormat::Asctime => {
            const DAYS: [&str; 7] = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"];
            const MONTHS: [&str; 12] = [
                "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
            ];
            write!(
                out,
                "{} {} {:>2} {:02}:{:02}:{:02} {}",
                DAYS[usize::from(t.weekday().number_days_from_monday())],
                MONTHS[usize::from(u8::from(t.month()) - 1)],
                t.day(),
                t.hour(),
                t.minute(),
                t.second(),
                t.year()
            )
        }
    }
}

fn header(li: u8, vn: u8, mode: u8) -> u8 {
    li << 6 | vn << 3 | mode
}

fn read_u64(p: &[u8; PACKET_LEN], at: usize) -> u64 {
    let mut bytes = [0; 8];
    bytes.copy_from_slice(&p[at..at + 8]);
    u64::from_be_bytes(bytes)
}

/// splitmix64 (Steele et al.): the module has no OS randomness, and the
/// nonce needs only to be unlikely to repeat, not secret. A seeded
/// generator keeps runs deterministic: same seed, same bytes.
#[derive(Debug, Clone)]
struct SplitMix64(u64);

impl SplitMix64 {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
}

#[cfg(test)]
mod tests;
