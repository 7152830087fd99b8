//! Errors of the opening handshake (RFC 6455 §4).

use core::fmt;

/// Why an opening handshake could not be written, parsed or accepted.
///
/// Variants fall in two groups. Most describe a peer that broke RFC 6455 §4
/// (a server answers them with [`HandshakeError::status`]; a client fails the
/// connection, §4.1). The rest are caller mistakes: an output buffer that is
/// too small, a bad URI, or header values that would break the HTTP framing;
/// for those, [`HandshakeError::status`] is 500 and [`HandshakeError::is_local`]
/// is true.
///
/// # Examples
///
/// ```
/// use wsframe::handshake::HandshakeError;
///
/// assert_eq!(HandshakeError::UnsupportedVersion.status(), 426);
/// assert_eq!(HandshakeError::TooLarge.status(), 431);
/// assert_eq!(HandshakeError::MissingKey.status(), 400);
/// assert_eq!(HandshakeError::MissingKey.to_string(), "missing Sec-WebSocket-Key header");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum HandshakeError {
    /// The output buffer is too small; `required` bytes would have been needed.
    InsufficientSize {
        /// The exact number of bytes the output needs.
        required: usize,
    },
    /// The HTTP head did not end within the size limit.
    TooLarge,
    /// The HTTP head has more header fields than [`super::MAX_HEADERS`].
    TooManyHeaders,
    /// The input is not a well-formed HTTP/1.1 message head.
    MalformedHttp,
    /// The request is not `HTTP/1.1` or higher (RFC 6455 §4.1, §4.2.1 item 1).
    HttpVersion,
    /// The request method is not `GET` (RFC 6455 §4.1, §4.2.1 item 1).
    NotGet,
    /// No `Host` header, or an empty one (RFC 6455 §4.2.1 item 2).
    MissingHost,
    /// A header that must appear once appears more than once.
    DuplicateHeader,
    /// No `Upgrade` header containing `websocket` (RFC 6455 §4.1, §4.2.1 item 3).
    MissingUpgrade,
    /// No `Connection` header containing the token `Upgrade` (RFC 6455 §4.1, §4.2.1 item 4).
    MissingConnectionUpgrade,
    /// No `Sec-WebSocket-Key` header (RFC 6455 §4.2.1 item 5).
    MissingKey,
    /// `Sec-WebSocket-Key` is not the base64 encoding of 16 bytes (RFC 6455 §4.2.1 item 5).
    InvalidKey,
    /// `Sec-WebSocket-Version` is missing or not `13` (RFC 6455 §4.2.1 item 6, §4.4).
    UnsupportedVersion,
    /// A subprotocol is not an HTTP token, is empty, or is repeated (RFC 6455 §4.1, §11.3.4).
    InvalidProtocol,
    /// `Sec-WebSocket-Accept` is missing or does not match the key sent (RFC 6455 §4.1).
    BadAccept,
    /// The server selected a subprotocol the client did not offer, or more than one (RFC 6455 §4.1).
    UnexpectedProtocol,
    /// The server answered with an extension the client did not offer (RFC 6455 §4.1).
    UnexpectedExtension,
    /// The URI is not a valid `ws` / `wss` URI (RFC 6455 §3).
    InvalidUri,
    /// The URI scheme is neither `ws` nor `wss` (RFC 6455 §3).
    UnsupportedScheme,
    /// The URI has a fragment, which RFC 6455 §3 forbids.
    FragmentInUri,
    /// The URI's port is not a number in 1..=65535 (RFC 6455 §3).
    InvalidPort,
    /// A caller-supplied header name is not an HTTP token.
    InvalidHeaderName,
    /// A caller-supplied header value is empty where a value is needed, or
    /// contains a control character (CR, LF, NUL, ...) that would allow header injection.
    InvalidHeaderValue,
    /// A caller-supplied extra header is one this module writes itself.
    ReservedHeader,
    /// A rejection status is outside 300..=599.
    InvalidStatus,
}

