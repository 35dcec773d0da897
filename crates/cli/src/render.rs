//! Human-readable output: the same results as `--json`, as plain text for a terminal.

use care::Level;
use care::knowledge::Knowledge;
use care::plan::Plan;
use care::screening::Recommendation;
use care::triage::{RedFlag, TriageReport};
use std::fmt::Write;

fn level_heading(level: Level) -> &'static str {
    match level {
        Level::Emergency => "EMERGENCY",
        Level::Doctor => "SEE A DOCTOR TODAY",
        Level::Therapist => "TELL YOUR THERAPIST",
        Level::SelfCare => "NORMAL SORENESS",
    }
}

fn warning_signs(out: &mut String, flags: &[RedFlag<'_>]) {
    let _ = writeln!(out, "\nWarning signs: get help at once if any of these happen");
    for f in flags {
        let when = if f.level == Level::Emergency { "call the emergency number" } else { "see a doctor today" };
        let _ = writeln!(out, "  - {} ({when})", f.text);
    }
}

/// A triage result.
pub fn triage(r: &TriageReport<'_>) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "{} ({})", level_heading(r.level), r.level);
    let _ = writeln!(out, "{}", r.instruction);
    if !r.advice.is_empty() {
        let _ = writeln!(out, "\nWhat to do");
        for a in &r.advice {
            let _ = writeln!(out, "  - {a}");
        }
    }
    if !r.fired.is_empty() {
        let _ = writeln!(out, "\nRules that fired (for staff)");
        for f in &r.fired {
            let _ = writeln!(out, "  {} [{}]", f.rule, f.level);
            let _ = writeln!(out, "    client reason:   {}", f.reason);
            let _ = writeln!(out, "    clinical reason: {}", f.clinical_reason);
            let _ = writeln!(out, "    advice:          {}", f.advice);
            let _ = writeln!(out, "    sources:         {}", f.sources.join(", "));
        }
    }
    warning_signs(&mut out, &r.red_flags);
    let _ = writeln!(out, "\n{}", r.disclaimer);
    out
}

/// A screening and recommendation.
pub fn recommendation(r: &Recommendation<'_>) -> String {
    let mut out = String::new();
    let s = &r.screening;
    let _ = writeln!(
        out,
        "Screening: {}",
        serde_json::to_value(s.outcome).ok().and_then(|v| v.as_str().map(str::to_owned)).unwrap_or_default()
    );
    for item in &s.items {
        let outcome =
            serde_json::to_value(item.outcome).ok().and_then(|v| v.as_str().map(str::to_owned)).unwrap_or_default();
        let implied = if item.implied { " (implied)" } else { "" };
        let _ = writeln!(out, "  {}{implied}: {outcome}", item.condition);
        let _ = writeln!(out, "    {}", item.note);
        if !item.avoid_areas.is_empty() {
            let _ = writeln!(out, "    avoid: {}", item.avoid_areas.join(", "));
        }
        if let Some(c) = item.clearance {
            let _ = writeln!(out, "    first: {c}");
        }
    }
    if let Some(cap) = s.pressure_cap {
        let _ = writeln!(out, "  pressure at most: {cap}");
    }
    for c in &s.region_caps {
        let _ = writeln!(out, "  on {}: at most {}", c.region_label, c.at_most);
    }
    if !s.avoid_areas.is_empty() {
        let _ = writeln!(out, "  avoid areas: {}", s.avoid_areas.join(", "));
    }
    let _ = writeln!(out, "\nSuggested massage");
    if r.types.is_empty() {
        let _ = writeln!(out, "  none today");
    }
    for (i, t) in r.types.iter().enumerate() {
        let _ = writeln!(out, "  {}. {} ({})", i + 1, t.label, t.massage_type);
        for reason in &t.reasons {
            let _ = writeln!(out, "     {reason}");
        }
    }
    for x in &r.ruled_out {
        let _ = writeln!(out, "  not {}: {}", x.massage_type, x.reason);
    }
    if let Some(p) = r.pressure {
        let _ = writeln!(out, "\nSuggested pressure: {p}");
    }
    for reason in &r.pressure_reasons {
        let _ = writeln!(out, "  {reason}");
    }
    out
}

/// An aftercare plan, as a client would read it.
pub fn plan(kb: &Knowledge, p: &Plan<'_>) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "YOUR AFTERCARE PLAN\n");
    let _ = writeln!(out, "{}", p.expect.title);
    let _ = writeln!(out, "{}", p.expect.summary);
    for f in &p.expect.factors {
        let _ = writeln!(out, "  - {f}");
    }
    for c in p.expect.course {
        let _ = writeln!(out, "{c}");
    }
    for item in &p.items {
        let _ = writeln!(out, "\n{}", item.title);
        for t in &item.text {
            let _ = writeln!(out, "{t}");
        }
        for s in &item.stretches {
            let st = s.stretch;
            let areas: Vec<&str> =
                s.for_areas.iter().map(|a| kb.vocabulary.areas.by_code(a).map_or(*a, |x| x.label.as_str())).collect();
            let _ = writeln!(out, "\n  {} (for: {})", st.name, areas.join(", ").to_lowercase());
            for (i, step) in st.steps.iter().enumerate() {
                let _ = writeln!(out, "    {}. {step}", i + 1);
            }
            let hold = if st.hold_seconds > 0 { format!("Hold {} seconds, ", st.hold_seconds) } else { String::new() };
            let side = if st.per_side { " on each side" } else { "" };
            let _ = writeln!(out, "    {hold}{} times{side}, {}.", st.repeat, st.how_often);
            if let Some(c) = &st.caution {
                let _ = writeln!(out, "    Take care: {c}");
            }
        }
        for product in &item.products {
            let url = product.url.as_deref().map(|u| format!(" ({u})")).unwrap_or_default();
            let _ = writeln!(out, "  From your clinic: {}{url}", product.name);
        }
        let _ = writeln!(out, "  Evidence: {}. {}", item.grade.label, item.grade_note.unwrap_or(&item.grade.meaning));
    }
    let _ = writeln!(out, "\nWhen to get help");
    let _ = writeln!(out, "If a sign below says \"call the emergency number\": {}", p.emergency_instruction);
    let _ = writeln!(out, "If a sign below says \"see a doctor today\": {}", p.doctor_instruction);
    warning_signs(&mut out, &p.warning_signs);
    let _ = writeln!(out, "\n{}", p.disclaimer);
    out
}

/// Prints what the knowledge says about `code`; `None` when nothing matches.
pub fn show(kb: &Knowledge, code: &str, json: bool) -> Option<()> {
    let v = &kb.vocabulary;
    let mut found: Vec<(String, serde_json::Value, String)> = Vec::new();
    let mut add = |kind: &str, value: serde_json::Value, text: String| found.push((kind.to_owned(), value, text));
    if let Some(r) = kb.triage.rule(code) {
        let text = format!(
            "rule {} [{}] ({})\n  fires when: {}\n  client reason: {}\n  clinical reason: {}\n  advice: {}\n  sources: {}",
            r.id,
            r.level,
            r.origin,
            r.when.describe(v),
            r.client_reason,
            r.clinical_reason,
            r.advice,
            r.sources
                .iter()
                .map(|s| kb.source(s).map_or(s.clone(), |s| format!("\n    {}: {}", s.id, s.citation())))
                .collect::<String>()
        );
        let value = serde_json::json!({
            "id": r.id, "level": r.level, "when": r.when.describe(v), "client_reason": r.client_reason,
            "clinical_reason": r.clinical_reason, "advice": r.advice, "sources": r.sources, "defined_at": r.origin.to_string(),
        });
        add("rule", value, text);
    }
    if let Some(s) = v.symptoms.by_code(code) {
        let ix = v.symptoms.lookup(code).unwrap_or(0);
        let rules: Vec<&str> =
            kb.triage.rules.iter().filter(|r| r.when.symptoms_named().contains(ix)).map(|r| r.id.as_str()).collect();
        let text = format!(
            "symptom {} (group: {})\n  label: {}\n  hint: {}\n  named by rules: {}{}",
            s.code,
            s.group,
            s.label,
            s.hint.as_deref().unwrap_or("-"),
            rules.join(", "),
            s.follow_up
                .as_ref()
                .map(|f| format!("\n  follow-up: {} (yes records {})", f.question, f.records))
                .unwrap_or_default()
        );
        add("symptom", serde_json::json!({"symptom": s, "rules": rules}), text);
    }
    if let Some(c) = v.conditions.by_code(code) {
        let ix = v.conditions.lookup(code).unwrap_or(0) as usize;
        let screening = &kb.screening.conditions[ix];
        let text = format!(
            "condition {}\n  label: {}\n  screening: {:?}\n  note: {}",
            c.code, c.label, screening.outcome, screening.note
        );
        add(
            "condition",
            serde_json::json!({"condition": c, "screening": screening.outcome, "note": screening.note}),
            text,
        );
    }
    if let Some(a) = v.areas.by_code(code) {
        add(
            "area",
            serde_json::json!(a),
            format!("area {}\n  label: {}\n  region: {}", a.code, a.label, a.region.label()),
        );
    }
    if let Some(t) = v.massage_types.by_code(code) {
        add("massage_type", serde_json::json!(t), format!("massage type {}\n  label: {}", t.code, t.label));
    }
    if let Some(p) = v.pressures.by_code(code) {
        add("pressure", serde_json::json!(p), format!("pressure {}\n  label: {}", p.code, p.label));
    }
    if let Some(g) = v.goals.by_code(code) {
        add("goal", serde_json::json!(g), format!("goal {}\n  label: {}", g.code, g.label));
    }
    if let Some(i) = kb.plan.items.iter().find(|i| i.id == code) {
        let text =
            format!("plan item {}\n  title: {}\n  grade: {}\n  {}", i.id, i.title, i.grade.code(), i.text.join("\n  "));
        add(
            "plan_item",
            serde_json::json!({"id": i.id, "title": i.title, "grade": i.grade, "text": i.text, "sources": i.sources}),
            text,
        );
    }
    if let Some(s) = kb.stretches.iter().find(|s| s.id == code) {
        add("stretch", serde_json::json!(s), format!("stretch {}\n  {}\n  {}", s.id, s.name, s.steps.join("\n  ")));
    }
    if let Some(s) = kb.source(code) {
        add(
            "source",
            serde_json::json!(s),
            format!("source {}\n  {}\n  evidence: {}; verified: {}", s.id, s.citation(), s.evidence, s.verified),
        );
    }
    if let Some(c) = kb.country(code) {
        add("country", serde_json::json!(c), format!("country {} ({})\n  emergency: {}", c.code, c.name, c.emergency));
    }
    if found.is_empty() {
        return None;
    }
    if json {
        let map: serde_json::Map<String, serde_json::Value> = found.into_iter().map(|(k, v, _)| (k, v)).collect();
        println!("{}", serde_json::to_string_pretty(&map).unwrap_or_default());
    } else {
        for (_, _, text) in found {
            println!("{text}\n");
        }
    }
    Some(())
}
