"""Coordinators start, follow, review and publish the network's matching rounds."""

from __future__ import annotations

from datetime import date

from flask import flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import current_user
from marshmallow import Schema

from mobilite.authz import Action, require
from mobilite.extensions import db
from mobilite.lifecycles.round import MAX_ATTEMPTS, SHOWS_PROGRESS, failure_message
from mobilite.models import Proposal, Role, Round, RoundStatus
from mobilite.schemas.base import form_data
from mobilite.schemas.rounds import PinSchema, ProposalDecisionSchema, ReplaceSchema
from mobilite.security import roles_required
from mobilite.services import round_review, rounds
from mobilite.services.errors import ServiceError
from mobilite.web import immersions as immersions_shared
from mobilite.web.coordination import bp, own_network
from mobilite.web.forms import flash_and_return, flash_errors, submit_form


def _round(round_id: int) -> Round:
    return require(current_user, Action.MANAGE, db.session.get(Round, round_id))


def _proposal(proposal_id: int) -> Proposal:
    return require(current_user, Action.VALIDATE, db.session.get(Proposal, proposal_id))


def _review_anchor(proposal: Proposal) -> str:
    """The proposal's row on its round's review page."""
    return url_for("coordination.round_page", round_id=proposal.round_id, _anchor=f"p{proposal.id}")


@bp.post("/tours")
@roles_required(Role.COORDINATOR)
def start_round():
    network = own_network()
    round_ = rounds.request_round(network, rounds.week_of(date.today()), trigger="manual", actor=current_user)
    if round_ is None:
        flash(_("Le tour de cette semaine existe déjà : ouvrez-le pour le relancer si besoin."), "error")
        return redirect(url_for("coordination.home"))
    flash(_("Tour demandé : il démarre dans quelques secondes."), "success")
    return redirect(url_for("coordination.round_page", round_id=round_.id))


@bp.get("/tours/<int:round_id>")
@roles_required(Role.COORDINATOR)
def round_page(round_id: int):
    round_ = _round(round_id)
    if round_.status in SHOWS_PROGRESS:
        failure = failure_message(round_.error) if round_.status == RoundStatus.FAILED else ""
        return render_template(
            "coordination/round_progress.html", round=round_, failure=failure, max_attempts=MAX_ATTEMPTS
        )
    return render_template("coordination/round_review.html", **round_review.review_data(round_))


@bp.post("/tours/<int:round_id>/relancer")
@roles_required(Role.COORDINATOR)
def rerun_round(round_id: int):
    try:
        rounds.rerun_round(current_user, _round(round_id))
    except ServiceError as exc:
        flash_errors(exc)
    else:
        flash(_("Tour relancé : les placements épinglés sont conservés."), "success")
    return redirect(url_for("coordination.round_page", round_id=round_id))


@bp.post("/tours/<int:round_id>/publier")
@roles_required(Role.COORDINATOR)
def publish_round(round_id: int):
    try:
        count = round_review.publish_round(current_user, _round(round_id))
    except ServiceError as exc:
        flash_errors(exc)
    else:
        flash(_("Tour publié : %(n)d proposition(s) envoyée(s) aux agents et aux organisations.", n=count), "success")
    return redirect(url_for("coordination.round_page", round_id=round_id))


def _review_change(proposal_id: int, schema: Schema, change, success: str | None = None) -> ResponseReturnValue:
    """A coordinator's change to one proposal of a round in review; back to its row of the review page."""
    proposal = _proposal(proposal_id)
    back = _review_anchor(proposal)

    def done(_result: object) -> ResponseReturnValue:
        if success:
            flash(success, "success")
        return redirect(back)

    return submit_form(
        schema,
        form_data(schema, request.form),
        lambda data: change(proposal, data),
        done=done,
        again=flash_and_return(back),
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


@bp.post("/propositions/<int:proposal_id>/epingle")
@roles_required(Role.COORDINATOR)
def pin_proposal(proposal_id: int):
    return _review_change(
        proposal_id, PinSchema(), lambda proposal, data: round_review.set_pinned(current_user, proposal, data["pinned"])
    )


@bp.post("/propositions/<int:proposal_id>/remplacer")
@roles_required(Role.COORDINATOR)
def replace_proposal(proposal_id: int):
    return _review_change(
        proposal_id,
        ReplaceSchema(),
        lambda proposal, data: round_review.replace_session(current_user, proposal, data["session_id"]),
        success=_("Placement remplacé et épinglé."),
    )


@bp.get("/propositions/<int:proposal_id>")
@roles_required(Role.COORDINATOR)
def proposal_page(proposal_id: int):
    proposal = _proposal(proposal_id)
    return render_template(
        "coordination/proposal.html",
        proposal=proposal,
        sessions=round_review.open_sessions(proposal.round),
        rule_labels=round_review.RULE_LABELS,
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
