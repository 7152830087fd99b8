//! Header storage without an allocator, and the HTTP grammar helpers the
//! handshake needs (tokens and comma-separated lists, RFC 7230 §3.2.6 and §7).

use core::fmt;

use super::error::HandshakeError;
use super::swar;

/// The most header fields a handshake head may carry; more is
/// [`HandshakeError::TooManyHeaders`] (HTTP 431).
pub const MAX_HEADERS: usize = 64;

/// The header fields of a parsed handshake: a view of their lines in the
/// input, which the parser accepted (so each is `name: value`, one line, no
/// folding), looked through again when asked. Nothing is copied or stored
/// per field: a parsed head is a few words, not a kilobyte, on a firmware
/// task's stack too.
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
    /// From the first field's name to the end of the head (its empty line
    /// included).
    lines: &'b [u8],
    len: usize,
}

impl<'b> Headers<'b> {
    /// The fields in `lines` (from the first field's name to the end of
    /// the head), `len` of them, as the head parser accepted them.
    pub(crate) const fn new(lines: &'b [u8], len: usize) -> Self {
        Self { lines, len }
    }

    /// No fields.
    #[cfg(test)]
    pub(crate) const fn none() -> Self {
        Self { lines: b"", len: 0 }
    }

    fn fields(&self) -> FieldLines<'b> {
        FieldLines { rest: self.lines }
    }

    /// The number of header fields.
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
    /// # Ok::<(), wsframe::handshake::HandshakeError>(())
    /// ```
    #[must_use]
    pub fn len(&self) -> usize {
        self.len
    }

    /// Whether there are no header fields.
    ///
    /// # Examples
    ///
    /// ```
    /// use wsframe::handshake::{ClientRequest, Response};
    ///
    /// let mut buf = [0u8; 256];
    /// let req = ClientRequest::new("ws://example.com/chat")?;
    /// let hs = req.write(*b"the sample nonce", &mut buf)?;
    /// let input = b"HTTP/1.1 403 Forbidden\r\n\r\n";
    /// let Response::Rejected(no) = hs.check_response(input, 8192)? else { panic!() };
    /// assert!(no.all_headers().is_empty());
    /// # Ok::<(), wsframe::handshake::HandshakeError>(())
    /// ```
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// All fields in order, as `(name, value)`.
    ///
    /// # Examples
    ///
    /// ```
    /// use wsframe::handshake::parse_request;
    ///
    /// let input = b"GET / HTTP/1.1\r\nHost: h\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\
    ///     Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n";
    /// let req = parse_request(input, 8192)?.expect("complete");
    /// let mut fields = req.all_headers().iter();
    /// assert_eq!(fields.next(), Some(("Host", &b"h"[..])));
    /// assert_eq!(fields.next(), Some(("Upgrade", &b"websocket"[..])));
    /// assert_eq!(fields.last(), Some(("Sec-WebSocket-Version", &b"13"[..])));
    /// # Ok::<(), wsframe::handshake::HandshakeError>(())
    /// ```
    pub fn iter(&self) -> impl Iterator<Item = (&'b str, &'b [u8])> + '_ {
        // The parser checked that names are tokens, hence ASCII.
        self.fields().map(|(name, value)| (core::str::from_utf8(name).unwrap_or_default(), value))
    }

    /// The value of the first field called `name` (case-insensitive).
    ///
    /// # Examples
    ///
    /// ```
    /// use wsframe::handshake::parse_request;
    ///
    /// let input = b"GET / HTTP/1.1\r\nHost: h\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\
    ///     Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\
    ///     Cookie: a=1\r\nCookie: b=2\r\n\r\n";
    /// let req = parse_request(input, 8192)?.expect("complete");
    /// let headers = req.all_headers();
    /// assert_eq!(headers.get("cookie"), Some(&b"a=1"[..]));
    /// assert_eq!(headers.get("SEC-WEBSOCKET-VERSION"), Some(&b"13"[..]));
    /// assert_eq!(headers.get("Origin"), None);
    /// # Ok::<(), wsframe::handshake::HandshakeError>(())
    /// ```
    #[must_use]
    pub fn get(&self, name: &str) -> Option<&'b [u8]> {
        self.get_all(name).next()
    }

    /// The values of every field called `name` (case-insensitive), in order.
    ///
    /// # Examples
    ///
    /// ```
    /// use wsframe::handshake::parse_request;
    ///
    /// let input = b"GET / HTTP/1.1\r\nHost: h\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\
    ///     Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\
    ///     Cookie: a=1\r\ncookie: b=2\r\n\r\n";
    /// let req = parse_request(input, 8192)?.expect("complete");
    /// assert!(req.all_headers().get_all("Cookie").eq([&b"a=1"[..], &b"b=2"[..]]));
    /// assert_eq!(req.all_headers().get_all("Origin").count(), 0);
    /// # Ok::<(), wsframe::handshake::HandshakeError>(())
    /// ```
    #[must_use]
    pub fn get_all<'h>(&'h self, name: &'h str) -> HeaderValues<'h, 'b> {
        self.values_in(0, self.len, name)
    }

    /// The values of the fields called `name` among those in `start..end`.
    pub(crate) fn values_in<'h>(
        &'h self,
        start: usize,
        end: usize,
        name: &'h str,
    ) -> HeaderValues<'h, 'b> {
        let fields = self.fields().skip(start).take(end.saturating_sub(start));
        HeaderValues { fields, name }
    }

    /// The elements of the comma-separated list formed by every field called
    /// `name` (RFC 7230 §7): trimmed, empty elements skipped, commas inside
    /// quoted strings respected.
    ///
    /// # Examples
    ///
    /// ```
    /// use wsframe::handshake::parse_request;
    ///
    /// let input = b"GET / HTTP/1.1\r\nHost: h\r\nUpgrade: websocket\r\n\
    ///     Connection: keep-alive, Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\
    ///     Sec-WebSocket-Version: 13\r\nSec-WebSocket-Protocol: chat, , superchat\r\n\
    ///     Sec-WebSocket-Protocol: v2\r\n\r\n";
    /// let req = parse_request(input, 8192)?.expect("complete");
    /// let headers = req.all_headers();
    /// assert!(headers.tokens("connection").eq([&b"keep-alive"[..], &b"Upgrade"[..]]));
    /// let protocols = [&b"chat"[..], &b"superchat"[..], &b"v2"[..]];
    /// assert!(headers.tokens("Sec-WebSocket-Protocol").eq(protocols));
    /// # Ok::<(), wsframe::handshake::HandshakeError>(())
    /// ```
    #[must_use]
    pub fn tokens<'h>(&'h self, name: &'h str) -> Tokens<'h, 'b> {
        Tokens::new(self.get_all(name))
    }

    /// Whether some element of the list `name` equals `token`, ignoring ASCII case.
    ///
    /// # Examples
    ///
    /// ```
    /// use wsframe::handshake::parse_request;
    ///
    /// let input = b"GET / HTTP/1.1\r\nHost: h\r\nUpgrade: websocket\r\n\
    ///     Connection: keep-alive, Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\
    ///     Sec-WebSocket-Version: 13\r\n\r\n";
    /// let req = parse_request(input, 8192)?.expect("complete");
    /// assert!(req.all_headers().contains_token("Connection", "upgrade"));
    /// assert!(!req.all_headers().contains_token("Connection", "close"));
    /// assert!(!req.all_headers().contains_token("Upgrade", "h2c"));
    /// # Ok::<(), wsframe::handshake::HandshakeError>(())
    /// ```
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
        struct Field<'a>(&'a str, &'a [u8]);
        impl fmt::Debug for Field<'_> {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                // As httparse's `Header` prints: the value as text when it is UTF-8.
                let mut s = f.debug_struct("Header");
                s.field("name", &self.0);
                match core::str::from_utf8(self.1) {
                    Ok(text) => s.field("value", &text),
                    Err(_) => s.field("value", &self.1),
                };
                s.finish()
            }
        }
        f.debug_list().entries(self.iter().map(|(n, v)| Field(n, v))).finish()
    }
}

