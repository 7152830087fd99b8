//! `RawConnection`: the core's [`Session`] with its input buffer in wasm memory.
//!
//! JavaScript writes what it read straight into wasm memory
//! ([`Connection::reserve`]) and pulls events one at a time
//! ([`Connection::pull`]). The Session decodes at most one message per pull,
//! so the application answers each before the next is decoded, and a
//! violation is met only after them (RFC 6455 §7.1.7). Sends are written
//! straight into the Session's outgoing buffer ([`Connection::stage`]), where
//! they queue in order with its automatic replies until JavaScript copies
//! them out ([`Connection::outgoing`], [`Connection::consume_outgoing`]).

use wasm_bindgen::prelude::*;
use wsframe::session::{DEFAULT_RETAIN_BUFFER, InputRoom, Message, Session, SessionConfig};
use wsframe::{CloseCode, Config, DataKind, Role, State};

use crate::deflate;
use crate::error::{core_error, type_error};
use crate::random::{self, WebCrypto};

/// A WebSocket connection after the opening handshake (RFC 6455 §5-§7).
///
/// Exported to JavaScript as `RawConnection`; the `Connection` class of the
/// `wsframe` package wraps it.
#[wasm_bindgen(js_name = RawConnection)]
#[derive(Debug)]
pub struct Connection {
    session: Session<WebCrypto>,
    /// Input; `rx[start..end]` is not consumed yet. Its length is its
    /// capacity, zero-filled once when grown.
    rx: Vec<u8>,
    start: usize,
    end: usize,
    /// What a call handed JavaScript, read right after it: the event of a
    /// `pull`, `[kind, ptr, len, extra]`, where `extra` is `last` for data
    /// and the status code (0: none) for a Close; or the queued bytes,
    /// `[ptr, len]`, of `outgoing` and `frameHeader`.
    table: [u32; 4],
    /// Why the last `sendStaged` was refused.
    error: Option<wsframe::Error>,
}

#[wasm_bindgen(js_class = RawConnection)]
impl Connection {
    /// A connection in the `open` state. `role` is `"client"` (masks every
    /// frame, keys from `crypto.getRandomValues`) or `"server"`. Absent
    /// limits take the core's defaults. `messages` delivers whole messages,
    /// otherwise uncompressed ones arrive as chunks. `deflate` is the
    /// negotiated permessage-deflate as `[serverNoContextTakeover,
    /// clientNoContextTakeover, serverMaxWindowBits, clientMaxWindowBits,
    /// level]`, validated by the JavaScript wrapper. `heartbeat` is
    /// `[interval, timeout]` in ms for the core's keepalive (see `poll`).
    ///
    /// # Errors
    ///
    /// A `TypeError` for another role; a `WsframeError` (code `NO_CRYPTO`)
    /// for a client without Web Crypto.
    #[wasm_bindgen(constructor)]
    #[allow(clippy::too_many_arguments)]
    pub fn new(
        role: &str,
        max_frame_payload: Option<f64>,
        max_message_size: Option<f64>,
        max_fragments: Option<u32>,
        messages: bool,
        deflate: Option<Vec<u8>>,
        auto_pong: bool,
        auto_close: bool,
        heartbeat: Option<Vec<f64>>,
    ) -> Result<Connection, JsValue> {
        let role = match role {
            // Shown to work now, so that a missing source is not found at the first send.
            "client" => random::fill(&mut [0u8; 4]).map(|()| Role::Client)?,
            "server" => Role::Server,
            _ => return Err(type_error("role must be \"client\" or \"server\"")),
        };
        let d = Config::DEFAULT;
        let limits = d
            .with_max_frame_payload(max_frame_payload.map_or(d.max_frame_payload, |v| v as u64))
            .with_max_message_size(max_message_size.map_or(d.max_message_size, |v| v as u64))
            .with_max_fragments(max_fragments.unwrap_or(d.max_fragments));
        let mut config = SessionConfig::default()
            .with_limits(limits)
            .with_streaming(!messages)
            .with_auto_pong(auto_pong)
            .with_auto_close(auto_close);
        if let Some(&[interval, timeout]) = heartbeat.as_deref() {
            config = config.with_keepalive(interval as u64, timeout as u64);
        }
        if let Some(fields) = deflate {
            let c = deflate::config(&fields);
            config = config.with_deflate(deflate::params(&c)).with_compression_level(c.level);
        }
        Ok(Connection {
            session: Session::new(role, config, WebCrypto),
            rx: Vec::new(),
            start: 0,
            end: 0,
            table: [0; 4],
            error: None,
        })
    }

