"""The agent's career history: add an immersion to it from the immersion's page, remove it from the profile."""

from __future__ import annotations

from flask import flash, redirect, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import current_user

from mobilite.authz import Action
from mobilite.models import Role
from mobilite.security import roles_required
from mobilite.services import career
from mobilite.services.errors import ServiceError
from mobilite.web import immersions as shared
from mobilite.web.agents import bp
from mobilite.web.forms import error_text


@bp.post("/immersions/<int:immersion_id>/parcours")
@roles_required(Role.AGENT)
def career_add(immersion_id: int) -> ResponseReturnValue:
    immersion = shared.immersion_or_404(immersion_id, Action.MANAGE)
    try:
        career.add(current_user, immersion)
    except ServiceError as refused:
        flash(error_text(refused), "error")
        return redirect(url_for("agents.immersion", immersion_id=immersion.id))
    flash(_("Immersion ajoutée à votre parcours : elle figure sur votre profil."), "success")
    return redirect(url_for("agents.profile", _anchor="parcours"))


@bp.post("/immersions/<int:immersion_id>/parcours/retrait")
@roles_required(Role.AGENT)
def career_remove(immersion_id: int) -> ResponseReturnValue:
    immersion = shared.immersion_or_404(immersion_id, Action.MANAGE)
    try:
        removed = career.remove(current_user, immersion)
    except ServiceError as refused:
        flash(error_text(refused), "error")
        removed = False
    if removed:
        flash(_("Immersion retirée de votre parcours."), "success")
    back = url_for("agents.immersion", immersion_id=immersion.id)
    return redirect(back if request.form.get("back") == "immersion" else url_for("agents.profile", _anchor="parcours"))
