// Shows the API document at /api/v1/docs with the vendored Swagger UI.
window.addEventListener("load", function () {
  window.SwaggerUIBundle({ url: "/api/v1/openapi.json", dom_id: "#docs" });
});
