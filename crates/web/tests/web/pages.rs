//! The client pages over HTTP: the check-in form asks what the policy asks, refuses an
//! incomplete form without storing it, applies the follow-up questions and °F, answers with
//! the level and the emergency number, and every page shows the warning signs and says the
//! product does not diagnose. Client links are rate limited.

use crate::api::leg_session;
use crate::harness::*;
use reqwest::{Method, StatusCode};
use serde_json::json;
use store::Store;

// The client's pages, on both storage backends.
on_both_backends!(
    the_check_in_form_asks_serious_signs_first_with_none_of_these_and_labels,
    the_form_asks_the_pregnancy_signs_only_of_whom_they_can_apply_to,
    an_infant_check_in_speaks_of_the_baby_and_asks_what_a_parent_can_see,
    an_incomplete_form_is_refused_and_nothing_is_stored,
    an_emergency_answer_shows_the_number_first_and_alerts_the_clinic,
    follow_up_questions_record_the_serious_code_unless_answered_no,
    a_temperature_in_fahrenheit_is_converted,
    the_plan_and_why_sore_pages_are_honest_and_show_the_warning_signs,
    expired_and_unknown_links_still_show_the_warning_signs,
    client_links_are_rate_limited_per_address,
    check_ins_are_limited_per_link_not_by_failed_links_and_the_limit_still_says_what_to_do,
    every_response_carries_safe_headers,
    feedback_through_one_link_is_limited_to_ten_an_hour,
    a_refused_form_answer_is_stored_alerts_the_clinic_and_shows_no_code_names,
    an_urgent_result_has_no_feedback_form,
    the_form_asks_about_a_warning_sign_in_the_note_and_shows_it_first,
    the_why_sore_page_is_general_and_shows_the_clinics_number_from_its_link,
);

/// Posts form fields (repeated keys allowed) to a check-in link; (status, html).
async fn post_form<S: Store>(app: &App<S>, link: &str, fields: &[(&str, &str)]) -> (StatusCode, String) {
    let body: String = fields
        .iter()
        .map(|(k, v)| {
            format!("{}={}", k, v.replace('%', "%25").replace(' ', "+").replace('&', "%26").replace('=', "%3D"))
        })
        .collect::<Vec<_>>()
        .join("&");
    let resp = app
        .http
        .post(link)
        .header("content-type", "application/x-www-form-urlencoded")
        .body(body)
        .send()
        .await
        .unwrap();
    (resp.status(), resp.text().await.unwrap())
}

pub async fn get_html<S: Store>(app: &App<S>, url: &str) -> (StatusCode, String) {
    let resp = app.http.get(url).send().await.unwrap();
    (resp.status(), resp.text().await.unwrap())
}

/// A session of a neck and calves deep-tissue massage; the 24 h check-in link.
async fn link<S: Store>(app: &App<S>) -> (String, i64) {
    let mut session = leg_session();
    session["areas"] = json!(["neck", "calves"]);
    let (client, body) = app.session(&app.a.therapist, json!({"first_massage": false}), session).await;
    (body["follow_ups"][0]["check_in_url"].as_str().unwrap().to_owned(), client)
}

const NONE_OF_THESE: [(&str, &str); 3] = [("none", "emergency"), ("none", "doctor"), ("none", "therapist")];

fn every_input_has_a_label(html: &str) {
    for part in html.split("<input").skip(1) {
        let tag = &part[..part.find('>').unwrap()];
        if tag.contains("type=\"hidden\"") {
            continue;
        }
        let id = tag
            .split("id=\"")
            .nth(1)
            .map(|r| &r[..r.find('"').unwrap()])
            .unwrap_or_else(|| panic!("an input without id: {tag}"));
        assert!(html.contains(&format!("for=\"{id}\"")), "input {id} has a label");
    }
}

