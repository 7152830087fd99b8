//! Sessions: the core's message layer (`wsframe::session::Session`) behind a
//! handle. Reassembly, permessage-deflate both ways, the inflated-size limit,
//! automatic Pong and Close replies, the heartbeat and the order of events
//! and failure are all the core's; this module checks C arguments and
//! converts results. Hosted builds only (it allocates): without `std`
//! every function returns UNSUPPORTED.

// Without `std` the bodies are gone and the arguments go unused.
#![cfg_attr(not(feature = "std"), allow(unused_variables))]

#[cfg(feature = "std")]
use wsframe::session::{Message, Session, SessionConfig};
#[cfg(feature = "std")]
use wsframe::{CloseCode, DataKind, keepalive::KeepaliveAction};

#[cfg(feature = "std")]
use crate::conn::{PING, PONG, event, kind, role, state_of, utf8, wsframe_event_type};
use crate::conn::{wsframe_conn_config, wsframe_event, wsframe_state};
use crate::guard::{guard, guard_value};
#[cfg(feature = "std")]
use crate::raw::{self, Arg, CRandom, In, Obj, Region, Span, Text};
use crate::raw::{InOut, Put};
use crate::result::*;

/// A WebSocket connection at the message level (opaque): the frame-level
/// connection plus whole-message reassembly, permessage-deflate both ways,
/// one `max_message_size` that counts inflated bytes, automatic Pong and
/// Close replies and an optional heartbeat. Still no I/O: what it has to
/// send — the application's messages and its own replies, in order — waits
/// in an outgoing buffer (`wsframe_session_outgoing`) for the caller to
/// write to the socket.
///
/// Order of events and failure (RFC 6455 §7.1.7): one call returns at most
/// one event, so the messages decoded before a protocol violation reach the
/// application first and its answers are queued before the Close the
/// violation calls for; nothing after the bad frame is looked at.
///
/// Created by `wsframe_session_new` (heap; hosted builds only), ended by
/// `wsframe_session_free`. Not thread-safe, like a connection.
pub struct wsframe_session {
    _private: [u8; 0],
}

/// `wsframe_session_send` flag: send this message uncompressed even though
/// permessage-deflate is on (say it is already compressed data).
pub const WSFRAME_SEND_NO_COMPRESS: u32 = 1;

/// What to do after `wsframe_session_poll`.
#[repr(u32)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum wsframe_keepalive_action {
    /// Nothing to do before `wsframe_session_next_deadline`.
    WSFRAME_KEEPALIVE_IDLE = 0,
    /// Nothing arrived for the interval: a Ping is queued; write the
    /// outgoing bytes. Reported once per silence.
    WSFRAME_KEEPALIVE_SEND_PING = 1,
    /// Nothing arrived for the timeout after the Ping: the peer is presumed
    /// gone; close the socket (the closure is abnormal, 1006). Reported on
    /// every poll until an arrival.
    WSFRAME_KEEPALIVE_PEER_DEAD = 2,
}

/// The body for builds with sessions; without `std`, UNSUPPORTED.
macro_rules! with_std {
    ($body:block) => {{
        #[cfg(feature = "std")]
        $body
        #[cfg(not(feature = "std"))]
        {
            Err(WSFRAME_RESULT_UNSUPPORTED)
        }
    }};
}

/// The body of a session function: inside the panic guard, `$f` runs on the
/// live session and the checked `$args` (see `with`); without `std`,
/// UNSUPPORTED.
macro_rules! session {
    ($session:expr, $args:expr, $f:expr) => {
        // SAFETY: the calling function's `# Safety` contract covers
        // `$session` and every pointer in `$args`; `with` checks them.
        guard(|| with_std!({ unsafe { with($session, $args, $f) } }))
    };
}

#[cfg(feature = "std")]
type S = Session<CRandom>;

