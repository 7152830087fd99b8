//! Core errors as JavaScript `Error` objects: a `name`, a stable `code` and,
//! for the peer's protocol violations, the numeric `closeCode` to send.

use wasm_bindgen::JsValue;
use wsframe::{Error, ProtocolError};

/// An `Error` with `name` and `code` set.
pub(crate) fn js_error(name: &str, code: &str, message: &str) -> JsValue {
    let err = js_sys::Error::new(message);
    err.set_name(name);
    set(&err, "code", &JsValue::from_str(code));
    err.into()
}

/// A `TypeError` for an argument of the wrong kind (raised by the binding, not the core).
pub(crate) fn type_error(message: &str) -> JsValue {
    js_sys::TypeError::new(message).into()
}

/// Sets `obj[key] = value`; plain objects and errors never refuse it.
pub(crate) fn set(obj: &JsValue, key: &str, value: &JsValue) {
    let _ = js_sys::Reflect::set(obj, &JsValue::from_str(key), value);
}

/// A `ProtocolError` (name) carrying `closeCode` (RFC 6455 §7.1.7).
pub(crate) fn protocol_error(e: ProtocolError) -> JsValue {
    let err = js_error("ProtocolError", protocol_code(e), e.as_str());
    set(&err, "closeCode", &JsValue::from(e.close_code().0));
    err
}

/// Any core error: protocol violations become `ProtocolError`, the caller's
/// mistakes `WsframeError`.
pub(crate) fn core_error(e: Error) -> JsValue {
    match e {
        Error::Protocol(p) => protocol_error(p),
        Error::InsufficientSize { required } => {
            let err = js_error("WsframeError", "INSUFFICIENT_SIZE", e.as_str());
            set(&err, "required", &JsValue::from(required as f64));
            err
        }
        other => js_error("WsframeError", error_code(other), other.as_str()),
    }
}

fn error_code(e: Error) -> &'static str {
    match e {
        Error::Closed => "CLOSED",
        Error::MessageInProgress => "MESSAGE_IN_PROGRESS",
        Error::ControlPayloadTooLarge => "CONTROL_PAYLOAD_TOO_LARGE",
        Error::InvalidCloseCode => "INVALID_CLOSE_CODE",
        Error::ReasonWithoutCode => "REASON_WITHOUT_CODE",
        _ => "ERROR",
    }
}

fn protocol_code(e: ProtocolError) -> &'static str {
    match e {
        ProtocolError::ReservedOpcode => "RESERVED_OPCODE",
        ProtocolError::ReservedBits => "RESERVED_BITS",
        ProtocolError::FragmentedControlFrame => "FRAGMENTED_CONTROL_FRAME",
        ProtocolError::ControlFrameTooLong => "CONTROL_FRAME_TOO_LONG",
        ProtocolError::LengthMsbSet => "LENGTH_MSB_SET",
        ProtocolError::UnmaskedFrame => "UNMASKED_FRAME",
        ProtocolError::MaskedFrame => "MASKED_FRAME",
        ProtocolError::UnexpectedContinuation => "UNEXPECTED_CONTINUATION",
        ProtocolError::ExpectedContinuation => "EXPECTED_CONTINUATION",
        ProtocolError::InvalidUtf8 => "INVALID_UTF8",
        ProtocolError::CloseLengthOne => "CLOSE_LENGTH_ONE",
        ProtocolError::InvalidCloseCode => "INVALID_CLOSE_CODE",
        ProtocolError::FrameTooLarge => "FRAME_TOO_LARGE",
        ProtocolError::MessageTooLarge => "MESSAGE_TOO_LARGE",
        ProtocolError::TooManyFragments => "TOO_MANY_FRAGMENTS",
        ProtocolError::InvalidCompressedFrame => "INVALID_COMPRESSED_FRAME",
        ProtocolError::InvalidCompressedData => "INVALID_COMPRESSED_DATA",
        _ => "PROTOCOL_ERROR",
    }
}
