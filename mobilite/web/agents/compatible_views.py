"""The offers that fit one of the agent's requests as it stands, closest first, each one wish away."""

from __future__ import annotations

from flask import render_template, request
from flask_login import current_user

from mobilite.authz import Action, can, require
from mobilite.extensions import db
from mobilite.models import ImmersionRequest, Role
from mobilite.schemas.requests import MAX_WISHES
from mobilite.security import roles_required
from mobilite.services import wish_checks
from mobilite.web.agents import bp


@bp.get("/demandes/<int:request_id>/offres-compatibles")
@roles_required(Role.AGENT)
def compatible_offers(request_id: int):
    immersion_request = require(current_user, Action.MANAGE, db.session.get(ImmersionRequest, request_id))
    page = request.args.get("page", 1, type=int)
    return render_template(
        "agents/requests/compatible.html",
        item=immersion_request,
        result=wish_checks.compatible_offers(immersion_request, page=min(max(page, 1), 10_000)),
        can_add=can(current_user, Action.EDIT, immersion_request) and len(immersion_request.wishes) < MAX_WISHES,
        can_edit=can(current_user, Action.EDIT, immersion_request),
    )
