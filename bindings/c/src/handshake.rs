//! The opening handshake (RFC 6455 §4): URL parsing, the client's request
//! and response check, the server's request parsing, acceptance and
//! rejection. Everything borrows from caller buffers; nothing is allocated.

use core::ffi::{CStr, c_char};
use core::mem::size_of;

use wsframe::handshake::{
    self, Accepted, ClientRequest, DEFAULT_MAX_HANDSHAKE, HandshakeError, Request, Response,
};

use crate::guard::{guard, guard_value};
use crate::random::Source;
use crate::raw::{self, Out, Tagged};
use crate::result::wsframe_result::{self, *};

/// Length of a `Sec-WebSocket-Accept` value (base64 of a SHA-1 digest).
pub const WSFRAME_ACCEPT_KEY_LEN: usize = 28;
/// Length of a `Sec-WebSocket-Key` value (base64 of a 16-byte nonce).
pub const WSFRAME_KEY_LEN: usize = 24;
/// Bytes of random nonce behind a `Sec-WebSocket-Key` (RFC 6455 §4.1).
pub const WSFRAME_NONCE_LEN: usize = 16;
/// The default limit on a handshake head, used when a `max_size` argument is 0.
pub const WSFRAME_DEFAULT_MAX_HANDSHAKE: usize = 8192;
/// Most bytes of the subprotocol list a client may offer (the `protocols`
/// argument of `wsframe_client_handshake_write`).
pub const WSFRAME_CLIENT_MAX_PROTOCOLS_LEN: usize = 256;
/// Most subprotocols a client may offer.
pub const WSFRAME_CLIENT_MAX_PROTOCOLS: usize = 16;
/// Most bytes of distinct extension names a client may offer (the names in
/// the `extensions` argument of `wsframe_client_handshake_write_ext`, joined
/// by commas): `permessage-deflate` takes 18.
pub const WSFRAME_CLIENT_MAX_EXTENSION_NAMES_LEN: usize = 32;
/// Most extra header lines a request or acceptance may carry.
pub const WSFRAME_MAX_EXTRA_HEADERS: usize = 16;

const _: () = assert!(WSFRAME_DEFAULT_MAX_HANDSHAKE == DEFAULT_MAX_HANDSHAKE);

/// Every handshake code, with the core error it stands for.
const TABLE: &[(wsframe_result, HandshakeError, &CStr)] = &[
    (
        WSFRAME_RESULT_HANDSHAKE_TOO_LARGE,
        HandshakeError::TooLarge,
        c"handshake exceeds the size limit",
    ),
    (
        WSFRAME_RESULT_HANDSHAKE_TOO_MANY_HEADERS,
        HandshakeError::TooManyHeaders,
        c"too many header fields",
    ),
    (
        WSFRAME_RESULT_HANDSHAKE_MALFORMED_HTTP,
        HandshakeError::MalformedHttp,
        c"malformed HTTP message head",
    ),
    (
        WSFRAME_RESULT_HANDSHAKE_HTTP_VERSION,
        HandshakeError::HttpVersion,
        c"HTTP/1.1 or higher required",
    ),
    (WSFRAME_RESULT_HANDSHAKE_NOT_GET, HandshakeError::NotGet, c"request method is not GET"),
    (WSFRAME_RESULT_HANDSHAKE_MISSING_HOST, HandshakeError::MissingHost, c"missing Host header"),
    (
        WSFRAME_RESULT_HANDSHAKE_DUPLICATE_HEADER,
        HandshakeError::DuplicateHeader,
        c"header must appear only once",
    ),
    (
        WSFRAME_RESULT_HANDSHAKE_MISSING_UPGRADE,
        HandshakeError::MissingUpgrade,
        c"missing Upgrade: websocket header",
    ),
    (
        WSFRAME_RESULT_HANDSHAKE_MISSING_CONNECTION_UPGRADE,
        HandshakeError::MissingConnectionUpgrade,
        c"missing Connection: Upgrade header",
    ),
    (
        WSFRAME_RESULT_HANDSHAKE_MISSING_KEY,
        HandshakeError::MissingKey,
        c"missing Sec-WebSocket-Key header",
    ),
    (
        WSFRAME_RESULT_HANDSHAKE_INVALID_KEY,
        HandshakeError::InvalidKey,
        c"Sec-WebSocket-Key is not 16 base64-encoded bytes",
    ),
    (
        WSFRAME_RESULT_HANDSHAKE_UNSUPPORTED_VERSION,
        HandshakeError::UnsupportedVersion,
        c"Sec-WebSocket-Version missing or not 13",
    ),
    (
        WSFRAME_RESULT_HANDSHAKE_INVALID_PROTOCOL,
        HandshakeError::InvalidProtocol,
        c"invalid subprotocol name",
    ),
    (
        WSFRAME_RESULT_HANDSHAKE_BAD_ACCEPT,
        HandshakeError::BadAccept,
        c"missing or wrong Sec-WebSocket-Accept",
    ),
    (
        WSFRAME_RESULT_HANDSHAKE_UNEXPECTED_PROTOCOL,
        HandshakeError::UnexpectedProtocol,
        c"server selected a subprotocol that was not offered",
    ),
    (
        WSFRAME_RESULT_HANDSHAKE_UNEXPECTED_EXTENSION,
        HandshakeError::UnexpectedExtension,
        c"server selected an extension that was not offered",
    ),
    (WSFRAME_RESULT_HANDSHAKE_INVALID_URI, HandshakeError::InvalidUri, c"invalid WebSocket URI"),
    (
        WSFRAME_RESULT_HANDSHAKE_UNSUPPORTED_SCHEME,
        HandshakeError::UnsupportedScheme,
        c"URI scheme is not ws or wss",
    ),
    (
        WSFRAME_RESULT_HANDSHAKE_FRAGMENT_IN_URI,
        HandshakeError::FragmentInUri,
        c"WebSocket URIs must not have a fragment",
    ),
    (WSFRAME_RESULT_HANDSHAKE_INVALID_PORT, HandshakeError::InvalidPort, c"invalid port in URI"),
    (
        WSFRAME_RESULT_HANDSHAKE_INVALID_HEADER_NAME,
        HandshakeError::InvalidHeaderName,
        c"header name is not an HTTP token",
    ),
    (
        WSFRAME_RESULT_HANDSHAKE_INVALID_HEADER_VALUE,
        HandshakeError::InvalidHeaderValue,
        c"header value is empty or contains control characters",
    ),
    (
        WSFRAME_RESULT_HANDSHAKE_RESERVED_HEADER,
        HandshakeError::ReservedHeader,
        c"header is written by the handshake itself",
    ),
    (
        WSFRAME_RESULT_HANDSHAKE_INVALID_STATUS,
        HandshakeError::InvalidStatus,
        c"rejection status must be in 300..=599",
    ),
];

