//! The ids of stored records, one type each, so that passing a client's id where a session's
//! is asked for does not compile. Every store call that touches a clinic's data takes its
//! [`ClinicId`] first.

use std::fmt;

macro_rules! ids {
    ($($(#[$doc:meta])* $name:ident;)*) => {$(
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
        pub struct $name(pub i64);

        impl $name {
            /// The number the database keeps.
            pub fn get(self) -> i64 {
                self.0
            }
        }

        impl From<i64> for $name {
            fn from(id: i64) -> $name {
                $name(id)
            }
        }

        impl From<$name> for i64 {
            fn from(id: $name) -> i64 {
                id.0
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                self.0.fmt(f)
            }
        }
    )*};
}

ids! {
    /// A clinic.
    ClinicId;
    /// A staff member.
    StaffId;
    /// An API token.
    ApiTokenId;
    /// A client.
    ClientId;
    /// An intake.
    IntakeId;
    /// An intake link.
    IntakeLinkId;
    /// A session.
    SessionId;
    /// A follow-up of a session (a check-in to ask for).
    FollowUpId;
    /// A check-in.
    CheckInId;
    /// An alert.
    AlertId;
    /// An e-mailed link to choose a password.
    PasswordLinkId;
    /// A product linked to a plan item.
    ProductId;
    /// A client's feedback.
    FeedbackId;
    /// A message in the outbox.
    MessageId;
    /// An entry of the audit trail.
    AuditId;
}
