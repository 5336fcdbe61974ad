"""The audit log's pages: a coordinator reads their network's, the admin everything; filters and CSV."""

from __future__ import annotations

from collections.abc import Callable

from flask import Blueprint, Response, render_template, request
from flask.typing import ResponseReturnValue
from flask_login import current_user
from marshmallow import ValidationError

from mobilite.models import Role
from mobilite.schemas.audit_log import AuditFilterSchema
from mobilite.security import roles_required
from mobilite.services import audit
from mobilite.services.pagination import paginate
from mobilite.web.forms import field_errors

PER_PAGE = 50


def _filters() -> tuple[dict, dict[str, list[str]]]:
    schema = AuditFilterSchema()
    try:
        return schema.load(request.args.to_dict()), {}
    except ValidationError as error:
        return {"action": "", "start": None, "end": None, "user_id": None, "page": 1}, field_errors(error)


def log_page(network_id: int | None, space: str) -> ResponseReturnValue:
    filters, errors = _filters()
    page = paginate(audit.events(network_id, filters), filters["page"], PER_PAGE)
    return render_template(
        "audit/log.html",
        page=page,
        actors=audit.actors(page.items),
        details_items=audit.details_items,
        families=audit.FAMILIES,
        values=request.args,
        errors=errors,
        space=space,
    ), (400 if errors else 200)


def log_csv(network_id: int | None) -> ResponseReturnValue:
    filters, errors = _filters()
    if errors:
        return log_page(network_id, request.blueprint or "")
    content = audit.events_csv(network_id, filters, current_user)
    return Response(
        content,
        mimetype="text/csv",
        headers={"Content-Disposition": 'attachment; filename="journal.csv"'},
    )


def register_audit_routes(bp: Blueprint, role: Role, space: str, network_id: Callable[[], int | None]) -> None:
    """The log's two pages in one space; `network_id` gives the network it reads (None: every one)."""

    @bp.get("/journal", endpoint="audit_log")
    @roles_required(role)
    def audit_log():
        return log_page(network_id(), space)

    @bp.get("/journal.csv", endpoint="audit_log_csv")
    @roles_required(role)
    def audit_log_csv():
        return log_csv(network_id())
