from __future__ import annotations

from flask import render_template, request, url_for
from flask_login import current_user
from sqlalchemy.orm import selectinload

from mobilite.authz import Action, require
from mobilite.extensions import db
from mobilite.models import Organisation, Role
from mobilite.security import roles_required
from mobilite.services import homes, listings
from mobilite.web.accounts import account_form, erase_account_page, register_account_routes
from mobilite.web.admin import bp
from mobilite.web.audit_log import register_audit_routes
from mobilite.web.organisation_sign_in import sign_in_settings_form


@bp.get("/")
@roles_required(Role.ADMIN)
def home():
    return render_template("admin/home.html", **homes.admin_home())


@bp.get("/comptes")
@roles_required(Role.ADMIN)
def accounts():
    page = homes.accounts_in_scope(page=request.args.get("page", 1, type=int))
    return render_template("accounts/list.html", page=page, space="admin", scope_name=None)


@bp.route("/comptes/nouveau", methods=["GET", "POST"])
@roles_required(Role.ADMIN)
def new_account():
    organisations = db.session.scalars(listings.all_organisations()).all()
    networks = db.session.scalars(listings.all_networks()).all()
    return account_form(organisations=organisations, networks=networks, done_endpoint="admin.accounts", space="admin")


register_account_routes(bp, Role.ADMIN, "admin")
register_audit_routes(bp, Role.ADMIN, "admin", lambda: None)


@bp.post("/comptes/<int:user_id>/effacer")
@roles_required(Role.ADMIN)
def erase_account(user_id: int):
    return erase_account_page(user_id)


@bp.get("/organisations")
@roles_required(Role.ADMIN)
def organisations():
    query = listings.all_organisations().options(selectinload(Organisation.sirets), selectinload(Organisation.network))
    return render_template("admin/organisations.html", organisations=db.session.scalars(query).all())


@bp.route("/organisations/<int:organisation_id>/connexion", methods=["GET", "POST"])
@roles_required(Role.ADMIN)
def organisation_sign_in(organisation_id: int):
    organisation = require(current_user, Action.MANAGE, db.session.get(Organisation, organisation_id))
    return sign_in_settings_form(organisation, back_url=url_for("admin.organisations"))
