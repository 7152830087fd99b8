//! Errors: what the peer did wrong ([`ProtocolError`], each with the close
//! code to send) and what the caller asked for that cannot be done ([`Error`]).

use core::fmt;

use crate::close::CloseCode;

/// A violation of RFC 6455 by the peer. The connection must be failed
/// (RFC 6455 §7.1.7) by sending a Close frame with [`ProtocolError::close_code`].
///
/// # Examples
///
/// ```
/// use wsframe::{CloseCode, ProtocolError};
///
/// assert_eq!(ProtocolError::InvalidUtf8.close_code(), CloseCode::INVALID_PAYLOAD);
/// assert_eq!(ProtocolError::ReservedOpcode.close_code(), CloseCode::PROTOCOL_ERROR);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum ProtocolError {
    /// A frame used opcode 0x3-0x7 or 0xB-0xF (RFC 6455 §5.2).
    ReservedOpcode,
    /// RSV1-3 set without an extension that defines them (RFC 6455 §5.2).
    ReservedBits,
    /// A control frame without FIN (RFC 6455 §5.5).
    FragmentedControlFrame,
    /// A control frame with more than 125 bytes of payload (RFC 6455 §5.5).
    ControlFrameTooLong,
    /// A 64-bit payload length with its most significant bit set (RFC 6455 §5.2).
    LengthMsbSet,
    /// A client sent an unmasked frame (RFC 6455 §5.1).
    UnmaskedFrame,
    /// A server sent a masked frame (RFC 6455 §5.1).
    MaskedFrame,
    /// A continuation frame arrived with no fragmented message in progress (RFC 6455 §5.4).
    UnexpectedContinuation,
    /// A new text or binary frame arrived inside a fragmented message (RFC 6455 §5.4).
    ExpectedContinuation,
    /// A text message or close reason is not valid UTF-8 (RFC 6455 §8.1).
    InvalidUtf8,
    /// A Close frame with a 1-byte payload (RFC 6455 §5.5.1).
    CloseLengthOne,
    /// A Close frame with a status code that must not appear on the wire (RFC 6455 §7.4).
    InvalidCloseCode,
    /// A frame's payload exceeds [`crate::Config::max_frame_payload`].
    FrameTooLarge,
    /// A message exceeds [`crate::Config::max_message_size`].
    MessageTooLarge,
    /// A message has more fragments than [`crate::Config::max_fragments`].
    TooManyFragments,
    /// A compressed frame used RSV1 where RFC 7692 §6.1 forbids it.
    InvalidCompressedFrame,
    /// The compressed payload could not be inflated (RFC 7692 §6.2).
    InvalidCompressedData,
}

impl ProtocolError {
    /// The close code to send when failing the connection for this error.
    ///
    /// 1002 for framing violations, 1007 for invalid UTF-8, 1009 for limits.
    ///
    /// # Examples
    ///
    /// ```
    /// use wsframe::ProtocolError;
    ///
    /// assert_eq!(ProtocolError::MessageTooLarge.close_code().0, 1009);
    /// ```
    pub const fn close_code(&self) -> CloseCode {
        match self {
            Self::InvalidUtf8 => CloseCode::INVALID_PAYLOAD,
            Self::FrameTooLarge | Self::MessageTooLarge | Self::TooManyFragments => {
                CloseCode::MESSAGE_TOO_BIG
            }
            Self::ReservedOpcode
            | Self::ReservedBits
            | Self::FragmentedControlFrame
            | Self::ControlFrameTooLong
            | Self::LengthMsbSet
            | Self::UnmaskedFrame
            | Self::MaskedFrame
            | Self::UnexpectedContinuation
            | Self::ExpectedContinuation
            | Self::CloseLengthOne
            | Self::InvalidCloseCode
            | Self::InvalidCompressedFrame
            | Self::InvalidCompressedData => CloseCode::PROTOCOL_ERROR,
        }
    }

    /// Every violation, in a fixed order that never changes (new ones are
    /// appended): bindings number their error codes after it.
    ///
    /// # Examples
    ///
    /// ```
    /// use wsframe::ProtocolError;
    ///
    /// assert_eq!(ProtocolError::ALL[0], ProtocolError::ReservedOpcode);
    /// assert!(ProtocolError::ALL.iter().enumerate().all(|(i, e)| e.ordinal() == i));
    /// ```
    pub const ALL: [Self; 17] = [
        Self::ReservedOpcode,
        Self::ReservedBits,
        Self::FragmentedControlFrame,
        Self::ControlFrameTooLong,
        Self::LengthMsbSet,
        Self::UnmaskedFrame,
        Self::MaskedFrame,
        Self::UnexpectedContinuation,
        Self::ExpectedContinuation,
        Self::InvalidUtf8,
        Self::CloseLengthOne,
        Self::InvalidCloseCode,
        Self::FrameTooLarge,
        Self::MessageTooLarge,
        Self::TooManyFragments,
        Self::InvalidCompressedFrame,
        Self::InvalidCompressedData,
    ];

