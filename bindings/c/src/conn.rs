//! Connections: create, configure, receive, send.

use core::ffi::c_void;

#[cfg(feature = "std")]
use wsframe::extensions::deflate::{Compressor, Decompressor};
use wsframe::extensions::deflate::{DeflateConfig, DeflateParams};
use wsframe::frame::{MAX_CONTROL_PAYLOAD, MAX_HEADER_LEN};
use wsframe::{CloseCode, Config, Connection, DataKind, Error, Event, Role, State};

#[cfg(feature = "std")]
use crate::deflate::Codec;
use crate::deflate::{wsframe_deflate_config, wsframe_deflate_params};
use crate::guard::{guard, guard_value};
use crate::random::{KeySource, Source, wsframe_random_fn};
use crate::raw::{self, KeyProxy, Out};
use crate::result::wsframe_result::{self, *};

/// A WebSocket connection after the opening handshake (opaque).
///
/// Created by `wsframe_conn_new` (heap) or `wsframe_conn_init` (caller
/// memory), ended by `wsframe_conn_free` (either kind). Not thread-safe: one
/// thread at a time may use a connection; it may move between threads.
pub struct wsframe_conn {
    _private: [u8; 0],
}

/// The two ends of a connection (RFC 6455 §5.1): clients mask what they send
/// and expect unmasked frames, servers the reverse.
#[repr(u32)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum wsframe_role {
    /// The side that opened the connection; masks every frame it sends.
    WSFRAME_ROLE_CLIENT = 1,
    /// The side that accepted it; never masks.
    WSFRAME_ROLE_SERVER = 2,
}

impl TryFrom<u32> for wsframe_role {
    type Error = wsframe_result;

    fn try_from(v: u32) -> Result<Self, wsframe_result> {
        match v {
            1 => Ok(Self::WSFRAME_ROLE_CLIENT),
            2 => Ok(Self::WSFRAME_ROLE_SERVER),
            _ => Err(WSFRAME_RESULT_INVALID_ARGUMENT),
        }
    }
}

impl From<wsframe_role> for Role {
    fn from(r: wsframe_role) -> Self {
        match r {
            wsframe_role::WSFRAME_ROLE_CLIENT => Role::Client,
            wsframe_role::WSFRAME_ROLE_SERVER => Role::Server,
        }
    }
}

/// The type of a data message. The values are the frame opcodes.
#[repr(u32)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum wsframe_data_kind {
    /// UTF-8 text (opcode 0x1).
    WSFRAME_DATA_KIND_TEXT = 1,
    /// Arbitrary bytes (opcode 0x2).
    WSFRAME_DATA_KIND_BINARY = 2,
}

impl TryFrom<u32> for wsframe_data_kind {
    type Error = wsframe_result;

    fn try_from(v: u32) -> Result<Self, wsframe_result> {
        match v {
            1 => Ok(Self::WSFRAME_DATA_KIND_TEXT),
            2 => Ok(Self::WSFRAME_DATA_KIND_BINARY),
            _ => Err(WSFRAME_RESULT_INVALID_ARGUMENT),
        }
    }
}

impl From<wsframe_data_kind> for DataKind {
    fn from(k: wsframe_data_kind) -> Self {
        match k {
            wsframe_data_kind::WSFRAME_DATA_KIND_TEXT => DataKind::Text,
            wsframe_data_kind::WSFRAME_DATA_KIND_BINARY => DataKind::Binary,
        }
    }
}

/// What `wsframe_conn_receive` produced. The values are the frame opcodes.
#[repr(u32)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum wsframe_event_type {
    /// No event: all input was consumed and more is needed.
    WSFRAME_EVENT_NONE = 0,
    /// A chunk of a text message; `last` marks its final chunk.
    WSFRAME_EVENT_TEXT = 1,
    /// A chunk of a binary message; `last` marks its final chunk.
    WSFRAME_EVENT_BINARY = 2,
    /// The peer's Close (RFC 6455 §5.5.1): `close_code` (0 if none) and the
    /// reason in `data`/`len`. Unless we sent a Close first, answer with
    /// `wsframe_conn_send_close`, usually echoing the code.
    WSFRAME_EVENT_CLOSE = 8,
    /// A Ping (RFC 6455 §5.5.2): answer with `wsframe_conn_send_pong` and
    /// the same payload.
    WSFRAME_EVENT_PING = 9,
    /// A Pong (RFC 6455 §5.5.3).
    WSFRAME_EVENT_PONG = 10,
}

/// Where the closing handshake stands (RFC 6455 §7).
#[repr(u32)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum wsframe_state {
    /// Not a connection: `wsframe_conn_state` was given NULL or a dead handle.
    WSFRAME_STATE_INVALID = 0,
    /// Data flows both ways.
    WSFRAME_STATE_OPEN = 1,
    /// We sent a Close and wait for the peer's; incoming data is still delivered.
    WSFRAME_STATE_CLOSE_SENT = 2,
    /// The peer sent a Close: answer it with `wsframe_conn_send_close`.
    WSFRAME_STATE_CLOSE_RECEIVED = 3,
    /// Both Closes were exchanged: close the socket (a server first, RFC 6455 §7.1.1).
    WSFRAME_STATE_CLOSED = 4,
    /// The peer violated the protocol: send the Close that
    /// `wsframe_result_close_code` named, then close the socket (§7.1.7).
    WSFRAME_STATE_FAILED = 5,
}

/// One event from `wsframe_conn_receive`.
///
/// `data` points into the caller's input buffer (payloads are unmasked in
/// place there) and stays valid until the caller reuses or frees that memory
/// or calls the connection again, whichever comes first. Nothing is
/// allocated; there is nothing to free. The one exception: with
/// permessage-deflate on, a compressed message's `data` points into the
/// connection's inflate buffer, valid until the next call on the connection.
#[repr(C)]
#[derive(Debug, Clone, Copy)]
pub struct wsframe_event {
    /// A `WSFRAME_EVENT_*` value.
    pub r#type: wsframe_event_type,
    /// For TEXT and BINARY: whether this chunk ends the message. Always true
    /// for control frames (they are delivered whole); false for NONE.
    pub last: bool,
    /// For CLOSE: the peer's status code, 0 if it sent none. Otherwise 0.
    pub close_code: u16,
    /// The chunk, the Ping/Pong payload, or the Close reason (UTF-8, not
    /// NUL-terminated). NULL exactly when `len` is 0.
    pub data: *const u8,
    /// Bytes at `data`.
    pub len: usize,
}

