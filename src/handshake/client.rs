//! The client's opening handshake: writing the request (RFC 6455 §4.1) and
//! validating the server's response (RFC 6455 §4.1, "the client MUST validate").

use super::accept::{accept_key, generate_key};
use super::error::HandshakeError;
use super::head::parse_response_head;
use super::headers::{
    Elements, HeaderValues, Headers, check_extra_headers, extension_name, is_safe_value, is_token,
};
use super::uri::{self, ResourceName, WsUri};
use super::writer::Writer;

/// Headers the request writes itself; extra headers may not repeat them.
const CLIENT_RESERVED: &[&str] = &[
    "Host",
    "Upgrade",
    "Connection",
    "Sec-WebSocket-Key",
    "Sec-WebSocket-Version",
    "Origin",
    "Sec-WebSocket-Protocol",
    "Sec-WebSocket-Extensions",
];

/// A client's opening handshake request (RFC 6455 §4.1), built from a
/// `ws://` or `wss://` URI and optional settings.
///
/// # Examples
///
/// ```
/// use wsframe::handshake::ClientRequest;
///
/// let req = ClientRequest::new("wss://example.com/chat?room=1")?
///     .origin("https://example.com")
///     .protocols(&["chat.v2", "chat"]);
/// assert_eq!((req.host(), req.port(), req.is_secure()), ("example.com", 443, true));
///
/// let mut buf = [0u8; 512];
/// let hs = req.write(*b"the sample nonce", &mut buf)?;
/// let text = core::str::from_utf8(&buf[..hs.request_len()]).unwrap();
/// assert!(text.starts_with("GET /chat?room=1 HTTP/1.1\r\nHost: example.com\r\n"));
/// assert!(text.contains("Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"));
/// assert!(text.contains("Sec-WebSocket-Protocol: chat.v2, chat\r\n"));
/// # Ok::<(), wsframe::handshake::HandshakeError>(())
/// ```
#[derive(Debug, Clone, Copy)]
pub struct ClientRequest<'a> {
    uri: WsUri<'a>,
    origin: Option<&'a str>,
    protocols: &'a [&'a str],
    extensions: Option<&'a str>,
    headers: &'a [(&'a str, &'a str)],
}

impl<'a> ClientRequest<'a> {
    /// Parses a WebSocket URI (RFC 6455 §3): scheme `ws` or `wss` in any case,
    /// a host name or bracketed IPv6 literal, an optional port (default 80 or
    /// 443), a path and a query. There is no userinfo.
    ///
    /// # Errors
    ///
    /// [`HandshakeError::UnsupportedScheme`] for another scheme,
    /// [`HandshakeError::FragmentInUri`] if the URI has a `#` (RFC 6455 §3),
    /// [`HandshakeError::InvalidPort`] for an empty, zero or out-of-range port,
    /// and [`HandshakeError::InvalidUri`] for anything else malformed,
    /// including spaces, control characters and non-ASCII.
    ///
    /// # Examples
    ///
    /// ```
    /// use wsframe::handshake::{ClientRequest, HandshakeError};
    ///
    /// let req = ClientRequest::new("ws://[::1]:9001")?;
    /// assert_eq!((req.host(), req.port()), ("::1", 9001));
    /// assert_eq!(req.resource(), "/");
    /// assert_eq!(ClientRequest::new("ws://h/#top").err(), Some(HandshakeError::FragmentInUri));
    /// # Ok::<(), HandshakeError>(())
    /// ```
    pub fn new(uri: &'a str) -> Result<Self, HandshakeError> {
        Ok(Self {
            uri: uri::parse(uri)?,
            origin: None,
            protocols: &[],
            extensions: None,
            headers: &[],
        })
    }

