//! The opening handshake (RFC 6455 §4): URL parsing, the client's request
//! and response check, the server's request parsing, acceptance and
//! rejection. Everything borrows from caller buffers; nothing is allocated.

use core::ffi::c_char;

use core::mem::{offset_of, size_of};
use wsframe::RandomSource;

use wsframe::handshake::{
    self, ClientOffer, ClientRequest, DEFAULT_MAX_HANDSHAKE, HandshakeError, RequestHead, Response,
};

use crate::guard::guard;
use crate::raw::{self, FromC, In, InOut, ObjRef, Out, Put, Region, Span, Text, Val};
use crate::result::*;

/// Length of a `Sec-WebSocket-Accept` value (base64 of a SHA-1 digest).
pub const WSFRAME_ACCEPT_KEY_LEN: usize = 28;
/// Length of a `Sec-WebSocket-Key` value (base64 of a 16-byte nonce).
pub const WSFRAME_KEY_LEN: usize = 24;
/// Bytes of random nonce behind a `Sec-WebSocket-Key` (RFC 6455 §4.1).
pub const WSFRAME_NONCE_LEN: usize = 16;
/// The default limit on a handshake head, used when a `max_size` argument is 0.
pub const WSFRAME_DEFAULT_MAX_HANDSHAKE: usize = 8192;
/// Most bytes of the subprotocol names a client may offer, counting one more
/// per name (the `protocols` argument of `wsframe_client_handshake_write`).
pub const WSFRAME_CLIENT_MAX_PROTOCOLS_LEN: usize = 256;
/// Most subprotocols a client may offer.
pub const WSFRAME_CLIENT_MAX_PROTOCOLS: usize = 16;
/// Most bytes of the `Sec-WebSocket-Extensions` offer a client may make
/// (the `extensions` argument of `wsframe_client_handshake_write`).
pub const WSFRAME_CLIENT_MAX_EXTENSIONS_LEN: usize = 256;
/// Most extra header lines a request or acceptance may carry.
pub const WSFRAME_MAX_EXTRA_HEADERS: usize = 16;

const _: () = assert!(WSFRAME_DEFAULT_MAX_HANDSHAKE == DEFAULT_MAX_HANDSHAKE);

/// Writes a handshake output: the length on success, the required size on
/// INSUFFICIENT_SIZE.
fn report(r: Result<usize, HandshakeError>, written: Out<'_, usize>) -> Result<(), wsframe_result> {
    if let Ok(n) | Err(HandshakeError::InsufficientSize { required: n }) = r {
        written.write(n);
    }
    r.map(|_| ()).map_err(from_handshake)
}

const INVALID: wsframe_result = WSFRAME_RESULT_INVALID_ARGUMENT;
const RANDOM_FAILED: wsframe_result = WSFRAME_RESULT_RANDOM_FAILED;

/// The C API's extra header lines as pairs (the writers check them).
fn lines<'a, 'o>(
    block: Option<&'a str>,
    pairs: &'o mut [(&'a str, &'a str)],
) -> Result<&'o [(&'a str, &'a str)], wsframe_result> {
    handshake::split_header_lines(block.unwrap_or_default(), pairs).ok_or(INVALID)
}

/// `(ptr, len)` for C of borrowed text: NULL exactly when empty.
fn c_text(bytes: &[u8]) -> (*const c_char, usize) {
    if bytes.is_empty() { (core::ptr::null(), 0) } else { (bytes.as_ptr().cast(), bytes.len()) }
}

fn max_or_default(max_size: usize) -> usize {
    if max_size == 0 { DEFAULT_MAX_HANDSHAKE } else { max_size }
}