    /// This violation's place in [`ProtocolError::ALL`].
    ///
    /// # Examples
    ///
    /// ```
    /// assert_eq!(wsframe::ProtocolError::InvalidUtf8.ordinal(), 9);
    /// ```
    pub const fn ordinal(&self) -> usize {
        *self as usize
    }

    /// A stable identifier in `SCREAMING_SNAKE_CASE`: the JS error `code` and
    /// the C result name (`WSFRAME_RESULT_PEER_` + this) derive from it.
    ///
    /// # Examples
    ///
    /// ```
    /// assert_eq!(wsframe::ProtocolError::ReservedBits.name(), "RESERVED_BITS");
    /// ```
    pub const fn name(&self) -> &'static str {
        match self {
            Self::ReservedOpcode => "RESERVED_OPCODE",
            Self::ReservedBits => "RESERVED_BITS",
            Self::FragmentedControlFrame => "FRAGMENTED_CONTROL_FRAME",
            Self::ControlFrameTooLong => "CONTROL_FRAME_TOO_LONG",
            Self::LengthMsbSet => "LENGTH_MSB_SET",
            Self::UnmaskedFrame => "UNMASKED_FRAME",
            Self::MaskedFrame => "MASKED_FRAME",
            Self::UnexpectedContinuation => "UNEXPECTED_CONTINUATION",
            Self::ExpectedContinuation => "EXPECTED_CONTINUATION",
            Self::InvalidUtf8 => "INVALID_UTF8",
            Self::CloseLengthOne => "CLOSE_LENGTH_ONE",
            Self::InvalidCloseCode => "INVALID_CLOSE_CODE",
            Self::FrameTooLarge => "FRAME_TOO_LARGE",
            Self::MessageTooLarge => "MESSAGE_TOO_LARGE",
            Self::TooManyFragments => "TOO_MANY_FRAGMENTS",
            Self::InvalidCompressedFrame => "INVALID_COMPRESSED_FRAME",
            Self::InvalidCompressedData => "INVALID_COMPRESSED_DATA",
        }
    }

    /// A short description, also used by `Display`.
    ///
    /// # Examples
    ///
    /// ```
    /// assert_eq!(wsframe::ProtocolError::MaskedFrame.as_str(), "server sent a masked frame");
    /// ```
    pub const fn as_str(&self) -> &'static str {
        match self {
            Self::ReservedOpcode => "reserved opcode",
            Self::ReservedBits => "reserved bits set without a negotiated extension",
            Self::FragmentedControlFrame => "fragmented control frame",
            Self::ControlFrameTooLong => "control frame payload longer than 125 bytes",
            Self::LengthMsbSet => "64-bit payload length with the most significant bit set",
            Self::UnmaskedFrame => "client sent an unmasked frame",
            Self::MaskedFrame => "server sent a masked frame",
            Self::UnexpectedContinuation => "continuation frame without a message in progress",
            Self::ExpectedContinuation => "new data frame inside a fragmented message",
            Self::InvalidUtf8 => "invalid UTF-8 in text message or close reason",
            Self::CloseLengthOne => "close frame with a one-byte payload",
            Self::InvalidCloseCode => "close frame with an invalid status code",
            Self::FrameTooLarge => "frame payload exceeds the configured limit",
            Self::MessageTooLarge => "message exceeds the configured size limit",
            Self::TooManyFragments => "message exceeds the configured fragment limit",
            Self::InvalidCompressedFrame => "RSV1 on a frame that cannot be compressed",
            Self::InvalidCompressedData => "compressed payload could not be inflated",
        }
    }
}

impl fmt::Display for ProtocolError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl core::error::Error for ProtocolError {}