    /// The host, without brackets for an IPv6 literal.
    ///
    /// # Examples
    ///
    /// ```
    /// use wsframe::handshake::ClientRequest;
    ///
    /// assert_eq!(ClientRequest::new("wss://echo.example.org/ws")?.host(), "echo.example.org");
    /// assert_eq!(ClientRequest::new("ws://[2001:db8::1]:8080/")?.host(), "2001:db8::1");
    /// # Ok::<(), wsframe::handshake::HandshakeError>(())
    /// ```
    #[must_use]
    pub fn host(&self) -> &'a str {
        self.uri.host
    }

    /// The port: the URI's, or 80 for `ws` and 443 for `wss` (RFC 6455 §3).
    ///
    /// # Examples
    ///
    /// ```
    /// use wsframe::handshake::ClientRequest;
    ///
    /// assert_eq!(ClientRequest::new("ws://example.com/chat")?.port(), 80);
    /// assert_eq!(ClientRequest::new("wss://example.com/chat")?.port(), 443);
    /// assert_eq!(ClientRequest::new("ws://localhost:9001/chat")?.port(), 9001);
    /// # Ok::<(), wsframe::handshake::HandshakeError>(())
    /// ```
    #[must_use]
    pub fn port(&self) -> u16 {
        self.uri.port
    }

    /// The `/resource name/` sent in the request line (RFC 6455 §3).
    ///
    /// # Examples
    ///
    /// ```
    /// use wsframe::handshake::ClientRequest;
    ///
    /// let req = ClientRequest::new("wss://example.com/chat?room=1")?;
    /// assert_eq!(req.resource(), "/chat?room=1");
    /// assert_eq!((req.resource().path(), req.resource().query()), ("/chat", Some("room=1")));
    /// # Ok::<(), wsframe::handshake::HandshakeError>(())
    /// ```
    #[must_use]
    pub fn resource(&self) -> ResourceName<'a> {
        self.uri.resource
    }

    /// Whether the scheme is `wss`, so the connection must use TLS (RFC 6455 §4.1 item 2).
    ///
    /// # Examples
    ///
    /// ```
    /// use wsframe::handshake::ClientRequest;
    ///
    /// assert!(ClientRequest::new("wss://example.com/")?.is_secure());
    /// assert!(ClientRequest::new("WSS://example.com/")?.is_secure());
    /// assert!(!ClientRequest::new("ws://example.com:443/")?.is_secure());
    /// # Ok::<(), wsframe::handshake::HandshakeError>(())
    /// ```
    #[must_use]
    pub fn is_secure(&self) -> bool {
        self.uri.secure
    }

    /// Sets the `Origin` header, which browser clients must send (RFC 6455 §4.1 item 8).
    ///
    /// # Examples
    ///
    /// ```
    /// use wsframe::handshake::ClientRequest;
    ///
    /// let req = ClientRequest::new("wss://example.com/chat")?.origin("https://example.com");
    /// let mut buf = [0u8; 256];
    /// let hs = req.write(*b"the sample nonce", &mut buf)?;
    /// let text = core::str::from_utf8(&buf[..hs.request_len()]).unwrap();
    /// assert!(text.contains("\r\nOrigin: https://example.com\r\n"));
    /// # Ok::<(), wsframe::handshake::HandshakeError>(())
    /// ```
    #[must_use]
    pub fn origin(mut self, origin: &'a str) -> Self {
        self.origin = Some(origin);
        self
    }

    /// Sets the subprotocols to offer in `Sec-WebSocket-Protocol`, most
    /// preferred first (RFC 6455 §4.1 item 10). Each must be a unique HTTP token.
    ///
    /// # Examples
    ///
    /// ```
    /// use wsframe::handshake::{ClientRequest, HandshakeError};
    ///
    /// let mut buf = [0u8; 256];
    /// let req = ClientRequest::new("ws://example.com/")?.protocols(&["v2.chat", "chat"]);
    /// let hs = req.write(*b"the sample nonce", &mut buf)?;
    /// let text = core::str::from_utf8(&buf[..hs.request_len()]).unwrap();
    /// assert!(text.contains("\r\nSec-WebSocket-Protocol: v2.chat, chat\r\n"));
    /// let twice = ClientRequest::new("ws://example.com/")?.protocols(&["chat", "chat"]);
    /// assert_eq!(twice.write([0; 16], &mut buf).err(), Some(HandshakeError::InvalidProtocol));
    /// # Ok::<(), HandshakeError>(())
    /// ```
    #[must_use]
    pub fn protocols(mut self, protocols: &'a [&'a str]) -> Self {
        self.protocols = protocols;
        self
    }

    /// Sets the raw `Sec-WebSocket-Extensions` offer, for example
    /// `permessage-deflate; client_max_window_bits` (RFC 6455 §4.1 item 11, §9.1).
    ///
    /// # Examples
    ///
    /// ```
    /// use wsframe::handshake::ClientRequest;
    ///
    /// let offer = "permessage-deflate; client_max_window_bits";
    /// let req = ClientRequest::new("ws://example.com/")?.extensions(offer);
    /// let mut buf = [0u8; 256];
    /// let hs = req.write(*b"the sample nonce", &mut buf)?;
    /// let text = core::str::from_utf8(&buf[..hs.request_len()]).unwrap();
    /// assert!(text.contains(
    ///     "\r\nSec-WebSocket-Extensions: permessage-deflate; client_max_window_bits\r\n"
    /// ));
    /// # Ok::<(), wsframe::handshake::HandshakeError>(())
    /// ```
    #[must_use]
    pub fn extensions(mut self, extensions: &'a str) -> Self {
        self.extensions = Some(extensions);
        self
    }

    /// Sets extra header fields, such as cookies or authorization
    /// (RFC 6455 §4.1 item 12). They may not repeat a header written by
    /// [`ClientRequest::write`].
    ///
    /// # Examples
    ///
    /// ```
    /// use wsframe::handshake::{ClientRequest, HandshakeError};
    ///
    /// let mut buf = [0u8; 256];
    /// let req = ClientRequest::new("ws://example.com/")?.headers(&[("Cookie", "session=1")]);
    /// let hs = req.write(*b"the sample nonce", &mut buf)?;
    /// assert!(buf[..hs.request_len()].ends_with(b"\r\nCookie: session=1\r\n\r\n"));
    /// let host = ClientRequest::new("ws://example.com/")?.headers(&[("host", "other")]);
    /// assert_eq!(host.write([0; 16], &mut buf).err(), Some(HandshakeError::ReservedHeader));
    /// # Ok::<(), HandshakeError>(())
    /// ```
    #[must_use]
    pub fn headers(mut self, headers: &'a [(&'a str, &'a str)]) -> Self {
        self.headers = headers;
        self
    }

    /// Writes the request into `out` (RFC 6455 §4.1) and returns what is
    /// needed to check the response.
    ///
    /// `nonce` must be 16 fresh random bytes from a strong source (RFC 6455
    /// §4.1 item 7, §10.3). `Host` carries the port only when it is not the
    /// scheme's default; IPv6 literals are bracketed.
    ///
    /// # Errors
    ///
    /// [`HandshakeError::InsufficientSize`] with the exact length needed if
    /// `out` is too small (its contents are then unspecified);
    /// [`HandshakeError::InvalidHeaderValue`] if the origin, extensions or an
    /// extra value is empty or has control characters (no header injection);
    /// [`HandshakeError::InvalidHeaderName`] for an extra name that is not a
    /// token; [`HandshakeError::ReservedHeader`] for an extra header this
    /// request writes itself; [`HandshakeError::InvalidProtocol`] for a
    /// subprotocol that is not a token or is offered twice.
    ///
    /// # Examples
    ///
    /// ```
    /// use wsframe::handshake::{ClientRequest, HandshakeError};
    ///
    /// let req = ClientRequest::new("ws://example.com:8080/")?;
    /// let mut small = [0u8; 16];
    /// let Err(HandshakeError::InsufficientSize { required }) = req.write([7; 16], &mut small) else {
    ///     panic!("expected InsufficientSize");
    /// };
    /// let mut buf = [0u8; 256];
    /// let hs = req.write([7; 16], &mut buf)?;
    /// assert_eq!(hs.request_len(), required);
    /// assert!(buf.starts_with(b"GET / HTTP/1.1\r\nHost: example.com:8080\r\n"));
    /// # Ok::<(), HandshakeError>(())
    /// ```
    pub fn write(
        &self,
        nonce: [u8; 16],
        out: &mut [u8],
    ) -> Result<ClientHandshake<'a>, HandshakeError> {
        self.validate()?;
        let key = generate_key(nonce);
        let mut w = Writer::new(out);
        w.put(b"GET ");
        w.put_str(self.uri.resource.path());
        if let Some(q) = self.uri.resource.query() {
            w.put(b"?");
            w.put_str(q);
        }
        w.put(b" HTTP/1.1\r\nHost: ");
        if self.uri.host.contains(':') {
            w.put(b"[");
            w.put_str(self.uri.host);
            w.put(b"]");
        } else {
            w.put_str(self.uri.host);
        }
        if self.uri.port != self.uri.default_port() {
            w.put(b":");
            w.put_decimal(usize::from(self.uri.port));
        }
        w.put(b"\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n");
        w.header("Sec-WebSocket-Key", &key);
        w.put(b"Sec-WebSocket-Version: 13\r\n");
        if let Some(origin) = self.origin {
            w.header("Origin", origin.as_bytes());
        }
        if let Some((first, rest)) = self.protocols.split_first() {
            w.put(b"Sec-WebSocket-Protocol: ");
            w.put_str(first);
            for p in rest {
                w.put(b", ");
                w.put_str(p);
            }
            w.put(b"\r\n");
        }
        if let Some(ext) = self.extensions {
            w.header("Sec-WebSocket-Extensions", ext.as_bytes());
        }
        for (name, value) in self.headers {
            w.header(name, value.as_bytes());
        }
        w.put(b"\r\n");
        let len = w.finish()?;
        Ok(ClientHandshake {
            len,
            key,
            accept: accept_key(&key),
            protocols: self.protocols,
            extensions: self.extensions,
        })
    }

    fn validate(&self) -> Result<(), HandshakeError> {
        if self.origin.is_some_and(|o| !is_safe_value(o.as_bytes()))
            || self.extensions.is_some_and(|e| !is_safe_value(e.as_bytes()))
        {
            return Err(HandshakeError::InvalidHeaderValue);
        }
        for (i, p) in self.protocols.iter().enumerate() {
            let repeated = self.protocols.get(..i).is_some_and(|before| before.contains(p));
            if !is_token(p.as_bytes()) || repeated {
                return Err(HandshakeError::InvalidProtocol);
            }
        }
        check_extra_headers(self.headers, CLIENT_RESERVED)
    }
}