/// Computes `Sec-WebSocket-Accept` for a `Sec-WebSocket-Key`: base64 of
/// SHA-1(key + the RFC's GUID) (RFC 6455 §1.3, §4.2.2). `key` is the header
/// value as received, without surrounding whitespace; it is not validated
/// here (`wsframe_server_request_parse` does that).
///
/// Writes 28 bytes (no NUL) to `out` and 28 to `*written_out`. `out` may be
/// the buffer `key` is in (the key is read first); `written_out` may not
/// overlap either.
///
/// Results: OK; INSUFFICIENT_SIZE (`out_len` < 28; `*written_out` = 28);
/// NULL_POINTER; INVALID_ARGUMENT (`written_out` inside `key` or `out`).
///
/// # Safety
///
/// `key` NULL or valid for reads of `key_len` bytes; `out` NULL or valid for
/// writes of `out_len` bytes; `written_out` NULL or valid for one write.
///
/// # Examples
///
/// ```c
/// const char *key = "dGhlIHNhbXBsZSBub25jZQ=="; // RFC 6455's sample key
/// uint8_t accept[WSFRAME_ACCEPT_KEY_LEN];
/// if (wsframe_accept_key((const uint8_t *)key, strlen(key), accept, sizeof accept, &n) == WSFRAME_RESULT_OK)
///     printf("%.*s\n", (int)n, (const char *)accept); // s3pPLMBiTxaQ9kYGzzhZRbK+xOo=
/// ```
#[unsafe(no_mangle)]
pub unsafe extern "C" fn wsframe_accept_key(
    key: *const u8,
    key_len: usize,
    out: *mut u8,
    out_len: usize,
    written_out: *mut usize,
) -> wsframe_result {
    guard(|| {
        // The key is read before `out` is written, so `out` may be the key's
        // own buffer (an answer computed in place); only `written_out` must
        // be apart from both.
        let output = Region(Span::bytes(out, out_len), false);
        // SAFETY: caller contract, for each pointer; checked disjoint.
        let (written, key, _) = unsafe { raw::args((Put(written_out), In(key, key_len), output)) }?;
        let accept = handshake::accept_key(key);
        // SAFETY: caller contract; the key is no longer used.
        let (out,) = unsafe { raw::args((InOut(out, out_len),)) }?;
        written.write(accept.len());
        let out = out.get_mut(..accept.len()).ok_or(WSFRAME_RESULT_INSUFFICIENT_SIZE)?;
        out.copy_from_slice(&accept);
        Ok(())
    })
}

/// The parts of a ws:// or wss:// URL (RFC 6455 §3), borrowing from the
/// caller's URL string: valid as long as it is.
///
/// # Examples
///
/// ```c
/// const char *s = "ws://[::1]:9001/chat?room=7";
/// wsframe_url u; // borrows from s: host "::1", port 9001, path "/chat", query "room=7"
/// if (wsframe_url_parse(s, strlen(s), &u) == WSFRAME_RESULT_OK)
///     printf("%s%.*s:%u%.*s\n", u.secure ? "TLS to " : "", (int)u.host_len, u.host, (unsigned)u.port,
///            (int)u.path_len, u.path);
/// ```
#[repr(C)]
#[derive(Debug, Clone, Copy)]
pub struct wsframe_url {
    /// The host name or IP literal (without brackets for IPv6), not NUL-terminated.
    pub host: *const c_char,
    /// Bytes at `host`.
    pub host_len: usize,
    /// The port: the URL's, or 80 for ws and 443 for wss.
    pub port: u16,
    /// True for wss:// (the caller must then speak TLS).
    pub secure: bool,
    /// The path, "/" if the URL has none.
    pub path: *const c_char,
    /// Bytes at `path`.
    pub path_len: usize,
    /// The query without its "?"; (NULL, 0) if none.
    pub query: *const c_char,
    /// Bytes at `query`.
    pub query_len: usize,
}

/// Parses a ws:// or wss:// URL into `*url_out` (to know where to connect).
///
/// Results: OK; NULL_POINTER; INVALID_UTF8; INVALID_ARGUMENT (`url_out`
/// overlapping `url`); HANDSHAKE_INVALID_URI, HANDSHAKE_UNSUPPORTED_SCHEME,
/// HANDSHAKE_FRAGMENT_IN_URI, HANDSHAKE_INVALID_PORT. `*url_out` is written
/// on OK.
///
/// # Safety
///
/// `url` NULL or valid for reads of `url_len` bytes (and, for the pointers
/// in `*url_out` to be usable, for as long as they are used); `url_out` NULL
/// or valid for one write.
///
/// # Examples
///
/// ```c
/// const char *s = "wss://example.com/feed";
/// wsframe_url u;
/// r = wsframe_url_parse(s, strlen(s), &u);
/// if (r != WSFRAME_RESULT_OK)
///     fprintf(stderr, "bad URL: %s\n", wsframe_result_str(r));
/// else // connect to u.host:u.port (443 here), with TLS when u.secure
///     printf("connecting to %.*s:%u\n", (int)u.host_len, u.host, (unsigned)u.port);
/// ```
#[unsafe(no_mangle)]
pub unsafe extern "C" fn wsframe_url_parse(
    url: *const c_char,
    url_len: usize,
    url_out: *mut wsframe_url,
) -> wsframe_result {
    guard(|| {
        // SAFETY: caller contract, for each pointer; checked disjoint.
        let (out, url) = unsafe { raw::args((Put(url_out), Text(url, url_len))) }?;
        let req = ClientRequest::new(url.unwrap_or_default()).map_err(from_handshake)?;
        let resource = req.resource();
        let (host, host_len) = c_text(req.host().as_bytes());
        let (path, path_len) = c_text(resource.path().as_bytes());
        let (query, query_len) = c_text(resource.query().unwrap_or("").as_bytes());
        let (port, secure) = (req.port(), req.is_secure());
        out.done(wsframe_url { host, host_len, port, secure, path, path_len, query, query_len })
    })
}

