use crate::domain::Timestamp;
use std::sync::Arc;
use std::sync::atomic::{AtomicI64, Ordering};

/// The one clock every time rule reads. The system clock can be moved forward (test mode);
/// a fixed clock stands still until advanced (unit and database tests).
#[derive(Clone, Debug)]
pub struct Clock {
    base: Option<Timestamp>,
    offset: Arc<AtomicI64>,
}

impl Clock {
    pub fn system() -> Self {
        Self {
            base: None,
            offset: Arc::default(),
        }
    }

    pub fn fixed(at: Timestamp) -> Self {
        Self {
            base: Some(at),
            offset: Arc::default(),
        }
    }

    fn base(&self) -> Timestamp {
        self.base.unwrap_or_else(|| chrono::Utc::now().timestamp())
    }

    pub fn now(&self) -> Timestamp {
        self.base()
            .saturating_add(self.offset.load(Ordering::SeqCst))
    }

    /// How far the clock has been moved forward.
    pub fn offset(&self) -> i64 {
        self.offset.load(Ordering::SeqCst)
    }

    /// Takes the offset that another instance stored (test mode); one that does not fit is ignored.
    pub fn set_offset(&self, offset: i64) {
        if offset >= 0 && self.base().checked_add(offset).is_some() {
            self.offset.store(offset, Ordering::SeqCst);
        }
    }

    /// Moves the clock forward; panics only if that would leave the range of time.
    pub fn advance(&self, secs: i64) -> Timestamp {
        self.try_advance(secs)
            .expect("the clock cannot move past the end of time")
    }

    /// Moves the clock forward by `secs` (not backward), or changes nothing and answers `None`
    /// when the new time would not fit.
    pub fn try_advance(&self, secs: i64) -> Option<Timestamp> {
        if secs < 0 {
            return None;
        }
        let base = self.base();
        self.offset
            .try_update(Ordering::SeqCst, Ordering::SeqCst, |offset| {
                offset
                    .checked_add(secs)
                    .filter(|o| base.checked_add(*o).is_some())
            })
            .ok()?;
        Some(self.now())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_fixed_clock_moves_only_when_advanced_and_clones_share_it() {
        let clock = Clock::fixed(1_000);
        let other = clock.clone();
        assert_eq!(clock.now(), 1_000);
        assert_eq!(other.advance(60), 1_060);
        assert_eq!(clock.now(), 1_060);
    }

    #[test]
    fn an_offset_that_does_not_fit_is_ignored() {
        let clock = Clock::fixed(1_000);
        clock.set_offset(60);
        assert_eq!(clock.now(), 1_060);
        clock.set_offset(i64::MAX);
        clock.set_offset(-1);
        assert_eq!((clock.now(), clock.offset()), (1_060, 60));
    }

    #[test]
    fn an_advance_past_the_end_of_time_changes_nothing() {
        let clock = Clock::fixed(1_000);
        assert_eq!(clock.try_advance(i64::MAX), None);
        assert_eq!(clock.try_advance(-5), None);
        assert_eq!(clock.now(), 1_000);
        assert_eq!(clock.try_advance(i64::MAX - 1_000), Some(i64::MAX));
        assert_eq!(clock.try_advance(1), None);
        assert_eq!(clock.now(), i64::MAX);
    }
}
