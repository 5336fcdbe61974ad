"""The admin's networks: their health, a new network with its first organisation and coordinator, and
each network's organisations (added, edited, suspended as its coordination would)."""

from __future__ import annotations

from typing import Any

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import current_user

from mobilite.extensions import db
from mobilite.models import Network, Organisation, OrganisationKind, Role
from mobilite.schemas.base import form_data
from mobilite.schemas.organisations import NetworkSchema
from mobilite.security import roles_required
from mobilite.services import networks as service
from mobilite.web.admin import bp
from mobilite.web.forms import Rejection, submit_form
from mobilite.web.organisations import form_page, list_page, register_organisation_routes


@bp.get("/reseaux")
@roles_required(Role.ADMIN)
def networks():
    return render_template("admin/networks.html", rows=service.health())


@bp.route("/reseaux/nouveau", methods=["GET", "POST"])
@roles_required(Role.ADMIN)
def new_network():
    """One form: the network, its first organisation and its first coordinator, created all or nothing."""
    schema = NetworkSchema()
    values = form_data(schema, request.form) if request.method == "POST" else {}

    def render(rejected: Rejection) -> ResponseReturnValue:
        return render_template(
            "admin/network_new.html", errors=rejected.errors, values=values, kinds=list(OrganisationKind)
        ), rejected.status

    def save(data: dict[str, Any]) -> Network:
        return service.create_network(current_user, data, token_hours=current_app.config["PASSWORD_TOKEN_HOURS"])

    def created(network: Network) -> ResponseReturnValue:
        flash(
            _(
                "Réseau %(name)s créé. Un lien pour choisir son mot de passe a été envoyé à sa coordination.",
                name=network.name,
            ),
            "success",
        )
        return redirect(url_for("admin.network", network_id=network.id))

    if request.method != "POST":
        return render(Rejection({}, 200))
    return submit_form(schema, values, save, done=created, again=render, also_check=service.check_network)


def _network(network_id: int) -> Network:
    network = db.session.get(Network, network_id)
    if network is None:
        abort(404)
    return network


@bp.get("/reseaux/<int:network_id>")
@roles_required(Role.ADMIN)
def network(network_id: int):
    return list_page(_network(network_id), "admin")


@bp.route("/reseaux/<int:network_id>/organisations/nouvelle", methods=["GET", "POST"])
@roles_required(Role.ADMIN)
def new_organisation(network_id: int):
    network = _network(network_id)
    return form_page("admin", network, None, url_for("admin.network", network_id=network.id))


def _back(organisation: Organisation) -> str:
    return url_for("admin.network", network_id=organisation.network_id)


register_organisation_routes(bp, Role.ADMIN, "admin", _back)
