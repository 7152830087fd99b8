//! Core errors as JavaScript `Error` objects: a `name`, the core's stable
//! identifier as `code` (`Error::name`, `HandshakeError::name`) and, for the
//! peer's protocol violations, the numeric `closeCode` to send.

use wasm_bindgen::JsValue;
use wsframe::Error;
use wsframe::extensions::ExtensionError;
use wsframe::handshake::HandshakeError;

/// An `Error` with `name` and `code` set.
pub(crate) fn js_error(name: &str, code: &str, message: &str) -> JsValue {
    let err = js_sys::Error::new(message);
    err.set_name(name);
    set(&err, "code", &code.into());
    err.into()
}

/// A `TypeError` for an argument of the wrong kind (raised by the binding, not the core).
pub(crate) fn type_error(message: &str) -> JsValue {
    js_sys::TypeError::new(message).into()
}

/// Sets `obj[key] = value`; plain objects and errors never refuse it.
pub(crate) fn set(obj: &JsValue, key: &str, value: &JsValue) {
    let _ = js_sys::Reflect::set(obj, &key.into(), value);
}

/// Any core error: a violation by the peer is a `ProtocolError` with
/// `closeCode` (RFC 6455 §7.1.7), anything else a `WsframeError`.
pub(crate) fn core_error(e: Error) -> JsValue {
    let name = if e.close_code().is_some() { "ProtocolError" } else { "WsframeError" };
    let err = js_error(name, e.name(), e.as_str());
    if let Some(code) = e.close_code() {
        set(&err, "closeCode", &code.0.into());
    }
    if let Error::InsufficientSize { required } = e {
        set(&err, "required", &(required as f64).into());
    }
    err
}

/// A `HandshakeError` with `status`, the HTTP status a server answers with.
pub(crate) fn handshake_error(e: HandshakeError) -> JsValue {
    let err = js_error("HandshakeError", e.name(), &e.to_string());
    set(&err, "status", &e.status().into());
    if let HandshakeError::InsufficientSize { required } = e {
        set(&err, "required", &(required as f64).into());
    }
    err
}

/// A permessage-deflate negotiation failure as a `HandshakeError` (status
/// 400: the peer's answer was wrong), its `code` the core's `ExtensionError::name`.
pub(crate) fn extension_error(e: ExtensionError) -> JsValue {
    let err = js_error("HandshakeError", e.name(), &format!("permessage-deflate: {e}"));
    set(&err, "status", &400.into());
    err
}
