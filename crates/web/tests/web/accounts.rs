//! Staff accounts over HTTP: links to choose a password that reach the member through the
//! outbox (an invitation, a reset they asked for, an owner requiring their own password),
//! each working once until it expires; and two-step sign-in with an authenticator code or a
//! recovery code, which an owner can require.

use crate::harness::*;
use crate::staff_pages::{Staff, no_redirects, sign_in};
use domain::totp;
use reqwest::{StatusCode, header};
use store::{MessageKind, Store};

// Password links and two-step sign-in, on both storage backends.
on_both_backends!(
    a_forgotten_password_is_reset_by_a_link_that_works_once_for_an_hour,
    an_owner_requires_a_member_to_choose_their_own_password,
    two_step_sign_in_takes_an_app_code_or_a_recovery_code_each_once,
    a_clinic_that_requires_two_step_sign_in_sends_each_member_to_set_it_up,
);

/// Sends what is due through the file transport and reads the password link of the latest
/// e-mail `to` received, as the member would from their inbox.
pub async fn mailed_link<S: Store>(app: &App<S>, to: &str, subject_word: &str) -> String {
    let mut found = None;
    for (_, text) in send_due_to_files(app).await {
        if text.contains(&format!("To: {to}")) && text.contains(subject_word) {
            let at = text.find("/password/").expect("the e-mail carries a link") + "/password/".len();
            found = Some(text[at..at + 64].to_owned());
        }
    }
    found.unwrap_or_else(|| panic!("no e-mail to {to} about {subject_word}"))
}

async fn form<S: Store>(app: &App<S>, path: &str, body: &str) -> (StatusCode, String) {
    let r = no_redirects()
        .post(format!("{}{path}", app.base))
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .body(body.to_owned())
        .send()
        .await
        .unwrap();
    (r.status(), r.text().await.unwrap())
}

fn encoded(text: &str) -> String {
    form_urlencoded::byte_serialize(text.as_bytes()).collect()
}

/// Chooses `password` through the link of the latest e-mail to `email` whose subject has
/// `subject_word`.
pub async fn choose_password<S: Store>(app: &App<S>, email: &str, subject_word: &str, password: &str) {
    let token = mailed_link(app, email, subject_word).await;
    let (s, page) =
        no_redirects().get(format!("{}/password/{token}", app.base)).send().await.map(|r| (r.status(), r)).unwrap();
    assert_eq!(s, StatusCode::OK);
    assert!(page.text().await.unwrap().contains("Choose your password"));
    let body = format!("new={}&repeat={}", encoded(password), encoded(password));
    let (s, page) = form(app, &format!("/password/{token}"), &body).await;
    assert_eq!(s, StatusCode::OK, "{page}");
    assert!(page.contains("Your password is set"), "{page}");
}

