//! The HTTP/1.1 message head (RFC 7230 §3): the start line, then header
//! fields up to the empty line, parsed in one pass with nothing stored per
//! field. Each field goes to the caller's closure as it is found, so the
//! server's checks of RFC 6455 §4.2.1 run inside the parse.
//!
//! It accepts what httparse 1.10 accepts with its default configuration (the
//! `handshake_server` and `handshake_client` fuzz targets and the tests below
//! compare the two):
//! - empty lines before the start line; CRLF or a bare LF ending each line;
//! - a request line of a token method, one SP, a request-target of visible
//!   ASCII and obs-text that is UTF-8, one SP, `HTTP/1.0` or `HTTP/1.1`;
//! - a status line of the version, one SP, three digits, then a reason of
//!   HTAB, SP, VCHAR and obs-text;
//! - fields whose name is a token directly followed by `:`, whose value is
//!   HTAB, SP, VCHAR and obs-text, trimmed of SP and HTAB; no obs-fold.
//!
//! Names, values and targets are scanned eight bytes at a time: most of a
//! head.

use super::error::HandshakeError;
use super::headers::{Headers, MAX_HEADERS, is_tchar};
use super::swar;

/// Why a parse stopped early: the input ends first, or it is invalid.
enum Stop {
    Partial,
    Invalid(HandshakeError),
}

impl From<HandshakeError> for Stop {
    fn from(e: HandshakeError) -> Self {
        Self::Invalid(e)
    }
}

const MALFORMED: Stop = Stop::Invalid(HandshakeError::MalformedHttp);

/// The byte at `i`, or [`Stop::Partial`] past the end.
fn at(bytes: &[u8], i: usize) -> Result<u8, Stop> {
    bytes.get(i).copied().ok_or(Stop::Partial)
}

/// Past the line end at `i`: CRLF or a bare LF.
fn newline(bytes: &[u8], i: usize) -> Result<usize, Stop> {
    match at(bytes, i)? {
        b'\n' => Ok(i + 1),
        b'\r' if at(bytes, i + 1)? == b'\n' => Ok(i + 2),
        _ => Err(MALFORMED),
    }
}

/// Past the empty lines a start line may follow (RFC 7230 §3.5).
fn skip_empty_lines(bytes: &[u8], mut i: usize) -> Result<usize, Stop> {
    while matches!(at(bytes, i)?, b'\r' | b'\n') {
        i = newline(bytes, i)?;
    }
    Ok(i)
}

/// The index of the first byte from `i` on that is below `below` or is DEL:
/// what ends a value (`below` 0x20: a control other than, possibly, HTAB) or
/// a request-target (0x21: SP too). `None` if the input ends first.
fn find_stop(bytes: &[u8], i: usize, below: u8) -> Option<usize> {
    let rest = bytes.get(i..)?;
    let stops = |w| swar::bytes_below(w, below) | swar::bytes_equal(w, 0x7f);
    swar::position(rest, stops, |b| b < below || b == 0x7f).map(|at| i + at)
}

/// Per byte of `w`, the high bit set where the byte is a letter, a digit or
/// `-`: the characters of nearly every header name. Exact per byte: the
/// bytes' low seven bits plus at most 0x80 never carry into the next byte.
fn name_bytes(w: u64) -> u64 {
    use swar::{HIGH, ONES};
    let x = w & !HIGH;
    let at_least = |v: u64, a: u8| (v + ONES * u64::from(0x80 - a)) & HIGH;
    let at_most = |v: u64, b: u8| !(v + ONES * u64::from(0x7f - b)) & HIGH;
    // Bit 5 set: a letter of either case becomes a lowercase one, and
    // nothing else does.
    let lower = x | (ONES * 0x20);
    let letter = at_least(lower, b'a') & at_most(lower, b'z');
    let digit = at_least(x, b'0') & at_most(x, b'9');
    let dash = at_most(x ^ (ONES * u64::from(b'-')), 0);
    !w & (letter | digit | dash)
}