    /// The closing-handshake state: `"open"`, `"closeSent"`,
    /// `"closeReceived"`, `"closed"` or `"failed"` (RFC 6455 §7).
    #[wasm_bindgen(getter)]
    pub fn state(&self) -> String {
        match self.session.state() {
            State::Open => "open",
            State::CloseSent => "closeSent",
            State::CloseReceived => "closeReceived",
            State::Closed => "closed",
            State::Failed => "failed",
            _ => "unknown",
        }
        .into()
    }

    /// Received bytes not decoded yet.
    #[wasm_bindgen(getter, js_name = pendingInputBytes)]
    pub fn pending_input_bytes(&self) -> usize {
        self.end - self.start
    }

    /// Takes up to `n` bytes of input: returns the address of `[ptr, k]` (the
    /// event table) for the first `k` of them, to write at `ptr` in wasm
    /// memory before any other call. `k` is less than `n` only inside a
    /// message being reassembled (see the core's `Session::input_room`):
    /// `pull`, then `reserve` the rest. Invalidates the previous event.
    pub fn reserve(&mut self, n: usize) -> usize {
        let mut k = n;
        if self.start == self.end {
            // Payload of a message being reassembled goes straight into it.
            match self.session.input_room(n) {
                InputRoom::Slot(slot) => return span(&mut self.table, slot),
                InputRoom::Input(want) => k = want,
            }
            (self.start, self.end) = (0, 0);
            if self.rx.len() > DEFAULT_RETAIN_BUFFER && k <= DEFAULT_RETAIN_BUFFER {
                self.rx = Vec::new();
            }
        } else if self.end + k > self.rx.len() {
            self.rx.copy_within(self.start..self.end, 0);
            (self.start, self.end) = (0, self.end - self.start);
        }
        self.rx.resize(self.rx.len().max(self.end + k), 0);
        self.end += k;
        span(&mut self.table, self.rx.get(self.end - k..self.end).unwrap_or_default())
    }

    /// Decodes the next event from the input: returns the address of the
    /// event table (`[kind, ptr, len, extra]` as `u32`s, `kind` the opcode:
    /// 1 text, 2 binary, 8 close, 9 ping, 10 pong; `ptr`/`len` the payload,
    /// for a Close the reason), or 0 when more input is needed. The table and
    /// payload are valid until the next call.
    ///
    /// # Errors
    ///
    /// A `ProtocolError` with `closeCode` when the peer broke RFC 6455 or
    /// RFC 7692; with `autoClose` the Close is queued after what the
    /// application sent before this call.
    pub fn pull(&mut self) -> Result<usize, JsValue> {
        let input = self.rx.get_mut(self.start..self.end).unwrap_or_default();
        let received = self.session.receive(input).map_err(core_error)?;
        self.start += received.consumed;
        let Some(message) = received.message else { return Ok(0) };
        let (kind, data, extra) = match message {
            Message::Text(text) => (0x1, text.as_bytes(), 1),
            Message::Binary(data) => (0x2, data, 1),
            // Event kinds are the frame opcodes (RFC 6455 §5.2).
            Message::Chunk { kind, data, last } => {
                (1 + (kind == DataKind::Binary) as u32, data, u32::from(last))
            }
            Message::Ping(data) => (0x9, data, 0),
            Message::Pong(data) => (0xA, data, 0),
            Message::Close(frame) => (
                0x8,
                frame.map_or(&[][..], |f| f.reason.as_bytes()),
                frame.map_or(0, |f| f.code.0.into()),
            ),
        };
        self.table = [kind, data.as_ptr() as u32, data.len() as u32, extra];
        Ok(self.table.as_ptr() as usize)
    }

