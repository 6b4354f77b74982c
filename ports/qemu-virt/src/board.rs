//! What every image on `virt` needs besides the module: the heap, a text
//! writer on the UART, and the power switch (so the firmware and the bench
//! image share one copy).

use embedded_alloc::LlffHeap as Heap;

use crate::uart::Uart;

#[global_allocator]
static HEAP: Heap = Heap::empty();

/// Gives the allocator its memory: call once, before anything allocates.
pub fn init_heap() {
    unsafe extern "C" {
        /// From riscv-rt's link.x: the heap's size, as set in memory.x.
        static _heap_size: u8;
    }
    let start = riscv_rt::heap_start() as usize;
    let size = core::ptr::addr_of!(_heap_size) as usize;
    // SAFETY: the linker reserved `_heap_size` bytes at `heap_start()` for
    // the heap alone; this runs once, before anything allocates.
    unsafe { HEAP.init(start, size) }
}

/// Text on the UART (`write!`).
pub struct Out(pub Uart);

impl core::fmt::Write for Out {
    fn write_str(&mut self, s: &str) -> core::fmt::Result {
        self.0.write_all(s.as_bytes());
        Ok(())
    }
}

/// Powers off through `virt`'s test finisher (SiFive test device at
/// 0x10_0000): `0x5555` passes, `0x3333 | code << 16` exits with `code`.
pub fn exit(code: u32) -> ! {
    const FINISHER: usize = 0x10_0000;
    let value = if code == 0 {
        0x5555
    } else {
        0x3333 | (code << 16)
    };
    // SAFETY: the finisher is a device register; the write ends the run.
    unsafe { core::ptr::write_volatile(FINISHER as *mut u32, value) };
    loop {
        riscv::asm::wfi();
    }
}
