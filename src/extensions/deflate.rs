//! permessage-deflate (RFC 7692): negotiation, and with the `alloc` feature
//! the compressor and the bounded decompressor.
//!
//! Negotiation ([`DeflateConfig::negotiate`] on servers,
//! [`DeflateConfig::write_offer`] and [`DeflateConfig::accept_response`] on
//! clients) needs no allocator. The codec works on whole messages:
//! [`Compressor::compress`] before [`crate::Connection::send_compressed_frame`],
//! [`Decompressor::decompress`] on the [`crate::Event::Compressed`] chunks that
//! [`crate::Connection::receive`] reports once [`crate::Config::compression`] is on.

use super::{Extension, ExtensionError, parse_extensions};
use crate::handshake::writer::Writer;

/// The extension's registered name.
pub const NAME: &str = "permessage-deflate";
/// Smallest LZ77 window, as a power of two, RFC 7692 §7.1.2 allows.
pub const MIN_WINDOW_BITS: u8 = 8;
/// Largest LZ77 window (32 KiB).
pub const MAX_WINDOW_BITS: u8 = 15;

/// What this endpoint asks for (client) or accepts (server).
///
/// # Examples
///
/// ```
/// use wsframe::extensions::deflate::DeflateConfig;
///
/// let config = DeflateConfig::default().with_client_no_context_takeover(true);
/// let mut out = [0u8; 128];
/// let n = config.write_offer(&mut out).unwrap();
/// assert_eq!(
///     &out[..n],
///     b"permessage-deflate; client_no_context_takeover; client_max_window_bits"
/// );
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct DeflateConfig {
    /// The server resets its compression context after each message.
    pub server_no_context_takeover: bool,
    /// The client resets its compression context after each message.
    pub client_no_context_takeover: bool,
    /// Largest window the server may compress with (8..=15).
    pub server_max_window_bits: u8,
    /// Largest window the client may compress with (8..=15).
    pub client_max_window_bits: u8,
    /// Compression level, 0 (store) to 9 (smallest); default 6.
    pub level: u8,
}

impl DeflateConfig {
    /// The default compression level, zlib's: a good ratio at moderate cost.
    pub const DEFAULT_LEVEL: u8 = 6;
}

impl Default for DeflateConfig {
    fn default() -> Self {
        Self {
            server_no_context_takeover: false,
            client_no_context_takeover: false,
            server_max_window_bits: MAX_WINDOW_BITS,
            client_max_window_bits: MAX_WINDOW_BITS,
            level: Self::DEFAULT_LEVEL,
        }
    }
}

/// The parameters both ends agreed on.
///
/// # Examples
///
/// ```
/// use wsframe::extensions::deflate::DeflateConfig;
///
/// let params = DeflateConfig::default()
///     .negotiate([&b"permessage-deflate; server_max_window_bits=10"[..]])
///     .unwrap();
/// assert_eq!(params.server_max_window_bits, 10);
/// let mut out = [0u8; 128];
/// let n = params.write_response(&mut out).unwrap();
/// assert_eq!(&out[..n], b"permessage-deflate; server_max_window_bits=10");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct DeflateParams {
    /// The server resets its context after each message.
    pub server_no_context_takeover: bool,
    /// The client resets its context after each message.
    pub client_no_context_takeover: bool,
    /// The server's window, 8..=15.
    pub server_max_window_bits: u8,
    /// The client's window, 8..=15.
    pub client_max_window_bits: u8,
    /// Whether the response must name server_max_window_bits (it was offered, §7.1.2.1).
    echo_server_window: bool,
    /// Whether the response may name client_max_window_bits (it was offered, §7.1.2.2).
    client_window_offered: bool,
}

/// One parsed offer or response element.
#[derive(Debug, Default, Clone, Copy)]
struct Parsed {
    server_no_context_takeover: bool,
    client_no_context_takeover: bool,
    server_max_window_bits: Option<u8>,
    /// `Some(None)`: the bare form, allowed in client offers only.
    client_max_window_bits: Option<Option<u8>>,
}

