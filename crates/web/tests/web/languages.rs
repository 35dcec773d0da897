//! The client's language over HTTP: the API and the staff form record it, `?lang=`, the
//! client's record and the browser's `Accept-Language` choose a page's language in that
//! order, an answer given in a language makes it the client's, and messages go in it.

use crate::api::leg_session;
use crate::harness::*;
use care::knowledge::locale::{Languages, Locale};
use reqwest::StatusCode;
use serde_json::{Value, json};
use std::sync::{Arc, OnceLock};
use store::Store;

// The client's language, on both storage backends.
on_both_backends!(
    the_api_records_a_clients_language_and_refuses_one_it_does_not_speak,
    the_page_language_is_the_links_then_the_clients_then_the_browsers,
    an_answer_in_spanish_is_answered_in_spanish_and_makes_it_the_clients_language,
    a_spanish_note_is_flagged_and_asked_about,
    messages_go_in_the_clients_language,
);

fn languages() -> &'static Languages {
    static L: OnceLock<Languages> = OnceLock::new();
    L.get_or_init(|| Languages::shipped().unwrap())
}

fn spanish() -> &'static Arc<Locale> {
    languages().get("es").unwrap()
}

/// A client (with `language` when given), an intake and a session; (client id, check-in link).
async fn client_with_link<S: Store>(app: &App<S>, language: Option<&str>) -> (i64, String) {
    let mut body = json!({"name": "Rosa García", "email": "rosa@example.com"});
    if let Some(l) = language {
        body["language"] = json!(l);
    }
    let (s, client) = app.post("/api/v1/clients", &app.a.therapist, body).await;
    assert_eq!(s, StatusCode::CREATED, "{client}");
    let id = client["id"].as_i64().unwrap();
    assert_eq!(client["language"], language.map_or(Value::Null, |l| json!(l)));
    let (s, b) =
        app.post(&format!("/api/v1/clients/{id}/intake"), &app.a.therapist, json!({"first_massage": false})).await;
    assert_eq!(s, StatusCode::OK, "{b}");
    let mut session = leg_session();
    session["client_id"] = json!(id);
    let (s, b) = app.post("/api/v1/sessions", &app.a.therapist, session).await;
    assert_eq!(s, StatusCode::CREATED, "{b}");
    (id, b["follow_ups"][0]["check_in_url"].as_str().unwrap().to_owned())
}

async fn page<S: Store>(app: &App<S>, url: &str, accept_language: Option<&str>) -> String {
    let mut request = app.http.get(url);
    if let Some(a) = accept_language {
        request = request.header("accept-language", a);
    }
    let resp = request.send().await.unwrap();
    assert_eq!(resp.status(), StatusCode::OK);
    resp.text().await.unwrap()
}

fn lang_of(html: &str) -> &str {
    let rest = &html[html.find("<html lang=\"").expect("an html element with lang") + 12..];
    &rest[..rest.find('"').unwrap()]
}

async fn the_api_records_a_clients_language_and_refuses_one_it_does_not_speak<S: Store>(app: App<S>) {
    let (id, _) = client_with_link(&app, Some("es")).await;
    let (s, record) = app.get(&format!("/api/v1/clients/{id}"), &app.a.therapist).await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(record["language"], "es");
    let (s, body) =
        app.post("/api/v1/clients", &app.a.therapist, json!({"name": "Jean Dupont", "language": "fr"})).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(body["error"]["field"], "language");
    assert!(body["error"]["message"].as_str().unwrap().contains("en, es"), "{body}");
}

