"""The OpenAPI document is valid, lists every API route, and its docs page works offline."""

from __future__ import annotations

import re

from openapi_spec_validator import validate

from config import BASE_DIR


def _spec(client):
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200 and response.mimetype == "application/json"
    return response.get_json()


def test_document_is_valid_openapi(client):
    spec = _spec(client)
    validate(spec)
    assert spec["openapi"].startswith("3.")
    assert spec["components"]["securitySchemes"]["bearerAuth"] == {"type": "http", "scheme": "bearer"}
    assert spec["security"] == [{"bearerAuth": []}]


def test_document_lists_every_api_route(app, client):
    spec = _spec(client)
    documented = {
        (path, method.upper()) for path, ops in spec["paths"].items() for method in ops if method != "parameters"
    }
    routes = set()
    for rule in app.url_map.iter_rules():
        if not rule.endpoint.startswith("api_v1."):
            continue
        path = re.sub(r"<(?:[^:<>]+:)?([^<>]+)>", r"{\1}", rule.rule)
        for method in rule.methods - {"HEAD", "OPTIONS"}:
            routes.add((path, method))
    assert len(routes) >= 20
    assert routes == documented
    for path, method in routes:
        op = spec["paths"][path][method.lower()]
        assert op.get("summary") or op.get("description"), (path, method)
        assert "401" in op["responses"], (path, method)


def test_swagger_ui_uses_vendored_assets_only(client):
    page = client.get("/api/v1/docs")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "https://" not in html and "http://" not in html.replace("http://localhost", "")
    assets = re.findall(r'(?:src|href)="([^"]+)"', html)
    assert len(assets) == 4  # Swagger UI's css and two scripts, and our initialiser (no inline script: CSP)
    for url in assets:
        assert url.startswith(("/static/vendor/swagger-ui/", "/static/js/")), url
        assert (BASE_DIR / url.lstrip("/")).is_file(), url
        assert client.get(url).status_code == 200
    assert '"validatorUrl": null' in html  # no request to the online validator


def test_unknown_api_url_is_json_404(client):
    response = client.get("/api/v1/no-such-thing")
    assert response.status_code == 404 and response.get_json()["message"]
    response = client.delete("/api/v1/projects")
    assert response.status_code == 405 and response.get_json()["code"] == 405
