//! The connection state machine: bytes in, events out; calls in, bytes out.
//!
//! A [`Connection`] starts after the opening handshake. It never touches a
//! socket: [`Connection::receive`] takes the bytes the caller read and
//! returns at most one [`Event`] borrowing its payload from them (unmasked in
//! place); the `send_*` methods write whole frames into a caller's buffer.

use core::ops::Range;

mod batch;
pub use batch::Batch;

use crate::close::{self, CloseCode, MAX_CLOSE_PAYLOAD};
use crate::error::{Error, ProtocolError};
use crate::frame::{self, FrameHeader, HeaderDecoder, MAX_CONTROL_PAYLOAD, OpCode, header_len};
use crate::mask;
use crate::random::{NoRandom, RandomSource};
use crate::utf8::{self, Utf8Error, Utf8Validator};

/// RSV1 in [`FrameHeader::rsv`]: "this message is compressed" under permessage-deflate.
const RSV1: u8 = 0b100;

/// Which end of the connection this is. Clients mask what they send and
/// expect unmasked frames; servers the reverse (RFC 6455 §5.1).
///
/// # Examples
///
/// ```
/// use wsframe::{Config, Connection, Role};
///
/// let conn = Connection::server(Config::default());
/// assert_eq!(conn.role(), Role::Server);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Role {
    /// The side that opened the connection; masks every frame it sends.
    Client,
    /// The side that accepted it; never masks.
    Server,
}

/// The type of a data message.
///
/// # Examples
///
/// ```
/// use wsframe::DataKind;
///
/// assert_ne!(DataKind::Text, DataKind::Binary);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum DataKind {
    /// UTF-8 text (opcode 0x1).
    Text,
    /// Arbitrary bytes (opcode 0x2).
    Binary,
}

impl DataKind {
    const fn opcode(self) -> OpCode {
        match self {
            Self::Text => OpCode::Text,
            Self::Binary => OpCode::Binary,
        }
    }
}

/// Where the closing handshake stands (RFC 6455 §7).
///
/// # Examples
///
/// ```
/// use wsframe::{Config, Connection, State};
///
/// let mut conn = Connection::server(Config::default());
/// assert_eq!(conn.state(), State::Open);
/// let mut out = [0u8; 16];
/// conn.send_close(None, "", &mut out).unwrap();
/// assert_eq!(conn.state(), State::CloseSent);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum State {
    /// Data flows both ways.
    Open,
    /// We sent a Close and wait for the peer's; incoming data is still delivered.
    CloseSent,
    /// The peer sent a Close; answer it with [`Connection::send_close`].
    CloseReceived,
    /// Both Close frames have been exchanged: close the TCP connection
    /// (the server first, RFC 6455 §7.1.1).
    Closed,
    /// The peer violated the protocol; send the Close that
    /// [`Error::close_code`] names, then close the TCP connection (§7.1.7).
    Failed,
}

/// Limits applied to what the peer sends. Defaults suit the 16 MiB messages
/// in 64-byte fragments that conformance suites send.
///
/// # Examples
///
/// ```
/// use wsframe::Config;
///
/// let config = Config::default().with_max_message_size(1 << 20);
/// assert_eq!(config.max_message_size, 1 << 20);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct Config {
    /// Largest frame payload accepted, in bytes (default 16 MiB). Larger
    /// frames fail with close code 1009 as soon as their header arrives.
    pub max_frame_payload: u64,
    /// Largest message accepted, summed over its fragments (default 16 MiB).
    pub max_message_size: u64,
    /// Most frames one message may be split into (default 2^20).
    pub max_fragments: u32,
    /// Whether permessage-deflate (RFC 7692) was negotiated: RSV1 then marks
    /// a compressed message, delivered as [`Event::Compressed`] chunks for
    /// `extensions::deflate::Decompressor` to inflate (default off).
    pub compression: bool,
    /// A whole single-frame text message is left unchecked here because the
    /// layer above checks it as it makes the `&str` (the Session, outside
    /// streaming): one UTF-8 pass per message instead of two.
    pub(crate) text_checked_above: bool,
}

impl Config {
    /// The defaults: 16 MiB frames and messages, 2^20 fragments.
    pub const DEFAULT: Self = Self {
        max_frame_payload: 16 << 20,
        max_message_size: 16 << 20,
        max_fragments: 1 << 20,
        compression: false,
        text_checked_above: false,
    };

    /// Sets [`Config::max_frame_payload`].
    ///
    /// # Examples
    ///
    /// ```
    /// let c = wsframe::Config::default().with_max_frame_payload(4096);
    /// assert_eq!(c.max_frame_payload, 4096);
    /// ```
    #[must_use]
    pub const fn with_max_frame_payload(mut self, bytes: u64) -> Self {
        self.max_frame_payload = bytes;
        self
    }

    /// Sets [`Config::max_message_size`].
    ///
    /// # Examples
    ///
    /// ```
    /// let c = wsframe::Config::default().with_max_message_size(4096);
    /// assert_eq!(c.max_message_size, 4096);
    /// ```
    #[must_use]
    pub const fn with_max_message_size(mut self, bytes: u64) -> Self {
        self.max_message_size = bytes;
        self
    }

    /// Sets [`Config::max_fragments`].
    ///
    /// # Examples
    ///
    /// ```
    /// let c = wsframe::Config::default().with_max_fragments(16);
    /// assert_eq!(c.max_fragments, 16);
    /// ```
    #[must_use]
    pub const fn with_max_fragments(mut self, count: u32) -> Self {
        self.max_fragments = count;
        self
    }

    /// Sets [`Config::compression`], after permessage-deflate was negotiated.
    ///
    /// # Examples
    ///
    /// ```
    /// let c = wsframe::Config::default().with_compression(true);
    /// assert!(c.compression);
    /// ```
    #[must_use]
    pub const fn with_compression(mut self, on: bool) -> Self {
        self.compression = on;
        self
    }
}

impl Default for Config {
    fn default() -> Self {
        Self::DEFAULT
    }
}

/// A received Close frame's status code and reason (RFC 6455 §5.5.1).
///
/// # Examples
///
/// ```
/// use wsframe::{CloseCode, CloseFrame, Connection, Event};
///
/// let mut conn = Connection::server(Default::default());
/// let mut input = [0x88, 0x85, 0, 0, 0, 0, 0x03, 0xe8, b'b', b'y', b'e'];
/// let r = conn.receive(&mut input).unwrap();
/// let close = CloseFrame { code: CloseCode::NORMAL, reason: "bye" };
/// assert_eq!(r.event, Some(Event::Close(Some(close))));
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CloseFrame<'a> {
    /// The status code; always one that is valid on the wire.
    pub code: CloseCode,
    /// The reason, validated UTF-8, possibly empty.
    pub reason: &'a str,
}

