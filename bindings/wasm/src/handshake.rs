//! The opening handshake (RFC 6455 §4): the core's parsers and writers with
//! JavaScript values in and out. Nothing is decided here: the application
//! picks subprotocols and extensions from what `parseRequest` reports.

use wasm_bindgen::prelude::*;
use wsframe::extensions::deflate::DeflateConfig;
use wsframe::handshake::{self, ClientRequest, HandshakeError, Headers, Response};

use crate::deflate::{config_from_js, config_to_js, extension_error, offer, params_to_js};
use crate::error::{js_error, set, type_error};
use crate::random;

/// A `HandshakeError` with `status` (the HTTP status a server answers with)
/// and a stable `code`.
fn handshake_error(e: HandshakeError) -> JsValue {
    let err = js_error("HandshakeError", handshake_code(e), &e.to_string());
    set(&err, "status", &JsValue::from(e.status()));
    if let HandshakeError::InsufficientSize { required } = e {
        set(&err, "required", &JsValue::from(required as f64));
    }
    err
}

fn handshake_code(e: HandshakeError) -> &'static str {
    match e {
        HandshakeError::InsufficientSize { .. } => "INSUFFICIENT_SIZE",
        HandshakeError::TooLarge => "TOO_LARGE",
        HandshakeError::TooManyHeaders => "TOO_MANY_HEADERS",
        HandshakeError::MalformedHttp => "MALFORMED_HTTP",
        HandshakeError::HttpVersion => "HTTP_VERSION",
        HandshakeError::NotGet => "NOT_GET",
        HandshakeError::MissingHost => "MISSING_HOST",
        HandshakeError::DuplicateHeader => "DUPLICATE_HEADER",
        HandshakeError::MissingUpgrade => "MISSING_UPGRADE",
        HandshakeError::MissingConnectionUpgrade => "MISSING_CONNECTION_UPGRADE",
        HandshakeError::MissingKey => "MISSING_KEY",
        HandshakeError::InvalidKey => "INVALID_KEY",
        HandshakeError::UnsupportedVersion => "UNSUPPORTED_VERSION",
        HandshakeError::InvalidProtocol => "INVALID_PROTOCOL",
        HandshakeError::BadAccept => "BAD_ACCEPT",
        HandshakeError::UnexpectedProtocol => "UNEXPECTED_PROTOCOL",
        HandshakeError::UnexpectedExtension => "UNEXPECTED_EXTENSION",
        HandshakeError::InvalidUri => "INVALID_URI",
        HandshakeError::UnsupportedScheme => "UNSUPPORTED_SCHEME",
        HandshakeError::FragmentInUri => "FRAGMENT_IN_URI",
        HandshakeError::InvalidPort => "INVALID_PORT",
        HandshakeError::InvalidHeaderName => "INVALID_HEADER_NAME",
        HandshakeError::InvalidHeaderValue => "INVALID_HEADER_VALUE",
        HandshakeError::ReservedHeader => "RESERVED_HEADER",
        HandshakeError::InvalidStatus => "INVALID_STATUS",
        _ => "HANDSHAKE_ERROR",
    }
}

/// Header values are bytes; JavaScript gets them as strings.
fn text(bytes: &[u8]) -> JsValue {
    JsValue::from_str(&String::from_utf8_lossy(bytes))
}

/// `[[name, value], ...]` in order of appearance.
fn header_list(headers: &Headers<'_>) -> JsValue {
    let list = js_sys::Array::new();
    for (name, value) in headers.iter() {
        list.push(&js_sys::Array::of2(&JsValue::from_str(name), &text(value)));
    }
    list.into()
}

/// Raw extension header values joined as one list (RFC 7230 §3.2.2), or `null`.
fn joined<'b>(values: impl Iterator<Item = &'b [u8]>) -> JsValue {
    let parts: Vec<String> = values.map(|v| String::from_utf8_lossy(v).into_owned()).collect();
    if parts.is_empty() { JsValue::NULL } else { JsValue::from_str(&parts.join(", ")) }
}

