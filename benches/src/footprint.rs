//! Bytes of state per idle connection: `size_of` of each Rust peer's
//! connection type plus what it allocates on creation (counted by a global
//! allocator that only counts while asked to), and wslay's heap via glibc.

use std::alloc::{GlobalAlloc, Layout, System};
use std::hint::black_box;
use std::sync::atomic::{AtomicBool, AtomicIsize, Ordering::Relaxed};

use crate::peers::{embedded, fastws, tungstenite, wsframe, wslay};

pub struct CountingAlloc;

static COUNTING: AtomicBool = AtomicBool::new(false);
static LIVE: AtomicIsize = AtomicIsize::new(0);

// SAFETY: forwards to the system allocator unchanged; only counts sizes.
unsafe impl GlobalAlloc for CountingAlloc {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        if COUNTING.load(Relaxed) {
            LIVE.fetch_add(layout.size() as isize, Relaxed);
        }
        // SAFETY: same contract as ours.
        unsafe { System.alloc(layout) }
    }
    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        if COUNTING.load(Relaxed) {
            LIVE.fetch_add(layout.size() as isize, Relaxed);
        }
        // SAFETY: same contract as ours.
        unsafe { System.alloc_zeroed(layout) }
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        if COUNTING.load(Relaxed) {
            LIVE.fetch_sub(layout.size() as isize, Relaxed);
        }
        // SAFETY: same contract as ours.
        unsafe { System.dealloc(ptr, layout) }
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        if COUNTING.load(Relaxed) {
            LIVE.fetch_add(new_size as isize - layout.size() as isize, Relaxed);
        }
        // SAFETY: same contract as ours.
        unsafe { System.realloc(ptr, layout, new_size) }
    }
}

/// Runs `f` and returns its value with the heap bytes it left allocated.
fn heap_of<T>(f: impl FnOnce() -> T) -> (T, isize) {
    let before = LIVE.load(Relaxed);
    COUNTING.store(true, Relaxed);
    let t = black_box(f());
    COUNTING.store(false, Relaxed);
    (t, LIVE.load(Relaxed) - before)
}

pub struct StateRow {
    pub name: &'static str,
    pub ty: &'static str,
    pub inline: Option<usize>,
    pub heap: Option<isize>,
    pub caller: &'static str,
}

pub fn measure() -> Vec<StateRow> {
    // Each connection lives until the end of the function: only its
    // creation is counted, nothing is freed in between.
    let ((w_size, _w), w_heap) = heap_of(wsframe::idle_state);
    let ((t_size, _t), t_heap) = heap_of(tungstenite::idle_state);
    let ((f_size, _f), f_heap) = heap_of(fastws::idle_state);
    let ((e_size, _e), e_heap) = heap_of(embedded::idle_state);
    vec![
        StateRow {
            name: "wsframe",
            ty: "wsframe::Connection<NoRandom> (server)",
            inline: Some(w_size),
            heap: Some(w_heap),
            caller: "a read buffer of any size (>= 139 B so a whole control frame fits) and an output buffer",
        },
        StateRow {
            name: "tungstenite",
            ty: "protocol::WebSocketContext (WebSocket<S> adds S)",
            inline: Some(t_size),
            heap: Some(t_heap),
            caller: "nothing: owns its read and write buffers",
        },
        StateRow {
            name: "fastwebsockets",
            ty: "WebSocket<S> with a zero-sized S",
            inline: Some(f_size),
            heap: Some(f_heap),
            caller: "nothing: owns its read and write buffers",
        },
        StateRow {
            name: "embedded-websocket",
            ty: "WebSocketServer",
            inline: Some(e_size),
            heap: Some(e_heap),
            caller: "an input buffer, a second buffer for the unmasked payload, an output buffer",
        },
        StateRow {
            name: "wslay",
            ty: "wslay_event_context (opaque; heap only)",
            inline: None,
            heap: wslay::idle_heap().map(|n| n as isize),
            caller: "nothing: reads through its own 4 KiB buffer; buffers messages unless no_buffering",
        },
    ]
}
