//! The server's opening handshake: reading the client's request
//! (RFC 6455 §4.2.1) and answering it (RFC 6455 §4.2.2, §4.4).

use super::accept::{accept_key, is_valid_key};
use super::error::HandshakeError;
use super::head::parse_request_head;
use super::headers::{
    Elements, FieldLines, HeaderValues, Headers, Tokens, check_extra_headers, is_safe_value,
    is_token,
};
use super::swar;
use super::uri::ResourceName;
use super::writer::Writer;

/// Parses and validates a client's opening handshake (RFC 6455 §4.2.1).
///
/// Returns `Ok(None)` while the head is incomplete: read more and call again
/// with all the bytes so far. The checks: method `GET`; HTTP/1.1 or higher;
/// exactly one non-empty `Host`; `Upgrade` containing the token `websocket`
/// and `Connection` containing `Upgrade` (ASCII case-insensitive, in
/// comma-separated lists, possibly over repeated fields);
/// `Sec-WebSocket-Version` exactly `13`; exactly one `Sec-WebSocket-Key`
/// that is the base64 encoding of 16 bytes; subprotocols that are tokens.
///
/// `Origin`, the subprotocols and the extensions are exposed for the
/// application to judge (RFC 6455 §4.2.2 steps 4 and 5); nothing is chosen
/// here. Bytes after [`Request::consumed`] are already WebSocket frames.
///
/// # Errors
///
/// [`HandshakeError::TooLarge`] if `input` reaches `max_size` bytes without a
/// complete head (see [`super::DEFAULT_MAX_HANDSHAKE`]);
/// [`HandshakeError::TooManyHeaders`], [`HandshakeError::MalformedHttp`]
/// (also for a request-target that is neither a path starting with `/` nor
/// an absolute `http`, `https`, `ws` or `wss` URI),
/// [`HandshakeError::NotGet`], [`HandshakeError::HttpVersion`],
/// [`HandshakeError::MissingHost`], [`HandshakeError::DuplicateHeader`],
/// [`HandshakeError::MissingUpgrade`],
/// [`HandshakeError::MissingConnectionUpgrade`],
/// [`HandshakeError::UnsupportedVersion`], [`HandshakeError::MissingKey`],
/// [`HandshakeError::InvalidKey`] and [`HandshakeError::InvalidProtocol`] for
/// a request that fails a check. Answer with
/// [`write_reject_for`] (RFC 6455 §4.2.1: "an HTTP response with an
/// appropriate error code (such as 400 Bad Request)").
///
/// # Examples
///
/// ```
/// use wsframe::handshake::{DEFAULT_MAX_HANDSHAKE, parse_request};
///
/// let input = b"GET /chat HTTP/1.1\r\nHost: server.example.com\r\nUpgrade: websocket\r\n\
///     Connection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\
///     Origin: http://example.com\r\nSec-WebSocket-Protocol: chat, superchat\r\n\
///     Sec-WebSocket-Version: 13\r\n\r\n";
/// assert!(parse_request(&input[..40], DEFAULT_MAX_HANDSHAKE)?.is_none());
/// let req = parse_request(input, DEFAULT_MAX_HANDSHAKE)?.expect("complete");
/// assert_eq!(req.path(), "/chat");
/// assert_eq!(req.origin(), Some(&b"http://example.com"[..]));
/// assert!(req.protocols().eq(["chat", "superchat"]));
/// assert_eq!(&req.accept_key(), b"s3pPLMBiTxaQ9kYGzzhZRbK+xOo=");
/// assert_eq!(req.consumed(), input.len());
/// # Ok::<(), wsframe::handshake::HandshakeError>(())
/// ```
pub fn parse_request(input: &[u8], max_size: usize) -> Result<Option<Request<'_>>, HandshakeError> {
    // One pass: the checks below and the accessors need only what the
    // parser hands each field to, so nothing is looked up by name again.
    let mut f = Fields { protocols_valid: true, ..Fields::default() };
    let Some(head) = parse_request_head(input, max_size, |i, name, value| {
        // The length first: most fields are none of these.
        match name.len() {
            4 if is_name(name, b"host") => f.host.set(value),
            6 if is_name(name, b"origin") => {
                f.origin = f.origin.or(Some(value));
            }
            7 if is_name(name, b"upgrade") => {
                f.upgrade_websocket |= has_token(value, b"websocket");
            }
            10 if is_name(name, b"connection") => {
                f.connection_upgrade |= has_token(value, b"upgrade");
            }
            17 if is_name(name, b"sec-websocket-key") => f.key.set(value),
            21 if is_name(name, b"sec-websocket-version") => f.version.set(value),
            22 if is_name(name, b"sec-websocket-protocol") => {
                f.protocols.add(i);
                f.protocols_valid &= Elements::new(value).all(is_token);
            }
            24 if is_name(name, b"sec-websocket-extensions") => f.extensions.add(i),
            _ => {}
        }
    })?
    else {
        return Ok(None);
    };
    // Methods are case-sensitive (RFC 7231 §4.1).
    if head.method != b"GET" {
        return Err(HandshakeError::NotGet);
    }
    if head.minor_version < 1 {
        return Err(HandshakeError::HttpVersion);
    }
    if !is_request_target(head.target) {
        return Err(HandshakeError::MalformedHttp);
    }
    let host = match f.host.get()? {
        Some(h) if !h.is_empty() => h,
        _ => return Err(HandshakeError::MissingHost),
    };
    if !f.upgrade_websocket {
        return Err(HandshakeError::MissingUpgrade);
    }
    if !f.connection_upgrade {
        return Err(HandshakeError::MissingConnectionUpgrade);
    }
    // Checked before the key so that clients of older drafts, which send no
    // Sec-WebSocket-Key, are told the version to use (RFC 6455 §4.4).
    if f.version.get()? != Some(b"13") {
        return Err(HandshakeError::UnsupportedVersion);
    }
    let key = f.key.get()?.ok_or(HandshakeError::MissingKey)?;
    if !is_valid_key(key) {
        return Err(HandshakeError::InvalidKey);
    }
    if !f.protocols_valid {
        return Err(HandshakeError::InvalidProtocol);
    }
    Ok(Some(Request {
        target: head.target,
        host,
        key,
        origin: f.origin,
        protocols: f.protocols,
        extensions: f.extensions,
        headers: head.headers,
        consumed: head.consumed,
    }))
}

