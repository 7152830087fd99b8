//! `Connection`: the core's state machine with an input buffer in wasm memory.
//!
//! The core returns one event per `receive` over a slice it unmasks in place.
//! This wrapper owns that slice: JavaScript writes what it read straight into
//! wasm memory ([`Connection::reserve`]), one call runs the core until it needs
//! more input, and the events are left in a table of plain numbers that the JS
//! wrapper turns into objects, copying payloads out of (or viewing them in)
//! wasm memory. Unconsumed bytes (a partial header or control frame) stay
//! buffered for the next call.
//!
//! With permessage-deflate, the core's `Compressor` and `Decompressor` do the
//! work: compressed messages are inflated whole (bounded by the message size
//! limit) and sends are compressed unless the caller says otherwise.

use wasm_bindgen::prelude::*;
use wsframe::extensions::deflate::{Compressor, Decompressor, DeflateParams};
use wsframe::message::MessageAssembler;
use wsframe::{CloseCode, Config, DataKind, Error, Event, Role, State, frame};

use crate::deflate::{params_from_js, params_to_js};
use crate::error::{core_error, js_error, type_error};
use crate::random::KeySource;

/// Numbers in one row of the event table read by the JS wrapper:
/// `[kind, last, ptr, len, code]`.
pub const EVENT_WORDS: usize = 5;

/// Event kinds in the table: the frame opcodes (RFC 6455 §5.2).
const KIND_TEXT: u32 = 0x1;
const KIND_BINARY: u32 = 0x2;
const KIND_CLOSE: u32 = 0x8;
const KIND_PING: u32 = 0x9;
const KIND_PONG: u32 = 0xA;

/// An output buffer this large is dropped after use rather than kept.
const KEEP_BUFFER: usize = 1 << 20;

/// Where an event's payload lives.
#[derive(Debug, Clone, Copy)]
enum Src {
    /// In the input buffer, unmasked in place.
    Rx,
    /// In `held[i]`: a message reassembled from several chunks.
    Held(usize),
}

#[derive(Debug, Clone, Copy)]
struct Rec {
    kind: u32,
    last: bool,
    src: Src,
    start: usize,
    len: usize,
    /// Close status code; 0 when absent.
    code: u32,
}

/// The permessage-deflate codec of a connection and what it was made from.
#[derive(Debug)]
struct Codec {
    params: DeflateParams,
    level: u8,
    compressor: Compressor,
    decompressor: Decompressor,
}

/// A WebSocket connection after the opening handshake (RFC 6455 §5-§7).
///
/// Exported to JavaScript as `RawConnection`; use the `Connection` class of
/// the `wsframe` package, which wraps it.
#[wasm_bindgen(js_name = RawConnection)]
#[derive(Debug)]
pub struct Connection {
    conn: wsframe::Connection<KeySource>,
    /// Whole-message mode: fragments are reassembled, bounded by the
    /// connection's `max_message_size`.
    assembler: Option<MessageAssembler>,
    /// Whether the assembler holds the start of a message.
    assembling: bool,
    /// Input buffer; `rx[rx_start..rx_end]` is not yet consumed. Its length
    /// is its capacity, zero-filled once when grown.
    rx: Vec<u8>,
    rx_start: usize,
    rx_end: usize,
    /// Reassembled messages of the last `receive`, alive until the next one.
    held: Vec<Vec<u8>>,
    recs: Vec<Rec>,
    table: Vec<u32>,
    tx: Vec<u8>,
    /// permessage-deflate, when negotiated.
    codec: Option<Box<Codec>>,
}

fn limit(value: Option<f64>, message: &str, default: u64) -> Result<u64, JsValue> {
    match value {
        None => Ok(default),
        Some(v)
            if v.is_finite() && v >= 0.0 && v.fract() == 0.0 && v <= 9_007_199_254_740_991.0 =>
        {
            Ok(v as u64)
        }
        Some(_) => Err(type_error(message)),
    }
}