async fn the_check_in_form_asks_serious_signs_first_with_none_of_these_and_labels<S: Store>(app: App<S>) {
    let (link, _) = link(&app).await;
    let (s, html) = get_html(&app, &link).await;
    assert_eq!(s, StatusCode::OK);
    let serious = html.find("serious warning signs").unwrap();
    assert!(serious < html.find("symptom-one_leg_swelling").unwrap(), "the emergency group comes first");
    assert!(serious < html.find("symptom-headache").unwrap());
    assert_eq!(html.matches("None of these</label>").count(), 4, "one per symptom group");
    assert!(html.contains("new or worse since the massage"));
    assert!(html.contains("href=\"tel:999\""), "the clinic's emergency number as a tel: link");
    assert!(html.contains("does not diagnose"));
    assert!(html.contains("Did it come on suddenly, within a minute or so, and is it very bad?"));
    every_input_has_a_label(&html);
}

/// The pregnancy signs are asked of a client whose intake says pregnant, and of a client with
/// no intake on record (nothing is known), never of another; the code is still accepted.
async fn the_form_asks_the_pregnancy_signs_only_of_whom_they_can_apply_to<S: Store>(app: App<S>) {
    let pregnant = json!({"goals": ["pregnancy"], "conditions": [{"code": "pregnant"}], "first_massage": false, "pregnancy_weeks": 24});
    let mut form_of = Vec::new();
    for intake in [Some(pregnant), Some(json!({"first_massage": false})), None] {
        let id = app.new_client(&app.a.therapist).await;
        if let Some(i) = intake {
            let (s, b) = app.post(&format!("/api/v1/clients/{id}/intake"), &app.a.therapist, i).await;
            assert_eq!(s, StatusCode::OK, "{b}");
        }
        let mut session = leg_session();
        session["client_id"] = json!(id);
        let (_, body) = app.post("/api/v1/sessions", &app.a.therapist, session).await;
        let link = body["follow_ups"][0]["check_in_url"].as_str().unwrap().to_owned();
        form_of.push((link.clone(), get_html(&app, &link).await.1));
    }
    for code in ["vaginal_bleeding", "reduced_baby_movement", "contractions_or_waters"] {
        let item = format!("id=\"symptom-{code}\"");
        assert!(form_of[0].1.contains(&item), "asked of a pregnant client: {code}");
        assert!(!form_of[1].1.contains(&item), "not asked of a client whose intake says nothing of it: {code}");
        assert!(form_of[2].1.contains(&item), "asked when no intake is on record: {code}");
    }
    // A client not asked can still send it (the JSON check-in), and triage reads it.
    let answer = json!({"soreness": 2, "symptoms": ["reduced_baby_movement"]});
    let (s, r) = app.call(Method::POST, &form_of[1].0, None, Some(answer)).await;
    assert_eq!((s, r["level"].as_str()), (StatusCode::OK, Some("doctor")), "{r}");
}

