//! The JSON API over HTTP: every route, validation errors, tenant isolation, roles, and the
//! client check-in link (expired and reused). The API journey and tenant isolation run on both
//! storage backends, SQLite and PostgreSQL.

use crate::harness::*;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use store::Store;
use web::secret::new_secret;

// The API journey and tenant isolation, on both storage backends.
on_both_backends!(
    the_api_needs_a_valid_token,
    clients_are_created_validated_and_shown,
    an_intake_answers_screening_and_recommendation,
    a_session_answers_its_plan_and_schedules_24h_and_48h_check_ins,
    a_check_in_is_triaged_stored_and_raises_an_alert,
    hours_and_the_lowest_earlier_soreness_come_from_the_server,
    check_in_links_validate_expire_and_never_leak,
    alerts_are_acknowledged_with_a_note_by_therapists_and_owners,
    another_clinics_token_gets_404_for_every_id_on_every_route,
    the_alert_queue_comes_a_page_at_a_time_with_a_cursor,
    a_clients_sessions_come_a_page_at_a_time,
    fifty_emergency_answers_through_one_link_make_one_alert_and_one_notice_per_channel,
    one_alert_acknowledged_ten_times_at_once_answers_one_200_and_nine_409s,
    a_refused_answer_is_stored_and_alerts_the_clinic,
    an_api_token_stops_working_after_ninety_days,
);

pub fn error_field(body: &Value) -> Option<&str> {
    body["error"]["field"].as_str()
}

pub fn leg_session() -> Value {
    json!({"massage_type": "deep_tissue", "pressure": "firm", "areas": ["calves", "hamstrings"], "techniques": ["stripping"]})
}

#[tokio::test]
async fn health_and_the_openapi_document_match_the_routes() {
    let app = spawn_app().await;
    let (s, body) = app.call(Method::GET, "/healthz", None, None).await;
    assert_eq!((s, body["status"].as_str()), (StatusCode::OK, Some("ok")));
    assert_eq!(body["database"], json!({"read": true, "write": true}), "the health check writes: {body}");
    assert_eq!(body["unsaved_check_ins"], 0);
    let (s, body) = app.call(Method::GET, "/readyz", None, None).await;
    assert_eq!((s, body), (StatusCode::OK, json!({"ready": true})));

    let (s, doc) = app.call(Method::GET, "/api/v1/openapi.json", None, None).await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(doc["openapi"], "3.1.0");
    let mut documented: Vec<String> = Vec::new();
    for (path, item) in doc["paths"].as_object().unwrap() {
        for method in item.as_object().unwrap().keys() {
            documented.push(format!("{} {path}", method.to_uppercase()));
        }
    }
    documented.sort();
    // Every route the router serves as JSON is documented, and nothing else is.
    let mut served: Vec<String> =
        web::api_routes::<store_sqlite::SqliteStore>().iter().map(|r| format!("{} {}", r.method, r.path)).collect();
    served.sort();
    assert_eq!(documented, served);
    // Every documented route is served (405 would mean no such method; a route's own 404 is
    // JSON, or the client's page that says the link does not work).
    for route in &served {
        let (method, path) = route.split_once(' ').unwrap();
        let path = path.replace("{id}", "999999").replace("{token}", &"0".repeat(64));
        let (s, body) =
            app.call(Method::from_bytes(method.as_bytes()).unwrap(), &path, Some(&app.a.owner), Some(json!({}))).await;
        assert_ne!(s, StatusCode::METHOD_NOT_ALLOWED, "{route}");
        let link_page = body.as_str().is_some_and(|page| page.contains("This link does not work"));
        assert!(s != StatusCode::NOT_FOUND || body["error"]["code"] == "not_found" || link_page, "{route}: {body}");
    }
    let (s, _) = app.call(Method::GET, "/api/v1/sessions", Some(&app.a.owner), None).await;
    assert_eq!(s, StatusCode::METHOD_NOT_ALLOWED, "an undocumented method is not served");
}

/// The API document as served: a change to a request or an answer shows here, and is reviewed.
#[tokio::test]
async fn the_api_document_is_held_by_a_snapshot() {
    let app = spawn_app().await;
    let r = app.http.get(format!("{}/api/v1/openapi.json", app.base)).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let doc: Value = r.json().await.unwrap();
    insta::assert_json_snapshot!("openapi", doc);
    // Real schemas: the check-in's body names its required field, and levels are an enum.
    let body = &doc["components"]["schemas"]["CheckInBody"];
    assert_eq!(body["required"], json!(["soreness", "symptoms"]), "{body}");
    let levels = &doc["components"]["schemas"]["LevelCode"]["enum"];
    assert_eq!(levels, &json!(["self_care", "therapist", "doctor", "emergency"]));
    // Each error answer is documented with the error body.
    let ack = &doc["paths"]["/api/v1/alerts/{id}/acknowledge"]["post"]["responses"];
    for status in ["401", "404", "409", "422"] {
        assert_eq!(ack[status]["content"]["application/json"]["schema"]["$ref"], "#/components/schemas/ErrorBody");
    }
    // And it can be browsed, served from this app.
    let r = app.http.get(format!("{}/api/v1/docs", app.base)).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let page = r.text().await.unwrap();
    assert!(page.contains("/assets/swagger-ui-bundle.js") && !page.contains("https://"), "no CDN: {page}");
}

async fn the_api_needs_a_valid_token<S: Store>(app: App<S>) {
    let (s, body) = app.call(Method::POST, "/api/v1/clients", None, Some(json!({"name": "X"}))).await;
    assert_eq!((s, body["error"]["code"].as_str()), (StatusCode::UNAUTHORIZED, Some("unauthorized")));
    let (s, _) = app.post("/api/v1/clients", &new_secret(), json!({"name": "X"})).await;
    assert_eq!(s, StatusCode::UNAUTHORIZED, "an unknown token");
    let (s, _) = app.post("/api/v1/clients", "not-a-token", json!({"name": "X"})).await;
    assert_eq!(s, StatusCode::UNAUTHORIZED);
}

