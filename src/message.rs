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
    buf: Vec<u8>,
    max: usize,
    complete: bool,
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
        Self { buf: Vec::new(), max: max_message_size, complete: false }
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
        if self.complete {
            self.buf.clear();
            self.complete = false;
        }
        if self.buf.len().saturating_add(data.len()) > self.max {
            self.buf.clear();
            return Err(Error::Protocol(ProtocolError::MessageTooLarge));
        }
        self.buf.extend_from_slice(data);
        if !last {
            return Ok(None);
        }
        self.complete = true;
        Ok(Some((kind, &self.buf)))
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
        self.buf.len()
    }

    /// Whether nothing is held.
    ///
    /// # Examples
    ///
    /// ```
    /// assert!(wsframe::message::MessageAssembler::new(1).is_empty());
    /// ```
    pub fn is_empty(&self) -> bool {
        self.buf.is_empty()
    }
}
