//! Name resolution for `AT+CIPDOMAIN` (contract DM-1, DM-2, SS-4).
//!
//! A sans-IO stub resolver: it asks the configured recursive servers for an
//! A record over UDP (RFC 1035), one server at a time, and reports one
//! [`Outcome`]. The driver moves datagrams and time in and out; nothing here
//! blocks, reads a clock or touches a socket, so the whole exchange replays
//! byte for byte from a seed and a transcript.
//!
//! Memory is fixed per resolver: one name, at most three servers, at most
//! one query in flight and one datagram waiting to be sent. Responses are
//! bounded before they are parsed (see [`parse_bounded`]).

use alloc::vec::Vec;
use core::fmt;
use core::net::{Ipv4Addr, SocketAddrV4};
use core::time::Duration;

use simple_dns::rdata::RData;
use simple_dns::{
    CLASS, Label, Name, OPCODE, Packet, PacketFlag, QCLASS, QTYPE, Question, RCODE, ResourceRecord,
    TYPE, header_buffer,
};

use crate::time::Instant;

/// The DNS server port (RFC 1035 §4.2.1).
pub(crate) const PORT: u16 = 53;

/// Servers asked per lookup; further ones given to [`Resolver::start`] are
/// ignored, which bounds a lookup to three per-server timeouts per query.
const MAX_SERVERS: usize = 3;

/// Alias hops followed per lookup before giving up; stops CNAME loops, both
/// inside one response and across follow-up queries.
const MAX_CNAME_HOPS: u8 = 8;

/// Longest name in text form, trailing dot excluded: 255 octets on the wire
/// (RFC 1035 §2.3.4) less the first length octet and the root label.
const MAX_NAME_LEN: usize = 253;

/// Longest label (RFC 1035 §2.3.4).
const MAX_LABEL_LEN: usize = 63;

/// Largest response accepted. The query carries no EDNS record, so a
/// conforming server answers in at most 512 octets and sets TC instead
/// (RFC 1035 §4.2.1); anything longer is malformed.
const MAX_RESPONSE_LEN: usize = 512;

/// DNS header length (RFC 1035 §4.1.1).
const HEADER_LEN: usize = 12;

/// How a lookup ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Outcome {
    /// The name, after any aliases, has this address.
    Resolved(Ipv4Addr),
    /// A server answered that the name has no address, or the aliases ran
    /// too deep.
    NotFound,
    /// No server gave a usable answer in time.
    TimedOut,
}

/// The name given to [`Resolver::start`] is not a valid domain name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Invalid;

impl fmt::Display for Invalid {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("invalid domain name")
    }
}

impl core::error::Error for Invalid {}

/// A datagram for the driver to send from the resolver's UDP socket.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Transmit {
    /// Port 53 of the server being asked.
    pub(crate) to: SocketAddrV4,
    /// One DNS query message.
    pub(crate) payload: Vec<u8>,
}

/// A stub resolver for one lookup at a time.
#[derive(Debug)]
pub(crate) struct Resolver {
    /// splitmix64 state; see [`Resolver::next_id`].
    rng: u64,
    /// The previous query ID, so that consecutive queries never share one.
    last_id: u16,
    servers: [Option<Ipv4Addr>; MAX_SERVERS],
    per_server: Duration,
    /// The name being asked about now: the caller's, or the end of an
    /// alias chain.
    name: WireName,
    /// Alias hops followed so far in this lookup.
    hops: u8,
    state: State,
}

#[derive(Debug, Clone, Copy)]
enum State {
    Idle,
    Asking(Query),
    /// Finished; the outcome waits for [`Resolver::poll_outcome`].
    Done(Outcome),
}

/// The one query in flight.
#[derive(Debug, Clone, Copy)]
struct Query {
    /// Index into `Resolver::servers`.
    server: usize,
    id: u16,
    deadline: Instant,
    /// Not yet handed out by `poll_transmit`: nothing can answer it yet.
    unsent: bool,
}

/// What one datagram means for the query in flight.
#[expect(
    clippy::large_enum_variant,
    reason = "a short-lived stack value; boxing the name would allocate per alias"
)]
enum Verdict {
    /// Not an answer to this query.
    Ignore,
    /// This server can't help: ask the next one now.
    ServerFailed,
    Done(Outcome),
    /// The aliases end at this name, with this many hops so far: ask again.
    Follow(WireName, u8),
}

