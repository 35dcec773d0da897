//! A client's record, or a clinic's period, as a FHIR R4 (4.0.1) `Bundle` of type
//! `collection`, for another health system: a `Patient` per client; per session an
//! `Encounter` and a `Procedure` (the massage: its type and pressure, the body sites, the
//! techniques and notes); per check-in a `QuestionnaireResponse` (the answer as given) and
//! `Observation`s of soreness (LOINC 72514-3, 0–10) and, when given, body temperature
//! (LOINC 8310-5, in °C). Every entry has a `urn:uuid:` full URL made from the clinic and the
//! record's id (the same record gives the same URL in every export), and references between
//! entries use them. Codes Aftercare does not map to a standard terminology are given as text,
//! or under Aftercare's own `urn:aftercare:` systems; nothing is coded that the knowledge does
//! not say. Times are RFC 3339 in UTC.

use crate::error::Error;
use crate::service::check_in::StoredReport;
use care::Knowledge;
use serde_json::{Value, json};
use sha2::{Digest, Sha256};
use store::{CheckIn, Client, ClientId, Clinic, Session, Staff, Store, Timestamp};

/// The LOINC code of pain severity on a 0–10 verbal numeric rating scale, as reported.
pub const LOINC_PAIN_SEVERITY: &str = "72514-3";
/// The LOINC code of body temperature.
pub const LOINC_BODY_TEMPERATURE: &str = "8310-5";

/// The `urn:uuid:` of a record: a name-based UUID (version 8, from SHA-256) of the clinic, the
/// kind of record and its id.
fn uuid(clinic: &Clinic, kind: &str, id: i64) -> String {
    let digest = Sha256::digest(format!("aftercare/{}/{kind}/{id}", clinic.id).as_bytes());
    let mut b = [0u8; 16];
    b.copy_from_slice(&digest[..16]);
    b[6] = (b[6] & 0x0f) | 0x80;
    b[8] = (b[8] & 0x3f) | 0x80;
    let hex: String = b.iter().map(|x| format!("{x:02x}")).collect();
    format!("urn:uuid:{}-{}-{}-{}-{}", &hex[0..8], &hex[8..12], &hex[12..16], &hex[16..20], &hex[20..32])
}

/// A reference to an entry of the bundle.
fn to(url: &str) -> Value {
    json!({ "reference": url })
}

/// An entry: its full URL and its resource, whose id is the UUID.
fn entry(url: &str, mut resource: Value) -> Value {
    resource["id"] = json!(url.trim_start_matches("urn:uuid:"));
    json!({ "fullUrl": url, "resource": resource })
}

fn time(t: Timestamp) -> String {
    t.to_rfc3339()
}

/// A JSON number as FHIR's integer when it is whole, else as a decimal.
fn number_answer(n: &serde_json::Number) -> Value {
    match n.as_i64() {
        Some(i) => json!({ "valueInteger": i }),
        None => json!({ "valueDecimal": n }),
    }
}

/// A session with its check-ins.
pub type SessionRecord = (Session, Vec<CheckIn>);

/// What an export holds: the clinic, its staff (for the therapists' names), and each client
/// with their sessions and each session's check-ins.
#[derive(Debug, Clone)]
pub struct Records {
    /// The clinic.
    pub clinic: Clinic,
    /// Its staff.
    pub staff: Vec<Staff>,
    /// Each client, with their sessions and each session's check-ins.
    pub clients: Vec<(Client, Vec<SessionRecord>)>,
}