/// An infant session's check-in is written to the parent about the baby, and asks only what
/// a parent can see in a baby; the baby's warning signs still lead the form.
async fn an_infant_check_in_speaks_of_the_baby_and_asks_what_a_parent_can_see<S: Store>(app: App<S>) {
    let session =
        json!({"massage_type": "infant", "pressure": "light", "areas": ["abdomen"], "baby_birth_date": "2026-09-01"});
    let (_, body) = app.session(&app.a.therapist, json!({"first_massage": false}), session).await;
    let link = body["follow_ups"][0]["check_in_url"].as_str().unwrap().to_owned();
    let (s, html) = get_html(&app, &link).await;
    assert_eq!(s, StatusCode::OK);
    assert!(html.contains("How is your baby since their massage?"));
    assert!(html.contains("Does your baby have any of these serious warning signs?"));
    assert!(html.contains("Your baby is floppy, very drowsy, or hard to wake"));
    assert!(html.contains("Hardly any wet nappies in the last 12 hours"));
    for not_asked in ["chest_pain", "sudden_severe_headache", "numbness", "dizziness", "vaginal_bleeding"] {
        assert!(!html.contains(&format!("id=\"symptom-{not_asked}\"")), "{not_asked} is not asked of a baby");
    }
    let serious = html.find("serious warning signs").unwrap();
    assert!(serious < html.find("symptom-fever").unwrap(), "the emergency group comes first");
    every_input_has_a_label(&html);
    // A baby under 3 months who feels hot: an emergency, from the form.
    let (s, html) = post_form(
        &app,
        &link,
        &[("soreness", "1"), ("symptom", "feels_feverish"), ("none", "emergency"), ("none", "doctor")],
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{html}");
    assert!(html.contains("level emergency"), "{html}");
}

async fn an_incomplete_form_is_refused_and_nothing_is_stored<S: Store>(app: App<S>) {
    let (link, client) = link(&app).await;
    let (s, html) = post_form(&app, &link, &[("soreness", "2"), ("none", "emergency")]).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(html.contains("Nothing has been sent yet"), "{html}");
    assert!(html.contains("Tick any of these you have, or tick “None of these”."));
    assert!(html.contains("href=\"tel:999\""), "a refused form still shows the emergency number");
    let (s, _) = post_form(&app, &link, &NONE_OF_THESE).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "soreness is required");
    let (_, shown) = app.get(&format!("/api/v1/clients/{client}"), &app.a.owner).await;
    assert_eq!(shown["sessions"][0]["check_ins"], json!([]));
}

async fn an_emergency_answer_shows_the_number_first_and_alerts_the_clinic<S: Store>(app: App<S>) {
    let (link, _) = link(&app).await;
    app.advance_hours(5.0);
    let mut fields = vec![("soreness", "3"), ("symptom", "chest_pain"), ("area", "calves")];
    fields.extend(&NONE_OF_THESE[1..]);
    let (s, html) = post_form(&app, &link, &fields).await;
    assert_eq!(s, StatusCode::OK, "{html}");
    let call = html.find("<a class=\"call\" href=\"tel:999\">Call 999</a>").expect("a large call link");
    assert!(call < html.find("Do not drive yourself").unwrap(), "the number comes before anything else");
    assert!(html.contains("will be told straight away"));
    assert!(!html.contains("How was your massage?"), "no feedback form after an urgent answer");
    assert!(html.contains("does not diagnose"));
    let (_, alerts) = app.get("/api/v1/alerts?status=open", &app.a.owner).await;
    assert_eq!(alerts["alerts"][0]["level"], "emergency");
    assert_eq!(alerts["alerts"][0]["check_in"]["report"]["sore_areas"], json!(["calves"]));
}

async fn follow_up_questions_record_the_serious_code_unless_answered_no<S: Store>(app: App<S>) {
    let (link, _) = link(&app).await;
    app.advance_hours(20.0);
    let mut blank = vec![("soreness", "1"), ("symptom", "headache")];
    blank.extend(&NONE_OF_THESE[..2]);
    let (_, html) = post_form(&app, &link, &blank).await;
    assert!(html.contains("level emergency"), "a blank answer counts as yes: sudden severe headache");
    let mut no = blank.clone();
    no.push(("fu_headache", "no"));
    let (_, html) = post_form(&app, &link, &no).await;
    assert!(html.contains("level therapist"), "answered no: a headache to tell the therapist");
    // Dizziness only on standing is light-headedness, not dizziness: no neck rule.
    let mut standing = vec![("soreness", "1"), ("symptom", "dizziness"), ("fu_dizziness", "yes")];
    standing.extend(&NONE_OF_THESE[..2]);
    let (_, html) = post_form(&app, &link, &standing).await;
    assert!(html.contains("level therapist"), "{html}");
    // A "yes" to a follow-up counts even when its symptom was not ticked.
    let mut unticked = vec![("soreness", "1"), ("fu_muscle_weakness", "yes"), ("none", "therapist")];
    unticked.extend(&NONE_OF_THESE[..2]);
    let (_, html) = post_form(&app, &link, &unticked).await;
    assert!(html.contains("level emergency"), "unable to lift an arm or leg");
    let mut still = vec![("soreness", "1"), ("symptom", "dizziness"), ("fu_dizziness", "no")];
    still.extend(&NONE_OF_THESE[..2]);
    let (_, html) = post_form(&app, &link, &still).await;
    assert!(html.contains("level doctor"), "dizzy at rest after neck work: doctor today");
}

