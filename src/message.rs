//! Bounded reassembly of streamed chunks into whole messages (`alloc` feature).
//!
//! [`crate::Connection`] streams data as chunks so that it never allocates.
//! Applications that want whole messages feed those chunks to a
//! [`MessageAssembler`], whose buffer is reused from message to message and
//! never grows past its limit (an unbounded reassembly buffer is how a peer
//! exhausts a server's memory).

use alloc::vec::Vec;

use crate::conn::{DataKind, Event};
use crate::error::{Error, ProtocolError};

/// Collects the chunks of one message at a time, up to a size limit.
///
/// # Examples
///
/// ```
/// use wsframe::message::MessageAssembler;
/// use wsframe::DataKind;
///
/// let mut asm = MessageAssembler::new(1024);
/// assert_eq!(asm.push(DataKind::Text, b"Hel", false).unwrap(), None);
/// let (kind, data) = asm.push(DataKind::Text, b"lo", true).unwrap().unwrap();
/// assert_eq!((kind, data), (DataKind::Text, &b"Hello"[..]));
/// ```
#[derive(Debug, Clone, Default)]
pub struct MessageAssembler {
    /// `buf[..len]` is held. `buf` keeps its length (its high-water mark)
    /// from message to message, so bytes are written over bytes initialised
    /// before instead of zero-filling room again (slots).
    buf: Vec<u8>,
    len: usize,
    max: usize,
    complete: bool,
    /// A message has started and not ended.
    open: bool,
}

impl MessageAssembler {
    /// An assembler that accepts messages up to `max_message_size` bytes.
    ///
    /// # Examples
    ///
    /// ```
    /// let asm = wsframe::message::MessageAssembler::new(16 << 20);
    /// assert_eq!(asm.max_message_size(), 16 << 20);
    /// ```
    pub const fn new(max_message_size: usize) -> Self {
        Self { buf: Vec::new(), len: 0, max: max_message_size, complete: false, open: false }
    }

    /// The size limit.
    ///
    /// # Examples
    ///
    /// ```
    /// assert_eq!(wsframe::message::MessageAssembler::new(10).max_message_size(), 10);
    /// ```
    pub const fn max_message_size(&self) -> usize {
        self.max
    }

    /// Adds a chunk; returns the whole message when `last` is set.
    ///
    /// The returned slice lives until the next call; the buffer is then
    /// reused. The connection has already checked the message's type and
    /// UTF-8; this only concatenates and bounds.
    ///
    /// # Errors
    ///
    /// [`ProtocolError::MessageTooLarge`] (close code 1009) once the message
    /// would exceed the limit; the partial message is dropped.
    ///
    /// # Examples
    ///
    /// ```
    /// use wsframe::{message::MessageAssembler, DataKind, Error, ProtocolError};
    ///
    /// let mut asm = MessageAssembler::new(4);
    /// assert_eq!(
    ///     asm.push(DataKind::Binary, b"12345", true),
    ///     Err(Error::Protocol(ProtocolError::MessageTooLarge))
    /// );
    /// ```
    pub fn push(
        &mut self,
        kind: DataKind,
        data: &[u8],
        last: bool,
    ) -> Result<Option<(DataKind, &[u8])>, Error> {
        self.push_frame(kind, data, last, 0)
    }

    /// [`MessageAssembler::push`] with a hint: `frame_rest` more bytes of the
    /// current frame are known to follow, so room for them is made at once
    /// (within the limit) rather than regrown as they arrive.
    ///
    /// # Errors
    ///
    /// As for [`MessageAssembler::push`].
    ///
    /// # Examples
    ///
    /// ```
    /// use wsframe::{message::MessageAssembler, DataKind};
    ///
    /// let mut asm = MessageAssembler::new(1 << 20);
    /// assert_eq!(asm.push_frame(DataKind::Binary, &[1; 100], false, 900).unwrap(), None);
    /// assert!(asm.is_open());
    /// ```
    pub fn push_frame(
        &mut self,
        kind: DataKind,
        data: &[u8],
        last: bool,
        frame_rest: usize,
    ) -> Result<Option<(DataKind, &[u8])>, Error> {
        if self.complete {
            self.len = 0;
            self.complete = false;
        }
        let start = self.len;
        let len = start.saturating_add(data.len());
        if len > self.max {
            self.abandon();
            return Err(Error::Protocol(ProtocolError::MessageTooLarge));
        }
        if let Some(room) = self.buf.get_mut(start..len) {
            room.copy_from_slice(data);
        } else {
            self.buf.truncate(start);
            self.buf.reserve(data.len().saturating_add(frame_rest.min(self.max - len)));
            self.buf.extend_from_slice(data);
        }
        self.len = len;
        self.open = !last;
        if !last {
            return Ok(None);
        }
        self.complete = true;
        Ok(Some((kind, self.held())))
    }

