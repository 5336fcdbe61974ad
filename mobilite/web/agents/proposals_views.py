"""The agent's proposals and immersions: answer, agreement summary (page, PDF, calendar), feedback."""

from __future__ import annotations

from mobilite.authz import Action
from mobilite.models import FeedbackSide, Role
from mobilite.security import roles_required
from mobilite.web import immersion_changes as changes
from mobilite.web import immersions as shared
from mobilite.web.agents import bp

SPACE, SIDE = "agents", "agent"


@bp.get("/propositions/<int:proposal_id>")
@roles_required(Role.AGENT)
def proposal(proposal_id: int):
    return shared.show_proposal(shared.proposal_or_404(proposal_id, Action.MANAGE), SIDE, SPACE)


@bp.post("/propositions/<int:proposal_id>/reponse")
@roles_required(Role.AGENT)
def answer_proposal(proposal_id: int):
    return shared.answer(shared.proposal_or_404(proposal_id, Action.MANAGE), SIDE, SPACE)


@bp.get("/immersions/<int:immersion_id>")
@roles_required(Role.AGENT)
def immersion(immersion_id: int):
    return shared.show_immersion(shared.immersion_or_404(immersion_id, Action.MANAGE), SPACE, SIDE)


@bp.get("/immersions/<int:immersion_id>/recapitulatif.pdf")
@roles_required(Role.AGENT)
def immersion_pdf(immersion_id: int):
    return shared.agreement_download(shared.immersion_or_404(immersion_id, Action.MANAGE))


@bp.get("/immersions/<int:immersion_id>/immersion.ics")
@roles_required(Role.AGENT)
def immersion_ics(immersion_id: int):
    return shared.calendar_download(shared.immersion_or_404(immersion_id, Action.MANAGE))


@bp.route("/immersions/<int:immersion_id>/bilan", methods=["GET", "POST"])
@roles_required(Role.AGENT)
def immersion_feedback(immersion_id: int):
    return shared.feedback_form(shared.immersion_or_404(immersion_id, Action.MANAGE), FeedbackSide.AGENT, SPACE)


@bp.route("/immersions/<int:immersion_id>/annulation", methods=["GET", "POST"])
@roles_required(Role.AGENT)
def immersion_call_off(immersion_id: int):
    return changes.call_off_form(shared.immersion_or_404(immersion_id, Action.MANAGE), SPACE)


@bp.route("/immersions/<int:immersion_id>/deplacements", methods=["GET", "POST"])
@roles_required(Role.AGENT)
def immersion_travel(immersion_id: int):
    return changes.travel_form(shared.immersion_or_404(immersion_id, Action.MANAGE), SPACE)


@bp.get("/immersions/<int:immersion_id>/attestation.pdf")
@roles_required(Role.AGENT)
def immersion_certificate(immersion_id: int):
    return changes.certificate_download(shared.immersion_or_404(immersion_id, Action.MANAGE), SPACE)
