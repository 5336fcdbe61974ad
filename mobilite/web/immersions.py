"""What the agent and HR spaces share after publication: the proposal page and its answer, the immersion's
agreement summary (page, PDF, calendar file) and the feedback form.

Each space declares its own routes (agents/proposals_views.py, rh/proposals_views.py) and calls these
helpers with its side ("agent" or "host"), the authz action of its space and its URL prefix. A coordinator
space can reuse `show_immersion`, `agreement_download` and `calendar_download` with Action.VIEW.
"""

from __future__ import annotations

from datetime import date
from typing import Any, TypedDict

from flask import Response, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.exceptions import NotFound

from mobilite.authz import Action, may_answer, may_give_feedback, require
from mobilite.extensions import db
from mobilite.models import Answer, FeedbackSide, Immersion, Outcome, Proposal, ProposalStatus
from mobilite.schemas.base import form_data
from mobilite.schemas.confirmations import AnswerFormSchema
from mobilite.schemas.feedback import FeedbackSchema
from mobilite.services import candidate as candidate_service
from mobilite.services import feedback as feedback_service
from mobilite.services import immersions as immersion_service
from mobilite.services import proposals as proposal_service
from mobilite.services.agreement_pdf import agreement_pdf
from mobilite.web import agreement as agreement_web
from mobilite.web import immersion_changes
from mobilite.web.forms import Rejection, submit_form


def proposal_or_404(proposal_id: int, action: Action) -> Proposal:
    return require(current_user, action, db.session.get(Proposal, proposal_id))


def immersion_or_404(immersion_id: int, action: Action) -> Immersion:
    return require(current_user, action, immersion_service.load(immersion_id))


class AnswerState(TypedDict):
    """Whether this person may still answer the proposal, and what they answered."""

    may_answer: bool
    my_answer: Answer | None


def _answer_state(proposal: Proposal, side: str, today: date) -> AnswerState:
    answered = proposal.agent_answer if side == "agent" else proposal.host_answer
    mine = may_answer(current_user, proposal, side)
    in_time = proposal.respond_by is None or today <= proposal.respond_by
    open_ = proposal.status == ProposalStatus.PUBLISHED and in_time
    return AnswerState(may_answer=mine and open_ and answered is None, my_answer=answered if mine else None)


def show_proposal(
    proposal: Proposal, side: str, space: str, values: dict[str, Any] | None = None, rejected: Rejection | None = None
):
    rejected = rejected or Rejection({}, 200)
    today = date.today()
    return render_template(
        "proposals/show.html",
        proposal=proposal,
        side=side,
        space=space,
        immersion=proposal_service.immersion_of(proposal),
        candidate=candidate_service.for_host(current_user, proposal) if side == "host" else None,  # who is coming
        overdue=bool(
            proposal.respond_by and proposal.status == ProposalStatus.PUBLISHED and today > proposal.respond_by
        ),
        values=values or {},
        errors=rejected.errors,
        **_answer_state(proposal, side, today),
    ), rejected.status


def answer(proposal: Proposal, side: str, space: str):
    schema = AnswerFormSchema()  # a decline takes effect only with its confirmation box ticked
    values = form_data(schema, request.form)
    return submit_form(
        schema,
        values,
        lambda data: proposal_service.answer_proposal(current_user, proposal, side, data["answer"], data["reason"]),
        done=lambda _result: _answered(proposal, space),
        again=lambda rejected: show_proposal(proposal, side, space, values, rejected),
    )


def _answered(proposal: Proposal, space: str) -> ResponseReturnValue:
    if proposal.status == ProposalStatus.CONFIRMED:
        immersion = proposal_service.immersion_of(proposal)
        if immersion is None:  # confirming creates it, in the same transaction
            raise LookupError(f"confirmed proposal {proposal.id} has no immersion")
        flash(_("Immersion confirmée : les deux parties ont accepté. Tout le monde en est informé."), "success")
        return redirect(url_for(f"{space}.immersion", immersion_id=immersion.id))
    if proposal.status == ProposalStatus.DECLINED:
        flash(_("Proposition déclinée. Les autres parties en sont informées, avec votre motif."), "success")
    else:
        flash(_("Réponse enregistrée. L'immersion sera confirmée quand l'autre partie aura accepté."), "success")
    return redirect(url_for(f"{space}.proposal", proposal_id=proposal.id))


def show_immersion(immersion: Immersion, space: str, side: str | None):
    summary = immersion_service.agreement_summary(immersion)
    feedback_side = FeedbackSide(side) if side and may_give_feedback(current_user, immersion, side) else None
    return render_template(
        "immersions/show.html",
        immersion=immersion,
        summary=summary,
        space=space,
        status_labels=immersion_service.STATUS_LABELS,
        outcome_labels=feedback_service.OUTCOME_LABELS,
        given=feedback_service.given_sides(immersion),
        feedback_side=feedback_side,
        my_feedback=feedback_service.feedback_of(immersion, feedback_side) if feedback_side else None,
        feedback_open=feedback_service.is_open(immersion),
        changes=immersion_changes.panel(immersion, space),
        agreement=agreement_web.panel(immersion, space),
    )


def agreement_download(immersion: Immersion) -> Response:
    summary = immersion_service.agreement_summary(immersion)
    return Response(
        agreement_pdf(summary),
        mimetype="application/pdf",
        headers={"Content-Disposition": f'attachment; filename="recapitulatif-immersion-{summary["reference"]}.pdf"'},
    )


def calendar_download(immersion: Immersion) -> Response:
    return Response(
        immersion_service.immersion_ics(immersion),
        mimetype="text/calendar",
        headers={"Content-Disposition": f'attachment; filename="immersion-{immersion.id}.ics"'},
    )


def feedback_form(immersion: Immersion, side: FeedbackSide, space: str):
    if not may_give_feedback(current_user, immersion, side):
        raise NotFound()
    existing = feedback_service.feedback_of(immersion, side)
    schema = FeedbackSchema()
    values = form_data(schema, request.form) if request.method == "POST" and existing is None else {}

    def render(rejected: Rejection) -> ResponseReturnValue:
        summary = immersion_service.agreement_summary(immersion)
        return render_template(
            "immersions/feedback.html",
            immersion=immersion,
            summary=summary,
            side=side,
            space=space,
            existing=existing,
            open=feedback_service.is_open(immersion),
            values=values,
            errors=rejected.errors,
            outcomes=[(o.value, feedback_service.OUTCOME_LABELS[o]) for o in Outcome],
        ), rejected.status

    def given(_result: object) -> ResponseReturnValue:
        flash(_("Merci : votre bilan est enregistré."), "success")
        return redirect(url_for(f"{space}.immersion", immersion_id=immersion.id))

    if request.method != "POST":
        return render(Rejection({}, 200))
    if existing is not None:
        return render(Rejection({"_schema": [_("Le bilan a déjà été donné pour cette partie.")]}))
    return submit_form(
        schema,
        values,
        lambda data: feedback_service.give_feedback(current_user, immersion, side, data),
        done=given,
        again=render,
    )
