//! Result codes: one `uint32_t` per outcome, in blocks that are range checks.

use core::ffi::{CStr, c_char};

use wsframe::{Error, ProtocolError};

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
/// Functions that take a result take a plain `uint32_t`, so any value is safe
/// to pass.
#[repr(u32)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum wsframe_result {
    /// Success.
    WSFRAME_RESULT_OK = 0,

    /// A required pointer was NULL, or a buffer pointer was NULL with a
    /// non-zero length.
    WSFRAME_RESULT_NULL_POINTER = 7000,
    /// The output buffer is too small. Nothing was written to it, but the size
    /// needed is stored in `*written_out` (the one exception to "outputs are
    /// written only on success"); retry with a buffer at least that large.
    WSFRAME_RESULT_INSUFFICIENT_SIZE = 7001,
    /// An argument is out of range: an unknown enum value, overlapping input
    /// and output buffers, or a value the function does not accept.
    WSFRAME_RESULT_INVALID_ARGUMENT = 7002,
    /// The connection's state forbids this call: a data or control frame after
    /// our Close was sent (RFC 6455 §5.5.1), or any send after the connection
    /// closed or failed.
    WSFRAME_RESULT_CLOSED = 7003,
    /// A new message was started while a fragmented one is still being sent
    /// (RFC 6455 §5.4), or a fragment's kind differs from the message's.
    WSFRAME_RESULT_MESSAGE_IN_PROGRESS = 7004,
    /// A Ping or Pong payload over 125 bytes, or a close reason over 123
    /// (RFC 6455 §5.5).
    WSFRAME_RESULT_CONTROL_PAYLOAD_TOO_LARGE = 7005,
    /// A close code that may not be sent: 1004-1006, 1015, or outside
    /// 1000-4999's assigned ranges (RFC 6455 §7.4).
    WSFRAME_RESULT_INVALID_CLOSE_CODE = 7006,
    /// A close reason was given without a close code (RFC 6455 §5.5.1).
    WSFRAME_RESULT_REASON_WITHOUT_CODE = 7007,
    /// Text or a close reason passed in by the caller is not valid UTF-8.
    WSFRAME_RESULT_INVALID_UTF8 = 7008,
    /// `wsframe_conn_init`'s storage is smaller than `wsframe_conn_storage_size()`.
    WSFRAME_RESULT_STORAGE_TOO_SMALL = 7009,
    /// `wsframe_conn_init`'s storage is not aligned to `wsframe_conn_storage_align()`.
    WSFRAME_RESULT_UNALIGNED = 7010,
    /// Not available in this build: the heap constructors and the
    /// permessage-deflate codec in a library built without `std` (firmware).
    /// Use `wsframe_conn_init` instead, and do not negotiate compression.
    WSFRAME_RESULT_UNSUPPORTED = 7011,
    /// A client needs random masking keys (RFC 6455 §5.3, §10.3) but has no
    /// source: the library was built without `std` and no
    /// `wsframe_conn_set_random` callback was installed. Nothing was written.
    WSFRAME_RESULT_NO_RANDOM = 7012,
    /// The random source failed (the OS generator or the callback returned
    /// false). Nothing was written; the call may be retried.
    WSFRAME_RESULT_RANDOM_FAILED = 7013,
    /// An option was set after the connection started sending or receiving
    /// (limits and permessage-deflate can only be set before the first
    /// frame), or permessage-deflate was enabled twice.
    WSFRAME_RESULT_IN_USE = 7014,
    /// The object is not live: never initialised, already freed or
    /// deinitialised, or not a wsframe object at all.
    WSFRAME_RESULT_INVALID_HANDLE = 7015,
    /// An internal bug was caught at the boundary (a Rust panic). The object
    /// involved may be inconsistent: free it and report the bug.
    WSFRAME_RESULT_PANIC = 7099,

    /// The peer used a reserved opcode, 0x3-0x7 or 0xB-0xF (RFC 6455 §5.2). Close 1002.
    WSFRAME_RESULT_PEER_RESERVED_OPCODE = 7100,
    /// The peer set RSV1-3 without a negotiated extension (RFC 6455 §5.2). Close 1002.
    WSFRAME_RESULT_PEER_RESERVED_BITS = 7101,
    /// The peer sent a control frame without FIN (RFC 6455 §5.5). Close 1002.
    WSFRAME_RESULT_PEER_FRAGMENTED_CONTROL_FRAME = 7102,
    /// The peer sent a control frame with over 125 bytes of payload (RFC 6455 §5.5). Close 1002.
    WSFRAME_RESULT_PEER_CONTROL_FRAME_TOO_LONG = 7103,
    /// The peer sent a 64-bit length with its top bit set (RFC 6455 §5.2). Close 1002.
    WSFRAME_RESULT_PEER_LENGTH_MSB_SET = 7104,
    /// A client sent an unmasked frame (RFC 6455 §5.1). Close 1002.
    WSFRAME_RESULT_PEER_UNMASKED_FRAME = 7105,
    /// A server sent a masked frame (RFC 6455 §5.1). Close 1002.
    WSFRAME_RESULT_PEER_MASKED_FRAME = 7106,
    /// A continuation frame with no message in progress (RFC 6455 §5.4). Close 1002.
    WSFRAME_RESULT_PEER_UNEXPECTED_CONTINUATION = 7107,
    /// A new data frame inside a fragmented message (RFC 6455 §5.4). Close 1002.
    WSFRAME_RESULT_PEER_EXPECTED_CONTINUATION = 7108,
    /// A text message or close reason that is not UTF-8 (RFC 6455 §8.1). Close 1007.
    WSFRAME_RESULT_PEER_INVALID_UTF8 = 7109,
    /// A Close frame with a one-byte payload (RFC 6455 §5.5.1). Close 1002.
    WSFRAME_RESULT_PEER_CLOSE_LENGTH_ONE = 7110,
    /// A Close frame with a code that may not appear on the wire (RFC 6455 §7.4). Close 1002.
    WSFRAME_RESULT_PEER_INVALID_CLOSE_CODE = 7111,
    /// A frame larger than the connection's max frame payload. Close 1009.
    WSFRAME_RESULT_PEER_FRAME_TOO_LARGE = 7112,
    /// A message larger than the connection's max message size. Close 1009.
    WSFRAME_RESULT_PEER_MESSAGE_TOO_LARGE = 7113,
    /// A message in more fragments than the connection's limit. Close 1009.
    WSFRAME_RESULT_PEER_TOO_MANY_FRAGMENTS = 7114,
    /// RSV1 on a frame that cannot be compressed (RFC 7692 §6.1). Close 1002.
    WSFRAME_RESULT_PEER_INVALID_COMPRESSED_FRAME = 7115,
    /// A compressed payload that could not be inflated (RFC 7692 §6.2). Close 1002.
    WSFRAME_RESULT_PEER_INVALID_COMPRESSED_DATA = 7116,
    /// Another protocol violation (one this library version has no specific
    /// code for). Close 1002.
    WSFRAME_RESULT_PEER_PROTOCOL_ERROR = 7199,

    // 7200-7299. The first group is the peer's fault: a server refuses with
    // wsframe_result_http_status(result), a client fails the connection
    // (RFC 6455 §4.1). The rest (from INVALID_URI) are the caller's mistakes.
    /// The head did not end within `max_size` bytes. HTTP 431.
    WSFRAME_RESULT_HANDSHAKE_TOO_LARGE = 7200,
    /// More header fields than the parser holds (64). HTTP 431.
    WSFRAME_RESULT_HANDSHAKE_TOO_MANY_HEADERS = 7201,
    /// Not a well-formed HTTP/1.1 message head. HTTP 400.
    WSFRAME_RESULT_HANDSHAKE_MALFORMED_HTTP = 7202,
    /// Not HTTP/1.1 or higher (RFC 6455 §4.1, §4.2.1). HTTP 400.
    WSFRAME_RESULT_HANDSHAKE_HTTP_VERSION = 7203,
    /// The request method is not GET (RFC 6455 §4.2.1). HTTP 400.
    WSFRAME_RESULT_HANDSHAKE_NOT_GET = 7204,
    /// No Host header, or an empty one (RFC 6455 §4.2.1). HTTP 400.
    WSFRAME_RESULT_HANDSHAKE_MISSING_HOST = 7205,
    /// A header that must appear once appears more than once. HTTP 400.
    WSFRAME_RESULT_HANDSHAKE_DUPLICATE_HEADER = 7206,
    /// No `Upgrade: websocket` (RFC 6455 §4.1, §4.2.1). HTTP 400.
    WSFRAME_RESULT_HANDSHAKE_MISSING_UPGRADE = 7207,
    /// No `Connection: Upgrade` (RFC 6455 §4.1, §4.2.1). HTTP 400.
    WSFRAME_RESULT_HANDSHAKE_MISSING_CONNECTION_UPGRADE = 7208,
    /// No Sec-WebSocket-Key (RFC 6455 §4.2.1). HTTP 400.
    WSFRAME_RESULT_HANDSHAKE_MISSING_KEY = 7209,
    /// Sec-WebSocket-Key is not base64 of 16 bytes (RFC 6455 §4.2.1). HTTP 400.
    WSFRAME_RESULT_HANDSHAKE_INVALID_KEY = 7210,
    /// Sec-WebSocket-Version missing or not 13 (RFC 6455 §4.4). HTTP 426.
    WSFRAME_RESULT_HANDSHAKE_UNSUPPORTED_VERSION = 7211,
    /// A subprotocol that is not an HTTP token, empty or repeated. HTTP 400.
    WSFRAME_RESULT_HANDSHAKE_INVALID_PROTOCOL = 7212,
    /// The server's Sec-WebSocket-Accept is missing or wrong (RFC 6455 §4.1).
    WSFRAME_RESULT_HANDSHAKE_BAD_ACCEPT = 7213,
    /// The server selected a subprotocol that was not offered (RFC 6455 §4.1).
    WSFRAME_RESULT_HANDSHAKE_UNEXPECTED_PROTOCOL = 7214,
    /// The server selected an extension that was not offered (RFC 6455 §4.1).
    WSFRAME_RESULT_HANDSHAKE_UNEXPECTED_EXTENSION = 7215,
    /// The URL is not a valid ws:// or wss:// URL (RFC 6455 §3).
    WSFRAME_RESULT_HANDSHAKE_INVALID_URI = 7216,
    /// The URL scheme is neither ws nor wss.
    WSFRAME_RESULT_HANDSHAKE_UNSUPPORTED_SCHEME = 7217,
    /// The URL has a #fragment, which RFC 6455 §3 forbids.
    WSFRAME_RESULT_HANDSHAKE_FRAGMENT_IN_URI = 7218,
    /// The URL's port is not in 1-65535.
    WSFRAME_RESULT_HANDSHAKE_INVALID_PORT = 7219,
    /// A caller-supplied header name is not an HTTP token.
    WSFRAME_RESULT_HANDSHAKE_INVALID_HEADER_NAME = 7220,
    /// A caller-supplied header value is empty or contains control characters.
    WSFRAME_RESULT_HANDSHAKE_INVALID_HEADER_VALUE = 7221,
    /// A caller-supplied extra header is one the handshake writes itself.
    WSFRAME_RESULT_HANDSHAKE_RESERVED_HEADER = 7222,
    /// A rejection status outside 300-599.
    WSFRAME_RESULT_HANDSHAKE_INVALID_STATUS = 7223,
    /// An extension parameter in the server's response is not
    /// `token[=token|quoted-string]` (RFC 6455 §9.1).
    WSFRAME_RESULT_HANDSHAKE_EXTENSION_MALFORMED_PARAMETER = 7224,
    /// The server's response uses a parameter permessage-deflate does not
    /// define (RFC 7692 §7.1).
    WSFRAME_RESULT_HANDSHAKE_EXTENSION_UNKNOWN_PARAMETER = 7225,
    /// The server's response repeats a parameter (RFC 7692 §7.1).
    WSFRAME_RESULT_HANDSHAKE_EXTENSION_DUPLICATE_PARAMETER = 7226,
    /// A parameter value in the server's response is missing, present where
    /// none is allowed, or out of range (RFC 7692 §7.1.2).
    WSFRAME_RESULT_HANDSHAKE_EXTENSION_INVALID_VALUE = 7227,
    /// The server's response uses a parameter the offer did not allow, or
    /// omits one it must include (RFC 7692 §7.1.1, §7.1.2).
    WSFRAME_RESULT_HANDSHAKE_EXTENSION_UNEXPECTED_PARAMETER = 7228,
    /// Another handshake failure (no specific code in this version). HTTP 400.
    WSFRAME_RESULT_HANDSHAKE_ERROR = 7299,

    // 7300-7399: not errors.
    /// Negotiation found nothing to agree on: no acceptable permessage-deflate
    /// offer in the request (server), or none accepted in the response
    /// (client). Not an error: go on without compression. Nothing was written.
    WSFRAME_RESULT_DECLINED = 7300,
}