/// `(name, value)` of each header line, up to the empty line that ends the
/// head; values trimmed (RFC 7230 §3.2.4).
#[derive(Debug, Clone)]
pub(crate) struct FieldLines<'b> {
    rest: &'b [u8],
}

impl<'b> FieldLines<'b> {
    /// The fields of `head`, a whole head the parser accepted: its start
    /// line skipped, and the empty lines it may follow (RFC 7230 §3.5).
    pub(crate) fn of_head(head: &'b [u8]) -> Self {
        let line = head.iter().position(|&b| b != b'\r' && b != b'\n').unwrap_or(head.len());
        let fields = head.get(line..).unwrap_or_default();
        let after = fields.iter().position(|&b| b == b'\n').map_or(fields.len(), |i| i + 1);
        Self { rest: fields.get(after..).unwrap_or_default() }
    }
}

impl<'b> Iterator for FieldLines<'b> {
    type Item = (&'b [u8], &'b [u8]);

    fn next(&mut self) -> Option<Self::Item> {
        let end = self.rest.iter().position(|&b| b == b'\n').unwrap_or(self.rest.len());
        let (line, rest) = self.rest.split_at_checked(end).unwrap_or((self.rest, &[]));
        self.rest = rest.get(1..).unwrap_or_default();
        let line = line.strip_suffix(b"\r").unwrap_or(line);
        // A field line has a colon (the parser checked); the empty line has none.
        let colon = line.iter().position(|&b| b == b':').or_else(|| {
            self.rest = &[];
            None
        })?;
        let (name, value) = line.split_at_checked(colon)?;
        Some((name, value.get(1..).unwrap_or_default().trim_ascii()))
    }
}