/// The records as a `Bundle` of type `collection`, made at `now`.
pub fn bundle(kb: &Knowledge, records: &Records, now: Timestamp) -> Value {
    let clinic = &records.clinic;
    let v = &kb.vocabulary;
    let mut entries = Vec::new();
    for (client, sessions) in &records.clients {
        let patient = uuid(clinic, "client", client.id.get());
        entries.push(entry(&patient, patient_resource(clinic, client)));
        for (session, check_ins) in sessions {
            let encounter = uuid(clinic, "session", session.id.get());
            let therapist = records.staff.iter().find(|s| s.id == session.staff_id).map(|s| s.name.clone());
            let kind =
                v.massage_types.by_code(&session.massage_type).map_or(session.massage_type.as_str(), |t| &t.label);
            let pressure = v.pressures.by_code(&session.pressure).map_or(session.pressure.as_str(), |p| &p.label);
            let what = format!("{kind} massage, {} pressure", pressure.to_lowercase());
            let mut enc = json!({
                "resourceType": "Encounter",
                "identifier": [{ "system": format!("urn:aftercare:clinic:{}:session", clinic.id), "value": session.id.to_string() }],
                "status": "finished",
                "class": { "system": "http://terminology.hl7.org/CodeSystem/v3-ActCode", "code": "AMB", "display": "ambulatory" },
                "type": [{ "text": what }],
                "subject": to(&patient),
                "period": { "end": time(session.ended_at) },
                "serviceProvider": { "display": clinic.name },
            });
            if let Some(name) = &therapist {
                enc["participant"] = json!([{ "individual": { "display": name } }]);
            }
            entries.push(entry(&encounter, enc));
            let mut procedure = json!({
                "resourceType": "Procedure",
                "status": "completed",
                "code": {
                    "coding": [{ "system": "urn:aftercare:massage-type", "code": session.massage_type, "display": kind }],
                    "text": what,
                },
                "subject": to(&patient),
                "encounter": to(&encounter),
                "performedDateTime": time(session.ended_at),
            });
            let sites: Vec<Value> = session
                .areas
                .iter()
                .map(|a| {
                    let label = v.areas.by_code(a).map_or(a.as_str(), |x| &x.label);
                    json!({ "coding": [{ "system": "urn:aftercare:body-area", "code": a, "display": label }], "text": label })
                })
                .collect();
            if !sites.is_empty() {
                procedure["bodySite"] = json!(sites);
            }
            if let Some(name) = &therapist {
                procedure["performer"] = json!([{ "actor": { "display": name } }]);
            }
            let mut notes: Vec<Value> = Vec::new();
            if !session.techniques.is_empty() {
                notes.push(json!({ "text": format!("Techniques: {}", session.techniques.join(", ")) }));
            }
            if let Some(n) = session.notes.as_deref().map(str::trim).filter(|n| !n.is_empty()) {
                notes.push(json!({ "text": n }));
            }
            if !notes.is_empty() {
                procedure["note"] = json!(notes);
            }
            entries.push(entry(&uuid(clinic, "procedure", session.id.get()), procedure));
            for c in check_ins {
                entries.extend(check_in_entries(kb, clinic, &patient, &encounter, c));
            }
        }
    }
    json!({
        "resourceType": "Bundle",
        "meta": { "lastUpdated": time(now) },
        "type": "collection",
        "timestamp": time(now),
        "entry": entries,
    })
}

fn patient_resource(clinic: &Clinic, client: &Client) -> Value {
    let mut patient = json!({
        "resourceType": "Patient",
        "identifier": [{ "system": format!("urn:aftercare:clinic:{}:client", clinic.id), "value": client.id.to_string() }],
        "name": [{ "text": client.name }],
    });
    let mut telecom = Vec::new();
    if let Some(e) = &client.email {
        telecom.push(json!({ "system": "email", "value": e }));
    }
    if let Some(p) = &client.phone {
        telecom.push(json!({ "system": "phone", "value": p }));
    }
    if !telecom.is_empty() {
        patient["telecom"] = json!(telecom);
    }
    patient
}