/// What one [`Connection::receive`] call produced.
///
/// # Examples
///
/// ```
/// use wsframe::{Config, Connection, Event};
///
/// let mut conn = Connection::server(Config::default());
/// let mut buf = [0x89, 0x80, 1, 2, 3, 4]; // masked, empty ping
/// let r = conn.receive(&mut buf).unwrap();
/// assert_eq!(r.consumed, 6);
/// assert_eq!(r.event, Some(Event::Ping(&[])));
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Received<'a> {
    /// Bytes of the input that are done with. Keep `input[consumed..]` and
    /// present it again, followed by more data.
    pub consumed: usize,
    /// The event, or `None` when more input is needed.
    pub event: Option<Event<'a>>,
}

/// Something the peer sent. Payloads borrow from the input passed to
/// [`Connection::receive`], already unmasked.
///
/// # Examples
///
/// ```
/// use wsframe::{Connection, Event};
///
/// let mut conn = Connection::server(Default::default());
/// // A masked binary frame [1, 2] in a buffer that ends in its middle.
/// let mut input = [0x82, 0x82, 0, 0, 0, 0, 1];
/// let r = conn.receive(&mut input).unwrap();
/// assert_eq!(r.event, Some(Event::Binary { data: &[1], last: false }));
/// let mut rest = [2];
/// let r = conn.receive(&mut rest).unwrap();
/// assert_eq!(r.event, Some(Event::Binary { data: &[2], last: true }));
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Event<'a> {
    /// A chunk of a text message. Chunks arrive in order; `last` marks the
    /// message's final chunk. The message is UTF-8 validated as it streams
    /// (RFC 6455 §8.1), but one chunk may end inside a character.
    Text {
        /// The chunk's bytes.
        data: &'a [u8],
        /// Whether this chunk completes the message.
        last: bool,
    },
    /// A chunk of a binary message; `last` marks the final one.
    Binary {
        /// The chunk's bytes.
        data: &'a [u8],
        /// Whether this chunk completes the message.
        last: bool,
    },
    /// A chunk of a compressed message (RSV1 set on its first frame, RFC 7692
    /// §6), only when [`Config::compression`] is on. The bytes are still
    /// deflated: `extensions::deflate::Decompressor::decompress` inflates them,
    /// checks the size limit on the inflated data and validates text as UTF-8.
    Compressed {
        /// The message's type.
        kind: DataKind,
        /// The chunk's compressed bytes.
        data: &'a [u8],
        /// Whether this chunk completes the message.
        last: bool,
    },
    /// A Ping (RFC 6455 §5.5.2): answer with [`Connection::send_pong`] and the same payload.
    Ping(&'a [u8]),
    /// A Pong (RFC 6455 §5.5.3).
    Pong(&'a [u8]),
    /// A Close (RFC 6455 §5.5.1), `None` if it carried no status code. If we
    /// had not sent one, answer with [`Connection::send_close`], usually
    /// echoing the code.
    Close(Option<CloseFrame<'a>>),
}

#[derive(Debug, Clone, Copy)]
enum Rx {
    Header(HeaderDecoder),
    Payload(Payload),
}

#[derive(Debug, Clone, Copy)]
struct Payload {
    opcode: OpCode,
    fin: bool,
    mask: Option<[u8; 4]>,
    remaining: u64,
    /// Payload bytes already delivered, modulo 4: the masking key's phase.
    phase: u8,
}

#[derive(Debug, Clone, Copy)]
struct RxMessage {
    kind: DataKind,
    size: u64,
    fragments: u32,
    compressed: bool,
}

/// An [`Event`] with its payload as a range of the input given to
/// [`Connection::receive_raw`] instead of a borrow of it.
///
/// For layers that keep working on the input after an event (a binding that
/// hands out pointers or offsets, a reassembly buffer): the range stays valid
/// while the input does not move, and borrows nothing.
///
/// # Examples
///
/// ```
/// use wsframe::{Config, Connection, DataKind, RawEvent};
///
/// let mut conn = Connection::server(Config::default());
/// // A masked Ping with "Hi", then the first byte of the next frame.
/// let mut input = [0x89, 0x82, 1, 2, 3, 4, b'H' ^ 1, b'i' ^ 2, 0x82];
/// let (consumed, event) = conn.receive_raw(&mut input)?;
/// assert_eq!(consumed, 8);
/// assert_eq!(event, Some(RawEvent::Ping(6..8)));
/// assert_eq!(&input[6..8], b"Hi");
/// # Ok::<(), wsframe::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RawEvent {
    /// A chunk of a text or binary message ([`Event::Text`],
    /// [`Event::Binary`], or [`Event::Compressed`] when `compressed`).
    Data {
        /// Text or binary, for every chunk of the message.
        kind: DataKind,
        /// Where the (unmasked) chunk lies in the input.
        range: Range<usize>,
        /// Whether this chunk ends the message.
        last: bool,
        /// Whether the message is compressed (RSV1 on its first frame with
        /// permessage-deflate negotiated): the chunk is deflate data.
        compressed: bool,
        /// Payload bytes of this frame still to come after the chunk: a
        /// size hint for a reassembly buffer.
        frame_rest: u64,
    },
    /// A Ping's payload ([`Event::Ping`]).
    Ping(Range<usize>),
    /// A Pong's payload ([`Event::Pong`]).
    Pong(Range<usize>),
    /// The status code and the reason's range (UTF-8, checked), if the Close
    /// frame had a body ([`Event::Close`]).
    Close(Option<(CloseCode, Range<usize>)>),
}

enum Step {
    NeedMore(usize),
    Data {
        consumed: usize,
        range: Range<usize>,
        kind: DataKind,
        last: bool,
        compressed: bool,
        /// Payload bytes of this frame still to come after the chunk.
        frame_rest: u64,
    },
    Control {
        consumed: usize,
        range: Range<usize>,
        opcode: OpCode,
    },
}

/// A WebSocket connection after the opening handshake, for either role.
///
/// `R` supplies masking keys for clients (RFC 6455 §5.3, §10.3); servers
/// use [`NoRandom`] via [`Connection::server`].
///
/// # Examples
///
/// A server receiving the masked "Hello" of RFC 6455 §5.7 and answering it:
///
/// ```
/// use wsframe::{Config, Connection, Event};
///
/// let mut server = Connection::server(Config::default());
/// let mut input = [0x81, 0x85, 0x37, 0xfa, 0x21, 0x3d, 0x7f, 0x9f, 0x4d, 0x51, 0x58];
/// let r = server.receive(&mut input).unwrap();
/// assert_eq!(r.event, Some(Event::Text { data: b"Hello", last: true }));
///
/// let mut out = [0u8; 16];
/// let n = server.send_text("Hello", &mut out).unwrap();
/// assert_eq!(&out[..n], &[0x81, 0x05, 0x48, 0x65, 0x6c, 0x6c, 0x6f]);
/// ```
#[derive(Debug, Clone)]
pub struct Connection<R: RandomSource> {
    role: Role,
    state: State,
    config: Config,
    rx: Rx,
    rx_msg: Option<RxMessage>,
    utf8: Utf8Validator,
    tx_msg: Option<DataKind>,
    rng: R,
}

impl Connection<NoRandom> {
    /// A server-side connection; servers never mask, so no randomness is needed.
    ///
    /// # Examples
    ///
    /// ```
    /// let conn = wsframe::Connection::server(wsframe::Config::default());
    /// assert_eq!(conn.state(), wsframe::State::Open);
    /// ```
    pub const fn server(config: Config) -> Self {
        Self::new(Role::Server, config, NoRandom)
    }
}

impl<R: RandomSource> Connection<R> {
    /// A client connection: every frame it sends is masked with a key drawn
    /// from `rng` (RFC 6455 §5.3), which must be unpredictable (§10.3). With
    /// [`NoRandom`] every send fails with [`Error::RandomFailed`].
    ///
    /// # Examples
    ///
    /// ```
    /// use wsframe::{Config, Connection, Error, NoRandom, Role};
    ///
    /// let rng = |buf: &mut [u8]| buf.fill(0x5a); // use the OS or a TRNG in real code
    /// let mut client = Connection::client(Config::default(), rng);
    /// assert_eq!(client.role(), Role::Client);
    /// let n = client.send_text("hi", &mut [0u8; 16]).unwrap();
    /// assert_eq!(n, 2 + 4 + 2);
    ///
    /// let mut keyless = Connection::client(Config::default(), NoRandom);
    /// assert_eq!(keyless.send_text("hi", &mut [0u8; 16]), Err(Error::RandomFailed));
    /// ```
    pub const fn client(config: Config, rng: R) -> Self {
        Self::new(Role::Client, config, rng)
    }

    /// A connection in the [`State::Open`] state.
    ///
    /// For [`Role::Client`], `rng` must be a strong random source: every
    /// frame's masking key is drawn from it (RFC 6455 §5.3).
    ///
    /// # Examples
    ///
    /// ```
    /// use wsframe::{Config, Connection, Role};
    ///
    /// let rng = |buf: &mut [u8]| buf.fill(0x5a); // use the OS or a TRNG in real code
    /// let client = Connection::new(Role::Client, Config::default(), rng);
    /// assert_eq!(client.role(), Role::Client);
    /// ```
    pub const fn new(role: Role, config: Config, rng: R) -> Self {
        Self {
            role,
            state: State::Open,
            config,
            rx: Rx::Header(HeaderDecoder::new()),
            rx_msg: None,
            utf8: Utf8Validator::new(),
            tx_msg: None,
            rng,
        }
    }

    /// This connection's role.
    ///
    /// # Examples
    ///
    /// ```
    /// let conn = wsframe::Connection::server(Default::default());
    /// assert_eq!(conn.role(), wsframe::Role::Server);
    /// ```
    pub const fn role(&self) -> Role {
        self.role
    }

    /// The closing-handshake state.
    ///
    /// # Examples
    ///
    /// ```
    /// let conn = wsframe::Connection::server(Default::default());
    /// assert_eq!(conn.state(), wsframe::State::Open);
    /// ```
    pub const fn state(&self) -> State {
        self.state
    }

    /// The limits in force.
    ///
    /// # Examples
    ///
    /// ```
    /// let conn = wsframe::Connection::server(Default::default());
    /// assert_eq!(conn.config().max_message_size, 16 << 20);
    /// ```
    pub const fn config(&self) -> &Config {
        &self.config
    }

    /// Whether a received message is partly delivered (more chunks to come).
    ///
    /// # Examples
    ///
    /// ```
    /// let conn = wsframe::Connection::server(Default::default());
    /// assert!(!conn.is_receiving_message());
    /// ```
    pub const fn is_receiving_message(&self) -> bool {
        self.rx_msg.is_some()
    }

    /// Whether a fragmented message is being sent: its final frame has not
    /// been written yet, so only continuations of it and control frames may go
    /// out (RFC 6455 §5.4).
    ///
    /// # Examples
    ///
    /// ```
    /// use wsframe::DataKind;
    ///
    /// let mut conn = wsframe::Connection::server(Default::default());
    /// let mut out = [0u8; 16];
    /// conn.send_frame(DataKind::Text, b"a", false, &mut out).unwrap();
    /// assert!(conn.is_sending_message());
    /// conn.send_frame(DataKind::Text, b"b", true, &mut out).unwrap();
    /// assert!(!conn.is_sending_message());
    /// ```
    pub const fn is_sending_message(&self) -> bool {
        self.tx_msg.is_some()
    }

    /// Whether a new data message may be sent now: `Ok` unless a Close was
    /// sent or the connection failed ([`Error::Closed`]) or a fragmented
    /// message is still being sent ([`Error::MessageInProgress`]). Stateful
    /// encoders (permessage-deflate with context takeover) ask before they
    /// commit to a message.
    ///
    /// # Errors
    ///
    /// As described.
    ///
    /// # Examples
    ///
    /// ```
    /// use wsframe::{DataKind, Error};
    ///
    /// let mut conn = wsframe::Connection::server(Default::default());
    /// assert_eq!(conn.can_start_message(), Ok(()));
    /// conn.send_frame(DataKind::Binary, b"a", false, &mut [0u8; 8]).unwrap();
    /// assert_eq!(conn.can_start_message(), Err(Error::MessageInProgress));
    /// ```
    pub const fn can_start_message(&self) -> Result<(), Error> {
        if !matches!(self.state, State::Open | State::CloseReceived) {
            return Err(Error::Closed);
        }
        if self.tx_msg.is_some() {
            return Err(Error::MessageInProgress);
        }
        Ok(())
    }

    /// Decodes bytes the caller read from the peer into at most one event.
    ///
    /// Payloads are unmasked in place and the event borrows them from
    /// `input`. Any split of the byte stream, down to one byte per call,
    /// yields the same events. A data frame's payload is delivered in chunks
    /// of whatever is in `input`, so a small buffer can receive a large
    /// message; a control frame is delivered whole, so `input` must be able
    /// to hold 125 bytes of payload plus its header.
    ///
    /// Call it again on `input[consumed..]` while it returns an event; when it
    /// returns `event: None`, keep `input[consumed..]` and read more.
    ///
    /// After the peer's Close has been received (and in the `Closed` and
    /// `Failed` states) input is discarded: it is all consumed, no event.
    ///
    /// # Errors
    ///
    /// [`Error::Protocol`] when the peer broke RFC 6455 (reserved bits or
    /// opcodes, mask direction, fragmentation, UTF-8, close codes, limits).
    /// The connection is then [`State::Failed`]: send a Close with
    /// [`Error::close_code`] and close the TCP connection (§7.1.7). If our
    /// Close had already been sent, the state is [`State::Closed`] instead
    /// and no second Close may be sent.
    ///
    /// # Examples
    ///
    /// ```
    /// use wsframe::{Config, Connection, Event};
    ///
    /// let mut conn = Connection::server(Config::default());
    /// // The masked "Hello" of RFC 6455 §5.7, arriving in two reads.
    /// let frame = [0x81, 0x85, 0x37, 0xfa, 0x21, 0x3d, 0x7f, 0x9f, 0x4d, 0x51, 0x58];
    /// let mut first = frame[..8].to_vec();
    /// let r = conn.receive(&mut first).unwrap();
    /// assert_eq!(r.event, Some(Event::Text { data: b"He", last: false }));
    /// let mut rest = frame[8..].to_vec();
    /// let r = conn.receive(&mut rest).unwrap();
    /// assert_eq!(r.event, Some(Event::Text { data: b"llo", last: true }));
    /// ```
    pub fn receive<'a>(&mut self, input: &'a mut [u8]) -> Result<Received<'a>, Error> {
        let (consumed, raw) = self.receive_raw(input)?;
        let input: &'a [u8] = input;
        let at = |range: Range<usize>| input.get(range).unwrap_or_default();
        let event = raw.map(|raw| match raw {
            RawEvent::Data { kind, range, last, compressed: true, .. } => {
                Event::Compressed { kind, data: at(range), last }
            }
            RawEvent::Data { kind: DataKind::Text, range, last, .. } => {
                Event::Text { data: at(range), last }
            }
            RawEvent::Data { kind: DataKind::Binary, range, last, .. } => {
                Event::Binary { data: at(range), last }
            }
            RawEvent::Ping(range) => Event::Ping(at(range)),
            RawEvent::Pong(range) => Event::Pong(at(range)),
            RawEvent::Close(close) => Event::Close(close.map(|(code, range)| {
                // The reason was validated as UTF-8 when the frame was parsed.
                CloseFrame { code, reason: core::str::from_utf8(at(range)).unwrap_or_default() }
            })),
        });
        Ok(Received { consumed, event })
    }

    /// [`Connection::receive`] with payloads as ranges of `input`
    /// ([`RawEvent`]), so a layer above can keep working on the rest of the
    /// input before it borrows: the same checks, the same unmasking in place,
    /// the same `(bytes consumed, event)`.
    ///
    /// # Errors
    ///
    /// As [`Connection::receive`].
    ///
    /// # Examples
    ///
    /// ```
    /// use wsframe::{Config, Connection, DataKind, RawEvent};
    ///
    /// let mut conn = Connection::server(Config::default());
    /// // Two masked binary frames back to back.
    /// let mut input = [0x82, 0x81, 7, 0, 0, 0, 0x75, 0x82, 0x81, 0, 0, 0, 0, 0x42];
    /// let mut at = 0;
    /// let mut got = Vec::new();
    /// while let (n, Some(RawEvent::Data { kind: DataKind::Binary, range, .. })) =
    ///     conn.receive_raw(&mut input[at..])?
    /// {
    ///     got.push(input[at + range.start]);
    ///     at += n;
    /// }
    /// assert_eq!(got, [0x72, 0x42]);
    /// # Ok::<(), wsframe::Error>(())
    /// ```
    pub fn receive_raw(&mut self, input: &mut [u8]) -> Result<(usize, Option<RawEvent>), Error> {
        // The compact targets leave the fast paths out (crate::COMPACT): the
        // general path decodes and judges the same bytes the same way.
        if !crate::COMPACT {
            if let Some(small) = self.small_message(input) {
                return small;
            }
        }
        if !matches!(self.state, State::Open | State::CloseSent) {
            return Ok((input.len(), None));
        }
        let step = match self.step(input) {
            Ok(step) => step,
            Err(e) => return Err(self.fail(e)),
        };
        let (consumed, event) = match step {
            Step::NeedMore(consumed) => (consumed, None),
            Step::Data { consumed, range, kind, last, compressed, frame_rest } => {
                (consumed, Some(RawEvent::Data { kind, range, last, compressed, frame_rest }))
            }
            Step::Control { consumed, range, opcode: OpCode::Ping } => {
                (consumed, Some(RawEvent::Ping(range)))
            }
            Step::Control { consumed, range, opcode: OpCode::Pong } => {
                (consumed, Some(RawEvent::Pong(range)))
            }
            Step::Control { consumed, range, .. } => {
                let data = input.get(range.clone()).unwrap_or_default();
                let close = match close::parse_close_payload(data) {
                    // The reason's place in `input`: after the two code bytes.
                    Ok(frame) => frame.map(|(code, _)| (code, range.start + 2..range.end)),
                    Err(e) => return Err(self.fail(e)),
                };
                self.state = match self.state {
                    State::CloseSent => State::Closed,
                    _ => State::CloseReceived,
                };
                (consumed, Some(RawEvent::Close(close)))
            }
        };
        Ok((consumed, event))
    }

    /// Bytes the connection needs before it can go on, when that is known
    /// and not payload of a data frame: between frames, the rest of the next
    /// header (the first two bytes, then the rest they announce); in a
    /// control frame, its payload (delivered whole). Else 0.
    #[cfg(feature = "alloc")]
    pub(crate) fn wanted(&self) -> usize {
        match &self.rx {
            Rx::Header(h) => h.wanted(),
            Rx::Payload(p) if p.opcode.is_control() => p.remaining as usize,
            Rx::Payload(_) => 0,
        }
    }

    /// The mean payload of the frames of the data message being received,
    /// so far (0 between messages).
    #[cfg(feature = "alloc")]
    pub(crate) fn mean_fragment(&self) -> u64 {
        self.rx_msg.as_ref().map_or(0, |m| m.size / u64::from(m.fragments.max(1)))
    }

    /// Payload bytes of the current data frame still to come when the
    /// connection is inside one (its header decoded) of an uncompressed
    /// message, else 0: the next that many bytes of input are that payload
    /// and nothing else.
    #[cfg(feature = "alloc")]
    pub(crate) fn data_payload_ahead(&self) -> u64 {
        match (&self.rx, &self.rx_msg, self.state) {
            (Rx::Payload(p), Some(m), State::Open | State::CloseSent)
                if !p.opcode.is_control() && !m.compressed =>
            {
                p.remaining
            }
            _ => 0,
        }
    }

    /// The fast path of [`Connection::receive`] for the commonest frame: a
    /// whole unfragmented, uncompressed text or binary message with a 7-bit
    /// length, its header and payload all in `input`, between messages. Its
    /// checks are those `begin_frame` makes for such a header (the others
    /// cannot fail for it): FIN, no RSV bit, a data opcode, the mask bit this
    /// role expects, within both limits. `None` for anything else, which the
    /// general path then decodes (and judges) from the same bytes.
    #[inline]
    fn small_message(
        &mut self,
        input: &mut [u8],
    ) -> Option<Result<(usize, Option<RawEvent>), Error>> {
        let [b0, b1, ..] = *input else { return None };
        let masked = self.role == Role::Server;
        let len = b1 & 0x7F;
        let kind = match b0 {
            0x81 => DataKind::Text,
            0x82 => DataKind::Binary,
            _ => return None,
        };
        let between_messages =
            matches!(&self.rx, Rx::Header(d) if d.is_idle()) && self.rx_msg.is_none();
        if (b1 & 0x80 != 0) != masked
            || len > 125
            || !between_messages
            || !matches!(self.state, State::Open | State::CloseSent)
            || u64::from(len) > self.config.max_frame_payload.min(self.config.max_message_size)
        {
            return None;
        }
        let start = if masked { 6 } else { 2 };
        let end = start + usize::from(len);
        let (head, payload) = input.get_mut(..end)?.split_at_mut(start);
        if let [_, _, k0, k1, k2, k3] = *head {
            mask::apply_mask(payload, [k0, k1, k2, k3], 0);
        }
        if kind == DataKind::Text && self.whole_text(payload).is_err() {
            return Some(Err(self.fail(ProtocolError::InvalidUtf8)));
        }
        let range = start..end;
        Some(Ok((
            end,
            Some(RawEvent::Data { kind, range, last: true, compressed: false, frame_rest: 0 }),
        )))
    }

    /// Fails the connection for a violation found outside [`Connection::receive`]:
    /// by `extensions::deflate::Decompressor` (1009 bombs, 1007 bad UTF-8, 1002
    /// corrupt data) or by `message::MessageAssembler`. The state becomes
    /// [`State::Failed`] (or [`State::Closed`] if our Close was already sent),
    /// exactly as when `receive` finds a violation; send the Close that the
    /// returned error's [`Error::close_code`] names, then close TCP.
    ///
    /// # Examples
    ///
    /// ```
    /// use wsframe::{CloseCode, ProtocolError, State};
    ///
    /// let mut conn = wsframe::Connection::server(Default::default());
    /// let err = conn.fail(ProtocolError::MessageTooLarge);
    /// assert_eq!(conn.state(), State::Failed);
    /// let mut out = [0u8; 8];
    /// let n = conn.send_close(err.close_code(), "", &mut out).unwrap();
    /// assert_eq!(&out[..n], &[0x88, 0x02, 0x03, 0xf1]); // 1009
    /// assert!(conn.send_text("no", &mut out).is_err());
    /// ```
    pub fn fail(&mut self, error: ProtocolError) -> Error {
        // Our Close is already out: none may follow it (RFC 6455 §5.5.1), so
        // all that is left is closing the TCP connection.
        self.state = match self.state {
            State::CloseSent | State::Closed => State::Closed,
            _ => State::Failed,
        };
        Error::Protocol(error)
    }

    /// Runs the receive state machine on indices, unmasking and validating in
    /// place, until there is an event or the input runs out.
    fn step(&mut self, input: &mut [u8]) -> Result<Step, ProtocolError> {
        let mut pos = 0usize;
        loop {
            let rest = input.get_mut(pos..).unwrap_or_default();
            match &mut self.rx {
                Rx::Header(dec) => {
                    let (n, header) = dec.decode(rest)?;
                    pos += n;
                    let Some(header) = header else {
                        return Ok(Step::NeedMore(pos));
                    };
                    self.begin_frame(&header)?;
                    if !crate::COMPACT {
                        if let Some(step) = self.whole_payload(input, pos, &header)? {
                            return Ok(step);
                        }
                    }
                    self.rx = Rx::Payload(Payload {
                        opcode: header.opcode,
                        fin: header.fin,
                        mask: header.mask,
                        remaining: header.payload_len,
                        phase: 0,
                    });
                }
                Rx::Payload(p) if p.opcode.is_control() => {
                    // Control frames are at most 125 bytes: deliver them whole.
                    let len = p.remaining as usize;
                    let Some(payload) = rest.get_mut(..len) else {
                        return Ok(Step::NeedMore(pos));
                    };
                    if let Some(key) = p.mask {
                        mask::apply_mask(payload, key, 0);
                    }
                    let opcode = p.opcode;
                    self.rx = Rx::Header(HeaderDecoder::new());
                    return Ok(Step::Control {
                        consumed: pos + len,
                        range: pos..pos + len,
                        opcode,
                    });
                }
                Rx::Payload(p) => {
                    let take = p.remaining.min(rest.len() as u64) as usize;
                    let frame_done = take as u64 == p.remaining;
                    if take == 0 && !frame_done {
                        return Ok(Step::NeedMore(pos));
                    }
                    let chunk = rest.get_mut(..take).unwrap_or_default();
                    if let Some(key) = p.mask {
                        mask::apply_mask(chunk, key, usize::from(p.phase));
                    }
                    p.phase = ((usize::from(p.phase) + take) % 4) as u8;
                    p.remaining -= take as u64;
                    let frame_rest = p.remaining;
                    let last = frame_done && p.fin;
                    let msg = self.accept_chunk(chunk, last, false)?;
                    if frame_done {
                        self.rx = Rx::Header(HeaderDecoder::new());
                    }
                    let range = pos..pos + take;
                    pos += take;
                    if take == 0 && !last {
                        continue; // an empty non-final fragment carries nothing to report
                    }
                    return Ok(Step::Data {
                        consumed: pos,
                        range,
                        kind: msg.kind,
                        last,
                        compressed: msg.compressed,
                        frame_rest,
                    });
                }
            }
        }
    }

    /// The frame whose header ends at `pos` has its whole payload in `input`
    /// (the usual case for small frames): unmask, validate and deliver it in
    /// one step, without going through the payload state. `None` when part of
    /// the payload is still to come, or for an empty non-final fragment (which
    /// reports nothing): the payload state takes those.
    #[inline]
    fn whole_payload(
        &mut self,
        input: &mut [u8],
        pos: usize,
        h: &FrameHeader,
    ) -> Result<Option<Step>, ProtocolError> {
        let end = usize::try_from(h.payload_len).ok().and_then(|len| pos.checked_add(len));
        let Some(payload) = end.and_then(|end| input.get_mut(pos..end)) else {
            return Ok(None);
        };
        let (end, control) = (pos + payload.len(), h.opcode.is_control());
        if payload.is_empty() && !h.fin && !control {
            return Ok(None);
        }
        if let Some(key) = h.mask {
            mask::apply_mask(payload, key, 0);
        }
        if control {
            return Ok(Some(Step::Control { consumed: end, range: pos..end, opcode: h.opcode }));
        }
        let msg = self.accept_chunk(payload, h.fin, true)?;
        Ok(Some(Step::Data {
            consumed: end,
            range: pos..end,
            kind: msg.kind,
            last: h.fin,
            compressed: msg.compressed,
            frame_rest: 0,
        }))
    }

    /// Checks a whole text message in one call, unless the layer above
    /// checks it itself as it makes the `&str` ([`Config`]'s
    /// `text_checked_above`, set by the Session).
    #[inline]
    fn whole_text(&self, text: &[u8]) -> Result<(), Utf8Error> {
        if self.config.text_checked_above { Ok(()) } else { utf8::validate(text) }
    }

    /// Takes a data chunk of the message being received: checks its UTF-8
    /// (text, uncompressed) and ends the message after its `last` chunk.
    /// `whole_frame`: the chunk is a whole frame, so with `last` on a message's
    /// first frame it is the entire message, checked in one call (the
    /// validator is fresh: `begin_frame` reset it); other chunks stream
    /// through the validator.
    #[inline]
    fn accept_chunk(
        &mut self,
        chunk: &[u8],
        last: bool,
        whole_frame: bool,
    ) -> Result<RxMessage, ProtocolError> {
        let Some(msg) = self.rx_msg else {
            return Err(ProtocolError::UnexpectedContinuation);
        };
        if msg.kind == DataKind::Text && !msg.compressed {
            let valid = if whole_frame && last && msg.fragments == 1 {
                self.whole_text(chunk)
            } else {
                self.utf8.feed(chunk).and_then(|()| if last { self.utf8.finish() } else { Ok(()) })
            };
            valid.map_err(|_| ProtocolError::InvalidUtf8)?;
        }
        if last {
            self.rx_msg = None;
        }
        Ok(msg)
    }

    /// Checks a complete header against the connection's state and limits.
    fn begin_frame(&mut self, h: &FrameHeader) -> Result<(), ProtocolError> {
        let rsv1 = h.rsv & RSV1 != 0;
        if h.rsv & !RSV1 != 0 || (rsv1 && !self.config.compression) {
            return Err(ProtocolError::ReservedBits);
        }
        // RFC 7692 §6.1: RSV1 only on the first frame of a data message.
        if rsv1 && (h.opcode == OpCode::Continuation || h.opcode.is_control()) {
            return Err(ProtocolError::InvalidCompressedFrame);
        }
        match (self.role, h.mask.is_some()) {
            (Role::Server, false) => return Err(ProtocolError::UnmaskedFrame),
            (Role::Client, true) => return Err(ProtocolError::MaskedFrame),
            _ => {}
        }
        if h.payload_len > self.config.max_frame_payload {
            return Err(ProtocolError::FrameTooLarge);
        }
        let kind = match h.opcode {
            OpCode::Continuation => {
                let msg = self.rx_msg.as_mut().ok_or(ProtocolError::UnexpectedContinuation)?;
                msg.fragments = msg.fragments.saturating_add(1);
                msg.size = msg.size.saturating_add(h.payload_len);
                if msg.fragments > self.config.max_fragments {
                    return Err(ProtocolError::TooManyFragments);
                }
                if msg.size > self.config.max_message_size {
                    return Err(ProtocolError::MessageTooLarge);
                }
                return Ok(());
            }
            OpCode::Text => DataKind::Text,
            OpCode::Binary => DataKind::Binary,
            OpCode::Close | OpCode::Ping | OpCode::Pong => return Ok(()),
        };
        if self.rx_msg.is_some() {
            return Err(ProtocolError::ExpectedContinuation);
        }
        if h.payload_len > self.config.max_message_size {
            return Err(ProtocolError::MessageTooLarge);
        }
        self.rx_msg = Some(RxMessage { kind, size: h.payload_len, fragments: 1, compressed: rsv1 });
        self.utf8.reset();
        Ok(())
    }

    /// Writes a whole text message as one frame.
    ///
    /// # Errors
    ///
    /// [`Error::InsufficientSize`] if `out` is too small (nothing is
    /// written; [`crate::frame::max_frame_len`] is always enough),
    /// [`Error::MessageInProgress`] while a fragmented message is being sent,
    /// [`Error::Closed`] after a Close was sent or the connection failed.
    ///
    /// # Examples
    ///
    /// ```
    /// let mut conn = wsframe::Connection::server(Default::default());
    /// let mut out = [0u8; 16];
    /// let n = conn.send_text("hi", &mut out).unwrap();
    /// assert_eq!(&out[..n], b"\x81\x02hi");
    /// ```
    pub fn send_text(&mut self, text: &str, out: &mut [u8]) -> Result<usize, Error> {
        self.send_message(DataKind::Text, text.as_bytes(), out)
    }

    /// Writes a whole binary message as one frame.
    ///
    /// # Errors
    ///
    /// As for [`Connection::send_text`].
    ///
    /// # Examples
    ///
    /// ```
    /// let mut conn = wsframe::Connection::server(Default::default());
    /// let mut out = [0u8; 16];
    /// let n = conn.send_binary(&[1, 2], &mut out).unwrap();
    /// assert_eq!(&out[..n], &[0x82, 0x02, 1, 2]);
    /// ```
    pub fn send_binary(&mut self, data: &[u8], out: &mut [u8]) -> Result<usize, Error> {
        self.send_message(DataKind::Binary, data, out)
    }

    fn send_message(
        &mut self,
        kind: DataKind,
        data: &[u8],
        out: &mut [u8],
    ) -> Result<usize, Error> {
        if self.tx_msg.is_some() {
            return Err(Error::MessageInProgress);
        }
        self.send_frame(kind, data, true, out)
    }

    /// Writes one frame of a possibly fragmented message (RFC 6455 §5.4).
    ///
    /// The first frame of a message carries its type; later ones go out as
    /// continuations until one with `fin` set ends the message. Control
    /// frames may be sent between fragments. For text, each fragment should
    /// be whole characters or the peer may see an incomplete sequence only at
    /// the end; the message as a whole must be UTF-8.
    ///
    /// # Errors
    ///
    /// [`Error::MessageInProgress`] if `kind` differs from the message being
    /// sent; otherwise as for [`Connection::send_text`].
    ///
    /// # Examples
    ///
    /// ```
    /// use wsframe::DataKind;
    ///
    /// let mut conn = wsframe::Connection::server(Default::default());
    /// let mut out = [0u8; 32];
    /// let a = conn.send_frame(DataKind::Text, b"Hel", false, &mut out).unwrap();
    /// let b = conn.send_frame(DataKind::Text, b"lo", true, &mut out[a..]).unwrap();
    /// // RFC 6455 §5.7: a fragmented unmasked text message.
    /// assert_eq!(&out[..a + b], &[0x01, 0x03, 0x48, 0x65, 0x6c, 0x80, 0x02, 0x6c, 0x6f]);
    /// ```
    pub fn send_frame(
        &mut self,
        kind: DataKind,
        data: &[u8],
        fin: bool,
        out: &mut [u8],
    ) -> Result<usize, Error> {
        let opcode = self.data_opcode(kind)?;
        let n = self.write_frame(opcode, 0, fin, data, out)?;
        self.tx_msg = if fin { None } else { Some(kind) };
        Ok(n)
    }

    /// Like [`Connection::send_frame`] for a message whose payload was
    /// compressed (permessage-deflate, RFC 7692): the message's first frame
    /// carries RSV1, continuations do not (§6.1). `data` is the output of
    /// `extensions::deflate::Compressor::compress`, or a piece of it.
    ///
    /// # Errors
    ///
    /// [`Error::CompressionNotNegotiated`] unless [`Config::compression`] is
    /// on; otherwise as for [`Connection::send_frame`].
    ///
    /// # Examples
    ///
    /// ```
    /// use wsframe::{Config, Connection, DataKind};
    ///
    /// let mut conn = Connection::server(Config::default().with_compression(true));
    /// let mut out = [0u8; 16];
    /// // RFC 7692 §7.2.3.1: "Hello" compressed.
    /// let deflated = [0xf2, 0x48, 0xcd, 0xc9, 0xc9, 0x07, 0x00];
    /// let n = conn.send_compressed_frame(DataKind::Text, &deflated, true, &mut out).unwrap();
    /// assert_eq!(&out[..n], &[0xc1, 0x07, 0xf2, 0x48, 0xcd, 0xc9, 0xc9, 0x07, 0x00]);
    /// ```
    pub fn send_compressed_frame(
        &mut self,
        kind: DataKind,
        data: &[u8],
        fin: bool,
        out: &mut [u8],
    ) -> Result<usize, Error> {
        if !self.config.compression {
            return Err(Error::CompressionNotNegotiated);
        }
        let opcode = self.data_opcode(kind)?;
        let rsv = if opcode == OpCode::Continuation { 0 } else { RSV1 };
        let n = self.write_frame(opcode, rsv, fin, data, out)?;
        self.tx_msg = if fin { None } else { Some(kind) };
        Ok(n)
    }

    /// Zero-copy variant of [`Connection::send_frame`]: writes only the
    /// header into `header_out` and masks `payload` in place (clients), so the
    /// caller can write header and payload with one vectored write.
    ///
    /// Returns the header length.
    ///
    /// # Errors
    ///
    /// As for [`Connection::send_frame`]; `InsufficientSize` refers to
    /// `header_out` (14 bytes always suffice).
    ///
    /// # Examples
    ///
    /// ```
    /// use wsframe::{frame::MAX_HEADER_LEN, DataKind};
    ///
    /// let mut conn = wsframe::Connection::server(Default::default());
    /// let mut payload = *b"big payload";
    /// let mut header = [0u8; MAX_HEADER_LEN];
    /// let n = conn.send_frame_in_place(DataKind::Binary, &mut payload, true, &mut header).unwrap();
    /// assert_eq!(&header[..n], &[0x82, 11]);
    /// ```
    pub fn send_frame_in_place(
        &mut self,
        kind: DataKind,
        payload: &mut [u8],
        fin: bool,
        header_out: &mut [u8],
    ) -> Result<usize, Error> {
        let (n, mask) = self.write_data_header(kind, payload.len() as u64, fin, header_out)?;
        if let Some(key) = mask {
            mask::apply_mask(payload, key, 0);
        }
        Ok(n)
    }

    /// The header of an uncompressed data frame of `len` payload bytes, in
    /// `header_out`: its length, and the masking key the payload takes (a
    /// client's, RFC 6455 §5.3).
    pub(crate) fn write_data_header(
        &mut self,
        kind: DataKind,
        len: u64,
        fin: bool,
        header_out: &mut [u8],
    ) -> Result<(usize, Option<[u8; 4]>), Error> {
        let opcode = self.data_opcode(kind)?;
        let required = header_len(len, self.role == Role::Client);
        if header_out.len() < required {
            return Err(Error::InsufficientSize { required });
        }
        let mask = self.draw_mask()?;
        let head = header_out.get_mut(..required).unwrap_or_default();
        if crate::COMPACT || !short_header(head, (u8::from(fin) << 7) | opcode as u8, mask, len) {
            FrameHeader { fin, rsv: 0, opcode, mask, payload_len: len }.encode(header_out)?;
        }
        self.tx_msg = if fin { None } else { Some(kind) };
        Ok((required, mask))
    }

    /// Writes a Ping (RFC 6455 §5.5.2) with up to 125 bytes of payload.
    ///
    /// # Errors
    ///
    /// [`Error::ControlPayloadTooLarge`] over 125 bytes, [`Error::Closed`]
    /// after a Close was sent, [`Error::InsufficientSize`].
    ///
    /// # Examples
    ///
    /// ```
    /// let mut conn = wsframe::Connection::server(Default::default());
    /// let mut out = [0u8; 16];
    /// let n = conn.send_ping(b"Hello", &mut out).unwrap();
    /// // RFC 6455 §5.7: an unmasked Ping with "Hello".
    /// assert_eq!(&out[..n], &[0x89, 0x05, 0x48, 0x65, 0x6c, 0x6c, 0x6f]);
    /// ```
    pub fn send_ping(&mut self, payload: &[u8], out: &mut [u8]) -> Result<usize, Error> {
        self.send_control(OpCode::Ping, payload, out)
    }

    /// Writes a Pong (RFC 6455 §5.5.3); to answer a Ping, pass its payload.
    ///
    /// # Errors
    ///
    /// As for [`Connection::send_ping`].
    ///
    /// # Examples
    ///
    /// ```
    /// let mut conn = wsframe::Connection::server(Default::default());
    /// let mut out = [0u8; 16];
    /// let n = conn.send_pong(b"", &mut out).unwrap();
    /// assert_eq!(&out[..n], &[0x8a, 0x00]);
    /// ```
    pub fn send_pong(&mut self, payload: &[u8], out: &mut [u8]) -> Result<usize, Error> {
        self.send_control(OpCode::Pong, payload, out)
    }

    fn send_control(
        &mut self,
        opcode: OpCode,
        payload: &[u8],
        out: &mut [u8],
    ) -> Result<usize, Error> {
        if !matches!(self.state, State::Open | State::CloseReceived) {
            return Err(Error::Closed);
        }
        if payload.len() > MAX_CONTROL_PAYLOAD {
            return Err(Error::ControlPayloadTooLarge);
        }
        self.write_frame(opcode, 0, true, payload, out)
    }

    /// Writes a Close frame (RFC 6455 §5.5.1) and moves the closing handshake on.
    ///
    /// From `Open` the state becomes `CloseSent` (wait for the peer's Close);
    /// from `CloseReceived` or `Failed` it becomes `Closed`. `code` `None`
    /// sends an empty body; answering a peer's Close, echo its code.
    ///
    /// # Errors
    ///
    /// [`Error::InvalidCloseCode`] for codes that must not be sent,
    /// [`Error::ReasonWithoutCode`], [`Error::ControlPayloadTooLarge`] for a
    /// reason over 123 bytes, [`Error::Closed`] if a Close was already sent,
    /// [`Error::InsufficientSize`].
    ///
    /// # Examples
    ///
    /// ```
    /// use wsframe::{CloseCode, State};
    ///
    /// let mut conn = wsframe::Connection::server(Default::default());
    /// let mut out = [0u8; 32];
    /// let n = conn.send_close(Some(CloseCode::NORMAL), "bye", &mut out).unwrap();
    /// assert_eq!(&out[..n], b"\x88\x05\x03\xe8bye");
    /// assert_eq!(conn.state(), State::CloseSent);
    /// ```
    pub fn send_close(
        &mut self,
        code: Option<CloseCode>,
        reason: &str,
        out: &mut [u8],
    ) -> Result<usize, Error> {
        if !matches!(self.state, State::Open | State::CloseReceived | State::Failed) {
            return Err(Error::Closed);
        }
        let mut body = [0u8; MAX_CLOSE_PAYLOAD];
        let len = close::encode_close_payload(code, reason, &mut body)?;
        let n =
            self.write_frame(OpCode::Close, 0, true, body.get(..len).unwrap_or_default(), out)?;
        self.state = match self.state {
            State::Open => State::CloseSent,
            _ => State::Closed,
        };
        Ok(n)
    }

    /// The opcode for the next data frame of `kind`, checking state and interleaving.
    fn data_opcode(&self, kind: DataKind) -> Result<OpCode, Error> {
        if !matches!(self.state, State::Open | State::CloseReceived) {
            return Err(Error::Closed);
        }
        match self.tx_msg {
            None => Ok(kind.opcode()),
            Some(k) if k == kind => Ok(OpCode::Continuation),
            Some(_) => Err(Error::MessageInProgress),
        }
    }

    /// A fresh masking key for a client (RFC 6455 §5.3), none for a server.
    fn draw_mask(&mut self) -> Result<Option<[u8; 4]>, Error> {
        if self.role == Role::Server {
            return Ok(None);
        }
        let mut key = [0u8; 4];
        self.rng.fill(&mut key).map_err(|_| Error::RandomFailed)?;
        Ok(Some(key))
    }

    /// Writes header and (masked) payload; checks the size before drawing a key.
    fn write_frame(
        &mut self,
        opcode: OpCode,
        rsv: u8,
        fin: bool,
        payload: &[u8],
        out: &mut [u8],
    ) -> Result<usize, Error> {
        let len = payload.len();
        let hlen = header_len(len as u64, self.role == Role::Client);
        let required =
            hlen.checked_add(len).ok_or(Error::InsufficientSize { required: usize::MAX })?;
        let Some(out) = out.get_mut(..required) else {
            return Err(Error::InsufficientSize { required });
        };
        let mask = self.draw_mask()?;
        let (head, body) = out.split_at_mut(hlen);
        let b0 = (u8::from(fin) << 7) | ((rsv & 0b111) << 4) | opcode as u8;
        if crate::COMPACT {
            frame::write_header(head, b0, mask, len);
        } else if !short_header(head, b0, mask, len as u64) {
            FrameHeader { fin, rsv, opcode, mask, payload_len: len as u64 }.encode(head)?;
        }
        put_payload(body, payload, mask);
        Ok(required)
    }
}

