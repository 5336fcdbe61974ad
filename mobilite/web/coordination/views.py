from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from marshmallow import ValidationError

from mobilite.authz import Action, require
from mobilite.extensions import db
from mobilite.models import Network, Offer, Organisation, Role, User
from mobilite.schemas.base import form_data
from mobilite.schemas.offers import ValidationDecisionSchema
from mobilite.security import roles_required
from mobilite.services import homes
from mobilite.services import offers as offer_service
from mobilite.services.errors import ServiceError
from mobilite.web.accounts import account_form
from mobilite.web.coordination import bp


@bp.get("/")
@roles_required(Role.COORDINATOR)
def home():
    return render_template("coordination/home.html", **homes.coordinator_home(current_user))


@bp.get("/comptes")
@roles_required(Role.COORDINATOR)
def accounts():
    network = db.session.get(Network, current_user.network_id)
    page = homes.accounts_in_scope(network_id=network.id, page=request.args.get("page", 1, type=int))
    return render_template("accounts/list.html", page=page, space="coordination", scope_name=network.name)


@bp.route("/comptes/nouveau", methods=["GET", "POST"])
@roles_required(Role.COORDINATOR)
def new_account():
    network = db.session.get(Network, current_user.network_id)
    return account_form(organisations=network.organisations, networks=[],
                        done_endpoint="coordination.accounts", space="coordination")


@bp.get("/comptes/<int:user_id>")
@roles_required(Role.COORDINATOR)
def account(user_id: int):
    user = require(current_user, Action.VIEW, db.session.get(User, user_id))
    return render_template("accounts/show.html", user=user, space="coordination")


@bp.get("/organisations/<int:organisation_id>")
@roles_required(Role.COORDINATOR)
def organisation(organisation_id: int):
    organisation = require(current_user, Action.MANAGE, db.session.get(Organisation, organisation_id))
    return render_template("coordination/organisation.html", **homes.organisation_page(organisation))


@bp.route("/offres/<int:offer_id>", methods=["GET", "POST"])
@roles_required(Role.COORDINATOR)
def review_offer(offer_id: int):
    """Read a submitted offer, then publish it or send it back with a comment."""
    offer = require(current_user, Action.VALIDATE, db.session.get(Offer, offer_id))
    errors: dict = {}
    values: dict = {}
    if request.method == "POST":
        schema = ValidationDecisionSchema()
        values = form_data(schema, request.form)
        try:
            data = schema.load(values)
            offer_service.validate_offer(current_user, offer, data["decision"], data["comment"])
        except ValidationError as exc:
            errors = exc.messages
        except ServiceError as exc:
            errors = exc.errors
        else:
            flash(_("Offre publiée.") if data["decision"] == "publish" else _("Offre renvoyée à l'organisation."),
                  "success")
            return redirect(url_for("coordination.home"))
    return render_template("coordination/offer_review.html", offer=offer, errors=errors, values=values), (
        400 if errors else 200)
