//! The permessage-deflate codec (RFC 7692 §7.2), on miniz_oxide.
//!
//! miniz_oxide is pure safe Rust, `no_std` with `alloc`, and streams both
//! ways, which is what a `no_std` core with `forbid(unsafe_code)` needs. Its
//! compressor always searches a 32 KiB window, so when the peer limits our
//! window below 15 bits we compress with run-length matches only (distance
//! 1), which are valid under any window; inflating accepts every window size.

use alloc::boxed::Box;
use alloc::vec::Vec;

use miniz_oxide::deflate::core::deflate_flags::TDEFL_GREEDY_PARSING_FLAG;
use miniz_oxide::deflate::core::{
    CompressionStrategy, CompressorOxide, create_comp_flags_from_zip_params,
};
use miniz_oxide::inflate::stream::{InflateState, MinReset};
use miniz_oxide::{DataFormat, MZError, MZFlush, MZStatus};

use super::{DeflateConfig, DeflateParams, MAX_WINDOW_BITS};
use crate::conn::{DataKind, Role};
use crate::error::{Error, ProtocolError};
use crate::utf8::Utf8Validator;

/// The four bytes a sync flush ends with, removed on send and restored on
/// receive (RFC 7692 §7.2.1, §7.2.2).
const TAIL: [u8; 4] = [0x00, 0x00, 0xff, 0xff];
/// The smallest output buffer the decompressor starts with; it grows
/// fourfold as messages need, up to the size limit plus one byte.
const INFLATE_MIN: usize = 4 * 1024;
/// The smallest output space a compressor call gets after one filled its
/// buffer, so a drain makes progress in large steps.
const OUTPUT_STEP: usize = 16 * 1024;

/// Compresses outgoing messages for one connection (RFC 7692 §7.2.1).
///
/// Memory: miniz_oxide's tables and 32 KiB window, about 300 KiB, allocated
/// once; the output buffer grows to the largest message and is reused.
///
/// # Examples
///
/// ```
/// use wsframe::extensions::deflate::{Compressor, DeflateConfig, DeflateParams, Decompressor};
/// use wsframe::{DataKind, Role};
///
/// let params = DeflateParams::default_params();
/// let mut client = Compressor::new(Role::Client, &params, &DeflateConfig::default());
/// let mut server = Decompressor::new(Role::Server, &params, 1 << 20);
/// let compressed = client.compress(b"Hello, Hello, Hello");
/// let (kind, msg) = server.decompress(DataKind::Text, compressed, true).unwrap().unwrap();
/// assert_eq!((kind, msg), (DataKind::Text, &b"Hello, Hello, Hello"[..]));
/// ```
pub struct Compressor {
    compressor: Box<CompressorOxide>,
    /// Forget the context after each message (our `*_no_context_takeover`).
    reset: bool,
    compressed: Vec<u8>,
}

/// Inflates incoming compressed messages for one connection (RFC 7692
/// §7.2.2), bounded by a size limit and validating text as UTF-8.
///
/// Memory: miniz_oxide's 32 KiB window and tables, about 43 KiB, allocated
/// once; the message buffer grows to the largest message (at most the limit)
/// and is reused.
///
/// # Examples
///
/// ```
/// use wsframe::extensions::deflate::{Decompressor, DeflateParams};
/// use wsframe::{DataKind, Role};
///
/// let mut client = Decompressor::new(Role::Client, &DeflateParams::default_params(), 1024);
/// // "Hello" twice (RFC 7692 §7.2.3.1, §7.2.3.2): the second refers back to the first.
/// let hello = [0xf2, 0x48, 0xcd, 0xc9, 0xc9, 0x07, 0x00];
/// let (kind, msg) = client.decompress(DataKind::Text, &hello, true).unwrap().unwrap();
/// assert_eq!((kind, msg), (DataKind::Text, &b"Hello"[..]));
/// let again = client.decompress(DataKind::Binary, &[0xf2, 0x00, 0x11, 0x00, 0x00], true);
/// assert_eq!(again, Ok(Some((DataKind::Binary, &b"Hello"[..]))));
/// ```
pub struct Decompressor {
    inflater: Box<InflateState>,
    /// The peer forgets its context after each message, so we may too.
    reset: bool,
    /// Output buffer, kept initialised and reused; `message[..filled]` is the message.
    message: Vec<u8>,
    filled: usize,
    max_message_size: usize,
    utf8: Utf8Validator,
    receiving: Option<DataKind>,
    /// No compressed byte of the current message has arrived yet.
    empty: bool,
}

