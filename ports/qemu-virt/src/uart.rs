//! The `virt` machine's 16550 UART at 0x1000_0000, by polling.
//!
//! Registers are bytes, one apart: RBR (read) and THR (write) at +0, FCR at
//! +2, LCR at +3, LSR at +5. QEMU ignores the baud divisor, so the line has
//! no rate: bytes arrive as fast as the driver takes them, and QEMU holds
//! the rest back while the receive FIFO is full (nothing is lost).

use core::ptr::{read_volatile, write_volatile};

/// UART0 of `virt` (hw/riscv/virt.c, `VIRT_UART0`).
const BASE: usize = 0x1000_0000;
const RBR_THR: usize = 0;
const FCR: usize = 2;
const LCR: usize = 3;
const LSR: usize = 5;
/// LSR: a received byte waits in RBR (the FIFO).
const LSR_DATA_READY: u8 = 1 << 0;
/// LSR: THR can take a byte.
const LSR_THR_EMPTY: u8 = 1 << 5;
/// FCR: FIFOs on and cleared, receive trigger level 14. QEMU hands the
/// UART up to that many bytes at once, so a line's `\r\n`, written by the
/// host in one go, reaches the driver in one piece.
const FCR_FIFO_14: u8 = 0b1100_0111;
/// LCR: 8 data bits, no parity, 1 stop bit.
const LCR_8N1: u8 = 0b0000_0011;

/// The UART's registers.
pub(crate) struct Uart(());

impl Uart {
    /// Takes the UART and sets it up: 8N1, FIFOs on. Switching the FIFOs
    /// on flushes them (16550, and QEMU's model), so a byte that reached the
    /// UART before this is lost: the host waits for `ready`, as it does
    /// with a real module.
    pub(crate) fn take() -> Self {
        let uart = Uart(());
        uart.write_reg(LCR, LCR_8N1);
        uart.write_reg(FCR, FCR_FIFO_14);
        uart
    }

    fn read_reg(&self, offset: usize) -> u8 {
        // SAFETY: BASE + offset is a register of the 16550 that `virt`
        // maps there; byte accesses have no other effect than the UART's.
        unsafe { read_volatile((BASE + offset) as *const u8) }
    }

    fn write_reg(&self, offset: usize, value: u8) {
        // SAFETY: as in `read_reg`.
        unsafe { write_volatile((BASE + offset) as *mut u8, value) }
    }

    /// A received byte, if one waits.
    pub(crate) fn read_byte(&self) -> Option<u8> {
        (self.read_reg(LSR) & LSR_DATA_READY != 0).then(|| self.read_reg(RBR_THR))
    }

    /// Sends `bytes`, waiting for room in the transmitter as it goes.
    pub(crate) fn write_all(&self, bytes: &[u8]) {
        for &b in bytes {
            while self.read_reg(LSR) & LSR_THR_EMPTY == 0 {}
            self.write_reg(RBR_THR, b);
        }
    }
}
