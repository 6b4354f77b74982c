//! Which heap allocations are the module's, for a counting allocator.
//!
//! The simulator allocates far more than the module (turmoil, peers, the
//! transcript), so a heap measured whole says little about the module.
//! The module host marks the calls into the core and the driver kit (the
//! code a device runs) as the module's, and the calls back out to the
//! simulated hardware (UART, sockets, flash, the transcript) as not. An
//! allocator that keeps the mark with each block (`atcert`'s does) can
//! then count the module's live bytes, whoever frees them.

use std::cell::Cell;

thread_local! {
    static MODULE: Cell<bool> = const { Cell::new(false) };
}

/// Whether an allocation now is the module's.
pub fn in_module() -> bool {
    MODULE.try_with(Cell::get).unwrap_or(false)
}

/// While alive, allocations are (or are not) the module's; the mark
/// before it comes back when it drops.
pub(crate) struct Scope(bool);

impl Scope {
    pub(crate) fn module(on: bool) -> Scope {
        Scope(MODULE.with(|m| m.replace(on)))
    }
}

impl Drop for Scope {
    fn drop(&mut self) {
        MODULE.with(|m| m.set(self.0));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scopes_nest_and_restore() {
        assert!(!in_module());
        {
            let _core = Scope::module(true);
            assert!(in_module());
            {
                let _io = Scope::module(false);
                assert!(!in_module());
            }
            assert!(in_module());
        }
        assert!(!in_module());
    }
}
