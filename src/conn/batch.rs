//! Several whole messages of one kind, written back to back with the
//! connection's state checked once: [`Connection::batch`].

use super::{Connection, DataKind, Role, put_payload, short_header};
use crate::error::Error;
use crate::random::RandomSource;

/// The longest payload with a 7-bit length (RFC 6455 §5.2): a 2-byte header,
/// or 6 with a masking key.
const SHORT: usize = 125;

/// Whole messages of one [`DataKind`], one frame each (RFC 6455 §5.6), for a
/// sender with several at once: a flush of a queue, a broadcast, a burst of
/// telemetry. Each [`Batch::send`] writes what [`Connection::send_frame`]
/// with `fin` set writes; the state and the message-in-progress checks were
/// made once, by [`Connection::batch`], and a frame of up to 125 bytes takes
/// a short inline path (the 7-bit length of §5.2).
///
/// The batch borrows the connection, so nothing else can change its state
/// between messages.
///
/// # Examples
///
/// ```
/// use wsframe::DataKind;
///
/// let mut conn = wsframe::Connection::server(Default::default());
/// let mut out = [0u8; 16];
/// let mut batch = conn.batch(DataKind::Binary).unwrap();
/// let a = batch.send(b"ab", &mut out).unwrap();
/// let b = batch.send(b"c", &mut out[a..]).unwrap();
/// assert_eq!(&out[..a + b], &[0x82, 2, b'a', b'b', 0x82, 1, b'c']);
/// ```
#[derive(Debug)]
pub struct Batch<'c, R: RandomSource> {
    conn: &'c mut Connection<R>,
    kind: DataKind,
    /// A short frame's header length, from the role once: 2, or 6 with a
    /// client's masking key (per message it cost `wsframe_conn_send_many`
    /// about 3 of its 90 instructions a frame).
    short_head: usize,
}

impl<R: RandomSource> Connection<R> {
    /// Starts a [`Batch`] of whole `kind` messages. For text, each message
    /// passed to [`Batch::send`] must be valid UTF-8 (the peer fails the
    /// connection otherwise, RFC 6455 §8.1), as for [`Connection::send_frame`].
    ///
    /// # Errors
    ///
    /// [`Error::Closed`] after a Close was sent or the connection failed,
    /// [`Error::MessageInProgress`] while a fragmented message is being sent.
    ///
    /// # Examples
    ///
    /// ```
    /// use wsframe::{DataKind, Error};
    ///
    /// let mut conn = wsframe::Connection::server(Default::default());
    /// let mut out = [0u8; 16];
    /// conn.send_frame(DataKind::Text, b"He", false, &mut out).unwrap();
    /// assert_eq!(conn.batch(DataKind::Text).unwrap_err(), Error::MessageInProgress);
    /// ```
    pub fn batch(&mut self, kind: DataKind) -> Result<Batch<'_, R>, Error> {
        if self.tx_msg.is_some() {
            return Err(Error::MessageInProgress);
        }
        self.data_opcode(kind)?;
        let short_head = if self.role == Role::Client { 6 } else { 2 };
        Ok(Batch { conn: self, kind, short_head })
    }
}

impl<R: RandomSource> Batch<'_, R> {
    /// Writes `data` as one whole message into `out`; returns the frame's
    /// length. `frame::max_frame_len(data.len())` bytes of `out` always
    /// suffice.
    ///
    /// # Errors
    ///
    /// [`Error::InsufficientSize`] (nothing written; `required` is the
    /// frame's length), [`Error::RandomFailed`] (a client's key).
    ///
    /// # Examples
    ///
    /// ```
    /// use wsframe::{DataKind, Error};
    ///
    /// let mut conn = wsframe::Connection::server(Default::default());
    /// let mut batch = conn.batch(DataKind::Text).unwrap();
    /// let mut out = [0u8; 4];
    /// assert_eq!(batch.send(b"hi", &mut out), Ok(4));
    /// assert_eq!(out, *b"\x81\x02hi");
    /// assert_eq!(batch.send(b"hey", &mut out), Err(Error::InsufficientSize { required: 5 }));
    /// ```
    #[inline(always)]
    pub fn send(&mut self, data: &[u8], out: &mut [u8]) -> Result<usize, Error> {
        let len = data.len();
        if crate::COMPACT || len > SHORT {
            return self.conn.send_frame(self.kind, data, true, out);
        }
        let hlen = self.short_head;
        let required = hlen + len;
        let Some(out) = out.get_mut(..required) else {
            return Err(Error::InsufficientSize { required });
        };
        let mask = self.conn.draw_mask()?;
        let (head, body) = out.split_at_mut(hlen);
        short_header(head, 0x80 | self.kind.opcode() as u8, mask, len as u64);
        put_payload(body, data, mask);
        Ok(required)
    }
}
