//! An independent reading of care policy v1.2, sections 1 to 3, written from the policy text
//! alone: the vocabulary, what a check-in may hold (and what is rejected), the
//! normalisation of a check-in, then every rule of the triage table, one by one. It works on
//! the check-in JSON of policy section 2. Where the engine and this reading disagree, one of
//! them does not follow the policy.
//!
//! The reading is strict only where the policy text is: a value the policy says is rejected
//! is rejected here; where the policy says nothing (the oldest age, the longest pregnancy,
//! which lists may be left out), this reading accepts, and the tests compare only the
//! answers both give.

use care::Level;
use serde_json::{Map, Value};
use std::collections::BTreeSet;

/// The codes of policy section 1, copied from its text.
pub mod policy {
    /// "**Body areas** (session areas worked, sore areas reported)".
    pub const AREAS: &[&str] = &[
        "head",
        "face",
        "neck",
        "shoulders",
        "upper_back",
        "lower_back",
        "chest",
        "abdomen",
        "upper_arms",
        "forearms",
        "hands",
        "glutes",
        "hips",
        "quadriceps",
        "hamstrings",
        "calves",
        "shins",
        "feet",
    ];

    /// "**Massage types**".
    pub const MASSAGE_TYPES: &[&str] = &[
        "swedish",
        "deep_tissue",
        "sports",
        "hot_stone",
        "prenatal",
        "trigger_point",
        "myofascial",
        "lymphatic_drainage",
        "infant",
    ];

    /// "**Pressure**: `light medium firm deep` (ordered)".
    pub const PRESSURES: &[&str] = &["light", "medium", "firm", "deep"];

    /// "**Client conditions at intake** (screening)".
    pub const CONDITIONS: &[&str] = &[
        "dvt_current",
        "fever_or_infection",
        "uncontrolled_hypertension",
        "preeclampsia",
        "intoxicated",
        "acute_injury",
        "open_wounds",
        "recent_surgery",
        "recent_fracture",
        "skin_condition",
        "varicose_veins",
        "cancer",
        "on_cancer_treatment",
        "anticoagulants",
        "bleeding_disorder",
        "osteoporosis",
        "pregnant",
        "high_risk_pregnancy",
        "gave_birth_last_6_weeks",
        "diabetes",
        "neuropathy",
        "heart_disease",
        "dvt_history",
        "low_blood_pressure",
        "fluid_restriction",
        "oil_allergy",
    ];

    /// Check-in symptoms of the `emergency` group.
    pub const EMERGENCY_SYMPTOMS: &[&str] = &[
        "breathlessness",
        "chest_pain",
        "fainting",
        "confusion",
        "seizure",
        "sudden_severe_headache",
        "vision_changes",
        "speech_difficulty",
        "face_droop",
        "limb_weakness",
        "sudden_numbness",
        "unsteadiness",
        "dark_urine",
        "face_or_throat_swelling",
        "wheeze",
        "heavy_bleeding",
        "coughing_blood",
        "floppy_or_hard_to_wake",
        "non_blanching_rash",
        "blotchy_blue_grey_skin",
    ];

    /// Check-in symptoms of the `doctor` group.
    pub const DOCTOR_SYMPTOMS: &[&str] = &[
        "one_leg_swelling",
        "one_leg_pain",
        "leg_warmth_redness",
        "one_arm_swelling",
        "numbness",
        "tingling",
        "spreading_redness",
        "fever",
        "widespread_hives",
        "muscle_weakness",
        "rapidly_growing_swelling",
        "little_urine",
        "vaginal_bleeding",
        "reduced_baby_movement",
        "contractions_or_waters",
    ];

    /// Check-in symptoms of the `therapist` group (v1.2 adds `feels_feverish`).
    pub const THERAPIST_SYMPTOMS: &[&str] = &[
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
        "feels_feverish",
    ];

    /// Check-in symptoms of the `self-care` group.
    pub const SELF_CARE_SYMPTOMS: &[&str] = &["stiffness", "tenderness", "tiredness"];

