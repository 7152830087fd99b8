//! Result codes: one `uint32_t` per outcome, in blocks that are range checks.
//!
//! The codes of the peer's violations are `7100 + ProtocolError::ordinal()`,
//! tied to the core at compile time; their texts, and those of the core's
//! other errors, are the core's `as_str`, made NUL-terminated at compile time.

use core::ffi::{CStr, c_char};

use wsframe::extensions::ExtensionError;
use wsframe::handshake::HandshakeError;
use wsframe::{CloseCode, Error, ProtocolError};

use crate::guard::guard_value;

/// The outcome of a call. Every function that can fail returns one.
///
/// `WSFRAME_RESULT_OK` is 0. Errors come in contiguous blocks that never
/// overlap errno values or WebSocket close codes (1000-4999):
///
/// - 7000-7099: local errors — the caller's misuse, an unsupported or
///   unavailable facility, or an internal bug (`wsframe_result_is_local_error`);
/// - 7100-7199: the peer violated RFC 6455 (`wsframe_result_is_protocol_error`);
///   `wsframe_result_close_code` says which close code to send before
///   closing the socket (RFC 6455 §7.1.7);
/// - 7200-7299: the opening handshake failed (`wsframe_result_is_handshake_error`);
/// - 7300-7399: outcomes that are not errors (`WSFRAME_RESULT_DECLINED`):
///   nothing went wrong, but nothing was agreed or written either.
///
/// New codes may be added inside the blocks; existing values never change.
pub type wsframe_result = u32;

/// Success.
pub const WSFRAME_RESULT_OK: wsframe_result = 0;
/// A required pointer was NULL, or a buffer pointer was NULL with a
/// non-zero length.
pub const WSFRAME_RESULT_NULL_POINTER: wsframe_result = 7000;
/// The output buffer is too small. Nothing was written to it, but the size
/// needed is stored in `*written_out` (the one exception to "outputs are
/// written only on success"); retry with a buffer at least that large.
pub const WSFRAME_RESULT_INSUFFICIENT_SIZE: wsframe_result = 7001;
/// An argument is out of range: an unknown enum value, a length above
/// `PTRDIFF_MAX` (say a `read()` that returned -1), an output that overlaps
/// an input or another output, or a value the function does not accept.
pub const WSFRAME_RESULT_INVALID_ARGUMENT: wsframe_result = 7002;
/// The connection's state forbids this call: a data or control frame after
/// our Close was sent (RFC 6455 §5.5.1), or any send after the connection
/// closed or failed.
pub const WSFRAME_RESULT_CLOSED: wsframe_result = 7003;
/// A new message was started while a fragmented one is still being sent
/// (RFC 6455 §5.4), or a fragment's kind differs from the message's.
pub const WSFRAME_RESULT_MESSAGE_IN_PROGRESS: wsframe_result = 7004;
/// A Ping or Pong payload over 125 bytes, or a close reason over 123
/// (RFC 6455 §5.5).
pub const WSFRAME_RESULT_CONTROL_PAYLOAD_TOO_LARGE: wsframe_result = 7005;
/// A close code that may not be sent: 1004-1006, 1015, or outside
/// 1000-4999's assigned ranges (RFC 6455 §7.4).
pub const WSFRAME_RESULT_INVALID_CLOSE_CODE: wsframe_result = 7006;
/// A close reason was given without a close code (RFC 6455 §5.5.1).
pub const WSFRAME_RESULT_REASON_WITHOUT_CODE: wsframe_result = 7007;
/// Text or a close reason passed in by the caller is not valid UTF-8.
pub const WSFRAME_RESULT_INVALID_UTF8: wsframe_result = 7008;
/// `wsframe_conn_init`'s storage is smaller than `wsframe_conn_storage_size()`.
pub const WSFRAME_RESULT_STORAGE_TOO_SMALL: wsframe_result = 7009;
/// `wsframe_conn_init`'s storage is not aligned to `wsframe_conn_storage_align()`.
pub const WSFRAME_RESULT_UNALIGNED: wsframe_result = 7010;
/// Not available in this build: the heap constructors and sessions in a
/// library built without `std` (firmware). Use `wsframe_conn_init`.
pub const WSFRAME_RESULT_UNSUPPORTED: wsframe_result = 7011;
/// A client needs random masking keys or a nonce (RFC 6455 §5.3, §10.3) but
/// has no source: the library was built without `std` and the config names
/// no random callback. Nothing was created or written.
pub const WSFRAME_RESULT_NO_RANDOM: wsframe_result = 7012;
/// The random source failed (the OS generator or the callback returned
/// false). Nothing was written; the call may be retried.
pub const WSFRAME_RESULT_RANDOM_FAILED: wsframe_result = 7013;
/// `wsframe_conn_init` was given storage that holds a live connection: end
/// it with `wsframe_conn_free` first.
pub const WSFRAME_RESULT_IN_USE: wsframe_result = 7014;
/// The object is not live: never initialised, ended, copied or not
/// a wsframe object at all, where the library can tell (see the README's
/// "C API conventions" for the misuses it cannot).
pub const WSFRAME_RESULT_INVALID_HANDLE: wsframe_result = 7015;
/// An internal bug was caught at the boundary (a Rust panic). The object
/// involved may be inconsistent: free it and report the bug.
pub const WSFRAME_RESULT_PANIC: wsframe_result = 7099;