impl core::fmt::Debug for Compressor {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("Compressor").field("reset", &self.reset).finish_non_exhaustive()
    }
}

impl core::fmt::Debug for Decompressor {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("Decompressor")
            .field("reset", &self.reset)
            .field("max_message_size", &self.max_message_size)
            .field("receiving", &self.receiving)
            .finish_non_exhaustive()
    }
}

impl Compressor {
    /// A compressor for `role` with the negotiated `params`, at `config.level`.
    ///
    /// # Examples
    ///
    /// ```
    /// use wsframe::extensions::deflate::{Compressor, DeflateConfig, DeflateParams};
    ///
    /// let mut c = Compressor::new(wsframe::Role::Server, &DeflateParams::default_params(), &DeflateConfig::default());
    /// assert!(!c.compress(b"abc").is_empty());
    /// ```
    pub fn new(role: Role, params: &DeflateParams, config: &DeflateConfig) -> Self {
        let (own_bits, reset) = match role {
            Role::Server => (params.server_max_window_bits, params.server_no_context_takeover),
            Role::Client => (params.client_max_window_bits, params.client_no_context_takeover),
        };
        let strategy = if own_bits < MAX_WINDOW_BITS {
            CompressionStrategy::RLE
        } else {
            CompressionStrategy::Default
        };
        // Negative window bits: raw deflate, no zlib header (RFC 7692 §7.2.1).
        let mut flags = create_comp_flags_from_zip_params(
            i32::from(config.level),
            -i32::from(MAX_WINDOW_BITS),
            strategy as i32,
        );
        if strategy == CompressionStrategy::RLE {
            // Level 1 (one probe, greedy) takes miniz_oxide's fast path, which
            // ignores the run-length restriction and reaches 32 KiB back:
            // lazy parsing keeps it on the path that honours it.
            flags &= !TDEFL_GREEDY_PARSING_FLAG;
        }
        Self { compressor: Box::new(CompressorOxide::new(flags)), reset, compressed: Vec::new() }
    }

    /// Compresses one whole message (RFC 7692 §7.2.1): deflate, sync flush,
    /// and the trailing `00 00 ff ff` removed. Send the result with
    /// [`crate::Connection::send_compressed_frame`], whole or in fragments.
    /// The slice is valid until the next call.
    ///
    /// # Examples
    ///
    /// ```
    /// use wsframe::extensions::deflate::{Compressor, DeflateConfig, DeflateParams};
    ///
    /// let mut d = Compressor::new(wsframe::Role::Server, &DeflateParams::default_params(), &DeflateConfig::default());
    /// // RFC 7692 §7.2.3.1.
    /// assert_eq!(d.compress(b"Hello"), &[0xf2, 0x48, 0xcd, 0xc9, 0xc9, 0x07, 0x00]);
    /// // With context takeover the repeat refers back (§7.2.3.2).
    /// assert_eq!(d.compress(b"Hello"), &[0xf2, 0x00, 0x11, 0x00, 0x00]);
    /// ```
    pub fn compress(&mut self, payload: &[u8]) -> &[u8] {
        // Room for the whole message in one call in all but pathological cases:
        // deflate never expands by more than its stored-block headers.
        self.compress_with_room(payload, deflate_bound(payload.len()))
    }

    /// Forgets the compression context, so the next message refers to
    /// nothing sent before it. Call it when a compressed message could not be
    /// sent after all: with context takeover the peer's window never saw it.
    ///
    /// # Examples
    ///
    /// ```
    /// use wsframe::extensions::deflate::{Compressor, DeflateConfig, DeflateParams};
    ///
    /// let mut c = Compressor::new(wsframe::Role::Server, &DeflateParams::default_params(), &DeflateConfig::default());
    /// c.compress(b"Hello");
    /// c.reset();
    /// // No back-reference to the first "Hello" (RFC 7692 §7.2.3.1, not §7.2.3.2).
    /// assert_eq!(c.compress(b"Hello"), &[0xf2, 0x48, 0xcd, 0xc9, 0xc9, 0x07, 0x00]);
    /// ```
    pub fn reset(&mut self) {
        self.compressor.reset();
    }

