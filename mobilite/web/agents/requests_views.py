"""The agent's immersion requests: create, edit, submit, withdraw, and wishes for published offers."""

from __future__ import annotations

from datetime import date

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from marshmallow import ValidationError

from mobilite.authz import Action, can, require
from mobilite.extensions import db
from mobilite.models import ImmersionRequest, RequestStatus, Role
from mobilite.schemas.base import form_data
from mobilite.schemas.requests import (
    MAX_WISHES,
    RequestSchema,
    VersionSchema,
    flatten_errors,
    request_form_values,
)
from mobilite.security import roles_required
from mobilite.services import requests as service
from mobilite.services import rules
from mobilite.services.errors import ServiceError
from mobilite.services.search import wish_choices
from mobilite.services.taxonomy import themes_with_skills
from mobilite.web.agents import bp


def _own_request(request_id: int) -> ImmersionRequest:
    return require(current_user, Action.MANAGE, db.session.get(ImmersionRequest, request_id))


def _values_of(item: ImmersionRequest) -> dict:
    return {
        "version": item.version,
        "themes": [str(t.id) for t in item.themes],
        "skills": [str(s.id) for s in item.skills],
        "windows": [{"start": w.start_date.isoformat(), "end": w.end_date.isoformat()} for w in item.windows],
        "min_days": str(item.min_days),
        "max_days": str(item.max_days),
        "max_distance_km": "" if item.max_distance_km is None else str(item.max_distance_km),
        "motivation": item.motivation,
        "wishes": [str(w.offer_id) for w in item.wishes],
    }


def _int_ids(values) -> list[int]:
    return [int(v) for v in values if str(v).isdigit()]


def _render_form(item: ImmersionRequest | None, values: dict, errors: dict, status: int = 200, conflict=None):
    network = service.network_of(current_user)
    today = date.today()
    return render_template(
        "agents/requests/form.html",
        item=item, values=values, errors=errors, conflict=conflict, network=network,
        themes=themes_with_skills(),
        wish_offers=wish_choices(current_user, _int_ids(values.get("wishes", []))),
        max_wishes=MAX_WISHES,
        remaining=rules.remaining_quota(current_user.id, network, today),
        window_rows=max(3, len(values.get("windows", [])) + 1),
    ), status


def _save(item: ImmersionRequest | None):
    schema = RequestSchema()
    values = request_form_values(request.form)
    submit = request.form.get("action") == "submit"
    try:
        data = schema.load(values)
        if item is None:
            item = service.create_request(current_user, data, submit=submit)
        else:
            service.update_request(current_user, item, data, submit=submit)
    except ValidationError as exc:
        return _render_form(item, values, flatten_errors(exc.messages), 400)
    except service.Conflict as exc:
        values["version"] = exc.current_version
        return _render_form(item, values, exc.errors, 409, conflict=exc)
    except ServiceError as exc:
        return _render_form(item, values, exc.errors, 400)
    if submit:
        flash(_("Votre demande est transmise à votre employeur, qui vous répondra sous %(n)d jours.",
                n=service.network_of(item).answer_deadline_days), "success")
    elif item.status == RequestStatus.SUBMITTED:
        flash(_("Vos modifications sont enregistrées."), "success")
    else:
        flash(_("Brouillon enregistré. Soumettez-le quand il est prêt."), "success")
    return redirect(url_for("agents.request_detail", request_id=item.id))


@bp.route("/demandes/nouvelle", methods=["GET", "POST"])
@roles_required(Role.AGENT)
def new_request():
    if request.method == "POST":
        return _save(None)
    network = service.network_of(current_user)
    values = {"min_days": str(network.min_days), "max_days": str(min(5, network.max_days)), "windows": [],
              "themes": [str(t.id) for t in current_user.interests]}
    offer_id = request.args.get("offre", type=int)
    if offer_id is not None and wish_choices(current_user, [offer_id]):
        values["wishes"] = [str(offer_id)]
    return _render_form(None, values, {})


@bp.get("/demandes/<int:request_id>")
@roles_required(Role.AGENT)
def request_detail(request_id: int):
    item = _own_request(request_id)
    network = service.network_of(item)
    return render_template(
        "agents/requests/show.html", item=item,
        can_edit=can(current_user, Action.EDIT, item),
        can_withdraw=item.status in service.WITHDRAWABLE,
        deadline=service.answer_deadline(item), overdue=service.is_overdue(item),
        remaining=rules.remaining_quota(current_user.id, network, date.today()), network=network,
    )


@bp.route("/demandes/<int:request_id>/modifier", methods=["GET", "POST"])
@roles_required(Role.AGENT)
def edit_request(request_id: int):
    item = _own_request(request_id)
    if not can(current_user, Action.EDIT, item):
        flash(_("Cette demande a déjà reçu une réponse : elle ne se modifie plus."), "error")
        return redirect(url_for("agents.request_detail", request_id=item.id))
    if request.method == "POST":
        return _save(item)
    return _render_form(item, _values_of(item), {})


def _version_form() -> dict:
    schema = VersionSchema()
    try:
        return schema.load(form_data(schema, request.form))
    except ValidationError:
        return {"version": None, "offer_id": None}


@bp.post("/demandes/<int:request_id>/soumettre")
@roles_required(Role.AGENT)
def submit_request(request_id: int):
    item = _own_request(request_id)
    try:
        service.submit_request(current_user, item, _version_form()["version"])
    except service.Conflict as exc:
        flash(exc.errors["version"][0] + " " + _("Relisez-la avant de la soumettre."), "error")
        return redirect(url_for("agents.request_detail", request_id=item.id))
    except ServiceError as exc:
        if not can(current_user, Action.EDIT, item):
            flash(" ".join(" ".join(m) for m in exc.errors.values()), "error")
            return redirect(url_for("agents.request_detail", request_id=item.id))
        # A legal rule does not hold: the form shows each reason next to its field.
        return _render_form(item, _values_of(item), exc.errors, 400)
    flash(_("Votre demande est transmise à votre employeur, qui vous répondra sous %(n)d jours.",
            n=service.network_of(item).answer_deadline_days), "success")
    return redirect(url_for("agents.request_detail", request_id=item.id))


@bp.post("/demandes/<int:request_id>/retirer")
@roles_required(Role.AGENT)
def withdraw_request(request_id: int):
    item = _own_request(request_id)
    try:
        service.withdraw_request(current_user, item, _version_form()["version"])
    except ServiceError as exc:
        flash(" ".join(" ".join(m) for m in exc.errors.values()), "error")
    else:
        flash(_("Votre demande est retirée."), "success")
    return redirect(url_for("agents.request_detail", request_id=item.id))


@bp.post("/demandes/<int:request_id>/voeux")
@roles_required(Role.AGENT)
def add_wish(request_id: int):
    item = _own_request(request_id)
    values = _version_form()
    offer_id = values.get("offer_id")
    try:
        if offer_id is None:
            raise ServiceError({"offer_id": [_("Offre inconnue.")]})
        wish = service.add_wish(current_user, item, offer_id, values["version"])
    except ServiceError as exc:
        flash(" ".join(" ".join(m) for m in exc.errors.values()), "error")
        if offer_id is not None:
            return redirect(url_for("agents.offer_detail", offer_id=offer_id))
        return redirect(url_for("agents.request_detail", request_id=item.id))
    flash(_("Offre ajoutée à vos vœux, au rang %(rank)d. Vous pouvez changer l'ordre en modifiant la demande.",
            rank=wish.rank), "success")
    return redirect(url_for("agents.request_detail", request_id=item.id))