/// A frame's payload written after its header: copied, and masked with a
/// client's `key` (RFC 6455 §5.3). `body` and `payload` have equal lengths.
#[inline(always)]
fn put_payload(body: &mut [u8], payload: &[u8], mask: Option<[u8; 4]>) {
    match mask {
        // Copy, then mask in place: no second masking loop (crate::COMPACT).
        Some(key) if crate::COMPACT => {
            copy_payload(body, payload);
            mask::apply_mask(body, key, 0);
        }
        Some(key) => mask::copy_masked(body, payload, key),
        None => copy_payload(body, payload),
    }
}

/// The header of a frame of up to 125 payload bytes (the 7-bit length of RFC
/// 6455 §5.2), stored straight into `head`, which is exactly its length (2
/// bytes, or 6 with a masking key): false, nothing written, for any longer
/// frame, which takes [`FrameHeader::encode`]'s general path.
#[inline(always)]
fn short_header(head: &mut [u8], b0: u8, mask: Option<[u8; 4]>, len: u64) -> bool {
    match (mask, head) {
        (None, [h0, h1]) => (*h0, *h1) = (b0, len as u8),
        (Some(key), [h0, h1, k0, k1, k2, k3]) => {
            (*h0, *h1) = (b0, 0x80 | len as u8);
            [*k0, *k1, *k2, *k3] = key;
        }
        _ => return false,
    }
    true
}