async fn clients_are_created_validated_and_shown<S: Store>(app: App<S>) {
    let body = json!({"name": "  Grace Hopper ", "email": "Grace@Example.com", "phone": "+44 7700 900123", "timezone": "Europe/Paris", "age_months": 480});
    let (s, c) = app.post("/api/v1/clients", &app.a.front_desk, body).await;
    assert_eq!(s, StatusCode::CREATED, "{c}");
    assert_eq!(c["name"], "Grace Hopper");
    assert_eq!(c["email"], "grace@example.com");
    let id = c["id"].as_i64().unwrap();
    let (s, shown) = app.get(&format!("/api/v1/clients/{id}"), &app.a.therapist).await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(shown["timezone"], "Europe/Paris");
    assert_eq!(shown["sessions"], json!([]));
    assert_eq!(shown["intake"], Value::Null);

    for (body, field) in [
        (json!({}), "name"),
        (json!({"name": ""}), "name"),
        (json!({"name": "X", "email": "not-an-email"}), "email"),
        (json!({"name": "X", "phone": "12"}), "phone"),
        (json!({"name": "X", "timezone": "Mars/Olympus"}), "timezone"),
        (json!({"name": "X", "age_months": -3}), "age_months"),
        (json!({"name": "X", "nickname": "Y"}), "nickname"),
        (json!({"name": 5}), "name"),
    ] {
        let (s, e) = app.post("/api/v1/clients", &app.a.owner, body.clone()).await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{body} -> {e}");
        assert_eq!(error_field(&e), Some(field), "{body} -> {e}");
        assert!(e["error"]["message"].as_str().is_some_and(|m| !m.is_empty()));
    }
    let raw = app
        .http
        .post(format!("{}/api/v1/clients", app.base))
        .bearer_auth(&app.a.owner)
        .body("{\"name\": ")
        .send()
        .await
        .unwrap();
    assert_eq!(raw.status(), StatusCode::BAD_REQUEST, "malformed JSON");
    let (s, _) = app.get("/api/v1/clients/abc", &app.a.owner).await;
    assert_eq!(s, StatusCode::NOT_FOUND);
}

async fn an_intake_answers_screening_and_recommendation<S: Store>(app: App<S>) {
    let id = app.new_client(&app.a.therapist).await;
    let intake = json!({"goals": ["low_back_pain"], "conditions": [{"code": "anticoagulants"}], "preferred_pressure": "deep", "first_massage": false});
    let (s, body) = app.post(&format!("/api/v1/clients/{id}/intake"), &app.a.therapist, intake).await;
    assert_eq!(s, StatusCode::OK, "{body}");
    assert_eq!(body["screening"]["outcome"], "modify");
    assert_eq!(body["recommendation"]["pressure"], "light");
    let (_, shown) = app.get(&format!("/api/v1/clients/{id}"), &app.a.therapist).await;
    assert_eq!(shown["intake"]["answers"]["goals"], json!(["low_back_pain"]));

    let (s, e) = app
        .post(
            &format!("/api/v1/clients/{id}/intake"),
            &app.a.therapist,
            json!({"goals": ["relax"], "first_massage": true}),
        )
        .await;
    assert_eq!((s, error_field(&e)), (StatusCode::UNPROCESSABLE_ENTITY, Some("goals[0]")), "{e}");
    assert!(e["error"]["message"].as_str().unwrap().contains("allowed: relaxation"));
    let (s, e) = app.post(&format!("/api/v1/clients/{id}/intake"), &app.a.therapist, json!({"goals": []})).await;
    assert_eq!((s, error_field(&e)), (StatusCode::UNPROCESSABLE_ENTITY, Some("first_massage")), "{e}");
    let history = json!({"first_massage": false, "history": [{"massage_type": "swedish", "pressure": "light", "max_soreness": 2}]});
    let (s, e) = app.post(&format!("/api/v1/clients/{id}/intake"), &app.a.therapist, history).await;
    assert_eq!((s, error_field(&e)), (StatusCode::UNPROCESSABLE_ENTITY, Some("history")));
}

async fn a_session_answers_its_plan_and_schedules_24h_and_48h_check_ins<S: Store>(app: App<S>) {
    let intake =
        json!({"goals": ["sore_muscles"], "conditions": [{"code": "fluid_restriction"}], "first_massage": true});
    let (client, body) = app.session(&app.a.therapist, intake, leg_session()).await;
    assert_eq!(body["first_massage"], true);
    assert_eq!(body["plan"]["emergency_number"], "999", "the clinic is in the UK");
    let water = body["plan"]["items"].as_array().unwrap().iter().find(|i| i["id"] == "water").unwrap();
    assert_eq!(water["text"].as_array().unwrap().len(), 1, "the fluid limit replaces the water advice");
    let follow_ups = body["follow_ups"].as_array().unwrap();
    assert_eq!(follow_ups.len(), 2);
    assert_eq!(follow_ups[0]["due_at"], "2026-11-28T09:00:00Z");
    assert_eq!(follow_ups[1]["due_at"], "2026-11-29T09:00:00Z");
    assert!(follow_ups[0]["check_in_url"].as_str().unwrap().starts_with(&format!("{}/c/", app.base)));

    let (_, shown) = app.get(&format!("/api/v1/clients/{client}"), &app.a.owner).await;
    assert_eq!(shown["sessions"][0]["follow_ups"].as_array().unwrap().len(), 2);
    assert_eq!(shown["sessions"][0]["areas"], json!(["calves", "hamstrings"]));

    let mut bad = leg_session();
    bad["client_id"] = json!(client);
    bad["areas"] = json!(["calfs"]);
    let (s, e) = app.post("/api/v1/sessions", &app.a.therapist, bad.clone()).await;
    assert_eq!((s, error_field(&e)), (StatusCode::UNPROCESSABLE_ENTITY, Some("areas[0]")), "{e}");
    bad["areas"] = json!(["calves"]);
    bad["ended_at"] = json!("2027-01-01T00:00:00Z");
    let (s, e) = app.post("/api/v1/sessions", &app.a.therapist, bad.clone()).await;
    assert_eq!((s, error_field(&e)), (StatusCode::UNPROCESSABLE_ENTITY, Some("ended_at")));
    bad["ended_at"] = json!("yesterday");
    let (s, e) = app.post("/api/v1/sessions", &app.a.therapist, bad.clone()).await;
    assert_eq!((s, error_field(&e)), (StatusCode::UNPROCESSABLE_ENTITY, Some("ended_at")));
    bad["ended_at"] = json!("2026-11-27T07:30:00+00:00");
    let (s, e) = app.post("/api/v1/sessions", &app.a.front_desk, bad.clone()).await;
    assert_eq!(s, StatusCode::FORBIDDEN, "front desk does not record sessions: {e}");
    let (s, ok) = app.post("/api/v1/sessions", &app.a.owner, bad).await;
    assert_eq!(s, StatusCode::CREATED, "{ok}");
    assert_eq!(ok["first_massage"], false, "only the client's first session is their first massage");
    assert_eq!(ok["follow_ups"][0]["due_at"], "2026-11-28T07:30:00Z");
}

