//! Safety properties on check-ins the engine has never seen: it follows the policy text on
//! every combination (against the independent reading in `oracle.rs`), adding a symptom or
//! a condition or raising soreness never lowers the level, the result is deterministic,
//! every fired rule cites sources that exist, and no input makes it panic.

use crate::common::{KB, fired_ids, triage_json};
use crate::oracle;
use proptest::prelude::*;
use serde_json::{Value, json};

fn codes(table: impl Iterator<Item = String>) -> Vec<String> {
    table.collect()
}

fn symptoms() -> Vec<String> {
    codes(KB.vocabulary.symptoms.codes().map(str::to_owned))
}
fn conditions() -> Vec<String> {
    codes(KB.vocabulary.conditions.codes().map(str::to_owned))
}
fn areas() -> Vec<String> {
    codes(KB.vocabulary.areas.codes().map(str::to_owned))
}
fn types() -> Vec<String> {
    codes(KB.vocabulary.massage_types.codes().map(str::to_owned))
}

/// A subset of `all`, biased small so that rules interact rather than all firing at once.
fn subset(all: Vec<String>, max: usize) -> impl Strategy<Value = Vec<String>> {
    proptest::sample::subsequence(all.clone(), 0..=max.min(all.len()))
}

/// Hours around the policy's thresholds as well as anywhere in the range.
fn hours() -> impl Strategy<Value = f64> {
    prop_oneof![
        prop::sample::select(vec![0.0, 12.0, 24.0, 48.0, 71.0, 71.99, 72.0, 96.0, 167.0, 167.5, 168.0, 200.0]),
        0.0f64..=8760.0,
    ]
}

fn temperature() -> impl Strategy<Value = Option<f64>> {
    prop_oneof![
        Just(None),
        prop::sample::select(vec![34.0, 35.9, 36.0, 37.2, 37.4, 37.5, 37.9, 38.0, 39.5, 43.0]).prop_map(Some),
        (340u32..=430).prop_map(|t| Some(f64::from(t) / 10.0)),
    ]
}

prop_compose! {
    /// A valid check-in in the format of care policy section 2.
    fn check_in()(
        massage_type in prop::sample::select(types()),
        session_areas in subset(areas(), 4),
        sore_areas in subset(areas(), 3),
        conditions in subset(conditions(), 3),
        symptoms in subset(symptoms(), 4),
        soreness in 0u8..=10,
        previous in prop::option::of(0u8..=10),
        trend in prop::option::of(prop::sample::select(vec!["better", "same", "worse"])),
        hours in hours(),
        temperature in temperature(),
        age in prop::option::of(prop_oneof![0u32..=6, 0u32..=1200]),
        usual_pain in prop::option::of(0u8..=10),
        weeks in prop::option::of(0u8..=42),
    ) -> Value {
        let age = if massage_type == "infant" { Some(age.unwrap_or(2)) } else { age };
        json!({
            "session": {"massage_type": massage_type, "pressure": "medium", "areas": session_areas, "first_massage": false},
            "client": {"conditions": conditions, "age_months": age, "usual_pain": usual_pain, "pregnancy_weeks": weeks},
            "report": {
                "hours_since": hours, "soreness": soreness, "previous_soreness": previous, "trend": trend,
                "sore_areas": sore_areas, "symptoms": symptoms, "temperature_c": temperature, "note": null
            }
        })
    }
}

