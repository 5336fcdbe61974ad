"""Networks and their organisations over the API: the admin lists networks with their health and creates
one (with its first organisation and coordinator); the admin and a network's coordination list, add, edit,
suspend and reinstate its organisations. The same schemas and services as the pages."""

from __future__ import annotations

from flask import current_app
from marshmallow import fields
from werkzeug.exceptions import NotFound

from mobilite.api.core import Blueprint, api_user, api_view, etag_of, etagged_change, json_errors, page_of
from mobilite.authz import Action
from mobilite.models import Network, Organisation, Role
from mobilite.schemas.base import BaseSchema
from mobilite.schemas.organisations import NetworkSchema, OrganisationSchema, SuspensionSchema
from mobilite.services import networks as network_service
from mobilite.services import organisations as service

blp = json_errors(
    Blueprint(
        "api_networks",
        __name__,
        url_prefix="/api/v1",
        description="Networks (admin) and their organisations (admin and the network's coordination).",
    )
)


# The admin, or the network's coordination (authz: Action.ADMINISTER); 404 for anybody else.
RUN_NETWORK = (Network, Action.ADMINISTER, "network_id", "network")
RUN_ORGANISATION = (Organisation, Action.ADMINISTER, "organisation_id", "organisation")


class NetworkOut(BaseSchema):
    id = fields.Integer(dump_only=True)
    name = fields.String(dump_only=True)
    slug = fields.String(dump_only=True)
    description = fields.String(dump_only=True)
    organisations = fields.Integer(dump_only=True)
    suspended_organisations = fields.Integer(dump_only=True, attribute="suspended")
    active_agents = fields.Integer(dump_only=True)
    last_round_week = fields.Date(dump_only=True, allow_none=True)
    last_round_status = fields.String(dump_only=True, allow_none=True)
    last_round_at = fields.DateTime(dump_only=True, allow_none=True)
    failed_rounds = fields.Integer(dump_only=True)
    failing_addresses = fields.Integer(dump_only=True)
    failed_emails = fields.Integer(dump_only=True)


class _NetworkRow:
    """A network with its health figures, as NetworkOut reads them."""

    def __init__(self, health: network_service.NetworkHealth):
        self.health = health

    def __getattr__(self, name):
        if name in {"id", "name", "slug", "description"}:
            return getattr(self.health.network, name)
        return getattr(self.health, name)


class AdministeredOrganisationOut(BaseSchema):
    id = fields.Integer(dump_only=True)
    network_id = fields.Integer(dump_only=True)
    name = fields.String(dump_only=True)
    kind = fields.String(dump_only=True)
    sirets = fields.Method("siret_numbers", dump_only=True)
    address = fields.String(dump_only=True)
    city = fields.String(dump_only=True)
    postcode = fields.String(dump_only=True)
    latitude = fields.Float(dump_only=True, allow_none=True)
    longitude = fields.Float(dump_only=True, allow_none=True)
    accessibility_notes = fields.String(dump_only=True)
    active = fields.Boolean(dump_only=True, attribute="is_active")
    suspended_at = fields.DateTime(dump_only=True, allow_none=True)
    suspension_reason = fields.String(dump_only=True)

    def siret_numbers(self, organisation: Organisation) -> list[str]:
        return [row.siret for row in organisation.sirets]


def _health(network_id: int | None = None) -> list[_NetworkRow]:
    return [_NetworkRow(h) for h in network_service.health() if network_id is None or h.network.id == network_id]


def _with_etag(organisation: Organisation, status: int = 200):
    return organisation, status, {"ETag": etag_of(AdministeredOrganisationOut(), organisation)}


@blp.route("/networks", methods=["GET"])
@api_view(Role.ADMIN)
@blp.response(200, NetworkOut(many=True))
def list_networks():
    """Every network with its health: organisations (and how many are suspended), active agents, its last
    round, failed rounds, members' addresses the mail relay refuses for good and e-mails that failed."""
    return _health()


@blp.route("/networks", methods=["POST"])
@api_view(Role.ADMIN)
@blp.arguments(NetworkSchema)
@blp.response(201, NetworkOut)
def create_network(data):
    """Create a network with its first organisation and its first coordinator (who gets a first-password
    link by e-mail), all or nothing; 422 names every field at fault. Its rules are the law's defaults."""
    network = network_service.create_network(api_user(), data, token_hours=current_app.config["PASSWORD_TOKEN_HOURS"])
    return _health(network.id)[0]