/// Whether `target` is a request-target a GET may carry: origin-form, a path
/// starting with `/` (RFC 9112 §3.2.1), or absolute-form, an `http`, `https`,
/// `ws` or `wss` URI with a non-empty authority (RFC 9112 §3.2.2, RFC 9110
/// §4.2.1: an empty host "MUST" be rejected). RFC 6455 §4.2.1 item 1 asks for
/// a /resource name/ or an absolute HTTP/HTTPS URI containing one; the
/// asterisk and authority forms belong to OPTIONS and CONNECT.
///
/// Prefixes compared byte by byte: a `str` pattern search (`split_once("://")`)
/// links the two-way string searcher, 2 KiB more on the firmware endpoint; this
/// costs it 236 B.
fn is_request_target(target: &str) -> bool {
    fn strip<'a>(t: &'a [u8], prefix: &[u8]) -> Option<&'a [u8]> {
        let (head, rest) = t.split_at_checked(prefix.len())?;
        head.eq_ignore_ascii_case(prefix).then_some(rest)
    }
    let t = target.as_bytes();
    if t.first() == Some(&b'/') {
        return true;
    }
    let Some(rest) = strip(t, b"ws").or_else(|| strip(t, b"http")) else {
        return false;
    };
    let rest = strip(rest, b"s").unwrap_or(rest);
    // A host must follow (RFC 9110 §4.2.1).
    matches!(rest, [b':', b'/', b'/', first, ..] if !matches!(first, b'/' | b'?' | b'#'))
}

/// Whether the header name `name` (a token, as the parser checked) is `lower`,
/// a name of lowercase letters and `-`, ignoring ASCII case.
///
/// Setting bit 5 lowercases a letter; among token characters only a letter
/// becomes a lowercase letter that way, and only `-` becomes `-` (CR, 0x0D,
/// is no token character). So one OR per byte, eight bytes at a time.
fn is_name(name: &[u8], lower: &[u8]) -> bool {
    if name.len() != lower.len() {
        return false;
    }
    let (mut a, mut b) = (name.chunks_exact(8), lower.chunks_exact(8));
    let lowered = |x: &[u8]| swar::word(x) | (swar::ONES * 0x20);
    if !(&mut a).zip(&mut b).all(|(x, y)| lowered(x) == swar::word(y)) {
        return false;
    }
    a.remainder().iter().zip(b.remainder()).all(|(&x, &y)| x | 0x20 == y)
}

/// Whether the list `value` has the element `token` (lowercase letters),
/// ignoring ASCII case; a value that is just the token needs no splitting.
fn has_token(value: &[u8], token: &[u8]) -> bool {
    // For a token of letters, `b | 0x20 == t` is a case-insensitive match
    // whatever the byte `b`.
    let is = |e: &[u8]| e.len() == token.len() && e.iter().zip(token).all(|(&x, &y)| x | 0x20 == y);
    if is(value) {
        return true;
    }
    Elements::new(value).any(is)
}

/// A header that must appear at most once: its value, and whether it repeated.
#[derive(Default)]
struct Unique<'b> {
    value: Option<&'b [u8]>,
    repeated: bool,
}

impl<'b> Unique<'b> {
    fn set(&mut self, value: &'b [u8]) {
        self.repeated |= self.value.is_some();
        self.value = Some(value);
    }

    fn get(&self) -> Result<Option<&'b [u8]>, HandshakeError> {
        if self.repeated { Err(HandshakeError::DuplicateHeader) } else { Ok(self.value) }
    }
}

/// The indexes of the fields with one name: from the first to past the last
/// (empty if none), so the accessors look at those fields alone.
#[derive(Debug, Clone, Copy, Default)]
struct Span {
    start: u8,
    end: u8,
}

