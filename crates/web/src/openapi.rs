//! The API document (OpenAPI 3.1), made from the typed requests and answers of the handlers,
//! served at `/api/v1/openapi.json` and browsable at `/api/v1/docs`.

use crate::api;
use crate::error::{ErrorBody, ErrorDetail};
use crate::service;
use care::Knowledge;
use serde_json::{Value, json};
use std::sync::LazyLock;
use utoipa::OpenApi;
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};

/// A triage level, from least to most urgent.
#[derive(Debug, utoipa::ToSchema)]
#[schema(rename_all = "snake_case")]
pub enum LevelCode {
    /// Expected soreness: look after yourself.
    SelfCare,
    /// Worth telling the therapist.
    Therapist,
    /// See a doctor today.
    Doctor,
    /// Call the emergency number now.
    Emergency,
}

/// Adds the bearer-token scheme the clinic API uses.
struct BearerToken;

impl utoipa::Modify for BearerToken {
    fn modify(&self, doc: &mut utoipa::openapi::OpenApi) {
        let components = doc.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).build()),
        );
    }
}

/// The API.
#[derive(OpenApi)]
#[openapi(
    info(
        title = "Aftercare API",
        description = "The clinic API (bearer tokens, each request scoped to the token's clinic), the client's \
                       JSON check-in (the link's token is the credential) and the health probes. Every error \
                       answers the same body: `{\"error\": {\"code\", \"message\", \"field\"}}`. Aftercare triages \
                       and explains; it does not diagnose."
    ),
    paths(
        api::clients::create,
        api::clients::show,
        api::clients::fhir,
        api::clients::intake,
        api::sessions::record,
        api::alerts::list,
        api::alerts::acknowledge,
        api::healthz,
        api::readyz,
        api::openapi,
        crate::client_pages::submit,
        crate::client_pages::form,
    ),
    components(schemas(ErrorBody, ErrorDetail, LevelCode, service::check_in::CheckInOutcome)),
    modifiers(&BearerToken),
    tags(
        (name = "clients", description = "A clinic's clients, their record and intake"),
        (name = "sessions", description = "Recording a session: the plan and the follow-ups"),
        (name = "alerts", description = "The alert queue"),
        (name = "check-in", description = "The client's check-in, from the link in their message"),
        (name = "health", description = "Probes for a load balancer")
    )
)]
#[derive(Debug)]
pub struct ApiDoc;

static DOCUMENT: LazyLock<Value> = LazyLock::new(|| serde_json::to_value(ApiDoc::openapi()).unwrap_or_default());

/// The document for the knowledge this server runs with: the codes it accepts (massage types,
/// pressures, areas, symptoms, goals, conditions) are enums, so a client generated from it
/// offers only what will be accepted.
pub fn document(kb: &Knowledge) -> Value {
    let mut doc = DOCUMENT.clone();
    let v = &kb.vocabulary;
    let codes = |list: Vec<&String>| Value::from(list.into_iter().cloned().collect::<Vec<_>>());
    let types = codes(v.massage_types.entries().iter().map(|t| &t.code).collect());
    let pressures = codes(v.pressures.entries().iter().map(|p| &p.code).collect());
    let areas = codes(v.areas.entries().iter().map(|a| &a.code).collect());
    let symptoms = codes(v.symptoms.entries().iter().map(|s| &s.code).collect());
    let asked: Vec<&String> = v.symptoms.entries().iter().filter(|s| s.follow_up.is_some()).map(|s| &s.code).collect();
    let goals = codes(v.goals.entries().iter().map(|g| &g.code).collect());
    let conditions = codes(v.conditions.entries().iter().map(|c| &c.code).collect());
    let schemas = &mut doc["components"]["schemas"];
    let nullable = |list: &Value| {
        let mut with_null = list.as_array().cloned().unwrap_or_default();
        with_null.push(Value::Null);
        Value::from(with_null)
    };
    schemas["SessionBody"]["properties"]["massage_type"]["enum"] = types;
    schemas["SessionBody"]["properties"]["pressure"]["enum"] = pressures.clone();
    schemas["SessionBody"]["properties"]["areas"]["items"]["enum"] = areas.clone();
    schemas["SessionBody"]["properties"]["techniques"]["items"] =
        json!({"type": "string", "minLength": 1, "maxLength": 100});
    schemas["CheckInBody"]["properties"]["symptoms"]["items"]["enum"] = symptoms;
    schemas["CheckInBody"]["properties"]["sore_areas"]["items"]["enum"] = areas.clone();
    schemas["CheckInBody"]["properties"]["trend"]["enum"] = json!(["better", "same", "worse", null]);
    schemas["CheckInBody"]["properties"]["follow_ups"]["propertyNames"]["enum"] = codes(asked);
    schemas["CheckInBody"]["properties"]["follow_ups"]["additionalProperties"]["enum"] = json!(["yes", "no"]);
    schemas["IntakeBody"]["properties"]["goals"]["items"]["enum"] = goals;
    schemas["IntakeBody"]["properties"]["preferred_pressure"]["enum"] = nullable(&pressures);
    schemas["ConditionBody"]["properties"]["code"]["enum"] = conditions;
    schemas["ConditionBody"]["properties"]["areas"]["items"]["enum"] = areas;
    // A local condition names the areas it affects, unless the screening knows which regions
    // to avoid without them (varicose veins: the legs); any other condition names none.
    let entries = v.conditions.entries();
    let knows_regions = |i: usize| kb.screening.conditions.get(i).is_some_and(|s| !s.avoid_regions.is_empty());
    let must_name = codes(
        entries.iter().enumerate().filter(|(i, c)| c.local && !knows_regions(*i)).map(|(_, c)| &c.code).collect(),
    );
    let not_local = codes(entries.iter().filter(|c| !c.local).map(|c| &c.code).collect());
    schemas["ConditionBody"]["allOf"] = json!([
        {"if": {"properties": {"code": {"enum": must_name}}},
         "then": {"required": ["areas"], "properties": {"areas": {"type": "array", "minItems": 1}}}},
        {"if": {"properties": {"code": {"enum": not_local}}},
         "then": {"properties": {"areas": {"type": ["array", "null"], "maxItems": 0}}}}
    ]);
    // A baby's session names the baby's date of birth; no other session does.
    let baby = codes(v.massage_types.entries().iter().filter(|t| t.for_baby).map(|t| &t.code).collect());
    schemas["SessionBody"]["if"] =
        json!({"properties": {"massage_type": {"enum": baby}}, "required": ["massage_type"]});
    schemas["SessionBody"]["then"] = json!({"required": ["baby_birth_date"], "properties": {"baby_birth_date": {"type": "string", "format": "date"}}});
    schemas["SessionBody"]["else"] = json!({"properties": {"baby_birth_date": {"type": "null"}}});
    let (age, weeks) = (care::checkin::AGE_MONTHS_MAX, care::checkin::PREGNANCY_WEEKS_MAX);
    schemas["NewClientBody"]["properties"]["age_months"]["maximum"] = json!(age);
    schemas["IntakeBody"]["properties"]["age_months"]["maximum"] = json!(age);
    schemas["IntakeBody"]["properties"]["pregnancy_weeks"]["maximum"] = json!(weeks);
    let zones: Vec<String> = jiff::tz::db().available().map(|z| z.to_string()).collect();
    schemas["NewClientBody"]["properties"]["timezone"]["enum"] = nullable(&Value::from(zones));
    doc
}
