//! Moving a clinic between databases: what a clinic's data is, table by table and column by
//! column, as both backends export it and import it. The file format itself (versioned JSON
//! lines) belongs to the command line; here are only the tables, in an order in which every
//! row's references come before it, and the values.
//!
//! A moved clinic keeps every row id (ids are unique within a clinic, which every primary key
//! includes) and gets a new clinic id where it lands. Sign-in sessions are not moved: staff
//! sign in again on the new server.

/// How a column's values are kept.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// A whole number (ids, instants in milliseconds, counts).
    Int,
    /// A floating-point number.
    Real,
    /// Text (JSON documents and lists included, kept as their text).
    Text,
    /// Bytes (the hashes of secrets).
    Bytes,
    /// True or false.
    Bool,
}

/// One value of a row.
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    /// No value.
    Null,
    /// A whole number.
    Int(i64),
    /// A floating-point number.
    Real(f64),
    /// Text.
    Text(String),
    /// Bytes.
    Bytes(Vec<u8>),
    /// True or false.
    Bool(bool),
}

/// A table of clinic data: its name and its columns, `clinic_id` left out (the clinic a row
/// belongs to is the clinic being moved).
#[derive(Debug)]
pub struct Table {
    /// The table's name.
    pub name: &'static str,
    /// Its columns and their kinds, `id` first where the table has one.
    pub columns: &'static [(&'static str, Kind)],
}

use Kind::{Bool, Bytes, Int, Real, Text};

/// The clinic's own row, without its id (it gets a new one where it lands).
pub const CLINIC: Table = Table {
    name: "clinics",
    columns: &[
        ("name", Text),
        ("country", Text),
        ("timezone", Text),
        ("created_at", Int),
        ("check_in_hours", Text),
        ("plan_message", Text),
        ("check_in_message", Text),
        ("alert_to", Text),
        ("require_two_factor", Bool),
        ("phone", Text),
        ("email", Text),
    ],
};

