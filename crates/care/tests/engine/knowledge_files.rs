//! The knowledge files carry every code and rule of the care policy, say nothing the
//! evidence contradicts, and a broken file stops loading with its file, line and problem.
//! A clinic's overrides may add and raise, never lower or remove.

use crate::common::KB;
use care::Level;
use care::knowledge::{Knowledge, KnowledgeFile, builtin_files};

fn words(s: &str) -> Vec<&str> {
    s.split_whitespace().collect()
}

#[test]
fn the_vocabulary_is_exactly_the_policy_vocabulary_in_order() {
    let v = &KB.vocabulary;
    let cases: [(Vec<&str>, Vec<&str>); 5] = [
        (
            v.areas.codes().collect(),
            words(
                "head face neck shoulders upper_back lower_back chest abdomen upper_arms forearms hands glutes hips quadriceps hamstrings calves shins feet",
            ),
        ),
        (
            v.massage_types.codes().collect(),
            words("swedish deep_tissue sports hot_stone prenatal trigger_point myofascial lymphatic_drainage infant"),
        ),
        (v.pressures.codes().collect(), words("light medium firm deep")),
        (
            v.goals.codes().collect(),
            words(
                "relaxation stress_relief anxiety_depression sore_muscles pain_management low_back_pain joint_pain sports_injury_rehab pregnancy infant_gas",
            ),
        ),
        (
            v.conditions.codes().collect(),
            words(
                "dvt_current fever_or_infection uncontrolled_hypertension preeclampsia intoxicated acute_injury open_wounds recent_surgery recent_fracture skin_condition varicose_veins cancer on_cancer_treatment anticoagulants bleeding_disorder osteoporosis pregnant high_risk_pregnancy gave_birth_last_6_weeks diabetes neuropathy heart_disease dvt_history low_blood_pressure fluid_restriction oil_allergy",
            ),
        ),
    ];
    for (got, want) in cases {
        assert_eq!(got, want);
    }
}

#[test]
fn every_symptom_is_in_its_policy_group() {
    let groups = [
        (
            Level::Emergency,
            "breathlessness chest_pain fainting confusion seizure sudden_severe_headache vision_changes speech_difficulty face_droop limb_weakness sudden_numbness unsteadiness dark_urine face_or_throat_swelling wheeze heavy_bleeding coughing_blood floppy_or_hard_to_wake non_blanching_rash blotchy_blue_grey_skin",
        ),
        (
            Level::Doctor,
            "one_leg_swelling one_leg_pain leg_warmth_redness one_arm_swelling numbness tingling spreading_redness fever widespread_hives muscle_weakness rapidly_growing_swelling little_urine vaginal_bleeding reduced_baby_movement contractions_or_waters",
        ),
        (
            Level::Therapist,
            "headache dizziness light_headed_on_standing nausea vomiting small_bruise large_bruise contact_rash site_swelling burn_or_blister head_knock feels_feverish",
        ),
        (Level::SelfCare, "stiffness tenderness tiredness"),
    ];
    let mut all = Vec::new();
    for (level, codes) in groups {
        for code in words(codes) {
            let s = KB.vocabulary.symptoms.by_code(code).unwrap_or_else(|| panic!("symptom {code} is missing"));
            assert_eq!(s.group, level, "{code}");
            assert!(!s.label.trim().is_empty(), "{code} has a label");
            all.push(code);
        }
    }
    assert_eq!(KB.vocabulary.symptoms.entries().len(), all.len(), "no symptom beyond the policy's");
}

#[test]
fn each_symptom_alone_raises_at_least_its_group_level() {
    // "Check-in symptoms, grouped by the level they raise on their own" (policy section 1).
    for s in KB.vocabulary.symptoms.entries() {
        let c = serde_json::json!({
            "session": {"massage_type": "swedish", "pressure": "medium", "areas": ["upper_back"]},
            "report": {"hours_since": 24, "soreness": 2, "symptoms": [s.code]}
        });
        let t = crate::common::triage_json(&c);
        assert!(t.level >= s.group, "{} alone gives {} but its group is {}", s.code, t.level, s.group);
    }
}