/// Runs `f` on the live session behind `session` and the values of `args`,
/// once those were found disjoint from the session and its outgoing buffer
/// (a send may grow that buffer, moving it).
///
/// # Safety
///
/// `session` NULL or a live handle from `wsframe_session_new` used by no
/// other thread; `args` as their function's `# Safety` says.
#[cfg(feature = "std")]
unsafe fn with<'a, T, A: Arg>(
    session: *mut wsframe_session,
    args: A,
    f: impl FnOnce(&'a mut S, A::Value<'a>) -> Result<T, wsframe_result>,
) -> Result<T, wsframe_result> {
    let session = session.cast::<S>();
    // SAFETY: caller contract; the tag refuses what is not a session.
    let (s,) = unsafe { raw::args((Obj::<S, { raw::TAG_SESSION }>(session),)) }?;
    let out = s.outgoing();
    let busy = (Region(Span::bytes(out.as_ptr(), out.len()), true), raw::region(session));
    // SAFETY: caller contract; checked disjoint.
    let (_, values) = unsafe { raw::args((busy, args)) }?;
    f(s, values)
}

/// Creates a session on the heap, in the OPEN state, from `config` (NULL:
/// the defaults of `wsframe_conn_config_default`): its limits, whether and
/// how permessage-deflate was agreed, the automatic replies, streaming, the
/// buffer threshold, the heartbeat and the random source.
///
/// Results: OK; NULL_POINTER (`session_out`); INVALID_ARGUMENT (`role`, a
/// window outside 8..=15, a level over 9); UNSUPPORTED (a build without
/// `std`). `*session_out` is written on OK only.
///
/// # Safety
///
/// `config` NULL or valid for reads of a `wsframe_conn_config`;
/// `session_out` NULL or valid for writing one pointer.
///
/// # Examples
///
/// ```c
/// wsframe_session *session;
/// r = wsframe_session_new(WSFRAME_ROLE_CLIENT, &config, &session); // NULL config: the defaults
/// if (r != WSFRAME_RESULT_OK)
///     fprintf(stderr, "wsframe_session_new: %s\n", wsframe_result_str(r));
/// ```
#[unsafe(no_mangle)]
pub unsafe extern "C" fn wsframe_session_new(
    role: u32,
    config: *const wsframe_conn_config,
    session_out: *mut *mut wsframe_session,
) -> wsframe_result {
    guard(|| {
        with_std!({
            // SAFETY: caller contract, for each pointer; checked disjoint.
            let (out, _) =
                unsafe { raw::args((Put(session_out), Region(Span::of(config), false))) }?;
            let role = self::role(role)?;
            // SAFETY: as above.
            let c = unsafe { wsframe_conn_config::from_c(config) }?;
            let mut sc = SessionConfig::default()
                .with_limits(c.limits())
                .with_auto_pong(c.auto_pong)
                .with_auto_close(c.auto_close)
                .with_streaming(c.streaming)
                .with_retain_buffer(c.retain_buffer)
                .with_compression_level(c.compression_level);
            if c.deflate {
                sc = sc.with_deflate(c.deflate_params.to_core()?);
            }
            if c.keepalive_interval_ms != 0 {
                sc = sc.with_keepalive(c.keepalive_interval_ms, c.keepalive_timeout_ms);
            }
            let s: S = Session::new(role, sc, c.random(role)?);
            out.done(raw::new_session(s).cast())
        })
    })
}

/// Frees a session and everything it holds. NULL is a no-op. The handle
/// must not be used afterwards: freeing it twice is undefined behaviour.
///
/// # Safety
///
/// `session` must be NULL or a live handle from `wsframe_session_new`, used
/// by no other thread.
///
/// # Examples
///
/// ```c
/// close_socket(fd);
/// wsframe_session_free(session);
/// session = NULL;
/// ```
#[unsafe(no_mangle)]
pub unsafe extern "C" fn wsframe_session_free(session: *mut wsframe_session) {
    if !session.is_null() {
        // SAFETY: caller contract.
        let _ = guard(|| with_std!({ unsafe { raw::end(session.cast::<S>(), raw::TAG_SESSION) } }));
    }
}

