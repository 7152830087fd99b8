//! The frame header (RFC 6455 §5.2): incremental decoding and encoding.
//!
//! ```text
//!  0                   1                   2                   3
//!  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
//! +-+-+-+-+-------+-+-------------+-------------------------------+
//! |F|R|R|R| opcode|M| Payload len |    Extended payload length    |
//! |I|S|S|S|  (4)  |A|     (7)     |             (16/64)           |
//! |N|V|V|V|       |S|             |   (if payload len==126/127)   |
//! | |1|2|3|       |K|             |                               |
//! +-+-+-+-+-------+-+-------------+ - - - - - - - - - - - - - - - +
//! ```

use crate::error::{Error, ProtocolError};

/// Longest possible header: 2 + 8 (64-bit length) + 4 (masking key).
pub const MAX_HEADER_LEN: usize = 14;
/// Longest payload of a control frame (RFC 6455 §5.5).
pub const MAX_CONTROL_PAYLOAD: usize = 125;

/// A frame opcode (RFC 6455 §5.2, §11.8).
///
/// # Examples
///
/// ```
/// use wsframe::frame::OpCode;
///
/// assert_eq!(OpCode::from_u8(0x9), Some(OpCode::Ping));
/// assert_eq!(OpCode::from_u8(0x3), None); // reserved
/// assert!(OpCode::Close.is_control());
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[repr(u8)]
pub enum OpCode {
    /// 0x0: continues a fragmented message.
    Continuation = 0x0,
    /// 0x1: first frame of a text message.
    Text = 0x1,
    /// 0x2: first frame of a binary message.
    Binary = 0x2,
    /// 0x8: connection close.
    Close = 0x8,
    /// 0x9: ping.
    Ping = 0x9,
    /// 0xA: pong.
    Pong = 0xA,
}

impl OpCode {
    /// The opcode for a 4-bit value, `None` for the reserved ones (0x3-0x7, 0xB-0xF).
    ///
    /// # Examples
    ///
    /// ```
    /// assert_eq!(wsframe::frame::OpCode::from_u8(0xA), Some(wsframe::frame::OpCode::Pong));
    /// ```
    pub const fn from_u8(v: u8) -> Option<Self> {
        match v {
            0x0 => Some(Self::Continuation),
            0x1 => Some(Self::Text),
            0x2 => Some(Self::Binary),
            0x8 => Some(Self::Close),
            0x9 => Some(Self::Ping),
            0xA => Some(Self::Pong),
            _ => None,
        }
    }

    /// Control opcodes have the high bit of the 4-bit opcode set (RFC 6455 §5.5).
    ///
    /// # Examples
    ///
    /// ```
    /// assert!(!wsframe::frame::OpCode::Binary.is_control());
    /// ```
    pub const fn is_control(self) -> bool {
        (self as u8) & 0x8 != 0
    }
}

/// A decoded or to-be-encoded frame header.
///
/// # Examples
///
/// ```
/// use wsframe::frame::{FrameHeader, OpCode};
///
/// let h = FrameHeader { fin: true, rsv: 0, opcode: OpCode::Text, mask: None, payload_len: 5 };
/// let mut out = [0u8; 14];
/// let n = h.encode(&mut out).unwrap();
/// assert_eq!(&out[..n], &[0x81, 0x05]);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FrameHeader {
    /// Final fragment of a message.
    pub fin: bool,
    /// RSV1, RSV2, RSV3 as bits 2, 1, 0 (so RSV1, used by permessage-deflate, is `0b100`).
    pub rsv: u8,
    /// The opcode.
    pub opcode: OpCode,
    /// The masking key, present on every client-to-server frame (RFC 6455 §5.3).
    pub mask: Option<[u8; 4]>,
    /// Payload length in bytes (at most 2^63 - 1).
    pub payload_len: u64,
}

/// Bytes of header needed for a payload length and masking (RFC 6455 §5.2:
/// the minimal length encoding is always used).
///
/// # Examples
///
/// ```
/// use wsframe::frame::header_len;
///
/// assert_eq!(header_len(125, false), 2);
/// assert_eq!(header_len(126, true), 8);
/// assert_eq!(header_len(65536, true), 14);
/// ```
pub const fn header_len(payload_len: u64, masked: bool) -> usize {
    let len_bytes = if payload_len < 126 {
        0
    } else if payload_len <= 0xFFFF {
        2
    } else {
        8
    };
    2 + len_bytes + if masked { 4 } else { 0 }
}