fn window_bits(value: Option<&[u8]>) -> Result<Option<u8>, ExtensionError> {
    let Some(v) = value else { return Ok(None) };
    // 1*DIGIT with no leading zero (RFC 7692 §7.1.2.1); a quoted form was unquoted already.
    let bits = match v {
        [d @ b'8'..=b'9'] => d - b'0',
        [b'1', d @ b'0'..=b'5'] => 10 + (d - b'0'),
        _ => return Err(ExtensionError::InvalidValue),
    };
    Ok(Some(bits))
}

fn parse(ext: &Extension<'_>) -> Result<Parsed, ExtensionError> {
    let mut p = Parsed::default();
    for param in ext.params() {
        let param = param?;
        let value = param.value();
        let dup = |seen: bool| if seen { Err(ExtensionError::DuplicateParameter) } else { Ok(()) };
        match param.name() {
            "server_no_context_takeover" => {
                dup(p.server_no_context_takeover)?;
                if value.is_some() {
                    return Err(ExtensionError::InvalidValue);
                }
                p.server_no_context_takeover = true;
            }
            "client_no_context_takeover" => {
                dup(p.client_no_context_takeover)?;
                if value.is_some() {
                    return Err(ExtensionError::InvalidValue);
                }
                p.client_no_context_takeover = true;
            }
            "server_max_window_bits" => {
                dup(p.server_max_window_bits.is_some())?;
                p.server_max_window_bits =
                    Some(window_bits(value)?.ok_or(ExtensionError::InvalidValue)?);
            }
            "client_max_window_bits" => {
                dup(p.client_max_window_bits.is_some())?;
                p.client_max_window_bits = Some(window_bits(value)?);
            }
            _ => return Err(ExtensionError::UnknownParameter),
        }
    }
    Ok(p)
}

fn is_deflate(ext: &Extension<'_>) -> bool {
    ext.name().eq_ignore_ascii_case(NAME)
}

impl DeflateConfig {
    /// Sets [`DeflateConfig::server_no_context_takeover`].
    ///
    /// # Examples
    ///
    /// ```
    /// let c = wsframe::extensions::deflate::DeflateConfig::default().with_server_no_context_takeover(true);
    /// assert!(c.server_no_context_takeover);
    /// ```
    #[must_use]
    pub const fn with_server_no_context_takeover(mut self, on: bool) -> Self {
        self.server_no_context_takeover = on;
        self
    }

    /// Sets [`DeflateConfig::client_no_context_takeover`].
    ///
    /// # Examples
    ///
    /// ```
    /// let c = wsframe::extensions::deflate::DeflateConfig::default().with_client_no_context_takeover(true);
    /// assert!(c.client_no_context_takeover);
    /// ```
    #[must_use]
    pub const fn with_client_no_context_takeover(mut self, on: bool) -> Self {
        self.client_no_context_takeover = on;
        self
    }

    /// Sets both window sizes, clamped to 8..=15.
    ///
    /// # Examples
    ///
    /// ```
    /// let c = wsframe::extensions::deflate::DeflateConfig::default().with_max_window_bits(20, 3);
    /// assert_eq!((c.server_max_window_bits, c.client_max_window_bits), (15, 8));
    /// ```
    #[must_use]
    pub const fn with_max_window_bits(mut self, server: u8, client: u8) -> Self {
        self.server_max_window_bits = clamp_bits(server);
        self.client_max_window_bits = clamp_bits(client);
        self
    }

    /// Sets the compression level (0..=9, higher values are clamped).
    ///
    /// # Examples
    ///
    /// ```
    /// let c = wsframe::extensions::deflate::DeflateConfig::default().with_level(1);
    /// assert_eq!(c.level, 1);
    /// ```
    #[must_use]
    pub const fn with_level(mut self, level: u8) -> Self {
        self.level = if level > 9 { 9 } else { level };
        self
    }

