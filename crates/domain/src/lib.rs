//! Plain values the product checks once: names, e-mail addresses, phone numbers, time zones,
//! notes, secrets and times.
//!
//! Each value type is made only by its `parse`, which applies the one rule for that value and
//! returns a [`Problem`] saying what is wrong otherwise; a value that exists is therefore valid.
//! The web app and the command line both check their input here.

/// The text of a value type holding one checked `String`: `as_str`, `into_string`, `AsRef<str>`
/// and `Display`, the same for every such type.
macro_rules! text_value {
    ($t:ident) => {
        impl $t {
            /// The checked text.
            pub fn as_str(&self) -> &str {
                &self.0
            }

            /// The checked text, owned.
            pub fn into_string(self) -> String {
                self.0
            }
        }

        impl AsRef<str> for $t {
            fn as_ref(&self) -> &str {
                &self.0
            }
        }

        impl std::fmt::Display for $t {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(&self.0)
            }
        }
    };
}
pub(crate) use text_value;

mod email;
mod name;
mod note;
mod phone;
mod problem;
pub mod secret;
pub mod time;
mod time_zone;
pub mod totp;

pub use email::Email;
pub use name::PersonName;
pub use note::Note;
pub use phone::Phone;
pub use problem::Problem;
pub use secret::Redacted;
pub use time_zone::TimeZoneName;
