//! The clinic's settings, for the owner: name, country (it sets the emergency number clients
//! see) and time zone; the products linked to plan items; and the staff: invite, change role,
//! deactivate, and send a link to choose a password (an invitation by e-mail, or a member's
//! given password replaced by one of their own); and whether two-step sign-in is required.

use crate::AppState;
use crate::error::Error;
use crate::extract::{PathId, StaffForm};
use crate::staff::auth::SignedIn;
use crate::staff::view::{Layout, respond};
use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use store::{NewProduct, NewStaff, ProductId, Role, StaffId, Store};

#[derive(Template)]
#[template(path = "staff/settings.html")]
struct SettingsPage {
    layout: Layout,
    clinic: store::Clinic,
    countries: Vec<(String, String)>,
    emergency: String,
    products: Vec<(store::Product, String)>,
    items: Vec<(String, String)>,
    staff: Vec<store::Staff>,
    me: StaffId,
    roles: Vec<(&'static str, &'static str)>,
    error: Option<String>,
    done: Option<String>,
    public_link: Option<String>,
    hours: String,
    plan_message: String,
    check_in_message: String,
    plan_example: String,
    check_in_example: String,
    policy: String,
}

fn owner_only(who: &SignedIn) -> Result<(), Error> {
    if who.staff.role == Role::Owner {
        Ok(())
    } else {
        Err(Error::forbidden("only the clinic's owner may change its settings"))
    }
}

async fn page<S: Store>(
    state: &AppState<S>,
    who: &SignedIn,
    error: Option<String>,
    done: Option<String>,
    public_link: Option<String>,
) -> Result<SettingsPage, Error> {
    let kb = &state.knowledge;
    let clinic = state.store.clinic(who.staff.clinic_id).await?.ok_or_else(|| Error::not_found("clinic"))?;
    let item_title = |id: &str| kb.plan.items.iter().find(|i| i.id == id).map_or(id.to_owned(), |i| i.title.clone());
    let hours = clinic.check_in_hours.iter().map(i64::to_string).collect::<Vec<_>>().join(", ");
    let english = state.languages.english();
    let plan_message = clinic.plan_message.clone().unwrap_or_else(|| english.word("message_plan").to_owned());
    let check_in_message =
        clinic.check_in_message.clone().unwrap_or_else(|| english.word("message_check_in").to_owned());
    let example = |t: &str| followup::wording::fill(t, "Ada", &clinic.name, &format!("{}/c/…", state.base_url));
    let (plan_example, check_in_example) = (example(&plan_message), example(&check_in_message));
    Ok(SettingsPage {
        layout: Layout::signed_in(who, &clinic, "Settings", "settings"),
        emergency: kb.country(&clinic.country).map_or_else(String::new, |c| c.emergency.clone()),
        countries: kb.countries.iter().map(|c| (c.code.clone(), format!("{} ({})", c.name, c.emergency))).collect(),
        products: state
            .store
            .products(clinic.id)
            .await?
            .into_iter()
            .map(|p| {
                let t = item_title(&p.item);
                (p, t)
            })
            .collect(),
        items: kb.plan.items.iter().map(|i| (i.id.clone(), i.title.clone())).collect(),
        staff: state.store.staff_of_clinic(clinic.id).await?,
        me: who.staff.id,
        roles: Role::ALL
            .iter()
            .map(|r| {
                (
                    r.code(),
                    match r {
                        Role::Owner => "Owner",
                        Role::Therapist => "Therapist",
                        Role::FrontDesk => "Front desk",
                    },
                )
            })
            .collect(),
        clinic,
        error,
        done,
        public_link,
        hours,
        plan_message,
        check_in_message,
        plan_example,
        check_in_example,
        policy: policy_schedule(&state.knowledge.triage.schedule),
    })
}