    /// Every check-in symptom, all four groups.
    pub fn symptoms() -> Vec<&'static str> {
        [EMERGENCY_SYMPTOMS, DOCTOR_SYMPTOMS, THERAPIST_SYMPTOMS, SELF_CARE_SYMPTOMS].concat()
    }

    /// "`trend`: ... `better`, `same`, `worse`, or null".
    pub const TRENDS: &[&str] = &["better", "same", "worse"];

    /// The fields of the check-in of policy section 2 ("unknown fields are rejected").
    pub const TOP_FIELDS: &[&str] = &["session", "client", "report"];
    /// The fields of `session` in the check-in of policy section 2.
    pub const SESSION_FIELDS: &[&str] = &["massage_type", "pressure", "areas", "first_massage"];
    /// The fields of `client` in the check-in of policy section 2.
    pub const CLIENT_FIELDS: &[&str] = &["conditions", "age_months", "usual_pain", "pregnancy_weeks"];
    /// The fields of `report` in the check-in of policy section 2.
    pub const REPORT_FIELDS: &[&str] =
        &["hours_since", "soreness", "previous_soreness", "trend", "sore_areas", "symptoms", "temperature_c", "note"];

    /// "`hours_since`: ... 0 to 8760".
    pub const HOURS_SINCE: (f64, f64) = (0.0, 8760.0);
    /// "`temperature_c`: degrees Celsius, 30.0 to 45.0, or null; anything else is rejected".
    pub const TEMPERATURE_C: (f64, f64) = (30.0, 45.0);
    /// "For an `infant` session it is **the baby's age**, 0 to 35 ... A value of 36 or more
    /// for `infant` is rejected".
    pub const INFANT_AGE_MONTHS_MAX: f64 = 35.0;
    /// "note": "free text, at most 2000 characters".
    pub const NOTE_MAX_CHARS: usize = 2000;
}

/// Every rule id of the triage tables of policy section 3 (v1.2).
pub const RULES: &[&str] = &[
    "E-breathing",
    "E-stroke",
    "E-urine",
    "E-allergy",
    "E-collapse",
    "E-sepsis",
    "E-bleeding",
    "E-neck-artery",
    "E-infant-fever",
    "E-fever-low-immunity",
    "E-compartment",
    "E-low-temperature",
    "D-clot",
    "D-nerve",
    "D-infection",
    "D-hives",
    "D-weakness",
    "D-swelling",
    "D-urine",
    "D-blood-thinner",
    "D-vomit-headache",
    "D-neck-dizzy",
    "D-pregnancy",
    "D-pregnancy-signs",
    "D-burn-diabetes",
    "D-severe-pain",
    "D-worse-late",
    "D-swelling-worse",
    "D-not-resolved",
    "T-lingering",
    "T-high",
    "T-symptom",
];

/// What the policy says a check-in gives: the level and every rule that fires.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Expected {
    /// The highest level fired, or `self_care` when nothing fired.
    pub level: Level,
    /// The ids of the rules that fire.
    pub fired: BTreeSet<&'static str>,
}

/// A check-in the policy says is rejected, with every field that makes it so.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rejected {
    /// Each problem: the field's path (`report.temperature_c`) and what the policy allows.
    pub problems: Vec<(String, String)>,
}

impl Rejected {
    /// The paths of the fields the policy rejects.
    pub fn fields(&self) -> BTreeSet<&str> {
        self.problems.iter().map(|(field, _)| field.as_str()).collect()
    }
}

impl std::fmt::Display for Rejected {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        for (field, why) in &self.problems {
            writeln!(f, "{field}: {why}")?;
        }
        Ok(())
    }
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
    /// The session's massage type is `infant`: `age_months` is the baby's age.
    infant_session: bool,
    /// Soreness 0-10 as reported.
    soreness: i64,
    /// `soreness - usual_pain`, never below 0.
    excess: f64,
    /// `soreness - previous_soreness`; unknown when there is no previous soreness.
    rise: Option<i64>,
    /// Hours from the end of the session to the report, as given.
    hours_since: f64,
    /// `better`, `same`, `worse`, or unknown.
    trend: Option<String>,
    /// Temperature in °C, when given, exactly as given (never rounded).
    temperature_c: Option<f64>,
    /// Age in completed months, when given.
    age_months: Option<f64>,
    /// Weeks of pregnancy, when given.
    pregnancy_weeks: Option<f64>,
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

    /// "`age_months` < 3 (or an `infant` session whose baby's age is unknown)": for an
    /// `infant` session "when the baby's age is unknown, triage reads it as under 3 months,
    /// the safe default". For any other session an unknown age is not under 3 months.
    fn under_3_months(&self) -> bool {
        match self.age_months {
            Some(months) => months < 3.0,
            None => self.infant_session,
        }
    }
}