fn from_error(e: HandshakeError) -> wsframe_result {
    if let HandshakeError::InsufficientSize { .. } = e {
        return WSFRAME_RESULT_INSUFFICIENT_SIZE;
    }
    TABLE.iter().find(|(_, err, _)| *err == e).map_or(WSFRAME_RESULT_HANDSHAKE_ERROR, |t| t.0)
}

/// The core's error for a handshake code.
fn to_error(code: u32) -> Option<HandshakeError> {
    TABLE.iter().find(|(c, _, _)| *c as u32 == code).map(|t| t.1)
}

/// The description of a handshake code, if it is one.
pub(crate) fn describe(code: u32) -> Option<&'static CStr> {
    if code == WSFRAME_RESULT_HANDSHAKE_ERROR as u32 {
        return Some(c"handshake failed");
    }
    TABLE.iter().find(|(c, _, _)| *c as u32 == code).map(|t| t.2)
}

/// Writes a handshake output: the length on success, the required size on
/// INSUFFICIENT_SIZE.
fn report(r: Result<usize, HandshakeError>, written: Out<'_, usize>) -> Result<(), wsframe_result> {
    match r {
        Ok(n) => {
            written.write(n);
            Ok(())
        }
        Err(HandshakeError::InsufficientSize { required }) => {
            written.write(required);
            Err(WSFRAME_RESULT_INSUFFICIENT_SIZE)
        }
        Err(e) => Err(from_error(e)),
    }
}

/// A `(ptr, len)` text argument from C: `(NULL, 0)` is `None` when
/// `optional`, else the empty string; it must be UTF-8.
///
/// # Safety
///
/// `ptr` NULL or valid for reads of `len` bytes for `'a`.
unsafe fn text<'a>(ptr: *const c_char, len: usize) -> Result<&'a str, wsframe_result> {
    // SAFETY: caller contract.
    let bytes = unsafe { raw::slice(ptr.cast(), len) }?;
    core::str::from_utf8(bytes).map_err(|_| WSFRAME_RESULT_INVALID_UTF8)
}

/// As [`text`], `None` for `(NULL, 0)`.
///
/// # Safety
///
/// As for [`text`].
unsafe fn opt_text<'a>(ptr: *const c_char, len: usize) -> Result<Option<&'a str>, wsframe_result> {
    if ptr.is_null() && len == 0 {
        return Ok(None);
    }
    // SAFETY: caller contract.
    unsafe { text(ptr, len) }.map(Some)
}

/// Splits "Name: value" lines (CRLF or LF separated, a final newline
/// optional) into pairs. The core checks names and values.
fn header_lines<'a>(
    block: &'a str,
    pairs: &mut [(&'a str, &'a str); WSFRAME_MAX_EXTRA_HEADERS],
) -> Result<usize, wsframe_result> {
    let mut n = 0;
    for line in block.split('\n') {
        let line = line.strip_suffix('\r').unwrap_or(line);
        if line.is_empty() {
            continue;
        }
        let (name, value) = line.split_once(':').ok_or(WSFRAME_RESULT_INVALID_ARGUMENT)?;
        let slot = pairs.get_mut(n).ok_or(WSFRAME_RESULT_INVALID_ARGUMENT)?;
        *slot = (name, value.trim_matches([' ', '\t']));
        n += 1;
    }
    Ok(n)
}