/// Largest frame header: 2 + 8 (64-bit length) + 4 (masking key).
pub const WSFRAME_MAX_HEADER_LEN: usize = 14;
/// Largest Ping, Pong or Close payload (RFC 6455 §5.5).
pub const WSFRAME_MAX_CONTROL_PAYLOAD: usize = 125;
/// Largest close reason: the Close payload less the two-byte code.
pub const WSFRAME_MAX_CLOSE_REASON: usize = 123;
/// Bytes of storage that `wsframe_conn_init` needs at most on any target
/// (`wsframe_conn_storage_size()` is the exact figure for this build), for
/// sizing static buffers at compile time.
pub const WSFRAME_CONN_STORAGE_SIZE: usize = 256;
/// Alignment that `wsframe_conn_init` storage needs at most on any target.
pub const WSFRAME_CONN_STORAGE_ALIGN: usize = 8;

const _: () = {
    assert!(WSFRAME_MAX_HEADER_LEN == MAX_HEADER_LEN);
    assert!(WSFRAME_MAX_CONTROL_PAYLOAD == MAX_CONTROL_PAYLOAD);
    assert!(WSFRAME_MAX_CLOSE_REASON == wsframe::close::MAX_REASON_LEN);
    assert!(raw::CONN_LAYOUT.0 <= WSFRAME_CONN_STORAGE_SIZE);
    assert!(raw::CONN_LAYOUT.1 <= WSFRAME_CONN_STORAGE_ALIGN);
};

/// A connection as stored behind a `wsframe_conn` handle.
#[derive(Debug)]
pub(crate) struct Conn {
    /// Read by the core (through the proxy) while `core` is borrowed.
    pub(crate) keys: KeySource,
    /// This object's address, to refuse a byte copy of it.
    pub(crate) home: usize,
    pub(crate) core: ConnCore,
}

#[derive(Debug)]
pub(crate) struct ConnCore {
    /// A frame was sent or input received: limits can no longer change.
    started: bool,
    /// A copy of the proxy inside `conn`, for rebuilding it with new limits.
    proxy: KeyProxy,
    conn: Connection<KeyProxy>,
    /// What only hosted builds allocate: the deflate codec and the buffer
    /// `wsframe_conn_send_message` frames into. None until first needed.
    #[cfg(feature = "std")]
    heap: Option<std::boxed::Box<Heap>>,
}

/// A connection's heap parts.
#[cfg(feature = "std")]
#[derive(Debug, Default)]
struct Heap {
    codec: Option<Codec>,
    /// The last frame `wsframe_conn_send_message` wrote; grows to the
    /// largest and is reused.
    frame: std::vec::Vec<u8>,
}

impl ConnCore {
    fn new(role: Role, proxy: KeyProxy) -> Self {
        Self {
            started: false,
            proxy,
            conn: Connection::new(role, Config::DEFAULT, proxy),
            #[cfg(feature = "std")]
            heap: None,
        }
    }

    /// Rebuilds the (unused) connection with new limits.
    fn configure(&mut self, f: impl FnOnce(Config) -> Config) -> Result<(), wsframe_result> {
        if self.started {
            return Err(WSFRAME_RESULT_IN_USE);
        }
        let config = f(*self.conn.config());
        self.conn = Connection::new(self.conn.role(), config, self.proxy);
        #[cfg(feature = "std")]
        if let Some(codec) = self.heap.as_mut().and_then(|h| h.codec.as_mut()) {
            // The inflated-size limit follows the message size limit.
            let max = usize::try_from(config.max_message_size).unwrap_or(usize::MAX);
            if codec.decompressor.max_message_size() != max {
                codec.decompressor = Decompressor::new(self.conn.role(), &codec.params, max);
            }
        }
        Ok(())
    }

    /// The core's `receive`, with compressed messages inflated whole.
    fn receive(&mut self, input: &mut [u8]) -> Result<(usize, wsframe_event), wsframe_result> {
        let mut pos = 0;
        loop {
            let rest = input.get_mut(pos..).unwrap_or_default();
            let received = self.conn.receive(rest).map_err(wsframe_result::from)?;
            pos += received.consumed;
            match received.event {
                Some(Event::Compressed { kind, data, last }) => {
                    match self.inflate(kind, data, last)? {
                        // A fragment: go on with the input that follows it.
                        None => continue,
                        Some(ev) => return Ok((pos, ev)),
                    }
                }
                other => return Ok((pos, event_of(other)?)),
            }
        }
    }

    /// Feeds a compressed chunk to the decompressor; the whole message when
    /// it is complete.
    #[cfg(feature = "std")]
    fn inflate(
        &mut self,
        kind: DataKind,
        data: &[u8],
        last: bool,
    ) -> Result<Option<wsframe_event>, wsframe_result> {
        // The core reports compressed chunks only once `enable_deflate`
        // turned compression on, which needs the codec.
        let codec =
            self.heap.as_mut().and_then(|h| h.codec.as_mut()).ok_or(WSFRAME_RESULT_PANIC)?;
        match codec.decompressor.decompress(kind, data, last) {
            Ok(None) => Ok(None),
            Ok(Some((kind, message))) => {
                let ev = match kind {
                    DataKind::Text => Event::Text { data: message, last: true },
                    _ => Event::Binary { data: message, last: true },
                };
                event_of(Some(ev)).map(Some)
            }
            // The codec's violations fail the connection as the core's own do.
            Err(Error::Protocol(p)) => Err(self.conn.fail(p).into()),
            Err(e) => Err(e.into()),
        }
    }

