from __future__ import annotations

from typing import Any

from flask import flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import current_user

from mobilite.authz import Action, require
from mobilite.extensions import db
from mobilite.lifecycles.offer import OfferValidation
from mobilite.models import Offer, Organisation, Role
from mobilite.schemas.base import form_data
from mobilite.schemas.offers import ValidationDecisionSchema
from mobilite.security import roles_required
from mobilite.services import homes
from mobilite.services import offers as offer_service
from mobilite.web.accounts import account_form, register_account_routes
from mobilite.web.audit_log import register_audit_routes
from mobilite.web.coordination import bp, own_network
from mobilite.web.forms import Rejection, submit_form
from mobilite.web.organisation_sign_in import sign_in_settings_form


@bp.get("/")
@roles_required(Role.COORDINATOR)
def home():
    return render_template("coordination/home.html", **homes.coordinator_home(current_user))


@bp.get("/comptes")
@roles_required(Role.COORDINATOR)
def accounts():
    network = own_network()
    page = homes.accounts_in_scope(network_id=network.id, page=request.args.get("page", 1, type=int))
    return render_template("accounts/list.html", page=page, space="coordination", scope_name=network.name)


@bp.route("/comptes/nouveau", methods=["GET", "POST"])
@roles_required(Role.COORDINATOR)
def new_account():
    network = own_network()
    return account_form(
        organisations=network.organisations, networks=[], done_endpoint="coordination.accounts", space="coordination"
    )


register_account_routes(bp, Role.COORDINATOR, "coordination")
register_audit_routes(bp, Role.COORDINATOR, "coordination", lambda: own_network().id)


@bp.get("/organisations/<int:organisation_id>")
@roles_required(Role.COORDINATOR)
def organisation(organisation_id: int):
    organisation = require(current_user, Action.MANAGE, db.session.get(Organisation, organisation_id))
    return render_template("coordination/organisation.html", **homes.organisation_page(organisation))


@bp.route("/organisations/<int:organisation_id>/connexion", methods=["GET", "POST"])
@roles_required(Role.COORDINATOR)
def organisation_sign_in(organisation_id: int):
    organisation = require(current_user, Action.MANAGE, db.session.get(Organisation, organisation_id))
    return sign_in_settings_form(
        organisation, back_url=url_for("coordination.organisation", organisation_id=organisation.id)
    )


@bp.route("/offres/<int:offer_id>", methods=["GET", "POST"])
@roles_required(Role.COORDINATOR)
def review_offer(offer_id: int):
    """Read a submitted offer, then publish it or send it back with a comment."""
    offer = require(current_user, Action.VALIDATE, db.session.get(Offer, offer_id))
    schema = ValidationDecisionSchema()
    values = form_data(schema, request.form) if request.method == "POST" else {}

    def render(rejected: Rejection) -> ResponseReturnValue:
        return render_template(
            "coordination/offer_review.html", offer=offer, errors=rejected.errors, values=values
        ), rejected.status

    def save(data: dict[str, Any]) -> OfferValidation:
        offer_service.validate_offer(current_user, offer, data["decision"], data["comment"])
        return data["decision"]

    def decided(decision: OfferValidation) -> ResponseReturnValue:
        published = decision == OfferValidation.PUBLISH
        flash(_("Offre publiée.") if published else _("Offre renvoyée à l'organisation."), "success")
        return redirect(url_for("coordination.home"))

    if request.method != "POST":
        return render(Rejection({}, 200))
    return submit_form(schema, values, save, done=decided, again=render)
