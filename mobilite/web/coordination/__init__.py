"""The coordinator's space: the network's organisations, offers to validate, rounds and accounts."""

from flask import Blueprint, abort
from flask_login import current_user

from mobilite.extensions import db
from mobilite.models import Network

bp = Blueprint("coordination", __name__)


def own_network() -> Network:
    """The signed-in coordinator's network (404 for an account that coordinates none)."""
    network = db.session.get(Network, current_user.network_id) if current_user.network_id is not None else None
    if network is None:
        abort(404)
    return network


from mobilite.web.coordination import (  # noqa: E402,F401
    agreement_views,
    dashboard_views,
    freed_seat_views,
    organisations_views,
    report_views,
    rounds_views,
    settings_views,
    views,
)
