"""The coordinator's network settings over the API: the settings page's schema, rules and audit."""

from __future__ import annotations

from werkzeug.exceptions import NotFound

from mobilite.api.core import Blueprint, api_user, api_view, json_errors
from mobilite.extensions import db
from mobilite.models import Network, Role
from mobilite.schemas.network_settings import NetworkSettingsPatchSchema, NetworkSettingsSchema
from mobilite.services import network_settings

blp = json_errors(
    Blueprint(
        "api_network_settings",
        __name__,
        url_prefix="/api/v1",
        description="The caller's network settings (coordinator): rules, deadlines, schedule, matching, retention.",
    )
)


def _own_network() -> Network:
    user = api_user()
    network = db.session.get(Network, user.network_id) if user.network_id is not None else None
    if network is None or not network_settings.may_change(user, network):
        raise NotFound()
    return network


@blp.route("/network/settings", methods=["GET"])
@api_view(Role.COORDINATOR)
@blp.response(200, NetworkSettingsSchema)
@blp.alt_response(404, response="NOT_FOUND")
def get_settings():
    """The settings of the network the caller coordinates."""
    return network_settings.current(_own_network())


@blp.route("/network/settings", methods=["PATCH"])
@api_view(Role.COORDINATOR)
@blp.arguments(NetworkSettingsPatchSchema)
@blp.response(200, NetworkSettingsSchema)
@blp.alt_response(404, response="NOT_FOUND")
def patch_settings(data):
    """Change some settings (the others stay), all or nothing: 422 names each refused field and why. Each
    change is written to the audit log with its old and new value. `round_day` and `round_time` together
    set the weekly schedule (Europe/Paris)."""
    network = network_settings.update_settings(api_user(), _own_network(), data)
    return network_settings.current(network)