/// What a client keeps between writing its request and checking the
/// server's response: the nonce behind its key, the subprotocols and the
/// extension offer it made. Caller-allocated, filled by
/// `wsframe_client_handshake_write`; contents private; copy it freely; no
/// cleanup needed.
#[repr(C)]
#[derive(Debug, Clone, Copy)]
pub struct wsframe_client_handshake {
    /// Private state; do not touch.
    pub _private: [u64; 69],
}

const CLIENT_TAG: u64 = u64::from_be_bytes(*b"wsfrClHs");

const _: () =
    assert!(size_of::<raw::Tagged<ClientOffer>>() <= size_of::<wsframe_client_handshake>());

/// 16 random bytes for a key: the caller's, or the OS's (hosted builds).
fn nonce(given: Option<&[u8]>) -> Result<[u8; WSFRAME_NONCE_LEN], wsframe_result> {
    let Some(given) = given else {
        let mut fresh = [0; WSFRAME_NONCE_LEN];
        let e = if cfg!(feature = "std") { RANDOM_FAILED } else { WSFRAME_RESULT_NO_RANDOM };
        return { raw::CRandom::OS }.fill(&mut fresh).map(|()| fresh).map_err(|_| e);
    };
    given.try_into().map_err(|_| WSFRAME_RESULT_INVALID_ARGUMENT)
}

/// Writes a client's opening handshake request (RFC 6455 §4.1) for `url`
/// into `out`, and the state to check the response with into `*hs`.
///
/// - `url`: ws:// or wss:// URL (wss means the caller runs TLS).
/// - `origin`: the Origin header, or (NULL, 0) for none.
/// - `protocols`: subprotocols to offer, comma-separated in order of
///   preference ("chat.v2, chat"), or (NULL, 0); at most
///   `WSFRAME_CLIENT_MAX_PROTOCOLS` names of at most
///   `WSFRAME_CLIENT_MAX_PROTOCOLS_LEN` bytes, counting one more per name.
/// - `extensions`: the `Sec-WebSocket-Extensions` offer, for instance from
///   `wsframe_deflate_config_write_offer`, or (NULL, 0); at most
///   `WSFRAME_CLIENT_MAX_EXTENSIONS_LEN` bytes. The response check then
///   accepts the extensions it names, and no others.
/// - `headers`: extra header lines, "Name: value" separated by CRLF or LF
///   (at most `WSFRAME_MAX_EXTRA_HEADERS`), or (NULL, 0). Names must be
///   tokens and values free of control characters (no header injection);
///   headers the handshake writes itself are refused.
/// - `nonce`: 16 fresh random bytes for the key (RFC 6455 §4.1, §10.3), or
///   NULL to draw them from the OS (NO_RANDOM in builds without `std`).
///
/// On OK, send `out[0..*written_out]`, then read the response and pass it to
/// `wsframe_client_handshake_check`. `out` must not overlap any input, `*hs`
/// or `*written_out`.
///
/// Results: OK; INSUFFICIENT_SIZE (`*written_out` = bytes needed; `*hs` not
/// written); NULL_POINTER; INVALID_UTF8; INVALID_ARGUMENT (`nonce_len` not
/// 16, a header line without ':', too many entries, overlapping buffers);
/// NO_RANDOM; RANDOM_FAILED; HANDSHAKE_INVALID_URI, _UNSUPPORTED_SCHEME,
/// _FRAGMENT_IN_URI, _INVALID_PORT, _INVALID_PROTOCOL,
/// _INVALID_HEADER_NAME, _INVALID_HEADER_VALUE, _RESERVED_HEADER.
///
/// # Safety
///
/// Each (pointer, length) pair NULL or valid for reads of that many bytes
/// (`nonce`: `nonce_len`); `out` NULL or valid for writes of `out_len`
/// bytes; `hs` and `written_out` NULL or valid for one write.
///
/// # Examples
///
/// ```c
/// const char *url = "ws://example.com/chat";
/// const char *protocols = "chat.v2, chat";
/// wsframe_client_handshake hs; // keep it for the response check
/// r = wsframe_client_handshake_write(&hs, url, strlen(url), NULL, 0, protocols, strlen(protocols),
///                                    NULL, 0, NULL, 0, NULL, 0, out, sizeof out, &n);
/// if (r == WSFRAME_RESULT_OK)
///     write_all(fd, out, n); // then read the response
/// ```
#[unsafe(no_mangle)]
pub unsafe extern "C" fn wsframe_client_handshake_write(
    hs: *mut wsframe_client_handshake,
    url: *const c_char,
    url_len: usize,
    origin: *const c_char,
    origin_len: usize,
    protocols: *const c_char,
    protocols_len: usize,
    extensions: *const c_char,
    extensions_len: usize,
    headers: *const c_char,
    headers_len: usize,
    nonce: *const u8,
    nonce_len: usize,
    out: *mut u8,
    out_len: usize,
    written_out: *mut usize,
) -> wsframe_result {
    guard(|| {
        let offers = (Text(protocols, protocols_len), Text(extensions, extensions_len));
        let request = (Text(url, url_len), Text(origin, origin_len), Text(headers, headers_len));
        let hs_region = Region(Span::bytes(hs, size_of::<wsframe_client_handshake>()), true);
        let outs = (hs_region, InOut(out, out_len), Put(written_out), In(nonce, nonce_len));
        // SAFETY: caller contract, for each pointer; checked disjoint.
        let ((_, out, written, given), (protocols, extensions), (url, origin, headers)) =
            unsafe { raw::args((outs, offers, request)) }?;
        let (url, protocols) = (url.unwrap_or_default(), protocols.unwrap_or_default());
        if hs.is_null() {
            return Err(WSFRAME_RESULT_NULL_POINTER);
        }
        let nonce = self::nonce((!given.is_empty() || !nonce.is_null()).then_some(given))?;
        let mut names = [""; WSFRAME_CLIENT_MAX_PROTOCOLS];
        let protocols = handshake::split_list(protocols, &mut names).ok_or(INVALID)?;
        let state = ClientOffer::new(nonce, protocols, extensions);
        let state = state.ok_or(WSFRAME_RESULT_INVALID_ARGUMENT)?;
        let mut pairs = [("", ""); WSFRAME_MAX_EXTRA_HEADERS];
        let mut req = ClientRequest::new(url).map_err(from_handshake)?;
        if let Some(origin) = origin {
            req = req.origin(origin);
        }
        if let Some(offer) = extensions {
            req = req.extensions(offer);
        }
        let req = req.protocols(protocols).headers(lines(headers, &mut pairs)?);
        report(req.write(nonce, out).map(|h| h.request_len()), written)?;
        // SAFETY: non-NULL, the caller's struct, large enough (checked at
        // compile time; alignment is checked by init_tagged).
        unsafe {
            raw::init_tagged(hs.cast(), size_of::<wsframe_client_handshake>(), CLIENT_TAG, state)
        }?;
        Ok(())
    })
}

