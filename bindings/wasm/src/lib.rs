//! The WebAssembly binding of [`wsframe`], published to npm as `wsframe`.
//!
//! A thin layer: every protocol decision is the core's, the connection is its
//! `Session`. This crate only moves bytes between JavaScript and the core,
//! turns core errors into JavaScript `Error` objects, and draws masking keys
//! from Web Crypto. The hand-written ESM wrapper in `pkg/src/` builds the
//! public JavaScript API on top (see `pkg/README.md`).

#![cfg_attr(not(test), deny(clippy::unwrap_used, clippy::expect_used, clippy::panic))]

mod conn;
mod deflate;
mod error;
mod frame;
mod handshake;
mod liveness;
mod random;

pub use conn::Connection;
pub use deflate::negotiate_deflate;
pub use frame::*;
pub use handshake::*;
pub use liveness::*;

use wasm_bindgen::prelude::*;

/// The module's linear memory, so that the JavaScript wrapper can write input
/// and read payloads in place (the addresses the `Connection` reports).
#[wasm_bindgen(js_name = wasmMemory)]
pub fn wasm_memory() -> JsValue {
    wasm_bindgen::memory()
}

/// The crate version (from Cargo), e.g. `"0.1.0"`.
#[wasm_bindgen]
pub fn version() -> String {
    env!("CARGO_PKG_VERSION").into()
}
