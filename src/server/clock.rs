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

    pub fn now(&self) -> Timestamp {
        let base = self.base.unwrap_or_else(|| chrono::Utc::now().timestamp());
        base + self.offset.load(Ordering::SeqCst)
    }

    pub fn advance(&self, secs: i64) -> Timestamp {
        self.offset.fetch_add(secs, Ordering::SeqCst);
        self.now()
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
}