async fn a_check_in_is_triaged_stored_and_raises_an_alert<S: Store>(app: App<S>) {
    let (client, session) = app.session(&app.a.therapist, json!({"first_massage": false}), leg_session()).await;
    let link = session["follow_ups"][0]["check_in_url"].as_str().unwrap().to_owned();

    app.advance_hours(3.0);
    let emergency =
        json!({"soreness": 3, "symptoms": ["breathlessness", "chest_pain"], "note": "cannot catch my breath"});
    let (s, answer) = app.call(Method::POST, &link, None, Some(emergency)).await;
    assert_eq!(s, StatusCode::OK, "{answer}");
    assert_eq!(answer["level"], "emergency");
    assert_eq!(answer["emergency_number"], "999");
    assert!(answer["instruction"].as_str().unwrap().starts_with("Call 999 now"));
    assert_eq!(answer["fired"][0]["rule"], "E-breathing");
    assert!(answer["fired"][0].get("clinical_reason").is_none(), "clients never see clinical reasons");
    assert!(!answer["red_flags"].as_array().unwrap().is_empty());
    assert!(answer["disclaimer"].as_str().unwrap().contains("does not diagnose"));

    let (_, alerts) = app.get("/api/v1/alerts?status=open", &app.a.front_desk).await;
    let alerts = alerts["alerts"].as_array().unwrap().clone();
    assert_eq!(alerts.len(), 1);
    assert_eq!(alerts[0]["level"], "emergency");
    assert_eq!(alerts[0]["client"]["id"], client);
    assert_eq!(alerts[0]["check_in"]["report"]["note"], "cannot catch my breath");
    assert!((alerts[0]["check_in"]["hours_since"].as_f64().unwrap() - 3.0).abs() < 1e-9);

    // A self-care answer raises no alert.
    let link2 = session["follow_ups"][1]["check_in_url"].as_str().unwrap().to_owned();
    app.advance_hours(21.0);
    let (s, answer) =
        app.call(Method::POST, &link2, None, Some(json!({"soreness": 2, "symptoms": ["tenderness"]}))).await;
    assert_eq!((s, answer["level"].as_str()), (StatusCode::OK, Some("self_care")));
    let (_, alerts) = app.get("/api/v1/alerts?status=open", &app.a.owner).await;
    assert_eq!(alerts["alerts"].as_array().unwrap().len(), 1);
    let (_, shown) = app.get(&format!("/api/v1/clients/{client}"), &app.a.owner).await;
    assert_eq!(shown["sessions"][0]["check_ins"].as_array().unwrap().len(), 2);
}

async fn hours_and_the_lowest_earlier_soreness_come_from_the_server<S: Store>(app: App<S>) {
    let (_, session) = app.session(&app.a.therapist, json!({"first_massage": false}), leg_session()).await;
    let link = session["follow_ups"][1]["check_in_url"].as_str().unwrap().to_owned();
    app.advance_hours(48.0);
    let (_, first) = app.call(Method::POST, &link, None, Some(json!({"soreness": 3, "symptoms": []}))).await;
    assert_eq!(first["level"], "self_care");
    app.advance_hours(24.5);
    // 72.5 h after the session, soreness 6 from a lowest of 3: rise 3 and excess 6.
    let (s, later) =
        app.call(Method::POST, &link, None, Some(json!({"soreness": 6, "trend": "same", "symptoms": []}))).await;
    assert_eq!(s, StatusCode::OK, "a link may be used again while valid: every submission is kept");
    let rules: Vec<&str> = later["fired"].as_array().unwrap().iter().map(|f| f["rule"].as_str().unwrap()).collect();
    assert_eq!(later["level"], "doctor", "{later}");
    assert!(
        rules.contains(&"D-worse-late") && rules.contains(&"T-lingering") && rules.contains(&"T-high"),
        "{rules:?}"
    );
}

async fn check_in_links_validate_expire_and_never_leak<S: Store>(app: App<S>) {
    let (_, session) = app.session(&app.a.therapist, json!({"first_massage": false}), leg_session()).await;
    let link = session["follow_ups"][0]["check_in_url"].as_str().unwrap().to_owned();
    for (body, field) in [
        (json!({"soreness": 11, "symptoms": []}), "soreness"),
        (json!({"soreness": 2}), "symptoms"),
        (json!({"soreness": 2, "symptoms": ["chest_ache"]}), "symptoms[0]"),
        (json!({"soreness": 2, "symptoms": [], "temperature_c": 98.6}), "temperature_c"),
        (json!({"soreness": 2, "symptoms": [], "trend": "up"}), "trend"),
        (json!({"symptoms": []}), "soreness"),
        (json!({"soreness": 2, "symptoms": [], "mood": "ok"}), "mood"),
    ] {
        let (s, e) = app.call(Method::POST, &link, None, Some(body.clone())).await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{body} -> {e}");
        assert_eq!(error_field(&e), Some(field), "{body} -> {e}");
    }
    let (s, _) = app
        .call(Method::POST, &format!("/c/{}", new_secret()), None, Some(json!({"soreness": 1, "symptoms": []})))
        .await;
    assert_eq!(s, StatusCode::NOT_FOUND, "an unknown link");
    let (s, _) = app.call(Method::POST, "/c/short", None, Some(json!({"soreness": 1, "symptoms": []}))).await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    // Refused answers are kept, untriaged (care policy v1.2); incomplete ones (no symptoms
    // list) and bodies that are not a check-in at all (an unknown field) are not.
    let (_, shown) = app.get(&format!("/api/v1/clients/{}", session["client_id"]), &app.a.owner).await;
    let kept: Vec<Value> =
        shown["sessions"][0]["check_ins"].as_array().unwrap().iter().map(|c| c["report"].clone()).collect();
    assert_eq!(kept.len(), 4, "{kept:?}");
    assert_eq!(kept[0]["soreness"], 11);
    assert_eq!(kept[2]["temperature_c"], 98.6);

    // The 24 h link works until 7 days after it is due, then answers 410.
    app.advance_hours(24.0 + 168.0);
    let (s, _) = app.call(Method::POST, &link, None, Some(json!({"soreness": 1, "symptoms": []}))).await;
    assert_eq!(s, StatusCode::OK);
    app.advance_hours(0.01);
    let (s, e) = app.call(Method::POST, &link, None, Some(json!({"soreness": 1, "symptoms": []}))).await;
    assert_eq!((s, e["error"]["code"].as_str()), (StatusCode::GONE, Some("link_expired")));
}

