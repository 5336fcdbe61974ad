"""The account-creation page, shared by the HR, coordination and admin spaces."""

from __future__ import annotations

from typing import Any

from flask import current_app, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import current_user

from mobilite.authz import assignable_roles
from mobilite.models import User
from mobilite.schemas.accounts import AccountSchema
from mobilite.schemas.base import form_data
from mobilite.services.accounts import create_account
from mobilite.web.forms import Rejection, submit_form


def account_form(*, organisations, networks, done_endpoint: str, space: str, fixed_organisation=None):
    """GET shows the form; POST validates, creates the account and sends its first-password link.

    HR officers pass `fixed_organisation`: their accounts always belong to it.
    """
    schema = AccountSchema()
    values = form_data(schema, request.form) if request.method == "POST" else {}

    def render(rejected: Rejection) -> ResponseReturnValue:
        return render_template(
            "accounts/new.html",
            errors=rejected.errors,
            values=values,
            organisations=organisations,
            networks=networks,
            fixed_organisation=fixed_organisation,
            roles=assignable_roles(current_user),
            space=space,
        ), rejected.status

    def create(data: dict[str, Any]) -> User:
        if fixed_organisation is not None and data["organisation_id"] is None:
            data["organisation_id"] = fixed_organisation.id
        return create_account(
            current_user,
            data,
            token_hours=current_app.config["PASSWORD_TOKEN_HOURS"],
        )

    def created(user: User) -> ResponseReturnValue:
        flash(
            _(
                "Compte créé pour %(name)s. Un lien pour choisir son mot de passe lui a été envoyé.",
                name=user.full_name,
            ),
            "success",
        )
        return redirect(url_for(done_endpoint))

    if request.method != "POST":
        return render(Rejection({}, 200))
    return submit_form(schema, values, create, done=created, again=render)