/// Splits a comma-separated subprotocol list ("chat, superchat").
fn protocol_list<'a>(
    list: &'a str,
    out: &mut [&'a str; WSFRAME_CLIENT_MAX_PROTOCOLS],
) -> Result<usize, wsframe_result> {
    let mut n = 0;
    if list.trim().is_empty() {
        return Ok(0);
    }
    for p in list.split(',') {
        let slot = out.get_mut(n).ok_or(WSFRAME_RESULT_INVALID_ARGUMENT)?;
        *slot = p.trim_matches([' ', '\t']);
        n += 1;
    }
    Ok(n)
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
/// Writes 28 bytes (no NUL) to `out` and 28 to `*written_out`.
///
/// Results: OK; INSUFFICIENT_SIZE (`out_len` < 28; `*written_out` = 28);
/// NULL_POINTER.
///
/// # Safety
///
/// `key` NULL or valid for reads of `key_len` bytes; `out` NULL or valid for
/// writes of `out_len` bytes; `written_out` NULL or valid for one write.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn wsframe_accept_key(
    key: *const u8,
    key_len: usize,
    out: *mut u8,
    out_len: usize,
    written_out: *mut usize,
) -> wsframe_result {
    guard(|| {
        // SAFETY: caller contract, for each pointer.
        let written = unsafe { raw::out(written_out) }?;
        // SAFETY: as above.
        let key = unsafe { raw::slice(key, key_len) }?;
        // SAFETY: as above.
        let out = unsafe { raw::slice_mut(out, out_len) }?;
        let accept = handshake::accept_key(key);
        let Some(dst) = out.get_mut(..accept.len()) else {
            written.write(accept.len());
            return Err(WSFRAME_RESULT_INSUFFICIENT_SIZE);
        };
        dst.copy_from_slice(&accept);
        written.write(accept.len());
        Ok(())
    })
}

/// The parts of a ws:// or wss:// URL (RFC 6455 §3), borrowing from the
/// caller's URL string: valid as long as it is.
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
/// Results: OK; NULL_POINTER; INVALID_UTF8; HANDSHAKE_INVALID_URI,
/// HANDSHAKE_UNSUPPORTED_SCHEME, HANDSHAKE_FRAGMENT_IN_URI,
/// HANDSHAKE_INVALID_PORT. `*url_out` is written on OK.
///
/// # Safety
///
/// `url` NULL or valid for reads of `url_len` bytes (and, for the pointers
/// in `*url_out` to be usable, for as long as they are used); `url_out` NULL
/// or valid for one write.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn wsframe_url_parse(
    url: *const c_char,
    url_len: usize,
    url_out: *mut wsframe_url,
) -> wsframe_result {
    guard(|| {
        // SAFETY: caller contract.
        let out = unsafe { raw::out(url_out) }?;
        // SAFETY: caller contract.
        let url = unsafe { text(url, url_len) }?;
        let req = ClientRequest::new(url).map_err(from_error)?;
        let resource = req.resource();
        let (host, host_len) = c_text(req.host().as_bytes());
        let (path, path_len) = c_text(resource.path().as_bytes());
        let (query, query_len) = c_text(resource.query().unwrap_or("").as_bytes());
        out.write(wsframe_url {
            host,
            host_len,
            port: req.port(),
            secure: req.is_secure(),
            path,
            path_len,
            query,
            query_len,
        });
        Ok(())
    })
}

/// What a client keeps between writing its request and checking the
/// server's response: the nonce behind its key and the subprotocols and
/// extension names it offered. Caller-allocated, filled by
/// `wsframe_client_handshake_write` or `_write_ext`; contents private; no
/// cleanup needed.
#[repr(C)]
#[derive(Debug, Clone, Copy)]
pub struct wsframe_client_handshake {
    /// Private state; do not touch.
    pub _private: [u64; 40],
}

#[derive(Debug, Clone, Copy)]
struct ClientState {
    nonce: [u8; WSFRAME_NONCE_LEN],
    protocols_len: u16,
    protocols: [u8; WSFRAME_CLIENT_MAX_PROTOCOLS_LEN],
    /// The names of the offered extensions, comma-separated: all the core
    /// needs to check that the server accepted only offered ones.
    extensions_len: u8,
    extensions: [u8; WSFRAME_CLIENT_MAX_EXTENSION_NAMES_LEN],
}

impl ClientState {
    fn protocols(&self) -> Result<&str, wsframe_result> {
        let bytes = self.protocols.get(..usize::from(self.protocols_len)).unwrap_or_default();
        core::str::from_utf8(bytes).map_err(|_| WSFRAME_RESULT_INVALID_HANDLE)
    }

    fn extensions(&self) -> Result<Option<&str>, wsframe_result> {
        let bytes = self.extensions.get(..usize::from(self.extensions_len)).unwrap_or_default();
        let names = core::str::from_utf8(bytes).map_err(|_| WSFRAME_RESULT_INVALID_HANDLE)?;
        Ok((!names.is_empty()).then_some(names))
    }
}

/// The distinct extension names of an offer, comma-separated, into `out`.
fn extension_names(
    offer: &str,
    out: &mut [u8; WSFRAME_CLIENT_MAX_EXTENSION_NAMES_LEN],
) -> Result<u8, wsframe_result> {
    let mut len = 0usize;
    for ext in wsframe::extensions::parse_extensions(offer.as_bytes()) {
        let name = ext.name().as_bytes();
        let seen = out.get(..len).unwrap_or_default();
        if seen.split(|&b| b == b',').any(|n| n.eq_ignore_ascii_case(name)) {
            continue;
        }
        let start = if len == 0 { 0 } else { len + 1 };
        let dst = out.get_mut(start..start + name.len()).ok_or(WSFRAME_RESULT_INVALID_ARGUMENT)?;
        dst.copy_from_slice(name);
        if start > 0 {
            *out.get_mut(len).ok_or(WSFRAME_RESULT_INVALID_ARGUMENT)? = b',';
        }
        len = start + name.len();
    }
    u8::try_from(len).map_err(|_| WSFRAME_RESULT_INVALID_ARGUMENT)
}

const CLIENT_TAG: u64 = u64::from_be_bytes(*b"wsfrClHs");

const _: () = assert!(size_of::<Tagged<ClientState>>() <= size_of::<wsframe_client_handshake>());