async fn alerts_are_acknowledged_with_a_note_by_therapists_and_owners<S: Store>(app: App<S>) {
    let (_, session) = app.session(&app.a.therapist, json!({"first_massage": false}), leg_session()).await;
    let link = session["follow_ups"][0]["check_in_url"].as_str().unwrap().to_owned();
    let other_link = session["follow_ups"][1]["check_in_url"].as_str().unwrap().to_owned();
    app.advance_hours(20.0);
    app.call(Method::POST, &link, None, Some(json!({"soreness": 2, "symptoms": ["small_bruise"]}))).await;
    app.call(Method::POST, &other_link, None, Some(json!({"soreness": 4, "symptoms": ["one_leg_swelling"]}))).await;
    let (_, alerts) = app.get("/api/v1/alerts?status=open", &app.a.owner).await;
    let levels: Vec<&str> = alerts["alerts"].as_array().unwrap().iter().map(|a| a["level"].as_str().unwrap()).collect();
    assert_eq!(levels, vec!["doctor", "therapist"], "doctor first");
    let id = alerts["alerts"][0]["id"].as_i64().unwrap();
    let path = format!("/api/v1/alerts/{id}/acknowledge");

    let (s, _) = app.post(&path, &app.a.front_desk, json!({"note": "seen"})).await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    let (s, e) = app.post(&path, &app.a.therapist, json!({"remark": "x"})).await;
    assert_eq!((s, error_field(&e)), (StatusCode::UNPROCESSABLE_ENTITY, Some("remark")));
    app.advance_hours(1.0);
    let (s, ack) = app.post(&path, &app.a.therapist, json!({"note": "Phoned; she is seeing her GP today."})).await;
    assert_eq!(s, StatusCode::OK, "{ack}");
    assert_eq!(ack["status"], "acknowledged");
    assert_eq!(ack["note"], "Phoned; she is seeing her GP today.");
    assert_eq!(ack["acknowledged_at"], "2026-11-28T06:00:00Z");
    let (_, open) = app.get("/api/v1/alerts?status=open", &app.a.owner).await;
    assert_eq!(open["alerts"].as_array().unwrap().len(), 1);
    let (_, all) = app.get("/api/v1/alerts?status=all", &app.a.owner).await;
    assert_eq!(all["alerts"].as_array().unwrap().len(), 2);
    let (s, e) = app.get("/api/v1/alerts?status=closed", &app.a.owner).await;
    assert_eq!((s, error_field(&e)), (StatusCode::UNPROCESSABLE_ENTITY, Some("status")));
    let (s, _) = app.post("/api/v1/alerts/999999/acknowledge", &app.a.owner, json!({})).await;
    assert_eq!(s, StatusCode::NOT_FOUND);
}

async fn another_clinics_token_gets_404_for_every_id_on_every_route<S: Store>(app: App<S>) {
    let (client, session) = app.session(&app.a.therapist, json!({"first_massage": false}), leg_session()).await;
    let link = session["follow_ups"][0]["check_in_url"].as_str().unwrap().to_owned();
    app.advance_hours(5.0);
    app.call(Method::POST, &link, None, Some(json!({"soreness": 2, "symptoms": ["headache"]}))).await;
    let (_, alerts) = app.get("/api/v1/alerts", &app.a.owner).await;
    let alert = alerts["alerts"][0]["id"].as_i64().unwrap();

    let b = &app.b.owner;
    let (s, e) = app.get(&format!("/api/v1/clients/{client}"), b).await;
    assert_eq!((s, e["error"]["code"].as_str()), (StatusCode::NOT_FOUND, Some("not_found")));
    let (s, _) = app.post(&format!("/api/v1/clients/{client}/intake"), b, json!({"first_massage": false})).await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    let mut s_body = leg_session();
    s_body["client_id"] = json!(client);
    let (s, _) = app.post("/api/v1/sessions", b, s_body).await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    let (s, _) = app.post(&format!("/api/v1/alerts/{alert}/acknowledge"), b, json!({"note": "mine?"})).await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    let (_, b_alerts) = app.get("/api/v1/alerts?status=all", b).await;
    assert_eq!(b_alerts["alerts"], json!([]), "B sees none of A's alerts");
    // And A's data is untouched by B's attempts.
    let (_, a_alerts) = app.get("/api/v1/alerts?status=open", &app.a.owner).await;
    assert_eq!(a_alerts["alerts"].as_array().unwrap().len(), 1);
    let (_, shown) = app.get(&format!("/api/v1/clients/{client}"), &app.a.owner).await;
    assert_eq!(shown["intake"]["answers"], json!({"first_massage": false}));
    assert_eq!(shown["sessions"].as_array().unwrap().len(), 1);
}

