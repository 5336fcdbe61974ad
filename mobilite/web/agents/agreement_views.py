"""The agent's side of the agreement: sign it in turn, download it."""

from __future__ import annotations

from mobilite.authz import Action
from mobilite.models import Role
from mobilite.security import roles_required
from mobilite.web import agreement as shared
from mobilite.web.agents import bp
from mobilite.web.immersions import immersion_or_404

SPACE = "agents"


@bp.get("/immersions/<int:immersion_id>/convention.pdf")
@roles_required(Role.AGENT)
def agreement_pdf(immersion_id: int):
    return shared.pdf(immersion_or_404(immersion_id, Action.MANAGE))


@bp.post("/immersions/<int:immersion_id>/convention/signature")
@roles_required(Role.AGENT)
def agreement_sign(immersion_id: int):
    return shared.sign(immersion_or_404(immersion_id, Action.MANAGE), SPACE)
