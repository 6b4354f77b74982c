//! What the passthrough path allocates, counted with a global allocator so
//! the claim is measured, not assumed.
//!
//! Packets leave as slices of the core's passthrough buffer (`Bytes`): no
//! copy and no `Vec` per packet. The buffer's storage is reused when it
//! wraps, unless a packet is still out with the driver at that moment
//! (one always is on a busy link); then a fresh buffer is allocated and
//! the old one freed with the last packet: two allocations (the storage
//! and its shared header) per wrap of the buffer, not one per packet.

use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use atcert_benches::{Bench, PEER};
use firmware_core::{NetEvent, SEED};

struct Counting;

static ALLOCATIONS: AtomicUsize = AtomicUsize::new(0);

// SAFETY: forwards to the system allocator; only counts.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        ALLOCATIONS.fetch_add(1, Ordering::Relaxed);
        // SAFETY: the caller's contract, passed on.
        unsafe { System.alloc(layout) }
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: the caller's contract, passed on.
        unsafe { System.dealloc(ptr, layout) }
    }
}

#[global_allocator]
static GLOBAL: Counting = Counting;

/// Allocations made by `f`.
fn allocations(f: impl FnOnce()) -> usize {
    let before = ALLOCATIONS.load(Ordering::Relaxed);
    f();
    ALLOCATIONS.load(Ordering::Relaxed) - before
}

#[test]
fn the_passthrough_path_allocates_per_buffer_wrap_at_most_and_never_per_packet() {
    const PIECES: usize = 256;
    let data: Vec<u8> = (0..1024).map(|k| (k % 251) as u8).collect();
    let mut b = Bench::passthrough();
    let pieces = |b: &mut Bench, n: usize| {
        for _ in 0..n {
            // 1024 bytes at 921600 baud take 11.1 ms.
            b.now = b.now + Duration::from_micros(11_111);
            b.m.handle_uart(b.now, &data);
            b.drain();
        }
    };
    pieces(&mut b, 64);
    let host_to_net = allocations(|| pieces(&mut b, PIECES));
    let socket = b.links[0];
    let net_to_host = allocations(|| {
        for _ in 0..PIECES {
            let event = NetEvent::Received {
                socket,
                from: PEER,
                data: &data,
            };
            b.m.handle_net(b.now, event);
            b.drain();
        }
    });
    let wraps = PIECES * data.len() / SEED.passthrough_buffer;
    // 256 KiB each way: about 180 packets out (one `Vec` each before),
    // 256 reads in.
    println!(
        "allocations per {PIECES} KiB: host to network {host_to_net} ({wraps} buffer wraps), network to host {net_to_host}"
    );
    assert!(host_to_net <= 2 * wraps, "{host_to_net} allocations");
    assert_eq!(net_to_host, 0);
}
