//! Close codes (RFC 6455 §7.4).

use wsframe::CloseCode;

/// 1000: normal closure.
pub const WSFRAME_CLOSE_NORMAL: u16 = 1000;
/// 1001: the endpoint is going away.
pub const WSFRAME_CLOSE_GOING_AWAY: u16 = 1001;
/// 1002: protocol error.
pub const WSFRAME_CLOSE_PROTOCOL_ERROR: u16 = 1002;
/// 1003: a type of data the endpoint cannot accept.
pub const WSFRAME_CLOSE_UNSUPPORTED_DATA: u16 = 1003;
/// 1005: no status code was present. Reserved: never sent.
pub const WSFRAME_CLOSE_NO_STATUS_RECEIVED: u16 = 1005;
/// 1006: closed without a Close frame. Reserved: never sent.
pub const WSFRAME_CLOSE_ABNORMAL_CLOSURE: u16 = 1006;
/// 1007: data inconsistent with the message type (e.g. invalid UTF-8).
pub const WSFRAME_CLOSE_INVALID_PAYLOAD: u16 = 1007;
/// 1008: policy violation.
pub const WSFRAME_CLOSE_POLICY_VIOLATION: u16 = 1008;
/// 1009: a message too big to process.
pub const WSFRAME_CLOSE_MESSAGE_TOO_BIG: u16 = 1009;
/// 1010: the client expected an extension the server did not negotiate.
pub const WSFRAME_CLOSE_MANDATORY_EXTENSION: u16 = 1010;
/// 1011: the server hit an unexpected condition.
pub const WSFRAME_CLOSE_INTERNAL_ERROR: u16 = 1011;
/// 1015: TLS handshake failure. Reserved: never sent.
pub const WSFRAME_CLOSE_TLS_HANDSHAKE: u16 = 1015;

const _: () = {
    assert!(WSFRAME_CLOSE_NORMAL == CloseCode::NORMAL.0);
    assert!(WSFRAME_CLOSE_GOING_AWAY == CloseCode::GOING_AWAY.0);
    assert!(WSFRAME_CLOSE_PROTOCOL_ERROR == CloseCode::PROTOCOL_ERROR.0);
    assert!(WSFRAME_CLOSE_UNSUPPORTED_DATA == CloseCode::UNSUPPORTED_DATA.0);
    assert!(WSFRAME_CLOSE_NO_STATUS_RECEIVED == CloseCode::NO_STATUS_RECEIVED.0);
    assert!(WSFRAME_CLOSE_ABNORMAL_CLOSURE == CloseCode::ABNORMAL_CLOSURE.0);
    assert!(WSFRAME_CLOSE_INVALID_PAYLOAD == CloseCode::INVALID_PAYLOAD.0);
    assert!(WSFRAME_CLOSE_POLICY_VIOLATION == CloseCode::POLICY_VIOLATION.0);
    assert!(WSFRAME_CLOSE_MESSAGE_TOO_BIG == CloseCode::MESSAGE_TOO_BIG.0);
    assert!(WSFRAME_CLOSE_MANDATORY_EXTENSION == CloseCode::MANDATORY_EXTENSION.0);
    assert!(WSFRAME_CLOSE_INTERNAL_ERROR == CloseCode::INTERNAL_ERROR.0);
    assert!(WSFRAME_CLOSE_TLS_HANDSHAKE == CloseCode::TLS_HANDSHAKE.0);
};

/// Whether `code` may appear in a Close frame on the wire: 1000-1003,
/// 1007-1014 and 3000-4999 (RFC 6455 §7.4). 0, 1004-1006, 1015 and the
/// unassigned ranges are not.
///
/// # Safety
///
/// None: any value is accepted.
///
/// # Examples
///
/// ```c
/// uint16_t code = 4001; // an application's own code (4000-4999)
/// if (!wsframe_close_code_is_valid(code))
///     code = WSFRAME_CLOSE_NORMAL;
/// r = wsframe_session_close(session, code, NULL, 0);
/// ```
#[unsafe(no_mangle)]
pub unsafe extern "C" fn wsframe_close_code_is_valid(code: u16) -> bool {
    CloseCode(code).is_valid()
}
