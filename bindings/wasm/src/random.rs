//! Masking keys and handshake nonces from Web Crypto (RFC 6455 §10.3), drawn
//! in batches: a client frame needs 4 bytes, and a call out to JavaScript for
//! each of them cost more than the rest of the send.

use wasm_bindgen::{JsCast, JsValue};
use web_sys::Crypto;
use wsframe::{RandomError, RandomSource};

use crate::error::js_error;

/// Bytes drawn per call to `getRandomValues`: 64 masking keys.
const POOL: usize = 256;

/// The global `crypto` (Node >= 19 and 18 through the package's entry, Deno,
/// Bun, workerd, browsers).
fn crypto() -> Result<Crypto, JsValue> {
    let crypto = js_sys::Reflect::get(&js_sys::global(), &"crypto".into())?;
    if crypto.is_undefined() || crypto.is_null() {
        return Err(no_crypto());
    }
    // Not `dyn_into`: Node 18's `webcrypto` is not an instance of a global `Crypto`.
    Ok(crypto.unchecked_into())
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

/// Web Crypto as the core's key source, with a pool refilled 256 bytes at a
/// time. Every byte is handed out once; a server never draws from it; on a
/// failed draw the core sends nothing rather than a predictable key.
#[derive(Debug, Clone)]
pub(crate) struct WebCrypto {
    pool: [u8; POOL],
    /// `pool[used..]` has not been handed out.
    used: usize,
}

impl WebCrypto {
    pub(crate) const fn new() -> Self {
        Self { pool: [0; POOL], used: POOL }
    }
}

impl RandomSource for WebCrypto {
    fn fill(&mut self, dest: &mut [u8]) -> Result<(), RandomError> {
        if dest.len() > POOL {
            return fill(dest).map_err(|_| RandomError);
        }
        if POOL - self.used < dest.len() {
            fill(&mut self.pool).map_err(|_| RandomError)?;
            self.used = 0;
        }
        let end = self.used + dest.len();
        dest.copy_from_slice(self.pool.get(self.used..end).ok_or(RandomError)?);
        // Handed out: not kept around in wasm memory either.
        self.pool.get_mut(self.used..end).ok_or(RandomError)?.fill(0);
        self.used = end;
        Ok(())
    }
}
