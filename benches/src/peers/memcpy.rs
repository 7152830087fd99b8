//! The floor: copying the workload's bytes, in the same pieces, and nothing else.

use std::hint::black_box;
use std::rc::Rc;

use crate::harness::{Case, case};
use crate::io::{READ_CAP, Source};

/// `iters` copies of `size` bytes between two buffers (unmask's floor).
pub fn copy(size: usize, iters: usize) -> Box<dyn Case> {
    let src = crate::inputs::random_bytes(size, 7);
    let dst = vec![0u8; size];
    case((src, dst), move |(src, dst)| {
        for _ in 0..iters {
            black_box(&mut dst[..]).copy_from_slice(black_box(&src[..]));
        }
        u64::from(dst[0])
    })
}

/// The simulated socket reads alone: the whole input in reads of up to
/// 64 KiB into one reused buffer (every decoder's floor).
pub fn reads(input: Rc<Vec<u8>>) -> Box<dyn Case> {
    let state = (input, vec![0u8; READ_CAP]);
    case(state, |(input, buf)| {
        let mut src = Source::new(input.clone());
        let mut total = 0u64;
        loop {
            let n = src.read_into(buf);
            if n == 0 {
                break;
            }
            black_box(&buf[..n]);
            total += n as u64;
        }
        total
    })
}

/// `count` pieces of `piece` bytes copied one after another into one output
/// buffer (the encoders' and handshake's floor).
pub fn pieces(pieces: Rc<Vec<Vec<u8>>>, count: usize) -> Box<dyn Case> {
    let total: usize = (0..count).map(|i| pieces[i % pieces.len()].len()).sum();
    let out = vec![0u8; total];
    case((pieces, out), move |(pieces, out)| {
        let mut pos = 0;
        for i in 0..count {
            let p = &pieces[i % pieces.len()];
            out[pos..pos + p.len()].copy_from_slice(p);
            pos += p.len();
        }
        black_box(&out[..]);
        pos as u64
    })
}