/// The peer used a reserved opcode, 0x3-0x7 or 0xB-0xF (RFC 6455 §5.2). Close 1002.
pub const WSFRAME_RESULT_PEER_RESERVED_OPCODE: wsframe_result = 7100;
/// The peer set RSV1-3 without a negotiated extension (RFC 6455 §5.2). Close 1002.
pub const WSFRAME_RESULT_PEER_RESERVED_BITS: wsframe_result = 7101;
/// The peer sent a control frame without FIN (RFC 6455 §5.5). Close 1002.
pub const WSFRAME_RESULT_PEER_FRAGMENTED_CONTROL_FRAME: wsframe_result = 7102;
/// The peer sent a control frame with over 125 bytes of payload (RFC 6455 §5.5). Close 1002.
pub const WSFRAME_RESULT_PEER_CONTROL_FRAME_TOO_LONG: wsframe_result = 7103;
/// The peer sent a 64-bit length with its top bit set (RFC 6455 §5.2). Close 1002.
pub const WSFRAME_RESULT_PEER_LENGTH_MSB_SET: wsframe_result = 7104;
/// A client sent an unmasked frame (RFC 6455 §5.1). Close 1002.
pub const WSFRAME_RESULT_PEER_UNMASKED_FRAME: wsframe_result = 7105;
/// A server sent a masked frame (RFC 6455 §5.1). Close 1002.
pub const WSFRAME_RESULT_PEER_MASKED_FRAME: wsframe_result = 7106;
/// A continuation frame with no message in progress (RFC 6455 §5.4). Close 1002.
pub const WSFRAME_RESULT_PEER_UNEXPECTED_CONTINUATION: wsframe_result = 7107;
/// A new data frame inside a fragmented message (RFC 6455 §5.4). Close 1002.
pub const WSFRAME_RESULT_PEER_EXPECTED_CONTINUATION: wsframe_result = 7108;
/// A text message or close reason that is not UTF-8 (RFC 6455 §8.1). Close 1007.
pub const WSFRAME_RESULT_PEER_INVALID_UTF8: wsframe_result = 7109;
/// A Close frame with a one-byte payload (RFC 6455 §5.5.1). Close 1002.
pub const WSFRAME_RESULT_PEER_CLOSE_LENGTH_ONE: wsframe_result = 7110;
/// A Close frame with a code that may not appear on the wire (RFC 6455 §7.4). Close 1002.
pub const WSFRAME_RESULT_PEER_INVALID_CLOSE_CODE: wsframe_result = 7111;
/// A frame larger than the connection's max frame payload. Close 1009.
pub const WSFRAME_RESULT_PEER_FRAME_TOO_LARGE: wsframe_result = 7112;
/// A message larger than the max message size (inflated size included). Close 1009.
pub const WSFRAME_RESULT_PEER_MESSAGE_TOO_LARGE: wsframe_result = 7113;
/// A message in more fragments than the connection's limit. Close 1009.
pub const WSFRAME_RESULT_PEER_TOO_MANY_FRAGMENTS: wsframe_result = 7114;
/// RSV1 on a frame that cannot be compressed (RFC 7692 §6.1). Close 1002.
pub const WSFRAME_RESULT_PEER_INVALID_COMPRESSED_FRAME: wsframe_result = 7115;
/// A compressed payload that could not be inflated (RFC 7692 §6.2). Close 1002.
pub const WSFRAME_RESULT_PEER_INVALID_COMPRESSED_DATA: wsframe_result = 7116;
/// Another protocol violation (one this library version has no specific
/// code for). Close 1002.
pub const WSFRAME_RESULT_PEER_PROTOCOL_ERROR: wsframe_result = 7199;