/// An upper bound on the bytes one frame with `payload_len` bytes takes,
/// masked or not: size output buffers with it.
///
/// # Examples
///
/// ```
/// assert_eq!(wsframe::frame::max_frame_len(5), 5 + 14);
/// ```
pub const fn max_frame_len(payload_len: usize) -> usize {
    payload_len.saturating_add(MAX_HEADER_LEN)
}

impl FrameHeader {
    /// Bytes this header takes when encoded.
    ///
    /// # Examples
    ///
    /// ```
    /// use wsframe::frame::{FrameHeader, OpCode};
    ///
    /// let h = FrameHeader { fin: true, rsv: 0, opcode: OpCode::Ping, mask: Some([1, 2, 3, 4]), payload_len: 0 };
    /// assert_eq!(h.encoded_len(), 6);
    /// ```
    pub const fn encoded_len(&self) -> usize {
        header_len(self.payload_len, self.mask.is_some())
    }

    /// Encodes the header into `out`, using the minimal length encoding
    /// (RFC 6455 §5.2), and returns its length.
    ///
    /// # Errors
    ///
    /// [`Error::InsufficientSize`] if `out` is shorter than
    /// [`FrameHeader::encoded_len`]; nothing is written then.
    /// [`Error::Protocol`] with [`ProtocolError::LengthMsbSet`] if the length
    /// does not fit in 63 bits.
    ///
    /// # Examples
    ///
    /// ```
    /// use wsframe::frame::{FrameHeader, OpCode};
    ///
    /// // RFC 6455 §5.7: a 256-byte unmasked binary frame.
    /// let h = FrameHeader { fin: true, rsv: 0, opcode: OpCode::Binary, mask: None, payload_len: 256 };
    /// let mut out = [0u8; 14];
    /// let n = h.encode(&mut out).unwrap();
    /// assert_eq!(&out[..n], &[0x82, 0x7E, 0x01, 0x00]);
    /// ```
    pub fn encode(&self, out: &mut [u8]) -> Result<usize, Error> {
        if self.payload_len > i64::MAX as u64 {
            return Err(Error::Protocol(ProtocolError::LengthMsbSet));
        }
        let required = self.encoded_len();
        let out = out.get_mut(..required).ok_or(Error::InsufficientSize { required })?;
        let b0 = (u8::from(self.fin) << 7) | ((self.rsv & 0b111) << 4) | self.opcode as u8;
        let mask_bit = if self.mask.is_some() { 0x80 } else { 0 };
        // Written in place, one length form per arm: `out` is exactly
        // `required` bytes, so each pattern matches and the key takes the rest.
        let key_out = match (self.payload_len, out) {
            (len @ 0..=125, [o0, o1, key @ ..]) => {
                (*o0, *o1) = (b0, mask_bit | len as u8);
                key
            }
            (len @ 126..=0xFFFF, [o0, o1, l0, l1, key @ ..]) => {
                (*o0, *o1) = (b0, mask_bit | 126);
                [*l0, *l1] = (len as u16).to_be_bytes();
                key
            }
            (len, [o0, o1, l0, l1, l2, l3, l4, l5, l6, l7, key @ ..]) => {
                (*o0, *o1) = (b0, mask_bit | 127);
                [*l0, *l1, *l2, *l3, *l4, *l5, *l6, *l7] = len.to_be_bytes();
                key
            }
            _ => return Err(Error::InsufficientSize { required }),
        };
        if let (Some(key), [k0, k1, k2, k3]) = (self.mask, key_out) {
            [*k0, *k1, *k2, *k3] = key;
        }
        Ok(required)
    }
}

