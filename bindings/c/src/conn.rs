//! The connection config, and the frame-level connection: create, receive, send.

use core::ffi::c_void;
use core::mem::{offset_of, take};

use wsframe::extensions::deflate::DeflateConfig;
use wsframe::frame::{MAX_CONTROL_PAYLOAD, MAX_HEADER_LEN};
use wsframe::utf8::Utf8Validator;
use wsframe::{CloseCode, Config, Connection, DataKind, Error, RawEvent, Role, State};

use crate::deflate::wsframe_deflate_params;
use crate::guard::{guard, guard_value};
use crate::raw::{
    self, CRandom, Conn, FromC, Handle, In, InOut, Obj, Out, Put, Region, Slots, Span, Text,
};
use crate::result::*;

/// A WebSocket connection at the frame level, after the opening handshake
/// (opaque): bytes in, events out; calls in, frames out. It needs no
/// allocator and no deflate, so it also lives in caller memory on firmware.
/// Hosted programs usually want a `wsframe_session` instead.
///
/// Created by `wsframe_conn_init` in caller memory, ended by
/// `wsframe_conn_free`. Not thread-safe: one thread at a time may use a
/// connection; it may move between threads (its storage stays put).
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

/// The role a C value names.
pub(crate) fn role(v: u32) -> Result<Role, wsframe_result> {
    let roles = [Role::Client, Role::Server];
    roles.get(v.wrapping_sub(1) as usize).copied().ok_or(WSFRAME_RESULT_INVALID_ARGUMENT)
}

/// The data kind a C value names: `WSFRAME_EVENT_TEXT` or `_BINARY`.
pub(crate) fn kind(v: u32) -> Result<DataKind, wsframe_result> {
    let kinds = [DataKind::Text, DataKind::Binary];
    kinds.get(v.wrapping_sub(1) as usize).copied().ok_or(WSFRAME_RESULT_INVALID_ARGUMENT)
}

/// What `wsframe_conn_receive` or `wsframe_session_receive` produced. The
/// values are the frame opcodes.
#[repr(u32)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum wsframe_event_type {
    /// No event: all input was consumed and more is needed.
    WSFRAME_EVENT_NONE = 0,
    /// Text: a chunk of a message (`last` marks its final chunk), or from a
    /// session a whole message (`last` set).
    WSFRAME_EVENT_TEXT = 1,
    /// Binary, as for TEXT.
    WSFRAME_EVENT_BINARY = 2,
    /// The peer's Close (RFC 6455 §5.5.1): `close_code` (0 if none) and the
    /// reason in `data`/`len`. A connection answers it with
    /// `wsframe_conn_send_close` (usually echoing the code); a session has
    /// queued the answer already.
    WSFRAME_EVENT_CLOSE = 8,
    /// A Ping (RFC 6455 §5.5.2): a connection answers with
    /// `wsframe_conn_send` (type PONG) and the same payload; a session has queued
    /// the Pong already (`auto_pong`).
    WSFRAME_EVENT_PING = 9,
    /// A Pong (RFC 6455 §5.5.3).
    WSFRAME_EVENT_PONG = 10,
}

/// Where the closing handshake stands (RFC 6455 §7).
#[repr(u32)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum wsframe_state {
    /// Not a connection: NULL or a handle the library can tell is not live.
    WSFRAME_STATE_INVALID = 0,
    /// Data flows both ways.
    WSFRAME_STATE_OPEN = 1,
    /// We sent a Close and wait for the peer's; incoming data is still delivered.
    WSFRAME_STATE_CLOSE_SENT = 2,
    /// The peer sent a Close: answer it (a session did).
    WSFRAME_STATE_CLOSE_RECEIVED = 3,
    /// Both Closes were exchanged: close the socket (a server first, RFC 6455 §7.1.1).
    WSFRAME_STATE_CLOSED = 4,
    /// The peer violated the protocol: send the Close that
    /// `wsframe_result_close_code` named, then close the socket (§7.1.7).
    WSFRAME_STATE_FAILED = 5,
}

/// The C view of a state.
pub(crate) fn state_of(state: State) -> wsframe_state {
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

/// One event from `wsframe_conn_receive` or `wsframe_session_receive`.
///
/// Nothing is allocated; there is nothing to free. From a connection, `data`
/// points into the caller's input buffer (payloads are unmasked in place
/// there). From a session, it points into the input or, for a reassembled
/// or inflated message, into the session. Either way it stays valid until
/// the caller reuses or frees that memory or calls the same object again,
/// whichever comes first.
///
/// # Examples
///
/// ```c
/// // ev: from wsframe_session_receive (or wsframe_conn_receive)
/// switch (ev.type) {
/// case WSFRAME_EVENT_TEXT: case WSFRAME_EVENT_BINARY: on_message(ev.data, ev.len); break;
/// case WSFRAME_EVENT_CLOSE:
///     printf("closed: %u %.*s\n", (unsigned)ev.close_code, (int)ev.len, (const char *)ev.data);
///     break;
/// default: break; // NONE: read more; PING, PONG
/// }
/// ```
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
    /// The chunk or message, the Ping/Pong payload, or the Close reason
    /// (UTF-8, not NUL-terminated). NULL exactly when `len` is 0.
    pub data: *const u8,
    /// Bytes at `data`.
    pub len: usize,
}

/// The event types that name a Ping or a Pong to send.
pub(crate) const PING: u32 = wsframe_event_type::WSFRAME_EVENT_PING as u32;
pub(crate) const PONG: u32 = wsframe_event_type::WSFRAME_EVENT_PONG as u32;

