use super::Timestamp;
use chrono::{DateTime, Datelike, NaiveDateTime, Timelike};

/// The calendar fields of `ts` in UTC (the Unix epoch for a time chrono cannot hold). Written
/// out with `format!` rather than chrono's strftime, whose pattern parser and formatter would
/// otherwise come along into the browser's WASM with every page that shows a time.
fn utc(ts: Timestamp) -> NaiveDateTime {
    DateTime::from_timestamp(ts, 0)
        .unwrap_or_default()
        .naive_utc()
}

/// Year, month, day, hour, minute and second of `ts` in UTC.
pub fn utc_fields(ts: Timestamp) -> (i32, u32, u32, u32, u32, u32) {
    let t = utc(ts);
    (
        t.year(),
        t.month(),
        t.day(),
        t.hour(),
        t.minute(),
        t.second(),
    )
}

fn ymd_hms(ts: Timestamp, between: char) -> String {
    let t = utc(ts);
    format!(
        "{:04}-{:02}-{:02}{between}{:02}:{:02}:{:02}",
        t.year(),
        t.month(),
        t.day(),
        t.hour(),
        t.minute(),
        t.second()
    )
}

/// "2026-11-28T13:30:12Z".
pub fn to_rfc3339(ts: Timestamp) -> String {
    ymd_hms(ts, 'T') + "Z"
}

/// "2026-11-28 13:30:12 UTC": what the server renders before the browser shows local time.
pub fn format_utc(ts: Timestamp) -> String {
    ymd_hms(ts, ' ') + " UTC"
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times_read_as_chrono_formats_them() {
        for ts in [
            0,
            1,
            59,
            86_399,
            951_782_400, // 2000-02-29
            1_764_337_812,
            1_798_761_599,   // the last second of 2026
            4_102_444_800,   // 2100-01-01
            253_402_300_799, // 9999-12-31T23:59:59
        ] {
            let t = DateTime::from_timestamp(ts, 0).unwrap();
            assert_eq!(
                to_rfc3339(ts),
                t.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
            );
            assert_eq!(
                format_utc(ts),
                t.format("%Y-%m-%d %H:%M:%S UTC").to_string()
            );
        }
        assert_eq!(format_utc(i64::MAX), "1970-01-01 00:00:00 UTC");
    }
}