/// `[name, value, name, value, ...]` as pairs.
fn pairs(flat: &[String]) -> Result<Vec<(&str, &str)>, JsValue> {
    if flat.len() % 2 != 0 {
        return Err(type_error("headers must be [name, value] pairs"));
    }
    Ok(flat
        .chunks_exact(2)
        .filter_map(|p| Some((p.first()?.as_str(), p.get(1)?.as_str())))
        .collect())
}

/// Writes with `f` into a buffer grown until it fits.
fn write_out(
    mut f: impl FnMut(&mut [u8]) -> Result<usize, HandshakeError>,
) -> Result<js_sys::Uint8Array, JsValue> {
    let mut buf = vec![0u8; 512];
    loop {
        match f(&mut buf) {
            Ok(n) => return Ok(js_sys::Uint8Array::from(buf.get(..n).unwrap_or_default())),
            Err(HandshakeError::InsufficientSize { required }) if required > buf.len() => {
                buf.resize(required, 0);
            }
            Err(e) => return Err(handshake_error(e)),
        }
    }
}

/// Parses and validates a client's upgrade request (RFC 6455 §4.2.1).
///
/// Returns `null` while the head is incomplete (call again with everything
/// read so far), else `{ path, resource, host, key, accept, origin,
/// protocols, extensions, headers, consumed }`. Bytes after `consumed` are
/// already WebSocket frames.
///
/// # Errors
///
/// A `HandshakeError` with `status` (400, 426 for a version mismatch, 431 for
/// a head over `max_size`, default 8 KiB) and `code`; answer it with
/// `build_reject_response(status)`.
#[wasm_bindgen(js_name = parseRequest)]
pub fn parse_request(input: &[u8], max_size: Option<usize>) -> Result<JsValue, JsValue> {
    let max = max_size.unwrap_or(handshake::DEFAULT_MAX_HANDSHAKE);
    let Some(req) = handshake::parse_request(input, max).map_err(handshake_error)? else {
        return Ok(JsValue::NULL);
    };
    let obj: JsValue = js_sys::Object::new().into();
    set(&obj, "path", &JsValue::from_str(req.path()));
    set(&obj, "resource", &JsValue::from_str(&req.resource().to_string()));
    set(&obj, "host", &text(req.host()));
    set(&obj, "key", &text(req.key()));
    set(&obj, "accept", &text(&req.accept_key()));
    set(&obj, "origin", &req.origin().map_or(JsValue::NULL, text));
    let protocols: js_sys::Array = req.protocols().map(JsValue::from_str).collect();
    set(&obj, "protocols", &protocols.into());
    set(&obj, "extensions", &joined(req.extensions()));
    set(&obj, "headers", &header_list(req.all_headers()));
    set(&obj, "consumed", &JsValue::from(req.consumed() as f64));
    Ok(obj)
}

/// The 101 Switching Protocols response accepting a request with this
/// `Sec-WebSocket-Key` (RFC 6455 §4.2.2), with the subprotocol and
/// extensions the application selected and extra headers as flat
/// `[name, value, ...]` pairs.
///
/// # Errors
///
/// A `HandshakeError` (code `INVALID_PROTOCOL`, `INVALID_HEADER_VALUE`,
/// `INVALID_HEADER_NAME`, `RESERVED_HEADER`) for values that would break the
/// response; a `TypeError` for an odd header list.
#[wasm_bindgen(js_name = buildAcceptResponse)]
pub fn build_accept_response(
    key: &str,
    protocol: Option<String>,
    extensions: Option<String>,
    headers: Vec<String>,
) -> Result<js_sys::Uint8Array, JsValue> {
    let extra = pairs(&headers)?;
    write_out(|out| {
        handshake::write_accept(
            key.as_bytes(),
            protocol.as_deref(),
            extensions.as_deref(),
            &extra,
            out,
        )
    })
}