#[wasm_bindgen(js_class = RawConnection)]
impl Connection {
    /// A connection in the `open` state.
    ///
    /// `role` is `"client"` (masks every frame it sends, keys from
    /// `crypto.getRandomValues`) or `"server"`. Limits default to the core's
    /// (16 MiB frames and messages, 2^20 fragments). With `messages`, text and
    /// binary events are whole messages instead of chunks. `deflate` is the
    /// negotiated permessage-deflate params (RFC 7692), `true` for those of a
    /// bare offer and response, or `undefined`/`null`/`false` for none;
    /// inflated messages count against `max_message_size`.
    ///
    /// # Errors
    ///
    /// A `TypeError` for a bad role, limit or deflate params; a
    /// `WsframeError` (code `NO_CRYPTO`) for a client where Web Crypto is
    /// missing.
    #[wasm_bindgen(constructor)]
    pub fn new(
        role: &str,
        max_frame_payload: Option<f64>,
        max_message_size: Option<f64>,
        max_fragments: Option<f64>,
        messages: bool,
        deflate: JsValue,
    ) -> Result<Connection, JsValue> {
        let (role, keys) = match role {
            "client" => (Role::Client, KeySource::web_crypto()?),
            "server" => (Role::Server, KeySource::None),
            _ => return Err(type_error("role must be \"client\" or \"server\"")),
        };
        let d = Config::DEFAULT;
        let fragments = limit(
            max_fragments,
            "maxFragments must be a non-negative integer",
            d.max_fragments.into(),
        )?;
        let config = Config::default()
            .with_max_frame_payload(limit(
                max_frame_payload,
                "maxFramePayload must be a non-negative integer",
                d.max_frame_payload,
            )?)
            .with_max_message_size(limit(
                max_message_size,
                "maxMessageSize must be a non-negative integer",
                d.max_message_size,
            )?)
            .with_max_fragments(u32::try_from(fragments).unwrap_or(u32::MAX));
        let max_message = usize::try_from(config.max_message_size).unwrap_or(usize::MAX);
        let assembler = messages.then(|| MessageAssembler::new(max_message));
        let codec = params_from_js(&deflate)?.map(|(params, deflate_config)| {
            Box::new(Codec {
                params,
                level: deflate_config.level,
                compressor: Compressor::new(role, &params, &deflate_config),
                decompressor: Decompressor::new(role, &params, max_message),
            })
        });
        let config = config.with_compression(codec.is_some());
        Ok(Connection {
            conn: wsframe::Connection::new(role, config, keys),
            assembler,
            assembling: false,
            rx: Vec::new(),
            rx_start: 0,
            rx_end: 0,
            held: Vec::new(),
            recs: Vec::new(),
            table: Vec::new(),
            tx: Vec::new(),
            codec,
        })
    }

    /// `"client"` or `"server"`.
    #[wasm_bindgen(getter)]
    pub fn role(&self) -> String {
        match self.conn.role() {
            Role::Client => "client",
            Role::Server => "server",
        }
        .into()
    }

    /// The closing-handshake state: `"open"`, `"closeSent"`,
    /// `"closeReceived"`, `"closed"` or `"failed"` (RFC 6455 §7).
    #[wasm_bindgen(getter)]
    pub fn state(&self) -> String {
        match self.conn.state() {
            State::Open => "open",
            State::CloseSent => "closeSent",
            State::CloseReceived => "closeReceived",
            State::Closed => "closed",
            State::Failed => "failed",
            _ => "unknown",
        }
        .into()
    }

    /// Whether whole-message mode is on.
    #[wasm_bindgen(getter)]
    pub fn messages(&self) -> bool {
        self.assembler.is_some()
    }

    /// The permessage-deflate params in use (a frozen object), or `null`.
    #[wasm_bindgen(getter)]
    pub fn deflate(&self) -> JsValue {
        self.codec.as_ref().map_or(JsValue::NULL, |c| params_to_js(&c.params, c.level))
    }

    /// Bytes received but not yet consumed (a partial frame header or
    /// control frame).
    #[wasm_bindgen(getter, js_name = bufferedAmount)]
    pub fn buffered_amount(&self) -> usize {
        self.rx_end - self.rx_start
    }