// 7200-7299. The first group is the peer's fault: a server refuses with
// wsframe_result_http_status(result), a client fails the connection
// (RFC 6455 §4.1). INVALID_URI to INVALID_STATUS are the caller's mistakes.
/// The head did not end within `max_size` bytes. HTTP 431.
pub const WSFRAME_RESULT_HANDSHAKE_TOO_LARGE: wsframe_result = 7200;
/// More header fields than the parser holds (64). HTTP 431.
pub const WSFRAME_RESULT_HANDSHAKE_TOO_MANY_HEADERS: wsframe_result = 7201;
/// Not a well-formed HTTP/1.1 message head. HTTP 400.
pub const WSFRAME_RESULT_HANDSHAKE_MALFORMED_HTTP: wsframe_result = 7202;
/// Not HTTP/1.1 or higher (RFC 6455 §4.1, §4.2.1). HTTP 400.
pub const WSFRAME_RESULT_HANDSHAKE_HTTP_VERSION: wsframe_result = 7203;
/// The request method is not GET (RFC 6455 §4.2.1). HTTP 400.
pub const WSFRAME_RESULT_HANDSHAKE_NOT_GET: wsframe_result = 7204;
/// No Host header, or an empty one (RFC 6455 §4.2.1). HTTP 400.
pub const WSFRAME_RESULT_HANDSHAKE_MISSING_HOST: wsframe_result = 7205;
/// A header that must appear once appears more than once. HTTP 400.
pub const WSFRAME_RESULT_HANDSHAKE_DUPLICATE_HEADER: wsframe_result = 7206;
/// No `Upgrade: websocket` (RFC 6455 §4.1, §4.2.1). HTTP 400.
pub const WSFRAME_RESULT_HANDSHAKE_MISSING_UPGRADE: wsframe_result = 7207;
/// No `Connection: Upgrade` (RFC 6455 §4.1, §4.2.1). HTTP 400.
pub const WSFRAME_RESULT_HANDSHAKE_MISSING_CONNECTION_UPGRADE: wsframe_result = 7208;
/// No Sec-WebSocket-Key (RFC 6455 §4.2.1). HTTP 400.
pub const WSFRAME_RESULT_HANDSHAKE_MISSING_KEY: wsframe_result = 7209;
/// Sec-WebSocket-Key is not base64 of 16 bytes (RFC 6455 §4.2.1). HTTP 400.
pub const WSFRAME_RESULT_HANDSHAKE_INVALID_KEY: wsframe_result = 7210;
/// Sec-WebSocket-Version missing or not 13 (RFC 6455 §4.4). HTTP 426.
pub const WSFRAME_RESULT_HANDSHAKE_UNSUPPORTED_VERSION: wsframe_result = 7211;
/// A subprotocol that is not an HTTP token, empty or repeated. HTTP 400.
pub const WSFRAME_RESULT_HANDSHAKE_INVALID_PROTOCOL: wsframe_result = 7212;
/// The server's Sec-WebSocket-Accept is missing or wrong (RFC 6455 §4.1).
pub const WSFRAME_RESULT_HANDSHAKE_BAD_ACCEPT: wsframe_result = 7213;
/// The server selected a subprotocol that was not offered (RFC 6455 §4.1).
pub const WSFRAME_RESULT_HANDSHAKE_UNEXPECTED_PROTOCOL: wsframe_result = 7214;
/// The server selected an extension that was not offered, or accepted one
/// twice (RFC 6455 §4.1, RFC 7692 §7).
pub const WSFRAME_RESULT_HANDSHAKE_UNEXPECTED_EXTENSION: wsframe_result = 7215;
/// The URL is not a valid ws:// or wss:// URL (RFC 6455 §3).
pub const WSFRAME_RESULT_HANDSHAKE_INVALID_URI: wsframe_result = 7216;
/// The URL scheme is neither ws nor wss.
pub const WSFRAME_RESULT_HANDSHAKE_UNSUPPORTED_SCHEME: wsframe_result = 7217;
/// The URL has a #fragment, which RFC 6455 §3 forbids.
pub const WSFRAME_RESULT_HANDSHAKE_FRAGMENT_IN_URI: wsframe_result = 7218;
/// The URL's port is not in 1-65535.
pub const WSFRAME_RESULT_HANDSHAKE_INVALID_PORT: wsframe_result = 7219;
/// A caller-supplied header name is not an HTTP token.
pub const WSFRAME_RESULT_HANDSHAKE_INVALID_HEADER_NAME: wsframe_result = 7220;
/// A caller-supplied header value is empty or contains control characters.
pub const WSFRAME_RESULT_HANDSHAKE_INVALID_HEADER_VALUE: wsframe_result = 7221;
/// A caller-supplied extra header is one the handshake writes itself.
pub const WSFRAME_RESULT_HANDSHAKE_RESERVED_HEADER: wsframe_result = 7222;
/// A rejection status outside 300-599.
pub const WSFRAME_RESULT_HANDSHAKE_INVALID_STATUS: wsframe_result = 7223;
/// An extension parameter in the server's response is not
/// `token[=token|quoted-string]` (RFC 6455 §9.1).
pub const WSFRAME_RESULT_HANDSHAKE_EXTENSION_MALFORMED_PARAMETER: wsframe_result = 7224;
/// The server's response uses a parameter permessage-deflate does not
/// define (RFC 7692 §7.1).
pub const WSFRAME_RESULT_HANDSHAKE_EXTENSION_UNKNOWN_PARAMETER: wsframe_result = 7225;
/// The server's response repeats a parameter (RFC 7692 §7.1).
pub const WSFRAME_RESULT_HANDSHAKE_EXTENSION_DUPLICATE_PARAMETER: wsframe_result = 7226;
/// A parameter value in the server's response is missing, present where
/// none is allowed, or out of range (RFC 7692 §7.1.2).
pub const WSFRAME_RESULT_HANDSHAKE_EXTENSION_INVALID_VALUE: wsframe_result = 7227;
/// The server's response uses a parameter the offer did not allow, or
/// omits one it must include (RFC 7692 §7.1.1, §7.1.2).
pub const WSFRAME_RESULT_HANDSHAKE_EXTENSION_UNEXPECTED_PARAMETER: wsframe_result = 7228;
/// Another handshake failure (no specific code in this version). HTTP 400.
pub const WSFRAME_RESULT_HANDSHAKE_ERROR: wsframe_result = 7299;

