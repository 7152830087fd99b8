//! Header storage without an allocator, and the HTTP grammar helpers the
//! handshake needs (tokens and comma-separated lists, RFC 7230 §3.2.6 and §7).

use core::fmt;

use super::error::HandshakeError;

/// The most header fields a handshake head may carry; more is
/// [`HandshakeError::TooManyHeaders`] (HTTP 431).
pub const MAX_HEADERS: usize = 64;

/// The header fields of a parsed handshake, kept in a fixed array.
///
/// Names compare ASCII case-insensitively (RFC 7230 §3.2). Values borrow from
/// the input buffer (`'b`) and are trimmed of surrounding whitespace.
///
/// # Examples
///
/// ```
/// use wsframe::handshake::parse_request;
///
/// let input = b"GET / HTTP/1.1\r\nHost: h\r\nUpgrade: websocket\r\n\
///     Connection: keep-alive\r\nConnection: Upgrade\r\n\
///     Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n";
/// let req = parse_request(input, 8192)?.ok_or("partial")?;
/// let headers = req.all_headers();
/// assert_eq!(headers.get("host"), Some(&b"h"[..]));
/// assert_eq!(headers.get_all("CONNECTION").count(), 2);
/// assert!(headers.contains_token("connection", "upgrade"));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone)]
pub struct Headers<'b> {
    list: [httparse::Header<'b>; MAX_HEADERS],
    len: usize,
}

impl<'b> Headers<'b> {
    pub(crate) fn new() -> Self {
        Self { list: [httparse::EMPTY_HEADER; MAX_HEADERS], len: 0 }
    }

    fn as_slice(&self) -> &[httparse::Header<'b>] {
        self.list.get(..self.len).unwrap_or(&[])
    }

    /// The number of header fields.
    #[must_use]
    pub fn len(&self) -> usize {
        self.as_slice().len()
    }

    /// Whether there are no header fields.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// All fields in order, as `(name, value)`.
    pub fn iter(&self) -> impl Iterator<Item = (&'b str, &'b [u8])> + '_ {
        self.as_slice().iter().map(|h| (h.name, h.value.trim_ascii()))
    }

    /// The value of the first field called `name` (case-insensitive).
    #[must_use]
    pub fn get(&self, name: &str) -> Option<&'b [u8]> {
        self.get_all(name).next()
    }

    /// The values of every field called `name` (case-insensitive), in order.
    #[must_use]
    pub fn get_all<'h>(&'h self, name: &'h str) -> HeaderValues<'h, 'b> {
        HeaderValues { iter: self.as_slice().iter(), name }
    }

    /// The elements of the comma-separated list formed by every field called
    /// `name` (RFC 7230 §7): trimmed, empty elements skipped, commas inside
    /// quoted strings respected.
    #[must_use]
    pub fn tokens<'h>(&'h self, name: &'h str) -> Tokens<'h, 'b> {
        Tokens { values: self.get_all(name), current: Elements::new(&[]) }
    }

    /// Whether some element of the list `name` equals `token`, ignoring ASCII case.
    #[must_use]
    pub fn contains_token(&self, name: &str, token: &str) -> bool {
        self.tokens(name).any(|t| t.eq_ignore_ascii_case(token.as_bytes()))
    }

    /// The only value of `name`: `Ok(None)` if absent, an error if repeated.
    pub(crate) fn unique(&self, name: &str) -> Result<Option<&'b [u8]>, HandshakeError> {
        let mut values = self.get_all(name);
        let first = values.next();
        if values.next().is_some() {
            return Err(HandshakeError::DuplicateHeader);
        }
        Ok(first)
    }
}

impl fmt::Debug for Headers<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_list().entries(self.as_slice()).finish()
    }
}

/// The values of the header fields with one name; see [`Headers::get_all`].
#[derive(Debug, Clone)]
pub struct HeaderValues<'h, 'b> {
    iter: core::slice::Iter<'h, httparse::Header<'b>>,
    name: &'h str,
}

impl<'b> Iterator for HeaderValues<'_, 'b> {
    type Item = &'b [u8];

    fn next(&mut self) -> Option<&'b [u8]> {
        let name = self.name;
        self.iter.find(|h| h.name.eq_ignore_ascii_case(name)).map(|h| h.value.trim_ascii())
    }
}

/// The elements of a comma-separated list spread over repeated header fields;
/// see [`Headers::tokens`].
#[derive(Debug, Clone)]
pub struct Tokens<'h, 'b> {
    values: HeaderValues<'h, 'b>,
    current: Elements<'b>,
}

impl<'b> Iterator for Tokens<'_, 'b> {
    type Item = &'b [u8];

    fn next(&mut self) -> Option<&'b [u8]> {
        loop {
            if let Some(element) = self.current.next() {
                return Some(element);
            }
            self.current = Elements::new(self.values.next()?);
        }
    }
}

/// The non-empty, trimmed elements of one comma-separated value.
#[derive(Debug, Clone)]
pub(crate) struct Elements<'b> {
    rest: &'b [u8],
}