async fn a_temperature_in_fahrenheit_is_converted<S: Store>(app: App<S>) {
    let (link, _) = link(&app).await;
    app.advance_hours(24.0);
    let mut fields = vec![("soreness", "2"), ("temperature", "100.4"), ("temperature_unit", "f")];
    fields.extend(&NONE_OF_THESE);
    let (s, html) = post_form(&app, &link, &fields).await;
    assert_eq!(s, StatusCode::OK);
    assert!(html.contains("level doctor"), "100.4 °F is 38.0 °C: fever");
    let mut cool = vec![("soreness", "2"), ("temperature", "98.6"), ("temperature_unit", "f")];
    cool.extend(&NONE_OF_THESE);
    let (_, html) = post_form(&app, &link, &cool).await;
    assert!(html.contains("level self_care"), "98.6 °F is 37.0 °C");
    let mut wrong = vec![("soreness", "2"), ("temperature", "98.6"), ("temperature_unit", "c")];
    wrong.extend(&NONE_OF_THESE);
    let (s, html) = post_form(&app, &link, &wrong).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "98.6 °C looks like °F: asked, not refused");
    assert!(html.contains("You wrote 98.6 °C. Did you mean 98.6 °F?"), "{html}");
    assert!(html.contains("name=\"temperature_confirmed\" value=\"c\""), "{html}");
    // Confirmed as °C, it is out of range: kept, the clinic told, and no code names shown.
    wrong.push(("temperature_confirmed", "c"));
    let (s, html) = post_form(&app, &link, &wrong).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(html.contains("the temperature must be between 30 and 45 °C"), "{html}");
    assert!(!html.contains("temperature c") && !html.contains("temperature_c"), "{html}");
}

async fn the_plan_and_why_sore_pages_are_honest_and_show_the_warning_signs<S: Store>(app: App<S>) {
    let (link, _) = link(&app).await;
    let (s, plan) = get_html(&app, &format!("{link}/plan")).await;
    assert_eq!(s, StatusCode::OK);
    for text in [
        "Your aftercare plan",
        "What to expect",
        "Drink when you are thirsty",
        "for your neck",
        "for your calves",
        "Studies say it does not work",
        "href=\"tel:999\"",
        "does not diagnose",
    ] {
        assert!(plan.contains(text), "plan page has {text:?}");
    }
    assert!(!plan.to_lowercase().contains("toxin"));
    let (s, why) = get_html(&app, &format!("{}/why-sore", app.base)).await;
    assert_eq!(s, StatusCode::OK);
    assert!(why.contains("Why am I sore after a massage?") && why.contains("Sources") && why.contains("Cambron"));
    assert!(why.contains("does not diagnose"));
}

async fn expired_and_unknown_links_still_show_the_warning_signs<S: Store>(app: App<S>) {
    let (link, _) = link(&app).await;
    app.advance_hours(24.0 + 168.0 + 1.0);
    let (s, html) = get_html(&app, &link).await;
    assert_eq!(s, StatusCode::GONE);
    assert!(
        html.contains("This link has expired") && html.contains("href=\"tel:999\""),
        "the clinic's number still shows"
    );
    let (s, html) = get_html(&app, &format!("{}/c/{}", app.base, "ab".repeat(32))).await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    assert!(html.contains("Warning signs") && html.contains("your local emergency number"));
    let (s, _) = app.call(Method::GET, &format!("{link}/plan"), None, None).await;
    assert_eq!(s, StatusCode::GONE);
}