async fn the_alert_queue_comes_a_page_at_a_time_with_a_cursor<S: Store>(app: App<S>) {
    // Twelve alerts: one link each (answers through one link share an alert).
    let (client, session) = app.session(&app.a.therapist, json!({"first_massage": false}), leg_session()).await;
    let mut links: Vec<String> = Vec::new();
    let mut add_links = |session: &Value| {
        links.extend(
            session["follow_ups"].as_array().unwrap().iter().map(|f| f["check_in_url"].as_str().unwrap().to_owned()),
        );
    };
    add_links(&session);
    for _ in 0..5 {
        let mut s = leg_session();
        s["client_id"] = json!(client);
        let (_, session) = app.post("/api/v1/sessions", &app.a.therapist, s).await;
        add_links(&session);
    }
    app.advance_hours(20.0);
    let answers = [json!(["small_bruise"]), json!(["one_leg_swelling"]), json!(["breathlessness"])];
    for (i, link) in links.iter().enumerate() {
        app.advance_hours(0.1);
        let body = json!({"soreness": 3, "symptoms": answers[i % 3]});
        let (s, _) = app.call(Method::POST, link, None, Some(body)).await;
        assert_eq!(s, StatusCode::OK);
    }
    let (_, whole) = app.get("/api/v1/alerts?status=all&limit=200", &app.a.owner).await;
    let whole: Vec<i64> = whole["alerts"].as_array().unwrap().iter().map(|a| a["id"].as_i64().unwrap()).collect();
    assert_eq!(whole.len(), 12);
    let (_, first) = app.get("/api/v1/alerts", &app.a.owner).await;
    assert_eq!(first["next_cursor"], Value::Null, "12 alerts fit the default page of 50");

    // Pages of 5 put together are the whole queue: none twice, none missing.
    let mut paged = Vec::new();
    let mut cursor: Option<String> = None;
    for _ in 0..5 {
        let path = match &cursor {
            Some(c) => format!("/api/v1/alerts?status=all&limit=5&cursor={c}"),
            None => "/api/v1/alerts?status=all&limit=5".to_owned(),
        };
        let (s, page) = app.get(&path, &app.a.owner).await;
        assert_eq!(s, StatusCode::OK, "{page}");
        let ids = page["alerts"].as_array().unwrap().iter().map(|a| a["id"].as_i64().unwrap());
        paged.extend(ids);
        cursor = page["next_cursor"].as_str().map(str::to_owned);
        if cursor.is_none() {
            break;
        }
    }
    assert_eq!(paged, whole);
    let levels: Vec<String> = {
        let (_, p) = app.get("/api/v1/alerts?limit=5", &app.a.owner).await;
        p["alerts"].as_array().unwrap().iter().map(|a| a["level"].as_str().unwrap().to_owned()).collect()
    };
    assert_eq!(levels, ["emergency"; 4].iter().chain(&["doctor"]).map(|s| s.to_string()).collect::<Vec<_>>());

    for bad in ["0", "201", "ten", "-1"] {
        let (s, e) = app.get(&format!("/api/v1/alerts?limit={bad}"), &app.a.owner).await;
        assert_eq!((s, error_field(&e)), (StatusCode::UNPROCESSABLE_ENTITY, Some("limit")), "limit={bad}");
    }
    for bad in ["x", "emergency.1.0", "urgent.1.1", "doctor.1", "doctor.1.2.3", "doctor.one.2"] {
        let (s, e) = app.get(&format!("/api/v1/alerts?cursor={bad}"), &app.a.owner).await;
        assert_eq!((s, error_field(&e)), (StatusCode::UNPROCESSABLE_ENTITY, Some("cursor")), "cursor={bad}");
    }
    // A cursor from clinic A's queue shows clinic B only its own alerts (none).
    let (_, page) = app.get("/api/v1/alerts?status=all&limit=3", &app.a.owner).await;
    let cursor = page["next_cursor"].as_str().unwrap();
    let (s, b) = app.get(&format!("/api/v1/alerts?status=all&cursor={cursor}"), &app.b.owner).await;
    assert_eq!((s, b["alerts"].clone()), (StatusCode::OK, json!([])));
}

async fn a_clients_sessions_come_a_page_at_a_time<S: Store>(app: App<S>) {
    let (client, _) = app.session(&app.a.therapist, json!({"first_massage": false}), leg_session()).await;
    for _ in 0..4 {
        app.advance_hours(24.0);
        let mut s = leg_session();
        s["client_id"] = json!(client);
        let (status, _) = app.post("/api/v1/sessions", &app.a.therapist, s).await;
        assert_eq!(status, StatusCode::CREATED);
    }
    let (_, whole) = app.get(&format!("/api/v1/clients/{client}"), &app.a.owner).await;
    let ids = |v: &Value| -> Vec<i64> {
        v["sessions"].as_array().unwrap().iter().map(|s| s["id"].as_i64().unwrap()).collect()
    };
    assert_eq!(ids(&whole).len(), 5);
    assert_eq!(whole["next_cursor"], Value::Null);
    let (_, first) = app.get(&format!("/api/v1/clients/{client}?limit=2"), &app.a.owner).await;
    let cursor = first["next_cursor"].as_str().unwrap().to_owned();
    let (_, second) = app.get(&format!("/api/v1/clients/{client}?limit=2&cursor={cursor}"), &app.a.owner).await;
    let cursor = second["next_cursor"].as_str().unwrap().to_owned();
    let (_, third) = app.get(&format!("/api/v1/clients/{client}?limit=2&cursor={cursor}"), &app.a.owner).await;
    assert_eq!(third["next_cursor"], Value::Null);
    let paged: Vec<i64> = [&first, &second, &third].iter().flat_map(|p| ids(p)).collect();
    assert_eq!(paged, ids(&whole), "no session twice, none missing");
    let (s, e) = app.get(&format!("/api/v1/clients/{client}?cursor=yesterday"), &app.a.owner).await;
    assert_eq!((s, error_field(&e)), (StatusCode::UNPROCESSABLE_ENTITY, Some("cursor")));
    let (s, e) = app.get(&format!("/api/v1/clients/{client}?limit=500"), &app.a.owner).await;
    assert_eq!((s, error_field(&e)), (StatusCode::UNPROCESSABLE_ENTITY, Some("limit")));
}

async fn fifty_emergency_answers_through_one_link_make_one_alert_and_one_notice_per_channel<S: Store>(app: App<S>) {
    let clinic = app.store.clinics().await.unwrap().remove(0);
    app.store.set_alert_to(clinic.id, Some("+447700900123")).await.unwrap();
    let (client, session) = app.session(&app.a.therapist, json!({"first_massage": false}), leg_session()).await;
    let link = session["follow_ups"][0]["check_in_url"].as_str().unwrap().to_owned();
    app.advance_hours(3.0);
    let mut sends = Vec::new();
    for _ in 0..50 {
        let (http, link) = (app.http.clone(), link.clone());
        sends.push(tokio::spawn(async move {
            let body = json!({"soreness": 3, "symptoms": ["breathlessness", "chest_pain"]});
            http.post(link).json(&body).send().await.unwrap().status()
        }));
    }
    for s in sends {
        assert_eq!(s.await.unwrap(), StatusCode::OK, "every answer is taken");
    }
    let (_, shown) = app.get(&format!("/api/v1/clients/{client}"), &app.a.owner).await;
    assert_eq!(shown["sessions"][0]["check_ins"].as_array().unwrap().len(), 50, "every answer is stored");
    let (_, alerts) = app.get("/api/v1/alerts?status=all", &app.a.owner).await;
    let alerts = alerts["alerts"].as_array().unwrap();
    assert_eq!(alerts.len(), 1, "one alert for the link");
    assert_eq!(alerts[0]["level"], "emergency");
    let notices: Vec<store::Message> = app
        .store
        .messages(clinic.id, None, 1000)
        .await
        .unwrap()
        .into_iter()
        .filter(|m| m.kind == store::MessageKind::Alert)
        .collect();
    let mut recipients: Vec<store::Recipient> = notices.iter().map(|m| m.recipient).collect();
    recipients.sort_by_key(|r| format!("{r:?}"));
    assert_eq!(notices.len(), 2, "one notice per channel: {recipients:?}");
    assert!(recipients.contains(&store::Recipient::Clinic), "the clinic's alert number is told once");
}