/// The C view of an event: type, last, close code, bytes.
pub(crate) fn event(ty: wsframe_event_type, last: bool, code: u16, data: &[u8]) -> wsframe_event {
    let ptr = if data.is_empty() { core::ptr::null() } else { data.as_ptr() };
    wsframe_event { r#type: ty, last, close_code: code, data: ptr, len: data.len() }
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

/// A source of cryptographically strong random bytes: fill `buf[0..len]` and
/// return true, or return false if the generator failed (the send that
/// needed the bytes then fails with `WSFRAME_RESULT_RANDOM_FAILED` and writes
/// nothing). Typically a hardware TRNG. It is called with the `user` pointer
/// given with it, on the thread making the wsframe call, and must not call
/// back into wsframe with the same object.
pub type wsframe_random_fn =
    Option<unsafe extern "C" fn(user: *mut c_void, buf: *mut u8, len: usize) -> bool>;

/// Everything a connection or session is made with, fixed at creation. A
/// plain caller-written struct: fill it with `wsframe_conn_config_default`,
/// then change fields. `bool` fields are read as bytes (0 is false, any
/// other value true). The struct may grow in a release that changes the
/// soname (see "ABI stability").
///
/// Fields marked "session" are used by `wsframe_session_new` only; a
/// frame-level `wsframe_conn` ignores them, except `deflate`, which it
/// refuses (it cannot inflate).
///
/// # Examples
///
/// ```c
/// wsframe_conn_config config;
/// wsframe_conn_config_default(&config); // always first, then change fields
/// config.max_message_size = 1 << 20;    // 1 MiB
/// config.keepalive_interval_ms = 30000; // a Ping after 30 s of silence,
/// config.keepalive_timeout_ms = 10000;  // the peer dead 10 s after it
/// r = wsframe_session_new(WSFRAME_ROLE_CLIENT, &config, &session);
/// ```
#[repr(C)]
#[derive(Debug, Clone, Copy)]
pub struct wsframe_conn_config {
    /// Largest frame payload accepted, in bytes (default 16 MiB): a larger
    /// frame fails with PEER_FRAME_TOO_LARGE (1009) as soon as its header arrives.
    pub max_frame_payload: u64,
    /// Largest message accepted, summed over its fragments and counted after
    /// inflation (default 16 MiB); beyond it PEER_MESSAGE_TOO_LARGE (1009).
    pub max_message_size: u64,
    /// Most frames one message may be split into (default 2^20); beyond it
    /// PEER_TOO_MANY_FRAGMENTS (1009).
    pub max_fragments: u32,
    /// Session: answer each Ping with a Pong (RFC 6455 §5.5.2). Default true.
    pub auto_pong: bool,
    /// Session: answer the peer's Close, echoing its code (§5.5.1), and queue
    /// the Close a violation calls for (§7.1.7). Default true.
    pub auto_close: bool,
    /// Session: deliver uncompressed messages as chunks straight from the
    /// input (`last` marks the end) instead of whole. Default false.
    pub streaming: bool,
    /// Session: permessage-deflate (RFC 7692) was negotiated with
    /// `deflate_params`. Default false.
    pub deflate: bool,
    /// Session: the parameters both ends agreed on
    /// (`wsframe_deflate_config_negotiate`, `_accept_response`).
    pub deflate_params: wsframe_deflate_params,
    /// Session: the level this end compresses at, 0 (store) to 9. Default 6.
    pub compression_level: u8,
    /// Session: after a message larger than this many bytes, the buffer that
    /// held it is freed rather than kept, so idle sessions do not each keep
    /// their largest message. Default 64 KiB.
    pub retain_buffer: usize,
    /// Session: a Ping after this many milliseconds without input (see
    /// `wsframe_session_poll`); 0 (the default) turns the heartbeat off.
    pub keepalive_interval_ms: u64,
    /// Session: the peer is dead when nothing arrives this many milliseconds
    /// after that Ping.
    pub keepalive_timeout_ms: u64,
    /// Client masking keys (RFC 6455 §5.3, §10.3), for instance a hardware
    /// TRNG; NULL is the OS generator in hosted builds. A build without
    /// `std` has none: a client there needs this (else NO_RANDOM).
    /// Servers never draw. Must stay callable with `random_user` for the
    /// object's life.
    pub random: wsframe_random_fn,
    /// Passed to `random`.
    pub random_user: *mut c_void,
}

// SAFETY: the flags are the struct's bool fields; the rest are integers and
// (Option) pointers, valid for any bits.
unsafe impl FromC for wsframe_conn_config {
    const FLAGS: &'static [usize] = &[
        offset_of!(Self, auto_pong),
        offset_of!(Self, auto_close),
        offset_of!(Self, streaming),
        offset_of!(Self, deflate),
        offset_of!(Self, deflate_params.server_no_context_takeover),
        offset_of!(Self, deflate_params.client_no_context_takeover),
    ];
}

impl wsframe_conn_config {
    /// The defaults, the session ones from the core's `SessionConfig`.
    fn default_values() -> Self {
        // Zero is false, off and NULL; no sessions without std, so theirs stay 0.
        let (mut c, d): (Self, _) = (raw::zeroed(), Config::DEFAULT);
        (c.max_frame_payload, c.max_message_size) = (d.max_frame_payload, d.max_message_size);
        c.max_fragments = d.max_fragments;
        c.deflate_params = wsframe_deflate_params::agreed_by_bare_offer();
        c.compression_level = DeflateConfig::DEFAULT_LEVEL;
        #[cfg(feature = "std")]
        {
            let s = wsframe::session::SessionConfig::default();
            (c.auto_pong, c.auto_close, c.streaming) = (s.auto_pong, s.auto_close, s.streaming);
            c.retain_buffer = s.retain_buffer;
        }
        c
    }

    /// The config at `ptr` (NULL: the defaults), checked.
    ///
    /// # Safety
    ///
    /// `ptr` NULL or valid for reads of a `wsframe_conn_config`.
    pub(crate) unsafe fn from_c(ptr: *const Self) -> Result<Self, wsframe_result> {
        // SAFETY: caller contract.
        let c = if ptr.is_null() { Self::default_values() } else { unsafe { raw::read(ptr) }? };
        if c.compression_level > 9 {
            return Err(WSFRAME_RESULT_INVALID_ARGUMENT);
        }
        c.deflate_params.to_core()?;
        Ok(c)
    }

    /// The limits of the core's `Connection`.
    pub(crate) fn limits(&self) -> Config {
        Config::DEFAULT
            .with_max_frame_payload(self.max_frame_payload)
            .with_max_message_size(self.max_message_size)
            .with_max_fragments(self.max_fragments)
    }

    /// The masking-key source for `role`: a client without one in a build
    /// without `std` is refused (it would have to mask with a known key).
    pub(crate) fn random(&self, role: Role) -> Result<CRandom, wsframe_result> {
        if role == Role::Client && self.random.is_none() && !cfg!(feature = "std") {
            return Err(WSFRAME_RESULT_NO_RANDOM);
        }
        Ok(CRandom { fill: self.random, user: self.random_user })
    }
}

/// Fills `*config_out` with the defaults: 16 MiB frames and messages, 2^20
/// fragments per message, automatic Pong and Close replies, whole messages,
/// no deflate (level 6 when turned on), buffers over 64 KiB given back, no
/// heartbeat, the OS random generator.
///
/// Results: OK, NULL_POINTER.
///
/// # Safety
///
/// `config_out` must be NULL or valid for one write.
///
/// # Examples
///
/// ```c
/// wsframe_conn_config config;
/// if (wsframe_conn_config_default(&config) != WSFRAME_RESULT_OK)
///     return;
/// config.max_frame_payload = 64 * 1024; // then change what differs
/// ```
#[unsafe(no_mangle)]
pub unsafe extern "C" fn wsframe_conn_config_default(
    config_out: *mut wsframe_conn_config,
) -> wsframe_result {
    guard(|| {
        // SAFETY: caller contract.
        unsafe { raw::args((Put(config_out),)) }?.0.write(wsframe_conn_config::default_values());
        Ok(())
    })
}

/// The core connection a C role and config describe.
///
/// # Safety
///
/// `config` NULL or valid for reads of a `wsframe_conn_config`.
unsafe fn make(
    role: u32,
    config: *const wsframe_conn_config,
) -> Result<Connection<CRandom>, wsframe_result> {
    let role = self::role(role)?;
    // SAFETY: caller contract.
    let config = unsafe { wsframe_conn_config::from_c(config) }?;
    if config.deflate {
        // Compressed frames would go by uninflated: that is a session's work.
        return Err(WSFRAME_RESULT_INVALID_ARGUMENT);
    }
    Ok(Connection::new(role, config.limits(), config.random(role)?))
}

/// The live connection behind `conn`.
fn handle(conn: *const wsframe_conn) -> Handle {
    Obj(conn.cast_mut().cast())
}

/// Ends a connection made by `wsframe_conn_init`: drops it in place; the
/// storage is the caller's again. NULL is a no-op, and so is storage that
/// holds no live connection (zeroed, already ended, a copy). Calls on the
/// ended handle return INVALID_HANDLE.
///
/// # Safety
///
/// `conn` must be NULL or point to storage given to `wsframe_conn_init`
/// (live or ended) that is still allocated, used by no other thread.
///
/// # Examples
///
/// ```c
/// close_socket(fd);
/// wsframe_conn_free(conn); // its storage is the caller's again
/// conn = NULL;
/// ```
#[unsafe(no_mangle)]
pub unsafe extern "C" fn wsframe_conn_free(conn: *mut wsframe_conn) {
    if !conn.is_null() {
        // SAFETY: caller contract. Storage without a live tag is refused.
        let _ = guard(|| unsafe { raw::end(conn.cast::<Conn>(), raw::TAG_CONN) });
    }
}

/// Bytes of caller storage `wsframe_conn_init` needs in this build (at most
/// `WSFRAME_CONN_STORAGE_SIZE`).
///
/// # Safety
///
/// None: no arguments.
///
/// # Examples
///
/// ```c
/// static union { uint64_t align; unsigned char bytes[WSFRAME_CONN_STORAGE_SIZE]; } storage;
/// printf("a connection takes %zu of the %zu bytes\n", wsframe_conn_storage_size(), sizeof storage.bytes);
/// ```
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
///
/// # Examples
///
/// ```c
/// static unsigned char pool[4096]; // the caller's own memory, handed out in pieces
/// unsigned char *mem = pool + 4;    // a piece of it
/// if ((uintptr_t)mem % wsframe_conn_storage_align() != 0)
///     return; // wsframe_conn_init would refuse it with WSFRAME_RESULT_UNALIGNED
/// ```
#[unsafe(no_mangle)]
pub unsafe extern "C" fn wsframe_conn_storage_align() -> usize {
    raw::CONN_LAYOUT.1
}

/// Creates a frame-level connection in caller memory, with no allocation:
/// for firmware and for embedding a connection in the caller's own
/// structures (hosted programs that want reassembly, deflate and automatic
/// replies create a `wsframe_session` instead), in the OPEN state, from
/// `config` (NULL: the defaults of `wsframe_conn_config_default`).
///
/// `storage` must hold at least `wsframe_conn_storage_size()` bytes aligned
/// to `wsframe_conn_storage_align()` (a `WSFRAME_CONN_STORAGE_SIZE`-byte
/// buffer aligned to `WSFRAME_CONN_STORAGE_ALIGN` always does). On success
/// `*conn_out` is a handle into `storage` (the same address). The storage
/// stays the caller's: it must outlive the connection and must not be moved
/// or copied while it is live (a copy is refused as INVALID_HANDLE where
/// the library can tell). End it with `wsframe_conn_free` before reusing the
/// memory. Storage that still holds a live connection is refused with IN_USE
/// (starting over would leak it): to tell, the first 16 bytes of `storage`
/// are read, so they must be initialised — static or zeroed memory, or the
/// storage of an ended connection (memory checkers flag a read of fresh
/// `malloc` or stack memory).
///
/// Results: OK, NULL_POINTER (`storage` or `conn_out`), STORAGE_TOO_SMALL,
/// UNALIGNED, IN_USE, INVALID_ARGUMENT (`role` is not a `WSFRAME_ROLE_*`, a
/// config value out of range, `deflate` set (use a session), or `config` or
/// `conn_out` inside `storage`), NO_RANDOM (a client without
/// `config->random` in a build without `std`).
///
/// # Safety
///
/// `storage` must be NULL or valid for reads and writes of `len` bytes until
/// the connection is ended; `config` NULL or valid for reads of a
/// `wsframe_conn_config`; `conn_out` NULL or valid for writing one pointer.
///
/// # Examples
///
/// ```c
/// static union { uint64_t align; unsigned char bytes[WSFRAME_CONN_STORAGE_SIZE]; } storage; // zeroed
/// wsframe_conn *conn;
/// r = wsframe_conn_init(storage.bytes, sizeof storage.bytes, WSFRAME_ROLE_SERVER, &config, &conn);
/// if (r != WSFRAME_RESULT_OK)
///     fprintf(stderr, "wsframe_conn_init: %s\n", wsframe_result_str(r));
/// ```
#[unsafe(no_mangle)]
pub unsafe extern "C" fn wsframe_conn_init(
    storage: *mut c_void,
    len: usize,
    role: u32,
    config: *const wsframe_conn_config,
    conn_out: *mut *mut wsframe_conn,
) -> wsframe_result {
    guard(|| {
        let regions = (Region(Span::bytes(storage, len), true), Region(Span::of(config), false));
        // SAFETY: caller contract, for each pointer; checked disjoint.
        let (out, _) = unsafe { raw::args((Put(conn_out), regions)) }?;
        // SAFETY: as above: `len` bytes that stay put.
        unsafe { raw::init_conn(storage, len, make(role, config)?) }?;
        out.done(storage.cast())
    })
}

/// The connection's closing-handshake state, or WSFRAME_STATE_INVALID for
/// NULL or a handle the library can tell is not live.
///
/// # Safety
///
/// As for `wsframe_conn_free`.
///
/// # Examples
///
/// ```c
/// if (wsframe_conn_state(conn) == WSFRAME_STATE_CLOSED) { // both Closes were exchanged
///     close_socket(fd);
///     wsframe_conn_free(conn);
/// }
/// ```
#[unsafe(no_mangle)]
pub unsafe extern "C" fn wsframe_conn_state(conn: *const wsframe_conn) -> wsframe_state {
    // SAFETY: caller contract.
    let state = || unsafe { raw::args((handle(conn),)) }.map(|(c,)| state_of(c.state()));
    guard_value(wsframe_state::WSFRAME_STATE_INVALID, state)
}

/// Decodes bytes read from the peer into up to `max_events` events, in order.
///
/// Payloads are unmasked in place in `input`, and each event's `data` points
/// into it, so all the events of one call stay valid together (until `input`
/// is reused). On OK, `*consumed_out` bytes of `input` are done with and
/// `*n_events_out` events were written (`n_events_out` may be NULL: the
/// NONE event marks the end too); when fewer than `max_events`, all
/// input was consumed and `events_out[*n_events_out]` has the type
/// WSFRAME_EVENT_NONE: read more. Otherwise keep `input[*consumed_out..len]`
/// and call again. With `max_events` 1 this is one event per call, and NONE
/// means "read more". Any split of the stream gives the same events. A data
/// frame larger than the buffer arrives as several chunks (`last` marks the
/// end of the message); a control frame arrives whole, so the buffer must
/// hold at least 125 + 14 bytes. Text is UTF-8 validated as it streams, but
/// a chunk may end inside a character. After the peer's Close, input is
/// discarded. A compressed frame (RSV1) is PEER_RESERVED_BITS: deflate needs
/// a session. Many events per call spare the per-call checks on streams of
/// small frames.
///
/// Results: OK; NULL_POINTER (`conn`, `consumed_out`, `events_out`, or
/// `input` NULL with `len` > 0); INVALID_HANDLE; INVALID_ARGUMENT (`max_events` 0, a length above
/// PTRDIFF_MAX, or outputs overlapping each other, `input` or the
/// connection); UNALIGNED (`events_out`); a 71xx protocol error — the
/// connection has failed: first handle the `*n_events_out` events that came
/// before the violation (RFC 6455 §7.1.7; `*consumed_out` covers them), then
/// send a Close with `wsframe_result_close_code` and close the socket.
///
/// # Safety
///
/// `conn` must be NULL or a live connection handle used by no other thread;
/// `input` NULL or valid for reads and writes of `len` bytes; `events_out`
/// NULL or valid for writes of `max_events` events; `consumed_out` and
/// `n_events_out` NULL or valid for one write.
///
/// # Examples
///
/// ```c
/// wsframe_event events[16];
/// size_t used = 0, count = 0;
/// r = wsframe_conn_receive(conn, in, have, &used, events, 16, &count);
/// for (size_t i = 0; i < count; i++) // on a 71xx result: the events before the violation
///     if (events[i].type == WSFRAME_EVENT_TEXT || events[i].type == WSFRAME_EVENT_BINARY)
///         on_message(events[i].data, events[i].len); // a chunk; `last` ends the message
/// memmove(in, in + used, have -= used); // keep the rest, then read more
/// ```
#[unsafe(no_mangle)]
pub unsafe extern "C" fn wsframe_conn_receive(
    conn: *mut wsframe_conn,
    input: *mut u8,
    len: usize,
    consumed_out: *mut usize,
    events_out: *mut wsframe_event,
    max_events: usize,
    n_events_out: *mut usize,
) -> wsframe_result {
    guard(|| {
        let n_region = Region(Span::of(n_events_out), true);
        let outs = (Put(consumed_out), Slots(events_out, max_events), n_region);
        // SAFETY: caller contract, for each pointer; checked disjoint.
        let (c, input, (consumed, slots, ())) =
            unsafe { raw::args((handle(conn), InOut(input, len), outs)) }?;
        slots.first().ok_or(WSFRAME_RESULT_INVALID_ARGUMENT)?;
        let (mut rest, mut at, mut n, mut slots) = (input, 0, 0, slots.iter_mut());
        let r = loop {
            let Some(slot) = slots.next() else { break Ok(()) };
            let (got, raw) = match c.receive_raw(rest) {
                Ok(got) => got,
                Err(e) => break Err(from_core(e)),
            };
            let (done, tail) = take(&mut rest).split_at_mut_checked(got).unwrap_or_default();
            (rest, at) = (tail, at + got);
            let Some(raw) = raw else {
                slot.write(self::event(wsframe_event_type::WSFRAME_EVENT_NONE, false, 0, &[]));
                break Ok(());
            };
            slot.write(c_event(raw, done));
            n += 1;
        };
        consumed.write(at);
        if !n_events_out.is_null() {
            // SAFETY: non-NULL, valid for one write (caller contract), shared
            // with no other argument (checked).
            unsafe { n_events_out.write_unaligned(n) };
        }
        r
    })
}

/// The C view of a connection's event, its bytes in `input` (where the
/// ranges point). Data is never compressed here: a frame-level connection
/// cannot negotiate deflate, so the core refuses RSV1 (PEER_RESERVED_BITS).
#[inline(always)]
fn c_event(raw: RawEvent, input: &[u8]) -> wsframe_event {
    use wsframe_event_type::*;
    // The core's ranges lie within `input`; clamped rather than checked, so
    // an event costs no branch for it and still never points outside.
    let bytes = |range: core::ops::Range<usize>| {
        let end = range.end.min(input.len());
        input.get(range.start.min(end)..end).unwrap_or_default()
    };
    let (ty, last, code, data) = match raw {
        RawEvent::Data { kind, range, last, .. } => {
            let ty = if kind == DataKind::Text { WSFRAME_EVENT_TEXT } else { WSFRAME_EVENT_BINARY };
            (ty, last, 0, bytes(range))
        }
        RawEvent::Ping(range) => (WSFRAME_EVENT_PING, true, 0, bytes(range)),
        RawEvent::Pong(range) => (WSFRAME_EVENT_PONG, true, 0, bytes(range)),
        RawEvent::Close(None) => (WSFRAME_EVENT_CLOSE, true, 0, &[][..]),
        RawEvent::Close(Some((code, range))) => (WSFRAME_EVENT_CLOSE, true, code.0, bytes(range)),
    };
    self::event(ty, last, code, data)
}

/// Maps a send's outcome, reporting the required size on INSUFFICIENT_SIZE.
fn report(r: Result<usize, Error>, written: Out<'_, usize>) -> Result<(), wsframe_result> {
    if let Ok(n) | Err(Error::InsufficientSize { required: n }) = r {
        written.write(n);
    }
    r.map(|_| ()).map_err(from_core)
}

/// Text and close reasons from C must be UTF-8.
pub(crate) fn utf8(data: &[u8]) -> Result<&str, wsframe_result> {
    core::str::from_utf8(data).map_err(|_| WSFRAME_RESULT_INVALID_UTF8)
}

/// Writes one frame into `out` (masked with a fresh key for clients): a
/// whole message, one fragment of a message sent in pieces (RFC 6455 §5.4),
/// a Ping (§5.5.2, the peer answers with a Pong carrying the same bytes) or
/// a Pong (§5.5.3; to answer a Ping, pass its payload).
///
/// `type` is `WSFRAME_EVENT_TEXT`, `_BINARY`, `_PING` or `_PONG`. Data with
/// `fin` set and no fragmented message under way is a whole message, and
/// text must then be valid UTF-8. Data with `fin` clear starts (with its
/// type) or continues a fragmented message; later frames of it go out as
/// continuations until one with `fin` set ends it. A fragment's text is not
/// checked (it may split a character), but the message as a whole must be
/// UTF-8 or the peer fails the connection. Pings, Pongs and a Close may be
/// sent between fragments; they carry at most 125 bytes and `fin` must be
/// set (control frames are never fragmented, §5.5).
///
/// On OK, `*written_out` is the frame's length: write `out[0..*written_out]`
/// to the socket. `wsframe_max_frame_len(len)` bytes of `out` always
/// suffice. `(NULL, 0)` is an empty payload.
///
/// Results: OK; INSUFFICIENT_SIZE (nothing written to `out`;
/// `*written_out` = bytes needed); NULL_POINTER; INVALID_HANDLE;
/// INVALID_ARGUMENT (`type`, a control frame without `fin`, an output
/// overlapping `data`, another output or the connection, a length above
/// PTRDIFF_MAX); INVALID_UTF8 (a whole text message); MESSAGE_IN_PROGRESS
/// (data of another type than the message being sent);
/// CONTROL_PAYLOAD_TOO_LARGE; CLOSED (after our Close, or the connection
/// closed or failed); RANDOM_FAILED (clients).
///
/// # Safety
///
/// `conn` must be NULL or a live connection handle used by no other thread;
/// `data` NULL or valid for reads of `len` bytes; `out` NULL or valid for
/// writes of `out_len` bytes; `written_out` NULL or valid for one write.
///
/// # Examples
///
/// ```c
/// if (wsframe_conn_send(conn, WSFRAME_EVENT_TEXT, (const uint8_t *)"hi", 2, true, out, sizeof out, &n) == WSFRAME_RESULT_OK)
///     write_all(fd, out, n);
/// // ev: a PING from wsframe_conn_receive; answer with a Pong carrying its payload
/// if (wsframe_conn_send(conn, WSFRAME_EVENT_PONG, ev.data, ev.len, true, out, sizeof out, &n) == WSFRAME_RESULT_OK)
///     write_all(fd, out, n);
/// ```
#[unsafe(no_mangle)]
pub unsafe extern "C" fn wsframe_conn_send(
    conn: *mut wsframe_conn,
    r#type: u32,
    data: *const u8,
    len: usize,
    fin: bool,
    out: *mut u8,
    out_len: usize,
    written_out: *mut usize,
) -> wsframe_result {
    guard(|| {
        let args = (handle(conn), Put(written_out), In(data, len), InOut(out, out_len));
        // SAFETY: caller contract, for each pointer; checked disjoint.
        let (c, written, data, out) = unsafe { raw::args(args) }?;
        let r = match r#type {
            PING | PONG if !fin => return Err(WSFRAME_RESULT_INVALID_ARGUMENT),
            PING => c.send_ping(data, out),
            PONG => c.send_pong(data, out),
            t => {
                let kind = self::kind(t)?;
                if fin && !c.is_sending_message() {
                    // A whole message: a batch of one, whose short frames are
                    // written inline.
                    if kind == DataKind::Text {
                        utf8(data)?;
                    }
                    c.batch(kind).and_then(|mut b| b.send(data, out))
                } else {
                    c.send_frame(kind, data, fin, out)
                }
            }
        };
        report(r, written)
    })
}

