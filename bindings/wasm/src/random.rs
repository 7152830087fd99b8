//! Masking keys and handshake nonces from Web Crypto (RFC 6455 §10.3), drawn
//! in batches: a client frame needs 4 bytes, and a call out to JavaScript for
//! each of them cost more than the rest of the send.

use core::cell::RefCell;

use wasm_bindgen::{JsCast, JsValue};
use web_sys::Crypto;
use wsframe::{RandomError, RandomSource};

use crate::error::js_error;

/// Bytes drawn per call to `getRandomValues`: 2,048 masking keys. A call
/// costs microseconds in Node (`randomFillSync`); with 256 bytes it was a
/// third of a 16-byte client send. ws pools 8 KiB the same way.
const POOL: usize = 8192;

thread_local! {
    /// The pool and how much of it was handed out (`pool[used..]` was not):
    /// one for the whole module (wasm runs it on one thread), not 8 KiB per
    /// connection.
    static SHARED: RefCell<([u8; POOL], usize)> = const { RefCell::new(([0; POOL], POOL)) };
}

/// The global `crypto` (Node >= 19 and 18 through the package's entry, Deno,
/// Bun, workerd, browsers).
fn crypto() -> Result<Crypto, JsValue> {
    let crypto = js_sys::Reflect::get(&js_sys::global(), &"crypto".into())?;
    // Not `dyn_into`: Node 18's `webcrypto` is not an instance of a global `Crypto`.
    (!crypto.is_null_or_undefined()).then(|| crypto.unchecked_into()).ok_or_else(no_crypto)
}

fn no_crypto() -> JsValue {
    js_error("WsframeError", "NO_CRYPTO", "crypto.getRandomValues is unavailable")
}

/// Fills `dest` from `crypto.getRandomValues` (at most 65,536 bytes, Web
/// Crypto's limit per call).
///
/// # Errors
///
/// A `WsframeError` with code `NO_CRYPTO` when Web Crypto is missing.
pub(crate) fn fill(dest: &mut [u8]) -> Result<(), JsValue> {
    crypto()?.get_random_values_with_u8_array(dest).map(|_| ()).map_err(|_| no_crypto())
}

/// Web Crypto as the core's key source, through the shared pool. Every byte
/// is handed out once and then zeroed; a server never draws from it; on a
/// failed draw the core sends nothing rather than a predictable key.
#[derive(Debug, Clone)]
pub(crate) struct WebCrypto;

impl RandomSource for WebCrypto {
    fn fill(&mut self, dest: &mut [u8]) -> Result<(), RandomError> {
        if dest.len() > POOL {
            return fill(dest).map_err(|_| RandomError);
        }
        SHARED.with_borrow_mut(|(pool, used)| {
            if POOL - *used < dest.len() {
                fill(pool).map_err(|_| RandomError)?;
                *used = 0;
            }
            let end = *used + dest.len();
            dest.copy_from_slice(pool.get(*used..end).ok_or(RandomError)?);
            // Handed out: not kept around in wasm memory either.
            pool.get_mut(*used..end).ok_or(RandomError)?.fill(0);
            *used = end;
            Ok(())
        })
    }
}
