//! Reconnection delays (RFC 6455 §7.2.3).

use core::ffi::c_void;
use core::mem::size_of;

use wsframe::backoff::Backoff;

use crate::conn::wsframe_random_fn;
use crate::guard::guard;
use crate::raw::{self, CRandom, Obj, ObjRef, Put};
use crate::result::*;

/// Reconnect delays: the first uniform in 0-5 s, then truncated binary
/// exponential backoff with jitter (RFC 6455 §7.2.3). Caller-allocated; set
/// up with `wsframe_backoff_init`, no cleanup needed. The contents are
/// private. A plain copy of an initialised backoff is a valid, independent one.
///
/// # Examples
///
/// ```c
/// wsframe_backoff backoff; // plain caller memory, no cleanup
/// uint64_t delay_ms;
/// if (wsframe_backoff_init(&backoff, 60000) != WSFRAME_RESULT_OK) // delays of at most a minute
///     return;
/// for (int attempt = 0; attempt < 5; attempt++) // connect; after each failure:
///     if (wsframe_backoff_next_delay(&backoff, &delay_ms) == WSFRAME_RESULT_OK)
///         sleep_ms(delay_ms);
/// ```
#[repr(C)]
#[derive(Debug, Clone, Copy)]
pub struct wsframe_backoff {
    /// Private state; do not touch.
    pub _private: [u64; 8],
}

#[derive(Debug, Clone, Copy)]
struct State {
    backoff: Backoff,
    rng: CRandom,
}

const TAG: u64 = u64::from_be_bytes(*b"wsfrBack");

const _: () = assert!(size_of::<raw::Tagged<State>>() <= size_of::<wsframe_backoff>());

/// The live backoff behind `b`.
fn live(b: *mut wsframe_backoff) -> Obj<State, TAG> {
    Obj(b.cast())
}

/// # Safety
///
/// `b` is NULL or valid for writes of a `wsframe_backoff`.
unsafe fn init(b: *mut wsframe_backoff, backoff: Backoff) -> Result<(), wsframe_result> {
    let rng = CRandom::OS;
    // SAFETY: caller contract; size checked at compile time, alignment here.
    unsafe { raw::init_tagged(b.cast(), size_of::<wsframe_backoff>(), TAG, State { backoff, rng }) }
        .map(|_| ())
}

/// Sets up RFC 6455's suggestion: a first delay uniform in [0, 5000] ms,
/// then windows doubling from 5 s, no delay above `max_ms`. Random jitter
/// comes from the OS in hosted builds; see `wsframe_backoff_set_random`.
/// Overwrites `*b`.
///
/// Results: OK, NULL_POINTER.
///
/// # Safety
///
/// `b` must be NULL or valid for writes of a `wsframe_backoff`.
///
/// # Examples
///
/// ```c
/// wsframe_backoff backoff;
/// r = wsframe_backoff_init(&backoff, 30000); // RFC 6455's delays, none above 30 s
/// if (r != WSFRAME_RESULT_OK)
///     fprintf(stderr, "wsframe_backoff_init: %s\n", wsframe_result_str(r));
/// ```
#[unsafe(no_mangle)]
pub unsafe extern "C" fn wsframe_backoff_init(
    b: *mut wsframe_backoff,
    max_ms: u64,
) -> wsframe_result {
    // SAFETY: caller contract.
    guard(|| unsafe { init(b, Backoff::new(max_ms)) })
}

/// Sets up a backoff whose first delay is uniform in [0, first_window_ms],
/// whose attempt n >= 1 draws from [w/2, w] with w = base_ms * 2^(n-1), and
/// whose delays never exceed `max_ms`. Overwrites `*b`.
///
/// Results: OK, NULL_POINTER.
///
/// # Safety
///
/// `b` must be NULL or valid for writes of a `wsframe_backoff`.
///
/// # Examples
///
/// ```c
/// wsframe_backoff backoff; // first delay 0-1 s, then windows from 500 ms doubling, at most 10 s
/// r = wsframe_backoff_init_with_params(&backoff, 1000, 500, 10000);
/// if (r != WSFRAME_RESULT_OK)
///     return;
/// ```
#[unsafe(no_mangle)]
pub unsafe extern "C" fn wsframe_backoff_init_with_params(
    b: *mut wsframe_backoff,
    first_window_ms: u64,
    base_ms: u64,
    max_ms: u64,
) -> wsframe_result {
    // SAFETY: caller contract.
    guard(|| unsafe { init(b, Backoff::with_params(first_window_ms, base_ms, max_ms)) })
}