/// Negotiation found nothing to agree on: no acceptable permessage-deflate
/// offer in the request (server), or none accepted in the response
/// (client). Not an error: go on without compression. Nothing was written.
pub const WSFRAME_RESULT_DECLINED: wsframe_result = 7300;

const LOCAL: u32 = 7000;
const PEER: u32 = 7100;
const HANDSHAKE: u32 = 7200;
const EXTENSION: u32 = WSFRAME_RESULT_HANDSHAKE_EXTENSION_MALFORMED_PARAMETER;

/// The code of a peer's violation: derived from the core's fixed order.
const fn peer(p: ProtocolError) -> wsframe_result {
    PEER + p.ordinal() as u32
}

// Each constant above is the core's error at its index in the core's `ALL`
// list; an error the core adds must get its constant (the length checks fail
// until then). The header names are checked against the core's `name()` by
// the unit tests (tests/unit/result.rs).
const _: () = {
    use ProtocolError as P;
    assert!(
        P::ALL.len() == 17 && HandshakeError::ALL.len() == 24 && ExtensionError::ALL.len() == 5
    );
    assert!(WSFRAME_RESULT_PEER_RESERVED_OPCODE == peer(P::ReservedOpcode));
    assert!(WSFRAME_RESULT_PEER_RESERVED_BITS == peer(P::ReservedBits));
    assert!(WSFRAME_RESULT_PEER_FRAGMENTED_CONTROL_FRAME == peer(P::FragmentedControlFrame));
    assert!(WSFRAME_RESULT_PEER_CONTROL_FRAME_TOO_LONG == peer(P::ControlFrameTooLong));
    assert!(WSFRAME_RESULT_PEER_LENGTH_MSB_SET == peer(P::LengthMsbSet));
    assert!(WSFRAME_RESULT_PEER_UNMASKED_FRAME == peer(P::UnmaskedFrame));
    assert!(WSFRAME_RESULT_PEER_MASKED_FRAME == peer(P::MaskedFrame));
    assert!(WSFRAME_RESULT_PEER_UNEXPECTED_CONTINUATION == peer(P::UnexpectedContinuation));
    assert!(WSFRAME_RESULT_PEER_EXPECTED_CONTINUATION == peer(P::ExpectedContinuation));
    assert!(WSFRAME_RESULT_PEER_INVALID_UTF8 == peer(P::InvalidUtf8));
    assert!(WSFRAME_RESULT_PEER_CLOSE_LENGTH_ONE == peer(P::CloseLengthOne));
    assert!(WSFRAME_RESULT_PEER_INVALID_CLOSE_CODE == peer(P::InvalidCloseCode));
    assert!(WSFRAME_RESULT_PEER_FRAME_TOO_LARGE == peer(P::FrameTooLarge));
    assert!(WSFRAME_RESULT_PEER_MESSAGE_TOO_LARGE == peer(P::MessageTooLarge));
    assert!(WSFRAME_RESULT_PEER_TOO_MANY_FRAGMENTS == peer(P::TooManyFragments));
    assert!(WSFRAME_RESULT_PEER_INVALID_COMPRESSED_FRAME == peer(P::InvalidCompressedFrame));
    assert!(WSFRAME_RESULT_PEER_INVALID_COMPRESSED_DATA == peer(P::InvalidCompressedData));
    assert!(
        WSFRAME_RESULT_HANDSHAKE_INVALID_STATUS == HANDSHAKE + 23 && EXTENSION == HANDSHAKE + 24
    );
};

