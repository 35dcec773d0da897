//! Outcomes (journey 6): how clients fare after their sessions, read from the tallies of a
//! period's days (the answers sent, the follow-ups due, the alerts raised). Pure: the rows come
//! in, the figures go out, and every figure says how many answers it stands on; a group of
//! fewer than [`MIN_GROUP`] says "too few to compare" instead of a figure.

use care::Level;
use std::collections::BTreeMap;
use store::tally::{Day, Soreness, Tallies, ack_step_bound};
use store::{StaffId, Timestamp};

/// The fewest answers a group needs before its figure is shown.
pub const MIN_GROUP: usize = 10;

/// What the outcomes are read for.
#[derive(Debug, Clone, Default)]
pub struct Filter {
    /// Only sessions of this massage type.
    pub massage_type: Option<String>,
    /// Only sessions this staff member recorded.
    pub therapist: Option<StaffId>,
}

impl Filter {
    fn keeps(&self, massage_type: &str, staff: StaffId) -> bool {
        self.massage_type.as_deref().is_none_or(|t| t == massage_type) && self.therapist.is_none_or(|s| s == staff)
    }
}

/// A group's soreness: how many answers, and their mean when there are enough.
#[derive(Debug, Clone, PartialEq)]
pub struct Group {
    /// The group, in words.
    pub label: String,
    /// Answers with a soreness.
    pub count: usize,
    /// The mean soreness, 0 to 10; none when there are too few to compare.
    pub mean: Option<f64>,
    /// The share of answers at 7 or more, as a percentage; none when too few.
    pub very_sore: Option<f64>,
}

/// Soreness at one check-in time (24 h, 48 h, …), by one thing.
#[derive(Debug, Clone, PartialEq)]
pub struct Breakdown {
    /// By what: "massage type", "pressure", "therapist", "body area".
    pub by: &'static str,
    /// Its groups, most answers first.
    pub groups: Vec<Group>,
}

/// A week's count of something asked and how often it happened.
#[derive(Debug, Clone, PartialEq)]
pub struct Week {
    /// The week's first day, `YYYY-MM-DD`.
    pub start: String,
    /// How many there were.
    pub of: usize,
    /// How many of them did (were answered; raised an alert).
    pub did: usize,
}

impl Week {
    /// `did` as a percentage of `of`; none when the week has too few to compare.
    pub fn rate(&self) -> Option<f64> {
        (self.of >= MIN_GROUP).then(|| self.did as f64 * 100.0 / self.of as f64)
    }
}

/// A therapist's alert rate: check-ins after their sessions, and the alerts among them.
#[derive(Debug, Clone, PartialEq)]
pub struct Rate {
    /// Who, in words.
    pub label: String,
    /// Check-ins.
    pub of: usize,
    /// Alerts raised.
    pub did: usize,
    /// Alerts as a percentage of check-ins; none when too few.
    pub rate: Option<f64>,
}

/// How quickly alerts were acknowledged.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct AckTimes {
    /// Alerts acknowledged.
    pub acknowledged: usize,
    /// Alerts still open.
    pub open: usize,
    /// The time within which half were acknowledged; none when too few.
    pub median: Option<Within>,
    /// The time within which nine in ten were acknowledged; none when too few.
    pub p90: Option<Within>,
}

/// A time to acknowledge, as the tallies keep it: within a step's bound, or longer than the
/// last bound.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Within {
    /// Within this many minutes.
    Minutes(i64),
    /// Longer than this many minutes.
    LongerThan(i64),
}

impl Within {
    /// The step of the tallies ([`store::tally::ack_step`]) as a time.
    fn of_step(step: u8) -> Within {
        match ack_step_bound(step) {
            Some(m) => Within::Minutes(m),
            None => Within::LongerThan(store::tally::ACK_STEP_MINUTES.last().copied().unwrap_or_default()),
        }
    }

    /// In plain words: "within 2 hours", "after more than 30 days".
    pub fn words(self) -> String {
        let span = |m: i64| match m {
            m if m < 60 => format!("{m} minutes"),
            60 => "1 hour".to_owned(),
            m if m < 1440 => format!("{} hours", m / 60),
            1440 => "1 day".to_owned(),
            m => format!("{} days", m / 1440),
        };
        match self {
            Within::Minutes(m) => format!("within {}", span(m)),
            Within::LongerThan(m) => format!("after more than {}", span(m)),
        }
    }
}

/// Every figure of the outcomes page.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Outcomes {
    /// Check-ins asked for and answered, by week of their due time.
    pub response: Vec<Week>,
    /// Soreness at each check-in time of the schedule (hours after the session), by type,
    /// pressure, therapist and body area.
    pub soreness: Vec<(i64, Vec<Breakdown>)>,
    /// Check-ins at each level, most urgent last (the order of the levels).
    pub levels: Vec<(Level, usize)>,
    /// Alerts per therapist.
    pub alert_rates: Vec<Rate>,
    /// Check-ins and the alerts among them, by week.
    pub alerts_by_week: Vec<Week>,
    /// How quickly alerts were acknowledged.
    pub ack: AckTimes,
}

