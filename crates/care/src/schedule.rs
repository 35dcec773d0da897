//! The follow-up schedule's clinical part (care policy section 6): whether an answer calls for
//! one more check-in. When messages go out (the local-time window) is the follow-up worker's
//! business; the hours it uses come from [`Schedule`](crate::knowledge::model::Schedule).

use crate::Trend;
use crate::knowledge::Knowledge;
use crate::triage::condition::Facts;

/// The hours after the session's end of the extra check-in that a check-in answered through
/// the invitation at `answered_hours` calls for, if any. `fired` are the rule ids that fired;
/// `scheduled_hours` are the check-ins the session has already, so none is added twice.
pub fn extra_check_in(
    kb: &Knowledge,
    answered_hours: i64,
    facts: &Facts,
    fired: &[&str],
    scheduled_hours: &[i64],
) -> Option<i64> {
    kb.triage.schedule.extra.iter().find_map(|e| {
        let due = answered_hours >= e.after_hours
            && e.at_hours > answered_hours
            && !scheduled_hours.contains(&e.at_hours)
            && (e.soreness_at_least.is_some_and(|s| facts.soreness >= s)
                || e.excess_at_least.is_some_and(|x| facts.excess >= x)
                || e.fired_any.iter().any(|id| fired.contains(&id.as_str()))
                || (e.trend_not_better && facts.trend != Some(Trend::Better)));
        due.then_some(e.at_hours)
    })
}
