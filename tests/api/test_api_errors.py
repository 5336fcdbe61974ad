"""Under /api/, every error is JSON in the API's format, even for URLs no API route matches; HTML elsewhere."""

from tests.factories import UserFactory
from tests.fixtures import bearer

KEYS = {"code", "status", "message", "errors"}


def test_an_unknown_api_url_answers_json_404(app, client):
    for headers in ({}, bearer(app, UserFactory())):
        for url in ("/api/v1/nope", "/api/v2/themes", "/api/", "/api/v1/offers/abc"):
            response = client.get(url, headers=headers)
            assert response.status_code == 404, url
            assert response.is_json and set(response.json) == KEYS, url
            assert response.json["code"] == 404 and response.json["status"] == "Not Found"
            assert response.json["message"] and response.json["errors"] == {}


def test_a_wrong_method_answers_json_405_with_allow(app, client):
    headers = bearer(app, UserFactory())
    for method, url in (("DELETE", "/api/v1/themes"), ("PATCH", "/api/v1/requests"), ("PUT", "/api/v1/catalogue")):
        response = client.open(url, method=method, headers=headers, json={})
        assert response.status_code == 405, (method, url)
        assert response.is_json and set(response.json) == KEYS
        assert response.json["code"] == 405 and response.json["message"]
        assert "GET" in response.headers["Allow"]


def test_pages_outside_the_api_keep_their_html_error_pages(app, client):
    response = client.get("/nope")
    assert response.status_code == 404 and response.mimetype == "text/html"
    assert client.get("/apiculture").mimetype == "text/html"


def test_an_error_outside_any_api_view_is_json_without_a_stack_trace(app, server_errors):
    with app.test_request_context("/api/v1/anything"):
        response = app.handle_exception(RuntimeError("secret internals"))
    assert response.status_code == 500 and response.is_json
    assert set(response.json) == KEYS and response.json["code"] == 500
    body = response.get_data(as_text=True)
    assert "secret internals" not in body and "Traceback" not in body
    with app.test_request_context("/tableau"):
        page = app.handle_exception(RuntimeError("secret internals"))
    assert page.status_code == 500 and page.mimetype == "text/html"
    assert "secret internals" not in page.get_data(as_text=True)


def test_a_token_call_speaks_the_token_owners_language_whatever_the_browser_session(app, client, monkeypatch):
    """The locale comes from the caller the token names, not from a session cookie the client also holds
    (which would name another person, and cost loading them on every call)."""
    from tests.fixtures import login

    english = UserFactory(locale="en")
    french = UserFactory(locale="fr")
    login(client, french.email)
    for owner, word in ((english, "Unknown"), (french, "inconnu")):
        response = client.get("/api/v1/catalogue?colour=red", headers=bearer(app, owner))
        assert response.status_code == 422
        assert word in response.json["errors"]["colour"][0], response.json
    monkeypatch.setitem(app.config, "API_RATE_LIMIT_PER_MINUTE", 1)  # the refusal, too
    headers = bearer(app, english)
    answers = [client.get("/api/v1/catalogue", headers=headers) for _ in range(3)]  # one minute may turn
    refused = next(answer for answer in answers if answer.status_code == 429)
    assert refused.json["message"].startswith("Too many"), refused.json


def test_answers_for_a_person_are_never_cached_by_a_browser_or_proxy(app, client):
    """Signed in by a token (no session cookie at all) or by a browser session: Cache-Control no-store."""
    from tests.fixtures import login

    agent = UserFactory()
    by_token = client.get("/api/v1/catalogue", headers=bearer(app, agent))
    assert by_token.status_code == 200 and by_token.headers["Cache-Control"] == "no-store"
    login(client, agent.email)
    by_session = client.get("/api/v1/catalogue")
    assert by_session.status_code == 200 and by_session.headers["Cache-Control"] == "no-store"
    assert "Cache-Control" not in client.application.test_client().get("/connexion").headers