/// The server's answer to a client's request, borrowing from the response
/// buffer given to `wsframe_client_handshake_check` (valid as long as it is
/// unchanged).
///
/// # Examples
///
/// ```c
/// wsframe_client_response resp; // borrows from in[0..have]
/// if (wsframe_client_handshake_check(&hs, in, have, 0, &resp) == WSFRAME_RESULT_OK && resp.complete) {
///     if (resp.accepted)
///         printf("open; subprotocol: %.*s\n", (int)resp.protocol_len, resp.protocol);
///     else if (resp.status / 100 == 3)
///         printf("%u, go to %.*s\n", (unsigned)resp.status, (int)resp.location_len, resp.location);
/// }
/// ```
#[repr(C)]
#[derive(Debug, Clone, Copy)]
pub struct wsframe_client_response {
    /// False: the head is incomplete; read more and call again with all the
    /// bytes so far. The other fields are then zero.
    pub complete: bool,
    /// True: status 101 and every check passed; the connection is open
    /// (create a client session or connection). False with `complete`: the
    /// server refused with `status` (follow `location` for a 3xx,
    /// authenticate for 401, ...).
    pub accepted: bool,
    /// The HTTP status.
    pub status: u16,
    /// Length of the response head. Bytes after it are already WebSocket
    /// frames (accepted) or a body (refused).
    pub consumed: usize,
    /// The subprotocol the server selected, (NULL, 0) if none.
    pub protocol: *const c_char,
    /// Bytes at `protocol`.
    pub protocol_len: usize,
    /// The Location header of a refusal, (NULL, 0) if none.
    pub location: *const c_char,
    /// Bytes at `location`.
    pub location_len: usize,
    /// The first `Sec-WebSocket-Extensions` value of an acceptance (already
    /// checked against the offer), (NULL, 0) if none.
    pub extensions: *const c_char,
    /// Bytes at `extensions`.
    pub extensions_len: usize,
}

// SAFETY: its bools are `complete` and `accepted`; the rest are integers and pointers.
unsafe impl FromC for wsframe_client_response {
    const FLAGS: &'static [usize] = &[offset_of!(Self, complete), offset_of!(Self, accepted)];
}