    #[cfg(not(feature = "std"))]
    fn inflate(
        &mut self,
        _kind: DataKind,
        _data: &[u8],
        _last: bool,
    ) -> Result<Option<wsframe_event>, wsframe_result> {
        // Compression cannot be enabled without std.
        Err(WSFRAME_RESULT_PANIC)
    }
}

#[cfg(feature = "std")]
impl ConnCore {
    fn enable_deflate(
        &mut self,
        params: DeflateParams,
        config: DeflateConfig,
    ) -> Result<(), wsframe_result> {
        if self.started || self.conn.config().compression {
            return Err(WSFRAME_RESULT_IN_USE);
        }
        let role = self.conn.role();
        let max = usize::try_from(self.conn.config().max_message_size).unwrap_or(usize::MAX);
        let codec = Codec {
            params,
            compressor: Compressor::new(role, &params, &config),
            decompressor: Decompressor::new(role, &params, max),
        };
        self.heap.get_or_insert_with(Default::default).codec = Some(codec);
        self.configure(|cfg| cfg.with_compression(true))
    }

    /// Frames a whole message into the heap frame buffer, compressed if
    /// `compress` and deflate is on.
    fn send_message(
        &mut self,
        keys: &KeySource,
        kind: DataKind,
        data: &[u8],
        compress: bool,
    ) -> Result<&[u8], wsframe_result> {
        let Heap { codec, frame } = &mut **self.heap.get_or_insert_with(Default::default);
        if raw::overlap(data.as_ptr(), data.len(), frame.as_ptr(), frame.capacity()) {
            return Err(WSFRAME_RESULT_INVALID_ARGUMENT);
        }
        let compressor = codec.as_mut().filter(|_| compress).map(|c| &mut c.compressor);
        // Whatever could refuse the frame is asked first: a message
        // compressed but never sent would leave the peer's context behind
        // ours. (A frame of a kind being sent in fragments would continue
        // that message, which is not what a whole message means either.)
        self.conn.can_start_message().map_err(wsframe_result::from)?;
        if self.conn.role() == Role::Client {
            keys.prepare()?;
        }
        let compressed = compressor.is_some();
        let payload = match compressor {
            Some(c) => c.compress(data),
            None => data,
        };
        let need = wsframe::frame::max_frame_len(payload.len());
        if frame.len() < need {
            frame.resize(need, 0);
        }
        let r = if compressed {
            self.conn.send_compressed_frame(kind, payload, true, frame)
        } else {
            self.conn.send_frame(kind, payload, true, frame)
        };
        self.started |= r.is_ok();
        if keys.take_failure() {
            return Err(WSFRAME_RESULT_RANDOM_FAILED);
        }
        let n = r.map_err(wsframe_result::from)?;
        Ok(frame.get(..n).unwrap_or_default())
    }
}

#[cfg(not(feature = "std"))]
impl ConnCore {
    fn enable_deflate(
        &mut self,
        _params: DeflateParams,
        _config: DeflateConfig,
    ) -> Result<(), wsframe_result> {
        Err(WSFRAME_RESULT_UNSUPPORTED)
    }

    fn send_message(
        &mut self,
        _keys: &KeySource,
        _kind: DataKind,
        _data: &[u8],
        _compress: bool,
    ) -> Result<&[u8], wsframe_result> {
        Err(WSFRAME_RESULT_UNSUPPORTED)
    }
}

fn state_of(state: State) -> wsframe_state {
    match state {
        State::Open => wsframe_state::WSFRAME_STATE_OPEN,
        State::CloseSent => wsframe_state::WSFRAME_STATE_CLOSE_SENT,
        State::CloseReceived => wsframe_state::WSFRAME_STATE_CLOSE_RECEIVED,
        State::Closed => wsframe_state::WSFRAME_STATE_CLOSED,
        // Failed, and any state added to the core later: nothing more to do
        // but close the socket.
        _ => wsframe_state::WSFRAME_STATE_FAILED,
    }
}

/// The connection behind `conn`.
///
/// # Safety
///
/// `conn` is NULL or a handle from `wsframe_conn_new`/`wsframe_conn_init`
/// not yet ended, used by no other thread during the call.
unsafe fn parts<'a>(
    conn: *mut wsframe_conn,
) -> Result<(&'a mut ConnCore, &'a KeySource), wsframe_result> {
    // SAFETY: the caller's contract is `raw::conn_parts`'s.
    unsafe { raw::conn_parts(conn) }
}

/// Creates a connection on the heap, in the OPEN state with default limits
/// (16 MiB frames and messages, 2^20 fragments per message). Clients draw
/// masking keys from the OS unless `wsframe_conn_set_random` says otherwise.
///
/// On success `*conn_out` receives the connection, owned by the caller until
/// `wsframe_conn_free`. On failure `*conn_out` is not written.
///
/// Results: OK, NULL_POINTER (`conn_out`), INVALID_ARGUMENT (`role` is not a
/// `WSFRAME_ROLE_*`), UNSUPPORTED (library built without `std`: use
/// `wsframe_conn_init`).
///
/// # Safety
///
/// `conn_out` must be NULL or valid for writing one pointer.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn wsframe_conn_new(
    role: u32,
    conn_out: *mut *mut wsframe_conn,
) -> wsframe_result {
    guard(|| {
        // SAFETY: caller contract.
        let out = unsafe { raw::out(conn_out) }?;
        let role = Role::from(wsframe_role::try_from(role)?);
        new_heap(role, out)
    })
}

#[cfg(feature = "std")]
fn new_heap(role: Role, out: Out<'_, *mut wsframe_conn>) -> Result<(), wsframe_result> {
    let (storage, len) = raw::new_conn_box();
    // SAFETY: fresh heap storage of exactly the right size and alignment;
    // `wsframe_conn_free` releases it.
    let conn = unsafe {
        raw::init_conn(storage, len, raw::TAG_CONN_HEAP, |proxy| ConnCore::new(role, proxy))
    }?;
    out.write(conn);
    Ok(())
}