/// One message for `wsframe_conn_send_many`: `len` bytes at `data`, as
/// `struct iovec` holds a buffer for `writev`.
///
/// # Examples
///
/// ```c
/// wsframe_buf msgs[2] = {{(const uint8_t *)"hi", 2}, {NULL, 0}}; // "hi", then an empty message
/// ```
#[repr(C)]
#[derive(Debug, Clone, Copy)]
pub struct wsframe_buf {
    /// The message's bytes; NULL with `len` 0 is an empty message.
    pub data: *const u8,
    /// How many bytes.
    pub len: usize,
}

// SAFETY: a pointer and an integer, valid for any bits; no `bool` fields.
unsafe impl FromC for wsframe_buf {
    const FLAGS: &'static [usize] = &[];
}

/// Writes `count` whole messages of one `type` (`WSFRAME_EVENT_TEXT` or
/// `_BINARY`), one frame each and in order, back to back into `out`: what
/// `count` calls of `wsframe_conn_send` with `fin` set would write, in one
/// call (RFC 6455 §5.6). For a sender with several small messages at once
/// (a flush of a queue, a broadcast, telemetry), where the price of a call
/// per message dominates. Text messages must each be valid UTF-8.
///
/// `*sent_out` and `*written_out` are set on every result once the call's
/// own pointers passed their checks (not when NULL_POINTER, INVALID_HANDLE,
/// UNALIGNED or INVALID_ARGUMENT is about `conn`, `messages`, `out` or the
/// out-parameters): `out[0..*written_out]` then holds the first `*sent_out`
/// messages' frames, to be written to the socket whatever the result. OK with `*sent_out` below
/// `count` means the next message did not fit: write, then call again with
/// the rest. INSUFFICIENT_SIZE means not even the first one fits (nothing
/// written; `*written_out` = bytes it needs, as for `wsframe_conn_send`).
/// `wsframe_max_frame_len(len)` bytes per message always suffice.
///
/// Results: OK; INSUFFICIENT_SIZE; NULL_POINTER (also a message with NULL
/// `data` and `len` above 0); INVALID_HANDLE; UNALIGNED (`messages`);
/// INVALID_ARGUMENT (`type`; a message or `messages` overlapping `out`, an
/// out-parameter or the connection; a length above PTRDIFF_MAX);
/// INVALID_UTF8 (a text message); MESSAGE_IN_PROGRESS (a fragmented message
/// is being sent); CLOSED; RANDOM_FAILED (clients). From a message on, an
/// error sends neither it nor those after it.
///
/// # Safety
///
/// `conn` must be NULL or a live connection handle used by no other thread;
/// `messages` NULL or valid for reads of `count` `wsframe_buf`s, each `data`
/// NULL or valid for reads of its `len` bytes; `out` NULL or valid for
/// writes of `out_len` bytes; `sent_out` and `written_out` NULL or valid for
/// one write.
///
/// # Examples
///
/// ```c
/// wsframe_buf msgs[2] = {{a, a_len}, {b, b_len}};
/// size_t sent, n;
/// if (wsframe_conn_send_many(conn, WSFRAME_EVENT_BINARY, msgs, 2, out, sizeof out, &sent, &n) == WSFRAME_RESULT_OK)
///     write_all(fd, out, n); // sent < 2: write, then send msgs + sent
/// ```
#[unsafe(no_mangle)]
#[allow(clippy::too_many_arguments)]
pub unsafe extern "C" fn wsframe_conn_send_many(
    conn: *mut wsframe_conn,
    r#type: u32,
    messages: *const wsframe_buf,
    count: usize,
    out: *mut u8,
    out_len: usize,
    sent_out: *mut usize,
    written_out: *mut usize,
) -> wsframe_result {
    guard(|| {
        let conn = handle(conn);
        let written = [conn.span(), Span::bytes(out, out_len)];
        let args = (
            conn,
            Put(sent_out),
            Put(written_out),
            raw::Items(messages, count),
            InOut(out, out_len),
        );
        // SAFETY: caller contract, for each pointer; checked disjoint.
        let (c, sent, bytes, messages, out) = unsafe { raw::args(args) }?;
        let (mut n, mut pos) = (0, 0);
        let mut each = || {
            let kind = self::kind(r#type)?;
            let mut batch = c.batch(kind).map_err(from_core)?;
            for m in messages {
                // SAFETY: caller contract for each message; checked apart
                // from everything the call writes.
                let data = unsafe { raw::bytes_apart(m.data, m.len, &written) }?;
                if kind == DataKind::Text {
                    utf8(data)?;
                }
                match batch.send(data, out.get_mut(pos..).unwrap_or_default()) {
                    Ok(w) => (n, pos) = (n + 1, pos + w),
                    Err(Error::InsufficientSize { .. }) if n > 0 => break,
                    Err(Error::InsufficientSize { required }) => {
                        pos = required;
                        return Err(WSFRAME_RESULT_INSUFFICIENT_SIZE);
                    }
                    Err(e) => return Err(from_core(e)),
                }
            }
            Ok(())
        };
        let r = each();
        sent.write(n);
        bytes.write(pos);
        r
    })
}

/// Zero-copy variant of `wsframe_conn_send` for data frames (`kind` is
/// `WSFRAME_EVENT_TEXT` or `_BINARY`): writes only the frame header into
/// `header_out` and masks `payload` in place (clients), so the caller can
/// send header and payload with one vectored write (`writev`).
/// `payload` is the caller's own memory: a frame-level connection owns no
/// message buffers that could be passed here, and a session has no in-place
/// send.
///
/// On OK, `*written_out` is the header length; the payload is `payload[0..len]`
/// as modified. `WSFRAME_MAX_HEADER_LEN` (14) bytes of `header_out` always
/// suffice. On any error `payload` is unchanged.
///
/// Results: as for `wsframe_conn_send` (text is never checked here);
/// INSUFFICIENT_SIZE refers to `header_out`, and INVALID_ARGUMENT also
/// covers `payload` and `header_out` overlapping.
///
/// # Safety
///
/// `conn` must be NULL or a live connection handle used by no other thread;
/// `payload` NULL or valid for reads and writes of `len` bytes; `header_out`
/// NULL or valid for writes of `header_len` bytes; `written_out` NULL or
/// valid for one write.
///
/// # Examples
///
/// ```c
/// uint8_t payload[] = "t=21.5"; // the caller's own buffer, masked in place by a client
/// size_t len = sizeof payload - 1;
/// uint8_t header[WSFRAME_MAX_HEADER_LEN];
/// if (wsframe_conn_send_frame_in_place(conn, WSFRAME_EVENT_TEXT, payload, len, true, header, sizeof header, &n) == WSFRAME_RESULT_OK) {
///     write_all(fd, header, n); // or both in one writev()
///     write_all(fd, payload, len);
/// }
/// ```
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
        let args =
            (handle(conn), Put(written_out), InOut(payload, len), InOut(header_out, header_len));
        // SAFETY: caller contract, for each pointer; checked disjoint.
        let (c, written, payload, header) = unsafe { raw::args(args) }?;
        report(c.send_frame_in_place(self::kind(kind)?, payload, fin, header), written)
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
/// NULL_POINTER; INVALID_HANDLE; INVALID_ARGUMENT (as for
/// `wsframe_conn_send`); INVALID_CLOSE_CODE (1004-1006, 1015,
/// unassigned); REASON_WITHOUT_CODE; CONTROL_PAYLOAD_TOO_LARGE (reason over
/// 123 bytes); INVALID_UTF8 (reason); CLOSED (a Close was already sent);
/// RANDOM_FAILED (clients).
///
/// # Safety
///
/// As for `wsframe_conn_send`, with `reason`/`reason_len` for `data`/`len`.
///
/// # Examples
///
/// ```c
/// const char *reason = "done";
/// if (wsframe_conn_send_close(conn, WSFRAME_CLOSE_NORMAL, (const uint8_t *)reason, strlen(reason), out, sizeof out, &n) == WSFRAME_RESULT_OK)
///     write_all(fd, out, n); // now CLOSE_SENT: receive until the peer's Close
/// ```
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
        let text = Text(reason.cast(), reason_len);
        let args = (handle(conn), Put(written_out), text, InOut(out, out_len));
        // SAFETY: caller contract, for each pointer; checked disjoint.
        let (c, written, reason, out) = unsafe { raw::args(args) }?;
        let code = (code != 0).then_some(CloseCode(code));
        report(c.send_close(code, reason.unwrap_or_default(), out), written)
    })
}