/// Writes a client's opening handshake request (RFC 6455 §4.1) for `url`
/// into `out`, and the state to check the response with into `*hs`.
///
/// - `url`: ws:// or wss:// URL (wss means the caller runs TLS).
/// - `origin`: the Origin header, or (NULL, 0) for none.
/// - `protocols`: subprotocols to offer, comma-separated in order of
///   preference ("chat.v2, chat"), or (NULL, 0); at most
///   `WSFRAME_CLIENT_MAX_PROTOCOLS` names in `WSFRAME_CLIENT_MAX_PROTOCOLS_LEN` bytes.
/// - `headers`: extra header lines, "Name: value" separated by CRLF or LF
///   (at most `WSFRAME_MAX_EXTRA_HEADERS`), or (NULL, 0). Names must be
///   tokens and values free of control characters (no header injection);
///   headers the handshake writes itself are refused.
/// - `nonce`: 16 fresh random bytes for the key (RFC 6455 §4.1, §10.3), or
///   NULL to draw them from the OS (NO_RANDOM in builds without `std`).
///
/// On OK, send `out[0..*written_out]`, then read the response and pass it to
/// `wsframe_client_handshake_check`.
///
/// Results: OK; INSUFFICIENT_SIZE (`*written_out` = bytes needed; `*hs` not
/// written); NULL_POINTER; INVALID_UTF8; INVALID_ARGUMENT (`nonce_len` not
/// 16, a header line without ':', too many entries); NO_RANDOM;
/// RANDOM_FAILED; HANDSHAKE_INVALID_URI, _UNSUPPORTED_SCHEME,
/// _FRAGMENT_IN_URI, _INVALID_PORT, _INVALID_PROTOCOL,
/// _INVALID_HEADER_NAME, _INVALID_HEADER_VALUE, _RESERVED_HEADER.
///
/// # Safety
///
/// Each (pointer, length) pair NULL or valid for reads of that many bytes
/// (`nonce`: `nonce_len`); `out` NULL or valid for writes of `out_len`
/// bytes; `hs` and `written_out` NULL or valid for one write; `out` must not
/// overlap the inputs.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn wsframe_client_handshake_write(
    hs: *mut wsframe_client_handshake,
    url: *const c_char,
    url_len: usize,
    origin: *const c_char,
    origin_len: usize,
    protocols: *const c_char,
    protocols_len: usize,
    headers: *const c_char,
    headers_len: usize,
    nonce: *const u8,
    nonce_len: usize,
    out: *mut u8,
    out_len: usize,
    written_out: *mut usize,
) -> wsframe_result {
    guard(|| {
        // SAFETY: caller contract, forwarded; no extensions.
        unsafe {
            client_write(
                hs,
                [(url, url_len), (origin, origin_len), (protocols, protocols_len)],
                (core::ptr::null(), 0),
                (headers, headers_len),
                (nonce, nonce_len),
                (out, out_len, written_out),
            )
        }
    })
}

/// As `wsframe_client_handshake_write`, also offering extensions:
/// `extensions` is the `Sec-WebSocket-Extensions` value, for instance from
/// `wsframe_deflate_config_write_offer`, or (NULL, 0) for none. Its distinct
/// extension names, joined by commas, may take at most
/// `WSFRAME_CLIENT_MAX_EXTENSION_NAMES_LEN` bytes; they are kept in `*hs`
/// so that `wsframe_client_handshake_check` accepts a response naming them.
///
/// Results: as for `wsframe_client_handshake_write`; INVALID_ARGUMENT also
/// for too many extension names; HANDSHAKE_INVALID_HEADER_VALUE for control
/// characters in `extensions`.
///
/// # Safety
///
/// As for `wsframe_client_handshake_write`, with `extensions` NULL or valid
/// for reads of `extensions_len` bytes.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn wsframe_client_handshake_write_ext(
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
        // SAFETY: caller contract, forwarded.
        unsafe {
            client_write(
                hs,
                [(url, url_len), (origin, origin_len), (protocols, protocols_len)],
                (extensions, extensions_len),
                (headers, headers_len),
                (nonce, nonce_len),
                (out, out_len, written_out),
            )
        }
    })
}