/// A written client request: its length and the state needed to validate
/// the server's response (RFC 6455 §4.1).
///
/// # Examples
///
/// ```
/// use wsframe::handshake::{ClientRequest, Response};
///
/// let mut buf = [0u8; 256];
/// let hs = ClientRequest::new("ws://example.com/chat")?.write(*b"the sample nonce", &mut buf)?;
/// // Send `buf[..hs.request_len()]`, then check what comes back.
/// assert!(buf[..hs.request_len()].starts_with(b"GET /chat HTTP/1.1\r\n"));
/// let input = b"HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n\
///     Connection: Upgrade\r\nSec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n\r\n";
/// assert!(matches!(hs.check_response(input, 8192)?, Response::Accepted(_)));
/// # Ok::<(), wsframe::handshake::HandshakeError>(())
/// ```
#[derive(Debug, Clone, Copy)]
pub struct ClientHandshake<'a> {
    len: usize,
    key: [u8; 24],
    accept: [u8; 28],
    protocols: &'a [&'a str],
    extensions: Option<&'a str>,
}

impl ClientHandshake<'_> {
    /// How many bytes of the output buffer the request occupies.
    ///
    /// # Examples
    ///
    /// ```
    /// use wsframe::handshake::ClientRequest;
    ///
    /// let mut buf = [0u8; 256];
    /// let req = ClientRequest::new("ws://example.com/chat")?;
    /// let hs = req.write(*b"the sample nonce", &mut buf)?;
    /// let request = &buf[..hs.request_len()];
    /// assert!(request.starts_with(b"GET /chat HTTP/1.1\r\n"));
    /// assert!(request.ends_with(b"Sec-WebSocket-Version: 13\r\n\r\n"));
    /// assert!(buf[hs.request_len()..].iter().all(|&b| b == 0));
    /// # Ok::<(), wsframe::handshake::HandshakeError>(())
    /// ```
    #[must_use]
    pub fn request_len(&self) -> usize {
        self.len
    }

    /// The `Sec-WebSocket-Key` that was sent.
    ///
    /// # Examples
    ///
    /// ```
    /// use wsframe::handshake::ClientRequest;
    ///
    /// let mut buf = [0u8; 256];
    /// let req = ClientRequest::new("ws://example.com/chat")?;
    /// // The sample nonce of RFC 6455 §4.1, base64-encoded into the key.
    /// let hs = req.write(*b"the sample nonce", &mut buf)?;
    /// assert_eq!(hs.key(), b"dGhlIHNhbXBsZSBub25jZQ==");
    /// let text = core::str::from_utf8(&buf[..hs.request_len()]).unwrap();
    /// assert!(text.contains("\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"));
    /// # Ok::<(), wsframe::handshake::HandshakeError>(())
    /// ```
    #[must_use]
    pub fn key(&self) -> &[u8; 24] {
        &self.key
    }

    /// The `Sec-WebSocket-Accept` the server must answer with (RFC 6455 §4.2.2).
    ///
    /// # Examples
    ///
    /// ```
    /// use wsframe::handshake::{ClientRequest, accept_key};
    ///
    /// let mut buf = [0u8; 256];
    /// let req = ClientRequest::new("ws://example.com/chat")?;
    /// let hs = req.write(*b"the sample nonce", &mut buf)?;
    /// // The example of RFC 6455 §1.3.
    /// assert_eq!(hs.expected_accept(), b"s3pPLMBiTxaQ9kYGzzhZRbK+xOo=");
    /// assert_eq!(*hs.expected_accept(), accept_key(hs.key()));
    /// # Ok::<(), wsframe::handshake::HandshakeError>(())
    /// ```
    #[must_use]
    pub fn expected_accept(&self) -> &[u8; 28] {
        &self.accept
    }

    /// Checks the server's response (RFC 6455 §4.1, from "the client MUST
    /// validate the server's response").
    ///
    /// Returns [`Response::Partial`] until the head is complete, then
    /// [`Response::Rejected`] for any status but 101 (authentication, a
    /// redirect, ...) or [`Response::Accepted`] once every check passed: the
    /// status is 101, `Upgrade` contains `websocket` and `Connection` contains
    /// `Upgrade` (ASCII case-insensitive), `Sec-WebSocket-Accept` is exactly
    /// the expected value, `Sec-WebSocket-Protocol` is absent or exactly one
    /// offered subprotocol, and every extension named in
    /// `Sec-WebSocket-Extensions` was offered. Bytes of `input` after
    /// `consumed` are the first WebSocket frames and belong to the caller.
    ///
    /// # Errors
    ///
    /// [`HandshakeError::TooLarge`] if `input` reaches `max_size` bytes without
    /// a complete head; [`HandshakeError::MalformedHttp`] or
    /// [`HandshakeError::TooManyHeaders`] if it cannot be parsed;
    /// [`HandshakeError::HttpVersion`] for a 101 in HTTP/1.0;
    /// [`HandshakeError::MissingUpgrade`],
    /// [`HandshakeError::MissingConnectionUpgrade`],
    /// [`HandshakeError::BadAccept`], [`HandshakeError::DuplicateHeader`],
    /// [`HandshakeError::UnexpectedProtocol`] and
    /// [`HandshakeError::UnexpectedExtension`] for a 101 that fails a check.
    /// The client must then fail the WebSocket connection.
    ///
    /// # Examples
    ///
    /// ```
    /// use wsframe::handshake::{ClientRequest, Response};
    ///
    /// let mut buf = [0u8; 256];
    /// let hs = ClientRequest::new("ws://example.com/chat")?.write(*b"the sample nonce", &mut buf)?;
    /// let input = b"HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n\
    ///     Connection: Upgrade\r\nSec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n\r\n\x81\x00";
    /// let Response::Accepted(ok) = hs.check_response(input, 8192)? else { panic!() };
    /// assert_eq!(&input[ok.consumed()..], b"\x81\x00");
    /// assert_eq!(ok.protocol(), None);
    /// assert!(matches!(hs.check_response(&input[..20], 8192)?, Response::Partial));
    /// # Ok::<(), wsframe::handshake::HandshakeError>(())
    /// ```
    pub fn check_response<'b>(
        &self,
        input: &'b [u8],
        max_size: usize,
    ) -> Result<Response<'b>, HandshakeError> {
        let offered = Offered {
            accept: &self.accept,
            is_protocol: &|p| self.protocols.iter().any(|o| o.as_bytes() == p),
            extensions: self.extensions.unwrap_or(""),
        };
        offered.check(input, max_size)
    }

    /// A verifier that owns what it checks against (the expected accept key,
    /// the offered subprotocols and extensions), so the request's strings
    /// need not outlive the handshake: what a binding keeps per connection.
    ///
    /// # Examples
    ///
    /// ```
    /// use wsframe::handshake::{ClientRequest, Response};
    ///
    /// let mut buf = [0u8; 256];
    /// let verifier = {
    ///     let protocols = ["chat".to_string()];
    ///     let offered: Vec<&str> = protocols.iter().map(String::as_str).collect();
    ///     ClientRequest::new("ws://example.com/")?
    ///         .protocols(&offered)
    ///         .write(*b"the sample nonce", &mut buf)?
    ///         .to_verifier()
    /// };
    /// let input = b"HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n\
    ///     Connection: Upgrade\r\nSec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n\
    ///     Sec-WebSocket-Protocol: chat\r\n\r\n";
    /// let Response::Accepted(ok) = verifier.check_response(input, 8192)? else { panic!() };
    /// assert_eq!(ok.protocol(), Some("chat"));
    /// # Ok::<(), wsframe::handshake::HandshakeError>(())
    /// ```
    #[cfg(feature = "alloc")]
    #[must_use]
    pub fn to_verifier(&self) -> ClientVerifier {
        use alloc::borrow::ToOwned;
        ClientVerifier {
            key: self.key,
            accept: self.accept,
            protocols: self.protocols.iter().map(|p| (*p).to_owned()).collect(),
            extensions: self.extensions.unwrap_or("").to_owned(),
        }
    }
}

