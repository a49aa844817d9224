//! Throttling of sign-in, sign-up and AccessKey authentication: a fixed window of attempts per
//! key, then a block.
use super::Timestamp;

/// At most `max` counted attempts within `window` seconds; the attempt that reaches `max`
/// blocks the key for `block` seconds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limit {
    pub max: i64,
    pub window: i64,
    pub block: i64,
}

/// Failed sign-ins of one user name: 5 in 15 minutes, then 15 minutes' wait.
pub const SIGN_IN_PER_USER: Limit = Limit {
    max: 5,
    window: 900,
    block: 900,
};
/// Failed sign-ins from one address, whatever the user name: 20 in 15 minutes.
pub const SIGN_IN_PER_ADDRESS: Limit = Limit {
    max: 20,
    window: 900,
    block: 900,
};
/// Failed AccessKey authentications of one AccessKey ID (a secret that does not verify): 5 in 15
/// minutes, then 15 minutes' wait, as for a user name's sign-ins.
pub const ACCESS_KEY_PER_KEY: Limit = Limit {
    max: 5,
    window: 900,
    block: 900,
};
/// Failed AccessKey authentications from one address, whatever the key: 20 in 15 minutes.
pub const ACCESS_KEY_PER_ADDRESS: Limit = Limit {
    max: 20,
    window: 900,
    block: 900,
};
/// Sign-ups from one address, successful or not: 10 an hour.
pub const SIGN_UP_PER_ADDRESS: Limit = Limit {
    max: 10,
    window: 3_600,
    block: 3_600,
};

/// What the database keeps per key.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Attempts {
    pub count: i64,
    pub window_start: Timestamp,
    pub blocked_until: Timestamp,
}

impl Attempts {
    /// Seconds the key must still wait, if it is blocked at `now`.
    pub fn retry_after(&self, now: Timestamp) -> Option<u64> {
        (self.blocked_until > now).then(|| (self.blocked_until - now) as u64)
    }

    /// The state after one more counted attempt at `now`.
    pub fn record(self, now: Timestamp, limit: Limit) -> Attempts {
        let fresh = now.saturating_sub(self.window_start) >= limit.window || self.count == 0;
        let (count, window_start) = if fresh {
            (1, now)
        } else {
            (self.count + 1, self.window_start)
        };
        let blocked_until = if count >= limit.max {
            now.saturating_add(limit.block)
        } else {
            self.blocked_until
        };
        Attempts {
            count: if count >= limit.max { 0 } else { count },
            window_start,
            blocked_until,
        }
    }

    /// Whether the row can be forgotten: no block left and its window is over.
    pub fn is_stale(&self, now: Timestamp, limit: Limit) -> bool {
        self.blocked_until <= now && now.saturating_sub(self.window_start) >= limit.window
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const L: Limit = Limit {
        max: 3,
        window: 60,
        block: 300,
    };

    fn after(n: usize, now: Timestamp) -> Attempts {
        (0..n).fold(Attempts::default(), |a, _| a.record(now, L))
    }

    #[test]
    fn attempts_below_the_limit_are_not_blocked() {
        assert_eq!(after(2, 1_000).retry_after(1_000), None);
    }

    #[test]
    fn the_attempt_that_reaches_the_limit_blocks_for_the_block_time() {
        let a = after(3, 1_000);
        assert_eq!(a.retry_after(1_000), Some(300));
        assert_eq!(a.retry_after(1_299), Some(1));
        assert_eq!(a.retry_after(1_300), None);
    }

    #[test]
    fn a_new_window_starts_the_count_again() {
        let a = after(2, 1_000).record(1_060, L);
        assert_eq!((a.count, a.window_start), (1, 1_060));
        assert_eq!(a.retry_after(1_060), None);
    }

    #[test]
    fn after_a_block_the_count_starts_again() {
        let a = after(3, 1_000).record(1_300, L);
        assert_eq!(a.retry_after(1_300), None);
        assert_eq!(a.count, 1);
    }

    #[test]
    fn only_an_old_unblocked_row_is_stale() {
        let a = after(3, 1_000);
        assert!(!a.is_stale(1_100, L));
        assert!(a.is_stale(1_300, L));
        assert!(!after(1, 1_000).is_stale(1_059, L));
    }

    #[test]
    fn times_near_the_ends_of_i64_do_not_overflow() {
        let a = Attempts::default().record(i64::MAX, L);
        assert_eq!(a.retry_after(i64::MAX), None);
        let b = after(3, i64::MAX - 10);
        assert_eq!(b.blocked_until, i64::MAX);
    }
}