async fn a_forgotten_password_is_reset_by_a_link_that_works_once_for_an_hour<S: Store>(app: App<S>) {
    let before = sign_in(&app, "ther@calm.example", PASSWORD).await.unwrap();
    // The same answer whether or not the address has an account.
    let (s, known) = form(&app, "/password/forgot", "email=ther%40calm.example").await;
    assert_eq!(s, StatusCode::OK);
    let (s, unknown) = form(&app, "/password/forgot", "email=nobody%40calm.example").await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(known.replace("ther@calm.example", "X"), unknown.replace("nobody@calm.example", "X"));
    let (s, page) = form(&app, "/password/forgot", "email=not-an-address").await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(page.contains("Type the e-mail address you sign in with"), "{page}");
    // The link is made after the answer: wait for it, then only the member's is there.
    let mut resets = Vec::new();
    for _ in 0..100 {
        let clinic = app.store.clinics().await.unwrap().remove(0).id;
        resets = app.store.messages(clinic, None, 100).await.unwrap();
        resets.retain(|m| m.kind == MessageKind::PasswordReset);
        if !resets.is_empty() {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    assert_eq!(resets.len(), 1, "one e-mail, to the member; none for an unknown address");
    let token = mailed_link(&app, "ther@calm.example", "new Aftercare password").await;

    // An hour later the link no longer works.
    app.advance_hours(1.01);
    let (s, page) =
        form(&app, &format!("/password/{token}"), "new=a+long+enough+password&repeat=a+long+enough+password").await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    assert!(page.contains("This link does not work"));

    // A new one works once; the old password and every sign-in end.
    form(&app, "/password/forgot", "email=ther%40calm.example").await;
    tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    let token = mailed_link(&app, "ther@calm.example", "new Aftercare password").await;
    let (s, page) = form(&app, &format!("/password/{token}"), "new=short&repeat=short").await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(page.contains("at least 12 characters"), "{page}");
    let (s, _) =
        form(&app, &format!("/password/{token}"), "new=a+long+enough+password&repeat=a+long+enough+password").await;
    assert_eq!(s, StatusCode::OK);
    let (s, _) =
        form(&app, &format!("/password/{token}"), "new=another+long+password&repeat=another+long+password").await;
    assert_eq!(s, StatusCode::NOT_FOUND, "a link works once");
    assert_eq!(before.get("/").await.0, StatusCode::SEE_OTHER, "the sign-in before the reset ended");
    assert!(sign_in(&app, "ther@calm.example", PASSWORD).await.is_err(), "the old password stopped");
    sign_in(&app, "ther@calm.example", "a long enough password").await.expect("the new one works");

    // Asking again and again from one address is limited.
    let mut statuses = Vec::new();
    for _ in 0..25 {
        statuses.push(form(&app, "/password/forgot", "email=ther%40calm.example").await.0);
    }
    assert!(statuses.contains(&StatusCode::TOO_MANY_REQUESTS));
}

async fn an_owner_requires_a_member_to_choose_their_own_password<S: Store>(app: App<S>) {
    let owner = sign_in(&app, "owner@calm.example", PASSWORD).await.unwrap();
    let therapist = sign_in(&app, "ther@calm.example", PASSWORD).await.unwrap();
    let (_, settings) = owner.get("/settings").await;
    assert!(settings.contains("A password they were given"));
    let member = app.store.staff_by_email("ther@calm.example").await.unwrap().unwrap();
    let csrf = owner.csrf().await;
    let url = format!("/settings/staff/{}/password-link", member.id);
    let (s, page) = owner.post(&url, &format!("csrf={csrf}"), None).await;
    assert_eq!(s, StatusCode::OK);
    assert!(page.contains("An e-mail is on its way to ther@calm.example"));
    assert_eq!(therapist.get("/").await.0, StatusCode::SEE_OTHER, "their sign-in ended");
    assert!(sign_in(&app, "ther@calm.example", PASSWORD).await.is_err(), "the given password stopped");
    choose_password(&app, "ther@calm.example", "Your Aftercare account", "my very own password").await;
    sign_in(&app, "ther@calm.example", "my very own password").await.expect("their own password works");
    let (_, settings) = owner.get("/settings").await;
    assert!(settings.contains("Their own password"));
    let (s, page) = owner.post(&url, &format!("csrf={csrf}"), None).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(page.contains("chose their own password already"));
    let (_, trail) = owner.get("/audit").await;
    assert!(trail.contains("had a link to choose a password e-mailed"), "{trail}");
    // Another clinic's member is not found.
    let other = app.store.staff_by_email("ther@other.example").await.unwrap().unwrap();
    let (s, _) =
        owner.post(&format!("/settings/staff/{}/password-link", other.id), &format!("csrf={csrf}"), None).await;
    assert_eq!(s, StatusCode::NOT_FOUND);
}

fn between<'a>(html: &'a str, start: &str, end: &str) -> &'a str {
    let at = html.find(start).unwrap_or_else(|| panic!("{start} in {html}")) + start.len();
    &html[at..at + html[at..].find(end).unwrap()]
}

pub fn code_now<S: Store>(app: &App<S>, secret: &str) -> String {
    let step = totp::step_at(app.clock.now_for_tests().0);
    format!("{:06}", totp::code_at(&totp::from_base32(secret).unwrap(), step))
}

/// Signs in with the password, then answers the code step with `code`.
async fn sign_in_with_code<S: Store>(app: &App<S>, email: &str, code: &str) -> (StatusCode, Option<Staff>) {
    let http = no_redirects();
    let body = format!("email={}&password={}&next=%2Fclients", encoded(email), encoded(PASSWORD));
    let r = http
        .post(format!("{}/sign-in", app.base))
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .body(body)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    assert_eq!(r.headers()[header::LOCATION], "/sign-in/code?next=%2Fclients", "the password alone does not sign in");
    let cookie = r.headers()[header::SET_COOKIE].to_str().unwrap().split(';').next().unwrap().to_owned();
    let pending = Staff { http: http.clone(), base: app.base.clone(), cookie: cookie.clone() };
    let (s, to) = pending.get("/clients").await;
    assert_eq!(s, StatusCode::SEE_OTHER, "no page before the code: {to}");
    let r = http
        .get(format!("{}/sign-in/code?next=%2Fclients", app.base))
        .header(header::COOKIE, &cookie)
        .send()
        .await
        .unwrap();
    let page = r.text().await.unwrap();
    let csrf = between(&page, "name=\"csrf\" value=\"", "\"").to_owned();
    let body = format!("code={}&csrf={csrf}&next=%2Fclients", encoded(code));
    let r = http
        .post(format!("{}/sign-in/code", app.base))
        .header(header::COOKIE, &cookie)
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .body(body)
        .send()
        .await
        .unwrap();
    let status = r.status();
    if status != StatusCode::SEE_OTHER {
        return (status, None);
    }
    assert_eq!(r.headers()[header::LOCATION], "/clients");
    (status, Some(pending))
}