/// Checks the server's response to the request `*hs` was written for
/// (RFC 6455 §4.1: status 101, Upgrade, Connection, Sec-WebSocket-Accept,
/// and no subprotocol or extension that was not offered).
///
/// `input` is everything read so far; `max_size` bounds the head (0 means
/// `WSFRAME_DEFAULT_MAX_HANDSHAKE`). A status other than 101 is not an
/// error: `complete` and not `accepted`.
///
/// Results: OK (see `*response_out`); NULL_POINTER; INVALID_HANDLE (`*hs`
/// was not written by a successful `wsframe_client_handshake_write`);
/// INVALID_ARGUMENT (`response_out` overlapping `hs` or `input`); a
/// HANDSHAKE_* error for a 101 that fails a check, or a malformed or too
/// large head: fail the connection (close the socket). `*response_out` is
/// written on OK.
///
/// # Safety
///
/// `hs` NULL or valid for reads of a `wsframe_client_handshake`; `input` NULL
/// or valid for reads of `len` bytes; `response_out` NULL or valid for one
/// write.
///
/// # Examples
///
/// ```c
/// wsframe_client_response resp;
/// have += read_some(fd, in + have, sizeof in - have);
/// r = wsframe_client_handshake_check(&hs, in, have, 0, &resp);
/// if (r != WSFRAME_RESULT_OK || (resp.complete && !resp.accepted))
///     close_socket(fd); // a bad 101, or refused: resp.status, resp.location
/// else if (resp.complete) // open: in[resp.consumed..have] are frames already
///     r = wsframe_session_new(WSFRAME_ROLE_CLIENT, &config, &session);
/// // else: read more and check again
/// ```
#[unsafe(no_mangle)]
pub unsafe extern "C" fn wsframe_client_handshake_check(
    hs: *const wsframe_client_handshake,
    input: *const u8,
    len: usize,
    max_size: usize,
    response_out: *mut wsframe_client_response,
) -> wsframe_result {
    guard(|| {
        // SAFETY: caller contract, for each pointer; checked disjoint.
        let (r, (out,)) = unsafe { response(hs, input, len, max_size, (Put(response_out),)) }?;
        describe(&r, out);
        Ok(())
    })
}

/// The core's check of a response to the request `*hs` was written for,
/// once the call's other arguments `args` were found disjoint from `*hs`
/// and the response.
///
/// # Safety
///
/// `hs` NULL or valid for reads of a `wsframe_client_handshake`; `input`
/// NULL or valid for reads of `len` bytes; `args` as their function's
/// `# Safety` says.
pub(crate) unsafe fn response<'a, A: raw::Arg>(
    hs: *const wsframe_client_handshake,
    input: *const u8,
    len: usize,
    max_size: usize,
    args: A,
) -> Result<(Response<'a>, A::Value<'a>), wsframe_result> {
    let state = ObjRef::<ClientOffer, CLIENT_TAG>(hs.cast());
    // SAFETY: caller contract, for each pointer; checked disjoint.
    let (state, input, values) = unsafe { raw::args((state, In(input, len), args)) }?;
    let r = state.check_response(input, max_or_default(max_size)).map_err(from_handshake)?;
    Ok((r, values))
}

/// Fills the C view of a checked response.
fn describe(response: &Response<'_>, out: Out<'_, wsframe_client_response>) {
    let mut r: wsframe_client_response = raw::zeroed();
    match response {
        Response::Accepted(ok) => {
            (r.complete, r.accepted, r.status, r.consumed) = (true, true, 101, ok.consumed());
            (r.protocol, r.protocol_len) = c_text(ok.protocol().unwrap_or("").as_bytes());
            (r.extensions, r.extensions_len) = c_text(ok.extensions().next().unwrap_or_default());
        }
        Response::Rejected(no) => {
            (r.complete, r.status, r.consumed) = (true, no.status(), no.consumed());
            (r.location, r.location_len) = c_text(no.location().unwrap_or(b""));
        }
        // Partial, and any outcome added to the core later: wait for more.
        _ => {}
    }
    out.write(r);
}