use wsframe_result::*;

/// Every code, for `TryFrom<u32>` and the tests.
const ALL: &[wsframe_result] = &[
    WSFRAME_RESULT_OK,
    WSFRAME_RESULT_NULL_POINTER,
    WSFRAME_RESULT_INSUFFICIENT_SIZE,
    WSFRAME_RESULT_INVALID_ARGUMENT,
    WSFRAME_RESULT_CLOSED,
    WSFRAME_RESULT_MESSAGE_IN_PROGRESS,
    WSFRAME_RESULT_CONTROL_PAYLOAD_TOO_LARGE,
    WSFRAME_RESULT_INVALID_CLOSE_CODE,
    WSFRAME_RESULT_REASON_WITHOUT_CODE,
    WSFRAME_RESULT_INVALID_UTF8,
    WSFRAME_RESULT_STORAGE_TOO_SMALL,
    WSFRAME_RESULT_UNALIGNED,
    WSFRAME_RESULT_UNSUPPORTED,
    WSFRAME_RESULT_NO_RANDOM,
    WSFRAME_RESULT_RANDOM_FAILED,
    WSFRAME_RESULT_IN_USE,
    WSFRAME_RESULT_INVALID_HANDLE,
    WSFRAME_RESULT_PANIC,
    WSFRAME_RESULT_PEER_RESERVED_OPCODE,
    WSFRAME_RESULT_PEER_RESERVED_BITS,
    WSFRAME_RESULT_PEER_FRAGMENTED_CONTROL_FRAME,
    WSFRAME_RESULT_PEER_CONTROL_FRAME_TOO_LONG,
    WSFRAME_RESULT_PEER_LENGTH_MSB_SET,
    WSFRAME_RESULT_PEER_UNMASKED_FRAME,
    WSFRAME_RESULT_PEER_MASKED_FRAME,
    WSFRAME_RESULT_PEER_UNEXPECTED_CONTINUATION,
    WSFRAME_RESULT_PEER_EXPECTED_CONTINUATION,
    WSFRAME_RESULT_PEER_INVALID_UTF8,
    WSFRAME_RESULT_PEER_CLOSE_LENGTH_ONE,
    WSFRAME_RESULT_PEER_INVALID_CLOSE_CODE,
    WSFRAME_RESULT_PEER_FRAME_TOO_LARGE,
    WSFRAME_RESULT_PEER_MESSAGE_TOO_LARGE,
    WSFRAME_RESULT_PEER_TOO_MANY_FRAGMENTS,
    WSFRAME_RESULT_PEER_INVALID_COMPRESSED_FRAME,
    WSFRAME_RESULT_PEER_INVALID_COMPRESSED_DATA,
    WSFRAME_RESULT_PEER_PROTOCOL_ERROR,
    WSFRAME_RESULT_HANDSHAKE_TOO_LARGE,
    WSFRAME_RESULT_HANDSHAKE_TOO_MANY_HEADERS,
    WSFRAME_RESULT_HANDSHAKE_MALFORMED_HTTP,
    WSFRAME_RESULT_HANDSHAKE_HTTP_VERSION,
    WSFRAME_RESULT_HANDSHAKE_NOT_GET,
    WSFRAME_RESULT_HANDSHAKE_MISSING_HOST,
    WSFRAME_RESULT_HANDSHAKE_DUPLICATE_HEADER,
    WSFRAME_RESULT_HANDSHAKE_MISSING_UPGRADE,
    WSFRAME_RESULT_HANDSHAKE_MISSING_CONNECTION_UPGRADE,
    WSFRAME_RESULT_HANDSHAKE_MISSING_KEY,
    WSFRAME_RESULT_HANDSHAKE_INVALID_KEY,
    WSFRAME_RESULT_HANDSHAKE_UNSUPPORTED_VERSION,
    WSFRAME_RESULT_HANDSHAKE_INVALID_PROTOCOL,
    WSFRAME_RESULT_HANDSHAKE_BAD_ACCEPT,
    WSFRAME_RESULT_HANDSHAKE_UNEXPECTED_PROTOCOL,
    WSFRAME_RESULT_HANDSHAKE_UNEXPECTED_EXTENSION,
    WSFRAME_RESULT_HANDSHAKE_INVALID_URI,
    WSFRAME_RESULT_HANDSHAKE_UNSUPPORTED_SCHEME,
    WSFRAME_RESULT_HANDSHAKE_FRAGMENT_IN_URI,
    WSFRAME_RESULT_HANDSHAKE_INVALID_PORT,
    WSFRAME_RESULT_HANDSHAKE_INVALID_HEADER_NAME,
    WSFRAME_RESULT_HANDSHAKE_INVALID_HEADER_VALUE,
    WSFRAME_RESULT_HANDSHAKE_RESERVED_HEADER,
    WSFRAME_RESULT_HANDSHAKE_INVALID_STATUS,
    WSFRAME_RESULT_HANDSHAKE_EXTENSION_MALFORMED_PARAMETER,
    WSFRAME_RESULT_HANDSHAKE_EXTENSION_UNKNOWN_PARAMETER,
    WSFRAME_RESULT_HANDSHAKE_EXTENSION_DUPLICATE_PARAMETER,
    WSFRAME_RESULT_HANDSHAKE_EXTENSION_INVALID_VALUE,
    WSFRAME_RESULT_HANDSHAKE_EXTENSION_UNEXPECTED_PARAMETER,
    WSFRAME_RESULT_HANDSHAKE_ERROR,
    WSFRAME_RESULT_DECLINED,
];

