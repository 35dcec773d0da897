//! Every triage rule of care policy section 3, at and beside its thresholds, through the
//! engine (`parse_check_in` then `triage`). Each case names the exact rules that fire and
//! the level, and the independent reading in `oracle.rs` must say the same.

use crate::common::KB;
use crate::oracle;
use care::Level;
use care::Level::{Doctor, Emergency, SelfCare, Therapist};
use serde_json::{Value, json};
use std::collections::BTreeSet;

/// A check-in under construction, in the JSON format of policy section 2.
#[derive(Debug, Clone)]
struct CheckIn(Value);

/// The baseline: a swedish massage at medium pressure on the upper back, 24 h ago, soreness
/// 2 in the upper back, no symptoms, no conditions, nothing earlier to compare with.
fn checkin() -> CheckIn {
    CheckIn(json!({
        "session": {"massage_type": "swedish", "pressure": "medium", "areas": ["upper_back"], "first_massage": false},
        "client": {"conditions": []},
        "report": {
            "hours_since": 24,
            "soreness": 2,
            "previous_soreness": null,
            "trend": null,
            "sore_areas": ["upper_back"],
            "symptoms": [],
            "temperature_c": null,
            "note": null
        }
    }))
}

impl CheckIn {
    fn session_field(mut self, field: &str, value: Value) -> Self {
        self.0["session"][field] = value;
        self
    }
    fn client_field(mut self, field: &str, value: Value) -> Self {
        self.0["client"][field] = value;
        self
    }
    fn report_field(mut self, field: &str, value: Value) -> Self {
        self.0["report"][field] = value;
        self
    }

    fn massage_type(self, code: &str) -> Self {
        self.session_field("massage_type", json!(code))
    }
    fn pressure(self, code: &str) -> Self {
        self.session_field("pressure", json!(code))
    }
    fn session_areas(self, areas: &[&str]) -> Self {
        self.session_field("areas", json!(areas))
    }
    fn conditions(self, codes: &[&str]) -> Self {
        self.client_field("conditions", json!(codes))
    }
    fn age_months(self, months: u32) -> Self {
        self.client_field("age_months", json!(months))
    }
    fn usual_pain(self, pain: u8) -> Self {
        self.client_field("usual_pain", json!(pain))
    }
    fn pregnancy_weeks(self, weeks: u32) -> Self {
        self.client_field("pregnancy_weeks", json!(weeks))
    }
    fn hours(self, hours: impl Into<f64>) -> Self {
        self.report_field("hours_since", json!(hours.into()))
    }
    fn soreness(self, soreness: u8) -> Self {
        self.report_field("soreness", json!(soreness))
    }
    fn previous(self, soreness: u8) -> Self {
        self.report_field("previous_soreness", json!(soreness))
    }
    fn trend(self, trend: &str) -> Self {
        self.report_field("trend", json!(trend))
    }
    fn sore_areas(self, areas: &[&str]) -> Self {
        self.report_field("sore_areas", json!(areas))
    }
    fn symptoms(self, codes: &[&str]) -> Self {
        self.report_field("symptoms", json!(codes))
    }
    fn temperature(self, celsius: f64) -> Self {
        self.report_field("temperature_c", json!(celsius))
    }
}

/// Triages the check-in through the engine; panics with the input errors when it is invalid.
fn run(c: &CheckIn) -> care::Triage {
    let text = c.0.to_string();
    match care::parse_check_in(&KB, &text) {
        Ok(checkin) => care::triage(&KB, &checkin),
        Err(e) => panic!("the check-in should be valid: {e}\n{text}"),
    }
}

/// The ids of the rules the engine fires.
fn fired(c: &CheckIn) -> BTreeSet<String> {
    run(c).fired_rules(&KB).map(|r| r.id.clone()).collect()
}

/// The level the engine gives.
fn level(c: &CheckIn) -> Level {
    run(c).level
}

/// The engine fires exactly `ids` at `want_level`, and the oracle agrees.
#[track_caller]
fn check(c: &CheckIn, want_level: Level, ids: &[&str]) {
    let want: BTreeSet<String> = ids.iter().map(|id| (*id).to_owned()).collect();
    assert_eq!(fired(c), want, "rules fired by the engine for {}", c.0);
    assert_eq!(level(c), want_level, "level given by the engine for {}", c.0);
    let o = oracle::expected(&c.0);
    let oracle_fired: BTreeSet<String> = o.fired.iter().map(|id| (*id).to_owned()).collect();
    assert_eq!(oracle_fired, want, "rules fired by the oracle for {}", c.0);
    assert_eq!(o.level, want_level, "level given by the oracle for {}", c.0);
}

// ----- The baseline -----

#[test]
fn the_baseline_is_self_care_with_nothing_fired() {
    check(&checkin(), SelfCare, &[]);
}

#[test]
fn self_care_symptoms_alone_fire_nothing() {
    for s in ["stiffness", "tenderness", "tiredness"] {
        check(&checkin().symptoms(&[s]), SelfCare, &[]);
    }
    check(&checkin().symptoms(&["stiffness", "tenderness", "tiredness"]), SelfCare, &[]);
    check(&checkin().soreness(5).symptoms(&["stiffness", "tenderness", "tiredness"]), SelfCare, &[]);
}

// ----- Soreness: T-high, D-severe-pain -----

#[test]
fn t_high_fires_from_soreness_6() {
    check(&checkin().soreness(0), SelfCare, &[]);
    check(&checkin().soreness(5), SelfCare, &[]);
    check(&checkin().soreness(6), Therapist, &["T-high"]);
    check(&checkin().soreness(7), Therapist, &["T-high"]);
}

#[test]
fn d_severe_pain_fires_from_soreness_8() {
    check(&checkin().soreness(7), Therapist, &["T-high"]);
    check(&checkin().soreness(8), Doctor, &["D-severe-pain", "T-high"]);
    check(&checkin().soreness(10), Doctor, &["D-severe-pain", "T-high"]);
}