/// A complete response refusing the handshake (RFC 6455 §4.2.1, §4.4), for
/// a status in 300-599: 426 adds `Sec-WebSocket-Version: 13`.
///
/// # Errors
///
/// A `HandshakeError` (code `INVALID_STATUS`, or a header code) for a status
/// outside 300-599 or a bad extra header.
#[wasm_bindgen(js_name = buildRejectResponse)]
pub fn build_reject_response(
    status: u16,
    headers: Vec<String>,
) -> Result<js_sys::Uint8Array, JsValue> {
    let extra = pairs(&headers)?;
    write_out(|out| handshake::write_reject_with(status, &extra, out))
}

/// Builds a client's upgrade request for a `ws://` or `wss://` URL (RFC 6455
/// §4.1) with a fresh nonce from Web Crypto. With `deflate` (`true` or a
/// config object, see `negotiateDeflate`), the extensions offered are the
/// core's permessage-deflate offer (RFC 7692 §7.1) instead of `extensions`.
///
/// Returns `{ bytes, host, port, secure, resource, key, nonce, extensions,
/// deflate }`: write `bytes` to a connection to `host`:`port` (TLS when
/// `secure`); keep `key`, `nonce`, `extensions` (what was offered) and
/// `deflate` (the config, normalized, or `null`) for [`check_response`].
///
/// # Errors
///
/// A `HandshakeError` (code `INVALID_URI`, `UNSUPPORTED_SCHEME`,
/// `FRAGMENT_IN_URI`, `INVALID_PORT`, `INVALID_PROTOCOL`, header codes) for
/// what cannot be sent; a `WsframeError` (`NO_CRYPTO`) without Web Crypto; a
/// `TypeError` for a bad deflate config, or one with `extensions`.
#[wasm_bindgen(js_name = buildClientRequest)]
pub fn build_client_request(
    url: &str,
    protocols: Vec<String>,
    origin: Option<String>,
    extensions: Option<String>,
    headers: Vec<String>,
    deflate: JsValue,
) -> Result<JsValue, JsValue> {
    let protocol_refs: Vec<&str> = protocols.iter().map(String::as_str).collect();
    let extra = pairs(&headers)?;
    let deflate = offered(&deflate)?;
    let extensions = match &deflate {
        None => extensions,
        Some(_) if extensions.is_some() => {
            return Err(type_error("extensions and deflate cannot be combined"));
        }
        Some(config) => Some(offer(config)?),
    };
    let mut req = ClientRequest::new(url).map_err(handshake_error)?.protocols(&protocol_refs);
    if let Some(o) = origin.as_deref() {
        req = req.origin(o);
    }
    if let Some(e) = extensions.as_deref() {
        req = req.extensions(e);
    }
    req = req.headers(&extra);
    let mut nonce = [0u8; 16];
    random::fill(&mut nonce)?;
    let mut key = [0u8; 24];
    let bytes = write_out(|out| {
        let hs = req.write(nonce, out)?;
        key = *hs.key();
        Ok(hs.request_len())
    })?;
    let obj: JsValue = js_sys::Object::new().into();
    set(&obj, "bytes", &bytes.into());
    set(&obj, "host", &JsValue::from_str(req.host()));
    set(&obj, "port", &JsValue::from(req.port()));
    set(&obj, "secure", &JsValue::from(req.is_secure()));
    set(&obj, "resource", &JsValue::from_str(&req.resource().to_string()));
    set(&obj, "key", &text(&key));
    set(&obj, "nonce", &js_sys::Uint8Array::from(&nonce[..]).into());
    set(&obj, "extensions", &extensions.as_deref().map_or(JsValue::NULL, JsValue::from_str));
    set(&obj, "deflate", &deflate.as_ref().map_or(JsValue::NULL, config_to_js));
    Ok(obj)
}

/// The client's deflate option: `None` when not offered (`undefined`,
/// `null`, `false`).
fn offered(value: &JsValue) -> Result<Option<DeflateConfig>, JsValue> {
    if value.is_undefined() || value.is_null() || value.as_bool() == Some(false) {
        return Ok(None);
    }
    config_from_js(value).map(Some)
}

