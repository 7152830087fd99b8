//! The hot path (receiving and sending frames through caller buffers) must
//! not allocate. A counting global allocator measures it.

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;
use std::sync::atomic::{AtomicUsize, Ordering};

use wsframe::{CloseCode, Config, Connection, DataKind, Event, Role};

struct Counting;

static ALLOCS: AtomicUsize = AtomicUsize::new(0);

thread_local! {
    // Only the measuring thread counts: the test harness allocates on its own
    // threads at any time. A const Cell needs no lazy initialisation, so reading
    // it inside the allocator cannot allocate.
    static COUNTING: Cell<bool> = const { Cell::new(false) };
}

// SAFETY: forwards to the system allocator unchanged; only counts calls.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        if COUNTING.with(Cell::get) {
            ALLOCS.fetch_add(1, Ordering::Relaxed);
        }
        // SAFETY: same contract as the caller's.
        unsafe { System.alloc(layout) }
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: same contract as the caller's.
        unsafe { System.dealloc(ptr, layout) }
    }
}

#[global_allocator]
static GLOBAL: Counting = Counting;

#[test]
fn receive_and_send_through_caller_buffers_allocate_nothing() {
    // All buffers are set up before counting starts.
    let mut key = 0u8;
    let rng = move |b: &mut [u8]| {
        for x in b {
            key = key.wrapping_add(17);
            *x = key;
        }
    };
    let mut client = Connection::new(Role::Client, Config::default(), rng);
    let mut server = Connection::server(Config::default());
    let mut wire = vec![0u8; 1 << 20];
    let mut out = vec![0u8; 70_000];
    let text = "wsframe ".repeat(1000);
    let payload = vec![0xA5u8; 65_536];

    let before = ALLOCS.load(Ordering::Relaxed);
    COUNTING.with(|c| c.set(true));
    let mut received_bytes = 0usize;
    let mut events = 0usize;
    for _ in 0..200 {
        let mut n = 0;
        n += client.send_text(&text, &mut wire[n..]).unwrap();
        n += client.send_binary(&payload, &mut wire[n..]).unwrap();
        n += client.send_frame(DataKind::Text, b"frag", false, &mut wire[n..]).unwrap();
        n += client.send_ping(b"ping", &mut wire[n..]).unwrap();
        n += client.send_frame(DataKind::Text, b"ment", true, &mut wire[n..]).unwrap();
        let mut batch = client.batch(DataKind::Binary).unwrap();
        n += batch.send(b"batch", &mut wire[n..]).unwrap();
        n += batch.send(&payload[..300], &mut wire[n..]).unwrap();
        let mut off = 0;
        while off < n {
            let r = server.receive(&mut wire[off..n]).unwrap();
            off += r.consumed;
            match r.event {
                Some(Event::Text { data, .. } | Event::Binary { data, .. }) => {
                    received_bytes += data.len()
                }
                Some(Event::Ping(p)) => {
                    server.send_pong(p, &mut out).unwrap();
                }
                Some(_) => {}
                None => break,
            }
            events += 1;
        }
        assert_eq!(off, n);
        let m = server.send_binary(&payload, &mut out).unwrap();
        let r = client.receive(&mut out[..m]).unwrap();
        assert!(matches!(r.event, Some(Event::Binary { last: true, .. })));
    }
    let n = client.send_close(Some(CloseCode::NORMAL), "bye", &mut wire).unwrap();
    server.receive(&mut wire[..n]).unwrap();
    COUNTING.with(|c| c.set(false));
    let allocs = ALLOCS.load(Ordering::Relaxed) - before;

    assert_eq!(received_bytes, 200 * (text.len() + payload.len() + 8 + 5 + 300));
    assert!(events >= 800);
    assert_eq!(allocs, 0, "hot path allocated {allocs} times");
}

/// The state a connection keeps between calls (issue: at most 64 bytes, so
/// thousands of idle connections cost little and it fits a cache line).
#[test]
fn connection_state_fits_in_64_bytes() {
    let size = std::mem::size_of::<Connection<wsframe::NoRandom>>();
    eprintln!("Connection<NoRandom>: {size} bytes");
    assert!(size <= 64, "Connection<NoRandom> is {size} bytes");
}