impl Resolver {
    /// A resolver whose query IDs derive from `seed`. The driver should seed
    /// it from a hardware RNG: predictable IDs make off-path spoofing easy.
    pub(crate) fn new(seed: u64) -> Self {
        Resolver {
            rng: seed,
            last_id: 0,
            servers: [None; MAX_SERVERS],
            per_server: Duration::ZERO,
            name: WireName::EMPTY,
            hops: 0,
            state: State::Idle,
        }
    }

    /// Begins a lookup; abandons any lookup in progress.
    ///
    /// `name` is a domain name in text form: at most 253 octets, labels of
    /// 1 to 63 octets of any value, separated by dots, with one optional
    /// trailing dot. An invalid name leaves the resolver as it was.
    /// `servers` are asked in order, each for `per_server`; only the first
    /// three count. With none, the lookup ends at once as `TimedOut`.
    pub(crate) fn start(
        &mut self,
        now: Instant,
        name: &[u8],
        servers: &[Ipv4Addr],
        per_server: Duration,
    ) -> Result<(), Invalid> {
        self.name = WireName::from_text(name)?;
        self.servers = [None; MAX_SERVERS];
        for (slot, &server) in self.servers.iter_mut().zip(servers) {
            *slot = Some(server);
        }
        self.per_server = per_server;
        self.hops = 0;
        self.ask(now, 0);
        Ok(())
    }

    /// Whether a lookup is under way or its outcome not yet collected.
    pub(crate) fn is_busy(&self) -> bool {
        !matches!(self.state, State::Idle)
    }

    /// Abandons the lookup, if any, and drops an uncollected outcome. A late
    /// answer is then ignored.
    pub(crate) fn cancel(&mut self) {
        self.state = State::Idle;
    }

    /// The next datagram to send (to port 53 of a server), once per query sent.
    pub(crate) fn poll_transmit(&mut self) -> Option<Transmit> {
        let State::Asking(query) = &mut self.state else {
            return None;
        };
        if !query.unsent {
            return None;
        }
        query.unsent = false;
        let server = self.servers.get(query.server).copied().flatten()?;
        // Building cannot fail for a name that passed `WireName`'s checks;
        // were it to, the query simply times out like a lost one.
        let payload = query_bytes(query.id, &self.name)?;
        Some(Transmit {
            to: SocketAddrV4::new(server, PORT),
            payload,
        })
    }

    /// A datagram that arrived on the resolver's socket.
    pub(crate) fn handle_datagram(&mut self, now: Instant, from: SocketAddrV4, data: &[u8]) {
        let State::Asking(query) = self.state else {
            return;
        };
        let Some(server) = self.servers.get(query.server).copied().flatten() else {
            return;
        };
        // Only the server being asked can answer; a late answer from one
        // already given up on is as foreign as a stranger's.
        if query.unsent || from != SocketAddrV4::new(server, PORT) {
            return;
        }
        match self.judge(query.id, data) {
            Verdict::Ignore => {}
            Verdict::ServerFailed => self.ask(now, query.server + 1),
            Verdict::Done(outcome) => self.state = State::Done(outcome),
            Verdict::Follow(name, hops) => {
                // Ask about the alias target, starting with the server that
                // knew the alias.
                self.name = name;
                self.hops = hops;
                self.ask(now, query.server);
            }
        }
    }

    /// Gives up on servers whose time is over; an early call does nothing.
    pub(crate) fn handle_timeout(&mut self, now: Instant) {
        // A loop, not one step, so that afterwards the deadline is always
        // later than `now`, even for a zero `per_server`. It ends: each pass
        // moves to a later server, and past the last one the lookup is done.
        while let State::Asking(query) = self.state {
            if now < query.deadline {
                return;
            }
            self.ask(now, query.server + 1);
        }
    }

    /// When [`Resolver::handle_timeout`] should next be called.
    pub(crate) fn poll_timeout(&self) -> Option<Instant> {
        match self.state {
            State::Asking(query) => Some(query.deadline),
            State::Idle | State::Done(_) => None,
        }
    }

    /// The result, reported once; after it the resolver is idle.
    pub(crate) fn poll_outcome(&mut self) -> Option<Outcome> {
        let State::Done(outcome) = self.state else {
            return None;
        };
        self.state = State::Idle;
        Some(outcome)
    }

    /// Queues a query for the current name to `servers[server]`, or ends
    /// the lookup when the list is used up.
    fn ask(&mut self, now: Instant, server: usize) {
        self.state = if self.servers.get(server).copied().flatten().is_some() {
            State::Asking(Query {
                server,
                id: self.next_id(),
                deadline: now + self.per_server,
                unsent: true,
            })
        } else {
            // Failing servers are treated as silent ones (DM-2), so running
            // out of servers is a timeout even if some of them answered.
            State::Done(Outcome::TimedOut)
        };
    }

