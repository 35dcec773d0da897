//! The staff's pages over HTTP: signing in and out with a session cookie, CSRF on every form,
//! the dashboard, the alert queue, and the clients, each scoped to the signed-in clinic.

use crate::api::leg_session;
use crate::harness::*;
use reqwest::{Client, StatusCode, header};
use serde_json::json;
use store::{ClientId, Store};

// The staff's journeys, on both storage backends.
on_both_backends!(
    signing_in_needs_the_right_password_and_pages_need_signing_in,
    sign_in_never_redirects_off_site,
    alerts_are_acknowledged_from_the_queue_with_csrf_by_the_right_roles,
    clients_are_searched_added_and_shown_with_their_soreness_chart,
    intake_and_session_forms_need_the_token_and_the_right_role,
    the_owner_invites_a_therapist_who_chooses_a_password_from_the_email_and_is_deactivated,
    the_country_sets_the_emergency_number_and_products_join_the_plan,
    a_client_leaves_feedback_the_clinic_reads,
    new_clients_fill_their_intake_from_the_public_link,
    a_clients_own_intake_link_works_once,
    the_owner_sets_the_check_in_schedule_that_sessions_follow,
    the_owner_rewords_the_client_messages_with_their_variables,
    sign_in_refuses_control_characters_in_next_and_other_sites,
    failed_sign_ins_are_limited_per_address,
    staff_forms_check_phone_numbers_and_time_zones_and_a_second_acknowledgement_is_refused,
    staff_stop_and_resume_a_clients_messages_set_the_alert_address_and_see_failed_messages,
    the_client_list_comes_a_hundred_at_a_time_with_a_next_link,
    each_kind_of_knocking_has_its_own_budget,
    the_public_intake_link_speaks_the_browsers_language_and_records_it,
    pregnancy_weeks_are_asked_at_intake_and_worked_out_at_the_check_in,
    a_postponed_intake_tells_the_client_not_to_come_in_today,
    staff_read_what_could_not_be_read_and_the_signs_a_note_mentions,
    the_session_form_takes_the_babys_date_of_birth_for_an_infant_massage,
    every_note_is_listed_on_the_dashboard_for_the_therapist_to_read,
    the_dashboard_counts_the_check_ins_answered_in_the_last_30_days,
    every_error_from_a_staff_or_client_page_is_a_page,
    an_alert_shows_what_the_client_said_in_plain_words,
    the_screening_reaches_the_session_form,
    a_session_is_recorded_for_the_time_it_ended,
    each_role_sees_what_it_may_use_and_forms_keep_what_was_typed,
    staff_change_their_password_and_other_sign_ins_end,
    the_next_intake_starts_from_the_last_one_with_the_history_beside_it,
    the_outcomes_match_counts_made_from_the_data,
    the_outcomes_count_past_days_and_today_so_far,
    the_outcomes_say_how_soon_alerts_were_acknowledged,
    the_owner_exports_a_period_as_csv,
    reads_and_changes_are_in_the_audit_trail,
    the_owner_downloads_a_clients_data,
    an_erased_client_leaves_no_trace_in_the_clinics_rows,
    another_clinics_owner_gets_404_on_every_staff_route_with_an_id,
);

/// A browser-like client that keeps the session cookie and does not follow redirects.
pub struct Staff {
    pub http: Client,
    pub base: String,
    pub cookie: String,
}

pub fn no_redirects() -> Client {
    Client::builder().redirect(reqwest::redirect::Policy::none()).build().unwrap()
}

pub async fn sign_in<S: Store>(app: &App<S>, email: &str, password: &str) -> Result<Staff, (StatusCode, String)> {
    let http = no_redirects();
    let body = format!("email={}&password={}&next=%2Falerts", email.replace('@', "%40"), password.replace(' ', "+"));
    let resp = http
        .post(format!("{}/sign-in", app.base))
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .body(body)
        .send()
        .await
        .unwrap();
    if resp.status() != StatusCode::SEE_OTHER {
        let status = resp.status();
        return Err((status, resp.text().await.unwrap()));
    }
    assert_eq!(resp.headers()[header::LOCATION], "/alerts", "sign-in goes on to the page asked for");
    let set = resp.headers()[header::SET_COOKIE].to_str().unwrap().to_owned();
    assert!(set.contains("HttpOnly") && set.contains("SameSite=Lax") && set.contains("Path=/"), "{set}");
    let cookie = set.split(';').next().unwrap().to_owned();
    Ok(Staff { http, base: app.base.clone(), cookie })
}

impl Staff {
    pub async fn get(&self, path: &str) -> (StatusCode, String) {
        let r =
            self.http.get(format!("{}{path}", self.base)).header(header::COOKIE, &self.cookie).send().await.unwrap();
        (r.status(), r.text().await.unwrap())
    }

    pub async fn post(&self, path: &str, form: &str, origin: Option<&str>) -> (StatusCode, String) {
        let mut req = self
            .http
            .post(format!("{}{path}", self.base))
            .header(header::COOKIE, &self.cookie)
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .body(form.to_owned());
        if let Some(o) = origin {
            req = req.header(header::ORIGIN, o);
        }
        let r = req.send().await.unwrap();
        let status = r.status();
        let location = r.headers().get(header::LOCATION).map(|l| l.to_str().unwrap().to_owned());
        (status, location.unwrap_or(r.text().await.unwrap()))
    }

    /// The CSRF token of the signed-in session, as the pages carry it.
    pub async fn csrf(&self) -> String {
        let (_, html) = self.get("/clients").await;
        let at = html.find("name=\"csrf\" value=\"").unwrap() + "name=\"csrf\" value=\"".len();
        html[at..at + 64].to_owned()
    }
}

async fn signing_in_needs_the_right_password_and_pages_need_signing_in<S: Store>(app: App<S>) {
    let anonymous = no_redirects();
    let r = anonymous.get(format!("{}/clients?q=ada", app.base)).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    assert_eq!(r.headers()[header::LOCATION], "/sign-in?next=%2Fclients%3Fq%3Dada");
    let (s, html) = sign_in(&app, "owner@calm.example", "wrong password").await.err().unwrap();
    assert_eq!(s, StatusCode::UNAUTHORIZED);
    assert!(html.contains("do not match"));
    let (s, html2) = sign_in(&app, "nobody@calm.example", PASSWORD).await.err().unwrap();
    assert_eq!(s, StatusCode::UNAUTHORIZED);
    assert_eq!(
        html.replace("owner@calm.example", ""),
        html2.replace("nobody@calm.example", ""),
        "no hint whether the e-mail exists"
    );
    let owner = sign_in(&app, "owner@calm.example", PASSWORD).await.unwrap();
    let (s, html) = owner.get("/").await;
    assert_eq!(s, StatusCode::OK);
    assert!(html.contains("Calm") && html.contains("Open alerts"));

    // Sign-out needs the form's token; afterwards the cookie opens nothing.
    let (s, _) = owner.post("/sign-out", "csrf=nope", None).await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    let csrf = owner.csrf().await;
    let (s, to) = owner.post("/sign-out", &format!("csrf={csrf}"), None).await;
    assert_eq!((s, to.as_str()), (StatusCode::SEE_OTHER, "/sign-in"));
    let (s, _) = owner.get("/").await;
    assert_eq!(s, StatusCode::SEE_OTHER);

    // Sessions end after twelve hours.
    let again = sign_in(&app, "owner@calm.example", PASSWORD).await.unwrap();
    app.advance_hours(12.1);
    assert_eq!(again.get("/").await.0, StatusCode::SEE_OTHER);
}

async fn sign_in_never_redirects_off_site<S: Store>(app: App<S>) {
    let http = no_redirects();
    let r = http
        .post(format!("{}/sign-in", app.base))
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .body(format!("email=owner%40calm.example&password={}&next=%2F%2Fevil.example%2F", PASSWORD.replace(' ', "+")))
        .send()
        .await
        .unwrap();
    assert_eq!(r.headers()[header::LOCATION], "/");
}

async fn alerts_are_acknowledged_from_the_queue_with_csrf_by_the_right_roles<S: Store>(app: App<S>) {
    let (client, session) = app.session(&app.a.therapist, json!({"first_massage": false}), leg_session()).await;
    let link = session["follow_ups"][0]["check_in_url"].as_str().unwrap().to_owned();
    app.advance_hours(20.0);
    app.call(
        reqwest::Method::POST,
        &link,
        None,
        Some(json!({"soreness": 4, "symptoms": ["one_leg_swelling"], "note": "left calf puffy"})),
    )
    .await;
    let (_, alerts) = app.get("/api/v1/alerts", &app.a.owner).await;
    let id = alerts["alerts"][0]["id"].as_i64().unwrap();

    let therapist = sign_in(&app, "ther@calm.example", PASSWORD).await.unwrap();
    let (s, html) = therapist.get("/").await;
    assert_eq!(s, StatusCode::OK);
    assert!(html.contains("Ada Lovelace") && html.contains("D-clot"), "the dashboard lists the open alert");
    let (_, queue) = therapist.get("/alerts").await;
    assert!(queue.contains("left calf puffy") && queue.contains("Acknowledge"));
    let csrf = therapist.csrf().await;
    let path = format!("/alerts/{id}/acknowledge");
    let (s, _) = therapist.post(&path, "note=Called", None).await;
    assert_eq!(s, StatusCode::FORBIDDEN, "no CSRF token");
    let (s, _) = therapist.post(&path, &format!("csrf={csrf}&note=Called"), Some("https://evil.example")).await;
    assert_eq!(s, StatusCode::FORBIDDEN, "another site's Origin");

    let desk = sign_in(&app, "desk@calm.example", PASSWORD).await.unwrap();
    let (_, desk_queue) = desk.get("/alerts").await;
    assert!(!desk_queue.contains(">Acknowledge<"), "front desk sees the queue without the button");
    let desk_csrf = desk.csrf().await;
    let (s, _) = desk.post(&path, &format!("csrf={desk_csrf}&note=x"), None).await;
    assert_eq!(s, StatusCode::FORBIDDEN);

    let (s, to) = therapist.post(&path, &format!("csrf={csrf}&note=Called+her%3B+GP+today"), Some(&app.base)).await;
    assert_eq!((s, to.as_str()), (StatusCode::SEE_OTHER, "/alerts"));
    let (_, queue) = therapist.get("/alerts").await;
    assert!(queue.contains("No open alerts.") && queue.contains("Called her; GP today"));

    let other = sign_in(&app, "owner@other.example", PASSWORD).await.unwrap();
    let other_csrf = other.csrf().await;
    let (s, _) = other.post(&path, &format!("csrf={other_csrf}&note=x"), None).await;
    assert_eq!(s, StatusCode::NOT_FOUND, "another clinic's alert");
    assert_eq!(other.get(&format!("/clients/{client}")).await.0, StatusCode::NOT_FOUND);
}

async fn clients_are_searched_added_and_shown_with_their_soreness_chart<S: Store>(app: App<S>) {
    let (client, session) = app
        .session(
            &app.a.therapist,
            json!({"goals": ["low_back_pain"], "conditions": [{"code": "anticoagulants"}], "first_massage": false}),
            leg_session(),
        )
        .await;
    let link = session["follow_ups"][0]["check_in_url"].as_str().unwrap().to_owned();
    app.advance_hours(24.0);
    app.call(reqwest::Method::POST, &link, None, Some(json!({"soreness": 6, "symptoms": []}))).await;

    let owner = sign_in(&app, "owner@calm.example", PASSWORD).await.unwrap();
    let (_, list) = owner.get("/clients?q=lovel").await;
    assert!(list.contains(&format!("/clients/{client}")));
    let (_, none) = owner.get("/clients?q=zzz").await;
    assert!(none.contains("No clients match"));
    let (s, page) = owner.get(&format!("/clients/{client}")).await;
    assert_eq!(s, StatusCode::OK);
    assert!(page.contains("<svg") && page.contains("soreness 6, therapist"), "the chart marks the check-in");
    assert!(page.contains("Deep tissue") && page.contains("T-high"));
    assert!(page.contains("light"), "anticoagulants cap the suggested pressure");

    let csrf = owner.csrf().await;
    let (s, to) =
        owner.post("/clients", &format!("csrf={csrf}&name=Grace+Hopper&email=grace%40example.com"), None).await;
    assert_eq!(s, StatusCode::SEE_OTHER);
    let (_, grace) = owner.get(&to).await;
    assert!(grace.contains("Grace Hopper") && grace.contains("No sessions yet."));
    let (s, html) = owner.post("/clients", &format!("csrf={csrf}&name=&email=x"), None).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(html.contains("Write the client"));
    let (s, _) = owner.post("/clients", "name=Mallory", None).await;
    assert_eq!(s, StatusCode::FORBIDDEN, "no CSRF token, nothing created");
    let (_, all) = owner.get("/clients").await;
    assert!(!all.contains("Mallory"));
}

