//! A fixed table of the network stack's sockets, by the core's IDs.
//!
//! An embedded stack has a fixed number of sockets, and one the core
//! closed is not free at once: a TCP socket lingers until its FIN is
//! acknowledged (seconds). A slot is handed out again only once the driver
//! says its socket is really gone, so a new CIPSTART never waits behind a
//! lingering one it was given by mistake.

use alloc::vec::Vec;

use firmware_core::SocketId;

#[derive(Debug)]
enum Slot<T> {
    Free,
    /// In use by a socket of the core.
    Open(SocketId, T),
    /// The core closed it; the stack has not let go yet.
    Closing(T),
}

/// `capacity` slots, each holding a driver's handle `T` for its socket.
#[derive(Debug)]
pub struct Slots<T> {
    slots: Vec<Slot<T>>,
}

impl<T> Slots<T> {
    /// A table of `capacity` free slots.
    pub fn new(capacity: usize) -> Self {
        Slots {
            slots: (0..capacity).map(|_| Slot::Free).collect(),
        }
    }

    /// Takes a free slot for `socket`; its index, or `Err(handle)` when
    /// every slot is open or lingering (the driver reports `Failed`).
    pub fn open(&mut self, socket: SocketId, handle: T) -> Result<usize, T> {
        match self.slots.iter().position(|s| matches!(s, Slot::Free)) {
            Some(i) => {
                self.slots[i] = Slot::Open(socket, handle);
                Ok(i)
            }
            None => Err(handle),
        }
    }

    /// The slot and handle of an open socket.
    pub fn get(&mut self, socket: SocketId) -> Option<(usize, &mut T)> {
        self.slots
            .iter_mut()
            .enumerate()
            .find_map(|(i, s)| match s {
                Slot::Open(id, h) if *id == socket => Some((i, h)),
                _ => None,
            })
    }

    /// The core closed `socket`, or the network ended it: the slot lingers
    /// until [`gone`](Self::gone). Returns its index and handle to start
    /// the close with.
    pub fn close(&mut self, socket: SocketId) -> Option<(usize, &mut T)> {
        let i = self
            .slots
            .iter()
            .position(|s| matches!(s, Slot::Open(id, _) if *id == socket))?;
        let Slot::Open(_, h) = core::mem::replace(&mut self.slots[i], Slot::Free) else {
            unreachable!("found above");
        };
        self.slots[i] = Slot::Closing(h);
        match &mut self.slots[i] {
            Slot::Closing(h) => Some((i, h)),
            _ => unreachable!("set above"),
        }
    }

    /// The stack let go of slot `index`'s socket: the slot is free again.
    pub fn gone(&mut self, index: usize) {
        if let Some(s) = self.slots.get_mut(index) {
            *s = Slot::Free;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_lingering_slot_is_not_handed_out_until_its_socket_is_gone() {
        let (a, b) = (SocketId::from_raw(3), SocketId::from_raw(4));
        let mut slots = Slots::new(1);
        assert_eq!(slots.open(a, "a"), Ok(0));
        assert_eq!(slots.close(a).map(|(i, _)| i), Some(0));
        assert!(slots.get(a).is_none(), "closed: no longer open");
        assert_eq!(slots.open(b, "b"), Err("b"), "still lingering");
        slots.gone(0);
        assert_eq!(slots.open(b, "b"), Ok(0));
        assert_eq!(slots.get(b).map(|(i, h)| (i, *h)), Some((0, "b")));
        assert!(slots.get(a).is_none());
    }
}
