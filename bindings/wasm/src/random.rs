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
    get_random_values(dest).map(|_| ()).map_err(|_| {
        js_error(
            "WsframeError",
            "NO_CRYPTO",
            "crypto.getRandomValues is unavailable: clients need it for masking keys",
        )
    })
}

/// Where a connection's masking keys come from.
#[derive(Debug, Clone, Copy)]
pub(crate) enum KeySource {
    /// Servers never mask (RFC 6455 §5.1) and never draw.
    None,
    /// Web Crypto, shown to work when the source was made.
    WebCrypto,
}

impl KeySource {
    /// Web Crypto, after checking that it is there by drawing from it once,
    /// so that a failure cannot surface later as a weak key.
    pub(crate) fn web_crypto() -> Result<Self, JsValue> {
        fill(&mut [0u8; 4])?;
        Ok(Self::WebCrypto)
    }
}

impl RandomSource for KeySource {
    fn fill(&mut self, dest: &mut [u8]) -> Result<(), RandomError> {
        match self {
            // Unreachable for a server, which never masks.
            Self::None => Err(RandomError),
            // On failure the core sends nothing rather than a predictable key.
            Self::WebCrypto => fill(dest).map_err(|_| RandomError),
        }
    }
}
