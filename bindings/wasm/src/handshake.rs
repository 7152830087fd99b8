//! The opening handshake (RFC 6455 §4): the core's parsers, writers and
//! client verifier with JavaScript values in and out. Nothing is decided
//! here: the application picks subprotocols and extensions from what
//! `parseRequest` reports.

use wasm_bindgen::prelude::*;
use wsframe::extensions::deflate::DeflateConfig;
use wsframe::handshake::{self, ClientRequest, ClientVerifier, HandshakeError, Headers, Response};

use crate::deflate;
use crate::error::{extension_error, handshake_error, set, type_error};
use crate::random;

/// Header values are bytes; JavaScript gets them as strings.
fn text(bytes: &[u8]) -> JsValue {
    String::from_utf8_lossy(bytes).as_ref().into()
}

/// `[[name, value], ...]` in order of appearance.
fn header_list(headers: &Headers<'_>) -> JsValue {
    let list = js_sys::Array::new();
    for (name, value) in headers.iter() {
        list.push(&js_sys::Array::of2(&name.into(), &text(value)));
    }
    list.into()
}

/// Raw extension header values joined as one list (RFC 7230 §3.2.2), or `null`.
fn joined<'b>(values: impl Iterator<Item = &'b [u8]>) -> JsValue {
    let parts: Vec<String> = values.map(|v| String::from_utf8_lossy(v).into_owned()).collect();
    if parts.is_empty() { JsValue::NULL } else { parts.join(", ").into() }
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
            Ok(n) => return Ok(buf.get(..n).unwrap_or_default().into()),
            Err(HandshakeError::InsufficientSize { required }) if required > buf.len() => {
                buf.resize(required, 0);
            }
            Err(e) => return Err(handshake_error(e)),
        }
    }
}

/// Parses and validates a client's upgrade request (RFC 6455 §4.2.1).
///
/// Returns `null` while the head is incomplete, else `{ path, resource, host,
/// key, accept, origin, protocols, extensions, headers, consumed }`.
///
/// # Errors
///
/// A `HandshakeError` with `status` (400, 426, 431) and `code`.
#[wasm_bindgen(js_name = parseRequest)]
pub fn parse_request(input: &[u8], max_size: Option<usize>) -> Result<JsValue, JsValue> {
    let max = max_size.unwrap_or(handshake::DEFAULT_MAX_HANDSHAKE);
    let Some(req) = handshake::parse_request(input, max).map_err(handshake_error)? else {
        return Ok(JsValue::NULL);
    };
    let obj: JsValue = js_sys::Object::new().into();
    set(&obj, "path", &req.path().into());
    set(&obj, "resource", &req.resource().to_string().into());
    set(&obj, "host", &text(req.host()));
    set(&obj, "key", &text(req.key()));
    set(&obj, "accept", &text(&req.accept_key()));
    set(&obj, "origin", &req.origin().map_or(JsValue::NULL, text));
    let protocols: js_sys::Array = req.protocols().map(JsValue::from_str).collect();
    set(&obj, "protocols", &protocols.into());
    set(&obj, "extensions", &joined(req.extensions()));
    set(&obj, "headers", &header_list(req.all_headers()));
    set(&obj, "consumed", &(req.consumed() as f64).into());
    Ok(obj)
}

/// The 101 response accepting a request with this `Sec-WebSocket-Key`
/// (RFC 6455 §4.2.2), with the selected subprotocol and extensions and extra
/// headers as flat `[name, value, ...]` pairs.
///
/// # Errors
///
/// A `HandshakeError` for values that would break the response; a
/// `TypeError` for an odd header list.
#[wasm_bindgen(js_name = buildAcceptResponse)]
pub fn build_accept_response(
    key: &str,
    protocol: Option<String>,
    extensions: Option<String>,
    headers: Vec<String>,
) -> Result<js_sys::Uint8Array, JsValue> {
    let extra = pairs(&headers)?;
    let (protocol, extensions) = (protocol.as_deref(), extensions.as_deref());
    write_out(|out| handshake::write_accept(key.as_bytes(), protocol, extensions, &extra, out))
}

/// A complete response refusing the handshake (RFC 6455 §4.2.1, §4.4).
///
/// # Errors
///
/// A `HandshakeError` for a status outside 300-599 or a bad extra header.
#[wasm_bindgen(js_name = buildRejectResponse)]
pub fn build_reject_response(
    status: u16,
    headers: Vec<String>,
) -> Result<js_sys::Uint8Array, JsValue> {
    let extra = pairs(&headers)?;
    write_out(|out| handshake::write_reject_with(status, &extra, out))
}

/// What a client keeps to check the server's answer: the core's verifier
/// and the permessage-deflate config it offered.
#[wasm_bindgen(js_name = RawClientHandshake)]
#[derive(Debug)]
pub struct ClientHandshake {
    verifier: ClientVerifier,
    deflate: Option<DeflateConfig>,
}

