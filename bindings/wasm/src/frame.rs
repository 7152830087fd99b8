//! Stateless frame helpers: one frame to bytes and back (RFC 6455 §5.2).
//!
//! For tools and tests; a connection checks what no single frame shows
//! (fragmentation, UTF-8, mask direction). Both directions hold frames to the
//! same header rules: the core's header decoder judges what is encoded too.

use wasm_bindgen::prelude::*;
use wsframe::frame::{FrameHeader, HeaderDecoder, OpCode};
use wsframe::mask;

use crate::error::{core_error, js_error, set, type_error};
use crate::random;

/// Encodes one frame: `opcode` 0-15, `rsv` the RSV1-3 bits as a 3-bit number
/// (RSV1 = 4). With a 4-byte `mask` the payload is masked with that key
/// (RFC 6455 §5.3), with `random_mask` with a key from Web Crypto, with
/// neither it is unmasked.
///
/// # Errors
///
/// A `TypeError` for a reserved opcode or a mask that is not 4 bytes; a
/// `WsframeError` named after the rule for a header the core's decoder
/// refuses (a control frame over 125 bytes or fragmented, RFC 6455 §5.5).
#[wasm_bindgen(js_name = encodeFrame)]
pub fn encode_frame(
    opcode: u8,
    fin: bool,
    rsv: u8,
    payload: &[u8],
    mask: Option<Vec<u8>>,
    random_mask: bool,
) -> Result<js_sys::Uint8Array, JsValue> {
    let opcode =
        OpCode::from_u8(opcode).ok_or_else(|| type_error("reserved opcode (RFC 6455 §5.2)"))?;
    let mut key = [0u8; 4];
    let key = match mask {
        Some(m) => Some(m.try_into().map_err(|_| type_error("mask must be 4 bytes"))?),
        None if random_mask => random::fill(&mut key).map(|()| Some(key))?,
        None => None,
    };
    let header = FrameHeader { fin, rsv, opcode, mask: key, payload_len: payload.len() as u64 };
    let mut out = vec![0u8; header.encoded_len() + payload.len()];
    let (head, body) = out.split_at_mut(header.encoded_len());
    header.encode(head).map_err(core_error)?;
    if let Err(e) = HeaderDecoder::new().decode(head) {
        return Err(js_error("WsframeError", e.name(), e.as_str()));
    }
    match key {
        Some(key) => mask::copy_masked(body, payload, key),
        None => body.copy_from_slice(payload),
    }
    Ok(out.as_slice().into())
}

/// Decodes the frame at the start of `bytes`: `null` if it is not all there
/// yet, else `{ fin, rsv, opcode, mask, payload, consumed }` with the payload
/// unmasked (a copy) and `mask` the key or `null`.
///
/// # Errors
///
/// A `ProtocolError` with `closeCode` 1002 for what the header alone shows:
/// reserved opcodes, control frames over 125 bytes or fragmented (RFC 6455
/// §5.5), a 64-bit length with its top bit set.
#[wasm_bindgen(js_name = decodeFrame)]
pub fn decode_frame(bytes: &[u8]) -> Result<JsValue, JsValue> {
    let (hlen, header) = HeaderDecoder::new().decode(bytes).map_err(|e| core_error(e.into()))?;
    let Some(header) = header else { return Ok(JsValue::NULL) };
    let end = usize::try_from(header.payload_len).ok().and_then(|len| hlen.checked_add(len));
    let Some(payload) = end.and_then(|end| bytes.get(hlen..end)) else { return Ok(JsValue::NULL) };
    let mut payload = payload.to_vec();
    if let Some(key) = header.mask {
        mask::apply_mask(&mut payload, key, 0);
    }
    let obj: JsValue = js_sys::Object::new().into();
    set(&obj, "fin", &header.fin.into());
    set(&obj, "rsv", &header.rsv.into());
    set(&obj, "opcode", &(header.opcode as u8).into());
    let mask = header.mask.map(|k| js_sys::Uint8Array::from(&k[..]));
    set(&obj, "mask", &mask.map_or(JsValue::NULL, JsValue::from));
    set(&obj, "payload", &js_sys::Uint8Array::from(payload.as_slice()).into());
    set(&obj, "consumed", &((hlen + payload.len()) as f64).into());
    Ok(obj)
}