#[test]
fn usual_pain_that_leaves_no_excess_switches_off_t_high_and_d_severe_pain() {
    // excess = soreness - usual_pain, never below 0
    check(&checkin().usual_pain(6).soreness(6), SelfCare, &[]);
    check(&checkin().usual_pain(5).soreness(6), Therapist, &["T-high"]);
    check(&checkin().usual_pain(8).soreness(8), SelfCare, &[]);
    check(&checkin().usual_pain(7).soreness(8), Doctor, &["D-severe-pain", "T-high"]);
    check(&checkin().usual_pain(10).soreness(8), SelfCare, &[]);
    check(&checkin().usual_pain(0).soreness(8), Doctor, &["D-severe-pain", "T-high"]);
    // usual pain null or left out is taken as 0
    check(&checkin().client_field("usual_pain", Value::Null).soreness(6), Therapist, &["T-high"]);
}

// ----- Time: T-lingering, D-worse-late, D-not-resolved -----

#[test]
fn t_lingering_fires_from_72_hours_with_excess_3() {
    check(&checkin().hours(71).soreness(3), SelfCare, &[]);
    check(&checkin().hours(71.9).soreness(3), SelfCare, &[]);
    check(&checkin().hours(72).soreness(3), Therapist, &["T-lingering"]);
    check(&checkin().hours(72.5).soreness(3), Therapist, &["T-lingering"]);
    check(&checkin().hours(72).soreness(2), SelfCare, &[]);
    check(&checkin().hours(72).usual_pain(2).soreness(5), Therapist, &["T-lingering"]);
    check(&checkin().hours(72).usual_pain(3).soreness(5), SelfCare, &[]);
}

#[test]
fn d_worse_late_fires_after_72_hours_on_a_worse_trend_alone() {
    check(&checkin().hours(72).soreness(3).trend("worse"), Doctor, &["D-worse-late", "T-lingering"]);
    check(&checkin().hours(71).soreness(3).trend("worse"), SelfCare, &[]);
    check(&checkin().hours(72).soreness(2).trend("worse"), SelfCare, &[]);
    check(&checkin().hours(72).usual_pain(2).soreness(4).trend("worse"), SelfCare, &[]);
    check(&checkin().hours(72).soreness(3).trend("same"), Therapist, &["T-lingering"]);
    check(&checkin().hours(72).soreness(3).trend("better"), Therapist, &["T-lingering"]);
}

#[test]
fn d_worse_late_fires_after_72_hours_on_a_rise_of_2() {
    check(&checkin().hours(72).soreness(3).previous(1), Doctor, &["D-worse-late", "T-lingering"]);
    check(&checkin().hours(72).soreness(3).previous(2), Therapist, &["T-lingering"]);
    check(&checkin().hours(72).soreness(3).previous(3), Therapist, &["T-lingering"]);
    check(&checkin().hours(71).soreness(3).previous(1), SelfCare, &[]);
    // the rise is of soreness, not of excess
    check(&checkin().hours(72).usual_pain(2).soreness(5).previous(3), Doctor, &["D-worse-late", "T-lingering"]);
    check(&checkin().hours(72).usual_pain(2).soreness(5).previous(4), Therapist, &["T-lingering"]);
    // no previous soreness: the rise is unknown and does not fire
    check(&checkin().hours(72).soreness(3), Therapist, &["T-lingering"]);
    check(
        &checkin().hours(72).soreness(10).report_field("previous_soreness", Value::Null),
        Doctor,
        &["D-severe-pain", "T-high", "T-lingering"],
    );
}

#[test]
fn trend_and_rise_are_independent() {
    // a rise of 2 fires even when the client says "better"
    check(&checkin().hours(72).soreness(3).previous(1).trend("better"), Doctor, &["D-worse-late", "T-lingering"]);
    // "worse" fires even when soreness fell
    check(&checkin().hours(72).soreness(3).previous(5).trend("worse"), Doctor, &["D-worse-late", "T-lingering"]);
}

#[test]
fn d_not_resolved_fires_from_168_hours_with_excess_3() {
    check(&checkin().hours(167).soreness(3), Therapist, &["T-lingering"]);
    check(&checkin().hours(167.9).soreness(3), Therapist, &["T-lingering"]);
    check(&checkin().hours(168).soreness(3), Doctor, &["D-not-resolved", "T-lingering"]);
    check(&checkin().hours(168).soreness(2), SelfCare, &[]);
    check(&checkin().hours(168).usual_pain(2).soreness(5), Doctor, &["D-not-resolved", "T-lingering"]);
    check(&checkin().hours(168).usual_pain(3).soreness(5), SelfCare, &[]);
    check(&checkin().hours(8760).soreness(3), Doctor, &["D-not-resolved", "T-lingering"]);
}

#[test]
fn the_clients_usual_pain_is_not_read_as_lingering_soreness() {
    // P27-like: chronic low back pain at 5, 5 again eight days later, the same as yesterday
    let c = checkin()
        .massage_type("deep_tissue")
        .pressure("firm")
        .session_areas(&["lower_back", "glutes"])
        .sore_areas(&["lower_back"])
        .usual_pain(5)
        .hours(192)
        .soreness(5)
        .previous(5)
        .trend("same")
        .symptoms(&["stiffness"]);
    check(&c, SelfCare, &[]);
    // the same client two points above usual is still below excess 3
    check(&c.clone().soreness(7).previous(7), Therapist, &["T-high"]);
    // three above usual is not resolved
    check(&c.soreness(8).previous(8), Doctor, &["D-not-resolved", "D-severe-pain", "T-high", "T-lingering"]);
}

// ----- Swelling: D-swelling, D-swelling-worse -----

#[test]
fn d_swelling_worse_needs_site_swelling_and_a_worse_trend_or_a_rise_of_2() {
    let swelling = || checkin().symptoms(&["site_swelling"]);
    check(&swelling(), Therapist, &["T-symptom"]);
    check(&swelling().trend("worse"), Doctor, &["D-swelling-worse", "T-symptom"]);
    check(&swelling().trend("same"), Therapist, &["T-symptom"]);
    check(&swelling().soreness(3).previous(1), Doctor, &["D-swelling-worse", "T-symptom"]);
    check(&swelling().soreness(3).previous(2), Therapist, &["T-symptom"]);
    check(&swelling().soreness(1).previous(3).trend("better"), Therapist, &["T-symptom"]);
    // previous soreness null: no rise
    check(&swelling().soreness(9).trend("same"), Doctor, &["D-severe-pain", "T-high", "T-symptom"]);
    // the rise is of soreness, whatever the usual pain
    check(&swelling().usual_pain(5).soreness(4).previous(2), Doctor, &["D-swelling-worse", "T-symptom"]);
    // worse without swelling is nothing on its own
    check(&checkin().trend("worse"), SelfCare, &[]);
    check(&checkin().soreness(4).previous(1), SelfCare, &[]);
}