/// Masks or unmasks `data` in place with the 4-byte `key` (RFC 6455 §5.3):
/// byte `i` is XORed with `key[(offset + i) % 4]`, so a payload handled in
/// pieces continues with `offset` = the bytes done so far. The core's SIMD
/// and word-wise masking, for callers that frame payloads themselves.
///
/// Results: OK; NULL_POINTER (`key`, or `data` NULL with `len` > 0);
/// INVALID_ARGUMENT (`key` inside `data`, a length above PTRDIFF_MAX).
///
/// # Safety
///
/// `data` NULL or valid for reads and writes of `len` bytes; `key` NULL or
/// valid for reads of 4 bytes.
///
/// # Examples
///
/// ```c
/// const uint8_t key[4] = {0x37, 0xfa, 0x21, 0x3d};
/// uint8_t payload[5] = {'H', 'e', 'l', 'l', 'o'};
/// r = wsframe_mask(payload, 3, key, 0); // the first 3 bytes,
/// if (r == WSFRAME_RESULT_OK)
///     r = wsframe_mask(payload + 3, 2, key, 3); // then the rest, continuing at offset 3
/// ```
#[unsafe(no_mangle)]
pub unsafe extern "C" fn wsframe_mask(
    data: *mut u8,
    len: usize,
    key: *const u8,
    offset: usize,
) -> wsframe_result {
    guard(|| {
        // SAFETY: caller contract, for each pointer; checked disjoint.
        let (data, key) = unsafe { raw::args((InOut(data, len), In(key, 4))) }?;
        let key = key.try_into().map_err(|_| WSFRAME_RESULT_INVALID_ARGUMENT)?;
        wsframe::mask::apply_mask(data, key, offset);
        Ok(())
    })
}

