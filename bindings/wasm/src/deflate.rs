//! permessage-deflate (RFC 7692): the core's negotiation and codec with
//! JavaScript values in and out. Every decision (which offer to take, what
//! to answer, what a response may say, how to compress and inflate) is the
//! core's; this module converts options and results.
//!
//! JavaScript sees one shape for what this end asks for (a config) and for
//! what both ends agreed on (params): `{ serverNoContextTakeover,
//! clientNoContextTakeover, serverMaxWindowBits, clientMaxWindowBits, level }`.

use wasm_bindgen::prelude::*;
use wsframe::extensions::ExtensionError;
use wsframe::extensions::deflate::{
    DeflateConfig, DeflateParams, MAX_WINDOW_BITS, MIN_WINDOW_BITS,
};

use crate::error::{js_error, set, type_error};

/// Room for the longest offer or response the core writes (about 120 bytes).
const HEADER_ROOM: usize = 256;

fn get(obj: &JsValue, key: &str) -> JsValue {
    js_sys::Reflect::get(obj, &JsValue::from_str(key)).unwrap_or(JsValue::UNDEFINED)
}

fn flag(obj: &JsValue, key: &str) -> Result<Option<bool>, JsValue> {
    let v = get(obj, key);
    if v.is_undefined() {
        return Ok(None);
    }
    v.as_bool().map(Some).ok_or_else(|| type_error(&format!("deflate.{key} must be a boolean")))
}

fn small_int(obj: &JsValue, key: &str, min: u8, max: u8) -> Result<Option<u8>, JsValue> {
    let v = get(obj, key);
    if v.is_undefined() {
        return Ok(None);
    }
    match v.as_f64() {
        Some(n) if n.fract() == 0.0 && n >= f64::from(min) && n <= f64::from(max) => {
            Ok(Some(n as u8))
        }
        _ => Err(type_error(&format!("deflate.{key} must be an integer in {min}..={max}"))),
    }
}

/// A JavaScript config (`true`, `undefined`, or the object shape above,
/// every field optional) as the core's config, starting from its defaults.
///
/// # Errors
///
/// A `TypeError` for another value or a field of the wrong type or range.
pub(crate) fn config_from_js(value: &JsValue) -> Result<DeflateConfig, JsValue> {
    let d = DeflateConfig::default();
    if value.is_undefined() || value.is_null() || value.as_bool() == Some(true) {
        return Ok(d);
    }
    if !value.is_object() {
        return Err(type_error("deflate must be true or an object"));
    }
    let (lo, hi) = (MIN_WINDOW_BITS, MAX_WINDOW_BITS);
    let server_bits = small_int(value, "serverMaxWindowBits", lo, hi)?;
    let client_bits = small_int(value, "clientMaxWindowBits", lo, hi)?;
    Ok(d.with_server_no_context_takeover(
        flag(value, "serverNoContextTakeover")?.unwrap_or(d.server_no_context_takeover),
    )
    .with_client_no_context_takeover(
        flag(value, "clientNoContextTakeover")?.unwrap_or(d.client_no_context_takeover),
    )
    .with_max_window_bits(
        server_bits.unwrap_or(d.server_max_window_bits),
        client_bits.unwrap_or(d.client_max_window_bits),
    )
    .with_level(small_int(value, "level", 0, 9)?.unwrap_or(d.level)))
}

/// The `deflate` option of a `Connection`: `None` when off (`undefined`,
/// `null`, `false`); `true` means the parameters a bare offer and response
/// agree on; an object gives them (as `negotiateDeflate` and `checkResponse`
/// return them). The level is this end's own choice, not negotiated.
///
/// # Errors
///
/// As for [`config_from_js`].
pub(crate) fn params_from_js(
    value: &JsValue,
) -> Result<Option<(DeflateParams, DeflateConfig)>, JsValue> {
    if value.is_undefined() || value.is_null() || value.as_bool() == Some(false) {
        return Ok(None);
    }
    let c = config_from_js(value)?;
    let mut p = DeflateParams::default_params();
    p.server_no_context_takeover = c.server_no_context_takeover;
    p.client_no_context_takeover = c.client_no_context_takeover;
    p.server_max_window_bits = c.server_max_window_bits;
    p.client_max_window_bits = c.client_max_window_bits;
    Ok(Some((p, c)))
}