async fn intake_and_session_forms_need_the_token_and_the_right_role<S: Store>(app: App<S>) {
    let client = app.new_client(&app.a.owner).await;
    let therapist = sign_in(&app, "ther@calm.example", PASSWORD).await.unwrap();
    let csrf = therapist.csrf().await;
    let intake = format!("csrf={csrf}&goal=relaxation&first_massage=no&condition=open_wounds&areas_open_wounds=calves");
    let (s, to) = therapist.post(&format!("/clients/{client}/intake"), &intake, None).await;
    assert_eq!((s, to), (StatusCode::SEE_OTHER, format!("/clients/{client}")));
    let (_, page) = therapist.get(&format!("/clients/{client}")).await;
    assert!(page.contains("avoid area") && page.contains("(calves)"), "the open wound's area is shown and avoided");
    let (s, html) =
        therapist.post(&format!("/clients/{client}/intake"), &format!("csrf={csrf}&goal=relaxation"), None).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(html.contains("first massage"));

    let session = format!("csrf={csrf}&massage_type=swedish&pressure=medium&area=upper_back&area=neck&action=preview");
    let (s, html) = therapist.post(&format!("/clients/{client}/sessions"), &session, None).await;
    assert_eq!(s, StatusCode::OK);
    assert!(
        html.contains("The client's plan") && html.contains("Caution: Do not have a bath or soak"),
        "open wounds change the warmth advice"
    );
    let (s, html) = therapist
        .post(
            &format!("/clients/{client}/sessions"),
            &format!("csrf={csrf}&massage_type=swedish&pressure=medium&action=save"),
            None,
        )
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(html.contains("Tick the areas"));
    let (s, _) = therapist
        .post(&format!("/clients/{client}/sessions"), &session.replace("preview", "save").replace(&csrf, "x"), None)
        .await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    let (s, html) =
        therapist.post(&format!("/clients/{client}/sessions"), &session.replace("preview", "save"), None).await;
    assert_eq!(s, StatusCode::CREATED);
    assert!(html.contains("Session saved") && html.matches("/c/").count() >= 3, "the plan link and two check-in links");

    let desk = sign_in(&app, "desk@calm.example", PASSWORD).await.unwrap();
    let desk_csrf = desk.csrf().await;
    let (s, _) = desk
        .post(
            &format!("/clients/{client}/sessions"),
            &session.replace("preview", "save").replace(&csrf, &desk_csrf),
            None,
        )
        .await;
    assert_eq!(s, StatusCode::FORBIDDEN, "front desk does not record sessions");
    let (_, shown) = app.get(&format!("/api/v1/clients/{client}"), &app.a.owner).await;
    assert_eq!(shown["sessions"].as_array().unwrap().len(), 1);
}

async fn the_owner_invites_a_therapist_who_chooses_a_password_from_the_email_and_is_deactivated<S: Store>(app: App<S>) {
    let owner = sign_in(&app, "owner@calm.example", PASSWORD).await.unwrap();
    let csrf = owner.csrf().await;
    let (s, html) = owner
        .post("/settings/staff", &format!("csrf={csrf}&name=Maya+Reid&email=Maya%40calm.example&role=therapist"), None)
        .await;
    assert_eq!(s, StatusCode::OK);
    assert!(html.contains("An e-mail is on its way to maya@calm.example"), "{html}");
    assert!(!html.contains("invited-password"), "no password is shown on screen");
    let (_, settings) = owner.get("/settings").await;
    assert!(settings.contains("No password yet: invited"));
    let password = "maya's own long password";
    crate::accounts::choose_password(&app, "maya@calm.example", "Your Aftercare account", password).await;
    let maya = sign_in(&app, "maya@calm.example", password).await.expect("the invited therapist signs in");
    assert_eq!(maya.get("/").await.0, StatusCode::OK);
    assert_eq!(maya.get("/settings").await.0, StatusCode::FORBIDDEN, "only the owner sees settings");

    let (s, html) = owner
        .post("/settings/staff", &format!("csrf={csrf}&name=Again&email=maya%40calm.example&role=therapist"), None)
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(html.contains("cannot be used for a new staff member"), "no hint of where the address is used");

    let (_, settings) = owner.get("/settings").await;
    let at = settings.find("maya@calm.example").unwrap();
    let id_at = settings[at..].find("action=\"/settings/staff/").unwrap() + at + "action=\"/settings/staff/".len();
    let id: String = settings[id_at..].chars().take_while(char::is_ascii_digit).collect();
    let (s, _) =
        owner.post(&format!("/settings/staff/{id}"), &format!("csrf={csrf}&role=therapist&active=no"), None).await;
    assert_eq!(s, StatusCode::SEE_OTHER);
    assert_eq!(maya.get("/").await.0, StatusCode::SEE_OTHER, "a deactivated member is signed out");
    assert!(sign_in(&app, "maya@calm.example", password).await.is_err());

    let (s, html) = owner.post("/settings/staff/1", &format!("csrf={csrf}&role=front_desk&active=no"), None).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "owners cannot lock themselves out");
    assert!(html.contains("You cannot change your own role"));
    let (s, _) = owner.post("/settings/staff", "name=X&email=x%40calm.example&role=owner", None).await;
    assert_eq!(s, StatusCode::FORBIDDEN, "no CSRF token");
}

async fn the_country_sets_the_emergency_number_and_products_join_the_plan<S: Store>(app: App<S>) {
    let owner = sign_in(&app, "owner@calm.example", PASSWORD).await.unwrap();
    let csrf = owner.csrf().await;
    let (s, _) = owner
        .post("/settings/clinic", &format!("csrf={csrf}&name=Calm+Hands&country=AU&timezone=Australia%2FSydney"), None)
        .await;
    assert_eq!(s, StatusCode::SEE_OTHER);
    let (s, html) =
        owner.post("/settings/clinic", &format!("csrf={csrf}&name=Calm&country=AU&timezone=Mars%2FBase"), None).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(html.contains("is not a time zone"));
    let (s, _) = owner
        .post(
            "/settings/products",
            &format!("csrf={csrf}&name=Clinic+bath+flakes&item=epsom_salt&url=https%3A%2F%2Fshop.example%2Fflakes"),
            None,
        )
        .await;
    assert_eq!(s, StatusCode::SEE_OTHER);
    let (s, html) = owner.post("/settings/products", &format!("csrf={csrf}&name=Tea&item=detox"), None).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "a product must belong to a plan item");
    assert!(html.contains("Choose the plan item"));

    let (_, session) = app.session(&app.a.therapist, json!({"first_massage": false}), leg_session()).await;
    assert_eq!(session["plan"]["emergency_number"], "000");
    let epsom = session["plan"]["items"].as_array().unwrap().iter().find(|i| i["id"] == "epsom_salt").unwrap();
    assert_eq!(epsom["products"][0]["name"], "Clinic bath flakes");
    let link = session["follow_ups"][0]["check_in_url"].as_str().unwrap();
    let plan = app.http.get(format!("{link}/plan")).send().await.unwrap().text().await.unwrap();
    assert!(plan.contains("Clinic bath flakes") && plan.contains("href=\"tel:000\""));
}

async fn a_client_leaves_feedback_the_clinic_reads<S: Store>(app: App<S>) {
    let (client, session) = app.session(&app.a.therapist, json!({"first_massage": false}), leg_session()).await;
    let link = session["follow_ups"][0]["check_in_url"].as_str().unwrap().to_owned();
    app.advance_hours(24.0);
    let (_, answer) = app.call(reqwest::Method::POST, &link, None, Some(json!({"soreness": 2, "symptoms": []}))).await;
    let check_in = answer["check_in_id"].as_i64().unwrap();
    let send = |body: String| {
        let http = app.http.clone();
        let url = format!("{link}/feedback");
        async move {
            let r = http
                .post(url)
                .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
                .body(body)
                .send()
                .await
                .unwrap();
            (r.status(), r.text().await.unwrap())
        }
    };
    let (s, html) = send(format!("check_in={check_in}&rating=5&comment=Lovely%2C+thank+you")).await;
    assert_eq!(s, StatusCode::OK);
    assert!(html.contains("Thank you") && html.contains("does not diagnose"));
    let (s, _) = send(format!("check_in={check_in}")).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "empty feedback is not stored");
    let (s, _) = send(format!("check_in={}&rating=3", check_in + 100)).await;
    assert_eq!(s, StatusCode::NOT_FOUND, "only this link's check-ins");
    let owner = sign_in(&app, "owner@calm.example", PASSWORD).await.unwrap();
    let (_, page) = owner.get(&format!("/clients/{client}")).await;
    assert!(page.contains("5 of 5, “Lovely, thank you”"), "the clinic sees the feedback");
}

fn code_in(html: &str, id: &str) -> String {
    let marker = format!("<code id=\"{id}\">");
    let at = html.find(&marker).unwrap() + marker.len();
    html[at..at + html[at..].find("</code>").unwrap()].to_owned()
}

async fn post_form<S: Store>(app: &App<S>, url: &str, body: &str) -> (StatusCode, String) {
    let r = app
        .http
        .post(url)
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .body(body.to_owned())
        .send()
        .await
        .unwrap();
    (r.status(), r.text().await.unwrap())
}

async fn new_clients_fill_their_intake_from_the_public_link<S: Store>(app: App<S>) {
    let owner = sign_in(&app, "owner@calm.example", PASSWORD).await.unwrap();
    let csrf = owner.csrf().await;
    let (s, html) = owner.post("/settings/intake-link", &format!("csrf={csrf}"), None).await;
    assert_eq!(s, StatusCode::OK);
    let link = code_in(&html, "public-link");
    let form = app.http.get(&link).send().await.unwrap().text().await.unwrap();
    assert!(form.contains("Before your massage") && form.contains("Your name") && form.contains("href=\"tel:999\""));

    let (s, html) =
        post_form(&app, &link, "name=Lena+Park&email=lena%40example.com&goal=relaxation&first_massage=yes").await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "consent is required");
    assert!(html.contains("Tick the box to agree") && html.contains("Lena Park"), "answers are kept on the page");
    let (_, none) = owner.get("/clients?q=lena").await;
    assert!(none.contains("No clients match"), "nothing stored from a refused form");

    let body = "name=Lena+Park&email=lena%40example.com&timezone=America%2FNew_York&goal=relaxation&condition=open_wounds&areas_open_wounds=forearms&first_massage=yes&usual_pain=2&consent=yes";
    let (s, html) = post_form(&app, &link, body).await;
    assert_eq!(s, StatusCode::OK);
    assert!(html.contains("Thank you"));
    let (s, _) = post_form(&app, &link, &body.replace("Lena+Park", "Omar+Said").replace("lena%40", "omar%40")).await;
    assert_eq!(s, StatusCode::OK, "the public link takes many clients");
    let (_, list) = owner.get("/clients?q=lena").await;
    let at = list.find("href=\"/clients/").unwrap() + "href=\"/clients/".len();
    let id: String = list[at..].chars().take_while(char::is_ascii_digit).collect();
    let (_, page) = owner.get(&format!("/clients/{id}")).await;
    assert!(page.contains("avoid area") && page.contains("(forearms)"), "the screening uses the client's answers");
    assert!(page.contains("time zone America/New_York"), "the browser's time zone is kept for the messages");

    // A new public link replaces the old one.
    let (_, html) = owner.post("/settings/intake-link", &format!("csrf={csrf}"), None).await;
    assert_ne!(code_in(&html, "public-link"), link);
    assert_eq!(app.http.get(&link).send().await.unwrap().status(), StatusCode::NOT_FOUND);
}

async fn a_clients_own_intake_link_works_once<S: Store>(app: App<S>) {
    let client = app.new_client(&app.a.owner).await;
    let desk = sign_in(&app, "desk@calm.example", PASSWORD).await.unwrap();
    let csrf = desk.csrf().await;
    let (s, html) = desk.post(&format!("/clients/{client}/intake-link"), &format!("csrf={csrf}"), None).await;
    assert_eq!(s, StatusCode::CREATED);
    let link = code_in(&html, "intake-link");
    let form = app.http.get(&link).send().await.unwrap().text().await.unwrap();
    assert!(!form.contains("Your name"), "the client is known: no name asked");
    let (s, _) = post_form(&app, &link, "goal=pregnancy&condition=pregnant&first_massage=no&consent=yes").await;
    assert_eq!(s, StatusCode::OK);
    let (s, html) = post_form(&app, &link, "goal=relaxation&first_massage=no&consent=yes").await;
    assert_eq!(s, StatusCode::NOT_FOUND, "used once");
    assert!(html.contains("Warning signs"));
    let (_, shown) = app.get(&format!("/api/v1/clients/{client}"), &app.a.owner).await;
    assert_eq!(shown["intake"]["answers"]["goals"], json!(["pregnancy"]));

    let other = sign_in(&app, "owner@other.example", PASSWORD).await.unwrap();
    let other_csrf = other.csrf().await;
    let (s, _) = other.post(&format!("/clients/{client}/intake-link"), &format!("csrf={other_csrf}"), None).await;
    assert_eq!(s, StatusCode::NOT_FOUND, "another clinic's client");
}

