//! A client's record as FHIR R4, checked by validators that share no code with the exporter
//! (`scripts/validate-fhir`: the official R4 JSON schema, FHIR.js over the R4 structure
//! definitions, and R4 rules neither checks), and read back against what the test recorded.

use crate::api::leg_session;
use crate::harness::*;
use crate::staff_pages::sign_in;
use reqwest::{Method, StatusCode, header};
use serde_json::{Value, json};
use std::path::{Path, PathBuf};
use store::Store;

// The FHIR export, on both storage backends.
on_both_backends!(a_clients_record_exports_as_fhir_r4_that_an_outside_validator_accepts);

/// Runs the outside validator on `files`: whether all are valid, and what it printed.
pub fn validate(files: &[PathBuf]) -> (bool, String) {
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../scripts/validate-fhir");
    let out = std::process::Command::new(script).args(files).output().expect("scripts/validate-fhir runs");
    let printed = format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
    assert!(matches!(out.status.code(), Some(0 | 1)), "the validator itself failed: {printed}");
    (out.status.success(), printed)
}

fn resources<'a>(bundle: &'a Value, kind: &str) -> Vec<&'a Value> {
    bundle["entry"].as_array().unwrap().iter().map(|e| &e["resource"]).filter(|r| r["resourceType"] == kind).collect()
}

async fn a_clients_record_exports_as_fhir_r4_that_an_outside_validator_accepts<S: Store>(app: App<S>) {
    let who = json!({"name": "Noor Haddad", "email": "noor@example.com", "phone": "+44 7700 900123"});
    let (_, client) = app.post("/api/v1/clients", &app.a.therapist, who).await;
    let id = client["id"].as_i64().unwrap();
    let mut session = leg_session();
    session["client_id"] = json!(id);
    session["notes"] = json!("Tight calves; easy on the left.");
    let (s, session) = app.post("/api/v1/sessions", &app.a.therapist, session).await;
    assert_eq!(s, StatusCode::CREATED, "{session}");
    let link = |i: usize| session["follow_ups"][i]["check_in_url"].as_str().unwrap().to_owned();
    app.advance_hours(20.0);
    let first = json!({"soreness": 6, "trend": "worse", "sore_areas": ["calves"], "symptoms": ["one_leg_swelling"], "temperature_c": 37.9, "note": "Left calf warm"});
    let (s, r) = app.call(Method::POST, &link(0), None, Some(first)).await;
    assert_eq!(s, StatusCode::OK, "{r}");
    app.advance_hours(26.0);
    let (s, r) =
        app.call(Method::POST, &link(1), None, Some(json!({"soreness": 2, "trend": "better", "symptoms": []}))).await;
    assert_eq!(s, StatusCode::OK, "{r}");

    let (s, _) = app.get(&format!("/api/v1/clients/{id}/fhir"), &app.a.front_desk).await;
    assert_eq!(s, StatusCode::FORBIDDEN, "the front desk does not export records");
    let (s, _) = app.get(&format!("/api/v1/clients/{id}/fhir"), &app.b.owner).await;
    assert_eq!(s, StatusCode::NOT_FOUND, "not another clinic's client");
    let r = app
        .http
        .get(format!("{}/api/v1/clients/{id}/fhir", app.base))
        .bearer_auth(&app.a.therapist)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    assert_eq!(r.headers()[header::CONTENT_TYPE], "application/fhir+json");
    let bundle: Value = r.json().await.unwrap();

    // What the test recorded is what the bundle says.
    assert_eq!((bundle["resourceType"].as_str(), bundle["type"].as_str()), (Some("Bundle"), Some("collection")));
    let patient = resources(&bundle, "Patient");
    assert_eq!(patient.len(), 1);
    assert_eq!(patient[0]["name"][0]["text"], "Noor Haddad");
    assert_eq!(patient[0]["telecom"][0]["value"], "noor@example.com");
    assert_eq!(resources(&bundle, "Encounter").len(), 1);
    let procedure = &resources(&bundle, "Procedure")[0];
    assert_eq!(procedure["code"]["coding"][0]["code"], "deep_tissue");
    let sites: Vec<&str> =
        procedure["bodySite"].as_array().unwrap().iter().map(|b| b["coding"][0]["code"].as_str().unwrap()).collect();
    assert_eq!(sites, ["calves", "hamstrings"]);
    assert!(procedure["note"].to_string().contains("Tight calves"));
    assert_eq!(resources(&bundle, "QuestionnaireResponse").len(), 2);
    let observations = resources(&bundle, "Observation");
    let soreness: Vec<i64> = observations
        .iter()
        .filter(|o| o["code"]["coding"][0]["code"] == "72514-3")
        .map(|o| o["valueInteger"].as_i64().unwrap())
        .collect();
    assert_eq!(soreness, [6, 2]);
    let temperature: Vec<&&Value> =
        observations.iter().filter(|o| o["code"]["coding"][0]["code"] == "8310-5").collect();
    assert_eq!(temperature.len(), 1);
    assert_eq!(temperature[0]["valueQuantity"]["value"], 37.9);
    assert_eq!(temperature[0]["valueQuantity"]["code"], "Cel");
    let answers = resources(&bundle, "QuestionnaireResponse")[0]["item"].to_string();
    assert!(answers.contains("one_leg_swelling") && answers.contains("Left calf warm"), "{answers}");

    // The outside validator accepts it, and refuses it with a required element taken out.
    // A folder of this run's own: the SQLite and PostgreSQL runs go at once.
    let dir = std::env::temp_dir().join(format!("aftercare-fhir-{}-{}", std::process::id(), web::secret::new_secret()));
    std::fs::create_dir_all(&dir).unwrap();
    let good = dir.join("client.json");
    std::fs::write(&good, serde_json::to_string_pretty(&bundle).unwrap()).unwrap();
    let mut broken = bundle.clone();
    for e in broken["entry"].as_array_mut().unwrap() {
        if e["resource"]["resourceType"] == "Observation" {
            e["resource"].as_object_mut().unwrap().remove("status");
        }
    }
    let bad = dir.join("broken.json");
    std::fs::write(&bad, serde_json::to_string(&broken).unwrap()).unwrap();
    let (valid, printed) = validate(std::slice::from_ref(&good));
    assert!(valid, "the outside validator refused the export:\n{printed}");
    let (valid, printed) = validate(&[bad]);
    assert!(!valid && printed.contains("status"), "the validator must notice a missing status:\n{printed}");

    // The owner downloads the same from the client's page; it is in the audit trail.
    let owner = sign_in(&app, "owner@calm.example", PASSWORD).await.unwrap();
    let r = owner
        .http
        .get(format!("{}/clients/{id}/fhir.json", app.base))
        .header(header::COOKIE, &owner.cookie)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    assert!(r.headers()[header::CONTENT_DISPOSITION].to_str().unwrap().contains("fhir.json"));
    let page: Value = r.json().await.unwrap();
    assert_eq!(page["entry"], bundle["entry"], "the same record, with the same ids");
    let (_, trail) = owner.get(&format!("/audit?client={id}")).await;
    assert!(trail.contains("the client&#39;s record as FHIR"), "{trail}");
    std::fs::remove_dir_all(&dir).unwrap();
}