/// The index of the first byte from `i` on that is not a `tchar` (RFC 7230
/// §3.2.6); `None` if the input ends first. Letters, digits and `-` go
/// eight at a time (one branch per word, not per byte), the other token
/// characters one at a time.
fn token_end(bytes: &[u8], mut i: usize) -> Option<usize> {
    while let Some(word) = bytes.get(i..i + 8) {
        let others = !name_bytes(swar::word(word)) & swar::HIGH;
        if others != 0 {
            i += swar::first(others);
            break;
        }
        i += 8;
    }
    while is_tchar(*bytes.get(i)?) {
        i += 1;
    }
    Some(i)
}

/// The end of a field value or reason phrase from `i` on: its first control
/// other than HTAB, or DEL (RFC 7230 §3.2: HTAB, SP, VCHAR and obs-text).
fn text_end(bytes: &[u8], mut i: usize) -> Result<usize, Stop> {
    loop {
        let stop = find_stop(bytes, i, 0x20).ok_or(Stop::Partial)?;
        if at(bytes, stop)? != b'\t' {
            return Ok(stop);
        }
        i = stop + 1;
    }
}

/// `HTTP/1.0` or `HTTP/1.1` at `i`: the minor version and the index past it.
fn version(bytes: &[u8], i: usize) -> Result<(u8, usize), Stop> {
    const PREFIX: &[u8; 7] = b"HTTP/1.";
    match bytes.get(i..i + 8) {
        Some(b"HTTP/1.1") => Ok((1, i + 8)),
        Some(b"HTTP/1.0") => Ok((0, i + 8)),
        Some(_) => Err(HandshakeError::HttpVersion.into()),
        None => {
            // Fewer than eight bytes: wait for more only if they can still be a version.
            let rest = bytes.get(i..).unwrap_or_default();
            let n = rest.len().min(PREFIX.len());
            if rest.get(..n) == PREFIX.get(..n) {
                Err(Stop::Partial)
            } else {
                Err(HandshakeError::HttpVersion.into())
            }
        }
    }
}

/// The header fields from `i` to the empty line that ends the head: each
/// handed to `on_field(index, name, value)`, the value trimmed of SP and
/// HTAB (RFC 7230 §3.2.4). Returns the fields' view and the index past the
/// head.
fn fields<'b>(
    bytes: &'b [u8],
    mut i: usize,
    on_field: &mut impl FnMut(usize, &'b [u8], &'b [u8]),
) -> Result<(Headers<'b>, usize), Stop> {
    let first = i;
    let mut n = 0;
    loop {
        let start = i;
        let b = at(bytes, i)?;
        if b == b'\r' || b == b'\n' {
            let end = newline(bytes, i)?;
            let lines = bytes.get(first..end).unwrap_or_default();
            return Ok((Headers::new(lines, n), end));
        }
        i = token_end(bytes, i).ok_or(Stop::Partial)?;
        // A name, then at once a colon: no empty name, no obs-fold, no
        // whitespace before the colon (RFC 7230 §3.2.4).
        if i == start || at(bytes, i)? != b':' {
            return Err(MALFORMED);
        }
        let name = bytes.get(start..i).unwrap_or_default();
        i += 1;
        while matches!(at(bytes, i)?, b' ' | b'\t') {
            i += 1;
        }
        let value_start = i;
        let value_end = text_end(bytes, i)?;
        i = newline(bytes, value_end)?;
        // Counted once the line is whole, as httparse does.
        if n == MAX_HEADERS {
            return Err(HandshakeError::TooManyHeaders.into());
        }
        let value = bytes.get(value_start..value_end).unwrap_or_default();
        on_field(n, name, value.trim_ascii_end());
        n += 1;
    }
}

/// Runs `parse` on the first `max` bytes of `input`: `Ok(None)` while the
/// head is incomplete, [`HandshakeError::TooLarge`] once `input` reaches
/// `max` bytes without a complete head.
fn capped<'b, T>(
    input: &'b [u8],
    max: usize,
    parse: impl FnOnce(&'b [u8]) -> Result<T, Stop>,
) -> Result<Option<T>, HandshakeError> {
    let (head, at_limit) = match input.get(..max) {
        Some(head) => (head, true),
        None => (input, false),
    };
    match parse(head) {
        Ok(parsed) => Ok(Some(parsed)),
        Err(Stop::Partial) if at_limit => Err(HandshakeError::TooLarge),
        Err(Stop::Partial) => Ok(None),
        Err(Stop::Invalid(e)) => Err(e),
    }
}