fn with_added(mut c: Value, list: &str, section: &str, code: &str) -> Value {
    if let Some(items) = c[section][list].as_array_mut()
        && !items.iter().any(|v| v == code)
    {
        items.push(json!(code));
    }
    c
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 2000, ..ProptestConfig::default() })]

    #[test]
    fn the_engine_follows_the_policy_text_on_unseen_check_ins(c in check_in()) {
        let t = triage_json(&c);
        let expected = oracle::expected(&c);
        let fired: std::collections::BTreeSet<&str> = fired_ids(&t).into_iter().collect();
        prop_assert_eq!(&fired, &expected.fired, "check-in: {}", c);
        prop_assert_eq!(t.level, expected.level, "check-in: {}", c);
    }

    #[test]
    fn adding_a_symptom_never_lowers_the_level(c in check_in(), s in prop::sample::select(symptoms())) {
        let before = triage_json(&c).level;
        let after = triage_json(&with_added(c.clone(), "symptoms", "report", &s)).level;
        prop_assert!(after >= before, "adding {} lowered {:?} to {:?}: {}", s, before, after, c);
    }

    #[test]
    fn adding_a_condition_never_lowers_the_level(c in check_in(), s in prop::sample::select(conditions())) {
        let before = triage_json(&c).level;
        let after = triage_json(&with_added(c.clone(), "conditions", "client", &s)).level;
        prop_assert!(after >= before, "adding {} lowered {:?} to {:?}: {}", s, before, after, c);
    }

    #[test]
    fn raising_soreness_never_lowers_the_level(c in check_in(), up in 1u8..=10) {
        let before = triage_json(&c).level;
        let soreness = c["report"]["soreness"].as_u64().unwrap_or(0) as u8;
        let mut raised = c.clone();
        raised["report"]["soreness"] = json!((soreness + up).min(10));
        let after = triage_json(&raised).level;
        prop_assert!(after >= before, "raising soreness lowered {:?} to {:?}: {}", before, after, c);
    }

    #[test]
    fn triage_is_deterministic(c in check_in()) {
        let a = triage_json(&c);
        let b = triage_json(&c);
        prop_assert_eq!(a, b);
    }

    #[test]
    fn every_fired_rule_cites_sources_that_exist(c in check_in()) {
        let t = triage_json(&c);
        for rule in t.fired_rules(&KB) {
            prop_assert!(!rule.sources.is_empty(), "{} cites nothing", rule.id);
            for s in &rule.sources {
                prop_assert!(KB.source(s).is_some(), "{} cites missing source {}", rule.id, s);
            }
        }
    }

    #[test]
    fn arbitrary_text_never_panics(text in ".{0,300}") {
        let _ = care::parse_check_in(&KB, &text);
        let _ = care::screening::parse_intake(&KB, &text);
        let _ = care::plan::parse_plan_request(&KB, &text);
    }

    #[test]
    fn arbitrary_json_values_in_any_field_never_panic(
        c in check_in(),
        section in prop::sample::select(vec!["session", "client", "report"]),
        field in prop::sample::select(vec![
            "massage_type", "pressure", "areas", "first_massage", "conditions", "age_months", "usual_pain",
            "pregnancy_weeks", "hours_since", "soreness", "previous_soreness", "trend", "sore_areas",
            "symptoms", "temperature_c", "note", "unknown_field",
        ]),
        value in arbitrary_json(),
    ) {
        let mut c = c;
        c[section][field] = value;
        if let Ok(checkin) = care::parse_check_in(&KB, &c.to_string()) {
            // Whatever was accepted is within the policy's ranges.
            prop_assert!(checkin.report.soreness <= 10);
            prop_assert!((0.0..=8760.0).contains(&checkin.report.hours_since));
            prop_assert!(checkin.report.temperature_c.is_none_or(|t| (34.0..=43.0).contains(&t)));
            let _ = care::triage(&KB, &checkin);
        }
    }
}

fn arbitrary_json() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::from),
        any::<i64>().prop_map(Value::from),
        any::<f64>().prop_filter("JSON numbers are finite", |f| f.is_finite()).prop_map(Value::from),
        prop::sample::select(vec![-1.0, 10.5, 11.0, 8760.5, 33.9, 43.1, 1e300]).prop_map(Value::from),
        ".{0,20}".prop_map(Value::from),
        prop::sample::select(symptoms()).prop_map(Value::from),
    ];
    leaf.prop_recursive(3, 16, 4, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..4).prop_map(Value::Array),
            prop::collection::btree_map(".{0,8}", inner, 0..3).prop_map(|m| Value::Object(m.into_iter().collect())),
        ]
    })
}
