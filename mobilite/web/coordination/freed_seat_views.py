"""The seat a cancelled immersion freed: the requests that could take it now, best first, and "Proposer"."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import current_user

from mobilite.authz import Action
from mobilite.models import Immersion, Role
from mobilite.schemas.base import form_data
from mobilite.schemas.freed_seats import OfferSeatSchema
from mobilite.security import roles_required
from mobilite.services import freed_seats
from mobilite.web import immersions as immersions_shared
from mobilite.web.coordination import bp
from mobilite.web.forms import Rejection, submit_form


def _immersion(immersion_id: int) -> Immersion:
    immersion = immersions_shared.immersion_or_404(immersion_id, Action.VIEW)
    if not freed_seats.may_offer(current_user, immersion):
        abort(404)
    return immersion


def _page(immersion: Immersion, values: dict, rejected: Rejection) -> ResponseReturnValue:
    return render_template(
        "coordination/freed_seat.html",
        immersion=immersion,
        seat=freed_seats.freed_seat(immersion),
        values=values,
        errors=rejected.errors,
    ), rejected.status


@bp.route("/immersions/<int:immersion_id>/place-liberee", methods=["GET", "POST"])
@roles_required(Role.COORDINATOR)
def freed_seat(immersion_id: int) -> ResponseReturnValue:
    immersion = _immersion(immersion_id)
    if request.method != "POST":
        return _page(immersion, {}, Rejection({}, 200))
    schema = OfferSeatSchema()
    values = form_data(schema, request.form)

    def done(proposal) -> ResponseReturnValue:
        flash(
            _(
                "Place proposée à %(agent)s. L'agent et l'organisation d'accueil ont jusqu'au délai de réponse "
                "habituel pour l'accepter ; tous deux en sont informés.",
                agent=proposal.request.agent.full_name,
            ),
            "success",
        )
        return redirect(url_for("coordination.proposal_page", proposal_id=proposal.id))

    return submit_form(
        schema,
        values,
        lambda data: freed_seats.offer_seat(current_user, immersion, data["request_id"]),
        done=done,
        again=lambda rejected: _page(immersion, values, rejected),
    )