    /// A fresh query ID from splitmix64 (Steele et al., 2014). The core has
    /// no entropy source of its own and must be deterministic, so IDs come
    /// from the seed: same seed, same bytes on the wire.
    fn next_id(&mut self) -> u16 {
        self.rng = self.rng.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.rng;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^= z >> 31;
        let mut id = (z >> 48) as u16;
        // 16 bits repeat by chance; a retry must not match a late answer to
        // the query it replaces.
        if id == self.last_id {
            id = id.wrapping_add(1);
        }
        self.last_id = id;
        id
    }

    /// Classifies a datagram from the server being asked.
    fn judge(&self, id: u16, data: &[u8]) -> Verdict {
        // Until the ID matches the datagram says nothing about this server,
        // so a header too short to carry an ID is noise, not a failure.
        match (
            header_buffer::id(data),
            header_buffer::has_flags(data, PacketFlag::RESPONSE),
        ) {
            (Ok(got), Ok(true)) if got == id => {}
            _ => return Verdict::Ignore,
        }
        let Some(packet) = parse_bounded(data) else {
            return Verdict::ServerFailed;
        };
        if !self.is_echoed(&packet.questions) {
            return Verdict::Ignore;
        }
        // TC: the answer didn't fit; there is no TCP fallback here (DM-2).
        if packet.opcode() != OPCODE::StandardQuery || packet.has_flags(PacketFlag::TRUNCATION) {
            return Verdict::ServerFailed;
        }
        match packet.rcode() {
            RCODE::NoError => self.follow(&packet.answers),
            // An authoritative "no such name" ends the search (DM-2).
            RCODE::NameError => Verdict::Done(Outcome::NotFound),
            // SERVFAIL, REFUSED, FORMERR, NOTIMP and anything unexpected
            // speak only for this server.
            _ => Verdict::ServerFailed,
        }
    }

    /// Whether the response repeats our question (RFC 1035 §7.3): a check,
    /// beyond the ID, that it answers this query and no other.
    fn is_echoed(&self, questions: &[Question<'_>]) -> bool {
        match questions {
            [q] => {
                q.qtype == QTYPE::TYPE(TYPE::A)
                    && q.qclass == QCLASS::CLASS(CLASS::IN)
                    && self.name.matches(&q.qname)
            }
            _ => false,
        }
    }

    /// Walks the alias chain from the name asked about to an address
    /// (RFC 1034 §3.6.2). Records may come in any order, so each step
    /// searches the whole answer section.
    fn follow(&self, answers: &[ResourceRecord<'_>]) -> Verdict {
        let mut hops = self.hops;
        // `None` while still at the name asked about.
        let mut alias: Option<&Name<'_>> = None;
        loop {
            let owned = answers
                .iter()
                .filter(|rr| rr.class == CLASS::IN && self.owns(rr, alias));
            let mut target = None;
            for rr in owned {
                match &rr.rdata {
                    RData::A(a) => return Verdict::Done(Outcome::Resolved(a.address.into())),
                    RData::CNAME(cname) if target.is_none() => target = Some(&cname.0),
                    _ => {}
                }
            }
            let Some(target) = target else { break };
            hops = hops.saturating_add(1);
            if hops > MAX_CNAME_HOPS {
                return Verdict::Done(Outcome::NotFound);
            }
            alias = Some(target);
        }
        match alias {
            // NOERROR without an address for the name itself: "no data".
            None => Verdict::Done(Outcome::NotFound),
            Some(end) => match WireName::from_name(end) {
                Some(name) => Verdict::Follow(name, hops),
                // An alias to the root has no address to find.
                None => Verdict::Done(Outcome::NotFound),
            },
        }
    }

    /// Whether `rr` is about the current step of the alias chain.
    fn owns(&self, rr: &ResourceRecord<'_>, alias: Option<&Name<'_>>) -> bool {
        match alias {
            None => self.name.matches(&rr.name),
            // `Name` equality ignores ASCII case, as DNS does (RFC 4343).
            Some(alias) => rr.name == *alias,
        }
    }
}

/// The query message: one question, type A, class IN, RD set because a stub
/// resolver relies on the server to recurse.
fn query_bytes(id: u16, name: &WireName) -> Option<Vec<u8>> {
    let mut packet = Packet::new_query(id);
    packet.set_flags(PacketFlag::RECURSION_DESIRED);
    packet.questions.push(Question::new(
        name.to_name(),
        QTYPE::TYPE(TYPE::A),
        QCLASS::CLASS(CLASS::IN),
        false,
    ));
    packet.build_bytes_vec().ok()
}

/// Parses a response whose length and record counts are plausible.
///
/// simple-dns reserves room for every record a header announces before it
/// reads one, so a 12-octet datagram announcing 65535 answers would cost
/// megabytes. Every question takes at least 5 octets (root name, type,
/// class) and every record at least 11, which bounds the counts by the
/// length, and the length is bounded by [`MAX_RESPONSE_LEN`].
fn parse_bounded(data: &[u8]) -> Option<Packet<'_>> {
    if data.len() > MAX_RESPONSE_LEN {
        return None;
    }
    let questions = usize::from(header_buffer::questions(data).ok()?);
    let records = [
        header_buffer::answers(data).ok()?,
        header_buffer::name_servers(data).ok()?,
        header_buffer::additional_records(data).ok()?,
    ]
    .into_iter()
    .map(usize::from)
    .sum::<usize>();
    if HEADER_LEN + 5 * questions + 11 * records > data.len() {
        return None;
    }
    Packet::parse(data).ok()
}

/// A domain name in wire form (length-prefixed labels) without the root
/// label; a fixed buffer so that names never allocate. Wire form, unlike
/// dotted text, also holds alias targets whose labels contain dots.
#[derive(Clone)]
struct WireName {
    buf: [u8; MAX_NAME_LEN + 1],
    len: u8,
}

impl WireName {
    const EMPTY: WireName = WireName {
        buf: [0; MAX_NAME_LEN + 1],
        len: 0,
    };