#[test]
fn every_policy_rule_is_present_with_its_level_and_cited_sources() {
    let rules = [
        (
            Level::Emergency,
            "E-breathing E-stroke E-urine E-allergy E-collapse E-sepsis E-bleeding E-neck-artery E-infant-fever E-fever-low-immunity E-compartment E-low-temperature",
        ),
        (
            Level::Doctor,
            "D-clot D-nerve D-infection D-hives D-weakness D-swelling D-urine D-blood-thinner D-vomit-headache D-neck-dizzy D-pregnancy D-pregnancy-signs D-burn-diabetes D-severe-pain D-worse-late D-swelling-worse D-not-resolved",
        ),
        (Level::Therapist, "T-lingering T-high T-symptom"),
    ];
    let mut count = 0;
    for (level, ids) in rules {
        for id in words(ids) {
            let rule = KB.triage.rule(id).unwrap_or_else(|| panic!("rule {id} is missing"));
            assert_eq!(rule.level, level, "{id}");
            assert!(!rule.sources.is_empty());
            for s in &rule.sources {
                assert!(KB.source(s).is_some(), "{id} cites {s}");
            }
            count += 1;
        }
    }
    assert_eq!(KB.triage.rules.len(), count, "no rule beyond the policy's");
}

#[test]
fn plan_items_carry_the_evidence_grades_of_the_evidence_file() {
    let grade = |id: &str| KB.plan.items.iter().find(|i| i.id == id).map(|i| i.grade.code());
    assert_eq!(grade("water"), Some("limited"));
    assert_eq!(grade("movement"), Some("contradicted"), "stretching does not prevent soreness");
    assert_eq!(grade("warmth"), Some("limited"));
    assert_eq!(grade("epsom_salt"), Some("none"));
    assert_eq!(grade("rest"), Some("limited"));
    assert_eq!(grade("alcohol"), Some("limited"));
}

/// Every text a client may read from the knowledge.
fn client_texts() -> Vec<String> {
    let mut texts = vec![KB.triage.disclaimer.clone()];
    texts.extend(KB.triage.levels.iter().map(|l| l.instruction.clone()));
    texts.extend(KB.triage.rules.iter().flat_map(|r| [r.client_reason.clone(), r.advice.clone()]));
    texts.extend(KB.triage.warning_signs.iter().map(|w| w.text.clone()));
    texts.extend(
        KB.vocabulary.symptoms.entries().iter().flat_map(|s| [s.label.clone(), s.hint.clone().unwrap_or_default()]),
    );
    let e = &KB.plan.expect;
    texts.extend([e.usual.clone(), e.raised.clone()]);
    texts.extend(e.course.iter().cloned());
    texts.extend(e.factors.iter().cloned());
    for item in &KB.plan.items {
        texts.extend(item.text.iter().cloned());
        texts.extend(item.cautions.iter().map(|c| c.text.clone()));
        texts.extend(item.grade_note.iter().cloned());
    }
    for s in &KB.stretches {
        texts.extend(s.steps.iter().cloned());
        texts.extend(s.caution.iter().cloned());
    }
    texts
}

#[test]
fn client_texts_make_no_claim_the_evidence_contradicts() {
    for text in client_texts() {
        let lower = text.to_lowercase();
        for banned in ["toxin", "flush", "detox", "lactic acid", "knots"] {
            assert!(!lower.contains(banned), "client text says `{banned}`: {text}");
        }
        for promise in ["stretching prevents", "prevents soreness", "stops soreness", "cures"] {
            assert!(!lower.contains(promise), "client text promises `{promise}`: {text}");
        }
    }
}

#[test]
fn client_texts_never_name_a_frightening_diagnosis() {
    let diagnoses = [
        "embolism",
        "thrombosis",
        "dvt",
        "stroke",
        "dissection",
        "rhabdomyolysis",
        "anaphylaxis",
        "sepsis",
        "meningitis",
        "meningococcal",
        "haematoma",
        "compartment syndrome",
        "pre-eclampsia",
        "cellulitis",
    ];
    for text in client_texts() {
        let lower = text.to_lowercase();
        for d in diagnoses {
            assert!(!lower.contains(d), "client text names `{d}`: {text}");
        }
    }
}

#[test]
fn every_body_area_has_a_stretch_with_how_long_and_how_often() {
    for (i, area) in KB.vocabulary.areas.entries().iter().enumerate() {
        let s = KB.stretches.iter().find(|s| s.areas.contains(i as u8));
        let s = s.unwrap_or_else(|| panic!("no stretch for {}", area.code));
        assert!(s.repeat >= 1 && !s.how_often.is_empty() && !s.steps.is_empty());
    }
}

// ------------------------------------------------------------------ validation errors

