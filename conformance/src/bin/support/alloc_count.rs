//! A counting global allocator for `atcert`: `std::alloc::System` with a
//! count of the bytes allocated now and the most allocated at once since
//! the last reset, for `atcert swarm`'s memory checks, in total and for
//! the module alone. Only the binary installs it; the library takes the
//! measurement as an `AllocProbe`.
//!
//! Each block carries a header saying whether the module allocated it
//! ([`sim::heap::in_module`] at the time), so a block the module made and
//! the simulator frees (a packet's bytes) leaves the module's count, and
//! the reverse: the count is of the module's live blocks, not of the
//! module's calls.

use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicUsize, Ordering::Relaxed};

/// `System`, counted.
pub struct Counting;

struct Count {
    now: AtomicUsize,
    peak: AtomicUsize,
}

static ALL: Count = Count::new();
static MODULE: Count = Count::new();

impl Count {
    const fn new() -> Count {
        Count {
            now: AtomicUsize::new(0),
            peak: AtomicUsize::new(0),
        }
    }

    fn grew(&self, n: usize) {
        let now = self.now.fetch_add(n, Relaxed) + n;
        self.peak.fetch_max(now, Relaxed);
    }

    fn shrank(&self, n: usize) {
        self.now.fetch_sub(n, Relaxed);
    }

    fn reset_peak(&self) {
        self.peak.store(self.now.load(Relaxed), Relaxed);
    }
}

/// The header before each block: room for the mark, keeping the block's
/// alignment.
fn header(layout: Layout) -> usize {
    layout.align().max(16)
}

/// The layout asked of `System` for a block of `size` bytes.
fn outer(layout: Layout, size: usize) -> Layout {
    // SAFETY (of the unchecked call): the alignment is `layout`'s, a power
    // of two; the size cannot overflow for any block `System` could give.
    unsafe { Layout::from_size_align_unchecked(size + header(layout), layout.align()) }
}

fn grew(module: bool, n: usize) {
    ALL.grew(n);
    if module {
        MODULE.grew(n);
    }
}

fn shrank(module: bool, n: usize) {
    ALL.shrank(n);
    if module {
        MODULE.shrank(n);
    }
}

/// Marks a fresh block and returns what the caller sees of it.
///
/// # Safety
/// `base` is null or a block of `outer(layout, ..)`.
unsafe fn mark(base: *mut u8, layout: Layout) -> *mut u8 {
    if base.is_null() {
        return base;
    }
    let module = sim::heap::in_module();
    // SAFETY: the header lies inside the block.
    unsafe { base.write(u8::from(module)) };
    grew(module, layout.size());
    // SAFETY: the header is shorter than the block.
    unsafe { base.add(header(layout)) }
}

// SAFETY: every block comes from `System` with room for the header in
// front, and goes back to it with the same layout.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        // SAFETY: a non-zero size with the caller's alignment; the block is
        // ours to mark.
        unsafe { mark(System.alloc(outer(layout, layout.size())), layout) }
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        // SAFETY: as `alloc`.
        unsafe { mark(System.alloc_zeroed(outer(layout, layout.size())), layout) }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: `ptr` came from `mark`, its header in front of it.
        let base = unsafe { ptr.sub(header(layout)) };
        // SAFETY: the header was written by `mark`.
        let module = unsafe { base.read() } == 1;
        // SAFETY: the block `System` gave, with its layout.
        unsafe { System.dealloc(base, outer(layout, layout.size())) };
        shrank(module, layout.size());
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        // SAFETY: as `dealloc`; the block keeps its header and its mark.
        let base = unsafe { ptr.sub(header(layout)) };
        // SAFETY: the header was written by `mark`.
        let module = unsafe { base.read() } == 1;
        let outer_new = outer(layout, new_size).size();
        // SAFETY: the block `System` gave, with its layout.
        let p = unsafe { System.realloc(base, outer(layout, layout.size()), outer_new) };
        if p.is_null() {
            return p;
        }
        match new_size >= layout.size() {
            true => grew(module, new_size - layout.size()),
            false => shrank(module, layout.size() - new_size),
        }
        // SAFETY: the header is shorter than the block.
        unsafe { p.add(header(layout)) }
    }
}

#[global_allocator]
static GLOBAL: Counting = Counting;

/// The probe `atcert swarm` hands the library.
pub const PROBE: conformance::swarm::AllocProbe = conformance::swarm::AllocProbe {
    now: || ALL.now.load(Relaxed),
    peak: || ALL.peak.load(Relaxed),
    module_now: || MODULE.now.load(Relaxed),
    module_peak: || MODULE.peak.load(Relaxed),
    reset_peak: || {
        ALL.reset_peak();
        MODULE.reset_peak();
    },
};
