"""HR officers' offers: create, edit, sessions, submit, close, archive, duplicate."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from marshmallow import ValidationError
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from mobilite.authz import Action, require
from mobilite.extensions import db
from mobilite.i18n import N_
from mobilite.models import Offer, OfferSession, OfferStatus, Role
from mobilite.schemas.base import form_data
from mobilite.schemas.offers import OfferSchema, SessionSchema
from mobilite.security import roles_required
from mobilite.services import offers as offer_service
from mobilite.services.errors import ServiceError
from mobilite.services.pagination import paginate
from mobilite.services.taxonomy import themes_with_skills
from mobilite.web.rh import bp


def _own_offer(offer_id: int) -> Offer:
    return require(current_user, Action.EDIT, db.session.get(Offer, offer_id))


def _form_values(offer: Offer) -> dict:
    values = {name: getattr(offer, name) for name in offer_service.EDITABLE_FIELDS}
    values["place"] = offer.place.value
    values["themes"] = [str(t.id) for t in offer.themes]
    values["skills"] = [str(s.id) for s in offer.skills]
    values["prerequisites"] = [{"skill_id": p.skill_id, "min_level": p.min_level} for p in offer.prerequisites]
    values["version"] = offer.version
    return values


def _render_form(offer: Offer | None, values: dict, errors: dict, status: int = 200, conflict=None):
    return render_template(
        "rh/offers/form.html", offer=offer, values=values, errors=errors, conflict=conflict,
        themes=themes_with_skills(),
    ), status


def _submitted_values(schema) -> dict:
    values = form_data(schema, request.form)
    values["prerequisite_skill"] = request.form.getlist("prerequisite_skill")
    values["prerequisite_level"] = request.form.getlist("prerequisite_level")
    return values


def _display_values(raw: dict) -> dict:
    """What the form shows again after an error: the person's own input."""
    shown = dict(raw)
    shown["prerequisites"] = [
        {"skill_id": int(s) if str(s).isdigit() else s, "min_level": int(lv) if str(lv).isdigit() else lv}
        for s, lv in zip(raw.get("prerequisite_skill", []), raw.get("prerequisite_level", []), strict=False)
        if s
    ]
    return shown


@bp.get("/offres")
@roles_required(Role.RH)
def offers():
    status = request.args.get("statut")
    query = select(Offer).where(Offer.organisation_id == current_user.organisation_id)
    if status in OfferStatus.__members__.values():
        query = query.where(Offer.status == status)
    page = paginate(query.options(selectinload(Offer.sessions)).order_by(Offer.updated_at.desc(), Offer.id.desc()),
                    request.args.get("page", 1, type=int))
    return render_template("rh/offers/list.html", page=page, status=status, statuses=list(OfferStatus))


@bp.route("/offres/nouvelle", methods=["GET", "POST"])
@roles_required(Role.RH)
def new_offer():
    if request.method == "GET":
        return _render_form(None, {"place": "on_site"}, {})
    schema = OfferSchema()
    raw = _submitted_values(schema)
    try:
        offer = offer_service.create_offer(current_user, schema.load(raw))
    except ValidationError as exc:
        return _render_form(None, _display_values(raw), exc.messages, 400)
    except ServiceError as exc:
        return _render_form(None, _display_values(raw), exc.errors, 400)
    flash(_("Offre enregistrée en brouillon. Ajoutez ses sessions, puis soumettez-la."), "success")
    return redirect(url_for("rh.offer", offer_id=offer.id))


@bp.get("/offres/<int:offer_id>")
@roles_required(Role.RH)
def offer(offer_id: int):
    item = _own_offer(offer_id)
    return render_template("rh/offers/show.html", offer=item, errors={}, values={})


@bp.route("/offres/<int:offer_id>/modifier", methods=["GET", "POST"])
@roles_required(Role.RH)
def edit_offer(offer_id: int):
    item = _own_offer(offer_id)
    if request.method == "GET":
        return _render_form(item, _form_values(item), {})
    schema = OfferSchema()
    raw = _submitted_values(schema)
    was = item.status
    try:
        offer_service.update_offer(current_user, item, schema.load(raw))
    except ValidationError as exc:
        return _render_form(item, _display_values(raw), exc.messages, 400)
    except offer_service.Conflict as exc:
        shown = _display_values(raw)
        shown["version"] = exc.current_version  # saving again applies this person's version knowingly
        return _render_form(item, shown, exc.errors, 409, conflict=exc)
    except ServiceError as exc:
        return _render_form(item, _display_values(raw), exc.errors, 400)
    if was == OfferStatus.PUBLISHED and item.status == OfferStatus.SUBMITTED:
        flash(_("Modifications enregistrées. Elles changent le contenu validé : l'offre quitte le catalogue et "
                "repart en validation auprès de la coordination."), "success")
    else:
        flash(_("Modifications enregistrées."), "success")
    return redirect(url_for("rh.offer", offer_id=item.id))


@bp.post("/offres/<int:offer_id>/sessions")
@roles_required(Role.RH)
def add_session(offer_id: int):
    item = _own_offer(offer_id)
    schema = SessionSchema()
    values = form_data(schema, request.form)
    try:
        offer_service.add_session(current_user, item, schema.load(values))
    except ValidationError as exc:
        errors = exc.messages
    except ServiceError as exc:
        errors = exc.errors
    else:
        flash(_("Session ajoutée."), "success")
        return redirect(url_for("rh.offer", offer_id=item.id))
    return render_template("rh/offers/show.html", offer=item, errors=errors, values=values), 400


@bp.post("/offres/<int:offer_id>/sessions/<int:session_id>/supprimer")
@roles_required(Role.RH)
def delete_session(offer_id: int, session_id: int):
    item = _own_offer(offer_id)
    session = db.session.get(OfferSession, session_id)
    if session is None or session.offer_id != item.id:
        abort(404)
    try:
        offer_service.delete_session(current_user, session)
    except ServiceError as exc:
        flash(" ".join(map(str, exc.errors.get("_schema", []))), "error")
    else:
        flash(_("Session supprimée."), "success")
    return redirect(url_for("rh.offer", offer_id=item.id))


_ACTIONS = {
    "soumettre": ("submit", None),
    "clore": ("close", N_("Offre close : elle n'apparaît plus aux agents.")),
    "archiver": ("archive", N_("Offre archivée.")),
    "rouvrir": ("reopen", N_("Offre rouverte en brouillon.")),
}


@bp.post("/offres/<int:offer_id>/<any(soumettre, clore, archiver, rouvrir):action>")
@roles_required(Role.RH)
def offer_action(offer_id: int, action: str):
    item = _own_offer(offer_id)
    name, message = _ACTIONS[action]
    try:
        if name == "submit":
            offer_service.submit_offer(current_user, item)
            message = (N_("Offre soumise à la coordination pour validation.")
                       if item.status == OfferStatus.SUBMITTED else N_("Offre publiée."))
        else:
            offer_service.change_status(current_user, item, name)
    except ServiceError as exc:
        flash(" ".join(str(m) for messages in exc.errors.values() for m in messages), "error")
    else:
        flash(_(message), "success")
    return redirect(url_for("rh.offer", offer_id=item.id))


@bp.post("/offres/<int:offer_id>/dupliquer")
@roles_required(Role.RH)
def duplicate_offer(offer_id: int):
    copy = offer_service.duplicate_offer(current_user, _own_offer(offer_id))
    flash(_("Copie créée en brouillon : relisez-la et ajoutez ses sessions."), "success")
    return redirect(url_for("rh.edit_offer", offer_id=copy.id))
