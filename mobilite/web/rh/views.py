from __future__ import annotations

from flask import render_template, request
from flask_login import current_user

from mobilite.models import Role
from mobilite.security import roles_required
from mobilite.services import homes, inbox
from mobilite.web.accounts import account_form, register_account_routes
from mobilite.web.rh import bp


@bp.get("/")
@roles_required(Role.RH)
def home():
    failing = inbox.failing_addresses(current_user.organisation_id)  # the relay refuses their address
    return render_template("rh/home.html", failing_addresses=failing, **homes.hr_home(current_user))


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


register_account_routes(bp, Role.RH, "rh")
