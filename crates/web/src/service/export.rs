//! A clinic's records of a period as CSV (RFC 4180): its clients, sessions, check-ins and
//! alerts, for a spreadsheet or another system. Times are RFC 3339 in UTC; lists are joined
//! with `; `. A cell that a spreadsheet would run as a formula (starting with `=`, `+`, `-`,
//! `@`, a tab or a carriage return) is written with a leading `'`, so that what a client typed
//! can never run in the clinic's spreadsheet.

use crate::error::Error;
use crate::service::check_in::StoredReport;
use std::collections::BTreeSet;
use store::{Clinic, Store, Timestamp};

/// The four files of an export.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct CsvFiles {
    /// `clients.csv`: the clients of the period's sessions.
    pub clients: String,
    /// `sessions.csv`: the sessions that ended in the period.
    pub sessions: String,
    /// `check_ins.csv`: their check-ins.
    pub check_ins: String,
    /// `alerts.csv`: the alerts raised by those check-ins.
    pub alerts: String,
}

impl CsvFiles {
    /// Each file with its name.
    pub fn named(&self) -> [(&'static str, &str); 4] {
        [
            ("clients.csv", &self.clients),
            ("sessions.csv", &self.sessions),
            ("check_ins.csv", &self.check_ins),
            ("alerts.csv", &self.alerts),
        ]
    }
}

/// One CSV cell: quoted when it holds a comma, a quote or a line break, and kept from ever
/// being read as a formula.
fn cell(text: &str) -> String {
    let guarded = if text.starts_with(['=', '+', '-', '@', '\t', '\r']) { format!("'{text}") } else { text.to_owned() };
    if guarded.contains([',', '"', '\n', '\r']) { format!("\"{}\"", guarded.replace('"', "\"\"")) } else { guarded }
}

/// A CSV file: a header and rows, each line ending in CRLF.
fn file(header: &[&str], rows: &[Vec<String>]) -> String {
    let mut out = header.join(",");
    out.push_str("\r\n");
    for row in rows {
        out.push_str(&row.iter().map(|c| cell(c)).collect::<Vec<_>>().join(","));
        out.push_str("\r\n");
    }
    out
}

/// An optional value as text.
fn opt<T: ToString>(v: Option<T>) -> String {
    v.map(|x| x.to_string()).unwrap_or_default()
}

/// The clinic's clients, sessions, check-ins and alerts of the sessions that ended from
/// `from` (included) to `to` (excluded).
///
/// # Errors
/// When the store fails.
pub async fn csv<S: Store>(store: &S, clinic: &Clinic, from: Timestamp, to: Timestamp) -> Result<CsvFiles, Error> {
    let staff = store.staff_of_clinic(clinic.id).await?;
    let staff_name = |id| staff.iter().find(|s| s.id == id).map_or_else(String::new, |s| s.name.clone());
    let sessions = store.sessions_between(clinic.id, from, to).await?;
    let client_ids: BTreeSet<_> = sessions.iter().map(|s| s.client_id).collect();
    let mut clients = Vec::new();
    for id in client_ids {
        if let Some(c) = store.client(clinic.id, id).await? {
            clients.push(vec![
                c.id.to_string(),
                c.name,
                opt(c.email),
                opt(c.phone),
                opt(c.timezone),
                c.created_at.to_rfc3339(),
                opt(c.opted_out_at.map(Timestamp::to_rfc3339)),
            ]);
        }
    }
    let mut session_rows = Vec::new();
    let mut check_in_rows = Vec::new();
    let mut check_in_ids = BTreeSet::new();
    for s in &sessions {
        session_rows.push(vec![
            s.id.to_string(),
            s.client_id.to_string(),
            staff_name(s.staff_id),
            s.ended_at.to_rfc3339(),
            s.massage_type.clone(),
            s.pressure.clone(),
            s.areas.join("; "),
            s.techniques.join("; "),
            opt(s.notes.clone()),
        ]);
        for c in store.check_ins_of_session(clinic.id, s.id).await? {
            let report = StoredReport::read(&c.report);
            check_in_ids.insert(c.id);
            check_in_rows.push(vec![
                c.id.to_string(),
                s.id.to_string(),
                s.client_id.to_string(),
                c.submitted_at.to_rfc3339(),
                format!("{:.1}", c.hours_since),
                opt(c.soreness),
                c.level.code().to_owned(),
                c.fired.join("; "),
                if c.triaged { "yes" } else { "no" }.to_owned(),
                opt(report.trend.clone()),
                report.sore_areas.clone().unwrap_or_default().join("; "),
                report.symptoms.join("; "),
                opt(report.temperature_c.clone()),
                opt(report.note.clone()),
            ]);
        }
    }
    let mut alert_rows = Vec::new();
    for a in store::every_alert(store, clinic.id, None).await? {
        if !check_in_ids.contains(&a.check_in_id) {
            continue;
        }
        alert_rows.push(vec![
            a.id.to_string(),
            a.client_id.to_string(),
            a.check_in_id.to_string(),
            a.level.code().to_owned(),
            a.created_at.to_rfc3339(),
            a.status.code().to_owned(),
            opt(a.acknowledged_at.map(Timestamp::to_rfc3339)),
            a.acknowledged_by.map(staff_name).unwrap_or_default(),
            opt(a.note),
        ]);
    }
    Ok(CsvFiles {
        clients: file(&["client_id", "name", "email", "phone", "timezone", "created_at", "opted_out_at"], &clients),
        sessions: file(
            &[
                "session_id",
                "client_id",
                "therapist",
                "ended_at",
                "massage_type",
                "pressure",
                "areas",
                "techniques",
                "notes",
            ],
            &session_rows,
        ),
        check_ins: file(
            &[
                "check_in_id",
                "session_id",
                "client_id",
                "submitted_at",
                "hours_after_session",
                "soreness",
                "level",
                "rules",
                "triaged",
                "trend",
                "sore_areas",
                "symptoms",
                "temperature_c",
                "note",
            ],
            &check_in_rows,
        ),
        alerts: file(
            &[
                "alert_id",
                "client_id",
                "check_in_id",
                "level",
                "created_at",
                "status",
                "acknowledged_at",
                "acknowledged_by",
                "note",
            ],
            &alert_rows,
        ),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cells_are_quoted_and_never_formulas() {
        assert_eq!(cell("plain"), "plain");
        assert_eq!(cell("a, b"), "\"a, b\"");
        assert_eq!(cell("she said \"ow\""), "\"she said \"\"ow\"\"\"");
        assert_eq!(cell("two\nlines"), "\"two\nlines\"");
        assert_eq!(cell("=HYPERLINK(\"x\")"), "\"'=HYPERLINK(\"\"x\"\")\"");
        assert_eq!(cell("-3"), "'-3");
        assert_eq!(cell("@SUM(A1)"), "'@SUM(A1)");
    }
}