const LOCAL: core::ops::Range<u32> = 7000..7100;
const PROTOCOL: core::ops::Range<u32> = 7100..7200;
const HANDSHAKE: core::ops::Range<u32> = 7200..7300;

impl wsframe_result {
    /// The code for a C value, if it names one.
    fn from_u32(value: u32) -> Option<Self> {
        ALL.iter().copied().find(|r| *r as u32 == value)
    }

    /// The core's protocol error this code stands for.
    const fn protocol_error(self) -> Option<ProtocolError> {
        Some(match self {
            WSFRAME_RESULT_PEER_RESERVED_OPCODE => ProtocolError::ReservedOpcode,
            WSFRAME_RESULT_PEER_RESERVED_BITS => ProtocolError::ReservedBits,
            WSFRAME_RESULT_PEER_FRAGMENTED_CONTROL_FRAME => ProtocolError::FragmentedControlFrame,
            WSFRAME_RESULT_PEER_CONTROL_FRAME_TOO_LONG => ProtocolError::ControlFrameTooLong,
            WSFRAME_RESULT_PEER_LENGTH_MSB_SET => ProtocolError::LengthMsbSet,
            WSFRAME_RESULT_PEER_UNMASKED_FRAME => ProtocolError::UnmaskedFrame,
            WSFRAME_RESULT_PEER_MASKED_FRAME => ProtocolError::MaskedFrame,
            WSFRAME_RESULT_PEER_UNEXPECTED_CONTINUATION => ProtocolError::UnexpectedContinuation,
            WSFRAME_RESULT_PEER_EXPECTED_CONTINUATION => ProtocolError::ExpectedContinuation,
            WSFRAME_RESULT_PEER_INVALID_UTF8 => ProtocolError::InvalidUtf8,
            WSFRAME_RESULT_PEER_CLOSE_LENGTH_ONE => ProtocolError::CloseLengthOne,
            WSFRAME_RESULT_PEER_INVALID_CLOSE_CODE => ProtocolError::InvalidCloseCode,
            WSFRAME_RESULT_PEER_FRAME_TOO_LARGE => ProtocolError::FrameTooLarge,
            WSFRAME_RESULT_PEER_MESSAGE_TOO_LARGE => ProtocolError::MessageTooLarge,
            WSFRAME_RESULT_PEER_TOO_MANY_FRAGMENTS => ProtocolError::TooManyFragments,
            WSFRAME_RESULT_PEER_INVALID_COMPRESSED_FRAME => ProtocolError::InvalidCompressedFrame,
            WSFRAME_RESULT_PEER_INVALID_COMPRESSED_DATA => ProtocolError::InvalidCompressedData,
            _ => return None,
        })
    }

