//! C ABI for the `wsframe` WebSocket (RFC 6455) core.
//!
//! A thin `extern "C"` layer: every function checks its pointers, converts C
//! enums and structs, calls the core and maps its result to a
//! [`wsframe_result`]. No protocol logic lives here: message reassembly,
//! permessage-deflate, automatic replies and the heartbeat are the core's
//! `Session` (`wsframe_session`), framing its `Connection` (`wsframe_conn`).
//! The C header `include/wsframe.h` is generated from these signatures and
//! doc comments by cbindgen (see `cbindgen.toml`); the README's "C API
//! conventions" section is the contract.
//!
//! Raw-pointer work (`from_raw_parts`, `Box`, in-place objects, calling C
//! callbacks) is confined to the `raw` module.

#![no_std]
#![allow(non_camel_case_types)]

#[cfg(any(test, feature = "std"))]
extern crate std;

// The header lists items in this order.
mod backoff;
mod close;
mod conn;
mod deflate;
mod guard;
mod handshake;
mod raw;
mod result;
mod session;
// Miri's unit tests of the pointer work: kept with the C tests, compiled into the crate so
// they reach it as C does (an integration test cannot: this library is named like the core).
#[cfg(test)]
#[path = "../tests/unit/miri.rs"]
mod tests;
mod version;

pub use backoff::*;
pub use close::*;
pub use conn::*;
pub use deflate::*;
pub use handshake::*;
pub use result::*;
pub use session::*;
pub use version::*;

/// Firmware builds have no std to provide a panic handler. The core is
/// panic-free by construction; should a panic happen anyway, trap at once
/// (`udf` on Arm: a HardFault the board's handler or watchdog resets from)
/// rather than spin with the device looking alive. Nothing unwinds into C:
/// build with `--profile firmware` (`panic = "abort"`, see Cargo.toml).
#[cfg(all(feature = "panic-handler", not(feature = "std"), not(test)))]
#[panic_handler]
fn panic(_: &core::panic::PanicInfo<'_>) -> ! {
    // SAFETY: each instruction only raises the CPU's undefined-instruction
    // trap; `noreturn` is what it does.
    unsafe {
        #[cfg(any(target_arch = "arm", target_arch = "aarch64"))]
        core::arch::asm!("udf #0", options(noreturn));
        #[cfg(any(target_arch = "x86", target_arch = "x86_64"))]
        core::arch::asm!("ud2", options(noreturn));
        #[cfg(any(target_arch = "riscv32", target_arch = "riscv64"))]
        core::arch::asm!("unimp", options(noreturn));
    }
    #[allow(unreachable_code)]
    loop {
        core::hint::spin_loop();
    }
}