/// Validates UTF-8 that arrives in pieces (RFC 6455 §8.1), failing as soon
/// as the bytes so far cannot begin valid UTF-8 (a fail-fast check; pieces
/// may split characters anywhere). `*state` starts at 0 for each text;
/// `last` ends it (a character left incomplete then fails) and sets
/// `*state` back to 0. The core's validator (SIMD in hosted builds), for
/// callers that handle text themselves.
///
/// Results: OK; INVALID_UTF8 (fail the connection with 1007; `*state` is
/// 0 again); NULL_POINTER (`state`, or `data` NULL with `len` > 0);
/// INVALID_ARGUMENT (`*state` was not made by this function, overlap, a
/// length above PTRDIFF_MAX).
///
/// # Safety
///
/// `state` NULL or valid for reads and writes of a `uint32_t`; `data` NULL
/// or valid for reads of `len` bytes.
///
/// # Examples
///
/// ```c
/// uint32_t state = 0; // 0 for each new text
/// r = wsframe_utf8_validate(&state, (const uint8_t *)"caf\xc3", 4, false); // splits the "é"
/// if (r == WSFRAME_RESULT_OK)
///     r = wsframe_utf8_validate(&state, (const uint8_t *)"\xa9", 1, true); // "café": OK
/// if (r == WSFRAME_RESULT_INVALID_UTF8)
///     close_socket(fd); // after a Close with WSFRAME_CLOSE_INVALID_PAYLOAD (1007)
/// ```
#[unsafe(no_mangle)]
pub unsafe extern "C" fn wsframe_utf8_validate(
    state: *mut u32,
    data: *const u8,
    len: usize,
    last: bool,
) -> wsframe_result {
    guard(|| {
        // SAFETY: caller contract, for each pointer; checked disjoint.
        let (state, data) = unsafe { raw::args((InOut(state, 4), In(data, len))) }?;
        let state: &mut [u8; 4] = state.try_into().map_err(|_| WSFRAME_RESULT_NULL_POINTER)?;
        let v =
            &mut Utf8Validator::from_state(*state).map_err(|_| WSFRAME_RESULT_INVALID_ARGUMENT)?;
        let r = v.feed(data).and_then(|()| if last { v.finish() } else { Ok(()) });
        *state = if r.is_ok() { v.state() } else { [0; 4] };
        r.map_err(|_| WSFRAME_RESULT_INVALID_UTF8)
    })
}

/// An upper bound on the bytes one frame with `payload_len` bytes of payload
/// takes, masked or not (`payload_len + 14`, saturating): size `out` buffers
/// with it.
///
/// # Safety
///
/// None: any value is accepted.
///
/// # Examples
///
/// ```c
/// const char *text = "hello";
/// uint8_t frame[64];
/// if (wsframe_max_frame_len(strlen(text)) <= sizeof frame && // fits: the send cannot be short of room
///     wsframe_conn_send(conn, WSFRAME_EVENT_TEXT, (const uint8_t *)text, strlen(text), true, frame, sizeof frame, &n) == WSFRAME_RESULT_OK)
///     write_all(fd, frame, n);
/// ```
#[unsafe(no_mangle)]
pub unsafe extern "C" fn wsframe_max_frame_len(payload_len: usize) -> usize {
    wsframe::frame::max_frame_len(payload_len)
}