@blp.route("/networks/<int:network_id>", methods=["GET"])
@api_view(Role.ADMIN)
@blp.response(200, NetworkOut)
@blp.alt_response(404, response="NOT_FOUND")
def get_network(network_id):
    """One network with its health."""
    rows = _health(network_id)
    if not rows:
        raise NotFound()
    return rows[0]


@blp.route("/networks/<int:network_id>/organisations", methods=["GET"])
@api_view(Role.ADMIN, Role.COORDINATOR, load=RUN_NETWORK)
@blp.response(200, AdministeredOrganisationOut(many=True))
@blp.alt_response(404, response="NOT_FOUND")
@blp.paginate(page_size=50, max_page_size=200)
def network_organisations(pagination_parameters, network):
    """A network's organisations by name, suspended ones included (the admin: any network; a coordinator:
    their own)."""
    return page_of(service.network_organisations(network.id), pagination_parameters)


@blp.route("/networks/<int:network_id>/organisations", methods=["POST"])
@api_view(Role.ADMIN, Role.COORDINATOR, load=RUN_NETWORK)
@blp.arguments(OrganisationSchema)
@blp.response(201, AdministeredOrganisationOut, headers={"ETag": {"schema": {"type": "string"}}})
@blp.alt_response(404, response="NOT_FOUND")
def create_organisation(data, network):
    """Add an organisation to the network. `commune` is a commune of the gazetteer ("Lyon (69003)", a name or
    a postcode): its coordinates come from there. `sirets`: a list of SIRET numbers (or one text, one per
    line), each unique across the service. 422 names every field at fault."""
    return _with_etag(service.create_organisation(api_user(), network, data), 201)


@blp.route("/organisations/<int:organisation_id>", methods=["GET"])
@api_view(Role.ADMIN, Role.COORDINATOR, load=RUN_ORGANISATION)
@blp.response(200, AdministeredOrganisationOut, headers={"ETag": {"schema": {"type": "string"}}})
@blp.alt_response(404, response="NOT_FOUND")
def get_organisation(organisation):
    """An organisation of a network the caller runs, with its SIRET numbers and its suspension; the ETag
    to send back with PUT."""
    return _with_etag(organisation)


@blp.route("/organisations/<int:organisation_id>", methods=["PUT"])
@api_view(Role.ADMIN, Role.COORDINATOR, load=RUN_ORGANISATION)
@blp.arguments(OrganisationSchema)
@etagged_change(blp, AdministeredOrganisationOut, record="organisation", if_match="required")
def update_organisation(data, organisation):
    """Replace an organisation's name, kind, SIRET numbers, address and accessibility notes. Requires
    If-Match with the ETag read by GET: 428 without it, 412 when it changed since."""
    # The version the If-Match named, checked again under the row lock: a save between the two is not lost.
    return _with_etag(service.update_organisation(api_user(), organisation, data, service.fingerprint(organisation)))


@blp.route("/organisations/<int:organisation_id>/suspend", methods=["POST"])
@api_view(Role.ADMIN, Role.COORDINATOR, load=RUN_ORGANISATION)
@blp.arguments(SuspensionSchema)
@etagged_change(blp, AdministeredOrganisationOut, record="organisation", if_match="optional")
def suspend_organisation(data, organisation):
    """Suspend the organisation (a `reason` is required): its offers leave the catalogue, its agents' pending
    requests are paused (each agent told), nothing is deleted; its members still sign in. 422 when it is
    already suspended."""
    return _with_etag(service.suspend(api_user(), organisation, data["reason"]))


@blp.route("/organisations/<int:organisation_id>/reinstate", methods=["POST"])
@api_view(Role.ADMIN, Role.COORDINATOR, load=RUN_ORGANISATION)
@etagged_change(blp, AdministeredOrganisationOut, record="organisation", if_match="optional")
def reinstate_organisation(organisation):
    """Lift the suspension: the offers come back to the catalogue, the paused requests to the rounds as
    they were (each agent told). 422 when it is not suspended."""
    return _with_etag(service.reinstate(api_user(), organisation))
