//! wslay (C, Debian's libwslay-dev) through c/wslay_bench.c: its connection
//! API (`wslay_event_*`) with in-memory callbacks, no message buffering.

use std::rc::Rc;

use crate::harness::Case;

#[cfg(has_wslay)]
mod ffi {
    unsafe extern "C" {
        pub fn wslay_bench_decode(
            input: *const u8,
            len: usize,
            read_cap: usize,
            sink: *mut u64,
        ) -> u64;
        pub fn wslay_bench_encode(
            payload: *const u8,
            len: usize,
            count: usize,
            client: i32,
            out: *mut u8,
            out_cap: usize,
        ) -> usize;
        pub fn wslay_bench_idle_heap() -> usize;
    }
}

#[cfg(not(has_wslay))]
pub const MISSING: &str = "libwslay-dev not installed when the harness was built";

#[cfg(has_wslay)]
pub fn decode(input: Rc<Vec<u8>>) -> Result<Box<dyn Case>, String> {
    Ok(crate::harness::case(input, |input| {
        let mut sink = 0u64;
        // SAFETY: the pointers and lengths describe live buffers for the call.
        let r = unsafe {
            ffi::wslay_bench_decode(input.as_ptr(), input.len(), crate::io::READ_CAP, &mut sink)
        };
        assert_ne!(r, u64::MAX, "wslay failed to decode the input");
        std::hint::black_box(sink);
        r
    }))
}

#[cfg(has_wslay)]
pub fn encode(payload: Rc<Vec<u8>>, count: usize, client: bool) -> Result<Box<dyn Case>, String> {
    let out = vec![0u8; count * (payload.len() + 14)];
    Ok(crate::harness::case((payload, out), move |(payload, out)| {
        // SAFETY: the pointers and lengths describe live buffers for the call.
        let n = unsafe {
            ffi::wslay_bench_encode(
                payload.as_ptr(),
                payload.len(),
                count,
                i32::from(client),
                out.as_mut_ptr(),
                out.len(),
            )
        };
        assert_ne!(n, usize::MAX, "wslay failed to encode");
        std::hint::black_box(&out[..n]);
        n as u64
    }))
}

#[cfg(has_wslay)]
pub fn idle_heap() -> Option<usize> {
    // SAFETY: no arguments; allocates and frees one context.
    Some(unsafe { ffi::wslay_bench_idle_heap() })
}

#[cfg(not(has_wslay))]
pub fn decode(_input: Rc<Vec<u8>>) -> Result<Box<dyn Case>, String> {
    Err(MISSING.into())
}

#[cfg(not(has_wslay))]
pub fn encode(
    _payload: Rc<Vec<u8>>,
    _count: usize,
    _client: bool,
) -> Result<Box<dyn Case>, String> {
    Err(MISSING.into())
}

#[cfg(not(has_wslay))]
pub fn idle_heap() -> Option<usize> {
    None
}
