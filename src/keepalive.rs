//! Sans-IO heartbeat: when to send a Ping, when to give up on the peer.
//!
//! RFC 6455 §5.5.2 allows a Ping "as a means to keep alive or to verify that
//! the remote endpoint is still responsive", and §5.5.3 requires the peer to
//! answer with a Pong. This timer owns no clock: the caller passes `now` in
//! milliseconds of its own monotonic clock, sends the Ping itself when told
//! to, and reports every arrival from the peer. Any frame counts as a sign of
//! life, not only the Pong, so a busy connection is never pinged.
//!
//! All arithmetic saturates; a clock that stalls or goes backwards only delays
//! the next action.

/// What the caller should do after [`Keepalive::poll`].
///
/// # Examples
///
/// ```
/// use wsframe::keepalive::{Keepalive, KeepaliveAction};
///
/// let mut k = Keepalive::new(1_000, 500, 0);
/// assert_eq!(k.poll(999), KeepaliveAction::Idle);
/// assert_eq!(k.poll(1_000), KeepaliveAction::SendPing);
/// assert_eq!(k.poll(1_500), KeepaliveAction::PeerDead);
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum KeepaliveAction {
    /// Nothing to do before [`Keepalive::next_deadline`].
    Idle,
    /// Nothing was received for the interval: send a Ping (RFC 6455 §5.5.2).
    /// Reported once per silence; the timer then waits for any arrival.
    SendPing,
    /// Nothing was received for the timeout after the Ping: the peer is
    /// presumed gone. Close the connection (RFC 6455 §7.1.1 allows dropping
    /// TCP when the peer is unresponsive). Reported on every poll from then
    /// until [`Keepalive::on_receive`].
    PeerDead,
}

/// A heartbeat timer driven by the caller's clock.
///
/// # Examples
///
/// ```
/// use wsframe::keepalive::{Keepalive, KeepaliveAction};
///
/// let mut ka = Keepalive::new(30_000, 10_000, 0);
/// assert_eq!(ka.poll(29_999), KeepaliveAction::Idle);
/// assert_eq!(ka.next_deadline(), 30_000);
/// assert_eq!(ka.poll(30_000), KeepaliveAction::SendPing);
/// assert_eq!(ka.poll(35_000), KeepaliveAction::Idle); // ping already sent
/// assert_eq!(ka.poll(40_000), KeepaliveAction::PeerDead);
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Keepalive {
    interval_ms: u64,
    timeout_ms: u64,
    /// When the peer was last heard from.
    last_receive_ms: u64,
    /// When the outstanding Ping was requested, if one is.
    ping_sent_ms: Option<u64>,
}

impl Keepalive {
    /// Creates a timer that asks for a Ping after `interval_ms` of silence
    /// and declares the peer dead `timeout_ms` after that Ping if still
    /// nothing has arrived. `now_ms` counts as the last arrival (typically
    /// the end of the opening handshake).
    ///
    /// An `interval_ms` of `u64::MAX` in effect disables the heartbeat.
    ///
    /// # Examples
    ///
    /// ```
    /// use wsframe::keepalive::Keepalive;
    ///
    /// let ka = Keepalive::new(20_000, 5_000, 1_000);
    /// assert_eq!(ka.next_deadline(), 21_000);
    /// ```
    #[must_use]
    pub const fn new(interval_ms: u64, timeout_ms: u64, now_ms: u64) -> Self {
        Self { interval_ms, timeout_ms, last_receive_ms: now_ms, ping_sent_ms: None }
    }

    /// Records that something arrived from the peer (any frame, including a
    /// Pong, or any bytes): the peer is alive and the interval restarts.
    ///
    /// # Examples
    ///
    /// ```
    /// use wsframe::keepalive::{Keepalive, KeepaliveAction};
    ///
    /// let mut ka = Keepalive::new(1_000, 500, 0);
    /// assert_eq!(ka.poll(1_000), KeepaliveAction::SendPing);
    /// ka.on_receive(1_200); // the Pong
    /// assert_eq!(ka.poll(2_000), KeepaliveAction::Idle);
    /// assert_eq!(ka.next_deadline(), 2_200);
    /// ```
    pub fn on_receive(&mut self, now_ms: u64) {
        self.last_receive_ms = now_ms;
        self.ping_sent_ms = None;
    }

    /// Says what to do at `now_ms`: nothing, send a Ping, or give up.
    ///
    /// Returning [`KeepaliveAction::SendPing`] records the Ping as sent at
    /// `now_ms`; the caller is expected to send it.
    ///
    /// # Examples
    ///
    /// ```
    /// use wsframe::keepalive::{Keepalive, KeepaliveAction};
    ///
    /// let mut ka = Keepalive::new(1_000, 500, 0);
    /// match ka.poll(1_000) {
    ///     KeepaliveAction::SendPing => { /* encode and write a Ping */ }
    ///     KeepaliveAction::PeerDead => { /* close the socket */ }
    ///     _ => {}
    /// }
    /// assert_eq!(ka.poll(1_500), KeepaliveAction::PeerDead);
    /// ```
    pub fn poll(&mut self, now_ms: u64) -> KeepaliveAction {
        match self.ping_sent_ms {
            Some(sent) => {
                if now_ms.saturating_sub(sent) >= self.timeout_ms {
                    KeepaliveAction::PeerDead
                } else {
                    KeepaliveAction::Idle
                }
            }
            None => {
                if now_ms.saturating_sub(self.last_receive_ms) >= self.interval_ms {
                    self.ping_sent_ms = Some(now_ms);
                    KeepaliveAction::SendPing
                } else {
                    KeepaliveAction::Idle
                }
            }
        }
    }

