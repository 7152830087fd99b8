#![doc = include_str!("../README.md")]
#![no_std]
#![forbid(unsafe_code)]
#![cfg_attr(docsrs, feature(doc_cfg))]
#![cfg_attr(not(test), deny(clippy::unwrap_used, clippy::expect_used, clippy::panic))]

#[cfg(feature = "alloc")]
extern crate alloc;
#[cfg(test)]
extern crate std;

pub mod backoff;
pub mod close;
pub mod conn;
pub mod error;
pub mod extensions;
pub mod frame;
pub mod handshake;
pub mod keepalive;
pub mod mask;
#[cfg(feature = "alloc")]
pub mod message;
mod random;
#[cfg(feature = "alloc")]
pub mod session;
pub mod utf8;

/// Whether this target takes the compact code paths: less code for the same
/// checks on the same bytes, at some speed. Hosted speed is measured (and
/// the wide paths written for) on x86, x86_64, aarch64 and wasm32, the
/// targets with the vector units LLVM and simdutf8 use; everything else is
/// mostly firmware (thumbv6m/v7em/v8m, riscv32, xtensa), where flash runs out
/// first: there the receive fast paths (`Connection::small_message`,
/// `whole_payload`, the whole-header decode) are left out for the general
/// path they duplicate, masking goes a word at a time with no 32-byte block
/// loop, headers and payloads are written by short loops and `memcpy`, and
/// UTF-8 goes straight to `core::str::from_utf8` (simdutf8's own fallback there).
/// DESIGN §6's firmware endpoint: 11,208 -> 9,420 B of `.text` on thumbv7em.
/// Both paths are tested on the host (`tests/firmware_size_paths.rs`).
/// Like the compact SHA-1 of `handshake::accept`, keyed on the target, not a
/// feature, so firmware gets it without asking; unlike it, wasm32 keeps the
/// fast paths, since its per-frame speed is what the npm package is measured on.
pub(crate) const COMPACT: bool = cfg!(not(any(
    target_arch = "x86",
    target_arch = "x86_64",
    target_arch = "aarch64",
    target_arch = "wasm32"
)));

pub use close::CloseCode;
pub use conn::{
    Batch, CloseFrame, Config, Connection, DataKind, Event, RawEvent, Received, Role, State,
};
pub use error::{Error, ProtocolError};
#[cfg(feature = "rand")]
pub use random::CryptoRandom;
pub use random::{NoRandom, RandomError, RandomSource};