/// A check-in's `QuestionnaireResponse`, and its soreness and temperature `Observation`s.
fn check_in_entries(kb: &Knowledge, clinic: &Clinic, patient: &str, encounter: &str, c: &CheckIn) -> Vec<Value> {
    let v = &kb.vocabulary;
    let report = StoredReport::read(&c.report);
    let response = uuid(clinic, "check-in", c.id.get());
    let mut items: Vec<Value> = Vec::new();
    let item = |link: &str, text: &str, answers: Vec<Value>| json!({ "linkId": link, "text": text, "answer": answers });
    match (c.soreness, report.soreness.as_ref()) {
        (Some(s), _) => items.push(item("soreness", "Soreness now, 0 to 10", vec![json!({ "valueInteger": s })])),
        (None, Some(n)) => items.push(item("soreness", "Soreness now, 0 to 10", vec![number_answer(n)])),
        (None, None) => {}
    }
    if let Some(t) = report.trend.as_deref().filter(|t| !t.is_empty()) {
        items.push(item("trend", "Compared with the day after the massage", vec![json!({ "valueString": t })]));
    }
    let code_answers = |system: &str, codes: &[String], label: &dyn Fn(&str) -> Option<String>| -> Vec<Value> {
        codes
            .iter()
            .filter(|c| !c.is_empty())
            .map(|c| match label(c) {
                Some(l) => json!({ "valueCoding": { "system": system, "code": c, "display": l } }),
                None => json!({ "valueString": c }),
            })
            .collect()
    };
    let areas = code_answers("urn:aftercare:body-area", report.sore_areas.as_deref().unwrap_or_default(), &|a| {
        v.areas.by_code(a).map(|x| x.label.clone())
    });
    if !areas.is_empty() {
        items.push(item("sore-areas", "Where it is sore", areas));
    }
    let symptoms =
        code_answers("urn:aftercare:symptom", &report.symptoms, &|s| v.symptoms.by_code(s).map(|x| x.label.clone()));
    items.push(if symptoms.is_empty() {
        item("symptoms-none", "None of the listed symptoms", vec![json!({ "valueBoolean": true })])
    } else {
        item("symptoms", "Symptoms new or worse since the massage", symptoms)
    });
    if let Some(t) = &report.temperature_c {
        items.push(item("temperature", "Temperature, °C", vec![json!({ "valueDecimal": t })]));
    }
    if let Some(n) = report.note() {
        items.push(item("note", "Anything else", vec![json!({ "valueString": n })]));
    }
    let label = &kb.triage.level(c.level).label;
    items.push(item("level", "What Aftercare told the client", vec![json!({ "valueString": label })]));
    let mut out = vec![entry(
        &response,
        json!({
            "resourceType": "QuestionnaireResponse",
            "identifier": { "system": format!("urn:aftercare:clinic:{}:check-in", clinic.id), "value": c.id.to_string() },
            "status": "completed",
            "subject": to(patient),
            "encounter": to(encounter),
            "authored": time(c.submitted_at),
            "item": items,
        }),
    )];
    let category = |code: &str, display: &str| json!([{ "coding": [{ "system": "http://terminology.hl7.org/CodeSystem/observation-category", "code": code, "display": display }] }]);
    if let Some(s) = c.soreness {
        out.push(entry(
            &uuid(clinic, "soreness", c.id.get()),
            json!({
                "resourceType": "Observation",
                "status": "final",
                "category": category("survey", "Survey"),
                "code": {
                    "coding": [{ "system": "http://loinc.org", "code": LOINC_PAIN_SEVERITY, "display": "Pain severity - 0-10 verbal numeric rating [Score] - Reported" }],
                    "text": "Soreness, 0 to 10",
                },
                "subject": to(patient),
                "encounter": to(encounter),
                "effectiveDateTime": time(c.submitted_at),
                "valueInteger": s,
                "derivedFrom": [to(&response)],
            }),
        ));
    }
    // A temperature only from an answer that was read: one that was refused may be anything.
    if let Some(t) = report.temperature_c.as_ref().and_then(serde_json::Number::as_f64).filter(|_| c.triaged) {
        out.push(entry(
            &uuid(clinic, "temperature", c.id.get()),
            json!({
                "resourceType": "Observation",
                "status": "final",
                "category": category("vital-signs", "Vital Signs"),
                "code": {
                    "coding": [{ "system": "http://loinc.org", "code": LOINC_BODY_TEMPERATURE, "display": "Body temperature" }],
                    "text": "Body temperature",
                },
                "subject": to(patient),
                "encounter": to(encounter),
                "effectiveDateTime": time(c.submitted_at),
                "valueQuantity": { "value": t, "unit": "Cel", "system": "http://unitsofmeasure.org", "code": "Cel" },
                "derivedFrom": [to(&response)],
            }),
        ));
    }
    out
}

