//! Masking keys and handshake nonces from Web Crypto (RFC 6455 §10.3).

use wasm_bindgen::prelude::*;
use wsframe::{RandomError, RandomSource};

use crate::error::js_error;

#[wasm_bindgen]
extern "C" {
    // The global `crypto` (Node >= 19, Deno, Bun, workerd, browsers).
    #[wasm_bindgen(js_namespace = crypto, js_name = getRandomValues, catch)]
    fn get_random_values(dest: &mut [u8]) -> Result<JsValue, JsValue>;
}

/// Fills `dest` from `crypto.getRandomValues`.
///
/// # Errors
///
/// A `WsframeError` with code `NO_CRYPTO` when Web Crypto is missing.
pub(crate) fn fill(dest: &mut [u8]) -> Result<(), JsValue> {
    get_random_values(dest)
        .map(|_| ())
        .map_err(|_| js_error("WsframeError", "NO_CRYPTO", "crypto.getRandomValues is unavailable"))
}

/// Web Crypto as the core's key source. A server never draws from it; on a
/// failed draw the core sends nothing rather than a predictable key.
#[derive(Debug, Clone, Copy)]
pub(crate) struct WebCrypto;

impl RandomSource for WebCrypto {
    fn fill(&mut self, dest: &mut [u8]) -> Result<(), RandomError> {
        fill(dest).map_err(|_| RandomError)
    }
}