    /// Makes room for `n` more input bytes and returns their address in wasm
    /// memory. Write exactly `n` bytes there, then call
    /// [`Connection::receive_reserved`] with `n`.
    ///
    /// Invalidates the payloads of the previous `receive`.
    pub fn reserve(&mut self, n: usize) -> usize {
        self.recs.clear();
        self.held.clear();
        if self.rx_start == self.rx_end {
            self.rx_start = 0;
            self.rx_end = 0;
            if self.rx.len() > KEEP_BUFFER && n <= KEEP_BUFFER {
                self.rx = Vec::new();
            }
        } else if self.rx_end + n > self.rx.len() && self.rx_start > 0 {
            self.rx.copy_within(self.rx_start..self.rx_end, 0);
            self.rx_end -= self.rx_start;
            self.rx_start = 0;
        }
        if self.rx_end + n > self.rx.len() {
            self.rx.resize(self.rx_end + n, 0);
        }
        self.rx.as_ptr() as usize + self.rx_end
    }

    /// Decodes the `n` bytes written at [`Connection::reserve`]'s address
    /// (plus any left over) into events; returns how many.
    ///
    /// # Errors
    ///
    /// A `ProtocolError` with `closeCode` when the peer broke RFC 6455; the
    /// events decoded before it are still in the table (`eventCount`).
    #[wasm_bindgen(js_name = receiveReserved)]
    pub fn receive_reserved(&mut self, n: usize) -> Result<usize, JsValue> {
        self.rx_end = (self.rx_end + n).min(self.rx.len());
        self.run()?;
        Ok(self.recs.len())
    }

    /// Copies `bytes` in and decodes them: [`Connection::reserve`] and
    /// [`Connection::receive_reserved`] in one call.
    ///
    /// # Errors
    ///
    /// As for [`Connection::receive_reserved`].
    pub fn receive(&mut self, bytes: &[u8]) -> Result<usize, JsValue> {
        self.reserve(bytes.len());
        if let Some(dst) = self.rx.get_mut(self.rx_end..self.rx_end + bytes.len()) {
            dst.copy_from_slice(bytes);
        }
        self.receive_reserved(bytes.len())
    }

    /// Events from the last `receive`.
    #[wasm_bindgen(getter, js_name = eventCount)]
    pub fn event_count(&self) -> usize {
        self.recs.len()
    }

    /// Address of the event table: `eventCount` rows of [`EVENT_WORDS`]
    /// `u32`s, `[kind, last, ptr, len, code]`, where `kind` is the opcode
    /// (1 text, 2 binary, 8 close, 9 ping, 10 pong), `ptr`/`len` the payload
    /// (for close, the reason) in wasm memory, `code` the close status or 0.
    /// Valid until the next call into the module.
    #[wasm_bindgen(js_name = eventTable)]
    pub fn event_table(&mut self) -> usize {
        self.table.clear();
        for r in &self.recs {
            let base = match r.src {
                Src::Rx => self.rx.as_ptr() as usize,
                Src::Held(i) => self.held.get(i).map_or(0, |v| v.as_ptr() as usize),
            };
            let ptr = base + r.start;
            self.table.extend_from_slice(&[
                r.kind,
                r.last.into(),
                ptr as u32,
                r.len as u32,
                r.code,
            ]);
        }
        self.table.as_ptr() as usize
    }

    /// Encodes a whole text message as one frame (RFC 6455 §5.6), compressed
    /// (RFC 7692 §7.2.1) when permessage-deflate is on and `compress` is not
    /// `false`.
    ///
    /// # Errors
    ///
    /// `WsframeError` with code `CLOSED` after a Close was sent,
    /// `MESSAGE_IN_PROGRESS` while a fragmented message is being sent.
    #[wasm_bindgen(js_name = sendText)]
    pub fn send_text(
        &mut self,
        text: &str,
        compress: Option<bool>,
    ) -> Result<js_sys::Uint8Array, JsValue> {
        if let (Some(codec), true) = (self.codec.as_deref_mut(), compress != Some(false)) {
            return compressed(
                &mut self.conn,
                codec,
                &mut self.tx,
                DataKind::Text,
                text.as_bytes(),
            );
        }
        let conn = &mut self.conn;
        encode(&mut self.tx, text.len(), |out| conn.send_text(text, out))
    }

    /// Encodes a whole binary message as one frame, compressed as for
    /// [`Connection::send_text`].
    ///
    /// # Errors
    ///
    /// As for [`Connection::send_text`].
    #[wasm_bindgen(js_name = sendBinary)]
    pub fn send_binary(
        &mut self,
        data: &[u8],
        compress: Option<bool>,
    ) -> Result<js_sys::Uint8Array, JsValue> {
        if let (Some(codec), true) = (self.codec.as_deref_mut(), compress != Some(false)) {
            return compressed(&mut self.conn, codec, &mut self.tx, DataKind::Binary, data);
        }
        let conn = &mut self.conn;
        encode(&mut self.tx, data.len(), |out| conn.send_binary(data, out))
    }

