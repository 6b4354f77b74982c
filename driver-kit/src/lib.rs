//! The contract between `firmware-core` and the outside world, written
//! once for every driver (the simulator, `atmodule`, the ESP32-C3 and QEMU
//! images).
//!
//! A driver owns a UART, a network stack, a clock and some flash; this
//! crate owns the rules for feeding the core from them, which used to be
//! typed four times and drifted apart:
//! - [`Report`]: what a socket task tells the loop, owned so it can wait;
//! - [`Inbox`]: which reports wait for the core's room and which never do;
//! - [`Pieces`]: how UART bytes become the pieces the core reads (PT-2);
//! - [`Slots`]: a fixed socket table whose slots are reused only once their
//!   socket is really gone;
//! - [`Record`]: settings written to raw flash so that a power loss at any
//!   instant leaves the old blob or the new one (B-6);
//! - [`drain`]: the order outputs leave the core in;
//! - [`radio`]: access points on the air for a driver without a real radio
//!   (the simulator, `atmodule`): what the air answers to the core's Wi-Fi
//!   commands.
//!
//! No I/O, no clock, no allocation beyond the reports it holds: `no_std`
//! with `alloc`, so the firmware images use it as the host does.

#![no_std]
#![deny(unsafe_code)]
#![warn(missing_docs, unreachable_pub)]

extern crate alloc;
#[cfg(test)]
extern crate std;

mod drain;
mod inbox;
mod pieces;
pub mod radio;
mod record;
mod report;
mod slots;

pub use drain::{Io, drain};
pub use inbox::{Core, Hooked, Inbox};
pub use pieces::Pieces;
pub use record::Record;
pub use report::{Credited, Report};
pub use slots::Slots;
