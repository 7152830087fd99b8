//! Close codes and Close frame bodies (RFC 6455 §5.5.1, §7.4).

use core::fmt;

use crate::error::{Error, ProtocolError};

/// Largest Close frame body: the control-frame limit (RFC 6455 §5.5).
pub const MAX_CLOSE_PAYLOAD: usize = 125;
/// Largest close reason: the body less the two-byte status code.
pub const MAX_REASON_LEN: usize = MAX_CLOSE_PAYLOAD - 2;

/// A close status code (RFC 6455 §7.4).
///
/// # Examples
///
/// ```
/// use wsframe::CloseCode;
///
/// assert!(CloseCode::NORMAL.is_valid());
/// assert!(CloseCode(4000).is_valid());
/// assert!(!CloseCode::NO_STATUS_RECEIVED.is_valid()); // 1005 never goes on the wire
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct CloseCode(pub u16);

impl CloseCode {
    /// 1000: normal closure.
    pub const NORMAL: Self = Self(1000);
    /// 1001: the endpoint is going away.
    pub const GOING_AWAY: Self = Self(1001);
    /// 1002: protocol error.
    pub const PROTOCOL_ERROR: Self = Self(1002);
    /// 1003: a type of data the endpoint cannot accept.
    pub const UNSUPPORTED_DATA: Self = Self(1003);
    /// 1005: no status code was present. Reserved: never sent.
    pub const NO_STATUS_RECEIVED: Self = Self(1005);
    /// 1006: closed without a Close frame. Reserved: never sent.
    pub const ABNORMAL_CLOSURE: Self = Self(1006);
    /// 1007: data inconsistent with the message type (e.g. invalid UTF-8).
    pub const INVALID_PAYLOAD: Self = Self(1007);
    /// 1008: policy violation.
    pub const POLICY_VIOLATION: Self = Self(1008);
    /// 1009: a message too big to process.
    pub const MESSAGE_TOO_BIG: Self = Self(1009);
    /// 1010: the client expected an extension the server did not negotiate.
    pub const MANDATORY_EXTENSION: Self = Self(1010);
    /// 1011: the server hit an unexpected condition.
    pub const INTERNAL_ERROR: Self = Self(1011);
    /// 1012: service restart (IANA registry).
    pub const SERVICE_RESTART: Self = Self(1012);
    /// 1013: try again later (IANA registry).
    pub const TRY_AGAIN_LATER: Self = Self(1013);
    /// 1014: bad gateway (IANA registry).
    pub const BAD_GATEWAY: Self = Self(1014);
    /// 1015: TLS handshake failure. Reserved: never sent.
    pub const TLS_HANDSHAKE: Self = Self(1015);

    /// Every named code with its stable name (the constant's), in numeric
    /// order: the table the bindings publish (`CloseCode` in JS, the
    /// `WSFRAME_CLOSE_*` values in C).
    ///
    /// # Examples
    ///
    /// ```
    /// use wsframe::CloseCode;
    ///
    /// assert_eq!(CloseCode::NAMED[0], ("NORMAL", CloseCode::NORMAL));
    /// assert!(CloseCode::NAMED.iter().any(|&(name, c)| name == "TRY_AGAIN_LATER" && c.0 == 1013));
    /// ```
    pub const NAMED: [(&'static str, Self); 15] = [
        ("NORMAL", Self::NORMAL),
        ("GOING_AWAY", Self::GOING_AWAY),
        ("PROTOCOL_ERROR", Self::PROTOCOL_ERROR),
        ("UNSUPPORTED_DATA", Self::UNSUPPORTED_DATA),
        ("NO_STATUS_RECEIVED", Self::NO_STATUS_RECEIVED),
        ("ABNORMAL_CLOSURE", Self::ABNORMAL_CLOSURE),
        ("INVALID_PAYLOAD", Self::INVALID_PAYLOAD),
        ("POLICY_VIOLATION", Self::POLICY_VIOLATION),
        ("MESSAGE_TOO_BIG", Self::MESSAGE_TOO_BIG),
        ("MANDATORY_EXTENSION", Self::MANDATORY_EXTENSION),
        ("INTERNAL_ERROR", Self::INTERNAL_ERROR),
        ("SERVICE_RESTART", Self::SERVICE_RESTART),
        ("TRY_AGAIN_LATER", Self::TRY_AGAIN_LATER),
        ("BAD_GATEWAY", Self::BAD_GATEWAY),
        ("TLS_HANDSHAKE", Self::TLS_HANDSHAKE),
    ];

    /// Whether the code may appear in a Close frame on the wire.
    ///
    /// Valid: 1000-1003, 1007-1014 (RFC 6455 §7.4.1 and the IANA registry),
    /// 3000-4999 (libraries and applications, §7.4.2). Everything else,
    /// including the reserved 1004-1006 and 1015, is invalid.
    ///
    /// # Examples
    ///
    /// ```
    /// use wsframe::CloseCode;
    ///
    /// assert!(CloseCode(1011).is_valid());
    /// assert!(!CloseCode(1004).is_valid());
    /// assert!(!CloseCode(2999).is_valid());
    /// assert!(!CloseCode(5000).is_valid());
    /// ```
    pub const fn is_valid(self) -> bool {
        matches!(self.0, 1000..=1003 | 1007..=1014 | 3000..=4999)
    }
}

impl From<u16> for CloseCode {
    fn from(code: u16) -> Self {
        Self(code)
    }
}

impl From<CloseCode> for u16 {
    fn from(code: CloseCode) -> Self {
        code.0
    }
}

impl fmt::Display for CloseCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0)
    }
}

