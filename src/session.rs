//! The message layer every face uses (`alloc` feature): a [`Connection`]
//! plus permessage-deflate both ways, bounded reassembly, one inflated-size
//! limit, automatic Pong and Close replies, and an optional heartbeat.
//!
//! A [`Session`] still does no I/O. [`Session::receive`] takes the bytes the
//! caller read and returns at most one [`Message`]; every reply and every
//! send is appended to an outgoing buffer that the caller writes to its
//! socket ([`Session::outgoing`], then [`Session::consume_outgoing`]).
//!
//! # Order of events and failure
//!
//! One event per call is what keeps a violation in its place (RFC 6455
//! §7.1.7): a message decoded before a bad frame is returned first, the
//! application queues its answer, and only the next call meets the bad frame,
//! fails the connection and queues the Close after that answer. Nothing after
//! the bad frame is looked at, so a Ping behind it gets no Pong.

use alloc::vec::Vec;
use core::ops::Range;

use crate::close::CloseCode;
use crate::conn::{CloseFrame, Config, Connection, DataKind, RawEvent, Role, State};
use crate::error::{Error, ProtocolError};
use crate::extensions::deflate::{Compressor, Decompressor, DeflateConfig, DeflateParams};
use crate::frame::{MAX_CONTROL_PAYLOAD, MAX_HEADER_LEN, header_len, max_frame_len};
use crate::keepalive::{Keepalive, KeepaliveAction};
use crate::message::MessageAssembler;
use crate::random::{NoRandom, RandomSource};
use crate::utf8;

/// Buffers above this size are given back after the message that grew them
/// (see [`SessionConfig::retain_buffer`]).
pub const DEFAULT_RETAIN_BUFFER: usize = 64 * 1024;

/// What a [`Session`] does for the application, fixed at creation.
///
/// # Examples
///
/// ```
/// use wsframe::session::SessionConfig;
///
/// let config = SessionConfig::default()
///     .with_max_message_size(1 << 20)
///     .with_keepalive(30_000, 10_000);
/// assert_eq!(config.limits.max_message_size, 1 << 20);
/// assert!(config.auto_pong && config.auto_close);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct SessionConfig {
    /// Frame, message and fragment limits. `max_message_size` also bounds
    /// inflated messages. `compression` is set from [`SessionConfig::deflate`].
    pub limits: Config,
    /// The permessage-deflate parameters both ends agreed on in the handshake
    /// (RFC 7692), or `None` when it was not negotiated.
    pub deflate: Option<DeflateParams>,
    /// Compression level for what this end sends, 0..=9 (default 6).
    pub compression_level: u8,
    /// Answer each Ping with a Pong carrying its payload (RFC 6455 §5.5.2).
    /// Default on.
    pub auto_pong: bool,
    /// Answer the peer's Close with a Close echoing its code and reason
    /// (§5.5.1), and
    /// queue the Close a violation calls for (§7.1.7). Default on.
    pub auto_close: bool,
    /// Deliver uncompressed data messages as [`Message::Chunk`]s straight
    /// from the input instead of whole. Compressed messages are always whole.
    /// Default off.
    pub streaming: bool,
    /// After a message larger than this, the buffer that held it is freed
    /// rather than kept for the next one, so idle connections do not each
    /// keep their largest message's memory. Default 64 KiB.
    pub retain_buffer: usize,
    /// Heartbeat: `(interval_ms, timeout_ms)`, see [`Session::poll`].
    pub keepalive: Option<(u64, u64)>,
    /// [`Session::input_room`] splits reads while the frames of the message
    /// being received average this many payload bytes or more. Default
    /// [`SPLIT_FRAGMENT_MIN`] (64 KiB), measured where each piece is a call
    /// across the wasm boundary; a caller whose pieces cost less may set it
    /// lower (0: always).
    pub split_reads_from: u64,
}

impl Default for SessionConfig {
    fn default() -> Self {
        Self {
            limits: Config::DEFAULT,
            deflate: None,
            compression_level: DeflateConfig::DEFAULT_LEVEL,
            auto_pong: true,
            auto_close: true,
            streaming: false,
            retain_buffer: DEFAULT_RETAIN_BUFFER,
            keepalive: None,
            split_reads_from: SPLIT_FRAGMENT_MIN,
        }
    }
}

impl SessionConfig {
    /// Sets the largest message, counted after inflation.
    ///
    /// # Examples
    ///
    /// ```
    /// let c = wsframe::session::SessionConfig::default().with_max_message_size(4096);
    /// assert_eq!(c.limits.max_message_size, 4096);
    /// ```
    #[must_use]
    pub const fn with_max_message_size(mut self, bytes: u64) -> Self {
        self.limits.max_message_size = bytes;
        self
    }

    /// Sets all limits at once.
    ///
    /// # Examples
    ///
    /// ```
    /// use wsframe::{Config, session::SessionConfig};
    ///
    /// let c = SessionConfig::default().with_limits(Config::default().with_max_fragments(16));
    /// assert_eq!(c.limits.max_fragments, 16);
    /// ```
    #[must_use]
    pub const fn with_limits(mut self, limits: Config) -> Self {
        self.limits = limits;
        self
    }

    /// Turns permessage-deflate on with the negotiated parameters.
    ///
    /// # Examples
    ///
    /// ```
    /// use wsframe::extensions::deflate::DeflateParams;
    /// use wsframe::session::SessionConfig;
    ///
    /// let c = SessionConfig::default().with_deflate(DeflateParams::default_params());
    /// assert!(c.deflate.is_some());
    /// ```
    #[must_use]
    pub const fn with_deflate(mut self, params: DeflateParams) -> Self {
        self.deflate = Some(params);
        self
    }

    /// Sets the compression level (0..=9; higher values are taken as 9).
    ///
    /// # Examples
    ///
    /// ```
    /// let c = wsframe::session::SessionConfig::default().with_compression_level(1);
    /// assert_eq!(c.compression_level, 1);
    /// ```
    #[must_use]
    pub const fn with_compression_level(mut self, level: u8) -> Self {
        self.compression_level = if level > 9 { 9 } else { level };
        self
    }

    /// Turns the automatic Pong on or off.
    ///
    /// # Examples
    ///
    /// ```
    /// let c = wsframe::session::SessionConfig::default().with_auto_pong(false);
    /// assert!(!c.auto_pong);
    /// ```
    #[must_use]
    pub const fn with_auto_pong(mut self, on: bool) -> Self {
        self.auto_pong = on;
        self
    }