async fn the_page_language_is_the_links_then_the_clients_then_the_browsers<S: Store>(app: App<S>) {
    let (_, unknown) = client_with_link(&app, None).await;
    assert_eq!(lang_of(&page(&app, &unknown, None).await), "en");
    assert_eq!(lang_of(&page(&app, &unknown, Some("es-MX,es;q=0.9,en;q=0.5")).await), "es");
    assert_eq!(lang_of(&page(&app, &unknown, Some("fr-FR,de")).await), "en");
    assert_eq!(lang_of(&page(&app, &format!("{unknown}?lang=en"), Some("es")).await), "en");
    assert_eq!(lang_of(&page(&app, &format!("{unknown}?lang=xx"), Some("es")).await), "es");

    let (_, english) = client_with_link(&app, Some("en")).await;
    assert_eq!(lang_of(&page(&app, &english, Some("es")).await), "en", "the record wins over the browser");
    let (_, spanish_link) = client_with_link(&app, Some("es")).await;
    let html = page(&app, &spanish_link, None).await;
    assert_eq!(lang_of(&html), "es");
    for key in ["check_in_heading", "send_answers", "warning_heading", "none_of_these"] {
        assert!(html.contains(spanish().word(key)), "{key}");
    }
    let kb = &spanish().knowledge;
    assert!(html.contains(&kb.triage.disclaimer), "the disclaimer in Spanish");
    assert!(html.contains(&kb.vocabulary.symptoms.by_code("chest_pain").unwrap().label), "the knowledge's labels");
    // The switch offers every language, each named in itself.
    assert!(html.contains(r#"<a href="?lang=en" lang="en" hreflang="en">English</a>"#));
    assert!(html.contains(r#"<span lang="es" aria-current="true">Español</span>"#));
    // Its plan and "why am I sore?" follow.
    let plan = page(&app, &format!("{spanish_link}/plan"), None).await;
    assert_eq!(lang_of(&plan), "es");
    assert!(plan.contains(spanish().word("plan_title")));
    assert_eq!(lang_of(&page(&app, &format!("{}/why-sore?lang=es", app.base), None).await), "es");
}

async fn an_answer_in_spanish_is_answered_in_spanish_and_makes_it_the_clients_language<S: Store>(app: App<S>) {
    let (id, link) = client_with_link(&app, None).await;
    let resp = app
        .http
        .post(format!("{link}?lang=es"))
        .header("content-type", "application/x-www-form-urlencoded")
        .body("soreness=3&none=emergency&none=doctor&none=therapist")
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::OK);
    let html = resp.text().await.unwrap();
    assert_eq!(lang_of(&html), "es");
    let kb = &spanish().knowledge;
    assert!(html.contains(&kb.triage.level(care::Level::SelfCare).label), "the level in Spanish");
    assert!(html.contains(spanish().word("saved")));
    let (_, record) = app.get(&format!("/api/v1/clients/{id}"), &app.a.therapist).await;
    assert_eq!(record["language"], "es", "later messages go in the language of the answer");

    // A form refused in Spanish names the problem in Spanish.
    let resp = app
        .http
        .post(format!("{link}?lang=es"))
        .header("content-type", "application/x-www-form-urlencoded")
        .body("none=emergency")
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = resp.text().await.unwrap();
    assert!(html.contains(spanish().word("errors_title")));
    assert!(html.contains(spanish().word("error_soreness")));
}

async fn a_spanish_note_is_flagged_and_asked_about<S: Store>(app: App<S>) {
    let (_, link) = client_with_link(&app, Some("es")).await;
    let resp = app
        .http
        .post(&link)
        .header("content-type", "application/x-www-form-urlencoded")
        .body("soreness=3&none=emergency&none=doctor&none=therapist&note=Me+duele+desde+ayer%2C+no+puedo+respirar+bien")
        .send()
        .await
        .unwrap();
    let html = resp.text().await.unwrap();
    assert!(html.contains(spanish().word("note_check_legend")), "the note's warning sign is asked about");
    assert!(html.contains("note-yes-breathlessness"), "as the breathing sign");
}

async fn messages_go_in_the_clients_language<S: Store>(app: App<S>) {
    client_with_link(&app, Some("es")).await;
    let files = send_due_to_files(&app).await;
    let plan = files.iter().find(|(name, _)| name.ends_with(".eml")).map(|(_, t)| t).expect("the plan's e-mail");
    assert!(plan.contains("Content-Language: es") || plan.contains(r#"<html lang="es">"#), "{plan}");
    assert!(plan.contains("Hola, Rosa"), "{plan}");
    assert!(!plan.contains("Hello Rosa"), "{plan}");
}
