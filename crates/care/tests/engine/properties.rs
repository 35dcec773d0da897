//! Safety properties on check-ins the engine has never seen: it follows the policy text on
//! every combination (against the independent reading in `oracle.rs`), rejecting what the
//! policy rejects (a temperature outside 30.0-45.0 °C, a baby's age of 36 months or more)
//! and triaging the rest as the policy says, adding a symptom or
//! a condition or raising soreness never lowers the level, the result is deterministic,
//! every fired rule cites sources that exist, and no input makes it panic.

use crate::common::{KB, fired_ids, triage_json};
use crate::oracle::{self, policy};
use proptest::prelude::*;
use proptest::test_runner::TestCaseError;
use serde_json::{Value, json};
use std::collections::BTreeSet;

/// The codes of policy section 1, as `oracle.rs` copied them from the policy text (not
/// from the knowledge files), so that a code the engine does not know is found.
fn owned(codes: &[&str]) -> Vec<String> {
    codes.iter().map(|c| (*c).to_owned()).collect()
}

fn symptoms() -> Vec<String> {
    owned(&policy::symptoms())
}
fn conditions() -> Vec<String> {
    owned(policy::CONDITIONS)
}
fn areas() -> Vec<String> {
    owned(policy::AREAS)
}
fn types() -> Vec<String> {
    owned(policy::MASSAGE_TYPES)
}

/// A subset of `all`, biased small so that rules interact rather than all firing at once.
fn subset(all: Vec<String>, max: usize) -> impl Strategy<Value = Vec<String>> {
    proptest::sample::subsequence(all.clone(), 0..=max.min(all.len()))
}

/// A subset of `all`, sometimes with one of `focus` added, so that the codes the v1.2 rules
/// turn on meet the rules' other conditions often enough.
fn subset_with(all: Vec<String>, max: usize, focus: &[&str]) -> impl Strategy<Value = Vec<String>> {
    (subset(all, max), prop::option::weighted(0.35, prop::sample::select(owned(focus)))).prop_map(
        |(mut codes, extra)| {
            if let Some(extra) = extra
                && !codes.contains(&extra)
            {
                codes.push(extra);
            }
            codes
        },
    )
}

/// Hours around the policy's thresholds as well as anywhere in the range.
fn hours() -> impl Strategy<Value = f64> {
    prop_oneof![
        prop::sample::select(vec![0.0, 12.0, 24.0, 48.0, 71.0, 71.99, 72.0, 96.0, 167.0, 167.5, 168.0, 200.0]),
        0.0f64..=8760.0,
    ]
}

/// Temperatures across 29.5-45.5 °C, so both sides of the accepted range (30.0-45.0) and
/// every threshold (35.0, 36.0, 37.5, 38.0) are met exactly, in tenths, and in hundredths
/// and anywhere between (the value is used as given, never rounded).
fn temperature() -> impl Strategy<Value = Option<f64>> {
    prop_oneof![
        3 => Just(None),
        3 => prop::sample::select(vec![
            29.5, 29.9, 29.99, 30.0, 33.5, 34.9, 34.95, 34.99, 35.0, 35.9, 35.95, 35.99, 36.0, 37.2, 37.4, 37.45, 37.49,
            37.5, 37.9, 37.95, 37.99, 38.0, 39.5, 43.0, 45.0, 45.01, 45.1, 45.5,
        ])
        .prop_map(Some),
        2 => (295u32..=455).prop_map(|t| Some(f64::from(t) / 10.0)),
        1 => (2950u32..=4550).prop_map(|t| Some(f64::from(t) / 100.0)),
        1 => (29.5f64..=45.5).prop_map(Some),
    ]
}

/// How `client.age_months` arrives: left out (no key), null, or a number of months.
#[derive(Debug, Clone)]
enum Age {
    Absent,
    Null,
    Months(u32),
}

/// An age for an `infant` session: the baby's, 0-40 months (36 and more are rejected), or
/// unknown, in both forms.
fn infant_age() -> impl Strategy<Value = Age> {
    prop_oneof![
        1 => Just(Age::Absent),
        1 => Just(Age::Null),
        1 => prop::sample::select(vec![0u32, 1, 2, 3, 35, 36]).prop_map(Age::Months),
        3 => (0u32..=40).prop_map(Age::Months),
    ]
}