/// What the outcomes are read from.
#[derive(Debug)]
pub struct Rows<'a> {
    /// The tallies of the period's days: the answers sent on them, and the follow-ups due on
    /// them. Follow-ups are read from them for the days before `today` only.
    pub tallies: &'a Tallies,
    /// The clinic's day today: its follow-ups are in `asked_today`, those due so far.
    pub today: Day,
    /// The follow-ups due today so far, when today is in the period: (due, answered, the
    /// session's type, its therapist).
    pub asked_today: &'a [(Timestamp, bool, String, StaffId)],
    /// The check-in times of the clinic's schedule.
    pub hours: &'a [i64],
}

/// The week (starting on Monday) of a day, `YYYY-MM-DD`.
fn week_of_day(day: Day) -> String {
    let d = day.date();
    let back = i64::from(d.weekday().to_monday_zero_offset());
    d.checked_sub(jiff::Span::new().days(back)).map(|d| d.to_string()).unwrap_or_default()
}

/// The week (starting on Monday) of an instant in the clinic's time zone, `YYYY-MM-DD`.
fn week_of(t: Timestamp, tz: &jiff::tz::TimeZone) -> String {
    week_of_day(Day::of(t, tz))
}

/// Adds `of` and `did` to a week's counts.
fn count_week(weeks: &mut BTreeMap<String, Week>, week: String, of: u64, did: u64) {
    let w = weeks.entry(week.clone()).or_insert(Week { start: week, of: 0, did: 0 });
    w.of += usize::try_from(of).unwrap_or(usize::MAX);
    w.did += usize::try_from(did).unwrap_or(usize::MAX);
}

/// A group's figures from its answers' soreness.
fn group(label: String, s: Soreness) -> Group {
    let count = usize::try_from(s.count).unwrap_or(usize::MAX);
    let enough = count >= MIN_GROUP;
    let mean = enough.then(|| s.sum as f64 / s.count as f64);
    let very_sore = enough.then(|| s.very_sore as f64 * 100.0 / s.count as f64);
    Group { label, count, mean, very_sore }
}

/// Soreness by a label of each tally row (rows with the same label are one group).
fn breakdown(by: &'static str, rows: impl Iterator<Item = (String, Soreness)>) -> Breakdown {
    let mut sums: BTreeMap<String, Soreness> = BTreeMap::new();
    for (label, s) in rows.filter(|(_, s)| s.count > 0) {
        sums.entry(label).or_default().add(s);
    }
    let mut groups: Vec<Group> = sums.into_iter().map(|(label, s)| group(label, s)).collect();
    groups.sort_by(|a, b| b.count.cmp(&a.count).then_with(|| a.label.cmp(&b.label)));
    Breakdown { by, groups }
}

/// The step at a quantile (0 to 1) of counts by step (in the order of the steps), nearest
/// rank; none when there are none.
fn quantile(steps: &BTreeMap<u8, u64>, q: f64) -> Option<u8> {
    let total: u64 = steps.values().sum();
    if total == 0 {
        return None;
    }
    let rank = ((q * total as f64).ceil() as u64).clamp(1, total);
    let mut seen = 0;
    steps.iter().find_map(|(step, n)| {
        seen += n;
        (seen >= rank).then_some(*step)
    })
}