/// Reads a check-in as policy sections 1 and 2 say, collecting every value the policy
/// rejects. Where the policy is silent this reading is lenient: an absent list is empty.
#[derive(Default)]
struct Reader {
    problems: Vec<(String, String)>,
}

/// A field of an object; absent and null are the same ("left out").
fn field<'a>(object: Option<&'a Map<String, Value>>, name: &str) -> Option<&'a Value> {
    object.and_then(|o| o.get(name)).filter(|v| !v.is_null())
}

impl Reader {
    fn reject(&mut self, field: impl Into<String>, why: impl Into<String>) {
        self.problems.push((field.into(), why.into()));
    }

    /// An object whose fields must be among `known` ("unknown fields are rejected").
    fn object<'a>(&mut self, value: Option<&'a Value>, path: &str, known: &[&str]) -> Option<&'a Map<String, Value>> {
        let object = match value {
            None | Some(Value::Null) => return None,
            Some(Value::Object(object)) => object,
            Some(_) => {
                self.reject(path, "must be an object");
                return None;
            }
        };
        for name in object.keys() {
            if !known.contains(&name.as_str()) {
                let at = if path.is_empty() { name.clone() } else { format!("{path}.{name}") };
                self.reject(at, format!("unknown fields are rejected; allowed: {}", known.join(", ")));
            }
        }
        Some(object)
    }

    /// One code from `allowed`, or `None` when left out.
    fn code(&mut self, value: Option<&Value>, path: &str, allowed: &[&str]) -> Option<String> {
        match value? {
            Value::String(code) if allowed.contains(&code.as_str()) => Some(code.clone()),
            _ => {
                self.reject(path, format!("a code outside the list is rejected; allowed: {}", allowed.join(", ")));
                None
            }
        }
    }

    /// A list of codes from `allowed`; left out is empty.
    fn codes(&mut self, value: Option<&Value>, path: &str, allowed: &[&str]) -> BTreeSet<String> {
        let Some(value) = value else { return BTreeSet::new() };
        let Some(items) = value.as_array() else {
            self.reject(path, "must be a list of codes");
            return BTreeSet::new();
        };
        let mut codes = BTreeSet::new();
        for (i, item) in items.iter().enumerate() {
            match item.as_str() {
                Some(code) if allowed.contains(&code) => {
                    codes.insert(code.to_owned());
                }
                _ => self.reject(
                    format!("{path}[{i}]"),
                    format!("a code outside the list is rejected; allowed: {}", allowed.join(", ")),
                ),
            }
        }
        codes
    }

    /// A number in `min..=max` (no upper limit when `max` is `None`), whole when `whole`;
    /// `None` when left out.
    fn number(&mut self, value: Option<&Value>, path: &str, min: f64, max: Option<f64>, whole: bool) -> Option<f64> {
        let value = value?;
        let Some(n) = value.as_f64() else {
            self.reject(path, "must be a number");
            return None;
        };
        let range = match max {
            Some(max) => format!("{min} to {max}"),
            None => format!("at least {min}"),
        };
        if whole && n.fract() != 0.0 {
            self.reject(path, format!("must be a whole number, {range}"));
            None
        } else if n < min || max.is_some_and(|max| n > max) {
            self.reject(path, format!("must be {range}; anything else is rejected"));
            None
        } else {
            Some(n)
        }
    }

    /// A number that must be there.
    fn required(&mut self, value: Option<f64>, raw: Option<&Value>, path: &str) -> Option<f64> {
        if raw.is_none() {
            self.reject(path, "is required");
        }
        value
    }
}