/// A client's opening handshake request as parsed by
/// `wsframe_server_request_parse`. Text fields borrow from the request
/// buffer (not NUL-terminated; (NULL, 0) when absent) and are valid while
/// that buffer is unchanged.
///
/// # Examples
///
/// ```c
/// wsframe_server_request req; // borrows from in[0..have]
/// if (wsframe_server_request_parse(in, have, 0, &req) == WSFRAME_RESULT_OK && req.complete)
///     printf("GET %.*s, Origin: %.*s\n", (int)req.path_len, req.path, (int)req.origin_len, req.origin);
/// ```
#[repr(C)]
#[derive(Debug, Clone, Copy)]
pub struct wsframe_server_request {
    /// False: the head is incomplete; read more and parse again with all the
    /// bytes so far. The other fields are then zero.
    pub complete: bool,
    /// Length of the request head. Bytes after it are already WebSocket
    /// frames: give them to the connection or session.
    pub consumed: usize,
    /// The request-target as sent, usually the resource name ("/chat?x=1").
    pub path: *const c_char,
    /// Bytes at `path`.
    pub path_len: usize,
    /// The Host header (checking it names this server is the application's job).
    pub host: *const c_char,
    /// Bytes at `host`.
    pub host_len: usize,
    /// The Sec-WebSocket-Key header: pass it to `wsframe_server_write_accept`.
    pub key: *const c_char,
    /// Bytes at `key`.
    pub key_len: usize,
    /// The Origin header (RFC 6455 §10.2: refuse unwanted origins with 403).
    pub origin: *const c_char,
    /// Bytes at `origin`.
    pub origin_len: usize,
    /// The first Sec-WebSocket-Protocol header as sent; use
    /// `wsframe_server_request_protocol` to walk all offered subprotocols.
    pub protocols: *const c_char,
    /// Bytes at `protocols`.
    pub protocols_len: usize,
    /// The first Sec-WebSocket-Extensions header as sent;
    /// `wsframe_deflate_config_negotiate` reads all of them.
    pub extensions: *const c_char,
    /// Bytes at `extensions`.
    pub extensions_len: usize,
    /// Private: the request head (`consumed` bytes), for the accessor
    /// functions, which look fields up in it again without parsing it again.
    pub _input: *const u8,
}

// SAFETY: `complete` is the one bool; the rest are integers and pointers.
unsafe impl FromC for wsframe_server_request {
    const FLAGS: &'static [usize] = &[offset_of!(Self, complete)];
}

/// Parses and validates a client's opening handshake (RFC 6455 §4.2.1):
/// GET, HTTP/1.1+, one non-empty Host, Upgrade: websocket, Connection:
/// Upgrade, Sec-WebSocket-Version: 13, a Sec-WebSocket-Key of 16 base64
/// bytes, subprotocols that are tokens.
///
/// `input` is everything read so far; `max_size` bounds the head (0 means
/// `WSFRAME_DEFAULT_MAX_HANDSHAKE`). On OK with `complete` false, read more.
/// Then judge origin, host, path and subprotocols, and answer with
/// `wsframe_server_write_accept` or `wsframe_server_write_reject`.
///
/// Results: OK (see `*request_out`); NULL_POINTER; INVALID_ARGUMENT
/// (`request_out` inside `input`); a HANDSHAKE_* error for a request that
/// fails a check: answer with
/// `wsframe_server_write_reject(wsframe_result_http_status(result), ...)`
/// and close the socket. `*request_out` is written on OK.
///
/// # Safety
///
/// `input` NULL or valid for reads of `len` bytes (and unchanged for as long
/// as `*request_out` is used); `request_out` NULL or valid for one write.
///
/// # Examples
///
/// ```c
/// have += read_some(fd, in + have, sizeof in - have);
/// r = wsframe_server_request_parse(in, have, 0, &req);
/// if (r != WSFRAME_RESULT_OK) { // a bad request: refuse it
///     if (wsframe_server_write_reject(wsframe_result_http_status(r), out, sizeof out, &n) == WSFRAME_RESULT_OK)
///         write_all(fd, out, n);
///     close_socket(fd);
/// } // else, unless req.complete: read more and parse all of it again
/// ```
#[unsafe(no_mangle)]
pub unsafe extern "C" fn wsframe_server_request_parse(
    input: *const u8,
    len: usize,
    max_size: usize,
    request_out: *mut wsframe_server_request,
) -> wsframe_result {
    guard(|| {
        // SAFETY: caller contract, for each pointer; checked disjoint.
        let (out, bytes) = unsafe { raw::args((Put(request_out), In(input, len))) }?;
        let mut r: wsframe_server_request = raw::zeroed();
        let max = max_or_default(max_size);
        if let Some(req) = handshake::parse_request(bytes, max).map_err(from_handshake)? {
            let protocols = req.header("Sec-WebSocket-Protocol").unwrap_or_default();
            (r.complete, r.consumed) = (true, req.consumed());
            (r.path, r.path_len) = c_text(req.path().as_bytes());
            (r.host, r.host_len) = c_text(req.host());
            (r.key, r.key_len) = c_text(req.key());
            (r.origin, r.origin_len) = c_text(req.origin().unwrap_or_default());
            (r.protocols, r.protocols_len) = c_text(protocols);
            (r.extensions, r.extensions_len) = c_text(req.extensions().next().unwrap_or_default());
            r._input = bytes.as_ptr();
        }
        out.done(r)
    })
}