/// The policy's schedule in words, from the knowledge.
fn policy_schedule(s: &care::knowledge::model::Schedule) -> String {
    let hours: Vec<String> = s.check_in_hours.iter().map(i64::to_string).collect();
    let mut text = format!("The care policy's default is {}.", hours.join(", "));
    for e in &s.extra {
        text.push_str(&format!(
            " An answer at {} hours or later may add a check-in at {} hours.",
            e.after_hours, e.at_hours
        ));
    }
    text.push_str(&format!(
        " Messages go between {:02}:00 and {:02}:00 in the client's time zone.",
        s.window_start_hour, s.window_end_hour
    ));
    text
}

async fn show_page<S: Store>(
    state: &AppState<S>,
    who: &SignedIn,
    error: Option<String>,
    done: Option<String>,
    status: StatusCode,
) -> Response {
    respond(page(state, who, error, done, None).await, status)
}

/// `GET /settings`.
pub async fn show<S: Store>(State(state): State<AppState<S>>, who: SignedIn) -> Response {
    if let Err(e) = owner_only(&who) {
        return e.into_response();
    }
    show_page(&state, &who, None, None, StatusCode::OK).await
}

/// The settings' forms, each at its own route (`POST /settings/clinic`, …).
#[derive(Debug, Clone, Copy)]
enum Setting {
    Clinic,
    Schedule,
    Alerts,
    Contact,
    Messages,
    AddProduct,
    RemoveProduct(ProductId),
    IntakeLink,
    AddStaff,
    ChangeStaff(StaffId),
    PasswordLink(StaffId),
    TwoFactor,
}

impl Setting {
    /// The form, in words, for the audit trail.
    fn name(self) -> String {
        match self {
            Setting::Clinic => "the clinic's name, country and time zone".to_owned(),
            Setting::Schedule => "the check-in times".to_owned(),
            Setting::Alerts => "where urgent alerts go".to_owned(),
            Setting::Contact => "the clinic's phone and e-mail address".to_owned(),
            Setting::Messages => "the texts of the messages".to_owned(),
            Setting::AddProduct => "a product added".to_owned(),
            Setting::RemoveProduct(id) => format!("product {id} removed"),
            Setting::IntakeLink => "a new public intake link".to_owned(),
            Setting::AddStaff => "an invitation to a new member".to_owned(),
            Setting::ChangeStaff(id) => format!("staff member {id}'s role or access"),
            Setting::PasswordLink(id) => format!("to staff member {id}, to choose their own"),
            Setting::TwoFactor => "whether two-step sign-in is required".to_owned(),
        }
    }
}

/// `POST /settings/clinic`: name, country, time zone.
pub async fn clinic<S: Store>(State(state): State<AppState<S>>, form: StaffForm) -> Response {
    change(&state, form, Setting::Clinic).await
}

/// `POST /settings/schedule`: the check-in hours.
pub async fn schedule<S: Store>(State(state): State<AppState<S>>, form: StaffForm) -> Response {
    change(&state, form, Setting::Schedule).await
}

/// `POST /settings/alerts`: where urgent alerts go.
pub async fn alerts<S: Store>(State(state): State<AppState<S>>, form: StaffForm) -> Response {
    change(&state, form, Setting::Alerts).await
}

/// `POST /settings/contact`: the clinic's phone and e-mail address, for clients.
pub async fn contact<S: Store>(State(state): State<AppState<S>>, form: StaffForm) -> Response {
    change(&state, form, Setting::Contact).await
}

/// `POST /settings/messages`: the texts of the plan and check-in messages.
pub async fn messages<S: Store>(State(state): State<AppState<S>>, form: StaffForm) -> Response {
    change(&state, form, Setting::Messages).await
}

/// `POST /settings/products`: adds a product to a plan item.
pub async fn add_product<S: Store>(State(state): State<AppState<S>>, form: StaffForm) -> Response {
    change(&state, form, Setting::AddProduct).await
}

/// `POST /settings/products/{id}/remove`.
pub async fn remove_product<S: Store>(
    State(state): State<AppState<S>>,
    PathId(id): PathId<ProductId>,
    form: StaffForm,
) -> Response {
    change(&state, form, Setting::RemoveProduct(id)).await
}