impl Span {
    fn add(&mut self, i: usize) {
        // i < MAX_HEADERS = 64.
        let i = i as u8;
        if self.start == self.end {
            self.start = i;
        }
        self.end = i.saturating_add(1);
    }
}

/// What the checks of RFC 6455 §4.2.1 and the accessors need from the
/// header fields, gathered in one pass over them.
#[derive(Default)]
struct Fields<'b> {
    host: Unique<'b>,
    version: Unique<'b>,
    key: Unique<'b>,
    origin: Option<&'b [u8]>,
    protocols: Span,
    extensions: Span,
    upgrade_websocket: bool,
    connection_upgrade: bool,
    protocols_valid: bool,
}

/// A valid opening handshake request (RFC 6455 §4.2.1), borrowing from the
/// input buffer.
///
/// # Examples
///
/// ```
/// use wsframe::handshake::{DEFAULT_MAX_HANDSHAKE, parse_request};
///
/// let input = b"GET /chat HTTP/1.1\r\nHost: server.example.com\r\nUpgrade: websocket\r\n\
///     Connection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\
///     Sec-WebSocket-Version: 13\r\n\r\n";
/// let req = parse_request(input, DEFAULT_MAX_HANDSHAKE)?.expect("complete");
/// assert_eq!((req.path(), req.host()), ("/chat", &b"server.example.com"[..]));
/// assert_eq!(req.origin(), None);
/// assert_eq!(req.protocols().count(), 0);
/// # Ok::<(), wsframe::handshake::HandshakeError>(())
/// ```
#[derive(Debug, Clone)]
pub struct Request<'b> {
    target: &'b str,
    host: &'b [u8],
    key: &'b [u8],
    origin: Option<&'b [u8]>,
    protocols: Span,
    extensions: Span,
    headers: Headers<'b>,
    consumed: usize,
}