/// Agreed parameters (and this end's level) as a frozen plain object.
pub(crate) fn params_to_js(p: &DeflateParams, level: u8) -> JsValue {
    shape(
        p.server_no_context_takeover,
        p.client_no_context_takeover,
        p.server_max_window_bits,
        p.client_max_window_bits,
        level,
    )
}

/// A config as a frozen plain object (what `clientRequest` offered).
pub(crate) fn config_to_js(c: &DeflateConfig) -> JsValue {
    shape(
        c.server_no_context_takeover,
        c.client_no_context_takeover,
        c.server_max_window_bits,
        c.client_max_window_bits,
        c.level,
    )
}

fn shape(snct: bool, cnct: bool, sbits: u8, cbits: u8, level: u8) -> JsValue {
    let obj = js_sys::Object::new();
    let v: &JsValue = obj.as_ref();
    set(v, "serverNoContextTakeover", &JsValue::from(snct));
    set(v, "clientNoContextTakeover", &JsValue::from(cnct));
    set(v, "serverMaxWindowBits", &JsValue::from(sbits));
    set(v, "clientMaxWindowBits", &JsValue::from(cbits));
    set(v, "level", &JsValue::from(level));
    js_sys::Object::freeze(&obj).into()
}

/// A failed extension negotiation as a `HandshakeError` (status 400: the
/// peer's answer was wrong) with a stable `code`.
pub(crate) fn extension_error(e: ExtensionError) -> JsValue {
    let code = match e {
        ExtensionError::MalformedParameter => "MALFORMED_EXTENSION_PARAMETER",
        ExtensionError::UnknownParameter => "UNKNOWN_EXTENSION_PARAMETER",
        ExtensionError::DuplicateParameter => "DUPLICATE_EXTENSION_PARAMETER",
        ExtensionError::InvalidValue => "INVALID_EXTENSION_VALUE",
        ExtensionError::UnexpectedParameter => "UNEXPECTED_EXTENSION_PARAMETER",
        ExtensionError::UnexpectedExtension => "UNEXPECTED_EXTENSION",
        ExtensionError::InsufficientSize { .. } => "INSUFFICIENT_SIZE",
        _ => "EXTENSION_ERROR",
    };
    let err = js_error("HandshakeError", code, &format!("permessage-deflate: {e}"));
    set(&err, "status", &JsValue::from(400));
    err
}

/// Writes a header value with `f` (the core's offer or response writer).
fn header(f: impl FnOnce(&mut [u8]) -> Result<usize, ExtensionError>) -> Result<String, JsValue> {
    let mut buf = [0u8; HEADER_ROOM];
    let n = f(&mut buf).map_err(extension_error)?;
    Ok(String::from_utf8_lossy(buf.get(..n).unwrap_or_default()).into_owned())
}

/// The client's offer for `Sec-WebSocket-Extensions` (RFC 7692 §7.1).
pub(crate) fn offer(config: &DeflateConfig) -> Result<String, JsValue> {
    header(|out| config.write_offer(out))
}

/// Server side (RFC 7692 §5, §7.1): the core picks the first acceptable
/// permessage-deflate offer in `extensions` (the request's
/// `Sec-WebSocket-Extensions`, as `parseRequest` joins it) under `config`.
///
/// Returns `null` when no offer is acceptable (go on uncompressed), else
/// `{ response, params }`: `response` for `acceptResponse`'s `extensions`,
/// `params` for the `Connection`'s `deflate` option.
///
/// # Errors
///
/// A `TypeError` for a bad config.
#[wasm_bindgen(js_name = negotiateDeflate)]
pub fn negotiate_deflate(extensions: Option<String>, config: JsValue) -> Result<JsValue, JsValue> {
    let config = config_from_js(&config)?;
    let Some(value) = extensions else { return Ok(JsValue::NULL) };
    let Some(params) = config.negotiate([value.as_bytes()]) else { return Ok(JsValue::NULL) };
    let response = header(|out| params.write_response(out))?;
    let obj: JsValue = js_sys::Object::new().into();
    set(&obj, "response", &JsValue::from_str(&response));
    set(&obj, "params", &params_to_js(&params, config.level));
    Ok(obj)
}