/// Checks the server's response to a request from [`build_client_request`]
/// with that `url`, `nonce`, `protocols`, `extensions` (as offered) and
/// `deflate` config (RFC 6455 §4.1, RFC 7692 §7.1).
///
/// Returns `null` while the head is incomplete; `{ accepted: true, status:
/// 101, protocol, extensions, deflate, headers, consumed }` when the
/// connection is open, where `deflate` is the agreed permessage-deflate
/// params (for the `Connection`'s `deflate` option) or `null`; `{ accepted:
/// false, status, reason, location, headers, consumed }` for any other
/// status. Bytes after `consumed` are WebSocket frames.
///
/// # Errors
///
/// A `HandshakeError` (code `BAD_ACCEPT`, `MISSING_UPGRADE`,
/// `UNEXPECTED_PROTOCOL`, `TOO_LARGE`, `UNEXPECTED_EXTENSION_PARAMETER`, ...)
/// when the client must fail the connection; a `TypeError` for a nonce that
/// is not 16 bytes or a bad deflate config.
#[wasm_bindgen(js_name = checkResponse)]
pub fn check_response(
    input: &[u8],
    max_size: Option<usize>,
    url: &str,
    nonce: &[u8],
    protocols: Vec<String>,
    extensions: Option<String>,
    deflate: JsValue,
) -> Result<JsValue, JsValue> {
    let deflate = offered(&deflate)?;
    let nonce = <[u8; 16]>::try_from(nonce).map_err(|_| type_error("nonce must be 16 bytes"))?;
    let protocol_refs: Vec<&str> = protocols.iter().map(String::as_str).collect();
    let mut req = ClientRequest::new(url).map_err(handshake_error)?.protocols(&protocol_refs);
    if let Some(e) = extensions.as_deref() {
        req = req.extensions(e);
    }
    // The core keeps what the check needs in the handshake `write` returns:
    // write the same request again (into scratch) to get it back.
    let mut scratch = vec![0u8; 512];
    let hs = loop {
        match req.write(nonce, &mut scratch) {
            Ok(hs) => break hs,
            Err(HandshakeError::InsufficientSize { required }) if required > scratch.len() => {
                scratch.resize(required, 0);
            }
            Err(e) => return Err(handshake_error(e)),
        }
    };
    let max = max_size.unwrap_or(handshake::DEFAULT_MAX_HANDSHAKE);
    let obj: JsValue = js_sys::Object::new().into();
    match hs.check_response(input, max).map_err(handshake_error)? {
        Response::Partial => return Ok(JsValue::NULL),
        Response::Accepted(ok) => {
            set(&obj, "accepted", &JsValue::TRUE);
            set(&obj, "status", &JsValue::from(101));
            set(&obj, "protocol", &ok.protocol().map_or(JsValue::NULL, JsValue::from_str));
            set(&obj, "extensions", &joined(ok.extensions()));
            let agreed = match &deflate {
                Some(config) => config
                    .accept_response(ok.extensions())
                    .map_err(extension_error)?
                    .map(|p| params_to_js(&p, config.level)),
                None => None,
            };
            set(&obj, "deflate", &agreed.unwrap_or(JsValue::NULL));
            set(&obj, "headers", &header_list(ok.all_headers()));
            set(&obj, "consumed", &JsValue::from(ok.consumed() as f64));
        }
        Response::Rejected(no) => {
            set(&obj, "accepted", &JsValue::FALSE);
            set(&obj, "status", &JsValue::from(no.status()));
            set(&obj, "reason", &JsValue::from_str(no.reason()));
            set(&obj, "location", &no.location().map_or(JsValue::NULL, text));
            set(&obj, "headers", &header_list(no.all_headers()));
            set(&obj, "consumed", &JsValue::from(no.consumed() as f64));
        }
    }
    Ok(obj)
}

/// `Sec-WebSocket-Accept` for a `Sec-WebSocket-Key`: base64(SHA-1(key +
/// GUID)) (RFC 6455 §1.3, §4.2.2).
#[wasm_bindgen(js_name = acceptKey)]
pub fn accept_key(key: &str) -> String {
    String::from_utf8_lossy(&handshake::accept_key(key.as_bytes())).into_owned()
}