/// What a request head holds (RFC 7230 §3.1.1).
pub(crate) struct ParsedRequest<'b> {
    pub(crate) method: &'b [u8],
    pub(crate) target: &'b str,
    pub(crate) minor_version: u8,
    pub(crate) headers: Headers<'b>,
    pub(crate) consumed: usize,
}

/// Parses a request head from the first `max` bytes of `input`, handing
/// each field to `on_field(index, name, value)`; `Ok(None)` while incomplete.
pub(crate) fn parse_request_head<'b>(
    input: &'b [u8],
    max: usize,
    mut on_field: impl FnMut(usize, &'b [u8], &'b [u8]),
) -> Result<Option<ParsedRequest<'b>>, HandshakeError> {
    capped(input, max, |bytes| {
        let start = skip_empty_lines(bytes, 0)?;
        let mut i = start;
        if bytes.get(i..i + 4) != Some(b"GET ") {
            i = token_end(bytes, i).ok_or(Stop::Partial)?;
            if i == start || at(bytes, i)? != b' ' {
                return Err(MALFORMED);
            }
            i += 1;
        } else {
            i += 4;
        }
        let method = bytes.get(start..i - 1).unwrap_or_default();
        let target_start = i;
        i = find_stop(bytes, i, 0x21).ok_or(Stop::Partial)?;
        let target = bytes.get(target_start..i).unwrap_or_default();
        if target.is_empty() || at(bytes, i)? != b' ' {
            return Err(MALFORMED);
        }
        let target = core::str::from_utf8(target).map_err(|_| MALFORMED)?;
        let (minor_version, after) = version(bytes, i + 1)?;
        let (headers, consumed) = fields(bytes, newline(bytes, after)?, &mut on_field)?;
        Ok(ParsedRequest { method, target, minor_version, headers, consumed })
    })
}

/// What a response head holds (RFC 7230 §3.1.2).
pub(crate) struct ParsedResponse<'b> {
    pub(crate) status: u16,
    pub(crate) minor_version: u8,
    /// The reason phrase; empty if it is not UTF-8.
    pub(crate) reason: &'b str,
    pub(crate) headers: Headers<'b>,
    pub(crate) consumed: usize,
}

