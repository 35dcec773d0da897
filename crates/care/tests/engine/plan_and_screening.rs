//! Screening, recommendation, what to expect and the aftercare plan (policy sections 4-5).

use crate::common::KB;
use care::knowledge::model::ScreeningOutcome;
use care::plan::{Plan, parse_plan_request};
use care::screening::{Recommendation, parse_intake};
use care::triage::Contacts;
use serde_json::{Value, json};

fn recommend(intake: Value) -> Recommendation<'static> {
    let intake = parse_intake(&KB, &intake.to_string()).unwrap_or_else(|e| panic!("{e}"));
    care::recommend(&KB, &intake)
}

fn types(r: &Recommendation<'static>) -> Vec<&'static str> {
    r.types.iter().map(|t| t.massage_type).collect()
}

#[test]
fn a_current_clot_postpones_and_nothing_is_suggested() {
    let r = recommend(
        json!({"goals": ["relaxation"], "conditions": [{"code": "dvt_current"}, {"code": "anticoagulants"}], "first_massage": false}),
    );
    assert_eq!(r.screening.outcome, ScreeningOutcome::Postpone);
    assert!(r.types.is_empty());
    assert_eq!(r.pressure, None);
}

#[test]
fn local_conditions_avoid_their_areas_and_varicose_veins_default_to_the_legs() {
    let r = recommend(json!({"conditions": [{"code": "open_wounds", "areas": ["calves"]}], "first_massage": false}));
    assert_eq!(r.screening.outcome, ScreeningOutcome::AvoidArea);
    assert_eq!(r.screening.avoid_areas, vec!["calves"]);
    let r = recommend(json!({"conditions": [{"code": "varicose_veins"}], "first_massage": false}));
    assert_eq!(r.screening.avoid_areas, vec!["hips", "quadriceps", "hamstrings", "calves", "shins", "feet"]);
}

#[test]
fn the_strictest_outcome_wins_and_caps_combine() {
    let r = recommend(json!({
        "conditions": [{"code": "osteoporosis"}, {"code": "skin_condition", "areas": ["forearms"]}],
        "preferred_pressure": "deep", "first_massage": false
    }));
    assert_eq!(r.screening.outcome, ScreeningOutcome::AvoidArea);
    assert_eq!(r.screening.pressure_cap, Some("light"));
    assert_eq!(r.pressure, Some("light"));
}

#[test]
fn implied_pregnancy_caps_the_legs_and_high_risk_needs_clearance() {
    let r = recommend(
        json!({"goals": ["relaxation"], "conditions": [{"code": "high_risk_pregnancy"}], "first_massage": false, "preferred_pressure": "firm"}),
    );
    let pregnant = r.screening.items.iter().find(|i| i.condition == "pregnant").expect("pregnant is implied");
    assert!(pregnant.implied);
    assert_eq!(r.screening.region_caps.first().map(|c| c.at_most), Some("medium"));
    assert!(r.screening.items.iter().any(|i| i.clearance.is_some()));
    assert_eq!(types(&r).first().copied(), Some("prenatal"), "pregnancy puts prenatal first");
    assert!(!types(&r).contains(&"hot_stone"));
}

#[test]
fn goals_map_to_types_as_the_policy_says() {
    assert_eq!(types(&recommend(json!({"goals": ["pregnancy"], "first_massage": false})))[0], "prenatal");
    assert_eq!(types(&recommend(json!({"goals": ["sports_injury_rehab"], "first_massage": false})))[0], "sports");
    assert_eq!(
        types(&recommend(json!({"goals": ["relaxation"], "first_massage": false}))),
        vec!["swedish", "hot_stone"]
    );
    assert_eq!(types(&recommend(json!({"goals": ["infant_gas"], "first_massage": true})))[0], "infant");
    let back = recommend(json!({"goals": ["low_back_pain"], "first_massage": false}));
    assert_eq!(types(&back), vec!["deep_tissue", "trigger_point"]);
    let first = recommend(json!({"goals": ["low_back_pain"], "first_massage": true, "preferred_pressure": "deep"}));
    assert_eq!(types(&first), vec!["swedish"]);
    assert_eq!(first.pressure, Some("medium"), "a first massage is at most medium");
}

#[test]
fn a_sore_last_session_of_the_same_type_suggests_one_step_lighter() {
    let sore = recommend(json!({
        "goals": ["low_back_pain"], "preferred_pressure": "deep", "first_massage": false,
        "history": [{"massage_type": "deep_tissue", "pressure": "firm", "max_soreness": 6}]
    }));
    assert_eq!(sore.pressure, Some("medium"));
    assert!(sore.pressure_reasons.iter().any(|r| r.contains("soreness 6/10")), "{:?}", sore.pressure_reasons);

    let lingering = recommend(json!({
        "goals": ["low_back_pain"], "preferred_pressure": "firm", "first_massage": false,
        "history": [{"massage_type": "deep_tissue", "pressure": "firm", "max_soreness": 3, "fired": ["T-lingering"]}]
    }));
    assert_eq!(lingering.pressure, Some("medium"));

    let mild = recommend(json!({
        "goals": ["low_back_pain"], "preferred_pressure": "firm", "first_massage": false,
        "history": [{"massage_type": "deep_tissue", "pressure": "firm", "max_soreness": 5}]
    }));
    assert_eq!(mild.pressure, Some("firm"));

    let other_type = recommend(json!({
        "goals": ["low_back_pain"], "preferred_pressure": "firm", "first_massage": false,
        "history": [{"massage_type": "sports", "pressure": "firm", "max_soreness": 9}]
    }));
    assert_eq!(other_type.pressure, Some("firm"), "only the last session of the suggested type counts");
}

#[test]
fn intake_errors_name_the_field() {
    let e = parse_intake(&KB, r#"{"goals": ["relax"], "first_massage": false}"#).unwrap_err().to_string();
    assert!(e.contains("goals[0]: `relax` is not a known goal code; allowed: relaxation"), "{e}");
    let e = parse_intake(&KB, r#"{"goals": []}"#).unwrap_err().to_string();
    assert!(e.contains("first_massage: is required"), "{e}");
    let e = parse_intake(&KB, r#"{"conditions": [{"code": "diabetes", "areas": ["feet"]}], "first_massage": false}"#)
        .unwrap_err()
        .to_string();
    assert!(e.contains("conditions[0].areas") && e.contains("not a local condition"), "{e}");
}

fn plan_for(request: Value, country: Option<&str>) -> Plan<'static> {
    let r = parse_plan_request(&KB, &request.to_string()).unwrap_or_else(|e| panic!("{e}"));
    let r: &'static care::plan::PlanRequest = Box::leak(Box::new(r));
    let contacts = Contacts { country: country.and_then(|c| KB.country(c)) };
    care::plan(&KB, &r.session, &r.client, &r.products, contacts)
}

fn item<'a>(p: &'a Plan<'static>, id: &str) -> &'a care::plan::PlanEntry<'static> {
    p.items.iter().find(|i| i.id == id).unwrap_or_else(|| panic!("item {id}"))
}

#[test]
fn the_plan_has_every_item_with_its_grade_stretches_for_each_area_and_the_warning_signs() {
    let p = plan_for(
        json!({"session": {"massage_type": "deep_tissue", "pressure": "firm", "areas": ["neck", "calves", "lower_back"], "first_massage": true}}),
        Some("GB"),
    );
    let ids: Vec<&str> = p.items.iter().map(|i| i.id).collect();
    assert_eq!(ids, vec!["water", "movement", "warmth", "epsom_salt", "rest", "alcohol"]);
    let covered: Vec<&str> = item(&p, "movement").stretches.iter().flat_map(|s| s.for_areas.clone()).collect();
    for area in ["neck", "calves", "lower_back"] {
        assert!(covered.contains(&area), "a stretch for {area}");
    }
    assert!(p.expect.soreness_more_likely);
    assert_eq!(p.expect.factors.len(), 3, "first massage, firm pressure, deep technique");
    assert!(!p.warning_signs.is_empty());
    assert_eq!(p.emergency_number, Some("999"));
    assert!(p.emergency_instruction.contains("999"));
    assert!(!p.disclaimer.is_empty());
}

#[test]
fn a_gentle_session_says_soreness_is_not_likely() {
    let p =
        plan_for(json!({"session": {"massage_type": "swedish", "pressure": "light", "areas": ["upper_back"]}}), None);
    assert!(!p.expect.soreness_more_likely);
    assert!(p.expect.factors.is_empty());
    assert!(p.emergency_instruction.contains("your local emergency number"));
}

#[test]
fn cautions_change_the_items_they_belong_to() {
    let p = plan_for(
        json!({"session": {"massage_type": "prenatal", "pressure": "light", "areas": ["lower_back"]},
               "client": {"conditions": ["fluid_restriction", "preeclampsia", "diabetes"]}}),
        None,
    );
    let water = item(&p, "water");
    assert_eq!(water.text.len(), 1, "fluid restriction replaces the water advice");
    assert!(water.text[0].to_lowercase().contains("limit"), "{:?}", water.text);
    let warmth = item(&p, "warmth");
    let all = warmth.text.join(" ");
    assert!(all.contains("35"), "pregnancy (implied by pre-eclampsia) keeps bath water at most 35 °C: {all}");
    assert!(all.to_lowercase().contains("elbow") || all.to_lowercase().contains("thermometer"), "{all}");
    let wounds = plan_for(
        json!({"session": {"massage_type": "swedish", "pressure": "light", "areas": ["lower_back"]}, "client": {"conditions": ["open_wounds"]}}),
        None,
    );
    assert!(!item(&wounds, "warmth").cautions_applied.is_empty());
}

#[test]
fn products_sit_beside_their_item_and_its_grade() {
    let p = plan_for(
        json!({"session": {"massage_type": "swedish", "pressure": "medium", "areas": ["shoulders"]},
               "products": [{"name": "Clinic bath salts", "item": "epsom_salt"}]}),
        None,
    );
    let epsom = item(&p, "epsom_salt");
    assert_eq!(epsom.products.len(), 1);
    assert_eq!(epsom.grade.code.code(), "none", "the product shows the item's honest grade");
    let e = parse_plan_request(
        &KB,
        r#"{"session": {"massage_type": "swedish", "pressure": "medium", "areas": ["neck"]}, "products": [{"name": "x", "item": "salts"}]}"#,
    )
    .unwrap_err()
    .to_string();
    assert!(e.contains("products[0].item: `salts` is not a plan item"), "{e}");
}

#[test]
fn types_a_condition_rules_out_are_reported_with_the_reason() {
    let r = recommend(
        json!({"goals": ["low_back_pain", "relaxation"], "conditions": [{"code": "anticoagulants"}], "first_massage": false}),
    );
    assert_eq!(types(&r), vec!["swedish", "hot_stone"]);
    let out: Vec<&str> = r.ruled_out.iter().map(|x| x.massage_type).collect();
    assert_eq!(out, vec!["deep_tissue", "trigger_point"]);
    assert!(r.ruled_out.iter().all(|x| !x.reason.is_empty()));
}

#[test]
fn a_local_condition_must_say_where_unless_the_policy_knows() {
    let e = parse_intake(&KB, r#"{"conditions": [{"code": "open_wounds"}], "first_massage": false}"#)
        .unwrap_err()
        .to_string();
    assert!(e.contains("conditions[0].areas: is required for `open_wounds`"), "{e}");
    assert!(
        parse_intake(&KB, r#"{"conditions": [{"code": "varicose_veins"}], "first_massage": false}"#).is_ok(),
        "legs by default"
    );
}

#[test]
fn an_added_caution_is_never_replaced_away() {
    // open_wounds replaces the warmth advice; pregnancy adds to it; both must show.
    let p = plan_for(
        json!({"session": {"massage_type": "prenatal", "pressure": "light", "areas": ["lower_back"]},
               "client": {"conditions": ["pregnant", "open_wounds"]}}),
        None,
    );
    let warmth = item(&p, "warmth");
    assert_eq!(warmth.cautions_applied.len(), 2);
    assert!(warmth.text[0].starts_with("Do not have a bath"), "{:?}", warmth.text);
    assert!(warmth.text.iter().any(|t| t.contains("35")), "{:?}", warmth.text);
}

// ----- Care policy v1.2 -----

#[test]
fn an_infant_plan_has_no_bath_salts_heat_or_stretches() {
    let p = plan_for(
        json!({"session": {"massage_type": "infant", "pressure": "light", "areas": ["abdomen"]}, "client": {"age_months": 4}}),
        Some("GB"),
    );
    let ids: Vec<&str> = p.items.iter().map(|i| i.id).collect();
    assert_eq!(ids, vec!["baby_feeding", "baby_bath", "baby_no_heat"]);
    let all: String = p.items.iter().flat_map(|i| i.text.iter().copied()).collect::<Vec<_>>().join(" ");
    assert!(p.items.iter().all(|i| i.stretches.is_empty()));
    assert!(!all.contains("30 minutes"), "{all}");
    assert!(all.contains("Do not put salt, Epsom salt, oils or bubble bath in a baby's bath."));
    assert!(all.contains("Do not use heat packs"));
    assert!(!p.items.iter().any(|i| i.id == "alcohol" || i.id == "epsom_salt" || i.id == "warmth"));
    assert!(p.expect.summary.contains("Your baby may be sleepy"), "{}", p.expect.summary);
    let signs: Vec<&str> = p.warning_signs.iter().map(|w| w.text).collect();
    assert!(signs.iter().any(|s| s.contains("38 °C") && s.contains("feels hot or cold to you")), "{signs:?}");
    assert!(signs.iter().any(|s| s.contains("Not feeding")));
    assert!(signs.iter().any(|s| s.contains("grunting")));
    // An adult's plan keeps its items.
    let adult =
        plan_for(json!({"session": {"massage_type": "swedish", "pressure": "medium", "areas": ["neck"]}}), Some("GB"));
    assert!(adult.items.iter().any(|i| i.id == "epsom_salt"));
    assert!(!adult.items.iter().any(|i| i.id.starts_with("baby_")));
}

#[test]
fn infant_massage_is_at_most_light() {
    let r = recommend(json!({"goals": ["infant_gas"], "preferred_pressure": "medium", "first_massage": false}));
    assert_eq!(types(&r)[0], "infant");
    assert_eq!(r.pressure, Some("light"));
    assert!(
        r.pressure_reasons.iter().any(|x| x.contains("Infant massage: light pressure only")),
        "{:?}",
        r.pressure_reasons
    );
    let r = recommend(json!({"goals": ["infant_gas"], "first_massage": true}));
    assert_eq!(r.pressure, Some("light"));
}

#[test]
fn varicose_veins_avoid_every_leg_area() {
    let legs = vec!["hips", "quadriceps", "hamstrings", "calves", "shins", "feet"];
    let r = recommend(json!({"conditions": [{"code": "varicose_veins"}], "first_massage": false}));
    assert_eq!(r.screening.avoid_areas, legs);
    // Whatever areas were given: the legs are avoided all the same.
    let r = recommend(json!({"conditions": [{"code": "varicose_veins", "areas": ["calves"]}], "first_massage": false}));
    assert_eq!(r.screening.avoid_areas, legs);
}

#[test]
fn low_blood_pressure_never_gets_hot_stone() {
    let r = recommend(
        json!({"goals": ["relaxation", "stress_relief"], "conditions": [{"code": "low_blood_pressure"}], "first_massage": false}),
    );
    assert!(!types(&r).contains(&"hot_stone"), "{:?}", types(&r));
    assert!(r.ruled_out.iter().any(|o| o.massage_type == "hot_stone"));
    let without = recommend(json!({"goals": ["relaxation"], "first_massage": false}));
    assert!(types(&without).contains(&"hot_stone"), "hot stone is offered otherwise");
}

#[test]
fn after_birth_gets_swedish_and_after_birth_words() {
    let r = recommend(
        json!({"goals": ["relaxation", "pregnancy"], "conditions": [{"code": "gave_birth_last_6_weeks"}], "first_massage": false}),
    );
    assert_eq!(types(&r)[0], "swedish");
    assert!(!types(&r).contains(&"prenatal"), "{:?}", types(&r));
    let reasons: String = r.types.iter().flat_map(|t| t.reasons.iter().copied()).collect::<Vec<_>>().join(" ");
    assert!(reasons.contains("After birth"), "{reasons}");
    assert!(!reasons.contains("In pregnancy"), "{reasons}");
    let p = plan_for(
        json!({"session": {"massage_type": "swedish", "pressure": "light", "areas": ["upper_back"]}, "client": {"conditions": ["gave_birth_last_6_weeks"]}}),
        Some("GB"),
    );
    let all: String = p.items.iter().flat_map(|i| i.text.iter().copied()).collect::<Vec<_>>().join(" ");
    assert!(!all.contains("If you are pregnant, skip"), "{all}");
    assert!(all.contains("In the 6 weeks after birth"), "{all}");
    assert!(
        p.warning_signs.iter().any(|w| w.text.starts_with("In the 6 weeks after birth: a bad headache")),
        "the after-birth warning line"
    );
    let pregnant =
        recommend(json!({"goals": ["relaxation"], "conditions": [{"code": "pregnant"}], "first_massage": false}));
    assert_eq!(types(&pregnant)[0], "prenatal");
}

#[test]
fn a_postponed_intake_tells_the_client_not_to_come_in() {
    let message = |conditions: Value| {
        let intake = parse_intake(&KB, &json!({"conditions": conditions, "first_massage": false}).to_string())
            .unwrap_or_else(|e| panic!("{e}"));
        care::screening::postpone_message(&KB, &intake).map(str::to_owned)
    };
    let doctor = message(json!([{"code": "fever_or_infection"}])).expect("postponed");
    assert!(
        doctor.starts_with("Please do not come in for your massage today.") && doctor.contains("see a doctor first")
    );
    let rebook = message(json!([{"code": "intoxicated"}])).expect("postponed");
    assert!(rebook.contains("book another day") && !rebook.contains("doctor"), "{rebook}");
    // Intoxicated with a current clot: see a doctor.
    assert!(message(json!([{"code": "intoxicated"}, {"code": "dvt_current"}])).unwrap().contains("see a doctor"));
    assert_eq!(message(json!([{"code": "osteoporosis"}])), None);
}