async fn client_links_are_rate_limited_per_address<S: Store>(app: App<S>) {
    let unknown = format!("{}/c/{}", app.base, "cd".repeat(32));
    for _ in 0..web::rate_limit::REQUESTS_PER_WINDOW {
        let (s, _) = get_html(&app, &unknown).await;
        assert_eq!(s, StatusCode::NOT_FOUND);
    }
    let resp = app.http.get(&unknown).send().await.unwrap();
    assert_eq!(resp.status(), StatusCode::TOO_MANY_REQUESTS);
    assert!(resp.headers().contains_key("retry-after"));
    app.advance_hours(0.02);
    let (s, _) = get_html(&app, &unknown).await;
    assert_eq!(s, StatusCode::NOT_FOUND, "a new window lets the address in again");
}

async fn check_ins_are_limited_per_link_not_by_failed_links_and_the_limit_still_says_what_to_do<S: Store>(app: App<S>) {
    let (link, _) = link(&app).await;
    // Failed links from this address do not count against real answers.
    for _ in 0..(web::rate_limit::REQUESTS_PER_WINDOW + 5) {
        app.http.get(format!("{}/c/{}", app.base, "0".repeat(64))).send().await.unwrap();
    }
    let (per_link, _) = web::rate_limit::Budget::AnswersPerLink.limit();
    for i in 0..per_link {
        let (s, _) = app.call(Method::POST, &link, None, Some(json!({"soreness": 1, "symptoms": []}))).await;
        assert_eq!(s, StatusCode::OK, "answer {i}");
    }
    // Past sixty answers in an hour through one link: not saved, and told what to do now.
    let (s, e) = app.call(Method::POST, &link, None, Some(json!({"soreness": 1, "symptoms": []}))).await;
    assert_eq!((s, e["error"]["code"].as_str()), (StatusCode::TOO_MANY_REQUESTS, Some("too_many")));
    assert!(e["error"]["message"].as_str().unwrap().contains("call 999 now"), "{e}");
    let (s, page) =
        post_form(&app, &link, &[("soreness", "1"), ("none", "emergency"), ("none", "doctor"), ("none", "therapist")])
            .await;
    assert_eq!(s, StatusCode::TOO_MANY_REQUESTS);
    assert!(page.contains("call 999 now") && page.contains("Warning signs: get help at once"), "{page}");
    app.advance_hours(1.0);
    let (s, _) = app.call(Method::POST, &link, None, Some(json!({"soreness": 1, "symptoms": []}))).await;
    assert_eq!(s, StatusCode::OK, "an hour later the link takes answers again");
}