#[test]
fn rapidly_growing_swelling_counts_as_site_swelling() {
    check(&checkin().symptoms(&["rapidly_growing_swelling"]), Doctor, &["D-swelling", "T-symptom"]);
    check(
        &checkin().symptoms(&["rapidly_growing_swelling"]).trend("worse"),
        Doctor,
        &["D-swelling", "D-swelling-worse", "T-symptom"],
    );
}

// ----- Temperature: D-infection, E-fever-low-immunity, E-infant-fever -----

#[test]
fn a_temperature_from_38_is_fever_and_gives_d_infection() {
    check(&checkin().temperature(37.9), SelfCare, &[]);
    check(&checkin().temperature(38.0), Doctor, &["D-infection"]);
    check(&checkin().temperature(39.5), Doctor, &["D-infection"]);
    check(&checkin().temperature(43.0), Doctor, &["D-infection"]);
    check(&checkin().symptoms(&["fever"]), Doctor, &["D-infection"]);
    check(&checkin().symptoms(&["fever"]).temperature(37.0), Doctor, &["D-infection"]);
    check(&checkin().symptoms(&["spreading_redness"]), Doctor, &["D-infection"]);
    check(&checkin().symptoms(&["spreading_redness"]).temperature(38.5), Doctor, &["D-infection"]);
}

#[test]
fn a_temperature_below_36_gives_d_infection() {
    check(&checkin().temperature(36.0), SelfCare, &[]);
    check(&checkin().temperature(35.9), Doctor, &["D-infection"]);
    check(&checkin().temperature(35.0), Doctor, &["D-infection"]);
    check(&checkin().temperature(37.0), SelfCare, &[]);
}

#[test]
fn e_fever_low_immunity_fires_from_37_5_on_cancer_treatment() {
    let treated = || checkin().conditions(&["on_cancer_treatment"]);
    check(&treated(), SelfCare, &[]);
    check(&treated().temperature(37.4), SelfCare, &[]);
    check(&treated().temperature(37.5), Emergency, &["E-fever-low-immunity"]);
    check(&treated().temperature(37.9), Emergency, &["E-fever-low-immunity"]);
    check(&treated().temperature(38.0), Emergency, &["D-infection", "E-fever-low-immunity"]);
    check(&treated().symptoms(&["fever"]), Emergency, &["D-infection", "E-fever-low-immunity"]);
    // a low temperature is D-infection, not this rule
    check(&treated().temperature(35.9), Doctor, &["D-infection"]);
    // cancer without treatment that lowers immunity
    check(&checkin().conditions(&["cancer"]).temperature(37.5), SelfCare, &[]);
    check(&checkin().conditions(&["cancer"]).temperature(38.0), Doctor, &["D-infection"]);
}

/// An infant massage; the age is that of the baby.
fn infant(age_months: u32) -> CheckIn {
    checkin()
        .massage_type("infant")
        .pressure("light")
        .session_areas(&["abdomen"])
        .sore_areas(&[])
        .age_months(age_months)
}

#[test]
fn e_infant_fever_fires_under_3_months_with_fever_or_a_low_temperature() {
    check(&infant(2), SelfCare, &[]);
    check(&infant(2).temperature(38.0), Emergency, &["D-infection", "E-infant-fever"]);
    check(&infant(3).temperature(38.0), Doctor, &["D-infection"]);
    check(&infant(0).temperature(38.0), Emergency, &["D-infection", "E-infant-fever"]);
    check(&infant(2).temperature(35.9), Emergency, &["D-infection", "E-infant-fever"]);
    check(&infant(3).temperature(35.9), Doctor, &["D-infection"]);
    check(&infant(2).temperature(36.0), SelfCare, &[]);
    check(&infant(2).temperature(37.9), SelfCare, &[]);
    check(&infant(2).symptoms(&["fever"]), Emergency, &["D-infection", "E-infant-fever"]);
    check(&infant(12).temperature(38.0), Doctor, &["D-infection"]);
    // the rule reads the age, whatever the massage type
    check(&checkin().age_months(2).temperature(38.0), Emergency, &["D-infection", "E-infant-fever"]);
    // no age given: the age condition does not hold
    check(&checkin().temperature(35.9), Doctor, &["D-infection"]);
}

// ----- E-urine, D-urine -----

#[test]
fn e_urine_fires_on_dark_urine_alone() {
    check(&checkin().symptoms(&["dark_urine"]), Emergency, &["E-urine"]);
}

#[test]
fn little_urine_is_an_emergency_with_soreness_6_or_muscle_weakness() {
    check(&checkin().symptoms(&["little_urine"]), Doctor, &["D-urine"]);
    check(&checkin().symptoms(&["little_urine"]).soreness(5), Doctor, &["D-urine"]);
    check(&checkin().symptoms(&["little_urine"]).soreness(6), Emergency, &["D-urine", "E-urine", "T-high"]);
    // E-urine reads soreness, not excess
    check(&checkin().symptoms(&["little_urine"]).usual_pain(6).soreness(6), Emergency, &["D-urine", "E-urine"]);
    check(&checkin().symptoms(&["little_urine", "muscle_weakness"]), Emergency, &["D-urine", "D-weakness", "E-urine"]);
    check(
        &checkin().symptoms(&["little_urine", "limb_weakness"]),
        Emergency,
        &["D-urine", "D-weakness", "E-stroke", "E-urine"],
    );
    check(&checkin().symptoms(&["muscle_weakness"]), Doctor, &["D-weakness"]);
    check(&checkin().symptoms(&["muscle_weakness"]).soreness(6), Doctor, &["D-weakness", "T-high"]);
}

// ----- E-allergy, D-hives -----

#[test]
fn widespread_hives_alone_is_d_hives() {
    check(&checkin().symptoms(&["widespread_hives"]), Doctor, &["D-hives"]);
    check(&checkin().symptoms(&["widespread_hives", "nausea"]), Doctor, &["D-hives", "T-symptom"]);
    check(&checkin().symptoms(&["widespread_hives", "contact_rash"]), Doctor, &["D-hives", "T-symptom"]);
}