/// Writes the header of a frame into `out`, which is exactly as long as the
/// header (`header_len(len, key.is_some())`), the minimal length form (RFC
/// 6455 §5.2): `b0` is FIN, RSV and opcode, `key` the masking key if any.
/// The compact targets' header writer for `Connection`'s sends (one byte
/// loop, less code than [`FrameHeader::encode`]'s store sequence per length
/// form); public only so that tests can compare the two on any host.
#[doc(hidden)]
pub fn write_header(out: &mut [u8], b0: u8, key: Option<[u8; 4]>, len: usize) {
    let (len7, len_bytes) = match len {
        0..=125 => (len as u8, 0),
        126..=0xFFFF => (126, 2),
        _ => (127, 8),
    };
    let b1 = if key.is_some() { 0x80 | len7 } else { len7 };
    let key_at = 2 + len_bytes;
    for (i, o) in out.iter_mut().enumerate() {
        *o = match i {
            0 => b0,
            1 => b1,
            // The extended length, big-endian (a shift of 32..56 only on 64-bit).
            _ if i < key_at => len.checked_shr(8 * (key_at - 1 - i) as u32).unwrap_or(0) as u8,
            _ => key.map_or(0, |k| k[(i - key_at) % 4]),
        };
    }
}

/// Incremental header decoder: feed it bytes in any split, down to one at a
/// time; it keeps what it has seen and never re-parses.
///
/// Checks made here are those that need no connection state: reserved
/// opcodes, control frames that are fragmented or longer than 125 bytes
/// (RFC 6455 §5.5), and the 64-bit length's most significant bit (§5.2).
/// Each is reported as soon as the byte that shows it arrives.
///
/// # Examples
///
/// ```
/// use wsframe::frame::{HeaderDecoder, OpCode};
///
/// let bytes = [0x81, 0x85, 0x37, 0xfa, 0x21, 0x3d];
/// let mut dec = HeaderDecoder::new();
/// let (n, h) = dec.decode(&bytes[..3]).unwrap();
/// assert_eq!((n, h), (3, None));
/// let (n, h) = dec.decode(&bytes[3..]).unwrap();
/// let h = h.unwrap();
/// assert_eq!(n, 3);
/// assert_eq!((h.opcode, h.payload_len, h.mask), (OpCode::Text, 5, Some([0x37, 0xfa, 0x21, 0x3d])));
/// ```
#[derive(Debug, Clone, Copy, Default)]
pub struct HeaderDecoder {
    buf: [u8; MAX_HEADER_LEN],
    have: u8,
}

impl HeaderDecoder {
    /// A decoder waiting for the first byte of a header.
    ///
    /// # Examples
    ///
    /// ```
    /// let dec = wsframe::frame::HeaderDecoder::new();
    /// assert!(dec.is_empty());
    /// ```
    pub const fn new() -> Self {
        Self { buf: [0; MAX_HEADER_LEN], have: 0 }
    }

    /// Whether no byte of the current header has been seen yet.
    ///
    /// # Examples
    ///
    /// ```
    /// let mut dec = wsframe::frame::HeaderDecoder::new();
    /// dec.decode(&[0x82]).unwrap();
    /// assert!(!dec.is_empty());
    /// ```
    pub const fn is_empty(&self) -> bool {
        self.have == 0
    }

    /// Consumes header bytes from `input`. Returns how many bytes were
    /// consumed and, once complete, the header; the decoder then starts over.
    /// Bytes after the header are not consumed.
    ///
    /// # Errors
    ///
    /// [`ProtocolError::ReservedOpcode`], [`ProtocolError::FragmentedControlFrame`],
    /// [`ProtocolError::ControlFrameTooLong`] and [`ProtocolError::LengthMsbSet`].
    /// After an error the decoder's state is unspecified: the connection is failed.
    ///
    /// # Examples
    ///
    /// ```
    /// use wsframe::frame::HeaderDecoder;
    /// use wsframe::ProtocolError;
    ///
    /// let mut dec = HeaderDecoder::new();
    /// assert_eq!(dec.decode(&[0x83]), Err(ProtocolError::ReservedOpcode));
    /// ```
    #[inline]
    pub fn decode(&mut self, input: &[u8]) -> Result<(usize, Option<FrameHeader>), ProtocolError> {
        // Fast path: a whole header at the start of the input, the usual case
        // for a socket read. Same checks, none of the byte-wise bookkeeping.
        // Left out on the compact targets (crate::COMPACT): the loop below
        // takes whole headers too.
        if self.have == 0 && !crate::COMPACT {
            if let [b0, b1, ..] = *input {
                let n = header_size(b1);
                if let Some(head) = input.get(..n) {
                    Self::check_first(b0)?;
                    Self::check_second(b0, b1)?;
                    return Ok((n, Some(parse(head)?)));
                }
            }
        }
        self.decode_partial(input)
    }

