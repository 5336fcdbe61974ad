"""HR officers' offers: create, edit, sessions, submit, close, archive, duplicate."""

from __future__ import annotations

from typing import Any

from flask import abort, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import current_user

from mobilite.authz import Action, require
from mobilite.extensions import db
from mobilite.i18n import N_
from mobilite.lifecycles.offer import OfferAction
from mobilite.models import Offer, OfferSession, OfferStatus, Role
from mobilite.schemas.base import form_data
from mobilite.schemas.offers import OfferSchema, SessionSchema
from mobilite.security import roles_required
from mobilite.services import listings
from mobilite.services import offers as offer_service
from mobilite.services import sites as site_service
from mobilite.services.errors import ServiceError
from mobilite.services.pagination import paginate
from mobilite.services.taxonomy import themes_with_skills
from mobilite.web.forms import Rejection, flash_errors, submit_form
from mobilite.web.rh import bp


def _own_offer(offer_id: int) -> Offer:
    return require(current_user, Action.EDIT, db.session.get(Offer, offer_id))


def _form_values(offer: Offer) -> dict:
    values = {name: getattr(offer, name) for name in offer_service.EDITABLE_FIELDS}
    values["place"] = offer.place.value
    values["site_choice"] = str(offer.site_id or "")
    values["meeting_time"] = offer.meeting_time.strftime("%H:%M") if offer.meeting_time else ""
    values["themes"] = [str(t.id) for t in offer.themes]
    values["skills"] = [str(s.id) for s in offer.skills]
    values["prerequisites"] = [{"skill_id": p.skill_id, "min_level": p.min_level} for p in offer.prerequisites]
    values["version"] = offer.version
    return values


def _render_form(offer: Offer | None, values: dict[str, Any], rejected: Rejection | None = None):
    rejected = rejected or Rejection({}, 200)
    return render_template(
        "rh/offers/form.html",
        offer=offer,
        values=values,
        errors=rejected.errors,
        conflict=rejected.conflict,
        themes=themes_with_skills(),
        organisation=current_user.organisation,
        sites=site_service.offer_site_choices(current_user.organisation_id, offer),
    ), rejected.status


def _offer_input(key: str) -> str:
    """Prerequisite rows are the selects prerequisite_skill-<i> and prerequisite_level-<i> in the form."""
    if key == "site_id":
        return "site_choice"
    if key.startswith("new_site-"):  # the new site's inputs: new_site_name, new_site_commune…
        return "new_site_" + key.removeprefix("new_site-")
    if key.startswith("prerequisites-") and key.count("-") == 2:
        _, index, name = key.split("-")
        return f"prerequisite_{'skill' if name == 'skill_id' else 'level'}-{index}"
    return key


def _submitted_values(schema) -> dict:
    values = form_data(schema, request.form)
    values["prerequisite_skill"] = request.form.getlist("prerequisite_skill")
    values["prerequisite_level"] = request.form.getlist("prerequisite_level")
    if "site_choice" in request.form:  # where it happens: a site, the organisation's address, or a new site
        values["site_choice"] = request.form["site_choice"]
        for name in site_service.NEW_SITE_INPUTS:
            values[name] = request.form.get(name, "")
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
    query = listings.organisation_offers(
        current_user.organisation_id,
        OfferStatus(status) if status is not None and status in OfferStatus.__members__.values() else None,
    )
    page = paginate(query, request.args.get("page", 1, type=int))
    return render_template("rh/offers/list.html", page=page, status=status, statuses=list(OfferStatus))


