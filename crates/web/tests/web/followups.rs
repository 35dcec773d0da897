//! The app's part of the follow-ups: what recording a session and answering a check-in put
//! in the outbox (in the same transaction), the extra check-ins of care policy section 6, the
//! alerts that reach staff, and the client's and the staff's ways to stop messages.

use crate::api::leg_session;
use crate::harness::*;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use store::{ClientId, Message, MessageKind, MessageStatus, Recipient, SessionId, Store, Timestamp};

// The outbox, the extra check-ins and the ways to stop messages, on both storage backends.
on_both_backends!(
    recording_a_session_puts_its_plan_check_ins_and_reminders_in_the_outbox,
    a_sore_48_h_answer_adds_a_96_h_check_in_and_a_lasting_one_adds_day_7,
    an_easing_48_h_answer_adds_no_check_in,
    a_doctor_level_answer_tells_the_therapist_and_the_alert_address_at_once,
    a_client_stops_messages_from_the_link_in_any_message_even_after_it_expired,
);

fn token_of(url: &str) -> String {
    url.rsplit('/').next().unwrap().to_owned()
}

async fn messages<S: Store>(app: &App<S>) -> Vec<Message> {
    let mut all = Vec::new();
    for c in app.store.clinics().await.unwrap() {
        all.extend(app.store.messages(c.id, None, 1000).await.unwrap());
    }
    all
}

fn calm_intake() -> Value {
    json!({"goals": ["relaxation"], "first_massage": false})
}

fn answer(soreness: u8, trend: &str, symptoms: &[&str]) -> Value {
    json!({"soreness": soreness, "trend": trend, "symptoms": symptoms})
}

async fn recording_a_session_puts_its_plan_check_ins_and_reminders_in_the_outbox<S: Store>(app: App<S>) {
    let (_, session) = app.session(&app.a.therapist, calm_intake(), leg_session()).await;
    let links: Vec<String> = session["follow_ups"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| token_of(f["check_in_url"].as_str().unwrap()))
        .collect();
    let all = messages(&app).await;
    let kinds: Vec<(MessageKind, i64)> = all.iter().map(|m| (m.kind, (m.next_attempt.0 - T0) / 3_600_000)).collect();
    // 09:00 in London: the plan now, the check-ins at 24 h and 48 h, each reminder 8 h later.
    assert_eq!(
        kinds,
        vec![
            (MessageKind::Plan, 0),
            (MessageKind::CheckIn, 24),
            (MessageKind::Reminder, 32),
            (MessageKind::CheckIn, 48),
            (MessageKind::Reminder, 56)
        ]
    );
    assert!(all.iter().all(|m| m.status == MessageStatus::Pending && m.recipient == Recipient::Client));
    assert_eq!(
        all[0].link_token.as_ref().map(|t| t.expose().as_str()),
        Some(links[0].as_str()),
        "the plan carries the first link"
    );
    assert_eq!(all[3].link_token.as_ref().map(|t| t.expose().as_str()), Some(links[1].as_str()));
    // The API shows each follow-up's messages and where they stand.
    let client_id = session["client_id"].as_i64().unwrap();
    let (_, client) = app.get(&format!("/api/v1/clients/{client_id}"), &app.a.therapist).await;
    let first = &client["sessions"][0]["follow_ups"][0];
    assert_eq!(first["offset_hours"], 24);
    let kinds: Vec<&str> = first["messages"].as_array().unwrap().iter().map(|m| m["kind"].as_str().unwrap()).collect();
    assert_eq!(kinds, vec!["plan", "check_in", "reminder"]);
    assert_eq!(first["messages"][0]["status"], "pending");
    assert_eq!(client["opted_out_at"], Value::Null);
}

async fn a_sore_48_h_answer_adds_a_96_h_check_in_and_a_lasting_one_adds_day_7<S: Store>(app: App<S>) {
    let (_, session) = app.session(&app.a.therapist, calm_intake(), leg_session()).await;
    let link48 = session["follow_ups"][1]["check_in_url"].as_str().unwrap().to_owned();
    app.advance_hours(49.0);
    let (s, r) = app.call(Method::POST, &link48, None, Some(answer(3, "same", &[]))).await;
    assert_eq!(s, StatusCode::OK, "{r}");
    let session_id = session["id"].as_i64().unwrap();
    let clinic_id = app.store.clinics().await.unwrap()[0].id;
    let follow_ups = app.store.follow_ups_of_session(clinic_id, SessionId(session_id)).await.unwrap();
    let hours: Vec<i64> = follow_ups.iter().map(|f| f.offset_hours).collect();
    assert_eq!(hours, vec![24, 48, 96], "soreness 3 at 48 h: one more at 96 h");
    let extra = app.store.messages_of_follow_up(clinic_id, follow_ups[2].id).await.unwrap();
    assert_eq!(extra.iter().map(|m| m.kind).collect::<Vec<_>>(), vec![MessageKind::CheckIn, MessageKind::Reminder]);
    assert_eq!(extra[0].next_attempt, Timestamp(T0).plus_hours(96), "09:00 + 96 h is inside the window");
    // The client answers it through the link in that message: still sore and not better.
    let token = extra[0].link_token.clone().unwrap().into_inner();
    app.advance_hours(47.5);
    let (s, r) = app.call(Method::POST, &format!("/c/{token}"), None, Some(answer(4, "same", &[]))).await;
    assert_eq!(s, StatusCode::OK, "{r}");
    let hours: Vec<i64> = app
        .store
        .follow_ups_of_session(clinic_id, SessionId(session_id))
        .await
        .unwrap()
        .iter()
        .map(|f| f.offset_hours)
        .collect();
    assert_eq!(hours, vec![24, 48, 96, 168], "excess 4, not better: one more at day 7");
    // Answering again adds nothing twice.
    let (s, _) = app.call(Method::POST, &format!("/c/{token}"), None, Some(answer(4, "worse", &[]))).await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(app.store.follow_ups_of_session(clinic_id, SessionId(session_id)).await.unwrap().len(), 4);
}

