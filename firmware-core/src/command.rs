//! From a parsed line to a typed, validated command (G-4, G-5).
//!
//! Everything that can be checked without the module's state — forms,
//! parameter counts, ranges, string lengths — is checked here, so a command
//! that reaches execution is well formed and a bad one changes nothing.
//! The one piece of state consulted is CIPMUX, because CIPSSLCPSK's syntax
//! depends on it (PK-1).

use core::net::Ipv4Addr;

use crate::dialect::Dialect;
use crate::parser::{Arg, Args, Form, Request, parse_ipv4};

/// A link ID the dialect has (SS-2).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) struct LinkId(pub(crate) u8);

/// One link, or all of them (CL-1, PK-1).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Target {
    One(LinkId),
    All,
}

/// A `<remotehost>`: an address, or a name to resolve (SS-4).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Host<'a> {
    Ip(Ipv4Addr),
    Name(&'a [u8]),
}

/// CIPSTART's `<type>` (SS-3).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kind {
    Tcp,
    Udp,
    Tls,
    Dtls,
}

impl Kind {
    /// The number CIPSTATUS prints (ST-2).
    pub(crate) fn code(self) -> u8 {
        match self {
            Kind::Tcp => 0,
            Kind::Udp => 1,
            Kind::Tls => 2,
            Kind::Dtls => 3,
        }
    }

    pub(crate) fn is_stream(self) -> bool {
        matches!(self, Kind::Tcp | Kind::Tls)
    }
}

/// AT+CIPSTART's parameters (SS-1).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Start<'a> {
    pub(crate) link: LinkId,
    pub(crate) kind: Kind,
    pub(crate) host: Host<'a>,
    pub(crate) port: u16,
    /// Seconds; 0 is off.
    pub(crate) keepalive: u16,
    /// The server form's local port and address (SS-8).
    pub(crate) server: Option<(u16, Ipv4Addr)>,
    /// A UDP link's own port, as a client (ET-5).
    pub(crate) local_port: Option<u16>,
    /// The address to send from: the station's own (ET-3).
    pub(crate) local_ip: Option<Ipv4Addr>,
    /// Whose datagrams change a UDP link's remote (ET-5).
    pub(crate) udp_mode: UdpMode,
    /// How long connecting may take, instead of the dialect's (ET-4).
    pub(crate) timeout: Option<core::time::Duration>,
}

/// ET-5's `<mode>`: whether a datagram from elsewhere changes the remote.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub(crate) enum UdpMode {
    /// The remote stays.
    #[default]
    Fixed,
    /// The first datagram from elsewhere moves it, once.
    Once,
    /// Every datagram's sender becomes it.
    Follow,
}

/// AT+CWJAP's set form (EW-4, EW-6, EW-7).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Join<'a> {
    /// `None`: the access point of the last successful join (EW-7).
    pub(crate) ap: Option<(&'a [u8], &'a [u8])>,
    pub(crate) bssid: Option<[u8; 6]>,
    pub(crate) reconnect_interval: Option<u16>,
    pub(crate) listen_interval: u8,
    pub(crate) scan_mode: u8,
    pub(crate) timeout: Option<u16>,
    pub(crate) pmf: u8,
}

/// The Wi-Fi station's commands (EW, EH).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Station<'a> {
    ModeQuery,
    Mode {
        mode: u8,
        auto_connect: bool,
    },
    Join(Join<'a>),
    JoinQuery,
    Leave,
    StateQuery,
    Addresses,
    AddressQuery,
    MacQuery,
    AutoConnectQuery,
    AutoConnect(bool),
    ReconnectQuery,
    Reconnect {
        interval: u16,
        repeat: u16,
    },
    DhcpQuery,
    Dhcp {
        on: bool,
        mask: u8,
    },
    Scan,
    ScanOptions {
        mask: u16,
        rssi_min: i8,
        auth_mask: u16,
    },
}