/// Parses a received Close frame body (RFC 6455 §5.5.1).
///
/// Returns `None` for an empty body (no status code), otherwise the code and
/// the reason.
///
/// # Errors
///
/// [`ProtocolError::CloseLengthOne`] for a 1-byte body,
/// [`ProtocolError::InvalidCloseCode`] for a code not allowed on the wire,
/// [`ProtocolError::InvalidUtf8`] if the reason is not UTF-8 (§8.1), and
/// [`ProtocolError::ControlFrameTooLong`] for a body over 125 bytes.
///
/// # Examples
///
/// ```
/// use wsframe::close::parse_close_payload;
/// use wsframe::CloseCode;
///
/// let (code, reason) = parse_close_payload(b"\x03\xe8bye").unwrap().unwrap();
/// assert_eq!((code, reason), (CloseCode::NORMAL, "bye"));
/// assert_eq!(parse_close_payload(b"").unwrap(), None);
/// ```
pub fn parse_close_payload(payload: &[u8]) -> Result<Option<(CloseCode, &str)>, ProtocolError> {
    match payload {
        [] => Ok(None),
        [_] => Err(ProtocolError::CloseLengthOne),
        _ if payload.len() > MAX_CLOSE_PAYLOAD => Err(ProtocolError::ControlFrameTooLong),
        [hi, lo, reason @ ..] => {
            let code = CloseCode(u16::from_be_bytes([*hi, *lo]));
            if !code.is_valid() {
                return Err(ProtocolError::InvalidCloseCode);
            }
            let reason = core::str::from_utf8(reason).map_err(|_| ProtocolError::InvalidUtf8)?;
            Ok(Some((code, reason)))
        }
    }
}

/// Writes a Close frame body: the code in network order, then the reason.
///
/// `None` writes an empty body (allowed by RFC 6455 §5.5.1).
///
/// # Errors
///
/// [`Error::InvalidCloseCode`] for a code that must not be sent,
/// [`Error::ReasonWithoutCode`] for a reason with no code,
/// [`Error::ControlPayloadTooLarge`] for a reason over 123 bytes and
/// [`Error::InsufficientSize`] if `out` is too small.
///
/// # Examples
///
/// ```
/// use wsframe::close::encode_close_payload;
/// use wsframe::CloseCode;
///
/// let mut out = [0u8; 125];
/// let n = encode_close_payload(Some(CloseCode::GOING_AWAY), "bye", &mut out).unwrap();
/// assert_eq!(&out[..n], b"\x03\xe9bye");
/// ```
pub fn encode_close_payload(
    code: Option<CloseCode>,
    reason: &str,
    out: &mut [u8],
) -> Result<usize, Error> {
    let Some(code) = code else {
        return if reason.is_empty() { Ok(0) } else { Err(Error::ReasonWithoutCode) };
    };
    if !code.is_valid() {
        return Err(Error::InvalidCloseCode);
    }
    if reason.len() > MAX_REASON_LEN {
        return Err(Error::ControlPayloadTooLarge);
    }
    let required = 2 + reason.len();
    let dst = out.get_mut(..required).ok_or(Error::InsufficientSize { required })?;
    let (code_bytes, reason_bytes) = dst.split_at_mut(2);
    code_bytes.copy_from_slice(&code.0.to_be_bytes());
    reason_bytes.copy_from_slice(reason.as_bytes());
    Ok(required)
}
