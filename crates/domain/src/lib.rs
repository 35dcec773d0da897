//! Plain values the product checks once: names, e-mail addresses, phone numbers, time zones,
//! notes, secrets and times.
//!
//! Each value type is made only by its `parse`, which applies the one rule for that value and
//! returns a [`Problem`] saying what is wrong otherwise; a value that exists is therefore valid.
//! The web app and the command line both check their input here.

mod email;
mod name;
mod note;
mod phone;
mod problem;
pub mod secret;
pub mod time;
mod time_zone;

pub use email::Email;
pub use name::PersonName;
pub use note::Note;
pub use phone::Phone;
pub use problem::Problem;
pub use secret::Redacted;
pub use time_zone::TimeZoneName;
