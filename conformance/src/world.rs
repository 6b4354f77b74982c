//! The cucumber world: one scenario's DUT and what the steps remember.

use std::cell::RefCell;
use std::collections::BTreeMap;
use std::fmt;
use std::net::{Ipv4Addr, SocketAddrV4};
use std::rc::Rc;
use std::time::Duration;

use sim::peers::{Clock, DnsState, Shared};

use crate::dut::Dut;
use crate::lines::{Fault, Framing, next_framed};

/// How long a `Then` waits before it fails (spec/STEPS.md).
pub const THEN_LIMIT: Duration = Duration::from_secs(5);

/// A peer a scenario named by its address and port.
pub struct Peer {
    /// What it observed; where requests go.
    pub shared: Shared,
    /// Bytes of its data stream it sent so far.
    pub data_sent: usize,
    /// Bytes of its data stream the host has checked so far.
    pub data_checked: usize,
}

/// One scenario's state.
#[derive(cucumber::World)]
#[world(init = Self::new)]
pub struct AtWorld {
    dut: Option<Box<dyn Dut>>,
    /// UART bytes read from the module and not yet taken by a step.
    pub rx: Vec<u8>,
    /// The last bytes taken as lines, for the framing check (G-9).
    pub tail: Vec<u8>,
    /// Bytes of the host's data stream sent so far.
    pub host_data_sent: usize,
    /// Peers by the address and port they are named by.
    pub peers: BTreeMap<SocketAddrV4, Peer>,
    /// The peer that sent data last: "the peer's data" is its stream.
    pub data_peer: Option<SocketAddrV4>,
    /// DNS servers a scenario set up besides the network's.
    pub dns_servers: BTreeMap<Ipv4Addr, Rc<RefCell<DnsState>>>,
    /// SNTP servers' clocks, by address.
    pub sntp_clocks: BTreeMap<Ipv4Addr, Rc<RefCell<Clock>>>,
    /// Access points the scenario put on the module's radio: SSID →
    /// password (`None`: open).
    pub access_points: BTreeMap<Vec<u8>, Option<Vec<u8>>>,
    /// The DUT's dialect's framing, once there is a DUT.
    framing: Option<Framing>,
}

impl fmt::Debug for AtWorld {
    /// What a failing scenario prints: which DUT, and the transcript.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.dut {
            Some(dut) => write!(f, "{}\n{}", dut.describe(), dut.transcript()),
            None => f.write_str("(no DUT)"),
        }
    }
}

impl AtWorld {
    fn new() -> Self {
        AtWorld {
            dut: None,
            rx: Vec::new(),
            tail: Vec::new(),
            host_data_sent: 0,
            peers: BTreeMap::new(),
            data_peer: None,
            dns_servers: BTreeMap::new(),
            sntp_clocks: BTreeMap::new(),
            access_points: BTreeMap::new(),
            framing: None,
        }
    }

    /// Gives the scenario its DUT (the runner's `before` hook does).
    pub fn set_dut(&mut self, dut: Box<dyn Dut>) {
        self.framing = Some(Framing::of(dut.dialect()));
        self.dut = Some(dut);
    }

    /// The dialect the DUT is certified for.
    pub fn dialect(&mut self) -> &'static firmware_core::Dialect {
        self.dut().dialect()
    }

    /// The DUT.
    ///
    /// # Panics
    /// If the runner gave the scenario none.
    pub fn dut(&mut self) -> &mut dyn Dut {
        self.dut
            .as_deref_mut()
            .expect("the runner sets a DUT before the first step")
    }

    /// The DUT's transcript, if there is a DUT.
    pub fn transcript(&self) -> Option<String> {
        self.dut.as_ref().map(|d| d.transcript())
    }

    /// Lets one tick pass and keeps what the module sent.
    pub fn tick(&mut self) {
        self.dut().tick();
        self.keep_output();
    }

    /// [`tick`](Self::tick), or more where nothing can happen before `end`
    /// ([`Dut::tick_toward`]).
    fn tick_toward(&mut self, end: Duration) {
        self.dut().tick_toward(end);
        self.keep_output();
    }

    /// Keeps what the module sent since the last look.
    fn keep_output(&mut self) {
        let bytes = self.dut().host_read();
        self.rx.extend(bytes);
    }

    /// Lets `d` pass once the line has carried every byte the host sent
    /// (STEPS.md: `the host waits` is that long a silence on the UART).
    pub fn wait(&mut self, d: Duration) {
        let carried = self.wait_until(Duration::from_secs(60), |w| w.dut().host_pending() == 0);
        assert!(carried, "the line did not carry the host's bytes in 60 s");
        let end = self.dut().now() + d;
        while self.dut().now() < end {
            self.tick_toward(end);
        }
    }

    /// Ticks until `done` holds or `limit` passed; whether it held.
    pub fn wait_until(
        &mut self,
        limit: Duration,
        mut done: impl FnMut(&mut AtWorld) -> bool,
    ) -> bool {
        let end = self.dut().now() + limit;
        loop {
            if done(self) {
                return true;
            }
            if self.dut().now() >= end {
                return false;
            }
            self.tick_toward(end);
        }
    }

    /// The next logical line from the module, waiting up to `limit`; fails
    /// the scenario when its framing is wrong (G-9).
    pub fn next_line(&mut self, limit: Duration) -> Option<Vec<u8>> {
        let mut got: Option<(Vec<u8>, Option<Fault>)> = None;
        let framing = self
            .framing
            .clone()
            .expect("the runner sets a DUT before the first step");
        self.wait_until(limit, |w| {
            got = next_framed(&mut w.rx, &mut w.tail, &framing);
            got.is_some()
        });
        let (line, fault) = got?;
        if let Some(fault) = fault {
            panic!("G-9 framing: {fault}");
        }
        Some(line)
    }

    /// What the module sent that no step took, after letting a little
    /// time pass (`None` if nothing, or only line ends).
    pub fn unconsumed(&mut self) -> Option<String> {
        self.wait(Duration::from_millis(50));
        let left = self.rx.iter().any(|&b| b != b'\r' && b != b'\n');
        left.then(|| self.rx.escape_ascii().to_string())
    }

    /// Takes `n` raw bytes (they must be there): what follows them starts
    /// with no known line before it.
    pub fn take_raw(&mut self, n: usize) -> Vec<u8> {
        self.tail.clear();
        self.rx.drain(..n).collect()
    }

    /// A peer the scenario named.
    ///
    /// # Panics
    /// If no step created it: the feature file is wrong.
    pub fn peer(&mut self, at: SocketAddrV4) -> &mut Peer {
        self.peers
            .get_mut(&at)
            .unwrap_or_else(|| panic!("no peer at {at}: a Given step must create it"))
    }
}