/// The body of the client request writers.
///
/// # Safety
///
/// The pointers as documented on `wsframe_client_handshake_write_ext`.
unsafe fn client_write(
    hs: *mut wsframe_client_handshake,
    [(url, url_len), (origin, origin_len), (protocols, protocols_len)]: [(*const c_char, usize); 3],
    (extensions, extensions_len): (*const c_char, usize),
    (headers, headers_len): (*const c_char, usize),
    (nonce, nonce_len): (*const u8, usize),
    (out, out_len, written_out): (*mut u8, usize, *mut usize),
) -> Result<(), wsframe_result> {
    if hs.is_null() {
        return Err(WSFRAME_RESULT_NULL_POINTER);
    }
    // SAFETY: caller contract, for each pointer.
    let written = unsafe { raw::out(written_out) }?;
    // SAFETY: as above.
    let url = unsafe { text(url, url_len) }?;
    // SAFETY: as above.
    let origin = unsafe { opt_text(origin, origin_len) }?;
    // SAFETY: as above.
    let protocols = unsafe { text(protocols, protocols_len) }?;
    // SAFETY: as above.
    let extensions = unsafe { opt_text(extensions, extensions_len) }?;
    // SAFETY: as above.
    let headers = unsafe { text(headers, headers_len) }?;
    // SAFETY: as above.
    let out = unsafe { raw::slice_mut(out, out_len) }?;

    let nonce = if nonce.is_null() && nonce_len == 0 {
        let mut fresh = [0u8; WSFRAME_NONCE_LEN];
        Source::default_for_build().fill(&mut fresh)?;
        fresh
    } else {
        // SAFETY: as above.
        let given = unsafe { raw::slice(nonce, nonce_len) }?;
        given.try_into().map_err(|_| WSFRAME_RESULT_INVALID_ARGUMENT)?
    };

    let mut state = ClientState {
        nonce,
        protocols_len: u16::try_from(protocols.len())
            .map_err(|_| WSFRAME_RESULT_INVALID_ARGUMENT)?,
        protocols: [0; WSFRAME_CLIENT_MAX_PROTOCOLS_LEN],
        extensions_len: 0,
        extensions: [0; WSFRAME_CLIENT_MAX_EXTENSION_NAMES_LEN],
    };
    state
        .protocols
        .get_mut(..protocols.len())
        .ok_or(WSFRAME_RESULT_INVALID_ARGUMENT)?
        .copy_from_slice(protocols.as_bytes());
    if let Some(offer) = extensions {
        state.extensions_len = extension_names(offer, &mut state.extensions)?;
    }

    let mut names = [""; WSFRAME_CLIENT_MAX_PROTOCOLS];
    let n_names = protocol_list(protocols, &mut names)?;
    let mut pairs = [("", ""); WSFRAME_MAX_EXTRA_HEADERS];
    let n_pairs = header_lines(headers, &mut pairs)?;

    let mut req = ClientRequest::new(url).map_err(from_error)?;
    if let Some(origin) = origin {
        req = req.origin(origin);
    }
    if let Some(offer) = extensions {
        req = req.extensions(offer);
    }
    let names = names.get(..n_names).unwrap_or_default();
    let pairs = pairs.get(..n_pairs).unwrap_or_default();
    let r = req.protocols(names).headers(pairs).write(nonce, out).map(|h| h.request_len());
    report(r, written)?;
    // SAFETY: `hs` is non-NULL and the caller's struct, large and aligned
    // enough for the state (checked at compile time and by init_tagged).
    unsafe {
        raw::init_tagged(
            hs.cast(),
            size_of::<wsframe_client_handshake>(),
            Tagged::new(CLIENT_TAG, state),
        )
    }?;
    Ok(())
}

/// The server's answer to a client's request, borrowing from the response
/// buffer given to `wsframe_client_handshake_check` (valid as long as it is
/// unchanged).
#[repr(C)]
#[derive(Debug, Clone, Copy)]
pub struct wsframe_client_response {
    /// False: the head is incomplete; read more and call again with all the
    /// bytes so far. The other fields are then zero.
    pub complete: bool,
    /// True: status 101 and every check passed; the connection is open
    /// (create a client `wsframe_conn`). False with `complete`: the server
    /// refused with `status` (follow `location` for a 3xx, authenticate for
    /// 401, ...).
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
/// was not written by a successful `wsframe_client_handshake_write`); a
/// HANDSHAKE_* error for a 101 that fails a check, or a malformed or too
/// large head: fail the connection (close the socket). `*response_out` is
/// written on OK.
///
/// # Safety
///
/// `hs` NULL or valid for reads of a `wsframe_client_handshake`; `input` NULL
/// or valid for reads of `len` bytes; `response_out` NULL or valid for one
/// write.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn wsframe_client_handshake_check(
    hs: *const wsframe_client_handshake,
    input: *const u8,
    len: usize,
    max_size: usize,
    response_out: *mut wsframe_client_response,
) -> wsframe_result {
    guard(|| {
        // SAFETY: caller contract, for each pointer.
        let out = unsafe { raw::out(response_out) }?;
        // SAFETY: as above.
        unsafe {
            with_response(hs, input, len, max_size, |response| describe_response(response, out))
        }
    })
}