    /// Whether no byte of a header is held: the next byte starts one.
    #[inline]
    pub(crate) const fn is_idle(&self) -> bool {
        self.have == 0
    }

    /// [`HeaderDecoder::decode`] for a header that arrives in pieces (or a
    /// decoder that already holds some of one): a byte at a time (a header is
    /// at most 14 bytes), each check made as soon as its byte is in; out of
    /// line so the whole-header path above stays small enough to inline.
    #[inline(never)]
    fn decode_partial(
        &mut self,
        input: &[u8],
    ) -> Result<(usize, Option<FrameHeader>), ProtocolError> {
        for (consumed, &byte) in input.iter().enumerate() {
            let have = usize::from(self.have);
            if let Some(slot) = self.buf.get_mut(have) {
                *slot = byte;
            }
            self.have += 1;
            match have {
                0 => Self::check_first(byte)?,
                1 => Self::check_second(self.buf[0], byte)?,
                2 if self.buf[1] & 0x7F == 127 && byte & 0x80 != 0 => {
                    return Err(ProtocolError::LengthMsbSet);
                }
                _ => {}
            }
            if have + 1 == self.needed() {
                let header = self.finish()?;
                *self = Self::new();
                return Ok((consumed + 1, Some(header)));
            }
        }
        Ok((input.len(), None))
    }

    /// Bytes of header needed, given what has been seen.
    fn needed(&self) -> usize {
        if self.have < 2 { 2 } else { header_size(self.buf[1]) }
    }

    /// Bytes still to come before what has been seen can be judged further:
    /// the first two, then the rest of the header they announce.
    #[cfg(feature = "alloc")]
    pub(crate) fn wanted(&self) -> usize {
        self.needed().saturating_sub(usize::from(self.have))
    }

    fn check_first(b0: u8) -> Result<(), ProtocolError> {
        let opcode = OpCode::from_u8(b0 & 0x0F).ok_or(ProtocolError::ReservedOpcode)?;
        if opcode.is_control() && b0 & 0x80 == 0 {
            return Err(ProtocolError::FragmentedControlFrame);
        }
        Ok(())
    }

    fn check_second(b0: u8, b1: u8) -> Result<(), ProtocolError> {
        if b0 & 0x08 != 0 && b1 & 0x7F > MAX_CONTROL_PAYLOAD as u8 {
            return Err(ProtocolError::ControlFrameTooLong);
        }
        Ok(())
    }

    fn finish(&self) -> Result<FrameHeader, ProtocolError> {
        parse(&self.buf)
    }
}

/// A header's size from its second byte (length form and MASK bit).
const fn header_size(b1: u8) -> usize {
    let len_bytes = match b1 & 0x7F {
        126 => 2,
        127 => 8,
        _ => 0,
    };
    2 + len_bytes + if b1 & 0x80 != 0 { 4 } else { 0 }
}