/// Everything a [`crate::Connection`] or an encoder can refuse.
///
/// [`Error::Protocol`] is the peer's fault and carries a close code; the
/// other variants are the caller's request that cannot be done as asked.
///
/// # Examples
///
/// ```
/// use wsframe::{CloseCode, Error, ProtocolError};
///
/// let e = Error::Protocol(ProtocolError::UnmaskedFrame);
/// assert_eq!(e.close_code(), Some(CloseCode::PROTOCOL_ERROR));
/// assert_eq!(Error::InsufficientSize { required: 7 }.close_code(), None);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Error {
    /// The peer violated the protocol; fail the connection with its close code.
    Protocol(ProtocolError),
    /// The output buffer is too small; nothing was written. Retry with `required` bytes.
    InsufficientSize {
        /// Bytes needed for the whole output.
        required: usize,
    },
    /// The connection's state does not allow this call: a data frame after a
    /// Close was sent (RFC 6455 §5.5.1), anything after the connection closed
    /// or failed.
    Closed,
    /// A new message was started while a fragmented one is still being sent
    /// (RFC 6455 §5.4: fragments of different messages must not interleave).
    MessageInProgress,
    /// A control frame payload over 125 bytes, or a close reason over 123 (RFC 6455 §5.5).
    ControlPayloadTooLarge,
    /// A close code that must not be sent (1005, 1006, 1015, unassigned ranges; RFC 6455 §7.4).
    InvalidCloseCode,
    /// A close reason was given without a status code (RFC 6455 §5.5.1).
    ReasonWithoutCode,
    /// A compressed frame was to be sent, but permessage-deflate was not negotiated.
    CompressionNotNegotiated,
    /// A client's masking key could not be drawn: its [`crate::RandomSource`]
    /// failed (or is [`crate::NoRandom`]). Nothing was written; the frame may
    /// be sent again once randomness is available (RFC 6455 §10.3).
    RandomFailed,
}

impl Error {
    /// The close code to send if this error means the connection must fail.
    ///
    /// `Some` only for [`Error::Protocol`].
    ///
    /// # Examples
    ///
    /// ```
    /// use wsframe::{Error, ProtocolError};
    ///
    /// assert_eq!(Error::Protocol(ProtocolError::InvalidUtf8).close_code().map(|c| c.0), Some(1007));
    /// ```
    pub const fn close_code(&self) -> Option<CloseCode> {
        match self {
            Self::Protocol(p) => Some(p.close_code()),
            _ => None,
        }
    }

    /// A stable identifier in `SCREAMING_SNAKE_CASE` (for a violation, the
    /// [`ProtocolError::name`]): the JS error `code` and the C result name
    /// derive from it.
    ///
    /// # Examples
    ///
    /// ```
    /// use wsframe::{Error, ProtocolError};
    ///
    /// assert_eq!(Error::Closed.name(), "CLOSED");
    /// assert_eq!(Error::Protocol(ProtocolError::InvalidUtf8).name(), "INVALID_UTF8");
    /// ```
    pub const fn name(&self) -> &'static str {
        match self {
            Self::Protocol(p) => p.name(),
            Self::InsufficientSize { .. } => "INSUFFICIENT_SIZE",
            Self::Closed => "CLOSED",
            Self::MessageInProgress => "MESSAGE_IN_PROGRESS",
            Self::ControlPayloadTooLarge => "CONTROL_PAYLOAD_TOO_LARGE",
            Self::InvalidCloseCode => "INVALID_CLOSE_CODE",
            Self::ReasonWithoutCode => "REASON_WITHOUT_CODE",
            Self::CompressionNotNegotiated => "COMPRESSION_NOT_NEGOTIATED",
            Self::RandomFailed => "RANDOM_FAILED",
        }
    }

    /// A short description, also used by `Display`.
    ///
    /// # Examples
    ///
    /// ```
    /// assert_eq!(wsframe::Error::Closed.as_str(), "connection is closed for this operation");
    /// ```
    pub const fn as_str(&self) -> &'static str {
        match self {
            Self::Protocol(p) => p.as_str(),
            Self::InsufficientSize { .. } => "output buffer too small",
            Self::Closed => "connection is closed for this operation",
            Self::MessageInProgress => "a fragmented message is still being sent",
            Self::ControlPayloadTooLarge => "control payload longer than 125 bytes",
            Self::InvalidCloseCode => "close code may not be sent",
            Self::ReasonWithoutCode => "close reason given without a status code",
            Self::CompressionNotNegotiated => "permessage-deflate was not negotiated",
            Self::RandomFailed => "no random masking key could be drawn",
        }
    }
}

impl From<ProtocolError> for Error {
    fn from(e: ProtocolError) -> Self {
        Self::Protocol(e)
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Protocol(p) => write!(f, "protocol error: {p}"),
            Self::InsufficientSize { required } => {
                write!(f, "output buffer too small: {required} bytes required")
            }
            other => f.write_str(other.as_str()),
        }
    }
}

impl core::error::Error for Error {
    fn source(&self) -> Option<&(dyn core::error::Error + 'static)> {
        match self {
            Self::Protocol(p) => Some(p),
            _ => None,
        }
    }
}