/// Runs the core's check of a response to the request `*hs` was written for,
/// and hands the outcome to `f`.
///
/// # Safety
///
/// `hs` NULL or valid for reads of a `wsframe_client_handshake`; `input`
/// NULL or valid for reads of `len` bytes.
unsafe fn with_response<T>(
    hs: *const wsframe_client_handshake,
    input: *const u8,
    len: usize,
    max_size: usize,
    f: impl FnOnce(&Response<'_>) -> Result<T, wsframe_result>,
) -> Result<T, wsframe_result> {
    // SAFETY: caller contract; the tag refuses a struct never written.
    let state = unsafe { raw::tagged_ref::<ClientState>(hs.cast(), |t| t == CLIENT_TAG) }?;
    // SAFETY: caller contract.
    let input = unsafe { raw::slice(input, len) }?;

    // The core checks a response with the handshake value its `write`
    // returned, which borrows the offered subprotocols and extensions:
    // rebuild it from the saved nonce, list and extension names (the URL and
    // extra headers do not matter).
    let mut names = [""; WSFRAME_CLIENT_MAX_PROTOCOLS];
    let n = protocol_list(state.protocols()?, &mut names)?;
    let mut scratch = [0u8; 192
        + WSFRAME_CLIENT_MAX_PROTOCOLS_LEN
        + 2 * WSFRAME_CLIENT_MAX_PROTOCOLS
        + 32
        + WSFRAME_CLIENT_MAX_EXTENSION_NAMES_LEN];
    let mut req = ClientRequest::new("ws://h/").map_err(from_error)?;
    if let Some(offered) = state.extensions()? {
        req = req.extensions(offered);
    }
    let hs = req
        .protocols(names.get(..n).unwrap_or_default())
        .write(state.nonce, &mut scratch)
        .map_err(from_error)?;
    let response = hs.check_response(input, max_or_default(max_size)).map_err(from_error)?;
    f(&response)
}

/// As [`with_response`] for a response that must be a complete acceptance
/// (INVALID_ARGUMENT otherwise).
///
/// # Safety
///
/// As for [`with_response`].
pub(crate) unsafe fn with_accepted<T>(
    hs: *const wsframe_client_handshake,
    input: *const u8,
    len: usize,
    max_size: usize,
    f: impl FnOnce(&Accepted<'_>) -> Result<T, wsframe_result>,
) -> Result<T, wsframe_result> {
    // SAFETY: forwarded contract.
    unsafe {
        with_response(hs, input, len, max_size, |response| match response {
            Response::Accepted(ok) => f(ok),
            _ => Err(WSFRAME_RESULT_INVALID_ARGUMENT),
        })
    }
}

/// Fills the C view of a checked response.
fn describe_response(
    response: &Response<'_>,
    out: Out<'_, wsframe_client_response>,
) -> Result<(), wsframe_result> {
    let none = (core::ptr::null(), 0);
    let (complete, accepted, status, consumed, protocol, location) = match response {
        Response::Accepted(ok) => {
            (true, true, 101, ok.consumed(), c_text(ok.protocol().unwrap_or("").as_bytes()), none)
        }
        Response::Rejected(no) => {
            (true, false, no.status(), no.consumed(), none, c_text(no.location().unwrap_or(b"")))
        }
        // Partial, and any outcome added to the core later: wait for more.
        _ => (false, false, 0, 0, none, none),
    };
    out.write(wsframe_client_response {
        complete,
        accepted,
        status,
        consumed,
        protocol: protocol.0,
        protocol_len: protocol.1,
        location: location.0,
        location_len: location.1,
    });
    Ok(())
}

/// A client's opening handshake request as parsed by
/// `wsframe_server_request_parse`. Text fields borrow from the request
/// buffer (not NUL-terminated; (NULL, 0) when absent) and are valid while
/// that buffer is unchanged.
#[repr(C)]
#[derive(Debug, Clone, Copy)]
pub struct wsframe_server_request {
    /// False: the head is incomplete; read more and parse again with all the
    /// bytes so far. The other fields are then zero.
    pub complete: bool,
    /// Length of the request head. Bytes after it are already WebSocket
    /// frames: give them to the connection.
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
    /// Private: the parsed buffer, for the accessor functions.
    pub _input: *const u8,
    /// Private.
    pub _input_len: usize,
    /// Private.
    pub _max_size: usize,
}

impl wsframe_server_request {
    const INCOMPLETE: Self = Self {
        complete: false,
        consumed: 0,
        path: core::ptr::null(),
        path_len: 0,
        host: core::ptr::null(),
        host_len: 0,
        key: core::ptr::null(),
        key_len: 0,
        origin: core::ptr::null(),
        origin_len: 0,
        protocols: core::ptr::null(),
        protocols_len: 0,
        extensions: core::ptr::null(),
        extensions_len: 0,
        _input: core::ptr::null(),
        _input_len: 0,
        _max_size: 0,
    };
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
/// Results: OK (see `*request_out`); NULL_POINTER; a HANDSHAKE_* error for a
/// request that fails a check: answer with
/// `wsframe_server_write_reject(wsframe_result_http_status(result), ...)`
/// and close the socket. `*request_out` is written on OK.
///
/// # Safety
///
/// `input` NULL or valid for reads of `len` bytes (and unchanged for as long
/// as `*request_out` is used); `request_out` NULL or valid for one write.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn wsframe_server_request_parse(
    input: *const u8,
    len: usize,
    max_size: usize,
    request_out: *mut wsframe_server_request,
) -> wsframe_result {
    guard(|| {
        // SAFETY: caller contract, for each pointer.
        let out = unsafe { raw::out(request_out) }?;
        // SAFETY: as above.
        let bytes = unsafe { raw::slice(input, len) }?;
        let max_size = max_or_default(max_size);
        let Some(req) = handshake::parse_request(bytes, max_size).map_err(from_error)? else {
            out.write(wsframe_server_request::INCOMPLETE);
            return Ok(());
        };
        let (path, path_len) = c_text(req.path().as_bytes());
        let (host, host_len) = c_text(req.host());
        let (key, key_len) = c_text(req.key());
        let (origin, origin_len) = c_text(req.origin().unwrap_or(b""));
        let (protocols, protocols_len) =
            c_text(req.header("Sec-WebSocket-Protocol").unwrap_or(b""));
        let (extensions, extensions_len) = c_text(req.extensions().next().unwrap_or(b""));
        out.write(wsframe_server_request {
            complete: true,
            consumed: req.consumed(),
            path,
            path_len,
            host,
            host_len,
            key,
            key_len,
            origin,
            origin_len,
            protocols,
            protocols_len,
            extensions,
            extensions_len,
            _input: bytes.as_ptr(),
            _input_len: bytes.len(),
            _max_size: max_size,
        });
        Ok(())
    })
}

/// Re-parses the request `req` was parsed from.
///
/// # Safety
///
/// `req` NULL or valid for reads; its buffer still valid and unchanged.
unsafe fn reparse<'a>(req: *const wsframe_server_request) -> Result<Request<'a>, wsframe_result> {
    // SAFETY: forwarded contract.
    unsafe { reparse_with_buffer(req) }.map(|(req, _)| req)
}

/// As [`reparse`], also returning the request buffer.
///
/// # Safety
///
/// As for [`reparse`].
pub(crate) unsafe fn reparse_with_buffer<'a>(
    req: *const wsframe_server_request,
) -> Result<(Request<'a>, &'a [u8]), wsframe_result> {
    // SAFETY: caller contract: NULL or a readable wsframe_server_request.
    let r = unsafe { raw::read(req) }?;
    if !r.complete || r._input.is_null() {
        return Err(WSFRAME_RESULT_INVALID_ARGUMENT);
    }
    // SAFETY: caller contract: the buffer it was parsed from is unchanged.
    let bytes = unsafe { raw::slice(r._input, r._input_len) }?;
    match handshake::parse_request(bytes, r._max_size) {
        Ok(Some(req)) => Ok((req, bytes)),
        // The buffer changed since it was parsed.
        _ => Err(WSFRAME_RESULT_INVALID_ARGUMENT),
    }
}

/// The `index`-th subprotocol the client offered (RFC 6455 §4.2.1), in its
/// order of preference, across all Sec-WebSocket-Protocol headers; (NULL, 0)
/// past the last. The server selects at most one and passes it to
/// `wsframe_server_write_accept`. Borrows from the request buffer.
///
/// Results: OK; NULL_POINTER; INVALID_ARGUMENT (`req` is not a complete
/// parse, or its buffer changed). Outputs are written on OK.
///
/// # Safety
///
/// `req` NULL or valid for reads, from a successful
/// `wsframe_server_request_parse` whose buffer is still valid and unchanged;
/// the out pointers NULL or valid for one write.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn wsframe_server_request_protocol(
    req: *const wsframe_server_request,
    index: usize,
    protocol_out: *mut *const c_char,
    len_out: *mut usize,
) -> wsframe_result {
    guard(|| {
        // SAFETY: caller contract, for each pointer.
        let (ptr_out, len_out) = unsafe { (raw::out(protocol_out)?, raw::out(len_out)?) };
        // SAFETY: as above.
        let req = unsafe { reparse(req) }?;
        let (p, n) = c_text(req.protocols().nth(index).unwrap_or("").as_bytes());
        ptr_out.write(p);
        len_out.write(n);
        Ok(())
    })
}