/// Builds a client's upgrade request for a `ws://` or `wss://` URL (RFC 6455
/// §4.1) with a fresh nonce from Web Crypto; with `deflate` (config numbers,
/// see `deflate.rs`) the core's permessage-deflate offer (RFC 7692 §7.1)
/// instead of `extensions`.
///
/// Returns `{ bytes, host, port, secure, resource, key, extensions,
/// handshake }`: `handshake` checks the response.
///
/// # Errors
///
/// A `HandshakeError` for what cannot be sent; a `WsframeError`
/// (`NO_CRYPTO`) without Web Crypto.
#[wasm_bindgen(js_name = buildClientRequest)]
pub fn build_client_request(
    url: &str,
    protocols: Vec<String>,
    origin: Option<String>,
    extensions: Option<String>,
    headers: Vec<String>,
    deflate: Option<Vec<u8>>,
) -> Result<JsValue, JsValue> {
    let protocol_refs: Vec<&str> = protocols.iter().map(String::as_str).collect();
    let extra = pairs(&headers)?;
    let deflate = deflate.map(|f| deflate::config(&f));
    let extensions = match &deflate {
        Some(config) => Some(deflate::header(|out| config.write_offer(out))?),
        None => extensions,
    };
    let req = ClientRequest::new(url).map_err(handshake_error)?.protocols(&protocol_refs);
    let req = origin.as_deref().into_iter().fold(req, ClientRequest::origin);
    let req = extensions.as_deref().into_iter().fold(req, ClientRequest::extensions);
    let req = req.headers(&extra);
    let mut nonce = [0u8; 16];
    random::fill(&mut nonce)?;
    let mut verifier = None;
    let bytes = write_out(|out| {
        let hs = req.write(nonce, out)?;
        verifier = Some(hs.to_verifier());
        Ok(hs.request_len())
    })?;
    let Some(verifier) = verifier else { return Err(type_error("no request written")) };
    let obj: JsValue = js_sys::Object::new().into();
    set(&obj, "bytes", &bytes.into());
    set(&obj, "host", &req.host().into());
    set(&obj, "port", &req.port().into());
    set(&obj, "secure", &req.is_secure().into());
    set(&obj, "resource", &req.resource().to_string().into());
    set(&obj, "key", &text(verifier.key()));
    set(&obj, "extensions", &extensions.map_or(JsValue::NULL, JsValue::from));
    set(&obj, "handshake", &ClientHandshake { verifier, deflate }.into());
    Ok(obj)
}

#[wasm_bindgen(js_class = RawClientHandshake)]
impl ClientHandshake {
    /// Checks the server's response (RFC 6455 §4.1, RFC 7692 §7.1).
    ///
    /// Returns `null` while the head is incomplete; `{ accepted: true,
    /// status: 101, protocol, extensions, deflate, headers, consumed }`, where
    /// `deflate` is the agreed params as numbers or `null`; or `{ accepted:
    /// false, status, reason, location, headers, consumed }`.
    ///
    /// # Errors
    ///
    /// A `HandshakeError` when the client must fail the connection.
    #[wasm_bindgen(js_name = checkResponse)]
    pub fn check_response(
        &self,
        input: &[u8],
        max_size: Option<usize>,
    ) -> Result<JsValue, JsValue> {
        let max = max_size.unwrap_or(handshake::DEFAULT_MAX_HANDSHAKE);
        let obj: JsValue = js_sys::Object::new().into();
        let (headers, consumed) =
            match self.verifier.check_response(input, max).map_err(handshake_error)? {
                Response::Partial => return Ok(JsValue::NULL),
                Response::Accepted(ok) => {
                    let agreed = match &self.deflate {
                        Some(c) => c.accept_response(ok.extensions()).map_err(extension_error)?,
                        None => None,
                    };
                    set(&obj, "accepted", &JsValue::TRUE);
                    set(&obj, "status", &101.into());
                    set(&obj, "protocol", &ok.protocol().map_or(JsValue::NULL, JsValue::from));
                    set(&obj, "extensions", &joined(ok.extensions()));
                    set(&obj, "deflate", &agreed.as_ref().map_or(JsValue::NULL, deflate::to_js));
                    (header_list(ok.all_headers()), ok.consumed())
                }
                Response::Rejected(no) => {
                    set(&obj, "accepted", &JsValue::FALSE);
                    set(&obj, "status", &no.status().into());
                    set(&obj, "reason", &no.reason().into());
                    set(&obj, "location", &no.location().map_or(JsValue::NULL, text));
                    (header_list(no.all_headers()), no.consumed())
                }
            };
        set(&obj, "headers", &headers);
        set(&obj, "consumed", &(consumed as f64).into());
        Ok(obj)
    }
}

/// `Sec-WebSocket-Accept` for a `Sec-WebSocket-Key`: base64(SHA-1(key +
/// GUID)) (RFC 6455 §1.3, §4.2.2).
#[wasm_bindgen(js_name = acceptKey)]
pub fn accept_key(key: &str) -> String {
    String::from_utf8_lossy(&handshake::accept_key(key.as_bytes())).into_owned()
}