/// Decodes bytes read from the peer into at most one event (see
/// `wsframe_event`), and queues the automatic replies.
///
/// As `wsframe_conn_receive`, with these differences. A data message comes
/// whole, as one TEXT or BINARY event with `last` set: fragmented and
/// compressed messages are reassembled and inflated inside the session,
/// never past `max_message_size` (with `streaming`, uncompressed messages
/// come as chunks instead). `data` points into `input` for a single-frame
/// uncompressed message, else into the session; it stays valid until the
/// next call on this session, and may be passed to this session's send
/// functions (to echo it). A PING's Pong and a CLOSE's answer are already
/// queued (with `auto_pong`, `auto_close`).
///
/// On a protocol violation the result names it and, with `auto_close`, the
/// Close with `wsframe_result_close_code(result)` is queued after whatever
/// the application queued before this call: write `wsframe_session_outgoing`,
/// then close the socket. Events before the violation in the same input
/// were returned by the earlier calls, one per call.
///
/// Results: OK; NULL_POINTER; INVALID_HANDLE; INVALID_ARGUMENT (`len` above
/// PTRDIFF_MAX, outputs overlapping `input`, or `input` inside the
/// session's outgoing buffer); a 71xx protocol error; UNSUPPORTED (a build
/// without `std`). Outputs are written only on OK.
///
/// # Safety
///
/// `session` NULL or a live handle used by no other thread; `input` NULL or
/// valid for reads and writes of `len` bytes; the out pointers NULL or valid
/// for one write.
///
/// # Examples
///
/// ```c
/// size_t pos = 0, used;
/// while (wsframe_session_receive(session, in + pos, have - pos, &used, &ev) == WSFRAME_RESULT_OK) {
///     pos += used;
///     if (ev.type == WSFRAME_EVENT_NONE) break; // all consumed: read more
///     if (ev.type == WSFRAME_EVENT_TEXT || ev.type == WSFRAME_EVENT_BINARY) on_message(ev.data, ev.len);
/// }
/// memmove(in, in + pos, have -= pos); // then write the outgoing bytes (Pongs, a Close)
/// ```
#[unsafe(no_mangle)]
pub unsafe extern "C" fn wsframe_session_receive(
    session: *mut wsframe_session,
    input: *mut u8,
    len: usize,
    consumed_out: *mut usize,
    event_out: *mut wsframe_event,
) -> wsframe_result {
    let args = (InOut(input, len), Put(consumed_out), Put(event_out));
    session!(session, args, |s, (input, consumed, ev)| {
        let r = s.receive(input).map_err(from_core)?;
        use wsframe_event_type::*;
        let data = |k| if k == DataKind::Text { WSFRAME_EVENT_TEXT } else { WSFRAME_EVENT_BINARY };
        ev.write(match r.message {
            None => event(WSFRAME_EVENT_NONE, false, 0, &[]),
            Some(Message::Text(t)) => event(WSFRAME_EVENT_TEXT, true, 0, t.as_bytes()),
            Some(Message::Binary(b)) => event(WSFRAME_EVENT_BINARY, true, 0, b),
            Some(Message::Chunk { kind, data: d, last }) => event(data(kind), last, 0, d),
            Some(Message::Ping(p)) => event(WSFRAME_EVENT_PING, true, 0, p),
            Some(Message::Pong(p)) => event(WSFRAME_EVENT_PONG, true, 0, p),
            Some(Message::Close(None)) => event(WSFRAME_EVENT_CLOSE, true, 0, &[]),
            Some(Message::Close(Some(f))) => {
                event(WSFRAME_EVENT_CLOSE, true, f.code.0, f.reason.as_bytes())
            }
        });
        consumed.done(r.consumed)
    })
}