/// An age for any other session: a baby's, an adult's, or unknown.
fn other_age() -> impl Strategy<Value = Age> {
    prop_oneof![
        1 => Just(Age::Absent),
        1 => Just(Age::Null),
        1 => (0u32..=6).prop_map(Age::Months),
        2 => (0u32..=1200).prop_map(Age::Months),
    ]
}

prop_compose! {
    /// A check-in in the format of care policy section 2: valid in every field except,
    /// sometimes, the temperature or an `infant` session's age, which the policy rejects
    /// outside their ranges.
    fn check_in()(
        massage_type in prop_oneof![1 => Just("infant".to_owned()), 3 => prop::sample::select(types())],
        pressure in prop::sample::select(owned(policy::PRESSURES)),
        session_areas in subset(areas(), 4),
        sore_areas in subset(areas(), 3),
        conditions in subset_with(
            conditions(), 3, &["on_cancer_treatment", "anticoagulants", "bleeding_disorder", "pregnant"],
        ),
        symptoms in subset_with(
            symptoms(), 4,
            &["feels_feverish", "fever", "light_headed_on_standing", "dizziness", "headache", "large_bruise",
              "widespread_hives", "vomiting"],
        ),
        soreness in 0u8..=10,
        previous in prop::option::of(0u8..=10),
        trend in prop::option::of(prop::sample::select(vec!["better", "same", "worse"])),
        hours in hours(),
        temperature in temperature(),
        infant_age in infant_age(),
        other_age in other_age(),
        usual_pain in prop::option::of(0u8..=10),
        weeks in prop::option::of(0u8..=42),
    ) -> Value {
        let age = if massage_type == "infant" { infant_age } else { other_age };
        let mut client = json!({"conditions": conditions, "usual_pain": usual_pain, "pregnancy_weeks": weeks});
        match age {
            Age::Absent => {}
            Age::Null => client["age_months"] = Value::Null,
            Age::Months(months) => client["age_months"] = json!(months),
        }
        json!({
            "session": {"massage_type": massage_type, "pressure": pressure, "areas": session_areas, "first_massage": false},
            "client": client,
            "report": {
                "hours_since": hours, "soreness": soreness, "previous_soreness": previous, "trend": trend,
                "sore_areas": sore_areas, "symptoms": symptoms, "temperature_c": temperature, "note": null
            }
        })
    }
}

/// A check-in the policy accepts (the oracle says so), for the properties that triage.
fn valid_check_in() -> impl Strategy<Value = Value> {
    check_in().prop_filter("the policy accepts the check-in", |c| oracle::judge(c).is_ok())
}

/// The engine's answer and the policy's agree: the same rules and level for a check-in the
/// policy accepts; a rejection, naming every field the policy rejects, for one it does not.
fn engine_follows_the_policy(c: &Value) -> Result<(), TestCaseError> {
    match (oracle::judge(c), care::parse_check_in(&KB, &c.to_string())) {
        (Ok(expected), Ok(checkin)) => {
            let t = care::triage(&KB, &checkin);
            let fired: BTreeSet<&str> = fired_ids(&t).into_iter().collect();
            prop_assert_eq!(&fired, &expected.fired, "check-in: {}", c);
            prop_assert_eq!(t.level, expected.level, "check-in: {}", c);
        }
        (Err(rejected), Err(errors)) => {
            for field in rejected.fields() {
                prop_assert!(
                    errors.0.iter().any(|e| e.field.starts_with(field)),
                    "the engine rejected the check-in without naming {} (policy: {}); engine: {}\ncheck-in: {}",
                    field,
                    rejected,
                    errors,
                    c
                );
            }
        }
        (Ok(expected), Err(errors)) => {
            prop_assert!(
                false,
                "the engine rejected a check-in the policy accepts ({:?}): {}\ncheck-in: {}",
                expected,
                errors,
                c
            );
        }
        (Err(rejected), Ok(checkin)) => {
            let t = care::triage(&KB, &checkin);
            prop_assert!(
                false,
                "the engine accepted (and gave {:?}) a check-in the policy rejects:\n{}check-in: {}",
                t.level,
                rejected,
                c
            );
        }
    }
    Ok(())
}

fn with_added(mut c: Value, list: &str, section: &str, code: &str) -> Value {
    if let Some(items) = c[section][list].as_array_mut()
        && !items.iter().any(|v| v == code)
    {
        items.push(json!(code));
    }
    c
}

