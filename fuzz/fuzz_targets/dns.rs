//! `firmware_core::fuzzing::dns`: see its doc for the input format and
//! the invariants checked.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| firmware_core::fuzzing::dns(data));
