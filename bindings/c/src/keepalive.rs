//! Keepalive timer: when to send a Ping, when to give up on the peer.

use core::ffi::c_void;
use core::mem::size_of;

use wsframe::keepalive::{Keepalive, KeepaliveAction};

use crate::guard::guard;
use crate::raw::{self, Tagged};
use crate::result::wsframe_result;

/// A heartbeat timer driven by the caller's clock (milliseconds of any
/// monotonic clock). Caller-allocated (a local, a struct member, static
/// memory); set up with `wsframe_keepalive_init`, no cleanup needed. The
/// contents are private. A plain copy of an initialised timer is a valid,
/// independent timer.
#[repr(C)]
#[derive(Debug, Clone, Copy)]
pub struct wsframe_keepalive {
    /// Private state; do not touch.
    pub _private: [u64; 8],
}

/// What to do after `wsframe_keepalive_poll`.
#[repr(u32)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum wsframe_keepalive_action {
    /// Nothing to do before `wsframe_keepalive_next_deadline`.
    WSFRAME_KEEPALIVE_IDLE = 0,
    /// Nothing arrived for the interval: send a Ping (`wsframe_conn_send_ping`).
    /// Reported once per silence.
    WSFRAME_KEEPALIVE_SEND_PING = 1,
    /// Nothing arrived for the timeout after the Ping: the peer is presumed
    /// gone; close the socket. Reported on every poll until an arrival.
    WSFRAME_KEEPALIVE_PEER_DEAD = 2,
}

const TAG: u64 = u64::from_be_bytes(*b"wsfrKeep");

const _: () = assert!(size_of::<Tagged<Keepalive>>() <= size_of::<wsframe_keepalive>());

/// # Safety
///
/// `ka` is NULL or valid for reads and writes of a `wsframe_keepalive`.
unsafe fn timer<'a>(ka: *mut wsframe_keepalive) -> Result<&'a mut Keepalive, wsframe_result> {
    // SAFETY: caller contract; the tag check refuses uninitialised structs.
    unsafe { raw::tagged_mut::<Keepalive>(ka.cast::<c_void>(), |t| t == TAG) }.map(|(k, _)| k)
}

/// Starts a timer that asks for a Ping after `interval_ms` of silence and
/// declares the peer dead `timeout_ms` after that Ping if nothing arrived.
/// `now_ms` counts as the last arrival (typically the end of the handshake).
/// An `interval_ms` of UINT64_MAX disables the heartbeat. Overwrites `*ka`.
///
/// Results: OK, NULL_POINTER.
///
/// # Safety
///
/// `ka` must be NULL or valid for writes of a `wsframe_keepalive`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn wsframe_keepalive_init(
    ka: *mut wsframe_keepalive,
    interval_ms: u64,
    timeout_ms: u64,
    now_ms: u64,
) -> wsframe_result {
    guard(|| {
        let value = Tagged::new(TAG, Keepalive::new(interval_ms, timeout_ms, now_ms));
        // SAFETY: caller contract; the struct is large and aligned enough
        // (checked at compile time, and again at run time).
        unsafe { raw::init_tagged(ka.cast(), size_of::<wsframe_keepalive>(), value) }.map(|_| ())
    })
}

/// Records that something arrived from the peer at `now_ms` (any frame or
/// bytes, not only a Pong): the interval restarts.
///
/// Results: OK, NULL_POINTER, INVALID_HANDLE (not initialised).
///
/// # Safety
///
/// `ka` must be NULL or valid for reads and writes of a `wsframe_keepalive`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn wsframe_keepalive_on_receive(
    ka: *mut wsframe_keepalive,
    now_ms: u64,
) -> wsframe_result {
    guard(|| {
        // SAFETY: caller contract.
        unsafe { timer(ka) }?.on_receive(now_ms);
        Ok(())
    })
}

/// Says what to do at `now_ms`: nothing, send a Ping, or give up. A
/// SEND_PING answer records the Ping as sent at `now_ms`.
///
/// Results: OK, NULL_POINTER, INVALID_HANDLE. `*action_out` is written on OK.
///
/// # Safety
///
/// `ka` must be NULL or valid for reads and writes of a `wsframe_keepalive`;
/// `action_out` NULL or valid for one write.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn wsframe_keepalive_poll(
    ka: *mut wsframe_keepalive,
    now_ms: u64,
    action_out: *mut wsframe_keepalive_action,
) -> wsframe_result {
    guard(|| {
        // SAFETY: caller contract.
        let out = unsafe { raw::out(action_out) }?;
        // SAFETY: caller contract.
        let action = match unsafe { timer(ka) }?.poll(now_ms) {
            KeepaliveAction::SendPing => wsframe_keepalive_action::WSFRAME_KEEPALIVE_SEND_PING,
            KeepaliveAction::PeerDead => wsframe_keepalive_action::WSFRAME_KEEPALIVE_PEER_DEAD,
            _ => wsframe_keepalive_action::WSFRAME_KEEPALIVE_IDLE,
        };
        out.write(action);
        Ok(())
    })
}

/// The time at which `wsframe_keepalive_poll` next has something to do
/// (UINT64_MAX if never); `deadline - now` is the caller's poll timeout.
///
/// Results: OK, NULL_POINTER, INVALID_HANDLE. `*deadline_ms_out` is written on OK.
///
/// # Safety
///
/// `ka` must be NULL or valid for reads of a `wsframe_keepalive` (not
/// written meanwhile); `deadline_ms_out` NULL or valid for one write.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn wsframe_keepalive_next_deadline(
    ka: *const wsframe_keepalive,
    deadline_ms_out: *mut u64,
) -> wsframe_result {
    guard(|| {
        // SAFETY: caller contract.
        let out = unsafe { raw::out(deadline_ms_out) }?;
        // SAFETY: caller contract.
        let ka = unsafe { raw::tagged_ref::<Keepalive>(ka.cast(), |t| t == TAG) }?;
        out.write(ka.next_deadline());
        Ok(())
    })
}

/// Whether a Ping was requested and nothing has arrived since.
///
/// Results: OK, NULL_POINTER, INVALID_HANDLE. `*awaiting_out` is written on OK.
///
/// # Safety
///
/// `ka` must be NULL or valid for reads of a `wsframe_keepalive` (not
/// written meanwhile); `awaiting_out` NULL or valid for one write.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn wsframe_keepalive_is_awaiting_reply(
    ka: *const wsframe_keepalive,
    awaiting_out: *mut bool,
) -> wsframe_result {
    guard(|| {
        // SAFETY: caller contract.
        let out = unsafe { raw::out(awaiting_out) }?;
        // SAFETY: caller contract.
        let ka = unsafe { raw::tagged_ref::<Keepalive>(ka.cast(), |t| t == TAG) }?;
        out.write(ka.is_awaiting_reply());
        Ok(())
    })
}