async fn the_owner_sets_the_check_in_schedule_that_sessions_follow<S: Store>(app: App<S>) {
    let owner = sign_in(&app, "owner@calm.example", PASSWORD).await.unwrap();
    let csrf = owner.csrf().await;
    let (_, page) = owner.get("/settings").await;
    assert!(page.contains("value=\"24, 48\""), "the policy's default");
    for bad in ["", "48, 24", "0", "24, 24", "1, 2, 3, 4, 5", "400", "soon"] {
        let (s, _) = owner.post("/settings/schedule", &format!("csrf={csrf}&hours={bad}"), None).await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{bad:?}");
    }
    let (s, _) = owner.post("/settings/schedule", &format!("csrf={csrf}&hours=12%2C+36%2C+96"), None).await;
    assert_eq!(s, StatusCode::SEE_OTHER);
    let (_, session) = app.session(&app.a.therapist, json!({"first_massage": false}), leg_session()).await;
    let due: Vec<&str> =
        session["follow_ups"].as_array().unwrap().iter().map(|f| f["due_at"].as_str().unwrap()).collect();
    assert_eq!(due, vec!["2026-11-27T21:00:00Z", "2026-11-28T21:00:00Z", "2026-12-01T09:00:00Z"]);
}

async fn the_owner_rewords_the_client_messages_with_their_variables<S: Store>(app: App<S>) {
    let owner = sign_in(&app, "owner@calm.example", PASSWORD).await.unwrap();
    let csrf = owner.csrf().await;
    let (_, page) = owner.get("/settings").await;
    assert!(page.contains("For example: Hello Ada, thank you for your massage at Calm."));
    let (s, html) =
        owner.post("/settings/messages", &format!("csrf={csrf}&plan_message=Hi+%7Bfirst_name%7D"), None).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(html.contains("must contain {link}"));
    let (s, _) = owner
        .post(
            "/settings/messages",
            &format!("csrf={csrf}&plan_message=Hi+%7Bfirst_name%7D%2C+your+plan%3A+%7Blink%7D"),
            None,
        )
        .await;
    assert_eq!(s, StatusCode::SEE_OTHER);
    let (_, page) = owner.get("/settings").await;
    assert!(page.contains("For example: Hi Ada, your plan:"), "the new wording is shown filled in");
}

async fn sign_in_refuses_control_characters_in_next_and_other_sites<S: Store>(app: App<S>) {
    let http = no_redirects();
    let r = http
        .post(format!("{}/sign-in", app.base))
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .body(format!("email=owner%40calm.example&password={}&next=%2F%09%2Fevil.example", PASSWORD.replace(' ', "+")))
        .send()
        .await
        .unwrap();
    assert_eq!(r.headers()[header::LOCATION], "/", "a tab would make /\t/evil.example an off-site address");
    let r = http
        .post(format!("{}/sign-in", app.base))
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .header(header::ORIGIN, "https://evil.example")
        .body(format!("email=owner%40calm.example&password={}", PASSWORD.replace(' ', "+")))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::FORBIDDEN, "no signing in from another site");
    let r = http
        .post(format!("{}/sign-in", app.base))
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .header(header::ORIGIN, "null")
        .body(format!("email=owner%40calm.example&password={}", PASSWORD.replace(' ', "+")))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::FORBIDDEN, "no signing in from an opaque origin (a sandboxed frame)");
    let owner = sign_in(&app, "owner@calm.example", PASSWORD).await.unwrap();
    let csrf = owner.csrf().await;
    let lookalike = format!("{}0", app.base);
    let (s, _) = owner.post("/clients", &format!("csrf={csrf}&name=X"), Some(&lookalike)).await;
    assert_eq!(s, StatusCode::FORBIDDEN, "the Origin must match exactly, not by prefix");
}

async fn failed_sign_ins_are_limited_per_address<S: Store>(app: App<S>) {
    for _ in 0..web::rate_limit::REQUESTS_PER_WINDOW {
        assert_eq!(sign_in(&app, "owner@calm.example", "guess").await.err().unwrap().0, StatusCode::UNAUTHORIZED);
    }
    let (s, _) =
        sign_in(&app, "owner@calm.example", PASSWORD).await.err().expect("limited even with the right password");
    assert_eq!(s, StatusCode::TOO_MANY_REQUESTS);
    app.advance_hours(0.02);
    assert!(sign_in(&app, "owner@calm.example", PASSWORD).await.is_ok(), "a new window lets the address in again");
}

async fn staff_forms_check_phone_numbers_and_time_zones_and_a_second_acknowledgement_is_refused<S: Store>(app: App<S>) {
    let owner = sign_in(&app, "owner@calm.example", PASSWORD).await.unwrap();
    let csrf = owner.csrf().await;
    let (s, html) = owner.post("/clients", &format!("csrf={csrf}&name=Pat&phone=call+me"), None).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(html.contains("6 to 15 digits"));
    let (s, html) = owner.post("/clients", &format!("csrf={csrf}&name=Pat&timezone=Mars%2FOlympus"), None).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(html.contains("“Mars/Olympus” is not a time zone"));
    let (s, to) = owner.post("/clients", &format!("csrf={csrf}&name=Pat&timezone=America%2FNew_York"), None).await;
    assert_eq!(s, StatusCode::SEE_OTHER);
    let (_, page) = owner.get(&to).await;
    assert!(page.contains("time zone America/New_York"), "the client's messages follow their own time zone");

    let (_, session) = app.session(&app.a.therapist, json!({"first_massage": false}), leg_session()).await;
    let link = session["follow_ups"][0]["check_in_url"].as_str().unwrap().to_owned();
    app.call(reqwest::Method::POST, &link, None, Some(json!({"soreness": 2, "symptoms": ["headache"]}))).await;
    let (_, alerts) = app.get("/api/v1/alerts", &app.a.owner).await;
    let id = alerts["alerts"][0]["id"].as_i64().unwrap();
    let path = format!("/api/v1/alerts/{id}/acknowledge");
    let (s, _) = app.post(&path, &app.a.therapist, json!({"note": "first"})).await;
    assert_eq!(s, StatusCode::OK);
    app.advance_hours(0.1);
    let (s, e) = app.post(&path, &app.a.owner, json!({"note": "second"})).await;
    assert_eq!((s, e["error"]["code"].as_str()), (StatusCode::CONFLICT, Some("conflict")));
    let (_, all) = app.get("/api/v1/alerts?status=all", &app.a.owner).await;
    assert_eq!(all["alerts"][0]["note"], "first");
}

async fn staff_stop_and_resume_a_clients_messages_set_the_alert_address_and_see_failed_messages<S: Store>(app: App<S>) {
    let (client_id, _) = app
        .session(&app.a.therapist, json!({"goals": ["relaxation"], "first_massage": false}), crate::api::leg_session())
        .await;
    let owner = sign_in(&app, "owner@calm.example", PASSWORD).await.unwrap();
    let csrf = owner.csrf().await;
    let (_, page) = owner.get(&format!("/clients/{client_id}")).await;
    assert!(page.contains("Gets the aftercare plan and check-ins by e-mail"), "{page}");
    assert!(page.contains("Messages (5)"), "the session's messages are listed");
    let (s, to) =
        owner.post(&format!("/clients/{client_id}/messages"), &format!("csrf={csrf}&action=stop"), None).await;
    assert_eq!((s, to.as_str()), (StatusCode::SEE_OTHER, format!("/clients/{client_id}").as_str()));
    let clinic = app.store.clinics().await.unwrap().remove(0);
    assert!(app.store.client(clinic.id, ClientId(client_id)).await.unwrap().unwrap().opted_out_at.is_some());
    let (_, page) = owner.get(&format!("/clients/{client_id}")).await;
    assert!(page.contains("Messages stopped") && page.contains("Resume messages"));
    let (s, _) = owner.post(&format!("/clients/{client_id}/messages"), "csrf=nope&action=resume", None).await;
    assert_eq!(s, StatusCode::FORBIDDEN, "CSRF-protected");
    owner.post(&format!("/clients/{client_id}/messages"), &format!("csrf={csrf}&action=resume"), None).await;
    assert!(app.store.client(clinic.id, ClientId(client_id)).await.unwrap().unwrap().opted_out_at.is_none());
    let (s, _) =
        owner.post(&format!("/clients/{client_id}/messages"), &format!("csrf={csrf}&action=maybe"), None).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);

    // The alert address: an e-mail or a phone number, else a clear error; empty clears it.
    let (s, html) = owner.post("/settings/alerts", &format!("csrf={csrf}&alert_to=not+an+address"), None).await;
    assert!(html.contains("is neither an e-mail address nor a phone number"), "{s} {html}");
    owner.post("/settings/alerts", &format!("csrf={csrf}&alert_to=Desk%40Calm.example"), None).await;
    assert_eq!(app.store.clinic(clinic.id).await.unwrap().unwrap().alert_to.as_deref(), Some("desk@calm.example"));
    owner.post("/settings/alerts", &format!("csrf={csrf}&alert_to="), None).await;
    assert_eq!(app.store.clinic(clinic.id).await.unwrap().unwrap().alert_to, None);

    // A message that failed for good is on the dashboard with its reason.
    let now = store::Timestamp(T0);
    let claimed = app.store.claim_messages(now, now.plus_hours(1), "w", 1).await.unwrap().remove(0);
    let failed = store::MessageOutcome::Failed {
        channel: Some("email".into()),
        error: "SMTP: 550 mailbox unavailable (after 8 attempts)".into(),
    };
    assert!(app.store.finish_message(clinic.id, claimed.id, "w", failed, now).await.unwrap());
    let (_, html) = owner.get("/").await;
    assert!(html.contains("Messages that could not be sent"));
    assert!(html.contains("550 mailbox unavailable"));
    assert!(html.contains(&format!("/clients/{client_id}")));
}

async fn the_client_list_comes_a_hundred_at_a_time_with_a_next_link<S: Store>(app: App<S>) {
    let mut ids = Vec::new();
    for i in 0..130 {
        // Names that sort differently by case, and twins that only the id tells apart.
        let name = if i % 2 == 0 { format!("client {:03}", i / 2) } else { format!("Client {:03}", i / 2) };
        let (s, c) = app.post("/api/v1/clients", &app.a.owner, json!({"name": name})).await;
        assert_eq!(s, StatusCode::CREATED);
        ids.push(c["id"].as_i64().unwrap());
    }
    let owner = sign_in(&app, "owner@calm.example", PASSWORD).await.unwrap();
    let shown = |page: &str| -> Vec<i64> {
        page.split("<td><a href=\"/clients/").skip(1).filter_map(|r| r.split('"').next()?.parse().ok()).collect()
    };
    let (s, first) = owner.get("/clients").await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(shown(&first).len(), 100);
    let next = first.split("after=").nth(1).and_then(|r| r.split('"').next()).unwrap_or_else(|| panic!("{first}"));
    let (s, second) = owner.get(&format!("/clients?q=&after={next}")).await;
    assert_eq!(s, StatusCode::OK);
    assert!(!second.contains("Next clients"), "the last page has no next link");
    let mut all: Vec<i64> = shown(&first).into_iter().chain(shown(&second)).collect();
    assert_eq!(all.len(), 130, "no client twice");
    all.sort();
    ids.sort();
    assert_eq!(all, ids, "none missing");
    let (s, _) = owner.get("/clients?after=zz.1").await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "a cursor the list never gave is refused");
}

async fn each_kind_of_knocking_has_its_own_budget<S: Store>(app: App<S>) {
    // Sixty-odd bad client links from one address do not lock its staff out of signing in.
    for _ in 0..(web::rate_limit::REQUESTS_PER_WINDOW + 5) {
        app.http.get(format!("{}/c/{}", app.base, "0".repeat(64))).send().await.unwrap();
    }
    let bad = app.http.get(format!("{}/c/{}", app.base, "0".repeat(64))).send().await.unwrap();
    assert_eq!(bad.status(), StatusCode::TOO_MANY_REQUESTS, "bad links are limited");
    let owner = sign_in(&app, "owner@calm.example", PASSWORD).await.expect("staff can still sign in");

    // The public intake link takes twenty new clients an hour from one address.
    let csrf = owner.csrf().await;
    let (_, html) = owner.post("/settings/intake-link", &format!("csrf={csrf}"), None).await;
    let link = code_in(&html, "public-link");
    for i in 0..20 {
        let body = format!("name=Client+{i}&email=c{i}%40example.com&goal=relaxation&first_massage=yes&consent=yes");
        let (s, _) = post_form(&app, &link, &body).await;
        assert_eq!(s, StatusCode::OK, "new client {i}");
    }
    let body = "name=One+More&email=more%40example.com&goal=relaxation&first_massage=yes&consent=yes";
    assert_eq!(post_form(&app, &link, body).await.0, StatusCode::TOO_MANY_REQUESTS, "the 21st in an hour waits");
    app.advance_hours(1.1);
    assert_eq!(post_form(&app, &link, body).await.0, StatusCode::OK, "an hour later it is taken");
}

