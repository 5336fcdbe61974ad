"""The page of an organisation's sign-in settings (SIRET numbers, password sign-in), shared by the
coordination and admin spaces."""

from __future__ import annotations

from typing import Any

from flask import abort, current_app, flash, redirect, render_template, request
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import current_user

from mobilite.models import Organisation
from mobilite.schemas.base import form_data
from mobilite.schemas.organisation_sign_in import SignInSettingsSchema
from mobilite.services.organisation_sign_in import may_set, update_sign_in_settings
from mobilite.services.organisations import fingerprint
from mobilite.web.forms import Rejection, submit_form


def sign_in_settings_form(organisation: Organisation, *, back_url: str) -> ResponseReturnValue:
    """GET shows the settings; POST saves them all or shows every error at once."""
    if not may_set(current_user, organisation):
        abort(404)
    schema = SignInSettingsSchema()
    # The version the form was opened on travels with it: a change saved since by someone else is refused.
    opened_on = request.form.get("opened_on") or None if request.method == "POST" else fingerprint(organisation)
    if request.method == "POST":
        values = form_data(schema, request.form)
    else:
        values = {
            "sirets": "\n".join(row.siret for row in organisation.sirets),
            "password_sign_in": "on" if organisation.password_sign_in else "",
        }

    def render(rejected: Rejection) -> ResponseReturnValue:
        return render_template(
            "auth/organisation_sign_in.html",
            organisation=organisation,
            errors=rejected.errors,
            values=values,
            opened_on=opened_on,
            back_url=back_url,
            proconnect_on=bool(current_app.config.get("OIDC_ISSUER")),
        ), rejected.status

    def save(data: dict[str, Any]) -> Organisation:
        return update_sign_in_settings(
            current_user._get_current_object(), organisation, data["sirets"], data["password_sign_in"], opened_on
        )

    def saved(_organisation: Organisation) -> ResponseReturnValue:
        flash(_("Réglages de connexion enregistrés."), "success")
        return redirect(back_url)

    if request.method != "POST":
        return render(Rejection({}, 200))
    return submit_form(schema, values, save, done=saved, again=render, shows_conflicts=True)
