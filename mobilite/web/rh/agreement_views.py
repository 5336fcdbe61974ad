"""HR's side of the agreement: the host completes it, the home employer checks it, each signs in turn."""

from __future__ import annotations

from mobilite.authz import Action
from mobilite.models import Role
from mobilite.security import roles_required
from mobilite.web import agreement as shared
from mobilite.web.immersions import immersion_or_404
from mobilite.web.rh import bp

SPACE = "rh"


@bp.get("/immersions/<int:immersion_id>/convention.pdf")
@roles_required(Role.RH)
def agreement_pdf(immersion_id: int):
    return shared.pdf(immersion_or_404(immersion_id, Action.REVIEW))


@bp.route("/immersions/<int:immersion_id>/convention", methods=["GET", "POST"])
@roles_required(Role.RH)
def agreement_form(immersion_id: int):
    return shared.complete_form(immersion_or_404(immersion_id, Action.REVIEW), SPACE)


@bp.post("/immersions/<int:immersion_id>/convention/verification")
@roles_required(Role.RH)
def agreement_check(immersion_id: int):
    return shared.check(immersion_or_404(immersion_id, Action.REVIEW), SPACE)


@bp.post("/immersions/<int:immersion_id>/convention/signature")
@roles_required(Role.RH)
def agreement_sign(immersion_id: int):
    return shared.sign(immersion_or_404(immersion_id, Action.REVIEW), SPACE)