    /// [`Self::compress`] starting with `room` bytes of output space; tests
    /// pass small rooms to drive the continuation path.
    fn compress_with_room(&mut self, payload: &[u8], mut room: usize) -> &[u8] {
        let flush = if self.reset { MZFlush::Full } else { MZFlush::Sync };
        self.compressed.clear();
        let mut input = payload;
        // miniz_oxide stops at a full output buffer with the rest of a block
        // pending; the next call then only drains that block and returns, even
        // when input or lookahead is left and the closing flush has not been
        // written. So the message is complete only after a call that started
        // with nothing pending (the previous one did not fill its buffer),
        // consumed all input and did not fill its own buffer.
        let mut pending = false;
        loop {
            let len = self.compressed.len();
            self.compressed.resize(len + room, 0);
            let out = self.compressed.get_mut(len..).unwrap_or_default();
            let r = miniz_oxide::deflate::stream::deflate(&mut self.compressor, input, out, flush);
            self.compressed.truncate(len + r.bytes_written);
            input = input.get(r.bytes_consumed..).unwrap_or_default();
            let filled = r.bytes_written == room;
            if r.status.is_err() || (input.is_empty() && !filled && !pending) {
                break;
            }
            pending = filled;
            room = room.max(OUTPUT_STEP);
        }
        if self.compressed.ends_with(&TAIL) {
            self.compressed.truncate(self.compressed.len() - TAIL.len());
        }
        &self.compressed
    }
}

/// An upper bound on the deflated size of `len` bytes with one sync flush:
/// a 5-byte stored-block header per 16 KiB block in the worst case, plus the
/// flush's empty block and the bits before it.
const fn deflate_bound(len: usize) -> usize {
    len.saturating_add(len / 4096).saturating_add(64)
}

impl Decompressor {
    /// A decompressor for `role` (it inflates what the other role sends);
    /// inflated messages over `max_message_size` fail with close code 1009.
    ///
    /// # Examples
    ///
    /// ```
    /// use wsframe::extensions::deflate::{Decompressor, DeflateParams};
    ///
    /// let d = Decompressor::new(wsframe::Role::Server, &DeflateParams::default_params(), 1024);
    /// assert_eq!(d.max_message_size(), 1024);
    /// ```
    pub fn new(role: Role, params: &DeflateParams, max_message_size: usize) -> Self {
        let reset = match role {
            Role::Server => params.client_no_context_takeover,
            Role::Client => params.server_no_context_takeover,
        };
        Self {
            inflater: InflateState::new_boxed(DataFormat::Raw),
            reset,
            message: Vec::new(),
            filled: 0,
            max_message_size,
            utf8: Utf8Validator::new(),
            receiving: None,
            empty: true,
        }
    }

    /// The inflated-size limit.
    ///
    /// # Examples
    ///
    /// ```
    /// # use wsframe::extensions::deflate::{Decompressor, DeflateParams};
    /// let d = Decompressor::new(wsframe::Role::Client, &DeflateParams::default_params(), 7);
    /// assert_eq!(d.max_message_size(), 7);
    /// ```
    pub const fn max_message_size(&self) -> usize {
        self.max_message_size
    }