impl HandshakeError {
    /// A stable identifier in `SCREAMING_SNAKE_CASE`: the JS error `code` and
    /// the C result name (`WSFRAME_RESULT_HANDSHAKE_` + this) derive from it.
    ///
    /// # Examples
    ///
    /// ```
    /// use wsframe::handshake::HandshakeError;
    ///
    /// assert_eq!(HandshakeError::MissingKey.name(), "MISSING_KEY");
    /// ```
    #[must_use]
    pub const fn name(&self) -> &'static str {
        match self {
            Self::InsufficientSize { .. } => "INSUFFICIENT_SIZE",
            Self::TooLarge => "TOO_LARGE",
            Self::TooManyHeaders => "TOO_MANY_HEADERS",
            Self::MalformedHttp => "MALFORMED_HTTP",
            Self::HttpVersion => "HTTP_VERSION",
            Self::NotGet => "NOT_GET",
            Self::MissingHost => "MISSING_HOST",
            Self::DuplicateHeader => "DUPLICATE_HEADER",
            Self::MissingUpgrade => "MISSING_UPGRADE",
            Self::MissingConnectionUpgrade => "MISSING_CONNECTION_UPGRADE",
            Self::MissingKey => "MISSING_KEY",
            Self::InvalidKey => "INVALID_KEY",
            Self::UnsupportedVersion => "UNSUPPORTED_VERSION",
            Self::InvalidProtocol => "INVALID_PROTOCOL",
            Self::BadAccept => "BAD_ACCEPT",
            Self::UnexpectedProtocol => "UNEXPECTED_PROTOCOL",
            Self::UnexpectedExtension => "UNEXPECTED_EXTENSION",
            Self::InvalidUri => "INVALID_URI",
            Self::UnsupportedScheme => "UNSUPPORTED_SCHEME",
            Self::FragmentInUri => "FRAGMENT_IN_URI",
            Self::InvalidPort => "INVALID_PORT",
            Self::InvalidHeaderName => "INVALID_HEADER_NAME",
            Self::InvalidHeaderValue => "INVALID_HEADER_VALUE",
            Self::ReservedHeader => "RESERVED_HEADER",
            Self::InvalidStatus => "INVALID_STATUS",
        }
    }

    /// The HTTP status a server should answer with when a request failed this way.
    ///
    /// 426 Upgrade Required for a missing or unsupported `Sec-WebSocket-Version`
    /// (RFC 6455 §4.2.2, §4.4), 431 for a head that is too large or has too many
    /// fields (RFC 6585 §5), 500 for the caller's own mistakes
    /// ([`HandshakeError::is_local`]) and 400 Bad Request otherwise (RFC 6455 §4.2.1).
    ///
    /// # Examples
    ///
    /// ```
    /// use wsframe::handshake::HandshakeError;
    ///
    /// assert_eq!(HandshakeError::TooManyHeaders.status(), 431);
    /// assert_eq!(HandshakeError::InsufficientSize { required: 10 }.status(), 500);
    /// ```
    #[must_use]
    pub fn status(&self) -> u16 {
        match self {
            Self::UnsupportedVersion => 426,
            Self::TooLarge | Self::TooManyHeaders => 431,
            _ if self.is_local() => 500,
            _ => 400,
        }
    }

    /// Whether the error is the caller's own mistake rather than the peer's.
    ///
    /// # Examples
    ///
    /// ```
    /// use wsframe::handshake::HandshakeError;
    ///
    /// assert!(HandshakeError::InvalidHeaderValue.is_local());
    /// assert!(!HandshakeError::BadAccept.is_local());
    /// ```
    #[must_use]
    pub fn is_local(&self) -> bool {
        matches!(
            self,
            Self::InsufficientSize { .. }
                | Self::InvalidUri
                | Self::UnsupportedScheme
                | Self::FragmentInUri
                | Self::InvalidPort
                | Self::InvalidHeaderName
                | Self::InvalidHeaderValue
                | Self::ReservedHeader
                | Self::InvalidStatus
        )
    }

    /// Every variant but `InsufficientSize`, in the order of the C result codes
    /// (`WSFRAME_RESULT_HANDSHAKE_*` is 7200 plus the index).
    ///
    /// # Examples
    ///
    /// ```
    /// use wsframe::handshake::HandshakeError;
    ///
    /// assert_eq!(HandshakeError::ALL[0], HandshakeError::TooLarge);
    /// assert!(HandshakeError::ALL.iter().all(|e| e.status() >= 400));
    /// ```
    pub const ALL: [Self; 24] = [
        Self::TooLarge,
        Self::TooManyHeaders,
        Self::MalformedHttp,
        Self::HttpVersion,
        Self::NotGet,
        Self::MissingHost,
        Self::DuplicateHeader,
        Self::MissingUpgrade,
        Self::MissingConnectionUpgrade,
        Self::MissingKey,
        Self::InvalidKey,
        Self::UnsupportedVersion,
        Self::InvalidProtocol,
        Self::BadAccept,
        Self::UnexpectedProtocol,
        Self::UnexpectedExtension,
        Self::InvalidUri,
        Self::UnsupportedScheme,
        Self::FragmentInUri,
        Self::InvalidPort,
        Self::InvalidHeaderName,
        Self::InvalidHeaderValue,
        Self::ReservedHeader,
        Self::InvalidStatus,
    ];

    /// A static description, the text of [`fmt::Display`] (usable in `const` context,
    /// so the bindings build their C strings from it at compile time).
    ///
    /// # Examples
    ///
    /// ```
    /// use wsframe::handshake::HandshakeError;
    ///
    /// assert_eq!(HandshakeError::NotGet.as_str(), "request method is not GET");
    /// ```
    #[must_use]
    pub const fn as_str(&self) -> &'static str {
        match self {
            Self::InsufficientSize { .. } => "output buffer too small",
            Self::TooLarge => "handshake exceeds the size limit",
            Self::TooManyHeaders => "too many header fields",
            Self::MalformedHttp => "malformed HTTP message head",
            Self::HttpVersion => "HTTP/1.1 or higher required",
            Self::NotGet => "request method is not GET",
            Self::MissingHost => "missing Host header",
            Self::DuplicateHeader => "header must appear only once",
            Self::MissingUpgrade => "missing Upgrade: websocket header",
            Self::MissingConnectionUpgrade => "missing Connection: Upgrade header",
            Self::MissingKey => "missing Sec-WebSocket-Key header",
            Self::InvalidKey => "Sec-WebSocket-Key is not 16 base64-encoded bytes",
            Self::UnsupportedVersion => "Sec-WebSocket-Version missing or not 13",
            Self::InvalidProtocol => "invalid subprotocol name",
            Self::BadAccept => "missing or wrong Sec-WebSocket-Accept",
            Self::UnexpectedProtocol => "server selected a subprotocol that was not offered",
            Self::UnexpectedExtension => "server selected an extension that was not offered",
            Self::InvalidUri => "invalid WebSocket URI",
            Self::UnsupportedScheme => "URI scheme is not ws or wss",
            Self::FragmentInUri => "WebSocket URIs must not have a fragment",
            Self::InvalidPort => "invalid port in URI",
            Self::InvalidHeaderName => "header name is not an HTTP token",
            Self::InvalidHeaderValue => "header value is empty or contains control characters",
            Self::ReservedHeader => "header is written by the handshake itself",
            Self::InvalidStatus => "rejection status must be in 300..=599",
        }
    }
}

impl fmt::Display for HandshakeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl core::error::Error for HandshakeError {}
