// Swagger UI for /api/v1/docs, started from a static file (no inline script: see the CSP).
(function () {
  var el = document.getElementById('swagger-ui-container');
  var config = { url: el.getAttribute('data-spec-url'), dom_id: '#swagger-ui-container' };
  var extra = JSON.parse(el.getAttribute('data-config') || '{}');
  for (var k in extra) { config[k] = extra[k]; }
  window.ui = SwaggerUIBundle(config);
})();