/// A new client on the clinic's public intake link reads it in their browser's language,
/// is asked the language of their messages, and has it recorded.
async fn the_public_intake_link_speaks_the_browsers_language_and_records_it<S: Store>(app: App<S>) {
    let owner = sign_in(&app, "owner@calm.example", PASSWORD).await.unwrap();
    let csrf = owner.csrf().await;
    let (_, html) = owner.post("/settings/intake-link", &format!("csrf={csrf}"), None).await;
    let link = code_in(&html, "public-link");
    let page = app.http.get(&link).header("accept-language", "es-ES,es;q=0.9").send().await.unwrap();
    let page = page.text().await.unwrap();
    assert!(page.contains("<html lang=\"es\">"), "{page}");
    assert!(page.contains(r#"value="es" checked"#), "Spanish is chosen for the messages: {page}");
    assert!(page.contains(&format!("action=\"{}?lang=es\"", link.trim_start_matches(&app.base))), "{page}");
    let body =
        "name=Luc%C3%ADa+Torres&email=lucia%40example.com&language=es&goal=relaxation&first_massage=yes&consent=yes";
    let (s, done) = post_form(&app, &format!("{link}?lang=es"), body).await;
    assert_eq!(s, StatusCode::OK, "{done}");
    assert!(done.contains("<html lang=\"es\">"));
    let (_, list) = owner.get("/clients?q=Torres").await;
    let id = list.split("<td><a href=\"/clients/").nth(1).and_then(|r| r.split('"').next()).unwrap().to_owned();
    let (_, record) = app.get(&format!("/api/v1/clients/{id}"), &app.a.owner).await;
    assert_eq!(record["language"], "es", "{record}");
    let (_, client_page) = owner.get(&format!("/clients/{id}")).await;
    assert!(client_page.contains("pages and messages in Español"), "staff see it");
}

// ----- Care policy v1.2 -----

/// A client's own intake link, made by the front desk.
async fn own_intake_link<S: Store>(app: &App<S>) -> (i64, String) {
    let client = app.new_client(&app.a.owner).await;
    let desk = sign_in(app, "desk@calm.example", PASSWORD).await.unwrap();
    let csrf = desk.csrf().await;
    let (_, html) = desk.post(&format!("/clients/{client}/intake-link"), &format!("csrf={csrf}"), None).await;
    (client, code_in(&html, "intake-link"))
}

async fn pregnancy_weeks_are_asked_at_intake_and_worked_out_at_the_check_in<S: Store>(app: App<S>) {
    let (client, link) = own_intake_link(&app).await;
    // Weeks without a pregnancy ticked: asked to fix it, nothing stored.
    let (s, html) = post_form(&app, &link, "goal=relaxation&first_massage=no&pregnancy_weeks=18&consent=yes").await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(html.contains("no pregnancy is ticked"), "{html}");
    // The due date 22 weeks from the clock's 2026-11-27: 18 weeks pregnant on the intake's date.
    let body = "goal=pregnancy&condition=pregnant&first_massage=no&due_date=2027-04-30&consent=yes";
    let (s, html) = post_form(&app, &link, body).await;
    assert_eq!(s, StatusCode::OK, "{html}");
    let (_, shown) = app.get(&format!("/api/v1/clients/{client}"), &app.a.owner).await;
    assert_eq!(shown["intake"]["answers"]["pregnancy_weeks"], 18, "{shown}");

    // A session three weeks later: a headache (not sudden) at 21 weeks goes to the maternity unit.
    app.advance_hours(21.0 * 24.0);
    let mut session = leg_session();
    session["client_id"] = json!(client);
    session["massage_type"] = json!("prenatal");
    session["pressure"] = json!("light");
    let (s, recorded) = app.post("/api/v1/sessions", &app.a.therapist, session).await;
    assert_eq!(s, StatusCode::CREATED, "{recorded}");
    let check_in = recorded["follow_ups"][0]["check_in_url"].as_str().unwrap().to_owned();
    app.advance_hours(24.0);
    let body = json!({"soreness": 1, "symptoms": ["headache"], "follow_ups": {"headache": "no"}});
    let (_, answer) = app.call(reqwest::Method::POST, &check_in, None, Some(body)).await;
    assert_eq!(answer["level"], "doctor", "{answer}");
    assert_eq!(answer["label"], "Call your maternity unit now");
    let rules: Vec<&str> = answer["fired"].as_array().unwrap().iter().map(|f| f["rule"].as_str().unwrap()).collect();
    assert!(rules.contains(&"D-pregnancy"), "{rules:?}");
}

async fn a_postponed_intake_tells_the_client_not_to_come_in_today<S: Store>(app: App<S>) {
    let (_, link) = own_intake_link(&app).await;
    let (s, html) =
        post_form(&app, &link, "goal=relaxation&condition=fever_or_infection&first_massage=no&consent=yes").await;
    assert_eq!(s, StatusCode::OK, "{html}");
    assert!(html.contains("Please do not come in today"), "{html}");
    assert!(html.contains("Please see a doctor first"), "{html}");
    let (_, link) = own_intake_link(&app).await;
    let (_, html) = post_form(&app, &link, "goal=relaxation&condition=osteoporosis&first_massage=no&consent=yes").await;
    assert!(html.contains("Thank you") && !html.contains("do not come in"), "{html}");
}

async fn staff_read_what_could_not_be_read_and_the_signs_a_note_mentions<S: Store>(app: App<S>) {
    let (client, session) = app.session(&app.a.therapist, json!({"first_massage": false}), leg_session()).await;
    let link = session["follow_ups"][0]["check_in_url"].as_str().unwrap().to_owned();
    app.advance_hours(24.0);
    let note = json!({"soreness": 2, "symptoms": [], "note": "a bit of chest pain this morning"});
    app.call(reqwest::Method::POST, &link, None, Some(note)).await;
    let owner = sign_in(&app, "owner@calm.example", PASSWORD).await.unwrap();
    let (_, queue) = owner.get("/alerts").await;
    assert!(
        queue.contains("The note mentions a warning sign: Pain, pressure or tightness inside your chest"),
        "{queue}"
    );
    let link2 = session["follow_ups"][1]["check_in_url"].as_str().unwrap().to_owned();
    let refused = json!({"soreness": 2, "symptoms": [], "temperature_c": 29.0});
    app.call(reqwest::Method::POST, &link2, None, Some(refused)).await;
    let (_, page) = owner.get(&format!("/clients/{client}")).await;
    assert!(page.contains("This answer could not be read, so it was not sorted"), "{page}");
    assert!(page.contains("from 30 to 45"), "what was wrong is shown to staff: {page}");
}

async fn the_session_form_takes_the_babys_date_of_birth_for_an_infant_massage<S: Store>(app: App<S>) {
    let client = app.new_client(&app.a.owner).await;
    let therapist = sign_in(&app, "ther@calm.example", PASSWORD).await.unwrap();
    let csrf = therapist.csrf().await;
    let (_, form) = therapist.get(&format!("/clients/{client}/sessions/new")).await;
    assert!(form.contains("name=\"baby_birth_date\""), "the form asks for it");
    let infant = format!("csrf={csrf}&massage_type=infant&pressure=light&area=abdomen&action=save");
    let (s, html) = therapist.post(&format!("/clients/{client}/sessions"), &infant, None).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(html.contains("The baby&#39;s date of birth: is required for an infant session"), "{html}");
    assert!(html.contains("value=\"\""), "the form is shown again");
    let (s, html) = therapist
        .post(&format!("/clients/{client}/sessions"), &format!("{infant}&baby_birth_date=2026-09-01"), None)
        .await;
    assert_eq!(s, StatusCode::CREATED, "{html}");
    let (_, shown) = app.get(&format!("/api/v1/clients/{client}"), &app.a.owner).await;
    assert_eq!(shown["sessions"][0]["massage_type"], "infant", "{shown}");
    assert_eq!(shown["sessions"][0]["baby_birth_date"], "2026-09-01");
}

async fn every_note_is_listed_on_the_dashboard_for_the_therapist_to_read<S: Store>(app: App<S>) {
    let (_, session) = app.session(&app.a.therapist, json!({"first_massage": false}), leg_session()).await;
    let link = session["follow_ups"][0]["check_in_url"].as_str().unwrap().to_owned();
    app.advance_hours(24.0);
    let calm = json!({"soreness": 2, "symptoms": [], "note": "Slept well, thank you"});
    app.call(reqwest::Method::POST, &link, None, Some(calm)).await;
    app.call(reqwest::Method::POST, &link, None, Some(json!({"soreness": 2, "symptoms": []}))).await;
    let owner = sign_in(&app, "owner@calm.example", PASSWORD).await.unwrap();
    let (_, dashboard) = owner.get("/").await;
    assert!(dashboard.contains("What clients wrote, last 7 days"), "{dashboard}");
    assert!(dashboard.contains("“Slept well, thank you”"), "a self-care note is listed too: {dashboard}");
    assert_eq!(dashboard.matches("“Slept well").count(), 1, "only answers with a note");
    let other = sign_in(&app, "owner@other.example", PASSWORD).await.unwrap();
    let (_, theirs) = other.get("/").await;
    assert!(!theirs.contains("Slept well") && theirs.contains("No notes from clients this week"));
    // A week later the note has left the list (it stays on the client's page).
    app.advance_hours(24.0 * 8.0);
    let (_, later) = owner.get("/").await;
    assert!(!later.contains("Slept well"));
}

/// Check-ins due in the last 30 days and how many were answered: today's from the rows, the
/// days before from the tallies, and none once they are over 30 days old.
async fn the_dashboard_counts_the_check_ins_answered_in_the_last_30_days<S: Store>(app: App<S>) {
    let (_, session) = app.session(&app.a.therapist, json!({"first_massage": false}), leg_session()).await;
    let follow_ups = session["follow_ups"].as_array().unwrap();
    assert_eq!(follow_ups.len(), 2, "{session}");
    let link = follow_ups[0]["check_in_url"].as_str().unwrap().to_owned();
    // Signed in afresh each time: a staff sign-in lasts less than the days this test spans.
    let dashboard = async || sign_in(&app, "owner@calm.example", PASSWORD).await.unwrap().get("/").await.1;
    let before = dashboard().await;
    assert!(before.contains("No check-ins were due in the last 30 days."), "{before}");
    // A minute after the first was due, answered at once.
    app.advance_hours(24.0 + 1.0 / 60.0);
    app.call(reqwest::Method::POST, &link, None, Some(json!({"soreness": 2, "symptoms": []}))).await;
    let first = dashboard().await;
    assert!(first.contains("1 of 1 check-ins due were answered."), "{first}");
    // The second, due a day later, is never answered.
    app.advance_hours(24.0);
    let second = dashboard().await;
    assert!(second.contains("1 of 2 check-ins due were answered."), "{second}");
    // Days later both are in the days before today.
    app.advance_hours(24.0 * 3.0);
    let later = dashboard().await;
    assert!(later.contains("50%") && later.contains("1 of 2 check-ins due were answered."), "{later}");
    let other = sign_in(&app, "owner@other.example", PASSWORD).await.unwrap();
    let (_, theirs) = other.get("/").await;
    assert!(theirs.contains("No check-ins were due in the last 30 days."), "another clinic's: {theirs}");
    // Over 30 days after they were due, they have left the count.
    app.advance_hours(24.0 * 31.0);
    let gone = dashboard().await;
    assert!(gone.contains("No check-ins were due in the last 30 days."), "{gone}");
}

fn is_html(r: &reqwest::Response) -> bool {
    r.headers().get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).is_some_and(|v| v.starts_with("text/html"))
}

/// A browser reads every error as a page, never as JSON: the staff's in the staff layout, a
/// client's with the warning signs; the framework's own rejections too.
async fn every_error_from_a_staff_or_client_page_is_a_page<S: Store>(app: App<S>) {
    let owner = sign_in(&app, "owner@calm.example", PASSWORD).await.unwrap();
    let desk = sign_in(&app, "desk@calm.example", PASSWORD).await.unwrap();
    let (_, session) = app.session(&app.a.therapist, json!({"first_massage": false}), leg_session()).await;
    let link = session["follow_ups"][0]["check_in_url"].as_str().unwrap().to_owned();
    app.call(reqwest::Method::POST, &link, None, Some(json!({"soreness": 2, "symptoms": ["headache"]}))).await;
    let (_, alerts) = app.get("/api/v1/alerts", &app.a.owner).await;
    let alert = alerts["alerts"][0]["id"].as_i64().unwrap();
    let dashboard = owner.get("/").await.1;
    let csrf = dashboard.split("name=\"csrf\" value=\"").nth(1).unwrap().split('"').next().unwrap().to_owned();

    let form = |who: &Staff, path: &str, body: String| {
        who.http
            .post(format!("{}{path}", who.base))
            .header(header::COOKIE, &who.cookie)
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .body(body)
    };
    let get = |who: &Staff, path: &str| who.http.get(format!("{}{path}", who.base)).header(header::COOKIE, &who.cookie);
    let cases = vec![
        ("front desk opens settings", get(&desk, "/settings"), StatusCode::FORBIDDEN, "Not allowed"),
        ("a client id that is not a number", get(&owner, "/clients/abc"), StatusCode::NOT_FOUND, "Client not found"),
        ("another clinic's client", get(&owner, "/clients/999999"), StatusCode::NOT_FOUND, "Client not found"),
        (
            "a form without its token",
            form(&owner, "/clients", "name=X".into()),
            StatusCode::FORBIDDEN,
            "reload the page",
        ),
        ("a page that does not exist", get(&owner, "/nowhere"), StatusCode::NOT_FOUND, "Not found"),
        (
            "a wrong method",
            form(&owner, "/alerts", String::new()),
            StatusCode::METHOD_NOT_ALLOWED,
            "cannot be used this way",
        ),
        (
            "a note over 2000 characters",
            form(&owner, &format!("/alerts/{alert}/acknowledge"), format!("csrf={csrf}&note={}", "a".repeat(2001))),
            StatusCode::UNPROCESSABLE_ENTITY,
            "Note: at most 2000 characters",
        ),
    ];
    for (what, request, status, says) in cases {
        let r = request.send().await.unwrap();
        assert_eq!(r.status(), status, "{what}");
        assert!(is_html(&r), "{what}: a page, not {:?}", r.headers().get(header::CONTENT_TYPE));
        let page = r.text().await.unwrap();
        assert!(page.contains(says), "{what}: {page}");
        assert!(page.contains("/assets/staff.css"), "{what}: in the staff layout");
    }
    let ack = form(&owner, &format!("/alerts/{alert}/acknowledge"), format!("csrf={csrf}&note=called"));
    assert_eq!(ack.send().await.unwrap().status(), StatusCode::SEE_OTHER);
    let again = form(&owner, &format!("/alerts/{alert}/acknowledge"), format!("csrf={csrf}&note=again"));
    let r = again.send().await.unwrap();
    assert_eq!(r.status(), StatusCode::CONFLICT);
    assert!(is_html(&r) && r.text().await.unwrap().contains("already acknowledged"), "a conflict is a page");

    // A client's pages: the client frame, with the warning signs.
    let client_cases = vec![
        (
            "a link that does not work",
            app.http.get(format!("{}/c/{}", app.base, "0".repeat(64))),
            StatusCode::NOT_FOUND,
        ),
        ("a wrong method on a link", app.http.put(format!("{link}/plan")), StatusCode::METHOD_NOT_ALLOWED),
        (
            "a form over the size limit",
            app.http
                .post(format!("{link}/feedback"))
                .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
                .body(format!("comment={}", "a".repeat(70 * 1024))),
            StatusCode::PAYLOAD_TOO_LARGE,
        ),
    ];
    for (what, request, status) in client_cases {
        let r = request.send().await.unwrap();
        assert_eq!(r.status(), status, "{what}");
        assert!(is_html(&r), "{what}: a page");
        let page = r.text().await.unwrap();
        assert!(page.contains("/assets/client.css") && page.contains("emergency"), "{what}: the warning signs: {page}");
    }
    // The same link read as JSON still answers JSON.
    let (s, body) =
        app.call(reqwest::Method::POST, &format!("{}/c/{}", app.base, "0".repeat(64)), None, Some(json!({}))).await;
    assert_eq!((s, body["error"]["code"].as_str()), (StatusCode::NOT_FOUND, Some("not_found")));
}

/// A database error is a 500 whose cause goes to the log with the request's id, never to the
/// person: the API answers the documented body, a staff page a page, neither naming the cause.
#[tokio::test]
async fn a_database_error_is_logged_with_its_cause_and_request_id_and_not_shown() {
    logs();
    let dir = std::env::temp_dir().join(format!("aftercare-web-db-error-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let app = spawn_app_in(&dir).await;
    let owner = sign_in(&app, "owner@calm.example", PASSWORD).await.unwrap();
    let conn = rusqlite::Connection::open(dir.join("aftercare.db")).unwrap();
    conn.execute_batch("DROP TABLE products").unwrap();

    let r =
        owner.http.get(format!("{}/settings", owner.base)).header(header::COOKIE, &owner.cookie).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::INTERNAL_SERVER_ERROR);
    let page_id = r.headers()["x-request-id"].to_str().unwrap().to_owned();
    assert!(is_html(&r));
    let page = r.text().await.unwrap();
    assert!(page.contains("Something went wrong") && !page.contains("products"), "the cause is not shown: {page}");

    let r = app.http.get(format!("{}/api/v1/alerts", app.base)).bearer_auth(&app.a.owner).send().await.unwrap();
    let (status, api_id) = (r.status(), r.headers()["x-request-id"].to_str().unwrap().to_owned());
    let body: serde_json::Value = r.json().await.unwrap();
    // Alerts do not read products: this one succeeds, and its id is logged as answered.
    assert_eq!(status, StatusCode::OK, "{body}");

    let log = logs();
    let failed: Vec<&str> = log.lines().filter(|l| l.contains(&page_id)).collect();
    assert!(
        failed
            .iter()
            .any(|l| l.contains("ERROR") && l.contains("no such table: products") && l.contains("route=/settings")),
        "the 500's cause is logged with its request id: {failed:#?}"
    );
    assert!(
        log.lines().any(|l| l.contains(&api_id) && l.contains("status=200")),
        "each request is logged once answered"
    );
    conn.close().map_err(|(_, e)| e).unwrap();
    app.store.close().await;
    let _ = std::fs::remove_dir_all(&dir);
}

/// A therapist acting on an alert reads what the client said, in plain words, and can call
/// them in one tap: soreness and trend, sore areas and each symptom by its label, the
/// temperature in both scales, the note, how long after the session; each rule's clinical
/// reason and what the client was told, with the rule's id beside it. The client's page
/// shows the same answers, and each session's techniques, notes and who recorded it.
async fn an_alert_shows_what_the_client_said_in_plain_words<S: Store>(app: App<S>) {
    let kb = care::Knowledge::builtin().unwrap();
    let (s, c) =
        app.post("/api/v1/clients", &app.a.owner, json!({"name": "Tom Baker", "phone": "+44 7700 900123"})).await;
    assert_eq!(s, StatusCode::CREATED, "{c}");
    let client_id = c["id"].as_i64().unwrap();
    let (s, _) =
        app.post(&format!("/api/v1/clients/{client_id}/intake"), &app.a.owner, json!({"first_massage": false})).await;
    assert_eq!(s, StatusCode::OK);
    let mut session = leg_session();
    session["client_id"] = json!(client_id);
    session["notes"] = json!("Tight left calf, worked gently");
    let (s, recorded) = app.post("/api/v1/sessions", &app.a.therapist, session).await;
    assert_eq!(s, StatusCode::CREATED, "{recorded}");
    let link = recorded["follow_ups"][0]["check_in_url"].as_str().unwrap().to_owned();
    app.advance_hours(26.0);
    let answer = json!({"soreness": 7, "sore_areas": ["calves"], "symptoms": ["one_leg_swelling"],
                        "temperature_c": 38.4, "note": "my left calf is hot"});
    let (s, told) = app.call(reqwest::Method::POST, &link, None, Some(answer)).await;
    assert_eq!(s, StatusCode::OK, "{told}");
    let fired: Vec<String> =
        told["fired"].as_array().unwrap().iter().map(|f| f["rule"].as_str().unwrap().to_owned()).collect();
    assert!(!fired.is_empty(), "{told}");

    let owner = sign_in(&app, "owner@calm.example", PASSWORD).await.unwrap();
    let label = |code: &str| kb.vocabulary.symptoms.by_code(code).unwrap().label.clone();
    let (_, alerts) = app.get("/api/v1/alerts", &app.a.owner).await;
    let alert_id = alerts["alerts"][0]["id"].as_i64().unwrap();
    for page in ["/alerts", "/", &format!("/clients/{client_id}"), &format!("/alerts/{alert_id}")] {
        let (s, html) = owner.get(page).await;
        assert_eq!(s, StatusCode::OK, "{page}");
        for said in [
            "7 out of 10",
            "calves",
            &label("one_leg_swelling"),
            "38.4 °C (101.1 °F)",
            "“my left calf is hot”",
            "26 h after the session",
        ] {
            assert!(html.contains(said), "{page} shows {said}");
        }
        for id in &fired {
            let rule = kb.triage.rules.iter().find(|r| &r.id == id).unwrap();
            assert!(html.contains(&rule.clinical_reason), "{page} gives {id}'s clinical reason");
            assert!(html.contains(id.as_str()), "{page} names {id} beside it");
        }
    }
    let (_, queue) = owner.get("/alerts").await;
    assert!(queue.contains("href=\"tel:+44 7700 900123\""), "the client can be called in one tap");
    let (_, one) = owner.get(&format!("/alerts/{alert_id}")).await;
    assert!(one.contains("href=\"tel:+44 7700 900123\"") && one.contains("Acknowledge"), "the alert's own page");
    let other = sign_in(&app, "owner@other.example", PASSWORD).await.unwrap();
    assert_eq!(other.get(&format!("/alerts/{alert_id}")).await.0, StatusCode::NOT_FOUND, "not another clinic's");
    let (_, page) = owner.get(&format!("/clients/{client_id}")).await;
    assert!(
        page.contains("Techniques: stripping") && page.contains("Tight left calf, worked gently"),
        "the session as recorded"
    );
    assert!(page.contains("Recorded by Calm staff"), "and who recorded it");
}

/// The screening reaches the session form (hazard H15): "no massage today" is a red banner
/// that must be acknowledged before a session is saved, areas to avoid are marked and ticking
/// one must be confirmed, the pressure caps stand beside the pressure, and each
/// acknowledgement is kept in the session's notes.
async fn the_screening_reaches_the_session_form<S: Store>(app: App<S>) {
    let kb = care::Knowledge::builtin().unwrap();
    let therapist = sign_in(&app, "ther@calm.example", PASSWORD).await.unwrap();
    let csrf = therapist.csrf().await;
    let client = |intake: serde_json::Value| {
        let app = &app;
        async move {
            let id = app.new_client(&app.a.owner).await;
            let (s, body) = app.post(&format!("/api/v1/clients/{id}/intake"), &app.a.owner, intake).await;
            assert_eq!(s, StatusCode::OK, "{body}");
            id
        }
    };
    let sessions = |id: i64| {
        let app = &app;
        async move { app.get(&format!("/api/v1/clients/{id}"), &app.a.owner).await.1["sessions"].clone() }
    };

    // Not today: a fever.
    let fever = json!({"conditions": [{"code": "fever_or_infection"}], "first_massage": false});
    let id = client(fever.clone()).await;
    let told = care::screening::postpone_message(&kb, &care::screening::parse_intake(&kb, &fever.to_string()).unwrap())
        .unwrap();
    let (s, form) = therapist.get(&format!("/clients/{id}/sessions/new")).await;
    assert_eq!(s, StatusCode::OK);
    assert!(form.contains("The screening says: no massage today") && form.contains(told), "the red banner: {form}");
    let session = format!("csrf={csrf}&action=save&massage_type=swedish&pressure=light&area=upper_back");
    let (s, page) = therapist.post(&format!("/clients/{id}/sessions"), &session, None).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "not saved without acknowledging it");
    assert!(page.contains("Tick its box to record the session anyway"));
    assert_eq!(sessions(id).await, json!([]), "nothing was saved");
    let (s, _) = therapist.post(&format!("/clients/{id}/sessions"), &format!("{session}&postpone_ack=yes"), None).await;
    assert_eq!(s, StatusCode::CREATED);
    let notes = sessions(id).await[0]["notes"].as_str().unwrap().to_owned();
    assert!(notes.contains("The screening said no massage today; Calm staff recorded the session anyway."), "{notes}");

    // Areas to avoid: varicose veins, the legs.
    let id = client(json!({"conditions": [{"code": "varicose_veins"}], "first_massage": false})).await;
    let (_, form) = therapist.get(&format!("/clients/{id}/sessions/new")).await;
    assert!(form.contains("id=\"area-calves\" name=\"area\" value=\"calves\" data-avoid=\"yes\""), "calves are marked");
    assert!(!form.contains("id=\"area-upper_back\" name=\"area\" value=\"upper_back\" data-avoid"), "the back is not");
    let session = format!(
        "csrf={csrf}&action=save&massage_type=swedish&pressure=light&area=calves&area=upper_back&notes=Light+work"
    );
    let (s, page) = therapist.post(&format!("/clients/{id}/sessions"), &session, None).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(page.contains("You ticked areas the screening says to avoid: calves."), "{page}");
    let (s, _) = therapist.post(&format!("/clients/{id}/sessions"), &format!("{session}&avoid_ack=yes"), None).await;
    assert_eq!(s, StatusCode::CREATED);
    let notes = sessions(id).await[0]["notes"].as_str().unwrap().to_owned();
    assert_eq!(notes, "Light work\nWorked areas the screening says to avoid (calves); confirmed by Calm staff.");

    // The pressure caps, beside the pressure: blood thinners.
    let id = client(json!({"conditions": [{"code": "anticoagulants"}], "first_massage": false})).await;
    let (_, form) = therapist.get(&format!("/clients/{id}/sessions/new")).await;
    assert!(form.contains("<ul class=\"caps\" id=\"caps\"><li>At most"), "the cap is shown: {form}");
}

/// A session can be recorded after the fact, for the local time it ended, within the API's
/// limits (not in the future, not over a year ago), and the form says so in plain words.
async fn a_session_is_recorded_for_the_time_it_ended<S: Store>(app: App<S>) {
    let therapist = sign_in(&app, "ther@calm.example", PASSWORD).await.unwrap();
    let csrf = therapist.csrf().await;
    let (id, _) = app.session(&app.a.owner, json!({"first_massage": false}), leg_session()).await;
    // T0 is 09:00 in London (winter: UTC); the session ended at 07:30 that morning.
    let form = format!(
        "csrf={csrf}&action=save&massage_type=swedish&pressure=light&area=upper_back&ended_at=2026-11-27T07%3A30"
    );
    let (s, _) = therapist.post(&format!("/clients/{id}/sessions"), &form, None).await;
    assert_eq!(s, StatusCode::CREATED);
    let (_, record) = app.get(&format!("/api/v1/clients/{id}"), &app.a.owner).await;
    let ended: Vec<&str> =
        record["sessions"].as_array().unwrap().iter().map(|s| s["ended_at"].as_str().unwrap()).collect();
    assert!(ended.contains(&"2026-11-27T07:30:00Z"), "{ended:?}");
    let future = form.replace("2026-11-27T07%3A30", "2026-11-27T12%3A00");
    let (s, page) = therapist.post(&format!("/clients/{id}/sessions"), &future, None).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(page.contains("When it ended: is in the future"), "{page}");
    let (s, page) = therapist
        .post(&format!("/clients/{id}/sessions"), &form.replace("2026-11-27T07%3A30", "yesterday"), None)
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(page.contains("When it ended: choose a date and a time"), "{page}");
}

/// The navigation shows only what a role may use, and a front-desk user who opens the
/// session form anyway reads a page that says no, in the staff layout. Forms speak plain
/// words and keep what was typed after an error.
async fn each_role_sees_what_it_may_use_and_forms_keep_what_was_typed<S: Store>(app: App<S>) {
    let id = app.new_client(&app.a.owner).await;
    let desk = sign_in(&app, "desk@calm.example", PASSWORD).await.unwrap();
    let (_, page) = desk.get(&format!("/clients/{id}")).await;
    assert!(!page.contains("href=\"/settings\""), "no Settings for the front desk");
    assert!(!page.contains("Record a session"), "no session recording for the front desk");
    let r = desk
        .http
        .get(format!("{}/clients/{id}/sessions/new", desk.base))
        .header(header::COOKIE, &desk.cookie)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    assert!(is_html(&r) && r.text().await.unwrap().contains("/assets/staff.css"), "a page in the staff layout");
    let therapist = sign_in(&app, "ther@calm.example", PASSWORD).await.unwrap();
    let (_, page) = therapist.get(&format!("/clients/{id}")).await;
    assert!(
        page.contains("Record a session") && !page.contains("href=\"/settings\""),
        "a therapist records, never sets"
    );
    let owner = sign_in(&app, "owner@calm.example", PASSWORD).await.unwrap();
    let (_, page) = owner.get("/").await;
    assert!(page.contains("href=\"/settings\""), "the owner has Settings");

    let csrf = desk.csrf().await;
    let form = format!("csrf={csrf}&name=Pat+Jones&email=pat%40&phone=%2B44+7700+900123&timezone=Europe%2FLondon");
    let (s, page) = desk.post("/clients", &form, None).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(page.contains("“pat@” is not an e-mail address. Write one such as ada@example.com."), "{page}");
    assert!(!page.contains('`'), "no code quotes");
    for kept in ["value=\"Pat Jones\"", "value=\"pat@\"", "value=\"+44 7700 900123\"", "value=\"Europe/London\""] {
        assert!(page.contains(kept), "keeps {kept}");
    }
}

/// Staff change their own password with the current one; the new one works, the old one
/// no longer does, and every other sign-in of theirs ends. A wrong current password changes
/// nothing and counts like a failed sign-in.
async fn staff_change_their_password_and_other_sign_ins_end<S: Store>(app: App<S>) {
    let here = sign_in(&app, "ther@calm.example", PASSWORD).await.unwrap();
    let elsewhere = sign_in(&app, "ther@calm.example", PASSWORD).await.unwrap();
    let csrf = here.csrf().await;
    let (s, page) = here.get("/account").await;
    assert_eq!(s, StatusCode::OK);
    assert!(page.contains("Change your password") && page.contains("ther@calm.example"));
    let new = "a+new+and+longer+secret";
    let (s, page) =
        here.post("/account/password", &format!("csrf={csrf}&current=wrong&new={new}&repeat={new}"), None).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(page.contains("The current password is not right"));
    let current = PASSWORD.replace(' ', "+");
    let (s, page) =
        here.post("/account/password", &format!("csrf={csrf}&current={current}&new=short&repeat=short"), None).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(page.contains("at least 12 characters"));
    let (s, page) =
        here.post("/account/password", &format!("csrf={csrf}&current={current}&new={new}&repeat={new}x"), None).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(page.contains("not the same"));
    assert!(sign_in(&app, "ther@calm.example", PASSWORD).await.is_ok(), "nothing changed yet");
    let (s, page) =
        here.post("/account/password", &format!("csrf={csrf}&current={current}&new={new}&repeat={new}"), None).await;
    assert_eq!(s, StatusCode::OK, "{page}");
    assert!(page.contains("Your password is changed"));
    assert_eq!(here.get("/").await.0, StatusCode::OK, "still signed in here");
    assert_eq!(elsewhere.get("/").await.0, StatusCode::SEE_OTHER, "signed out elsewhere");
    assert!(sign_in(&app, "ther@calm.example", PASSWORD).await.is_err(), "the old password no longer works");
    assert!(sign_in(&app, "ther@calm.example", &new.replace('+', " ")).await.is_ok(), "the new one does");
    let (s, _) = here.post("/account/password", &format!("current={current}&new={new}&repeat={new}"), None).await;
    assert_eq!(s, StatusCode::FORBIDDEN, "CSRF-protected");
}

/// The next intake starts from the last one, as it stands now (not a first massage once
/// there have been sessions), with the client's sessions beside it and the pressure the
/// history now suggests, with why.
async fn the_next_intake_starts_from_the_last_one_with_the_history_beside_it<S: Store>(app: App<S>) {
    let intake = json!({"goals": ["low_back_pain"], "conditions": [{"code": "varicose_veins"}], "usual_pain": 3,
                        "preferred_pressure": "firm", "first_massage": true});
    let (id, session) = app.session(&app.a.owner, intake, leg_session()).await;
    let link = session["follow_ups"][0]["check_in_url"].as_str().unwrap().to_owned();
    app.advance_hours(24.0);
    let (s, _) = app.call(reqwest::Method::POST, &link, None, Some(json!({"soreness": 8, "symptoms": []}))).await;
    assert_eq!(s, StatusCode::OK);
    let owner = sign_in(&app, "owner@calm.example", PASSWORD).await.unwrap();
    let (s, form) = owner.get(&format!("/clients/{id}/intake")).await;
    assert_eq!(s, StatusCode::OK);
    assert!(form.contains("Filled in from the intake of"), "says where it came from");
    for filled in [
        "value=\"low_back_pain\" checked",
        "value=\"varicose_veins\" checked",
        "<option value=\"3\" selected>",
        "<option value=\"firm\" selected>",
        "id=\"first-no\" name=\"first_massage\" value=\"no\" checked",
    ] {
        assert!(form.contains(filled), "filled in: {filled}");
    }
    assert!(form.contains("Sessions so far") && form.contains("at most 8 out of 10"), "the history beside it");
    assert!(form.contains("Suggested pressure now:"), "the pressure the history suggests, with why");
    let csrf = owner.csrf().await;
    let (s, page) = owner
        .post(
            &format!("/clients/{id}/intake"),
            &format!("csrf={csrf}&goal=relaxation&usual_pain=4&pregnancy_weeks=12"),
            None,
        )
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(page.contains("<option value=\"4\" selected>") && page.contains("value=\"12\""), "keeps what was typed");
}

/// The outcomes page's figures match counts made here from the data the test made: the
/// mean soreness at 24 h of a type with ten answers, "too few to compare" for a type with
/// two, the answers at each level, the response rate, the alerts per therapist; a therapist
/// sees only their own sessions, and the front desk none.
async fn the_outcomes_match_counts_made_from_the_data<S: Store>(app: App<S>) {
    let deep: Vec<u8> = vec![2, 3, 4, 5, 6, 7, 8, 3, 4, 9];
    let mut links = Vec::new();
    for (i, soreness) in deep.iter().enumerate() {
        let session = json!({"massage_type": "deep_tissue", "pressure": "firm", "areas": ["calves"]});
        let (_, s) = app.session(&app.a.therapist, json!({"first_massage": false}), session).await;
        // Two of them also name a symptom that tells the therapist.
        let symptoms = if i < 2 { json!(["tiredness", "nausea"]) } else { json!([]) };
        links.push((s["follow_ups"][0]["check_in_url"].as_str().unwrap().to_owned(), *soreness, symptoms));
    }
    for soreness in [1u8, 2] {
        let session = json!({"massage_type": "swedish", "pressure": "light", "areas": ["upper_back"]});
        let (_, s) = app.session(&app.a.owner, json!({"first_massage": false}), session).await;
        links.push((s["follow_ups"][0]["check_in_url"].as_str().unwrap().to_owned(), soreness, json!([])));
    }
    app.advance_hours(25.0);
    let mut levels: std::collections::BTreeMap<String, usize> = Default::default();
    for (link, soreness, symptoms) in &links {
        let (s, told) = app
            .call(reqwest::Method::POST, link, None, Some(json!({"soreness": soreness, "symptoms": symptoms})))
            .await;
        assert_eq!(s, StatusCode::OK, "{told}");
        *levels.entry(told["level"].as_str().unwrap().to_owned()).or_default() += 1;
    }
    let alerts = levels.iter().filter(|(l, _)| l.as_str() != "self_care").map(|(_, n)| n).sum::<usize>();
    assert!(alerts > 0, "some answers raised alerts: {levels:?}");

    let owner = sign_in(&app, "owner@calm.example", PASSWORD).await.unwrap();
    let (s, page) = owner.get("/outcomes?from=2026-11-01&to=2026-11-30").await;
    assert_eq!(s, StatusCode::OK);
    let mean = deep.iter().map(|s| f64::from(*s)).sum::<f64>() / deep.len() as f64;
    let very = deep.iter().filter(|s| **s >= 7).count() * 100 / deep.len();
    let deep_row = format!("<tr><td>Deep tissue massage</td><td>10</td><td>{mean:.1}</td><td>{very}%</td></tr>");
    assert!(page.contains(&deep_row), "deep tissue at 24 h: {deep_row}");
    assert!(page.contains(
        "<tr><td>Swedish (relaxation) massage</td><td>2</td><td>too few to compare</td><td>too few to compare</td></tr>"
    ));
    for (level, n) in &levels {
        assert!(page.contains(&format!("{}</span></td><td>{n}</td>", level.replace('_', " "))), "{level}: {n}");
    }
    assert!(page.contains("<td>12</td><td>12</td><td>100%</td>"), "twelve asked, twelve answered");
    assert!(page.contains(&format!("<tr><td>Calm staff</td><td>10</td><td>{alerts}</td>")), "the therapist's alerts");
    assert!(page.contains("<svg role=\"img\""), "charts drawn on the server");

    let therapist = sign_in(&app, "ther@calm.example", PASSWORD).await.unwrap();
    let (_, own) = therapist.get("/outcomes?from=2026-11-01&to=2026-11-30").await;
    assert!(own.contains("your sessions") && !own.contains("Swedish (relaxation) massage</td><td>2"), "only their own");
    let desk = sign_in(&app, "desk@calm.example", PASSWORD).await.unwrap();
    assert_eq!(desk.get("/outcomes").await.0, StatusCode::FORBIDDEN);
    let (s, page) = owner.get("/outcomes?from=2025-01-01&to=2026-11-30").await;
    assert_eq!(s, StatusCode::OK);
    assert!(page.contains("Choose at most 366 days at a time."));
}

/// The outcomes page counts the period's past days from the tallies kept as answers and
/// follow-ups are written, and today only so far: a follow-up due later today is not asked
/// yet. An answer counts on the day it was sent, its follow-up on the day it was due.
async fn the_outcomes_count_past_days_and_today_so_far<S: Store>(app: App<S>) {
    // The test's clock: 2026-11-27 09:00 in London.
    let ended = |at: &str| json!({"massage_type": "swedish", "pressure": "light", "areas": ["neck"], "ended_at": at});
    let intake = json!({"first_massage": false});
    // Due on the 25th and the 26th; the first answered late, today.
    let (_, x) = app.session(&app.a.therapist, intake.clone(), ended("2026-11-24T10:00:00Z")).await;
    // Due today at 08:00, answered; and tomorrow.
    let (_, z) = app.session(&app.a.therapist, intake.clone(), ended("2026-11-26T08:00:00Z")).await;
    // Due today at 12:00: not yet.
    app.session(&app.a.therapist, intake, ended("2026-11-26T12:00:00Z")).await;
    for s in [&x, &z] {
        let link = s["follow_ups"][0]["check_in_url"].as_str().unwrap();
        let (status, told) =
            app.call(reqwest::Method::POST, link, None, Some(json!({"soreness": 3, "symptoms": []}))).await;
        assert_eq!(status, StatusCode::OK, "{told}");
    }
    let owner = sign_in(&app, "owner@calm.example", PASSWORD).await.unwrap();
    let week = |asked: u32, answered: u32| {
        format!("<tr><td>2026-11-23</td><td>{asked}</td><td>{answered}</td><td>too few to compare</td></tr>")
    };
    let (s, page) = owner.get("/outcomes?from=2026-11-23&to=2026-11-29").await;
    assert_eq!(s, StatusCode::OK);
    assert!(page.contains(&week(3, 2)), "two past follow-ups and one due so far today; two answered");
    assert!(page.contains("self care</span></td><td>2</td>"), "both answers, sent today");
    let (_, page) = owner.get("/outcomes?from=2026-11-25&to=2026-11-25").await;
    assert!(page.contains(&week(1, 1)), "the 25th's follow-up, answered since");
    assert!(page.contains("self care</span></td><td>0</td>"), "no answer was sent on the 25th");
    let (_, page) = owner.get("/outcomes?from=2026-11-27&to=2026-11-27").await;
    assert!(page.contains(&week(1, 1)), "today's follow-up due so far, answered");
    app.advance_hours(4.0);
    let (_, page) = owner.get("/outcomes?from=2026-11-27&to=2026-11-27").await;
    assert!(page.contains(&week(2, 1)), "13:00: the noon follow-up is due now, unanswered");
}

/// The outcomes page says how many alerts were acknowledged and how many are open, and
/// within what time half and nine in ten were acknowledged, in the steps the tallies keep
/// (15 minutes, 30 minutes, 1 hour, 2 hours, …, 7 days), counted as each alert is raised and
/// acknowledged.
async fn the_outcomes_say_how_soon_alerts_were_acknowledged<S: Store>(app: App<S>) {
    let mut links = Vec::new();
    for _ in 0..11 {
        let (_, s) = app.session(&app.a.therapist, json!({"first_massage": false}), leg_session()).await;
        links.push(s["follow_ups"][0]["check_in_url"].as_str().unwrap().to_owned());
    }
    app.advance_hours(24.0);
    for link in &links {
        let answer = json!({"soreness": 2, "symptoms": ["headache"]});
        let (s, told) = app.call(reqwest::Method::POST, link, None, Some(answer)).await;
        assert_eq!((s, told["staff_told"].as_bool()), (StatusCode::OK, Some(true)), "{told}");
    }
    let (_, listed) = app.get("/api/v1/alerts?status=open", &app.a.owner).await;
    let ids: Vec<i64> = listed["alerts"].as_array().unwrap().iter().map(|a| a["id"].as_i64().unwrap()).collect();
    assert_eq!(ids.len(), 11, "one alert a link: {listed}");
    let acknowledge = |ids: &[i64]| {
        let ids = ids.to_vec();
        let app = &app;
        async move {
            for id in ids {
                let (s, _) = app.post(&format!("/api/v1/alerts/{id}/acknowledge"), &app.a.owner, json!({})).await;
                assert_eq!(s, StatusCode::OK);
            }
        }
    };
    // Five after 10 minutes, four after 90 minutes, one after three days; one left open.
    app.advance_hours(10.0 / 60.0);
    acknowledge(&ids[0..5]).await;
    app.advance_hours(80.0 / 60.0);
    acknowledge(&ids[5..9]).await;
    app.advance_hours(72.0);
    acknowledge(&ids[9..10]).await;
    let owner = sign_in(&app, "owner@calm.example", PASSWORD).await.unwrap();
    let (s, page) = owner.get("/outcomes?from=2026-11-01&to=2026-11-30").await;
    assert_eq!(s, StatusCode::OK);
    assert!(page.contains("10 acknowledged, 1 still open."), "counts");
    assert!(
        page.contains("Half were acknowledged within 15 minutes, nine in ten within 2 hours."),
        "the fifth and the ninth of ten, each within its step"
    );
}

/// The owner downloads a period's check-ins as CSV; a note that a spreadsheet would run as a
/// formula is written so that it cannot, quotes and commas survive the round trip, and only
/// the owner may export.
async fn the_owner_exports_a_period_as_csv<S: Store>(app: App<S>) {
    let (_, session) = app.session(&app.a.therapist, json!({"first_massage": false}), leg_session()).await;
    let link = session["follow_ups"][0]["check_in_url"].as_str().unwrap().to_owned();
    app.advance_hours(24.0);
    let note = "=HYPERLINK(\"http://evil.example\"), sore, \"very\"";
    let (s, _) =
        app.call(reqwest::Method::POST, &link, None, Some(json!({"soreness": 3, "symptoms": [], "note": note}))).await;
    assert_eq!(s, StatusCode::OK);
    let owner = sign_in(&app, "owner@calm.example", PASSWORD).await.unwrap();
    let r = owner
        .http
        .get(format!("{}/outcomes/export?what=check_ins&from=2026-11-01&to=2026-11-30", owner.base))
        .header(header::COOKIE, &owner.cookie)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    assert_eq!(r.headers()[header::CONTENT_TYPE], "text/csv; charset=utf-8");
    assert!(r.headers()[header::CONTENT_DISPOSITION].to_str().unwrap().contains("check_ins.csv"));
    let text = r.text().await.unwrap();
    let lines: Vec<&str> = text.split("\r\n").filter(|l| !l.is_empty()).collect();
    assert_eq!(lines.len(), 2, "a header and one check-in: {text}");
    assert!(lines[1].ends_with("\"'=HYPERLINK(\"\"http://evil.example\"\"), sore, \"\"very\"\"\""), "{}", lines[1]);
    assert!(lines[1].contains(",3,self_care,"), "{}", lines[1]);
    let therapist = sign_in(&app, "ther@calm.example", PASSWORD).await.unwrap();
    assert_eq!(therapist.get("/outcomes/export?what=check_ins").await.0, StatusCode::FORBIDDEN);
    let (s, _) = owner.get("/outcomes/export?what=everything").await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
}

/// Every read of a client's record and every change is in the audit trail, with who, what
/// and from where; the owner reads it for the clinic and for one client, nobody else can,
/// and another clinic's trail is not theirs.
async fn reads_and_changes_are_in_the_audit_trail<S: Store>(app: App<S>) {
    let (id, session) = app.session(&app.a.therapist, json!({"first_massage": false}), leg_session()).await;
    let therapist = sign_in(&app, "ther@calm.example", PASSWORD).await.unwrap();
    let (s, _) = therapist.get(&format!("/clients/{id}")).await;
    assert_eq!(s, StatusCode::OK);
    let (s, _) = app.get(&format!("/api/v1/clients/{id}"), &app.a.front_desk).await;
    assert_eq!(s, StatusCode::OK);
    let link = session["follow_ups"][0]["check_in_url"].as_str().unwrap().to_owned();
    app.call(reqwest::Method::POST, &link, None, Some(json!({"soreness": 2, "symptoms": ["headache"]}))).await;
    let (_, alerts) = app.get("/api/v1/alerts", &app.a.owner).await;
    let alert = alerts["alerts"][0]["id"].as_i64().unwrap();
    let (s, _) =
        app.post(&format!("/api/v1/alerts/{alert}/acknowledge"), &app.a.therapist, json!({"note": "called"})).await;
    assert_eq!(s, StatusCode::OK);

    let owner = sign_in(&app, "owner@calm.example", PASSWORD).await.unwrap();
    let (s, page) = owner.get(&format!("/audit?client={id}")).await;
    assert_eq!(s, StatusCode::OK);
    for said in [
        "added the client",
        "took an intake",
        "recorded a session",
        "read the record",
        "acknowledged an alert",
        "127.0.0.1",
    ] {
        assert!(page.contains(said), "the trail says {said}");
    }
    assert_eq!(page.matches("read the record").count(), 2, "the page and the API read, each once");
    let (_, clinic_trail) = owner.get("/audit").await;
    assert!(clinic_trail.contains("Ada Lovelace"), "names the client");
    assert_eq!(therapist.get("/audit").await.0, StatusCode::FORBIDDEN, "owners only");
    let other = sign_in(&app, "owner@other.example", PASSWORD).await.unwrap();
    let (_, theirs) = other.get(&format!("/audit?client={id}")).await;
    assert!(theirs.contains("Nothing yet."), "another clinic sees none of it");
}

/// The owner hands a client their data on request (the right of access): everything
/// recorded about them as JSON, every session with its check-ins; the download is in the
/// audit trail, and only the owner may make it.
async fn the_owner_downloads_a_clients_data<S: Store>(app: App<S>) {
    let (id, session) = app.session(&app.a.therapist, json!({"first_massage": false}), leg_session()).await;
    let link = session["follow_ups"][0]["check_in_url"].as_str().unwrap().to_owned();
    app.call(reqwest::Method::POST, &link, None, Some(json!({"soreness": 3, "symptoms": [], "note": "fine"}))).await;
    let owner = sign_in(&app, "owner@calm.example", PASSWORD).await.unwrap();
    let r = owner
        .http
        .get(format!("{}/clients/{id}/data.json", owner.base))
        .header(header::COOKIE, &owner.cookie)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    assert!(
        r.headers()[header::CONTENT_DISPOSITION].to_str().unwrap().contains(&format!("aftercare-client-{id}.json"))
    );
    let data: serde_json::Value = r.json().await.unwrap();
    assert_eq!(data["name"], "Ada Lovelace");
    assert_eq!(data["sessions"][0]["check_ins"][0]["report"]["note"], "fine");
    assert!(data["intake"].is_object());
    let (_, trail) = owner.get(&format!("/audit?client={id}")).await;
    assert!(trail.contains("exported records: the client&#39;s data"), "{trail}");
    let therapist = sign_in(&app, "ther@calm.example", PASSWORD).await.unwrap();
    assert_eq!(therapist.get(&format!("/clients/{id}/data.json")).await.0, StatusCode::FORBIDDEN);
}

/// Every text of the clinic's rows, read as the operator's export reads them, for searching.
async fn every_text_of_clinic<S: Store>(app: &App<S>, clinic: store::ClinicId) -> String {
    use store::moving::{Row, Table, Value};
    let text = std::sync::Arc::new(std::sync::Mutex::new(String::new()));
    let sink: store::moving::RowSink = {
        let text = text.clone();
        Box::new(move |_: &'static Table, row: Row| {
            let mut text = text.lock().unwrap();
            for value in row {
                match value {
                    Value::Text(t) => text.push_str(&t),
                    Value::Bytes(b) => text.push_str(&String::from_utf8_lossy(&b)),
                    _ => continue,
                }
                text.push('\n');
            }
            Ok::<(), String>(())
        })
    };
    assert!(app.store.export_clinic(clinic, sink).await.unwrap(), "the clinic is there");
    text.lock().unwrap().clone()
}

