use super::Timestamp;
use chrono::{DateTime, Utc};

pub fn to_rfc3339(ts: Timestamp) -> String {
    DateTime::<Utc>::from_timestamp(ts, 0)
        .unwrap_or_default()
        .to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
}

/// "2026-11-28 13:30:12 UTC": what the server renders before the browser shows local time.
pub fn format_utc(ts: Timestamp) -> String {
    DateTime::<Utc>::from_timestamp(ts, 0)
        .unwrap_or_default()
        .format("%Y-%m-%d %H:%M:%S UTC")
        .to_string()
}
