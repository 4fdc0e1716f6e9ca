// Starts Swagger UI (served from the swagger-ui-bundle package, never a CDN) on /api/v1/docs.
(function () {
  var el = document.getElementById("swagger-ui");
  if (!el || typeof SwaggerUIBundle === "undefined") { return; }
  SwaggerUIBundle({ url: el.getAttribute("data-openapi"), dom_id: "#swagger-ui", deepLinking: true });
})();