/// A command line, understood.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Command<'a> {
    At,
    Echo(bool),
    Reset,
    Restore,
    Version,
    SysstoreQuery,
    Sysstore(bool),
    Status,
    Start(Start<'a>),
    Send {
        link: LinkId,
        len: usize,
        to: Option<(Host<'a>, u16)>,
        /// AT+CIPSENDEX: `\0` in the data ends it early, `\\` is one
        /// backslash (ES-8).
        escapes: bool,
    },
    Passthrough,
    Close(Target),
    MuxQuery,
    Mux(bool),
    ModeQuery,
    Mode(bool),
    SntpConfigQuery,
    SntpConfig {
        enable: bool,
        /// Minutes east of UTC.
        timezone: Option<i16>,
        /// `None`: as before.
        servers: Option<heapless::Vec<&'a [u8], 3>>,
    },
    /// AT+CIPSNTPINTV (EN-6).
    SntpIntervalQuery,
    SntpInterval(u32),
    SntpTime,
    Ping(Host<'a>),
    /// `timeout`: the whole lookup's, instead of the dialect's per server.
    Domain {
        name: &'a [u8],
        timeout: Option<core::time::Duration>,
    },
    DnsQuery,
    /// `servers` empty with `manual`: the fallback server (DN-2).
    Dns {
        manual: bool,
        servers: heapless::Vec<Ipv4Addr, 3>,
    },
    /// The Wi-Fi station (EW).
    Station(Station<'a>),
    /// AT+CIPCLOSE's execute form: link 0, only with CIPMUX=0 (ET-2).
    CloseSingle,
    /// AT+CIPSTATE? (EQ-1).
    LinkStates,
    /// AT+CIPSTATUS's execute form (EQ-2).
    LinkStatus,
    /// AT+CIPSSLCCONF? (EK-3); its set form with auth mode 0 is `At`.
    SslConfigQuery,
    /// AT+UART_CUR / AT+UART_DEF (EH-1, EH-5): the rate in effect, or the
    /// stored one (`stored`).
    UartQuery {
        stored: bool,
    },
    /// The line runs at `baud` once the `OK` is out; with `store` that is
    /// also the rate after a restart.
    Uart {
        baud: u32,
        flow: bool,
        store: bool,
    },
    /// AT+CIPSERVER (ET-12): listen on `port`, or stop (`None`), closing
    /// the clients too with `close_clients`.
    ServerQuery,
    Server {
        port: Option<u16>,
        close_clients: bool,
    },
    /// AT+CIPSERVERMAXCONN (ET-13).
    ServerMaxQuery,
    ServerMax(u8),
    /// AT+CIPSTO (ET-14).
    ServerTimeoutQuery,
    ServerTimeout(u16),
    /// AT+CIPDINFO (ER-2).
    DinfoQuery,
    Dinfo(bool),
    /// AT+CIPRECVMODE / AT+CIPRECVTYPE (ER-3).
    ReceiveModeQuery,
    ReceiveTypeQuery,
    ReceiveMode {
        target: Target,
        passive: bool,
    },
    /// AT+CIPRECVDATA (ER-5).
    ReceiveData {
        link: LinkId,
        len: usize,
    },
    /// AT+CIPRECVLEN? (ER-7).
    ReceiveLengths,
    PskQuery,
    Psk {
        target: Target,
        key: &'a [u8],
        identity: &'a [u8],
    },
}

/// Why a line is not a command: always answered with `ERROR` (G-4).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Invalid;

pub(crate) type Result<T> = core::result::Result<T, Invalid>;

/// What a set form's parameters mean, under the module's state.
pub(crate) type SetFn = for<'a> fn(&'a Args<'a>, &Ctx<'_>) -> Result<Command<'a>>;

/// What a command's syntax may depend on besides its own text.
pub(crate) struct Ctx<'d> {
    pub(crate) d: &'d Dialect,
    /// The current CIPMUX: link-ID forms depend on it (PK-1, ET-2).
    pub(crate) mux: bool,
}

/// One command name of a dialect and what each of its forms means; a form
/// it lacks is `ERROR` (G-4). The test form (`=?`) is no dialect's.
#[derive(Clone, Copy)]
pub(crate) struct Entry {
    pub(crate) name: &'static [u8],
    exec: Option<&'static Command<'static>>,
    query: Option<&'static Command<'static>>,
    set: Option<SetFn>,
}

impl Entry {
    pub(crate) const fn new(name: &'static [u8]) -> Self {
        Entry {
            name,
            exec: None,
            query: None,
            set: None,
        }
    }

    pub(crate) const fn exec(mut self, c: &'static Command<'static>) -> Self {
        self.exec = Some(c);
        self
    }

    pub(crate) const fn query(mut self, c: &'static Command<'static>) -> Self {
        self.query = Some(c);
        self
    }

    pub(crate) const fn set(mut self, f: SetFn) -> Self {
        self.set = Some(f);
        self
    }
}

/// A dialect's command table: every command it has, by name.
#[derive(Clone, Copy)]
pub struct Table(pub(crate) &'static [Entry]);

impl Table {
    /// The command names, as the host types them after `AT`.
    pub fn names(&self) -> impl Iterator<Item = &'static [u8]> {
        self.0.iter().map(|e| e.name)
    }
}

impl core::fmt::Debug for Table {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_list()
            .entries(self.names().map(|n| n.escape_ascii()))
            .finish()
    }
}