#[test]
fn widespread_hives_with_dizziness_light_headedness_fainting_or_vomiting_is_e_allergy() {
    for s in ["dizziness", "light_headed_on_standing", "vomiting"] {
        check(&checkin().symptoms(&["widespread_hives", s]), Emergency, &["D-hives", "E-allergy", "T-symptom"]);
    }
    check(&checkin().symptoms(&["widespread_hives", "fainting"]), Emergency, &["D-hives", "E-allergy", "E-collapse"]);
    // without hives those are not allergy
    check(&checkin().symptoms(&["dizziness", "vomiting"]), Doctor, &["D-vomit-headache", "T-symptom"]);
}

#[test]
fn e_allergy_fires_on_face_or_throat_swelling_or_wheeze() {
    check(&checkin().symptoms(&["face_or_throat_swelling"]), Emergency, &["E-allergy"]);
    check(&checkin().symptoms(&["wheeze"]), Emergency, &["E-allergy"]);
}

// ----- E-bleeding, D-blood-thinner -----

#[test]
fn e_bleeding_fires_on_heavy_bleeding_alone() {
    check(&checkin().symptoms(&["heavy_bleeding"]), Emergency, &["E-bleeding"]);
}

#[test]
fn a_knock_to_the_head_on_blood_thinners_or_with_a_bleeding_disorder_is_e_bleeding() {
    for condition in ["anticoagulants", "bleeding_disorder"] {
        check(&checkin().conditions(&[condition]).symptoms(&["head_knock"]), Emergency, &["E-bleeding", "T-symptom"]);
    }
    // without them, a knock to the head is for the therapist
    check(&checkin().symptoms(&["head_knock"]), Therapist, &["T-symptom"]);
    check(&checkin().conditions(&["diabetes"]).symptoms(&["head_knock"]), Therapist, &["T-symptom"]);
}

#[test]
fn headache_and_vomiting_on_blood_thinners_or_with_a_bleeding_disorder_is_e_bleeding() {
    for condition in ["anticoagulants", "bleeding_disorder"] {
        check(
            &checkin().conditions(&[condition]).symptoms(&["headache", "vomiting"]),
            Emergency,
            &["D-blood-thinner", "D-vomit-headache", "E-bleeding", "T-symptom"],
        );
    }
    // headache alone is D-blood-thinner, vomiting alone is for the therapist
    check(
        &checkin().conditions(&["anticoagulants"]).symptoms(&["headache"]),
        Doctor,
        &["D-blood-thinner", "T-symptom"],
    );
    check(&checkin().conditions(&["anticoagulants"]).symptoms(&["vomiting"]), Therapist, &["T-symptom"]);
    // without them, headache and vomiting is D-vomit-headache
    check(&checkin().symptoms(&["headache", "vomiting"]), Doctor, &["D-vomit-headache", "T-symptom"]);
}

#[test]
fn rapidly_growing_swelling_on_blood_thinners_is_e_bleeding() {
    for condition in ["anticoagulants", "bleeding_disorder"] {
        check(
            &checkin().conditions(&[condition]).symptoms(&["rapidly_growing_swelling"]),
            Emergency,
            &["D-swelling", "E-bleeding", "T-symptom"],
        );
    }
    // ordinary swelling at the site is not
    check(&checkin().conditions(&["anticoagulants"]).symptoms(&["site_swelling"]), Therapist, &["T-symptom"]);
}

#[test]
fn d_blood_thinner_fires_on_a_large_bruise_headache_or_dizziness() {
    for condition in ["anticoagulants", "bleeding_disorder"] {
        for s in ["large_bruise", "headache", "dizziness"] {
            check(&checkin().conditions(&[condition]).symptoms(&[s]), Doctor, &["D-blood-thinner", "T-symptom"]);
        }
        check(&checkin().conditions(&[condition]).symptoms(&["small_bruise"]), Therapist, &["T-symptom"]);
        check(&checkin().conditions(&[condition]), SelfCare, &[]);
    }
    // without the condition, a large bruise is for the therapist
    check(&checkin().symptoms(&["large_bruise"]), Therapist, &["T-symptom"]);
    // a sudden severe headache is a headache too
    check(
        &checkin().conditions(&["anticoagulants"]).symptoms(&["sudden_severe_headache"]),
        Emergency,
        &["D-blood-thinner", "E-stroke", "T-symptom"],
    );
}

// ----- E-neck-artery, D-vomit-headache, D-neck-dizzy -----

#[test]
fn vomiting_and_dizziness_with_the_neck_only_sore_is_e_neck_artery() {
    check(
        &checkin().sore_areas(&["neck"]).symptoms(&["vomiting", "dizziness"]),
        Emergency,
        &["D-neck-dizzy", "D-vomit-headache", "E-neck-artery", "T-symptom"],
    );
}

#[test]
fn vomiting_and_headache_with_the_neck_worked_is_e_neck_artery() {
    check(
        &checkin().session_areas(&["neck", "shoulders"]).sore_areas(&[]).symptoms(&["vomiting", "headache"]),
        Emergency,
        &["D-vomit-headache", "E-neck-artery", "T-symptom"],
    );
    check(
        &checkin().session_areas(&["neck"]).symptoms(&["vomiting", "sudden_severe_headache"]),
        Emergency,
        &["D-vomit-headache", "E-neck-artery", "E-stroke", "T-symptom"],
    );
}

#[test]
fn without_the_neck_vomiting_with_headache_or_dizziness_is_d_vomit_headache() {
    check(&checkin().symptoms(&["vomiting", "dizziness"]), Doctor, &["D-vomit-headache", "T-symptom"]);
    check(&checkin().symptoms(&["vomiting", "headache"]), Doctor, &["D-vomit-headache", "T-symptom"]);
    check(
        &checkin().session_areas(&["shoulders"]).sore_areas(&["head", "face"]).symptoms(&["vomiting", "headache"]),
        Doctor,
        &["D-vomit-headache", "T-symptom"],
    );
}

#[test]
fn e_neck_artery_needs_vomiting_and_headache_or_dizziness() {
    let neck = || checkin().session_areas(&["neck"]).sore_areas(&["neck"]);
    check(&neck(), SelfCare, &[]);
    check(&neck().symptoms(&["vomiting"]), Therapist, &["T-symptom"]);
    check(&neck().symptoms(&["headache"]), Therapist, &["T-symptom"]);
    check(&neck().symptoms(&["vomiting", "nausea"]), Therapist, &["T-symptom"]);
    // light-headed on standing is not dizziness
    check(&neck().symptoms(&["vomiting", "light_headed_on_standing"]), Therapist, &["T-symptom"]);
}

