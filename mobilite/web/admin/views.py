from __future__ import annotations

from flask import render_template, request
from flask_login import current_user

from mobilite.authz import Action, require
from mobilite.extensions import db
from mobilite.models import Role, User
from mobilite.security import roles_required
from mobilite.services import homes, listings
from mobilite.web.accounts import account_form
from mobilite.web.admin import bp


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


@bp.get("/comptes/<int:user_id>")
@roles_required(Role.ADMIN)
def account(user_id: int):
    user = require(current_user, Action.VIEW, db.session.get(User, user_id))
    return render_template("accounts/show.html", user=user, space="admin")
