//! The bytes a TCP connection holds between one program's write and the
//! other program's read: what makes the simulated network push back.
//!
//! turmoil's TCP accepts every write at once and queues without bound, so
//! a module whose peer stops reading would never see its sends stall, and
//! SD-5 (`SEND OK` only once the network took the data) and PT-7 (the
//! passthrough buffer's bound) could not be reached end to end. A real
//! connection holds at most the sender's send buffer plus the receiver's
//! window; here each direction of each connection has one budget for both
//! ([`DEFAULT_BUDGET`]), a write waits while it is spent, and the reading
//! program's reads give it back.

use std::cell::RefCell;
use std::collections::BTreeMap;
use std::io;
use std::rc::Rc;

use tokio::io::{AsyncWrite, AsyncWriteExt};
use tokio::sync::Notify;

use crate::idle::IdleRef;

/// ESP-IDF's lwIP default send buffer (5744 bytes) plus a 64 KiB receive
/// window, as a Linux peer offers.
pub const DEFAULT_BUDGET: usize = 5744 + 65_535;

/// One direction of one connection: the module's port (the module has one
/// address, and no two of its connections share a port, SS-8), and whether
/// the bytes go to the peer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Key {
    /// The module's end of the connection.
    pub module_port: u16,
    /// From the module to the peer (else the other way).
    pub to_peer: bool,
}

impl Key {
    /// The same connection, the other way.
    pub fn reverse(self) -> Key {
        Key {
            to_peer: !self.to_peer,
            ..self
        }
    }
}

/// Every connection's bytes in flight.
#[derive(Debug)]
pub struct Flight {
    budget: usize,
    held: BTreeMap<Key, usize>,
    /// Wakes writers when a read frees budget.
    moved: Rc<Notify>,
    /// Told when a writer on another host may wake (see [`crate::idle`]).
    idle: Option<IdleRef>,
    /// Writers waiting for room.
    waiting: usize,
}

/// The world's one [`Flight`], shared by the module host and the peers.
pub type FlightRef = Rc<RefCell<Flight>>;

impl Default for Flight {
    fn default() -> Self {
        Flight {
            budget: DEFAULT_BUDGET,
            held: BTreeMap::new(),
            moved: Rc::new(Notify::new()),
            idle: None,
            waiting: 0,
        }
    }
}

impl Flight {
    /// A ledger for a world whose steps leave idle hosts alone.
    pub(crate) fn watched(idle: IdleRef) -> Flight {
        Flight {
            idle: Some(idle),
            ..Flight::default()
        }
    }

    /// Room changed: writers waiting for it, on any host, look again.
    fn wake_writers(&self) {
        if self.waiting == 0 {
            return;
        }
        self.moved.notify_waiters();
        if let Some(idle) = &self.idle {
            idle.poke();
        }
    }

    /// Sets the budget of every connection, from now on.
    pub fn set_budget(&mut self, budget: usize) {
        self.budget = budget.max(1);
        self.wake_writers();
    }

    /// Bytes `key` may take now.
    fn room(&self, key: Key) -> usize {
        self.budget
            .saturating_sub(self.held.get(&key).copied().unwrap_or(0))
    }

    /// The reading program took `n` bytes of `key`.
    pub fn read(&mut self, key: Key, n: usize) {
        if let Some(held) = self.held.get_mut(&key) {
            *held = held.saturating_sub(n);
        }
        self.wake_writers();
    }

    /// The connection ended: both directions hold nothing any more.
    pub fn forget(&mut self, key: Key) {
        self.held.remove(&key);
        self.held.remove(&key.reverse());
        self.wake_writers();
    }
}

/// Writes all of `bytes` on `wr`, waiting while `key`'s budget is spent.
/// Without a `flight` (real sockets, which push back by themselves) it is
/// a plain write loop.
pub async fn write<W: AsyncWrite + Unpin>(
    flight: Option<&FlightRef>,
    key: Key,
    wr: &mut W,
    mut bytes: &[u8],
) -> io::Result<()> {
    while !bytes.is_empty() {
        match write_some(flight, key, wr, bytes).await? {
            0 => return Err(io::ErrorKind::WriteZero.into()),
            n => bytes = &bytes[n..],
        }
    }
    Ok(())
}

/// Writes what the budget has room for of `bytes` (waiting for room if
/// there is none) and says how much. Cancel-safe: a write that did not
/// complete wrote nothing and spent nothing, so a peer can read while it
/// writes.
pub async fn write_some<W: AsyncWrite + Unpin>(
    flight: Option<&FlightRef>,
    key: Key,
    wr: &mut W,
    bytes: &[u8],
) -> io::Result<usize> {
    let Some(flight) = flight else {
        return wr.write(bytes).await;
    };
    loop {
        let moved = flight.borrow().moved.clone();
        let notified = moved.notified();
        let room = flight.borrow().room(key);
        if room == 0 {
            let _waiting = Waiting::new(flight);
            notified.await;
            continue;
        }
        let n = wr.write(&bytes[..room.min(bytes.len())]).await?;
        *flight.borrow_mut().held.entry(key).or_default() += n;
        return Ok(n);
    }
}

/// Counts a writer as waiting while it lives (a `select!` may drop it).
struct Waiting<'a>(&'a FlightRef);

impl<'a> Waiting<'a> {
    fn new(flight: &'a FlightRef) -> Self {
        flight.borrow_mut().waiting += 1;
        Waiting(flight)
    }
}

impl Drop for Waiting<'_> {
    fn drop(&mut self) {
        self.0.borrow_mut().waiting -= 1;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_give_the_budget_back() {
        let key = Key {
            module_port: 49152,
            to_peer: true,
        };
        let mut f = Flight::default();
        f.set_budget(100);
        assert_eq!(f.room(key), 100);
        *f.held.entry(key).or_default() += 80;
        assert_eq!(f.room(key), 20);
        assert_eq!(f.room(key.reverse()), 100);
        f.read(key, 50);
        assert_eq!(f.room(key), 70);
        f.forget(key.reverse());
        assert_eq!(f.room(key), 100);
    }
}
