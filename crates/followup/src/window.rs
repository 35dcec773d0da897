//! Sending at a sensible local time (care policy section 6): a message to a client due
//! outside the window (08:00 to 20:00 by default) in the client's time zone goes at the
//! window's next start instead. Local times come from the time-zone database, so the answer
//! is right across daylight-saving changes.

use care::knowledge::model::Schedule;
use jiff::civil::Time;
use jiff::tz::TimeZone;
use store::Timestamp;

/// The time zone named `name`, else `fallback`'s, else UTC.
pub fn time_zone(name: Option<&str>, fallback: &str) -> TimeZone {
    name.and_then(|n| TimeZone::get(n).ok()).or_else(|| TimeZone::get(fallback).ok()).unwrap_or(TimeZone::UTC)
}

fn zoned(t: Timestamp, tz: &TimeZone) -> Option<jiff::ZonedDateTime> {
    jiff::Timestamp::from_millisecond(t.0).ok().map(|ts| ts.to_zoned_datetime(tz.clone()))
}

fn start_on(date: jiff::civil::Date, hour: u8, tz: &TimeZone) -> Option<Timestamp> {
    let local = date.at(i8::try_from(hour).ok()?, 0, 0, 0);
    // A start hour inside a clock change's gap is moved on by the gap (jiff's "compatible").
    let z = local.to_zoned_datetime(tz.clone()).ok()?;
    Some(Timestamp(z.timestamp().as_millisecond()))
}

/// The first instant at or after `t` inside the sending window in `tz`.
pub fn sending_time(t: Timestamp, tz: &TimeZone, schedule: &Schedule) -> Timestamp {
    let Some(z) = zoned(t, tz) else { return t };
    let start = Time::new(i8::try_from(schedule.window_start_hour).unwrap_or(8), 0, 0, 0).unwrap_or(Time::midnight());
    let end = match schedule.window_end_hour {
        24.. => Time::MAX,
        h => Time::new(i8::try_from(h).unwrap_or(20), 0, 0, 0).unwrap_or(Time::MAX),
    };
    let time = z.time();
    if time < start {
        start_on(z.date(), schedule.window_start_hour, tz).unwrap_or(t)
    } else if time > end {
        z.date().tomorrow().ok().and_then(|d| start_on(d, schedule.window_start_hour, tz)).unwrap_or(t)
    } else {
        t
    }
}

/// The window's next start strictly after `t` in `tz` (when a daily digest goes).
pub fn next_window_start(t: Timestamp, tz: &TimeZone, schedule: &Schedule) -> Timestamp {
    let Some(z) = zoned(t, tz) else { return t };
    let today = start_on(z.date(), schedule.window_start_hour, tz);
    match today {
        Some(s) if s > t => s,
        _ => z.date().tomorrow().ok().and_then(|d| start_on(d, schedule.window_start_hour, tz)).unwrap_or(t),
    }
}

/// The local calendar date of `t` in `tz`, as `YYYY-MM-DD`.
pub fn local_date(t: Timestamp, tz: &TimeZone) -> String {
    zoned(t, tz).map(|z| z.date().to_string()).unwrap_or_default()
}

/// `t` as local time in `tz`, for people: `2026-11-28 08:00 (Europe/London)`.
pub fn local_time(t: Timestamp, tz: &TimeZone) -> String {
    match zoned(t, tz) {
        Some(z) => format!("{} ({})", z.strftime("%Y-%m-%d %H:%M"), tz.iana_name().unwrap_or("UTC")),
        None => t.0.to_string(),
    }
}
