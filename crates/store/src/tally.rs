//! Outcome tallies: the figures of the outcomes page kept as they are written, one row a
//! clinic day and group, so that a period's figures are read from a few thousand rows
//! whatever the size of the clinic's history.
//!
//! Four tallies, each counted by the day in the clinic's calendar (its time zone) and by
//! the session's massage type and therapist, the two things the page filters by:
//!
//! - [`AnswerTally`]: check-ins by the day they were sent, the follow-up's hour, the
//!   pressure and the level, with their soreness;
//! - [`AreaTally`]: the same check-ins' soreness by each body area worked;
//! - [`AskedTally`]: follow-ups by the day they were due, and how many were answered;
//! - [`AlertTally`]: alerts by the day they were raised, and how soon each was
//!   acknowledged, in the steps of [`ACK_STEP_MINUTES`].
//!
//! A store updates them in the same transaction as the check-in, follow-up, alert or
//! acknowledgement they count. [`TallyBuilder`] computes them from the rows themselves: a store rebuilds a
//! clinic's tallies with it when they were counted in another time zone (the clinic's time
//! zone changed), when a clinic is imported, and when a database from before the tallies is
//! opened; the conformance suite checks that what a store keeps equals what the builder
//! computes from its rows.

use crate::{OutcomeCheckIn, StaffId, Timestamp};
use care::Level;
use std::collections::BTreeMap;

/// The soreness from which an answer counts as "very sore" (0 to 10 scale).
pub const VERY_SORE: u8 = 7;

/// A day in a clinic's calendar: days since 1970-01-01, of the local date in the clinic's
/// time zone.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Day(pub i32);

const EPOCH: jiff::civil::Date = jiff::civil::date(1970, 1, 1);

impl Day {
    /// The day of an instant in a time zone.
    pub fn of(t: Timestamp, tz: &jiff::tz::TimeZone) -> Day {
        t.local_date(tz).map_or(Day(0), Day::from_date)
    }

    /// The day of a date.
    pub fn from_date(date: jiff::civil::Date) -> Day {
        let days = date.since((jiff::Unit::Day, EPOCH)).map_or(0, |s| s.get_days());
        Day(days)
    }

    /// The day's date.
    pub fn date(self) -> jiff::civil::Date {
        EPOCH.checked_add(jiff::Span::new().days(i64::from(self.0))).unwrap_or(EPOCH)
    }
}

/// The shortest window in which a recount reads a clinic's rows.
pub const RECOUNT_WINDOW_MS: i64 = 30 * 24 * 3_600_000;

/// About how many rows a recount reads at a time: its memory is a window's rows, whatever
/// the clinic's history.
pub const RECOUNT_WINDOW_ROWS: u64 = 20_000;

/// The windows `[from, to)` that cover `first` to `last`, where `rows` rows lie (none when
/// there is nothing: `None`). Each is long enough to hold about [`RECOUNT_WINDOW_ROWS`] of
/// them were they spread evenly, and at least [`RECOUNT_WINDOW_MS`]: a small clinic's
/// history is read in one window, a large one's a month or so at a time.
pub fn recount_windows(first: Option<i64>, last: Option<i64>, rows: u64) -> impl Iterator<Item = (i64, i64)> {
    let (first, last) = match (first, last) {
        (Some(f), Some(l)) => (f, l),
        _ => (1, 0),
    };
    let span = last.saturating_sub(first).saturating_add(1).max(1);
    let windows = i64::try_from(rows.div_ceil(RECOUNT_WINDOW_ROWS)).unwrap_or(i64::MAX).max(1);
    let length = (span.saturating_add(windows - 1) / windows).max(RECOUNT_WINDOW_MS);
    (0_i64..)
        .map(move |k| first.saturating_add(k.saturating_mul(length)))
        .take_while(move |from| *from <= last)
        .map(move |from| (from, from.saturating_add(length)))
}

/// The soreness of some answers: how many were triaged with a soreness, its sum, and how
/// many were at [`VERY_SORE`] or more.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Soreness {
    /// Answers triaged with a soreness.
    pub count: u64,
    /// The sum of their soreness.
    pub sum: u64,
    /// Those at [`VERY_SORE`] or more.
    pub very_sore: u64,
}

