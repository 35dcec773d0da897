//! The console transport, for development: each message printed on standard output.

use super::{Email, Sms};

/// Prints an e-mail's headers and plain-text part.
#[allow(clippy::print_stdout)]
pub fn print_email(e: &Email) {
    println!("--- e-mail {} to {}\nSubject: {}\n\n{}\n---", e.idempotency_key, e.to, e.subject, e.text);
}

/// Prints an SMS.
#[allow(clippy::print_stdout)]
pub fn print_sms(s: &Sms) {
    println!("--- SMS {} to {}\n{}\n---", s.idempotency_key, s.to, s.body);
}