#[tokio::test]
async fn hundreds_of_idle_connections_neither_starve_check_ins_nor_stay_open() {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let limits = web::serve::Limits {
        max_connections: 100,
        header_timeout: std::time::Duration::from_secs(1),
        request_timeout: std::time::Duration::from_secs(2),
        shutdown_grace: std::time::Duration::from_secs(1),
    };
    let app = spawn_app_with(limits).await;
    let (_, session) = app.session(&app.a.therapist, json!({"first_massage": false}), leg_session()).await;
    let link = session["follow_ups"][0]["check_in_url"].as_str().unwrap().to_owned();
    let addr = app.base.trim_start_matches("http://").to_owned();
    // Three hundred connections that send nothing, or half a request head and then nothing.
    let mut idle = Vec::new();
    for i in 0..300 {
        let mut s = tokio::net::TcpStream::connect(&addr).await.unwrap();
        if i % 2 == 1 {
            s.write_all(b"GET /healthz HTTP/1.1\r\nHost: x\r\n").await.unwrap();
        }
        idle.push(s);
    }
    // A client's check-in still gets its answer: idle connections lose their place.
    let fresh = reqwest::Client::new();
    let body = json!({"soreness": 3, "symptoms": []});
    let answer = tokio::time::timeout(std::time::Duration::from_secs(20), fresh.post(&link).json(&body).send())
        .await
        .expect("the check-in is answered while the idle connections wait")
        .unwrap();
    assert_eq!(answer.status(), StatusCode::OK);
    // And the server has closed every idle connection.
    for mut s in idle {
        let mut rest = Vec::new();
        let closed = tokio::time::timeout(std::time::Duration::from_secs(20), s.read_to_end(&mut rest)).await;
        assert!(closed.is_ok(), "an idle connection is closed by the server");
    }
    // A body sent too slowly answers 408 rather than holding its connection.
    let mut slow = tokio::net::TcpStream::connect(&addr).await.unwrap();
    let head = format!(
        "POST {} HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 40\r\n\r\n{{\"sore",
        link.trim_start_matches(&app.base)
    );
    slow.write_all(head.as_bytes()).await.unwrap();
    let mut answer = Vec::new();
    tokio::time::timeout(std::time::Duration::from_secs(20), slow.read_to_end(&mut answer)).await.unwrap().unwrap();
    let answer = String::from_utf8_lossy(&answer);
    assert!(answer.starts_with("HTTP/1.1 408"), "{answer}");
}

async fn one_alert_acknowledged_ten_times_at_once_answers_one_200_and_nine_409s<S: Store>(app: App<S>) {
    let (_, session) = app.session(&app.a.therapist, json!({"first_massage": false}), leg_session()).await;
    let link = session["follow_ups"][0]["check_in_url"].as_str().unwrap().to_owned();
    app.call(Method::POST, &link, None, Some(json!({"soreness": 4, "symptoms": ["one_leg_swelling"]}))).await;
    let (_, alerts) = app.get("/api/v1/alerts", &app.a.owner).await;
    let id = alerts["alerts"][0]["id"].as_i64().unwrap();
    // The same staff member, the same millisecond (the test clock stands still).
    let mut acks = Vec::new();
    for i in 0..10 {
        let (http, url, token) =
            (app.http.clone(), format!("{}/api/v1/alerts/{id}/acknowledge", app.base), app.a.owner.clone());
        acks.push(tokio::spawn(async move {
            http.post(url).bearer_auth(token).json(&json!({"note": format!("call {i}")})).send().await.unwrap().status()
        }));
    }
    let mut statuses = Vec::new();
    for a in acks {
        statuses.push(a.await.unwrap());
    }
    assert_eq!(statuses.iter().filter(|s| **s == StatusCode::OK).count(), 1, "{statuses:?}");
    assert_eq!(statuses.iter().filter(|s| **s == StatusCode::CONFLICT).count(), 9, "{statuses:?}");
}

#[tokio::test]
async fn the_frameworks_own_rejections_under_the_api_are_json_errors_too() {
    let app = spawn_app().await;
    let token = Some(app.a.owner.as_str());
    let huge = json!({"name": "x".repeat(100_000)});
    let cases: [(Method, &str, Option<Value>, StatusCode); 5] = [
        (Method::GET, "/api/v1/sessions", None, StatusCode::METHOD_NOT_ALLOWED),
        (Method::GET, "/api/v1/nothing-here", None, StatusCode::NOT_FOUND),
        (Method::DELETE, "/api/v1/clients/1", None, StatusCode::METHOD_NOT_ALLOWED),
        (Method::GET, "/api/v1/alerts?status=open&status=all", None, StatusCode::BAD_REQUEST),
        (Method::POST, "/api/v1/clients", Some(huge), StatusCode::PAYLOAD_TOO_LARGE),
    ];
    for (method, path, body, status) in cases {
        let (s, e) = app.call(method.clone(), path, token, body).await;
        assert_eq!(s, status, "{method} {path}: {e}");
        assert!(e["error"]["code"].is_string() && e["error"]["message"].is_string(), "{method} {path}: {e}");
    }
}

#[tokio::test]
async fn an_address_hidden_behind_a_display_name_is_refused() {
    let app = spawn_app().await;
    for email in ["a<x@evil.example>", "Ada <ada@example.com>", "ada@example.com (Ada)"] {
        let (s, e) = app.post("/api/v1/clients", &app.a.owner, json!({"name": "Ada", "email": email})).await;
        assert_eq!((s, error_field(&e)), (StatusCode::UNPROCESSABLE_ENTITY, Some("email")), "{email}: {e}");
    }
}

async fn an_api_token_stops_working_after_ninety_days<S: Store>(app: App<S>) {
    let (s, _) = app.get("/api/v1/alerts", &app.a.owner).await;
    assert_eq!(s, StatusCode::OK);
    app.advance_hours(24.0 * 90.0 - 1.0);
    let (s, _) = app.get("/api/v1/alerts", &app.a.owner).await;
    assert_eq!(s, StatusCode::OK, "it works to its last hour");
    app.advance_hours(1.0);
    let (s, e) = app.get("/api/v1/alerts", &app.a.owner).await;
    assert_eq!((s, e["error"]["code"].as_str()), (StatusCode::UNAUTHORIZED, Some("unauthorized")));
}

// ----- Care policy v1.2: every channel asks the same questions, and no answer is lost -----

