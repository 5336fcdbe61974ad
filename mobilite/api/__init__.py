"""The JSON API, /api/v1, with flask-smorest on the same marshmallow schemas as the forms.

Personal API tokens (Authorization: Bearer …) or a browser session (with X-CSRFToken for unsafe methods).
See mobilite.api.core for the order of the checks, and the README for a curl example.
"""

from __future__ import annotations

from apispec import BasePlugin

API_DEFAULTS = {
    "API_TITLE": "mobilite",
    "API_VERSION": "v1",
    "OPENAPI_VERSION": "3.0.3",
    "OPENAPI_URL_PREFIX": "/api/v1",
    "OPENAPI_JSON_PATH": "openapi.json",
    "API_RATE_LIMIT_PER_MINUTE": 300,
    "API_SPEC_OPTIONS": {
        "info": {
            "description": "Immersions between public organisations: offers, requests, rounds and proposals, "
            "reference data. Authentication: `Authorization: Bearer <personal token>` (page "
            "« Jetons d'API », /compte/jetons); a signed-in browser session works too, "
            "with its CSRF token in the X-CSRFToken header for unsafe methods."
        },
        "security": [{"bearerAuth": []}],
        "components": {"securitySchemes": {"bearerAuth": {"type": "http", "scheme": "bearer"}}},
    },
}


class CommonResponses(BasePlugin):
    """What any operation may answer, whatever its input: 401 (no usable token), 429 (the token's rate
    limit), 400 (a browser session's unsafe call without its CSRF token) and 422 (an unknown query
    parameter, or input that breaks a rule)."""

    COMMON = {400: "BAD_REQUEST", 401: "UNAUTHORIZED", 422: "UNPROCESSABLE_ENTITY", 429: "TOO_MANY_REQUESTS"}

    def operation_helper(self, path=None, operations=None, **kwargs):
        for operation in (operations or {}).values():
            responses = operation.setdefault("responses", {})
            for code, name in self.COMMON.items():
                if code not in responses and str(code) not in responses:
                    responses[str(code)] = name


def init_app(app) -> None:
    # catalogue and offer_validation add their routes to offers.blp when imported, freed_seats to immersions.blp
    from mobilite.api import (  # noqa: F401
        accounts,
        agreements,
        catalogue,
        freed_seats,
        immersions,
        network_settings,
        networks,
        offer_validation,
        offers,
        proposals,
        reference,
        requests,
        rounds,
        sites,
    )
    from mobilite.api.core import api_view
    from mobilite.extensions import api, csrf

    for name, value in API_DEFAULTS.items():
        app.config.setdefault(name, value)
    api.init_app(app, spec_kwargs={"extra_plugins": [CommonResponses()]})
    # The OpenAPI document answers to a token or a session, like every operation.
    app.view_functions["api-docs.openapi_json"] = api_view()(app.view_functions["api-docs.openapi_json"])
    for blp in (
        reference.blp,
        offers.blp,
        requests.blp,
        rounds.blp,
        proposals.blp,
        immersions.blp,
        accounts.blp,
        agreements.blp,
        networks.blp,
        network_settings.blp,
        sites.blp,
    ):
        csrf.exempt(blp)  # CSRF is checked by api_view, for browser sessions only
        api.register_blueprint(blp)