    /// The static description `wsframe_result_str` returns.
    fn description(self) -> &'static CStr {
        if let Some(p) = self.protocol_error() {
            return protocol_description(p);
        }
        match self {
            WSFRAME_RESULT_OK => c"ok",
            WSFRAME_RESULT_NULL_POINTER => c"required pointer is NULL",
            WSFRAME_RESULT_INSUFFICIENT_SIZE => c"output buffer too small",
            WSFRAME_RESULT_INVALID_ARGUMENT => c"invalid argument",
            WSFRAME_RESULT_CLOSED => c"connection is closed for this operation",
            WSFRAME_RESULT_MESSAGE_IN_PROGRESS => c"a fragmented message is still being sent",
            WSFRAME_RESULT_CONTROL_PAYLOAD_TOO_LARGE => c"control payload longer than 125 bytes",
            WSFRAME_RESULT_INVALID_CLOSE_CODE => c"close code may not be sent",
            WSFRAME_RESULT_REASON_WITHOUT_CODE => c"close reason given without a status code",
            WSFRAME_RESULT_INVALID_UTF8 => c"text or close reason is not valid UTF-8",
            WSFRAME_RESULT_STORAGE_TOO_SMALL => c"storage smaller than wsframe_conn_storage_size()",
            WSFRAME_RESULT_UNALIGNED => c"storage not aligned to wsframe_conn_storage_align()",
            WSFRAME_RESULT_UNSUPPORTED => c"not supported by this build of the library",
            WSFRAME_RESULT_NO_RANDOM => c"client has no random source for masking keys",
            WSFRAME_RESULT_RANDOM_FAILED => c"random source failed",
            WSFRAME_RESULT_IN_USE => c"option set after the connection started",
            WSFRAME_RESULT_INVALID_HANDLE => c"object not initialised or already freed",
            WSFRAME_RESULT_PANIC => c"internal error (panic caught at the boundary)",
            WSFRAME_RESULT_PEER_PROTOCOL_ERROR => c"protocol error",
            WSFRAME_RESULT_DECLINED => c"nothing acceptable to agree on (not an error)",
            other => crate::handshake::describe(other as u32)
                .or_else(|| crate::deflate::describe(other as u32))
                .unwrap_or(c"unknown result code"),
        }
    }
}