/// The head `req` was parsed from, to look fields up in (a line scan, no
/// re-parse), once the call's other arguments `args` were found disjoint
/// from `*req` and the head where they write (so outputs cannot land in the
/// request they describe).
///
/// # Safety
///
/// `req` NULL or valid for reads, its buffer still valid and unchanged;
/// `args` as their function's `# Safety` says.
pub(crate) unsafe fn head<'a, A: raw::Arg>(
    req: *const wsframe_server_request,
    args: A,
) -> Result<(RequestHead<'a>, A::Value<'a>), wsframe_result> {
    // SAFETY: caller contract: NULL or a readable wsframe_server_request.
    let (r,) = unsafe { raw::args((Val(req),)) }?;
    let (request, head) = (Span::of(req), Span::bytes(r._input, r.consumed));
    // SAFETY: caller contract; checked disjoint.
    let (_, _, values) = unsafe { raw::args((Region(request, false), Region(head, false), args)) }?;
    if !r.complete || r._input.is_null() {
        return Err(WSFRAME_RESULT_INVALID_ARGUMENT);
    }
    // SAFETY: caller contract: the head it was parsed from, unchanged.
    let (head,) = unsafe { raw::args((In(r._input, r.consumed),)) }?;
    Ok((RequestHead::new(head), values))
}

/// The `index`-th subprotocol the client offered (RFC 6455 §4.2.1), in its
/// order of preference, across all Sec-WebSocket-Protocol headers; (NULL, 0)
/// past the last. The server selects at most one and passes it to
/// `wsframe_server_write_accept`. Borrows from the request buffer.
///
/// Results: OK; NULL_POINTER; INVALID_ARGUMENT (`req` is not a complete
/// parse, or its buffer changed; an output overlapping the other, `*req` or
/// the request buffer). Outputs are written on OK.
///
/// # Safety
///
/// `req` NULL or valid for reads, from a successful
/// `wsframe_server_request_parse` whose buffer is still valid and unchanged;
/// the out pointers NULL or valid for one write.
///
/// # Examples
///
/// ```c
/// const char *p = NULL;
/// size_t p_len = 0;
/// for (size_t i = 0; wsframe_server_request_protocol(&req, i, &p, &p_len) == WSFRAME_RESULT_OK && p != NULL; i++)
///     if (p_len == 7 && memcmp(p, "chat.v2", 7) == 0)
///         break; // select it: pass (p, p_len) to wsframe_server_write_accept
/// ```
#[unsafe(no_mangle)]
pub unsafe extern "C" fn wsframe_server_request_protocol(
    req: *const wsframe_server_request,
    index: usize,
    protocol_out: *mut *const c_char,
    len_out: *mut usize,
) -> wsframe_result {
    guard(|| {
        // SAFETY: caller contract, for each pointer; checked disjoint.
        let (req, (ptr_out, len_out)) = unsafe { head(req, (Put(protocol_out), Put(len_out))) }?;
        let (p, n) = c_text(req.protocols().nth(index).unwrap_or("").as_bytes());
        ptr_out.write(p);
        len_out.done(n)
    })
}

/// The first value of header `name` (ASCII case-insensitive) in the
/// request, trimmed; (NULL, 0) if absent. Borrows from the request buffer.
///
/// Results: OK; NULL_POINTER; INVALID_UTF8 (`name`); INVALID_ARGUMENT (as
/// for `wsframe_server_request_protocol`, and outputs overlapping `name`).
/// Outputs are written on OK.
///
/// # Safety
///
/// As for `wsframe_server_request_protocol`; `name` NULL or valid for reads
/// of `name_len` bytes.
///
/// # Examples
///
/// ```c
/// const char *cookie;
/// size_t cookie_len;
/// if (wsframe_server_request_header(&req, "Cookie", 6, &cookie, &cookie_len) == WSFRAME_RESULT_OK && cookie != NULL)
///     printf("Cookie: %.*s\n", (int)cookie_len, cookie);
/// ```
#[unsafe(no_mangle)]
pub unsafe extern "C" fn wsframe_server_request_header(
    req: *const wsframe_server_request,
    name: *const c_char,
    name_len: usize,
    value_out: *mut *const c_char,
    len_out: *mut usize,
) -> wsframe_result {
    guard(|| {
        let args = (Put(value_out), Put(len_out), Text(name, name_len));
        // SAFETY: caller contract, for each pointer; checked disjoint.
        let (req, (ptr_out, len_out, name)) = unsafe { head(req, args) }?;
        let (p, n) = c_text(req.header(name.unwrap_or_default()).unwrap_or(b""));
        ptr_out.write(p);
        len_out.done(n)
    })
}

