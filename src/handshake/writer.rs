//! A cursor over the caller's output buffer that keeps counting past its end,
//! so a failed write can report exactly how many bytes it needed.

use super::error::HandshakeError;

pub(crate) struct Writer<'o> {
    out: &'o mut [u8],
    /// Bytes the message needs so far; may exceed `out.len()`.
    pos: usize,
}

impl<'o> Writer<'o> {
    pub(crate) fn new(out: &'o mut [u8]) -> Self {
        Self { out, pos: 0 }
    }

    pub(crate) fn put(&mut self, bytes: &[u8]) {
        let end = self.pos.saturating_add(bytes.len());
        if let Some(dst) = self.out.get_mut(self.pos..end) {
            dst.copy_from_slice(bytes);
        }
        self.pos = end;
    }

    pub(crate) fn put_str(&mut self, s: &str) {
        self.put(s.as_bytes());
    }

    pub(crate) fn put_decimal(&mut self, mut n: usize) {
        let mut digits = [0u8; 20];
        let mut start = digits.len();
        for slot in digits.iter_mut().rev() {
            *slot = b"0123456789".get(n % 10).copied().unwrap_or(b'0');
            start = start.saturating_sub(1);
            n /= 10;
            if n == 0 {
                break;
            }
        }
        self.put(digits.get(start..).unwrap_or(&[]));
    }

    /// Writes `name: value\r\n`.
    pub(crate) fn header(&mut self, name: &str, value: &[u8]) {
        self.put_str(name);
        self.put(b": ");
        self.put(value);
        self.put(b"\r\n");
    }

    /// The message length, or `InsufficientSize` with the exact size needed.
    pub(crate) fn finish(self) -> Result<usize, HandshakeError> {
        if self.pos <= self.out.len() {
            Ok(self.pos)
        } else {
            Err(HandshakeError::InsufficientSize { required: self.pos })
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_past_the_end() {
        let mut buf = [0u8; 4];
        let mut w = Writer::new(&mut buf);
        w.put(b"abc");
        w.put(b"def");
        w.put(b"g");
        assert_eq!(w.finish(), Err(HandshakeError::InsufficientSize { required: 7 }));
    }

    #[test]
    fn decimals() {
        for (n, s) in [
            (0usize, "0"),
            (7, "7"),
            (10, "10"),
            (65535, "65535"),
            (usize::MAX, "18446744073709551615"),
        ] {
            let mut buf = [0u8; 32];
            let mut w = Writer::new(&mut buf);
            w.put_decimal(n);
            let len = w.finish().unwrap();
            assert_eq!(&buf[..len], s.as_bytes());
        }
    }
}