/// A check-in link of a fresh deep-tissue session on the legs, 24 h later.
async fn link_of<S: Store>(app: &App<S>, intake: Value, session: Value) -> (i64, String) {
    let (client, session) = app.session(&app.a.therapist, intake, session).await;
    app.advance_hours(24.0);
    (client, session["follow_ups"][0]["check_in_url"].as_str().unwrap().to_owned())
}

fn rules_of(answer: &Value) -> Vec<String> {
    answer["fired"].as_array().unwrap().iter().map(|f| f["rule"].as_str().unwrap().to_owned()).collect()
}

#[tokio::test]
async fn json_headache_without_a_follow_up_answer_is_an_emergency() {
    let app = spawn_app().await;
    let (_, link) = link_of(&app, json!({"first_massage": false}), leg_session()).await;
    let (s, answer) = app.call(Method::POST, &link, None, Some(json!({"soreness": 2, "symptoms": ["headache"]}))).await;
    assert_eq!(s, StatusCode::OK, "{answer}");
    assert_eq!(answer["level"], "emergency", "a headache with its question unanswered reads as sudden and severe");
    assert!(rules_of(&answer).contains(&"E-stroke".to_owned()), "{answer}");
    let (s, answer) = app
        .call(
            Method::POST,
            &link,
            None,
            Some(json!({"soreness": 2, "symptoms": [], "follow_ups": {"headache": "yes"}})),
        )
        .await;
    assert_eq!((s, answer["level"].as_str()), (StatusCode::OK, Some("emergency")), "a yes counts even unticked");
}

#[tokio::test]
async fn json_headache_with_no_to_the_follow_up_is_therapist() {
    let app = spawn_app().await;
    let (_, link) = link_of(&app, json!({"first_massage": false}), leg_session()).await;
    let body = json!({"soreness": 2, "symptoms": ["headache"], "follow_ups": {"headache": "no"}});
    let (s, answer) = app.call(Method::POST, &link, None, Some(body)).await;
    assert_eq!(s, StatusCode::OK, "{answer}");
    assert_eq!(answer["level"], "therapist");
    assert_eq!(rules_of(&answer), vec!["T-symptom"]);
    // Dizziness: "yes, only on standing" records light-headedness instead.
    let body = json!({"soreness": 2, "symptoms": ["dizziness"], "follow_ups": {"dizziness": "yes"}});
    let (_, answer) = app.call(Method::POST, &link, None, Some(body)).await;
    assert_eq!(answer["level"], "therapist", "{answer}");
    // A follow-up answer that is not yes or no, or for a symptom without a question, is named.
    let body = json!({"soreness": 2, "symptoms": ["headache"], "follow_ups": {"headache": "maybe"}});
    let (s, e) = app.call(Method::POST, &link, None, Some(body)).await;
    assert_eq!((s, error_field(&e)), (StatusCode::UNPROCESSABLE_ENTITY, Some("follow_ups.headache")), "{e}");
    let body = json!({"soreness": 2, "symptoms": [], "follow_ups": {"tiredness": "yes"}});
    let (s, e) = app.call(Method::POST, &link, None, Some(body)).await;
    assert_eq!((s, error_field(&e)), (StatusCode::UNPROCESSABLE_ENTITY, Some("follow_ups.tiredness")), "{e}");
}

#[tokio::test]
async fn a_note_about_chest_pain_is_flagged_and_alerts_staff() {
    let app = spawn_app().await;
    let (client, link) = link_of(&app, json!({"first_massage": false}), leg_session()).await;
    let body = json!({"soreness": 2, "symptoms": [], "note": "Crushing chest pain, can't breathe"});
    let (s, answer) = app.call(Method::POST, &link, None, Some(body)).await;
    assert_eq!(s, StatusCode::OK, "{answer}");
    assert_eq!(answer["level"], "self_care", "the note never sets the level");
    let flags: Vec<(&str, &str)> = answer["note_flags"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| (f["code"].as_str().unwrap(), f["phrase"].as_str().unwrap()))
        .collect();
    assert_eq!(flags, vec![("breathlessness", "can't breathe"), ("chest_pain", "chest pain")]);
    assert!(answer["note_flags"][0]["text"].as_str().unwrap().contains("If this is happening now: Call 999 now"));
    assert_eq!(answer["staff_told"], true);
    // Staff are alerted at once, with the note.
    let (_, alerts) = app.get("/api/v1/alerts?status=open", &app.a.owner).await;
    let alerts = alerts["alerts"].as_array().unwrap().clone();
    assert_eq!(alerts.len(), 1, "{alerts:?}");
    assert_eq!(alerts[0]["client"]["id"], client);
    assert_eq!(alerts[0]["check_in"]["report"]["note"], "Crushing chest pain, can't breathe");
    assert_eq!(alerts[0]["check_in"]["report"]["note_flags"][0]["code"], "breathlessness");
}

#[tokio::test]
async fn a_temperature_of_33_5_is_an_emergency() {
    let app = spawn_app().await;
    let (_, link) = link_of(&app, json!({"first_massage": false}), leg_session()).await;
    let (s, answer) =
        app.call(Method::POST, &link, None, Some(json!({"soreness": 1, "symptoms": [], "temperature_c": 33.5}))).await;
    assert_eq!(s, StatusCode::OK, "{answer}");
    assert_eq!(answer["level"], "emergency");
    assert!(rules_of(&answer).contains(&"E-low-temperature".to_owned()), "{answer}");
}

fn infant_session(birth: Option<&str>) -> Value {
    let mut s = json!({"massage_type": "infant", "pressure": "light", "areas": ["abdomen"]});
    if let Some(b) = birth {
        s["baby_birth_date"] = json!(b);
    }
    s
}

#[tokio::test]
async fn an_infant_session_without_a_birth_date_is_refused() {
    let app = spawn_app().await;
    let id = app.new_client(&app.a.therapist).await;
    // The clock stands at 2026-11-27.
    for (birth, problem) in [
        (None, "is required"),
        (Some("2026-12-01"), "in the future"),
        (Some("2023-11-27"), "36 months"),
        (Some("27/10/2026"), "YYYY-MM-DD"),
    ] {
        let mut body = infant_session(birth);
        body["client_id"] = json!(id);
        let (s, e) = app.post("/api/v1/sessions", &app.a.therapist, body).await;
        assert_eq!((s, error_field(&e)), (StatusCode::UNPROCESSABLE_ENTITY, Some("baby_birth_date")), "{e}");
        assert!(e["error"]["message"].as_str().unwrap().contains(problem), "{e}");
    }
    let mut adult = leg_session();
    adult["client_id"] = json!(id);
    adult["baby_birth_date"] = json!("2026-10-01");
    let (s, e) = app.post("/api/v1/sessions", &app.a.therapist, adult).await;
    assert_eq!((s, error_field(&e)), (StatusCode::UNPROCESSABLE_ENTITY, Some("baby_birth_date")), "{e}");
    let mut body = infant_session(Some("2023-11-28"));
    body["client_id"] = json!(id);
    let (s, ok) = app.post("/api/v1/sessions", &app.a.therapist, body).await;
    assert_eq!(s, StatusCode::CREATED, "35 months is still a baby: {ok}");
}