    /// Server side (RFC 7692 §5, §7.1): picks the first acceptable
    /// permessage-deflate offer from the request's `Sec-WebSocket-Extensions`
    /// values, in order. Offers with unknown or duplicate parameters or bad
    /// values are skipped; `None` means no offer was acceptable (or none was
    /// made), so the connection goes on uncompressed.
    ///
    /// The server keeps its own limits: it resets its context when either
    /// side asks, and compresses with the smaller of the offered and
    /// configured windows.
    ///
    /// # Examples
    ///
    /// ```
    /// use wsframe::extensions::deflate::DeflateConfig;
    ///
    /// let config = DeflateConfig::default();
    /// // The first offer has an unknown parameter: the second one is taken.
    /// let params = config
    ///     .negotiate([&b"permessage-deflate; foo=1, permessage-deflate; client_max_window_bits"[..]])
    ///     .unwrap();
    /// assert_eq!(params.client_max_window_bits, 15);
    /// assert!(config.negotiate([&b"x-other"[..]]).is_none());
    /// ```
    pub fn negotiate<'a>(
        &self,
        header_values: impl IntoIterator<Item = &'a [u8]>,
    ) -> Option<DeflateParams> {
        header_values
            .into_iter()
            .flat_map(parse_extensions)
            .filter(is_deflate)
            .find_map(|ext| parse(&ext).ok().map(|offer| self.answer(&offer)))
    }

    fn answer(&self, offer: &Parsed) -> DeflateParams {
        let server_bits = match offer.server_max_window_bits {
            Some(b) => b.min(self.server_max_window_bits),
            None => self.server_max_window_bits,
        };
        let client_bits = match offer.client_max_window_bits {
            Some(Some(b)) => b.min(self.client_max_window_bits),
            Some(None) => self.client_max_window_bits,
            // Not offered: the client may use any window; we can inflate it.
            None => MAX_WINDOW_BITS,
        };
        DeflateParams {
            server_no_context_takeover: offer.server_no_context_takeover
                || self.server_no_context_takeover,
            client_no_context_takeover: offer.client_no_context_takeover
                || self.client_no_context_takeover,
            server_max_window_bits: server_bits,
            client_max_window_bits: client_bits,
            echo_server_window: offer.server_max_window_bits.is_some()
                || server_bits < MAX_WINDOW_BITS,
            client_window_offered: offer.client_max_window_bits.is_some(),
        }
    }

    /// Client side: writes the offer for `Sec-WebSocket-Extensions`
    /// (RFC 7692 §7.1). `client_max_window_bits` is always offered (bare
    /// when 15) so the server may limit our window; the other parameters
    /// appear when they differ from the defaults.
    ///
    /// # Errors
    ///
    /// [`ExtensionError::InsufficientSize`] if `out` is too small.
    ///
    /// # Examples
    ///
    /// ```
    /// use wsframe::extensions::deflate::DeflateConfig;
    ///
    /// let mut out = [0u8; 128];
    /// let n = DeflateConfig::default().with_max_window_bits(10, 15).write_offer(&mut out).unwrap();
    /// assert_eq!(&out[..n], b"permessage-deflate; server_max_window_bits=10; client_max_window_bits");
    /// ```
    pub fn write_offer(&self, out: &mut [u8]) -> Result<usize, ExtensionError> {
        let mut w = Writer::new(out);
        w.put_str(NAME);
        if self.server_no_context_takeover {
            w.put_str("; server_no_context_takeover");
        }
        if self.client_no_context_takeover {
            w.put_str("; client_no_context_takeover");
        }
        if self.server_max_window_bits < MAX_WINDOW_BITS {
            w.put_str("; server_max_window_bits=");
            w.put_decimal(usize::from(self.server_max_window_bits));
        }
        w.put_str("; client_max_window_bits");
        if self.client_max_window_bits < MAX_WINDOW_BITS {
            w.put_str("=");
            w.put_decimal(usize::from(self.client_max_window_bits));
        }
        finish(w)
    }

    /// Client side: checks the server's `Sec-WebSocket-Extensions` values
    /// against the offer [`DeflateConfig::write_offer`] made (RFC 7692
    /// §7.1). `Ok(None)`: the server declined compression.
    ///
    /// # Errors
    ///
    /// A handshake failure: permessage-deflate accepted twice, unknown or
    /// duplicate parameters, bad values, `client_max_window_bits` larger than
    /// offered, `server_max_window_bits` missing or larger than asked, or
    /// `server_no_context_takeover` missing although asked for.
    ///
    /// # Examples
    ///
    /// ```
    /// use wsframe::extensions::{deflate::DeflateConfig, ExtensionError};
    ///
    /// let config = DeflateConfig::default();
    /// let ok = config.accept_response([&b"permessage-deflate; client_max_window_bits=12"[..]]);
    /// assert_eq!(ok.unwrap().unwrap().client_max_window_bits, 12);
    /// let bad = config.accept_response([&b"permessage-deflate; mystery"[..]]);
    /// assert_eq!(bad, Err(ExtensionError::UnknownParameter));
    /// ```
    pub fn accept_response<'a>(
        &self,
        header_values: impl IntoIterator<Item = &'a [u8]>,
    ) -> Result<Option<DeflateParams>, ExtensionError> {
        let mut found: Option<Parsed> = None;
        for ext in header_values.into_iter().flat_map(parse_extensions) {
            if !is_deflate(&ext) || found.is_some() {
                return Err(ExtensionError::UnexpectedExtension);
            }
            found = Some(parse(&ext)?);
        }
        let Some(r) = found else { return Ok(None) };
        if self.server_no_context_takeover && !r.server_no_context_takeover {
            return Err(ExtensionError::UnexpectedParameter);
        }
        let server_bits = match r.server_max_window_bits {
            Some(b) if b <= self.server_max_window_bits => b,
            Some(_) => return Err(ExtensionError::UnexpectedParameter),
            None if self.server_max_window_bits < MAX_WINDOW_BITS => {
                return Err(ExtensionError::UnexpectedParameter);
            }
            None => MAX_WINDOW_BITS,
        };
        let client_bits = match r.client_max_window_bits {
            None => self.client_max_window_bits,
            Some(Some(b)) if b <= self.client_max_window_bits => b,
            Some(_) => return Err(ExtensionError::UnexpectedParameter),
        };
        Ok(Some(DeflateParams {
            server_no_context_takeover: r.server_no_context_takeover,
            client_no_context_takeover: r.client_no_context_takeover
                || self.client_no_context_takeover,
            server_max_window_bits: server_bits,
            client_max_window_bits: client_bits,
            echo_server_window: r.server_max_window_bits.is_some(),
            client_window_offered: true,
        }))
    }
}