/// The core's errors with a local code, in the order of their codes.
const CORE_LOCAL: [(wsframe_result, Error); 7] = [
    (WSFRAME_RESULT_INSUFFICIENT_SIZE, Error::InsufficientSize { required: 0 }),
    (WSFRAME_RESULT_CLOSED, Error::Closed),
    (WSFRAME_RESULT_MESSAGE_IN_PROGRESS, Error::MessageInProgress),
    (WSFRAME_RESULT_CONTROL_PAYLOAD_TOO_LARGE, Error::ControlPayloadTooLarge),
    (WSFRAME_RESULT_INVALID_CLOSE_CODE, Error::InvalidCloseCode),
    (WSFRAME_RESULT_REASON_WITHOUT_CODE, Error::ReasonWithoutCode),
    (WSFRAME_RESULT_RANDOM_FAILED, Error::RandomFailed),
];

/// The code for one of the core's errors.
pub(crate) fn from_core(e: Error) -> wsframe_result {
    match e {
        Error::Protocol(p) => peer(p),
        e => CORE_LOCAL
            .iter()
            .find(|(_, c)| core::mem::discriminant(c) == core::mem::discriminant(&e))
            .map_or(WSFRAME_RESULT_INVALID_ARGUMENT, |(code, _)| *code),
    }
}

/// The code for a handshake error.
pub(crate) fn from_handshake(e: HandshakeError) -> wsframe_result {
    match HandshakeError::ALL.iter().position(|h| *h == e) {
        Some(i) => HANDSHAKE + i as u32,
        None if matches!(e, HandshakeError::InsufficientSize { .. }) => {
            WSFRAME_RESULT_INSUFFICIENT_SIZE
        }
        None => WSFRAME_RESULT_HANDSHAKE_ERROR,
    }
}

/// The code for an extension-negotiation error.
pub(crate) fn from_extension(e: ExtensionError) -> wsframe_result {
    match ExtensionError::ALL.iter().position(|x| *x == e) {
        Some(i) => EXTENSION + i as u32,
        None if e == ExtensionError::UnexpectedExtension => {
            WSFRAME_RESULT_HANDSHAKE_UNEXPECTED_EXTENSION
        }
        None if matches!(e, ExtensionError::InsufficientSize { .. }) => {
            WSFRAME_RESULT_INSUFFICIENT_SIZE
        }
        None => WSFRAME_RESULT_HANDSHAKE_ERROR,
    }
}

/// The core's static texts of a list of errors as C strings (NUL-padded rows),
/// built at compile time.
macro_rules! c_texts {
    ($list:expr $(, $field:tt)?) => {{
        let mut table = [[0u8; 64]; $list.len()];
        let mut i = 0;
        while i < table.len() {
            let text = $list[i]$(.$field)?.as_str().as_bytes();
            assert!(text.len() < 64, "text too long for its C table");
            let mut j = 0;
            while j < text.len() {
                table[i][j] = text[j];
                j += 1;
            }
            i += 1;
        }
        table
    }};
}