async fn every_response_carries_safe_headers<S: Store>(app: App<S>) {
    let (link, _) = link(&app).await;
    let get = |url: String, token: Option<String>| {
        let mut r = app.http.get(url);
        if let Some(t) = token {
            r = r.bearer_auth(t);
        }
        r.send()
    };
    let cases = [
        ("a staff page", format!("{}/sign-in", app.base), None, "same-origin"),
        ("a client page", link.clone(), None, "no-referrer"),
        ("a client's plan", format!("{link}/plan"), None, "no-referrer"),
        ("an API answer", format!("{}/api/v1/alerts", app.base), Some(app.a.owner.clone()), "same-origin"),
        ("a route that does not exist", format!("{}/nowhere", app.base), None, "same-origin"),
    ];
    for (what, url, token, referrer) in cases {
        let r = get(url, token).await.unwrap();
        let h = r.headers();
        let csp = h["content-security-policy"].to_str().unwrap();
        assert!(csp.contains("default-src 'none'") && csp.contains("script-src 'self'"), "{what}: {csp}");
        assert!(csp.contains("frame-ancestors 'none'") && !csp.contains("unsafe-inline"), "{what}: {csp}");
        assert_eq!(h["x-frame-options"], "DENY", "{what}");
        assert_eq!(h["x-content-type-options"], "nosniff", "{what}");
        assert_eq!(h["referrer-policy"], referrer, "{what}");
        assert_eq!(h["cache-control"], "no-store", "{what}");
        assert!(h.get("strict-transport-security").is_none(), "{what}: no HSTS over plain http");
    }
    // No page carries inline script or style, which the policy would block.
    for url in [link.clone(), format!("{link}/plan"), format!("{}/sign-in", app.base), format!("{}/why-sore", app.base)]
    {
        let page = get(url.clone(), None).await.unwrap().text().await.unwrap();
        assert!(!page.contains("<script>") && !page.contains("<style>") && !page.contains("javascript:"), "{url}");
    }
    let css = get(format!("{}/assets/client.css", app.base), None).await.unwrap();
    assert_eq!(css.status(), StatusCode::OK);
    assert_eq!(css.headers()["content-type"], "text/css; charset=utf-8");
    assert_eq!(css.headers()["cache-control"], "public, max-age=3600", "the product's own style sheet may be cached");
    let missing = get(format!("{}/assets/nothing.js", app.base), None).await.unwrap();
    assert_eq!(missing.status(), StatusCode::NOT_FOUND);
}

async fn feedback_through_one_link_is_limited_to_ten_an_hour<S: Store>(app: App<S>) {
    let (link, _) = link(&app).await;
    let (s, answer) = app.call(Method::POST, &link, None, Some(json!({"soreness": 1, "symptoms": []}))).await;
    assert_eq!(s, StatusCode::OK);
    let check_in = answer["check_in_id"].as_i64().unwrap().to_string();
    let feedback = format!("{link}/feedback");
    for i in 0..10 {
        let (s, _) = post_form(&app, &feedback, &[("check_in", &check_in), ("rating", "5")]).await;
        assert_eq!(s, StatusCode::OK, "feedback {i}");
    }
    let (s, _) = post_form(&app, &feedback, &[("check_in", &check_in), ("rating", "5")]).await;
    assert_eq!(s, StatusCode::TOO_MANY_REQUESTS);
}

// ----- Care policy v1.2 -----

async fn a_refused_form_answer_is_stored_alerts_the_clinic_and_shows_no_code_names<S: Store>(app: App<S>) {
    let (link, client) = link(&app).await;
    app.advance_hours(24.0);
    // A tampered form: a soreness of 12 cannot come from the page, but must never be lost.
    let mut fields = vec![("soreness", "2"), ("temperature", "29.5"), ("note", "feel cold")];
    fields.extend(&NONE_OF_THESE);
    let (s, html) = post_form(&app, &link, &fields).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{html}");
    assert!(html.contains("We could not read part of your answer"), "{html}");
    assert!(html.contains("the temperature must be between 30 and 45 °C"), "{html}");
    assert!(html.contains("We kept what you sent and told Calm"), "{html}");
    assert!(html.contains("call 999 now"), "{html}");
    assert!(html.contains("Warning signs"), "the warning signs are on the page");
    for code in ["temperature_c", "temperature c", "report.", "out of range"] {
        assert!(!html.contains(code), "no field code name reaches the client: {code}");
    }
    let (_, alerts) = app.get("/api/v1/alerts?status=open", &app.a.owner).await;
    assert_eq!(alerts["alerts"][0]["level"], "therapist", "{alerts}");
    assert_eq!(alerts["alerts"][0]["client"]["id"], client);
    assert_eq!(alerts["alerts"][0]["check_in"]["report"]["temperature_c"], 29.5);
    assert_eq!(alerts["alerts"][0]["check_in"]["report"]["note"], "feel cold");
}