    /// Inflates the chunks of one compressed message (the data of
    /// [`crate::Event::Compressed`]); returns the whole message when `last`.
    ///
    /// The inflated size is checked against the limit while inflating, and
    /// text is validated as UTF-8 as it is produced (fail-fast, RFC 6455 §8.1).
    /// The returned slice is valid until the next call.
    ///
    /// # Errors
    ///
    /// [`ProtocolError::MessageTooLarge`] (1009) once the output exceeds the
    /// limit, [`ProtocolError::InvalidCompressedData`] (1002) for a corrupt
    /// stream or a message with no compressed bytes at all,
    /// [`ProtocolError::InvalidUtf8`] (1007). After an error the codec
    /// is unusable: fail the connection.
    ///
    /// # Examples
    ///
    /// ```
    /// use wsframe::extensions::deflate::{Decompressor, DeflateParams};
    /// use wsframe::DataKind;
    ///
    /// let mut d = Decompressor::new(wsframe::Role::Client, &DeflateParams::default_params(), 1024);
    /// // RFC 7692 §7.2.3.1, split over two fragments.
    /// assert_eq!(d.decompress(DataKind::Text, &[0xf2, 0x48, 0xcd], false).unwrap(), None);
    /// let (_, msg) = d.decompress(DataKind::Text, &[0xc9, 0xc9, 0x07, 0x00], true).unwrap().unwrap();
    /// assert_eq!(msg, b"Hello");
    /// ```
    pub fn decompress(
        &mut self,
        kind: DataKind,
        data: &[u8],
        last: bool,
    ) -> Result<Option<(DataKind, &[u8])>, Error> {
        if self.receiving.is_none() {
            self.filled = 0;
            self.utf8.reset();
            if self.reset {
                self.inflater.reset_as(MinReset);
            }
            self.receiving = Some(kind);
            self.empty = true;
        }
        self.empty &= data.is_empty();
        self.inflate(data)?;
        if !last {
            return Ok(None);
        }
        // Nothing at all is no deflate data: the empty message is 0x00
        // (RFC 7692 §7.2.3.6), and the bare tail would leave the inflater
        // inside a stored block, misreading the next message.
        if self.empty {
            return Err(ProtocolError::InvalidCompressedData.into());
        }
        self.inflate(&TAIL)?;
        self.receiving = None;
        if kind == DataKind::Text {
            self.utf8.finish().map_err(|_| ProtocolError::InvalidUtf8)?;
        }
        Ok(Some((kind, self.message.get(..self.filled).unwrap_or_default())))
    }

    /// The last message [`Decompressor::decompress`] completed (empty before
    /// the first, and while one is being received).
    ///
    /// # Examples
    ///
    /// ```
    /// use wsframe::extensions::deflate::{Decompressor, DeflateParams};
    /// use wsframe::DataKind;
    ///
    /// let mut d = Decompressor::new(wsframe::Role::Client, &DeflateParams::default_params(), 64);
    /// d.decompress(DataKind::Text, &[0xf2, 0x48, 0xcd, 0xc9, 0xc9, 0x07, 0x00], true).unwrap();
    /// assert_eq!(d.message(), b"Hello");
    /// ```
    pub fn message(&self) -> &[u8] {
        match self.receiving {
            Some(_) => &[],
            None => self.message.get(..self.filled).unwrap_or_default(),
        }
    }

    /// Frees the message buffer if it holds more than `keep` bytes, so a
    /// connection does not keep its largest message's memory while idle.
    /// Does nothing while a message is being received.
    ///
    /// # Examples
    ///
    /// ```
    /// use wsframe::extensions::deflate::{Decompressor, DeflateParams};
    /// use wsframe::DataKind;
    ///
    /// let mut d = Decompressor::new(wsframe::Role::Client, &DeflateParams::default_params(), 64);
    /// d.decompress(DataKind::Text, &[0xf2, 0x48, 0xcd, 0xc9, 0xc9, 0x07, 0x00], true).unwrap();
    /// d.release_buffer(0);
    /// assert_eq!(d.message(), b"");
    /// ```
    pub fn release_buffer(&mut self, keep: usize) {
        if self.receiving.is_none() && self.message.capacity() > keep {
            self.message = Vec::new();
            self.filled = 0;
        }
    }

