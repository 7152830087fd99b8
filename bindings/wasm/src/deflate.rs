//! permessage-deflate (RFC 7692) values between JavaScript and the core.
//! Every decision (which offer to take, what to answer, what a response may
//! say) is the core's. JavaScript passes a config or params as the numbers
//! `[serverNoContextTakeover, clientNoContextTakeover, serverMaxWindowBits,
//! clientMaxWindowBits, level]` (validated by the wrapper) and gets agreed
//! params back as the first four.

use wasm_bindgen::prelude::*;
use wsframe::extensions::deflate::{DeflateConfig, DeflateParams};

use crate::error::{extension_error, set};

/// The core's config from the wrapper's numbers (the core clamps the ranges).
pub(crate) fn config(f: &[u8]) -> DeflateConfig {
    let at = |i: usize| f.get(i).copied().unwrap_or_default();
    DeflateConfig::default()
        .with_server_no_context_takeover(at(0) != 0)
        .with_client_no_context_takeover(at(1) != 0)
        .with_max_window_bits(at(2), at(3))
        .with_level(at(4))
}

/// The parameters a config stands for when both ends agreed on them.
pub(crate) fn params(c: &DeflateConfig) -> DeflateParams {
    let (s, k) = (c.server_no_context_takeover, c.client_no_context_takeover);
    // The windows are in range (`config` clamps them), so `agreed` has params.
    DeflateParams::agreed(s, k, c.server_max_window_bits, c.client_max_window_bits)
        .unwrap_or_else(DeflateParams::default_params)
}

/// Agreed params as the numbers JavaScript turns into an object.
pub(crate) fn to_js(p: &DeflateParams) -> JsValue {
    let f = [
        u8::from(p.server_no_context_takeover),
        u8::from(p.client_no_context_takeover),
        p.server_max_window_bits,
        p.client_max_window_bits,
    ];
    js_sys::Uint8Array::from(&f[..]).into()
}

/// A header value written by the core (an offer or a response).
pub(crate) fn header(
    write: impl FnOnce(&mut [u8]) -> Result<usize, wsframe::extensions::ExtensionError>,
) -> Result<String, JsValue> {
    let mut buf = [0u8; 256];
    let n = write(&mut buf).map_err(extension_error)?;
    Ok(String::from_utf8_lossy(buf.get(..n).unwrap_or_default()).into_owned())
}

/// Server side (RFC 7692 §5, §7.1): the core picks the first acceptable
/// permessage-deflate offer in `extensions` (the request's
/// `Sec-WebSocket-Extensions`) under `config`. Returns `null` when none is
/// acceptable, else `{ response, params }`.
///
/// # Errors
///
/// A `HandshakeError` if the response cannot be written (it always fits).
#[wasm_bindgen(js_name = negotiateDeflate)]
pub fn negotiate_deflate(extensions: Option<String>, config: &[u8]) -> Result<JsValue, JsValue> {
    let offers = extensions.as_deref().unwrap_or_default();
    let Some(params) = self::config(config).negotiate([offers.as_bytes()]) else {
        return Ok(JsValue::NULL);
    };
    let obj: JsValue = js_sys::Object::new().into();
    set(&obj, "response", &header(|out| params.write_response(out))?.into());
    set(&obj, "params", &to_js(&params));
    Ok(obj)
}
