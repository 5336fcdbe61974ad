"""The JSON API, /api/v1, with flask-smorest on the same marshmallow schemas as the forms.

Personal API tokens (Authorization: Bearer …) or a browser session (with X-CSRFToken for unsafe methods).
See mobilite.api.core for the order of the checks, and the README for a curl example.
"""

from __future__ import annotations

API_DEFAULTS = {
    "API_TITLE": "mobilite",
    "API_VERSION": "v1",
    "OPENAPI_VERSION": "3.0.3",
    "OPENAPI_URL_PREFIX": "/api/v1",
    "OPENAPI_JSON_PATH": "openapi.json",
    "API_RATE_LIMIT_PER_MINUTE": 300,
    "API_SPEC_OPTIONS": {
        "info": {"description": "Immersions entre organisations publiques : offres, demandes, référentiels. "
                                "Authentification : Authorization: Bearer <jeton personnel> (page « Jetons "
                                "d'API »)."},
        "security": [{"bearerAuth": []}],
        "components": {"securitySchemes": {"bearerAuth": {"type": "http", "scheme": "bearer"}}},
    },
}


def init_app(app) -> None:
    from mobilite.api import immersions, offers, pages, proposals, reference, requests, rounds
    from mobilite.api.core import api_view
    from mobilite.extensions import api, csrf

    for name, value in API_DEFAULTS.items():
        app.config.setdefault(name, value)
    api.init_app(app)
    # The OpenAPI document answers to a token or a session, like every operation.
    app.view_functions["api-docs.openapi_json"] = api_view()(app.view_functions["api-docs.openapi_json"])
    for blp in (reference.blp, offers.blp, requests.blp, rounds.blp, proposals.blp, immersions.blp):
        csrf.exempt(blp)  # CSRF is checked by api_view, for browser sessions only
        api.register_blueprint(blp)
    app.register_blueprint(pages.bp)
