//! The simulated socket every implementation reads from and writes to.
//!
//! Reads copy at most [`READ_CAP`] bytes per call from one prebuilt input
//! (standing in for the kernel's copy out of the socket buffer); writes copy
//! into a preallocated output buffer. Every decoder pays the same one copy
//! per input byte to get its data; anything beyond that is its own.

use std::io;
use std::pin::Pin;
use std::rc::Rc;
use std::task::{Context, Poll};

/// Most bytes one simulated `read()` returns.
pub const READ_CAP: usize = 64 * 1024;

/// A read cursor over a shared input.
pub struct Source {
    data: Rc<Vec<u8>>,
    pos: usize,
}

impl Source {
    pub fn new(data: Rc<Vec<u8>>) -> Self {
        Self { data, pos: 0 }
    }

    /// Copies up to `min(dst.len(), READ_CAP)` bytes; 0 at the end.
    pub fn read_into(&mut self, dst: &mut [u8]) -> usize {
        let src = self.take(dst.len());
        let n = src.len();
        dst[..n].copy_from_slice(src);
        n
    }

    /// The next up to `min(max, READ_CAP)` bytes, consumed.
    pub fn take(&mut self, max: usize) -> &[u8] {
        let n = max.min(READ_CAP).min(self.data.len() - self.pos);
        let start = self.pos;
        self.pos += n;
        &self.data[start..start + n]
    }
}

/// A blocking in-memory stream for tungstenite: reads from a [`Source`],
/// writes append to `out`.
pub struct MemStream {
    pub src: Source,
    pub out: Vec<u8>,
}

impl MemStream {
    pub fn new(input: Rc<Vec<u8>>, out: Vec<u8>) -> Self {
        Self { src: Source::new(input), out }
    }
}

impl io::Read for MemStream {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        Ok(self.src.read_into(buf))
    }
}

impl io::Write for MemStream {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.out.extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

/// The same stream for tokio's traits (fastwebsockets); always ready.
pub struct AsyncMemStream {
    pub src: Source,
    pub out: Vec<u8>,
}

impl AsyncMemStream {
    pub fn new(input: Rc<Vec<u8>>, out: Vec<u8>) -> Self {
        Self { src: Source::new(input), out }
    }
}

impl tokio::io::AsyncRead for AsyncMemStream {
    fn poll_read(
        self: Pin<&mut Self>,
        _cx: &mut Context<'_>,
        buf: &mut tokio::io::ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        // put_slice copies into the caller's (possibly uninitialised) spare
        // capacity without zeroing it first.
        let this = self.get_mut();
        buf.put_slice(this.src.take(buf.remaining()));
        Poll::Ready(Ok(()))
    }
}

impl tokio::io::AsyncWrite for AsyncMemStream {
    fn poll_write(
        self: Pin<&mut Self>,
        _cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        self.get_mut().out.extend_from_slice(buf);
        Poll::Ready(Ok(buf.len()))
    }
    fn poll_write_vectored(
        self: Pin<&mut Self>,
        _cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        let this = self.get_mut();
        let mut n = 0;
        for b in bufs {
            this.out.extend_from_slice(b);
            n += b.len();
        }
        Poll::Ready(Ok(n))
    }
    fn is_write_vectored(&self) -> bool {
        true
    }
    fn poll_flush(self: Pin<&mut Self>, _cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Poll::Ready(Ok(()))
    }
    fn poll_shutdown(self: Pin<&mut Self>, _cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Poll::Ready(Ok(()))
    }
}

/// A zero-sized stream, only for `size_of` of a peer's connection type.
pub struct NullStream;

impl tokio::io::AsyncRead for NullStream {
    fn poll_read(
        self: Pin<&mut Self>,
        _cx: &mut Context<'_>,
        _buf: &mut tokio::io::ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        Poll::Ready(Ok(()))
    }
}

impl tokio::io::AsyncWrite for NullStream {
    fn poll_write(self: Pin<&mut Self>, _: &mut Context<'_>, b: &[u8]) -> Poll<io::Result<usize>> {
        Poll::Ready(Ok(b.len()))
    }
    fn poll_flush(self: Pin<&mut Self>, _: &mut Context<'_>) -> Poll<io::Result<()>> {
        Poll::Ready(Ok(()))
    }
    fn poll_shutdown(self: Pin<&mut Self>, _: &mut Context<'_>) -> Poll<io::Result<()>> {
        Poll::Ready(Ok(()))
    }
}