impl Soreness {
    /// One answer's share: nothing unless it was triaged and gave a soreness.
    pub fn of(triaged: bool, soreness: Option<u8>) -> Soreness {
        match soreness.filter(|_| triaged) {
            Some(s) => Soreness { count: 1, sum: u64::from(s), very_sore: u64::from(s >= VERY_SORE) },
            None => Soreness::default(),
        }
    }

    /// Adds another's counts.
    pub fn add(&mut self, other: Soreness) {
        self.count += other.count;
        self.sum += other.sum;
        self.very_sore += other.very_sore;
    }
}

/// Check-ins of a day and group.
#[derive(Debug, Clone, PartialEq)]
pub struct AnswerTally {
    /// The day they were sent, in the clinic's calendar.
    pub day: Day,
    /// The session's massage type code.
    pub massage_type: String,
    /// Who recorded the session.
    pub staff_id: StaffId,
    /// The follow-up's hour after the session (24, 48, …).
    pub offset_hours: i64,
    /// The session's pressure code.
    pub pressure: String,
    /// The check-ins' level.
    pub level: Level,
    /// How many check-ins.
    pub answers: u64,
    /// Their soreness.
    pub soreness: Soreness,
}

/// The soreness of a day's check-ins by a body area their session worked (a check-in counts
/// once for each of its session's areas).
#[derive(Debug, Clone, PartialEq)]
pub struct AreaTally {
    /// The day they were sent, in the clinic's calendar.
    pub day: Day,
    /// The session's massage type code.
    pub massage_type: String,
    /// Who recorded the session.
    pub staff_id: StaffId,
    /// The follow-up's hour after the session.
    pub offset_hours: i64,
    /// The area's code.
    pub area: String,
    /// Their soreness.
    pub soreness: Soreness,
}

/// Follow-ups due on a day, by their session's type and therapist, and how many of them
/// were answered.
#[derive(Debug, Clone, PartialEq)]
pub struct AskedTally {
    /// The day they were due, in the clinic's calendar.
    pub day: Day,
    /// The session's massage type code.
    pub massage_type: String,
    /// Who recorded the session.
    pub staff_id: StaffId,
    /// How many follow-ups were due.
    pub asked: u64,
    /// How many of them a check-in answered.
    pub answered: u64,
}

/// The steps in which the tallies keep how soon alerts were acknowledged: step `k` (from 1)
/// holds the waits of at most `ACK_STEP_MINUTES[k - 1]` minutes and more than the step
/// before; the step after the last holds longer waits; step 0 holds the alerts still open.
/// A clinic reads the median and the 90th centile as "within" a step's bound.
pub const ACK_STEP_MINUTES: [i64; 13] = [15, 30, 60, 120, 240, 480, 720, 1440, 2880, 4320, 10_080, 20_160, 43_200];

/// The step of an alert raised at `created_at` and acknowledged at `acknowledged_at` (0
/// while it is open).
pub fn ack_step(created_at: Timestamp, acknowledged_at: Option<Timestamp>) -> u8 {
    let Some(at) = acknowledged_at else { return 0 };
    let waited_ms = at.0.saturating_sub(created_at.0);
    let within = ACK_STEP_MINUTES.iter().position(|m| waited_ms <= m * 60_000).unwrap_or(ACK_STEP_MINUTES.len());
    u8::try_from(within + 1).unwrap_or(u8::MAX)
}

/// The bound of an acknowledged step in minutes: `None` for the step after the last bound
/// (and for step 0, the open alerts).
pub fn ack_step_bound(step: u8) -> Option<i64> {
    usize::from(step).checked_sub(1).and_then(|i| ACK_STEP_MINUTES.get(i).copied())
}

/// Alerts raised on a day, by their session's type and therapist, and how soon they were
/// acknowledged.
#[derive(Debug, Clone, PartialEq)]
pub struct AlertTally {
    /// The day they were raised, in the clinic's calendar.
    pub day: Day,
    /// The session's massage type code.
    pub massage_type: String,
    /// Who recorded the session.
    pub staff_id: StaffId,
    /// How soon they were acknowledged: [`ack_step`] (0 while open).
    pub ack_step: u8,
    /// How many alerts.
    pub alerts: u64,
}

/// A clinic's tallies of some days, each list in the order of its key.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Tallies {
    /// Check-ins.
    pub answers: Vec<AnswerTally>,
    /// Check-ins' soreness by area.
    pub areas: Vec<AreaTally>,
    /// Follow-ups due and answered.
    pub asked: Vec<AskedTally>,
    /// Alerts raised, and how soon they were acknowledged.
    pub alerts: Vec<AlertTally>,
}

