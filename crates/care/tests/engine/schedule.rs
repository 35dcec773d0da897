//! The follow-up schedule of care policy section 6 as the knowledge states it: the window,
//! the default check-ins, and when an answer calls for one more check-in.

use crate::common::{KB, fired_ids, triage_json};
use care::knowledge::{Knowledge, KnowledgeFile, builtin_files};
use care::schedule::extra_check_in;
use serde_json::json;

#[test]
fn the_knowledge_states_the_policy_schedule() {
    let s = &KB.triage.schedule;
    assert_eq!((s.window_start_hour, s.window_end_hour), (8, 20));
    assert_eq!(s.check_in_hours, vec![24, 48]);
    let extra: Vec<(i64, i64)> = s.extra.iter().map(|e| (e.after_hours, e.at_hours)).collect();
    assert_eq!(extra, vec![(48, 96), (96, 168)]);
}

/// The extra check-in a check-in answered through the invitation at `answered` calls for.
fn extra(
    answered: i64,
    hours_since: f64,
    soreness: u8,
    trend: Option<&str>,
    usual_pain: u8,
    scheduled: &[i64],
) -> Option<i64> {
    let mut report = json!({"hours_since": hours_since, "soreness": soreness, "symptoms": []});
    if let Some(t) = trend {
        report["trend"] = json!(t);
    }
    let t = triage_json(&json!({
        "session": {"massage_type": "swedish", "pressure": "medium", "areas": ["upper_back"]},
        "client": {"usual_pain": usual_pain},
        "report": report,
    }));
    extra_check_in(&KB, answered, &t.facts, &fired_ids(&t), scheduled)
}

#[test]
fn soreness_of_3_at_48_h_adds_a_check_in_at_96_h() {
    assert_eq!(extra(48, 48.5, 3, Some("same"), 0, &[24, 48]), Some(96));
    assert_eq!(extra(48, 48.5, 2, Some("same"), 0, &[24, 48]), None, "below 3 at 48 h: none");
    assert_eq!(extra(48, 48.5, 3, Some("same"), 0, &[24, 48, 96]), None, "never twice");
    assert_eq!(extra(24, 25.0, 6, Some("worse"), 0, &[24, 48]), None, "the 48 h check-in decides");
}

#[test]
fn lingering_soreness_answered_late_on_the_48_h_link_adds_the_96_h_check_in() {
    // Answered at 75 h on the 48 h link: T-lingering fires (72 h or more, excess 3 over a
    // usual pain of 2). T-lingering implies soreness of 3 or more, so either part is enough.
    let t = triage_json(&json!({
        "session": {"massage_type": "swedish", "pressure": "medium", "areas": ["upper_back"]},
        "client": {"usual_pain": 2},
        "report": {"hours_since": 75.0, "soreness": 5, "symptoms": []},
    }));
    assert!(fired_ids(&t).contains(&"T-lingering"));
    assert_eq!(extra_check_in(&KB, 48, &t.facts, &fired_ids(&t), &[24, 48]), Some(96));
}

#[test]
fn at_96_h_excess_of_3_or_a_trend_other_than_better_adds_day_7() {
    assert_eq!(extra(96, 96.0, 3, Some("better"), 0, &[24, 48, 96]), Some(168), "excess 3");
    assert_eq!(extra(96, 96.0, 2, Some("same"), 0, &[24, 48, 96]), Some(168), "not better");
    assert_eq!(extra(96, 96.0, 2, None, 0, &[24, 48, 96]), Some(168), "no trend is not `better`");
    assert_eq!(extra(96, 96.0, 2, Some("better"), 0, &[24, 48, 96]), None, "easing: none");
    assert_eq!(extra(96, 96.0, 5, Some("better"), 3, &[24, 48, 96]), None, "excess 2 over usual pain 3");
    assert_eq!(extra(168, 168.0, 9, Some("worse"), 0, &[24, 48, 96, 168]), None, "nothing after day 7");
}

#[test]
fn a_clinic_may_not_change_the_schedule_in_its_knowledge_directory() {
    let o = vec![KnowledgeFile {
        name: "triage.toml".into(),
        display: "clinic/triage.toml".into(),
        text:
            "[schedule]\nwindow_start_hour = 6\nwindow_end_hour = 22\ncheck_in_hours = [24]\nremind_after_hours = 8\n"
                .into(),
    }];
    let err = Knowledge::with_overrides(&o).map(|_| ()).unwrap_err().to_string();
    assert!(err.contains("[schedule] may not be changed"), "{err}");
}

#[test]
fn a_schedule_that_makes_no_sense_stops_loading() {
    let mut files = builtin_files();
    let f = files.iter_mut().find(|f| f.name == "triage.toml").unwrap();
    f.text = f.text.replacen("window_end_hour = 20", "window_end_hour = 7", 1).replacen(
        "after_hours = 96\nat_hours = 168",
        "after_hours = 96\nat_hours = 90",
        1,
    );
    f.text = f.text.replacen("fired_any = [\"T-lingering\"]", "fired_any = [\"T-lingerin\"]", 1);
    let err = Knowledge::load(&files, &[]).map(|_| ()).unwrap_err().to_string();
    assert!(err.contains("window_start_hour must come before window_end_hour"), "{err}");
    assert!(err.contains("at_hours must be after after_hours"), "{err}");
    assert!(err.contains("names rule `T-lingerin`, which is not a rule"), "{err}");
}