#[test]
fn d_neck_dizzy_fires_on_dizziness_with_the_neck_involved() {
    check(&checkin().session_areas(&["neck"]).symptoms(&["dizziness"]), Doctor, &["D-neck-dizzy", "T-symptom"]);
    check(&checkin().sore_areas(&["neck"]).symptoms(&["dizziness"]), Doctor, &["D-neck-dizzy", "T-symptom"]);
    // light-headed on standing is not dizziness
    check(&checkin().session_areas(&["neck"]).symptoms(&["light_headed_on_standing"]), Therapist, &["T-symptom"]);
    check(&checkin().sore_areas(&["neck"]).symptoms(&["light_headed_on_standing"]), Therapist, &["T-symptom"]);
    // no neck
    check(&checkin().session_areas(&["shoulders", "head"]).symptoms(&["dizziness"]), Therapist, &["T-symptom"]);
}

// ----- E-compartment -----

#[test]
fn e_compartment_fires_from_soreness_8_with_site_swelling_and_a_nerve_sign() {
    check(&checkin().soreness(7).symptoms(&["site_swelling", "tingling"]), Doctor, &["D-nerve", "T-high", "T-symptom"]);
    check(
        &checkin().soreness(8).symptoms(&["site_swelling", "tingling"]),
        Emergency,
        &["D-nerve", "D-severe-pain", "E-compartment", "T-high", "T-symptom"],
    );
    check(
        &checkin().soreness(8).symptoms(&["site_swelling", "numbness"]),
        Emergency,
        &["D-nerve", "D-severe-pain", "E-compartment", "T-high", "T-symptom"],
    );
    check(
        &checkin().soreness(8).symptoms(&["site_swelling", "muscle_weakness"]),
        Emergency,
        &["D-severe-pain", "D-weakness", "E-compartment", "T-high", "T-symptom"],
    );
    // no swelling, or no nerve sign
    check(&checkin().soreness(8).symptoms(&["tingling"]), Doctor, &["D-nerve", "D-severe-pain", "T-high"]);
    check(&checkin().soreness(8).symptoms(&["site_swelling"]), Doctor, &["D-severe-pain", "T-high", "T-symptom"]);
}

#[test]
fn e_compartment_counts_rapidly_growing_swelling_as_site_swelling() {
    check(
        &checkin().soreness(8).symptoms(&["rapidly_growing_swelling", "tingling"]),
        Emergency,
        &["D-nerve", "D-severe-pain", "D-swelling", "E-compartment", "T-high", "T-symptom"],
    );
    check(
        &checkin().soreness(7).symptoms(&["rapidly_growing_swelling", "tingling"]),
        Doctor,
        &["D-nerve", "D-swelling", "T-high", "T-symptom"],
    );
}

#[test]
fn e_compartment_reads_soreness_not_excess() {
    check(
        &checkin().usual_pain(8).soreness(8).symptoms(&["site_swelling", "tingling"]),
        Emergency,
        &["D-nerve", "E-compartment", "T-symptom"],
    );
}

// ----- Emergency symptoms on their own -----

#[test]
fn e_stroke_fires_on_each_of_its_symptoms() {
    for s in ["vision_changes", "speech_difficulty", "face_droop", "unsteadiness", "seizure"] {
        check(&checkin().symptoms(&[s]), Emergency, &["E-stroke"]);
    }
    // the specific codes add their general ones
    check(&checkin().symptoms(&["sudden_severe_headache"]), Emergency, &["E-stroke", "T-symptom"]);
    check(&checkin().symptoms(&["limb_weakness"]), Emergency, &["D-weakness", "E-stroke"]);
    check(&checkin().symptoms(&["sudden_numbness"]), Emergency, &["D-nerve", "E-stroke"]);
    // the general ones alone are not E-stroke
    check(&checkin().symptoms(&["headache"]), Therapist, &["T-symptom"]);
    check(&checkin().symptoms(&["numbness"]), Doctor, &["D-nerve"]);
    check(&checkin().symptoms(&["muscle_weakness"]), Doctor, &["D-weakness"]);
}

#[test]
fn e_breathing_fires_on_each_of_its_symptoms() {
    for s in ["breathlessness", "chest_pain", "coughing_blood"] {
        check(&checkin().symptoms(&[s]), Emergency, &["E-breathing"]);
    }
}

#[test]
fn e_collapse_fires_on_fainting_or_confusion() {
    for s in ["fainting", "confusion"] {
        check(&checkin().symptoms(&[s]), Emergency, &["E-collapse"]);
    }
}

#[test]
fn e_sepsis_fires_on_each_of_its_symptoms() {
    for s in ["floppy_or_hard_to_wake", "non_blanching_rash", "blotchy_blue_grey_skin"] {
        check(&checkin().symptoms(&[s]), Emergency, &["E-sepsis"]);
    }
    // fever with a sepsis sign is an emergency
    check(&checkin().temperature(38.5).symptoms(&["confusion"]), Emergency, &["D-infection", "E-collapse"]);
}

// ----- Doctor symptoms on their own -----

#[test]
fn d_clot_fires_on_each_of_its_symptoms() {
    for s in ["one_leg_swelling", "one_leg_pain", "leg_warmth_redness", "one_arm_swelling"] {
        check(&checkin().symptoms(&[s]), Doctor, &["D-clot"]);
    }
}

#[test]
fn d_nerve_fires_on_numbness_or_tingling() {
    for s in ["numbness", "tingling"] {
        check(&checkin().symptoms(&[s]), Doctor, &["D-nerve"]);
    }
}

#[test]
fn d_pregnancy_signs_fire_on_each_of_their_symptoms() {
    for s in ["vaginal_bleeding", "reduced_baby_movement", "contractions_or_waters"] {
        check(&checkin().symptoms(&[s]), Doctor, &["D-pregnancy-signs"]);
        check(
            &checkin().massage_type("prenatal").conditions(&["pregnant"]).pregnancy_weeks(30).symptoms(&[s]),
            Doctor,
            &["D-pregnancy-signs"],
        );
    }
}

