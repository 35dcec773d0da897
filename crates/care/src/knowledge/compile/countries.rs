//! countries.toml: the emergency and urgent-advice numbers of each country.

use super::{Problems, RawKnowledge};
use crate::knowledge::model::Country;
use std::collections::HashSet;

/// Compiles countries.toml, checking each country's code, that it is listed once, and its numbers.
pub(super) fn countries(p: &mut Problems, raw: &RawKnowledge) -> Vec<Country> {
    let mut country_codes = HashSet::new();
    raw.countries
        .iter()
        .map(|c| {
            let ct = &c.value;
            if ct.code.len() != 2 || !ct.code.chars().all(|ch| ch.is_ascii_uppercase()) {
                p.at(&c.origin, format!("country code `{}` must be two capital letters (ISO 3166-1)", ct.code));
            }
            if !country_codes.insert(ct.code.clone()) {
                p.at(&c.origin, format!("duplicate country `{}`", ct.code));
            }
            let dialable = |n: &str| !n.is_empty() && n.chars().all(|ch| ch.is_ascii_digit() || ch == ' ');
            if !dialable(&ct.emergency) || ct.urgent_advice.as_deref().is_some_and(|n| !dialable(n)) {
                p.at(&c.origin, format!("country `{}`: numbers may hold only digits and spaces", ct.code));
            }
            ct.clone()
        })
        .collect()
}