/// The outcomes of the rows, through `filter`; labels come from `name` (a code or a staff
/// member's id, in words) and weeks from the clinic's time zone.
pub fn read(
    rows: &Rows<'_>,
    filter: &Filter,
    name: &dyn Fn(&str) -> String,
    staff: &dyn Fn(StaffId) -> String,
    tz: &jiff::tz::TimeZone,
) -> Outcomes {
    let t = rows.tallies;
    let answers: Vec<_> = t.answers.iter().filter(|a| filter.keeps(&a.massage_type, a.staff_id)).collect();
    let areas: Vec<_> = t.areas.iter().filter(|a| filter.keeps(&a.massage_type, a.staff_id)).collect();

    let mut response: BTreeMap<String, Week> = BTreeMap::new();
    for a in t.asked.iter().filter(|a| a.day < rows.today && filter.keeps(&a.massage_type, a.staff_id)) {
        count_week(&mut response, week_of_day(a.day), a.asked, a.answered);
    }
    for (due, answered, _, _) in rows.asked_today.iter().filter(|(_, _, k, w)| filter.keeps(k, *w)) {
        count_week(&mut response, week_of(*due, tz), 1, u64::from(*answered));
    }

    let soreness = rows
        .hours
        .iter()
        .map(|h| {
            let at = || answers.iter().filter(|a| a.offset_hours == *h);
            let tables = vec![
                breakdown("massage type", at().map(|a| (name(&a.massage_type), a.soreness))),
                breakdown("pressure", at().map(|a| (name(&a.pressure), a.soreness))),
                breakdown("therapist", at().map(|a| (staff(a.staff_id), a.soreness))),
                breakdown(
                    "body area",
                    areas.iter().filter(|a| a.offset_hours == *h).map(|a| (name(&a.area), a.soreness)),
                ),
            ];
            (*h, tables)
        })
        .collect();

    let levels = Level::ALL
        .iter()
        .map(|l| {
            let n: u64 = answers.iter().filter(|a| a.level == *l).map(|a| a.answers).sum();
            (*l, usize::try_from(n).unwrap_or(usize::MAX))
        })
        .collect();

    let alerts: Vec<_> = t.alerts.iter().filter(|a| filter.keeps(&a.massage_type, a.staff_id)).collect();
    let mut by_therapist: BTreeMap<StaffId, (usize, usize)> = BTreeMap::new();
    for a in &answers {
        by_therapist.entry(a.staff_id).or_default().0 += usize::try_from(a.answers).unwrap_or(usize::MAX);
    }
    for a in &alerts {
        by_therapist.entry(a.staff_id).or_default().1 += usize::try_from(a.alerts).unwrap_or(usize::MAX);
    }
    let alert_rates = by_therapist
        .into_iter()
        .map(|(who, (of, did))| Rate {
            label: staff(who),
            of,
            did,
            rate: (of >= MIN_GROUP).then(|| did as f64 * 100.0 / of as f64),
        })
        .collect();
    let mut weekly: BTreeMap<String, Week> = BTreeMap::new();
    for a in &answers {
        count_week(&mut weekly, week_of_day(a.day), a.answers, 0);
    }
    for a in &alerts {
        count_week(&mut weekly, week_of_day(a.day), 0, a.alerts);
    }

    // Acknowledged alerts by step (step 0 is the open ones).
    let mut steps: BTreeMap<u8, u64> = BTreeMap::new();
    for a in &alerts {
        *steps.entry(a.ack_step).or_default() += a.alerts;
    }
    let open = steps.remove(&0).unwrap_or_default();
    let acknowledged: u64 = steps.values().sum();
    let enough = acknowledged >= MIN_GROUP as u64;
    let ack = AckTimes {
        acknowledged: usize::try_from(acknowledged).unwrap_or(usize::MAX),
        open: usize::try_from(open).unwrap_or(usize::MAX),
        median: quantile(&steps, 0.5).filter(|_| enough).map(Within::of_step),
        p90: quantile(&steps, 0.9).filter(|_| enough).map(Within::of_step),
    };

    Outcomes {
        response: response.into_values().collect(),
        soreness,
        levels,
        alert_rates,
        alerts_by_week: weekly.into_values().collect(),
        ack,
    }
}

#[cfg(test)]
#[allow(clippy::panic, clippy::expect_used, clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn quantiles_take_the_step_of_the_nearest_rank() {
        // Ten acknowledgements: five in step 1, four in step 3, one in step 9.
        let steps = BTreeMap::from([(1, 5), (3, 4), (9, 1)]);
        assert_eq!(quantile(&steps, 0.5), Some(1), "the fifth of ten");
        assert_eq!(quantile(&steps, 0.6), Some(3));
        assert_eq!(quantile(&steps, 0.9), Some(3), "the ninth of ten");
        assert_eq!(quantile(&steps, 1.0), Some(9));
        assert_eq!(quantile(&BTreeMap::new(), 0.5), None);
    }

    #[test]
    fn a_step_reads_as_a_time_in_plain_words() {
        assert_eq!(Within::of_step(1).words(), "within 15 minutes");
        assert_eq!(Within::of_step(3).words(), "within 1 hour");
        assert_eq!(Within::of_step(4).words(), "within 2 hours");
        assert_eq!(Within::of_step(8).words(), "within 1 day");
        assert_eq!(Within::of_step(11).words(), "within 7 days");
        assert_eq!(Within::of_step(14).words(), "after more than 30 days");
    }

    #[test]
    fn a_group_of_fewer_than_ten_has_no_figure() {
        assert_eq!(group("x".into(), Soreness { count: 9, sum: 45, very_sore: 0 }).mean, None);
        let g = group("x".into(), Soreness { count: 10, sum: 50, very_sore: 5 });
        assert_eq!((g.count, g.mean, g.very_sore), (10, Some(5.0), Some(50.0)));
    }

    #[test]
    fn weeks_start_on_monday_in_the_clinics_time_zone() {
        let tz = jiff::tz::TimeZone::get("Europe/London").unwrap();
        // Sunday 2026-11-29 23:30 UTC is still Sunday in London: the week of Monday the 23rd.
        let sunday = Timestamp("2026-11-29T23:30:00Z".parse::<jiff::Timestamp>().unwrap().as_millisecond());
        assert_eq!(week_of(sunday, &tz), "2026-11-23");
        let tokyo = jiff::tz::TimeZone::get("Asia/Tokyo").unwrap();
        assert_eq!(week_of(sunday, &tokyo), "2026-11-30", "already Monday in Tokyo");
    }
}