/// Quilla Erasewell, a client with an intake, a session with notes, a doctor-level and a
/// therapist-level answer, and the messages about them sent into `outbox` (the alert at once,
/// the digest the next morning): every kind of row an erasure must clear. Answers the id and
/// the session's check-in links.
async fn a_client_with_answers_sent<S: Store>(app: &App<S>, outbox: &std::path::Path) -> (i64, Vec<String>) {
    let who = json!({"name": "Quilla Erasewell", "email": "quilla@example.com", "phone": "+44 7700 900777"});
    let (s, client) = app.post("/api/v1/clients", &app.a.therapist, who).await;
    assert_eq!(s, StatusCode::CREATED, "{client}");
    let id = client["id"].as_i64().unwrap();
    let intake = json!({"goals": ["relaxation"], "first_massage": false});
    let (s, body) = app.post(&format!("/api/v1/clients/{id}/intake"), &app.a.therapist, intake).await;
    assert_eq!(s, StatusCode::OK, "{body}");
    let mut session = leg_session();
    session["client_id"] = json!(id);
    session["notes"] = json!("Zebraquartz session notes");
    let (_, session) = app.post("/api/v1/sessions", &app.a.therapist, session).await;
    let link = |i: usize| session["follow_ups"][i]["check_in_url"].as_str().unwrap().to_owned();
    app.advance_hours(14.0);
    let doctor = json!({"soreness": 5, "trend": "worse", "symptoms": ["one_leg_swelling"], "note": "Wobblecrane calf"});
    let (s, r) = app.call(reqwest::Method::POST, &link(0), None, Some(doctor)).await;
    assert_eq!((s, r["level"].as_str()), (StatusCode::OK, Some("doctor")), "{r}");
    let (s, r) = app.call(reqwest::Method::POST, &link(1), None, Some(json!({"soreness": 7, "symptoms": []}))).await;
    assert_eq!((s, r["level"].as_str()), (StatusCode::OK, Some("therapist")), "{r}");
    let worker = file_worker(app, outbox);
    worker.run_due(app.clock.as_ref()).await.unwrap();
    app.advance_hours(12.0); // 08:00 the next day: the digest
    worker.run_due(app.clock.as_ref()).await.unwrap();
    (id, vec![link(0), link(1)])
}

