"""The account-creation page, shared by the HR, coordination and admin spaces."""

from __future__ import annotations

from flask import current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from marshmallow import ValidationError

from mobilite.authz import assignable_roles
from mobilite.schemas.accounts import AccountSchema
from mobilite.schemas.base import form_data
from mobilite.services.accounts import create_account
from mobilite.services.errors import ServiceError


def account_form(*, organisations, networks, done_endpoint: str, space: str, fixed_organisation=None):
    """GET shows the form; POST validates, creates the account and sends its first-password link.

    HR officers pass `fixed_organisation`: their accounts always belong to it.
    """
    errors: dict = {}
    values: dict = {}
    if request.method == "POST":
        schema = AccountSchema()
        values = form_data(schema, request.form)
        try:
            data = schema.load(values)
            if fixed_organisation is not None and data["organisation_id"] is None:
                data["organisation_id"] = fixed_organisation.id
            user = create_account(
                current_user, data,
                base_url=current_app.config["BASE_URL"],
                token_hours=current_app.config["PASSWORD_TOKEN_HOURS"],
            )
        except ValidationError as exc:
            errors = exc.messages
        except ServiceError as exc:
            errors = exc.errors
        else:
            flash(_("Compte créé pour %(name)s. Un lien pour choisir son mot de passe lui a été envoyé.",
                    name=user.full_name), "success")
            return redirect(url_for(done_endpoint))
    return render_template(
        "accounts/new.html",
        errors=errors,
        values=values,
        organisations=organisations,
        networks=networks,
        fixed_organisation=fixed_organisation,
        roles=assignable_roles(current_user),
        space=space,
    ), 400 if errors else 200