    fn inflate(&mut self, mut input: &[u8]) -> Result<(), ProtocolError> {
        loop {
            // Output may reach one byte past the limit, enough to know it was
            // exceeded: a bomb costs at most the limit in inflation work.
            let allowed = self.max_message_size.saturating_sub(self.filled).saturating_add(1);
            if self.message.len() == self.filled {
                // Fourfold: an allocator that cannot grow a block in place (wasm's)
                // holds old and new at once, so fewer, larger steps keep the peak
                // near the limit rather than twice it.
                let grown = self.message.len().saturating_mul(4).max(INFLATE_MIN);
                let cap = self.filled.saturating_add(allowed);
                // Close to the cap, go all the way: one last small step would
                // reallocate the whole buffer (old and new live at once) for little.
                let target = if grown.saturating_add(grown / 2) >= cap { cap } else { grown };
                // Exact: a plain resize may double the capacity past the limit.
                self.message.reserve_exact(target - self.message.len());
                self.message.resize(target, 0);
            }
            let end = self.message.len().min(self.filled.saturating_add(allowed));
            let out = self.message.get_mut(self.filled..end).unwrap_or_default();
            let room = out.len();
            let r = miniz_oxide::inflate::stream::inflate(
                &mut self.inflater,
                input,
                out,
                MZFlush::None,
            );
            let start = self.filled;
            self.filled += r.bytes_written;
            input = input.get(r.bytes_consumed..).unwrap_or_default();
            if self.filled > self.max_message_size {
                return Err(ProtocolError::MessageTooLarge);
            }
            if self.receiving == Some(DataKind::Text) {
                let fresh = self.message.get(start..self.filled).unwrap_or_default();
                self.utf8.feed(fresh).map_err(|_| ProtocolError::InvalidUtf8)?;
            }
            match r.status {
                // A block with BFINAL set ends the stream (RFC 7692 §7.2.3.4):
                // what follows starts a new one, keeping the window.
                Ok(MZStatus::StreamEnd) => self.inflater.reset_as(MinReset),
                Ok(_) => {}
                // No progress: all input used and nothing left to write.
                Err(MZError::Buf) if input.is_empty() => return Ok(()),
                Err(_) => return Err(ProtocolError::InvalidCompressedData),
            }
            if input.is_empty() && r.bytes_written < room {
                return Ok(());
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloc::vec;

    /// Inflates with the reference C zlib (flate2 on libz-sys), not miniz_oxide.
    fn zlib_inflate(stream: &mut flate2::Decompress, msg: &[u8], expect: usize) -> Vec<u8> {
        let mut input = msg.to_vec();
        input.extend_from_slice(&TAIL);
        let mut out = vec![0u8; expect + 1024];
        let before = stream.total_out();
        let status = stream.decompress(&input, &mut out, flate2::FlushDecompress::Sync);
        assert!(status.is_ok(), "zlib: {status:?}");
        out.truncate(usize::try_from(stream.total_out() - before).unwrap());
        out
    }

    fn noise(len: usize, mut s: u64) -> Vec<u8> {
        (0..len)
            .map(|_| {
                s ^= s << 13;
                s ^= s >> 7;
                s ^= s << 17;
                s.to_le_bytes()[0]
            })
            .collect()
    }

    /// The continuation path: any starting room, down to 1 byte, gives a
    /// stream zlib inflates to the message. Sizes straddle the 31 KiB point
    /// where miniz_oxide ends a block of incompressible data, the case in
    /// which the old loop dropped the lookahead.
    #[test]
    #[cfg_attr(miri, ignore = "flate2's zlib is C")]
    fn rfc7692_s7_2_1_any_output_room_gives_the_whole_message() {
        let data = noise(70_000, 7);
        let text: Vec<u8> = b"permessage-deflate ".iter().copied().cycle().take(70_000).collect();
        for reset in [false, true] {
            let mut params = DeflateParams::default_params();
            params.client_no_context_takeover = reset;
            let mut c = Compressor::new(Role::Client, &params, &DeflateConfig::default());
            let mut z = flate2::Decompress::new_with_window_bits(false, 15);
            for (i, len) in
                [31_744, 31_745, 31_746, 31_800, 32_003, 65_536, 0, 1].into_iter().enumerate()
            {
                for room in [1, 64, 4096, 16 * 1024] {
                    let src = if i % 2 == 0 { &data[..len] } else { &text[..len] };
                    let msg = c.compress_with_room(src, room).to_vec();
                    if reset {
                        z.reset(false);
                    }
                    assert_eq!(zlib_inflate(&mut z, &msg, len), src, "len {len} room {room}");
                }
            }
        }
    }
}
