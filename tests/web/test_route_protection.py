"""Every route is either protected or on this explicit public allow-list."""

import pytest
from werkzeug.routing import AnyConverter, IntegerConverter

PUBLIC_ENDPOINTS = {
    "static",
    "auth.index",
    "auth.login",
    "auth.forgot_password",
    "auth.set_password",
    "auth.set_language",
    "auth.proconnect_start",
    "auth.proconnect_callback",
    "public.about",
    "public.faq",
    "public.privacy",
    "notifications.unsubscribe",
    "notifications.tutor",
    "notifications.tutor_calendar",
    "opinions.by_link",  # the line manager without an account: a one-time signed link
}


def test_every_view_declares_its_access(app):
    undeclared = [
        rule.endpoint
        for rule in app.url_map.iter_rules()
        if rule.endpoint != "static" and not hasattr(app.view_functions[rule.endpoint], "access")
    ]
    assert undeclared == []


def test_public_views_are_exactly_the_allow_list(app):
    public = {
        rule.endpoint
        for rule in app.url_map.iter_rules()
        if getattr(app.view_functions[rule.endpoint], "access", None) == "public"
    }
    assert public | {"static"} == PUBLIC_ENDPOINTS


def _sample_value(converter):
    if isinstance(converter, IntegerConverter):
        return 1
    if isinstance(converter, AnyConverter):
        return sorted(converter.items)[0]
    return "x"


def _sample_url(rule) -> str:
    return rule.build({arg: _sample_value(rule._converters[arg]) for arg in rule.arguments})[1]


def test_anonymous_requests_to_protected_routes_go_to_sign_in(app, client):
    app.config["WTF_CSRF_ENABLED"] = False  # reach the view itself, not the CSRF guard
    try:
        checked = 0
        for rule in app.url_map.iter_rules():
            if rule.endpoint in PUBLIC_ENDPOINTS:
                continue
            if getattr(app.view_functions[rule.endpoint], "api", False):
                continue  # the JSON API answers 401, not a redirect: tests/api/test_tokens.py checks each one
            for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
                response = client.open(_sample_url(rule), method=method)
                assert response.status_code == 302, (rule.rule, method, response.status_code)
                assert "/connexion" in response.headers["Location"], rule.rule
                checked += 1
        assert checked >= 10
    finally:
        app.config["WTF_CSRF_ENABLED"] = True


@pytest.mark.parametrize("path", ["/rh/", "/coordination/", "/admin/"])
def test_a_role_space_answers_404_to_other_roles(client, path):
    from tests.factories import UserFactory
    from tests.fixtures import login

    agent = UserFactory(roles=["agent"])
    login(client, agent.email)
    assert client.get(path).status_code == 404
