"""The coordinator's space: the network's organisations, offers to validate, rounds and accounts."""

from flask import Blueprint

bp = Blueprint("coordination", __name__)

from mobilite.web.coordination import dashboard_views, rounds_views, views  # noqa: E402,F401
