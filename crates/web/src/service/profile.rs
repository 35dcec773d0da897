//! What the care engine needs to know about a client, gathered from the store: the
//! conditions, usual pain and pregnancy weeks of the latest intake, and the age on record,
//! each as it stands at the time asked about: the weeks of pregnancy recorded at an intake
//! are counted on from its date, and a pregnancy or a birth stops counting as the knowledge
//! says (`care::checkin::conditions_at`, care policy v1.2 section 2).

use crate::AppState;
use crate::error::Error;
use care::checkin::ClientDoc;
use care::screening::IntakeDoc;
use store::{ClinicId, Store, Timestamp};

/// A day, in milliseconds.
const MS_PER_DAY: i64 = 24 * 3600 * 1000;

/// The client as the engine reads them, and whether their intake says this is their first
/// massage ever.
pub async fn client_doc<S: Store>(
    state: &AppState<S>,
    client: &store::Client,
    now: Timestamp,
) -> Result<(ClientDoc, bool), Error> {
    let intake = state.store.latest_intake(client.clinic_id, client.id).await?;
    client_doc_of(&state.knowledge, client, intake.as_ref(), now)
}

/// [`client_doc`] from the client's latest intake, already read (a client link reads it
/// with the link).
pub fn client_doc_of(
    kb: &care::Knowledge,
    client: &store::Client,
    intake: Option<&store::Intake>,
    now: Timestamp,
) -> Result<(ClientDoc, bool), Error> {
    let doc = match intake {
        Some(i) => Some(
            serde_json::from_str::<IntakeDoc>(&i.body).map_err(|e| Error::internal("reading a stored intake", e))?,
        ),
        None => None,
    };
    let days_since_intake = intake.map_or(0, |i| (now.0 - i.created_at.0).max(0) / MS_PER_DAY);
    let recorded_weeks = doc.as_ref().and_then(|d| d.pregnancy_weeks.as_ref()).and_then(serde_json::Number::as_i64);
    let (conditions, pregnancy_weeks) = match &doc {
        Some(d) => {
            let codes: Vec<String> = d.conditions.iter().map(|c| c.code.clone()).collect();
            let (kept, weeks) = care::checkin::conditions_at(kb, &codes, recorded_weeks, days_since_intake);
            (Some(kept), weeks)
        }
        None => (None, None),
    };
    let client_doc = ClientDoc {
        conditions,
        age_months: client.age_months.map(Into::into).or_else(|| doc.as_ref().and_then(|d| d.age_months.clone())),
        usual_pain: doc.as_ref().and_then(|d| d.usual_pain.clone()),
        pregnancy_weeks: pregnancy_weeks.map(serde_json::Number::from),
    };
    Ok((client_doc, doc.is_some_and(|d| d.first_massage)))
}

/// Who to call, from the clinic's country.
pub fn contacts<'k>(knowledge: &'k care::Knowledge, clinic: &store::Clinic) -> care::triage::Contacts<'k> {
    care::triage::Contacts { country: knowledge.country(&clinic.country) }
}

/// The clinic's products as the plan shows them.
pub async fn products<S: Store>(state: &AppState<S>, clinic_id: ClinicId) -> Result<Vec<care::plan::Product>, Error> {
    Ok(state
        .store
        .products(clinic_id)
        .await?
        .into_iter()
        .map(|p| care::plan::Product { name: p.name, item: p.item, url: p.url, description: None })
        .collect())
}
