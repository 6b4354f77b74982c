//! The logic of an AT TCP/IP Wi-Fi module (the `seed` dialect of
//! `spec/DECISIONS.md`), written once, with no I/O.
//!
//! This crate holds no networking code, no UART driver and no clock. A
//! driver — the simulator, the host port on a pseudo-terminal, the ESP32-C3
//! firmware, the QEMU image — feeds a [`Module`] the bytes its UART received,
//! the events of its network stack and the time, and carries out what the
//! module asks: bytes for the UART, [`NetCommand`]s for the network, settings
//! for non-volatile storage. DNS and SNTP run inside the module as real wire
//! protocols over UDP sockets it asks for; ping (ICMP) and TLS/DTLS are
//! services it asks of the driver.
//!
//! `#![no_std]` with `alloc`: every buffer is allocated once, at the size
//! the [`Dialect`] gives, and never grows with input.

#![no_std]
#![deny(unsafe_code)]
#![warn(missing_docs, unreachable_pub)]

extern crate alloc;
#[cfg(test)]
extern crate std;

mod command;
pub mod dialect;
mod dns;
#[cfg(feature = "fuzzing")]
#[doc(hidden)]
pub mod fuzzing;
mod link;
mod module;
mod net;
mod parser;
mod passthrough;
mod sntp;
mod store;
mod time;
mod tls;
mod uart;

pub use bytes::Bytes;
pub use dialect::{Dialect, ESP_AT, SEED};
pub use module::{Module, Usage};
pub use net::{
    AccessPoint, CloseReason, JoinFailure, Keepalive, NetCommand, NetEvent, Psk, SocketId,
};
pub use store::{Blob, DnsSetting, Settings, StationSettings};
pub use time::Instant;