impl<'b> Request<'b> {
    /// The request-target exactly as sent, usually the `/resource name/`
    /// (RFC 6455 §4.2.1 item 1).
    ///
    /// # Examples
    ///
    /// ```
    /// use wsframe::handshake::parse_request;
    ///
    /// let input = b"GET /chat?room=1 HTTP/1.1\r\nHost: h\r\nUpgrade: websocket\r\n\
    ///     Connection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\
    ///     Sec-WebSocket-Version: 13\r\n\r\n";
    /// let req = parse_request(input, 8192)?.expect("complete");
    /// assert_eq!(req.path(), "/chat?room=1");
    /// # Ok::<(), wsframe::handshake::HandshakeError>(())
    /// ```
    #[must_use]
    pub fn path(&self) -> &'b str {
        self.target
    }

    /// The `/resource name/`: the request-target, or its path and query if
    /// the client sent an absolute URI (RFC 6455 §4.2.1 item 1).
    ///
    /// # Examples
    ///
    /// ```
    /// use wsframe::handshake::parse_request;
    ///
    /// let input = b"GET ws://h/a?b HTTP/1.1\r\nHost: h\r\nUpgrade: websocket\r\n\
    ///     Connection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\
    ///     Sec-WebSocket-Version: 13\r\n\r\n";
    /// let req = parse_request(input, 8192)?.expect("complete");
    /// assert_eq!(req.path(), "ws://h/a?b");
    /// assert_eq!(req.resource(), "/a?b");
    /// # Ok::<(), wsframe::handshake::HandshakeError>(())
    /// ```
    #[must_use]
    pub fn resource(&self) -> ResourceName<'b> {
        let target = self.target;
        let rest = match target.split_once("://") {
            Some((_, after)) if !target.starts_with('/') => {
                after.find(['/', '?']).and_then(|i| after.get(i..)).unwrap_or("")
            }
            _ => target,
        };
        ResourceName::from_parts(rest)
    }

    /// The `Host` header (RFC 6455 §4.2.1 item 2). Checking that it names
    /// this server is the application's job.
    ///
    /// # Examples
    ///
    /// ```
    /// use wsframe::handshake::parse_request;
    ///
    /// let input = b"GET / HTTP/1.1\r\nHost: server.example.com:8080\r\nUpgrade: websocket\r\n\
    ///     Connection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\
    ///     Sec-WebSocket-Version: 13\r\n\r\n";
    /// let req = parse_request(input, 8192)?.expect("complete");
    /// assert_eq!(req.host(), b"server.example.com:8080");
    /// # Ok::<(), wsframe::handshake::HandshakeError>(())
    /// ```
    #[must_use]
    pub fn host(&self) -> &'b [u8] {
        self.host
    }

    /// The `Sec-WebSocket-Key` header (RFC 6455 §4.2.1 item 5).
    ///
    /// # Examples
    ///
    /// ```
    /// use wsframe::handshake::parse_request;
    ///
    /// let input = b"GET / HTTP/1.1\r\nHost: h\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\
    ///     Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n";
    /// let req = parse_request(input, 8192)?.expect("complete");
    /// assert_eq!(req.key(), b"dGhlIHNhbXBsZSBub25jZQ==");
    /// # Ok::<(), wsframe::handshake::HandshakeError>(())
    /// ```
    #[must_use]
    pub fn key(&self) -> &'b [u8] {
        self.key
    }

    /// The `Sec-WebSocket-Accept` value answering this request (RFC 6455 §4.2.2).
    ///
    /// # Examples
    ///
    /// ```
    /// use wsframe::handshake::{accept_key, parse_request};
    ///
    /// let input = b"GET / HTTP/1.1\r\nHost: h\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\
    ///     Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n";
    /// let req = parse_request(input, 8192)?.expect("complete");
    /// // The example of RFC 6455 §1.3.
    /// assert_eq!(&req.accept_key(), b"s3pPLMBiTxaQ9kYGzzhZRbK+xOo=");
    /// assert_eq!(req.accept_key(), accept_key(req.key()));
    /// # Ok::<(), wsframe::handshake::HandshakeError>(())
    /// ```
    #[must_use]
    pub fn accept_key(&self) -> [u8; 28] {
        accept_key(self.key)
    }

    /// The `Origin` header, if any (RFC 6455 §4.2.1 item 7). A server that
    /// only serves some origins rejects others with 403 (RFC 6455 §4.2.2, §10.2).
    ///
    /// # Examples
    ///
    /// ```
    /// use wsframe::handshake::parse_request;
    ///
    /// let input = b"GET / HTTP/1.1\r\nHost: h\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\
    ///     Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\
    ///     Origin: https://example.com\r\n\r\n";
    /// let req = parse_request(input, 8192)?.expect("complete");
    /// assert_eq!(req.origin(), Some(&b"https://example.com"[..]));
    /// # Ok::<(), wsframe::handshake::HandshakeError>(())
    /// ```
    #[must_use]
    pub fn origin(&self) -> Option<&'b [u8]> {
        self.origin
    }

    /// The subprotocols the client offered, in its order of preference
    /// (RFC 6455 §4.2.1 item 8). The server selects at most one.
    ///
    /// # Examples
    ///
    /// ```
    /// use wsframe::handshake::parse_request;
    ///
    /// let input = b"GET / HTTP/1.1\r\nHost: h\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\
    ///     Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\
    ///     Sec-WebSocket-Protocol: v2.chat, chat\r\nSec-WebSocket-Protocol: v1.chat\r\n\r\n";
    /// let req = parse_request(input, 8192)?.expect("complete");
    /// assert!(req.protocols().eq(["v2.chat", "chat", "v1.chat"]));
    /// assert_eq!(req.protocols().find(|p| p.starts_with("v1")), Some("v1.chat"));
    /// # Ok::<(), wsframe::handshake::HandshakeError>(())
    /// ```
    #[must_use]
    pub fn protocols(&self) -> Protocols<'_, 'b> {
        let Span { start, end } = self.protocols;
        let values = self.headers.values_in(start.into(), end.into(), "Sec-WebSocket-Protocol");
        Protocols { tokens: Tokens::new(values) }
    }

    /// The raw `Sec-WebSocket-Extensions` values (RFC 6455 §4.2.1 item 9, §9.1).
    ///
    /// # Examples
    ///
    /// ```
    /// use wsframe::handshake::parse_request;
    ///
    /// let input = b"GET / HTTP/1.1\r\nHost: h\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\
    ///     Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\
    ///     Sec-WebSocket-Extensions: permessage-deflate; client_max_window_bits\r\n\r\n";
    /// let req = parse_request(input, 8192)?.expect("complete");
    /// assert!(req.extensions().eq([&b"permessage-deflate; client_max_window_bits"[..]]));
    /// # Ok::<(), wsframe::handshake::HandshakeError>(())
    /// ```
    #[must_use]
    pub fn extensions(&self) -> HeaderValues<'_, 'b> {
        let Span { start, end } = self.extensions;
        self.headers.values_in(start.into(), end.into(), "Sec-WebSocket-Extensions")
    }

    /// The first value of the header `name` (case-insensitive).
    ///
    /// # Examples
    ///
    /// ```
    /// use wsframe::handshake::parse_request;
    ///
    /// let input = b"GET / HTTP/1.1\r\nHost: h\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\
    ///     Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\
    ///     Authorization: Bearer abc123\r\n\r\n";
    /// let req = parse_request(input, 8192)?.expect("complete");
    /// assert_eq!(req.header("authorization"), Some(&b"Bearer abc123"[..]));
    /// assert_eq!(req.header("Cookie"), None);
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
    /// use wsframe::handshake::parse_request;
    ///
    /// let input = b"GET / HTTP/1.1\r\nHost: h\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\
    ///     Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\
    ///     Cookie: session=1\r\ncookie: theme=dark\r\n\r\n";
    /// let req = parse_request(input, 8192)?.expect("complete");
    /// assert!(req.headers("Cookie").eq([&b"session=1"[..], &b"theme=dark"[..]]));
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
    /// use wsframe::handshake::parse_request;
    ///
    /// let input = b"GET / HTTP/1.1\r\nHost: h\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\
    ///     Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n";
    /// let req = parse_request(input, 8192)?.expect("complete");
    /// assert_eq!(req.all_headers().len(), 5);
    /// assert!(req.all_headers().iter().any(|(name, _)| name == "Sec-WebSocket-Version"));
    /// # Ok::<(), wsframe::handshake::HandshakeError>(())
    /// ```
    #[must_use]
    pub fn all_headers(&self) -> &Headers<'b> {
        &self.headers
    }

    /// The length of the request head, including its final empty line.
    ///
    /// # Examples
    ///
    /// ```
    /// use wsframe::handshake::parse_request;
    ///
    /// // The head, then a masked empty text frame that arrived with it.
    /// let input = b"GET / HTTP/1.1\r\nHost: h\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\
    ///     Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n\
    ///     \x81\x80\x01\x02\x03\x04";
    /// let req = parse_request(input, 8192)?.expect("complete");
    /// assert!(input[..req.consumed()].ends_with(b"\r\n\r\n"));
    /// assert_eq!(&input[req.consumed()..], b"\x81\x80\x01\x02\x03\x04");
    /// # Ok::<(), wsframe::handshake::HandshakeError>(())
    /// ```
    #[must_use]
    pub fn consumed(&self) -> usize {
        self.consumed
    }
}

