//! Reconnect delays (RFC 6455 §7.2.3).
//!
//! After an abnormal closure a client that reconnects "SHOULD" wait a random
//! 0 to 5 seconds before the first attempt, so that many clients cut off at
//! once do not return at once, and "SHOULD use some form of backoff" such as
//! truncated binary exponential backoff for later attempts.
//!
//! [`Backoff`] draws its jitter from a caller-supplied [`RandomSource`], like
//! the rest of the core. Attempt 0 waits a uniform delay in
//! `[0, first_window]`. Attempt `n >= 1` has the window
//! `min(base * 2^(n-1), max)` and waits a uniform delay in
//! `[window / 2, window]`: the lower bound keeps growing so a failing server
//! is not hammered, and the upper half stays random so clients stay spread.

use core::num::NonZeroU64;

use crate::RandomSource;
use crate::close::CloseCode;

/// Whether a client should reconnect after its connection ended with `code`
/// (1006 [`CloseCode::ABNORMAL_CLOSURE`] when no Close frame arrived: the TCP
/// connection broke, the peer went silent, the handshake failed).
///
/// Yes for an abnormal closure and for the server's 1011 (internal error),
/// 1012 (service restart) and 1013 (try again later): conditions that can
/// pass. No for a clean 1000 or 1001 (the peer meant to close) and for every
/// other code, which reports a problem that retrying does not fix (a policy
/// violation, a protocol error, an unsupported message).
///
/// # Examples
///
/// ```
/// use wsframe::{CloseCode, backoff::should_reconnect};
///
/// assert!(should_reconnect(CloseCode::ABNORMAL_CLOSURE));
/// assert!(should_reconnect(CloseCode::SERVICE_RESTART));
/// assert!(!should_reconnect(CloseCode::NORMAL));
/// assert!(!should_reconnect(CloseCode::POLICY_VIOLATION));
/// ```
#[must_use]
pub const fn should_reconnect(code: CloseCode) -> bool {
    matches!(code.0, 1006 | 1011 | 1012 | 1013)
}

/// The first-attempt window RFC 6455 §7.2.3 suggests: 5 seconds.
pub const FIRST_WINDOW_MS: u64 = 5_000;

/// Truncated binary exponential backoff with jitter (RFC 6455 §7.2.3).
///
/// # Examples
///
/// ```
/// use wsframe::backoff::Backoff;
///
/// let mut rng = |buf: &mut [u8]| buf.fill(0xA5); // use the OS or a TRNG
/// let mut backoff = Backoff::new(60_000);
/// let first = backoff.next_delay(&mut rng);
/// assert!(first <= 5_000);
/// let second = backoff.next_delay(&mut rng);
/// assert!((2_500..=5_000).contains(&second));
/// backoff.reset(); // after a successful connection
/// assert_eq!(backoff.attempts(), 0);
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Backoff {
    first_window_ms: u64,
    base_ms: u64,
    max_ms: u64,
    attempts: u32,
}

impl Backoff {
    /// Creates a backoff with the RFC's 5-second first window, windows that
    /// double from 5 s for later attempts, and no delay above `max_ms`.
    ///
    /// # Examples
    ///
    /// ```
    /// use wsframe::backoff::Backoff;
    ///
    /// let backoff = Backoff::new(120_000);
    /// assert_eq!(backoff.max_ms(), 120_000);
    /// ```
    #[must_use]
    pub const fn new(max_ms: u64) -> Self {
        Self::with_params(FIRST_WINDOW_MS, FIRST_WINDOW_MS, max_ms)
    }