static PEER_TEXT: [[u8; 64]; 17] = c_texts!(ProtocolError::ALL);
static CORE_LOCAL_TEXT: [[u8; 64]; 7] = c_texts!(CORE_LOCAL, 1);
static HANDSHAKE_TEXT: [[u8; 64]; 24] = c_texts!(HandshakeError::ALL);
static EXTENSION_TEXT: [[u8; 64]; 5] = c_texts!(ExtensionError::ALL);

/// The texts of this binding's own codes.
const BINDING_TEXT: [(wsframe_result, &CStr); 14] = [
    (WSFRAME_RESULT_OK, c"ok"),
    (WSFRAME_RESULT_NULL_POINTER, c"required pointer is NULL"),
    (WSFRAME_RESULT_INVALID_ARGUMENT, c"invalid argument"),
    (WSFRAME_RESULT_INVALID_UTF8, c"text or close reason is not valid UTF-8"),
    (WSFRAME_RESULT_STORAGE_TOO_SMALL, c"storage smaller than wsframe_conn_storage_size()"),
    (WSFRAME_RESULT_UNALIGNED, c"storage not aligned to wsframe_conn_storage_align()"),
    (WSFRAME_RESULT_UNSUPPORTED, c"not supported by this build of the library"),
    (WSFRAME_RESULT_NO_RANDOM, c"client has no random source for masking keys"),
    (WSFRAME_RESULT_IN_USE, c"storage holds a live connection"),
    (WSFRAME_RESULT_INVALID_HANDLE, c"object not initialised or already ended"),
    (WSFRAME_RESULT_PANIC, c"internal error (panic caught at the boundary)"),
    (WSFRAME_RESULT_PEER_PROTOCOL_ERROR, c"protocol error"),
    (WSFRAME_RESULT_HANDSHAKE_ERROR, c"handshake failed"),
    (WSFRAME_RESULT_DECLINED, c"nothing acceptable to agree on (not an error)"),
];

/// The static text of a code, if it names one.
fn describe(r: u32) -> Option<&'static CStr> {
    let row = |base: u32, table: &'static [[u8; 64]]| {
        let text = table.get(r.checked_sub(base)? as usize)?;
        CStr::from_bytes_until_nul(text).ok()
    };
    let local = CORE_LOCAL.iter().position(|(code, _)| *code == r);
    let own = || BINDING_TEXT.iter().find(|(code, _)| *code == r).map(|e| e.1);
    (row(PEER, &PEER_TEXT))
        .or_else(|| CORE_LOCAL_TEXT.get(local?).and_then(|t| CStr::from_bytes_until_nul(t).ok()))
        .or_else(|| row(HANDSHAKE, &HANDSHAKE_TEXT))
        .or_else(|| row(EXTENSION, &EXTENSION_TEXT))
        .or_else(own)
}

/// A static, NUL-terminated English description of a result code.
///
/// Any value may be passed; an unknown one gives "unknown result code". The
/// string is never freed and never changes.
///
/// # Safety
///
/// None: any value is accepted.
///
/// # Examples
///
/// ```c
/// r = wsframe_session_new(WSFRAME_ROLE_SERVER, &config, &session);
/// if (r != WSFRAME_RESULT_OK)
///     fprintf(stderr, "wsframe_session_new: %s (%u)\n", wsframe_result_str(r), (unsigned)r);
/// ```
#[unsafe(no_mangle)]
pub unsafe extern "C" fn wsframe_result_str(result: u32) -> *const c_char {
    let unknown = c"unknown result code".as_ptr();
    guard_value(unknown, || {
        describe(result).map(CStr::as_ptr).ok_or(WSFRAME_RESULT_INVALID_ARGUMENT)
    })
}

/// Whether `result` is a local error (7000-7099): misuse by the caller, an
/// unavailable facility, or an internal bug.
///
/// # Safety
///
/// None: any value is accepted.
///
/// # Examples
///
/// ```c
/// r = wsframe_session_send(session, WSFRAME_EVENT_TEXT, (const uint8_t *)"hi", 2, 0);
/// if (wsframe_result_is_local_error(r)) // 70xx: the call was wrong (closed, not UTF-8, ...)
///     fprintf(stderr, "send: %s\n", wsframe_result_str(r));
/// ```
#[unsafe(no_mangle)]
pub unsafe extern "C" fn wsframe_result_is_local_error(result: u32) -> bool {
    (LOCAL..PEER).contains(&result)
}