fn finish(w: Writer<'_>) -> Result<usize, ExtensionError> {
    w.finish().map_err(|e| match e {
        crate::handshake::HandshakeError::InsufficientSize { required } => {
            ExtensionError::InsufficientSize { required }
        }
        _ => ExtensionError::InvalidValue,
    })
}

const fn clamp_bits(bits: u8) -> u8 {
    if bits < MIN_WINDOW_BITS {
        MIN_WINDOW_BITS
    } else if bits > MAX_WINDOW_BITS {
        MAX_WINDOW_BITS
    } else {
        bits
    }
}

impl DeflateParams {
    /// Server side: writes the `Sec-WebSocket-Extensions` response value
    /// accepting the offer (RFC 7692 §7.1): `server_max_window_bits` when
    /// the client asked for it or we limit ourselves, `client_max_window_bits`
    /// only when the client offered it and we limit it.
    ///
    /// # Errors
    ///
    /// [`ExtensionError::InsufficientSize`] if `out` is too small.
    ///
    /// # Examples
    ///
    /// ```
    /// use wsframe::extensions::deflate::DeflateConfig;
    ///
    /// let config = DeflateConfig::default().with_server_no_context_takeover(true);
    /// let params = config.negotiate([&b"permessage-deflate"[..]]).unwrap();
    /// let mut out = [0u8; 128];
    /// let n = params.write_response(&mut out).unwrap();
    /// assert_eq!(&out[..n], b"permessage-deflate; server_no_context_takeover");
    /// ```
    pub fn write_response(&self, out: &mut [u8]) -> Result<usize, ExtensionError> {
        let mut w = Writer::new(out);
        w.put_str(NAME);
        if self.server_no_context_takeover {
            w.put_str("; server_no_context_takeover");
        }
        if self.client_no_context_takeover {
            w.put_str("; client_no_context_takeover");
        }
        if self.echo_server_window {
            w.put_str("; server_max_window_bits=");
            w.put_decimal(usize::from(self.server_max_window_bits));
        }
        if self.client_window_offered && self.client_max_window_bits < MAX_WINDOW_BITS {
            w.put_str("; client_max_window_bits=");
            w.put_decimal(usize::from(self.client_max_window_bits));
        }
        finish(w)
    }