#[cfg(not(feature = "std"))]
fn new_heap(_role: Role, _out: Out<'_, *mut wsframe_conn>) -> Result<(), wsframe_result> {
    Err(WSFRAME_RESULT_UNSUPPORTED)
}

/// Ends a connection: frees one from `wsframe_conn_new`, or deinitialises
/// one from `wsframe_conn_init` (as `wsframe_conn_deinit`; the storage is the
/// caller's again). NULL is a no-op, and so is a handle that is not live.
/// The handle must not be used afterwards.
///
/// # Safety
///
/// `conn` must be NULL or a handle from `wsframe_conn_new` or
/// `wsframe_conn_init` that has not been ended, used by no other thread.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn wsframe_conn_free(conn: *mut wsframe_conn) {
    if conn.is_null() {
        return;
    }
    // SAFETY: caller contract. A dead handle is refused by the tag check.
    let _ = guard(|| unsafe { raw::end_conn(conn, true) });
}

/// Bytes of caller storage `wsframe_conn_init` needs in this build (at most
/// `WSFRAME_CONN_STORAGE_SIZE`).
///
/// # Safety
///
/// None: no arguments.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn wsframe_conn_storage_size() -> usize {
    raw::CONN_LAYOUT.0
}

/// Alignment `wsframe_conn_init` storage needs in this build (at most
/// `WSFRAME_CONN_STORAGE_ALIGN`).
///
/// # Safety
///
/// None: no arguments.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn wsframe_conn_storage_align() -> usize {
    raw::CONN_LAYOUT.1
}

/// Creates a connection in caller memory, with no allocation: for firmware
/// and for embedding a connection in the caller's own structures. The
/// connection starts OPEN with default limits, like `wsframe_conn_new`.
///
/// `storage` must hold at least `wsframe_conn_storage_size()` bytes aligned
/// to `wsframe_conn_storage_align()` (a `WSFRAME_CONN_STORAGE_SIZE`-byte
/// buffer aligned to `WSFRAME_CONN_STORAGE_ALIGN` always does). On success
/// `*conn_out` is a handle into `storage` (the same address). The storage
/// stays the caller's: it must outlive the connection and must not be moved
/// or copied while it is live (a copy is refused as INVALID_HANDLE). End it
/// with `wsframe_conn_deinit` (or `wsframe_conn_free`) before reusing the
/// memory; nothing needs freeing. Re-initialising live storage simply starts
/// a new connection there.
///
/// Results: OK, NULL_POINTER (`storage` or `conn_out`), STORAGE_TOO_SMALL,
/// UNALIGNED, INVALID_ARGUMENT (`role`).
///
/// # Safety
///
/// `storage` must be NULL or valid for reads and writes of `len` bytes until
/// the connection is ended; `conn_out` NULL or valid for writing one pointer.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn wsframe_conn_init(
    storage: *mut c_void,
    len: usize,
    role: u32,
    conn_out: *mut *mut wsframe_conn,
) -> wsframe_result {
    guard(|| {
        // SAFETY: caller contract.
        let out = unsafe { raw::out(conn_out) }?;
        let role = Role::from(wsframe_role::try_from(role)?);
        // SAFETY: caller contract: `len` writable bytes that stay put.
        let conn = unsafe {
            raw::init_conn(storage, len, raw::TAG_CONN_STORAGE, |proxy| ConnCore::new(role, proxy))
        }?;
        out.write(conn);
        Ok(())
    })
}

/// Ends a connection made by `wsframe_conn_init`; its storage may then be
/// reused. Calls on the ended handle return INVALID_HANDLE.
///
/// Results: OK, NULL_POINTER, INVALID_HANDLE (not a live connection),
/// INVALID_ARGUMENT (a heap connection: use `wsframe_conn_free`).
///
/// # Safety
///
/// `conn` must be NULL or point to storage passed to `wsframe_conn_init`
/// (live or ended), used by no other thread.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn wsframe_conn_deinit(conn: *mut wsframe_conn) -> wsframe_result {
    // SAFETY: caller contract.
    guard(|| unsafe { raw::end_conn(conn, false) })
}

/// Sets the largest frame payload accepted from the peer, in bytes (default
/// 16 MiB). A larger frame fails the connection with
/// WSFRAME_RESULT_PEER_FRAME_TOO_LARGE (close 1009) as soon as its header
/// arrives. Limits can only be set before the first frame is sent or any
/// input is received.
///
/// Results: OK, NULL_POINTER, INVALID_HANDLE, IN_USE.
///
/// # Safety
///
/// `conn` must be NULL or a live connection handle used by no other thread.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn wsframe_conn_set_max_frame_payload(
    conn: *mut wsframe_conn,
    bytes: u64,
) -> wsframe_result {
    guard(|| {
        // SAFETY: caller contract.
        let (c, _) = unsafe { parts(conn) }?;
        c.configure(|cfg| cfg.with_max_frame_payload(bytes))
    })
}

/// Sets the largest message accepted from the peer, summed over its
/// fragments (default 16 MiB); beyond it, WSFRAME_RESULT_PEER_MESSAGE_TOO_LARGE
/// (close 1009). Only before the first send or receive.
///
/// Results: OK, NULL_POINTER, INVALID_HANDLE, IN_USE.
///
/// # Safety
///
/// `conn` must be NULL or a live connection handle used by no other thread.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn wsframe_conn_set_max_message_size(
    conn: *mut wsframe_conn,
    bytes: u64,
) -> wsframe_result {
    guard(|| {
        // SAFETY: caller contract.
        let (c, _) = unsafe { parts(conn) }?;
        c.configure(|cfg| cfg.with_max_message_size(bytes))
    })
}

