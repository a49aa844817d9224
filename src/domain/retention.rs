//! The Recycle Bin's fixed 14-day retention. There is deliberately no way to extend it.
use super::Timestamp;

pub const RETENTION_DAYS: i64 = 14;
pub const RETENTION_SECS: i64 = RETENTION_DAYS * 24 * 60 * 60;
pub const URGENT_SECS: i64 = 24 * 60 * 60;

/// When a workspace deleted at `deleted_at` is permanently deleted: exactly 14 days later.
pub fn purge_time(deleted_at: Timestamp) -> Timestamp {
    deleted_at + RETENTION_SECS
}

/// An entry whose time is up can never be recovered, even before the purge job has run.
pub fn is_expired(purge_at: Timestamp, now: Timestamp) -> bool {
    now >= purge_at
}

pub fn remaining_secs(purge_at: Timestamp, now: Timestamp) -> i64 {
    (purge_at - now).max(0)
}

/// In its last 24 hours an entry is marked urgent.
pub fn is_urgent(purge_at: Timestamp, now: Timestamp) -> bool {
    !is_expired(purge_at, now) && remaining_secs(purge_at, now) <= URGENT_SECS
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retention_is_exactly_fourteen_days() {
        assert_eq!(purge_time(1_000), 1_000 + 1_209_600);
    }

    #[test]
    fn an_entry_expires_at_exactly_fourteen_days() {
        let purge_at = purge_time(0);
        assert!(!is_expired(purge_at, purge_at - 1));
        assert!(is_expired(purge_at, purge_at));
        assert!(is_expired(purge_at, purge_at + 1));
    }

    #[test]
    fn the_last_twenty_four_hours_are_urgent() {
        let purge_at = purge_time(0);
        assert!(!is_urgent(purge_at, purge_at - URGENT_SECS - 1));
        assert!(is_urgent(purge_at, purge_at - URGENT_SECS));
        assert!(is_urgent(purge_at, purge_at - 1));
        assert!(!is_urgent(purge_at, purge_at));
    }
}