/// Installs the jitter's random source, with the contract of
/// `wsframe_conn_config.random` (NULL `fill` restores the build's default:
/// the OS, or none without `std`).
///
/// Results: OK, NULL_POINTER, INVALID_HANDLE.
///
/// # Safety
///
/// `b` must be NULL or valid for reads and writes of a `wsframe_backoff`;
/// `fill`, if not NULL, must be safe to call with `user` and a buffer for as
/// long as it stays installed.
///
/// # Examples
///
/// ```c
/// wsframe_backoff backoff;
/// if (wsframe_backoff_init(&backoff, 30000) == WSFRAME_RESULT_OK)
///     r = wsframe_backoff_set_random(&backoff, trng_fill, NULL); // jitter from the TRNG
/// ```
#[unsafe(no_mangle)]
pub unsafe extern "C" fn wsframe_backoff_set_random(
    b: *mut wsframe_backoff,
    fill: wsframe_random_fn,
    user: *mut c_void,
) -> wsframe_result {
    guard(|| {
        // SAFETY: caller contract; the tag refuses uninitialised structs.
        unsafe { raw::args((live(b),)) }?.0.rng = CRandom { fill, user };
        Ok(())
    })
}

/// The delay before the next reconnection attempt, in milliseconds, and
/// counts the attempt. Without random bytes (a failing source, or none in a
/// build without `std`) the delay is the middle of its window: the core's
/// policy, still within RFC 6455 §7.2.3, only not spread out.
///
/// Results: OK; NULL_POINTER; INVALID_HANDLE; INVALID_ARGUMENT
/// (`delay_ms_out` inside `*b`). `*delay_ms_out` is written on OK.
///
/// # Safety
///
/// `b` must be NULL or valid for reads and writes of a `wsframe_backoff`;
/// `delay_ms_out` NULL or valid for one write.
///
/// # Examples
///
/// ```c
/// uint64_t delay_ms; // the connection failed: wait, then reconnect
/// if (wsframe_backoff_next_delay(&backoff, &delay_ms) == WSFRAME_RESULT_OK)
///     sleep_ms(delay_ms);
/// ```
#[unsafe(no_mangle)]
pub unsafe extern "C" fn wsframe_backoff_next_delay(
    b: *mut wsframe_backoff,
    delay_ms_out: *mut u64,
) -> wsframe_result {
    guard(|| {
        // SAFETY: caller contract; checked disjoint.
        let (s, out) = unsafe { raw::args((live(b), Put(delay_ms_out))) }?;
        out.done(s.backoff.next_delay(&mut s.rng))
    })
}

/// Forgets past attempts, after a successful connection.
///
/// Results: OK, NULL_POINTER, INVALID_HANDLE.
///
/// # Safety
///
/// `b` must be NULL or valid for reads and writes of a `wsframe_backoff`.
///
/// # Examples
///
/// ```c
/// // Connected again: the next failure starts over from the first window.
/// if (wsframe_backoff_reset(&backoff) != WSFRAME_RESULT_OK)
///     return;
/// ```
#[unsafe(no_mangle)]
pub unsafe extern "C" fn wsframe_backoff_reset(b: *mut wsframe_backoff) -> wsframe_result {
    guard(|| {
        // SAFETY: caller contract; the tag refuses uninitialised structs.
        unsafe { raw::args((live(b),)) }?.0.backoff.reset();
        Ok(())
    })
}

/// Attempts counted since initialisation or the last reset.
///
/// Results: OK, NULL_POINTER, INVALID_HANDLE, INVALID_ARGUMENT (as for
/// `wsframe_backoff_next_delay`). `*attempts_out` is written on OK.
///
/// # Safety
///
/// `b` must be NULL or valid for reads of a `wsframe_backoff` (not written
/// meanwhile); `attempts_out` NULL or valid for one write.
///
/// # Examples
///
/// ```c
/// uint32_t attempts;
/// if (wsframe_backoff_attempts(&backoff, &attempts) == WSFRAME_RESULT_OK && attempts >= 10)
///     return; // give up after ten attempts
/// ```
#[unsafe(no_mangle)]
pub unsafe extern "C" fn wsframe_backoff_attempts(
    b: *const wsframe_backoff,
    attempts_out: *mut u32,
) -> wsframe_result {
    guard(|| {
        let b = ObjRef::<State, TAG>(b.cast());
        // SAFETY: caller contract; checked disjoint.
        let (s, out) = unsafe { raw::args((b, Put(attempts_out))) }?;
        out.done(s.backoff.attempts())
    })
}

/// Whether a client should reconnect after its connection ended with `code`
/// (`WSFRAME_CLOSE_ABNORMAL_CLOSURE`, 1006, when no Close frame arrived): yes
/// for 1006, 1011, 1012 and 1013; no for a clean 1000 or 1001 and every other
/// code. The core's policy (`backoff::should_reconnect`), the same in every face.
///
/// # Safety
///
/// None: any value is accepted.
///
/// # Examples
///
/// ```c
/// uint16_t code = WSFRAME_CLOSE_ABNORMAL_CLOSURE; // the peer's code; 1006 if the socket just dropped
/// uint64_t delay_ms;
/// if (wsframe_should_reconnect(code) && wsframe_backoff_next_delay(&backoff, &delay_ms) == WSFRAME_RESULT_OK)
///     sleep_ms(delay_ms); // then reconnect
/// ```
#[unsafe(no_mangle)]
pub unsafe extern "C" fn wsframe_should_reconnect(code: u16) -> bool {
    wsframe::backoff::should_reconnect(wsframe::CloseCode(code))
}