/// A client handshake's checks with owned state (`alloc`): made by
/// [`ClientHandshake::to_verifier`].
///
/// # Examples
///
/// ```
/// use wsframe::handshake::{ClientRequest, ClientVerifier, Response};
///
/// let mut buf = [0u8; 256];
/// let req = ClientRequest::new("ws://example.com/chat")?.protocols(&["chat"]);
/// // Kept per connection while the request is sent and the answer awaited.
/// let verifier: ClientVerifier = req.write(*b"the sample nonce", &mut buf)?.to_verifier();
/// let input = b"HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n\
///     Connection: Upgrade\r\nSec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n\
///     Sec-WebSocket-Protocol: chat\r\n\r\n";
/// let Response::Accepted(ok) = verifier.check_response(input, 8192)? else { panic!() };
/// assert_eq!(ok.protocol(), Some("chat"));
/// # Ok::<(), wsframe::handshake::HandshakeError>(())
/// ```
#[cfg(feature = "alloc")]
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClientVerifier {
    key: [u8; 24],
    accept: [u8; 28],
    protocols: alloc::vec::Vec<alloc::string::String>,
    extensions: alloc::string::String,
}

#[cfg(feature = "alloc")]
impl ClientVerifier {
    /// The `Sec-WebSocket-Key` that was sent.
    ///
    /// # Examples
    ///
    /// ```
    /// use wsframe::handshake::ClientRequest;
    ///
    /// let mut buf = [0u8; 256];
    /// let v = ClientRequest::new("ws://h/")?.write(*b"the sample nonce", &mut buf)?.to_verifier();
    /// assert_eq!(v.key(), b"dGhlIHNhbXBsZSBub25jZQ==");
    /// # Ok::<(), wsframe::handshake::HandshakeError>(())
    /// ```
    #[must_use]
    pub fn key(&self) -> &[u8; 24] {
        &self.key
    }