/// `dst.copy_from_slice(src)` for slices of equal length, without a call into
/// `memcpy` for payloads of up to 32 bytes (the common small message): two
/// overlapping fixed-size copies cover any length in a size class.
#[inline(always)]
fn copy_payload(dst: &mut [u8], src: &[u8]) {
    let n = src.len().min(dst.len());
    // One call into `memcpy` is the least code (crate::COMPACT).
    if crate::COMPACT {
        if let (Some(d), Some(s)) = (dst.get_mut(..n), src.get(..n)) {
            d.copy_from_slice(s);
        }
        return;
    }
    match n {
        0..=3 => dst.iter_mut().zip(src).for_each(|(d, s)| *d = *s),
        4..=7 => copy_pair::<4>(dst, src, n),
        8..=15 => copy_pair::<8>(dst, src, n),
        16..=32 => copy_pair::<16>(dst, src, n),
        _ => {
            if let (Some(d), Some(s)) = (dst.get_mut(..n), src.get(..n)) {
                d.copy_from_slice(s);
            }
        }
    }
}

/// Copies the first and the last `N` of `n` bytes (`N <= n <= 2 * N`).
#[inline(always)]
fn copy_pair<const N: usize>(dst: &mut [u8], src: &[u8], n: usize) {
    for at in [0, n.saturating_sub(N)] {
        let d = dst.get_mut(at..at + N).and_then(|d| <&mut [u8; N]>::try_from(d).ok());
        let s = src.get(at..at + N).and_then(|s| <&[u8; N]>::try_from(s).ok());
        if let (Some(d), Some(s)) = (d, s) {
            *d = *s;
        }
    }
}