impl<'b> Elements<'b> {
    pub(crate) fn new(value: &'b [u8]) -> Self {
        Self { rest: value }
    }
}

impl<'b> Iterator for Elements<'b> {
    type Item = &'b [u8];

    fn next(&mut self) -> Option<&'b [u8]> {
        while !self.rest.is_empty() {
            let (element, rest) = split_element(self.rest);
            self.rest = rest;
            let element = element.trim_ascii();
            if !element.is_empty() {
                return Some(element);
            }
        }
        None
    }
}

/// Splits at the first comma outside a quoted string (RFC 7230 §3.2.6).
fn split_element(value: &[u8]) -> (&[u8], &[u8]) {
    let mut quoted = false;
    let mut escaped = false;
    for (i, &b) in value.iter().enumerate() {
        if escaped {
            escaped = false;
        } else if quoted {
            match b {
                b'\\' => escaped = true,
                b'"' => quoted = false,
                _ => {}
            }
        } else if b == b'"' {
            quoted = true;
        } else if b == b',' {
            let (head, tail) = value.split_at_checked(i).unwrap_or((value, &[]));
            return (head, tail.get(1..).unwrap_or(&[]));
        }
    }
    (value, &[])
}

/// The name of one `Sec-WebSocket-Extensions` element: what precedes its
/// first `;` (RFC 6455 §9.1).
pub(crate) fn extension_name(element: &[u8]) -> &[u8] {
    element.split(|&b| b == b';').next().unwrap_or(element).trim_ascii()
}

/// `tchar` of RFC 7230 §3.2.6.
fn is_tchar(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&b)
}

/// Whether `s` is a non-empty HTTP token (RFC 7230 §3.2.6).
pub(crate) fn is_token(s: &[u8]) -> bool {
    !s.is_empty() && s.iter().all(|&b| is_tchar(b))
}

/// Whether `v` is safe to write as a header value: non-empty and free of
/// control characters other than HTAB, so it cannot end the line or the head.
pub(crate) fn is_safe_value(v: &[u8]) -> bool {
    !v.trim_ascii().is_empty() && v.iter().all(|&b| b == b'\t' || !b.is_ascii_control())
}

/// Checks caller-supplied extra headers: names are tokens, values are safe,
/// and none is one of `reserved` (which the handshake writes itself).
pub(crate) fn check_extra_headers(
    headers: &[(&str, &str)],
    reserved: &[&str],
) -> Result<(), HandshakeError> {
    for (name, value) in headers {
        if !is_token(name.as_bytes()) {
            return Err(HandshakeError::InvalidHeaderName);
        }
        if reserved.iter().any(|r| r.eq_ignore_ascii_case(name)) {
            return Err(HandshakeError::ReservedHeader);
        }
        if !is_safe_value(value.as_bytes()) {
            return Err(HandshakeError::InvalidHeaderValue);
        }
    }
    Ok(())
}

/// The first `max` bytes of `input`, or all of it.
fn limit(input: &[u8], max: usize) -> &[u8] {
    input.get(..max).unwrap_or(input)
}

/// What `httparse` found in a request head.
pub(crate) struct RequestHead<'b> {
    pub(crate) method: &'b str,
    pub(crate) target: &'b str,
    pub(crate) minor_version: u8,
    pub(crate) headers: Headers<'b>,
    pub(crate) consumed: usize,
}

/// Parses a request head; `Ok(None)` while incomplete.
pub(crate) fn parse_request_head(
    input: &[u8],
    max: usize,
) -> Result<Option<RequestHead<'_>>, HandshakeError> {
    let mut headers = Headers::new();
    let mut req = httparse::Request::new(&mut headers.list);
    match req.parse(limit(input, max)) {
        Ok(httparse::Status::Complete(consumed)) => {
            let (Some(method), Some(target), Some(minor_version)) =
                (req.method, req.path, req.version)
            else {
                return Err(HandshakeError::MalformedHttp);
            };
            headers.len = req.headers.len();
            Ok(Some(RequestHead { method, target, minor_version, headers, consumed }))
        }
        Ok(httparse::Status::Partial) if input.len() >= max => Err(HandshakeError::TooLarge),
        Ok(httparse::Status::Partial) => Ok(None),
        Err(e) => Err(HandshakeError::from_httparse(e)),
    }
}

/// What `httparse` found in a response head.
pub(crate) struct ResponseHead<'b> {
    pub(crate) status: u16,
    pub(crate) minor_version: u8,
    pub(crate) reason: &'b str,
    pub(crate) headers: Headers<'b>,
    pub(crate) consumed: usize,
}

/// Parses a response head; `Ok(None)` while incomplete.
pub(crate) fn parse_response_head(
    input: &[u8],
    max: usize,
) -> Result<Option<ResponseHead<'_>>, HandshakeError> {
    let mut headers = Headers::new();
    let mut resp = httparse::Response::new(&mut headers.list);
    match resp.parse(limit(input, max)) {
        Ok(httparse::Status::Complete(consumed)) => {
            let (Some(status), Some(minor_version)) = (resp.code, resp.version) else {
                return Err(HandshakeError::MalformedHttp);
            };
            let reason = resp.reason.unwrap_or("");
            headers.len = resp.headers.len();
            Ok(Some(ResponseHead { status, minor_version, reason, headers, consumed }))
        }
        Ok(httparse::Status::Partial) if input.len() >= max => Err(HandshakeError::TooLarge),
        Ok(httparse::Status::Partial) => Ok(None),
        Err(e) => Err(HandshakeError::from_httparse(e)),
    }
}