    /// Encodes one frame of a possibly fragmented message (RFC 6455 §5.4);
    /// `kind` is `"text"` or `"binary"`, continuations are the core's business.
    ///
    /// # Errors
    ///
    /// A `TypeError` for another `kind`; otherwise as for [`Connection::send_text`].
    #[wasm_bindgen(js_name = sendFrame)]
    pub fn send_frame(
        &mut self,
        kind: &str,
        data: &[u8],
        fin: bool,
    ) -> Result<js_sys::Uint8Array, JsValue> {
        let kind = match kind {
            "text" => DataKind::Text,
            "binary" => DataKind::Binary,
            _ => return Err(type_error("kind must be \"text\" or \"binary\"")),
        };
        let conn = &mut self.conn;
        encode(&mut self.tx, data.len(), |out| conn.send_frame(kind, data, fin, out))
    }

    /// Encodes a Ping (RFC 6455 §5.5.2), at most 125 bytes of payload.
    ///
    /// # Errors
    ///
    /// `WsframeError` with code `CONTROL_PAYLOAD_TOO_LARGE` or `CLOSED`.
    pub fn ping(&mut self, data: &[u8]) -> Result<js_sys::Uint8Array, JsValue> {
        let conn = &mut self.conn;
        encode(&mut self.tx, data.len(), |out| conn.send_ping(data, out))
    }

    /// Encodes a Pong (RFC 6455 §5.5.3); answering a Ping, pass its payload.
    ///
    /// # Errors
    ///
    /// As for [`Connection::ping`].
    pub fn pong(&mut self, data: &[u8]) -> Result<js_sys::Uint8Array, JsValue> {
        let conn = &mut self.conn;
        encode(&mut self.tx, data.len(), |out| conn.send_pong(data, out))
    }

    /// Encodes a Close (RFC 6455 §5.5.1) and moves the closing handshake on.
    /// No `code` sends an empty body; answering a Close, echo its code.
    ///
    /// # Errors
    ///
    /// `WsframeError` with code `INVALID_CLOSE_CODE`, `REASON_WITHOUT_CODE`,
    /// `CONTROL_PAYLOAD_TOO_LARGE` (reason over 123 bytes) or `CLOSED`.
    pub fn close(
        &mut self,
        code: Option<u32>,
        reason: &str,
    ) -> Result<js_sys::Uint8Array, JsValue> {
        let code = match code.map(u16::try_from) {
            None => None,
            Some(Ok(c)) => Some(CloseCode(c)),
            Some(Err(_)) => return Err(core_error(wsframe::Error::InvalidCloseCode)),
        };
        let conn = &mut self.conn;
        encode(&mut self.tx, 2 + reason.len(), |out| conn.send_close(code, reason, out))
    }
}