/// Every table of a clinic's data, each after the tables its rows refer to.
pub const TABLES: [Table; 15] = [
    Table {
        name: "staff",
        columns: &[
            ("id", Int),
            ("email", Text),
            ("name", Text),
            ("role", Text),
            ("active", Bool),
            ("password_hash", Text),
            ("created_at", Int),
            ("password_chosen", Bool),
            ("totp_secret", Text),
            ("totp_last_step", Int),
        ],
    },
    Table {
        name: "api_tokens",
        columns: &[
            ("id", Int),
            ("staff_id", Int),
            ("label", Text),
            ("token_hash", Bytes),
            ("created_at", Int),
            ("revoked_at", Int),
            ("expires_at", Int),
        ],
    },
    Table {
        name: "password_links",
        columns: &[
            ("id", Int),
            ("staff_id", Int),
            ("purpose", Text),
            ("token_hash", Bytes),
            ("expires_at", Int),
            ("used_at", Int),
            ("created_at", Int),
        ],
    },
    Table {
        name: "recovery_codes",
        columns: &[("id", Int), ("staff_id", Int), ("code_hash", Bytes), ("used_at", Int)],
    },
    Table {
        name: "clients",
        columns: &[
            ("id", Int),
            ("name", Text),
            ("email", Text),
            ("phone", Text),
            ("timezone", Text),
            ("age_months", Int),
            ("created_at", Int),
            ("opted_out_at", Int),
            ("language", Text),
        ],
    },
    Table { name: "intakes", columns: &[("id", Int), ("client_id", Int), ("body", Text), ("created_at", Int)] },
    Table {
        name: "intake_links",
        columns: &[
            ("id", Int),
            ("client_id", Int),
            ("link_hash", Bytes),
            ("created_at", Int),
            ("expires_at", Int),
            ("used_at", Int),
        ],
    },
    Table {
        name: "sessions",
        columns: &[
            ("id", Int),
            ("client_id", Int),
            ("staff_id", Int),
            ("massage_type", Text),
            ("pressure", Text),
            ("areas", Text),
            ("techniques", Text),
            ("first_massage", Bool),
            ("notes", Text),
            ("ended_at", Int),
            ("created_at", Int),
            ("baby_birth_date", Text),
        ],
    },
    Table {
        name: "follow_ups",
        columns: &[
            ("id", Int),
            ("session_id", Int),
            ("kind", Text),
            ("offset_hours", Int),
            ("due_at", Int),
            ("expires_at", Int),
            ("link_hash", Bytes),
            ("created_at", Int),
        ],
    },
    Table {
        name: "check_ins",
        columns: &[
            ("id", Int),
            ("session_id", Int),
            ("follow_up_id", Int),
            ("report", Text),
            ("soreness", Int),
            ("hours_since", Real),
            ("level", Text),
            ("fired", Text),
            ("submitted_at", Int),
            ("triaged", Bool),
            ("problems", Text),
        ],
    },
    Table {
        name: "alerts",
        columns: &[
            ("id", Int),
            ("check_in_id", Int),
            ("client_id", Int),
            ("level", Text),
            ("status", Text),
            ("created_at", Int),
            ("acknowledged_by", Int),
            ("acknowledged_at", Int),
            ("note", Text),
            ("follow_up_id", Int),
        ],
    },
    Table {
        name: "products",
        columns: &[("id", Int), ("name", Text), ("item", Text), ("url", Text), ("created_at", Int)],
    },
    Table {
        name: "feedback",
        columns: &[("id", Int), ("check_in_id", Int), ("rating", Int), ("comment", Text), ("created_at", Int)],
    },
    Table {
        name: "messages",
        columns: &[
            ("id", Int),
            ("kind", Text),
            ("recipient", Text),
            ("staff_id", Int),
            ("follow_up_id", Int),
            ("alert_id", Int),
            ("link_token", Text),
            ("idempotency_key", Text),
            ("due_at", Int),
            ("next_attempt", Int),
            ("status", Text),
            ("attempts", Int),
            ("claim", Text),
            ("claimed_until", Int),
            ("channel", Text),
            ("last_error", Text),
            ("sent_at", Int),
            ("created_at", Int),
        ],
    },
    Table {
        name: "audit_log",
        columns: &[
            ("id", Int),
            ("staff_id", Int),
            ("client_id", Int),
            ("action", Text),
            ("detail", Text),
            ("address", Text),
            ("at", Int),
        ],
    },
];

/// The tables that are not moved with a clinic: sign-in sessions (staff sign in again), the
/// outcome tallies (derived from the rows: the import counts them again), and those that
/// hold no clinic's data.
pub const NOT_MOVED: [&str; 10] = [
    "staff_sessions",
    "outcome_answers",
    "outcome_areas",
    "outcome_asked",
    "outcome_alerts",
    "outcome_tally_zones",
    "clinics",
    "write_probe",
    "_sqlx_migrations",
    "schema_migrations",
];

/// A row of a clinic's table: its values in the order of the table's columns.
pub type Row = Vec<Value>;

/// Receives a clinic's rows as they are read: the clinic's own row ([`CLINIC`]) first, then
/// every row of each of [`TABLES`] in turn, by id. An error stops the export.
pub type RowSink = Box<dyn FnMut(&'static Table, Row) -> Result<(), String> + Send>;

/// What is wrong with a row for `table`, if anything: its length, or a value of another kind.
pub fn row_problem(table: &Table, row: &[Value]) -> Option<String> {
    if row.len() != table.columns.len() {
        return Some(format!("{}: {} values where there are {} columns", table.name, row.len(), table.columns.len()));
    }
    table.columns.iter().zip(row).find_map(|((name, kind), value)| {
        let fits = matches!(
            (kind, value),
            (_, Value::Null)
                | (Int, Value::Int(_))
                | (Real, Value::Real(_))
                | (Text, Value::Text(_))
                | (Bytes, Value::Bytes(_))
                | (Bool, Value::Bool(_))
        );
        (!fits).then(|| format!("{}.{name}: a {value:?} where a {kind:?} belongs", table.name))
    })
}
