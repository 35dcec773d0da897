//! What a client receives comes from their clinic: e-mails in the clinic's name with replies
//! to its address, a button and a short link, a titled HTML part; the clinic's phone as a
//! call link on every client page and at "tell your therapist"; a printed plan that says
//! whose it is, with a QR code of the check-in link.

use crate::api::leg_session;
use crate::harness::*;
use crate::staff_pages::sign_in;
use reqwest::StatusCode;
use serde_json::json;
use store::Store;

// What a client receives, on both storage backends.
on_both_backends!(
    a_clients_messages_come_from_the_clinic_with_a_button_and_a_short_link,
    the_clinics_phone_is_a_call_link_and_the_printed_plan_says_whose_it_is,
);

async fn a_clients_messages_come_from_the_clinic_with_a_button_and_a_short_link<S: Store>(app: App<S>) {
    let owner = sign_in(&app, "owner@calm.example", PASSWORD).await.unwrap();
    let csrf = owner.csrf().await;
    let (s, page) =
        owner.post("/settings/contact", &format!("csrf={csrf}&phone=12&email=care%40calm.example"), None).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(page.contains("Write one such as +44 20 7946 0000"), "{page}");
    let form = format!("csrf={csrf}&phone=%2B44+20+7946+0000&email=care%40calm.example");
    assert_eq!(owner.post("/settings/contact", &form, None).await.0, StatusCode::SEE_OTHER);

    let (_, session) = app.session(&app.a.therapist, json!({"first_massage": false}), leg_session()).await;
    let link = session["follow_ups"][0]["check_in_url"].as_str().unwrap().to_owned();
    let token = link.rsplit('/').next().unwrap();
    assert_eq!(token.len(), 43, "a short link: {link}");
    let plan = send_due_to_files(&app).await;
    let (_, eml) = plan.iter().find(|(name, _)| name.ends_with(".eml")).expect("the plan's e-mail");
    assert!(eml.contains("From: Calm <care@aftercare.example>"), "the clinic's name, the configured address:\n{eml}");
    assert!(eml.contains("Reply-To: care@calm.example"), "{eml}");
    assert!(eml.contains("<title>Your aftercare plan from Calm</title>"), "{eml}");
    assert!(eml.contains("name=\"viewport\""));
    assert!(
        eml.contains(&format!("href=\"{link}/plan\" style=")) && eml.contains(">Read your plan</a>"),
        "a button:\n{eml}"
    );
    assert!(eml.contains("overflow-wrap: anywhere"), "long addresses break rather than overflow");

    // The check-in invitation a day later, and its text message to a client with only a phone.
    let phone_only =
        app.post("/api/v1/clients", &app.a.therapist, json!({"name": "Bo Lee", "phone": "+44 7700 900456"})).await.1;
    let mut sms_session = leg_session();
    sms_session["client_id"] = phone_only["id"].clone();
    app.post("/api/v1/sessions", &app.a.therapist, sms_session).await;
    app.advance_hours(24.0);
    let due = send_due_to_files(&app).await;
    let invitation =
        due.iter().find(|(n, t)| n.ends_with(".eml") && t.contains("Answer the check-in")).expect("the invitation");
    assert!(invitation.1.contains("From: Calm <"));
    let sms: Vec<serde_json::Value> =
        due.iter().filter(|(n, _)| n.ends_with(".json")).map(|(_, t)| serde_json::from_str(t).unwrap()).collect();
    let bodies: Vec<&str> = sms.iter().map(|m| m["body"].as_str().unwrap()).collect();
    let body = bodies.iter().find(|b| b.contains("how are you feeling")).unwrap_or_else(|| panic!("{bodies:?}"));
    let url = body.split_whitespace().find(|w| w.contains("/c/")).unwrap();
    assert_eq!(url.rsplit('/').next().unwrap().trim_end_matches('.').len(), 43, "{body}");
}

async fn the_clinics_phone_is_a_call_link_and_the_printed_plan_says_whose_it_is<S: Store>(app: App<S>) {
    let clinic = app.store.clinics().await.unwrap().remove(0).id;
    app.store.set_clinic_contact(clinic, Some("+44 20 7946 0000"), None).await.unwrap();
    let (_, session) = app.session(&app.a.therapist, json!({"first_massage": false}), leg_session()).await;
    let link = session["follow_ups"][0]["check_in_url"].as_str().unwrap().to_owned();
    let get = |url: String| async move { reqwest::get(url).await.unwrap().text().await.unwrap() };
    let form = get(link.clone()).await;
    assert!(form.contains("href=\"tel:+44 20 7946 0000\""), "on every client page");
    let plan = get(format!("{link}/plan")).await;
    assert!(plan.contains("For Ada Lovelace, from Calm (+44 20 7946 0000)."), "{plan}");
    assert!(plan.contains("<svg") && plan.contains("QR code of your check-in link"));
    assert!(plan.contains("Your check-in is from"));
    // "Tell your therapist" comes with the clinic's number to call.
    app.advance_hours(24.0);
    let body = "soreness=7&none=emergency&none=doctor&none=therapist";
    let result = reqwest::Client::new()
        .post(&link)
        .header(reqwest::header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .body(body)
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(result.contains("id=\"call-clinic\" href=\"tel:+44 20 7946 0000\""), "{result}");
}
