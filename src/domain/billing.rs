//! Cost of auto triggered tasks: a Running task bills once per scheduled run; a Frozen one accrues nothing.
use super::Timestamp;

/// Hourly runs at $0.50 each for tasks created by publishing a node.
pub const DEFAULT_INTERVAL_SECS: i64 = 3_600;
pub const DEFAULT_PRICE_CENTS: i64 = 50;

/// Scheduled runs of a task anchored at `anchor` (runs at anchor + k·interval, k ≥ 1) that fall in (start, end].
pub fn runs_between(anchor: Timestamp, interval: i64, start: Timestamp, end: Timestamp) -> i64 {
    if end <= start || interval <= 0 {
        return 0;
    }
    let ticks = |t: Timestamp| (t - anchor).max(0).div_euclid(interval);
    ticks(end) - ticks(start)
}

/// The cost in cents over a task's Running periods (an open period runs until `now`).
pub fn cost_cents(
    anchor: Timestamp,
    interval: i64,
    price_cents: i64,
    periods: &[(Timestamp, Option<Timestamp>)],
    now: Timestamp,
) -> i64 {
    periods
        .iter()
        .map(|&(start, end)| runs_between(anchor, interval, start, end.unwrap_or(now).min(now)))
        .sum::<i64>()
        * price_cents
}

/// "Hourly, $0.50 per run"
pub fn describe_schedule(interval: i64, price_cents: i64) -> String {
    let every = match interval {
        3_600 => "Hourly".to_owned(),
        86_400 => "Daily".to_owned(),
        s if s % 3_600 == 0 => format!("Every {} hours", s / 3_600),
        s => format!("Every {} minutes", s / 60),
    };
    format!("{every}, {} per run", format_cents(price_cents))
}

/// "$12.50"
pub fn format_cents(cents: i64) -> String {
    format!("${}.{:02}", cents / 100, cents % 100)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_running_task_bills_each_scheduled_run() {
        assert_eq!(runs_between(0, 3600, 0, 3599), 0);
        assert_eq!(runs_between(0, 3600, 0, 3600), 1);
        assert_eq!(runs_between(0, 3600, 0, 86_400), 24);
        assert_eq!(runs_between(0, 3600, 1800, 1800 + 86_400), 24);
    }

    #[test]
    fn frozen_periods_accrue_nothing() {
        let periods = [(0, Some(7200)), (36_000, None)];
        // Runs at 1h, 2h while running; frozen 2h..10h; running again from 10h to 12h: runs at 11h, 12h.
        assert_eq!(cost_cents(0, 3600, 50, &periods, 43_200), 4 * 50);
    }

    #[test]
    fn cost_never_counts_the_future() {
        assert_eq!(cost_cents(0, 3600, 50, &[(0, Some(100_000))], 3600), 50);
    }

    #[test]
    fn cents_are_shown_as_dollars() {
        assert_eq!(format_cents(1250), "$12.50");
        assert_eq!(format_cents(5), "$0.05");
    }
}
