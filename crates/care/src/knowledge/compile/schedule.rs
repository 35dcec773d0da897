//! The `[schedule]` table of triage.toml: when check-ins are sent and the extra ones.

use super::{Problems, cites};
use crate::knowledge::model::{ExtraCheckIn, Rule, Schedule};
use crate::knowledge::raw::{Located, RawSchedule};
use std::collections::HashSet;

/// Compiles the `[schedule]` table, checking its hours and each extra check-in's condition, rules and sources.
pub(super) fn schedule(
    p: &mut Problems,
    raw: Option<&Located<RawSchedule>>,
    rules: &[Rule],
    source_ids: &HashSet<String>,
) -> Schedule {
    let Some(Located { origin, value: s }) = raw else {
        p.missing("triage.toml", "no [schedule] table");
        return Schedule {
            window_start_hour: 8,
            window_end_hour: 20,
            check_in_hours: vec![24, 48],
            remind_after_hours: 8,
            extra: Vec::new(),
        };
    };
    if s.window_start_hour >= s.window_end_hour || s.window_end_hour > 24 {
        p.at(origin, "[schedule] window_start_hour must come before window_end_hour, both from 0 to 24");
    }
    if s.check_in_hours.is_empty()
        || s.check_in_hours.windows(2).any(|w| w[0] >= w[1])
        || s.check_in_hours.iter().any(|h| !(1..=24 * 30).contains(h))
    {
        p.at(origin, "[schedule] check_in_hours must be ascending hours from 1 to 720");
    }
    if !(1..=72).contains(&s.remind_after_hours) {
        p.at(origin, "[schedule] remind_after_hours must be from 1 to 72");
    }
    let mut extra = Vec::new();
    for (i, e) in s.extra.iter().enumerate() {
        let what = format!("[[schedule.extra]] number {}", i + 1);
        if e.at_hours <= e.after_hours || e.at_hours > 24 * 30 {
            p.at(origin, format!("{what}: at_hours must be after after_hours and at most 720"));
        }
        if e.soreness_at_least.is_none() && e.excess_at_least.is_none() && e.fired_any.is_empty() && !e.trend_not_better
        {
            p.at(origin, format!("{what} has no condition"));
        }
        if e.soreness_at_least.is_some_and(|v| v > 10) || e.excess_at_least.is_some_and(|v| v > 10) {
            p.at(origin, format!("{what}: soreness and excess are from 0 to 10"));
        }
        for id in &e.fired_any {
            if !rules.iter().any(|r| &r.id == id) {
                p.at(origin, format!("{what} names rule `{id}`, which is not a rule"));
            }
        }
        cites(p, origin, &what, source_ids, &e.sources, true);
        extra.push(ExtraCheckIn {
            after_hours: e.after_hours,
            at_hours: e.at_hours,
            soreness_at_least: e.soreness_at_least,
            excess_at_least: e.excess_at_least,
            fired_any: e.fired_any.clone(),
            trend_not_better: e.trend_not_better,
            sources: e.sources.clone(),
        });
    }
    Schedule {
        window_start_hour: s.window_start_hour,
        window_end_hour: s.window_end_hour,
        check_in_hours: s.check_in_hours.clone(),
        remind_after_hours: s.remind_after_hours,
        extra,
    }
}