/// The owner erases a client from their page, on either database: nothing the client said
/// or was said about them is left in any of the clinic's rows, the outcome counts stay, the
/// name leaves the search, the links stop and the trail keeps the id. Only the owner erases,
/// and only with the name typed whole. (The test below also searches SQLite's files.)
async fn an_erased_client_leaves_no_trace_in_the_clinics_rows<S: Store>(app: App<S>) {
    let outbox = std::env::temp_dir().join(format!(
        "aftercare-web-erase-rows-{}-{}",
        std::process::id(),
        web::secret::new_secret()
    ));
    let (id, links) = a_client_with_answers_sent(&app, &outbox).await;
    let link = |i: usize| links[i].clone();
    let _ = std::fs::remove_dir_all(&outbox);
    let clinic = app.store.clinics().await.unwrap().remove(0).id;
    let words = ["Erasewell", "quilla@example.com", "900777", "Zebraquartz", "Wobblecrane"];
    let before = every_text_of_clinic(&app, clinic).await;
    for w in words {
        assert!(before.contains(w), "{w} is in the clinic's rows before the erasure");
    }
    let (from, to) = (store::Timestamp(0), store::Timestamp(i64::MAX));
    let levels_before = app.store.outcome_check_ins(clinic, from, to).await.unwrap();

    let owner = sign_in(&app, "owner@calm.example", PASSWORD).await.unwrap();
    let therapist = sign_in(&app, "ther@calm.example", PASSWORD).await.unwrap();
    let form = |csrf: &str, name: &str| format!("csrf={csrf}&confirm={}", name.replace(' ', "+"));
    let (s, _) =
        therapist.post(&format!("/clients/{id}/erase"), &form(&therapist.csrf().await, "Quilla Erasewell"), None).await;
    assert_eq!(s, StatusCode::FORBIDDEN, "only the owner erases");
    let csrf = owner.csrf().await;
    let (s, page) = owner.post(&format!("/clients/{id}/erase"), &form(&csrf, "Quilla"), None).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "the name must be typed whole: {page}");
    assert!(every_text_of_clinic(&app, clinic).await.contains("Erasewell"), "nothing erased on a refusal");
    let (s, went) = owner.post(&format!("/clients/{id}/erase"), &form(&csrf, "quilla erasewell"), None).await;
    assert_eq!((s, went.as_str()), (StatusCode::SEE_OTHER, format!("/clients/{id}").as_str()));

    let after = every_text_of_clinic(&app, clinic).await;
    for w in words {
        assert!(!after.contains(w), "{w} is left in the clinic's rows");
    }
    // The counts stay; the name is gone from search; the links stop; the trail keeps the id.
    let levels_after = app.store.outcome_check_ins(clinic, from, to).await.unwrap();
    assert_eq!(
        levels_after.iter().map(|c| (c.level, c.soreness)).collect::<Vec<_>>(),
        levels_before.iter().map(|c| (c.level, c.soreness)).collect::<Vec<_>>()
    );
    let (_, found) = owner.get("/clients?q=Erasewell").await;
    assert!(!found.contains(&format!("/clients/{id}\"")), "{found}");
    let (s, page) = owner.get(&format!("/clients/{id}")).await;
    assert_eq!(s, StatusCode::OK);
    assert!(page.contains("Erased client") && page.contains("id=\"erased\""), "{page}");
    for i in 0..2 {
        let (s, _) = app.call(reqwest::Method::GET, &link(i), None, None).await;
        assert_eq!(s, StatusCode::NOT_FOUND, "the client's links no longer work");
    }
    let (_, trail) = owner.get(&format!("/audit?client={id}")).await;
    assert!(trail.contains("erased the client&#39;s data"), "{trail}");
}