    /// Room for a `len`-byte message at the end of the outgoing queue: its
    /// address in wasm memory. Write exactly the payload there, then call
    /// `sendStaged` with the same `len` before any other call (the one copy of
    /// a send: no allocation, the frame built around the bytes in place).
    ///
    /// Unless `grow`, only where the queue has room already: 0 otherwise (no
    /// allocation, so the memory did not grow and views into it still hold).
    pub fn stage(&mut self, len: usize, grow: bool) -> usize {
        if grow {
            self.session.stage(len).as_mut_ptr() as usize
        } else {
            self.session.try_stage(len).map_or(0, |room| room.as_mut_ptr() as usize)
        }
    }

    /// Queues the message written at `stage`'s address (RFC 6455 §5.6): text
    /// unless `binary`, compressed (RFC 7692) when permessage-deflate is on
    /// and `compress`. Returns false when it was refused (nothing is queued
    /// then): `takeError` has the error to throw, a `WsframeError` with code
    /// `CLOSED` after a Close was sent, `MESSAGE_IN_PROGRESS` while a
    /// fragmented message is being sent. (A hot call: no `Result`, whose
    /// return JavaScript would receive as a new array each time.)
    #[wasm_bindgen(js_name = sendStaged)]
    pub fn send_staged(&mut self, binary: bool, len: usize, compress: bool) -> bool {
        let kind = if binary { DataKind::Binary } else { DataKind::Text };
        let r = self.session.send_staged(kind, len, compress);
        self.error = r.err();
        self.error.is_none()
    }

    /// `sendStaged`, then `takeQueued(room)`: one call for a send whose
    /// frame is copied out at once. Returns what `takeQueued` returns, or 0
    /// when the message was refused (as `sendStaged`'s false).
    #[wasm_bindgen(js_name = sendStagedTake)]
    pub fn send_staged_take(
        &mut self,
        binary: bool,
        len: usize,
        compress: bool,
        room: usize,
    ) -> usize {
        match self.send_staged(binary, len, compress) {
            true => self.take_queued(room),
            false => 0,
        }
    }

    /// Queues only the header of a `len`-byte message (binary unless text)
    /// whose payload JavaScript writes itself, uncopied, right after the
    /// queued bytes. Returns 0 when refused, as `sendStaged`, and for a
    /// client (no error then: its payload must be masked, so it uses
    /// `stage`). When the queue then holds at most 4 bytes (the header
    /// alone), it takes them and returns `n * 2^32 + word`: the `n` bytes are
    /// those of `word`, a `u32`, low byte first (one call, no table, no
    /// `consumeOutgoing`). Otherwise it returns what `outgoing` returns.
    #[wasm_bindgen(js_name = frameHeader)]
    pub fn frame_header(&mut self, binary: bool, len: usize) -> f64 {
        let kind = if binary { DataKind::Binary } else { DataKind::Text };
        let r = (self.session.role() == Role::Server).then(|| self.session.send_header(kind, len));
        self.error = r.and_then(Result::err);
        if r.is_none_or(|r| r.is_err()) {
            return 0.0;
        }
        let queued = self.session.outgoing();
        let n = queued.len();
        if n > 4 {
            return self.outgoing() as f64;
        }
        let byte = |i: usize| f64::from(queued.get(i).copied().unwrap_or(0));
        let packed = (0..4).rev().fold(n as f64, |word, i| word * 256.0 + byte(i));
        self.session.consume_outgoing(n);
        packed
    }

    /// The error of the last refused `sendStaged` or `frameHeader`, as an
    /// exception to throw.
    #[wasm_bindgen(js_name = takeError)]
    pub fn take_error(&mut self) -> JsValue {
        self.error.take().map_or(JsValue::UNDEFINED, core_error)
    }

    /// The bytes queued for the peer and not taken yet, oldest first: the
    /// address of `[ptr, len]`, where they are in wasm memory (valid until
    /// the next call).
    pub fn outgoing(&mut self) -> usize {
        span(&mut self.table, self.session.outgoing())
    }