    /// Creates a backoff whose first delay is uniform in
    /// `[0, first_window_ms]`, whose attempt `n >= 1` has the window
    /// `base_ms * 2^(n-1)`, and whose delays never exceed `max_ms`.
    ///
    /// RFC 6455 §7.2.3 suggests a first window of 5 s ([`FIRST_WINDOW_MS`]).
    ///
    /// # Examples
    ///
    /// ```
    /// use wsframe::backoff::Backoff;
    ///
    /// let mut zeros = |buf: &mut [u8]| buf.fill(0);
    /// let mut backoff = Backoff::with_params(1_000, 200, 1_000);
    /// assert_eq!(backoff.next_delay(&mut zeros), 0);
    /// assert_eq!(backoff.next_delay(&mut zeros), 100); // window 200
    /// assert_eq!(backoff.next_delay(&mut zeros), 200); // window 400
    /// ```
    #[must_use]
    pub const fn with_params(first_window_ms: u64, base_ms: u64, max_ms: u64) -> Self {
        Self { first_window_ms, base_ms, max_ms, attempts: 0 }
    }

    /// Returns how long to wait, in milliseconds, before the next connection
    /// attempt, and counts that attempt.
    ///
    /// # Examples
    ///
    /// ```
    /// use wsframe::backoff::Backoff;
    ///
    /// let mut ones = |buf: &mut [u8]| buf.fill(0xFF);
    /// let mut backoff = Backoff::new(30_000);
    /// for _ in 0..100 {
    ///     assert!(backoff.next_delay(&mut ones) <= 30_000);
    /// }
    /// assert_eq!(backoff.attempts(), 100);
    /// ```
    pub fn next_delay<R: RandomSource>(&mut self, rng: &mut R) -> u64 {
        let delay = match self.attempts.checked_sub(1) {
            None => uniform(rng, 0, self.first_window_ms.min(self.max_ms)),
            Some(doublings) => {
                let window = 1u64
                    .checked_shl(doublings)
                    .and_then(|factor| self.base_ms.checked_mul(factor))
                    .unwrap_or(u64::MAX)
                    .min(self.max_ms);
                uniform(rng, window / 2, window)
            }
        };
        self.attempts = self.attempts.saturating_add(1);
        delay
    }

    /// Starts over after a successful connection: the next delay is again a
    /// first delay.
    ///
    /// # Examples
    ///
    /// ```
    /// use wsframe::backoff::Backoff;
    ///
    /// let mut rng = |buf: &mut [u8]| buf.fill(7);
    /// let mut backoff = Backoff::new(60_000);
    /// backoff.next_delay(&mut rng);
    /// backoff.reset();
    /// assert_eq!(backoff.attempts(), 0);
    /// ```
    pub fn reset(&mut self) {
        self.attempts = 0;
    }

    /// How many delays were handed out since creation or the last
    /// [`reset`](Self::reset) (saturates at `u32::MAX`).
    ///
    /// # Examples
    ///
    /// ```
    /// use wsframe::backoff::Backoff;
    ///
    /// assert_eq!(Backoff::new(60_000).attempts(), 0);
    /// ```
    #[must_use]
    pub const fn attempts(&self) -> u32 {
        self.attempts
    }

    /// The cap on any delay, in milliseconds.
    ///
    /// # Examples
    ///
    /// ```
    /// use wsframe::backoff::Backoff;
    ///
    /// assert_eq!(Backoff::new(9_000).max_ms(), 9_000);
    /// ```
    #[must_use]
    pub const fn max_ms(&self) -> u64 {
        self.max_ms
    }
}

