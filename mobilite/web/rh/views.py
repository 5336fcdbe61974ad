from __future__ import annotations

from flask import render_template, request
from flask_login import current_user

from mobilite.authz import Action, require
from mobilite.extensions import db
from mobilite.models import Role, User
from mobilite.security import roles_required
from mobilite.services import homes
from mobilite.web.accounts import account_form
from mobilite.web.rh import bp


@bp.get("/")
@roles_required(Role.RH)
def home():
    return render_template("rh/home.html", **homes.hr_home(current_user))


@bp.get("/comptes")
@roles_required(Role.RH)
def accounts():
    page = homes.accounts_in_scope(
        organisation_id=current_user.organisation_id, page=request.args.get("page", 1, type=int)
    )
    return render_template("accounts/list.html", page=page, space="rh", scope_name=current_user.organisation.name)


@bp.route("/comptes/nouveau", methods=["GET", "POST"])
@roles_required(Role.RH)
def new_account():
    return account_form(
        organisations=[],
        networks=[],
        fixed_organisation=current_user.organisation,
        done_endpoint="rh.accounts",
        space="rh",
    )


@bp.get("/comptes/<int:user_id>")
@roles_required(Role.RH)
def account(user_id: int):
    user = require(current_user, Action.VIEW, db.session.get(User, user_id))
    return render_template("accounts/show.html", user=user, space="rh")
