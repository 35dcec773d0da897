//! Triage throughput, in process, on one core. The check-ins are the public vignettes (every
//! level and most rules). The baseline in the same run is normalisation alone (`facts`), so
//! the ratio shows what the rules themselves cost; the JSON rows show the whole path a
//! request takes. Run: `cargo bench -p care --bench triage`.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // a failing test or benchmark should stop loudly

use care::triage::{Contacts, TriageReport, facts};
use care::{CheckIn, Knowledge};
use divan::{Bencher, black_box};
use std::sync::LazyLock;

static KB: LazyLock<Knowledge> = LazyLock::new(|| Knowledge::builtin().expect("built-in knowledge loads"));

static VIGNETTES: LazyLock<Vec<String>> = LazyLock::new(|| {
    let text = include_str!("../tests/data/vignettes-public.json");
    let list: Vec<serde_json::Value> = serde_json::from_str(text).expect("vignettes parse");
    list.iter().map(|v| v["checkin"].to_string()).collect()
});

static CHECK_INS: LazyLock<Vec<CheckIn>> =
    LazyLock::new(|| VIGNETTES.iter().map(|j| care::parse_check_in(&KB, j).expect("vignette is valid")).collect());

fn main() {
    LazyLock::force(&CHECK_INS);
    divan::main();
}

/// Baseline: normalisation only, for every vignette.
#[divan::bench]
fn baseline_normalise_only(b: Bencher) {
    b.counter(divan::counter::ItemsCount::new(CHECK_INS.len())).bench(|| {
        for c in CHECK_INS.iter() {
            black_box(facts(&KB, black_box(c)));
        }
    });
}

/// A decision: the level and the ids of the fired rules.
#[divan::bench]
fn decision_level_and_fired_rules(b: Bencher) {
    b.counter(divan::counter::ItemsCount::new(CHECK_INS.len())).bench(|| {
        for c in CHECK_INS.iter() {
            black_box(care::triage(&KB, black_box(c)));
        }
    });
}

/// A decision put into words (client and staff reasons, advice, warning signs, citations).
#[divan::bench]
fn decision_with_report(b: Bencher) {
    b.counter(divan::counter::ItemsCount::new(CHECK_INS.len())).bench(|| {
        for c in CHECK_INS.iter() {
            let t = care::triage(&KB, black_box(c));
            black_box(TriageReport::new(&KB, &t, Contacts::default()));
        }
    });
}

/// The whole path of a request: parse and validate JSON, decide.
#[divan::bench]
fn json_parse_validate_decide(b: Bencher) {
    b.counter(divan::counter::ItemsCount::new(VIGNETTES.len())).bench(|| {
        for j in VIGNETTES.iter() {
            let c = care::parse_check_in(&KB, black_box(j)).expect("valid");
            black_box(care::triage(&KB, &c));
        }
    });
}
