"""The coordinator's review of a round's proposals: approve or reject, one at a time or in bulk, pin, and move
a placement by hand to a session that keeps every rule."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user
from marshmallow import Schema, ValidationError

from mobilite.authz import Action, require
from mobilite.extensions import db
from mobilite.lifecycles.proposal import IN_REVIEW as PROPOSAL_IN_REVIEW
from mobilite.lifecycles.proposal import ReviewDecision
from mobilite.lifecycles.round import IN_REVIEW
from mobilite.models import Proposal, Role, Round
from mobilite.schemas.base import form_data
from mobilite.schemas.rounds import BulkDecisionSchema, PinSchema, ProposalDecisionSchema, ReplaceSchema
from mobilite.security import roles_required
from mobilite.services import proposals, replacements, review_table, round_review, score_words
from mobilite.services.errors import ServiceError
from mobilite.services.round_review import RULE_LABELS
from mobilite.web import immersion_changes
from mobilite.web import immersions as immersions_shared
from mobilite.web.coordination import bp
from mobilite.web.forms import error_text, flash_and_return, submit_form


def _proposal(proposal_id: int) -> Proposal:
    return require(current_user, Action.VALIDATE, db.session.get(Proposal, proposal_id))


def _back(proposal: Proposal) -> str:
    """Where a change sends the coordinator back: the review page as they left it (filter, sort, page: the
    form's `back`, when it is that round's page), at the proposal's row."""
    page = url_for("coordination.round_page", round_id=proposal.round_id)
    back = request.form.get("back", "")
    if not (back == page or back.startswith(page + "?")):
        back = page
    return f"{back}#p{proposal.id}"


def _review_change(
    proposal_id: int, schema: Schema, change, success: str | None = None, back: str | None = None
) -> ResponseReturnValue:
    """A coordinator's change to one proposal of a round in review; back to its row of the review page, or
    to `back` (the page the form was on)."""
    proposal = _proposal(proposal_id)
    target = back or _back(proposal)

    def done(_result: object) -> ResponseReturnValue:
        if success:
            flash(success, "success")
        return redirect(target)

    return submit_form(
        schema,
        form_data(schema, request.form),
        lambda data: change(proposal, data),
        done=done,
        again=flash_and_return(target),
        shows_conflicts=True,
    )


@bp.post("/propositions/<int:proposal_id>/decision")
@roles_required(Role.COORDINATOR)
def decide_proposal(proposal_id: int):
    return _review_change(
        proposal_id,
        ProposalDecisionSchema(),
        lambda proposal, data: round_review.set_decision(current_user, proposal, data["decision"], data["reason"]),
    )


def _bulk_message(decision: str, result: round_review.BulkResult) -> str:
    if decision == ReviewDecision.APPROVE:
        message = ngettext("%(num)d proposition validée.", "%(num)d propositions validées.", result.changed)
    else:
        message = ngettext("%(num)d proposition écartée.", "%(num)d propositions écartées.", result.changed)
    if result.skipped:
        message += " " + ngettext(
            "%(num)d autre, déjà décidée, n'a pas changé.",
            "%(num)d autres, déjà décidées, n'ont pas changé.",
            result.skipped,
        )
    return message


@bp.post("/tours/<int:round_id>/decisions")
@roles_required(Role.COORDINATOR)
def bulk_decision(round_id: int):
    """Approve, or reject with one reason, the checked proposals or every proposal of the current filter;
    back to the page with the same filter."""
    round_ = require(current_user, Action.MANAGE, db.session.get(Round, round_id))
    schema = BulkDecisionSchema()
    try:
        data = schema.load(form_data(schema, request.form))
    except ValidationError as exc:
        valid = exc.valid_data if isinstance(exc.valid_data, dict) else {}
        flash(error_text(exc), "error")
        return redirect(_table_url(round_id, review_table.ReviewFilter.from_values(valid)))
    review_filter = review_table.ReviewFilter.from_values(data)
    back = _table_url(round_id, review_filter)
    by_filter = data["target"] == "filter"
    try:
        result = round_review.bulk_decide(
            current_user,
            round_,
            data["decision"],
            data["reason"],
            selection=None if by_filter else data["selected"],
            review_filter=review_filter if by_filter else None,
            expected=data["token"] if by_filter else None,
        )
    except ServiceError as exc:
        flash(error_text(exc), "error")
    else:
        flash(_bulk_message(data["decision"], result), "success")
    return redirect(back)


def _table_url(round_id: int, review_filter: review_table.ReviewFilter) -> str:
    return url_for("coordination.round_page", round_id=round_id, **review_filter.query_args(), _anchor="propositions")


@bp.post("/propositions/<int:proposal_id>/epingle")
@roles_required(Role.COORDINATOR)
def pin_proposal(proposal_id: int):
    return _review_change(
        proposal_id, PinSchema(), lambda proposal, data: round_review.set_pinned(current_user, proposal, data["pinned"])
    )


@bp.post("/propositions/<int:proposal_id>/remplacer")
@roles_required(Role.COORDINATOR)
def replace_proposal(proposal_id: int):
    """A refused choice (someone took the seat meanwhile) comes back to the list of sessions, with why."""
    return _review_change(
        proposal_id,
        ReplaceSchema(),
        lambda proposal, data: round_review.replace_session(current_user, proposal, data["session_id"]),
        success=_("Placement remplacé et épinglé."),
        back=url_for("coordination.proposal_page", proposal_id=proposal_id, _anchor="remplacer"),
    )


@bp.get("/propositions/<int:proposal_id>")
@roles_required(Role.COORDINATOR)
def proposal_page(proposal_id: int):
    proposal = _proposal(proposal_id)
    round_ = proposal.round
    scale = review_table.Scale.of(round_)
    open_to_change = round_.status in IN_REVIEW and proposal.status in PROPOSAL_IN_REVIEW
    return render_template(
        "coordination/proposal.html",
        proposal=proposal,
        words=score_words.describe(proposal.request, proposal.session, proposal.breakdown, scale.weights),
        scale=scale,
        choices=replacements.options(proposal) if open_to_change else None,
        open_to_change=open_to_change,
        rule_labels=RULE_LABELS,
        immersion=proposals.immersion_of(proposal),  # once confirmed: the way to its page (cancellation…)
    )


@bp.get("/immersions/<int:immersion_id>")
@roles_required(Role.COORDINATOR)
def immersion(immersion_id: int):
    return immersions_shared.show_immersion(
        immersions_shared.immersion_or_404(immersion_id, Action.VIEW), "coordination", None
    )


@bp.get("/immersions/<int:immersion_id>/recapitulatif.pdf")
@roles_required(Role.COORDINATOR)
def immersion_pdf(immersion_id: int):
    return immersions_shared.agreement_download(immersions_shared.immersion_or_404(immersion_id, Action.VIEW))


@bp.get("/immersions/<int:immersion_id>/immersion.ics")
@roles_required(Role.COORDINATOR)
def immersion_ics(immersion_id: int):
    return immersions_shared.calendar_download(immersions_shared.immersion_or_404(immersion_id, Action.VIEW))


@bp.route("/immersions/<int:immersion_id>/annulation", methods=["GET", "POST"])
@roles_required(Role.COORDINATOR)
def immersion_call_off(immersion_id: int):
    immersion = immersions_shared.immersion_or_404(immersion_id, Action.VIEW)
    return immersion_changes.call_off_form(immersion, "coordination")