/// The generator reaches what v1.2 changed, and every rule, often enough for the properties
/// below to test them: counted on a fixed stream of check-ins, so the count is the same on
/// every run.
#[test]
fn the_generators_reach_every_rule_and_every_v1_2_case() {
    use proptest::strategy::ValueTree;
    use proptest::test_runner::TestRunner;
    use std::collections::BTreeMap;

    let mut runner = TestRunner::deterministic();
    let strategy = check_in();
    let mut seen: BTreeMap<String, usize> = BTreeMap::new();
    let mut see = |what: String| *seen.entry(what).or_default() += 1;
    for _ in 0..4000 {
        let c = strategy.new_tree(&mut runner).expect("a check-in").current();
        let symptoms = &c["report"]["symptoms"];
        let ticked = |code: &str| symptoms.as_array().is_some_and(|s| s.iter().any(|v| v == code));
        if ticked("feels_feverish") {
            see("feels_feverish ticked".to_owned());
        }
        if c["session"]["massage_type"] == "infant" {
            match c["client"].get("age_months") {
                None => see("infant, age left out".to_owned()),
                Some(Value::Null) => see("infant, age null".to_owned()),
                Some(months) => match months.as_u64() {
                    Some(0..=2) => see("infant, 0-2 months".to_owned()),
                    Some(3..=35) => see("infant, 3-35 months".to_owned()),
                    Some(36) => see("infant, 36 months".to_owned()),
                    _ => see("infant, 37-40 months".to_owned()),
                },
            }
        }
        if let Some(t) = c["report"]["temperature_c"].as_f64() {
            for exact in [29.9, 30.0, 34.9, 35.0, 36.0, 37.5, 38.0, 45.0, 45.1] {
                if t == exact {
                    see(format!("temperature exactly {exact}"));
                }
            }
            if t < 30.0 {
                see("temperature below 30.0".to_owned());
            }
            if t > 45.0 {
                see("temperature above 45.0".to_owned());
            }
            if (t * 10.0).fract().abs() > 1e-9 {
                see("temperature not in tenths".to_owned());
            }
        }
        match oracle::judge(&c) {
            Err(_) => see("rejected".to_owned()),
            Ok(expected) => {
                see("accepted".to_owned());
                for id in &expected.fired {
                    see(format!("fired {id}"));
                }
                let fever = ticked("fever") || c["report"]["temperature_c"].as_f64().is_some_and(|t| t >= 38.0);
                let low = c["report"]["temperature_c"].as_f64().is_some_and(|t| t < 36.0);
                if expected.fired.contains("E-infant-fever") {
                    if c["client"]["age_months"].is_null() {
                        see("E-infant-fever, the baby's age unknown".to_owned());
                    }
                    if !fever && !low {
                        see("E-infant-fever on feels_feverish alone".to_owned());
                    }
                }
                if expected.fired.contains("E-fever-low-immunity")
                    && !fever
                    && c["report"]["temperature_c"].as_f64().is_none_or(|t| t < 37.5)
                {
                    see("E-fever-low-immunity on feels_feverish alone".to_owned());
                }
                if expected.fired.contains("D-blood-thinner")
                    && !["large_bruise", "headache", "dizziness", "sudden_severe_headache"].iter().any(|s| ticked(s))
                {
                    see("D-blood-thinner on light_headed_on_standing alone".to_owned());
                }
            }
        }
    }
    let mut wanted: Vec<(String, usize)> = [
        ("feels_feverish ticked", 100),
        ("infant, age left out", 30),
        ("infant, age null", 30),
        ("infant, 0-2 months", 30),
        ("infant, 3-35 months", 100),
        ("infant, 36 months", 10),
        ("infant, 37-40 months", 10),
        ("temperature below 30.0", 20),
        ("temperature above 45.0", 20),
        ("temperature not in tenths", 50),
        ("rejected", 100),
        ("accepted", 2500),
        ("E-infant-fever, the baby's age unknown", 5),
        ("E-infant-fever on feels_feverish alone", 3),
        ("E-fever-low-immunity on feels_feverish alone", 3),
        ("D-blood-thinner on light_headed_on_standing alone", 3),
    ]
    .into_iter()
    .map(|(what, n)| (what.to_owned(), n))
    .collect();
    for exact in [29.9, 30.0, 34.9, 35.0, 36.0, 37.5, 38.0, 45.0, 45.1] {
        wanted.push((format!("temperature exactly {exact}"), 5));
    }
    for id in oracle::RULES {
        wanted.push((format!("fired {id}"), 3));
    }
    let short: Vec<String> = wanted
        .iter()
        .filter(|(what, n)| seen.get(what).copied().unwrap_or(0) < *n)
        .map(|(what, n)| format!("{what}: {} (want {n})", seen.get(what).copied().unwrap_or(0)))
        .collect();
    assert!(short.is_empty(), "the generator reaches too few of:\n{}\nseen: {seen:#?}", short.join("\n"));
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 2000, ..ProptestConfig::default() })]

    #[test]
    fn the_engine_follows_the_policy_text_on_unseen_check_ins(c in check_in()) {
        engine_follows_the_policy(&c)?;
    }

    #[test]
    fn adding_a_symptom_never_lowers_the_level(c in valid_check_in(), s in prop::sample::select(symptoms())) {
        let before = triage_json(&c).level;
        let after = triage_json(&with_added(c.clone(), "symptoms", "report", &s)).level;
        prop_assert!(after >= before, "adding {} lowered {:?} to {:?}: {}", s, before, after, c);
    }

    #[test]
    fn adding_a_condition_never_lowers_the_level(c in valid_check_in(), s in prop::sample::select(conditions())) {
        let before = triage_json(&c).level;
        let after = triage_json(&with_added(c.clone(), "conditions", "client", &s)).level;
        prop_assert!(after >= before, "adding {} lowered {:?} to {:?}: {}", s, before, after, c);
    }

    #[test]
    fn raising_soreness_never_lowers_the_level(c in valid_check_in(), up in 1u8..=10) {
        let before = triage_json(&c).level;
        let soreness = c["report"]["soreness"].as_u64().unwrap_or(0) as u8;
        let mut raised = c.clone();
        raised["report"]["soreness"] = json!((soreness + up).min(10));
        let after = triage_json(&raised).level;
        prop_assert!(after >= before, "raising soreness lowered {:?} to {:?}: {}", before, after, c);
    }

    #[test]
    fn triage_is_deterministic(c in valid_check_in()) {
        let a = triage_json(&c);
        let b = triage_json(&c);
        prop_assert_eq!(a, b);
    }

    #[test]
    fn every_fired_rule_cites_sources_that_exist(c in valid_check_in()) {
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
        let judged = oracle::judge(&c);
        // Where the policy is silent (the oldest age, which fields may be left out) the
        // engine may be stricter than the oracle; where the policy rejects, so must it.
        if let Ok(checkin) = care::parse_check_in(&KB, &c.to_string()) {
            // Whatever was accepted is within the policy's ranges.
            prop_assert!(checkin.report.soreness <= 10);
            prop_assert!((0.0..=8760.0).contains(&checkin.report.hours_since));
            prop_assert!(checkin.report.temperature_c.is_none_or(|t| (30.0..=45.0).contains(&t)));
            if c["session"]["massage_type"] == "infant" {
                prop_assert!(checkin.client.age_months.is_none_or(|months| months <= 35));
            }
            let t = care::triage(&KB, &checkin);
            // ... and the policy accepts it too, and gives the same answer.
            match judged {
                Ok(expected) => {
                    let fired: BTreeSet<&str> = fired_ids(&t).into_iter().collect();
                    prop_assert_eq!(&fired, &expected.fired, "check-in: {}", c);
                    prop_assert_eq!(t.level, expected.level, "check-in: {}", c);
                }
                Err(rejected) => prop_assert!(
                    false,
                    "the engine accepted a check-in the policy rejects:\n{}check-in: {}",
                    rejected,
                    c
                ),
            }
        }
    }
}

fn arbitrary_json() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::from),
        any::<i64>().prop_map(Value::from),
        any::<f64>().prop_filter("JSON numbers are finite", |f| f.is_finite()).prop_map(Value::from),
        prop::sample::select(vec![
            -1.0, 2.5, 10.5, 11.0, 8760.5, 29.9, 29.99, 30.0, 34.9, 35.0, 36.0, 37.5, 38.0, 45.0, 45.01, 45.1, 1e300,
        ])
        .prop_map(Value::from),
        prop::sample::select(vec![0i64, 2, 3, 35, 36, 40, 480, 1560, 1561]).prop_map(Value::from),
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
