"""The OpenAPI document: served, well-formed, complete; the readable docs page; no stack trace on a 500."""

import re

from openapi_spec_validator import validate as validate_openapi

from mobilite.api import reference
from tests.factories import UserFactory
from tests.fixtures import api_rules, bearer, login


def _refs(node):
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "$ref":
                yield value
            else:
                yield from _refs(value)
    elif isinstance(node, list):
        for value in node:
            yield from _refs(value)


def _resolve(spec, ref):
    node = spec
    for part in ref.removeprefix("#/").split("/"):
        node = node[part]
    return node


def test_the_openapi_document_is_served_and_lists_every_operation(app, client):
    assert client.get("/api/v1/openapi.json").status_code == 401
    response = client.get("/api/v1/openapi.json", headers=bearer(app, UserFactory()))
    assert response.status_code == 200
    spec = response.json
    assert spec["openapi"] == "3.0.3"
    assert spec["info"]["title"] == "mobilite" and spec["info"]["version"] == "v1"
    assert spec["components"]["securitySchemes"]["bearerAuth"]["scheme"] == "bearer"
    for ref in set(_refs(spec)):  # every reference resolves
        _resolve(spec, ref)

    documented = {
        (method.upper(), path)
        for path, item in spec["paths"].items()
        for method in item
        if method in ("get", "post", "put", "patch", "delete")
    }
    served = set()
    for rule in api_rules(app):
        if rule.endpoint == "api-docs.openapi_json":
            continue
        path = re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", rule.rule)
        served |= {(method, path) for method in rule.methods - {"HEAD", "OPTIONS"}}
    assert served == documented
    assert len(served) >= 12
    for path, item in spec["paths"].items():
        for method, operation in item.items():
            if method == "parameters":
                continue
            codes = set(operation["responses"])
            assert any(code.startswith("2") for code in codes), (method, path)
            assert any(code.startswith(("4", "5")) or code == "default" for code in codes), (method, path)
            assert operation.get("summary"), (method, path)


def test_the_docs_page_lists_the_operations_without_external_scripts(app, client):
    assert client.get("/api/v1/docs").status_code == 302
    login(client, UserFactory().email)
    page = client.get("/api/v1/docs")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "PUT /api/v1/offers/{offer_id}" in html
    assert "POST /api/v1/requests/{request_id}/decision" in html
    # No API explorer fetched from elsewhere: the only scripts are the site's own small files.
    sources = re.findall(r"<script\b([^>]*)>", html)
    assert all(re.search(r'src="/static/[a-z_]+\.js"', attrs) for attrs in sources), sources


def test_a_server_error_is_json_without_a_stack_trace(app, client, server_errors, monkeypatch):
    def boom(*_args, **_kwargs):
        raise RuntimeError("secret internals")

    monkeypatch.setattr(reference, "page_of", boom)
    response = client.get("/api/v1/themes", headers=bearer(app, UserFactory()))
    assert response.status_code == 500
    assert response.json["code"] == 500 and response.json["message"]
    body = response.get_data(as_text=True)
    assert "Traceback" not in body and "secret internals" not in body


def test_the_openapi_document_passes_an_independent_validator(app, client):
    """openapi-spec-validator checks what our own walk above does not: types, formats, defaults."""
    spec = client.get("/api/v1/openapi.json", headers=bearer(app, UserFactory())).json
    validate_openapi(spec)
