//! A reference model of the `seed` dialect's AT state: a differential
//! oracle for the swarm (issue 15, item 2).
//!
//! Read DECISIONS.md first: the model is written from its clauses (and the
//! vendor page), never from the core's parser or executor, so that a
//! misreading in the core shows up as a disagreement rather than being
//! copied. It follows link slots, CIPMUX, CIPMODE, echo, the stored and
//! current settings, and says for each command line which final results
//! (and which information lines before them) the dialect allows.
//!
//! Where the network decides (a CIPSTART, a send whose link may go), the
//! model allows a set and follows the answer that came. An answer that
//! says a link the model holds open is gone must be explained by a
//! `CLOSED` before the next final result (RX-2, G-7); that keeps a race
//! allowed and a silent drop a finding. When the model cannot know (random
//! bytes typed, a hang), it forgets and learns again from queries,
//! CIPSTATUS and `ready`, rather than report what it cannot see.

use std::net::Ipv4Addr;

mod judge;
mod parse;
mod query;
mod settings;
#[cfg(test)]
mod tests;

use parse::{Kind, LINKS};
use settings::Settings;

/// An open link as the model knows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Link {
    kind: Kind,
    /// The server form's local port (SS-8).
    local: Option<u16>,
    /// A client's remote, when the line named an address.
    remote: Option<(Ipv4Addr, u16)>,
    /// A TCP server link has its peer (`None`: not known).
    peer: Option<bool>,
}

impl Link {
    fn tcp_server(&self) -> bool {
        self.local.is_some() && !self.kind.datagram()
    }
}

/// One link ID.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
enum Slot {
    #[default]
    Free,
    Open(Link),
    /// The module answered as if the link were gone: a `CLOSED` must come
    /// before the final result numbered `by` (RX-2), said by `why`.
    Closing {
        by: u64,
        why: String,
    },
    /// May be open or not.
    Unsure,
}

/// The model; see the module doc.
#[derive(Debug, Clone)]
pub struct Model {
    slots: [Slot; LINKS as usize],
    mux: Option<bool>,
    mode: Option<bool>,
    echo: Option<bool>,
    settings: Settings,
    /// PSKs per link (PK-1); `None`: not known.
    psk: Option<[Option<(String, String)>; LINKS as usize]>,
    /// The module's own address (SS-8's `<localip>`).
    own: Ipv4Addr,
    /// Final results judged so far.
    finals: u64,
    /// Nothing runs in the module (`busy p...` is wrong, G-6).
    quiet: bool,
    /// The link a CIPSEND prompt is taking data for.
    sending: Option<u8>,
    /// The link in passthrough.
    passthrough: Option<u8>,
    /// SNTP was enabled since boot: a time may have come (NT-4).
    sntp_enabled: bool,
    /// The passthrough round under way typed `+++`.
    plus: bool,
    /// Bytes of unknown shape may wait in the module's line buffer: the
    /// next line may be read glued to them, and refused.
    dirty: bool,
}

impl Model {
    /// The state after the first `ready`; `own` is the module's address.
    pub fn new(own: Ipv4Addr) -> Self {
        let mut m = Model {
            slots: Default::default(),
            mux: None,
            mode: None,
            echo: None,
            settings: Settings::default(),
            psk: None,
            own,
            finals: 0,
            quiet: true,
            sending: None,
            passthrough: None,
            sntp_enabled: false,
            plus: false,
            dirty: false,
        };
        m.ready();
        m
    }

    /// `ready` (B-2): no links, every volatile setting at its default,
    /// the store as it was (or as a store cut by power left it, B-6).
    pub fn ready(&mut self) {
        self.slots = Default::default();
        (self.mux, self.mode, self.echo) = (Some(false), Some(false), Some(true));
        self.psk = Some(Default::default());
        self.settings.boot();
        (self.quiet, self.sending, self.passthrough) = (true, None, None);
        self.sntp_enabled = false;
    }

    /// Input whose effect the model cannot tell (random bytes accepted, a
    /// command left unanswered, bytes a new boot read as commands).
    pub fn lost(&mut self) {
        self.slots = std::array::from_fn(|_| Slot::Unsure);
        (self.mux, self.mode, self.echo, self.psk) = (None, None, None, None);
        self.settings.lost();
        (self.quiet, self.sending, self.passthrough) = (false, None, None);
        self.sntp_enabled = true;
        self.dirty = true;
    }

    /// After a `ready` whose boot goes on to read bytes the host wrote
    /// before the power went: they may be any command, but only the one
    /// in flight may store (it is already a candidate, B-6).
    pub fn drained(&mut self) {
        let stored = self.settings.stored.clone();
        self.lost();
        self.settings.stored = stored;
    }

    /// The passthrough round typed `+++` somewhere (`passthrough_over`).
    pub fn passthrough_typed(&mut self, plus: bool) {
        self.plus |= plus;
    }

    /// Whether the model knows every link slot.
    pub fn links_known(&self) -> bool {
        !self.slots.contains(&Slot::Unsure)
    }