/// Every file under `dir` (the database, its log, the outbox) as text, for searching.
fn every_byte_under(dir: &std::path::Path) -> (usize, String) {
    let mut files = 0;
    let mut text = String::new();
    let mut todo = vec![dir.to_path_buf()];
    while let Some(d) = todo.pop() {
        for e in std::fs::read_dir(&d).unwrap() {
            let path = e.unwrap().path();
            if path.is_dir() {
                todo.push(path);
            } else {
                files += 1;
                text.push_str(&String::from_utf8_lossy(&std::fs::read(&path).unwrap()));
            }
        }
    }
    (files, text)
}

#[tokio::test]
async fn an_erased_client_leaves_no_trace_in_the_database_or_the_outbox() {
    let dir = std::env::temp_dir().join(format!("aftercare-web-erase-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let app = spawn_app_in(&dir).await;
    let (id, links) = a_client_with_answers_sent(&app, &dir.join("outbox")).await;
    let link = |i: usize| links[i].clone();
    let words = ["Erasewell", "quilla@example.com", "900777", "Zebraquartz", "Wobblecrane"];
    let (files_before, before) = every_byte_under(&dir);
    for w in words {
        assert!(before.contains(w), "{w} is written somewhere before the erasure");
    }
    assert!(before.contains("digest"), "a digest was sent");
    let clinic = app.store.clinics().await.unwrap().remove(0).id;
    let (from, to) = (store::Timestamp(0), store::Timestamp(i64::MAX));
    let levels_before = app.store.outcome_check_ins(clinic, from, to).await.unwrap();

    let owner = sign_in(&app, "owner@calm.example", PASSWORD).await.unwrap();
    let therapist = sign_in(&app, "ther@calm.example", PASSWORD).await.unwrap();
    let form = |csrf: &str, name: &str| format!("csrf={csrf}&confirm={}", name.replace(' ', "+"));
    let (s, _) =
        therapist.post(&format!("/clients/{id}/erase"), &form(&therapist.csrf().await, "Quilla Erasewell"), None).await;
    assert_eq!(s, StatusCode::FORBIDDEN, "only the owner erases");
    let csrf = owner.csrf().await;
    let (s, page) = owner.post(&format!("/clients/{id}/erase"), &form(&csrf, "Quilla"), None).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "the name must be typed whole: {page}");
    let (s, went) = owner.post(&format!("/clients/{id}/erase"), &form(&csrf, "quilla erasewell"), None).await;
    assert_eq!((s, went.as_str()), (StatusCode::SEE_OTHER, format!("/clients/{id}").as_str()));

    let (files_after, after) = every_byte_under(&dir);
    for w in words {
        assert!(!after.contains(w), "{w} is left in the database, its log or the outbox");
    }
    assert!(files_after < files_before, "the client's message files went");
    // The counts stay; the name is gone from search; the links stop; the trail keeps the id.
    let levels_after = app.store.outcome_check_ins(clinic, from, to).await.unwrap();
    assert_eq!(levels_after.len(), levels_before.len());
    assert_eq!(
        levels_after.iter().map(|c| (c.level, c.soreness)).collect::<Vec<_>>(),
        levels_before.iter().map(|c| (c.level, c.soreness)).collect::<Vec<_>>()
    );
    let (_, found) = owner.get("/clients?q=Erasewell").await;
    assert!(!found.contains(&format!("/clients/{id}\"")), "{found}");
    let (s, page) = owner.get(&format!("/clients/{id}")).await;
    assert_eq!(s, StatusCode::OK);
    assert!(page.contains("Erased client") && page.contains("id=\"erased\""), "{page}");
    let (s, _) = app.call(reqwest::Method::GET, &link(0), None, None).await;
    assert_eq!(s, StatusCode::NOT_FOUND, "the client's links no longer work");
    let (_, trail) = owner.get(&format!("/audit?client={id}")).await;
    assert!(trail.contains("erased the client&#39;s data"), "{trail}");
}

/// Every staff page and form that names a record answers 404 to another clinic's owner, as
/// for an id that does not exist, and changes nothing.
async fn another_clinics_owner_gets_404_on_every_staff_route_with_an_id<S: Store>(app: App<S>) {
    let (client, session) = app.session(&app.a.therapist, json!({"first_massage": false}), leg_session()).await;
    let link = session["follow_ups"][0]["check_in_url"].as_str().unwrap().to_owned();
    let answer = json!({"soreness": 5, "trend": "worse", "symptoms": ["one_leg_swelling"]});
    let (_, r) = app.call(reqwest::Method::POST, &link, None, Some(answer)).await;
    assert_eq!(r["level"], "doctor");
    let (_, alerts) = app.get("/api/v1/alerts?status=open", &app.a.owner).await;
    let alert = alerts["alerts"][0]["id"].as_i64().unwrap();
    let clinic_a = app.store.clinics().await.unwrap().remove(0).id;
    let product = app
        .store
        .add_product(
            clinic_a,
            store::NewProduct { name: "Arnica".into(), item: "rest".into(), url: None, now: app.clock.now_for_tests() },
        )
        .await
        .unwrap()
        .id;
    let member = app.store.staff_by_email("ther@calm.example").await.unwrap().unwrap().id;

    let other = sign_in(&app, "owner@other.example", PASSWORD).await.unwrap();
    let csrf = other.csrf().await;
    for path in [
        format!("/clients/{client}"),
        format!("/clients/{client}/intake"),
        format!("/clients/{client}/sessions/new"),
        format!("/clients/{client}/data.json"),
        format!("/clients/{client}/fhir.json"),
        format!("/alerts/{alert}"),
    ] {
        assert_eq!(other.get(&path).await.0, StatusCode::NOT_FOUND, "GET {path}");
    }
    for (path, form) in [
        (format!("/clients/{client}/messages"), "action=stop".to_owned()),
        (format!("/clients/{client}/intake-link"), String::new()),
        (format!("/clients/{client}/intake"), "first_massage=no".to_owned()),
        (format!("/clients/{client}/sessions"), "massage_type=swedish&pressure=light&areas=back".to_owned()),
        (format!("/clients/{client}/erase"), "confirm=Ada+Lovelace".to_owned()),
        (format!("/alerts/{alert}/acknowledge"), "note=seen".to_owned()),
        (format!("/settings/staff/{member}"), "role=front_desk&active=no".to_owned()),
        (format!("/settings/staff/{member}/password-link"), String::new()),
        (format!("/settings/products/{product}/remove"), String::new()),
    ] {
        let (s, page) = other.post(&path, &format!("csrf={csrf}&{form}"), None).await;
        assert_eq!(s, StatusCode::NOT_FOUND, "POST {path}: {page}");
    }
    // Nothing of clinic A changed.
    let (_, record) = app.get(&format!("/api/v1/clients/{client}"), &app.a.owner).await;
    assert_eq!(record["name"], "Ada Lovelace");
    assert_eq!(record["opted_out_at"], serde_json::Value::Null);
    let (_, open) = app.get("/api/v1/alerts?status=open", &app.a.owner).await;
    assert_eq!(open["alerts"].as_array().unwrap().len(), 1);
    let member = app.store.staff_by_email("ther@calm.example").await.unwrap().unwrap();
    assert!(member.active && member.role == store::Role::Therapist && member.password_hash.is_some());
    assert_eq!(app.store.products(clinic_a).await.unwrap().len(), 1);
}