/// The core's description, as a C string.
fn protocol_description(p: ProtocolError) -> &'static CStr {
    // The core's `as_str` texts, NUL-terminated: keep them in step (a test
    // compares them).
    match p {
        ProtocolError::ReservedOpcode => c"reserved opcode",
        ProtocolError::ReservedBits => c"reserved bits set without a negotiated extension",
        ProtocolError::FragmentedControlFrame => c"fragmented control frame",
        ProtocolError::ControlFrameTooLong => c"control frame payload longer than 125 bytes",
        ProtocolError::LengthMsbSet => c"64-bit payload length with the most significant bit set",
        ProtocolError::UnmaskedFrame => c"client sent an unmasked frame",
        ProtocolError::MaskedFrame => c"server sent a masked frame",
        ProtocolError::UnexpectedContinuation => {
            c"continuation frame without a message in progress"
        }
        ProtocolError::ExpectedContinuation => c"new data frame inside a fragmented message",
        ProtocolError::InvalidUtf8 => c"invalid UTF-8 in text message or close reason",
        ProtocolError::CloseLengthOne => c"close frame with a one-byte payload",
        ProtocolError::InvalidCloseCode => c"close frame with an invalid status code",
        ProtocolError::FrameTooLarge => c"frame payload exceeds the configured limit",
        ProtocolError::MessageTooLarge => c"message exceeds the configured size limit",
        ProtocolError::TooManyFragments => c"message exceeds the configured fragment limit",
        ProtocolError::InvalidCompressedFrame => c"RSV1 on a frame that cannot be compressed",
        ProtocolError::InvalidCompressedData => c"compressed payload could not be inflated",
        _ => c"protocol error",
    }
}

