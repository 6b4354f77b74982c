//! esp-hal's linker script (it includes the memory map and the sections the
//! ROM bootloader and esp-radio need).

fn main() {
    println!("cargo:rustc-link-arg=-Tlinkall.x");
    println!("cargo:rerun-if-changed=build.rs");
}