async fn two_step_sign_in_takes_an_app_code_or_a_recovery_code_each_once<S: Store>(app: App<S>) {
    let me = sign_in(&app, "ther@calm.example", PASSWORD).await.unwrap();
    let (s, page) = me.get("/account/two-factor").await;
    assert_eq!(s, StatusCode::OK);
    assert!(page.contains("<svg") && page.contains("QR code"), "a QR code to scan");
    let secret = between(&page, "<code id=\"totp-secret\">", "</code>").to_owned();
    let csrf = me.csrf().await;
    let wrong = format!("{:06}", (code_now(&app, &secret).parse::<u32>().unwrap() + 1) % 1_000_000);
    let (s, page) =
        me.post("/account/two-factor", &format!("csrf={csrf}&action=on&secret={secret}&code={wrong}"), None).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(page.contains("That code is not right") && page.contains(&secret), "the same key stays to try again");
    let code = code_now(&app, &secret);
    let (s, page) =
        me.post("/account/two-factor", &format!("csrf={csrf}&action=on&secret={secret}&code={code}"), None).await;
    assert_eq!(s, StatusCode::OK, "{page}");
    assert!(page.contains("Two-step sign-in is on"));
    let codes: Vec<String> = between(&page, "<ul class=\"recovery-codes\" id=\"recovery-codes\">", "</ul>")
        .split("<code>")
        .skip(1)
        .map(|c| c[..c.find("</code>").unwrap()].to_owned())
        .collect();
    assert_eq!(codes.len(), 10);

    // The code just used cannot sign in again; the next one can.
    let (s, _) = sign_in_with_code(&app, "ther@calm.example", &code).await;
    assert_eq!(s, StatusCode::UNAUTHORIZED, "a code is taken once");
    app.advance_hours(30.0 / 3600.0);
    let (s, signed_in) = sign_in_with_code(&app, "ther@calm.example", &code_now(&app, &secret)).await;
    assert_eq!(s, StatusCode::SEE_OTHER);
    assert_eq!(signed_in.unwrap().get("/clients").await.0, StatusCode::OK);
    // A recovery code, typed in capitals with spaces, works once.
    let typed = codes[3].to_uppercase().replace('-', " ");
    let (s, by_recovery) = sign_in_with_code(&app, "ther@calm.example", &typed).await;
    assert_eq!(s, StatusCode::SEE_OTHER);
    assert_eq!(by_recovery.unwrap().get("/clients").await.0, StatusCode::OK);
    let (s, _) = sign_in_with_code(&app, "ther@calm.example", &codes[3]).await;
    assert_eq!(s, StatusCode::UNAUTHORIZED, "a recovery code works once");
    let (_, page) = me.get("/account/two-factor").await;
    assert!(page.contains("You have 9 recovery codes left"), "{page}");

    // Turned off with a code, the password alone signs in again.
    app.advance_hours(30.0 / 3600.0);
    let (s, page) =
        me.post("/account/two-factor", &format!("csrf={csrf}&action=off&code={}", code_now(&app, &secret)), None).await;
    assert_eq!(s, StatusCode::OK, "{page}");
    assert!(page.contains("Turn on two-step sign-in"));
    sign_in(&app, "ther@calm.example", PASSWORD).await.expect("the password alone again");
}

async fn a_clinic_that_requires_two_step_sign_in_sends_each_member_to_set_it_up<S: Store>(app: App<S>) {
    let owner = sign_in(&app, "owner@calm.example", PASSWORD).await.unwrap();
    let csrf = owner.csrf().await;
    let (s, _) = owner.post("/settings/two-factor", &format!("csrf={csrf}&require=yes"), None).await;
    assert_eq!(s, StatusCode::SEE_OTHER);
    let (s, to) = owner.get("/clients").await;
    assert_eq!((s, to.as_str()), (StatusCode::SEE_OTHER, ""), "redirected");
    let r = owner.http.get(format!("{}/clients", app.base)).header(header::COOKIE, &owner.cookie).send().await.unwrap();
    assert_eq!(r.headers()[header::LOCATION], "/account/two-factor");
    let (s, page) = owner.get("/account/two-factor").await;
    assert_eq!(s, StatusCode::OK);
    assert!(page.contains("Your clinic requires two-step sign-in"));
    // Another clinic is not touched.
    let other = sign_in(&app, "owner@other.example", PASSWORD).await.unwrap();
    assert_eq!(other.get("/clients").await.0, StatusCode::OK);
    // Set up, the member goes on; it cannot be turned off while required.
    let secret = between(&page, "<code id=\"totp-secret\">", "</code>").to_owned();
    let (s, _) = owner
        .post(
            "/account/two-factor",
            &format!("csrf={csrf}&action=on&secret={secret}&code={}", code_now(&app, &secret)),
            None,
        )
        .await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(owner.get("/clients").await.0, StatusCode::OK);
    app.advance_hours(30.0 / 3600.0);
    let (s, page) = owner
        .post("/account/two-factor", &format!("csrf={csrf}&action=off&code={}", code_now(&app, &secret)), None)
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(page.contains("Your clinic requires two-step sign-in, so it stays on"));
}