/// Whether `result` is a protocol violation by the peer (7100-7199). The
/// connection has failed: send a Close with `wsframe_result_close_code(result)`
/// (a session has queued it already), then close the socket (RFC 6455 §7.1.7).
///
/// # Safety
///
/// None: any value is accepted.
///
/// # Examples
///
/// ```c
/// size_t used;
/// r = wsframe_session_receive(session, in, have, &used, &ev);
/// if (wsframe_result_is_protocol_error(r)) // 71xx: the session queued the Close
///     close_socket(fd); // after writing wsframe_session_outgoing's bytes
/// ```
#[unsafe(no_mangle)]
pub unsafe extern "C" fn wsframe_result_is_protocol_error(result: u32) -> bool {
    (PEER..HANDSHAKE).contains(&result)
}

/// Whether `result` is an opening-handshake error (7200-7299).
///
/// # Safety
///
/// None: any value is accepted.
///
/// # Examples
///
/// ```c
/// r = wsframe_server_request_parse(in, have, 0, &req);
/// if (wsframe_result_is_handshake_error(r) &&
///     wsframe_server_write_reject(wsframe_result_http_status(r), out, sizeof out, &n) == WSFRAME_RESULT_OK)
///     write_all(fd, out, n); // then close the socket
/// ```
#[unsafe(no_mangle)]
pub unsafe extern "C" fn wsframe_result_is_handshake_error(result: u32) -> bool {
    (HANDSHAKE..WSFRAME_RESULT_DECLINED).contains(&result)
}

/// The close code to send for `result` (1002 protocol error, 1007 invalid
/// data, 1009 too big, ...), or 0 if the result does not call for a Close.
///
/// Non-zero exactly for protocol errors (7100-7199).
///
/// # Safety
///
/// None: any value is accepted.
///
/// # Examples
///
/// ```c
/// wsframe_event events[8];
/// size_t used, count;
/// r = wsframe_conn_receive(conn, in, have, &used, events, 8, &count);
/// uint16_t code = wsframe_result_close_code(r); // 1002, 1007, 1009... for a violation, else 0
/// if (code != 0 && wsframe_conn_send_close(conn, code, NULL, 0, out, sizeof out, &n) == WSFRAME_RESULT_OK)
///     write_all(fd, out, n); // then close the socket
/// ```
#[unsafe(no_mangle)]
pub unsafe extern "C" fn wsframe_result_close_code(result: u32) -> u16 {
    match result.checked_sub(PEER).and_then(|i| ProtocolError::ALL.get(i as usize)) {
        Some(p) => p.close_code().0,
        // An unknown value inside the protocol block still means "fail the connection".
        None if (PEER..HANDSHAKE).contains(&result) => CloseCode::PROTOCOL_ERROR.0,
        None => 0,
    }
}

/// The HTTP status a server should refuse a handshake with after `result`:
/// 426 for an unsupported version, 431 for a head too large or with too
/// many headers, 500 for the caller's own mistakes, 400 for other handshake
/// errors; 0 if `result` is not a handshake error.
///
/// # Safety
///
/// None: any value is accepted.
///
/// # Examples
///
/// ```c
/// r = wsframe_server_request_parse(in, have, 0, &req);
/// uint16_t status = wsframe_result_http_status(r); // 400, 426, 431...; 0: no handshake error
/// if (status != 0 && wsframe_server_write_reject(status, out, sizeof out, &n) == WSFRAME_RESULT_OK)
///     write_all(fd, out, n);
/// ```
#[unsafe(no_mangle)]
pub unsafe extern "C" fn wsframe_result_http_status(result: u32) -> u16 {
    match result.checked_sub(HANDSHAKE).and_then(|i| HandshakeError::ALL.get(i as usize)) {
        Some(e) => e.status(),
        None if (HANDSHAKE..WSFRAME_RESULT_DECLINED).contains(&result) => 400,
        None => 0,
    }
}

#[cfg(test)]
#[path = "../tests/unit/result.rs"]
mod tests;