impl Connection {
    /// Runs the core over the buffered input until it needs more.
    fn run(&mut self) -> Result<(), JsValue> {
        loop {
            let input = self.rx.get_mut(self.rx_start..self.rx_end).unwrap_or_default();
            let base = self.rx_start;
            let origin = input.as_ptr() as usize;
            let received = self.conn.receive(input).map_err(core_error)?;
            self.rx_start += received.consumed;
            let Some(event) = received.event else { return Ok(()) };
            // Offsets of a payload within `rx`, from its address within `input`.
            let at = |data: &[u8]| base + (data.as_ptr() as usize - origin);
            let rx = |kind, data: &[u8], last, code| Rec {
                kind,
                last,
                src: Src::Rx,
                start: at(data),
                len: data.len(),
                code,
            };
            let (kind, data, last) = match event {
                Event::Text { data, last } => (DataKind::Text, data, last),
                Event::Binary { data, last } => (DataKind::Binary, data, last),
                Event::Ping(data) => {
                    self.recs.push(rx(KIND_PING, data, true, 0));
                    continue;
                }
                Event::Pong(data) => {
                    self.recs.push(rx(KIND_PONG, data, true, 0));
                    continue;
                }
                Event::Compressed { kind, data, last } => {
                    // The core reports these only when `Config::compression` is on,
                    // which it is exactly when there is a codec.
                    let Some(codec) = self.codec.as_mut() else {
                        return Err(js_error(
                            "WsframeError",
                            "INTERNAL",
                            "compressed message without a codec",
                        ));
                    };
                    let message = match codec.decompressor.decompress(kind, data, last) {
                        Ok(Some((_, message))) => message,
                        Ok(None) => continue,
                        // Inflation errors fail the connection like the core's own.
                        Err(e) => return Err(core_error(fail(&mut self.conn, e))),
                    };
                    // Inflated messages are whole, in either delivery mode.
                    self.held.push(message.to_vec());
                    self.recs.push(Rec {
                        kind: match kind {
                            DataKind::Text => KIND_TEXT,
                            DataKind::Binary => KIND_BINARY,
                        },
                        last: true,
                        src: Src::Held(self.held.len() - 1),
                        start: 0,
                        len: message.len(),
                        code: 0,
                    });
                    continue;
                }
                Event::Close(frame) => {
                    let (code, reason) =
                        frame.map_or((0, &[][..]), |f| (u32::from(f.code.0), f.reason.as_bytes()));
                    self.recs.push(rx(KIND_CLOSE, reason, true, code));
                    continue;
                }
            };
            let kind_no = match kind {
                DataKind::Text => KIND_TEXT,
                DataKind::Binary => KIND_BINARY,
            };
            let Some(asm) = self.assembler.as_mut() else {
                self.recs.push(rx(kind_no, data, last, 0));
                continue;
            };
            if last && !self.assembling {
                // A message in one chunk: deliver it in place, no reassembly copy.
                self.recs.push(rx(kind_no, data, true, 0));
                continue;
            }
            let done = match asm.push(kind, data, last) {
                Ok(done) => done,
                Err(e) => return Err(core_error(fail(&mut self.conn, e))),
            };
            self.assembling = !last;
            if let Some((_, message)) = done {
                self.held.push(message.to_vec());
                self.recs.push(Rec {
                    kind: kind_no,
                    last: true,
                    src: Src::Held(self.held.len() - 1),
                    start: 0,
                    len: message.len(),
                    code: 0,
                });
            }
        }
    }

    /// Event `i` of the last `receive` as `(kind, last, payload, code)`, for
    /// Rust callers and tests (JavaScript reads [`Connection::event_table`]).
    pub fn event(&self, i: usize) -> Option<(u32, bool, &[u8], u32)> {
        let r = self.recs.get(i)?;
        let buf = match r.src {
            Src::Rx => self.rx.as_slice(),
            Src::Held(h) => self.held.get(h)?.as_slice(),
        };
        Some((r.kind, r.last, buf.get(r.start..r.start + r.len)?, r.code))
    }
}

/// A whole message compressed (RFC 7692 §7.2.1) as one frame with RSV1 set.
fn compressed(
    conn: &mut wsframe::Connection<KeySource>,
    codec: &mut Codec,
    tx: &mut Vec<u8>,
    kind: DataKind,
    data: &[u8],
) -> Result<js_sys::Uint8Array, JsValue> {
    // A refused send must not advance the compression context: ask first.
    conn.can_start_message().map_err(core_error)?;
    let deflated = codec.compressor.compress(data);
    encode(tx, deflated.len(), |out| conn.send_compressed_frame(kind, deflated, true, out))
}

/// Routes a violation found outside `receive` through the core's state machine.
fn fail(conn: &mut wsframe::Connection<KeySource>, e: Error) -> Error {
    match e {
        Error::Protocol(violation) => conn.fail(violation),
        other => other,
    }
}

/// Encodes into `tx` (grown to fit) with `f`, and copies the frame out.
fn encode(
    tx: &mut Vec<u8>,
    payload_len: usize,
    f: impl FnOnce(&mut [u8]) -> Result<usize, wsframe::Error>,
) -> Result<js_sys::Uint8Array, JsValue> {
    let need = frame::max_frame_len(payload_len);
    if tx.len() < need {
        tx.resize(need, 0);
    }
    let result = f(tx).map_err(core_error);
    let out = result.map(|n| js_sys::Uint8Array::from(tx.get(..n).unwrap_or_default()));
    if tx.len() > KEEP_BUFFER {
        *tx = Vec::new();
    }
    out
}