impl PartialEq for Table {
    fn eq(&self, other: &Self) -> bool {
        self.names().eq(other.names())
    }
}

impl Eq for Table {}

impl<'a> Command<'a> {
    /// Understands `req` under dialect `d`; `mux` is the current CIPMUX.
    /// Also the command's name as the table spells it: its replies' prefix.
    pub(crate) fn from_request(
        req: &'a Request<'a>,
        d: &Dialect,
        mux: bool,
    ) -> Result<(Self, &'static [u8])> {
        let entry = d
            .commands
            .0
            .iter()
            .find(|e| e.name == req.name)
            .ok_or(Invalid)?;
        let command = match &req.form {
            Form::Exec => entry.exec.cloned().ok_or(Invalid),
            Form::Query => entry.query.cloned().ok_or(Invalid),
            Form::Set(a) => (entry.set.ok_or(Invalid)?)(a, &Ctx { d, mux }),
            // G-4: `=?` for every command.
            Form::Test => Err(Invalid),
        };
        command.map(|c| (c, entry.name))
    }
}

pub(crate) fn arity(a: &Args<'_>, min: usize, max: usize) -> Result<()> {
    if (min..=max).contains(&a.len()) {
        Ok(())
    } else {
        Err(Invalid)
    }
}

pub(crate) fn arg<'x>(a: &'x Args<'_>, i: usize) -> Result<&'x Arg<'x>> {
    match a.get(i) {
        Some(arg) if !arg.is_omitted() => Ok(arg),
        _ => Err(Invalid),
    }
}

pub(crate) fn int(a: &Args<'_>, i: usize, min: i64, max: i64) -> Result<i64> {
    let v = arg(a, i)?.int().ok_or(Invalid)?;
    if (min..=max).contains(&v) {
        Ok(v)
    } else {
        Err(Invalid)
    }
}

pub(crate) fn flag(a: &Args<'_>, i: usize) -> Result<bool> {
    Ok(int(a, i, 0, 1)? == 1)
}

pub(crate) fn one_flag(a: &Args<'_>) -> Result<bool> {
    arity(a, 1, 1)?;
    flag(a, 0)
}

pub(crate) fn port(a: &Args<'_>, i: usize) -> Result<u16> {
    // The range makes the conversion infallible.
    u16::try_from(int(a, i, 1, 65535)?).map_err(|_| Invalid)
}

pub(crate) fn link(a: &Args<'_>, i: usize, d: &Dialect) -> Result<LinkId> {
    Ok(LinkId(int(a, i, 0, i64::from(d.links) - 1)? as u8))
}

pub(crate) fn target(a: &Args<'_>, i: usize, d: &Dialect) -> Result<Target> {
    let v = int(a, i, 0, i64::from(d.links))? as u8;
    Ok(if v == d.links {
        Target::All
    } else {
        Target::One(LinkId(v))
    })
}

pub(crate) fn nonempty<'x>(arg: &'x Arg<'_>) -> Result<&'x [u8]> {
    match arg.bytes() {
        [] => Err(Invalid),
        b => Ok(b),
    }
}

pub(crate) fn host<'x>(arg: &'x Arg<'_>, max: usize) -> Result<Host<'x>> {
    let bytes = nonempty(arg)?;
    if let Some(ip) = parse_ipv4(bytes) {
        return Ok(Host::Ip(ip));
    }
    if bytes.len() > max {
        Err(Invalid)
    } else {
        Ok(Host::Name(bytes))
    }
}

/// Whether `name` is a domain name in text form (DM-1): labels of 1 to 63
/// bytes separated by dots, one optional trailing dot, at most 253 bytes.
pub(crate) fn is_domain_name(name: &[u8]) -> bool {
    let name = name.strip_suffix(b".").unwrap_or(name);
    !name.is_empty()
        && name.len() <= 253
        && name
            .split(|&b| b == b'.')
            .all(|label| (1..=63).contains(&label.len()))
}