/// Sets the most frames one message may be split into (default 2^20);
/// beyond it, WSFRAME_RESULT_PEER_TOO_MANY_FRAGMENTS (close 1009). Only
/// before the first send or receive.
///
/// Results: OK, NULL_POINTER, INVALID_HANDLE, IN_USE.
///
/// # Safety
///
/// `conn` must be NULL or a live connection handle used by no other thread.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn wsframe_conn_set_max_fragments(
    conn: *mut wsframe_conn,
    count: u32,
) -> wsframe_result {
    guard(|| {
        // SAFETY: caller contract.
        let (c, _) = unsafe { parts(conn) }?;
        c.configure(|cfg| cfg.with_max_fragments(count))
    })
}

/// Installs the source of client masking keys (RFC 6455 §5.3, §10.3), for
/// instance a hardware TRNG. `fill(user, buf, len)` is called before each
/// frame a client sends; if it returns false the send fails with
/// RANDOM_FAILED and writes nothing. NULL `fill` restores the default: the
/// OS generator in hosted builds, none in builds without `std` (client sends
/// then fail with NO_RANDOM). Servers never draw. May be called at any time.
///
/// Results: OK, NULL_POINTER (`conn`), INVALID_HANDLE.
///
/// # Safety
///
/// `conn` must be NULL or a live connection handle used by no other thread.
/// `fill`, if not NULL, must be safe to call with `user` and a buffer for as
/// long as it stays installed.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn wsframe_conn_set_random(
    conn: *mut wsframe_conn,
    fill: wsframe_random_fn,
    user: *mut c_void,
) -> wsframe_result {
    guard(|| {
        // SAFETY: caller contract.
        let (_, keys) = unsafe { parts(conn) }?;
        keys.set(Source::from_c(fill, user));
        Ok(())
    })
}

/// Turns permessage-deflate (RFC 7692) on for this connection, with the
/// `params` both ends agreed on (`wsframe_deflate_config_negotiate` on a
/// server, `wsframe_deflate_config_accept_response` on a client) and this
/// end's `config` (only its `level` is used here). Call it right after
/// creating the connection, before any frame is sent or received, and after
/// `wsframe_conn_set_max_message_size` if the limit is not the default.
///
/// Allocates the core's compressor and decompressor (hosted builds only);
/// they live until the connection is freed or deinitialised. From then on:
///
/// - `wsframe_conn_receive` delivers a compressed message as one TEXT or
///   BINARY event with `last` set, the whole message inflated into a buffer
///   the connection owns (see `wsframe_conn_receive` for its lifetime).
///   Inflation stops at the connection's max message size
///   (PEER_MESSAGE_TOO_LARGE, close 1009); a corrupt stream gives
///   PEER_INVALID_COMPRESSED_DATA (1002), text that is not UTF-8
///   PEER_INVALID_UTF8 (1007). Uncompressed messages still stream in chunks.
/// - `wsframe_conn_send_message` compresses each message it sends, unless
///   told not to; the other send functions keep sending uncompressed frames
///   (RFC 7692 §6 lets each message choose).
///
/// Results: OK; NULL_POINTER; INVALID_HANDLE; INVALID_ARGUMENT (a window
/// outside 8..=15, a level over 9); IN_USE (the connection already sent or
/// received, or deflate is already on); UNSUPPORTED (a build without `std`).
///
/// # Safety
///
/// `conn` must be NULL or a live connection handle used by no other thread;
/// `params` and `config` NULL or valid for reads.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn wsframe_conn_enable_deflate(
    conn: *mut wsframe_conn,
    params: *const wsframe_deflate_params,
    config: *const wsframe_deflate_config,
) -> wsframe_result {
    guard(|| {
        // SAFETY: caller contract, for each pointer.
        let (c, _) = unsafe { parts(conn) }?;
        // SAFETY: as above.
        let params = unsafe { raw::read(params) }?.to_core()?;
        // SAFETY: as above.
        let config = unsafe { raw::read(config) }?.to_core()?;
        c.enable_deflate(params, config)
    })
}

/// The connection's closing-handshake state, or WSFRAME_STATE_INVALID for
/// NULL or a handle that is not live.
///
/// # Safety
///
/// `conn` must be NULL or a connection handle (live or ended storage) not
/// being written by another thread.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn wsframe_conn_state(conn: *const wsframe_conn) -> wsframe_state {
    guard_value(wsframe_state::WSFRAME_STATE_INVALID, || {
        // SAFETY: caller contract.
        match unsafe { raw::conn_ref(conn) } {
            Ok(c) => state_of(c.conn.state()),
            Err(_) => wsframe_state::WSFRAME_STATE_INVALID,
        }
    })
}

/// Decodes bytes read from the peer into at most one event.
///
/// Payloads are unmasked in place in `input`, and `event_out->data` points
/// into it. On OK, `*consumed_out` bytes of `input` are done with: keep
/// `input[*consumed_out..len]`, and call again on it while events come; when
/// `event_out->type` is WSFRAME_EVENT_NONE, everything was consumed — read
/// more. Any split of the stream gives the same events. A data frame larger
/// than the buffer arrives as several chunks (`last` marks the end of the
/// message); a control frame arrives whole, so the buffer must hold at least
/// 125 + 14 bytes. Text is UTF-8 validated as it streams, but a chunk may
/// end inside a character. After the peer's Close, input is discarded.
///
/// With permessage-deflate on (`wsframe_conn_enable_deflate`), a compressed
/// message comes out as one TEXT or BINARY event with `last` set: the whole
/// message, inflated into a buffer the connection owns. Its `data` stays
/// valid until the next call on this connection (it may be passed as the
/// data of that call, say to echo it). Control frames between its fragments
/// are reported as they come, before the message.
///
/// Results: OK; NULL_POINTER (`conn`, `consumed_out`, `event_out`, or
/// `input` NULL with `len` > 0); INVALID_HANDLE; a 71xx protocol error — the
/// connection has failed: send a Close with `wsframe_result_close_code` and
/// close the socket (with deflate also PEER_MESSAGE_TOO_LARGE for a message
/// that inflates past the limit, PEER_INVALID_COMPRESSED_DATA, and
/// PEER_INVALID_UTF8 for inflated text). Outputs are written only on OK.
///
/// # Safety
///
/// `conn` must be NULL or a live connection handle used by no other thread;
/// `input` NULL or valid for reads and writes of `len` bytes; the out
/// pointers NULL or valid for one write, none of them overlapping `input`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn wsframe_conn_receive(
    conn: *mut wsframe_conn,
    input: *mut u8,
    len: usize,
    consumed_out: *mut usize,
    event_out: *mut wsframe_event,
) -> wsframe_result {
    guard(|| {
        // SAFETY: caller contract, for each pointer.
        let (c, _) = unsafe { parts(conn) }?;
        // SAFETY: as above.
        let consumed = unsafe { raw::out(consumed_out) }?;
        // SAFETY: as above.
        let event = unsafe { raw::out(event_out) }?;
        // SAFETY: as above.
        let input = unsafe { raw::slice_mut(input, len) }?;
        c.started = true;
        let (used, ev) = c.receive(input)?;
        consumed.write(used);
        event.write(ev);
        Ok(())
    })
}

