//! C ABI for the `wsframe` WebSocket (RFC 6455) core.
//!
//! A thin `extern "C"` layer: every function checks its pointers, converts C
//! enums with `TryFrom`, calls the core and maps its result to a
//! [`wsframe_result`]. No protocol logic lives here. The C header
//! `include/wsframe.h` is generated from these signatures and doc comments by
//! cbindgen (see `cbindgen.toml`); the README's "C API conventions" section
//! is the contract.
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
mod keepalive;
mod random;
mod raw;
mod result;
#[cfg(test)]
mod tests;
mod version;

pub use backoff::*;
pub use close::*;
pub use conn::*;
pub use deflate::*;
pub use handshake::*;
pub use keepalive::*;
pub use random::*;
pub use result::*;
pub use version::*;

/// Firmware builds have no std to provide a panic handler. The core is
/// panic-free by construction; should a panic happen anyway, stop here (the
/// build uses `panic = "abort"`, so nothing unwinds into C).
#[cfg(all(feature = "panic-handler", not(feature = "std"), not(test)))]
#[panic_handler]
fn panic(_: &core::panic::PanicInfo<'_>) -> ! {
    loop {
        core::hint::spin_loop();
    }
}
