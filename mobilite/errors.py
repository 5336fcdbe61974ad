"""Error pages: the same layout, a clear message, never a stack trace.

Under /api/ the same errors answer JSON in the API's format ({code, status, message, errors}), also for
URLs that match no route (404) or no method (405), which no API blueprint sees.
"""

from __future__ import annotations

from flask import render_template, request
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf.csrf import CSRFError
from sqlalchemy.orm.exc import StaleDataError
from werkzeug.exceptions import BadRequest, Conflict, HTTPException, InternalServerError

from mobilite.api.core import error_response
from mobilite.extensions import db
from mobilite.services.errors import StaleRecord


def is_api_request() -> bool:
    return request.path == "/api" or request.path.startswith("/api/")


def _api_error(exc):
    if not isinstance(exc, HTTPException):
        exc = InternalServerError()
    return error_response(exc)


# The plain pages: one title and one sentence each.
_PAGES = {
    404: (_l("Page introuvable"), _l("Cette page n'existe pas ou vous n'y avez pas accès.")),
    405: (_l("Action impossible"), _l("Cette action n'est pas permise sur cette page.")),
    500: (
        _l("Erreur du service"),
        _l("Une erreur est survenue. L'équipe technique a été prévenue ; réessayez dans un instant."),
    ),
}


def page(status: int, title: str, message: str):
    return render_template("error.html", status=status, title=title, message=message), status


def _plain(status: int):
    """The handler of one of _PAGES: JSON under /api/, else its page. A 500 rolls back first: the layout
    reads the signed-in user, which a failed transaction cannot give."""
    title, message = _PAGES[status]

    def handler(exc):
        if status >= 500:
            db.discard_failed_work()
        if is_api_request():
            return _api_error(exc)
        return page(status, str(title), str(message))

    return handler


def init_app(app) -> None:
    for status in _PAGES:
        app.register_error_handler(status, _plain(status))

    @app.errorhandler(CSRFError)
    def csrf_error(exc):
        if is_api_request():
            return _api_error(exc)
        return page(
            400,
            _("Formulaire expiré"),
            _("Le formulaire a expiré ou n'est pas valide. Rechargez la page et recommencez."),
        )

    @app.errorhandler(400)
    def bad_request(exc):
        """A request no form shows (a link with its parameters edited, a damaged body): what the view said
        was wrong, else a plain sentence, in the reader's language (Werkzeug's page is in English)."""
        if is_api_request():
            return _api_error(exc)
        said = exc.description if exc.description != BadRequest.description else ""
        return page(
            400,
            _("Demande non valable"),
            said
            or _(
                "Cette adresse ou ce formulaire contient des valeurs non valables. Revenez en arrière et recommencez."
            ),
        )

    @app.errorhandler(413)
    def too_large(exc):
        if is_api_request():
            return _api_error(exc)
        limit = (app.config.get("MAX_CONTENT_LENGTH") or 0) // 2**20
        return page(413, _("Fichier trop volumineux"), _("Ce que vous avez envoyé dépasse %(n)d Mo.", n=limit))

    @app.errorhandler(409)
    def conflict(exc):
        if is_api_request():
            return _api_error(exc)
        return page(409, _("Modification concurrente"), exc.description or "")

    @app.errorhandler(StaleDataError)
    def saved_meanwhile(exc: StaleDataError):
        """A versioned record another request saved first, found when this one wrote (a flush that matched
        no row): the conflict page, or 409 JSON, rather than an error. The services name the record when
        they see it at their commit; this answers the same wherever else it happens."""
        db.discard_failed_work()
        message = _(
            "Ce que vous modifiez vient d'être enregistré par quelqu'un d'autre : rechargez la page et recommencez."
        )
        if is_api_request():
            return error_response(Conflict(), message=message)
        return conflict(Conflict(description=message))

    @app.errorhandler(StaleRecord)
    def stale_record(exc: StaleRecord):
        """A stale version no form showed (services.concurrency.Conflict, a round in another state): the
        conflict page, with the service's message; 409 JSON under /api/ (api_view answers its own first)."""
        message = " ".join(str(m) for messages in exc.errors.values() for m in messages)
        if is_api_request():
            return error_response(Conflict(), errors=exc.errors)
        return conflict(Conflict(description=message))

    @app.errorhandler(HTTPException)
    def other_http_error(exc):
        """Any other HTTP error: JSON under /api/, Werkzeug's own short page elsewhere (as before)."""
        if is_api_request():
            return _api_error(exc)
        return exc
