//! permessage-deflate on a JSON-like market-data feed: compression ratio,
//! throughput and memory per connection, with and without context takeover
//! and for several window sizes. It measures; it asserts nothing.
//!
//! ```text
//! cargo run --release --example deflate_feed [-- --messages N]
//! ```

use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicIsize, AtomicUsize, Ordering};
use std::time::Instant;

use wsframe::DataKind;
use wsframe::Role;
use wsframe::extensions::deflate::{Compressor, Decompressor, DeflateConfig};

/// Counts live heap bytes, so the codec's footprint can be read off.
struct Counting;

static LIVE: AtomicIsize = AtomicIsize::new(0);
static PEAK: AtomicUsize = AtomicUsize::new(0);

// SAFETY: forwards every call to the system allocator unchanged; only counts.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        let live =
            LIVE.fetch_add(layout.size() as isize, Ordering::Relaxed) + layout.size() as isize;
        PEAK.fetch_max(live.max(0) as usize, Ordering::Relaxed);
        // SAFETY: the caller upholds GlobalAlloc::alloc's contract.
        unsafe { System.alloc(layout) }
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        LIVE.fetch_sub(layout.size() as isize, Ordering::Relaxed);
        // SAFETY: the caller upholds GlobalAlloc::dealloc's contract.
        unsafe { System.dealloc(ptr, layout) }
    }
}

#[global_allocator]
static GLOBAL: Counting = Counting;

fn live() -> isize {
    LIVE.load(Ordering::Relaxed)
}

/// A deterministic feed of quote updates, ~90-130 bytes each.
fn feed(n: usize) -> Vec<String> {
    let symbols = ["ACME", "GLOBEX", "INITECH", "UMBRELLA", "HOOLI", "STARK", "WAYNE", "TYRELL"];
    let mut x: u64 = 0x2545_F491_4F6C_DD1D;
    (0..n)
        .map(|i| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            let sym = symbols[(x % symbols.len() as u64) as usize];
            let bid = 100.0 + (x % 10_000) as f64 / 100.0;
            format!(
                r#"{{"type":"quote","seq":{i},"sym":"{sym}","bid":{bid:.2},"ask":{:.2},"size":{},"ts":{}}}"#,
                bid + 0.05,
                (x >> 20) % 5000,
                1_732_000_000_000u64 + i as u64 * 7
            )
        })
        .collect()
}

fn main() {
    let mut n = 20_000usize;
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        if a == "--messages" {
            n = args.next().and_then(|v| v.parse().ok()).unwrap_or(n);
        }
    }
    let messages = feed(n);
    let raw: usize = messages.iter().map(String::len).sum();
    println!("feed: {n} JSON quote messages, {raw} bytes ({} bytes on average)\n", raw / n);
    println!(
        "| mode | compressed | ratio | compress MB/s | inflate MB/s | compressor heap | decompressor heap |"
    );
    println!("| --- | ---: | ---: | ---: | ---: | ---: | ---: |");
    for (name, config) in [
        ("context takeover, window 15", DeflateConfig::default()),
        (
            "no context takeover, window 15",
            DeflateConfig::default()
                .with_server_no_context_takeover(true)
                .with_client_no_context_takeover(true),
        ),
        (
            "context takeover, window 10 (RLE)",
            DeflateConfig::default().with_max_window_bits(10, 10),
        ),
        ("context takeover, level 1", DeflateConfig::default().with_level(1)),
    ] {
        let offer = {
            let mut b = [0u8; 128];
            let len = config.write_offer(&mut b).expect("offer fits");
            b[..len].to_vec()
        };
        let params = config.negotiate([&offer[..]]).expect("our own offer is acceptable");

        let before = live();
        let mut comp = Compressor::new(Role::Server, &params, &config);
        let comp_heap = live() - before;
        let before = live();
        let mut decomp = Decompressor::new(Role::Client, &params, 16 << 20);
        let decomp_heap = live() - before;

        let start = Instant::now();
        let compressed: Vec<Vec<u8>> =
            messages.iter().map(|m| comp.compress(m.as_bytes()).to_vec()).collect();
        let c_secs = start.elapsed().as_secs_f64();
        let total: usize = compressed.iter().map(Vec::len).sum();

        let start = Instant::now();
        let mut check = 0usize;
        for z in &compressed {
            let (_, m) =
                decomp.decompress(DataKind::Text, z, true).expect("round trip").expect("whole");
            check += m.len();
        }
        let d_secs = start.elapsed().as_secs_f64();
        assert_eq!(check, raw, "inflated size");
        println!(
            "| {name} | {total} | {:.2}x | {:.0} | {:.0} | {} KiB | {} KiB |",
            raw as f64 / total as f64,
            raw as f64 / c_secs / 1e6,
            raw as f64 / d_secs / 1e6,
            comp_heap / 1024,
            decomp_heap / 1024,
        );
        drop((comp, decomp));
    }
    println!("\nheap figures are what creating each codec allocates (a counting allocator);");
    println!("their message buffers then grow to the largest message and are reused.");
}