#[tokio::test]
async fn a_five_week_old_who_feels_feverish_is_an_emergency() {
    let app = spawn_app().await;
    // Born 2026-10-23: five weeks old on 2026-11-28, when the check-in comes; the client's
    // own record (the parent) is an adult.
    let (_, link) = link_of(&app, json!({"first_massage": false}), infant_session(Some("2026-10-23"))).await;
    let (s, answer) =
        app.call(Method::POST, &link, None, Some(json!({"soreness": 0, "symptoms": ["feels_feverish"]}))).await;
    assert_eq!(s, StatusCode::OK, "{answer}");
    assert_eq!(answer["level"], "emergency", "{answer}");
    assert!(rules_of(&answer).contains(&"E-infant-fever".to_owned()));
    assert_eq!(answer["instruction"], "Call 999 now, or take your baby to an emergency department now.");
    // Six months old: feeling hot is for the therapist, not an emergency.
    let app = spawn_app().await;
    let (_, link) = link_of(&app, json!({"first_massage": false}), infant_session(Some("2026-05-20"))).await;
    let (_, answer) =
        app.call(Method::POST, &link, None, Some(json!({"soreness": 0, "symptoms": ["feels_feverish"]}))).await;
    assert_eq!(answer["level"], "therapist", "{answer}");
}

async fn a_refused_answer_is_stored_and_alerts_the_clinic<S: Store>(app: App<S>) {
    let (client, link) = link_of(&app, json!({"first_massage": false}), leg_session()).await;
    let body = json!({"soreness": 4, "symptoms": ["tenderness"], "temperature_c": 50, "note": "hot and cold"});
    let (s, e) = app.call(Method::POST, &link, None, Some(body)).await;
    assert_eq!((s, error_field(&e)), (StatusCode::UNPROCESSABLE_ENTITY, Some("temperature_c")), "{e}");
    let message = e["error"]["message"].as_str().unwrap();
    assert!(message.contains("Your answer was kept and your clinic has been told"), "{message}");
    assert!(message.contains("call 999 now"), "{message}");
    // Stored as sent, not triaged, and the clinic alerted at level therapist.
    let (_, alerts) = app.get("/api/v1/alerts?status=open", &app.a.owner).await;
    let alerts = alerts["alerts"].as_array().unwrap().clone();
    assert_eq!(alerts.len(), 1, "{alerts:?}");
    assert_eq!(alerts[0]["level"], "therapist");
    assert_eq!(alerts[0]["client"]["id"], client);
    assert_eq!(alerts[0]["check_in"]["report"]["temperature_c"], 50);
    assert_eq!(alerts[0]["check_in"]["report"]["note"], "hot and cold");
    // An incomplete answer (no symptoms list) is refused without being kept.
    let (s, _) = app.call(Method::POST, &link, None, Some(json!({"soreness": 2}))).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    let (_, shown) = app.get(&format!("/api/v1/clients/{client}"), &app.a.owner).await;
    assert_eq!(shown["sessions"][0]["check_ins"].as_array().unwrap().len(), 1, "{shown}");
}

#[tokio::test]
async fn a_doctor_group_sign_in_the_note_goes_to_the_therapists_digest() {
    let app = spawn_app().await;
    let (_, link) = link_of(&app, json!({"first_massage": false}), leg_session()).await;
    let body = json!({"soreness": 2, "symptoms": [], "note": "I think I have a fever"});
    let (_, answer) = app.call(Method::POST, &link, None, Some(body)).await;
    assert_eq!(answer["level"], "self_care");
    assert_eq!(answer["note_flags"][0]["code"], "fever");
    assert_eq!((answer["staff_told"].as_bool(), answer["staff_told_at_once"].as_bool()), (Some(true), Some(false)));
    let (_, alerts) = app.get("/api/v1/alerts?status=open", &app.a.owner).await;
    assert_eq!(alerts["alerts"][0]["level"], "therapist", "an alert the therapist reads in the digest: {alerts}");
    // An emergency-group sign is told at once.
    let body = json!({"soreness": 2, "symptoms": [], "note": "I fainted this morning"});
    let (_, answer) = app.call(Method::POST, &link, None, Some(body)).await;
    assert_eq!(answer["staff_told_at_once"], true);
}

#[tokio::test]
async fn a_client_with_no_intake_still_gets_the_warning_signs_and_each_clinic_its_own_number() {
    let app = spawn_app().await;
    // No intake on record: the session is recorded straight away.
    let client = app.new_client(&app.a.therapist).await;
    let mut session = leg_session();
    session["client_id"] = json!(client);
    let (s, recorded) = app.post("/api/v1/sessions", &app.a.therapist, session.clone()).await;
    assert_eq!(s, StatusCode::CREATED, "{recorded}");
    let link = recorded["follow_ups"][0]["check_in_url"].as_str().unwrap().to_owned();
    // Clinic B is in the United States.
    let other = app.new_client(&app.b.therapist).await;
    session["client_id"] = json!(other);
    let (_, theirs) = app.post("/api/v1/sessions", &app.b.therapist, session).await;
    let their_link = theirs["follow_ups"][0]["check_in_url"].as_str().unwrap().to_owned();
    app.advance_hours(24.0);
    let calm = json!({"soreness": 1, "symptoms": []});
    let (_, answer) = app.call(Method::POST, &link, None, Some(calm.clone())).await;
    assert_eq!(answer["level"], "self_care");
    assert!(answer["red_flags"].as_array().unwrap().len() >= 10, "every warning sign: {answer}");
    assert_eq!(answer["emergency_number"], "999");
    let (_, answer) = app.call(Method::POST, &their_link, None, Some(calm)).await;
    assert_eq!(answer["emergency_number"], "911", "each clinic's own country");
    let (_, page) = crate::pages::get_html(&app, &their_link).await;
    assert!(page.contains("href=\"tel:911\"") && !page.contains("tel:999"), "and on its pages");
}
