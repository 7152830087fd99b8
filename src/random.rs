//! Caller-supplied randomness (RFC 6455 §10.3).
//!
//! The core owns no entropy source: clients need unpredictable masking keys
//! (§5.3) and handshake nonces (§4.1), and where those come from depends on
//! the platform (the OS, Web Crypto, a hardware TRNG). The caller hands in a
//! [`RandomSource`].

/// A source of cryptographically strong random bytes.
///
/// Implemented for any `FnMut(&mut [u8])`, so a closure over the platform's
/// generator is enough; a source that can fail (an OS call, a hardware
/// generator not ready) implements [`RandomSource::fill`] itself and returns
/// [`RandomError`]. A client then sends nothing rather than a predictable key.
///
/// # Examples
///
/// ```
/// use wsframe::RandomSource;
///
/// // A real program fills from the OS or a TRNG; this counter is for the doctest only.
/// let mut n = 0u8;
/// let mut rng = |buf: &mut [u8]| {
///     for b in buf {
///         n = n.wrapping_add(1);
///         *b = n;
///     }
/// };
/// let mut key = [0u8; 4];
/// rng.fill(&mut key).unwrap();
/// assert_eq!(key, [1, 2, 3, 4]);
/// ```
pub trait RandomSource {
    /// Fills `dest` entirely with random bytes.
    ///
    /// # Errors
    ///
    /// [`RandomError`] when no randomness could be had; `dest` may then hold
    /// anything and must not be used.
    fn fill(&mut self, dest: &mut [u8]) -> Result<(), RandomError>;
}

impl<F: FnMut(&mut [u8])> RandomSource for F {
    fn fill(&mut self, dest: &mut [u8]) -> Result<(), RandomError> {
        self(dest);
        Ok(())
    }
}

/// A [`RandomSource`] could not produce random bytes.
///
/// # Examples
///
/// ```
/// use wsframe::{NoRandom, RandomSource};
///
/// assert!(NoRandom.fill(&mut [0u8; 4]).is_err());
/// ```
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct RandomError;

impl core::fmt::Display for RandomError {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str("no random bytes available")
    }
}

impl core::error::Error for RandomError {}

/// A [`RandomSource`] for roles that never draw randomness (servers).
///
/// Server frames are not masked (RFC 6455 §5.1), so a server connection never
/// calls its source. Asked anyway, it fails: a client built with it sends
/// nothing ([`crate::Error::RandomFailed`]) rather than frames masked with a
/// predictable key.
///
/// # Examples
///
/// ```
/// use wsframe::{Config, Connection, NoRandom, Role};
///
/// let conn = Connection::new(Role::Server, Config::default(), NoRandom);
/// assert_eq!(conn.role(), Role::Server);
/// ```
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct NoRandom;

impl RandomSource for NoRandom {
    fn fill(&mut self, _dest: &mut [u8]) -> Result<(), RandomError> {
        Err(RandomError)
    }
}

/// Any cryptographically secure generator of the rand ecosystem as a
/// [`RandomSource`] (feature `rand`): `rand::rng()` (ChaCha, seeded and
/// reseeded from the OS, no system call per frame), `rand::rngs::SysRng`,
/// a hardware generator's `rand_core` driver. Only generators marked
/// `TryCryptoRng` are accepted: masking keys must be unpredictable
/// (RFC 6455 §10.3), so a seeded statistical generator does not qualify.
///
/// # Examples
///
/// ```
/// use wsframe::{Config, Connection, CryptoRandom};
///
/// let mut client = Connection::client(Config::default(), CryptoRandom(rand::rng()));
/// assert!(client.send_text("hi", &mut [0u8; 16]).is_ok());
/// ```
#[cfg(feature = "rand")]
#[derive(Debug, Clone, Default)]
pub struct CryptoRandom<R>(pub R);

#[cfg(feature = "rand")]
impl<R: rand_core::TryCryptoRng> RandomSource for CryptoRandom<R> {
    fn fill(&mut self, dest: &mut [u8]) -> Result<(), RandomError> {
        self.0.try_fill_bytes(dest).map_err(|_| RandomError)
    }
}