/// Splits a comma-separated list as a caller writes it ("chat, superchat")
/// into `out`, trimming spaces and tabs around each item; a blank list has
/// none. `None` if it has more than `out.len()` items. The items are checked
/// where they are used (a subprotocol must be a token).
///
/// # Examples
///
/// ```
/// use wsframe::handshake::split_list;
///
/// let mut items = [""; 4];
/// assert_eq!(split_list("chat.v2, chat", &mut items), Some(&["chat.v2", "chat"][..]));
/// assert_eq!(split_list(" ", &mut items), Some(&[][..]));
/// assert_eq!(split_list("a,b,c,d,e", &mut items), None);
/// ```
pub fn split_list<'a, 'o>(list: &'a str, out: &'o mut [&'a str]) -> Option<&'o [&'a str]> {
    let mut n = 0;
    for item in list.split(',').filter(|_| !list.trim().is_empty()) {
        *out.get_mut(n)? = item.trim_matches([' ', '\t']);
        n += 1;
    }
    out.get(..n)
}

/// Splits "Name: value" lines as a caller writes extra headers (CRLF or LF
/// separated, blank lines skipped) into `out`, the value trimmed of spaces
/// and tabs. `None` for a line without a colon or more than `out.len()`
/// lines. The request and response writers check names and values.
///
/// # Examples
///
/// ```
/// use wsframe::handshake::split_header_lines;
///
/// let mut pairs = [("", ""); 4];
/// let got = split_header_lines("Cookie: a=1\r\nX-Trace:  7\n", &mut pairs);
/// assert_eq!(got, Some(&[("Cookie", "a=1"), ("X-Trace", "7")][..]));
/// assert_eq!(split_header_lines("no colon", &mut pairs), None);
/// ```
pub fn split_header_lines<'a, 'o>(
    block: &'a str,
    out: &'o mut [(&'a str, &'a str)],
) -> Option<&'o [(&'a str, &'a str)]> {
    let lines = block.split('\n').map(|l| l.strip_suffix('\r').unwrap_or(l));
    let mut n = 0;
    for line in lines.filter(|l| !l.is_empty()) {
        let (name, value) = line.split_once(':')?;
        *out.get_mut(n)? = (name, value.trim_matches([' ', '\t']));
        n += 1;
    }
    out.get(..n)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::vec::Vec;

    #[test]
    fn elements_trim_skip_empty_and_respect_quotes() {
        let v: Vec<&[u8]> = Elements::new(b" a ,, b;x=\"1,2\" ,\tc ,").collect();
        assert_eq!(v, [&b"a"[..], b"b;x=\"1,2\"", b"c"]);
        let v: Vec<&[u8]> = Elements::new(b"q=\"a\\\",b\",z").collect();
        assert_eq!(v, [&b"q=\"a\\\",b\""[..], b"z"]);
        assert_eq!(Elements::new(b" , ,").next(), None);
    }

    #[test]
    fn tokens_span_repeated_headers() {
        let input = b"GET / HTTP/1.1\r\nX: a, b\r\nY: no\r\nx: ,c\r\nX:\r\n\r\n";
        let head = parse_request_head(input, 1024).unwrap().unwrap();
        let v: Vec<&[u8]> = head.headers.tokens("x").collect();
        assert_eq!(v, [&b"a"[..], b"b", b"c"]);
        assert_eq!(head.headers.get_all("X").count(), 3);
        assert_eq!(head.headers.len(), 4);
        assert!(head.headers.unique("x").is_err());
        assert_eq!(head.headers.unique("y"), Ok(Some(&b"no"[..])));
        assert_eq!(head.headers.unique("z"), Ok(None));
    }

    #[test]
    fn token_and_value_rules() {
        assert!(is_token(b"chat.v2+json"));
        assert!(!is_token(b""));
        assert!(!is_token(b"a b"));
        assert!(!is_token(b"a,b"));
        assert!(!is_token(b"a\"b"));
        assert!(is_safe_value(b"a\tb c"));
        for bad in [&b"a\rb"[..], b"a\nb", b"a\0b", b"a\x7fb", b"", b"  "] {
            assert!(!is_safe_value(bad), "{bad:?}");
        }
        assert_eq!(extension_name(b" permessage-deflate ; x=1"), b"permessage-deflate");
        assert_eq!(extension_name(b"foo"), b"foo");
    }

    #[test]
    fn values_are_trimmed() {
        let input = b"GET / HTTP/1.1\r\nA:   v  \t\r\n\r\n";
        let head = parse_request_head(input, 1024).unwrap().unwrap();
        assert_eq!(head.headers.get("a"), Some(&b"v"[..]));
    }
}