/// The first value of header `name` (ASCII case-insensitive) in the
/// request, trimmed; (NULL, 0) if absent. Borrows from the request buffer.
///
/// Results: OK; NULL_POINTER; INVALID_UTF8 (`name`); INVALID_ARGUMENT (as
/// for `wsframe_server_request_protocol`). Outputs are written on OK.
///
/// # Safety
///
/// As for `wsframe_server_request_protocol`; `name` NULL or valid for reads
/// of `name_len` bytes.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn wsframe_server_request_header(
    req: *const wsframe_server_request,
    name: *const c_char,
    name_len: usize,
    value_out: *mut *const c_char,
    len_out: *mut usize,
) -> wsframe_result {
    guard(|| {
        // SAFETY: caller contract, for each pointer.
        let (ptr_out, len_out) = unsafe { (raw::out(value_out)?, raw::out(len_out)?) };
        // SAFETY: as above.
        let name = unsafe { text(name, name_len) }?;
        // SAFETY: as above.
        let req = unsafe { reparse(req) }?;
        let (p, n) = c_text(req.header(name).unwrap_or(b""));
        ptr_out.write(p);
        len_out.write(n);
        Ok(())
    })
}

/// Writes the server's acceptance (RFC 6455 §4.2.2): `HTTP/1.1 101
/// Switching Protocols`, Upgrade, Connection, the Sec-WebSocket-Accept for
/// `key` (the request's `key`/`key_len`), the selected subprotocol if any,
/// and extra header lines ("Name: value", CRLF or LF separated, as for
/// `wsframe_client_handshake_write`).
///
/// `protocol` must be one the client offered, or (NULL, 0) for none. Then
/// create a server `wsframe_conn`.
///
/// Results: OK; INSUFFICIENT_SIZE (`*written_out` = bytes needed);
/// NULL_POINTER; INVALID_UTF8; INVALID_ARGUMENT (a header line without ':',
/// too many lines); HANDSHAKE_INVALID_PROTOCOL, _INVALID_HEADER_NAME,
/// _INVALID_HEADER_VALUE, _RESERVED_HEADER.
///
/// # Safety
///
/// Each (pointer, length) pair NULL or valid for reads of that many bytes;
/// `out` NULL or valid for writes of `out_len` bytes, not overlapping the
/// inputs; `written_out` NULL or valid for one write.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn wsframe_server_write_accept(
    key: *const c_char,
    key_len: usize,
    protocol: *const c_char,
    protocol_len: usize,
    headers: *const c_char,
    headers_len: usize,
    out: *mut u8,
    out_len: usize,
    written_out: *mut usize,
) -> wsframe_result {
    guard(|| {
        // SAFETY: caller contract, forwarded; no extensions.
        unsafe {
            server_accept(
                (key, key_len),
                (protocol, protocol_len),
                (core::ptr::null(), 0),
                (headers, headers_len),
                (out, out_len, written_out),
            )
        }
    })
}

