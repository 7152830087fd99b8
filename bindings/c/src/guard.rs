//! The boundary backstop: no panic crosses into C.
//!
//! The core is panic-free by construction and by fuzzing; this is only the
//! backstop (rustls-ffi's pattern). Hosted builds catch the unwind and return
//! `WSFRAME_RESULT_PANIC`; firmware builds trap (see the panic handler in
//! `lib.rs`).

use crate::result::{WSFRAME_RESULT_OK, WSFRAME_RESULT_PANIC, wsframe_result};

/// Runs `f` and turns its outcome into a result code.
pub(crate) fn guard<F: FnOnce() -> Result<(), wsframe_result>>(f: F) -> wsframe_result {
    catch(f).map_or(WSFRAME_RESULT_PANIC, |r| r.err().unwrap_or(WSFRAME_RESULT_OK))
}

/// Runs `f`, returning `fallback` should it fail or panic. For the few
/// functions that return a value rather than a result code.
pub(crate) fn guard_value<T, F: FnOnce() -> Result<T, wsframe_result>>(fallback: T, f: F) -> T {
    catch(f).and_then(Result::ok).unwrap_or(fallback)
}

#[cfg(feature = "std")]
fn catch<T, F: FnOnce() -> T>(f: F) -> Option<T> {
    // The state a panic may leave behind is never observed as valid: the
    // caller gets WSFRAME_RESULT_PANIC and is told to drop the object.
    std::panic::catch_unwind(std::panic::AssertUnwindSafe(f)).ok()
}

#[cfg(not(feature = "std"))]
fn catch<T, F: FnOnce() -> T>(f: F) -> Option<T> {
    Some(f())
}
