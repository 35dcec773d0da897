//! Shared helpers: the built-in knowledge, loaded once.

use care::Knowledge;
use std::sync::LazyLock;

/// The built-in knowledge.
pub static KB: LazyLock<Knowledge> = LazyLock::new(|| match Knowledge::builtin() {
    Ok(kb) => kb,
    Err(e) => panic!("the built-in knowledge must load:\n{e}"),
});

/// Triages a check-in given as JSON; panics with the input errors when it is invalid.
pub fn triage_json(json: &serde_json::Value) -> care::Triage {
    match care::parse_check_in(&KB, &json.to_string()) {
        Ok(c) => care::triage(&KB, &c),
        Err(e) => panic!("check-in should be valid: {e}\n{json}"),
    }
}

/// The ids of the fired rules.
pub fn fired_ids(t: &care::Triage) -> Vec<&'static str> {
    t.fired_rules(&KB).map(|r| r.id.as_str()).collect()
}