/// `POST /settings/intake-link`: a new public intake link.
pub async fn intake_link<S: Store>(State(state): State<AppState<S>>, form: StaffForm) -> Response {
    change(&state, form, Setting::IntakeLink).await
}

/// `POST /settings/staff`: invites a staff member.
pub async fn add_staff<S: Store>(State(state): State<AppState<S>>, form: StaffForm) -> Response {
    change(&state, form, Setting::AddStaff).await
}

/// `POST /settings/staff/{id}`: a staff member's role and access.
pub async fn change_staff<S: Store>(
    State(state): State<AppState<S>>,
    PathId(id): PathId<StaffId>,
    form: StaffForm,
) -> Response {
    change(&state, form, Setting::ChangeStaff(id)).await
}

/// `POST /settings/staff/{id}/password-link`: e-mails the member a link to choose their
/// password; a password they were given stops working now.
pub async fn password_link<S: Store>(
    State(state): State<AppState<S>>,
    PathId(id): PathId<StaffId>,
    form: StaffForm,
) -> Response {
    change(&state, form, Setting::PasswordLink(id)).await
}

/// `POST /settings/two-factor`: `require` is `yes` or `no`.
pub async fn two_factor<S: Store>(State(state): State<AppState<S>>, form: StaffForm) -> Response {
    change(&state, form, Setting::TwoFactor).await
}

/// Why a settings form changed nothing: something the owner can fix, said on the page, or a
/// failure, answered as an error page and logged.
enum NotChanged {
    Fix(String),
    Failed(Error),
}

impl From<store::StoreError> for NotChanged {
    fn from(e: store::StoreError) -> NotChanged {
        NotChanged::Failed(e.into())
    }
}

/// Something the owner can fix.
fn fix(problem: impl Into<String>) -> NotChanged {
    NotChanged::Fix(problem.into())
}

/// Applies one settings form, the owner's only, and shows the settings again.
async fn change<S: Store>(state: &AppState<S>, StaffForm { who, fields }: StaffForm, what: Setting) -> Response {
    if let Err(e) = owner_only(&who) {
        return e.into_response();
    }
    if let Setting::IntakeLink = what {
        return match crate::client_intake::new_link(state, who.staff.clinic_id, None).await {
            Ok(url) => {
                let what = "a new public intake link";
                crate::audit::changed(state, &who.staff, &who.address, None, store::AuditAction::ChangeSettings, what)
                    .await;
                respond(page(state, &who, None, None, Some(url)).await, StatusCode::OK)
            }
            Err(e) => e.into_response(),
        };
    }
    let result = apply(state, &who, &fields, what).await;
    if result.is_ok() {
        let action = match what {
            Setting::AddStaff | Setting::PasswordLink(_) => store::AuditAction::PasswordLink,
            _ => store::AuditAction::ChangeSettings,
        };
        crate::audit::changed(state, &who.staff, &who.address, None, action, what.name()).await;
    }
    match result {
        Ok(None) => Redirect::to("/settings").into_response(),
        Ok(Some(done)) => show_page(state, &who, None, Some(done), StatusCode::OK).await,
        Err(NotChanged::Fix(problem)) => {
            show_page(state, &who, Some(problem), None, StatusCode::UNPROCESSABLE_ENTITY).await
        }
        Err(NotChanged::Failed(e)) => e.into_response(),
    }
}