/// The subprotocols offered in `Sec-WebSocket-Protocol`; see [`Request::protocols`].
///
/// # Examples
///
/// ```
/// use wsframe::handshake::{parse_request, write_accept};
///
/// let input = b"GET / HTTP/1.1\r\nHost: h\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\
///     Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\
///     Sec-WebSocket-Protocol: superchat, chat\r\n\r\n";
/// let req = parse_request(input, 8192)?.expect("complete");
/// // The server's own preference decides among what the client offered.
/// let chosen = ["chat", "superchat"].into_iter().find(|p| req.protocols().any(|o| o == *p));
/// assert_eq!(chosen, Some("chat"));
/// let mut buf = [0u8; 256];
/// let n = write_accept(req.key(), chosen, None, &[], &mut buf)?;
/// assert!(buf[..n].ends_with(b"Sec-WebSocket-Protocol: chat\r\n\r\n"));
/// # Ok::<(), wsframe::handshake::HandshakeError>(())
/// ```
#[derive(Debug, Clone)]
pub struct Protocols<'h, 'b> {
    tokens: Tokens<'h, 'b>,
}

impl<'b> Iterator for Protocols<'_, 'b> {
    type Item = &'b str;

    fn next(&mut self) -> Option<&'b str> {
        // parse_request checked that every element is a token, hence ASCII.
        self.tokens.by_ref().find_map(|t| core::str::from_utf8(t).ok())
    }
}

/// A request head that [`parse_request`] accepted, kept as its bytes, to
/// look fields up again later without parsing the request again: a scan of
/// its header lines (the C binding keeps one per request). Give it the
/// bytes `parse_request` accepted (`input[..request.consumed()]`),
/// unchanged since.
///
/// # Examples
///
/// ```
/// use wsframe::handshake::{RequestHead, parse_request};
///
/// let input = b"GET / HTTP/1.1\r\nHost: h\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\
///     Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\
///     Sec-WebSocket-Protocol: chat, superchat\r\nSec-WebSocket-Protocol: v2\r\nX-Id: 7\r\n\r\n";
/// let req = parse_request(input, 8192)?.expect("complete");
/// let head = RequestHead::new(&input[..req.consumed()]);
/// assert!(head.protocols().eq(req.protocols()));
/// assert_eq!(head.header("x-id"), Some(&b"7"[..]));
/// assert_eq!(head.extensions().count(), 0);
/// # Ok::<(), wsframe::handshake::HandshakeError>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RequestHead<'b>(&'b [u8]);

impl<'b> RequestHead<'b> {
    /// The head `parse_request` accepted.
    ///
    /// # Examples
    ///
    /// ```
    /// let head = wsframe::handshake::RequestHead::new(b"GET / HTTP/1.1\r\nHost: h\r\n\r\n");
    /// assert_eq!(head.header("host"), Some(&b"h"[..]));
    /// ```
    #[must_use]
    pub const fn new(head: &'b [u8]) -> Self {
        Self(head)
    }

