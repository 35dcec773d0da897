//! An independent reading of care policy sections 2 and 3, written from the policy text
//! alone: the normalisation of a check-in, then every rule of the triage table, one by one.
//! It works on the check-in JSON of policy section 2 and assumes the check-in is valid (the
//! engine rejects anything else before triage). Where the engine and this reading disagree,
//! one of them does not follow the policy.

use care::Level;
use serde_json::Value;
use std::collections::BTreeSet;

/// What the policy says a check-in gives: the level and every rule that fires.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Expected {
    /// The highest level fired, or `self_care` when nothing fired.
    pub level: Level,
    /// The ids of the rules that fire.
    pub fired: BTreeSet<&'static str>,
}

/// The check-in after normalisation (policy section 2), with everything the rules read.
#[derive(Debug, Clone)]
struct Facts {
    /// Symptoms as ticked, plus `fever` from the temperature and the general codes of the
    /// specific ones.
    symptoms: BTreeSet<String>,
    /// Conditions as given, plus `pregnant` where another condition implies it.
    conditions: BTreeSet<String>,
    /// `neck` is among the session's areas or the sore areas.
    neck_involved: bool,
    /// Soreness 0-10 as reported.
    soreness: i64,
    /// `soreness - usual_pain`, never below 0.
    excess: i64,
    /// `soreness - previous_soreness`; unknown when there is no previous soreness.
    rise: Option<i64>,
    /// Hours from the end of the session to the report.
    hours_since: f64,
    /// `better`, `same`, `worse`, or unknown.
    trend: Option<String>,
    /// Temperature in °C, when given.
    temperature_c: Option<f64>,
    /// Age in completed months, when given.
    age_months: Option<i64>,
    /// Weeks of pregnancy, when given.
    pregnancy_weeks: Option<i64>,
}

impl Facts {
    /// The symptom is present (after normalisation).
    fn has(&self, symptom: &str) -> bool {
        self.symptoms.contains(symptom)
    }

    /// Any of the symptoms is present (after normalisation).
    fn any(&self, symptoms: &[&str]) -> bool {
        symptoms.iter().any(|s| self.has(s))
    }

    /// The client has the condition (after normalisation).
    fn condition(&self, condition: &str) -> bool {
        self.conditions.contains(condition)
    }

    /// The client has any of the conditions (after normalisation).
    fn any_condition(&self, conditions: &[&str]) -> bool {
        conditions.iter().any(|c| self.condition(c))
    }

    /// A temperature was given and it is at least `celsius`.
    fn temperature_at_least(&self, celsius: f64) -> bool {
        self.temperature_c.is_some_and(|t| t >= celsius)
    }

    /// A temperature was given and it is below `celsius`.
    fn temperature_below(&self, celsius: f64) -> bool {
        self.temperature_c.is_some_and(|t| t < celsius)
    }

    /// `trend` = `worse` or `rise` ≥ 2 (independent: either is enough).
    fn worse_or_rise_of_2(&self) -> bool {
        self.trend.as_deref() == Some("worse") || self.rise.is_some_and(|r| r >= 2)
    }
}

/// The codes of a JSON array of strings; an absent or null list is empty.
fn codes(value: &Value) -> BTreeSet<String> {
    value
        .as_array()
        .map(|items| items.iter().filter_map(Value::as_str).map(str::to_owned).collect())
        .unwrap_or_default()
}

/// A whole number, or `None` when absent or null.
fn whole(value: &Value) -> Option<i64> {
    value.as_i64().or_else(|| value.as_f64().map(|f| f as i64))
}

/// Normalises a check-in as policy section 2 says, before any rule runs.
fn normalise(checkin: &Value) -> Facts {
    let session = &checkin["session"];
    let client = &checkin["client"];
    let report = &checkin["report"];

    let temperature_c = report["temperature_c"].as_f64();

    let mut symptoms = codes(&report["symptoms"]);
    // "`temperature_c` ≥ 38.0 adds `fever`"
    if temperature_c.is_some_and(|t| t >= 38.0) {
        symptoms.insert("fever".to_owned());
    }
    // "a specific code adds its general one (`sudden_severe_headache` → `headache`,
    // `sudden_numbness` → `numbness`, `limb_weakness` → `muscle_weakness`,
    // `rapidly_growing_swelling` → `site_swelling`)"
    for (specific, general) in [
        ("sudden_severe_headache", "headache"),
        ("sudden_numbness", "numbness"),
        ("limb_weakness", "muscle_weakness"),
        ("rapidly_growing_swelling", "site_swelling"),
    ] {
        if symptoms.contains(specific) {
            symptoms.insert(general.to_owned());
        }
    }

    let mut conditions = codes(&client["conditions"]);
    // "`high_risk_pregnancy`, `preeclampsia` and `gave_birth_last_6_weeks` add `pregnant`"
    if ["high_risk_pregnancy", "preeclampsia", "gave_birth_last_6_weeks"].iter().any(|c| conditions.contains(*c)) {
        conditions.insert("pregnant".to_owned());
    }

    // "The neck was involved" means `neck` is among the session's areas or the sore areas.
    let neck_involved = codes(&session["areas"]).contains("neck") || codes(&report["sore_areas"]).contains("neck");

    let soreness = whole(&report["soreness"]).expect("report.soreness is required");
    // `usual_pain` left out is taken as 0; `excess` = `soreness - usual_pain`, never below 0.
    let usual_pain = whole(&client["usual_pain"]).unwrap_or(0);
    let excess = (soreness - usual_pain).max(0);
    // `rise` = `soreness - previous_soreness`; unknown when `previous_soreness` is null.
    let rise = whole(&report["previous_soreness"]).map(|previous| soreness - previous);

    Facts {
        symptoms,
        conditions,
        neck_involved,
        soreness,
        excess,
        rise,
        hours_since: report["hours_since"].as_f64().expect("report.hours_since is required"),
        trend: report["trend"].as_str().map(str::to_owned),
        temperature_c,
        age_months: whole(&client["age_months"]),
        pregnancy_weeks: whole(&client["pregnancy_weeks"]),
    }
}

