"""The API's browser pages: personal tokens (create, shown once; revoke) and the readable documentation.

The documentation is rendered on the server from the OpenAPI document: no script from a CDN (the
Content-Security-Policy allows none anyway).
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import current_user

from mobilite.authz import Action, require
from mobilite.extensions import api, db
from mobilite.models import ApiToken, utcnow
from mobilite.schemas.base import form_data
from mobilite.schemas.tokens import TokenSchema
from mobilite.security import login_required
from mobilite.services import api_tokens as token_service
from mobilite.web.forms import Rejection, submit_form

bp = Blueprint("api_pages", __name__)

HTTP_METHODS = ("get", "post", "put", "patch", "delete")


def _render_tokens(
    values: dict[str, Any] | None = None,
    rejected: Rejection | None = None,
    created: str | None = None,
    status: int = 200,
) -> ResponseReturnValue:
    if rejected is not None:
        status = rejected.status
    return render_template(
        "api/tokens.html",
        tokens=token_service.user_tokens(current_user),
        values=values or {},
        errors=rejected.errors if rejected else {},
        created=created,
        now=utcnow(),
    ), status


@bp.route("/compte/jetons", methods=["GET", "POST"])
@login_required
def tokens():
    if request.method == "GET":
        return _render_tokens()
    schema = TokenSchema()
    values = form_data(schema, request.form)
    return submit_form(
        schema,
        values,
        lambda data: token_service.create_token(current_user, data["name"], data["expires_in_days"]),
        # Shown once, in this response only (never stored, never in a redirect or a flash message).
        done=lambda created: _render_tokens(created=created[1], status=201),
        again=lambda rejected: _render_tokens(values, rejected),
    )


@bp.post("/compte/jetons/revoquer")
@login_required
def revoke_token():
    token_id = request.form.get("token", type=int)
    if token_id is None:
        abort(404)
    token = require(current_user, Action.MANAGE, db.session.get(ApiToken, token_id))
    token_service.revoke_token(current_user, token)
    flash(_("Jeton « %(name)s » révoqué : il ne donne plus accès à l'API.", name=token.name), "success")
    return redirect(url_for("api_pages.tokens"))


@bp.get("/api/v1/docs")
@login_required
def docs():
    spec = api.spec.to_dict()
    operations = []
    for path, item in spec.get("paths", {}).items():
        for method in HTTP_METHODS:
            if method in item:
                op = item[method]
                operations.append(
                    {
                        "method": method.upper(),
                        "path": path,
                        "summary": op.get("summary", ""),
                        "description": op.get("description", ""),
                        "tags": op.get("tags", []),
                        "parameters": [p for p in op.get("parameters", []) if isinstance(p, dict)],
                        "responses": sorted(op.get("responses", {})),
                        "body": bool(op.get("requestBody")),
                    }
                )
    return render_template("api/docs.html", spec=spec, operations=operations)