impl From<ProtocolError> for wsframe_result {
    fn from(p: ProtocolError) -> Self {
        match p {
            ProtocolError::ReservedOpcode => WSFRAME_RESULT_PEER_RESERVED_OPCODE,
            ProtocolError::ReservedBits => WSFRAME_RESULT_PEER_RESERVED_BITS,
            ProtocolError::FragmentedControlFrame => WSFRAME_RESULT_PEER_FRAGMENTED_CONTROL_FRAME,
            ProtocolError::ControlFrameTooLong => WSFRAME_RESULT_PEER_CONTROL_FRAME_TOO_LONG,
            ProtocolError::LengthMsbSet => WSFRAME_RESULT_PEER_LENGTH_MSB_SET,
            ProtocolError::UnmaskedFrame => WSFRAME_RESULT_PEER_UNMASKED_FRAME,
            ProtocolError::MaskedFrame => WSFRAME_RESULT_PEER_MASKED_FRAME,
            ProtocolError::UnexpectedContinuation => WSFRAME_RESULT_PEER_UNEXPECTED_CONTINUATION,
            ProtocolError::ExpectedContinuation => WSFRAME_RESULT_PEER_EXPECTED_CONTINUATION,
            ProtocolError::InvalidUtf8 => WSFRAME_RESULT_PEER_INVALID_UTF8,
            ProtocolError::CloseLengthOne => WSFRAME_RESULT_PEER_CLOSE_LENGTH_ONE,
            ProtocolError::InvalidCloseCode => WSFRAME_RESULT_PEER_INVALID_CLOSE_CODE,
            ProtocolError::FrameTooLarge => WSFRAME_RESULT_PEER_FRAME_TOO_LARGE,
            ProtocolError::MessageTooLarge => WSFRAME_RESULT_PEER_MESSAGE_TOO_LARGE,
            ProtocolError::TooManyFragments => WSFRAME_RESULT_PEER_TOO_MANY_FRAGMENTS,
            ProtocolError::InvalidCompressedFrame => WSFRAME_RESULT_PEER_INVALID_COMPRESSED_FRAME,
            ProtocolError::InvalidCompressedData => WSFRAME_RESULT_PEER_INVALID_COMPRESSED_DATA,
            // A violation added to the core after this table: still a
            // protocol error, failed with 1002 until it gets its own code.
            _ => WSFRAME_RESULT_PEER_PROTOCOL_ERROR,
        }
    }
}