/// What care policy section 3 says the check-in gives: every rule that matches fires, and
/// the level is the highest level fired (`self_care` when none fired).
pub fn expected(checkin: &Value) -> Expected {
    let f = normalise(checkin);
    let mut fired = BTreeSet::new();
    let mut level = Level::SelfCare;
    let mut rule = |id: &'static str, rule_level: Level, holds: bool| {
        if holds {
            fired.insert(id);
            level = level.max(rule_level);
        }
    };

    // ----- Emergency -----

    // | E-breathing | `breathlessness`, `chest_pain` or `coughing_blood` |
    rule("E-breathing", Level::Emergency, f.any(&["breathlessness", "chest_pain", "coughing_blood"]));

    // | E-stroke | any of `sudden_severe_headache vision_changes speech_difficulty face_droop
    // limb_weakness sudden_numbness unsteadiness seizure` |
    rule(
        "E-stroke",
        Level::Emergency,
        f.any(&[
            "sudden_severe_headache",
            "vision_changes",
            "speech_difficulty",
            "face_droop",
            "limb_weakness",
            "sudden_numbness",
            "unsteadiness",
            "seizure",
        ]),
    );

    // | E-urine | `dark_urine`; or `little_urine` with `muscle_weakness` or `soreness` ≥ 6 |
    rule(
        "E-urine",
        Level::Emergency,
        f.has("dark_urine") || (f.has("little_urine") && (f.has("muscle_weakness") || f.soreness >= 6)),
    );

    // | E-allergy | `face_or_throat_swelling` or `wheeze`; or `widespread_hives` with
    // `dizziness`, `light_headed_on_standing`, `fainting` or `vomiting` |
    rule(
        "E-allergy",
        Level::Emergency,
        f.any(&["face_or_throat_swelling", "wheeze"])
            || (f.has("widespread_hives") && f.any(&["dizziness", "light_headed_on_standing", "fainting", "vomiting"])),
    );

    // | E-collapse | `fainting` or `confusion` |
    rule("E-collapse", Level::Emergency, f.any(&["fainting", "confusion"]));

    // | E-sepsis | `floppy_or_hard_to_wake`, `non_blanching_rash` or `blotchy_blue_grey_skin` |
    rule(
        "E-sepsis",
        Level::Emergency,
        f.any(&["floppy_or_hard_to_wake", "non_blanching_rash", "blotchy_blue_grey_skin"]),
    );

    // | E-bleeding | `heavy_bleeding`; or `anticoagulants` or `bleeding_disorder` with
    // `rapidly_growing_swelling`, `head_knock`, or `headache` and `vomiting` |
    rule(
        "E-bleeding",
        Level::Emergency,
        f.has("heavy_bleeding")
            || (f.any_condition(&["anticoagulants", "bleeding_disorder"])
                && (f.has("rapidly_growing_swelling")
                    || f.has("head_knock")
                    || (f.has("headache") && f.has("vomiting")))),
    );

    // | E-neck-artery | the neck was involved, with `vomiting` and (`headache` or `dizziness`) |
    rule("E-neck-artery", Level::Emergency, f.neck_involved && f.has("vomiting") && f.any(&["headache", "dizziness"]));

    // | E-infant-fever | `age_months` < 3 and (`fever` or `temperature_c` < 36.0) |
    rule(
        "E-infant-fever",
        Level::Emergency,
        f.age_months.is_some_and(|months| months < 3) && (f.has("fever") || f.temperature_below(36.0)),
    );

    // | E-fever-low-immunity | `on_cancer_treatment` and (`fever` or `temperature_c` ≥ 37.5) |
    rule(
        "E-fever-low-immunity",
        Level::Emergency,
        f.condition("on_cancer_treatment") && (f.has("fever") || f.temperature_at_least(37.5)),
    );

    // | E-compartment | `soreness` ≥ 8, `site_swelling`, and (`numbness`, `tingling` or
    // `muscle_weakness`) |
    rule(
        "E-compartment",
        Level::Emergency,
        f.soreness >= 8 && f.has("site_swelling") && f.any(&["numbness", "tingling", "muscle_weakness"]),
    );

    // ----- Doctor today -----

    // | D-clot | `one_leg_swelling`, `one_leg_pain`, `leg_warmth_redness` or `one_arm_swelling` |
    rule(
        "D-clot",
        Level::Doctor,
        f.any(&["one_leg_swelling", "one_leg_pain", "leg_warmth_redness", "one_arm_swelling"]),
    );

    // | D-nerve | `numbness` or `tingling` |
    rule("D-nerve", Level::Doctor, f.any(&["numbness", "tingling"]));

    // | D-infection | `fever`, `spreading_redness`, or `temperature_c` < 36.0 |
    rule("D-infection", Level::Doctor, f.any(&["fever", "spreading_redness"]) || f.temperature_below(36.0));

    // | D-hives | `widespread_hives` |
    rule("D-hives", Level::Doctor, f.has("widespread_hives"));

    // | D-weakness | `muscle_weakness` |
    rule("D-weakness", Level::Doctor, f.has("muscle_weakness"));

    // | D-swelling | `rapidly_growing_swelling` |
    rule("D-swelling", Level::Doctor, f.has("rapidly_growing_swelling"));

    // | D-urine | `little_urine` |
    rule("D-urine", Level::Doctor, f.has("little_urine"));

    // | D-blood-thinner | `anticoagulants` or `bleeding_disorder`, with `large_bruise`,
    // `headache` or `dizziness` |
    rule(
        "D-blood-thinner",
        Level::Doctor,
        f.any_condition(&["anticoagulants", "bleeding_disorder"]) && f.any(&["large_bruise", "headache", "dizziness"]),
    );

    // | D-vomit-headache | `vomiting` with `headache` or `dizziness` |
    rule("D-vomit-headache", Level::Doctor, f.has("vomiting") && f.any(&["headache", "dizziness"]));

    // | D-neck-dizzy | the neck was involved, with `dizziness` |
    rule("D-neck-dizzy", Level::Doctor, f.neck_involved && f.has("dizziness"));

    // | D-pregnancy | `pregnant` with `headache` or `vomiting`, when `pregnancy_weeks` ≥ 20,
    // unknown, or `gave_birth_last_6_weeks` |
    rule(
        "D-pregnancy",
        Level::Doctor,
        f.condition("pregnant")
            && f.any(&["headache", "vomiting"])
            && (f.pregnancy_weeks.is_none_or(|weeks| weeks >= 20) || f.condition("gave_birth_last_6_weeks")),
    );

    // | D-pregnancy-signs | `vaginal_bleeding`, `reduced_baby_movement` or
    // `contractions_or_waters` |
    rule(
        "D-pregnancy-signs",
        Level::Doctor,
        f.any(&["vaginal_bleeding", "reduced_baby_movement", "contractions_or_waters"]),
    );

    // | D-burn-diabetes | `burn_or_blister` with `diabetes` or `neuropathy` |
    rule("D-burn-diabetes", Level::Doctor, f.has("burn_or_blister") && f.any_condition(&["diabetes", "neuropathy"]));

    // | D-severe-pain | `soreness` ≥ 8 and `excess` ≥ 1 |
    rule("D-severe-pain", Level::Doctor, f.soreness >= 8 && f.excess >= 1);

    // | D-worse-late | `hours_since` ≥ 72 and `excess` ≥ 3 and (`trend` = `worse` or
    // `rise` ≥ 2) |
    rule("D-worse-late", Level::Doctor, f.hours_since >= 72.0 && f.excess >= 3 && f.worse_or_rise_of_2());

    // | D-swelling-worse | `site_swelling` and (`trend` = `worse` or `rise` ≥ 2) |
    rule("D-swelling-worse", Level::Doctor, f.has("site_swelling") && f.worse_or_rise_of_2());

    // | D-not-resolved | `hours_since` ≥ 168 and `excess` ≥ 3 |
    rule("D-not-resolved", Level::Doctor, f.hours_since >= 168.0 && f.excess >= 3);

    // ----- Tell your therapist -----

    // | T-lingering | `hours_since` ≥ 72 and `excess` ≥ 3 |
    rule("T-lingering", Level::Therapist, f.hours_since >= 72.0 && f.excess >= 3);

    // | T-high | `soreness` ≥ 6 and `excess` ≥ 1 |
    rule("T-high", Level::Therapist, f.soreness >= 6 && f.excess >= 1);

    // | T-symptom | any therapist-group symptom: `headache dizziness light_headed_on_standing
    // nausea vomiting small_bruise large_bruise contact_rash site_swelling burn_or_blister
    // head_knock` |
    rule(
        "T-symptom",
        Level::Therapist,
        f.any(&[
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
        ]),
    );

    // Self-care: nothing above fired.
    Expected { level, fired }
}