    /// Exactly [`ClientHandshake::check_response`].
    ///
    /// # Errors
    ///
    /// As for [`ClientHandshake::check_response`].
    ///
    /// # Examples
    ///
    /// ```
    /// use wsframe::handshake::{ClientRequest, HandshakeError};
    ///
    /// let mut buf = [0u8; 256];
    /// let v = ClientRequest::new("ws://h/")?.write(*b"the sample nonce", &mut buf)?.to_verifier();
    /// let bad = b"HTTP/1.1 101 OK\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\
    ///     Sec-WebSocket-Accept: AAAAAAAAAAAAAAAAAAAAAAAAAAA=\r\n\r\n";
    /// assert_eq!(v.check_response(bad, 8192).unwrap_err(), HandshakeError::BadAccept);
    /// # Ok::<(), wsframe::handshake::HandshakeError>(())
    /// ```
    pub fn check_response<'b>(
        &self,
        input: &'b [u8],
        max_size: usize,
    ) -> Result<Response<'b>, HandshakeError> {
        let offered = Offered {
            accept: &self.accept,
            is_protocol: &|p| self.protocols.iter().any(|o| o.as_bytes() == p),
            extensions: &self.extensions,
        };
        offered.check(input, max_size)
    }
}

/// What a client offered, kept in fixed storage with no allocator, to check
/// the response to a request written earlier (by [`ClientRequest::write`]
/// with the same nonce) without writing it again: what a caller keeps per
/// connection in static memory (the C binding's `wsframe_client_handshake`).
///
/// # Examples
///
/// ```
/// use wsframe::handshake::{ClientOffer, Response};
///
/// let input = b"HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n\
///     Connection: Upgrade\r\nSec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n\
///     Sec-WebSocket-Protocol: chat\r\n\r\n";
/// let nonce = *b"the sample nonce";
/// let offer = ClientOffer::new(nonce, &["superchat", "chat"], None).unwrap();
/// let Response::Accepted(ok) = offer.check_response(input, 8192)? else { panic!() };
/// assert_eq!(ok.protocol(), Some("chat"));
/// let other = ClientOffer::new(nonce, &["other"], None).unwrap();
/// assert!(other.check_response(input, 8192).is_err());
/// # Ok::<(), wsframe::handshake::HandshakeError>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ClientOffer {
    nonce: [u8; 16],
    /// The offered subprotocols, each followed by a NUL (never in a token).
    protocols: [u8; ClientOffer::MAX_LEN],
    protocols_len: u16,
    /// The `Sec-WebSocket-Extensions` offer as written.
    extensions: [u8; ClientOffer::MAX_LEN],
    extensions_len: u16,
}

impl ClientOffer {
    /// Most bytes of subprotocol names (one more per name) and of the
    /// extension offer that fit.
    pub const MAX_LEN: usize = 256;

    /// Keeps `nonce` and the offer; `None` if the names (plus one byte each)
    /// or the extension offer exceed [`ClientOffer::MAX_LEN`] bytes.
    ///
    /// # Examples
    ///
    /// ```
    /// use wsframe::handshake::ClientOffer;
    ///
    /// assert!(ClientOffer::new([0; 16], &["chat"], Some("permessage-deflate")).is_some());
    /// assert!(ClientOffer::new([0; 16], &[], Some(&"x".repeat(257))).is_none());
    /// ```
    #[must_use]
    pub fn new(nonce: [u8; 16], protocols: &[&str], extensions: Option<&str>) -> Option<Self> {
        let ext = extensions.unwrap_or("").as_bytes();
        let mut offer = Self {
            nonce,
            protocols: [0; Self::MAX_LEN],
            protocols_len: 0,
            extensions: [0; Self::MAX_LEN],
            extensions_len: u16::try_from(ext.len()).ok()?,
        };
        offer.extensions.get_mut(..ext.len())?.copy_from_slice(ext);
        for p in protocols {
            let at = usize::from(offer.protocols_len);
            offer.protocols.get_mut(at..at + p.len())?.copy_from_slice(p.as_bytes());
            *offer.protocols.get_mut(at + p.len())? = 0;
            offer.protocols_len += u16::try_from(p.len() + 1).ok()?;
        }
        Some(offer)
    }

    /// Exactly [`ClientHandshake::check_response`] for the request this
    /// offer was written with.
    ///
    /// # Errors
    ///
    /// As for [`ClientHandshake::check_response`].
    ///
    /// # Examples
    ///
    /// ```
    /// use wsframe::handshake::{ClientOffer, Response};
    ///
    /// let offer = ClientOffer::new(*b"the sample nonce", &[], None).unwrap();
    /// let partial = b"HTTP/1.1 101 Switching Protocols\r\n";
    /// assert!(matches!(offer.check_response(partial, 8192)?, Response::Partial));
    /// # Ok::<(), wsframe::handshake::HandshakeError>(())
    /// ```
    pub fn check_response<'b>(
        &self,
        input: &'b [u8],
        max_size: usize,
    ) -> Result<Response<'b>, HandshakeError> {
        let names = self.protocols.get(..usize::from(self.protocols_len)).unwrap_or_default();
        let extensions = self.extensions.get(..usize::from(self.extensions_len));
        let offered = Offered {
            accept: &accept_key(&generate_key(self.nonce)),
            is_protocol: &|p| names.split(|&b| b == 0).any(|o| !o.is_empty() && o == p),
            extensions: extensions.and_then(|e| core::str::from_utf8(e).ok()).unwrap_or(""),
        };
        offered.check(input, max_size)
    }
}

