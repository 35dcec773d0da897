//! What each message says: to a client (the plan, a check-in invitation, its reminder), in
//! the clinic's wording, with the link, the emergency number and a way to stop messages; to
//! staff (an alert at once, a therapist's daily digest), with the least health detail that
//! lets them act: the client's name, the level and a link to the alert queue.
//!
//! Every e-mail has a plain-text and an HTML part; an SMS is the plain wording and the
//! stop link.

use crate::wording::fill;
use care::knowledge::Knowledge;
use care::knowledge::locale::{Locale, SOURCE};
use store::{Client, Clinic, MessageKind};

/// A message's words in each form.
#[derive(Debug, Clone, PartialEq)]
pub struct Letter {
    /// The e-mail's subject.
    pub subject: String,
    /// The e-mail's plain-text part.
    pub text: String,
    /// The e-mail's HTML part.
    pub html: String,
    /// The SMS.
    pub sms: String,
}

/// Escapes text for HTML.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// The client's first name (the first word of their name).
pub fn first_name<'a>(locale: &'a Locale, client: &'a Client) -> &'a str {
    client.name.split_whitespace().next().unwrap_or_else(|| locale.word("first_name_unknown"))
}

fn emergency_line(locale: &Locale, clinic: &Clinic) -> String {
    let call = locale
        .knowledge
        .country(&clinic.country)
        .map_or_else(|| locale.word("local_emergency_number").to_owned(), |c| c.emergency.clone());
    locale.fill("message_emergency", &[("number", &call)])
}

/// The page with paragraphs of plain text, links made clickable.
/// The HTML part: `title` (the subject) in its head, each paragraph with its links, and the
/// main link as a button after the first paragraph, large enough to tap. Long addresses
/// break anywhere rather than overflow a phone.
fn html(
    lang: &str,
    title: &str,
    paragraphs: &[String],
    links: &[(&str, &str)],
    button: Option<(&str, &str)>,
) -> String {
    let mut body = String::new();
    for (i, p) in paragraphs.iter().enumerate() {
        let mut escaped = escape(p);
        for (url, label) in links {
            let e = escape(url);
            escaped = escaped.replace(&e, &format!("<a href=\"{e}\">{}</a>", escape(label)));
        }
        body.push_str("<p>");
        body.push_str(&escaped);
        body.push_str("</p>\n");
        if let (0, Some((url, label))) = (i, button) {
            body.push_str(&format!(
                "<p><a href=\"{}\" style=\"display: inline-block; background: #2f6f73; color: #ffffff; font-weight: bold; \
                 text-decoration: none; padding: 14px 22px; border-radius: 10px; min-height: 20px\">{}</a></p>\n",
                escape(url),
                escape(label)
            ));
        }
    }
    format!(
        "<!DOCTYPE html>\n<html lang=\"{}\"><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"><title>{}</title></head>\n\
         <body style=\"font-family: sans-serif; font-size: 16px; line-height: 1.5; overflow-wrap: anywhere\">\n{body}</body></html>\n",
        escape(lang),
        escape(title)
    )
}

/// A message to a client, in their language: `link` is the page it leads to, `unsubscribe`
/// the stop link. A clinic's own wording is English; a client who reads another language
/// gets the product's wording in it.
pub fn to_client(
    locale: &Locale,
    kind: MessageKind,
    clinic: &Clinic,
    client: &Client,
    link: &str,
    unsubscribe: &str,
) -> Letter {
    let own = |wording: &Option<String>| wording.clone().filter(|_| locale.code == SOURCE);
    let (wording, subject) = match kind {
        MessageKind::Plan => (
            own(&clinic.plan_message).unwrap_or_else(|| locale.word("message_plan").to_owned()),
            locale.fill("subject_plan", &[("clinic", &clinic.name)]),
        ),
        MessageKind::Reminder => (
            own(&clinic.check_in_message).unwrap_or_else(|| locale.word("message_check_in").to_owned()),
            locale.word("subject_reminder").to_owned(),
        ),
        _ => (
            own(&clinic.check_in_message).unwrap_or_else(|| locale.word("message_check_in").to_owned()),
            locale.word("subject_check_in").to_owned(),
        ),
    };
    let mut main = fill(&wording, first_name(locale, client), &clinic.name, link);
    if kind == MessageKind::Reminder {
        main = locale.fill("message_reminder", &[("message", &main)]);
    }
    let safety = emergency_line(locale, clinic);
    let honest = locale.word("message_honest").to_owned();
    let stop = locale.fill("message_stop", &[("clinic", &clinic.name), ("link", unsubscribe)]);
    let paragraphs = [main.clone(), safety.clone(), honest, stop];
    let button = if kind == MessageKind::Plan { "message_button_plan" } else { "message_button_check_in" };
    Letter {
        subject: subject.clone(),
        text: format!("{}\n", paragraphs.join("\n\n")),
        html: html(
            &locale.code,
            &subject,
            &paragraphs,
            &[(link, link), (unsubscribe, locale.word("message_stop_label"))],
            Some((link, locale.word(button))),
        ),
        sms: format!("{main} {safety} {}", locale.fill("sms_stop", &[("link", unsubscribe)])),
    }
}