/// As `wsframe_server_write_accept`, also accepting extensions:
/// `extensions` is the `Sec-WebSocket-Extensions` value to answer with, for
/// instance the response `wsframe_deflate_config_negotiate` wrote, or
/// (NULL, 0) for none (RFC 6455 §4.2.2, §9.1).
///
/// Results: as for `wsframe_server_write_accept`;
/// HANDSHAKE_INVALID_HEADER_VALUE also for control characters in
/// `extensions`.
///
/// # Safety
///
/// As for `wsframe_server_write_accept`, with `extensions` NULL or valid for
/// reads of `extensions_len` bytes.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn wsframe_server_write_accept_ext(
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
        // SAFETY: caller contract, forwarded.
        unsafe {
            server_accept(
                (key, key_len),
                (protocol, protocol_len),
                (extensions, extensions_len),
                (headers, headers_len),
                (out, out_len, written_out),
            )
        }
    })
}

/// The body of the acceptance writers.
///
/// # Safety
///
/// The pointers as documented on `wsframe_server_write_accept_ext`.
unsafe fn server_accept(
    (key, key_len): (*const c_char, usize),
    (protocol, protocol_len): (*const c_char, usize),
    (extensions, extensions_len): (*const c_char, usize),
    (headers, headers_len): (*const c_char, usize),
    (out, out_len, written_out): (*mut u8, usize, *mut usize),
) -> Result<(), wsframe_result> {
    // SAFETY: caller contract, for each pointer.
    let written = unsafe { raw::out(written_out) }?;
    // SAFETY: as above.
    let key = unsafe { raw::slice(key.cast(), key_len) }?;
    // SAFETY: as above.
    let protocol = unsafe { opt_text(protocol, protocol_len) }?;
    // SAFETY: as above.
    let extensions = unsafe { opt_text(extensions, extensions_len) }?;
    // SAFETY: as above.
    let headers = unsafe { text(headers, headers_len) }?;
    // SAFETY: as above.
    let out = unsafe { raw::slice_mut(out, out_len) }?;
    let mut pairs = [("", ""); WSFRAME_MAX_EXTRA_HEADERS];
    let n = header_lines(headers, &mut pairs)?;
    let pairs = pairs.get(..n).unwrap_or_default();
    report(handshake::write_accept(key, protocol, extensions, pairs, out), written)
}

/// Writes a complete HTTP error response refusing the handshake: status
/// line, `Connection: close`, a short text body (plus `Upgrade` and
/// `Sec-WebSocket-Version: 13` for 426, `Allow: GET` for 405). Close the
/// socket after sending it. For a failed parse, `status` is
/// `wsframe_result_http_status(result)`.
///
/// Results: OK; INSUFFICIENT_SIZE (`*written_out` = bytes needed);
/// NULL_POINTER; HANDSHAKE_INVALID_STATUS (not 300-599).
///
/// # Safety
///
/// `out` NULL or valid for writes of `out_len` bytes; `written_out` NULL or
/// valid for one write.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn wsframe_server_write_reject(
    status: u16,
    out: *mut u8,
    out_len: usize,
    written_out: *mut usize,
) -> wsframe_result {
    guard(|| {
        // SAFETY: caller contract, for each pointer.
        let written = unsafe { raw::out(written_out) }?;
        // SAFETY: as above.
        let out = unsafe { raw::slice_mut(out, out_len) }?;
        report(handshake::write_reject(status, out), written)
    })
}

/// The HTTP status a server should refuse a handshake with after `result`:
/// 426 for an unsupported version, 431 for a head too large or with too
/// many headers, 500 for the caller's own mistakes, 400 for other handshake
/// errors; 0 if `result` is not a handshake error.
///
/// # Safety
///
/// None: any value is accepted.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn wsframe_result_http_status(result: u32) -> u16 {
    guard_value(0, || match to_error(result) {
        Some(e) => e.status(),
        None if (7200..7300).contains(&result) => 400,
        None => 0,
    })
}

#[cfg(test)]
mod tests {
    use std::string::ToString;

    use super::*;

    #[test]
    fn table_matches_the_core() {
        for (code, err, text) in TABLE {
            assert_eq!(from_error(*err), *code);
            assert_eq!(to_error(*code as u32), Some(*err));
            assert_eq!(text.to_str().ok(), Some(err.to_string().as_str()));
            assert!((7200..7300).contains(&(*code as u32)));
        }
        assert_eq!(
            from_error(HandshakeError::InsufficientSize { required: 3 }),
            WSFRAME_RESULT_INSUFFICIENT_SIZE
        );
    }

    #[test]
    fn header_lines_and_protocol_lists() {
        let mut pairs = [("", ""); WSFRAME_MAX_EXTRA_HEADERS];
        let n = header_lines("A: 1\r\nB:2\n\nC:  three \t", &mut pairs);
        assert_eq!(n, Ok(3));
        assert_eq!(&pairs[..3], &[("A", "1"), ("B", "2"), ("C", "three")]);
        assert_eq!(header_lines("no colon", &mut pairs), Err(WSFRAME_RESULT_INVALID_ARGUMENT));
        let mut names = [""; WSFRAME_CLIENT_MAX_PROTOCOLS];
        assert_eq!(protocol_list(" ", &mut names), Ok(0));
        assert_eq!(protocol_list("a, b,c", &mut names), Ok(3));
        assert_eq!(&names[..3], &["a", "b", "c"]);
        let many = "p,".repeat(WSFRAME_CLIENT_MAX_PROTOCOLS) + "p";
        assert_eq!(protocol_list(&many, &mut names), Err(WSFRAME_RESULT_INVALID_ARGUMENT));
    }
}