/// Reads and normalises a check-in as policy sections 1 and 2 say, before any rule runs;
/// or says why the policy rejects it.
fn normalise(checkin: &Value) -> Result<Facts, Rejected> {
    use policy::*;
    let mut r = Reader::default();

    let top = r.object(Some(checkin), "", TOP_FIELDS);
    if top.is_none() {
        r.reject("", "a check-in is an object with session, client and report");
    }
    let session = r.object(field(top, "session"), "session", SESSION_FIELDS);
    let client = r.object(field(top, "client"), "client", CLIENT_FIELDS);
    let report = r.object(field(top, "report"), "report", REPORT_FIELDS);

    // ----- session -----
    let massage_type = r.code(field(session, "massage_type"), "session.massage_type", MASSAGE_TYPES);
    let _pressure = r.code(field(session, "pressure"), "session.pressure", PRESSURES);
    let areas = r.codes(field(session, "areas"), "session.areas", AREAS);
    let infant_session = massage_type.as_deref() == Some("infant");

    // ----- client -----
    let mut conditions = r.codes(field(client, "conditions"), "client.conditions", CONDITIONS);
    // "`client.age_months`: completed months of age, or left out. For an `infant` session it
    // is the baby's age, 0 to 35 ... A value of 36 or more for `infant` is rejected."
    let age_max = infant_session.then_some(INFANT_AGE_MONTHS_MAX);
    let age_months = r.number(field(client, "age_months"), "client.age_months", 0.0, age_max, true);
    // "`client.usual_pain`: the client's usual pain 0–10 ... or left out (taken as 0)".
    let usual_pain = r.number(field(client, "usual_pain"), "client.usual_pain", 0.0, Some(10.0), false);
    // "`client.pregnancy_weeks`: weeks of pregnancy ..., or left out (unknown)".
    let pregnancy_weeks = r.number(field(client, "pregnancy_weeks"), "client.pregnancy_weeks", 0.0, None, false);

    // ----- report -----
    // "`hours_since`: hours (a number; fractions allowed) ... 0 to 8760."
    let raw = field(report, "hours_since");
    let hours_since = r.number(raw, "report.hours_since", HOURS_SINCE.0, Some(HOURS_SINCE.1), false);
    let hours_since = r.required(hours_since, raw, "report.hours_since");
    // "`soreness`: an integer 0 (none) to 10".
    let raw = field(report, "soreness");
    let soreness = r.number(raw, "report.soreness", 0.0, Some(10.0), true);
    let soreness = r.required(soreness, raw, "report.soreness");
    // "`previous_soreness`: an earlier soreness for this session, or null."
    let previous_soreness =
        r.number(field(report, "previous_soreness"), "report.previous_soreness", 0.0, Some(10.0), true);
    let trend = r.code(field(report, "trend"), "report.trend", TRENDS);
    let sore_areas = r.codes(field(report, "sore_areas"), "report.sore_areas", AREAS);
    let mut symptoms = r.codes(field(report, "symptoms"), "report.symptoms", &symptoms());
    // "`temperature_c`: degrees Celsius, 30.0 to 45.0, or null; anything else is rejected,
    // never dropped. The value is used as given, never rounded before triage."
    let temperature_c =
        r.number(field(report, "temperature_c"), "report.temperature_c", TEMPERATURE_C.0, Some(TEMPERATURE_C.1), false);
    match field(report, "note") {
        None => {}
        Some(Value::String(note)) if note.chars().count() <= NOTE_MAX_CHARS => {}
        Some(_) => r.reject("report.note", format!("free text, at most {NOTE_MAX_CHARS} characters")),
    }

    if !r.problems.is_empty() {
        return Err(Rejected { problems: r.problems });
    }
    let (Some(hours_since), Some(soreness)) = (hours_since, soreness) else {
        unreachable!("a check-in without hours_since or soreness is rejected above")
    };

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

    // "`high_risk_pregnancy`, `preeclampsia` and `gave_birth_last_6_weeks` add `pregnant`"
    if ["high_risk_pregnancy", "preeclampsia", "gave_birth_last_6_weeks"].iter().any(|c| conditions.contains(*c)) {
        conditions.insert("pregnant".to_owned());
    }

    // "The neck was involved" means `neck` is among the session's areas or the sore areas.
    let neck_involved = areas.contains("neck") || sore_areas.contains("neck");

    // `usual_pain` left out is taken as 0; `excess` = `soreness - usual_pain`, never below 0.
    let excess = (soreness - usual_pain.unwrap_or(0.0)).max(0.0);
    let soreness = soreness as i64;
    // `rise` = `soreness - previous_soreness`; unknown when `previous_soreness` is null.
    let rise = previous_soreness.map(|previous| soreness - previous as i64);

    Ok(Facts {
        symptoms,
        conditions,
        neck_involved,
        infant_session,
        soreness,
        excess,
        rise,
        hours_since,
        trend,
        temperature_c,
        age_months,
        pregnancy_weeks,
    })
}

/// What care policy v1.2 says of a check-in: rejected (sections 1 and 2), or triaged
/// (section 3).
pub fn judge(checkin: &Value) -> Result<Expected, Rejected> {
    normalise(checkin).map(|f| rules(&f))
}

/// What care policy section 3 says a check-in the policy accepts gives; panics, naming the
/// problems, when the policy rejects it.
pub fn expected(checkin: &Value) -> Expected {
    match judge(checkin) {
        Ok(expected) => expected,
        Err(rejected) => panic!("the policy rejects this check-in:\n{rejected}{checkin}"),
    }
}

