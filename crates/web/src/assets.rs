//! The product's own style sheets and scripts, embedded in the binary and served from
//! `/assets/`. Pages carry no inline style or script, so the Content-Security-Policy can
//! allow this origin's files and nothing else.

use axum::extract::Path;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};

const CSS: &str = "text/css; charset=utf-8";
const JS: &str = "text/javascript; charset=utf-8";

/// Every asset: its name, content type and content.
const ASSETS: [(&str, &str, &str); 9] = [
    ("client.css", CSS, include_str!("../assets/client.css")),
    ("staff.css", CSS, include_str!("../assets/staff.css")),
    ("bodymap.js", JS, include_str!("../assets/bodymap.js")),
    ("check_in.js", JS, include_str!("../assets/check_in.js")),
    ("timezone.js", JS, include_str!("../assets/timezone.js")),
    ("print.js", JS, include_str!("../assets/print.js")),
    ("api-docs.js", JS, include_str!("../assets/api-docs.js")),
    // Swagger UI, vendored from the npm package swagger-ui-dist (Apache-2.0; see its LICENSE).
    ("swagger-ui-bundle.js", JS, include_str!("../assets/swagger-ui/swagger-ui-bundle.js")),
    ("swagger-ui.css", CSS, include_str!("../assets/swagger-ui/swagger-ui.css")),
];

/// `GET /api/v1/docs`: the API document, browsable (Swagger UI, served from this app).
pub async fn api_docs() -> Response {
    let page = "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>Aftercare API</title>\
                <link rel=\"stylesheet\" href=\"/assets/swagger-ui.css\"></head><body><div id=\"docs\"></div>\
                <script src=\"/assets/swagger-ui-bundle.js\"></script><script src=\"/assets/api-docs.js\"></script>\
                </body></html>";
    ([(header::CONTENT_TYPE, "text/html; charset=utf-8")], page).into_response()
}

/// `GET /assets/{name}`.
pub async fn serve(Path(name): Path<String>) -> Response {
    match ASSETS.iter().find(|(n, _, _)| *n == name) {
        Some((_, kind, body)) => {
            ([(header::CONTENT_TYPE, *kind), (header::CACHE_CONTROL, "public, max-age=3600")], *body).into_response()
        }
        None => StatusCode::NOT_FOUND.into_response(),
    }
}