    /// Turns the automatic Close replies on or off.
    ///
    /// # Examples
    ///
    /// ```
    /// let c = wsframe::session::SessionConfig::default().with_auto_close(false);
    /// assert!(!c.auto_close);
    /// ```
    #[must_use]
    pub const fn with_auto_close(mut self, on: bool) -> Self {
        self.auto_close = on;
        self
    }

    /// Turns chunked delivery of uncompressed messages on or off.
    ///
    /// # Examples
    ///
    /// ```
    /// let c = wsframe::session::SessionConfig::default().with_streaming(true);
    /// assert!(c.streaming);
    /// ```
    #[must_use]
    pub const fn with_streaming(mut self, on: bool) -> Self {
        self.streaming = on;
        self
    }

    /// Sets [`SessionConfig::retain_buffer`].
    ///
    /// # Examples
    ///
    /// ```
    /// let c = wsframe::session::SessionConfig::default().with_retain_buffer(0);
    /// assert_eq!(c.retain_buffer, 0);
    /// ```
    #[must_use]
    pub const fn with_retain_buffer(mut self, bytes: usize) -> Self {
        self.retain_buffer = bytes;
        self
    }

    /// Sets [`SessionConfig::split_reads_from`].
    ///
    /// # Examples
    ///
    /// ```
    /// let c = wsframe::session::SessionConfig::default().with_split_reads_from(0);
    /// assert_eq!(c.split_reads_from, 0);
    /// ```
    #[must_use]
    pub const fn with_split_reads_from(mut self, bytes: u64) -> Self {
        self.split_reads_from = bytes;
        self
    }

    /// Pings after `interval_ms` of silence; the peer is dead when nothing
    /// arrives within `timeout_ms` after that Ping.
    ///
    /// # Examples
    ///
    /// ```
    /// let c = wsframe::session::SessionConfig::default().with_keepalive(20_000, 5_000);
    /// assert_eq!(c.keepalive, Some((20_000, 5_000)));
    /// ```
    #[must_use]
    pub const fn with_keepalive(mut self, interval_ms: u64, timeout_ms: u64) -> Self {
        self.keepalive = Some((interval_ms, timeout_ms));
        self
    }
}

