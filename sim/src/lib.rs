//! The simulated world of an AT TCP/IP module, in deterministic time.
//!
//! A [`World`] holds the module (the real `firmware-core`, driven by a thin
//! host driver), the UART between it and the host MCU, the peers it talks
//! to and the network between them, all on [turmoil]. Scenarios write to
//! the UART, add peers and faults, step simulated time and read what came
//! back; every byte and network event lands in a [`Transcript`].
//!
//! Time moves in 1 ms steps, but only the hosts with something to do in a
//! step run in it, and [`World::run_until`] leaps over stretches in which
//! nothing can happen: turmoil is patched for both (`vendor/turmoil`,
//! `PATCH.md`), and neither changes a transcript.
//!
//! turmoil has no ICMP: a ping is modelled as a datagram to
//! [`peers::PING_PORT`] on the target host, echoed by a responder every peer
//! host runs. A TLS or DTLS link is the core's own session over a plain TCP
//! or UDP socket; its peers are OpenSSL's servers ([`peers::Psk`]).
//!
//! A [`Lab`] runs the same peers on the OS's sockets, on loopback addresses
//! and in real time, for a real module on a serial line: it is not
//! simulated and not deterministic.

#![warn(missing_docs)]

pub mod bench;
pub mod flash;
pub mod flight;
pub mod heap;
mod idle;
pub mod lab;
mod module_host;
pub mod peers;
pub mod script;
pub mod transcript;
pub mod uart;
pub mod world;

pub use lab::Lab;
pub use transcript::{Event, Transcript};
pub use uart::{Uart, UartConfig};
pub use world::{Builder, DNS_IP, MODULE_IP, World};