/// Queues a whole message as one frame, or a Ping or a Pong, as
/// `wsframe_conn_send` does for a connection. `type` is `WSFRAME_EVENT_TEXT`
/// or `_BINARY`, `_PING` or `_PONG`.
///
/// A message is compressed (RFC 7692 §7.2.1) when permessage-deflate is on
/// and `flags` lacks `WSFRAME_SEND_NO_COMPRESS`; clients mask every frame
/// with a fresh key. Text must be UTF-8. Everything that could refuse the
/// frame is checked before the compressor sees it, so a refused message
/// leaves no trace in the compression context. A Ping (RFC 6455 §5.5.2) or
/// an unsolicited Pong (§5.5.3, a one-way heartbeat; Pings are answered
/// automatically with `auto_pong`) carries at most 125 bytes, never
/// compressed. `data` may be an event's `data` from this session.
///
/// Results: OK; NULL_POINTER; INVALID_HANDLE; INVALID_ARGUMENT (`type`,
/// unknown `flags` bits, a length above PTRDIFF_MAX, `data` inside the
/// outgoing buffer); INVALID_UTF8; MESSAGE_IN_PROGRESS (a fragmented
/// message is being sent); CONTROL_PAYLOAD_TOO_LARGE; CLOSED; RANDOM_FAILED
/// (clients; nothing was queued); UNSUPPORTED (a build without `std`).
///
/// # Safety
///
/// `session` NULL or a live handle used by no other thread; `data` NULL or
/// valid for reads of `len` bytes.
///
/// # Examples
///
/// ```c
/// const char *text = "hello";
/// r = wsframe_session_send(session, WSFRAME_EVENT_TEXT, (const uint8_t *)text, strlen(text), 0);
/// if (r == WSFRAME_RESULT_OK) // data already compressed goes as it is, deflate or not
///     r = wsframe_session_send(session, WSFRAME_EVENT_BINARY, a, a_len, WSFRAME_SEND_NO_COMPRESS);
/// // then write wsframe_session_outgoing's bytes
/// ```
#[unsafe(no_mangle)]
pub unsafe extern "C" fn wsframe_session_send(
    session: *mut wsframe_session,
    r#type: u32,
    data: *const u8,
    len: usize,
    flags: u32,
) -> wsframe_result {
    session!(session, (In(data, len),), |s, (data,)| {
        if flags & !WSFRAME_SEND_NO_COMPRESS != 0 {
            return Err(WSFRAME_RESULT_INVALID_ARGUMENT);
        }
        match r#type {
            PING => s.ping(data),
            PONG => s.pong(data),
            t => {
                let kind = self::kind(t)?;
                if kind == DataKind::Text {
                    utf8(data)?;
                }
                s.send(kind, data, flags & WSFRAME_SEND_NO_COMPRESS == 0)
            }
        }
        .map_err(from_core)
    })
}

/// Queues one frame of a message sent in pieces (RFC 6455 §5.4), never
/// compressed: `kind` is `WSFRAME_EVENT_TEXT` or `_BINARY`; `fin` ends the
/// message. Pings, Pongs and a Close may go
/// between the pieces. Text is not checked here (a piece may split a
/// character), but the message as a whole must be UTF-8.
///
/// Results: as for `wsframe_session_send`, except INVALID_UTF8;
/// MESSAGE_IN_PROGRESS also when `kind` differs from the message being sent.
///
/// # Safety
///
/// As for `wsframe_session_send`.
///
/// # Examples
///
/// ```c
/// // One text message in three frames; a Ping or a Pong may go between them.
/// r = wsframe_session_send_fragment(session, WSFRAME_EVENT_TEXT, (const uint8_t *)"Hel", 3, false);
/// if (r == WSFRAME_RESULT_OK)
///     r = wsframe_session_send_fragment(session, WSFRAME_EVENT_TEXT, (const uint8_t *)"lo, ", 4, false);
/// if (r == WSFRAME_RESULT_OK)
///     r = wsframe_session_send_fragment(session, WSFRAME_EVENT_TEXT, (const uint8_t *)"world", 5, true);
/// ```
#[unsafe(no_mangle)]
pub unsafe extern "C" fn wsframe_session_send_fragment(
    session: *mut wsframe_session,
    kind: u32,
    data: *const u8,
    len: usize,
    fin: bool,
) -> wsframe_result {
    session!(session, (In(data, len),), |s, (d,)| {
        s.send_fragment(self::kind(kind)?, d, fin).map_err(from_core)
    })
}