/// What the client offered: the one thing both verifiers differ in is where
/// it is stored.
struct Offered<'o> {
    accept: &'o [u8; 28],
    is_protocol: &'o dyn Fn(&[u8]) -> bool,
    extensions: &'o str,
}

impl Offered<'_> {
    fn check<'b>(&self, input: &'b [u8], max_size: usize) -> Result<Response<'b>, HandshakeError> {
        let Some(head) = parse_response_head(input, max_size)? else {
            return Ok(Response::Partial);
        };
        if head.status != 101 {
            return Ok(Response::Rejected(Rejected {
                status: head.status,
                reason: head.reason,
                headers: head.headers,
                consumed: head.consumed,
            }));
        }
        let headers = head.headers;
        if head.minor_version < 1 {
            return Err(HandshakeError::HttpVersion);
        }
        if !headers.contains_token("Upgrade", "websocket") {
            return Err(HandshakeError::MissingUpgrade);
        }
        if !headers.contains_token("Connection", "upgrade") {
            return Err(HandshakeError::MissingConnectionUpgrade);
        }
        if headers.unique("Sec-WebSocket-Accept")? != Some(&self.accept[..]) {
            return Err(HandshakeError::BadAccept);
        }
        let protocol = self.check_protocol(&headers)?;
        self.check_extensions(&headers)?;
        Ok(Response::Accepted(Accepted { protocol, headers, consumed: head.consumed }))
    }

    /// Absent, or one value equal (case-sensitively) to an offered subprotocol.
    fn check_protocol<'b>(&self, headers: &Headers<'b>) -> Result<Option<&'b str>, HandshakeError> {
        let mut values = headers.get_all("Sec-WebSocket-Protocol");
        let Some(value) = values.next() else {
            return Ok(None);
        };
        if values.next().is_some() || !(self.is_protocol)(value) {
            return Err(HandshakeError::UnexpectedProtocol);
        }
        core::str::from_utf8(value).map(Some).map_err(|_| HandshakeError::UnexpectedProtocol)
    }

    /// Every extension the server names must have been offered (by name,
    /// ASCII case-insensitive); parameters are for the extension to judge.
    fn check_extensions(&self, headers: &Headers<'_>) -> Result<(), HandshakeError> {
        let offers = self.extensions.as_bytes();
        for element in headers.tokens("Sec-WebSocket-Extensions") {
            let name = extension_name(element);
            let offered =
                Elements::new(offers).any(|o| extension_name(o).eq_ignore_ascii_case(name));
            if !is_token(name) || !offered {
                return Err(HandshakeError::UnexpectedExtension);
            }
        }
        Ok(())
    }
}

/// The outcome of [`ClientHandshake::check_response`].
///
/// # Examples
///
/// ```
/// use wsframe::handshake::{ClientRequest, Response};
///
/// let mut buf = [0u8; 256];
/// let hs = ClientRequest::new("ws://example.com/chat")?.write(*b"the sample nonce", &mut buf)?;
/// let input = b"HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n\
///     Connection: Upgrade\r\nSec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n\r\n";
/// // Not the whole head yet: read more, then call again with all the bytes so far.
/// assert!(matches!(hs.check_response(&input[..20], 8192)?, Response::Partial));
/// assert!(matches!(hs.check_response(input, 8192)?, Response::Accepted(_)));
/// let not_found = b"HTTP/1.1 404 Not Found\r\n\r\n";
/// let outcome = hs.check_response(not_found, 8192)?;
/// assert!(matches!(outcome, Response::Rejected(no) if no.status() == 404));
/// # Ok::<(), wsframe::handshake::HandshakeError>(())
/// ```
#[derive(Debug, Clone)]
pub enum Response<'b> {
    /// The response head is not complete yet: read more and call again with
    /// all the bytes so far.
    Partial,
    /// The server answered with a status other than 101 (RFC 6455 §4.1): the
    /// WebSocket connection was not established.
    Rejected(Rejected<'b>),
    /// The server accepted and every check passed: the connection is OPEN.
    Accepted(Accepted<'b>),
}

/// A response with a status other than 101 Switching Protocols.
///
/// The client may handle it per HTTP, for example authenticate after 401 or
/// follow a 3xx redirect to [`Rejected::location`] (RFC 6455 §4.1). A body,
/// if any, follows the head and is not read.
///
/// # Examples
///
/// ```
/// use wsframe::handshake::{ClientRequest, Response};
///
/// let mut buf = [0u8; 256];
/// let hs = ClientRequest::new("ws://example.com/chat")?.write(*b"the sample nonce", &mut buf)?;
/// let input = b"HTTP/1.1 401 Unauthorized\r\nWWW-Authenticate: Basic realm=\"chat\"\r\n\
///     Content-Length: 0\r\n\r\n";
/// let Response::Rejected(no) = hs.check_response(input, 8192)? else { panic!() };
/// assert_eq!((no.status(), no.reason()), (401, "Unauthorized"));
/// assert_eq!(no.header("www-authenticate"), Some(&b"Basic realm=\"chat\""[..]));
/// # Ok::<(), wsframe::handshake::HandshakeError>(())
/// ```
#[derive(Debug, Clone)]
pub struct Rejected<'b> {
    status: u16,
    reason: &'b str,
    headers: Headers<'b>,
    consumed: usize,
}

impl<'b> Rejected<'b> {
    /// The HTTP status code.
    ///
    /// # Examples
    ///
    /// ```
    /// use wsframe::handshake::{ClientRequest, Response};
    ///
    /// let mut buf = [0u8; 256];
    /// let req = ClientRequest::new("ws://example.com/chat")?;
    /// let hs = req.write(*b"the sample nonce", &mut buf)?;
    /// let input = b"HTTP/1.1 403 Forbidden\r\nContent-Length: 0\r\n\r\n";
    /// let Response::Rejected(no) = hs.check_response(input, 8192)? else { panic!() };
    /// assert_eq!(no.status(), 403);
    /// # Ok::<(), wsframe::handshake::HandshakeError>(())
    /// ```
    #[must_use]
    pub fn status(&self) -> u16 {
        self.status
    }

