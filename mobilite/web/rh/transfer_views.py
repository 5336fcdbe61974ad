"""HR imports (CSV, Excel) and exports (CSV) of the organisation's offers, accounts and requests."""

from __future__ import annotations

from datetime import date

from flask import Response, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user

from mobilite.models import Role
from mobilite.security import roles_required
from mobilite.services import exports, imports
from mobilite.services.errors import ServiceError
from mobilite.web.forms import field_errors
from mobilite.web.rh import bp

MAX_UPLOAD = 5 * 1024 * 1024


def _uploaded() -> tuple[str, bytes] | None:
    upload = request.files.get("file")
    if upload is None or not upload.filename:
        return None
    return upload.filename, upload.read(MAX_UPLOAD + 1)


def _import_page(kind: str, run):
    template = "rh/import.html"
    if request.method == "GET":
        return render_template(template, kind=kind, errors={}, rows=[])
    uploaded = _uploaded()
    if uploaded is None:
        return render_template(template, kind=kind, errors={"file": [_("Choisissez un fichier.")]}, rows=[]), 400
    if len(uploaded[1]) > MAX_UPLOAD:
        return render_template(
            template, kind=kind, errors={"file": [_("Fichier trop lourd (5 Mo au plus).")]}, rows=[]
        ), 400
    try:
        created = run(*uploaded)
    except imports.ImportRejected as exc:
        return render_template(template, kind=kind, errors=exc.errors, rows=exc.rows), 400
    except ServiceError as exc:
        return render_template(template, kind=kind, errors=field_errors(exc), rows=[]), 400
    return created


@bp.route("/offres/import", methods=["GET", "POST"])
@roles_required(Role.RH)
def import_offers():
    result = _import_page("offers", lambda name, data: imports.import_offers(current_user, name, data, date.today()))
    if isinstance(result, list):
        flash(
            ngettext(
                "%(num)d offre importée en brouillon, avec ses sessions.",
                "%(num)d offres importées en brouillon, avec leurs sessions.",
                len(result),
            ),
            "success",
        )
        return redirect(url_for("rh.offers"))
    return result


@bp.route("/comptes/import", methods=["GET", "POST"])
@roles_required(Role.RH)
def import_accounts():
    result = _import_page(
        "accounts",
        lambda name, data: imports.import_accounts(
            current_user, name, data, token_hours=current_app.config["PASSWORD_TOKEN_HOURS"]
        ),
    )
    if isinstance(result, list):
        flash(
            ngettext(
                "%(num)d compte créé ; il a reçu un lien pour choisir son mot de passe.",
                "%(num)d comptes créés ; chacun a reçu un lien pour choisir son mot de passe.",
                len(result),
            ),
            "success",
        )
        return redirect(url_for("rh.accounts"))
    return result


def _csv(content: bytes, name: str) -> Response:
    return Response(content, mimetype="text/csv", headers={"Content-Disposition": f'attachment; filename="{name}"'})


@bp.get("/offres/export.csv")
@roles_required(Role.RH)
def export_offers():
    return _csv(exports.offers_csv(current_user.organisation_id), f"offres-{current_user.organisation.slug}.csv")


@bp.get("/demandes/export.csv")
@roles_required(Role.RH)
def export_requests():
    return _csv(exports.requests_csv(current_user.organisation_id), f"demandes-{current_user.organisation.slug}.csv")