    /// Parameters for both ends compressing with full windows and context
    /// takeover: what a bare `permessage-deflate` offer and response agree on.
    ///
    /// # Examples
    ///
    /// ```
    /// let p = wsframe::extensions::deflate::DeflateParams::default_params();
    /// assert_eq!(p.server_max_window_bits, 15);
    /// ```
    pub const fn default_params() -> Self {
        Self {
            server_no_context_takeover: false,
            client_no_context_takeover: false,
            server_max_window_bits: MAX_WINDOW_BITS,
            client_max_window_bits: MAX_WINDOW_BITS,
            echo_server_window: false,
            client_window_offered: false,
        }
    }

    /// Parameters agreed elsewhere (stored, or from another API): the context
    /// takeover flags and window sizes; `None` if a window is not 8..=15.
    ///
    /// # Examples
    ///
    /// ```
    /// use wsframe::extensions::deflate::DeflateParams;
    ///
    /// let p = DeflateParams::agreed(true, false, 12, 15).unwrap();
    /// assert!(p.server_no_context_takeover && p.server_max_window_bits == 12);
    /// assert!(DeflateParams::agreed(false, false, 7, 15).is_none());
    /// ```
    #[must_use]
    pub const fn agreed(
        server_no_context_takeover: bool,
        client_no_context_takeover: bool,
        server_max_window_bits: u8,
        client_max_window_bits: u8,
    ) -> Option<Self> {
        if !is_window(server_max_window_bits) || !is_window(client_max_window_bits) {
            return None;
        }
        let mut p = Self::default_params();
        p.server_no_context_takeover = server_no_context_takeover;
        p.client_no_context_takeover = client_no_context_takeover;
        p.server_max_window_bits = server_max_window_bits;
        p.client_max_window_bits = client_max_window_bits;
        Some(p)
    }
}

/// Whether `bits` is a window size permessage-deflate allows (RFC 7692 §7.1.2).
const fn is_window(bits: u8) -> bool {
    bits >= MIN_WINDOW_BITS && bits <= MAX_WINDOW_BITS
}

impl From<DeflateParams> for DeflateConfig {
    /// A config that offers (or accepts) exactly `params`, at the default level.
    ///
    /// # Examples
    ///
    /// ```
    /// use wsframe::extensions::deflate::{DeflateConfig, DeflateParams};
    ///
    /// let c = DeflateConfig::from(DeflateParams::agreed(false, true, 15, 10).unwrap());
    /// assert!(c.client_no_context_takeover && c.client_max_window_bits == 10);
    /// ```
    fn from(p: DeflateParams) -> Self {
        Self::default()
            .with_server_no_context_takeover(p.server_no_context_takeover)
            .with_client_no_context_takeover(p.client_no_context_takeover)
            .with_max_window_bits(p.server_max_window_bits, p.client_max_window_bits)
    }
}

#[cfg(feature = "alloc")]
mod codec;
#[cfg(feature = "alloc")]
pub use codec::{Compressor, Decompressor};