/// The values of the header fields with one name; see [`Headers::get_all`].
///
/// # Examples
///
/// ```
/// use wsframe::handshake::parse_request;
///
/// let input = b"GET / HTTP/1.1\r\nHost: h\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\
///     Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\
///     X-Forwarded-For: 192.0.2.1\r\nX-Forwarded-For:  198.51.100.7 \r\n\r\n";
/// let req = parse_request(input, 8192)?.expect("complete");
/// let mut values = req.headers("x-forwarded-for");
/// assert_eq!(values.next(), Some(&b"192.0.2.1"[..]));
/// assert_eq!(values.next(), Some(&b"198.51.100.7"[..]));
/// assert_eq!(values.next(), None);
/// # Ok::<(), wsframe::handshake::HandshakeError>(())
/// ```
#[derive(Clone)]
pub struct HeaderValues<'h, 'b> {
    fields: core::iter::Take<core::iter::Skip<FieldLines<'b>>>,
    name: &'h str,
}

impl fmt::Debug for HeaderValues<'_, '_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_list().entries(self.clone()).finish()
    }
}

impl<'b> Iterator for HeaderValues<'_, 'b> {
    type Item = &'b [u8];

    fn next(&mut self) -> Option<&'b [u8]> {
        let name = self.name.as_bytes();
        self.fields.find(|(n, _)| n.eq_ignore_ascii_case(name)).map(|(_, value)| value)
    }
}