    /// Every value of the header `name` (ASCII case-insensitive), in order,
    /// without surrounding whitespace.
    ///
    /// # Examples
    ///
    /// ```
    /// let head = wsframe::handshake::RequestHead::new(b"GET / HTTP/1.1\r\nA: 1\r\na:  2 \r\n\r\n");
    /// assert!(head.headers("A").eq([&b"1"[..], &b"2"[..]]));
    /// ```
    pub fn headers<'n>(&self, name: &'n str) -> impl Iterator<Item = &'b [u8]> + use<'b, 'n> {
        // The same scan as the parsed request's own `Headers`.
        let fields = FieldLines::of_head(self.0);
        fields.filter_map(move |(field, value)| {
            field.eq_ignore_ascii_case(name.as_bytes()).then_some(value)
        })
    }

    /// The first value of the header `name`.
    ///
    /// # Examples
    ///
    /// ```
    /// let head = wsframe::handshake::RequestHead::new(b"GET / HTTP/1.1\r\nX-A: 1\r\nx-a: 2\r\n\r\n");
    /// assert_eq!(head.header("X-A"), Some(&b"1"[..]));
    /// assert_eq!(head.header("X-B"), None);
    /// ```
    #[must_use]
    pub fn header(&self, name: &str) -> Option<&'b [u8]> {
        self.headers(name).next()
    }

    /// The offered subprotocols, as [`Request::protocols`].
    ///
    /// # Examples
    ///
    /// ```
    /// let head = wsframe::handshake::RequestHead::new(
    ///     b"GET / HTTP/1.1\r\nSec-WebSocket-Protocol: chat, v2\r\nSec-WebSocket-Protocol: v3\r\n\r\n",
    /// );
    /// assert!(head.protocols().eq(["chat", "v2", "v3"]));
    /// ```
    pub fn protocols(&self) -> impl Iterator<Item = &'b str> + use<'b> {
        // parse_request checked that every element is a token, hence ASCII.
        let values = self.headers("Sec-WebSocket-Protocol");
        values.flat_map(Elements::new).filter_map(|t| core::str::from_utf8(t).ok())
    }

    /// The raw `Sec-WebSocket-Extensions` values, as [`Request::extensions`].
    ///
    /// # Examples
    ///
    /// ```
    /// let head = wsframe::handshake::RequestHead::new(
    ///     b"GET / HTTP/1.1\r\nSec-WebSocket-Extensions: permessage-deflate\r\n\r\n",
    /// );
    /// assert!(head.extensions().eq([&b"permessage-deflate"[..]]));
    /// ```
    pub fn extensions(&self) -> impl Iterator<Item = &'b [u8]> + use<'b> {
        self.headers("Sec-WebSocket-Extensions")
    }
}

/// Headers of the 101 response written here; extra headers may not repeat
/// them, nor frame a body, which a 1xx response cannot have (RFC 7230 §3.3).
const ACCEPT_RESERVED: &[&str] = &[
    "Upgrade",
    "Connection",
    "Sec-WebSocket-Accept",
    "Sec-WebSocket-Protocol",
    "Sec-WebSocket-Extensions",
    "Content-Length",
    "Transfer-Encoding",
];

/// Writes the server's acceptance (RFC 6455 §4.2.2 step 5):
/// `HTTP/1.1 101 Switching Protocols`, `Upgrade: websocket`,
/// `Connection: Upgrade`, `Sec-WebSocket-Accept` computed from
/// `request_key`, then the selected subprotocol, the accepted extensions and
/// `extra_headers` (cookies, for example).
///
/// `protocol` must be one of those the client offered and `extensions` the
/// server's answer to its offers; choosing them is the application's job.
///
/// # Errors
///
/// [`HandshakeError::InsufficientSize`] with the exact length needed if `out`
/// is too small; [`HandshakeError::InvalidProtocol`] if `protocol` is not a
/// token; [`HandshakeError::InvalidHeaderValue`] for an empty value or one
/// with control characters (no header injection);
/// [`HandshakeError::InvalidHeaderName`] for an extra name that is not a
/// token; [`HandshakeError::ReservedHeader`] for an extra header written
/// here, `Content-Length` or `Transfer-Encoding`.
///
/// # Examples
///
/// ```
/// use wsframe::handshake::write_accept;
///
/// let mut buf = [0u8; 256];
/// let n = write_accept(b"dGhlIHNhbXBsZSBub25jZQ==", Some("chat"), None, &[], &mut buf)?;
/// assert_eq!(
///     &buf[..n],
///     b"HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\
///       Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\nSec-WebSocket-Protocol: chat\r\n\r\n"
/// );
/// # Ok::<(), wsframe::handshake::HandshakeError>(())
/// ```
pub fn write_accept(
    request_key: &[u8],
    protocol: Option<&str>,
    extensions: Option<&str>,
    extra_headers: &[(&str, &str)],
    out: &mut [u8],
) -> Result<usize, HandshakeError> {
    if protocol.is_some_and(|p| !is_token(p.as_bytes())) {
        return Err(HandshakeError::InvalidProtocol);
    }
    if extensions.is_some_and(|e| !is_safe_value(e.as_bytes())) {
        return Err(HandshakeError::InvalidHeaderValue);
    }
    check_extra_headers(extra_headers, ACCEPT_RESERVED)?;
    let mut w = Writer::new(out);
    w.put(
        b"HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\
          Sec-WebSocket-Accept: ",
    );
    w.put(&accept_key(request_key));
    w.put(b"\r\n");
    if let Some(p) = protocol {
        w.header("Sec-WebSocket-Protocol", p.as_bytes());
    }
    if let Some(e) = extensions {
        w.header("Sec-WebSocket-Extensions", e.as_bytes());
    }
    for (name, value) in extra_headers {
        w.header(name, value.as_bytes());
    }
    w.put(b"\r\n");
    w.finish()
}

