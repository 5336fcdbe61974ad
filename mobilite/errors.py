"""Error pages: the same layout, a clear message, never a stack trace.

Under /api/ the same errors answer JSON in the API's format ({code, status, message, errors}), also for
URLs that match no route (404) or no method (405), which no API blueprint sees.
"""

from __future__ import annotations

from flask import render_template, request
from flask_babel import gettext as _
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import Conflict, HTTPException, InternalServerError

from mobilite.api.core import error_response
from mobilite.services.errors import StaleRecord


def is_api_request() -> bool:
    return request.path == "/api" or request.path.startswith("/api/")


def _api_error(exc):
    if not isinstance(exc, HTTPException):
        exc = InternalServerError()
    return error_response(exc)


def init_app(app) -> None:
    def page(status: int, title: str, message: str):
        return render_template("error.html", status=status, title=title, message=message), status

    @app.errorhandler(CSRFError)
    def csrf_error(exc):
        if is_api_request():
            return _api_error(exc)
        return page(
            400,
            _("Formulaire expiré"),
            _("Le formulaire a expiré ou n'est pas valide. Rechargez la page et recommencez."),
        )

    @app.errorhandler(404)
    def not_found(exc):
        if is_api_request():
            return _api_error(exc)
        return page(404, _("Page introuvable"), _("Cette page n'existe pas ou vous n'y avez pas accès."))

    @app.errorhandler(405)
    def method_not_allowed(exc):
        if is_api_request():
            return _api_error(exc)
        return page(405, _("Action impossible"), _("Cette action n'est pas permise sur cette page."))

    @app.errorhandler(409)
    def conflict(exc):
        if is_api_request():
            return _api_error(exc)
        return page(409, _("Modification concurrente"), exc.description or "")

    @app.errorhandler(StaleRecord)
    def stale_record(exc: StaleRecord):
        """A stale version no form showed (services.concurrency.Conflict, a round in another state): the
        conflict page, with the service's message; 409 JSON under /api/ (api_view answers its own first)."""
        message = " ".join(str(m) for messages in exc.errors.values() for m in messages)
        if is_api_request():
            return error_response(Conflict(), errors=exc.errors)
        return conflict(Conflict(description=message))

    @app.errorhandler(500)
    def server_error(exc):
        if is_api_request():
            return _api_error(exc)
        return page(
            500,
            _("Erreur du service"),
            _("Une erreur est survenue. L'équipe technique a été prévenue ; réessayez dans un instant."),
        )

    @app.errorhandler(HTTPException)
    def other_http_error(exc):
        """Any other HTTP error: JSON under /api/, Werkzeug's own short page elsewhere (as before)."""
        if is_api_request():
            return _api_error(exc)
        return exc