impl From<Error> for wsframe_result {
    fn from(e: Error) -> Self {
        match e {
            Error::Protocol(p) => p.into(),
            Error::InsufficientSize { .. } => WSFRAME_RESULT_INSUFFICIENT_SIZE,
            Error::Closed => WSFRAME_RESULT_CLOSED,
            Error::MessageInProgress => WSFRAME_RESULT_MESSAGE_IN_PROGRESS,
            Error::ControlPayloadTooLarge => WSFRAME_RESULT_CONTROL_PAYLOAD_TOO_LARGE,
            Error::InvalidCloseCode => WSFRAME_RESULT_INVALID_CLOSE_CODE,
            Error::ReasonWithoutCode => WSFRAME_RESULT_REASON_WITHOUT_CODE,
            Error::RandomFailed => WSFRAME_RESULT_RANDOM_FAILED,
            // A refusal added to the core after this table.
            _ => WSFRAME_RESULT_INVALID_ARGUMENT,
        }
    }
}

/// A static, NUL-terminated English description of a result code.
///
/// Any value may be passed; an unknown one gives "unknown result code". The
/// string is never freed and never changes.
///
/// # Safety
///
/// None: any value is accepted.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn wsframe_result_str(result: u32) -> *const c_char {
    guard_value(c"unknown result code".as_ptr(), || match wsframe_result::from_u32(result) {
        Some(r) => r.description().as_ptr(),
        None => c"unknown result code".as_ptr(),
    })
}