/// Headers of a rejection written here; extra headers may not repeat them.
const REJECT_RESERVED: &[&str] = &[
    "Connection",
    "Content-Type",
    "Content-Length",
    "Transfer-Encoding",
    "Upgrade",
    "Sec-WebSocket-Version",
    "Allow",
];

/// Writes a complete error response that refuses the handshake
/// (RFC 6455 §4.2.1, §4.2.2): status line with reason phrase,
/// `Connection: close`, a short `text/plain` body with its `Content-Length`.
///
/// For 426 it adds `Upgrade: websocket` (RFC 7231 §6.5.15) and
/// `Sec-WebSocket-Version: 13`, the version this server speaks (RFC 6455
/// §4.4); for 405, `Allow: GET` (RFC 7231 §6.5.5). Close the TCP connection
/// after sending it.
///
/// # Errors
///
/// [`HandshakeError::InvalidStatus`] unless `status` is in 300..=599;
/// [`HandshakeError::InsufficientSize`] with the exact length needed if `out`
/// is too small.
///
/// # Examples
///
/// ```
/// use wsframe::handshake::write_reject;
///
/// let mut buf = [0u8; 256];
/// let n = write_reject(426, &mut buf)?;
/// let text = core::str::from_utf8(&buf[..n]).unwrap();
/// assert!(text.starts_with("HTTP/1.1 426 Upgrade Required\r\n"));
/// assert!(text.contains("\r\nSec-WebSocket-Version: 13\r\n"));
/// # Ok::<(), wsframe::handshake::HandshakeError>(())
/// ```
pub fn write_reject(status: u16, out: &mut [u8]) -> Result<usize, HandshakeError> {
    write_reject_with(status, &[], out)
}

/// Like [`write_reject`], with extra header fields: `Location` for a 3xx
/// redirect or `WWW-Authenticate` for a 401, for example.
///
/// # Errors
///
/// As [`write_reject`], and [`HandshakeError::InvalidHeaderName`],
/// [`HandshakeError::InvalidHeaderValue`] or [`HandshakeError::ReservedHeader`]
/// for a bad extra header.
///
/// # Examples
///
/// ```
/// use wsframe::handshake::write_reject_with;
///
/// let mut buf = [0u8; 256];
/// let n = write_reject_with(302, &[("Location", "wss://other.example/")], &mut buf)?;
/// assert!(buf[..n].starts_with(b"HTTP/1.1 302 Found\r\n"));
/// # Ok::<(), wsframe::handshake::HandshakeError>(())
/// ```
pub fn write_reject_with(
    status: u16,
    extra_headers: &[(&str, &str)],
    out: &mut [u8],
) -> Result<usize, HandshakeError> {
    if !(300..=599).contains(&status) {
        return Err(HandshakeError::InvalidStatus);
    }
    check_extra_headers(extra_headers, REJECT_RESERVED)?;
    let reason = reason_phrase(status);
    let mut w = Writer::new(out);
    w.put(b"HTTP/1.1 ");
    w.put_decimal(usize::from(status));
    w.put(b" ");
    w.put_str(reason);
    w.put(b"\r\nConnection: close\r\nContent-Type: text/plain\r\n");
    match status {
        426 => w.put(b"Upgrade: websocket\r\nSec-WebSocket-Version: 13\r\n"),
        405 => w.put(b"Allow: GET\r\n"),
        _ => {}
    }
    for (name, value) in extra_headers {
        w.header(name, value.as_bytes());
    }
    w.put(b"Content-Length: ");
    w.put_decimal(reason.len().saturating_add(1));
    w.put(b"\r\n\r\n");
    w.put_str(reason);
    w.put(b"\n");
    w.finish()
}

/// Writes the rejection for a failed [`parse_request`], with the status of
/// [`HandshakeError::status`] (426 with `Sec-WebSocket-Version: 13` for a
/// version mismatch, RFC 6455 §4.4).
///
/// # Errors
///
/// [`HandshakeError::InsufficientSize`] with the exact length needed if `out`
/// is too small.
///
/// # Examples
///
/// ```
/// use wsframe::handshake::{parse_request, write_reject_for};
///
/// let input = b"GET / HTTP/1.1\r\nHost: h\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n";
/// let err = parse_request(input, 8192).unwrap_err();
/// let mut buf = [0u8; 256];
/// let n = write_reject_for(&err, &mut buf)?;
/// assert!(buf[..n].starts_with(b"HTTP/1.1 426 Upgrade Required\r\n"));
/// # Ok::<(), wsframe::handshake::HandshakeError>(())
/// ```
pub fn write_reject_for(error: &HandshakeError, out: &mut [u8]) -> Result<usize, HandshakeError> {
    write_reject(error.status(), out)
}