/// An alert to staff at once: a client's check-in at `level`. `doctor` and `emergency`
/// alerts go at once; so does a `therapist` alert that a person must read now (a warning sign
/// written in the note, or an answer that could not be read), which says only that.
pub fn alert(kb: &Knowledge, clinic: &Clinic, client: &Client, level: care::Level, alerts_url: &str) -> Letter {
    let label = &kb.triage.level(level).label;
    let subject = match level {
        care::Level::Emergency => format!("Emergency: {}'s check-in needs you now", client.name),
        care::Level::Doctor => format!("Urgent: {}'s check-in needs a doctor today", client.name),
        _ => format!("Please read now: {}'s check-in", client.name),
    };
    let first = match level {
        care::Level::Emergency | care::Level::Doctor => {
            let told = if level == care::Level::Emergency {
                "They were told to call the emergency number now."
            } else {
                "They were told to get medical advice today."
            };
            format!(
                "{} answered a check-in at {} and the answer was sorted as \"{label}\". {told}",
                client.name, clinic.name
            )
        }
        _ => format!(
            "{} answered a check-in at {} that a person should read now: their note mentions a warning sign, \
             or their answer could not be read.",
            client.name, clinic.name
        ),
    };
    let paragraphs = [
        first,
        format!("Contact them as soon as you can, then acknowledge the alert: {alerts_url}"),
        "This e-mail holds none of their answers or symptoms; they are in Aftercare.".to_owned(),
    ];
    Letter {
        subject: subject.clone(),
        text: format!("{}\n", paragraphs.join("\n\n")),
        html: html("en", &subject, &paragraphs, &[(alerts_url, alerts_url)], Some((alerts_url, "Open the alert"))),
        sms: format!("{} {} {alerts_url}", paragraphs[0], "Please contact them and acknowledge:"),
    }
}

/// A staff member's link to choose a password: a new member's invitation, or a reset they
/// (or someone typing their address) asked for. `hours` is how long the link works.
pub fn password(clinic: &Clinic, staff_name: &str, purpose: store::PasswordPurpose, url: &str, hours: i64) -> Letter {
    let (subject, paragraphs) = match purpose {
        store::PasswordPurpose::Invitation => (
            format!("Your Aftercare account at {}", clinic.name),
            [
                format!(
                    "Hello {staff_name}, {} uses Aftercare to look after its clients between sessions, and you have an account there.",
                    clinic.name
                ),
                format!("Choose your password here; the link works once, for {hours} hours: {url}"),
                "If you were not expecting this, you can ignore this e-mail.".to_owned(),
            ],
        ),
        store::PasswordPurpose::PasswordReset => (
            "Choose a new Aftercare password".to_owned(),
            [
                format!(
                    "Hello {staff_name}, someone asked to choose a new password for your Aftercare account at {}.",
                    clinic.name
                ),
                format!(
                    "If it was you, choose it here; the link works once, for {hours} hour{}: {url}",
                    if hours == 1 { "" } else { "s" }
                ),
                "If it was not you, ignore this e-mail: your password stays as it is.".to_owned(),
            ],
        ),
    };
    Letter {
        subject: subject.clone(),
        text: format!("{}\n", paragraphs.join("\n\n")),
        html: html("en", &subject, &paragraphs, &[(url, url)], Some((url, "Choose your password"))),
        sms: format!("{} {url}", paragraphs[1]),
    }
}

/// A therapist's daily digest of open `therapist` alerts (client names).
pub fn digest(clinic: &Clinic, staff_name: &str, clients: &[String], alerts_url: &str) -> Letter {
    let list = clients.iter().map(|c| format!("- {c}")).collect::<Vec<_>>().join("\n");
    let paragraphs = [
        format!(
            "Hello {staff_name}, {} of your clients told {} that their soreness is worth your attention:",
            clients.len(),
            clinic.name
        ),
        list,
        format!("Nothing here needed a doctor when they answered. See their answers and acknowledge: {alerts_url}"),
    ];
    let subject = format!("Aftercare digest: {} client(s) to hear from", clients.len());
    Letter {
        subject: subject.clone(),
        text: format!("{}\n", paragraphs.join("\n\n")),
        html: html("en", &subject, &paragraphs, &[(alerts_url, alerts_url)], Some((alerts_url, "Open the alerts")))
            .replace("\n- ", "<br>\n- "),
        sms: format!("{} {alerts_url}", paragraphs[0]),
    }
}