/// A draw in `[lo, hi]`. The modulo bias is below `span / 2^64`, nothing for
/// delays in milliseconds. Without randomness the delay is the middle of the
/// range: still within the policy, only not spread out.
fn uniform<R: RandomSource>(rng: &mut R, lo: u64, hi: u64) -> u64 {
    let mut bytes = [0u8; 8];
    if rng.fill(&mut bytes).is_err() {
        return lo.saturating_add(hi.saturating_sub(lo) / 2);
    }
    let r = u64::from_le_bytes(bytes);
    let span = hi.saturating_sub(lo);
    match span.checked_add(1).and_then(NonZeroU64::new) {
        Some(n) => lo.saturating_add(r % n),
        None => r,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// xorshift64, for tests only.
    struct Xorshift(u64);

    impl RandomSource for Xorshift {
        fn fill(&mut self, dest: &mut [u8]) -> Result<(), crate::RandomError> {
            for b in dest {
                self.0 ^= self.0 << 13;
                self.0 ^= self.0 >> 7;
                self.0 ^= self.0 << 17;
                *b = self.0 as u8;
            }
            Ok(())
        }
    }

    fn fixed(byte: u8) -> impl FnMut(&mut [u8]) {
        move |buf: &mut [u8]| buf.fill(byte)
    }

    #[test]
    fn s7_2_3_first_delay_within_five_seconds() {
        let mut rng = Xorshift(0x9E37_79B9_7F4A_7C15);
        let mut seen_low = false;
        let mut seen_high = false;
        for _ in 0..10_000 {
            let mut b = Backoff::new(600_000);
            let d = b.next_delay(&mut rng);
            assert!(d <= 5_000, "{d}");
            seen_low |= d < 500;
            seen_high |= d > 4_500;
        }
        assert!(seen_low && seen_high, "draws should cover the window");
        assert!(Backoff::new(600_000).next_delay(&mut fixed(0xFF)) <= 5_000);
    }

    #[test]
    fn s7_2_3_windows_double_then_cap() {
        let mut lo = Backoff::new(60_000);
        let mut hi = Backoff::new(60_000);
        let mut zeros = fixed(0);
        let mut ones = fixed(0xFF);
        lo.next_delay(&mut zeros);
        hi.next_delay(&mut ones);
        let mut window = 5_000u64;
        for _ in 1..40 {
            let w = window.min(60_000);
            let a = lo.next_delay(&mut zeros);
            let b = hi.next_delay(&mut ones);
            assert_eq!(a, w / 2);
            assert!((w / 2..=w).contains(&b), "{b} outside window {w}");
            window = window.saturating_mul(2);
        }
    }

    #[test]
    fn s7_2_3_random_delays_stay_in_window() {
        let mut rng = Xorshift(12345);
        let mut b = Backoff::new(100_000);
        assert!(b.next_delay(&mut rng) <= 5_000);
        for n in 1..30u32 {
            let w = 5_000u64.saturating_mul(1 << (n - 1)).min(100_000);
            let d = b.next_delay(&mut rng);
            assert!((w / 2..=w).contains(&d), "attempt {n}: {d} vs {w}");
        }
    }

    #[test]
    fn no_overflow_at_any_attempt_count() {
        let mut rng = Xorshift(7);
        let mut b = Backoff::with_params(u64::MAX, u64::MAX, u64::MAX);
        for _ in 0..200 {
            b.next_delay(&mut rng);
        }
        b.attempts = u32::MAX - 1;
        for _ in 0..3 {
            assert!(b.next_delay(&mut rng) >= u64::MAX / 2);
        }
        assert_eq!(b.attempts(), u32::MAX);

        let mut capped = Backoff::new(1_000);
        capped.attempts = u32::MAX;
        assert!((500..=1_000).contains(&capped.next_delay(&mut rng)));
    }

    #[test]
    fn cap_below_first_window_and_zero_cap() {
        let mut b = Backoff::new(1_000);
        assert!(b.next_delay(&mut fixed(0xFF)) <= 1_000);
        let mut z = Backoff::new(0);
        for _ in 0..5 {
            assert_eq!(z.next_delay(&mut fixed(0xFF)), 0);
        }
    }

    #[test]
    fn reset_restarts_from_first_window() {
        let mut rng = Xorshift(99);
        let mut b = Backoff::new(1_000_000);
        for _ in 0..10 {
            b.next_delay(&mut rng);
        }
        assert_eq!(b.attempts(), 10);
        assert!(b.next_delay(&mut fixed(0)) >= 500_000);
        b.reset();
        assert_eq!(b.attempts(), 0);
        assert!(b.next_delay(&mut rng) <= 5_000);
        assert_eq!(b.attempts(), 1);
    }
}