/// Something the peer sent, as the application wants it.
///
/// # Examples
///
/// ```
/// use wsframe::session::{Message, Session};
///
/// let mut s = Session::server(Default::default());
/// let mut input = [0x8a, 0x80, 0, 0, 0, 0]; // a masked, empty Pong
/// assert_eq!(s.receive(&mut input).unwrap().message, Some(Message::Pong(&[])));
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Message<'a> {
    /// A whole text message, UTF-8 validated (RFC 6455 §8.1).
    Text(&'a str),
    /// A whole binary message.
    Binary(&'a [u8]),
    /// A piece of an uncompressed message when [`SessionConfig::streaming`]
    /// is on; text chunks may end inside a character, the message as a whole
    /// is validated.
    Chunk {
        /// The message's type.
        kind: DataKind,
        /// The piece's bytes, from the input.
        data: &'a [u8],
        /// Whether this piece ends the message.
        last: bool,
    },
    /// A Ping; with [`SessionConfig::auto_pong`] its Pong is already queued.
    Ping(&'a [u8]),
    /// A Pong.
    Pong(&'a [u8]),
    /// The peer's Close (`None`: no status code, reported as 1005). With
    /// [`SessionConfig::auto_close`] the answering Close is already queued;
    /// close TCP once [`Session::outgoing`] is written.
    Close(Option<CloseFrame<'a>>),
}

/// What one [`Session::receive`] call produced.
///
/// # Examples
///
/// ```
/// let mut s = wsframe::session::Session::server(Default::default());
/// let mut partial = [0x81]; // half a header: nothing yet, nothing consumed
/// let r = s.receive(&mut partial).unwrap();
/// assert_eq!((r.consumed, r.message), (1, None));
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SessionReceived<'a> {
    /// Bytes of the input that are done with; present `input[consumed..]`
    /// again, followed by more data.
    pub consumed: usize,
    /// The message, or `None` when more input is needed.
    pub message: Option<Message<'a>>,
}

/// Where the payload of the message being returned lives.
enum Source {
    Input(Range<usize>),
    Assembled,
    Inflated,
}

enum Ready {
    Data(DataKind, Source),
    Chunk(DataKind, Range<usize>, bool),
    Ping(Range<usize>),
    Pong(Range<usize>),
    Close(Option<(CloseCode, Range<usize>)>),
}

struct Deflate {
    compressor: Compressor,
    decompressor: Decompressor,
}

/// The outgoing buffer: `buf[..len]` is queued. `buf` keeps its length (its
/// high-water mark) when bytes are taken, so a frame is written over bytes
/// initialised before instead of zero-filling its room again each time.
#[derive(Default)]
struct Outgoing {
    buf: Vec<u8>,
    len: usize,
}

impl Outgoing {
    /// `n` bytes of room after the queued ones. Inline, with the growth out
    /// of line: it is on every send's path, and grows about once per size.
    #[inline]
    fn room(&mut self, n: usize) -> &mut [u8] {
        let end = self.len.saturating_add(n);
        if self.buf.len() < end {
            self.grow(end);
        }
        self.buf.get_mut(self.len..end).unwrap_or_default()
    }

    #[cold]
    #[inline(never)]
    fn grow(&mut self, end: usize) {
        self.buf.resize(end, 0);
    }
}

/// The default [`SessionConfig::split_reads_from`]: the mean frame payload
/// of a message from which [`Session::input_room`] splits reads (64 KiB).
/// Measured in the wasm package, where each piece is a call across the
/// boundary, on 16 MiB messages received by a fresh connection after a full
/// garbage collection (the benchmark's setting): splitting cost 17 % with
/// 16 KiB frames, broke even at 32 KiB and gained 13 % at 64 KiB.
///
/// # Examples
///
/// ```
/// assert_eq!(wsframe::session::SPLIT_FRAGMENT_MIN, 64 * 1024);
/// ```
pub const SPLIT_FRAGMENT_MIN: u64 = 64 * 1024;

/// Where input goes next: see [`Session::input_room`].
///
/// # Examples
///
/// ```
/// use wsframe::session::{InputRoom, Session};
///
/// let mut s = Session::server(Default::default());
/// // Between messages: all of a read goes to `receive`.
/// assert_eq!(s.input_room(100), InputRoom::Input(100));
/// ```
#[derive(Debug, PartialEq, Eq)]
pub enum InputRoom<'a> {
    /// Room inside the message being reassembled: write the next
    /// `room.len()` bytes of input here, then call [`Session::receive`].
    Slot(&'a mut [u8]),
    /// Pass this many of the next bytes of input to [`Session::receive`].
    Input(usize),
}

/// A WebSocket connection at the message level: see the module docs.
///
/// # Examples
///
/// A server echoing the masked "Hello" of RFC 6455 §5.7:
///
/// ```
/// use wsframe::session::{Message, Session, SessionConfig};
///
/// let mut server = Session::server(SessionConfig::default());
/// let mut input = [0x81, 0x85, 0x37, 0xfa, 0x21, 0x3d, 0x7f, 0x9f, 0x4d, 0x51, 0x58];
/// let r = server.receive(&mut input).unwrap();
/// assert_eq!(r.message, Some(Message::Text("Hello")));
/// server.send_text("Hello").unwrap();
/// assert_eq!(server.outgoing(), b"\x81\x05Hello");
/// server.consume_outgoing(7);
/// assert!(server.outgoing().is_empty());
/// ```
pub struct Session<R: RandomSource> {
    conn: Connection<R>,
    config: SessionConfig,
    deflate: Option<Deflate>,
    /// Reassembly of fragmented uncompressed messages; bounded by the limit.
    assembler: MessageAssembler,
    /// The last call returned a message from an internal buffer: release it
    /// if it grew past `retain_buffer` before reusing it.
    release_pending: bool,
    out: Outgoing,
    keepalive: Option<Keepalive>,
    /// Bytes arrived since the last `poll`: the peer is alive.
    heard: bool,
    /// Bytes of input written into the message buffer through
    /// [`Session::input_slot`], for the next `receive` to take first.
    slot: usize,
}

impl<R: RandomSource> core::fmt::Debug for Session<R> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("Session")
            .field("state", &self.conn.state())
            .field("outgoing", &self.out.len)
            .finish_non_exhaustive()
    }
}

impl Session<NoRandom> {
    /// A server session; servers never mask, so no randomness is needed.
    ///
    /// # Examples
    ///
    /// ```
    /// let s = wsframe::session::Session::server(Default::default());
    /// assert_eq!(s.state(), wsframe::State::Open);
    /// ```
    pub fn server(config: SessionConfig) -> Self {
        Self::new(Role::Server, config, NoRandom)
    }
}

impl<R: RandomSource> Session<R> {
    /// A client session; `rng` supplies the masking keys (RFC 6455 §5.3,
    /// §10.3: they must be unpredictable).
    ///
    /// # Examples
    ///
    /// ```
    /// use wsframe::session::{Session, SessionConfig};
    ///
    /// let mut client = Session::client(SessionConfig::default(), |b: &mut [u8]| b.fill(0x5a));
    /// client.send_binary(b"x").unwrap();
    /// assert_eq!(client.outgoing().len(), 2 + 4 + 1); // header, key, payload
    /// ```
    pub fn client(config: SessionConfig, rng: R) -> Self {
        Self::new(Role::Client, config, rng)
    }

    /// A session for `role`.
    ///
    /// # Examples
    ///
    /// ```
    /// use wsframe::{Role, NoRandom, session::{Session, SessionConfig}};
    ///
    /// let s = Session::new(Role::Server, SessionConfig::default(), NoRandom);
    /// assert_eq!(s.role(), Role::Server);
    /// ```
    pub fn new(role: Role, config: SessionConfig, rng: R) -> Self {
        let mut limits = config.limits.with_compression(config.deflate.is_some());
        // Whole single-frame text is delivered as `&str` made here, which is
        // a UTF-8 check of its own: the connection need not make one too.
        limits.text_checked_above = !config.streaming;
        let max = usize::try_from(limits.max_message_size).unwrap_or(usize::MAX);
        let deflate = config.deflate.map(|params| {
            let level = DeflateConfig::default().with_level(config.compression_level);
            Deflate {
                compressor: Compressor::new(role, &params, &level),
                decompressor: Decompressor::new(role, &params, max),
            }
        });
        Self {
            conn: Connection::new(role, limits, rng),
            config,
            deflate,
            assembler: MessageAssembler::new(max),
            release_pending: false,
            out: Outgoing::default(),
            keepalive: None,
            heard: false,
            slot: 0,
        }
    }

    /// This end's role.
    ///
    /// # Examples
    ///
    /// ```
    /// let s = wsframe::session::Session::server(Default::default());
    /// assert_eq!(s.role(), wsframe::Role::Server);
    /// ```
    pub const fn role(&self) -> Role {
        self.conn.role()
    }

    /// Where the closing handshake stands. Close TCP once the state is
    /// [`State::Closed`] or [`State::Failed`] and [`Session::outgoing`] is
    /// written (the server closes first, RFC 6455 §7.1.1).
    ///
    /// # Examples
    ///
    /// ```
    /// let mut s = wsframe::session::Session::server(Default::default());
    /// s.close(None, "").unwrap();
    /// assert_eq!(s.state(), wsframe::State::CloseSent);
    /// ```
    pub const fn state(&self) -> State {
        self.conn.state()
    }

    /// Whether permessage-deflate is on.
    ///
    /// # Examples
    ///
    /// ```
    /// let s = wsframe::session::Session::server(Default::default());
    /// assert!(!s.is_compressing());
    /// ```
    pub const fn is_compressing(&self) -> bool {
        self.deflate.is_some()
    }

    /// Room inside the message being reassembled for the next `n` bytes of
    /// input, when all `n` are payload of its current frame: write them
    /// straight there (copy a read in hand, or read exactly `n`), then call
    /// [`Session::receive`], which takes them first, unmasks and checks them
    /// in place, and so never copies them again. Large messages arrive this
    /// way with one copy of their bytes fewer.
    ///
    /// `None` when that does not apply: between frames, in a control frame,
    /// in compressed messages, with [`SessionConfig::streaming`], when fewer
    /// than `n` payload bytes are ahead or they would pass
    /// [`Config::max_message_size`], or while a slot is pending. Pass the
    /// bytes to `receive` as usual then.
    ///
    /// The slot holds zeros or bytes of earlier messages (the buffer is
    /// zero-filled only where it grows); whatever it holds at the next
    /// `receive` is taken as those `n` bytes of input.
    ///
    /// # Examples
    ///
    /// ```
    /// use wsframe::session::{Message, Session};
    ///
    /// let mut s = Session::server(Default::default());
    /// // A masked 6-byte binary frame (key 1, 2, 3, 4) whose payload arrives in
    /// // two reads.
    /// let key = [1u8, 2, 3, 4];
    /// let payload: Vec<u8> = b"abcdef".iter().zip(key.iter().cycle()).map(|(b, k)| b ^ k).collect();
    /// let mut first = vec![0x82, 0x86, 1, 2, 3, 4];
    /// first.extend_from_slice(&payload[..2]);
    /// assert_eq!(s.receive(&mut first).unwrap().message, None);
    /// // The rest goes straight into the message.
    /// s.input_slot(4).expect("4 payload bytes ahead").copy_from_slice(&payload[2..]);
    /// let r = s.receive(&mut []).unwrap();
    /// assert_eq!(r.message, Some(Message::Binary(b"abcdef")));
    /// ```
    pub fn input_slot(&mut self, n: usize) -> Option<&mut [u8]> {
        let ahead = self.conn.data_payload_ahead();
        if self.slot != 0 || n == 0 || ahead < n as u64 || self.config.streaming {
            return None;
        }
        let slot = self.assembler.slot(n)?;
        self.slot = n;
        Some(slot)
    }

    /// Where the next of `n` bytes of input should go, for a caller that
    /// copies its reads into memory of its own and holds no undecoded input
    /// (every byte given to [`Session::receive`] consumed): the part of a
    /// read that is payload of the message being reassembled goes straight
    /// into it through a slot, and at a frame boundary inside that message
    /// only the next header is taken, so that the payload after it can go
    /// through a slot too. Every payload byte of such a message is then
    /// copied once, however the reads fall across its frames.
    ///
    /// Returns [`InputRoom::Slot`], `n` bytes or fewer to write there (as
    /// for [`Session::input_slot`]), or [`InputRoom::Input`], how many of the
    /// `n` to pass to `receive` as usual: all `n` but between frames of a
    /// message being reassembled, where it is the header's bytes still to
    /// come (or a control frame's payload there). Call `receive` after
    /// either, then ask again for the rest.
    ///
    /// A read is split (a slot for part of it, or a header alone) only while
    /// the message's frames average [`SessionConfig::split_reads_from`] bytes
    /// or more (default 64 KiB): for smaller frames the extra decoding step
    /// per piece can cost more than the copy it saves, and a slot is offered
    /// only for a whole read.
    ///
    /// # Examples
    ///
    /// ```
    /// use wsframe::session::{InputRoom, Message, Session};
    ///
    /// let mut s = Session::server(Default::default());
    /// // A binary message in two masked 64 KiB fragments (64-bit lengths, mask
    /// // key 0, so the payload reads as sent); the first one's last byte comes
    /// // with the second.
    /// let fragment = |b0: u8, byte: u8| {
    ///     let mut f = vec![b0, 0x80 | 127, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0];
    ///     f.resize(14 + 65536, byte);
    ///     f
    /// };
    /// let wire = [fragment(0x02, b'a'), fragment(0x80, b'b')].concat();
    /// let mut first = wire[..14 + 65535].to_vec();
    /// assert_eq!(s.receive(&mut first).unwrap().message, None);
    /// let read = &wire[14 + 65535..];
    /// let (mut at, mut steps, mut message) = (0, Vec::new(), None);
    /// while at < read.len() {
    ///     let mut held = Vec::new();
    ///     match s.input_room(read.len() - at) {
    ///         InputRoom::Slot(room) => {
    ///             room.copy_from_slice(&read[at..at + room.len()]);
    ///             steps.push(("slot", room.len()));
    ///             at += room.len();
    ///         }
    ///         InputRoom::Input(k) => {
    ///             held.extend_from_slice(&read[at..at + k]);
    ///             steps.push(("input", k));
    ///             at += k;
    ///         }
    ///     }
    ///     let len = held.len();
    ///     let r = s.receive(&mut held).unwrap();
    ///     assert_eq!(r.consumed, len);
    ///     if let Some(Message::Binary(m)) = r.message {
    ///         message = Some(m.to_vec());
    ///     }
    /// }
    /// // The rest of the first payload, the header in two steps, the payload.
    /// assert_eq!(steps, [("slot", 1), ("input", 2), ("input", 12), ("slot", 65536)]);
    /// let message = message.expect("whole");
    /// assert_eq!((message.len(), message[65535], message[65536]), (131072, b'a', b'b'));
    /// ```
    pub fn input_room(&mut self, n: usize) -> InputRoom<'_> {
        let ahead = self.conn.data_payload_ahead();
        // Pieces smaller than the read pay only for large frames.
        let split = self.conn.mean_fragment() >= self.config.split_reads_from;
        if ahead == 0 {
            // Between frames of a message being reassembled (never open when
            // streaming; no slot pending, which would leave payload ahead).
            let wanted = if split && self.assembler.is_open() { self.conn.wanted() } else { 0 };
            return InputRoom::Input(if wanted == 0 { n } else { wanted.min(n) });
        }
        let k = match usize::try_from(ahead) {
            Ok(ahead) if ahead < n && split => ahead,
            Ok(ahead) if ahead < n => return InputRoom::Input(n),
            _ => n,
        };
        match self.input_slot(k) {
            Some(room) => InputRoom::Slot(room),
            None => InputRoom::Input(n),
        }
    }

    /// Takes the bytes of a pending [`Session::input_slot`]: the message
    /// when they end it.
    fn receive_slot(&mut self) -> Result<Option<Ready>, Error> {
        let n = core::mem::take(&mut self.slot);
        self.heard = true;
        let bytes = self.assembler.tail_mut(n);
        // All payload of the current frame: one Data event covering them.
        let (kind, last) = match self.conn.receive_raw(bytes) {
            Ok((_, Some(RawEvent::Data { kind, last, .. }))) => (kind, last),
            // Not reached: the slot's bytes are all payload.
            Ok(_) => (DataKind::Binary, false),
            Err(e) => {
                self.assembler.abandon();
                return Err(self.failed(e));
            }
        };
        if last {
            self.assembler.complete();
        }
        Ok(last.then_some(Ready::Data(kind, Source::Assembled)))
    }

    /// Decodes what the peer sent into at most one message.
    ///
    /// Call it again on `input[consumed..]` while it returns a message; when
    /// it returns `None`, keep `input[consumed..]` and read more. Fragmented
    /// and compressed messages are reassembled and inflated internally, never
    /// past [`Config::max_message_size`]; a single-frame uncompressed message
    /// is returned straight from `input`, unmasked in place.
    ///
    /// # Errors
    ///
    /// [`Error::Protocol`] when the peer broke RFC 6455 or RFC 7692, or sent
    /// more than the limits allow. The connection has failed: with
    /// [`SessionConfig::auto_close`] the Close carrying
    /// [`Error::close_code`] is queued (after anything the application queued
    /// before this call); write [`Session::outgoing`] and close TCP.
    ///
    /// # Examples
    ///
    /// ```
    /// use wsframe::session::{Message, Session};
    ///
    /// let mut s = Session::server(Default::default());
    /// // A masked text message in two fragments, then a masked ping "p".
    /// let mut input = vec![0x01, 0x81, 0, 0, 0, 0, b'a', 0x80, 0x81, 0, 0, 0, 0, b'b'];
    /// input.extend_from_slice(&[0x89, 0x81, 0, 0, 0, 0, b'p']);
    /// let r = s.receive(&mut input).unwrap();
    /// assert_eq!(r.message, Some(Message::Text("ab")));
    /// let consumed = r.consumed;
    /// let r = s.receive(&mut input[consumed..]).unwrap();
    /// assert_eq!(r.message, Some(Message::Ping(b"p")));
    /// assert_eq!(s.outgoing(), b"\x8a\x01p"); // the automatic pong
    /// ```
    pub fn receive<'a>(&'a mut self, input: &'a mut [u8]) -> Result<SessionReceived<'a>, Error> {
        if self.release_pending {
            self.release_buffers();
        }
        let mut pos = 0;
        // Bytes written into an input slot come first.
        let mut slot = if self.slot != 0 { self.receive_slot()? } else { None };
        let ready = loop {
            if let Some(ready) = slot.take() {
                break ready;
            }
            let rest = input.get_mut(pos..).unwrap_or_default();
            let (n, raw) = match self.conn.receive_raw(rest) {
                Ok(r) => r,
                Err(e) => return Err(self.failed(e)),
            };
            let base = pos;
            let shift = |r: Range<usize>| r.start + base..r.end + base;
            pos += n;
            if n > 0 {
                self.heard = true;
            }
            let Some(raw) = raw else {
                return Ok(SessionReceived { consumed: pos, message: None });
            };
            let ready = match raw {
                RawEvent::Data { kind, range, last, compressed: true, .. } => {
                    let Some(d) = self.deflate.as_mut() else {
                        // RSV1 is a violation unless deflate was negotiated.
                        return Err(self.fail(ProtocolError::ReservedBits));
                    };
                    let data = input.get(shift(range)).unwrap_or_default();
                    match d.decompressor.decompress(kind, data, last) {
                        Ok(Some(_)) => Some(Ready::Data(kind, Source::Inflated)),
                        Ok(None) => None,
                        Err(Error::Protocol(p)) => return Err(self.fail(p)),
                        Err(e) => return Err(e),
                    }
                }
                RawEvent::Data { kind, range, last, compressed: false, frame_rest } => {
                    self.data(kind, shift(range), last, frame_rest, input)?
                }
                RawEvent::Ping(range) => {
                    let range = shift(range);
                    if self.config.auto_pong {
                        let payload = input.get(range.clone()).unwrap_or_default();
                        // Once our Close is out no Pong may follow it (§5.5.1).
                        match self.queue(|c, out| c.send_pong(payload, out), MAX_CONTROL_PAYLOAD) {
                            Ok(()) | Err(Error::Closed) => {}
                            Err(e) => return Err(e),
                        }
                    }
                    Some(Ready::Ping(range))
                }
                RawEvent::Pong(range) => Some(Ready::Pong(shift(range))),
                RawEvent::Close(close) => {
                    if self.config.auto_close && self.conn.state() == State::CloseReceived {
                        // Echo the code (§5.5.1), and the reason with it; a Close
                        // without a code gets none.
                        let (code, reason) = match &close {
                            Some((code, r)) => {
                                let bytes = input.get(shift(r.clone())).unwrap_or_default();
                                (Some(*code), core::str::from_utf8(bytes).unwrap_or_default())
                            }
                            None => (None, ""),
                        };
                        let len = 2 + reason.len();
                        self.queue(|conn, out| conn.send_close(code, reason, out), len)?;
                    }
                    Some(Ready::Close(close.map(|(code, r)| (code, shift(r)))))
                }
            };
            if let Some(ready) = ready {
                break ready;
            }
        };
        let input: &'a [u8] = input;
        let at = |r: Range<usize>| input.get(r).unwrap_or_default();
        // Whole single-frame text in the input: the connection left its
        // UTF-8 check to this one (Config::text_checked_above), a violation
        // like any other (1007).
        let text_in_input = match &ready {
            Ready::Data(DataKind::Text, Source::Input(r)) => match utf8::as_str(at(r.clone())) {
                Some(t) => Some(t),
                None => return Err(self.fail(ProtocolError::InvalidUtf8)),
            },
            _ => None,
        };
        let message = match ready {
            Ready::Data(kind, source) => {
                let bytes = match source {
                    Source::Input(r) => at(r),
                    Source::Assembled => {
                        self.release_pending = true;
                        self.assembler.message()
                    }
                    Source::Inflated => {
                        self.release_pending = true;
                        self.deflate.as_ref().map(|d| d.decompressor.message()).unwrap_or_default()
                    }
                };
                match kind {
                    // Reassembled or inflated text was validated as it
                    // arrived; this second look costs little next to the copy
                    // and keeps the core free of unsafe code.
                    DataKind::Text => Message::Text(
                        text_in_input
                            .or_else(|| utf8::as_str(bytes))
                            .ok_or(Error::Protocol(ProtocolError::InvalidUtf8))?,
                    ),
                    DataKind::Binary => Message::Binary(bytes),
                }
            }
            Ready::Chunk(kind, r, last) => Message::Chunk { kind, data: at(r), last },
            Ready::Ping(r) => Message::Ping(at(r)),
            Ready::Pong(r) => Message::Pong(at(r)),
            Ready::Close(close) => Message::Close(close.and_then(|(code, r)| {
                core::str::from_utf8(at(r)).ok().map(|reason| CloseFrame { code, reason })
            })),
        };
        Ok(SessionReceived { consumed: pos, message: Some(message) })
    }

    /// One chunk of an uncompressed data message: passed through (streaming
    /// or a whole single frame) or added to the reassembly buffer.
    fn data(
        &mut self,
        kind: DataKind,
        range: Range<usize>,
        last: bool,
        frame_rest: u64,
        input: &[u8],
    ) -> Result<Option<Ready>, Error> {
        if self.config.streaming {
            return Ok(Some(Ready::Chunk(kind, range, last)));
        }
        if last && !self.assembler.is_open() {
            return Ok(Some(Ready::Data(kind, Source::Input(range))));
        }
        // The connection already checks the wire size against the limit;
        // the assembler keeps the buffer within it whatever the frames claim,
        // and makes room for the rest of the frame at once.
        let chunk = input.get(range).unwrap_or_default();
        let rest = usize::try_from(frame_rest).unwrap_or(usize::MAX);
        match self.assembler.push_frame(kind, chunk, last, rest) {
            Ok(None) => Ok(None),
            Ok(Some(_)) => Ok(Some(Ready::Data(kind, Source::Assembled))),
            Err(Error::Protocol(p)) => Err(self.fail(p)),
            Err(e) => Err(e),
        }
    }

    /// Gives back buffers that grew past `retain_buffer`.
    fn release_buffers(&mut self) {
        self.release_pending = false;
        let keep = self.config.retain_buffer;
        self.assembler.release(keep);
        if let Some(d) = self.deflate.as_mut() {
            d.decompressor.release_buffer(keep);
        }
    }

    /// Fails the connection for a violation found above the frame layer.
    fn fail(&mut self, error: ProtocolError) -> Error {
        let e = self.conn.fail(error);
        self.failed(e)
    }

    /// After the connection failed: queue the Close it calls for.
    fn failed(&mut self, e: Error) -> Error {
        if let (true, Some(code), State::Failed) =
            (self.config.auto_close, e.close_code(), self.conn.state())
        {
            // Nothing more can be done if even the Close cannot be queued.
            let _ = self.queue(|conn, out| conn.send_close(Some(code), "", out), 4);
        }
        e
    }

    /// Appends one frame of at most `payload` bytes to the outgoing buffer.
    fn queue(
        &mut self,
        write: impl FnOnce(&mut Connection<R>, &mut [u8]) -> Result<usize, Error>,
        payload: usize,
    ) -> Result<(), Error> {
        let r = write(&mut self.conn, self.out.room(max_frame_len(payload)));
        r.map(|n| self.out.len += n)
    }

    /// Queues a text message, compressed when permessage-deflate is on.
    ///
    /// # Errors
    ///
    /// [`Error::Closed`] after a Close was sent or the connection failed;
    /// [`Error::MessageInProgress`] while a fragmented message is being sent.
    ///
    /// # Examples
    ///
    /// ```
    /// let mut s = wsframe::session::Session::server(Default::default());
    /// s.send_text("hi").unwrap();
    /// assert_eq!(s.outgoing(), b"\x81\x02hi");
    /// ```
    pub fn send_text(&mut self, text: &str) -> Result<(), Error> {
        self.send(DataKind::Text, text.as_bytes(), true)
    }

    /// Queues a binary message, compressed when permessage-deflate is on.
    ///
    /// # Errors
    ///
    /// As for [`Session::send_text`].
    ///
    /// # Examples
    ///
    /// ```
    /// let mut s = wsframe::session::Session::server(Default::default());
    /// s.send_binary(&[1, 2]).unwrap();
    /// assert_eq!(s.outgoing(), &[0x82, 2, 1, 2]);
    /// ```
    pub fn send_binary(&mut self, data: &[u8]) -> Result<(), Error> {
        self.send(DataKind::Binary, data, true)
    }

    /// Queues a whole message; `compress` chooses per message whether
    /// permessage-deflate is used (ignored when it was not negotiated). The
    /// state is checked before compressing, so a refused message leaves the
    /// compression context untouched (RFC 7692 §7.2.1).
    ///
    /// The sending calls (`send*`, `ping`, `pong`, `close`) write only to the
    /// compressor and the outgoing buffer, never to the buffers a [`Message`]
    /// borrows from; a binding whose caller hands a received message straight
    /// back (an echo, in C) relies on this.
    ///
    /// # Errors
    ///
    /// As for [`Session::send_text`].
    ///
    /// # Examples
    ///
    /// ```
    /// use wsframe::DataKind;
    ///
    /// let mut s = wsframe::session::Session::server(Default::default());
    /// s.send(DataKind::Binary, b"raw", false).unwrap();
    /// assert_eq!(s.outgoing(), b"\x82\x03raw");
    /// ```
    pub fn send(&mut self, kind: DataKind, data: &[u8], compress: bool) -> Result<(), Error> {
        self.conn.can_start_message()?;
        match self.deflate.as_mut() {
            Some(d) if compress => {
                let z = d.compressor.compress(data);
                let r = Self::queue_data(&mut self.conn, &mut self.out, kind, z, true, true);
                if r.is_err() {
                    // Not sent (no masking key): the peer's window never saw it.
                    d.compressor.reset();
                }
                r
            }
            _ => Self::queue_data(&mut self.conn, &mut self.out, kind, data, true, false),
        }
    }

    /// Room for a `len`-byte message at the end of the outgoing buffer, for a
    /// caller that writes the payload there itself (a binding copying it
    /// straight from another memory, with no buffer in between) and then calls
    /// [`Session::send_staged`] with the same `len`. Any other call on the
    /// session in between may overwrite what was staged.
    ///
    /// # Examples
    ///
    /// ```
    /// use wsframe::DataKind;
    ///
    /// let mut s = wsframe::session::Session::server(Default::default());
    /// s.stage(3).copy_from_slice(b"raw");
    /// s.send_staged(DataKind::Binary, 3, false).unwrap();
    /// assert_eq!(s.outgoing(), b"\x82\x03raw");
    /// ```
    pub fn stage(&mut self, len: usize) -> &mut [u8] {
        let head = header_len(len as u64, self.conn.role() == Role::Client);
        self.out.room(head.saturating_add(len)).get_mut(head..).unwrap_or_default()
    }

    /// [`Session::stage`] within the outgoing buffer as it is: `None` when
    /// the message does not fit without growing it. For a binding whose
    /// caller's bytes may live in memory that an allocation can move (a view
    /// into wasm memory, which growing the memory detaches): it needs to
    /// know where they are only before a call that may allocate.
    ///
    /// # Examples
    ///
    /// ```
    /// let mut s = wsframe::session::Session::server(Default::default());
    /// assert!(s.try_stage(3).is_none()); // nothing allocated yet
    /// s.stage(3);
    /// assert_eq!(s.try_stage(3).map(|room| room.len()), Some(3));
    /// ```
    pub fn try_stage(&mut self, len: usize) -> Option<&mut [u8]> {
        let head = header_len(len as u64, self.conn.role() == Role::Client);
        let start = self.out.len.checked_add(head)?;
        self.out.buf.get_mut(start..start.checked_add(len)?)
    }

    /// Sends the `len` bytes written into [`Session::stage`]'s room as
    /// [`Session::send`] sends a message: one frame, the header written in
    /// front of the payload and a client's masking applied in place (no copy),
    /// or compressed from there when permessage-deflate is on and `compress`.
    ///
    /// # Errors
    ///
    /// As for [`Session::send_text`]; nothing is queued then.
    ///
    /// # Examples
    ///
    /// ```
    /// use wsframe::DataKind;
    ///
    /// let mut s = wsframe::session::Session::server(Default::default());
    /// s.send_fragment(DataKind::Text, b"a", false).unwrap();
    /// s.stage(2).copy_from_slice(b"hi");
    /// assert!(s.send_staged(DataKind::Text, 2, false).is_err()); // a message is under way
    /// s.send_fragment(DataKind::Text, b"b", true).unwrap();
    /// s.stage(2).copy_from_slice(b"hi");
    /// s.send_staged(DataKind::Text, 2, false).unwrap();
    /// assert!(s.outgoing().ends_with(b"\x81\x02hi"));
    /// ```
    pub fn send_staged(&mut self, kind: DataKind, len: usize, compress: bool) -> Result<(), Error> {
        self.conn.can_start_message()?;
        let head = header_len(len as u64, self.conn.role() == Role::Client);
        let room = self.out.room(head.saturating_add(len));
        let Some((header, payload)) = room.split_at_mut_checked(head) else {
            return Err(Error::InsufficientSize { required: head.saturating_add(len) });
        };
        match self.deflate.as_mut() {
            Some(d) if compress => {
                let z = d.compressor.compress(payload);
                let r = Self::queue_data(&mut self.conn, &mut self.out, kind, z, true, true);
                if r.is_err() {
                    d.compressor.reset();
                }
                r
            }
            _ => {
                let n = self.conn.send_frame_in_place(kind, payload, true, header)?;
                self.out.len += n + len;
                Ok(())
            }
        }
    }

    /// Queues only the header of a one-frame, uncompressed message of `len`
    /// bytes whose payload stays in the caller's memory: write everything
    /// [`Session::outgoing`] then holds, and right after it the payload (one
    /// vectored write of the two), before anything queued later. A server's
    /// payload goes as it is, never copied; a client must first mask it with
    /// the key returned (RFC 6455 §5.3: [`crate::mask::apply_mask`] at offset
    /// 0). Text must be UTF-8; it is not checked here.
    ///
    /// # Errors
    ///
    /// As for [`Session::send_text`]; nothing is queued then.
    ///
    /// # Examples
    ///
    /// ```
    /// use wsframe::DataKind;
    ///
    /// let mut s = wsframe::session::Session::server(Default::default());
    /// let payload = [7u8; 300];
    /// assert_eq!(s.send_header(DataKind::Binary, payload.len()), Ok(None));
    /// // Binary, 16-bit length 300; then the payload from where it lies.
    /// assert_eq!(s.outgoing(), b"\x82\x7e\x01\x2c");
    /// ```
    pub fn send_header(&mut self, kind: DataKind, len: usize) -> Result<Option<[u8; 4]>, Error> {
        self.conn.can_start_message()?;
        let room = self.out.room(MAX_HEADER_LEN);
        let (n, mask) = self.conn.write_data_header(kind, len as u64, true, room)?;
        self.out.len += n;
        Ok(mask)
    }

    /// Appends a data frame (compressed: RSV1 on a message's first frame).
    /// Nothing is left on failure.
    fn queue_data(
        conn: &mut Connection<R>,
        out: &mut Outgoing,
        kind: DataKind,
        data: &[u8],
        fin: bool,
        compressed: bool,
    ) -> Result<(), Error> {
        let room = out.room(max_frame_len(data.len()));
        let r = if compressed {
            conn.send_compressed_frame(kind, data, fin, room)
        } else {
            conn.send_frame(kind, data, fin, room)
        };
        r.map(|n| out.len += n)
    }

    /// Queues one frame of an uncompressed message sent in pieces (RFC 6455
    /// §5.4); `fin` ends the message. Control frames may go between pieces.
    ///
    /// # Errors
    ///
    /// [`Error::MessageInProgress`] if `kind` differs from the message being
    /// sent; otherwise as for [`Session::send_text`].
    ///
    /// # Examples
    ///
    /// ```
    /// use wsframe::DataKind;
    ///
    /// let mut s = wsframe::session::Session::server(Default::default());
    /// s.send_fragment(DataKind::Text, b"Hel", false).unwrap();
    /// s.send_fragment(DataKind::Text, b"lo", true).unwrap();
    /// assert_eq!(s.outgoing(), &[0x01, 3, b'H', b'e', b'l', 0x80, 2, b'l', b'o']);
    /// ```
    pub fn send_fragment(&mut self, kind: DataKind, data: &[u8], fin: bool) -> Result<(), Error> {
        Self::queue_data(&mut self.conn, &mut self.out, kind, data, fin, false)
    }

    /// Queues a Ping (at most 125 bytes of payload).
    ///
    /// # Errors
    ///
    /// [`Error::ControlPayloadTooLarge`], [`Error::Closed`].
    ///
    /// # Examples
    ///
    /// ```
    /// let mut s = wsframe::session::Session::server(Default::default());
    /// s.ping(b"?").unwrap();
    /// assert_eq!(s.outgoing(), b"\x89\x01?");
    /// ```
    pub fn ping(&mut self, payload: &[u8]) -> Result<(), Error> {
        self.queue(|conn, out| conn.send_ping(payload, out), payload.len())
    }

    /// Queues a Pong, for example an unsolicited one as a heartbeat (§5.5.3).
    ///
    /// # Errors
    ///
    /// [`Error::ControlPayloadTooLarge`], [`Error::Closed`].
    ///
    /// # Examples
    ///
    /// ```
    /// let mut s = wsframe::session::Session::server(Default::default());
    /// s.pong(b"").unwrap();
    /// assert_eq!(s.outgoing(), b"\x8a\x00");
    /// ```
    pub fn pong(&mut self, payload: &[u8]) -> Result<(), Error> {
        self.queue(|conn, out| conn.send_pong(payload, out), payload.len())
    }

    /// Queues a Close (RFC 6455 §5.5.1) and moves the closing handshake on.
    ///
    /// # Errors
    ///
    /// [`Error::InvalidCloseCode`], [`Error::ReasonWithoutCode`],
    /// [`Error::ControlPayloadTooLarge`], [`Error::Closed`] if a Close was
    /// already sent.
    ///
    /// # Examples
    ///
    /// ```
    /// use wsframe::CloseCode;
    ///
    /// let mut s = wsframe::session::Session::server(Default::default());
    /// s.close(Some(CloseCode(4001)), "done").unwrap();
    /// assert_eq!(s.outgoing(), b"\x88\x06\x0f\xa1done");
    /// ```
    pub fn close(&mut self, code: Option<CloseCode>, reason: &str) -> Result<(), Error> {
        self.queue(|conn, out| conn.send_close(code, reason, out), 2 + reason.len())
    }

    /// The bytes queued for the peer, oldest first: write them to the socket,
    /// then report how many were written with [`Session::consume_outgoing`].
    ///
    /// # Examples
    ///
    /// ```
    /// let mut s = wsframe::session::Session::server(Default::default());
    /// assert!(s.outgoing().is_empty());
    /// s.ping(b"").unwrap();
    /// assert_eq!(s.outgoing().len(), 2);
    /// ```
    pub fn outgoing(&self) -> &[u8] {
        self.out.buf.get(..self.out.len).unwrap_or_default()
    }

    /// Drops the first `n` queued bytes (at most all of them), which the
    /// caller has written.
    ///
    /// # Examples
    ///
    /// ```
    /// let mut s = wsframe::session::Session::server(Default::default());
    /// s.send_text("abc").unwrap();
    /// s.consume_outgoing(2);
    /// assert_eq!(s.outgoing(), b"abc");
    /// ```
    pub fn consume_outgoing(&mut self, n: usize) {
        let out = &mut self.out;
        if n < out.len {
            out.buf.copy_within(n..out.len, 0);
            out.len -= n;
        } else if out.buf.len() > self.config.retain_buffer {
            *out = Outgoing::default();
        } else {
            out.len = 0;
        }
    }

    /// Takes everything queued at once, oldest first: the queue is empty
    /// afterwards, and the bytes returned stay readable until the next call
    /// on the session. For a caller that copies or writes all of them before
    /// calling again (into its own buffer, say) with one call instead of
    /// [`Session::outgoing`] and [`Session::consume_outgoing`]. A buffer that
    /// grew past [`SessionConfig::retain_buffer`] is given back at the next
    /// take (or consume) that finds the queue empty.
    ///
    /// # Examples
    ///
    /// ```
    /// let mut s = wsframe::session::Session::server(Default::default());
    /// s.send_text("hi").unwrap();
    /// let mut socket = Vec::new();
    /// socket.extend_from_slice(s.take_outgoing());
    /// assert_eq!(socket, b"\x81\x02hi");
    /// assert!(s.outgoing().is_empty());
    /// ```
    pub fn take_outgoing(&mut self) -> &[u8] {
        let out = &mut self.out;
        if out.len == 0 && out.buf.len() > self.config.retain_buffer {
            *out = Outgoing::default();
        }
        let n = core::mem::take(&mut out.len);
        out.buf.get(..n).unwrap_or_default()
    }

    /// Runs the heartbeat (with [`SessionConfig::keepalive`]): call it when
    /// the socket had activity and when [`Session::next_deadline`] passes,
    /// with the caller's monotonic clock in milliseconds. On
    /// [`KeepaliveAction::SendPing`] the Ping is already queued; on
    /// [`KeepaliveAction::PeerDead`] close TCP (the closure is abnormal, 1006).
    ///
    /// # Examples
    ///
    /// ```
    /// use wsframe::keepalive::KeepaliveAction;
    /// use wsframe::session::{Session, SessionConfig};
    ///
    /// let mut s = Session::server(SessionConfig::default().with_keepalive(1000, 500));
    /// assert_eq!(s.poll(0), KeepaliveAction::Idle);
    /// assert_eq!(s.poll(1000), KeepaliveAction::SendPing);
    /// assert_eq!(s.outgoing(), b"\x89\x00");
    /// assert_eq!(s.poll(1500), KeepaliveAction::PeerDead);
    /// ```
    pub fn poll(&mut self, now_ms: u64) -> KeepaliveAction {
        let Some((interval, timeout)) = self.config.keepalive else {
            return KeepaliveAction::Idle;
        };
        let k = self.keepalive.get_or_insert_with(|| Keepalive::new(interval, timeout, now_ms));
        if core::mem::take(&mut self.heard) {
            k.on_receive(now_ms);
        }
        match k.poll(now_ms) {
            KeepaliveAction::SendPing => {
                if self.ping(&[]).is_err() {
                    // Closing already: the closing handshake has its own timeout.
                    return KeepaliveAction::Idle;
                }
                KeepaliveAction::SendPing
            }
            other => other,
        }
    }

    /// When [`Session::poll`] next needs to run, in the caller's clock;
    /// `None` without a heartbeat or before the first `poll`.
    ///
    /// # Examples
    ///
    /// ```
    /// use wsframe::session::{Session, SessionConfig};
    ///
    /// let mut s = Session::server(SessionConfig::default().with_keepalive(1000, 500));
    /// assert_eq!(s.next_deadline(), None);
    /// s.poll(10);
    /// assert_eq!(s.next_deadline(), Some(1010));
    /// ```
    pub fn next_deadline(&self) -> Option<u64> {
        self.keepalive.as_ref().map(Keepalive::next_deadline)
    }
}