impl Tallies {
    /// The same tallies in the order of their keys, without empty rows: for comparing.
    pub fn sorted(self) -> Tallies {
        let mut b = TallyBuilder::default();
        for a in self.answers {
            let key = (a.day, a.massage_type, a.staff_id, a.offset_hours, a.pressure, a.level);
            let e = b.answers.entry(key).or_default();
            e.0 += a.answers;
            e.1.add(a.soreness);
        }
        for a in self.areas {
            b.areas.entry((a.day, a.massage_type, a.staff_id, a.offset_hours, a.area)).or_default().add(a.soreness);
        }
        for a in self.asked {
            let e = b.asked.entry((a.day, a.massage_type, a.staff_id)).or_default();
            e.0 += a.asked;
            e.1 += a.answered;
        }
        for a in self.alerts {
            *b.alerts.entry((a.day, a.massage_type, a.staff_id, a.ack_step)).or_default() += a.alerts;
        }
        b.finish()
    }
}

type AnswerKey = (Day, String, StaffId, i64, String, Level);
type AreaKey = (Day, String, StaffId, i64, String);
type AskedKey = (Day, String, StaffId);
type AlertKey = (Day, String, StaffId, u8);

/// Computes a clinic's tallies from its rows, in its time zone.
#[derive(Debug, Default)]
pub struct TallyBuilder {
    answers: BTreeMap<AnswerKey, (u64, Soreness)>,
    areas: BTreeMap<AreaKey, Soreness>,
    asked: BTreeMap<AskedKey, (u64, u64)>,
    alerts: BTreeMap<AlertKey, u64>,
}

impl TallyBuilder {
    /// Counts a check-in.
    pub fn add_check_in(&mut self, c: &OutcomeCheckIn, tz: &jiff::tz::TimeZone) {
        let day = Day::of(c.submitted_at, tz);
        let sore = Soreness::of(c.triaged, c.soreness);
        let key = (day, c.massage_type.clone(), c.staff_id, c.offset_hours, c.pressure.clone(), c.level);
        let e = self.answers.entry(key).or_default();
        e.0 += 1;
        e.1.add(sore);
        if sore.count > 0 {
            for area in &c.areas {
                let key = (day, c.massage_type.clone(), c.staff_id, c.offset_hours, area.clone());
                self.areas.entry(key).or_default().add(sore);
            }
        }
    }

    /// Counts a follow-up due at `due_at` of a session of `massage_type` recorded by
    /// `staff_id`, answered or not.
    pub fn add_follow_up(
        &mut self,
        due_at: Timestamp,
        answered: bool,
        massage_type: &str,
        staff_id: StaffId,
        tz: &jiff::tz::TimeZone,
    ) {
        let e = self.asked.entry((Day::of(due_at, tz), massage_type.to_owned(), staff_id)).or_default();
        e.0 += 1;
        e.1 += u64::from(answered);
    }

    /// Counts an alert raised at `created_at` (and acknowledged at `acknowledged_at`, if it
    /// was) about a session of `massage_type` recorded by `staff_id`.
    pub fn add_alert(
        &mut self,
        created_at: Timestamp,
        acknowledged_at: Option<Timestamp>,
        massage_type: &str,
        staff_id: StaffId,
        tz: &jiff::tz::TimeZone,
    ) {
        let key = (Day::of(created_at, tz), massage_type.to_owned(), staff_id, ack_step(created_at, acknowledged_at));
        *self.alerts.entry(key).or_default() += 1;
    }