async fn an_easing_48_h_answer_adds_no_check_in<S: Store>(app: App<S>) {
    let (_, session) = app.session(&app.a.therapist, calm_intake(), leg_session()).await;
    let link48 = session["follow_ups"][1]["check_in_url"].as_str().unwrap().to_owned();
    app.advance_hours(49.0);
    let (s, _) = app.call(Method::POST, &link48, None, Some(answer(2, "better", &[]))).await;
    assert_eq!(s, StatusCode::OK);
    let clinic_id = app.store.clinics().await.unwrap()[0].id;
    let n = app.store.follow_ups_of_session(clinic_id, SessionId(session["id"].as_i64().unwrap())).await.unwrap().len();
    assert_eq!(n, 2);
    // A sore 24 h answer is not a reason either: the policy looks at 48 h.
    let link24 = session["follow_ups"][0]["check_in_url"].as_str().unwrap().to_owned();
    let (s, _) = app.call(Method::POST, &link24, None, Some(answer(6, "same", &[]))).await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(
        app.store.follow_ups_of_session(clinic_id, SessionId(session["id"].as_i64().unwrap())).await.unwrap().len(),
        2
    );
}

async fn a_doctor_level_answer_tells_the_therapist_and_the_alert_address_at_once<S: Store>(app: App<S>) {
    let clinic = app.store.clinics().await.unwrap().remove(0);
    app.store.set_alert_to(clinic.id, Some("desk@calm.example")).await.unwrap();
    let (_, session) = app.session(&app.a.therapist, calm_intake(), leg_session()).await;
    let link = session["follow_ups"][0]["check_in_url"].as_str().unwrap().to_owned();
    app.advance_hours(14.0); // 23:00 in London
    let (s, r) = app.call(Method::POST, &link, None, Some(answer(5, "worse", &["one_leg_swelling"]))).await;
    assert_eq!((s, r["level"].as_str()), (StatusCode::OK, Some("doctor")), "{r}");
    let now = Timestamp(T0).plus_hours(14);
    let alerts: Vec<Message> = messages(&app).await.into_iter().filter(|m| m.kind == MessageKind::Alert).collect();
    assert_eq!(alerts.len(), 2);
    let therapist = app.store.staff_by_email("ther@calm.example").await.unwrap().unwrap();
    let to: Vec<Recipient> = alerts.iter().map(|m| m.recipient).collect();
    assert_eq!(to, vec![Recipient::Staff(therapist.id), Recipient::Clinic]);
    assert!(alerts.iter().all(|m| m.next_attempt == now && m.alert_id.is_some()), "at once, not at 08:00");

    // A therapist-level answer goes in the next morning's digest instead.
    let (_, other) = app.session(&app.a.therapist, calm_intake(), leg_session()).await;
    let link = other["follow_ups"][0]["check_in_url"].as_str().unwrap().to_owned();
    let (s, r) = app.call(Method::POST, &link, None, Some(answer(7, "same", &[]))).await;
    assert_eq!((s, r["level"].as_str()), (StatusCode::OK, Some("therapist")), "{r}");
    let digests: Vec<Message> = messages(&app).await.into_iter().filter(|m| m.kind == MessageKind::Digest).collect();
    assert_eq!(digests.len(), 1);
    assert_eq!(digests[0].next_attempt, Timestamp(T0).plus_hours(23), "08:00 the next day");
}

async fn a_client_stops_messages_from_the_link_in_any_message_even_after_it_expired<S: Store>(app: App<S>) {
    let (client_id, session) = app.session(&app.a.therapist, calm_intake(), leg_session()).await;
    let token = token_of(session["follow_ups"][0]["check_in_url"].as_str().unwrap());
    app.advance_hours(24.0 * 30.0);
    // Looking at the page changes nothing (mail scanners follow links).
    let (s, page) = app.call(Method::GET, &format!("/u/{token}"), None, None).await;
    assert_eq!(s, StatusCode::OK);
    let page = page.as_str().unwrap().to_owned();
    assert!(page.contains("Stop messages from Calm?") && page.contains("does not diagnose"), "{page}");
    let clinic_id = app.store.clinics().await.unwrap()[0].id;
    assert_eq!(app.store.client(clinic_id, ClientId(client_id)).await.unwrap().unwrap().opted_out_at, None);
    // The one-click POST of a mail program, or the page's button.
    let r = app
        .http
        .post(format!("{}/u/{token}", app.base))
        .header("Content-Type", "application/x-www-form-urlencoded")
        .body("List-Unsubscribe=One-Click")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    assert!(r.text().await.unwrap().contains("Messages stopped"));
    let stopped = app.store.client(clinic_id, ClientId(client_id)).await.unwrap().unwrap().opted_out_at;
    assert_eq!(stopped, Some(app.clock.now_for_tests()));
    let (s, _) = app.call(Method::POST, &format!("/u/{}", "ab".repeat(32)), None, None).await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    let (s, _) = app.call(Method::GET, "/u/not-a-token", None, None).await;
    assert_eq!(s, StatusCode::NOT_FOUND);
}
