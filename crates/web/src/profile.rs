//! What the care engine needs to know about a client, gathered from the store: the
//! conditions, usual pain and pregnancy weeks of the latest intake, and the age on record.

use crate::AppState;
use crate::error::ApiError;
use care::checkin::ClientDoc;
use care::screening::IntakeDoc;
use store::Store;

/// The client as the engine reads them, and whether their intake says this is their first
/// massage ever.
pub async fn client_doc<S: Store>(state: &AppState<S>, client: &store::Client) -> Result<(ClientDoc, bool), ApiError> {
    let intake = state.store.latest_intake(client.clinic_id, client.id).await?;
    let doc = match intake {
        Some(i) => Some(
            serde_json::from_str::<IntakeDoc>(&i.body).map_err(|e| ApiError::internal("reading a stored intake", e))?,
        ),
        None => None,
    };
    let client_doc = ClientDoc {
        conditions: doc.as_ref().map(|d| d.conditions.iter().map(|c| c.code.clone()).collect()),
        age_months: client.age_months.map(Into::into).or_else(|| doc.as_ref().and_then(|d| d.age_months.clone())),
        usual_pain: doc.as_ref().and_then(|d| d.usual_pain.clone()),
        pregnancy_weeks: doc.as_ref().and_then(|d| d.pregnancy_weeks.clone()),
    };
    Ok((client_doc, doc.is_some_and(|d| d.first_massage)))
}

/// Who to call, from the clinic's country.
pub fn contacts<'k>(knowledge: &'k care::Knowledge, clinic: &store::Clinic) -> care::triage::Contacts<'k> {
    care::triage::Contacts { country: knowledge.country(&clinic.country) }
}

/// The clinic's products as the plan shows them.
pub async fn products<S: Store>(state: &AppState<S>, clinic_id: i64) -> Result<Vec<care::plan::Product>, ApiError> {
    Ok(state
        .store
        .products(clinic_id)
        .await?
        .into_iter()
        .map(|p| care::plan::Product { name: p.name, item: p.item, url: p.url, description: None })
        .collect())
}
