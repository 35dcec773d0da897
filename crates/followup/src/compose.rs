//! What each message says: to a client (the plan, a check-in invitation, its reminder), in
//! the clinic's wording, with the link, the emergency number and a way to stop messages; to
//! staff (an alert at once, a therapist's daily digest), with the least health detail that
//! lets them act: the client's name, the level and a link to the alert queue.
//!
//! Every e-mail has a plain-text and an HTML part; an SMS is the plain wording and the
//! stop link.

use crate::wording::{DEFAULT_CHECK_IN, DEFAULT_PLAN, fill};
use care::knowledge::Knowledge;
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
pub fn first_name(client: &Client) -> &str {
    client.name.split_whitespace().next().unwrap_or("there")
}

fn emergency_line(kb: &Knowledge, clinic: &Clinic) -> String {
    let call =
        kb.country(&clinic.country).map_or_else(|| "your local emergency number".to_owned(), |c| c.emergency.clone());
    format!("If you have trouble breathing, chest pain or feel very unwell, call {call} now. Do not wait to answer.")
}

/// The page with paragraphs of plain text, links made clickable.
/// The HTML part: `title` (the subject) in its head, each paragraph with its links, and the
/// main link as a button after the first paragraph, large enough to tap. Long addresses
/// break anywhere rather than overflow a phone.
fn html(title: &str, paragraphs: &[String], links: &[(&str, &str)], button: Option<(&str, &str)>) -> String {
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
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"><title>{}</title></head>\n\
         <body style=\"font-family: sans-serif; font-size: 16px; line-height: 1.5; overflow-wrap: anywhere\">\n{body}</body></html>\n",
        escape(title)
    )
}

/// A message to a client: `link` is the page it leads to, `unsubscribe` the stop link.
pub fn to_client(
    kb: &Knowledge,
    kind: MessageKind,
    clinic: &Clinic,
    client: &Client,
    link: &str,
    unsubscribe: &str,
) -> Letter {
    let (wording, subject) = match kind {
        MessageKind::Plan => (
            clinic.plan_message.as_deref().unwrap_or(DEFAULT_PLAN),
            format!("Your aftercare plan from {}", clinic.name),
        ),
        MessageKind::Reminder => (
            clinic.check_in_message.as_deref().unwrap_or(DEFAULT_CHECK_IN),
            "A reminder: how are you feeling after your massage?".to_owned(),
        ),
        _ => (
            clinic.check_in_message.as_deref().unwrap_or(DEFAULT_CHECK_IN),
            "How are you feeling after your massage?".to_owned(),
        ),
    };
    let mut main = fill(wording, first_name(client), &clinic.name, link);
    if kind == MessageKind::Reminder {
        main = format!("A reminder: {main}");
    }
    let safety = emergency_line(kb, clinic);
    let honest = "Aftercare sorts your answers by how soon you may need help. It does not diagnose.".to_owned();
    let stop = format!("You get these messages from {} after your massage. To stop them: {unsubscribe}", clinic.name);
    let paragraphs = [main.clone(), safety.clone(), honest, stop];
    Letter {
        subject: subject.clone(),
        text: format!("{}\n", paragraphs.join("\n\n")),
        html: html(
            &subject,
            &paragraphs,
            &[(link, link), (unsubscribe, "stop these messages")],
            Some((link, if kind == MessageKind::Plan { "Read your plan" } else { "Answer the check-in" })),
        ),
        sms: format!("{main} {safety} Stop messages: {unsubscribe}"),
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
        html: html(&subject, &paragraphs, &[(alerts_url, alerts_url)], Some((alerts_url, "Open the alert"))),
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
        html: html(&subject, &paragraphs, &[(url, url)], Some((url, "Choose your password"))),
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
        html: html(&subject, &paragraphs, &[(alerts_url, alerts_url)], Some((alerts_url, "Open the alerts")))
            .replace("\n- ", "<br>\n- "),
        sms: format!("{} {alerts_url}", paragraphs[0]),
    }
}