/// Parses a complete header held at the start of `b` (callers pass at least
/// `header_size(b[1])` bytes; shorter input reads as zeros, never out of bounds).
fn parse(b: &[u8]) -> Result<FrameHeader, ProtocolError> {
    let at = |i: usize| b.get(i).copied().unwrap_or(0);
    let (b0, b1) = (at(0), at(1));
    let opcode = OpCode::from_u8(b0 & 0x0F).ok_or(ProtocolError::ReservedOpcode)?;
    let (payload_len, key_at) = match b1 & 0x7F {
        126 => (u64::from(u16::from_be_bytes([at(2), at(3)])), 4),
        127 => {
            let bytes = b.get(2..10).and_then(|s| <[u8; 8]>::try_from(s).ok());
            let len = bytes.map_or(0, u64::from_be_bytes);
            if len > i64::MAX as u64 {
                return Err(ProtocolError::LengthMsbSet);
            }
            (len, 10)
        }
        n => (u64::from(n), 2),
    };
    let mask = match b1 & 0x80 != 0 {
        true => b.get(key_at..key_at + 4).and_then(|k| <[u8; 4]>::try_from(k).ok()),
        false => None,
    };
    Ok(FrameHeader { fin: b0 & 0x80 != 0, rsv: (b0 >> 4) & 0b111, opcode, mask, payload_len })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn decode_all(bytes: &[u8]) -> Result<(usize, Option<FrameHeader>), ProtocolError> {
        HeaderDecoder::new().decode(bytes)
    }

    #[test]
    fn s5_2_length_encodings_roundtrip_at_boundaries() {
        for len in [0u64, 1, 125, 126, 127, 0xFFFF, 0x1_0000, 1 << 32, i64::MAX as u64] {
            for mask in [None, Some([1, 2, 3, 4])] {
                let h = FrameHeader {
                    fin: true,
                    rsv: 0,
                    opcode: OpCode::Binary,
                    mask,
                    payload_len: len,
                };
                let mut out = [0u8; MAX_HEADER_LEN];
                let n = h.encode(&mut out).unwrap();
                assert_eq!(n, header_len(len, mask.is_some()));
                assert_eq!(decode_all(&out[..n]).unwrap(), (n, Some(h)));
            }
        }
    }

    #[test]
    fn s5_2_minimal_length_encoding_is_used() {
        let enc = |len| {
            let h = FrameHeader {
                fin: true,
                rsv: 0,
                opcode: OpCode::Binary,
                mask: None,
                payload_len: len,
            };
            let mut out = [0u8; MAX_HEADER_LEN];
            let n = h.encode(&mut out).unwrap();
            (n, out[1])
        };
        assert_eq!(enc(125), (2, 125));
        assert_eq!(enc(126), (4, 126));
        assert_eq!(enc(0xFFFF), (4, 126));
        assert_eq!(enc(0x1_0000), (10, 127));
    }

    #[test]
    fn s5_2_msb_of_64_bit_length_must_be_zero() {
        let bytes = [0x82, 0x7F, 0x80, 0, 0, 0, 0, 0, 0, 0];
        assert_eq!(decode_all(&bytes), Err(ProtocolError::LengthMsbSet));
        let h = FrameHeader {
            fin: true,
            rsv: 0,
            opcode: OpCode::Binary,
            mask: None,
            payload_len: 1 << 63,
        };
        assert_eq!(h.encode(&mut [0u8; 14]), Err(Error::Protocol(ProtocolError::LengthMsbSet)));
    }

    #[test]
    fn s5_2_reserved_opcodes_are_rejected_on_first_byte() {
        for op in (0x3..=0x7).chain(0xB..=0xF) {
            let mut dec = HeaderDecoder::new();
            assert_eq!(dec.decode(&[0x80 | op]), Err(ProtocolError::ReservedOpcode), "{op:#x}");
        }
    }

    #[test]
    fn s5_5_control_frames_must_not_be_fragmented_or_long() {
        let mut dec = HeaderDecoder::new();
        assert_eq!(dec.decode(&[0x09]), Err(ProtocolError::FragmentedControlFrame));
        let mut dec = HeaderDecoder::new();
        assert_eq!(dec.decode(&[0x89, 126]), Err(ProtocolError::ControlFrameTooLong));
        let mut dec = HeaderDecoder::new();
        assert!(dec.decode(&[0x89, 125]).unwrap().1.is_some());
    }

    #[test]
    fn s5_2_any_split_gives_same_header() {
        let bytes = [0x82, 0xFF, 0, 0, 0, 0, 0, 1, 0, 0, 9, 8, 7, 6];
        let whole = decode_all(&bytes).unwrap();
        for split in 0..=bytes.len() {
            let mut dec = HeaderDecoder::new();
            let (a, h1) = dec.decode(&bytes[..split]).unwrap();
            assert_eq!(a, split);
            if split == bytes.len() {
                assert_eq!((a, h1), whole);
                continue;
            }
            assert_eq!(h1, None);
            let (b, h2) = dec.decode(&bytes[split..]).unwrap();
            assert_eq!((a + b, h2), whole);
        }
        let mut dec = HeaderDecoder::new();
        for (i, b) in bytes.iter().enumerate() {
            let (n, h) = dec.decode(core::slice::from_ref(b)).unwrap();
            assert_eq!(n, 1);
            assert_eq!(h.is_some(), i == bytes.len() - 1);
        }
    }

    #[test]
    fn encode_reports_required_size() {
        let h = FrameHeader {
            fin: true,
            rsv: 0,
            opcode: OpCode::Text,
            mask: Some([0; 4]),
            payload_len: 300,
        };
        assert_eq!(h.encode(&mut [0u8; 7]), Err(Error::InsufficientSize { required: 8 }));
    }
}
