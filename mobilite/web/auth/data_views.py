"""A person's own data: download it (JSON, CSV), or have it erased."""

from __future__ import annotations

import json

from flask import Response, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import current_user

from mobilite.schemas.accounts import ErasureSchema
from mobilite.schemas.base import form_data
from mobilite.security import login_required
from mobilite.services import account_lifecycle, personal_data
from mobilite.web.auth import bp
from mobilite.web.auth.views import _end_session
from mobilite.web.forms import Rejection, submit_form

CSV_HEADERS = ("rubrique", "numero", "champ", "valeur")


def _attachment(content: bytes | str, mimetype: str, name: str) -> Response:
    return Response(content, mimetype=mimetype, headers={"Content-Disposition": f'attachment; filename="{name}"'})


@bp.get("/compte/mes-donnees.json")
@login_required
def my_data_json():
    data = personal_data.export(current_user, "json")
    body = json.dumps(data, ensure_ascii=False, indent=2)
    return _attachment(body, "application/json; charset=utf-8", "mes-donnees.json")


@bp.get("/compte/mes-donnees.csv")
@login_required
def my_data_csv():
    data = personal_data.export(current_user, "csv")
    return _attachment(personal_data.as_csv(data, CSV_HEADERS), "text/csv", "mes-donnees.csv")


@bp.route("/compte/effacement", methods=["GET", "POST"])
@login_required
def erase_my_data():
    schema = ErasureSchema()

    def render(rejected: Rejection) -> ResponseReturnValue:
        return render_template("auth/erasure.html", errors=rejected.errors), rejected.status

    def erased(_user) -> ResponseReturnValue:
        _end_session()
        flash(_("Vos données personnelles sont effacées et votre compte est fermé."), "success")
        return redirect(url_for("auth.login"))

    if request.method != "POST":
        return render(Rejection({}, 200))
    user = current_user._get_current_object()
    return submit_form(
        schema,
        form_data(schema, request.form),
        lambda _data: account_lifecycle.erase(user, user),
        done=erased,
        again=render,
    )