async fn sessions_with_check_ins<S: Store>(
    store: &S,
    clinic: &Clinic,
    sessions: Vec<Session>,
) -> Result<Vec<SessionRecord>, Error> {
    let mut out = Vec::with_capacity(sessions.len());
    for s in sessions {
        let check_ins = store.check_ins_of_session(clinic.id, s.id).await?;
        out.push((s, check_ins));
    }
    Ok(out)
}

/// Client `id`'s whole record in `clinic`; `None` when the client is not in the clinic.
///
/// # Errors
/// When the store fails.
pub async fn client_records<S: Store>(store: &S, clinic: &Clinic, id: ClientId) -> Result<Option<Records>, Error> {
    let Some(client) = store.client(clinic.id, id).await? else { return Ok(None) };
    let mut sessions = Vec::new();
    let mut after = None;
    loop {
        let page = store.sessions_of_client(clinic.id, id, after.as_ref(), 200).await?;
        let Some(last) = page.last() else { break };
        after = Some(store::SessionPosition::of(last));
        let full = page.len() == 200;
        sessions.extend(page);
        if !full {
            break;
        }
    }
    let sessions = sessions_with_check_ins(store, clinic, sessions).await?;
    let staff = store.staff_of_clinic(clinic.id).await?;
    Ok(Some(Records { clinic: clinic.clone(), staff, clients: vec![(client, sessions)] }))
}

/// Client `id`'s record in `clinic` as a FHIR bundle, as JSON text.
///
/// # Errors
/// Not found in the clinic; or the store failed.
pub async fn client_bundle<S: Store>(
    state: &crate::AppState<S>,
    clinic: store::ClinicId,
    id: ClientId,
) -> Result<String, Error> {
    let clinic = state.store.clinic(clinic).await?.ok_or_else(|| Error::not_found("clinic"))?;
    let records = client_records(&state.store, &clinic, id).await?.ok_or_else(|| Error::not_found("client"))?;
    let value = bundle(&state.knowledge, &records, state.clock.now());
    serde_json::to_string_pretty(&value).map_err(|e| Error::internal("writing a FHIR bundle", e))
}

/// The clinic's sessions that ended from `from` (included) to `to` (excluded), with their
/// clients and check-ins.
///
/// # Errors
/// When the store fails.
pub async fn period_records<S: Store>(
    store: &S,
    clinic: &Clinic,
    from: Timestamp,
    to: Timestamp,
) -> Result<Records, Error> {
    let sessions = store.sessions_between(clinic.id, from, to).await?;
    let mut clients: Vec<(Client, Vec<Session>)> = Vec::new();
    for s in sessions {
        match clients.iter_mut().find(|(c, _)| c.id == s.client_id) {
            Some((_, list)) => list.push(s),
            None => {
                if let Some(c) = store.client(clinic.id, s.client_id).await? {
                    clients.push((c, vec![s]));
                }
            }
        }
    }
    let mut out = Vec::with_capacity(clients.len());
    for (c, sessions) in clients {
        out.push((c, sessions_with_check_ins(store, clinic, sessions).await?));
    }
    Ok(Records { clinic: clinic.clone(), staff: store.staff_of_clinic(clinic.id).await?, clients: out })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_records_url_is_a_version_8_uuid_the_same_in_every_export() {
        let clinic = Clinic {
            id: store::ClinicId(7),
            name: "Calm".into(),
            country: "GB".into(),
            timezone: "Europe/London".into(),
            check_in_hours: vec![24, 48],
            plan_message: None,
            check_in_message: None,
            alert_to: None,
            require_two_factor: false,
            phone: None,
            email: None,
            created_at: Timestamp(0),
        };
        let a = uuid(&clinic, "client", 1);
        assert_eq!(a, uuid(&clinic, "client", 1));
        assert_ne!(a, uuid(&clinic, "session", 1));
        let hex = a.trim_start_matches("urn:uuid:");
        assert_eq!(hex.len(), 36);
        assert_eq!(&hex[14..15], "8", "version 8");
        assert!(matches!(&hex[19..20], "8" | "9" | "a" | "b"), "the RFC 9562 variant");
    }
}