    /// A command line goes out (a store in it may land even without an
    /// answer, B-6).
    pub fn sent(&mut self, line: &[u8]) {
        match parse::parse(line) {
            parse::Parsed::Cmd(c) => self.settings.sent(&c),
            _ => self.settings.sent(&parse::Command::At),
        }
    }

    /// `CLOSED` / `<id>,CLOSED` (RX-2, CL-3).
    pub fn closed(&mut self, id: Option<u32>) -> Option<String> {
        let slot = match id {
            Some(id) => (id < u32::from(LINKS)).then_some(id as usize),
            None => self.only_link(),
        };
        // A link that went while CIPMUX changed may speak either form.
        let closing = slot.is_some_and(|i| matches!(self.slots[i], Slot::Closing { .. }));
        let form = self.form(id, "CLOSED").filter(|_| !closing);
        let Some(i) = slot.filter(|&i| self.slots[i] != Slot::Free) else {
            let unsure = id.is_none() && self.slots.contains(&Slot::Unsure);
            return form.or_else(|| {
                (!unsure).then(|| {
                    format!(
                        "RX-2/CL-3: `{}` for a link the model holds closed",
                        urc(id, "CLOSED")
                    )
                })
            });
        };
        self.slots[i] = Slot::Free;
        if self.passthrough == Some(i as u8) {
            self.passthrough = None;
        }
        form
    }

    /// The link a bare `CLOSED` or `+IPD` (CIPMUX=0) speaks of: the one
    /// the model holds open, or the one slot it is unsure of.
    fn only_link(&self) -> Option<usize> {
        let held = |i: &usize| matches!(self.slots[*i], Slot::Open(_) | Slot::Closing { .. });
        let (held, unsure): (Vec<usize>, Vec<usize>) = (0..self.slots.len())
            .filter(|&i| self.slots[i] != Slot::Free)
            .partition(held);
        match (&held[..], &unsure[..]) {
            ([i], _) | ([], [i]) => Some(*i),
            _ => None,
        }
    }

    /// `<id>,CONNECT`: a TCP server link's peer arrived (RX-2, SS-8).
    pub fn connect(&mut self, id: Option<u32>) -> Option<String> {
        let server = |s: &Slot| matches!(s, Slot::Open(l) if l.tcp_server());
        let i = match id {
            Some(id) => id as usize,
            None => (0..self.slots.len()).find(|&i| server(&self.slots[i]))?,
        };
        match self.slots.get_mut(i) {
            Some(Slot::Open(l)) if l.tcp_server() && l.peer != Some(true) => {
                l.peer = Some(true);
                None
            }
            Some(Slot::Unsure) => None,
            _ => Some(format!(
                "RX-2/SS-8: `{}` for no TCP server link waiting for a peer",
                urc(id, "CONNECT")
            )),
        }
    }

    /// `+IPD[,<id>],<len>:` (RX-1): the form CIPMUX asks for, on a link
    /// that is open.
    pub fn ipd(&mut self, id: Option<u32>) -> Option<String> {
        if let Some(d) = self.form(id, "+IPD") {
            return Some(d);
        }
        let i = id.map_or_else(|| self.only_link(), |id| Some(id as usize));
        match i.and_then(|i| self.slots.get(i)) {
            Some(Slot::Free) | None if self.links_known() => Some(format!(
                "RX-1: `+IPD` for link {id:?}, which the model holds closed"
            )),
            _ => None,
        }
    }

    /// The passthrough round ended (the guarded escape); `closed`: the
    /// raw output held `CLOSED` (PT-6). A `+++` typed in the round may
    /// have ended it early and made the rest commands (PT-4, PT-5).
    pub fn passthrough_over(&mut self, closed: bool) {
        let plus = std::mem::take(&mut self.plus);
        let Some(i) = self.passthrough.take() else {
            return;
        };
        self.slots[i as usize] = match (closed, plus) {
            (true, _) => Slot::Free,
            (false, true) => Slot::Unsure,
            (false, false) => std::mem::replace(&mut self.slots[i as usize], Slot::Free),
        };
        if plus {
            self.quiet = false;
        }
    }

    /// The URC's form against CIPMUX (RX-1, RX-2); an unknown CIPMUX is
    /// learnt from it.
    fn form(&mut self, id: Option<u32>, what: &str) -> Option<String> {
        match *self.mux.get_or_insert(id.is_some()) {
            mux if mux != id.is_some() => Some(format!(
                "RX-1/RX-2: `{}` with CIPMUX={}",
                urc(id, what),
                u8::from(mux)
            )),
            _ => None,
        }
    }
}

fn urc(id: Option<u32>, what: &str) -> String {
    match (id, what) {
        (Some(id), "+IPD") => format!("+IPD,{id},"),
        (None, "+IPD") => "+IPD,".into(),
        (Some(id), _) => format!("{id},{what}"),
        (None, _) => what.into(),
    }
}
