//! The conformance suite for AT TCP/IP modules.
//!
//! Feature files (Gherkin) speak the sentences of `spec/STEPS.md`; this
//! crate implements them (the step library), runs them against a device
//! under test ([`Dut`]: the simulated module, a device on a serial line or
//! `atmodule`) and reports clause by clause against the certified
//! dialect's contract (`spec/DECISIONS.md` for `seed`, `spec/esp-at.md` for
//! `esp-at`). The `atcert` command is its front end.

#![warn(missing_docs)]

pub mod bench;
pub mod certify;
pub mod dut;
pub mod failed_steps;
pub mod gate;
pub mod html;
pub mod junit;
pub mod lines;
pub mod preflight;
pub mod report;
pub mod runner;
mod steps;
pub mod swarm;
pub mod throughput;
pub mod world;

pub use dut::{Dut, Fault, SimDut};
pub use runner::{Config, ScenarioResult, Status, run};
pub use world::AtWorld;