/// Queues a Close (RFC 6455 §5.5.1) and moves the closing handshake on, as
/// `wsframe_conn_send_close`: `code` 0 sends none, `reason` is UTF-8 of at
/// most 123 bytes, `(NULL, 0)` for none. Then keep receiving until the
/// peer's Close (state CLOSED), write the outgoing bytes, close the socket.
///
/// Results: OK; NULL_POINTER; INVALID_HANDLE; INVALID_ARGUMENT (as for
/// `wsframe_session_send`); INVALID_CLOSE_CODE; REASON_WITHOUT_CODE;
/// CONTROL_PAYLOAD_TOO_LARGE; INVALID_UTF8; CLOSED (a Close was already
/// sent); RANDOM_FAILED; UNSUPPORTED.
///
/// # Safety
///
/// As for `wsframe_session_send`, with `reason`/`reason_len`.
///
/// # Examples
///
/// ```c
/// const char *reason = "shutting down";
/// r = wsframe_session_close(session, WSFRAME_CLOSE_GOING_AWAY, (const uint8_t *)reason, strlen(reason));
/// // then write the outgoing bytes and receive until wsframe_session_state is CLOSED
/// ```
#[unsafe(no_mangle)]
pub unsafe extern "C" fn wsframe_session_close(
    session: *mut wsframe_session,
    code: u16,
    reason: *const u8,
    reason_len: usize,
) -> wsframe_result {
    session!(session, (Text(reason.cast(), reason_len),), |s, (r,)| {
        s.close((code != 0).then_some(CloseCode(code)), r.unwrap_or_default()).map_err(from_core)
    })
}

/// The bytes queued for the peer, oldest first: `(*data_out)[0..*len_out]`,
/// `(NULL, 0)` when there are none. Write them to the socket, then report
/// how many were written with `wsframe_session_consume_outgoing`. The
/// pointer is valid until the next call on this session.
///
/// Results: OK, NULL_POINTER, INVALID_HANDLE, INVALID_ARGUMENT (an output
/// inside the session), UNSUPPORTED.
///
/// # Safety
///
/// `session` NULL or a live handle used by no other thread; the out
/// pointers NULL or valid for one write.
///
/// # Examples
///
/// ```c
/// const uint8_t *data;
/// size_t len;
/// if (wsframe_session_outgoing(session, &data, &len) == WSFRAME_RESULT_OK && len > 0) {
///     write_all(fd, data, len);
///     r = wsframe_session_consume_outgoing(session, len);
/// }
/// ```
#[unsafe(no_mangle)]
pub unsafe extern "C" fn wsframe_session_outgoing(
    session: *mut wsframe_session,
    data_out: *mut *const u8,
    len_out: *mut usize,
) -> wsframe_result {
    session!(session, (Put(data_out), Put(len_out)), |s, (data_out, len_out)| {
        let e = event(wsframe_event_type::WSFRAME_EVENT_NONE, false, 0, s.outgoing());
        data_out.write(e.data);
        len_out.done(e.len)
    })
}

/// Drops the first `n` queued bytes (at most all of them), which the caller
/// has written to the socket. Once the queue is empty, a buffer grown past
/// `retain_buffer` is given back.
///
/// Results: OK, NULL_POINTER, INVALID_HANDLE, UNSUPPORTED.
///
/// # Safety
///
/// `session` NULL or a live handle used by no other thread.
///
/// # Examples
///
/// ```c
/// const uint8_t *data;
/// size_t len;
/// if (wsframe_session_outgoing(session, &data, &len) == WSFRAME_RESULT_OK && len > 0) {
///     size_t sent = len < 512 ? len : 512; // say a non-blocking write() took 512 bytes
///     write_all(fd, data, sent);
///     r = wsframe_session_consume_outgoing(session, sent); // the rest stays queued
/// }
/// ```
#[unsafe(no_mangle)]
pub unsafe extern "C" fn wsframe_session_consume_outgoing(
    session: *mut wsframe_session,
    n: usize,
) -> wsframe_result {
    session!(session, (), |s, ()| {
        s.consume_outgoing(n);
        Ok(())
    })
}