    /// The time at which [`poll`](Self::poll) next has something to do;
    /// `next_deadline().saturating_sub(now)` is the caller's poll/epoll
    /// timeout. Saturates at `u64::MAX`.
    ///
    /// # Examples
    ///
    /// ```
    /// use wsframe::keepalive::Keepalive;
    ///
    /// let mut ka = Keepalive::new(1_000, 500, 0);
    /// assert_eq!(ka.next_deadline(), 1_000);
    /// ka.poll(1_100); // asks for a Ping
    /// assert_eq!(ka.next_deadline(), 1_600);
    /// ```
    #[must_use]
    pub const fn next_deadline(&self) -> u64 {
        match self.ping_sent_ms {
            Some(sent) => sent.saturating_add(self.timeout_ms),
            None => self.last_receive_ms.saturating_add(self.interval_ms),
        }
    }

    /// Returns `true` if a Ping was requested and nothing has arrived since.
    ///
    /// # Examples
    ///
    /// ```
    /// use wsframe::keepalive::Keepalive;
    ///
    /// let mut ka = Keepalive::new(1_000, 500, 0);
    /// assert!(!ka.is_awaiting_reply());
    /// ka.poll(1_000);
    /// assert!(ka.is_awaiting_reply());
    /// ```
    #[must_use]
    pub const fn is_awaiting_reply(&self) -> bool {
        self.ping_sent_ms.is_some()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pings_once_after_interval_then_dies_after_timeout() {
        let mut ka = Keepalive::new(100, 50, 1_000);
        assert_eq!(ka.poll(1_000), KeepaliveAction::Idle);
        assert_eq!(ka.poll(1_099), KeepaliveAction::Idle);
        assert_eq!(ka.poll(1_100), KeepaliveAction::SendPing);
        assert_eq!(ka.poll(1_100), KeepaliveAction::Idle);
        assert_eq!(ka.poll(1_149), KeepaliveAction::Idle);
        assert_eq!(ka.poll(1_150), KeepaliveAction::PeerDead);
        assert_eq!(ka.poll(9_999), KeepaliveAction::PeerDead);
    }

    #[test]
    fn late_poll_pings_then_waits_full_timeout() {
        let mut ka = Keepalive::new(100, 50, 0);
        // Polled long after the interval: ping now, not dead at once.
        assert_eq!(ka.poll(10_000), KeepaliveAction::SendPing);
        assert_eq!(ka.next_deadline(), 10_050);
        assert_eq!(ka.poll(10_049), KeepaliveAction::Idle);
        assert_eq!(ka.poll(10_050), KeepaliveAction::PeerDead);
    }

    #[test]
    fn receive_postpones_ping_and_cancels_death() {
        let mut ka = Keepalive::new(100, 50, 0);
        ka.on_receive(80);
        assert_eq!(ka.poll(150), KeepaliveAction::Idle);
        assert_eq!(ka.next_deadline(), 180);
        assert_eq!(ka.poll(180), KeepaliveAction::SendPing);
        assert_eq!(ka.poll(230), KeepaliveAction::PeerDead);
        ka.on_receive(231);
        assert!(!ka.is_awaiting_reply());
        assert_eq!(ka.poll(231), KeepaliveAction::Idle);
        assert_eq!(ka.next_deadline(), 331);
    }

    #[test]
    fn deadline_matches_poll() {
        let mut ka = Keepalive::new(70, 30, 5);
        for _ in 0..5 {
            let d = ka.next_deadline();
            assert_eq!(ka.poll(d - 1), KeepaliveAction::Idle);
            match ka.poll(d) {
                KeepaliveAction::SendPing => {}
                KeepaliveAction::PeerDead => ka.on_receive(d),
                other => panic!("unexpected {other:?}"),
            }
        }
    }

    #[test]
    fn clock_backwards_or_stalled_does_not_panic() {
        let mut ka = Keepalive::new(100, 50, 1_000);
        assert_eq!(ka.poll(0), KeepaliveAction::Idle);
        assert_eq!(ka.poll(1_000), KeepaliveAction::Idle);
        assert_eq!(ka.poll(1_100), KeepaliveAction::SendPing);
        assert_eq!(ka.poll(500), KeepaliveAction::Idle);
        ka.on_receive(10);
        assert_eq!(ka.next_deadline(), 110);
        assert_eq!(ka.poll(5), KeepaliveAction::Idle);
    }

    #[test]
    fn extreme_values_saturate() {
        let mut ka = Keepalive::new(u64::MAX, u64::MAX, u64::MAX);
        assert_eq!(ka.next_deadline(), u64::MAX);
        assert_eq!(ka.poll(u64::MAX), KeepaliveAction::Idle);
        assert_eq!(ka.poll(0), KeepaliveAction::Idle);

        let mut ka = Keepalive::new(10, u64::MAX, u64::MAX - 5);
        assert_eq!(ka.next_deadline(), u64::MAX);
        assert_eq!(ka.poll(u64::MAX), KeepaliveAction::Idle);

        let mut ka = Keepalive::new(0, 0, 0);
        assert_eq!(ka.poll(0), KeepaliveAction::SendPing);
        assert_eq!(ka.poll(0), KeepaliveAction::PeerDead);
    }

    #[test]
    fn disabled_by_max_interval() {
        let mut ka = Keepalive::new(u64::MAX, 1_000, 0);
        assert_eq!(ka.poll(u64::MAX - 1), KeepaliveAction::Idle);
        assert_eq!(ka.next_deadline(), u64::MAX);
    }
}