    /// The tallies, each in the order of its key.
    pub fn finish(self) -> Tallies {
        Tallies {
            answers: self
                .answers
                .into_iter()
                .filter(|(_, (n, _))| *n > 0)
                .map(|((day, massage_type, staff_id, offset_hours, pressure, level), (answers, soreness))| {
                    AnswerTally { day, massage_type, staff_id, offset_hours, pressure, level, answers, soreness }
                })
                .collect(),
            areas: self
                .areas
                .into_iter()
                .filter(|(_, s)| s.count > 0)
                .map(|((day, massage_type, staff_id, offset_hours, area), soreness)| AreaTally {
                    day,
                    massage_type,
                    staff_id,
                    offset_hours,
                    area,
                    soreness,
                })
                .collect(),
            asked: self
                .asked
                .into_iter()
                .filter(|(_, (asked, answered))| *asked > 0 || *answered > 0)
                .map(|((day, massage_type, staff_id), (asked, answered))| AskedTally {
                    day,
                    massage_type,
                    staff_id,
                    asked,
                    answered,
                })
                .collect(),
            alerts: self
                .alerts
                .into_iter()
                .filter(|(_, n)| *n > 0)
                .map(|((day, massage_type, staff_id, ack_step), alerts)| AlertTally {
                    day,
                    massage_type,
                    staff_id,
                    ack_step,
                    alerts,
                })
                .collect(),
        }
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn a_day_is_the_local_date_in_the_clinics_time_zone() {
        let t = Timestamp("2026-11-29T20:00:00Z".parse::<jiff::Timestamp>().unwrap().as_millisecond());
        let london = jiff::tz::TimeZone::get("Europe/London").unwrap();
        let kathmandu = jiff::tz::TimeZone::get("Asia/Kathmandu").unwrap();
        assert_eq!(Day::of(t, &london).date(), jiff::civil::date(2026, 11, 29));
        assert_eq!(Day::of(t, &kathmandu).date(), jiff::civil::date(2026, 11, 30), "01:45 the next day at +05:45");
        assert_eq!(Day::from_date(jiff::civil::date(1970, 1, 2)), Day(1));
        assert_eq!(Day::from_date(jiff::civil::date(1969, 12, 31)), Day(-1));
    }

    #[test]
    fn recount_windows_cover_the_span_once() {
        let w = RECOUNT_WINDOW_MS;
        assert_eq!(recount_windows(None, None, 0).count(), 0);
        assert_eq!(recount_windows(Some(5), Some(5), 1).collect::<Vec<_>>(), [(5, 5 + w)]);
        let rows = 2 * RECOUNT_WINDOW_ROWS;
        assert_eq!(
            recount_windows(Some(0), Some(w), rows).collect::<Vec<_>>(),
            [(0, w), (w, 2 * w)],
            "a month at least"
        );
        // A small clinic's two years in one window; a large one's in windows of its rows.
        let years = 730 * 24 * 3_600_000;
        assert_eq!(recount_windows(Some(0), Some(years), 400).collect::<Vec<_>>(), [(0, years + 1)]);
        let windows: Vec<_> = recount_windows(Some(0), Some(years), 10 * RECOUNT_WINDOW_ROWS).collect();
        assert_eq!(windows.len(), 10);
        assert!(windows.windows(2).all(|p| p[0].1 == p[1].0), "each starts where the last ended");
        assert!(windows.last().is_some_and(|(_, to)| *to > years), "the last holds the last row");
    }

    #[test]
    fn an_acknowledgement_falls_in_the_first_step_whose_bound_holds_it() {
        let t = Timestamp(1_000_000);
        let after = |minutes: i64| Some(Timestamp(t.0 + minutes * 60_000));
        assert_eq!(ack_step(t, None), 0, "open");
        assert_eq!(ack_step(t, after(0)), 1);
        assert_eq!(ack_step(t, after(15)), 1, "a bound is included");
        assert_eq!(ack_step(t, Some(Timestamp(t.0 + 15 * 60_000 + 1))), 2);
        assert_eq!(ack_step(t, after(90)), 4, "within 2 h");
        assert_eq!(ack_step(t, after(43_200)), 13);
        assert_eq!(ack_step(t, after(43_201)), 14, "longer than the last bound");
        assert_eq!((ack_step_bound(0), ack_step_bound(1), ack_step_bound(4)), (None, Some(15), Some(120)));
        assert_eq!((ack_step_bound(13), ack_step_bound(14)), (Some(43_200), None));
    }

    #[test]
    fn only_a_triaged_answer_with_a_soreness_counts_for_soreness() {
        assert_eq!(Soreness::of(true, Some(7)), Soreness { count: 1, sum: 7, very_sore: 1 });
        assert_eq!(Soreness::of(true, Some(6)), Soreness { count: 1, sum: 6, very_sore: 0 });
        assert_eq!(Soreness::of(false, Some(9)), Soreness::default());
        assert_eq!(Soreness::of(true, None), Soreness::default());
    }
}