fn event_of(event: Option<Event<'_>>) -> Result<wsframe_event, wsframe_result> {
    use wsframe_event_type::*;
    let (kind, last, code, data): (_, _, u16, &[u8]) = match event {
        None => (WSFRAME_EVENT_NONE, false, 0, &[]),
        Some(Event::Text { data, last }) => (WSFRAME_EVENT_TEXT, last, 0, data),
        Some(Event::Binary { data, last }) => (WSFRAME_EVENT_BINARY, last, 0, data),
        Some(Event::Ping(data)) => (WSFRAME_EVENT_PING, true, 0, data),
        Some(Event::Pong(data)) => (WSFRAME_EVENT_PONG, true, 0, data),
        Some(Event::Close(None)) => (WSFRAME_EVENT_CLOSE, true, 0, &[]),
        Some(Event::Close(Some(frame))) => {
            (WSFRAME_EVENT_CLOSE, true, frame.code.0, frame.reason.as_bytes())
        }
        // Inflated by `ConnCore::receive` before they get here.
        Some(Event::Compressed { .. }) => return Err(WSFRAME_RESULT_PANIC),
    };
    let ptr = if data.is_empty() { core::ptr::null() } else { data.as_ptr() };
    Ok(wsframe_event { r#type: kind, last, close_code: code, data: ptr, len: data.len() })
}

/// Shared tail of the send functions: key, buffer, result and size report.
///
/// # Safety
///
/// The pointers as documented on the public send functions.
#[allow(clippy::too_many_arguments)] // the C signature's arguments, plus the operation
unsafe fn send(
    conn: *mut wsframe_conn,
    data: *const u8,
    len: usize,
    out: *mut u8,
    out_len: usize,
    written_out: *mut usize,
    check: fn(&[u8]) -> Result<(), wsframe_result>,
    op: impl FnOnce(&mut Connection<KeyProxy>, &[u8], &mut [u8]) -> Result<usize, Error>,
) -> Result<(), wsframe_result> {
    // SAFETY: caller contract, for each pointer.
    let (c, keys) = unsafe { parts(conn) }?;
    // SAFETY: as above.
    let written = unsafe { raw::out(written_out) }?;
    // SAFETY: as above.
    let data = unsafe { raw::slice(data, len) }?;
    if raw::overlap(data.as_ptr(), data.len(), out, out_len) {
        return Err(WSFRAME_RESULT_INVALID_ARGUMENT);
    }
    // SAFETY: as above; checked not to overlap `data`.
    let out = unsafe { raw::slice_mut(out, out_len) }?;
    check(data)?;
    if c.conn.role() == Role::Client {
        keys.prepare()?;
    }
    let r = op(&mut c.conn, data, out);
    c.started |= r.is_ok();
    finish(r, keys, written)
}

/// No check on a payload.
fn any(_: &[u8]) -> Result<(), wsframe_result> {
    Ok(())
}

/// Text and close reasons from C must be UTF-8.
fn utf8(data: &[u8]) -> Result<(), wsframe_result> {
    core::str::from_utf8(data).map(|_| ()).map_err(|_| WSFRAME_RESULT_INVALID_UTF8)
}

/// Maps a send's outcome, reporting the required size on INSUFFICIENT_SIZE.
fn finish(
    r: Result<usize, Error>,
    keys: &KeySource,
    written: Out<'_, usize>,
) -> Result<(), wsframe_result> {
    if keys.take_failure() {
        return Err(WSFRAME_RESULT_RANDOM_FAILED);
    }
    match r {
        Ok(n) => {
            written.write(n);
            Ok(())
        }
        Err(Error::InsufficientSize { required }) => {
            written.write(required);
            Err(WSFRAME_RESULT_INSUFFICIENT_SIZE)
        }
        Err(e) => Err(e.into()),
    }
}

/// Writes a whole text message as one frame into `out` (masked with a
/// fresh key for clients). `data` must be valid UTF-8.
///
/// On OK, `*written_out` is the frame's length: write `out[0..*written_out]`
/// to the socket. `wsframe_max_frame_len(len)` bytes of `out` always suffice.
/// `(NULL, 0)` is an empty message.
///
/// Results: OK; INSUFFICIENT_SIZE (nothing written to `out`;
/// `*written_out` = bytes needed); NULL_POINTER; INVALID_HANDLE;
/// INVALID_ARGUMENT (`data` and `out` overlap); INVALID_UTF8;
/// MESSAGE_IN_PROGRESS (a fragmented message is being sent); CLOSED (after
/// our Close, or the connection closed or failed); NO_RANDOM, RANDOM_FAILED
/// (clients).
///
/// # Safety
///
/// `conn` must be NULL or a live connection handle used by no other thread;
/// `data` NULL or valid for reads of `len` bytes; `out` NULL or valid for
/// writes of `out_len` bytes; `written_out` NULL or valid for one write.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn wsframe_conn_send_text(
    conn: *mut wsframe_conn,
    data: *const u8,
    len: usize,
    out: *mut u8,
    out_len: usize,
    written_out: *mut usize,
) -> wsframe_result {
    guard(|| {
        // SAFETY: caller contract, forwarded.
        unsafe {
            send(conn, data, len, out, out_len, written_out, utf8, |c, data, out| {
                c.send_text(core::str::from_utf8(data).unwrap_or_default(), out)
            })
        }
    })
}

/// Writes a whole binary message as one frame into `out`. As
/// `wsframe_conn_send_text`, without the UTF-8 rule.
///
/// Results: as for `wsframe_conn_send_text`, except INVALID_UTF8.
///
/// # Safety
///
/// As for `wsframe_conn_send_text`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn wsframe_conn_send_binary(
    conn: *mut wsframe_conn,
    data: *const u8,
    len: usize,
    out: *mut u8,
    out_len: usize,
    written_out: *mut usize,
) -> wsframe_result {
    guard(|| {
        // SAFETY: caller contract, forwarded.
        unsafe {
            send(conn, data, len, out, out_len, written_out, any, |c, data, out| {
                c.send_binary(data, out)
            })
        }
    })
}