    /// The reason phrase, possibly empty.
    ///
    /// # Examples
    ///
    /// ```
    /// use wsframe::handshake::{ClientRequest, Response};
    ///
    /// let mut buf = [0u8; 256];
    /// let req = ClientRequest::new("ws://example.com/chat")?;
    /// let hs = req.write(*b"the sample nonce", &mut buf)?;
    /// let input = b"HTTP/1.1 403 Forbidden\r\nContent-Length: 0\r\n\r\n";
    /// let Response::Rejected(no) = hs.check_response(input, 8192)? else { panic!() };
    /// assert_eq!(no.reason(), "Forbidden");
    /// let input = b"HTTP/1.1 503 \r\n\r\n";
    /// let Response::Rejected(no) = hs.check_response(input, 8192)? else { panic!() };
    /// assert_eq!((no.status(), no.reason()), (503, ""));
    /// # Ok::<(), wsframe::handshake::HandshakeError>(())
    /// ```
    #[must_use]
    pub fn reason(&self) -> &'b str {
        self.reason
    }

    /// The `Location` header, for redirects.
    ///
    /// # Examples
    ///
    /// ```
    /// use wsframe::handshake::{ClientRequest, Response};
    ///
    /// let mut buf = [0u8; 256];
    /// let req = ClientRequest::new("ws://example.com/chat")?;
    /// let hs = req.write(*b"the sample nonce", &mut buf)?;
    /// let input = b"HTTP/1.1 301 Moved Permanently\r\nLocation: wss://example.com/chat\r\n\r\n";
    /// let Response::Rejected(no) = hs.check_response(input, 8192)? else { panic!() };
    /// assert_eq!(no.status(), 301);
    /// assert_eq!(no.location(), Some(&b"wss://example.com/chat"[..]));
    /// # Ok::<(), wsframe::handshake::HandshakeError>(())
    /// ```
    #[must_use]
    pub fn location(&self) -> Option<&'b [u8]> {
        self.headers.get("Location")
    }

    /// The first value of the header `name` (case-insensitive).
    ///
    /// # Examples
    ///
    /// ```
    /// use wsframe::handshake::{ClientRequest, Response};
    ///
    /// let mut buf = [0u8; 256];
    /// let req = ClientRequest::new("ws://example.com/chat")?;
    /// let hs = req.write(*b"the sample nonce", &mut buf)?;
    /// let input = b"HTTP/1.1 429 Too Many Requests\r\nRetry-After: 120\r\n\r\n";
    /// let Response::Rejected(no) = hs.check_response(input, 8192)? else { panic!() };
    /// assert_eq!(no.header("retry-after"), Some(&b"120"[..]));
    /// assert_eq!(no.header("Location"), None);
    /// # Ok::<(), wsframe::handshake::HandshakeError>(())
    /// ```
    #[must_use]
    pub fn header(&self, name: &str) -> Option<&'b [u8]> {
        self.headers.get(name)
    }

    /// All header fields.
    ///
    /// # Examples
    ///
    /// ```
    /// use wsframe::handshake::{ClientRequest, Response};
    ///
    /// let mut buf = [0u8; 256];
    /// let req = ClientRequest::new("ws://example.com/chat")?;
    /// let hs = req.write(*b"the sample nonce", &mut buf)?;
    /// let input = b"HTTP/1.1 403 Forbidden\r\nServer: demo\r\nContent-Length: 0\r\n\r\n";
    /// let Response::Rejected(no) = hs.check_response(input, 8192)? else { panic!() };
    /// assert_eq!(no.all_headers().len(), 2);
    /// let fields = [("Server", &b"demo"[..]), ("Content-Length", &b"0"[..])];
    /// assert!(no.all_headers().iter().eq(fields));
    /// # Ok::<(), wsframe::handshake::HandshakeError>(())
    /// ```
    #[must_use]
    pub fn all_headers(&self) -> &Headers<'b> {
        &self.headers
    }

    /// The length of the response head, including its final empty line.
    ///
    /// # Examples
    ///
    /// ```
    /// use wsframe::handshake::{ClientRequest, Response};
    ///
    /// let mut buf = [0u8; 256];
    /// let req = ClientRequest::new("ws://example.com/chat")?;
    /// let hs = req.write(*b"the sample nonce", &mut buf)?;
    /// let input = b"HTTP/1.1 403 Forbidden\r\nContent-Length: 9\r\n\r\nforbidden";
    /// let Response::Rejected(no) = hs.check_response(input, 8192)? else { panic!() };
    /// // The body is not read: it follows the head.
    /// assert_eq!(&input[no.consumed()..], b"forbidden");
    /// # Ok::<(), wsframe::handshake::HandshakeError>(())
    /// ```
    #[must_use]
    pub fn consumed(&self) -> usize {
        self.consumed
    }
}

/// A validated 101 response: the WebSocket connection is established
/// (RFC 6455 §4.1).
///
/// # Examples
///
/// ```
/// use wsframe::handshake::{ClientRequest, Response};
///
/// let mut buf = [0u8; 256];
/// let req = ClientRequest::new("ws://example.com/chat")?.protocols(&["superchat", "chat"]);
/// let hs = req.write(*b"the sample nonce", &mut buf)?;
/// let input = b"HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n\
///     Connection: Upgrade\r\nSec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n\
///     Sec-WebSocket-Protocol: chat\r\n\r\n";
/// let Response::Accepted(ok) = hs.check_response(input, 8192)? else { panic!() };
/// assert_eq!((ok.protocol(), ok.consumed()), (Some("chat"), input.len()));
/// # Ok::<(), wsframe::handshake::HandshakeError>(())
/// ```
#[derive(Debug, Clone)]
pub struct Accepted<'b> {
    protocol: Option<&'b str>,
    headers: Headers<'b>,
    consumed: usize,
}