/// Parses a response head from the first `max` bytes of `input`;
/// `Ok(None)` while incomplete.
pub(crate) fn parse_response_head(
    input: &[u8],
    max: usize,
) -> Result<Option<ParsedResponse<'_>>, HandshakeError> {
    capped(input, max, |bytes| {
        let (minor_version, mut i) = version(bytes, skip_empty_lines(bytes, 0)?)?;
        if at(bytes, i)? != b' ' {
            return Err(HandshakeError::HttpVersion.into());
        }
        let mut status = 0;
        for d in 1..=3 {
            let digit = at(bytes, i + d)?;
            if !digit.is_ascii_digit() {
                return Err(MALFORMED);
            }
            status = status * 10 + u16::from(digit - b'0');
        }
        i += 4;
        // The reason follows one SP; with none, the line ends at the code.
        let mut reason_start = i;
        if at(bytes, i)? == b' ' {
            reason_start = i + 1;
            i = text_end(bytes, reason_start)?;
        }
        let reason = bytes.get(reason_start..i).unwrap_or_default();
        let reason = core::str::from_utf8(reason).unwrap_or("");
        let (headers, consumed) = fields(bytes, newline(bytes, i)?, &mut |_, _, _| {})?;
        Ok(ParsedResponse { status, minor_version, reason, headers, consumed })
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::vec::Vec;

    /// What a head parse came to, comparable across the two parsers.
    #[derive(Debug, PartialEq)]
    enum Outcome<'b> {
        Complete { consumed: usize, fields: Vec<(&'b [u8], &'b [u8])>, line: Vec<u8> },
        Partial,
        Invalid(HandshakeError),
    }

    /// httparse's errors as the handshake reports them.
    fn error_of(e: httparse::Error) -> HandshakeError {
        match e {
            httparse::Error::TooManyHeaders => HandshakeError::TooManyHeaders,
            httparse::Error::Version => HandshakeError::HttpVersion,
            _ => HandshakeError::MalformedHttp,
        }
    }

    fn ours_request(input: &[u8]) -> Outcome<'_> {
        let mut fields = Vec::new();
        match parse_request_head(input, usize::MAX, |i, n, v| {
            assert_eq!(i, fields.len());
            fields.push((n, v));
        }) {
            Ok(Some(h)) => {
                assert!(
                    h.headers.iter().map(|(n, v)| (n.as_bytes(), v)).eq(fields.iter().copied())
                );
                assert_eq!(h.headers.len(), fields.len());
                let line = [h.method, b" ", h.target.as_bytes(), &[h.minor_version]].concat();
                Outcome::Complete { consumed: h.consumed, fields, line }
            }
            Ok(None) => Outcome::Partial,
            Err(e) => Outcome::Invalid(e),
        }
    }

    /// httparse's result as an [`Outcome`]; `line` gives the start line it found.
    fn reference<'b>(
        parsed: httparse::Result<usize>,
        headers: &[httparse::Header<'b>],
        line: impl FnOnce() -> Vec<u8>,
    ) -> Outcome<'b> {
        match parsed {
            Ok(httparse::Status::Complete(consumed)) => {
                let fields = headers.iter().map(|h| (h.name.as_bytes(), h.value)).collect();
                Outcome::Complete { consumed, fields, line: line() }
            }
            Ok(httparse::Status::Partial) => Outcome::Partial,
            Err(e) => Outcome::Invalid(error_of(e)),
        }
    }

    fn httparse_request(input: &[u8]) -> Outcome<'_> {
        let mut raw = [httparse::EMPTY_HEADER; MAX_HEADERS];
        let mut req = httparse::Request::new(&mut raw);
        let parsed = req.parse(input);
        reference(parsed, req.headers, || {
            let (m, t, v) = (req.method.unwrap(), req.path.unwrap(), req.version.unwrap());
            [m.as_bytes(), b" ", t.as_bytes(), &[v]].concat()
        })
    }

    fn ours_response(input: &[u8]) -> Outcome<'_> {
        match parse_response_head(input, usize::MAX) {
            Ok(Some(h)) => {
                let fields = h.headers.iter().map(|(n, v)| (n.as_bytes(), v)).collect();
                // httparse drops a reason with obs-text; this parser keeps one that is UTF-8.
                let reason = if h.reason.is_ascii() { h.reason } else { "" };
                let mut line = std::format!("{} {reason}", h.status).into_bytes();
                line.push(h.minor_version);
                Outcome::Complete { consumed: h.consumed, fields, line }
            }
            Ok(None) => Outcome::Partial,
            Err(e) => Outcome::Invalid(e),
        }
    }

    fn httparse_response(input: &[u8]) -> Outcome<'_> {
        let mut raw = [httparse::EMPTY_HEADER; MAX_HEADERS];
        let mut resp = httparse::Response::new(&mut raw);
        let parsed = resp.parse(input);
        reference(parsed, resp.headers, || {
            let reason = resp.reason.unwrap();
            let mut line = std::format!("{} {reason}", resp.code.unwrap()).into_bytes();
            line.push(resp.version.unwrap());
            line
        })
    }

    /// Compares both parsers on `input` and on every prefix of it.
    fn same_as_httparse(input: &[u8]) {
        for end in 0..=input.len() {
            let part = &input[..end];
            assert_eq!(ours_request(part), httparse_request(part), "request {part:?}");
            assert_eq!(ours_response(part), httparse_response(part), "response {part:?}");
        }
    }

    const REQUEST: &[u8] = b"GET /chat?room=42 HTTP/1.1\r\nHost: server.example.com:8080\r\n\
        User-Agent: Mozilla/5.0 (X11; Linux x86_64; rv:128.0)\r\nAccept: */*\r\n\
        Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nConnection: keep-alive, Upgrade\r\n\
        Upgrade: websocket\r\nSec-WebSocket-Version: 13\r\n\r\n";
    const RESPONSE: &[u8] = b"HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n\
        Connection: Upgrade\r\nSec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n\r\n";

    /// RFC 7230 §3: the grammar's edges, each against httparse, whole and cut
    /// short at every byte.
    #[test]
    fn rfc7230_3_heads_parse_as_httparse_parses_them() {
        let many: std::string::String =
            (0..=MAX_HEADERS).map(|i| std::format!("X-{i}: {i}\r\n")).collect();
        let cases: &[&[u8]] = &[
            REQUEST,
            RESPONSE,
            b"\r\n\nGET / HTTP/1.1\nA:b\nC: d:e \t\n\ntrailing",
            b"POST /x HTTP/1.0\r\n\r\n",
            b"M-SEARCH * HTTP/1.1\r\nE:\r\nF: \t \r\nG:\tx\ty\t\r\n\r\n",
            b"GET /caf\xc3\xa9 HTTP/1.1\r\nH: caf\xe9\x80\xff\r\n\r\n",
            b"GET /\xff HTTP/1.1\r\n\r\n",
            b"GET  / HTTP/1.1\r\n\r\n",
            b"GET / HTTP/1.1 \r\n\r\n",
            b"GET / HTTP/1.2\r\n\r\n",
            b"GET / HTTP/2.0\r\n\r\n",
            b"GET / http/1.1\r\n\r\n",
            b"GET /a\x7fb HTTP/1.1\r\n\r\n",
            b"GET /a\tb HTTP/1.1\r\n\r\n",
            b"GE\x01T / HTTP/1.1\r\n\r\n",
            b" GET / HTTP/1.1\r\n\r\n",
            b"GET / HTTP/1.1\r\r\n\r\n",
            b"GET / HTTP/1.1\r\nA : b\r\n\r\n",
            b"GET / HTTP/1.1\r\n: b\r\n\r\n",
            b"GET / HTTP/1.1\r\nA\x01: b\r\n\r\n",
            b"GET / HTTP/1.1\r\nA: b\r\n c\r\n\r\n",
            b"GET / HTTP/1.1\r\nA: b\x7f\r\n\r\n",
            b"GET / HTTP/1.1\r\nA: b\x00c\r\n\r\n",
            b"GET / HTTP/1.1\r\nA: b\rc\r\n\r\n",
            b"GET / HTTP/1.1\r\nA: b\r\n\rx",
            b"GET / HTTP/1.1\r\nA_b.c~d!#$%&'*+^`|: v\r\n\r\n",
            b"GET / HTTP/1.1\r\nA(b): v\r\n\r\n",
            b"HTTP/1.1 101\r\n\r\n",
            b"HTTP/1.1 101 \r\n\r\n",
            b"HTTP/1.1 404 Not\tFound \r\nA: b\r\n\r\n",
            b"HTTP/1.1 404 Nicht gefunden \xe2\x80\x94 caf\xc3\xa9\r\n\r\n",
            b"HTTP/1.1 404 \xff\r\n\r\n",
            b"HTTP/1.1 10x OK\r\n\r\n",
            b"HTTP/1.1 1010 OK\r\n\r\n",
            b"HTTP/1.1  101 OK\r\n\r\n",
            b"HTTP/1.1\t101 OK\r\n\r\n",
            b"HTTP/1.0 101 OK\nA: b\n\n",
            b"HTTP/1.1 200 OK\x01\r\n\r\n",
            b"HTTP/1.1 200 OK\x7f\r\n\r\n",
        ];
        for case in cases {
            same_as_httparse(case);
        }
        let too_many = std::format!("GET / HTTP/1.1\r\n{many}\r\n");
        same_as_httparse(too_many.as_bytes());
        let most = &too_many.as_bytes()[..too_many.find("X-64").unwrap()];
        assert!(matches!(ours_request(&[most, b"\r\n"].concat()), Outcome::Complete { .. }));
    }

    /// Random changes to real heads (bytes replaced by the grammar's special
    /// bytes, inserted, removed), each against httparse, whole and cut short
    /// at every byte: a deterministic differential fuzz that runs with the
    /// unit tests (the `handshake_server` and `handshake_client` fuzz targets
    /// do the same on arbitrary input).
    #[test]
    fn rfc7230_3_mutated_heads_parse_as_httparse_parses_them() {
        const SPECIAL: &[u8] = b"\r\n\t :\x00\x01\x7f\x80\xc3\xff/Hh1.";
        let mut state = 0x9e37_79b9_7f4a_7c15_u64;
        let mut next = move || {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state
        };
        for round in 0..4000 {
            let mut head = if round % 2 == 0 { REQUEST.to_vec() } else { RESPONSE.to_vec() };
            for _ in 0..1 + next() % 3 {
                let at = (next() % head.len() as u64) as usize;
                let byte = SPECIAL[(next() % SPECIAL.len() as u64) as usize];
                match next() % 3 {
                    0 => head[at] = byte,
                    1 => head.insert(at, byte),
                    _ => {
                        head.remove(at);
                    }
                }
            }
            same_as_httparse(&head);
        }
    }

    /// The limit: a head that has not ended within `max` bytes is too large,
    /// one shorter than that is awaited, and one that ends within it parses.
    #[test]
    fn limit_applies_to_the_head_alone() {
        let n = REQUEST.len();
        assert!(matches!(parse_request_head(REQUEST, n, |_, _, _| {}), Ok(Some(_))));
        let cut = &REQUEST[..n - 1];
        assert!(matches!(parse_request_head(cut, n, |_, _, _| {}), Ok(None)));
        assert_eq!(
            parse_request_head(REQUEST, n - 1, |_, _, _| {}).err(),
            Some(HandshakeError::TooLarge)
        );
        let with_frames = [REQUEST, &[0x81, 0x00][..]].concat();
        let head = parse_request_head(&with_frames, n, |_, _, _| {}).unwrap().unwrap();
        assert_eq!(head.consumed, n);
    }

    /// Every byte value at every position of a word, among neighbours that
    /// would carry or borrow into it if the arithmetic leaked across bytes.
    #[test]
    fn name_bytes_is_exact_per_byte() {
        for fill in [0x00, b'a', b'Z', b'-', b'9', 0x7f, 0x80, 0xff] {
            for at in 0..8 {
                for b in 0..=255u8 {
                    let mut word = [fill; 8];
                    word[at] = b;
                    let flags = name_bytes(u64::from_le_bytes(word)).to_le_bytes();
                    for (k, &byte) in word.iter().enumerate() {
                        let simple = byte.is_ascii_alphanumeric() || byte == b'-';
                        assert_eq!(flags[k] == 0x80, simple, "{word:?} at {k}");
                        assert_eq!(flags[k] & 0x7f, 0);
                    }
                }
            }
        }
    }

    #[test]
    fn token_end_at_every_position() {
        let mut state = 0x2545_f491_4f6c_dd1d_u64;
        for len in 0..40 {
            for at in 0..=len {
                for stop in [b':', b' ', b'\r', 0x80, b'(', 0x00] {
                    // Names with the token characters that go one at a time.
                    let mut s: Vec<u8> = (0..len)
                        .map(|_| {
                            state ^= state << 13;
                            state ^= state >> 7;
                            state ^= state << 17;
                            b"aZ-09_.~!|Host"[(state % 14) as usize]
                        })
                        .collect();
                    if at < len {
                        s[at] = stop;
                    }
                    let expected = s.iter().position(|&b| !is_tchar(b));
                    assert_eq!(token_end(&s, 0), expected, "{s:?}");
                    if let Some(e) = expected {
                        assert_eq!(token_end(&s, e.min(1)), expected);
                    }
                }
            }
        }
    }

    #[test]
    fn find_stop_at_every_position() {
        for len in 0..40 {
            for at in 0..=len {
                for (stop, below) in [(0x1f, 0x20), (b'\t', 0x20), (0x7f, 0x20), (b' ', 0x21)] {
                    // Bytes just above the limit, and high ones, around it.
                    let mut s: Vec<u8> =
                        (0..len).map(|i| [below, 0x7e, 0x80, 0xff, b'a'][i % 5]).collect();
                    if at < len {
                        s[at] = stop;
                    }
                    let expected = s.iter().position(|&b| b < below || b == 0x7f);
                    assert_eq!(find_stop(&s, 0, below), expected, "{len} {at} {stop}");
                }
            }
        }
    }
}