/// The elements of a comma-separated list spread over repeated header fields;
/// see [`Headers::tokens`].
///
/// # Examples
///
/// ```
/// use wsframe::handshake::parse_request;
///
/// let input = b"GET / HTTP/1.1\r\nHost: h\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\
///     Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\
///     Sec-WebSocket-Extensions: permessage-deflate; client_max_window_bits, x-webkit\r\n\
///     Sec-WebSocket-Extensions: foo; bar=\"a,b\"\r\n\r\n";
/// let req = parse_request(input, 8192)?.expect("complete");
/// let mut offers = req.all_headers().tokens("Sec-WebSocket-Extensions");
/// assert_eq!(offers.next(), Some(&b"permessage-deflate; client_max_window_bits"[..]));
/// assert_eq!(offers.next(), Some(&b"x-webkit"[..]));
/// assert_eq!(offers.next(), Some(&b"foo; bar=\"a,b\""[..]));
/// assert_eq!(offers.next(), None);
/// # Ok::<(), wsframe::handshake::HandshakeError>(())
/// ```
#[derive(Debug, Clone)]
pub struct Tokens<'h, 'b> {
    values: HeaderValues<'h, 'b>,
    current: Elements<'b>,
}

impl<'h, 'b> Tokens<'h, 'b> {
    pub(crate) fn new(values: HeaderValues<'h, 'b>) -> Self {
        Self { values, current: Elements::new(&[]) }
    }
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

/// Splits at the first comma outside a quoted string (RFC 7230 §3.2.6),
/// jumping from one `,` or `"` to the next.
fn split_element(value: &[u8]) -> (&[u8], &[u8]) {
    let mut i = 0;
    loop {
        let Some(at) = value.get(i..).and_then(find_comma_or_quote).map(|j| i + j) else {
            return (value, &[]);
        };
        if value.get(at) == Some(&b',') {
            let (head, tail) = value.split_at_checked(at).unwrap_or((value, &[]));
            return (head, tail.get(1..).unwrap_or(&[]));
        }
        // A quoted string: on past its closing quote, escapes included.
        i = at + 1;
        let mut escaped = false;
        loop {
            let Some(&b) = value.get(i) else { return (value, &[]) };
            i += 1;
            match b {
                _ if escaped => escaped = false,
                b'\\' => escaped = true,
                b'"' => break,
                _ => {}
            }
        }
    }
}

/// The index of the first `,` or `"` in `s`, eight bytes at a time.
fn find_comma_or_quote(s: &[u8]) -> Option<usize> {
    swar::position(
        s,
        |w| swar::bytes_equal(w, b',') | swar::bytes_equal(w, b'"'),
        |b| b == b',' || b == b'"',
    )
}

/// The name of one `Sec-WebSocket-Extensions` element: what precedes its
/// first `;` (RFC 6455 §9.1).
pub(crate) fn extension_name(element: &[u8]) -> &[u8] {
    element.split(|&b| b == b';').next().unwrap_or(element).trim_ascii()
}

/// `tchar` of RFC 7230 §3.2.6, one entry per byte: a load per byte of a
/// header name, the head parser's tightest loop.
static TCHAR: [bool; 256] = {
    let mut set = [false; 256];
    let mut b = 0;
    while b < 256 {
        let c = b as u8;
        set[b] = c.is_ascii_alphanumeric()
            || matches!(c, b'!' | b'#'..=b'\'' | b'*' | b'+' | b'-' | b'.')
            || matches!(c, b'^' | b'_' | b'`' | b'|' | b'~');
        b += 1;
    }
    set
};

/// `tchar` of RFC 7230 §3.2.6.
pub(crate) fn is_tchar(b: u8) -> bool {
    TCHAR[usize::from(b)]
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

    /// The fields of a request head, as the server stores them.
    fn headers_of(input: &[u8]) -> Headers<'_> {
        super::super::head::parse_request_head(input, 1024, |_, _, _| {}).unwrap().unwrap().headers
    }

    #[test]
    fn elements_trim_skip_empty_and_respect_quotes() {
        let v: Vec<&[u8]> = Elements::new(b" a ,, b;x=\"1,2\" ,\tc ,").collect();
        assert_eq!(v, [&b"a"[..], b"b;x=\"1,2\"", b"c"]);
        let v: Vec<&[u8]> = Elements::new(b"q=\"a\\\",b\",z").collect();
        assert_eq!(v, [&b"q=\"a\\\",b\""[..], b"z"]);
        assert_eq!(Elements::new(b" , ,").next(), None);
    }

