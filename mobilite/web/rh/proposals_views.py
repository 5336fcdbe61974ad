"""HR after publication: answer proposals to the organisation's offers (host side), follow the proposals
made to its agents (home side), and the immersions hosted and sent: agreement summary, PDF, calendar,
the host's feedback."""

from __future__ import annotations

from flask import render_template
from flask_login import current_user

from mobilite.authz import Action
from mobilite.models import FeedbackSide, Role
from mobilite.security import roles_required
from mobilite.services import immersions as immersion_service
from mobilite.services import proposals as proposal_service
from mobilite.web import immersion_changes as changes
from mobilite.web import immersions as shared
from mobilite.web.rh import bp

SPACE, SIDE = "rh", "host"


@bp.get("/propositions")
@roles_required(Role.RH)
def proposals():
    return render_template(
        "proposals/rh_list.html",
        status_labels=immersion_service.STATUS_LABELS,
        **proposal_service.hr_overview(current_user),
    )


@bp.get("/propositions/<int:proposal_id>")
@roles_required(Role.RH)
def proposal(proposal_id: int):
    return shared.show_proposal(shared.proposal_or_404(proposal_id, Action.REVIEW), SIDE, SPACE)


@bp.post("/propositions/<int:proposal_id>/reponse")
@roles_required(Role.RH)
def answer_proposal(proposal_id: int):
    return shared.answer(shared.proposal_or_404(proposal_id, Action.REVIEW), SIDE, SPACE)


@bp.get("/immersions/<int:immersion_id>")
@roles_required(Role.RH)
def immersion(immersion_id: int):
    return shared.show_immersion(shared.immersion_or_404(immersion_id, Action.REVIEW), SPACE, SIDE)


@bp.get("/immersions/<int:immersion_id>/recapitulatif.pdf")
@roles_required(Role.RH)
def immersion_pdf(immersion_id: int):
    return shared.agreement_download(shared.immersion_or_404(immersion_id, Action.REVIEW))


@bp.get("/immersions/<int:immersion_id>/immersion.ics")
@roles_required(Role.RH)
def immersion_ics(immersion_id: int):
    return shared.calendar_download(shared.immersion_or_404(immersion_id, Action.REVIEW))


@bp.route("/immersions/<int:immersion_id>/bilan", methods=["GET", "POST"])
@roles_required(Role.RH)
def immersion_feedback(immersion_id: int):
    return shared.feedback_form(shared.immersion_or_404(immersion_id, Action.REVIEW), FeedbackSide.HOST, SPACE)


@bp.route("/immersions/<int:immersion_id>/annulation", methods=["GET", "POST"])
@roles_required(Role.RH)
def immersion_call_off(immersion_id: int):
    return changes.call_off_form(shared.immersion_or_404(immersion_id, Action.REVIEW), SPACE)


@bp.get("/immersions/frais-de-mission")
@roles_required(Role.RH)
def mission_expenses():
    """The month's mission-expense lines of the agents the organisation sends, as CSV."""
    return changes.expenses_export(current_user.organisation_id, current_user.organisation.slug)