/// The session's closing-handshake state, or WSFRAME_STATE_INVALID for
/// NULL, a handle the library can tell is not a session, or a build
/// without `std`. Close the socket once it is CLOSED or FAILED and the
/// outgoing bytes are written (a server first, RFC 6455 §7.1.1).
///
/// # Safety
///
/// `session` NULL or a live handle not used by another thread meanwhile.
///
/// # Examples
///
/// ```c
/// wsframe_state state = wsframe_session_state(session);
/// if (state == WSFRAME_STATE_CLOSED || state == WSFRAME_STATE_FAILED) {
///     close_socket(fd); // once the outgoing bytes are written
///     wsframe_session_free(session);
/// }
/// ```
#[unsafe(no_mangle)]
pub unsafe extern "C" fn wsframe_session_state(session: *const wsframe_session) -> wsframe_state {
    let state = || -> Result<wsframe_state, wsframe_result> {
        // SAFETY: caller contract.
        with_std!({ unsafe { with(session.cast_mut(), (), |s, ()| Ok(state_of(s.state()))) } })
    };
    guard_value(wsframe_state::WSFRAME_STATE_INVALID, state)
}

/// Runs the heartbeat (`keepalive_interval_ms` in the config): call it
/// after creating the session (that starts the clock), when the socket had
/// activity, and when `wsframe_session_next_deadline` passes, with
/// milliseconds of the caller's monotonic clock. SEND_PING: the Ping is
/// queued, write the outgoing bytes. PEER_DEAD: close the socket. Without
/// a heartbeat always IDLE.
///
/// Results: OK, NULL_POINTER, INVALID_HANDLE, INVALID_ARGUMENT (`action_out`
/// inside the session), UNSUPPORTED. `*action_out` is written on OK.
///
/// # Safety
///
/// `session` NULL or a live handle used by no other thread; `action_out`
/// NULL or valid for one write.
///
/// # Examples
///
/// ```c
/// wsframe_keepalive_action action;
/// if (wsframe_session_poll(session, now_ms(), &action) == WSFRAME_RESULT_OK && action == WSFRAME_KEEPALIVE_PEER_DEAD)
///     close_socket(fd); // no answer to the Ping: an abnormal closure (1006)
/// // WSFRAME_KEEPALIVE_SEND_PING: the Ping is queued; write wsframe_session_outgoing's bytes
/// ```
#[unsafe(no_mangle)]
pub unsafe extern "C" fn wsframe_session_poll(
    session: *mut wsframe_session,
    now_ms: u64,
    action_out: *mut wsframe_keepalive_action,
) -> wsframe_result {
    session!(session, (Put(action_out),), |s, (out,)| {
        use wsframe_keepalive_action::*;
        out.done(match s.poll(now_ms) {
            KeepaliveAction::SendPing => WSFRAME_KEEPALIVE_SEND_PING,
            KeepaliveAction::PeerDead => WSFRAME_KEEPALIVE_PEER_DEAD,
            _ => WSFRAME_KEEPALIVE_IDLE,
        })
    })
}

/// When `wsframe_session_poll` next needs to run, in the caller's clock:
/// UINT64_MAX without a heartbeat or before the first poll.
///
/// Results: OK, NULL_POINTER, INVALID_HANDLE, INVALID_ARGUMENT (as for
/// `wsframe_session_poll`), UNSUPPORTED. `*deadline_ms_out` is written on OK.
///
/// # Safety
///
/// `session` NULL or a live handle used by no other thread;
/// `deadline_ms_out` NULL or valid for one write.
///
/// # Examples
///
/// ```c
/// uint64_t deadline, now = now_ms();
/// int timeout_ms = -1; // for poll(2): no heartbeat, wait for the socket alone
/// if (wsframe_session_next_deadline(session, &deadline) == WSFRAME_RESULT_OK && deadline != UINT64_MAX)
///     timeout_ms = deadline > now ? (int)(deadline - now) : 0; // then call wsframe_session_poll
/// ```
#[unsafe(no_mangle)]
pub unsafe extern "C" fn wsframe_session_next_deadline(
    session: *mut wsframe_session,
    deadline_ms_out: *mut u64,
) -> wsframe_result {
    session!(session, (Put(deadline_ms_out),), |s, (out,)| {
        out.done(s.next_deadline().unwrap_or(u64::MAX))
    })
}