    /// The line view gives exactly the fields httparse found: bare LF line
    /// ends, tabs, colons and obs-text in values, empty values, no fields
    /// at all, and the most fields a head may have.
    #[test]
    fn fields_are_httparses() {
        let many: std::string::String =
            (0..MAX_HEADERS).map(|i| std::format!("X-{i}: {i}\r\n")).collect();
        let heads: [std::string::String; 7] = [
            "GET / HTTP/1.1\r\nHost: h\r\n\r\n".into(),
            "GET / HTTP/1.1\nA:b\nC: d:e \t\n\n".into(),
            "GET / HTTP/1.1\r\nE:\r\nF: \t \r\nG:\tx\ty\t\r\n\r\n".into(),
            "GET / HTTP/1.1\r\nH: caf\u{e9}\r\nh: 2\r\n\r\n".into(),
            "GET / HTTP/1.1\r\n\r\n".into(),
            "\r\nGET / HTTP/1.1\r\nI: j\r\n\r\ntrailing bytes".into(),
            std::format!("GET / HTTP/1.1\r\n{many}\r\n"),
        ];
        for head in &heads {
            let input = head.as_bytes();
            let headers = headers_of(input);
            let mut raw = [httparse::EMPTY_HEADER; MAX_HEADERS];
            let mut req = httparse::Request::new(&mut raw);
            assert!(req.parse(input).unwrap().is_complete());
            let expected: Vec<(&str, &[u8])> =
                req.headers.iter().map(|h| (h.name, h.value)).collect();
            assert_eq!(headers.iter().collect::<Vec<_>>(), expected, "{head:?}");
            assert_eq!(headers.len(), expected.len());
            for (name, _) in &expected {
                let values: Vec<&[u8]> = expected
                    .iter()
                    .filter(|(n, _)| n.eq_ignore_ascii_case(name))
                    .map(|f| f.1)
                    .collect();
                assert_eq!(headers.get_all(name).collect::<Vec<_>>(), values, "{name}");
            }
        }
    }

    #[test]
    fn tokens_span_repeated_headers() {
        let input = b"GET / HTTP/1.1\r\nX: a, b\r\nY: no\r\nx: ,c\r\nX:\r\n\r\n";
        let headers = headers_of(input);
        let v: Vec<&[u8]> = headers.tokens("x").collect();
        assert_eq!(v, [&b"a"[..], b"b", b"c"]);
        assert_eq!(headers.get_all("X").count(), 3);
        assert_eq!(headers.len(), 4);
        assert!(headers.unique("x").is_err());
        assert_eq!(headers.unique("y"), Ok(Some(&b"no"[..])));
        assert_eq!(headers.unique("z"), Ok(None));
    }

    #[test]
    fn find_comma_or_quote_at_every_position() {
        for len in 0..40 {
            for at in 0..=len {
                for mark in [b',', b'"'] {
                    let mut s = std::vec![b'a'; len];
                    // Bytes that differ from the marks by one bit or by borrow.
                    for (i, b) in s.iter_mut().enumerate() {
                        *b = [b'a', 0x2d, 0x23, 0x2c ^ 0x80, 0x01, 0x00][i % 6];
                    }
                    if at < len {
                        s[at] = mark;
                    }
                    let expected = s.iter().position(|&b| b == b',' || b == b'"');
                    assert_eq!(find_comma_or_quote(&s), expected, "{len} {at}");
                }
            }
        }
    }

    #[test]
    fn tchar_table() {
        for b in 0..=255u8 {
            let expected = b.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&b);
            assert_eq!(is_tchar(b), expected, "{b}");
        }
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
        assert_eq!(headers_of(input).get("a"), Some(&b"v"[..]));
    }
}
