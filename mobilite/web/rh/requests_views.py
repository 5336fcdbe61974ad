"""The home employer's answers to its agents' immersion requests: approve, refuse or postpone."""

from __future__ import annotations

from datetime import date
from typing import Any

from flask import flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import current_user

from mobilite.authz import Action, can, require
from mobilite.extensions import db
from mobilite.i18n import N_
from mobilite.lifecycles.request import RequestDecision
from mobilite.models import ImmersionRequest, Role
from mobilite.schemas.base import form_data
from mobilite.schemas.requests import DecisionSchema
from mobilite.security import roles_required
from mobilite.services import line_manager, listings, rules
from mobilite.services import requests as service
from mobilite.services.pagination import paginate
from mobilite.web.forms import Rejection, submit_form
from mobilite.web.rh import bp

PER_PAGE = 50


def _reviewed_request(request_id: int) -> ImmersionRequest:
    return require(current_user, Action.REVIEW, db.session.get(ImmersionRequest, request_id))


@bp.get("/demandes")
@roles_required(Role.RH)
def requests():
    waiting_only = request.args.get("vue") != "toutes"
    page = max(request.args.get("page", 1, type=int), 1)
    found = paginate(
        listings.organisation_requests(current_user.organisation_id, waiting_only=waiting_only), page, PER_PAGE
    )
    rows, total = found.items, found.total
    today = date.today()
    return render_template(
        "rh/requests/list.html",
        rows=rows,
        total=total,
        page=page,
        per_page=PER_PAGE,
        waiting_only=waiting_only,
        deadlines={r.id: service.answer_deadline(r) for r in rows},
        overdue={r.id for r in rows if service.is_overdue(r, today)},
        opinion_overdue={r.id for r in rows if line_manager.is_overdue(r, today)},
    )


def _render(immersion_request: ImmersionRequest, values: dict[str, Any], rejected: Rejection | None = None):
    rejected = rejected or Rejection({}, 200)
    network = service.network_of(immersion_request)
    return render_template(
        "rh/requests/show.html",
        item=immersion_request,
        values=values,
        errors=rejected.errors,
        conflict=rejected.conflict,
        deadline=service.answer_deadline(immersion_request),
        overdue=service.is_overdue(immersion_request),
        can_decide=can(current_user, Action.DECIDE, immersion_request),
        own=immersion_request.is_owned_by(current_user),
        remaining=rules.remaining_quota(immersion_request.agent_id, network, date.today()),
        network=network,
        opinion=line_manager.state(immersion_request),
    ), rejected.status


@bp.get("/demandes/<int:request_id>")
@roles_required(Role.RH)
def request_detail(request_id: int):
    immersion_request = _reviewed_request(request_id)
    return _render(immersion_request, {"version": immersion_request.version})


# What HR reads once the decision is saved.
_DECIDED = {
    RequestDecision.APPROVE: N_("Demande approuvée. %(name)s en est informé·e par e-mail."),
    RequestDecision.REFUSE: N_("Demande refusée. %(name)s en est informé·e par e-mail, avec votre motif."),
    RequestDecision.POSTPONE: N_("Demande reportée. %(name)s en est informé·e par e-mail, avec votre motif."),
}


@bp.post("/demandes/<int:request_id>/decision")
@roles_required(Role.RH)
def decide(request_id: int):
    immersion_request = _reviewed_request(request_id)
    schema = DecisionSchema()
    values = form_data(schema, request.form)

    def save(data: dict[str, Any]) -> RequestDecision:
        service.decide(current_user, immersion_request, data["decision"], data["reason"], data["version"])
        return data["decision"]

    def decided(decision: RequestDecision) -> ResponseReturnValue:
        flash(_(_DECIDED[decision], name=immersion_request.agent.full_name), "success")
        return redirect(url_for("rh.requests"))

    def again(rejected: Rejection) -> ResponseReturnValue:
        if rejected.conflict is not None:
            values["version"] = getattr(rejected.conflict, "current_version", None)
        return _render(immersion_request, values, rejected)

    return submit_form(schema, values, save, done=decided, again=again, shows_conflicts=True)