    /// A name from text: dots separate labels; any other octet, `\`
    /// included, is label content (there are no escapes at this interface).
    fn from_text(text: &[u8]) -> Result<Self, Invalid> {
        let text = text.strip_suffix(b".").unwrap_or(text);
        if text.is_empty() || text.len() > MAX_NAME_LEN {
            return Err(Invalid);
        }
        let mut name = WireName::EMPTY;
        for label in text.split(|&b| b == b'.') {
            if !name.push(label) {
                return Err(Invalid);
            }
        }
        Ok(name)
    }

    /// A copy of a parsed name; `None` for the root or a name too long.
    fn from_name(name: &Name<'_>) -> Option<Self> {
        let mut out = WireName::EMPTY;
        for label in name.get_labels() {
            if !out.push(label.as_ref()) {
                return None;
            }
        }
        (out.len > 0).then_some(out)
    }

    /// Appends a label; `false` if it is empty or too long, or the name
    /// would be.
    fn push(&mut self, label: &[u8]) -> bool {
        let Ok(len) = u8::try_from(label.len()) else {
            return false;
        };
        if label.is_empty() || label.len() > MAX_LABEL_LEN {
            return false;
        }
        let start = usize::from(self.len);
        let end = start + 1 + label.len();
        let Some((prefix, rest)) = self
            .buf
            .get_mut(start..end)
            .and_then(|slot| slot.split_first_mut())
        else {
            return false;
        };
        *prefix = len;
        rest.copy_from_slice(label);
        // `end` fits: the buffer is shorter than 256 octets.
        self.len = u8::try_from(end).unwrap_or(u8::MAX);
        true
    }

    fn labels(&self) -> impl Iterator<Item = &[u8]> {
        let mut rest = self.buf.get(..usize::from(self.len)).unwrap_or_default();
        core::iter::from_fn(move || {
            let (&len, tail) = rest.split_first()?;
            let (label, tail) = tail.split_at_checked(usize::from(len))?;
            rest = tail;
            Some(label)
        })
    }

    /// Same name, ignoring ASCII case (RFC 4343).
    fn matches(&self, name: &Name<'_>) -> bool {
        let theirs = name.get_labels();
        self.labels().count() == theirs.len()
            && self
                .labels()
                .zip(theirs)
                .all(|(ours, theirs)| ours.eq_ignore_ascii_case(theirs.as_ref()))
    }

    fn to_name(&self) -> Name<'_> {
        let labels: Vec<Label<'_>> = self.labels().map(Label::new_unchecked).collect();
        Name::new_with_labels(&labels)
    }
}

impl fmt::Debug for WireName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, label) in self.labels().enumerate() {
            if i > 0 {
                f.write_str(".")?;
            }
            write!(f, "{}", label.escape_ascii())?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests;
