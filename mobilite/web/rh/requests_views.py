"""The home employer's answers to its agents' immersion requests: approve, refuse or postpone."""

from __future__ import annotations

from datetime import date

from flask import current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from marshmallow import ValidationError

from mobilite.authz import Action, can, require
from mobilite.extensions import db
from mobilite.models import ImmersionRequest, Role
from mobilite.schemas.base import form_data
from mobilite.schemas.requests import DecisionSchema
from mobilite.security import roles_required
from mobilite.services import requests as service
from mobilite.services import rules
from mobilite.services.errors import ServiceError
from mobilite.web.rh import bp

PER_PAGE = 50


def _reviewed_request(request_id: int) -> ImmersionRequest:
    return require(current_user, Action.REVIEW, db.session.get(ImmersionRequest, request_id))


@bp.get("/demandes")
@roles_required(Role.RH)
def requests():
    waiting_only = request.args.get("vue") != "toutes"
    page = max(request.args.get("page", 1, type=int), 1)
    rows, total = service.hr_requests(current_user, waiting_only=waiting_only, page=page, per_page=PER_PAGE)
    today = date.today()
    return render_template(
        "rh/requests/list.html", rows=rows, total=total, page=page, per_page=PER_PAGE,
        waiting_only=waiting_only,
        deadlines={r.id: service.answer_deadline(r) for r in rows},
        overdue={r.id for r in rows if service.is_overdue(r, today)},
    )


def _render(item: ImmersionRequest, values: dict, errors: dict, status: int = 200, conflict=None):
    network = service.network_of(item)
    return render_template(
        "rh/requests/show.html", item=item, values=values, errors=errors, conflict=conflict,
        deadline=service.answer_deadline(item), overdue=service.is_overdue(item),
        can_decide=can(current_user, Action.DECIDE, item), own=item.is_owned_by(current_user),
        remaining=rules.remaining_quota(item.agent_id, network, date.today()), network=network,
    ), status


@bp.get("/demandes/<int:request_id>")
@roles_required(Role.RH)
def request_detail(request_id: int):
    item = _reviewed_request(request_id)
    return _render(item, {"version": item.version}, {})


@bp.post("/demandes/<int:request_id>/decision")
@roles_required(Role.RH)
def decide(request_id: int):
    item = _reviewed_request(request_id)
    schema = DecisionSchema()
    values = form_data(schema, request.form)
    try:
        data = schema.load(values)
        service.decide(current_user, item, data["decision"], data["reason"], data["version"],
                       base_url=current_app.config["BASE_URL"])
    except ValidationError as exc:
        return _render(item, values, exc.messages, 400)
    except service.Conflict as exc:
        values["version"] = exc.current_version
        return _render(item, values, exc.errors, 409, conflict=exc)
    except ServiceError as exc:
        return _render(item, values, exc.errors, 400)
    name = item.agent.full_name
    if data["decision"] == "approve":
        flash(_("Demande approuvée. %(name)s en est informé·e par e-mail.", name=name), "success")
    elif data["decision"] == "refuse":
        flash(_("Demande refusée. %(name)s en est informé·e par e-mail, avec votre motif.", name=name), "success")
    else:
        flash(_("Demande reportée. %(name)s en est informé·e par e-mail, avec votre motif.", name=name), "success")
    return redirect(url_for("rh.requests"))
