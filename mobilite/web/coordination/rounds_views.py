"""Coordinators start, follow, read and publish the network's matching rounds (the review of their proposals:
review_views)."""

from __future__ import annotations

from datetime import date

from flask import flash, redirect, render_template, request, url_for
from flask_babel import format_decimal, ngettext
from flask_babel import gettext as _
from flask_login import current_user
from marshmallow import ValidationError

from mobilite.authz import Action, require
from mobilite.extensions import db
from mobilite.lifecycles.round import IN_REVIEW, MAX_ATTEMPTS, SHOWS_PROGRESS, failure_message
from mobilite.models import Role, Round, RoundStatus
from mobilite.schemas.base import form_data
from mobilite.schemas.rounds import PublicationScopeSchema, PublishSchema, ReviewQuerySchema
from mobilite.security import roles_required
from mobilite.services import publication, review_page, round_review, rounds
from mobilite.services.errors import ServiceError
from mobilite.web.coordination import bp, own_network
from mobilite.web.forms import field_errors, flash_and_return, flash_errors, submit_form


def _decimals():
    """format_decimal for one page that formats the same counts hundreds of times (a line per organisation):
    each distinct value once."""
    done: dict[tuple, str] = {}

    def format_count(value, *args, **kwargs) -> str:
        key = (type(value), value, args, tuple(sorted(kwargs.items())))
        if key not in done:
            done[key] = format_decimal(value, *args, **kwargs)
        return done[key]

    return format_count


def _round(round_id: int) -> Round:
    return require(current_user, Action.MANAGE, db.session.get(Round, round_id))


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
    schema = ReviewQuerySchema()
    try:
        values, errors = schema.load(form_data(schema, request.args)), {}
    except ValidationError as exc:  # the page still shows, with what was valid, and says what was not
        valid = exc.valid_data if isinstance(exc.valid_data, dict) else {}
        values, errors = {**schema.load({}), **valid}, field_errors(exc)
    data = review_page.review_page(round_, values, request.args.get("sans_proposition", 1, type=int) or 1)
    return render_template("coordination/round_review.html", errors=errors, format_decimal=_decimals(), **data)


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


@bp.get("/tours/<int:round_id>/publier")
@roles_required(Role.COORDINATOR)
def publish_summary(round_id: int):
    """What publishing would send, to whom, and what it leaves unsent; then the confirmation."""
    round_ = _round(round_id)
    if round_.status not in IN_REVIEW:
        return redirect(url_for("coordination.round_page", round_id=round_id))
    return render_template(
        "coordination/round_publish.html", round=round_, preview=publication.preview(round_), format_decimal=_decimals()
    )


@bp.post("/tours/<int:round_id>/publier")
@roles_required(Role.COORDINATOR)
def publish_round(round_id: int):
    round_ = _round(round_id)
    back = url_for("coordination.publish_summary", round_id=round_id)

    def done(count: int):
        flash(
            ngettext(
                "Tour publié : %(num)d proposition envoyée aux agents et aux organisations.",
                "Tour publié : %(num)d propositions envoyées aux agents et aux organisations.",
                count,
            ),
            "success",
        )
        return redirect(url_for("coordination.round_page", round_id=round_id))

    schema = PublishSchema()
    return submit_form(
        schema,
        form_data(schema, request.form),
        lambda data: round_review.publish_round(current_user, round_, expected=data["token"]),
        done=done,
        again=flash_and_return(back),
        shows_conflicts=True,
    )


@bp.post("/tours/<int:round_id>/envoi")
@roles_required(Role.COORDINATOR)
def publication_scope(round_id: int):
    """The network's setting of what "Publier" sends, changed from the round's page."""
    round_ = _round(round_id)
    back = url_for("coordination.round_page", round_id=round_id, _anchor="envoi")

    def done(_network):
        flash(_("Réglage enregistré : il s'applique à la prochaine publication."), "success")
        return redirect(back)

    schema = PublicationScopeSchema()
    return submit_form(
        schema,
        form_data(schema, request.form),
        lambda data: publication.set_scope(current_user, round_.network, data["publication_scope"]),
        done=done,
        again=flash_and_return(back),
    )


from mobilite.web.coordination import draft_views, review_views  # noqa: E402,F401 - the review's routes, same blueprint