    /// `n` bytes of room at the end of the open message (old bytes or zeros) for
    /// the caller to write its next `n` payload bytes into (see
    /// [`crate::session::Session::input_slot`]); `None` when no message is
    /// open or they would take it past the limit.
    pub(crate) fn slot(&mut self, n: usize) -> Option<&mut [u8]> {
        let start = self.len;
        if !self.open || n > self.max.saturating_sub(start) {
            return None;
        }
        // Zero-filled only where the buffer grows past its high-water mark.
        if self.buf.len() < start + n {
            self.buf.resize(start + n, 0);
        }
        self.len = start + n;
        self.buf.get_mut(start..start + n)
    }

    /// The last `n` bytes held, a slot being filled.
    pub(crate) fn tail_mut(&mut self, n: usize) -> &mut [u8] {
        let end = self.len;
        self.buf.get_mut(end.saturating_sub(n)..end).unwrap_or_default()
    }

    /// The bytes held.
    fn held(&self) -> &[u8] {
        self.buf.get(..self.len).unwrap_or_default()
    }

    /// The open message, its last slot written, is whole.
    pub(crate) fn complete(&mut self) {
        self.open = false;
        self.complete = true;
    }

    /// Drops the message being assembled (over the limit, or a violation in
    /// a slot's bytes).
    pub(crate) fn abandon(&mut self) {
        self.len = 0;
        self.open = false;
    }

    /// Whether a message has started and not ended.
    ///
    /// # Examples
    ///
    /// ```
    /// use wsframe::{message::MessageAssembler, DataKind};
    ///
    /// let mut asm = MessageAssembler::new(64);
    /// asm.push(DataKind::Text, b"a", false).unwrap();
    /// assert!(asm.is_open());
    /// asm.push(DataKind::Text, b"b", true).unwrap();
    /// assert!(!asm.is_open());
    /// ```
    pub const fn is_open(&self) -> bool {
        self.open
    }

    /// The last complete message (empty before the first, and while one is
    /// being assembled).
    ///
    /// # Examples
    ///
    /// ```
    /// use wsframe::{message::MessageAssembler, DataKind};
    ///
    /// let mut asm = MessageAssembler::new(64);
    /// asm.push(DataKind::Text, b"hi", true).unwrap();
    /// assert_eq!(asm.message(), b"hi");
    /// ```
    pub fn message(&self) -> &[u8] {
        if self.complete { self.held() } else { &[] }
    }

    /// Frees the buffer if it holds more than `keep` bytes of capacity and no
    /// message is being assembled, so an idle connection does not keep its
    /// largest message's memory.
    ///
    /// # Examples
    ///
    /// ```
    /// use wsframe::{message::MessageAssembler, DataKind};
    ///
    /// let mut asm = MessageAssembler::new(1 << 20);
    /// asm.push(DataKind::Binary, &[0; 4096], true).unwrap();
    /// asm.release(0);
    /// assert!(asm.is_empty());
    /// ```
    pub fn release(&mut self, keep: usize) {
        if !self.open && self.buf.capacity() > keep {
            self.buf = Vec::new();
            self.len = 0;
            self.complete = false;
        }
    }

    /// Feeds a Text or Binary [`Event`]; other events pass through as `None`.
    ///
    /// # Errors
    ///
    /// As for [`MessageAssembler::push`].
    ///
    /// # Examples
    ///
    /// ```
    /// use wsframe::{message::MessageAssembler, DataKind, Event};
    ///
    /// let mut asm = MessageAssembler::new(64);
    /// let ev = Event::Binary { data: &[1, 2, 3], last: true };
    /// assert_eq!(asm.push_event(&ev).unwrap(), Some((DataKind::Binary, &[1u8, 2, 3][..])));
    /// ```
    pub fn push_event(&mut self, event: &Event<'_>) -> Result<Option<(DataKind, &[u8])>, Error> {
        match *event {
            Event::Text { data, last } => self.push(DataKind::Text, data, last),
            Event::Binary { data, last } => self.push(DataKind::Binary, data, last),
            _ => Ok(None),
        }
    }

    /// Bytes held right now (a partial message, or the last complete one).
    ///
    /// # Examples
    ///
    /// ```
    /// use wsframe::{message::MessageAssembler, DataKind};
    ///
    /// let mut asm = MessageAssembler::new(64);
    /// asm.push(DataKind::Binary, b"abc", false).unwrap();
    /// assert_eq!(asm.len(), 3);
    /// ```
    pub fn len(&self) -> usize {
        self.len
    }

    /// Whether nothing is held.
    ///
    /// # Examples
    ///
    /// ```
    /// assert!(wsframe::message::MessageAssembler::new(1).is_empty());
    /// ```
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }
}