/// The built-in files with `file` edited by `edit`.
fn edited(file: &str, edit: impl Fn(&str) -> String) -> Vec<KnowledgeFile> {
    let mut files = builtin_files();
    let f = files.iter_mut().find(|f| f.name == file).unwrap_or_else(|| panic!("{file}"));
    let before = f.text.clone();
    f.text = edit(&f.text);
    assert_ne!(before, f.text, "the edit changed {file}");
    files
}

fn load_error(files: &[KnowledgeFile]) -> String {
    match Knowledge::load(files, &[]) {
        Ok(_) => panic!("the knowledge should not load"),
        Err(e) => e.to_string(),
    }
}

fn line_of(files: &[KnowledgeFile], file: &str, needle: &str) -> usize {
    let text = &files.iter().find(|f| f.name == file).map(|f| f.text.clone()).unwrap_or_default();
    let at = text.find(needle).unwrap_or_else(|| panic!("{needle} in {file}"));
    text[..at].matches('\n').count() + 1
}

#[test]
fn a_rule_naming_an_unknown_symptom_stops_loading_with_file_and_line() {
    let files =
        edited("triage.toml", |t| t.replacen(r#"symptoms_any = ["dark_urine"]"#, r#"symptoms_any = ["dark_urin"]"#, 1));
    let err = load_error(&files);
    let rule_line = line_of(&files, "triage.toml", "id = \"E-urine\"") - 1;
    assert!(err.contains(&format!("knowledge/triage.toml:{rule_line}:")), "{err}");
    assert!(err.contains("E-urine") && err.contains("`dark_urin`") && err.contains("not in the vocabulary"), "{err}");
}

#[test]
fn a_duplicate_rule_id_stops_loading() {
    let files = edited("triage.toml", |t| t.replacen("id = \"E-collapse\"", "id = \"E-allergy\"", 1));
    let err = load_error(&files);
    assert!(err.contains("knowledge/triage.toml:") && err.contains("duplicate rule id `E-allergy`"), "{err}");
}

#[test]
fn a_duplicate_vocabulary_code_stops_loading() {
    let files = edited("vocabulary.toml", |t| t.replacen("code = \"wheeze\"", "code = \"seizure\"", 1));
    let err = load_error(&files);
    assert!(err.contains("knowledge/vocabulary.toml:") && err.contains("duplicate symptom code `seizure`"), "{err}");
}

#[test]
fn a_plan_item_without_a_grade_stops_loading() {
    let files = edited("plan.toml", |t| t.replacen("grade = \"none\"\n", "", 1));
    let err = load_error(&files);
    let line = line_of(&files, "plan.toml", "id = \"epsom_salt\"") - 1;
    assert!(
        err.contains(&format!("knowledge/plan.toml:{line}: plan item `epsom_salt` has no evidence grade")),
        "{err}"
    );
}

#[test]
fn a_reference_to_a_missing_source_stops_loading() {
    let files = edited("triage.toml", |t| t.replacen("\"khan-2009\"", "\"khan-2099\"", 1));
    let err = load_error(&files);
    assert!(err.contains("cites source `khan-2099`, which is not in sources.toml"), "{err}");
}

#[test]
fn an_unknown_field_or_bad_toml_names_the_line() {
    let files = edited("stretches.toml", |t| t.replacen("per_side = ", "per_sides = ", 1));
    let err = load_error(&files);
    assert!(err.contains("knowledge/stretches.toml:") && err.contains("per_sides"), "{err}");
    let files = edited("sources.toml", |t| format!("{t}\n[[source]\n"));
    let err = load_error(&files);
    let lines = files.iter().find(|f| f.name == "sources.toml").map(|f| f.text.lines().count()).unwrap_or(0);
    assert!(err.contains(&format!("knowledge/sources.toml:{lines}:")), "{err}");
}

#[test]
fn a_screening_for_an_unknown_condition_and_a_missing_one_both_stop_loading() {
    let files = edited("screening.toml", |t| t.replacen("code = \"oil_allergy\"", "code = \"oil_alergy\"", 1));
    let err = load_error(&files);
    assert!(err.contains("`oil_alergy` is not a condition in the vocabulary"), "{err}");
    assert!(err.contains("condition `oil_allergy` has no screening entry"), "{err}");
}

// ------------------------------------------------------------------ clinic overrides

fn overlay(name: &str, text: &str) -> Vec<KnowledgeFile> {
    vec![KnowledgeFile { name: name.to_owned(), display: format!("clinic/{name}"), text: text.to_owned() }]
}

fn rule_text(id: &str, level: &str, when: &str) -> String {
    format!(
        "[[rule]]\nid = \"{id}\"\nlevel = \"{level}\"\nwhen = {when}\nclient_reason = \"r\"\nclinical_reason = \"c\"\nadvice = \"a\"\nsources = [\"policy-v1-1\"]\n"
    )
}

#[test]
fn a_clinic_may_not_lower_an_emergency_rule() {
    let o = overlay("triage.toml", &rule_text("E-urine", "doctor", r#"{ symptoms_any = ["dark_urine"] }"#));
    let err = Knowledge::with_overrides(&o).map(|_| ()).unwrap_err().to_string();
    assert!(
        err.contains("clinic/triage.toml:1: rule E-urine may not be lowered from `emergency` to `doctor`"),
        "{err}"
    );
}

#[test]
fn a_clinic_may_not_change_the_condition_of_a_doctor_rule() {
    let o = overlay("triage.toml", &rule_text("D-clot", "doctor", r#"{ symptoms_any = ["one_leg_swelling"] }"#));
    let err = Knowledge::with_overrides(&o).map(|_| ()).unwrap_err().to_string();
    assert!(err.contains("D-clot") && err.contains("condition may not change"), "{err}");
}

#[test]
fn a_clinic_may_add_a_rule_and_raise_a_level() {
    let text = format!(
        "{}{}",
        rule_text("X-any-bruise", "doctor", r#"{ symptoms_any = ["small_bruise"] }"#),
        rule_text("T-high", "doctor", r#"{ all = [ { soreness_at_least = 6 }, { excess_at_least = 1 } ] }"#)
    );
    // A doctor rule needs its warning-sign line (care policy v1.2 section 3).
    let text = format!(
        "{text}\n[[warning_sign]]\nlevel = \"doctor\"\ntext = \"Any bruise, or soreness of 6 or more\"\nrules = [\"X-any-bruise\", \"T-high\"]\n"
    );
    let kb = Knowledge::with_overrides(&overlay("triage.toml", &text)).unwrap_or_else(|e| panic!("{e}"));
    let c = serde_json::json!({
        "session": {"massage_type": "swedish", "pressure": "medium", "areas": ["upper_back"]},
        "report": {"hours_since": 24, "soreness": 6, "symptoms": ["small_bruise"]}
    });
    let t = care::triage(&kb, &care::parse_check_in(&kb, &c.to_string()).unwrap_or_else(|e| panic!("{e}")));
    let ids: Vec<&str> = t.fired_rules(&kb).map(|r| r.id.as_str()).collect();
    assert_eq!(t.level, Level::Doctor);
    assert!(ids.contains(&"X-any-bruise") && ids.contains(&"T-high"), "{ids:?}");
}

#[test]
fn a_clinic_may_reword_a_label_but_not_add_a_code_or_change_its_meaning() {
    let reword = "[[symptom]]\ncode = \"wheeze\"\ngroup = \"emergency\"\nlabel = \"Whistling when you breathe\"\n";
    let kb = Knowledge::with_overrides(&overlay("vocabulary.toml", reword)).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(kb.vocabulary.symptoms.by_code("wheeze").map(|s| s.label.as_str()), Some("Whistling when you breathe"));

    let regroup = "[[symptom]]\ncode = \"wheeze\"\ngroup = \"therapist\"\nlabel = \"Wheeze\"\n";
    let err = Knowledge::with_overrides(&overlay("vocabulary.toml", regroup)).map(|_| ()).unwrap_err().to_string();
    assert!(err.contains("may change only the label and hint"), "{err}");

    let add = "[[symptom]]\ncode = \"hiccups\"\ngroup = \"therapist\"\nlabel = \"Hiccups\"\n";
    let err = Knowledge::with_overrides(&overlay("vocabulary.toml", add)).map(|_| ()).unwrap_err().to_string();
    assert!(err.contains("`hiccups` is not in the built-in vocabulary"), "{err}");
}

#[test]
fn a_clinic_may_not_loosen_screening_or_the_fever_threshold() {
    let looser =
        "[[condition]]\ncode = \"dvt_current\"\noutcome = \"modify\"\nnote = \"n\"\nsources = [\"policy-v1-1\"]\n";
    let err = Knowledge::with_overrides(&overlay("screening.toml", looser)).map(|_| ()).unwrap_err().to_string();
    assert!(err.contains("stricter than the built-in one, never looser"), "{err}");
    let fever = "[normalise]\nfever_symptom = \"fever\"\nfever_at_least_c = 39.0\n";
    let err = Knowledge::with_overrides(&overlay("triage.toml", fever)).map(|_| ()).unwrap_err().to_string();
    assert!(err.contains("[normalise] may not be changed"), "{err}");
}

#[test]
fn an_unknown_file_in_a_clinic_directory_is_reported() {
    let err = Knowledge::with_overrides(&overlay("triagee.toml", "")).map(|_| ()).unwrap_err().to_string();
    assert!(err.contains("clinic/triagee.toml: is not a knowledge file"), "{err}");
}

#[test]
fn the_warning_signs_cover_every_emergency_rule_and_temperature() {
    let signs: Vec<&str> = KB.triage.warning_signs.iter().map(|w| w.text.as_str()).collect();
    let all = signs.join(" ");
    for needle in
        ["37.5 °C", "under 3 months", "below 36 °C", "neck", "numbness, tingling or weakness", "blood thinners"]
    {
        assert!(all.contains(needle), "a warning sign mentions {needle:?}");
    }
    for rule in KB.triage.rules.iter().filter(|r| r.level == Level::Emergency) {
        let named = rule.when.symptoms_named();
        if named.is_empty() {
            continue;
        }
        assert!(
            KB.triage.warning_signs.iter().any(|w| w.level == Level::Emergency && w.symptoms.intersects(named)),
            "{} has an emergency warning sign",
            rule.id
        );
    }
}

#[test]
fn a_clinic_may_not_drop_a_clearance_or_raise_the_first_massage_cap() {
    let no_clearance =
        "[[condition]]\ncode = \"heart_disease\"\noutcome = \"modify\"\nnote = \"n\"\nsources = [\"policy-v1-1\"]\n";
    let err = Knowledge::with_overrides(&overlay("screening.toml", no_clearance)).map(|_| ()).unwrap_err().to_string();
    assert!(err.contains("never looser"), "{err}");
    let cap = "[first_massage]\npressure_cap = \"deep\"\nnote = \"n\"\nsources = [\"policy-v1-1\"]\n";
    let err = Knowledge::with_overrides(&overlay("screening.toml", cap)).map(|_| ()).unwrap_err().to_string();
    assert!(err.contains("[first_massage] pressure_cap may be lowered"), "{err}");
}

#[test]
fn every_emergency_and_doctor_rule_has_a_warning_sign_line() {
    let kb = &*crate::common::KB;
    for rule in kb.triage.rules.iter().filter(|r| r.level >= care::Level::Doctor) {
        let lines: Vec<&str> =
            kb.triage.warning_signs.iter().filter(|w| w.rules.contains(&rule.id)).map(|w| w.text.as_str()).collect();
        assert!(!lines.is_empty(), "{} has no warning-sign line", rule.id);
        assert!(lines.iter().all(|l| !l.trim().is_empty()));
    }
    // And loading refuses a clinic's rule that has none.
    let over = care::knowledge::KnowledgeFile {
        name: "triage.toml".into(),
        display: "clinic/triage.toml".into(),
        text: r#"
[[rule]]
id = "D-clinic-extra"
level = "doctor"
when = { symptoms_any = ["tiredness"] }
client_reason = "x"
clinical_reason = "x"
advice = "x"
sources = ["policy-v1-2"]
"#
        .into(),
    };
    let err = care::Knowledge::with_overrides(&[over]).expect_err("no warning-sign line");
    assert!(err.to_string().contains("D-clinic-extra is a `doctor` rule with no [[warning_sign]] line"), "{err}");
}

#[test]
fn labels_that_could_be_read_toward_waiting_say_what_the_policy_says() {
    // Care policy v1.2 section 1: the sudden headache, the bank card, heavy bleeding, the
    // urine colour guide.
    let s = |code: &str| crate::common::KB.vocabulary.symptoms.by_code(code).unwrap_or_else(|| panic!("{code}"));
    let headache = s("sudden_severe_headache");
    assert!(headache.label.contains("came on suddenly, within a minute or so"), "{}", headache.label);
    assert!(!headache.label.contains("worst"), "it does not have to be the worst ever");
    let question = &s("headache").follow_up.as_ref().expect("a follow-up question").question;
    assert!(question.contains("within a minute or so") && !question.contains("worst"), "{question}");
    let sign = crate::common::KB.triage.warning_signs.iter().find(|w| w.rules.iter().any(|r| r == "E-stroke"));
    let sign = &sign.expect("the stroke signs' line").text;
    assert!(sign.contains("comes on suddenly, within a minute or so") && !sign.contains("worst"), "{sign}");
    assert!(s("large_bruise").label.contains("wider than the short side of a bank card"));
    let bleeding = s("heavy_bleeding").hint.clone().unwrap_or_default();
    assert!(bleeding.contains("soaks through a cloth or pad"), "{bleeding}");
    assert!(!bleeding.contains("wait"), "the hint never reads as “wait 10 minutes”: {bleeding}");
    let urine = s("dark_urine");
    assert!(urine.label.contains("brown, red, or the colour of tea or cola"));
    assert!(urine.hint.as_deref().is_some_and(|h| h.contains("Dark yellow") && h.contains("colour guide")));
    assert!(s("feels_feverish").label.contains("no thermometer"));
}

#[test]
fn a_clinic_adds_note_phrases_and_warning_signs_and_never_loses_the_built_in_ones() {
    let text = r#"
[[symptom]]
code = "chest_pain"
group = "emergency"
label = "Pain, pressure or tightness in your chest"
implies = []
note_phrases = ["heavy chest"]
"#;
    let kb = Knowledge::with_overrides(&overlay("vocabulary.toml", text)).unwrap_or_else(|e| panic!("{e}"));
    let chest = kb.vocabulary.symptoms.by_code("chest_pain").expect("chest_pain");
    let built_in = &KB.vocabulary.symptoms.by_code("chest_pain").expect("chest_pain").note_phrases;
    assert!(built_in.iter().all(|p| chest.note_phrases.contains(p)), "every built-in phrase is kept");
    assert!(chest.note_phrases.contains(&"heavy chest".to_owned()), "the clinic's phrase is added");
    assert_eq!(care::note::note_flags(&kb, "a heavy chest today")[0].code, "chest_pain");
    assert_eq!(care::note::note_flags(&kb, "crushing")[0].code, "chest_pain", "a built-in phrase still matches");

    let signs = "[[warning_sign]]\nlevel = \"doctor\"\ntext = \"A clinic's own line\"\n";
    let kb = Knowledge::with_overrides(&overlay("triage.toml", signs)).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(kb.triage.warning_signs.len(), KB.triage.warning_signs.len() + 1, "lines are added, none removed");
    for w in &KB.triage.warning_signs {
        assert!(kb.triage.warning_signs.iter().any(|x| x.text == w.text), "{} is kept", w.text);
    }
}

#[test]
fn a_sign_asked_on_an_infant_session_needs_the_babys_words() {
    let files = edited("vocabulary.toml", |t| {
        t.replacen("baby_label = \"Your baby is floppy, very drowsy, or hard to wake\"\n", "", 1)
    });
    let err = load_error(&files);
    assert!(err.contains("`floppy_or_hard_to_wake` is asked on an infant session but has no baby_label"), "{err}");
    let files = edited("vocabulary.toml", |t| {
        t.replacen("implies = []\nasked_of_baby = false", "implies = []\nasked_of_baby = false\nbaby_label = \"x\"", 1)
    });
    assert!(load_error(&files).contains("has a baby_label but asked_of_baby = false"));
}

#[test]
fn a_clinic_may_reword_a_babys_sign_but_not_ask_it_of_a_baby() {
    let reworded = KnowledgeFile {
        name: "vocabulary.toml".into(),
        display: "clinic/vocabulary.toml".into(),
        text: "[[symptom]]\ncode = \"little_urine\"\ngroup = \"doctor\"\nlabel = \"Hardly any pee (urine) in the last 12 hours\"\n\
               baby_label = \"Fewer wet nappies than usual: none in the last 12 hours\"\nimplies = []\n"
            .into(),
    };
    let kb = Knowledge::load(&builtin_files(), &[reworded]).unwrap();
    let s = kb.vocabulary.symptoms.by_code("little_urine").unwrap();
    assert_eq!(s.baby_label.as_deref(), Some("Fewer wet nappies than usual: none in the last 12 hours"));
    let asked = KnowledgeFile {
        name: "vocabulary.toml".into(),
        display: "clinic/vocabulary.toml".into(),
        text: "[[symptom]]\ncode = \"chest_pain\"\ngroup = \"emergency\"\n\
               label = \"Pain, pressure or tightness inside your chest, or pain when you breathe in\"\n\
               asked_of_baby = true\nbaby_label = \"Chest pain\"\nimplies = []\n"
            .into(),
    };
    assert!(Knowledge::load(&builtin_files(), &[asked]).is_err(), "whether a sign is asked of a baby stays");
}