impl<'b> Accepted<'b> {
    /// The length of the response head. The bytes after it in the input are
    /// already WebSocket frames and must be handed to the connection.
    ///
    /// # Examples
    ///
    /// ```
    /// use wsframe::handshake::{ClientRequest, Response};
    ///
    /// let mut buf = [0u8; 256];
    /// let req = ClientRequest::new("ws://example.com/chat")?;
    /// let hs = req.write(*b"the sample nonce", &mut buf)?;
    /// // The head, then a text frame "Hi" the server sent right after it.
    /// let input = b"HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n\
    ///     Connection: Upgrade\r\nSec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n\
    ///     \r\n\x81\x02Hi";
    /// let Response::Accepted(ok) = hs.check_response(input, 8192)? else { panic!() };
    /// assert_eq!(&input[ok.consumed()..], b"\x81\x02Hi");
    /// # Ok::<(), wsframe::handshake::HandshakeError>(())
    /// ```
    #[must_use]
    pub fn consumed(&self) -> usize {
        self.consumed
    }

    /// The subprotocol the server selected, one of those offered (RFC 6455 §4.1).
    ///
    /// # Examples
    ///
    /// ```
    /// use wsframe::handshake::{ClientRequest, Response};
    ///
    /// let mut buf = [0u8; 256];
    /// let req = ClientRequest::new("ws://example.com/chat")?.protocols(&["v2.chat", "chat"]);
    /// let hs = req.write(*b"the sample nonce", &mut buf)?;
    /// let input = b"HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n\
    ///     Connection: Upgrade\r\nSec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n\
    ///     Sec-WebSocket-Protocol: v2.chat\r\n\r\n";
    /// let Response::Accepted(ok) = hs.check_response(input, 8192)? else { panic!() };
    /// assert_eq!(ok.protocol(), Some("v2.chat"));
    /// # Ok::<(), wsframe::handshake::HandshakeError>(())
    /// ```
    #[must_use]
    pub fn protocol(&self) -> Option<&'b str> {
        self.protocol
    }

    /// The raw `Sec-WebSocket-Extensions` values: the extensions in use, each
    /// offered by this client (RFC 6455 §4.1, §9.1).
    ///
    /// # Examples
    ///
    /// ```
    /// use wsframe::handshake::{ClientRequest, Response};
    ///
    /// let mut buf = [0u8; 256];
    /// let offer = "permessage-deflate; client_max_window_bits";
    /// let req = ClientRequest::new("ws://example.com/chat")?.extensions(offer);
    /// let hs = req.write(*b"the sample nonce", &mut buf)?;
    /// let input = b"HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n\
    ///     Connection: Upgrade\r\nSec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n\
    ///     Sec-WebSocket-Extensions: permessage-deflate; client_max_window_bits=10\r\n\r\n";
    /// let Response::Accepted(ok) = hs.check_response(input, 8192)? else { panic!() };
    /// assert!(ok.extensions().eq([&b"permessage-deflate; client_max_window_bits=10"[..]]));
    /// # Ok::<(), wsframe::handshake::HandshakeError>(())
    /// ```
    #[must_use]
    pub fn extensions(&self) -> HeaderValues<'_, 'b> {
        self.headers.get_all("Sec-WebSocket-Extensions")
    }

    /// The first value of the header `name` (case-insensitive).
    ///
    /// # Examples
    ///
    /// ```
    /// use wsframe::handshake::{ClientRequest, Response};
    ///
    /// let mut buf = [0u8; 256];
    /// let req = ClientRequest::new("ws://example.com/chat")?;
    /// let hs = req.write(*b"the sample nonce", &mut buf)?;
    /// let input = b"HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n\
    ///     Connection: Upgrade\r\nSec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n\
    ///     Server: demo/1.0\r\n\r\n";
    /// let Response::Accepted(ok) = hs.check_response(input, 8192)? else { panic!() };
    /// assert_eq!(ok.header("server"), Some(&b"demo/1.0"[..]));
    /// assert_eq!(ok.header("Sec-WebSocket-Protocol"), None);
    /// # Ok::<(), wsframe::handshake::HandshakeError>(())
    /// ```
    #[must_use]
    pub fn header(&self, name: &str) -> Option<&'b [u8]> {
        self.headers.get(name)
    }

    /// Every value of the header `name` (case-insensitive).
    ///
    /// # Examples
    ///
    /// ```
    /// use wsframe::handshake::{ClientRequest, Response};
    ///
    /// let mut buf = [0u8; 256];
    /// let req = ClientRequest::new("ws://example.com/chat")?;
    /// let hs = req.write(*b"the sample nonce", &mut buf)?;
    /// let input = b"HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n\
    ///     Connection: Upgrade\r\nSec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n\
    ///     Set-Cookie: a=1\r\nSet-Cookie: b=2\r\n\r\n";
    /// let Response::Accepted(ok) = hs.check_response(input, 8192)? else { panic!() };
    /// assert!(ok.headers("set-cookie").eq([&b"a=1"[..], &b"b=2"[..]]));
    /// # Ok::<(), wsframe::handshake::HandshakeError>(())
    /// ```
    #[must_use]
    pub fn headers<'h>(&'h self, name: &'h str) -> HeaderValues<'h, 'b> {
        self.headers.get_all(name)
    }

    /// All header fields.
    ///
    /// # Examples
    ///
    /// ```
    /// use wsframe::handshake::{ClientRequest, Response};
    ///
    /// let mut buf = [0u8; 256];
    /// let req = ClientRequest::new("ws://example.com/chat")?;
    /// let hs = req.write(*b"the sample nonce", &mut buf)?;
    /// let input = b"HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n\
    ///     Connection: Upgrade\r\nSec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n\r\n";
    /// let Response::Accepted(ok) = hs.check_response(input, 8192)? else { panic!() };
    /// assert_eq!(ok.all_headers().len(), 3);
    /// assert!(ok.all_headers().contains_token("upgrade", "WebSocket"));
    /// # Ok::<(), wsframe::handshake::HandshakeError>(())
    /// ```
    #[must_use]
    pub fn all_headers(&self) -> &Headers<'b> {
        &self.headers
    }
}