/// Writes one frame of a possibly fragmented message (RFC 6455 §5.4).
///
/// `kind` is a `WSFRAME_DATA_KIND_*`. The first frame of a message carries
/// its type; later ones go out as continuations until one with `fin` set
/// ends it. Pings, Pongs and a Close may be sent between fragments. Text is
/// not checked here (a fragment may split a character), but the message as
/// a whole must be UTF-8 or the peer will fail the connection.
///
/// Results: OK; INSUFFICIENT_SIZE (`*written_out` = bytes needed);
/// NULL_POINTER; INVALID_HANDLE; INVALID_ARGUMENT (`kind`, or `data` and
/// `out` overlap); MESSAGE_IN_PROGRESS (`kind` differs from the message
/// being sent); CLOSED; NO_RANDOM, RANDOM_FAILED (clients).
///
/// # Safety
///
/// As for `wsframe_conn_send_text`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn wsframe_conn_send_frame(
    conn: *mut wsframe_conn,
    kind: u32,
    data: *const u8,
    len: usize,
    fin: bool,
    out: *mut u8,
    out_len: usize,
    written_out: *mut usize,
) -> wsframe_result {
    guard(|| {
        let kind = DataKind::from(wsframe_data_kind::try_from(kind)?);
        // SAFETY: caller contract, forwarded.
        unsafe {
            send(conn, data, len, out, out_len, written_out, any, |c, data, out| {
                c.send_frame(kind, data, fin, out)
            })
        }
    })
}

/// Zero-copy variant of `wsframe_conn_send_frame`: writes only the frame
/// header into `header_out` and masks `payload` in place (clients), so the
/// caller can send header and payload with one vectored write (`writev`).
///
/// On OK, `*written_out` is the header length; the payload is `payload[0..len]`
/// as modified. `WSFRAME_MAX_HEADER_LEN` (14) bytes of `header_out` always
/// suffice. On any error `payload` is unchanged.
///
/// Results: as for `wsframe_conn_send_frame`; INSUFFICIENT_SIZE refers to
/// `header_out`, and INVALID_ARGUMENT also covers `payload` and `header_out`
/// overlapping.
///
/// # Safety
///
/// `conn` must be NULL or a live connection handle used by no other thread;
/// `payload` NULL or valid for reads and writes of `len` bytes; `header_out`
/// NULL or valid for writes of `header_len` bytes; `written_out` NULL or
/// valid for one write.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn wsframe_conn_send_frame_in_place(
    conn: *mut wsframe_conn,
    kind: u32,
    payload: *mut u8,
    len: usize,
    fin: bool,
    header_out: *mut u8,
    header_len: usize,
    written_out: *mut usize,
) -> wsframe_result {
    guard(|| {
        // SAFETY: caller contract, for each pointer.
        let (c, keys) = unsafe { parts(conn) }?;
        // SAFETY: as above.
        let written = unsafe { raw::out(written_out) }?;
        if raw::overlap(payload, len, header_out, header_len) {
            return Err(WSFRAME_RESULT_INVALID_ARGUMENT);
        }
        // SAFETY: as above.
        let payload = unsafe { raw::slice_mut(payload, len) }?;
        // SAFETY: as above; checked not to overlap `payload`.
        let header = unsafe { raw::slice_mut(header_out, header_len) }?;
        let kind = DataKind::from(wsframe_data_kind::try_from(kind)?);
        if c.conn.role() == Role::Client {
            keys.prepare()?;
        }
        let r = c.conn.send_frame_in_place(kind, payload, fin, header);
        c.started |= r.is_ok();
        finish(r, keys, written)
    })
}

/// Writes a Ping (RFC 6455 §5.5.2) with up to 125 bytes of payload. The
/// peer answers with a Pong carrying the same bytes.
///
/// Results: OK; INSUFFICIENT_SIZE (`*written_out` = bytes needed);
/// NULL_POINTER; INVALID_HANDLE; INVALID_ARGUMENT (`data` and `out`
/// overlap); CONTROL_PAYLOAD_TOO_LARGE; CLOSED (after our Close, or the
/// connection closed or failed); NO_RANDOM, RANDOM_FAILED (clients).
///
/// # Safety
///
/// As for `wsframe_conn_send_text`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn wsframe_conn_send_ping(
    conn: *mut wsframe_conn,
    data: *const u8,
    len: usize,
    out: *mut u8,
    out_len: usize,
    written_out: *mut usize,
) -> wsframe_result {
    guard(|| {
        // SAFETY: caller contract, forwarded.
        unsafe {
            send(conn, data, len, out, out_len, written_out, any, |c, data, out| {
                c.send_ping(data, out)
            })
        }
    })
}