/// Checks and saves one settings form; what was done, in words, when the page should say it.
async fn apply<S: Store>(
    state: &AppState<S>,
    who: &SignedIn,
    f: &crate::extract::Fields,
    what: Setting,
) -> Result<Option<String>, NotChanged> {
    let clinic_id = who.staff.clinic_id;
    let kb = &state.knowledge;
    let now = state.clock.now();
    match what {
        Setting::Clinic => {
            let name = domain::PersonName::parse(f.one("name").unwrap_or_default());
            let country = f.one("country").and_then(|c| kb.country(c)).map(|c| c.code.clone());
            let tz_text = f.one("timezone").unwrap_or_default();
            let tz = domain::TimeZoneName::parse(tz_text);
            match (name, country, tz) {
                (Err(_), _, _) => Err(fix(format!("Write the clinic's name ({}).", domain::PersonName::RULE))),
                (_, None, _) => Err(fix("Choose the clinic's country.".to_owned())),
                (_, _, Err(_)) => {
                    Err(fix(format!("“{tz_text}” is not a time zone. Choose one such as Europe/London.")))
                }
                (Ok(name), Some(country), Ok(tz)) => state
                    .store
                    .update_clinic(clinic_id, name.as_str(), &country, tz.as_str())
                    .await
                    .map(|_| None)
                    .map_err(NotChanged::from),
            }
        }
        Setting::Schedule => {
            let hours: Result<Vec<i64>, _> =
                f.one("hours").unwrap_or_default().split(',').map(|h| h.trim().parse::<i64>()).collect();
            match hours {
                Ok(h) if !h.is_empty() && h.len() <= 4 && h.iter().all(|x| (1..=336).contains(x)) && h.windows(2).all(|w| w[0] < w[1]) => {
                    state.store.set_check_in_hours(clinic_id, &h).await.map(|_| None).map_err(NotChanged::from)
                }
                _ => Err(fix("Write one to four check-in times in hours after the session, rising, each from 1 to 336, such as 24, 48.".to_owned())),
            }
        }
        Setting::Alerts => {
            let to = match f.one("alert_to") {
                None => Ok(None),
                Some(t) if t.contains('@') => crate::fields::email(t).map(Some),
                Some(t) => crate::fields::phone(t).map(Some).map_err(|_| {
                    format!("“{t}” is neither an e-mail address nor a phone number. Write one such as alerts@clinic.example or +44 20 7946 0000.")
                }),
            };
            match to {
                Ok(to) => {
                    state.store.set_alert_to(clinic_id, to.as_deref()).await.map(|_| None).map_err(NotChanged::from)
                }
                Err(p) => Err(fix(p)),
            }
        }
        Setting::Contact => {
            let phone = f.one("phone").map(crate::fields::phone).transpose().map_err(|_| {
                fix("The clinic's phone is not a phone number. Write one such as +44 20 7946 0000.".to_owned())
            })?;
            let email = f.one("email").map(crate::fields::email).transpose().map_err(fix)?;
            state.store.set_clinic_contact(clinic_id, phone.as_deref(), email.as_deref()).await?;
            Ok(None)
        }
        Setting::Messages => {
            let english = state.languages.english();
            let plan = f.one("plan_message").filter(|t| *t != english.word("message_plan"));
            let check_in = f.one("check_in_message").filter(|t| *t != english.word("message_check_in"));
            match plan.into_iter().chain(check_in).map(followup::wording::check).find(Result::is_err) {
                Some(Err(problem)) => Err(fix(problem)),
                _ => state
                    .store
                    .set_message_texts(clinic_id, plan, check_in)
                    .await
                    .map(|_| None)
                    .map_err(NotChanged::from),
            }
        }
        Setting::AddProduct => {
            // A product's name follows the rule of every name.
            let name =
                domain::PersonName::parse(f.one("name").unwrap_or_default()).map(domain::PersonName::into_string);
            let item = f.one("item").unwrap_or_default().to_owned();
            let url = f.one("url").map(str::to_owned);
            let bad_url = |u: &String| !(u.starts_with("https://") || u.starts_with("http://")) || u.len() > 500;
            match name {
                Err(_) => Err(fix(format!("Write the product's name ({}).", domain::PersonName::RULE))),
                Ok(_) if !kb.plan.items.iter().any(|i| i.id == item) => {
                    Err(fix("Choose the plan item the product belongs to.".to_owned()))
                }
                Ok(_) if url.as_ref().is_some_and(bad_url) => {
                    Err(fix("A product's address must start with https:// or http://.".to_owned()))
                }
                Ok(name) => state
                    .store
                    .add_product(clinic_id, NewProduct { name, item, url, now })
                    .await
                    .map(|_| None)
                    .map_err(NotChanged::from),
            }
        }
        Setting::RemoveProduct(id) => match state.store.remove_product(clinic_id, id).await? {
            true => Ok(None),
            false => Err(NotChanged::Failed(Error::not_found("product"))),
        },
        // Answered by `change`, which shows the new link.
        Setting::IntakeLink => Ok(None),
        Setting::AddStaff => {
            let role = f.one("role").and_then(Role::from_code);
            let name = domain::PersonName::parse(f.one("name").unwrap_or_default());
            match (crate::fields::email(f.one("email").unwrap_or_default()), role, name) {
                (Err(p), _, _) => Err(fix(p)),
                (_, None, _) => Err(fix("Choose a role.".to_owned())),
                (_, _, Err(_)) => Err(fix(format!("Write the staff member's name ({}).", domain::PersonName::RULE))),
                (Ok(email), Some(role), Ok(name)) => {
                    // No password until they choose one through the e-mailed invitation.
                    let new =
                        NewStaff { email: email.clone(), name: name.into_string(), role, password_hash: None, now };
                    match state.store.create_staff(clinic_id, new).await {
                        Ok(member) => {
                            let purpose = store::PasswordPurpose::Invitation;
                            crate::staff::password::send_link(state, clinic_id, member.id, purpose, false)
                                .await
                                .map_err(NotChanged::Failed)?;
                            Ok(Some(invitation_sent(&email)))
                        }
                        // Staff e-mails are unique across clinics: say only that it cannot be used.
                        Err(store::StoreError::Conflict(_)) => {
                            Err(fix(format!("{email} cannot be used for a new staff member; use another address.")))
                        }
                        Err(e) => Err(e.into()),
                    }
                }
            }
        }
        Setting::ChangeStaff(id) => {
            let role = f.one("role").and_then(Role::from_code);
            let active = f.one("active") == Some("yes");
            match role {
                _ if id == who.staff.id => {
                    Err(fix("You cannot change your own role or access; ask another owner.".to_owned()))
                }
                Some(role) => match state.store.update_staff(clinic_id, id, role, active, state.clock.now()).await {
                    Ok(Some(_)) => Ok(None),
                    Ok(None) => Err(NotChanged::Failed(Error::not_found("staff member"))),
                    Err(e) => Err(e.into()),
                },
                _ => Err(fix("Choose a role.".to_owned())),
            }
        }
        Setting::PasswordLink(id) => {
            let member = state.store.staff_in_clinic(clinic_id, id).await?;
            match member {
                None => Err(NotChanged::Failed(Error::not_found("staff member"))),
                Some(m) if !m.active => Err(fix(format!("{} is deactivated: give them access first.", m.name))),
                Some(m) if m.password_chosen => Err(fix(format!(
                    "{} chose their own password already; they can reset it from the sign-in page.",
                    m.name
                ))),
                Some(m) => {
                    // A password they were given stops working: they choose their own.
                    let void = m.password_hash.is_some();
                    let purpose = store::PasswordPurpose::Invitation;
                    crate::staff::password::send_link(state, clinic_id, m.id, purpose, void)
                        .await
                        .map_err(NotChanged::Failed)?;
                    Ok(Some(invitation_sent(&m.email)))
                }
            }
        }
        Setting::TwoFactor => {
            let require = match f.one("require") {
                Some("yes") => true,
                Some("no") => false,
                _ => return Err(fix("Choose whether two-step sign-in is required.".to_owned())),
            };
            state.store.set_require_two_factor(clinic_id, require).await?;
            Ok(None)
        }
    }
}

/// What the page says once an invitation is in the outbox.
fn invitation_sent(email: &str) -> String {
    format!(
        "An e-mail is on its way to {email} with a link to choose their password. The link works once, for {} hours; \
         until then they cannot sign in.",
        crate::staff::password::INVITATION_HOURS
    )
}