/// The reason phrase for `status` (RFC 9110 §15), or its class.
fn reason_phrase(status: u16) -> &'static str {
    match status {
        300 => "Multiple Choices",
        301 => "Moved Permanently",
        302 => "Found",
        303 => "See Other",
        304 => "Not Modified",
        307 => "Temporary Redirect",
        308 => "Permanent Redirect",
        400 => "Bad Request",
        401 => "Unauthorized",
        403 => "Forbidden",
        404 => "Not Found",
        405 => "Method Not Allowed",
        406 => "Not Acceptable",
        408 => "Request Timeout",
        409 => "Conflict",
        410 => "Gone",
        413 => "Content Too Large",
        414 => "URI Too Long",
        426 => "Upgrade Required",
        429 => "Too Many Requests",
        431 => "Request Header Fields Too Large",
        500 => "Internal Server Error",
        501 => "Not Implemented",
        502 => "Bad Gateway",
        503 => "Service Unavailable",
        504 => "Gateway Timeout",
        _ => match status / 100 {
            3 => "Redirection",
            4 => "Client Error",
            _ => "Server Error",
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_status_has_a_phrase() {
        for s in 300..=599 {
            let mut buf = [0u8; 256];
            let n = write_reject(s, &mut buf).unwrap();
            let head_end = buf[..n].windows(4).position(|w| w == b"\r\n\r\n").unwrap() + 4;
            let body = &buf[head_end..n];
            let cl = std::format!("Content-Length: {}\r\n", body.len());
            assert!(buf[..head_end].windows(cl.len()).any(|w| w == cl.as_bytes()));
        }
        assert_eq!(write_reject(299, &mut [0; 256]), Err(HandshakeError::InvalidStatus));
        assert_eq!(write_reject(600, &mut [0; 256]), Err(HandshakeError::InvalidStatus));
        assert_eq!(write_reject(101, &mut [0; 256]), Err(HandshakeError::InvalidStatus));
    }

    /// The fast paths agree with the quote-aware splitter on lists with and
    /// without quoted strings, commas at every position and odd bytes.
    #[test]
    fn has_token_matches_elements() {
        let reference = |v: &[u8], t: &[u8]| Elements::new(v).any(|e| e.eq_ignore_ascii_case(t));
        let parts: [&[u8]; 12] = [
            b"upgrade",
            b"UpGrade",
            b"keep-alive",
            b",",
            b" ",
            b"\t",
            b"\"",
            b"x=\"a,upgrade\"",
            b"\\",
            b"upgradex",
            b"upgrad",
            b"\xc0",
        ];
        let mut value = std::vec::Vec::new();
        for a in parts {
            for b in parts {
                for c in parts {
                    for d in [&b""[..], b",", b"\"", b" upgrade"] {
                        value.clear();
                        value.extend_from_slice(a);
                        value.extend_from_slice(b);
                        value.extend_from_slice(c);
                        value.extend_from_slice(d);
                        for token in [&b"upgrade"[..], b"websocket"] {
                            let got = has_token(&value, token);
                            assert_eq!(got, reference(&value, token), "{:?}", value.escape_ascii());
                        }
                    }
                }
            }
        }
    }

    #[test]
    fn is_name_ignores_case_of_tokens() {
        assert!(is_name(b"Sec-WebSocket-Key", b"sec-websocket-key"));
        assert!(is_name(b"SEC-WEBSOCKET-EXTENSIONS", b"sec-websocket-extensions"));
        assert!(!is_name(b"Sec-WebSocket-Kez", b"sec-websocket-key"));
        assert!(!is_name(b"Sec_WebSocket-Key", b"sec-websocket-key"));
        assert!(!is_name(b"Hos", b"host"));
        // Every token character at every position of every name looked up
        // (whole 8-byte words and remainders of every length), and a short one.
        let names: [&[u8]; 9] = [
            b"host",
            b"origin",
            b"upgrade",
            b"connection",
            b"sec-websocket-key",
            b"sec-websocket-version",
            b"sec-websocket-protocol",
            b"sec-websocket-extensions",
            b"te",
        ];
        for lower in names {
            for b in (0u8..128).filter(|&b| is_token(&[b])) {
                for i in 0..lower.len() {
                    let mut name = lower.to_vec();
                    name[i] = b;
                    let expected = name.eq_ignore_ascii_case(lower);
                    assert_eq!(is_name(&name, lower), expected, "{name:?}");
                }
            }
        }
    }

    #[test]
    fn resource_from_absolute_uri() {
        let cases = [
            ("/a?b", "/a?b"),
            ("ws://h", "/"),
            ("ws://h?q", "/?q"),
            ("ws://h/p?q?r", "/p?q?r"),
            ("https://h:1/x/y", "/x/y"),
            ("/x://y", "/x://y"),
            ("*", "*"),
        ];
        for (target, expected) in cases {
            let req = Request {
                target,
                host: b"h",
                key: b"",
                origin: None,
                protocols: Span::default(),
                extensions: Span::default(),
                headers: Headers::none(),
                consumed: 0,
            };
            assert_eq!(req.resource(), expected, "{target}");
        }
    }
}
