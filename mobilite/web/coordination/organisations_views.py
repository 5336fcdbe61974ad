"""The coordination's organisations: the network's list, a new one, and (shared with the admin's space)
editing, suspending and reinstating one."""

from __future__ import annotations

from flask import url_for

from mobilite.models import Organisation, Role
from mobilite.security import roles_required
from mobilite.web.coordination import bp, own_network
from mobilite.web.organisations import form_page, list_page, register_organisation_routes


@bp.get("/organisations")
@roles_required(Role.COORDINATOR)
def organisations():
    return list_page(own_network(), "coordination")


@bp.route("/organisations/nouvelle", methods=["GET", "POST"])
@roles_required(Role.COORDINATOR)
def new_organisation():
    return form_page("coordination", own_network(), None, url_for("coordination.organisations"))


def _back(organisation: Organisation) -> str:
    return url_for("coordination.organisation", organisation_id=organisation.id)


register_organisation_routes(bp, Role.COORDINATOR, "coordination", _back)