    /// Everything queued, taken from the queue in this call when it is at
    /// most `room` bytes: the address of `[ptr, len, taken]`, `taken` 1 when
    /// the bytes left the queue (copy them out before any other call; one
    /// call where `outgoing` and `consumeOutgoing` are two), 0 when they
    /// stayed queued (more than `room`; then as `outgoing`).
    #[wasm_bindgen(js_name = takeQueued)]
    pub fn take_queued(&mut self, room: usize) -> usize {
        if self.session.outgoing().len() > room {
            return self.outgoing();
        }
        let at = span(&mut self.table, self.session.take_outgoing());
        self.table[2] = 1;
        at
    }

    /// Drops the first `n` queued bytes, which JavaScript has copied out.
    #[wasm_bindgen(js_name = consumeOutgoing)]
    pub fn consume_outgoing(&mut self, n: usize) {
        self.session.consume_outgoing(n);
    }

    /// Queues a text message from a JavaScript string, as `sendStaged`.
    ///
    /// # Errors
    ///
    /// As for `sendStaged`.
    #[wasm_bindgen(js_name = sendText)]
    pub fn send_text(&mut self, text: &str, compress: bool) -> Result<(), JsValue> {
        self.session.send(DataKind::Text, text.as_bytes(), compress).map_err(core_error)
    }

    /// Queues one uncompressed frame of a message sent in pieces (RFC 6455
    /// §5.4); `fin` ends it.
    ///
    /// # Errors
    ///
    /// As for `sendStaged`.
    #[wasm_bindgen(js_name = sendFragment)]
    pub fn send_fragment(&mut self, binary: bool, data: &[u8], fin: bool) -> Result<(), JsValue> {
        let kind = if binary { DataKind::Binary } else { DataKind::Text };
        self.session.send_fragment(kind, data, fin).map_err(core_error)
    }

    /// Queues a Ping (RFC 6455 §5.5.2), at most 125 bytes of payload.
    ///
    /// # Errors
    ///
    /// `WsframeError` with code `CONTROL_PAYLOAD_TOO_LARGE` or `CLOSED`.
    pub fn ping(&mut self, data: &[u8]) -> Result<(), JsValue> {
        self.session.ping(data).map_err(core_error)
    }

    /// Queues a Pong (RFC 6455 §5.5.3).
    ///
    /// # Errors
    ///
    /// As for [`Connection::ping`].
    pub fn pong(&mut self, data: &[u8]) -> Result<(), JsValue> {
        self.session.pong(data).map_err(core_error)
    }

    /// Queues a Close (RFC 6455 §5.5.1); no `code` sends an empty body.
    ///
    /// # Errors
    ///
    /// `WsframeError` with code `INVALID_CLOSE_CODE`, `REASON_WITHOUT_CODE`,
    /// `CONTROL_PAYLOAD_TOO_LARGE` or `CLOSED`.
    pub fn close(&mut self, code: Option<u16>, reason: &str) -> Result<(), JsValue> {
        self.session.close(code.map(CloseCode), reason).map_err(core_error)
    }

    /// Runs the heartbeat at `now` (ms): `"idle"`, `"ping"` (a Ping was
    /// queued) or `"dead"` (nothing arrived within the timeout after it).
    /// Always `"idle"` without a heartbeat.
    pub fn poll(&mut self, now: f64) -> String {
        crate::liveness::action_name(self.session.poll(now as u64))
    }

    /// When `poll` next has something to do (ms), or `undefined` without a
    /// heartbeat or before the first `poll`.
    #[wasm_bindgen(getter, js_name = nextDeadline)]
    pub fn next_deadline(&self) -> Option<f64> {
        self.session.next_deadline().map(|d| d as f64)
    }
}

/// Writes where `bytes` are, `[ptr, len]`, into `table` and returns its
/// address.
fn span(table: &mut [u32; 4], bytes: &[u8]) -> usize {
    *table = [bytes.as_ptr() as u32, bytes.len() as u32, 0, 0];
    table.as_ptr() as usize
}