/// Writes a Pong (RFC 6455 §5.5.3); to answer a Ping, pass its payload
/// (the event's `data`/`len`, copied out or still valid).
///
/// Results: as for `wsframe_conn_send_ping`.
///
/// # Safety
///
/// As for `wsframe_conn_send_text`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn wsframe_conn_send_pong(
    conn: *mut wsframe_conn,
    data: *const u8,
    len: usize,
    out: *mut u8,
    out_len: usize,
    written_out: *mut usize,
) -> wsframe_result {
    guard(|| {
        // SAFETY: caller contract, forwarded.
        unsafe {
            send(conn, data, len, out, out_len, written_out, any, |c, data, out| {
                c.send_pong(data, out)
            })
        }
    })
}

/// Writes a Close frame (RFC 6455 §5.5.1) and moves the closing handshake
/// on: from OPEN to CLOSE_SENT (then wait for the peer's Close), from
/// CLOSE_RECEIVED or FAILED to CLOSED (then close the socket).
///
/// `code` 0 sends no status code (and then `reason` must be empty);
/// answering a peer's Close, echo its code; after a protocol error, send
/// `wsframe_result_close_code(result)`. `reason` is UTF-8 of at most 123
/// bytes, `(NULL, 0)` for none.
///
/// Results: OK; INSUFFICIENT_SIZE (`*written_out` = bytes needed);
/// NULL_POINTER; INVALID_HANDLE; INVALID_ARGUMENT (`reason` and `out`
/// overlap); INVALID_CLOSE_CODE (1004-1006, 1015, unassigned);
/// REASON_WITHOUT_CODE; CONTROL_PAYLOAD_TOO_LARGE (reason over 123 bytes);
/// INVALID_UTF8 (reason); CLOSED (a Close was already sent); NO_RANDOM,
/// RANDOM_FAILED (clients).
///
/// # Safety
///
/// As for `wsframe_conn_send_text`, with `reason`/`reason_len` for `data`/`len`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn wsframe_conn_send_close(
    conn: *mut wsframe_conn,
    code: u16,
    reason: *const u8,
    reason_len: usize,
    out: *mut u8,
    out_len: usize,
    written_out: *mut usize,
) -> wsframe_result {
    guard(|| {
        let code = (code != 0).then_some(CloseCode(code));
        // SAFETY: caller contract, forwarded.
        unsafe {
            send(conn, reason, reason_len, out, out_len, written_out, utf8, |c, reason, out| {
                c.send_close(code, core::str::from_utf8(reason).unwrap_or_default(), out)
            })
        }
    })
}

/// `wsframe_conn_send_message` flag: send this message uncompressed even
/// though permessage-deflate is on (say it is already compressed data).
pub const WSFRAME_SEND_NO_COMPRESS: u32 = 1;

/// Writes a whole message as one frame into a buffer the connection owns,
/// compressed (RFC 7692 §7.2.1) when permessage-deflate is on and `flags`
/// lacks `WSFRAME_SEND_NO_COMPRESS`; clients mask it with a fresh key.
///
/// `kind` is a `WSFRAME_DATA_KIND_*`; text must be UTF-8. `flags` is 0 or
/// `WSFRAME_SEND_NO_COMPRESS`. On OK, write `(*frame_out)[0..*frame_len_out]`
/// to the socket: it stays valid until the next call on this connection
/// (copy it or finish writing it first). There is no "insufficient size"
/// to retry: each message is compressed exactly once, as context takeover
/// requires, and every check that could refuse the frame runs before the
/// compressor sees it. Works without deflate too (the frame is then plain).
///
/// Memory: the frame buffer grows to the largest frame sent and is reused;
/// the compressor's output buffer likewise (hosted builds only).
///
/// Results: OK; NULL_POINTER; INVALID_HANDLE; INVALID_ARGUMENT (`kind`,
/// unknown `flags` bits, or `data` inside the connection's frame buffer);
/// INVALID_UTF8; MESSAGE_IN_PROGRESS (a fragmented message is being sent);
/// CLOSED; NO_RANDOM, RANDOM_FAILED (clients; nothing was compressed);
/// UNSUPPORTED (a build without `std`).
///
/// # Safety
///
/// `conn` must be NULL or a live connection handle used by no other thread;
/// `data` NULL or valid for reads of `len` bytes; `frame_out` and
/// `frame_len_out` NULL or valid for one write.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn wsframe_conn_send_message(
    conn: *mut wsframe_conn,
    kind: u32,
    data: *const u8,
    len: usize,
    flags: u32,
    frame_out: *mut *const u8,
    frame_len_out: *mut usize,
) -> wsframe_result {
    guard(|| {
        // SAFETY: caller contract, for each pointer.
        let (c, keys) = unsafe { parts(conn) }?;
        // SAFETY: as above.
        let frame_out = unsafe { raw::out(frame_out) }?;
        // SAFETY: as above.
        let frame_len_out = unsafe { raw::out(frame_len_out) }?;
        // SAFETY: as above.
        let data = unsafe { raw::slice(data, len) }?;
        let kind = DataKind::from(wsframe_data_kind::try_from(kind)?);
        if flags & !WSFRAME_SEND_NO_COMPRESS != 0 {
            return Err(WSFRAME_RESULT_INVALID_ARGUMENT);
        }
        if kind == DataKind::Text {
            utf8(data)?;
        }
        let frame = c.send_message(keys, kind, data, flags & WSFRAME_SEND_NO_COMPRESS == 0)?;
        let ptr = if frame.is_empty() { core::ptr::null() } else { frame.as_ptr() };
        frame_out.write(ptr);
        frame_len_out.write(frame.len());
        Ok(())
    })
}

/// An upper bound on the bytes one frame with `payload_len` bytes of payload
/// takes, masked or not (`payload_len + 14`, saturating): size `out` buffers
/// with it.
///
/// # Safety
///
/// None: any value is accepted.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn wsframe_max_frame_len(payload_len: usize) -> usize {
    wsframe::frame::max_frame_len(payload_len)
}