@bp.route("/offres/nouvelle", methods=["GET", "POST"])
@roles_required(Role.RH)
def new_offer():
    if request.method == "GET":
        return _render_form(None, {"place": "on_site"})
    schema = OfferSchema()
    raw = _submitted_values(schema)

    def created(offer: Offer) -> ResponseReturnValue:
        flash(_("Offre enregistrée en brouillon. Ajoutez ses sessions, puis soumettez-la."), "success")
        return redirect(url_for("rh.offer", offer_id=offer.id))

    return submit_form(
        schema,
        raw,
        lambda data: offer_service.create_offer(current_user, data),
        done=created,
        again=lambda rejected: _render_form(None, _display_values(raw), rejected),
        input_name=_offer_input,
    )


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
        return _render_form(item, _form_values(item))
    schema = OfferSchema()
    raw = _submitted_values(schema)
    was = item.status

    def again(rejected: Rejection) -> ResponseReturnValue:
        shown = _display_values(raw)
        if rejected.conflict is not None:
            # Saving again applies this person's version knowingly.
            shown["version"] = getattr(rejected.conflict, "current_version", None)
        return _render_form(item, shown, rejected)

    def saved(_offer: Offer) -> ResponseReturnValue:
        if was == OfferStatus.PUBLISHED and item.status == OfferStatus.SUBMITTED:
            flash(
                _(
                    "Modifications enregistrées. Elles changent le contenu validé : l'offre quitte le catalogue "
                    "et repart en validation auprès de la coordination."
                ),
                "success",
            )
        else:
            flash(_("Modifications enregistrées."), "success")
        return redirect(url_for("rh.offer", offer_id=item.id))

    return submit_form(
        schema,
        raw,
        lambda data: offer_service.update_offer(current_user, item, data),
        done=saved,
        again=again,
        input_name=_offer_input,
        shows_conflicts=True,
    )


@bp.post("/offres/<int:offer_id>/sessions")
@roles_required(Role.RH)
def add_session(offer_id: int):
    item = _own_offer(offer_id)
    schema = SessionSchema()
    values = form_data(schema, request.form)

    def added(_session: OfferSession) -> ResponseReturnValue:
        flash(_("Session ajoutée."), "success")
        return redirect(url_for("rh.offer", offer_id=item.id))

    def again(rejected: Rejection) -> ResponseReturnValue:
        return render_template("rh/offers/show.html", offer=item, errors=rejected.errors, values=values), (
            rejected.status
        )

    return submit_form(
        schema, values, lambda data: offer_service.add_session(current_user, item, data), done=added, again=again
    )


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
        flash_errors(exc)
    else:
        flash(_("Session supprimée."), "success")
    return redirect(url_for("rh.offer", offer_id=item.id))


# The page's buttons, by their French path segment: submitting, or one of HR's lifecycle actions.
_ACTIONS: dict[str, tuple[OfferAction | None, str | None]] = {
    "soumettre": (None, None),
    "clore": (OfferAction.CLOSE, N_("Offre close : elle n'apparaît plus aux agents.")),
    "archiver": (OfferAction.ARCHIVE, N_("Offre archivée.")),
    "rouvrir": (OfferAction.REOPEN, N_("Offre rouverte en brouillon.")),
}


@bp.post("/offres/<int:offer_id>/<any(soumettre, clore, archiver, rouvrir):action>")
@roles_required(Role.RH)
def offer_action(offer_id: int, action: str):
    item = _own_offer(offer_id)
    lifecycle_action, message = _ACTIONS[action]
    try:
        if lifecycle_action is None:
            offer_service.submit_offer(current_user, item)
            message = (
                N_("Offre soumise à la coordination pour validation.")
                if item.status == OfferStatus.SUBMITTED
                else N_("Offre publiée.")
            )
        else:
            offer_service.change_status(current_user, item, lifecycle_action)
    except ServiceError as exc:
        flash_errors(exc)
    else:
        flash(_(message), "success")
    return redirect(url_for("rh.offer", offer_id=item.id))


@bp.post("/offres/<int:offer_id>/dupliquer")
@roles_required(Role.RH)
def duplicate_offer(offer_id: int):
    copy = offer_service.duplicate_offer(current_user, _own_offer(offer_id))
    flash(_("Copie créée en brouillon : relisez-la et ajoutez ses sessions."), "success")
    return redirect(url_for("rh.edit_offer", offer_id=copy.id))
