//! Time from the CLINT: `mtime` to [`Instant`], in this one place, and
//! sleeping until an instant with `mtimecmp` and `wfi`.
//!
//! `virt`'s CLINT counts at 10 MHz (hw/riscv/virt.c, the ACLINT default
//! timebase). Under QEMU's TCG it follows the host's clock.

use core::ptr::{read_volatile, write_volatile};

use firmware_core::Instant;

/// `mtime`, a 64-bit counter, as two words.
const MTIME: usize = 0x0200_BFF8;
/// Hart 0's `mtimecmp`.
const MTIMECMP: usize = 0x0200_4000;
const TICKS_PER_MICRO: u64 = 10;

/// The machine timer.
pub(crate) struct Clock {
    boot: u64,
}

impl Clock {
    /// Starts counting: [`Instant::ZERO`] is now. Enables the machine-timer
    /// interrupt source (not interrupts: `mstatus.MIE` stays clear, so a
    /// due timer only ends a `wfi`, and no trap is taken).
    pub(crate) fn start() -> Self {
        // SAFETY: setting MTIE in `mie` has no effect while `mstatus.MIE`
        // is clear, which it is from reset on; riscv-rt does not set it.
        unsafe { riscv::register::mie::set_mtimer() };
        Clock { boot: ticks() }
    }

    /// Now, for the core.
    pub(crate) fn now(&self) -> Instant {
        Instant::from_micros(ticks().saturating_sub(self.boot) / TICKS_PER_MICRO)
    }

    /// Waits (the hart halts in `wfi`) until `at`, or returns at once if it
    /// has passed. A spurious wake-up returns early; callers loop anyway.
    pub(crate) fn sleep_until(&self, at: Instant) {
        let target = self
            .boot
            .saturating_add(at.as_micros().saturating_mul(TICKS_PER_MICRO));
        set_mtimecmp(target);
        if ticks() < target {
            riscv::asm::wfi();
        }
    }
}

fn read_word(addr: usize) -> u32 {
    // SAFETY: `addr` is a CLINT register `virt` maps; reading it has no
    // side effect.
    unsafe { read_volatile(addr as *const u32) }
}

fn write_word(addr: usize, value: u32) {
    // SAFETY: `addr` is hart 0's `mtimecmp`, which only this driver uses.
    unsafe { write_volatile(addr as *mut u32, value) }
}

/// `mtime`: high, low, high again, so a carry between the two reads is
/// not torn (RV32 has no 64-bit load).
fn ticks() -> u64 {
    loop {
        let hi = read_word(MTIME + 4);
        let lo = read_word(MTIME);
        if read_word(MTIME + 4) == hi {
            return (u64::from(hi) << 32) | u64::from(lo);
        }
    }
}

/// The privileged spec's sequence for a 64-bit `mtimecmp` on RV32: the low
/// word to the maximum first, so that no intermediate value fires early.
fn set_mtimecmp(at: u64) {
    write_word(MTIMECMP, u32::MAX);
    write_word(MTIMECMP + 4, (at >> 32) as u32);
    write_word(MTIMECMP, at as u32);
}