/// Writes the server's acceptance (RFC 6455 §4.2.2): `HTTP/1.1 101
/// Switching Protocols`, Upgrade, Connection, the Sec-WebSocket-Accept for
/// `key` (the request's `key`/`key_len`), the selected subprotocol if any,
/// the accepted extensions if any, and extra header lines ("Name: value",
/// CRLF or LF separated, as for `wsframe_client_handshake_write`).
///
/// `protocol` must be one the client offered, or (NULL, 0) for none.
/// `extensions` is the `Sec-WebSocket-Extensions` answer, for instance the
/// response `wsframe_deflate_config_negotiate` wrote, or (NULL, 0) for none
/// (RFC 6455 §4.2.2, §9.1). Then create a server session or connection.
///
/// `out` must be a buffer of its own: not the request buffer that `key` and
/// a selected `protocol` point into (the answer would overwrite them while
/// they are read), nor any other input. Such overlap is refused with
/// INVALID_ARGUMENT.
///
/// Results: OK; INSUFFICIENT_SIZE (`*written_out` = bytes needed);
/// NULL_POINTER; INVALID_UTF8; INVALID_ARGUMENT (a header line without ':',
/// too many lines, overlapping buffers); HANDSHAKE_INVALID_PROTOCOL,
/// _INVALID_HEADER_NAME, _INVALID_HEADER_VALUE (also for control characters
/// in `extensions`), _RESERVED_HEADER.
///
/// # Safety
///
/// Each (pointer, length) pair NULL or valid for reads of that many bytes;
/// `out` NULL or valid for writes of `out_len` bytes; `written_out` NULL or
/// valid for one write.
///
/// # Examples
///
/// ```c
/// const char *extra = "Set-Cookie: id=7"; // optional extra header lines
/// r = wsframe_server_write_accept(req.key, req.key_len, NULL, 0, NULL, 0, extra, strlen(extra),
///                                 out, sizeof out, &n); // `out`: not the request buffer
/// if (r == WSFRAME_RESULT_OK) {
///     write_all(fd, out, n);
///     r = wsframe_session_new(WSFRAME_ROLE_SERVER, &config, &session);
/// }
/// ```
#[unsafe(no_mangle)]
pub unsafe extern "C" fn wsframe_server_write_accept(
    key: *const c_char,
    key_len: usize,
    protocol: *const c_char,
    protocol_len: usize,
    extensions: *const c_char,
    extensions_len: usize,
    headers: *const c_char,
    headers_len: usize,
    out: *mut u8,
    out_len: usize,
    written_out: *mut usize,
) -> wsframe_result {
    guard(|| {
        let outs = (Put(written_out), InOut(out, out_len), In(key, key_len));
        let texts = (
            Text(protocol, protocol_len),
            Text(extensions, extensions_len),
            Text(headers, headers_len),
        );
        // SAFETY: caller contract, for each pointer; checked disjoint.
        let ((written, out, key), (protocol, extensions, headers)) =
            unsafe { raw::args((outs, texts)) }?;
        let mut pairs = [("", ""); WSFRAME_MAX_EXTRA_HEADERS];
        let pairs = lines(headers, &mut pairs)?;
        report(handshake::write_accept(key, protocol, extensions, pairs, out), written)
    })
}

/// Writes a complete HTTP error response refusing the handshake: status
/// line, `Connection: close`, a short text body (plus `Upgrade` and
/// `Sec-WebSocket-Version: 13` for 426, `Allow: GET` for 405). Close the
/// socket after sending it. For a failed parse, `status` is
/// `wsframe_result_http_status(result)`.
///
/// Results: OK; INSUFFICIENT_SIZE (`*written_out` = bytes needed);
/// NULL_POINTER; INVALID_ARGUMENT (`written_out` inside `out`);
/// HANDSHAKE_INVALID_STATUS (not 300-599).
///
/// # Safety
///
/// `out` NULL or valid for writes of `out_len` bytes; `written_out` NULL or
/// valid for one write.
///
/// # Examples
///
/// ```c
/// // Refuse an unwanted Origin (RFC 6455 §10.2) with 403 Forbidden.
/// if (wsframe_server_write_reject(403, out, sizeof out, &n) == WSFRAME_RESULT_OK)
///     write_all(fd, out, n);
/// close_socket(fd);
/// ```
#[unsafe(no_mangle)]
pub unsafe extern "C" fn wsframe_server_write_reject(
    status: u16,
    out: *mut u8,
    out_len: usize,
    written_out: *mut usize,
) -> wsframe_result {
    guard(|| {
        // SAFETY: caller contract, for each pointer; checked disjoint.
        let (written, out) = unsafe { raw::args((Put(written_out), InOut(out, out_len))) }?;
        report(handshake::write_reject(status, out), written)
    })
}
