//! Stateless frame helpers: one frame to bytes and back (RFC 6455 §5.2).
//!
//! For tools and tests; a connection uses [`crate::Connection`], which also
//! checks what no single frame shows (fragmentation, UTF-8, mask direction).

use wasm_bindgen::prelude::*;
use wsframe::frame::{FrameHeader, HeaderDecoder, MAX_CONTROL_PAYLOAD, OpCode};
use wsframe::mask;

use crate::error::{core_error, js_error, protocol_error, set, type_error};
use crate::random;

/// Encodes one frame.
///
/// `opcode` is the 4-bit opcode (0 continuation, 1 text, 2 binary, 8 close,
/// 9 ping, 10 pong), `rsv` the RSV1-3 bits as a 3-bit number (RSV1 = 4).
/// With a 4-byte `mask` the payload is masked with that key (RFC 6455 §5.3);
/// with `random_mask` a key is drawn from Web Crypto; with neither the frame
/// is unmasked (server to client).
///
/// # Errors
///
/// A `TypeError` for a reserved opcode, `rsv` over 7 or a mask that is not 4
/// bytes; a `WsframeError` (code `CONTROL_PAYLOAD_TOO_LARGE`, or
/// `FRAGMENTED_CONTROL_FRAME`) for a control frame longer than 125 bytes or
/// without `fin` (RFC 6455 §5.5).
#[wasm_bindgen(js_name = encodeFrame)]
pub fn encode_frame(
    opcode: u8,
    fin: bool,
    rsv: u8,
    payload: &[u8],
    mask: Option<Vec<u8>>,
    random_mask: bool,
) -> Result<js_sys::Uint8Array, JsValue> {
    let opcode = OpCode::from_u8(opcode)
        .ok_or_else(|| type_error("opcode must be 0, 1, 2, 8, 9 or 10 (RFC 6455 §5.2)"))?;
    if rsv > 7 {
        return Err(type_error("rsv must be 0-7"));
    }
    if opcode.is_control() {
        if payload.len() > MAX_CONTROL_PAYLOAD {
            return Err(core_error(wsframe::Error::ControlPayloadTooLarge));
        }
        if !fin {
            return Err(js_error(
                "WsframeError",
                "FRAGMENTED_CONTROL_FRAME",
                "control frames cannot be fragmented",
            ));
        }
    }
    let key = match (mask, random_mask) {
        (Some(m), _) => Some(
            <[u8; 4]>::try_from(m.as_slice()).map_err(|_| type_error("mask must be 4 bytes"))?,
        ),
        (None, true) => {
            let mut key = [0u8; 4];
            random::fill(&mut key)?;
            Some(key)
        }
        (None, false) => None,
    };
    let header = FrameHeader { fin, rsv, opcode, mask: key, payload_len: payload.len() as u64 };
    let hlen = header.encoded_len();
    let mut out = vec![0u8; hlen + payload.len()];
    let (head, body) = out.split_at_mut(hlen);
    header.encode(head).map_err(core_error)?;
    match key {
        Some(key) => mask::copy_masked(body, payload, key),
        None => body.copy_from_slice(payload),
    }
    Ok(js_sys::Uint8Array::from(out.as_slice()))
}

/// Decodes the frame at the start of `bytes`: `null` if it is not all there
/// yet, else `{ fin, rsv, opcode, mask, payload, consumed }` with the payload
/// unmasked (a copy) and `mask` the key or `null`.
///
/// Checks what the header alone shows: reserved opcodes, control frames over
/// 125 bytes or fragmented (RFC 6455 §5.5), a 64-bit length with its top bit
/// set. Not checked: RSV bits, mask direction, UTF-8, close codes.
///
/// # Errors
///
/// A `ProtocolError` with `closeCode` 1002 for the violations above.
#[wasm_bindgen(js_name = decodeFrame)]
pub fn decode_frame(bytes: &[u8]) -> Result<JsValue, JsValue> {
    let (hlen, header) = HeaderDecoder::new().decode(bytes).map_err(protocol_error)?;
    let Some(header) = header else { return Ok(JsValue::NULL) };
    let Some(payload) = usize::try_from(header.payload_len)
        .ok()
        .and_then(|len| bytes.get(hlen..hlen.checked_add(len)?))
    else {
        return Ok(JsValue::NULL);
    };
    let mut payload = payload.to_vec();
    if let Some(key) = header.mask {
        mask::apply_mask(&mut payload, key, 0);
    }
    let obj: JsValue = js_sys::Object::new().into();
    set(&obj, "fin", &header.fin.into());
    set(&obj, "rsv", &header.rsv.into());
    set(&obj, "opcode", &(header.opcode as u8).into());
    let key = header.mask.map_or(JsValue::NULL, |k| js_sys::Uint8Array::from(&k[..]).into());
    set(&obj, "mask", &key);
    set(&obj, "payload", &js_sys::Uint8Array::from(payload.as_slice()).into());
    set(&obj, "consumed", &((hlen + payload.len()) as f64).into());
    Ok(obj)
}