// ----- D-pregnancy -----

/// A pregnant client after a prenatal massage.
fn pregnant() -> CheckIn {
    checkin().massage_type("prenatal").conditions(&["pregnant"])
}

#[test]
fn d_pregnancy_fires_from_20_weeks() {
    check(&pregnant().pregnancy_weeks(19).symptoms(&["headache"]), Therapist, &["T-symptom"]);
    check(&pregnant().pregnancy_weeks(20).symptoms(&["headache"]), Doctor, &["D-pregnancy", "T-symptom"]);
    check(&pregnant().pregnancy_weeks(19).symptoms(&["vomiting"]), Therapist, &["T-symptom"]);
    check(&pregnant().pregnancy_weeks(20).symptoms(&["vomiting"]), Doctor, &["D-pregnancy", "T-symptom"]);
    check(&pregnant().pregnancy_weeks(38).symptoms(&["headache"]), Doctor, &["D-pregnancy", "T-symptom"]);
    // other symptoms, or none
    check(&pregnant().pregnancy_weeks(30), SelfCare, &[]);
    check(&pregnant().pregnancy_weeks(30).symptoms(&["nausea"]), Therapist, &["T-symptom"]);
    check(&pregnant().pregnancy_weeks(30).symptoms(&["dizziness"]), Therapist, &["T-symptom"]);
}

#[test]
fn d_pregnancy_fires_when_the_weeks_are_unknown() {
    check(&pregnant().symptoms(&["headache"]), Doctor, &["D-pregnancy", "T-symptom"]);
    check(
        &pregnant().client_field("pregnancy_weeks", Value::Null).symptoms(&["vomiting"]),
        Doctor,
        &["D-pregnancy", "T-symptom"],
    );
}

#[test]
fn d_pregnancy_needs_the_client_to_be_pregnant() {
    check(&checkin().pregnancy_weeks(30).symptoms(&["headache"]), Therapist, &["T-symptom"]);
    check(&checkin().symptoms(&["headache", "nausea"]), Therapist, &["T-symptom"]);
}

#[test]
fn d_pregnancy_fires_up_to_6_weeks_after_birth_without_pregnant_ticked() {
    let after_birth = || checkin().conditions(&["gave_birth_last_6_weeks"]);
    check(&after_birth().symptoms(&["headache"]), Doctor, &["D-pregnancy", "T-symptom"]);
    check(&after_birth().symptoms(&["vomiting"]), Doctor, &["D-pregnancy", "T-symptom"]);
    // the birth makes the weeks irrelevant
    check(&after_birth().pregnancy_weeks(0).symptoms(&["headache"]), Doctor, &["D-pregnancy", "T-symptom"]);
    check(&after_birth().pregnancy_weeks(19).symptoms(&["vomiting"]), Doctor, &["D-pregnancy", "T-symptom"]);
    check(&after_birth(), SelfCare, &[]);
}

#[test]
fn preeclampsia_and_high_risk_pregnancy_imply_pregnant() {
    check(
        &checkin().conditions(&["preeclampsia"]).pregnancy_weeks(24).symptoms(&["headache"]),
        Doctor,
        &["D-pregnancy", "T-symptom"],
    );
    check(&checkin().conditions(&["preeclampsia"]).symptoms(&["vomiting"]), Doctor, &["D-pregnancy", "T-symptom"]);
    check(
        &checkin().conditions(&["preeclampsia"]).pregnancy_weeks(19).symptoms(&["headache"]),
        Therapist,
        &["T-symptom"],
    );
    check(
        &checkin().conditions(&["high_risk_pregnancy"]).pregnancy_weeks(30).symptoms(&["vomiting"]),
        Doctor,
        &["D-pregnancy", "T-symptom"],
    );
}

#[test]
fn a_sudden_severe_headache_in_pregnancy_is_a_headache_too() {
    check(
        &pregnant().pregnancy_weeks(30).symptoms(&["sudden_severe_headache"]),
        Emergency,
        &["D-pregnancy", "E-stroke", "T-symptom"],
    );
}

// ----- D-burn-diabetes -----

#[test]
fn d_burn_diabetes_fires_on_a_burn_with_diabetes_or_neuropathy() {
    check(&checkin().symptoms(&["burn_or_blister"]), Therapist, &["T-symptom"]);
    check(
        &checkin().conditions(&["diabetes"]).symptoms(&["burn_or_blister"]),
        Doctor,
        &["D-burn-diabetes", "T-symptom"],
    );
    check(
        &checkin().conditions(&["neuropathy"]).symptoms(&["burn_or_blister"]),
        Doctor,
        &["D-burn-diabetes", "T-symptom"],
    );
    check(&checkin().conditions(&["heart_disease"]).symptoms(&["burn_or_blister"]), Therapist, &["T-symptom"]);
    check(&checkin().conditions(&["diabetes", "neuropathy"]), SelfCare, &[]);
    check(&checkin().conditions(&["diabetes"]).symptoms(&["contact_rash"]), Therapist, &["T-symptom"]);
}

// ----- T-symptom -----

#[test]
fn each_therapist_group_symptom_alone_is_t_symptom() {
    for s in [
        "headache",
        "dizziness",
        "light_headed_on_standing",
        "nausea",
        "vomiting",
        "small_bruise",
        "large_bruise",
        "contact_rash",
        "site_swelling",
        "burn_or_blister",
        "head_knock",
    ] {
        check(&checkin().symptoms(&[s]), Therapist, &["T-symptom"]);
    }
}

// ----- Levels and combinations -----

#[test]
fn every_matching_rule_fires_and_the_level_is_the_highest() {
    // P35-like: calves 9/10, swollen, numb and tingling, hardly any urine
    let c = checkin()
        .massage_type("deep_tissue")
        .pressure("deep")
        .session_areas(&["calves", "hamstrings"])
        .sore_areas(&["calves"])
        .hours(20)
        .soreness(9)
        .symptoms(&["one_leg_swelling", "site_swelling", "numbness", "tingling", "little_urine"]);
    check(
        &c,
        Emergency,
        &["D-clot", "D-nerve", "D-severe-pain", "D-urine", "E-compartment", "E-urine", "T-high", "T-symptom"],
    );
}

