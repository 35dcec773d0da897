//! Every public vignette gives its expected level, and the independent reading of the
//! policy agrees with the engine on the fired rules.

use crate::common::{fired_ids, triage_json};
use crate::oracle;
use serde_json::Value;

fn vignettes() -> Vec<Value> {
    let text = include_str!("../data/vignettes-public.json");
    match serde_json::from_str::<Value>(text) {
        Ok(Value::Array(list)) => list,
        other => panic!("vignettes must be a JSON array, got {other:?}"),
    }
}

#[test]
fn every_public_vignette_gives_its_expected_level() {
    let list = vignettes();
    assert!(list.len() >= 42, "the public vignettes are all here");
    let mut wrong = Vec::new();
    for v in &list {
        let t = triage_json(&v["checkin"]);
        if t.level.code() != v["expected_level"] {
            wrong.push(format!(
                "{}: got {} expected {} (fired {:?})",
                v["id"],
                t.level,
                v["expected_level"],
                fired_ids(&t)
            ));
        }
    }
    assert!(wrong.is_empty(), "vignettes with the wrong level:\n{}", wrong.join("\n"));
}

#[test]
fn every_public_vignette_fires_what_the_policy_text_fires() {
    for v in vignettes() {
        let t = triage_json(&v["checkin"]);
        let expected = oracle::expected(&v["checkin"]);
        let fired: std::collections::BTreeSet<&str> = fired_ids(&t).into_iter().collect();
        assert_eq!(fired, expected.fired, "{}", v["id"]);
        assert_eq!(t.level, expected.level, "{}", v["id"]);
    }
}