/// Every rule that matches fires, and the level is the highest level fired (`self_care`
/// when none fired).
fn rules(f: &Facts) -> Expected {
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

    // | E-infant-fever | `age_months` < 3 (or an `infant` session whose baby's age is
    // unknown) and (`fever`, `feels_feverish` or `temperature_c` < 36.0) |
    rule(
        "E-infant-fever",
        Level::Emergency,
        f.under_3_months() && (f.any(&["fever", "feels_feverish"]) || f.temperature_below(36.0)),
    );

    // | E-fever-low-immunity | `on_cancer_treatment` and (`fever`, `feels_feverish` or
    // `temperature_c` ≥ 37.5) |
    rule(
        "E-fever-low-immunity",
        Level::Emergency,
        f.condition("on_cancer_treatment") && (f.any(&["fever", "feels_feverish"]) || f.temperature_at_least(37.5)),
    );

    // | E-compartment | `soreness` ≥ 8, `site_swelling`, and (`numbness`, `tingling` or
    // `muscle_weakness`) |
    rule(
        "E-compartment",
        Level::Emergency,
        f.soreness >= 8 && f.has("site_swelling") && f.any(&["numbness", "tingling", "muscle_weakness"]),
    );

    // | E-low-temperature | `temperature_c` < 35.0 |
    rule("E-low-temperature", Level::Emergency, f.temperature_below(35.0));

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
    // `headache`, `dizziness` or `light_headed_on_standing` |
    rule(
        "D-blood-thinner",
        Level::Doctor,
        f.any_condition(&["anticoagulants", "bleeding_disorder"])
            && f.any(&["large_bruise", "headache", "dizziness", "light_headed_on_standing"]),
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
            && (f.pregnancy_weeks.is_none_or(|weeks| weeks >= 20.0) || f.condition("gave_birth_last_6_weeks")),
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
    rule("D-severe-pain", Level::Doctor, f.soreness >= 8 && f.excess >= 1.0);

    // | D-worse-late | `hours_since` ≥ 72 and `excess` ≥ 3 and (`trend` = `worse` or
    // `rise` ≥ 2) |
    rule("D-worse-late", Level::Doctor, f.hours_since >= 72.0 && f.excess >= 3.0 && f.worse_or_rise_of_2());

    // | D-swelling-worse | `site_swelling` and (`trend` = `worse` or `rise` ≥ 2) |
    rule("D-swelling-worse", Level::Doctor, f.has("site_swelling") && f.worse_or_rise_of_2());

    // | D-not-resolved | `hours_since` ≥ 168 and `excess` ≥ 3 |
    rule("D-not-resolved", Level::Doctor, f.hours_since >= 168.0 && f.excess >= 3.0);

    // ----- Tell your therapist -----

    // | T-lingering | `hours_since` ≥ 72 and `excess` ≥ 3 |
    rule("T-lingering", Level::Therapist, f.hours_since >= 72.0 && f.excess >= 3.0);

    // | T-high | `soreness` ≥ 6 and `excess` ≥ 1 |
    rule("T-high", Level::Therapist, f.soreness >= 6 && f.excess >= 1.0);

    // | T-symptom | any therapist-group symptom: `headache dizziness light_headed_on_standing
    // nausea vomiting small_bruise large_bruise contact_rash site_swelling burn_or_blister
    // head_knock feels_feverish` |
    rule(
        "T-symptom",
        Level::Therapist,
        // The rule's list is the therapist group of section 1, word for word.
        f.any(policy::THERAPIST_SYMPTOMS),
    );

    // Self-care: nothing above fired.
    Expected { level, fired }
}

/// The reading itself, on the policy's own sentences (no engine involved), so that a slip in
/// this file is not mistaken for one in the engine.
#[cfg(test)]
mod tests {
    use super::{Expected, judge};
    use care::Level::{self, Doctor, Emergency, SelfCare, Therapist};
    use serde_json::{Value, json};

    fn checkin(massage_type: &str, client: Value, symptoms: &[&str], temperature_c: Value) -> Value {
        json!({
            "session": {"massage_type": massage_type, "pressure": "light", "areas": ["abdomen"], "first_massage": false},
            "client": client,
            "report": {
                "hours_since": 24, "soreness": 1, "previous_soreness": null, "trend": null,
                "sore_areas": [], "symptoms": symptoms, "temperature_c": temperature_c, "note": null
            }
        })
    }

    #[track_caller]
    fn gives(c: &Value, level: Level, ids: &[&'static str]) {
        let want = Expected { level, fired: ids.iter().copied().collect() };
        assert_eq!(judge(c), Ok(want), "{c}");
    }

    #[track_caller]
    fn rejects(c: &Value, field: &str) {
        match judge(c) {
            Err(r) => assert_eq!(r.fields().into_iter().collect::<Vec<_>>(), vec![field], "{c}"),
            Ok(e) => panic!("the policy rejects {field}, the reading gave {e:?}: {c}"),
        }
    }

    #[test]
    fn oracle_reads_temperatures_30_to_45_as_given_and_rejects_the_rest() {
        let t = |celsius: f64| checkin("swedish", json!({}), &[], json!(celsius));
        rejects(&t(29.9), "report.temperature_c");
        gives(&t(30.0), Emergency, &["D-infection", "E-low-temperature"]);
        gives(&t(34.9), Emergency, &["D-infection", "E-low-temperature"]);
        // never rounded: 34.95 is below 35.0
        gives(&t(34.95), Emergency, &["D-infection", "E-low-temperature"]);
        gives(&t(35.0), Doctor, &["D-infection"]);
        gives(&t(35.99), Doctor, &["D-infection"]);
        gives(&t(36.0), SelfCare, &[]);
        gives(&t(37.99), SelfCare, &[]);
        gives(&t(38.0), Doctor, &["D-infection"]);
        gives(&t(45.0), Doctor, &["D-infection"]);
        rejects(&t(45.1), "report.temperature_c");
        rejects(&checkin("swedish", json!({}), &[], json!("37.0")), "report.temperature_c");
    }

    #[test]
    fn oracle_reads_the_babys_age_and_an_unknown_one_as_under_3_months() {
        let baby = |client: Value, symptoms: &[&str]| checkin("infant", client, symptoms, Value::Null);
        gives(&baby(json!({}), &["feels_feverish"]), Emergency, &["E-infant-fever", "T-symptom"]);
        gives(&baby(json!({"age_months": null}), &["fever"]), Emergency, &["D-infection", "E-infant-fever"]);
        gives(&baby(json!({"age_months": 2}), &["feels_feverish"]), Emergency, &["E-infant-fever", "T-symptom"]);
        gives(&baby(json!({"age_months": 3}), &["feels_feverish"]), Therapist, &["T-symptom"]);
        gives(&baby(json!({"age_months": 35}), &["fever"]), Doctor, &["D-infection"]);
        gives(&baby(json!({}), &[]), SelfCare, &[]);
        rejects(&baby(json!({"age_months": 36}), &[]), "client.age_months");
        rejects(&baby(json!({"age_months": 480}), &[]), "client.age_months");
        let low = checkin("infant", json!({}), &[], json!(35.5));
        gives(&low, Emergency, &["D-infection", "E-infant-fever"]);
        // Not a baby: an unknown age is not under 3 months, and 480 months is accepted.
        gives(&checkin("swedish", json!({}), &["feels_feverish"], Value::Null), Therapist, &["T-symptom"]);
        gives(&checkin("swedish", json!({"age_months": 480}), &["fever"], Value::Null), Doctor, &["D-infection"]);
        gives(
            &checkin("swedish", json!({"age_months": 2}), &["fever"], Value::Null),
            Emergency,
            &["D-infection", "E-infant-fever"],
        );
    }

    #[test]
    fn oracle_reads_the_v1_2_changes_to_other_rules() {
        let treated = json!({"conditions": ["on_cancer_treatment"]});
        gives(
            &checkin("swedish", treated.clone(), &["feels_feverish"], Value::Null),
            Emergency,
            &["E-fever-low-immunity", "T-symptom"],
        );
        gives(&checkin("swedish", treated, &[], json!(37.45)), SelfCare, &[]);
        let thinned = json!({"conditions": ["anticoagulants"]});
        gives(
            &checkin("swedish", thinned, &["light_headed_on_standing"], Value::Null),
            Doctor,
            &["D-blood-thinner", "T-symptom"],
        );
        gives(
            &checkin("swedish", json!({}), &["widespread_hives", "light_headed_on_standing"], Value::Null),
            Emergency,
            &["D-hives", "E-allergy", "T-symptom"],
        );
        rejects(&checkin("swedish", json!({}), &["feeling_feverish"], Value::Null), "report.symptoms[0]");
    }
}