#[test]
fn the_level_is_the_highest_of_the_fired_rules() {
    check(&checkin().symptoms(&["headache", "tingling"]), Doctor, &["D-nerve", "T-symptom"]);
    check(
        &checkin().symptoms(&["stiffness", "headache", "tingling", "chest_pain"]),
        Emergency,
        &["D-nerve", "E-breathing", "T-symptom"],
    );
    check(&checkin().soreness(6).symptoms(&["tiredness"]), Therapist, &["T-high"]);
    check(
        &checkin().hours(200).soreness(8).trend("worse").symptoms(&["nausea"]),
        Doctor,
        &["D-not-resolved", "D-severe-pain", "D-worse-late", "T-high", "T-lingering", "T-symptom"],
    );
}

#[test]
fn several_emergency_rules_fire_together() {
    check(
        &checkin().conditions(&["anticoagulants"]).symptoms(&["heavy_bleeding", "fainting", "breathlessness"]),
        Emergency,
        &["E-bleeding", "E-breathing", "E-collapse"],
    );
}

// ----- Care policy v1.2 -----

#[test]
fn low_temperature_below_35_is_an_emergency() {
    // E-low-temperature below 35.0; below 36.0 also fires D-infection.
    check(&checkin().temperature(34.9), Emergency, &["E-low-temperature", "D-infection"]);
    check(&checkin().temperature(35.0), Doctor, &["D-infection"]);
    check(&checkin().temperature(33.5), Emergency, &["E-low-temperature", "D-infection"]);
    check(&checkin().temperature(30.0), Emergency, &["E-low-temperature", "D-infection"]);
}

#[test]
fn temperatures_from_30_to_45_are_taken_as_given() {
    for t in [29.9, 45.1, 20.0, 98.6] {
        let c = checkin().temperature(t);
        let err = care::parse_check_in(&KB, &c.0.to_string()).expect_err("out of range");
        assert!(err.to_string().contains("report.temperature_c"), "{err}");
        assert!(err.to_string().contains("from 30 to 45"), "{err}");
    }
    check(&checkin().temperature(45.0), Doctor, &["D-infection"]);
    // Never rounded: 37.96 is not a fever, 37.99 neither; 38.0 is.
    check(&checkin().temperature(37.96), SelfCare, &[]);
    check(&checkin().temperature(37.99), SelfCare, &[]);
    check(&checkin().temperature(38.0), Doctor, &["D-infection"]);
    // 35.96 and 35.99 are below 36.0: rounding them to 36.0 would lose D-infection.
    check(&checkin().temperature(35.96), Doctor, &["D-infection"]);
    check(&checkin().temperature(35.99), Doctor, &["D-infection"]);
    check(&checkin().temperature(36.0), SelfCare, &[]);
    // 34.96 is below 35.0: an emergency.
    check(&checkin().temperature(34.96), Emergency, &["E-low-temperature", "D-infection"]);
}

fn baby() -> CheckIn {
    checkin().massage_type("infant").pressure("light").session_areas(&["abdomen"]).sore_areas(&[])
}

#[test]
fn an_infant_whose_age_is_unknown_is_read_as_under_three_months() {
    let c = baby().symptoms(&["feels_feverish"]);
    check(&c, Emergency, &["E-infant-fever", "T-symptom"]);
    assert!(run(&c).facts.baby_age_unknown);
    let report = care::TriageReport::new(&KB, &run(&c), care::triage::Contacts::default());
    assert!(report.baby_age_unknown, "the staff view says the age was unknown");
    check(&baby().temperature(38.0), Emergency, &["E-infant-fever", "D-infection"]);
    check(&baby().temperature(35.9), Emergency, &["E-infant-fever", "D-infection"]);
    // Known: 2 months fires, 3 months does not.
    check(&baby().age_months(2).temperature(38.0), Emergency, &["E-infant-fever", "D-infection"]);
    check(&baby().age_months(3).temperature(38.0), Doctor, &["D-infection"]);
    // Unknown age on an adult's session is not a baby's.
    check(&checkin().symptoms(&["feels_feverish"]), Therapist, &["T-symptom"]);
    assert!(!run(&checkin()).facts.baby_age_unknown);
}

#[test]
fn an_infant_age_of_36_months_or_more_is_refused() {
    check(&baby().age_months(35), SelfCare, &[]);
    for months in [36, 37, 480] {
        let c = baby().age_months(months);
        let err = care::parse_check_in(&KB, &c.0.to_string()).expect_err("not a baby's age");
        assert!(err.to_string().contains("client.age_months"), "{err}");
        assert!(err.to_string().contains("from 0 to 35"), "{err}");
    }
    // An adult's age is fine on an adult's session.
    check(&checkin().age_months(480), SelfCare, &[]);
}

#[test]
fn feels_feverish_is_an_emergency_for_a_young_baby_and_in_cancer_treatment() {
    check(&baby().age_months(1).symptoms(&["feels_feverish"]), Emergency, &["E-infant-fever", "T-symptom"]);
    check(&baby().age_months(6).symptoms(&["feels_feverish"]), Therapist, &["T-symptom"]);
    check(
        &checkin().conditions(&["on_cancer_treatment"]).symptoms(&["feels_feverish"]),
        Emergency,
        &["E-fever-low-immunity", "T-symptom"],
    );
    check(&checkin().symptoms(&["feels_feverish"]), Therapist, &["T-symptom"]);
}

#[test]
fn light_headed_on_standing_keeps_the_blood_thinner_rule() {
    for condition in ["anticoagulants", "bleeding_disorder"] {
        check(
            &checkin().conditions(&[condition]).symptoms(&["light_headed_on_standing"]),
            Doctor,
            &["D-blood-thinner", "T-symptom"],
        );
    }
    check(&checkin().symptoms(&["light_headed_on_standing"]), Therapist, &["T-symptom"]);
}

fn report(c: &CheckIn) -> care::TriageReport<'static> {
    let t: &'static care::Triage = Box::leak(Box::new(run(c)));
    care::TriageReport::new(&KB, t, care::triage::Contacts { country: KB.country("GB") })
}