async fn an_urgent_result_has_no_feedback_form<S: Store>(app: App<S>) {
    let (link, _) = link(&app).await;
    app.advance_hours(24.0);
    let mut urgent = vec![("soreness", "2"), ("symptom", "one_leg_swelling")];
    urgent.extend(&[("none", "emergency"), ("none", "therapist")]);
    let (s, html) = post_form(&app, &link, &urgent).await;
    assert_eq!(s, StatusCode::OK, "{html}");
    assert!(html.contains("level doctor"));
    assert!(!html.contains("How was your massage?"), "no feedback form at doctor");
    assert!(html.contains("href=\"tel:111\""), "the urgent advice line is a tel: link");
    let mut minor = vec![("soreness", "2"), ("symptom", "small_bruise")];
    minor.extend(&[("none", "emergency"), ("none", "doctor")]);
    let (_, html) = post_form(&app, &link, &minor).await;
    assert!(html.contains("level therapist"));
    assert!(html.contains("Your therapist will be told"), "never “has been told”: {html}");
    assert!(!html.contains("has been told"));
    assert!(html.contains("How was your massage?"), "feedback is offered below doctor");
}

async fn the_form_asks_about_a_warning_sign_in_the_note_and_shows_it_first<S: Store>(app: App<S>) {
    let (link, _) = link(&app).await;
    app.advance_hours(24.0);
    let mut fields = vec![("soreness", "2"), ("note", "Crushing chest pain earlier")];
    fields.extend(&NONE_OF_THESE);
    let (s, html) = post_form(&app, &link, &fields).await;
    assert_eq!(s, StatusCode::OK, "{html}");
    assert!(html.contains("You wrote about a warning sign. Is it happening now?"), "{html}");
    assert!(html.contains("name=\"note_yes\" value=\"chest_pain\""), "{html}");
    let (_, alerts) = app.get("/api/v1/alerts?status=open", &app.a.owner).await;
    assert!(alerts["alerts"].as_array().unwrap().is_empty(), "nothing is sent before the client answers");
    // "No, not now": self-care, the note's sign shown first, and staff alerted.
    fields.push(("note_checked", "1"));
    let (s, html) = post_form(&app, &link, &fields).await;
    assert_eq!(s, StatusCode::OK, "{html}");
    assert!(html.contains("level self_care"));
    let flag = html.find("You wrote about “chest pain”. If this is happening now: Call 999 now.").expect("shown");
    assert!(flag < html.find("This sounds like normal soreness").unwrap(), "the note's sign comes first");
    let (_, alerts) = app.get("/api/v1/alerts?status=open", &app.a.owner).await;
    assert_eq!(alerts["alerts"].as_array().unwrap().len(), 1, "staff are told of the note at once");
    // "Yes, now": the sign is ticked and the answer is an emergency.
    fields.push(("note_yes", "chest_pain"));
    let (_, html) = post_form(&app, &link, &fields).await;
    assert!(html.contains("level emergency"), "{html}");
}

async fn the_why_sore_page_is_general_and_shows_the_clinics_number_from_its_link<S: Store>(app: App<S>) {
    let (s, why) = get_html(&app, &format!("{}/why-sore", app.base)).await;
    assert_eq!(s, StatusCode::OK);
    assert!(why.contains("A first massage: muscles that are not used to massage"), "{why}");
    for personal in ["your massage", "This was your first massage", "about this massage"] {
        assert!(!why.contains(personal), "a general page: {personal}");
    }
    assert!(why.contains("Never put heat on a swollen, painful calf"), "each item's safety sentences");
    assert!(!why.contains("href=\"tel:999\""), "no clinic: no clinic number");
    let (link, _) = link(&app).await;
    let (s, from_link) = get_html(&app, &format!("{link}/why-sore")).await;
    assert_eq!(s, StatusCode::OK);
    assert!(from_link.contains("href=\"tel:999\""), "reached from a clinic's link: its emergency number");
    let (_, form) = get_html(&app, &link).await;
    assert!(form.contains("/why-sore?lang=en\">Why am I sore"), "the check-in page links to it");
}