/// Whether `result` is a local error (7000-7099): misuse by the caller, an
/// unavailable facility, or an internal bug.
///
/// # Safety
///
/// None: any value is accepted.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn wsframe_result_is_local_error(result: u32) -> bool {
    LOCAL.contains(&result)
}

/// Whether `result` is a protocol violation by the peer (7100-7199). The
/// connection has failed: send a Close with `wsframe_result_close_code(result)`
/// (`wsframe_conn_send_close`), then close the socket (RFC 6455 §7.1.7).
///
/// # Safety
///
/// None: any value is accepted.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn wsframe_result_is_protocol_error(result: u32) -> bool {
    PROTOCOL.contains(&result)
}

/// Whether `result` is an opening-handshake error (7200-7299).
///
/// # Safety
///
/// None: any value is accepted.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn wsframe_result_is_handshake_error(result: u32) -> bool {
    HANDSHAKE.contains(&result)
}

/// The close code to send for `result` (1002 protocol error, 1007 invalid
/// data, 1009 too big, ...), or 0 if the result does not call for a Close.
///
/// Non-zero exactly for protocol errors (7100-7199).
///
/// # Safety
///
/// None: any value is accepted.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn wsframe_result_close_code(result: u32) -> u16 {
    guard_value(0, || match wsframe_result::from_u32(result) {
        Some(r) => match r.protocol_error() {
            Some(p) => p.close_code().0,
            None if r == WSFRAME_RESULT_PEER_PROTOCOL_ERROR => wsframe::CloseCode::PROTOCOL_ERROR.0,
            None => 0,
        },
        // An unknown value inside the protocol block still means "fail the connection".
        None if PROTOCOL.contains(&result) => wsframe::CloseCode::PROTOCOL_ERROR.0,
        None => 0,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_unique_and_in_their_blocks() {
        let all: std::vec::Vec<u32> = ALL.iter().map(|r| *r as u32).collect();
        for (i, a) in all.iter().enumerate() {
            assert!(!all[i + 1..].contains(a), "duplicate {a}");
            assert!(*a == 0 || (7000..7400).contains(a));
            assert_eq!(wsframe_result::from_u32(*a).map(|r| r as u32), Some(*a));
        }
    }

    #[test]
    fn protocol_errors_round_trip_with_the_core() {
        for r in ALL {
            if let Some(p) = r.protocol_error() {
                assert_eq!(wsframe_result::from(p), *r);
                assert_eq!(protocol_description(p).to_str().ok(), Some(p.as_str()));
                // SAFETY: no pointers involved.
                let code = unsafe { wsframe_result_close_code(*r as u32) };
                assert_eq!(code, p.close_code().0);
            }
        }
    }
}