#[test]
fn maternity_and_cancer_rules_give_their_own_first_instruction() {
    let maternity = report(&checkin().conditions(&["pregnant"]).symptoms(&["reduced_baby_movement"]));
    assert_eq!(maternity.level, Doctor);
    assert_eq!(maternity.label, "Call your maternity unit now");
    assert_eq!(maternity.instruction, "Contact your maternity unit now, even at night.");
    // With another doctor rule at the same level the maternity order still stands alone.
    let both = report(&checkin().conditions(&["pregnant"]).pregnancy_weeks(30).symptoms(&["headache"]).soreness(9));
    assert_eq!(both.level, Doctor);
    assert_eq!(both.label, "Call your maternity unit now");
    assert!(!both.instruction.contains("tomorrow"), "{}", both.instruction);
    // After birth too.
    let after = report(&checkin().conditions(&["gave_birth_last_6_weeks"]).symptoms(&["vomiting"]));
    assert_eq!(after.label, "Call your maternity unit now");

    let cancer = report(&checkin().conditions(&["on_cancer_treatment"]).temperature(37.5));
    assert_eq!(cancer.level, Emergency);
    assert_eq!(cancer.instruction, "Call your cancer team's 24-hour line now. If you cannot reach them, call 999.");
    // Chest pain during cancer treatment: the emergency number comes first, never a phone line.
    let chest = report(&checkin().conditions(&["on_cancer_treatment"]).temperature(37.5).symptoms(&["chest_pain"]));
    assert_eq!(chest.instruction, "Call 999 now. Do not drive yourself.");

    let baby = report(&baby().age_months(1).temperature(38.2));
    assert_eq!(baby.instruction, "Call 999 now, or take your baby to an emergency department now.");
    // A doctor result with no rule of its own keeps the level's words.
    let clot = report(&checkin().symptoms(&["one_leg_swelling"]));
    assert_eq!(clot.label, "See a doctor today");
}

#[test]
fn soreness_at_the_usual_level_is_not_called_normal_soreness() {
    let usual = report(&checkin().usual_pain(8).soreness(8));
    assert_eq!(usual.level, SelfCare);
    assert!(usual.instruction.starts_with("Your pain is at the level you told us is usual for you."));
    assert!(!usual.instruction.contains("normal soreness"));
    assert_eq!(usual.label, "Your usual pain");
    let seven = report(&checkin().usual_pain(7).soreness(7));
    assert!(seven.instruction.contains("normal soreness"), "{}", seven.instruction);
}

#[test]
fn note_phrases_are_flagged_on_whole_words() {
    let flags = |note: &str| -> Vec<(String, String)> {
        care::note::note_flags(&KB, note).into_iter().map(|f| (f.code, f.phrase)).collect()
    };
    assert_eq!(
        flags("Crushing chest pain, can’t breathe"),
        vec![
            ("breathlessness".to_owned(), "can't breathe".to_owned()),
            ("chest_pain".to_owned(), "chest pain".to_owned()),
        ]
    );
    assert_eq!(flags("I had a fit"), vec![("seizure".to_owned(), "fit".to_owned())]);
    assert!(flags("back to my fitness class").is_empty());
    // Nothing is ignored: a person reads "no chest pain" too.
    assert_eq!(flags("no chest pain at all"), vec![("chest_pain".to_owned(), "chest pain".to_owned())]);
    assert_eq!(flags("my calf\nswollen since"), vec![("one_leg_swelling".to_owned(), "calf swollen".to_owned())]);
    assert!(flags("").is_empty());
    // The note never sets the level, and the flags travel with the result.
    // A sign the coded answer already reports is not flagged again.
    let ticked = checkin().symptoms(&["chest_pain"]).report_field("note", json!("crushing chest pain"));
    assert!(run(&ticked).note_flags.is_empty());
    let c = checkin().report_field("note", json!("crushing chest pain"));
    check(&c, SelfCare, &[]);
    let r = report(&c);
    assert_eq!(r.note_flags.len(), 1);
    assert!(
        r.note_flags[0].text.starts_with("You wrote about “chest pain”. If this is happening now: Call 999 now."),
        "{}",
        r.note_flags[0].text
    );
}

#[test]
fn pregnancy_weeks_are_counted_on_and_a_pregnancy_ends_by_date() {
    let codes = |c: &[&str]| c.iter().map(|s| (*s).to_owned()).collect::<Vec<_>>();
    let at = |c: &[&str], weeks: Option<i64>, days: i64| care::checkin::conditions_at(&KB, &codes(c), weeks, days);
    // 18 weeks at intake, 3 weeks later: 21, never the 18 recorded.
    assert_eq!(at(&["pregnant"], Some(18), 0), (codes(&["pregnant"]), Some(18)));
    assert_eq!(at(&["pregnant"], Some(18), 21), (codes(&["pregnant"]), Some(21)));
    // "19 weeks" may have been 19 weeks and 6 days: a day later it reads 20, never later than it should.
    assert_eq!(at(&["pregnant"], Some(19), 1), (codes(&["pregnant"]), Some(20)));
    // The pregnancy ends 43 weeks after the latest start the record allows: 40 weeks and
    // 20 days still counts, 40 weeks and 21 days does not.
    assert_eq!(at(&["pregnant", "anticoagulants"], Some(40), 20).0, codes(&["pregnant", "anticoagulants"]));
    assert_eq!(at(&["high_risk_pregnancy", "anticoagulants"], Some(40), 21), (codes(&["anticoagulants"]), None));
    // No weeks recorded: unknown, and the record ends 43 weeks after it was made.
    assert_eq!(at(&["pregnant"], None, 300), (codes(&["pregnant"]), None));
    assert_eq!(at(&["pregnant"], None, 301), (codes(&[]), None));
    // After birth ends 6 weeks after it was recorded.
    assert_eq!(at(&["gave_birth_last_6_weeks"], None, 41), (codes(&["gave_birth_last_6_weeks"]), None));
    assert_eq!(at(&["gave_birth_last_6_weeks"], None, 42), (codes(&[]), None));
    assert!(care::checkin::is_pregnancy(&KB, "preeclampsia"));
    assert!(!care::checkin::is_pregnancy(&KB, "gave_birth_last_6_weeks"));
    // What it means for triage: a headache at 21 weeks is D-pregnancy; at 18 it is not.
    let headache = || checkin().conditions(&["pregnant"]).symptoms(&["headache"]);
    assert!(fired(&headache().pregnancy_weeks(21)).contains("D-pregnancy"));
    assert!(!fired(&headache().pregnancy_weeks(18)).contains("D-pregnancy"));
}
